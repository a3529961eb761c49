// Safe to embed: the page runs under a Content-Security-Policy that allows only its own files (and compiling
// its WebAssembly) and is never violated by the page itself; text from users, from a share link or from a
// host page is shown as text, never parsed as markup; the embedded player acts only on well-formed messages
// from the page that embeds it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, setSpeed, runInConsole, shareFragment, clickEditor } from './harness.mjs';

const env = useBrowser();
const MARKUP = '<img src=x onerror=window.pwned=1>';

/// Records every violation of the page's policy, from the first script on.
async function watchPolicy(page) {
  await page.addInitScript(() => {
    window.violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
}

const injected = (page) => page.evaluate(() => ({
  pwned: window.pwned ?? null,
  images: document.querySelectorAll('img[src="x"]').length,
}));

test('the page keeps to its Content-Security-Policy, which refuses script it did not ship', async () => {
  const page = await env.context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await watchPolicy(page);
  await page.goto(env.server.url);
  await page.waitForSelector('[data-statefulset="web"]');
  const policy = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  assert.match(policy, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(policy, /script-src[^;]*'unsafe-inline'/);

  // A tour of what the page does: play, the console, the details drawer, the editor, lessons, share, a crash.
  await setSpeed(page, 16);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="pod"][data-ready="true"]').length === 3, null, { timeout: 60_000 });
  await runInConsole(page, 'kubectl describe pod web-0');
  await page.locator('[data-testid="pod"]').first().click();
  await page.getByRole('button', { name: 'Close the details' }).click();
  await page.getByRole('tab', { name: 'Lessons' }).click();
  await page.click('.share-menu > summary');
  await page.click('[data-export="picture"]');
  await page.keyboard.press('Escape');
  await page.evaluate(() => { try { window.wasmBindings.raise_test_panic(); } catch { /* the banner says it */ } });
  await page.locator('#crash-banner').waitFor();
  assert.deepEqual(await page.evaluate(() => window.violations), [], 'the page needs nothing its policy refuses');

  // Script the page did not ship does not run.
  const ran = await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.ranInline = true';
    document.body.append(script);
    return window.ranInline ?? false;
  });
  assert.equal(ran, false);
  await page.waitForFunction(() => window.violations.some((v) => v.startsWith('script-src')));

  // The crash banner's button works without an inline handler.
  await Promise.all([page.waitForEvent('load'), page.click('#crash-banner button')]);
  await page.waitForSelector('[data-statefulset="web"]');
  assert.deepEqual(problems, []);
  await page.close();
});

test('markup typed, run, shared or stored is shown as text', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  await setSpeed(page, 16);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="pod"][data-ready="true"]').length === 3, null, { timeout: 60_000 });
  // In a command line, in what a container prints, in an annotation the details drawer shows, in the editor.
  const echoed = await runInConsole(page, `kubectl get pods '${MARKUP}'`);
  assert.match(await echoed.textContent(), /<img src=x onerror=window\.pwned=1>/);
  await runInConsole(page, `kubectl exec web-0 -- sh -c 'echo "${MARKUP}" > /usr/share/nginx/html/index.html'`);
  const printed = await runInConsole(page, 'kubectl exec web-0 -- cat /usr/share/nginx/html/index.html');
  assert.match(await printed.textContent(), /<img src=x onerror/);
  await runInConsole(page, `kubectl annotate pod web-0 'note=${MARKUP}'`);
  await page.locator('[data-testid="pod"][data-pod="web-0"]').click();
  await page.waitForFunction(() => document.body.textContent.includes('note: <img src=x'));
  await page.getByRole('button', { name: 'Close the details' }).click();
  await clickEditor(page);
  await page.keyboard.press('Control+End');
  await page.keyboard.type(`\n# ${MARKUP}`);
  assert.deepEqual(await injected(page), { pwned: null, images: 0 });

  // A share link whose editor text and scenario name are markup.
  const scenario = `name: '${MARKUP}'\nmanifests: |\n  # ${MARKUP}\n`;
  const state = JSON.stringify({ v: 1, scenario, at: 0, editor: `# </textarea>${MARKUP}<script>window.pwned=1</script>` });
  const fragment = shareFragment(state);
  const shared = await env.context.newPage();
  shared.on('pageerror', (error) => problems.push(error.message));
  await shared.goto(`${env.server.url}#${fragment}`);
  await shared.waitForFunction(() => document.querySelector('.editor')?.textContent.includes('</textarea>'), null, { timeout: 30_000 });
  assert.deepEqual(await injected(shared), { pwned: null, images: 0 });
  assert.equal(await shared.locator('script:not([src])').count(), 0);
  assert.deepEqual(problems, []);
  await shared.close();
  await page.close();
});

