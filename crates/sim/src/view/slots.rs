//! A StatefulSet as its slots: one per ordinal, with the pod that holds it if any, the claims the controller
//! made for it and the names the set's headless Service gives it. The rules are the controller's
//! (pkg/controller/statefulset/stateful_set_utils.go: ordinals, claim names, revisions, readiness, ownership)
//! and the cluster DNS's; a viewer arranges the slots and does not re-derive them.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Node, PersistentVolumeClaim, Pod, Service};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use super::rows::{storage, NodeRow, PodRow};
use crate::controller::statefulset::utils::{
    get_ordinal, get_persistent_volume_claim_name, get_pod_revision, is_running_and_ready,
};
use crate::controller::statefulset::wait::Wait;
use crate::dns::{self, RecordType};
use crate::object::{get_controller_of, ApiObject};
use crate::{Cluster, ObjectKey, SimTime};

/// A StatefulSet's spec against its status, its slots, and why the controller waits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatefulSetView {
    pub name: String,
    pub namespace: String,
    pub service_name: String,
    /// `podManagementPolicy`, `OrderedReady` when unset (the apiserver's default).
    pub policy: String,
    pub strategy: UpdateStrategy,
    /// The spec's replicas, against the status's counts of pods.
    pub replicas: i32,
    pub ready: i32,
    pub current: i32,
    pub updated: i32,
    pub available: i32,
    /// The status's revisions: the one the pods not yet updated were made from, and the one they are updated
    /// to; equal once a rollout is done.
    pub current_revision: String,
    pub update_revision: String,
    /// Why the controller's last sync of the set stopped short, as it recorded it.
    pub wait: Option<Wait>,
    /// Every ordinal in range, every ordinal with a pod and every ordinal whose claims remain, in order.
    pub slots: Vec<SlotView>,
    /// Set when the set's Service exists.
    pub dns: Option<DnsView>,
}

/// `updateStrategy`, with the apiserver's defaults: RollingUpdate, partition 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateStrategy {
    RollingUpdate { partition: i32 },
    OnDelete,
}

/// An ordinal: its name outlives its pods, and its claims stay when it has none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotView {
    pub ordinal: i64,
    pub name: String,
    /// Within `start..start + replicas`; a slot out of range is being scaled away, or keeps only claims.
    pub in_range: bool,
    pub pod: Option<Arc<PodView>>,
    /// The claims of the set's templates for this ordinal, in the order of the templates.
    pub claims: Vec<ClaimView>,
    /// Set when the set's Service exists.
    pub dns: Option<DnsName>,
}

/// The pod that holds a slot. Eq, so that comparing two `Arc<PodView>`s that are one view is a pointer
/// comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodView {
    pub uid: String,
    /// STATUS and READY as `kubectl get pods` prints them.
    pub status: String,
    pub ready_text: String,
    /// Running and Ready: what the controller waits for.
    pub ready: bool,
    pub terminating: bool,
    /// While terminating: the seconds of the grace period left, and the whole period.
    pub grace: Option<(u64, u64)>,
    /// Empty until it has one.
    pub ip: String,
    /// Empty until it is scheduled.
    pub node: String,
    /// Its `controller-revision-hash`.
    pub revision: String,
}

/// A claim of a slot, as bound: the PV controller copies the volume's capacity into the claim's status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimView {
    pub name: String,
    pub phase: String,
    pub volume: String,
    pub capacity: String,
}

/// The headless Service's own name and every ready address; each slot carries its own name's record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsView {
    pub service: String,
    pub service_addresses: Vec<String>,
}

/// A slot's name in the Service's domain, and the address it resolves to, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsName {
    pub name: String,
    pub address: Option<String>,
}

/// A node as `kubectl get nodes` prints it, and how many pods are bound to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeView {
    pub row: NodeRow,
    pub pods: usize,
}

/// Every node, in the order kubectl lists them, with the pods bound to each.
pub fn nodes(cluster: &Cluster) -> Vec<NodeView> {
    let store = cluster.store();
    let mut pods_on: HashMap<&str, usize> = HashMap::new();
    for pod in store.list::<Pod>() {
        if let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.as_deref()) {
            *pods_on.entry(node).or_default() += 1;
        }
    }
    store
        .list::<Node>()
        .map(|node| {
            let row = NodeRow::of(node);
            NodeView {
                pods: pods_on.get(row.name.as_str()).copied().unwrap_or_default(),
                row,
            }
        })
        .collect()
}

/// The pods' views as last read, so that a viewer that reads the slots after every event makes again the
/// views of the pods it changed and not all of them: a stored pod is replaced (a new `Arc`) on every write, and
/// a pod that was not written keeps its view.
#[derive(Default)]
pub struct PodViews {
    /// By the stored pod's address: the cache holds the `Arc`, so the address cannot be reused while the
    /// entry lives, and a pod written anew is at a new address.
    by_address: BTreeMap<usize, CachedPod>,
    /// Counts the readings made; a view not used by the latest is of a pod that is gone.
    generation: u64,
}

