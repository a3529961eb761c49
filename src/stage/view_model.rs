//! What the stage shows: the core's view of the cluster (`ordinal_sim::view`: each StatefulSet's slots, the
//! PersistentVolumes and nodes as kubectl prints them), selected and arranged for the page. Every text here
//! comes from the core; this module only cuts, orders and counts.

use ordinal_sim::view::{
    self, Cluster, NodeView, PodViews, SlotView, StatefulSetView, UpdateStrategy, VolumeRow,
    MAX_REPLICAS,
};
use std::collections::HashMap;
use std::ops::Deref;
use std::sync::Arc;

/// The most slots the stage draws, all sets together, and the most volumes: as many as one set may have
/// (`MAX_REPLICAS`), which the page was measured drawing while it plays (bench/results.md: a click
/// lands in 0.3 s, an event redraws in 16 ms). Past them, in sets taken in the order kubectl lists them, the
/// slots are counted, not drawn; the console lists every one.
pub const MOST_DRAWN_SLOTS: usize = MAX_REPLICAS as usize;
pub const MOST_DRAWN_VOLUMES: usize = MOST_DRAWN_SLOTS;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stage {
    pub time: String,
    pub sets: Vec<Arc<SetView>>,
    /// In the order of the slots whose claims they are bound to.
    pub volumes: Vec<VolumeRow>,
    /// Volumes past `MOST_DRAWN_VOLUMES`, not drawn.
    pub undrawn_volumes: usize,
    pub nodes: Vec<NodeView>,
}

/// A set as the stage draws it: the core's view with the slots to draw, and the rest counted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetView {
    pub set: StatefulSetView,
    /// The slots past the stage's `MOST_DRAWN_SLOTS`, counted.
    pub undrawn: Option<Undrawn>,
}

impl Deref for SetView {
    type Target = StatefulSetView;

    fn deref(&self) -> &StatefulSetView {
        &self.set
    }
}

/// The slots of a set that are not drawn: the names of the first and the last, and how many pods there are in
/// each status (`kubectl get pods`' STATUS), in order of first appearance; slots without a pod count as none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Undrawn {
    pub first: String,
    pub last: String,
    pub slots: usize,
    pub statuses: Vec<(String, usize)>,
}

pub fn stage(cluster: &Cluster, pods: &mut PodViews) -> Stage {
    stage_drawing(cluster, pods, MOST_DRAWN_SLOTS, MOST_DRAWN_VOLUMES)
}

/// The stage with at most `most_slots` slots and `most_volumes` volumes to draw.
fn stage_drawing(
    cluster: &Cluster,
    pods: &mut PodViews,
    most_slots: usize,
    most_volumes: usize,
) -> Stage {
    let mut drawable = most_slots;
    let sets: Vec<Arc<SetView>> = view::stateful_sets(cluster, pods)
        .into_iter()
        .map(|mut set| {
            let undrawn = set.slots.split_off(drawable.min(set.slots.len()));
            drawable -= set.slots.len();
            Arc::new(SetView {
                undrawn: undrawn_slots(&undrawn),
                set,
            })
        })
        .collect();
    let mut volumes: Vec<VolumeRow> = view::volume_rows(cluster).collect();
    // The pool in the order of the slots whose claims the volumes are bound to, so that the lines between them
    // do not cross; the rest after them, by name.
    let claim_order: HashMap<String, usize> = sets
        .iter()
        .flat_map(|set: &Arc<SetView>| {
            set.slots
                .iter()
                .flat_map(|slot| &slot.claims)
                .map(|claim| format!("{}/{}", set.namespace, claim.name))
        })
        .enumerate()
        .map(|(order, claim)| (claim, order))
        .collect();
    volumes.sort_by_key(|volume| {
        claim_order
            .get(&volume.claim)
            .copied()
            .unwrap_or(usize::MAX)
    });
    let undrawn_volumes = volumes.len().saturating_sub(most_volumes);
    volumes.truncate(most_volumes);
    Stage {
        time: crate::time::format_clock(cluster.now().as_millis()),
        sets,
        volumes,
        undrawn_volumes,
        nodes: view::nodes(cluster),
    }
}

