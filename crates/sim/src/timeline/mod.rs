//! A run that can be revisited: the interventions made at simulated instants, snapshots of the cluster along
//! the way, and branches. Going back is exact because the cluster is deterministic: the state at any instant
//! is the nearest earlier snapshot run forward through the same interventions. Acting in the past does not
//! rewrite history; it starts a branch from that instant, and the old future stays reachable.

use crate::api::decode::ManifestError;
use crate::cluster::Cluster;
use crate::config::ClusterConfig;
#[cfg(feature = "apiserver")]
use crate::endpoints;
use crate::kubectl::apply::DocumentOutcome;
use crate::kubectl::{Apply, CommandOutput};
use crate::scenario::{Action, Scenario, Step};
use crate::script::{self, Progress, Stop};
use crate::shell::Session;
use crate::store::WatchEvent;
use crate::terminal::Printed;
use crate::terminal::Ran;
use crate::time::SimTime;
use crate::vfs::Vfs;
use typing::Target;

mod errors;
#[cfg(feature = "apiserver")]
mod streams;
mod typing;
pub use errors::{BranchProblem, HistoryError};
use k8s_openapi::api::core::v1::Event;
use std::collections::BTreeMap;
pub use typing::{TypedOutput, Typing};

/// How often the cluster is copied while it runs. Seeking costs one copy plus at most this much simulation,
/// until the copies outgrow `SNAPSHOT_BUDGET`.
pub const SNAPSHOT_EVERY: SimTime = SimTime(5_000);

/// How many stored objects all the copies may hold together. A copy of a cluster with a thousand pods takes
/// megabytes, and a page has a few gigabytes at most: past the budget copies are dropped, those left evenly
/// spread, so that a long run of a big cluster seeks a little slower instead of running out of memory. A small
/// cluster never reaches it. Once reached, the copies stay near it (one is dropped for each taken): a day of
/// faults peaks at 257 MiB natively, as it did at 200,000 when half the copies were dropped at once.
pub const SNAPSHOT_BUDGET: usize = 150_000;

/// Quiet seconds that end a burst of events.
pub const BURST_GAP_SECONDS: u64 = 2;

/// One line of history: the interventions from t = 0, in the order they were made.
#[derive(Clone, Debug, PartialEq)]
pub struct Branch {
    pub steps: Vec<Step>,
    /// The furthest instant this branch has been simulated to.
    pub horizon: SimTime,
    /// The branch it was forked from, and the instant of the fork.
    pub forked_from: Option<(usize, SimTime)>,
    /// How many Kubernetes events were last written in each simulated second, up to the horizon: what the
    /// timeline marks as bursts, kept because the events of a later instant are gone once the cluster is
    /// taken back to an earlier one.
    pub events_per_second: BTreeMap<u64, u32>,
    /// The `until` of the scenario the branch's script comes from (zero when it has no steps): what a viewer
    /// shows as its length before it has been simulated that far. A fork keeps the script only up to the fork.
    pub script_end: SimTime,
}

/// A run of seconds with events, no more than `BURST_GAP_SECONDS` apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Burst {
    pub from: SimTime,
    /// The start of its last second with events.
    pub to: SimTime,
    pub events: u32,
}

impl Branch {
    /// How many first steps this branch and `other` have in common.
    pub fn steps_shared_with(&self, other: &Branch) -> usize {
        self.steps
            .iter()
            .zip(&other.steps)
            .take_while(|(a, b)| a == b)
            .count()
    }

    pub fn bursts(&self) -> Vec<Burst> {
        let mut bursts: Vec<Burst> = Vec::new();
        for (&second, &events) in &self.events_per_second {
            let at = SimTime(second * 1000);
            match bursts.last_mut() {
                Some(burst) if second <= burst.to.0 / 1000 + BURST_GAP_SECONDS => {
                    burst.to = at;
                    burst.events += events;
                }
                _ => bursts.push(Burst {
                    from: at,
                    to: at,
                    events,
                }),
            }
        }
        bursts
    }
}

/// Every branch of a timeline and which one is current: what the playground saves, so that a reload brings back
/// the branches a share link leaves out. `Timeline::from_history` of a timeline's history, taken to the same
/// instant, is the same timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct History {
    pub config: ClusterConfig,
    pub branches: Vec<Branch>,
    pub current: usize,
}

/// A step of the current branch that the clock came to while moving forward (playing, stepping or seeking ahead),
/// with what it printed: what a viewer shows of a script as it unfolds.
#[derive(Clone, Debug, PartialEq)]
pub struct ReachedStep {
    /// Its place among the branch's steps.
    pub index: usize,
    pub step: Step,
    /// What it printed: all of it, or so far while it runs.
    pub output: CommandOutput,
    pub running: bool,
}

