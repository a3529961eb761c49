//! The learner's work survives a reload, the crash banner's reload, a closed tab and a second tab. Each playground
//! tab saves its timeline with every branch, the moment and the editor's text (a share link carries the current
//! branch only) to a slot of its own in localStorage as it changes, and a reload of the tab opens its slot again.
//! A tab opened anew comes back to the newest work that no open tab holds, when its address asks for nothing else.
//! Work that something else replaces (a preset, a lesson, a share link, another preset's address) stays in its
//! slot, and the page offers it back; every work kept is listed under Recent work, newest first, at most
//! `MOST_WORKS` of them and `MOST_BYTES` together, the oldest let go first.
//!
//! Which tab holds which slot is known from the browser's Web Locks (`web/tabs.js`): a tab holds its slot's lock
//! while it lives, so no tab ever writes over, reopens or evicts a slot another open tab is using, and the browser
//! lets go of the lock when the tab closes or crashes. Embedded players neither save nor restore: a documentation
//! page must not touch the playground's work.

use leptos::prelude::*;
use leptos::task::spawn_local;
use ordinal_sim::view::share::{read_work, work_json, SavedWork};
use serde_json::{json, Value};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::i18n::{t, T};
use crate::workspace::Workspace;

/// Every slot's key starts so; the rest is the slot's id.
const SLOT_PREFIX: &str = "ordinal.work.";
/// In sessionStorage, which a reload keeps and a new tab does not have: the slot this tab saves into.
const TAB_SLOT_KEY: &str = "ordinal.slot";
/// Where work was kept before each tab had a slot of its own: moved into slots when found.
const LEGACY_KEYS: [&str; 2] = ["ordinal.work", "ordinal.work.set-aside"];
/// While the simulation plays it changes many times a second; the clock a reload comes back to may lag this much.
const SAVE_EVERY_MS: f64 = 1000.0;
/// How many works are kept, this tab's and those of other open tabs included.
pub const MOST_WORKS: usize = 10;
/// How much they may take together, as saved: a share link's state can reach 4 MB, and localStorage holds about
/// 5 MB per site in all.
pub const MOST_BYTES: usize = 2_000_000;
/// How long a reloading tab waits for its own slot's lock, which the page it replaces is still letting go of.
const RELOAD_WAIT_MS: u32 = 1500;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = OrdinalTabs, js_name = claim)]
    fn claim_lock(name: &str, wait_ms: u32) -> js_sys::Promise;
    #[wasm_bindgen(js_namespace = OrdinalTabs, js_name = letGo)]
    fn let_go_lock(name: &str);
    #[wasm_bindgen(js_namespace = OrdinalTabs, js_name = heldElsewhere)]
    fn held_elsewhere_locks() -> js_sys::Promise;
}

fn key(slot: &str) -> String {
    format!("{SLOT_PREFIX}{slot}")
}

/// Takes the slot for this tab, if no other open tab holds it, waiting up to `wait_ms` for one that is letting go.
async fn claim(slot: &str, wait_ms: u32) -> bool {
    JsFuture::from(claim_lock(&key(slot), wait_ms))
        .await
        .ok()
        .and_then(|granted| granted.as_bool())
        .unwrap_or(false)
}

fn let_go(slot: &str) {
    let_go_lock(&key(slot));
}

/// The slots other open tabs hold.
async fn held_elsewhere() -> Vec<String> {
    let Ok(names) = JsFuture::from(held_elsewhere_locks()).await else {
        return Vec::new();
    };
    js_sys::Array::from(&names)
        .iter()
        .filter_map(|name| {
            name.as_string()?
                .strip_prefix(SLOT_PREFIX)
                .map(str::to_string)
        })
        .collect()
}

/// Work as saved: the state, the preset it was opened from, how many interventions it came with (more are the
/// learner's own), whether it holds any of the learner's own, when it was saved, and what the list of recent
/// work says of it without reading the state.
#[derive(Clone, Debug, PartialEq)]
pub struct Saved {
    pub state: String,
    pub preset: String,
    pub opened_with: usize,
    pub own_work: bool,
    /// Milliseconds since the epoch.
    pub saved_at: f64,
    /// The moment it stood at, in simulated milliseconds, and how many branches it has.
    pub at_ms: u64,
    pub branches: usize,
}

