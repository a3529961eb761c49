//! `kubectl apply -f`: each document is created, or three-way merged into the live object through the
//! last-applied-configuration annotation, then defaulted, validated and written.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{
    ConfigMap, Namespace, PersistentVolume, PersistentVolumeClaim, Pod, Secret, Service,
};
use k8s_openapi::api::storage::v1::StorageClass;
use serde_json::Value;
use std::sync::Arc;

use super::errors;
use crate::api::decode::{decode_strict, parse_documents, ManifestError};
use crate::api::strategy::Strategy;
use crate::cluster::Cluster;
use crate::object::{ApiObject, ObjectKey};
use crate::store::{ApiError, Store};

pub const LAST_APPLIED_ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// What `kubectl apply` printed for one document: `statefulset.apps/web created` on stdout, or an error line
/// on stderr.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentOutcome {
    /// The line the document starts on.
    pub line: usize,
    pub result: Result<String, String>,
}

/// `kubectl apply -f -` as a method of the cluster (`cluster.apply(manifest)`), for tests and examples; it
/// lives here, with kubectl, because the cluster knows nothing of its clients.
pub trait Apply {
    /// Applies at the cluster's current instant; the controllers react before this returns.
    fn apply(&mut self, manifest: &str) -> Result<Vec<DocumentOutcome>, ManifestError>;
}

impl Apply for Cluster {
    /// kubectl reads every document first, so a YAML syntax error anywhere applies nothing; then it sends one
    /// request per document, in order, and the controllers react to each before the next arrives, as they do
    /// to the same requests sent to `ordinal serve-api`.
    fn apply(&mut self, manifest: &str) -> Result<Vec<DocumentOutcome>, ManifestError> {
        let documents = parse_documents(manifest)?;
        Ok(documents
            .into_iter()
            .map(|doc| DocumentOutcome {
                line: doc.first_line,
                result: self.with_store(|store| apply_document(store, doc.value, "STDIN")),
            })
            .collect())
    }
}

fn apply_document(store: &mut Store, value: Value, source: &str) -> Result<String, String> {
    let api_version = value
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let kind = value
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let missing: Vec<&str> = [
        (api_version.is_empty(), "apiVersion not set"),
        (kind.is_empty(), "kind not set"),
    ]
    .into_iter()
    .filter_map(|(is_missing, message)| is_missing.then_some(message))
    .collect();
    if !missing.is_empty() {
        return Err(format!(
            "error: error validating \"{source}\": error validating data: [{}]; if you choose to ignore these errors, turn validation off with --validate=false",
            missing.join(", ")
        ));
    }
    match (api_version.as_str(), kind.as_str()) {
        ("apps/v1", "StatefulSet") => apply_object::<StatefulSet>(store, value, source),
        ("v1", "Service") => apply_object::<Service>(store, value, source),
        ("v1", "PersistentVolume") => apply_object::<PersistentVolume>(store, value, source),
        ("v1", "PersistentVolumeClaim") => {
            apply_object::<PersistentVolumeClaim>(store, value, source)
        }
        ("v1", "Pod") => apply_object::<Pod>(store, value, source),
        ("storage.k8s.io/v1", "StorageClass") => apply_object::<StorageClass>(store, value, source),
        ("v1", "Namespace") => apply_object::<Namespace>(store, value, source),
        ("v1", "ConfigMap") => apply_object::<ConfigMap>(store, value, source),
        ("v1", "Secret") => apply_object::<Secret>(store, value, source),
        _ => {
            let name = value
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let namespace = value
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .unwrap_or_default();
            Err(format!(
                "error: resource mapping not found for name: \"{name}\" namespace: \"{namespace}\" from \"{source}\": no matches for kind \"{kind}\" in version \"{api_version}\"\nensure CRDs are installed first"
            ))
        }
    }
}

/// `statefulset.apps/web`: the lower-case kind, its API group, and the name.
pub fn resource_name<T: ApiObject>(name: &str) -> String {
    let group = T::API_VERSION
        .rsplit_once('/')
        .map(|(group, _)| format!(".{group}"))
        .unwrap_or_default();
    format!("{}{group}/{name}", T::KIND.to_lowercase())
}

