//! The three patch types of `kubectl patch --type`: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and
//! the strategic merge patch, which merges the lists Kubernetes declares a merge key for instead of
//! replacing them.

use serde_json::{Map, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatchType {
    Json,
    Merge,
    Strategic,
}

impl PatchType {
    pub fn parse(text: &str) -> Result<PatchType, String> {
        match text {
            "json" => Ok(PatchType::Json),
            "merge" => Ok(PatchType::Merge),
            "strategic" => Ok(PatchType::Strategic),
            other => Err(format!(
                "error: --type must be one of [json merge strategic], not \"{other}\""
            )),
        }
    }
}

/// Applies `patch` to `target`. Errors read as the apiserver words them.
pub fn apply_patch(target: &Value, patch: &Value, patch_type: PatchType) -> Result<Value, String> {
    match patch_type {
        PatchType::Merge => Ok(merge_patch(target, patch)),
        PatchType::Strategic => {
            if !patch.is_object() {
                return Err(
                    "json: cannot unmarshal array into Go value of type map[string]interface {}"
                        .into(),
                );
            }
            Ok(strategic_merge(target, patch))
        }
        PatchType::Json => json_patch(target, patch),
    }
}

/// RFC 7386: objects merge recursively, `null` removes, anything else replaces.
fn merge_patch(target: &Value, patch: &Value) -> Value {
    let Value::Object(patch_map) = patch else {
        return patch.clone();
    };
    let mut result = match target {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    for (key, value) in patch_map {
        if value.is_null() {
            result.remove(key);
        } else {
            let merged = merge_patch(result.get(key).unwrap_or(&Value::Null), value);
            result.insert(key.clone(), merged);
        }
    }
    Value::Object(result)
}

/// The `patchMergeKey` of the list fields simulated here, by field name and, where two types share a name,
/// by what the list holds: a container's `ports` merge by `containerPort`, a Service's by `port`.
pub(crate) fn merge_key(field: &str, items: &[Value]) -> Option<&'static str> {
    if field == "ports" {
        let of_container = items.iter().any(|item| item.get("containerPort").is_some());
        return Some(if of_container {
            "containerPort"
        } else {
            "port"
        });
    }
    Some(match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "volumes"
        | "env"
        | "imagePullSecrets" => "name",
        "volumeMounts" => "mountPath",
        "conditions" => "type",
        "ownerReferences" => "uid",
        _ => return None,
    })
}

/// Lists of scalars that merge as sets (`patchStrategy: merge` without a key).
fn merges_as_set(field: &str) -> bool {
    field == "finalizers"
}

/// The strategic merge patch: like a merge patch, but `$patch: replace|delete` directives are honoured and
/// lists with a merge key are merged element by element.
fn strategic_merge(target: &Value, patch: &Value) -> Value {
    let Value::Object(patch_map) = patch else {
        return patch.clone();
    };
    match patch_map.get("$patch").and_then(Value::as_str) {
        Some("replace") => {
            let mut replaced = patch_map.clone();
            replaced.remove("$patch");
            return Value::Object(replaced);
        }
        Some("delete") => return Value::Null,
        _ => {}
    }
    let mut result = match target {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    for (key, value) in patch_map {
        if key.starts_with('$') {
            continue;
        }
        if value.is_null() {
            result.remove(key);
            continue;
        }
        let live = result.get(key).cloned().unwrap_or(Value::Null);
        let merged = match (&live, value) {
            (Value::Array(live_items), Value::Array(patch_items)) => {
                merge_list(key, live_items, patch_items)
            }
            (_, Value::Object(_)) => strategic_merge(&live, value),
            _ => value.clone(),
        };
        if merged.is_null() {
            result.remove(key);
        } else {
            result.insert(key.clone(), merged);
        }
    }
    apply_directives(&mut result, patch_map);
    Value::Object(result)
}

/// The directives `kubectl apply`'s three-way patch carries besides the fields (strategicpatch's
/// `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>` and `$retainKeys`), applied to a merged map.
fn apply_directives(result: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (key, value) in patch {
        if let Some(field) = key.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(Value::Array(items)), Value::Array(gone)) = (result.get_mut(field), value)
            {
                items.retain(|item| !gone.contains(item));
            }
        } else if let Some(field) = key.strip_prefix("$setElementOrder/") {
            if let (Some(Value::Array(items)), Value::Array(order)) = (result.get_mut(field), value)
            {
                set_element_order(field, items, order);
            }
        } else if key == "$retainKeys" {
            if let Value::Array(kept) = value {
                result.retain(|name, _| kept.iter().any(|k| k.as_str() == Some(name)));
            }
        }
    }
}

