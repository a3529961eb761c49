//! The panel under the stage: the cluster's events as `kubectl get events` prints them, and a kubectl console.
//! Every action the page takes goes through the `Terminal`, so the console shows the command it stands for.

mod events;

use leptos::prelude::*;
use ordinal_sim::view::{
    kubectl, shell, Action, CommandOutput, Interleaving, SimTime, Stream, TypedOutput,
};
use std::collections::BTreeMap;

use crate::app::Simulation;
use crate::classroom::lessons::Lessons;
use crate::i18n::{t, T};
use crate::time::format_clock;
use crate::time::player::Playback;
use crate::workspace::Workspace;
pub use events::Announcer;
use events::EventList;

/// Who ran a command: the person at the prompt, a menu on the stage, a lesson's "Do it", or the scenario's
/// script as the clock reached it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Typed,
    Menu,
    Lesson,
    Script,
}

/// One command and what it printed.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub id: usize,
    /// The simulated instant it ran at.
    pub instant: SimTime,
    pub command: String,
    pub stdout: String,
    pub stderr: String,
    /// The order stdout and stderr were printed in.
    pub order: Interleaving,
    pub source: Source,
}

impl Entry {
    /// When it ran, as the clock shows it.
    pub fn clock(&self) -> String {
        format_clock(self.instant.as_millis())
    }
}

/// The console's transcript, shared by everything that acts on the cluster.
#[derive(Clone, Copy)]
pub struct Terminal {
    pub entries: RwSignal<Vec<Entry>>,
    /// Entries before this one are off the screen (`clear`); ↑ still recalls them, as a terminal's history does.
    cleared: RwSignal<usize>,
    /// Entries written while the Console tab was closed: its tab shows how many.
    unseen: RwSignal<usize>,
    /// Whether the Console tab is open.
    watched: RwSignal<bool>,
    /// The entry whose command is still running: what it prints next is added to it.
    pub running: RwSignal<Option<usize>>,
    /// What commands printed after they were entered, as they ran, by entry.
    streamed: RwSignal<BTreeMap<usize, TypedOutput>>,
    /// The script's steps that were still running when reached, by entry.
    scripted_running: StoredValue<BTreeMap<usize, ScriptedRunning>>,
}

/// A step of the script still running when its entry was printed: its place, and how much of its stdout and
/// stderr the entry showed then.
type ScriptedRunning = (usize, (usize, usize));

impl Terminal {
    pub fn new() -> Self {
        Terminal {
            entries: RwSignal::new(Vec::new()),
            cleared: RwSignal::new(0),
            unseen: RwSignal::new(0),
            watched: RwSignal::new(false),
            running: RwSignal::new(None),
            streamed: RwSignal::new(BTreeMap::new()),
            scripted_running: StoredValue::new(BTreeMap::new()),
        }
    }

    /// Carries out the action now, on the timeline, and prints its command line and output. Returns the entry,
    /// for whoever ran it to show where they are; `None` once the page is being torn down.
    pub fn run(&self, simulation: Simulation, action: Action, source: Source) -> Option<Entry> {
        self.run_then(simulation, action, source, |_| {})
    }

    /// A line typed at the prompt, run by the shell now, with what was meant when a kubectl command was typed
    /// without `kubectl`.
    fn run_typed(&self, simulation: Simulation, line: String) {
        self.run_then(
            simulation,
            Action::Run(line.clone()),
            Source::Typed,
            |output| hint_kubectl(&line, output),
        );
    }

    /// `run`, with `amend` given the output before it is printed. A command that goes on running (a watch,
    /// `sleep`, `delete` waiting) is followed: what it prints as the clock plays is added to its entry.
    fn run_then(
        &self,
        simulation: Simulation,
        action: Action,
        source: Source,
        amend: impl FnOnce(&mut CommandOutput),
    ) -> Option<Entry> {
        self.interrupt(simulation);
        let command = action.command();
        let (at, mut output, running) = simulation.update(|timeline| {
            let at = timeline.now();
            let output = timeline.act(action);
            (at, output, timeline.is_following())
        })?;
        amend(&mut output);
        let entry = self.print(at, command, output, source);
        if running {
            self.running.set(Some(entry.id));
        }
        Some(entry)
    }

