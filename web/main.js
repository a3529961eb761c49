// The page's JavaScript, bundled by esbuild into one IIFE (see Trunk.toml): the editor and the share links.
// Each sets one global (`OrdinalEditor`, `OrdinalShare`) that the wasm app calls.
import './editor.js';
import './share.js';
