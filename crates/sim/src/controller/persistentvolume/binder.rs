//! The binder, after `pkg/controller/volume/persistentvolume/pv_controller.go`: `syncClaim` and
//! `syncVolume`, matching a claim to a volume (`FindMatchingVolume`), binding both sides, marking a claim Lost,
//! and releasing and reclaiming a volume whose claim is gone.

use k8s_openapi::api::core::v1::{
    PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimStatus,
};
use k8s_openapi::api::storage::v1::StorageClass;
use std::collections::BTreeMap;

use super::protection::release_protection_if_unused;
use super::{record, PersistentVolumeController};
use crate::api::delete_options::DeleteOptions;
use crate::api::well_known::{
    LOCAL_PATH_PROVISIONER, PV_PROTECTION_FINALIZER, SELECTED_NODE_ANNOTATION,
};
use crate::controller::{ControllerId, Ctx};
use crate::events::{self, component, EventType};
use crate::object::{ApiObject, ObjectKey};
use crate::store::Store;
use crate::volume::{claim_reference, find_matching_volume, refers_to, storage_class_of};

pub(super) fn is_claim_bound(claim: &PersistentVolumeClaim) -> bool {
    claim.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound")
}

/// `--pvclaimbinder-sync-period`: how often the controller looks at every unbound claim again. A volume
/// that appears later is found by this resync, not by its own event, as upstream does.
const CLAIM_RESYNC_MS: u64 = 15_000;

fn resync_later(ctx: &mut Ctx, claim: &ObjectKey) {
    ctx.requeue_after(
        ControllerId::PersistentVolume,
        claim.clone(),
        CLAIM_RESYNC_MS,
    );
}

impl PersistentVolumeController {
    pub(super) fn sync_claim(&mut self, ctx: &mut Ctx, key: &ObjectKey) {
        let Some(claim) = ctx.store.get::<PersistentVolumeClaim>(key).cloned() else {
            self.provisioning.remove(key);
            return;
        };
        if claim.metadata.deletion_timestamp.is_some() {
            release_protection_if_unused(ctx, &claim);
            return;
        }
        if is_claim_bound(&claim) {
            check_bound_claim(ctx, &claim);
            return;
        }
        if let Some(volume) = find_prebound_or_named_volume(ctx.store, &claim) {
            bind(ctx, &volume, &claim);
            return;
        }
        let class_name = storage_class_of(&claim);
        let class = ctx
            .store
            .get::<StorageClass>(&ObjectKey::cluster(class_name.clone()))
            .cloned();
        let delayed = class
            .as_ref()
            .is_some_and(|c| c.volume_binding_mode.as_deref() == Some("WaitForFirstConsumer"));
        if let Some(volume) = find_matching_volume(ctx.store, &claim, delayed, None).cloned() {
            bind(ctx, &volume, &claim);
            return;
        }
        let selected_node = claim
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(SELECTED_NODE_ANNOTATION))
            .cloned();
        match class {
            None if class_name.is_empty() => {
                let message =
                    "no persistent volumes available for this claim and no storage class is set";
                record(ctx, &claim, EventType::Normal, "FailedBinding", message);
                resync_later(ctx, key);
            }
            None => {
                let message = format!("storageclass.storage.k8s.io \"{class_name}\" not found");
                record(
                    ctx,
                    &claim,
                    EventType::Warning,
                    "ProvisioningFailed",
                    &message,
                );
                resync_later(ctx, key);
            }
            Some(_) if delayed && selected_node.is_none() => {
                let message = "waiting for first consumer to be created before binding";
                record(
                    ctx,
                    &claim,
                    EventType::Normal,
                    "WaitForFirstConsumer",
                    message,
                );
            }
            Some(class) if class.provisioner == LOCAL_PATH_PROVISIONER => {
                self.provision(ctx, &claim, &class, selected_node);
            }
            Some(class) => {
                let message = format!(
                    "Waiting for a volume to be created either by the external provisioner '{}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.",
                    class.provisioner
                );
                record(
                    ctx,
                    &claim,
                    EventType::Normal,
                    "ExternalProvisioning",
                    &message,
                );
                resync_later(ctx, key);
            }
        }
    }
}

/// A volume named by the claim's `volumeName`, or one whose claimRef already points at the claim.
fn find_prebound_or_named_volume(
    store: &Store,
    claim: &PersistentVolumeClaim,
) -> Option<PersistentVolume> {
    let named = claim
        .spec
        .as_ref()
        .and_then(|s| s.volume_name.clone())
        .filter(|n| !n.is_empty());
    if let Some(name) = named {
        let volume = store.get::<PersistentVolume>(&ObjectKey::cluster(name))?;
        let free_or_ours = volume
            .spec
            .as_ref()
            .and_then(|s| s.claim_ref.as_ref())
            .is_none_or(|r| refers_to(r, claim));
        return free_or_ours.then(|| volume.clone());
    }
    store
        .list::<PersistentVolume>()
        .find(|v| {
            v.spec
                .as_ref()
                .and_then(|s| s.claim_ref.as_ref())
                .is_some_and(|r| refers_to(r, claim))
        })
        .cloned()
}

