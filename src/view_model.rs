//! What the stage shows, read from the store. Every text here comes from the core (the view's rows, which
//! kubectl's printers print, and the controller's recorded wait); this module only selects and arranges.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Node, PersistentVolumeClaim, Pod, Service};
use ordinal_sim::controller::statefulset::utils::{
    get_ordinal, get_pod_revision, is_running_and_ready,
};
use ordinal_sim::dns::{self, RecordType};
use ordinal_sim::object::{get_controller_of, ApiObject};
use ordinal_sim::view::{self, NodeRow, PodRow, VolumeRow};
use ordinal_sim::{Cluster, SimTime};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// The most slots the stage draws, all sets together, and the most volumes: as many as one set may have
/// (`limits::MAX_REPLICAS`), which the page was measured drawing while it plays (bench/results.md: a click
/// lands in 0.3 s, an event redraws in 16 ms). Past them, in sets taken in the order kubectl lists them, the
/// slots are counted, not drawn; the console lists every one.
pub const MOST_DRAWN_SLOTS: usize = ordinal_sim::limits::MAX_REPLICAS as usize;
pub const MOST_DRAWN_VOLUMES: usize = MOST_DRAWN_SLOTS;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stage {
    pub time: String,
    pub sets: Vec<Arc<SetView>>,
    pub volumes: Vec<VolumeRow>,
    /// Volumes past `MOST_DRAWN_VOLUMES`, not drawn.
    pub undrawn_volumes: usize,
    pub nodes: Vec<NodeView>,
}

/// A node as `kubectl get nodes` prints it, and how many pods it runs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NodeView {
    pub name: String,
    pub status: String,
    pub pods: usize,
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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetView {
    pub name: String,
    pub namespace: String,
    pub service_name: String,
    pub policy: String,
    pub strategy: String,
    pub replicas: i32,
    pub ready: i32,
    pub current: i32,
    pub updated: i32,
    pub available: i32,
    pub current_revision: String,
    pub update_revision: String,
    pub wait: Option<ordinal_sim::controller::statefulset::wait::Wait>,
    pub slots: Vec<SlotView>,
    /// The slots past the stage's `MOST_DRAWN_SLOTS`, counted.
    pub undrawn: Option<Undrawn>,
    pub dns: Option<DnsView>,
}

/// The slots of a set that are not drawn: the names of the first and the last, and how many pods there are in
/// each status (`kubectl get pods`' STATUS), in order of first appearance; slots without a pod count as none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Undrawn {
    pub first: String,
    pub last: String,
    pub slots: usize,
    pub statuses: Vec<(String, usize)>,
}

/// An ordinal: its name outlives its pods, and its claims stay when it has none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotView {
    pub ordinal: i64,
    pub name: String,
    pub in_range: bool,
    pub pod: Option<Arc<PodView>>,
    pub claims: Vec<ClaimView>,
    /// Set when the set's Service exists.
    pub dns: Option<DnsName>,
}

/// Eq, so that comparing two `Arc<PodView>`s that are one view is a pointer comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodView {
    pub uid: String,
    pub status: String,
    pub ready_text: String,
    pub ready: bool,
    pub terminating: bool,
    /// While terminating: the seconds of the grace period left, and the whole period.
    pub grace: Option<(u64, u64)>,
    pub ip: String,
    pub node: String,
    pub revision: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimView {
    pub name: String,
    pub phase: String,
    pub volume: String,
    pub capacity: String,
}

/// The pods' views as last drawn, so that an event redraws the pods it changed and not all of them: a stored
/// pod is replaced (a new `Arc`) on every write, and a pod that was not written keeps its view.
#[derive(Default)]
pub struct PodViews {
    /// By the stored pod's address: the cache holds the `Arc`, so the address cannot be reused while the
    /// entry lives, and a pod written anew is at a new address.
    by_address: BTreeMap<usize, CachedPod>,
    /// Counts the stages made; a view not used by the latest is of a pod that is gone.
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
                        view: Arc::new(pod_view(pod, now)),
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

