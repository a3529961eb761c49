//! `metav1.DeleteOptions`: how a client asks for an object to be deleted, and the propagation policies with the
//! finalizers the apiserver adds for them.

use super::well_known::{FOREGROUND_FINALIZER, ORPHAN_FINALIZER};

/// How an object is deleted: `kubectl delete --grace-period`, `--force` and `--cascade`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeleteOptions {
    /// `None` takes the object's own grace period (for pods `terminationGracePeriodSeconds`).
    pub grace_period_seconds: Option<i64>,
    /// `None` is the apiserver's default for the kinds simulated here: Background.
    pub propagation_policy: Option<PropagationPolicy>,
}

impl DeleteOptions {
    pub const NOW: DeleteOptions = DeleteOptions {
        grace_period_seconds: Some(0),
        propagation_policy: None,
    };
}

/// What happens to an object's dependents (`metav1.DeletionPropagation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PropagationPolicy {
    /// The owner goes at once; the garbage collector deletes the dependents afterwards.
    Background,
    /// The owner stays, with the `foregroundDeletion` finalizer, until the collector has deleted every
    /// dependent that blocks owner deletion.
    Foreground,
    /// The owner stays, with the `orphan` finalizer, until the collector has removed its ownerReferences from
    /// the dependents, which then live on.
    Orphan,
}

impl PropagationPolicy {
    /// The finalizer the apiserver adds for this policy, if any.
    pub fn finalizer(self) -> Option<&'static str> {
        match self {
            PropagationPolicy::Background => None,
            PropagationPolicy::Foreground => Some(FOREGROUND_FINALIZER),
            PropagationPolicy::Orphan => Some(ORPHAN_FINALIZER),
        }
    }
}
