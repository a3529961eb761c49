//! The apiserver's HTTP endpoints, as k8s.io/apiserver/pkg/endpoints serves them: discovery, and the verbs on
//! each served resource, answered from the store. A request goes in and a response comes out; the core opens
//! no socket (the CLI's `ordinal serve-api` carries them over HTTP), so the same answers can be tested here
//! and compared with what a real kubectl prints against them.

mod discovery;
mod handlers;
mod status;

use crate::cluster::Cluster;

pub use handlers::Watch;

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
}

/// An HTTP response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

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
        }
    }

    /// What the apiserver's mux answers for a path nothing serves.
    fn page_not_found() -> Response {
        Response {
            status: 404,
            content_type: "text/plain; charset=utf-8".into(),
            body: b"404 page not found\n".to_vec(),
        }
    }
}

/// Answers `request` from the cluster as it stands.
pub fn serve(cluster: &Cluster, request: &Request) -> Response {
    match segments(request.path).as_slice() {
        ["version"] => discovery::version(),
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
pub fn served_kinds() -> Vec<&'static str> {
    crate::api::resources::ResourceType::ALL
        .iter()
        .map(|t| t.kind())
        .collect()
}

/// The refusal of a watch from a resourceVersion older than the events still kept (`errors.NewResourceExpired`).
pub fn expired(requested: u64, oldest: u64) -> Response {
    status::StatusError::expired(requested, oldest).to_response()
}

/// The path's segments: `/apis/apps/v1/statefulsets` is `apis`, `apps`, `v1`, `statefulsets`.
fn segments(path: &str) -> Vec<&str> {
    path.trim_end_matches('/').split('/').skip(1).collect()
}

/// The value of a query parameter, percent-decoded.
fn query_parameter(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(key) == name).then(|| percent_decode(value))
    })
}

/// `%XX` escapes and `+` (a space in a query), decoded; a malformed escape is kept as it is.
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

#[cfg(test)]
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
            path: "/api/v1/namespaces/default/pods",
            ..Request::default()
        };
        assert_eq!(serve(&cluster, &post).status, 405);
        assert_eq!(get(&cluster, "/healthz", "").0, 404);
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
