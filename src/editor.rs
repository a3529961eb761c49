//! The manifest editor: every edit is applied like `kubectl apply -f -` at the current simulated time, once
//! typing pauses. What the apiserver refuses is shown on the line it concerns and changes nothing.

use leptos::html::Div;
use leptos::prelude::*;
use ordinal_sim::Cluster;
use std::time::Duration;
use wasm_bindgen::prelude::*;

use crate::app::{Diagnostics, Simulation};

/// How long typing must pause before the manifests are applied.
const DEBOUNCE: Duration = Duration::from_millis(400);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub line: Option<usize>,
    pub message: String,
}

/// Applies the manifests and returns what went wrong, document by document.
pub fn apply_to(cluster: &mut Cluster, manifests: &str) -> Vec<Diagnostic> {
    match cluster.apply(manifests) {
        Err(error) => vec![Diagnostic {
            line: error.line,
            message: error.message,
        }],
        Ok(documents) => documents
            .into_iter()
            .filter_map(|doc| {
                doc.result.err().map(|message| Diagnostic {
                    line: Some(doc.line),
                    message,
                })
            })
            .collect(),
    }
}

// web/editor.js, bundled with CodeMirror and loaded before the app starts.
#[wasm_bindgen]
extern "C" {
    /// A CodeMirror `EditorView`.
    type CodeEditor;

    #[wasm_bindgen(js_namespace = OrdinalEditor, js_name = create)]
    fn create_code_editor(
        parent: &web_sys::HtmlElement,
        text: &str,
        on_change: &Closure<dyn FnMut(String)>,
    ) -> CodeEditor;

    #[wasm_bindgen(js_namespace = OrdinalEditor, js_name = setText)]
    fn set_text(editor: &CodeEditor, text: &str);

    #[wasm_bindgen(js_namespace = OrdinalEditor, js_name = setDiagnostics)]
    fn set_diagnostics(editor: &CodeEditor, diagnostics: js_sys::Array);

    #[wasm_bindgen(method)]
    fn destroy(this: &CodeEditor);
}

/// The editor and the callback it holds: the callback must live exactly as long as the editor that calls it.
struct Mounted {
    editor: CodeEditor,
    _on_change: Closure<dyn FnMut(String)>,
}

/// Diagnostics as web/editor.js takes them: `{ line, message }`, `line` null when the apiserver named none.
fn to_js(diagnostics: &[Diagnostic]) -> js_sys::Array {
    diagnostics
        .iter()
        .map(|d| {
            let mark = js_sys::Object::new();
            let line = d.line.map_or(JsValue::NULL, |l| JsValue::from(l as f64));
            for (key, value) in [("line", line), ("message", JsValue::from_str(&d.message))] {
                js_sys::Reflect::set(&mark, &JsValue::from_str(key), &value)
                    .expect("a plain object takes any property");
            }
            mark
        })
        .collect()
}

#[component]
pub fn Editor(text: RwSignal<String>, diagnostics: Diagnostics) -> impl IntoView {
    let simulation = expect_context::<Simulation>();
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let schedule_apply = move || {
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                let manifests = text.get_untracked();
                if let Some(found) = simulation.update(|cluster| apply_to(cluster, &manifests)) {
                    diagnostics.set(found);
                }
            },
            DEBOUNCE,
        );
        pending.set_value(handle.ok());
    };

    let host = NodeRef::<Div>::new();
    // A signal rather than a stored value, so that the effects below run again once the editor exists.
    let mounted = RwSignal::new_local(None::<Mounted>);
    host.on_load(move |host| {
        let on_change = Closure::<dyn FnMut(String)>::new(move |manifests: String| {
            text.set(manifests);
            schedule_apply();
        });
        let editor = create_code_editor(&host, &text.get_untracked(), &on_change);
        mounted.set(Some(Mounted {
            editor,
            _on_change: on_change,
        }));
    });
    // When the app replaces the manifests; the editor ignores the text it already shows.
    Effect::new(move || {
        mounted.with(|m| {
            if let Some(m) = m {
                text.with(|t| set_text(&m.editor, t));
            }
        })
    });
    Effect::new(move || {
        mounted.with(|m| {
            if let Some(m) = m {
                set_diagnostics(&m.editor, diagnostics.with(|d| to_js(d)));
            }
        })
    });
    on_cleanup(move || {
        if let Some(Some(m)) = mounted.try_update_untracked(Option::take) {
            m.editor.destroy();
        }
    });

    view! {
        <div class="editor" node_ref=host></div>
        <div class="diagnostics" role="status" aria-live="polite">
            <For
                each=move || diagnostics.get()
                key=|d| (d.line, d.message.clone())
                children=|d| {
                    let place = d.line.map(|l| format!("line {l}")).unwrap_or_else(|| "manifest".into());
                    view! {
                        <p class="diagnostic" data-line=d.line.unwrap_or(0)>
                            <span class="where">{place}</span>
                            " "
                            <span class="message">{d.message}</span>
                        </p>
                    }
                }
            />
        </div>
    }
}
