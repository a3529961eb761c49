//! The kubelet, the node lifecycle and taint eviction controllers, and fault injection, driven through real
//! simulation: every STATUS kubectl prints is reached by running a cluster, not by building a pod by hand.

use k8s_openapi::api::core::v1::{Event, Node, Pod};
use ordinal_sim::config::ImageBehaviour;
use ordinal_sim::controller::statefulset::utils::is_running_and_ready;
use ordinal_sim::kubectl;
use ordinal_sim::kubectl::Apply;
use ordinal_sim::scenario::{Record, Scenario};
use ordinal_sim::view::PodRow;
use ordinal_sim::{Cluster, ClusterConfig, Fault, Object, ObjectKey, SimTime};

const WEB: &str = include_str!("../../../examples/web.yaml");

fn cluster(images: &[(&str, ImageBehaviour)]) -> Cluster {
    let mut config = ClusterConfig::default();
    for (image, behaviour) in images {
        config.images.insert((*image).into(), behaviour.clone());
    }
    Cluster::new(config)
}

fn exits(code: i32, after_secs: u64) -> ImageBehaviour {
    ImageBehaviour {
        pull_fails: false,
        exit: Some((code, SimTime::from_secs(after_secs))),
    }
}

fn broken() -> ImageBehaviour {
    ImageBehaviour {
        pull_fails: true,
        exit: None,
    }
}

/// A bare pod; `spec` and `container` are extra YAML lines for the pod spec and its one container `app`.
fn pod_manifest(name: &str, image: &str, spec: &str, container: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n{spec}  containers:\n  - name: app\n    image: {image}\n{container}"
    )
}

fn key(name: &str) -> ObjectKey {
    ObjectKey::new("default", name)
}

fn pod<'a>(cluster: &'a Cluster, name: &str) -> &'a Pod {
    cluster
        .store()
        .get::<Pod>(&key(name))
        .unwrap_or_else(|| panic!("pod {name} exists"))
}

fn status(cluster: &Cluster, name: &str) -> String {
    PodRow::of(pod(cluster, name)).status
}

fn uid(cluster: &Cluster, name: &str) -> String {
    pod(cluster, name).metadata.uid.clone().unwrap()
}

fn condition(pod: &Pod, type_: &str) -> Option<(String, SimTime)> {
    pod.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == type_)
        .map(|c| {
            (
                c.status.clone(),
                SimTime::from_k8s(c.last_transition_time.as_ref().unwrap()),
            )
        })
}

fn restarts(cluster: &Cluster, name: &str) -> i32 {
    pod(cluster, name)
        .status
        .iter()
        .flat_map(|s| s.container_statuses.iter().flatten())
        .map(|c| c.restart_count)
        .sum()
}

/// Runs to `until` and returns each STATUS kubectl showed for `name` on the way, with when it first showed
/// (repeats folded), starting with what the journal holds from before.
fn watch_status(cluster: &mut Cluster, name: &str, until: SimTime) -> Vec<(SimTime, String)> {
    let mut seen: Vec<(SimTime, String)> = Vec::new();
    let mut collect = |cluster: &mut Cluster| {
        for event in cluster.take_journal() {
            if let Object::Pod(pod) = &event.object {
                if pod.metadata.name.as_deref() == Some(name) {
                    let status = PodRow::of(pod).status;
                    if seen.last().map(|(_, s)| s) != Some(&status) {
                        seen.push((event.at, status));
                    }
                }
            }
        }
    };
    collect(cluster);
    while let Some(at) = cluster.next_event_at().filter(|at| *at <= until) {
        cluster.run_until(at);
        collect(cluster);
    }
    cluster.run_until(until);
    collect(cluster);
    seen
}

fn statuses(seen: &[(SimTime, String)]) -> Vec<&str> {
    seen.iter().map(|(_, s)| s.as_str()).collect()
}

/// Runs to `until` and returns the instants at which an event with `reason` about `name` was recorded.
fn watch_events(cluster: &mut Cluster, name: &str, reason: &str, until: SimTime) -> Vec<SimTime> {
    let mut times = Vec::new();
    let mut collect = |cluster: &mut Cluster| {
        for event in cluster.take_journal() {
            if let Object::Event(e) = &event.object {
                if e.involved_object.name.as_deref() == Some(name)
                    && e.reason.as_deref() == Some(reason)
                {
                    times.push(event.at);
                }
            }
        }
    };
    collect(cluster);
    while let Some(at) = cluster.next_event_at().filter(|at| *at <= until) {
        cluster.run_until(at);
        collect(cluster);
    }
    cluster.run_until(until);
    collect(cluster);
    times
}

