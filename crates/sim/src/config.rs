//! What a cluster is made of before anything is applied: nodes, the default StorageClass, the simulated image
//! registry, feature gates and the timing model.

use std::collections::BTreeMap;

use crate::time::SimTime;

#[derive(Clone, Debug, PartialEq)]
pub struct ClusterConfig {
    pub seed: u64,
    pub nodes: Vec<NodeConfig>,
    /// A `standard` StorageClass (WaitForFirstConsumer, reclaimPolicy Delete), marked default, like kind's.
    pub default_storage_class: bool,
    pub images: BTreeMap<String, ImageBehaviour>,
    pub feature_gates: FeatureGates,
    pub timing: Timing,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            seed: 0,
            nodes: NodeConfig::kind_workers(3),
            default_storage_class: true,
            images: BTreeMap::new(),
            feature_gates: FeatureGates::default(),
            timing: Timing::default(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodeConfig {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub cpu: String,
    pub memory: String,
}

impl NodeConfig {
    pub fn named(name: impl Into<String>) -> Self {
        NodeConfig {
            name: name.into(),
            labels: BTreeMap::new(),
            cpu: "4".into(),
            memory: "8Gi".into(),
        }
    }

    /// kind names its workers `kind-worker`, `kind-worker2`, ...
    pub fn kind_workers(count: usize) -> Vec<NodeConfig> {
        (1..=count)
            .map(|i| {
                NodeConfig::named(if i == 1 {
                    "kind-worker".to_string()
                } else {
                    format!("kind-worker{i}")
                })
            })
            .collect()
    }
}

/// How the simulated registry and runtime treat an image.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImageBehaviour {
    /// The pull fails: `ErrImagePull`, then `ImagePullBackOff`.
    pub pull_fails: bool,
    /// The container exits with this code this long after it starts. An init container without it exits 0
    /// after `Timing::init_container_ms`; an app container without it runs until stopped.
    pub exit: Option<(i32, SimTime)>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FeatureGates {
    /// Alpha and off by default through 1.34.
    pub max_unavailable_stateful_set: bool,
}

/// How long the simulated machinery takes. Each range is drawn from the cluster's one RNG.
#[derive(Clone, Debug, PartialEq)]
pub struct Timing {
    /// From binding to a node until the sandbox has an IP and volumes are mounted.
    pub sandbox_ms: (u64, u64),
    /// An image pull on a node that does not have the image yet.
    pub image_pull_ms: (u64, u64),
    /// A pull the registry refuses (`pull: fail`): the time to get the error back.
    pub image_pull_failure_ms: (u64, u64),
    /// A pull of an image the node already has (pull policy Always): only the manifest is fetched.
    pub image_repull_ms: (u64, u64),
    /// From the kubelet deciding to start a container until the runtime reports it running: create, start,
    /// and the PLEG relist that notices.
    pub container_start_ms: (u64, u64),
    /// How long an init container runs when its image gives no exit of its own; it then exits 0.
    pub init_container_ms: (u64, u64),
    /// The pod worker's retry after a sync that failed (`backOffPeriod` 10 s, jitter factor 0.5): when an
    /// image or crash-loop backoff is looked at again.
    pub pod_sync_retry_ms: (u64, u64),
    /// The first image-pull and crash-loop backoff, doubled at each further failure (kubelet `backOffPeriod`).
    pub backoff_initial_ms: u64,
    /// The cap of those backoffs (`MaxContainerBackOff`); a backoff is forgotten after twice this long.
    pub backoff_max_ms: u64,
    /// The local-path provisioner creating a volume.
    pub provision_ms: (u64, u64),
    /// A container that honours SIGTERM stops this long after it.
    pub stop_ms: (u64, u64),
    /// From the containers' exit to the kubelet removing the pod object.
    pub cleanup_ms: u64,
    /// `--node-monitor-period`: how often the node lifecycle controller looks at node heartbeats.
    pub node_monitor_period_ms: u64,
    /// `--node-monitor-grace-period`: how long a node may go without a heartbeat before it is `Unknown`
    /// (50 s since 1.32).
    pub node_monitor_grace_ms: u64,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            sandbox_ms: (800, 1500),
            image_pull_ms: (2000, 4000),
            image_pull_failure_ms: (500, 1500),
            image_repull_ms: (300, 900),
            container_start_ms: (200, 800),
            init_container_ms: (1000, 3000),
            pod_sync_retry_ms: (10_000, 15_000),
            backoff_initial_ms: 10_000,
            backoff_max_ms: 300_000,
            provision_ms: (1000, 2000),
            stop_ms: (300, 1200),
            cleanup_ms: 200,
            node_monitor_period_ms: 5_000,
            node_monitor_grace_ms: 50_000,
        }
    }
}
