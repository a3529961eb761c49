//! The tables the apiserver serves for `kubectl get`, column for column: the column definitions and the
//! print handlers of k8s.io/kubernetes/pkg/printers/internalversion/printers.go. What each cell says is derived
//! once, in the view's rows (`crate::view::rows`); this lays those rows out as a table's cells, every column
//! filled as the apiserver fills them (`GenerateOptions{Wide: true}`, pkg/printers/storage). kubectl shows the
//! priority-1 columns only with `-o wide` (`kubectl::printers` lays the cells out, as its table printer does).

use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::{
    ConfigMap, Event, Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod, Secret,
    Service,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::storage::v1::StorageClass;
use std::fmt;

use crate::api::strategy::Strategy;
use crate::time::{human_duration, SimTime};
use crate::view::rows::{
    since, ClaimRow, ConfigMapRow, EndpointSliceRow, EventRow, NamespaceRow, NodeRow, PodRow,
    RevisionRow, SecretRow, ServiceRow, StatefulSetRow, StorageClassRow, VolumeRow,
};

mod descriptions;

/// A kind the apiserver prints as a table, and that the kubectl commands may write back.
pub(crate) trait Printable: Strategy {
    type Row: Columns;
    /// The view's row of this object.
    fn to_row(&self) -> Self::Row;
    fn row(&self, now: SimTime, wide: bool) -> Vec<String> {
        self.to_row().cells(now, wide)
    }
}

/// `metav1.TableColumnDefinition`, but for its description (`Columns::DESCRIPTIONS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    /// The OpenAPI type the definition names (`string` for all of these, whatever the cell holds).
    pub type_: &'static str,
    /// `name` for the column that names the object.
    pub format: &'static str,
    /// 0, or 1 for the columns kubectl shows only with `-o wide`.
    pub priority: u8,
}

const fn column(name: &'static str) -> Column {
    Column {
        name,
        type_: "string",
        format: "",
        priority: 0,
    }
}

const fn wide(name: &'static str) -> Column {
    Column {
        priority: 1,
        ..column(name)
    }
}

const NAME: Column = Column {
    format: "name",
    ..column("Name")
};
const AGE: Column = column("Age");

/// One cell, as the print handler appends it: most are strings; a few are numbers or booleans, which the
/// served table carries as such and kubectl prints with Go's `%v`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Integer(i64),
    Boolean(bool),
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cell::Text(text) => f.write_str(text),
            Cell::Integer(n) => write!(f, "{n}"),
            Cell::Boolean(b) => write!(f, "{b}"),
        }
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Cell::Text(text)
    }
}

/// A row of the kind's table.
pub trait Columns {
    /// The kind's column definitions, in order.
    const COLUMNS: &'static [Column];
    /// Each column's description, in the same order. Only a served table carries them, so a build that never
    /// serves one (the page) leaves the text out.
    const DESCRIPTIONS: &'static [&'static str];

    /// Every cell, the priority-1 ones included, ages counted up to `now`.
    fn all_cells(&self, now: SimTime) -> Vec<Cell>;

    /// kubectl's header: the names in capitals, the priority-1 columns only with `-o wide`.
    fn header(wide: bool) -> Vec<String> {
        Self::COLUMNS
            .iter()
            .filter(|c| wide || c.priority == 0)
            .map(|c| c.name.to_uppercase())
            .collect()
    }

    /// The cells kubectl prints under `header(wide)`.
    fn cells(&self, now: SimTime, wide: bool) -> Vec<String> {
        Self::COLUMNS
            .iter()
            .zip(self.all_cells(now))
            .filter(|(c, _)| wide || c.priority == 0)
            .map(|(_, cell)| cell.to_string())
            .collect()
    }
}

macro_rules! printable {
    ($($ty:ty => $row:ident),* $(,)?) => {
        $(impl Printable for $ty {
            type Row = $row;
            fn to_row(&self) -> $row {
                $row::of(self)
            }
        })*
    };
}

