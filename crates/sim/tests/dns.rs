//! EndpointSlices and DNS for a headless Service (reference §4, invariant §8.9): records exist only for ready
//! endpoints, unless the Service publishes not-ready addresses, and they follow the pod's current IP.

use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use ordinal_sim::api::delete_options::DeleteOptions;
use ordinal_sim::dns::{self, RecordType};
use ordinal_sim::kubectl::Apply;
use ordinal_sim::scenario::Scenario;
use ordinal_sim::{Cluster, ClusterConfig, ObjectKey, SimTime};

mod common;
use common::{web_running as web_cluster, WEB};

fn pod_ip(cluster: &Cluster, name: &str) -> String {
    cluster
        .store()
        .get::<Pod>(&ObjectKey::new("default", name))
        .and_then(|p| p.status.as_ref()?.pod_ip.clone())
        .unwrap()
}

fn resolved_ips(cluster: &Cluster, query: &str) -> Option<Vec<String>> {
    dns::resolve(cluster.store(), query, "default")
        .map(|answers| answers.into_iter().map(|a| a.ip).collect())
}

fn nginx_slices(cluster: &Cluster) -> Vec<&EndpointSlice> {
    cluster
        .store()
        .list_namespace::<EndpointSlice>("default")
        .filter(|s| s.metadata.name.as_deref().unwrap().starts_with("nginx-"))
        .collect()
}

#[test]
fn headless_service_gets_one_slice_listing_each_pod_with_its_hostname() {
    let cluster = web_cluster();
    let slices = nginx_slices(&cluster);
    assert_eq!(slices.len(), 1);
    let slice = slices[0];
    let labels = slice.metadata.labels.clone().unwrap();
    assert_eq!(labels["kubernetes.io/service-name"], "nginx");
    assert_eq!(
        labels["endpointslice.kubernetes.io/managed-by"],
        "endpointslice-controller.k8s.io"
    );
    assert_eq!(labels["service.kubernetes.io/headless"], "");
    assert_eq!(labels["app"], "nginx");
    let owner = &slice.metadata.owner_references.as_ref().unwrap()[0];
    assert_eq!(
        (owner.kind.as_str(), owner.name.as_str()),
        ("Service", "nginx")
    );
    let hostnames: Vec<_> = slice
        .endpoints
        .iter()
        .map(|e| e.hostname.clone().unwrap())
        .collect();
    assert_eq!(hostnames, ["web-0", "web-1", "web-2"]);
    for endpoint in &slice.endpoints {
        let conditions = endpoint.conditions.clone().unwrap();
        assert_eq!(
            (conditions.ready, conditions.serving, conditions.terminating),
            (Some(true), Some(true), Some(false))
        );
    }
    let port = &slice.ports.as_ref().unwrap()[0];
    assert_eq!(
        (port.name.as_deref(), port.port, port.protocol.as_deref()),
        (Some("web"), Some(80), Some("TCP"))
    );
}

#[test]
fn per_pod_names_resolve_through_the_search_list() {
    let cluster = web_cluster();
    let web0 = pod_ip(&cluster, "web-0");
    assert_eq!(
        resolved_ips(&cluster, "web-0.nginx"),
        Some(vec![web0.clone()])
    );
    assert_eq!(
        resolved_ips(&cluster, "web-0.nginx.default.svc.cluster.local"),
        Some(vec![web0.clone()])
    );
    let answers = dns::resolve(cluster.store(), "nginx", "default").unwrap();
    assert_eq!(answers.len(), 3);
    assert_eq!(
        answers[0].name.as_deref(),
        Some("web-0.nginx.default.svc.cluster.local")
    );
    // From another namespace the short name is not in the search list, the qualified one is.
    assert_eq!(
        dns::resolve(cluster.store(), "web-0.nginx", "kube-system"),
        None
    );
    assert!(dns::resolve(cluster.store(), "web-0.nginx.default", "kube-system").is_some());
    assert_eq!(resolved_ips(&cluster, "web-7.nginx"), None);
    assert_eq!(
        resolved_ips(&cluster, "kube-dns.kube-system"),
        Some(vec![dns::DNS_SERVICE_IP.to_string()])
    );
}

