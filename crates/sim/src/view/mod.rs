//! What every viewer may read of a simulation: the page, the lessons, embeds and tests. The rest of the core
//! is how the cluster works; this is what it looks like, answered by the core so that no viewer re-derives a
//! rule of Kubernetes from the objects themselves.
//!
//! - `rows`: what `kubectl get` prints for each kind, as typed rows (kubectl's printers lay out the same rows);
//! - `slots`: each StatefulSet as its slots by ordinal, with their pods, claims and DNS names, and the
//!   controller's recorded wait; the nodes with the pods bound to them;
//! - `pods`: questions about one pod, as lessons and tests ask them;
//! - and, re-exported, the types a viewer drives the simulation with (`Timeline`, `Scenario`, `Action`, …),
//!   so that a viewer reaches the core through this module alone.

mod pods;
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
pub use crate::api::printers::Columns;

pub use crate::api::decode::ManifestError;
pub use crate::cluster::Cluster;
pub use crate::config::NodeConfig;
pub use crate::controller::statefulset::wait::{Cause, HeldBack, Wait};
pub use crate::fault::Fault;
pub use crate::kubectl::apply::DocumentOutcome;
pub use crate::kubectl::CommandOutput;
pub use crate::limits::MAX_REPLICAS;
pub use crate::object::ObjectKey;
pub use crate::scenario::{Action, Scenario};
pub use crate::shell::{Interleaving, Stream};
pub use crate::time::{go_duration, SimTime};
pub use crate::timeline::{ReachedStep, Timeline, TypedOutput};

/// The kubectl a viewer's console runs: a command line against the cluster, writing (`run`) or not (`query`).
pub mod kubectl {
    pub use crate::kubectl::{query, run, CommandOutput, DEFAULT_NAMESPACE};

    /// What the console lists as kubectl's commands.
    pub mod help {
        pub use crate::kubectl::help::{commands, CARRIED_OUT};
    }
}

/// The console's shell: what it needs to know of a line before running it.
pub mod shell {
    pub use crate::shell::syntax::wants_more;
}

/// Share links and saved work: the state a link or a browser's storage carries, written and read.
pub mod share {
    pub use crate::share::{
        read_state, read_work, state_json, work_json, SavedWork, SharedState, StateError,
        STATE_VERSION,
    };
}

/// The guided lessons: their steps, the checks that tell a step is done, and the learner's progress.
pub mod lesson {
    pub use crate::lesson::{
        catalogue, Current, Doing, Lab, Lesson, Progress, Step, StepStart, Text,
    };
}
