//! The taint eviction controller (`pkg/controller/tainteviction`, formerly the node lifecycle controller's
//! `NoExecuteTaintManager`): a pod on a node with a NoExecute taint it does not tolerate is deleted at once; one
//! that tolerates it for `tolerationSeconds` is deleted when that time is up, unless the taint goes first.
//! Every pod has such tolerations of `not-ready` and `unreachable` for 300 s (DefaultTolerationSeconds).

use k8s_openapi::api::core::v1::{Node, Pod, PodCondition, Taint, Toleration};
use std::collections::BTreeMap;

use crate::api::delete_options::DeleteOptions;
use crate::api::pod::update_pod_condition;
use crate::controller::{Controller, ControllerId, Ctx, WorkQueue};
use crate::events::{self, component, EventType};
use crate::object::{ApiObject, Object, ObjectKey};
use crate::store::{Store, WatchEvent};
use crate::time::SimTime;

#[derive(Clone, Debug, Default)]
pub struct TaintEvictionController {
    queue: WorkQueue,
    /// `taintEvictionQueue`: per pod, when its eviction was scheduled and when it fires.
    scheduled: BTreeMap<ObjectKey, (SimTime, SimTime)>,
}

impl Controller for TaintEvictionController {
    fn observe(&mut self, event: &WatchEvent, store: &Store) {
        match &event.object {
            Object::Node(node) => {
                let name = node.metadata.name.as_deref();
                for pod in store.list::<Pod>().filter(|p| node_of(p) == name) {
                    self.queue.add(pod.key());
                }
            }
            Object::Pod(pod) if node_of(pod).is_some() => self.queue.add(pod.key()),
            _ => {}
        }
    }

    fn queue(&mut self) -> &mut WorkQueue {
        &mut self.queue
    }

    fn sync(&mut self, key: &ObjectKey, ctx: &mut Ctx) {
        self.process_pod_on_node(key, ctx);
    }
}

impl TaintEvictionController {
    /// `processPodOnNode`.
    fn process_pod_on_node(&mut self, key: &ObjectKey, ctx: &mut Ctx) {
        // A pod already being deleted has nothing left to evict (upstream only looks again when the pod's node or
        // tolerations change, which a terminating pod's do not).
        let Some(pod) = ctx
            .store
            .get::<Pod>(key)
            .filter(|p| p.metadata.deletion_timestamp.is_none())
            .cloned()
        else {
            self.scheduled.remove(key);
            return;
        };
        let taints = no_execute_taints(ctx.store, &pod);
        if taints.is_empty() {
            self.cancel_work_with_event(ctx, &pod);
            return;
        }
        let tolerations = pod
            .spec
            .as_ref()
            .and_then(|s| s.tolerations.clone())
            .unwrap_or_default();
        let now = ctx.now();
        let fire_at = match min_toleration_time(&taints, &tolerations) {
            MinToleration::Forever => {
                self.cancel_work_with_event(ctx, &pod);
                return;
            }
            MinToleration::None => now,
            MinToleration::Seconds(seconds) => {
                let created = self.scheduled.get(key).map_or(now, |(created, _)| *created);
                created.plus_secs(seconds)
            }
        };
        if now >= fire_at {
            self.scheduled.remove(key);
            delete_pod(ctx, &pod);
        } else {
            let created = self.scheduled.get(key).map_or(now, |(created, _)| *created);
            self.scheduled.insert(key.clone(), (created, fire_at));
            ctx.requeue_at(ControllerId::TaintEviction, key.clone(), fire_at);
        }
    }

    fn cancel_work_with_event(&mut self, ctx: &mut Ctx, pod: &Pod) {
        if self.scheduled.remove(&pod.key()).is_some() {
            let message = format!("Cancelling deletion of Pod {}", pod.key());
            record(ctx, pod, message);
        }
    }
}

enum MinToleration {
    /// A taint is not tolerated at all: evict now.
    None,
    /// Every taint is tolerated, the shortest for this long.
    Seconds(u64),
    Forever,
}

