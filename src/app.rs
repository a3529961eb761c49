//! The page: editor on the left, the stage on the right, the player on top.

use leptos::prelude::*;
use ordinal_sim::view::{ReachedStep, Scenario, SimTime, Timeline};

use crate::classroom::presets::{self, PresetPicker};
use crate::comfort::{Help, Preferences, Shortcuts};
use crate::console::{Announcer, Terminal, Workbench};
use crate::editor::linking::Hovered;
use crate::editor::{Diagnostic, Editor};
use crate::i18n::{t, T};
use crate::sharing::autosave::{self, Autosave, RecentWork, Saved, SetAsideBanner};
use crate::sharing::embed::{self, HostBridge, OpenInPlayground};
use crate::sharing::share::{
    has_shared_state, open_shared_state, ShareMenu, ShareProblem, ShareProblemBanner,
};
use crate::stage::details::{DetailsDrawer, Selection};
use crate::stage::StageView;
use crate::time::player::{Playback, Player, Scrubber};
use crate::time::seeking::{SeekProgress, Seeker};
use crate::workspace::{timeline_of, Prepared, Workspace};

/// The running simulation and its history, shared by the components; `version` changes whenever they do.
#[derive(Clone, Copy)]
pub struct Simulation {
    pub timeline: StoredValue<Timeline>,
    pub version: RwSignal<u64>,
    /// Steps the clock has come to and no one has shown yet (`Timeline::take_reached`), oldest first.
    pub reached: RwSignal<Vec<ReachedStep>>,
}

impl Simulation {
    pub fn new(timeline: Timeline) -> Self {
        Simulation {
            timeline: StoredValue::new(timeline),
            version: RwSignal::new(0),
            reached: RwSignal::new(Vec::new()),
        }
    }

    /// Changes the timeline and tells every view that reads it. `None` once the page is being torn down.
    pub fn update<R>(&self, change: impl FnOnce(&mut Timeline) -> R) -> Option<R> {
        let (result, reached) = self
            .timeline
            .try_update_value(|timeline| (change(timeline), timeline.take_reached()))
            .unzip();
        if let Some(reached) = reached.filter(|r| !r.is_empty()) {
            self.reached.update(|queue| queue.extend(reached));
        }
        self.version.update(|v| *v += 1);
        result
    }

    /// Ctrl-C for a command typed at the console that is still running: what seeking, switching branch or
    /// opening something else does first, as the page's clock leaves the moment it runs at.
    pub fn interrupt_running(&self) {
        if self.timeline.with_value(|t| t.is_following()) {
            self.update(|t| t.interrupt_followed());
        }
    }

    /// Reads the timeline, and re-runs the caller whenever it changes.
    pub fn read<R>(&self, read: impl FnOnce(&Timeline) -> R) -> R {
        self.version.track();
        self.timeline.with_value(read)
    }
}

#[component]
pub fn App() -> impl IntoView {
    let workers = workers_from_address();
    // What `autosave::start` chose before the page was drawn; none in an embedded player.
    let started = autosave::started();
    let autosave = started.as_ref().map(Autosave::new);
    let opening = first_scenario(workers, started.and_then(|s| s.reopen));
    let diagnostics = RwSignal::new(opening.diagnostics);
    let simulation = Simulation::new(opening.timeline);
    let playback = Playback::new();
    playback.playing.set(opening.autoplay);
    let seeker = Seeker::new(simulation, playback);
    provide_context(simulation);
    provide_context(playback);
    provide_context(seeker);
    let terminal = Terminal::new();
    provide_context(terminal);
    provide_context(Help(RwSignal::new(false)));
    let selection = Selection(RwSignal::new(None));
    provide_context(selection);
    provide_context(Hovered(RwSignal::new(None)));
    let manifests = RwSignal::new(opening.manifests);
    let workspace = Workspace::new(
        simulation,
        manifests,
        diagnostics,
        selection,
        workers,
        autosave,
        seeker,
    );
    workspace.preset.set(opening.preset);
    if let Some(saved) = &opening.restored {
        workspace.restored(saved);
    }
    if let Some(at) = opening.go_to {
        workspace.go_to(at);
    }
    provide_context(workspace);
    terminal.follow_script(workspace);
    terminal.follow_running(simulation);
    terminal.follow_scripted_running(simulation);
    if let Some(autosave) = autosave {
        provide_context(autosave);
        autosave::keep_saving(workspace, autosave);
    }
    provide_context(ShareProblem(RwSignal::new(None)));
    open_shared_state(workspace);

    if let Some(embed) = embed::options() {
        if let Some(body) = document().body() {
            let _ = body.class_list().add_1("embedded");
        }
        embed::apply_theme(embed::theme_from_address().unwrap_or("system"));
        return view! {
            <header class="toolbar embed-bar">
                <Player/>
                <OpenInPlayground/>
            </header>
            <Shortcuts/>
            <ShareProblemBanner/>
            <Scrubber/>
            <SeekProgress/>
            <Panes editor=embed.editor manifests=manifests diagnostics=diagnostics/>
            <DetailsDrawer/>
            <Announcer/>
            <HostBridge/>
        }
        .into_any();
    }

    view! {
        <header class="toolbar">
            <h1 class="brand">"Ordinal"</h1>
            <PresetPicker/>
            <RecentWork/>
            <Player/>
            <ShareMenu/>
            <Preferences/>
        </header>
        <Shortcuts/>
        <ShareProblemBanner/>
        <SetAsideBanner/>
        <Scrubber/>
        <SeekProgress/>
        <Panes editor=true manifests=manifests diagnostics=diagnostics/>
        <Workbench/>
        <DetailsDrawer/>
        <Announcer/>
    }
    .into_any()
}

