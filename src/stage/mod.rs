//! The stage: each StatefulSet with its status and, slot by slot, its pods and claims; the names its Service
//! gives them; the pool of PersistentVolumes; and the nodes. Clicking an object opens its details drawer.

mod bindings;
pub mod details;
mod menus;
mod slots;
pub mod view_model;

use leptos::prelude::*;
use ordinal_sim::view::{ClaimView, NodeView, PodView, PodViews, VolumeRow, Wait};
use std::sync::Arc;

use crate::app::Simulation;
use crate::editor::linking::{governs, Governs, Hovered};
use crate::i18n::{t, T};
use bindings::{BindingLines, MOST_LINES};
use details::{Selected, Selection};
use menus::{node_actions, pod_actions, MenuWithOutput};
use slots::{slot_part, Place, SetRevisions, Slots};
use view_model::{SetView, Stage};

#[component]
pub fn StageView() -> impl IntoView {
    let simulation = expect_context::<Simulation>();
    let pods = StoredValue::new(PodViews::default());
    let stage = Memo::new(move |_| {
        simulation.read(|timeline| {
            pods.try_update_value(|pods| view_model::stage(timeline.cluster(), pods))
                .unwrap_or_default()
        })
    });
    let element = NodeRef::<leptos::html::Div>::new();
    let names = Memo::new(move |_| {
        stage.with(|s| {
            s.sets
                .iter()
                .map(|set| set.name.clone())
                .collect::<Vec<_>>()
        })
    });
    let set_of = move |name: String| {
        Memo::new(move |_| stage.with(|s| s.sets.iter().find(|x| x.name == name).cloned()))
    };
    let slots = Slots::new();
    Effect::new(move |_| stage.with(|stage| slots.sync(stage)));
    // Sets, then the volumes their claims are bound to, then the names their Services give them: the lines
    // from claims to volumes run down the page.
    view! {
        <div class="stage" node_ref=element>
            <BindingLines stage=element drawn=Signal::derive(move || stage.with(has_lines))/>
            <Show when=move || stage.with(|s| s.sets.is_empty())>
                <p class="empty">"No StatefulSet yet: apply one in the editor."</p>
            </Show>
            <For
                each=move || names.get()
                key=|name| name.clone()
                children=move |name| view! { <SetCard name=name.clone() set=set_of(name) slots=slots/> }
            />
            <VolumePool
                volumes=Memo::new(move |_| stage.with(|s| s.volumes.clone()))
                undrawn=Memo::new(move |_| stage.with(|s| s.undrawn_volumes))
            />
            <For
                each=move || names.get()
                key=|name| name.clone()
                children=move |name| view! { <DnsPanel name=name.clone() set=set_of(name) slots=slots/> }
            />
            <Nodes nodes=Memo::new(move |_| stage.with(|s| s.nodes.clone()))/>
        </div>
    }
}

/// What one name has resolved to: now, and the address before the last change.
#[derive(Clone, Debug, Default, PartialEq)]
struct NameHistory {
    name: String,
    address: Option<String>,
    last_address: Option<String>,
    previous_address: Option<String>,
}

impl NameHistory {
    fn observe(&mut self, address: Option<String>) {
        if let Some(new) = &address {
            if self.last_address.as_ref().is_some_and(|last| last != new) {
                self.previous_address = self.last_address.clone();
            }
            self.last_address = Some(new.clone());
        }
        self.address = address;
    }
}

