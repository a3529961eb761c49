//! The kubelets of every node: pod sandbox and volumes, image pulls, container start, readiness, graceful
//! termination to a terminal phase, and removal of the pod object. Pod IPs come from each node's podCIDR,
//! allocated like the host-local IPAM plugin: the next free address after the last one handed out, so a
//! recreated pod gets a new IP.

use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStateRunning, ContainerStateTerminated,
    ContainerStateWaiting, ContainerStatus, Node, Pod, PodCondition, PodIP, PodStatus,
};
use std::collections::{BTreeMap, BTreeSet};

use super::scheduler::set_condition;
use crate::controller::{Controller, ControllerId, Ctx, WorkQueue};
use crate::events::{self, component, EventType};
use crate::object::{ApiObject, Object, ObjectKey};
use crate::store::{DeleteOptions, Store, WatchEvent};
use crate::time::SimTime;

#[derive(Clone, Debug, Default)]
pub struct Kubelet {
    queue: WorkQueue,
    runtimes: BTreeMap<ObjectKey, PodRuntime>,
    /// Images each node has pulled.
    images: BTreeMap<String, BTreeSet<String>>,
    ipam: BTreeMap<String, HostLocalIpam>,
}

#[derive(Clone, Debug)]
struct PodRuntime {
    uid: String,
    node: String,
    ip: Option<String>,
    stage: Stage,
}

#[derive(Clone, Debug, PartialEq)]
enum Stage {
    /// Sandbox, network and volume mounts: kubectl shows ContainerCreating.
    Preparing { until: SimTime },
    /// Pulling the image of container `index`, from `since` until `until`.
    Pulling {
        index: usize,
        since: SimTime,
        until: SimTime,
    },
    /// Containers run; the pod turns Ready at `ready_at` (its first successful readiness probe).
    Running { ready_at: SimTime },
    /// SIGTERM was sent; the containers exit at `until` with `exit_code`.
    Stopping { until: SimTime, exit_code: i32 },
    /// Containers exited and the terminal phase is written; the object goes at `remove_at`.
    Stopped { remove_at: SimTime },
}

impl Controller for Kubelet {
    fn observe(&mut self, event: &WatchEvent, _store: &Store) {
        if let Object::Pod(pod) = &event.object {
            let bound = pod
                .spec
                .as_ref()
                .and_then(|s| s.node_name.as_deref())
                .is_some_and(|n| !n.is_empty());
            if bound || self.runtimes.contains_key(&pod.key()) {
                self.queue.add(pod.key());
            }
        }
    }

    fn queue(&mut self) -> &mut WorkQueue {
        &mut self.queue
    }

    fn sync(&mut self, key: &ObjectKey, ctx: &mut Ctx) {
        let pod = ctx.store.get::<Pod>(key).cloned();
        let current_uid = pod.as_ref().and_then(|p| p.metadata.uid.clone());
        if self
            .runtimes
            .get(key)
            .is_some_and(|r| Some(&r.uid) != current_uid.as_ref())
        {
            self.forget(key);
        }
        let Some(pod) = pod else { return };
        let Some(node) = pod
            .spec
            .as_ref()
            .and_then(|s| s.node_name.clone())
            .filter(|n| !n.is_empty())
        else {
            return;
        };
        if pod.metadata.deletion_timestamp.is_some() {
            self.terminate(ctx, &pod);
        } else if let Some(runtime) = self.runtimes.get(key).cloned() {
            self.advance(ctx, &pod, runtime);
        } else {
            self.admit(ctx, &pod, node);
        }
    }
}

impl Kubelet {
    fn forget(&mut self, key: &ObjectKey) {
        if let Some(runtime) = self.runtimes.remove(key) {
            if let (Some(ip), Some(ipam)) = (runtime.ip, self.ipam.get_mut(&runtime.node)) {
                ipam.release(&ip);
            }
        }
    }

