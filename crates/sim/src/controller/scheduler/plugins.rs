//! The filter and score plugins of the default profile that a StatefulSet lesson meets, in upstream's filter
//! order: NodeUnschedulable, TaintToleration, NodeAffinity, NodeResourcesFit, VolumeBinding, InterPodAffinity.
//! Each filter answers with the reason the `FailedScheduling` summary counts.

use k8s_openapi::api::core::v1::{
    Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod, PodAffinityTerm, Taint,
    Toleration,
};
use std::collections::{BTreeMap, BTreeSet};

use super::cache::{PodInfo, Requests, SchedulerCache};
use super::is_bound;
use crate::api::well_known::SELECTED_NODE_ANNOTATION;
use crate::labels::{node_term_matches, selector_matches};
use crate::object::{name_of, ObjectKey};
use crate::quantity::{parse_milli, parse_quantity};
use crate::store::Store;
use crate::volume::volume_fits_node;

pub type Labels = BTreeMap<String, String>;

/// PreFilter's work for one attempt: what the pod asks for, and the topology the affinity rules care about.
pub struct CycleState<'a> {
    pod: &'a Pod,
    info: PodInfo,
    claims: &'a [PersistentVolumeClaim],
    node_labels: BTreeMap<String, Labels>,
    /// For each required anti-affinity term of the pod: the topology values where a matching pod runs.
    anti_affinity_occupied: Vec<(String, BTreeSet<String>)>,
    /// For each required affinity term: the values where a matching pod runs, or `None` when no pod matches
    /// anywhere and the pod matches its own term (the first pod of a group may go anywhere).
    affinity_required: Vec<(String, Option<BTreeSet<String>>)>,
    /// (topologyKey, value) pairs an existing pod's required anti-affinity forbids to this pod.
    forbidden_by_existing: BTreeSet<(String, String)>,
}

