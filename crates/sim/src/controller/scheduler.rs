//! kube-scheduler, reduced to the plugins a StatefulSet lesson meets: NodeUnschedulable, TaintToleration
//! (for unreachable nodes), NodeName/NodeSelector, pod count, and VolumeBinding with WaitForFirstConsumer.

use k8s_openapi::api::core::v1::{
    Node, NodeSelectorTerm, PersistentVolume, PersistentVolumeClaim, Pod, PodCondition,
};
use k8s_openapi::api::storage::v1::StorageClass;
use std::collections::{BTreeMap, BTreeSet};

use super::persistentvolume::{find_matching_volume, SELECTED_NODE_ANNOTATION};
use crate::controller::{Controller, ControllerId, Ctx, WorkQueue};
use crate::events::{self, component, EventType};
use crate::labels::operator_matches;
use crate::object::{name_of, ApiObject, Object, ObjectKey};
use crate::store::{Store, WatchEvent};

/// Unschedulable pods are retried at least this often even if nothing they wait on changes.
const UNSCHEDULABLE_RETRY_MS: u64 = 60_000;

#[derive(Clone, Debug, Default)]
pub struct Scheduler {
    queue: WorkQueue,
    /// Pods that failed to schedule, retried when a node, claim or volume changes.
    unschedulable: BTreeSet<ObjectKey>,
}

enum Decision {
    Bind(String),
    /// Volumes are being bound or provisioned for the chosen node; binding the pod follows.
    WaitForVolumes,
    Unschedulable(String),
}

impl Controller for Scheduler {
    fn observe(&mut self, event: &WatchEvent, _store: &Store) {
        match &event.object {
            Object::Pod(pod) if needs_scheduling(pod) => self.queue.add(pod.key()),
            Object::Node(_)
            | Object::PersistentVolumeClaim(_)
            | Object::PersistentVolume(_)
            | Object::StorageClass(_) => {
                for key in std::mem::take(&mut self.unschedulable) {
                    self.queue.add(key);
                }
            }
            _ => {}
        }
    }

    fn queue(&mut self) -> &mut WorkQueue {
        &mut self.queue
    }

    fn sync(&mut self, key: &ObjectKey, ctx: &mut Ctx) {
        let Some(pod) = ctx.store.get::<Pod>(key).cloned().filter(needs_scheduling) else {
            self.unschedulable.remove(key);
            return;
        };
        match schedule(ctx, &pod) {
            Decision::Bind(node) => {
                self.unschedulable.remove(key);
                bind(ctx, &pod, &node);
            }
            Decision::WaitForVolumes => {
                self.unschedulable.insert(key.clone());
            }
            Decision::Unschedulable(message) => {
                self.unschedulable.insert(key.clone());
                mark_unschedulable(ctx, &pod, &message);
                ctx.requeue_after(ControllerId::Scheduler, key.clone(), UNSCHEDULABLE_RETRY_MS);
            }
        }
    }
}

fn needs_scheduling(pod: &Pod) -> bool {
    let spec = pod.spec.as_ref();
    pod.metadata.deletion_timestamp.is_none()
        && spec
            .and_then(|s| s.node_name.as_deref())
            .unwrap_or_default()
            .is_empty()
        && spec
            .and_then(|s| s.scheduler_name.as_deref())
            .is_none_or(|s| s == "default-scheduler")
}

fn schedule(ctx: &mut Ctx, pod: &Pod) -> Decision {
    let claims = match pod_claims(ctx.store, pod) {
        Ok(claims) => claims,
        Err(message) => return Decision::Unschedulable(message),
    };
    let nodes: Vec<Node> = ctx.store.list::<Node>().cloned().collect();
    let mut reasons: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut feasible = Vec::new();
    for node in &nodes {
        match filter(ctx.store, pod, &claims, node) {
            Ok(()) => feasible.push(node),
            Err(reason) => *reasons.entry(reason).or_default() += 1,
        }
    }
    if feasible.is_empty() {
        let total = nodes.len();
        let mut parts: Vec<String> = reasons
            .iter()
            .map(|(reason, count)| format!("{count} {reason}"))
            .collect();
        parts.sort();
        let summary = if parts.is_empty() {
            String::new()
        } else {
            format!(" {}.", parts.join(", "))
        };
        return Decision::Unschedulable(format!(
            "0/{total} nodes are available:{summary} preemption: 0/{total} nodes are available: {total} Preemption is not helpful for scheduling."
        ));
    }
    let node = pick_least_loaded(ctx, &feasible);
    if bind_volumes(ctx, &claims, &node) {
        Decision::Bind(node)
    } else {
        Decision::WaitForVolumes
    }
}

