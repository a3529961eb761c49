//! The StatefulSet controller (`pkg/controller/statefulset`).

pub mod control;
pub mod errors;
pub mod pod_control;
pub mod retention;
pub mod utils;
pub mod wait;

use k8s_openapi::api::apps::v1::StatefulSetStatus;
use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::core::v1::{PodCondition, Volume};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{OwnerReference, Time};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::controller::{Controller, ControllerId, Ctx, WorkQueue};
use crate::labels::selector_matches;
use crate::object::{
    controller_ref, get_controller_of, remove_owner_references, ApiObject, Object, ObjectKey,
};
use crate::store::{Store, WatchEvent, WatchEventType};
use utils::{min_ready_seconds, replicas, ControllerRef, PodFacts, PodFactsCache};
pub use wait::Wait;

/// Failed syncs are retried with the default controller rate limiter's per-item backoff: 5 ms doubling.
const BACKOFF_BASE_MS: u64 = 5;
const BACKOFF_MAX_MS: u64 = 1000 * 1000;

#[derive(Clone, Debug, Default)]
pub struct StatefulSetController {
    queue: WorkQueue,
    failures: BTreeMap<ObjectKey, u32>,
    /// What each set's last sync was waiting for, if anything.
    waits: BTreeMap<ObjectKey, Wait>,
    /// Each set as its last sync left it, and each pod as it was last seen (see `SetInputs`, `PodInputs`).
    sets_after_sync: BTreeMap<ObjectKey, SetInputs>,
    pods_seen: HashMap<ObjectKey, PodInputs>,
    pod_facts: BTreeMap<ObjectKey, PodFactsCache>,
}

/// What a sync reads from its set besides the spec, whose changes bump the generation. Upstream enqueues a set
/// on every update; the most frequent is the status the sync itself just wrote, and a sync of a set exactly as
/// the last sync left it decides exactly what that sync did, unless time is an input: with minReadySeconds,
/// a pod can become available between two syncs without any object changing. Without it, skipping such a
/// sync changes nothing the cluster shows, and halves the syncs of a large set.
#[derive(Clone, Debug, PartialEq)]
struct SetInputs {
    generation: Option<i64>,
    deletion_timestamp: Option<Time>,
    status: Option<StatefulSetStatus>,
}

impl SetInputs {
    fn of(set: &StatefulSet) -> Self {
        SetInputs {
            generation: set.metadata.generation,
            deletion_timestamp: set.metadata.deletion_timestamp.clone(),
            status: set.status.clone(),
        }
    }
}

/// What a sync reads from a pod. Upstream enqueues the set on every pod update, but most of a pod's updates
/// (the binding, container statuses, the pod IP) change none of these, and the sync they start decides exactly
/// what the previous one did: they are not enqueued, on the same terms as in `SetInputs`.
#[derive(Clone, Debug, PartialEq)]
struct PodInputs {
    labels: Option<BTreeMap<String, String>>,
    owner_references: Option<Vec<OwnerReference>>,
    deletion_timestamp: Option<Time>,
    phase: Option<String>,
    ready: Option<PodCondition>,
    volumes: Option<Vec<Volume>>,
}

impl PodInputs {
    fn of(pod: &Pod) -> Self {
        PodInputs {
            labels: pod.metadata.labels.clone(),
            owner_references: pod.metadata.owner_references.clone(),
            deletion_timestamp: pod.metadata.deletion_timestamp.clone(),
            phase: pod.status.as_ref().and_then(|s| s.phase.clone()),
            ready: utils::ready_condition(pod).cloned(),
            volumes: pod.spec.as_ref().and_then(|s| s.volumes.clone()),
        }
    }

    fn controller_set(&self, namespace: &str) -> Option<ObjectKey> {
        self.owner_references
            .iter()
            .flatten()
            .find(|r| r.controller == Some(true) && r.kind == "StatefulSet")
            .map(|r| ObjectKey::new(namespace, r.name.clone()))
    }
}

impl StatefulSetController {
    pub fn wait_of(&self, set: &ObjectKey) -> Option<&Wait> {
        self.waits.get(set)
    }

