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
    /// The container exits with this code `exit_after` after it starts.
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
    /// The local-path provisioner creating a volume.
    pub provision_ms: (u64, u64),
    /// A container that honours SIGTERM stops this long after it.
    pub stop_ms: (u64, u64),
    /// From the containers' exit to the kubelet removing the pod object.
    pub cleanup_ms: u64,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            sandbox_ms: (800, 1500),
            image_pull_ms: (2000, 4000),
            provision_ms: (1000, 2000),
            stop_ms: (300, 1200),
            cleanup_ms: 200,
        }
    }
}
