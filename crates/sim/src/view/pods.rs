//! Questions about one pod, and the traffic a Service sends to pods, as lessons and tests ask them: is it
//! Running and Ready, which image, why does its container wait, what does a file in it hold.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Pod;

use crate::container::ContainerFs;
use crate::controller::endpointslice::slices_of;
use crate::controller::statefulset::utils::is_running_and_ready;
use crate::{Cluster, ObjectKey};

/// The pods, Services and StatefulSets of one namespace, by name.
#[derive(Clone, Copy)]
pub struct PodQuery<'a> {
    cluster: &'a Cluster,
    namespace: &'a str,
}

impl<'a> PodQuery<'a> {
    pub fn new(cluster: &'a Cluster, namespace: &'a str) -> Self {
        PodQuery { cluster, namespace }
    }

    fn key(&self, name: &str) -> ObjectKey {
        ObjectKey::new(self.namespace, name)
    }

    pub fn pod(&self, name: &str) -> Option<&'a Pod> {
        self.cluster.store().get::<Pod>(&self.key(name))
    }

    /// The namespace's pods, terminating ones included.
    pub fn pods(&self) -> impl Iterator<Item = &'a Pod> + 'a {
        self.cluster.store().list_namespace::<Pod>(self.namespace)
    }

    pub fn statefulset(&self, name: &str) -> Option<&'a StatefulSet> {
        self.cluster.store().get::<StatefulSet>(&self.key(name))
    }

    pub fn service_exists(&self, name: &str) -> bool {
        self.cluster
            .store()
            .get::<k8s_openapi::api::core::v1::Service>(&self.key(name))
            .is_some()
    }

    /// Running, with its Ready condition true: what the StatefulSet controller waits for.
    pub fn is_ready(&self, name: &str) -> bool {
        self.pod(name).is_some_and(is_running_and_ready)
    }

    pub fn is_terminating(&self, name: &str) -> bool {
        self.pod(name)
            .is_some_and(|p| p.metadata.deletion_timestamp.is_some())
    }

    pub fn uid(&self, name: &str) -> Option<&'a str> {
        self.pod(name)?.metadata.uid.as_deref()
    }

    /// The image of the pod's first container.
    pub fn image(&self, name: &str) -> Option<&'a str> {
        self.pod(name)?
            .spec
            .as_ref()?
            .containers
            .first()?
            .image
            .as_deref()
    }

    /// Why the pod's first container waits (`ImagePullBackOff`, `ContainerCreating`, …), if it does.
    pub fn waiting_reason(&self, name: &str) -> Option<&'a str> {
        self.pod(name)?
            .status
            .as_ref()?
            .container_statuses
            .as_ref()?
            .first()?
            .state
            .as_ref()?
            .waiting
            .as_ref()?
            .reason
            .as_deref()
    }

    /// The set records an update revision that is not yet its current one: a rollout is under way.
    pub fn update_pending(&self, set: &str) -> bool {
        self.statefulset(set)
            .and_then(|set| set.status.as_ref())
            .is_some_and(|status| status.current_revision != status.update_revision)
    }

    /// The addresses the Service's EndpointSlices list as ready: where its traffic goes.
    pub fn ready_addresses(&self, service: &str) -> Vec<String> {
        slices_of(self.cluster.store(), self.namespace, service)
            .flat_map(|slice| &slice.endpoints)
            .filter(|e| e.conditions.as_ref().and_then(|c| c.ready) == Some(true))
            .flat_map(|e| e.addresses.iter().cloned())
            .collect()
    }

    /// The pod's address, once it is Ready.
    pub fn ready_ip(&self, name: &str) -> Option<&'a str> {
        self.pod(name)
            .filter(|p| is_running_and_ready(p))?
            .status
            .as_ref()?
            .pod_ip
            .as_deref()
    }
}

/// What `kubectl exec <pod> -- cat <path>` would print from the pod's first container now: `None` when the
/// container is not running or the path holds no file.
pub fn file_contents(cluster: &Cluster, pod: &ObjectKey, path: &str) -> Option<String> {
    let pod = cluster.store().get::<Pod>(pod)?;
    let container = pod.spec.as_ref()?.containers.first()?.name.clone();
    let running = pod
        .status
        .as_ref()?
        .container_statuses
        .iter()
        .flatten()
        .any(|c| c.name == container && c.state.as_ref().is_some_and(|s| s.running.is_some()));
    if !running {
        return None;
    }
    // Reading sets up the container's view of its volumes, which takes the filesystem mutably; a copy keeps
    // the question free of effects.
    let mut vfs = cluster.vfs().clone();
    let fs = ContainerFs::new(&mut vfs, cluster.store(), pod, &container);
    fs.read(path).ok()
}
