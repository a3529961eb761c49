//! `pkg/controller/statefulset/stateful_set_control.go`: one sync of one StatefulSet, in upstream's order.

use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet, StatefulSetStatus};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeSet;
use std::sync::Arc;

use super::errors::SyncError;
use super::pod_control::{
    create_persistent_volume_claims, create_stateful_pod, delete_stateful_pod, update_stateful_pod,
};
use super::retention::{claims_match_retention_policy, update_pod_claim_for_retention_policy};
use super::utils::*;
use super::wait::{Cause, HeldBack, Wait};
use crate::api::delete_options::DeleteOptions;
use crate::controller::Ctx;
use crate::object::{get_controller_of, name_of, ApiObject, ObjectKey};
use crate::sort;
use crate::store::ApiError;
use crate::time::SimTime;

/// `MaxBatchSize` of `slowStartBatch`.
const MAX_BATCH_SIZE: usize = 500;

/// What one sync did, for the controller's bookkeeping and for viewers.
#[derive(Debug, Default)]
pub struct SyncResult {
    pub status: Option<StatefulSetStatus>,
    pub wait: Option<Wait>,
    pub error: Option<SyncError>,
}

/// How a `process*` step ends: go on with the next pod, or stop this sync (and, if so, why).
enum Flow {
    Continue,
    Exit(Option<Cause>),
}

/// `UpdateStatefulSet`.
pub fn update_stateful_set(
    ctx: &mut Ctx,
    set: &StatefulSet,
    pods: &[Arc<Pod>],
    facts: &mut PodFactsCache,
) -> SyncResult {
    let mut revisions = list_revisions(ctx, set);
    sort_controller_revisions(&mut revisions);
    let (current, update, collision_count) = match get_stateful_set_revisions(ctx, set, &revisions)
    {
        Ok(found) => found,
        Err(error) => {
            return SyncResult {
                error: Some(error),
                ..SyncResult::default()
            }
        }
    };
    let mut result =
        update_stateful_set_pods(ctx, set, &current, &update, collision_count, pods, facts);
    if let Some(status) = &result.status {
        if let Err(error) = update_stateful_set_status(ctx, set, status.clone()) {
            // The sync error wins over the status error (TestStatefulSetStatusUpdate).
            result.error.get_or_insert(error);
        }
    }
    // History is truncated even when the sync failed.
    let revisions = list_revisions(ctx, set);
    truncate_history(ctx, set, pods, &revisions, &current, &update);
    result
}

fn list_revisions(ctx: &Ctx, set: &StatefulSet) -> Vec<ControllerRevision> {
    let namespace = set.metadata.namespace.as_deref().unwrap_or_default();
    ctx.store
        .list_namespace::<ControllerRevision>(namespace)
        .filter(|r| {
            get_controller_of(&r.metadata)
                .is_some_and(|owner| owner.uid == set.metadata.uid.clone().unwrap_or_default())
        })
        .cloned()
        .collect()
}

/// `SortControllerRevisions`: by revision, then creation time, then name.
fn sort_controller_revisions(revisions: &mut [ControllerRevision]) {
    sort::sort_by(revisions, |a, b| {
        a.revision
            .cmp(&b.revision)
            .then_with(|| {
                a.metadata
                    .creation_timestamp
                    .cmp(&b.metadata.creation_timestamp)
            })
            .then_with(|| a.metadata.name.cmp(&b.metadata.name))
    });
}

