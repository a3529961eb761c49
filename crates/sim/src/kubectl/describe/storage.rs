//! k8s.io/kubectl/pkg/describe/describe.go's `PersistentVolumeClaimDescriber`, `PersistentVolumeDescriber`
//! and `StorageClassDescriber`.

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, Pod};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;

use super::super::printers::{access_modes, claim_ref_name};
use super::writer::{
    annotations_multiline, go_string_list, labels_multiline, since, Doc, EventTable,
};
use crate::cluster::Cluster;
use crate::time::SimTime;

/// The StorageClass and Status lines claims and volumes share: a deleted one is Terminating, and for how long.
pub(super) fn write_class_and_status(
    doc: &mut Doc,
    meta: &ObjectMeta,
    class: Option<&str>,
    phase: Option<&str>,
    now: SimTime,
) {
    doc.write(
        0,
        &format!("StorageClass:\t{}\n", class.unwrap_or_default()),
    );
    let status = match &meta.deletion_timestamp {
        Some(deleted) => format!("Terminating (lasts {})", since(Some(deleted), now)),
        None => phase.unwrap_or_default().to_string(),
    };
    doc.write(0, &format!("Status:\t{status}\n"));
}

pub(super) fn describe_claim(
    cluster: &Cluster,
    claim: &PersistentVolumeClaim,
    events: &EventTable,
) -> String {
    let mut doc = Doc::default();
    let meta = &claim.metadata;
    let spec = claim.spec.clone().unwrap_or_default();
    let status = claim.status.clone().unwrap_or_default();
    let name = meta.name.clone().unwrap_or_default();
    doc.write(0, &format!("Name:\t{name}\n"));
    doc.write(
        0,
        &format!(
            "Namespace:\t{}\n",
            meta.namespace.clone().unwrap_or_default()
        ),
    );
    write_class_and_status(
        &mut doc,
        meta,
        spec.storage_class_name.as_deref(),
        status.phase.as_deref(),
        events.now,
    );
    let volume = spec.volume_name.clone().unwrap_or_default();
    doc.write(0, &format!("Volume:\t{volume}\n"));
    labels_multiline(&mut doc, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut doc, "Annotations", meta.annotations.as_ref());
    doc.write(
        0,
        &format!(
            "Finalizers:\t{}\n",
            go_string_list(meta.finalizers.as_ref())
        ),
    );
    let (capacity, modes) = if volume.is_empty() {
        (String::new(), String::new())
    } else {
        (
            status
                .capacity
                .as_ref()
                .and_then(|c| c.get("storage"))
                .map(|q| q.0.clone())
                .unwrap_or_default(),
            access_modes(status.access_modes.as_ref()),
        )
    };
    doc.write(0, &format!("Capacity:\t{capacity}\n"));
    doc.write(0, &format!("Access Modes:\t{modes}\n"));
    if let Some(mode) = &spec.volume_mode {
        doc.write(0, &format!("VolumeMode:\t{mode}\n"));
    }
    let namespace = meta.namespace.clone().unwrap_or_default();
    let mut users: Vec<String> = cluster
        .store()
        .list_namespace::<Pod>(&namespace)
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
    doc.write(0, "Used By:\t");
    if users.is_empty() {
        doc.write(0, "<none>\n");
    }
    for (index, user) in users.iter().enumerate() {
        if index > 0 {
            doc.write(0, "\t");
        }
        doc.write(0, &format!("{user}\n"));
    }
    events.write(&mut doc);
    doc.aligned()
}

