//! The kubernetes.io "StatefulSet Basics" tutorial typed into the real kubectl against `ordinal serve-api`, its
//! clock running at `SPEED` times the wall clock: each line at its instant (tests/tutorials/statefulset-basics.yaml),
//! the watches in a terminal of their own until the tutorial says to end them (Ctrl-C), as a reader would run
//! them beside a real cluster. Each answer is held against what Ordinal's own console printed for the same
//! line of the same scenario: the same exit code and the same bytes, except that tables are compared without
//! their AGE column (and the widths it sets), which follows the instant a line ran, and watches pod by pod
//! (each pod's sequence of READY and STATUS), as their lines interleave by when events arrived.
//!
//! The lines that exec into a container or attach to one (`kubectl exec`, `kubectl run -i`) run over
//! serve-api's WebSocket streams, what the tutorial types into them piped to kubectl. bash gives kubectl no
//! terminal, so kubectl says it cannot use one for `-t`, and runs without: that warning, the harness's and
//! not the cluster's, is taken out of kubectl's stderr before the comparison; and where the tutorial types
//! into a shell (`kubectl run -i --tty … dns-test`), the console's terminal shows what kubectl without one does
//! not, BusyBox's prompts with the lines typed at them and kubectl's "Session ended" line, which are taken
//! out of the console's stdout.

use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};

mod common;
use common::{real_kubectl, repository, Answer, Server};

use ordinal_sim::kubectl::CommandOutput;
use ordinal_sim::scenario::{Action, Record, Scenario};
use ordinal_sim::SimTime;

const TUTORIAL: &str = "tests/tutorials/statefulset-basics.yaml";
const SPEED: &str = "10";

/// What the console printed for each step, in the order of the steps.
fn console_answers(scenario: &Scenario) -> Vec<CommandOutput> {
    let mut answers = Vec::new();
    scenario.run(|record| {
        if let Record::Command { output, .. } = record {
            answers.push(output);
        }
    });
    assert_eq!(answers.len(), scenario.steps.len(), "one answer a step");
    answers
}

/// What kubectl says when `-t` asks for a terminal and its stdin is not one: the harness's doing.
const NO_TTY: &str = "Unable to use a TTY - input is not a terminal or the right kind of file\n";

/// A table's rows as cells, without the AGE column, which follows the instant a line ran, and the VOLUME
/// column and any other generated volume name, which follow the uids handed out before (the lines not run
/// here make pods too); the rows sorted, as kubectl orders them by those names.
fn comparable_cells(text: &str) -> Vec<Vec<String>> {
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    // Columns start where the header's titles do: after a run of two spaces or more (tabwriter's padding;
    // `ACCESS MODES` is one title).
    let starts: Vec<usize> = header
        .char_indices()
        .filter(|(i, c)| *c != ' ' && (*i == 0 || header[..*i].ends_with("  ")))
        .map(|(i, _)| i)
        .collect();
    let cut = |line: &str| -> Vec<String> {
        starts
            .iter()
            .enumerate()
            .map(|(n, start)| {
                let end = starts
                    .get(n + 1)
                    .copied()
                    .unwrap_or(line.len())
                    .min(line.len());
                line.get((*start).min(end)..end)
                    .unwrap_or_default()
                    .trim()
                    .to_string()
            })
            .collect()
    };
    let titles = cut(header);
    let comparable = |line: &str| -> Vec<String> {
        cut(line)
            .into_iter()
            .zip(&titles)
            .filter(|(_, title)| !["AGE", "VOLUME"].contains(&title.as_str()))
            .map(|(cell, _)| generated_volume_left_out(cell))
            .collect()
    };
    // Rows sorted by a generated name come in another order: compare them sorted.
    let mut rows: Vec<Vec<String>> = lines.map(comparable).collect();
    rows.sort();
    std::iter::once(comparable(header)).chain(rows).collect()
}

/// A provisioned volume's generated name (`pvc-` and a uid) as `pvc-…`.
fn generated_volume_left_out(cell: String) -> String {
    let generated = cell.len() == 40
        && cell.starts_with("pvc-")
        && cell[4..].chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    if generated {
        "pvc-…".into()
    } else {
        cell
    }
}

/// What a session typed into a busybox shell at a terminal shows that kubectl without a terminal does not:
/// the prompts with the lines typed at them, and how to attach again.
fn without_terminal(stdout: &str) -> String {
    stdout
        .lines()
        .filter(|line| {
            !line.starts_with("/ # ") && !line.starts_with("Session ended, resume using")
        })
        .map(|line| format!("{line}\n"))
        .collect()
}

/// Whether two answers say the same, a table's ages and generated names aside.
fn same_answer(real: &Answer, ours: &CommandOutput) -> bool {
    let tables = real.stdout.starts_with("NAME ") && ours.stdout.starts_with("NAME ");
    let stdout_same = match tables {
        true => comparable_cells(&real.stdout) == comparable_cells(&ours.stdout),
        false => real.stdout == ours.stdout,
    };
    stdout_same && real.stderr == ours.stderr && real.exit_code == ours.exit_code
}

