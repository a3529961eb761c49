// The editor's picture (web/preview.js) colours YAML as CodeMirror's YAML mode does; the end-to-end test
// editor-loading.test.mjs compares the two on screen for every example. These hold the highlighter to what it
// must never do, lose or add a character, and to the colour of each kind of piece, on lines no example has.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { highlight } from '../../web/preview.js';

const marked = (text) => highlight(text).map((pieces) => pieces.map(([cls, part]) => (cls ? `<${cls}>${part}</>` : part)).join(''));

test('every character of every example and lesson comes back, line for line', async () => {
  for (const dir of ['examples', 'lessons', 'tests/tutorials']) {
    for (const name of (await readdir(dir)).filter((n) => n.endsWith('.yaml'))) {
      const text = await readFile(`${dir}/${name}`, 'utf8');
      const lines = highlight(text).map((pieces) => pieces.map(([, part]) => part).join(''));
      assert.deepEqual(lines, text.split('\n'), `${dir}/${name}`);
    }
  }
});

test('keys, strings, comments, properties and punctuation, as the YAML mode tags them', () => {
  assert.deepEqual(marked([
    '--- # first',
    'a: &anchor "x" # note',
    'b: *anchor',
    'c: !!str 12',
    'cmd: ["sh", "-c", "echo a: b"]',
    'm: {x: 1, "y": \'z\'}',
    'url: http://x:80/a#frag # end',
    '"quoted key": plain value',
    '- - a',
    '  - b: c',
    '? complex',
    ': value',
  ].join('\n')), [
    '<comment>---</> <comment># first</>',
    '<key>a</><punct>:</> <special>&anchor</> <string>"x"</> <comment># note</>',
    '<key>b</><punct>:</> <special>*anchor</>',
    '<key>c</><punct>:</> <special>!!str</> 12',
    '<key>cmd</><punct>:</> <punct>[</><string>"sh"</><punct>,</> <string>"-c"</><punct>,</> <string>"echo a: b"</><punct>]</>',
    '<key>m</><punct>:</> <punct>{</><key>x</><punct>:</> 1<punct>,</> <key>"y"</><punct>:</> <string>\'z\'</><punct>}</>',
    '<key>url</><punct>:</> http://x:80/a#frag <comment># end</>',
    '<key>"quoted key"</><punct>:</> plain value',
    '<punct>-</> <punct>-</> a',
    '  <punct>-</> <key>b</><punct>:</> c',
    '<punct>?</> complex',
    '<punct>:</> value',
  ]);
});

test('a block scalar is content until a line at its key\'s depth, and a flow collection goes on across lines', () => {
  assert.deepEqual(marked([
    'script: |-',
    '  echo "# not a comment"',
    '',
    '  key: not a key',
    'next: [a,',
    '  "b"]',
    'after: 1',
  ].join('\n')), [
    '<key>script</><punct>:</> <special>|-</>',
    '  echo "# not a comment"',
    '',
    '  key: not a key',
    '<key>next</><punct>:</> <punct>[</>a<punct>,</>',
    '  <string>"b"</><punct>]</>',
    '<key>after</><punct>:</> 1',
  ]);
});
