//! The status the kubelet writes, after `pkg/kubelet/status/status_manager.go` and
//! `pkg/kubelet/kubelet_pods.go` (`generateAPIPodStatus`, `getPhase`, `convertToAPIContainerStatuses`): the
//! pod's phase, conditions and container statuses from what the runtime holds now; and the node's Ready
//! condition (`pkg/kubelet/nodestatus`).

use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStateRunning, ContainerStateTerminated,
    ContainerStateWaiting, ContainerStatus, Node, NodeCondition, Pod, PodCondition, PodIP,
    PodStatus,
};

use super::pod_workers::{PodRuntime, Termination};
use super::runtime::{ContainerRuntime, Run, Terminated};
use crate::api::pod::update_pod_condition;
use crate::controller::Ctx;
use crate::events::{self, component, EventType};
use crate::object::{ApiObject, ObjectKey};
use crate::time::SimTime;

/// `generateAPIPodStatus`: phase, conditions and container statuses from what the runtime holds now.
pub(super) fn write_status(ctx: &mut Ctx, pod: &Pod, runtime: &PodRuntime) {
    let now = ctx.now();
    let spec = pod.spec.clone().unwrap_or_default();
    let init_specs = spec.init_containers.clone().unwrap_or_default();
    let terminal = matches!(runtime.termination, Some(Termination::Stopped { .. }));
    let failing = ctx.faults.readiness_fails(&runtime.uid);
    let default_reason = if init_specs.is_empty() {
        "ContainerCreating"
    } else {
        "PodInitializing"
    };
    let init_statuses: Vec<ContainerStatus> = runtime
        .init
        .iter()
        .zip(&init_specs)
        .map(|(c, s)| c.api_status(s, default_reason, c.succeeded(), now))
        .collect();
    let statuses: Vec<ContainerStatus> = runtime
        .containers
        .iter()
        .zip(&spec.containers)
        .map(|(c, s)| c.api_status(s, default_reason, c.is_ready(now, failing), now))
        .collect();
    let phase = pod_phase(pod, runtime, &statuses, terminal);
    let sandbox_ready = now >= runtime.sandbox_ready_at && !terminal;
    let incomplete: Vec<&str> = runtime
        .init
        .iter()
        .filter(|c| !c.succeeded())
        .map(|c| c.name.as_str())
        .collect();
    let unready: Vec<&str> = statuses
        .iter()
        .filter(|s| !s.ready)
        .map(|s| s.name.as_str())
        .collect();
    let initialized = if runtime.initialized() {
        condition("Initialized", "True", None, None, now)
    } else {
        let message = format!(
            "containers with incomplete status: [{}]",
            incomplete.join(" ")
        );
        condition(
            "Initialized",
            "False",
            Some("ContainersNotInitialized"),
            Some(message),
            now,
        )
    };
    let containers_ready = |type_: &str| match phase {
        "Succeeded" => condition(type_, "False", Some("PodCompleted"), None, now),
        "Failed" => condition(type_, "False", Some("PodFailed"), None, now),
        _ if unready.is_empty() => condition(type_, "True", None, None, now),
        _ => {
            let message = format!("containers with unready status: [{}]", unready.join(" "));
            condition(
                type_,
                "False",
                Some("ContainersNotReady"),
                Some(message),
                now,
            )
        }
    };
    let conditions = [
        condition(
            "PodReadyToStartContainers",
            if sandbox_ready { "True" } else { "False" },
            None,
            None,
            now,
        ),
        initialized,
        containers_ready("Ready"),
        containers_ready("ContainersReady"),
    ];
    let ip = runtime.ip.clone();
    // The status manager skips a pod that no longer exists on the server (`IsNotFound` in syncPod).
    let _ = ctx.store.modify::<Pod>(&pod.key(), |p| {
        let status = p.status.get_or_insert_with(PodStatus::default);
        status.phase = Some(phase.into());
        status.pod_ip = ip.clone();
        status.pod_ips = ip.clone().map(|ip| vec![PodIP { ip }]);
        status.init_container_statuses = (!init_statuses.is_empty()).then_some(init_statuses);
        status.container_statuses = Some(statuses);
        for condition in conditions {
            update_pod_condition(p, condition);
        }
    });
}