    /// Ctrl-C for the command still running, if one is: it prints `^C` and ends.
    pub fn interrupt(&self, simulation: Simulation) {
        if self.running.get_untracked().is_some() {
            simulation.update(|timeline| timeline.interrupt_followed());
            self.take_followed(simulation);
        }
    }

    /// Adds what the running command printed since the last look to its entry; ends it when it has ended.
    fn take_followed(&self, simulation: Simulation) {
        let Some(id) = self.running.get_untracked() else {
            return;
        };
        let Some(taken) = simulation
            .timeline
            .try_update_value(|timeline| (timeline.take_followed(), timeline.is_following()))
        else {
            return;
        };
        let output = match taken {
            (Some(output), _) => output,
            // The line followed is gone (another timeline was opened): nothing runs any more.
            (None, false) => {
                self.running.set(None);
                return;
            }
            (None, true) => return,
        };
        if !output.stdout.is_empty() || !output.stderr.is_empty() {
            self.streamed.update(|streamed| {
                streamed.entry(id).or_default().append(&output);
            });
        }
        if output.exit_code.is_some() {
            self.running.set(None);
        }
    }

    /// Follows the running command as the timeline moves.
    pub fn follow_running(self, simulation: Simulation) {
        Effect::new(move |_| {
            simulation.version.track();
            self.take_followed(simulation);
        });
    }

    /// Adds an entry to the transcript.
    fn print(&self, at: SimTime, command: String, output: CommandOutput, source: Source) -> Entry {
        let entry = Entry {
            id: self.entries.with_untracked(Vec::len),
            instant: at,
            command,
            stdout: output.stdout,
            stderr: output.stderr,
            order: output.order,
            source,
        };
        self.entries.update(|entries| entries.push(entry.clone()));
        if !self.watched.get_untracked() {
            self.unseen.update(|n| *n += 1);
        }
        entry
    }

    /// Prints the scenario's scripted steps as the clock reaches them: the steps it came with that the current
    /// branch still shares with the first, not the person's own interventions, which were printed when made.
    pub fn follow_script(self, workspace: Workspace) {
        let simulation = workspace.simulation;
        Effect::new(move |_| {
            if simulation.reached.with(Vec::is_empty) {
                return;
            }
            let reached = simulation
                .reached
                .try_update(std::mem::take)
                .unwrap_or_default();
            let shared = simulation
                .timeline
                .with_value(|t| t.branch().steps_shared_with(&t.branches()[0]));
            let scripted = shared.min(workspace.opened_with());
            for step in reached.into_iter().filter(|step| step.index < scripted) {
                let command = step.step.action.command();
                let shown = (step.output.stdout.len(), step.output.stderr.len());
                let entry = self.print(step.step.at, command, step.output, Source::Script);
                if step.running {
                    self.scripted_running.update_value(|running| {
                        running.insert(entry.id, (step.index, shown));
                    });
                }
            }
        });
    }

    /// Adds what the script's running steps print, as the clock plays, to their entries: a watch in the
    /// script streams as one typed does. A step no longer on the timeline (the clock went back before it)
    /// is let go with what it showed.
    pub fn follow_scripted_running(self, simulation: Simulation) {
        Effect::new(move |_| {
            simulation.version.track();
            if self.scripted_running.with_value(BTreeMap::is_empty) {
                return;
            }
            let tracked = self.scripted_running.get_value();
            for (id, (index, shown)) in tracked {
                let output = simulation
                    .timeline
                    .with_value(|timeline| timeline.step_output(index));
                let running = output.as_ref().is_some_and(|(_, running)| *running);
                if let Some((output, _)) = output {
                    let later = TypedOutput::beyond(&output, shown);
                    self.streamed.update(|streamed| {
                        streamed.insert(id, later);
                    });
                }
                if !running {
                    self.scripted_running.update_value(|r| {
                        r.remove(&id);
                    });
                }
            }
        });
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Tab {
    Events,
    Console,
    Lessons,
}

/// A tab of a tab list that shows which of `T` is chosen.
pub fn tab_button<Which: Copy + PartialEq + Send + Sync + 'static>(
    chosen: RwSignal<Which>,
    which: Which,
    label: T,
) -> impl IntoView {
    badged_tab_button(chosen, which, label, || None::<String>)
}

/// `tab_button` with a count beside its label while there is one: what happened in the tab while it was closed.
fn badged_tab_button<Which: Copy + PartialEq + Send + Sync + 'static>(
    chosen: RwSignal<Which>,
    which: Which,
    label: T,
    badge: impl Fn() -> Option<String> + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <button
            role="tab"
            class="tab"
            aria-selected=move || (chosen.get() == which).to_string()
            on:click=move |_| chosen.set(which)
        >
            {move || t(label)}
            {move || badge().map(|count| view! { " " <span class="badge">{count}</span> })}
        </button>
    }
}

