//! k8s.io/kubectl/pkg/describe/describe.go's `PodDescriber` and `StatefulSetDescriber`.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::pod_spec::{
    describe_containers, describe_pod_template, describe_volumes, tolerations_multiline,
};
use super::writer::{
    annotations_multiline, controlled_by, go_string_list, labels_multiline, rfc1123z,
    selector_string, since, write_name_and_namespace, Doc, EventTable,
};
use crate::cluster::Cluster;
use crate::object::get_controller_of;
use crate::time::SimTime;

pub(super) fn describe_pod(pod: &Pod, events: &EventTable, now: SimTime) -> String {
    let mut doc = Doc::default();
    let meta = &pod.metadata;
    let spec = pod.spec.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();
    write_name_and_namespace(&mut doc, meta);
    if let Some(priority) = spec.priority {
        doc.write(0, &format!("Priority:\t{priority}\n"));
    }
    if let Some(account) = spec.service_account_name.as_ref().filter(|a| !a.is_empty()) {
        doc.write(0, &format!("Service Account:\t{account}\n"));
    }
    match spec.node_name.as_ref().filter(|n| !n.is_empty()) {
        Some(node) => doc.write(
            0,
            &format!(
                "Node:\t{node}/{}\n",
                status.host_ip.clone().unwrap_or_default()
            ),
        ),
        None => doc.write(0, "Node:\t<none>\n"),
    }
    if let Some(start) = &status.start_time {
        doc.write(0, &format!("Start Time:\t{}\n", rfc1123z(start)));
    }
    labels_multiline(&mut doc, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut doc, "Annotations", meta.annotations.as_ref());
    let phase = status.phase.clone().unwrap_or_default();
    match &meta.deletion_timestamp {
        Some(deleted) if phase != "Failed" && phase != "Succeeded" => {
            doc.write(
                0,
                &format!(
                    "Status:\tTerminating (lasts {})\n",
                    since(Some(deleted), now)
                ),
            );
            doc.write(
                0,
                &format!(
                    "Termination Grace Period:\t{}s\n",
                    meta.deletion_grace_period_seconds.unwrap_or(0)
                ),
            );
        }
        _ => doc.write(0, &format!("Status:\t{phase}\n")),
    }
    if let Some(reason) = status.reason.as_ref().filter(|r| !r.is_empty()) {
        doc.write(0, &format!("Reason:\t{reason}\n"));
    }
    if let Some(message) = status.message.as_ref().filter(|m| !m.is_empty()) {
        doc.write(0, &format!("Message:\t{message}\n"));
    }
    doc.write(
        0,
        &format!("IP:\t{}\n", status.pod_ip.clone().unwrap_or_default()),
    );
    let ips = status.pod_ips.clone().unwrap_or_default();
    if ips.is_empty() {
        doc.write(0, "IPs:\t<none>\n");
    } else {
        doc.write(0, "IPs:\n");
        for ip in ips {
            doc.write(1, &format!("IP:\t{}\n", ip.ip));
        }
    }
    if let Some(owner) = controlled_by(meta) {
        doc.write(0, &format!("Controlled By:\t{owner}\n"));
    }
    if let Some(nominated) = status
        .nominated_node_name
        .as_ref()
        .filter(|n| !n.is_empty())
    {
        doc.write(0, &format!("NominatedNodeName:\t{nominated}\n"));
    }
    if let Some(init) = spec.init_containers.as_ref().filter(|c| !c.is_empty()) {
        let statuses = status.init_container_statuses.clone().unwrap_or_default();
        describe_containers(
            &mut doc,
            "Init Containers",
            init,
            Some(&statuses),
            Some(pod),
            "",
        );
    }
    let statuses = status.container_statuses.clone().unwrap_or_default();
    describe_containers(
        &mut doc,
        "Containers",
        &spec.containers,
        Some(&statuses),
        Some(pod),
        "",
    );
    let conditions = status.conditions.clone().unwrap_or_default();
    if !conditions.is_empty() {
        doc.write(0, "Conditions:\n  Type\tStatus\n");
        for condition in conditions {
            doc.write(1, &format!("{} \t{} \n", condition.type_, condition.status));
        }
    }
    describe_volumes(&mut doc, spec.volumes.as_deref().unwrap_or_default(), "");
    doc.write(
        0,
        &format!(
            "QoS Class:\t{}\n",
            status.qos_class.clone().unwrap_or_default()
        ),
    );
    labels_multiline(&mut doc, "", "Node-Selectors", spec.node_selector.as_ref());
    tolerations_multiline(&mut doc, "Tolerations", &spec);
    events.write(&mut doc);
    doc.aligned()
}

