//! k8s.io/kubectl/pkg/describe/describe.go's `describeContainers`, `printTolerationsMultiline` and
//! `DescribePodTemplate`: the parts of a pod spec that a pod and a pod template print alike.

use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStatus, EnvVar, Pod, PodSpec, PodTemplateSpec, Probe,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::volumes::describe_volumes;
use super::writer::{int_or_string, protocol, rfc1123z, Doc, NONE};
use crate::sort;

/// `DescribePodTemplate`, shared by the StatefulSet describer and `rollout history --revision`.
pub(crate) fn describe_pod_template(doc: &mut Doc, template: &PodTemplateSpec) {
    doc.write(0, "Pod Template:\n");
    let meta = template.metadata.clone().unwrap_or_default();
    let spec = template.spec.clone().unwrap_or_default();
    // Level 0 with the indent in the title, as upstream writes it: further labels line up at level 0.
    doc.labels(0, "  Labels", meta.labels.as_ref());
    if meta.annotations.as_ref().is_some_and(|a| !a.is_empty()) {
        doc.annotations("  Annotations", meta.annotations.as_ref());
    }
    if let Some(account) = spec.service_account_name.as_ref().filter(|a| !a.is_empty()) {
        doc.field(1, "Service Account", account);
    }
    describe_all_containers(doc, &spec, None, 1);
    describe_volumes(doc, spec.volumes.as_deref().unwrap_or_default(), 1);
    if let Some(class) = spec.priority_class_name.as_ref().filter(|c| !c.is_empty()) {
        doc.field(1, "Priority Class Name", class);
    }
    doc.labels(0, "  Node-Selectors", spec.node_selector.as_ref());
    tolerations_multiline(doc, "  Tolerations", &spec);
}

/// `printTolerationsMultiline`: by key, each as `key=value:effect`, with `op=Exists` and `for Ns` where they
/// apply.
pub(super) fn tolerations_multiline(doc: &mut Doc, title: &str, spec: &PodSpec) {
    let mut tolerations = spec.tolerations.clone().unwrap_or_default();
    sort::sort_by(&mut tolerations, |a, b| a.key.cmp(&b.key));
    let items = tolerations
        .iter()
        .map(|toleration| {
            let mut text = toleration.key.clone().unwrap_or_default();
            let value = toleration.value.as_deref().unwrap_or_default();
            let effect = toleration.effect.as_deref().unwrap_or_default();
            if !value.is_empty() {
                text.push_str(&format!("={value}"));
            }
            if !effect.is_empty() {
                text.push_str(&format!(":{effect}"));
            }
            if toleration.operator.as_deref() == Some("Exists") && value.is_empty() {
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str("op=Exists");
            }
            if let Some(seconds) = toleration.toleration_seconds {
                text.push_str(&format!(" for {seconds}s"));
            }
            text
        })
        .collect();
    doc.multiline(0, title, items);
}

/// The init containers, when there are any, then the containers: with their statuses and the values of their
/// downward-API variables when `pod` is given, bare for a template. A template's titles sit at `level` 1.
pub(super) fn describe_all_containers(
    doc: &mut Doc,
    spec: &PodSpec,
    pod: Option<&Pod>,
    level: usize,
) {
    let status = pod.and_then(|p| p.status.as_ref());
    if let Some(init) = spec.init_containers.as_ref().filter(|c| !c.is_empty()) {
        let statuses = status.and_then(|s| s.init_container_statuses.as_deref());
        describe_containers(doc, "Init Containers", init, statuses, pod, level);
    }
    let statuses = status.and_then(|s| s.container_statuses.as_deref());
    describe_containers(doc, "Containers", &spec.containers, statuses, pod, level);
}

/// `describeContainers`: the title at `level`; each container's name at level 1 (a space further in, in a
/// template) and its fields at level 2, whichever the title's.
fn describe_containers(
    doc: &mut Doc,
    label: &str,
    containers: &[Container],
    statuses: Option<&[ContainerStatus]>,
    pod: Option<&Pod>,
    level: usize,
) {
    let none = if containers.is_empty() { " <none>" } else { "" };
    doc.write(level, &format!("{label}:{none}\n"));
    let name_indent = if level > 0 { " " } else { "" };
    for container in containers {
        let status = statuses.and_then(|s| s.iter().find(|s| s.name == container.name));
        doc.write(1, &format!("{name_indent}{}:\n", container.name));
        if let Some(status) = status {
            let id = status.container_id.as_deref().unwrap_or_default();
            doc.field(2, "Container ID", id);
        }
        doc.field(2, "Image", container.image.as_deref().unwrap_or_default());
        if let Some(status) = status {
            doc.field(2, "Image ID", &status.image_id);
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
            doc.field(2, "Ready", if status.ready { "True" } else { "False" });
            doc.field(2, "Restart Count", status.restart_count);
        }
        describe_resources(doc, container);
        for (title, probe) in [
            ("Liveness", &container.liveness_probe),
            ("Readiness", &container.readiness_probe),
            ("Startup", &container.startup_probe),
        ] {
            if let Some(probe) = probe {
                doc.field(2, title, describe_probe(probe));
            }
        }
        describe_env(doc, container, pod);
        describe_mounts(doc, container);
    }
}

