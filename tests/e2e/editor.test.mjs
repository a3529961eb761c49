// The editor issue's end-to-end checks: what the apiserver refuses is marked on the line of the offending
// field with its exact message and changes nothing, and how long a keystroke takes to show its diagnostic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useBrowser, openPage, readManifests, replaceManifests, reachEditor, markedLines, recordMeasurement, ARTIFACTS } from './harness.mjs';

const env = useBrowser();

/// The 1-based number of the first line of `text` that reads `wanted` once trimmed, after the line `after`.
function lineOf(text, after, wanted) {
  const lines = text.split('\n');
  const start = lines.indexOf(after);
  return start + lines.slice(start).findIndex((l) => l.trim() === wanted) + 1;
}

/// Replaces the manifests and waits until the diagnostic for them is shown, both in the list and as a mark.
async function showError(page, manifests) {
  await replaceManifests(page, manifests);
  await page.locator('.diagnostic').waitFor({ timeout: 10_000 });
  await page.locator('.cm-lint-marker-error').waitFor({ timeout: 10_000 });
  return {
    line: Number(await page.getAttribute('.diagnostic', 'data-line')),
    message: await page.textContent('.diagnostic .message'),
  };
}

/// The message the editor's tooltip shows for the mark on `line`, hovered as a person would.
async function tooltipOn(page, line) {
  const ranges = (await markedLines(page)).filter((m) => m.kind === 'range');
  const index = ranges.findIndex((m) => m.line === line);
  if (index < 0) return null;
  await page.locator('.cm-lintRange-error').nth(index).hover();
  const text = page.locator('.cm-tooltip-lint .cm-diagnosticText');
  await text.waitFor({ timeout: 5_000 });
  return text.textContent();
}

async function assertMarkedOn(page, line, message) {
  const marks = await markedLines(page);
  assert.deepEqual([...new Set(marks.map((m) => m.line))], [line], `every mark is on line ${line}: ${JSON.stringify(marks)}`);
  assert.deepEqual([...new Set(marks.map((m) => m.kind))].sort(), ['gutter', 'range']);
  assert.equal(await tooltipOn(page, line), message);
}

test('invalid YAML is marked on the line the parser names, with its message', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  const good = await readManifests(page);
  const broken = good.replace('  serviceName: "nginx"', '   serviceName: "nginx"');  // deeper than its siblings
  const { line, message } = await showError(page, broken);
  assert.match(message, new RegExp(`^error converting YAML to JSON: yaml: line ${line}: `));
  await assertMarkedOn(page, line, message);
  await page.screenshot({ path: join(ARTIFACTS, 'editor-yaml-error.png') });
  assert.deepEqual(problems, []);
});

test('a validation error is marked on the offending field with the apiserver message and is not applied', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  const good = await readManifests(page);
  const refused = good.replace('replicas: 3', 'replicas: -1');
  const { line, message } = await showError(page, refused);
  assert.equal(message, 'The StatefulSet "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
  assert.equal(line, lineOf(refused, 'kind: StatefulSet', 'replicas: -1'));
  await assertMarkedOn(page, line, message);
  assert.match(await page.textContent('[data-testid="set-status"]'), /replicas 3 /);
  await page.screenshot({ path: join(ARTIFACTS, 'editor-validation-error.png') });

  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(ARTIFACTS, 'editor-validation-error-dark.png') });
  assert.deepEqual(problems, []);
});

test('a change to an immutable field shows the exact refusal on its line and changes nothing', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  const good = await readManifests(page);
  // With a change that alone would be applied: the apiserver refuses the object whole.
  const changed = good.replace('serviceName: "nginx"', 'serviceName: "other"').replace('replicas: 3', 'replicas: 5');
  const { line, message } = await showError(page, changed);
  assert.match(message, /^The StatefulSet "web" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', .* are forbidden$/);
  assert.equal(line, lineOf(changed, 'kind: StatefulSet', 'spec:'));
  await assertMarkedOn(page, line, message);
  assert.match(await page.textContent('[data-testid="set-status"]'), /replicas 3 /);

  await replaceManifests(page, good);
  await page.locator('.diagnostic').waitFor({ state: 'detached', timeout: 10_000 });
  assert.equal((await markedLines(page)).length, 0, 'the marks go with the error');
  assert.deepEqual(problems, []);
});

/// The manifests of a scenario file: its `manifests: |` block, dedented.
async function scenarioManifests(name) {
  const scenario = await readFile(new URL(`../../examples/${name}.yaml`, import.meta.url), 'utf8');
  const lines = scenario.split('\n');
  const start = lines.indexOf('manifests: |') + 1;
  const end = lines.findIndex((l, i) => i >= start && /^\S/.test(l));
  return lines.slice(start, end).map((l) => l.slice(2)).join('\n');
}