/// The Service's A records: a name per slot that keeps its name while the address behind it changes. A changed
/// address flashes and keeps the old one, struck through, beside it. Rows are keyed by ordinal, like the
/// slots, so a changed address redraws its row alone.
#[component]
fn DnsPanel(name: String, set: Memo<Option<Arc<SetView>>>, slots: Slots) -> impl IntoView {
    let heading = Memo::new(move |_| {
        set.with(|set| {
            set.as_ref()?.dns.as_ref().map(|view| {
                let addresses = if view.service_addresses.is_empty() {
                    t(T::NoReadyEndpoint).to_string()
                } else {
                    view.service_addresses.join(", ")
                };
                (view.service.clone(), addresses)
            })
        })
    });
    let shared = slots.of_set(&name);
    let (ordinals, place) = (
        RwSignal::from(shared.ordinals),
        RwSignal::from(shared.place),
    );
    let set_name = StoredValue::new(name);
    let hovered = expect_context::<Hovered>();
    let linked = Memo::new(move |_| {
        let service = place.with(|p| p.as_ref().map(|p| p.service.clone()).unwrap_or_default());
        hovered.0.with(|field| {
            field.as_ref().is_some_and(|field| {
                set_name.with_value(|set| governs(field, set, &service)) == Some(Governs::Names)
            })
        })
    });
    let service = move || heading.with(|h| h.as_ref().map(|(service, _)| service.clone()));
    // The rows stay while the heading changes: each remembers its name's earlier address.
    view! {
        <Show when=move || heading.with(Option::is_some)>
            <section class="dns" class:linked=move || linked.get() aria-label="DNS records">
                <h3>"DNS " <span class="fqdn">{service}</span></h3>
                <table>
                    <tbody>
                        <tr data-name=service>
                            <th scope="row">{service}</th>
                            <td>{move || heading.with(|h| h.as_ref().map(|(_, addresses)| addresses.clone()))}</td>
                        </tr>
                        <For
                            each=move || ordinals.get()
                            key=|ordinal| *ordinal
                            children=move |ordinal| {
                                let slot = set_name.with_value(|name| slots.slot(name, ordinal));
                                let dns = slot_part(&slot, |slot| slot.dns.clone());
                                let history = Memo::new(move |previous: Option<&Option<NameHistory>>| {
                                    let dns = dns.get()?;
                                    let mut history = previous.cloned().flatten().unwrap_or_default();
                                    history.name = dns.name;
                                    history.observe(dns.address);
                                    Some(history)
                                });
                                move || history.get().map(|history| view! { <NameRow history=history/> })
                            }
                        />
                    </tbody>
                </table>
            </section>
        </Show>
    }
}

#[component]
fn NameRow(history: NameHistory) -> impl IntoView {
    let name = history.name.clone();
    let changed = history.previous_address.is_some()
        && history.address.is_some()
        && history.address != history.previous_address;
    let address = history.address.clone();
    let (name_attr, address_attr) = (name.clone(), address.clone().unwrap_or_default());
    view! {
        <tr data-name=name_attr data-address=address_attr class:changed=changed>
            <th scope="row">{name}</th>
            <td>
                {match address {
                    Some(ip) => view! { <span class="address">{ip}</span> }.into_any(),
                    None => view! { <span class="no-record">{move || t(T::NoRecord)}</span> }.into_any(),
                }}
                {history.previous_address.filter(|_| changed).map(|old| view! {
                    " " <span class="was">"was " <s>{old}</s></span>
                })}
            </td>
        </tr>
    }
}

/// Every PersistentVolume, as `kubectl get pv` lists it: capacity, access modes, reclaim policy, phase and claim.
#[component]
fn VolumePool(volumes: Memo<Vec<VolumeRow>>, undrawn: Memo<usize>) -> impl IntoView {
    view! {
        <Show when=move || volumes.with(|v| !v.is_empty())>
            <section class="volumes" aria-label="PersistentVolumes">
                <h3>"PersistentVolumes"</h3>
                <ul class="pool">
                    <For
                        each=move || volumes.get()
                        key=|volume| volume.clone()
                        children=|volume| {
                            let claim = if volume.claim.is_empty() { t(T::NoClaim).to_string() } else { volume.claim.clone() };
                            let open = expect_context::<Selection>().opener(Selected::volume(&volume.name));
                            let hovered = expect_context::<Hovered>();
                            let pv = volume.name.clone();
                            let linked = move || hovered.0.with(|field| {
                                field.as_ref().is_some_and(|f| f.kind == "PersistentVolume" && f.name == pv)
                            });
                            let open_by_key = open.clone();
                            view! {
                                <li class="volume" class:linked=linked data-pv=volume.name.clone() data-phase=volume.status.clone() title=volume.name.clone()
                                    tabindex="0" on:click=move |_| open()
                                    on:keydown=move |event| if event.key() == "Enter" { open_by_key() }
                                >
                                    <div class="volume-name">{volume.name.clone()}</div>
                                    <div>{format!("{} · {} · {}", volume.capacity, volume.access_modes, volume.reclaim_policy)}</div>
                                    <div><span class="volume-phase">{volume.status.clone()}</span> " " <span class="volume-claim">{claim}</span></div>
                                    <div class="volume-class">{volume.storage_class.clone()}</div>
                                </li>
                            }
                        }
                    />
                </ul>
                <Show when=move || { undrawn.get() > 0 }>
                    <p class="undrawn">{move || crate::i18n::undrawn_volumes(undrawn.get())}</p>
                </Show>
            </section>
        </Show>
    }
}

