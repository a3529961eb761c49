//! The one way a script's interventions are carried out, shared by `ordinal run` (`Scenario::run`) and the
//! page's timeline (`Timeline`), so that both give the same cluster at every instant: each step at its `at`,
//! or, when the one before it waited past that (`run -i`, `drain`), as soon as that one returned, because a
//! command can only be typed once the one before it is back.

use crate::cluster::Cluster;
use crate::endpoints::RecordedRequest;
#[cfg(feature = "apiserver")]
use crate::endpoints::{self, Response};
use crate::fault::Fault;
use crate::kubectl::{self, CommandOutput};
use crate::shell::Stream;
use crate::terminal::{self, Printed, Ran, Running};
use crate::time::SimTime;

/// An intervention at an instant: what a scenario's `steps` hold and the timeline's branches record.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub at: SimTime,
    pub action: Action,
    /// The terminal a command line is typed into: each runs its lines one after another, side by side with
    /// the others. `MAIN_TERMINAL` unless a scenario names another.
    pub terminal: String,
    /// How long a command line may run before it is interrupted, as Ctrl-C interrupts it.
    pub timeout: Option<SimTime>,
    /// What is typed at the terminal while the command line runs: lines for a shell it opened in a
    /// container (`kubectl run -it … sh`).
    pub stdin: Vec<Keystroke>,
}

/// A line typed at a running command's terminal, or Ctrl-D (`line: None`), ending its input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keystroke {
    /// How long after the command was issued it is typed; `None`: as soon as the command reads it.
    pub after: Option<SimTime>,
    pub line: Option<String>,
}

impl Keystroke {
    /// The lines of `text`, each typed as soon as it is read, and then Ctrl-D: a scenario's `stdin: |`.
    pub fn all_of(text: &str) -> Vec<Keystroke> {
        text.lines()
            .map(|line| Keystroke {
                after: None,
                line: Some(line.to_string()),
            })
            .chain([Keystroke {
                after: None,
                line: None,
            }])
            .collect()
    }
}

