//! Commands that change one object and write it back through the apiserver's update path, so validation and
//! immutability errors come out as the apiserver words them: `patch`, `set image`, `label`, `annotate`,
//! `scale`.

use crate::limits;
use k8s_openapi::api::apps::v1::StatefulSet;
use serde_json::Value;
use std::collections::BTreeMap;

use super::args::Args;
use super::errors;
use super::rollout::CHANGE_CAUSE_ANNOTATION;
use super::{key_of, not_found, CommandOutput, Context, KindVisitor, ResourceType, Targets};
use crate::api::decode::decode_strict;
use crate::api::patch::{apply_patch, PatchType};
use crate::api::printers::Printable;
use crate::cluster::Cluster;
use crate::kubectl::apply::{resource_name, update_object};
use crate::object::{ApiObject, ObjectKey};
use crate::store::ApiError;

/// A change to an object's JSON, made on the client side before the update is sent.
type Change<'a> = Box<dyn FnOnce(&mut Value) -> Result<(), CommandOutput> + 'a>;

/// Whether the write changed the stored object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Changed,
    Unchanged,
}

struct Modify<'a> {
    cluster: &'a mut Cluster,
    namespace: &'a str,
    name: &'a str,
    change: Change<'a>,
}

impl KindVisitor for Modify<'_> {
    /// The object as kubectl prints it (`statefulset.apps/web`) and whether it changed.
    type Output = Result<(String, Outcome), CommandOutput>;

    fn visit<T: Printable>(self) -> Self::Output {
        let key = key_of::<T>(self.namespace, self.name);
        let live = self
            .cluster
            .store()
            .get::<T>(&key)
            .cloned()
            .ok_or_else(|| CommandOutput::error(not_found::<T>(self.name)))?;
        let mut value = serde_json::to_value(&live).expect("stored objects serialize");
        (self.change)(&mut value)?;
        let version = T::API_VERSION.rsplit('/').next().unwrap_or(T::API_VERSION);
        let changed: T = decode_strict(&value, T::KIND, version)
            .map_err(|e| CommandOutput::error(format!("Error from server (BadRequest): {e}")))?;
        let written = self
            .cluster
            .with_store(|store| update_object(store, changed))
            .map_err(|error| CommandOutput::error(errors::from_server(&error)))?;
        let outcome = if written == live {
            Outcome::Unchanged
        } else {
            Outcome::Changed
        };
        Ok((resource_name::<T>(self.name), outcome))
    }
}

fn modify(
    cluster: &mut Cluster,
    kind: ResourceType,
    namespace: &str,
    name: &str,
    change: Change,
) -> Result<(String, Outcome), CommandOutput> {
    kind.visit(Modify {
        cluster,
        namespace,
        name,
        change,
    })
}

// --- patch ---------------------------------------------------------------------------------------------------

pub fn patch(cluster: &mut Cluster, args: &Args, context: &Context) -> CommandOutput {
    if let Err(output) = args.reject_unknown("patch", &["-p", "--patch", "--type"]) {
        return output;
    }
    let patch_type = match PatchType::parse(args.value(&["--type"]).unwrap_or("strategic")) {
        Ok(patch_type) => patch_type,
        Err(error) => return CommandOutput::error(error),
    };
    let Some(text) = args.value(&["-p", "--patch"]) else {
        return CommandOutput::error(
            "error: must specify --patch or --patch-file containing the contents of the patch",
        );
    };
    if let Err(error) = limits::check_flow_depth(text) {
        return CommandOutput::error(format!("error: unable to parse the patch: {error}"));
    }
    let patch: Value = match serde_yaml_ng::from_str(text) {
        Ok(patch) => patch,
        Err(error) => {
            return CommandOutput::error(format!("error: unable to parse \"{text}\": {error}"))
        }
    };
    let (kind, name) = match Targets::single(&args.positional) {
        Ok(target) => target,
        Err(output) => return output,
    };
    let change: Change = Box::new(move |value: &mut Value| {
        *value = apply_patch(value, &patch, patch_type)
            .map_err(|e| CommandOutput::error(format!("Error from server (BadRequest): {e}")))?;
        Ok(())
    });
    match modify(cluster, kind, context.namespace, &name, change) {
        Ok((printed, Outcome::Changed)) => CommandOutput::ok(format!("{printed} patched\n")),
        Ok((printed, Outcome::Unchanged)) => {
            CommandOutput::ok(format!("{printed} patched (no change)\n"))
        }
        Err(output) => output,
    }
}

// --- set image -----------------------------------------------------------------------------------------------

