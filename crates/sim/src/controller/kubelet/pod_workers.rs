//! Each pod's worker, after `pkg/kubelet/pod_workers.go`: what the runtime holds for one pod (its sandbox, IP,
//! containers and image backoffs), when the pod next needs a sync, and the stages of its termination
//! (`SyncTerminatingPod`, then `SyncTerminatedPod`).

use k8s_openapi::api::core::v1::Pod;
use std::collections::BTreeMap;

use super::images::{Backoff, Pull};
use super::runtime::{kill_pod, ContainerRuntime, Run};
use super::status::write_status;
use super::{Kubelet, Slot};
use crate::api::delete_options::DeleteOptions;
use crate::controller::{ControllerId, Ctx};
use crate::object::ApiObject;
use crate::time::SimTime;

#[derive(Clone, Debug)]
pub(super) struct PodRuntime {
    pub(super) uid: String,
    pub(super) node: String,
    /// Sandbox, network and volume mounts are done at this instant.
    pub(super) sandbox_ready_at: SimTime,
    pub(super) ip: Option<String>,
    pub(super) init: Vec<ContainerRuntime>,
    pub(super) containers: Vec<ContainerRuntime>,
    /// The image manager's backoff, per image (upstream keys it by pod UID and image).
    pub(super) pull_backoff: BTreeMap<String, Backoff>,
    pub(super) termination: Option<Termination>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Termination {
    /// SIGTERM was sent; the containers exit at `until` with `exit_code`.
    Stopping { until: SimTime, exit_code: i32 },
    /// The terminal phase is written; the object goes at `remove_at`.
    Stopped { remove_at: SimTime },
}

impl Kubelet {
    /// Graceful termination: SIGTERM, the containers exit (or are killed when the grace period ends), the
    /// terminal phase is written, and the pod object is removed. True once the object is gone.
    pub(super) fn terminate(&mut self, ctx: &mut Ctx, pod: &Pod, runtime: &mut PodRuntime) -> bool {
        let now = ctx.now();
        match runtime.termination {
            None => {
                kill_pod(ctx, pod, runtime);
                false
            }
            Some(Termination::Stopping { until, exit_code }) if now >= until => {
                for container in runtime.init.iter_mut().chain(&mut runtime.containers) {
                    container.stop(now, exit_code);
                }
                let remove_at = now.plus_millis(ctx.config.timing.cleanup_ms);
                runtime.termination = Some(Termination::Stopped { remove_at });
                write_status(ctx, pod, runtime);
                ctx.requeue_at(ControllerId::Kubelet, pod.key(), remove_at);
                false
            }
            Some(Termination::Stopped { remove_at }) if now >= remove_at => {
                // The status manager's final delete: NotFound means the pod is already gone (status_manager.go).
                let _ = ctx.store.delete::<Pod>(&pod.key(), DeleteOptions::NOW);
                true
            }
            // Woken early (another change to the pod): the stage's own timer is still pending.
            Some(_) => false,
        }
    }
}

impl PodRuntime {
    pub(super) fn container(&self, slot: Slot) -> &ContainerRuntime {
        match slot {
            Slot::Init(i) => &self.init[i],
            Slot::App(i) => &self.containers[i],
        }
    }

    pub(super) fn container_mut(&mut self, slot: Slot) -> &mut ContainerRuntime {
        match slot {
            Slot::Init(i) => &mut self.init[i],
            Slot::App(i) => &mut self.containers[i],
        }
    }

    pub(super) fn initialized(&self) -> bool {
        self.init.iter().all(ContainerRuntime::succeeded)
            || self.containers.iter().any(|c| c.ever_started)
    }

    /// The next instant something is due: a pull ends, a container starts, exits or passes its startup probe,
    /// or a probe whose answer could change runs.
    pub(super) fn next_wake(&self, now: SimTime, healthy: bool) -> Option<SimTime> {
        self.init
            .iter()
            .chain(&self.containers)
            .flat_map(|c| {
                let run = match c.run {
                    Run::Pulling(Pull { until, .. }) => vec![until],
                    Run::Starting { at } => vec![at],
                    Run::Running {
                        started_from,
                        exits,
                        ..
                    } => exits
                        .map(|(at, _)| at)
                        .into_iter()
                        .chain((started_from > now).then_some(started_from))
                        .collect(),
                    Run::Waiting => vec![],
                };
                run.into_iter()
                    .chain(c.readiness.as_ref().and_then(|w| w.wake_at(healthy)))
            })
            .min()
    }
}
