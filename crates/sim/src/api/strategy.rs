//! One strategy per kind, after the apiserver's registry (`pkg/registry/<group>/<kind>/strategy.go`): how a
//! create and an update are prepared (defaulting, and the fields a disabled feature gate drops), how they are
//! validated, and the admission plugins that change a new object. The store runs the admission of every
//! create, whoever makes it; kubectl's create and update paths run the rest.

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
impl Strategy for Namespace {}
impl Strategy for ConfigMap {}
impl Strategy for Secret {}
