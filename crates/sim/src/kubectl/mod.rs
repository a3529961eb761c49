//! The kubectl subset, shared by scenarios, the CLI and the browser console. It talks to the cluster only
//! through the store, as kubectl talks to the apiserver.

pub mod printers;

use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::{
    Event, Node, PersistentVolume, PersistentVolumeClaim, Pod, Service,
};
use k8s_openapi::api::storage::v1::StorageClass;
use serde::Serialize;

use crate::api::apply::resource_name;
use crate::cluster::Cluster;
use crate::labels::{parse_selector, requirements_match, Requirement};
use crate::object::{ApiObject, ObjectKey};
use crate::store::DeleteOptions;
use crate::time::SimTime;
use printers::*;

/// What a command printed, and how it exited.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommandOutput {
    pub exit_code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl CommandOutput {
    fn ok(stdout: impl Into<String>) -> Self {
        CommandOutput {
            exit_code: 0,
            stdout: stdout.into(),
            stderr: String::new(),
        }
    }

    fn error(stderr: impl Into<String>) -> Self {
        let mut stderr = stderr.into();
        if !stderr.ends_with('\n') {
            stderr.push('\n');
        }
        CommandOutput {
            exit_code: 1,
            stdout: String::new(),
            stderr,
        }
    }
}

