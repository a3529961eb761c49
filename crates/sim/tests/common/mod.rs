//! What several test files share (a module of each, not a test binary of its own).

use ordinal_sim::kubectl::Apply;
use ordinal_sim::{Cluster, ClusterConfig, Scenario, SimTime};

/// The course notes' nginx example: a headless Service and a three-replica StatefulSet with a claim template.
pub const WEB: &str = include_str!("../../../../examples/web.yaml");

/// The `web` example a minute in: all three pods Running and Ready.
pub fn web_running() -> Cluster {
    let mut cluster = Cluster::new(ClusterConfig::default());
    cluster
        .apply(&Scenario::parse(WEB).unwrap().manifests)
        .unwrap();
    cluster.run_until(SimTime::from_secs(60));
    cluster
}
