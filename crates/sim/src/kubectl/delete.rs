//! `kubectl delete` with `--grace-period`, `--force` and `--cascade=background|foreground|orphan`. As
//! kubectl does, it prints each deletion as it is made and then waits until the objects are gone (a pod's
//! grace period, a finalizer), unless `--wait=false`; `--timeout` bounds the wait (a week when 0, as kubectl
//! sets it).

use super::args::Args;
use super::{
    key_of, resource_type, CommandOutput, Context, KindVisitor, ResourceType, Started, Targets,
    Waiting, WAIT_A_WEEK,
};
use crate::api::delete_options::{DeleteOptions, PropagationPolicy};
use crate::api::printers::Printable;
use crate::cluster::Cluster;
use crate::object::{ApiObject, ObjectKey};
use crate::store::ApiError;
use crate::time::SimTime;

const FLAGS: &[&str] = &[
    "--grace-period",
    "--force",
    "--cascade",
    "-l",
    "--selector",
    "--all",
    "--wait",
    "--timeout",
];

pub fn delete(cluster: &mut Cluster, args: &Args, context: &Context) -> Started {
    match delete_and_wait(cluster, args, context) {
        Ok(started) => started,
        Err(output) => Started::Done(output),
    }
}

fn delete_and_wait(
    cluster: &mut Cluster,
    args: &Args,
    context: &Context,
) -> Result<Started, CommandOutput> {
    args.reject_unknown("delete", FLAGS)?;
    let mut output = CommandOutput::default();
    let options = delete_options(args, &mut output)?;
    let timeout = args.timeout()?.unwrap_or(WAIT_A_WEEK);
    let wait = args.value(&["--wait"]) != Some("false");
    let missing = "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'";
    let mut targets = Targets::parse_required(&args.positional, missing)?;
    if targets.select(cluster, args, context.namespace)? {
        return Ok(Started::Done(CommandOutput::ok("No resources found\n")));
    }
    if options.grace_period_seconds == Some(0) {
        output.warn("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.");
    }
    let mut deleted = Vec::new();
    for (kind, names) in targets.groups {
        for name in names {
            let deleting = Deleting {
                cluster,
                namespace: context.namespace,
                name: &name,
                options,
            };
            match kind.visit(deleting) {
                Ok((line, gone)) => {
                    output.say(line);
                    deleted.push(gone);
                }
                Err(line) => output.fail(line),
            }
        }
    }
    let mut waiting = DeleteWait {
        objects: deleted,
        deadline: cluster.now().plus_millis(timeout.as_millis()),
    };
    if !wait || waiting.poll(cluster, &mut output).is_some() {
        return Ok(Started::Done(output));
    }
    Ok(Started::Waiting(output, Waiting::Delete(waiting)))
}

/// A deleted object kubectl waits to see gone: by uid, since a StatefulSet makes a new pod of the same name.
#[derive(Clone, Debug)]
struct Deleted {
    kind: ResourceType,
    key: ObjectKey,
    uid: Option<String>,
}

/// `kubectl delete` waiting for what it deleted to be gone: `cmdwait.IsDeleted` over the deleted objects.
#[derive(Clone, Debug)]
pub struct DeleteWait {
    objects: Vec<Deleted>,
    deadline: SimTime,
}

impl DeleteWait {
    /// The exit code once every object is gone (that of the deletions, kept in `output`), or once the
    /// timeout has passed (1).
    pub fn poll(&mut self, cluster: &mut Cluster, output: &mut CommandOutput) -> Option<i32> {
        self.objects
            .retain(|object| object.kind.visit(Present { cluster, object }));
        let Some(first) = self.objects.first() else {
            return Some(output.exit_code);
        };
        if cluster.now() >= self.deadline {
            output.fail(format!(
                "error: timed out waiting for the condition on {}/{}",
                first.kind.resource(),
                first.key.name
            ));
            return Some(1);
        }
        None
    }

    /// When it gives up if the objects are not gone before.
    pub fn wake(&self) -> Option<SimTime> {
        Some(self.deadline)
    }
}

/// Whether the deleted object is still there: the same object, not a new one of the same name.
struct Present<'a> {
    cluster: &'a Cluster,
    object: &'a Deleted,
}

