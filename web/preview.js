// The manifests as the editor will show them, drawn before CodeMirror is loaded: the same lines, line numbers,
// colours and geometry (style/main.css, `.editor-preview`), so that the editor taking its place changes nothing
// on the screen. The colours are those @lezer/yaml's style tags give and web/codemirror.js's HighlightStyle
// paints: keys, quoted strings, comments and document markers, anchors, aliases, tags and block headers, and
// the punctuation. Plain scalars are left as they are there too.

/// Classes of the pieces of a line (`null`: unstyled), as web/codemirror.js's HighlightStyle colours them.
const KEY = 'key';
const STRING = 'string';
const COMMENT = 'comment';
const SPECIAL = 'special';
const PUNCTUATION = 'punct';

const QUOTED = /^("(?:[^"\\]|\\.)*"?|'(?:[^']|'')*'?)/;
const KEY_AHEAD = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"[\]{},&*!|>?-][^\n]*?|-[^\s][^\n]*?)(\s*)(:)(?=\s|$)/;
const BLOCK_HEADER = /^[|>][-+0-9]*(?=\s|$)/;

/// Splits the manifests into lines of `[class, text]` pieces. Block scalars (`|`, `>`) and flow collections
/// (`[ ]`, `{ }`) carry over to the lines after them, as the parser's state does.
export function highlight(text) {
  const state = { block: null, flow: 0 };
  return text.split('\n').map((line) => highlightLine(line, state));
}

function highlightLine(line, state) {
  const pieces = [];
  const push = (cls, part) => part && pieces.push([cls, part]);
  const indent = line.length - line.trimStart().length;
  if (state.block !== null) {
    if (line.trim() === '' || indent > state.block) return [[null, line]];
    state.block = null;
  }
  let rest = line;
  push(null, rest.slice(0, indent));
  rest = rest.slice(indent);
  if (state.flow > 0) {
    flowValue(rest, state, push);
    return pieces;
  }
  if (indent === 0 && /^(---|\.\.\.)(?=\s|$)/.test(rest)) {
    push(COMMENT, rest.slice(0, 3));
    rest = rest.slice(3);
  }
  // Sequence dashes and explicit key and value marks, as many as the line opens with (`- - a`, `- name: x`).
  for (let m; (m = /^([-?:])(\s+|$)/.exec(rest)); rest = rest.slice(m[0].length)) {
    push(PUNCTUATION, m[1]);
    push(null, m[2]);
  }
  const key = KEY_AHEAD.exec(rest);
  if (key && !/\s#/.test(key[1])) {
    push(KEY, key[1]);
    push(null, key[2]);
    push(PUNCTUATION, key[3]);
    rest = rest.slice(key[0].length);
  }
  value(rest, indent, state, push);
  return pieces;
}

/// What follows a key or a dash: properties, then a scalar, a block header or a flow collection, then a comment.
function value(rest, indent, state, push) {
  for (;;) {
    const space = /^\s*/.exec(rest)[0];
    push(null, space);
    rest = rest.slice(space.length);
    const property = /^[&*!][^\s]*/.exec(rest);
    if (!property) break;
    push(SPECIAL, property[0]);
    rest = rest.slice(property[0].length);
  }
  if (rest.startsWith('#')) return push(COMMENT, rest);
  const header = BLOCK_HEADER.exec(rest);
  if (header) {
    push(SPECIAL, header[0]);
    state.block = indent;
    return comment(rest.slice(header[0].length), push);
  }
  if (rest.startsWith('[') || rest.startsWith('{')) return flowValue(rest, state, push);
  const quoted = QUOTED.exec(rest);
  if (quoted) {
    push(STRING, quoted[0]);
    return comment(rest.slice(quoted[0].length), push);
  }
  const plain = /^(.*?)(\s+#.*)?$/.exec(rest);
  push(null, plain[1]);
  if (plain[2]) comment(plain[2], push);
}

/// Spaces, then a comment or whatever else is left as it is.
function comment(rest, push) {
  const m = /^(\s*)(#.*)?(.*)$/.exec(rest);
  push(null, m[1]);
  push(COMMENT, m[2]);
  push(null, m[3]);
}

/// Inside `[ ]` and `{ }`: brackets, commas and colons are punctuation, quoted scalars strings, and a plain
/// scalar before a colon a key.
function flowValue(rest, state, push) {
  while (rest !== '') {
    let m;
    if ((m = /^\s+/.exec(rest))) {
      push(null, m[0]);
    } else if ((m = /^[[{]/.exec(rest))) {
      state.flow += 1;
      push(PUNCTUATION, m[0]);
    } else if ((m = /^[\]}]/.exec(rest))) {
      state.flow = Math.max(0, state.flow - 1);
      push(PUNCTUATION, m[0]);
    } else if ((m = /^[,:]/.exec(rest))) {
      push(PUNCTUATION, m[0]);
    } else if ((m = /^#.*/.exec(rest))) {
      push(COMMENT, m[0]);
    } else if ((m = QUOTED.exec(rest))) {
      push(/^\s*:/.test(rest.slice(m[0].length)) ? KEY : STRING, m[0]);
    } else {
      m = /^(?:[^\s,[\]{}:]|:(?!\s|$|[,\]}]))+/.exec(rest) ?? [rest[0]];
      push(/^\s*:(?:\s|$|[,\]}])/.test(rest.slice(m[0].length)) ? KEY : null, m[0]);
    }
    rest = rest.slice(m[0].length);
  }
}

/// Draws the lines into `lines` and, beside them, their numbers and the lint gutter into `gutter`, marking
/// `marked` (1-based line numbers, the apiserver's diagnostics) as the lint gutter and underline do. Line 1 is
/// the active line, as it is in an editor that has not been clicked. Text goes in as text, never as markup.
export function draw(text, marked, { gutter, lines }) {
  const rows = highlight(text);
  gutter.replaceChildren(...rows.map((_, i) => {
    const element = row(i + 1, 'gutter-row', marked);
    element.append(span('number', String(i + 1)), span('lint', ''));
    return element;
  }));
  lines.replaceChildren(...rows.map((pieces, i) => {
    const element = row(i + 1, 'line', marked);
    for (const [cls, part] of pieces) element.append(cls === null ? part : span(`tok-${cls}`, part));
    if (pieces.length === 0) element.append(document.createElement('br'));
    return element;
  }));
}

function row(number, cls, marked) {
  const element = document.createElement('div');
  element.className = cls + (number === 1 ? ' active' : '') + (marked.has(number) ? ' marked' : '');
  element.dataset.line = String(number);
  return element;
}

function span(cls, text) {
  const element = document.createElement('span');
  element.className = cls;
  element.textContent = text;
  return element;
}
