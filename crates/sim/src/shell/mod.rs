//! A small POSIX shell: the console's bash, which runs kubectl and a few filters. Read by `syntax`, expanded by
//! `expand`, carried out by `Job`, which can wait: a command that blocks (`sleep`, a watch) leaves the job
//! waiting while simulated time passes, and the job is a value that can be copied with the cluster it runs
//! against. What the shell starts that is not its own (kubectl) comes from a `System`, so the same shell can
//! run on any machine the simulation has.

mod builtins;
mod expand;
mod filters;
mod interp;
mod pattern;
pub mod syntax;

pub use interp::Job;
pub use syntax::SyntaxError;

use crate::time::SimTime;
use std::collections::BTreeMap;

/// How many loop iterations one command line may take: enough for any loop a person means, few enough
/// that a runaway loop ends at once.
pub const MAX_ITERATIONS: usize = 10_000;

/// How much output one command line may produce, on the terminal and through its pipes together.
pub const MAX_OUTPUT_BYTES: usize = 1 << 20;

/// The exit status of a command interrupted with Ctrl-C: 128 + SIGINT.
pub const INTERRUPTED: i32 = 130;

/// What a shell keeps from one command line to the next: its variables, the files written with `>`, and the
/// last exit status (`$?`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Session {
    pub variables: Variables,
    pub files: BTreeMap<String, String>,
    pub status: i32,
}

impl Session {
    /// Whether the two differ in more than `$?`: what a command that only looked around leaves changed.
    pub fn differs_beyond_status(&self, other: &Session) -> bool {
        self.variables != other.variables || self.files != other.files
    }
}

/// Shell variables, and which are exported.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Variables {
    values: BTreeMap<String, String>,
    exported: std::collections::BTreeSet<String>,
}

impl Variables {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    pub fn set(&mut self, name: &str, value: &str) {
        self.values.insert(name.to_string(), value.to_string());
    }

    pub fn unset(&mut self, name: &str) {
        self.values.remove(name);
        self.exported.remove(name);
    }

    pub fn export(&mut self, name: &str) {
        self.exported.insert(name.to_string());
    }

    /// Exported variables with their values, as `export` alone lists them.
    fn exported(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.exported
            .iter()
            .map(|name| (name.as_str(), self.get(name)))
    }
}

/// What a program wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Io {
    pub stdout: String,
    pub stderr: String,
}

impl Io {
    /// A line on stderr.
    fn error(&mut self, line: impl AsRef<str>) {
        self.stderr.push_str(line.as_ref());
        self.stderr.push('\n');
    }
}

/// What is typed at the terminal while a command runs: lines a program that reads the terminal (an
/// interactive shell in a container) takes, and whether input has ended (Ctrl-D).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Input {
    pub lines: std::collections::VecDeque<String>,
    pub closed: bool,
}

/// Where a program or a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Poll {
    Exited(i32),
    /// Not done: poll again when the cluster changes, or at this instant at the latest.
    Waiting(Option<SimTime>),
}

/// How starting a program went.
pub enum Start<P> {
    /// No such program on this machine.
    NotFound,
    /// It ran to its end at once.
    Exited(i32),
    /// It goes on: poll it.
    Running(P),
}

/// The machine a shell runs on: the programs it has besides the shell's own, and its clock.
pub trait System {
    /// A program that has started and not yet exited.
    type Program: Clone + std::fmt::Debug;

    fn now(&self) -> SimTime;

    /// Starts `argv` with `stdin` as its input, writing what it prints at once into `io`.
    fn start(
        &mut self,
        argv: &[String],
        stdin: &str,
        session: &Session,
        io: &mut Io,
    ) -> Start<Self::Program>;

    /// Lets a running program go on, with what has been typed at the terminal; what it prints goes into
    /// `io`.
    fn poll(&mut self, program: &mut Self::Program, input: &mut Input, io: &mut Io) -> Poll;

    /// Ctrl-C: the program ends, printing what it prints on SIGINT; its exit status (130 for a program
    /// SIGINT kills, what it exits with for one that catches it).
    fn interrupt(&mut self, program: &mut Self::Program, io: &mut Io) -> i32;
}
