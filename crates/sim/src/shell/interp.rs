//! Carrying a command line out. The shell's own stack is data (`Frame`), not Rust's call stack, so that a job
//! can stop wherever a command waits, be copied with the cluster (a timeline's snapshot), and go on later.

use std::sync::Arc;

use super::builtins::{self, Builtin};
use super::expand::Expander;
use super::filters::{self, Filter};
use super::syntax::{self, AndOr, Command, Connector, RedirectKind, Script, Simple, Word};
use super::{
    Dialect, Input, Io, Poll, Session, Start, Stream, System, INTERRUPTED, MAX_ITERATIONS,
    MAX_OUTPUT_BYTES,
};
use crate::time::SimTime;

/// A command line being carried out.
#[derive(Clone, Debug)]
pub struct Job<P> {
    frames: Vec<Frame<P>>,
    session: Session,
    /// The status the frame last popped returned to the one under it.
    returned: Option<i32>,
    /// What the substitutions a frame asked for printed, and the status of the last.
    substituted: Option<(Vec<String>, i32)>,
    /// What the job printed that its owner has not taken yet.
    output: Io,
    /// Loop iterations so far, and bytes produced: the job's bounds.
    iterations: usize,
    produced: usize,
    /// `exit N` ran in this shell: the job ends with N once the pipeline it ran in is done.
    exiting: Option<i32>,
    status: Option<i32>,
    /// What is typed at the terminal, for the program in the foreground that reads it.
    input: Input,
    /// What was piped to the shell, for the first command that reads its standard input.
    stdin: Option<String>,
    /// Whether `exit` ran in the shell itself (not in a subshell or a pipeline's copy).
    exit_called: bool,
}

#[derive(Clone, Debug)]
enum Frame<P> {
    /// The and-or lists of a script, one after another; `link` is the pipeline within the current one.
    List {
        script: Arc<Script>,
        item: usize,
        link: usize,
    },
    Pipeline(Box<PipelineRun<P>>),
    For {
        variable: String,
        words: Vec<Word>,
        items: Option<Vec<String>>,
        next: usize,
        body: Arc<Script>,
    },
    Loop {
        until: bool,
        condition: Arc<Script>,
        body: Arc<Script>,
        testing: bool,
        status: i32,
    },
    If {
        branches: Vec<(Arc<Script>, Arc<Script>)>,
        otherwise: Option<Arc<Script>>,
        branch: usize,
        testing: bool,
    },
    /// Runs command substitutions one after another in copies of the shell, collecting what they print.
    Substitute {
        scripts: Vec<Arc<Script>>,
        outputs: Vec<String>,
        running: Option<Box<Job<P>>>,
        status: i32,
    },
}

/// What one step of the frame on top did.
enum Step {
    Continue,
    Wait(Option<SimTime>),
}

impl<P: Clone + std::fmt::Debug> Job<P> {
    /// A job for `line` in a shell with `session`; a line that cannot be read is a job that has already
    /// ended with bash's complaint.
    pub fn start(line: &str, mut session: Session) -> Self {
        session.lines += 1;
        match syntax::parse(line) {
            Ok(script) => Job::of_script(Arc::new(script), session, 0),
            Err(error) => {
                let mut job = Job::of_script(Arc::new(Script::default()), session, 0);
                let message = job.session.dialect.syntax_error(&error);
                job.output
                    .error(format!("{}{message}", job.session.prefix()));
                job.end(2);
                job
            }
        }
    }

    fn of_script(script: Arc<Script>, session: Session, iterations: usize) -> Self {
        Job {
            frames: vec![Frame::List {
                script,
                item: 0,
                link: 0,
            }],
            session,
            returned: None,
            substituted: None,
            output: Io::default(),
            iterations,
            produced: 0,
            exiting: None,
            status: None,
            input: Input::default(),
            stdin: None,
            exit_called: false,
        }
    }

    /// The job with `stdin` piped to its shell, as `sh` reads a script's input from it.
    pub fn with_stdin(mut self, stdin: &str) -> Self {
        self.stdin = Some(stdin.to_string());
        self
    }

    /// Whether the shell ran `exit`: an interactive shell then ends.
    pub fn exit_called(&self) -> bool {
        self.exit_called
    }

    /// A line typed at the terminal while the job runs.
    pub fn feed(&mut self, line: &str) {
        self.input.lines.push_back(line.to_string());
    }

    /// Ctrl-D: input ends.
    pub fn close_input(&mut self) {
        self.input.closed = true;
    }

