// The release build is a directory of static files with relative addresses: served from a sub-path of a host,
// it loads everything from there and works (the editor's CodeMirror, fetched later, included), and a preset
// link keeps the sub-path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launchBrowser, openPage, reachEditor } from './harness.mjs';

test('the page runs from a sub-path of a static host', async () => {
  const server = await serveDist('/docs/tools/ordinal/');
  const context = await launchBrowser();
  try {
    const missing = [];
    context.on('response', (response) => { if (response.status() >= 400) missing.push(`${response.status()} ${response.url()}`); });
    const { page, problems } = await openPage(context, server.url);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="pod"]').length > 0);
    await page.selectOption('select[aria-label="Example"]', 'ondelete');
    assert.equal(new URL(page.url()).pathname, '/docs/tools/ordinal/');
    assert.equal(new URL(page.url()).searchParams.get('preset'), 'ondelete');
    await page.reload();
    await page.waitForSelector('[data-statefulset="web"]');
    assert.equal(await page.inputValue('select[aria-label="Example"]'), 'ondelete');
    // CodeMirror, imported when the editor is reached for, comes from the sub-path too.
    await reachEditor(page);
    assert.deepEqual(missing, []);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await server.close();
  }
});
