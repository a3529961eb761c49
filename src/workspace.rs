//! What the page has open: the simulation with its history, the manifests in the editor and what the apiserver
//! said of them. Opening a preset, a share link or a scenario file replaces all of it at once.

use leptos::prelude::*;
use ordinal_sim::view::share::SavedWork;
use ordinal_sim::view::{NodeConfig, Scenario, SimTime, Timeline};

use crate::app::{Diagnostics, Simulation};
use crate::sharing::autosave::{Autosave, Saved};
use crate::stage::details::Selection;
use crate::time::seeking::Seeker;

#[derive(Clone, Copy)]
pub struct Workspace {
    pub simulation: Simulation,
    pub manifests: RwSignal<String>,
    pub diagnostics: Diagnostics,
    /// The preset open, by id; empty once something else is opened.
    pub preset: RwSignal<String>,
    selection: Selection,
    /// `?nodes=N`, which stands for every scenario's nodes.
    workers: Option<usize>,
    /// How many interventions the open scenario came with: more, or a branch, are the person's own work.
    opened_with: StoredValue<usize>,
    /// Where work is kept before it is replaced: none in an embedded player, which keeps nothing.
    autosave: Option<Autosave>,
    pub seeker: Seeker,
}

impl Workspace {
    pub fn new(
        simulation: Simulation,
        manifests: RwSignal<String>,
        diagnostics: Diagnostics,
        selection: Selection,
        workers: Option<usize>,
        autosave: Option<Autosave>,
        seeker: Seeker,
    ) -> Self {
        Workspace {
            simulation,
            manifests,
            diagnostics,
            preset: RwSignal::new(String::new()),
            selection,
            workers,
            opened_with: StoredValue::new(
                simulation.timeline.with_value(|t| t.branch().steps.len()),
            ),
            autosave,
            seeker,
        }
    }

    /// Replaces everything with the scenario, paused at `at` (seeking pauses) so that nothing moves before the
    /// person looking has taken it in. `editor` is the editor's text when it is not the scenario's manifests (a shared page
    /// can hold an edit that was refused).
    pub fn open(self, scenario: &Scenario, at: SimTime, editor: Option<String>) {
        if let Some(autosave) = self.autosave {
            autosave.hand_over(self, None);
        }
        self.replace_with(Prepared::at(scenario, at, editor, self.workers));
    }

    /// Replaces everything with saved work, every branch of it, paused where it stood; `false` (and nothing
    /// replaced) when its branches make no timeline. The work on the page has been handed over already
    /// (`Autosave::open`), since the tab moves to the slot of the work it opens.
    pub fn open_work(self, work: SavedWork, saved: &Saved) -> bool {
        let Some(prepared) = Prepared::saved(work) else {
            return false;
        };
        self.replace_with(prepared);
        self.restored(saved);
        true
    }

    fn replace_with(self, prepared: Prepared) {
        let Prepared {
            timeline,
            at,
            manifests,
        } = prepared;
        self.selection.0.set(None);
        self.opened_with.set_value(timeline.branch().steps.len());
        self.simulation.interrupt_running();
        self.simulation.update(|t| *t = timeline);
        self.manifests.set(manifests);
        self.diagnostics.set(Vec::new());
        self.preset.set(String::new());
        self.go_to(at);
    }

    /// Takes the open timeline to `at`, over many frames if it is far, and then says what the apiserver makes
    /// of the editor's text there.
    pub fn go_to(self, at: SimTime) {
        self.seeker.seek_then(at, move || {
            let manifests = self.manifests.get_untracked();
            let found = self
                .simulation
                .timeline
                .with_value(|t| crate::editor::check(t, &manifests));
            self.diagnostics.set(found);
        });
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

/// What opening a scenario at a moment puts on the page: the timeline at t = 0, the moment to take it to and
/// the editor's text.
pub struct Prepared {
    pub timeline: Timeline,
    pub at: SimTime,
    pub manifests: String,
}

impl Prepared {
    /// The scenario's timeline, and the editor's text: `editor`, else the scenario's manifests.
    pub fn at(
        scenario: &Scenario,
        at: SimTime,
        editor: Option<String>,
        workers: Option<usize>,
    ) -> Self {
        Prepared {
            timeline: timeline_of(scenario, workers),
            at,
            manifests: editor.unwrap_or_else(|| scenario.manifests.clone()),
        }
    }

    /// Saved work's timeline, every branch; `None` when its branches make no timeline. The cluster is the one
    /// it was saved with (`?nodes=` made it so then, if it was there).
    pub fn saved(work: SavedWork) -> Option<Self> {
        let timeline = Timeline::from_history(work.history).ok()?;
        let manifests = work
            .editor
            .unwrap_or_else(|| timeline.to_scenario().manifests);
        Some(Prepared {
            timeline,
            at: work.at,
            manifests,
        })
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