#[derive(Clone, Debug)]
struct Snapshot {
    cluster: Cluster,
    /// How far through the branch's steps the copy has come.
    progress: Progress,
}

#[derive(Clone, Debug)]
pub struct Timeline {
    branches: Vec<Branch>,
    current: usize,
    live: Cluster,
    /// How far through the current branch's steps the live cluster has come.
    progress: Progress,
    /// Copies of the current branch's cluster, oldest first; the first is t = 0 before any step.
    snapshots: Vec<Snapshot>,
    /// `SNAPSHOT_BUDGET`, smaller in tests.
    snapshot_budget: usize,
    /// The branch and the last event write that `events_per_second` was last counted at: while they stay, the
    /// store holds the same events and counting them again, at every frame, would find the same.
    events_counted: Option<(usize, Option<u64>)>,
    /// What each step printed when it was carried out, by branch and place. The cluster is deterministic, so a
    /// step prints the same whenever it runs again; kept because a seek ahead may start from a copy taken after
    /// the step, and so not run it.
    outputs: BTreeMap<(usize, usize), CommandOutput>,
    /// The branch and instant `take_reached` last looked from; no instant before it first looks.
    reached_from: (usize, Option<SimTime>),
    /// How many of the first branch's steps are the scenario's manifests (0 or 1): applied as the timeline
    /// opens, and shown in the editor rather than reached.
    opening_steps: usize,
    /// The line typed at the console that is still running, or has ended and not been shown to its end.
    followed: Option<typing::Followed>,
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
                events_per_second: BTreeMap::new(),
                script_end: SimTime::ZERO,
            }],
            current: 0,
            snapshots: vec![Snapshot {
                cluster: cluster.clone(),
                progress: Progress::default(),
            }],
            live: cluster,
            progress: Progress::default(),
            snapshot_budget: SNAPSHOT_BUDGET,
            events_counted: None,
            outputs: BTreeMap::new(),
            reached_from: (0, None),
            opening_steps: 0,
            followed: None,
        }
    }

    /// The scenario's manifests as a step at t = 0 and its steps after it, carried out up to t = 0.
    pub fn from_scenario(scenario: &Scenario) -> Self {
        let mut timeline = Timeline::new(scenario.config.clone());
        let manifests = (!scenario.manifests.trim().is_empty())
            .then(|| Step::new(SimTime::ZERO, Action::Apply(scenario.manifests.clone())));
        timeline.opening_steps = usize::from(manifests.is_some());
        timeline.branches[0].steps = manifests
            .into_iter()
            .chain(scenario.steps.clone())
            .collect();
        // Manifests alone are no script: a sandbox has no length to show before it is played.
        if !scenario.steps.is_empty() {
            timeline.branches[0].script_end = scenario.until;
        }
        timeline.seek(SimTime::ZERO);
        timeline
    }

    /// The current branch as a scenario: its first intervention as the manifests when it is an apply at t = 0,
    /// the rest as steps, and `until` as far as the branch has gone. `Timeline::from_scenario` of it, run to the
    /// same instant, is the same cluster: what an export or a share link carries.
    pub fn to_scenario(&self) -> Scenario {
        let branch = self.branch();
        let mut steps = branch.steps.as_slice();
        let manifests = match steps.first() {
            Some(Step {
                at: SimTime::ZERO,
                action: Action::Apply(manifests),
                ..
            }) => {
                steps = &steps[1..];
                manifests.clone()
            }
            _ => String::new(),
        };
        Scenario {
            name: None,
            config: self.live.config().clone(),
            manifests,
            steps: steps.to_vec(),
            until: branch.horizon.max(branch.script_end).max(self.now()),
        }
    }

    pub fn history(&self) -> History {
        History {
            config: self.live.config().clone(),
            branches: self.branches.clone(),
            current: self.current,
        }
    }

    /// The timeline the history was taken from, at t = 0 on its current branch. What a branch knows without
    /// being simulated again (its horizon, its bursts) is taken as given; what would break the timeline is
    /// refused with the branch it is on.
    pub fn from_history(history: History) -> Result<Self, HistoryError> {
        let History {
            config,
            branches,
            current,
        } = history;
        if branches.is_empty() {
            return Err(HistoryError::NoBranch);
        }
        if current >= branches.len() {
            return Err(HistoryError::NoSuchCurrent {
                current,
                branches: branches.len(),
            });
        }
        for (index, branch) in branches.iter().enumerate() {
            check_branch(index, branch, &branches)
                .map_err(|problem| HistoryError::Branch { index, problem })?;
        }
        let mut timeline = Timeline::new(config);
        timeline.branches = branches;
        timeline.current = current;
        timeline.seek(SimTime::ZERO);
        Ok(timeline)
    }

    /// How many stored objects the snapshots hold together: what `SNAPSHOT_BUDGET` bounds.
    pub fn snapshot_objects(&self) -> usize {
        objects_in(&self.snapshots)
    }

    pub fn cluster(&self) -> &Cluster {
        &self.live
    }

    /// Opens a watch on every object of `kind` in the live cluster, as a client's connection to the apiserver
    /// (`Cluster::open_watch`); `take_watched` gives what it has seen.
    pub fn open_watch(&mut self, kind: &'static str) -> u64 {
        self.live.open_watch(kind)
    }

    pub fn take_watched(&mut self, watch: u64) -> Vec<WatchEvent> {
        self.live.take_watched(watch)
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

    /// The steps the clock has come to since the last call, moving forward on the same branch: those after the
    /// instant of the last call, up to now. Going back, or to another branch, reaches nothing; a step made now
    /// (`act`) is not reached, it was made. So a viewer that calls this after every change shows each scripted
    /// step once as it unfolds, and again if it is played through again.
    pub fn take_reached(&mut self) -> Vec<ReachedStep> {
        let (branch, from) = self.reached_from;
        let now = self.now();
        self.reached_from = (self.current, Some(now));
        if branch != self.current || from.is_some_and(|from| now <= from) {
            return Vec::new();
        }
        let steps = &self.branches[self.current].steps;
        // Before the first look, everything from the start is reached but the manifests (a step at 0 too).
        let first = from.map_or(self.opening_steps, |from| {
            steps.partition_point(|s| s.at <= from)
        });
        let last = steps
            .partition_point(|s| s.at <= now)
            .min(self.progress.executed);
        (first..last)
            .map(|index| {
                let (output, running) = self.step_output(index).unwrap_or_default();
                ReachedStep {
                    index,
                    step: steps[index].clone(),
                    output,
                    running,
                }
            })
            .collect()
    }

    /// What step `index` of the current branch has printed by now, and whether it is still running: all of it
    /// once it has ended, what it has so far while it runs; `None` before it started.
    pub fn step_output(&self, index: usize) -> Option<(CommandOutput, bool)> {
        if let Some(output) = self.progress.running_output(index) {
            return Some((output.clone(), true));
        }
        (index < self.progress.executed)
            .then(|| self.outputs.get(&(self.current, index)).cloned())
            .flatten()
            .map(|output| (output, false))
    }

    /// Moves to `to` on the current branch: from the latest copy at or before it when that is nearer than the
    /// live cluster (always, going back), then forward by running.
    pub fn seek(&mut self, to: SimTime) {
        self.seek_toward(to, SimTime::END);
    }

    /// `seek`, running at most `most` of simulated time: a viewer spreads a long seek over frames this way, so
    /// that it can show how far it has come and stop when asked. Returns whether it arrived.
    pub fn seek_toward(&mut self, to: SimTime, most: SimTime) -> bool {
        let nearest_copy = self.latest_copy_before(to).cluster.now();
        // A copy further on would skip the line typed at the console that runs outside the script.
        let skip_ahead = nearest_copy > self.live.now() && self.progress.typed.is_none();
        if to < self.live.now() || skip_ahead {
            self.restore_before(to);
        }
        self.advance(to.min(self.live.now().plus_millis(most.as_millis())));
        // A step that waits (`kubectl drain`) may carry the clock past `to`.
        self.live.now() >= to
    }

    /// Moves to the next instant at which anything happens, a timer or an intervention; `None` when nothing
    /// is left to happen.
    pub fn step(&mut self) -> Option<SimTime> {
        let timer = self.live.next_event_at();
        let step = self
            .branch()
            .steps
            .get(self.progress.executed)
            .map(|s| s.at);
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
        let frontier = self.branches[self.current].horizon;
        let mut keeper = Keeper {
            branch: self.current,
            outputs: &mut self.outputs,
            snapshots: &mut self.snapshots,
            budget: self.snapshot_budget,
            boundary: SimTime::ZERO,
            followed: &mut self.followed,
        };
        let stop = script::run(
            &mut self.live,
            &self.branches[self.current].steps,
            &mut self.progress,
            to,
            &mut keeper,
        );
        self.extend_horizon(frontier);
        if stop == Stop::TypedChanged {
            self.adopt_typed();
            self.advance(to);
        }
    }

    /// Moves the branch's horizon up to the live cluster, counting the events of the seconds from `frontier`,
    /// the horizon before, on. Those are counted again whole, as the store has them now.
    fn extend_horizon(&mut self, frontier: SimTime) {
        let now = self.live.now();
        if now < frontier {
            return;
        }
        self.branches[self.current].horizon = now;
        let store = self.live.store();
        let counted = Some((self.current, store.last_write::<Event>().map(|(v, _)| *v)));
        if counted == self.events_counted {
            return;
        }
        self.events_counted = counted;
        let branch = &mut self.branches[self.current];
        let first_second = frontier.as_millis() / 1000;
        branch.events_per_second.split_off(&first_second);
        for event in store.list::<Event>() {
            let Some(last) = event.last_timestamp.as_ref() else {
                continue;
            };
            let second = SimTime::from_k8s(last).as_millis() / 1000;
            if second >= first_second {
                *branch.events_per_second.entry(second).or_default() += 1;
            }
        }
    }

    /// Carries out an intervention now and, if it changed the cluster, records it: appended when the branch
    /// has no future yet, or as a new branch from this instant when it has one.
    pub fn act(&mut self, action: Action) -> CommandOutput {
        if let Action::Run(line) = &action {
            return self.type_line(line).output;
        }
        let before = Before::of(&self.live);
        let output = action.execute(&mut self.live);
        if self.record_if_changed(before, action) {
            let place = (self.current, self.progress.executed - 1);
            self.outputs.insert(place, output.clone());
        }
        output
    }

    #[cfg(feature = "apiserver")]
    /// Answers an apiserver request now (`ordinal serve-api`'s): a write is carried out and, if it changed the
    /// cluster, recorded as a step (`Action::Request`), so that what replays is what the client did; a read
    /// leaves no trace.
    pub fn request(&mut self, request: &endpoints::Request) -> endpoints::Response {
        if !request.writes() {
            return endpoints::serve(&self.live, request);
        }
        let before = Before::of(&self.live);
        let response = endpoints::write(&mut self.live, request);
        if self.record_if_changed(before, Action::Request(request.to_recorded())) {
            let place = (self.current, self.progress.executed - 1);
            self.outputs
                .insert(place, crate::script::response_output(&response));
        }
        response
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
    /// does not fork history. Returns whether it recorded the action, as the current branch's last step.
    fn record_if_changed(&mut self, before: Before, action: Action) -> bool {
        let changed = self.live.store().resource_version() != before.resource_version
            || !self.live.vfs().unchanged_since(&before.vfs)
            || self.live.now() != before.now
            || shells_changed(&before.shells, self.live.shells());
        if !changed {
            return false;
        }
        let at = before.now;
        if self.has_future(at, self.progress.executed) {
            self.fork_at(at, self.progress.executed);
        }
        self.branches[self.current]
            .steps
            .push(Step::new(at, action));
        self.progress.executed += 1;
        let frontier = self.branch().horizon.min(at);
        self.extend_horizon(frontier);
        // Copies taken after the intervention's instant do not contain it.
        self.snapshots.retain(|s| s.cluster.now() <= at);
        true
    }

    /// Whether the current branch goes on past `at`, where its first `executed` steps have been started: an
    /// intervention there starts a new branch.
    fn has_future(&self, at: SimTime, executed: usize) -> bool {
        let branch = &self.branches[self.current];
        branch.horizon > at || branch.steps.len() > executed
    }

    /// A new branch that shares everything up to `at`, and the first `executed` steps, with the current one,
    /// and becomes current.
    fn fork_at(&mut self, at: SimTime, executed: usize) {
        let parent = &self.branches[self.current];
        let branch = Branch {
            steps: parent.steps[..executed].to_vec(),
            horizon: at,
            forked_from: Some((self.current, at)),
            events_per_second: parent
                .events_per_second
                .range(..=at.as_millis() / 1000)
                .map(|(second, events)| (*second, *events))
                .collect(),
            script_end: parent.script_end.min(at),
        };
        self.branches.push(branch);
        let (parent, child) = (self.current, self.branches.len() - 1);
        self.share_outputs(parent, child, executed);
        self.current = child;
    }

    /// Gives branch `to` what the first `steps` steps of branch `from`, which it shares, printed.
    fn share_outputs(&mut self, from: usize, to: usize, steps: usize) {
        let shared: Vec<(usize, CommandOutput)> = self
            .outputs
            .range((from, 0)..(from, steps))
            .map(|(&(_, index), output)| (index, output.clone()))
            .collect();
        for (index, output) in shared {
            self.outputs.entry((to, index)).or_insert(output);
        }
    }

    /// Makes another branch current and goes to `to` on it (at most its horizon). Copies of the cluster stay
    /// valid as long as both branches made the same interventions up to them.
    pub fn switch_branch(&mut self, index: usize, to: SimTime) {
        let Some(target) = self.branches.get(index) else {
            return;
        };
        let shared_steps = self.branches[self.current].steps_shared_with(target);
        // A copy carried out only shared steps, and the target branch has nothing before it that it missed. A
        // step at the copy's very instant is carried out after it, as `advance` does; so the copy at t = 0,
        // taken before any step, stays for every branch.
        self.snapshots.retain(|s| {
            s.progress.executed <= shared_steps
                && target
                    .steps
                    .get(s.progress.executed)
                    .is_none_or(|next| next.at >= s.cluster.now())
        });
        let to = to.min(target.horizon);
        self.share_outputs(self.current, index, shared_steps);
        self.current = index;
        // The live cluster may carry the old branch's interventions: start from a copy.
        self.restore_before(to);
        self.advance(to);
    }

    /// Makes the live cluster the latest copy taken at or before `to`. A line typed at the console and
    /// running outside the script is interrupted first: it never ran in the copy.
    fn restore_before(&mut self, to: SimTime) {
        self.end_typed();
        let snapshot = self.latest_copy_before(to);
        let (mut live, mut progress) = (snapshot.cluster.clone(), snapshot.progress.clone());
        // A copy taken while a typed line ran holds it, and the watch it had open: close that too.
        if let Some(mut typed) = progress.typed.take() {
            typed.command.interrupt(&mut live);
        }
        self.live = live;
        self.progress = progress;
    }

    fn latest_copy_before(&self, to: SimTime) -> &Snapshot {
        self.snapshots
            .iter()
            .rev()
            .find(|s| s.cluster.now() <= to)
            .expect("the first snapshot is at t = 0")
    }
}

/// Keeps what the timeline needs of a run: each step's output, and a copy of the cluster at every
/// `SNAPSHOT_EVERY` boundary it stops at.
struct Keeper<'a> {
    branch: usize,
    outputs: &'a mut BTreeMap<(usize, usize), CommandOutput>,
    snapshots: &'a mut Vec<Snapshot>,
    budget: usize,
    /// The boundary the run was last asked to stop at.
    boundary: SimTime,
    /// The typed line the console follows: what it prints goes there as it comes.
    followed: &'a mut Option<typing::Followed>,
}