/// Splits a command line the way a POSIX shell would for simple cases: whitespace, single and double quotes,
/// backslash escapes.
pub fn split_command_line(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(other) => word.push(other),
                        None => return Err("unterminated single quote".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => word.extend(chars.next()),
                        Some(other) => word.push(other),
                        None => return Err("unterminated double quote".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                word.extend(chars.next());
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// Flags and positional arguments of one command.
struct Args {
    positional: Vec<String>,
    flags: Vec<(String, Option<String>)>,
}

impl Args {
    /// `--name=value`, `--name value` for flags known to take a value, and `-x value` short forms.
    fn parse(words: &[String]) -> Args {
        const TAKES_VALUE: &[&str] = &[
            "-o",
            "--output",
            "-l",
            "--selector",
            "-n",
            "--namespace",
            "--replicas",
            "--grace-period",
            "-f",
            "--filename",
        ];
        let mut positional = Vec::new();
        let mut flags = Vec::new();
        let mut iter = words.iter().peekable();
        while let Some(word) = iter.next() {
            if word == "--" {
                positional.extend(iter.by_ref().cloned());
                break;
            }
            if word.starts_with('-') && word.len() > 1 {
                if let Some((name, value)) = word.split_once('=') {
                    flags.push((name.to_string(), Some(value.to_string())));
                } else if TAKES_VALUE.contains(&word.as_str()) {
                    flags.push((word.clone(), iter.next().cloned()));
                } else {
                    flags.push((word.clone(), None));
                }
            } else {
                positional.push(word.clone());
            }
        }
        Args { positional, flags }
    }

    fn value(&self, names: &[&str]) -> Option<&str> {
        self.flags
            .iter()
            .rev()
            .find(|(n, _)| names.contains(&n.as_str()))
            .and_then(|(_, v)| v.as_deref())
    }

    fn has(&self, name: &str) -> bool {
        self.flags
            .iter()
            .any(|(n, v)| n == name && v.as_deref() != Some("false"))
    }
}

/// Runs one kubectl command line against the cluster. `stdin` feeds `apply -f -`.
pub fn run(cluster: &mut Cluster, line: &str, stdin: &str) -> CommandOutput {
    let words = match split_command_line(line) {
        Ok(words) => words,
        Err(error) => return CommandOutput::error(format!("error: {error}")),
    };
    let words: Vec<String> = match words.first().map(String::as_str) {
        Some("kubectl") => words[1..].to_vec(),
        _ => words,
    };
    let Some(verb) = words.first().cloned() else {
        return CommandOutput::error("error: no command given; try `kubectl get pods`");
    };
    let args = Args::parse(&words[1..]);
    let namespace = args
        .value(&["-n", "--namespace"])
        .unwrap_or("default")
        .to_string();
    match verb.as_str() {
        "get" => get(cluster, &args, &namespace),
        "scale" => scale(cluster, &args, &namespace),
        "delete" => delete(cluster, &args, &namespace),
        "apply" => apply(cluster, &args, stdin),
        other => CommandOutput::error(format!(
            "error: unknown command \"{other}\" for \"kubectl\"\n\nDid you mean this?\n\tget\n\tapply\n\tscale\n\tdelete"
        )),
    }
}

/// The resource types this subset knows, with kubectl's names and short names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ResourceType {
    Pods,
    StatefulSets,
    Claims,
    Volumes,
    Services,
    Nodes,
    StorageClasses,
    Revisions,
    Events,
}

fn resource_type(name: &str) -> Option<ResourceType> {
    Some(match name.split('.').next().unwrap_or(name) {
        "po" | "pod" | "pods" => ResourceType::Pods,
        "sts" | "statefulset" | "statefulsets" => ResourceType::StatefulSets,
        "pvc" | "persistentvolumeclaim" | "persistentvolumeclaims" => ResourceType::Claims,
        "pv" | "persistentvolume" | "persistentvolumes" => ResourceType::Volumes,
        "svc" | "service" | "services" => ResourceType::Services,
        "no" | "node" | "nodes" => ResourceType::Nodes,
        "sc" | "storageclass" | "storageclasses" => ResourceType::StorageClasses,
        "controllerrevision" | "controllerrevisions" => ResourceType::Revisions,
        "ev" | "event" | "events" => ResourceType::Events,
        _ => return None,
    })
}

/// `TYPE NAME`, `TYPE/NAME` or just `TYPE`.
fn target(args: &Args) -> Result<(ResourceType, Vec<String>), CommandOutput> {
    let Some(first) = args.positional.first() else {
        return Err(CommandOutput::error(
            "You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.",
        ));
    };
    let (type_name, names) = match first.split_once('/') {
        Some((t, n)) => (t.to_string(), vec![n.to_string()]),
        None => (first.clone(), args.positional[1..].to_vec()),
    };
    match resource_type(&type_name) {
        Some(t) => Ok((t, names)),
        None => Err(CommandOutput::error(format!(
            "error: the server doesn't have a resource type \"{type_name}\""
        ))),
    }
}

fn get(cluster: &Cluster, args: &Args, namespace: &str) -> CommandOutput {
    let (kind, names) = match target(args) {
        Ok(found) => found,
        Err(output) => return output,
    };
    let selector = match args
        .value(&["-l", "--selector"])
        .map(parse_selector)
        .transpose()
    {
        Ok(selector) => selector.unwrap_or_default(),
        Err(error) => return CommandOutput::error(format!("error: {error}")),
    };
    let output = args.value(&["-o", "--output"]).unwrap_or("");
    let query = Query {
        cluster,
        namespace,
        names: &names,
        selector: &selector,
        output,
    };
    match kind {
        ResourceType::Pods => query.run::<Pod>(pod_row, POD_HEADER, Some(POD_WIDE_HEADER)),
        ResourceType::StatefulSets => query.run::<StatefulSet>(
            stateful_set_row,
            STATEFUL_SET_HEADER,
            Some(STATEFUL_SET_WIDE_HEADER),
        ),
        ResourceType::Claims => {
            query.run::<PersistentVolumeClaim>(|c, now, _| claim_row(c, now), CLAIM_HEADER, None)
        }
        ResourceType::Volumes => {
            query.run::<PersistentVolume>(|v, now, _| volume_row(v, now), VOLUME_HEADER, None)
        }
        ResourceType::Services => {
            query.run::<Service>(|s, now, _| service_row(s, now), SERVICE_HEADER, None)
        }
        ResourceType::Nodes => query.run::<Node>(|n, now, _| node_row(n, now), NODE_HEADER, None),
        ResourceType::StorageClasses => query.run::<StorageClass>(
            |c, now, _| storage_class_row(c, now),
            STORAGE_CLASS_HEADER,
            None,
        ),
        ResourceType::Revisions => {
            query.run::<ControllerRevision>(|r, now, _| revision_row(r, now), REVISION_HEADER, None)
        }
        ResourceType::Events => {
            query.run::<Event>(|e, now, _| event_row(e, now), EVENT_HEADER, None)
        }
    }
}

struct Query<'a> {
    cluster: &'a Cluster,
    namespace: &'a str,
    names: &'a [String],
    selector: &'a [Requirement],
    output: &'a str,
}

impl Query<'_> {
    fn run<T: ApiObject>(
        &self,
        row: impl Fn(&T, SimTime, bool) -> Vec<String>,
        header: &[&str],
        wide_header: Option<&[&str]>,
    ) -> CommandOutput {
        let store = self.cluster.store();
        let mut objects: Vec<&T> = Vec::new();
        let mut missing = Vec::new();
        if self.names.is_empty() {
            objects = if T::NAMESPACED {
                store.list_namespace::<T>(self.namespace).collect()
            } else {
                store.list::<T>().collect()
            };
        } else {
            for name in self.names {
                let key = if T::NAMESPACED {
                    ObjectKey::new(self.namespace, name.clone())
                } else {
                    ObjectKey::cluster(name.clone())
                };
                match store.get::<T>(&key) {
                    Some(object) => objects.push(object),
                    None => missing.push(format!(
                        "Error from server (NotFound): {} \"{name}\" not found",
                        T::RESOURCE
                    )),
                }
            }
        }
        objects.retain(|o| {
            requirements_match(
                self.selector,
                o.metadata().labels.as_ref().unwrap_or(&Default::default()),
            )
        });
        if T::KIND == "Event" {
            objects.sort_by_key(|o| {
                let event = (*o as &dyn std::any::Any).downcast_ref::<Event>();
                event.and_then(|e| e.last_timestamp.clone())
            });
        }
        let now = self.cluster.now();
        let stdout = match self.output {
            "" | "wide" => {
                let wide = self.output == "wide" && wide_header.is_some();
                if objects.is_empty() && missing.is_empty() {
                    let scope = if T::NAMESPACED { format!(" in {} namespace", self.namespace) } else { String::new() };
                    return CommandOutput { exit_code: 0, stdout: String::new(), stderr: format!("No resources found{scope}.\n") };
                }
                if objects.is_empty() {
                    String::new()
                } else {
                    let rows: Vec<Vec<String>> = objects.iter().map(|o| row(o, now, wide)).collect();
                    render_table(if wide { wide_header.unwrap_or(header) } else { header }, &rows)
                }
            }
            "name" => objects.iter().map(|o| format!("{}\n", resource_name::<T>(o.metadata().name.as_deref().unwrap_or_default()))).collect(),
            "json" | "yaml" => {
                let value = if self.names.len() == 1 && objects.len() == 1 {
                    serde_json::to_value(objects[0]).expect("stored objects serialize")
                } else {
                    serde_json::json!({
                        "apiVersion": "v1",
                        "items": objects.iter().map(|o| serde_json::to_value(o).expect("stored objects serialize")).collect::<Vec<_>>(),
                        "kind": "List",
                        "metadata": {"resourceVersion": ""}
                    })
                };
                if self.output == "json" {
                    serde_json::to_string_pretty(&value).expect("JSON values serialize") + "\n"
                } else {
                    serde_yaml_ng::to_string(&value).expect("JSON values serialize as YAML")
                }
            }
            other => {
                return CommandOutput::error(format!(
                    "error: unable to match a printer suitable for the output format \"{other}\", allowed formats are: json,name,wide,yaml"
                ))
            }
        };
        let stderr = missing.iter().map(|m| format!("{m}\n")).collect::<String>();
        CommandOutput {
            exit_code: i32::from(!missing.is_empty()),
            stdout,
            stderr,
        }
    }
}

