//! The OpenAPI v3 documents (k8s.io/kube-openapi's `/openapi/v3` handler): an index naming one document per
//! group version, and each document's paths with their operations, as kube-apiserver's route builder
//! (apiserver/pkg/endpoints/installer.go) names and describes them. kubectl reads them before a write, to
//! learn that the server validates fields itself (`fieldValidation` on each PATCH operation, which
//! cli-runtime's `queryParamVerifierV3` looks for), and skips its own validation then.
//!
//! The schemas are the kinds' names and group-version-kinds, without their fields; the PATCH operations offer
//! JSON and merge patches but not the strategic merge patch, so that kubectl computes `apply`'s patches from
//! its compiled-in types (as it does for a server without schemas) rather than from a schema without patch
//! strategies. `/openapi/v2` is not served.

use std::hash::{Hash, Hasher};

use serde_json::{json, Map, Value};

use super::discovery::GROUPS;
use super::handlers::{subresources, Subresource};
use super::Response;
use crate::api::resources::ResourceType;
use crate::cluster::KUBERNETES_VERSION;

/// `/openapi/v3`: a document per served group version, with the address it is served at. The `hash` changes
/// when the document does, so clients may cache it by address.
pub(super) fn index() -> Response {
    let paths: Map<String, Value> = group_versions()
        .into_iter()
        .map(|(group, path)| {
            let document = serde_json::to_vec(&document(group)).expect("JSON values serialize");
            let url = format!("/openapi/v3/{path}?hash={:016X}", hash(&document));
            (path, json!({ "serverRelativeURL": url }))
        })
        .collect();
    Response::json(200, &json!({ "paths": paths }))
}

/// `/openapi/v3/<group version path>`, or None when no group version is served there.
pub(super) fn group_version(path: &str) -> Option<Response> {
    let (group, _) = group_versions().into_iter().find(|(_, p)| p == path)?;
    Some(Response::json(200, &document(group)))
}

/// The served group versions (`""`: the core group) and their paths (`api/v1`, `apis/apps/v1`).
fn group_versions() -> Vec<(&'static str, String)> {
    std::iter::once(("", "api/v1".to_string()))
        .chain(GROUPS.iter().map(|g| (*g, format!("apis/{g}/v1"))))
        .collect()
}

fn hash(bytes: &[u8]) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}

/// The document of one group.
fn document(group: &str) -> Value {
    let kinds: Vec<ResourceType> = ResourceType::ALL
        .into_iter()
        .filter(|t| t.group_version() == (group, "v1"))
        .collect();
    let mut paths = Map::new();
    let mut schemas = Map::new();
    for kind in &kinds {
        resource_paths(*kind, &mut paths);
        let (group, version) = kind.group_version();
        schemas.insert(
            schema_name(group, kind.kind()),
            kind_schema(group, version, kind.kind()),
        );
        for sub in subresources(*kind) {
            let (group, version, sub_kind) = sub.response;
            schemas.insert(
                schema_name(group, sub_kind),
                kind_schema(group, version, sub_kind),
            );
        }
    }
    json!({
        "openapi": "3.0.0",
        "info": { "title": "Kubernetes", "version": KUBERNETES_VERSION },
        "paths": paths,
        "components": { "schemas": schemas },
    })
}

/// `io.k8s.api.apps.v1.StatefulSet`: the Go package's path, as the definitions are named.
fn schema_name(group: &str, kind: &str) -> String {
    let package = match group {
        "" => "core",
        group => group.split('.').next().unwrap_or(group),
    };
    format!("io.k8s.api.{package}.v1.{kind}")
}

fn kind_schema(group: &str, version: &str, kind: &str) -> Value {
    json!({
        "type": "object",
        "x-kubernetes-group-version-kind": [{ "group": group, "kind": kind, "version": version }],
    })
}

