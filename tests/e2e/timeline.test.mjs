// The timeline, the console and the pod menu: scrubbing back shows exactly the old pods, acting in the past
// forks a branch, the console's `kubectl get pods` matches the stage, and a menu action prints its command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useBrowser, openPage, setSpeed, ARTIFACTS, runInConsole, shareFragment, replaceManifests, printed } from './harness.mjs';

const env = useBrowser();

async function waitForReady(page, count) {
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="pod"][data-ready="true"]').length === n,
    count, { timeout: 60_000 });
}

async function podUids(page) {
  return page.evaluate(() => Object.fromEntries(
    [...document.querySelectorAll('[data-testid="pod"]')].map((el) => [el.dataset.pod, el.dataset.uid])));
}

test('scrubbing back shows the pods from before the scale-down, and forward again', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  await setSpeed(page, 16);
  await waitForReady(page, 3);
  const before = await podUids(page);

  const entry = await runInConsole(page, 'kubectl scale sts web --replicas=1');
  assert.match(await entry.textContent(), /statefulset.apps\/web scaled/);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="pod"]').length === 1, null, { timeout: 60_000 });
  await page.click('button.play');  // pause
  const after = await podUids(page);
  const end = Number(await page.locator('.scrub').getAttribute('max'));

  const marker = page.locator('.marker[aria-label$="kubectl scale sts web --replicas=1"]');
  const scaledAt = Number(await marker.getAttribute('data-at'));
  await page.locator('.scrub').fill(String(scaledAt - 100));
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="pod"]').length === 3);
  assert.deepEqual(await podUids(page), before, 'the same pods, with the same uids');
  await page.screenshot({ path: join(ARTIFACTS, 'scrubbed-back.png') });

  await page.locator('.scrub').fill(String(end));
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="pod"]').length === 1);
  assert.deepEqual(await podUids(page), after);

  // The scale-down's events are in a burst on the timeline, marked where the burst starts; clicking it goes there.
  const bursts = await page.locator('.marker.burst').evaluateAll((els) => els.map((el) => ({ at: Number(el.dataset.at), label: el.getAttribute('aria-label') })));
  const burst = bursts.filter((b) => b.at <= scaledAt).at(-1);
  assert.ok(burst, `a burst at or before ${scaledAt}: ${JSON.stringify(bursts)}`);
  assert.match(burst.label, /^\d\d:\d\d\.\d–\d\d:\d\d\.\d \d+ events?$/);
  await page.locator(`.marker.burst[data-at="${burst.at}"]`).dispatchEvent('click');  // under the scale-down's own marker
  assert.equal(Number(await page.locator('.scrub').inputValue()), burst.at);
  await page.locator('.scrub').fill(String(end));
  assert.equal(await page.locator('.branch').count(), 0, 'looking back made no branch');
  assert.deepEqual(problems, []);
});

test('an action in the past starts a branch and the old future stays reachable', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  await setSpeed(page, 16);
  await waitForReady(page, 3);
  await page.click('button.play');
  const end = Number(await page.locator('.scrub').getAttribute('max'));
  await page.locator('.scrub').fill(String(Math.floor(end / 2 / 100) * 100));
  await runInConsole(page, 'kubectl scale sts web --replicas=4');
  const branches = page.locator('.branch');
  await branches.nth(1).waitFor();
  assert.equal(await branches.count(), 2);
  assert.equal(await branches.nth(1).getAttribute('aria-pressed'), 'true');
  await page.click('button.play');
  await waitForReady(page, 4);
  await page.click('button.play');
  await page.screenshot({ path: join(ARTIFACTS, 'branch.png') });

  await branches.nth(0).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="pod"]').length === 3);
  assert.equal(await branches.nth(0).getAttribute('aria-pressed'), 'true');
  assert.deepEqual(problems, []);
});

test("the console's kubectl get pods matches the stage", async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  await setSpeed(page, 16);
  await waitForReady(page, 3);
  await page.click('button.play');
  const entry = await runInConsole(page, 'kubectl get pods');
  const rows = (await printed(entry, 'stdout')).trim().split('\n');
  assert.match(rows[0], /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
  const listed = rows.slice(1).map((row) => row.split(/\s+/).slice(0, 3));
  const shown = await page.evaluate(() => [...document.querySelectorAll('[data-testid="pod"]')]
    .map((el) => [el.dataset.pod, el.querySelector('.pod-ready').textContent, el.dataset.status]));
  assert.deepEqual(listed, shown);
  await page.screenshot({ path: join(ARTIFACTS, 'console.png') });
  assert.deepEqual(problems, []);
});

