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
pub use crate::vfs::FsError;
use std::collections::BTreeMap;

/// How many loop iterations one command line may take: enough for any loop a person means, few enough
/// that a runaway loop ends at once.
pub const MAX_ITERATIONS: usize = 10_000;

/// How much output one command line may produce, on the terminal and through its pipes together.
pub const MAX_OUTPUT_BYTES: usize = 1 << 20;

/// The exit status of a command interrupted with Ctrl-C: 128 + SIGINT.
pub const INTERRUPTED: i32 = 130;

/// What a shell keeps from one command line to the next: which shell it is, its variables, its working
/// directory, the files written with `>` (on a machine without files of its own), the last exit status
/// (`$?`), and how many lines it has read (dash numbers its messages with it).
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    pub dialect: Dialect,
    pub variables: Variables,
    pub cwd: String,
    pub files: BTreeMap<String, String>,
    pub status: i32,
    pub lines: usize,
}

impl Session {
    /// A shell of `dialect` started in `cwd`.
    pub fn new(dialect: Dialect, cwd: &str) -> Session {
        Session {
            dialect,
            variables: Variables::default(),
            cwd: cwd.to_string(),
            files: BTreeMap::new(),
            status: 0,
            lines: 0,
        }
    }

    /// Whether the two differ in more than `$?`: what a command that only looked around leaves changed.
    pub fn differs_beyond_status(&self, other: &Session) -> bool {
        self.variables != other.variables || self.files != other.files || self.cwd != other.cwd
    }

    /// The start of the shell's own messages: `bash: `, dash's `sh: LINE: `, BusyBox's `sh: `.
    fn prefix(&self) -> String {
        match self.dialect {
            Dialect::Bash => "bash: ".into(),
            Dialect::Dash => format!("sh: {}: ", self.lines.max(1)),
            Dialect::Ash => "sh: ".into(),
        }
    }

    /// A path as the shell resolves it against its working directory.
    pub fn absolute(&self, path: &str) -> String {
        crate::vfs::normalize(&self.cwd, path)
    }
}

/// The learner's bash, in `/`.
impl Default for Session {
    fn default() -> Self {
        Session::new(Dialect::Bash, "/")
    }
}

/// Which shell reads the lines: bash (the learner's terminal; `bash` in a Debian image), dash (`sh` in Debian
/// images such as nginx's) or BusyBox's ash (`sh` in busybox and alpine). They share a grammar and differ in
/// their words.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Dialect {
    #[default]
    Bash,
    Dash,
    Ash,
}

impl Dialect {
    /// What the shell says of a command it cannot find, after its prefix.
    fn not_found(self, name: &str) -> String {
        match self {
            Dialect::Bash => format!("{name}: command not found"),
            Dialect::Dash | Dialect::Ash => format!("{name}: not found"),
        }
    }

    /// A redirection that cannot create its file.
    fn cannot_create(self, path: &str, error: FsError) -> String {
        match (self, error) {
            (Dialect::Bash, _) => format!("{path}: {}", error.text()),
            (Dialect::Dash, FsError::NotFound) => {
                format!("cannot create {path}: Directory nonexistent")
            }
            (Dialect::Dash, _) => format!("cannot create {path}: {}", error.text()),
            (Dialect::Ash, FsError::NotFound) => {
                format!("can't create {path}: nonexistent directory")
            }
            (Dialect::Ash, _) => format!("can't create {path}: {}", error.text()),
        }
    }

    /// A redirection that cannot open its file.
    fn cannot_open(self, path: &str, error: FsError) -> String {
        match (self, error) {
            (Dialect::Bash, _) => format!("{path}: {}", error.text()),
            (Dialect::Dash, FsError::NotFound) => format!("cannot open {path}: No such file"),
            (Dialect::Dash, _) => format!("cannot open {path}: {}", error.text()),
            (Dialect::Ash, FsError::NotFound) => format!("can't open {path}: no such file"),
            (Dialect::Ash, _) => format!("can't open {path}: {}", error.text()),
        }
    }

