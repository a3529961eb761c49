//! k8s.io/kubectl/pkg/describe/describe.go's `PersistentVolumeClaimDescriber`, `PersistentVolumeDescriber`
//! and `StorageClassDescriber`.

use k8s_openapi::api::core::v1::{
    PersistentVolume, PersistentVolumeClaim, PersistentVolumeSpec, Pod,
};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;

use super::volumes::describe_persistent_volume_source;
use super::writer::{join_or_none, key_values, terminating, Doc, NONE, UNSET};
use crate::api::storage::is_default_class;
use crate::cluster::Cluster;
use crate::object::name_of;
use crate::view::rows::{access_modes, claim_ref_name};

pub(super) fn describe_claim(doc: &mut Doc, cluster: &Cluster, claim: &PersistentVolumeClaim) {
    let meta = &claim.metadata;
    let spec = claim.spec.clone().unwrap_or_default();
    let status = claim.status.clone().unwrap_or_default();
    let (class, phase) = (spec.storage_class_name.as_deref(), status.phase.as_deref());
    class_and_status(doc, cluster, meta, class, phase);
    let volume = spec.volume_name.clone().unwrap_or_default();
    doc.field(0, "Volume", &volume);
    doc.labels_and_annotations(meta);
    doc.finalizers(meta);
    let (capacity, modes) = if volume.is_empty() {
        (String::new(), String::new())
    } else {
        (
            storage_of(status.capacity.as_ref()).unwrap_or_default(),
            access_modes(status.access_modes.as_ref()),
        )
    };
    doc.field(0, "Capacity", capacity);
    doc.field(0, "Access Modes", modes);
    if let Some(mode) = &spec.volume_mode {
        doc.field(0, "VolumeMode", mode);
    }
    doc.multiline(0, "Used By", pods_using(cluster, meta));
}

/// `getPodsForPVC`: the pods of the claim's namespace that mount it, by name.
fn pods_using(cluster: &Cluster, claim: &ObjectMeta) -> Vec<String> {
    let namespace = claim.namespace.as_deref().unwrap_or_default();
    let name = name_of(claim);
    let mut users: Vec<String> = cluster
        .store()
        .list_namespace::<Pod>(namespace)
        .filter(|pod| {
            pod.spec
                .as_ref()
                .and_then(|s| s.volumes.as_ref())
                .is_some_and(|v| {
                    v.iter().any(|v| {
                        v.persistent_volume_claim
                            .as_ref()
                            .is_some_and(|c| c.claim_name == name)
                    })
                })
        })
        .filter_map(|pod| pod.metadata.name.clone())
        .collect();
    users.sort();
    users
}

pub(super) fn describe_volume(doc: &mut Doc, cluster: &Cluster, volume: &PersistentVolume) {
    let meta = &volume.metadata;
    let spec = volume.spec.clone().unwrap_or_default();
    let status = volume.status.clone().unwrap_or_default();
    doc.labels_and_annotations(meta);
    doc.finalizers(meta);
    let (class, phase) = (spec.storage_class_name.as_deref(), status.phase.as_deref());
    class_and_status(doc, cluster, meta, class, phase);
    doc.field(0, "Claim", claim_ref_name(&spec));
    let policy = spec.persistent_volume_reclaim_policy.as_deref();
    doc.field(0, "Reclaim Policy", policy.unwrap_or_default());
    doc.field(0, "Access Modes", access_modes(spec.access_modes.as_ref()));
    if let Some(mode) = &spec.volume_mode {
        doc.field(0, "VolumeMode", mode);
    }
    let capacity = storage_of(spec.capacity.as_ref());
    doc.field(0, "Capacity", capacity.as_deref().unwrap_or("0"));
    describe_node_affinity(doc, &spec);
    doc.field(0, "Message", status.message.as_deref().unwrap_or_default());
    doc.write(0, "Source:\n");
    describe_persistent_volume_source(doc, &spec);
}

/// The `storage` quantity of a capacity or of a claim's requests.
pub(super) fn storage_of(resources: Option<&BTreeMap<String, Quantity>>) -> Option<String> {
    resources
        .and_then(|r| r.get("storage"))
        .map(|q| q.0.clone())
}

/// The StorageClass and Status lines claims and volumes share: a deleted one is Terminating, and for how long.
fn class_and_status(
    doc: &mut Doc,
    cluster: &Cluster,
    meta: &ObjectMeta,
    class: Option<&str>,
    phase: Option<&str>,
) {
    doc.field(0, "StorageClass", class.unwrap_or_default());
    let status = match &meta.deletion_timestamp {
        Some(deleted) => terminating(deleted, cluster.now()),
        None => phase.unwrap_or_default().to_string(),
    };
    doc.field(0, "Status", status);
}

/// `printVolumeNodeAffinity`: the required terms, each term's requirements one under the other.
fn describe_node_affinity(doc: &mut Doc, spec: &PersistentVolumeSpec) {
    let Some(required) = spec
        .node_affinity
        .as_ref()
        .and_then(|a| a.required.as_ref())
    else {
        doc.field(0, "Node Affinity", NONE);
        return;
    };
    doc.field(0, "Node Affinity", "");
    if required.node_selector_terms.is_empty() {
        doc.field(1, "Required Terms", NONE);
        return;
    }
    doc.field(1, "Required Terms", "");
    for (index, term) in required.node_selector_terms.iter().enumerate() {
        let requirements = term
            .match_expressions
            .iter()
            .flatten()
            .map(|requirement| {
                let mut text = format!(
                    "{} {}",
                    requirement.key,
                    requirement.operator.to_lowercase()
                );
                let values = requirement.values.clone().unwrap_or_default();
                if !values.is_empty() {
                    text.push_str(&format!(" [{}]", values.join(", ")));
                }
                text
            })
            .collect();
        doc.multiline(2, &format!("Term {index}"), requirements);
    }
}

pub(super) fn describe_storage_class(doc: &mut Doc, _: &Cluster, class: &StorageClass) {
    let default = if is_default_class(&class.metadata) {
        "Yes"
    } else {
        "No"
    };
    // `labels.FormatLabels`: one line, `<none>` when empty.
    let format_labels = |map| join_or_none(&key_values(map), ",");
    doc.field(0, "IsDefaultClass", default);
    doc.field(
        0,
        "Annotations",
        format_labels(class.metadata.annotations.as_ref()),
    );
    doc.field(0, "Provisioner", &class.provisioner);
    doc.field(0, "Parameters", format_labels(class.parameters.as_ref()));
    let expansion = class
        .allow_volume_expansion
        .map_or(UNSET, |b| if b { "True" } else { "False" });
    doc.field(0, "AllowVolumeExpansion", expansion);
    doc.field(0, "MountOptions", NONE);
    if let Some(policy) = &class.reclaim_policy {
        doc.field(0, "ReclaimPolicy", policy);
    }
    if let Some(mode) = &class.volume_binding_mode {
        doc.field(0, "VolumeBindingMode", mode);
    }
}