fn scale(cluster: &mut Cluster, args: &Args, namespace: &str) -> CommandOutput {
    let (kind, names) = match target(args) {
        Ok(found) => found,
        Err(output) => return output,
    };
    let Some(replicas) = args.value(&["--replicas"]) else {
        return CommandOutput::error("error: required flag(s) \"replicas\" not set");
    };
    let Ok(replicas) = replicas.parse::<i32>() else {
        return CommandOutput::error(format!("error: invalid argument \"{replicas}\" for \"--replicas\" flag: strconv.ParseInt: parsing \"{replicas}\": invalid syntax"));
    };
    if kind != ResourceType::StatefulSets {
        return CommandOutput::error(
            "error: this playground scales StatefulSets only: kubectl scale sts NAME --replicas=N",
        );
    }
    let Some(name) = names.first() else {
        return CommandOutput::error("error: resource(s) were provided, but no name was specified");
    };
    let key = ObjectKey::new(namespace, name.clone());
    let result = cluster.with_store(|store| {
        let set = store.get::<StatefulSet>(&key).cloned().ok_or_else(|| {
            format!("Error from server (NotFound): statefulsets.apps \"{name}\" not found")
        })?;
        if replicas < 0 {
            return Err(format!(
                "The StatefulSet \"{name}\" is invalid: spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0"
            ));
        }
        let mut scaled = set;
        scaled.spec.get_or_insert_with(Default::default).replicas = Some(replicas);
        store.update(scaled).map_err(|e| format!("Error from server: {e}"))
    });
    match result {
        Ok(_) => CommandOutput::ok(format!("statefulset.apps/{name} scaled\n")),
        Err(error) => CommandOutput::error(error),
    }
}

