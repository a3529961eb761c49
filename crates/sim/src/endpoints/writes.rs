//! The verbs that change the cluster, as k8s.io/apiserver/pkg/endpoints/handlers answers them (create.go,
//! update.go, patch.go, delete.go), and the subresources that write: every `status`, a StatefulSet's `scale`
//! (pkg/registry/apps/statefulset/storage), a pod's `eviction` (pkg/registry/core/pod/storage/eviction.go).
//! Every write goes through the store, so the kind's strategy (defaults, admission, validation) runs for it as
//! for any other writer, and the controllers react before the answer is sent.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Pod;
use serde_json::{json, Value};

use super::handlers::{allows, route, to_json, Target};
use super::status::StatusError;
use super::{query_parameter, Request, Response};
use crate::api::decode::decode_lenient;
use crate::api::delete_options::{DeleteOptions, PropagationPolicy};
use crate::api::keep_status;
use crate::api::patch::{apply_patch, PatchType};
use crate::api::printers::Printable;
use crate::api::resources::{KindVisitor, ResourceType};
use crate::cluster::Cluster;
use crate::labels::format_selector;
use crate::object::ApiObject;

/// kube-apiserver's limit on a request body (`MaxRequestBodyBytes`: 3 MiB).
const MAX_BODY: usize = 3 * 1024 * 1024;

/// The formats a created or replaced object may come in; the server reads JSON and YAML of them.
const OBJECT_MEDIA: &[&str] = &[
    "application/json",
    "application/yaml",
    "application/vnd.kubernetes.protobuf",
    "application/cbor",
];

/// The patch types, by media type; server-side apply (`application/apply-patch+yaml`) is not served.
const PATCH_MEDIA: &[(&str, PatchType)] = &[
    ("application/json-patch+json", PatchType::Json),
    ("application/merge-patch+json", PatchType::Merge),
    (
        "application/strategic-merge-patch+json",
        PatchType::Strategic,
    ),
];

const MODIFIED: &str =
    "the object has been modified; please apply your changes to the latest version and try again";

/// Answers a write to a resource of `group`/`version`; `rest` is the path after the group version.
pub(super) fn write(
    cluster: &mut Cluster,
    request: &Request,
    group: &str,
    version: &str,
    rest: &[&str],
) -> Response {
    let answer = route(group, version, rest).and_then(|target| {
        let verb = verb_of(request.method, &target)?;
        if !allows(&target, verb) {
            return Err(StatusError::method_not_allowed());
        }
        if request.body.len() > MAX_BODY {
            return Err(StatusError::too_large(MAX_BODY));
        }
        match dry_run(request)? {
            // A dry run goes all the way through a copy of the cluster, which is then dropped.
            true => dispatch(&mut cluster.clone(), request, &target, verb),
            false => dispatch(cluster, request, &target, verb),
        }
    });
    answer.unwrap_or_else(|error| error.to_response())
}

/// The verb a method stands for on its target: a POST creates in a collection (or asks for an eviction).
fn verb_of(method: &str, target: &Target) -> Result<&'static str, StatusError> {
    Ok(match (method, target.name, target.subresource) {
        ("POST", None, _) | ("POST", Some(_), Some(_)) => "create",
        ("PUT", Some(_), _) => "update",
        ("PATCH", Some(_), _) => "patch",
        ("DELETE", Some(_), None) => "delete",
        ("DELETE", None, None) => "deletecollection",
        _ => return Err(StatusError::method_not_allowed()),
    })
}

/// `dryRun=All`: the write is checked and answered but not made.
fn dry_run(request: &Request) -> Result<bool, StatusError> {
    match query_parameter(request.query, "dryRun").as_deref() {
        None | Some("") => Ok(false),
        Some("All") => Ok(true),
        Some(other) => Err(StatusError::bad_request(format!(
            "dryRun: Unsupported value: \"{other}\": supported values: \"All\""
        ))),
    }
}

fn dispatch(
    cluster: &mut Cluster,
    request: &Request,
    target: &Target,
    verb: &str,
) -> Result<Response, StatusError> {
    match target.subresource {
        Some("scale") => scale(cluster, request, target, verb),
        Some("eviction") => evict(cluster, request, target),
        _ => target.kind.visit(Write {
            cluster,
            request,
            target,
            verb,
        }),
    }
}