/// The operations on a resource's paths: its collection, each object, and each subresource.
fn resource_paths(kind: ResourceType, paths: &mut Map<String, Value>) {
    let (group, version) = kind.group_version();
    let prefix = match group {
        "" => "/api/v1".to_string(),
        group => format!("/apis/{group}/{version}"),
    };
    let scope = if kind.namespaced() {
        format!("{prefix}/namespaces/{{namespace}}")
    } else {
        prefix.clone()
    };
    let collection = format!("{scope}/{}", kind.plural());
    let gvk = (group, version, kind.kind());
    let op = |verb: &str, suffix: &str, action: &str, gvk| Operation {
        id: operation_id(verb, kind, suffix),
        action: action.to_string(),
        gvk,
    };
    paths.insert(
        collection.clone(),
        json!({
            "get": op("list", "", "list", gvk).to_json(),
            "post": op("create", "", "post", gvk).to_json(),
        }),
    );
    if kind.namespaced() {
        let everywhere = format!("{prefix}/{}", kind.plural());
        let list = Operation {
            id: format!("list{}{}ForAllNamespaces", group_word(group), kind.kind()),
            action: "list".into(),
            gvk,
        };
        paths.insert(everywhere, json!({ "get": list.to_json() }));
    }
    let object = format!("{collection}/{{name}}");
    paths.insert(
        object.clone(),
        json!({
            "get": op("read", "", "get", gvk).to_json(),
            "put": op("replace", "", "put", gvk).to_json(),
            "patch": op("patch", "", "patch", gvk).to_json(),
            "delete": op("delete", "", "delete", gvk).to_json(),
        }),
    );
    for sub in subresources(kind) {
        let Subresource {
            name,
            response,
            verbs,
        } = sub;
        let suffix = subresource_word(name);
        let mut operations = Map::new();
        for verb in verbs {
            let (method, word, action) = match *verb {
                "get" => ("get", "read", "get"),
                "update" => ("put", "replace", "put"),
                "patch" => ("patch", "patch", "patch"),
                _ => ("post", "create", "post"),
            };
            operations.insert(method.into(), op(word, suffix, action, response).to_json());
        }
        paths.insert(format!("{object}/{name}"), Value::Object(operations));
    }
}

/// `Status`, `Scale`, `Eviction`, `Log`: a subresource's part of an operation's name.
fn subresource_word(name: &str) -> &'static str {
    match name {
        "status" => "Status",
        "scale" => "Scale",
        "eviction" => "Eviction",
        _ => "Log",
    }
}

/// `Core`, `Apps`, `Storage`, `Discovery`: a group's part of an operation's name.
fn group_word(group: &str) -> String {
    let word = match group {
        "" => "core",
        group => group.split('.').next().unwrap_or(group),
    };
    let mut chars = word.chars();
    let first = chars.next().map(|c| c.to_ascii_uppercase());
    format!(
        "{}{}V1",
        first.into_iter().collect::<String>(),
        chars.as_str()
    )
}

/// `patchAppsV1NamespacedStatefulSetScale`.
fn operation_id(verb: &str, kind: ResourceType, suffix: &str) -> String {
    let (group, _) = kind.group_version();
    let namespaced = if kind.namespaced() { "Namespaced" } else { "" };
    format!(
        "{verb}{}{namespaced}{}{suffix}",
        group_word(group),
        kind.kind()
    )
}

struct Operation<'a> {
    id: String,
    action: String,
    gvk: (&'a str, &'a str, &'a str),
}

impl Operation<'_> {
    fn to_json(&self) -> Value {
        let (group, version, kind) = self.gvk;
        let schema =
            json!({ "$ref": format!("#/components/schemas/{}", schema_name(group, kind)) });
        let mut operation = json!({
            "operationId": self.id,
            "parameters": parameters(&self.action),
            "responses": { "200": { "description": "OK", "content": { "application/json": { "schema": schema } } } },
            "x-kubernetes-action": self.action,
            "x-kubernetes-group-version-kind": { "group": group, "kind": kind, "version": version },
        });
        let body_types: &[&str] = match self.action.as_str() {
            "post" | "put" => &["*/*"],
            "patch" => &[
                "application/json-patch+json",
                "application/merge-patch+json",
            ],
            _ => &[],
        };
        if !body_types.is_empty() {
            let content: Map<String, Value> = body_types
                .iter()
                .map(|media| (media.to_string(), json!({ "schema": schema })))
                .collect();
            operation["requestBody"] = json!({ "content": content, "required": true });
        }
        operation
    }
}

/// The query parameters an operation takes, as the route builder declares them for its action.
fn parameters(action: &str) -> Vec<Value> {
    let names: &[&str] = match action {
        "list" => &[
            "allowWatchBookmarks",
            "continue",
            "fieldSelector",
            "labelSelector",
            "limit",
            "resourceVersion",
            "timeoutSeconds",
            "watch",
        ],
        "post" | "put" => &["dryRun", "fieldManager", "fieldValidation"],
        "patch" => &["dryRun", "fieldManager", "fieldValidation", "force"],
        "delete" => &["dryRun", "gracePeriodSeconds", "propagationPolicy"],
        _ => &[],
    };
    names
        .iter()
        .map(|name| json!({ "name": name, "in": "query", "schema": { "type": parameter_type(name) } }))
        .collect()
}

fn parameter_type(name: &str) -> &'static str {
    match name {
        "allowWatchBookmarks" | "watch" | "force" => "boolean",
        "limit" | "timeoutSeconds" | "gracePeriodSeconds" => "integer",
        _ => "string",
    }
}
