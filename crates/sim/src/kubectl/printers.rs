//! The tables `kubectl get` prints, column for column.

use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStateTerminated, ContainerStatus, Event, Node,
    PersistentVolume, PersistentVolumeClaim, Pod, PodCondition, PodSpec, PodStatus, Service,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::api::strategy::Strategy;
use crate::time::{human_duration, SimTime};

/// A kind `kubectl get` prints as a table, and that the kubectl commands may write back.
pub(crate) trait Printable: Strategy {
    const HEADER: &'static [&'static str];
    /// The `-o wide` columns, for kinds that have more than the default ones.
    const WIDE_HEADER: Option<&'static [&'static str]> = None;
    fn row(&self, now: SimTime, wide: bool) -> Vec<String>;
}

macro_rules! printable {
    ($ty:ty, $header:expr, $wide:expr, $row:expr) => {
        impl Printable for $ty {
            const HEADER: &'static [&'static str] = $header;
            const WIDE_HEADER: Option<&'static [&'static str]> = $wide;
            fn row(&self, now: SimTime, wide: bool) -> Vec<String> {
                $row(self, now, wide)
            }
        }
    };
}

printable!(Pod, POD_HEADER, Some(POD_WIDE_HEADER), pod_row);
printable!(
    StatefulSet,
    STATEFUL_SET_HEADER,
    Some(STATEFUL_SET_WIDE_HEADER),
    stateful_set_row
);
printable!(PersistentVolumeClaim, CLAIM_HEADER, None, |c, now, _| {
    claim_row(c, now)
});
printable!(PersistentVolume, VOLUME_HEADER, None, |v, now, _| {
    volume_row(v, now)
});
printable!(Service, SERVICE_HEADER, None, |s, now, _| service_row(
    s, now
));
printable!(Node, NODE_HEADER, Some(NODE_WIDE_HEADER), node_row);
printable!(StorageClass, STORAGE_CLASS_HEADER, None, |c, now, _| {
    storage_class_row(c, now)
});
printable!(ControllerRevision, REVISION_HEADER, None, |r, now, _| {
    revision_row(r, now)
});
printable!(Event, EVENT_HEADER, None, |e, now, _| event_row(e, now));
printable!(EndpointSlice, ENDPOINT_SLICE_HEADER, None, |s, now, _| {
    endpoint_slice_row(s, now)
});

/// The `--show-labels` column: `key=value` pairs in key order, or `<none>`.
pub fn labels_column(meta: &ObjectMeta) -> String {
    let labels = meta.labels.clone().unwrap_or_default();
    if labels.is_empty() {
        return "<none>".into();
    }
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Left-aligned columns separated by three spaces, as kubectl's tabwriter prints them.
pub fn render_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let last = cells.len() - 1;
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if i < last {
                out.push_str(&" ".repeat(widths[i] - cell.chars().count() + 3));
            }
        }
        out.trim_end().to_string() + "\n"
    };
    let mut text = line(header.to_vec());
    for row in rows {
        text.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    text
}

pub fn age(meta: &ObjectMeta, now: SimTime) -> String {
    meta.creation_timestamp
        .as_ref()
        .map_or("<unknown>".into(), |t| {
            human_duration(now.0.saturating_sub(SimTime::from_k8s(t).0))
        })
}

/// kubectl's READY, STATUS and RESTARTS columns, computed together as `printPod` does.
struct PodColumns {
    ready: usize,
    total: usize,
    status: String,
    restarts: i32,
    /// When the last restarted container last exited, for RESTARTS' `(5s ago)`.
    last_restart: Option<SimTime>,
}

