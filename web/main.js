// The page's JavaScript, bundled by esbuild into one IIFE (scripts/bundle.mjs): the editor's stand-in, which
// imports CodeMirror when the editor is reached for, the share links and the locks that tell tabs apart.
// Each sets one global (`OrdinalEditor`, `OrdinalShare`, `OrdinalTabs`) that the wasm app calls.
import './editor.js';
import './share.js';
import './tabs.js';