/// `getStatefulSetRevisions`: the current and update revisions, creating or renumbering as needed.
fn get_stateful_set_revisions(
    ctx: &mut Ctx,
    set: &StatefulSet,
    revisions: &[ControllerRevision],
) -> Result<(ControllerRevision, ControllerRevision, i32), SyncError> {
    let mut collision_count = set
        .status
        .as_ref()
        .and_then(|s| s.collision_count)
        .unwrap_or(0);
    let next_revision = revisions.last().map_or(1, |r| r.revision + 1);
    let candidate = new_revision(set, next_revision, collision_count);
    let equal: Vec<&ControllerRevision> = revisions
        .iter()
        .filter(|r| r.data == candidate.data)
        .collect();

    let update = match equal.last() {
        // The template is what the newest revision already records.
        Some(last_equal) if last_equal.revision == revisions.last().map_or(0, |r| r.revision) => {
            (*last_equal).clone()
        }
        // The template went back to an older revision: a rollback renumbers it instead of creating a copy.
        Some(last_equal) => {
            let mut renumbered = (*last_equal).clone();
            renumbered.revision = candidate.revision;
            ctx.store.update(renumbered).map(Arc::unwrap_or_clone)?
        }
        // A set being deleted only reports status. Upstream would still create the revision, the collector
        // would delete it and the controller create it again until the set is gone: churn that nothing reads,
        // and one that a simulation without informer latency would repeat forever at one instant.
        None if set.metadata.deletion_timestamp.is_some() => candidate,
        None => create_controller_revision(ctx, set, next_revision, &mut collision_count)?,
    };
    let current_name = set.status.as_ref().and_then(|s| s.current_revision.clone());
    let current = revisions
        .iter()
        .find(|r| r.metadata.name == current_name && current_name.is_some())
        .cloned()
        .unwrap_or_else(|| update.clone());
    Ok((current, update, collision_count))
}

/// `CreateControllerRevision`: on a name collision with different data, count the collision and rehash.
fn create_controller_revision(
    ctx: &mut Ctx,
    set: &StatefulSet,
    revision: i64,
    collision_count: &mut i32,
) -> Result<ControllerRevision, SyncError> {
    loop {
        let candidate = new_revision(set, revision, *collision_count);
        match ctx.store.create(candidate.clone()) {
            Ok(created) => return Ok(Arc::unwrap_or_clone(created)),
            Err(ApiError::AlreadyExists { .. }) => {
                let existing = ctx
                    .store
                    .get::<ControllerRevision>(&candidate.key())
                    .cloned();
                if let Some(existing) = existing.filter(|e| e.data == candidate.data) {
                    return Ok(existing);
                }
                *collision_count += 1;
            }
            Err(error) => return Err(error.into()),
        }
    }
}

