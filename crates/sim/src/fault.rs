//! Faults: what goes wrong outside the API, injected as first-class verbs. A fault changes the world the
//! components run in (a probe's answer, a process, a machine), never an API object: the kubelet and the
//! controllers then react to it as they would in a real cluster.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::object::ObjectKey;
use crate::time::SimTime;

/// One injectable fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The pod's readiness probes fail from now on. A container with a readiness probe goes NotReady once
    /// `failureThreshold` consecutive probes have failed, as a real probe does; a container without one has no
    /// probe that could fail, so the fault stands for the kubelet learning at once that the app is unhealthy,
    /// and it goes NotReady immediately.
    NotReady { pod: ObjectKey },
    /// Undoes `NotReady`: probes succeed again, so the pod is Ready after `successThreshold` probes.
    Ready { pod: ObjectKey },
    /// The pod's first app container is killed once (exit 137). Its restart policy decides what follows;
    /// repeated crashes back off as any crash loop does.
    Crash { pod: ObjectKey },
    /// The node's kubelet stops: no heartbeat, no pod is started, stopped or reported on it.
    NodeDown { node: String },
    /// The node's kubelet comes back and carries on where it stopped.
    NodeUp { node: String },
}

/// Why a fault could not be injected: what it names is not there to fail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultError {
    PodNotFound(String),
    NodeNotFound(String),
    /// A crash needs a running container to kill.
    ContainerNotRunning {
        container: String,
        pod: String,
    },
    NoRunningContainer(String),
}

impl fmt::Display for FaultError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FaultError::PodNotFound(pod) => write!(f, "pods \"{pod}\" not found"),
            FaultError::NodeNotFound(node) => write!(f, "nodes \"{node}\" not found"),
            FaultError::ContainerNotRunning { container, pod } => {
                write!(
                    f,
                    "container \"{container}\" in pod \"{pod}\" is not running"
                )
            }
            FaultError::NoRunningContainer(pod) => {
                write!(f, "pod \"{pod}\" has no running container")
            }
        }
    }
}

impl std::error::Error for FaultError {}

impl fmt::Display for Fault {
    /// The readable command a scenario's COMMAND record shows: `inject not-ready pod/web-1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pod = |f: &mut fmt::Formatter<'_>, verb: &str, key: &ObjectKey| {
            write!(f, "inject {verb} pod/{}", key.name)?;
            if key.namespace != "default" {
                write!(f, " -n {}", key.namespace)?;
            }
            Ok(())
        };
        match self {
            Fault::NotReady { pod: key } => pod(f, "not-ready", key),
            Fault::Ready { pod: key } => pod(f, "ready", key),
            Fault::Crash { pod: key } => pod(f, "crash", key),
            Fault::NodeDown { node } => write!(f, "inject node-down node/{node}"),
            Fault::NodeUp { node } => write!(f, "inject node-up node/{node}"),
        }
    }
}

/// The faults in force. Components read it as they would sense the world: the kubelet asks whether its node
/// runs and what a pod's probe answers; the node lifecycle controller reads each node's Lease from it.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Nodes whose kubelet is down, and since when.
    down_nodes: BTreeMap<String, SimTime>,
    /// Pods, by UID, whose readiness probes fail: a recreated pod of the same name is healthy.
    failing_readiness: BTreeSet<String>,
    /// Pods, by UID, whose container's process ended and whose kubelet has not seen it yet.
    crashes: BTreeMap<String, ProcessExit>,
}

/// A container's main process ending outside the kubelet's plan: killed by a `crash` fault, or the process an
/// attached client ran exiting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessExit {
    pub at: SimTime,
    /// The container, by name; none for the pod's first app container.
    pub container: Option<String>,
    pub exit_code: i32,
}

impl Faults {
    pub fn is_node_down(&self, node: &str) -> bool {
        self.down_nodes.contains_key(node)
    }

    /// The `renewTime` of the node's Lease in `kube-node-lease` once its kubelet stopped renewing it. A running
    /// kubelet renews it every 10 s; the Leases are not stored as objects (that would be six watch events a
    /// minute per node), so a running node's lease reads as `None`, always fresh.
    pub fn stale_lease(&self, node: &str) -> Option<SimTime> {
        self.down_nodes.get(node).copied()
    }

    pub fn readiness_fails(&self, pod_uid: &str) -> bool {
        self.failing_readiness.contains(pod_uid)
    }

    /// How the pod's container's process ended, once: the kubelet's runtime reports each death once.
    pub fn take_crash(&mut self, pod_uid: &str) -> Option<ProcessExit> {
        self.crashes.remove(pod_uid)
    }

    pub(crate) fn stop_node(&mut self, node: &str, now: SimTime) {
        self.down_nodes.entry(node.to_string()).or_insert(now);
    }

    pub(crate) fn start_node(&mut self, node: &str) {
        self.down_nodes.remove(node);
    }

    pub(crate) fn fail_readiness(&mut self, pod_uid: &str, failing: bool) {
        if failing {
            self.failing_readiness.insert(pod_uid.to_string());
        } else {
            self.failing_readiness.remove(pod_uid);
        }
    }

    pub(crate) fn crash(&mut self, pod_uid: &str, exit: ProcessExit) {
        self.crashes.insert(pod_uid.to_string(), exit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_read_as_commands() {
        let pod = Fault::NotReady {
            pod: ObjectKey::new("default", "web-1"),
        };
        assert_eq!(pod.to_string(), "inject not-ready pod/web-1");
        let other = Fault::Crash {
            pod: ObjectKey::new("shop", "db-0"),
        };
        assert_eq!(other.to_string(), "inject crash pod/db-0 -n shop");
        let node = Fault::NodeDown {
            node: "kind-worker2".into(),
        };
        assert_eq!(node.to_string(), "inject node-down node/kind-worker2");
    }

    #[test]
    fn a_stopped_lease_keeps_the_time_the_node_went_down() {
        let mut faults = Faults::default();
        faults.stop_node("n", SimTime::from_secs(10));
        faults.stop_node("n", SimTime::from_secs(20));
        assert_eq!(faults.stale_lease("n"), Some(SimTime::from_secs(10)));
        faults.start_node("n");
        assert_eq!(faults.stale_lease("n"), None);
    }
}