/// The claims a pod mounts, or the PreFilter message when one is missing or going away.
fn pod_claims(store: &Store, pod: &Pod) -> Result<Vec<PersistentVolumeClaim>, String> {
    let namespace = pod.metadata.namespace.clone().unwrap_or_default();
    let volumes = pod
        .spec
        .as_ref()
        .and_then(|s| s.volumes.as_deref())
        .unwrap_or_default();
    let mut claims = Vec::new();
    for source in volumes
        .iter()
        .filter_map(|v| v.persistent_volume_claim.as_ref())
    {
        let key = ObjectKey::new(namespace.clone(), source.claim_name.clone());
        let Some(claim) = store.get::<PersistentVolumeClaim>(&key) else {
            return Err(format!(
                "0/{} nodes are available: persistentvolumeclaim \"{}\" not found.",
                store.nodes.len(),
                key.name
            ));
        };
        if claim.metadata.deletion_timestamp.is_some() {
            return Err(format!(
                "0/{} nodes are available: persistentvolumeclaim \"{}\" is being deleted.",
                store.nodes.len(),
                key.name
            ));
        }
        if !is_bound(claim) && !is_delayed_binding(store, claim) {
            return Err(format!(
                "0/{} nodes are available: pod has unbound immediate PersistentVolumeClaims.",
                store.nodes.len()
            ));
        }
        claims.push(claim.clone());
    }
    Ok(claims)
}

fn is_bound(claim: &PersistentVolumeClaim) -> bool {
    claim.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound")
}

fn is_delayed_binding(store: &Store, claim: &PersistentVolumeClaim) -> bool {
    let class = claim
        .spec
        .as_ref()
        .and_then(|s| s.storage_class_name.clone())
        .unwrap_or_default();
    store
        .get::<StorageClass>(&ObjectKey::cluster(class))
        .is_some_and(|sc| sc.volume_binding_mode.as_deref() == Some("WaitForFirstConsumer"))
}

/// One node through the filter plugins; the error is the plugin's reason as the summary message counts it.
fn filter(
    store: &Store,
    pod: &Pod,
    claims: &[PersistentVolumeClaim],
    node: &Node,
) -> Result<(), &'static str> {
    let node_name = name_of(&node.metadata);
    let spec = node.spec.as_ref();
    if spec.and_then(|s| s.unschedulable).unwrap_or(false) {
        return Err("node(s) were unschedulable");
    }
    let taints = spec.and_then(|s| s.taints.as_deref()).unwrap_or_default();
    if taints
        .iter()
        .any(|t| t.key == "node.kubernetes.io/unreachable" && t.effect == "NoSchedule")
    {
        return Err("node(s) had untolerated taint {node.kubernetes.io/unreachable: }");
    }
    let node_labels = node.metadata.labels.clone().unwrap_or_default();
    let selector = pod.spec.as_ref().and_then(|s| s.node_selector.as_ref());
    if selector.is_some_and(|sel| sel.iter().any(|(k, v)| node_labels.get(k) != Some(v))) {
        return Err("node(s) didn't match Pod's node affinity/selector");
    }
    let max_pods = node
        .status
        .as_ref()
        .and_then(|s| s.allocatable.as_ref())
        .and_then(|a| a.get("pods"))
        .and_then(|q| q.0.parse::<usize>().ok())
        .unwrap_or(110);
    if pods_on_node(store, node_name) >= max_pods {
        return Err("Too many pods");
    }
    for claim in claims.iter().filter(|c| is_bound(c)) {
        let volume_name = claim
            .spec
            .as_ref()
            .and_then(|s| s.volume_name.clone())
            .unwrap_or_default();
        if let Some(volume) = store.get::<PersistentVolume>(&ObjectKey::cluster(volume_name)) {
            if !volume_fits_node(volume, &node_labels) {
                return Err("node(s) had volume node affinity conflict");
            }
        }
    }
    for claim in claims.iter().filter(|c| !is_bound(c)) {
        let selected = claim
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(SELECTED_NODE_ANNOTATION));
        if selected.is_some_and(|selected| selected != node_name) {
            return Err("node(s) didn't find available persistent volumes to bind");
        }
    }
    Ok(())
}

pub fn volume_fits_node(volume: &PersistentVolume, node_labels: &BTreeMap<String, String>) -> bool {
    let required = volume
        .spec
        .as_ref()
        .and_then(|s| s.node_affinity.as_ref())
        .and_then(|a| a.required.as_ref());
    required.is_none_or(|selector| {
        selector
            .node_selector_terms
            .iter()
            .any(|term| term_matches(term, node_labels))
    })
}

