//! The apiserver's HTTP endpoints, as k8s.io/apiserver/pkg/endpoints serves them: discovery, and the verbs on
//! each served resource, answered from the store. A request goes in and a response comes out; the core opens
//! no socket (the CLI's `ordinal serve-api` carries them over HTTP), so the same answers can be tested here
//! and compared with what a real kubectl prints against them.

#[cfg(feature = "apiserver")]
mod discovery;
#[cfg(feature = "apiserver")]
pub mod exec;
#[cfg(feature = "apiserver")]
mod handlers;
#[cfg(feature = "apiserver")]
mod list_options;
#[cfg(feature = "apiserver")]
mod logs;
#[cfg(feature = "apiserver")]
mod openapi;
#[cfg(feature = "apiserver")]
mod pages;
#[cfg(feature = "apiserver")]
mod status;
#[cfg(feature = "apiserver")]
mod writes;

#[cfg(feature = "apiserver")]
use crate::cluster::Cluster;

#[cfg(feature = "apiserver")]
pub use handlers::Watch;
#[cfg(feature = "apiserver")]
pub use logs::{open_follow, LogFollow};

/// An HTTP request, as far as the endpoints read it.
#[derive(Clone, Debug, Default)]
pub struct Request<'a> {
    pub method: &'a str,
    /// The path, without the query.
    pub path: &'a str,
    /// The query, without `?`, still percent-encoded.
    pub query: &'a str,
    /// The `Accept` header: kubectl asks for aggregated discovery and for tables through it.
    pub accept: &'a str,
    /// The `Host` header, which the legacy discovery document echoes as the server's address.
    pub host: &'a str,
    /// The `Content-Type` header: a write's body format, or a patch's type.
    pub content_type: &'a str,
    pub body: &'a [u8],
}

impl Request<'_> {
    /// Whether it may change the cluster: every method but GET (and HEAD) is a write.
    pub fn writes(&self) -> bool {
        !matches!(self.method, "GET" | "HEAD")
    }

    /// The request kept whole, as a timeline records a write.
    pub fn to_recorded(&self) -> RecordedRequest {
        RecordedRequest {
            method: self.method.to_string(),
            path: self.path.to_string(),
            query: self.query.to_string(),
            content_type: self.content_type.to_string(),
            body: String::from_utf8_lossy(self.body).into_owned(),
        }
    }
}

/// A write as a step records it (`script::Action::Request`): replayed, it changes the cluster as it did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    pub content_type: String,
    pub body: String,
}

impl RecordedRequest {
    pub fn as_request(&self) -> Request<'_> {
        Request {
            method: &self.method,
            path: &self.path,
            query: &self.query,
            content_type: &self.content_type,
            body: self.body.as_bytes(),
            ..Request::default()
        }
    }

    /// Whether it opened an exec or attach stream.
    pub fn opens_stream(&self) -> bool {
        opens_stream(&self.path)
    }

    /// `PATCH /apis/apps/v1/namespaces/default/statefulsets/web`: what a transcript names the step by.
    pub fn line(&self) -> String {
        match self.query.as_str() {
            "" => format!("{} {}", self.method, self.path),
            query => format!("{} {}?{query}", self.method, self.path),
        }
    }
}

/// Whether a request to `path` opens an exec or attach stream, which runs in a terminal of its own and takes
/// what its client sends as keystrokes.
pub fn opens_stream(path: &str) -> bool {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    matches!(
        segments.as_slice(),
        ["api", "v1", "namespaces", _, "pods", _, "exec" | "attach"]
    )
}

/// An HTTP response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
    /// `Warning` headers' texts (`unknown field "spec.foo"`), which kubectl prints as `Warning: ...`.
    pub warnings: Vec<String>,
}

#[cfg(feature = "apiserver")]
impl Response {
    fn json(status: u16, value: &serde_json::Value) -> Response {
        Response::typed(status, "application/json", value)
    }

    fn typed(status: u16, content_type: &str, value: &serde_json::Value) -> Response {
        let mut body = serde_json::to_vec(value).expect("JSON values always serialize");
        body.push(b'\n');
        Response {
            status,
            content_type: content_type.into(),
            body,
            warnings: Vec::new(),
        }
    }

