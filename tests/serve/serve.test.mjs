// The README's first command, run the way a user runs it: `bash scripts/serve.sh` in the background, on a free
// port, until it answers; then the page it serves, in headless Chromium, with the nginx `web` example Running and
// Ready, no console error and the Content-Security-Policy in force. A second run must install nothing and start
// quickly. A developer's habit is tried too: `source scripts/setup.sh` leaves their shell as it was, and plain
// `trunk serve` (live reload on) serves the same page under the same policy, its reload client included.
//
// Run by scripts/test.sh after the end-to-end tests, since `trunk serve` writes dist/, which those read.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { openSync, readFileSync, writeFileSync, closeSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, ARTIFACTS, ROOT } from '../e2e/harness.mjs';

/// How long a second serve.sh on a prepared machine may take to answer: it installs nothing and builds nothing
/// (dist/ is already the build of these sources), so it serves at once.
const WARM_START_MS = 10_000;
/// The first serve.sh in this run may have to build the page: dist/ is built by test.sh, but not always of these
/// very sources (another build, or a plain `trunk serve`, may have written it since).
const FIRST_START_MS = 15 * 60_000;
/// How long plain `trunk serve` may take to answer: a debug build of the page.
const DEV_START_MS = 10 * 60_000;

const servers = new Set();
let browser;
after(async () => {
  await browser?.close();
  for (const server of servers) await server.stop();
});

/// A port nothing listens on now.
async function freePort() {
  const probe = createServer();
  await new Promise((ok) => probe.listen(0, '127.0.0.1', ok));
  const { port } = probe.address();
  await new Promise((ok) => probe.close(ok));
  return port;
}

/// Starts `command` with bash in a process group of its own, its output in a log file under target/e2e.
function start(name, command) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const log = join(ARTIFACTS, `${name}.log`);
  const fd = openSync(log, 'w');
  const child = spawn('bash', ['-c', command], { cwd: ROOT, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
  const server = {
    log: () => readFileSync(log, 'utf8'),
    exited,
    // The whole group, by the process id it started with: trunk, and cargo or node if a build is under way.
    async stop() {
      servers.delete(server);
      try { process.kill(-child.pid, 'SIGTERM'); } catch { return; }
      const stopped = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!stopped) try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
      await exited;
    },
  };
  servers.add(server);
  return server;
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/// Waits until `url` answers with the built page, and returns how long that took. Fails with the server's log
/// if the server stops first or the time runs out.
async function answered(server, url, within) {
  const began = Date.now();
  let gone = null;
  server.exited.then((how) => { gone = how; });
  while (Date.now() - began < within) {
    if (gone) assert.fail(`the server stopped (${JSON.stringify(gone)}) before answering:\n${server.log()}`);
    try {
      const response = await fetch(url);
      if (response.ok && (await response.text()).includes('Content-Security-Policy')) return Date.now() - began;
    } catch { /* not listening yet */ }
    await sleep(250);
  }
  assert.fail(`${url} did not answer with the page within ${within / 1000} s:\n${server.log()}`);
}

/// Opens the address and checks what a user would see: the `web` example's three pods Running and Ready, no
/// console error, nothing the policy refused, and the policy in force (a script the page did not ship cannot run).
async function checkPage(server, url, name) {
  browser ??= await launchBrowser();
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`); });
  const sockets = [];
  page.on('websocket', (socket) => sockets.push(socket.url()));
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  try {
    await page.goto(url);
    await page.waitForFunction(() => ['web-0', 'web-1', 'web-2'].every((pod) =>
      document.querySelector(`[data-testid="pod"][data-pod="${pod}"][data-status="Running"][data-ready="true"]`)),
    null, { timeout: 60_000 });
    const policy = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    assert.match(policy ?? '', /script-src 'self' 'wasm-unsafe-eval'/);
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
    assert.deepEqual(await page.evaluate(() => window.__violations), [], 'the page needs nothing its policy refuses');
    assert.deepEqual(problems, []);
    // Script the page did not ship does not run.
    const ran = await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__ranInline = true';
      document.body.append(script);
      return window.__ranInline ?? false;
    });
    assert.equal(ran, false, 'the policy refuses script the page did not ship');
    await page.waitForFunction(() => window.__violations.some((v) => v.startsWith('script-src')));
    await page.evaluate(() => { window.__violations = []; });
    return { page, sockets };
  } catch (error) {
    await page.screenshot({ path: join(ARTIFACTS, `${name}-failed.png`) }).catch(() => {});
    error.message += `\n--- the server's log (${name}) ---\n${server.log()}`;
    throw error;
  }
}

