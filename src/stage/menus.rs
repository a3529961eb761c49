//! The `⋯` menus on pods and nodes: each action as the command or fault it stands for, run through the
//! console, with what it printed shown under the menu.

use leptos::prelude::*;
use ordinal_sim::view::{Action, Fault, ObjectKey};

use super::slots::Place;
use crate::app::Simulation;
use crate::console::{Entry, ShownOutput, Source, Terminal};
use crate::i18n::{t, T};

/// How a menu item is named: in the page's language, or as the command it runs (`hostname`, `ls /`).
#[derive(Clone, Copy)]
pub(super) enum MenuLabel {
    Said(T),
    Command(&'static str),
}

impl MenuLabel {
    fn text(self) -> &'static str {
        match self {
            MenuLabel::Said(text) => t(text),
            MenuLabel::Command(command) => command,
        }
    }
}

pub(super) fn node_actions(node: &str) -> Vec<(MenuLabel, Action)> {
    let kubectl = |rest: String| Action::Run(format!("kubectl {rest}"));
    vec![
        (
            MenuLabel::Said(T::Cordon),
            kubectl(format!("cordon {node}")),
        ),
        (
            MenuLabel::Said(T::Uncordon),
            kubectl(format!("uncordon {node}")),
        ),
        (
            MenuLabel::Said(T::Drain),
            kubectl(format!(
                "drain {node} --ignore-daemonsets --delete-emptydir-data"
            )),
        ),
        (
            MenuLabel::Said(T::NodeDown),
            Action::Inject(Fault::NodeDown { node: node.into() }),
        ),
        (
            MenuLabel::Said(T::NodeUp),
            Action::Inject(Fault::NodeUp { node: node.into() }),
        ),
    ]
}

/// What a learner can do to a pod, each as the command or fault it stands for.
pub(super) fn pod_actions(pod: &str, place: &Place) -> Vec<(MenuLabel, Action)> {
    let key = ObjectKey::new(place.namespace.clone(), pod);
    let namespace = match place.namespace.as_str() {
        "default" => String::new(),
        other => format!(" -n {other}"),
    };
    let kubectl = |rest: String| Action::Run(format!("kubectl {rest}{namespace}"));
    let mut actions = vec![
        (
            MenuLabel::Said(T::Delete),
            kubectl(format!("delete pod {pod}")),
        ),
        (
            MenuLabel::Said(T::ForceDelete),
            kubectl(format!("delete pod {pod} --grace-period=0 --force")),
        ),
        (
            MenuLabel::Said(T::Crash),
            Action::Inject(Fault::Crash { pod: key.clone() }),
        ),
        (
            MenuLabel::Said(T::MakeNotReady),
            Action::Inject(Fault::NotReady { pod: key.clone() }),
        ),
        (
            MenuLabel::Said(T::MakeReady),
            Action::Inject(Fault::Ready { pod: key }),
        ),
        (
            MenuLabel::Command("hostname"),
            kubectl(format!("exec {pod} -- hostname")),
        ),
        (
            MenuLabel::Command("ls /"),
            kubectl(format!("exec {pod} -- ls /")),
        ),
    ];
    // From a throwaway busybox pod, as the course notes do: the pod's own image (nginx) has no nslookup.
    if !place.service.is_empty() {
        let lookup = format!(
            "kubectl run -i --rm --image busybox:1.28.4 dns-test --restart=Never{namespace} -- nslookup {pod}.{}",
            place.service
        );
        actions.push((MenuLabel::Command("nslookup"), Action::Run(lookup)));
    }
    actions
}

/// A menu of actions while `shown`, and under it what the last action printed: where the person who chose it is
/// looking (the console prints it too). The output stays while the menu goes, as when its pod is deleted and
/// the slot waits for the next one; a close button, Escape or the menu's next opening dismisses it.
#[component]
pub(super) fn MenuWithOutput(
    label: String,
    actions: Vec<(MenuLabel, Action)>,
    shown: Signal<bool>,
) -> impl IntoView {
    let output = RwSignal::new(None::<Entry>);
    view! {
        <div class="menu-anchor">
            <Show when=move || shown.get()>
                <ActionMenu label=label.clone() actions=actions.clone() output=output/>
            </Show>
            <ShownOutput output=output/>
        </div>
    }
}

/// Actions behind a button; each prints its command in the console, and its output in `output`.
#[component]
fn ActionMenu(
    label: String,
    actions: Vec<(MenuLabel, Action)>,
    output: RwSignal<Option<Entry>>,
) -> impl IntoView {
    let simulation = expect_context::<Simulation>();
    let terminal = expect_context::<Terminal>();
    let open = RwSignal::new(false);
    view! {
        <div class="action-menu">
            <button
                class="menu-button"
                aria-haspopup="menu"
                aria-expanded=move || open.get().to_string()
                aria-label=label
                on:click=move |_| {
                    output.set(None);
                    open.update(|o| *o = !*o);
                }
            >
                "⋯"
            </button>
            <Show when=move || open.get()>
                <ul class="menu" role="menu">
                    {actions
                        .clone()
                        .into_iter()
                        .map(|(label, action)| {
                            let title = action.command();
                            view! {
                                <li role="none">
                                    <button
                                        role="menuitem"
                                        title=title
                                        on:click=move |_| {
                                            open.set(false);
                                            output.set(terminal.run(simulation, action.clone(), Source::Menu));
                                        }
                                    >
                                        {move || label.text()}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </Show>
        </div>
    }
}
