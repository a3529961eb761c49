// The page's speed, measured in headless Chromium against the release build in dist/. A benchmark, not a test:
// it prints figures and fails only if the page does not work. `node tests/bench/ui.mjs` after `trunk build --release`.
//
// 1. Seek: a 10-minute run of the web example, then jumps to random instants through the scrubber; the time from
//    the input event until the page has settled (the handler, the simulation and the DOM update).
// 2. One event with 1,000 pods on the stage (ORDINAL_BENCH_PODS to change it): a Parallel set on enough nodes, all Running, then
//    → (step to the next event) repeatedly; the script time of each step until the page has settled.
// 3. A 50-replica rolling update playing at 4×: frames per second while it rolls.
import { readFile } from 'node:fs/promises';
import { serveDist, launchBrowser, openPage, replaceManifests } from '../e2e/harness.mjs';

// The stage's size for part 2: 1,000 by default, fewer to see how the cost grows.
const PODS = Number(process.env.ORDINAL_BENCH_PODS ?? 1000);
// Which parts to run (`seek,event,rollout`): all by default.
const PARTS = (process.env.ORDINAL_BENCH_PARTS ?? 'seek,event,rollout').split(',');

const stats = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return `median ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, max ${sorted.at(-1).toFixed(1)} ms (n=${sorted.length})`;
};

// The StatefulSet `big`, shared with the core's benchmark (crates/sim/examples/bench.rs).
const BIG = await readFile(new URL('./big.yaml', import.meta.url), 'utf8');
const manifest = (replicas, policy) => BIG.replaceAll('REPLICAS', String(replicas)).replaceAll('POLICY', policy);

/// Runs `act` in the page and returns how long until the page settled: the event's handler runs synchronously,
/// and Leptos flushes its effects in microtasks before the next task.
async function timeInPage(page, act) {
  return page.evaluate(async (source) => {
    const start = performance.now();
    (0, eval)(source)();
    await new Promise((done) => setTimeout(done, 0));
    return performance.now() - start;
  }, act.toString());
}

const server = await serveDist();
const context = await launchBrowser();
try {
  // 1. Seeking in a 10-minute run.
  if (PARTS.includes('seek')) {
    const { page } = await openPage(context, server.url);
    await page.click('button.play');
    await page.locator('.stage').click();
    for (let i = 0; i < 60; i++) await page.keyboard.press('Shift+ArrowRight');
    const end = Number(await page.locator('.scrub').getAttribute('max'));
    const times = [];
    for (let i = 0; i < 40; i++) {
      const target = Math.floor(Math.random() * end / 100) * 100;
      await page.evaluate((t) => { window.__target = t; }, target);
      times.push(await timeInPage(page, () => {
        const scrub = document.querySelector('.scrub');
        scrub.value = String(window.__target);
        scrub.dispatchEvent(new Event('input', { bubbles: true }));
      }));
    }
    console.log(`seek within a ${(end / 60000).toFixed(1)}-minute run: ${stats(times)}`);
    await page.close();
  }

  // 2. One simulation event with 1,000 pods on the stage.
  if (PARTS.includes('event')) {
    // A node runs at most 110 pods: enough kind workers for them all (`?nodes=`).
    const { page } = await openPage(context, `${server.url}?nodes=${Math.ceil(PODS / 100)}`);
    await page.selectOption('select[aria-label="Speed"]', '32');
    await replaceManifests(page, manifest(PODS, 'Parallel'));
    const started = Date.now();
    await page.waitForFunction((n) => document.querySelectorAll('[data-statefulset="big"] [data-testid="pod"][data-status="Running"]').length === n,
      PODS, { timeout: 900_000, polling: 2_000 });
    console.log(`${PODS} Parallel pods Running on the stage after ${((Date.now() - started) / 1000).toFixed(0)} s of wall time`);
    await page.click('button.play');
    await page.locator('.stage').click();
    const times = [];
    for (let i = 0; i < 40; i++) {
      times.push(await timeInPage(page, () => {
        window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
      }));
    }
    console.log(`one event with ${PODS} pods on the stage: ${stats(times)}`);
    await page.close();
  }

  // 3. Frames per second during a 50-replica rolling update.
  if (PARTS.includes('rollout')) {
    const { page } = await openPage(context, server.url);
    await page.selectOption('select[aria-label="Speed"]', '32');
    const manifests = manifest(50, 'OrderedReady');
    await replaceManifests(page, manifests);
    await page.waitForFunction(() => document.querySelectorAll('[data-statefulset="big"] [data-testid="pod"][data-ready="true"]').length === 50,
      null, { timeout: 300_000 });
    await page.selectOption('select[aria-label="Speed"]', '4');
    await replaceManifests(page, manifests.replace('nginx:1.27', 'nginx:1.28'));
    const fps = await page.evaluate(async () => {
      let frames = 0;
      const start = performance.now();
      await new Promise((done) => {
        const tick = () => { frames++; if (performance.now() - start < 5000) requestAnimationFrame(tick); else done(); };
        requestAnimationFrame(tick);
      });
      return frames / ((performance.now() - start) / 1000);
    });
    const updated = await page.textContent('[data-statefulset="big"] [data-testid="set-status"]');
    console.log(`50-replica rolling update at 4×: ${fps.toFixed(1)} frames per second (${updated.trim()})`);
    await page.close();
  }
} finally {
  await context.close();
  await server.close();
}
