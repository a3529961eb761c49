//! The Events tab, `kubectl get events` as a table that keeps up with thousands of events, and the polite
//! live region that reads the newest one out.

use k8s_openapi::api::core::v1::Event;
use leptos::prelude::*;
use ordinal_sim::view::{self, kubectl, Columns, SimTime};
use std::sync::Arc;

use crate::app::Simulation;
use crate::i18n::{t, T};

/// `kubectl get events`, optionally for one object (`--field-selector involvedObject.name=`), as a table whose
/// rows are keyed by the event's resourceVersion: an event written anew redraws its row, and time moving on
/// redraws the LAST SEEN cells alone. With thousands of events, printing the whole table again per frame
/// would cost more than everything else on the page.
#[component]
pub(super) fn EventList() -> impl IntoView {
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
                        <tr>{view::EventRow::header(false).into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}</tr>
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
    let view::EventRow {
        last_seen,
        type_,
        reason,
        object,
        message,
        ..
    } = view::EventRow::of(&event);
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
            let newest = view::EventRow::of(store.get::<Event>(key)?);
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