/// `printPod`: the pod's reason or phase, overridden by the first unfinished init container (`Init:1/2`,
/// `Init:CrashLoopBackOff`), then by the last app container's waiting or terminated reason; `Unknown` or
/// `Terminating` for a pod being deleted that has not reached a terminal phase.
fn print_pod(pod: &Pod) -> PodColumns {
    // Borrowed, not cloned: `kubectl get pods` and the stage print every pod, and a pod is a big object.
    let (no_status, no_spec) = (PodStatus::default(), PodSpec::default());
    let status = pod.status.as_ref().unwrap_or(&no_status);
    let spec = pod.spec.as_ref().unwrap_or(&no_spec);
    let init_specs: &[Container] = spec.init_containers.as_deref().unwrap_or_default();
    let restartable = |name: &str| {
        init_specs
            .iter()
            .any(|c| c.name == name && c.restart_policy.as_deref() == Some("Always"))
    };
    let phase = status.phase.as_deref().unwrap_or_default();
    let mut columns = PodColumns {
        ready: 0,
        total: spec.containers.len() + init_specs.iter().filter(|c| restartable(&c.name)).count(),
        status: status
            .reason
            .clone()
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| phase.to_string()),
        restarts: 0,
        last_restart: None,
    };
    let conditions: &[PodCondition] = status.conditions.as_deref().unwrap_or_default();
    let condition_true = |type_: &str| {
        conditions
            .iter()
            .any(|c| c.type_ == type_ && c.status == "True")
    };
    if conditions
        .iter()
        .any(|c| c.type_ == "PodScheduled" && c.reason.as_deref() == Some("SchedulingGated"))
    {
        columns.status = "SchedulingGated".into();
    }
    let no_state = ContainerState::default();
    let mut sidecar_restarts = 0;
    let mut sidecar_last_restart = None;
    let mut initializing = false;
    for (i, container) in status.init_container_statuses.iter().flatten().enumerate() {
        let finished = last_finished(container);
        columns.restarts += container.restart_count;
        columns.last_restart = columns.last_restart.max(finished);
        if restartable(&container.name) {
            sidecar_restarts += container.restart_count;
            sidecar_last_restart = sidecar_last_restart.max(finished);
        }
        let state = container.state.as_ref().unwrap_or(&no_state);
        let waiting_reason = state
            .waiting
            .as_ref()
            .and_then(|w| w.reason.clone())
            .filter(|r| !r.is_empty());
        match (&state.terminated, waiting_reason) {
            (Some(terminated), _) if terminated.exit_code == 0 => continue,
            _ if restartable(&container.name) && container.started == Some(true) => {
                if container.ready {
                    columns.ready += 1;
                }
                continue;
            }
            (Some(terminated), _) => {
                columns.status = format!("Init:{}", terminated_reason(terminated));
            }
            (None, Some(reason)) if reason != "PodInitializing" => {
                columns.status = format!("Init:{reason}");
            }
            _ => columns.status = format!("Init:{i}/{}", init_specs.len()),
        }
        initializing = true;
        break;
    }
    if !initializing || condition_true("Initialized") {
        columns.restarts = sidecar_restarts;
        columns.last_restart = sidecar_last_restart;
        let mut has_running = false;
        for container in status.container_statuses.iter().flatten().rev() {
            columns.restarts += container.restart_count;
            columns.last_restart = columns.last_restart.max(last_finished(container));
            let state = container.state.as_ref().unwrap_or(&no_state);
            if let Some(reason) = state
                .waiting
                .as_ref()
                .and_then(|w| w.reason.clone())
                .filter(|r| !r.is_empty())
            {
                columns.status = reason;
            } else if let Some(terminated) = &state.terminated {
                columns.status = terminated_reason(terminated);
            } else if container.ready && state.running.is_some() {
                has_running = true;
                columns.ready += 1;
            }
        }
        if columns.status == "Completed" && has_running {
            columns.status = if condition_true("Ready") {
                "Running".into()
            } else {
                "NotReady".into()
            };
        }
    }
    let terminal = phase == "Succeeded" || phase == "Failed";
    if pod.metadata.deletion_timestamp.is_some() && status.reason.as_deref() == Some("NodeLost") {
        columns.status = "Unknown".into();
    } else if pod.metadata.deletion_timestamp.is_some() && !terminal {
        columns.status = "Terminating".into();
    }
    columns
}

