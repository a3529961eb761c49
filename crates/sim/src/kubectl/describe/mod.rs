//! `kubectl describe` (`pkg/describe/describe.go`): the same lines, in the same order, through the same
//! tabwriter, with the `Events:` table built from the events the store holds for the object.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStatus, EnvVar, Event, PersistentVolume,
    PersistentVolumeClaim, Pod, PodTemplateSpec, Probe, Service, Volume,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, Time};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

use super::args::Args;
use super::printers::{access_modes, Printable};
use super::tabwriter::align;
use super::{key_of, not_found, CommandOutput, Context, KindVisitor, Targets};
use crate::api::apply::LAST_APPLIED_ANNOTATION;
use crate::cluster::Cluster;
use crate::object::get_controller_of;
use crate::sort;
use crate::time::{human_duration, SimTime};

/// Text written through kubectl's `PrefixWriter`, cut into the chunks its tabwriter aligns separately.
#[derive(Default)]
pub struct Doc {
    chunks: Vec<String>,
    current: String,
}

impl Doc {
    /// `PrefixWriter.Write`: two spaces per level, then the text.
    fn write(&mut self, level: usize, text: &str) {
        self.current.push_str(&"  ".repeat(level));
        self.current.push_str(text);
    }

    fn flush(&mut self) {
        self.chunks.push(std::mem::take(&mut self.current));
    }

    /// What `describe` prints: each chunk aligned by the tabwriter.
    fn aligned(mut self) -> String {
        self.flush();
        self.chunks.iter().map(|c| align(c)).collect()
    }

    /// What `rollout history --revision` prints: the same text without a tabwriter, tabs and all.
    pub fn raw(mut self) -> String {
        self.flush();
        self.chunks.concat()
    }
}

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

// --- events --------------------------------------------------------------------------------------------------

/// `searchEvents`: events whose involvedObject is this object (name, namespace and uid; the kind too, except
/// for pods, whose reference the pod describer clears).
///
/// Not generic over the kind, so the wasm holds one copy of it rather than one per kind.
fn events_for(cluster: &Cluster, meta: &ObjectMeta, kind: &str) -> Vec<Event> {
    let mut events: Vec<&Event> = cluster
        .store()
        .list::<Event>()
        .filter(|e| {
            let involved = &e.involved_object;
            involved.name == meta.name
                && involved.namespace.clone().unwrap_or_default()
                    == meta.namespace.clone().unwrap_or_default()
                && involved.uid == meta.uid
                && (kind == "Pod" || involved.kind.as_deref() == Some(kind))
        })
        .collect();
    sort::sort_by_key(&mut events, |e| {
        e.last_timestamp.as_ref().map(SimTime::from_k8s)
    });
    events.into_iter().cloned().collect()
}

struct EventTable {
    events: Vec<Event>,
    now: SimTime,
}

impl EventTable {
    /// `DescribeEvents`: a separate tabwriter block, oldest first, repeats as `(xN over AGE)`.
    fn write(&self, doc: &mut Doc) {
        if self.events.is_empty() {
            doc.write(0, "Events:\t<none>\n");
            return;
        }
        doc.flush();
        doc.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
        doc.write(1, "----\t------\t----\t----\t-------\n");
        for event in &self.events {
            let first = since(event.first_timestamp.as_ref(), self.now);
            let count = event.count.unwrap_or(1);
            let interval = if count > 1 {
                format!(
                    "{} (x{count} over {first})",
                    since(event.last_timestamp.as_ref(), self.now)
                )
            } else {
                first
            };
            let source = event
                .source
                .as_ref()
                .and_then(|s| s.component.clone())
                .filter(|c| !c.is_empty())
                .or_else(|| event.reporting_component.clone())
                .unwrap_or_default();
            doc.write(
                1,
                &format!(
                    "{}\t{}\t{interval}\t{source}\t{}\n",
                    event.type_.clone().unwrap_or_default(),
                    event.reason.clone().unwrap_or_default(),
                    event.message.clone().unwrap_or_default().trim()
                ),
            );
        }
    }
}

/// `translateTimestampSince`.
fn since(time: Option<&Time>, now: SimTime) -> String {
    match time {
        Some(time) => human_duration(now.0.saturating_sub(SimTime::from_k8s(time).0)),
        None => "<unknown>".into(),
    }
}

// --- shared pieces -------------------------------------------------------------------------------------------

