//! Cluster DNS as CoreDNS's `kubernetes` plugin serves it (the `kubernetes/dns` specification, schema 1.0.1),
//! computed from Services and EndpointSlices. Only endpoints whose `ready` condition is not false are published,
//! so a NotReady or terminating pod has no record unless its Service publishes not-ready addresses.

use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::api::discovery::v1::Endpoint;

use crate::controller::endpointslice::{is_headless, slices_of};
use crate::object::name_of;
use crate::store::Store;

pub const CLUSTER_DOMAIN: &str = "cluster.local";
/// The `kube-dns` Service's ClusterIP, the nameserver in every pod's resolv.conf.
pub const DNS_SERVICE_IP: &str = "10.96.0.10";
/// resolv.conf's `options ndots:5`: names with fewer dots go through the search list first.
const NDOTS: usize = 5;

/// One answer to an A query, with the name its address maps back to (its PTR record).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    pub ip: String,
    pub name: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordType {
    A,
    Srv,
    Ptr,
}

/// A record as a zone file would list it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub name: String,
    pub record_type: RecordType,
    /// For A the address; for SRV `priority weight port target`; for PTR the name.
    pub data: String,
}

/// Resolves `query` as a pod in `namespace` would: resolv.conf's search list and ndots, then the cluster zone.
/// `None` is NXDOMAIN.
pub fn resolve(store: &Store, query: &str, namespace: &str) -> Option<Vec<Address>> {
    search_candidates(query, namespace)
        .into_iter()
        .find_map(|fqdn| lookup(store, &fqdn))
}

/// The names a resolver tries, in order, for `query` (`search <ns>.svc.<zone> svc.<zone> <zone>`).
pub fn search_candidates(query: &str, namespace: &str) -> Vec<String> {
    if let Some(absolute) = query.strip_suffix('.') {
        return vec![absolute.to_string()];
    }
    let searched = [
        format!("{namespace}.svc.{CLUSTER_DOMAIN}"),
        format!("svc.{CLUSTER_DOMAIN}"),
        CLUSTER_DOMAIN.to_string(),
    ]
    .map(|suffix| format!("{query}.{suffix}"));
    if query.matches('.').count() >= NDOTS {
        std::iter::once(query.to_string()).chain(searched).collect()
    } else {
        searched.into_iter().chain([query.to_string()]).collect()
    }
}

/// `hostname -f` inside the pod: the FQDN the kubelet writes to /etc/hosts when the pod has a subdomain.
pub fn pod_fqdn(pod: &Pod) -> Option<String> {
    let spec = pod.spec.as_ref()?;
    let hostname = spec.hostname.as_deref().unwrap_or(name_of(&pod.metadata));
    let subdomain = spec.subdomain.as_deref().filter(|s| !s.is_empty())?;
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
    Some(format!(
        "{hostname}.{subdomain}.{namespace}.svc.{CLUSTER_DOMAIN}"
    ))
}

/// Answers for one fully qualified name.
fn lookup(store: &Store, fqdn: &str) -> Option<Vec<Address>> {
    let relative = fqdn
        .to_ascii_lowercase()
        .strip_suffix(&format!(".{CLUSTER_DOMAIN}"))?
        .to_string();
    let labels: Vec<&str> = relative.split('.').collect();
    match labels.as_slice() {
        [service, namespace, "svc"] => service_addresses(store, namespace, service),
        [host, service, namespace, "svc"] => endpoint_addresses(store, namespace, service, host),
        [dashed, _namespace, "pod"] => {
            // `pods insecure`: the name is the address, whether or not such a pod exists.
            let ip = dashed.replace('-', ".");
            let valid =
                ip.split('.').count() == 4 && ip.split('.').all(|o| o.parse::<u8>().is_ok());
            valid.then(|| vec![Address { ip, name: None }])
        }
        _ => None,
    }
    .filter(|answers| !answers.is_empty())
}

fn service_addresses(store: &Store, namespace: &str, name: &str) -> Option<Vec<Address>> {
    let service = find_service(store, namespace, name)?;
    if is_headless(service) {
        return Some(
            published_endpoints(store, service)
                .into_iter()
                .map(|p| Address {
                    ip: p.ip,
                    name: Some(p.fqdn),
                })
                .collect(),
        );
    }
    let ip = service.spec.as_ref()?.cluster_ip.clone()?;
    Some(vec![Address {
        ip,
        name: Some(service_fqdn(namespace, name)),
    }])
}

fn endpoint_addresses(
    store: &Store,
    namespace: &str,
    service: &str,
    host: &str,
) -> Option<Vec<Address>> {
    let service = find_service(store, namespace, service)?;
    let wanted = format!(
        "{host}.{}",
        service_fqdn(namespace, name_of(&service.metadata))
    );
    Some(
        published_endpoints(store, service)
            .into_iter()
            .filter(|p| p.fqdn == wanted)
            .map(|p| Address {
                ip: p.ip,
                name: Some(p.fqdn),
            })
            .collect(),
    )
}