fn event_messages(cluster: &Cluster, name: &str, reason: &str) -> Vec<String> {
    cluster
        .store()
        .list::<Event>()
        .filter(|e| {
            e.involved_object.name.as_deref() == Some(name) && e.reason.as_deref() == Some(reason)
        })
        .map(|e| e.message.clone().unwrap_or_default())
        .collect()
}

fn secs(t: SimTime) -> f64 {
    t.as_secs_f64()
}

#[test]
fn a_plain_pod_goes_pending_container_creating_running() {
    let mut cluster = cluster(&[]);
    cluster
        .apply(&pod_manifest("plain", "nginx:1.27", "", ""))
        .unwrap();
    let seen = watch_status(&mut cluster, "plain", SimTime::from_secs(30));
    assert_eq!(statuses(&seen), ["Pending", "ContainerCreating", "Running"]);
    assert!(is_running_and_ready(pod(&cluster, "plain")));
    assert_eq!(PodRow::of(pod(&cluster, "plain")).ready.to_string(), "1/1");
}

#[test]
fn an_unschedulable_pod_stays_pending() {
    let mut cluster = cluster(&[]);
    let spec = "  nodeSelector:\n    disk: ssd\n";
    cluster
        .apply(&pod_manifest("picky", "nginx:1.27", spec, ""))
        .unwrap();
    cluster.run_until(SimTime::from_secs(120));
    assert_eq!(status(&cluster, "picky"), "Pending");
}

#[test]
fn init_containers_run_one_after_the_other_to_completion() {
    let mut cluster = cluster(&[]);
    let spec = "  initContainers:\n  - name: init-a\n    image: busybox:1.36\n  - name: init-b\n    image: busybox:1.36\n";
    cluster
        .apply(&pod_manifest("seq", "nginx:1.27", spec, ""))
        .unwrap();
    let seen = watch_status(&mut cluster, "seq", SimTime::from_secs(60));
    assert_eq!(
        statuses(&seen),
        [
            "Pending",
            "Init:0/2",
            "Init:1/2",
            "PodInitializing",
            "Running"
        ]
    );
    let status = pod(&cluster, "seq").status.clone().unwrap();
    let inits = status.init_container_statuses.unwrap();
    let finished = |i: usize| inits[i].state.as_ref().unwrap().terminated.clone().unwrap();
    assert_eq!((finished(0).exit_code, finished(1).exit_code), (0, 0));
    assert!(
        finished(0).finished_at <= finished(1).started_at,
        "init-b starts only after init-a completed"
    );
    assert_eq!(
        condition(pod(&cluster, "seq"), "Initialized").unwrap().0,
        "True"
    );
}

#[test]
fn a_single_init_container_shows_init_0_of_1() {
    let mut cluster = cluster(&[]);
    let spec = "  initContainers:\n  - name: init\n    image: busybox:1.36\n";
    cluster
        .apply(&pod_manifest("one", "nginx:1.27", spec, ""))
        .unwrap();
    let seen = watch_status(&mut cluster, "one", SimTime::from_secs(60));
    assert_eq!(
        statuses(&seen),
        ["Pending", "Init:0/1", "PodInitializing", "Running"]
    );
}

#[test]
fn a_failing_init_container_crash_loops_and_the_app_never_starts() {
    let mut cluster = cluster(&[("busybox:fail", exits(1, 2))]);
    let spec = "  initContainers:\n  - name: migrate\n    image: busybox:fail\n";
    cluster
        .apply(&pod_manifest("stuck", "nginx:1.27", spec, ""))
        .unwrap();
    let seen = watch_status(&mut cluster, "stuck", SimTime::from_secs(180));
    let shown = statuses(&seen);
    let error = shown.iter().position(|s| *s == "Init:Error").unwrap();
    let loop_at = shown
        .iter()
        .position(|s| *s == "Init:CrashLoopBackOff")
        .unwrap();
    assert!(error < loop_at, "{shown:?}");
    assert!(!shown.contains(&"Running"), "{shown:?}");
    let pod = pod(&cluster, "stuck");
    assert_eq!(
        pod.status.as_ref().unwrap().phase.as_deref(),
        Some("Pending")
    );
    let init = &pod
        .status
        .as_ref()
        .unwrap()
        .init_container_statuses
        .as_ref()
        .unwrap()[0];
    assert!(init.restart_count >= 3, "{}", init.restart_count);
    let app = &pod
        .status
        .as_ref()
        .unwrap()
        .container_statuses
        .as_ref()
        .unwrap()[0];
    assert_eq!(
        app.state
            .as_ref()
            .unwrap()
            .waiting
            .as_ref()
            .unwrap()
            .reason
            .as_deref(),
        Some("PodInitializing")
    );
}