struct CachedPod {
    used_in: u64,
    /// Held so that the address it is filed under stays this pod's.
    _held: Arc<Pod>,
    ordinal: i64,
    owner_uid: Option<String>,
    view: Arc<PodView>,
}

impl PodViews {
    /// The views of the pods `set` controls, by ordinal. A terminating pod's view counts its grace period
    /// down, so it is made again at every instant.
    fn of_set(&mut self, cluster: &Cluster, set: &StatefulSet) -> BTreeMap<i64, Arc<PodView>> {
        let now = cluster.now();
        let generation = self.generation;
        let namespace = set.metadata.namespace.as_deref().unwrap_or_default();
        let mut owned = BTreeMap::new();
        for pod in cluster.store().list_namespace_shared::<Pod>(namespace) {
            let address = Arc::as_ptr(pod) as usize;
            let fresh = self
                .by_address
                .get_mut(&address)
                .filter(|_| pod.metadata.deletion_timestamp.is_none());
            let cached = match fresh {
                Some(cached) => cached,
                None => {
                    let cached = CachedPod {
                        used_in: generation,
                        _held: pod.clone(),
                        ordinal: get_ordinal(pod),
                        owner_uid: get_controller_of(&pod.metadata).map(|o| o.uid.clone()),
                        view: Arc::new(PodView::of(pod, now)),
                    };
                    self.by_address
                        .entry(address)
                        .insert_entry(cached)
                        .into_mut()
                }
            };
            cached.used_in = generation;
            if cached.ordinal >= 0
                && cached.owner_uid.is_some()
                && cached.owner_uid == set.metadata.uid
            {
                owned.insert(cached.ordinal, cached.view.clone());
            }
        }
        owned
    }

    /// Forgets the views this reading did not use: their pods are gone, or in no set's namespace.
    fn forget_unused(&mut self) {
        let generation = self.generation;
        self.by_address
            .retain(|_, cached| cached.used_in == generation);
        self.generation += 1;
    }
}

/// Every StatefulSet, in the order kubectl lists them, as its slots. `pods` keeps the views of pods
/// unchanged since the last call.
pub fn stateful_sets(cluster: &Cluster, pods: &mut PodViews) -> Vec<StatefulSetView> {
    let sets = cluster
        .store()
        .list::<StatefulSet>()
        .map(|set| StatefulSetView::of(cluster, set, pods))
        .collect();
    pods.forget_unused();
    sets
}

impl StatefulSetView {
    fn of(cluster: &Cluster, set: &StatefulSet, pods: &mut PodViews) -> Self {
        let spec = set.spec.clone().unwrap_or_default();
        let status = set.status.clone().unwrap_or_default();
        let name = set.metadata.name.clone().unwrap_or_default();
        let namespace = set.metadata.namespace.clone().unwrap_or_default();
        let replicas = spec.replicas.unwrap_or(1);
        let start = i64::from(spec.ordinals.as_ref().and_then(|o| o.start).unwrap_or(0));
        let in_range = start..start + i64::from(replicas);
        let owned = pods.of_set(cluster, set);
        let claims = claims_by_ordinal(cluster, set);
        let mut ordinals: BTreeSet<i64> = in_range.clone().collect();
        ordinals.extend(owned.keys());
        ordinals.extend(claims.keys());
        let mut slots: Vec<SlotView> = ordinals
            .into_iter()
            .map(|ordinal| SlotView {
                ordinal,
                name: format!("{name}-{ordinal}"),
                in_range: in_range.contains(&ordinal),
                pod: owned.get(&ordinal).cloned(),
                claims: claims.get(&ordinal).cloned().unwrap_or_default(),
                dns: None,
            })
            .collect();
        let update_strategy = spec.update_strategy.unwrap_or_default();
        let strategy = match update_strategy.type_.as_deref() {
            Some("OnDelete") => UpdateStrategy::OnDelete,
            _ => UpdateStrategy::RollingUpdate {
                partition: update_strategy
                    .rolling_update
                    .and_then(|r| r.partition)
                    .unwrap_or(0),
            },
        };
        let service_name = spec.service_name.unwrap_or_default();
        StatefulSetView {
            dns: dns_view(cluster, &namespace, &service_name, &mut slots),
            wait: cluster.wait_of(&set.key()).cloned(),
            service_name,
            namespace,
            name,
            policy: spec
                .pod_management_policy
                .unwrap_or_else(|| "OrderedReady".into()),
            strategy,
            replicas,
            ready: status.ready_replicas.unwrap_or(0),
            current: status.current_replicas.unwrap_or(0),
            updated: status.updated_replicas.unwrap_or(0),
            available: status.available_replicas.unwrap_or(0),
            current_revision: status.current_revision.unwrap_or_default(),
            update_revision: status.update_revision.unwrap_or_default(),
            slots,
        }
    }
}

