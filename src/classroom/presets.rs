//! The examples the page opens: every scenario of `examples/`, the course notes' manifests and the scripts
//! that teach by failure. Opening one replaces the cluster, the manifests and the history with the
//! scenario's; its steps stay on the timeline as interventions still to come.

use leptos::prelude::*;
use ordinal_sim::view::{Scenario, SimTime};

use crate::i18n::{t, Lang, T};
use crate::workspace::Workspace;

pub struct Preset {
    /// The file name without `.yaml`, and the page's `?preset=` value.
    pub id: &'static str,
    /// In English and in Chinese.
    pub title: (&'static str, &'static str),
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
        t(match self {
            Group::CourseNotes => T::FromTheCourseNotes,
            Group::Lessons => T::OneBehaviourEach,
        })
    }
}

impl Preset {
    pub fn title(&self) -> &'static str {
        match crate::i18n::lang() {
            Lang::En => self.title.0,
            Lang::Zh => self.title.1,
        }
    }
}

macro_rules! presets {
    ($( $id:literal, $group:ident, $en:literal, $zh:literal; )*) => {
        pub const PRESETS: &[Preset] = &[
            $( Preset {
                id: $id,
                title: ($en, $zh),
                group: Group::$group,
                scenario: include_str!(concat!("../../examples/", $id, ".yaml")),
            }, )*
        ];
    };
}

presets! {
    "web", CourseNotes, "web: the documentation's nginx set (3 replicas)", "web：官方文档的 nginx 示例（3 个副本）";
    "web-identity", CourseNotes, "web-identity: stable names, then stable storage", "web-identity：先看稳定的网络标识，再看稳定的存储";
    "web-my-sc", CourseNotes, "web-my-sc: claims bound to hand-made volumes", "web-my-sc：PVC 绑定到手工创建的 PV";
    "zookeeper", CourseNotes, "zookeeper: anti-affinity over three nodes", "zookeeper：三个节点上的 Pod 反亲和";
    "relay", CourseNotes, "relay: 50 replicas, Parallel and OnDelete", "relay：50 个副本，Parallel 与 OnDelete";
    "rumpetroll", CourseNotes, "rumpetroll: game rooms in their own namespace", "rumpetroll：独立命名空间中的游戏房间";
    "myapp", CourseNotes, "myapp: five static volumes, smallest fit", "myapp：五个静态 PV，按最小满足绑定";
    "stuck-rollout", Lessons, "A broken rollout that undo does not fix", "回滚也救不了的失败发布";
    "partition-canary", Lessons, "A canary with a partition", "用 partition 做金丝雀发布";
    "parallel", Lessons, "Parallel: scale at once, still roll one by one", "Parallel：一起扩缩容，仍逐个滚动更新";
    "ondelete", Lessons, "OnDelete: only deleted pods update", "OnDelete：只有被删除的 Pod 才更新";
    "pvc-retention", Lessons, "Claim retention on scale-down and delete", "缩容和删除时的 PVC 保留策略";
    "ordinals-start", Lessons, "ordinals.start: numbering from 1", "ordinals.start：从 1 开始编号";
    "node-down", Lessons, "A node goes down", "节点宕机";
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
            .map(|p| view! { <option value=p.id>{move || p.title()}</option> })
            .collect_view()
    };
    view! {
        <label class="preset">
            <span class="visually-hidden">{move || t(T::Example)}</span>
            // The value is set on the select, not as `selected` on each option: unselecting an option makes
            // the browser select the first one that is not disabled.
            <select aria-label=move || t(T::Example) prop:value=move || workspace.preset.get() on:change=move |ev| open(event_target_value(&ev))>
                <option value="" disabled=true>{move || t(T::OpenAnExample)}</option>
                <optgroup label=move || Group::CourseNotes.label()>{options(Group::CourseNotes)}</optgroup>
                <optgroup label=move || Group::Lessons.label()>{options(Group::Lessons)}</optgroup>
            </select>
        </label>
    }
}
