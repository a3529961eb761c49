//! The verbs on a served resource, as k8s.io/apiserver/pkg/endpoints/handlers answers them: `get` of one
//! object, `list` with label and field selectors, each as the object's JSON or, when the client asks for it in
//! `Accept` (kubectl does, for `get`), as a `meta.k8s.io/v1` Table whose cells are the apiserver's printers'
//! (`api::printers`, every column filled, the wide ones too).

use serde_json::{json, Value};

use super::status::StatusError;
use super::{query_parameter, Request, Response};
use crate::api::fields::{parse_field_selector, FieldTerm};
use crate::api::printers::{Cell, Columns, Printable};
use crate::api::resources::{KindVisitor, ResourceType};
use crate::cluster::Cluster;
use crate::labels::{parse_selector, requirements_match, Labels, Requirement};
use crate::object::ObjectKey;

/// What a path names under a group version.
struct Target<'a> {
    kind: ResourceType,
    namespace: Option<&'a str>,
    name: Option<&'a str>,
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
        "GET" => Ok(target.kind.visit(Get {
            cluster,
            request,
            target: &target,
        })?),
        _ => Err(StatusError::method_not_allowed()),
    });
    answer.unwrap_or_else(|error| error.to_response())
}

/// `namespaces/<ns>/<plural>[/<name>]` or `<plural>[/<name>]`, for a resource served at this group version.
fn route<'a>(group: &str, version: &str, rest: &[&'a str]) -> Result<Target<'a>, StatusError> {
    let (namespace, rest) = match rest {
        ["namespaces", namespace, rest @ ..] if !rest.is_empty() => (Some(*namespace), rest),
        _ => (None, rest),
    };
    let (plural, name) = match rest {
        [plural] => (*plural, None),
        [plural, name] => (*plural, Some(*name)),
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
    if misplaced {
        return Err(StatusError::resource_not_found());
    }
    Ok(Target {
        kind,
        namespace,
        name,
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
        let objects: Vec<&T> = match self.target.name {
            Some(name) => {
                let key = match self.target.namespace {
                    Some(namespace) => ObjectKey::new(namespace, name),
                    None => ObjectKey::cluster(name),
                };
                let object = store
                    .get::<T>(&key)
                    .ok_or_else(|| StatusError::not_found(self.target.kind, name))?;
                if table.is_none() {
                    return Ok(Response::json(200, &to_json(object)));
                }
                vec![object]
            }
            None => {
                let selector = label_selector(self.request)?;
                let fields = field_selector::<T>(self.request)?;
                let listed: Box<dyn Iterator<Item = &T>> = match self.target.namespace {
                    Some(namespace) => Box::new(store.list_namespace::<T>(namespace)),
                    None => Box::new(store.list::<T>()),
                };
                let no_labels = Labels::new();
                listed
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
                    .collect()
            }
        };
        let resource_version = store.resource_version().to_string();
        Ok(match table {
            Some(include) => Response::typed(
                200,
                "application/json;as=Table;v=v1;g=meta.k8s.io",
                &to_table(&objects, self.cluster, include, &resource_version),
            ),
            None => Response::json(
                200,
                &json!({
                    "kind": format!("{}List", T::KIND),
                    "apiVersion": T::API_VERSION,
                    "metadata": { "resourceVersion": resource_version },
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

fn to_json<T: Printable>(object: &T) -> Value {
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
/// cell, its ages counted up to the cluster's now (`rest.TableConvertor`, pkg/printers/storage).
fn to_table<T: Printable>(
    objects: &[&T],
    cluster: &Cluster,
    include: Include,
    resource_version: &str,
) -> Value {
    let now = cluster.now();
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
        "metadata": { "resourceVersion": resource_version },
        "columnDefinitions": columns,
        "rows": rows,
    })
}