/// A terminated container's reason, or `Signal:9` / `ExitCode:1` when the runtime gave none.
fn terminated_reason(terminated: &ContainerStateTerminated) -> String {
    match terminated.reason.clone().filter(|r| !r.is_empty()) {
        Some(reason) => reason,
        None if terminated.signal.unwrap_or(0) != 0 => {
            format!("Signal:{}", terminated.signal.unwrap_or(0))
        }
        None => format!("ExitCode:{}", terminated.exit_code),
    }
}

fn last_finished(container: &ContainerStatus) -> Option<SimTime> {
    container
        .last_state
        .as_ref()?
        .terminated
        .as_ref()?
        .finished_at
        .as_ref()
        .map(SimTime::from_k8s)
}

/// kubectl's STATUS column.
pub fn pod_status(pod: &Pod) -> String {
    print_pod(pod).status
}

/// READY as `ready/total` containers (restartable init containers count as containers).
pub fn pod_ready(pod: &Pod) -> String {
    let columns = print_pod(pod);
    format!("{}/{}", columns.ready, columns.total)
}

/// RESTARTS: the count, and how long ago the last restarted container exited (`3 (42s ago)`).
pub fn pod_restarts(pod: &Pod, now: SimTime) -> String {
    let columns = print_pod(pod);
    match columns.last_restart {
        Some(at) if columns.restarts != 0 => format!(
            "{} ({} ago)",
            columns.restarts,
            human_duration(now.0.saturating_sub(at.0))
        ),
        _ => columns.restarts.to_string(),
    }
}

pub fn pod_row(pod: &Pod, now: SimTime, wide: bool) -> Vec<String> {
    let mut row = vec![
        pod.metadata.name.clone().unwrap_or_default(),
        pod_ready(pod),
        pod_status(pod),
        pod_restarts(pod, now),
        age(&pod.metadata, now),
    ];
    if wide {
        let status = pod.status.clone().unwrap_or_default();
        row.push(status.pod_ip.unwrap_or_else(|| "<none>".into()));
        row.push(
            pod.spec
                .as_ref()
                .and_then(|s| s.node_name.clone())
                .unwrap_or_else(|| "<none>".into()),
        );
        row.push("<none>".into());
        row.push("<none>".into());
    }
    row
}

pub const POD_HEADER: &[&str] = &["NAME", "READY", "STATUS", "RESTARTS", "AGE"];
pub const POD_WIDE_HEADER: &[&str] = &[
    "NAME",
    "READY",
    "STATUS",
    "RESTARTS",
    "AGE",
    "IP",
    "NODE",
    "NOMINATED NODE",
    "READINESS GATES",
];

pub fn stateful_set_row(set: &StatefulSet, now: SimTime, wide: bool) -> Vec<String> {
    let replicas = set.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let ready = set
        .status
        .as_ref()
        .and_then(|s| s.ready_replicas)
        .unwrap_or(0);
    let mut row = vec![
        set.metadata.name.clone().unwrap_or_default(),
        format!("{ready}/{replicas}"),
        age(&set.metadata, now),
    ];
    if wide {
        let containers = set
            .spec
            .as_ref()
            .and_then(|s| s.template.spec.as_ref())
            .map(|s| s.containers.clone())
            .unwrap_or_default();
        row.push(
            containers
                .iter()
                .map(|c| c.name.clone())
                .collect::<Vec<_>>()
                .join(","),
        );
        row.push(
            containers
                .iter()
                .map(|c| c.image.clone().unwrap_or_default())
                .collect::<Vec<_>>()
                .join(","),
        );
    }
    row
}

pub const STATEFUL_SET_HEADER: &[&str] = &["NAME", "READY", "AGE"];
pub const STATEFUL_SET_WIDE_HEADER: &[&str] = &["NAME", "READY", "AGE", "CONTAINERS", "IMAGES"];