    /// What the apiserver's mux answers for a path nothing serves.
    fn page_not_found() -> Response {
        Response {
            status: 404,
            content_type: "text/plain; charset=utf-8".into(),
            body: b"404 page not found\n".to_vec(),
            warnings: Vec::new(),
        }
    }
}

/// Answers a request that may change the cluster (`Request::writes`): created, replaced, patched or deleted
/// through the store, which runs the kind's strategy, and the controllers react before this returns. A read
/// is answered as `serve` answers it.
#[cfg(feature = "apiserver")]
pub fn write(cluster: &mut Cluster, request: &Request) -> Response {
    if !request.writes() || opens_stream(request.path) {
        return serve(cluster, request);
    }
    match segments(request.path).as_slice() {
        ["api", "v1", rest @ ..] if !rest.is_empty() => {
            writes::write(cluster, request, "", "v1", rest)
        }
        ["apis", group, version, rest @ ..] if !rest.is_empty() => {
            writes::write(cluster, request, group, version, rest)
        }
        _ => serve(cluster, request),
    }
}

/// Answers `request` from the cluster as it stands.
#[cfg(feature = "apiserver")]
pub fn serve(cluster: &Cluster, request: &Request) -> Response {
    if let Some(opened) = exec::open_stream(cluster, request) {
        // A stream is served only over an upgraded connection, which the transport makes (`open_stream`).
        return opened.map_or_else(|refusal| refusal, |_| exec::not_upgraded());
    }
    match segments(request.path).as_slice() {
        ["version"] => discovery::version(),
        ["openapi", "v3"] => openapi::index(),
        ["openapi", "v3", rest @ ..] => {
            openapi::group_version(&rest.join("/")).unwrap_or_else(Response::page_not_found)
        }
        ["api"] => discovery::core(request),
        ["apis"] => discovery::groups(request),
        ["api", "v1"] => discovery::resource_list("", "v1"),
        ["apis", group] => discovery::group(group),
        ["apis", group, version] => discovery::resource_list(group, version),
        ["api", "v1", rest @ ..] => handlers::resource(cluster, request, "", "v1", rest),
        ["apis", group, version, rest @ ..] => {
            handlers::resource(cluster, request, group, version, rest)
        }
        _ => Response::page_not_found(),
    }
}

/// Whether `request` opens a watch on a collection (`?watch=true`): None when it does not; else the watch,
/// which the transport holds open and feeds the store's events (`Watch::event`), or the refusal to answer.
#[cfg(feature = "apiserver")]
pub fn open_watch(request: &Request) -> Option<Result<Watch, Response>> {
    match segments(request.path).as_slice() {
        ["api", "v1", rest @ ..] if !rest.is_empty() => handlers::watch(request, "", "v1", rest),
        ["apis", group, version, rest @ ..] if !rest.is_empty() => {
            handlers::watch(request, group, version, rest)
        }
        _ => None,
    }
}

/// The kinds a transport feeds watches with (`Cluster::open_watch` takes a kind): every served one.
#[cfg(feature = "apiserver")]
pub fn served_kinds() -> Vec<&'static str> {
    crate::api::resources::ResourceType::ALL
        .iter()
        .map(|t| t.kind())
        .collect()
}

/// The refusal of a watch from a resourceVersion older than the events still kept (`errors.NewResourceExpired`).
#[cfg(feature = "apiserver")]
pub fn expired(requested: u64, oldest: u64) -> Response {
    status::StatusError::expired(requested, oldest).to_response()
}

/// The path's segments: `/apis/apps/v1/statefulsets` is `apis`, `apps`, `v1`, `statefulsets`.
#[cfg(feature = "apiserver")]
fn segments(path: &str) -> Vec<&str> {
    path.trim_end_matches('/').split('/').skip(1).collect()
}

/// The value of a query parameter, percent-decoded.
#[cfg(feature = "apiserver")]
fn query_parameter(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(key) == name).then(|| percent_decode(value))
    })
}

