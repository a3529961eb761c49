//! `kubectl cordon`, `uncordon` and `drain` (`pkg/drain`): drain cordons the node, checks every pod on it
//! against kubectl's filters, evicts the deletable ones, and goes on running while the cluster does, saying
//! `pod/NAME evicted` as each goes, until all have (or `--timeout` passes, or Ctrl-C). There are no
//! PodDisruptionBudgets here, so no eviction is refused.

use k8s_openapi::api::core::v1::{Node, Pod};

use super::args::Args;
use super::errors;
use super::{fetch, CommandOutput, Started, Waiting};
use crate::api::delete_options::DeleteOptions;
use crate::cluster::Cluster;
use crate::kubectl::apply::update_object;
use crate::object::{get_controller_of, ObjectKey};
use crate::time::SimTime;

/// How long drain waits for evicted pods before giving up, when `--timeout` does not say.
const DEFAULT_WAIT: SimTime = SimTime(3_600_000);

pub fn cordon(cluster: &mut Cluster, args: &Args, on: bool) -> CommandOutput {
    let command = if on { "cordon" } else { "uncordon" };
    if let Err(output) = args.reject_unknown(command, &[]) {
        return output;
    }
    let [name] = args.positional.as_slice() else {
        return CommandOutput::error(format!(
            "error: USAGE: {command} NODE [flags]\nSee 'kubectl {command} -h' for help and examples"
        ));
    };
    set_unschedulable(cluster, name, on).unwrap_or_else(|output| output)
}

/// Sets `spec.unschedulable`, printing `node/N cordoned` or `node/N already cordoned`.
fn set_unschedulable(
    cluster: &mut Cluster,
    name: &str,
    on: bool,
) -> Result<CommandOutput, CommandOutput> {
    let node: Node = fetch(cluster, "", name)?;
    let verb = if on { "cordoned" } else { "uncordoned" };
    let current = node
        .spec
        .as_ref()
        .and_then(|s| s.unschedulable)
        .unwrap_or(false);
    if current == on {
        return Ok(CommandOutput::ok(format!("node/{name} already {verb}\n")));
    }
    let mut changed = node;
    changed
        .spec
        .get_or_insert_with(Default::default)
        .unschedulable = on.then_some(true);
    cluster
        .with_store(|store| update_object(store, changed))
        .map_err(|error| CommandOutput::error(errors::from_server(&error)))?;
    Ok(CommandOutput::ok(format!("node/{name} {verb}\n")))
}

