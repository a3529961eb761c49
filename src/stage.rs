//! The stage: each StatefulSet with its status and, slot by slot, its pods and claims; the names its Service
//! gives them; the pool of PersistentVolumes; and the nodes.

use leptos::prelude::*;
use ordinal_sim::fault::Fault;
use ordinal_sim::scenario::Action;
use ordinal_sim::ObjectKey;
use std::sync::Arc;

use crate::app::Simulation;
use crate::console::Terminal;
use crate::details::{Selected, Selection};
use crate::view_model::{
    self, ClaimView, NodeView, PodView, PodViews, SetView, SlotView, VolumeView,
};

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
    view! {
        <div class="stage">
            <Show when=move || stage.with(|s| s.sets.is_empty())>
                <p class="empty">"No StatefulSet yet: apply one in the editor."</p>
            </Show>
            <For
                each=move || stage.with(|s| s.sets.iter().map(|set| set.name.clone()).collect::<Vec<_>>())
                key=|name| name.clone()
                children=move |name| {
                    let card_name = name.clone();
                    let set = Memo::new(move |_| stage.with(|s| s.sets.iter().find(|x| x.name == name).cloned()));
                    view! {
                        <SetCard name=card_name set=set/>
                        <DnsPanel set=set/>
                    }
                }
            />
            <VolumePool volumes=Memo::new(move |_| stage.with(|s| s.volumes.clone()))/>
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
fn DnsPanel(set: Memo<Option<SetView>>) -> impl IntoView {
    let heading = Memo::new(move |_| {
        set.with(|set| {
            set.as_ref()?.dns.as_ref().map(|view| {
                let addresses = if view.service_addresses.is_empty() {
                    "no ready endpoint".to_string()
                } else {
                    view.service_addresses.join(", ")
                };
                (view.service.clone(), addresses)
            })
        })
    });
    let ordinals = slot_ordinals(set);
    let service = move || heading.with(|h| h.as_ref().map(|(service, _)| service.clone()));
    // The rows stay while the heading changes: each remembers its name's earlier address.
    view! {
        <Show when=move || heading.with(Option::is_some)>
            <section class="dns" aria-label="DNS records">
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
                                let name = slot_memo(set, ordinal, |slot| slot.dns.clone());
                                let history = Memo::new(move |previous: Option<&Option<NameHistory>>| {
                                    let dns = name.get()??;
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
                    None => view! { <span class="no-record">"no record (not ready)"</span> }.into_any(),
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
fn VolumePool(volumes: Memo<Vec<VolumeView>>) -> impl IntoView {
    view! {
        <Show when=move || volumes.with(|v| !v.is_empty())>
            <section class="volumes" aria-label="PersistentVolumes">
                <h3>"PersistentVolumes"</h3>
                <ul class="pool">
                    <For
                        each=move || volumes.get()
                        key=|volume| volume.clone()
                        children=|volume| {
                            let claim = if volume.claim.is_empty() { "no claim".to_string() } else { volume.claim.clone() };
                            let open = expect_context::<Selection>().opener(Selected::volume(&volume.name));
                            let open_by_key = open.clone();
                            view! {
                                <li class="volume" data-pv=volume.name.clone() data-phase=volume.phase.clone() title=volume.name.clone()
                                    tabindex="0" on:click=move |_| open()
                                    on:keydown=move |event| if event.key() == "Enter" { open_by_key() }
                                >
                                    <div class="volume-name">{volume.name.clone()}</div>
                                    <div>{format!("{} · {} · {}", volume.capacity, volume.access_modes, volume.reclaim_policy)}</div>
                                    <div><span class="volume-phase">{volume.phase.clone()}</span> " " <span class="volume-claim">{claim}</span></div>
                                    <div class="volume-class">{volume.storage_class.clone()}</div>
                                </li>
                            }
                        }
                    />
                </ul>
            </section>
        </Show>
    }
}

/// The nodes, when there is more than one to tell apart, each with its actions.
#[component]
fn Nodes(nodes: Memo<Vec<NodeView>>) -> impl IntoView {
    view! {
        <Show when=move || nodes.with(|n| n.len() > 1)>
            <section class="nodes" aria-label="Nodes">
                <h3>"Nodes"</h3>
                <ul class="node-list">
                    <For
                        each=move || nodes.get()
                        key=|node| node.clone()
                        children=|node| {
                            let label = format!("Actions for {}", node.name);
                            let actions = node_actions(&node.name);
                            view! {
                                <li class="node" data-node=node.name.clone() data-status=node.status.clone()>
                                    <span class="node-name">{node.name.clone()}</span>
                                    " " <span class="node-status">{node.status.clone()}</span>
                                    " " <span class="node-pods">{format!("{} pods", node.pods)}</span>
                                    <ActionMenu label=label actions=actions/>
                                </li>
                            }
                        }
                    />
                </ul>
            </section>
        </Show>
    }
}

fn node_actions(node: &str) -> Vec<(&'static str, Action)> {
    let kubectl = |rest: String| Action::Run(format!("kubectl {rest}"));
    vec![
        ("Cordon", kubectl(format!("cordon {node}"))),
        ("Uncordon", kubectl(format!("uncordon {node}"))),
        (
            "Drain",
            kubectl(format!(
                "drain {node} --ignore-daemonsets --delete-emptydir-data"
            )),
        ),
        (
            "Down",
            Action::Inject(Fault::NodeDown { node: node.into() }),
        ),
        ("Up", Action::Inject(Fault::NodeUp { node: node.into() })),
    ]
}

/// The set's heading, status, revisions and wait, which change together and rarely.
#[derive(Clone, Debug, PartialEq)]
struct SetHeader {
    name: String,
    kind: String,
    summary: String,
    revisions: String,
    wait: Option<String>,
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
            kind: format!(" · {} · {}", set.policy, set.strategy),
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
fn SetCard(name: String, set: Memo<Option<SetView>>) -> impl IntoView {
    let header = Memo::new(move |_| set.with(|s| s.as_ref().map(SetHeader::of)));
    let revisions = Memo::new(move |_| {
        set.with(|s| {
            s.as_ref().map(|s| SetRevisions {
                current: s.current_revision.clone(),
                update: s.update_revision.clone(),
            })
        })
    });
    let place = Memo::new(move |_| {
        set.with(|s| {
            s.as_ref().map(|s| Place {
                namespace: s.namespace.clone(),
                service: s.service_name.clone(),
            })
        })
    });
    let ordinals = slot_ordinals(set);
    view! {
        <article class="statefulset" data-statefulset=name>
            {move || header.get().map(|h| view! {
                <h2>"StatefulSet " {h.name} <small>{h.kind}</small></h2>
                <p class="set-status" data-testid="set-status">{h.summary}</p>
                <p class="revisions">{h.revisions}</p>
                {h.wait.map(|wait| view! {
                    <p class="wait" data-testid="wait" role="status"><span class="wait-label">"waiting"</span> {wait}</p>
                })}
            })}
            <ol class="slots">
                <For
                    each=move || ordinals.get()
                    key=|ordinal| *ordinal
                    children=move |ordinal| {
                        let slot = slot_memo(set, ordinal, SlotView::clone);
                        move || {
                            let (slot, revisions, place) = (slot.get()?, revisions.get()?, place.get()?);
                            Some(view! { <OrdinalSlot ordinal=slot revisions=revisions place=place/> })
                        }
                    }
                />
            </ol>
        </article>
    }
}

/// The set's ordinals, in order: the keys of its slots.
fn slot_ordinals(set: Memo<Option<SetView>>) -> Memo<Vec<i64>> {
    Memo::new(move |_| {
        set.with(|s| {
            s.iter()
                .flat_map(|s| s.slots.iter().map(|slot| slot.ordinal))
                .collect()
        })
    })
}

/// What `part` reads of one slot, found by its ordinal (the slots are in ordinal order); None once the slot
/// is gone. Its readers run again only when that part changes.
fn slot_memo<T: Clone + PartialEq + Send + Sync + 'static>(
    set: Memo<Option<SetView>>,
    ordinal: i64,
    part: fn(&SlotView) -> T,
) -> Memo<Option<T>> {
    Memo::new(move |_| {
        set.with(|s| {
            let slots = &s.as_ref()?.slots;
            let at = slots
                .binary_search_by_key(&ordinal, |slot| slot.ordinal)
                .ok()?;
            Some(part(&slots[at]))
        })
    })
}

#[component]
fn OrdinalSlot(ordinal: SlotView, revisions: SetRevisions, place: Place) -> impl IntoView {
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
                {slot.pod.is_some().then(|| view! {
                    <ActionMenu label=format!("Actions for {}", slot.name) actions=pod_actions(&slot.name, &place)/>
                })}
            </div>
            {match slot.pod {
                Some(pod) => view! {
                    <PodCard name=slot.name.clone() namespace=place.namespace.clone() pod=pod revisions=revisions/>
                }.into_any(),
                None => view! { <div class="pod-empty">"(no pod)"</div> }.into_any(),
            }}
            <ul class="claims">
                {slot.claims.into_iter().map(|claim| view! { <Claim claim=claim namespace=place.namespace.clone()/> }).collect_view()}
            </ul>
        </li>
    }
}

#[component]
fn PodCard(
    name: String,
    namespace: String,
    pod: Arc<PodView>,
    revisions: SetRevisions,
) -> impl IntoView {
    let open = expect_context::<Selection>().opener(Selected::pod(&name, &namespace));
    let label = format!("{name}: details");
    let pod = PodView::clone(&pod);
    let phase_class = if pod.terminating {
        "terminating"
    } else if pod.ready {
        "ready"
    } else {
        "progressing"
    };
    // Hue and a word: never colour alone.
    let (revision_class, revision_word) =
        if pod.revision == revisions.update && revisions.update != revisions.current {
            ("rev-update", "update")
        } else if pod.revision == revisions.current || pod.revision == revisions.update {
            ("rev-current", "current")
        } else {
            ("rev-old", "old")
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
            data-revision=pod.revision.clone()
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
                <span class="icon" aria-hidden="true">{if pod.terminating { "✕" } else if pod.ready { "✓" } else { "…" }}</span>
                {pod.status}
            </div>
            <div class="pod-ready">{pod.ready_text}</div>
            {pod.grace.map(|(left, period)| {
                let share = if period == 0 { 0.0 } else { left as f64 / period as f64 * 100.0 };
                view! {
                    <div class="grace" role="meter" aria-label="Grace period left" aria-valuemin="0"
                        aria-valuemax=period aria-valuenow=left data-left=left>
                        <div class="grace-bar" style=format!("width: {share:.1}%")></div>
                        <span class="grace-text">{format!("{left}s of {period}s grace")}</span>
                    </div>
                }
            })}
            <div class="pod-ip">{if pod.ip.is_empty() { "no IP".to_string() } else { pod.ip }}</div>
            <div class="pod-node">{pod.node}</div>
            <div class="pod-revision" title="controller-revision-hash">{format!("{short_revision} · {revision_word}")}</div>
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
        "(unbound)".to_string()
    };
    let (name, phase) = (claim.name.clone(), claim.phase.clone());
    view! {
        <li class=if bound { "claim bound" } else { "claim pending" } data-claim=name data-phase=phase
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

/// The set's two revisions, to tell its pods apart.
#[derive(Clone, Debug, PartialEq)]
struct SetRevisions {
    current: String,
    update: String,
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
        (
            "Force delete",
            kubectl(format!("delete pod {pod} --grace-period=0 --force")),
        ),
        ("Crash", Action::Inject(Fault::Crash { pod: key.clone() })),
        (
            "Make not ready",
            Action::Inject(Fault::NotReady { pod: key.clone() }),
        ),
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

/// Actions behind a button; each prints its command in the console.
#[component]
fn ActionMenu(label: String, actions: Vec<(&'static str, Action)>) -> impl IntoView {
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
