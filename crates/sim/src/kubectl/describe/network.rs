//! k8s.io/kubectl/pkg/describe/describe.go's `ServiceDescriber` (with `formatEndpointSlices`) and
//! `EndpointSliceDescriber`.

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::discovery::v1::EndpointSlice;

use super::writer::{int_or_string, join_or_none, key_values, or_unset, protocol, Doc, NONE};
use crate::cluster::Cluster;
use crate::controller::endpointslice::slices_of;
use crate::object::name_of;

pub(super) fn describe_service(doc: &mut Doc, cluster: &Cluster, service: &Service) {
    let meta = &service.metadata;
    let spec = service.spec.clone().unwrap_or_default();
    doc.labels_and_annotations(meta);
    doc.field(0, "Selector", key_values(spec.selector.as_ref()).join(","));
    doc.field(0, "Type", spec.type_.as_deref().unwrap_or_default());
    if let Some(policy) = &spec.ip_family_policy {
        doc.field(0, "IP Family Policy", policy);
    }
    let families = spec.ip_families.clone().unwrap_or_default();
    doc.field(0, "IP Families", join_or_none(&families, ","));
    doc.field(0, "IP", spec.cluster_ip.as_deref().unwrap_or_default());
    let ips = spec.cluster_ips.clone().unwrap_or_default();
    doc.field(0, "IPs", join_or_none(&ips, ","));
    let namespace = meta.namespace.as_deref().unwrap_or_default();
    let slices: Vec<&EndpointSlice> =
        slices_of(cluster.store(), namespace, name_of(meta)).collect();
    for port in spec.ports.iter().flatten() {
        let port_name = port_name(port.name.as_deref());
        let protocol = protocol(port.protocol.as_deref());
        doc.field(0, "Port", format!("{port_name}\t{}/{protocol}", port.port));
        let target = port
            .target_port
            .as_ref()
            .map_or_else(|| port.port.to_string(), int_or_string);
        doc.field(0, "TargetPort", format!("{target}/{protocol}"));
        if let Some(node_port) = port.node_port.filter(|p| *p != 0) {
            doc.field(
                0,
                "NodePort",
                format!("{port_name}\t{node_port}/{protocol}"),
            );
        }
        let endpoints = format_endpoint_slices(&slices, port.name.as_deref().unwrap_or_default());
        doc.field(0, "Endpoints", endpoints);
    }
    let affinity = spec.session_affinity.as_deref().unwrap_or_default();
    doc.field(0, "Session Affinity", affinity);
    if let Some(policy) = spec.internal_traffic_policy.as_ref() {
        doc.field(0, "Internal Traffic Policy", policy);
    }
}

/// `formatEndpointSlices` for one service port: ready addresses as `ip:port`, at most three and a count.
fn format_endpoint_slices(slices: &[&EndpointSlice], port_name: &str) -> String {
    if slices.is_empty() {
        return NONE.into();
    }
    let mut list = Vec::new();
    for slice in slices {
        let ready: Vec<&str> = slice
            .endpoints
            .iter()
            .filter(|e| e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true))
            .filter_map(|e| e.addresses.first().map(String::as_str))
            .collect();
        let ports = slice.ports.clone().unwrap_or_default();
        if ports.is_empty() {
            list.extend(ready.iter().map(|a| a.to_string()));
            continue;
        }
        for port in ports
            .iter()
            .filter(|p| p.name.as_deref().unwrap_or_default() == port_name)
        {
            let number = port.port.unwrap_or(0);
            list.extend(ready.iter().map(|a| format!("{a}:{number}")));
        }
    }
    const MAX: usize = 3;
    if list.len() > MAX {
        format!("{} + {} more...", list[..MAX].join(","), list.len() - MAX)
    } else {
        list.join(",")
    }
}

pub(super) fn describe_endpoint_slice(doc: &mut Doc, _: &Cluster, slice: &EndpointSlice) {
    let meta = &slice.metadata;
    doc.labels_and_annotations(meta);
    doc.field(0, "AddressType", &slice.address_type);
    // Upstream writes these two titles with a space, not a tab, when there is nothing under them.
    let ports = slice.ports.clone().unwrap_or_default();
    if ports.is_empty() {
        doc.write(0, "Ports: <unset>\n");
    } else {
        doc.write(0, "Ports:\n");
        doc.write(1, "Name\tPort\tProtocol\n");
        doc.write(1, "----\t----\t--------\n");
        for port in ports {
            let name = port_name(port.name.as_deref());
            let number = or_unset(port.port);
            let protocol = protocol(port.protocol.as_deref());
            doc.write(1, &format!("{name}\t{number}\t{protocol}\n"));
        }
    }
    if slice.endpoints.is_empty() {
        doc.write(0, "Endpoints: <none>\n");
        return;
    }
    doc.write(0, "Endpoints:\n");
    for endpoint in &slice.endpoints {
        doc.field(1, "- Addresses", join_or_none(&endpoint.addresses, ", "));
        doc.write(2, "Conditions:\n");
        doc.field(
            3,
            "Ready",
            or_unset(endpoint.conditions.as_ref().and_then(|c| c.ready)),
        );
        doc.field(2, "Hostname", or_unset(endpoint.hostname.as_ref()));
        if let Some(target) = &endpoint.target_ref {
            let kind = target.kind.as_deref().unwrap_or_default();
            let name = target.name.as_deref().unwrap_or_default();
            doc.field(2, "TargetRef", format!("{kind}/{name}"));
        }
        doc.field(2, "NodeName", or_unset(endpoint.node_name.as_ref()));
        doc.field(2, "Zone", or_unset(endpoint.zone.as_ref()));
    }
}

/// A port's name, `<unset>` when it has none.
fn port_name(name: Option<&str>) -> String {
    or_unset(name.filter(|n| !n.is_empty()))
}