pub(super) fn describe_volume(
    volume: &PersistentVolume,
    events: &EventTable,
    now: SimTime,
) -> String {
    let mut doc = Doc::default();
    let meta = &volume.metadata;
    let spec = volume.spec.clone().unwrap_or_default();
    let status = volume.status.clone().unwrap_or_default();
    doc.write(
        0,
        &format!("Name:\t{}\n", meta.name.clone().unwrap_or_default()),
    );
    labels_multiline(&mut doc, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut doc, "Annotations", meta.annotations.as_ref());
    doc.write(
        0,
        &format!(
            "Finalizers:\t{}\n",
            go_string_list(meta.finalizers.as_ref())
        ),
    );
    write_class_and_status(
        &mut doc,
        meta,
        spec.storage_class_name.as_deref(),
        status.phase.as_deref(),
        now,
    );
    let claim = claim_ref_name(&spec);
    doc.write(0, &format!("Claim:\t{claim}\n"));
    doc.write(
        0,
        &format!(
            "Reclaim Policy:\t{}\n",
            spec.persistent_volume_reclaim_policy
                .clone()
                .unwrap_or_default()
        ),
    );
    doc.write(
        0,
        &format!(
            "Access Modes:\t{}\n",
            access_modes(spec.access_modes.as_ref())
        ),
    );
    if let Some(mode) = &spec.volume_mode {
        doc.write(0, &format!("VolumeMode:\t{mode}\n"));
    }
    let capacity = spec
        .capacity
        .as_ref()
        .and_then(|c| c.get("storage"))
        .map(|q| q.0.clone())
        .unwrap_or_else(|| "0".into());
    doc.write(0, &format!("Capacity:\t{capacity}\n"));
    describe_node_affinity(&mut doc, &spec);
    doc.write(
        0,
        &format!("Message:\t{}\n", status.message.clone().unwrap_or_default()),
    );
    doc.write(0, "Source:\n");
    if let Some(host_path) = &spec.host_path {
        doc.write(
            2,
            &format!(
            "Type:\tHostPath (bare host directory volume)\n    Path:\t{}\n    HostPathType:\t{}\n",
            host_path.path,
            host_path.type_.clone().unwrap_or_else(|| "<none>".into())
        ),
        );
    } else if let Some(local) = &spec.local {
        doc.write(2, &format!(
            "Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n    Path:\t{}\n",
            local.path
        ));
    } else if let Some(nfs) = &spec.nfs {
        doc.write(2, &format!(
            "Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t{}\n    Path:\t{}\n    ReadOnly:\t{}\n",
            nfs.server,
            nfs.path,
            nfs.read_only.unwrap_or(false)
        ));
    } else {
        doc.write(1, "<unknown>\n");
    }
    events.write(&mut doc);
    doc.aligned()
}

pub(super) fn describe_node_affinity(
    doc: &mut Doc,
    spec: &k8s_openapi::api::core::v1::PersistentVolumeSpec,
) {
    doc.write(0, "Node Affinity:\t");
    let Some(required) = spec
        .node_affinity
        .as_ref()
        .and_then(|a| a.required.as_ref())
    else {
        doc.write(0, "<none>\n");
        return;
    };
    doc.write(0, "\n");
    doc.write(1, "Required Terms:\t");
    if required.node_selector_terms.is_empty() {
        doc.write(0, "<none>\n");
        return;
    }
    doc.write(0, "\n");
    for (index, term) in required.node_selector_terms.iter().enumerate() {
        doc.write(2, &format!("Term {index}:\t"));
        let expressions = term.match_expressions.clone().unwrap_or_default();
        if expressions.is_empty() {
            doc.write(0, "<none>\n");
        }
        for (i, requirement) in expressions.iter().enumerate() {
            if i > 0 {
                doc.write(2, "\t");
            }
            let mut text = format!(
                "{} {}",
                requirement.key,
                requirement.operator.to_lowercase()
            );
            let values = requirement.values.clone().unwrap_or_default();
            if !values.is_empty() {
                text.push_str(&format!(" [{}]", values.join(", ")));
            }
            doc.write(0, &format!("{text}\n"));
        }
    }
}

pub(super) fn describe_storage_class(class: &StorageClass, events: &EventTable) -> String {
    let mut doc = Doc::default();
    let annotations = class.metadata.annotations.clone().unwrap_or_default();
    let default = match annotations
        .get(crate::api::defaults::IS_DEFAULT_CLASS_ANNOTATION)
        .map(String::as_str)
    {
        Some("true") => "Yes",
        _ => "No",
    };
    let format_labels = |map: &BTreeMap<String, String>| {
        if map.is_empty() {
            "<none>".to_string()
        } else {
            map.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",")
        }
    };
    doc.write(
        0,
        &format!(
            "Name:\t{}\n",
            class.metadata.name.clone().unwrap_or_default()
        ),
    );
    doc.write(0, &format!("IsDefaultClass:\t{default}\n"));
    doc.write(
        0,
        &format!("Annotations:\t{}\n", format_labels(&annotations)),
    );
    doc.write(0, &format!("Provisioner:\t{}\n", class.provisioner));
    doc.write(
        0,
        &format!(
            "Parameters:\t{}\n",
            format_labels(&class.parameters.clone().unwrap_or_default())
        ),
    );
    let expansion =
        class
            .allow_volume_expansion
            .map_or("<unset>", |b| if b { "True" } else { "False" });
    doc.write(0, &format!("AllowVolumeExpansion:\t{expansion}\n"));
    doc.write(0, "MountOptions:\t<none>\n");
    if let Some(policy) = &class.reclaim_policy {
        doc.write(0, &format!("ReclaimPolicy:\t{policy}\n"));
    }
    if let Some(mode) = &class.volume_binding_mode {
        doc.write(0, &format!("VolumeBindingMode:\t{mode}\n"));
    }
    events.write(&mut doc);
    doc.aligned()
}