/// `updateStatefulSet`: scale, replace and update the pods; at most what the policy allows in one sync.
fn update_stateful_set_pods(
    ctx: &mut Ctx,
    set: &StatefulSet,
    current_revision: &ControllerRevision,
    update_revision: &ControllerRevision,
    collision_count: i32,
    pods: &[Arc<Pod>],
    facts: &mut PodFactsCache,
) -> SyncResult {
    let current_set = apply_revision(set, current_revision);
    let update_set = apply_revision(set, update_revision);
    let current_name = name_of(&current_revision.metadata).to_string();
    let update_name = name_of(&update_revision.metadata).to_string();
    let min_ready = min_ready_seconds(set);
    let now = ctx.now();

    let versions = Versions {
        current_set: &current_set,
        update_set: &update_set,
        current_name: &current_name,
        update_name: &update_name,
    };
    let start = start_ordinal(set);
    let end = end_ordinal(set);
    let mut replicas: Vec<Option<StatefulPod>> = vec![None; replicas(set).max(0) as usize];
    let mut condemned: Vec<StatefulPod> = Vec::new();
    for pod in pods {
        let pod = versions.read(pod.clone(), facts.facts(set, pod));
        if (i64::from(start)..=i64::from(end)).contains(&pod.ordinal) {
            let index = (pod.ordinal - i64::from(start)) as usize;
            replicas[index] = Some(pod);
        } else if pod.ordinal >= 0 {
            condemned.push(pod);
        }
    }
    // Missing ordinals stand for the pod they should have; it has no phase until the apiserver creates it.
    // OrderedReady creates at most the first missing one per sync and stops there, so a run of missing
    // ordinals at the end is represented by its first alone: scaling a large set up does not rebuild
    // hundreds of placeholders on every sync.
    let monotonic = !is_parallel(set);
    let first_missing = replicas.iter().position(Option::is_none);
    let last_existing = replicas.iter().rposition(Option::is_some);
    if let (true, Some(first)) = (monotonic, first_missing) {
        replicas.truncate(first.max(last_existing.map_or(0, |last| last + 1)) + 1);
    }
    let mut replicas: Vec<StatefulPod> = replicas
        .into_iter()
        .enumerate()
        .map(|(i, pod)| {
            pod.unwrap_or_else(|| {
                let missing = versions.missing_pod(start + i as i32);
                let facts = PodFacts::of(set, &missing);
                versions.read(Arc::new(missing), &facts)
            })
        })
        .collect();
    sort::sort_by_key(&mut condemned, |pod| std::cmp::Reverse(pod.ordinal));

    let mut status = StatefulSetStatus {
        observed_generation: set.metadata.generation,
        current_revision: Some(current_name.clone()),
        update_revision: Some(update_name.clone()),
        collision_count: Some(collision_count),
        ..set.status.clone().unwrap_or_default()
    };
    update_status(
        &mut status,
        min_ready,
        now,
        replicas.iter().chain(&condemned),
    );

    // The first unavailable pod: replicas ascending, then condemned ascending.
    let first_unavailable = replicas
        .iter()
        .chain(condemned.iter().rev())
        .find(|pod| pod.is_unavailable(min_ready, now))
        .map(|pod| pod.name().to_string());

    if set.metadata.deletion_timestamp.is_some() {
        return SyncResult {
            status: Some(status),
            ..SyncResult::default()
        };
    }
    let recount =
        |status: &mut StatefulSetStatus, replicas: &[StatefulPod], condemned: &[StatefulPod]| {
            update_status(status, min_ready, now, replicas.iter().chain(condemned));
        };

    // (A) Bring every ordinal in range into existence and health.
    let outcome = run_for_all(replicas.len(), monotonic, |i| {
        process_replica(ctx, set, &versions, monotonic, &mut replicas, i, min_ready)
    });
    if let Some(stop) = outcome {
        recount(&mut status, &replicas, &condemned);
        return finish(status, stop, &replicas, &condemned);
    }
    // (B) Before a condemned pod goes, its claims get the owner the retention policy asks for, so that the
    // garbage collector deletes them with the pod (whenScaled: Delete) and not before.
    let outcome = run_for_all(condemned.len(), monotonic, |i| {
        fix_pod_claim(ctx, &update_set, &condemned[i].pod)
    });
    if let Some(stop) = outcome {
        recount(&mut status, &replicas, &condemned);
        return finish(status, stop, &replicas, &condemned);
    }
    // (C) Scale down, highest ordinal first.
    let outcome = run_for_all(condemned.len(), monotonic, |i| {
        process_condemned(
            ctx,
            set,
            first_unavailable.as_deref(),
            monotonic,
            &condemned,
            i,
            min_ready,
        )
    });
    if let Some(stop) = outcome {
        recount(&mut status, &replicas, &condemned);
        return finish(status, stop, &replicas, &condemned);
    }
    recount(&mut status, &replicas, &condemned);

    if is_on_delete(set) {
        return SyncResult {
            status: Some(status),
            ..SyncResult::default()
        };
    }

    let partition = spec(set)
        .update_strategy
        .as_ref()
        .and_then(|s| s.rolling_update.as_ref())
        .and_then(|r| r.partition)
        .unwrap_or(0)
        .max(0) as usize;
    if ctx.config.feature_gates.max_unavailable_stateful_set {
        return update_stateful_set_after_invariant_established(
            ctx, set, &replicas, status, partition, min_ready,
        );
    }
    // The legacy rolling update: one pod at a time, highest ordinal first, never below the partition.
    for target in (partition..replicas.len()).rev() {
        let pod = &replicas[target];
        if !pod.is_at_update_revision() && !pod.is_terminating() {
            if let Err(error) = delete_stateful_pod(ctx, set, &pod.pod) {
                // Someone else deleted it first: the sync goes on as if this delete had succeeded.
                if !error.is_not_found() {
                    return SyncResult {
                        status: Some(status),
                        error: Some(error),
                        ..SyncResult::default()
                    };
                }
            }
            status.current_replicas = Some(status.current_replicas.unwrap_or(0) - 1);
            return SyncResult {
                status: Some(status),
                ..SyncResult::default()
            };
        }
        if pod.is_unavailable(min_ready, now) {
            let cause = if pod.is_terminating() {
                Cause::Terminating {
                    pod: pod.name().to_string(),
                }
            } else {
                unavailable_cause(pod, min_ready)
            };
            let wait = next_update_below(&replicas, target, partition)
                .map(|held_back| Wait { held_back, cause });
            return SyncResult {
                status: Some(status),
                wait,
                ..SyncResult::default()
            };
        }
    }
    SyncResult {
        status: Some(status),
        ..SyncResult::default()
    }
}