impl Keeper<'_> {
    /// The followed line, if it is step `index` of the branch being run.
    fn following(&mut self, index: usize) -> Option<&mut typing::Followed> {
        let target = Target::Step {
            branch: self.branch,
            index,
        };
        self.followed.as_mut().filter(|f| f.target == target)
    }
}

impl script::Watcher for Keeper<'_> {
    fn stop_after(&mut self, now: SimTime) -> Option<SimTime> {
        self.boundary = SimTime((now.as_millis() / SNAPSHOT_EVERY.0 + 1) * SNAPSHOT_EVERY.0);
        Some(self.boundary)
    }

    fn carried_out(
        &mut self,
        _cluster: &mut Cluster,
        index: usize,
        _issued: SimTime,
        _step: &Step,
        ran: Ran,
    ) {
        if let Some(followed) = self.following(index) {
            followed.end(ran.clone());
        }
        self.outputs.insert((self.branch, index), ran.output);
    }

    fn printed(&mut self, index: usize, printed: Printed) {
        if let Some(followed) = self.following(index) {
            followed.print(printed);
        }
    }

    fn typed_printed(&mut self, printed: Printed) {
        if let Some(followed) = self.followed.as_mut().filter(|f| f.target == Target::Typed) {
            followed.print(printed);
        }
    }

    fn typed_ended(&mut self, ran: Ran) {
        if let Some(followed) = self.followed.as_mut().filter(|f| f.target == Target::Typed) {
            followed.end(ran);
        }
    }

    fn stopped(&mut self, cluster: &mut Cluster, progress: &Progress) {
        if cluster.now() == self.boundary
            && self
                .snapshots
                .last()
                .is_some_and(|s| s.cluster.now() < self.boundary)
        {
            self.snapshots.push(Snapshot {
                cluster: cluster.clone(),
                progress: progress.clone(),
            });
            thin_snapshots(self.snapshots, self.budget);
        }
    }
}