    fn set_stage(&mut self, ctx: &mut Ctx, key: &ObjectKey, stage: Stage) {
        let wake = match &stage {
            Stage::Preparing { until }
            | Stage::Pulling { until, .. }
            | Stage::Stopping { until, .. } => Some(*until),
            Stage::Running { ready_at } => Some(*ready_at),
            Stage::Stopped { remove_at } => Some(*remove_at),
        };
        if let Some(runtime) = self.runtimes.get_mut(key) {
            runtime.stage = stage;
        }
        if let Some(at) = wake.filter(|at| *at >= ctx.now()) {
            ctx.requeue_at(ControllerId::Kubelet, key.clone(), at);
        }
    }

    /// A pod newly bound to this node: Pending, containers waiting in ContainerCreating.
    fn admit(&mut self, ctx: &mut Ctx, pod: &Pod, node: String) {
        let key = pod.key();
        let now = ctx.now();
        let host_ip = node_internal_ip(ctx.store, &node);
        let containers = containers_of(pod).to_vec();
        let _ = ctx.store.modify::<Pod>(&key, |p| {
            let status = p.status.get_or_insert_with(PodStatus::default);
            status.phase = Some("Pending".into());
            status.host_ip = host_ip.clone();
            status.host_ips = host_ip
                .clone()
                .map(|ip| vec![k8s_openapi::api::core::v1::HostIP { ip }]);
            status.start_time = Some(now.to_k8s());
            status.qos_class = Some("BestEffort".into());
            status.container_statuses = Some(
                containers
                    .iter()
                    .map(|c| waiting_status(c, "ContainerCreating"))
                    .collect(),
            );
            for (type_, status, reason) in [
                ("PodReadyToStartContainers", "False", None),
                ("Initialized", "True", None),
                ("Ready", "False", Some("ContainersNotReady")),
                ("ContainersReady", "False", Some("ContainersNotReady")),
            ] {
                set_condition(p, condition(type_, status, reason, now, &containers));
            }
        });
        let until = now.plus_millis(ctx.draw_ms(ctx.config.timing.sandbox_ms));
        self.runtimes.insert(
            key.clone(),
            PodRuntime {
                uid: pod.metadata.uid.clone().unwrap_or_default(),
                node,
                ip: None,
                stage: Stage::Preparing { until },
            },
        );
        self.set_stage(ctx, &key, Stage::Preparing { until });
    }

    fn advance(&mut self, ctx: &mut Ctx, pod: &Pod, runtime: PodRuntime) {
        let now = ctx.now();
        let key = pod.key();
        match runtime.stage {
            Stage::Preparing { until } if now >= until => {
                let ip = self.ipam_for(ctx.store, &runtime.node).allocate();
                if let Some(r) = self.runtimes.get_mut(&key) {
                    r.ip = ip.clone();
                }
                let _ = ctx.store.modify::<Pod>(&key, |p| {
                    let status = p.status.get_or_insert_with(PodStatus::default);
                    status.pod_ip = ip.clone();
                    status.pod_ips = ip.clone().map(|ip| vec![PodIP { ip }]);
                    set_condition(
                        p,
                        condition("PodReadyToStartContainers", "True", None, now, &[]),
                    );
                });
                self.pull_or_start(ctx, pod, &runtime.node, 0);
            }
            Stage::Pulling {
                index,
                since,
                until,
            } if now >= until => {
                let image = containers_of(pod)
                    .get(index)
                    .and_then(|c| c.image.clone())
                    .unwrap_or_default();
                self.images
                    .entry(runtime.node.clone())
                    .or_default()
                    .insert(image.clone());
                let took = format!("{:.3}s", (until.0 - since.0) as f64 / 1000.0);
                let message = format!(
                    "Successfully pulled image \"{image}\" in {took} ({took} including waiting). Image size: {} bytes.",
                    image_size(&image)
                );
                events::record(
                    ctx.store,
                    pod,
                    EventType::Normal,
                    "Pulled",
                    message,
                    component::KUBELET,
                    Some(&runtime.node),
                );
                self.pull_or_start(ctx, pod, &runtime.node, index + 1);
            }
            Stage::Running { ready_at } if now >= ready_at && !is_ready(pod) => {
                mark_ready(ctx, pod, now);
            }
            _ => {}
        }
    }

