//! Helpers on pods shared by the apiserver and the components, after `pkg/api/v1/pod/util.go`.

use k8s_openapi::api::core::v1::{Pod, PodCondition};

/// `UpdatePodCondition`: sets a condition, keeping its transition time when the status does not change.
pub fn update_pod_condition(pod: &mut Pod, condition: PodCondition) {
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

/// The kubelet has no log for a container that has not started: its refusal, if `container` has not.
pub fn waiting_to_start(pod: &Pod, container: &str) -> Option<String> {
    let state = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|statuses| statuses.iter().find(|c| c.name == container))
        .and_then(|c| c.state.clone());
    let started = state
        .as_ref()
        .is_some_and(|s| s.running.is_some() || s.terminated.is_some());
    if started {
        return None;
    }
    let reason = state
        .and_then(|s| s.waiting?.reason)
        .unwrap_or_else(|| "ContainerCreating".into());
    Some(format!(
        "container \"{container}\" in pod \"{}\" is waiting to start: {reason}",
        pod.metadata.name.as_deref().unwrap_or_default()
    ))
}

/// Whether the scheduler has bound the pod to a node: only then has it a kubelet to stream to.
pub fn has_host(pod: &Pod) -> bool {
    pod.spec
        .as_ref()
        .and_then(|s| s.node_name.as_deref())
        .is_some_and(|node| !node.is_empty())
}