#[component]
pub fn Workbench() -> impl IntoView {
    let tab = RwSignal::new(Tab::Events);
    let terminal = expect_context::<Terminal>();
    let unseen = move || {
        Some(terminal.unseen.get())
            .filter(|n| *n > 0)
            .map(|n| n.to_string())
    };
    view! {
        <section class="workbench" aria-label=move || t(T::EventsAndConsole)>
            <div class="tabs" role="tablist">
                {tab_button(tab, Tab::Events, T::Events)}
                {badged_tab_button(tab, Tab::Console, T::Console, unseen)}
                {tab_button(tab, Tab::Lessons, T::Lessons)}
            </div>
            <Show when=move || tab.get() == Tab::Events>
                <EventList/>
            </Show>
            <Show when=move || tab.get() == Tab::Console>
                <Console/>
            </Show>
            // Kept mounted: a lesson follows the cluster while the learner types in the console.
            <div class="lessons-tab" hidden=move || tab.get() != Tab::Lessons>
                <Lessons/>
            </div>
        </section>
    }
}

/// What a line typed at the prompt asks for. The console is a terminal whose shell is the core's bash, with
/// kubectl on its PATH: `help` and `clear`, typed alone, are the console's own; any other line is the shell's.
#[derive(Debug, PartialEq)]
enum Line {
    Shell(String),
    Help,
    Clear,
}

impl Line {
    fn read(line: &str) -> Option<Line> {
        let line = line.trim();
        Some(match line {
            "" => return None,
            "help" => Line::Help,
            "clear" => Line::Clear,
            _ => Line::Shell(line.to_string()),
        })
    }
}

/// What `help` prints: the console's own words, and kubectl's description of each command it carries out.
fn help_text() -> String {
    let mut text = format!("{}\n\n", t(T::ConsoleHelpIntro));
    for (name, description) in kubectl::help::commands() {
        text.push_str(&format!("  kubectl {name:<12}{description}\n"));
    }
    for (command, what) in [
        ("kubectl --help", T::ConsoleHelpKubectl),
        ("clear", T::ConsoleHelpClear),
        ("help", T::ConsoleHelpHelp),
    ] {
        text.push_str(&format!("  {command:<20}{}\n", t(what)));
    }
    text.push_str(&format!("\n{}\n", t(T::ConsoleHelpKeys)));
    text
}

/// For a kubectl command typed without `kubectl`, which bash could not find, what was meant.
fn hint_kubectl(line: &str, output: &mut CommandOutput) {
    let first = line.split_whitespace().next().unwrap_or_default();
    let not_found = format!("bash: {first}: command not found\n");
    if output.exit_code == 127
        && output.stderr.starts_with(&not_found)
        && kubectl::help::CARRIED_OUT.contains(&first)
    {
        output.stderr.insert_str(
            not_found.len(),
            &format!(
                "{}\n",
                crate::i18n::did_you_mean(&format!("kubectl {line}"))
            ),
        );
    }
}

/// How close to the bottom, in pixels, the transcript counts as at the bottom, where new output is followed.
const AT_BOTTOM_PX: i32 = 8;

