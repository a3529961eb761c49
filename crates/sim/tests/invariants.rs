//! Property tests: random sequences of what users and failures do to a StatefulSet (scale, delete a pod,
//! change the template, move the partition, make pods not ready, crash them, take nodes down), for both pod
//! management policies, with the invariants of reference §8 checked on the whole watch stream. Each case is a
//! seed, so a failure names the seed that reproduces it.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use ordinal_sim::api::delete_options::DeleteOptions;
use ordinal_sim::controller::statefulset::utils::{
    is_running_and_ready, STATEFUL_SET_REVISION_LABEL,
};
use ordinal_sim::kubectl::Apply;
use ordinal_sim::rng::Rng;
use ordinal_sim::scenario::Scenario;
use ordinal_sim::store::{WatchEvent, WatchEventType};
use ordinal_sim::{kubectl, Cluster, ClusterConfig, Fault, Object, ObjectKey};
use std::collections::{BTreeMap, BTreeSet};

const WEB: &str = include_str!("../../../examples/web.yaml");
const CASES: u64 = 40;
const ACTIONS: usize = 20;

#[derive(Debug)]
enum Action {
    Scale(u64),
    DeletePod(u64),
    ToggleImage,
    Partition(u64),
    NotReady(u64),
    Ready(u64),
    Crash(u64),
    NodeDown(u64),
    NodeUp(u64),
    Wait(u64),
}

fn random_action(rng: &mut Rng) -> Action {
    match rng.between(0, 9) {
        0 => Action::Scale(rng.between(0, 6)),
        1 => Action::DeletePod(rng.between(0, 5)),
        2 => Action::ToggleImage,
        3 => Action::Partition(rng.between(0, 4)),
        4 => Action::NotReady(rng.between(0, 5)),
        5 => Action::Ready(rng.between(0, 5)),
        6 => Action::Crash(rng.between(0, 5)),
        7 => Action::NodeDown(rng.between(1, 3)),
        8 => Action::NodeUp(rng.between(1, 3)),
        _ => Action::Wait(rng.between(1, 90)),
    }
}

fn node_name(i: u64) -> String {
    if i == 1 {
        "kind-worker".into()
    } else {
        format!("kind-worker{i}")
    }
}

fn pod_key(i: u64) -> ObjectKey {
    ObjectKey::new("default", format!("web-{i}"))
}

/// Runs one action; refusals (a pod that does not exist, say) are part of the game.
fn perform(cluster: &mut Cluster, action: &Action, image: &mut bool) {
    // Refusals are part of the game, but a command this test spells wrong would silently test nothing.
    let kubectl = |cluster: &mut Cluster, line: String| {
        let output = kubectl::run(cluster, &line, "");
        assert!(
            !output.stderr.contains("unable to parse") && !output.stderr.contains("unknown"),
            "{line}: {}",
            output.stderr
        );
    };
    match action {
        Action::Scale(n) => kubectl(cluster, format!("kubectl scale sts web --replicas={n}")),
        Action::DeletePod(i) => {
            let _ = cluster.with_store(|s| s.delete::<Pod>(&pod_key(*i), DeleteOptions::default()));
        }
        Action::ToggleImage => {
            *image = !*image;
            let tag = if *image { "1.25" } else { "1.9.1" };
            kubectl(cluster, format!("kubectl set image sts web nginx=nginx:{tag}"));
        }
        Action::Partition(p) => kubectl(
            cluster,
            format!(
                "kubectl patch sts web --type merge -p '{{\"spec\":{{\"updateStrategy\":{{\"rollingUpdate\":{{\"partition\":{p}}}}}}}}}'"
            ),
        ),
        Action::NotReady(i) => drop(cluster.inject(Fault::NotReady { pod: pod_key(*i) })),
        Action::Ready(i) => drop(cluster.inject(Fault::Ready { pod: pod_key(*i) })),
        Action::Crash(i) => drop(cluster.inject(Fault::Crash { pod: pod_key(*i) })),
        Action::NodeDown(n) => drop(cluster.inject(Fault::NodeDown { node: node_name(*n) })),
        Action::NodeUp(n) => drop(cluster.inject(Fault::NodeUp { node: node_name(*n) })),
        Action::Wait(_) => {}
    }
    let seconds = match action {
        Action::Wait(s) => *s,
        _ => 3,
    };
    let until = cluster.now().plus_secs(seconds);
    cluster.run_until(until);
}

