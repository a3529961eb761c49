//! The verbs on a served resource, as k8s.io/apiserver/pkg/endpoints/handlers answers them: `get` of one
//! object, `list` with label and field selectors, each as the object's JSON or, when the client asks for it in
//! `Accept` (kubectl does, for `get`), as a `meta.k8s.io/v1` Table whose cells are the apiserver's printers'
//! (`api::printers`, every column filled, the wide ones too).

use serde_json::{json, Value};

use super::list_options::{self, Start};
use super::pages::Paging;
use super::status::StatusError;
use super::{query_parameter, Request, Response};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::api::fields::{parse_field_selector, FieldTerm};
use crate::api::printers::{Cell, Columns, Printable};
use crate::api::resources::{KindVisitor, ResourceType};
use crate::cluster::Cluster;
use crate::labels::{parse_selector, requirements_match, Labels, Requirement};
use crate::object::ObjectKey;
use crate::store::WatchEvent;
use crate::time::SimTime;

/// What a path names under a group version.
pub(super) struct Target<'a> {
    pub kind: ResourceType,
    pub namespace: Option<&'a str>,
    pub name: Option<&'a str>,
    /// `status`, `scale`, `eviction`, `log`: a subresource of the named object.
    pub subresource: Option<&'a str>,
}

impl Target<'_> {
    /// An object's storage key under the list's prefix, as etcd orders and pages them: its name in one
    /// namespace or for a cluster-scoped kind, `namespace/name` across namespaces.
    pub fn storage_key(&self, meta: &ObjectMeta) -> String {
        let name = meta.name.as_deref().unwrap_or_default();
        match (&self.namespace, &meta.namespace) {
            (None, Some(namespace)) => format!("{namespace}/{name}"),
            _ => name.to_string(),
        }
    }

    /// The named object's key.
    pub fn key(&self, name: &str) -> ObjectKey {
        match self.namespace {
            Some(namespace) => ObjectKey::new(namespace, name),
            None => ObjectKey::cluster(name),
        }
    }
}

/// A subresource of a served kind, as its registry's storage declares it: what it answers with
/// (group, version, kind) and its verbs.
pub(super) struct Subresource {
    pub name: &'static str,
    pub response: (&'static str, &'static str, &'static str),
    pub verbs: &'static [&'static str],
}

const STATUS_VERBS: &[&str] = &["get", "patch", "update"];

/// The subresources served for `kind` (pkg/registry/*/storage): status for the kinds with one, a
/// StatefulSet's scale, a pod's attach, eviction, exec and log.
pub(super) fn subresources(kind: ResourceType) -> Vec<Subresource> {
    let (group, version) = kind.group_version();
    let status = Subresource {
        name: "status",
        response: (group, version, kind.kind()),
        verbs: STATUS_VERBS,
    };
    match kind {
        ResourceType::Pods => vec![
            Subresource {
                name: "attach",
                response: ("", "v1", "PodAttachOptions"),
                verbs: &["create", "get"],
            },
            Subresource {
                name: "eviction",
                response: ("policy", "v1", "Eviction"),
                verbs: &["create"],
            },
            Subresource {
                name: "exec",
                response: ("", "v1", "PodExecOptions"),
                verbs: &["create", "get"],
            },
            Subresource {
                name: "log",
                response: ("", "v1", "Pod"),
                verbs: &["get"],
            },
            status,
        ],
        ResourceType::StatefulSets => vec![
            Subresource {
                name: "scale",
                response: ("autoscaling", "v1", "Scale"),
                verbs: STATUS_VERBS,
            },
            status,
        ],
        ResourceType::Claims
        | ResourceType::Volumes
        | ResourceType::Services
        | ResourceType::Nodes
        | ResourceType::Namespaces => vec![status],
        ResourceType::StorageClasses
        | ResourceType::Revisions
        | ResourceType::Events
        | ResourceType::EndpointSlices
        | ResourceType::ConfigMaps
        | ResourceType::Secrets => Vec::new(),
    }
}

/// The verbs of the main resource (`endpoints::writes` answers all but get, list and watch).
pub(super) const VERBS: &[&str] = &[
    "create", "delete", "get", "list", "patch", "update", "watch",
];