    /// The programs of the system it is running now.
    pub fn running_programs(&self) -> impl Iterator<Item = &P> {
        self.frames.iter().flat_map(|frame| match frame {
            Frame::Pipeline(run) => run
                .stages
                .iter()
                .filter_map(|stage| match &stage.state {
                    StageState::Program(program) => Some(program),
                    _ => None,
                })
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    }

    /// The exit status once the job has ended.
    pub fn status(&self) -> Option<i32> {
        self.status
    }

    /// What the job printed since the last call.
    pub fn take_output(&mut self) -> Io {
        std::mem::take(&mut self.output)
    }

    /// The shell as the job leaves it: what the next line in the same terminal starts with.
    pub fn into_session(self) -> Session {
        self.session
    }

    /// Carries the job on as far as it can go now.
    pub fn poll<S: System<Program = P>>(&mut self, system: &mut S) -> Poll {
        loop {
            if let Some(status) = self.status {
                return Poll::Exited(status);
            }
            if self.frames.is_empty() {
                let status = self.exiting.unwrap_or(self.returned.unwrap_or(0));
                self.end(status);
                continue;
            }
            match self.step(system) {
                Step::Continue => {}
                Step::Wait(until) => return Poll::Waiting(until),
            }
        }
    }

    /// Ctrl-C: everything running is interrupted and the line ends, the terminal echoing `^C`. Its status is
    /// that of the last command of the pipeline that was running, as bash reports it: 130 for one SIGINT
    /// killed, or what a program that catches SIGINT exits with (kubectl's watches exit 1).
    pub fn interrupt<S: System<Program = P>>(&mut self, system: &mut S) {
        if self.status.is_some() {
            return;
        }
        let status = self.abort(system);
        self.output.out("^C\n");
        self.end(status.unwrap_or(INTERRUPTED));
    }

    /// Ends everything running; the status of the innermost pipeline's last command, if one was running.
    fn abort<S: System<Program = P>>(&mut self, system: &mut S) -> Option<i32> {
        let mut status = None;
        for frame in self.frames.iter_mut().rev() {
            match frame {
                Frame::Pipeline(run) => {
                    for stage in &mut run.stages {
                        let mut io = Io::default();
                        stage.abort(system, &mut io);
                        self.output.append(&io);
                    }
                    if status.is_none() && run.stages.len() == run.commands.len() {
                        status = run.stages.last().and_then(Stage::exited);
                    }
                }
                Frame::Substitute {
                    running: Some(job), ..
                } => {
                    job.abort(system);
                    let io = job.take_output();
                    self.output.err(&io.stderr);
                }
                _ => {}
            }
        }
        self.frames.clear();
        status
    }

    fn end(&mut self, status: i32) {
        self.frames.clear();
        self.session.status = status;
        self.status = Some(status);
    }

    /// Ends the job at once with one of this console's own limits.
    fn stop<S: System<Program = P>>(&mut self, system: &mut S, why: &str) {
        self.abort(system);
        self.output.error(format!("{}{why}", self.session.prefix()));
        self.end(1);
    }

    fn pop(&mut self, status: i32) {
        self.frames.pop();
        self.returned = Some(status);
    }

    fn step<S: System<Program = P>>(&mut self, system: &mut S) -> Step {
        let returned = self.returned.take();
        let Some(frame) = self.frames.last_mut() else {
            return Step::Continue;
        };
        match frame {
            Frame::List { script, item, link } => {
                let script = script.clone();
                let (item, link) = (item, link);
                if returned.is_some() {
                    *link += 1;
                }
                let last = self.session.status;
                match next_pipeline(&script.items, item, link, last) {
                    Some(pipeline) => {
                        let run = PipelineRun::new(pipeline.negated, pipeline.commands.clone());
                        self.frames.push(Frame::Pipeline(Box::new(run)));
                    }
                    None => self.pop(last),
                }
                Step::Continue
            }
            Frame::Pipeline(_) => self.step_pipeline(system, returned),
            Frame::For {
                variable,
                words,
                items,
                next,
                body,
            } => {
                if items.is_none() {
                    let words = words.clone();
                    let Some(outputs) = self.substitutions_for(words.iter()) else {
                        return Step::Continue;
                    };
                    let Some(Frame::For { items, .. }) = self.frames.last_mut() else {
                        unreachable!("the for frame is on top")
                    };
                    let mut expander = Expander::new(&self.session, &outputs.0);
                    *items = Some(words.iter().flat_map(|w| expander.fields(w)).collect());
                    return Step::Continue;
                }
                let items = items.as_ref().expect("expanded above");
                let Some(value) = items.get(*next).cloned() else {
                    let status = if *next == 0 { 0 } else { self.session.status };
                    self.pop(status);
                    return Step::Continue;
                };
                *next += 1;
                let (variable, body) = (variable.clone(), body.clone());
                if !self.count_iteration(system) {
                    return Step::Continue;
                }
                self.session.variables.set(&variable, &value);
                self.push_list(body);
                Step::Continue
            }
            Frame::Loop {
                until,
                condition,
                body,
                testing,
                status,
            } => {
                let (until, condition, body) = (*until, condition.clone(), body.clone());
                match (returned, *testing) {
                    (None, _) => self.push_list(condition),
                    (Some(tested), true) => {
                        if (tested == 0) == until {
                            let status = *status;
                            self.pop(status);
                        } else {
                            *testing = false;
                            self.push_list(body);
                        }
                    }
                    (Some(ran), false) => {
                        *status = ran;
                        *testing = true;
                        if self.count_iteration(system) {
                            self.push_list(condition);
                        }
                    }
                }
                Step::Continue
            }
            Frame::If {
                branches,
                otherwise,
                branch,
                testing,
            } => {
                match (returned, *testing) {
                    (None, _) => {
                        let condition = branches[*branch].0.clone();
                        self.push_list(condition);
                    }
                    (Some(0), true) => {
                        *testing = false;
                        let body = branches[*branch].1.clone();
                        self.push_list(body);
                    }
                    (Some(_), true) => {
                        *branch += 1;
                        let condition = branches.get(*branch).map(|(c, _)| c.clone());
                        match (condition, otherwise.clone()) {
                            (Some(condition), _) => self.push_list(condition),
                            (None, Some(otherwise)) => {
                                *testing = false;
                                self.push_list(otherwise);
                            }
                            (None, None) => self.pop(0),
                        }
                    }
                    (Some(status), false) => self.pop(status),
                }
                Step::Continue
            }
            Frame::Substitute { .. } => self.step_substitution(system),
        }
    }

    fn push_list(&mut self, script: Arc<Script>) {
        self.frames.push(Frame::List {
            script,
            item: 0,
            link: 0,
        });
    }

    /// Counts a loop iteration; past the bound the job stops.
    fn count_iteration<S: System<Program = P>>(&mut self, system: &mut S) -> bool {
        self.count_iterations(system, 1)
    }

    /// Counts `n` loop iterations; past the bound the job stops.
    fn count_iterations<S: System<Program = P>>(&mut self, system: &mut S, n: usize) -> bool {
        self.iterations += n;
        if self.iterations > MAX_ITERATIONS {
            self.stop(
                system,
                &format!("loop stopped after {MAX_ITERATIONS} iterations, this console's limit"),
            );
            return false;
        }
        true
    }

    /// The outputs of the substitutions in `words` once they have run; until then, pushes the frame that
    /// runs them and returns `None`.
    fn substitutions_for<'w>(
        &mut self,
        words: impl Iterator<Item = &'w Word>,
    ) -> Option<(Vec<String>, i32)> {
        if let Some(done) = self.substituted.take() {
            return Some(done);
        }
        let scripts: Vec<Arc<Script>> = words
            .flat_map(|w| w.parts.iter())
            .filter_map(|part| match part {
                syntax::Part::Substitution { script, .. } => Some(script.clone()),
                _ => None,
            })
            .collect();
        if scripts.is_empty() {
            return Some((Vec::new(), self.session.status));
        }
        self.frames.push(Frame::Substitute {
            scripts,
            outputs: Vec::new(),
            running: None,
            status: 0,
        });
        None
    }

    fn step_substitution<S: System<Program = P>>(&mut self, system: &mut S) -> Step {
        let session = self.session.clone();
        let iterations = self.iterations;
        let Some(Frame::Substitute {
            scripts,
            outputs,
            running,
            status,
        }) = self.frames.last_mut()
        else {
            unreachable!("called for a substitution frame")
        };
        if running.is_none() {
            match scripts.get(outputs.len()) {
                Some(script) => {
                    *running = Some(Box::new(Job::of_script(
                        script.clone(),
                        session,
                        iterations,
                    )));
                }
                None => {
                    let done = (std::mem::take(outputs), *status);
                    self.frames.pop();
                    self.substituted = Some(done);
                    return Step::Continue;
                }
            }
        }
        let job = running.as_mut().expect("started above");
        // Its stdout stays in it until it ends: only what it adds is counted, once.
        let before = job.output.stdout.len();
        let poll = job.poll(system);
        let stderr = std::mem::take(&mut job.output.stderr);
        let produced = job.output.stdout.len().saturating_sub(before) + stderr.len();
        let sub_iterations = job.iterations;
        if let Poll::Exited(exit) = poll {
            *status = exit;
            let mut captured = std::mem::take(&mut job.output.stdout);
            *running = None;
            let trimmed = captured.trim_end_matches('\n').len();
            captured.truncate(trimmed);
            outputs.push(captured);
        }
        self.output.err(&stderr);
        self.iterations = sub_iterations;
        if !self.count_output(system, produced) {
            return Step::Continue;
        }
        match poll {
            Poll::Exited(_) => Step::Continue,
            Poll::Waiting(until) => Step::Wait(until),
        }
    }

    /// Counts bytes produced; past the bound the job stops.
    fn count_output<S: System<Program = P>>(&mut self, system: &mut S, bytes: usize) -> bool {
        self.produced += bytes;
        if self.produced > MAX_OUTPUT_BYTES {
            // What went past the bound is not shown: it is still here, as the owner takes output after a poll.
            let excess = self.produced - MAX_OUTPUT_BYTES;
            let stdout = &mut self.output.stdout;
            let mut keep = stdout.len().saturating_sub(excess);
            while !stdout.is_char_boundary(keep) {
                keep -= 1;
            }
            stdout.truncate(keep);
            self.stop(
                system,
                "output stopped after 1 MiB, this console's limit for one command line",
            );
            return false;
        }
        true
    }

    fn step_pipeline<S: System<Program = P>>(
        &mut self,
        system: &mut S,
        returned: Option<i32>,
    ) -> Step {
        let Some(Frame::Pipeline(run)) = self.frames.last_mut() else {
            unreachable!("called for a pipeline frame")
        };
        if let Some(status) = returned {
            // The compound command this pipeline runs in this shell has ended.
            if let Some(stage) = run.stages.last_mut() {
                stage.state = StageState::Exited(status);
            }
        }
        if run.stages.len() < run.commands.len() {
            self.prepare_stage(system);
            return Step::Continue;
        }
        let Some(Frame::Pipeline(mut run)) = self.frames.pop() else {
            unreachable!("checked above")
        };
        let mut produced = 0;
        let poll = run.run(
            system,
            &mut self.session,
            &mut self.input,
            &mut self.output,
            &mut produced,
        );
        let looped: usize = run
            .stages
            .iter_mut()
            .map(|stage| std::mem::take(&mut stage.iterations))
            .sum();
        if self.iterations + looped > MAX_ITERATIONS {
            // Stopped with the pipeline on the stack, so that what still runs in it is ended too.
            self.frames.push(Frame::Pipeline(run));
            self.count_iterations(system, looped);
            return Step::Continue;
        }
        self.iterations += looped;
        match poll {
            Poll::Exited(status) => {
                self.session.status = status;
                self.returned = Some(status);
                if let Some(code) = self.exiting {
                    self.frames.clear();
                    self.returned = Some(code);
                }
            }
            Poll::Waiting(_) => self.frames.push(Frame::Pipeline(run)),
        }
        if !self.count_output(system, produced) {
            return Step::Continue;
        }
        match poll {
            Poll::Exited(_) => Step::Continue,
            Poll::Waiting(until) => Step::Wait(until),
        }
    }

    /// Prepares the next command of the pipeline on top: runs its substitutions, expands it and starts it.
    fn prepare_stage<S: System<Program = P>>(&mut self, system: &mut S) {
        let Some(Frame::Pipeline(run)) = self.frames.last() else {
            unreachable!("called for a pipeline frame")
        };
        let index = run.stages.len();
        let alone = run.commands.len() == 1;
        let command = run.commands[index].clone();
        let stage = match command {
            Command::Simple(simple) => {
                let Some((outputs, status)) = self.substitutions_for(
                    simple
                        .assignments
                        .iter()
                        .map(|(_, w)| w)
                        .chain(&simple.words)
                        .chain(simple.redirects.iter().filter_map(|r| r.kind.word())),
                ) else {
                    return;
                };
                self.simple_stage(system, &simple, &outputs, status, alone, index)
            }
            compound if alone && !matches!(compound, Command::Subshell(_)) => {
                self.push_compound(compound);
                Stage::new(StageState::InShell)
            }
            compound => Stage::new(StageState::Shell(Box::new(Job::of_script(
                Arc::new(script_of(compound)),
                self.session.clone(),
                self.iterations,
            )))),
        };
        let Some(Frame::Pipeline(run)) = self
            .frames
            .iter_mut()
            .rev()
            .find(|f| matches!(f, Frame::Pipeline(_)))
        else {
            unreachable!("the pipeline is under its compound command")
        };
        run.stages.push(stage);
    }

    fn push_compound(&mut self, command: Command) {
        let frame = match command {
            Command::For {
                variable,
                words,
                body,
            } => Frame::For {
                variable,
                words,
                items: None,
                next: 0,
                body,
            },
            Command::Loop {
                until,
                condition,
                body,
            } => Frame::Loop {
                until,
                condition,
                body,
                testing: true,
                status: 0,
            },
            Command::If {
                branches,
                otherwise,
            } => Frame::If {
                branches,
                otherwise,
                branch: 0,
                testing: true,
            },
            Command::Group(script) => Frame::List {
                script,
                item: 0,
                link: 0,
            },
            Command::Subshell(_) | Command::Simple(_) => {
                unreachable!("run as a stage of their own")
            }
        };
        self.frames.push(frame);
    }

    /// Expands a simple command and starts it: a builtin runs at once, a filter waits for its input, a program
    /// of the system starts (or, reading a pipe, starts once what it reads has all come).
    fn simple_stage<S: System<Program = P>>(
        &mut self,
        system: &mut S,
        simple: &Simple,
        outputs: &[String],
        substitution_status: i32,
        in_shell: bool,
        index: usize,
    ) -> Stage<P> {
        let mut expander = Expander::new(&self.session, outputs);
        let assignments: Vec<(String, String)> = simple
            .assignments
            .iter()
            .map(|(name, word)| (name.clone(), expander.text(word)))
            .collect();
        let argv = expand_words(&simple.words, &mut expander);
        let redirects: Vec<(u32, Resolved)> = simple
            .redirects
            .iter()
            .map(|r| (r.fd, resolve(&r.kind, &mut expander)))
            .collect();
        let mut stage = Stage::new(StageState::Exited(0));
        if index == 0 {
            if let Some(text) = self.stdin.take() {
                stage.input = Stdin::Redirected(Some(text));
            }
        }
        if let Some(error) = expander.errors.first() {
            // An expansion that fails (`$((1/0))`) ends the whole line, as bash abandons it.
            stage.io.error(format!("{}{error}", self.session.prefix()));
            stage.state = StageState::Exited(1);
            self.exiting = Some(1);
            return stage;
        }
        if let Err(error) = stage.redirect(&redirects, system, &mut self.session) {
            stage.io.error(format!("{}{error}", self.session.prefix()));
            // dash and ash leave a command whose redirection failed with 2, bash with 1.
            let status = if self.session.dialect == Dialect::Bash {
                1
            } else {
                2
            };
            stage.state = StageState::Exited(status);
            return stage;
        }
        let Some(name) = argv.first() else {
            if in_shell {
                for (name, value) in &assignments {
                    self.session.variables.set(name, value);
                }
            }
            stage.state = StageState::Exited(if outputs.is_empty() {
                0
            } else {
                substitution_status
            });
            return stage;
        };
        if let Some(builtin) = Builtin::named(name) {
            let mut scratch;
            let session = if in_shell {
                &mut self.session
            } else {
                scratch = self.session.clone();
                &mut scratch
            };
            let outcome = builtins::run(builtin, &argv, session, system, &mut stage.io);
            stage.state = match outcome {
                builtins::Outcome::Exited(status) => StageState::Exited(status),
                builtins::Outcome::Sleep(until) => StageState::Sleep(until),
                builtins::Outcome::Exit(status) => {
                    if in_shell {
                        self.exiting = Some(status);
                        self.exit_called = true;
                    }
                    StageState::Exited(status)
                }
            };
            return stage;
        }
        if name == "xargs" {
            stage.state = match filters::Xargs::parse(&argv) {
                Ok(xargs) => StageState::Xargs(xargs, String::new()),
                Err((message, status)) => {
                    stage.io.err(&message);
                    StageState::Exited(status)
                }
            };
            return stage;
        }
        let read = |path: &str| system.read_file(&self.session, path);
        if let Some(filter) = Filter::start(&argv, self.session.dialect, &read, &mut stage.io) {
            stage.state = match filter {
                Ok(filter) => StageState::Filter(filter),
                Err(status) => StageState::Exited(status),
            };
            return stage;
        }
        let stdin = match &mut stage.input {
            Stdin::Pipe if index > 0 => {
                stage.state = StageState::Deferred(argv, String::new());
                return stage;
            }
            Stdin::Pipe => String::new(),
            Stdin::Redirected(text) => text.take().unwrap_or_default(),
        };
        stage.state = start_program(system, &argv, &stdin, &self.session, &mut stage.io);
        stage
    }
}

/// The words of a command as fields. After `export`, a word that is an assignment (`PODS=$(…)`) is one field,
/// as bash leaves a declaration's assignments unsplit.
fn expand_words(words: &[Word], expander: &mut Expander) -> Vec<String> {
    let declaration = words.first().is_some_and(|w| w.plain() == Some("export"));
    words
        .iter()
        .enumerate()
        .flat_map(|(index, word)| {
            if declaration && index > 0 && syntax::is_assignment(word) {
                vec![expander.text(word)]
            } else {
                expander.fields(word)
            }
        })
        .collect()
}

/// The pipeline of the current and-or list that is due, moving `item` and `link` past those skipped by
/// `&&` and `||`; `None` at the end of the script.
fn next_pipeline<'s>(
    items: &'s [AndOr],
    item: &mut usize,
    link: &mut usize,
    last: i32,
) -> Option<&'s syntax::Pipeline> {
    loop {
        let and_or = items.get(*item)?;
        if *link > and_or.rest.len() {
            *item += 1;
            *link = 0;
            continue;
        }
        if *link == 0 {
            return Some(&and_or.first);
        }
        let (connector, pipeline) = &and_or.rest[*link - 1];
        let due = match connector {
            Connector::And => last == 0,
            Connector::Or => last != 0,
        };
        if due {
            return Some(pipeline);
        }
        *link += 1;
    }
}

