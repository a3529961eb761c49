//! Defaulting (`pkg/apis/*/v1/defaults.go`) and the admission plugins that act on create: DefaultStorageClass,
//! the storage-object-in-use protection finalizers, and ClusterIP allocation.

use k8s_openapi::api::apps::v1::{
    RollingUpdateStatefulSetStrategy, StatefulSet, StatefulSetPersistentVolumeClaimRetentionPolicy,
    StatefulSetUpdateStrategy,
};
use k8s_openapi::api::core::v1::{
    PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimStatus, PersistentVolumeStatus,
    Pod, PodSecurityContext, PodSpec, Probe, ResourceRequirements, Service, Toleration,
};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::api::storage::is_default_class;
use crate::api::well_known::{
    NOT_READY_TAINT, PVC_PROTECTION_FINALIZER, PV_PROTECTION_FINALIZER, UNREACHABLE_TAINT,
};
use crate::config::FeatureGates;
use crate::object::Collections;

/// `maxUnavailable` behind `MaxUnavailableStatefulSet`: defaulted to 1 when the gate is on; dropped when it is
/// off, unless the object being replaced already uses it (`dropStatefulSetDisabledFields`).
pub fn max_unavailable_for_gate(
    set: &mut StatefulSet,
    old: Option<&StatefulSet>,
    gates: FeatureGates,
) {
    let rolling_update = |set: &StatefulSet| {
        set.spec
            .as_ref()?
            .update_strategy
            .as_ref()?
            .rolling_update
            .as_ref()?
            .max_unavailable
            .clone()
    };
    let in_use = old.is_some_and(|old| rolling_update(old).is_some());
    let Some(rolling) = set
        .spec
        .as_mut()
        .and_then(|s| s.update_strategy.as_mut())
        .and_then(|s| s.rolling_update.as_mut())
    else {
        return;
    };
    if gates.max_unavailable_stateful_set {
        rolling.max_unavailable.get_or_insert(IntOrString::Int(1));
    } else if !in_use {
        rolling.max_unavailable = None;
    }
}

/// `SetDefaults_StatefulSet`, with the pod template and claim templates defaulted too.
pub fn default_stateful_set(set: &mut StatefulSet) {
    let spec = set.spec.get_or_insert_with(Default::default);
    spec.pod_management_policy
        .get_or_insert_with(|| "OrderedReady".into());
    spec.replicas.get_or_insert(1);
    spec.revision_history_limit.get_or_insert(10);
    let strategy = spec
        .update_strategy
        .get_or_insert_with(StatefulSetUpdateStrategy::default);
    if strategy.type_.as_deref().unwrap_or_default().is_empty() {
        strategy.type_ = Some("RollingUpdate".into());
        strategy
            .rolling_update
            .get_or_insert_with(RollingUpdateStatefulSetStrategy::default);
    }
    if strategy.type_.as_deref() == Some("RollingUpdate") {
        if let Some(rolling) = strategy.rolling_update.as_mut() {
            rolling.partition.get_or_insert(0);
        }
    }
    let retention = spec
        .persistent_volume_claim_retention_policy
        .get_or_insert_with(StatefulSetPersistentVolumeClaimRetentionPolicy::default);
    retention
        .when_deleted
        .get_or_insert_with(|| "Retain".into());
    retention.when_scaled.get_or_insert_with(|| "Retain".into());
    if let Some(pod_spec) = spec.template.spec.as_mut() {
        default_pod_spec(pod_spec);
    }
    for claim in spec.volume_claim_templates.iter_mut().flatten() {
        default_claim(claim);
        claim
            .status
            .get_or_insert_with(|| PersistentVolumeClaimStatus {
                phase: Some("Pending".into()),
                ..Default::default()
            });
    }
}