/// `updateStatefulSetAfterInvariantEstablished` (gate `MaxUnavailableStatefulSet` on): as many old-revision
/// pods as the unavailability budget allows are deleted in one sync, highest ordinal first, without waiting for
/// each replacement. Unavailable pods below the partition count against the budget too.
fn update_stateful_set_after_invariant_established(
    ctx: &mut Ctx,
    set: &StatefulSet,
    replicas: &[StatefulPod],
    mut status: StatefulSetStatus,
    partition: usize,
    min_ready: i32,
) -> SyncResult {
    let now = ctx.now();
    let max_unavailable = get_stateful_set_max_unavailable(set);
    let unavailable: Vec<&StatefulPod> = replicas
        .iter()
        .filter(|pod| pod.is_unavailable(min_ready, now))
        .collect();
    let outdated = |pod: &&StatefulPod| !pod.is_at_update_revision() && !pod.is_terminating();
    let mut targets = (partition..replicas.len())
        .rev()
        .map(|i| &replicas[i])
        .filter(outdated);
    // 1.34 stops only when the budget is exceeded; at exactly the budget nothing is deleted either.
    let budget = max_unavailable.saturating_sub(unavailable.len());
    for pod in targets.by_ref().take(budget) {
        if let Err(error) = delete_stateful_pod(ctx, set, &pod.pod) {
            return SyncResult {
                status: Some(status),
                error: Some(error),
                ..SyncResult::default()
            };
        }
        status.current_replicas = Some(status.current_replicas.unwrap_or(0) - 1);
    }
    let wait = targets
        .next()
        .zip(unavailable.first())
        .map(|(next, blocker)| Wait {
            held_back: HeldBack::Update(next.name().to_string()),
            cause: Cause::MaxUnavailable {
                max_unavailable: max_unavailable as i32,
                unavailable: unavailable.len() as i32,
                pod: blocker.name().to_string(),
            },
        });
    SyncResult {
        status: Some(status),
        wait,
        ..SyncResult::default()
    }
}

/// `getStatefulSetMaxUnavailable`: a number, or a percentage of `spec.replicas` rounded down; at least 1.
pub fn get_stateful_set_max_unavailable(set: &StatefulSet) -> usize {
    let replicas = spec(set).replicas.unwrap_or(1).max(0) as usize;
    let value = spec(set)
        .update_strategy
        .as_ref()
        .and_then(|s| s.rolling_update.as_ref())
        .and_then(|r| r.max_unavailable.clone());
    let resolved = match value {
        None => 1,
        Some(IntOrString::Int(n)) => n.max(0) as usize,
        Some(IntOrString::String(text)) => text
            .strip_suffix('%')
            .and_then(|p| p.parse::<usize>().ok())
            .map_or(1, |percent| replicas * percent / 100),
    };
    resolved.max(1)
}

/// How a stopped phase is reported: its error, or what it waits for and what that holds back.
fn finish(
    status: StatefulSetStatus,
    stop: Stop,
    replicas: &[StatefulPod],
    condemned: &[StatefulPod],
) -> SyncResult {
    match stop {
        Stop::Error(error) => {
            let cause = Cause::Error {
                message: error.to_string(),
            };
            let wait =
                held_back(&cause, replicas, condemned).map(|held_back| Wait { held_back, cause });
            SyncResult {
                status: Some(status),
                wait,
                error: Some(error),
            }
        }
        Stop::Exit(None) => SyncResult {
            status: Some(status),
            ..SyncResult::default()
        },
        Stop::Exit(Some(cause)) => {
            let wait =
                held_back(&cause, replicas, condemned).map(|held_back| Wait { held_back, cause });
            SyncResult {
                status: Some(status),
                wait,
                ..SyncResult::default()
            }
        }
    }
}

/// What the blocked sync would have done next: create a missing ordinal, recreate the blocking one, delete a
/// condemned pod, or update an old-revision pod.
fn held_back(
    cause: &Cause,
    replicas: &[StatefulPod],
    condemned: &[StatefulPod],
) -> Option<HeldBack> {
    let recreated = match cause {
        Cause::Terminating { pod } | Cause::Finished { pod, .. } => replicas
            .iter()
            .any(|r| r.name() == pod)
            .then(|| HeldBack::Recreate(pod.clone())),
        _ => None,
    };
    recreated
        .or_else(|| {
            replicas
                .iter()
                .find(|p| !p.is_created())
                .map(|p| HeldBack::Create(p.name().into()))
        })
        .or_else(|| {
            condemned
                .iter()
                .find(|p| !p.is_terminating())
                .map(|p| HeldBack::Delete(p.name().into()))
        })
        .or_else(|| {
            replicas
                .iter()
                .rev()
                .find(|p| !p.is_at_update_revision())
                .map(|p| HeldBack::Update(p.name().into()))
        })
}

