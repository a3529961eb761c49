//! `maxUnavailable` behind the `MaxUnavailableStatefulSet` gate (reference §1.8, §5.1; upstream
//! `TestStatefulSetControlRollingUpdateWithMaxUnavailable`, `TestGetStatefulSetMaxUnavailable`).

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use ordinal_sim::config::FeatureGates;
use ordinal_sim::controller::statefulset::control::get_stateful_set_max_unavailable;
use ordinal_sim::kubectl::Apply;
use ordinal_sim::scenario::Scenario;
use ordinal_sim::store::WatchEventType;
use ordinal_sim::{kubectl, Cluster, ClusterConfig, Object, ObjectKey, SimTime};

const WEB: &str = include_str!("../../../examples/web.yaml");

fn six_pods_partition_three(policy: &str, gate: bool) -> Cluster {
    let manifests = Scenario::parse(WEB).unwrap().manifests.replace(
        "replicas: 3",
        &format!(
            "replicas: 6\n  podManagementPolicy: {policy}\n  updateStrategy:\n    type: RollingUpdate\n    rollingUpdate:\n      partition: 3\n      maxUnavailable: 2"
        ),
    );
    let config = ClusterConfig {
        feature_gates: FeatureGates {
            max_unavailable_stateful_set: gate,
        },
        ..ClusterConfig::default()
    };
    let mut cluster = Cluster::new(config);
    cluster.apply(&manifests).unwrap();
    cluster.run_until(SimTime::from_secs(120));
    cluster.take_journal();
    cluster
}

fn max_unavailable_of(cluster: &Cluster) -> Option<IntOrString> {
    cluster
        .store()
        .get::<StatefulSet>(&ObjectKey::new("default", "web"))
        .and_then(|s| {
            s.spec
                .clone()?
                .update_strategy?
                .rolling_update?
                .max_unavailable
        })
}

/// The instants at which pods got their deletion timestamp, with their names.
fn deletions_by_instant(cluster: &mut Cluster) -> Vec<(SimTime, Vec<String>)> {
    let mut out: Vec<(SimTime, Vec<String>)> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for event in cluster.take_journal() {
        let Object::Pod(pod) = &event.object else {
            continue;
        };
        if event.event_type != WatchEventType::Modified || pod.metadata.deletion_timestamp.is_none()
        {
            continue;
        }
        let name = pod.metadata.name.clone().unwrap();
        if !seen.insert((name.clone(), pod.metadata.uid.clone())) {
            continue;
        }
        match out.last_mut() {
            Some((at, names)) if *at == event.at => names.push(name),
            _ => out.push((event.at, vec![name])),
        }
    }
    out
}

fn rolls_two_then_one_and_never_below_the_partition(policy: &str) {
    let mut cluster = six_pods_partition_three(policy, true);
    kubectl::run(
        &mut cluster,
        "kubectl set image sts web nginx=nginx:1.25",
        "",
    );
    cluster.run_until(SimTime::from_secs(400));
    let deletions = deletions_by_instant(&mut cluster);
    let names: Vec<&Vec<String>> = deletions.iter().map(|(_, n)| n).collect();
    assert_eq!(names[0], &["web-5", "web-4"], "{deletions:?}");
    assert_eq!(names[1], &["web-3"], "{deletions:?}");
    assert_eq!(deletions.len(), 2);
    for ordinal in 0..3 {
        let pod = cluster
            .store()
            .get::<Pod>(&ObjectKey::new("default", format!("web-{ordinal}")))
            .unwrap();
        assert_eq!(
            pod.spec.as_ref().unwrap().containers[0].image.as_deref(),
            Some("nginx:1.9.1")
        );
    }
}

#[test]
fn rolling_update_with_max_unavailable_ordered_ready() {
    rolls_two_then_one_and_never_below_the_partition("OrderedReady");
}

#[test]
fn rolling_update_with_max_unavailable_parallel() {
    rolls_two_then_one_and_never_below_the_partition("Parallel");
}

#[test]
fn without_the_gate_max_unavailable_is_dropped_and_the_update_goes_one_by_one() {
    let mut cluster = six_pods_partition_three("Parallel", false);
    assert_eq!(max_unavailable_of(&cluster), None);
    kubectl::run(
        &mut cluster,
        "kubectl set image sts web nginx=nginx:1.25",
        "",
    );
    cluster.run_until(SimTime::from_secs(400));
    let deletions = deletions_by_instant(&mut cluster);
    assert!(
        deletions.iter().all(|(_, names)| names.len() == 1),
        "{deletions:?}"
    );
    assert_eq!(deletions.len(), 3);
}

#[test]
fn with_the_gate_max_unavailable_defaults_to_one() {
    let config = ClusterConfig {
        feature_gates: FeatureGates {
            max_unavailable_stateful_set: true,
        },
        ..ClusterConfig::default()
    };
    let mut cluster = Cluster::new(config);
    cluster
        .apply(&Scenario::parse(WEB).unwrap().manifests)
        .unwrap();
    assert_eq!(max_unavailable_of(&cluster), Some(IntOrString::Int(1)));
}

#[test]
fn get_stateful_set_max_unavailable_rounds_percentages_down_with_a_floor_of_one() {
    let cases = [
        ("25", IntOrString::String("10%".into()), 2),
        ("5", IntOrString::String("50%".into()), 2),
        ("5", IntOrString::String("10%".into()), 1),
        ("5", IntOrString::Int(3), 3),
        ("5", IntOrString::Int(0), 1),
    ];
    for (replicas, value, expected) in cases {
        let mut set: StatefulSet = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web"},
            "spec": {
                "replicas": replicas.parse::<i32>().unwrap(),
                "selector": {"matchLabels": {"app": "nginx"}},
                "serviceName": "nginx",
                "template": {"metadata": {"labels": {"app": "nginx"}}},
                "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {}}
            }
        }))
        .unwrap();
        set.spec
            .as_mut()
            .unwrap()
            .update_strategy
            .as_mut()
            .unwrap()
            .rolling_update
            .as_mut()
            .unwrap()
            .max_unavailable = Some(value.clone());
        assert_eq!(
            get_stateful_set_max_unavailable(&set),
            expected,
            "{value:?} of {replicas}"
        );
    }
}
