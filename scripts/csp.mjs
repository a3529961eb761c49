// Trunk's post_build hook: gives the page a Content-Security-Policy that lets it run only its own files. Trunk
// writes the code that starts the wasm module as an inline <script>, which such a policy refuses; this moves it
// into a file of its own (named after its content, like every other file trunk writes) and adds the policy as
// a <meta> element, so that it holds on any static host, whatever headers the host sends.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Scripts: only the page's own files, and compiling its WebAssembly. Styles: also inline, which CodeMirror's
// injected style sheets and the stage's computed positions need; a style cannot run script. Nothing may be
// fetched from, framed from or submitted to anywhere else.
export const POLICY = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join('; ');

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) throw new Error('scripts/csp.mjs runs as trunk\'s post_build hook, which sets TRUNK_STAGING_DIR');
const indexPath = join(staging, 'index.html');
let html = readFileSync(indexPath, 'utf8');

const inline = /<script type="module">([\s\S]*?)<\/script>/;
const found = html.match(inline);
if (!found) throw new Error('trunk no longer writes an inline module script: look again at scripts/csp.mjs');
const code = found[1].trim() + '\n';
const name = `start-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.js`;
writeFileSync(join(staging, name), code);
html = html.replace(inline, `<script type="module" src="./${name}"></script>`);
if (/<script(?![^>]*\bsrc=)[^>]*>/.test(html)) throw new Error('an inline script is left in index.html');

html = html.replace('<meta charset="utf-8" />', `<meta charset="utf-8" />\n    <meta http-equiv="Content-Security-Policy" content="${POLICY}" />`);
writeFileSync(indexPath, html);
