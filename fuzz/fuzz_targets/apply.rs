//! Parse → validate → apply → simulate, then kubectl: the input is a manifest, optionally followed by a line
//! `%%` and kubectl command lines run against the cluster it made. Any panic, and any run past libFuzzer's
//! timeout, is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ordinal_sim::kubectl::Apply;
use ordinal_sim::{kubectl, Cluster, ClusterConfig, SimTime};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (manifest, commands) = text.split_once("\n%%\n").unwrap_or((&text, ""));
    let mut cluster = Cluster::new(ClusterConfig::default());
    if cluster.apply(manifest).is_err() {
        return;
    }
    cluster.run_until(SimTime::from_secs(30));
    for line in commands.lines().take(16) {
        kubectl::run(&mut cluster, line, manifest);
        let later = cluster.now().plus_secs(10);
        cluster.run_until(later);
    }
    kubectl::query(&cluster, "kubectl get all -A");
});
