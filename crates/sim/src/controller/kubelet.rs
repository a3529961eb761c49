//! The kubelets of every node, shaped like upstream's pod workers: each sync of a pod (`SyncPod`) looks at what
//! the runtime holds at this instant, starts what should run (init containers one at a time, each to
//! completion, then the app containers), and writes the API status as `generateAPIPodStatus` would.
//!
//! Image pulls go through the simulated registry (`ClusterConfig::images`) and the node's serial puller, with
//! the image manager's backoff; exited containers restart under the pod's restart policy with the crash-loop
//! backoff (`doBackOff`); a sync that could not start something is retried by the pod worker after
//! `Timing::pod_sync_retry_ms`. Readiness probes are counted against their thresholds, but only where an answer
//! can change something: probes succeed unless a fault says otherwise, so a ready container that keeps
//! succeeding is not woken every period. Liveness probes have no fault that could fail them, so they never
//! restart anything and are not modelled. A kubelet whose node is down does nothing at all.
//!
//! Pod IPs come from each node's podCIDR, allocated like the host-local IPAM plugin: the next free address after
//! the last one handed out, so a recreated pod gets a new IP.

use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStateRunning, ContainerStateTerminated,
    ContainerStateWaiting, ContainerStatus, HostIP, Node, NodeCondition, Pod, PodCondition, PodIP,
    PodStatus, Probe,
};
use std::collections::{BTreeMap, BTreeSet};

use super::scheduler::set_condition;
use crate::controller::{Controller, ControllerId, Ctx, WorkQueue};
use crate::events::{self, component, EventType};
use crate::object::{ApiObject, Object, ObjectKey};
use crate::store::{DeleteOptions, Store, WatchEvent, WatchEventType};
use crate::time::{go_duration, SimTime};

#[derive(Clone, Debug, Default)]
pub struct Kubelet {
    queue: WorkQueue,
    /// Pods the kubelets run, by name and UID: a pod replaced by a new one of the same name keeps its runtime
    /// until its own kubelet can clean it up.
    runtimes: BTreeMap<(ObjectKey, String), PodRuntime>,
    /// Images each node has pulled.
    images: BTreeMap<String, BTreeSet<String>>,
    /// When each node's image puller is free: pulls are serialized (`serializeImagePulls`, on by default).
    puller_free_at: BTreeMap<String, SimTime>,
    ipam: BTreeMap<String, HostLocalIpam>,
}

#[derive(Clone, Debug)]
struct PodRuntime {
    uid: String,
    node: String,
    /// Sandbox, network and volume mounts are done at this instant.
    sandbox_ready_at: SimTime,
    ip: Option<String>,
    init: Vec<ContainerRuntime>,
    containers: Vec<ContainerRuntime>,
    /// The image manager's backoff, per image (upstream keys it by pod UID and image).
    pull_backoff: BTreeMap<String, Backoff>,
    termination: Option<Termination>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Termination {
    /// SIGTERM was sent; the containers exit at `until` with `exit_code`.
    Stopping { until: SimTime, exit_code: i32 },
    /// The terminal phase is written; the object goes at `remove_at`.
    Stopped { remove_at: SimTime },
}

#[derive(Clone, Debug)]
struct ContainerRuntime {
    name: String,
    run: Run,
    /// The instance that exited last, and the one before it (`state` and `lastState` while it is shown).
    exited: Option<Terminated>,
    previous: Option<Terminated>,
    restart_count: i32,
    ever_started: bool,
    /// The crash-loop backoff of this container.
    backoff: Option<Backoff>,
    /// Why the last sync could not start it: the waiting reason and message the status shows.
    start_error: Option<(String, String)>,
    readiness: Option<ProbeWorker>,
}

#[derive(Clone, Debug, PartialEq)]
enum Run {
    /// No instance runs: never started, exited, or held back by a backoff.
    Waiting,
    /// The image is being pulled for this container: requested at `requested`, pulled from `began` (the node's
    /// puller is serial) until `until`.
    Pulling {
        requested: SimTime,
        began: SimTime,
        until: SimTime,
        fails: bool,
    },
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
struct Terminated {
    exit_code: i32,
    reason: String,
    message: Option<String>,
    started_at: Option<SimTime>,
    finished_at: SimTime,
}

/// `flowcontrol.Backoff` for one key: the first failure waits the initial period, each further one twice the
/// last, up to the cap; an entry untouched for twice the cap is forgotten.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Backoff {
    duration_ms: u64,
    last_update: SimTime,
}

impl Backoff {
    /// `Next`.
    fn next(entry: Option<Backoff>, event_time: SimTime, now: SimTime, ctx: &Ctx) -> Backoff {
        let (initial, max) = (
            ctx.config.timing.backoff_initial_ms,
            ctx.config.timing.backoff_max_ms,
        );
        let duration_ms = match entry.filter(|b| !b.has_expired(event_time, max)) {
            Some(b) => (b.duration_ms * 2).min(max),
            None => initial,
        };
        Backoff {
            duration_ms,
            last_update: now,
        }
    }