    /// Pulls the image of container `index` unless the node has it (and the policy allows using it), then the
    /// next; once every image is there, starts the containers.
    fn pull_or_start(&mut self, ctx: &mut Ctx, pod: &Pod, node: &str, index: usize) {
        let key = pod.key();
        let containers = containers_of(pod).to_vec();
        let mut index = index;
        while let Some(container) = containers.get(index) {
            let image = container.image.clone().unwrap_or_default();
            let always = container.image_pull_policy.as_deref() == Some("Always");
            let present = self
                .images
                .get(node)
                .is_some_and(|images| images.contains(&image));
            if present && !always {
                let message = format!("Container image \"{image}\" already present on machine");
                events::record(
                    ctx.store,
                    pod,
                    EventType::Normal,
                    "Pulled",
                    message,
                    component::KUBELET,
                    Some(node),
                );
                index += 1;
                continue;
            }
            let message = format!("Pulling image \"{image}\"");
            events::record(
                ctx.store,
                pod,
                EventType::Normal,
                "Pulling",
                message,
                component::KUBELET,
                Some(node),
            );
            let since = ctx.now();
            let until = since.plus_millis(ctx.draw_ms(ctx.config.timing.image_pull_ms));
            self.set_stage(
                ctx,
                &key,
                Stage::Pulling {
                    index,
                    since,
                    until,
                },
            );
            return;
        }
        self.start_containers(ctx, pod, node);
    }

    fn start_containers(&mut self, ctx: &mut Ctx, pod: &Pod, node: &str) {
        let now = ctx.now();
        let key = pod.key();
        let containers = containers_of(pod).to_vec();
        for container in &containers {
            let created = format!("Created container: {}", container.name);
            events::record(
                ctx.store,
                pod,
                EventType::Normal,
                "Created",
                created,
                component::KUBELET,
                Some(node),
            );
            let started = format!("Started container {}", container.name);
            events::record(
                ctx.store,
                pod,
                EventType::Normal,
                "Started",
                started,
                component::KUBELET,
                Some(node),
            );
        }
        // Without a readiness probe a container is ready once it runs; with one, at its first success.
        let first_probe_delay = containers
            .iter()
            .filter_map(|c| c.readiness_probe.as_ref())
            .map(|probe| probe.initial_delay_seconds.unwrap_or(0).max(0) as u64)
            .max();
        let ready_at = now.plus_secs(first_probe_delay.unwrap_or(0));
        let ready_now = ready_at <= now;
        let _ = ctx.store.modify::<Pod>(&key, |p| {
            let status = p.status.get_or_insert_with(PodStatus::default);
            status.phase = Some("Running".into());
            status.container_statuses = Some(
                containers
                    .iter()
                    .map(|c| ContainerStatus {
                        state: Some(ContainerState {
                            running: Some(ContainerStateRunning {
                                started_at: Some(now.to_k8s()),
                            }),
                            ..ContainerState::default()
                        }),
                        started: Some(true),
                        ..waiting_status(c, "")
                    })
                    .collect(),
            );
            if ready_now {
                set_ready(p, now);
            }
        });
        self.set_stage(ctx, &key, Stage::Running { ready_at });
    }