/// The A records of the set's Service: the Service's name with the ready pods, and each slot's name. None
/// when the Service does not exist.
fn dns_view(
    cluster: &Cluster,
    namespace: &str,
    service_name: &str,
    slots: &mut [SlotView],
) -> Option<DnsView> {
    let store = cluster.store();
    let service = store.get::<Service>(&ObjectKey::new(namespace, service_name))?;
    let records: Vec<dns::Record> = dns::service_records(store, service)
        .into_iter()
        .filter(|r| r.record_type == RecordType::A)
        .collect();
    let fqdn = dns::service_fqdn(namespace, service_name);
    let address_of: HashMap<&str, &str> = records
        .iter()
        .map(|r| (r.name.as_str(), r.data.as_str()))
        .collect();
    for slot in slots {
        // The pod's hostname is its name, and its subdomain the set's Service.
        let name = format!("{}.{fqdn}", slot.name);
        let address = address_of.get(name.as_str()).map(|a| a.to_string());
        slot.dns = Some(DnsName { name, address });
    }
    let service_addresses = records
        .iter()
        .filter(|r| r.name == fqdn)
        .map(|r| r.data.clone())
        .collect();
    Some(DnsView {
        service: fqdn,
        service_addresses,
    })
}

/// The set's claims by ordinal, named `<template>-<set>-<ordinal>` as the controller names them, in the order
/// of the templates.
fn claims_by_ordinal(cluster: &Cluster, set: &StatefulSet) -> BTreeMap<i64, Vec<ClaimView>> {
    let name = set.metadata.name.as_deref().unwrap_or_default();
    let namespace = set.metadata.namespace.as_deref().unwrap_or_default();
    let templates: Vec<(String, &PersistentVolumeClaim)> = set
        .spec
        .iter()
        .flat_map(|s| s.volume_claim_templates.iter().flatten())
        .map(|t| {
            (
                format!("{}-{name}-", t.metadata.name.as_deref().unwrap_or_default()),
                t,
            )
        })
        .collect();
    let mut claims: BTreeMap<i64, Vec<(usize, ClaimView)>> = BTreeMap::new();
    for claim in cluster
        .store()
        .list_namespace::<PersistentVolumeClaim>(namespace)
    {
        let claim_name = claim.metadata.name.as_deref().unwrap_or_default();
        for (index, (prefix, template)) in templates.iter().enumerate() {
            let ordinal = claim_name
                .strip_prefix(prefix.as_str())
                .and_then(|rest| rest.parse::<i32>().ok())
                .filter(|o| get_persistent_volume_claim_name(set, template, *o) == claim_name);
            if let Some(ordinal) = ordinal {
                claims
                    .entry(i64::from(ordinal))
                    .or_default()
                    .push((index, ClaimView::of(claim)));
            }
        }
    }
    claims
        .into_iter()
        .map(|(ordinal, mut found)| {
            found.sort_by_key(|(index, _)| *index);
            (ordinal, found.into_iter().map(|(_, claim)| claim).collect())
        })
        .collect()
}

impl PodView {
    fn of(pod: &Pod, now: SimTime) -> Self {
        // The deletionTimestamp is when the grace period ends.
        let grace = pod
            .metadata
            .deletion_timestamp
            .as_ref()
            .zip(pod.metadata.deletion_grace_period_seconds)
            .map(|(deadline, period)| {
                let left = SimTime::from_k8s(deadline)
                    .as_millis()
                    .saturating_sub(now.as_millis());
                (left.div_ceil(1000), period.max(0) as u64)
            });
        let row = PodRow::of(pod);
        PodView {
            uid: pod.metadata.uid.clone().unwrap_or_default(),
            status: row.status,
            ready_text: row.ready.to_string(),
            ready: is_running_and_ready(pod),
            terminating: pod.metadata.deletion_timestamp.is_some(),
            grace,
            ip: row.ip.unwrap_or_default(),
            node: row.node.unwrap_or_default(),
            revision: get_pod_revision(pod).to_string(),
        }
    }
}

impl ClaimView {
    fn of(claim: &PersistentVolumeClaim) -> Self {
        let status = claim.status.as_ref();
        ClaimView {
            name: claim.metadata.name.clone().unwrap_or_default(),
            phase: status.and_then(|s| s.phase.clone()).unwrap_or_default(),
            volume: claim
                .spec
                .as_ref()
                .and_then(|s| s.volume_name.clone())
                .unwrap_or_default(),
            capacity: storage(status.and_then(|s| s.capacity.as_ref())),
        }
    }
}