printable!(
    Pod => PodRow,
    StatefulSet => StatefulSetRow,
    PersistentVolumeClaim => ClaimRow,
    PersistentVolume => VolumeRow,
    Service => ServiceRow,
    Node => NodeRow,
    StorageClass => StorageClassRow,
    ControllerRevision => RevisionRow,
    Event => EventRow,
    EndpointSlice => EndpointSliceRow,
    Namespace => NamespaceRow,
    ConfigMap => ConfigMapRow,
    Secret => SecretRow,
);

fn or_none(cell: Option<&String>) -> Cell {
    Cell::Text(cell.cloned().unwrap_or_else(|| "<none>".into()))
}

fn unset(cell: Option<&String>) -> Cell {
    Cell::Text(cell.cloned().unwrap_or_else(|| "<unset>".into()))
}

fn text(cell: &str) -> Cell {
    Cell::Text(cell.to_string())
}

fn age(at: Option<SimTime>, now: SimTime) -> Cell {
    Cell::Text(since(at, now))
}

use descriptions as d;

impl Columns for PodRow {
    const COLUMNS: &'static [Column] = &[
        NAME,
        column("Ready"),
        column("Status"),
        column("Restarts"),
        AGE,
        wide("IP"),
        wide("Node"),
        wide("Nominated Node"),
        wide("Readiness Gates"),
    ];
    const DESCRIPTIONS: &'static [&'static str] = &[
        d::OBJECT_META_NAME,
        "The aggregate readiness state of this pod for accepting traffic.",
        "The aggregate status of the containers in this pod.",
        "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
        d::OBJECT_META_CREATION_TIMESTAMP,
        d::POD_STATUS_POD_IP,
        d::POD_SPEC_NODE_NAME,
        d::POD_STATUS_NOMINATED_NODE_NAME,
        d::POD_SPEC_READINESS_GATES,
    ];

    fn all_cells(&self, now: SimTime) -> Vec<Cell> {
        // RESTARTS: the count, and how long ago the last restarted container exited (`3 (42s ago)`).
        let restarts = match self.last_restart {
            Some(at) if self.restarts != 0 => format!(
                "{} ({} ago)",
                self.restarts,
                human_duration(now.0.saturating_sub(at.0))
            ),
            _ => self.restarts.to_string(),
        };
        vec![
            text(&self.name),
            Cell::Text(self.ready.to_string()),
            text(&self.status),
            Cell::Text(restarts),
            age(self.created, now),
            or_none(self.ip.as_ref()),
            or_none(self.node.as_ref()),
            text("<none>"),
            text("<none>"),
        ]
    }
}

/// The Containers and Images columns of the kinds with a pod template.
const TEMPLATE_DESCRIPTIONS: [&str; 2] = [
    "Names of each container in the template.",
    "Images referenced by each container in the template.",
];

impl Columns for StatefulSetRow {
    const COLUMNS: &'static [Column] = &[
        NAME,
        column("Ready"),
        AGE,
        wide("Containers"),
        wide("Images"),
    ];
    const DESCRIPTIONS: &'static [&'static str] = &[
        d::OBJECT_META_NAME,
        "Number of the pod with ready state",
        d::OBJECT_META_CREATION_TIMESTAMP,
        TEMPLATE_DESCRIPTIONS[0],
        TEMPLATE_DESCRIPTIONS[1],
    ];

    fn all_cells(&self, now: SimTime) -> Vec<Cell> {
        vec![
            text(&self.name),
            Cell::Text(format!("{}/{}", self.ready_replicas, self.replicas)),
            age(self.created, now),
            Cell::Text(self.containers.join(",")),
            Cell::Text(self.images.join(",")),
        ]
    }
}

