//! What a sync's failure is, kept typed as upstream keeps its `error` values: an apiserver refusal as it came
//! back (so that the control loop can ask `errors.IsNotFound` of it), or one of the controller's own errors
//! from `stateful_pod_control.go`, several of them aggregated. The text is upstream's, for the
//! `FailedCreate`/`FailedUpdate` events and for the stage's "why it waits".

use std::fmt;

use crate::store::ApiError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncError {
    Api(ApiError),
    /// `pvc %s is being deleted`: the claim a pod needs is still going.
    ClaimBeingDeleted {
        claim: String,
    },
    /// `failed to create PVC %s: %v`.
    CreateClaim {
        claim: String,
        error: ApiError,
    },
    /// `could not update claim %s for delete policy ownerRefs: %v`.
    ClaimOwnerRefs {
        claim: String,
        error: ApiError,
    },
    /// Several at once (Parallel's batches, a pod's claims), in the order they happened.
    Aggregate(Vec<SyncError>),
}

impl SyncError {
    /// `errors.IsNotFound`: the apiserver had no such object.
    pub fn is_not_found(&self) -> bool {
        matches!(self, SyncError::Api(error) if error.is_not_found())
    }

    /// One error as itself, several as an aggregate, none as none.
    pub fn aggregate(mut errors: Vec<SyncError>) -> Option<SyncError> {
        match errors.len() {
            0 => None,
            1 => errors.pop(),
            _ => Some(SyncError::Aggregate(errors)),
        }
    }
}

impl From<ApiError> for SyncError {
    fn from(error: ApiError) -> Self {
        SyncError::Api(error)
    }
}

impl fmt::Display for SyncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyncError::Api(error) => write!(f, "{error}"),
            SyncError::ClaimBeingDeleted { claim } => write!(f, "pvc {claim} is being deleted"),
            SyncError::CreateClaim { claim, error } => {
                write!(f, "failed to create PVC {claim}: {error}")
            }
            SyncError::ClaimOwnerRefs { claim, error } => write!(
                f,
                "could not update claim {claim} for delete policy ownerRefs: {error}"
            ),
            SyncError::Aggregate(errors) => {
                for (index, error) in errors.iter().enumerate() {
                    if index > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{error}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for SyncError {}
