//! The learner's work survives a reload, the crash banner's reload and a closed tab: the playground saves the
//! timeline with every branch, the moment and the editor's text (a share link carries the current branch only)
//! to localStorage as it changes, and opens it again when the address asks for nothing else. Work that something else replaces (a
//! preset, a lesson, a share link, another tab's address) is first set aside, and the page offers it back.
//! Embedded players neither save nor restore: a documentation page must not touch the playground's work.

use leptos::prelude::*;
use ordinal_sim::share::{read_work, work_json, SavedWork};
use serde_json::{json, Value};

use crate::i18n::{t, T};
use crate::workspace::Workspace;

const WORK_KEY: &str = "ordinal.work";
const SET_ASIDE_KEY: &str = "ordinal.work.set-aside";
/// While the simulation plays it changes many times a second; the clock a reload comes back to may lag this much.
const SAVE_EVERY_MS: f64 = 1000.0;

/// Work as saved: the state, the preset it was opened from, how many interventions it came with (more are the
/// learner's own), and whether it holds any of the learner's own.
#[derive(Clone, Debug, PartialEq)]
pub struct Saved {
    pub state: String,
    pub preset: String,
    pub opened_with: usize,
    pub own_work: bool,
}

impl Saved {
    fn to_json(&self) -> String {
        json!({
            "state": self.state,
            "preset": self.preset,
            "openedWith": self.opened_with,
            "ownWork": self.own_work,
        })
        .to_string()
    }

    fn from_json(text: &str) -> Option<Saved> {
        let value: Value = serde_json::from_str(text).ok()?;
        Some(Saved {
            state: value["state"].as_str()?.to_string(),
            preset: value["preset"].as_str().unwrap_or_default().to_string(),
            opened_with: value["openedWith"].as_u64()? as usize,
            own_work: value["ownWork"].as_bool()?,
        })
    }

    /// What the saved state holds, unless it no longer reads (a damaged entry is as good as none).
    pub fn work(&self) -> Option<SavedWork> {
        read_work(&self.state).ok()
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn read(key: &str) -> Option<Saved> {
    Saved::from_json(&storage()?.get_item(key).ok()??)
}

fn write(key: &str, saved: &Saved) {
    if let Some(storage) = storage() {
        // A full storage (quota) loses the save, not the page.
        let _ = storage.set_item(key, &saved.to_json());
    }
}

/// The work saved by the last page, if any.
pub fn saved_work() -> Option<Saved> {
    read(WORK_KEY)
}

/// Keeps saved work that the page is about to replace, so that it can be brought back.
pub fn set_aside(saved: &Saved) {
    write(SET_ASIDE_KEY, saved);
}

/// The workspace as it would be saved now.
pub fn current(workspace: Workspace) -> Saved {
    Saved {
        state: work_json(&current_work(workspace)),
        preset: workspace.preset.get_untracked(),
        opened_with: workspace.opened_with(),
        own_work: workspace.has_own_work(),
    }
}

fn current_work(workspace: Workspace) -> SavedWork {
    let (history, at, manifests) = workspace
        .simulation
        .timeline
        .with_value(|t| (t.history(), t.now(), t.to_scenario().manifests));
    let editor = workspace.manifests.get_untracked();
    SavedWork {
        history,
        at,
        editor: (editor != manifests).then_some(editor),
    }
}

/// Saves the workspace whenever it changes, at most once a second, and once more when the tab is hidden or
/// closed.
pub fn keep_saving(workspace: Workspace) {
    let last_saved = StoredValue::new(f64::NEG_INFINITY);
    let pending = StoredValue::new(false);
    let save = move || {
        pending.set_value(false);
        last_saved.set_value(now_ms());
        write(WORK_KEY, &current(workspace));
    };
    Effect::new(move |_| {
        workspace.simulation.version.track();
        workspace.manifests.track();
        let wait = last_saved.get_value() + SAVE_EVERY_MS - now_ms();
        if wait <= 0.0 {
            save();
        } else if !pending.get_value() {
            pending.set_value(true);
            gloo_timers::callback::Timeout::new(wait as u32, save).forget();
        }
    });
    let _ = window_event_listener(leptos::ev::pagehide, move |_| save());
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Work that was set aside, offered back until brought back or discarded.
#[derive(Clone, Copy)]
pub struct SetAside(pub RwSignal<Option<Saved>>);

impl SetAside {
    pub fn from_storage() -> SetAside {
        SetAside(RwSignal::new(read(SET_ASIDE_KEY)))
    }

    /// Sets the workspace's work aside before something replaces it, if it has any of the learner's own.
    pub fn keep(self, workspace: Workspace) {
        if workspace.has_own_work() {
            let saved = current(workspace);
            set_aside(&saved);
            self.0.set(Some(saved));
        }
    }
}

#[component]
pub fn SetAsideBanner() -> impl IntoView {
    let workspace = expect_context::<Workspace>();
    let SetAside(set_aside_work) = expect_context::<SetAside>();
    let discard = move || {
        if let Some(storage) = storage() {
            let _ = storage.remove_item(SET_ASIDE_KEY);
        }
        set_aside_work.set(None);
    };
    let bring_back = move || {
        let Some(saved) = set_aside_work.get_untracked() else {
            return;
        };
        discard();
        if let Some(work) = saved.work() {
            // Opening sets the work now on the page aside in turn, if it has any: the two swap places.
            workspace.open_work(work, &saved);
        }
    };
    view! {
        <Show when=move || set_aside_work.with(Option::is_some)>
            <div class="set-aside" role="status">
                <p>{move || t(T::WorkSetAside)}</p>
                <button class="bring-back" on:click=move |_| bring_back()>{move || t(T::BringItBack)}</button>
                <button on:click=move |_| discard()>{move || t(T::DiscardIt)}</button>
            </div>
        </Show>
    }
}
