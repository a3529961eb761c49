//! The manifest editor: every edit is applied like `kubectl apply -f -` at the current simulated time, once
//! typing pauses. What the apiserver refuses is shown on the line it concerns and changes nothing, and the field
//! under the pointer lights up what it governs on the stage.

mod field_line;
pub mod linking;

use leptos::html::Div;
use leptos::prelude::*;
use ordinal_sim::view::{DocumentOutcome, ManifestError, Timeline};
use std::time::Duration;
use wasm_bindgen::prelude::*;

use crate::app::{Diagnostics, Simulation};
use field_line::{field_at, field_line};
use linking::Hovered;

/// How long typing must pause before the manifests are applied.
const DEBOUNCE: Duration = Duration::from_millis(400);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub line: Option<usize>,
    pub message: String,
}

/// Applies the manifests now, recording the change on the timeline, and returns what went wrong, document by
/// document, each on the line of the field it names.
pub fn apply_to(timeline: &mut Timeline, manifests: &str) -> Vec<Diagnostic> {
    diagnose(manifests, timeline.apply_manifests(manifests))
}

/// What applying the manifests now would report, without applying them: shown at every keystroke, while the
/// apply itself waits for typing to pause.
pub fn check(timeline: &Timeline, manifests: &str) -> Vec<Diagnostic> {
    diagnose(manifests, timeline.check_manifests(manifests))
}

fn diagnose(
    manifests: &str,
    outcome: Result<Vec<DocumentOutcome>, ManifestError>,
) -> Vec<Diagnostic> {
    match outcome {
        Err(error) => vec![Diagnostic {
            line: error.line,
            message: error.message,
        }],
        Ok(documents) => documents
            .into_iter()
            .filter_map(|doc| {
                doc.result.err().map(|message| Diagnostic {
                    line: Some(field_line(manifests, doc.line, &message)),
                    message,
                })
            })
            .collect(),
    }
}

// web/editor.js, loaded before the app starts: a picture of the manifests until the editor is reached for,
// then CodeMirror, imported on that first reach.
#[wasm_bindgen]
extern "C" {
    /// The editor: its picture, then a CodeMirror `EditorView` in the same place.
    type CodeEditor;

    #[wasm_bindgen(js_namespace = OrdinalEditor, js_name = create)]
    fn create_code_editor(
        parent: &web_sys::HtmlElement,
        text: &str,
        on_change: &Closure<dyn FnMut(String)>,
        on_hover: &Closure<dyn FnMut(u32)>,
    ) -> CodeEditor;

    #[wasm_bindgen(js_namespace = OrdinalEditor, js_name = setText)]
    fn set_text(editor: &CodeEditor, text: &str);

    #[wasm_bindgen(js_namespace = OrdinalEditor, js_name = setDiagnostics)]
    fn set_diagnostics(editor: &CodeEditor, diagnostics: js_sys::Array);

    #[wasm_bindgen(method)]
    fn destroy(this: &CodeEditor);
}

/// The editor and the callbacks it holds: they must live exactly as long as the editor that calls them.
struct Mounted {
    editor: CodeEditor,
    _on_change: Closure<dyn FnMut(String)>,
    _on_hover: Closure<dyn FnMut(u32)>,
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
    let hovered = expect_context::<Hovered>();
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let schedule_apply = move || {
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                let manifests = text.get_untracked();
                if let Some(found) = simulation.update(|timeline| apply_to(timeline, &manifests)) {
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
            diagnostics.set(simulation.timeline.with_value(|t| check(t, &manifests)));
            text.set(manifests);
            schedule_apply();
        });
        let on_hover = Closure::<dyn FnMut(u32)>::new(move |line: u32| {
            let field = text.with_untracked(|manifests| field_at(manifests, line as usize));
            hovered.0.set(field);
        });
        let editor = create_code_editor(&host, &text.get_untracked(), &on_change, &on_hover);
        mounted.set(Some(Mounted {
            editor,
            _on_change: on_change,
            _on_hover: on_hover,
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
                    let place = move || crate::i18n::place_of(d.line);
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

#[cfg(test)]
mod tests {
    use super::*;
    use ordinal_sim::view::Scenario;

    fn web() -> (Timeline, String) {
        let scenario = Scenario::parse(include_str!("../../examples/web.yaml")).unwrap();
        (Timeline::new(scenario.config), scenario.manifests)
    }

    /// The first line, after the line `after`, that reads `text` (1-based).
    fn line_of(manifests: &str, after: &str, text: &str) -> usize {
        let lines: Vec<&str> = manifests.lines().collect();
        let start = lines.iter().position(|l| *l == after).unwrap();
        start
            + lines[start..]
                .iter()
                .position(|l| l.trim() == text)
                .unwrap()
            + 1
    }

    #[test]
    fn a_refused_field_is_reported_on_its_line_with_the_apiservers_message() {
        let (mut timeline, manifests) = web();
        assert_eq!(apply_to(&mut timeline, &manifests), vec![]);
        let refused = manifests.replace("replicas: 3", "replicas: -1");
        assert_eq!(
            apply_to(&mut timeline, &refused),
            vec![Diagnostic {
                line: Some(line_of(&refused, "kind: StatefulSet", "replicas: -1")),
                message: "The StatefulSet \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0".into(),
            }]
        );
    }

    #[test]
    fn checking_as_one_types_reports_what_the_apply_will() {
        let (mut timeline, manifests) = web();
        apply_to(&mut timeline, &manifests);
        let refused = manifests.replace("replicas: 3", "replicas: -1");
        let checked = check(&timeline, &refused);
        assert_eq!(checked.len(), 1);
        assert_eq!(checked, apply_to(&mut timeline, &refused));
    }

    #[test]
    fn a_change_to_an_immutable_field_is_refused_on_its_line() {
        let (mut timeline, manifests) = web();
        apply_to(&mut timeline, &manifests);
        let changed = manifests.replace("serviceName: \"nginx\"", "serviceName: \"other\"");
        let found = apply_to(&mut timeline, &changed);
        assert_eq!(found.len(), 1);
        assert!(found[0]
            .message
            .contains("spec: Forbidden: updates to statefulset spec"));
        assert_eq!(
            found[0].line,
            Some(line_of(&changed, "kind: StatefulSet", "spec:"))
        );
    }
}
