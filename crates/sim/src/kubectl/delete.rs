//! `kubectl delete` with `--grace-period`, `--force` and `--cascade=background|foreground|orphan`.

use super::args::Args;
use super::printers::Printable;
use super::{key_of, CommandOutput, Context, KindVisitor, Targets};
use crate::api::delete_options::{DeleteOptions, PropagationPolicy};
use crate::cluster::Cluster;
use crate::store::ApiError;

/// `--wait` is accepted for scripts that pass it; deletion here never blocks the caller, as `--wait=false`.
const FLAGS: &[&str] = &[
    "--grace-period",
    "--force",
    "--cascade",
    "-l",
    "--selector",
    "--wait",
];

pub fn delete(cluster: &mut Cluster, args: &Args, context: &Context) -> CommandOutput {
    if let Err(output) = args.reject_unknown("delete", FLAGS) {
        return output;
    }
    let mut output = CommandOutput::default();
    let options = match delete_options(args, &mut output) {
        Ok(options) => options,
        Err(error) => return error,
    };
    let missing = "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'";
    let targets = match Targets::parse_required(&args.positional, missing) {
        Ok(targets) => targets,
        Err(error) => return error,
    };
    if targets.groups.iter().any(|(_, names)| names.is_empty()) {
        return CommandOutput::error("error: resource(s) were provided, but no name was specified");
    }
    if options.grace_period_seconds == Some(0) {
        output.warn("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.");
    }
    for (kind, names) in targets.groups {
        for name in names {
            let deleting = Deleting {
                cluster,
                namespace: context.namespace,
                name: &name,
                options,
            };
            match kind.visit(deleting) {
                Ok(line) => output.say(line),
                Err(line) => output.fail(line),
            }
        }
    }
    output
}

/// The grace period and propagation policy the flags ask for, with kubectl's flag checks and warnings.
fn delete_options(args: &Args, output: &mut CommandOutput) -> Result<DeleteOptions, CommandOutput> {
    let grace = match args.value(&["--grace-period"]) {
        Some(text) => Some(text.parse::<i64>().map_err(|_| {
            CommandOutput::error(format!(
                "error: invalid argument \"{text}\" for \"--grace-period\" flag: strconv.ParseInt: parsing \"{text}\": invalid syntax"
            ))
        })?),
        None => None,
    };
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
    /// The line kubectl prints: `pod "web-0" deleted`, or the error.
    type Output = Result<String, String>;

    fn visit<T: Printable>(self) -> Self::Output {
        let key = key_of::<T>(self.namespace, self.name);
        let options = self.options;
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
            Ok(_) => Ok(format!("{kind} \"{}\" {operation}", self.name)),
            Err(error @ ApiError::NotFound { .. }) => {
                Err(format!("Error from server (NotFound): {error}"))
            }
            Err(error) => Err(format!("Error from server: {error}")),
        }
    }
}
