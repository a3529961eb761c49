// The page's speed, measured in headless Chromium against the release build in dist/. A benchmark, not a test:
// it prints figures and fails only if the page does not work. `node tests/bench/ui.mjs` after `trunk build --release`.
//
// 1. Seek: a 10-minute run of the web example, then jumps to random instants through the scrubber; the time from
//    the input event until the page has settled (the handler, the simulation and the DOM update).
// 2. One event with 1,000 pods on the stage (ORDINAL_BENCH_PODS to change it): a Parallel set on enough nodes, all Running, then
//    → (step to the next event) repeatedly; the script time of each step until the page has settled.
// 3. A 50-replica rolling update playing at 4×: frames per second while it rolls.
// 4. A day of faults (target/bench/day-of-faults.yaml, which `cargo run --release -p ordinal-sim --example bench c`
//    writes): loaded into an embedded player and taken to 24 h; the wall time, and the memory the page then holds
//    (the wasm module's linear memory, which never shrinks and so is its peak, and the JavaScript heap).
// With ORDINAL_BENCH_OUT set (scripts/bench.sh), every figure is also appended there for the table.
import { readFile } from 'node:fs/promises';
import { serveDist, launchBrowser, openPage, replaceManifests, recordMeasurement } from '../e2e/harness.mjs';

// The stage's size for part 2: 1,000 by default, fewer to see how the cost grows.
const PODS = Number(process.env.ORDINAL_BENCH_PODS ?? 1000);
// Which parts to run (`seek,event,rollout`): all by default.
const PARTS = (process.env.ORDINAL_BENCH_PARTS ?? 'seek,event,rollout,day').split(',');

const stats = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest rank, as scripts/bench-table.mjs reads it.
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
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
// The page's policy refuses eval, which timeInPage needs to run a step inside the page.
const context = await launchBrowser({ bypassCSP: true });
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
    recordMeasurement('page: seek in a 10-minute run', 'ms', times);
    await page.close();
  }

  // 2. One simulation event with 1,000 pods on the stage.
  if (PARTS.includes('event')) {
    // A node runs at most 110 pods: enough kind workers for them all (`?nodes=`).
    const { page } = await openPage(context, `${server.url}?nodes=${Math.ceil(PODS / 100)}`);
    await page.selectOption('select[aria-label="Speed"]', '32');
    await replaceManifests(page, manifest(PODS, 'Parallel'));
    const started = Date.now();
    // Past the stage's drawing limit the pods are counted rather than drawn: the set's status says they are ready.
    await page.waitForFunction((n) => document.querySelector('[data-statefulset="big"] [data-testid="set-status"]')?.textContent.includes(`ready ${n} `),
      PODS, { timeout: 900_000, polling: 2_000 });
    console.log(`${PODS} Parallel pods ready after ${((Date.now() - started) / 1000).toFixed(0)} s of wall time`);
    // How long a click on Pause takes to land and be drawn while the stage plays at 32×.
    const clicked = Date.now();
    await page.click('button.play', { timeout: 120_000 });
    await page.waitForFunction(() => document.querySelector('button.play').getAttribute('aria-label') === 'Play');
    const clickSeconds = (Date.now() - clicked) / 1000;
    console.log(`a click on Pause with ${PODS} pods playing at 32×: ${clickSeconds.toFixed(2)} s`);
    recordMeasurement(`page: a click while ${PODS} pods play at 32x`, 's', clickSeconds);
    await page.locator('.stage').click();
    const times = [];
    for (let i = 0; i < 40; i++) {
      times.push(await timeInPage(page, () => {
        window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
      }));
    }
    console.log(`one event with ${PODS} pods on the stage: ${stats(times)}`);
    recordMeasurement(`page: one event, ${PODS} pods on the stage`, 'ms', times);
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
    recordMeasurement('page: 50-replica rollout at 4x', 'fps', fps);
    await page.close();
  }

  // 4. A day of faults in the browser.
  if (PARTS.includes('day')) {
    const scenario = await readFile(new URL('../../target/bench/day-of-faults.yaml', import.meta.url), 'utf8');
    // The sample documentation page hosts it: the player takes messages only from the page that embeds it.
    const page = await context.newPage();
    await page.addInitScript(() => addEventListener('TrunkApplicationStarted', (e) => { window.benchWasm = e.detail.wasm; }));
    await page.goto(`${server.url}assets/embed-example.html`);
    const player = page.frame({ url: /preset=web$/ });
    await player.waitForFunction(() => window.benchWasm && document.querySelector('.clock'));
    // The longest wait between two frames of the player while it seeks (its progress shown at both): how long
    // the page stops answering. Loading the scenario and drawing where the seek arrived are not seeking.
    await player.evaluate(() => {
      window.benchGaps = [0];
      let last = performance.now();
      let seeking = false;
      const frame = (now) => {
        const still = document.querySelector('.seeking') !== null;
        if (seeking && still) window.benchGaps.push(now - last);
        [last, seeking] = [now, still];
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    });
    const timing = await page.evaluate(async (text) => {
      const frame = document.querySelector('iframe').contentWindow;
      const reply = (type) => new Promise((done) => {
        const listen = (e) => {
          if (e.source === frame && (e.data?.type === type || e.data?.type === 'error')) { removeEventListener('message', listen); done(e.data); }
        };
        addEventListener('message', listen);
      });
      const started = performance.now();
      let answer = reply('loaded');
      frame.postMessage({ ordinal: 1, type: 'load', scenario: text }, '*');
      const loaded = await answer;
      if (loaded.type === 'error') return { error: loaded.message };
      frame.postMessage({ ordinal: 1, type: 'seek', at: 86_400_000 }, '*');
      // The seek runs over frames; the player answers `state` between them.
      for (;;) {
        answer = reply('state');
        frame.postMessage({ ordinal: 1, type: 'state' }, '*');
        const state = await answer;
        if (state.at >= 86_400_000) return { seconds: (performance.now() - started) / 1000, at: state.at };
        await new Promise((done) => setTimeout(done, 100));
      }
    }, scenario);
    if (timing.error) throw new Error(`the day of faults did not load: ${timing.error}`);
    const memory = await player.evaluate(() => ({
      wasmMiB: window.benchWasm.memory.buffer.byteLength / 2 ** 20,
      heapMiB: performance.memory.usedJSHeapSize / 2 ** 20,
      longestFrameMs: Math.max(...window.benchGaps),
      slowFrames: window.benchGaps.filter((gap) => gap > 50).length,
      frames: window.benchGaps.length - 1,
      worst: [...window.benchGaps].sort((a, b) => b - a).slice(0, 8).map(Math.round),
    }));
    const result = { ...timing, ...memory };
    console.log(`a day of faults, 50 replicas, to 24 h in the page: ${result.seconds.toFixed(1)} s, the longest frame ${result.longestFrameMs.toFixed(0)} ms (${result.slowFrames} of ${result.frames} over 50 ms: ${result.worst.join(', ')}); wasm memory ${result.wasmMiB.toFixed(0)} MiB, JS heap ${result.heapMiB.toFixed(0)} MiB (at ${result.at})`);
    recordMeasurement('page: a day of faults to 24 h', 's', result.seconds);
    recordMeasurement('page: a day of faults, longest frame while seeking', 'ms', result.longestFrameMs);
    recordMeasurement('page: a day of faults, wasm memory', 'MiB', result.wasmMiB);
    recordMeasurement('page: a day of faults, JS heap', 'MiB', result.heapMiB);
    await page.close();
  }
} finally {
  await context.close();
  await server.close();
}