impl<'a> CycleState<'a> {
    pub fn new(
        store: &Store,
        cache: &SchedulerCache,
        pod: &'a Pod,
        claims: &'a [PersistentVolumeClaim],
    ) -> Self {
        let info = super::cache::pod_info(pod);
        let node_labels: BTreeMap<String, Labels> = store
            .list::<Node>()
            .map(|n| {
                (
                    name_of(&n.metadata).to_string(),
                    n.metadata.labels.clone().unwrap_or_default(),
                )
            })
            .collect();
        let topology_of = |node: &str, key: &str| node_labels.get(node)?.get(key).cloned();
        let occupied = |term: &PodAffinityTerm| -> BTreeSet<String> {
            cache
                .all_pods()
                .filter(|(_, other)| term_selects(store, term, &info.namespace, other))
                .filter_map(|(node, _)| topology_of(node, &term.topology_key))
                .collect()
        };
        let affinity = pod.spec.as_ref().and_then(|s| s.affinity.as_ref());
        let required = |terms: Option<&Vec<PodAffinityTerm>>| terms.cloned().unwrap_or_default();
        let anti_terms = required(
            affinity
                .and_then(|a| a.pod_anti_affinity.as_ref())
                .and_then(|a| {
                    a.required_during_scheduling_ignored_during_execution
                        .as_ref()
                }),
        );
        let affinity_terms = required(affinity.and_then(|a| a.pod_affinity.as_ref()).and_then(
            |a| {
                a.required_during_scheduling_ignored_during_execution
                    .as_ref()
            },
        ));
        let anti_affinity_occupied = anti_terms
            .iter()
            .map(|term| (term.topology_key.clone(), occupied(term)))
            .collect();
        let affinity_required = affinity_terms
            .iter()
            .map(|term| {
                let values = occupied(term);
                let first_of_group =
                    values.is_empty() && term_selects(store, term, &info.namespace, &info);
                (
                    term.topology_key.clone(),
                    (!first_of_group).then_some(values),
                )
            })
            .collect();
        let forbidden_by_existing = cache
            .all_pods()
            .flat_map(|(node, other)| {
                other
                    .anti_affinity
                    .iter()
                    .filter(|term| term_selects(store, term, &other.namespace, &info))
                    .filter_map(|term| {
                        Some((
                            term.topology_key.clone(),
                            topology_of(node, &term.topology_key)?,
                        ))
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        CycleState {
            pod,
            info,
            claims,
            node_labels,
            anti_affinity_occupied,
            affinity_required,
            forbidden_by_existing,
        }
    }

    fn labels_of(&self, node: &str) -> &Labels {
        static EMPTY: Labels = BTreeMap::new();
        self.node_labels.get(node).unwrap_or(&EMPTY)
    }
}

/// Whether an affinity term's selector and namespaces pick `candidate`; `owner_namespace` is the namespace of
/// the pod that declares the term, the default when the term names none.
fn term_selects(
    store: &Store,
    term: &PodAffinityTerm,
    owner_namespace: &str,
    candidate: &PodInfo,
) -> bool {
    let namespaces = term.namespaces.as_deref().unwrap_or_default();
    let in_namespace = match &term.namespace_selector {
        Some(selector) => {
            namespaces.contains(&candidate.namespace)
                || store
                    .get::<Namespace>(&ObjectKey::cluster(candidate.namespace.clone()))
                    .is_some_and(|ns| {
                        selector_matches(selector, &ns.metadata.labels.clone().unwrap_or_default())
                    })
        }
        None if namespaces.is_empty() => candidate.namespace == owner_namespace,
        None => namespaces.contains(&candidate.namespace),
    };
    in_namespace
        && term
            .label_selector
            .as_ref()
            .is_some_and(|selector| selector_matches(selector, &candidate.labels))
}

/// Runs every filter on one node; the first plugin that rejects it gives its reasons.
pub fn filter(
    store: &Store,
    cache: &SchedulerCache,
    state: &CycleState,
    node: &Node,
) -> Result<(), Vec<String>> {
    node_unschedulable(state.pod, node)?;
    taint_toleration(state.pod, node)?;
    node_affinity(state.pod, node)?;
    node_resources_fit(cache, state, node)?;
    volume_binding(store, state, node)?;
    inter_pod_affinity(state, name_of(&node.metadata))
}

fn node_unschedulable(pod: &Pod, node: &Node) -> Result<(), Vec<String>> {
    let cordoned = node
        .spec
        .as_ref()
        .and_then(|s| s.unschedulable)
        .unwrap_or(false);
    let tolerated = tolerations(pod).iter().any(|t| {
        tolerates(
            t,
            &Taint {
                key: "node.kubernetes.io/unschedulable".into(),
                effect: "NoSchedule".into(),
                ..Taint::default()
            },
        )
    });
    if cordoned && !tolerated {
        return Err(vec!["node(s) were unschedulable".into()]);
    }
    Ok(())
}

fn tolerations(pod: &Pod) -> &[Toleration] {
    pod.spec
        .as_ref()
        .and_then(|s| s.tolerations.as_deref())
        .unwrap_or_default()
}

/// `v1helper.TolerationsTolerateTaint` for one toleration.
pub fn tolerates(toleration: &Toleration, taint: &Taint) -> bool {
    let effect_ok = toleration
        .effect
        .as_deref()
        .is_none_or(|e| e.is_empty() || e == taint.effect);
    let key = toleration.key.as_deref().unwrap_or_default();
    match toleration.operator.as_deref().unwrap_or("Equal") {
        "Exists" => effect_ok && (key.is_empty() || key == taint.key),
        _ => {
            effect_ok
                && key == taint.key
                && toleration.value.as_deref().unwrap_or_default()
                    == taint.value.as_deref().unwrap_or_default()
        }
    }
}

fn taint_toleration(pod: &Pod, node: &Node) -> Result<(), Vec<String>> {
    let taints = node
        .spec
        .as_ref()
        .and_then(|s| s.taints.as_deref())
        .unwrap_or_default();
    let untolerated = taints
        .iter()
        .filter(|t| t.effect == "NoSchedule" || t.effect == "NoExecute")
        .find(|taint| !tolerations(pod).iter().any(|t| tolerates(t, taint)));
    match untolerated {
        Some(taint) => Err(vec![format!(
            "node(s) had untolerated taint {{{}: {}}}",
            taint.key,
            taint.value.as_deref().unwrap_or_default()
        )]),
        None => Ok(()),
    }
}

/// nodeSelector and the required node affinity terms (ORed; each term's expressions ANDed).
fn node_affinity(pod: &Pod, node: &Node) -> Result<(), Vec<String>> {
    let labels = node.metadata.labels.clone().unwrap_or_default();
    let spec = pod.spec.as_ref();
    let selector_ok = spec
        .and_then(|s| s.node_selector.as_ref())
        .is_none_or(|sel| sel.iter().all(|(k, v)| labels.get(k) == Some(v)));
    let required = spec
        .and_then(|s| s.affinity.as_ref())
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|a| {
            a.required_during_scheduling_ignored_during_execution
                .as_ref()
        });
    let affinity_ok = required.is_none_or(|selector| {
        selector
            .node_selector_terms
            .iter()
            .any(|term| node_term_matches(term, name_of(&node.metadata), &labels))
    });
    if selector_ok && affinity_ok {
        Ok(())
    } else {
        Err(vec![
            "node(s) didn't match Pod's node affinity/selector".into()
        ])
    }
}

fn allocatable(node: &Node) -> (Requests, usize) {
    let allocatable = node.status.as_ref().and_then(|s| s.allocatable.as_ref());
    let amount = |name: &str, parse: fn(&str) -> Option<u128>| {
        allocatable
            .and_then(|a| a.get(name))
            .and_then(|q| parse(&q.0))
    };
    let requests = Requests {
        cpu_milli: amount("cpu", parse_milli).unwrap_or(0),
        memory: amount("memory", parse_quantity).unwrap_or(0),
    };
    let pods = amount("pods", parse_quantity).unwrap_or(110) as usize;
    (requests, pods)
}

/// `noderesources.Fit`: every shortage is a reason, so `3 Insufficient cpu, 3 Insufficient memory` can both
/// appear in the summary.
fn node_resources_fit(
    cache: &SchedulerCache,
    state: &CycleState,
    node: &Node,
) -> Result<(), Vec<String>> {
    let (allocatable, max_pods) = allocatable(node);
    let node_name = name_of(&node.metadata);
    let (count, used) = cache
        .pods_on(node_name)
        .fold((0usize, Requests::default()), |(n, sum), p| {
            (n + 1, sum + p.requests)
        });
    let wanted = state.info.requests;
    let mut reasons = Vec::new();
    if count + 1 > max_pods {
        reasons.push("Too many pods".to_string());
    }
    if wanted.cpu_milli > 0 && used.cpu_milli + wanted.cpu_milli > allocatable.cpu_milli {
        reasons.push("Insufficient cpu".into());
    }
    if wanted.memory > 0 && used.memory + wanted.memory > allocatable.memory {
        reasons.push("Insufficient memory".into());
    }
    if reasons.is_empty() {
        Ok(())
    } else {
        Err(reasons)
    }
}

/// Bound claims must have their volume reachable from the node; an unbound delayed claim already given a
/// node by an earlier attempt must stay on it.
fn volume_binding(store: &Store, state: &CycleState, node: &Node) -> Result<(), Vec<String>> {
    let node_name = name_of(&node.metadata);
    let node_labels = state.labels_of(node_name);
    for claim in state.claims.iter().filter(|c| is_bound(c)) {
        let volume_name = claim
            .spec
            .as_ref()
            .and_then(|s| s.volume_name.clone())
            .unwrap_or_default();
        if let Some(volume) = store.get::<PersistentVolume>(&ObjectKey::cluster(volume_name)) {
            if !volume_fits_node(volume, node_labels) {
                return Err(vec!["node(s) had volume node affinity conflict".into()]);
            }
        }
    }
    for claim in state.claims.iter().filter(|c| !is_bound(c)) {
        let selected = claim
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(SELECTED_NODE_ANNOTATION));
        if selected.is_some_and(|selected| selected != node_name) {
            return Err(vec![
                "node(s) didn't find available persistent volumes to bind".into(),
            ]);
        }
    }
    Ok(())
}

/// `interpodaffinity.Filter`, in upstream's order: the pod's own affinity, its own anti-affinity, then the
/// anti-affinity of the pods already there.
fn inter_pod_affinity(state: &CycleState, node_name: &str) -> Result<(), Vec<String>> {
    let labels = state.labels_of(node_name);
    let affinity_met = state.affinity_required.iter().all(|(key, values)| {
        let value = labels.get(key);
        match values {
            Some(values) => value.is_some_and(|v| values.contains(v)),
            None => value.is_some(),
        }
    });
    if !affinity_met {
        return Err(vec![AFFINITY_NOT_MATCHED.into()]);
    }
    let anti_violated = state
        .anti_affinity_occupied
        .iter()
        .any(|(key, values)| labels.get(key).is_some_and(|v| values.contains(v)));
    if anti_violated {
        return Err(vec![ANTI_AFFINITY_NOT_MATCHED.into()]);
    }
    let forbidden = state
        .forbidden_by_existing
        .iter()
        .any(|(key, value)| labels.get(key) == Some(value));
    if forbidden {
        return Err(vec![EXISTING_ANTI_AFFINITY_NOT_MATCHED.into()]);
    }
    Ok(())
}

pub const AFFINITY_NOT_MATCHED: &str = "node(s) didn't match pod affinity rules";
const ANTI_AFFINITY_NOT_MATCHED: &str = "node(s) didn't match pod anti-affinity rules";
const EXISTING_ANTI_AFFINITY_NOT_MATCHED: &str =
    "node(s) didn't satisfy existing pods anti-affinity rules";

/// Whether a filter's reason is `Unschedulable` rather than `UnschedulableAndUnresolvable`: evicting
/// lower-priority pods could make room (resources, pod count, anti-affinity), so the preemption post-filter
/// looks for victims on that node.
pub fn preemption_could_help(reason: &str) -> bool {
    reason == "Too many pods"
        || reason.starts_with("Insufficient ")
        || reason == ANTI_AFFINITY_NOT_MATCHED
        || reason == EXISTING_ANTI_AFFINITY_NOT_MATCHED
}

/// The score plugins, reduced to an order: preferred node affinity weights first, then spreading the pod's
/// own set over nodes (PodTopologySpread's system defaults), then the fewest pods. Ties are broken at random
/// by the caller, as `selectHost` does.
pub fn score(cache: &SchedulerCache, state: &CycleState, node: &Node) -> (i64, i64, i64) {
    let node_name = name_of(&node.metadata);
    let labels = state.labels_of(node_name);
    let preferred = state
        .pod
        .spec
        .as_ref()
        .and_then(|s| s.affinity.as_ref())
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|a| {
            a.preferred_during_scheduling_ignored_during_execution
                .as_ref()
        })
        .into_iter()
        .flatten()
        .filter(|p| node_term_matches(&p.preference, node_name, labels))
        .map(|p| i64::from(p.weight))
        .sum::<i64>();
    let siblings = cache
        .pods_on(node_name)
        .filter(|p| p.owner_uid.is_some() && p.owner_uid == state.info.owner_uid)
        .count() as i64;
    let pods = cache.pods_on(node_name).count() as i64;
    (preferred, -siblings, -pods)
}