#[test]
fn a_broken_image_backs_off_ten_seconds_doubling_to_five_minutes() {
    let mut cluster = cluster(&[("nginx:broken", broken())]);
    cluster
        .apply(&pod_manifest("bad", "nginx:broken", "", ""))
        .unwrap();
    let pulls = watch_events(&mut cluster, "bad", "Pulling", SimTime::from_secs(1800));
    let gaps: Vec<f64> = pulls.windows(2).map(|w| secs(w[1]) - secs(w[0])).collect();
    let expected = [10.0, 20.0, 40.0, 80.0, 160.0, 300.0, 300.0];
    assert!(gaps.len() >= expected.len(), "{gaps:?}");
    for (gap, backoff) in gaps.iter().zip(expected) {
        // The pull is retried at the first pod-worker sync after the backoff, syncs being 10-15 s apart.
        assert!(
            *gap >= backoff && *gap <= backoff + 15.0 + 1.5,
            "gap {gap} for backoff {backoff}: {gaps:?}"
        );
    }
    assert_eq!(status(&cluster, "bad").as_str(), "ImagePullBackOff");
    let pod = pod(&cluster, "bad");
    assert_eq!(
        pod.status.as_ref().unwrap().phase.as_deref(),
        Some("Pending")
    );
    assert!(!is_running_and_ready(pod));
}

#[test]
fn a_broken_image_shows_err_image_pull_then_image_pull_back_off_with_upstream_events() {
    let mut cluster = cluster(&[("nginx:broken", broken())]);
    cluster
        .apply(&pod_manifest("bad", "nginx:broken", "", ""))
        .unwrap();
    let seen = watch_status(&mut cluster, "bad", SimTime::from_secs(120));
    assert_eq!(
        statuses(&seen)[..4],
        [
            "Pending",
            "ContainerCreating",
            "ErrImagePull",
            "ImagePullBackOff"
        ]
    );
    let failed = event_messages(&cluster, "bad", "Failed");
    assert!(failed.contains(&"Failed to pull image \"nginx:broken\": rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/nginx:broken\": failed to resolve reference \"docker.io/library/nginx:broken\": docker.io/library/nginx:broken: not found".to_string()), "{failed:?}");
    assert!(failed.contains(&"Error: ErrImagePull".to_string()));
    assert!(failed.contains(&"Error: ImagePullBackOff".to_string()));
    assert_eq!(
        event_messages(&cluster, "bad", "BackOff"),
        ["Back-off pulling image \"nginx:broken\""]
    );
    assert_eq!(
        event_messages(&cluster, "bad", "Pulling"),
        ["Pulling image \"nginx:broken\""]
    );
}

#[test]
fn a_good_pull_and_start_record_the_upstream_events() {
    let mut cluster = cluster(&[]);
    cluster
        .apply(&pod_manifest("good", "nginx:1.27", "", ""))
        .unwrap();
    cluster.run_until(SimTime::from_secs(30));
    let pulled = event_messages(&cluster, "good", "Pulled");
    assert_eq!(pulled.len(), 1);
    assert!(
        pulled[0].starts_with("Successfully pulled image \"nginx:1.27\" in ")
            && pulled[0].contains(" including waiting). Image size: ")
            && pulled[0].ends_with(" bytes."),
        "{pulled:?}"
    );
    assert_eq!(
        event_messages(&cluster, "good", "Created"),
        ["Created container: app"]
    );
    assert_eq!(
        event_messages(&cluster, "good", "Started"),
        ["Started container app"]
    );
    let output = kubectl::run(&mut cluster, "kubectl delete pod good --wait=false", "");
    assert_eq!(output.exit_code, 0, "{output:?}");
    assert_eq!(status(&cluster, "good"), "Terminating");
    assert_eq!(
        event_messages(&cluster, "good", "Killing"),
        ["Stopping container app"]
    );
    cluster.run_until(SimTime::from_secs(40));
    assert!(cluster.store().get::<Pod>(&key("good")).is_none());
}

