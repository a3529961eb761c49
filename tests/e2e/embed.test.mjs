// The embedded player and its host: the sample documentation page (assets/embed-example.html) embeds two
// players that stay paused until played, move independently under postMessage, report their events to the
// host, follow the host's theme, take keys only while focused, and open the same moment in the playground.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useBrowser, ARTIFACTS } from './harness.mjs';

const env = useBrowser();

const clock = (frame) => frame.locator('.clock').textContent();
const count = (page, player, type) => page.evaluate(([p, t]) => Number(document.querySelector(`[data-player="${p}"]`).dataset[t] ?? 0), [player, type]);
const send = (page, player, what) => page.click(`[data-player="${player}"] [data-send="${what}"]`);

async function lastLog(page, player, pattern) {
  const log = page.locator(`[data-player="${player}"] .log li`).first();
  await page.waitForFunction(([p, source]) => new RegExp(source).test(document.querySelector(`[data-player="${p}"] .log li`)?.textContent ?? ''), [player, pattern.source]);
  return log.textContent();
}

test('two embedded players on a documentation page work independently through postMessage', async () => {
  const page = await env.context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()); });
  await page.goto(`${env.server.url}assets/embed-example.html`);
  await page.waitForFunction(() => [...document.querySelectorAll('[data-player]')].every((s) => s.dataset.ready === '1'), null, { timeout: 30_000 });
  const [ordered, canary] = [page.frame({ url: /preset=web$/ }), page.frame({ url: /preset=partition-canary$/ })];

  // Chrome-less: no preset menu, preferences or console; the editor only where asked for.
  assert.equal(await ordered.locator('select[aria-label="Example"], .workbench, .preferences').count(), 0);
  assert.equal(await ordered.locator('.editor-pane').count(), 0);
  assert.equal(await canary.locator('.editor-pane').count(), 1);

  // No autoplay.
  await page.waitForTimeout(1500);
  assert.deepEqual([await clock(ordered), await clock(canary)], ['00:00.0', '00:00.0']);

  // Play one: only it moves, and its events reach the host.
  await send(page, 'ordered', 'play');
  await ordered.waitForFunction(() => document.querySelector('.clock').textContent !== '00:00.0');
  await page.waitForFunction(() => Number(document.querySelector('[data-player="ordered"]').dataset.event ?? 0) >= 2, null, { timeout: 20_000 });
  assert.match(await page.locator('[data-player="ordered"] .log').textContent(), /Scheduled pod\/web-0: Successfully assigned default\/web-0 to kind-worker/);
  assert.equal(await clock(canary), '00:00.0');
  assert.equal(await count(page, 'canary', 'event'), 0);
  await send(page, 'ordered', 'pause');
  await ordered.waitForFunction(() => document.querySelector('button.play').getAttribute('aria-label') === 'Play');

  // Seek the other, and ask for its state: at 2:00 the canaries run the new revision.
  await send(page, 'canary', 'seek');
  await canary.waitForFunction(() => document.querySelector('.clock').textContent === '02:00.0');
  await send(page, 'canary', 'state');
  assert.match(await lastLog(page, 'canary', /^state/), /^state at 120\.0s, paused: web-0 Running, web-1 Running, web-2 Running, web-3 Running, web-4 Running$/);
  const revisions = await canary.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-testid="pod"]')].map((el) => [el.dataset.pod, el.dataset.revision])));
  assert.notEqual(revisions['web-4'], revisions['web-2']);
  await send(page, 'canary', 'step');
  await canary.waitForFunction(() => document.querySelector('.clock').textContent !== '02:00.0');

  // Load a scenario into it; a message it does not know is answered with an error, a foreign one ignored.
  await send(page, 'canary', 'load');
  await lastLog(page, 'canary', /^loaded$/);
  await canary.waitForFunction(() => document.querySelector('.clock').textContent === '00:00.0');
  await canary.waitForFunction(() => document.querySelector('[data-statefulset="web"] [data-testid="set-status"]')?.textContent.includes('replicas 2'));
  await page.evaluate(() => {
    const frame = document.querySelectorAll('iframe')[1].contentWindow;
    frame.postMessage({ type: 'play' }, '*');
    frame.postMessage('<img src=x onerror=alert(1)>', '*');
    frame.postMessage({ ordinal: 1, type: 'explode' }, '*');
  });
  assert.equal(await lastLog(page, 'canary', /^error/), 'error: unknown message type "explode"');
  assert.equal(await canary.locator('button.play').getAttribute('aria-label'), 'Play', 'a message without ordinal: 1 is ignored');

  // The host's theme.
  const background = (frame) => frame.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const light = await background(ordered);
  await page.check('#dark-page');
  await ordered.waitForFunction((before) => getComputedStyle(document.body).backgroundColor !== before, light);
  assert.equal(await background(canary), await background(ordered));
  await page.screenshot({ path: join(ARTIFACTS, 'embed-docs-page.png'), fullPage: true });

  // Keys go to a player only while it has focus: space on the host page plays nothing.
  await page.locator('h1').click();
  await page.keyboard.press(' ');
  await page.waitForTimeout(300);
  assert.equal(await ordered.locator('button.play').getAttribute('aria-label'), 'Play');
  await ordered.locator('.stage-pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press(' ');
  await ordered.waitForFunction(() => document.querySelector('button.play').getAttribute('aria-label') === 'Pause');
  assert.equal(await canary.locator('button.play').getAttribute('aria-label'), 'Play');
  await page.keyboard.press(' ');

  // The same moment, in the full playground.
  const at = await clock(ordered);
  const [playground] = await Promise.all([env.context.waitForEvent('page'), ordered.click('.open-full')]);
  await playground.waitForSelector('select[aria-label="Example"]');
  await playground.waitForFunction((want) => document.querySelector('.clock').textContent === want, at);
  assert.ok(!new URL(playground.url()).searchParams.has('embed'));
  assert.deepEqual(problems, []);
});
