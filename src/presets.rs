//! The examples the page opens: every scenario of `examples/`, the course notes' manifests and the scripts
//! that teach by failure. Opening one replaces the cluster, the manifests and the history with the
//! scenario's; its steps stay on the timeline as interventions still to come.

use leptos::prelude::*;
use ordinal_sim::{Scenario, SimTime};

use crate::workspace::Workspace;

pub struct Preset {
    /// The file name without `.yaml`, and the page's `?preset=` value.
    pub id: &'static str,
    pub title: &'static str,
    pub group: Group,
    pub scenario: &'static str,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// A seed's manifests, with the commands its notes run.
    CourseNotes,
    /// A script that shows one setting, or one failure and how to get out of it.
    Lessons,
}

impl Group {
    fn label(self) -> &'static str {
        match self {
            Group::CourseNotes => "From the course notes",
            Group::Lessons => "One behaviour each",
        }
    }
}

macro_rules! presets {
    ($( $id:literal, $group:ident, $title:literal; )*) => {
        pub const PRESETS: &[Preset] = &[
            $( Preset {
                id: $id,
                title: $title,
                group: Group::$group,
                scenario: include_str!(concat!("../examples/", $id, ".yaml")),
            }, )*
        ];
    };
}

presets! {
    "web", CourseNotes, "web: the documentation's nginx set (3 replicas)";
    "web-identity", CourseNotes, "web-identity: stable names, then stable storage";
    "web-my-sc", CourseNotes, "web-my-sc: claims bound to hand-made volumes";
    "zookeeper", CourseNotes, "zookeeper: anti-affinity over three nodes";
    "relay", CourseNotes, "relay: 50 replicas, Parallel and OnDelete";
    "rumpetroll", CourseNotes, "rumpetroll: game rooms in their own namespace";
    "myapp", CourseNotes, "myapp: five static volumes, smallest fit";
    "stuck-rollout", Lessons, "A broken rollout that undo does not fix";
    "partition-canary", Lessons, "A canary with a partition";
    "ondelete", Lessons, "OnDelete: only deleted pods update";
    "pvc-retention", Lessons, "Claim retention on scale-down and delete";
    "ordinals-start", Lessons, "ordinals.start: numbering from 1";
    "node-down", Lessons, "A node goes down";
}

pub fn find(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id == id)
}

/// The scenario a preset holds. Every file is parsed by the core's tests, so a failure here is a broken build.
pub fn scenario_of(preset: &Preset) -> Scenario {
    Scenario::parse(preset.scenario)
        .expect("examples/ parse: crates/sim/tests/examples.rs checks them")
}

/// The menu of presets. Choosing one opens it paused at t = 0, so a teacher can frame it before pressing play.
#[component]
pub fn PresetPicker() -> impl IntoView {
    let workspace = expect_context::<Workspace>();
    let open = move |id: String| {
        let Some(preset) = find(&id) else { return };
        workspace.open(&scenario_of(preset), SimTime::ZERO, None);
        workspace.preset.set(id.clone());
        crate::app::set_address(Some(&id));
    };
    let options = move |group: Group| {
        PRESETS
            .iter()
            .filter(move |p| p.group == group)
            .map(|p| view! { <option value=p.id>{p.title}</option> })
            .collect_view()
    };
    view! {
        <label class="preset">
            <span class="visually-hidden">"Example"</span>
            // The value is set on the select, not as `selected` on each option: unselecting an option makes
            // the browser select the first one that is not disabled.
            <select aria-label="Example" prop:value=move || workspace.preset.get() on:change=move |ev| open(event_target_value(&ev))>
                <option value="" disabled=true>"Open an example…"</option>
                <optgroup label=Group::CourseNotes.label()>{options(Group::CourseNotes)}</optgroup>
                <optgroup label=Group::Lessons.label()>{options(Group::Lessons)}</optgroup>
            </select>
        </label>
    }
}
