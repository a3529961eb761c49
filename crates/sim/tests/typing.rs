//! Lines typed at the page's console that go on running while the clock plays: a watch prints as the cluster
//! changes and forks no history; a line that changes the cluster later becomes a step at the instant it was
//! typed, so that every replay makes the same change and it is printed once; Ctrl-C ends a line, and a step
//! keeps the instant it was interrupted at.

use k8s_openapi::api::apps::v1::StatefulSet;
use ordinal_sim::scenario::Scenario;
use ordinal_sim::timeline::{Timeline, TypedOutput};
use ordinal_sim::{ObjectKey, SimTime};

const WEB: &str = include_str!("../../../examples/web.yaml");

fn secs(s: u64) -> SimTime {
    SimTime::from_secs(s)
}

fn web() -> Timeline {
    Timeline::from_scenario(&Scenario::parse(WEB).expect("the example parses"))
}

/// Everything the followed line printed from now on, to its end or to `to`.
fn follow(timeline: &mut Timeline, to: SimTime) -> TypedOutput {
    let mut all = TypedOutput::default();
    for at in (timeline.now().as_millis()..=to.as_millis()).step_by(500) {
        timeline.seek(SimTime(at));
        if let Some(output) = timeline.take_followed() {
            all.stdout.push_str(&output.stdout);
            all.stderr.push_str(&output.stderr);
            all.exit_code = all.exit_code.or(output.exit_code);
        }
    }
    all
}

fn replicas(timeline: &Timeline) -> i32 {
    timeline
        .cluster()
        .store()
        .get::<StatefulSet>(&ObjectKey::new("default", "web"))
        .and_then(|s| s.spec.as_ref()?.replicas)
        .unwrap_or_default()
}

#[test]
fn a_watch_prints_as_the_clock_plays_forks_nothing_and_stops_on_ctrl_c() {
    let mut timeline = web();
    timeline.seek(secs(60));
    timeline.seek(secs(2));
    let typed = timeline.type_line("kubectl get pods -w");
    assert!(typed.running);
    assert!(
        typed.output.stdout.starts_with("NAME "),
        "{:?}",
        typed.output
    );
    let watched = follow(&mut timeline, secs(30));
    assert!(watched.stdout.contains("Running"), "{watched:?}");
    assert_eq!(
        watched.exit_code, None,
        "a watch runs until it is interrupted"
    );
    assert_eq!(
        timeline.branches().len(),
        1,
        "watching in the past forks no history"
    );
    timeline.interrupt_followed();
    let ended = timeline
        .take_followed()
        .expect("the interrupted line is followed to its end");
    assert_eq!(ended.stdout, "^C\n");
    assert_eq!(
        ended.exit_code,
        Some(1),
        "kubectl's interrupt handler exits 1"
    );
    assert!(!timeline.is_following());
}

#[test]
fn a_line_that_changes_the_cluster_later_becomes_a_step_and_replays_the_same() {
    let mut timeline = web();
    timeline.seek(secs(60));
    timeline.seek(secs(20));
    let typed =
        timeline.type_line("echo waiting; sleep 5; kubectl scale sts web --replicas=1; sleep 5");
    assert!(typed.running);
    assert_eq!(typed.output.stdout, "waiting\n");
    let followed = follow(&mut timeline, secs(40));
    assert_eq!(
        followed.stdout, "statefulset.apps/web scaled\n",
        "printed once, replay or not"
    );
    assert_eq!(followed.exit_code, Some(0));
    assert_eq!(
        timeline.branches().len(),
        2,
        "the old future stays reachable"
    );
    let step = timeline.branch().steps.last().expect("the line is a step");
    assert_eq!(step.at, secs(20), "at the instant it was typed");
    assert_eq!(replicas(&timeline), 1);
    timeline.seek(secs(10));
    assert_eq!(replicas(&timeline), 3);
    timeline.seek(secs(40));
    assert_eq!(replicas(&timeline), 1, "a replay makes the same change");
}

#[test]
fn ctrl_c_on_a_step_keeps_the_instant_it_was_interrupted_at() {
    let mut timeline = web();
    timeline.seek(secs(30));
    let typed = timeline.type_line(
        "kubectl scale sts web --replicas=5 && sleep 100 && kubectl scale sts web --replicas=1",
    );
    assert!(typed.running);
    follow(&mut timeline, secs(42));
    timeline.interrupt_followed();
    let ended = timeline.take_followed().expect("followed to its end");
    assert_eq!(ended.exit_code, Some(130));
    let step = timeline.branch().steps.last().expect("the line is a step");
    assert_eq!(step.timeout, Some(secs(12)));
    timeline.seek(secs(5));
    timeline.seek(secs(200));
    assert_eq!(
        replicas(&timeline),
        5,
        "the replay is interrupted where the line was"
    );
}

#[test]
fn a_shell_in_a_container_runs_each_line_typed_and_a_replay_types_them_again() {
    let mut timeline = web();
    timeline.seek(secs(40));
    let typed = timeline.type_line("kubectl exec -it web-0 -- sh");
    assert!(typed.running);
    assert_eq!(
        typed.output.stdout, "# ",
        "dash's prompt in the nginx image"
    );
    assert!(timeline.followed_reads_input());
    timeline.key_followed(Some("hostname"));
    let shown = timeline.take_followed().expect("followed");
    assert_eq!(shown.stdout, "hostname\nweb-0\n# ");
    timeline.seek(secs(45));
    timeline.key_followed(Some("echo typed > /usr/share/nginx/html/index.html"));
    assert_eq!(
        timeline.branches().len(),
        2,
        "a write in the past forks, as any change does"
    );
    timeline.seek(secs(50));
    timeline.key_followed(None);
    let ended = timeline.take_followed().expect("followed to its end");
    assert_eq!(ended.exit_code, Some(0));
    let step = timeline
        .branch()
        .steps
        .last()
        .expect("the session is a step");
    assert_eq!(step.at, secs(40));
    assert_eq!(step.stdin.len(), 3, "{:?}", step.stdin);
    let read = |timeline: &Timeline| {
        let mut cluster = timeline.cluster().clone();
        ordinal_sim::kubectl::run(
            &mut cluster,
            "kubectl exec web-0 -- cat /usr/share/nginx/html/index.html",
            "",
        )
        .stdout
    };
    assert_eq!(read(&timeline), "typed\n");
    timeline.seek(secs(42));
    assert_ne!(read(&timeline), "typed\n", "not yet typed at 42 s");
    timeline.seek(secs(60));
    assert_eq!(
        read(&timeline),
        "typed\n",
        "typed again by the replay at 45 s"
    );
}
