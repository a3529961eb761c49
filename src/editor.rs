//! The manifest editor: every edit is applied like `kubectl apply -f -` at the current simulated time, once
//! typing pauses. What the apiserver refuses is shown on the line it concerns and changes nothing.

use leptos::prelude::*;
use ordinal_sim::timeline::Timeline;
use std::time::Duration;

use crate::app::{Diagnostics, Simulation};

/// How long typing must pause before the manifests are applied.
const DEBOUNCE: Duration = Duration::from_millis(400);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub line: Option<usize>,
    pub message: String,
}

/// Applies the manifests now, recording the change on the timeline, and returns what went wrong, document by
/// document.
pub fn apply_to(timeline: &mut Timeline, manifests: &str) -> Vec<Diagnostic> {
    match timeline.apply_manifests(manifests) {
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
                if let Some(found) = simulation.update(|timeline| apply_to(timeline, &manifests)) {
                    diagnostics.set(found);
                }
            },
            DEBOUNCE,
        );
        pending.set_value(handle.ok());
    };
    let line_count = move || text.with(|t| t.lines().count().max(1));
    let marked_lines =
        move || diagnostics.with(|d| d.iter().filter_map(|d| d.line).collect::<Vec<_>>());
    view! {
        <div class="editor">
            <div class="gutter" aria-hidden="true">
                {move || {
                    let marked = marked_lines();
                    (1..=line_count())
                        .map(|n| {
                            let class = if marked.contains(&n) { "line-number marked" } else { "line-number" };
                            view! { <div class=class>{n}</div> }
                        })
                        .collect_view()
                }}
            </div>
            <textarea
                class="code"
                aria-label="Kubernetes manifests (YAML)"
                spellcheck="false"
                rows=move || line_count() + 1
                prop:value=move || text.get()
                on:input=move |ev| {
                    text.set(event_target_value(&ev));
                    schedule_apply();
                }
            ></textarea>
        </div>
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
