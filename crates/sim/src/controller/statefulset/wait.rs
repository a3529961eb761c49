//! Why a sync stopped short: the controller's own decision, kept so that a viewer can say it in words.
//! Kubernetes logs these at V(4); Ordinal shows them.

use serde::Serialize;
use std::fmt;

/// What the controller would do next if it were not waiting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "action", content = "pod", rename_all = "camelCase")]
pub enum HeldBack {
    Create(String),
    /// The same ordinal, once its old pod is gone.
    Recreate(String),
    Delete(String),
    Update(String),
}

/// What it waits for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "camelCase")]
pub enum Cause {
    NotRunningAndReady {
        pod: String,
    },
    NotAvailable {
        pod: String,
        min_ready_seconds: i32,
    },
    Terminating {
        pod: String,
    },
    /// A Failed or Succeeded pod was deleted; its replacement waits until it is gone.
    Finished {
        pod: String,
        phase: String,
    },
    StaleClaim {
        pod: String,
    },
    /// Gate `MaxUnavailableStatefulSet`: the unavailability budget is spent; `pod` is one of the unavailable.
    MaxUnavailable {
        max_unavailable: i32,
        unavailable: i32,
        pod: String,
    },
    Error {
        message: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Wait {
    pub held_back: HeldBack,
    pub cause: Cause,
}

impl fmt::Display for HeldBack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeldBack::Create(pod) => write!(f, "{pod} is not created yet"),
            HeldBack::Recreate(pod) => write!(f, "{pod} is not recreated yet"),
            HeldBack::Delete(pod) => write!(f, "{pod} is not deleted yet"),
            HeldBack::Update(pod) => write!(f, "{pod} is not updated yet"),
        }
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cause::NotRunningAndReady { pod } => write!(f, "{pod} is not Running and Ready"),
            Cause::NotAvailable {
                pod,
                min_ready_seconds,
            } => {
                write!(
                    f,
                    "{pod} has not been Ready for minReadySeconds ({min_ready_seconds}s)"
                )
            }
            Cause::Terminating { pod } => write!(f, "{pod} is still terminating"),
            Cause::Finished { pod, phase } => write!(f, "{pod} is {phase} and being removed"),
            Cause::StaleClaim { pod } => {
                write!(f, "a claim of {pod} still belongs to its previous pod")
            }
            Cause::MaxUnavailable {
                max_unavailable,
                unavailable,
                pod,
            } => write!(
                f,
                "{unavailable} of at most {max_unavailable} pods are unavailable (such as {pod})"
            ),
            Cause::Error { message } => write!(f, "the last attempt failed: {message}"),
        }
    }
}

impl fmt::Display for Wait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.held_back, self.cause)
    }
}