    fn has_expired(&self, event_time: SimTime, max_ms: u64) -> bool {
        event_time.0.saturating_sub(self.last_update.0) > 2 * max_ms
    }

    /// `IsInBackOffSince`: whether less than the backoff has passed since `event_time`.
    fn is_in_back_off_since(&self, event_time: SimTime, now: SimTime, max_ms: u64) -> bool {
        !self.has_expired(event_time, max_ms)
            && now.0.saturating_sub(event_time.0) < self.duration_ms
    }

    /// `IsInBackOffSinceUpdate`: whether less than the backoff has passed since the last failure.
    fn is_in_back_off_since_update(&self, now: SimTime, max_ms: u64) -> bool {
        self.is_in_back_off_since(self.last_update, now, max_ms)
    }
}

/// A readiness probe's worker: one probe per period from `initialDelaySeconds` after the start, a result taking
/// effect after `successThreshold` or `failureThreshold` equal results in a row.
#[derive(Clone, Debug, PartialEq)]
struct ProbeWorker {
    next: SimTime,
    period_ms: u64,
    success_threshold: u32,
    failure_threshold: u32,
    /// `lastResult` and `resultRun`; a readiness worker starts from a failure that is not counted.
    last_success: bool,
    run: u32,
    ready: bool,
    /// Ready and succeeding when last looked at: nothing wakes the worker, so the probes it skips succeed.
    steady: bool,
}

impl ProbeWorker {
    /// The first probe is at `start + initialDelaySeconds`, or on the first period after the startup probe passed.
    fn new(probe: &Probe, started_at: SimTime, started_from: SimTime) -> ProbeWorker {
        let period_ms = probe.period_seconds.unwrap_or(10).max(1) as u64 * 1000;
        let first = started_at.plus_secs(probe.initial_delay_seconds.unwrap_or(0).max(0) as u64);
        let late_by = started_from.0.saturating_sub(first.0);
        ProbeWorker {
            next: first.plus_millis(late_by.div_ceil(period_ms) * period_ms),
            period_ms,
            success_threshold: probe.success_threshold.unwrap_or(1).max(1) as u32,
            failure_threshold: probe.failure_threshold.unwrap_or(3).max(1) as u32,
            last_success: false,
            run: 0,
            ready: false,
            steady: false,
        }
    }

    /// Runs the probes due by `now` and returns how many failed. A ready container whose probe keeps succeeding
    /// cannot change, so the worker is not woken for those probes: the ones it skipped were successes.
    fn probe_until(&mut self, now: SimTime, healthy: bool) -> u32 {
        if self.steady {
            self.skip_to(now);
        }
        let mut failures = 0;
        while self.next <= now {
            if healthy && self.ready {
                break;
            }
            if self.last_success == healthy {
                self.run += 1;
            } else {
                self.last_success = healthy;
                self.run = 1;
            }
            if healthy && self.run >= self.success_threshold {
                self.ready = true;
            } else if !healthy {
                failures += 1;
                if self.run >= self.failure_threshold {
                    self.ready = false;
                }
            }
            self.next = self.next.plus_millis(self.period_ms);
        }
        self.steady = healthy && self.ready;
        failures
    }

