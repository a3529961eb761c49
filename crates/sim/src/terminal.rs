//! The learner's terminal: bash (`shell`) on a machine whose PATH has kubectl, talking to the simulated
//! cluster. A command line runs until it ends; while it waits (`sleep`) the cluster runs on, and what it
//! prints after its first wait is kept with the instant it was printed.

use crate::cluster::Cluster;
#[cfg(feature = "apiserver")]
use crate::endpoints::exec::ExecStream;
use crate::kubectl::{self, CommandOutput, Started, Waiting};
use crate::shell::{Input, Io, Job, Poll, Session, Start, System};
use crate::time::SimTime;

pub use crate::shell::Stream;

/// Output a command printed while it was still running, and when.
#[derive(Clone, Debug, PartialEq)]
pub struct Printed {
    pub at: SimTime,
    pub stream: Stream,
    pub text: String,
}

/// A command line that has ended: all it printed, and the pieces it printed while running, if it waited.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ran {
    pub output: CommandOutput,
    pub printed: Vec<Printed>,
}

/// The terminal's machine as the shell sees it: kubectl, and the cluster's clock.
struct Machine<'a> {
    cluster: &'a mut Cluster,
    /// Set when a kubectl command changed the cluster: an object, or a file in a container.
    changed: &'a mut bool,
}

impl System for Machine<'_> {
    type Program = Waiting;

    fn now(&self) -> SimTime {
        self.cluster.now()
    }

    fn start(
        &mut self,
        argv: &[String],
        stdin: &str,
        _session: &Session,
        io: &mut Io,
    ) -> Start<Waiting> {
        if argv[0] != "kubectl" {
            return Start::NotFound;
        }
        let version = self.cluster.store().resource_version();
        let files = self.cluster.vfs().clone();
        let started = kubectl::start_words(self.cluster, &argv[1..], stdin);
        *self.changed |= self.cluster.store().resource_version() != version
            || !self.cluster.vfs().unchanged_since(&files);
        match started {
            Started::Done(output) => {
                let code = output.exit_code;
                pass_on(output, io);
                Start::Exited(code)
            }
            Started::Waiting(output, waiting) => {
                pass_on(output, io);
                Start::Running(waiting)
            }
        }
    }

    fn poll(&mut self, program: &mut Waiting, input: &mut Input, io: &mut Io) -> Poll {
        let mut output = CommandOutput::default();
        let version = self.cluster.store().resource_version();
        let files = self.cluster.vfs().clone();
        let ended = program.poll(self.cluster, input, &mut output);
        // A line typed in a container's shell may write a file.
        *self.changed |= self.cluster.store().resource_version() != version
            || !self.cluster.vfs().unchanged_since(&files);
        pass_on(output, io);
        match ended {
            Some(code) => Poll::Exited(code),
            None => Poll::Waiting(program.wake()),
        }
    }

    fn interrupt(&mut self, program: &mut Waiting, _io: &mut Io) -> i32 {
        program.interrupt(self.cluster)
    }
}

/// A command line running in a terminal: its shell's job, what it has printed, and when it asked to be woken.
/// Or, as a step replays one, a stream a client opened into a container through the apiserver.
#[derive(Clone, Debug)]
pub struct Running {
    terminal: String,
    body: Body,
    output: CommandOutput,
    /// What it printed while running that no one has taken yet.
    printed: Vec<Printed>,
    /// Whether it has waited: from then on what it prints is printed while running.
    waited: bool,
    wake: Option<SimTime>,
    /// Whether a command it ran changed the cluster.
    changed: bool,
}

/// What runs.
#[derive(Clone, Debug)]
enum Body {
    /// A command line in the terminal's shell.
    Line(Box<Job<Waiting>>),
    /// An exec or attach stream a client opened (`ordinal serve-api`), its terminal the client's.
    #[cfg(feature = "apiserver")]
    Stream(Box<ExecStream>),
}

impl Running {
    /// Starts `line` in the shell of `terminal` at the cluster's current instant and lets it run as far as it
    /// can without time passing.
    pub fn start(cluster: &mut Cluster, terminal: &str, line: &str) -> Running {
        // A copy: the cluster keeps the shell as it was until the line ends, so that a snapshot taken meanwhile
        // still has its variables.
        let session = cluster.shell_mut(terminal).clone();
        let job = Job::start(line, session);
        Running::begin(cluster, terminal, Body::Line(Box::new(job)))
    }

    #[cfg(feature = "apiserver")]
    /// Runs a stream a client opened into a container, in `terminal`, as far as it goes now: what it wrote
    /// is its output, and its process's exit its exit code.
    pub fn stream(cluster: &mut Cluster, terminal: &str, stream: ExecStream) -> Running {
        Running::begin(cluster, terminal, Body::Stream(Box::new(stream)))
    }

    /// `body` running in `terminal`, as far as it goes without time passing.
    fn begin(cluster: &mut Cluster, terminal: &str, body: Body) -> Running {
        let mut running = Running {
            terminal: terminal.to_string(),
            body,
            output: CommandOutput::default(),
            printed: Vec::new(),
            waited: false,
            wake: None,
            changed: false,
        };
        running.poll(cluster);
        running
    }

