// Every answer is seen where it was asked: the console follows new output (unless the reader has scrolled up to
// read), knows `help` and `clear`, and answers what a shell answers; a menu's command prints under the menu; a
// script's commands print in the console as the clock reaches them; a lesson's step shows its commands' output
// beside it, cannot be run twice while it waits, and says how long it has waited.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { useBrowser, openPage, setSpeed, runInConsole, printed, shareFragment, ARTIFACTS } from './harness.mjs';

const env = useBrowser();

/// Whether the transcript shows its last entry's last line, inside its own scrolled box.
async function lastLineInView(page) {
  return page.evaluate(() => {
    const box = document.querySelector('.console .transcript').getBoundingClientRect();
    const last = document.querySelector('.console .transcript .entry:last-child').getBoundingClientRect();
    return last.bottom <= box.bottom + 1 && last.bottom > box.top;
  });
}

test('the console follows each new answer, unless the reader has scrolled up to read', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  await page.getByRole('tab', { name: 'Console' }).click();
  for (const command of ['kubectl get pods', 'kubectl get sts', 'kubectl get pvc', 'kubectl get svc', 'kubectl --help']) {
    await runInConsole(page, command);
    await page.waitForFunction(() => {
      const list = document.querySelector('.console .transcript');
      return list.scrollHeight - list.scrollTop - list.clientHeight <= 8;
    });
    assert.ok(await lastLineInView(page), `the answer to ${command} is in view`);
  }
  assert.match(await page.locator('.transcript .entry').last().textContent(), /kubectl controls the Kubernetes cluster manager\./);
  await page.screenshot({ path: join(ARTIFACTS, 'console-follows.png') });

  // Scrolled up to read: a menu's output arrives in the transcript, and the page stays where the reader is.
  await page.evaluate(() => { document.querySelector('.console .transcript').scrollTop = 0; });
  await page.waitForTimeout(100);
  await page.getByRole('button', { name: 'Actions for web-0' }).click();
  await page.getByRole('menuitem', { name: 'hostname' }).click();
  await page.screenshot({ path: join(ARTIFACTS, 'console-scrolled-up.png') });
  await page.locator('.transcript .entry .command', { hasText: 'exec web-0 -- hostname' }).waitFor({ state: 'attached' });
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => document.querySelector('.console .transcript').scrollTop), 0);
  assert.equal(await lastLineInView(page), false);
  // A command typed is one the reader wants answered: back to the bottom.
  await runInConsole(page, 'kubectl get nodes');
  await page.waitForFunction(() => {
    const list = document.querySelector('.console .transcript');
    return list.scrollHeight - list.scrollTop - list.clientHeight <= 8;
  });
  assert.deepEqual(problems, []);
  await page.close();
});

