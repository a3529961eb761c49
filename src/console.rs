//! The panel under the stage: the cluster's events as `kubectl get events` prints them, and a kubectl console.
//! Every action the page takes goes through the `Terminal`, so the console shows the command it stands for.

use k8s_openapi::api::core::v1::Event;
use leptos::prelude::*;
use ordinal_sim::kubectl::{self, printers};
use ordinal_sim::scenario::Action;
use ordinal_sim::SimTime;
use std::sync::Arc;

use crate::app::Simulation;
use crate::i18n::{t, T};
use crate::lessons::Lessons;
use crate::view_model::format_clock;

/// One command and what it printed.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub id: usize,
    pub at: String,
    pub command: String,
    pub stdout: String,
    pub stderr: String,
}

/// The console's transcript, shared by everything that acts on the cluster.
#[derive(Clone, Copy)]
pub struct Terminal {
    pub entries: RwSignal<Vec<Entry>>,
}

impl Terminal {
    pub fn new() -> Self {
        Terminal {
            entries: RwSignal::new(Vec::new()),
        }
    }

    /// Carries out the action now, on the timeline, and prints its command line and output.
    pub fn run(&self, simulation: Simulation, action: Action) {
        let command = action.command();
        let Some((at, output)) = simulation.update(|timeline| {
            let at = timeline.now();
            (at, timeline.act(action))
        }) else {
            return;
        };
        self.entries.update(|entries| {
            entries.push(Entry {
                id: entries.len(),
                at: format_clock(at.as_millis()),
                command,
                stdout: output.stdout,
                stderr: output.stderr,
            })
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
    view! {
        <button
            role="tab"
            class="tab"
            aria-selected=move || (chosen.get() == which).to_string()
            on:click=move |_| chosen.set(which)
        >
            {move || t(label)}
        </button>
    }
}

#[component]
pub fn Workbench() -> impl IntoView {
    let tab = RwSignal::new(Tab::Events);
    view! {
        <section class="workbench" aria-label=move || t(T::EventsAndConsole)>
            <div class="tabs" role="tablist">
                {tab_button(tab, Tab::Events, T::Events)}
                {tab_button(tab, Tab::Console, T::Console)}
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
                        <tr>{printers::EVENT_HEADER.iter().map(|h| view! { <th scope="col">{*h}</th> }).collect_view()}</tr>
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
    let [_, type_, reason, object, message] = printers::event_row(&event, SimTime::ZERO)
        .try_into()
        .expect("an event row has the five columns of its header");
    let last_seen = move || printers::event_last_seen(&event, now.get());
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

/// A prompt with history (↑ and ↓) that runs the core's kubectl subset at the current instant.
#[component]
fn Console() -> impl IntoView {
    let simulation = expect_context::<Simulation>();
    let terminal = expect_context::<Terminal>();
    let input = RwSignal::new(String::new());
    // How far back ↑ has gone in the transcript's commands; None while typing a new one.
    let recalled = StoredValue::new(None::<usize>);
    let submit = move || {
        let line = input.get_untracked().trim().to_string();
        if line.is_empty() {
            return;
        }
        let line = format!("kubectl {}", line.strip_prefix("kubectl ").unwrap_or(&line));
        terminal.run(simulation, Action::Run(line));
        input.set(String::new());
        recalled.set_value(None);
    };
    let recall = move |older: bool| {
        let commands: Vec<String> = terminal.entries.with_untracked(|entries| {
            entries
                .iter()
                .filter_map(|e| e.command.strip_prefix("kubectl ").map(str::to_string))
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
    view! {
        <div class="console" role="tabpanel">
            <ol class="transcript" aria-live="polite">
                <For
                    each=move || terminal.entries.get()
                    key=|entry| entry.id
                    children=|entry| {
                        view! {
                            <li class="entry">
                                <div class="command"><span class="at">{entry.at}</span> "$ " {entry.command}</div>
                                <pre class="stdout">{entry.stdout}</pre>
                                <pre class="stderr">{entry.stderr}</pre>
                            </li>
                        }
                    }
                />
            </ol>
            <form class="prompt" on:submit=move |ev| {
                ev.prevent_default();
                submit();
            }>
                <span aria-hidden="true">"$ kubectl "</span>
                <input
                    type="text"
                    aria-label=move || t(T::KubectlCommand)
                    autocomplete="off"
                    spellcheck="false"
                    placeholder="get pods -o wide"
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
            let newest = store.get::<Event>(key)?;
            let involved = &newest.involved_object;
            Some(format!(
                "{} {}/{}: {}",
                newest.reason.as_deref().unwrap_or_default(),
                involved.kind.as_deref().unwrap_or_default().to_lowercase(),
                involved.name.as_deref().unwrap_or_default(),
                newest.message.as_deref().unwrap_or_default()
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