fn describe_ports(doc: &mut Doc, container: &Container) {
    let ports = container.ports.clone().unwrap_or_default();
    let container_ports: Vec<String> = ports
        .iter()
        .map(|p| format!("{}/{}", p.container_port, protocol(p.protocol.as_deref())))
        .collect();
    let host_ports: Vec<String> = ports
        .iter()
        .map(|p| {
            format!(
                "{}/{}",
                p.host_port.unwrap_or(0),
                protocol(p.protocol.as_deref())
            )
        })
        .collect();
    for (single, plural, list) in [
        ("Port", "Ports", container_ports),
        ("Host Port", "Host Ports", host_ports),
    ] {
        let joined = list.join(", ");
        if joined.contains(',') {
            doc.field(2, plural, joined);
        } else if joined.is_empty() {
            doc.field(2, single, NONE);
        } else {
            doc.field(2, single, joined);
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
    let time = |t: &Option<Time>| t.as_ref().map(rfc1123z).unwrap_or_default();
    if let Some(running) = &state.running {
        doc.field(2, name, "Running");
        doc.field(3, "Started", time(&running.started_at));
    } else if let Some(waiting) = &state.waiting {
        doc.field(2, name, "Waiting");
        if let Some(reason) = waiting.reason.as_ref().filter(|r| !r.is_empty()) {
            doc.field(3, "Reason", reason);
        }
    } else if let Some(terminated) = &state.terminated {
        doc.field(2, name, "Terminated");
        if let Some(reason) = terminated.reason.as_ref().filter(|r| !r.is_empty()) {
            doc.field(3, "Reason", reason);
        }
        if let Some(message) = terminated.message.as_ref().filter(|m| !m.is_empty()) {
            doc.field(3, "Message", message);
        }
        doc.field(3, "Exit Code", terminated.exit_code);
        if let Some(signal) = terminated.signal.filter(|s| *s > 0) {
            doc.field(3, "Signal", signal);
        }
        doc.field(3, "Started", time(&terminated.started_at));
        doc.field(3, "Finished", time(&terminated.finished_at));
    } else {
        doc.field(2, name, "Waiting");
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
            doc.field(3, &name, quantity.0);
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
            int_or_string(&http.port),
            http.path.clone().unwrap_or_default()
        )
    } else if let Some(tcp) = &probe.tcp_socket {
        format!(
            "tcp-socket {}:{} {attributes}",
            tcp.host.clone().unwrap_or_default(),
            int_or_string(&tcp.port)
        )
    } else {
        format!("unknown {attributes}")
    }
}

fn describe_env(doc: &mut Doc, container: &Container, pod: Option<&Pod>) {
    let env = container.env.clone().unwrap_or_default();
    if !doc.section(2, "Environment", !env.is_empty()) {
        return;
    }
    for variable in env {
        let Some(from) = &variable.value_from else {
            let value = variable.value.clone().unwrap_or_default();
            for (index, line) in value.split('\n').enumerate() {
                if index == 0 {
                    doc.field(3, &variable.name, line);
                } else {
                    doc.write(3, &format!("\t{line}\n"));
                }
            }
            continue;
        };
        if let Some(field) = &from.field_ref {
            let value = pod.map(|p| resolve_field(p, &variable)).unwrap_or_default();
            let version = field.api_version.as_deref().unwrap_or("v1");
            let path = &field.field_path;
            doc.field(3, &variable.name, format!("{value} ({version}:{path})"));
        } else if let Some(secret) = &from.secret_key_ref {
            doc.field(
                3,
                &variable.name,
                format!(
                    "<set to the key '{}' in secret '{}'>\tOptional: {}",
                    secret.key,
                    secret.name,
                    secret.optional.unwrap_or(false)
                ),
            );
        } else if let Some(map) = &from.config_map_key_ref {
            doc.field(
                3,
                &variable.name,
                format!(
                    "<set to the key '{}' of config map '{}'>\tOptional: {}",
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
    if !doc.section(2, "Mounts", !mounts.is_empty()) {
        return;
    }
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
