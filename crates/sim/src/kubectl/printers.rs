//! The tables `kubectl get` prints, column for column: the layout of
//! k8s.io/kubernetes/pkg/printers/internalversion/printers.go. What each cell says is derived once, in the
//! view's rows (`crate::view::rows`); this lays those rows out as kubectl does.

use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::{
    Event, Node, PersistentVolume, PersistentVolumeClaim, Pod, Service,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::api::strategy::Strategy;
use crate::time::{human_duration, SimTime};
use crate::view::rows::{
    since, ClaimRow, EndpointSliceRow, EventRow, NodeRow, PodRow, RevisionRow, ServiceRow,
    StatefulSetRow, StorageClassRow, VolumeRow,
};

/// A kind `kubectl get` prints as a table, and that the kubectl commands may write back.
pub(crate) trait Printable: Strategy {
    type Row: Columns;
    /// The view's row of this object.
    fn to_row(&self) -> Self::Row;
    fn row(&self, now: SimTime, wide: bool) -> Vec<String> {
        self.to_row().cells(now, wide)
    }
}

/// A row as kubectl's table prints it: its header and its cells, ages counted up to `now`.
pub trait Columns {
    const HEADER: &'static [&'static str];
    /// The `-o wide` columns, for kinds that have more than the default ones.
    const WIDE_HEADER: Option<&'static [&'static str]> = None;
    fn cells(&self, now: SimTime, wide: bool) -> Vec<String>;
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
);

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
    TableWriter::default().write(Some(header), rows)
}

/// kubectl's table writer (liggitt/tabwriter with `RememberWidths`): a column is as wide as its widest cell
/// written so far, even across flushes, which is why the rows `kubectl get -w` prints line up with the
/// header until a wider cell comes, and every row after it is wider too.
#[derive(Clone, Debug, Default)]
pub struct TableWriter {
    widths: Vec<usize>,
}

impl TableWriter {
    /// Lays out `rows` (after `header`, if given) as one flush of the writer.
    pub fn write(&mut self, header: Option<&[&str]>, rows: &[Vec<String>]) -> String {
        let header: Option<Vec<String>> = header.map(|h| h.iter().map(|c| c.to_string()).collect());
        let lines: Vec<&Vec<String>> = header.iter().chain(rows).collect();
        for line in &lines {
            if self.widths.len() < line.len() {
                self.widths.resize(line.len(), 0);
            }
            for (i, cell) in line.iter().enumerate() {
                self.widths[i] = self.widths[i].max(cell.chars().count());
            }
        }
        let mut text = String::new();
        for cells in lines {
            let mut out = String::new();
            for (i, cell) in cells.iter().enumerate() {
                out.push_str(cell);
                if i + 1 < cells.len() {
                    out.push_str(&" ".repeat(self.widths[i] - cell.chars().count() + 3));
                }
            }
            text.push_str(out.trim_end());
            text.push('\n');
        }
        text
    }
}

fn or_none(cell: Option<&String>) -> String {
    cell.cloned().unwrap_or_else(|| "<none>".into())
}

impl Columns for PodRow {
    const HEADER: &'static [&'static str] = &["NAME", "READY", "STATUS", "RESTARTS", "AGE"];
    const WIDE_HEADER: Option<&'static [&'static str]> = Some(&[
        "NAME",
        "READY",
        "STATUS",
        "RESTARTS",
        "AGE",
        "IP",
        "NODE",
        "NOMINATED NODE",
        "READINESS GATES",
    ]);

    fn cells(&self, now: SimTime, wide: bool) -> Vec<String> {
        // RESTARTS: the count, and how long ago the last restarted container exited (`3 (42s ago)`).
        let restarts = match self.last_restart {
            Some(at) if self.restarts != 0 => format!(
                "{} ({} ago)",
                self.restarts,
                human_duration(now.0.saturating_sub(at.0))
            ),
            _ => self.restarts.to_string(),
        };
        let mut cells = vec![
            self.name.clone(),
            self.ready.to_string(),
            self.status.clone(),
            restarts,
            since(self.created, now),
        ];
        if wide {
            cells.extend([
                or_none(self.ip.as_ref()),
                or_none(self.node.as_ref()),
                "<none>".into(),
                "<none>".into(),
            ]);
        }
        cells
    }
}

impl Columns for StatefulSetRow {
    const HEADER: &'static [&'static str] = &["NAME", "READY", "AGE"];
    const WIDE_HEADER: Option<&'static [&'static str]> =
        Some(&["NAME", "READY", "AGE", "CONTAINERS", "IMAGES"]);

    fn cells(&self, now: SimTime, wide: bool) -> Vec<String> {
        let mut cells = vec![
            self.name.clone(),
            format!("{}/{}", self.ready_replicas, self.replicas),
            since(self.created, now),
        ];
        if wide {
            cells.extend([self.containers.join(","), self.images.join(",")]);
        }
        cells
    }
}

