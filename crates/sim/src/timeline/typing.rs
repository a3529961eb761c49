//! Lines typed at the page's console. One that returns at once is an intervention like any other. One that
//! goes on (a watch, `sleep`, a loop) runs while the clock plays, and the console follows what it prints:
//! as a step of the branch if it changed the cluster as it started (`kubectl delete`, which then waits), or
//! outside the script while it has changed nothing (`kubectl get -w`), so that watching in the past forks no
//! history. The moment such a line changes something, it becomes a step at the instant it was typed and the
//! cluster is run again from before it, so that any later visit replays the same change.

use super::{Before, Timeline};
use crate::kubectl::CommandOutput;
use crate::script::{Action, Keystroke, Step, Typed, MAIN_TERMINAL};
use crate::shell::Interleaving;
use crate::terminal::{Printed, Ran, Running, Stream};
use crate::time::SimTime;

/// What typing a line did at once.
#[derive(Clone, Debug, PartialEq)]
pub struct Typing {
    /// What it printed before the clock moved.
    pub output: CommandOutput,
    /// Whether it goes on running: `take_followed` brings what it prints next.
    pub running: bool,
}

/// What the followed line printed since the console last asked, and its exit code once it has ended.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TypedOutput {
    pub stdout: String,
    pub stderr: String,
    /// The order the two were printed in.
    pub order: Interleaving,
    pub exit_code: Option<i32>,
}

impl TypedOutput {
    /// What was printed, in the order printed.
    pub fn pieces(&self) -> Vec<(Stream, &str)> {
        self.order.pieces(&self.stdout, &self.stderr)
    }

    /// What `output` printed beyond its first `shown` bytes of stdout and of stderr, in the order printed: what
    /// a viewer that has shown those has yet to show.
    pub fn beyond(output: &CommandOutput, shown: (usize, usize)) -> TypedOutput {
        let mut rest = TypedOutput::default();
        let mut skip = shown;
        for (stream, text) in output.pieces() {
            let skipped = match stream {
                Stream::Stdout => &mut skip.0,
                Stream::Stderr => &mut skip.1,
            };
            let mut drop = (*skipped).min(text.len());
            while !text.is_char_boundary(drop) {
                drop -= 1;
            }
            *skipped -= drop;
            rest.write(stream, &text[drop..]);
        }
        rest
    }

    /// Appends what was printed since, in its order.
    pub fn append(&mut self, later: &TypedOutput) {
        for (stream, text) in later.pieces() {
            self.write(stream, text);
        }
    }

    fn write(&mut self, stream: Stream, text: &str) {
        match stream {
            Stream::Stdout => self.stdout.push_str(text),
            Stream::Stderr => self.stderr.push_str(text),
        }
        self.order.record(stream, text.len());
    }
}