/// A compound command alone as a script, to run in a copy of the shell (a stage of a pipeline).
fn script_of(command: Command) -> Script {
    if let Command::Subshell(script) = command {
        return (*script).clone();
    }
    Script {
        items: vec![AndOr {
            first: syntax::Pipeline {
                negated: false,
                commands: vec![command],
            },
            rest: Vec::new(),
        }],
    }
}

fn start_program<S: System>(
    system: &mut S,
    argv: &[String],
    stdin: &str,
    session: &Session,
    io: &mut Io,
) -> StageState<S::Program> {
    match system.start(argv, stdin, session, io) {
        Start::NotFound => {
            io.error(format!(
                "{}{}",
                session.prefix(),
                session.dialect.not_found(&argv[0])
            ));
            StageState::Exited(127)
        }
        Start::Exited(status) => StageState::Exited(status),
        Start::Running(program) => StageState::Program(program),
    }
}

/// A redirection with its word expanded.
enum Resolved {
    Write { path: String, append: bool },
    Read(String),
    Duplicate(u32),
    Input(String),
}

fn resolve(kind: &RedirectKind, expander: &mut Expander) -> Resolved {
    match kind {
        RedirectKind::Write { target, append } => Resolved::Write {
            path: expander.text(target),
            append: *append,
        },
        RedirectKind::Read(word) => Resolved::Read(expander.text(word)),
        RedirectKind::Duplicate(fd) => Resolved::Duplicate(*fd),
        RedirectKind::HereDocument(word) => Resolved::Input(expander.text(word)),
    }
}