/// The editor, when shown, beside the stage.
#[component]
fn Panes(editor: bool, manifests: RwSignal<String>, diagnostics: Diagnostics) -> impl IntoView {
    view! {
        <main class="workspace" class:stage-only=!editor>
            {editor.then(|| view! {
                <section class="editor-pane" aria-label=move || t(T::Manifests)>
                    <Editor text=manifests diagnostics=diagnostics/>
                </section>
            })}
            <section class="stage-pane" aria-label=move || t(T::Cluster)>
                <StageView/>
            </section>
        </main>
    }
}

struct Opening {
    timeline: Timeline,
    diagnostics: Vec<Diagnostic>,
    manifests: String,
    /// The moment reopened work stood at, for the timeline to be taken to once the page is up.
    go_to: Option<SimTime>,
    autoplay: bool,
    preset: String,
    /// The saved work it reopened, if that is what it is.
    restored: Option<Saved>,
}

/// What the page opens with: the work this tab comes back to (`autosave::start` chose it), or the preset `?preset=`
/// names, steps and all, paused like a preset chosen from the menu; or else the nginx `web` set of the course notes
/// as a sandbox that plays at once, unless a share link is about to replace it. The sandbox's manifests, as the
/// editor shows them, are the first intervention; its scripted steps are the teacher's, not the learner's, and it
/// starts without them.
fn first_scenario(workers: Option<usize>, saved: Option<Saved>) -> Opening {
    if let Some(opening) = saved.as_ref().and_then(reopen) {
        return opening;
    }
    let chosen = preset_from_address().as_deref().and_then(presets::find);
    let scenario = match chosen {
        Some(preset) => presets::scenario_of(preset),
        None => Scenario {
            steps: Vec::new(),
            ..presets::scenario_of(presets::find("web").expect("web is a preset"))
        },
    };
    let timeline = timeline_of(&scenario, workers);
    // What the apiserver said of the manifests at t = 0: the timeline before they were applied.
    let diagnostics = crate::editor::check(
        &Timeline::new(timeline.cluster().config().clone()),
        &scenario.manifests,
    );
    Opening {
        timeline,
        diagnostics,
        manifests: scenario.manifests,
        go_to: None,
        autoplay: chosen.is_none() && !has_shared_state() && embed::options().is_none(),
        preset: chosen.map(|p| p.id.to_string()).unwrap_or_default(),
        restored: None,
    }
}

/// Whether the page's address leaves saved work to be opened: it holds no share link, and names no preset but
/// the one the work was opened from.
pub fn address_fits(saved: &Saved) -> bool {
    let chosen = preset_from_address();
    !has_shared_state() && chosen.is_none_or(|preset| preset == saved.preset)
}

/// Saved work as it was, every branch, paused at its moment; `None` if it no longer reads.
fn reopen(saved: &Saved) -> Option<Opening> {
    let Prepared {
        timeline,
        at,
        manifests,
    } = Prepared::saved(saved.work()?)?;
    Some(Opening {
        diagnostics: Vec::new(),
        timeline,
        manifests,
        go_to: Some(at),
        autoplay: false,
        preset: saved.preset.clone(),
        restored: Some(saved.clone()),
    })
}

pub fn address_parameter(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}

/// `?nodes=N` in the page's address: a cluster of N kind workers (1 to 100) instead of the example's, for a
/// stage bigger than three nodes hold (a node runs at most 110 pods).
fn workers_from_address() -> Option<usize> {
    let count = address_parameter("nodes")?.parse::<usize>().ok()?;
    Some(count.clamp(1, 100))
}

/// `?preset=stuck-rollout`: the example the page opens, kept in the address so that a reload or a bookmark
/// opens it again.
pub fn preset_from_address() -> Option<String> {
    address_parameter("preset")
}

/// Records the open preset in the address, or none, without a navigation: the other parameters stay, and a
/// share link's fragment goes, as it no longer says what the page shows.
pub fn set_address(preset: Option<&str>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&location.search().unwrap_or_default())
    else {
        return;
    };
    match preset {
        Some(id) => params.set("preset", id),
        None => params.delete("preset"),
    }
    let query = String::from(params.to_string());
    let query = if query.is_empty() {
        query
    } else {
        format!("?{query}")
    };
    let address = format!("{}{query}", location.pathname().unwrap_or_default());
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&address));
    }
}

/// The diagnostics signal type, named for the components that share it.
pub type Diagnostics = RwSignal<Vec<Diagnostic>>;