#[test]
fn a_crashing_container_restarts_with_backoff_10_20_40() {
    let mut cluster = cluster(&[("app:crashy", exits(1, 5))]);
    cluster
        .apply(&pod_manifest("crashy", "app:crashy", "", ""))
        .unwrap();
    let seen = watch_status(&mut cluster, "crashy", SimTime::from_secs(300));
    let shown = statuses(&seen);
    assert!(shown.contains(&"Error"), "{shown:?}");
    assert!(shown.contains(&"CrashLoopBackOff"), "{shown:?}");
    let pod = pod(&cluster, "crashy");
    assert_eq!(
        pod.status.as_ref().unwrap().phase.as_deref(),
        Some("Running")
    );
    let container = &pod
        .status
        .as_ref()
        .unwrap()
        .container_statuses
        .as_ref()
        .unwrap()[0];
    let last = container
        .last_state
        .as_ref()
        .unwrap()
        .terminated
        .as_ref()
        .unwrap();
    assert_eq!((last.exit_code, last.reason.as_deref()), (1, Some("Error")));
    let backoff = event_messages(&cluster, "crashy", "BackOff");
    assert_eq!(
        backoff,
        [format!(
            "Back-off restarting failed container app in pod crashy_default({})",
            uid(&cluster, "crashy")
        )]
    );
}

#[test]
fn crash_loop_restarts_wait_for_the_doubling_backoff() {
    let mut cluster = cluster(&[("app:crashy", exits(1, 5))]);
    cluster
        .apply(&pod_manifest("crashy", "app:crashy", "", ""))
        .unwrap();
    let starts = watch_events(&mut cluster, "crashy", "Started", SimTime::from_secs(1200));
    // Each instance runs 5 s; the first restart is immediate, then 10 s, 20 s, 40 s ... of backoff, each
    // noticed at the next pod-worker sync (10-15 s apart) and followed by a start of under a second.
    let waits: Vec<f64> = starts
        .windows(2)
        .map(|w| secs(w[1]) - secs(w[0]) - 5.0)
        .collect();
    let expected = [0.0, 10.0, 20.0, 40.0, 80.0, 160.0, 300.0];
    assert!(waits.len() >= expected.len(), "{waits:?}");
    for (wait, backoff) in waits.iter().zip(expected) {
        assert!(
            *wait >= backoff && *wait <= backoff + 16.0,
            "wait {wait} for backoff {backoff}: {waits:?}"
        );
    }
    let message = pod(&cluster, "crashy")
        .status
        .as_ref()
        .unwrap()
        .container_statuses
        .as_ref()
        .unwrap()[0]
        .state
        .clone()
        .unwrap()
        .waiting
        .and_then(|w| w.message);
    if let Some(message) = message {
        assert!(
            message
                .starts_with("back-off 5m0s restarting failed container=app pod=crashy_default("),
            "{message}"
        );
    }
    assert_eq!(restarts(&cluster, "crashy") as usize, starts.len() - 1);
}

#[test]
fn the_crash_loop_backoff_resets_after_ten_minutes_of_running() {
    let mut cluster = cluster(&[("app:slow-leak", exits(1, 11 * 60))]);
    cluster
        .apply(&pod_manifest("leaky", "app:slow-leak", "", ""))
        .unwrap();
    let seen = watch_status(&mut cluster, "leaky", SimTime::from_secs(40 * 60));
    assert!(!statuses(&seen).contains(&"CrashLoopBackOff"), "{seen:?}");
    assert_eq!(restarts(&cluster, "leaky"), 3);
}

#[test]
fn exit_zero_under_restart_always_shows_completed_and_still_restarts() {
    let mut cluster = cluster(&[("job:latest", exits(0, 3))]);
    cluster
        .apply(&pod_manifest("oneshot", "job:latest", "", ""))
        .unwrap();
    let seen = watch_status(&mut cluster, "oneshot", SimTime::from_secs(120));
    let shown = statuses(&seen);
    assert!(shown.contains(&"Completed"), "{shown:?}");
    assert!(shown.contains(&"CrashLoopBackOff"), "{shown:?}");
    assert!(restarts(&cluster, "oneshot") >= 2);
    // `:latest` defaults to pull policy Always: every start pulls again.
    let pulls = event_messages(&cluster, "oneshot", "Pulling");
    assert_eq!(pulls, ["Pulling image \"job:latest\""]);
    let count = cluster
        .store()
        .list::<Event>()
        .find(|e| {
            e.involved_object.name.as_deref() == Some("oneshot")
                && e.reason.as_deref() == Some("Pulling")
        })
        .and_then(|e| e.count)
        .unwrap();
    assert_eq!(count, restarts(&cluster, "oneshot") + 1);
}