/// Go's `time.RFC1123Z`; simulated time is UTC.
pub fn rfc1123z(time: &Time) -> String {
    time.0.strftime("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

/// `printLabelsMultilineWithIndent`.
fn labels_multiline(
    doc: &mut Doc,
    initial_indent: &str,
    title: &str,
    labels: Option<&BTreeMap<String, String>>,
) {
    doc.write(0, &format!("{initial_indent}{title}:\t"));
    let labels = labels.cloned().unwrap_or_default();
    if labels.is_empty() {
        doc.write(0, "<none>\n");
        return;
    }
    for (index, (key, value)) in labels.iter().enumerate() {
        if index > 0 {
            doc.write(0, &format!("{initial_indent}\t"));
        }
        doc.write(0, &format!("{key}={value}\n"));
    }
}

/// `printAnnotationsMultiline`: the last-applied annotation is skipped; long or multi-line values go on
/// their own lines.
fn annotations_multiline(
    doc: &mut Doc,
    title: &str,
    annotations: Option<&BTreeMap<String, String>>,
) {
    const MAX_ANNOTATION_LEN: usize = 140;
    doc.write(0, &format!("{title}:\t"));
    let annotations: Vec<(&String, &String)> = annotations
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != LAST_APPLIED_ANNOTATION)
        .collect();
    if annotations.is_empty() {
        doc.write(0, "<none>\n");
        return;
    }
    for (index, (key, value)) in annotations.into_iter().enumerate() {
        if index > 0 {
            doc.write(0, "\t");
        }
        let value = value.strip_suffix('\n').unwrap_or(value);
        if value.len() + key.len() + 2 > MAX_ANNOTATION_LEN || value.contains('\n') {
            doc.write(0, &format!("{key}:\n"));
            for line in value.split('\n') {
                let shortened = if line.len() > MAX_ANNOTATION_LEN - 2 {
                    format!("{}...", &line[..MAX_ANNOTATION_LEN - 2])
                } else {
                    line.to_string()
                };
                doc.write(0, &format!("\t  {shortened}\n"));
            }
        } else {
            doc.write(0, &format!("{key}: {value}\n"));
        }
    }
}

fn go_string_list(items: Option<&Vec<String>>) -> String {
    format!("[{}]", items.map(|i| i.join(" ")).unwrap_or_default())
}

/// `labels.Selector.String()` of a label selector: `app=nginx,tier in (a,b)`.
pub fn selector_string(selector: &LabelSelector) -> String {
    let mut parts: Vec<String> = selector
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for expression in selector.match_expressions.iter().flatten() {
        let values = expression.values.clone().unwrap_or_default().join(",");
        parts.push(match expression.operator.as_str() {
            "In" => format!("{} in ({values})", expression.key),
            "NotIn" => format!("{} notin ({values})", expression.key),
            "Exists" => expression.key.clone(),
            _ => format!("!{}", expression.key),
        });
    }
    parts.sort();
    parts.join(",")
}

fn controlled_by(meta: &ObjectMeta) -> Option<String> {
    get_controller_of(meta).map(|o| format!("{}/{}", o.kind, o.name))
}

/// The StorageClass and Status lines claims and volumes share: a deleted one is Terminating, and for how long.
fn write_class_and_status(
    doc: &mut Doc,
    meta: &ObjectMeta,
    class: Option<&str>,
    phase: Option<&str>,
    now: SimTime,
) {
    doc.write(
        0,
        &format!("StorageClass:\t{}\n", class.unwrap_or_default()),
    );
    let status = match &meta.deletion_timestamp {
        Some(deleted) => format!("Terminating (lasts {})", since(Some(deleted), now)),
        None => phase.unwrap_or_default().to_string(),
    };
    doc.write(0, &format!("Status:\t{status}\n"));
}

/// The first two lines of every namespaced describe.
fn write_name_and_namespace(doc: &mut Doc, meta: &ObjectMeta) {
    doc.write(
        0,
        &format!("Name:\t{}\n", meta.name.clone().unwrap_or_default()),
    );
    doc.write(
        0,
        &format!(
            "Namespace:\t{}\n",
            meta.namespace.clone().unwrap_or_default()
        ),
    );
}

// --- pods ------------------------------------------------------------------------------------------------------

fn describe_pod(pod: &Pod, events: &EventTable, now: SimTime) -> String {
    let mut doc = Doc::default();
    let meta = &pod.metadata;
    let spec = pod.spec.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();
    write_name_and_namespace(&mut doc, meta);
    if let Some(priority) = spec.priority {
        doc.write(0, &format!("Priority:\t{priority}\n"));
    }
    if let Some(account) = spec.service_account_name.as_ref().filter(|a| !a.is_empty()) {
        doc.write(0, &format!("Service Account:\t{account}\n"));
    }
    match spec.node_name.as_ref().filter(|n| !n.is_empty()) {
        Some(node) => doc.write(
            0,
            &format!(
                "Node:\t{node}/{}\n",
                status.host_ip.clone().unwrap_or_default()
            ),
        ),
        None => doc.write(0, "Node:\t<none>\n"),
    }
    if let Some(start) = &status.start_time {
        doc.write(0, &format!("Start Time:\t{}\n", rfc1123z(start)));
    }
    labels_multiline(&mut doc, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut doc, "Annotations", meta.annotations.as_ref());
    let phase = status.phase.clone().unwrap_or_default();
    match &meta.deletion_timestamp {
        Some(deleted) if phase != "Failed" && phase != "Succeeded" => {
            doc.write(
                0,
                &format!(
                    "Status:\tTerminating (lasts {})\n",
                    since(Some(deleted), now)
                ),
            );
            doc.write(
                0,
                &format!(
                    "Termination Grace Period:\t{}s\n",
                    meta.deletion_grace_period_seconds.unwrap_or(0)
                ),
            );
        }
        _ => doc.write(0, &format!("Status:\t{phase}\n")),
    }
    if let Some(reason) = status.reason.as_ref().filter(|r| !r.is_empty()) {
        doc.write(0, &format!("Reason:\t{reason}\n"));
    }
    if let Some(message) = status.message.as_ref().filter(|m| !m.is_empty()) {
        doc.write(0, &format!("Message:\t{message}\n"));
    }
    doc.write(
        0,
        &format!("IP:\t{}\n", status.pod_ip.clone().unwrap_or_default()),
    );
    let ips = status.pod_ips.clone().unwrap_or_default();
    if ips.is_empty() {
        doc.write(0, "IPs:\t<none>\n");
    } else {
        doc.write(0, "IPs:\n");
        for ip in ips {
            doc.write(1, &format!("IP:\t{}\n", ip.ip));
        }
    }
    if let Some(owner) = controlled_by(meta) {
        doc.write(0, &format!("Controlled By:\t{owner}\n"));
    }
    if let Some(nominated) = status
        .nominated_node_name
        .as_ref()
        .filter(|n| !n.is_empty())
    {
        doc.write(0, &format!("NominatedNodeName:\t{nominated}\n"));
    }
    if let Some(init) = spec.init_containers.as_ref().filter(|c| !c.is_empty()) {
        let statuses = status.init_container_statuses.clone().unwrap_or_default();
        describe_containers(
            &mut doc,
            "Init Containers",
            init,
            Some(&statuses),
            Some(pod),
            "",
        );
    }
    let statuses = status.container_statuses.clone().unwrap_or_default();
    describe_containers(
        &mut doc,
        "Containers",
        &spec.containers,
        Some(&statuses),
        Some(pod),
        "",
    );
    let conditions = status.conditions.clone().unwrap_or_default();
    if !conditions.is_empty() {
        doc.write(0, "Conditions:\n  Type\tStatus\n");
        for condition in conditions {
            doc.write(1, &format!("{} \t{} \n", condition.type_, condition.status));
        }
    }
    describe_volumes(&mut doc, spec.volumes.as_deref().unwrap_or_default(), "");
    doc.write(
        0,
        &format!(
            "QoS Class:\t{}\n",
            status.qos_class.clone().unwrap_or_default()
        ),
    );
    labels_multiline(&mut doc, "", "Node-Selectors", spec.node_selector.as_ref());
    tolerations_multiline(&mut doc, "Tolerations", &spec);
    events.write(&mut doc);
    doc.aligned()
}

fn tolerations_multiline(doc: &mut Doc, title: &str, spec: &k8s_openapi::api::core::v1::PodSpec) {
    doc.write(0, &format!("{title}:\t"));
    let mut tolerations = spec.tolerations.clone().unwrap_or_default();
    if tolerations.is_empty() {
        doc.write(0, "<none>\n");
        return;
    }
    sort::sort_by(&mut tolerations, |a, b| a.key.cmp(&b.key));
    for (index, toleration) in tolerations.iter().enumerate() {
        if index > 0 {
            doc.write(0, "\t");
        }
        let mut text = toleration.key.clone().unwrap_or_default();
        let value = toleration.value.clone().unwrap_or_default();
        let effect = toleration.effect.clone().unwrap_or_default();
        if !value.is_empty() {
            text.push_str(&format!("={value}"));
        }
        if !effect.is_empty() {
            text.push_str(&format!(":{effect}"));
        }
        if toleration.operator.as_deref() == Some("Exists") && value.is_empty() {
            if text.is_empty() {
                text.push_str("op=Exists");
            } else {
                text.push_str(" op=Exists");
            }
        }
        if let Some(seconds) = toleration.toleration_seconds {
            text.push_str(&format!(" for {seconds}s"));
        }
        doc.write(0, &format!("{text}\n"));
    }
}

/// `describeContainers`; `statuses` is `None` for pod templates, which have no status at all.
fn describe_containers(
    doc: &mut Doc,
    label: &str,
    containers: &[Container],
    statuses: Option<&[ContainerStatus]>,
    pod: Option<&Pod>,
    space: &str,
) {
    let none = if containers.is_empty() { " <none>" } else { "" };
    doc.write(0, &format!("{space}{label}:{none}\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for container in containers {
        let status = statuses.and_then(|s| s.iter().find(|s| s.name == container.name));
        doc.write(1, &format!("{name_indent}{}:\n", container.name));
        if let Some(status) = status {
            doc.write(
                2,
                &format!(
                    "Container ID:\t{}\n",
                    status.container_id.clone().unwrap_or_default()
                ),
            );
        }
        doc.write(
            2,
            &format!("Image:\t{}\n", container.image.clone().unwrap_or_default()),
        );
        if let Some(status) = status {
            doc.write(2, &format!("Image ID:\t{}\n", status.image_id));
        }
        describe_ports(doc, container);
        describe_command(doc, container);
        if let Some(status) = status {
            describe_state(doc, "State", status.state.as_ref());
            if let Some(last) = status
                .last_state
                .as_ref()
                .filter(|s| s.terminated.is_some())
            {
                describe_state(doc, "Last State", Some(last));
            }
            doc.write(
                2,
                &format!("Ready:\t{}\n", if status.ready { "True" } else { "False" }),
            );
            doc.write(2, &format!("Restart Count:\t{}\n", status.restart_count));
        }
        describe_resources(doc, container);
        for (title, probe) in [
            ("Liveness", &container.liveness_probe),
            ("Readiness", &container.readiness_probe),
            ("Startup", &container.startup_probe),
        ] {
            if let Some(probe) = probe {
                doc.write(2, &format!("{title}:\t{}\n", describe_probe(probe)));
            }
        }
        describe_env(doc, container, pod);
        describe_mounts(doc, container);
    }
}

fn describe_ports(doc: &mut Doc, container: &Container) {
    let ports = container.ports.clone().unwrap_or_default();
    let protocol = |p: &k8s_openapi::api::core::v1::ContainerPort| {
        p.protocol.clone().unwrap_or_else(|| "TCP".into())
    };
    let container_ports: Vec<String> = ports
        .iter()
        .map(|p| format!("{}/{}", p.container_port, protocol(p)))
        .collect();
    let host_ports: Vec<String> = ports
        .iter()
        .map(|p| format!("{}/{}", p.host_port.unwrap_or(0), protocol(p)))
        .collect();
    for (single, plural, list) in [
        ("Port", "Ports", container_ports),
        ("Host Port", "Host Ports", host_ports),
    ] {
        let joined = list.join(", ");
        if joined.contains(',') {
            doc.write(2, &format!("{plural}:\t{joined}\n"));
        } else if joined.is_empty() {
            doc.write(2, &format!("{single}:\t<none>\n"));
        } else {
            doc.write(2, &format!("{single}:\t{joined}\n"));
        }
    }
}

fn describe_command(doc: &mut Doc, container: &Container) {
    for (title, words) in [("Command", &container.command), ("Args", &container.args)] {
        let Some(words) = words.as_ref().filter(|w| !w.is_empty()) else {
            continue;
        };
        doc.write(2, &format!("{title}:\n"));
        for line in words.iter().flat_map(|w| w.split('\n')) {
            doc.write(3, &format!("{line}\n"));
        }
    }
}

fn describe_state(doc: &mut Doc, name: &str, state: Option<&ContainerState>) {
    let state = state.cloned().unwrap_or_default();
    if let Some(running) = &state.running {
        doc.write(2, &format!("{name}:\tRunning\n"));
        let started = running
            .started_at
            .as_ref()
            .map(rfc1123z)
            .unwrap_or_default();
        doc.write(3, &format!("Started:\t{started}\n"));
    } else if let Some(waiting) = &state.waiting {
        doc.write(2, &format!("{name}:\tWaiting\n"));
        if let Some(reason) = waiting.reason.as_ref().filter(|r| !r.is_empty()) {
            doc.write(3, &format!("Reason:\t{reason}\n"));
        }
    } else if let Some(terminated) = &state.terminated {
        doc.write(2, &format!("{name}:\tTerminated\n"));
        if let Some(reason) = terminated.reason.as_ref().filter(|r| !r.is_empty()) {
            doc.write(3, &format!("Reason:\t{reason}\n"));
        }
        if let Some(message) = terminated.message.as_ref().filter(|m| !m.is_empty()) {
            doc.write(3, &format!("Message:\t{message}\n"));
        }
        doc.write(3, &format!("Exit Code:\t{}\n", terminated.exit_code));
        if let Some(signal) = terminated.signal.filter(|s| *s > 0) {
            doc.write(3, &format!("Signal:\t{signal}\n"));
        }
        let time = |t: &Option<Time>| t.as_ref().map(rfc1123z).unwrap_or_default();
        doc.write(3, &format!("Started:\t{}\n", time(&terminated.started_at)));
        doc.write(
            3,
            &format!("Finished:\t{}\n", time(&terminated.finished_at)),
        );
    } else {
        doc.write(2, &format!("{name}:\tWaiting\n"));
    }
}

fn describe_resources(doc: &mut Doc, container: &Container) {
    let resources = container.resources.clone().unwrap_or_default();
    for (title, list) in [
        ("Limits", resources.limits),
        ("Requests", resources.requests),
    ] {
        let list = list.unwrap_or_default();
        if list.is_empty() {
            continue;
        }
        doc.write(2, &format!("{title}:\n"));
        for (name, quantity) in list {
            doc.write(3, &format!("{name}:\t{}\n", quantity.0));
        }
    }
}

/// `DescribeProbe`, with the apiserver's probe defaults for fields the manifest left out.
fn describe_probe(probe: &Probe) -> String {
    let attributes = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        probe.initial_delay_seconds.unwrap_or(0),
        probe.timeout_seconds.unwrap_or(1),
        probe.period_seconds.unwrap_or(10),
        probe.success_threshold.unwrap_or(1),
        probe.failure_threshold.unwrap_or(3)
    );
    let port = |port: &IntOrString| match port {
        IntOrString::Int(n) => n.to_string(),
        IntOrString::String(s) => s.clone(),
    };
    if let Some(exec) = &probe.exec {
        format!(
            "exec [{}] {attributes}",
            exec.command.clone().unwrap_or_default().join(" ")
        )
    } else if let Some(http) = &probe.http_get {
        let scheme = http
            .scheme
            .clone()
            .unwrap_or_else(|| "HTTP".into())
            .to_lowercase();
        format!(
            "http-get {scheme}://{}:{}{} {attributes}",
            http.host.clone().unwrap_or_default(),
            port(&http.port),
            http.path.clone().unwrap_or_default()
        )
    } else if let Some(tcp) = &probe.tcp_socket {
        format!(
            "tcp-socket {}:{} {attributes}",
            tcp.host.clone().unwrap_or_default(),
            port(&tcp.port)
        )
    } else {
        format!("unknown {attributes}")
    }
}

fn describe_env(doc: &mut Doc, container: &Container, pod: Option<&Pod>) {
    let env = container.env.clone().unwrap_or_default();
    if env.is_empty() {
        doc.write(2, "Environment:\t<none>\n");
        return;
    }
    doc.write(2, "Environment:\n");
    for variable in env {
        let Some(from) = &variable.value_from else {
            let value = variable.value.clone().unwrap_or_default();
            for (index, line) in value.split('\n').enumerate() {
                if index == 0 {
                    doc.write(3, &format!("{}:\t{line}\n", variable.name));
                } else {
                    doc.write(3, &format!("\t{line}\n"));
                }
            }
            continue;
        };
        if let Some(field) = &from.field_ref {
            let value = pod.map(|p| resolve_field(p, &variable)).unwrap_or_default();
            let version = field.api_version.clone().unwrap_or_else(|| "v1".into());
            doc.write(
                3,
                &format!(
                    "{}:\t{value} ({version}:{})\n",
                    variable.name, field.field_path
                ),
            );
        } else if let Some(secret) = &from.secret_key_ref {
            doc.write(
                3,
                &format!(
                    "{}:\t<set to the key '{}' in secret '{}'>\tOptional: {}\n",
                    variable.name,
                    secret.key,
                    secret.name,
                    secret.optional.unwrap_or(false)
                ),
            );
        } else if let Some(map) = &from.config_map_key_ref {
            doc.write(
                3,
                &format!(
                    "{}:\t<set to the key '{}' of config map '{}'>\tOptional: {}\n",
                    variable.name,
                    map.key,
                    map.name,
                    map.optional.unwrap_or(false)
                ),
            );
        }
    }
}

/// The downward-API fields a pod's environment can name.
fn resolve_field(pod: &Pod, variable: &EnvVar) -> String {
    let path = variable
        .value_from
        .as_ref()
        .and_then(|f| f.field_ref.as_ref())
        .map(|f| f.field_path.as_str())
        .unwrap_or_default();
    let spec = pod.spec.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();
    match path {
        "metadata.name" => pod.metadata.name.clone(),
        "metadata.namespace" => pod.metadata.namespace.clone(),
        "metadata.uid" => pod.metadata.uid.clone(),
        "spec.nodeName" => spec.node_name,
        "spec.serviceAccountName" => spec.service_account_name,
        "status.podIP" => status.pod_ip,
        "status.hostIP" => status.host_ip,
        _ => None,
    }
    .unwrap_or_default()
}

fn describe_mounts(doc: &mut Doc, container: &Container) {
    let mut mounts = container.volume_mounts.clone().unwrap_or_default();
    if mounts.is_empty() {
        doc.write(2, "Mounts:\t<none>\n");
        return;
    }
    doc.write(2, "Mounts:\n");
    sort::sort_by(&mut mounts, |a, b| a.mount_path.cmp(&b.mount_path));
    for mount in mounts {
        let mut flags = vec![if mount.read_only.unwrap_or(false) {
            "ro"
        } else {
            "rw"
        }
        .to_string()];
        if let Some(sub_path) = mount.sub_path.as_ref().filter(|s| !s.is_empty()) {
            flags.push(format!("path={sub_path:?}"));
        }
        doc.write(
            3,
            &format!(
                "{} from {} ({})\n",
                mount.mount_path,
                mount.name,
                flags.join(",")
            ),
        );
    }
}

fn describe_volumes(doc: &mut Doc, volumes: &[Volume], space: &str) {
    if volumes.is_empty() {
        doc.write(0, &format!("{space}Volumes:\t<none>\n"));
        return;
    }
    doc.write(0, &format!("{space}Volumes:\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for volume in volumes {
        doc.write(1, &format!("{name_indent}{}:\n", volume.name));
        if let Some(claim) = &volume.persistent_volume_claim {
            doc.write(2, &format!(
                "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t{}\n    ReadOnly:\t{}\n",
                claim.claim_name,
                claim.read_only.unwrap_or(false)
            ));
        } else if let Some(empty_dir) = &volume.empty_dir {
            let limit = empty_dir
                .size_limit
                .as_ref()
                .map_or("<unset>".to_string(), |q| q.0.clone());
            doc.write(2, &format!(
                "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t{}\n    SizeLimit:\t{limit}\n",
                empty_dir.medium.clone().unwrap_or_default()
            ));
        } else if let Some(map) = &volume.config_map {
            doc.write(2, &format!(
                "Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t{}\n    Optional:\t{}\n",
                map.name,
                map.optional.unwrap_or(false)
            ));
        } else if let Some(secret) = &volume.secret {
            doc.write(2, &format!(
                "Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t{}\n    Optional:\t{}\n",
                secret.secret_name.clone().unwrap_or_default(),
                secret.optional.unwrap_or(false)
            ));
        } else if let Some(host_path) = &volume.host_path {
            doc.write(2, &format!(
                "Type:\tHostPath (bare host directory volume)\n    Path:\t{}\n    HostPathType:\t{}\n",
                host_path.path,
                host_path.type_.clone().unwrap_or_else(|| "<none>".into())
            ));
        } else {
            doc.write(1, "<unknown>\n");
        }
    }
}

/// `DescribePodTemplate`, shared by the StatefulSet describer and `rollout history --revision`.
pub fn describe_pod_template(doc: &mut Doc, template: &PodTemplateSpec) {
    doc.write(0, "Pod Template:\n");
    let meta = template.metadata.clone().unwrap_or_default();
    let spec = template.spec.clone().unwrap_or_default();
    labels_multiline(doc, "", "  Labels", meta.labels.as_ref());
    if meta.annotations.as_ref().is_some_and(|a| !a.is_empty()) {
        annotations_multiline(doc, "  Annotations", meta.annotations.as_ref());
    }
    if let Some(account) = spec.service_account_name.as_ref().filter(|a| !a.is_empty()) {
        doc.write(1, &format!("Service Account:\t{account}\n"));
    }
    if let Some(init) = spec.init_containers.as_ref().filter(|c| !c.is_empty()) {
        describe_containers(doc, "Init Containers", init, None, None, "  ");
    }
    describe_containers(doc, "Containers", &spec.containers, None, None, "  ");
    describe_volumes(doc, spec.volumes.as_deref().unwrap_or_default(), "  ");
    if let Some(class) = spec.priority_class_name.as_ref().filter(|c| !c.is_empty()) {
        doc.write(1, &format!("Priority Class Name:\t{class}\n"));
    }
    labels_multiline(doc, "", "  Node-Selectors", spec.node_selector.as_ref());
    tolerations_multiline(doc, "  Tolerations", &spec);
}

// --- StatefulSets ------------------------------------------------------------------------------------------

fn describe_stateful_set(cluster: &Cluster, set: &StatefulSet, events: &EventTable) -> String {
    let mut doc = Doc::default();
    let meta = &set.metadata;
    let spec = set.spec.clone().unwrap_or_default();
    let status = set.status.clone().unwrap_or_default();
    write_name_and_namespace(&mut doc, meta);
    let created = meta
        .creation_timestamp
        .as_ref()
        .map(rfc1123z)
        .unwrap_or_default();
    doc.write(0, &format!("CreationTimestamp:\t{created}\n"));
    doc.write(
        0,
        &format!("Selector:\t{}\n", selector_string(&spec.selector)),
    );
    labels_multiline(&mut doc, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut doc, "Annotations", meta.annotations.as_ref());
    doc.write(
        0,
        &format!(
            "Replicas:\t{} desired | {} total\n",
            spec.replicas.unwrap_or(1),
            status.replicas
        ),
    );
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    doc.write(
        0,
        &format!(
            "Update Strategy:\t{}\n",
            strategy.type_.clone().unwrap_or_default()
        ),
    );
    if let Some(partition) = strategy.rolling_update.as_ref().and_then(|r| r.partition) {
        doc.write(1, &format!("Partition:\t{partition}\n"));
        if let Some(max) = strategy
            .rolling_update
            .as_ref()
            .and_then(|r| r.max_unavailable.as_ref())
        {
            let max = match max {
                IntOrString::Int(n) => n.to_string(),
                IntOrString::String(s) => s.clone(),
            };
            doc.write(1, &format!("MaxUnavailable:\t{max}\n"));
        }
    }
    let [running, waiting, succeeded, failed] = pod_phase_counts(cluster, set);
    doc.write(
        0,
        &format!("Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n"),
    );
    describe_pod_template(&mut doc, &spec.template);
    describe_claim_templates(
        &mut doc,
        spec.volume_claim_templates.as_deref().unwrap_or_default(),
    );
    events.write(&mut doc);
    doc.aligned()
}

/// `getPodStatusForController`: the set's own pods (by selector and controller uid), by phase.
fn pod_phase_counts(cluster: &Cluster, set: &StatefulSet) -> [usize; 4] {
    let namespace = set.metadata.namespace.clone().unwrap_or_default();
    let selector = set.spec.clone().unwrap_or_default().selector;
    let mut counts = [0; 4];
    for pod in cluster.store().list_namespace::<Pod>(&namespace) {
        let labels = pod.metadata.labels.clone().unwrap_or_default();
        let owned = get_controller_of(&pod.metadata)
            .is_some_and(|o| Some(&o.uid) == set.metadata.uid.as_ref());
        if !owned || !crate::labels::selector_matches(&selector, &labels) {
            continue;
        }
        let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref());
        let index = match phase {
            Some("Running") => 0,
            Some("Pending") => 1,
            Some("Succeeded") => 2,
            Some("Failed") => 3,
            _ => continue,
        };
        counts[index] += 1;
    }
    counts
}

fn describe_claim_templates(doc: &mut Doc, templates: &[PersistentVolumeClaim]) {
    if templates.is_empty() {
        doc.write(0, "Volume Claims:\t<none>\n");
        return;
    }
    doc.write(0, "Volume Claims:\n");
    for claim in templates {
        let spec = claim.spec.clone().unwrap_or_default();
        doc.write(
            1,
            &format!(
                "Name:\t{}\n",
                claim.metadata.name.clone().unwrap_or_default()
            ),
        );
        doc.write(
            1,
            &format!(
                "StorageClass:\t{}\n",
                spec.storage_class_name.clone().unwrap_or_default()
            ),
        );
        labels_multiline(doc, "  ", "Labels", claim.metadata.labels.as_ref());
        labels_multiline(
            doc,
            "  ",
            "Annotations",
            claim.metadata.annotations.as_ref(),
        );
        let capacity = spec
            .resources
            .as_ref()
            .and_then(|r| r.requests.as_ref())
            .and_then(|r| r.get("storage"))
            .map_or("<default>".to_string(), |q| q.0.clone());
        doc.write(1, &format!("Capacity:\t{capacity}\n"));
        doc.write(
            1,
            &format!(
                "Access Modes:\t{}\n",
                go_string_list(spec.access_modes.as_ref())
            ),
        );
    }
}

// --- storage -------------------------------------------------------------------------------------------------

fn describe_claim(cluster: &Cluster, claim: &PersistentVolumeClaim, events: &EventTable) -> String {
    let mut doc = Doc::default();
    let meta = &claim.metadata;
    let spec = claim.spec.clone().unwrap_or_default();
    let status = claim.status.clone().unwrap_or_default();
    let name = meta.name.clone().unwrap_or_default();
    doc.write(0, &format!("Name:\t{name}\n"));
    doc.write(
        0,
        &format!(
            "Namespace:\t{}\n",
            meta.namespace.clone().unwrap_or_default()
        ),
    );
    write_class_and_status(
        &mut doc,
        meta,
        spec.storage_class_name.as_deref(),
        status.phase.as_deref(),
        events.now,
    );
    let volume = spec.volume_name.clone().unwrap_or_default();
    doc.write(0, &format!("Volume:\t{volume}\n"));
    labels_multiline(&mut doc, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut doc, "Annotations", meta.annotations.as_ref());
    doc.write(
        0,
        &format!(
            "Finalizers:\t{}\n",
            go_string_list(meta.finalizers.as_ref())
        ),
    );
    let (capacity, modes) = if volume.is_empty() {
        (String::new(), String::new())
    } else {
        (
            status
                .capacity
                .as_ref()
                .and_then(|c| c.get("storage"))
                .map(|q| q.0.clone())
                .unwrap_or_default(),
            access_modes(status.access_modes.as_ref()),
        )
    };
    doc.write(0, &format!("Capacity:\t{capacity}\n"));
    doc.write(0, &format!("Access Modes:\t{modes}\n"));
    if let Some(mode) = &spec.volume_mode {
        doc.write(0, &format!("VolumeMode:\t{mode}\n"));
    }
    let namespace = meta.namespace.clone().unwrap_or_default();
    let mut users: Vec<String> = cluster
        .store()
        .list_namespace::<Pod>(&namespace)
        .filter(|pod| {
            pod.spec
                .as_ref()
                .and_then(|s| s.volumes.as_ref())
                .is_some_and(|v| {
                    v.iter().any(|v| {
                        v.persistent_volume_claim
                            .as_ref()
                            .is_some_and(|c| c.claim_name == name)
                    })
                })
        })
        .filter_map(|pod| pod.metadata.name.clone())
        .collect();
    users.sort();
    doc.write(0, "Used By:\t");
    if users.is_empty() {
        doc.write(0, "<none>\n");
    }
    for (index, user) in users.iter().enumerate() {
        if index > 0 {
            doc.write(0, "\t");
        }
        doc.write(0, &format!("{user}\n"));
    }
    events.write(&mut doc);
    doc.aligned()
}

fn describe_volume(volume: &PersistentVolume, events: &EventTable, now: SimTime) -> String {
    let mut doc = Doc::default();
    let meta = &volume.metadata;
    let spec = volume.spec.clone().unwrap_or_default();
    let status = volume.status.clone().unwrap_or_default();
    doc.write(
        0,
        &format!("Name:\t{}\n", meta.name.clone().unwrap_or_default()),
    );
    labels_multiline(&mut doc, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut doc, "Annotations", meta.annotations.as_ref());
    doc.write(
        0,
        &format!(
            "Finalizers:\t{}\n",
            go_string_list(meta.finalizers.as_ref())
        ),
    );
    write_class_and_status(
        &mut doc,
        meta,
        spec.storage_class_name.as_deref(),
        status.phase.as_deref(),
        now,
    );
    let claim = super::printers::claim_ref_name(&spec);
    doc.write(0, &format!("Claim:\t{claim}\n"));
    doc.write(
        0,
        &format!(
            "Reclaim Policy:\t{}\n",
            spec.persistent_volume_reclaim_policy
                .clone()
                .unwrap_or_default()
        ),
    );
    doc.write(
        0,
        &format!(
            "Access Modes:\t{}\n",
            access_modes(spec.access_modes.as_ref())
        ),
    );
    if let Some(mode) = &spec.volume_mode {
        doc.write(0, &format!("VolumeMode:\t{mode}\n"));
    }
    let capacity = spec
        .capacity
        .as_ref()
        .and_then(|c| c.get("storage"))
        .map(|q| q.0.clone())
        .unwrap_or_else(|| "0".into());
    doc.write(0, &format!("Capacity:\t{capacity}\n"));
    describe_node_affinity(&mut doc, &spec);
    doc.write(
        0,
        &format!("Message:\t{}\n", status.message.clone().unwrap_or_default()),
    );
    doc.write(0, "Source:\n");
    if let Some(host_path) = &spec.host_path {
        doc.write(
            2,
            &format!(
            "Type:\tHostPath (bare host directory volume)\n    Path:\t{}\n    HostPathType:\t{}\n",
            host_path.path,
            host_path.type_.clone().unwrap_or_else(|| "<none>".into())
        ),
        );
    } else if let Some(local) = &spec.local {
        doc.write(2, &format!(
            "Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n    Path:\t{}\n",
            local.path
        ));
    } else if let Some(nfs) = &spec.nfs {
        doc.write(2, &format!(
            "Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t{}\n    Path:\t{}\n    ReadOnly:\t{}\n",
            nfs.server,
            nfs.path,
            nfs.read_only.unwrap_or(false)
        ));
    } else {
        doc.write(1, "<unknown>\n");
    }
    events.write(&mut doc);
    doc.aligned()
}

fn describe_node_affinity(doc: &mut Doc, spec: &k8s_openapi::api::core::v1::PersistentVolumeSpec) {
    doc.write(0, "Node Affinity:\t");
    let Some(required) = spec
        .node_affinity
        .as_ref()
        .and_then(|a| a.required.as_ref())
    else {
        doc.write(0, "<none>\n");
        return;
    };
    doc.write(0, "\n");
    doc.write(1, "Required Terms:\t");
    if required.node_selector_terms.is_empty() {
        doc.write(0, "<none>\n");
        return;
    }
    doc.write(0, "\n");
    for (index, term) in required.node_selector_terms.iter().enumerate() {
        doc.write(2, &format!("Term {index}:\t"));
        let expressions = term.match_expressions.clone().unwrap_or_default();
        if expressions.is_empty() {
            doc.write(0, "<none>\n");
        }
        for (i, requirement) in expressions.iter().enumerate() {
            if i > 0 {
                doc.write(2, "\t");
            }
            let mut text = format!(
                "{} {}",
                requirement.key,
                requirement.operator.to_lowercase()
            );
            let values = requirement.values.clone().unwrap_or_default();
            if !values.is_empty() {
                text.push_str(&format!(" [{}]", values.join(", ")));
            }
            doc.write(0, &format!("{text}\n"));
        }
    }
}

fn describe_storage_class(class: &StorageClass, events: &EventTable) -> String {
    let mut doc = Doc::default();
    let annotations = class.metadata.annotations.clone().unwrap_or_default();
    let default = match annotations
        .get(crate::api::defaults::IS_DEFAULT_CLASS_ANNOTATION)
        .map(String::as_str)
    {
        Some("true") => "Yes",
        _ => "No",
    };
    let format_labels = |map: &BTreeMap<String, String>| {
        if map.is_empty() {
            "<none>".to_string()
        } else {
            map.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",")
        }
    };
    doc.write(
        0,
        &format!(
            "Name:\t{}\n",
            class.metadata.name.clone().unwrap_or_default()
        ),
    );
    doc.write(0, &format!("IsDefaultClass:\t{default}\n"));
    doc.write(
        0,
        &format!("Annotations:\t{}\n", format_labels(&annotations)),
    );
    doc.write(0, &format!("Provisioner:\t{}\n", class.provisioner));
    doc.write(
        0,
        &format!(
            "Parameters:\t{}\n",
            format_labels(&class.parameters.clone().unwrap_or_default())
        ),
    );
    let expansion =
        class
            .allow_volume_expansion
            .map_or("<unset>", |b| if b { "True" } else { "False" });
    doc.write(0, &format!("AllowVolumeExpansion:\t{expansion}\n"));
    doc.write(0, "MountOptions:\t<none>\n");
    if let Some(policy) = &class.reclaim_policy {
        doc.write(0, &format!("ReclaimPolicy:\t{policy}\n"));
    }
    if let Some(mode) = &class.volume_binding_mode {
        doc.write(0, &format!("VolumeBindingMode:\t{mode}\n"));
    }
    events.write(&mut doc);
    doc.aligned()
}

