//! Helpers about volumes and claims that the PV controller and the scheduler share, after
//! `k8s.io/component-helpers/storage/volume` (`pv_helpers.go`: `FindMatchingVolume`, `CheckNodeAffinity`):
//! which volume a claim can bind to, and whether a volume can be used on a node.

use k8s_openapi::api::core::v1::{ObjectReference, PersistentVolume, PersistentVolumeClaim};
use std::collections::{BTreeMap, BTreeSet};

use crate::labels::{node_term_matches, selector_matches};
use crate::quantity::parse_quantity;
use crate::store::Store;

pub fn storage_class_of(claim: &PersistentVolumeClaim) -> String {
    claim
        .spec
        .as_ref()
        .and_then(|s| s.storage_class_name.clone())
        .unwrap_or_default()
}

pub fn requested_bytes(claim: &PersistentVolumeClaim) -> u128 {
    claim
        .spec
        .as_ref()
        .and_then(|s| s.resources.as_ref())
        .and_then(|r| r.requests.as_ref())
        .and_then(|r| r.get("storage"))
        .and_then(|q| parse_quantity(&q.0))
        .unwrap_or(0)
}

pub fn capacity_bytes(volume: &PersistentVolume) -> u128 {
    volume
        .spec
        .as_ref()
        .and_then(|s| s.capacity.as_ref())
        .and_then(|c| c.get("storage"))
        .and_then(|q| parse_quantity(&q.0))
        .unwrap_or(0)
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

pub fn refers_to(reference: &ObjectReference, claim: &PersistentVolumeClaim) -> bool {
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

/// `CheckNodeAffinity`: the volume's required node affinity admits the node with these labels.
pub fn volume_fits_node(volume: &PersistentVolume, node_labels: &BTreeMap<String, String>) -> bool {
    let required = volume
        .spec
        .as_ref()
        .and_then(|s| s.node_affinity.as_ref())
        .and_then(|a| a.required.as_ref());
    let node_name = node_labels
        .get("kubernetes.io/hostname")
        .map(String::as_str)
        .unwrap_or_default();
    required.is_none_or(|selector| {
        selector
            .node_selector_terms
            .iter()
            .any(|term| node_term_matches(term, node_name, node_labels))
    })
}