#[test]
fn a_deleted_pod_leaves_dns_while_terminating_and_returns_with_its_new_ip() {
    let mut cluster = web_cluster();
    let old_ip = pod_ip(&cluster, "web-1");
    cluster
        .with_store(|store| {
            store.delete::<Pod>(
                &ObjectKey::new("default", "web-1"),
                DeleteOptions::default(),
            )
        })
        .unwrap();
    let terminating = nginx_slices(&cluster)[0]
        .endpoints
        .iter()
        .find(|e| e.hostname.as_deref() == Some("web-1"))
        .and_then(|e| e.conditions.clone())
        .unwrap();
    assert_eq!(terminating.terminating, Some(true));
    assert_eq!(terminating.ready, Some(false));
    assert_eq!(resolved_ips(&cluster, "web-1.nginx"), None);
    assert_eq!(resolved_ips(&cluster, "nginx").unwrap().len(), 2);

    cluster.run_until(SimTime::from_secs(120));
    let new_ip = pod_ip(&cluster, "web-1");
    assert_ne!(new_ip, old_ip, "a recreated pod gets a new address");
    assert_eq!(resolved_ips(&cluster, "web-1.nginx"), Some(vec![new_ip]));
}

#[test]
fn publish_not_ready_addresses_serves_pods_before_they_are_ready() {
    let slow_probe = Scenario::parse(WEB)
        .unwrap()
        .manifests
        .replace("clusterIP: None", "clusterIP: None\n  publishNotReadyAddresses: true")
        .replace(
            "        volumeMounts:",
            "        readinessProbe:\n          tcpSocket: {port: 80}\n          initialDelaySeconds: 600\n        volumeMounts:",
        );
    let mut cluster = Cluster::new(ClusterConfig::default());
    cluster.apply(&slow_probe).unwrap();
    cluster.run_until(SimTime::from_secs(60));
    let endpoint = nginx_slices(&cluster)[0].endpoints[0].clone();
    let conditions = endpoint.conditions.unwrap();
    assert_eq!(
        (conditions.ready, conditions.serving),
        (Some(true), Some(false))
    );
    assert_eq!(
        resolved_ips(&cluster, "web-0.nginx"),
        Some(vec![pod_ip(&cluster, "web-0")])
    );

    // The same pod without publishNotReadyAddresses has no record yet.
    cluster
        .with_store(|store| {
            store.modify::<Service>(&ObjectKey::new("default", "nginx"), |s| {
                s.spec.as_mut().unwrap().publish_not_ready_addresses = None;
            })
        })
        .unwrap();
    assert_eq!(resolved_ips(&cluster, "web-0.nginx"), None);
}

#[test]
fn service_records_list_a_srv_and_ptr_for_each_ready_endpoint() {
    let cluster = web_cluster();
    let service = cluster
        .store()
        .get::<Service>(&ObjectKey::new("default", "nginx"))
        .unwrap();
    let records = dns::service_records(cluster.store(), service);
    let count = |t: RecordType| records.iter().filter(|r| r.record_type == t).count();
    assert_eq!(
        count(RecordType::A),
        6,
        "3 for the service name, 1 per pod name"
    );
    assert_eq!(count(RecordType::Srv), 3);
    assert_eq!(count(RecordType::Ptr), 3);
    let srv = records
        .iter()
        .find(|r| r.record_type == RecordType::Srv)
        .unwrap();
    assert_eq!(srv.name, "_web._tcp.nginx.default.svc.cluster.local");
    assert_eq!(srv.data, "0 33 80 web-0.nginx.default.svc.cluster.local");
}

#[test]
fn scaling_to_zero_leaves_one_placeholder_slice() {
    let mut cluster = web_cluster();
    let out = ordinal_sim::kubectl::run(&mut cluster, "kubectl scale sts web --replicas=0", "");
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    cluster.run_until(SimTime::from_secs(180));
    let slices = nginx_slices(&cluster);
    assert_eq!(slices.len(), 1);
    assert!(slices[0].endpoints.is_empty());
    assert_eq!(slices[0].ports, None);
    assert_eq!(resolved_ips(&cluster, "nginx"), None);
}

#[test]
fn a_large_set_spreads_over_slices_of_at_most_one_hundred() {
    let manifests = Scenario::parse(WEB).unwrap().manifests.replace(
        "replicas: 3",
        "replicas: 250\n  podManagementPolicy: Parallel",
    );
    let mut cluster = Cluster::new(ClusterConfig::default());
    cluster.apply(&manifests).unwrap();
    cluster.run_until(SimTime::from_secs(120));
    let sizes: Vec<usize> = nginx_slices(&cluster)
        .iter()
        .map(|s| s.endpoints.len())
        .collect();
    assert_eq!(sizes.iter().sum::<usize>(), 250);
    assert!(sizes.iter().all(|n| *n <= 100), "{sizes:?}");
    assert_eq!(sizes.len(), 3);
}