struct Write<'a> {
    cluster: &'a mut Cluster,
    request: &'a Request<'a>,
    target: &'a Target<'a>,
    verb: &'a str,
}

impl KindVisitor for Write<'_> {
    type Output = Result<Response, StatusError>;

    fn visit<T: Printable>(self) -> Self::Output {
        match self.verb {
            "create" => create::<T>(self.cluster, self.request, self.target),
            "update" => {
                let body = object_body(self.request)?;
                replace::<T>(self.cluster, self.request, self.target, body)
            }
            "patch" => patch::<T>(self.cluster, self.request, self.target),
            _ => delete::<T>(self.cluster, self.request, self.target),
        }
    }
}

/// POST to a collection (create.go): the object is decoded, put in the path's namespace, and created.
fn create<T: Printable>(
    cluster: &mut Cluster,
    request: &Request,
    target: &Target,
) -> Result<Response, StatusError> {
    let mut value = object_body(request)?;
    // Status is not the client's to set on create: each strategy's PrepareForCreate resets it.
    if let Some(fields) = value.as_object_mut() {
        fields.remove("status");
    }
    let (mut object, warnings) = decode::<T>(&value, request)?;
    settle_namespace(&mut object, target)?;
    let created = cluster
        .with_store(|store| store.create(object))
        .map_err(|e| StatusError::from_api(target.kind, &e))?;
    Ok(answer(201, &*created, warnings))
}

/// PUT (update.go), and a patch once applied: the object replaces the stored one, whose status it keeps
/// (or, on `status`, whose everything but status it keeps). A resourceVersion that is not the stored one's
/// is a conflict.
fn replace<T: Printable>(
    cluster: &mut Cluster,
    request: &Request,
    target: &Target,
    value: Value,
) -> Result<Response, StatusError> {
    let name = target.name.unwrap_or_default();
    let (mut object, warnings) = decode::<T>(&value, request)?;
    let given = object.metadata().name.clone().unwrap_or_default();
    if given != name {
        return Err(StatusError::bad_request(format!(
            "the name of the object ({given}) does not match the name on the URL ({name})"
        )));
    }
    settle_namespace(&mut object, target)?;
    let live = cluster
        .store()
        .get::<T>(&target.key(name))
        .cloned()
        .ok_or_else(|| StatusError::not_found(target.kind, name))?;
    let version = object.metadata().resource_version.as_deref().unwrap_or("");
    if !version.is_empty() && Some(version) != live.metadata().resource_version.as_deref() {
        return Err(StatusError::conflict(target.kind, name, MODIFIED));
    }
    let object = match target.subresource {
        Some(_) => with_status_of(&live, &object),
        None => {
            keep_status(&mut object, &live);
            object
        }
    };
    let written = cluster
        .with_store(|store| store.update(object))
        .map_err(|e| StatusError::from_api(target.kind, &e))?;
    Ok(answer(200, &*written, warnings))
}

/// A status write keeps everything of the stored object but its status (each strategy's
/// `PrepareForUpdate` of the status subresource).
fn with_status_of<T: ApiObject>(live: &T, given: &T) -> T {
    let mut status_only = live.clone();
    let mut value = serde_json::to_value(&status_only).expect("stored objects serialize");
    let given = serde_json::to_value(given).expect("stored objects serialize");
    match given.get("status") {
        Some(status) => value["status"] = status.clone(),
        None => {
            value.as_object_mut().map(|fields| fields.remove("status"));
        }
    }
    if let Ok(changed) = T::deserialize(&value) {
        status_only = changed;
    }
    status_only
}

/// PATCH (patch.go): the patch is applied to the stored object as JSON, and the result replaces it. The patch
/// may name a resourceVersion, which then must be the stored one's.
fn patch<T: Printable>(
    cluster: &mut Cluster,
    request: &Request,
    target: &Target,
) -> Result<Response, StatusError> {
    let name = target.name.unwrap_or_default();
    let patch_type = patch_type(request)?;
    let patch = patch_body(request)?;
    let live = cluster
        .store()
        .get::<T>(&target.key(name))
        .ok_or_else(|| StatusError::not_found(target.kind, name))?;
    let patched =
        apply_patch(&to_json(live), &patch, patch_type).map_err(|message| match patch_type {
            PatchType::Json => StatusError::unprocessable(message),
            _ => StatusError::bad_request(message),
        })?;
    replace::<T>(cluster, request, target, patched)
}

