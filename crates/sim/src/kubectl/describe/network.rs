//! k8s.io/kubectl/pkg/describe/describe.go's `ServiceDescriber` and `EndpointSliceDescriber`.

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::writer::{
    annotations_multiline, labels_multiline, write_name_and_namespace, Doc, EventTable,
};
use crate::cluster::Cluster;

pub(super) fn describe_service(
    cluster: &Cluster,
    service: &Service,
    events: &EventTable,
) -> String {
    let mut doc = Doc::default();
    let meta = &service.metadata;
    let spec = service.spec.clone().unwrap_or_default();
    let name = meta.name.clone().unwrap_or_default();
    let namespace = meta.namespace.clone().unwrap_or_default();
    doc.write(0, &format!("Name:\t{name}\n"));
    doc.write(0, &format!("Namespace:\t{namespace}\n"));
    labels_multiline(&mut doc, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut doc, "Annotations", meta.annotations.as_ref());
    let selector = spec.selector.clone().unwrap_or_default();
    let selector = selector
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    doc.write(0, &format!("Selector:\t{selector}\n"));
    doc.write(
        0,
        &format!("Type:\t{}\n", spec.type_.clone().unwrap_or_default()),
    );
    if let Some(policy) = &spec.ip_family_policy {
        doc.write(0, &format!("IP Family Policy:\t{policy}\n"));
    }
    let families = spec.ip_families.clone().unwrap_or_default();
    let families = if families.is_empty() {
        "<none>".to_string()
    } else {
        families.join(",")
    };
    doc.write(0, &format!("IP Families:\t{families}\n"));
    doc.write(
        0,
        &format!("IP:\t{}\n", spec.cluster_ip.clone().unwrap_or_default()),
    );
    let ips = spec.cluster_ips.clone().unwrap_or_default();
    let ips = if ips.is_empty() {
        "<none>".to_string()
    } else {
        ips.join(",")
    };
    doc.write(0, &format!("IPs:\t{ips}\n"));
    let slices: Vec<&EndpointSlice> = cluster
        .store()
        .list_namespace::<EndpointSlice>(&namespace)
        .filter(|s| {
            s.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("kubernetes.io/service-name"))
                == Some(&name)
        })
        .collect();
    for port in spec.ports.clone().unwrap_or_default() {
        let port_name = port
            .name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "<unset>".into());
        let protocol = port.protocol.clone().unwrap_or_else(|| "TCP".into());
        doc.write(
            0,
            &format!("Port:\t{port_name}\t{}/{protocol}\n", port.port),
        );
        let target = match &port.target_port {
            Some(IntOrString::Int(n)) => n.to_string(),
            Some(IntOrString::String(s)) => s.clone(),
            None => port.port.to_string(),
        };
        doc.write(0, &format!("TargetPort:\t{target}/{protocol}\n"));
        if let Some(node_port) = port.node_port.filter(|p| *p != 0) {
            doc.write(
                0,
                &format!("NodePort:\t{port_name}\t{node_port}/{protocol}\n"),
            );
        }
        let endpoints = format_endpoint_slices(&slices, port.name.as_deref().unwrap_or_default());
        doc.write(0, &format!("Endpoints:\t{endpoints}\n"));
    }
    doc.write(
        0,
        &format!(
            "Session Affinity:\t{}\n",
            spec.session_affinity.clone().unwrap_or_default()
        ),
    );
    if let Some(policy) = spec.internal_traffic_policy.as_ref() {
        doc.write(0, &format!("Internal Traffic Policy:\t{policy}\n"));
    }
    events.write(&mut doc);
    doc.aligned()
}

/// `formatEndpointSlices` for one service port: ready addresses as `ip:port`, at most three and a count.
pub(super) fn format_endpoint_slices(slices: &[&EndpointSlice], port_name: &str) -> String {
    if slices.is_empty() {
        return "<none>".into();
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

pub(super) fn describe_endpoint_slice(slice: &EndpointSlice, events: &EventTable) -> String {
    let mut doc = Doc::default();
    let meta = &slice.metadata;
    write_name_and_namespace(&mut doc, meta);
    labels_multiline(&mut doc, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut doc, "Annotations", meta.annotations.as_ref());
    doc.write(0, &format!("AddressType:\t{}\n", slice.address_type));
    let ports = slice.ports.clone().unwrap_or_default();
    if ports.is_empty() {
        doc.write(0, "Ports: <unset>\n");
    } else {
        doc.write(0, "Ports:\n");
        doc.write(1, "Name\tPort\tProtocol\n");
        doc.write(1, "----\t----\t--------\n");
        for port in ports {
            let name = port
                .name
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "<unset>".into());
            let number = port.port.map_or("<unset>".to_string(), |p| p.to_string());
            let protocol = port.protocol.clone().unwrap_or_else(|| "TCP".into());
            doc.write(1, &format!("{name}\t{number}\t{protocol}\n"));
        }
    }
    if slice.endpoints.is_empty() {
        doc.write(0, "Endpoints: <none>\n");
    } else {
        doc.write(0, "Endpoints:\n");
        for endpoint in &slice.endpoints {
            let addresses = if endpoint.addresses.is_empty() {
                "<none>".to_string()
            } else {
                endpoint.addresses.join(", ")
            };
            doc.write(1, &format!("- Addresses:\t{addresses}\n"));
            doc.write(2, "Conditions:\n");
            let ready = endpoint
                .conditions
                .as_ref()
                .and_then(|c| c.ready)
                .map_or("<unset>".to_string(), |r| r.to_string());
            doc.write(3, &format!("Ready:\t{ready}\n"));
            let unset = |v: &Option<String>| v.clone().unwrap_or_else(|| "<unset>".into());
            doc.write(2, &format!("Hostname:\t{}\n", unset(&endpoint.hostname)));
            if let Some(target) = &endpoint.target_ref {
                doc.write(
                    2,
                    &format!(
                        "TargetRef:\t{}/{}\n",
                        target.kind.clone().unwrap_or_default(),
                        target.name.clone().unwrap_or_default()
                    ),
                );
            }
            doc.write(2, &format!("NodeName:\t{}\n", unset(&endpoint.node_name)));
            doc.write(2, &format!("Zone:\t{}\n", unset(&endpoint.zone)));
        }
    }
    events.write(&mut doc);
    doc.aligned()
}
