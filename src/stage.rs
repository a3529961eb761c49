//! The stage: each StatefulSet with its status and, slot by slot, its pods and claims.

use leptos::prelude::*;

use crate::app::Simulation;
use crate::view_model::{self, ClaimView, PodView, SetView, SlotView};

#[component]
pub fn StageView() -> impl IntoView {
    let simulation = expect_context::<Simulation>();
    let stage = Memo::new(move |_| {
        simulation.version.get();
        simulation.cluster.with_value(view_model::stage)
    });
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
    view! {
        <article class="statefulset" data-statefulset=set.name.clone()>
            <h2>"StatefulSet " {set.name.clone()} <small>{format!(" · {} · {}", set.policy, set.strategy)}</small></h2>
            <p class="set-status" data-testid="set-status">{summary}</p>
            <p class="revisions">{revisions}</p>
            {set.wait.map(|wait| view! { <p class="wait" data-testid="wait" role="status"><span class="wait-label">"waiting"</span> {wait}</p> })}
            <ol class="slots">
                {set.slots.into_iter().map(|ordinal| view! { <OrdinalSlot ordinal=ordinal update_revision=update_revision.clone()/> }).collect_view()}
            </ol>
        </article>
    }
}

#[component]
fn OrdinalSlot(ordinal: SlotView, update_revision: String) -> impl IntoView {
    let slot = ordinal;
    let class = if slot.in_range {
        "slot"
    } else {
        "slot condemned"
    };
    view! {
        <li class=class data-slot=slot.name.clone()>
            <div class="slot-name">{slot.name.clone()}</div>
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
