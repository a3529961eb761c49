//! The scenario files under `examples/`: each runs, runs the same way twice, and ends in the state its seed's
//! course notes document. Tests marked `ignore` state what real Kubernetes does where the simulation does not
//! yet; each names the divergence, and passes once it is fixed.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Event, PersistentVolume, PersistentVolumeClaim, Pod};
use ordinal_sim::controller::statefulset::utils::{get_pod_revision, is_running_and_ready};
use ordinal_sim::kubectl::CommandOutput;
use ordinal_sim::scenario::{Record, Scenario};
use ordinal_sim::store::WatchEventType;
use ordinal_sim::{Object, ObjectKey, SimTime};

// The same tests run natively and, compiled to wasm, in headless Chromium: the page runs this very core.
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

/// Every file of `examples/`, compiled in so that the wasm build has them too.
const EXAMPLES: &[(&str, &str)] = &[
    ("myapp.yaml", include_str!("../../../examples/myapp.yaml")),
    (
        "node-down.yaml",
        include_str!("../../../examples/node-down.yaml"),
    ),
    (
        "ondelete.yaml",
        include_str!("../../../examples/ondelete.yaml"),
    ),
    (
        "ordinals-start.yaml",
        include_str!("../../../examples/ordinals-start.yaml"),
    ),
    (
        "parallel.yaml",
        include_str!("../../../examples/parallel.yaml"),
    ),
    (
        "partition-canary.yaml",
        include_str!("../../../examples/partition-canary.yaml"),
    ),
    (
        "pvc-retention.yaml",
        include_str!("../../../examples/pvc-retention.yaml"),
    ),
    ("relay.yaml", include_str!("../../../examples/relay.yaml")),
    (
        "rumpetroll.yaml",
        include_str!("../../../examples/rumpetroll.yaml"),
    ),
    (
        "stuck-rollout.yaml",
        include_str!("../../../examples/stuck-rollout.yaml"),
    ),
    (
        "web-identity.yaml",
        include_str!("../../../examples/web-identity.yaml"),
    ),
    (
        "web-my-sc.yaml",
        include_str!("../../../examples/web-my-sc.yaml"),
    ),
    ("web.yaml", include_str!("../../../examples/web.yaml")),
    (
        "zookeeper.yaml",
        include_str!("../../../examples/zookeeper.yaml"),
    ),
];

fn example(name: &str) -> &'static str {
    EXAMPLES
        .iter()
        .find(|(file, _)| *file == name)
        .unwrap_or_else(|| panic!("{name} is listed in EXAMPLES"))
        .1
}

/// One run of a scenario: every record, in order.
struct Run {
    records: Vec<Record>,
}

impl Run {
    fn of(text: &str) -> Run {
        let mut records = Vec::new();
        Scenario::parse(text).unwrap().run(|r| records.push(r));
        Run { records }
    }

    fn example(name: &str) -> Run {
        Run::of(example(name))
    }

    fn jsonl(&self) -> String {
        self.records
            .iter()
            .map(|r| r.to_json_line() + "\n")
            .collect()
    }

    /// What the command issued at `at` printed; panics unless exactly one command line matches.
    fn output(&self, at_secs: u64, command: &str) -> &CommandOutput {
        let at = SimTime::from_secs(at_secs);
        let matches: Vec<&CommandOutput> = self
            .records
            .iter()
            .filter_map(|r| match r {
                Record::Command {
                    at: when,
                    command: line,
                    output,
                } if *when == at && line == command => Some(output),
                _ => None,
            })
            .collect();
        assert_eq!(matches.len(), 1, "one `{command}` at {at_secs}s");
        matches[0]
    }

    /// What a successful command printed.
    fn stdout(&self, at_secs: u64, command: &str) -> &str {
        let output = self.output(at_secs, command);
        assert_eq!(output.exit_code, 0, "`{command}` failed: {}", output.stderr);
        &output.stdout
    }

