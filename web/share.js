// Share links and exports: what the browser does better than the wasm module. The state travels in the
// address's fragment (never sent to a server) as `#v1.` followed by the JSON the app wrote, compressed with the
// browser's own deflate and encoded as base64url. Decoding is bounded: a link too long, not base64url, not
// deflate, or inflating past the limit is refused with a message, and inflating stops at the limit, so a
// crafted link cannot make the page hang or run out of memory.

const VERSION = 'v1';
/// Longer than any address a browser keeps; a real scenario with a long history fits in a few kilobytes.
const MAX_ENCODED = 512 * 1024;
/// The decompressed state: far above any scenario written by hand, far below what would strain the page.
const MAX_DECODED = 4 * 1024 * 1024;

function toBase64Url(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url');
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function encode(json) {
  const stream = new Blob([json]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  return `${VERSION}.${toBase64Url(bytes)}`;
}

/// The JSON a fragment holds, or `{ problem, detail }` saying why there is none; the app words the problem in
/// the page's language.
async function decode(fragment) {
  try {
    const text = fragment.replace(/^#/, '');
    const dot = text.indexOf('.');
    const version = dot < 0 ? '' : text.slice(0, dot);
    if (version !== VERSION) {
      return version.startsWith('v') ? { problem: 'newer', detail: version } : { problem: 'foreign', detail: '' };
    }
    if (text.length > MAX_ENCODED) return { problem: 'too-long', detail: String(text.length) };
    const bytes = fromBase64Url(text.slice(dot + 1));
    const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
    const chunks = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > MAX_DECODED) {
        await reader.cancel();
        return { problem: 'too-big', detail: String(MAX_DECODED / 1024 / 1024) };
      }
      chunks.push(value);
    }
    return { json: new TextDecoder('utf-8', { fatal: true }).decode(await new Blob(chunks).arrayBuffer()) };
  } catch (error) {
    return { problem: 'damaged', detail: String(error.message || error) };
  }
}

function download(filename, mime, text) {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  const link = Object.assign(document.createElement('a'), { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/// Text as an XML attribute value.
const attribute = (text) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/// A picture of an element as SVG: the element's markup in a foreignObject, with the page's style sheets and
/// the theme's colours inlined, so it looks the same opened on its own.
function pictureSvg(element) {
  const { width, height } = element.getBoundingClientRect();
  const css = [...document.styleSheets].flatMap((sheet) => {
    try { return [...sheet.cssRules].map((rule) => rule.cssText); } catch { return []; }
  }).join('\n');
  const root = getComputedStyle(document.documentElement);
  const variables = [...root].filter((name) => name.startsWith('--')).map((name) => `${name}: ${root.getPropertyValue(name)};`).join(' ');
  const body = getComputedStyle(document.body);
  const style = `${variables} background: ${body.backgroundColor}; color: ${body.color}; font: ${body.font};`;
  const markup = new XMLSerializer().serializeToString(element);
  const w = Math.ceil(width);
  const h = Math.ceil(Math.max(element.scrollHeight, height));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">` +
    `<foreignObject width="100%" height="100%"><div xmlns="http://www.w3.org/1999/xhtml" style="${attribute(style)}">` +
    `<style><![CDATA[${css.replace(/]]>/g, ']]]]><![CDATA[>')}]]></style>${markup}</div></foreignObject></svg>`;
}

async function copyText(text) {
  await navigator.clipboard.writeText(text);
  return '';
}

/// The text of the file chosen in a file input, refused past `mostBytes`.
async function readFile(input, mostBytes) {
  const file = input.files?.[0];
  if (!file) return { problem: 'no-file', detail: '' };
  if (file.size > mostBytes) return { problem: 'file-too-big', detail: `${file.name} ${Math.ceil(file.size / 1024)}` };
  return { text: await file.text() };
}

window.OrdinalShare = { encode, decode, download, pictureSvg, copyText, readFile };
