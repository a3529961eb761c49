// The manifest editor as the wasm app drives it, through the global `OrdinalEditor` (src/editor/mod.rs).
//
// CodeMirror is most of the page's JavaScript (about 120 KB gzipped) and many readers never type a manifest:
// they watch, or the page is an embedded player. So the editor starts as its own picture (web/preview.js:
// the same text, colours and geometry) and CodeMirror (web/codemirror.js, a module of its own: see
// scripts/bundle.mjs) is imported when a reader reaches for it: a pointer over the editor, a touch, or the
// keyboard's focus. A click or the focus then goes on in the editor, where the reader clicked. Until then the
// text and the diagnostics the app sets are drawn in the picture, and hovering a line there lights up what it
// governs on the stage, as in the editor.
import { draw } from './preview.js';

/// Where the module lies, relative to the page (scripts/bundle.mjs defines it).
const MODULE = new URL(EDITOR_MODULE, document.baseURI).href;
const LABEL = 'Kubernetes manifests (YAML)';

let loading = null;
let failures = 0;
/// CodeMirror's module, imported once for every editor of the page. The browser keeps a failed import's
/// failure for its address, so a retry asks under another one.
function codeMirror() {
  loading ??= import(failures === 0 ? MODULE : `${MODULE}?retry=${failures}`).catch((error) => {
    loading = null;
    failures += 1;
    throw error;
  });
  return loading;
}

class Editor {
  constructor(parent, text, onChange, onHover) {
    Object.assign(this, { parent, text, onChange, onHover, marks: [], view: null, cm: null, gone: false });
    this.hovered = 0;
    this.wantsKeys = null;
    this.preview = this.drawPreview();
  }

  drawPreview() {
    const preview = Object.assign(document.createElement('div'), { className: 'editor-preview', tabIndex: 0 });
    preview.setAttribute('role', 'textbox');
    preview.setAttribute('aria-multiline', 'true');
    preview.setAttribute('aria-label', LABEL);
    this.gutter = Object.assign(document.createElement('div'), { className: 'gutter' });
    this.gutter.setAttribute('aria-hidden', 'true');
    this.lines = Object.assign(document.createElement('div'), { className: 'content' });
    preview.append(this.gutter, this.lines);
    this.redraw();
    const reach = () => this.upgrade();
    preview.addEventListener('pointerenter', reach);
    preview.addEventListener('touchstart', reach, { passive: true });
    preview.addEventListener('focus', () => this.upgrade({ keys: null }));
    // The click's own place, so that the editor's cursor lands where the reader clicked.
    preview.addEventListener('pointerdown', (event) => this.upgrade({ keys: { x: event.clientX, y: event.clientY } }));
    preview.addEventListener('mousemove', (event) => this.hover(Number(event.target.closest?.('[data-line]')?.dataset.line ?? 0)));
    preview.addEventListener('mouseleave', () => this.hover(0));
    this.parent.append(preview);
    return preview;
  }

  redraw() {
    draw(this.text, new Set(this.marks.map((m) => m.line ?? 1)), { gutter: this.gutter, lines: this.lines });
  }

  hover(line) {
    if (line !== this.hovered) this.onHover((this.hovered = line));
  }

  /// Imports CodeMirror, if it is not here yet, and puts the editor in the picture's place. `keys`, when given,
  /// asks for the keyboard too: at a point of the screen, or (null) where the cursor would be.
  upgrade({ keys } = {}) {
    if (keys !== undefined && this.wantsKeys === null) this.wantsKeys = { at: keys };
    if (this.view !== null) return;
    codeMirror().then(
      (cm) => this.replacePreview(cm),
      (error) => this.failed(error),
    );
  }

  replacePreview(cm) {
    if (this.gone || this.view !== null) return;
    const top = this.preview.scrollTop;
    this.hover(0);
    this.preview.remove();
    this.cm = cm;
    this.view = cm.create(this.parent, this.text, this.onChange, this.onHover);
    cm.setDiagnostics(this.view, this.marks);
    this.view.scrollDOM.scrollTop = top;
    if (this.wantsKeys !== null) cm.focus(this.view, this.wantsKeys.at);
  }

  /// The picture stays, and says why nothing can be typed; the next reach tries again.
  failed(error) {
    this.preview.title = `The editor could not be loaded (${error.message}); reach for it again, or reload the page.`;
    console.warn(this.preview.title);
  }

  setText(text) {
    this.text = text;
    if (this.view !== null) this.cm.setText(this.view, text);
    else this.redraw();
  }

  setDiagnostics(marks) {
    this.marks = marks;
    if (this.view !== null) this.cm.setDiagnostics(this.view, marks);
    else this.redraw();
  }

  destroy() {
    this.gone = true;
    this.view?.destroy();
    this.preview.remove();
  }
}

window.OrdinalEditor = {
  create: (parent, text, onChange, onHover) => new Editor(parent, text, onChange, onHover),
  setText: (editor, text) => editor.setText(text),
  setDiagnostics: (editor, marks) => editor.setDiagnostics(marks),
};
