//! The player a documentation page embeds in an `<iframe>` (`?embed`, `?embed=editor` to show the editor):
//! the stage with compact controls, paused until clicked, and a `postMessage` API for the host page.
//!
//! Messages the host sends are objects with `ordinal: 1` and a `type`; anything else is ignored, as is an
//! unknown type (answered with an `error`):
//! - `{ordinal: 1, type: "load", scenario: "<scenario file>"}` opens a scenario at 0:00, paused;
//! - `{ordinal: 1, type: "play" | "pause" | "step"}`, `{ordinal: 1, type: "seek", at: <ms>}`;
//! - `{ordinal: 1, type: "state"}` asks for a `state` message;
//! - `{ordinal: 1, type: "theme", theme: "light" | "dark" | "system"}` follows the host page's own theme
//!   switch (`?theme=` in the address does the same from the start; `system` follows the reader's setting, as
//!   reduced motion always does).
//!
//! The player sends `{ordinal: 1, type, ...}` to its parent: `ready` once it runs, `loaded` or `error` after a
//! load, `state` (`at`, `playing`, `seeking`, `pods`: name, status, ready) when asked, and `event` for every
//! Kubernetes event the simulation writes (`at`, `eventType`, `reason`, `object`, `message`). A seek far ahead
//! runs over many frames: until it arrives, `state` says where it is going in `seeking` (null otherwise), and
//! `at` is where it has come to.

use k8s_openapi::api::core::v1::Event;
use leptos::prelude::*;
use ordinal_sim::view::{self, EventRow, Scenario, SimTime};
use serde_json::{json, Value};

use crate::i18n::{t, T};
use crate::time::player::Playback;
use crate::workspace::Workspace;

/// The version of the message format: every message carries it as `ordinal`.
const PROTOCOL: u64 = 1;
/// Simulated time a `seek` may ask for, as a share link may point at.
const MOST_SEEK_MS: u64 = 24 * 3600 * 1000;

#[derive(Clone, Copy, PartialEq, Eq)]
pub struct EmbedOptions {
    pub editor: bool,
}

/// `?embed` in the page's address.
pub fn options() -> Option<EmbedOptions> {
    let value = crate::app::address_parameter("embed")?;
    Some(EmbedOptions {
        editor: value == "editor",
    })
}

/// What the host asked for, read strictly.
#[derive(Debug, PartialEq)]
pub enum Request {
    Load(String),
    Play,
    Pause,
    Step,
    Seek(SimTime),
    State,
    Theme(&'static str),
}

const THEMES: [&str; 3] = ["light", "dark", "system"];

fn theme_named(name: &str) -> Option<&'static str> {
    THEMES.into_iter().find(|t| *t == name)
}

/// Colours as the host page asks: `data-theme` on the root, which the style sheet reads.
pub fn apply_theme(theme: &str) {
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("data-theme", theme);
    }
}

/// `?theme=` in the address, when it names a theme.
pub fn theme_from_address() -> Option<&'static str> {
    theme_named(&crate::app::address_parameter("theme")?)
}

/// `None` for a message not meant for Ordinal (no `ordinal: 1`), which the player ignores without a word;
/// `Some(Err)` for one meant for it that it cannot carry out.
pub fn read_request(message: &Value) -> Option<Result<Request, String>> {
    if message.get("ordinal").and_then(Value::as_u64) != Some(PROTOCOL) {
        return None;
    }
    let request = match message.get("type").and_then(Value::as_str) {
        Some("load") => match message.get("scenario").and_then(Value::as_str) {
            Some(text) => Ok(Request::Load(text.to_string())),
            None => Err("load needs `scenario`, the text of a scenario file".to_string()),
        },
        Some("play") => Ok(Request::Play),
        Some("pause") => Ok(Request::Pause),
        Some("step") => Ok(Request::Step),
        Some("seek") => match message.get("at").and_then(Value::as_u64) {
            Some(at) if at <= MOST_SEEK_MS => Ok(Request::Seek(SimTime::from_millis(at))),
            Some(_) => Err(format!("seek goes at most {MOST_SEEK_MS} ms in")),
            None => Err("seek needs `at`, in milliseconds of simulated time".to_string()),
        },
        Some("state") => Ok(Request::State),
        Some("theme") => match message
            .get("theme")
            .and_then(Value::as_str)
            .and_then(theme_named)
        {
            Some(theme) => Ok(Request::Theme(theme)),
            None => Err("theme is one of light, dark or system".to_string()),
        },
        Some(other) => Err(format!("unknown message type {other:?}")),
        None => Err("a message needs a `type`".to_string()),
    };
    Some(request)
}

