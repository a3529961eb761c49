// Keyboard shortcuts, themes and motion, the grace period on a terminating pod, and the live region.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useBrowser, openPage, setSpeed, ARTIFACTS } from './harness.mjs';

const env = useBrowser();

test('the keyboard plays, pauses, steps, changes speed and shows its help', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  await page.locator('.stage').click();  // focus the page, not a field
  await page.keyboard.press(' ');
  assert.equal(await page.getAttribute('button.play', 'aria-label'), 'Play', 'space paused');
  const clock = await page.textContent('.clock');
  await page.keyboard.press('ArrowRight');
  assert.notEqual(await page.textContent('.clock'), clock, '→ stepped to the next event');
  await page.keyboard.press('+');
  await page.keyboard.press('+');
  assert.equal(await page.inputValue('select[aria-label="Speed"]'), '4');
  await page.keyboard.press('-');
  assert.equal(await page.inputValue('select[aria-label="Speed"]'), '2');

  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await help.waitFor();
  assert.match(await help.textContent(), /play or pause/);
  await page.screenshot({ path: join(ARTIFACTS, 'shortcuts.png') });
  await page.keyboard.press('Escape');
  await help.waitFor({ state: 'detached' });

  // Typing in the console is not a shortcut.
  await page.getByRole('tab', { name: 'Console' }).click();
  await page.getByLabel('kubectl command').fill('');
  await page.getByLabel('kubectl command').press(' ');
  assert.equal(await page.getAttribute('button.play', 'aria-label'), 'Play');
  assert.deepEqual(problems, []);
});

test('the theme, the motion switch and presenter mode apply and are remembered', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  await page.selectOption('select[aria-label="Theme"]', 'dark');
  assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(background, 'rgb(18, 21, 28)');
  await page.getByLabel('Reduce motion').check();
  assert.equal(await page.getAttribute('html', 'data-motion'), 'reduce');
  await page.waitForSelector('[data-testid="pod"]');
  assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('[data-testid="pod"]')).animationName), 'none');
  await page.screenshot({ path: join(ARTIFACTS, 'dark.png') });

  await page.reload();
  await page.waitForSelector('[data-statefulset="web"]');
  assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
  assert.equal(await page.getAttribute('html', 'data-motion'), 'reduce');
  await page.selectOption('select[aria-label="Theme"]', 'system');
  await page.getByLabel('Reduce motion').uncheck();

  // Presenter: everything larger, for a projector, and remembered like the rest.
  const width = async () => page.evaluate(() => document.querySelector('[data-testid="pod"]').getBoundingClientRect().width);
  const normal = await width();
  await page.getByLabel('Presenter').check();
  assert.equal(await page.getAttribute('html', 'data-presenter'), 'on');
  assert.ok(await width() > normal * 1.2, 'a pod card is drawn larger');
  await page.screenshot({ path: join(ARTIFACTS, 'presenter.png') });
  await page.reload();
  await page.waitForSelector('[data-testid="pod"]');
  assert.equal(await page.getAttribute('html', 'data-presenter'), 'on');
  await page.getByLabel('Presenter').uncheck();
  assert.deepEqual(problems, []);
});

test('a deleted pod shows its grace period running down, and the live region reads events', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  await setSpeed(page, 16);
  // All three up, so that the deletion's events are the newest: nothing else is happening.
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="pod"][data-ready="true"]').length === 3,
    null, { timeout: 60_000 });
  await setSpeed(page, 1);
  await page.getByRole('button', { name: 'Actions for web-0' }).click();
  await page.getByRole('menuitem', { name: 'Delete', exact: true }).click();
  const grace = page.locator('[data-pod="web-0"] .grace');
  await grace.waitFor();
  await page.click('button.play');  // pause to read it
  const left = Number(await grace.getAttribute('data-left'));
  assert.ok(left > 0 && left <= 30, `${left}s of the default 30 s`);
  assert.equal(await grace.getAttribute('aria-valuemax'), '30');
  assert.match(await grace.textContent(), new RegExp(`${left}s of 30s grace`));
  assert.match(await page.textContent('[data-testid="announcer"]'), /Killing pod\/web-0: Stopping container nginx/);
  await page.screenshot({ path: join(ARTIFACTS, 'grace-period.png') });
  await page.click('button.play');
  await page.waitForFunction((before) => {
    const meter = document.querySelector('[data-pod="web-0"] .grace');
    return !meter || Number(meter.dataset.left) < before;
  }, left, { timeout: 30_000 });
  assert.deepEqual(problems, []);
});
