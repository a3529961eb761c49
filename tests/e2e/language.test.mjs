// Two languages: a Chinese browser gets the interface in Simplified Chinese, with Kubernetes terms and kubectl
// output as Kubernetes prints them; the language can be switched and is remembered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serveDist, launchBrowser, openPage, ARTIFACTS } from './harness.mjs';

test('a Chinese browser gets the interface in Chinese, kubectl stays as kubectl prints, and English is one switch away', async () => {
  const server = await serveDist();
  const context = await launchBrowser({ locale: 'zh-CN' });
  try {
    const { page, problems } = await openPage(context, server.url);
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    assert.equal(await page.getAttribute('button.play', 'aria-label'), '暂停', 'the sandbox plays at once');
    assert.equal(await page.textContent('button.step'), '▶| 单步');
    assert.equal(await page.locator('select[aria-label="示例"] option[value=""]').textContent(), '打开一个示例…');
    // The controller's reason, in Chinese, with Running and Ready as Kubernetes says them.
    await page.waitForFunction(() => /web-1 尚未创建：web-0 还不是 Running 且 Ready/.test(document.querySelector('[data-testid="wait"]')?.textContent ?? ''));
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="pod"][data-ready="true"]').length >= 1, null, { timeout: 60_000 });
    // kubectl's output is kubectl's.
    await page.getByRole('tab', { name: '控制台' }).click();
    await page.getByLabel('kubectl 命令').fill('kubectl get pods');
    await page.getByLabel('kubectl 命令').press('Enter');
    await page.locator('.console .transcript .entry').last().locator('.command', { hasText: 'get pods' }).waitFor();
    assert.match(await page.locator('.console .transcript .entry').last().textContent(), /NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
    await page.click('.share-menu > summary');
    assert.equal(await page.textContent('button.copy-link'), '复制指向此刻的链接');
    await page.screenshot({ path: join(ARTIFACTS, 'language-zh.png') });
    await page.click('.share-menu > summary');

    // A broken share link is refused in Chinese too.
    const broken = await openPage(context, `${server.url}#hello`);
    await broken.page.locator('.share-problem').waitFor();
    assert.match(await broken.page.textContent('.share-problem'), /无法打开此分享链接：\s*它不是 Ordinal 的分享链接/);
    await broken.page.close();

    await page.selectOption('select[aria-label="语言"]', 'en');
    await page.waitForFunction(() => document.querySelector('button.step').textContent === '▶| Step');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await page.textContent('.workbench [role="tab"]:first-child'), 'Events');
    await page.reload();
    await page.waitForSelector('[data-statefulset="web"]');
    assert.equal(await page.textContent('button.step'), '▶| Step', 'the choice is remembered');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await server.close();
  }
});
