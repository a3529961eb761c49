//! `kubectl cordon`, `uncordon` and `drain` (`pkg/drain`): drain cordons the node, checks every pod on it
//! against kubectl's filters, evicts the deletable ones and waits, with the simulation running, until each
//! is gone. There are no PodDisruptionBudgets here, so no eviction is refused.

use k8s_openapi::api::core::v1::{Node, Pod};

use super::args::Args;
use super::errors;
use super::{fetch, wait_for, CommandOutput};
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

pub fn drain(cluster: &mut Cluster, args: &Args) -> CommandOutput {
    const FLAGS: &[&str] = &[
        "--ignore-daemonsets",
        "--delete-emptydir-data",
        "--force",
        "--grace-period",
        "--timeout",
    ];
    if let Err(output) = args.reject_unknown("drain", FLAGS) {
        return output;
    }
    let [name] = args.positional.as_slice() else {
        return CommandOutput::error(
            "error: USAGE: drain NODE [flags]\nSee 'kubectl drain -h' for help and examples",
        );
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
            return CommandOutput::error("error: invalid argument for \"--grace-period\" flag")
        }
    };
    let timeout = match args.timeout() {
        Ok(timeout) => timeout.unwrap_or(DEFAULT_WAIT),
        Err(output) => return output,
    };
    let mut output = match set_unschedulable(cluster, name, true) {
        Ok(output) => output,
        Err(output) => return output,
    };
    match evict_all(cluster, name, &flags, grace, timeout, &mut output) {
        Ok(()) => output.say(format!("node/{name} drained")),
        Err(error) => {
            output.fail(format!(
                "error: unable to drain node \"{name}\" due to error: {error}, continuing command..."
            ));
            output.warn(format!("There are pending nodes to be drained:\n {name}"));
            output.fail(format!("error: {error}"));
        }
    }
    output
}

/// Checks every pod on the node, then evicts the deletable ones and waits for each to go.
fn evict_all(
    cluster: &mut Cluster,
    node: &str,
    flags: &DrainFlags,
    grace: Option<i64>,
    timeout: SimTime,
    output: &mut CommandOutput,
) -> Result<(), String> {
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
    wait_for_evictions(cluster, &evict, timeout, output)
}

fn group(groups: &mut Vec<(&'static str, Vec<String>)>, message: &'static str, pod: String) {
    match groups.iter_mut().find(|(m, _)| *m == message) {
        Some((_, pods)) => pods.push(pod),
        None => groups.push((message, vec![pod])),
    }
}

/// Prints `pod/NAME evicted` as each evicted pod (by uid: the StatefulSet may already have made a new one of
/// the same name) disappears.
fn wait_for_evictions(
    cluster: &mut Cluster,
    evicted: &[&Pod],
    timeout: SimTime,
    output: &mut CommandOutput,
) -> Result<(), String> {
    let deadline = cluster.now().plus_millis(timeout.0);
    let mut remaining: Vec<&Pod> = evicted.to_vec();
    while !remaining.is_empty() {
        let gone = |cluster: &Cluster, pod: &Pod| {
            cluster
                .store()
                .get::<Pod>(&ObjectKey::of(&pod.metadata))
                .is_none_or(|p| p.metadata.uid != pod.metadata.uid)
        };
        let progressed = wait_for(cluster, deadline, |c| remaining.iter().any(|p| gone(c, p)));
        if !progressed {
            return Err(format!(
                "global timeout reached: {}",
                crate::time::human_duration(timeout.0)
            ));
        }
        remaining.retain(|pod| {
            if gone(cluster, pod) {
                output.say(format!(
                    "pod/{} evicted",
                    pod.metadata.name.clone().unwrap_or_default()
                ));
                false
            } else {
                true
            }
        });
    }
    Ok(())
}
