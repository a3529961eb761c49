// The page's JavaScript, bundled by esbuild into one IIFE (see Trunk.toml): the editor, the share links and the
// locks that tell tabs apart.
// Each sets one global (`OrdinalEditor`, `OrdinalShare`, `OrdinalTabs`) that the wasm app calls.
import './editor.js';
import './share.js';
import './tabs.js';