    /// Moves the next probe to the first period boundary at or after `now`, past probes no one ran.
    fn skip_to(&mut self, now: SimTime) {
        let behind = now.0.saturating_sub(self.next.0);
        self.next = self
            .next
            .plus_millis(behind.div_ceil(self.period_ms) * self.period_ms);
    }

    fn wake_at(&self, healthy: bool) -> Option<SimTime> {
        (!(healthy && self.ready)).then_some(self.next)
    }
}

/// Which container of a pod: init containers and app containers are separate lists, as in the spec.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Slot {
    Init(usize),
    App(usize),
}

impl Controller for Kubelet {
    fn observe(&mut self, event: &WatchEvent, _store: &Store) {
        if let Object::Pod(pod) = &event.object {
            if self.needs_sync(pod, event.event_type) {
                self.queue.add(pod.key());
            }
        }
    }

    fn queue(&mut self) -> &mut WorkQueue {
        &mut self.queue
    }

    fn sync(&mut self, key: &ObjectKey, ctx: &mut Ctx) {
        if key.namespace.is_empty() {
            sync_node_status(ctx, &key.name);
            return;
        }
        let pod = ctx.store.get::<Pod>(key).cloned();
        let uid = pod.as_ref().and_then(|p| p.metadata.uid.clone());
        self.clean_up_orphans(ctx, key, uid.as_deref());
        let Some(pod) = pod else { return };
        let Some(node) = node_of(&pod) else { return };
        if ctx.faults.is_node_down(&node) {
            return;
        }
        let slot = (key.clone(), uid.unwrap_or_default());
        let runtime = self.runtimes.remove(&slot);
        if pod.metadata.deletion_timestamp.is_some() {
            match runtime {
                Some(mut runtime) => {
                    if self.terminate(ctx, &pod, &mut runtime) {
                        self.release(runtime);
                    } else {
                        self.runtimes.insert(slot, runtime);
                    }
                }
                // Never started here: nothing to stop.
                None => {
                    let _ = ctx.store.delete::<Pod>(key, DeleteOptions::NOW);
                }
            }
            return;
        }
        let mut runtime = match runtime {
            Some(runtime) => runtime,
            None => self.admit(ctx, &pod, node),
        };
        self.sync_pod(ctx, &pod, &mut runtime);
        self.runtimes.insert(slot, runtime);
    }
}

impl Kubelet {
    /// The pod-config source: a kubelet acts on pods bound to it, on their deletion, and on their removal, not
    /// on status writes (its own or anyone's).
    fn needs_sync(&self, pod: &Pod, event_type: WatchEventType) -> bool {
        let key = pod.key();
        let known: Vec<&PodRuntime> = self.runtimes_named(&key).map(|(_, r)| r).collect();
        let uid = pod.metadata.uid.as_deref().unwrap_or_default();
        match known.iter().find(|r| r.uid == uid) {
            _ if event_type == WatchEventType::Deleted => !known.is_empty(),
            Some(runtime) => {
                pod.metadata.deletion_timestamp.is_some() && runtime.termination.is_none()
            }
            None => node_of(pod).is_some() || !known.is_empty(),
        }
    }

