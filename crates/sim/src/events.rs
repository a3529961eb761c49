//! The event recorder: `record.EventRecorder` with the correlator's aggregation of repeated events.

use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::event_correlator::Correlation;
use crate::object::ApiObject;
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
        .latest(&correlation)
        .filter(|key| {
            store.get::<Event>(key).is_some_and(|e| {
                e.last_timestamp
                    .as_ref()
                    .is_some_and(|t| now.0 <= SimTime::from_k8s(t).0 + AGGREGATION_WINDOW_MS)
            })
        })
        .cloned();
    if let Some(key) = repeat {
        // Best effort, as client-go's recorder is: a repeat whose event is gone in the same instant is dropped.
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
        // client-go's recorder (tools/record/event.go, generateEvent) copies its source into both; a
        // controller's source has no host, so its events carry an empty instance, as kubelet's carry the node.
        reporting_component: Some(component.into()),
        reporting_instance: Some(host.unwrap_or_default().into()),
        ..Event::default()
    };
    let created = store
        .create(event)
        .expect("event names are unique by construction");
    store.event_correlator.remember(correlation, created.key());
}

fn store_len(store: &Store) -> u64 {
    store.events.len() as u64
}