#[test]
fn restart_policy_never_ends_completed_or_error() {
    let mut cluster = cluster(&[("job:ok", exits(0, 3)), ("job:fail", exits(2, 3))]);
    let never = "  restartPolicy: Never\n";
    cluster
        .apply(&pod_manifest("ok", "job:ok", never, ""))
        .unwrap();
    cluster
        .apply(&pod_manifest("fail", "job:fail", never, ""))
        .unwrap();
    cluster.run_until(SimTime::from_secs(60));
    assert_eq!(status(&cluster, "ok"), "Completed");
    assert_eq!(status(&cluster, "fail"), "Error");
    let phase = |name: &str| pod(&cluster, name).status.clone().unwrap().phase.unwrap();
    assert_eq!(
        (phase("ok").as_str(), phase("fail").as_str()),
        ("Succeeded", "Failed")
    );
    assert_eq!(
        (restarts(&cluster, "ok"), restarts(&cluster, "fail")),
        (0, 0)
    );
}

const PROBED: &str = "    readinessProbe:\n      httpGet:\n        path: /\n        port: 80\n      initialDelaySeconds: 5\n      periodSeconds: 10\n      successThreshold: 2\n      failureThreshold: 3\n";

/// When the probed pod's container started, to the millisecond, from the watch stream.
fn started_at(cluster: &mut Cluster, name: &str, until: SimTime) -> SimTime {
    let seen = watch_status(cluster, name, until);
    seen.iter()
        .find(|(_, s)| s == "Running")
        .map(|(at, _)| *at)
        .expect("the pod runs")
}

#[test]
fn readiness_waits_for_success_threshold_and_drops_after_failure_threshold() {
    let mut cluster = cluster(&[]);
    cluster
        .apply(&pod_manifest("probed", "nginx:1.27", "", PROBED))
        .unwrap();
    let start = started_at(&mut cluster, "probed", SimTime::from_secs(14));
    assert_eq!(PodRow::of(pod(&cluster, "probed")).ready.to_string(), "0/1");
    // Probes at start+5 and start+15: the second success makes it ready.
    cluster.run_until(start.plus_millis(14_999));
    assert_eq!(
        condition(pod(&cluster, "probed"), "Ready").unwrap().0,
        "False"
    );
    cluster.run_until(start.plus_secs(15));
    let (ready, since) = condition(pod(&cluster, "probed"), "Ready").unwrap();
    assert_eq!(
        (ready.as_str(), since),
        ("True", SimTime::from_secs(start.plus_secs(15).0 / 1000))
    );
    // not-ready at start+40: probes at +45, +55 fail; the third failure, at +65, turns it NotReady.
    cluster.run_until(start.plus_secs(40));
    cluster
        .inject(Fault::NotReady { pod: key("probed") })
        .unwrap();
    cluster.run_until(start.plus_secs(64));
    assert_eq!(
        condition(pod(&cluster, "probed"), "Ready").unwrap().0,
        "True"
    );
    cluster.run_until(start.plus_secs(65));
    let (ready, since) = condition(pod(&cluster, "probed"), "Ready").unwrap();
    assert_eq!(
        (ready.as_str(), since),
        ("False", SimTime::from_secs(start.plus_secs(65).0 / 1000))
    );
    assert_eq!(PodRow::of(pod(&cluster, "probed")).ready.to_string(), "0/1");
    assert_eq!(status(&cluster, "probed"), "Running");
    let unhealthy = cluster
        .store()
        .list::<Event>()
        .find(|e| e.reason.as_deref() == Some("Unhealthy"))
        .unwrap();
    assert_eq!(
        (unhealthy.message.as_deref(), unhealthy.count),
        (
            Some("Readiness probe failed: HTTP probe failed with statuscode: 503"),
            Some(3)
        )
    );
    // ready at +70: successes at +75 and +85.
    cluster.run_until(start.plus_secs(70));
    cluster.inject(Fault::Ready { pod: key("probed") }).unwrap();
    cluster.run_until(start.plus_secs(84));
    assert_eq!(
        condition(pod(&cluster, "probed"), "Ready").unwrap().0,
        "False"
    );
    cluster.run_until(start.plus_secs(85));
    assert_eq!(
        condition(pod(&cluster, "probed"), "Ready").unwrap().0,
        "True"
    );
}

#[test]
fn not_ready_without_a_probe_is_immediate_and_ready_undoes_it() {
    let mut cluster = cluster(&[]);
    cluster
        .apply(&pod_manifest("plain", "nginx:1.27", "", ""))
        .unwrap();
    cluster.run_until(SimTime::from_secs(30));
    cluster
        .inject(Fault::NotReady { pod: key("plain") })
        .unwrap();
    let (ready, since) = condition(pod(&cluster, "plain"), "Ready").unwrap();
    assert_eq!((ready.as_str(), since), ("False", SimTime::from_secs(30)));
    assert_eq!(PodRow::of(pod(&cluster, "plain")).ready.to_string(), "0/1");
    cluster.run_until(SimTime::from_secs(50));
    cluster.inject(Fault::Ready { pod: key("plain") }).unwrap();
    let (ready, since) = condition(pod(&cluster, "plain"), "Ready").unwrap();
    assert_eq!((ready.as_str(), since), ("True", SimTime::from_secs(50)));
}