    fn runtimes_named<'a>(
        &'a self,
        key: &'a ObjectKey,
    ) -> impl Iterator<Item = (&'a (ObjectKey, String), &'a PodRuntime)> + 'a {
        self.runtimes
            .range((key.clone(), String::new())..)
            .take_while(move |((k, _), _)| k == key)
    }

    /// `HandlePodRemoves` for pods deleted or replaced under the same name: their kubelet stops them, unless it
    /// is down and cannot.
    fn clean_up_orphans(&mut self, ctx: &Ctx, key: &ObjectKey, current_uid: Option<&str>) {
        let orphans: Vec<(ObjectKey, String)> = self
            .runtimes_named(key)
            .filter(|((_, uid), runtime)| {
                Some(uid.as_str()) != current_uid && !ctx.faults.is_node_down(&runtime.node)
            })
            .map(|(slot, _)| slot.clone())
            .collect();
        for slot in orphans {
            if let Some(runtime) = self.runtimes.remove(&slot) {
                self.release(runtime);
            }
        }
    }

    fn release(&mut self, runtime: PodRuntime) {
        if let (Some(ip), Some(ipam)) = (runtime.ip, self.ipam.get_mut(&runtime.node)) {
            ipam.release(&ip);
        }
    }

    /// The node's kubelet is back: it posts its status and syncs every pod it knows or that was bound to it
    /// meanwhile. Probes it did not run while down are not run late.
    pub fn resume(&mut self, store: &Store, node: &str, now: SimTime) {
        self.queue.add(ObjectKey::cluster(node));
        let mut keys = BTreeSet::new();
        for ((key, _), runtime) in self.runtimes.iter_mut().filter(|(_, r)| r.node == node) {
            for container in &mut runtime.containers {
                if let Some(worker) = container.readiness.as_mut() {
                    worker.skip_to(now);
                }
            }
            keys.insert(key.clone());
        }
        keys.extend(
            store
                .list::<Pod>()
                .filter(|p| node_of(p).as_deref() == Some(node))
                .map(|p| p.key()),
        );
        for key in keys {
            self.queue.add(key);
        }
    }

    /// A pod newly bound to this node: Pending, its containers waiting while the sandbox is set up.
    fn admit(&mut self, ctx: &mut Ctx, pod: &Pod, node: String) -> PodRuntime {
        let now = ctx.now();
        let host_ip = node_internal_ip(ctx.store, &node);
        let _ = ctx.store.modify::<Pod>(&pod.key(), |p| {
            let status = p.status.get_or_insert_with(PodStatus::default);
            status.host_ip = host_ip.clone();
            status.host_ips = host_ip.clone().map(|ip| vec![HostIP { ip }]);
            status.start_time = Some(now.to_k8s());
            status.qos_class = Some("BestEffort".into());
        });
        let spec = pod.spec.clone().unwrap_or_default();
        PodRuntime {
            uid: pod.metadata.uid.clone().unwrap_or_default(),
            node,
            sandbox_ready_at: now.plus_millis(ctx.draw_ms(ctx.config.timing.sandbox_ms)),
            ip: None,
            init: spec
                .init_containers
                .iter()
                .flatten()
                .map(ContainerRuntime::new)
                .collect(),
            containers: spec.containers.iter().map(ContainerRuntime::new).collect(),
            pull_backoff: BTreeMap::new(),
            termination: None,
        }
    }

    /// `SyncPod`: observe what the runtime did since the last sync, start what should run, probe, report.
    fn sync_pod(&mut self, ctx: &mut Ctx, pod: &Pod, runtime: &mut PodRuntime) {
        let now = ctx.now();
        if now < runtime.sandbox_ready_at {
            write_status(ctx, pod, runtime);
            ctx.requeue_at(ControllerId::Kubelet, pod.key(), runtime.sandbox_ready_at);
            return;
        }
        if runtime.ip.is_none() {
            // A hostNetwork pod shares its node's network namespace, and so its address.
            let host_network = pod
                .spec
                .as_ref()
                .and_then(|s| s.host_network)
                .unwrap_or(false);
            runtime.ip = if host_network {
                node_internal_ip(ctx.store, &runtime.node)
            } else {
                self.ipam_for(ctx.store, &runtime.node).allocate()
            };
        }
        if let Some(at) = ctx.faults.take_crash(&runtime.uid) {
            if let Some(main) = runtime.containers.first_mut() {
                main.exit_if_running(at, 137);
            }
        }
        for container in runtime.init.iter_mut().chain(&mut runtime.containers) {
            container.observe_exit(now);
        }
        let slots: Vec<Slot> = match runtime.init.iter().position(|c| !c.succeeded()) {
            Some(index) => vec![Slot::Init(index)],
            None => (0..runtime.containers.len()).map(Slot::App).collect(),
        };
        let mut failed = false;
        for slot in slots {
            failed |= self.step_container(ctx, pod, runtime, slot);
        }
        run_readiness_probes(ctx, pod, runtime);
        write_status(ctx, pod, runtime);
        let healthy = !ctx.faults.readiness_fails(&runtime.uid);
        let retry =
            failed.then(|| now.plus_millis(ctx.draw_ms(ctx.config.timing.pod_sync_retry_ms)));
        if let Some(at) = runtime
            .next_wake(now, healthy)
            .into_iter()
            .chain(retry)
            .min()
        {
            ctx.requeue_at(ControllerId::Kubelet, pod.key(), at);
        }
    }

    /// Moves one container on as far as this instant allows; true when it could not be started (an image or
    /// crash-loop backoff, a failed pull), which makes the pod worker retry the sync later.
    fn step_container(
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
            Run::Pulling { until, .. } if until <= now => self.finish_pull(ctx, pod, runtime, slot),
            Run::Starting { .. } | Run::Pulling { .. } => false,
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

    /// `startContainer` up to the image: `EnsureImageExists` with the pull policy and the image backoff, then
    /// create and start when the image is there.
    fn start_container(
        &mut self,
        ctx: &mut Ctx,
        pod: &Pod,
        runtime: &mut PodRuntime,
        slot: Slot,
        spec: &Container,
    ) -> bool {
        let now = ctx.now();
        let node = runtime.node.clone();
        let image = spec.image.clone().unwrap_or_default();
        let present = self.images.get(&node).is_some_and(|i| i.contains(&image));
        let policy = spec.image_pull_policy.as_deref().unwrap_or("IfNotPresent");
        if present && policy != "Always" {
            let message = format!("Container image \"{image}\" already present on machine");
            record(ctx, pod, &node, EventType::Normal, "Pulled", message);
            let at = now.plus_millis(ctx.draw_ms(ctx.config.timing.container_start_ms));
            runtime.container_mut(slot).run = Run::Starting { at };
            return false;
        }
        if policy == "Never" {
            let message =
                format!("Container image \"{image}\" is not present with pull policy of Never");
            record(
                ctx,
                pod,
                &node,
                EventType::Warning,
                "ErrImageNeverPull",
                message.clone(),
            );
            return start_failed(ctx, pod, runtime, slot, "ErrImageNeverPull", message);
        }
        let max = ctx.config.timing.backoff_max_ms;
        if runtime
            .pull_backoff
            .get(&image)
            .is_some_and(|b| b.is_in_back_off_since_update(now, max))
        {
            let message = format!("Back-off pulling image \"{image}\"");
            record(
                ctx,
                pod,
                &node,
                EventType::Normal,
                "BackOff",
                message.clone(),
            );
            return start_failed(ctx, pod, runtime, slot, "ImagePullBackOff", message);
        }
        record(
            ctx,
            pod,
            &node,
            EventType::Normal,
            "Pulling",
            format!("Pulling image \"{image}\""),
        );
        let fails = ctx.config.images.get(&image).is_some_and(|b| b.pull_fails);
        let timing = &ctx.config.timing;
        let duration = match (fails, present) {
            (true, _) => timing.image_pull_failure_ms,
            (false, true) => timing.image_repull_ms,
            (false, false) => timing.image_pull_ms,
        };
        let began = self
            .puller_free_at
            .get(&node)
            .copied()
            .unwrap_or(now)
            .max(now);
        let until = began.plus_millis(ctx.draw_ms(duration));
        self.puller_free_at.insert(node, until);
        runtime.container_mut(slot).run = Run::Pulling {
            requested: now,
            began,
            until,
            fails,
        };
        false
    }

    /// The end of a pull: the image is on the node and the container is created, or the pull failed and the
    /// image backs off.
    fn finish_pull(
        &mut self,
        ctx: &mut Ctx,
        pod: &Pod,
        runtime: &mut PodRuntime,
        slot: Slot,
    ) -> bool {
        let now = ctx.now();
        let Run::Pulling {
            requested,
            began,
            until,
            fails,
        } = runtime.container(slot).run
        else {
            return false;
        };
        let node = runtime.node.clone();
        let image = container_spec(pod, slot).image.clone().unwrap_or_default();
        if fails {
            let error = pull_error(&image);
            let message = format!("Failed to pull image \"{image}\": {error}");
            record(ctx, pod, &node, EventType::Warning, "Failed", message);
            let backoff = Backoff::next(runtime.pull_backoff.get(&image).copied(), now, now, ctx);
            runtime.pull_backoff.insert(image, backoff);
            runtime.container_mut(slot).run = Run::Waiting;
            return start_failed(ctx, pod, runtime, slot, "ErrImagePull", error);
        }
        self.images
            .entry(node.clone())
            .or_default()
            .insert(image.clone());
        let message = format!(
            "Successfully pulled image \"{image}\" in {} ({} including waiting). Image size: {} bytes.",
            go_duration(until.0 - began.0),
            go_duration(until.0 - requested.0),
            image_size(&image)
        );
        record(ctx, pod, &node, EventType::Normal, "Pulled", message);
        let at = now.plus_millis(ctx.draw_ms(ctx.config.timing.container_start_ms));
        runtime.container_mut(slot).run = Run::Starting { at };
        false
    }

    /// Graceful termination: SIGTERM, the containers exit (or are killed when the grace period ends), the
    /// terminal phase is written, and the pod object is removed. True once the object is gone.
    fn terminate(&mut self, ctx: &mut Ctx, pod: &Pod, runtime: &mut PodRuntime) -> bool {
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
                let _ = ctx.store.delete::<Pod>(&pod.key(), DeleteOptions::NOW);
                true
            }
            // Woken early (another change to the pod): the stage's own timer is still pending.
            Some(_) => false,
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

impl PodRuntime {
    fn container(&self, slot: Slot) -> &ContainerRuntime {
        match slot {
            Slot::Init(i) => &self.init[i],
            Slot::App(i) => &self.containers[i],
        }
    }

    fn container_mut(&mut self, slot: Slot) -> &mut ContainerRuntime {
        match slot {
            Slot::Init(i) => &mut self.init[i],
            Slot::App(i) => &mut self.containers[i],
        }
    }

    fn initialized(&self) -> bool {
        self.init.iter().all(ContainerRuntime::succeeded)
            || self.containers.iter().any(|c| c.ever_started)
    }

    /// The next instant something is due: a pull ends, a container starts, exits or passes its startup probe,
    /// or a probe whose answer could change runs.
    fn next_wake(&self, now: SimTime, healthy: bool) -> Option<SimTime> {
        self.init
            .iter()
            .chain(&self.containers)
            .flat_map(|c| {
                let run = match c.run {
                    Run::Pulling { until, .. } => vec![until],
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

impl ContainerRuntime {
    fn new(spec: &Container) -> ContainerRuntime {
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

    fn succeeded(&self) -> bool {
        self.run == Run::Waiting && self.exited.as_ref().is_some_and(|e| e.exit_code == 0)
    }

    fn is_running(&self) -> bool {
        matches!(self.run, Run::Running { .. })
    }

    /// PLEG: a container whose process ended is seen exited, with the time it ended.
    fn observe_exit(&mut self, now: SimTime) {
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

    fn exit_if_running(&mut self, at: SimTime, exit_code: i32) {
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
    fn stop(&mut self, now: SimTime, exit_code: i32) {
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

    fn started(&self, now: SimTime) -> bool {
        matches!(self.run, Run::Running { started_from, .. } if started_from <= now)
    }

    fn is_ready(&self, now: SimTime, readiness_fails: bool) -> bool {
        self.started(now)
            && match &self.readiness {
                Some(worker) => worker.ready,
                None => !readiness_fails,
            }
    }

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
fn start_failed(
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
fn kill_pod(ctx: &mut Ctx, pod: &Pod, runtime: &mut PodRuntime) {
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

/// The readiness probes due now, with an `Unhealthy` event for each that fails.
fn run_readiness_probes(ctx: &mut Ctx, pod: &Pod, runtime: &mut PodRuntime) {
    let now = ctx.now();
    let healthy = !ctx.faults.readiness_fails(&runtime.uid);
    let ip = runtime.ip.clone().unwrap_or_default();
    let node = runtime.node.clone();
    for (index, container) in runtime.containers.iter_mut().enumerate() {
        let Some(worker) = container.readiness.as_mut() else {
            continue;
        };
        let failures = worker.probe_until(now, healthy);
        let spec = container_spec(pod, Slot::App(index));
        let probe = spec.readiness_probe.clone().unwrap_or_default();
        for _ in 0..failures {
            let message = format!("Readiness probe failed: {}", probe_failure(&probe, &ip));
            record(ctx, pod, &node, EventType::Warning, "Unhealthy", message);
        }
    }
}

/// What a failing probe of each kind reports.
fn probe_failure(probe: &Probe, ip: &str) -> String {
    if let Some(socket) = &probe.tcp_socket {
        let port = int_or_string(&socket.port);
        return format!("dial tcp {ip}:{port}: connect: connection refused");
    }
    if probe.grpc.is_some() {
        return "service unhealthy (responded with \"NOT_SERVING\")".into();
    }
    if probe.exec.is_some() {
        return "command terminated with non-zero exit code: exit status 1".into();
    }
    "HTTP probe failed with statuscode: 503".into()
}

fn int_or_string(value: &k8s_openapi::apimachinery::pkg::util::intstr::IntOrString) -> String {
    match value {
        k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(n) => n.to_string(),
        k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s) => s.clone(),
    }
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

/// `generateAPIPodStatus`: phase, conditions and container statuses from what the runtime holds now.
fn write_status(ctx: &mut Ctx, pod: &Pod, runtime: &PodRuntime) {
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
    let _ = ctx.store.modify::<Pod>(&pod.key(), |p| {
        let status = p.status.get_or_insert_with(PodStatus::default);
        status.phase = Some(phase.into());
        status.pod_ip = ip.clone();
        status.pod_ips = ip.clone().map(|ip| vec![PodIP { ip }]);
        status.init_container_statuses = (!init_statuses.is_empty()).then_some(init_statuses);
        status.container_statuses = Some(statuses);
        for condition in conditions {
            set_condition(p, condition);
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
fn sync_node_status(ctx: &mut Ctx, node: &str) {
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

fn record(
    ctx: &mut Ctx,
    pod: &Pod,
    node: &str,
    event_type: EventType,
    reason: &str,
    message: String,
) {
    events::record(
        ctx.store,
        pod,
        event_type,
        reason,
        message,
        component::KUBELET,
        Some(node),
    );
}

fn node_of(pod: &Pod) -> Option<String> {
    pod.spec
        .as_ref()
        .and_then(|s| s.node_name.clone())
        .filter(|n| !n.is_empty())
}

fn container_spec(pod: &Pod, slot: Slot) -> &Container {
    let spec = pod
        .spec
        .as_ref()
        .expect("a pod the kubelet runs has a spec");
    match slot {
        Slot::Init(i) => &spec
            .init_containers
            .as_ref()
            .expect("an init slot has init containers")[i],
        Slot::App(i) => &spec.containers[i],
    }
}

/// `format.Pod`: `name_namespace(uid)`.
fn format_pod(pod: &Pod) -> String {
    let meta = &pod.metadata;
    format!(
        "{}_{}({})",
        meta.name.as_deref().unwrap_or_default(),
        meta.namespace.as_deref().unwrap_or("default"),
        meta.uid.as_deref().unwrap_or_default()
    )
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

/// What containerd says when the registry has no such image, with the name fully qualified as it resolves it.
fn pull_error(image: &str) -> String {
    let reference = fully_qualified(image);
    format!(
        "rpc error: code = NotFound desc = failed to pull and unpack image \"{reference}\": failed to resolve reference \"{reference}\": {reference}: not found"
    )
}

/// Docker's normalisation: `nginx` is `docker.io/library/nginx:latest`.
fn fully_qualified(image: &str) -> String {
    let (domain, rest) = match image.split_once('/') {
        Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => {
            (first.to_string(), rest.to_string())
        }
        Some(_) => ("docker.io".to_string(), image.to_string()),
        None => ("docker.io".to_string(), format!("library/{image}")),
    };
    let last = rest.rsplit('/').next().unwrap_or(&rest);
    let tagged = last.contains(':') || rest.contains('@');
    format!("{domain}/{rest}{}", if tagged { "" } else { ":latest" })
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

    #[test]
    fn images_resolve_like_docker_references() {
        assert_eq!(fully_qualified("nginx"), "docker.io/library/nginx:latest");
        assert_eq!(fully_qualified("nginx:1.9"), "docker.io/library/nginx:1.9");
        assert_eq!(
            fully_qualified("bitnami/redis"),
            "docker.io/bitnami/redis:latest"
        );
        assert_eq!(
            fully_qualified("registry:5000/app:v2"),
            "registry:5000/app:v2"
        );
    }

    #[test]
    fn a_probe_goes_unready_after_failure_threshold_failures_and_back_after_success_threshold() {
        let probe = Probe {
            initial_delay_seconds: Some(5),
            period_seconds: Some(10),
            success_threshold: Some(2),
            failure_threshold: Some(3),
            ..Probe::default()
        };
        let start = SimTime::from_secs(100);
        let mut worker = ProbeWorker::new(&probe, start, start);
        assert_eq!(worker.next, SimTime::from_secs(105));
        assert_eq!(worker.probe_until(SimTime::from_secs(105), true), 0);
        assert!(!worker.ready, "one success of two");
        worker.probe_until(SimTime::from_secs(115), true);
        assert!(worker.ready);
        assert_eq!(worker.wake_at(true), None, "steady health needs no probing");
        // Unhealthy from 150 on: the probes at 125-145 ran healthy, unseen; those at 155 and 165 fail.
        assert_eq!(worker.probe_until(SimTime::from_secs(150), false), 0);
        assert_eq!(worker.probe_until(SimTime::from_secs(165), false), 2);
        assert!(worker.ready, "two failures of three");
        assert_eq!(worker.probe_until(SimTime::from_secs(175), false), 1);
        assert!(!worker.ready);
    }

    #[test]
    fn backoff_doubles_to_the_cap_and_is_forgotten_after_twice_the_cap() {
        let mut backoff = Backoff {
            duration_ms: 10_000,
            last_update: SimTime::ZERO,
        };
        let max = 300_000;
        assert!(backoff.is_in_back_off_since_update(SimTime::from_secs(9), max));
        assert!(!backoff.is_in_back_off_since_update(SimTime::from_secs(10), max));
        backoff.duration_ms = 300_000;
        assert!(!backoff.is_in_back_off_since(
            SimTime::from_secs(601),
            SimTime::from_secs(602),
            max
        ));
    }
}