/// The world as the watch stream has shown it so far.
#[derive(Default)]
struct Replay {
    pods: BTreeMap<String, Pod>,
    claims: BTreeSet<String>,
    set: Option<StatefulSet>,
}

fn ordinal(name: &str) -> u64 {
    name.rsplit('-').next().unwrap().parse().unwrap()
}

impl Replay {
    /// Invariants 8.1, 8.2 and 8.8 at each pod creation, then applies the event.
    fn check_and_apply(&mut self, event: &WatchEvent, ordered: bool, context: &str) {
        match (&event.object, event.event_type) {
            (Object::Pod(pod), WatchEventType::Added) => {
                let name = pod.metadata.name.clone().unwrap();
                assert!(
                    !self.pods.contains_key(&name),
                    "{context}: {name} created while the old one still exists (8.1)"
                );
                let replicas = self
                    .set
                    .as_ref()
                    .and_then(|s| s.spec.as_ref()?.replicas)
                    .unwrap_or(0);
                assert!(
                    (ordinal(&name) as i32) < replicas,
                    "{context}: {name} created outside [0, {replicas}) (8.1)"
                );
                for volume in pod.spec.as_ref().unwrap().volumes.iter().flatten() {
                    if let Some(claim) = &volume.persistent_volume_claim {
                        assert!(
                            self.claims.contains(&claim.claim_name),
                            "{context}: {name} created before its claim {} (8.8)",
                            claim.claim_name
                        );
                    }
                }
                if ordered {
                    for lower in 0..ordinal(&name) {
                        let predecessor = self.pods.get(&format!("web-{lower}"));
                        assert!(
                            predecessor.is_some_and(|p| is_running_and_ready(p)
                                && p.metadata.deletion_timestamp.is_none()),
                            "{context}: {name} created while web-{lower} is not Running and Ready (8.2)"
                        );
                    }
                }
                self.pods.insert(name, (**pod).clone());
            }
            (Object::Pod(pod), WatchEventType::Modified) => {
                self.pods
                    .insert(pod.metadata.name.clone().unwrap(), (**pod).clone());
            }
            (Object::Pod(pod), WatchEventType::Deleted) => {
                self.pods.remove(pod.metadata.name.as_deref().unwrap());
            }
            (Object::PersistentVolumeClaim(claim), event_type) => {
                let name = claim.metadata.name.clone().unwrap();
                if event_type == WatchEventType::Deleted {
                    self.claims.remove(&name);
                } else {
                    self.claims.insert(name);
                }
            }
            (Object::StatefulSet(set), _) => self.set = Some((**set).clone()),
            _ => {}
        }
    }
}

/// Invariant 8.9: every published endpoint is a ready pod at its current address; and every pod with an
/// address that has not finished is listed exactly once, whether the controller rewrote its slice in place
/// or reconciled them all.
fn check_dns(cluster: &Cluster, context: &str) {
    let mut listed: Vec<String> = cluster
        .store()
        .list_namespace::<EndpointSlice>("default")
        .flat_map(|s| s.endpoints.iter())
        .filter_map(|e| e.target_ref.as_ref()?.name.clone())
        .collect();
    listed.sort();
    let expected: Vec<String> = cluster
        .store()
        .list_namespace::<Pod>("default")
        .filter(|p| {
            let status = p.status.as_ref();
            status.and_then(|s| s.pod_ip.as_ref()).is_some()
                && !matches!(
                    status.and_then(|s| s.phase.as_deref()),
                    Some("Succeeded" | "Failed")
                )
        })
        .map(|p| p.metadata.name.clone().unwrap())
        .collect();
    assert_eq!(listed, expected, "{context}: slices list the wrong pods");
    for slice in cluster.store().list_namespace::<EndpointSlice>("default") {
        for endpoint in &slice.endpoints {
            let ready = endpoint.conditions.as_ref().and_then(|c| c.ready) != Some(false);
            if !ready {
                continue;
            }
            let name = endpoint.target_ref.as_ref().unwrap().name.clone().unwrap();
            let pod = cluster
                .store()
                .get::<Pod>(&ObjectKey::new("default", name.clone()))
                .unwrap_or_else(|| panic!("{context}: published endpoint {name} has no pod (8.9)"));
            assert!(
                is_running_and_ready(pod),
                "{context}: {name} published while not ready (8.9)"
            );
            assert_eq!(
                endpoint.addresses,
                [pod.status.as_ref().unwrap().pod_ip.clone().unwrap()],
                "{context}: {name} published at an old address (8.9)"
            );
        }
    }
}

