//! Workloads the tests and the benchmarks share: long runs too big to keep as files under examples/.

use crate::fault::Fault;
use crate::object::ObjectKey;
use crate::scenario::{Action, Scenario, Step};
use crate::time::SimTime;

pub const FAULT_EVERY_SECS: u64 = 180;
pub const DAY_SECS: u64 = 24 * 3600;

/// The faults, in the order they come round.
fn fault(index: u64) -> Action {
    let pod = |n: u64| ObjectKey::new("default", format!("web-{}", n % 50));
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

/// The `web` set at 50 replicas (Parallel, so that it is up in seconds), with something going wrong every three
/// minutes for 24 simulated hours: a pod deleted, a container crashed, a pod NotReady and back, a node down and
/// up, a rolling update, a scale down and up, a write to a volume.
pub fn day_of_faults() -> Scenario {
    let mut scenario = Scenario::parse(include_str!("../../../examples/web.yaml"))
        .expect("examples/web.yaml parses");
    scenario.manifests = scenario.manifests.replace(
        "replicas: 3",
        "replicas: 50\n  podManagementPolicy: Parallel",
    );
    scenario.steps = (1..DAY_SECS / FAULT_EVERY_SECS)
        .map(|index| Step::new(SimTime::from_secs(index * FAULT_EVERY_SECS), fault(index)))
        .collect();
    scenario
}
