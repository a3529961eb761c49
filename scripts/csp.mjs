// Trunk's post_build hook: gives the page a Content-Security-Policy that lets it run only its own files. Trunk
// writes the code that starts the wasm module as an inline <script>, and `trunk serve` adds its live-reload client
// as another; such a policy refuses both. This moves every inline script into a file of its own (named after its
// content, like every other file trunk writes) and adds the policy as a <meta> element, so that it holds on any
// static host, whatever headers the host sends, and under `trunk serve` alike.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Scripts: only the page's own files, and compiling its WebAssembly. Styles: also inline, which CodeMirror's
// injected style sheets and the stage's computed positions need; a style cannot run script. Nothing may be
// fetched from, framed from or submitted to anywhere else. ('self' in connect-src also admits a WebSocket to the
// page's own host and port, CSP Level 3: trunk serve's live reload.)
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

// trunk serve's live-reload client (trunk's src/autoreload.js) carries two placeholders that trunk fills in when
// it serves index.html, and only there. In a file of its own it reads them from its <script> element instead:
// the websocket's path from an attribute that trunk fills in, and the address from the page's own, which is
// what trunk would put there for a page it serves itself.
const RELOAD = {
  address: "'{{__TRUNK_ADDRESS__}}'",
  base: "'{{__TRUNK_WS_BASE__}}'",
};

/// The script's code as it runs from a file, and the attributes its element needs for that.
function asFile(code) {
  if (!code.includes(RELOAD.address)) return { code, attributes: '' };
  return {
    code: code
      .replace(RELOAD.address, 'window.location.host')
      .replace(RELOAD.base, "(document.currentScript && document.currentScript.dataset.wsBase) || '/'"),
    attributes: ' data-ws-base="{{__TRUNK_WS_BASE__}}"',
  };
}

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) throw new Error('scripts/csp.mjs runs as trunk\'s post_build hook, which sets TRUNK_STAGING_DIR');
const indexPath = join(staging, 'index.html');
let html = readFileSync(indexPath, 'utf8');

const inlineScript = /<script((?![^>]*\bsrc=)[^>]*)>([\s\S]*?)<\/script>/g;
let moved = 0;
html = html.replace(inlineScript, (element, attributes, body) => {
  if (body.trim() === '') return element;
  const { code, attributes: extra } = asFile(body.trim() + '\n');
  const name = `script-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.js`;
  writeFileSync(join(staging, name), code);
  moved += 1;
  return `<script${attributes}${extra} src="./${name}"></script>`;
});
if (!/<script type="module" src="\.\/script-[0-9a-f]{16}\.js"><\/script>/.test(html)) {
  throw new Error('trunk no longer writes an inline module script to start the app: look again at scripts/csp.mjs');
}
if (/<script(?![^>]*\bsrc=)[^>]*>\s*\S/.test(html)) throw new Error('an inline script is left in index.html');

html = html.replace('<meta charset="utf-8" />', `<meta charset="utf-8" />\n    <meta http-equiv="Content-Security-Policy" content="${POLICY}" />`);
writeFileSync(indexPath, html);
console.log(`scripts/csp.mjs: ${moved} inline script${moved === 1 ? '' : 's'} moved into files, policy added`);