impl Saved {
    fn to_json(&self) -> String {
        json!({
            "state": self.state,
            "preset": self.preset,
            "openedWith": self.opened_with,
            "ownWork": self.own_work,
            "savedAt": self.saved_at,
            "at": self.at_ms,
            "branches": self.branches,
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
            saved_at: value["savedAt"].as_f64().unwrap_or(0.0),
            at_ms: value["at"].as_u64().unwrap_or(0),
            branches: value["branches"].as_u64().unwrap_or(1) as usize,
        })
    }

    /// What the saved state holds, unless it no longer reads (a damaged entry is as good as none).
    pub fn work(&self) -> Option<SavedWork> {
        read_work(&self.state).ok()
    }
}

/// A saved work in its slot.
#[derive(Clone, Debug, PartialEq)]
pub struct Work {
    pub slot: String,
    pub saved: Saved,
    /// What it takes in storage, as saved.
    bytes: usize,
}

fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

fn read(slot: &str) -> Option<Saved> {
    Saved::from_json(&local()?.get_item(&key(slot)).ok()??)
}

fn remove(slot: &str) {
    if let Some(storage) = local() {
        let _ = storage.remove_item(&key(slot));
    }
}

/// Why the latest save did not happen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SaveProblem {
    /// The work, as saved, would take this many bytes: more than `MOST_BYTES`.
    TooLarge(usize),
    /// The browser refused to store it (its quota for the site is spent).
    Refused,
}

fn write(slot: &str, saved: &Saved) -> Result<(), SaveProblem> {
    let text = saved.to_json();
    if text.len() > MOST_BYTES {
        return Err(SaveProblem::TooLarge(text.len()));
    }
    let storage = local().ok_or(SaveProblem::Refused)?;
    storage
        .set_item(&key(slot), &text)
        .map_err(|_| SaveProblem::Refused)
}

/// Every work kept, newest first.
pub fn works() -> Vec<Work> {
    let Some(storage) = local() else {
        return Vec::new();
    };
    let slots: Vec<String> = (0..storage.length().unwrap_or(0))
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter_map(|k| k.strip_prefix(SLOT_PREFIX).map(str::to_string))
        .collect();
    let mut works: Vec<Work> = slots
        .into_iter()
        .filter_map(|slot| {
            let text = storage.get_item(&key(&slot)).ok()??;
            let saved = Saved::from_json(&text)?;
            Some(Work {
                slot,
                saved,
                bytes: text.len(),
            })
        })
        .collect();
    works.sort_by(|a, b| b.saved.saved_at.total_cmp(&a.saved.saved_at));
    works
}

/// Lets go of the oldest works beyond `MOST_WORKS` and `MOST_BYTES`, never this tab's or one another open tab
/// holds; work with nothing of the learner's own, once its tab is gone, goes first, as it only served a reload.
fn evict(own: &str, held: &[String]) {
    let (mut count, mut bytes) = (0, 0);
    for work in works() {
        let open = work.slot == own || held.contains(&work.slot);
        let fits = count < MOST_WORKS && bytes + work.bytes <= MOST_BYTES;
        if open || (work.saved.own_work && fits) {
            count += 1;
            bytes += work.bytes;
        } else {
            remove(&work.slot);
        }
    }
}

/// A slot id no tab has used: the time and a random number, in base 36.
fn fresh_slot() -> String {
    let random = (js_sys::Math::random() * 2f64.powi(40)) as u64;
    format!(
        "{}-{}",
        to_base36(js_sys::Date::now() as u64),
        to_base36(random)
    )
}

fn to_base36(mut n: u64) -> String {
    let mut digits = Vec::new();
    loop {
        digits.push(std::char::from_digit((n % 36) as u32, 36).expect("a digit below 36"));
        n /= 36;
        if n == 0 {
            break;
        }
    }
    digits.iter().rev().collect()
}

