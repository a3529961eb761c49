//! The panel under the stage: the cluster's events as `kubectl get events` prints them, and a kubectl console.
//! Every action the page takes goes through the `Terminal`, so the console shows the command it stands for.

use k8s_openapi::api::core::v1::Event;
use leptos::prelude::*;
use ordinal_sim::view::{self, kubectl, Action, Columns, CommandOutput, EventRow, SimTime};
use std::sync::Arc;

use crate::app::Simulation;
use crate::classroom::lessons::Lessons;
use crate::i18n::{t, T};
use crate::time::format_clock;
use crate::workspace::Workspace;

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
}

impl Terminal {
    pub fn new() -> Self {
        Terminal {
            entries: RwSignal::new(Vec::new()),
            cleared: RwSignal::new(0),
            unseen: RwSignal::new(0),
            watched: RwSignal::new(false),
        }
    }

    /// Carries out the action now, on the timeline, and prints its command line and output. Returns the entry,
    /// for whoever ran it to show where they are; `None` once the page is being torn down.
    pub fn run(&self, simulation: Simulation, action: Action, source: Source) -> Option<Entry> {
        let command = action.command();
        let (at, output) = simulation.update(|timeline| {
            let at = timeline.now();
            (at, timeline.act(action))
        })?;
        Some(self.print(at, command, output, source))
    }

