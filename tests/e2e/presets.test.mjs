// Every preset opens from the menu and from `?preset=`, paused at 0:00 with its script on the timeline, and
// reaches the state its scenario teaches once the scrubber takes it to the instants that matter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useBrowser, openPage, runInConsole, ARTIFACTS } from './harness.mjs';

const env = useBrowser();

/// The pods on the stage: name → { status, ready, revision }.
async function stagePods(page) {
  return page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-testid="pod"]')].map((el) =>
    [el.dataset.pod, { status: el.dataset.status, ready: el.dataset.ready, revision: el.dataset.revision }])));
}

async function seekTo(page, seconds) {
  await page.locator('.scrub').fill(String(seconds * 1000));
  // A step that waits (`kubectl run -i`) carries the clock past the instant it was issued at.
  await page.waitForFunction((ms) => Number(document.querySelector(".scrub").value) >= ms, seconds * 1000);
}

const running = (pods, names) => names.every((name) => pods[name]?.status === 'Running' && pods[name]?.ready === 'true');

// At each instant, what the stage must show. The instants are the script's own steps.
const EXPECTED = {
  'web': [[120, (pods) => Object.keys(pods).length === 5 && running(pods, ['web-0', 'web-1', 'web-2', 'web-3', 'web-4'])]],
  'web-identity': [[210, (pods) => Object.keys(pods).length === 2 && running(pods, ['web-0', 'web-1'])]],
  'web-my-sc': [[480, (pods) => running(pods, ['web-0', 'web-1', 'web-2'])]],
  'zookeeper': [[180, (pods) => running(pods, ['zk-0', 'zk-1', 'zk-2']) && pods['zk-3']?.status === 'Pending']],
  'relay': [
    [10, (pods) => Object.keys(pods).length === 50 && Object.values(pods).every((p) => p.status === 'Pending')],
    [120, (pods) => Object.keys(pods).length === 10 && pods['relay-7'].revision !== pods['relay-6'].revision],
  ],
  'rumpetroll': [[150, (pods) => running(pods, [0, 1, 2, 3, 4].map((i) => `rumpetrollv2-${i}`))]],
  'myapp': [[780, (pods) => running(pods, ['myapp-0', 'myapp-1'])]],
  'stuck-rollout': [
    [200, (pods) => ['ErrImagePull', 'ImagePullBackOff'].includes(pods['web-2']?.status) && running(pods, ['web-0', 'web-1'])],
    [300, (pods) => running(pods, ['web-0', 'web-1', 'web-2'])],
  ],
  'partition-canary': [
    [120, (pods) => running(pods, ['web-0', 'web-1', 'web-2', 'web-3', 'web-4']) && pods['web-3'].revision === pods['web-4'].revision
      && pods['web-2'].revision === pods['web-0'].revision && pods['web-3'].revision !== pods['web-2'].revision],
    [300, (pods) => new Set(Object.values(pods).map((p) => p.revision)).size === 1],
  ],
  'parallel': [
    [1, (pods) => ['web-0', 'web-1', 'web-2'].every((name) => pods[name]) && Object.keys(pods).length === 3],
    [179, (pods) => running(pods, ['web-0', 'web-1', 'web-2', 'web-3', 'web-4']) && new Set(Object.values(pods).map((p) => p.revision)).size === 1],
    [240, (pods) => Object.keys(pods).join() === 'web-0'],
  ],
  'ondelete': [[180, (pods) => running(pods, ['web-0', 'web-1', 'web-2']) && pods['web-1'].revision !== pods['web-0'].revision
    && pods['web-2'].revision === pods['web-0'].revision]],
  'pvc-retention': [[119, (pods) => Object.keys(pods).length === 1 && running(pods, ['web-0'])], [180, (pods) => Object.keys(pods).length === 0]],
  'ordinals-start': [[59, (pods) => Object.keys(pods).join() === 'web-1,web-2,web-3'], [120, (pods) => Object.keys(pods).sort().join() === 'web-0,web-1,web-2']],
  'node-down': [[480, (pods) => pods['web-0']?.status === 'Terminating'], [600, (pods) => running(pods, ['web-0', 'web-1', 'web-2'])]],
};

test('every preset opens paused with its script and reaches the state it teaches', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  const offered = await page.locator('select[aria-label="Example"] option:not([disabled])').evaluateAll((options) => options.map((o) => o.value));
  assert.deepEqual(offered.sort(), Object.keys(EXPECTED).sort(), 'the menu offers every example');

  for (const [id, checks] of Object.entries(EXPECTED)) {
    await page.selectOption('select[aria-label="Example"]', id);
    await page.waitForFunction(() => document.querySelector('.clock').textContent.trim().startsWith('00:00'));
    assert.equal(await page.getAttribute('button.play', 'aria-label'), 'Play', `${id} opens paused`);
    assert.equal(new URL(page.url()).searchParams.get('preset'), id);
    const scripted = await page.locator('.marker.intervention').count();
    assert.ok(scripted >= 2, `${id}: the manifests and the script's steps are on the timeline (${scripted})`);
    for (const [seconds, holds] of checks) {
      await seekTo(page, seconds);
      const pods = await stagePods(page);
      assert.ok(holds(pods), `${id} at ${seconds}s: ${JSON.stringify(pods)}`);
    }
    await page.screenshot({ path: join(ARTIFACTS, `preset-${id}.png`) });
  }

  // The claims of the deleted set stay: the retention policy said whenDeleted: Retain.
  await page.selectOption('select[aria-label="Example"]', 'pvc-retention');
  await seekTo(page, 180);
  const claims = await runInConsole(page, 'kubectl get pvc');
  assert.match(await claims.textContent(), /www-web-0\s+Bound/);
  assert.doesNotMatch(await claims.textContent(), /www-web-1/);
  assert.deepEqual(problems, []);
});

test('?preset= opens that preset, and an unknown one opens the sandbox', async () => {
  const { page, problems } = await openPage(env.context, `${env.server.url}?preset=stuck-rollout`);
  assert.equal(await page.inputValue('select[aria-label="Example"]'), 'stuck-rollout');
  assert.equal(await page.getAttribute('button.play', 'aria-label'), 'Play');
  const labels = await page.locator('.marker.intervention').evaluateAll((markers) => markers.map((m) => m.getAttribute('aria-label')));
  assert.ok(labels.includes('00:40.0 kubectl set image statefulset/web nginx=nginx:broken'), labels.join('\n'));
  assert.ok(labels.includes('04:00.0 kubectl delete pod web-2'), labels.join('\n'));

  const sandbox = await openPage(env.context, `${env.server.url}?preset=nope`);
  assert.equal(await sandbox.page.inputValue('select[aria-label="Example"]'), '');
  assert.equal(await sandbox.page.getAttribute('button.play', 'aria-label'), 'Pause', 'the sandbox plays at once');
  assert.deepEqual([...problems, ...sandbox.problems], []);
});