fn remember_slot(slot: &str) {
    if let Some(storage) = session() {
        let _ = storage.set_item(TAB_SLOT_KEY, slot);
    }
}

/// Moves work kept the way it was before slots into slots of its own, so that it is listed with the rest.
fn adopt_legacy_keys() {
    let Some(storage) = local() else { return };
    for legacy in LEGACY_KEYS {
        if let Some(text) = storage.get_item(legacy).ok().flatten() {
            let _ = storage.set_item(&key(&fresh_slot()), &text);
            let _ = storage.remove_item(legacy);
        }
    }
}

/// What a tab starts with: its slot, the work it comes back to, and work of the learner's own that its address
/// replaces, to be offered back.
pub struct Start {
    pub slot: String,
    pub reopen: Option<Saved>,
    pub set_aside: Option<Work>,
}

thread_local! {
    static STARTED: RefCell<Option<Start>> = const { RefCell::new(None) };
}

/// Claims this tab's slot before the page is drawn. `fits` says whether the address leaves a saved work to be
/// opened (it asks for no share link, and for no preset other than the work's own).
///
/// A reload keeps the tab's slot and opens it again, or, when the address asks for something else, keeps it
/// aside and goes on in a new slot. A new tab, or a duplicated one whose slot its original holds, comes back to the
/// newest work no open tab holds, or starts a new slot.
pub async fn start(fits: impl Fn(&Saved) -> bool) {
    adopt_legacy_keys();
    let started = choose_slot(fits).await;
    remember_slot(&started.slot);
    STARTED.with(|s| *s.borrow_mut() = Some(started));
}

async fn choose_slot(fits: impl Fn(&Saved) -> bool) -> Start {
    let tabs_own = session().and_then(|s| s.get_item(TAB_SLOT_KEY).ok().flatten());
    if let Some(slot) = tabs_own {
        if claim(&slot, RELOAD_WAIT_MS).await {
            return match read(&slot) {
                Some(saved) if fits(&saved) => Start {
                    slot,
                    reopen: Some(saved),
                    set_aside: None,
                },
                Some(saved) if saved.own_work => {
                    let_go(&slot);
                    Start {
                        slot: new_slot().await,
                        reopen: None,
                        set_aside: Some(Work {
                            slot,
                            saved,
                            bytes: 0,
                        }),
                    }
                }
                _ => Start {
                    slot,
                    reopen: None,
                    set_aside: None,
                },
            };
        }
    }
    let held = held_elsewhere().await;
    let newest_free = works().into_iter().find(|w| !held.contains(&w.slot));
    if let Some(work) = newest_free.filter(|w| fits(&w.saved)) {
        if claim(&work.slot, 0).await {
            return Start {
                slot: work.slot,
                reopen: Some(work.saved),
                set_aside: None,
            };
        }
    }
    Start {
        slot: new_slot().await,
        reopen: None,
        set_aside: None,
    }
}

async fn new_slot() -> String {
    let slot = fresh_slot();
    claim(&slot, 0).await;
    slot
}

/// What `start` chose, taken once by the page as it opens; `None` in an embedded player, which never starts.
pub fn started() -> Option<Start> {
    STARTED.with(|s| s.borrow_mut().take())
}

/// The workspace as it would be saved now.
pub fn current(workspace: Workspace) -> Saved {
    let editor = workspace.manifests.get_untracked();
    let (work, branches) = workspace.simulation.timeline.with_value(|t| {
        let manifests = t.to_scenario().manifests;
        let work = SavedWork {
            history: t.history(),
            at: t.now(),
            editor: (editor != manifests).then_some(editor),
        };
        (work, t.branches().len())
    });
    Saved {
        at_ms: work.at.as_millis(),
        state: work_json(&work),
        preset: workspace.preset.get_untracked(),
        opened_with: workspace.opened_with(),
        own_work: workspace.has_own_work(),
        saved_at: js_sys::Date::now(),
        branches,
    }
}

