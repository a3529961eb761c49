//! The console held against the real kubectl. `ordinal serve-api` serves an example, paused at one instant; each line of a corpus in tests/differential runs through the real kubectl (bash runs the line,
//! with `kubectl` the real binary and the kubeconfig serve-api wrote) and through Ordinal's own console at the
//! same instant. Lines under `# match` must print the same bytes on stdout and stderr and exit alike; lines
//! under `# apart` are run on both sides and counted, not compared. get.txt reads the cluster; write.txt
//! changes it, each side its own copy, and reads it back; course-notes.txt runs the course notes' lines that
//! the other two do not, on the ZooKeeper example.
//!
//! The real kubectl: `$ORDINAL_KUBECTL` (scripts/test.sh installs the simulated release's), else the one
//! `scripts/kubectl.sh 1.34` installed, else the machine image's 1.33.

use std::io::{BufRead, BufReader};
use std::process::Command;

mod common;
use common::{real_kubectl, repository, Answer, Server};

use ordinal_sim::scenario::Scenario;
use ordinal_sim::timeline::Timeline;

/// The scenario get.txt, write.txt and the watch run against.
const SCENARIO: &str = "examples/web.yaml";

/// Where two answers part: the exit codes, and the first lines of each stream that differ.
fn difference(real: &Answer, ours: &Answer) -> String {
    let mut out = String::new();
    if real.exit_code != ours.exit_code {
        out += &format!(
            "  exit code: kubectl {}, console {}\n",
            real.exit_code, ours.exit_code
        );
    }
    for (stream, theirs, mine) in [
        ("stdout", &real.stdout, &ours.stdout),
        ("stderr", &real.stderr, &ours.stderr),
    ] {
        let (theirs, mine): (Vec<&str>, Vec<&str>) =
            (theirs.lines().collect(), mine.lines().collect());
        let differing: Vec<usize> = (0..theirs.len().max(mine.len()))
            .filter(|i| theirs.get(*i) != mine.get(*i))
            .take(4)
            .collect();
        for i in differing {
            out += &format!(
                "  {stream} line {}:\n    kubectl: {:?}\n    console: {:?}\n",
                i + 1,
                theirs.get(i).unwrap_or(&"<none>"),
                mine.get(i).unwrap_or(&"<none>")
            );
        }
    }
    out
}

/// What a corpus holds, in order: lines with whether they must match, and instants both clocks move on to.
enum Entry {
    Line { command: String, must_match: bool },
    At(String),
}

/// A corpus of tests/differential: `# match` and `# apart` say whether the lines after them must match;
/// `# at 3m` moves both clusters on to that instant; other comments are comments.
fn corpus(name: &str) -> Vec<Entry> {
    let text = std::fs::read_to_string(repository().join("tests/differential").join(name)).unwrap();
    let mut must_match = None;
    let mut entries = Vec::new();
    for line in text.lines() {
        match line.trim() {
            "# match" => must_match = Some(true),
            "# apart" => must_match = Some(false),
            "" => {}
            at if at.starts_with("# at ") => {
                entries.push(Entry::At(at["# at ".len()..].to_string()))
            }
            comment if comment.starts_with('#') => {}
            command => entries.push(Entry::Line {
                command: command.to_string(),
                must_match: must_match.expect("a line comes after # match or # apart"),
            }),
        }
    }
    entries
}