/// Whether `verb` is served on the target: a known subresource asked with another verb is 405, as the
/// handlers' router answers; an unknown one was refused by `route`.
pub(super) fn allows(target: &Target, verb: &str) -> bool {
    match target.subresource {
        None => VERBS.contains(&verb),
        Some(name) => subresources(target.kind)
            .iter()
            .any(|s| s.name == name && s.verbs.contains(&verb)),
    }
}

/// Answers a request for a resource of `group`/`version`; `rest` is the path after the group version.
pub(super) fn resource(
    cluster: &Cluster,
    request: &Request,
    group: &str,
    version: &str,
    rest: &[&str],
) -> Response {
    let answer = route(group, version, rest).and_then(|target| match request.method {
        "GET" if allows(&target, "get") => match target.subresource {
            Some("scale") => super::writes::get_scale(cluster, &target),
            Some("log") => super::logs::log(cluster, request, &target),
            _ => target.kind.visit(Get {
                cluster,
                request,
                target: &target,
            }),
        },
        _ => Err(StatusError::method_not_allowed()),
    });
    answer.unwrap_or_else(|error| error.to_response())
}

/// `namespaces/<ns>/<plural>[/<name>[/<subresource>]]` or `<plural>[/<name>[/<subresource>]]`, for a
/// resource served at this group version.
pub(super) fn route<'a>(
    group: &str,
    version: &str,
    rest: &[&'a str],
) -> Result<Target<'a>, StatusError> {
    let (namespace, rest) = match rest {
        ["namespaces", namespace, rest @ ..] if !rest.is_empty() => (Some(*namespace), rest),
        _ => (None, rest),
    };
    let (plural, name, subresource) = match rest {
        [plural] => (*plural, None, None),
        [plural, name] => (*plural, Some(*name), None),
        [plural, name, subresource] => (*plural, Some(*name), Some(*subresource)),
        _ => return Err(StatusError::resource_not_found()),
    };
    let kind = ResourceType::ALL
        .into_iter()
        .find(|t| t.plural() == plural && t.group_version() == (group, version))
        .ok_or_else(StatusError::resource_not_found)?;
    // A namespaced object is named only inside its namespace, and a cluster-wide one never inside one.
    let misplaced = matches!(
        (kind.namespaced(), namespace, name),
        (true, None, Some(_)) | (false, Some(_), _)
    );
    let unknown_subresource =
        subresource.is_some_and(|name| !subresources(kind).iter().any(|s| s.name == name));
    if misplaced || unknown_subresource {
        return Err(StatusError::resource_not_found());
    }
    Ok(Target {
        kind,
        namespace,
        name,
        subresource,
    })
}

/// What a Table's rows carry besides their cells (`includeObject`): the object's metadata by default.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Include {
    None,
    Metadata,
    Object,
}

/// Whether the client asked for a Table, and with what in its rows.
fn table_wanted(request: &Request) -> Result<Option<Include>, StatusError> {
    let wants_table = request.accept.split(',').any(|media| {
        let params: Vec<&str> = media.split(';').map(str::trim).collect();
        params.contains(&"as=Table") && params.contains(&"g=meta.k8s.io")
    });
    if !wants_table {
        return Ok(None);
    }
    match query_parameter(request.query, "includeObject").as_deref() {
        None | Some("" | "Metadata") => Ok(Some(Include::Metadata)),
        Some("None") => Ok(Some(Include::None)),
        Some("Object") => Ok(Some(Include::Object)),
        Some(other) => Err(StatusError::bad_request(format!(
            "includeObject: Unsupported value: \"{other}\": supported values: \"Metadata\", \"None\", \"Object\""
        ))),
    }
}

struct Get<'a> {
    cluster: &'a Cluster,
    request: &'a Request<'a>,
    target: &'a Target<'a>,
}

