// The manifest editor: CodeMirror 6 with YAML highlighting and the apiserver's diagnostics as lint marks.
// esbuild bundles this file, CodeMirror included, into a module of its own (scripts/bundle.mjs) that
// web/editor.js imports only when someone reaches for the editor: about 120 KB gzipped that a page whose
// reader only watches, and an embedded player without an editor, never fetch.
import { EditorView, minimalSetup } from 'codemirror';
import { Annotation, EditorState } from '@codemirror/state';
import { lineNumbers, highlightActiveLine, highlightActiveLineGutter } from '@codemirror/view';
import { bracketMatching, indentOnInput, syntaxHighlighting, HighlightStyle } from '@codemirror/language';
import { yaml } from '@codemirror/lang-yaml';
import { forEachDiagnostic, lintGutter, setDiagnostics as lintDiagnostics } from '@codemirror/lint';
import { tags } from '@lezer/highlight';

// Colours come from the page's CSS variables, so the editor follows the app's light and dark themes
// without a second theme to keep in step.
const theme = EditorView.theme({
  '&': { height: '100%', color: 'var(--ink)', backgroundColor: 'var(--panel)', fontSize: '14px' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.5' },
  '.cm-content': { caretColor: 'var(--ink)' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--ink)' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection':
    { backgroundColor: 'var(--code-selection)' },
  '.cm-activeLine': { backgroundColor: 'var(--code-active-line)' },
  '.cm-gutters': { backgroundColor: 'var(--panel)', color: 'var(--muted)', borderRight: '1px solid var(--line)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--code-active-line)', color: 'var(--ink)' },
  '&.cm-focused .cm-matchingBracket': { backgroundColor: 'var(--code-selection)', outline: '1px solid var(--muted)' },
  '.cm-tooltip': { backgroundColor: 'var(--panel)', color: 'var(--ink)', border: '1px solid var(--line)' },
  '.cm-diagnostic': { fontFamily: 'var(--mono)', fontSize: '13px', whiteSpace: 'pre-wrap' },
  '.cm-diagnostic-error': { borderLeftColor: 'var(--danger)' },
});

const highlighting = HighlightStyle.define([
  { tag: tags.definition(tags.propertyName), color: 'var(--code-key)' },
  { tag: tags.string, color: 'var(--code-string)' },
  { tag: [tags.lineComment, tags.meta], color: 'var(--muted)', fontStyle: 'italic' },
  { tag: [tags.labelName, tags.typeName, tags.special(tags.string)], color: 'var(--code-special)' },
  { tag: [tags.separator, tags.punctuation, tags.squareBracket, tags.brace], color: 'var(--muted)' },
]);

// Marks the transactions that setText makes.
const fromApp = Annotation.define();

// `onHover` hears the 1-based line under the pointer, 0 when it leaves the text: the app knows which field
// that is (src/editor/field_line.rs) and lights up what it governs on the stage.
function create(parent, text, onChange, onHover) {
  let hovered = 0;
  const hover = (line) => {
    if (line !== hovered) onHover((hovered = line));
  };
  return new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [
        minimalSetup,
        lineNumbers(),
        highlightActiveLine(),
        highlightActiveLineGutter(),
        bracketMatching(),
        indentOnInput(),
        yaml(),
        syntaxHighlighting(highlighting),
        lintGutter(),
        theme,
        EditorView.contentAttributes.of({ 'aria-label': 'Kubernetes manifests (YAML)' }),
        EditorView.domEventHandlers({
          mousemove(event, view) {
            const pos = view.posAtCoords({ x: event.clientX, y: event.clientY });
            hover(pos === null ? 0 : view.state.doc.lineAt(pos).number);
          },
          mouseleave() {
            hover(0);
          },
        }),
        EditorView.updateListener.of((update) => {
          // setText brings text the app already holds: echoing it back would schedule an apply nobody asked for.
          if (update.docChanged && !update.transactions.some((tr) => tr.annotation(fromApp))) {
            onChange(update.state.doc.toString());
          }
        }),
      ],
    }),
  });
}

// The app calls this whenever its text changes, the changes typed here included: those are already shown.
function setText(view, text) {
  if (view.state.doc.toString() === text) return;
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text }, annotations: fromApp.of(true) });
}

// The apiserver names a line, not a range: the mark covers that line from its first non-blank character, and a
// diagnostic without a line (or past the end, after the text has shrunk) lands on the nearest line there is.
function setDiagnostics(view, diagnostics) {
  const doc = view.state.doc;
  const marks = diagnostics.map(({ line, message }) => {
    const at = doc.line(Math.min(Math.max(line ?? 1, 1), doc.lines));
    const from = at.from + (at.text.length - at.text.trimStart().length);
    return { from, to: at.to, severity: 'error', message };
  });
  // Setting diagnostics closes an open lint tooltip, so the same marks again (a check at the keystroke, then
  // the apply once typing pauses) would close the tooltip a person is reading.
  if (sameMarks(view.state, marks)) return;
  view.dispatch(lintDiagnostics(view.state, marks));
}

function sameMarks(state, marks) {
  const shown = [];
  forEachDiagnostic(state, (d, from, to) => shown.push({ from, to, message: d.message }));
  // The lint state keeps its marks in document order.
  const wanted = [...marks].sort((a, b) => a.from - b.from || a.to - b.to);
  return shown.length === wanted.length &&
    shown.every((s, i) => s.from === wanted[i].from && s.to === wanted[i].to && s.message === wanted[i].message);
}

// Takes the keyboard where the reader clicked the preview (`point`, in client pixels), or at the start.
function focus(view, point) {
  const at = point ? view.posAtCoords(point) : null;
  if (at !== null) view.dispatch({ selection: { anchor: at }, scrollIntoView: true });
  view.focus();
}

export { create, setText, setDiagnostics, focus };
