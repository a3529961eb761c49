//! Well-known names, after upstream's shared constants (`AnnSelectedNode` in
//! `k8s.io/component-helpers/storage/volume`, the protection finalizers in `pkg/volume/util/finalizer.go`):
//! annotation, finalizer and provisioner names that both admission and the controllers use, kept in `api/` so
//! that the API code does not reach into a controller for them.

/// `AnnSelectedNode`: the node the scheduler chose for a claim whose class waits for its first consumer.
pub const SELECTED_NODE_ANNOTATION: &str = "volume.kubernetes.io/selected-node";
/// `PVCProtectionFinalizer`: a claim in use by a pod is not removed.
pub const PVC_PROTECTION_FINALIZER: &str = "kubernetes.io/pvc-protection";
/// `PVProtectionFinalizer`: a volume bound to a claim is not removed.
pub const PV_PROTECTION_FINALIZER: &str = "kubernetes.io/pv-protection";
/// The provisioner name of kind's default StorageClass (rancher's local-path-provisioner).
pub const LOCAL_PATH_PROVISIONER: &str = "rancher.io/local-path";
/// `TaintNodeUnreachable`: the node controller's taint for a node that stopped reporting.
pub const UNREACHABLE_TAINT: &str = "node.kubernetes.io/unreachable";
/// `TaintNodeNotReady`: the node controller's taint for a node whose Ready condition is False.
pub const NOT_READY_TAINT: &str = "node.kubernetes.io/not-ready";
/// `metav1.FinalizerOrphanDependents`: the owner waits until the collector has orphaned its dependents.
pub const ORPHAN_FINALIZER: &str = "orphan";
/// `metav1.FinalizerDeleteDependents`: the owner waits until the collector has deleted its blocking dependents.
pub const FOREGROUND_FINALIZER: &str = "foregroundDeletion";
/// `IsDefaultStorageClassAnnotation`: a StorageClass annotated "true" here is the cluster's default.
pub const IS_DEFAULT_CLASS_ANNOTATION: &str = "storageclass.kubernetes.io/is-default-class";
/// `BetaIsDefaultStorageClassAnnotation`, which upstream still honours beside the GA name.
pub const BETA_IS_DEFAULT_CLASS_ANNOTATION: &str =
    "storageclass.beta.kubernetes.io/is-default-class";