#[test]
fn crash_kills_the_container_once_and_repeated_crashes_back_off() {
    let mut cluster = cluster(&[]);
    cluster
        .apply(&pod_manifest("victim", "nginx:1.27", "", ""))
        .unwrap();
    cluster.run_until(SimTime::from_secs(30));
    cluster.inject(Fault::Crash { pod: key("victim") }).unwrap();
    assert_eq!(status(&cluster, "victim"), "Error");
    cluster.run_until(SimTime::from_secs(32));
    assert_eq!(
        (
            status(&cluster, "victim").as_str(),
            restarts(&cluster, "victim")
        ),
        ("Running", 1)
    );
    let last = pod(&cluster, "victim")
        .status
        .clone()
        .unwrap()
        .container_statuses
        .unwrap()[0]
        .last_state
        .clone()
        .unwrap()
        .terminated
        .unwrap();
    assert_eq!(last.exit_code, 137);
    cluster.inject(Fault::Crash { pod: key("victim") }).unwrap();
    cluster.run_until(SimTime::from_secs(33));
    assert_eq!(status(&cluster, "victim"), "CrashLoopBackOff");
    cluster.run_until(SimTime::from_secs(60));
    assert_eq!(
        (
            status(&cluster, "victim").as_str(),
            restarts(&cluster, "victim")
        ),
        ("Running", 2)
    );
}

#[test]
fn faults_name_what_they_cannot_find() {
    let mut cluster = cluster(&[("nginx:broken", broken())]);
    assert_eq!(
        cluster
            .inject(Fault::NotReady { pod: key("web-9") })
            .map_err(|e| e.to_string()),
        Err("pods \"web-9\" not found".into())
    );
    assert_eq!(
        cluster
            .inject(Fault::NodeDown {
                node: "kind-worker9".into()
            })
            .map_err(|e| e.to_string()),
        Err("nodes \"kind-worker9\" not found".into())
    );
    cluster
        .apply(&pod_manifest("bad", "nginx:broken", "", ""))
        .unwrap();
    cluster.run_until(SimTime::from_secs(20));
    assert_eq!(
        cluster
            .inject(Fault::Crash { pod: key("bad") })
            .map_err(|e| e.to_string()),
        Err("container \"app\" in pod \"bad\" is not running".into())
    );
}

fn web_cluster() -> Cluster {
    let mut cluster = Cluster::new(ClusterConfig::default());
    cluster
        .apply(&Scenario::parse(WEB).unwrap().manifests)
        .unwrap();
    cluster.run_until(SimTime::from_secs(60));
    for i in 0..3 {
        assert!(is_running_and_ready(pod(&cluster, &format!("web-{i}"))));
    }
    cluster
}

fn node_of(cluster: &Cluster, name: &str) -> String {
    pod(cluster, name).spec.clone().unwrap().node_name.unwrap()
}

fn node<'a>(cluster: &'a Cluster, name: &str) -> &'a Node {
    cluster
        .store()
        .get::<Node>(&ObjectKey::cluster(name))
        .unwrap()
}

fn node_ready(cluster: &Cluster, name: &str) -> String {
    node(cluster, name)
        .status
        .clone()
        .unwrap()
        .conditions
        .unwrap()
        .into_iter()
        .find(|c| c.type_ == "Ready")
        .unwrap()
        .status
}

fn taints(cluster: &Cluster, name: &str) -> Vec<String> {
    node(cluster, name)
        .spec
        .clone()
        .unwrap()
        .taints
        .unwrap_or_default()
        .into_iter()
        .map(|t| format!("{}:{}", t.key, t.effect))
        .collect()
}

