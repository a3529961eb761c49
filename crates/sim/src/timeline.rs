//! A run that can be revisited: the interventions made at simulated instants, snapshots of the cluster along
//! the way, and branches. Going back is exact because the cluster is deterministic: the state at any instant
//! is the nearest earlier snapshot run forward through the same interventions. Acting in the past does not
//! rewrite history; it starts a branch from that instant, and the old future stays reachable.

use crate::api::apply::DocumentOutcome;
use crate::api::decode::ManifestError;
use crate::cluster::Cluster;
use crate::config::ClusterConfig;
use crate::kubectl::CommandOutput;
use crate::scenario::{Action, Scenario, Step};
use crate::time::SimTime;
use crate::vfs::Vfs;

/// How often the cluster is copied while it runs. Seeking costs one copy plus at most this much simulation.
pub const SNAPSHOT_EVERY: SimTime = SimTime(5_000);

/// One line of history: the interventions from t = 0, in the order they were made.
#[derive(Clone, Debug, PartialEq)]
pub struct Branch {
    pub steps: Vec<Step>,
    /// The furthest instant this branch has been simulated to.
    pub horizon: SimTime,
    /// The branch it was forked from, and the instant of the fork.
    pub forked_from: Option<(usize, SimTime)>,
}

#[derive(Clone, Debug)]
struct Snapshot {
    cluster: Cluster,
    /// How many of the branch's steps the copy has carried out.
    executed: usize,
}

#[derive(Clone, Debug)]
pub struct Timeline {
    branches: Vec<Branch>,
    current: usize,
    live: Cluster,
    /// Steps of the current branch the live cluster has carried out.
    executed: usize,
    /// Copies of the current branch's cluster, oldest first; the first is t = 0 before any step.
    snapshots: Vec<Snapshot>,
}

impl Timeline {
    pub fn new(config: ClusterConfig) -> Self {
        let mut cluster = Cluster::new(config);
        cluster.set_journaling(false);
        Timeline {
            branches: vec![Branch {
                steps: Vec::new(),
                horizon: SimTime::ZERO,
                forked_from: None,
            }],
            current: 0,
            snapshots: vec![Snapshot {
                cluster: cluster.clone(),
                executed: 0,
            }],
            live: cluster,
            executed: 0,
        }
    }

    /// The scenario's manifests as a step at t = 0 and its steps after it, carried out up to t = 0.
    pub fn from_scenario(scenario: &Scenario) -> Self {
        let mut timeline = Timeline::new(scenario.config.clone());
        let manifests = (!scenario.manifests.trim().is_empty()).then(|| Step {
            at: SimTime::ZERO,
            action: Action::Apply(scenario.manifests.clone()),
        });
        timeline.branches[0].steps = manifests
            .into_iter()
            .chain(scenario.steps.clone())
            .collect();
        timeline.seek(SimTime::ZERO);
        timeline
    }

    pub fn cluster(&self) -> &Cluster {
        &self.live
    }

    pub fn now(&self) -> SimTime {
        self.live.now()
    }

    pub fn branches(&self) -> &[Branch] {
        &self.branches
    }

    pub fn current_branch(&self) -> usize {
        self.current
    }

    pub fn branch(&self) -> &Branch {
        &self.branches[self.current]
    }

    /// Moves to `to` on the current branch: forward by running, backward from the nearest earlier snapshot.
    pub fn seek(&mut self, to: SimTime) {
        if to < self.live.now() {
            self.restore_before(to);
        }
        self.advance(to);
    }

