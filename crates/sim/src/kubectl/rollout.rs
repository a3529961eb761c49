//! `kubectl rollout status|history|undo|restart|pause|resume` for StatefulSets, as kubectl's
//! `StatefulSetStatusViewer`, `StatefulSetHistoryViewer`, `StatefulSetRollbacker` and object restarter do it.
//!
//! `rollout status` watches, as kubectl does: it prints the status message as of now and then again at
//! every change of the set, until the rollout is done (exit 0), the set is deleted, `--timeout` passes, or it is
//! interrupted. `--watch=false` prints the message once.

use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use std::collections::BTreeMap;

use super::args::Args;
use super::describe::{describe_pod_template, Doc};
use super::errors;
use super::tabwriter::align;
use super::{fetch, CommandOutput, Context, ResourceType, Started, Targets, Waiting};
use crate::cluster::Cluster;
use crate::controller::statefulset::utils::{apply_revision, get_patch};
use crate::kubectl::apply::{resource_name, update_object};
use crate::labels::selector_matches;
use crate::object::get_controller_of;
use crate::object::{Object, ObjectKey};
use crate::shell::Stream;
use crate::store::WatchEventType;
use crate::time::SimTime;

pub const RESTARTED_AT_ANNOTATION: &str = "kubectl.kubernetes.io/restartedAt";
pub const CHANGE_CAUSE_ANNOTATION: &str = "kubernetes.io/change-cause";

pub fn rollout(cluster: &mut Cluster, args: &mut Args, context: &Context) -> Started {
    if args.positional.first().map(String::as_str) == Some("status") {
        return match start_status(cluster, args, context) {
            Ok(started) => started,
            Err(output) => Started::Done(output),
        };
    }
    Started::Done(act(cluster, args, context))
}

/// The subcommands that act at once: every one but `status`.
fn act(cluster: &mut Cluster, args: &mut Args, context: &Context) -> CommandOutput {
    if args.positional.is_empty() {
        return CommandOutput::error("error: Required resource not specified.\nSee 'kubectl rollout -h' for help and examples");
    }
    let subcommand = args.positional.remove(0);
    let known: &[&str] = match subcommand.as_str() {
        "history" => &["--revision"],
        "undo" => &["--to-revision"],
        "restart" | "pause" | "resume" => &[],
        other => {
            return CommandOutput::error(format!(
                "error: unknown command \"{other}\"\nSee 'kubectl rollout -h' for help and examples"
            ))
        }
    };
    if let Err(output) = args.reject_unknown(&format!("rollout {subcommand}"), known) {
        return output;
    }
    if args.positional.is_empty() {
        return CommandOutput::error("error: required resource not specified");
    }
    let (kind, name) = match Targets::single(&args.positional) {
        Ok(target) => target,
        Err(output) => return output,
    };
    let namespace = context.namespace;
    match subcommand.as_str() {
        "history" => only_stateful_sets(kind, "no history viewer has been implemented for", true)
            .and_then(|_| history(cluster, namespace, &name, args)),
        "undo" => only_stateful_sets(kind, "no rollbacker has been implemented for", true)
            .and_then(|_| undo(cluster, namespace, &name, args)),
        "restart" => refuse_other_kinds(kind, &name, "restarting")
            .and_then(|_| restart(cluster, namespace, &name)),
        verb => {
            let action = if verb == "pause" {
                "pausing"
            } else {
                "resuming"
            };
            Err(CommandOutput::error(format!(
                "error: {} \"{name}\" {action} is not supported",
                kind.resource()
            )))
        }
    }
    .unwrap_or_else(|output| output)
}

/// kubectl's group-kind as its viewers name it in errors: `Pod`, `StatefulSet.apps`.
fn group_kind(kind: ResourceType) -> String {
    match kind.resource().split_once('.') {
        Some((_, group)) => format!("{}.{group}", kind.kind()),
        None => kind.kind().to_string(),
    }
}