// --- networking ----------------------------------------------------------------------------------------------

fn describe_service(cluster: &Cluster, service: &Service, events: &EventTable) -> String {
    let mut doc = Doc::default();
    let meta = &service.metadata;
    let spec = service.spec.clone().unwrap_or_default();
    let name = meta.name.clone().unwrap_or_default();
    let namespace = meta.namespace.clone().unwrap_or_default();
    doc.write(0, &format!("Name:\t{name}\n"));
    doc.write(0, &format!("Namespace:\t{namespace}\n"));
    labels_multiline(&mut doc, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut doc, "Annotations", meta.annotations.as_ref());
    let selector = spec.selector.clone().unwrap_or_default();
    let selector = selector
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    doc.write(0, &format!("Selector:\t{selector}\n"));
    doc.write(
        0,
        &format!("Type:\t{}\n", spec.type_.clone().unwrap_or_default()),
    );
    if let Some(policy) = &spec.ip_family_policy {
        doc.write(0, &format!("IP Family Policy:\t{policy}\n"));
    }
    let families = spec.ip_families.clone().unwrap_or_default();
    let families = if families.is_empty() {
        "<none>".to_string()
    } else {
        families.join(",")
    };
    doc.write(0, &format!("IP Families:\t{families}\n"));
    doc.write(
        0,
        &format!("IP:\t{}\n", spec.cluster_ip.clone().unwrap_or_default()),
    );
    let ips = spec.cluster_ips.clone().unwrap_or_default();
    let ips = if ips.is_empty() {
        "<none>".to_string()
    } else {
        ips.join(",")
    };
    doc.write(0, &format!("IPs:\t{ips}\n"));
    let slices: Vec<&EndpointSlice> = cluster
        .store()
        .list_namespace::<EndpointSlice>(&namespace)
        .filter(|s| {
            s.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("kubernetes.io/service-name"))
                == Some(&name)
        })
        .collect();
    for port in spec.ports.clone().unwrap_or_default() {
        let port_name = port
            .name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "<unset>".into());
        let protocol = port.protocol.clone().unwrap_or_else(|| "TCP".into());
        doc.write(
            0,
            &format!("Port:\t{port_name}\t{}/{protocol}\n", port.port),
        );
        let target = match &port.target_port {
            Some(IntOrString::Int(n)) => n.to_string(),
            Some(IntOrString::String(s)) => s.clone(),
            None => port.port.to_string(),
        };
        doc.write(0, &format!("TargetPort:\t{target}/{protocol}\n"));
        if let Some(node_port) = port.node_port.filter(|p| *p != 0) {
            doc.write(
                0,
                &format!("NodePort:\t{port_name}\t{node_port}/{protocol}\n"),
            );
        }
        let endpoints = format_endpoint_slices(&slices, port.name.as_deref().unwrap_or_default());
        doc.write(0, &format!("Endpoints:\t{endpoints}\n"));
    }
    doc.write(
        0,
        &format!(
            "Session Affinity:\t{}\n",
            spec.session_affinity.clone().unwrap_or_default()
        ),
    );
    if let Some(policy) = spec.internal_traffic_policy.as_ref() {
        doc.write(0, &format!("Internal Traffic Policy:\t{policy}\n"));
    }
    events.write(&mut doc);
    doc.aligned()
}

