// Nothing lost: the playground saves the learner's work as it changes, and a reload, a closed and reopened
// tab, or the crash banner's reload comes back to it, paused at the same moment. Work that something else
// replaces is set aside and offered back; an embedded player keeps nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useBrowser, openPage, setSpeed, runInConsole, readManifests, clickEditor, savedWork, ARTIFACTS } from './harness.mjs';

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
    const work = JSON.parse(localStorage.getItem(`ordinal.work.${sessionStorage.getItem('ordinal.slot')}`) ?? 'null');
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
  await clickEditor(page);
  await page.keyboard.press('Control+End');
  await page.keyboard.type('\n# a note of my own');
  await page.waitForFunction(() => JSON.parse(JSON.parse(localStorage.getItem(`ordinal.work.${sessionStorage.getItem('ordinal.slot')}`) ?? '{"state":"{}"}').state).editor?.includes('a note of my own'), null, { timeout: 5_000 });
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
  const works = () => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('ordinal.work')).sort().map((k) => [k, localStorage.getItem(k)]));
  const work = await works();

  const embedded = await env.context.newPage();
  await embedded.goto(`${env.server.url}?embed&preset=ondelete`);
  await embedded.waitForSelector('[data-statefulset="web"]');
  await embedded.click('button.play');
  await embedded.waitForTimeout(1500);
  assert.deepEqual(await works(), work);
  assert.equal(await embedded.locator('.marker.intervention').count() > 2, true, 'the embed shows its preset, not the saved work');
  assert.deepEqual(problems, []);
  await embedded.close();
  await page.close();
});

/// The replicas of the `web` set as the stage shows them.
async function replicas(page) {
  return page.locator('.set-status').first().textContent().then((text) => Number(text.match(/replicas (\d+)/)[1]));
}

test('two tabs keep their own work: after both close, a new tab reopens one and lists the other', async () => {
  const a = await openPage(env.context, env.server.url);
  await setSpeed(a.page, 16);
  await runInConsole(a.page, 'kubectl scale sts web --replicas=1');
  // The second tab opens while the first holds its work: it starts anew, in a slot of its own.
  const b = await openPage(env.context, env.server.url, { keepWork: true });
  await setSpeed(b.page, 16);
  await runInConsole(b.page, 'kubectl scale sts web --replicas=4');
  await runInConsole(a.page, 'kubectl label sts web edited-in=a');
  for (const tab of [a, b]) {
    await pause(tab.page);
    await saved(tab.page);
  }
  const slots = [await a.page.evaluate(() => sessionStorage.getItem('ordinal.slot')), await b.page.evaluate(() => sessionStorage.getItem('ordinal.slot'))];
  assert.notEqual(slots[0], slots[1]);
  assert.equal(await replicas(a.page), 1);
  assert.equal(await replicas(b.page), 4);
  const problems = [...a.problems, ...b.problems];
  await a.page.close();
  await b.page.close();

  // A new tab comes back to the work saved last, and Recent work offers the other.
  const c = await openPage(env.context, env.server.url, { keepWork: true });
  assert.equal(await replicas(c.page), 4);
  await c.page.click('.recent-work summary');
  const listed = c.page.locator('.recent-work .recent');
  await listed.first().waitFor();
  assert.equal(await listed.count(), 1);
  assert.match(await listed.first().textContent(), /web sandbox at \d\d:\d\d\.\d/);
  await c.page.screenshot({ path: join(ARTIFACTS, 'recent-work.png') });
  await listed.first().locator('.open-work').click();
  await c.page.waitForFunction(() => /replicas 1\b/.test(document.querySelector('.set-status')?.textContent ?? ''));
  // The work it replaced was the learner's own: it stays, offered back, and listed.
  await c.page.locator('.set-aside').waitFor();
  await c.page.click('.recent-work summary');
  await c.page.click('.recent-work summary');
  await c.page.waitForFunction(() => document.querySelectorAll('.recent-work .recent').length === 1);
  assert.deepEqual([...problems, ...c.problems], []);
  await c.page.close();
});

test('a work another tab has open is listed as such and cannot be opened twice', async () => {
  const a = await openPage(env.context, env.server.url);
  await runInConsole(a.page, 'kubectl scale sts web --replicas=2');
  await pause(a.page);
  await saved(a.page);
  const b = await openPage(env.context, env.server.url, { keepWork: true });
  await b.page.click('.recent-work summary');
  const entry = b.page.locator('.recent-work .recent').first();
  await entry.waitFor();
  assert.match(await entry.textContent(), /It is open in another tab\./);
  assert.ok(await entry.locator('.open-work').isDisabled());
  // Once that tab is gone, it can be opened here.
  await a.page.close();
  await b.page.click('.recent-work summary');
  await b.page.click('.recent-work summary');
  await b.page.waitForFunction(() => !document.querySelector('.recent-work .recent .open-work')?.disabled);
  await b.page.locator('.recent-work .recent .open-work').first().click();
  await b.page.waitForFunction(() => /replicas 2\b/.test(document.querySelector('.set-status')?.textContent ?? ''));
  assert.deepEqual([...a.problems, ...b.problems], []);
  await b.page.close();
});

test('at most ten works are kept, at most 2 MB together, the oldest let go first; a work too large says so', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  await pause(page);
  await saved(page);
  const own = (await savedWork(page));
  // Twelve works of closed tabs, a minute apart, the oldest first; one of 1.5 MB among the newest.
  await page.evaluate((template) => {
    for (let i = 0; i < 12; i += 1) {
      const work = { ...template, savedAt: Date.now() - (12 - i) * 60_000, ownWork: true };
      if (i === 10) work.padding = 'x'.repeat(1_500_000);
      localStorage.setItem(`ordinal.work.old-${i}`, JSON.stringify(work));
    }
  }, own);
  await runInConsole(page, 'kubectl scale sts web --replicas=2');
  await page.waitForFunction(() => !localStorage.getItem('ordinal.work.old-0'), null, { timeout: 5_000 });
  const kept = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('ordinal.work.')).sort());
  const bytes = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('ordinal.work.')).reduce((n, k) => n + localStorage.getItem(k).length, 0));
  assert.ok(kept.length <= 10, kept.join(' '));
  assert.ok(bytes <= 2_000_000, `${bytes} bytes kept`);
  // The newest are kept, the large one among them, and the oldest are gone.
  assert.ok(kept.includes('ordinal.work.old-11') && kept.includes('ordinal.work.old-10'), kept.join(' '));
  assert.ok(!kept.includes('ordinal.work.old-1'), kept.join(' '));

  // A work that grows past 2 MB is not saved, and the page says so.
  const annotation = 'y'.repeat(60_000);
  for (let i = 0; i < 36; i += 1) {
    const prompt = page.getByLabel('kubectl command');
    await prompt.fill(`kubectl annotate sts web --overwrite big=${i}${annotation}`);
    await prompt.press('Enter');
  }
  await page.locator('.save-problem').waitFor({ timeout: 10_000 });
  assert.match(await page.locator('.save-problem').textContent(), /This work is too large to keep in the browser \(2\.\d MB of at most 2\.0 MB\)/);
  await page.screenshot({ path: join(ARTIFACTS, 'save-problem.png') });
  assert.deepEqual(problems, []);
  await page.close();
});