/// Access modes as kubectl abbreviates them: `RWO,RWX`.
/// `GetAccessModesAsString`: each mode once, always in the order RWO, ROX, RWX, RWOP, whatever the spec's.
pub fn access_modes(modes: Option<&Vec<String>>) -> String {
    let modes = modes.map(Vec::as_slice).unwrap_or_default();
    [
        ("ReadWriteOnce", "RWO"),
        ("ReadOnlyMany", "ROX"),
        ("ReadWriteMany", "RWX"),
        ("ReadWriteOncePod", "RWOP"),
    ]
    .into_iter()
    .filter(|(mode, _)| modes.iter().any(|m| m == mode))
    .map(|(_, short)| short)
    .collect::<Vec<_>>()
    .join(",")
}

pub fn claim_row(claim: &PersistentVolumeClaim, now: SimTime) -> Vec<String> {
    let status = claim.status.clone().unwrap_or_default();
    let spec = claim.spec.clone().unwrap_or_default();
    let phase = if claim.metadata.deletion_timestamp.is_some() {
        "Terminating".into()
    } else {
        status.phase.unwrap_or_default()
    };
    vec![
        claim.metadata.name.clone().unwrap_or_default(),
        phase,
        spec.volume_name.unwrap_or_default(),
        status
            .capacity
            .and_then(|c| c.get("storage").map(|q| q.0.clone()))
            .unwrap_or_default(),
        access_modes(status.access_modes.as_ref()),
        spec.storage_class_name.unwrap_or_default(),
        spec.volume_attributes_class_name
            .unwrap_or_else(|| "<unset>".into()),
        age(&claim.metadata, now),
    ]
}

pub const CLAIM_HEADER: &[&str] = &[
    "NAME",
    "STATUS",
    "VOLUME",
    "CAPACITY",
    "ACCESS MODES",
    "STORAGECLASS",
    "VOLUMEATTRIBUTESCLASS",
    "AGE",
];

/// A volume's CLAIM column: `namespace/name` of its claimRef, empty when unbound.
pub fn claim_ref_name(spec: &k8s_openapi::api::core::v1::PersistentVolumeSpec) -> String {
    spec.claim_ref
        .as_ref()
        .map(|r| {
            format!(
                "{}/{}",
                r.namespace.clone().unwrap_or_default(),
                r.name.clone().unwrap_or_default()
            )
        })
        .unwrap_or_default()
}

pub fn volume_row(volume: &PersistentVolume, now: SimTime) -> Vec<String> {
    let spec = volume.spec.clone().unwrap_or_default();
    let status = volume.status.clone().unwrap_or_default();
    let claim = claim_ref_name(&spec);
    let phase = if volume.metadata.deletion_timestamp.is_some() {
        "Terminating".into()
    } else {
        status.phase.unwrap_or_default()
    };
    vec![
        volume.metadata.name.clone().unwrap_or_default(),
        spec.capacity
            .and_then(|c| c.get("storage").map(|q| q.0.clone()))
            .unwrap_or_default(),
        access_modes(spec.access_modes.as_ref()),
        spec.persistent_volume_reclaim_policy.unwrap_or_default(),
        phase,
        claim,
        spec.storage_class_name.unwrap_or_default(),
        spec.volume_attributes_class_name
            .unwrap_or_else(|| "<unset>".into()),
        status.reason.unwrap_or_default(),
        age(&volume.metadata, now),
    ]
}

pub const VOLUME_HEADER: &[&str] = &[
    "NAME",
    "CAPACITY",
    "ACCESS MODES",
    "RECLAIM POLICY",
    "STATUS",
    "CLAIM",
    "STORAGECLASS",
    "VOLUMEATTRIBUTESCLASS",
    "REASON",
    "AGE",
];