test('bash scripts/serve.sh serves the page a static host serves, and a second run starts quickly, installing nothing', async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const first = start('serve-first', `bash scripts/serve.sh --port ${port}`);
  const firstMs = await answered(first, url, FIRST_START_MS);
  const { page } = await checkPage(first, url, 'serve-first');
  await page.close();
  await first.stop();

  const second = start('serve-second', `bash scripts/serve.sh --port ${port}`);
  const secondMs = await answered(second, url, WARM_START_MS);
  const installs = second.log().split('\n').filter((line) => line.includes('[setup]'));
  assert.deepEqual(installs, [], 'a second run installs nothing');
  await (await checkPage(second, url, 'serve-second')).page.close();
  await second.stop();
  console.log(`serve.sh answered in ${(firstMs / 1000).toFixed(1)} s, then in ${(secondMs / 1000).toFixed(1)} s`);
});

test('serve.sh takes the next free port when 8080 is taken, and refuses a taken port it was given', async () => {
  const blockers = [];
  const block = async (port) => {
    const blocker = createServer();
    await new Promise((ok, fail) => { blocker.once('error', fail); blocker.listen(port, '127.0.0.1', ok); });
    blockers.push(blocker);
  };
  try {
    const port = await freePort();
    await block(port);
    const refused = spawnSync('bash', ['scripts/serve.sh', '--port', String(port)], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(refused.status, 1, refused.stdout + refused.stderr);
    assert.match(refused.stderr, new RegExp(`port ${port} is taken: stop what listens there, or pick another with --port N`));

    // 8080 taken (by this test, unless something else already listens there): the next free port.
    await block(8080).catch(() => {});
    const fallback = start('serve-fallback', 'bash scripts/serve.sh');
    let address = null;
    for (let waited = 0; !address && waited < WARM_START_MS; waited += 250) {
      address = fallback.log().match(/Ordinal is at (http:\/\/127\.0\.0\.1:(\d+)\/)/);
      await sleep(250);
    }
    assert.ok(address, fallback.log());
    assert.notEqual(address[2], '8080');
    assert.match(fallback.log(), /port 8080 is taken; trying 8081/);
    await answered(fallback, address[1], WARM_START_MS);
    await fallback.stop();
  } finally {
    for (const blocker of blockers) await new Promise((ok) => blocker.close(ok));
  }
});

test('source scripts/setup.sh leaves an interactive shell as it was, but for PATH', () => {
  // An interactive shell (-i) sourcing it from another directory, as a developer does.
  const script = `cd /tmp && source '${ROOT}/scripts/setup.sh'; echo "status=$? flags=$- dir=$PWD"; set -o | grep -E '^(errexit|nounset|pipefail)'; command -v trunk wasm-opt wasm-bindgen`;
  const shell = spawnSync('bash', ['-i', '-c', script], { encoding: 'utf8' });
  const out = shell.stdout;
  assert.match(out, /status=0 /, out + shell.stderr);
  const flags = out.match(/flags=(\S*)/)[1];
  assert.ok(!flags.includes('e') && !flags.includes('u'), `no errexit or nounset left: ${flags}`);
  assert.match(out, /dir=\/tmp\n/);
  assert.match(out, /pipefail\s+off/);
  assert.match(out, new RegExp(`${ROOT}/node_modules/.bin/wasm-opt`), 'wasm-opt from node_modules, on PATH');
});

test('after source scripts/setup.sh, plain trunk serve works under the policy, live reload included', async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const dev = start('trunk-serve', `source scripts/setup.sh && trunk serve --port ${port}`);
  await answered(dev, url, DEV_START_MS);
  const { page, sockets } = await checkPage(dev, url, 'trunk-serve');
  assert.ok(sockets.some((socket) => socket.endsWith('/.well-known/trunk/ws')), `the live-reload client connects: ${sockets}`);
  // A saved file: trunk rebuilds and the page reloads itself, all under the policy.
  const reloaded = page.waitForEvent('load', { timeout: DEV_START_MS });
  const style = join(ROOT, 'style', 'main.css');
  writeFileSync(style, readFileSync(style));
  await reloaded;
  await page.waitForSelector('[data-statefulset="web"]', { timeout: 60_000 });
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assert.doesNotMatch(dev.log(), /download/i, 'trunk downloads nothing');
  await page.close();
  await dev.stop();
});
