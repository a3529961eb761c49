//! The timeline behind the page's scrubber: going back is exact, acting in the past forks a branch and keeps
//! the old future, and looking around leaves no trace.

use ordinal_sim::fault::Fault;
use ordinal_sim::kubectl;
use ordinal_sim::scenario::{Action, Scenario};
use ordinal_sim::timeline::Timeline;
use ordinal_sim::{Cluster, ObjectKey, SimTime};

const WEB: &str = include_str!("../../../examples/web.yaml");
const ZOOKEEPER: &str = include_str!("../../../examples/zookeeper.yaml");

fn secs(s: u64) -> SimTime {
    SimTime::from_secs(s)
}

/// Everything a viewer could see, as kubectl prints it: every kind in every namespace, and the files.
fn state(cluster: &Cluster) -> String {
    let mut cluster = cluster.clone();
    let kinds = "nodes,storageclasses,services,statefulsets,controllerrevisions,pods,pvc,pv,endpointslices,events";
    let listing = kubectl::run(&mut cluster, &format!("kubectl get {kinds} -A -o yaml"), "");
    assert_eq!(listing.exit_code, 0, "{}", listing.stderr);
    let files = kubectl::run(
        &mut cluster,
        "kubectl exec web-0 -- cat /usr/share/nginx/html/index.html",
        "",
    );
    format!(
        "{}\n{}\n{}",
        cluster.now().as_millis(),
        listing.stdout,
        files.stdout
    )
}

fn web() -> Timeline {
    Timeline::from_scenario(&Scenario::parse(WEB).expect("the example parses"))
}

#[test]
fn going_back_gives_exactly_the_state_of_that_instant_and_the_same_future() {
    let mut straight = web();
    straight.seek(secs(45));
    let at_45 = state(straight.cluster());
    straight.seek(secs(200));
    let at_200 = state(straight.cluster());

    let mut scrubbed = web();
    scrubbed.seek(secs(200));
    scrubbed.seek(secs(45));
    assert_eq!(state(scrubbed.cluster()), at_45);
    scrubbed.seek(secs(200));
    assert_eq!(state(scrubbed.cluster()), at_200);
    assert_eq!(scrubbed.branches().len(), 1);
}

#[test]
fn playing_frame_by_frame_is_the_same_as_one_jump() {
    let scenario = Scenario::parse(ZOOKEEPER).expect("the example parses");
    let mut jump = Timeline::from_scenario(&scenario);
    jump.seek(secs(150));
    let mut frames = Timeline::from_scenario(&scenario);
    while frames.now() < secs(150) {
        // Odd frame lengths, as a browser's are, cross snapshot boundaries and steps at every phase.
        let next = frames.now().plus_millis(137).min(secs(150));
        frames.seek(next);
    }
    assert_eq!(state(frames.cluster()), state(jump.cluster()));
}

#[test]
fn stepping_visits_every_instant_at_which_something_happens() {
    let mut timeline = web();
    let mut instants = Vec::new();
    while let Some(at) = timeline.step().filter(|at| *at <= secs(70)) {
        instants.push(at);
    }
    assert!(instants.windows(2).all(|w| w[0] < w[1]), "{instants:?}");
    // The scenario's steps at 60 s are instants too.
    assert!(instants.contains(&secs(60)));
    let mut jump = web();
    jump.seek(*instants.last().expect("something happens"));
    assert_eq!(state(timeline.cluster()), state(jump.cluster()));
}

#[test]
fn acting_in_the_past_forks_a_branch_and_the_old_future_stays_reachable() {
    let mut timeline = web();
    timeline.seek(secs(200));
    let old_future = state(timeline.cluster());

    timeline.seek(secs(40));
    let output = timeline.act(Action::Run("kubectl delete pod web-0".into()));
    assert_eq!(output.exit_code, 0, "{}", output.stderr);
    assert_eq!(timeline.branches().len(), 2);
    assert_eq!(timeline.current_branch(), 1);
    let branch = timeline.branch();
    assert_eq!(branch.forked_from, Some((0, secs(40))));
    let last = branch.steps.last().expect("the intervention is recorded");
    assert_eq!(
        (last.at, last.action.command()),
        (secs(40), "kubectl delete pod web-0".into())
    );
    // The branch keeps the old branch's interventions before the fork and none after it.
    assert!(branch.steps.iter().all(|s| s.at <= secs(40)));
    assert_eq!(timeline.branches()[0].horizon, secs(200));

    timeline.seek(secs(200));
    let new_future = state(timeline.cluster());
    assert_ne!(new_future, old_future);

    timeline.switch_branch(0, secs(200));
    assert_eq!(state(timeline.cluster()), old_future);
    timeline.switch_branch(1, secs(200));
    assert_eq!(state(timeline.cluster()), new_future);
}

