// A lesson start to finish, in English and in Chinese: each step asks for a prediction before "Do it" is
// offered, completes when the cluster shows it done, reveals whether the prediction was right, and the
// progress (the lesson under way, with its cluster) survives a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serveDist, launchBrowser, openPage, ARTIFACTS } from './harness.mjs';

/// What the last step's commands printed beside it.
let lastReadBack = '';

async function runLesson(page, { id, tab, doIt, right, wrong, next, finish, finished }, shots) {
  await page.getByRole('tab', { name: tab }).click();
  await page.click(`button.start[data-lesson="${id}"]`);
  await page.selectOption('.speed select', '16');
  const steps = Number((await page.textContent('.lesson h3 small')).split('/')[1]);
  assert.ok(steps >= 3, `${id} has steps`);
  for (let step = 0; step < steps; step += 1) {
    const lesson = page.locator(`.lesson[data-step="${step}"]`);
    await lesson.waitFor();
    // No "Do it" before a prediction.
    assert.equal(await page.locator('.lesson .do-it').count(), 0);
    // Predict the first choice: right or wrong, the reveal must say which.
    await page.locator('.lesson .predict input[type="radio"]').first().check();
    assert.equal(await page.textContent('.lesson .do-it'), doIt);
    await page.click('.lesson .do-it');
    // Done at once, or spent until the cluster has answered: never twice.
    assert.ok(await page.evaluate(() => document.querySelector('.lesson[data-done="false"] .do-it')?.disabled ?? true), `${id} step ${step} offers "Do it" again`);
    await page.waitForSelector(`.lesson[data-step="${step}"][data-done="true"]`, { timeout: 60_000 });
    const reveal = await page.textContent('.lesson .reveal');
    const firstIsRight = await page.locator('.lesson .choice').first().evaluate((el) => el.classList.contains('right'));
    assert.ok(reveal.startsWith(firstIsRight ? right : wrong), reveal);
    if (step === 1) await page.screenshot({ path: join(ARTIFACTS, shots) });
    lastReadBack = await page.locator('.lesson .step-output').textContent().catch(() => '');
    assert.equal(await page.textContent('.lesson .next'), step < steps - 1 ? next : finish);
    await page.click('.lesson .next');
  }
  await page.waitForSelector(`button.start[data-lesson="${id}"]`);
  assert.match(await page.locator('.lesson-list li', { has: page.locator(`[data-lesson="${id}"]`) }).textContent(), new RegExp(finished));
}

test('the stable-storage lesson runs start to finish in English and in Chinese, and progress survives a reload', async () => {
  const server = await serveDist();
  // The server is closed whatever happens: left open, it would keep this file's process, and the whole run, alive.
  try {
    for (const [locale, words] of [
      ['en-US', { tab: 'Lessons', doIt: 'Do it for me', right: 'You were right.', wrong: 'Not quite.', next: 'Next step', finish: 'Finish the lesson', finished: 'finished', resume: 'Continue:' }],
      ['zh-CN', { tab: '课程', doIt: '替我执行', right: '预测正确。', wrong: '不完全对。', next: '下一步', finish: '完成本课', finished: '已完成', resume: '继续：' }],
    ]) {
      const context = await launchBrowser({ locale });
      try {
        const { page, problems } = await openPage(context, server.url);
        await runLesson(page, { id: 'storage', ...words }, `lesson-storage-${locale}.png`);
        // The file the lesson wrote is read back beside the step that read it, and in the console's transcript.
        assert.match(lastReadBack, /\$ kubectl exec web-0 -- cat \/usr\/share\/nginx\/html\/index.html\s*hello from web-0/);
        await page.getByRole('tab', { name: locale === 'en-US' ? 'Console' : '控制台' }).click();
        assert.match(await page.locator('.transcript').textContent(), /hello from web-0/);

        // Start another lesson, leave it mid-way, reload: it continues at the same step with the same cluster.
        await page.getByRole('tab', { name: words.tab }).click();
        await page.click('button.start[data-lesson="order"]');
        await page.locator('.lesson .predict input[type="radio"]').first().check();
        await page.click('.lesson .do-it');
        await page.waitForSelector('.lesson[data-step="0"][data-done="true"]', { timeout: 60_000 });
        await page.click('.lesson .next');
        await page.waitForSelector('.lesson[data-step="1"]');
        const pods = await page.evaluate(() => [...document.querySelectorAll('[data-testid="pod"]')].map((el) => `${el.dataset.pod} ${el.dataset.status}`));
        await page.reload();
        await page.waitForSelector('[data-statefulset="web"]');
        await page.getByRole('tab', { name: words.tab }).click();
        assert.match(await page.locator('.lesson-list li').first().textContent(), new RegExp(words.finished === 'finished' ? 'Continue:' : '继续：'));
        await page.click('button.resume');
        await page.waitForSelector('.lesson[data-lesson="order"][data-step="1"]');
        await page.waitForFunction((want) => JSON.stringify([...document.querySelectorAll('[data-testid="pod"]')].map((el) => `${el.dataset.pod} ${el.dataset.status}`)) === want, JSON.stringify(pods));
        await page.click('.lesson .leave');
        assert.match(await page.locator('.lesson-list li', { has: page.locator('[data-lesson="storage"]') }).textContent(), new RegExp(words.finished));
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    }
  } finally {
    await server.close();
  }
});

test('every other lesson runs start to finish in the page', async () => {
  const server = await serveDist();
  const context = await launchBrowser({ locale: 'en-US' });
  try {
    const { page, problems } = await openPage(context, server.url);
    await page.getByRole('tab', { name: 'Lessons' }).click();
    const ids = await page.locator('button.start').evaluateAll((buttons) => buttons.map((b) => b.dataset.lesson));
    assert.deepEqual(ids, ['identity', 'storage', 'order', 'parallel', 'partition', 'ondelete', 'stuck', 'outside']);
    for (const id of ids.filter((id) => id !== 'storage')) {
      await runLesson(page, { id, tab: 'Lessons', doIt: 'Do it for me', right: 'You were right.', wrong: 'Not quite.',
        next: 'Next step', finish: 'Finish the lesson', finished: 'finished' }, `lesson-${id}.png`);
    }
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await server.close();
  }
});
