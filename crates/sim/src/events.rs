//! The event recorder: `record.EventRecorder` with the correlator's aggregation of repeated events.

use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use std::collections::HashMap;

use crate::object::{ApiObject, ObjectKey};
use crate::store::Store;
use crate::time::SimTime;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    Normal,
    Warning,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Normal => "Normal",
            EventType::Warning => "Warning",
        }
    }
}

/// The component names `kubectl get events` shows in its SOURCE column.
pub mod component {
    pub const STATEFULSET: &str = "statefulset-controller";
    pub const SCHEDULER: &str = "default-scheduler";
    pub const KUBELET: &str = "kubelet";
    pub const PERSISTENT_VOLUME: &str = "persistentvolume-controller";
    pub const LOCAL_PATH_PROVISIONER: &str = "rancher.io/local-path_local-path-provisioner";
    pub const NODE_CONTROLLER: &str = "node-controller";
    pub const TAINT_EVICTION: &str = "taint-eviction-controller";
}

/// Repeats of an event within this window are folded into one object whose count grows, as the client-go
/// event correlator does.
const AGGREGATION_WINDOW_MS: u64 = 10 * 60 * 1000;

/// kube-apiserver's `--event-ttl` default: etcd forgets an Event an hour after it was last written.
pub const EVENT_TTL: SimTime = SimTime(3_600_000);

/// The apiserver puts events on leases it reuses for a minute (`LeaseReuseDurationSeconds`), so an event may
/// outlive its TTL by up to a minute; sweeping once a simulated minute has the same effect.
const EXPIRY_SWEEP_MS: u64 = 60_000;

/// The correlator's cache: which event a repeat would fold into, by what makes two events the same.
#[derive(Clone, Debug, Default)]
pub struct EventCorrelator {
    latest: HashMap<Correlation, ObjectKey>,
    /// When expired events are next removed.
    next_sweep: SimTime,
}

/// Removes the events last written `EVENT_TTL` ago or longer, as their leases expire: watchers see them
/// deleted, and a run of any length holds only its last hour of events.
pub(crate) fn expire(store: &mut Store) {
    let now = store.now();
    if now < store.event_correlator.next_sweep {
        return;
    }
    store.event_correlator.next_sweep = now.plus_millis(EXPIRY_SWEEP_MS);
    let expired: Vec<ObjectKey> = store
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
    for key in &expired {
        store.expire::<Event>(key);
    }
    let live: std::collections::HashSet<ObjectKey> =
        store.list::<Event>().map(ApiObject::key).collect();
    store
        .event_correlator
        .latest
        .retain(|_, key| live.contains(key));
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Correlation {
    namespace: String,
    involved_uid: Option<String>,
    reason: String,
    message: String,
    component: String,
}

pub fn record<T: ApiObject>(
    store: &mut Store,
    involved: &T,
    event_type: EventType,
    reason: &str,
    message: impl Into<String>,
    component: &str,
    host: Option<&str>,
) {
    let message = message.into();
    let meta = involved.metadata();
    let namespace = meta.namespace.clone().unwrap_or_else(|| "default".into());
    let now = store.now();
    let correlation = Correlation {
        namespace: namespace.clone(),
        involved_uid: meta.uid.clone(),
        reason: reason.into(),
        message: message.clone(),
        component: component.into(),
    };
    let repeat = store
        .event_correlator
        .latest
        .get(&correlation)
        .filter(|key| {
            store.get::<Event>(key).is_some_and(|e| {
                e.last_timestamp
                    .as_ref()
                    .is_some_and(|t| now.0 <= SimTime::from_k8s(t).0 + AGGREGATION_WINDOW_MS)
            })
        })
        .cloned();
    if let Some(key) = repeat {
        let _ = store.modify::<Event>(&key, |e| {
            e.count = Some(e.count.unwrap_or(1) + 1);
            e.last_timestamp = Some(now.to_k8s());
        });
        return;
    }
    let involved_name = meta.name.clone().unwrap_or_default();
    let event = Event {
        metadata: ObjectMeta {
            // client-go names events `<object>.<unix nanos in hex>`; simulated nanoseconds keep them unique.
            name: Some(format!(
                "{involved_name}.{:x}",
                0x1820_0000_0000_0000u64
                    .wrapping_add(now.0.wrapping_mul(1_000_000))
                    .wrapping_add(store_len(store))
            )),
            namespace: Some(namespace.clone()),
            ..ObjectMeta::default()
        },
        involved_object: ObjectReference {
            api_version: Some(T::API_VERSION.into()),
            kind: Some(T::KIND.into()),
            name: Some(involved_name),
            namespace: meta.namespace.clone(),
            uid: meta.uid.clone(),
            resource_version: meta.resource_version.clone(),
            field_path: None,
        },
        reason: Some(reason.into()),
        message: Some(message),
        type_: Some(event_type.as_str().into()),
        source: Some(EventSource {
            component: Some(component.into()),
            host: host.map(Into::into),
        }),
        first_timestamp: Some(now.to_k8s()),
        last_timestamp: Some(now.to_k8s()),
        count: Some(1),
        reporting_component: Some(component.into()),
        reporting_instance: Some(host.unwrap_or(component).into()),
        ..Event::default()
    };
    let created = store
        .create(event)
        .expect("event names are unique by construction");
    store
        .event_correlator
        .latest
        .insert(correlation, created.key());
}

fn store_len(store: &Store) -> u64 {
    store.events.len() as u64
}