pub fn service_row(service: &Service, now: SimTime) -> Vec<String> {
    let spec = service.spec.clone().unwrap_or_default();
    let ports: Vec<String> = spec
        .ports
        .iter()
        .flatten()
        .map(|p| match p.node_port {
            Some(node_port) => format!(
                "{}:{node_port}/{}",
                p.port,
                p.protocol.clone().unwrap_or_else(|| "TCP".into())
            ),
            None => format!(
                "{}/{}",
                p.port,
                p.protocol.clone().unwrap_or_else(|| "TCP".into())
            ),
        })
        .collect();
    vec![
        service.metadata.name.clone().unwrap_or_default(),
        spec.type_.unwrap_or_else(|| "ClusterIP".into()),
        spec.cluster_ip.clone().unwrap_or_else(|| "<none>".into()),
        external_ip(service),
        if ports.is_empty() {
            "<none>".into()
        } else {
            ports.join(",")
        },
        age(&service.metadata, now),
    ]
}

/// kubectl's `getServiceExternalIP`: a LoadBalancer without an ingress address is `<pending>`.
fn external_ip(service: &Service) -> String {
    let spec = service.spec.as_ref();
    let external: Vec<String> = spec
        .and_then(|s| s.external_ips.clone())
        .unwrap_or_default();
    if spec.and_then(|s| s.type_.as_deref()) != Some("LoadBalancer") {
        return if external.is_empty() {
            "<none>".into()
        } else {
            external.join(",")
        };
    }
    let ingress: Vec<String> = service
        .status
        .as_ref()
        .and_then(|s| s.load_balancer.as_ref())
        .and_then(|lb| lb.ingress.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|i| i.ip.clone().or_else(|| i.hostname.clone()))
        .chain(external)
        .collect();
    if ingress.is_empty() {
        "<pending>".into()
    } else {
        ingress.join(",")
    }
}

pub const SERVICE_HEADER: &[&str] = &[
    "NAME",
    "TYPE",
    "CLUSTER-IP",
    "EXTERNAL-IP",
    "PORT(S)",
    "AGE",
];

pub fn node_row(node: &Node, now: SimTime, wide: bool) -> Vec<String> {
    let status = node.status.clone().unwrap_or_default();
    let ready = status
        .conditions
        .iter()
        .flatten()
        .find(|c| c.type_ == "Ready")
        .is_some_and(|c| c.status == "True");
    let mut state = if ready {
        "Ready".to_string()
    } else {
        "NotReady".to_string()
    };
    if node
        .spec
        .as_ref()
        .and_then(|s| s.unschedulable)
        .unwrap_or(false)
    {
        state.push_str(",SchedulingDisabled");
    }
    let info = status.node_info.clone().unwrap_or_default();
    let mut row = vec![
        node.metadata.name.clone().unwrap_or_default(),
        state,
        "<none>".into(),
        age(&node.metadata, now),
        info.kubelet_version.clone(),
    ];
    if wide {
        let address = |kind: &str| {
            status
                .addresses
                .iter()
                .flatten()
                .find(|a| a.type_ == kind)
                .map_or_else(|| "<none>".to_string(), |a| a.address.clone())
        };
        row.extend([
            address("InternalIP"),
            address("ExternalIP"),
            info.os_image,
            info.kernel_version,
            info.container_runtime_version,
        ]);
    }
    row
}

pub const NODE_HEADER: &[&str] = &["NAME", "STATUS", "ROLES", "AGE", "VERSION"];
pub const NODE_WIDE_HEADER: &[&str] = &[
    "NAME",
    "STATUS",
    "ROLES",
    "AGE",
    "VERSION",
    "INTERNAL-IP",
    "EXTERNAL-IP",
    "OS-IMAGE",
    "KERNEL-VERSION",
    "CONTAINER-RUNTIME",
];

