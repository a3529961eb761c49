//! k8s.io/kubectl/pkg/describe/describe.go's `describeContainers`, `describeVolumes` and
//! `DescribePodTemplate`: what a pod and a pod template print alike.

use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStatus, EnvVar, Pod, PodTemplateSpec, Probe, Volume,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::writer::{annotations_multiline, labels_multiline, rfc1123z, Doc};
use crate::sort;

pub(super) fn tolerations_multiline(
    doc: &mut Doc,
    title: &str,
    spec: &k8s_openapi::api::core::v1::PodSpec,
) {
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
pub(super) fn describe_containers(
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

pub(super) fn describe_ports(doc: &mut Doc, container: &Container) {
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

pub(super) fn describe_command(doc: &mut Doc, container: &Container) {
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

pub(super) fn describe_state(doc: &mut Doc, name: &str, state: Option<&ContainerState>) {
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

pub(super) fn describe_resources(doc: &mut Doc, container: &Container) {
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
pub(super) fn describe_probe(probe: &Probe) -> String {
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

pub(super) fn describe_env(doc: &mut Doc, container: &Container, pod: Option<&Pod>) {
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
pub(super) fn resolve_field(pod: &Pod, variable: &EnvVar) -> String {
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

pub(super) fn describe_mounts(doc: &mut Doc, container: &Container) {
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

pub(super) fn describe_volumes(doc: &mut Doc, volumes: &[Volume], space: &str) {
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
pub(crate) fn describe_pod_template(doc: &mut Doc, template: &PodTemplateSpec) {
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