fn apply_object<T: Strategy>(
    store: &mut Store,
    mut value: Value,
    source: &str,
) -> Result<String, String> {
    let version = T::API_VERSION.rsplit('/').next().unwrap_or(T::API_VERSION);
    // Status is not the user's to set: it belongs to the status subresource.
    if let Value::Object(map) = &mut value {
        map.remove("status");
    }
    let mut given: T = decode_strict(&value, T::KIND, version).map_err(|e| {
        format!("Error from server (BadRequest): error when creating \"{source}\": {e}")
    })?;
    let meta = given.metadata_mut();
    if T::NAMESPACED && meta.namespace.as_deref().unwrap_or_default().is_empty() {
        meta.namespace = Some("default".into());
    }
    let key = given.key();
    let name = key.name.clone();
    if T::NAMESPACED
        && store
            .get::<Namespace>(&ObjectKey::cluster(key.namespace.clone()))
            .is_none()
    {
        return Err(format!(
            "Error from server (NotFound): error when creating \"{source}\": namespaces \"{}\" not found",
            key.namespace
        ));
    }
    let applied = applied_configuration(&value, T::NAMESPACED.then_some(key.namespace.as_str()));
    let applied_json = format!("{}\n", super::printers::to_compact_json(&applied));
    let live = store.get::<T>(&key).cloned();
    let Some(live) = live else {
        given
            .metadata_mut()
            .annotations
            .get_or_insert_with(Default::default)
            .insert(LAST_APPLIED_ANNOTATION.into(), applied_json);
        store.create(given).map_err(|e| match e {
            ApiError::Invalid { .. } => errors::from_server(&e),
            _ => format!("Error from server: error when creating \"{source}\": {e}"),
        })?;
        return Ok(format!("{} created", resource_name::<T>(&name)));
    };

    let mut merged = serde_json::to_value(&live).expect("stored objects serialize");
    let previous = live
        .metadata()
        .annotations
        .as_ref()
        .and_then(|a| a.get(LAST_APPLIED_ANNOTATION))
        .and_then(|text| serde_json::from_str::<Value>(text).ok());
    // kubectl sends a patch only when the manifest differs from the live object (or drops what the last apply
    // set), and says `unchanged` when it has none to send, whatever the server would make of it.
    let current = merged.clone();
    let mut modified = applied.clone();
    if let Some(annotations) = modified.pointer_mut("/metadata/annotations") {
        annotations[LAST_APPLIED_ANNOTATION] = Value::from(applied_json.as_str());
    }
    let patched = differs(&current, &modified) || drops_applied(previous.as_ref(), &applied);
    three_way_merge(&mut merged, previous.as_ref(), &applied);
    let mut updated = T::deserialize(&merged).map_err(|e| {
        format!("Error from server (BadRequest): error when applying patch to \"{source}\": {e}")
    })?;
    updated
        .metadata_mut()
        .annotations
        .get_or_insert_with(Default::default)
        .insert(LAST_APPLIED_ANNOTATION.into(), applied_json);
    if !patched {
        return Ok(format!("{} unchanged", resource_name::<T>(&name)));
    }
    // The apiserver defaults and validates the merged object; a patch that changes nothing is not written (the
    // object keeps its resourceVersion), and kubectl, having sent one, still says `configured`.
    store.update(updated).map_err(|e| match e {
        ApiError::Invalid { .. } => errors::from_server(&e),
        _ => format!("Error from server: error when applying patch to \"{source}\": {e}"),
    })?;
    Ok(format!("{} configured", resource_name::<T>(&name)))
}

/// The apiserver's update path for a client's full replacement of an object (what `kubectl patch`, `label`
/// and friends send once they have computed the new object): defaults, update validation, then the write.
/// Status belongs to the status subresource, so the live status is kept. kubectl prints a refusal with
/// `errors::from_server`.
pub(crate) fn update_object<T: Strategy>(store: &mut Store, mut updated: T) -> Result<T, ApiError> {
    let key = updated.key();
    let live = store.fetch::<T>(&key)?;
    crate::api::keep_status(&mut updated, &live);
    store.update(updated).map(Arc::unwrap_or_clone)
}

