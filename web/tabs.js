// Which playground tab holds which saved work, with the browser's Web Locks: a tab holds a lock named after its
// work's slot for as long as it lives, and the browser lets go of it when the tab closes, reloads or crashes. So
// a tab can tell a work that another open tab is changing from one whose tab is gone, and never write over the
// former. Where Web Locks are missing (an insecure context), every claim succeeds: one tab at a time, as before.

const releases = new Map();

// Takes the lock `name` and holds it until `letGo`; resolves to whether it got it. With `waitMs` it waits that
// long for another holder to let go (a tab reloading is still letting go of its own); without, it takes the lock
// only if it is free.
function claim(name, waitMs = 0) {
  if (!navigator.locks) return Promise.resolve(true);
  if (releases.has(name)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const options = waitMs > 0 ? { signal: AbortSignal.timeout(waitMs) } : { ifAvailable: true };
    navigator.locks.request(name, options, (lock) => {
      if (!lock) {
        resolve(false);
        return undefined;
      }
      resolve(true);
      return new Promise((release) => releases.set(name, release));
    }).catch(() => resolve(false));
  });
}

function letGo(name) {
  releases.get(name)?.();
  releases.delete(name);
}

// The names of the locks other tabs hold now.
async function heldElsewhere() {
  if (!navigator.locks) return [];
  const { held } = await navigator.locks.query();
  return held.map((lock) => lock.name).filter((name) => !releases.has(name));
}

window.OrdinalTabs = { claim, letGo, heldElsewhere };
