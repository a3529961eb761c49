//! What `kubectl get` prints for each kind, as data: one row per object, each column a field, derived as
//! k8s.io/kubernetes/pkg/printers/internalversion/printers.go derives its table cells. The apiserver's
//! printers (`api::printers`) lay these same rows out as a table's cells; a viewer reads the fields.
//!
//! Times are instants, not ages: AGE and LAST SEEN depend on the moment they are read at (`since`).

mod pod;

pub use pod::{PodRow, Ready};

use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::{
    Event, Node, PersistentVolume, PersistentVolumeClaim, PersistentVolumeSpec, Pod, Service,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta, Time};
use std::collections::BTreeMap;

use crate::labels::format_labels;
use crate::object::get_controller_of;
use crate::time::{human_duration, SimTime};
use crate::Cluster;

/// How long before `now` an instant was, as kubectl prints AGE and LAST SEEN (`5m28s`); `<unknown>` without one.
pub fn since(at: Option<SimTime>, now: SimTime) -> String {
    at.map_or("<unknown>".into(), |at| {
        human_duration(now.0.saturating_sub(at.0))
    })
}

fn created(meta: &ObjectMeta) -> Option<SimTime> {
    meta.creation_timestamp.as_ref().map(SimTime::from_k8s)
}

fn name(meta: &ObjectMeta) -> String {
    meta.name.clone().unwrap_or_default()
}

/// Every pod, in the order kubectl lists them (`kubectl get pods -A`).
pub fn pod_rows(cluster: &Cluster) -> impl Iterator<Item = PodRow> + '_ {
    cluster.store().list::<Pod>().map(PodRow::of)
}

/// Every PersistentVolume, in the order `kubectl get pv` lists them.
pub fn volume_rows(cluster: &Cluster) -> impl Iterator<Item = VolumeRow> + '_ {
    cluster
        .store()
        .list::<PersistentVolume>()
        .map(VolumeRow::of)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatefulSetRow {
    pub name: String,
    /// READY is `ready_replicas/replicas`.
    pub ready_replicas: i32,
    pub replicas: i32,
    pub created: Option<SimTime>,
    /// `-o wide`: the template's containers, and their images in the same order.
    pub containers: Vec<String>,
    pub images: Vec<String>,
}

impl StatefulSetRow {
    pub fn of(set: &StatefulSet) -> Self {
        let containers = set
            .spec
            .as_ref()
            .and_then(|s| s.template.spec.as_ref())
            .map(|s| s.containers.as_slice())
            .unwrap_or_default();
        StatefulSetRow {
            name: name(&set.metadata),
            ready_replicas: set
                .status
                .as_ref()
                .and_then(|s| s.ready_replicas)
                .unwrap_or(0),
            replicas: set.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
            created: created(&set.metadata),
            containers: containers.iter().map(|c| c.name.clone()).collect(),
            images: containers
                .iter()
                .map(|c| c.image.clone().unwrap_or_default())
                .collect(),
        }
    }
}

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

/// A claim's or a volume's STATUS: its phase, or `Terminating` once it is being deleted.
fn phase_or_terminating(meta: &ObjectMeta, phase: Option<&String>) -> String {
    if meta.deletion_timestamp.is_some() {
        "Terminating".into()
    } else {
        phase.cloned().unwrap_or_default()
    }
}