/// The manifest as kubectl records it in the annotation (`GetModifiedConfiguration`): without the annotation
/// itself but with the annotations map it leaves (`"annotations":{}` when the manifest has none), and with the
/// namespace the object goes to when its kind is namespaced, as kubectl's builder sets it before the object
/// is encoded (compact JSON with sorted keys).
fn applied_configuration(value: &Value, namespace: Option<&str>) -> Value {
    let mut recorded = value.clone();
    if let Some(metadata) = recorded.get_mut("metadata").and_then(Value::as_object_mut) {
        let annotations = metadata
            .entry("annotations")
            .or_insert_with(|| Value::Object(Default::default()));
        if let Some(annotations) = annotations.as_object_mut() {
            annotations.remove(LAST_APPLIED_ANNOTATION);
        }
        if let Some(namespace) = namespace {
            metadata.insert("namespace".into(), Value::from(namespace));
        }
    }
    recorded
}

/// Whether `modified` sets anything `current` does not hold, as strategicpatch's `diffMaps` (ignoring
/// deletions) finds it: maps field by field, lists with a merge key element by element, other lists whole.
fn differs(current: &Value, modified: &Value) -> bool {
    differs_in(None, current, modified)
}

fn differs_in(field: Option<&str>, current: &Value, modified: &Value) -> bool {
    match (current, modified) {
        (Value::Object(current), Value::Object(modified)) => modified.iter().any(|(key, value)| {
            current
                .get(key)
                .is_none_or(|live| differs_in(Some(key), live, value))
        }),
        (Value::Array(current), Value::Array(modified)) => {
            let key = field.and_then(|field| crate::api::patch::merge_key(field, modified));
            match key {
                Some(key) => modified.iter().any(|item| {
                    let live = current
                        .iter()
                        .find(|live| item.get(key).is_some() && live.get(key) == item.get(key));
                    live.is_none_or(|live| differs_in(None, live, item))
                }),
                None => current != modified,
            }
        }
        _ => current != modified,
    }
}

/// Whether the last apply set a field the manifest no longer has, which the patch then deletes.
fn drops_applied(previous: Option<&Value>, applied: &Value) -> bool {
    match (previous, applied) {
        (Some(Value::Object(previous)), Value::Object(applied)) => {
            previous.iter().any(|(key, value)| match applied.get(key) {
                None => true,
                Some(now) => drops_applied(Some(value), now),
            })
        }
        _ => false,
    }
}

/// The three-way merge of `kubectl apply`: fields in the new manifest are set, fields the previous apply set
/// but the new one drops are removed, and everything else (defaults, controller-written fields) stays. Lists
/// are replaced whole.
pub fn three_way_merge(live: &mut Value, previous: Option<&Value>, new: &Value) {
    let (Value::Object(live_map), Value::Object(new_map)) = (&mut *live, new) else {
        *live = new.clone();
        return;
    };
    for (key, new_value) in new_map {
        let previous_value = previous.and_then(|p| p.get(key));
        match live_map.get_mut(key) {
            Some(live_value) if live_value.is_object() && new_value.is_object() => {
                three_way_merge(live_value, previous_value, new_value);
            }
            _ => {
                live_map.insert(key.clone(), new_value.clone());
            }
        }
    }
    if let Some(Value::Object(previous_map)) = previous {
        for key in previous_map.keys().filter(|k| !new_map.contains_key(*k)) {
            live_map.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn three_way_merge_sets_removes_and_keeps() {
        let mut live = json!({"spec": {"replicas": 5, "podManagementPolicy": "OrderedReady", "minReadySeconds": 10}});
        let previous = json!({"spec": {"replicas": 3, "minReadySeconds": 10}});
        let new = json!({"spec": {"replicas": 4}});
        three_way_merge(&mut live, Some(&previous), &new);
        assert_eq!(
            live,
            json!({"spec": {"replicas": 4, "podManagementPolicy": "OrderedReady"}})
        );
    }

    #[test]
    fn resource_names_carry_the_group() {
        assert_eq!(resource_name::<StatefulSet>("web"), "statefulset.apps/web");
        assert_eq!(resource_name::<Service>("nginx"), "service/nginx");
        assert_eq!(
            resource_name::<StorageClass>("standard"),
            "storageclass.storage.k8s.io/standard"
        );
    }
}
