//! The simulated apiserver and its storage: the only state controllers share. Controllers read it and write
//! through it, as real controllers go through the apiserver; every write becomes a watch event.

use k8s_openapi::api::core::v1::Event;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use crate::api::delete_options::{DeleteOptions, PropagationPolicy};
use crate::api::strategy::Strategy;
use crate::config::FeatureGates;
use crate::event_correlator::EventCorrelator;
use crate::object::{ApiObject, Collections, Object, ObjectKey};
use crate::time::SimTime;

mod pod_binding;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatchEventType {
    Added,
    Modified,
    Deleted,
}

impl WatchEventType {
    pub fn as_str(self) -> &'static str {
        match self {
            WatchEventType::Added => "ADDED",
            WatchEventType::Modified => "MODIFIED",
            WatchEventType::Deleted => "DELETED",
        }
    }
}

/// One change, as a watch on the kind's resource delivers it.
#[derive(Clone, Debug, PartialEq)]
pub struct WatchEvent {
    pub at: SimTime,
    pub event_type: WatchEventType,
    pub object: Object,
}

/// An apiserver refusal, as `k8s.io/apimachinery/pkg/api/errors` makes a `StatusError`: its reason, and what
/// the message names. `Display` is the status message (what a controller's event quotes); kubectl adds its
/// `Error from server (<Reason>): ` itself (`kubectl::errors`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    AlreadyExists {
        resource: &'static str,
        name: String,
    },
    NotFound {
        resource: &'static str,
        name: String,
    },
    /// A validation failure: `The StatefulSet "web" is invalid: ...`, each cause a rendered field error.
    Invalid {
        kind: &'static str,
        name: String,
        causes: Vec<String>,
    },
    BadRequest(String),
    /// `errors.NewConflict`: `Operation cannot be fulfilled on <resource> "<name>": <message>`.
    Conflict {
        resource: &'static str,
        name: String,
        message: String,
    },
}

/// `metav1.StatusReason`, for the reasons the simulated apiserver gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusReason {
    AlreadyExists,
    NotFound,
    Invalid,
    BadRequest,
    Conflict,
}

impl StatusReason {
    pub fn as_str(self) -> &'static str {
        match self {
            StatusReason::AlreadyExists => "AlreadyExists",
            StatusReason::NotFound => "NotFound",
            StatusReason::Invalid => "Invalid",
            StatusReason::BadRequest => "BadRequest",
            StatusReason::Conflict => "Conflict",
        }
    }
}

impl ApiError {
    pub fn reason(&self) -> StatusReason {
        match self {
            ApiError::AlreadyExists { .. } => StatusReason::AlreadyExists,
            ApiError::NotFound { .. } => StatusReason::NotFound,
            ApiError::Invalid { .. } => StatusReason::Invalid,
            ApiError::BadRequest(_) => StatusReason::BadRequest,
            ApiError::Conflict { .. } => StatusReason::Conflict,
        }
    }

    /// `errors.IsNotFound`.
    pub fn is_not_found(&self) -> bool {
        self.reason() == StatusReason::NotFound
    }

    /// `errors.IsAlreadyExists`.
    pub fn is_already_exists(&self) -> bool {
        self.reason() == StatusReason::AlreadyExists
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::AlreadyExists { resource, name } => {
                write!(f, "{resource} \"{name}\" already exists")
            }
            ApiError::NotFound { resource, name } => write!(f, "{resource} \"{name}\" not found"),
            ApiError::Invalid { kind, name, causes } => {
                f.write_str(&invalid_message(kind, name, causes))
            }
            ApiError::BadRequest(message) => f.write_str(message),
            ApiError::Conflict {
                resource,
                name,
                message,
            } => write!(
                f,
                "Operation cannot be fulfilled on {resource} \"{name}\": {message}"
            ),
        }
    }
}

impl std::error::Error for ApiError {}

/// `errors.NewInvalid`'s message: `<kind> "<name>" is invalid: <cause>`, several causes in brackets. The
/// apiserver qualifies the kind with its group (`StatefulSet.apps`); kubectl's own wording does not.
pub fn invalid_message(kind: &str, name: &str, causes: &[String]) -> String {
    match causes {
        [only] => format!("{kind} \"{name}\" is invalid: {only}"),
        _ => format!("{kind} \"{name}\" is invalid: [{}]", causes.join(", ")),
    }
}

/// kube-apiserver's `--event-ttl` default: etcd forgets an Event an hour after it was last written.
pub const EVENT_TTL: SimTime = SimTime(3_600_000);

/// The apiserver puts events on leases it reuses for a minute (`LeaseReuseDurationSeconds`), so an event may
/// outlive its TTL by up to a minute; sweeping once a simulated minute has the same effect.
const EVENT_EXPIRY_SWEEP_MS: u64 = 60_000;

