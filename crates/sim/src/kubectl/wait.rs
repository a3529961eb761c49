//! `kubectl wait` (`pkg/cmd/wait`): for each object in turn, waits with the cluster running until each
//! `--for` holds (`delete`, `create`, `condition=NAME[=VALUE]`, `jsonpath='{.a.b}'[=VALUE]`), printing
//! `pod/web-0 condition met` as each does; all within one `--timeout` (30s; 0 checks once, negative waits a
//! week). Ctrl-C ends it through kubectl's interrupt handler, which exits 1.

use serde_json::Value;

use super::apply::resource_name;
use super::args::Args;
use super::{
    key_of, not_found, CommandOutput, Context, KindVisitor, ResourceType, Started, Targets,
};
use super::{Waiting, WAIT_A_WEEK};
use crate::api::printers::Printable;
use crate::cluster::Cluster;
use crate::object::ObjectKey;
use crate::time::{parse_duration, SimTime};

const FLAGS: &[&str] = &["--for", "--timeout", "-l", "--selector", "--all"];

/// `--timeout`'s default.
const DEFAULT_TIMEOUT: SimTime = SimTime(30_000);

pub fn wait(cluster: &mut Cluster, args: &Args, context: &Context) -> Started {
    match start(cluster, args, context) {
        Ok(started) => started,
        Err(output) => Started::Done(output),
    }
}

fn start(cluster: &mut Cluster, args: &Args, context: &Context) -> Result<Started, CommandOutput> {
    args.reject_unknown("wait", FLAGS)?;
    let conditions = parse_conditions(&args.values(&["--for"]))?;
    let timeout = match args.value(&["--timeout"]) {
        None => DEFAULT_TIMEOUT,
        Some(negative) if negative.starts_with('-') => WAIT_A_WEEK,
        Some(text) => parse_duration(text).map_err(|error| {
            CommandOutput::error(format!(
                "error: invalid argument {text:?} for \"--timeout\" flag: {error}"
            ))
        })?,
    };
    let missing = "error: resource(s) were provided, but no name was specified";
    let mut targets = Targets::parse_required(&args.positional, missing)?;
    targets.select(cluster, args, context.namespace)?;
    let objects: Vec<Target> = targets
        .groups
        .iter()
        .flat_map(|(kind, names)| {
            names.iter().map(|name| Target {
                kind: *kind,
                key: kind.visit(KeyOf {
                    namespace: context.namespace,
                    name,
                }),
                uid: None,
            })
        })
        .collect();
    let for_delete = conditions.contains(&Condition::Delete);
    if objects.is_empty() && !for_delete {
        return Err(CommandOutput::error("error: no matching resources found"));
    }
    let mut waiting = Wait {
        objects,
        conditions,
        object: 0,
        condition: 0,
        check_once: timeout.0 == 0,
        deadline: cluster.now().plus_millis(timeout.0),
    };
    let mut output = CommandOutput::default();
    Ok(match waiting.poll(cluster, &mut output) {
        Some(code) => {
            output.exit_code = code;
            Started::Done(output)
        }
        None => Started::Waiting(output, Waiting::Wait(waiting)),
    })
}

/// One `--for`.
#[derive(Clone, Debug, PartialEq)]
enum Condition {
    Delete,
    Create,
    /// A `status.conditions` entry of this type with this status, compared case-insensitively.
    Status {
        name: String,
        value: String,
    },
    /// A field by its path; any value, or this one.
    Field {
        path: Vec<String>,
        value: Option<String>,
    },
}

/// `conditionFuncsFor`: `create` always comes first.
fn parse_conditions(given: &[&str]) -> Result<Vec<Condition>, CommandOutput> {
    if given.is_empty() {
        return Err(CommandOutput::error("error: unrecognized condition: []"));
    }
    let mut conditions = Vec::new();
    for text in given {
        let condition = match text.to_lowercase().as_str() {
            "delete" => Condition::Delete,
            "create" => Condition::Create,
            _ => {
                if let Some(rest) = text.strip_prefix("condition=") {
                    let (name, value) = rest.split_once('=').unwrap_or((rest, "true"));
                    Condition::Status {
                        name: name.to_string(),
                        value: value.to_string(),
                    }
                } else if let Some(rest) = text.strip_prefix("jsonpath=") {
                    field_condition(rest)?
                } else {
                    return Err(CommandOutput::error(format!(
                        "error: unrecognized condition: \"{text}\""
                    )));
                }
            }
        };
        conditions.push(condition);
    }
    conditions.sort_by_key(|c| *c != Condition::Create);
    Ok(conditions)
}

/// `{.status.readyReplicas}=3`: a plain field path (JSONPath's filters and ranges are the kubectl issue's).
fn field_condition(text: &str) -> Result<Condition, CommandOutput> {
    let (expression, value) = match text.split_once('=') {
        Some((expression, value)) => (expression, Some(value.trim_matches(['\'', '"']))),
        None => (text, None),
    };
    if value == Some("") {
        return Err(CommandOutput::error(
            "error: jsonpath wait has to have a value after equal sign, like --for=jsonpath='{.status.readyReplicas}'=3",
        ));
    }
    let inner = expression
        .trim_matches(['\'', '"'])
        .trim_start_matches('{')
        .trim_end_matches('}');
    let plain = inner.starts_with('.')
        && inner[1..]
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_'));
    if !plain {
        return Err(CommandOutput::error(format!(
            "error: jsonpath expression {expression:?}: only a plain field path such as {{.status.phase}} is available here"
        )));
    }
    Ok(Condition::Field {
        path: inner[1..].split('.').map(str::to_string).collect(),
        value: value.map(str::to_string),
    })
}

