//! The walking skeleton's behaviour, checked against reference §1.15 and invariant §8.2.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use ordinal_sim::controller::statefulset::utils::is_running_and_ready;
use ordinal_sim::kubectl::Apply;
use ordinal_sim::scenario::{Record, Scenario};
use ordinal_sim::store::WatchEventType;
use ordinal_sim::{Cluster, ClusterConfig, Object, ObjectKey, SimTime};

// The same tests run natively and, compiled to wasm, in headless Chromium: the page runs this very core.
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const WEB: &str = include_str!("../../../examples/web.yaml");

fn manifests() -> String {
    Scenario::parse(WEB).unwrap().manifests
}

/// Pod and claim names in the order the apiserver first created them.
fn creation_order(records: &[Record]) -> Vec<String> {
    records
        .iter()
        .filter_map(|r| match r {
            Record::Watch(e) if e.event_type == WatchEventType::Added => match &e.object {
                Object::Pod(p) => Some(format!("pod/{}", p.metadata.name.clone().unwrap())),
                Object::PersistentVolumeClaim(c) => {
                    Some(format!("pvc/{}", c.metadata.name.clone().unwrap()))
                }
                _ => None,
            },
            _ => None,
        })
        .collect()
}

#[test]
fn ordered_ready_creates_each_claim_before_its_pod_and_each_pod_after_its_predecessor_is_ready() {
    let mut records = Vec::new();
    Scenario::parse(WEB).unwrap().run(|r| records.push(r));
    assert_eq!(
        creation_order(&records),
        [
            "pvc/www-web-0",
            "pod/web-0",
            "pvc/www-web-1",
            "pod/web-1",
            "pvc/www-web-2",
            "pod/web-2",
            "pvc/www-web-3",
            "pod/web-3",
            "pvc/www-web-4",
            "pod/web-4",
        ]
    );
    // Invariant 8.2: a pod is created only when every lower ordinal is Running and Ready. Replay the stream.
    let mut pods: std::collections::BTreeMap<String, Pod> = Default::default();
    for record in &records {
        let Record::Watch(event) = record else {
            continue;
        };
        let Object::Pod(pod) = &event.object else {
            continue;
        };
        let name = pod.metadata.name.clone().unwrap();
        if event.event_type == WatchEventType::Added {
            let ordinal: usize = name.rsplit('-').next().unwrap().parse().unwrap();
            for lower in 0..ordinal {
                let predecessor = pods
                    .get(&format!("web-{lower}"))
                    .expect("predecessor exists");
                assert!(
                    is_running_and_ready(predecessor),
                    "web-{lower} was not ready when {name} was created"
                );
            }
        }
        pods.insert(name, (**pod).clone());
    }
}

#[test]
fn default_timings_bring_a_plain_pod_to_ready_within_thirty_seconds() {
    let mut cluster = Cluster::new(ClusterConfig::default());
    cluster.apply(&manifests()).unwrap();
    cluster.run_until(SimTime::from_secs(30));
    let key = ObjectKey::new("default", "web-0");
    assert!(is_running_and_ready(
        cluster.store().get::<Pod>(&key).unwrap()
    ));
}

#[test]
fn the_claims_bind_to_provisioned_volumes_and_the_set_reports_ready() {
    let mut cluster = Cluster::new(ClusterConfig::default());
    cluster.apply(&manifests()).unwrap();
    cluster.run_until(SimTime::from_secs(120));
    for ordinal in 0..3 {
        let claim = cluster
            .store()
            .get::<PersistentVolumeClaim>(&ObjectKey::new("default", format!("www-web-{ordinal}")))
            .unwrap();
        assert_eq!(
            claim.status.as_ref().unwrap().phase.as_deref(),
            Some("Bound")
        );
        assert!(claim
            .spec
            .as_ref()
            .unwrap()
            .volume_name
            .as_deref()
            .unwrap()
            .starts_with("pvc-"));
    }
    let set = cluster
        .store()
        .get::<StatefulSet>(&ObjectKey::new("default", "web"))
        .unwrap();
    let status = set.status.as_ref().unwrap();
    assert_eq!(
        (
            status.replicas,
            status.ready_replicas,
            status.current_replicas
        ),
        (3, Some(3), Some(3))
    );
    assert_eq!(status.current_revision, status.update_revision);
    assert!(cluster.wait_of(&ObjectKey::new("default", "web")).is_none());
}

#[test]
fn the_controller_says_what_it_waits_for() {
    let mut cluster = Cluster::new(ClusterConfig::default());
    cluster.apply(&manifests()).unwrap();
    let wait = cluster
        .wait_of(&ObjectKey::new("default", "web"))
        .expect("web-0 is not ready at t=0");
    assert_eq!(
        wait.to_string(),
        "web-1 is not created yet: web-0 is not Running and Ready"
    );
}

#[test]
fn the_same_scenario_and_seed_give_byte_identical_output() {
    let render = || {
        let mut lines = String::new();
        Scenario::parse(WEB)
            .unwrap()
            .run(|r| lines.push_str(&(r.to_json_line() + "\n")));
        lines
    };
    let first = render();
    assert_eq!(first, render());
    let reseeded = WEB.replace("seed: 0", "seed: 42");
    let mut other = String::new();
    Scenario::parse(&reseeded)
        .unwrap()
        .run(|r| other.push_str(&r.to_json_line()));
    assert_ne!(first.replace('\n', ""), other, "the seed must matter");
}
