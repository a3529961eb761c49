//! Discovery, as k8s.io/apiserver/pkg/endpoints/discovery serves it: the aggregated form (`apidiscovery.k8s.io/v2`,
//! one document for `/api` and one for `/apis`, which kubectl asks for first) and the legacy documents
//! (`APIVersions`, `APIGroupList`, `APIGroup`, `APIResourceList`) for clients that do not ask for it. Only what
//! is served is listed: the resource types of `api::resources`, with the verbs their handlers answer.

use serde_json::{json, Value};

use super::handlers::{subresources, VERBS};
use super::{Request, Response};
use crate::api::resources::ResourceType;

/// The named groups in the order kube-apiserver lists them: by group priority, highest first
/// (`apps` 17800, `storage.k8s.io` 16800, `discovery.k8s.io` 16200 in pkg/controlplane/apiserver).
pub(super) const GROUPS: &[&str] = &["apps", "storage.k8s.io", "discovery.k8s.io"];

const AGGREGATED: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// Whether the client accepts the aggregated form, as kubectl's `Accept` offers it first.
fn wants_aggregated(request: &Request) -> bool {
    request.accept.split(',').any(|media| {
        let params: Vec<&str> = media.split(';').map(str::trim).collect();
        ["g=apidiscovery.k8s.io", "v=v2", "as=APIGroupDiscoveryList"]
            .iter()
            .all(|p| params.contains(p))
    })
}

/// The served resource types of a group version, by name.
fn served(group: &str, version: &str) -> Vec<ResourceType> {
    let mut types: Vec<ResourceType> = ResourceType::ALL
        .into_iter()
        .filter(|t| t.group_version() == (group, version))
        .collect();
    types.sort_by_key(|t| t.plural());
    types
}

/// `/api`: the core group.
pub(super) fn core(request: &Request) -> Response {
    if wants_aggregated(request) {
        return aggregated(&[""]);
    }
    Response::json(
        200,
        &json!({
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{ "clientCIDR": "0.0.0.0/0", "serverAddress": request.host }],
        }),
    )
}

/// `/apis`: the named groups.
pub(super) fn groups(request: &Request) -> Response {
    if wants_aggregated(request) {
        return aggregated(GROUPS);
    }
    let groups: Vec<Value> = GROUPS.iter().map(|g| api_group(g)).collect();
    Response::json(
        200,
        &json!({ "kind": "APIGroupList", "apiVersion": "v1", "groups": groups }),
    )
}

/// `/apis/<group>`.
pub(super) fn group(name: &str) -> Response {
    if !GROUPS.contains(&name) {
        return Response::page_not_found();
    }
    let mut group = api_group(name);
    group["kind"] = json!("APIGroup");
    group["apiVersion"] = json!("v1");
    Response::json(200, &group)
}

fn api_group(name: &str) -> Value {
    let version = json!({ "groupVersion": format!("{name}/v1"), "version": "v1" });
    json!({ "name": name, "versions": [version], "preferredVersion": version })
}

/// `/api/v1`, `/apis/<group>/<version>`: the resources of one group version.
pub(super) fn resource_list(group: &str, version: &str) -> Response {
    let known = if group.is_empty() {
        version == "v1"
    } else {
        GROUPS.contains(&group) && version == "v1"
    };
    if !known {
        return Response::page_not_found();
    }
    let resources: Vec<Value> = served(group, version)
        .into_iter()
        .flat_map(|t| {
            let main = with_names(
                json!({
                    "name": t.plural(),
                    "singularName": t.singular(),
                    "namespaced": t.namespaced(),
                    "kind": t.kind(),
                    "verbs": VERBS,
                }),
                t,
            );
            // Each subresource is listed after its resource, naming its group and version only where they
            // are not the resource's own.
            let subresources = subresources(t).into_iter().map(move |sub| {
                let (sub_group, sub_version, kind) = sub.response;
                let mut entry = json!({
                    "name": format!("{}/{}", t.plural(), sub.name),
                    "singularName": "",
                    "namespaced": t.namespaced(),
                    "kind": kind,
                    "verbs": sub.verbs,
                });
                if (sub_group, sub_version) != (group, version) {
                    entry["group"] = json!(sub_group);
                    entry["version"] = json!(sub_version);
                }
                entry
            });
            std::iter::once(main).chain(subresources)
        })
        .collect();
    let group_version = match group {
        "" => version.to_string(),
        group => format!("{group}/{version}"),
    };
    Response::json(
        200,
        &json!({
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": group_version,
            "resources": resources,
        }),
    )
}

/// The aggregated document of `groups` (`""`: the core group), every one at v1.
fn aggregated(groups: &[&str]) -> Response {
    let items: Vec<Value> = groups
        .iter()
        .map(|group| {
            let resources: Vec<Value> = served(group, "v1")
                .into_iter()
                .map(|t| {
                    let mut resource = with_names(
                        json!({
                            "resource": t.plural(),
                            "responseKind": { "group": group, "version": "v1", "kind": t.kind() },
                            "scope": if t.namespaced() { "Namespaced" } else { "Cluster" },
                            "singularResource": t.singular(),
                            "verbs": VERBS,
                        }),
                        t,
                    );
                    let subresources: Vec<Value> = subresources(t)
                        .into_iter()
                        .map(|sub| {
                            let (group, version, kind) = sub.response;
                            json!({
                                "subresource": sub.name,
                                "responseKind": { "group": group, "version": version, "kind": kind },
                                "verbs": sub.verbs,
                            })
                        })
                        .collect();
                    if !subresources.is_empty() {
                        resource["subresources"] = json!(subresources);
                    }
                    resource
                })
                .collect();
            json!({
                "metadata": { "name": group, "creationTimestamp": null },
                "versions": [{ "version": "v1", "resources": resources, "freshness": "Current" }],
            })
        })
        .collect();
    Response::typed(
        200,
        AGGREGATED,
        &json!({
            "kind": "APIGroupDiscoveryList",
            "apiVersion": "apidiscovery.k8s.io/v2",
            "metadata": {},
            "items": items,
        }),
    )
}

/// A resource's entry with its short names and categories, each left out when empty (`omitempty`).
fn with_names(mut resource: Value, kind: ResourceType) -> Value {
    if !kind.short_names().is_empty() {
        resource["shortNames"] = json!(kind.short_names());
    }
    if !kind.categories().is_empty() {
        resource["categories"] = json!(kind.categories());
    }
    resource
}

/// `/version`: kube-apiserver v1.34.0's build, which the simulated cluster reports (`cluster::KUBERNETES_VERSION`).
/// The commit and build date are those the release's binaries report, as `curl /version` on a v1.34.0 cluster
/// shows them in two independent write-ups; the platform is kind's nodes'.
pub(super) fn version() -> Response {
    debug_assert_eq!(crate::cluster::KUBERNETES_VERSION, "v1.34.0");
    Response::json(
        200,
        &json!({
            "major": "1",
            "minor": "34",
            "emulationMajor": "1",
            "emulationMinor": "34",
            "minCompatibilityMajor": "1",
            "minCompatibilityMinor": "33",
            "gitVersion": crate::cluster::KUBERNETES_VERSION,
            "gitCommit": "f28b4c9efbca5c5c0af716d9f2d5702667ee8a45",
            "gitTreeState": "clean",
            "buildDate": "2025-08-27T10:09:04Z",
            "goVersion": "go1.24.6",
            "compiler": "gc",
            "platform": "linux/amd64",
        }),
    )
}