/// DELETE of one object (delete.go): with the DeleteOptions of the body or the query, their preconditions
/// checked. The answer is the object as the deletion left it: gone, or marked with a deletionTimestamp.
fn delete<T: Printable>(
    cluster: &mut Cluster,
    request: &Request,
    target: &Target,
) -> Result<Response, StatusError> {
    let name = target.name.unwrap_or_default();
    let body = match request.body.iter().all(u8::is_ascii_whitespace) {
        true => json!({}),
        false => serde_json::from_slice(request.body)
            .map_err(|e| StatusError::bad_request(go_json_error(&e)))?,
    };
    let key = target.key(name);
    let live = cluster
        .store()
        .get::<T>(&key)
        .ok_or_else(|| StatusError::not_found(target.kind, name))?;
    check_preconditions(live.metadata(), &body, target.kind, name)?;
    let options = delete_options(&body, request)?;
    let deleted = cluster
        .with_store(|store| store.delete::<T>(&key, options))
        .map_err(|e| StatusError::from_api(target.kind, &e))?;
    Ok(answer(200, &deleted, Vec::new()))
}

/// `DeleteOptions.preconditions`: the uid and resourceVersion the client expects.
fn check_preconditions(
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    options: &Value,
    kind: ResourceType,
    name: &str,
) -> Result<(), StatusError> {
    let expected = |field: &str| {
        options
            .pointer(&format!("/preconditions/{field}"))?
            .as_str()
    };
    let checks = [
        ("UID", expected("uid"), meta.uid.as_deref()),
        (
            "ResourceVersion",
            expected("resourceVersion"),
            meta.resource_version.as_deref(),
        ),
    ];
    for (what, wanted, actual) in checks {
        if let Some(wanted) = wanted.filter(|w| Some(*w) != actual) {
            let message = format!(
                "Precondition failed: {what} in precondition: {wanted}, {what} in object meta: {}",
                actual.unwrap_or_default()
            );
            return Err(StatusError::conflict(kind, name, &message));
        }
    }
    Ok(())
}

/// The grace period and propagation policy of a body's DeleteOptions, or of the query.
fn delete_options(body: &Value, request: &Request) -> Result<DeleteOptions, StatusError> {
    let grace = match body.get("gracePeriodSeconds").and_then(Value::as_i64) {
        Some(seconds) => Some(seconds),
        None => query_parameter(request.query, "gracePeriodSeconds")
            .map(|text| {
                text.parse().map_err(|_| {
                    StatusError::bad_request(format!("invalid gracePeriodSeconds: {text}"))
                })
            })
            .transpose()?,
    };
    let policy = body
        .get("propagationPolicy")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| query_parameter(request.query, "propagationPolicy"));
    let propagation_policy = match policy.as_deref() {
        None => None,
        Some("Background") => Some(PropagationPolicy::Background),
        Some("Foreground") => Some(PropagationPolicy::Foreground),
        Some("Orphan") => Some(PropagationPolicy::Orphan),
        Some(other) => {
            return Err(StatusError::bad_request(format!(
                "propagationPolicy: Unsupported value: \"{other}\": supported values: \"Foreground\", \"Background\", \"Orphan\""
            )))
        }
    };
    Ok(DeleteOptions {
        // A negative grace period means the default, as `CheckGracefulDelete` reads it.
        grace_period_seconds: grace.filter(|seconds| *seconds >= 0),
        propagation_policy,
    })
}

/// `autoscaling/v1` Scale of a StatefulSet (`scaleFromStatefulSet`).
fn scale_of(set: &StatefulSet) -> Value {
    let meta = &set.metadata;
    let spec = set.spec.as_ref();
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": meta.name,
            "namespace": meta.namespace,
            "uid": meta.uid,
            "resourceVersion": meta.resource_version,
            "creationTimestamp": meta.creation_timestamp,
        },
        "spec": { "replicas": spec.and_then(|s| s.replicas).unwrap_or(1) },
        "status": {
            "replicas": set.status.as_ref().map_or(0, |s| s.replicas),
            "selector": spec.map(|s| format_selector(&s.selector)).unwrap_or_default(),
        },
    })
}

