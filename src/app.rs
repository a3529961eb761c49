//! The page: editor on the left, the stage on the right, the player on top.

use leptos::prelude::*;
use ordinal_sim::config::NodeConfig;
use ordinal_sim::timeline::Timeline;
use ordinal_sim::Scenario;

use crate::comfort::{Help, Preferences, Shortcuts};
use crate::console::{Announcer, Terminal, Workbench};
use crate::details::{DetailsDrawer, Selection};
use crate::editor::{Diagnostic, Editor};
use crate::linking::Hovered;
use crate::player::{Playback, Player, Scrubber};
use crate::stage::StageView;

/// The scenario the editor opens with: the nginx `web` set of the course notes.
const DEFAULT_SCENARIO: &str = include_str!("../examples/web.yaml");

/// The running simulation and its history, shared by the components; `version` changes whenever they do.
#[derive(Clone, Copy)]
pub struct Simulation {
    pub timeline: StoredValue<Timeline>,
    pub version: RwSignal<u64>,
}

impl Simulation {
    /// Changes the timeline and tells every view that reads it. `None` once the page is being torn down.
    pub fn update<R>(&self, change: impl FnOnce(&mut Timeline) -> R) -> Option<R> {
        let result = self.timeline.try_update_value(change);
        self.version.update(|v| *v += 1);
        result
    }

    /// Reads the timeline, and re-runs the caller whenever it changes.
    pub fn read<R>(&self, read: impl FnOnce(&Timeline) -> R) -> R {
        self.version.track();
        self.timeline.with_value(read)
    }
}

#[component]
pub fn App() -> impl IntoView {
    let scenario = Scenario::parse(DEFAULT_SCENARIO).expect("the bundled scenario is valid");
    // The scenario's manifests, as the editor shows them, are the first intervention; its scripted steps are
    // the teacher's, not the learner's, and the page starts without them.
    let mut scenario = Scenario {
        steps: Vec::new(),
        ..scenario
    };
    if let Some(count) = workers_from_address() {
        scenario.config.nodes = NodeConfig::kind_workers(count);
    }
    let mut timeline = Timeline::from_scenario(&Scenario {
        manifests: String::new(),
        ..scenario.clone()
    });
    let diagnostics = RwSignal::new(crate::editor::apply_to(&mut timeline, &scenario.manifests));
    let simulation = Simulation {
        timeline: StoredValue::new(timeline),
        version: RwSignal::new(0),
    };
    let playback = Playback::new();
    provide_context(simulation);
    provide_context(playback);
    provide_context(Terminal::new());
    provide_context(Help(RwSignal::new(false)));
    provide_context(Selection(RwSignal::new(None)));
    provide_context(Hovered(RwSignal::new(None)));
    let manifests = RwSignal::new(scenario.manifests);

    view! {
        <header class="toolbar">
            <h1 class="brand">"Ordinal"</h1>
            <Player/>
            <Preferences/>
        </header>
        <Shortcuts/>
        <Scrubber/>
        <main class="workspace">
            <section class="editor-pane" aria-label="Manifests">
                <Editor text=manifests diagnostics=diagnostics/>
            </section>
            <section class="stage-pane" aria-label="Cluster">
                <StageView/>
            </section>
        </main>
        <Workbench/>
        <DetailsDrawer/>
        <Announcer/>
    }
}

/// `?nodes=N` in the page's address: a cluster of N kind workers (1 to 100) instead of the example's, for a
/// stage bigger than three nodes hold (a node runs at most 110 pods).
fn workers_from_address() -> Option<usize> {
    let search = web_sys::window()?.location().search().ok()?;
    let count = web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get("nodes")?
        .parse::<usize>()
        .ok()?;
    Some(count.clamp(1, 100))
}

/// The diagnostics signal type, named for the components that share it.
pub type Diagnostics = RwSignal<Vec<Diagnostic>>;