    /// Graceful termination: SIGTERM, the containers exit (or are killed when the grace period ends), the
    /// terminal phase is written, and the pod object is removed.
    fn terminate(&mut self, ctx: &mut Ctx, pod: &Pod) {
        let key = pod.key();
        let now = ctx.now();
        let Some(runtime) = self.runtimes.get(&key).cloned() else {
            // Never started here: nothing to stop.
            let _ = ctx.store.delete::<Pod>(&key, DeleteOptions::NOW);
            return;
        };
        match runtime.stage {
            Stage::Running { .. } => {
                for container in containers_of(pod) {
                    let message = format!("Stopping container {}", container.name);
                    events::record(
                        ctx.store,
                        pod,
                        EventType::Normal,
                        "Killing",
                        message,
                        component::KUBELET,
                        Some(&runtime.node),
                    );
                }
                let grace_ms = pod
                    .metadata
                    .deletion_grace_period_seconds
                    .unwrap_or(30)
                    .max(0) as u64
                    * 1000;
                let stop_ms = ctx.draw_ms(ctx.config.timing.stop_ms);
                let (delay, exit_code) = if stop_ms <= grace_ms {
                    (stop_ms, 0)
                } else {
                    (grace_ms, 137)
                };
                self.set_stage(
                    ctx,
                    &key,
                    Stage::Stopping {
                        until: now.plus_millis(delay),
                        exit_code,
                    },
                );
            }
            Stage::Preparing { .. } | Stage::Pulling { .. } => {
                let remove_at = now.plus_millis(ctx.config.timing.cleanup_ms);
                self.set_stage(ctx, &key, Stage::Stopped { remove_at });
            }
            Stage::Stopping { until, exit_code } if now >= until => {
                write_terminal_status(ctx, pod, exit_code, now);
                let remove_at = now.plus_millis(ctx.config.timing.cleanup_ms);
                self.set_stage(ctx, &key, Stage::Stopped { remove_at });
            }
            Stage::Stopped { remove_at } if now >= remove_at => {
                self.forget(&key);
                let _ = ctx.store.delete::<Pod>(&key, DeleteOptions::NOW);
            }
            // Woken early (another change to the pod): the stage's own timer is still pending.
            Stage::Stopping { .. } | Stage::Stopped { .. } => {}
        }
    }

    fn ipam_for(&mut self, store: &Store, node: &str) -> &mut HostLocalIpam {
        self.ipam.entry(node.to_string()).or_insert_with(|| {
            let cidr = store
                .get::<Node>(&ObjectKey::cluster(node))
                .and_then(|n| n.spec.as_ref())
                .and_then(|s| s.pod_cidr.clone())
                .unwrap_or_else(|| "10.244.0.0/24".into());
            HostLocalIpam::new(&cidr)
        })
    }
}

fn containers_of(pod: &Pod) -> &[Container] {
    pod.spec
        .as_ref()
        .map(|s| s.containers.as_slice())
        .unwrap_or_default()
}

fn is_ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

fn mark_ready(ctx: &mut Ctx, pod: &Pod, now: SimTime) {
    let _ = ctx.store.modify::<Pod>(&pod.key(), |p| set_ready(p, now));
}

fn set_ready(pod: &mut Pod, now: SimTime) {
    if let Some(statuses) = pod
        .status
        .as_mut()
        .and_then(|s| s.container_statuses.as_mut())
    {
        for status in statuses {
            status.ready = true;
        }
    }
    set_condition(pod, condition("ContainersReady", "True", None, now, &[]));
    set_condition(pod, condition("Ready", "True", None, now, &[]));
}

fn write_terminal_status(ctx: &mut Ctx, pod: &Pod, exit_code: i32, now: SimTime) {
    let containers = containers_of(pod).to_vec();
    let _ = ctx.store.modify::<Pod>(&pod.key(), |p| {
        let status = p.status.get_or_insert_with(PodStatus::default);
        status.phase = Some(
            if exit_code == 0 {
                "Succeeded"
            } else {
                "Failed"
            }
            .into(),
        );
        let started_at = status
            .container_statuses
            .iter()
            .flatten()
            .find_map(|c| c.state.as_ref()?.running.as_ref()?.started_at.clone());
        status.container_statuses = Some(
            containers
                .iter()
                .map(|c| ContainerStatus {
                    state: Some(ContainerState {
                        terminated: Some(ContainerStateTerminated {
                            exit_code,
                            reason: Some(if exit_code == 0 { "Completed" } else { "Error" }.into()),
                            started_at: started_at.clone(),
                            finished_at: Some(now.to_k8s()),
                            ..ContainerStateTerminated::default()
                        }),
                        ..ContainerState::default()
                    }),
                    started: Some(false),
                    ..waiting_status(c, "")
                })
                .collect(),
        );
        for type_ in ["Ready", "ContainersReady"] {
            set_condition(p, condition(type_, "False", Some("PodCompleted"), now, &[]));
        }
        set_condition(
            p,
            condition("PodReadyToStartContainers", "False", None, now, &[]),
        );
    });
}

