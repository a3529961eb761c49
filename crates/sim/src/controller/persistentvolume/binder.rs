//! The binder, after `pkg/controller/volume/persistentvolume/pv_controller.go`: `syncClaim` and
//! `syncVolume`, matching a claim to a volume (`FindMatchingVolume`), binding both sides, marking a claim Lost,
//! and releasing and reclaiming a volume whose claim is gone.

use k8s_openapi::api::core::v1::{
    ObjectReference, PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimStatus,
};
use k8s_openapi::api::storage::v1::StorageClass;
use std::collections::{BTreeMap, BTreeSet};

use super::protection::release_protection_if_unused;
use super::{record, PersistentVolumeController};
use crate::api::well_known::{
    LOCAL_PATH_PROVISIONER, PV_PROTECTION_FINALIZER, SELECTED_NODE_ANNOTATION,
};
use crate::controller::scheduler::volume_fits_node;
use crate::controller::{ControllerId, Ctx};
use crate::events::{self, component, EventType};
use crate::labels::selector_matches;
use crate::object::{ApiObject, ObjectKey};
use crate::quantity::parse_quantity;
use crate::store::{DeleteOptions, Store};

pub(super) fn is_claim_bound(claim: &PersistentVolumeClaim) -> bool {
    claim.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound")
}

fn storage_class_of(claim: &PersistentVolumeClaim) -> String {
    claim
        .spec
        .as_ref()
        .and_then(|s| s.storage_class_name.clone())
        .unwrap_or_default()
}

fn requested_bytes(claim: &PersistentVolumeClaim) -> u128 {
    claim
        .spec
        .as_ref()
        .and_then(|s| s.resources.as_ref())
        .and_then(|r| r.requests.as_ref())
        .and_then(|r| r.get("storage"))
        .and_then(|q| parse_quantity(&q.0))
        .unwrap_or(0)
}

fn capacity_bytes(volume: &PersistentVolume) -> u128 {
    volume
        .spec
        .as_ref()
        .and_then(|s| s.capacity.as_ref())
        .and_then(|c| c.get("storage"))
        .and_then(|q| parse_quantity(&q.0))
        .unwrap_or(0)
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

pub fn claim_reference(claim: &PersistentVolumeClaim) -> ObjectReference {
    ObjectReference {
        api_version: Some("v1".into()),
        kind: Some("PersistentVolumeClaim".into()),
        name: claim.metadata.name.clone(),
        namespace: claim.metadata.namespace.clone(),
        uid: claim.metadata.uid.clone(),
        resource_version: claim.metadata.resource_version.clone(),
        field_path: None,
    }
}

fn refers_to(reference: &ObjectReference, claim: &PersistentVolumeClaim) -> bool {
    reference.name == claim.metadata.name
        && reference.namespace == claim.metadata.namespace
        && (reference.uid.is_none() || reference.uid == claim.metadata.uid)
}

/// `FindMatchingVolume`: a volume pre-bound to the claim, else the smallest Available volume of the same class
/// whose access modes include the claim's, whose labels satisfy its selector, and (for the scheduler) whose
/// node affinity admits the node. With `delayed_binding` the PV controller leaves unbound volumes alone.
pub fn find_matching_volume<'a>(
    store: &'a Store,
    claim: &PersistentVolumeClaim,
    delayed_binding: bool,
    node_labels: Option<&BTreeMap<String, String>>,
) -> Option<&'a PersistentVolume> {
    let spec = claim.spec.as_ref()?;
    let requested = requested_bytes(claim);
    let class = storage_class_of(claim);
    let modes: BTreeSet<&str> = spec
        .access_modes
        .iter()
        .flatten()
        .map(String::as_str)
        .collect();
    let claim_mode = spec.volume_mode.as_deref().unwrap_or("Filesystem");
    let mut best: Option<&PersistentVolume> = None;
    for volume in store.list::<PersistentVolume>() {
        let Some(volume_spec) = volume.spec.as_ref() else {
            continue;
        };
        if volume.metadata.deletion_timestamp.is_some()
            || volume_spec.volume_mode.as_deref().unwrap_or("Filesystem") != claim_mode
        {
            continue;
        }
        let fits_node = node_labels.is_none_or(|labels| volume_fits_node(volume, labels));
        if let Some(reference) = &volume_spec.claim_ref {
            if refers_to(reference, claim) && capacity_bytes(volume) >= requested && fits_node {
                return Some(volume);
            }
            continue;
        }
        if delayed_binding {
            continue;
        }
        let phase = volume
            .status
            .as_ref()
            .and_then(|s| s.phase.as_deref())
            .unwrap_or("Available");
        let volume_modes: BTreeSet<&str> = volume_spec
            .access_modes
            .iter()
            .flatten()
            .map(String::as_str)
            .collect();
        let selector_ok = spec.selector.as_ref().is_none_or(|sel| {
            selector_matches(
                sel,
                volume.metadata.labels.as_ref().unwrap_or(&BTreeMap::new()),
            )
        });
        let eligible = phase == "Available"
            && volume_spec.storage_class_name.clone().unwrap_or_default() == class
            && modes.is_subset(&volume_modes)
            && selector_ok
            && fits_node
            && capacity_bytes(volume) >= requested;
        // Fewest access modes first, then the smallest capacity; the first in list order wins ties.
        let better = |current: &PersistentVolume| {
            let current_modes = current
                .spec
                .as_ref()
                .and_then(|s| s.access_modes.as_ref())
                .map_or(0, Vec::len);
            (volume_modes.len(), capacity_bytes(volume)) < (current_modes, capacity_bytes(current))
        };
        if eligible && best.is_none_or(better) {
            best = Some(volume);
        }
    }
    best
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
            let _ = ctx.store.modify::<PersistentVolume>(key, |pv| {
                if let Some(finalizers) = pv.metadata.finalizers.as_mut() {
                    finalizers.retain(|f| f != PV_PROTECTION_FINALIZER);
                }
            });
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
    let _ = ctx.store.modify::<PersistentVolume>(key, |pv| {
        pv.status.get_or_insert_with(Default::default).phase = Some(phase.into());
    });
}
