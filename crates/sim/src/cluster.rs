//! The discrete-event engine: a simulated clock, the controllers' timers, and the dispatch of every watch
//! event to every controller's informer handlers. Nothing here reads a wall clock or an outside RNG.

use k8s_openapi::api::core::v1::{
    Namespace, Node, NodeAddress, NodeCondition, NodeSpec, NodeStatus, NodeSystemInfo, Pod,
    Service, ServicePort, ServiceSpec,
};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

use crate::api::well_known::IS_DEFAULT_CLASS_ANNOTATION;
use crate::api::well_known::LOCAL_PATH_PROVISIONER;
use crate::config::ClusterConfig;
use crate::controller::endpointslice::EndpointSliceController;
use crate::controller::garbagecollector::GarbageCollector;
use crate::controller::kubelet::Kubelet;
use crate::controller::nodelifecycle::NodeLifecycleController;
use crate::controller::persistentvolume::PersistentVolumeController;
use crate::controller::scheduler::Scheduler;
use crate::controller::statefulset::{StatefulSetController, Wait};
use crate::controller::tainteviction::TaintEvictionController;
use crate::controller::{Controller, ControllerId, Ctx, Timers};
use crate::fault::{Fault, FaultError, Faults, ProcessExit};
use crate::object::ObjectKey;
use crate::rng::Rng;
use crate::shell::Session;
use crate::store::{Store, WatchEvent};
use crate::time::SimTime;
use crate::vfs::Vfs;

/// Syncs allowed at one simulated instant before the engine moves on: a guard against a controller bug that
/// would otherwise hang the page. Far above what 5,000 pods created at once need.
const MAX_SYNCS_PER_INSTANT: usize = 2_000_000;

pub const KUBERNETES_VERSION: &str = "v1.34.0";
const APISERVER_SERVICE_IP: &str = "10.96.0.1";

#[derive(Clone, Debug)]
pub struct Cluster {
    store: Store,
    rng: Rng,
    timers: Timers,
    config: ClusterConfig,
    faults: Faults,
    controllers: Controllers,
    journal: Vec<WatchEvent>,
    journaling: bool,
    /// The files containers and volumes hold, for `kubectl exec`.
    vfs: Vfs,
    /// The shells of the terminals people type into, by terminal: the world outside the API, like `vfs`.
    shells: BTreeMap<String, Session>,
    /// The watches clients hold open (`kubectl get -w`): the apiserver's side of each connection, the kind it
    /// watches and the events not yet sent. Numbered in the order they were opened.
    watches: BTreeMap<u64, (&'static str, Vec<WatchEvent>)>,
    next_watch: u64,
}

impl Cluster {
    pub fn new(config: ClusterConfig) -> Self {
        let mut cluster = Cluster {
            store: Store::new(config.seed),
            rng: Rng::new(config.seed),
            timers: Timers::default(),
            config,
            faults: Faults::default(),
            controllers: Controllers::default(),
            journal: Vec::new(),
            journaling: true,
            vfs: Vfs::default(),
            shells: BTreeMap::new(),
            watches: BTreeMap::new(),
            next_watch: 0,
        };
        cluster
            .store
            .set_feature_gates(cluster.config.feature_gates);
        cluster.bootstrap();
        cluster.settle();
        cluster
    }

    /// The objects a new kind cluster has: namespaces, ready nodes, and the default StorageClass.
    fn bootstrap(&mut self) {
        for name in ["default", "kube-node-lease", "kube-public", "kube-system"] {
            let namespace = Namespace {
                metadata: ObjectMeta {
                    name: Some(name.into()),
                    labels: Some(BTreeMap::from([(
                        "kubernetes.io/metadata.name".into(),
                        name.into(),
                    )])),
                    ..ObjectMeta::default()
                },
                spec: Some(k8s_openapi::api::core::v1::NamespaceSpec {
                    finalizers: Some(vec!["kubernetes".into()]),
                }),
                status: Some(k8s_openapi::api::core::v1::NamespaceStatus {
                    phase: Some("Active".into()),
                    ..Default::default()
                }),
            };
            self.store
                .create(namespace)
                .expect("bootstrap namespaces are unique");
        }
        for (index, node) in self.config.nodes.clone().into_iter().enumerate() {
            self.store
                .create(new_node(&node, index))
                .expect("validated node names are unique");
        }
        for service in bootstrap_services() {
            self.store
                .create(service)
                .expect("bootstrap services are unique");
        }
        if self.config.default_storage_class {
            let class = StorageClass {
                metadata: ObjectMeta {
                    name: Some("standard".into()),
                    annotations: Some(BTreeMap::from([(
                        IS_DEFAULT_CLASS_ANNOTATION.into(),
                        "true".into(),
                    )])),
                    ..ObjectMeta::default()
                },
                provisioner: LOCAL_PATH_PROVISIONER.into(),
                reclaim_policy: Some("Delete".into()),
                volume_binding_mode: Some("WaitForFirstConsumer".into()),
                ..StorageClass::default()
            };
            self.store
                .create(class)
                .expect("bootstrap storage class is unique");
        }
    }