/// `SetDefaults_PodSpec` and its containers'.
pub fn default_pod_spec(spec: &mut PodSpec) {
    spec.restart_policy.get_or_insert_with(|| "Always".into());
    spec.termination_grace_period_seconds.get_or_insert(30);
    spec.dns_policy.get_or_insert_with(|| "ClusterFirst".into());
    spec.scheduler_name
        .get_or_insert_with(|| "default-scheduler".into());
    spec.security_context
        .get_or_insert_with(PodSecurityContext::default);
    for container in spec
        .init_containers
        .iter_mut()
        .flatten()
        .chain(spec.containers.iter_mut())
    {
        let image = container.image.clone().unwrap_or_default();
        container
            .image_pull_policy
            .get_or_insert_with(|| default_pull_policy(&image).into());
        container
            .termination_message_path
            .get_or_insert_with(|| "/dev/termination-log".into());
        container
            .termination_message_policy
            .get_or_insert_with(|| "File".into());
        container
            .resources
            .get_or_insert_with(ResourceRequirements::default);
        for port in container.ports.iter_mut().flatten() {
            port.protocol.get_or_insert_with(|| "TCP".into());
        }
        for probe in [
            &mut container.readiness_probe,
            &mut container.liveness_probe,
            &mut container.startup_probe,
        ]
        .into_iter()
        .flatten()
        {
            default_probe(probe);
        }
    }
}

fn default_probe(probe: &mut Probe) {
    probe.timeout_seconds.get_or_insert(1);
    probe.period_seconds.get_or_insert(10);
    probe.success_threshold.get_or_insert(1);
    probe.failure_threshold.get_or_insert(3);
}

/// `Always` for `:latest` or untagged images, else `IfNotPresent`.
pub fn default_pull_policy(image: &str) -> &'static str {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last_segment = without_digest.rsplit('/').next().unwrap_or(without_digest);
    if image.contains('@') {
        return "IfNotPresent";
    }
    match last_segment.split_once(':') {
        None => "Always",
        Some((_, "latest")) => "Always",
        Some(_) => "IfNotPresent",
    }
}

fn default_claim(claim: &mut PersistentVolumeClaim) {
    claim
        .spec
        .get_or_insert_with(Default::default)
        .volume_mode
        .get_or_insert_with(|| "Filesystem".into());
}

pub fn default_service(service: &mut Service) {
    let spec = service.spec.get_or_insert_with(Default::default);
    spec.type_.get_or_insert_with(|| "ClusterIP".into());
    spec.session_affinity.get_or_insert_with(|| "None".into());
    spec.internal_traffic_policy
        .get_or_insert_with(|| "Cluster".into());
    spec.ip_family_policy
        .get_or_insert_with(|| "SingleStack".into());
    spec.ip_families.get_or_insert_with(|| vec!["IPv4".into()]);
    for port in spec.ports.iter_mut().flatten() {
        port.protocol.get_or_insert_with(|| "TCP".into());
        port.target_port.get_or_insert(IntOrString::Int(port.port));
    }
}

pub fn default_persistent_volume(volume: &mut PersistentVolume) {
    let spec = volume.spec.get_or_insert_with(Default::default);
    spec.persistent_volume_reclaim_policy
        .get_or_insert_with(|| "Retain".into());
    spec.volume_mode.get_or_insert_with(|| "Filesystem".into());
}

pub fn default_storage_class(class: &mut StorageClass) {
    class.reclaim_policy.get_or_insert_with(|| "Delete".into());
    class
        .volume_binding_mode
        .get_or_insert_with(|| "Immediate".into());
}

/// The admission plugins that change a claim on create: defaulting, DefaultStorageClass and the
/// StorageObjectInUseProtection finalizer; a new claim starts Pending.
pub fn admit_claim(claim: &mut PersistentVolumeClaim, existing: &Collections) {
    default_claim(claim);
    let spec = claim.spec.get_or_insert_with(Default::default);
    if spec.storage_class_name.is_none() {
        spec.storage_class_name = default_class_name(existing);
    }
    add_finalizer(&mut claim.metadata.finalizers, PVC_PROTECTION_FINALIZER);
    claim.status = Some(PersistentVolumeClaimStatus {
        phase: Some("Pending".into()),
        ..Default::default()
    });
}

/// A volume on create: defaulting and the protection finalizer; it starts Pending unless its creator (a
/// provisioner) says otherwise.
pub fn admit_volume(volume: &mut PersistentVolume) {
    default_persistent_volume(volume);
    add_finalizer(&mut volume.metadata.finalizers, PV_PROTECTION_FINALIZER);
    let phase = volume
        .status
        .as_ref()
        .and_then(|s| s.phase.clone())
        .unwrap_or_else(|| "Pending".into());
    volume.status = Some(PersistentVolumeStatus {
        phase: Some(phase),
        ..Default::default()
    });
}