#[test]
fn acting_at_the_frontier_extends_the_branch() {
    let mut timeline = web();
    timeline.seek(secs(90));
    timeline.act(Action::Inject(Fault::NotReady {
        pod: ObjectKey::new("default", "web-1"),
    }));
    timeline.seek(secs(120));
    timeline.act(Action::Run("kubectl scale sts web --replicas=2".into()));
    assert_eq!(timeline.branches().len(), 1);
    let commands: Vec<String> = timeline
        .branch()
        .steps
        .iter()
        .map(|s| s.action.command())
        .collect();
    assert_eq!(
        &commands[commands.len() - 2..],
        [
            "inject not-ready pod/web-1",
            "kubectl scale sts web --replicas=2"
        ]
    );

    // Replaying the recorded branch from scratch reaches the same state.
    let at_180 = {
        timeline.seek(secs(180));
        state(timeline.cluster())
    };
    timeline.seek(secs(10));
    timeline.seek(secs(180));
    assert_eq!(state(timeline.cluster()), at_180);
}

#[test]
fn looking_around_in_the_past_leaves_no_trace() {
    let mut timeline = web();
    timeline.seek(secs(100));
    timeline.seek(secs(30));
    for command in [
        "kubectl get pods -o wide",
        "kubectl describe sts web",
        "kubectl exec web-0 -- hostname",
    ] {
        assert_eq!(
            timeline.act(Action::Run(command.into())).exit_code,
            0,
            "{command}"
        );
    }
    let refused = timeline.act(Action::Run("kubectl delete pod web-9".into()));
    assert_eq!(refused.exit_code, 1);
    assert_eq!(timeline.branches().len(), 1);
    assert_eq!(timeline.branch().horizon, secs(100));
}

#[test]
fn an_edit_in_the_editor_is_recorded_only_when_the_apiserver_changed_something() {
    let scenario = Scenario::parse(WEB).expect("the example parses");
    let mut timeline = Timeline::from_scenario(&scenario);
    // After the scenario's last step, at the frontier: a recorded edit extends the branch.
    timeline.seek(secs(100));
    let steps = timeline.branch().steps.len();
    let four = scenario.manifests.replace("replicas: 3", "replicas: 4");
    timeline
        .apply_manifests(&four)
        .expect("the manifests parse");
    assert_eq!(timeline.branch().steps.len(), steps + 1);
    timeline
        .apply_manifests(&four)
        .expect("the manifests parse");
    assert_eq!(
        timeline.branch().steps.len(),
        steps + 1,
        "an unchanged apply"
    );
    let outcome = timeline
        .apply_manifests(&scenario.manifests.replace("replicas: 3", "replicas: -1"))
        .expect("the manifests parse");
    assert!(outcome.iter().any(|d| d.result.is_err()));
    assert_eq!(timeline.branch().steps.len(), steps + 1, "a refused apply");
    assert_eq!(timeline.branches().len(), 1);
}

#[test]
fn checking_manifests_reports_what_applying_would_and_changes_nothing() {
    let scenario = Scenario::parse(WEB).expect("the example parses");
    let mut timeline = Timeline::from_scenario(&scenario);
    timeline.seek(secs(100));
    let before = state(timeline.cluster());
    let refused = scenario
        .manifests
        .replace("serviceName: \"nginx\"", "serviceName: \"other\"");
    let checked = timeline
        .check_manifests(&refused)
        .expect("the manifests parse");
    assert_eq!(state(timeline.cluster()), before);
    assert_eq!(timeline.branch().steps.len(), 3);
    let applied = timeline
        .apply_manifests(&refused)
        .expect("the manifests parse");
    assert_eq!(checked, applied);
    assert!(applied.iter().any(|d| d
        .result
        .as_ref()
        .is_err_and(|e| e.contains("spec: Forbidden"))));
}