impl Columns for ClaimRow {
    const COLUMNS: &'static [Column] = &[
        NAME,
        column("Status"),
        column("Volume"),
        column("Capacity"),
        column("Access Modes"),
        column("StorageClass"),
        column("VolumeAttributesClass"),
        AGE,
        wide("VolumeMode"),
    ];
    const DESCRIPTIONS: &'static [&'static str] = &[
        d::OBJECT_META_NAME,
        d::CLAIM_STATUS_PHASE,
        d::CLAIM_SPEC_VOLUME_NAME,
        d::CLAIM_STATUS_CAPACITY,
        d::CLAIM_STATUS_ACCESS_MODES,
        "StorageClass of the pvc",
        "VolumeAttributesClass of the pvc",
        d::OBJECT_META_CREATION_TIMESTAMP,
        d::CLAIM_SPEC_VOLUME_MODE,
    ];

    fn all_cells(&self, now: SimTime) -> Vec<Cell> {
        vec![
            text(&self.name),
            text(&self.status),
            text(&self.volume),
            text(&self.capacity),
            text(&self.access_modes),
            text(&self.storage_class),
            unset(self.volume_attributes_class.as_ref()),
            age(self.created, now),
            unset(self.volume_mode.as_ref()),
        ]
    }
}

impl Columns for VolumeRow {
    const COLUMNS: &'static [Column] = &[
        NAME,
        column("Capacity"),
        column("Access Modes"),
        column("Reclaim Policy"),
        column("Status"),
        column("Claim"),
        column("StorageClass"),
        column("VolumeAttributesClass"),
        column("Reason"),
        AGE,
        wide("VolumeMode"),
    ];
    const DESCRIPTIONS: &'static [&'static str] = &[
        d::OBJECT_META_NAME,
        d::PERSISTENT_VOLUME_SPEC_CAPACITY,
        d::PERSISTENT_VOLUME_SPEC_ACCESS_MODES,
        d::PERSISTENT_VOLUME_SPEC_RECLAIM_POLICY,
        d::PERSISTENT_VOLUME_STATUS_PHASE,
        d::PERSISTENT_VOLUME_SPEC_CLAIM_REF,
        "StorageClass of the pv",
        "VolumeAttributesClass of the pv",
        d::PERSISTENT_VOLUME_STATUS_REASON,
        d::OBJECT_META_CREATION_TIMESTAMP,
        d::PERSISTENT_VOLUME_SPEC_VOLUME_MODE,
    ];

    fn all_cells(&self, now: SimTime) -> Vec<Cell> {
        vec![
            text(&self.name),
            text(&self.capacity),
            text(&self.access_modes),
            text(&self.reclaim_policy),
            text(&self.status),
            text(&self.claim),
            text(&self.storage_class),
            unset(self.volume_attributes_class.as_ref()),
            text(&self.reason),
            age(self.created, now),
            unset(self.volume_mode.as_ref()),
        ]
    }
}

impl Columns for ServiceRow {
    const COLUMNS: &'static [Column] = &[
        NAME,
        column("Type"),
        column("Cluster-IP"),
        column("External-IP"),
        column("Port(s)"),
        AGE,
        wide("Selector"),
    ];
    const DESCRIPTIONS: &'static [&'static str] = &[
        d::OBJECT_META_NAME,
        d::SERVICE_SPEC_TYPE,
        d::SERVICE_SPEC_CLUSTER_IP,
        d::SERVICE_SPEC_EXTERNAL_IPS,
        d::SERVICE_SPEC_PORTS,
        d::OBJECT_META_CREATION_TIMESTAMP,
        d::SERVICE_SPEC_SELECTOR,
    ];

    fn all_cells(&self, now: SimTime) -> Vec<Cell> {
        vec![
            text(&self.name),
            text(&self.type_),
            or_none(self.cluster_ip.as_ref()),
            text(&self.external_ip),
            Cell::Text(if self.ports.is_empty() {
                "<none>".into()
            } else {
                self.ports.join(",")
            }),
            age(self.created, now),
            text(&self.selector),
        ]
    }
}