/// Runs a corpus two ways from `instant` of `scenario`: through the real kubectl against serve-api, paused
/// there, and through a console of its own over the same scenario. A line that writes changes each
/// side's cluster, the same way if the console is faithful. Prints how many lines match and fails on any
/// required line that differs, or on a line set apart that matches now.
fn hold_against_kubectl(name: &str, scenario: &str, instant: &str) {
    let kubectl = real_kubectl();
    let scenario = repository().join(scenario);
    let kubeconfig = std::env::temp_dir().join(format!(
        "ordinal-differential-{name}-{}.kubeconfig",
        std::process::id()
    ));
    let server = Server::start(&scenario, kubeconfig, &[]);
    server.control("POST", "pause");
    let at = ordinal_sim::time::parse_duration(instant).unwrap();
    let clock = server.control("POST", &format!("step?to={instant}"));
    assert!(
        clock.contains(&format!("\"nowMillis\":{},", at.as_millis())),
        "{clock}"
    );

    let text = std::fs::read_to_string(&scenario).unwrap();
    let mut console = Timeline::from_scenario(&Scenario::parse(&text).unwrap());
    console.seek(at);

    let (mut matched, mut required, mut apart, mut apart_matching) = (0, 0, 0, Vec::new());
    let mut differences = Vec::new();
    for entry in corpus(name) {
        let (line, must_match) = match entry {
            Entry::At(instant) => {
                server.control("POST", &format!("step?to={instant}"));
                console.seek(ordinal_sim::time::parse_duration(&instant).unwrap());
                continue;
            }
            Entry::Line {
                command,
                must_match,
            } => (command, must_match),
        };
        let real = server.run(&kubectl, &line);
        let typed = console.type_line(&line);
        assert!(!typed.running, "{line}: ends without the clock moving");
        let ours = Answer {
            stdout: typed.output.stdout.clone(),
            stderr: typed.output.stderr.clone(),
            exit_code: typed.output.exit_code,
        };
        let same = ours == real;
        if must_match {
            required += 1;
            if same {
                matched += 1;
            } else {
                differences.push(format!("$ {line}\n{}", difference(&real, &ours)));
            }
        } else {
            apart += 1;
            if same {
                apart_matching.push(line);
            }
        }
    }
    println!(
        "differential {name}, kubectl {}: {matched} of {required} lines match; {apart} more the console cannot answer yet",
        kubectl.display()
    );
    assert!(
        differences.is_empty(),
        "{} of {required} lines differ:\n\n{}",
        differences.len(),
        differences.join("\n\n")
    );
    assert!(
        apart_matching.is_empty(),
        "these lines match now: move them under # match: {apart_matching:?}"
    );
}

#[test]
fn the_console_reads_the_cluster_as_the_real_kubectl_does() {
    hold_against_kubectl("get.txt", SCENARIO, "90s");
}

#[test]
fn the_console_changes_the_cluster_as_the_real_kubectl_does() {
    hold_against_kubectl("write.txt", SCENARIO, "120s");
}

#[test]
fn the_course_notes_lines_do_as_the_real_kubectl_does() {
    hold_against_kubectl("course-notes.txt", "examples/zookeeper.yaml", "98s");
}