    /// Moves to the next instant at which anything happens, a timer or an intervention; `None` when nothing
    /// is left to happen.
    pub fn step(&mut self) -> Option<SimTime> {
        let timer = self.live.next_event_at();
        let step = self.branch().steps.get(self.executed).map(|s| s.at);
        let next = match (timer, step) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b)?,
        };
        self.seek(next.max(self.live.now()));
        Some(next)
    }

    /// Runs the live cluster to `to`, carrying out the branch's steps on the way and copying it at every
    /// `SNAPSHOT_EVERY` boundary it has not been copied at.
    fn advance(&mut self, to: SimTime) {
        loop {
            let now = self.live.now();
            let boundary = SimTime((now.as_millis() / SNAPSHOT_EVERY.0 + 1) * SNAPSHOT_EVERY.0);
            let step_at = self.branches[self.current]
                .steps
                .get(self.executed)
                .map(|s| s.at.max(now));
            let target = [Some(boundary), step_at, Some(to)]
                .into_iter()
                .flatten()
                .min()
                .expect("`to` is always there");
            if target > to {
                break;
            }
            self.live.run_until(target);
            while let Some(step) = self.branches[self.current]
                .steps
                .get(self.executed)
                .filter(|s| s.at <= self.live.now())
            {
                step.action.execute(&mut self.live);
                self.executed += 1;
            }
            if target == boundary
                && self
                    .snapshots
                    .last()
                    .is_some_and(|s| s.cluster.now() < boundary)
            {
                self.snapshots.push(Snapshot {
                    cluster: self.live.clone(),
                    executed: self.executed,
                });
            }
            if target >= to {
                break;
            }
        }
        let branch = &mut self.branches[self.current];
        branch.horizon = branch.horizon.max(self.live.now());
    }

    /// Carries out an intervention now and, if it changed the cluster, records it: appended when the branch
    /// has no future yet, or as a new branch from this instant when it has one.
    pub fn act(&mut self, action: Action) -> CommandOutput {
        let before = Before::of(&self.live);
        let output = action.execute(&mut self.live);
        self.record_if_changed(before, action);
        output
    }

    /// `act` for the editor, which wants each document's outcome with its line rather than kubectl's text.
    pub fn apply_manifests(
        &mut self,
        manifests: &str,
    ) -> Result<Vec<DocumentOutcome>, ManifestError> {
        let before = Before::of(&self.live);
        let outcome = self.live.apply(manifests);
        self.record_if_changed(before, Action::Apply(manifests.to_string()));
        outcome
    }

    /// What `apply_manifests` would report now, on a copy: nothing is applied or recorded.
    pub fn check_manifests(&self, manifests: &str) -> Result<Vec<DocumentOutcome>, ManifestError> {
        self.live.clone().apply(manifests)
    }

    /// Read-only commands (`get`, `describe`, `exec -- cat`) leave no trace, so looking around in the past
    /// does not fork history.
    fn record_if_changed(&mut self, before: Before, action: Action) {
        let changed = self.live.store().resource_version() != before.resource_version
            || !self.live.vfs().unchanged_since(&before.vfs)
            || self.live.now() != before.now;
        if !changed {
            return;
        }
        let at = before.now;
        let branch = &self.branches[self.current];
        let has_future = branch.horizon > at || branch.steps.len() > self.executed;
        if has_future {
            self.fork(at);
        }
        self.branches[self.current].steps.push(Step { at, action });
        self.executed += 1;
        let branch = &mut self.branches[self.current];
        branch.horizon = branch.horizon.max(self.live.now());
        // Copies taken after the intervention's instant do not contain it.
        self.snapshots.retain(|s| s.cluster.now() <= at);
    }

    /// A new branch that shares everything up to `at` with the current one, and becomes current.
    fn fork(&mut self, at: SimTime) {
        let parent = &self.branches[self.current];
        let branch = Branch {
            steps: parent.steps[..self.executed].to_vec(),
            horizon: at,
            forked_from: Some((self.current, at)),
        };
        self.branches.push(branch);
        self.current = self.branches.len() - 1;
    }

    /// Makes another branch current and goes to `to` on it (at most its horizon). Copies of the cluster stay
    /// valid as long as both branches made the same interventions up to them.
    pub fn switch_branch(&mut self, index: usize, to: SimTime) {
        let Some(target) = self.branches.get(index) else {
            return;
        };
        let shared_steps = self.branches[self.current]
            .steps
            .iter()
            .zip(&target.steps)
            .take_while(|(a, b)| a == b)
            .count();
        // A copy carried out only shared steps, and the target branch has nothing before it that it missed.
        self.snapshots.retain(|s| {
            s.executed <= shared_steps
                && target
                    .steps
                    .get(s.executed)
                    .is_none_or(|next| next.at > s.cluster.now())
        });
        let to = to.min(target.horizon);
        self.current = index;
        // The live cluster may carry the old branch's interventions: start from a copy.
        self.restore_before(to);
        self.advance(to);
    }

    /// Makes the live cluster the latest copy taken at or before `to`.
    fn restore_before(&mut self, to: SimTime) {
        let snapshot = self
            .snapshots
            .iter()
            .rev()
            .find(|s| s.cluster.now() <= to)
            .expect("the first snapshot is at t = 0");
        self.live = snapshot.cluster.clone();
        self.executed = snapshot.executed;
    }
}

/// What an intervention could change, taken before it: the store's resourceVersion, the files and the clock
/// (commands that wait let it run).
struct Before {
    resource_version: u64,
    vfs: Vfs,
    now: SimTime,
}

impl Before {
    fn of(cluster: &Cluster) -> Self {
        Before {
            resource_version: cluster.store().resource_version(),
            vfs: cluster.vfs().clone(),
            now: cluster.now(),
        }
    }
}
