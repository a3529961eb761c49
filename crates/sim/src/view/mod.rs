//! What every viewer may read of a simulation: the page, the lessons, embeds and tests. The rest of the core
//! is how the cluster works; this is what it looks like, answered by the core so that no viewer re-derives a
//! rule of Kubernetes from the objects themselves.

//!
//! - `rows`: what `kubectl get` prints for each kind, as typed rows (kubectl's printers lay out the same rows);
//! - `slots`: each StatefulSet as its slots by ordinal, with their pods, claims and DNS names, and the
//!   controller's recorded wait; the nodes with the pods bound to them;
//! - `pods`: questions about one pod, as lessons and tests ask them.

pub mod pods;
pub(crate) mod rows;
mod slots;

pub use pods::{file_contents, PodQuery};
pub use rows::{
    pod_rows, since, volume_rows, ClaimRow, EndpointSliceRow, EventRow, NodeRow, PodRow, Ready,
    RevisionRow, ServiceRow, StatefulSetRow, StorageClassRow, VolumeRow,
};

pub use slots::{
    nodes, stateful_sets, ClaimView, DnsName, DnsView, NodeView, PodView, PodViews, SlotView,
    StatefulSetView, UpdateStrategy,
};

/// How kubectl lays a row out: its header, and its cells at an instant.
pub use crate::kubectl::printers::Columns;