fn next_update_below(
    replicas: &[StatefulPod],
    target: usize,
    partition: usize,
) -> Option<HeldBack> {
    replicas[partition..target]
        .iter()
        .rev()
        .find(|p| !p.is_at_update_revision())
        .map(|p| HeldBack::Update(p.name().into()))
}

fn unavailable_cause(pod: &StatefulPod, min_ready: i32) -> Cause {
    let name = pod.name().to_string();
    if pod.is_running_and_ready() {
        Cause::NotAvailable {
            pod: name,
            min_ready_seconds: min_ready,
        }
    } else {
        Cause::NotRunningAndReady { pod: name }
    }
}

enum Stop {
    Exit(Option<Cause>),
    Error(SyncError),
}

/// `runForAll`: sequential and stopping at the first exit in OrderedReady; in Parallel, `slowStartBatch`
/// (batches of 1, 2, 4, ... up to 500) where only an error stops the run.
fn run_for_all(
    count: usize,
    monotonic: bool,
    mut step: impl FnMut(usize) -> Result<Flow, SyncError>,
) -> Option<Stop> {
    if monotonic {
        for i in 0..count {
            match step(i) {
                Ok(Flow::Continue) => {}
                Ok(Flow::Exit(cause)) => return Some(Stop::Exit(cause)),
                Err(error) => return Some(Stop::Error(error)),
            }
        }
        return None;
    }
    let mut next = 0;
    let mut batch = 1;
    while next < count {
        let size = batch.min(count - next).min(MAX_BATCH_SIZE);
        let errors: Vec<SyncError> = (next..next + size).filter_map(|i| step(i).err()).collect();
        if let Some(error) = SyncError::aggregate(errors) {
            return Some(Stop::Error(error));
        }
        next += size;
        batch = size * 2;
    }
    None
}

/// The two revisions a sync works with, to make the pods of missing ordinals.
struct Versions<'a> {
    current_set: &'a StatefulSet,
    update_set: &'a StatefulSet,
    current_name: &'a str,
    update_name: &'a str,
}

impl Versions<'_> {
    /// `newVersionedStatefulSetPod`.
    fn new_pod(&self, ordinal: i32) -> Pod {
        new_versioned_stateful_set_pod(
            self.current_set,
            self.update_set,
            self.current_name,
            self.update_name,
            ordinal,
        )
    }

    fn missing_pod(&self, ordinal: i32) -> Pod {
        let revision = if new_pod_uses_current_revision(self.current_set, ordinal) {
            self.current_name
        } else {
            self.update_name
        };
        missing_stateful_set_pod(self.update_set, ordinal, revision)
    }

    fn read(&self, pod: Arc<Pod>, facts: &PodFacts) -> StatefulPod {
        StatefulPod::new(pod, facts, self.current_name, self.update_name)
    }
}