/// Puts a merged list in the order the patch gives (by merge key, or by value for a list of scalars); items
/// it does not name (the server's own) follow, in their order.
fn set_element_order(field: &str, items: &mut [Value], order: &[Value]) {
    let key = merge_key(field, order);
    let identity = |item: &Value| match key {
        Some(key) => item.get(key).cloned(),
        None => Some(item.clone()),
    };
    let rank = |item: &Value| {
        let id = identity(item);
        order
            .iter()
            .position(|named| id.is_some() && identity(named) == id)
            .unwrap_or(order.len())
    };
    items.sort_by_key(rank);
}

fn merge_list(field: &str, live: &[Value], patch: &[Value]) -> Value {
    if merges_as_set(field) {
        let mut merged = live.to_vec();
        for item in patch {
            if !merged.contains(item) {
                merged.push(item.clone());
            }
        }
        return Value::Array(merged);
    }
    let Some(key) = merge_key(field, patch) else {
        return Value::Array(patch.to_vec());
    };
    let mut merged = live.to_vec();
    for item in patch {
        let wanted = item.get(key);
        let position = merged
            .iter()
            .position(|existing| wanted.is_some() && existing.get(key) == wanted);
        match position {
            Some(index) => {
                let patched = strategic_merge(&merged[index], item);
                if patched.is_null() {
                    merged.remove(index);
                } else {
                    merged[index] = patched;
                }
            }
            None if item.get("$patch").is_none() => merged.push(item.clone()),
            None => {}
        }
    }
    Value::Array(merged)
}

/// RFC 6902 with the operations kubectl users write: add, remove, replace, test, move, copy.
fn json_patch(target: &Value, patch: &Value) -> Result<Value, String> {
    let Value::Array(operations) = patch else {
        return Err("json: cannot unmarshal object into Go value of type jsonpatch.Patch".into());
    };
    let mut document = target.clone();
    for operation in operations {
        let op = operation
            .get("op")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let path = operation
            .get("path")
            .and_then(Value::as_str)
            .unwrap_or_default();
        match op {
            "add" => add(&mut document, path, value_of(operation)?)?,
            "remove" => {
                remove(&mut document, path)?;
            }
            "replace" => {
                remove(&mut document, path)?;
                add(&mut document, path, value_of(operation)?)?;
            }
            "test" => {
                if document.pointer(path) != Some(&value_of(operation)?) {
                    return Err(format!("testing value {path} failed: test failed"));
                }
            }
            "move" | "copy" => {
                let from = operation
                    .get("from")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let value = document
                    .pointer(from)
                    .cloned()
                    .ok_or_else(|| missing(from))?;
                if op == "move" {
                    remove(&mut document, from)?;
                }
                add(&mut document, path, value)?;
            }
            other => return Err(format!("Unexpected kind: {other}")),
        }
    }
    Ok(document)
}

fn value_of(operation: &Value) -> Result<Value, String> {
    operation
        .get("value")
        .cloned()
        .ok_or_else(|| "missing value".to_string())
}

fn missing(path: &str) -> String {
    format!("doc is missing path: \"{path}\": missing value")
}

fn split_parent(path: &str) -> Result<(&str, String), String> {
    let (parent, last) = path.rsplit_once('/').ok_or_else(|| missing(path))?;
    Ok((parent, last.replace("~1", "/").replace("~0", "~")))
}