#[test]
fn bursts_of_events_are_counted_once_and_kept_while_going_back() {
    let mut timeline = web();
    timeline.seek(secs(60));
    let bursts = timeline.branch().bursts();
    assert!(
        !bursts.is_empty(),
        "the web example's rollout writes events"
    );
    assert_eq!(
        bursts[0].from,
        SimTime::ZERO,
        "the first pod is created at once"
    );
    // Every event in the store was counted when it was written (a repeated event once per second it recurred).
    let stored = timeline
        .cluster()
        .store()
        .list::<k8s_openapi::api::core::v1::Event>()
        .count() as u32;
    assert!(bursts.iter().map(|b| b.events).sum::<u32>() >= stored);

    // Frame by frame counts the same as one jump.
    let mut frames = web();
    for ms in (0..=60_000).step_by(50) {
        frames.seek(SimTime::from_millis(ms));
    }
    assert_eq!(frames.branch().bursts(), bursts);

    // Going back keeps what the future held; acting there forks a branch with the past's bursts only.
    timeline.seek(secs(10));
    assert_eq!(timeline.branch().bursts(), bursts);
    timeline.act(Action::Run("kubectl scale sts web --replicas=1".into()));
    let forked = timeline.branch().bursts();
    assert!(forked.iter().all(|b| b.from <= secs(10)));
    assert_eq!(forked[0].from, SimTime::ZERO);
    timeline.switch_branch(0, secs(10));
    assert_eq!(
        timeline.branch().bursts(),
        bursts,
        "the old future's bursts are still there"
    );
}

#[test]
fn a_scripts_length_is_known_before_it_is_simulated_and_a_fork_keeps_it_only_up_to_the_fork() {
    let mut timeline = web();
    assert_eq!(
        timeline.branch().script_end,
        secs(120),
        "web.yaml runs until 120s"
    );
    assert_eq!(timeline.branch().horizon, SimTime::ZERO);
    timeline.seek(secs(30));
    timeline.act(Action::Run("kubectl scale sts web --replicas=1".into()));
    assert_eq!(
        timeline.branches().len(),
        2,
        "the script's steps were still to come"
    );
    assert_eq!(timeline.branch().script_end, secs(30));
    assert_eq!(timeline.branches()[0].script_end, secs(120));
    assert_eq!(
        Timeline::new(Default::default()).branch().script_end,
        SimTime::ZERO
    );
    let manifests_only = Scenario {
        steps: Vec::new(),
        ..Scenario::parse(WEB).unwrap()
    };
    assert_eq!(
        Timeline::from_scenario(&manifests_only).branch().script_end,
        SimTime::ZERO,
        "manifests alone are no script"
    );
}

#[test]
fn a_branch_written_out_as_a_scenario_replays_to_the_same_cluster() {
    let mut timeline = web();
    timeline.seek(secs(30));
    timeline.act(Action::Run("kubectl scale sts web --replicas=4".into()));
    timeline.seek(secs(50));
    timeline.act(Action::Inject(Fault::NotReady {
        pod: ObjectKey::new("default", "web-1"),
    }));
    let manifests = Scenario::parse(WEB).unwrap().manifests;
    timeline.seek(secs(70));
    timeline.act(Action::Apply(
        manifests.replace("nginx:1.9.1", "nginx:1.27"),
    ));
    timeline.seek(secs(95));

    let written = timeline.to_scenario().to_yaml();
    let scenario = Scenario::parse(&written).unwrap();
    assert_eq!(scenario.manifests, manifests);
    assert_eq!(scenario.steps.len(), 3, "{written}");
    assert_eq!(scenario.until, secs(95));
    let mut replayed = Timeline::from_scenario(&scenario);
    replayed.seek(secs(95));
    assert_eq!(state(replayed.cluster()), state(timeline.cluster()));
}