/// A container status that is not ready; `waiting_reason` empty means no state yet.
fn waiting_status(container: &Container, waiting_reason: &str) -> ContainerStatus {
    ContainerStatus {
        name: container.name.clone(),
        image: container.image.clone().unwrap_or_default(),
        image_id: String::new(),
        ready: false,
        restart_count: 0,
        started: Some(false),
        state: (!waiting_reason.is_empty()).then(|| ContainerState {
            waiting: Some(ContainerStateWaiting {
                reason: Some(waiting_reason.into()),
                message: None,
            }),
            ..ContainerState::default()
        }),
        ..ContainerStatus::default()
    }
}

fn condition(
    type_: &str,
    status: &str,
    reason: Option<&str>,
    now: SimTime,
    containers: &[Container],
) -> PodCondition {
    let message = reason.filter(|r| *r == "ContainersNotReady").map(|_| {
        let names: Vec<&str> = containers.iter().map(|c| c.name.as_str()).collect();
        format!("containers with unready status: [{}]", names.join(" "))
    });
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

fn node_internal_ip(store: &Store, node: &str) -> Option<String> {
    let node = store.get::<Node>(&ObjectKey::cluster(node))?;
    node.status
        .as_ref()?
        .addresses
        .as_ref()?
        .iter()
        .find(|a| a.type_ == "InternalIP")
        .map(|a| a.address.clone())
}

/// A plausible image size, stable per image name.
fn image_size(image: &str) -> u64 {
    let hash = image.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    20_000_000 + hash % 150_000_000
}

/// host-local IPAM over one node's /24: addresses .2 to .254, handed out round-robin from the last one.
#[derive(Clone, Debug)]
struct HostLocalIpam {
    prefix: String,
    last: u8,
    in_use: BTreeSet<u8>,
}

impl HostLocalIpam {
    fn new(cidr: &str) -> Self {
        let network = cidr.split('/').next().unwrap_or("10.244.0.0");
        let prefix = network
            .rsplit_once('.')
            .map_or("10.244.0", |(p, _)| p)
            .to_string();
        HostLocalIpam {
            prefix,
            last: 1,
            in_use: BTreeSet::new(),
        }
    }

    fn allocate(&mut self) -> Option<String> {
        let candidates = (self.last as u16 + 1..=254)
            .chain(2..=self.last as u16)
            .map(|n| n as u8);
        let host = candidates.into_iter().find(|n| !self.in_use.contains(n))?;
        self.in_use.insert(host);
        self.last = host;
        Some(format!("{}.{host}", self.prefix))
    }

    fn release(&mut self, ip: &str) {
        if let Some(host) = ip.rsplit_once('.').and_then(|(_, h)| h.parse::<u8>().ok()) {
            self.in_use.remove(&host);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_local_ipam_hands_out_the_next_free_address() {
        let mut ipam = HostLocalIpam::new("10.244.2.0/24");
        assert_eq!(ipam.allocate().as_deref(), Some("10.244.2.2"));
        assert_eq!(ipam.allocate().as_deref(), Some("10.244.2.3"));
        ipam.release("10.244.2.2");
        // Round-robin: a freed address is reused only after the range wraps.
        assert_eq!(ipam.allocate().as_deref(), Some("10.244.2.4"));
    }
}
