//! The StatefulSet controller (`pkg/controller/statefulset`).

pub mod control;
pub mod pod_control;
pub mod retention;
pub mod utils;
pub mod wait;

use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::Pod;
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::controller::{Controller, ControllerId, Ctx, WorkQueue};
use crate::labels::selector_matches;
use crate::object::{
    controller_ref, get_controller_of, remove_owner_references, ApiObject, Object, ObjectKey,
};
use crate::store::{Store, WatchEvent};
use utils::{is_member_of, min_ready_seconds, replicas};
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
            return;
        };
        adopt_orphan_revisions(ctx, &set);
        let pods = get_pods_for_stateful_set(ctx, &set);
        let result = control::update_stateful_set(ctx, &set, &pods);

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

impl Controller for StatefulSetController {
    fn observe(&mut self, event: &WatchEvent, store: &Store) {
        match &event.object {
            Object::StatefulSet(set) => self.queue.add(set.key()),
            Object::Pod(pod) => match get_controller_of(&pod.metadata) {
                Some(owner) if owner.kind == "StatefulSet" => {
                    self.queue.add(ObjectKey::new(
                        pod.metadata.namespace.clone().unwrap_or_default(),
                        owner.name.clone(),
                    ));
                }
                Some(_) => {}
                // An orphan wakes every set that could adopt it (not on delete: nobody adopts a deleted pod).
                None if event.event_type != crate::store::WatchEventType::Deleted => {
                    for set in sets_for_pod(store, pod) {
                        self.queue.add(set);
                    }
                }
                None => {}
            },
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
fn get_pods_for_stateful_set(ctx: &mut Ctx, set: &StatefulSet) -> Vec<Arc<Pod>> {
    let namespace = set.metadata.namespace.clone().unwrap_or_default();
    let set_uid = set.metadata.uid.clone().unwrap_or_default();
    let selector = &utils::spec(set).selector;
    let deleting = set.metadata.deletion_timestamp.is_some();
    let candidates: Vec<Arc<Pod>> = ctx
        .store
        .list_namespace_shared::<Pod>(&namespace)
        .cloned()
        .collect();
    let mut claimed = Vec::new();
    for pod in candidates {
        let matches = selector_matches(
            selector,
            pod.metadata.labels.as_ref().unwrap_or(&BTreeMap::new()),
        ) && is_member_of(set, &pod);
        match get_controller_of(&pod.metadata) {
            Some(owner) if owner.uid != set_uid => {}
            Some(_) if matches => claimed.push(pod),
            Some(_) if !deleting => release_pod(ctx, &pod, &set_uid),
            Some(_) => {}
            None if matches && !deleting && pod.metadata.deletion_timestamp.is_none() => {
                if let Ok(adopted) = ctx.store.modify::<Pod>(&pod.key(), |p| {
                    p.metadata
                        .owner_references
                        .get_or_insert_with(Vec::new)
                        .push(controller_ref(set));
                }) {
                    claimed.push(Arc::new(adopted));
                }
            }
            None => {}
        }
    }
    claimed
}

fn release_pod(ctx: &mut Ctx, pod: &Pod, set_uid: &str) {
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
        let _ = ctx.store.modify::<ControllerRevision>(&key, |r| {
            r.metadata
                .owner_references
                .get_or_insert_with(Vec::new)
                .push(controller_ref(set));
        });
    }
}