/// The `storage` quantity of a capacity map, as written.
pub(super) fn storage(capacity: Option<&BTreeMap<String, Quantity>>) -> String {
    capacity
        .and_then(|c| c.get("storage").map(|q| q.0.clone()))
        .unwrap_or_default()
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimRow {
    pub name: String,
    /// Its phase, or `Terminating`.
    pub status: String,
    /// The volume it is bound to, empty before.
    pub volume: String,
    /// The bound volume's capacity, which the PV controller copies into the claim's status.
    pub capacity: String,
    /// As bound, abbreviated (`RWO`).
    pub access_modes: String,
    pub storage_class: String,
    /// `<unset>` when `None`.
    pub volume_attributes_class: Option<String>,
    pub created: Option<SimTime>,
    /// `<unset>` when `None` (the apiserver defaults it to `Filesystem`).
    pub volume_mode: Option<String>,
}

impl ClaimRow {
    pub fn of(claim: &PersistentVolumeClaim) -> Self {
        let status = claim.status.as_ref();
        let spec = claim.spec.as_ref();
        ClaimRow {
            name: name(&claim.metadata),
            status: phase_or_terminating(&claim.metadata, status.and_then(|s| s.phase.as_ref())),
            volume: spec.and_then(|s| s.volume_name.clone()).unwrap_or_default(),
            capacity: storage(status.and_then(|s| s.capacity.as_ref())),
            access_modes: access_modes(status.and_then(|s| s.access_modes.as_ref())),
            storage_class: spec
                .and_then(|s| s.storage_class_name.clone())
                .unwrap_or_default(),
            volume_attributes_class: spec.and_then(|s| s.volume_attributes_class_name.clone()),
            created: created(&claim.metadata),
            volume_mode: spec.and_then(|s| s.volume_mode.clone()),
        }
    }
}

/// A volume's CLAIM column: `namespace/name` of its claimRef, empty when unbound.
pub fn claim_ref_name(spec: &PersistentVolumeSpec) -> String {
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

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VolumeRow {
    pub name: String,
    /// Its `storage` capacity as written (`1Gi`).
    pub capacity: String,
    /// Abbreviated (`RWO`).
    pub access_modes: String,
    /// `Retain`, `Delete`.
    pub reclaim_policy: String,
    /// Its phase, or `Terminating`.
    pub status: String,
    /// `namespace/name` of the claim it is bound to, empty when unbound.
    pub claim: String,
    pub storage_class: String,
    /// `<unset>` when `None`.
    pub volume_attributes_class: Option<String>,
    /// Why the phase is what it is, when the controller said.
    pub reason: String,
    pub created: Option<SimTime>,
    /// `<unset>` when `None` (the apiserver defaults it to `Filesystem`).
    pub volume_mode: Option<String>,
}

impl VolumeRow {
    pub fn of(volume: &PersistentVolume) -> Self {
        let no_spec = PersistentVolumeSpec::default();
        let spec = volume.spec.as_ref().unwrap_or(&no_spec);
        let status = volume.status.as_ref();
        VolumeRow {
            name: name(&volume.metadata),
            capacity: storage(spec.capacity.as_ref()),
            access_modes: access_modes(spec.access_modes.as_ref()),
            reclaim_policy: spec
                .persistent_volume_reclaim_policy
                .clone()
                .unwrap_or_default(),
            status: phase_or_terminating(&volume.metadata, status.and_then(|s| s.phase.as_ref())),
            claim: claim_ref_name(spec),
            storage_class: spec.storage_class_name.clone().unwrap_or_default(),
            volume_attributes_class: spec.volume_attributes_class_name.clone(),
            reason: status.and_then(|s| s.reason.clone()).unwrap_or_default(),
            created: created(&volume.metadata),
            volume_mode: spec.volume_mode.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceRow {
    pub name: String,
    pub type_: String,
    pub cluster_ip: Option<String>,
    /// `getServiceExternalIP`: the addresses, `<none>`, or `<pending>` for a LoadBalancer without one.
    pub external_ip: String,
    /// `80/TCP`, `80:30080/TCP` with a node port.
    pub ports: Vec<String>,
    pub created: Option<SimTime>,
    /// `labels.FormatLabels` of its selector: `app=nginx`, or `<none>`.
    pub selector: String,
}

impl ServiceRow {
    pub fn of(service: &Service) -> Self {
        let spec = service.spec.clone().unwrap_or_default();
        let ports = spec
            .ports
            .iter()
            .flatten()
            .map(|p| {
                let protocol = p.protocol.as_deref().unwrap_or("TCP");
                match p.node_port {
                    Some(node_port) => format!("{}:{node_port}/{protocol}", p.port),
                    None => format!("{}/{protocol}", p.port),
                }
            })
            .collect();
        ServiceRow {
            name: name(&service.metadata),
            type_: spec.type_.unwrap_or_else(|| "ClusterIP".into()),
            cluster_ip: spec.cluster_ip,
            external_ip: external_ip(service),
            ports,
            created: created(&service.metadata),
            selector: format_labels(spec.selector.as_ref()),
        }
    }
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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeRow {
    pub name: String,
    /// `Ready` or `NotReady`, with `,SchedulingDisabled` when cordoned.
    pub status: String,
    pub created: Option<SimTime>,
    /// The kubelet's version.
    pub version: String,
    /// `-o wide`: its addresses (`<none>` when `None`) and what the kubelet reports of the machine.
    pub internal_ip: Option<String>,
    pub external_ip: Option<String>,
    pub os_image: String,
    pub kernel_version: String,
    /// `containerd://2.1.1`.
    pub container_runtime: String,
}

impl NodeRow {
    pub fn of(node: &Node) -> Self {
        let status = node.status.clone().unwrap_or_default();
        let ready = status
            .conditions
            .iter()
            .flatten()
            .find(|c| c.type_ == "Ready")
            .is_some_and(|c| c.status == "True");
        let mut state = if ready { "Ready" } else { "NotReady" }.to_string();
        if node
            .spec
            .as_ref()
            .and_then(|s| s.unschedulable)
            .unwrap_or(false)
        {
            state.push_str(",SchedulingDisabled");
        }
        let address = |kind: &str| {
            status
                .addresses
                .iter()
                .flatten()
                .find(|a| a.type_ == kind)
                .map(|a| a.address.clone())
        };
        let info = status.node_info.clone().unwrap_or_default();
        NodeRow {
            name: name(&node.metadata),
            status: state,
            created: created(&node.metadata),
            version: info.kubelet_version,
            internal_ip: address("InternalIP"),
            external_ip: address("ExternalIP"),
            os_image: info.os_image,
            kernel_version: info.kernel_version,
            container_runtime: info.container_runtime_version,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageClassRow {
    pub name: String,
    /// Annotated `storageclass.kubernetes.io/is-default-class: "true"`.
    pub default: bool,
    pub provisioner: String,
    pub reclaim_policy: String,
    pub volume_binding_mode: String,
    pub allow_volume_expansion: bool,
    pub created: Option<SimTime>,
}

impl StorageClassRow {
    pub fn of(class: &StorageClass) -> Self {
        StorageClassRow {
            name: name(&class.metadata),
            default: crate::api::storage::is_default_class(&class.metadata),
            provisioner: class.provisioner.clone(),
            reclaim_policy: class
                .reclaim_policy
                .clone()
                .unwrap_or_else(|| "Delete".into()),
            volume_binding_mode: class
                .volume_binding_mode
                .clone()
                .unwrap_or_else(|| "Immediate".into()),
            allow_volume_expansion: class.allow_volume_expansion.unwrap_or(false),
            created: created(&class.metadata),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevisionRow {
    pub name: String,
    /// The owning controller as `statefulset.apps/web`.
    pub controller: String,
    pub revision: i64,
    pub created: Option<SimTime>,
}

impl RevisionRow {
    pub fn of(revision: &ControllerRevision) -> Self {
        let controller = get_controller_of(&revision.metadata)
            .map(|o| {
                format!(
                    "{}.{}/{}",
                    o.kind.to_lowercase(),
                    o.api_version.split('/').next().unwrap_or_default(),
                    o.name
                )
            })
            .unwrap_or_default();
        RevisionRow {
            name: name(&revision.metadata),
            controller,
            revision: revision.revision,
            created: created(&revision.metadata),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRow {
    /// When the event last happened: its last timestamp, or when it first happened.
    pub last_seen: Option<SimTime>,
    pub type_: String,
    pub reason: String,
    /// The involved object as `pod/web-0`, or its kind alone when it has no name.
    pub object: String,
    /// The part of the involved object it concerns (`spec.containers{nginx}`), or empty.
    pub subobject: String,
    /// Who reported it: `kubelet, kind-worker`, `statefulset-controller`.
    pub source: String,
    pub message: String,
    pub first_seen: Option<SimTime>,
    /// How many times it happened; a singleton event of the new API has none, and counts once.
    pub count: i32,
    pub name: String,
}

impl EventRow {
    pub fn of(event: &Event) -> Self {
        let involved = &event.involved_object;
        let kind = involved.kind.as_deref().unwrap_or_default().to_lowercase();
        let micro = |t: &MicroTime| SimTime::from_k8s(&Time(t.0));
        let first_seen = event
            .first_timestamp
            .as_ref()
            .map(SimTime::from_k8s)
            .or_else(|| event.event_time.as_ref().map(micro));
        let source = event.source.as_ref();
        let or_else = |first: Option<&String>, second: Option<&String>| {
            first
                .filter(|s| !s.is_empty())
                .or(second)
                .cloned()
                .unwrap_or_default()
        };
        let component = or_else(
            source.and_then(|s| s.component.as_ref()),
            event.reporting_component.as_ref(),
        );
        let instance = or_else(
            source.and_then(|s| s.host.as_ref()),
            event.reporting_instance.as_ref(),
        );
        let series = event.series.as_ref();
        let last_seen = match series {
            Some(series) => series.last_observed_time.as_ref().map(micro),
            None => event
                .last_timestamp
                .as_ref()
                .map(SimTime::from_k8s)
                .or(first_seen),
        };
        let count = match series {
            Some(series) => series.count.unwrap_or_default(),
            None => event.count.filter(|c| *c != 0).unwrap_or(1),
        };
        EventRow {
            last_seen,
            type_: event.type_.clone().unwrap_or_default(),
            reason: event.reason.clone().unwrap_or_default(),
            object: match involved.name.as_deref() {
                Some(name) if !name.is_empty() => format!("{kind}/{name}"),
                _ => kind,
            },
            subobject: involved.field_path.clone().unwrap_or_default(),
            source: if instance.is_empty() {
                component
            } else {
                format!("{component}, {instance}")
            },
            message: event
                .message
                .as_deref()
                .unwrap_or_default()
                .trim()
                .to_string(),
            first_seen,
            count,
            name: name(&event.metadata),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointSliceRow {
    pub name: String,
    /// `IPv4`.
    pub address_type: String,
    /// Each port's number, or its name, or `*`.
    pub ports: Vec<String>,
    /// Every endpoint's addresses.
    pub endpoints: Vec<String>,
    pub created: Option<SimTime>,
}

impl EndpointSliceRow {
    pub fn of(slice: &EndpointSlice) -> Self {
        EndpointSliceRow {
            name: name(&slice.metadata),
            address_type: slice.address_type.clone(),
            ports: slice
                .ports
                .iter()
                .flatten()
                .map(|p| match (p.port, &p.name) {
                    (Some(port), _) => port.to_string(),
                    (None, Some(name)) => name.clone(),
                    (None, None) => "*".into(),
                })
                .collect(),
            endpoints: slice
                .endpoints
                .iter()
                .flat_map(|e| e.addresses.iter().cloned())
                .collect(),
            created: created(&slice.metadata),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamespaceRow {
    pub name: String,
    pub status: String,
    pub created: Option<SimTime>,
}

impl NamespaceRow {
    pub fn of(namespace: &k8s_openapi::api::core::v1::Namespace) -> Self {
        NamespaceRow {
            name: name(&namespace.metadata),
            status: namespace
                .status
                .as_ref()
                .and_then(|s| s.phase.clone())
                .unwrap_or_default(),
            created: created(&namespace.metadata),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigMapRow {
    pub name: String,
    /// Keys of `data` and `binaryData` together.
    pub data: usize,
    pub created: Option<SimTime>,
}

impl ConfigMapRow {
    pub fn of(map: &k8s_openapi::api::core::v1::ConfigMap) -> Self {
        ConfigMapRow {
            name: name(&map.metadata),
            data: map.data.as_ref().map_or(0, BTreeMap::len)
                + map.binary_data.as_ref().map_or(0, BTreeMap::len),
            created: created(&map.metadata),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretRow {
    pub name: String,
    pub type_: String,
    pub data: usize,
    pub created: Option<SimTime>,
}

impl SecretRow {
    pub fn of(secret: &k8s_openapi::api::core::v1::Secret) -> Self {
        SecretRow {
            name: name(&secret.metadata),
            type_: secret.type_.clone().unwrap_or_default(),
            data: secret.data.as_ref().map_or(0, BTreeMap::len),
            created: created(&secret.metadata),
        }
    }
}