/// `%XX` escapes and `+` (a space in a query), decoded; a malformed escape is kept as it is.
#[cfg(feature = "apiserver")]
fn percent_decode(text: &str) -> String {
    let hex = |byte: u8| (byte as char).to_digit(16);
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%' && i + 2 < bytes.len())
            .then(|| Some(hex(bytes[i + 1])? * 16 + hex(bytes[i + 2])?))
            .flatten();
        match (escaped, bytes[i]) {
            (Some(value), _) => {
                out.push(value as u8);
                i += 3;
                continue;
            }
            (None, b'+') => out.push(b' '),
            (None, byte) => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(all(test, feature = "apiserver"))]
mod tests {
    use super::*;
    use crate::config::ClusterConfig;
    use serde_json::Value;

    fn get(cluster: &Cluster, path: &str, accept: &str) -> (u16, Value) {
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let request = Request {
            method: "GET",
            path,
            query,
            accept,
            host: "127.0.0.1:8001",
            ..Request::default()
        };
        let response = serve(cluster, &request);
        (
            response.status,
            serde_json::from_slice(&response.body).unwrap_or(Value::Null),
        )
    }

    #[test]
    fn discovery_is_aggregated_when_asked_for_and_legacy_otherwise() {
        let cluster = Cluster::new(ClusterConfig::default());
        let aggregated =
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
        let (_, core) = get(&cluster, "/api", aggregated);
        assert_eq!(core["kind"], "APIGroupDiscoveryList");
        let pods = &core["items"][0]["versions"][0]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["resource"] == "pods")
            .cloned()
            .unwrap();
        assert_eq!(pods["shortNames"], serde_json::json!(["po"]));
        assert_eq!(pods["scope"], "Namespaced");
        let (_, legacy) = get(&cluster, "/api", "application/json");
        assert_eq!(legacy["versions"], serde_json::json!(["v1"]));
        let (_, apps) = get(&cluster, "/apis/apps/v1", "");
        assert_eq!(apps["resources"][1]["name"], "statefulsets");
        assert_eq!(get(&cluster, "/apis/batch/v1", "").0, 404);
        assert_eq!(get(&cluster, "/version", "").1["gitVersion"], "v1.34.0");
    }

    #[test]
    fn objects_come_as_json_or_as_tables_and_refusals_as_status() {
        let cluster = Cluster::new(ClusterConfig::default());
        let (status, nodes) = get(&cluster, "/api/v1/nodes", "");
        assert_eq!((status, nodes["kind"].as_str()), (200, Some("NodeList")));
        assert!(
            nodes["items"][0].get("kind").is_none(),
            "list items carry no kind"
        );
        let table = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
        let (_, nodes) = get(&cluster, "/api/v1/nodes?includeObject=None", table);
        assert_eq!(nodes["columnDefinitions"][0]["name"], "Name");
        assert_eq!(nodes["columnDefinitions"][5]["priority"], 1);
        assert_eq!(nodes["rows"][0]["cells"][0], "kind-worker");
        assert!(nodes["rows"][0].get("object").is_none());
        let (status, missing) = get(&cluster, "/api/v1/namespaces/default/pods/web-0", "");
        assert_eq!(status, 404);
        assert_eq!(missing["message"], "pods \"web-0\" not found");
        assert_eq!(
            missing["details"],
            serde_json::json!({"name": "web-0", "kind": "pods"})
        );
        let (status, bad) = get(&cluster, "/api/v1/pods?fieldSelector=spec.image%3Dx", "");
        assert_eq!((status, bad["reason"].as_str()), (400, Some("BadRequest")));
        let post = Request {
            method: "POST",
            path: "/api/v1/namespaces/default/pods/web-0",
            ..Request::default()
        };
        assert_eq!(serve(&cluster, &post).status, 405);
        assert_eq!(get(&cluster, "/healthz", "").0, 404);
    }

    /// The tutorial's web set, created through these very endpoints as kubectl creates it, and run for a
    /// minute: three replicas, all Ready. (Only the apiserver's modules are used: the module graph has the
    /// endpoints above the scenario and the timeline.)
    fn web_cluster() -> Cluster {
        let mut cluster = Cluster::new(ClusterConfig::default());
        let service = r#"{"apiVersion":"v1","kind":"Service","metadata":{"name":"nginx","labels":{"app":"nginx"}},
            "spec":{"clusterIP":"None","selector":{"app":"nginx"},"ports":[{"port":80,"name":"web"}]}}"#;
        let set = r#"{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"web"},
            "spec":{"serviceName":"nginx","replicas":3,"selector":{"matchLabels":{"app":"nginx"}},
            "template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"name":"nginx",
            "image":"nginx:1.9.1","ports":[{"containerPort":80,"name":"web"}],
            "volumeMounts":[{"name":"www","mountPath":"/usr/share/nginx/html"}]}]}},
            "volumeClaimTemplates":[{"metadata":{"name":"www"},"spec":{"accessModes":["ReadWriteOnce"],
            "resources":{"requests":{"storage":"1Gi"}}}}]}}"#;
        for (path, body) in [
            ("/api/v1/namespaces/default/services", service),
            ("/apis/apps/v1/namespaces/default/statefulsets", set),
        ] {
            let (status, created, _) = send(&mut cluster, "POST", path, "application/json", body);
            assert_eq!(status, 201, "{created}");
        }
        cluster.run_until(crate::time::SimTime::from_secs(60));
        cluster
    }

    fn send(
        cluster: &mut Cluster,
        method: &str,
        path: &str,
        content_type: &str,
        body: &str,
    ) -> (u16, Value, Vec<String>) {
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let request = Request {
            method,
            path,
            query,
            content_type,
            body: body.as_bytes(),
            ..Request::default()
        };
        let response = write(cluster, &request);
        let value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
        (response.status, value, response.warnings)
    }

    const SERVICE: &str = r#"{"apiVersion":"v1","kind":"Service","metadata":{"name":"db"},
        "spec":{"clusterIP":"None","selector":{"app":"db"},"ports":[{"port":5432}]}}"#;

    #[test]
    fn creates_answer_201_and_refusals_store_nothing() {
        let mut cluster = Cluster::new(ClusterConfig::default());
        let services = "/api/v1/namespaces/default/services";
        let (status, created, _) =
            send(&mut cluster, "POST", services, "application/json", SERVICE);
        assert_eq!(status, 201);
        assert_eq!(created["metadata"]["namespace"], "default");
        assert!(created["metadata"]["uid"].is_string());
        let (status, again, _) = send(&mut cluster, "POST", services, "application/json", SERVICE);
        assert_eq!(
            (status, again["reason"].as_str()),
            (409, Some("AlreadyExists"))
        );

        let version = cluster.store().resource_version();
        let unknown = SERVICE
            .replace(r#""clusterIP""#, r#""clusterIp":"x","clusterIP""#)
            .replace("db", "db2");
        let strict = format!("{services}?fieldValidation=Strict");
        let (status, refused, _) =
            send(&mut cluster, "POST", &strict, "application/json", &unknown);
        assert_eq!(status, 400);
        assert_eq!(
            refused["message"],
            "Service in version \"v1\" cannot be handled as a Service: strict decoding error: unknown field \"spec.clusterIp\""
        );
        let elsewhere = "/api/v1/namespaces/kube-system/services";
        let (status, refused, _) = send(
            &mut cluster,
            "POST",
            elsewhere,
            "application/json",
            &SERVICE.replace(r#""name":"db""#, r#""name":"db","namespace":"default""#),
        );
        assert_eq!(status, 400, "{refused}");
        let (status, refused, _) = send(
            &mut cluster,
            "POST",
            services,
            "application/json",
            "{\"apiVersion\":",
        );
        assert_eq!(
            (status, refused["reason"].as_str()),
            (400, Some("BadRequest"))
        );
        let huge = format!("{{\"x\":\"{}\"}}", "a".repeat(4 << 20));
        let (status, refused, _) = send(&mut cluster, "POST", services, "application/json", &huge);
        assert_eq!(
            (status, refused["reason"].as_str()),
            (413, Some("RequestEntityTooLarge"))
        );
        let (status, _, _) = send(&mut cluster, "POST", services, "text/plain", SERVICE);
        assert_eq!(status, 415);
        assert_eq!(
            cluster.store().resource_version(),
            version,
            "nothing refused was stored"
        );

        let (status, _, warnings) =
            send(&mut cluster, "POST", services, "application/json", &unknown);
        assert_eq!(status, 201);
        assert_eq!(warnings, ["unknown field \"spec.clusterIp\""]);
    }

    #[test]
    fn updates_and_patches_check_the_resource_version_and_keep_what_is_not_theirs() {
        let mut cluster = web_cluster();
        let path = "/apis/apps/v1/namespaces/default/statefulsets/web";
        let (_, live) = get(&cluster, path, "");
        let mut stale = live.clone();
        stale["metadata"]["resourceVersion"] = serde_json::json!("1");
        let (status, conflict, _) = send(
            &mut cluster,
            "PUT",
            path,
            "application/json",
            &stale.to_string(),
        );
        assert_eq!(
            (status, conflict["reason"].as_str()),
            (409, Some("Conflict"))
        );
        assert_eq!(
            conflict["message"],
            "Operation cannot be fulfilled on statefulsets.apps \"web\": the object has been modified; please apply your changes to the latest version and try again"
        );

        // A PUT of the main resource keeps the status it finds, whatever it sends.
        let mut replaced = live.clone();
        replaced["spec"]["replicas"] = serde_json::json!(3);
        replaced["status"]["replicas"] = serde_json::json!(99);
        let (status, written, _) = send(
            &mut cluster,
            "PUT",
            path,
            "application/json",
            &replaced.to_string(),
        );
        assert_eq!(status, 200);
        assert_eq!(written["spec"]["replicas"], 3);
        assert_eq!(written["status"]["replicas"], live["status"]["replicas"]);

        let smp = r#"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"}],"containers":[{"name":"nginx","image":"registry.k8s.io/nginx-slim:0.21"}]}}}}"#;
        let (status, patched, _) = send(
            &mut cluster,
            "PATCH",
            path,
            "application/strategic-merge-patch+json",
            smp,
        );
        assert_eq!(status, 200, "{patched}");
        let container = &patched["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(container["image"], "registry.k8s.io/nginx-slim:0.21");
        assert_eq!(
            container["ports"][0]["containerPort"], 80,
            "the rest of the container stays"
        );
        let (status, refused, _) = send(
            &mut cluster,
            "PATCH",
            path,
            "application/json-patch+json",
            r#"[{"op":"remove","path":"/spec/nope"}]"#,
        );
        assert_eq!((status, refused["reason"].as_str()), (422, Some("Invalid")));
        let (status, _, _) = send(
            &mut cluster,
            "PATCH",
            path,
            "application/apply-patch+yaml",
            "{}",
        );
        assert_eq!(status, 415);
        let (status, invalid, _) = send(
            &mut cluster,
            "PATCH",
            path,
            "application/merge-patch+json",
            r#"{"spec":{"replicas":-1}}"#,
        );
        assert_eq!(status, 422);
        assert_eq!(invalid["details"]["causes"][0]["field"], "spec.replicas");
        assert_eq!(invalid["details"]["kind"], "StatefulSet");
        assert!(invalid["message"]
            .as_str()
            .unwrap()
            .starts_with("StatefulSet.apps \"web\" is invalid: "));
    }

    #[test]
    fn scale_status_eviction_and_delete_subresources() {
        let mut cluster = web_cluster();
        let set = "/apis/apps/v1/namespaces/default/statefulsets/web";
        let (status, scale) = get(&cluster, &format!("{set}/scale"), "");
        assert_eq!(status, 200);
        assert_eq!(scale["kind"], "Scale");
        assert_eq!(scale["status"]["selector"], "app=nginx");
        let (status, scaled, _) = send(
            &mut cluster,
            "PATCH",
            &format!("{set}/scale"),
            "application/merge-patch+json",
            r#"{"spec":{"replicas":1}}"#,
        );
        assert_eq!(
            (status, scaled["spec"]["replicas"].as_i64()),
            (200, Some(1))
        );
        let (_, after) = get(&cluster, set, "");
        assert_eq!(after["spec"]["replicas"], 1);

        // A status write changes the status only.
        let mut status_write = after.clone();
        status_write["spec"]["replicas"] = serde_json::json!(7);
        status_write["status"]["collisionCount"] = serde_json::json!(4);
        let (status, written, _) = send(
            &mut cluster,
            "PUT",
            &format!("{set}/status"),
            "application/json",
            &status_write.to_string(),
        );
        assert_eq!(status, 200);
        assert_eq!(
            (
                written["spec"]["replicas"].as_i64(),
                written["status"]["collisionCount"].as_i64()
            ),
            (Some(1), Some(4))
        );

        let pod = "/api/v1/namespaces/default/pods/web-0";
        let (_, live) = get(&cluster, pod, "");
        let wrong_uid = r#"{"preconditions":{"uid":"nope"}}"#;
        let (status, conflict, _) =
            send(&mut cluster, "DELETE", pod, "application/json", wrong_uid);
        assert_eq!(status, 409);
        assert_eq!(
            conflict["message"],
            format!("Operation cannot be fulfilled on pods \"web-0\": Precondition failed: UID in precondition: nope, UID in object meta: {}", live["metadata"]["uid"].as_str().unwrap())
        );
        let eviction = r#"{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"web-0","namespace":"default"}}"#;
        let (status, evicted, _) = send(
            &mut cluster,
            "POST",
            &format!("{pod}/eviction"),
            "application/json",
            eviction,
        );
        assert_eq!((status, evicted["status"].as_str()), (201, Some("Success")));
        let (_, marked) = get(&cluster, pod, "");
        assert!(
            marked["metadata"]["deletionTimestamp"].is_string()
                || marked["metadata"]["uid"] != live["metadata"]["uid"]
        );
        // A stream is served over an upgraded connection only, which the transport makes.
        let exec = format!("{pod}/exec");
        let request = Request {
            method: "POST",
            path: &exec,
            query: "command=hostname",
            ..Request::default()
        };
        let response = write(&mut cluster, &request);
        assert_eq!(
            (response.status, response.body.as_slice()),
            (
                400,
                &b"unable to upgrade: missing upgrade headers in request\n"[..]
            )
        );
        let (status, _, _) = send(&mut cluster, "POST", pod, "application/json", "{}");
        assert_eq!(status, 405);
    }

    #[test]
    fn openapi_v3_names_every_group_version_and_offers_field_validation_on_patches() {
        let cluster = Cluster::new(ClusterConfig::default());
        let (status, index) = get(&cluster, "/openapi/v3", "");
        assert_eq!(status, 200);
        let url = index["paths"]["apis/apps/v1"]["serverRelativeURL"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(url.starts_with("/openapi/v3/apis/apps/v1?hash="));
        let (_, apps) = get(&cluster, &url, "");
        let patch =
            &apps["paths"]["/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}"]["patch"];
        assert_eq!(patch["operationId"], "patchAppsV1NamespacedStatefulSet");
        assert_eq!(
            patch["x-kubernetes-group-version-kind"]["kind"],
            "StatefulSet"
        );
        assert!(patch["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "fieldValidation"));
        let scale =
            &apps["paths"]["/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}/scale"]["put"];
        assert_eq!(
            scale["operationId"],
            "replaceAppsV1NamespacedStatefulSetScale"
        );
        assert_eq!(get(&cluster, "/openapi/v3/apis/batch/v1", "").0, 404);
        assert_eq!(get(&cluster, "/openapi/v2", "").0, 404);
    }

    #[test]
    fn queries_are_percent_decoded() {
        let query = "labelSelector=app%3Dnginx%2Ctier+in+%28web%29&limit=500";
        assert_eq!(
            query_parameter(query, "labelSelector").as_deref(),
            Some("app=nginx,tier in (web)")
        );
        assert_eq!(query_parameter(query, "limit").as_deref(), Some("500"));
        assert_eq!(query_parameter(query, "watch"), None);
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("%é"), "%é");
    }
}