test('deleting web-1 from its menu prints the command, the new pod gets the same claim and its name a new address', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  await setSpeed(page, 16);
  await waitForReady(page, 3);
  const oldUid = (await podUids(page))['web-1'];
  const record = page.locator('.dns tr[data-name="web-1.nginx.default.svc.cluster.local"]');
  const oldAddress = await record.getAttribute('data-address');
  assert.equal(oldAddress, await page.locator('[data-pod="web-1"] .pod-ip').textContent());
  const claim = page.locator('[data-claim="www-web-1"]');
  const volume = await claim.locator('.claim-volume').textContent();
  const line = page.locator('path.binding[data-from-claim="www-web-1"]');
  const pv = await line.getAttribute('data-to-pv');
  assert.equal(volume, `→ ${pv}`, 'the line runs to the volume the claim names');
  assert.equal(await page.locator('[data-slot="web-1"] .mount').getAttribute('data-pod-uid'), oldUid);

  await page.getByRole('button', { name: 'Actions for web-1' }).click();
  await page.screenshot({ path: join(ARTIFACTS, 'pod-menu.png') });
  await page.getByRole('menuitem', { name: 'Delete', exact: true }).click();
  await page.waitForFunction((uid) => {
    const pod = document.querySelector('[data-pod="web-1"]');
    return pod && pod.dataset.uid !== uid && pod.dataset.ready === 'true';
  }, oldUid, { timeout: 60_000 });
  assert.equal(await claim.getAttribute('data-phase'), 'Bound');
  assert.equal(await claim.locator('.claim-volume').textContent(), volume, 'the same PV');
  assert.equal(await line.getAttribute('data-to-pv'), pv, 'the same line, to the same volume');
  assert.equal(await line.getAttribute('class'), 'binding bound');
  const newUid = (await podUids(page))['web-1'];
  assert.equal(await page.locator('[data-slot="web-1"] .mount').getAttribute('data-pod-uid'), newUid,
    'the new pod mounts the claim');
  await page.waitForFunction(() => {
    const row = document.querySelector('.dns tr[data-name="web-1.nginx.default.svc.cluster.local"]');
    return row && row.dataset.address !== '';
  });
  const newAddress = await record.getAttribute('data-address');
  assert.notEqual(newAddress, oldAddress);
  assert.equal(newAddress, await page.locator('[data-pod="web-1"] .pod-ip').textContent());
  assert.match(await record.locator('.was').textContent(), new RegExp(`was ${oldAddress.replaceAll('.', '\\.')}`));
  await page.click('button.play');
  await page.screenshot({ path: join(ARTIFACTS, 'dns-changed.png'), fullPage: true });

  await page.getByRole('tab', { name: 'Console' }).click();
  const command = page.locator('.transcript .command').last();
  assert.match(await command.textContent(), /\$ kubectl delete pod web-1$/);
  assert.match(await page.locator('.transcript .stdout').last().textContent(), /pod "web-1" deleted/);

  // The menu's nslookup asks the cluster DNS from a busybox pod, and finds the new address.
  if (await page.getAttribute('button.play', 'aria-label') === 'Pause') await page.click('button.play');
  await page.getByRole('button', { name: 'Actions for web-1' }).click();
  // By keyboard: the menu's last item can sit under the console at this viewport (noted in the session 5 note).
  await page.getByRole('menuitem', { name: 'nslookup', exact: true }).press('Enter');
  await page.locator('.transcript .command', { hasText: 'nslookup web-1.nginx' }).waitFor();
  // kubectl run -i waits for its pod to run, as the clock plays.
  await page.click('button.play');
  const lookedUp = new RegExp(`Address 1: ${newAddress.replaceAll('.', '\\.')} web-1\\.nginx`);
  await page.waitForFunction((source) => new RegExp(source).test(document.querySelector('.transcript .entry:last-child').textContent), lookedUp.source);

  await page.getByRole('tab', { name: 'Events' }).click();
  await page.getByLabel('Show the events of one object').fill('web-1');
  const events = await page.innerText('[data-testid="events"]');
  assert.match(events, /Killing\s+pod\/web-1\s+Stopping container nginx/);
  assert.doesNotMatch(events, /pod\/web-0/);
  assert.deepEqual(problems, []);
});

test('clicking a pod, its claim or a volume opens its details: describe, events and YAML', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  await setSpeed(page, 16);
  await page.waitForSelector('[data-pod="web-0"][data-ready="true"]', { timeout: 60_000 });
  await page.click('button.play');
  await page.click('[data-pod="web-0"]');
  const drawer = page.getByRole('complementary', { name: 'Details' });
  const text = drawer.getByTestId('details');
  assert.match(await text.textContent(), /^\$ kubectl describe pod web-0\nName:\s+web-0\n/);
  assert.match(await text.textContent(), /Controlled By:\s+StatefulSet\/web/);
  await drawer.getByRole('tab', { name: 'YAML' }).click();
  assert.match(await text.textContent(), /\$ kubectl get pod web-0 -o yaml\napiVersion: v1\nkind: Pod\n/);
  await drawer.getByRole('tab', { name: 'Events' }).click();
  assert.match(await text.textContent(), /Started\s+pod\/web-0\s+Started container nginx/);
  await page.screenshot({ path: join(ARTIFACTS, 'details.png') });

  await drawer.getByRole('tab', { name: 'Describe' }).click();
  await page.click('[data-claim="www-web-0"]');
  assert.match(await text.textContent(), /kubectl describe pvc www-web-0\nName:\s+www-web-0\n/);
  const volume = (await text.textContent()).match(/Volume:\s+(\S+)/)[1];
  await page.click(`[data-pv="${volume}"]`);
  assert.match(await text.textContent(), new RegExp(`kubectl describe pv ${volume}\\nName:\\s+${volume}\\n`));
  assert.match(await text.textContent(), /Claim:\s+default\/www-web-0/);

  await drawer.getByRole('button', { name: 'Close the details' }).click();
  await drawer.waitFor({ state: 'detached' });
  assert.deepEqual(problems, []);
});

