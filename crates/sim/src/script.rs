//! The one way a script's interventions are carried out, shared by `ordinal run` (`Scenario::run`) and the
//! page's timeline (`Timeline`), so that both give the same cluster at every instant: each step at its `at`,
//! or, when the one before it waited past that (`run -i`, `drain`), as soon as that one returned, because a
//! command can only be typed once the one before it is back.

use crate::cluster::Cluster;
use crate::fault::Fault;
use crate::kubectl::{self, CommandOutput};
use crate::terminal::{self, Ran};
use crate::time::SimTime;

/// An intervention at an instant: what a scenario's `steps` hold and the timeline's branches record.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub at: SimTime,
    pub action: Action,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A command line typed into the terminal's shell: kubectl, loops, pipes.
    Run(String),
    /// A manifest applied like `kubectl apply -f -`.
    Apply(String),
    /// A fault injected into the cluster.
    Inject(Fault),
}

impl Action {
    /// The command line the step stands for, as COMMAND records name it: `inject not-ready pod/web-1` for a
    /// fault.
    pub fn command(&self) -> String {
        match self {
            Action::Run(line) => line.clone(),
            Action::Apply(_) => "kubectl apply -f -".into(),
            Action::Inject(fault) => fault.to_string(),
        }
    }

    /// Carries the action out at the cluster's current instant. A command line that waits lets the cluster
    /// run, and is interrupted at `deadline` if it is still running then.
    pub fn execute(&self, cluster: &mut Cluster, deadline: SimTime) -> Ran {
        let output = match self {
            Action::Run(line) => return terminal::run_line(cluster, MAIN_TERMINAL, line, deadline),
            Action::Apply(manifest) => kubectl::run(cluster, "kubectl apply -f -", manifest),
            Action::Inject(fault) => match cluster.inject(fault.clone()) {
                Ok(()) => CommandOutput::default(),
                Err(error) => CommandOutput {
                    exit_code: 1,
                    stdout: String::new(),
                    stderr: format!("error: {error}\n"),
                },
            },
        };
        Ran {
            output,
            printed: Vec::new(),
        }
    }
}

/// The terminal steps type into.
pub const MAIN_TERMINAL: &str = "";

/// What a run reports to whoever watches it, and where it must stop on its way.
pub(crate) trait Watcher {
    /// When a command still running is interrupted: a scenario's `until`.
    fn deadline(&self) -> SimTime {
        SimTime::END
    }

    /// An instant after `now` to stop at on the way, if any: the timeline copies its cluster at such stops.
    fn stop_after(&mut self, _now: SimTime) -> Option<SimTime> {
        None
    }

    /// Whether to hear of the cluster after every instant at which something happened, rather than at stops
    /// only: `ordinal run` streams the watch events as they come instead of holding them.
    fn every_instant(&self) -> bool {
        false
    }

    /// The cluster ran up to its current instant, before any step due at it.
    fn ran(&mut self, _cluster: &mut Cluster) {}

    /// Step `index` was carried out at `issued` and printed what `ran` holds.
    fn carried_out(
        &mut self,
        cluster: &mut Cluster,
        index: usize,
        issued: SimTime,
        step: &Step,
        ran: Ran,
    );

    /// The run reached `target` (a step's instant, `stop_after`'s, or the end) and carried out the steps due
    /// by then.
    fn stopped(&mut self, _cluster: &mut Cluster, _target: SimTime) {}
}

/// Runs the cluster to `to`, carrying out the steps from `steps[*executed]` whose instants are not after
/// `to`. A step that waits may take the clock past `to`; the steps due by `to` are still carried out after it,
/// and those after `to` are left for the next run, which the clock has then already reached.
pub(crate) fn run(
    cluster: &mut Cluster,
    steps: &[Step],
    executed: &mut usize,
    to: SimTime,
    watcher: &mut impl Watcher,
) {
    let due = |executed: usize| steps.get(executed).filter(|s| s.at <= to);
    loop {
        let now = cluster.now();
        let until = due(*executed).map_or(to, |s| s.at).max(now);
        let target = watcher
            .stop_after(now)
            .map_or(until, |stop| stop.min(until));
        run_until(cluster, target, watcher);
        while let Some(step) = due(*executed).filter(|s| s.at <= cluster.now()) {
            let issued = cluster.now();
            let ran = step.action.execute(cluster, watcher.deadline());
            watcher.carried_out(cluster, *executed, issued, step, ran);
            *executed += 1;
        }
        watcher.stopped(cluster, target);
        if due(*executed).is_none() && cluster.now() >= to {
            break;
        }
    }
}

fn run_until(cluster: &mut Cluster, until: SimTime, watcher: &mut impl Watcher) {
    if watcher.every_instant() {
        while let Some(at) = cluster.next_event_at().filter(|at| *at <= until) {
            cluster.run_until(at);
            watcher.ran(cluster);
        }
    }
    cluster.run_until(until);
    watcher.ran(cluster);
}