fn term_matches(term: &NodeSelectorTerm, labels: &BTreeMap<String, String>) -> bool {
    term.match_expressions.iter().flatten().all(|expr| {
        operator_matches(
            &expr.operator,
            labels.get(&expr.key),
            expr.values.as_deref().unwrap_or_default(),
        )
    })
}

fn pods_on_node(store: &Store, node: &str) -> usize {
    store
        .list::<Pod>()
        .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node))
        .count()
}

/// Scores by the fewest pods; among equals the scheduler picks at random (`selectHost`).
fn pick_least_loaded(ctx: &mut Ctx, feasible: &[&Node]) -> String {
    let loads: Vec<(usize, &str)> = feasible
        .iter()
        .map(|n| {
            (
                pods_on_node(ctx.store, name_of(&n.metadata)),
                name_of(&n.metadata),
            )
        })
        .collect();
    let least = loads.iter().map(|(load, _)| *load).min().unwrap_or(0);
    let best: Vec<&str> = loads
        .iter()
        .filter(|(load, _)| *load == least)
        .map(|(_, name)| *name)
        .collect();
    let choice = ctx.rng.between(0, best.len() as u64 - 1) as usize;
    best[choice].to_string()
}

/// VolumeBinding's PreBind for delayed-binding claims: a fitting static volume is pre-bound to the claim,
/// otherwise the claim is annotated with the node so the provisioner creates a volume there. Returns whether
/// every claim is bound already, so the pod can be bound now.
fn bind_volumes(ctx: &mut Ctx, claims: &[PersistentVolumeClaim], node_name: &str) -> bool {
    let node_labels = ctx
        .store
        .get::<Node>(&ObjectKey::cluster(node_name))
        .and_then(|n| n.metadata.labels.clone())
        .unwrap_or_default();
    let mut all_bound = true;
    for claim in claims.iter().filter(|c| !is_bound(c)) {
        all_bound = false;
        if claim
            .spec
            .as_ref()
            .and_then(|s| s.volume_name.as_deref())
            .is_some_and(|v| !v.is_empty())
        {
            continue;
        }
        let static_volume =
            find_matching_volume(ctx.store, claim, false, Some(&node_labels)).map(|pv| pv.key());
        if let Some(volume) = static_volume {
            let claim_ref = super::persistentvolume::claim_reference(claim);
            let _ = ctx.store.modify::<PersistentVolume>(&volume, |pv| {
                pv.spec.get_or_insert_with(Default::default).claim_ref = Some(claim_ref);
            });
            continue;
        }
        let _ = ctx
            .store
            .modify::<PersistentVolumeClaim>(&claim.key(), |c| {
                c.metadata
                    .annotations
                    .get_or_insert_with(BTreeMap::new)
                    .insert(SELECTED_NODE_ANNOTATION.into(), node_name.into());
            });
    }
    all_bound
}

fn bind(ctx: &mut Ctx, pod: &Pod, node: &str) {
    let now = ctx.now().to_k8s();
    let bound = ctx.store.modify::<Pod>(&pod.key(), |p| {
        p.spec.get_or_insert_with(Default::default).node_name = Some(node.to_string());
        set_condition(
            p,
            PodCondition {
                type_: "PodScheduled".into(),
                status: "True".into(),
                last_transition_time: Some(now.clone()),
                ..PodCondition::default()
            },
        );
    });
    if let Ok(bound) = bound {
        let message = format!("Successfully assigned {} to {node}", bound.key());
        events::record(
            ctx.store,
            &bound,
            EventType::Normal,
            "Scheduled",
            message,
            component::SCHEDULER,
            None,
        );
    }
}

fn mark_unschedulable(ctx: &mut Ctx, pod: &Pod, message: &str) {
    let now = ctx.now().to_k8s();
    let updated = ctx.store.modify::<Pod>(&pod.key(), |p| {
        set_condition(
            p,
            PodCondition {
                type_: "PodScheduled".into(),
                status: "False".into(),
                reason: Some("Unschedulable".into()),
                message: Some(message.into()),
                last_transition_time: Some(now.clone()),
                ..PodCondition::default()
            },
        );
    });
    if let Ok(pod) = updated {
        events::record(
            ctx.store,
            &pod,
            EventType::Warning,
            "FailedScheduling",
            message,
            component::SCHEDULER,
            None,
        );
    }
}

/// Sets a condition, keeping its transition time when the status does not change.
pub fn set_condition(pod: &mut Pod, condition: PodCondition) {
    let status = pod.status.get_or_insert_with(Default::default);
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    match conditions.iter_mut().find(|c| c.type_ == condition.type_) {
        Some(existing) if existing.status == condition.status => {
            existing.reason = condition.reason;
            existing.message = condition.message;
        }
        Some(existing) => *existing = condition,
        None => conditions.push(condition),
    }
}