test('the embedded player acts only on well-formed messages from the page that embeds it', async () => {
  const page = await env.context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${env.server.url}assets/embed-example.html`);
  await page.waitForFunction(() => [...document.querySelectorAll('[data-player]')].every((s) => s.dataset.ready === '1'), null, { timeout: 30_000 });
  const player = page.frame({ url: /preset=partition-canary$/ });
  const replies = () => page.evaluate(() => window.replies);
  await page.evaluate(() => {
    window.replies = [];
    addEventListener('message', (e) => { if (e.data?.ordinal === 1 && e.data.type !== 'event') window.replies.push(e.data); });
  });
  const post = (message) => page.evaluate((m) => document.querySelectorAll('iframe')[1].contentWindow.postMessage(m, '*'), message);

  // Not meant for Ordinal, or not of this version: ignored without a word.
  for (const message of [null, 42, 'play', [1, 2], { type: 'play' }, { ordinal: 2, type: 'play' }, { ordinal: '1', type: 'play' }]) {
    await post(message);
  }
  // Meant for it but malformed: refused with an error, and nothing happens.
  const malformed = [
    [{ ordinal: 1 }, 'a message needs a `type`'],
    [{ ordinal: 1, type: 7 }, 'a message needs a `type`'],
    [{ ordinal: 1, type: 'seek', at: 'soon' }, 'seek needs `at`, in milliseconds of simulated time'],
    [{ ordinal: 1, type: 'seek', at: -5 }, 'seek needs `at`, in milliseconds of simulated time'],
    [{ ordinal: 1, type: 'load', scenario: 42 }, 'load needs `scenario`, the text of a scenario file'],
    [{ ordinal: 1, type: 'theme', theme: '<b>' }, 'theme is one of light, dark or system'],
    [{ ordinal: 1, type: MARKUP }, `unknown message type ${JSON.stringify(MARKUP)}`],
  ];
  for (const [message] of malformed) await post(message);
  await page.waitForFunction((n) => window.replies.length >= n, malformed.length);
  assert.deepEqual((await replies()).map((r) => [r.type, r.message]), malformed.map(([, why]) => ['error', why]));

  // A scenario too big, or one that does not parse, is refused with the parser's reason.
  await post({ ordinal: 1, type: 'load', scenario: `name: big\nmanifests: "${'x'.repeat(3 << 20)}"\n` });
  await post({ ordinal: 1, type: 'load', scenario: `name: [${'['.repeat(200)}` });
  await page.waitForFunction((n) => window.replies.length >= n, malformed.length + 2);
  const [big, deep] = (await replies()).slice(-2);
  assert.match(big.message, /more than this playground's limit of 2097152 bytes/);
  assert.match(deep.message, /nested more than 100 deep/);

  // A sibling frame cannot drive it: only the page that embeds it can.
  const sibling = page.frame({ url: /preset=web$/ });
  await sibling.evaluate(() => parent.frames[1].postMessage({ ordinal: 1, type: 'play' }, '*'));
  await page.waitForTimeout(1000);
  assert.equal(await player.locator('button.play').getAttribute('aria-label'), 'Play');
  assert.equal(await player.locator('.clock').textContent(), '00:00.0');

  // And it still works.
  await post({ ordinal: 1, type: 'state' });
  await page.waitForFunction(() => window.replies.at(-1)?.type === 'state');
  assert.deepEqual(await injected(player), { pwned: null, images: 0 });
  assert.deepEqual(problems, []);
  await page.close();
});