/// Where a stage's output goes.
#[derive(Clone, Debug, PartialEq)]
enum Destination {
    /// Its own stream: stdout to the next stage (or the terminal), stderr to the terminal.
    Stdout,
    Stderr,
    Null,
    File(String),
}

#[derive(Clone, Debug)]
struct PipelineRun<P> {
    negated: bool,
    commands: Vec<Command>,
    stages: Vec<Stage<P>>,
    /// What each stage wrote to the next and the next has not read yet.
    pipes: Vec<String>,
}

#[derive(Clone, Debug)]
struct Stage<P> {
    state: StageState<P>,
    /// Output written and not yet routed.
    io: Io,
    stdout: Destination,
    stderr: Destination,
    input: Stdin,
    /// Loop iterations its own shell (a compound command, `xargs`) took since the pipeline last counted them:
    /// they count toward the line's bound.
    iterations: usize,
}

/// Where a stage reads from.
#[derive(Clone, Debug)]
enum Stdin {
    /// The pipe from the stage before (nothing, for the first).
    Pipe,
    /// A file or a here-document (`<`, `<<`), read whole: `None` once read.
    Redirected(Option<String>),
}

#[derive(Clone, Debug)]
enum StageState<P> {
    Exited(i32),
    /// A compound command running on the job's stack above the pipeline.
    InShell,
    Program(P),
    /// A program reading the pipe, started once its input has all come.
    Deferred(Vec<String>, String),
    Sleep(SimTime),
    Filter(Filter),
    Xargs(filters::Xargs, String),
    Shell(Box<Job<P>>),
}

