//! Steps in terminals of their own run side by side; a command that waits keeps running while the cluster
//! runs and prints as it goes; a timeout or `until` interrupts it with ^C; the JSONL stays in time order; and
//! the page's timeline, seeking back and forth through the same script, prints what `ordinal run` prints.

use ordinal_sim::scenario::Record;
use ordinal_sim::timeline::Timeline;
use ordinal_sim::{Scenario, SimTime};

const SCRIPT: &str = r#"
manifests: |
  apiVersion: v1
  kind: Service
  metadata: {name: nginx, labels: {app: nginx}}
  spec: {clusterIP: None, selector: {app: nginx}, ports: [{port: 80, name: web}]}
  ---
  apiVersion: apps/v1
  kind: StatefulSet
  metadata: {name: web}
  spec:
    serviceName: nginx
    replicas: 2
    selector: {matchLabels: {app: nginx}}
    template:
      metadata: {labels: {app: nginx}}
      spec: {containers: [{name: nginx, image: "registry.k8s.io/nginx-slim:0.24"}]}
steps:
  - at: 10s
    terminal: watch
    run: for i in 1 2 3; do echo "round $i"; kubectl get pod web-0 -o name; sleep 10; done
  - at: 15s
    run: kubectl delete pod web-0
  - at: 20s
    run: echo start; sleep 1000; echo never
    timeout: 5s
  - at: 21s
    run: echo after
  - at: 22s
    terminal: watch
    run: echo queued behind the loop
  - at: 50s
    run: echo last; sleep 60
until: 60s
"#;

/// (t in ms, type, step or command, text) of every record but the watch events.
fn shown(records: &[Record]) -> Vec<(u64, &'static str, String, String)> {
    records
        .iter()
        .filter_map(|record| match record {
            Record::Command {
                at,
                command,
                output,
            } => Some((
                at.as_millis(),
                "COMMAND",
                command.clone(),
                format!("{}|{}", output.stdout, output.exit_code),
            )),
            Record::Output { at, step, text, .. } => {
                Some((at.as_millis(), "OUTPUT", step.to_string(), text.clone()))
            }
            Record::End { at } => Some((at.as_millis(), "END", String::new(), String::new())),
            Record::Watch(_) => None,
        })
        .collect()
}

fn run() -> Vec<Record> {
    let scenario = Scenario::parse(SCRIPT).expect("the script parses");
    let mut records = Vec::new();
    scenario.run(|record| records.push(record));
    records
}

#[test]
fn terminals_run_side_by_side_and_commands_print_as_they_go() {
    let records = run();
    assert!(
        records.windows(2).all(|w| w[0].at() <= w[1].at()),
        "records are in time order"
    );
    let row = |t: u64, kind: &'static str, what: &str, text: &str| {
        (t * 1000, kind, what.to_string(), text.to_string())
    };
    let apply = "service/nginx created\nstatefulset.apps/web created\n|0";
    let loop_line =
        "for i in 1 2 3; do echo \"round $i\"; kubectl get pod web-0 -o name; sleep 10; done";
    assert_eq!(
        shown(&records),
        vec![
            row(0, "COMMAND", "kubectl apply -f -", apply),
            row(
                10,
                "COMMAND",
                loop_line,
                "round 1\npod/web-0\nround 2\npod/web-0\nround 3\npod/web-0\n|0"
            ),
            row(10, "OUTPUT", "0", "round 1\npod/web-0\n"),
            row(
                15,
                "COMMAND",
                "kubectl delete pod web-0",
                "pod \"web-0\" deleted from default namespace\n|0"
            ),
            // kubectl delete prints at once, then waits for the pod to be gone.
            row(
                15,
                "OUTPUT",
                "1",
                "pod \"web-0\" deleted from default namespace\n"
            ),
            row(20, "OUTPUT", "0", "round 2\npod/web-0\n"),
            row(
                20,
                "COMMAND",
                "echo start; sleep 1000; echo never",
                "start\n^C\n|130"
            ),
            row(20, "OUTPUT", "2", "start\n"),
            row(25, "OUTPUT", "2", "^C\n"),
            // Due at 21 s, typed once the main terminal was free again.
            row(25, "COMMAND", "echo after", "after\n|0"),
            row(30, "OUTPUT", "0", "round 3\npod/web-0\n"),
            // Due at 22 s, in the terminal the loop held until 40 s.
            row(
                40,
                "COMMAND",
                "echo queued behind the loop",
                "queued behind the loop\n|0"
            ),
            row(50, "COMMAND", "echo last; sleep 60", "last\n^C\n|130"),
            row(50, "OUTPUT", "5", "last\n"),
            row(60, "OUTPUT", "5", "^C\n"),
            row(60, "END", "", ""),
        ]
    );
}

