//! The EndpointSlice controller (`pkg/controller/endpointslice`): for every Service with a selector, slices that
//! list the matching pods with their IP, hostname and conditions. DNS is read from these slices, so this is what
//! makes `web-0.nginx` resolve, and stop resolving while web-0 is not ready.

use k8s_openapi::api::core::v1::{ObjectReference, Pod, Service, ServicePort};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort, EndpointSlice};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::api::delete_options::DeleteOptions;
use crate::controller::{Controller, Ctx, WorkQueue};
use crate::object::{controller_ref, name_of, ApiObject, Object, ObjectKey};
use crate::store::{Store, WatchEvent, WatchEventType};

pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

/// The EndpointSlices of one Service, found by the label the controller gives them, as kube-proxy and CoreDNS
/// find them.
pub fn slices_of<'a>(
    store: &'a Store,
    namespace: &'a str,
    service: &'a str,
) -> impl Iterator<Item = &'a EndpointSlice> {
    store
        .list_namespace::<EndpointSlice>(namespace)
        .filter(move |slice| {
            slice
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(SERVICE_NAME_LABEL))
                .is_some_and(|name| name == service)
        })
}
pub const MANAGED_BY_LABEL: &str = "endpointslice.kubernetes.io/managed-by";
pub const CONTROLLER_NAME: &str = "endpointslice-controller.k8s.io";
const HEADLESS_LABEL: &str = "service.kubernetes.io/headless";
/// `--max-endpoints-per-slice`, default 100.
pub const MAX_ENDPOINTS_PER_SLICE: usize = 100;

#[derive(Clone, Debug, Default)]
pub struct EndpointSliceController {
    queue: WorkQueue,
    /// What each pod last looked like to this controller, for `podEndpointsChanged`.
    seen: BTreeMap<ObjectKey, PodEndpointView>,
    /// Per queued service, the pods whose endpoints changed; `None` when only a full reconcile will do (the
    /// Service changed, or someone else touched its slices).
    dirty: BTreeMap<ObjectKey, Option<BTreeSet<String>>>,
    /// The resourceVersion of each slice as this controller last wrote it (upstream's
    /// `endpointSliceTracker`): its own writes coming back as events need no sync.
    written: BTreeMap<ObjectKey, Option<String>>,
}

/// The parts of a pod an endpoint is made of: a pod update that changes none of them changes no slice.
#[derive(Clone, Debug, PartialEq)]
struct PodEndpointView {
    labels: Option<BTreeMap<String, String>>,
    ip: Option<String>,
    ready: bool,
    terminating: bool,
    finished: bool,
    hostname: Option<String>,
    subdomain: Option<String>,
    node: Option<String>,
}

impl PodEndpointView {
    fn of(pod: &Pod) -> Self {
        let spec = pod.spec.as_ref();
        PodEndpointView {
            labels: pod.metadata.labels.clone(),
            ip: pod.status.as_ref().and_then(|s| s.pod_ip.clone()),
            ready: pod_is_ready(pod),
            terminating: pod.metadata.deletion_timestamp.is_some(),
            finished: !should_pod_be_in_endpoints(pod),
            hostname: spec.and_then(|s| s.hostname.clone()),
            subdomain: spec.and_then(|s| s.subdomain.clone()),
            node: spec.and_then(|s| s.node_name.clone()),
        }
    }
}

impl Controller for EndpointSliceController {
    fn observe(&mut self, event: &WatchEvent, store: &Store) {
        match &event.object {
            Object::Service(service) => self.mark_full(service.key()),
            Object::Pod(pod) => {
                let key = pod.key();
                let previous = if event.event_type == WatchEventType::Deleted {
                    self.seen.remove(&key)
                } else {
                    let view = PodEndpointView::of(pod);
                    if self.seen.get(&key) == Some(&view) {
                        return;
                    }
                    self.seen.insert(key, view)
                };
                let old_labels = previous.and_then(|view| view.labels);
                let pod_name = name_of(&pod.metadata).to_string();
                for service in services_for_pod(store, pod, old_labels.as_ref()) {
                    let dirty = self
                        .dirty
                        .entry(service.clone())
                        .or_insert_with(|| Some(BTreeSet::new()));
                    if let Some(pods) = dirty {
                        pods.insert(pod_name.clone());
                    }
                    self.queue.add(service);
                }
            }
            Object::EndpointSlice(slice) => {
                let key = slice.key();
                let ours = match event.event_type {
                    WatchEventType::Deleted => {
                        self.written.remove(&key).is_some_and(|rv| rv.is_none())
                    }
                    _ => self.written.get(&key) == Some(&slice.metadata.resource_version),
                };
                if let Some(service) = managed_service_of(slice).filter(|_| !ours) {
                    self.mark_full(service);
                }
            }
            _ => {}
        }
    }