#[derive(Clone, Debug, Default)]
pub struct Store {
    collections: Collections,
    now: SimTime,
    resource_version: u64,
    uid_seed: u64,
    uid_counter: u64,
    pending: Vec<WatchEvent>,
    /// The apiserver's feature gates: some fields are dropped or defaulted only when a gate is on.
    feature_gates: FeatureGates,
    /// Client state, not the apiserver's: the event recorders' correlator, kept here because every component
    /// records through the store.
    pub(crate) event_correlator: EventCorrelator,
    /// When expired events are next removed.
    next_event_sweep: SimTime,
    /// Per kind, the last write: the resourceVersion it moved the store to, and the object written.
    last_writes: BTreeMap<&'static str, (u64, ObjectKey)>,
}

impl Deref for Store {
    type Target = Collections;
    fn deref(&self) -> &Collections {
        &self.collections
    }
}

impl DerefMut for Store {
    fn deref_mut(&mut self) -> &mut Collections {
        &mut self.collections
    }
}

impl Store {
    pub fn new(seed: u64) -> Self {
        Store {
            uid_seed: seed,
            ..Store::default()
        }
    }

    pub fn now(&self) -> SimTime {
        self.now
    }

    pub fn feature_gates(&self) -> FeatureGates {
        self.feature_gates
    }

    pub(crate) fn set_feature_gates(&mut self, gates: FeatureGates) {
        self.feature_gates = gates;
    }

    /// Only the engine moves the clock.
    pub(crate) fn set_now(&mut self, now: SimTime) {
        debug_assert!(now >= self.now, "simulated time never goes backwards");
        self.now = now;
        self.expire_events();
    }

    /// Removes the events last written `EVENT_TTL` ago or longer, as their leases expire: watchers see them
    /// deleted, and a run of any length holds only its last hour of events.
    fn expire_events(&mut self) {
        let now = self.now;
        if now < self.next_event_sweep {
            return;
        }
        self.next_event_sweep = now.plus_millis(EVENT_EXPIRY_SWEEP_MS);
        let expired: Vec<ObjectKey> = self
            .list::<Event>()
            .filter(|e| {
                let written = e
                    .last_timestamp
                    .as_ref()
                    .or(e.metadata.creation_timestamp.as_ref());
                written.is_some_and(|t| SimTime::from_k8s(t).plus_millis(EVENT_TTL.0) <= now)
            })
            .map(ApiObject::key)
            .collect();
        if expired.is_empty() {
            return;
        }
        // The lease ran out: no finalizers, no grace, as etcd drops the key.
        for key in &expired {
            self.remove::<Event>(key);
        }
        let events = &self.collections.events;
        self.event_correlator.retain(|key| events.contains_key(key));
    }

    pub fn get<T: ApiObject>(&self, key: &ObjectKey) -> Option<&T> {
        T::collection(&self.collections).get(key).map(Arc::as_ref)
    }

    /// The stored object itself, shared: for readers that keep it across writes without copying it.
    pub fn get_shared<T: ApiObject>(&self, key: &ObjectKey) -> Option<Arc<T>> {
        T::collection(&self.collections).get(key).cloned()
    }

    /// A get as a client makes it: the object, or the apiserver's NotFound.
    pub fn fetch<T: ApiObject>(&self, key: &ObjectKey) -> Result<Arc<T>, ApiError> {
        self.get_shared::<T>(key).ok_or_else(|| ApiError::NotFound {
            resource: T::RESOURCE,
            name: key.name.clone(),
        })
    }

    pub fn list<T: ApiObject>(&self) -> impl Iterator<Item = &T> {
        T::collection(&self.collections).values().map(Arc::as_ref)
    }