/// A pod on create: defaulting, the Priority and DefaultTolerationSeconds plugins; it starts Pending.
pub fn admit_pod(pod: &mut Pod) {
    let spec = pod.spec.get_or_insert_with(Default::default);
    default_pod_spec(spec);
    spec.enable_service_links.get_or_insert(true);
    spec.preemption_policy
        .get_or_insert_with(|| "PreemptLowerPriority".into());
    spec.priority.get_or_insert(0);
    add_default_toleration_seconds(spec);
    let status = pod.status.get_or_insert_with(Default::default);
    status.phase = Some("Pending".into());
    status.qos_class.get_or_insert_with(|| "BestEffort".into());
}

/// A Service on create: defaulting, then its cluster IP and node ports from the allocators.
pub fn admit_service(service: &mut Service, existing: &Collections) {
    default_service(service);
    allocate_cluster_ip(service, existing);
    allocate_node_ports(service, existing);
}

/// The DefaultTolerationSeconds admission plugin: a pod that does not say otherwise tolerates a not-ready or
/// unreachable node for 300 s before the taint eviction controller deletes it.
fn add_default_toleration_seconds(spec: &mut PodSpec) {
    let tolerations = spec.tolerations.get_or_insert_with(Vec::new);
    for key in [NOT_READY_TAINT, UNREACHABLE_TAINT] {
        let tolerated = tolerations.iter().any(|t| {
            t.key.as_deref().is_none_or(|k| k.is_empty() || k == key)
                && t.effect
                    .as_deref()
                    .is_none_or(|e| e.is_empty() || e == "NoExecute")
        });
        if !tolerated {
            tolerations.push(Toleration {
                key: Some(key.into()),
                operator: Some("Exists".into()),
                effect: Some("NoExecute".into()),
                toleration_seconds: Some(300),
                value: None,
            });
        }
    }
}

fn add_finalizer(finalizers: &mut Option<Vec<String>>, finalizer: &str) {
    let list = finalizers.get_or_insert_with(Vec::new);
    if !list.iter().any(|f| f == finalizer) {
        list.push(finalizer.into());
    }
}

/// The DefaultStorageClass admission plugin: the newest class marked default (the name breaks ties).
fn default_class_name(existing: &Collections) -> Option<String> {
    existing
        .storage_classes
        .values()
        .filter(|c| is_default_class(&c.metadata))
        .max_by(|a, b| {
            a.metadata
                .creation_timestamp
                .cmp(&b.metadata.creation_timestamp)
                .then_with(|| b.metadata.name.cmp(&a.metadata.name))
        })
        .and_then(|c| c.metadata.name.clone())
}

/// `--service-node-port-range`, kind's default.
const NODE_PORTS: std::ops::RangeInclusive<i32> = 30000..=32767;