test('help, clear, and what a shell answers to a command it does not have', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  const help = await runInConsole(page, 'help');
  const text = await help.textContent();
  for (const expected of [/kubectl get\s+Display one or many resources/, /kubectl --help/, /clear\s+clear the screen/]) {
    assert.match(text, expected);
  }
  const typo = await runInConsole(page, 'get pods');
  assert.match(await printed(typo, 'stderr'), /^bash: get: command not found\nDid you mean: kubectl get pods\n$/);
  const unknown = await runInConsole(page, 'frobnicate now');
  assert.equal(await printed(unknown, 'stderr'), 'bash: frobnicate: command not found\n');

  const prompt = page.getByLabel('kubectl command');
  await prompt.fill('clear');
  await prompt.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('.console .transcript .entry').length === 0);
  assert.equal(await page.locator('.console .transcript .entry').count(), 0, 'the screen is cleared');
  // History outlives the screen, as in a terminal.
  await prompt.press('ArrowUp');
  assert.equal(await prompt.inputValue(), 'clear');
  await prompt.press('ArrowUp');
  assert.equal(await prompt.inputValue(), 'frobnicate now');
  await prompt.press('ArrowDown');
  await prompt.press('ArrowDown');
  assert.equal(await prompt.inputValue(), '');
  await runInConsole(page, 'kubectl get sts web');
  assert.equal(await page.locator('.console .transcript .entry').count(), 1);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a menu action prints under the menu that ran it, and stays while the pod is recreated', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  await setSpeed(page, 16);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="pod"][data-ready="true"]').length === 3, null, { timeout: 60_000 });
  await page.getByRole('button', { name: 'Actions for web-1' }).click();
  await page.getByRole('menuitem', { name: 'hostname' }).click();
  const shown = page.locator('[data-slot="web-1"] .shown-output');
  await shown.waitFor();
  assert.match(await shown.textContent(), /\$ kubectl exec web-1 -- hostname\s*web-1/);
  await page.screenshot({ path: join(ARTIFACTS, 'menu-output.png') });
  await page.keyboard.press('Escape');
  await shown.waitFor({ state: 'detached' });

  const uid = await page.getAttribute('[data-pod="web-1"]', 'data-uid');
  await page.getByRole('button', { name: 'Actions for web-1' }).click();
  await page.getByRole('menuitem', { name: 'Delete', exact: true }).click();
  assert.match(await shown.textContent(), /pod "web-1" deleted/);
  await page.waitForFunction((old) => {
    const pod = document.querySelector('[data-pod="web-1"]');
    return pod && pod.dataset.uid !== old && pod.dataset.ready === 'true';
  }, uid, { timeout: 60_000 });
  assert.match(await shown.textContent(), /pod "web-1" deleted/, 'the output outlives the pod it was about');
  await shown.locator('button.close').click();
  await shown.waitFor({ state: 'detached' });

  // A node's menu too.
  await page.getByRole('button', { name: 'Actions for kind-worker2' }).click();
  await page.getByRole('menuitem', { name: 'Cordon', exact: true }).click();
  assert.match(await page.locator('[data-node="kind-worker2"] .shown-output').textContent(), /node\/kind-worker2 cordoned/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a script\'s commands print in the console as the clock reaches them, and the Console tab counts them', async () => {
  const { page, problems } = await openPage(env.context, `${env.server.url}?preset=stuck-rollout`);
  assert.equal(await page.locator('.transcript .entry').count(), 0);
  await setSpeed(page, 32);
  await page.click('button.play');
  // On the Events tab, the Console tab counts what arrives.
  await page.waitForFunction(() => /Console\s*1/.test(document.querySelector('[role="tab"]:nth-child(2)').textContent), null, { timeout: 60_000 });
  await page.waitForFunction(() => document.querySelector('.clock').textContent.trim() >= '02:01', null, { timeout: 60_000 });
  await page.click('button.play');
  await page.getByRole('tab', { name: 'Console' }).click();
  const entries = page.locator('.transcript .entry[data-source="script"]');
  const texts = await entries.evaluateAll((all) => all.map((e) => e.textContent));
  assert.equal(texts.length, 3, texts.join('\n---\n'));
  assert.match(texts[0], /^00:40\.0\s*script\s*\$ kubectl set image statefulset\/web nginx=nginx:broken\s*statefulset\.apps\/web image updated/);
  assert.match(texts[1], /\$ kubectl get pods\s*NAME\s+READY\s+STATUS/);
  assert.match(texts[1], /web-2\s+0\/1\s+(ErrImagePull|ImagePullBackOff)/);
  assert.match(texts[2], /\$ kubectl rollout undo statefulset\/web\s*statefulset\.apps\/web rolled back/);
  assert.equal(await page.locator('[role="tab"] .badge').count(), 0, 'seen once the tab is open');
  await page.screenshot({ path: join(ARTIFACTS, 'script-in-console.png') });
  // Going back prints nothing; playing through again prints the steps again, as they happen again.
  await page.locator('.scrub').fill('30000');
  await page.waitForTimeout(200);
  assert.equal(await entries.count(), 3);
  await page.locator('.scrub').fill('50000');
  await page.locator('.transcript .entry[data-source="script"]').nth(3).waitFor();
  assert.match(await entries.nth(3).textContent(), /set image statefulset\/web nginx=nginx:broken/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a lesson step shows its output beside it, cannot be done twice while it waits, and says how long', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  await page.getByRole('tab', { name: 'Lessons' }).click();
  await page.click('button.start[data-lesson="stuck"]');
  await setSpeed(page, 16);
  const doStep = async (step) => {
    await page.locator(`.lesson[data-step="${step}"]`).waitFor();
    await page.locator('.lesson .predict input[type="radio"]').nth(1).check();
    await page.click('.lesson .do-it');
  };
  await doStep(0);
  await page.waitForSelector('.lesson[data-step="0"][data-done="true"]', { timeout: 60_000 });
  await page.click('.lesson .next');
  await doStep(1);
  assert.match(await page.locator('.lesson .step-output').textContent(), /\$ kubectl set image statefulset\/web nginx=nginx:broken\s*statefulset\.apps\/web image updated/);
  await page.waitForSelector('.lesson[data-step="1"][data-done="true"]', { timeout: 60_000 });
  await page.click('.lesson .next');

  // The rollback, then a minute of watching web-2 stay broken: "Do it" is spent, the wait counts up.
  await doStep(2);
  assert.ok(await page.locator('.lesson .do-it').isDisabled(), 'a second rollback would roll forward again');
  await page.waitForFunction(() => /^Watching: 0:[1-5]\d of 1:00$/.test(document.querySelector('.lesson .waiting')?.textContent ?? ''), null, { timeout: 30_000 });
  await page.screenshot({ path: join(ARTIFACTS, 'lesson-watching.png') });
  await page.locator('.lesson .do-it').click({ force: true }).catch(() => {});
  await page.waitForSelector('.lesson[data-step="2"][data-done="true"]', { timeout: 60_000 });
  const undos = await page.locator('.lesson .step-output .entry').evaluateAll((all) => all.filter((e) => e.textContent.includes('rollout undo')).length);
  assert.equal(undos, 1, 'the rollback ran once');
  assert.match(await page.locator('.lesson .reveal').textContent(), /^You were right\./);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the console is a shell: the lines a tutorial types, loops, pipes and variables, answered as bash would', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  // The default page plays the creation of web-0 and web-1 (and web-2): ask until both answer.
  const loop = `for i in 0 1; do kubectl exec "web-$i" -- sh -c 'hostname'; done`;
  let entry;
  for (let attempt = 0; attempt < 60; attempt += 1) {
    entry = await runInConsole(page, loop);
    if ((await entry.locator('.stdout').count()) > 0 && (await printed(entry, 'stdout')) === 'web-0\nweb-1\n') break;
    await page.waitForTimeout(500);
  }
  assert.equal(await printed(entry, 'stdout'), 'web-0\nweb-1\n', 'StatefulSet Basics: each pod says its name');
  const piped = await runInConsole(page, `kubectl get pods | grep web-1 | awk '{print $1, $3}'`);
  assert.equal(await printed(piped, 'stdout'), 'web-1 Running\n');
  await runInConsole(page, 'export POD=web-0');
  const expanded = await runInConsole(page, 'echo "$POD has $(kubectl get pods -o name | wc -l) neighbours"');
  assert.match(await printed(expanded, 'stdout'), /^web-0 has \d neighbours\n$/);
  // A line left open goes on on the next, after `> `, as in bash: a loop, then a here-document.
  const prompt = page.getByLabel('kubectl command');
  for (const line of ['for i in 0 1', 'do echo "line $i"', 'done']) {
    await prompt.fill(line);
    await prompt.press('Enter');
  }
  const continued = page.locator('.console .transcript .entry').last();
  await continued.locator('.command', { hasText: 'done' }).waitFor();
  assert.equal(await printed(continued, 'stdout'), 'line 0\nline 1\n');
  for (const line of ['cat <<EOF | wc -l', 'one', 'two', 'EOF']) {
    await prompt.fill(line);
    await prompt.press('Enter');
  }
  const counted = page.locator('.console .transcript .entry').last();
  await counted.locator('.command', { hasText: 'EOF' }).waitFor();
  assert.equal(await printed(counted, 'stdout'), '2\n');
  const broken = await runInConsole(page, 'echo ) oops');
  assert.equal(await printed(broken, 'stderr'), "bash: syntax error near unexpected token `)'\n");
  await page.screenshot({ path: join(ARTIFACTS, 'console-shell.png') });
  assert.deepEqual(problems, []);
  await page.close();
});

test('a watch streams while the clock plays, says it waits while paused, and Ctrl-C ends it', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  await setSpeed(page, '4');
  const entry = await runInConsole(page, 'kubectl get pods -w');
  await page.waitForFunction(() => document.querySelector('.console .transcript .entry:last-child')?.classList.contains('running'));
  const rows = async () => (await printed(entry, 'stdout')).split('\n').filter(Boolean).length;
  const first = await rows();
  // The default page is creating its pods: each change is a new row, as the clock plays.
  await page.waitForFunction((n) => {
    const text = [...document.querySelectorAll('.console .transcript .entry:last-child .stdout')].map((e) => e.textContent).join('');
    return text.split('\n').filter(Boolean).length > n;
  }, first);
  assert.match(await page.locator('.prompt .busy').textContent(), /Ctrl-C/);
  await page.getByRole('button', { name: 'Pause' }).click();
  assert.match(await page.locator('.prompt .busy').textContent(), /clock is paused/);
  await page.screenshot({ path: join(ARTIFACTS, 'console-watch.png') });
  await page.getByLabel('kubectl command').press('Control+c');
  await page.waitForFunction(() => !document.querySelector('.console .transcript .entry:last-child').classList.contains('running'));
  assert.match(await printed(entry, 'stdout'), /\^C\n$/);
  const status = await runInConsole(page, 'echo $?');
  assert.equal(await printed(status, 'stdout'), '1\n', "kubectl's interrupt handler exits 1");
  assert.deepEqual(problems, []);
  await page.close();
});

