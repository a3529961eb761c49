//! What the page has open: the simulation with its history, the manifests in the editor and what the apiserver
//! said of them. Opening a preset, a share link or a scenario file replaces all of it at once.

use leptos::prelude::*;
use ordinal_sim::config::NodeConfig;
use ordinal_sim::timeline::Timeline;
use ordinal_sim::{Scenario, SimTime};

use crate::app::{Diagnostics, Simulation};
use crate::autosave::{Saved, SetAside};
use crate::details::Selection;
use crate::editor::Diagnostic;
use crate::player::Playback;

#[derive(Clone, Copy)]
pub struct Workspace {
    pub simulation: Simulation,
    pub manifests: RwSignal<String>,
    pub diagnostics: Diagnostics,
    /// The preset open, by id; empty once something else is opened.
    pub preset: RwSignal<String>,
    playback: Playback,
    selection: Selection,
    /// `?nodes=N`, which stands for every scenario's nodes.
    workers: Option<usize>,
    /// How many interventions the open scenario came with: more, or a branch, are the person's own work.
    opened_with: StoredValue<usize>,
    /// Where work is set aside before it is replaced: none in an embedded player, which keeps nothing.
    set_aside: Option<SetAside>,
}

impl Workspace {
    pub fn new(
        simulation: Simulation,
        manifests: RwSignal<String>,
        diagnostics: Diagnostics,
        playback: Playback,
        selection: Selection,
        workers: Option<usize>,
        set_aside: Option<SetAside>,
    ) -> Self {
        Workspace {
            simulation,
            manifests,
            diagnostics,
            preset: RwSignal::new(String::new()),
            playback,
            selection,
            workers,
            opened_with: StoredValue::new(
                simulation.timeline.with_value(|t| t.branch().steps.len()),
            ),
            set_aside,
        }
    }

    /// Replaces everything with the scenario, paused at `at` so that nothing moves before the person looking
    /// has taken it in. `editor` is the editor's text when it is not the scenario's manifests (a shared page
    /// can hold an edit that was refused).
    pub fn open(self, scenario: &Scenario, at: SimTime, editor: Option<String>) {
        if let Some(set_aside) = self.set_aside {
            set_aside.keep(self);
        }
        let Prepared {
            timeline,
            manifests,
            diagnostics,
        } = Prepared::at(scenario, at, editor, self.workers);
        self.playback.playing.set(false);
        self.selection.0.set(None);
        self.opened_with.set_value(timeline.branch().steps.len());
        self.simulation.update(|t| *t = timeline);
        self.manifests.set(manifests);
        self.diagnostics.set(diagnostics);
        self.preset.set(String::new());
    }

    /// Takes on what saved work knew that its scenario does not: the preset it came from and how much of it
    /// was the learner's own.
    pub fn restored(self, saved: &Saved) {
        self.opened_with.set_value(saved.opened_with);
        self.preset.set(saved.preset.clone());
    }

    pub fn opened_with(self) -> usize {
        self.opened_with.get_value()
    }

    /// Whether the person has done anything on the open scenario that opening another would lose: an
    /// intervention beyond those it came with (an applied edit is one), or a branch.
    pub fn has_own_work(self) -> bool {
        let opened_with = self.opened_with.get_value();
        self.simulation.timeline.with_value(|t| {
            t.branches().len() > 1 || t.branches().iter().any(|b| b.steps.len() > opened_with)
        })
    }
}

/// What opening a scenario at a moment puts on the page.
pub struct Prepared {
    pub timeline: Timeline,
    pub manifests: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl Prepared {
    /// The scenario's timeline taken to `at`, and the editor's text (`editor`, else the scenario's manifests)
    /// with what the apiserver says of it there.
    pub fn at(
        scenario: &Scenario,
        at: SimTime,
        editor: Option<String>,
        workers: Option<usize>,
    ) -> Self {
        let mut timeline = timeline_of(scenario, workers);
        timeline.seek(at);
        let manifests = editor.unwrap_or_else(|| scenario.manifests.clone());
        let diagnostics = crate::editor::check(&timeline, &manifests);
        Prepared {
            timeline,
            manifests,
            diagnostics,
        }
    }
}

/// A timeline for the scenario, with its manifests as the intervention at t = 0 and its steps after them.
pub fn timeline_of(scenario: &Scenario, workers: Option<usize>) -> Timeline {
    let mut scenario = scenario.clone();
    if let Some(count) = workers {
        scenario.config.nodes = NodeConfig::kind_workers(count);
    }
    Timeline::from_scenario(&scenario)
}