/// A prompt with history (↑ and ↓) that runs kubectl at the current instant. The transcript follows new output,
/// unless the reader has scrolled up to read, as a terminal does.
#[component]
fn Console() -> impl IntoView {
    let simulation = expect_context::<Simulation>();
    let terminal = expect_context::<Terminal>();
    let input = RwSignal::new(String::new());
    // How far back ↑ has gone in the commands typed; None while typing a new one.
    let recalled = StoredValue::new(None::<usize>);
    let transcript = NodeRef::<leptos::html::Ol>::new();
    let following = StoredValue::new(true);
    terminal.watched.set(true);
    terminal.unseen.set(0);
    on_cleanup(move || {
        let _ = terminal.watched.try_set(false);
    });
    let playback = expect_context::<Playback>();
    // The lines typed so far of a command that goes on over several lines.
    let continued = RwSignal::new(None::<String>);
    let running = move || terminal.running.get().is_some();
    let interrupt = move || terminal.interrupt(simulation);
    // A shell opened in a container (`kubectl exec -it web-0 -- sh`) reads what is typed.
    let in_session = move || {
        simulation.version.track();
        running() && simulation.timeline.with_value(|t| t.followed_reads_input())
    };
    let submit = move || {
        if terminal.running.get_untracked().is_some() {
            if in_session() {
                let line = input.get_untracked();
                simulation.update(|t| t.key_followed(Some(&line)));
                input.set(String::new());
            }
            // Otherwise, as in a terminal, the next line waits for the running command: Ctrl-C ends it.
            return;
        }
        // A line that leaves a quote, a loop or a here-document open goes on on the next, as after bash's `> `.
        let typed = input.get_untracked();
        let line = match continued.get_untracked() {
            Some(start) => format!("{start}\n{typed}"),
            None => typed.trim().to_string(),
        };
        if shell::wants_more(&line) {
            continued.set(Some(line));
            input.set(String::new());
            return;
        }
        continued.set(None);
        let Some(read) = Line::read(&line) else {
            return;
        };
        let at = simulation.timeline.with_value(|t| t.now());
        let say = |output: CommandOutput| terminal.print(at, line.clone(), output, Source::Typed);
        match read {
            Line::Shell(command) => {
                terminal.run_typed(simulation, command);
            }
            Line::Help => {
                say(CommandOutput {
                    stdout: help_text(),
                    ..CommandOutput::default()
                });
            }
            Line::Clear => {
                say(CommandOutput::default());
                terminal
                    .cleared
                    .set(terminal.entries.with_untracked(Vec::len));
            }
        }
        // What the reader typed is what they want to see answered: follow, even if they had scrolled up.
        following.set_value(true);
        input.set(String::new());
        recalled.set_value(None);
    };
    let recall = move |older: bool| {
        let commands: Vec<String> = terminal.entries.with_untracked(|entries| {
            entries
                .iter()
                .filter(|e| e.source == Source::Typed)
                .map(|e| e.command.clone())
                .collect()
        });
        if commands.is_empty() {
            return;
        }
        let back = match (recalled.get_value(), older) {
            (None, true) => Some(0),
            (None, false) => None,
            (Some(n), true) => Some((n + 1).min(commands.len() - 1)),
            (Some(0), false) => None,
            (Some(n), false) => Some(n - 1),
        };
        recalled.set_value(back);
        input.set(back.map_or_else(String::new, |n| commands[commands.len() - 1 - n].clone()));
    };
    // Once the transcript has drawn new entries (or the tab has opened): to the bottom, if it was there.
    Effect::new(move |_| {
        terminal.entries.track();
        terminal.cleared.track();
        if following.get_value() {
            request_animation_frame(move || {
                if let Some(list) = transcript.get_untracked() {
                    list.set_scroll_top(list.scroll_height());
                }
            });
        }
    });
    let on_scroll = move |_| {
        if let Some(list) = transcript.get_untracked() {
            let below = list.scroll_height() - list.scroll_top() - list.client_height();
            following.set_value(below <= AT_BOTTOM_PX);
        }
    };
    view! {
        <div class="console" role="tabpanel">
            <ol class="transcript" aria-live="polite" node_ref=transcript on:scroll=on_scroll>
                <For
                    each=move || {
                        let from = terminal.cleared.get();
                        terminal.entries.with(|entries| entries.get(from..).unwrap_or_default().to_vec())
                    }
                    key=|entry| entry.id
                    children=|entry| view! { <EntryView entry=entry/> }
                />
            </ol>
            <form class="prompt" on:submit=move |ev| {
                ev.prevent_default();
                submit();
            }>
                <span aria-hidden="true">{move || if continued.with(Option::is_some) { "> " } else { "$ " }}</span>
                <input
                    type="text"
                    aria-label=move || t(T::KubectlCommand)
                    autocomplete="off"
                    spellcheck="false"
                    placeholder="kubectl get pods -o wide"
                    prop:value=move || input.get()
                    on:input=move |ev| input.set(event_target_value(&ev))
                    on:keydown=move |ev| match ev.key().as_str() {
                        "ArrowUp" => {
                            ev.prevent_default();
                            recall(true);
                        }
                        "ArrowDown" => {
                            ev.prevent_default();
                            recall(false);
                        }
                        "c" if ev.ctrl_key() && running() => {
                            ev.prevent_default();
                            interrupt();
                        }
                        "d" if ev.ctrl_key() && in_session() => {
                            ev.prevent_default();
                            simulation.update(|t| t.key_followed(None));
                        }
                        _ => {}
                    }
                />
                <Show when=running>
                    <span class="busy" role="status">
                        {move || {
                            if in_session() {
                                t(T::ConsoleSession)
                            } else if playback.playing.get() {
                                t(T::ConsoleRunning)
                            } else {
                                t(T::ConsolePaused)
                            }
                        }}
                    </span>
                    <button type="button" class="stop" on:click=move |_| interrupt()>
                        {move || t(T::ConsoleStop)}
                    </button>
                </Show>
            </form>
        </div>
    }
}