impl<P: Clone + std::fmt::Debug> Stage<P> {
    fn new(state: StageState<P>) -> Self {
        Stage {
            state,
            io: Io::default(),
            stdout: Destination::Stdout,
            stderr: Destination::Stderr,
            input: Stdin::Pipe,
            iterations: 0,
        }
    }

    fn exited(&self) -> Option<i32> {
        match self.state {
            StageState::Exited(status) => Some(status),
            _ => None,
        }
    }

    /// Applies redirections left to right, creating (or emptying) the files written to.
    fn redirect<S: System<Program = P>>(
        &mut self,
        redirects: &[(u32, Resolved)],
        system: &mut S,
        session: &mut Session,
    ) -> Result<(), String> {
        for (fd, redirect) in redirects {
            let destination = match redirect {
                Resolved::Write { path, append } => {
                    if path == "/dev/null" {
                        Destination::Null
                    } else {
                        system
                            .write_file(session, path, "", *append)
                            .map_err(|e| session.dialect.cannot_create(path, e))?;
                        Destination::File(path.clone())
                    }
                }
                Resolved::Duplicate(1) => self.stdout.clone(),
                Resolved::Duplicate(2) => self.stderr.clone(),
                Resolved::Duplicate(other) => return Err(format!("{other}: Bad file descriptor")),
                Resolved::Read(path) => {
                    let text = system
                        .read_file(session, path)
                        .map_err(|e| session.dialect.cannot_open(path, e))?;
                    self.input = Stdin::Redirected(Some(text));
                    continue;
                }
                Resolved::Input(text) => {
                    self.input = Stdin::Redirected(Some(text.clone()));
                    continue;
                }
            };
            match fd {
                1 => self.stdout = destination,
                2 => self.stderr = destination,
                other => return Err(format!("{other}: Bad file descriptor")),
            }
        }
        Ok(())
    }