/// The nodes, when there is more than one to tell apart, each with its actions.
#[component]
fn Nodes(nodes: Memo<Vec<NodeView>>) -> impl IntoView {
    view! {
        <Show when=move || nodes.with(|n| n.len() > 1)>
            <section class="nodes" aria-label=move || t(T::Nodes)>
                <h3>{move || t(T::Nodes)}</h3>
                <ul class="node-list">
                    // Keyed by name, the node's state read as it changes: a node that is cordoned keeps its
                    // place, and the output its menu printed.
                    <For
                        each=move || nodes.with(|all| all.iter().map(|n| n.row.name.clone()).collect::<Vec<_>>())
                        key=|name| name.clone()
                        children=move |name| {
                            let label = crate::i18n::actions_for(&name);
                            let actions = node_actions(&name);
                            let looked_up = name.clone();
                            let node = Memo::new(move |_| {
                                nodes.with(|all| all.iter().find(|n| n.row.name == looked_up).cloned())
                            });
                            let status = move || node.with(|n| n.as_ref().map(|n| n.row.status.clone()).unwrap_or_default());
                            let pods = move || node.with(|n| crate::i18n::pods_count(n.as_ref().map_or(0, |n| n.pods)));
                            view! {
                                <li class="node" data-node=name.clone() data-status=status>
                                    <span class="node-name">{name.clone()}</span>
                                    " " <span class="node-status">{status}</span>
                                    " " <span class="node-pods">{pods}</span>
                                    <MenuWithOutput label=label actions=actions shown=Signal::stored(true)/>
                                </li>
                            }
                        }
                    />
                </ul>
            </section>
        </Show>
    }
}

/// The set's heading, status, revisions and wait, which change together and rarely.
#[derive(Clone, Debug, PartialEq)]
struct SetHeader {
    name: String,
    kind: String,
    summary: String,
    revisions: String,
    wait: Option<Wait>,
}

impl SetHeader {
    fn of(set: &SetView) -> Self {
        let revisions = if set.current_revision == set.update_revision {
            format!("revision {}", set.current_revision)
        } else {
            format!(
                "current {} → update {}",
                set.current_revision, set.update_revision
            )
        };
        SetHeader {
            name: set.name.clone(),
            kind: format!(
                " · {} · {}",
                set.policy,
                view_model::strategy_text(set.strategy)
            ),
            summary: format!(
                "replicas {} · ready {} · current {} · updated {} · available {}",
                set.replicas, set.ready, set.current, set.updated, set.available
            ),
            revisions,
            wait: set.wait.clone(),
        }
    }
}

/// A set and its slots. Each slot is keyed by its ordinal and redrawn only when it changes, so that an event
/// costs the elements it touches, not the whole set.
#[component]
fn SetCard(name: String, set: Memo<Option<Arc<SetView>>>, slots: Slots) -> impl IntoView {
    let header = Memo::new(move |_| set.with(|s| s.as_deref().map(SetHeader::of)));
    let undrawn = Memo::new(move |_| set.with(|s| s.as_ref().and_then(|s| s.undrawn.clone())));
    let shared = slots.of_set(&name);
    let (ordinals, revisions, place) = (
        RwSignal::from(shared.ordinals),
        Signal::from(RwSignal::from(shared.revisions)),
        RwSignal::from(shared.place),
    );
    let set_name = StoredValue::new(name.clone());
    let hovered = expect_context::<Hovered>();
    let linked = Memo::new(move |_| {
        let service = place.with(|p| p.as_ref().map(|p| p.service.clone()).unwrap_or_default());
        hovered.0.with(|field| {
            let field = field.as_ref()?;
            set_name.with_value(|set| governs(field, set, &service))
        })
    });
    // Up to a hundred slots as cards; then the same slots shrink to tiles, then to a grid of dots whose colours
    // and titles still tell each pod's state. Still keyed, still in ordinal order.
    let density = Memo::new(move |_| match ordinals.with(Vec::len) {
        0..=MOST_CARDS => "slots cards",
        101..=300 => "slots tiles",
        _ => "slots dots",
    });
    view! {
        <article
            class=move || format!("statefulset {}", linked.get().map_or("", Governs::class))
            data-statefulset=name.clone()
        >
            {move || header.get().map(|h| view! {
                <h2>"StatefulSet " {h.name} <small>{h.kind}</small></h2>
                <p class="set-status" data-testid="set-status">{h.summary}</p>
                <p class="revisions">{h.revisions}</p>
                {h.wait.map(|wait| view! {
                    <p class="wait" data-testid="wait" role="status">
                        <span class="wait-label">{move || t(T::Waiting)}</span>
                        " "
                        {move || crate::i18n::wait_text(&wait, crate::i18n::lang())}
                    </p>
                })}
            })}
            <ol class=density>
                <For
                    each=move || ordinals.get()
                    key=|ordinal| *ordinal
                    children=move |ordinal| {
                        let slot = set_name.with_value(|name| slots.slot(name, ordinal));
                        // Apart, so that a pod's change redraws the pod and not its claims, and the reverse.
                        let identity = slot_part(&slot, |slot| (slot.name.clone(), slot.in_range));
                        let pod = slot_part(&slot, |slot| slot.pod.clone());
                        let claims = slot_part(&slot, |slot| slot.claims.clone());
                        move || {
                            let ((name, in_range), place) = (identity.get(), place.get()?);
                            Some(view! {
                                <OrdinalSlot name=name in_range=in_range pod=pod.into() claims=claims.into() revisions=revisions place=place/>
                            })
                        }
                    }
                />
            </ol>
            {move || undrawn.get().map(|undrawn| {
                let slots = undrawn.slots;
                view! {
                    <p class="undrawn" data-testid="undrawn" data-slots=slots>
                        {move || crate::i18n::undrawn_slots(&undrawn)}
                    </p>
                }
            })}
        </article>
    }
}

