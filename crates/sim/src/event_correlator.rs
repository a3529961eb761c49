//! The event correlator's cache, after client-go's `tools/record/events_cache.go`: which stored event a repeat
//! of an event would fold into. Client state, not the apiserver's; the store keeps it because every component
//! records its events through the store.

use std::collections::HashMap;

use crate::object::ObjectKey;

/// What makes two events the same event.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Correlation {
    pub namespace: String,
    pub involved_uid: Option<String>,
    pub reason: String,
    pub message: String,
    pub component: String,
}

#[derive(Clone, Debug, Default)]
pub struct EventCorrelator {
    latest: HashMap<Correlation, ObjectKey>,
}

impl EventCorrelator {
    /// The event the last occurrence of this one was written as.
    pub(crate) fn latest(&self, correlation: &Correlation) -> Option<&ObjectKey> {
        self.latest.get(correlation)
    }

    pub(crate) fn remember(&mut self, correlation: Correlation, event: ObjectKey) {
        self.latest.insert(correlation, event);
    }

    /// Forgets the events that are no longer stored.
    pub(crate) fn retain(&mut self, stored: impl Fn(&ObjectKey) -> bool) {
        self.latest.retain(|_, key| stored(key));
    }
}