/// Only StatefulSets have a viewer here (Deployments and DaemonSets are not simulated).
fn only_stateful_sets(
    kind: ResourceType,
    message: &str,
    quoted: bool,
) -> Result<(), CommandOutput> {
    if kind == ResourceType::StatefulSets {
        return Ok(());
    }
    let name = group_kind(kind);
    let name = if quoted {
        format!("\"{name}\"")
    } else {
        name.to_string()
    };
    Err(CommandOutput::error(format!("error: {message} {name}")))
}

fn refuse_other_kinds(kind: ResourceType, name: &str, action: &str) -> Result<(), CommandOutput> {
    if kind == ResourceType::StatefulSets {
        return Ok(());
    }
    Err(CommandOutput::error(format!(
        "error: {} \"{name}\" {action} is not supported",
        kind.resource()
    )))
}

/// `rollout status`: the message as of now, and unless `--watch=false` or the rollout is done, a watch that
/// prints it again at every change of the set.
fn start_status(
    cluster: &mut Cluster,
    args: &mut Args,
    context: &Context,
) -> Result<Started, CommandOutput> {
    args.positional.remove(0);
    args.reject_unknown(
        "rollout status",
        &["-w", "--watch", "--timeout", "--revision"],
    )?;
    if args.positional.is_empty() {
        return Err(CommandOutput::error(
            "error: required resource not specified",
        ));
    }
    let (kind, name) = Targets::single(&args.positional)?;
    only_stateful_sets(kind, "no status viewer has been implemented for", false)?;
    let timeout = args.timeout()?;
    let watch = args.value(&["-w", "--watch"]) != Some("false");
    let set: StatefulSet = fetch(cluster, context.namespace, &name)?;
    let (message, done) = status_message(&set)?;
    let output = CommandOutput::ok(message);
    if done || !watch {
        return Ok(Started::Done(output));
    }
    let status = StatusWatch {
        watch: cluster.open_watch("StatefulSet"),
        key: ObjectKey::of(&set.metadata),
        deadline: timeout.map(|t| cluster.now().plus_millis(t.as_millis())),
    };
    Ok(Started::Waiting(output, Waiting::RolloutStatus(status)))
}

/// A `rollout status` watching its set.
#[derive(Clone, Debug)]
pub struct StatusWatch {
    watch: u64,
    key: ObjectKey,
    /// `--timeout`: when it gives up.
    deadline: Option<SimTime>,
}

impl StatusWatch {
    /// The message again for every change of the set; the exit code once the rollout is done (0), the set
    /// is gone or the status cannot be read (1), or the timeout has passed (1).
    pub fn poll(&mut self, cluster: &mut Cluster, output: &mut CommandOutput) -> Option<i32> {
        for event in cluster.take_watched(self.watch) {
            if ObjectKey::of(event.object.metadata()) != self.key {
                continue;
            }
            let Object::StatefulSet(set) = &event.object else {
                continue;
            };
            if event.event_type == WatchEventType::Deleted {
                output.fail("error: object has been deleted");
                return self.end(cluster, 1);
            }
            match status_message(set) {
                Ok((message, done)) => {
                    output.write(Stream::Stdout, &message);
                    if done {
                        return self.end(cluster, 0);
                    }
                }
                Err(refusal) => {
                    output.extend(refusal);
                    return self.end(cluster, 1);
                }
            }
        }
        if self.deadline.is_some_and(|at| cluster.now() >= at) {
            output.fail("error: timed out waiting for the condition");
            return self.end(cluster, 1);
        }
        None
    }

    /// When it gives up if nothing changes before.
    pub fn wake(&self) -> Option<SimTime> {
        self.deadline
    }

    pub fn stop(&mut self, cluster: &mut Cluster) {
        cluster.close_watch(self.watch);
    }

    fn end(&mut self, cluster: &mut Cluster, code: i32) -> Option<i32> {
        self.stop(cluster);
        Some(code)
    }
}