/// `getPhase`: Pending until initialized and every container has run once; Running while any runs or will be
/// restarted; a terminal phase once all have exited for good (or the pod is being removed).
fn pod_phase(
    pod: &Pod,
    runtime: &PodRuntime,
    statuses: &[ContainerStatus],
    terminal: bool,
) -> &'static str {
    let policy = pod
        .spec
        .as_ref()
        .and_then(|s| s.restart_policy.as_deref())
        .unwrap_or("Always");
    let init_failed = runtime.init.iter().any(|c| {
        !c.succeeded() && c.exited.as_ref().is_some_and(|e| e.exit_code != 0) && !c.is_running()
    });
    if init_failed && policy == "Never" {
        return "Failed";
    }
    let state = |s: &ContainerStatus| s.state.clone().unwrap_or_default();
    let running = statuses
        .iter()
        .filter(|s| state(s).running.is_some())
        .count();
    let waiting = statuses
        .iter()
        .filter(|s| {
            state(s).waiting.is_some()
                && s.last_state
                    .as_ref()
                    .and_then(|l| l.terminated.as_ref())
                    .is_none()
        })
        .count();
    let exited: Vec<i32> = runtime
        .containers
        .iter()
        .filter(|c| !c.is_running())
        .filter_map(|c| c.exited.as_ref().map(|e| e.exit_code))
        .collect();
    let all_succeeded = exited.iter().all(|code| *code == 0);
    if terminal {
        return if all_succeeded && exited.len() == statuses.len() {
            "Succeeded"
        } else {
            "Failed"
        };
    }
    match () {
        _ if !runtime.initialized() || waiting > 0 => "Pending",
        _ if running > 0 => "Running",
        _ if exited.is_empty() => "Pending",
        _ => match policy {
            "Always" => "Running",
            "OnFailure" if !all_succeeded => "Running",
            "Never" if !all_succeeded => "Failed",
            _ => "Succeeded",
        },
    }
}

/// The kubelet's node status (`setNodeReadyCondition`): a kubelet that runs reports its node Ready.
pub(super) fn sync_node_status(ctx: &mut Ctx, node: &str) {
    if ctx.faults.is_node_down(node) {
        return;
    }
    let key = ObjectKey::cluster(node);
    let Some(current) = ctx.store.get::<Node>(&key).cloned() else {
        return;
    };
    let ready = current
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
    if ready {
        return;
    }
    let now = ctx.now().to_k8s();
    // Only NotFound can come back: a node deleted from the API has no status to report.
    let _ = ctx.store.modify::<Node>(&key, |n| {
        let conditions = n
            .status
            .get_or_insert_with(Default::default)
            .conditions
            .get_or_insert_with(Vec::new);
        conditions.retain(|c| c.type_ != "Ready");
        conditions.push(NodeCondition {
            type_: "Ready".into(),
            status: "True".into(),
            reason: Some("KubeletReady".into()),
            message: Some("kubelet is posting ready status".into()),
            last_heartbeat_time: Some(now.clone()),
            last_transition_time: Some(now.clone()),
        });
    });
    let message = format!("Node {node} status is now: NodeReady");
    events::record(
        ctx.store,
        &current,
        EventType::Normal,
        "NodeReady",
        message,
        component::KUBELET,
        Some(node),
    );
}

fn condition(
    type_: &str,
    status: &str,
    reason: Option<&str>,
    message: Option<String>,
    now: SimTime,
) -> PodCondition {
    PodCondition {
        type_: type_.into(),
        status: status.into(),
        reason: reason.map(Into::into),
        message,
        last_probe_time: None,
        last_transition_time: Some(now.to_k8s()),
        ..PodCondition::default()
    }
}

impl ContainerRuntime {
    /// The container's entry in the pod status (`convertToAPIContainerStatuses`).
    fn api_status(
        &self,
        spec: &Container,
        default_reason: &str,
        ready: bool,
        now: SimTime,
    ) -> ContainerStatus {
        let waiting = |reason: &str, message: Option<String>| ContainerState {
            waiting: Some(ContainerStateWaiting {
                reason: Some(reason.into()),
                message,
            }),
            ..ContainerState::default()
        };
        let (state, last) = match (&self.run, &self.start_error, &self.exited) {
            (Run::Running { started_at, .. }, _, last) => (
                ContainerState {
                    running: Some(ContainerStateRunning {
                        started_at: Some(started_at.to_k8s()),
                    }),
                    ..ContainerState::default()
                },
                last.as_ref(),
            ),
            (_, Some((reason, message)), last) => {
                (waiting(reason, Some(message.clone())), last.as_ref())
            }
            (_, None, Some(exited)) => (exited.api_state(), self.previous.as_ref()),
            (_, None, None) => (waiting(default_reason, None), None),
        };
        ContainerStatus {
            name: self.name.clone(),
            image: spec.image.clone().unwrap_or_default(),
            image_id: String::new(),
            ready,
            restart_count: self.restart_count,
            started: Some(self.started(now)),
            state: Some(state),
            last_state: Some(last.map(Terminated::api_state).unwrap_or_default()),
            ..ContainerStatus::default()
        }
    }
}

impl Terminated {
    fn api_state(&self) -> ContainerState {
        ContainerState {
            terminated: Some(ContainerStateTerminated {
                exit_code: self.exit_code,
                reason: Some(self.reason.clone()),
                message: self.message.clone(),
                started_at: self.started_at.map(SimTime::to_k8s),
                finished_at: Some(self.finished_at.to_k8s()),
                ..ContainerStateTerminated::default()
            }),
            ..ContainerState::default()
        }
    }
}
