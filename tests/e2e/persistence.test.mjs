// Nothing lost: the playground saves the learner's work as it changes, and a reload, a closed and reopened
// tab, or the crash banner's reload comes back to it, paused at the same moment. Work that something else
// replaces is set aside and offered back; an embedded player keeps nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useBrowser, openPage, setSpeed, runInConsole, readManifests, ARTIFACTS } from './harness.mjs';

const env = useBrowser();

async function stage(page) {
  return page.evaluate(() => ({
    clock: document.querySelector('.clock').textContent.trim(),
    pods: [...document.querySelectorAll('[data-testid="pod"]')].map((el) => `${el.dataset.pod} ${el.dataset.status}`),
    markers: document.querySelectorAll('.marker.intervention').length,
  }));
}

async function pause(page) {
  if (await page.getAttribute('button.play', 'aria-label') === 'Pause') await page.click('button.play');
}

/// Waits until the page has saved the moment it shows (it saves at most once a second; the scrubber moves in
/// steps of 100 ms).
async function saved(page) {
  await page.waitForFunction(() => {
    const work = JSON.parse(localStorage.getItem('ordinal.work') ?? 'null');
    return work && Math.abs(JSON.parse(work.state).at - Number(document.querySelector('.scrub').value)) < 100;
  }, null, { timeout: 5_000 });
}

/// The sandbox played until its three pods are ready, scaled to five, and paused once they are.
async function scaledToFive() {
  const opened = await openPage(env.context, env.server.url);
  const { page } = opened;
  await setSpeed(page, 16);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="pod"][data-ready="true"]').length === 3, null, { timeout: 60_000 });
  await runInConsole(page, 'kubectl scale sts web --replicas=5');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="pod"][data-ready="true"]').length === 5, null, { timeout: 60_000 });
  await pause(page);
  return opened;
}

test('a reload, and a tab closed and opened again, come back to the same moment with the same work', async () => {
  const { page, problems } = await scaledToFive();
  await saved(page);
  const before = await stage(page);
  assert.equal(before.markers, 2, 'the manifests and the scale are interventions');

  await page.reload();
  await page.waitForSelector('[data-statefulset="web"]');
  assert.deepEqual(await stage(page), before);
  assert.equal(await page.getAttribute('button.play', 'aria-label'), 'Play', 'it comes back paused');

  await page.close();
  const reopened = await openPage(env.context, env.server.url, { keepWork: true });
  assert.deepEqual(await stage(reopened.page), before);
  assert.deepEqual([...problems, ...reopened.problems], []);
  await reopened.page.close();
});

test('every branch comes back after a reload, not only the one a link would carry', async () => {
  const { page, problems } = await scaledToFive();
  const scaledAt = Number(await page.locator('.marker.intervention').nth(1).getAttribute('data-at'));
  await page.locator('.scrub').fill(String(Math.floor(scaledAt / 2 / 100) * 100));
  await runInConsole(page, 'kubectl scale sts web --replicas=2');
  await page.locator('.branch').nth(1).waitFor();
  await saved(page);
  const branches = () => page.locator('.branch').evaluateAll((all) => all.map((b) => `${b.textContent} ${b.getAttribute('aria-pressed')}`));
  const before = { stage: await stage(page), branches: await branches() };
  assert.equal(before.branches.length, 2);

  await page.reload();
  await page.waitForSelector('[data-statefulset="web"]');
  assert.deepEqual({ stage: await stage(page), branches: await branches() }, before);
  // The branch left behind is there as far as it went: five pods at its end.
  await page.locator('.branch').nth(0).click();
  await page.locator('.scrub').fill(await page.locator('.scrub').getAttribute('max'));
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="pod"][data-ready="true"]').length === 5, null, { timeout: 10_000 });
  assert.deepEqual(problems, []);
  await page.close();
});

test('what the editor holds survives a reload', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  await pause(page);
  await page.click('.cm-content');
  await page.keyboard.press('Control+End');
  await page.keyboard.type('\n# a note of my own');
  await page.waitForFunction(() => JSON.parse(JSON.parse(localStorage.getItem('ordinal.work') ?? '{"state":"{}"}').state).editor?.includes('a note of my own'), null, { timeout: 5_000 });
  await page.reload();
  await page.waitForSelector('[data-statefulset="web"]');
  assert.match(await readManifests(page), /# a note of my own$/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('work replaced by a preset is set aside and brought back, even across a reload with another preset', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  await setSpeed(page, 16);
  await runInConsole(page, 'kubectl scale sts web --replicas=1');
  await pause(page);
  await saved(page);
  const mine = await stage(page);

  await page.selectOption('select[aria-label="Example"]', 'ondelete');
  await page.locator('.set-aside').waitFor();
  await page.screenshot({ path: join(ARTIFACTS, 'work-set-aside.png') });
  assert.equal(await page.locator('.marker.intervention').count() > 2, true, 'the preset is open');
  await page.click('.set-aside .bring-back');
  await page.waitForFunction((want) => document.querySelector('.clock').textContent.trim() === want, mine.clock);
  assert.deepEqual(await stage(page), mine);
  // The preset had nothing of the learner's own, so nothing was set aside in exchange.
  assert.equal(await page.locator('.set-aside').count(), 0);

  // An address that names another preset opens it, and sets the saved work aside rather than overwrite it.
  await saved(page);
  await page.goto(`${env.server.url}?preset=partition-canary`);
  await page.waitForSelector('[data-statefulset="web"]');
  await page.locator('.set-aside').waitFor();
  await page.click('.set-aside .bring-back');
  await page.waitForFunction((want) => document.querySelector('.clock').textContent.trim() === want, mine.clock);
  assert.deepEqual(await stage(page), mine);
  assert.deepEqual(problems, []);
  await page.close();
});

test('an embedded player neither restores nor saves the playground\'s work', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  await runInConsole(page, 'kubectl scale sts web --replicas=2');
  await pause(page);
  await saved(page);
  const work = await page.evaluate(() => localStorage.getItem('ordinal.work'));

  const embedded = await env.context.newPage();
  await embedded.goto(`${env.server.url}?embed&preset=ondelete`);
  await embedded.waitForSelector('[data-statefulset="web"]');
  await embedded.click('button.play');
  await embedded.waitForTimeout(1500);
  assert.equal(await embedded.evaluate(() => localStorage.getItem('ordinal.work')), work);
  assert.equal(await embedded.locator('.marker.intervention').count() > 2, true, 'the embed shows its preset, not the saved work');
  assert.deepEqual(problems, []);
  await embedded.close();
  await page.close();
});