/// web-1's node goes down at 60 s: Unknown after the 50 s grace (at the next 5 s monitor pass), the pod evicted
/// 300 s after the taint, and stuck Terminating while the kubelet cannot confirm.
fn take_down_web_1(cluster: &mut Cluster) -> (String, String) {
    let down = node_of(cluster, "web-1");
    let original = uid(cluster, "web-1");
    cluster
        .inject(Fault::NodeDown { node: down.clone() })
        .unwrap();
    cluster.run_until(SimTime::from_secs(110));
    assert_eq!(
        node_ready(cluster, &down),
        "True",
        "within the grace period"
    );
    cluster.run_until(SimTime::from_secs(115));
    assert_eq!(node_ready(cluster, &down), "Unknown");
    let ready = node(cluster, &down)
        .status
        .clone()
        .unwrap()
        .conditions
        .unwrap()[0]
        .clone();
    assert_eq!(
        (ready.reason.as_deref(), ready.message.as_deref()),
        (
            Some("NodeStatusUnknown"),
            Some("Kubelet stopped posting node status.")
        )
    );
    assert_eq!(
        taints(cluster, &down),
        [
            "node.kubernetes.io/unreachable:NoSchedule",
            "node.kubernetes.io/unreachable:NoExecute"
        ]
    );
    let web_1 = pod(cluster, "web-1");
    assert_eq!(condition(web_1, "Ready").unwrap().0, "False");
    assert_eq!(
        PodRow::of(web_1).status,
        "Running",
        "only the Ready condition changes"
    );
    assert_eq!(
        event_messages(cluster, "web-1", "NodeNotReady"),
        ["Node is not ready"]
    );
    cluster.run_until(SimTime::from_secs(414));
    assert!(pod(cluster, "web-1").metadata.deletion_timestamp.is_none());
    cluster.run_until(SimTime::from_secs(415));
    let web_1 = pod(cluster, "web-1");
    assert!(
        web_1.metadata.deletion_timestamp.is_some(),
        "evicted after tolerationSeconds"
    );
    assert_eq!(condition(web_1, "DisruptionTarget").unwrap().0, "True");
    assert_eq!(
        event_messages(cluster, "web-1", "TaintManagerEviction"),
        ["Marking for deletion Pod default/web-1"]
    );
    // Kubernetes 1.34's taint eviction sets no `NodeLost` reason, so kubectl prints Terminating, not Unknown.
    assert_eq!(status(cluster, "web-1"), "Terminating");
    cluster.run_until(SimTime::from_secs(1800));
    assert_eq!(status(cluster, "web-1"), "Terminating");
    assert_eq!(
        uid(cluster, "web-1"),
        original,
        "never replaced while it is terminating"
    );
    (down, original)
}

#[test]
fn a_pod_on_a_down_node_stays_terminating_until_force_deleted() {
    let mut cluster = web_cluster();
    let (down, original) = take_down_web_1(&mut cluster);
    let output = kubectl::run(
        &mut cluster,
        "kubectl delete pod web-1 --force --grace-period=0",
        "",
    );
    assert_eq!(output.exit_code, 0, "{output:?}");
    cluster.run_until(SimTime::from_secs(1860));
    assert_ne!(
        uid(&cluster, "web-1"),
        original,
        "the controller recreates it at once"
    );
    // Its local-path volume lives on the unreachable node, which takes no new pods: it waits for the node.
    assert_eq!(status(&cluster, "web-1"), "Pending");
    let scheduling = event_messages(&cluster, "web-1", "FailedScheduling");
    assert!(
        scheduling
            .iter()
            .any(|m| m
                .contains("1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }")),
        "{scheduling:?}"
    );
    cluster
        .inject(Fault::NodeUp { node: down.clone() })
        .unwrap();
    cluster.run_until(SimTime::from_secs(1990));
    assert_eq!(node_of(&cluster, "web-1"), down);
    assert!(is_running_and_ready(pod(&cluster, "web-1")));
}

#[test]
fn a_pod_on_a_down_node_is_replaced_once_the_node_comes_back() {
    let mut cluster = web_cluster();
    let (down, original) = take_down_web_1(&mut cluster);
    cluster
        .inject(Fault::NodeUp { node: down.clone() })
        .unwrap();
    assert_eq!(node_ready(&cluster, &down), "True");
    assert!(taints(&cluster, &down).is_empty());
    cluster.run_until(SimTime::from_secs(1900));
    assert_ne!(uid(&cluster, "web-1"), original);
    assert!(is_running_and_ready(pod(&cluster, "web-1")));
}

#[test]
fn a_down_nodes_kubelet_starts_nothing() {
    let mut cluster = cluster(&[]);
    let spec = "  nodeName: kind-worker2\n";
    cluster
        .inject(Fault::NodeDown {
            node: "kind-worker2".into(),
        })
        .unwrap();
    cluster
        .apply(&pod_manifest("orphan", "nginx:1.27", spec, ""))
        .unwrap();
    cluster.run_until(SimTime::from_secs(40));
    assert_eq!(status(&cluster, "orphan"), "Pending");
    assert!(event_messages(&cluster, "orphan", "Pulling").is_empty());
    cluster
        .inject(Fault::NodeUp {
            node: "kind-worker2".into(),
        })
        .unwrap();
    cluster.run_until(SimTime::from_secs(60));
    assert_eq!(status(&cluster, "orphan"), "Running");
}

