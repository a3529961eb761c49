// No panic reaches the page: the fuzz corpus (fuzz/corpus, the inputs the fuzzers start from) goes through the
// wasm build in headless Chromium as a learner would bring it, and the page must still be alive after each:
// no crash banner, no uncaught error, and the player still answers. Each `apply` input is pasted into the
// editor, with the kubectl lines after its `%%` run in the console; each `share_link` input is opened as a share
// link.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { useBrowser, openPage, replaceManifests, shareFragment } from './harness.mjs';

const env = useBrowser();
const CORPUS = new URL('../../fuzz/corpus/', import.meta.url);

async function inputs(target) {
  const dir = new URL(`${target}/`, CORPUS);
  const names = (await readdir(dir)).sort();
  return Promise.all(names.map(async (name) => [name, await readFile(new URL(name, dir), 'utf8')]));
}

/// Alive: no crash banner, and a step moves the clock or says there is nothing left to do without breaking.
async function assertAlive(page, problems, what) {
  assert.equal(await page.locator('#crash-banner').count(), 0, `${what}: the crash banner is up`);
  await page.click('button.step');
  await page.waitForFunction(() => document.querySelector('.clock')?.textContent.length > 0);
  assert.deepEqual(problems.splice(0), [], what);
}

test('every apply input of the fuzz corpus, pasted and run, leaves the page alive', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  await page.click('button.play');
  for (const [name, input] of await inputs('apply')) {
    const [manifest, commands = ''] = input.split('\n%%\n');
    await replaceManifests(page, manifest);
    await page.waitForTimeout(400);
    await page.getByRole('tab', { name: 'Console' }).click();
    const prompt = page.getByLabel('kubectl command');
    for (const line of commands.split('\n').filter((l) => l.trim()).slice(0, 16)) {
      await prompt.fill(line);
      await prompt.press('Enter');
    }
    await assertAlive(page, problems, `apply/${name}`);
  }
  await page.close();
});

test('every share_link input of the fuzz corpus, opened as a link, leaves the page alive', async () => {
  for (const [name, input] of await inputs('share_link')) {
    const fragment = shareFragment(input);
    const page = await env.context.newPage();
    const problems = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    await page.goto(`${env.server.url}#${fragment}`);
    await page.waitForSelector('.clock');
    await page.waitForFunction(() => document.querySelector('.share-problem') || document.querySelector('.editor-preview, .cm-content'));
    await assertAlive(page, problems, `share_link/${name}`);
    await page.close();
  }
});