/// Binds both sides: the volume first (claimRef, Bound), then the claim (volumeName, Bound, capacity).
fn bind(ctx: &mut Ctx, volume: &PersistentVolume, claim: &PersistentVolumeClaim) {
    let reference = claim_reference(claim);
    let bound_by_controller = volume
        .spec
        .as_ref()
        .and_then(|s| s.claim_ref.as_ref())
        .is_none();
    let Ok(volume) = ctx.store.modify::<PersistentVolume>(&volume.key(), |pv| {
        pv.spec.get_or_insert_with(Default::default).claim_ref = Some(reference);
        pv.status.get_or_insert_with(Default::default).phase = Some("Bound".into());
        if bound_by_controller {
            pv.metadata
                .annotations
                .get_or_insert_with(BTreeMap::new)
                .insert("pv.kubernetes.io/bound-by-controller".into(), "yes".into());
        }
    }) else {
        return;
    };
    let volume_spec = volume.spec.clone().unwrap_or_default();
    // Only NotFound can come back: upstream's bindClaimToVolume fails the sync, and the volume's next sync
    // finds its claim missing and releases it.
    let _ = ctx
        .store
        .modify::<PersistentVolumeClaim>(&claim.key(), |c| {
            let annotations = c.metadata.annotations.get_or_insert_with(BTreeMap::new);
            annotations.insert("pv.kubernetes.io/bind-completed".into(), "yes".into());
            annotations.insert("pv.kubernetes.io/bound-by-controller".into(), "yes".into());
            c.spec.get_or_insert_with(Default::default).volume_name = volume.metadata.name.clone();
            c.status = Some(PersistentVolumeClaimStatus {
                phase: Some("Bound".into()),
                access_modes: volume_spec.access_modes.clone(),
                capacity: volume_spec.capacity.clone(),
                ..PersistentVolumeClaimStatus::default()
            });
        });
}

/// A bound claim whose volume vanished or now belongs to another claim is Lost.
fn check_bound_claim(ctx: &mut Ctx, claim: &PersistentVolumeClaim) {
    let volume_name = claim
        .spec
        .as_ref()
        .and_then(|s| s.volume_name.clone())
        .unwrap_or_default();
    let volume = ctx
        .store
        .get::<PersistentVolume>(&ObjectKey::cluster(volume_name.clone()));
    let intact = volume
        .and_then(|v| v.spec.as_ref())
        .and_then(|s| s.claim_ref.as_ref())
        .is_some_and(|r| refers_to(r, claim));
    if intact {
        return;
    }
    let (reason, message) = if volume.is_none() {
        (
            "ClaimLost",
            "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!"
                .to_string(),
        )
    } else {
        (
            "ClaimMisbound",
            "Two claims are bound to the same volume, this one is bound incorrectly".to_string(),
        )
    };
    if let Ok(lost) = ctx
        .store
        .modify::<PersistentVolumeClaim>(&claim.key(), |c| {
            c.status.get_or_insert_with(Default::default).phase = Some("Lost".into());
        })
    {
        record(ctx, &lost, EventType::Warning, reason, &message);
    }
}

/// The volume side: a volume whose claim is gone is Released and then reclaimed by its policy.
pub(super) fn sync_volume(ctx: &mut Ctx, key: &ObjectKey) {
    let Some(volume) = ctx.store.get::<PersistentVolume>(key).cloned() else {
        return;
    };
    let spec = volume.spec.clone().unwrap_or_default();
    let phase = volume
        .status
        .as_ref()
        .and_then(|s| s.phase.clone())
        .unwrap_or_default();
    let Some(reference) = spec.claim_ref.clone() else {
        if phase != "Available" && volume.metadata.deletion_timestamp.is_none() {
            set_volume_phase(ctx, key, "Available");
        }
        return;
    };
    let claim_key = ObjectKey::new(
        reference.namespace.clone().unwrap_or_default(),
        reference.name.clone().unwrap_or_default(),
    );
    let claim = ctx.store.get::<PersistentVolumeClaim>(&claim_key);
    let claim_exists =
        claim.is_some_and(|c| reference.uid.is_none() || c.metadata.uid == reference.uid);
    if claim_exists {
        return;
    }
    if reference.uid.is_none() {
        // Pre-bound by a user or the scheduler to a claim that does not exist yet: wait for it.
        return;
    }
    if phase != "Released" && phase != "Failed" {
        set_volume_phase(ctx, key, "Released");
    }
    match spec
        .persistent_volume_reclaim_policy
        .as_deref()
        .unwrap_or("Retain")
    {
        "Delete" => {
            // Only NotFound can come back: deleteVolumeOperation takes a volume already gone as deleted.
            let _ = ctx.store.modify::<PersistentVolume>(key, |pv| {
                if let Some(finalizers) = pv.metadata.finalizers.as_mut() {
                    finalizers.retain(|f| f != PV_PROTECTION_FINALIZER);
                }
            });
            // As above: a volume already gone is deleted.
            let _ = ctx
                .store
                .delete::<PersistentVolume>(key, DeleteOptions::default());
        }
        "Recycle" => {
            let recycled = ctx.store.modify::<PersistentVolume>(key, |pv| {
                pv.spec.get_or_insert_with(Default::default).claim_ref = None;
                pv.status.get_or_insert_with(Default::default).phase = Some("Available".into());
            });
            if let Ok(volume) = recycled {
                events::record(
                    ctx.store,
                    &*volume,
                    EventType::Normal,
                    "RecyclerPod",
                    "Volume recycled",
                    component::PERSISTENT_VOLUME,
                    None,
                );
            }
        }
        _ => {}
    }
}

fn set_volume_phase(ctx: &mut Ctx, key: &ObjectKey, phase: &str) {
    // Only NotFound can come back: updateVolumePhase on a deleted volume has nothing left to record.
    let _ = ctx.store.modify::<PersistentVolume>(key, |pv| {
        pv.status.get_or_insert_with(Default::default).phase = Some(phase.into());
    });
}