test('an interactive busybox session runs nslookup at its prompt, exits, and --rm removes its pod', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  await setSpeed(page, '4');
  // web-0 has a DNS name once it is Ready.
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="pod"][data-ready="true"]').length >= 1);
  // The course notes' line (seed 003), typed as written.
  const entry = await runInConsole(page, 'kubectl run -i --tty --image busybox:1.28.4 dns-test --restart=Never --rm /bin/sh');
  const last = '.console .transcript .entry:last-child';
  await page.waitForFunction((sel) => [...document.querySelectorAll(`${sel} .stdout`)].map((e) => e.textContent).join('').endsWith('/ # '), last);
  // kubectl 1.34's attach warns of the session's recording, then hints at the prompt.
  const warned = "All commands and output from this session will be recorded in container logs, including credentials and sensitive information passed through the command prompt.\nIf you don't see a command prompt, try pressing enter.\n";
  assert.equal(await printed(entry, 'stderr'), warned);
  assert.match(await page.locator('.prompt .busy').textContent(), /container's shell/);
  const prompt = page.getByLabel('kubectl command');
  await prompt.fill('nslookup web-0.nginx');
  await prompt.press('Enter');
  await page.waitForFunction((sel) => [...document.querySelectorAll(`${sel} .stdout`)].map((e) => e.textContent).join('').includes('Name:      web-0.nginx'), last);
  await page.screenshot({ path: join(ARTIFACTS, 'console-session.png') });
  await prompt.fill('exit');
  await prompt.press('Enter');
  await page.waitForFunction((sel) => !document.querySelector(sel).classList.contains('running'), last);
  const text = await printed(entry, 'stdout');
  assert.match(text, /^\/ # nslookup web-0\.nginx\nServer: {4}10\.96\.0\.10\n/);
  assert.match(text, /\/ # exit\nSession ended, resume using 'kubectl attach dns-test -c dns-test -n default -i -t' command\npod "dns-test" deleted from default namespace\n$/, 'kubectl says how to attach again, then that the pod is deleted, after the session ends');
  // As a terminal shows them: kubectl's warnings first, then the shell's prompt, errors where they came.
  assert.ok((await entry.locator('.output').textContent()).startsWith(`${warned}/ # nslookup`));
  assert.deepEqual(problems, []);
  await page.close();
});

test('curl of web-0 by its DNS name returns what was written to its volume before web-0 was deleted and recreated', async () => {
  const { page, problems } = await openPage(env.context, env.server.url);
  await setSpeed(page, '4');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="pod"][data-ready="true"]').length >= 1);
  const write = await runInConsole(page, "kubectl exec web-0 -- sh -c 'echo hello from web-0 > /usr/share/nginx/html/index.html'");
  assert.equal(await printed(write, 'stderr'), '');
  const deleted = await runInConsole(page, 'kubectl delete pod web-0');
  await page.waitForFunction(() => !document.querySelector('.console .transcript .entry:last-child').classList.contains('running'), null, { timeout: 60_000 });
  assert.equal(await printed(deleted, 'stdout'), 'pod "web-0" deleted from default namespace\n');
  // nginx:1.9.1 (the page's image) has no curl; nginx 1.25 does. Ask until the new web-0 is Ready and named.
  const line = 'kubectl run -i --rm --image nginx:1.25 client --restart=Never -- curl -s web-0.nginx';
  let answer = '';
  for (let attempt = 0; attempt < 40 && !answer.includes('hello from web-0'); attempt += 1) {
    const entry = await runInConsole(page, line);
    await page.waitForFunction(() => !document.querySelector('.console .transcript .entry:last-child').classList.contains('running'), null, { timeout: 60_000 });
    answer = (await entry.locator('.stdout').count()) > 0 ? await printed(entry, 'stdout') : '';
  }
  assert.equal(answer, 'hello from web-0\npod "client" deleted from default namespace\n');
  const logs = await runInConsole(page, 'kubectl logs web-0');
  assert.match(await printed(logs, 'stdout'), /"GET \/ HTTP\/1\.1" 200 17 "-" "curl\/7\.88\.1" "-"\n$/);
  await page.screenshot({ path: join(ARTIFACTS, 'console-curl.png') });
  assert.deepEqual(problems, []);
  await page.close();
});

