//! The page: editor on the left, the stage on the right, the player on top.

use leptos::prelude::*;
use ordinal_sim::{Cluster, Scenario};

use crate::editor::{Diagnostic, Editor};
use crate::player::{Playback, Player};
use crate::stage::StageView;

/// The scenario the editor opens with: the nginx `web` set of the course notes.
const DEFAULT_SCENARIO: &str = include_str!("../examples/web.yaml");

/// The running simulation, shared by the components; `version` changes whenever the cluster does.
#[derive(Clone, Copy)]
pub struct Simulation {
    pub cluster: StoredValue<Cluster>,
    pub version: RwSignal<u64>,
}

impl Simulation {
    /// Changes the cluster and tells every view that reads it. `None` once the page is being torn down.
    pub fn update<R>(&self, change: impl FnOnce(&mut Cluster) -> R) -> Option<R> {
        let result = self.cluster.try_update_value(change);
        self.version.update(|v| *v += 1);
        result
    }
}

#[component]
pub fn App() -> impl IntoView {
    let scenario = Scenario::parse(DEFAULT_SCENARIO).expect("the bundled scenario is valid");
    let mut cluster = Cluster::new(scenario.config.clone());
    let diagnostics = RwSignal::new(crate::editor::apply_to(&mut cluster, &scenario.manifests));
    let simulation = Simulation {
        cluster: StoredValue::new(cluster),
        version: RwSignal::new(0),
    };
    let playback = Playback::new();
    provide_context(simulation);
    provide_context(playback);
    let manifests = RwSignal::new(scenario.manifests);

    view! {
        <header class="toolbar">
            <h1 class="brand">"Ordinal"</h1>
            <Player/>
        </header>
        <main class="workspace">
            <section class="editor-pane" aria-label="Manifests">
                <Editor text=manifests diagnostics=diagnostics/>
            </section>
            <section class="stage-pane" aria-label="Cluster">
                <StageView/>
            </section>
        </main>
    }
}

/// The diagnostics signal type, named for the components that share it.
pub type Diagnostics = RwSignal<Vec<Diagnostic>>;
