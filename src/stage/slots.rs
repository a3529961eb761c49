//! The stage's slots as signals of their own, keyed by set and ordinal, so that an event redraws the slots it
//! changed and nothing else.

use leptos::prelude::*;
use ordinal_sim::view::SlotView;
use std::collections::HashMap;

use super::view_model::{SetView, Stage};

/// Each set's slots as signals of their own, written only when the slot changed: an event wakes the views
/// of the slots it touched, and the rest are not even checked, which with a thousand slots is what costs.
/// Built by hand rather than as a `reactive_stores` store keyed by ordinal (the Leptos `stores` example)
/// because the benchmark says so: a trial with a page-side copy of `SlotView` deriving `Store` and `Patch`
/// (branch `stores-trial`, 03eeb5d) tied at 1,000 pods (one event 2.1–2.4 ms median against 2.2–3.4 ms here),
/// was 1.3–1.6× slower at 2,000 (8.0–12.1 ms against 5.9–7.5 ms) and took 72 s instead of 23 s to bring them
/// up, and never brought 5,000 up in 12 minutes, where this store takes about 70 s and redraws an event in
/// 21–28 ms (`ORDINAL_BENCH_PARTS=event ORDINAL_BENCH_PODS=N node tests/bench/ui.mjs`, 2 cores, n = 40).
#[derive(Clone, Copy)]
pub(super) struct Slots(StoredValue<HashMap<String, SetSlots>>);

#[derive(Default)]
struct SetSlots {
    shared: SetShared,
    by_ordinal: HashMap<i64, ArcRwSignal<SlotView>>,
}

/// What every slot of a set reads, as signals set only when they change, so that reading them does not put
/// every slot downstream of every event.
#[derive(Clone, Default)]
pub(super) struct SetShared {
    pub(super) ordinals: ArcRwSignal<Vec<i64>>,
    pub(super) revisions: ArcRwSignal<Option<SetRevisions>>,
    pub(super) place: ArcRwSignal<Option<Place>>,
}

/// Sets `signal` to `value` unless it already holds it, so that its readers are not woken for nothing.
fn set_if_changed<T: Clone + PartialEq + Send + Sync + 'static>(
    signal: &ArcRwSignal<T>,
    value: &T,
) {
    if signal.with_untracked(|shown| shown != value) {
        signal.set(value.clone());
    }
}

impl Slots {
    pub(super) fn new() -> Self {
        Slots(StoredValue::new(HashMap::new()))
    }

    /// Brings every slot's signal up to the stage, setting only those that differ.
    pub(super) fn sync(&self, stage: &Stage) {
        self.0.update_value(|sets| {
            sets.retain(|name, _| stage.sets.iter().any(|set| &set.name == name));
            for set in &stage.sets {
                sets.entry(set.name.clone()).or_default().sync(set);
            }
        });
    }

    /// The set's ordinals (the keys of its slots, in order), its revisions and its place.
    pub(super) fn of_set(&self, set: &str) -> SetShared {
        self.0
            .try_update_value(|sets| sets.entry(set.to_string()).or_default().shared.clone())
            .unwrap_or_default()
    }

    /// One slot's signal; its ordinal is among the set's `ordinals`, which are set after the slots are.
    pub(super) fn slot(&self, set: &str, ordinal: i64) -> ArcRwSignal<SlotView> {
        self.0
            .with_value(|sets| sets.get(set)?.by_ordinal.get(&ordinal).cloned())
            .expect("a slot's signal exists before its ordinal is listed")
    }
}

impl SetSlots {
    fn sync(&mut self, set: &SetView) {
        self.by_ordinal.retain(|ordinal, _| {
            set.slots
                .binary_search_by_key(ordinal, |slot| slot.ordinal)
                .is_ok()
        });
        for slot in &set.slots {
            match self.by_ordinal.get(&slot.ordinal) {
                Some(signal) => set_if_changed(signal, slot),
                None => {
                    self.by_ordinal
                        .insert(slot.ordinal, ArcRwSignal::new(slot.clone()));
                }
            }
        }
        let shared = &self.shared;
        set_if_changed(
            &shared.revisions,
            &Some(SetRevisions {
                current: set.current_revision.clone(),
                update: set.update_revision.clone(),
            }),
        );
        set_if_changed(
            &shared.place,
            &Some(Place {
                namespace: set.namespace.clone(),
                service: set.service_name.clone(),
            }),
        );
        // Last: the slot of every ordinal listed has its signal.
        set_if_changed(
            &shared.ordinals,
            &set.slots.iter().map(|slot| slot.ordinal).collect(),
        );
    }
}

/// What `part` reads of one slot; its readers run again only when that part changes.
pub(super) fn slot_part<T: Clone + PartialEq + Send + Sync + 'static>(
    slot: &ArcRwSignal<SlotView>,
    part: fn(&SlotView) -> T,
) -> Memo<T> {
    let slot = slot.clone();
    Memo::new(move |_| slot.with(part))
}

/// The set's two revisions, to tell its pods apart.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct SetRevisions {
    pub(super) current: String,
    pub(super) update: String,
}

/// Where a set's pods live: their namespace, and the headless Service that names them in DNS.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Place {
    pub(super) namespace: String,
    pub(super) service: String,
}
