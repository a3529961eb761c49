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