impl KindVisitor for Get<'_> {
    type Output = Result<Response, StatusError>;

    fn visit<T: Printable>(self) -> Result<Response, StatusError> {
        let store = self.cluster.store();
        let table = table_wanted(self.request)?;
        let resource_version = store.resource_version();
        let (objects, metadata): (Vec<&T>, Value) = match self.target.name {
            Some(name) => {
                let key = self.target.key(name);
                let object = store
                    .get::<T>(&key)
                    .ok_or_else(|| StatusError::not_found(self.target.kind, name))?;
                if table.is_none() {
                    return Ok(Response::json(200, &to_json(object)));
                }
                let metadata = json!({ "resourceVersion": resource_version.to_string() });
                (vec![object], metadata)
            }
            None => {
                list_options::validate(self.request, false)?;
                let paging = Paging::of(self.request)?;
                let selector = label_selector(self.request)?;
                let fields = field_selector::<T>(self.request)?;
                let listed: Box<dyn Iterator<Item = &T>> = match self.target.namespace {
                    Some(namespace) => Box::new(store.list_namespace::<T>(namespace)),
                    None => Box::new(store.list::<T>()),
                };
                let no_labels = Labels::new();
                let selected = listed
                    .filter(|o| {
                        requirements_match(
                            &selector,
                            o.metadata().labels.as_ref().unwrap_or(&no_labels),
                        )
                    })
                    .filter(|o| {
                        fields.is_empty() || {
                            let value = to_json(*o);
                            fields.iter().all(|term| term.holds(&value))
                        }
                    })
                    .map(|o| (self.target.storage_key(o.metadata()), o))
                    .collect();
                let chosen = !selector.is_empty() || !fields.is_empty();
                let page = paging.page(selected, resource_version as i64, chosen);
                (page.items, page.metadata)
            }
        };
        Ok(match table {
            Some(include) => Response::typed(
                200,
                "application/json;as=Table;v=v1;g=meta.k8s.io",
                &to_table(&objects, self.cluster.now(), include, metadata),
            ),
            None => Response::json(
                200,
                &json!({
                    "kind": format!("{}List", T::KIND),
                    "apiVersion": T::API_VERSION,
                    "metadata": metadata,
                    "items": objects.iter().map(|o| list_item(*o)).collect::<Vec<_>>(),
                }),
            ),
        })
    }
}

fn label_selector(request: &Request) -> Result<Vec<Requirement>, StatusError> {
    match query_parameter(request.query, "labelSelector") {
        None => Ok(Vec::new()),
        Some(text) => parse_selector(&text).map_err(StatusError::bad_request),
    }
}

/// `fieldSelector=`: its terms, each a field the kind's registry can select on.
fn field_selector<T: Printable>(request: &Request) -> Result<Vec<FieldTerm>, StatusError> {
    let Some(text) = query_parameter(request.query, "fieldSelector") else {
        return Ok(Vec::new());
    };
    let terms = parse_field_selector(&text).map_err(StatusError::bad_request)?;
    match terms.iter().find(|term| !term.supported_for(T::KIND)) {
        Some(term) => Err(StatusError::bad_request(format!(
            "field label not supported: {}",
            term.path
        ))),
        None => Ok(terms),
    }
}

pub(super) fn to_json<T: Printable>(object: &T) -> Value {
    serde_json::to_value(object).expect("stored objects serialize")
}

/// An item of a list: the list names the kind, its items do not.
fn list_item<T: Printable>(object: &T) -> Value {
    let mut value = to_json(object);
    if let Some(fields) = value.as_object_mut() {
        fields.remove("kind");
        fields.remove("apiVersion");
    }
    value
}

/// The objects as a `meta.k8s.io/v1` Table: the kind's column definitions, and a row per object with every
/// cell, its ages counted up to `now`, when the apiserver converts it (`rest.TableConvertor`,
/// pkg/printers/storage).
fn to_table<T: Printable>(
    objects: &[&T],
    now: SimTime,
    include: Include,
    metadata: Value,
) -> Value {
    let columns: Vec<Value> = T::Row::COLUMNS
        .iter()
        .zip(T::Row::DESCRIPTIONS)
        .map(|(column, description)| {
            json!({
                "name": column.name,
                "type": column.type_,
                "format": column.format,
                "description": description,
                "priority": column.priority,
            })
        })
        .collect();
    let rows: Vec<Value> = objects
        .iter()
        .map(|object| {
            let cells: Vec<Value> = object
                .to_row()
                .all_cells(now)
                .into_iter()
                .map(|cell| match cell {
                    Cell::Text(text) => json!(text),
                    Cell::Integer(n) => json!(n),
                    Cell::Boolean(b) => json!(b),
                })
                .collect();
            let mut row = json!({ "cells": cells });
            match include {
                Include::None => {}
                Include::Metadata => {
                    row["object"] = json!({
                        "kind": "PartialObjectMetadata",
                        "apiVersion": "meta.k8s.io/v1",
                        "metadata": object.metadata(),
                    })
                }
                Include::Object => row["object"] = to_json(*object),
            }
            row
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": columns,
        "rows": rows,
    })
}

