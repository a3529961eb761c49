//! How fast the core simulates big StatefulSets: `cargo run --release -p ordinal-sim --example bench`.
//!
//! A: 1,000 OrderedReady replicas scaled up from 0 until all are Ready, rolled to a new image until the update
//! completes, and scaled to 0 until every pod is gone. B: a Parallel set scaled from 0 to 5,000 on 50 nodes
//! (110 pods fit on a node). C: a day of faults on 50 replicas (`ordinal_sim::workloads::day_of_faults`) run
//! through the timeline the page keeps, snapshots and all. Each phase prints its wall time, the simulated time it
//! covered and the pods in the store, and each scenario the process's peak RSS so far. `-- a`, `-- b` or `-- c`
//! runs one scenario alone (so that its peak RSS is its own). With `ORDINAL_BENCH_OUT=file`, each figure is
//! also appended to that file as a JSON line, for scripts/bench.sh's table, and C writes its scenario beside it
//! for the page's benchmark. A benchmark, not a test: the numbers are for reading.

use std::io::Write;
use std::time::Instant;

use k8s_openapi::api::apps::v1::StatefulSet;
use ordinal_sim::config::NodeConfig;
use ordinal_sim::kubectl::Apply;
use ordinal_sim::timeline::Timeline;
use ordinal_sim::workloads::{day_of_faults, DAY_SECS};
use ordinal_sim::{kubectl, Cluster, ClusterConfig, ObjectKey, SimTime};

/// Appends one figure to `$ORDINAL_BENCH_OUT`, when set, as `{"name", "unit", "value"}`.
fn record(name: &str, unit: &str, value: f64) {
    let Ok(path) = std::env::var("ORDINAL_BENCH_OUT") else {
        return;
    };
    let line = serde_json::json!({ "name": name, "unit": unit, "value": value });
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .expect("ORDINAL_BENCH_OUT names a file that can be written");
    writeln!(file, "{line}").expect("the results file takes a line");
}

/// A headless Service and a StatefulSet `big` of 0 replicas (tests/bench/big.yaml, shared with the page's
/// benchmark).
fn manifest(policy: &str) -> String {
    include_str!("../../../tests/bench/big.yaml")
        .replace("REPLICAS", "0")
        .replace("POLICY", policy)
}

fn cluster(nodes: usize, policy: &str) -> Cluster {
    let mut cluster = Cluster::new(ClusterConfig {
        nodes: NodeConfig::kind_workers(nodes),
        ..ClusterConfig::default()
    });
    cluster.set_journaling(false);
    cluster
        .apply(&manifest(policy))
        .expect("the manifest parses");
    cluster
}

fn kubectl(cluster: &mut Cluster, line: &str) {
    let output = kubectl::run(cluster, line, "");
    assert_eq!(output.exit_code, 0, "{line}: {}", output.stderr);
}

fn set_status(cluster: &Cluster) -> k8s_openapi::api::apps::v1::StatefulSetStatus {
    cluster
        .store()
        .get::<StatefulSet>(&ObjectKey::new("default", "big"))
        .and_then(|set| set.status.clone())
        .unwrap_or_default()
}

/// Every replica Ready at the update revision, and the set's status says the rollout is complete.
fn converged(cluster: &Cluster, replicas: i32) -> bool {
    let status = set_status(cluster);
    status.replicas == replicas
        && status.ready_replicas.unwrap_or(0) == replicas
        && status.updated_replicas.unwrap_or(0) == replicas
        && status.current_revision == status.update_revision
}

/// Runs `command`, then steps the simulation until `done`, and prints what that took.
fn phase(
    cluster: &mut Cluster,
    scenario: &str,
    name: &str,
    command: &str,
    done: impl Fn(&Cluster) -> bool,
) {
    let started = Instant::now();
    let simulated_from = cluster.now();
    kubectl(cluster, command);
    while !done(cluster) {
        if cluster.step().is_none() {
            panic!("{name}: the simulation went idle before the phase was done");
        }
    }
    let wall = started.elapsed();
    record(&format!("core {scenario}: {name}"), "s", wall.as_secs_f64());
    let simulated = SimTime(cluster.now().as_millis() - simulated_from.as_millis());
    println!(
        "  {name:<28} {:>9.3} s wall  {:>9.1} s simulated  {:>5} pods",
        wall.as_secs_f64(),
        simulated.as_secs_f64(),
        cluster.store().pods.len()
    );
}

/// Prints `VmHWM`, the process's peak resident set size so far, from /proc (Linux only).
fn print_peak_rss(scenario: &str) {
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        });
    match peak {
        Some(kib) => {
            println!(
                "  {:<28} {:>9.1} MiB",
                "peak RSS so far (VmHWM)",
                kib / 1024.0
            );
            record(&format!("core {scenario}: peak RSS"), "MiB", kib / 1024.0);
        }
        None => println!("  peak RSS: /proc/self/status is not readable here"),
    }
}

fn main() {
    let only = std::env::args().nth(1);
    let runs = |scenario: &str| only.as_deref().is_none_or(|o| o == scenario);
    if runs("a") {
        scenario_a();
    }
    if runs("b") {
        scenario_b();
    }
    if runs("c") {
        scenario_c();
    }
}

fn scenario_c() {
    println!("C: a day of faults on 50 replicas, through the timeline");
    let scenario = day_of_faults();
    if let Ok(out) = std::env::var("ORDINAL_BENCH_OUT") {
        let path = std::path::Path::new(&out).with_file_name("day-of-faults.yaml");
        std::fs::write(path, scenario.to_yaml())
            .expect("the scenario can be written beside the results");
    }
    let started = Instant::now();
    let mut timeline = Timeline::from_scenario(&scenario);
    timeline.seek(SimTime::from_secs(DAY_SECS));
    let wall = started.elapsed().as_secs_f64();
    println!(
        "  {:<28} {:>9.3} s wall  {:>9} objects stored, {} in snapshots",
        "24 simulated hours",
        wall,
        timeline.cluster().store().len(),
        timeline.snapshot_objects()
    );
    record("core C: 24 simulated hours", "s", wall);
    print_peak_rss("C");
}

fn scenario_a() {
    let a_started = Instant::now();
    println!("A: 1,000 replicas, OrderedReady, 10 nodes");
    let mut a = cluster(10, "OrderedReady");
    phase(
        &mut a,
        "A",
        "scale 0 -> 1000, all Ready",
        "kubectl scale sts big --replicas=1000",
        |c| converged(c, 1000),
    );
    phase(
        &mut a,
        "A",
        "rolling update (new image)",
        "kubectl set image sts/big app=nginx:1.28",
        |c| converged(c, 1000),
    );
    phase(
        &mut a,
        "A",
        "scale 1000 -> 0, all gone",
        "kubectl scale sts big --replicas=0",
        |c| c.store().pods.is_empty(),
    );
    println!(
        "  {:<28} {:>9.3} s wall",
        "total",
        a_started.elapsed().as_secs_f64()
    );
    print_peak_rss("A");
}

fn scenario_b() {
    println!("B: 5,000 replicas, Parallel, 50 nodes");
    let b_started = Instant::now();
    let mut b = cluster(50, "Parallel");
    phase(
        &mut b,
        "B",
        "scale 0 -> 5000, all Ready",
        "kubectl scale sts big --replicas=5000",
        |c| converged(c, 5000),
    );
    println!(
        "  {:<28} {:>9.3} s wall",
        "total",
        b_started.elapsed().as_secs_f64()
    );
    print_peak_rss("B");
}