/// What kubectl's drain filters decided about one pod.
enum Verdict {
    Evict,
    /// Evicted, with a warning naming it.
    EvictWithWarning(&'static str),
    /// Left alone, with a warning naming it.
    Skip(&'static str),
    /// Blocks the drain.
    Refuse(&'static str),
}

struct DrainFlags {
    ignore_daemonsets: bool,
    delete_emptydir_data: bool,
    force: bool,
}

/// `daemonSetFilter`, `localStorageFilter` and `unreplicatedFilter`, in drain's order.
fn verdict(pod: &Pod, flags: &DrainFlags) -> Verdict {
    let finished = matches!(
        pod.status.as_ref().and_then(|s| s.phase.as_deref()),
        Some("Succeeded" | "Failed")
    );
    let controller = get_controller_of(&pod.metadata);
    if controller.is_some_and(|c| c.kind == "DaemonSet") {
        return if flags.ignore_daemonsets {
            Verdict::Skip("ignoring DaemonSet-managed Pods")
        } else {
            Verdict::Refuse("DaemonSet-managed Pods (use --ignore-daemonsets to ignore)")
        };
    }
    let local_storage = pod
        .spec
        .as_ref()
        .and_then(|s| s.volumes.as_ref())
        .is_some_and(|v| v.iter().any(|v| v.empty_dir.is_some()));
    if local_storage && !finished && !flags.delete_emptydir_data {
        return Verdict::Refuse("Pods with local storage (use --delete-emptydir-data to override)");
    }
    if controller.is_none() && !finished {
        return if flags.force {
            Verdict::EvictWithWarning("deleting Pods that declare no controller")
        } else {
            Verdict::Refuse("Pods that declare no controller (use --force to override)")
        };
    }
    if local_storage && !finished {
        return Verdict::EvictWithWarning("deleting Pods with local storage");
    }
    Verdict::Evict
}

pub fn drain(cluster: &mut Cluster, args: &Args) -> Started {
    match start_drain(cluster, args) {
        Ok(started) => started,
        Err(output) => Started::Done(output),
    }
}

fn start_drain(cluster: &mut Cluster, args: &Args) -> Result<Started, CommandOutput> {
    const FLAGS: &[&str] = &[
        "--ignore-daemonsets",
        "--delete-emptydir-data",
        "--force",
        "--grace-period",
        "--timeout",
    ];
    args.reject_unknown("drain", FLAGS)?;
    let [name] = args.positional.as_slice() else {
        return Err(CommandOutput::error(
            "error: USAGE: drain NODE [flags]\nSee 'kubectl drain -h' for help and examples",
        ));
    };
    let flags = DrainFlags {
        ignore_daemonsets: args.has(&["--ignore-daemonsets"]),
        delete_emptydir_data: args.has(&["--delete-emptydir-data"]),
        force: args.has(&["--force"]),
    };
    let grace = match args
        .value(&["--grace-period"])
        .map(str::parse::<i64>)
        .transpose()
    {
        Ok(grace) => grace.filter(|g| *g >= 0),
        Err(_) => {
            return Err(CommandOutput::error(
                "error: invalid argument for \"--grace-period\" flag",
            ))
        }
    };
    let timeout = args.timeout()?.unwrap_or(DEFAULT_WAIT);
    let mut output = set_unschedulable(cluster, name, true)?;
    let mut wait = DrainWait {
        node: name.clone(),
        remaining: Vec::new(),
        timeout,
        deadline: cluster.now().plus_millis(timeout.0),
    };
    match evict_all(cluster, name, &flags, grace, &mut output) {
        Ok(evicted) => wait.remaining = evicted,
        Err(error) => {
            wait.fail(&error, &mut output);
            return Ok(Started::Done(output));
        }
    }
    Ok(match wait.poll(cluster, &mut output) {
        Some(_) => Started::Done(output),
        None => Started::Waiting(output, Waiting::Drain(wait)),
    })
}

/// An evicted pod drain waits to see gone: by uid, since the StatefulSet may already have made a new one of
/// the same name.
#[derive(Clone, Debug)]
struct Evicted {
    key: ObjectKey,
    uid: Option<String>,
}

/// `drain` waiting for what it evicted to go, saying `pod/NAME evicted` as each does.
#[derive(Clone, Debug)]
pub struct DrainWait {
    node: String,
    remaining: Vec<Evicted>,
    timeout: SimTime,
    deadline: SimTime,
}

impl DrainWait {
    /// Its exit code once every evicted pod is gone (0, the node drained) or the timeout has passed (1).
    pub fn poll(&mut self, cluster: &Cluster, output: &mut CommandOutput) -> Option<i32> {
        self.remaining.retain(|pod| {
            let gone = cluster
                .store()
                .get::<Pod>(&pod.key)
                .is_none_or(|p| p.metadata.uid != pod.uid);
            if gone {
                output.say(format!("pod/{} evicted", pod.key.name));
            }
            !gone
        });
        if self.remaining.is_empty() {
            output.say(format!("node/{} drained", self.node));
            return Some(output.exit_code);
        }
        if cluster.now() >= self.deadline {
            let error = format!(
                "global timeout reached: {}",
                crate::time::human_duration(self.timeout.0)
            );
            self.fail(&error, output);
            return Some(1);
        }
        None
    }

    pub fn wake(&self) -> Option<SimTime> {
        Some(self.deadline)
    }

    /// kubectl's words for a drain that failed.
    fn fail(&self, error: &str, output: &mut CommandOutput) {
        let name = &self.node;
        output.fail(format!(
            "error: unable to drain node \"{name}\" due to error: {error}, continuing command..."
        ));
        output.warn(format!("There are pending nodes to be drained:\n {name}"));
        output.fail(format!("error: {error}"));
    }
}

/// Checks every pod on the node, then evicts the deletable ones: those to wait for.
fn evict_all(
    cluster: &mut Cluster,
    node: &str,
    flags: &DrainFlags,
    grace: Option<i64>,
    output: &mut CommandOutput,
) -> Result<Vec<Evicted>, String> {
    let pods: Vec<Pod> = cluster
        .store()
        .list::<Pod>()
        .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node))
        .cloned()
        .collect();
    let mut refused: Vec<(&str, Vec<String>)> = Vec::new();
    let mut warnings: Vec<(&str, Vec<String>)> = Vec::new();
    let mut evict = Vec::new();
    for pod in &pods {
        let id = format!(
            "{}/{}",
            pod.metadata.namespace.clone().unwrap_or_default(),
            pod.metadata.name.clone().unwrap_or_default()
        );
        match verdict(pod, flags) {
            Verdict::Evict => evict.push(pod),
            Verdict::EvictWithWarning(message) => {
                group(&mut warnings, message, id);
                evict.push(pod);
            }
            Verdict::Skip(message) => group(&mut warnings, message, id),
            Verdict::Refuse(message) => group(&mut refused, message, id),
        }
    }
    if !refused.is_empty() {
        let errors: Vec<String> = refused
            .iter()
            .map(|(message, pods)| format!("cannot delete {message}: {}", pods.join(", ")))
            .collect();
        return Err(match errors.as_slice() {
            [only] => only.clone(),
            _ => format!("[{}]", errors.join(", ")),
        });
    }
    if !warnings.is_empty() {
        let text: Vec<String> = warnings
            .iter()
            .map(|(message, pods)| format!("{message}: {}", pods.join(", ")))
            .collect();
        output.warn(format!("Warning: {}", text.join("; ")));
    }
    let options = DeleteOptions {
        grace_period_seconds: grace,
        ..DeleteOptions::default()
    };
    for pod in &evict {
        output.say(format!(
            "evicting pod {}/{}",
            pod.metadata.namespace.clone().unwrap_or_default(),
            pod.metadata.name.clone().unwrap_or_default()
        ));
        let key = ObjectKey::of(&pod.metadata);
        cluster.with_store(|store| {
            // A pod that is already gone counts as evicted, as a NotFound from the eviction API does.
            let _ = store.delete::<Pod>(&key, options);
        });
    }
    Ok(evict
        .iter()
        .map(|pod| Evicted {
            key: ObjectKey::of(&pod.metadata),
            uid: pod.metadata.uid.clone(),
        })
        .collect())
}

fn group(groups: &mut Vec<(&'static str, Vec<String>)>, message: &'static str, pod: String) {
    match groups.iter_mut().find(|(m, _)| *m == message) {
        Some((_, pods)) => pods.push(pod),
        None => groups.push((message, vec![pod])),
    }
}
