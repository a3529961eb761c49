//! The details drawer: the object a learner clicked, as `kubectl describe`, its events and its YAML, kept
//! current as the simulation moves.

use leptos::prelude::*;
use ordinal_sim::view::kubectl;

use crate::app::Simulation;
use crate::console::tab_button;
use crate::i18n::{t, T};

/// An object on the stage, by the resource name kubectl takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selected {
    pub resource: &'static str,
    pub name: String,
    pub namespace: Option<String>,
}

impl Selected {
    pub fn pod(name: &str, namespace: &str) -> Self {
        Selected {
            resource: "pod",
            name: name.into(),
            namespace: Some(namespace.into()),
        }
    }

    pub fn claim(name: &str, namespace: &str) -> Self {
        Selected {
            resource: "pvc",
            name: name.into(),
            namespace: Some(namespace.into()),
        }
    }

    pub fn volume(name: &str) -> Self {
        Selected {
            resource: "pv",
            name: name.into(),
            namespace: None,
        }
    }

    fn namespace_flag(&self) -> String {
        match self.namespace.as_deref() {
            None | Some("default") => String::new(),
            Some(other) => format!(" -n {other}"),
        }
    }

    fn command(&self, tab: Tab) -> String {
        let (resource, name, namespace) = (self.resource, &self.name, self.namespace_flag());
        match tab {
            Tab::Describe => format!("kubectl describe {resource} {name}{namespace}"),
            Tab::Events => {
                format!("kubectl get events --field-selector involvedObject.name={name}{namespace}")
            }
            Tab::Yaml => format!("kubectl get {resource} {name} -o yaml{namespace}"),
        }
    }
}

/// What the drawer shows; `None` when closed.
#[derive(Clone, Copy)]
pub struct Selection(pub RwSignal<Option<Selected>>);

impl Selection {
    /// Attributes and handlers that make a stage element open the drawer, by mouse or keyboard.
    pub fn opener(self, selected: Selected) -> impl Fn() + Clone + 'static {
        move || self.0.set(Some(selected.clone()))
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Tab {
    Describe,
    Events,
    Yaml,
}

#[component]
pub fn DetailsDrawer() -> impl IntoView {
    let simulation = expect_context::<Simulation>();
    let Selection(selection) = expect_context::<Selection>();
    let tab = RwSignal::new(Tab::Describe);
    let text = Memo::new(move |_| {
        let selected = selection.get()?;
        let command = selected.command(tab.get());
        Some(simulation.read(|timeline| {
            let output = kubectl::query(timeline.cluster(), &command);
            format!("$ {command}\n{}{}", output.stdout, output.stderr)
        }))
    });
    view! {
        <Show when=move || selection.with(Option::is_some)>
            <aside
                class="drawer"
                aria-label=move || t(T::Details)
                on:keydown=move |event| {
                    if event.key() == "Escape" {
                        selection.set(None);
                    }
                }
            >
                <header class="drawer-head">
                    <h2>{move || selection.get().map(|s| format!("{}/{}", s.resource, s.name))}</h2>
                    <button class="close" aria-label=move || t(T::CloseDetails) on:click=move |_| selection.set(None)>"✕"</button>
                </header>
                <div class="tabs" role="tablist">
                    {tab_button(tab, Tab::Describe, T::Describe)}
                    {tab_button(tab, Tab::Events, T::Events)}
                    {tab_button(tab, Tab::Yaml, T::Yaml)}
                </div>
                <pre class="drawer-text" role="tabpanel" data-testid="details">{move || text.get()}</pre>
            </aside>
        </Show>
    }
}