/// Once every fault is lifted the set converges: all replicas Running and Ready, each at the revision the
/// partition gives it, status counting them (8.4, 8.7), and a claim for each.
fn check_converged(cluster: &Cluster, context: &str) {
    let store = cluster.store();
    let set = store
        .get::<StatefulSet>(&ObjectKey::new("default", "web"))
        .unwrap();
    let spec = set.spec.as_ref().unwrap();
    let replicas = spec.replicas.unwrap() as u64;
    let status = set.status.as_ref().unwrap();
    let partition = spec
        .update_strategy
        .as_ref()
        .and_then(|s| s.rolling_update.as_ref())
        .and_then(|r| r.partition)
        .unwrap_or(0) as u64;
    let update_revision = status.update_revision.clone().unwrap();
    let pods: Vec<&Pod> = store.list_namespace::<Pod>("default").collect();
    assert_eq!(
        pods.len() as u64,
        replicas,
        "{context}: pods {:?}",
        pods.iter()
            .map(|p| p.metadata.name.clone())
            .collect::<Vec<_>>()
    );
    for pod in &pods {
        let name = pod.metadata.name.clone().unwrap();
        assert!(
            is_running_and_ready(pod),
            "{context}: {name} not ready after convergence"
        );
        let revision = &pod.metadata.labels.as_ref().unwrap()[STATEFUL_SET_REVISION_LABEL];
        if ordinal(&name) >= partition {
            assert_eq!(
                revision, &update_revision,
                "{context}: {name} not updated (8.4)"
            );
        }
        let claim = ObjectKey::new("default", format!("www-{name}"));
        assert!(
            store.get::<PersistentVolumeClaim>(&claim).is_some(),
            "{context}: {name} without claim"
        );
    }
    assert_eq!(
        status.replicas as u64, replicas,
        "{context}: status.replicas (8.7)"
    );
    assert_eq!(
        status.ready_replicas.unwrap_or(0) as u64,
        replicas,
        "{context}: readyReplicas (8.7)"
    );
}

fn run_case(policy: &str, seed: u64) {
    let manifests = Scenario::parse(WEB).unwrap().manifests.replace(
        "replicas: 3",
        &format!("replicas: 3\n  podManagementPolicy: {policy}"),
    );
    let mut cluster = Cluster::new(ClusterConfig {
        seed,
        ..ClusterConfig::default()
    });
    let mut replay = Replay::default();
    let ordered = policy == "OrderedReady";
    let mut rng = Rng::new(seed ^ 0x5eed);
    let mut image = false;
    cluster.apply(&manifests).unwrap();
    let mut history = Vec::new();
    for _ in 0..ACTIONS {
        let action = random_action(&mut rng);
        history.push(format!("{action:?}"));
        let context = format!("{policy} seed {seed} after {history:?}");
        perform(&mut cluster, &action, &mut image);
        for event in cluster.take_journal() {
            replay.check_and_apply(&event, ordered, &context);
        }
        check_dns(&cluster, &context);
    }
    // Lift every fault and let it settle.
    let pods: Vec<ObjectKey> = cluster
        .store()
        .list_namespace::<Pod>("default")
        .map(|p| ObjectKey::of(&p.metadata))
        .collect();
    for pod in pods {
        let _ = cluster.inject(Fault::Ready { pod });
    }
    for node in 1..=3 {
        let _ = cluster.inject(Fault::NodeUp {
            node: node_name(node),
        });
    }
    let context = format!("{policy} seed {seed} after {history:?} and recovery");
    let until = cluster.now().plus_secs(900);
    cluster.run_until(until);
    for event in cluster.take_journal() {
        replay.check_and_apply(&event, ordered, &context);
    }
    check_dns(&cluster, &context);
    check_converged(&cluster, &context);
}

#[test]
fn ordered_ready_keeps_the_invariants_under_random_actions_and_faults() {
    for seed in 0..CASES {
        run_case("OrderedReady", seed);
    }
}

#[test]
fn parallel_keeps_the_invariants_under_random_actions_and_faults() {
    for seed in 0..CASES {
        run_case("Parallel", seed);
    }
}
