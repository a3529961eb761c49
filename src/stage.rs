//! The stage: each StatefulSet with its status and, slot by slot, its pods and claims.

use leptos::prelude::*;
use ordinal_sim::fault::Fault;
use ordinal_sim::scenario::Action;
use ordinal_sim::ObjectKey;

use crate::app::Simulation;
use crate::console::Terminal;
use crate::view_model::{self, ClaimView, PodView, SetView, SlotView};

#[component]
pub fn StageView() -> impl IntoView {
    let simulation = expect_context::<Simulation>();
    let stage = Memo::new(move |_| simulation.read(|timeline| view_model::stage(timeline.cluster())));
    view! {
        <div class="stage">
            <Show when=move || stage.with(|s| s.sets.is_empty())>
                <p class="empty">"No StatefulSet yet: apply one in the editor."</p>
            </Show>
            <For
                each=move || stage.with(|s| s.sets.iter().map(|set| set.name.clone()).collect::<Vec<_>>())
                key=|name| name.clone()
                children=move |name| {
                    let set = Memo::new(move |_| stage.with(|s| s.sets.iter().find(|x| x.name == name).cloned()));
                    move || set.get().map(|set| view! { <SetCard set=set/> })
                }
            />
        </div>
    }
}

#[component]
fn SetCard(set: SetView) -> impl IntoView {
    let summary = format!(
        "replicas {} · ready {} · current {} · updated {} · available {}",
        set.replicas, set.ready, set.current, set.updated, set.available
    );
    let revisions = if set.current_revision == set.update_revision {
        format!("revision {}", set.current_revision)
    } else {
        format!(
            "current {} → update {}",
            set.current_revision, set.update_revision
        )
    };
    let update_revision = set.update_revision.clone();
    let place = Place {
        namespace: set.namespace.clone(),
        service: set.service_name.clone(),
    };
    view! {
        <article class="statefulset" data-statefulset=set.name.clone()>
            <h2>"StatefulSet " {set.name.clone()} <small>{format!(" · {} · {}", set.policy, set.strategy)}</small></h2>
            <p class="set-status" data-testid="set-status">{summary}</p>
            <p class="revisions">{revisions}</p>
            {set.wait.map(|wait| view! { <p class="wait" data-testid="wait" role="status"><span class="wait-label">"waiting"</span> {wait}</p> })}
            <ol class="slots">
                {set.slots.into_iter().map(|ordinal| view! { <OrdinalSlot ordinal=ordinal update_revision=update_revision.clone() place=place.clone()/> }).collect_view()}
            </ol>
        </article>
    }
}

#[component]
fn OrdinalSlot(ordinal: SlotView, update_revision: String, place: Place) -> impl IntoView {
    let slot = ordinal;
    let class = if slot.in_range {
        "slot"
    } else {
        "slot condemned"
    };
    view! {
        <li class=class data-slot=slot.name.clone()>
            <div class="slot-head">
                <span class="slot-name">{slot.name.clone()}</span>
                {slot.pod.is_some().then(|| view! { <PodMenu name=slot.name.clone() place=place/> })}
            </div>
            {match slot.pod {
                Some(pod) => view! { <PodCard name=slot.name.clone() pod=pod update_revision=update_revision/> }.into_any(),
                None => view! { <div class="pod-empty">"(no pod)"</div> }.into_any(),
            }}
            <ul class="claims">
                {slot.claims.into_iter().map(|claim| view! { <Claim claim=claim/> }).collect_view()}
            </ul>
        </li>
    }
}

#[component]
fn PodCard(name: String, pod: PodView, update_revision: String) -> impl IntoView {
    let phase_class = if pod.terminating {
        "terminating"
    } else if pod.ready {
        "ready"
    } else {
        "progressing"
    };
    let revision_class = if pod.revision == update_revision {
        "rev-update"
    } else {
        "rev-current"
    };
    let short_revision = pod
        .revision
        .rsplit('-')
        .next()
        .unwrap_or_default()
        .to_string();
    let status = pod.status.clone();
    view! {
        <div
            class=format!("pod {phase_class} {revision_class}")
            data-testid="pod"
            data-pod=name
            data-status=status
            data-ready=pod.ready.to_string()
            data-uid=pod.uid
        >
            <div class="pod-status">
                <span class="icon" aria-hidden="true">{if pod.ready { "✓" } else if pod.terminating { "✕" } else { "…" }}</span>
                {pod.status}
            </div>
            <div class="pod-ready">{pod.ready_text}</div>
            <div class="pod-ip">{if pod.ip.is_empty() { "no IP".to_string() } else { pod.ip }}</div>
            <div class="pod-node">{pod.node}</div>
            <div class="pod-revision" title="controller-revision-hash">{short_revision}</div>
        </div>
    }
}

#[component]
fn Claim(claim: ClaimView) -> impl IntoView {
    let bound = claim.phase == "Bound";
    let binding = if bound {
        format!("→ {}", claim.volume)
    } else {
        "(unbound)".to_string()
    };
    let (name, phase) = (claim.name.clone(), claim.phase.clone());
    view! {
        <li class=if bound { "claim bound" } else { "claim pending" } data-claim=name data-phase=phase>
            <div><span class="claim-name">{claim.name}</span> " " <span class="claim-phase">{claim.phase}</span> " " {claim.capacity}</div>
            <div class="claim-volume" title=binding.clone()>{binding.clone()}</div>
        </li>
    }
}

/// Where a set's pods live: their namespace, and the headless Service that names them in DNS.
#[derive(Clone, Debug, PartialEq)]
struct Place {
    namespace: String,
    service: String,
}

/// What a learner can do to a pod, each as the command or fault it stands for.
fn pod_actions(pod: &str, place: &Place) -> Vec<(&'static str, Action)> {
    let key = ObjectKey::new(place.namespace.clone(), pod);
    let namespace = match place.namespace.as_str() {
        "default" => String::new(),
        other => format!(" -n {other}"),
    };
    let kubectl = |rest: String| Action::Run(format!("kubectl {rest}{namespace}"));
    let mut actions = vec![
        ("Delete", kubectl(format!("delete pod {pod}"))),
        ("Force delete", kubectl(format!("delete pod {pod} --grace-period=0 --force"))),
        ("Crash", Action::Inject(Fault::Crash { pod: key.clone() })),
        ("Make not ready", Action::Inject(Fault::NotReady { pod: key.clone() })),
        ("Make ready", Action::Inject(Fault::Ready { pod: key })),
        ("hostname", kubectl(format!("exec {pod} -- hostname"))),
        ("ls /", kubectl(format!("exec {pod} -- ls /"))),
    ];
    if !place.service.is_empty() {
        let lookup = format!("exec {pod} -- nslookup {pod}.{}", place.service);
        actions.push(("nslookup", kubectl(lookup)));
    }
    actions
}

/// The pod's actions behind a button; each prints its command in the console.
#[component]
fn PodMenu(name: String, place: Place) -> impl IntoView {
    let simulation = expect_context::<Simulation>();
    let terminal = expect_context::<Terminal>();
    let open = RwSignal::new(false);
    let label = format!("Actions for {name}");
    let actions = pod_actions(&name, &place);
    view! {
        <div class="pod-menu">
            <button
                class="menu-button"
                aria-haspopup="menu"
                aria-expanded=move || open.get().to_string()
                aria-label=label
                on:click=move |_| open.update(|o| *o = !*o)
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
                                            terminal.run(simulation, action.clone());
                                        }
                                    >
                                        {label}
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