/// What `slots` hold, counted: `None` when there are none.
fn undrawn_slots(slots: &[SlotView]) -> Option<Undrawn> {
    let (first, last) = (slots.first()?, slots.last()?);
    let mut statuses: Vec<(String, usize)> = Vec::new();
    for pod in slots.iter().filter_map(|slot| slot.pod.as_ref()) {
        match statuses
            .iter_mut()
            .find(|(status, _)| *status == pod.status)
        {
            Some((_, count)) => *count += 1,
            None => statuses.push((pod.status.clone(), 1)),
        }
    }
    Some(Undrawn {
        first: first.name.clone(),
        last: last.name.clone(),
        slots: slots.len(),
        statuses,
    })
}

/// The update strategy as the set's heading says it: `RollingUpdate partition 0`, `OnDelete`.
pub fn strategy_text(strategy: UpdateStrategy) -> String {
    match strategy {
        UpdateStrategy::OnDelete => "OnDelete".to_string(),
        UpdateStrategy::RollingUpdate { partition } => {
            format!("RollingUpdate partition {partition}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn pod(status: &str) -> Arc<view::PodView> {
        Arc::new(view::PodView {
            uid: String::new(),
            status: status.into(),
            ready_text: String::new(),
            ready: status == "Running",
            terminating: false,
            grace: None,
            ip: String::new(),
            node: String::new(),
            revision: String::new(),
        })
    }

    #[test]
    fn past_the_drawing_limit_slots_and_volumes_are_counted_set_after_set() {
        let web = view::Scenario::parse(include_str!("../../examples/web.yaml")).unwrap();
        let second = web
            .manifests
            .replace("name: web", "name: www")
            .replace("app: nginx", "app: www");
        let scenario = view::Scenario {
            manifests: format!("{}\n---\n{second}", web.manifests),
            steps: Vec::new(),
            ..web
        };
        let mut timeline = view::Timeline::from_scenario(&scenario);
        timeline.seek(view::SimTime::from_secs(120));
        let stage = stage_drawing(timeline.cluster(), &mut PodViews::default(), 4, 5);
        let drawn: Vec<(&str, usize)> = stage
            .sets
            .iter()
            .map(|set| (set.name.as_str(), set.slots.len()))
            .collect();
        assert_eq!(drawn, [("web", 3), ("www", 1)]);
        assert_eq!(stage.sets[0].undrawn, None);
        let undrawn = stage.sets[1].undrawn.clone().unwrap();
        assert_eq!(
            (undrawn.first.as_str(), undrawn.last.as_str(), undrawn.slots),
            ("www-1", "www-2", 2)
        );
        assert_eq!(undrawn.statuses, [("Running".to_string(), 2)]);
        assert_eq!((stage.volumes.len(), stage.undrawn_volumes), (5, 1));
    }

    #[test]
    fn undrawn_slots_are_named_from_first_to_last_and_counted_by_status() {
        let owned = BTreeMap::from([
            (1000, pod("Running")),
            (1001, pod("Pending")),
            (1003, pod("Running")),
        ]);
        let slots: Vec<SlotView> = (1000..=1003)
            .map(|ordinal| SlotView {
                ordinal,
                name: format!("web-{ordinal}"),
                in_range: true,
                pod: owned.get(&ordinal).cloned(),
                claims: Vec::new(),
                dns: None,
            })
            .collect();
        let undrawn = undrawn_slots(&slots).unwrap();
        assert_eq!(
            undrawn,
            Undrawn {
                first: "web-1000".into(),
                last: "web-1003".into(),
                slots: 4,
                statuses: vec![("Running".into(), 2), ("Pending".into(), 1)],
            }
        );
        assert_eq!(undrawn_slots(&[]), None);
    }
}