impl Step {
    /// A step in the main terminal, with no timeout and nothing typed.
    pub fn new(at: SimTime, action: Action) -> Step {
        Step {
            at,
            action,
            terminal: MAIN_TERMINAL.to_string(),
            timeout: None,
            stdin: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A command line typed into the terminal's shell: kubectl, loops, pipes.
    Run(String),
    /// A manifest applied like `kubectl apply -f -`.
    Apply(String),
    /// A fault injected into the cluster.
    Inject(Fault),
    /// A write sent to the apiserver, as `ordinal serve-api` receives one from a real kubectl.
    Request(RecordedRequest),
}

impl Action {
    /// The command line the step stands for, as COMMAND records name it: `inject not-ready pod/web-1` for a
    /// fault.
    pub fn command(&self) -> String {
        match self {
            Action::Run(line) => line.clone(),
            Action::Apply(_) => "kubectl apply -f -".into(),
            Action::Inject(fault) => fault.to_string(),
            Action::Request(request) => request.line(),
        }
    }

    /// Starts what goes on running in a terminal, taking what is typed at it: a command line, or a stream a
    /// client opened into a container (`request:` of an exec or attach). None for what is carried out at once.
    pub(crate) fn start(&self, cluster: &mut Cluster, terminal: &str) -> Option<Running> {
        match self {
            Action::Run(line) => Some(Running::start(cluster, terminal, line)),
            #[cfg(feature = "apiserver")]
            Action::Request(recorded) if recorded.opens_stream() => {
                let request = recorded.as_request();
                let exec = endpoints::exec::open_stream(cluster, &request)?.ok()?;
                let stream = endpoints::exec::ExecStream::open(cluster, &exec);
                Some(Running::stream(cluster, terminal, stream))
            }
            _ => None,
        }
    }

    /// Carries the action out now, to its end: a command line that waits lets the cluster run until it
    /// returns. What a person's intervention at the prompt or in the editor is.
    pub fn execute(&self, cluster: &mut Cluster) -> CommandOutput {
        match self {
            Action::Run(line) => {
                terminal::run_line(cluster, MAIN_TERMINAL, line, SimTime::END).output
            }
            Action::Apply(manifest) => kubectl::run(cluster, "kubectl apply -f -", manifest),
            Action::Inject(fault) => match cluster.inject(fault.clone()) {
                Ok(()) => CommandOutput::default(),
                Err(error) => {
                    let mut output = CommandOutput::default();
                    output.write(Stream::Stderr, &format!("error: {error}\n"));
                    output.exit_code = 1;
                    output
                }
            },
            #[cfg(feature = "apiserver")]
            Action::Request(request) => {
                response_output(&endpoints::write(cluster, &request.as_request()))
            }
            // A build without the apiserver (the page's) cannot replay a client's request.
            #[cfg(not(feature = "apiserver"))]
            Action::Request(request) => {
                let mut output = CommandOutput::default();
                output.write(
                    Stream::Stderr,
                    &format!(
                        "error: {}: this build of Ordinal does not serve the Kubernetes API; replay it with the ordinal binary\n",
                        request.line()
                    ),
                );
                output.exit_code = 1;
                output
            }
        }
    }
}

#[cfg(feature = "apiserver")]
/// What a transcript shows of an apiserver's answer: its status code and body, as `curl -i` would; a refusal
/// exits 1.
pub fn response_output(response: &Response) -> CommandOutput {
    let mut output = CommandOutput::default();
    let body = String::from_utf8_lossy(&response.body);
    output.write(Stream::Stdout, &format!("{}\n{body}", response.status));
    output.exit_code = i32::from(!(200..300).contains(&response.status));
    output
}

/// The terminal steps type into unless they name another.
pub const MAIN_TERMINAL: &str = "";

/// How far a run has come through a script: the steps started, and the command lines still running.
#[derive(Clone, Debug, Default)]
pub struct Progress {
    /// Steps started, from the first: a step starts no earlier than the one before it.
    pub executed: usize,
    running: Vec<Job>,
    /// A line typed at the page's console that goes on running and has changed nothing yet: no step of the
    /// script, so it holds up none; the timeline makes it one the moment it changes something.
    pub(crate) typed: Option<Typed>,
}

impl Progress {
    /// What step `index` has printed so far, while it runs.
    pub fn running_output(&self, index: usize) -> Option<&CommandOutput> {
        self.running
            .iter()
            .find(|job| job.step == index)
            .map(|job| job.command.output())
    }
}

/// A typed line still running outside the script.
#[derive(Clone, Debug)]
pub(crate) struct Typed {
    pub issued: SimTime,
    /// The steps started when it was typed: where it goes if it becomes a step.
    pub executed: usize,
    /// Whether the branch went on past that instant when it was typed: it then becomes a step of a new
    /// branch, and the old future stays reachable.
    pub future: bool,
    pub line: String,
    pub command: Running,
    /// What was typed at its terminal, for the step it may become.
    pub stdin: Vec<Keystroke>,
}

/// A step's command line still running.
#[derive(Clone, Debug)]
struct Job {
    step: usize,
    issued: SimTime,
    deadline: SimTime,
    command: Running,
    /// What is yet to be typed at its terminal: the instant it is typed at, and the line (`None`: Ctrl-D).
    keys: std::collections::VecDeque<(SimTime, Option<String>)>,
}

impl Job {
    /// Types what is due by now.
    fn type_due(&mut self, now: SimTime) {
        while let Some((_, line)) = self.keys.front().filter(|(at, _)| *at <= now).cloned() {
            self.keys.pop_front();
            self.command.key(line.as_deref());
        }
    }

    /// When it is next to be polled even if the cluster does not change: a key to type, or its command's own.
    fn wake(&self, now: SimTime) -> Option<SimTime> {
        let key = self.keys.front().map(|(at, _)| *at).filter(|at| *at > now);
        [key, self.command.wake(now)].into_iter().flatten().min()
    }
}

/// The instants `stdin` is typed at for a command issued at `issued`.
fn schedule(
    issued: SimTime,
    stdin: &[Keystroke],
) -> std::collections::VecDeque<(SimTime, Option<String>)> {
    stdin
        .iter()
        .map(|key| {
            let at = key
                .after
                .map_or(issued, |after| issued.plus_millis(after.as_millis()));
            (at, key.line.clone())
        })
        .collect()
}

impl Progress {
    /// Takes a command already running as step `index`'s: a line typed at the console that changed the
    /// cluster as it started, and has become that step.
    pub(crate) fn adopt(&mut self, step: usize, issued: SimTime, command: Running) {
        self.running.push(Job {
            step,
            issued,
            deadline: SimTime::END,
            command,
            keys: Default::default(),
        });
    }

    /// Whether step `index`'s command is a shell in a container reading what is typed.
    pub(crate) fn reads_input(&self, index: usize) -> bool {
        self.running
            .iter()
            .any(|job| job.step == index && job.command.reads_input())
    }

    /// Types a line (`None`: Ctrl-D) at step `index`'s terminal now, if its command still runs.
    pub(crate) fn key_step(&mut self, index: usize, line: Option<&str>) -> bool {
        match self.running.iter_mut().find(|job| job.step == index) {
            Some(job) => {
                job.command.key(line);
                true
            }
            None => false,
        }
    }

    /// Ctrl-C for step `index`'s command, if it is still running: what it printed then, and how it ended.
    pub(crate) fn interrupt_step(&mut self, index: usize, cluster: &mut Cluster) -> Option<Ran> {
        let place = self.running.iter().position(|job| job.step == index)?;
        let mut job = self.running.remove(place);
        job.command.interrupt(cluster);
        Some(job.command.finish(cluster))
    }

    /// When step `index`'s command, still running, was issued.
    pub(crate) fn issued(&self, index: usize) -> Option<SimTime> {
        self.running
            .iter()
            .find(|job| job.step == index)
            .map(|job| job.issued)
    }

    fn terminal_busy(&self, steps: &[Step], terminal: &str) -> bool {
        self.running
            .iter()
            .any(|job| steps[job.step].terminal == terminal)
    }
}

/// What a run reports to whoever watches it, and where it must stop on its way.
pub(crate) trait Watcher {
    /// When a command still running is interrupted if its step has no timeout: a scenario's `until`.
    fn deadline(&self) -> SimTime {
        SimTime::END
    }

    /// An instant after `now` to stop at on the way, if any: the timeline copies its cluster at such stops.
    fn stop_after(&mut self, _now: SimTime) -> Option<SimTime> {
        None
    }

    /// Whether to hear of the cluster after every instant at which something happened, rather than at stops
    /// only: `ordinal run` streams the watch events as they come instead of holding them.
    fn every_instant(&self) -> bool {
        false
    }

    /// The cluster ran up to its current instant, before any step due at it.
    fn ran(&mut self, _cluster: &mut Cluster) {}

    /// Step `index` was started at `issued` and goes on running.
    fn started(&mut self, _index: usize, _issued: SimTime) {}

    /// Step `index`, still running, printed this.
    fn printed(&mut self, _index: usize, _printed: Printed) {}

    /// Step `index`, issued at `issued`, has ended, having printed what `ran` holds.
    fn carried_out(
        &mut self,
        cluster: &mut Cluster,
        index: usize,
        issued: SimTime,
        step: &Step,
        ran: Ran,
    );

    /// The run stopped at the cluster's instant, the steps due by then started, with `progress` made: a
    /// stop `stop_after` asked for, a step's instant, or the end.
    fn stopped(&mut self, _cluster: &mut Cluster, _progress: &Progress) {}

    /// The typed line running outside the script printed this.
    fn typed_printed(&mut self, _printed: Printed) {}

    /// The typed line running outside the script has ended.
    fn typed_ended(&mut self, _ran: Ran) {}
}

/// Why a run returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// It reached the instant it was asked to run to.
    Reached,
    /// The typed line running outside the script changed the cluster: it must become a step before the run
    /// goes on, or a replay would not make the same change.
    TypedChanged,
}

/// Runs the cluster to `to`, starting the steps from `steps[progress.executed]` whose instants are not after
/// `to`, each when its terminal is free. A command line that waits goes on running while the cluster runs, in
/// `progress`, and may still run at `to`; the next run carries it on. (kubectl's own waits, `drain` and
/// `run -i`, run the cluster inside the command and may take the clock past `to`.)
pub(crate) fn run(
    cluster: &mut Cluster,
    steps: &[Step],
    progress: &mut Progress,
    to: SimTime,
    watcher: &mut impl Watcher,
) -> Stop {
    loop {
        start_due(cluster, steps, progress, watcher);
        let now = cluster.now();
        let next_step = steps
            .get(progress.executed)
            .map(|s| s.at)
            .filter(|at| *at > now);
        let deadlines = progress.running.iter().map(|job| job.deadline.max(now));
        let until = next_step
            .into_iter()
            .chain(deadlines)
            .fold(to, SimTime::min);
        let target = watcher
            .stop_after(now)
            .map_or(until, |stop| stop.min(until));
        if advance(cluster, steps, progress, target, watcher) == Stop::TypedChanged {
            return Stop::TypedChanged;
        }
        interrupt_overdue(cluster, steps, progress, watcher);
        start_due(cluster, steps, progress, watcher);
        // A step started at its own deadline (a scenario's `until`) is interrupted at once.
        interrupt_overdue(cluster, steps, progress, watcher);
        watcher.stopped(cluster, progress);
        if cluster.now() >= to {
            return Stop::Reached;
        }
    }
}

/// Starts, in order, the steps due by now whose terminal is free. A step waits for its terminal, and the
/// steps after it wait for it.
fn start_due(
    cluster: &mut Cluster,
    steps: &[Step],
    progress: &mut Progress,
    watcher: &mut impl Watcher,
) {
    let started = progress.executed;
    start_in_order(cluster, steps, progress, watcher);
    // What the steps just carried out changed, the commands already running see at this same instant, as a
    // watch sees a delete the moment it is made.
    if progress.executed > started && !progress.running.is_empty() {
        poll_running(cluster, steps, progress, watcher);
        start_in_order(cluster, steps, progress, watcher);
    }
    if progress.executed > started {
        poll_typed(cluster, progress, watcher);
    }
}

fn start_in_order(
    cluster: &mut Cluster,
    steps: &[Step],
    progress: &mut Progress,
    watcher: &mut impl Watcher,
) {
    while let Some(step) = steps.get(progress.executed) {
        if step.at > cluster.now() || progress.terminal_busy(steps, &step.terminal) {
            return;
        }
        let index = progress.executed;
        progress.executed += 1;
        let issued = cluster.now();
        let Some(mut command) = step.action.start(cluster, &step.terminal) else {
            let output = step.action.execute(cluster);
            let ran = Ran {
                output,
                printed: Vec::new(),
            };
            watcher.carried_out(cluster, index, issued, step, ran);
            continue;
        };
        let mut keys = schedule(issued, &step.stdin);
        // What is typed at once is there for the command's first read.
        if keys.front().is_some_and(|(at, _)| *at <= issued) && !command.ended() {
            while let Some((_, line)) = keys.front().filter(|(at, _)| *at <= issued).cloned() {
                keys.pop_front();
                command.key(line.as_deref());
            }
            command.poll(cluster);
        }
        if command.ended() {
            let ran = command.finish(cluster);
            watcher.carried_out(cluster, index, issued, step, ran);
            continue;
        }
        let deadline = step.timeout.map_or(watcher.deadline(), |timeout| {
            issued
                .plus_millis(timeout.as_millis())
                .min(watcher.deadline())
        });
        watcher.started(index, issued);
        hand_printed(index, &mut command, watcher);
        progress.running.push(Job {
            step: index,
            issued,
            deadline,
            command,
            keys,
        });
    }
}

/// Runs the cluster to `target`. While command lines run, it goes one instant at a time (each instant
/// something happens, and each a command asked to be woken at), letting every command go on after each; it
/// stops early when one ends, so that a step waiting for that terminal can start at that very instant.
fn advance(
    cluster: &mut Cluster,
    steps: &[Step],
    progress: &mut Progress,
    target: SimTime,
    watcher: &mut impl Watcher,
) -> Stop {
    if progress.running.is_empty() && progress.typed.is_none() {
        run_until(cluster, target, watcher);
        return Stop::Reached;
    }
    loop {
        let now = cluster.now();
        let wake = progress
            .running
            .iter()
            .filter_map(|job| job.wake(now))
            .chain(
                progress
                    .typed
                    .as_ref()
                    .and_then(|typed| typed.command.wake(now)),
            )
            .min();
        let next = [cluster.next_event_at(), wake]
            .into_iter()
            .flatten()
            .filter(|at| *at <= target)
            .min();
        cluster.run_until(next.unwrap_or(target).max(now));
        watcher.ran(cluster);
        let ended = poll_running(cluster, steps, progress, watcher);
        if poll_typed(cluster, progress, watcher) == Stop::TypedChanged {
            return Stop::TypedChanged;
        }
        if ended || cluster.now() >= target {
            return Stop::Reached;
        }
    }
}

/// Lets the typed line running outside the script go on. Stops the run if it changed the cluster.
fn poll_typed(cluster: &mut Cluster, progress: &mut Progress, watcher: &mut impl Watcher) -> Stop {
    let Some(typed) = progress.typed.as_mut() else {
        return Stop::Reached;
    };
    let ended = typed.command.poll(cluster);
    for printed in typed.command.take_printed() {
        watcher.typed_printed(printed);
    }
    if typed.command.changed() {
        return Stop::TypedChanged;
    }
    if ended {
        let typed = progress.typed.take().expect("checked above");
        watcher.typed_ended(typed.command.finish(cluster));
    }
    Stop::Reached
}

/// Lets every running command go on; reports those that ended. Returns whether any did.
fn poll_running(
    cluster: &mut Cluster,
    steps: &[Step],
    progress: &mut Progress,
    watcher: &mut impl Watcher,
) -> bool {
    let mut ended = false;
    let mut index = 0;
    while index < progress.running.len() {
        let job = &mut progress.running[index];
        job.type_due(cluster.now());
        let done = job.command.poll(cluster);
        hand_printed(job.step, &mut job.command, watcher);
        if done {
            let job = progress.running.remove(index);
            let ran = job.command.finish(cluster);
            watcher.carried_out(cluster, job.step, job.issued, &steps[job.step], ran);
            ended = true;
        } else {
            index += 1;
        }
    }
    ended
}

/// Interrupts the commands whose deadline has come, as Ctrl-C would.
fn interrupt_overdue(
    cluster: &mut Cluster,
    steps: &[Step],
    progress: &mut Progress,
    watcher: &mut impl Watcher,
) {
    let now = cluster.now();
    while let Some(place) = progress.running.iter().position(|job| job.deadline <= now) {
        let mut job = progress.running.remove(place);
        job.command.interrupt(cluster);
        hand_printed(job.step, &mut job.command, watcher);
        let ran = job.command.finish(cluster);
        watcher.carried_out(cluster, job.step, job.issued, &steps[job.step], ran);
    }
}

fn hand_printed(step: usize, command: &mut Running, watcher: &mut impl Watcher) {
    for printed in command.take_printed() {
        watcher.printed(step, printed);
    }
}

fn run_until(cluster: &mut Cluster, until: SimTime, watcher: &mut impl Watcher) {
    if watcher.every_instant() {
        while let Some(at) = cluster.next_event_at().filter(|at| *at <= until) {
            cluster.run_until(at);
            watcher.ran(cluster);
        }
    }
    cluster.run_until(until);
    watcher.ran(cluster);
}
