//! The learner's terminal: bash (`shell`) on a machine whose PATH has kubectl, talking to the simulated
//! cluster. A command line runs until it ends; while it waits (`sleep`) the cluster runs on, and what it
//! prints after its first wait is kept with the instant it was printed.

use crate::cluster::Cluster;
use crate::kubectl::{self, CommandOutput};
use crate::shell::{Io, Job, Poll, Session, Start, System};
use crate::time::SimTime;

/// Which stream a piece of output went to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    pub fn as_str(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }
}

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
}

/// A program of the terminal's machine that is still running. kubectl's commands here all return before
/// the shell goes on, so none is ever left running.
#[derive(Clone, Debug)]
pub enum Program {}

impl System for Machine<'_> {
    type Program = Program;

    fn now(&self) -> SimTime {
        self.cluster.now()
    }

    fn start(
        &mut self,
        argv: &[String],
        stdin: &str,
        _session: &Session,
        io: &mut Io,
    ) -> Start<Program> {
        match argv[0].as_str() {
            "kubectl" => {
                let output = kubectl::run_words(self.cluster, &argv[1..], stdin);
                io.stdout.push_str(&output.stdout);
                io.stderr.push_str(&output.stderr);
                Start::Exited(output.exit_code)
            }
            _ => Start::NotFound,
        }
    }

    fn poll(&mut self, program: &mut Program, _io: &mut Io) -> Poll {
        match *program {}
    }

    fn interrupt(&mut self, program: &mut Program, _io: &mut Io) {
        match *program {}
    }
}

/// Runs `line` in the shell of `terminal` at the cluster's current instant. While it waits the cluster runs
/// on; at `deadline` a command still running is interrupted, as Ctrl-C would.
pub fn run_line(cluster: &mut Cluster, terminal: &str, line: &str, deadline: SimTime) -> Ran {
    let session = std::mem::take(cluster.shell_mut(terminal));
    let mut job = Job::<Program>::start(line, session);
    let mut ran = Ran::default();
    // Output counts as printed while running once the command has waited, or is about to.
    let mut waited = false;
    loop {
        let poll = job.poll(&mut Machine { cluster });
        waited |= matches!(poll, Poll::Waiting(_));
        keep(&mut ran, job.take_output(), cluster.now(), waited);
        let Poll::Waiting(wake) = poll else { break };
        let next = [cluster.next_event_at(), wake].into_iter().flatten().min();
        match next {
            Some(at) if at <= deadline => cluster.run_until(at.max(cluster.now())),
            _ => {
                cluster.run_until(deadline.max(cluster.now()));
                job.interrupt(&mut Machine { cluster });
                keep(&mut ran, job.take_output(), cluster.now(), waited);
                break;
            }
        }
    }
    ran.output.exit_code = job.status().unwrap_or_default();
    *cluster.shell_mut(terminal) = job.into_session();
    ran
}

fn keep(ran: &mut Ran, io: Io, at: SimTime, streamed: bool) {
    for (text, stream) in [(io.stdout, Stream::Stdout), (io.stderr, Stream::Stderr)] {
        if text.is_empty() {
            continue;
        }
        match stream {
            Stream::Stdout => ran.output.stdout.push_str(&text),
            Stream::Stderr => ran.output.stderr.push_str(&text),
        }
        if streamed {
            ran.printed.push(Printed { at, stream, text });
        }
    }
}