#[test]
fn the_timeline_prints_the_same_and_a_seek_back_finds_the_command_still_running() {
    let scenario = Scenario::parse(SCRIPT).expect("the script parses");
    let printed: Vec<(String, String)> = run()
        .iter()
        .filter_map(|record| match record {
            Record::Command {
                at,
                command,
                output,
            } if *at > SimTime::ZERO => Some((command.clone(), output.stdout.clone())),
            _ => None,
        })
        .collect();
    let mut timeline = Timeline::from_scenario(&scenario);
    // Back and forth across the loop while it runs: the copies taken carry it with them.
    for to in [17, 12, 33, 26, 60] {
        timeline.seek(SimTime::from_secs(to));
    }
    let mut straight = Timeline::from_scenario(&scenario);
    straight.seek(SimTime::from_secs(60));
    let reached = |t: &mut Timeline| -> Vec<(String, String)> {
        let mut reached: Vec<_> = t
            .take_reached()
            .into_iter()
            .map(|r| (r.step.action.command(), r.output.stdout))
            .collect();
        reached.sort();
        reached
    };
    // The page plays on past `until`, where `ordinal run` stops: the command it interrupts there goes on
    // running on the page, reached with what it has printed so far (its `^C` is not yet).
    let mut expected: Vec<_> = printed
        .into_iter()
        .map(|(command, stdout)| match command.as_str() {
            "echo last; sleep 60" => (command, "last\n".to_string()),
            _ => (command, stdout),
        })
        .collect();
    expected.sort();
    assert_eq!(reached(&mut straight), expected);
    assert_eq!(
        timeline.cluster().store().resource_version(),
        straight.cluster().store().resource_version()
    );
}

#[test]
fn terminal_and_timeout_belong_to_run_steps_and_survive_an_export() {
    let error = Scenario::parse(
        "steps:\n  - at: 1s\n    inject: {fault: crash, pod: web-0}\n    terminal: w\n",
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid scenario: steps[0].terminal: only a run step, or a request that opens an exec or attach stream, has one"
    );
    let error =
        Scenario::parse("steps:\n  - at: 1s\n    run: sleep 5\n    timeout: soon\n").unwrap_err();
    assert!(error
        .to_string()
        .starts_with("invalid scenario: steps[0].timeout: "));
    let scenario = Scenario::parse(SCRIPT).unwrap();
    let again = Scenario::parse(&scenario.to_yaml()).unwrap();
    assert_eq!(again.steps, scenario.steps);
    assert_eq!(again.steps[0].terminal, "watch");
    assert_eq!(again.steps[2].timeout, Some(SimTime::from_secs(5)));
}

#[test]
fn a_copy_of_the_cluster_taken_while_a_line_runs_keeps_the_terminals_variables() {
    use ordinal_sim::terminal::{run_line, Running};
    use ordinal_sim::{Cluster, ClusterConfig};
    let mut cluster = Cluster::new(ClusterConfig::default());
    run_line(&mut cluster, "main", "export POD=web-0", SimTime::END);
    let running = Running::start(&mut cluster, "main", "sleep 30; POD=web-1");
    assert!(!running.ended());
    // What a timeline's snapshot is: the cluster as it is while the line sleeps.
    let mut copy = cluster.clone();
    let echoed = run_line(&mut copy, "main", "echo $POD", SimTime::END);
    assert_eq!(echoed.output.stdout, "web-0\n");
}

#[test]
fn drain_goes_on_while_the_cluster_runs_and_says_each_eviction_as_it_happens() {
    use ordinal_sim::kubectl::Apply;
    use ordinal_sim::terminal::Running;
    use ordinal_sim::{Cluster, ClusterConfig};
    let mut cluster = Cluster::new(ClusterConfig::default());
    let web = Scenario::parse(include_str!("../../../examples/web.yaml")).unwrap();
    cluster.apply(&web.manifests).unwrap();
    cluster.run_until(SimTime::from_secs(60));
    let node = ordinal_sim::kubectl::run(&mut cluster, "kubectl get pod web-0 -o wide", "")
        .stdout
        .lines()
        .nth(1)
        .and_then(|row| row.split_whitespace().nth(6).map(str::to_string))
        .expect("web-0 runs on a node");
    let mut drain = Running::start(&mut cluster, "main", &format!("kubectl drain {node}"));
    assert!(!drain.ended(), "it waits for the eviction, as kubectl does");
    while !drain.ended() {
        let next = cluster.next_event_at().expect("the eviction goes on");
        cluster.run_until(next);
        drain.poll(&mut cluster);
    }
    let printed = drain.take_printed();
    let evicted = printed
        .iter()
        .find(|p| p.text.contains("pod/web-0 evicted"))
        .expect("said as it happened");
    assert!(
        evicted.at > SimTime::from_secs(60),
        "after the command started"
    );
    let ran = drain.finish(&mut cluster);
    assert_eq!(
        ran.output.stdout,
        format!("node/{node} cordoned\nevicting pod default/web-0\npod/web-0 evicted\nnode/{node} drained\n")
    );
    assert_eq!(ran.output.exit_code, 0);
}
