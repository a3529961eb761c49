//! k8s.io/kubectl/pkg/describe/describe.go's `PodDescriber` and `StatefulSetDescriber` (with
//! `getPodStatusForController` and `describeVolumeClaimTemplates`).

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};

use super::pod_spec::{describe_all_containers, describe_pod_template, tolerations_multiline};
use super::storage::storage_of;
use super::volumes::describe_volumes;
use super::writer::{go_string_list, int_or_string, rfc1123z, terminating, Doc, NONE};
use crate::cluster::Cluster;
use crate::object::{get_controller_of, name_of};

pub(super) fn describe_pod(doc: &mut Doc, cluster: &Cluster, pod: &Pod) {
    let meta = &pod.metadata;
    let spec = pod.spec.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();
    if let Some(priority) = spec.priority {
        doc.field(0, "Priority", priority);
    }
    if let Some(account) = spec.service_account_name.as_ref().filter(|a| !a.is_empty()) {
        doc.field(0, "Service Account", account);
    }
    match spec.node_name.as_ref().filter(|n| !n.is_empty()) {
        Some(node) => {
            let host = status.host_ip.as_deref().unwrap_or_default();
            doc.field(0, "Node", format!("{node}/{host}"));
        }
        None => doc.field(0, "Node", NONE),
    }
    if let Some(start) = &status.start_time {
        doc.field(0, "Start Time", rfc1123z(start));
    }
    doc.labels_and_annotations(meta);
    let phase = status.phase.clone().unwrap_or_default();
    match &meta.deletion_timestamp {
        Some(deleted) if phase != "Failed" && phase != "Succeeded" => {
            doc.field(0, "Status", terminating(deleted, cluster.now()));
            let grace = meta.deletion_grace_period_seconds.unwrap_or(0);
            doc.field(0, "Termination Grace Period", format!("{grace}s"));
        }
        _ => doc.field(0, "Status", phase),
    }
    if let Some(reason) = status.reason.as_ref().filter(|r| !r.is_empty()) {
        doc.field(0, "Reason", reason);
    }
    if let Some(message) = status.message.as_ref().filter(|m| !m.is_empty()) {
        doc.field(0, "Message", message);
    }
    doc.field(0, "IP", status.pod_ip.as_deref().unwrap_or_default());
    let ips = status.pod_ips.clone().unwrap_or_default();
    if doc.section(0, "IPs", !ips.is_empty()) {
        for ip in ips {
            doc.field(1, "IP", ip.ip);
        }
    }
    if let Some(owner) = get_controller_of(meta) {
        doc.field(0, "Controlled By", format!("{}/{}", owner.kind, owner.name));
    }
    if let Some(nominated) = status
        .nominated_node_name
        .as_ref()
        .filter(|n| !n.is_empty())
    {
        doc.field(0, "NominatedNodeName", nominated);
    }
    describe_all_containers(doc, &spec, Some(pod), 0);
    let conditions = status.conditions.clone().unwrap_or_default();
    if !conditions.is_empty() {
        doc.write(0, "Conditions:\n  Type\tStatus\n");
        for condition in conditions {
            doc.write(1, &format!("{} \t{} \n", condition.type_, condition.status));
        }
    }
    describe_volumes(doc, spec.volumes.as_deref().unwrap_or_default(), 0);
    doc.field(
        0,
        "QoS Class",
        status.qos_class.as_deref().unwrap_or_default(),
    );
    doc.labels(0, "Node-Selectors", spec.node_selector.as_ref());
    tolerations_multiline(doc, "Tolerations", &spec);
}

pub(super) fn describe_stateful_set(doc: &mut Doc, cluster: &Cluster, set: &StatefulSet) {
    let meta = &set.metadata;
    let spec = set.spec.clone().unwrap_or_default();
    let status = set.status.clone().unwrap_or_default();
    let created = meta.creation_timestamp.as_ref().map(rfc1123z);
    doc.field(0, "CreationTimestamp", created.unwrap_or_default());
    doc.field(
        0,
        "Selector",
        crate::labels::format_selector(&spec.selector),
    );
    doc.labels_and_annotations(meta);
    let desired = spec.replicas.unwrap_or(1);
    let total = status.replicas;
    doc.field(0, "Replicas", format!("{desired} desired | {total} total"));
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    doc.field(
        0,
        "Update Strategy",
        strategy.type_.as_deref().unwrap_or_default(),
    );
    if let Some(rolling) = &strategy.rolling_update {
        if let Some(partition) = rolling.partition {
            doc.field(1, "Partition", partition);
            if let Some(max) = &rolling.max_unavailable {
                doc.field(1, "MaxUnavailable", int_or_string(max));
            }
        }
    }
    let [running, waiting, succeeded, failed] = pod_phase_counts(cluster, set);
    doc.field(
        0,
        "Pods Status",
        format!("{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed"),
    );
    describe_pod_template(doc, &spec.template);
    describe_claim_templates(
        doc,
        spec.volume_claim_templates.as_deref().unwrap_or_default(),
    );
}

/// `getPodStatusForController`: the set's own pods (by selector and controller uid), by phase.
fn pod_phase_counts(cluster: &Cluster, set: &StatefulSet) -> [usize; 4] {
    let namespace = set.metadata.namespace.clone().unwrap_or_default();
    let selector = set.spec.clone().unwrap_or_default().selector;
    let mut counts = [0; 4];
    for pod in cluster.store().list_namespace::<Pod>(&namespace) {
        let labels = pod.metadata.labels.clone().unwrap_or_default();
        let owned = get_controller_of(&pod.metadata)
            .is_some_and(|o| Some(&o.uid) == set.metadata.uid.as_ref());
        if !owned || !crate::labels::selector_matches(&selector, &labels) {
            continue;
        }
        let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref());
        let index = match phase {
            Some("Running") => 0,
            Some("Pending") => 1,
            Some("Succeeded") => 2,
            Some("Failed") => 3,
            _ => continue,
        };
        counts[index] += 1;
    }
    counts
}

/// `describeVolumeClaimTemplates`: their annotations print as labels do, as upstream prints them.
fn describe_claim_templates(doc: &mut Doc, templates: &[PersistentVolumeClaim]) {
    if !doc.section(0, "Volume Claims", !templates.is_empty()) {
        return;
    }
    for claim in templates {
        let spec = claim.spec.clone().unwrap_or_default();
        let meta = &claim.metadata;
        doc.field(1, "Name", name_of(meta));
        let class = spec.storage_class_name.as_deref();
        doc.field(1, "StorageClass", class.unwrap_or_default());
        doc.labels(1, "Labels", meta.labels.as_ref());
        doc.labels(1, "Annotations", meta.annotations.as_ref());
        let requests = spec.resources.as_ref().and_then(|r| r.requests.as_ref());
        let capacity = storage_of(requests);
        doc.field(1, "Capacity", capacity.as_deref().unwrap_or("<default>"));
        let modes = go_string_list(spec.access_modes.as_ref());
        doc.field(1, "Access Modes", modes);
    }
}
