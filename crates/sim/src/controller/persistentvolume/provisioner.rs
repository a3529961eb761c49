//! The local-path provisioner, after rancher's local-path-provisioner (kind's default `rancher.io/local-path`
//! StorageClass): it creates a hostPath volume on the node the scheduler chose, pre-bound to the claim.

use k8s_openapi::api::core::v1::{
    HostPathVolumeSource, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm,
    PersistentVolume, PersistentVolumeClaim, PersistentVolumeSpec, PersistentVolumeStatus,
    VolumeNodeAffinity,
};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;

use super::{record, PersistentVolumeController};
use crate::api::well_known::PV_PROTECTION_FINALIZER;
use crate::controller::{ControllerId, Ctx};
use crate::events::{self, component, EventType};
use crate::object::ApiObject;
use crate::volume::claim_reference;

impl PersistentVolumeController {
    /// The local-path provisioner: it takes a moment, then creates `pvc-<claim uid>` pre-bound to the claim,
    /// with node affinity to the node the scheduler chose.
    pub(super) fn provision(
        &mut self,
        ctx: &mut Ctx,
        claim: &PersistentVolumeClaim,
        class: &StorageClass,
        node: Option<String>,
    ) {
        let key = claim.key();
        let Some(done_at) = self.provisioning.get(&key).copied() else {
            let waiting = format!(
                "Waiting for a volume to be created either by the external provisioner '{}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.",
                class.provisioner
            );
            record(
                ctx,
                claim,
                EventType::Normal,
                "ExternalProvisioning",
                &waiting,
            );
            // Only NotFound can come back: a claim deleted meanwhile needs no provisioning.
            let _ = ctx.store.modify::<PersistentVolumeClaim>(&key, |c| {
                let annotations = c.metadata.annotations.get_or_insert_with(BTreeMap::new);
                annotations.insert(
                    "volume.beta.kubernetes.io/storage-provisioner".into(),
                    class.provisioner.clone(),
                );
                annotations.insert(
                    "volume.kubernetes.io/storage-provisioner".into(),
                    class.provisioner.clone(),
                );
            });
            let message =
                format!("External provisioner is provisioning volume for claim \"{key}\"");
            events::record(
                ctx.store,
                claim,
                EventType::Normal,
                "Provisioning",
                message,
                component::LOCAL_PATH_PROVISIONER,
                None,
            );
            let done_at = ctx
                .now()
                .plus_millis(ctx.draw_ms(ctx.config.timing.provision_ms));
            self.provisioning.insert(key.clone(), done_at);
            ctx.requeue_at(ControllerId::PersistentVolume, key, done_at);
            return;
        };
        if ctx.now() < done_at {
            return;
        }
        self.provisioning.remove(&key);
        let uid = claim.metadata.uid.clone().unwrap_or_default();
        let name = format!("pvc-{uid}");
        let claim_spec = claim.spec.clone().unwrap_or_default();
        let storage = claim_spec
            .resources
            .as_ref()
            .and_then(|r| r.requests.as_ref())
            .and_then(|r| r.get("storage"))
            .cloned();
        let volume = PersistentVolume {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                annotations: Some(BTreeMap::from([
                    (
                        "pv.kubernetes.io/provisioned-by".into(),
                        class.provisioner.clone(),
                    ),
                    (
                        "local.path.provisioner/selected-node".into(),
                        node.clone().unwrap_or_default(),
                    ),
                ])),
                finalizers: Some(vec![PV_PROTECTION_FINALIZER.into()]),
                ..ObjectMeta::default()
            },
            spec: Some(PersistentVolumeSpec {
                access_modes: claim_spec.access_modes.clone(),
                capacity: storage.map(|s| BTreeMap::from([("storage".to_string(), s)])),
                claim_ref: Some(claim_reference(claim)),
                host_path: Some(HostPathVolumeSource {
                    path: format!(
                        "/var/local-path-provisioner/{name}_{}_{}",
                        key.namespace, key.name
                    ),
                    type_: Some("DirectoryOrCreate".into()),
                }),
                node_affinity: node.map(|node| VolumeNodeAffinity {
                    required: Some(NodeSelector {
                        node_selector_terms: vec![NodeSelectorTerm {
                            match_expressions: Some(vec![NodeSelectorRequirement {
                                key: "kubernetes.io/hostname".into(),
                                operator: "In".into(),
                                values: Some(vec![node]),
                            }]),
                            match_fields: None,
                        }],
                    }),
                }),
                persistent_volume_reclaim_policy: Some(
                    class
                        .reclaim_policy
                        .clone()
                        .unwrap_or_else(|| "Delete".into()),
                ),
                storage_class_name: class.metadata.name.clone(),
                volume_mode: Some(
                    claim_spec
                        .volume_mode
                        .clone()
                        .unwrap_or_else(|| "Filesystem".into()),
                ),
                ..PersistentVolumeSpec::default()
            }),
            status: Some(PersistentVolumeStatus {
                phase: Some("Pending".into()),
                ..Default::default()
            }),
        };
        if ctx.store.create(volume).is_ok() {
            let message = format!("Successfully provisioned volume {name}");
            events::record(
                ctx.store,
                claim,
                EventType::Normal,
                "ProvisioningSucceeded",
                message,
                component::LOCAL_PATH_PROVISIONER,
                None,
            );
        }
    }
}