#[test]
fn kubectl_prints_unknown_for_a_terminating_pod_whose_node_was_lost() {
    let mut cluster = cluster(&[]);
    cluster
        .apply(&pod_manifest("lost", "nginx:1.27", "", ""))
        .unwrap();
    cluster.run_until(SimTime::from_secs(30));
    // No 1.34 controller sets `NodeLost` any more (taint eviction only deletes); older clusters' pods, and
    // tools that still do, carry it, and printPod shows them as Unknown.
    let mut lost = pod(&cluster, "lost").clone();
    lost.status.as_mut().unwrap().reason = Some("NodeLost".into());
    assert_eq!(PodRow::of(&lost).status, "NodeLost");
    lost.metadata.deletion_timestamp = Some(SimTime::from_secs(30).to_k8s());
    assert_eq!(PodRow::of(&lost).status, "Unknown");
}

#[test]
fn a_broken_rollout_stays_stuck_after_the_revert_until_the_pod_is_deleted() {
    let mut config = ClusterConfig::default();
    config.images.insert("nginx:broken".into(), broken());
    let mut cluster = Cluster::new(config);
    let manifests = Scenario::parse(WEB).unwrap().manifests;
    cluster.apply(&manifests).unwrap();
    cluster.run_until(SimTime::from_secs(60));
    cluster
        .apply(&manifests.replace("nginx:1.9.1", "nginx:broken"))
        .unwrap();
    cluster.run_until(SimTime::from_secs(180));
    assert!(matches!(
        status(&cluster, "web-2").as_str(),
        "ErrImagePull" | "ImagePullBackOff"
    ));
    let broken_uid = uid(&cluster, "web-2");
    let image = |cluster: &Cluster, name: &str| {
        pod(cluster, name).spec.clone().unwrap().containers[0]
            .image
            .clone()
            .unwrap()
    };
    assert_eq!(
        image(&cluster, "web-1"),
        "nginx:1.9.1",
        "the rollout stops at web-2"
    );
    // Reverting the template does not replace the broken pod: OrderedReady waits for it to be Ready first.
    cluster.apply(&manifests).unwrap();
    cluster.run_until(SimTime::from_secs(900));
    assert_eq!(uid(&cluster, "web-2"), broken_uid);
    assert_eq!(image(&cluster, "web-2"), "nginx:broken");
    assert!(!is_running_and_ready(pod(&cluster, "web-2")));
    // Only deleting it lets the controller recreate it from the reverted template.
    let output = kubectl::run(&mut cluster, "kubectl delete pod web-2", "");
    assert_eq!(output.exit_code, 0, "{output:?}");
    cluster.run_until(SimTime::from_secs(960));
    assert_ne!(uid(&cluster, "web-2"), broken_uid);
    assert_eq!(image(&cluster, "web-2"), "nginx:1.9.1");
    assert!(is_running_and_ready(pod(&cluster, "web-2")));
}

const FAULTY: &str = "seed: 3
manifests: |
  apiVersion: v1
  kind: Pod
  metadata:
    name: web-1
  spec:
    containers:
    - name: nginx
      image: nginx:1.27
steps:
  - at: 30s
    inject: {fault: not-ready, pod: web-1}
  - at: 40s
    inject: {fault: crash, pod: web-9}
  - at: 50s
    inject: {fault: node-down, node: kind-worker}
until: 120s
";

#[test]
fn inject_steps_emit_command_records_and_replay_identically() {
    let render = || {
        let mut records = Vec::new();
        Scenario::parse(FAULTY).unwrap().run(|r| records.push(r));
        records
    };
    let records = render();
    let commands: Vec<String> = records
        .iter()
        .filter(|r| matches!(r, Record::Command { .. }))
        .map(Record::to_json_line)
        .collect();
    assert_eq!(
        commands[1..],
        [
            r#"{"t":30,"type":"COMMAND","command":"inject not-ready pod/web-1","exitCode":0,"stdout":"","stderr":""}"#,
            r#"{"t":40,"type":"COMMAND","command":"inject crash pod/web-9","exitCode":1,"stdout":"","stderr":"error: pods \"web-9\" not found\n"}"#,
            r#"{"t":50,"type":"COMMAND","command":"inject node-down node/kind-worker","exitCode":0,"stdout":"","stderr":""}"#,
        ]
    );
    let lines = |records: Vec<Record>| {
        records
            .iter()
            .map(Record::to_json_line)
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(lines(records), lines(render()));
}