    fn queue(&mut self) -> &mut WorkQueue {
        &mut self.queue
    }

    /// `syncService`: the endpoints of the pods that changed, or, when that cannot be done in place, the
    /// desired endpoints of every pod reconciled against the existing slices.
    fn sync(&mut self, key: &ObjectKey, ctx: &mut Ctx) {
        let dirty = self.dirty.remove(key).flatten();
        let Some(service) = ctx.store.get::<Service>(key).cloned() else {
            // The slices carry the Service as owner; the garbage collector removes them.
            return;
        };
        if service.metadata.deletion_timestamp.is_some() || service_selector(&service).is_none() {
            return;
        }
        let (writes, deletions) =
            match dirty.and_then(|pods| update_in_place(ctx.store, &service, &pods)) {
                Some(changed) => (changed, Vec::new()),
                None => reconcile(ctx.store, &service, desired_endpoints(ctx.store, &service)),
            };
        self.write_slices(ctx, &service, writes, deletions);
    }
}

impl EndpointSliceController {
    fn mark_full(&mut self, service: ObjectKey) {
        self.dirty.insert(service.clone(), None);
        self.queue.add(service);
    }

    fn write_slices(
        &mut self,
        ctx: &mut Ctx,
        service: &Service,
        slices: Vec<EndpointSlice>,
        deletions: Vec<ObjectKey>,
    ) {
        for mut slice in slices {
            slice.metadata.labels = Some(slice_labels(service));
            // An unchanged slice is a no-op update: the store does not write it.
            let written = if slice.metadata.uid.is_some() {
                ctx.store.update(slice)
            } else {
                ctx.store.create(slice)
            };
            if let Ok(written) = written {
                self.written
                    .insert(written.key(), written.metadata.resource_version.clone());
            }
        }
        for key in deletions {
            self.written.insert(key.clone(), None);
            // Only NotFound can come back: the slice is already gone, as the reconciler wants.
            let _ = ctx.store.delete::<EndpointSlice>(&key, DeleteOptions::NOW);
        }
    }
}

/// The changed pods' endpoints rewritten where they stand, or appended to a slice of their port list that has
/// room. `None` when a change needs slices created or removed: the full reconcile handles those.
fn update_in_place(
    store: &Store,
    service: &Service,
    pods: &BTreeSet<String>,
) -> Option<Vec<EndpointSlice>> {
    let namespace = service.metadata.namespace.clone().unwrap_or_default();
    let service_key = service.key();
    // Shared until changed: only the slices that change are copied.
    let mut slices: Vec<Arc<EndpointSlice>> = store
        .list_namespace_shared::<EndpointSlice>(&namespace)
        .filter(|s| managed_service_of(s).as_ref() == Some(&service_key))
        .cloned()
        .collect();
    let mut changed = BTreeSet::new();
    let selector = service_selector(service)?;
    for pod_name in pods {
        let pod = store
            .get::<Pod>(&ObjectKey::new(namespace.clone(), pod_name.clone()))
            .filter(|p| {
                p.metadata
                    .labels
                    .as_ref()
                    .is_some_and(|l| selects(selector, l))
                    && should_pod_be_in_endpoints(p)
            });
        let desired = pod.map(|p| (endpoint_ports(service, p), pod_to_endpoint(p, service)));
        let found = slices.iter().enumerate().find_map(|(i, slice)| {
            let at = slice
                .endpoints
                .iter()
                .position(|e| endpoint_pod(e) == Some(pod_name.as_str()))?;
            Some((i, at))
        });
        match (found, desired) {
            (Some((i, at)), Some((ports, endpoint))) if slice_port_key(&slices[i]) == ports => {
                Arc::make_mut(&mut slices[i]).endpoints[at] = endpoint;
                changed.insert(i);
            }
            (Some((i, at)), None) if slices[i].endpoints.len() > 1 => {
                Arc::make_mut(&mut slices[i]).endpoints.remove(at);
                changed.insert(i);
            }
            (None, Some((ports, endpoint))) => {
                let i = slices.iter().position(|s| {
                    slice_port_key(s) == ports && s.endpoints.len() < MAX_ENDPOINTS_PER_SLICE
                })?;
                Arc::make_mut(&mut slices[i]).endpoints.push(endpoint);
                changed.insert(i);
            }
            (None, None) => {}
            _ => return None,
        }
    }
    Some(
        slices
            .into_iter()
            .enumerate()
            .filter(|(i, _)| changed.contains(i))
            .map(|(_, slice)| Arc::unwrap_or_clone(slice))
            .collect(),
    )
}

