//! One strategy per kind, after the apiserver's registry (`pkg/registry/<group>/<kind>/strategy.go`): how a
//! create and an update are prepared (defaulting, and the fields a disabled feature gate drops), how they are
//! validated, the admission plugins that change a new object, how a deletion is graced. The store runs all of
//! it for every writer (kubectl, the controllers, the kubelet's status writes), as the apiserver does: a writer
//! cannot skip its kind's rules.

use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::{
    ConfigMap, Event, Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod, Secret,
    Service,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::storage::v1::StorageClass;

use super::defaults;
use super::validation::{
    validate_claim_update, validate_pod_update, validate_stateful_set,
    validate_stateful_set_update, validate_subdomain_name,
};
use crate::api::delete_options::DeleteOptions;
use crate::config::FeatureGates;
use crate::object::{ApiObject, Collections};

/// The kind-specific steps of the apiserver's create and update paths.
pub trait Strategy: ApiObject {
    /// Defaulting (`SetDefaults_<Kind>`), as the apiserver applies it when it decodes a request.
    fn apply_defaults(&mut self) {}
    /// `PrepareForCreate`/`PrepareForUpdate`'s gate-dependent part (`dropDisabledFields` and gated defaults),
    /// given the object being replaced, if any.
    fn prepare_for_gates(&mut self, _old: Option<&Self>, _gates: FeatureGates) {}
    /// The mutating admission plugins on create, given what the store holds.
    fn admit_create(&mut self, _existing: &Collections) {}
    fn validate(&self) -> Vec<String> {
        validate_subdomain_name(self.metadata().name.as_deref().unwrap_or_default())
    }
    fn validate_update(&self, _old: &Self) -> Vec<String> {
        self.validate()
    }
    /// `metadata.generation` after a create (`old` is None) or an update: only kinds whose strategy tracks it
    /// set one (`PrepareForCreate` starts it at 1, `PrepareForUpdate` adds one when the spec changed); the
    /// others keep what they had.
    fn generation(&self, old: Option<&Self>) -> Option<i64> {
        old.and_then(|old| old.metadata().generation)
    }
    /// `CheckGracefulDelete`: the grace period a deletion waits for, 0 to remove the object at once.
    fn graceful_deletion_seconds(&self, _options: &DeleteOptions) -> i64 {
        0
    }
}

impl Strategy for StatefulSet {
    fn apply_defaults(&mut self) {
        defaults::default_stateful_set(self);
    }
    fn prepare_for_gates(&mut self, old: Option<&Self>, gates: FeatureGates) {
        defaults::max_unavailable_for_gate(self, old, gates);
    }
    fn validate(&self) -> Vec<String> {
        validate_stateful_set(self)
    }
    fn validate_update(&self, old: &Self) -> Vec<String> {
        validate_stateful_set_update(self, old)
    }
    fn generation(&self, old: Option<&Self>) -> Option<i64> {
        match old {
            None => Some(1),
            Some(old) => {
                let current = old.metadata.generation.unwrap_or(0);
                Some(if self.spec != old.spec {
                    current + 1
                } else {
                    current
                })
            }
        }
    }
}

impl Strategy for Service {
    fn apply_defaults(&mut self) {
        defaults::default_service(self);
    }
    fn admit_create(&mut self, existing: &Collections) {
        defaults::admit_service(self, existing);
    }
}

impl Strategy for PersistentVolume {
    fn apply_defaults(&mut self) {
        defaults::default_persistent_volume(self);
    }
    fn admit_create(&mut self, _existing: &Collections) {
        defaults::admit_volume(self);
    }
}

impl Strategy for StorageClass {
    fn apply_defaults(&mut self) {
        defaults::default_storage_class(self);
    }
}

impl Strategy for Pod {
    fn apply_defaults(&mut self) {
        if let Some(spec) = self.spec.as_mut() {
            defaults::default_pod_spec(spec);
        }
    }
    fn admit_create(&mut self, _existing: &Collections) {
        defaults::admit_pod(self);
    }
    fn validate_update(&self, old: &Self) -> Vec<String> {
        validate_pod_update(self, old)
    }
    /// Pods bound to a node terminate gracefully: the kubelet must stop their containers first. An unscheduled
    /// pod, which no kubelet runs, and one whose containers have all ended go at once.
    fn graceful_deletion_seconds(&self, options: &DeleteOptions) -> i64 {
        let spec = self.spec.as_ref();
        if spec
            .and_then(|s| s.node_name.as_deref())
            .unwrap_or_default()
            .is_empty()
        {
            return 0;
        }
        let phase = self
            .status
            .as_ref()
            .and_then(|s| s.phase.as_deref())
            .unwrap_or_default();
        if phase == "Succeeded" || phase == "Failed" {
            return 0;
        }
        options
            .grace_period_seconds
            .or_else(|| spec.and_then(|s| s.termination_grace_period_seconds))
            .unwrap_or(30)
            .max(0)
    }
}

impl Strategy for PersistentVolumeClaim {
    fn admit_create(&mut self, existing: &Collections) {
        defaults::admit_claim(self, existing);
    }
    fn validate_update(&self, old: &Self) -> Vec<String> {
        validate_claim_update(self, old)
    }
}

impl Strategy for Node {}
impl Strategy for Event {}
impl Strategy for ControllerRevision {}
impl Strategy for EndpointSlice {}
impl Strategy for Namespace {
    fn apply_defaults(&mut self) {
        defaults::default_namespace(self);
    }
}
impl Strategy for ConfigMap {}
impl Strategy for Secret {
    fn apply_defaults(&mut self) {
        defaults::default_secret(self);
    }
}