    /// What the shell says of a line it cannot read, after its prefix. dash and ash word bash's errors their
    /// own way; this console's own limits read the same in all three.
    fn syntax_error(self, error: &SyntaxError) -> String {
        match (self, error) {
            (Dialect::Dash, SyntaxError::UnexpectedToken(token)) => {
                format!("Syntax error: \"{token}\" unexpected")
            }
            (Dialect::Dash, SyntaxError::UnexpectedEnd) => {
                "Syntax error: end of file unexpected".into()
            }
            (Dialect::Dash, SyntaxError::UnmatchedQuote(_)) => {
                "Syntax error: Unterminated quoted string".into()
            }
            (Dialect::Ash, SyntaxError::UnexpectedToken(token)) => {
                format!("syntax error: unexpected \"{token}\"")
            }
            (Dialect::Ash, SyntaxError::UnexpectedEnd) => {
                "syntax error: unexpected end of file".into()
            }
            (Dialect::Ash, SyntaxError::UnmatchedQuote(_)) => {
                "syntax error: unterminated quoted string".into()
            }
            _ => error.to_string(),
        }
    }

    /// Whether its tools are BusyBox's rather than GNU's: their messages differ too.
    pub fn busybox(self) -> bool {
        self == Dialect::Ash
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
    pub fn exported(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.exported
            .iter()
            .map(|name| (name.as_str(), self.get(name)))
    }
}

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

/// The order in which writes to stdout and stderr came, as the lengths of the runs of each: what the two
/// streams kept apart need to be shown as a terminal shows them, one after the other as they were written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Interleaving(Vec<(Stream, usize)>);

impl Interleaving {
    pub fn record(&mut self, stream: Stream, len: usize) {
        if len == 0 {
            return;
        }
        match self.0.last_mut() {
            Some((last, run)) if *last == stream => *run += len,
            _ => self.0.push((stream, len)),
        }
    }

    /// The two streams' text in the order it was written; text written without being recorded comes last,
    /// stdout's before stderr's.
    pub fn pieces<'a>(&self, stdout: &'a str, stderr: &'a str) -> Vec<(Stream, &'a str)> {
        let mut taken = [0, 0];
        let mut pieces = Vec::new();
        let mut take = |stream: Stream, len: usize, pieces: &mut Vec<(Stream, &'a str)>| {
            let (text, at) = match stream {
                Stream::Stdout => (stdout, &mut taken[0]),
                Stream::Stderr => (stderr, &mut taken[1]),
            };
            let end = (*at + len).min(text.len());
            if end > *at && text.is_char_boundary(end) {
                pieces.push((stream, &text[*at..end]));
                *at = end;
            }
        };
        for &(stream, len) in &self.0 {
            take(stream, len, &mut pieces);
        }
        take(Stream::Stdout, usize::MAX / 2, &mut pieces);
        take(Stream::Stderr, usize::MAX / 2, &mut pieces);
        pieces
    }
}

/// What a program wrote, and in which order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Io {
    pub stdout: String,
    pub stderr: String,
    pub order: Interleaving,
}

impl Io {
    pub fn out(&mut self, text: &str) {
        self.write(Stream::Stdout, text);
    }

    pub fn err(&mut self, text: &str) {
        self.write(Stream::Stderr, text);
    }

    pub fn write(&mut self, stream: Stream, text: &str) {
        match stream {
            Stream::Stdout => self.stdout.push_str(text),
            Stream::Stderr => self.stderr.push_str(text),
        }
        self.order.record(stream, text.len());
    }

    /// A line on stderr.
    pub fn error(&mut self, line: impl AsRef<str>) {
        self.err(line.as_ref());
        self.err("\n");
    }

    /// What was written, in the order it was written.
    pub fn pieces(&self) -> Vec<(Stream, &str)> {
        self.order.pieces(&self.stdout, &self.stderr)
    }

    /// Appends what another program wrote, in its order.
    pub fn append(&mut self, other: &Io) {
        for (stream, text) in other.pieces() {
            self.write(stream, text);
        }
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

    /// The file at `path` (as typed: resolve it against `session.cwd`), for `<` and the filters. A machine
    /// without files of its own keeps what the shell wrote in its session.
    fn read_file(&self, session: &Session, path: &str) -> Result<String, FsError> {
        session.files.get(path).cloned().ok_or(FsError::NotFound)
    }

    /// Writes `text` to the file at `path`, replacing or appending to what is there, creating it if it is
    /// not, for `>` and `>>`.
    fn write_file(
        &mut self,
        session: &mut Session,
        path: &str,
        text: &str,
        append: bool,
    ) -> Result<(), FsError> {
        let file = session.files.entry(path.to_string()).or_default();
        if !append {
            file.clear();
        }
        file.push_str(text);
        Ok(())
    }

    /// Whether `path` is a directory one can `cd` into; the learner's machine has only `/`.
    fn is_directory(&self, session: &Session, path: &str) -> bool {
        session.absolute(path) == "/"
    }
}