/// `formatEndpointSlices` for one service port: ready addresses as `ip:port`, at most three and a count.
fn format_endpoint_slices(slices: &[&EndpointSlice], port_name: &str) -> String {
    if slices.is_empty() {
        return "<none>".into();
    }
    let mut list = Vec::new();
    for slice in slices {
        let ready: Vec<&str> = slice
            .endpoints
            .iter()
            .filter(|e| e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true))
            .filter_map(|e| e.addresses.first().map(String::as_str))
            .collect();
        let ports = slice.ports.clone().unwrap_or_default();
        if ports.is_empty() {
            list.extend(ready.iter().map(|a| a.to_string()));
            continue;
        }
        for port in ports
            .iter()
            .filter(|p| p.name.as_deref().unwrap_or_default() == port_name)
        {
            let number = port.port.unwrap_or(0);
            list.extend(ready.iter().map(|a| format!("{a}:{number}")));
        }
    }
    const MAX: usize = 3;
    if list.len() > MAX {
        format!("{} + {} more...", list[..MAX].join(","), list.len() - MAX)
    } else {
        list.join(",")
    }
}

fn describe_endpoint_slice(slice: &EndpointSlice, events: &EventTable) -> String {
    let mut doc = Doc::default();
    let meta = &slice.metadata;
    write_name_and_namespace(&mut doc, meta);
    labels_multiline(&mut doc, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut doc, "Annotations", meta.annotations.as_ref());
    doc.write(0, &format!("AddressType:\t{}\n", slice.address_type));
    let ports = slice.ports.clone().unwrap_or_default();
    if ports.is_empty() {
        doc.write(0, "Ports: <unset>\n");
    } else {
        doc.write(0, "Ports:\n");
        doc.write(1, "Name\tPort\tProtocol\n");
        doc.write(1, "----\t----\t--------\n");
        for port in ports {
            let name = port
                .name
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "<unset>".into());
            let number = port.port.map_or("<unset>".to_string(), |p| p.to_string());
            let protocol = port.protocol.clone().unwrap_or_else(|| "TCP".into());
            doc.write(1, &format!("{name}\t{number}\t{protocol}\n"));
        }
    }
    if slice.endpoints.is_empty() {
        doc.write(0, "Endpoints: <none>\n");
    } else {
        doc.write(0, "Endpoints:\n");
        for endpoint in &slice.endpoints {
            let addresses = if endpoint.addresses.is_empty() {
                "<none>".to_string()
            } else {
                endpoint.addresses.join(", ")
            };
            doc.write(1, &format!("- Addresses:\t{addresses}\n"));
            doc.write(2, "Conditions:\n");
            let ready = endpoint
                .conditions
                .as_ref()
                .and_then(|c| c.ready)
                .map_or("<unset>".to_string(), |r| r.to_string());
            doc.write(3, &format!("Ready:\t{ready}\n"));
            let unset = |v: &Option<String>| v.clone().unwrap_or_else(|| "<unset>".into());
            doc.write(2, &format!("Hostname:\t{}\n", unset(&endpoint.hostname)));
            if let Some(target) = &endpoint.target_ref {
                doc.write(
                    2,
                    &format!(
                        "TargetRef:\t{}/{}\n",
                        target.kind.clone().unwrap_or_default(),
                        target.name.clone().unwrap_or_default()
                    ),
                );
            }
            doc.write(2, &format!("NodeName:\t{}\n", unset(&endpoint.node_name)));
            doc.write(2, &format!("Zone:\t{}\n", unset(&endpoint.zone)));
        }
    }
    events.write(&mut doc);
    doc.aligned()
}