/// The most slots a set shows as cards, with their claims; beyond, tiles without them.
const MOST_CARDS: usize = 100;

/// Whether the claims' lines to their volumes are drawn: only while every set shows cards, and not so many
/// that they become a thicket.
fn has_lines(stage: &Stage) -> bool {
    let cards = stage.sets.iter().all(|set| set.slots.len() <= MOST_CARDS);
    let lines = stage
        .sets
        .iter()
        .flat_map(|set| set.slots.iter().flat_map(|slot| &slot.claims))
        .filter(|claim| !claim.volume.is_empty())
        .count();
    cards && (1..=MOST_LINES).contains(&lines)
}

/// An ordinal's place: its name, its pod while it has one, and its claims, which stay when the pod goes. The pod
/// card is made anew only for a new pod (a new uid), so that it appears once and then changes in place; the
/// mount between the pod and its claims is made anew with it, and is what shows a claim re-attaching.
#[component]
fn OrdinalSlot(
    name: String,
    in_range: bool,
    pod: Signal<Option<Arc<PodView>>>,
    claims: Signal<Vec<ClaimView>>,
    revisions: Signal<Option<SetRevisions>>,
    place: Place,
) -> impl IntoView {
    let uid = Memo::new(move |_| pod.with(|p| p.as_ref().map(|p| p.uid.clone())));
    let has_pod = Memo::new(move |_| uid.with(Option::is_some));
    let has_claims = Memo::new(move |_| claims.with(|c| !c.is_empty()));
    let (menu_label, actions) = (format!("Actions for {name}"), pod_actions(&name, &place));
    let (card_name, slot_name) = (name.clone(), name.clone());
    let namespace = place.namespace.clone();
    view! {
        <li class=if in_range { "slot" } else { "slot condemned" } data-slot=slot_name>
            <div class="slot-head">
                <span class="slot-name">{name}</span>
                <MenuWithOutput label=menu_label actions=actions shown=has_pod.into()/>
            </div>
            {move || match uid.get() {
                Some(_) => view! {
                    <PodCard name=card_name.clone() namespace=place.namespace.clone() pod=pod revisions=revisions/>
                }.into_any(),
                None => view! { <div class="pod-empty">{move || t(T::NoPod)}</div> }.into_any(),
            }}
            {move || uid.get().filter(|_| has_claims.get()).map(|uid| view! {
                <div class="mount" data-pod-uid=uid aria-hidden="true"></div>
            })}
            <ul class="claims">
                {move || {
                    let namespace = namespace.clone();
                    claims.get().into_iter().map(move |claim| view! { <Claim claim=claim namespace=namespace.clone()/> }).collect_view()
                }}
            </ul>
        </li>
    }
}