/// NodePort and LoadBalancer services get a node port for each port that names none: the first free one at
/// or after one derived from the service name and port, so a service keeps its ports across runs.
fn allocate_node_ports(service: &mut Service, existing: &Collections) {
    let spec = service.spec.get_or_insert_with(Default::default);
    if !matches!(spec.type_.as_deref(), Some("NodePort" | "LoadBalancer")) {
        return;
    }
    let mut used: std::collections::BTreeSet<i32> = existing
        .services
        .values()
        .flat_map(|s| s.spec.iter().flat_map(|spec| spec.ports.iter().flatten()))
        .filter_map(|p| p.node_port)
        .collect();
    let name = service.metadata.name.clone().unwrap_or_default();
    let span = (NODE_PORTS.end() - NODE_PORTS.start() + 1) as u32;
    for port in spec
        .ports
        .iter_mut()
        .flatten()
        .filter(|p| p.node_port.is_none())
    {
        let seed = name
            .bytes()
            .chain(port.port.to_le_bytes())
            .fold(11u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
        let free = (0..span)
            .map(|i| NODE_PORTS.start() + (seed.wrapping_add(i) % span) as i32)
            .find(|candidate| !used.contains(candidate));
        if let Some(node_port) = free {
            used.insert(node_port);
            port.node_port = Some(node_port);
        }
    }
}

/// ClusterIPs from 10.96.0.0/16 (10.96.0.1 is the `kubernetes` service, .10 is DNS); the first free address
/// at or after one derived from the name, so a service keeps its address across runs.
fn allocate_cluster_ip(service: &mut Service, existing: &Collections) {
    let spec = service.spec.get_or_insert_with(Default::default);
    if spec.type_.as_deref() == Some("ExternalName") {
        return;
    }
    if let Some(ip) = spec.cluster_ip.clone().filter(|ip| !ip.is_empty()) {
        spec.cluster_ips.get_or_insert_with(|| vec![ip]);
        return;
    }
    let used: std::collections::BTreeSet<String> = existing
        .services
        .values()
        .filter_map(|s| s.spec.as_ref()?.cluster_ip.clone())
        .collect();
    let name = service.metadata.name.clone().unwrap_or_default();
    let seed = name
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    let ip = (0..65_000u32)
        .map(|i| 100 + (seed.wrapping_add(i) % 65_000))
        .map(|n| format!("10.96.{}.{}", n / 256, n % 256))
        .find(|ip| !used.contains(ip) && !ip.ends_with(".0") && !ip.ends_with(".255"));
    spec.cluster_ip = ip.clone();
    spec.cluster_ips = ip.map(|ip| vec![ip]);
}

/// A namespace is `Active` from its creation (the namespace strategy's `PrepareForCreate`), and carries the
/// `kubernetes` finalizer the namespace controller removes when it has emptied it.
pub fn default_namespace(namespace: &mut k8s_openapi::api::core::v1::Namespace) {
    let status = namespace.status.get_or_insert_with(Default::default);
    status.phase.get_or_insert_with(|| "Active".into());
    let spec = namespace.spec.get_or_insert_with(Default::default);
    spec.finalizers
        .get_or_insert_with(|| vec!["kubernetes".into()]);
}

/// A secret's type defaults to `Opaque` (`SetDefaults_Secret`), and `stringData` is merged into `data` as the
/// request is decoded, never to be read back.
pub fn default_secret(secret: &mut k8s_openapi::api::core::v1::Secret) {
    secret.type_.get_or_insert_with(|| "Opaque".into());
    if let Some(strings) = secret.string_data.take() {
        let data = secret.data.get_or_insert_with(Default::default);
        for (key, value) in strings {
            data.insert(key, k8s_openapi::ByteString(value.into_bytes()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_policy_follows_the_tag() {
        assert_eq!(default_pull_policy("nginx"), "Always");
        assert_eq!(default_pull_policy("nginx:latest"), "Always");
        assert_eq!(default_pull_policy("nginx:1.9.1"), "IfNotPresent");
        assert_eq!(default_pull_policy("registry:5000/app"), "Always");
        assert_eq!(default_pull_policy("registry:5000/app:v2"), "IfNotPresent");
    }

    #[test]
    fn an_empty_update_strategy_defaults_to_rolling_update_with_partition_zero() {
        let mut set = StatefulSet::default();
        default_stateful_set(&mut set);
        let spec = set.spec.unwrap();
        assert_eq!(spec.pod_management_policy.as_deref(), Some("OrderedReady"));
        assert_eq!(spec.replicas, Some(1));
        let strategy = spec.update_strategy.unwrap();
        assert_eq!(strategy.type_.as_deref(), Some("RollingUpdate"));
        assert_eq!(strategy.rolling_update.unwrap().partition, Some(0));
    }

    #[test]
    fn explicit_rolling_update_without_parameters_stays_without_them() {
        // Reference §1.7: the "ord < start+currentReplicas" clause depends on this.
        let mut set = StatefulSet::default();
        set.spec
            .get_or_insert_with(Default::default)
            .update_strategy = Some(StatefulSetUpdateStrategy {
            type_: Some("RollingUpdate".into()),
            rolling_update: None,
        });
        default_stateful_set(&mut set);
        assert!(set
            .spec
            .unwrap()
            .update_strategy
            .unwrap()
            .rolling_update
            .is_none());
    }
}