/// The page that embeds the player; `None` when it is opened on its own, and so is its own parent: talking to
/// itself, it would read its own replies as requests and answer them for ever.
fn host() -> Option<web_sys::Window> {
    let window = web_sys::window()?;
    let parent = window.parent().ok()??;
    (!js_sys::Object::is(&parent, &window)).then_some(parent)
}

fn post_to_host(message: Value) {
    if let (Some(host), Ok(data)) = (host(), js_sys::JSON::parse(&message.to_string())) {
        let _ = host.post_message(&data, "*");
    }
}

fn reply(kind: &str, mut fields: Value) {
    fields["ordinal"] = PROTOCOL.into();
    fields["type"] = kind.into();
    post_to_host(fields);
}

fn state(workspace: Workspace, playback: Playback) -> Value {
    workspace.simulation.timeline.with_value(|timeline| {
        let pods: Vec<Value> = view::pod_rows(timeline.cluster())
            .map(|pod| {
                json!({
                    "name": pod.name,
                    "status": pod.status,
                    "ready": pod.ready.to_string(),
                })
            })
            .collect();
        json!({
            "at": timeline.now().as_millis(),
            "playing": playback.playing.get_untracked(),
            // A long seek is spread over frames: `at` is where it has come to so far.
            "seeking": workspace.seeker.journey.get_untracked().map(|j| j.to.as_millis()),
            "pods": pods,
        })
    })
}

/// The branch and the highest event resourceVersion told to the host so far.
type Told = StoredValue<(usize, u64)>;

/// Nothing told yet: the next look at the store takes its events as the starting point.
const NOTHING_TOLD: (usize, u64) = (usize::MAX, 0);

fn carry_out(request: Request, workspace: Workspace, playback: Playback, told: Told) {
    let simulation = workspace.simulation;
    match request {
        Request::Load(text) => match Scenario::parse(&text) {
            Ok(scenario) => {
                workspace.open(&scenario, SimTime::ZERO, None);
                told.set_value(NOTHING_TOLD);
                reply("loaded", json!({ "name": scenario.name }));
            }
            Err(error) => reply("error", json!({ "message": error.to_string() })),
        },
        Request::Play => playback.playing.set(true),
        Request::Pause => playback.playing.set(false),
        Request::Step => {
            playback.playing.set(false);
            simulation.update(|t| t.step());
        }
        Request::Seek(at) => workspace.seeker.seek(at),
        Request::State => reply("state", state(workspace, playback)),
        Request::Theme(theme) => apply_theme(theme),
    }
}

fn from_host(event: &web_sys::MessageEvent) -> bool {
    match (event.source(), host()) {
        (Some(source), Some(host)) => js_sys::Object::is(&source, &host),
        _ => false,
    }
}