    /// `sync`: claim the pods, reconcile, and schedule the retries upstream would.
    fn sync_stateful_set(&mut self, key: &ObjectKey, ctx: &mut Ctx) {
        let Some(set) = ctx.store.get::<StatefulSet>(key).cloned() else {
            self.waits.remove(key);
            self.failures.remove(key);
            self.sets_after_sync.remove(key);
            self.pod_facts.remove(key);
            return;
        };
        adopt_orphan_revisions(ctx, &set);
        let facts = self.pod_facts.entry(key.clone()).or_default();
        facts.start(&set);
        let pods = get_pods_for_stateful_set(ctx, &set, facts);
        let result = control::update_stateful_set(ctx, &set, &pods, facts);
        facts.finish();
        if let Some(after) = ctx.store.get::<StatefulSet>(key) {
            self.sets_after_sync
                .insert(key.clone(), SetInputs::of(after));
        }

        match result.wait {
            Some(wait) => self.waits.insert(key.clone(), wait),
            None => self.waits.remove(key),
        };
        if result.error.is_some() {
            let failures = self.failures.entry(key.clone()).or_insert(0);
            let delay = BACKOFF_BASE_MS
                .saturating_mul(1 << (*failures).min(30))
                .min(BACKOFF_MAX_MS);
            *failures += 1;
            ctx.requeue_after(ControllerId::StatefulSet, key.clone(), delay);
            return;
        }
        self.failures.remove(key);
        // The only timed resync: a pod may become available without any object changing. One second more than
        // minReadySeconds, because availability is measured in whole seconds and must be strictly past it.
        let min_ready = min_ready_seconds(&set);
        let available = result
            .status
            .as_ref()
            .and_then(|s| s.available_replicas)
            .unwrap_or(0);
        if min_ready > 0 && available != replicas(&set) {
            ctx.requeue_after(
                ControllerId::StatefulSet,
                key.clone(),
                (min_ready as u64 + 1) * 1000,
            );
        }
    }
}

impl StatefulSetController {
    /// `addPod`, `updatePod` and `deletePod`: the pod's controlling set, and its previous one if the
    /// reference changed; an orphan wakes every set that could adopt it (not on delete: nobody adopts a deleted
    /// pod).
    fn observe_pod(&mut self, event_type: WatchEventType, pod: &Pod, store: &Store) {
        let key = pod.key();
        let inputs = PodInputs::of(pod);
        let previous = match event_type {
            WatchEventType::Deleted => self.pods_seen.remove(&key),
            _ => self.pods_seen.insert(key.clone(), inputs.clone()),
        };
        let namespace = key.namespace.as_str();
        let current = inputs.controller_set(namespace);
        let timeless = || {
            current
                .as_ref()
                .and_then(|set| store.get::<StatefulSet>(set))
                .is_none_or(|set| min_ready_seconds(set) == 0)
        };
        if event_type == WatchEventType::Modified
            && previous.as_ref() == Some(&inputs)
            && timeless()
        {
            return;
        }
        if let Some(old) = previous
            .and_then(|p| p.controller_set(namespace))
            .filter(|old| Some(old) != current.as_ref())
        {
            self.queue.add(old);
        }
        match current {
            Some(set) => self.queue.add(set),
            None if get_controller_of(&pod.metadata).is_some() => {}
            None if event_type != WatchEventType::Deleted => {
                for set in sets_for_pod(store, pod) {
                    self.queue.add(set);
                }
            }
            None => {}
        }
    }
}

impl Controller for StatefulSetController {
    fn observe(&mut self, event: &WatchEvent, store: &Store) {
        match &event.object {
            Object::StatefulSet(set) => {
                let unchanged = event.event_type == WatchEventType::Modified
                    && min_ready_seconds(set) == 0
                    && self.sets_after_sync.get(&set.key()) == Some(&SetInputs::of(set));
                if !unchanged {
                    self.queue.add(set.key());
                }
            }
            Object::Pod(pod) => self.observe_pod(event.event_type, pod, store),
            Object::ControllerRevision(revision) => {
                if let Some(owner) =
                    get_controller_of(&revision.metadata).filter(|o| o.kind == "StatefulSet")
                {
                    let namespace = revision.metadata.namespace.clone().unwrap_or_default();
                    self.queue
                        .add(ObjectKey::new(namespace, owner.name.clone()));
                }
            }
            _ => {}
        }
    }

    fn queue(&mut self) -> &mut WorkQueue {
        &mut self.queue
    }

    fn sync(&mut self, key: &ObjectKey, ctx: &mut Ctx) {
        self.sync_stateful_set(key, ctx);
    }
}

/// `getStatefulSetsForPod`: the sets in the pod's namespace whose selector matches it.
fn sets_for_pod(store: &Store, pod: &Pod) -> Vec<ObjectKey> {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or_default();
    let labels = pod.metadata.labels.clone().unwrap_or_default();
    store
        .list_namespace::<StatefulSet>(namespace)
        .filter(|set| {
            set.spec
                .as_ref()
                .is_some_and(|s| selector_matches(&s.selector, &labels))
        })
        .map(ApiObject::key)
        .collect()
}