/// The services whose slices must change for this pod: those that select it now, and those that selected it
/// with the labels it had before (it may have left them). A Service whose own selector changed is
/// reconciled in full through its own event.
fn services_for_pod(
    store: &Store,
    pod: &Pod,
    old_labels: Option<&BTreeMap<String, String>>,
) -> BTreeSet<ObjectKey> {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or_default();
    let labels = [pod.metadata.labels.as_ref(), old_labels];
    store
        .list_namespace::<Service>(namespace)
        .filter(|s| {
            service_selector(s)
                .is_some_and(|selector| labels.iter().flatten().any(|l| selects(selector, l)))
        })
        .map(ApiObject::key)
        .collect()
}

/// The Service a slice belongs to, if this controller manages it.
fn managed_service_of(slice: &EndpointSlice) -> Option<ObjectKey> {
    let labels = slice.metadata.labels.as_ref()?;
    if labels.get(MANAGED_BY_LABEL).map(String::as_str) != Some(CONTROLLER_NAME) {
        return None;
    }
    let service = labels.get(SERVICE_NAME_LABEL)?;
    Some(ObjectKey::new(
        slice.metadata.namespace.clone().unwrap_or_default(),
        service.clone(),
    ))
}

/// A Service without a selector has its endpoints managed by someone else.
fn service_selector(service: &Service) -> Option<&BTreeMap<String, String>> {
    service
        .spec
        .as_ref()?
        .selector
        .as_ref()
        .filter(|s| !s.is_empty())
}

fn selects(selector: &BTreeMap<String, String>, labels: &BTreeMap<String, String>) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

pub fn is_headless(service: &Service) -> bool {
    service.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()) == Some("None")
}

/// `ShouldPodBeInEndpoints` with terminating pods included: a pod needs an IP and must not have finished.
fn should_pod_be_in_endpoints(pod: &Pod) -> bool {
    let status = pod.status.as_ref();
    let phase = status.and_then(|s| s.phase.as_deref()).unwrap_or_default();
    let has_ip = status
        .and_then(|s| s.pod_ip.as_deref())
        .is_some_and(|ip| !ip.is_empty());
    has_ip && phase != "Succeeded" && phase != "Failed"
}

fn pod_is_ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .into_iter()
        .flatten()
        .any(|c| c.type_ == "Ready" && c.status == "True")
}

/// The endpoints this Service should list, grouped by the ports they resolve to: a named targetPort may map to
/// different numbers on different pods, and a slice has one port list.
fn desired_endpoints(store: &Store, service: &Service) -> BTreeMap<Vec<PortKey>, DesiredEndpoints> {
    let namespace = service.metadata.namespace.as_deref().unwrap_or_default();
    let selector = service_selector(service).cloned().unwrap_or_default();
    let no_labels = BTreeMap::new();
    let mut grouped: BTreeMap<Vec<PortKey>, DesiredEndpoints> = BTreeMap::new();
    for pod in store.list_namespace::<Pod>(namespace) {
        let labels = pod.metadata.labels.as_ref().unwrap_or(&no_labels);
        if !selects(&selector, labels) || !should_pod_be_in_endpoints(pod) {
            continue;
        }
        grouped
            .entry(endpoint_ports(service, pod))
            .or_default()
            .insert(
                name_of(&pod.metadata).to_string(),
                pod_to_endpoint(pod, service),
            );
    }
    grouped
}