    /// Adds an entry to the transcript.
    fn print(&self, at: SimTime, command: String, output: CommandOutput, source: Source) -> Entry {
        let entry = Entry {
            id: self.entries.with_untracked(Vec::len),
            instant: at,
            command,
            stdout: output.stdout,
            stderr: output.stderr,
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
                self.print(step.step.at, command, step.output, Source::Script);
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

/// `kubectl get events`, optionally for one object (`--field-selector involvedObject.name=`), as a table whose
/// rows are keyed by the event's resourceVersion: an event written anew redraws its row, and time moving on
/// redraws the LAST SEEN cells alone. With thousands of events, printing the whole table again per frame
/// would cost more than everything else on the page.
#[component]
fn EventList() -> impl IntoView {
    let simulation = expect_context::<Simulation>();
    let object = RwSignal::new(String::new());
    let command = Memo::new(move |_| match object.get().trim() {
        "" => "kubectl get events".to_string(),
        name => format!("kubectl get events --field-selector involvedObject.name={name}"),
    });
    let written = events_written(simulation);
    let rows = Memo::new(move |_| {
        let object = object.get();
        let object = object.trim();
        // Read, not only tracked: a memo computes (and follows its own sources) once it is read.
        let _ = written.get();
        simulation.timeline.with_value(|timeline| {
            let store = timeline.cluster().store();
            let listed = store
                .list_namespace_shared::<Event>(kubectl::DEFAULT_NAMESPACE)
                .filter(|event| {
                    object.is_empty() || event.involved_object.name.as_deref() == Some(object)
                })
                .map(|event| SharedEvent(event.clone()))
                .collect::<Vec<_>>();
            latest_listed(listed)
        })
    });
    let unlisted = Memo::new(move |_| rows.with(|(_, unlisted)| *unlisted));
    // LAST SEEN counts whole seconds: the rows are told the time when the second changes, not at every frame,
    // so that thousands of rows are not even checked in between.
    let now = RwSignal::new(SimTime::ZERO);
    Effect::new(move |_| {
        let instant = simulation.read(|timeline| timeline.now());
        if now.get_untracked().as_millis() / 1000 != instant.as_millis() / 1000 {
            now.set(instant);
        }
    });
    // kubectl's own words when there is nothing to list.
    let nothing = move || {
        rows.with(|(rows, _)| rows.is_empty()).then(|| {
            let output =
                simulation.read(|timeline| kubectl::query(timeline.cluster(), &command.get()));
            format!("{}{}", output.stdout, output.stderr)
        })
    };
    view! {
        <div class="events" role="tabpanel">
            <label class="filter">
                {move || t(T::Object)}
                " "
                <input
                    type="search"
                    placeholder="web-1"
                    aria-label=move || t(T::ShowEventsOfObject)
                    prop:value=move || object.get()
                    on:input=move |ev| object.set(event_target_value(&ev))
                />
            </label>
            <div class="listing" data-testid="events">
                <div class="listing-command">"$ " {move || command.get()}</div>
                // Above the rows, where it is seen: the rows left out are the oldest.
                <Show when=move || { unlisted.get() > 0 }>
                    <p class="unlisted">{move || crate::i18n::unlisted_events(unlisted.get(), MOST_LISTED_EVENTS)}</p>
                </Show>
                <table class="event-table">
                    <thead>
                        <tr>{EventRow::HEADER.iter().map(|h| view! { <th scope="col">{*h}</th> }).collect_view()}</tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || rows.get().0
                            key=|event| event.resource_version()
                            children=move |event| view! { <EventRow event=event.0 now=now/> }
                        />
                    </tbody>
                </table>
                <div class="listing-empty">{nothing}</div>
            </div>
        </div>
    }
}

/// The most events the panel lists: thousands of rows, each with its LAST SEEN ticking, cost more than
/// everything else on the page (a set of 5,000 pods writes tens of thousands). The console's own
/// `kubectl get events` lists every one.
const MOST_LISTED_EVENTS: usize = 500;

/// The `MOST_LISTED_EVENTS` written last, in the order kubectl lists them, and how many are left out.
fn latest_listed(mut events: Vec<SharedEvent>) -> (Vec<SharedEvent>, usize) {
    let unlisted = events.len().saturating_sub(MOST_LISTED_EVENTS);
    if unlisted > 0 {
        let mut versions: Vec<u64> = events.iter().map(SharedEvent::resource_version).collect();
        let (_, oldest_listed, _) = versions.select_nth_unstable(unlisted);
        let oldest_listed = *oldest_listed;
        events.retain(|event| event.resource_version() >= oldest_listed);
    }
    (events, unlisted)
}

/// A stored event, compared by identity: the store replaces an event it writes, so the same `Arc` is the same
/// event at the same resourceVersion.
#[derive(Clone)]
struct SharedEvent(Arc<Event>);

impl PartialEq for SharedEvent {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl SharedEvent {
    /// Unique in the store and never reused, unlike the object's address.
    fn resource_version(&self) -> u64 {
        let version = self.0.metadata.resource_version.as_deref();
        version.and_then(|v| v.parse().ok()).unwrap_or(0)
    }
}

#[component]
fn EventRow(event: Arc<Event>, now: RwSignal<SimTime>) -> impl IntoView {
    let EventRow {
        last_seen,
        type_,
        reason,
        object,
        message,
    } = EventRow::of(&event);
    let last_seen = move || view::since(last_seen, now.get());
    view! {
        <tr>
            <td>{last_seen}</td>
            <td>{type_}</td>
            <td>{reason}</td>
            <td>{object}</td>
            <td>{message}</td>
        </tr>
    }
}

/// What a line typed at the prompt asks for. The console is a terminal with kubectl on its PATH: `kubectl …`
/// runs the core's kubectl at the current instant, `help` and `clear` are its own, and any other command is
/// not found, as in a shell.
#[derive(Debug, PartialEq)]
enum Line {
    Kubectl(String),
    Help,
    Clear,
    NotFound(String),
}

impl Line {
    fn read(line: &str) -> Option<Line> {
        let line = line.trim();
        let first = line.split_whitespace().next()?;
        Some(match first {
            "kubectl" => Line::Kubectl(line.to_string()),
            "help" => Line::Help,
            "clear" => Line::Clear,
            _ => Line::NotFound(first.to_string()),
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

/// `bash: get: command not found`, and for a kubectl command typed without `kubectl`, what was meant.
fn not_found(word: &str, line: &str) -> CommandOutput {
    let mut stderr = format!("bash: {word}: command not found\n");
    if kubectl::help::CARRIED_OUT.contains(&word) {
        stderr.push_str(&crate::i18n::did_you_mean(&format!("kubectl {line}")));
        stderr.push('\n');
    }
    CommandOutput {
        exit_code: 127,
        stdout: String::new(),
        stderr,
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
    let submit = move || {
        let line = input.get_untracked().trim().to_string();
        let Some(read) = Line::read(&line) else {
            return;
        };
        let at = simulation.timeline.with_value(|t| t.now());
        let say = |output: CommandOutput| terminal.print(at, line.clone(), output, Source::Typed);
        match read {
            Line::Kubectl(command) => {
                terminal.run(simulation, Action::Run(command), Source::Typed);
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
            Line::NotFound(word) => {
                say(not_found(&word, &line));
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
                <span aria-hidden="true">"$ "</span>
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
                        _ => {}
                    }
                />
            </form>
        </div>
    }
}

/// One command as a terminal shows it: the prompt and the command, then what it printed, errors in red. The
/// script's commands are marked as the script's.
#[component]
pub fn EntryView(entry: Entry) -> impl IntoView {
    let scripted = entry.source == Source::Script;
    view! {
        <li class="entry" data-source=format!("{:?}", entry.source).to_lowercase()>
            <div class="command">
                <span class="at">{entry.clock()}</span>
                {scripted.then(|| view! { <span class="script-mark">{move || t(T::Script)}</span> " " })}
                "$ " {entry.command}
            </div>
            <pre class="stdout">{entry.stdout}</pre>
            <pre class="stderr">{entry.stderr}</pre>
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

/// Changes when an event is written, and only then: what shows events needs no more work at other writes.
/// Within a branch, the same resourceVersion is the same history; another branch may reach it differently.
fn events_written(simulation: Simulation) -> Memo<(usize, Option<u64>)> {
    Memo::new(move |_| {
        simulation.read(|timeline| {
            let store = timeline.cluster().store();
            let version = store.last_write::<Event>().map(|(version, _)| *version);
            (timeline.current_branch(), version)
        })
    })
}

/// Reads the newest event out to screen readers, politely: `Killing pod/web-1: Stopping container nginx`.
#[component]
pub fn Announcer() -> impl IntoView {
    let simulation = expect_context::<Simulation>();
    let written = events_written(simulation);
    let newest = Memo::new(move |_| {
        let _ = written.get();
        simulation.timeline.with_value(|timeline| {
            let store = timeline.cluster().store();
            let (_, key) = store.last_write::<Event>()?;
            let newest = EventRow::of(store.get::<Event>(key)?);
            Some(format!(
                "{} {}: {}",
                newest.reason, newest.object, newest.message
            ))
        })
    });
    view! { <div class="visually-hidden" role="status" aria-live="polite" data-testid="announcer">{move || newest.get()}</div> }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(resource_version: u64) -> SharedEvent {
        let mut event = Event::default();
        event.metadata.resource_version = Some(resource_version.to_string());
        SharedEvent(Arc::new(event))
    }

    #[test]
    fn past_the_most_listed_the_latest_written_are_listed_in_kubectls_order() {
        // kubectl's order (by name) is not the order of writing.
        let events: Vec<SharedEvent> = (0..MOST_LISTED_EVENTS as u64 + 3)
            .map(|n| event((n * 7919) % 10_007))
            .collect();
        let (listed, unlisted) = latest_listed(events.clone());
        assert_eq!(unlisted, 3);
        assert_eq!(listed.len(), MOST_LISTED_EVENTS);
        let mut by_version: Vec<u64> = events.iter().map(SharedEvent::resource_version).collect();
        by_version.sort_unstable();
        let oldest_listed = by_version[3];
        let expected: Vec<u64> = events
            .iter()
            .map(SharedEvent::resource_version)
            .filter(|v| *v >= oldest_listed)
            .collect();
        assert_eq!(
            listed
                .iter()
                .map(SharedEvent::resource_version)
                .collect::<Vec<_>>(),
            expected
        );

        let few: Vec<SharedEvent> = (0..3).map(event).collect();
        assert_eq!(latest_listed(few).1, 0);
    }
}
