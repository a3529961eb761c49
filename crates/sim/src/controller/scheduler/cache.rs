//! The scheduler cache (`pkg/scheduler/backend/cache`): what each node already runs, kept up to date from watch
//! events so that a scheduling attempt does not walk every pod in the cluster.

use k8s_openapi::api::core::v1::{Pod, PodAffinityTerm};
use std::collections::BTreeMap;

use crate::object::{ApiObject, ObjectKey};
use crate::quantity::{parse_milli, parse_quantity};

/// What the filters need to know of a pod that is bound to a node.
#[derive(Clone, Debug, PartialEq)]
pub struct PodInfo {
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    pub requests: Requests,
    /// The pod's controller, for spreading a StatefulSet's pods over nodes.
    pub owner_uid: Option<String>,
    /// Its required anti-affinity terms, which constrain pods scheduled after it.
    pub anti_affinity: Vec<PodAffinityTerm>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Requests {
    pub cpu_milli: u128,
    pub memory: u128,
}

impl std::ops::Add for Requests {
    type Output = Requests;
    fn add(self, other: Requests) -> Requests {
        Requests {
            cpu_milli: self.cpu_milli + other.cpu_milli,
            memory: self.memory + other.memory,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct SchedulerCache {
    nodes: BTreeMap<String, BTreeMap<ObjectKey, PodInfo>>,
    node_of: BTreeMap<ObjectKey, String>,
}

impl SchedulerCache {
    /// Follows one pod: bound and not finished, it counts on its node; otherwise it counts nowhere.
    pub fn observe_pod(&mut self, pod: &Pod, deleted: bool) {
        let key = pod.key();
        if let Some(node) = self.node_of.remove(&key) {
            if let Some(pods) = self.nodes.get_mut(&node) {
                pods.remove(&key);
            }
        }
        let node = pod
            .spec
            .as_ref()
            .and_then(|s| s.node_name.clone())
            .filter(|n| !n.is_empty());
        let Some(node) = node.filter(|_| !deleted && !is_terminal(pod)) else {
            return;
        };
        self.nodes
            .entry(node.clone())
            .or_default()
            .insert(key.clone(), pod_info(pod));
        self.node_of.insert(key, node);
    }

    pub fn node_of(&self, pod: &ObjectKey) -> Option<&str> {
        self.node_of.get(pod).map(String::as_str)
    }

    pub fn pods_on(&self, node: &str) -> impl Iterator<Item = &PodInfo> {
        self.nodes
            .get(node)
            .into_iter()
            .flat_map(|pods| pods.values())
    }

    /// Every bound pod with the node it runs on.
    pub fn all_pods(&self) -> impl Iterator<Item = (&str, &PodInfo)> {
        self.nodes
            .iter()
            .flat_map(|(node, pods)| pods.values().map(move |pod| (node.as_str(), pod)))
    }
}

fn is_terminal(pod: &Pod) -> bool {
    matches!(
        pod.status.as_ref().and_then(|s| s.phase.as_deref()),
        Some("Succeeded" | "Failed")
    )
}

pub fn pod_info(pod: &Pod) -> PodInfo {
    let anti_affinity = pod
        .spec
        .as_ref()
        .and_then(|s| s.affinity.as_ref())
        .and_then(|a| a.pod_anti_affinity.as_ref())
        .and_then(|a| {
            a.required_during_scheduling_ignored_during_execution
                .clone()
        })
        .unwrap_or_default();
    PodInfo {
        namespace: pod.metadata.namespace.clone().unwrap_or_default(),
        labels: pod.metadata.labels.clone().unwrap_or_default(),
        requests: pod_requests(pod),
        owner_uid: crate::object::get_controller_of(&pod.metadata).map(|o| o.uid.clone()),
        anti_affinity,
    }
}

/// `resourcehelper.PodRequests`: the sum over the containers, or the largest init container if that is more,
/// since init containers run one at a time before the others.
pub fn pod_requests(pod: &Pod) -> Requests {
    let Some(spec) = pod.spec.as_ref() else {
        return Requests::default();
    };
    let container_requests = |c: &k8s_openapi::api::core::v1::Container| {
        let requests = c.resources.as_ref().and_then(|r| r.requests.as_ref());
        let amount = |name: &str, parse: fn(&str) -> Option<u128>| {
            requests
                .and_then(|r| r.get(name))
                .and_then(|q| parse(&q.0))
                .unwrap_or(0)
        };
        Requests {
            cpu_milli: amount("cpu", parse_milli),
            memory: amount("memory", parse_quantity),
        }
    };
    let sum = spec
        .containers
        .iter()
        .map(container_requests)
        .fold(Requests::default(), |a, b| a + b);
    spec.init_containers
        .iter()
        .flatten()
        .map(container_requests)
        .fold(sum, |most, init| Requests {
            cpu_milli: most.cpu_milli.max(init.cpu_milli),
            memory: most.memory.max(init.memory),
        })
}