fn stored_set(cluster: &Cluster, target: &Target) -> Result<StatefulSet, StatusError> {
    let name = target.name.unwrap_or_default();
    cluster
        .store()
        .get::<StatefulSet>(&target.key(name))
        .cloned()
        .ok_or_else(|| StatusError::not_found(target.kind, name))
}

/// GET of a StatefulSet's scale.
pub(super) fn get_scale(cluster: &Cluster, target: &Target) -> Result<Response, StatusError> {
    let set = stored_set(cluster, target)?;
    Ok(Response::json(200, &scale_of(&set)))
}

/// PUT or PATCH of a StatefulSet's scale: its `spec.replicas` becomes the set's (`kubectl scale` patches it).
fn scale(
    cluster: &mut Cluster,
    request: &Request,
    target: &Target,
    verb: &str,
) -> Result<Response, StatusError> {
    let name = target.name.unwrap_or_default();
    let set = stored_set(cluster, target)?;
    let current = scale_of(&set);
    let wanted = match verb {
        "patch" => apply_patch(&current, &patch_body(request)?, patch_type(request)?)
            .map_err(StatusError::bad_request)?,
        _ => object_body(request)?,
    };
    let version = wanted
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str);
    if version.is_some_and(|v| !v.is_empty() && Some(v) != set.metadata.resource_version.as_deref())
    {
        return Err(StatusError::conflict(target.kind, name, MODIFIED));
    }
    let replicas = wanted
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    if replicas < 0 {
        return Err(StatusError::invalid(
            ("autoscaling", "Scale"),
            name,
            &[format!(
                "spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0"
            )],
        ));
    }
    let replicas = i32::try_from(replicas).map_err(|_| {
        StatusError::bad_request("json: cannot unmarshal number into Go struct field ScaleSpec.spec.replicas of type int32")
    })?;
    let mut scaled = set;
    scaled.spec.get_or_insert_with(Default::default).replicas = Some(replicas);
    let written = cluster
        .with_store(|store| store.update(scaled))
        .map_err(|e| StatusError::from_api(target.kind, &e))?;
    Ok(Response::json(200, &scale_of(&written)))
}

