// Share links, exports and imports: a link opened in a fresh browser lands on the same moment with the same
// pods; a broken, foreign or oversized link says why and the page still works; the scenario, transcript, events
// and picture download; a scenario file opens, asking first when it would replace the learner's own work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useBrowser, launchBrowser, openPage, setSpeed, runInConsole, shareFragment, ARTIFACTS } from './harness.mjs';

const env = useBrowser();

/// Every pod card as the person sees it: its name, status, readiness, and the text of the card (IP, node, revision).
async function stageState(page) {
  return page.evaluate(() => [...document.querySelectorAll('[data-testid="pod"]')].map((el) =>
    `${el.dataset.pod} ${el.dataset.status} ${el.dataset.ready} ${el.textContent.replace(/\s+/g, ' ').trim()}`));
}

async function openShareMenu(page) {
  if (!(await page.locator('.share-menu').evaluate((el) => el.open))) await page.click('.share-menu > summary');
}

async function downloaded(page, exportName) {
  await openShareMenu(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-export="${exportName}"]`)]);
  const path = join(ARTIFACTS, download.suggestedFilename());
  await download.saveAs(path);
  return { name: download.suggestedFilename(), text: await readFile(path, 'utf8'), path };
}

test('a share link opened in a fresh browser lands on the same moment with the same pods', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  await setSpeed(page, 8);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="pod"][data-ready="true"]').length === 3, null, { timeout: 60_000 });
  await runInConsole(page, 'kubectl scale sts web --replicas=4');
  await runInConsole(page, 'kubectl delete pod web-1');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="pod"][data-ready="true"]').length === 4, null, { timeout: 60_000 });
  await page.keyboard.press('Escape');
  await page.click('button.play');
  const clock = await page.textContent('.clock');
  const pods = await stageState(page);

  await openShareMenu(page);
  await page.click('button.copy-link');
  const link = await page.locator('.share-link').inputValue();
  assert.match(link, /#v1\.[A-Za-z0-9_-]+$/);
  assert.match(await page.textContent('.share-status'), /Link copied|Copy the link below/);
  await page.screenshot({ path: join(ARTIFACTS, 'share-menu.png') });

  const fresh = await launchBrowser();
  try {
    const other = await openPage(fresh, link);
    await other.page.waitForFunction((want) => document.querySelector('.clock').textContent === want, clock, { timeout: 30_000 });
    await other.page.waitForFunction((count) => document.querySelectorAll('[data-testid="pod"]').length === count, pods.length);
    assert.deepEqual(await stageState(other.page), pods);
    assert.equal(await other.page.getAttribute('button.play', 'aria-label'), 'Play', 'a shared moment opens paused');
    const markers = await other.page.locator('.marker.intervention').evaluateAll((ms) => ms.map((m) => m.getAttribute('aria-label')));
    assert.ok(markers.some((m) => m.endsWith('kubectl scale sts web --replicas=4')), markers.join('\n'));
    assert.ok(markers.some((m) => m.endsWith('kubectl delete pod web-1')), markers.join('\n'));
    await other.page.screenshot({ path: join(ARTIFACTS, 'share-opened.png') });
    assert.deepEqual(other.problems, []);
  } finally {
    await fresh.close();
  }
  assert.deepEqual(problems, []);
});

test('a broken, foreign or oversized link says why, and the page still works', async () => {
  const bomb = shareFragment(Buffer.alloc(6 * 1024 * 1024, 32));
  const cases = [
    ['#v1.not*base64', /could not be opened: it is damaged/],
    ['#v1.AAAA', /could not be opened: it is damaged/],
    ['#v7.AAAA', /could not be opened: it was made by a newer Ordinal \(format v7\)/],
    ['#hello', /could not be opened: it is not an Ordinal share link/],
    [`#${bomb}`, /could not be opened: it unpacks to more than 4 MB/],
  ];
  for (const [fragment, message] of cases) {
    const { page, problems } = await openPage(env.context, env.server.url + fragment);
    const banner = page.locator('.share-problem');
    await banner.waitFor();
    assert.match(await banner.textContent(), message, fragment.slice(0, 40));
    if (fragment === '#hello') await page.screenshot({ path: join(ARTIFACTS, 'share-broken-link.png') });
    // The page works: the web example is there and plays.
    await page.click('button.play');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="pod"]').length > 0, null, { timeout: 30_000 });
    await banner.locator('button').click();
    await banner.waitFor({ state: 'detached' });
    assert.deepEqual(problems, []);
    await page.close();
  }
});

test('the scenario, transcript, events and picture download, and a scenario file opens after asking', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  await setSpeed(page, 8);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="pod"][data-ready="true"]').length === 3, null, { timeout: 60_000 });
  await runInConsole(page, 'kubectl scale sts web --replicas=2');

  const scenario = await downloaded(page, 'scenario');
  assert.match(scenario.name, /^ordinal-\d\dm\d\ds\.yaml$/);
  assert.match(scenario.text, /^seed: 0\nmanifests: \|\n {2}apiVersion: v1\n/);
  assert.match(scenario.text, /steps:\n- at: [\d.ms]+\n {2}run: kubectl scale sts web --replicas=2\nuntil: /);
  const transcript = await downloaded(page, 'transcript');
  assert.match(transcript.text, /^# \d\d:\d\d\.\d\n\$ kubectl scale sts web --replicas=2\nstatefulset.apps\/web scaled\n/);
  const events = JSON.parse((await downloaded(page, 'events')).text);
  assert.equal(events.kind, 'List');
  assert.ok(events.items.some((e) => e.reason === 'SuccessfulCreate' && e.involvedObject.name === 'web'));
  const picture = await downloaded(page, 'picture');
  assert.match(picture.text, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(picture.text, /data-pod="web-0"/);
  // The picture renders on its own, in a page of its own.
  const viewer = await env.context.newPage();
  await viewer.goto(`file://${picture.path}`);
  assert.deepEqual(await viewer.evaluate(() => [document.documentElement.localName, document.querySelector('parsererror')]), ['svg', null]);
  assert.match(await viewer.evaluate(() => document.querySelector('foreignObject').textContent), /web-0.*Running/s);
  await viewer.screenshot({ path: join(ARTIFACTS, 'stage-picture.png') });
  await viewer.close();

  // The learner has done something (the scale), so opening a file asks first; declining keeps everything.
  const imported = join(ARTIFACTS, 'imported.yaml');
  await writeFile(imported, scenario.text.replace('--replicas=2', '--replicas=1'));
  await openShareMenu(page);
  page.once('dialog', (dialog) => dialog.dismiss());
  await page.setInputFiles('input[type="file"]', imported);
  await page.waitForTimeout(300);
  assert.equal(await page.locator('[data-testid="pod"]').count() > 0, true);
  assert.ok((await page.locator('.marker.intervention').evaluateAll((ms) => ms.map((m) => m.getAttribute('aria-label'))))
    .some((m) => m.endsWith('--replicas=2')));

  page.once('dialog', (dialog) => dialog.accept());
  await page.setInputFiles('input[type="file"]', imported);
  await page.waitForFunction(() => [...document.querySelectorAll('.marker.intervention')].some((m) => m.getAttribute('aria-label').endsWith('--replicas=1')));
  assert.match(await page.textContent('.clock'), /^00:00/);
  assert.match(await page.textContent('.share-status'), /Opened the scenario/);

  await writeFile(imported, 'steps: 7\n');
  await page.setInputFiles('input[type="file"]', imported);
  await page.waitForFunction(() => document.querySelector('.share-status').textContent.startsWith('Not opened: invalid scenario'));
  assert.deepEqual(problems, []);
});