impl Columns for ClaimRow {
    const HEADER: &'static [&'static str] = &[
        "NAME",
        "STATUS",
        "VOLUME",
        "CAPACITY",
        "ACCESS MODES",
        "STORAGECLASS",
        "VOLUMEATTRIBUTESCLASS",
        "AGE",
    ];

    fn cells(&self, now: SimTime, _wide: bool) -> Vec<String> {
        vec![
            self.name.clone(),
            self.status.clone(),
            self.volume.clone(),
            self.capacity.clone(),
            self.access_modes.clone(),
            self.storage_class.clone(),
            unset(self.volume_attributes_class.as_ref()),
            since(self.created, now),
        ]
    }
}

fn unset(cell: Option<&String>) -> String {
    cell.cloned().unwrap_or_else(|| "<unset>".into())
}

impl Columns for VolumeRow {
    const HEADER: &'static [&'static str] = &[
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

    fn cells(&self, now: SimTime, _wide: bool) -> Vec<String> {
        vec![
            self.name.clone(),
            self.capacity.clone(),
            self.access_modes.clone(),
            self.reclaim_policy.clone(),
            self.status.clone(),
            self.claim.clone(),
            self.storage_class.clone(),
            unset(self.volume_attributes_class.as_ref()),
            self.reason.clone(),
            since(self.created, now),
        ]
    }
}

impl Columns for ServiceRow {
    const HEADER: &'static [&'static str] = &[
        "NAME",
        "TYPE",
        "CLUSTER-IP",
        "EXTERNAL-IP",
        "PORT(S)",
        "AGE",
    ];

    fn cells(&self, now: SimTime, _wide: bool) -> Vec<String> {
        vec![
            self.name.clone(),
            self.type_.clone(),
            or_none(self.cluster_ip.as_ref()),
            self.external_ip.clone(),
            if self.ports.is_empty() {
                "<none>".into()
            } else {
                self.ports.join(",")
            },
            since(self.created, now),
        ]
    }
}

impl Columns for NodeRow {
    const HEADER: &'static [&'static str] = &["NAME", "STATUS", "ROLES", "AGE", "VERSION"];
    const WIDE_HEADER: Option<&'static [&'static str]> = Some(&[
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
    ]);

    fn cells(&self, now: SimTime, wide: bool) -> Vec<String> {
        // ROLES: no node here carries a `node-role.kubernetes.io/` label.
        let mut cells = vec![
            self.name.clone(),
            self.status.clone(),
            "<none>".into(),
            since(self.created, now),
            self.version.clone(),
        ];
        if wide {
            cells.extend([
                or_none(self.internal_ip.as_ref()),
                or_none(self.external_ip.as_ref()),
                self.os_image.clone(),
                self.kernel_version.clone(),
                self.container_runtime.clone(),
            ]);
        }
        cells
    }
}

impl Columns for StorageClassRow {
    const HEADER: &'static [&'static str] = &[
        "NAME",
        "PROVISIONER",
        "RECLAIMPOLICY",
        "VOLUMEBINDINGMODE",
        "ALLOWVOLUMEEXPANSION",
        "AGE",
    ];

    fn cells(&self, now: SimTime, _wide: bool) -> Vec<String> {
        vec![
            if self.default {
                format!("{} (default)", self.name)
            } else {
                self.name.clone()
            },
            self.provisioner.clone(),
            self.reclaim_policy.clone(),
            self.volume_binding_mode.clone(),
            self.allow_volume_expansion.to_string(),
            since(self.created, now),
        ]
    }
}

impl Columns for RevisionRow {
    const HEADER: &'static [&'static str] = &["NAME", "CONTROLLER", "REVISION", "AGE"];

    fn cells(&self, now: SimTime, _wide: bool) -> Vec<String> {
        vec![
            self.name.clone(),
            self.controller.clone(),
            self.revision.to_string(),
            since(self.created, now),
        ]
    }
}

impl Columns for EventRow {
    const HEADER: &'static [&'static str] = &["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"];

    fn cells(&self, now: SimTime, _wide: bool) -> Vec<String> {
        vec![
            since(self.last_seen, now),
            self.type_.clone(),
            self.reason.clone(),
            self.object.clone(),
            self.message.clone(),
        ]
    }
}

/// At most three items and a count of the rest, as `listWithMoreString` prints them.
fn list_with_more(items: &[String]) -> String {
    const MAX: usize = 3;
    match items.len() {
        0 => "<unset>".into(),
        n if n > MAX => format!("{} + {} more...", items[..MAX].join(","), n - MAX),
        _ => items.join(","),
    }
}

impl Columns for EndpointSliceRow {
    const HEADER: &'static [&'static str] = &["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"];

    fn cells(&self, now: SimTime, _wide: bool) -> Vec<String> {
        vec![
            self.name.clone(),
            self.address_type.clone(),
            list_with_more(&self.ports),
            list_with_more(&self.endpoints),
            since(self.created, now),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_like_kubectl() {
        let text = render_table(
            PodRow::HEADER,
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