/// The endpoints one port list should have, by pod name.
type DesiredEndpoints = BTreeMap<String, Endpoint>;

/// `podToEndpoint`: serving follows readiness, terminating the deletion timestamp, and ready is what DNS and
/// kube-proxy use, unless the Service publishes not-ready addresses.
fn pod_to_endpoint(pod: &Pod, service: &Service) -> Endpoint {
    let serving = pod_is_ready(pod);
    let terminating = pod.metadata.deletion_timestamp.is_some();
    let publish_not_ready = service
        .spec
        .as_ref()
        .and_then(|s| s.publish_not_ready_addresses)
        .unwrap_or(false);
    let spec = pod.spec.as_ref();
    // The hostname is published only for the pod's own subdomain: that is how `web-0.nginx` gets its record.
    let hostname = spec
        .and_then(|s| s.hostname.clone())
        .filter(|h| !h.is_empty())
        .filter(|_| {
            spec.and_then(|s| s.subdomain.as_deref()) == service.metadata.name.as_deref()
                && pod.metadata.namespace == service.metadata.namespace
        });
    Endpoint {
        addresses: vec![pod
            .status
            .as_ref()
            .and_then(|s| s.pod_ip.clone())
            .unwrap_or_default()],
        conditions: Some(EndpointConditions {
            ready: Some(publish_not_ready || (serving && !terminating)),
            serving: Some(serving),
            terminating: Some(terminating),
        }),
        hostname,
        node_name: spec.and_then(|s| s.node_name.clone()),
        target_ref: Some(ObjectReference {
            kind: Some("Pod".into()),
            name: pod.metadata.name.clone(),
            namespace: pod.metadata.namespace.clone(),
            uid: pod.metadata.uid.clone(),
            ..ObjectReference::default()
        }),
        ..Endpoint::default()
    }
}

/// A port as a slice lists it: (name, protocol, number).
type PortKey = (String, String, i32);

/// `getEndpointPorts`: each Service port with its targetPort resolved against the pod's container ports. A
/// named targetPort the pod does not declare is left out.
fn endpoint_ports(service: &Service, pod: &Pod) -> Vec<PortKey> {
    let ports = service.spec.as_ref().and_then(|s| s.ports.as_ref());
    ports
        .into_iter()
        .flatten()
        .filter_map(|port| {
            let number = resolve_target_port(port, pod)?;
            Some((
                port.name.clone().unwrap_or_default(),
                port.protocol.clone().unwrap_or_else(|| "TCP".into()),
                number,
            ))
        })
        .collect()
}

fn resolve_target_port(port: &ServicePort, pod: &Pod) -> Option<i32> {
    match &port.target_port {
        None => Some(port.port),
        Some(IntOrString::Int(number)) => Some(*number),
        Some(IntOrString::String(name)) => pod
            .spec
            .as_ref()?
            .containers
            .iter()
            .flat_map(|c| c.ports.iter().flatten())
            .find(|p| p.name.as_deref() == Some(name.as_str()))
            .map(|p| p.container_port),
    }
}

fn to_endpoint_ports(ports: &[PortKey]) -> Option<Vec<EndpointPort>> {
    // A placeholder slice for a Service with no endpoints lists no ports at all.
    (!ports.is_empty()).then(|| {
        ports
            .iter()
            .map(|(name, protocol, port)| EndpointPort {
                name: Some(name.clone()),
                protocol: Some(protocol.clone()),
                port: Some(*port),
                ..EndpointPort::default()
            })
            .collect()
    })
}

fn slice_port_key(slice: &EndpointSlice) -> Vec<PortKey> {
    slice
        .ports
        .iter()
        .flatten()
        .map(|p| {
            (
                p.name.clone().unwrap_or_default(),
                p.protocol.clone().unwrap_or_else(|| "TCP".into()),
                p.port.unwrap_or_default(),
            )
        })
        .collect()
}

