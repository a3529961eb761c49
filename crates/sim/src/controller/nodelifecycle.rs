//! The node lifecycle controller (`pkg/controller/nodelifecycle`): `monitorNodeHealth` notices a node whose
//! kubelet stopped renewing its Lease, marks its Ready condition `Unknown`, marks its pods not ready
//! (`MarkPodsNotReady`), and taints it `node.kubernetes.io/unreachable` (NoSchedule, and NoExecute for the taint
//! eviction controller). When the kubelet reports Ready again the taints come off.
//!
//! Upstream looks at every node every `--node-monitor-period`. A pass that finds nothing changes nothing, so this
//! one wakes only for the pass that first finds a stale lease: the first period boundary after the grace period.

use k8s_openapi::api::core::v1::{Node, NodeCondition, Pod, Taint};

use crate::api::pod::update_pod_condition;
use crate::api::well_known::{NOT_READY_TAINT, UNREACHABLE_TAINT};
use crate::controller::{Controller, ControllerId, Ctx, WorkQueue};
use crate::events::{self, component, EventType};
use crate::object::{ApiObject, Object, ObjectKey};
use crate::store::{Store, WatchEvent};
use crate::time::SimTime;

#[derive(Clone, Debug, Default)]
pub struct NodeLifecycleController {
    queue: WorkQueue,
}

impl Controller for NodeLifecycleController {
    fn observe(&mut self, event: &WatchEvent, _store: &Store) {
        if let Object::Node(node) = &event.object {
            self.queue.add(node.key());
        }
    }

    fn queue(&mut self) -> &mut WorkQueue {
        &mut self.queue
    }

    fn sync(&mut self, key: &ObjectKey, ctx: &mut Ctx) {
        monitor_node_health(key, ctx);
    }
}

/// One node's share of `monitorNodeHealth`.
fn monitor_node_health(key: &ObjectKey, ctx: &mut Ctx) {
    let Some(node) = ctx.store.get::<Node>(key).cloned() else {
        return;
    };
    let Some(renewed) = ctx.faults.stale_lease(&key.name) else {
        // The lease is being renewed: the node is as healthy as its kubelet says (`markNodeAsReachable`).
        if ready_status(&node).as_deref() == Some("True") {
            remove_node_controller_taints(ctx, &key.name);
        }
        return;
    };
    // `probeTimestamp` is when a monitor pass last saw the lease move.
    let deadline =
        first_pass_at_or_after(ctx, renewed).plus_millis(ctx.config.timing.node_monitor_grace_ms);
    if ctx.now() <= deadline {
        let pass = first_pass_at_or_after(ctx, SimTime(deadline.0 + 1));
        ctx.requeue_at(ControllerId::NodeLifecycle, key.clone(), pass);
        return;
    }
    let observed = ready_status(&node);
    try_update_node_health(ctx, &node);
    if observed.as_deref() == Some("True") {
        let message = format!("Node {} status is now: NodeNotReady", key.name);
        events::record(
            ctx.store,
            &node,
            EventType::Normal,
            "NodeNotReady",
            message,
            component::NODE_CONTROLLER,
            None,
        );
        mark_pods_not_ready(ctx, &key.name);
    }
    swap_node_controller_taints(ctx, &key.name, UNREACHABLE_TAINT);
}

fn first_pass_at_or_after(ctx: &Ctx, at: SimTime) -> SimTime {
    let period = ctx.config.timing.node_monitor_period_ms.max(1);
    SimTime(at.0.div_ceil(period) * period)
}

fn ready_status(node: &Node) -> Option<String> {
    node.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "Ready")
        .map(|c| c.status.clone())
}

/// `tryUpdateNodeHealth` past the grace period: every condition the kubelet owns becomes Unknown.
fn try_update_node_health(ctx: &mut Ctx, node: &Node) {
    let now = ctx.now().to_k8s();
    // Only NotFound can come back: a node deleted meanwhile has no health to update.
    let _ = ctx.store.modify::<Node>(&node.key(), |n| {
        let conditions = n
            .status
            .get_or_insert_with(Default::default)
            .conditions
            .get_or_insert_with(Vec::new);
        for condition in conditions.iter_mut().filter(|c| c.status != "Unknown") {
            *condition = NodeCondition {
                status: "Unknown".into(),
                reason: Some("NodeStatusUnknown".into()),
                message: Some("Kubelet stopped posting node status.".into()),
                last_transition_time: Some(now.clone()),
                ..condition.clone()
            };
        }
    });
}

/// `MarkPodsNotReady`: the Ready condition of every pod on the node turns False; nothing else about them changes.
fn mark_pods_not_ready(ctx: &mut Ctx, node: &str) {
    let now = ctx.now();
    let pods: Vec<Pod> = ctx
        .store
        .list::<Pod>()
        .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node))
        .cloned()
        .collect();
    for pod in pods {
        let Some(mut ready) = pod
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
            .cloned()
        else {
            continue;
        };
        if ready.status == "False" {
            continue;
        }
        ready.status = "False".into();
        ready.last_transition_time = Some(now.to_k8s());
        // MarkPodsNotReady: NotFound means the pod was already deleted; go on with the next.
        let _ = ctx
            .store
            .modify::<Pod>(&pod.key(), |p| update_pod_condition(p, ready));
        events::record(
            ctx.store,
            &pod,
            EventType::Warning,
            "NodeNotReady",
            "Node is not ready",
            component::NODE_CONTROLLER,
            None,
        );
    }
}

/// `SwapNodeControllerTaint` for an unresponsive node: its NoExecute taint (stamped with the time it was
/// added, which the eviction clock counts from) and the NoSchedule one that keeps new pods away.
fn swap_node_controller_taints(ctx: &mut Ctx, node: &str, key: &str) {
    let now = ctx.now().to_k8s();
    // Only NotFound can come back: a node deleted meanwhile keeps no taints.
    let _ = ctx.store.modify::<Node>(&ObjectKey::cluster(node), |n| {
        let taints = n
            .spec
            .get_or_insert_with(Default::default)
            .taints
            .get_or_insert_with(Vec::new);
        taints.retain(|t| !is_node_controller_taint(t) || t.key == key);
        for effect in ["NoSchedule", "NoExecute"] {
            if !taints.iter().any(|t| t.key == key && t.effect == effect) {
                taints.push(Taint {
                    key: key.into(),
                    effect: effect.into(),
                    time_added: (effect == "NoExecute").then(|| now.clone()),
                    value: None,
                });
            }
        }
    });
}

fn remove_node_controller_taints(ctx: &mut Ctx, node: &str) {
    // Only NotFound can come back: a node deleted meanwhile keeps no taints.
    let _ = ctx.store.modify::<Node>(&ObjectKey::cluster(node), |n| {
        if let Some(taints) = n.spec.as_mut().and_then(|s| s.taints.as_mut()) {
            taints.retain(|t| !is_node_controller_taint(t));
        }
        if n.spec
            .as_ref()
            .and_then(|s| s.taints.as_ref())
            .is_some_and(Vec::is_empty)
        {
            n.spec.get_or_insert_with(Default::default).taints = None;
        }
    });
}

fn is_node_controller_taint(taint: &Taint) -> bool {
    (taint.key == UNREACHABLE_TAINT || taint.key == NOT_READY_TAINT)
        && (taint.effect == "NoExecute" || taint.effect == "NoSchedule")
}