/// Listens to the host page and tells it what happens. Renders nothing.
#[component]
pub fn HostBridge() -> impl IntoView {
    let workspace = expect_context::<Workspace>();
    let playback = expect_context::<Playback>();
    let simulation = workspace.simulation;
    // Every event written from here on, once: the highest resourceVersion told so far, per branch, since going
    // back in time brings back events that were told already.
    let told: Told = StoredValue::new(NOTHING_TOLD);
    let handle = window_event_listener(leptos::ev::message, move |event| {
        // Only the page that embeds the player drives it: not a sibling frame, a popup or the player itself.
        if !from_host(&event) {
            return;
        }
        let Some(text) = js_sys::JSON::stringify(&event.data())
            .ok()
            .and_then(|t| t.as_string())
        else {
            return;
        };
        let Ok(message) = serde_json::from_str::<Value>(&text) else {
            return;
        };
        match read_request(&message) {
            None => {}
            Some(Ok(request)) => carry_out(request, workspace, playback, told),
            Some(Err(message)) => reply("error", json!({ "message": message })),
        }
    });
    on_cleanup(move || handle.remove());

    Effect::new(move |_| {
        let events: Vec<Value> = simulation.read(|timeline| {
            let branch = timeline.current_branch();
            let (told_branch, told_version) = told.get_value();
            let store = timeline.cluster().store();
            let newest = store.last_write::<Event>().map_or(0, |(v, _)| *v);
            if told_branch != branch {
                told.set_value((branch, newest));
                return Vec::new();
            }
            if newest <= told_version {
                if newest < told_version {
                    told.set_value((branch, newest));
                }
                return Vec::new();
            }
            told.set_value((branch, newest));
            let mut fresh: Vec<(u64, Value)> = store
                .list::<Event>()
                .filter_map(|event| {
                    let version: u64 = event.metadata.resource_version.as_deref()?.parse().ok()?;
                    (version > told_version).then(|| (version, event_message(event)))
                })
                .collect();
            fresh.sort_by_key(|(version, _)| *version);
            fresh.into_iter().map(|(_, message)| message).collect()
        });
        for event in events {
            reply("event", event);
        }
    });
    reply("ready", json!({}));
}

fn event_message(event: &Event) -> Value {
    let row = EventRow::of(event);
    json!({
        "at": row.last_seen.map(SimTime::as_millis),
        "eventType": row.type_,
        "reason": row.reason,
        "object": row.object,
        "message": row.message,
    })
}

/// Opens what the player shows in the full playground, in a new tab, through a share link.
#[component]
pub fn OpenInPlayground() -> impl IntoView {
    let workspace = expect_context::<Workspace>();
    let open = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        let json = super::share::state_json(&super::share::current_state(workspace));
        leptos::task::spawn_local(async move {
            let Ok(link) = super::share::link_to(&json, false).await else {
                return;
            };
            if let Some(window) = web_sys::window() {
                let _ = window.open_with_url_and_target(&link, "_blank");
            }
        });
    };
    view! {
        <a class="open-full" href="./" target="_blank" rel="noopener" on:click=open>{move || t(T::OpenInOrdinal)}</a>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_read_strictly_and_foreign_messages_ignored() {
        let read = |text: &str| read_request(&serde_json::from_str(text).unwrap());
        assert_eq!(read(r#"{"type":"play"}"#), None, "not for Ordinal");
        assert_eq!(
            read(r#"{"ordinal":2,"type":"play"}"#),
            None,
            "another version"
        );
        assert_eq!(
            read(r#"{"ordinal":1,"type":"play"}"#),
            Some(Ok(Request::Play))
        );
        assert_eq!(
            read(r#"{"ordinal":1,"type":"seek","at":1500}"#),
            Some(Ok(Request::Seek(SimTime::from_millis(1500))))
        );
        assert_eq!(
            read(r#"{"ordinal":1,"type":"seek","at":-1}"#),
            Some(Err(
                "seek needs `at`, in milliseconds of simulated time".into()
            ))
        );
        assert_eq!(
            read(r#"{"ordinal":1,"type":"seek","at":90000000}"#),
            Some(Err("seek goes at most 86400000 ms in".into()))
        );
        assert_eq!(
            read(r#"{"ordinal":1,"type":"load"}"#),
            Some(Err(
                "load needs `scenario`, the text of a scenario file".into()
            ))
        );
        assert_eq!(
            read(r#"{"ordinal":1,"type":"theme","theme":"dark"}"#),
            Some(Ok(Request::Theme("dark")))
        );
        assert_eq!(
            read(r#"{"ordinal":1,"type":"theme","theme":"pink"}"#),
            Some(Err("theme is one of light, dark or system".into()))
        );
        assert_eq!(
            read(r#"{"ordinal":1,"type":"<img src=x>"}"#),
            Some(Err("unknown message type \"<img src=x>\"".into()))
        );
    }
}
