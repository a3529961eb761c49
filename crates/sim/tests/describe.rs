//! `kubectl describe`, byte for byte, for every kind it describes and every way it refuses. Each transcript
//! under tests/describe/ is its own script: its `$ ` lines are commands and its `# ` lines steps (a fault, a
//! wait, an object written straight to the store), replayed against the `kitchen` cluster
//! (tests/describe/kitchen.yaml: a set with most of what a pod template can hold, a pod no node takes,
//! claims, volumes of each source, services and storage classes); what they print must be what the
//! transcript records. The transcripts record this describer's own output, so that reshaping its code cannot
//! change a byte unnoticed; `ORDINAL_BLESS=1 cargo test -p ordinal-sim --test describe` records them again
//! after a change meant to show.

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::discovery::v1::EndpointSlice;
use ordinal_sim::api::strategy::Strategy;
use ordinal_sim::kubectl::{run, Apply};
use ordinal_sim::object::ApiObject;
use ordinal_sim::{Cluster, ClusterConfig, Fault, ObjectKey, SimTime};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const KITCHEN: &str = include_str!("describe/kitchen.yaml");

/// `(name, text)` of each transcript, compiled in so that the wasm build has them too.
macro_rules! transcripts {
    ($($name:literal),*) => {
        &[$(($name, include_str!(concat!("describe/", $name, ".txt")))),*]
    };
}
const TRANSCRIPTS: &[(&str, &str)] =
    transcripts!["statefulset", "pods", "storage", "network", "refusals"];

/// `# store pod/ghost`: a pod with a status no kubelet here reports: failed, with a reason and a message, a
/// nominated node, a container waiting with a reason and one killed by a signal.
const GHOST_POD: &str = r#"
apiVersion: v1
kind: Pod
metadata:
  name: ghost
  namespace: side
spec:
  nodeName: ghost-node
  priority: 1000
  containers:
  - name: waiting
    image: busybox:1.36
  - name: killed
    image: busybox:1.36
status:
  phase: Failed
  reason: Evicted
  message: "The node was low on resource: memory."
  hostIP: 172.18.0.9
  nominatedNodeName: kind-worker
  startTime: "2025-01-01T00:00:00Z"
  qosClass: BestEffort
  containerStatuses:
  - name: waiting
    image: busybox:1.36
    imageID: docker.io/library/busybox@sha256:1
    containerID: containerd://aaa
    ready: false
    restartCount: 4
    state:
      waiting:
        reason: CrashLoopBackOff
    lastState:
      terminated:
        exitCode: 1
        reason: Error
        message: |
          it failed
        startedAt: "2025-01-01T00:00:10Z"
        finishedAt: "2025-01-01T00:00:11Z"
  - name: killed
    image: busybox:1.36
    imageID: ""
    ready: false
    restartCount: 0
    state:
      terminated:
        exitCode: 137
        signal: 9
"#;

/// `# store endpointslice/loose`: a slice no controller owns, for the Service `outside`: endpoints without
/// conditions, with a zone and a hostname, and one without addresses; ports without names and numbers.
const LOOSE_SLICE: &str = r#"
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: loose
  namespace: side
  labels:
    kubernetes.io/service-name: outside
addressType: IPv4
ports:
- protocol: UDP
- name: dns
  port: 53
endpoints:
- addresses: [10.0.0.1, 10.0.0.2]
  hostname: one
  zone: zone-a
- addresses: []
  conditions:
    ready: false
"#;

#[test]
fn each_transcript_replays_to_what_it_records() {
    for (name, recorded) in TRANSCRIPTS {
        let replayed = replay(recorded);
        #[cfg(not(target_arch = "wasm32"))]
        if std::env::var_os("ORDINAL_BLESS").is_some() {
            let path = format!("{}/tests/describe/{name}.txt", env!("CARGO_MANIFEST_DIR"));
            std::fs::write(path, &replayed).unwrap();
            continue;
        }
        for (number, (now, then)) in replayed.lines().zip(recorded.lines()).enumerate() {
            assert_eq!(now, then, "{name}.txt, line {}", number + 1);
        }
        assert_eq!(&replayed, recorded, "{name}.txt");
    }
}

/// Runs the transcript's commands and steps on a fresh kitchen a minute old (every pod of the set Running
/// and Ready, `stranded` still Pending), and writes them down again with what the commands print now.
fn replay(transcript: &str) -> String {
    let mut cluster = Cluster::new(ClusterConfig::default());
    cluster.apply(KITCHEN).unwrap();
    cluster.run_until(SimTime::from_secs(60));
    let mut replayed = String::new();
    for line in transcript.lines() {
        if let Some(command) = line.strip_prefix("$ ") {
            let output = run(&mut cluster, command, "");
            replayed.push_str(&format!("{line}\n{}", output.stdout));
            if !output.stdout.is_empty() && !output.stdout.ends_with('\n') {
                replayed.push('\n');
            }
            replayed.push_str(&output.stderr);
            if output.exit_code != 0 {
                replayed.push_str(&format!("(exit {})\n", output.exit_code));
            }
        } else if let Some(step) = line.strip_prefix("# ") {
            take_step(&mut cluster, step);
            replayed.push_str(&format!("{line}\n"));
        }
    }
    replayed
}

fn take_step(cluster: &mut Cluster, step: &str) {
    let words: Vec<&str> = step.split_whitespace().collect();
    let pod = |name: &str| ObjectKey::new("default", name.trim_start_matches("pod/"));
    match words.as_slice() {
        ["inject", "crash", name] => cluster.inject(Fault::Crash { pod: pod(name) }).unwrap(),
        ["inject", "not-ready", name] => {
            cluster.inject(Fault::NotReady { pod: pod(name) }).unwrap()
        }
        ["wait", seconds] => {
            let seconds = seconds.trim_end_matches('s').parse().unwrap();
            let until = cluster.now().plus_secs(seconds);
            cluster.run_until(until);
        }
        ["store", "pod/ghost"] => store_pod(cluster, GHOST_POD),
        ["store", "endpointslice/loose"] => store::<EndpointSlice>(cluster, LOOSE_SLICE),
        _ => panic!("no such step: {step}"),
    }
}

/// Creates the pod, then writes its status onto the stored one, as a status update does (status is not the
/// creator's to set, and the kubelet that admitted a pod does not act on a status update).
fn store_pod(cluster: &mut Cluster, yaml: &str) {
    let pod: Pod = serde_yaml_ng::from_str(yaml).unwrap();
    let stored = cluster
        .with_store(|store| store.create(pod.clone()))
        .unwrap();
    cluster
        .with_store(|store| store.modify::<Pod>(&stored.key(), |p| p.status = pod.status))
        .unwrap();
}

fn store<T: Strategy>(cluster: &mut Cluster, yaml: &str) {
    let object: T = serde_yaml_ng::from_str(yaml).unwrap();
    cluster.with_store(|store| store.create(object)).unwrap();
}
