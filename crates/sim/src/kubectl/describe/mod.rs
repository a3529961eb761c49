//! `kubectl describe` (k8s.io/kubectl/pkg/describe/describe.go: `Describe`, `DescriberFor`): resolves the
//! objects named on the command line, picks each one's describer by kind, and joins what they print; the
//! describers themselves live in the files beside this one.

mod network;
mod pod_spec;
mod storage;
mod volumes;
mod workloads;
mod writer;

use std::any::Any;

use super::args::Args;
use super::{key_of, not_found, CommandOutput, Context, KindVisitor, Targets};
use crate::api::printers::Printable;
use crate::cluster::Cluster;
use crate::object::name_of;
pub(crate) use pod_spec::describe_pod_template;
use writer::events_for;
pub(crate) use writer::Doc;

pub fn describe(cluster: &Cluster, args: &Args, context: &Context) -> CommandOutput {
    if let Err(output) = args.reject_unknown("describe", &["-l", "--selector"]) {
        return output;
    }
    let missing = "error: You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.";
    let targets = match Targets::parse_required(&args.positional, missing) {
        Ok(targets) => targets,
        Err(output) => return output,
    };
    let mut output = CommandOutput::default();
    let mut descriptions = Vec::new();
    for (kind, names) in &targets.groups {
        let visitor = Describing {
            cluster,
            namespace: context.namespace,
            names,
        };
        match kind.visit(visitor) {
            Ok((found, missing)) => {
                descriptions.extend(found);
                for line in missing {
                    output.fail(line);
                }
            }
            Err(error) => return error,
        }
    }
    if descriptions.is_empty() && output.exit_code == 0 {
        output.warn(format!(
            "No resources found in {} namespace.",
            context.namespace
        ));
    }
    output.stdout = descriptions.join("\n\n");
    output
}

struct Describing<'a> {
    cluster: &'a Cluster,
    namespace: &'a str,
    names: &'a [String],
}

impl KindVisitor for Describing<'_> {
    type Output = Result<(Vec<String>, Vec<String>), CommandOutput>;

    fn visit<T: Printable>(self) -> Self::Output {
        let store = self.cluster.store();
        let objects: Vec<Result<&T, String>> = if self.names.is_empty() {
            let listed: Vec<&T> = if T::NAMESPACED {
                store.list_namespace::<T>(self.namespace).collect()
            } else {
                store.list::<T>().collect()
            };
            listed.into_iter().map(Ok).collect()
        } else {
            self.names
                .iter()
                .map(|name| {
                    store
                        .get::<T>(&key_of::<T>(self.namespace, name))
                        .ok_or_else(|| not_found::<T>(name))
                })
                .collect()
        };
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for object in objects {
            match object {
                Ok(object) => found.push(describe_object(self.cluster, object)?),
                Err(line) => missing.push(line),
            }
        }
        Ok((found, missing))
    }
}

/// The describer for one object, chosen by its kind as `DescriberFor` does, between the lines every
/// describer opens with (`Name:`, and `Namespace:` for a namespaced kind) and the object's events.
fn describe_object<T: Printable>(cluster: &Cluster, object: &T) -> Result<String, CommandOutput> {
    let any = object as &dyn Any;
    let meta = object.metadata();
    let mut doc = Doc::default();
    doc.field(0, "Name", name_of(meta));
    if T::NAMESPACED {
        doc.field(
            0,
            "Namespace",
            meta.namespace.as_deref().unwrap_or_default(),
        );
    }
    let described = describe_as(any, &mut doc, cluster, workloads::describe_pod)
        || describe_as(any, &mut doc, cluster, workloads::describe_stateful_set)
        || describe_as(any, &mut doc, cluster, storage::describe_claim)
        || describe_as(any, &mut doc, cluster, storage::describe_volume)
        || describe_as(any, &mut doc, cluster, storage::describe_storage_class)
        || describe_as(any, &mut doc, cluster, network::describe_service)
        || describe_as(any, &mut doc, cluster, network::describe_endpoint_slice);
    if !described {
        return Err(CommandOutput::error(format!(
            "error: describing {} is not simulated here; try `kubectl get {} -o yaml`",
            T::RESOURCE,
            T::RESOURCE.split('.').next().unwrap_or(T::RESOURCE)
        )));
    }
    doc.events(&events_for(cluster, meta, T::KIND), cluster.now());
    Ok(doc.aligned())
}

/// Runs `describer` if `object` is of the kind it describes; whether it was.
fn describe_as<K: 'static>(
    object: &dyn Any,
    doc: &mut Doc,
    cluster: &Cluster,
    describer: fn(&mut Doc, &Cluster, &K),
) -> bool {
    object
        .downcast_ref::<K>()
        .map(|object| describer(doc, cluster, object))
        .is_some()
}