fn add(document: &mut Value, path: &str, value: Value) -> Result<(), String> {
    if path.is_empty() {
        *document = value;
        return Ok(());
    }
    let (parent, last) = split_parent(path)?;
    let container = document.pointer_mut(parent).ok_or_else(|| missing(path))?;
    match container {
        Value::Object(map) => {
            map.insert(last, value);
            Ok(())
        }
        Value::Array(items) => {
            let index = if last == "-" {
                items.len()
            } else {
                last.parse::<usize>().map_err(|_| missing(path))?
            };
            if index > items.len() {
                return Err(format!(
                    "add operation does not apply: doc is missing path: \"{path}\": missing value"
                ));
            }
            items.insert(index, value);
            Ok(())
        }
        _ => Err(missing(path)),
    }
}

fn remove(document: &mut Value, path: &str) -> Result<Value, String> {
    let (parent, last) = split_parent(path)?;
    let container = document.pointer_mut(parent).ok_or_else(|| missing(path))?;
    match container {
        Value::Object(map) => map.remove(&last).ok_or_else(|| missing(path)),
        Value::Array(items) => {
            let index = last.parse::<usize>().map_err(|_| missing(path))?;
            if index >= items.len() {
                return Err(missing(path));
            }
            Ok(items.remove(index))
        }
        _ => Err(missing(path)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_sets_and_removes() {
        let target = json!({"a": 1, "b": {"c": 2, "d": 3}});
        let patched = merge_patch(&target, &json!({"b": {"c": null, "e": 4}}));
        assert_eq!(patched, json!({"a": 1, "b": {"d": 3, "e": 4}}));
    }

    #[test]
    fn strategic_patch_merges_containers_by_name() {
        let target = json!({"spec": {"containers": [
            {"name": "nginx", "image": "nginx:1.24"},
            {"name": "sidecar", "image": "busybox"}
        ]}});
        let patch = json!({"spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}});
        let patched = apply_patch(&target, &patch, PatchType::Strategic).unwrap();
        assert_eq!(
            patched["spec"]["containers"],
            json!([{"name": "nginx", "image": "nginx:1.25"}, {"name": "sidecar", "image": "busybox"}])
        );
        // A merge patch replaces the list instead.
        let merged = apply_patch(&target, &patch, PatchType::Merge).unwrap();
        assert_eq!(merged["spec"]["containers"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn strategic_patch_directives_of_kubectl_apply() {
        let target = json!({"spec": {
            "containers": [{"name": "a", "image": "1"}, {"name": "b", "image": "2"}],
            "finalizers": ["x", "y"],
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 1}}
        }});
        let patch = json!({"spec": {
            "$setElementOrder/containers": [{"name": "b"}, {"name": "a"}],
            "containers": [{"name": "a", "image": "3"}],
            "$deleteFromPrimitiveList/finalizers": ["x"],
            "strategy": {"$retainKeys": ["type"], "type": "OnDelete"}
        }});
        let patched = apply_patch(&target, &patch, PatchType::Strategic).unwrap();
        assert_eq!(
            patched,
            json!({"spec": {
                "containers": [{"name": "b", "image": "2"}, {"name": "a", "image": "3"}],
                "finalizers": ["y"],
                "strategy": {"type": "OnDelete"}
            }})
        );
    }

    #[test]
    fn json_patch_replaces_adds_and_removes() {
        let target = json!({"spec": {"replicas": 3, "list": [1, 2]}});
        let patch = json!([
            {"op": "replace", "path": "/spec/replicas", "value": 5},
            {"op": "add", "path": "/spec/list/-", "value": 3},
            {"op": "remove", "path": "/spec/list/0"}
        ]);
        let patched = apply_patch(&target, &patch, PatchType::Json).unwrap();
        assert_eq!(patched, json!({"spec": {"replicas": 5, "list": [2, 3]}}));
        assert!(apply_patch(
            &target,
            &json!([{"op": "remove", "path": "/nope"}]),
            PatchType::Json
        )
        .is_err());
    }
}