/// The running line the console follows.
#[derive(Clone, Debug)]
pub(super) struct Followed {
    pub(super) target: Target,
    /// Printed and not yet taken.
    pub(super) output: TypedOutput,
    /// Bytes of stdout and stderr printed so far.
    printed: (usize, usize),
    /// Bytes of each a replay prints again that were printed already, and are not printed twice.
    skip: (usize, usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Target {
    /// Step `index` of branch `branch`.
    Step { branch: usize, index: usize },
    /// The line running outside the script.
    Typed,
}

impl Followed {
    /// Following a line that has printed `so_far` already.
    fn new(target: Target, so_far: &CommandOutput) -> Followed {
        Followed {
            target,
            output: TypedOutput::default(),
            printed: (so_far.stdout.len(), so_far.stderr.len()),
            skip: (0, 0),
        }
    }

    pub(super) fn print(&mut self, printed: Printed) {
        let (text, count, skip) = match printed.stream {
            Stream::Stdout => (
                &mut self.output.stdout,
                &mut self.printed.0,
                &mut self.skip.0,
            ),
            Stream::Stderr => (
                &mut self.output.stderr,
                &mut self.printed.1,
                &mut self.skip.1,
            ),
        };
        let mut drop = (*skip).min(printed.text.len());
        while !printed.text.is_char_boundary(drop) {
            drop -= 1;
        }
        *skip -= drop;
        text.push_str(&printed.text[drop..]);
        *count += printed.text.len() - drop;
        self.output
            .order
            .record(printed.stream, printed.text.len() - drop);
    }

    pub(super) fn end(&mut self, ran: Ran) {
        for printed in ran.printed {
            self.print(printed);
        }
        self.output.exit_code = Some(ran.output.exit_code);
    }
}

impl Timeline {
    /// Types `line` at the console now.
    pub fn type_line(&mut self, line: &str) -> Typing {
        self.end_typed();
        let before = Before::of(&self.live);
        let executed = self.progress.executed;
        let issued = self.live.now();
        let future = self.has_future(issued, executed);
        let mut command = Running::start(&mut self.live, MAIN_TERMINAL, line);
        let action = Action::Run(line.to_string());
        if command.ended() {
            let output = command.finish(&mut self.live).output;
            if self.record_if_changed(before, action) {
                let place = (self.current, self.progress.executed - 1);
                self.outputs.insert(place, output.clone());
            }
            return Typing {
                output,
                running: false,
            };
        }
        let mut output = CommandOutput::default();
        for printed in command.take_printed() {
            output.write(printed.stream, &printed.text);
        }
        let target = if command.changed() {
            self.record_if_changed(before, action);
            let index = self.progress.executed - 1;
            self.progress.adopt(index, issued, command);
            Target::Step {
                branch: self.current,
                index,
            }
        } else {
            self.progress.typed = Some(Typed {
                issued,
                executed,
                future,
                line: line.to_string(),
                command,
                stdin: Vec::new(),
            });
            Target::Typed
        };
        self.followed = Some(Followed::new(target, &output));
        Typing {
            output,
            running: true,
        }
    }

    /// Whether a typed line is still running.
    pub fn is_following(&self) -> bool {
        self.followed
            .as_ref()
            .is_some_and(|f| f.output.exit_code.is_none())
    }

    /// What the followed line printed since the last call; once it has ended, its exit code, and it is no
    /// longer followed.
    pub fn take_followed(&mut self) -> Option<TypedOutput> {
        let followed = self.followed.as_mut()?;
        let output = std::mem::take(&mut followed.output);
        if output.exit_code.is_some() {
            self.followed = None;
        }
        Some(output)
    }

    /// Ctrl-C for the followed line. A step of the branch keeps the instant it was interrupted at as its
    /// `timeout`, so that every replay interrupts it there too.
    pub fn interrupt_followed(&mut self) {
        let Some(followed) = &self.followed else {
            return;
        };
        match followed.target {
            Target::Typed => self.end_typed(),
            Target::Step { branch, index } => {
                if branch != self.current {
                    return;
                }
                if let Some(ran) = self.interrupt_step(index) {
                    if let Some(followed) = self.followed.as_mut() {
                        followed.end(ran);
                    }
                }
            }
        }
    }

    /// Whether the followed line is a shell in a container reading what is typed (`kubectl exec -it … sh`).
    pub fn followed_reads_input(&self) -> bool {
        let Some(followed) = self
            .followed
            .as_ref()
            .filter(|f| f.output.exit_code.is_none())
        else {
            return false;
        };
        match followed.target {
            Target::Typed => self
                .progress
                .typed
                .as_ref()
                .is_some_and(|typed| typed.command.reads_input()),
            Target::Step { branch, index } => {
                branch == self.current && self.progress.reads_input(index)
            }
        }
    }

    /// Types a line (`None`: Ctrl-D) at the followed line's terminal. A step keeps it, with when it was typed,
    /// so that every replay types it then too.
    pub fn key_followed(&mut self, line: Option<&str>) {
        let Some(followed) = &self.followed else {
            return;
        };
        let now = self.live.now();
        match followed.target {
            Target::Typed => {
                if let Some(typed) = self.progress.typed.as_mut() {
                    typed.command.key(line);
                    typed.stdin.push(Keystroke {
                        after: Some(SimTime(now.as_millis() - typed.issued.as_millis())),
                        line: line.map(str::to_string),
                    });
                }
            }
            Target::Step { branch, index } => {
                if branch == self.current {
                    self.key_step(index, line);
                }
            }
        }
        self.pump_followed();
    }

    /// Types at step `index`'s terminal of the current branch, if its command still runs, and keeps it in the
    /// step with when it was typed, so that every replay types it then too.
    pub(super) fn key_step(&mut self, index: usize, line: Option<&str>) {
        let Some(issued) = self.progress.issued(index) else {
            return;
        };
        if self.progress.key_step(index, line) {
            let now = self.live.now();
            self.branches[self.current].steps[index]
                .stdin
                .push(Keystroke {
                    after: Some(SimTime(now.as_millis() - issued.as_millis())),
                    line: line.map(str::to_string),
                });
            // Copies taken while it ran would replay it without this.
            self.snapshots.retain(|s| s.cluster.now() <= issued);
        }
    }

    /// Interrupts step `index` of the current branch, if it still runs: the step keeps the instant as its
    /// `timeout`, so that every replay interrupts it there too. What it printed, and how it ended.
    pub(super) fn interrupt_step(&mut self, index: usize) -> Option<Ran> {
        let issued = self.progress.issued(index)?;
        let now = self.live.now();
        self.branches[self.current].steps[index].timeout =
            Some(SimTime(now.as_millis() - issued.as_millis()));
        // Copies taken while it ran do not know it was interrupted.
        self.snapshots.retain(|s| s.cluster.now() <= issued);
        let ran = self.progress.interrupt_step(index, &mut self.live)?;
        self.outputs
            .insert((self.current, index), ran.output.clone());
        Some(ran)
    }

    /// Lets the followed line read what was typed at once, at this instant.
    fn pump_followed(&mut self) {
        let now = self.live.now();
        self.advance(now);
    }

    /// Interrupts the line running outside the script, if there is one: before anything else is typed, and
    /// before the cluster is taken back to an earlier copy, where it never ran.
    pub(super) fn end_typed(&mut self) {
        let Some(mut typed) = self.progress.typed.take() else {
            return;
        };
        typed.command.interrupt(&mut self.live);
        let printed = typed.command.take_printed();
        let ran = typed.command.finish(&mut self.live);
        if let Some(followed) = self.followed.as_mut().filter(|f| f.target == Target::Typed) {
            for piece in printed {
                followed.print(piece);
            }
            followed.end(ran);
        }
    }

    /// The line running outside the script has changed the cluster: it becomes a step at the instant it was
    /// typed, and the cluster runs again from a copy taken before then to where it was, now with the step.
    pub(super) fn adopt_typed(&mut self) {
        let Some(typed) = self.progress.typed.take() else {
            return;
        };
        let now = self.live.now();
        if typed.future {
            self.fork_at(typed.issued, typed.executed);
        }
        let branch = &mut self.branches[self.current];
        branch.steps.truncate(typed.executed);
        branch.steps.push(Step {
            stdin: typed.stdin,
            ..Step::new(typed.issued, Action::Run(typed.line))
        });
        let index = typed.executed;
        self.snapshots
            .retain(|s| s.cluster.now() <= typed.issued && s.progress.executed <= typed.executed);
        if let Some(followed) = self.followed.as_mut() {
            followed.target = Target::Step {
                branch: self.current,
                index,
            };
            // The replay prints it all again: what was printed so far is printed once.
            followed.skip = followed.printed;
        }
        self.restore_before(typed.issued);
        self.advance(now);
    }
}
