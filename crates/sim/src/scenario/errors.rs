//! What is wrong with a scenario file, and where: `ordinal run` exits 2 with it, the page shows it under the
//! editor, and a share link that carries one is refused with it.

use std::fmt;

use super::MAX_NODES;
use crate::api::decode::ManifestError;
use crate::limits::LimitError;
use crate::time::DurationError;

#[derive(Clone, Debug, PartialEq)]
pub enum ScenarioError {
    Limit(LimitError),
    /// The YAML does not read as a scenario file: serde's message, with the line and column it names.
    Syntax(String),
    /// A duration field (`until`, `steps[i].at`, `cluster.images["…"].after`) that does not read.
    Duration {
        field: String,
        error: DurationError,
    },
    Fault {
        step: usize,
        error: FaultFileError,
    },
    /// A step gives none, or more than one, of `run`, `apply` and `inject`.
    StepAction {
        step: usize,
    },
    /// A step is earlier than the one before it.
    StepOrder {
        step: usize,
    },
    /// `terminal` or `timeout` on a step that runs no command line.
    RunOnly {
        step: usize,
        field: &'static str,
    },
    Manifests(ManifestError),
    Nodes(NodesError),
    ImagePull {
        image: String,
        pull: String,
    },
    UnknownFeatureGate(String),
}

/// An `inject:` step that names no fault this core knows, or the wrong kind of target for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultFileError {
    TakesPod(String),
    TakesNode(String),
    Unknown(String),
}

/// `cluster.nodes` that do not make a cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodesError {
    NoNode,
    TooMany,
    ListLength,
    BadName(String),
    Twice(String),
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid scenario: ")?;
        match self {
            ScenarioError::Limit(error) => write!(f, "{error}"),
            ScenarioError::Syntax(message) => f.write_str(message),
            ScenarioError::Duration { field, error } => write!(f, "{field}: {error}"),
            ScenarioError::Fault { step, error } => write!(f, "steps[{step}].inject: {error}"),
            ScenarioError::StepAction { step } => {
                write!(
                    f,
                    "steps[{step}]: give exactly one of run, apply, inject or request"
                )
            }
            ScenarioError::StepOrder { step } => {
                write!(f, "steps[{step}].at is earlier than the step before it")
            }
            ScenarioError::RunOnly { step, field } => {
                write!(
                    f,
                    "steps[{step}].{field}: only a run step, or a request that opens an exec or attach stream, has one"
                )
            }
            ScenarioError::Manifests(error) => write!(f, "manifests: {}", error.message),
            ScenarioError::Nodes(error) => write!(f, "cluster.nodes: {error}"),
            ScenarioError::ImagePull { image, pull } => {
                write!(
                    f,
                    "cluster.images[{image:?}].pull: {pull:?} (use ok or fail)"
                )
            }
            ScenarioError::UnknownFeatureGate(gate) => {
                write!(f, "cluster.featureGates: unknown feature gate {gate:?}")
            }
        }
    }
}

impl fmt::Display for FaultFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FaultFileError::TakesPod(fault) => {
                write!(f, "fault {fault:?} takes a pod (and no node)")
            }
            FaultFileError::TakesNode(fault) => {
                write!(f, "fault {fault:?} takes a node (and no pod)")
            }
            FaultFileError::Unknown(fault) => write!(
                f,
                "unknown fault {fault:?} (use not-ready, ready, crash, node-down or node-up)"
            ),
        }
    }
}

impl fmt::Display for NodesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodesError::NoNode => f.write_str("a cluster needs at least one node"),
            NodesError::TooMany => write!(f, "at most {MAX_NODES} nodes"),
            NodesError::ListLength => write!(f, "give between 1 and {MAX_NODES} nodes"),
            NodesError::BadName(name) => write!(f, "{name:?} is not a valid node name"),
            NodesError::Twice(name) => write!(f, "{name:?} appears twice"),
        }
    }
}

impl std::error::Error for ScenarioError {}