/// Drops one copy at a time while the copies hold more than `SNAPSHOT_BUDGET` objects: the one whose
/// neighbours are closest together (the oldest such), so that the copies stay evenly spread over the run.
/// One at a time, because freeing half of them at once held the page for tens of milliseconds every few
/// simulated minutes of a long run. The first (t = 0) and the latest stay.
fn thin_snapshots(snapshots: &mut Vec<Snapshot>, budget: usize) {
    while objects_in(snapshots) > budget && snapshots.len() > 2 {
        let taken_at = |i: usize| snapshots[i].cluster.now().as_millis();
        let closest = (1..snapshots.len() - 1)
            .min_by_key(|&i| taken_at(i + 1) - taken_at(i - 1))
            .expect("more than two copies have one between the first and the latest");
        snapshots.remove(closest);
    }
}

/// How many stored objects the copies hold together: what `SNAPSHOT_BUDGET` bounds.
fn objects_in(snapshots: &[Snapshot]) -> usize {
    snapshots.iter().map(|s| s.cluster.store().len()).sum()
}

/// What `fork` makes of a branch: the first has no parent; the others fork from an earlier branch, within its
/// horizon, sharing its steps up to the fork and adding their own from the fork on. Steps are in time order.
fn check_branch(index: usize, branch: &Branch, branches: &[Branch]) -> Result<(), BranchProblem> {
    if let Some(pair) = branch.steps.windows(2).position(|w| w[1].at < w[0].at) {
        return Err(BranchProblem::StepOrder { step: pair + 1 });
    }
    let Some((parent, at)) = branch.forked_from else {
        return match index {
            0 => Ok(()),
            _ => Err(BranchProblem::NoParent),
        };
    };
    if parent >= index {
        return Err(BranchProblem::ForksFromLater { parent });
    }
    let parent = &branches[parent];
    if at > parent.horizon || at > branch.horizon {
        return Err(BranchProblem::BeyondHorizon);
    }
    let shared = parent.steps.iter().take_while(|s| s.at <= at).count();
    let same_past =
        branch.steps.len() >= shared && branch.steps[..shared] == parent.steps[..shared];
    if !same_past || branch.steps[shared..].iter().any(|s| s.at < at) {
        return Err(BranchProblem::PastDiffers);
    }
    Ok(())
}