/// A watch a client holds open (`?watch=true` on a collection): what it selects, how it wants each object,
/// and the resourceVersion after which its events start. The apiserver's side of the connection; the transport
/// feeds it the store's watch events and sends each line it makes.
pub struct Watch {
    kind: ResourceType,
    namespace: Option<String>,
    labels: Vec<Requirement>,
    fields: Vec<FieldTerm>,
    table: Option<Include>,
    /// Where it starts: after `resourceVersion=`, or, without one (or with `0`), with the objects there are,
    /// as ADDED; `sendInitialEvents` can ask for those whatever the resourceVersion, or for none.
    start: Start,
    /// `timeoutSeconds=`.
    pub timeout_seconds: Option<u64>,
    /// `allowWatchBookmarks=true`: the client (an informer's reflector) takes BOOKMARK events, which tell it
    /// how far the watch has come when nothing it selects changes.
    pub bookmarks: bool,
}

/// Whether `request` opens a watch: None when it is not one, else the watch or its refusal.
pub(super) fn watch(
    request: &Request,
    group: &str,
    version: &str,
    rest: &[&str],
) -> Option<Result<Watch, Response>> {
    let watching = query_parameter(request.query, "watch").is_some_and(|w| w == "true" || w == "1");
    if !watching || request.method != "GET" {
        return None;
    }
    Some(open_watch(request, group, version, rest).map_err(|e| e.to_response()))
}

fn open_watch(
    request: &Request,
    group: &str,
    version: &str,
    rest: &[&str],
) -> Result<Watch, StatusError> {
    let target = route(group, version, rest)?;
    if target.name.is_some() {
        return Err(StatusError::method_not_allowed());
    }
    list_options::validate(request, true)?;
    struct Fields<'a>(&'a Request<'a>);
    impl KindVisitor for Fields<'_> {
        type Output = Result<Vec<FieldTerm>, StatusError>;
        fn visit<T: Printable>(self) -> Self::Output {
            field_selector::<T>(self.0)
        }
    }
    let since =
        match query_parameter(request.query, "resourceVersion").as_deref() {
            None | Some("" | "0") => None,
            Some(text) => Some(text.parse().map_err(|_| {
                StatusError::bad_request(format!("invalid resource version: {text}"))
            })?),
        };
    Ok(Watch {
        kind: target.kind,
        namespace: target.namespace.map(str::to_string),
        labels: label_selector(request)?,
        fields: target.kind.visit(Fields(request))?,
        table: table_wanted(request)?,
        start: Start::of(request, since),
        timeout_seconds: query_parameter(request.query, "timeoutSeconds")
            .and_then(|t| t.parse().ok()),
        // `Convert_Slice_string_To_bool`: anything but `false` and `0` is true.
        bookmarks: query_parameter(request.query, "allowWatchBookmarks")
            .is_some_and(|b| !matches!(b.to_ascii_lowercase().as_str(), "false" | "0")),
    })
}