/// `StatefulSetStatusViewer.Status`: the message, and whether the rollout is done.
pub fn status_message(set: &StatefulSet) -> Result<(String, bool), CommandOutput> {
    let spec = set.spec.clone().unwrap_or_default();
    let status = set.status.clone().unwrap_or_default();
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    if strategy.type_.as_deref() != Some("RollingUpdate") {
        return Err(CommandOutput::error(
            "error: rollout status is only available for RollingUpdate strategy type",
        ));
    }
    let observed = status.observed_generation.unwrap_or(0);
    if observed == 0 || set.metadata.generation.unwrap_or(0) > observed {
        return Ok((
            "Waiting for statefulset spec update to be observed...\n".into(),
            false,
        ));
    }
    let replicas = spec.replicas.unwrap_or(1);
    let ready = status.ready_replicas.unwrap_or(0);
    if ready < replicas {
        let message = format!("Waiting for {} pods to be ready...\n", replicas - ready);
        return Ok((message, false));
    }
    let updated = status.updated_replicas.unwrap_or(0);
    if let Some(rolling) = &strategy.rolling_update {
        if let Some(partition) = rolling.partition {
            if updated < replicas - partition {
                let message = format!(
                    "Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...\n",
                    replicas - partition
                );
                return Ok((message, false));
            }
        }
        let message =
            format!("partitioned roll out complete: {updated} new pods have been updated...\n");
        return Ok((message, true));
    }
    let update_revision = status.update_revision.clone().unwrap_or_default();
    let current_revision = status.current_revision.clone().unwrap_or_default();
    if update_revision != current_revision {
        let message = format!(
            "waiting for statefulset rolling update to complete {updated} pods at revision {update_revision}...\n"
        );
        return Ok((message, false));
    }
    let message = format!(
        "statefulset rolling update complete {} pods at revision {current_revision}...\n",
        status.current_replicas.unwrap_or(0)
    );
    Ok((message, true))
}

/// `controlledHistoryV1`: the revisions that match the set's selector and that the set controls.
fn revisions_of(cluster: &Cluster, set: &StatefulSet) -> Vec<ControllerRevision> {
    let namespace = set.metadata.namespace.clone().unwrap_or_default();
    let selector = set.spec.clone().unwrap_or_default().selector;
    let mut revisions: Vec<ControllerRevision> = cluster
        .store()
        .list_namespace::<ControllerRevision>(&namespace)
        .filter(|r| {
            selector_matches(&selector, &r.metadata.labels.clone().unwrap_or_default())
                && get_controller_of(&r.metadata)
                    .is_some_and(|o| Some(&o.uid) == set.metadata.uid.as_ref())
        })
        .cloned()
        .collect();
    crate::sort::sort_by_key(&mut revisions, |r| r.revision);
    revisions
}

fn parse_revision(args: &Args, flag: &str) -> Result<i64, CommandOutput> {
    let Some(text) = args.value(&[flag]) else {
        return Ok(0);
    };
    text.parse::<i64>().map_err(|_| {
        CommandOutput::error(format!(
            "error: invalid argument \"{text}\" for \"{flag}\" flag: strconv.ParseInt: parsing \"{text}\": invalid syntax"
        ))
    })
}

