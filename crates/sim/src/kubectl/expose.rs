//! `kubectl expose`: a new Service for a pod or a Service, as `pkg/cmd/expose` builds it. Without `--selector`
//! the Service selects the exposed object's labels, all of them: exposing a StatefulSet's pod that way also
//! selects its `controller-revision-hash`, so the Service loses the pod after the next rolling update. The
//! course notes select one pod by a single label instead.

use k8s_openapi::api::core::v1::{Pod, Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

use super::args::Args;
use super::{fetch, CommandOutput, Context, ResourceType, Targets};
use crate::cluster::Cluster;

const FLAGS: &[&str] = &[
    "--port",
    "--target-port",
    "--name",
    "--selector",
    "--type",
    "--protocol",
    "-l",
    "--labels",
    "--cluster-ip",
];

const SERVICE_TYPES: [&str; 4] = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];

/// `validation.DNS1035LabelMaxLength`: a default name longer than this is cut.
const SERVICE_NAME_MAX: usize = 63;

pub fn expose(cluster: &mut Cluster, args: &Args, context: &Context) -> CommandOutput {
    if let Err(output) = args.reject_unknown("expose", FLAGS) {
        return output;
    }
    let (kind, name) = match Targets::single(&args.positional) {
        Ok(target) => target,
        Err(output) => return output,
    };
    let exposed = match Exposed::read(cluster, kind, context.namespace, &name) {
        Ok(exposed) => exposed,
        Err(output) => return output,
    };
    let service = match new_service(args, &name, &exposed) {
        Ok(service) => service,
        Err(message) => return CommandOutput::error(message),
    };
    let service_name = service.metadata.name.clone().unwrap_or_default();
    let service = Service {
        metadata: ObjectMeta {
            namespace: Some(context.namespace.to_string()),
            ..service.metadata
        },
        ..service
    };
    match cluster.with_store(|store| store.create(service)) {
        Ok(_) => CommandOutput::ok(format!("service/{service_name} exposed\n")),
        Err(error) => CommandOutput::error(super::errors::from_server(&error)),
    }
}

/// What `expose` reads from the object it exposes (`polymorphichelpers`' introspection).
struct Exposed {
    labels: BTreeMap<String, String>,
    /// `MapBasedSelectorForObject`: a pod's labels, a Service's selector.
    selector: Result<BTreeMap<String, String>, String>,
    /// `PortsForObject` with `ProtocolsForObject`: every port, in the object's order.
    ports: Vec<(i32, String)>,
}

impl Exposed {
    fn read(
        cluster: &Cluster,
        kind: ResourceType,
        namespace: &str,
        name: &str,
    ) -> Result<Exposed, CommandOutput> {
        match kind {
            ResourceType::Pods => {
                let pod = fetch::<Pod>(cluster, namespace, name)?;
                let labels = pod.metadata.labels.unwrap_or_default();
                let selector = if labels.is_empty() {
                    Err("the pod has no labels and cannot be exposed".to_string())
                } else {
                    Ok(labels.clone())
                };
                let ports = pod
                    .spec
                    .iter()
                    .flat_map(|spec| &spec.containers)
                    .flat_map(|c| c.ports.iter().flatten())
                    .map(|p| (p.container_port, protocol(p.protocol.as_deref())))
                    .collect();
                Ok(Exposed {
                    labels,
                    selector,
                    ports,
                })
            }
            ResourceType::Services => {
                let service = fetch::<Service>(cluster, namespace, name)?;
                let spec = service.spec.unwrap_or_default();
                let selector = spec
                    .selector
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| "the service has no pod selector set".to_string());
                let ports = spec
                    .ports
                    .iter()
                    .flatten()
                    .map(|p| (p.port, protocol(p.protocol.as_deref())))
                    .collect();
                Ok(Exposed {
                    labels: service.metadata.labels.unwrap_or_default(),
                    selector,
                    ports,
                })
            }
            // `CanBeExposed`: only pods, Services, ReplicationControllers, Deployments and ReplicaSets.
            other => Err(CommandOutput::error(format!(
                "error: cannot expose a {}",
                other.group_kind()
            ))),
        }
    }
}