fn delete(cluster: &mut Cluster, args: &Args, namespace: &str) -> CommandOutput {
    let (kind, names) = match target(args) {
        Ok(found) => found,
        Err(output) => return output,
    };
    if names.is_empty() {
        return CommandOutput::error("error: resource(s) were provided, but no name was specified");
    }
    let grace = match args
        .value(&["--grace-period"])
        .map(str::parse::<i64>)
        .transpose()
    {
        Ok(grace) => grace,
        Err(_) => {
            return CommandOutput::error("error: invalid argument for \"--grace-period\" flag")
        }
    };
    let force = args.has("--force");
    if force && grace.is_some_and(|g| g != 0) {
        return CommandOutput::error(
            "error: --force and --grace-period greater than 0 cannot be specified together",
        );
    }
    let options = DeleteOptions {
        grace_period_seconds: if force {
            Some(0)
        } else {
            grace.filter(|g| *g >= 0)
        },
        ..DeleteOptions::default()
    };
    let mut output = CommandOutput::default();
    if force {
        output.stderr.push_str("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n");
    }
    for name in names {
        let result = cluster.with_store(|store| {
            let key = |namespaced: bool| {
                if namespaced {
                    ObjectKey::new(namespace, name.clone())
                } else {
                    ObjectKey::cluster(name.clone())
                }
            };
            match kind {
                ResourceType::Pods => store
                    .delete::<Pod>(&key(true), options)
                    .map(|_| resource_name::<Pod>(&name)),
                ResourceType::StatefulSets => store
                    .delete::<StatefulSet>(&key(true), options)
                    .map(|_| resource_name::<StatefulSet>(&name)),
                ResourceType::Claims => store
                    .delete::<PersistentVolumeClaim>(&key(true), options)
                    .map(|_| resource_name::<PersistentVolumeClaim>(&name)),
                ResourceType::Volumes => store
                    .delete::<PersistentVolume>(&key(false), options)
                    .map(|_| resource_name::<PersistentVolume>(&name)),
                ResourceType::Services => store
                    .delete::<Service>(&key(true), options)
                    .map(|_| resource_name::<Service>(&name)),
                _ => Err(crate::store::ApiError::BadRequest(format!(
                    "error: deleting {name} of this type is not supported here"
                ))),
            }
        });
        match result {
            Ok(resource) if force => output
                .stdout
                .push_str(&format!("{resource} force deleted\n")),
            Ok(resource) => output.stdout.push_str(&format!("{resource} deleted\n")),
            Err(error @ crate::store::ApiError::BadRequest(_)) => {
                output.stderr.push_str(&format!("{error}\n"));
                output.exit_code = 1;
            }
            Err(error) => {
                output
                    .stderr
                    .push_str(&format!("Error from server (NotFound): {error}\n"));
                output.exit_code = 1;
            }
        }
    }
    output
}

fn apply(cluster: &mut Cluster, args: &Args, stdin: &str) -> CommandOutput {
    match args.value(&["-f", "--filename"]) {
        Some("-") => {}
        Some(file) => {
            return CommandOutput::error(format!(
                "error: the path \"{file}\" does not exist (this playground has no files: use `kubectl apply -f -` with the manifest as input)"
            ))
        }
        None => return CommandOutput::error("error: must specify one of -f and -k"),
    }
    match cluster.apply(stdin) {
        Err(error) => {
            CommandOutput::error(format!("error: error parsing STDIN: {}", error.message))
        }
        Ok(documents) => {
            let mut output = CommandOutput::default();
            for document in documents {
                match document.result {
                    Ok(line) => output.stdout.push_str(&format!("{line}\n")),
                    Err(line) => {
                        output.stderr.push_str(&format!("{line}\n"));
                        output.exit_code = 1;
                    }
                }
            }
            output
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_split_like_a_shell() {
        assert_eq!(
            split_command_line("kubectl get pods -l 'app=web'").unwrap(),
            ["kubectl", "get", "pods", "-l", "app=web"]
        );
        assert_eq!(
            split_command_line(r#"sh -c "echo hi > f""#).unwrap(),
            ["sh", "-c", "echo hi > f"]
        );
        assert!(split_command_line("echo 'open").is_err());
    }
}