impl Columns for NodeRow {
    const COLUMNS: &'static [Column] = &[
        NAME,
        column("Status"),
        column("Roles"),
        AGE,
        column("Version"),
        wide("Internal-IP"),
        wide("External-IP"),
        wide("OS-Image"),
        wide("Kernel-Version"),
        wide("Container-Runtime"),
    ];
    const DESCRIPTIONS: &'static [&'static str] = &[
        d::OBJECT_META_NAME,
        "The status of the node",
        "The roles of the node",
        d::OBJECT_META_CREATION_TIMESTAMP,
        d::NODE_SYSTEM_INFO_KUBELET_VERSION,
        d::NODE_STATUS_ADDRESSES,
        d::NODE_STATUS_ADDRESSES,
        d::NODE_SYSTEM_INFO_OS_IMAGE,
        d::NODE_SYSTEM_INFO_KERNEL_VERSION,
        d::NODE_SYSTEM_INFO_CONTAINER_RUNTIME_VERSION,
    ];

    fn all_cells(&self, now: SimTime) -> Vec<Cell> {
        // ROLES: no node here carries a `node-role.kubernetes.io/` label.
        vec![
            text(&self.name),
            text(&self.status),
            text("<none>"),
            age(self.created, now),
            text(&self.version),
            or_none(self.internal_ip.as_ref()),
            or_none(self.external_ip.as_ref()),
            text(&self.os_image),
            text(&self.kernel_version),
            text(&self.container_runtime),
        ]
    }
}

impl Columns for StorageClassRow {
    const COLUMNS: &'static [Column] = &[
        NAME,
        column("Provisioner"),
        column("ReclaimPolicy"),
        column("VolumeBindingMode"),
        column("AllowVolumeExpansion"),
        AGE,
    ];
    const DESCRIPTIONS: &'static [&'static str] = &[
        d::OBJECT_META_NAME,
        d::STORAGE_CLASS_PROVISIONER,
        d::STORAGE_CLASS_RECLAIM_POLICY,
        d::STORAGE_CLASS_VOLUME_BINDING_MODE,
        d::STORAGE_CLASS_ALLOW_VOLUME_EXPANSION,
        d::OBJECT_META_CREATION_TIMESTAMP,
    ];

    fn all_cells(&self, now: SimTime) -> Vec<Cell> {
        vec![
            Cell::Text(if self.default {
                format!("{} (default)", self.name)
            } else {
                self.name.clone()
            }),
            text(&self.provisioner),
            text(&self.reclaim_policy),
            text(&self.volume_binding_mode),
            Cell::Boolean(self.allow_volume_expansion),
            age(self.created, now),
        ]
    }
}

impl Columns for NamespaceRow {
    const COLUMNS: &'static [Column] = &[NAME, column("Status"), AGE];
    const DESCRIPTIONS: &'static [&'static str] = &[
        d::OBJECT_META_NAME,
        "The status of the namespace",
        d::OBJECT_META_CREATION_TIMESTAMP,
    ];

    fn all_cells(&self, now: SimTime) -> Vec<Cell> {
        vec![text(&self.name), text(&self.status), age(self.created, now)]
    }
}

impl Columns for ConfigMapRow {
    const COLUMNS: &'static [Column] = &[NAME, column("Data"), AGE];
    const DESCRIPTIONS: &'static [&'static str] = &[
        d::OBJECT_META_NAME,
        d::CONFIG_MAP_DATA,
        d::OBJECT_META_CREATION_TIMESTAMP,
    ];

    fn all_cells(&self, now: SimTime) -> Vec<Cell> {
        vec![
            text(&self.name),
            Cell::Integer(self.data as i64),
            age(self.created, now),
        ]
    }
}

impl Columns for SecretRow {
    const COLUMNS: &'static [Column] = &[NAME, column("Type"), column("Data"), AGE];
    const DESCRIPTIONS: &'static [&'static str] = &[
        d::OBJECT_META_NAME,
        d::SECRET_TYPE,
        d::SECRET_DATA,
        d::OBJECT_META_CREATION_TIMESTAMP,
    ];

    fn all_cells(&self, now: SimTime) -> Vec<Cell> {
        vec![
            text(&self.name),
            text(&self.type_),
            Cell::Integer(self.data as i64),
            age(self.created, now),
        ]
    }
}