/// `processReplica`.
fn process_replica(
    ctx: &mut Ctx,
    set: &StatefulSet,
    versions: &Versions,
    monotonic: bool,
    replicas: &mut [StatefulPod],
    i: usize,
    min_ready: i32,
) -> Result<Flow, SyncError> {
    let update_set = versions.update_set;
    let replica = &replicas[i];
    let pod = replica.pod.clone();
    let pod_name = replica.name().to_string();
    // A finished pod is deleted; its replacement comes on a later sync, once the old object is gone.
    if replica.is_failed() || replica.is_succeeded() {
        if !replica.is_terminating() {
            delete_stateful_pod(ctx, set, &pod)?;
        }
        let phase = if replica.is_failed() {
            "Failed"
        } else {
            "Succeeded"
        };
        return Ok(Flow::Exit(Some(Cause::Finished {
            pod: pod_name,
            phase: phase.into(),
        })));
    }
    if !replica.is_created() {
        if pod_claim_is_stale(ctx, set, &pod) {
            return Ok(Flow::Exit(Some(Cause::StaleClaim { pod: pod_name })));
        }
        create_stateful_pod(ctx, set, &versions.new_pod(replica.ordinal as i32))?;
        // One creation per sync: the new pod's watch event starts the next one.
        if monotonic {
            return Ok(Flow::Exit(None));
        }
    }
    // A pending pod whose claim was deleted gets it back.
    if replica.is_pending() {
        create_persistent_volume_claims(ctx, set, &pod)?;
    }
    if replica.is_terminating() && monotonic {
        return Ok(Flow::Exit(Some(Cause::Terminating { pod: pod_name })));
    }
    if !replica.is_created() {
        return Ok(Flow::Continue);
    }
    if !replica.is_running_and_ready() && monotonic {
        return Ok(Flow::Exit(Some(Cause::NotRunningAndReady {
            pod: pod_name,
        })));
    }
    if !replica.is_running_and_available(min_ready, ctx.now()) && monotonic {
        return Ok(Flow::Exit(Some(Cause::NotAvailable {
            pod: pod_name,
            min_ready_seconds: min_ready,
        })));
    }
    let retention_match = claims_match_retention_policy(ctx, update_set, &pod);
    if replica.identity_and_storage_match() && retention_match {
        return Ok(Flow::Continue);
    }
    update_stateful_pod(ctx, update_set, &pod)?;
    let updated = ctx
        .store
        .get_shared::<Pod>(&ObjectKey::of(&pod.metadata))
        .unwrap_or(pod);
    let facts = PodFacts::of(set, &updated);
    replicas[i] = versions.read(updated, &facts);
    Ok(Flow::Continue)
}

/// `processCondemned`: in OrderedReady one deletion per sync, and only once every pod in range is healthy,
/// except that the lowest unavailable pod may go while unhealthy.
fn process_condemned(
    ctx: &mut Ctx,
    set: &StatefulSet,
    first_unavailable: Option<&str>,
    monotonic: bool,
    condemned: &[StatefulPod],
    i: usize,
    min_ready: i32,
) -> Result<Flow, SyncError> {
    let pod = &condemned[i];
    let pod_name = pod.name().to_string();
    if pod.is_terminating() {
        return Ok(if monotonic {
            Flow::Exit(Some(Cause::Terminating { pod: pod_name }))
        } else {
            Flow::Continue
        });
    }
    let is_first_unavailable = first_unavailable == Some(pod_name.as_str());
    if monotonic && !pod.is_running_and_ready() && !is_first_unavailable {
        return Ok(Flow::Exit(Some(Cause::NotRunningAndReady {
            pod: pod_name,
        })));
    }
    if monotonic && !pod.is_running_and_available(min_ready, ctx.now()) && !is_first_unavailable {
        return Ok(Flow::Exit(Some(Cause::NotAvailable {
            pod: pod_name,
            min_ready_seconds: min_ready,
        })));
    }
    delete_stateful_pod(ctx, set, &pod.pod)?;
    Ok(Flow::Exit(None))
}

/// Phase (B) for one condemned pod: `ClaimsMatchRetentionPolicy`, else `UpdatePodClaimForRetentionPolicy`.
fn fix_pod_claim(ctx: &mut Ctx, update_set: &StatefulSet, pod: &Pod) -> Result<Flow, SyncError> {
    if !claims_match_retention_policy(ctx, update_set, pod) {
        update_pod_claim_for_retention_policy(ctx, update_set, pod)?;
    }
    Ok(Flow::Continue)
}

/// `PodClaimIsStale`: with `whenScaled: Delete`, a claim still owned by an earlier pod of this ordinal must be
/// garbage collected before the ordinal is created again.
fn pod_claim_is_stale(ctx: &Ctx, set: &StatefulSet, pod: &Pod) -> bool {
    let when_scaled = spec(set)
        .persistent_volume_claim_retention_policy
        .as_ref()
        .and_then(|p| p.when_scaled.as_deref());
    if when_scaled != Some("Delete") {
        return false;
    }
    claim_keys(set, pod).iter().any(|key| {
        ctx.store
            .get::<PersistentVolumeClaim>(key)
            .is_some_and(|existing| {
                existing
                    .metadata
                    .owner_references
                    .iter()
                    .flatten()
                    .any(|owner| {
                        owner.kind == "Pod"
                            && Some(&owner.name) == pod.metadata.name.as_ref()
                            && Some(&owner.uid) != pod.metadata.uid.as_ref()
                    })
            })
    })
}