/// An object waited on: its kind and key, and its uid once first seen (a new object of the same name, which a
/// StatefulSet makes, means the one waited on was deleted).
#[derive(Clone, Debug)]
struct Target {
    kind: ResourceType,
    key: ObjectKey,
    uid: Option<String>,
}

/// `kubectl wait` going on: the object and condition it is at.
#[derive(Clone, Debug)]
pub struct Wait {
    objects: Vec<Target>,
    conditions: Vec<Condition>,
    object: usize,
    condition: usize,
    check_once: bool,
    deadline: SimTime,
}

impl Wait {
    /// Checks the conditions in order as far as they hold now; its exit code once all have, or it gave up.
    pub fn poll(&mut self, cluster: &Cluster, output: &mut CommandOutput) -> Option<i32> {
        while let Some(target) = self.objects.get_mut(self.object) {
            let Some(condition) = self.conditions.get(self.condition) else {
                self.object += 1;
                self.condition = 0;
                continue;
            };
            let found = target.kind.visit(Fetch {
                cluster,
                key: &target.key,
            });
            if target.uid.is_none() {
                // Waiting for a deletion, an object not there to begin with is not visited at all (kubectl
                // ignores NotFound then), and prints nothing.
                let for_delete = self.conditions.contains(&Condition::Delete)
                    && !self.conditions.contains(&Condition::Create);
                if found.is_none() && for_delete {
                    self.object += 1;
                    self.condition = 0;
                    continue;
                }
                target.uid = found.as_ref().map(|(_, uid)| uid.clone());
                if found.is_none()
                    && matches!(
                        condition,
                        Condition::Status { .. } | Condition::Field { .. }
                    )
                {
                    output.fail(target.kind.visit(NotFound {
                        name: &target.key.name,
                    }));
                    return Some(1);
                }
            }
            let met = match condition {
                Condition::Delete => found
                    .as_ref()
                    .is_none_or(|(_, uid)| Some(uid) != target.uid.as_ref()),
                Condition::Create => found.is_some(),
                Condition::Status { name, value } => found
                    .as_ref()
                    .is_some_and(|(object, _)| status_is(object, name, value)),
                Condition::Field { path, value } => found
                    .as_ref()
                    .is_some_and(|(object, _)| field_is(object, path, value.as_deref())),
            };
            let name = target.kind.visit(PrintedName {
                name: &target.key.name,
            });
            if met {
                output.say(format!("{name} condition met"));
                self.condition += 1;
                continue;
            }
            let resource = target.kind.resource().split('.').next().unwrap_or_default();
            if self.check_once {
                output.fail(format!(
                    "error: condition not met for {resource}/{}",
                    target.key.name
                ));
                return Some(1);
            }
            if cluster.now() >= self.deadline {
                output.fail(format!(
                    "error: timed out waiting for the condition on {resource}/{}",
                    target.key.name
                ));
                return Some(1);
            }
            return None;
        }
        Some(output.exit_code)
    }

    pub fn wake(&self) -> Option<SimTime> {
        Some(self.deadline)
    }
}

/// `ConditionalWait.checkCondition`: the condition of that type has that status, and is not older than the
/// object's generation.
fn status_is(object: &Value, name: &str, value: &str) -> bool {
    let generation = object
        .pointer("/metadata/generation")
        .and_then(Value::as_i64);
    let status_observed = object
        .pointer("/status/observedGeneration")
        .and_then(Value::as_i64);
    let conditions = object
        .pointer("/status/conditions")
        .and_then(Value::as_array);
    conditions.into_iter().flatten().any(|condition| {
        let is_type = condition
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case(name));
        let observed = condition
            .get("observedGeneration")
            .and_then(Value::as_i64)
            .or(status_observed);
        let stale = matches!((generation, observed), (Some(g), Some(o)) if o < g);
        is_type
            && !stale
            && condition
                .get("status")
                .and_then(Value::as_str)
                .is_some_and(|s| s.eq_ignore_ascii_case(value))
    })
}

/// The field at `path` exists, and (when asked) prints as `value`.
fn field_is(object: &Value, path: &[String], value: Option<&str>) -> bool {
    let pointer: String = path.iter().map(|p| format!("/{p}")).collect();
    match (object.pointer(&pointer), value) {
        (None | Some(Value::Null), _) => false,
        (Some(_), None) => true,
        (Some(Value::String(text)), Some(value)) => text == value,
        // A number or a bool as JSON prints it: `3`, `true`.
        (Some(other), Some(value)) => {
            let printed = other.to_string();
            printed == value
        }
    }
}

struct KeyOf<'a> {
    namespace: &'a str,
    name: &'a str,
}

impl KindVisitor for KeyOf<'_> {
    type Output = ObjectKey;
    fn visit<T: Printable>(self) -> ObjectKey {
        key_of::<T>(self.namespace, self.name)
    }
}

/// The object as JSON, and its uid.
struct Fetch<'a> {
    cluster: &'a Cluster,
    key: &'a ObjectKey,
}

impl KindVisitor for Fetch<'_> {
    type Output = Option<(Value, String)>;
    fn visit<T: Printable>(self) -> Option<(Value, String)> {
        let object = self.cluster.store().get::<T>(self.key)?;
        let uid = object.metadata().uid.clone().unwrap_or_default();
        Some((serde_json::to_value(object).ok()?, uid))
    }
}

struct PrintedName<'a> {
    name: &'a str,
}

impl KindVisitor for PrintedName<'_> {
    type Output = String;
    fn visit<T: Printable>(self) -> String {
        resource_name::<T>(self.name)
    }
}

struct NotFound<'a> {
    name: &'a str,
}

impl KindVisitor for NotFound<'_> {
    type Output = String;
    fn visit<T: Printable>(self) -> String {
        not_found::<T>(self.name)
    }
}
