//! `kubectl describe` (k8s.io/kubectl/pkg/describe/describe.go: `Describe`, `DescriberFor`): resolves the
//! objects named on the command line, picks each one's describer by kind, and joins what they print; the
//! describers themselves live in the files beside this one.

mod network;
mod pod_spec;
mod storage;
mod workloads;
mod writer;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::storage::v1::StorageClass;

use super::args::Args;
use super::printers::Printable;
use super::{key_of, not_found, CommandOutput, Context, KindVisitor, Targets};
use crate::cluster::Cluster;
use network::{describe_endpoint_slice, describe_service};
pub(crate) use pod_spec::describe_pod_template;
use storage::{describe_claim, describe_storage_class, describe_volume};
use workloads::{describe_pod, describe_stateful_set};
pub(crate) use writer::Doc;
use writer::{events_for, EventTable};

pub fn describe(cluster: &Cluster, args: &Args, context: &Context) -> CommandOutput {
    if let Err(output) = args.reject_unknown("describe", &["-l", "--selector"]) {
        return output;
    }
    let targets = match Targets::parse(&args.positional) {
        Ok(targets) if targets.groups.is_empty() => return CommandOutput::error(
            "error: You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.",
        ),
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

/// The describer for one object, chosen by its kind as `DescriberFor` does.
fn describe_object<T: Printable>(cluster: &Cluster, object: &T) -> Result<String, CommandOutput> {
    let any = object as &dyn std::any::Any;
    let now = cluster.now();
    let events = events_for(cluster, object.metadata(), T::KIND);
    let events = EventTable { events, now };
    let text = if let Some(pod) = any.downcast_ref::<Pod>() {
        describe_pod(pod, &events, now)
    } else if let Some(set) = any.downcast_ref::<StatefulSet>() {
        describe_stateful_set(cluster, set, &events)
    } else if let Some(claim) = any.downcast_ref::<PersistentVolumeClaim>() {
        describe_claim(cluster, claim, &events)
    } else if let Some(volume) = any.downcast_ref::<PersistentVolume>() {
        describe_volume(volume, &events, now)
    } else if let Some(service) = any.downcast_ref::<Service>() {
        describe_service(cluster, service, &events)
    } else if let Some(slice) = any.downcast_ref::<EndpointSlice>() {
        describe_endpoint_slice(slice, &events)
    } else if let Some(class) = any.downcast_ref::<StorageClass>() {
        describe_storage_class(class, &events)
    } else {
        return Err(CommandOutput::error(format!(
            "error: describing {} is not simulated here; try `kubectl get {} -o yaml`",
            T::RESOURCE,
            T::RESOURCE.split('.').next().unwrap_or(T::RESOURCE)
        )));
    };
    Ok(text)
}
