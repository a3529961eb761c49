//! kube-scheduler: a queue with upstream's backoff and queueing hints, a cache of what each node runs, the
//! filter plugins a StatefulSet lesson meets (see `plugins`), a score, and VolumeBinding with
//! WaitForFirstConsumer.

mod cache;
mod plugins;

use k8s_openapi::api::core::v1::{
    Node, PersistentVolume, PersistentVolumeClaim, Pod, PodCondition,
};
use k8s_openapi::api::storage::v1::StorageClass;
use std::collections::{BTreeMap, BTreeSet};

use crate::api::pod::update_pod_condition;
use crate::api::well_known::SELECTED_NODE_ANNOTATION;
use crate::controller::{Controller, ControllerId, Ctx, WorkQueue};
use crate::events::{self, component, EventType};
use crate::object::{name_of, ApiObject, Object, ObjectKey};
use crate::store::{Store, WatchEvent, WatchEventType};
use crate::time::SimTime;
use crate::volume::{claim_reference, find_matching_volume};
use cache::SchedulerCache;
use plugins::CycleState;

pub use plugins::tolerates;

/// `podMaxInUnschedulablePodsDuration`: an unschedulable pod is retried at least this often even if no event
/// hints that it might fit now.
const UNSCHEDULABLE_RETRY_MS: u64 = 5 * 60_000;
/// `podInitialBackoffDuration` and `podMaxBackoffDuration`.
const INITIAL_BACKOFF_MS: u64 = 1_000;
const MAX_BACKOFF_MS: u64 = 10_000;

#[derive(Clone, Debug, Default)]
pub struct Scheduler {
    queue: WorkQueue,
    cache: SchedulerCache,
    /// Pods that failed to schedule, with the kind of event that may let them fit (upstream's queueing hints).
    unschedulable: BTreeMap<ObjectKey, Hint>,
    /// Pods whose delayed-binding claims are being bound or provisioned, by claim.
    waiting_on_claims: BTreeMap<ObjectKey, BTreeSet<ObjectKey>>,
    /// Failed attempts and the time of the last, for the backoff.
    attempts: BTreeMap<ObjectKey, (u32, SimTime)>,
}

/// Which cluster events can make an unschedulable pod fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Hint {
    /// Resources, pod count or anti-affinity: a pod leaving a node frees room.
    PodLeft,
    /// Required pod affinity: a matching pod arriving somewhere.
    PodArrived,
    /// A claim, volume or class changing.
    Storage,
}

enum Decision {
    Bind(String),
    /// Volumes are being bound or provisioned for the chosen node; binding the pod follows.
    WaitForVolumes(Vec<ObjectKey>),
    Unschedulable(String, Hint),
}

impl Controller for Scheduler {
    fn observe(&mut self, event: &WatchEvent, _store: &Store) {
        match &event.object {
            Object::Pod(pod) => self.observe_pod(pod, event.event_type),
            // A node that appears or changes may fit anything.
            Object::Node(_) => self.wake(|_| true),
            Object::PersistentVolumeClaim(claim) => {
                self.wake_claim_waiters(&claim.key());
                self.wake(|hint| hint == Hint::Storage);
            }
            Object::PersistentVolume(volume) => {
                let claim = volume.spec.as_ref().and_then(|s| s.claim_ref.as_ref());
                if let Some(claim) = claim {
                    let key = ObjectKey::new(
                        claim.namespace.clone().unwrap_or_default(),
                        claim.name.clone().unwrap_or_default(),
                    );
                    self.wake_claim_waiters(&key);
                }
                self.wake(|hint| hint == Hint::Storage);
            }
            Object::StorageClass(_) => self.wake(|hint| hint == Hint::Storage),
            _ => {}
        }
    }

    fn queue(&mut self) -> &mut WorkQueue {
        &mut self.queue
    }