test('from a keystroke to its diagnostic on the zookeeper manifest', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  const manifests = await scenarioManifests('zookeeper');
  await replaceManifests(page, manifests);
  await page.waitForSelector('[data-statefulset="zk"]', { timeout: 10_000 });
  assert.equal(await page.locator('.diagnostic').count(), 0);

  // Put the cursor before the 3 of the zk set's `replicas: 3` with the keyboard.
  const row = lineOf(manifests, 'kind: StatefulSet', 'replicas: 3');
  await page.keyboard.press('Control+Home');
  for (let i = 1; i < row; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');

  // Times in the page's own clock: from the key going down to the first DOM change that shows the outcome.
  await page.evaluate(() => {
    window.__latency = { key: [], shown: [] };
    document.addEventListener('keydown', () => window.__latency.key.push(performance.now()), true);
    const marked = () => document.querySelector('.cm-lint-marker-error') !== null;
    let last = marked();
    new MutationObserver(() => {
      if (marked() !== last) { last = marked(); window.__latency.shown.push(performance.now()); }
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  const rounds = 5;
  for (let i = 0; i < rounds; i++) {
    await page.keyboard.press('-');
    await page.locator('.cm-lint-marker-error').waitFor({ timeout: 10_000 });
    await page.keyboard.press('Backspace');
    await page.locator('.cm-lint-marker-error').waitFor({ state: 'detached', timeout: 10_000 });
  }
  const { key, shown } = await page.evaluate(() => window.__latency);
  assert.equal(key.length, 2 * rounds);
  assert.equal(shown.length, 2 * rounds);
  const latencies = key.map((k, i) => shown[i] - k).sort((a, b) => a - b);
  const median = latencies[Math.floor(latencies.length / 2)];
  recordMeasurement('page: keystroke to diagnostic, zookeeper', 'ms', latencies);
  console.log(`keystroke -> diagnostic on zookeeper (${latencies.length} keystrokes; checked at once, applied once typing pauses): `
    + `median ${median.toFixed(1)} ms, min ${latencies[0].toFixed(1)} ms, max ${latencies.at(-1).toFixed(1)} ms`);
  assert.ok(latencies.at(-1) < 5_000, 'a diagnostic follows its keystroke within seconds');
  assert.deepEqual(problems, []);
});

/// Moves the pointer onto the text of the editor line that reads `text`, over a few points as a hand moves it,
/// and waits until `lit(arg)` holds in the page. When it does not, the failure says where the pointer ended, what
/// lay under it and what the stage showed, and a screenshot is left for a look.
async function hoverLineUntil(page, text, lit, arg = null) {
  const line = page.locator('.cm-line', { hasText: text }).first();
  await line.scrollIntoViewIfNeeded();
  const box = await line.boundingBox();
  const at = { x: box.x + 12, y: box.y + box.height / 2 };
  await page.mouse.move(at.x, at.y, { steps: 5 });
  try {
    await page.waitForFunction(lit, arg, { timeout: 10_000 });
  } catch (error) {
    await page.screenshot({ path: join(ARTIFACTS, 'linked-failed.png') });
    const seen = await page.evaluate(({ x, y }) => ({
      under: document.elementFromPoint(x, y)?.textContent?.slice(0, 60),
      set: document.querySelector('[data-statefulset="web"]')?.className,
      dns: document.querySelector('.dns')?.className,
    }), at);
    throw new Error(`hovering "${text}" at ${JSON.stringify(at)} did not light it up: ${JSON.stringify(seen)}`, { cause: error });
  }
}

test('hovering a field in the editor lights up what it governs on the stage', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  await page.waitForSelector('[data-testid="pod"]');
  await reachEditor(page);
  const set = page.locator('[data-statefulset="web"]');
  const setLinked = (kind) => document.querySelector('[data-statefulset="web"]').classList.contains(kind);

  await hoverLineUntil(page, 'replicas: 3', setLinked, 'linked-slots');
  await page.screenshot({ path: join(ARTIFACTS, 'linked-replicas.png') });
  await hoverLineUntil(page, 'serviceName: "nginx"', () => document.querySelector('.dns.linked'));
  assert.doesNotMatch(await set.getAttribute('class'), /linked-slots/);
  await page.locator('.cm-scroller').evaluate((el) => { el.scrollTop = el.scrollHeight; });  // drawn only in view
  await hoverLineUntil(page, 'storage: 1Gi', setLinked, 'linked-claims');
  assert.equal(await page.locator('.dns.linked').count(), 0);
  await page.locator('.cm-scroller').evaluate((el) => { el.scrollTop = 0; });
  await hoverLineUntil(page, 'clusterIP: None', () => document.querySelector('.dns.linked'));  // the Service: the names it gives

  await page.locator('.stage').hover();
  await page.waitForFunction(() => !/linked/.test(document.querySelector('[data-statefulset="web"]').className)
    && !document.querySelector('.dns.linked'));
  assert.deepEqual(problems, []);
});