    /// Forgets the views this stage did not use: their pods are gone, or in no set's namespace.
    fn forget_unused(&mut self) {
        let generation = self.generation;
        self.by_address
            .retain(|_, cached| cached.used_in == generation);
        self.generation += 1;
    }
}

pub fn stage(cluster: &Cluster, pods: &mut PodViews) -> Stage {
    stage_drawing(cluster, pods, MOST_DRAWN_SLOTS, MOST_DRAWN_VOLUMES)
}

/// The stage with at most `most_slots` slots and `most_volumes` volumes to draw.
fn stage_drawing(
    cluster: &Cluster,
    pods: &mut PodViews,
    most_slots: usize,
    most_volumes: usize,
) -> Stage {
    let store = cluster.store();
    let mut drawable = most_slots;
    let sets: Vec<Arc<SetView>> = store
        .list::<StatefulSet>()
        .map(|set| {
            let view = set_view(cluster, set, pods, drawable);
            drawable -= view.slots.len();
            Arc::new(view)
        })
        .collect();
    pods.forget_unused();
    let mut volumes: Vec<VolumeRow> = view::volume_rows(cluster).collect();
    // The pool in the order of the slots whose claims the volumes are bound to, so that the lines between them
    // do not cross; the rest after them, by name.
    let claim_order: HashMap<String, usize> = sets
        .iter()
        .flat_map(|set: &Arc<SetView>| {
            set.slots
                .iter()
                .flat_map(|slot| &slot.claims)
                .map(|claim| format!("{}/{}", set.namespace, claim.name))
        })
        .enumerate()
        .map(|(order, claim)| (claim, order))
        .collect();
    volumes.sort_by_key(|volume| {
        claim_order
            .get(&volume.claim)
            .copied()
            .unwrap_or(usize::MAX)
    });
    let undrawn_volumes = volumes.len().saturating_sub(most_volumes);
    volumes.truncate(most_volumes);
    let mut pods_on: HashMap<&str, usize> = HashMap::new();
    for pod in store.list::<Pod>() {
        if let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.as_deref()) {
            *pods_on.entry(node).or_default() += 1;
        }
    }
    let nodes = store
        .list::<Node>()
        .map(|node| {
            let row = NodeRow::of(node);
            NodeView {
                pods: pods_on.get(row.name.as_str()).copied().unwrap_or_default(),
                name: row.name,
                status: row.status,
            }
        })
        .collect();
    Stage {
        time: format_clock(cluster.now().as_millis()),
        sets,
        volumes,
        undrawn_volumes,
        nodes,
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
    let service = store.get::<Service>(&ordinal_sim::ObjectKey::new(namespace, service_name))?;
    let records: Vec<dns::Record> = dns::service_records(store, service)
        .into_iter()
        .filter(|r| r.record_type == RecordType::A)
        .collect();
    let fqdn = format!("{service_name}.{namespace}.svc.{}", dns::CLUSTER_DOMAIN);
    let address_of: HashMap<&str, &str> = records
        .iter()
        .map(|r| (r.name.as_str(), r.data.as_str()))
        .collect();
    for slot in slots {
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

/// The set, with at most `drawable` of its slots to draw; the rest are counted.
fn set_view(cluster: &Cluster, set: &StatefulSet, pods: &mut PodViews, drawable: usize) -> SetView {
    let spec = set.spec.clone().unwrap_or_default();
    let status = set.status.clone().unwrap_or_default();
    let name = set.metadata.name.clone().unwrap_or_default();
    let namespace = set.metadata.namespace.clone().unwrap_or_default();
    let replicas = spec.replicas.unwrap_or(1);
    let start = i64::from(spec.ordinals.as_ref().and_then(|o| o.start).unwrap_or(0));
    let owned = pods.of_set(cluster, set);
    let claims = claims_by_ordinal(cluster, set);
    // Slots: every ordinal in range, every ordinal with a pod, and every ordinal whose claims remain.
    let mut ordinals: BTreeSet<i64> = (start..start + i64::from(replicas)).collect();
    ordinals.extend(owned.keys());
    ordinals.extend(claims.keys());
    let undrawn = ordinals.iter().skip(drawable).copied().collect::<Vec<_>>();
    let undrawn = undrawn_slots(&name, &undrawn, &owned);
    let mut slots: Vec<SlotView> = ordinals
        .into_iter()
        .take(drawable)
        .map(|ordinal| SlotView {
            ordinal,
            name: format!("{name}-{ordinal}"),
            in_range: ordinal >= start && ordinal < start + i64::from(replicas),
            pod: owned.get(&ordinal).cloned(),
            claims: claims.get(&ordinal).cloned().unwrap_or_default(),
            dns: None,
        })
        .collect();
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    let partition = strategy
        .rolling_update
        .as_ref()
        .and_then(|r| r.partition)
        .unwrap_or(0);
    let strategy_text = match strategy.type_.as_deref() {
        Some("OnDelete") => "OnDelete".to_string(),
        _ => format!("RollingUpdate partition {partition}"),
    };
    let service_name = spec.service_name.clone().unwrap_or_default();
    SetView {
        dns: dns_view(cluster, &namespace, &service_name, &mut slots),
        wait: cluster.wait_of(&set.key()).cloned(),
        service_name,
        namespace,
        name,
        policy: spec
            .pod_management_policy
            .unwrap_or_else(|| "OrderedReady".into()),
        strategy: strategy_text,
        replicas,
        ready: status.ready_replicas.unwrap_or(0),
        current: status.current_replicas.unwrap_or(0),
        updated: status.updated_replicas.unwrap_or(0),
        available: status.available_replicas.unwrap_or(0),
        current_revision: status.current_revision.unwrap_or_default(),
        update_revision: status.update_revision.unwrap_or_default(),
        slots,
        undrawn,
    }
}

/// What the slots of `ordinals` hold, counted: `None` when there are none.
fn undrawn_slots(
    set: &str,
    ordinals: &[i64],
    owned: &BTreeMap<i64, Arc<PodView>>,
) -> Option<Undrawn> {
    let (first, last) = (ordinals.first()?, ordinals.last()?);
    let mut statuses: Vec<(String, usize)> = Vec::new();
    for pod in ordinals.iter().filter_map(|ordinal| owned.get(ordinal)) {
        match statuses
            .iter_mut()
            .find(|(status, _)| *status == pod.status)
        {
            Some((_, count)) => *count += 1,
            None => statuses.push((pod.status.clone(), 1)),
        }
    }
    Some(Undrawn {
        first: format!("{set}-{first}"),
        last: format!("{set}-{last}"),
        slots: ordinals.len(),
        statuses,
    })
}

/// The set's claims by ordinal, named `<template>-<set>-<ordinal>` as the controller names them, in the order
/// of the templates.
fn claims_by_ordinal(cluster: &Cluster, set: &StatefulSet) -> BTreeMap<i64, Vec<ClaimView>> {
    let name = set.metadata.name.as_deref().unwrap_or_default();
    let namespace = set.metadata.namespace.as_deref().unwrap_or_default();
    let prefixes: Vec<String> = set
        .spec
        .iter()
        .flat_map(|s| s.volume_claim_templates.iter().flatten())
        .map(|t| format!("{}-{name}-", t.metadata.name.as_deref().unwrap_or_default()))
        .collect();
    let mut claims: BTreeMap<i64, Vec<(usize, ClaimView)>> = BTreeMap::new();
    for claim in cluster
        .store()
        .list_namespace::<PersistentVolumeClaim>(namespace)
    {
        let claim_name = claim.metadata.name.as_deref().unwrap_or_default();
        for (template, prefix) in prefixes.iter().enumerate() {
            let ordinal = claim_name
                .strip_prefix(prefix.as_str())
                .and_then(|rest| rest.parse::<i64>().ok().filter(|o| o.to_string() == rest));
            if let Some(ordinal) = ordinal {
                claims
                    .entry(ordinal)
                    .or_default()
                    .push((template, claim_view(claim)));
            }
        }
    }
    claims
        .into_iter()
        .map(|(ordinal, mut found)| {
            found.sort_by_key(|(template, _)| *template);
            (ordinal, found.into_iter().map(|(_, claim)| claim).collect())
        })
        .collect()
}

fn pod_view(pod: &Pod, now: SimTime) -> PodView {
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

/// The claim as bound: the PV controller copies the volume's capacity into the claim's status.
fn claim_view(claim: &PersistentVolumeClaim) -> ClaimView {
    let status = claim.status.clone().unwrap_or_default();
    ClaimView {
        name: claim.metadata.name.clone().unwrap_or_default(),
        phase: status.phase.unwrap_or_default(),
        volume: claim
            .spec
            .as_ref()
            .and_then(|s| s.volume_name.clone())
            .unwrap_or_default(),
        capacity: status
            .capacity
            .and_then(|c| c.get("storage").map(|q| q.0.clone()))
            .unwrap_or_default(),
    }
}

/// `mm:ss.s` of simulated time.
pub fn format_clock(ms: u64) -> String {
    format!(
        "{:02}:{:02}.{}",
        ms / 60_000,
        (ms / 1000) % 60,
        (ms / 100) % 10
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(status: &str) -> Arc<PodView> {
        Arc::new(PodView {
            uid: String::new(),
            status: status.into(),
            ready_text: String::new(),
            ready: status == "Running",
            terminating: false,
            grace: None,
            ip: String::new(),
            node: String::new(),
            revision: String::new(),
        })
    }

    #[test]
    fn past_the_drawing_limit_slots_and_volumes_are_counted_set_after_set() {
        let web = ordinal_sim::Scenario::parse(include_str!("../examples/web.yaml")).unwrap();
        let second = web
            .manifests
            .replace("name: web", "name: www")
            .replace("app: nginx", "app: www");
        let scenario = ordinal_sim::Scenario {
            manifests: format!("{}\n---\n{second}", web.manifests),
            steps: Vec::new(),
            ..web
        };
        let mut timeline = ordinal_sim::timeline::Timeline::from_scenario(&scenario);
        timeline.seek(SimTime::from_secs(120));
        let stage = stage_drawing(timeline.cluster(), &mut PodViews::default(), 4, 5);
        let drawn: Vec<(&str, usize)> = stage
            .sets
            .iter()
            .map(|set| (set.name.as_str(), set.slots.len()))
            .collect();
        assert_eq!(drawn, [("web", 3), ("www", 1)]);
        assert_eq!(stage.sets[0].undrawn, None);
        let undrawn = stage.sets[1].undrawn.clone().unwrap();
        assert_eq!(
            (undrawn.first.as_str(), undrawn.last.as_str(), undrawn.slots),
            ("www-1", "www-2", 2)
        );
        assert_eq!(undrawn.statuses, [("Running".to_string(), 2)]);
        assert_eq!((stage.volumes.len(), stage.undrawn_volumes), (5, 1));
    }

    #[test]
    fn undrawn_slots_are_named_from_first_to_last_and_counted_by_status() {
        let owned = BTreeMap::from([
            (1000, pod("Running")),
            (1001, pod("Pending")),
            (1003, pod("Running")),
        ]);
        let undrawn = undrawn_slots("web", &[1000, 1001, 1002, 1003], &owned).unwrap();
        assert_eq!(
            undrawn,
            Undrawn {
                first: "web-1000".into(),
                last: "web-1003".into(),
                slots: 4,
                statuses: vec![("Running".into(), 2), ("Pending".into(), 1)],
            }
        );
        assert_eq!(undrawn_slots("web", &[], &owned), None);
    }
}