impl Watch {
    /// The kind it watches (`Pod`), as the cluster's watches are opened by kind.
    pub fn kind(&self) -> &'static str {
        self.kind.kind()
    }

    /// The resourceVersion its events start after, if the client named one and wants no objects first.
    pub fn since(&self) -> Option<u64> {
        match self.start {
            Start::After(version) => Some(version),
            _ => None,
        }
    }

    /// Whether it starts with every object it selects, ADDED (else with what happens from now, or after
    /// `since`).
    pub fn starts_with_objects(&self) -> bool {
        matches!(self.start, Start::Objects { .. })
    }

    pub fn content_type(&self) -> &'static str {
        match self.table {
            Some(_) => "application/json;as=Table;v=v1;g=meta.k8s.io",
            None => "application/json",
        }
    }

    /// The lines a watch that starts with the objects there are sends first: every object it selects, ADDED,
    /// and for a watch-list stream that takes bookmarks, a bookmark at the store's resourceVersion marking the
    /// end of them (annotated `k8s.io/initial-events-end`).
    pub fn initial(&self, cluster: &Cluster) -> Vec<Vec<u8>> {
        let mut lines = self.added(cluster);
        if self.start == (Start::Objects { end_bookmark: true }) {
            let version = cluster.store().resource_version();
            let mut bookmark: Value =
                serde_json::from_slice(&self.bookmark(version)).expect("a bookmark is JSON");
            bookmark["object"]["metadata"]["annotations"] =
                json!({ "k8s.io/initial-events-end": "true" });
            let mut line = serde_json::to_vec(&bookmark).expect("JSON values serialize");
            line.push(b'\n');
            lines.push(line);
        }
        lines
    }

    fn added(&self, cluster: &Cluster) -> Vec<Vec<u8>> {
        struct Existing<'a>(&'a Watch, &'a Cluster);
        impl KindVisitor for Existing<'_> {
            type Output = Vec<Vec<u8>>;
            fn visit<T: Printable>(self) -> Self::Output {
                let Existing(watch, cluster) = self;
                let store = cluster.store();
                let listed: Box<dyn Iterator<Item = &T>> = match &watch.namespace {
                    Some(namespace) => Box::new(store.list_namespace::<T>(namespace)),
                    None => Box::new(store.list::<T>()),
                };
                listed
                    .filter_map(|o| watch.line("ADDED", o, cluster.now()))
                    .collect()
            }
        }
        self.kind.visit(Existing(self, cluster))
    }

    /// The line the client is sent for `event`, if the watch selects its object and it comes after `since`.
    /// Its ages are counted to the event's instant, when the apiserver would have sent it.
    pub fn event(&self, event: &WatchEvent) -> Option<Vec<u8>> {
        let version: u64 = event
            .object
            .metadata()
            .resource_version
            .as_deref()?
            .parse()
            .ok()?;
        if self.since().is_some_and(|since| version <= since) {
            return None;
        }
        struct Line<'a>(&'a Watch, &'a WatchEvent);
        impl KindVisitor for Line<'_> {
            type Output = Option<Vec<u8>>;
            fn visit<T: Printable>(self) -> Self::Output {
                let Line(watch, event) = self;
                watch.line(
                    event.event_type.as_str(),
                    T::of_object(&event.object)?,
                    event.at,
                )
            }
        }
        self.kind.visit(Line(self, event))
    }

    /// A BOOKMARK event at `resource_version`: an object of the kind that holds nothing but its
    /// resourceVersion, as the watch cache makes one (`cacheWatcher.nextBookmarkTime` says when).
    pub fn bookmark(&self, resource_version: u64) -> Vec<u8> {
        let (group, version) = self.kind.group_version();
        let api_version = match group {
            "" => version.to_string(),
            group => format!("{group}/{version}"),
        };
        let object = json!({
            "kind": self.kind.kind(),
            "apiVersion": api_version,
            "metadata": { "resourceVersion": resource_version.to_string() },
        });
        let mut line = serde_json::to_vec(&json!({ "type": "BOOKMARK", "object": object }))
            .expect("JSON values serialize");
        line.push(b'\n');
        line
    }

    /// `{"type": ..., "object": ...}` and a newline, for an object the watch selects.
    fn line<T: Printable>(&self, event_type: &str, object: &T, now: SimTime) -> Option<Vec<u8>> {
        let meta = object.metadata();
        if self
            .namespace
            .as_deref()
            .is_some_and(|ns| meta.namespace.as_deref() != Some(ns))
        {
            return None;
        }
        let no_labels = Labels::new();
        if !requirements_match(&self.labels, meta.labels.as_ref().unwrap_or(&no_labels)) {
            return None;
        }
        if !self.fields.is_empty() {
            let value = to_json(object);
            if !self.fields.iter().all(|term| term.holds(&value)) {
                return None;
            }
        }
        let version = meta.resource_version.clone().unwrap_or_default();
        let body = match self.table {
            Some(include) => to_table(
                &[object],
                now,
                include,
                json!({ "resourceVersion": version }),
            ),
            None => to_json(object),
        };
        let mut line = serde_json::to_vec(&json!({ "type": event_type, "object": body }))
            .expect("JSON values serialize");
        line.push(b'\n');
        Some(line)
    }
}
