// Trunk's pre_build hook: bundles the page's JavaScript with esbuild, in two parts.
//
// - target/web/bundle.js, one IIFE that index.html loads before the wasm app: the share links, the tab locks and
//   the editor's stand-in (web/main.js). A few kilobytes.
// - target/web/lazy/editor-HASH.js, an ES module with CodeMirror (web/codemirror.js), about 120 KB gzipped,
//   which the stand-in imports only when a reader reaches for the editor. index.html copies the directory into
//   dist/ as it is; the hash in the name (esbuild's, of the content) tells browsers and caches apart two builds,
//   as trunk's own hashes do for every other file, and bundle.js learns the name through a define.
//
// Both land in target/, which is not committed; trunk serve ignores the writes a build makes while it runs.
//
//   node scripts/bundle.mjs
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { basename } from 'node:path';

const LAZY = 'target/web/lazy';
rmSync(LAZY, { recursive: true, force: true });

const common = { bundle: true, minify: true, logLevel: 'warning' };

const editor = await build({
  ...common,
  entryPoints: { editor: 'web/codemirror.js' },
  format: 'esm',
  outdir: LAZY,
  entryNames: '[name]-[hash]',
  metafile: true,
});
const [editorFile] = Object.keys(editor.metafile.outputs);

await build({
  ...common,
  entryPoints: ['web/main.js'],
  format: 'iife',
  outfile: 'target/web/bundle.js',
  define: { EDITOR_MODULE: JSON.stringify(`lazy/${basename(editorFile)}`) },
});
