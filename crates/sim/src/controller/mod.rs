//! The controllers, each shaped like its upstream counterpart: informer handlers (`observe`) enqueue keys, and
//! `sync` reconciles one key from what the store holds now, writing back through the store.

pub mod endpointslice;
pub mod garbagecollector;
pub mod kubelet;
pub mod nodelifecycle;
pub mod persistentvolume;
pub mod scheduler;
pub mod statefulset;
pub mod tainteviction;

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, VecDeque};

use crate::config::ClusterConfig;
use crate::fault::Faults;
use crate::object::ObjectKey;
use crate::rng::Rng;
use crate::store::{Store, WatchEvent};
use crate::time::SimTime;

/// What a controller may touch while it syncs: the apiserver, the one RNG, its own timers, the configuration,
/// and the faults in force (the world outside the API that the kubelet and the node controller sense).
pub struct Ctx<'a> {
    pub store: &'a mut Store,
    pub rng: &'a mut Rng,
    pub timers: &'a mut Timers,
    pub config: &'a ClusterConfig,
    pub faults: &'a mut Faults,
}

impl Ctx<'_> {
    pub fn now(&self) -> SimTime {
        self.store.now()
    }

    pub fn requeue_after(&mut self, controller: ControllerId, key: ObjectKey, delay_ms: u64) {
        let at = self.store.now().plus_millis(delay_ms);
        self.timers.schedule(at, controller, key);
    }

    pub fn requeue_at(&mut self, controller: ControllerId, key: ObjectKey, at: SimTime) {
        self.timers
            .schedule(at.max(self.store.now()), controller, key);
    }

    /// A duration drawn uniformly from a configured range.
    pub fn draw_ms(&mut self, range: (u64, u64)) -> u64 {
        self.rng.between(range.0, range.1.max(range.0))
    }
}

/// The controllers in the order the engine gives them work at one instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ControllerId {
    StatefulSet,
    PersistentVolume,
    Scheduler,
    NodeLifecycle,
    TaintEviction,
    Kubelet,
    EndpointSlice,
    GarbageCollector,
}

impl ControllerId {
    pub const ALL: [ControllerId; 8] = [
        ControllerId::StatefulSet,
        ControllerId::PersistentVolume,
        ControllerId::Scheduler,
        ControllerId::NodeLifecycle,
        ControllerId::TaintEviction,
        ControllerId::Kubelet,
        ControllerId::EndpointSlice,
        ControllerId::GarbageCollector,
    ];
}

/// A controller's delayed requeues (`AddAfter`), merged into one heap by the engine.
#[derive(Clone, Debug, Default)]
pub struct Timers {
    heap: BinaryHeap<Reverse<(SimTime, u64, ControllerId, ObjectKey)>>,
    sequence: u64,
}

impl Timers {
    pub fn schedule(&mut self, at: SimTime, controller: ControllerId, key: ObjectKey) {
        self.sequence += 1;
        self.heap
            .push(Reverse((at, self.sequence, controller, key)));
    }

    pub fn next_at(&self) -> Option<SimTime> {
        self.heap.peek().map(|Reverse((at, ..))| *at)
    }

    /// Removes and returns every timer due at exactly `at`, in the order they were scheduled.
    pub fn pop_due(&mut self, at: SimTime) -> Vec<(ControllerId, ObjectKey)> {
        let mut due = Vec::new();
        while let Some(Reverse((when, ..))) = self.heap.peek() {
            if *when > at {
                break;
            }
            let Reverse((_, _, controller, key)) = self.heap.pop().expect("peeked");
            due.push((controller, key));
        }
        due
    }
}

/// `workqueue`: a key is queued at most once until it is processed.
#[derive(Clone, Debug, Default)]
pub struct WorkQueue {
    queue: VecDeque<ObjectKey>,
    queued: BTreeSet<ObjectKey>,
}

impl WorkQueue {
    pub fn add(&mut self, key: ObjectKey) {
        if self.queued.insert(key.clone()) {
            self.queue.push_back(key);
        }
    }

    pub fn pop(&mut self) -> Option<ObjectKey> {
        let key = self.queue.pop_front()?;
        self.queued.remove(&key);
        Some(key)
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }
}

/// One controller as the engine drives it.
pub trait Controller {
    /// The informer event handlers: decide which keys an event makes dirty.
    fn observe(&mut self, event: &WatchEvent, store: &Store);
    fn queue(&mut self) -> &mut WorkQueue;
    fn sync(&mut self, key: &ObjectKey, ctx: &mut Ctx);
}