    pub fn list_namespace<'a, T: ApiObject>(
        &'a self,
        namespace: &'a str,
    ) -> impl Iterator<Item = &'a T> + 'a {
        self.list_namespace_shared(namespace).map(Arc::as_ref)
    }

    /// `list_namespace`, sharing the stored objects.
    pub fn list_namespace_shared<'a, T: ApiObject>(
        &'a self,
        namespace: &'a str,
    ) -> impl Iterator<Item = &'a Arc<T>> + 'a {
        let start = ObjectKey::new(namespace, "");
        T::collection(&self.collections)
            .range(start..)
            .take_while(move |(k, _)| k.namespace == namespace)
            .map(|(_, v)| v)
    }

    /// Watch events since the last call, oldest first.
    pub(crate) fn take_pending(&mut self) -> Vec<WatchEvent> {
        std::mem::take(&mut self.pending)
    }

    pub fn create<T: Strategy>(&mut self, mut object: T) -> Result<Arc<T>, ApiError> {
        let meta = object.metadata_mut();
        if T::NAMESPACED && meta.namespace.as_deref().unwrap_or_default().is_empty() {
            meta.namespace = Some("default".into());
        }
        if !T::NAMESPACED {
            meta.namespace = None;
        }
        // The registry's create path, for every creator (kubectl, controllers, the provisioner): the request is
        // defaulted as it is decoded, prepared for the feature gates, changed by the mutating admission plugins,
        // and then validated.
        object.apply_defaults();
        object.prepare_for_gates(None, self.feature_gates);
        object.admit_create(&self.collections);
        let generated = self.generate_name(object.metadata());
        if let Some(generated) = generated {
            object.metadata_mut().name = Some(generated);
        }
        let name = object.metadata().name.clone().unwrap_or_default();
        // The kind's validation, then `ValidateObjectMeta` with the kind's name rule: a name reaches kubectl's
        // tables, events, DNS and the page's markup, so what is not a name never gets in.
        let mut causes = object.validate();
        if causes.is_empty() {
            causes = crate::api::validation::validate_name_of(T::KIND, &name);
        }
        if !causes.is_empty() {
            return Err(ApiError::Invalid {
                kind: T::KIND,
                name,
                causes,
            });
        }
        let key = object.key();
        if T::collection(&self.collections).contains_key(&key) {
            return Err(ApiError::AlreadyExists {
                resource: T::RESOURCE,
                name,
            });
        }
        let uid = self.next_uid();
        let resource_version = self.next_resource_version();
        let meta = object.metadata_mut();
        meta.uid = Some(uid);
        meta.resource_version = Some(resource_version);
        meta.creation_timestamp = Some(self.now.to_k8s());
        meta.deletion_timestamp = None;
        meta.generation = None;
        let generation = object.generation(None);
        object.metadata_mut().generation = generation;
        let shared = Arc::new(object);
        T::collection_mut(&mut self.collections).insert(key, shared.clone());
        self.emit(WatchEventType::Added, shared.clone());
        Ok(shared)
    }

    /// Replaces a stored object, through the registry's update path for every writer: the object is defaulted,
    /// prepared for the feature gates and validated against the stored one, whoever sends it (kubectl, a
    /// controller, the kubelet's status writes). Identity fields are the store's; an update that changes nothing
    /// is not written, as the apiserver skips no-op updates, so controllers can write unconditionally without
    /// waking each other.
    pub fn update<T: Strategy>(&mut self, mut object: T) -> Result<Arc<T>, ApiError> {
        let key = object.key();
        let old = self.fetch::<T>(&key)?;
        object.apply_defaults();
        object.prepare_for_gates(Some(&old), self.feature_gates);
        let causes = object.validate_update(&old);
        if !causes.is_empty() {
            return Err(ApiError::Invalid {
                kind: T::KIND,
                name: key.name,
                causes,
            });
        }
        object.metadata_mut().generation = object.generation(Some(&old));
        Ok(self.write(key, object, &old))
    }

    /// Stores an object that has passed its write path over `old`, the one stored at `key`: identity fields
    /// are the stored object's, a write that changes nothing is skipped, and an object being deleted whose last
    /// finalizer is gone is removed.
    fn write<T: ApiObject>(&mut self, key: ObjectKey, mut object: T, old: &Arc<T>) -> Arc<T> {
        preserve_identity(object.metadata_mut(), old.metadata());
        if object == **old {
            return old.clone();
        }
        if finalized_while_deleting(object.metadata()) {
            return Arc::new(
                self.remove::<T>(&key)
                    .expect("checked above that the object exists"),
            );
        }
        object.metadata_mut().resource_version = Some(self.next_resource_version());
        let shared = Arc::new(object);
        T::collection_mut(&mut self.collections).insert(key, shared.clone());
        self.emit(WatchEventType::Modified, shared.clone());
        shared
    }

    /// Reads, changes and writes back one object: the get-modify-update loop of a controller. A write here has
    /// no resourceVersion precondition and the simulation has one writer at a time, so it cannot conflict; a
    /// controller's change that its kind's rules accept can only fail with NotFound, when the object went
    /// away in the same instant.
    pub fn modify<T: Strategy>(
        &mut self,
        key: &ObjectKey,
        change: impl FnOnce(&mut T),
    ) -> Result<Arc<T>, ApiError> {
        let mut object = Arc::unwrap_or_clone(self.fetch::<T>(key)?);
        change(&mut object);
        self.update(object)
    }

    /// Deletes an object. An object with finalizers, or a pod bound to a node and given a grace period, is only
    /// marked with a deletionTimestamp; the kubelet or the finalizer's owner removes it later.
    pub fn delete<T: Strategy>(
        &mut self,
        key: &ObjectKey,
        options: DeleteOptions,
    ) -> Result<T, ApiError> {
        let mut object = Arc::unwrap_or_clone(self.fetch::<T>(key)?);
        if let Some(finalizer) = options
            .propagation_policy
            .and_then(PropagationPolicy::finalizer)
        {
            let finalizers = object
                .metadata_mut()
                .finalizers
                .get_or_insert_with(Vec::new);
            if !finalizers.iter().any(|f| f == finalizer) {
                finalizers.push(finalizer.to_string());
            }
        }
        let grace = object.graceful_deletion_seconds(&options);
        let has_finalizers = !object
            .metadata()
            .finalizers
            .as_deref()
            .unwrap_or_default()
            .is_empty();
        if grace == 0 && !has_finalizers {
            return Ok(self
                .remove::<T>(key)
                .expect("checked above that the object exists"));
        }
        let mut marked = object;
        let meta = marked.metadata_mut();
        let deadline = self.now.plus_secs(grace as u64).to_k8s();
        let shorter = meta
            .deletion_grace_period_seconds
            .is_none_or(|current| grace < current);
        if meta.deletion_timestamp.is_none() || shorter {
            meta.deletion_timestamp = Some(deadline);
            meta.deletion_grace_period_seconds = Some(grace);
        }
        self.update(marked).map(Arc::unwrap_or_clone)
    }

    fn remove<T: ApiObject>(&mut self, key: &ObjectKey) -> Option<T> {
        let mut object =
            Arc::unwrap_or_clone(T::collection_mut(&mut self.collections).remove(key)?);
        object.metadata_mut().resource_version = Some(self.next_resource_version());
        let shared = Arc::new(object);
        self.emit(WatchEventType::Deleted, shared.clone());
        Some(Arc::unwrap_or_clone(shared))
    }

    fn emit<T: ApiObject>(&mut self, event_type: WatchEventType, object: Arc<T>) {
        self.last_writes
            .insert(T::KIND, (self.resource_version, object.key()));
        self.pending.push(WatchEvent {
            at: self.now,
            event_type,
            object: object.into_object(),
        });
    }

    /// The last write to an object of kind `T` (created, updated or deleted): the store's resourceVersion after
    /// it, and the object's key. A reader that shows a whole kind can skip its work while this stays the same.
    pub fn last_write<T: ApiObject>(&self) -> Option<&(u64, ObjectKey)> {
        self.last_writes.get(T::KIND)
    }

    /// The latest resourceVersion handed out: it moves with every write.
    pub fn resource_version(&self) -> u64 {
        self.resource_version
    }

    fn next_resource_version(&mut self) -> String {
        self.resource_version += 1;
        self.resource_version.to_string()
    }

    /// `names.SimpleNameGenerator`: `generateName` plus five characters from the alphabet upstream uses to avoid
    /// words, drawn from the store's own deterministic sequence.
    fn generate_name(&mut self, meta: &ObjectMeta) -> Option<String> {
        const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
        let prefix = meta.generate_name.as_deref().filter(|p| !p.is_empty())?;
        if meta.name.as_deref().is_some_and(|n| !n.is_empty()) {
            return None;
        }
        self.uid_counter += 1;
        let mut mixer = crate::rng::Rng::new(self.uid_seed ^ self.uid_counter.rotate_left(17));
        let suffix: String = (0..5)
            .map(|_| char::from(ALPHANUMS[(mixer.next_u64() % ALPHANUMS.len() as u64) as usize]))
            .collect();
        Some(format!("{prefix}{suffix}"))
    }

    /// UUIDs that look random but follow from the seed and the creation order alone.
    fn next_uid(&mut self) -> String {
        self.uid_counter += 1;
        let mut mixer = crate::rng::Rng::new(
            self.uid_seed ^ self.uid_counter.wrapping_mul(0x2545_F491_4F6C_DD1D),
        );
        let (a, b) = (mixer.next_u64(), mixer.next_u64());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | ((b >> 48) & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }
}

fn preserve_identity(new: &mut ObjectMeta, old: &ObjectMeta) {
    new.uid = old.uid.clone();
    new.creation_timestamp = old.creation_timestamp.clone();
    new.resource_version = old.resource_version.clone();
    // Once set, a deletion timestamp only moves through `delete`, which may shorten it.
    if old.deletion_timestamp.is_some() && new.deletion_timestamp.is_none() {
        new.deletion_timestamp = old.deletion_timestamp.clone();
        new.deletion_grace_period_seconds = old.deletion_grace_period_seconds;
    }
}

/// The last finalizer of an object that is being deleted is gone: the apiserver removes it.
fn finalized_while_deleting(meta: &ObjectMeta) -> bool {
    meta.deletion_timestamp.is_some()
        && meta.finalizers.as_deref().unwrap_or_default().is_empty()
        && meta.deletion_grace_period_seconds.unwrap_or(0) == 0
}