    pub fn now(&self) -> SimTime {
        self.store.now()
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn config(&self) -> &ClusterConfig {
        &self.config
    }

    pub fn vfs(&self) -> &Vfs {
        &self.vfs
    }

    pub fn vfs_mut(&mut self) -> &mut Vfs {
        &mut self.vfs
    }

    /// The shells of the terminals, by name (`""` for the main one).
    pub fn shells(&self) -> &BTreeMap<String, Session> {
        &self.shells
    }

    pub fn shell_mut(&mut self, terminal: &str) -> &mut Session {
        self.shells.entry(terminal.to_string()).or_default()
    }

    /// Whether watch events are kept for `take_journal`. Benchmarks that never read them turn this off.
    pub fn set_journaling(&mut self, on: bool) {
        self.journaling = on;
    }

    /// The watch events since the last call, oldest first.
    pub fn take_journal(&mut self) -> Vec<WatchEvent> {
        std::mem::take(&mut self.journal)
    }

    /// Why the StatefulSet controller's last sync of `set` stopped short, if it did.
    pub fn wait_of(&self, set: &ObjectKey) -> Option<&Wait> {
        self.controllers.statefulset.wait_of(set)
    }

    /// Runs a write against the store as a client would, then lets the controllers react.
    pub fn with_store<R>(&mut self, write: impl FnOnce(&mut Store) -> R) -> R {
        let result = write(&mut self.store);
        self.settle();
        result
    }

    /// Injects a fault at the current instant; the components react before this returns. An unknown pod or node
    /// is an error, as is crashing a pod whose first container is not running.
    pub fn inject(&mut self, fault: Fault) -> Result<(), FaultError> {
        let now = self.now();
        match &fault {
            Fault::NotReady { pod } | Fault::Ready { pod } => {
                let uid = self.pod_uid(pod)?;
                let failing = matches!(fault, Fault::NotReady { .. });
                self.faults.fail_readiness(&uid, failing);
                self.controllers.kubelet.queue().add(pod.clone());
            }
            Fault::Crash { pod } => {
                let uid = self.pod_uid(pod)?;
                self.check_running(pod)?;
                let killed = ProcessExit {
                    at: now,
                    container: None,
                    exit_code: 137,
                };
                self.faults.crash(&uid, killed);
                self.controllers.kubelet.queue().add(pod.clone());
            }
            Fault::NodeDown { node } => {
                self.check_node(node)?;
                self.faults.stop_node(node, now);
                self.controllers
                    .node_lifecycle
                    .queue()
                    .add(ObjectKey::cluster(node));
            }
            Fault::NodeUp { node } => {
                self.check_node(node)?;
                self.faults.start_node(node);
                self.controllers.kubelet.resume(&self.store, node, now);
                self.controllers
                    .node_lifecycle
                    .queue()
                    .add(ObjectKey::cluster(node));
            }
        }
        self.settle();
        Ok(())
    }

    /// The main process of the pod's `container` exits with `exit_code` now (a process a client attached to
    /// ended); its restart policy decides what follows, as for any exit.
    pub fn exit_container(&mut self, pod: &ObjectKey, container: &str, exit_code: i32) {
        let Ok(uid) = self.pod_uid(pod) else {
            return;
        };
        let exit = ProcessExit {
            at: self.now(),
            container: Some(container.to_string()),
            exit_code,
        };
        self.faults.crash(&uid, exit);
        self.controllers.kubelet.queue().add(pod.clone());
        self.settle();
    }

    fn pod_uid(&self, key: &ObjectKey) -> Result<String, FaultError> {
        self.store
            .get::<Pod>(key)
            .and_then(|p| p.metadata.uid.clone())
            .ok_or_else(|| FaultError::PodNotFound(key.name.clone()))
    }

    fn check_running(&self, key: &ObjectKey) -> Result<(), FaultError> {
        let pod = self.store.get::<Pod>(key);
        let main = pod
            .and_then(|p| p.status.as_ref())
            .and_then(|s| s.container_statuses.as_ref())
            .and_then(|c| c.first());
        match main {
            Some(c) if c.state.as_ref().is_some_and(|s| s.running.is_some()) => Ok(()),
            Some(c) => Err(FaultError::ContainerNotRunning {
                container: c.name.clone(),
                pod: key.name.clone(),
            }),
            None => Err(FaultError::NoRunningContainer(key.name.clone())),
        }
    }

    fn check_node(&self, node: &str) -> Result<(), FaultError> {
        match self.store.get::<Node>(&ObjectKey::cluster(node)) {
            Some(_) => Ok(()),
            None => Err(FaultError::NodeNotFound(node.into())),
        }
    }

    /// When the next timer fires, if any is pending.
    pub fn next_event_at(&self) -> Option<SimTime> {
        self.timers.next_at()
    }

    /// Advances to the next instant at which something happens, runs it, and returns that instant.
    pub fn step(&mut self) -> Option<SimTime> {
        let at = self.timers.next_at()?;
        self.fire_timers(at);
        self.settle();
        Some(at)
    }

    /// Runs everything due up to and including `until`, then sets the clock to `until`.
    pub fn run_until(&mut self, until: SimTime) {
        self.settle();
        while let Some(at) = self.timers.next_at().filter(|at| *at <= until) {
            self.fire_timers(at);
            self.settle();
        }
        if until > self.store.now() {
            self.store.set_now(until);
        }
    }

    fn fire_timers(&mut self, at: SimTime) {
        if at > self.store.now() {
            self.store.set_now(at);
        }
        for (controller, key) in self.timers.pop_due(at) {
            self.controllers.get(controller).queue().add(key);
        }
    }

    /// Delivers pending watch events and runs controller syncs until nothing is left to do at this instant.
    fn settle(&mut self) {
        for _ in 0..MAX_SYNCS_PER_INSTANT {
            self.dispatch_watch_events();
            let Some((id, key)) = self.next_work() else {
                return;
            };
            let Cluster {
                store,
                rng,
                timers,
                config,
                faults,
                controllers,
                ..
            } = self;
            let mut ctx = Ctx {
                store,
                rng,
                timers,
                config,
                faults,
            };
            controllers.get(id).sync(&key, &mut ctx);
        }
    }

    fn dispatch_watch_events(&mut self) {
        let events = self.store.take_pending();
        for event in &events {
            self.vfs.observe(event);
            for id in ControllerId::ALL {
                self.controllers.get(id).observe(event, &self.store);
            }
        }
        for (kind, pending) in self.watches.values_mut() {
            pending.extend(events.iter().filter(|e| e.object.kind() == *kind).cloned());
        }
        if self.journaling {
            self.journal.extend(events);
        }
    }

    /// Opens a watch on every object of `kind` (`"Pod"`): the changes from now on, for `take_watched`.
    pub fn open_watch(&mut self, kind: &'static str) -> u64 {
        self.next_watch += 1;
        self.watches.insert(self.next_watch, (kind, Vec::new()));
        self.next_watch
    }

    /// The changes a watch has seen since the last call, oldest first.
    pub fn take_watched(&mut self, watch: u64) -> Vec<WatchEvent> {
        self.watches
            .get_mut(&watch)
            .map(|(_, pending)| std::mem::take(pending))
            .unwrap_or_default()
    }

    pub fn close_watch(&mut self, watch: u64) {
        self.watches.remove(&watch);
    }

    /// The next key to sync, from the first controller (in `ControllerId::ALL` order) that has one.
    fn next_work(&mut self) -> Option<(ControllerId, ObjectKey)> {
        ControllerId::ALL
            .into_iter()
            .find_map(|id| self.controllers.get(id).queue().pop().map(|key| (id, key)))
    }
}

/// Every controller, one field each, addressed by `ControllerId`.
#[derive(Clone, Debug, Default)]
struct Controllers {
    statefulset: StatefulSetController,
    persistent_volume: PersistentVolumeController,
    scheduler: Scheduler,
    node_lifecycle: NodeLifecycleController,
    taint_eviction: TaintEvictionController,
    kubelet: Kubelet,
    endpoint_slice: EndpointSliceController,
    garbage_collector: GarbageCollector,
}

impl Controllers {
    fn get(&mut self, id: ControllerId) -> &mut dyn Controller {
        match id {
            ControllerId::StatefulSet => &mut self.statefulset,
            ControllerId::PersistentVolume => &mut self.persistent_volume,
            ControllerId::Scheduler => &mut self.scheduler,
            ControllerId::NodeLifecycle => &mut self.node_lifecycle,
            ControllerId::TaintEviction => &mut self.taint_eviction,
            ControllerId::Kubelet => &mut self.kubelet,
            ControllerId::EndpointSlice => &mut self.endpoint_slice,
            ControllerId::GarbageCollector => &mut self.garbage_collector,
        }
    }
}

/// The two Services every cluster has: the apiserver's `kubernetes` and the cluster DNS `kube-dns`, whose
/// address pods find in their resolv.conf.
fn bootstrap_services() -> [Service; 2] {
    let port = |name: &str, protocol: &str, port: i32, target: i32| ServicePort {
        name: Some(name.into()),
        protocol: Some(protocol.into()),
        port,
        target_port: Some(IntOrString::Int(target)),
        ..ServicePort::default()
    };
    let service =
        |namespace: &str, name: &str, labels: &[(&str, &str)], spec: ServiceSpec| Service {
            metadata: ObjectMeta {
                name: Some(name.into()),
                namespace: Some(namespace.into()),
                labels: Some(
                    labels
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                ),
                ..ObjectMeta::default()
            },
            spec: Some(spec),
            status: None,
        };
    [
        service(
            "default",
            "kubernetes",
            &[("component", "apiserver"), ("provider", "kubernetes")],
            ServiceSpec {
                cluster_ip: Some(APISERVER_SERVICE_IP.into()),
                ports: Some(vec![port("https", "TCP", 443, 6443)]),
                ..ServiceSpec::default()
            },
        ),
        service(
            "kube-system",
            "kube-dns",
            &[
                ("k8s-app", "kube-dns"),
                ("kubernetes.io/cluster-service", "true"),
                ("kubernetes.io/name", "CoreDNS"),
            ],
            ServiceSpec {
                cluster_ip: Some(crate::dns::DNS_SERVICE_IP.into()),
                ports: Some(vec![
                    port("dns", "UDP", 53, 53),
                    port("dns-tcp", "TCP", 53, 53),
                    port("metrics", "TCP", 9153, 9153),
                ]),
                selector: Some(BTreeMap::from([("k8s-app".into(), "kube-dns".into())])),
                ..ServiceSpec::default()
            },
        ),
    ]
}

fn new_node(config: &crate::config::NodeConfig, index: usize) -> Node {
    let mut labels = BTreeMap::from([
        ("beta.kubernetes.io/arch".to_string(), "amd64".to_string()),
        ("beta.kubernetes.io/os".into(), "linux".into()),
        ("kubernetes.io/arch".into(), "amd64".into()),
        ("kubernetes.io/hostname".into(), config.name.clone()),
        ("kubernetes.io/os".into(), "linux".into()),
    ]);
    labels.extend(config.labels.clone());
    let resources = BTreeMap::from([
        ("cpu".to_string(), Quantity(config.cpu.clone())),
        ("memory".into(), Quantity(config.memory.clone())),
        ("pods".into(), Quantity("110".into())),
        ("ephemeral-storage".into(), Quantity("100Gi".into())),
    ]);
    let pod_cidr = format!("10.244.{}.0/24", index + 1);
    Node {
        metadata: ObjectMeta {
            name: Some(config.name.clone()),
            labels: Some(labels),
            ..ObjectMeta::default()
        },
        spec: Some(NodeSpec {
            pod_cidr: Some(pod_cidr.clone()),
            pod_cidrs: Some(vec![pod_cidr]),
            provider_id: Some(format!("kind://docker/kind/{}", config.name)),
            ..NodeSpec::default()
        }),
        status: Some(NodeStatus {
            addresses: Some(vec![
                NodeAddress {
                    type_: "InternalIP".into(),
                    address: format!("172.18.0.{}", index + 2),
                },
                NodeAddress {
                    type_: "Hostname".into(),
                    address: config.name.clone(),
                },
            ]),
            allocatable: Some(resources.clone()),
            capacity: Some(resources),
            conditions: Some(vec![NodeCondition {
                type_: "Ready".into(),
                status: "True".into(),
                reason: Some("KubeletReady".into()),
                message: Some("kubelet is posting ready status".into()),
                last_heartbeat_time: Some(SimTime::ZERO.to_k8s()),
                last_transition_time: Some(SimTime::ZERO.to_k8s()),
            }]),
            node_info: Some(NodeSystemInfo {
                architecture: "amd64".into(),
                container_runtime_version: "containerd://2.1.1".into(),
                kernel_version: "6.8.0".into(),
                kube_proxy_version: String::new(),
                kubelet_version: KUBERNETES_VERSION.into(),
                operating_system: "linux".into(),
                os_image: "Debian GNU/Linux 12 (bookworm)".into(),
                ..NodeSystemInfo::default()
            }),
            ..NodeStatus::default()
        }),
    }
}
