//! `kubectl rollout status|history|undo|restart|pause|resume` for StatefulSets, as kubectl's
//! `StatefulSetStatusViewer`, `StatefulSetHistoryViewer`, `StatefulSetRollbacker` and object restarter do it.
//!
//! `rollout status` does not watch: it prints the status message as of now and exits 0, which is what
//! `kubectl rollout status --watch=false` does. A console command that blocked until the rollout finished
//! would freeze the simulation the user is watching; running the command again shows the next message.

use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use std::collections::BTreeMap;

use super::args::Args;
use super::describe::{describe_pod_template, Doc};
use super::errors;
use super::tabwriter::align;
use super::{fetch, CommandOutput, Context, ResourceType, Targets};
use crate::cluster::Cluster;
use crate::controller::statefulset::utils::{apply_revision, get_patch};
use crate::kubectl::apply::{resource_name, update_object};
use crate::labels::selector_matches;
use crate::object::get_controller_of;

pub const RESTARTED_AT_ANNOTATION: &str = "kubectl.kubernetes.io/restartedAt";
pub const CHANGE_CAUSE_ANNOTATION: &str = "kubernetes.io/change-cause";

pub fn rollout(cluster: &mut Cluster, args: &mut Args, context: &Context) -> CommandOutput {
    if args.positional.is_empty() {
        return CommandOutput::error("error: Required resource not specified.\nSee 'kubectl rollout -h' for help and examples");
    }
    let subcommand = args.positional.remove(0);
    let known: &[&str] = match subcommand.as_str() {
        "status" => &["-w", "--watch", "--timeout", "--revision"],
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
        "status" => only_stateful_sets(kind, "no status viewer has been implemented for", false)
            .and_then(|_| status(cluster, namespace, &name)),
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

/// `StatefulSetStatusViewer.Status`.
fn status(cluster: &Cluster, namespace: &str, name: &str) -> Result<CommandOutput, CommandOutput> {
    let set: StatefulSet = fetch(cluster, namespace, name)?;
    Ok(CommandOutput::ok(status_message(&set)?))
}

pub fn status_message(set: &StatefulSet) -> Result<String, CommandOutput> {
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
        return Ok("Waiting for statefulset spec update to be observed...\n".into());
    }
    let replicas = spec.replicas.unwrap_or(1);
    let ready = status.ready_replicas.unwrap_or(0);
    if ready < replicas {
        return Ok(format!(
            "Waiting for {} pods to be ready...\n",
            replicas - ready
        ));
    }
    let updated = status.updated_replicas.unwrap_or(0);
    if let Some(rolling) = &strategy.rolling_update {
        if let Some(partition) = rolling.partition {
            if updated < replicas - partition {
                return Ok(format!(
                    "Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...\n",
                    replicas - partition
                ));
            }
        }
        return Ok(format!(
            "partitioned roll out complete: {updated} new pods have been updated...\n"
        ));
    }
    let update_revision = status.update_revision.clone().unwrap_or_default();
    let current_revision = status.current_revision.clone().unwrap_or_default();
    if update_revision != current_revision {
        return Ok(format!(
            "waiting for statefulset rolling update to complete {updated} pods at revision {update_revision}...\n"
        ));
    }
    Ok(format!(
        "statefulset rolling update complete {} pods at revision {current_revision}...\n",
        status.current_replicas.unwrap_or(0)
    ))
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
