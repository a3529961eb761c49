//! A pod's row as `kubectl get pods` prints it, as data: `printPod` of
//! k8s.io/kubernetes/pkg/printers/internalversion/printers.go, which derives READY, STATUS and RESTARTS together.

use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStateTerminated, ContainerStatus, Pod, PodCondition,
    PodSpec, PodStatus,
};
use std::fmt;

use super::created;
use crate::time::SimTime;

/// A pod as `kubectl get pods` (and `-o wide`) prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodRow {
    pub name: String,
    pub ready: Ready,
    /// STATUS: the pod's reason or phase, or what its containers say (`Init:0/1`, `CrashLoopBackOff`,
    /// `Terminating`).
    pub status: String,
    /// RESTARTS: the containers' restarts counted as kubectl counts them.
    pub restarts: i32,
    /// When the last restarted container last exited, for RESTARTS' `(5s ago)`.
    pub last_restart: Option<SimTime>,
    pub created: Option<SimTime>,
    /// `-o wide`: its address and its node, `<none>` until it has them.
    pub ip: Option<String>,
    pub node: Option<String>,
}

/// READY: containers ready, of all the pod's containers (restartable init containers count as containers).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ready {
    pub ready: usize,
    pub total: usize,
}

impl fmt::Display for Ready {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.ready, self.total)
    }
}

impl PodRow {
    /// `printPod`: the pod's reason or phase, overridden by the first unfinished init container (`Init:1/2`,
    /// `Init:CrashLoopBackOff`), then by the last app container's waiting or terminated reason; `Unknown` or
    /// `Terminating` for a pod being deleted that has not reached a terminal phase.
    pub fn of(pod: &Pod) -> Self {
        // Borrowed, not cloned: `kubectl get pods` and the stage read every pod, and a pod is a big object.
        let (no_status, no_spec) = (PodStatus::default(), PodSpec::default());
        let status = pod.status.as_ref().unwrap_or(&no_status);
        let spec = pod.spec.as_ref().unwrap_or(&no_spec);
        let init_specs: &[Container] = spec.init_containers.as_deref().unwrap_or_default();
        let restartable = |name: &str| {
            init_specs
                .iter()
                .any(|c| c.name == name && c.restart_policy.as_deref() == Some("Always"))
        };
        let phase = status.phase.as_deref().unwrap_or_default();
        let mut row = PodRow {
            name: pod.metadata.name.clone().unwrap_or_default(),
            ready: Ready {
                ready: 0,
                total: spec.containers.len()
                    + init_specs.iter().filter(|c| restartable(&c.name)).count(),
            },
            status: status
                .reason
                .clone()
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| phase.to_string()),
            restarts: 0,
            last_restart: None,
            created: created(&pod.metadata),
            ip: status.pod_ip.clone(),
            node: spec.node_name.clone(),
        };
        let conditions: &[PodCondition] = status.conditions.as_deref().unwrap_or_default();
        let condition_true = |type_: &str| {
            conditions
                .iter()
                .any(|c| c.type_ == type_ && c.status == "True")
        };
        if conditions
            .iter()
            .any(|c| c.type_ == "PodScheduled" && c.reason.as_deref() == Some("SchedulingGated"))
        {
            row.status = "SchedulingGated".into();
        }
        let no_state = ContainerState::default();
        let mut sidecar_restarts = 0;
        let mut sidecar_last_restart = None;
        let mut initializing = false;
        for (i, container) in status.init_container_statuses.iter().flatten().enumerate() {
            let finished = last_finished(container);
            row.restarts += container.restart_count;
            row.last_restart = row.last_restart.max(finished);
            if restartable(&container.name) {
                sidecar_restarts += container.restart_count;
                sidecar_last_restart = sidecar_last_restart.max(finished);
            }
            let state = container.state.as_ref().unwrap_or(&no_state);
            let waiting_reason = state
                .waiting
                .as_ref()
                .and_then(|w| w.reason.clone())
                .filter(|r| !r.is_empty());
            match (&state.terminated, waiting_reason) {
                (Some(terminated), _) if terminated.exit_code == 0 => continue,
                _ if restartable(&container.name) && container.started == Some(true) => {
                    if container.ready {
                        row.ready.ready += 1;
                    }
                    continue;
                }
                (Some(terminated), _) => {
                    row.status = format!("Init:{}", terminated_reason(terminated));
                }
                (None, Some(reason)) if reason != "PodInitializing" => {
                    row.status = format!("Init:{reason}");
                }
                _ => row.status = format!("Init:{i}/{}", init_specs.len()),
            }
            initializing = true;
            break;
        }
        if !initializing || condition_true("Initialized") {
            row.restarts = sidecar_restarts;
            row.last_restart = sidecar_last_restart;
            let mut has_running = false;
            for container in status.container_statuses.iter().flatten().rev() {
                row.restarts += container.restart_count;
                row.last_restart = row.last_restart.max(last_finished(container));
                let state = container.state.as_ref().unwrap_or(&no_state);
                if let Some(reason) = state
                    .waiting
                    .as_ref()
                    .and_then(|w| w.reason.clone())
                    .filter(|r| !r.is_empty())
                {
                    row.status = reason;
                } else if let Some(terminated) = &state.terminated {
                    row.status = terminated_reason(terminated);
                } else if container.ready && state.running.is_some() {
                    has_running = true;
                    row.ready.ready += 1;
                }
            }
            if row.status == "Completed" && has_running {
                row.status = if condition_true("Ready") {
                    "Running".into()
                } else {
                    "NotReady".into()
                };
            }
        }
        let terminal = phase == "Succeeded" || phase == "Failed";
        if pod.metadata.deletion_timestamp.is_some() && status.reason.as_deref() == Some("NodeLost")
        {
            row.status = "Unknown".into();
        } else if pod.metadata.deletion_timestamp.is_some() && !terminal {
            row.status = "Terminating".into();
        }
        row
    }
}

/// A terminated container's reason, or `Signal:9` / `ExitCode:1` when the runtime gave none.
fn terminated_reason(terminated: &ContainerStateTerminated) -> String {
    match terminated.reason.clone().filter(|r| !r.is_empty()) {
        Some(reason) => reason,
        None if terminated.signal.unwrap_or(0) != 0 => {
            format!("Signal:{}", terminated.signal.unwrap_or(0))
        }
        None => format!("ExitCode:{}", terminated.exit_code),
    }
}

fn last_finished(container: &ContainerStatus) -> Option<SimTime> {
    container
        .last_state
        .as_ref()?
        .terminated
        .as_ref()?
        .finished_at
        .as_ref()
        .map(SimTime::from_k8s)
}
