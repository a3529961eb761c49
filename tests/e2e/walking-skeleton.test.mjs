// The foundation issue's end-to-end checks: the default scenario runs, an edit scales it in ordinal order,
// invalid YAML is reported with its line without stopping anything, and a panic shows a banner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useBrowser, openPage, setSpeed, readyPods, recordPodAppearances, readManifests, replaceManifests, ARTIFACTS } from './harness.mjs';

const env = useBrowser();

test('the web example comes up in ordinal order, scales from 3 to 5 and then to 2 after edits, in ordinal order', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  await recordPodAppearances(page);
  await setSpeed(page, 8);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="pod"][data-ready="true"]').length === 3, null, { timeout: 60_000 });
  assert.deepEqual(await page.evaluate(() => window.__podAppearances), ['web-0', 'web-1', 'web-2']);
  for (const claim of ['www-web-0', 'www-web-1', 'www-web-2']) {
    assert.equal(await page.getAttribute(`[data-claim="${claim}"]`, 'data-phase'), 'Bound');
  }

  const manifests = await readManifests(page);
  assert.match(manifests, /replicas: 3/);
  await replaceManifests(page, manifests.replace('replicas: 3', 'replicas: 5'));

  await page.waitForFunction(() => document.querySelectorAll('[data-testid="pod"][data-ready="true"]').length === 5, null, { timeout: 60_000 });
  assert.deepEqual(await page.evaluate(() => window.__podAppearances), ['web-0', 'web-1', 'web-2', 'web-3', 'web-4']);
  assert.match(await page.textContent('[data-testid="set-status"]'), /replicas 5 · ready 5/);
  await page.screenshot({ path: join(ARTIFACTS, 'scaled-to-5.png'), fullPage: true });

  // Scale-down: the highest ordinal first, one at a time; record the order pods start terminating and leave.
  await page.evaluate(() => {
    window.__terminating = [];
    window.__gone = [];
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('[data-testid="pod"][data-status="Terminating"]')) {
        if (!window.__terminating.includes(el.dataset.pod)) window.__terminating.push(el.dataset.pod);
      }
      for (const name of ['web-2', 'web-3', 'web-4']) {
        if (!document.querySelector(`[data-pod="${name}"]`) && !window.__gone.includes(name)) window.__gone.push(name);
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  await replaceManifests(page, manifests.replace('replicas: 3', 'replicas: 2'));
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="pod"]').length === 2, null, { timeout: 90_000 });
  assert.deepEqual(await page.evaluate(() => window.__terminating), ['web-4', 'web-3', 'web-2']);
  assert.deepEqual(await page.evaluate(() => window.__gone), ['web-4', 'web-3', 'web-2']);
  assert.match(await page.textContent('[data-testid="set-status"]'), /replicas 2 · ready 2/);
  // The claims stay: an ordinal is a slot that outlives its pods.
  for (const claim of ['www-web-2', 'www-web-3', 'www-web-4']) {
    assert.equal(await page.getAttribute(`[data-claim="${claim}"]`, 'data-phase'), 'Bound');
  }
  await page.screenshot({ path: join(ARTIFACTS, 'scaled-to-2.png'), fullPage: true });
  assert.deepEqual(problems, []);
});

test('while web-0 starts, the stage says why web-1 waits', async () => {
  const { page } = await openPage(env.context, env.server.url);
  await page.click('button.play');
  const wait = await page.textContent('[data-testid="wait"]');
  assert.match(wait, /web-1 is not created yet: web-0 is not Running and Ready/);
});

test('invalid YAML is reported with its line and the simulation goes on once it is fixed', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  await setSpeed(page, 8);
  const good = await readManifests(page);
  const lines = good.split('\n');
  const broken = [...lines];
  const target = lines.findIndex((l) => l.includes('serviceName'));
  broken[target] = '   serviceName: "nginx"';  // indented deeper than its siblings
  await replaceManifests(page, broken.join('\n'));
  const diagnostic = page.locator('.diagnostic');
  await diagnostic.waitFor({ timeout: 10_000 });
  const text = await diagnostic.textContent();
  assert.match(text, /line \d+/);
  assert.match(text, /error converting YAML to JSON: yaml: line \d+:/);
  await page.screenshot({ path: join(ARTIFACTS, 'invalid-yaml.png') });

  const before = await page.textContent('.clock');
  await replaceManifests(page, good.replace('replicas: 3', 'replicas: 4'));
  await diagnostic.waitFor({ state: 'detached', timeout: 10_000 });
  await page.waitForSelector('[data-pod="web-3"][data-ready="true"]', { timeout: 60_000 });
  assert.notEqual(await page.textContent('.clock'), before, 'simulated time moves on');
  assert.deepEqual(problems, []);
});

test('a panic shows a banner instead of a dead page', async () => {
  const { page } = await openPage(env.context, env.server.url);
  await page.evaluate(() => { try { window.wasmBindings.raise_test_panic(); } catch { /* the trap surfaces as an exception */ } });
  const banner = page.locator('#crash-banner');
  await banner.waitFor({ timeout: 5_000 });
  assert.match(await banner.textContent(), /internal error.*a test asked for a panic/s);
  assert.equal(await banner.getByRole('button', { name: 'Reload the page' }).count(), 1);
  await page.screenshot({ path: join(ARTIFACTS, 'crash-banner.png') });
});