test('the StatefulSet Basics tutorial, every line as written, answers in the page\'s console as in ordinal run', async () => {
  const file = fileURLToPath(new URL('../tutorials/statefulset-basics.yaml', import.meta.url));
  const cli = fileURLToPath(new URL('../../target/release/ordinal', import.meta.url));
  // The native answers, which crates/sim/tests/tutorials.rs holds against the tutorial (scripts/test.sh builds
  // the CLI before these tests).
  const native = execFileSync(cli, ['run', file, '--output', 'jsonl'], { maxBuffer: 64 << 20 }).toString()
    .trim().split('\n').map((line) => JSON.parse(line)).filter((record) => record.type === 'COMMAND');
  const scenario = await readFile(file, 'utf8');
  const link = `${env.server.url}#${shareFragment(JSON.stringify({ v: 1, scenario, at: 1_500_000 }))}`;
  const { page, problems } = await openPage(env.context, link);
  await page.getByRole('tab', { name: 'Console' }).click();
  await page.waitForFunction((n) => document.querySelectorAll('.console .transcript .entry').length >= n, native.length, { timeout: 120_000 });
  const entries = page.locator('.console .transcript .entry');
  assert.equal(await entries.count(), native.length);
  for (let i = 0; i < native.length; i += 1) {
    const entry = entries.nth(i);
    const { command, stdout, stderr } = native[i];
    assert.equal((await entry.locator('.command').textContent()).replace(/^[\d:.]+(?:script\s*)?\$ /i, ''), command, `line ${i}`);
    assert.equal(await printed(entry, 'stdout'), stdout, `${command}: stdout`);
    assert.equal(await printed(entry, 'stderr'), stderr, `${command}: stderr`);
  }
  await page.screenshot({ path: join(ARTIFACTS, 'console-tutorial.png') });
  assert.deepEqual(problems, []);
  await page.close();
});