    fn sync(&mut self, key: &ObjectKey, ctx: &mut Ctx) {
        let Some(pod) = ctx
            .store
            .get_shared::<Pod>(key)
            .filter(|p| needs_scheduling(p))
        else {
            self.forget(key);
            return;
        };
        if let Some(ready_at) = self.backoff_expires(key).filter(|at| *at > ctx.now()) {
            ctx.requeue_at(ControllerId::Scheduler, key.clone(), ready_at);
            return;
        }
        match self.schedule(ctx, &pod) {
            Decision::Bind(node) => {
                self.forget(key);
                bind(ctx, &pod, &node);
            }
            Decision::WaitForVolumes(claims) => {
                for claim in claims {
                    self.waiting_on_claims
                        .entry(claim)
                        .or_default()
                        .insert(key.clone());
                }
            }
            Decision::Unschedulable(message, hint) => {
                self.unschedulable.insert(key.clone(), hint);
                let (count, _) = self.attempts.get(key).copied().unwrap_or_default();
                self.attempts.insert(key.clone(), (count + 1, ctx.now()));
                mark_unschedulable(ctx, &pod, &message);
                ctx.requeue_after(ControllerId::Scheduler, key.clone(), UNSCHEDULABLE_RETRY_MS);
            }
        }
    }
}

impl Scheduler {
    fn observe_pod(&mut self, pod: &Pod, event_type: WatchEventType) {
        let key = pod.key();
        let was_bound = self.cache.node_of(&key).is_some();
        let deleted = event_type == WatchEventType::Deleted;
        self.cache.observe_pod(pod, deleted);
        let is_bound_now = self.cache.node_of(&key).is_some();
        if was_bound && !is_bound_now {
            self.wake(|hint| hint == Hint::PodLeft);
        }
        if !was_bound && is_bound_now {
            self.wake(|hint| hint == Hint::PodArrived);
        }
        if !deleted && needs_scheduling(pod) {
            self.queue.add(key);
        }
    }

    /// Moves the unschedulable pods an event may help back to the queue (`MoveAllToActiveOrBackoffQueue`).
    fn wake(&mut self, helps: impl Fn(Hint) -> bool) {
        let woken: Vec<ObjectKey> = self
            .unschedulable
            .iter()
            .filter(|(_, hint)| helps(**hint))
            .map(|(key, _)| key.clone())
            .collect();
        for key in woken {
            self.unschedulable.remove(&key);
            self.queue.add(key);
        }
    }

    fn wake_claim_waiters(&mut self, claim: &ObjectKey) {
        for pod in self.waiting_on_claims.remove(claim).unwrap_or_default() {
            self.queue.add(pod);
        }
    }

    fn forget(&mut self, key: &ObjectKey) {
        self.unschedulable.remove(key);
        self.attempts.remove(key);
    }

    /// `calculateBackoffDuration`: 1 s doubling per failed attempt, at most 10 s, from the last attempt.
    fn backoff_expires(&self, key: &ObjectKey) -> Option<SimTime> {
        let (count, last) = *self.attempts.get(key)?;
        let backoff = (INITIAL_BACKOFF_MS << count.saturating_sub(1).min(10)).min(MAX_BACKOFF_MS);
        Some(last.plus_millis(backoff))
    }

    /// `schedulePod`: PreFilter, Filter on every node, then the best score; VolumeBinding's PreBind decides
    /// whether the pod can be bound now.
    fn schedule(&self, ctx: &mut Ctx, pod: &Pod) -> Decision {
        let claims = match pod_claims(ctx.store, pod) {
            Ok(claims) => claims,
            Err(message) => return Decision::Unschedulable(message, Hint::Storage),
        };
        let state = CycleState::new(ctx.store, &self.cache, pod, &claims);
        let nodes: Vec<&Node> = ctx.store.list::<Node>().collect();
        let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
        let mut resolvable_nodes = 0;
        let mut feasible = Vec::new();
        for node in &nodes {
            match plugins::filter(ctx.store, &self.cache, &state, node) {
                Ok(()) => feasible.push((
                    plugins::score(&self.cache, &state, node),
                    name_of(&node.metadata).to_string(),
                )),
                Err(node_reasons) => {
                    if node_reasons
                        .iter()
                        .all(|r| plugins::preemption_could_help(r))
                    {
                        resolvable_nodes += 1;
                    }
                    for reason in node_reasons {
                        *reasons.entry(reason).or_default() += 1;
                    }
                }
            }
        }
        if feasible.is_empty() {
            let hint = hint_for(&reasons);
            return Decision::Unschedulable(
                fit_error(nodes.len(), &reasons, resolvable_nodes),
                hint,
            );
        }
        let best_score = feasible
            .iter()
            .map(|(score, _)| *score)
            .max()
            .expect("not empty");
        let best: Vec<String> = feasible
            .into_iter()
            .filter(|(score, _)| *score == best_score)
            .map(|(_, name)| name)
            .collect();
        let node = best[ctx.rng.between(0, best.len() as u64 - 1) as usize].clone();
        let unbound = bind_volumes(ctx, &claims, &node);
        if unbound.is_empty() {
            Decision::Bind(node)
        } else {
            Decision::WaitForVolumes(unbound)
        }
    }
}