fn protocol(given: Option<&str>) -> String {
    given.unwrap_or("TCP").to_string()
}

/// `createService`: the Service the flags and the exposed object describe.
fn new_service(args: &Args, exposed_name: &str, exposed: &Exposed) -> Result<Service, String> {
    let selector = match args.value(&["--selector"]) {
        Some(text) => parse_labels(text)?,
        None => exposed.selector.clone().map_err(|why| {
            format!(
                "error: couldn't retrieve selectors via --selector flag or introspection: {why}"
            )
        })?,
    };
    let labels = match args.value(&["-l", "--labels"]) {
        Some(text) => parse_labels(text)?,
        None => exposed.labels.clone(),
    };
    let name = match args.value(&["--name"]) {
        Some(name) => name.to_string(),
        None => exposed_name.chars().take(SERVICE_NAME_MAX).collect(),
    };
    let headless = args.value(&["--cluster-ip"]) == Some("None");
    let ports = service_ports(args, exposed, headless)?;
    let type_ = args.value(&["--type"]).map(str::to_string);
    if let Some(type_) = type_.as_deref().filter(|t| !SERVICE_TYPES.contains(t)) {
        let supported = SERVICE_TYPES.map(|t| format!("\"{t}\"")).join(", ");
        return Err(format!(
            "The Service \"{name}\" is invalid: spec.type: Unsupported value: \"{type_}\": supported values: {supported}"
        ));
    }
    Ok(Service {
        metadata: ObjectMeta {
            name: Some(name),
            labels: (!labels.is_empty()).then_some(labels),
            ..Default::default()
        },
        spec: Some(ServiceSpec {
            selector: Some(selector),
            ports: (!ports.is_empty()).then_some(ports),
            type_,
            cluster_ip: args.value(&["--cluster-ip"]).map(str::to_string),
            ..Default::default()
        }),
        status: None,
    })
}

/// `--port`, or every port of the exposed object (named `port-1`, `port-2`, … when there are several); each
/// targets `--target-port`, or the same number.
fn service_ports(
    args: &Args,
    exposed: &Exposed,
    headless: bool,
) -> Result<Vec<ServicePort>, String> {
    let given_protocol = args.value(&["--protocol"]);
    let ports: Vec<(i32, String)> = match args.value(&["--port"]) {
        Some(text) => {
            let port: i32 = text
                .parse()
                .map_err(|_| format!("error: invalid argument \"{text}\" for \"--port\" flag: strconv.ParseInt: parsing \"{text}\": invalid syntax"))?;
            let introspected = exposed
                .ports
                .iter()
                .find(|(p, _)| *p == port)
                .map(|(_, protocol)| protocol.clone());
            vec![(port, introspected.unwrap_or_else(|| "TCP".into()))]
        }
        None if exposed.ports.is_empty() && !headless => {
            return Err("error: couldn't find port via --port flag or introspection".into())
        }
        None => exposed.ports.clone(),
    };
    let target = args
        .value(&["--target-port"])
        .map(|text| match text.parse() {
            Ok(number) => IntOrString::Int(number),
            Err(_) => IntOrString::String(text.to_string()),
        });
    let several = ports.len() > 1;
    Ok(ports
        .into_iter()
        .enumerate()
        .map(|(index, (port, protocol))| ServicePort {
            name: several.then(|| format!("port-{}", index + 1)),
            port,
            protocol: Some(given_protocol.map_or(protocol, str::to_string)),
            target_port: Some(target.clone().unwrap_or(IntOrString::Int(port))),
            ..Default::default()
        })
        .collect())
}

/// `parseLabels`: `key=value` pairs separated by commas, nothing else.
fn parse_labels(text: &str) -> Result<BTreeMap<String, String>, String> {
    text.split(',')
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
            _ => Err(format!("error: invalid label spec: {pair}")),
        })
        .collect()
}