impl KindVisitor for Present<'_> {
    type Output = bool;

    fn visit<T: Printable>(self) -> bool {
        self.cluster
            .store()
            .get::<T>(&self.object.key)
            .is_some_and(|o| o.metadata().uid == self.object.uid)
    }
}

/// The grace period and propagation policy the flags ask for, with kubectl's flag checks and warnings.
fn delete_options(args: &Args, output: &mut CommandOutput) -> Result<DeleteOptions, CommandOutput> {
    let grace = args.integer("delete", "--grace-period")?;
    let force = args.has(&["--force"]);
    if force && grace.is_some_and(|g| g > 0) {
        return Err(CommandOutput::error(
            "error: --force and --grace-period greater than 0 cannot be specified together",
        ));
    }
    // kubectl turns --grace-period=0 into 1 unless --force says immediate deletion is meant.
    let grace_period_seconds = match grace.filter(|g| *g >= 0) {
        _ if force => Some(0),
        Some(0) => Some(1),
        other => other,
    };
    let propagation_policy = match args.value(&["--cascade"]) {
        None => Some(PropagationPolicy::Background),
        Some(text) => Some(cascade(text, output)?),
    };
    Ok(DeleteOptions {
        grace_period_seconds,
        propagation_policy,
    })
}

/// `--cascade`, including the deprecated booleans.
fn cascade(text: &str, output: &mut CommandOutput) -> Result<PropagationPolicy, CommandOutput> {
    match text {
        "background" => Ok(PropagationPolicy::Background),
        "foreground" => Ok(PropagationPolicy::Foreground),
        "orphan" => Ok(PropagationPolicy::Orphan),
        "true" => {
            output.warn("warning: --cascade=true is deprecated (boolean value) and can be replaced with --cascade=background.");
            Ok(PropagationPolicy::Background)
        }
        "false" => {
            output.warn("warning: --cascade=false is deprecated (boolean value) and can be replaced with --cascade=orphan.");
            Ok(PropagationPolicy::Orphan)
        }
        other => Err(CommandOutput::error(format!(
            "error: invalid cascade value ({other}). Must be \"background\", \"foreground\", or \"orphan\""
        ))),
    }
}

struct Deleting<'a> {
    cluster: &'a mut Cluster,
    namespace: &'a str,
    name: &'a str,
    options: DeleteOptions,
}

impl KindVisitor for Deleting<'_> {
    /// The line kubectl prints, `pod "web-0" deleted`, and the object to wait for; or the error.
    type Output = Result<(String, Deleted), String>;

    fn visit<T: Printable>(self) -> Self::Output {
        let key = key_of::<T>(self.namespace, self.name);
        let options = self.options;
        let uid = self
            .cluster
            .store()
            .get::<T>(&key)
            .and_then(|o| o.metadata().uid.clone());
        let result = self
            .cluster
            .with_store(|store| store.delete::<T>(&key, options));
        let kind = match T::API_VERSION.rsplit_once('/') {
            Some((group, _)) => format!("{}.{group}", T::KIND.to_lowercase()),
            None => T::KIND.to_lowercase(),
        };
        let operation = if options.grace_period_seconds == Some(0) {
            "force deleted"
        } else {
            "deleted"
        };
        match result {
            Ok(_) => {
                let deleted = Deleted {
                    kind: resource_type::<T>(),
                    key,
                    uid,
                };
                Ok((
                    deleted_line::<T>(&kind, self.name, operation, self.namespace),
                    deleted,
                ))
            }
            Err(error @ ApiError::NotFound { .. }) => {
                Err(format!("Error from server (NotFound): {error}"))
            }
            Err(error) => Err(format!("Error from server: {error}")),
        }
    }
}

/// What kubectl 1.34 prints for a deleted object (`DeleteOptions.PrintObj`): a namespaced one says where it was
/// deleted from, `pod "web-0" deleted from default namespace`.
pub fn deleted_line<T: ApiObject>(
    kind: &str,
    name: &str,
    operation: &str,
    namespace: &str,
) -> String {
    if T::NAMESPACED {
        format!("{kind} \"{name}\" {operation} from {namespace} namespace")
    } else {
        format!("{kind} \"{name}\" {operation}")
    }
}
