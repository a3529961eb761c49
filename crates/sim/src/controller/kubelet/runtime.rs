//! The container runtime, after `pkg/kubelet/kuberuntime/` (`kuberuntime_manager.go`,
//! `kuberuntime_container.go`): what each container is doing, creating, starting and killing it, and the
//! restart policy. Exited containers restart under the pod's restart policy with the crash-loop backoff
//! (`doBackOff`).

use k8s_openapi::api::core::v1::{Container, Pod};

use super::images::{Backoff, Pull};
use super::pod_workers::{PodRuntime, Termination};
use super::prober::ProbeWorker;
use super::{container_spec, format_pod, record, Kubelet, Slot};
use crate::controller::{ControllerId, Ctx};
use crate::events::EventType;
use crate::object::ApiObject;
use crate::time::{go_duration, SimTime};

#[derive(Clone, Debug)]
pub(super) struct ContainerRuntime {
    pub(super) name: String,
    pub(super) run: Run,
    /// The instance that exited last, and the one before it (`state` and `lastState` while it is shown).
    pub(super) exited: Option<Terminated>,
    pub(super) previous: Option<Terminated>,
    pub(super) restart_count: i32,
    pub(super) ever_started: bool,
    /// The crash-loop backoff of this container.
    backoff: Option<Backoff>,
    /// Why the last sync could not start it: the waiting reason and message the status shows.
    pub(super) start_error: Option<(String, String)>,
    pub(super) readiness: Option<ProbeWorker>,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Run {
    /// No instance runs: never started, exited, or held back by a backoff.
    Waiting,
    /// The image is being pulled for this container.
    Pulling(Pull),
    /// Created and started; the runtime reports it running at `at`.
    Starting { at: SimTime },
    Running {
        started_at: SimTime,
        /// The startup probe has passed (at once without one): readiness is probed from then on.
        started_from: SimTime,
        exits: Option<(SimTime, i32)>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct Terminated {
    pub(super) exit_code: i32,
    pub(super) reason: String,
    pub(super) message: Option<String>,
    pub(super) started_at: Option<SimTime>,
    pub(super) finished_at: SimTime,
}

impl ContainerRuntime {
    pub(super) fn new(spec: &Container) -> ContainerRuntime {
        ContainerRuntime {
            name: spec.name.clone(),
            run: Run::Waiting,
            exited: None,
            previous: None,
            restart_count: 0,
            ever_started: false,
            backoff: None,
            start_error: None,
            readiness: None,
        }
    }

    pub(super) fn succeeded(&self) -> bool {
        self.run == Run::Waiting && self.exited.as_ref().is_some_and(|e| e.exit_code == 0)
    }

    pub(super) fn is_running(&self) -> bool {
        matches!(self.run, Run::Running { .. })
    }

    /// PLEG: a container whose process ended is seen exited, with the time it ended.
    pub(super) fn observe_exit(&mut self, now: SimTime) {
        if let Run::Running {
            exits: Some((at, code)),
            ..
        } = self.run
        {
            if at <= now {
                self.exit_if_running(at, code);
            }
        }
    }

    pub(super) fn exit_if_running(&mut self, at: SimTime, exit_code: i32) {
        let Run::Running { started_at, .. } = self.run else {
            return;
        };
        let reason = if exit_code == 0 { "Completed" } else { "Error" };
        self.record_exit(Terminated {
            exit_code,
            reason: reason.into(),
            message: None,
            started_at: Some(started_at),
            finished_at: at,
        });
    }

    fn record_exit(&mut self, exit: Terminated) {
        self.previous = self.exited.replace(exit);
        self.run = Run::Waiting;
        self.readiness = None;
        self.start_error = None;
    }

    /// The end of a pod's termination: a running instance exits with the code its stop gave; one that never
    /// ran is reported as the kubelet reports a container it cannot find.
    pub(super) fn stop(&mut self, now: SimTime, exit_code: i32) {
        if self.is_running() {
            self.exit_if_running(now, exit_code);
        } else if self.exited.is_none() {
            self.record_exit(Terminated {
                exit_code: 137,
                reason: "ContainerStatusUnknown".into(),
                message: Some(
                    "The container could not be located when the pod was terminated".into(),
                ),
                started_at: None,
                finished_at: now,
            });
        } else {
            self.run = Run::Waiting;
            self.start_error = None;
        }
    }

    pub(super) fn started(&self, now: SimTime) -> bool {
        matches!(self.run, Run::Running { started_from, .. } if started_from <= now)
    }

    pub(super) fn is_ready(&self, now: SimTime, readiness_fails: bool) -> bool {
        self.started(now)
            && match &self.readiness {
                Some(worker) => worker.ready,
                None => !readiness_fails,
            }
    }
}

impl Kubelet {
    /// Moves one container on as far as this instant allows; true when it could not be started (an image or
    /// crash-loop backoff, a failed pull), which makes the pod worker retry the sync later.
    pub(super) fn step_container(
        &mut self,
        ctx: &mut Ctx,
        pod: &Pod,
        runtime: &mut PodRuntime,
        slot: Slot,
    ) -> bool {
        let now = ctx.now();
        match runtime.container(slot).run.clone() {
            Run::Running { .. } => false,
            Run::Starting { at } if at <= now => {
                container_started(ctx, pod, runtime, slot, at);
                false
            }
            Run::Pulling(pull) if pull.until <= now => {
                self.finish_pull(ctx, pod, runtime, slot, pull)
            }
            Run::Starting { .. } | Run::Pulling(_) => false,
            Run::Waiting => {
                let spec = container_spec(pod, slot);
                let restart = match &runtime.container(slot).exited {
                    None => true,
                    Some(exit) => should_restart(pod, slot, exit.exit_code),
                };
                if !restart {
                    return false;
                }
                if do_back_off(ctx, pod, runtime, slot) {
                    return true;
                }
                self.start_container(ctx, pod, runtime, slot, spec)
            }
        }
    }
}

/// The runtime reports the new instance running: RESTARTS counts every instance after the first.
fn container_started(ctx: &mut Ctx, pod: &Pod, runtime: &mut PodRuntime, slot: Slot, at: SimTime) {
    let spec = container_spec(pod, slot);
    let image = spec.image.clone().unwrap_or_default();
    let behaviour = ctx.config.images.get(&image).cloned().unwrap_or_default();
    let exits = match (behaviour.exit, slot) {
        (Some((code, after)), _) => Some((at.plus_millis(after.0), code)),
        (None, Slot::Init(_)) => Some((
            at.plus_millis(ctx.draw_ms(ctx.config.timing.init_container_ms)),
            0,
        )),
        (None, Slot::App(_)) => None,
    };
    let started_from = spec.startup_probe.as_ref().map_or(at, |probe| {
        at.plus_secs(probe.initial_delay_seconds.unwrap_or(0).max(0) as u64)
    });
    let container = runtime.container_mut(slot);
    if container.ever_started {
        container.restart_count += 1;
    }
    container.ever_started = true;
    container.start_error = None;
    container.run = Run::Running {
        started_at: at,
        started_from,
        exits,
    };
    container.readiness = match slot {
        Slot::App(_) => spec
            .readiness_probe
            .as_ref()
            .map(|probe| ProbeWorker::new(probe, at, started_from)),
        Slot::Init(_) => None,
    };
    let node = runtime.node.clone();
    record(
        ctx,
        pod,
        &node,
        EventType::Normal,
        "Created",
        format!("Created container: {}", spec.name),
    );
    record(
        ctx,
        pod,
        &node,
        EventType::Normal,
        "Started",
        format!("Started container {}", spec.name),
    );
}

/// `doBackOff`: an exited container is restarted only once its crash-loop backoff since it finished is over.
fn do_back_off(ctx: &mut Ctx, pod: &Pod, runtime: &mut PodRuntime, slot: Slot) -> bool {
    let now = ctx.now();
    let max = ctx.config.timing.backoff_max_ms;
    let container = runtime.container(slot);
    let Some(finished_at) = container.exited.as_ref().map(|e| e.finished_at) else {
        return false;
    };
    match container.backoff {
        Some(backoff) if backoff.is_in_back_off_since(finished_at, now, max) => {
            let name = container.name.clone();
            let pod_name = format_pod(pod);
            let event = format!("Back-off restarting failed container {name} in pod {pod_name}");
            let node = runtime.node.clone();
            record(ctx, pod, &node, EventType::Warning, "BackOff", event);
            let message = format!(
                "back-off {} restarting failed container={name} pod={pod_name}",
                go_duration(backoff.duration_ms)
            );
            runtime.container_mut(slot).start_error = Some(("CrashLoopBackOff".into(), message));
            true
        }
        previous => {
            runtime.container_mut(slot).backoff =
                Some(Backoff::next(previous, finished_at, now, ctx));
            false
        }
    }
}

/// A start that failed: the container waits with the error's reason, and `startContainer`'s event says so.
pub(super) fn start_failed(
    ctx: &mut Ctx,
    pod: &Pod,
    runtime: &mut PodRuntime,
    slot: Slot,
    reason: &str,
    message: String,
) -> bool {
    let node = runtime.node.clone();
    record(
        ctx,
        pod,
        &node,
        EventType::Warning,
        "Failed",
        format!("Error: {reason}"),
    );
    runtime.container_mut(slot).start_error = Some((reason.into(), message));
    true
}

/// `killPod`: SIGTERM to every running container, then SIGKILL if the grace period runs out first.
pub(super) fn kill_pod(ctx: &mut Ctx, pod: &Pod, runtime: &mut PodRuntime) {
    let now = ctx.now();
    let node = runtime.node.clone();
    let running: Vec<String> = runtime
        .init
        .iter()
        .chain(&runtime.containers)
        .filter(|c| c.is_running())
        .map(|c| c.name.clone())
        .collect();
    for name in &running {
        record(
            ctx,
            pod,
            &node,
            EventType::Normal,
            "Killing",
            format!("Stopping container {name}"),
        );
    }
    let grace_ms = (pod
        .metadata
        .deletion_grace_period_seconds
        .unwrap_or(30)
        .max(0) as u64)
        .saturating_mul(1000);
    let stop_ms = if running.is_empty() {
        0
    } else {
        ctx.draw_ms(ctx.config.timing.stop_ms)
    };
    let (delay, exit_code) = if stop_ms <= grace_ms {
        (stop_ms, 0)
    } else {
        (grace_ms, 137)
    };
    let until = now.plus_millis(delay);
    runtime.termination = Some(Termination::Stopping { until, exit_code });
    ctx.requeue_at(ControllerId::Kubelet, pod.key(), until);
}

/// The restart policy's verdict on an exited container. An init container is done once it exits 0.
fn should_restart(pod: &Pod, slot: Slot, exit_code: i32) -> bool {
    let policy = pod
        .spec
        .as_ref()
        .and_then(|s| s.restart_policy.as_deref())
        .unwrap_or("Always");
    match (policy, slot) {
        ("Never", _) => false,
        (_, Slot::Init(_)) | ("OnFailure", _) => exit_code != 0,
        _ => true,
    }
}