/// The pod as `kubectl get pods` shows it, changing in place as the pod does.
#[component]
fn PodCard(
    name: String,
    namespace: String,
    pod: Signal<Option<Arc<PodView>>>,
    revisions: Signal<Option<SetRevisions>>,
) -> impl IntoView {
    let open = expect_context::<Selection>().opener(Selected::pod(&name, &namespace));
    let label = crate::i18n::details_of(&name);
    let text = move |field: fn(&PodView) -> String| {
        move || pod.with(|p| p.as_deref().map(field).unwrap_or_default())
    };
    let phase_class = move || {
        pod.with(|p| match p.as_deref() {
            Some(p) if p.terminating => "terminating",
            Some(p) if p.ready => "ready",
            _ => "progressing",
        })
    };
    // Hue and a word: never colour alone.
    let revision = Memo::new(move |_| {
        let revision = pod
            .with(|p| p.as_ref().map(|p| p.revision.clone()))
            .unwrap_or_default();
        let revisions = revisions.get()?;
        let (class, word) = if revision == revisions.update && revisions.update != revisions.current
        {
            ("rev-update", t(T::Update))
        } else if revision == revisions.current || revision == revisions.update {
            ("rev-current", t(T::Current))
        } else {
            ("rev-old", t(T::Old))
        };
        let short = revision.rsplit('-').next().unwrap_or_default().to_string();
        Some((class, format!("{short} · {word}")))
    });
    let revision_class = move || revision.with(|r| r.as_ref().map_or("", |(class, _)| class));
    let grace = move || {
        pod.with(|p| p.as_ref().and_then(|p| p.grace)).map(|(left, period)| {
            let share = if period == 0 { 0.0 } else { left as f64 / period as f64 * 100.0 };
            view! {
                <div class="grace" role="meter" aria-label=t(T::GracePeriodLeft) aria-valuemin="0"
                    aria-valuemax=period aria-valuenow=left data-left=left>
                    <div class="grace-bar" style=format!("width: {share:.1}%")></div>
                    <span class="grace-text">{crate::i18n::grace_left(left, period)}</span>
                </div>
            }
        })
    };
    let icon = move || {
        pod.with(|p| match p.as_deref() {
            Some(p) if p.terminating => "✕",
            Some(p) if p.ready => "✓",
            _ => "…",
        })
    };
    view! {
        <div
            class=move || format!("pod {} {}", phase_class(), revision_class())
            data-testid="pod"
            data-pod=name
            data-status=text(|p| p.status.clone())
            data-ready=text(|p| p.ready.to_string())
            data-uid=text(|p| p.uid.clone())
            data-revision=text(|p| p.revision.clone())
            title=text(|p| [p.status.as_str(), &p.ready_text, &p.ip, &p.node].join(" · "))
            role="button"
            tabindex="0"
            aria-label=label
            on:click={
                let open = open.clone();
                move |_| open()
            }
            on:keydown=move |event| {
                if event.key() == "Enter" {
                    open();
                }
            }
        >
            <div class="pod-status">
                <span class="icon" aria-hidden="true">{icon}</span>
                {text(|p| p.status.clone())}
            </div>
            <div class="pod-ready">{text(|p| p.ready_text.clone())}</div>
            {grace}
            <div class="pod-ip">{text(|p| if p.ip.is_empty() { t(T::NoIp).to_string() } else { p.ip.clone() })}</div>
            <div class="pod-node">{text(|p| p.node.clone())}</div>
            <div class="pod-revision" title="controller-revision-hash">{move || revision.with(|r| r.as_ref().map(|(_, text)| text.clone()))}</div>
        </div>
    }
}

#[component]
fn Claim(claim: ClaimView, namespace: String) -> impl IntoView {
    let open = expect_context::<Selection>().opener(Selected::claim(&claim.name, &namespace));
    let bound = claim.phase == "Bound";
    let binding = if bound {
        format!("→ {}", claim.volume)
    } else {
        t(T::Unbound).to_string()
    };
    let (name, phase) = (claim.name.clone(), claim.phase.clone());
    let volume = (!claim.volume.is_empty()).then(|| claim.volume.clone());
    view! {
        <li class=if bound { "claim bound" } else { "claim pending" } data-claim=name data-phase=phase data-volume=volume
            tabindex="0" on:click={
                let open = open.clone();
                move |_| open()
            }
            on:keydown=move |event| {
                if event.key() == "Enter" {
                    open();
                }
            }
        >
            <div><span class="claim-name">{claim.name}</span> " " <span class="claim-phase">{claim.phase}</span> " " {claim.capacity}</div>
            <div class="claim-volume" title=binding.clone()>{binding.clone()}</div>
        </li>
    }
}
