//! `pods/binding`, after `BindingREST` in `pkg/registry/core/pod/storage/storage.go`: how the scheduler puts a
//! pod on a node. It is a subresource with its own rules rather than an update of the pod, whose validation
//! forbids changing `spec.nodeName`: the pod must not be on a node already nor being deleted
//! (`setPodHostAndAnnotations`), and binding marks it PodScheduled.

use k8s_openapi::api::core::v1::{Pod, PodCondition};
use std::sync::Arc;

use super::{ApiError, Store};
use crate::api::pod::update_pod_condition;
use crate::object::ObjectKey;

impl Store {
    /// Binds the pod at `key` to `node`. A refusal is a Conflict on `pods/binding`, as `assignPod` wraps it.
    pub fn bind_pod(&mut self, key: &ObjectKey, node: &str) -> Result<Arc<Pod>, ApiError> {
        let old = self.fetch::<Pod>(key)?;
        let mut pod = Pod::clone(&old);
        let conflict = |message: String| ApiError::Conflict {
            resource: "pods/binding",
            name: key.name.clone(),
            message,
        };
        if pod.metadata.deletion_timestamp.is_some() {
            return Err(conflict(format!(
                "pod {} is being deleted, cannot be assigned to a host",
                key.name
            )));
        }
        let spec = pod.spec.get_or_insert_with(Default::default);
        if let Some(assigned) = spec.node_name.as_deref().filter(|n| !n.is_empty()) {
            return Err(conflict(format!(
                "pod {} is already assigned to node \"{assigned}\"",
                key.name
            )));
        }
        spec.node_name = Some(node.to_string());
        update_pod_condition(
            &mut pod,
            PodCondition {
                type_: "PodScheduled".into(),
                status: "True".into(),
                last_transition_time: Some(self.now().to_k8s()),
                ..PodCondition::default()
            },
        );
        Ok(self.write(key.clone(), pod, &old))
    }
}