/// Each example's manifests applied at its first instant, by the real kubectl against serve-api (its cluster
/// without manifests or steps) and by the console against the same: the same `apply` lines, and then each
/// object's `kubectl get -o yaml` the same bytes (its last-applied-configuration and every default included).
#[test]
fn each_example_applied_by_the_real_kubectl_reads_back_as_the_console_shows_it() {
    let kubectl = real_kubectl();
    let mut differences = Vec::new();
    let mut compared = 0;
    let mut examples: Vec<_> = std::fs::read_dir(repository().join("examples"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
        .collect();
    examples.sort();
    for example in examples {
        let file = example.file_name().unwrap().to_string_lossy().into_owned();
        let mut scenario = Scenario::parse(&std::fs::read_to_string(&example).unwrap()).unwrap();
        let manifests = std::mem::take(&mut scenario.manifests);
        scenario.steps.clear();
        let empty =
            std::env::temp_dir().join(format!("ordinal-apply-{}-{file}", std::process::id()));
        std::fs::write(&empty, scenario.to_yaml()).unwrap();
        let server = Server::start(&empty, empty.with_extension("kubeconfig"), &[]);
        server.control("POST", "pause");
        let mut console = Timeline::from_scenario(&scenario);

        let apply = format!("kubectl apply -f - <<'EOF'\n{manifests}EOF");
        let mut lines = vec![apply];
        for document in ordinal_sim::api::decode::parse_documents(&manifests).unwrap() {
            let field = |pointer: &str| {
                document
                    .value
                    .pointer(pointer)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let (kind, name) = (field("/kind").to_lowercase(), field("/metadata/name"));
            let namespace = match field("/metadata/namespace") {
                ns if ns.is_empty() => String::new(),
                ns => format!(" -n {ns}"),
            };
            lines.push(format!("kubectl get {kind} {name}{namespace} -o yaml"));
        }
        for line in lines {
            let real = server.run(&kubectl, &line);
            let typed = console.type_line(&line);
            let ours = Answer {
                stdout: typed.output.stdout.clone(),
                stderr: typed.output.stderr.clone(),
                exit_code: typed.output.exit_code,
            };
            compared += 1;
            if real != ours {
                let shown = line.lines().next().unwrap_or_default();
                differences.push(format!("{file}: $ {shown}\n{}", difference(&real, &ours)));
            }
        }
        let _ = std::fs::remove_file(&empty);
    }
    println!(
        "examples applied by {}: {compared} lines compared, {} differ",
        kubectl.display(),
        differences.len()
    );
    assert!(differences.is_empty(), "{}", differences.join("\n\n"));
}

/// `kubectl get pods -w -l app=nginx`, the tutorial's watch, from the same paused instant through the first
/// minute of examples/web.yaml: what the real kubectl prints as serve-api streams the events, and what the
/// console's own watch prints as its clock plays the same minute, line for line.
#[test]
fn a_watch_through_the_real_kubectl_streams_what_the_console_watch_prints() {
    use std::process::Stdio;
    const LINE: &str = "kubectl get pods -w -l app=nginx";
    const UNTIL: &str = "60s";
    let kubectl = real_kubectl();
    let scenario = repository().join(SCENARIO);
    let kubeconfig =
        std::env::temp_dir().join(format!("ordinal-watch-{}.kubeconfig", std::process::id()));
    let server = Server::start(&scenario, kubeconfig, &[]);
    let paused_at = Server::millis_in(&server.control("POST", "pause"));

    let mut watching = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "exec \"$ORDINAL_REAL_KUBECTL\" {}",
            &LINE["kubectl ".len()..]
        ))
        .env("ORDINAL_REAL_KUBECTL", &kubectl)
        .env("KUBECONFIG", &server.kubeconfig)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kubectl starts");
    let stdout = watching.stdout.take().unwrap();
    let (lines_tx, lines_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let next = |timeout_ms| lines_rx.recv_timeout(std::time::Duration::from_millis(timeout_ms));
    // The list comes first: its header, once kubectl has the answer.
    let mut real = vec![next(20_000).expect("kubectl prints the list")];
    while let Ok(line) = next(500) {
        real.push(line);
    }
    server.control("POST", &format!("step?to={UNTIL}"));
    while let Ok(line) = next(3_000) {
        real.push(line);
    }
    let _ = watching.kill();
    let _ = watching.wait();

    let text = std::fs::read_to_string(&scenario).unwrap();
    let mut console = Timeline::from_scenario(&Scenario::parse(&text).unwrap());
    console.seek(ordinal_sim::SimTime(paused_at));
    let typed = console.type_line(LINE);
    assert!(typed.running, "the watch goes on");
    let mut ours = typed.output.stdout.clone();
    console.seek(ordinal_sim::time::parse_duration(UNTIL).unwrap());
    ours += &console.take_followed().expect("the watch printed").stdout;
    let ours: Vec<&str> = ours.lines().collect();

    println!(
        "watch from {paused_at} ms to {UNTIL}: kubectl printed {} lines, the console {}",
        real.len(),
        ours.len()
    );
    assert!(real.len() > 10, "the minute brings events: {real:#?}");
    assert_eq!(real, ours, "kubectl (left) and the console (right)");
}