pub fn set(cluster: &mut Cluster, args: &mut Args, context: &Context) -> CommandOutput {
    if args.positional.is_empty() {
        return CommandOutput::error(
            "error: Required resource not specified.\nSee 'kubectl set -h' for help and examples",
        );
    }
    let subcommand = args.positional.remove(0);
    if subcommand != "image" {
        return CommandOutput::error(format!(
            "error: unknown command \"{subcommand}\"\nSee 'kubectl set -h' for help and examples"
        ));
    }
    if let Err(output) = args.reject_unknown("set image", &[]) {
        return output;
    }
    let (images, resources): (Vec<String>, Vec<String>) = args
        .positional
        .iter()
        .cloned()
        .partition(|w| w.contains('='));
    if resources.is_empty() {
        return CommandOutput::error("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
    }
    if images.is_empty() {
        return CommandOutput::error("error: at least one image update is required");
    }
    let (kind, name) = match Targets::single(&resources) {
        Ok(target) => target,
        Err(output) => return output,
    };
    let pointer = match kind {
        ResourceType::Pods => "/spec",
        ResourceType::StatefulSets => "/spec/template/spec",
        _ => {
            return CommandOutput::error(format!(
                "error: the object is not a pod or does not have a pod template: *v1.{}",
                kind.kind()
            ))
        }
    };
    let updates: Vec<(String, String)> = images
        .iter()
        .filter_map(|i| {
            i.split_once('=')
                .map(|(c, v)| (c.to_string(), v.to_string()))
        })
        .collect();
    let change: Change = Box::new(move |value: &mut Value| set_images(value, pointer, &updates));
    match modify(cluster, kind, context.namespace, &name, change) {
        Ok((printed, Outcome::Changed)) => CommandOutput::ok(format!("{printed} image updated\n")),
        Ok((_, Outcome::Unchanged)) => CommandOutput::default(),
        Err(output) => output,
    }
}

/// `container=image` for each update; `*` names every container.
fn set_images(
    value: &mut Value,
    pointer: &str,
    updates: &[(String, String)],
) -> Result<(), CommandOutput> {
    let spec = value
        .pointer_mut(pointer)
        .ok_or_else(|| CommandOutput::error("error: the object has no pod spec"))?;
    for (container, image) in updates {
        let mut found = false;
        for list in ["initContainers", "containers"] {
            for entry in spec
                .get_mut(list)
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                if container == "*" || entry.get("name").and_then(Value::as_str) == Some(container)
                {
                    entry["image"] = Value::String(image.clone());
                    found = true;
                }
            }
        }
        if !found {
            return Err(CommandOutput::error(format!(
                "error: unable to find container named \"{container}\""
            )));
        }
    }
    Ok(())
}

// --- label and annotate --------------------------------------------------------------------------------------

/// `key=value` updates and `key-` removals after the resources, as `label` and `annotate` take them.
struct MapUpdates {
    resources: Vec<String>,
    set: BTreeMap<String, String>,
    remove: Vec<String>,
}

fn map_updates(positional: &[String]) -> MapUpdates {
    let mut updates = MapUpdates {
        resources: Vec::new(),
        set: BTreeMap::new(),
        remove: Vec::new(),
    };
    for word in positional {
        if let Some((key, value)) = word.split_once('=') {
            updates.set.insert(key.into(), value.into());
        } else if let Some(key) = word
            .strip_suffix('-')
            .filter(|_| !updates.resources.is_empty())
        {
            updates.remove.push(key.into());
        } else {
            updates.resources.push(word.clone());
        }
    }
    updates
}

pub fn label(cluster: &mut Cluster, args: &Args, context: &Context) -> CommandOutput {
    edit_map(cluster, args, context, MapField::Labels)
}

pub fn annotate(cluster: &mut Cluster, args: &Args, context: &Context) -> CommandOutput {
    edit_map(cluster, args, context, MapField::Annotations)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum MapField {
    Labels,
    Annotations,
}

impl MapField {
    fn key(self) -> &'static str {
        match self {
            MapField::Labels => "labels",
            MapField::Annotations => "annotations",
        }
    }

    fn command(self) -> &'static str {
        match self {
            MapField::Labels => "label",
            MapField::Annotations => "annotation",
        }
    }

    /// kubectl's refusal to overwrite without `--overwrite`.
    fn overwrite_error(self, conflicts: &[(String, String)]) -> String {
        match self {
            MapField::Labels => conflicts
                .iter()
                .map(|(k, v)| {
                    format!("error: '{k}' already has a value ({v}), and --overwrite is false")
                })
                .collect::<Vec<_>>()
                .join("\n"),
            MapField::Annotations => format!(
                "error: --overwrite is false but found the following declared annotation(s): {}",
                conflicts
                    .iter()
                    .map(|(k, v)| format!("'{k}' already has a value ({v})"))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        }
    }
}

