//! k8s.io/kubectl/pkg/describe/describe.go's `describeVolumes` and `print…VolumeSource`: a pod's volumes
//! and a PersistentVolume's source, each as its type and then its fields at level 2.

use k8s_openapi::api::core::v1::{HostPathVolumeSource, PersistentVolumeSpec, Volume};

use super::writer::{or_unset, Doc, NONE};

/// `describeVolumes`: a template's sit at `level` 1, their names a space further in.
pub(super) fn describe_volumes(doc: &mut Doc, volumes: &[Volume], level: usize) {
    if !doc.section(level, "Volumes", !volumes.is_empty()) {
        return;
    }
    let name_indent = if level > 0 { " " } else { "" };
    for volume in volumes {
        doc.write(1, &format!("{name_indent}{}:\n", volume.name));
        if let Some(claim) = &volume.persistent_volume_claim {
            doc.field(2, "Type", "PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)");
            doc.field(2, "ClaimName", &claim.claim_name);
            doc.field(2, "ReadOnly", claim.read_only.unwrap_or(false));
        } else if let Some(empty_dir) = &volume.empty_dir {
            doc.field(
                2,
                "Type",
                "EmptyDir (a temporary directory that shares a pod's lifetime)",
            );
            doc.field(2, "Medium", empty_dir.medium.as_deref().unwrap_or_default());
            let limit = empty_dir.size_limit.as_ref().map(|q| &q.0);
            doc.field(2, "SizeLimit", or_unset(limit));
        } else if let Some(map) = &volume.config_map {
            doc.field(2, "Type", "ConfigMap (a volume populated by a ConfigMap)");
            doc.field(2, "Name", &map.name);
            doc.field(2, "Optional", map.optional.unwrap_or(false));
        } else if let Some(secret) = &volume.secret {
            doc.field(2, "Type", "Secret (a volume populated by a Secret)");
            let name = secret.secret_name.as_deref().unwrap_or_default();
            doc.field(2, "SecretName", name);
            doc.field(2, "Optional", secret.optional.unwrap_or(false));
        } else if let Some(host_path) = &volume.host_path {
            host_path_source(doc, host_path);
        } else {
            doc.write(1, "<unknown>\n");
        }
    }
}

/// The `Source:` block's body of a PersistentVolume.
pub(super) fn describe_persistent_volume_source(doc: &mut Doc, spec: &PersistentVolumeSpec) {
    if let Some(host_path) = &spec.host_path {
        host_path_source(doc, host_path);
    } else if let Some(local) = &spec.local {
        doc.field(
            2,
            "Type",
            "LocalVolume (a persistent volume backed by local storage on a node)",
        );
        doc.field(2, "Path", &local.path);
    } else if let Some(nfs) = &spec.nfs {
        doc.field(
            2,
            "Type",
            "NFS (an NFS mount that lasts the lifetime of a pod)",
        );
        doc.field(2, "Server", &nfs.server);
        doc.field(2, "Path", &nfs.path);
        doc.field(2, "ReadOnly", nfs.read_only.unwrap_or(false));
    } else {
        doc.write(1, "<unknown>\n");
    }
}

/// `printHostPathVolumeSource`.
fn host_path_source(doc: &mut Doc, host_path: &HostPathVolumeSource) {
    doc.field(2, "Type", "HostPath (bare host directory volume)");
    doc.field(2, "Path", &host_path.path);
    let kind = host_path.type_.as_deref().unwrap_or(NONE);
    doc.field(2, "HostPathType", kind);
}