/// A line the console cannot answer yet (the kubectl issue's): it is run with the real kubectl, which must
/// answer it, and counted apart.
fn console_cannot_answer(line: &str) -> bool {
    line.contains("--template")
}

/// A watch's lines, pod by pod: each pod's READY and STATUS in the order they were printed.
fn by_pod(watch: &str) -> BTreeMap<String, Vec<(String, String)>> {
    let mut pods: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for line in watch.lines().filter(|l| !l.starts_with("NAME ")) {
        let cells: Vec<&str> = line.split_whitespace().collect();
        if let [name, ready, status, ..] = cells.as_slice() {
            pods.entry(name.to_string())
                .or_default()
                .push((ready.to_string(), status.to_string()));
        }
    }
    pods
}

/// Whether two watches of the same pod tell the same story. Each starts with the pod as it was when the watch
/// started, then its changes; the real watch started a moment after the console's (or before, when the line
/// that changed the pod ran a moment late), so one may begin further along the other's sequence. From there
/// on the two must agree, and end in the same state.
fn same_story(real: &[(String, String)], ours: &[(String, String)]) -> bool {
    let follows = |late: &[(String, String)], early: &[(String, String)]| {
        (0..early.len()).any(|k| {
            let rest = &early[k..];
            rest.starts_with(late) || late.starts_with(rest)
        })
    };
    real.last() == ours.last() && (follows(real, ours) || follows(ours, real))
}

/// A watch running in its own process group, so that Ctrl-C reaches kubectl under bash.
struct Watching {
    step: usize,
    ends: SimTime,
    child: Child,
}

impl Watching {
    fn interrupt(mut self) -> (usize, String) {
        std::thread::sleep(TYPING);
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-INT", "--", &group]).status();
        let _ = self.child.wait();
        let mut out = String::new();
        let _ = self.child.stdout.take().unwrap().read_to_string(&mut out);
        (self.step, out)
    }
}

fn clock(server: &Server) -> SimTime {
    SimTime(server.clock_millis())
}

/// Lets the clock run at its speed to just before `at`, then stops it at `at` (or where it is, if it is past
/// `at`): a line is typed there, and its requests reach the cluster at that instant however long kubectl takes
/// to start, as the console's do.
fn pause_at(server: &Server, at: SimTime) {
    while clock(server).plus_millis(500) < at {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    server.control("POST", "pause");
    if clock(server) < at {
        server.control("POST", &format!("step?to={}ms", at.as_millis()));
    }
}

/// How long a line is given to send its first requests while the clock stands still, and a watch to print
/// what it was sent before Ctrl-C.
const TYPING: std::time::Duration = std::time::Duration::from_millis(400);

/// bash runs the line with the real kubectl first on PATH, and the example URLs answered from local files.
fn bash(bin: &Path, kubeconfig: &Path, examples: &Path, line: &str) -> Command {
    let line = line.replace(
        "https://k8s.io/examples/",
        &format!("{}/", examples.display()),
    );
    let mut command = Command::new("bash");
    command
        .arg("-c")
        .arg(line)
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        )
        .env("KUBECONFIG", kubeconfig)
        .env_remove("KUBECTL_KUBERC")
        .current_dir(repository());
    command
}

/// Lines counted apart, and the differences found.
#[derive(Default)]
struct Tally {
    apart: usize,
    differences: Vec<String>,
}

/// Waits for a main-terminal line to end and holds its answer against the console's.
fn judge(
    scenario: &Scenario,
    answers: &[CommandOutput],
    index: usize,
    child: Child,
    tally: &mut Tally,
) {
    let output = child.wait_with_output().expect("bash runs");
    let real = Answer {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).replace(NO_TTY, ""),
        exit_code: output.status.code().unwrap_or(-1),
    };
    let step = &scenario.steps[index];
    let line = step.action.command();
    let mut ours = answers[index].clone();
    if !step.stdin.is_empty() {
        ours.stdout = without_terminal(&ours.stdout);
    }
    let ours = &ours;
    if console_cannot_answer(&line) {
        tally.apart += 1;
        if real.exit_code != 0 {
            tally
                .differences
                .push(format!("step {index} `{line}`: kubectl failed: {real:?}"));
        }
    } else if !same_answer(&real, ours) {
        tally.differences.push(format!(
            "step {index} at {} `{line}`:\n  kubectl ({}): {:?} {:?}\n  console ({}): {:?} {:?}",
            step.at,
            real.exit_code,
            real.stdout,
            real.stderr,
            ours.exit_code,
            ours.stdout,
            ours.stderr
        ));
    }
}