pub fn storage_class_row(class: &StorageClass, now: SimTime) -> Vec<String> {
    let default = class
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(crate::api::defaults::IS_DEFAULT_CLASS_ANNOTATION))
        .is_some_and(|v| v == "true");
    let name = class.metadata.name.clone().unwrap_or_default();
    vec![
        if default {
            format!("{name} (default)")
        } else {
            name
        },
        class.provisioner.clone(),
        class
            .reclaim_policy
            .clone()
            .unwrap_or_else(|| "Delete".into()),
        class
            .volume_binding_mode
            .clone()
            .unwrap_or_else(|| "Immediate".into()),
        class.allow_volume_expansion.unwrap_or(false).to_string(),
        age(&class.metadata, now),
    ]
}

pub const STORAGE_CLASS_HEADER: &[&str] = &[
    "NAME",
    "PROVISIONER",
    "RECLAIMPOLICY",
    "VOLUMEBINDINGMODE",
    "ALLOWVOLUMEEXPANSION",
    "AGE",
];

pub fn revision_row(revision: &ControllerRevision, now: SimTime) -> Vec<String> {
    let owner = crate::object::get_controller_of(&revision.metadata)
        .map(|o| {
            format!(
                "{}.{}/{}",
                o.kind.to_lowercase(),
                o.api_version.split('/').next().unwrap_or_default(),
                o.name
            )
        })
        .unwrap_or_default();
    vec![
        revision.metadata.name.clone().unwrap_or_default(),
        owner,
        revision.revision.to_string(),
        age(&revision.metadata, now),
    ]
}

pub const REVISION_HEADER: &[&str] = &["NAME", "CONTROLLER", "REVISION", "AGE"];

/// LAST SEEN: how long ago the event last happened.
pub fn event_last_seen(event: &Event, now: SimTime) -> String {
    event
        .last_timestamp
        .as_ref()
        .map_or("<unknown>".into(), |t| {
            human_duration(now.0.saturating_sub(SimTime::from_k8s(t).0))
        })
}

pub fn event_row(event: &Event, now: SimTime) -> Vec<String> {
    let involved = &event.involved_object;
    vec![
        event_last_seen(event, now),
        event.type_.clone().unwrap_or_default(),
        event.reason.clone().unwrap_or_default(),
        format!(
            "{}/{}",
            involved.kind.clone().unwrap_or_default().to_lowercase(),
            involved.name.clone().unwrap_or_default()
        ),
        event.message.clone().unwrap_or_default(),
    ]
}

pub const EVENT_HEADER: &[&str] = &["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"];

/// At most three items and a count of the rest, as `listWithMoreString` prints them.
fn list_with_more(items: Vec<String>) -> String {
    const MAX: usize = 3;
    match items.len() {
        0 => "<unset>".into(),
        n if n > MAX => format!("{} + {} more...", items[..MAX].join(","), n - MAX),
        _ => items.join(","),
    }
}

pub fn endpoint_slice_row(slice: &EndpointSlice, now: SimTime) -> Vec<String> {
    let ports = slice
        .ports
        .iter()
        .flatten()
        .map(|p| match (p.port, &p.name) {
            (Some(port), _) => port.to_string(),
            (None, Some(name)) => name.clone(),
            (None, None) => "*".into(),
        })
        .collect();
    let addresses = slice
        .endpoints
        .iter()
        .flat_map(|e| e.addresses.iter().cloned())
        .collect();
    vec![
        slice.metadata.name.clone().unwrap_or_default(),
        slice.address_type.clone(),
        list_with_more(ports),
        list_with_more(addresses),
        age(&slice.metadata, now),
    ]
}

pub const ENDPOINT_SLICE_HEADER: &[&str] = &["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_like_kubectl() {
        let text = render_table(
            POD_HEADER,
            &[vec![
                "web-0".into(),
                "1/1".into(),
                "Running".into(),
                "0".into(),
                "5m28s".into(),
            ]],
        );
        assert_eq!(text, "NAME    READY   STATUS    RESTARTS   AGE\nweb-0   1/1     Running   0          5m28s\n");
    }
}