/// `FitError.Error()`: the filter reasons counted over nodes, sorted, then the preemption post-filter's
/// verdict. No pod here has a priority above another, so preemption never finds victims: nodes that failed
/// only for reasons eviction could fix count as "No preemption victims found", the others as "not helpful".
fn fit_error(total: usize, reasons: &BTreeMap<String, usize>, resolvable_nodes: usize) -> String {
    let counted = |counts: Vec<(usize, &str)>| {
        let mut parts: Vec<String> = counts
            .into_iter()
            .filter(|(count, _)| *count > 0)
            .map(|(count, reason)| format!("{count} {reason}"))
            .collect();
        parts.sort();
        if parts.is_empty() {
            String::new()
        } else {
            format!(" {}.", parts.join(", "))
        }
    };
    let summary = counted(reasons.iter().map(|(r, n)| (*n, r.as_str())).collect());
    let preemption = counted(vec![
        (
            resolvable_nodes,
            "No preemption victims found for incoming pod",
        ),
        (
            total - resolvable_nodes,
            "Preemption is not helpful for scheduling",
        ),
    ]);
    format!("0/{total} nodes are available:{summary} preemption: 0/{total} nodes are available:{preemption}")
}

fn hint_for(reasons: &BTreeMap<String, usize>) -> Hint {
    if reasons.keys().any(|r| r.contains("persistent volume")) {
        Hint::Storage
    } else if reasons
        .keys()
        .any(|r| r == "node(s) didn't match pod affinity rules")
    {
        Hint::PodArrived
    } else {
        Hint::PodLeft
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

/// VolumeBinding's PreBind for delayed-binding claims: a fitting static volume is pre-bound to the claim,
/// otherwise the claim is annotated with the node so the provisioner creates a volume there. Returns whether
/// the claims still unbound: the pod is bound once there are none.
fn bind_volumes(
    ctx: &mut Ctx,
    claims: &[PersistentVolumeClaim],
    node_name: &str,
) -> Vec<ObjectKey> {
    let node_labels = ctx
        .store
        .get::<Node>(&ObjectKey::cluster(node_name))
        .and_then(|n| n.metadata.labels.clone())
        .unwrap_or_default();
    let mut unbound = Vec::new();
    for claim in claims.iter().filter(|c| !is_bound(c)) {
        unbound.push(claim.key());
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
            let claim_ref = claim_reference(claim);
            // Only NotFound can come back: the volume or claim went away, and the pod's next attempt sees it.
            let _ = ctx.store.modify::<PersistentVolume>(&volume, |pv| {
                pv.spec.get_or_insert_with(Default::default).claim_ref = Some(claim_ref);
            });
            continue;
        }
        // As above.
        let _ = ctx
            .store
            .modify::<PersistentVolumeClaim>(&claim.key(), |c| {
                c.metadata
                    .annotations
                    .get_or_insert_with(BTreeMap::new)
                    .insert(SELECTED_NODE_ANNOTATION.into(), node_name.into());
            });
    }
    unbound
}

fn bind(ctx: &mut Ctx, pod: &Pod, node: &str) {
    // A refusal (the pod went away, or is being deleted) leaves nothing to do: the next event about the pod
    // tells the scheduler, as `handleBindingCycleError` forgets the assumed pod.
    let bound = ctx.store.bind_pod(&pod.key(), node);
    if let Ok(bound) = bound {
        let message = format!("Successfully assigned {} to {node}", bound.key());
        events::record(
            ctx.store,
            &*bound,
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
        update_pod_condition(
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
            &*pod,
            EventType::Warning,
            "FailedScheduling",
            message,
            component::SCHEDULER,
            None,
        );
    }
}
