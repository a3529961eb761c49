//! The kubelets of every node, after `pkg/kubelet/kubelet.go`, shaped like upstream's pod workers: each sync of
//! a pod (`SyncPod`) looks at what the runtime holds at this instant, starts what should run (init containers
//! one at a time, each to completion, then the app containers), and writes the API status as
//! `generateAPIPodStatus` would. A sync that could not start something is retried by the pod worker after
//! `Timing::pod_sync_retry_ms`. A kubelet whose node is down does nothing at all.
//!
//! The parts follow upstream's: `pod_workers` (each pod's runtime and its termination), `runtime` (the
//! containers' states, start, kill and the restart policy, as in `kuberuntime`), `images` (pulls and their
//! backoff), `prober` (readiness probe workers), `status` (the pod and node status the kubelet writes), and
//! `ipam` (pod IPs, as the host-local IPAM plugin hands them out).

mod images;
mod ipam;
mod pod_workers;
mod prober;
mod runtime;
mod status;

use k8s_openapi::api::core::v1::{Container, HostIP, Node, Pod, PodStatus};
use std::collections::{BTreeMap, BTreeSet};

use crate::api::delete_options::DeleteOptions;
use crate::controller::{Controller, ControllerId, Ctx, WorkQueue};
use crate::events::{self, component, EventType};
use crate::object::{ApiObject, Object, ObjectKey};
use crate::store::{Store, WatchEvent, WatchEventType};
use crate::time::SimTime;
use ipam::HostLocalIpam;
use pod_workers::PodRuntime;
use prober::run_readiness_probes;
use runtime::ContainerRuntime;
use status::{sync_node_status, write_status};

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
                    // The status manager's final delete: NotFound means the pod is already gone (status_manager.go).
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
        // The status manager skips a pod that no longer exists on the server (`IsNotFound` in syncPod).
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
        if let Some(exit) = ctx.faults.take_crash(&runtime.uid) {
            let ended = match &exit.container {
                Some(name) => runtime.containers.iter_mut().find(|c| &c.name == name),
                None => runtime.containers.first_mut(),
            };
            if let Some(container) = ended {
                container.exit_if_running(exit.at, exit.exit_code);
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