/// This tab's saving: its slot, the work it set aside and offers back, and why the latest save failed, if it did.
#[derive(Clone, Copy)]
pub struct Autosave {
    slot: StoredValue<String>,
    pub set_aside: RwSignal<Option<Work>>,
    pub problem: RwSignal<Option<SaveProblem>>,
    /// The slots other tabs held when last asked: what eviction spares.
    held: StoredValue<Vec<String>>,
    /// When `held` was last asked for, in the page's milliseconds.
    held_asked: StoredValue<f64>,
}

impl Autosave {
    pub fn new(start: &Start) -> Self {
        Autosave {
            slot: StoredValue::new(start.slot.clone()),
            set_aside: RwSignal::new(start.set_aside.clone()),
            problem: RwSignal::new(None),
            held: StoredValue::new(Vec::new()),
            held_asked: StoredValue::new(f64::NEG_INFINITY),
        }
    }

    pub fn slot(self) -> String {
        self.slot.get_value()
    }

    /// Saves the workspace into this tab's slot now, and lets go of the oldest works beyond the limits.
    pub fn save(self, workspace: Workspace) {
        let slot = self.slot();
        let outcome = write(&slot, &current(workspace));
        self.problem.set(outcome.err());
        evict(&slot, &self.held.get_value());
        self.refresh_held();
    }

    /// Asks again, at most every few seconds, which slots other tabs hold: for the next eviction.
    fn refresh_held(self) {
        let now = now_ms();
        if now - self.held_asked.get_value() < 5000.0 {
            return;
        }
        self.held_asked.set_value(now);
        spawn_local(async move {
            let held = held_elsewhere().await;
            let _ = self.held.try_set_value(held);
        });
    }

    /// Before something replaces the workspace. Work of the learner's own stays in its slot and is offered back,
    /// and the tab goes on in `next` (a new slot, unless given one it has claimed); work with nothing of the
    /// learner's own is written over, or dropped when the tab moves to `next`.
    pub fn hand_over(self, workspace: Workspace, next: Option<String>) {
        let slot = self.slot();
        if workspace.has_own_work() {
            let saved = current(workspace);
            if let Err(problem) = write(&slot, &saved) {
                self.problem.set(Some(problem));
            }
            self.set_aside.set(Some(Work {
                slot: slot.clone(),
                saved,
                bytes: 0,
            }));
        } else if next.is_some() {
            remove(&slot);
        } else {
            return;
        }
        let_go(&slot);
        let next = next.unwrap_or_else(|| {
            let fresh = fresh_slot();
            let claimed = fresh.clone();
            spawn_local(async move {
                claim(&claimed, 0).await;
            });
            fresh
        });
        remember_slot(&next);
        self.slot.set_value(next);
    }

    /// Opens a kept work in this tab, if no other tab holds it: the work on the page now is handed over first.
    /// Returns whether it opened.
    pub async fn open(self, workspace: Workspace, work: Work) -> bool {
        if !claim(&work.slot, 0).await {
            return false;
        }
        let Some(history) = work.saved.work() else {
            let_go(&work.slot);
            return false;
        };
        self.set_aside.set(None);
        self.hand_over(workspace, Some(work.slot.clone()));
        workspace.open_work(history, &work.saved)
    }

    /// Forgets a kept work.
    pub fn discard(self, work: &Work) {
        remove(&work.slot);
        if self
            .set_aside
            .with_untracked(|w| w.as_ref().is_some_and(|w| w.slot == work.slot))
        {
            self.set_aside.set(None);
        }
    }
}

