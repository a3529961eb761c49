//! What every viewer may read of a simulation: the page, the lessons, embeds and tests. The rest of the core
//! is how the cluster works; this is what it looks like, answered by the core so that no viewer re-derives a
//! rule of Kubernetes from the objects themselves.

//!
//! - `rows`: what `kubectl get` prints for each kind, as typed rows (kubectl's printers lay out the same rows);
//! - `pods`: questions about one pod, as lessons and tests ask them.

pub mod pods;
pub(crate) mod rows;

pub use pods::{file_contents, PodQuery};
pub use rows::{
    pod_rows, since, volume_rows, ClaimRow, EndpointSliceRow, EventRow, NodeRow, PodRow, Ready,
    RevisionRow, ServiceRow, StatefulSetRow, StorageClassRow, VolumeRow,
};

/// How kubectl lays a row out: its header, and its cells at an instant.
pub use crate::kubectl::printers::Columns;