fn edit_map(
    cluster: &mut Cluster,
    args: &Args,
    context: &Context,
    field: MapField,
) -> CommandOutput {
    let command = field.command();
    let verb = if field == MapField::Labels {
        "label"
    } else {
        "annotate"
    };
    if let Err(output) = args.reject_unknown(verb, &["--overwrite"]) {
        return output;
    }
    let updates = map_updates(&args.positional);
    if updates.set.is_empty() && updates.remove.is_empty() {
        return CommandOutput::error(format!("error: at least one {command} update is required"));
    }
    let (kind, name) = match Targets::single(&updates.resources) {
        Ok(target) => target,
        Err(output) => return output,
    };
    let overwrite = args.has(&["--overwrite"]);
    let mut output = CommandOutput::default();
    let current = current_map(cluster, kind, context.namespace, &name, field);
    if field == MapField::Labels {
        for key in updates.remove.iter().filter(|k| !current.contains_key(*k)) {
            output.say(format!("label \"{key}\" not found."));
        }
    }
    let conflicts: Vec<(String, String)> = updates
        .set
        .iter()
        // The change-cause annotation may always be overwritten.
        .filter(|(key, _)| field == MapField::Labels || key.as_str() != CHANGE_CAUSE_ANNOTATION)
        .filter_map(|(key, value)| {
            current
                .get(key)
                .filter(|c| *c != value)
                .map(|c| (key.clone(), c.clone()))
        })
        .collect();
    if !overwrite && !conflicts.is_empty() {
        output.fail(field.overwrite_error(&conflicts));
        return output;
    }
    // kubectl says "unlabeled" when the object got smaller; here that is a pure removal.
    let shrinks = updates.set.is_empty() && updates.remove.iter().any(|k| current.contains_key(k));
    let MapUpdates { set, remove, .. } = updates;
    let change: Change = Box::new(move |value: &mut Value| {
        let metadata = value
            .as_object_mut()
            .and_then(|o| o.get_mut("metadata"))
            .and_then(Value::as_object_mut)
            .ok_or_else(|| CommandOutput::error("error: the object has no metadata"))?;
        let map = metadata
            .entry(field.key())
            .or_insert_with(|| Value::Object(Default::default()));
        if let Value::Object(map) = map {
            for (key, value) in set {
                map.insert(key, Value::String(value));
            }
            for key in remove {
                map.remove(&key);
            }
        }
        Ok(())
    });
    match modify(cluster, kind, context.namespace, &name, change) {
        Ok((printed, outcome)) => {
            let message = match (field, outcome) {
                (MapField::Annotations, _) => "annotated",
                (MapField::Labels, Outcome::Unchanged) => "not labeled",
                (MapField::Labels, Outcome::Changed) if shrinks && !overwrite => "unlabeled",
                (MapField::Labels, Outcome::Changed) => "labeled",
            };
            output.say(format!("{printed} {message}"));
            output
        }
        Err(error) => {
            output.extend(error);
            output
        }
    }
}

/// The labels or annotations the object has now (empty when it does not exist; the write reports that).
fn current_map(
    cluster: &Cluster,
    kind: ResourceType,
    namespace: &str,
    name: &str,
    field: MapField,
) -> BTreeMap<String, String> {
    struct Read<'a> {
        cluster: &'a Cluster,
        namespace: &'a str,
        name: &'a str,
        field: MapField,
    }
    impl KindVisitor for Read<'_> {
        type Output = BTreeMap<String, String>;
        fn visit<T: Printable>(self) -> Self::Output {
            let meta = self
                .cluster
                .store()
                .get::<T>(&key_of::<T>(self.namespace, self.name))
                .map(|o| o.metadata().clone())
                .unwrap_or_default();
            match self.field {
                MapField::Labels => meta.labels,
                MapField::Annotations => meta.annotations,
            }
            .unwrap_or_default()
        }
    }
    kind.visit(Read {
        cluster,
        namespace,
        name,
        field,
    })
}

// --- scale ---------------------------------------------------------------------------------------------------

pub fn scale(cluster: &mut Cluster, args: &Args, context: &Context) -> CommandOutput {
    if let Err(output) = args.reject_unknown("scale", &["--replicas"]) {
        return output;
    }
    let replicas = match args.integer("scale", "--replicas") {
        Ok(Some(replicas)) => replicas,
        Ok(None) => return CommandOutput::error("error: required flag(s) \"replicas\" not set"),
        Err(output) => return output,
    };
    let (kind, name) = match Targets::single(&args.positional) {
        Ok(target) => target,
        Err(output) => return output,
    };
    if kind != ResourceType::StatefulSets {
        return CommandOutput::error(
            "error: this playground scales StatefulSets only: kubectl scale sts NAME --replicas=N",
        );
    }
    if replicas < 0 {
        return CommandOutput::error(
            "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0",
        );
    }
    let change: Change = Box::new(move |value: &mut Value| {
        value["spec"]["replicas"] = Value::from(replicas);
        Ok(())
    });
    let key = ObjectKey::new(context.namespace, &name);
    if cluster.store().get::<StatefulSet>(&key).is_none() {
        // kubectl finds the objects first, and says it has none to scale.
        return CommandOutput::error(format!(
            "error: no objects passed to scale {}",
            ApiError::NotFound {
                resource: StatefulSet::RESOURCE,
                name
            }
        ));
    }
    match modify(cluster, kind, context.namespace, &name, change) {
        Ok(_) => CommandOutput::ok(format!("{} scaled\n", resource_name::<StatefulSet>(&name))),
        Err(output) => output,
    }
}