/// `getPodsForStatefulSet` with `ClaimPods`: adopts orphans that match the selector and the name pattern, and
/// releases owned pods that no longer do.
fn get_pods_for_stateful_set(
    ctx: &mut Ctx,
    set: &StatefulSet,
    facts: &mut PodFactsCache,
) -> Vec<Arc<Pod>> {
    let namespace = set.metadata.namespace.clone().unwrap_or_default();
    let set_uid = set.metadata.uid.clone().unwrap_or_default();
    let deleting = set.metadata.deletion_timestamp.is_some();
    let candidates: Vec<Arc<Pod>> = ctx
        .store
        .list_namespace_shared::<Pod>(&namespace)
        .cloned()
        .collect();
    let mut claimed = Vec::new();
    for pod in candidates {
        let PodFacts {
            claimable,
            controller,
            ..
        } = *facts.facts(set, &pod);
        match controller {
            ControllerRef::Other => {}
            ControllerRef::ThisSet if claimable => claimed.push(pod),
            ControllerRef::ThisSet if !deleting => release_pod(ctx, &pod, &set_uid),
            ControllerRef::ThisSet => {}
            ControllerRef::None
                if claimable && !deleting && pod.metadata.deletion_timestamp.is_none() =>
            {
                if let Ok(adopted) = ctx.store.modify::<Pod>(&pod.key(), |p| {
                    p.metadata
                        .owner_references
                        .get_or_insert_with(Vec::new)
                        .push(controller_ref(set));
                }) {
                    claimed.push(adopted);
                }
            }
            ControllerRef::None => {}
        }
    }
    claimed
}

fn release_pod(ctx: &mut Ctx, pod: &Pod, set_uid: &str) {
    // ReleasePod ignores NotFound: a pod that no longer exists needs no releasing.
    let _ = ctx.store.modify::<Pod>(&pod.key(), |p| {
        remove_owner_references(&mut p.metadata, |o| o.uid == set_uid);
    });
}

/// `adoptOrphanRevisions`: revisions that match the selector and have no controller become the set's.
fn adopt_orphan_revisions(ctx: &mut Ctx, set: &StatefulSet) {
    let namespace = set.metadata.namespace.clone().unwrap_or_default();
    let selector = &utils::spec(set).selector;
    let orphans: Vec<ObjectKey> = ctx
        .store
        .list_namespace::<ControllerRevision>(&namespace)
        .filter(|r| get_controller_of(&r.metadata).is_none())
        .filter(|r| {
            selector_matches(
                selector,
                r.metadata.labels.as_ref().unwrap_or(&BTreeMap::new()),
            )
        })
        .map(ApiObject::key)
        .collect();
    for key in orphans {
        // Only NotFound can come back: a revision deleted meanwhile needs no adopting.
        let _ = ctx.store.modify::<ControllerRevision>(&key, |r| {
            r.metadata
                .owner_references
                .get_or_insert_with(Vec::new)
                .push(controller_ref(set));
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubectl::Apply;
    use crate::time::SimTime;
    use crate::{Cluster, ClusterConfig};

    fn running_web(min_ready_seconds: u32) -> Cluster {
        let mut cluster = Cluster::new(ClusterConfig::default());
        let manifest = format!(
            "apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: nginx
  replicas: 1
  minReadySeconds: {min_ready_seconds}
  selector:
    matchLabels: {{app: nginx}}
  template:
    metadata:
      labels: {{app: nginx}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
"
        );
        cluster.apply(&manifest).expect("the manifest parses");
        cluster.run_until(SimTime::from_secs(60));
        cluster
    }

    /// Whether the controller enqueues `web` for an update of web-0 made by `change`.
    fn enqueues_after(cluster: &Cluster, change: impl FnOnce(&mut Pod)) -> bool {
        let store = cluster.store();
        let pod = store
            .get_shared::<Pod>(&ObjectKey::new("default", "web-0"))
            .expect("web-0 exists");
        let mut controller = StatefulSetController::default();
        let seen = WatchEvent {
            at: store.now(),
            event_type: WatchEventType::Added,
            object: pod.clone().into_object(),
        };
        controller.observe(&seen, store);
        while controller.queue.pop().is_some() {}
        let mut changed = (*pod).clone();
        change(&mut changed);
        let update = WatchEvent {
            at: store.now(),
            event_type: WatchEventType::Modified,
            object: Arc::new(changed).into_object(),
        };
        controller.observe(&update, store);
        !controller.queue.is_empty()
    }

    #[test]
    fn pod_updates_the_sync_does_not_read_do_not_start_one() {
        let cluster = running_web(0);
        let new_ip = |pod: &mut Pod| {
            pod.status.as_mut().expect("a status").pod_ip = Some("10.244.9.9".into());
        };
        assert!(!enqueues_after(&cluster, new_ip));
        let not_ready = |pod: &mut Pod| {
            let status = pod.status.as_mut().expect("a status");
            for condition in status.conditions.iter_mut().flatten() {
                condition.status = "False".into();
            }
        };
        assert!(enqueues_after(&cluster, not_ready));
        let relabelled = |pod: &mut Pod| {
            pod.metadata
                .labels
                .get_or_insert_with(BTreeMap::new)
                .insert("tier".into(), "web".into());
        };
        assert!(enqueues_after(&cluster, relabelled));
    }

    #[test]
    fn with_min_ready_seconds_every_pod_update_starts_a_sync() {
        let cluster = running_web(10);
        let new_ip = |pod: &mut Pod| {
            pod.status.as_mut().expect("a status").pod_ip = Some("10.244.9.9".into());
        };
        assert!(enqueues_after(&cluster, new_ip));
    }
}