#[test]
fn the_statefulset_basics_tutorial_runs_with_the_real_kubectl_as_in_the_console() {
    let kubectl = real_kubectl();
    let text = std::fs::read_to_string(repository().join(TUTORIAL)).unwrap();
    let scenario = Scenario::parse(&text).expect("the tutorial parses");
    let answers = console_answers(&scenario);

    let work = std::env::temp_dir().join(format!("ordinal-tutorial-{}", std::process::id()));
    let (bin, examples) = (work.join("bin"), work.join("examples"));
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(&kubectl, bin.join("kubectl")).unwrap();
    let web = repository().join("crates/sim/src/kubectl/examples/application/web");
    std::fs::create_dir_all(examples.join("application/web")).unwrap();
    for file in ["web.yaml", "web-parallel.yaml"] {
        std::fs::copy(web.join(file), examples.join("application/web").join(file)).unwrap();
    }
    // The tutorial's cluster, without its steps: they are typed here.
    let served = work.join("statefulset-basics.yaml");
    std::fs::write(&served, "name: statefulset-basics\nseed: 0\n").unwrap();
    let server = Server::start(&served, work.join("kubeconfig"), &["--speed", SPEED]);

    let mut run = 0;
    let mut tally = Tally::default();
    let mut watching: Vec<Watching> = Vec::new();
    let mut watched = Vec::new();
    // The main terminal runs one line at a time: the next waits for the one before it, as at a prompt.
    let mut main: Option<(usize, Child)> = None;
    for (index, step) in scenario.steps.iter().enumerate() {
        let Action::Run(line) = &step.action else {
            panic!("the tutorial types lines")
        };
        // Watches the tutorial ends before this line end at their instant, Ctrl-C.
        watching.sort_by_key(|w| w.ends);
        while watching.first().is_some_and(|w| w.ends <= step.at) {
            let watch = watching.remove(0);
            pause_at(&server, watch.ends);
            watched.push(watch.interrupt());
            server.control("POST", "resume");
        }
        run += 1;
        let is_watch = step.terminal == "watch";
        if !is_watch {
            // The main terminal's line before this one ends first, with the clock running.
            if let Some((before, child)) = main.take() {
                judge(&scenario, &answers, before, child, &mut tally);
            }
        }
        pause_at(&server, step.at);
        let mut command = bash(&bin, &server.kubeconfig, &examples, line);
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if is_watch {
            command.stderr(Stdio::null()).process_group(0);
            watching.push(Watching {
                step: index,
                ends: step
                    .at
                    .plus_millis(step.timeout.expect("watches end").as_millis()),
                child: command.spawn().expect("bash starts"),
            });
        } else {
            let mut child = command.spawn().expect("bash starts");
            // What the tutorial types into the line's container shell, piped; then its input ends.
            let typed: String = step
                .stdin
                .iter()
                .map_while(|key| key.line.as_ref())
                .map(|line| format!("{line}\n"))
                .collect();
            let mut stdin = child.stdin.take().expect("piped");
            std::thread::spawn(move || {
                let _ = std::io::Write::write_all(&mut stdin, typed.as_bytes());
            });
            main = Some((index, child));
        }
        std::thread::sleep(TYPING);
        server.control("POST", "resume");
    }
    if let Some((before, child)) = main.take() {
        judge(&scenario, &answers, before, child, &mut tally);
    }
    let Tally {
        apart,
        mut differences,
    } = tally;
    watching.sort_by_key(|w| w.ends);
    for watch in watching {
        pause_at(&server, watch.ends);
        watched.push(watch.interrupt());
        server.control("POST", "resume");
    }
    for (index, real) in &watched {
        let (real_pods, our_pods) = (by_pod(real), by_pod(&answers[*index].stdout));
        // A pod only one side shows must be on its way out: which of a Parallel set's pods, deleted together,
        // are gone when the watch starts follows the random draws of each run.
        let going = |story: &Vec<(String, String)>| {
            story
                .last()
                .is_some_and(|(_, status)| status == "Completed" || status == "Terminating")
        };
        let agree = real_pods.iter().all(|(pod, story)| {
            our_pods
                .get(pod)
                .map_or(going(story), |ours| same_story(story, ours))
        }) && our_pods
            .iter()
            .all(|(pod, story)| real_pods.contains_key(pod) || going(story));
        if !agree {
            differences.push(format!(
                "watch, step {index}:\n  kubectl: {:?}\n  console: {:?}",
                real_pods, our_pods
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    println!(
        "StatefulSet Basics with {} at {SPEED}x: {run} lines run ({} watches, {apart} the console cannot answer yet), {} differ",
        kubectl.display(),
        watched.len(),
        differences.len()
    );
    assert!(watched.len() >= 3, "the tutorial's watches ran");
    assert!(
        differences.is_empty(),
        "{} lines differ:\n{}",
        differences.len(),
        differences.join("\n\n")
    );
}