    /// What it has printed so far.
    pub fn output(&self) -> &CommandOutput {
        &self.output
    }

    /// Whether what is typed now goes to a shell it opened in a container.
    pub fn reads_input(&self) -> bool {
        match &self.body {
            Body::Line(job) => job.running_programs().any(Waiting::reads_input),
            #[cfg(feature = "apiserver")]
            Body::Stream(stream) => stream.reads_input(),
        }
    }

    /// Types a line at the terminal (`None`: Ctrl-D), for the command to read; for a stream, what its client
    /// sent (`None`: it closed its input).
    pub fn key(&mut self, line: Option<&str>) {
        match (&mut self.body, line) {
            (Body::Line(job), Some(line)) => job.feed(line),
            (Body::Line(job), None) => job.close_input(),
            #[cfg(feature = "apiserver")]
            (Body::Stream(stream), sent) => stream.key(sent),
        }
    }

    /// Whether a command it ran has changed the cluster (an object, a container's file) so far.
    pub fn changed(&self) -> bool {
        self.changed
    }

    /// Lets the command go on at the cluster's instant. Returns whether it has ended.
    pub fn poll(&mut self, cluster: &mut Cluster) -> bool {
        let poll = match &mut self.body {
            Body::Line(job) => job.poll(&mut Machine {
                cluster,
                changed: &mut self.changed,
            }),
            #[cfg(feature = "apiserver")]
            Body::Stream(stream) => {
                let version = cluster.store().resource_version();
                let files = cluster.vfs().clone();
                let ended = stream.poll(cluster);
                self.changed |= cluster.store().resource_version() != version
                    || !cluster.vfs().unchanged_since(&files);
                match stream.exit() {
                    Some(status) if ended => Poll::Exited(status),
                    _ => Poll::Waiting(stream.wake()),
                }
            }
        };
        self.wake = match poll {
            Poll::Waiting(wake) => wake,
            Poll::Exited(_) => None,
        };
        self.waited |= matches!(poll, Poll::Waiting(_));
        self.keep(cluster.now());
        matches!(poll, Poll::Exited(_))
    }

    /// Its exit status, once it has ended.
    fn status(&self) -> Option<i32> {
        match &self.body {
            Body::Line(job) => job.status(),
            #[cfg(feature = "apiserver")]
            Body::Stream(stream) => stream.exit(),
        }
    }

    pub fn ended(&self) -> bool {
        self.status().is_some()
    }

    /// The instant it asked to be polled at even if the cluster does not change, if that is later than now.
    pub fn wake(&self, now: SimTime) -> Option<SimTime> {
        self.wake.filter(|at| *at > now)
    }

    /// Ctrl-C.
    pub fn interrupt(&mut self, cluster: &mut Cluster) {
        match &mut self.body {
            Body::Line(job) => job.interrupt(&mut Machine {
                cluster,
                changed: &mut self.changed,
            }),
            #[cfg(feature = "apiserver")]
            Body::Stream(stream) => stream.interrupt(cluster),
        }
        self.keep(cluster.now());
    }

    /// What it has printed while running since the last call.
    pub fn take_printed(&mut self) -> Vec<Printed> {
        std::mem::take(&mut self.printed)
    }

    /// All it printed, and the pieces printed while running not taken, once it has ended; its shell goes
    /// back to the terminal.
    pub fn finish(self, cluster: &mut Cluster) -> Ran {
        let mut output = self.output;
        output.exit_code = match self.body {
            Body::Line(job) => {
                let status = job.status().unwrap_or_default();
                *cluster.shell_mut(&self.terminal) = job.into_session();
                status
            }
            #[cfg(feature = "apiserver")]
            Body::Stream(stream) => stream.exit().unwrap_or_default(),
        };
        Ran {
            output,
            printed: self.printed,
        }
    }

    fn keep(&mut self, at: SimTime) {
        let io = match &mut self.body {
            Body::Line(job) => job.take_output(),
            #[cfg(feature = "apiserver")]
            Body::Stream(stream) => stream.take_output(),
        };
        for (stream, text) in io.pieces() {
            self.output.write(stream, text);
            if self.waited {
                self.printed.push(Printed {
                    at,
                    stream,
                    text: text.to_string(),
                });
            }
        }
    }
}

/// What kubectl printed, handed to the shell in the order printed.
fn pass_on(output: CommandOutput, io: &mut Io) {
    for (stream, text) in output.pieces() {
        io.write(stream, text);
    }
}

/// Runs `line` in the shell of `terminal` to its end, letting the cluster run while it waits; at `deadline` a
/// command still running is interrupted, as Ctrl-C would.
pub fn run_line(cluster: &mut Cluster, terminal: &str, line: &str, deadline: SimTime) -> Ran {
    let mut running = Running::start(cluster, terminal, line);
    let mut ended = running.ended();
    while !ended {
        let now = cluster.now();
        let next = [cluster.next_event_at(), running.wake(now)]
            .into_iter()
            .flatten()
            .min();
        match next {
            Some(at) if at <= deadline => {
                cluster.run_until(at.max(now));
                ended = running.poll(cluster);
            }
            _ => {
                cluster.run_until(deadline.max(now));
                running.interrupt(cluster);
                ended = true;
            }
        }
    }
    running.finish(cluster)
}