pub(super) fn describe_stateful_set(
    cluster: &Cluster,
    set: &StatefulSet,
    events: &EventTable,
) -> String {
    let mut doc = Doc::default();
    let meta = &set.metadata;
    let spec = set.spec.clone().unwrap_or_default();
    let status = set.status.clone().unwrap_or_default();
    write_name_and_namespace(&mut doc, meta);
    let created = meta
        .creation_timestamp
        .as_ref()
        .map(rfc1123z)
        .unwrap_or_default();
    doc.write(0, &format!("CreationTimestamp:\t{created}\n"));
    doc.write(
        0,
        &format!("Selector:\t{}\n", selector_string(&spec.selector)),
    );
    labels_multiline(&mut doc, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut doc, "Annotations", meta.annotations.as_ref());
    doc.write(
        0,
        &format!(
            "Replicas:\t{} desired | {} total\n",
            spec.replicas.unwrap_or(1),
            status.replicas
        ),
    );
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    doc.write(
        0,
        &format!(
            "Update Strategy:\t{}\n",
            strategy.type_.clone().unwrap_or_default()
        ),
    );
    if let Some(partition) = strategy.rolling_update.as_ref().and_then(|r| r.partition) {
        doc.write(1, &format!("Partition:\t{partition}\n"));
        if let Some(max) = strategy
            .rolling_update
            .as_ref()
            .and_then(|r| r.max_unavailable.as_ref())
        {
            let max = match max {
                IntOrString::Int(n) => n.to_string(),
                IntOrString::String(s) => s.clone(),
            };
            doc.write(1, &format!("MaxUnavailable:\t{max}\n"));
        }
    }
    let [running, waiting, succeeded, failed] = pod_phase_counts(cluster, set);
    doc.write(
        0,
        &format!("Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n"),
    );
    describe_pod_template(&mut doc, &spec.template);
    describe_claim_templates(
        &mut doc,
        spec.volume_claim_templates.as_deref().unwrap_or_default(),
    );
    events.write(&mut doc);
    doc.aligned()
}

/// `getPodStatusForController`: the set's own pods (by selector and controller uid), by phase.
pub(super) fn pod_phase_counts(cluster: &Cluster, set: &StatefulSet) -> [usize; 4] {
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

pub(super) fn describe_claim_templates(doc: &mut Doc, templates: &[PersistentVolumeClaim]) {
    if templates.is_empty() {
        doc.write(0, "Volume Claims:\t<none>\n");
        return;
    }
    doc.write(0, "Volume Claims:\n");
    for claim in templates {
        let spec = claim.spec.clone().unwrap_or_default();
        doc.write(
            1,
            &format!(
                "Name:\t{}\n",
                claim.metadata.name.clone().unwrap_or_default()
            ),
        );
        doc.write(
            1,
            &format!(
                "StorageClass:\t{}\n",
                spec.storage_class_name.clone().unwrap_or_default()
            ),
        );
        labels_multiline(doc, "  ", "Labels", claim.metadata.labels.as_ref());
        labels_multiline(
            doc,
            "  ",
            "Annotations",
            claim.metadata.annotations.as_ref(),
        );
        let capacity = spec
            .resources
            .as_ref()
            .and_then(|r| r.requests.as_ref())
            .and_then(|r| r.get("storage"))
            .map_or("<default>".to_string(), |q| q.0.clone());
        doc.write(1, &format!("Capacity:\t{capacity}\n"));
        doc.write(
            1,
            &format!(
                "Access Modes:\t{}\n",
                go_string_list(spec.access_modes.as_ref())
            ),
        );
    }
}