fn endpoint_pod(endpoint: &Endpoint) -> Option<&str> {
    endpoint.target_ref.as_ref()?.name.as_deref()
}

/// `reconciler.reconcile`: keep slices whose endpoints are still wanted, update endpoints in place so a changed
/// IP or condition does not reorder anything, fill slices with room before creating new ones, and keep one
/// empty placeholder slice for a Service that selects no ready-or-not pod.
fn reconcile(
    store: &Store,
    service: &Service,
    desired: BTreeMap<Vec<PortKey>, DesiredEndpoints>,
) -> (Vec<EndpointSlice>, Vec<ObjectKey>) {
    let namespace = service.metadata.namespace.clone().unwrap_or_default();
    let service_key = service.key();
    let existing: Vec<EndpointSlice> = store
        .list_namespace::<EndpointSlice>(&namespace)
        .filter(|s| managed_service_of(s).as_ref() == Some(&service_key))
        .cloned()
        .collect();
    let mut to_write: Vec<EndpointSlice> = Vec::new();
    let mut to_delete: Vec<ObjectKey> = Vec::new();
    let mut remaining = desired;
    for slice in &existing {
        let ports = slice_port_key(slice);
        let mut updated = slice.clone();
        // Each endpoint still wanted is taken out of `remaining` as its slice keeps it.
        updated.endpoints = match remaining.get_mut(&ports) {
            Some(wanted) => slice
                .endpoints
                .iter()
                .filter_map(|endpoint| wanted.remove(endpoint_pod(endpoint)?))
                .collect(),
            None => Vec::new(),
        };
        let placeholder = ports.is_empty();
        if updated.endpoints.is_empty() && !placeholder {
            to_delete.push(slice.key());
        } else {
            to_write.push(updated);
        }
    }
    for (ports, endpoints) in remaining {
        let mut endpoints = endpoints.into_values().peekable();
        for slice in to_write.iter_mut().filter(|s| slice_port_key(s) == ports) {
            while slice.endpoints.len() < MAX_ENDPOINTS_PER_SLICE {
                let Some(endpoint) = endpoints.next() else {
                    break;
                };
                slice.endpoints.push(endpoint);
            }
        }
        while endpoints.peek().is_some() {
            let mut slice = new_endpoint_slice(service, &ports);
            slice.endpoints = endpoints.by_ref().take(MAX_ENDPOINTS_PER_SLICE).collect();
            to_write.push(slice);
        }
    }
    let has_endpoints = to_write.iter().any(|s| !s.endpoints.is_empty());
    // Slices with endpoints make the placeholder redundant; without any, exactly one placeholder stays.
    to_write.retain(|s| {
        let placeholder = s.endpoints.is_empty();
        if placeholder && has_endpoints && s.metadata.uid.is_some() {
            to_delete.push(s.key());
        }
        !(placeholder && has_endpoints)
    });
    if to_write.is_empty() {
        to_write.push(new_endpoint_slice(service, &[]));
    }
    (to_write, to_delete)
}

fn new_endpoint_slice(service: &Service, ports: &[PortKey]) -> EndpointSlice {
    let name = name_of(&service.metadata);
    EndpointSlice {
        metadata: ObjectMeta {
            generate_name: Some(format!("{name}-")),
            namespace: service.metadata.namespace.clone(),
            owner_references: Some(vec![controller_ref(service)]),
            ..ObjectMeta::default()
        },
        address_type: "IPv4".into(),
        endpoints: Vec::new(),
        ports: to_endpoint_ports(ports),
    }
}

/// `setEndpointSliceLabels`: the Service's own labels, then the two the controller owns, and the headless marker.
fn slice_labels(service: &Service) -> BTreeMap<String, String> {
    let mut labels = service.metadata.labels.clone().unwrap_or_default();
    labels.remove(HEADLESS_LABEL);
    if is_headless(service) {
        labels.insert(HEADLESS_LABEL.into(), String::new());
    }
    labels.insert(SERVICE_NAME_LABEL.into(), name_of(&service.metadata).into());
    labels.insert(MANAGED_BY_LABEL.into(), CONTROLLER_NAME.into());
    labels
}