/// Saves the workspace whenever it changes, at most once a second, and once more when the tab is hidden or
/// closed.
pub fn keep_saving(workspace: Workspace, autosave: Autosave) {
    let last_saved = StoredValue::new(f64::NEG_INFINITY);
    let pending = StoredValue::new(false);
    let save = move || {
        pending.set_value(false);
        last_saved.set_value(now_ms());
        autosave.save(workspace);
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

/// What a kept work is, in a line: its example (or the sandbox), where it stood, its branches.
fn describe(saved: &Saved) -> String {
    let example =
        crate::classroom::presets::find(&saved.preset).map_or(t(T::Sandbox), |p| p.title());
    crate::i18n::work_summary(
        example,
        &crate::time::format_clock(saved.at_ms),
        saved.branches,
    )
}

#[component]
pub fn SetAsideBanner() -> impl IntoView {
    let workspace = expect_context::<Workspace>();
    let autosave = expect_context::<Autosave>();
    let refused = RwSignal::new(false);
    let bring_back = move || {
        let Some(work) = autosave.set_aside.get_untracked() else {
            return;
        };
        spawn_local(async move {
            // Opening sets the work now on the page aside in turn, if it has any: the two swap places.
            refused.set(!autosave.open(workspace, work).await);
        });
    };
    let discard = move || {
        if let Some(work) = autosave.set_aside.get_untracked() {
            autosave.discard(&work);
        }
    };
    view! {
        <Show when=move || autosave.set_aside.with(Option::is_some)>
            <div class="set-aside" role="status">
                <p>
                    {move || t(T::WorkSetAside)} " "
                    <em>{move || autosave.set_aside.with(|w| w.as_ref().map(|w| describe(&w.saved)))}</em>
                    {move || refused.get().then(|| view! { " " <strong>{t(T::OpenInAnotherTab)}</strong> })}
                </p>
                <button class="bring-back" on:click=move |_| bring_back()>{move || t(T::BringItBack)}</button>
                <button on:click=move |_| discard()>{move || t(T::DiscardIt)}</button>
            </div>
        </Show>
        <Show when=move || autosave.problem.with(Option::is_some)>
            <div class="save-problem" role="alert">
                <p>{move || autosave.problem.get().map(crate::i18n::save_problem)}</p>
                <button on:click=move |_| autosave.problem.set(None)>{move || t(T::Dismiss)}</button>
            </div>
        </Show>
    }
}

/// Recent work: every work kept but the one on the page, newest first, to open again or forget. One that
/// another open tab holds is shown as such and cannot be opened here.
#[component]
pub fn RecentWork() -> impl IntoView {
    let workspace = expect_context::<Workspace>();
    let autosave = expect_context::<Autosave>();
    let listed = RwSignal::new(Vec::<(Work, bool)>::new());
    let status = RwSignal::new(String::new());
    let list = move || {
        spawn_local(async move {
            let held = held_elsewhere().await;
            let own = autosave.slot();
            let kept = works()
                .into_iter()
                .filter(|w| w.slot != own && w.saved.own_work)
                .map(|w| {
                    let open_elsewhere = held.contains(&w.slot);
                    (w, open_elsewhere)
                })
                .collect();
            let _ = listed.try_set(kept);
        });
    };
    let open = move |work: Work| {
        spawn_local(async move {
            let opened = autosave.open(workspace, work).await;
            status.set(if opened {
                String::new()
            } else {
                t(T::OpenInAnotherTab).into()
            });
            list();
        });
    };
    view! {
        <details class="recent-work" on:toggle=move |_| list()>
            <summary>{move || t(T::RecentWork)}</summary>
            <div class="menu-panel" role="group" aria-label=move || t(T::RecentWork)>
                <p class="recent-status" role="status">{move || status.get()}</p>
                <Show when=move || listed.with(Vec::is_empty)>
                    <p class="menu-heading">{move || t(T::NoRecentWork)}</p>
                </Show>
                <ul class="recent-list">
                    {move || listed.get().into_iter().map(|(work, open_elsewhere)| {
                        let title = describe(&work.saved);
                        let ago = crate::i18n::saved_ago(js_sys::Date::now() - work.saved.saved_at);
                        let forgotten = work.clone();
                        let opened = work.clone();
                        view! {
                            <li class="recent" data-slot=work.slot.clone()>
                                <button class="open-work" disabled=open_elsewhere on:click=move |_| open(opened.clone())>
                                    <span class="recent-title">{title}</span>
                                    <small>{ago} {open_elsewhere.then(|| format!(" · {}", t(T::OpenInAnotherTab)))}</small>
                                </button>
                                <button class="forget-work" aria-label=move || t(T::DiscardIt) disabled=open_elsewhere
                                    on:click=move |_| { autosave.discard(&forgotten); list(); }>"×"</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </div>
        </details>
    }
}
