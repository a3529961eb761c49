// Shared by the end-to-end tests: serves dist/ on a loopback port and opens it in Debian's Chromium.
// Playwright never downloads a browser here: it drives /usr/bin/chromium.
import { mkdir } from 'node:fs/promises';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { chromium } from 'playwright-core';
import { before, after } from 'node:test';
import { serveDirectory } from '../../scripts/static.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
// ORDINAL_DIST serves another build, e.g. one with function names for a profile.
const DIST = resolve(process.env.ORDINAL_DIST ?? join(ROOT, 'dist'));
export const ARTIFACTS = join(ROOT, 'target', 'e2e');

/// Serves dist/ at `prefix` (a path ending in `/`), as a static host serves a directory (scripts/static.mjs, which
/// scripts/serve.sh serves it with); anything outside it is 404.
export async function serveDist(prefix = '/') {
  const server = await serveDirectory(DIST, { prefix });
  return { url: `http://127.0.0.1:${server.address().port}${prefix}`, close: () => new Promise((ok) => server.close(ok)) };
}

/// Serves dist/ and starts a browser before a file's tests, and stops both after them.
export function useBrowser() {
  const env = {};
  before(async () => {
    env.server = await serveDist();
    env.context = await launchBrowser();
  });
  after(async () => {
    await env.context?.close();
    await env.server?.close();
  });
  return env;
}

/// The work this tab has saved (its own slot: `ordinal.work.<slot>`, the slot in sessionStorage), or null.
export async function savedWork(page) {
  return page.evaluate(() => JSON.parse(localStorage.getItem(`ordinal.work.${sessionStorage.getItem('ordinal.slot')}`) ?? 'null'));
}

/// Runs a command in the page's console and returns its transcript entry.
export async function runInConsole(page, command) {
  await page.getByRole('tab', { name: 'Console' }).click();
  const prompt = page.getByLabel('kubectl command');
  await prompt.fill(command);
  await prompt.press('Enter');
  const entry = page.locator('.console .transcript .entry').last();
  await entry.locator('.command', { hasText: command }).waitFor();
  return entry;
}

/// A share link's fragment (without `#`) for `json`, encoded as web/share.js encodes it: deflate-raw, base64url,
/// after the format version. Any bytes may be given, to make links the page must refuse.
export function shareFragment(json) {
  return `v1.${base64url(deflateRawSync(Buffer.from(json)))}`;
}

function base64url(bytes) {
  return Buffer.from(bytes).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/// Appends a measurement to `$ORDINAL_BENCH_OUT`, when scripts/bench.sh set it, for its table: `samples` is one
/// value or many, in `unit`.
export function recordMeasurement(name, unit, samples) {
  const out = process.env.ORDINAL_BENCH_OUT;
  if (out) appendFileSync(out, `${JSON.stringify({ name, unit, samples: [samples].flat() })}\n`);
}

/// A fresh Chromium profile; `locale` is the browser's language (`navigator.language`), English unless given.
/// `bypassCSP` is for the benchmark only, which times code it evaluates inside the page.
export async function launchBrowser({ locale = 'en-US', bypassCSP = false } = {}) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'ordinal-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    locale,
    bypassCSP,
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1366, height: 768 },
    // readManifests and replaceManifests copy and paste, as a person moving text in and out of the editor does.
    permissions: ['clipboard-read', 'clipboard-write'],
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
           '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
  await mkdir(ARTIFACTS, { recursive: true });
  return context;
}

/// Pauses every page an earlier test left open and stops it saving work: a page in the background saves late
/// (its timers are throttled), and a save landing after the new page cleared the slot would be opened by it
/// as the learner's work (the hover test opened another test's zookeeper that way, in a fresh clone). A page
/// runs one task at a time, so once this returns it cannot save again.
async function quietOtherPages(context) {
  for (const other of context.pages().filter((p) => !p.isClosed())) {
    await other.evaluate(() => {
      const play = document.querySelector('button.play');
      if (play?.getAttribute('aria-label') === 'Pause') play.click();
      const setItem = Storage.prototype.setItem;
      Storage.prototype.setItem = function keepingWorkSlotsAlone(key, value) {
        if (!key.startsWith('ordinal.work')) setItem.call(this, key, value);
      };
    }).catch(() => {});
  }
}