/// `getMinTolerationTime` over the tolerations that match the taints.
fn min_toleration_time(taints: &[Taint], tolerations: &[Toleration]) -> MinToleration {
    let mut min: Option<u64> = None;
    for taint in taints {
        let matching: Vec<&Toleration> =
            tolerations.iter().filter(|t| tolerates(t, taint)).collect();
        if matching.is_empty() {
            return MinToleration::None;
        }
        for seconds in matching.iter().filter_map(|t| t.toleration_seconds) {
            let seconds = seconds.max(0) as u64;
            min = Some(min.map_or(seconds, |m| m.min(seconds)));
        }
    }
    min.map_or(MinToleration::Forever, MinToleration::Seconds)
}

/// `Toleration.ToleratesTaint`.
fn tolerates(toleration: &Toleration, taint: &Taint) -> bool {
    let effect = toleration.effect.as_deref().unwrap_or_default();
    if !effect.is_empty() && effect != taint.effect {
        return false;
    }
    let key = toleration.key.as_deref().unwrap_or_default();
    let exists = toleration.operator.as_deref() == Some("Exists");
    if key.is_empty() {
        return exists;
    }
    key == taint.key
        && (exists
            || toleration.value.as_deref().unwrap_or_default()
                == taint.value.as_deref().unwrap_or_default())
}

fn no_execute_taints(store: &Store, pod: &Pod) -> Vec<Taint> {
    let Some(node) = node_of(pod) else {
        return Vec::new();
    };
    store
        .get::<Node>(&ObjectKey::cluster(node))
        .and_then(|n| n.spec.as_ref())
        .and_then(|s| s.taints.clone())
        .unwrap_or_default()
        .into_iter()
        .filter(|t| t.effect == "NoExecute")
        .collect()
}

/// `deletePodHandler`: the event, the `DisruptionTarget` condition, then a delete with the pod's own grace period.
fn delete_pod(ctx: &mut Ctx, pod: &Pod) {
    record(ctx, pod, format!("Marking for deletion Pod {}", pod.key()));
    let now = ctx.now().to_k8s();
    // Only NotFound can come back: the pod is gone, which is what the eviction is for.
    let _ = ctx.store.modify::<Pod>(&pod.key(), |p| {
        update_pod_condition(
            p,
            PodCondition {
                type_: "DisruptionTarget".into(),
                status: "True".into(),
                reason: Some("DeletionByTaintManager".into()),
                message: Some("Taint manager: deleting due to NoExecute taint".into()),
                last_transition_time: Some(now.clone()),
                ..PodCondition::default()
            },
        );
    });
    // deletePodHandler takes NotFound as done.
    let _ = ctx
        .store
        .delete::<Pod>(&pod.key(), DeleteOptions::default());
}

fn record(ctx: &mut Ctx, pod: &Pod, message: String) {
    events::record(
        ctx.store,
        pod,
        EventType::Normal,
        "TaintManagerEviction",
        message,
        component::TAINT_EVICTION,
        None,
    );
}

fn node_of(pod: &Pod) -> Option<&str> {
    pod.spec
        .as_ref()
        .and_then(|s| s.node_name.as_deref())
        .filter(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taint(key: &str) -> Taint {
        Taint {
            key: key.into(),
            effect: "NoExecute".into(),
            ..Taint::default()
        }
    }

    fn toleration(key: &str, seconds: Option<i64>) -> Toleration {
        Toleration {
            key: Some(key.into()),
            operator: Some("Exists".into()),
            effect: Some("NoExecute".into()),
            toleration_seconds: seconds,
            value: None,
        }
    }

    #[test]
    fn the_shortest_matching_toleration_decides() {
        let taints = [taint("node.kubernetes.io/unreachable")];
        let default = [toleration("node.kubernetes.io/unreachable", Some(300))];
        assert!(matches!(
            min_toleration_time(&taints, &default),
            MinToleration::Seconds(300)
        ));
        let forever = [toleration("node.kubernetes.io/unreachable", None)];
        assert!(matches!(
            min_toleration_time(&taints, &forever),
            MinToleration::Forever
        ));
        let other = [toleration("node.kubernetes.io/not-ready", Some(300))];
        assert!(matches!(
            min_toleration_time(&taints, &other),
            MinToleration::None
        ));
    }
}
