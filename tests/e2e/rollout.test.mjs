// Rolling updates on screen: a new image rolls web-2, web-1, web-0 in that order; with partition 2 only web-2
// and above update.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useBrowser, openPage, setSpeed, ARTIFACTS, runInConsole } from './harness.mjs';

const env = useBrowser();

/// Records, in the page, the order in which pods first show a revision other than `from`.
async function recordUpdates(page, from) {
  await page.evaluate((old) => {
    window.__updated = [];
    const look = () => {
      for (const el of document.querySelectorAll('[data-testid="pod"]')) {
        if (el.dataset.revision !== old && !window.__updated.includes(el.dataset.pod)) window.__updated.push(el.dataset.pod);
      }
    };
    new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true });
  }, from);
}

async function readyRevisions(page) {
  return page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-testid="pod"]')]
    .map((el) => [el.dataset.pod, el.dataset.ready === 'true' ? el.dataset.revision : null])));
}

test('a new image rolls web-2, then web-1, then web-0', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  await setSpeed(page, 32);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="pod"][data-ready="true"]').length === 3, null, { timeout: 60_000 });
  const old = await page.getAttribute('[data-pod="web-0"]', 'data-revision');
  await recordUpdates(page, old);
  const entry = await runInConsole(page, 'kubectl set image sts/web nginx=nginx:1.27');
  assert.match(await entry.textContent(), /statefulset.apps\/web image updated/);
  await page.waitForFunction((from) => [...document.querySelectorAll('[data-testid="pod"]')]
    .filter((el) => el.dataset.ready === 'true' && el.dataset.revision !== from).length === 3, old, { timeout: 60_000 });
  assert.deepEqual(await page.evaluate(() => window.__updated), ['web-2', 'web-1', 'web-0']);
  assert.match(await page.textContent('[data-testid="set-status"]'), /replicas 3 · ready 3 · current 3 · updated 3/);
  await page.screenshot({ path: join(ARTIFACTS, 'rolled.png') });
  assert.deepEqual(problems, []);
});

test('with partition 2 only web-2 takes the new revision', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  await setSpeed(page, 32);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="pod"][data-ready="true"]').length === 3, null, { timeout: 60_000 });
  const old = await page.getAttribute('[data-pod="web-0"]', 'data-revision');
  await runInConsole(page, `kubectl patch sts web -p '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}}}}'`);
  await recordUpdates(page, old);
  await runInConsole(page, 'kubectl set image sts/web nginx=nginx:1.27');
  await page.waitForFunction((from) => {
    const web2 = document.querySelector('[data-pod="web-2"]');
    return web2?.dataset.ready === 'true' && web2.dataset.revision !== from;
  }, old, { timeout: 60_000 });
  // Long enough for the controller to have gone on, had it been allowed to.
  const clock = await page.textContent('.clock');
  await page.waitForFunction((before) => document.querySelector('.clock').textContent !== before, clock);
  await page.waitForTimeout(1_500);
  const revisions = await readyRevisions(page);
  assert.equal(revisions['web-0'], old);
  assert.equal(revisions['web-1'], old);
  assert.notEqual(revisions['web-2'], old);
  assert.deepEqual(await page.evaluate(() => window.__updated), ['web-2']);
  assert.match(await page.textContent('.revisions'), /current web-\w+ → update web-\w+/);
  await page.screenshot({ path: join(ARTIFACTS, 'partition.png') });
  assert.deepEqual(problems, []);
});