/// `updateStatus` / `computeReplicaStatus`: counts over every pod with an ordinal, in range or condemned.
fn update_status<'a>(
    status: &mut StatefulSetStatus,
    min_ready: i32,
    now: SimTime,
    pods: impl Iterator<Item = &'a StatefulPod>,
) {
    let (mut replicas, mut ready, mut available, mut current, mut updated) = (0, 0, 0, 0, 0);
    for pod in pods {
        if pod.is_created() {
            replicas += 1;
        }
        if pod.is_running_and_ready() {
            ready += 1;
            if pod.is_running_and_available(min_ready, now) {
                available += 1;
            }
        }
        if pod.is_created() && !pod.is_terminating() {
            if pod.is_at_current_revision() {
                current += 1;
            }
            if pod.is_at_update_revision() {
                updated += 1;
            }
        }
    }
    status.replicas = replicas;
    status.ready_replicas = Some(ready);
    status.available_replicas = Some(available);
    status.current_replicas = Some(current);
    status.updated_replicas = Some(updated);
}

/// `updateStatefulSetStatus`: completes a finished rolling update, then writes only if something changed.
fn update_stateful_set_status(
    ctx: &mut Ctx,
    set: &StatefulSet,
    mut status: StatefulSetStatus,
) -> Result<(), SyncError> {
    complete_rolling_update(set, &mut status);
    if !inconsistent_status(set, &status) {
        return Ok(());
    }
    let key = set.key();
    ctx.store
        .modify::<StatefulSet>(&key, |stored| stored.status = Some(status))
        .map(|_| ())
        .map_err(SyncError::from)
}

/// `completeRollingUpdate`: once every replica is updated and ready, the update revision becomes current.
fn complete_rolling_update(set: &StatefulSet, status: &mut StatefulSetStatus) {
    let rolling = spec(set)
        .update_strategy
        .as_ref()
        .and_then(|s| s.type_.as_deref())
        == Some("RollingUpdate");
    let wanted = replicas(set);
    if rolling
        && status.updated_replicas == Some(wanted)
        && status.ready_replicas == Some(wanted)
        && status.replicas == wanted
    {
        status.current_replicas = status.updated_replicas;
        status.current_revision = status.update_revision.clone();
    }
}

/// `inconsistentStatus`.
fn inconsistent_status(set: &StatefulSet, status: &StatefulSetStatus) -> bool {
    let Some(old) = &set.status else { return true };
    status.observed_generation > old.observed_generation
        || status.replicas != old.replicas
        || status.ready_replicas.unwrap_or(0) != old.ready_replicas.unwrap_or(0)
        || status.current_replicas.unwrap_or(0) != old.current_replicas.unwrap_or(0)
        || status.updated_replicas.unwrap_or(0) != old.updated_replicas.unwrap_or(0)
        || status.available_replicas.unwrap_or(0) != old.available_replicas.unwrap_or(0)
        || status.current_revision != old.current_revision
        || status.update_revision != old.update_revision
        || status.collision_count != old.collision_count
}

/// `truncateHistory`: keeps at most `revisionHistoryLimit` revisions that neither the status nor a pod uses.
fn truncate_history(
    ctx: &mut Ctx,
    set: &StatefulSet,
    pods: &[Arc<Pod>],
    revisions: &[ControllerRevision],
    current: &ControllerRevision,
    update: &ControllerRevision,
) {
    let limit = spec(set).revision_history_limit.unwrap_or(10);
    // Fewer revisions than the limit leave nothing to truncate, whichever the pods use.
    if limit < 0 || revisions.len() <= limit as usize {
        return;
    }
    let mut live: BTreeSet<&str> = pods.iter().map(|pod| get_pod_revision(pod)).collect();
    live.insert(name_of(&current.metadata));
    live.insert(name_of(&update.metadata));
    let mut history: Vec<&ControllerRevision> = revisions
        .iter()
        .filter(|r| !live.contains(name_of(&r.metadata)))
        .collect();
    sort::sort_by_key(&mut history, |r| r.revision);
    let excess = history.len().saturating_sub(limit as usize);
    for revision in &history[..excess] {
        // Only NotFound can come back: a revision already gone needs no truncating.
        let _ = ctx
            .store
            .delete::<ControllerRevision>(&revision.key(), DeleteOptions::default());
    }
}