/// `rollout history`: the name printer's line with the history as its "operation".
fn history(
    cluster: &Cluster,
    namespace: &str,
    name: &str,
    args: &Args,
) -> Result<CommandOutput, CommandOutput> {
    let revision = parse_revision(args, "--revision")?;
    if revision < 0 {
        return Err(CommandOutput::error(format!(
            "error: revision must be a positive integer: {revision}"
        )));
    }
    let set: StatefulSet = fetch(cluster, namespace, name)?;
    let revisions = revisions_of(cluster, &set);
    let by_number: BTreeMap<i64, &ControllerRevision> =
        revisions.iter().map(|r| (r.revision, r)).collect();
    let info = if by_number.is_empty() {
        "No rollout history found.".to_string()
    } else if revision > 0 {
        let Some(chosen) = by_number.get(&revision) else {
            return Err(CommandOutput::error(
                "error: unable to find the specified revision",
            ));
        };
        let mut doc = Doc::default();
        let applied = apply_revision(&set, chosen).spec.unwrap_or_default();
        describe_pod_template(&mut doc, &applied.template);
        doc.raw()
    } else {
        let mut table = String::from("REVISION\tCHANGE-CAUSE\n");
        for (number, revision) in &by_number {
            let cause = revision
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(CHANGE_CAUSE_ANNOTATION))
                .filter(|c| !c.is_empty())
                .map_or("<none>", String::as_str);
            table.push_str(&format!("{number}\t{cause}\n"));
        }
        align(&table)
    };
    let with_revision = if revision > 0 {
        format!("with revision #{revision}")
    } else {
        String::new()
    };
    Ok(CommandOutput::ok(format!(
        "{} {with_revision}\n{info}\n",
        resource_name::<StatefulSet>(name)
    )))
}

/// `StatefulSetRollbacker.Rollback`: the revision's template goes back into the set.
fn undo(
    cluster: &mut Cluster,
    namespace: &str,
    name: &str,
    args: &Args,
) -> Result<CommandOutput, CommandOutput> {
    let to_revision = parse_revision(args, "--to-revision")?;
    if to_revision < 0 {
        return Err(CommandOutput::error(format!(
            "error: unable to find specified revision {to_revision} in history"
        )));
    }
    let set: StatefulSet = fetch(cluster, namespace, name)?;
    let revisions = revisions_of(cluster, &set);
    if to_revision == 0 && revisions.len() <= 1 {
        return Err(CommandOutput::error(
            "error: no last revision to roll back to",
        ));
    }
    let target = if to_revision == 0 {
        revisions.get(revisions.len() - 2)
    } else {
        revisions.iter().find(|r| r.revision == to_revision)
    };
    let Some(target) = target else {
        return Err(CommandOutput::error(format!(
            "error: unable to find specified revision {to_revision} in history"
        )));
    };
    let printed = resource_name::<StatefulSet>(name);
    if target.data.as_ref().map(|d| &d.0) == Some(&get_patch(&set)) {
        return Ok(CommandOutput::ok(format!(
            "{printed} skipped rollback (current template already matches revision {to_revision})\n"
        )));
    }
    let rolled_back = apply_revision(&set, target);
    cluster
        .with_store(|store| update_object(store, rolled_back))
        .map_err(|error| {
            CommandOutput::error(format!(
                "error: failed restoring revision {to_revision}: {}",
                errors::from_server(&error)
            ))
        })?;
    Ok(CommandOutput::ok(format!("{printed} rolled back\n")))
}

/// The object restarter: the template annotation `kubectl.kubernetes.io/restartedAt` set to now.
fn restart(
    cluster: &mut Cluster,
    namespace: &str,
    name: &str,
) -> Result<CommandOutput, CommandOutput> {
    let set: StatefulSet = fetch(cluster, namespace, name)?;
    let now = cluster.now().to_k8s().0.to_string();
    let mut restarted = set.clone();
    let template_meta = restarted
        .spec
        .get_or_insert_with(Default::default)
        .template
        .metadata
        .get_or_insert_with(Default::default);
    template_meta
        .annotations
        .get_or_insert_with(BTreeMap::new)
        .insert(RESTARTED_AT_ANNOTATION.into(), now);
    if restarted == set {
        // kubectl computes an empty patch when the annotation already holds this second.
        return Err(CommandOutput::error(format!(
            "error: failed to create patch for {name}: if restart has already been triggered within the past second, please wait before attempting to trigger another"
        )));
    }
    cluster
        .with_store(|store| update_object(store, restarted))
        .map_err(|error| CommandOutput::error(errors::from_server(&error)))?;
    Ok(CommandOutput::ok(format!(
        "{} restarted\n",
        resource_name::<StatefulSet>(name)
    )))
}
