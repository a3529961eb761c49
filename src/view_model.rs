//! What the stage shows, read from the store. Every text here comes from the core (kubectl's printers, the
//! controller's recorded wait); this module only selects and arranges.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use ordinal_sim::controller::statefulset::utils::{
    get_ordinal, get_pod_revision, is_running_and_ready,
};
use ordinal_sim::kubectl::printers::{pod_ready, pod_status};
use ordinal_sim::object::{get_controller_of, ApiObject};
use ordinal_sim::Cluster;

#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    pub time: String,
    pub sets: Vec<SetView>,
}

#[derive(Clone, Debug, PartialEq)]
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
    pub wait: Option<String>,
    pub slots: Vec<SlotView>,
}

/// An ordinal: its name outlives its pods, and its claims stay when it has none.
#[derive(Clone, Debug, PartialEq)]
pub struct SlotView {
    pub ordinal: i64,
    pub name: String,
    pub in_range: bool,
    pub pod: Option<PodView>,
    pub claims: Vec<ClaimView>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PodView {
    pub uid: String,
    pub status: String,
    pub ready_text: String,
    pub ready: bool,
    pub terminating: bool,
    pub ip: String,
    pub node: String,
    pub revision: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ClaimView {
    pub name: String,
    pub phase: String,
    pub volume: String,
    pub capacity: String,
}

pub fn stage(cluster: &Cluster) -> Stage {
    let store = cluster.store();
    let sets = store
        .list::<StatefulSet>()
        .map(|set| set_view(cluster, set))
        .collect();
    Stage {
        time: format_clock(cluster.now().as_millis()),
        sets,
    }
}

fn set_view(cluster: &Cluster, set: &StatefulSet) -> SetView {
    let store = cluster.store();
    let spec = set.spec.clone().unwrap_or_default();
    let status = set.status.clone().unwrap_or_default();
    let name = set.metadata.name.clone().unwrap_or_default();
    let namespace = set.metadata.namespace.clone().unwrap_or_default();
    let replicas = spec.replicas.unwrap_or(1);
    let start = i64::from(spec.ordinals.as_ref().and_then(|o| o.start).unwrap_or(0));
    let owned: Vec<&Pod> = store
        .list_namespace::<Pod>(&namespace)
        .filter(|p| {
            get_controller_of(&p.metadata)
                .is_some_and(|o| Some(&o.uid) == set.metadata.uid.as_ref())
        })
        .collect();
    let templates: Vec<String> = spec
        .volume_claim_templates
        .iter()
        .flatten()
        .map(|t| t.metadata.name.clone().unwrap_or_default())
        .collect();
    // Slots: every ordinal in range, every ordinal with a pod, and every ordinal whose claims remain.
    let mut ordinals: std::collections::BTreeSet<i64> =
        (start..start + i64::from(replicas)).collect();
    ordinals.extend(owned.iter().map(|p| get_ordinal(p)).filter(|o| *o >= 0));
    for claim in store.list_namespace::<PersistentVolumeClaim>(&namespace) {
        let claim_name = claim.metadata.name.clone().unwrap_or_default();
        for template in &templates {
            if let Some(ordinal) = claim_name
                .strip_prefix(&format!("{template}-{name}-"))
                .and_then(|rest| rest.parse::<i64>().ok())
            {
                ordinals.insert(ordinal);
            }
        }
    }
    let slots = ordinals
        .into_iter()
        .map(|ordinal| {
            let pod_name = format!("{name}-{ordinal}");
            let pod = owned
                .iter()
                .find(|p| p.metadata.name.as_deref() == Some(pod_name.as_str()))
                .map(|p| pod_view(p));
            let claims = templates
                .iter()
                .filter_map(|template| {
                    let key = ordinal_sim::ObjectKey::new(
                        namespace.clone(),
                        format!("{template}-{pod_name}"),
                    );
                    store.get::<PersistentVolumeClaim>(&key).map(claim_view)
                })
                .collect();
            SlotView {
                ordinal,
                name: pod_name,
                in_range: ordinal >= start && ordinal < start + i64::from(replicas),
                pod,
                claims,
            }
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
    SetView {
        wait: cluster.wait_of(&set.key()).map(ToString::to_string),
        service_name: spec.service_name.clone().unwrap_or_default(),
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
    }
}

fn pod_view(pod: &Pod) -> PodView {
    let status = pod.status.clone().unwrap_or_default();
    PodView {
        uid: pod.metadata.uid.clone().unwrap_or_default(),
        status: pod_status(pod),
        ready_text: pod_ready(pod),
        ready: is_running_and_ready(pod),
        terminating: pod.metadata.deletion_timestamp.is_some(),
        ip: status.pod_ip.unwrap_or_default(),
        node: pod
            .spec
            .as_ref()
            .and_then(|s| s.node_name.clone())
            .unwrap_or_default(),
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