/// POST of a pod's eviction: the pod is deleted with the eviction's DeleteOptions. (No PodDisruptionBudget
/// is simulated, so none refuses it.)
fn evict(
    cluster: &mut Cluster,
    request: &Request,
    target: &Target,
) -> Result<Response, StatusError> {
    let name = target.name.unwrap_or_default();
    let eviction = object_body(request)?;
    let named = eviction.pointer("/metadata/name").and_then(Value::as_str);
    if named != Some(name) {
        return Err(StatusError::bad_request(
            "name in URL does not match name in Eviction object",
        ));
    }
    let key = target.key(name);
    let live = cluster
        .store()
        .get::<Pod>(&key)
        .ok_or_else(|| StatusError::not_found(target.kind, name))?;
    let options = eviction.get("deleteOptions").cloned().unwrap_or(json!({}));
    check_preconditions(&live.metadata, &options, target.kind, name)?;
    let options = delete_options(&options, &Request::default())?;
    cluster
        .with_store(|store| store.delete::<Pod>(&key, options))
        .map_err(|e| StatusError::from_api(target.kind, &e))?;
    Ok(Response::json(
        201,
        &json!({ "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201 }),
    ))
}

/// The body of a create or an update, as a JSON object.
fn object_body(request: &Request) -> Result<Value, StatusError> {
    let media = request.content_type.split(';').next().unwrap_or("").trim();
    let value: Value = match media {
        "" | "application/json" => serde_json::from_slice(request.body).map_err(|e| {
            StatusError::bad_request(format!(
                "the object provided is unrecognized: couldn't get version/kind; json parse error: {} ({})",
                go_json_error(&e),
                summarize(request.body)
            ))
        })?,
        "application/yaml" => serde_yaml_ng::from_slice(request.body)
            .map_err(|e| StatusError::bad_request(format!("error converting YAML to JSON: {e}")))?,
        _ => return Err(StatusError::unsupported_media_type(media, OBJECT_MEDIA)),
    };
    match value {
        Value::Object(_) => Ok(value),
        _ => Err(StatusError::bad_request(
            "the object provided is unrecognized: couldn't get version/kind; json parse error: json: cannot unmarshal into Go value of type struct",
        )),
    }
}

/// A PATCH's body: the patch, as JSON.
fn patch_body(request: &Request) -> Result<Value, StatusError> {
    serde_json::from_slice(request.body).map_err(|e| {
        StatusError::bad_request(format!("error decoding patch: {}", go_json_error(&e)))
    })
}

/// The patch type a PATCH's Content-Type names.
fn patch_type(request: &Request) -> Result<PatchType, StatusError> {
    let media = request.content_type.split(';').next().unwrap_or("").trim();
    PATCH_MEDIA
        .iter()
        .find(|(name, _)| *name == media)
        .map(|(_, patch_type)| *patch_type)
        .ok_or_else(|| {
            let accepted: Vec<&str> = PATCH_MEDIA.iter().map(|(name, _)| *name).collect();
            StatusError::unsupported_media_type(media, &accepted)
        })
}

/// Decodes the object of a write as `fieldValidation` asks: `Strict` refuses a field the kind does not have,
/// `Warn` (the server's default) answers with a warning for each, `Ignore` drops them silently. Its kind and
/// apiVersion, when given, must be the resource's.
fn decode<T: Printable>(value: &Value, request: &Request) -> Result<(T, Vec<String>), StatusError> {
    let given = |field: &str| value.get(field).and_then(Value::as_str).unwrap_or("");
    let (api_version, kind) = (given("apiVersion"), given("kind"));
    if !api_version.is_empty() && api_version != T::API_VERSION {
        return Err(StatusError::bad_request(format!(
            "the API version in the data ({api_version}) does not match the expected API version ({})",
            T::API_VERSION
        )));
    }
    if !kind.is_empty() && kind != T::KIND {
        return Err(StatusError::bad_request(format!(
            "{kind} in version \"{}\" cannot be handled as a {}: no kind \"{kind}\" is registered for version \"{}\"",
            T::VERSION,
            T::KIND,
            T::API_VERSION
        )));
    }
    let (object, unknown) =
        decode_lenient::<T>(value, T::KIND, T::VERSION).map_err(StatusError::bad_request)?;
    match query_parameter(request.query, "fieldValidation").as_deref() {
        Some("Strict") if !unknown.is_empty() => Err(StatusError::bad_request(format!(
            "{} in version \"{}\" cannot be handled as a {}: strict decoding error: {}",
            T::KIND,
            T::VERSION,
            T::KIND,
            unknown.join(", ")
        ))),
        Some("Ignore") | Some("Strict") => Ok((object, Vec::new())),
        None | Some("" | "Warn") => Ok((object, unknown)),
        Some(other) => Err(StatusError::bad_request(format!(
            "fieldValidation: Unsupported value: \"{other}\": supported values: \"Ignore\", \"Strict\", \"Warn\""
        ))),
    }
}

/// A namespaced object takes the path's namespace when it names none, and may not name another.
fn settle_namespace<T: ApiObject>(object: &mut T, target: &Target) -> Result<(), StatusError> {
    let meta = object.metadata_mut();
    match (target.namespace, meta.namespace.as_deref()) {
        (Some(path), None | Some("")) => meta.namespace = Some(path.to_string()),
        (Some(path), Some(given)) if path != given => return Err(StatusError::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        )),
        _ => {}
    }
    Ok(())
}

/// The written object, with the warnings the write earned.
fn answer<T: Printable>(status: u16, object: &T, warnings: Vec<String>) -> Response {
    let mut response = Response::json(status, &to_json(object));
    response.warnings = warnings;
    response
}

/// A serde_json error in the words of Go's encoding/json, which the apiserver's messages quote.
fn go_json_error(error: &serde_json::Error) -> String {
    match error.classify() {
        serde_json::error::Category::Eof => "unexpected end of JSON input".into(),
        _ => format!(
            "invalid JSON at line {} column {}",
            error.line(),
            error.column()
        ),
    }
}

/// `summarizeData`: the start of a body, as a refusal quotes it.
fn summarize(body: &[u8]) -> String {
    const MAX: usize = 30;
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    match body {
        [] => "<empty>".into(),
        [b'{', ..] if body.len() > MAX => format!("{} ...", String::from_utf8_lossy(&body[..MAX])),
        [b'{', ..] => String::from_utf8_lossy(body).into_owned(),
        _ if body.len() > MAX => format!("{} ...", hex(&body[..MAX])),
        _ => hex(body),
    }
}