/// Opens the page and collects what the console and the page report, so a failure shows why. The work an
/// earlier test left saved in the profile is cleared first (once per tab: a reload still finds this tab's
/// own), unless `keepWork` asks to see what a returning learner sees.
export async function openPage(context, url, { keepWork = false } = {}) {
  if (!keepWork) await quietOtherPages(context);
  const page = await context.newPage();
  if (!keepWork) {
    await page.addInitScript(() => {
      if (sessionStorage.getItem('ordinal-e2e-tab')) return;
      sessionStorage.setItem('ordinal-e2e-tab', 'opened');
      for (const key of Object.keys(localStorage)) if (key.startsWith('ordinal.work')) localStorage.removeItem(key);
    });
  }
  const problems = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`); });
  await page.goto(url);
  await page.waitForSelector('[data-statefulset="web"]', { timeout: 30_000 });
  return { page, problems };
}

export async function setSpeed(page, speed) {
  await page.selectOption('select[aria-label="Speed"]', String(speed));
}

export async function readyPods(page) {
  return page.locator('[data-testid="pod"][data-ready="true"]').count();
}

/// Records, in the page, the order in which pod cards first appear.
export async function recordPodAppearances(page) {
  await page.evaluate(() => {
    window.__podAppearances = [...document.querySelectorAll('[data-testid="pod"]')].map((el) => el.dataset.pod);
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('[data-testid="pod"]')) {
        if (!window.__podAppearances.includes(el.dataset.pod)) window.__podAppearances.push(el.dataset.pod);
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
}

/// The editor, found by its role and accessible name as assistive technology finds it.
function editor(page) {
  return page.getByRole('textbox', { name: 'Kubernetes manifests (YAML)' });
}

/// Reaches for the editor as a hand does, the pointer onto it, and waits until CodeMirror has taken the place
/// of its picture (web/editor.js imports it only then).
export async function reachEditor(page) {
  await editor(page).hover();
  await page.locator('.cm-content').waitFor();
}

/// Clicks into the editor and waits until it has the keyboard: the first click also brings CodeMirror in.
export async function clickEditor(page) {
  await editor(page).click();
  await page.waitForFunction(() => document.activeElement?.classList.contains('cm-content'));
}

/// The manifests as the editor holds them, copied out with select-all and copy. The editor draws only the lines
/// in view, so reading its DOM would miss the rest of a long manifest.
export async function readManifests(page) {
  await clickEditor(page);
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Control+C');
  return page.evaluate(() => navigator.clipboard.readText());
}

/// Replaces the manifests as a person would: select all, paste. The app applies them once typing pauses.
export async function replaceManifests(page, text) {
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await clickEditor(page);
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Control+V');
}

/// The lines that carry an error mark, read off the screen: each mark's row is matched to the line number
/// drawn at the same height in the gutter. `kind` is `range` for the underline and `gutter` for the marker.
export async function markedLines(page) {
  return page.evaluate(() => {
    const numbers = [...document.querySelectorAll('.cm-lineNumbers .cm-gutterElement')]
      .filter((el) => /^\d+$/.test(el.textContent))
      .map((el) => ({ line: Number(el.textContent), rect: el.getBoundingClientRect() }));
    const lineAt = (rect) => {
      const middle = rect.top + rect.height / 2;
      return numbers.find((n) => n.rect.top <= middle && middle < n.rect.bottom)?.line ?? null;
    };
    const marks = (selector, kind) => [...document.querySelectorAll(selector)]
      .map((el) => ({ line: lineAt(el.getBoundingClientRect()), kind }));
    return [...marks('.cm-lintRange-error', 'range'), ...marks('.cm-lint-marker-error', 'gutter')];
  });
}

/// What an entry of the console printed on one stream (`stdout` or `stderr`): the page shows both in the order
/// printed, each piece marked with its stream.
export async function printed(entry, stream) {
  return (await entry.locator(`.${stream}`).allTextContents()).join('');
}
