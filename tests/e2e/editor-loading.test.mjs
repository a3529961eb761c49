// The editor's CodeMirror is most of the page's JavaScript and comes only when a reader reaches for the editor
// (web/editor.js); until then web/preview.js draws its picture. These checks hold the picture to the editor it
// stands in for, line by line and colour by colour on every example, and make sure the picture does its job
// while the module is on its way or could not be fetched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useBrowser, openPage, reachEditor, readManifests, ARTIFACTS } from './harness.mjs';

const env = useBrowser();
const LAZY = /\/lazy\/editor-[^/]*\.js(\?retry=\d+)?$/;

/// What the reader sees of each drawn line: where it sits, and its text as runs of one colour, style and
/// background, in the picture (`preview`) or in CodeMirror. Only lines drawn inside the editor's box count:
/// CodeMirror draws those in view and a margin around them.
function seen(preview) {
  return (([preview]) => {
    const box = document.querySelector('.editor').getBoundingClientRect();
    const lines = [...document.querySelectorAll(preview ? '.editor-preview .line' : '.cm-line')]
      .filter((line) => line.getBoundingClientRect().bottom <= box.bottom);
    const runs = (line) => {
      const out = [];
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      for (let node; (node = walker.nextNode());) {
        const style = getComputedStyle(node.parentElement);
        const look = `${style.color} ${style.fontStyle}`;
        if (out.length && out.at(-1).look === look) out.at(-1).text += node.data;
        else out.push({ look, text: node.data });
      }
      return out.filter((run) => run.text.trim() !== '' || out.length === 1);
    };
    const numbers = [...document.querySelectorAll(preview ? '.editor-preview .number' : '.cm-lineNumbers .cm-gutterElement')]
      .filter((n) => /^\d+$/.test(n.textContent) && getComputedStyle(n).visibility !== 'hidden')
      .map((n) => n.getBoundingClientRect());
    const text = (line) => {
      const range = document.createRange();
      range.selectNodeContents(line);
      const r = range.getBoundingClientRect();
      return { left: Math.round(r.left * 2) / 2, right: Math.round(r.right * 2) / 2, top: Math.round(r.top * 2) / 2 };
    };
    return lines.map((line, i) => ({
      line: i + 1,
      at: text(line),
      number: numbers[i] && { right: Math.round(numbers[i].right * 2) / 2, top: Math.round(numbers[i].top * 2) / 2 },
      background: getComputedStyle(line).backgroundColor,
      runs: runs(line).map((r) => `${r.look} ${JSON.stringify(r.text.trim())}`),
    }));
  }).toString();
}

async function look(page, preview) {
  return page.evaluate(`(${seen(preview)})([${preview}])`);
}

test('CodeMirror comes only when the editor is reached for, and takes its picture\'s place moving nothing', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  const fetched = [];
  page.on('request', (request) => fetched.push(new URL(request.url()).pathname + new URL(request.url()).search));
  await page.waitForLoadState('networkidle');
  const presets = await page.locator('select[aria-label="Example"] option:not([disabled])').evaluateAll((options) => options.map((o) => o.value));
  assert.ok(presets.length >= 5, `the examples: ${presets}`);

  for (const preset of presets) {
    await page.selectOption('select[aria-label="Example"]', preset);
    await page.waitForFunction(() => document.querySelector('.editor-preview .line'));
    const before = await look(page, true);
    assert.ok(before.length >= 10, `${preset}: the picture draws lines (${before.length})`);
    assert.ok(before.some((l) => l.runs.length > 1), `${preset}: in colours`);
    if (preset === presets[0]) await page.locator('.editor').screenshot({ path: join(ARTIFACTS, 'editor-picture.png') });
    assert.deepEqual(fetched.filter((path) => LAZY.test(path)), [], `${preset}: nothing fetched before a reach`);

    // Reloaded for every example: a new page has the picture again.
    await reachEditor(page);
    const after = await look(page, false);
    if (preset === presets[0]) await page.locator('.editor').screenshot({ path: join(ARTIFACTS, 'editor-loaded.png') });
    const drawn = Math.min(before.length, after.length);
    assert.ok(drawn >= 10, `${preset}: both draw lines (${before.length}, ${after.length})`);
    for (let i = 0; i < drawn; i++) {
      assert.deepEqual(before[i], after[i], `${preset}, line ${i + 1}: the picture as the editor draws it`);
    }
    assert.equal(fetched.filter((path) => LAZY.test(path)).length, 1, `${preset}: the module, once`);
    await page.reload();
    await page.waitForSelector('.editor-preview .line');
    fetched.length = 0;
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test('while CodeMirror is on its way or could not be fetched, the picture stands in for it', async () => {
  let refuse = true;
  await env.context.route(LAZY, (route) => (refuse ? route.abort('failed') : route.continue()));
  try {
    const { page, problems } = await openPage(env.context, env.server.url);
    // The picture lights up what a line governs, as the editor does.
    const line = page.locator('.editor-preview .line', { hasText: 'replicas: 3' }).first();
    await line.hover();
    await page.waitForFunction(() => document.querySelector('[data-statefulset="web"]').classList.contains('linked-slots'));
    await page.waitForFunction(() => /could not be loaded/.test(document.querySelector('.editor-preview')?.title));
    assert.equal(await page.locator('.cm-content').count(), 0);

    // The next reach tries again.
    refuse = false;
    await page.locator('.stage').hover();
    await page.waitForFunction(() => !/linked/.test(document.querySelector('[data-statefulset="web"]').className));
    const text = await readManifests(page);
    assert.match(text, /^apiVersion: v1\nkind: Service\n/);
    assert.ok(problems.every((p) => /Failed to load resource|editor could not be loaded/.test(p)), problems.join('\n'));
    await page.close();
  } finally {
    await env.context.unroute(LAZY);
  }
});