    /// Ends whatever runs in the stage, as SIGINT or a closed pipe ends it.
    fn abort<S: System<Program = P>>(&mut self, system: &mut S, io: &mut Io) {
        let status = match &mut self.state {
            StageState::Exited(_) => return,
            StageState::Program(program) => system.interrupt(program, io),
            StageState::Shell(job) => {
                let status = job.abort(system);
                let out = job.take_output();
                io.err(&out.stderr);
                status.unwrap_or(INTERRUPTED)
            }
            _ => INTERRUPTED,
        };
        self.state = StageState::Exited(status);
    }

    /// Lets the stage go on with what has come down the pipe (`closed` once the stage before has exited).
    fn poll<S: System<Program = P>>(
        &mut self,
        system: &mut S,
        session: &Session,
        typed: &mut Input,
        input: String,
        closed: bool,
    ) -> Poll {
        let (input, closed) = match &mut self.input {
            Stdin::Pipe => (input, closed),
            Stdin::Redirected(text) => (text.take().unwrap_or_default(), true),
        };
        let poll = match &mut self.state {
            StageState::Exited(status) => Poll::Exited(*status),
            StageState::InShell => Poll::Waiting(None),
            StageState::Program(program) => system.poll(program, typed, &mut self.io),
            StageState::Deferred(argv, stdin) => {
                stdin.push_str(&input);
                if !closed {
                    return Poll::Waiting(None);
                }
                let (argv, stdin) = (argv.clone(), std::mem::take(stdin));
                self.state = start_program(system, &argv, &stdin, session, &mut self.io);
                return self.poll(system, session, typed, String::new(), true);
            }
            StageState::Sleep(until) => {
                if system.now() >= *until {
                    Poll::Exited(0)
                } else {
                    Poll::Waiting(Some(*until))
                }
            }
            StageState::Filter(filter) => {
                let done = filter.feed(&input, &mut self.io);
                match (done, closed) {
                    (Some(status), _) => Poll::Exited(status),
                    (None, true) => Poll::Exited(filter.finish(&mut self.io)),
                    (None, false) => Poll::Waiting(None),
                }
            }
            StageState::Xargs(xargs, collected) => {
                collected.push_str(&input);
                if !closed {
                    return Poll::Waiting(None);
                }
                let script = xargs.script(collected);
                let job = Job::of_script(Arc::new(script), session.clone(), 0);
                self.state = StageState::Shell(Box::new(job));
                return self.poll(system, session, typed, String::new(), true);
            }
            StageState::Shell(job) => {
                let before = job.iterations;
                let poll = job.poll(system);
                self.iterations += job.iterations.saturating_sub(before);
                let out = job.take_output();
                self.io.append(&out);
                poll
            }
        };
        if let Poll::Exited(status) = poll {
            self.state = StageState::Exited(status);
        }
        poll
    }
}