/// A link `hours` into the web set at 50 replicas with a pod deleted every three minutes: a second or more of
/// simulation for each hour, far more than a frame.
async function busyLink(hours) {
  const web = await readFile(new URL('../../examples/web.yaml', import.meta.url), 'utf8');
  const after = web.split('manifests: |\n')[1].split('\n');
  const manifests = after.slice(0, after.findIndex((l) => l !== '' && !l.startsWith('  '))).join('\n')
    .replace('replicas: 3', 'replicas: 50\n    podManagementPolicy: Parallel');
  const steps = Array.from({ length: hours * 20 - 1 }, (_, i) => `  - at: ${(i + 1) * 180}s\n    run: kubectl delete pod web-${(i * 7) % 50}`);
  const scenario = `cluster:\n  nodes: 3\nmanifests: |\n${manifests}\nsteps:\n${steps.join('\n')}\nuntil: ${hours}h\n`;
  return `#${shareFragment(JSON.stringify({ v: 1, scenario, at: hours * 3600 * 1000 }))}`;
}

test('a link far into a busy run opens over many frames, keeps answering, and can be stopped where it is', async () => {
  const { page, problems } = await openPage(env.context, `${env.server.url}${await busyLink(24)}`);
  const progress = page.locator('.seeking');
  await progress.waitFor();
  // While it simulates, the page draws: the longest wait between two frames over half a second of it.
  const longestFrame = await page.evaluate(() => new Promise((done) => {
    const gaps = [];
    let last = performance.now();
    const frame = (now) => {
      gaps.push(now - last);
      last = now;
      if (gaps.length < 15) requestAnimationFrame(frame); else done(Math.max(...gaps));
    };
    requestAnimationFrame(frame);
  }));
  assert.ok(longestFrame < 250, `the longest frame while seeking took ${longestFrame} ms`);
  await page.screenshot({ path: join(ARTIFACTS, 'seeking.png') });
  const value = Number(await progress.locator('progress').evaluate((p) => p.value));
  assert.ok(value > 0 && value < 1, `progress ${value}`);

  await progress.locator('button.stop-seeking').click();
  await progress.waitFor({ state: 'detached' });
  const stoppedAt = await page.textContent('.clock');
  assert.ok(parseInt(stoppedAt, 10) < 24 * 60, `stopped before the end of the day, at ${stoppedAt}`);
  assert.equal(await page.getAttribute('button.play', 'aria-label'), 'Play', 'and paused there');
  assert.equal(await page.locator('[data-testid="pod"]').count(), 50);
  await page.waitForTimeout(300);
  assert.equal(await page.textContent('.clock'), stoppedAt, 'nothing goes on seeking once stopped');

  await page.close();

  // Left alone, a seek arrives, and the stage shows the moment the link points at.
  const shorter = await openPage(env.context, `${env.server.url}${await busyLink(2)}`);
  await shorter.page.waitForFunction(() => document.querySelector('.clock').textContent === '120:00.0', null, { timeout: 60_000 });
  assert.equal(await shorter.page.locator('.seeking').count(), 0);
  assert.equal(await shorter.page.locator('[data-testid="pod"]').count(), 50);
  assert.deepEqual([...problems, ...shorter.problems], []);
  await shorter.page.close();
});

test('past 500 events the Events panel lists the latest and says how many more the console lists', async () => {
  const { page, problems } = await openPage(env.context, `${env.server.url}?nodes=2`);
  await setSpeed(page, 32);
  const big = await readFile(new URL('../bench/big.yaml', import.meta.url), 'utf8');
  await replaceManifests(page, big.replace('REPLICAS', '150').replace('POLICY', 'Parallel'));
  await page.locator('.events .unlisted').waitFor({ timeout: 60_000 });
  await page.waitForFunction(() => document.querySelector('[data-statefulset="big"] [data-testid="set-status"]').textContent.includes('ready 150 '), null, { timeout: 60_000 });
  await page.click('button.play');  // pause, so that the panel and the console count the same events
  const unlisted = Number((await page.textContent('.events .unlisted')).match(/(\d+) older events/)[1]);
  assert.equal(await page.locator('.event-table tbody tr').count(), 500);
  await page.screenshot({ path: join(ARTIFACTS, 'events-unlisted.png') });
  const entry = await runInConsole(page, 'kubectl get events');
  const listed = (await printed(entry, 'stdout')).trim().split('\n').length - 1;
  assert.equal(listed, 500 + unlisted);
  assert.deepEqual(problems, []);
});