    /// Watch events on objects of one kind, with the time and type of each.
    fn events<'a, T: 'a>(
        &'a self,
        pick: impl Fn(&Object) -> Option<&T> + 'a,
    ) -> impl Iterator<Item = (SimTime, WatchEventType, &'a T)> + 'a {
        self.records.iter().filter_map(move |r| match r {
            Record::Watch(e) => pick(&e.object).map(|o| (e.at, e.event_type, o)),
            _ => None,
        })
    }

    fn pod_events(&self) -> impl Iterator<Item = (SimTime, WatchEventType, &Pod)> {
        self.events(|o| match o {
            Object::Pod(p) => Some(p.as_ref()),
            _ => None,
        })
    }

    /// The objects of one kind that exist at the end, by `namespace/name`, replayed from the watch stream.
    fn final_state<T: Clone>(&self, pick: impl Fn(&Object) -> Option<&T>) -> BTreeMap<String, T> {
        self.state_until(None, pick)
    }

    /// The objects of one kind that exist at `until` (the end when `None`), by `namespace/name`.
    fn state_until<T: Clone>(
        &self,
        until: Option<SimTime>,
        pick: impl Fn(&Object) -> Option<&T>,
    ) -> BTreeMap<String, T> {
        let mut state = BTreeMap::new();
        for record in &self.records {
            let Record::Watch(event) = record else {
                continue;
            };
            if until.is_some_and(|until| event.at > until) {
                break;
            }
            let Some(object) = pick(&event.object) else {
                continue;
            };
            let meta = event.object.metadata();
            let key = format!(
                "{}/{}",
                meta.namespace.as_deref().unwrap_or_default(),
                meta.name.as_deref().unwrap_or_default()
            );
            match event.event_type {
                WatchEventType::Deleted => state.remove(&key),
                _ => state.insert(key, object.clone()),
            };
        }
        state
    }

    fn final_pods(&self) -> BTreeMap<String, Pod> {
        self.final_state(|o| match o {
            Object::Pod(p) => Some(p.as_ref()),
            _ => None,
        })
    }

    fn final_claims(&self) -> BTreeMap<String, PersistentVolumeClaim> {
        self.final_state(|o| match o {
            Object::PersistentVolumeClaim(c) => Some(c.as_ref()),
            _ => None,
        })
    }

    fn final_volumes(&self) -> BTreeMap<String, PersistentVolume> {
        self.final_state(|o| match o {
            Object::PersistentVolume(v) => Some(v.as_ref()),
            _ => None,
        })
    }

    fn final_set(&self, key: &str) -> StatefulSet {
        self.final_state(|o| match o {
            Object::StatefulSet(s) => Some(s.as_ref()),
            _ => None,
        })
        .remove(key)
        .unwrap_or_else(|| panic!("{key} exists at the end"))
    }

    /// When pod `name` (the pod of that name alive at the time) first became Running and Ready.
    fn ready_at(&self, name: &str) -> SimTime {
        self.pod_events()
            .find(|(_, _, p)| p.metadata.name.as_deref() == Some(name) && is_running_and_ready(p))
            .unwrap_or_else(|| panic!("{name} becomes ready"))
            .0
    }

    /// When pod `name` was first deleted.
    fn deleted_at(&self, name: &str) -> SimTime {
        self.pod_events()
            .find(|(_, t, p)| {
                *t == WatchEventType::Deleted && p.metadata.name.as_deref() == Some(name)
            })
            .unwrap_or_else(|| panic!("{name} is deleted"))
            .0
    }

    /// When pod `name` was first created.
    fn added_at(&self, name: &str) -> SimTime {
        self.pod_events()
            .find(|(_, t, p)| {
                *t == WatchEventType::Added && p.metadata.name.as_deref() == Some(name)
            })
            .unwrap_or_else(|| panic!("{name} is created"))
            .0
    }
}

fn node_of(pod: &Pod) -> Option<&str> {
    pod.spec.as_ref()?.node_name.as_deref()
}

fn pod_ip(pod: &Pod) -> Option<&str> {
    pod.status.as_ref()?.pod_ip.as_deref()
}

fn volume_of(claim: &PersistentVolumeClaim) -> Option<&str> {
    claim.spec.as_ref()?.volume_name.as_deref()
}

fn phase_of_volume(volume: &PersistentVolume) -> Option<&str> {
    volume.status.as_ref()?.phase.as_deref()
}

fn capacity_of(claim: &PersistentVolumeClaim) -> Option<&str> {
    let status = claim.status.as_ref()?;
    Some(status.capacity.as_ref()?.get("storage")?.0.as_str())
}

// --- every example -------------------------------------------------------------------------------------------

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn every_file_in_examples_is_tested() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    let listed: Vec<&str> = EXAMPLES.iter().map(|(file, _)| *file).collect();
    assert_eq!(files, listed, "add the new example to EXAMPLES");
}