/// One command as a terminal shows it: the prompt and the command, then what it printed, stdout and stderr in
/// the order printed, errors in red. The script's commands are marked as the script's.
#[component]
pub fn EntryView(entry: Entry) -> impl IntoView {
    let scripted = entry.source == Source::Script;
    let terminal = expect_context::<Terminal>();
    let id = entry.id;
    let (clock, command) = (entry.clock(), entry.command);
    let first: Vec<(Stream, String)> = entry
        .order
        .pieces(&entry.stdout, &entry.stderr)
        .into_iter()
        .map(|(stream, text)| (stream, text.to_string()))
        .collect();
    let pieces = move || {
        let mut pieces = first.clone();
        terminal.streamed.with(|streamed| {
            if let Some(later) = streamed.get(&id) {
                pieces.extend(later.pieces().into_iter().map(|(s, t)| (s, t.to_string())));
            }
        });
        pieces
            .into_iter()
            .map(|(stream, text)| view! { <span class=stream.as_str()>{text}</span> })
            .collect_view()
    };
    let running = move || terminal.running.get() == Some(id);
    view! {
        <li class="entry" data-source=format!("{:?}", entry.source).to_lowercase() class:running=running>
            <div class="command">
                <span class="at">{clock}</span>
                {scripted.then(|| view! { <span class="script-mark">{move || t(T::Script)}</span> " " })}
                "$ " {command}
            </div>
            <pre class="output">{pieces}</pre>
        </li>
    }
}

/// What a command run from somewhere other than the prompt printed, shown there: under a menu, beside a lesson's
/// step. Dismissed by its close button or Escape.
#[component]
pub fn ShownOutput(output: RwSignal<Option<Entry>>) -> impl IntoView {
    view! {
        <Show when=move || output.with(Option::is_some)>
            {move || {
                // Listening only while shown: a stage has a menu, and so one of these, per slot.
                let escape = window_event_listener(leptos::ev::keydown, move |ev| {
                    if ev.key() == "Escape" {
                        output.set(None);
                    }
                });
                on_cleanup(move || escape.remove());
                view! {
                    <div class="shown-output" role="status">
                        <button class="close" aria-label=move || t(T::Close) on:click=move |_| output.set(None)>
                            "×"
                        </button>
                        <ol class="entries">{move || output.get().map(|entry| view! { <EntryView entry=entry/> })}</ol>
                    </div>
                }
            }}
        </Show>
    }
}