impl Columns for RevisionRow {
    const COLUMNS: &'static [Column] = &[NAME, column("Controller"), column("Revision"), AGE];
    const DESCRIPTIONS: &'static [&'static str] = &[
        d::OBJECT_META_NAME,
        "Controller of the object",
        d::CONTROLLER_REVISION_REVISION,
        d::OBJECT_META_CREATION_TIMESTAMP,
    ];

    fn all_cells(&self, now: SimTime) -> Vec<Cell> {
        vec![
            text(&self.name),
            text(&self.controller),
            Cell::Integer(self.revision),
            age(self.created, now),
        ]
    }
}

impl Columns for EventRow {
    const COLUMNS: &'static [Column] = &[
        column("Last Seen"),
        column("Type"),
        column("Reason"),
        column("Object"),
        wide("Subobject"),
        wide("Source"),
        column("Message"),
        wide("First Seen"),
        wide("Count"),
        Column {
            priority: 1,
            ..NAME
        },
    ];
    const DESCRIPTIONS: &'static [&'static str] = &[
        d::EVENT_LAST_TIMESTAMP,
        d::EVENT_TYPE,
        d::EVENT_REASON,
        d::EVENT_INVOLVED_OBJECT,
        d::OBJECT_REFERENCE_FIELD_PATH,
        d::EVENT_SOURCE,
        d::EVENT_MESSAGE,
        d::EVENT_FIRST_TIMESTAMP,
        d::EVENT_COUNT,
        d::OBJECT_META_NAME,
    ];

    fn all_cells(&self, now: SimTime) -> Vec<Cell> {
        vec![
            age(self.last_seen, now),
            text(&self.type_),
            text(&self.reason),
            text(&self.object),
            text(&self.subobject),
            text(&self.source),
            text(&self.message),
            age(self.first_seen, now),
            Cell::Integer(self.count.into()),
            text(&self.name),
        ]
    }
}

/// At most three items and a count of the rest, as `listWithMoreString` prints them.
fn list_with_more(items: &[String]) -> Cell {
    const MAX: usize = 3;
    Cell::Text(match items.len() {
        0 => "<unset>".into(),
        n if n > MAX => format!("{} + {} more...", items[..MAX].join(","), n - MAX),
        _ => items.join(","),
    })
}

impl Columns for EndpointSliceRow {
    const COLUMNS: &'static [Column] = &[
        NAME,
        column("AddressType"),
        column("Ports"),
        column("Endpoints"),
        AGE,
    ];
    const DESCRIPTIONS: &'static [&'static str] = &[
        d::OBJECT_META_NAME,
        d::ENDPOINT_SLICE_ADDRESS_TYPE,
        d::ENDPOINT_SLICE_PORTS,
        d::ENDPOINT_SLICE_ENDPOINTS,
        d::OBJECT_META_CREATION_TIMESTAMP,
    ];

    fn all_cells(&self, now: SimTime) -> Vec<Cell> {
        vec![
            text(&self.name),
            text(&self.address_type),
            list_with_more(&self.ports),
            list_with_more(&self.endpoints),
            age(self.created, now),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn consistent<R: Columns>() {
        assert_eq!(R::COLUMNS.len(), R::DESCRIPTIONS.len());
    }

    #[test]
    fn every_column_has_its_description() {
        consistent::<PodRow>();
        consistent::<StatefulSetRow>();
        consistent::<ClaimRow>();
        consistent::<VolumeRow>();
        consistent::<ServiceRow>();
        consistent::<NodeRow>();
        consistent::<StorageClassRow>();
        consistent::<NamespaceRow>();
        consistent::<ConfigMapRow>();
        consistent::<SecretRow>();
        consistent::<RevisionRow>();
        consistent::<EventRow>();
        consistent::<EndpointSliceRow>();
    }

    #[test]
    fn kubectl_shows_the_wide_columns_only_when_asked() {
        assert_eq!(
            PodRow::header(false),
            ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
        );
        assert_eq!(
            EventRow::header(true),
            [
                "LAST SEEN",
                "TYPE",
                "REASON",
                "OBJECT",
                "SUBOBJECT",
                "SOURCE",
                "MESSAGE",
                "FIRST SEEN",
                "COUNT",
                "NAME"
            ]
        );
        assert_eq!(
            ClaimRow::header(true).last().map(String::as_str),
            Some("VOLUMEMODE")
        );
    }
}