impl<P: Clone + std::fmt::Debug> PipelineRun<P> {
    fn new(negated: bool, commands: Vec<Command>) -> Self {
        PipelineRun {
            negated,
            pipes: vec![String::new(); commands.len()],
            commands,
            stages: Vec::new(),
        }
    }

    /// Moves data through the stages, first to last: what a stage writes reaches the next in the same pass.
    /// `produced` counts what was written.
    fn run<S: System<Program = P>>(
        &mut self,
        system: &mut S,
        session: &mut Session,
        typed: &mut Input,
        terminal: &mut Io,
        produced: &mut usize,
    ) -> Poll {
        let last = self.stages.len() - 1;
        let mut wake: Option<SimTime> = None;
        for index in 0..self.stages.len() {
            // A stage whose reader has gone gets SIGPIPE, as a program writing to a closed pipe does.
            if index < last && self.stages[index + 1].exited().is_some() {
                let mut io = Io::default();
                self.stages[index].abort(system, &mut io);
                terminal.err(&io.stderr);
                continue;
            }
            let input = if index == 0 {
                String::new()
            } else {
                std::mem::take(&mut self.pipes[index - 1])
            };
            let upstream_done = index == 0 || self.stages[index - 1].exited().is_some();
            let stage = &mut self.stages[index];
            if let Poll::Waiting(Some(at)) =
                stage.poll(system, session, typed, input, upstream_done)
            {
                wake = Some(wake.map_or(at, |w| w.min(at)));
            }
            let io = std::mem::take(&mut stage.io);
            *produced += io.stdout.len() + io.stderr.len();
            let (stdout, stderr) = (stage.stdout.clone(), stage.stderr.clone());
            let pipe = (index < last).then(|| &mut self.pipes[index]);
            route(io, &stdout, &stderr, pipe, terminal, system, session);
        }
        let reader_gone = self
            .stages
            .windows(2)
            .any(|w| w[0].exited().is_none() && w[1].exited().is_some());
        if reader_gone {
            return self.run(system, session, typed, terminal, produced);
        }
        if self.stages.iter().any(|s| s.exited().is_none()) {
            return Poll::Waiting(wake);
        }
        let status = self.stages[last].exited().unwrap_or(0);
        Poll::Exited(if self.negated {
            i32::from(status == 0)
        } else {
            status
        })
    }
}

/// Sends a stage's output where its redirections say: stdout down the pipe (or to the terminal for the last
/// stage), stderr to the terminal.
fn route<S: System>(
    io: Io,
    stdout: &Destination,
    stderr: &Destination,
    mut pipe: Option<&mut String>,
    terminal: &mut Io,
    system: &mut S,
    session: &mut Session,
) {
    // Piece by piece, in the order written, so that the terminal shows errors among the output as they came.
    for (stream, text) in io.pieces() {
        let destination = match stream {
            Stream::Stdout => stdout,
            Stream::Stderr => stderr,
        };
        match destination {
            Destination::Stdout => match pipe.as_deref_mut() {
                Some(pipe) => pipe.push_str(text),
                None => terminal.out(text),
            },
            Destination::Stderr => terminal.err(text),
            Destination::Null => {}
            // The file was created when the redirection was applied; a write that fails now (its
            // directory removed meanwhile) is lost, as the process's write would fail.
            Destination::File(path) => {
                let _ = system.write_file(session, path, text, true);
            }
        }
    }
}