#[test]
fn every_example_parses_and_runs_to_its_until() {
    for (file, text) in EXAMPLES {
        let scenario = Scenario::parse(text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let run = Run::of(text);
        let commands = run
            .records
            .iter()
            .filter(|r| matches!(r, Record::Command { .. }))
            .count();
        assert_eq!(
            commands,
            scenario.steps.len() + 1,
            "{file}: the manifests and every step ran"
        );
        assert!(
            run.records.windows(2).all(|w| w[0].at() <= w[1].at()),
            "{file}: records in simulated-time order"
        );
        // A `kubectl run -i` at `until` runs past it, and END waits for it.
        assert!(
            matches!(run.records.last(), Some(Record::End { at }) if *at >= scenario.until),
            "{file}: END last, at or after until"
        );
        let initial = &run.records.iter().find_map(|r| match r {
            Record::Command { output, .. } => Some(output),
            _ => None,
        });
        assert_eq!(
            initial.map(|o| o.exit_code),
            Some(0),
            "{file}: the apiserver accepts the manifests: {initial:?}"
        );
    }
}

#[test]
fn every_example_gives_byte_identical_jsonl_when_run_twice() {
    for (file, text) in EXAMPLES {
        let first = Run::of(text).jsonl();
        assert!(first.lines().count() > 10, "{file} records something");
        assert!(first == Run::of(text).jsonl(), "{file} is deterministic");
    }
}

#[test]
fn every_example_written_out_reads_back_the_same() {
    for (file, text) in EXAMPLES {
        let scenario = Scenario::parse(text).unwrap();
        let written = scenario.to_yaml();
        let read = Scenario::parse(&written).unwrap_or_else(|e| panic!("{file}: {e}\n{written}"));
        assert_eq!(read, scenario, "{file}:\n{written}");
    }
}

#[test]
fn another_seed_puts_the_pods_elsewhere() {
    let placement = |text: &str| -> Vec<(String, String)> {
        Run::of(text)
            .final_pods()
            .values()
            .map(|p| {
                (
                    node_of(p).unwrap_or_default().to_string(),
                    pod_ip(p).unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    let text = example("rumpetroll.yaml");
    assert!(text.contains("\nseed: 0\n"));
    let reseeded = text.replace("\nseed: 0\n", "\nseed: 1\n");
    assert_ne!(placement(text), placement(&reseeded));
}

// --- seed 000: relay and rumpetroll --------------------------------------------------------------------------

#[test]
fn relay_creates_all_fifty_pods_at_once_and_leaves_them_to_their_missing_scheduler() {
    let run = Run::example("relay.yaml");
    let created_at_start: Vec<String> = run
        .pod_events()
        .filter(|(at, t, _)| *at == SimTime::ZERO && *t == WatchEventType::Added)
        .map(|(_, _, p)| p.metadata.name.clone().unwrap())
        .collect();
    let expected: Vec<String> = (0..50).map(|i| format!("relay-{i}")).collect();
    assert_eq!(created_at_start, expected);
    // schedulerName: tgw-domain-scheduler, which nobody runs: no pod is bound until the template drops it.
    let bound_early = run
        .pod_events()
        .filter(|(at, _, p)| *at < SimTime::from_secs(80) && node_of(p).is_some())
        .count();
    assert_eq!(bound_early, 0);
    // Parallel scale-down: relay-10 to relay-49 deleted in the same instant.
    let deleted_at_scale: Vec<SimTime> = run
        .pod_events()
        .filter(|(at, t, _)| {
            *t == WatchEventType::Deleted
                && *at >= SimTime::from_secs(60)
                && *at < SimTime::from_secs(70)
        })
        .map(|(at, _, _)| at)
        .collect();
    assert_eq!(deleted_at_scale, vec![SimTime::from_secs(60); 40]);
}

#[test]
fn relay_on_delete_updates_only_the_pods_deleted_by_hand() {
    let run = Run::example("relay.yaml");
    let set = run.final_set("default/relay");
    let status = set.status.unwrap();
    let (current, update) = (
        status.current_revision.unwrap(),
        status.update_revision.unwrap(),
    );
    assert_ne!(current, update, "the template changed twice");
    let pods = run.final_pods();
    assert_eq!(pods.len(), 10);
    for (key, pod) in &pods {
        let deleted_by_hand = key == "default/relay-0";
        let revision = get_pod_revision(pod);
        if deleted_by_hand {
            assert_eq!(revision, update, "{key}");
        } else if key == "default/relay-7" {
            // Deleted before the second template change: the first new revision, neither current nor update.
            assert!(revision != current && revision != update, "{key}");
        } else {
            assert_eq!(revision, current, "{key}");
        }
    }
    // No pod was replaced between the image change (20s) and the hand deletion (40s).
    assert!(run
        .pod_events()
        .filter(|(at, _, _)| (SimTime::from_secs(20)..SimTime::from_secs(40)).contains(at))
        .all(|(_, t, _)| t == WatchEventType::Modified));
    let relay0 = &pods["default/relay-0"];
    assert!(
        is_running_and_ready(relay0),
        "the default scheduler placed relay-0"
    );
}

#[test]
fn relay_host_network_pod_has_its_nodes_address() {
    let run = Run::example("relay.yaml");
    let relay0 = &run.final_pods()["default/relay-0"];
    let status = relay0.status.as_ref().unwrap();
    assert_eq!(status.pod_ip, status.host_ip);
}

#[test]
fn rumpetroll_rooms_come_up_in_order_and_keep_their_dns_name_across_a_restart() {
    let run = Run::example("rumpetroll.yaml");
    for room in 1..5 {
        assert!(
            run.added_at(&format!("rumpetrollv2-{room}"))
                >= run.ready_at(&format!("rumpetrollv2-{}", room - 1)),
            "OrderedReady: room {room} waits for room {}",
            room - 1
        );
    }
    let nslookup = "kubectl run -n rumpetroll-v2 -i --rm --image busybox:1.28.4 dns-test --restart=Never -- nslookup";
    let all = run.stdout(60, &format!("{nslookup} rumpetroll2"));
    for room in 0..5 {
        assert!(all.contains(&format!(
            " rumpetrollv2-{room}.rumpetroll2.rumpetroll-v2.svc.cluster.local\n"
        )));
    }
    let address = |text: &str| {
        text.lines()
            .rfind(|l| l.contains("rumpetrollv2-2.rumpetroll2"))
            .and_then(|l| l.split_whitespace().nth(2))
            .unwrap()
            .to_string()
    };
    let before = address(all);
    let after = address(run.stdout(150, &format!("{nslookup} rumpetrollv2-2.rumpetroll2")));
    let pod = &run.final_pods()["rumpetroll-v2/rumpetrollv2-2"];
    assert_eq!(pod_ip(pod), Some(after.as_str()), "DNS follows the new pod");
    assert_ne!(before, after, "the recreated room has a new IP");
}

// --- seed 001: zookeeper -------------------------------------------------------------------------------------

#[test]
fn zookeeper_spreads_over_three_nodes_and_a_fourth_member_stays_pending() {
    let run = Run::example("zookeeper.yaml");
    let pods = run.final_pods();
    let mut nodes: Vec<&str> = (0..3)
        .map(|i| {
            let pod = &pods[&format!("default/zk-{i}")];
            assert!(is_running_and_ready(pod), "zk-{i}");
            node_of(pod).unwrap()
        })
        .collect();
    nodes.sort();
    nodes.dedup();
    assert_eq!(
        nodes.len(),
        3,
        "required anti-affinity: one member per node"
    );
    assert_eq!(node_of(&pods["default/zk-3"]), None);
    let failed_scheduling = run
        .events(|o| match o {
            Object::Event(e) => Some(e.as_ref()),
            _ => None,
        })
        .any(|(_, _, e): (_, _, &Event)| {
            e.reason.as_deref() == Some("FailedScheduling")
                && e.involved_object.name.as_deref() == Some("zk-3")
                && e.message
                    .as_deref()
                    .unwrap_or_default()
                    .contains("anti-affinity")
        });
    assert!(failed_scheduling);
    // The readiness probe's initialDelaySeconds holds the next member back under OrderedReady.
    for i in 1..3 {
        let previous = format!("zk-{}", i - 1);
        let running = run
            .pod_events()
            .find(|(_, _, p)| {
                p.metadata.name.as_deref() == Some(previous.as_str())
                    && p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running")
            })
            .unwrap()
            .0;
        assert!(run.ready_at(&previous).as_millis() - running.as_millis() >= 10_000);
        assert!(run.added_at(&format!("zk-{i}")) >= run.ready_at(&previous));
    }
}

#[test]
fn zookeeper_per_pod_services_select_one_member_each() {
    let run = Run::example("zookeeper.yaml");
    let pods = run.final_pods();
    let slices = run.stdout(110, "kubectl get endpointslices");
    for (service, pod) in [
        ("zk-0-external", "zk-0"),
        ("zk-1-external", "zk-1"),
        ("zk-0-lb", "zk-0"),
    ] {
        let ip = pod_ip(&pods[&format!("default/{pod}")]).unwrap();
        let line = slices
            .lines()
            .find(|l| l.starts_with(&format!("{service}-")))
            .unwrap_or_else(|| panic!("{service} has a slice"));
        assert_eq!(line.split_whitespace().nth(3), Some(ip), "{line}");
    }
}

#[test]
fn zookeeper_node_port_services_show_their_node_ports() {
    let run = Run::example("zookeeper.yaml");
    let services = run.stdout(110, "kubectl get svc");
    for name in ["zk-0-external", "zk-1-external", "zk-0-lb"] {
        let line = services.lines().find(|l| l.starts_with(name)).unwrap();
        let ports = line.split_whitespace().nth(4).unwrap();
        assert!(ports.starts_with("2181:3"), "{line}");
    }
    let lb = services.lines().find(|l| l.starts_with("zk-0-lb")).unwrap();
    assert_eq!(lb.split_whitespace().nth(3), Some("<pending>"));
}

#[test]
fn zookeeper_fourth_member_fails_scheduling_with_upstreams_message() {
    let run = Run::example("zookeeper.yaml");
    let describe = run.stdout(180, "kubectl describe pod zk-3");
    assert!(describe.contains(
        "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod."
    ), "{describe}");
}

// --- seed 002: web over the my-sc volumes --------------------------------------------------------------------

#[test]
fn web_my_sc_binds_each_claim_to_its_volume_and_keeps_the_data_of_a_recreated_pod() {
    let run = Run::example("web-my-sc.yaml");
    let claims = run.final_claims();
    for i in 0..3 {
        let claim = &claims[&format!("default/stor-web-{i}")];
        assert_eq!(volume_of(claim), Some(format!("mypv{}", i + 1).as_str()));
    }
    let pvc = run.stdout(240, "kubectl get pvc");
    assert!(
        pvc.contains("stor-web-0   Bound    mypv1    1Gi        RWO            my-sc"),
        "{pvc}"
    );
    // The recreated web-1 has a new IP behind the same name, and the file on its volume.
    let nslookup =
        "kubectl run -i --rm --image busybox:1.28.4 dns-test --restart=Never -- nslookup";
    let everyone = run.stdout(250, &format!("{nslookup} nginx"));
    let renewed = run.stdout(320, &format!("{nslookup} web-1.nginx"));
    let web1 = |text: &str| {
        text.lines()
            .find(|l| l.ends_with(" web-1.nginx.default.svc.cluster.local"))
            .unwrap()
            .to_string()
    };
    assert_ne!(web1(everyone), web1(renewed));
    let ls = "kubectl exec web-1 -- ls /usr/share/nginx/html";
    assert_eq!(run.stdout(330, ls), "newfile\n");
    assert_eq!(
        run.stdout(480, ls),
        "newfile\n",
        "the Parallel set reuses the claims"
    );
}

#[test]
fn web_my_sc_scales_down_from_the_highest_ordinal_one_pod_at_a_time() {
    let run = Run::example("web-my-sc.yaml");
    let window = SimTime::from_secs(340)..SimTime::from_secs(400);
    // (name, when its deletion began, when it was gone)
    let mut terminations: Vec<(String, SimTime, SimTime)> = Vec::new();
    for (at, event_type, pod) in run.pod_events().filter(|(at, _, _)| window.contains(at)) {
        let name = pod.metadata.name.clone().unwrap();
        match event_type {
            WatchEventType::Deleted => {
                terminations.iter_mut().find(|t| t.0 == name).unwrap().2 = at;
            }
            _ if pod.metadata.deletion_timestamp.is_some()
                && !terminations.iter().any(|t| t.0 == name) =>
            {
                terminations.push((name, at, SimTime(u64::MAX)));
            }
            _ => {}
        }
    }
    let order: Vec<&str> = terminations.iter().map(|t| t.0.as_str()).collect();
    assert_eq!(order, ["web-2", "web-1", "web-0"]);
    for pair in terminations.windows(2) {
        assert!(
            pair[1].1 >= pair[0].2,
            "{} began before {} was gone",
            pair[1].0,
            pair[0].0
        );
    }
    let parallel_start: Vec<SimTime> = run
        .pod_events()
        .filter(|(at, t, _)| *t == WatchEventType::Added && *at >= SimTime::from_secs(420))
        .map(|(at, _, _)| at)
        .collect();
    assert_eq!(parallel_start, vec![SimTime::from_secs(420); 3]);
}

// --- seed 003: web identity and storage ----------------------------------------------------------------------

#[test]
fn web_identity_keeps_the_name_of_a_recreated_pod_and_refuses_new_claim_templates() {
    let run = Run::example("web-identity.yaml");
    let nslookup = "kubectl run -i --rm --image busybox:1.28.4 dns-test --restart=Never -- nslookup web-0.nginx";
    let address = |text: &str| {
        text.lines()
            .find(|l| l.ends_with(" web-0.nginx.default.svc.cluster.local"))
            .unwrap()
            .to_string()
    };
    let (before, after) = (
        address(run.stdout(30, nslookup)),
        address(run.stdout(80, nslookup)),
    );
    assert_ne!(before, after, "a new IP behind the same name");
    assert_eq!(run.stdout(40, "kubectl exec web-1 -- hostname"), "web-1\n");
    let refused = run.output(90, "kubectl apply -f -");
    assert_eq!(refused.exit_code, 1);
    assert!(refused.stderr.starts_with(
        "The StatefulSet \"web\" is invalid: spec: Forbidden: updates to statefulset spec"
    ));
}

#[test]
fn web_identity_recreated_pod_reads_the_file_its_predecessor_wrote() {
    let run = Run::example("web-identity.yaml");
    // Deleting the set lets the garbage collector delete both storage-less pods at once.
    let collected: Vec<SimTime> = run
        .pod_events()
        .filter(|(at, _, p)| {
            (SimTime::from_secs(100)..SimTime::from_secs(110)).contains(at)
                && p.metadata.deletion_timestamp.is_some()
        })
        .map(|(at, _, _)| at)
        .take(2)
        .collect();
    assert_eq!(collected, vec![SimTime::from_secs(100); 2]);
    let web0 = &run.final_pods()["default/web-0"];
    assert!(web0
        .spec
        .as_ref()
        .unwrap()
        .volumes
        .iter()
        .flatten()
        .any(|v| v.name == "www"));
    assert_eq!(
        run.stdout(
            210,
            "kubectl exec web-0 -- cat /usr/share/nginx/html/index.html"
        ),
        "hello from web-0\n"
    );
}

// --- seed 004: myapp over five static volumes ----------------------------------------------------------------

#[test]
fn myapp_claims_bind_smallest_fit_as_the_notes_show() {
    let run = Run::example("myapp.yaml");
    let claims = run.final_claims();
    let bound = |name: &str| {
        let claim = &claims[&format!("default/{name}")];
        (volume_of(claim).unwrap(), capacity_of(claim).unwrap())
    };
    assert_eq!(bound("myappdata-myapp-0"), ("pv003", "2Gi"));
    assert_eq!(bound("myappdata-myapp-1"), ("pv002", "5Gi"));
    let volumes = run.final_volumes();
    let phases: Vec<(&str, &str)> = volumes
        .iter()
        .map(|(name, v)| (name.trim_start_matches('/'), phase_of_volume(v).unwrap()))
        .collect();
    assert_eq!(
        phases,
        [
            ("pv001", "Available"),
            ("pv002", "Bound"),
            ("pv003", "Bound"),
            ("pv004", "Available"),
            ("pv005", "Available"),
        ]
    );
    let apply = run.stdout(660, "kubectl apply -f -");
    assert_eq!(
        apply,
        "service/myapp unchanged\nstatefulset.apps/myapp created\n"
    );
    let typo = run.output(780, "kubectl get pds");
    assert_eq!(
        (typo.exit_code, typo.stderr.as_str()),
        (
            1,
            "error: the server doesn't have a resource type \"pds\"\n"
        )
    );
}

#[test]
fn myapp_volumes_print_their_access_modes_in_kubectls_order() {
    let run = Run::example("myapp.yaml");
    let pv = run.stdout(780, "kubectl get pv");
    assert!(pv.contains("pv003   2Gi        RWO,RWX        Retain           Bound       default/myappdata-myapp-0"), "{pv}");
}

// --- teaching by failure: the scenarios that are not from a seed ---------------------------------------------

/// `NAME STATUS` of each row of a `kubectl get pods` table, and the last column when asked (`-L` labels).
fn rows(table: &str) -> Vec<(String, String, String)> {
    table
        .lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split_whitespace().collect();
            (
                cells[0].to_string(),
                cells[2].to_string(),
                cells.last().unwrap().to_string(),
            )
        })
        .collect()
}

fn image_of(pod: &Pod) -> &str {
    pod.spec.as_ref().unwrap().containers[0]
        .image
        .as_deref()
        .unwrap()
}

#[test]
fn stuck_rollout_stays_stuck_after_the_undo_until_the_broken_pod_is_deleted() {
    let run = Run::example("stuck-rollout.yaml");
    let broken = rows(run.stdout(120, "kubectl get pods"));
    assert_eq!(
        broken[2].0, "web-2",
        "the rollout replaced the highest ordinal first"
    );
    assert_eq!(broken[2].1, "ImagePullBackOff");
    assert_eq!(
        (broken[0].1.as_str(), broken[1].1.as_str()),
        ("Running", "Running")
    );
    assert_eq!(
        run.stdout(120, "kubectl rollout undo statefulset/web"),
        "statefulset.apps/web rolled back\n"
    );
    // Two minutes after the undo nothing has moved: the controller waits for web-2 to be Ready first.
    let after_undo = rows(run.stdout(240, "kubectl get pods"));
    assert_eq!(after_undo[2].1, "ImagePullBackOff");
    let web_2_events: Vec<SimTime> = run
        .pod_events()
        .filter(|(_, t, pod)| {
            *t == WatchEventType::Added && pod.metadata.name.as_deref() == Some("web-2")
        })
        .map(|(at, _, _)| at)
        .collect();
    assert!(
        web_2_events
            .iter()
            .all(|at| *at < SimTime::from_secs(120) || *at >= SimTime::from_secs(240)),
        "no web-2 was created between the undo and the deletion: {web_2_events:?}"
    );
    let pods = run.final_pods();
    assert!(pods.values().all(|p| image_of(p) == "nginx:1.9.1"));
    assert!(pods.values().all(is_running_and_ready));
    let set = run.final_set("default/web");
    let status = set.status.unwrap();
    assert_eq!(status.current_revision, status.update_revision);
}

#[test]
fn partition_canary_updates_only_ordinals_at_or_above_the_partition_until_it_is_lowered() {
    let run = Run::example("partition-canary.yaml");
    let revisions = |at| {
        rows(run.stdout(at, "kubectl get pods -L controller-revision-hash"))
            .into_iter()
            .map(|(name, _, revision)| (name, revision))
            .collect::<Vec<_>>()
    };
    let canary = revisions(120);
    let (old, new) = (&canary[0].1, &canary[4].1);
    assert_ne!(old, new);
    let on_new: Vec<&str> = canary
        .iter()
        .filter(|(_, r)| r == new)
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(on_new, ["web-3", "web-4"]);
    // web-1, deleted below the partition, comes back from the current revision: deleted at 150 s and Ready
    // again before the partition is lowered at 200 s.
    let web_1_at_190 = run
        .pod_events()
        .filter(|(at, _, pod)| {
            *at < SimTime::from_secs(200) && pod.metadata.name.as_deref() == Some("web-1")
        })
        .last()
        .map(|(_, _, pod)| get_pod_revision(pod).to_string())
        .unwrap();
    assert_eq!(&web_1_at_190, old);
    let done = revisions(300);
    assert!(done.iter().all(|(_, r)| r == new), "{done:?}");
}

#[test]
fn ondelete_replaces_only_the_pod_deleted_by_hand() {
    let run = Run::example("ondelete.yaml");
    let before = rows(run.stdout(120, "kubectl get pods -L controller-revision-hash"));
    assert!(before.iter().all(|(_, _, r)| *r == before[0].2));
    let after = rows(run.stdout(180, "kubectl get pods -L controller-revision-hash"));
    let old = &before[0].2;
    let changed: Vec<&str> = after
        .iter()
        .filter(|(_, _, r)| r != old)
        .map(|(n, _, _)| n.as_str())
        .collect();
    assert_eq!(changed, ["web-1"]);
    let status = run.final_set("default/web").status.unwrap();
    assert_ne!(status.current_revision, status.update_revision);
    assert_eq!(status.updated_replicas, Some(1));
}

#[test]
fn pvc_retention_deletes_claims_on_scale_down_and_keeps_them_when_the_set_is_deleted() {
    let run = Run::example("pvc-retention.yaml");
    let claims = |at| -> Vec<String> {
        rows(run.stdout(at, "kubectl get pvc"))
            .into_iter()
            .map(|(name, _, _)| name)
            .collect()
    };
    assert_eq!(claims(120), ["www-web-0"]);
    assert_eq!(claims(180), ["www-web-0"]);
    assert!(run.final_pods().is_empty());
    let volumes = run.final_volumes();
    assert_eq!(
        volumes.len(),
        1,
        "the volumes of the deleted claims were reclaimed"
    );
}

#[test]
fn ordinals_start_numbers_from_start_and_moving_it_creates_before_it_deletes() {
    let run = Run::example("ordinals-start.yaml");
    let names = |at| -> Vec<String> {
        rows(run.stdout(at, "kubectl get pods"))
            .into_iter()
            .map(|(name, _, _)| name)
            .collect()
    };
    assert_eq!(names(60), ["web-1", "web-2", "web-3"]);
    assert_eq!(names(120), ["web-0", "web-1", "web-2"]);
    assert!(
        run.ready_at("web-0") <= run.deleted_at("web-3"),
        "OrderedReady: web-0 is Ready before web-3 goes"
    );
    // Claims outlive the pods that leave the range (the default retention is Retain).
    assert!(run.final_claims().contains_key("default/www-web-3"));
}

#[test]
fn parallel_scales_all_at_once_but_still_rolls_one_pod_at_a_time() {
    let run = Run::example("parallel.yaml");
    let created =
        |names: &[&str]| -> Vec<SimTime> { names.iter().map(|n| run.added_at(n)).collect() };
    assert_eq!(created(&["web-0", "web-1", "web-2"]), [SimTime::ZERO; 3]);
    let [web_3, web_4] = created(&["web-3", "web-4"])[..] else {
        unreachable!()
    };
    assert_eq!(web_3, web_4, "web-3 and web-4 are created in one sync");
    let deletions = |from: u64, to: u64| -> Vec<(SimTime, String)> {
        run.pod_events()
            .filter(|(at, t, pod)| {
                *t == WatchEventType::Modified
                    && (SimTime::from_secs(from)..SimTime::from_secs(to)).contains(at)
                    && pod.metadata.deletion_timestamp.is_some()
            })
            .map(|(at, _, pod)| (at, pod.metadata.name.clone().unwrap()))
            .fold(Vec::new(), |mut marked, (at, name)| {
                if !marked.iter().any(|(_, n)| *n == name) {
                    marked.push((at, name));
                }
                marked
            })
    };
    let rolled = deletions(60, 180);
    let order: Vec<&str> = rolled.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(order, ["web-4", "web-3", "web-2", "web-1", "web-0"]);
    for pair in rolled.windows(2) {
        let (replaced, next) = (&pair[0].1, pair[1].0);
        let back_ready = run
            .pod_events()
            .find(|(at, _, p)| {
                *at > pair[0].0
                    && p.metadata.name.as_ref() == Some(replaced)
                    && is_running_and_ready(p)
            })
            .map(|(at, _, _)| at)
            .unwrap();
        assert!(
            back_ready <= next,
            "{replaced} is Ready again before the next pod goes"
        );
    }
    let scaled_down = deletions(180, 240);
    assert_eq!(scaled_down.len(), 4);
    assert!(
        scaled_down.iter().all(|(at, _)| *at == scaled_down[0].0),
        "{scaled_down:?}"
    );
    assert_eq!(rows(run.stdout(240, "kubectl get pods"))[0].0, "web-0");
    assert_eq!(rows(run.stdout(240, "kubectl get pods")).len(), 1);
}

#[test]
fn node_down_leaves_its_pod_terminating_until_the_node_comes_back() {
    let run = Run::example("node-down.yaml");
    let before = run.state_until(Some(SimTime::from_secs(59)), |o| match o {
        Object::Pod(p) => Some(p.as_ref()),
        _ => None,
    });
    let lost: Vec<&String> = before
        .iter()
        .filter(|(_, p)| node_of(p) == Some("kind-worker2"))
        .map(|(name, _)| name)
        .collect();
    assert_eq!(lost, ["default/web-0"]);
    let wide = rows(run.stdout(480, "kubectl get pods -o wide"));
    assert_eq!(
        (wide[0].0.as_str(), wide[0].1.as_str()),
        ("web-0", "Terminating")
    );
    let pods = run.final_pods();
    assert!(pods.values().all(is_running_and_ready));
    assert_ne!(
        pod_ip(&pods["default/web-0"]),
        pod_ip(&before["default/web-0"])
    );
}

/// `ordinal run` and the page's timeline carry out a script through the same code: every example, run both
/// ways to its `until`, prints the same for every step and ends with the same objects in the store.
#[test]
fn every_example_runs_the_same_as_a_file_and_on_the_page_timeline() {
    use ordinal_sim::store::WatchEventType;
    use ordinal_sim::timeline::Timeline;
    for (file, text) in EXAMPLES {
        let scenario = Scenario::parse(text).unwrap();
        let run = Run::of(text);
        let mut objects = BTreeMap::new();
        let mut printed = Vec::new();
        for record in &run.records {
            match record {
                Record::Watch(event) => {
                    let key = (event.object.kind(), ObjectKey::of(event.object.metadata()));
                    if event.event_type == WatchEventType::Deleted {
                        objects.remove(&key);
                    } else {
                        objects.insert(key, event.object.to_json());
                    }
                }
                // The timeline reports the steps reached after t = 0, the instant it opens at.
                Record::Command {
                    at,
                    command,
                    output,
                } if *at > SimTime::ZERO => printed.push((command.clone(), output.clone())),
                // Each is also in its command's record.
                Record::Command { .. } | Record::Output { .. } | Record::End { .. } => {}
            }
        }
        let mut timeline = Timeline::from_scenario(&scenario);
        timeline.seek(scenario.until);
        let reached: Vec<(String, CommandOutput)> = timeline
            .take_reached()
            .into_iter()
            .map(|r| (r.step.action.command(), r.output))
            .collect();
        assert_eq!(reached, printed, "{file}: the steps printed the same");
        let stored: BTreeMap<_, _> = timeline
            .cluster()
            .store()
            .objects()
            .map(|o| ((o.kind(), ObjectKey::of(o.metadata())), o.to_json()))
            .collect();
        assert!(!objects.is_empty(), "{file} stores objects");
        assert!(
            stored == objects,
            "{file}: the same objects at {:?}",
            scenario.until
        );
    }
}