fn find_service<'a>(store: &'a Store, namespace: &'a str, name: &str) -> Option<&'a Service> {
    store
        .list_namespace::<Service>(namespace)
        .find(|s| name_of(&s.metadata) == name)
}

/// The Service's own name in the cluster zone: `nginx.default.svc.cluster.local`.
pub fn service_fqdn(namespace: &str, service: &str) -> String {
    format!("{service}.{namespace}.svc.{CLUSTER_DOMAIN}")
}

/// An endpoint address CoreDNS publishes, with the slice's named ports that give it SRV records.
struct Published {
    fqdn: String,
    ip: String,
    ports: Vec<(String, String, i32)>,
}

/// The published endpoints of a Service, in slice order. An endpoint without a hostname is named after its
/// dashed address, as CoreDNS does.
fn published_endpoints(store: &Store, service: &Service) -> Vec<Published> {
    let namespace = service.metadata.namespace.as_deref().unwrap_or_default();
    let name = name_of(&service.metadata);
    let domain = service_fqdn(namespace, name);
    let mut published = Vec::new();
    for slice in slices_of(store, namespace, name) {
        let ports: Vec<(String, String, i32)> = slice
            .ports
            .iter()
            .flatten()
            .filter_map(|p| {
                let port_name = p.name.clone().filter(|n| !n.is_empty())?;
                let protocol = p.protocol.as_deref().unwrap_or("TCP").to_ascii_lowercase();
                Some((port_name, protocol, p.port?))
            })
            .collect();
        for endpoint in slice.endpoints.iter().filter(|e| is_published(e)) {
            for ip in &endpoint.addresses {
                let host = endpoint
                    .hostname
                    .clone()
                    .unwrap_or_else(|| ip.replace('.', "-"));
                published.push(Published {
                    fqdn: format!("{host}.{domain}"),
                    ip: ip.clone(),
                    ports: ports.clone(),
                });
            }
        }
    }
    published
}

/// CoreDNS serves an endpoint unless its `ready` condition is explicitly false.
fn is_published(endpoint: &Endpoint) -> bool {
    endpoint.conditions.as_ref().and_then(|c| c.ready) != Some(false)
}

/// Every record the cluster DNS serves for one Service: the service name, per-endpoint names, SRV for named
/// ports (weight shared evenly, as CoreDNS does), and the reverse (PTR) names.
pub fn service_records(store: &Store, service: &Service) -> Vec<Record> {
    let namespace = service.metadata.namespace.as_deref().unwrap_or_default();
    let domain = service_fqdn(namespace, name_of(&service.metadata));
    let record = |name: String, record_type: RecordType, data: String| Record {
        name,
        record_type,
        data,
    };
    if !is_headless(service) {
        let Some(spec) = service.spec.as_ref() else {
            return Vec::new();
        };
        let Some(ip) = spec.cluster_ip.clone() else {
            return Vec::new();
        };
        let named_ports = spec.ports.iter().flatten().filter_map(|p| {
            let port_name = p.name.as_deref().filter(|n| !n.is_empty())?;
            let protocol = p.protocol.as_deref().unwrap_or("TCP").to_ascii_lowercase();
            Some(record(
                format!("_{port_name}._{protocol}.{domain}"),
                RecordType::Srv,
                format!("0 100 {} {domain}", p.port),
            ))
        });
        return std::iter::once(record(domain.clone(), RecordType::A, ip))
            .chain(named_ports)
            .collect();
    }
    let endpoints = published_endpoints(store, service);
    let weight = 100 / endpoints.len().max(1);
    let service_a = endpoints
        .iter()
        .map(|e| record(domain.clone(), RecordType::A, e.ip.clone()));
    let endpoint_a = endpoints
        .iter()
        .map(|e| record(e.fqdn.clone(), RecordType::A, e.ip.clone()));
    let srv = endpoints.iter().flat_map(|e| {
        e.ports.iter().map(|(port_name, protocol, port)| {
            record(
                format!("_{port_name}._{protocol}.{domain}"),
                RecordType::Srv,
                format!("0 {weight} {port} {}", e.fqdn),
            )
        })
    });
    let ptr = endpoints
        .iter()
        .map(|e| record(reverse_name(&e.ip), RecordType::Ptr, e.fqdn.clone()));
    service_a.chain(endpoint_a).chain(srv).chain(ptr).collect()
}

/// `in-addr.arpa` name of an IPv4 address.
fn reverse_name(ip: &str) -> String {
    let octets: Vec<&str> = ip.split('.').rev().collect();
    format!("{}.in-addr.arpa", octets.join("."))
}
