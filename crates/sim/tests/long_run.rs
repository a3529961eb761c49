//! A day of faults: the `web` set at 50 replicas, with something going wrong every three minutes for 24 simulated
//! hours (a pod deleted, a container crashed, a pod NotReady and back, a node down and up, a rolling update, a
//! scale down and up), run through the timeline the page keeps. What it holds must stay bounded: the store (the
//! Events expire after an hour, as the apiserver's --event-ttl has them) and the snapshots (thinned past their
//! budget), however long the run.

use k8s_openapi::api::core::v1::Event;
use ordinal_sim::scenario::{Action, Step};
use ordinal_sim::timeline::{Timeline, SNAPSHOT_BUDGET};
use ordinal_sim::{Fault, ObjectKey, Scenario, SimTime};

const WEB: &str = include_str!("../../../examples/web.yaml");
const FAULT_EVERY_SECS: u64 = 180;
const DAY_SECS: u64 = 24 * 3600;

/// The faults, in the order they come round.
fn fault(index: u64) -> Action {
    let pod = |n: u64| ObjectKey::new("default", &format!("web-{}", n % 50));
    match index % 10 {
        0 => Action::Run(format!("kubectl delete pod web-{}", index % 50)),
        1 => Action::Inject(Fault::Crash {
            pod: pod(index * 7),
        }),
        2 => Action::Inject(Fault::NotReady {
            pod: pod(index * 3),
        }),
        3 => Action::Inject(Fault::Ready {
            pod: pod((index - 1) * 3),
        }),
        4 => Action::Inject(Fault::NodeDown {
            node: "kind-worker2".into(),
        }),
        5 => Action::Inject(Fault::NodeUp {
            node: "kind-worker2".into(),
        }),
        6 => Action::Run(format!(
            "kubectl set image statefulset/web nginx=nginx:1.{}",
            20 + index % 7
        )),
        7 => Action::Run("kubectl scale sts web --replicas=45".into()),
        8 => Action::Run("kubectl scale sts web --replicas=50".into()),
        _ => Action::Run(format!(
            "kubectl exec web-{} -- sh -c 'echo {index} >> /usr/share/nginx/html/log'",
            index % 45
        )),
    }
}

pub fn day_of_faults() -> Scenario {
    let mut scenario = Scenario::parse(WEB).unwrap();
    scenario.manifests = scenario.manifests.replace(
        "replicas: 3",
        "replicas: 50\n  podManagementPolicy: Parallel",
    );
    scenario.steps = (1..DAY_SECS / FAULT_EVERY_SECS)
        .map(|index| Step {
            at: SimTime::from_secs(index * FAULT_EVERY_SECS),
            action: fault(index),
        })
        .collect();
    scenario
}

#[test]
fn a_day_of_faults_on_fifty_replicas_keeps_what_it_holds_bounded() {
    let mut timeline = Timeline::from_scenario(&day_of_faults());
    let mut stored_per_hour = Vec::new();
    for hour in 1..=24 {
        timeline.seek(SimTime::from_secs(hour * 3600));
        let store = timeline.cluster().store();
        stored_per_hour.push((store.len(), store.list::<Event>().count()));
        assert!(
            timeline.snapshot_objects() <= SNAPSHOT_BUDGET,
            "hour {hour}: {} objects in snapshots",
            timeline.snapshot_objects()
        );
    }
    eprintln!("objects and events stored, per hour: {stored_per_hour:?}");
    let (second_hour, last_hour) = (stored_per_hour[1], stored_per_hour[23]);
    assert!(
        last_hour.0 <= second_hour.0 * 2,
        "the store grows with the length of the run: {stored_per_hour:?}"
    );
    // Seeking back to the start of the day and forward again stays exact.
    let at_noon = {
        timeline.seek(SimTime::from_secs(12 * 3600));
        timeline.cluster().store().resource_version()
    };
    timeline.seek(SimTime::from_secs(60));
    timeline.seek(SimTime::from_secs(12 * 3600));
    assert_eq!(timeline.cluster().store().resource_version(), at_noon);
}