/// What an intervention could change, taken before it: the store's resourceVersion, the files and the clock
/// (commands that wait let it run).
struct Before {
    resource_version: u64,
    vfs: Vfs,
    now: SimTime,
    /// The terminals' shells: `export` changes nothing in the cluster, yet a replay must repeat it.
    shells: BTreeMap<String, Session>,
}

impl Before {
    fn of(cluster: &Cluster) -> Self {
        Before {
            resource_version: cluster.store().resource_version(),
            vfs: cluster.vfs().clone(),
            now: cluster.now(),
            shells: cluster.shells().clone(),
        }
    }
}

/// Whether a terminal's shell kept something new (a variable, a file): `$?` alone is no trace.
fn shells_changed(before: &BTreeMap<String, Session>, after: &BTreeMap<String, Session>) -> bool {
    let fresh = Session::default();
    after
        .iter()
        .any(|(name, shell)| shell.differs_beyond_status(before.get(name).unwrap_or(&fresh)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WEB: &str = include_str!("../../../../examples/web.yaml");

    #[test]
    fn a_seek_spread_over_slices_reaches_the_same_cluster_and_starts_from_the_nearest_copy() {
        let scenario = Scenario::parse(WEB).expect("the example parses");
        let mut at_once = Timeline::from_scenario(&scenario);
        at_once.seek(SimTime::from_secs(120));

        let mut sliced = Timeline::from_scenario(&scenario);
        let mut slices = 0;
        while !sliced.seek_toward(SimTime::from_secs(120), SimTime::from_secs(7)) {
            slices += 1;
            assert!(sliced.now() < SimTime::from_secs(120));
        }
        assert_eq!(slices, 120 / 7);
        assert_eq!(sliced.now(), SimTime::from_secs(120));
        let state = |t: &Timeline| {
            (
                t.cluster().store().resource_version(),
                t.cluster().store().len(),
            )
        };
        assert_eq!(state(&sliced), state(&at_once));

        // Back at 10 s, a seek to 118 s starts from the copy at 115 s: three seconds to run, one slice.
        sliced.seek(SimTime::from_secs(10));
        assert!(sliced.seek_toward(SimTime::from_secs(118), SimTime::from_secs(3)));
        at_once.seek(SimTime::from_secs(118));
        assert_eq!(state(&sliced), state(&at_once));
    }

    #[cfg(feature = "apiserver")]
    #[test]
    fn an_api_write_is_a_step_that_replays_and_a_read_leaves_no_trace() {
        let scenario = Scenario::parse(WEB).expect("the example parses");
        let mut timeline = Timeline::from_scenario(&scenario);
        timeline.seek(SimTime::from_secs(30));
        let steps = timeline.branch().steps.len();
        let read = endpoints::Request {
            method: "GET",
            path: "/apis/apps/v1/namespaces/default/statefulsets/web",
            ..endpoints::Request::default()
        };
        assert_eq!(timeline.request(&read).status, 200);
        assert_eq!(timeline.branch().steps.len(), steps);

        let scale = endpoints::Request {
            method: "PATCH",
            path: "/apis/apps/v1/namespaces/default/statefulsets/web/scale",
            content_type: "application/merge-patch+json",
            body: br#"{"spec":{"replicas":1}}"#,
            ..endpoints::Request::default()
        };
        assert_eq!(timeline.request(&scale).status, 200);
        let last = timeline.branch().steps.last().expect("the write is a step");
        assert_eq!(last.at, SimTime::from_secs(30));
        assert_eq!(
            last.action.command(),
            "PATCH /apis/apps/v1/namespaces/default/statefulsets/web/scale"
        );
        timeline.seek(SimTime::from_secs(90));
        let state = |t: &Timeline| {
            (
                t.cluster().store().resource_version(),
                t.cluster().store().len(),
            )
        };
        let live = state(&timeline);

        // Seeking back and forth replays the write; so does the scenario it saves, as a `request:` step.
        timeline.seek(SimTime::from_secs(5));
        timeline.seek(SimTime::from_secs(90));
        assert_eq!(state(&timeline), live);
        let saved = timeline.to_scenario().to_yaml();
        assert!(saved.contains("request:"), "{saved}");
        let mut replayed = Timeline::from_scenario(&Scenario::parse(&saved).expect("it parses"));
        replayed.seek(SimTime::from_secs(90));
        assert_eq!(state(&replayed), live);
    }

    #[test]
    fn a_branch_can_be_entered_at_its_start_and_run_to_any_instant() {
        let scenario = Scenario::parse(WEB).expect("the example parses");
        let mut timeline = Timeline::from_scenario(&scenario);
        timeline.seek(SimTime::from_secs(40));
        timeline.seek(SimTime::from_secs(3));
        timeline.act(Action::Run("kubectl scale sts web --replicas=1".into()));
        assert_eq!(timeline.branches().len(), 2);
        timeline.seek(SimTime::from_secs(20));
        let branch_1_at_20 = timeline.cluster().store().resource_version();

        timeline.switch_branch(0, SimTime::ZERO);
        assert_eq!(
            (timeline.current_branch(), timeline.now()),
            (0, SimTime::ZERO)
        );
        timeline.seek(SimTime::from_secs(40));
        let mut straight = Timeline::from_scenario(&scenario);
        straight.seek(SimTime::from_secs(40));
        assert_eq!(
            timeline.cluster().store().resource_version(),
            straight.cluster().store().resource_version()
        );
        timeline.switch_branch(1, SimTime::ZERO);
        timeline.seek(SimTime::from_secs(20));
        assert_eq!(
            timeline.cluster().store().resource_version(),
            branch_1_at_20
        );
    }

    #[test]
    fn a_step_at_zero_is_reached_and_the_manifests_are_not() {
        let mut scenario = Scenario::parse(WEB).expect("the example parses");
        scenario.steps = vec![Step::new(SimTime::ZERO, Action::Run("echo first".into()))];
        let mut timeline = Timeline::from_scenario(&scenario);
        let reached: Vec<(usize, String)> = timeline
            .take_reached()
            .into_iter()
            .map(|r| (r.index, r.output.stdout))
            .collect();
        assert_eq!(reached, [(1, "first\n".to_string())]);
        timeline.seek(SimTime::from_secs(5));
        assert!(timeline.take_reached().is_empty(), "reached once");
    }

    #[test]
    fn a_step_still_running_is_reached_with_what_it_printed_so_far_and_goes_on() {
        let mut scenario = Scenario::parse(WEB).expect("the example parses");
        scenario.steps = vec![Step::new(
            SimTime::from_secs(10),
            Action::Run("echo one; sleep 20; echo two".into()),
        )];
        let mut timeline = Timeline::from_scenario(&scenario);
        timeline.take_reached();
        timeline.seek(SimTime::from_secs(15));
        let reached = timeline.take_reached();
        assert_eq!(reached.len(), 1);
        assert!(reached[0].running);
        assert_eq!(reached[0].output.stdout, "one\n");
        timeline.seek(SimTime::from_secs(40));
        let (output, running) = timeline.step_output(1).expect("it ran");
        assert!(!running);
        assert_eq!(output.stdout, "one\ntwo\n");
        assert_eq!(TypedOutput::beyond(&output, (4, 0)).stdout, "two\n");
        timeline.seek(SimTime::from_secs(5));
        assert_eq!(timeline.step_output(1), None, "not yet started there");
    }

    #[test]
    fn steps_are_reached_moving_forward_with_what_they_printed_and_never_going_back() {
        let mut scenario = Scenario::parse(WEB).expect("the example parses");
        scenario.steps = vec![
            Step::new(
                SimTime::from_secs(30),
                Action::Run("kubectl scale sts web --replicas=2".into()),
            ),
            Step::new(
                SimTime::from_secs(60),
                Action::Run("kubectl get sts web".into()),
            ),
        ];
        let mut timeline = Timeline::from_scenario(&scenario);
        let reached = |t: &mut Timeline| -> Vec<(usize, String)> {
            t.take_reached()
                .into_iter()
                .map(|r| (r.index, format!("{}{}", r.output.stdout, r.output.stderr)))
                .collect()
        };
        // The manifests at t = 0 were applied when the timeline opened, before anyone looked.
        assert_eq!(reached(&mut timeline), []);
        timeline.seek(SimTime::from_secs(20));
        assert_eq!(reached(&mut timeline), []);
        timeline.seek(SimTime::from_secs(45));
        assert_eq!(
            reached(&mut timeline),
            [(1, "statefulset.apps/web scaled\n".to_string())]
        );
        timeline.seek(SimTime::from_secs(70));
        let listed = reached(&mut timeline);
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].0, 2);
        assert!(listed[0].1.starts_with("NAME"), "{}", listed[0].1);

        // Back: nothing. Forward again, from a copy taken after both steps: both, as they printed before.
        timeline.seek(SimTime::from_secs(10));
        assert_eq!(reached(&mut timeline), []);
        timeline.seek(SimTime::from_secs(70));
        let again = reached(&mut timeline);
        assert_eq!(again.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(again[0].1, "statefulset.apps/web scaled\n");
        assert_eq!(again[1], listed[0]);

        // A step made now is not reached; on the branch it starts, the clock reaches nothing behind it.
        timeline.seek(SimTime::from_secs(50));
        let _ = reached(&mut timeline);
        timeline.act(Action::Run("kubectl scale sts web --replicas=4".into()));
        assert_eq!(timeline.branches().len(), 2);
        assert_eq!(reached(&mut timeline), []);
        timeline.seek(SimTime::from_secs(55));
        assert_eq!(reached(&mut timeline), []);
    }

    #[test]
    fn copies_beyond_the_budget_are_thinned_and_seeking_stays_exact() {
        let scenario = Scenario::parse(WEB).expect("the example parses");
        let mut straight = Timeline::from_scenario(&scenario);
        straight.seek(SimTime::from_secs(45));
        let at_45 = straight.cluster().store().resource_version();
        let objects_at_45 = straight.cluster().store().len();

        let mut thinned = Timeline::from_scenario(&scenario);
        let per_copy = thinned.cluster().store().len().max(1);
        thinned.snapshot_budget = 8 * objects_at_45.max(per_copy);
        thinned.seek(SimTime::from_secs(300));
        let held: usize = thinned
            .snapshots
            .iter()
            .map(|s| s.cluster.store().len())
            .sum();
        assert!(held <= thinned.snapshot_budget, "{held} objects held");
        assert!(
            thinned.snapshots.len() < 300 / 5,
            "{} copies",
            thinned.snapshots.len()
        );
        assert_eq!(thinned.snapshots[0].cluster.now(), SimTime::ZERO);
        // Spread over the run, none much further from the next than the others.
        let gaps: Vec<u64> = thinned
            .snapshots
            .windows(2)
            .map(|w| w[1].cluster.now().as_millis() - w[0].cluster.now().as_millis())
            .collect();
        let (narrowest, widest) = (gaps.iter().min().unwrap(), gaps.iter().max().unwrap());
        assert!(widest <= &(2 * narrowest), "gaps between copies: {gaps:?}");

        thinned.seek(SimTime::from_secs(45));
        assert_eq!(thinned.cluster().store().resource_version(), at_45);
        assert_eq!(thinned.cluster().store().len(), objects_at_45);
    }
}
