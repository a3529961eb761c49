//! One container's view of the files: its image, the files the kubelet writes into every container
//! (`/etc/hostname`, `/etc/hosts`, `/etc/resolv.conf`), its writable layer, and its volume mounts, which
//! lead through the pod's claims to the bound PersistentVolumes.

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, Pod};

use super::{Image, Userland};
use crate::dns::{pod_fqdn, CLUSTER_DOMAIN, DNS_SERVICE_IP};
use crate::object::ObjectKey;
use crate::store::Store;
use crate::vfs::{children, normalize, parent, volume_id, Entry, FsError, Tree, TreeId, Vfs};

struct Mount {
    path: String,
    tree: TreeId,
}

pub struct ContainerFs<'a> {
    vfs: &'a mut Vfs,
    mounts: Vec<Mount>,
    layer: TreeId,
    image: Tree,
    pub userland: Userland,
    pub hostname: String,
    pub fqdn: Option<String>,
    pub namespace: String,
}

/// The image of `container` in the pod.
pub fn image_of(pod: &Pod, container: &str) -> String {
    pod.spec
        .as_ref()
        .and_then(|s| s.containers.iter().find(|c| c.name == container))
        .and_then(|c| c.image.clone())
        .unwrap_or_default()
}

impl<'a> ContainerFs<'a> {
    pub fn new(vfs: &'a mut Vfs, store: &Store, pod: &Pod, container: &str) -> Self {
        let spec = pod.spec.clone().unwrap_or_default();
        let namespace = pod.metadata.namespace.clone().unwrap_or_default();
        let pod_uid = pod.metadata.uid.clone().unwrap_or_default();
        let hostname = spec
            .hostname
            .clone()
            .or_else(|| pod.metadata.name.clone())
            .unwrap_or_default();
        let fqdn = pod_fqdn(pod);
        let image = image_of(pod, container);
        let userland = Self::userland_of(pod, container);
        let ip = pod
            .status
            .as_ref()
            .and_then(|s| s.pod_ip.clone())
            .unwrap_or_default();
        let mut layer = image_layer(&image, userland);
        for (path, content) in kubelet_files(&hostname, fqdn.as_deref(), &ip, &namespace) {
            layer.insert(path.into(), Entry::File(content));
        }
        ContainerFs {
            mounts: mounts(store, pod, container, &pod_uid),
            layer: TreeId::Container {
                pod_uid,
                container: container.to_string(),
            },
            vfs,
            image: layer,
            userland,
            hostname,
            fqdn,
            namespace,
        }
    }

    /// Whose tools the container's image ships.
    pub fn userland_of(pod: &Pod, container: &str) -> Userland {
        Image::of(&image_of(pod, container)).userland
    }

    /// The volumes mounted in the container that hold files, by mount path, deepest first.
    pub fn volume_mounts(&self) -> impl Iterator<Item = (&str, &TreeId)> {
        self.mounts.iter().map(|m| (m.path.as_str(), &m.tree))
    }

    /// The files written to a tree, and their sizes: what `df` counts as used.
    pub fn bytes_in(&self, tree: &TreeId) -> usize {
        self.vfs.tree(tree).map_or(0, |t| {
            t.values()
                .map(|e| match e {
                    Entry::File(content) => content.len(),
                    _ => 0,
                })
                .sum()
        })
    }

    /// The tree holding `path` and the path inside it: the deepest mount that contains it, else the layer.
    fn locate(&self, path: &str) -> (TreeId, String, bool) {
        for mount in &self.mounts {
            if path == mount.path {
                return (mount.tree.clone(), "/".into(), true);
            }
            if let Some(rest) = path
                .strip_prefix(&mount.path)
                .filter(|r| r.starts_with('/'))
            {
                return (mount.tree.clone(), rest.into(), true);
            }
        }
        (self.layer.clone(), path.into(), false)
    }

    /// What is at `path`: `None` when nothing is.
    pub fn entry(&self, path: &str) -> Option<Entry> {
        if path == "/" || self.mounts.iter().any(|m| m.path == path) {
            return Some(Entry::Dir);
        }
        let (tree, inner, mounted) = self.locate(path);
        let written = self.vfs.tree(&tree).and_then(|t| t.get(&inner)).cloned();
        let found = match written {
            Some(entry) => Some(entry),
            None if mounted => None,
            None => self.image.get(&inner).cloned(),
        };
        let found = found.filter(|e| *e != Entry::Removed);
        // Mount points of deeper mounts are directories even if the tree above does not list them.
        found.or_else(|| {
            self.mounts
                .iter()
                .any(|m| m.path.starts_with(&format!("{path}/")))
                .then_some(Entry::Dir)
        })
    }

    pub fn read(&self, path: &str) -> Result<String, FsError> {
        match self.entry(path) {
            Some(Entry::File(content)) => Ok(content),
            Some(_) => Err(FsError::IsADirectory),
            None => Err(FsError::NotFound),
        }
    }

    fn require_parent_dir(&self, path: &str) -> Result<(), FsError> {
        match self.entry(parent(path)) {
            Some(Entry::Dir) => Ok(()),
            Some(_) => Err(FsError::NotADirectory),
            None => Err(FsError::NotFound),
        }
    }

    fn put(&mut self, path: &str, entry: Entry) {
        let (tree, inner, _) = self.locate(path);
        self.vfs.tree_mut(&tree).insert(inner, entry);
    }

    pub fn write(&mut self, path: &str, content: &str, append: bool) -> Result<(), FsError> {
        let existing = match self.entry(path) {
            Some(Entry::Dir) => return Err(FsError::IsADirectory),
            Some(Entry::File(content)) => content,
            _ => {
                self.require_parent_dir(path)?;
                String::new()
            }
        };
        let content = if append {
            existing + content
        } else {
            content.to_string()
        };
        self.put(path, Entry::File(content));
        Ok(())
    }

    pub fn mkdir(&mut self, path: &str, parents: bool) -> Result<(), FsError> {
        match self.entry(path) {
            Some(Entry::Dir) if parents => return Ok(()),
            Some(_) => return Err(FsError::Exists),
            None => {}
        }
        if parents && self.entry(parent(path)).is_none() {
            self.mkdir(parent(path), true)?;
        }
        self.require_parent_dir(path)?;
        self.put(path, Entry::Dir);
        Ok(())
    }

    /// Names in a directory, sorted, the mount points below it included.
    pub fn list(&self, path: &str) -> Result<Vec<String>, FsError> {
        match self.entry(path) {
            Some(Entry::Dir) => {}
            Some(_) => return Err(FsError::NotADirectory),
            None => return Err(FsError::NotFound),
        }
        let (tree, inner, mounted) = self.locate(path);
        let mut names = std::collections::BTreeSet::new();
        let mut hidden = std::collections::BTreeSet::new();
        if let Some(written) = self.vfs.tree(&tree) {
            for (name, entry) in children(written, &inner) {
                if *entry == Entry::Removed {
                    hidden.insert(name.to_string());
                } else {
                    names.insert(name.to_string());
                }
            }
        }
        if !mounted {
            for (name, _) in children(&self.image, &inner) {
                if !hidden.contains(name) {
                    names.insert(name.to_string());
                }
            }
        }
        for mount in &self.mounts {
            if parent(&mount.path) == path {
                names.insert(
                    mount
                        .path
                        .rsplit('/')
                        .next()
                        .unwrap_or_default()
                        .to_string(),
                );
            }
        }
        Ok(names.into_iter().collect())
    }

    /// Removes a file, or a directory and everything below it when `recursive`.
    pub fn remove(&mut self, path: &str, recursive: bool) -> Result<(), FsError> {
        match self.entry(path) {
            None => return Err(FsError::NotFound),
            Some(Entry::Dir) if !recursive => return Err(FsError::IsADirectory),
            Some(Entry::Dir) => {
                for name in self.list(path)? {
                    self.remove(&normalize(path, &name), true)?;
                }
            }
            Some(_) => {}
        }
        let (tree, inner, mounted) = self.locate(path);
        let shadows_image = !mounted && self.image.contains_key(&inner);
        let written = self.vfs.tree_mut(&tree);
        if shadows_image {
            written.insert(inner, Entry::Removed);
        } else {
            written.remove(&inner);
        }
        Ok(())
    }
}

/// The container's volume mounts that lead to a tree: bound PersistentVolumes and emptyDirs, deepest first.
fn mounts(store: &Store, pod: &Pod, container: &str, pod_uid: &str) -> Vec<Mount> {
    let spec = pod.spec.clone().unwrap_or_default();
    let namespace = pod.metadata.namespace.clone().unwrap_or_default();
    let Some(container) = spec.containers.iter().find(|c| c.name == container) else {
        return Vec::new();
    };
    let volumes = spec.volumes.clone().unwrap_or_default();
    let mut mounts: Vec<Mount> = container
        .volume_mounts
        .iter()
        .flatten()
        .filter_map(|mount| {
            let volume = volumes.iter().find(|v| v.name == mount.name)?;
            let tree = if let Some(claim) = &volume.persistent_volume_claim {
                let claim = store.get::<PersistentVolumeClaim>(&ObjectKey::new(
                    namespace.clone(),
                    claim.claim_name.clone(),
                ))?;
                let volume_name = claim.spec.as_ref()?.volume_name.clone()?;
                let bound = store.get::<PersistentVolume>(&ObjectKey::cluster(volume_name))?;
                volume_id(&bound.metadata)
            } else if volume.empty_dir.is_some() {
                TreeId::EmptyDir {
                    pod_uid: pod_uid.to_string(),
                    volume: volume.name.clone(),
                }
            } else {
                return None;
            };
            Some(Mount {
                path: normalize("/", &mount.mount_path),
                tree,
            })
        })
        .collect();
    crate::sort::sort_by_key(&mut mounts, |m| std::cmp::Reverse(m.path.len()));
    mounts
}

/// `/etc/hostname`, `/etc/hosts` (with the FQDN line the kubelet writes when the pod has a subdomain) and
/// `/etc/resolv.conf` with the cluster's search path.
fn kubelet_files(
    hostname: &str,
    fqdn: Option<&str>,
    ip: &str,
    namespace: &str,
) -> Vec<(&'static str, String)> {
    let own_line = match fqdn {
        Some(fqdn) => format!("{ip}\t{fqdn}\t{hostname}\n"),
        None => format!("{ip}\t{hostname}\n"),
    };
    let hosts = format!(
        "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n{own_line}"
    );
    let resolv = format!(
        "search {namespace}.svc.{CLUSTER_DOMAIN} svc.{CLUSTER_DOMAIN} {CLUSTER_DOMAIN}\nnameserver {DNS_SERVICE_IP}\noptions ndots:5\n"
    );
    vec![
        ("/etc/hostname", format!("{hostname}\n")),
        ("/etc/hosts", hosts),
        ("/etc/resolv.conf", resolv),
    ]
}

/// The directories and files an image ships, as far as the commands here can see them.
fn image_layer(image: &str, userland: Userland) -> Tree {
    let mut tree = Tree::new();
    let dirs: &[&str] = match userland {
        Userland::BusyBox => &[
            "/bin",
            "/dev",
            "/etc",
            "/home",
            "/lib",
            "/proc",
            "/root",
            "/sys",
            "/tmp",
            "/usr",
            "/usr/sbin",
            "/var",
            "/var/spool",
            "/var/www",
        ],
        Userland::Debian => &[
            "/bin",
            "/boot",
            "/dev",
            "/etc",
            "/home",
            "/lib",
            "/media",
            "/mnt",
            "/opt",
            "/proc",
            "/root",
            "/run",
            "/sbin",
            "/srv",
            "/sys",
            "/tmp",
            "/usr",
            "/usr/bin",
            "/usr/lib",
            "/usr/local",
            "/usr/sbin",
            "/usr/share",
            "/var",
            "/var/cache",
            "/var/lib",
            "/var/log",
        ],
    };
    for dir in dirs {
        tree.insert(dir.to_string(), Entry::Dir);
    }
    if userland == Userland::Debian {
        tree.insert(
            "/etc/os-release".into(),
            Entry::File("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n".into()),
        );
    }
    let repository = image.rsplit('/').next().unwrap_or(image);
    if repository.starts_with("nginx") {
        for dir in [
            "/etc/nginx",
            "/etc/nginx/conf.d",
            "/usr/share/nginx",
            "/usr/share/nginx/html",
            "/var/cache/nginx",
            "/var/log/nginx",
            "/docker-entrypoint.d",
        ] {
            tree.insert(dir.into(), Entry::Dir);
        }
        tree.insert(
            "/usr/share/nginx/html/index.html".into(),
            Entry::File(NGINX_INDEX.into()),
        );
        tree.insert(
            "/usr/share/nginx/html/50x.html".into(),
            Entry::File("<!DOCTYPE html>\n<html>\n<head>\n<title>Error</title>\n</head>\n<body>\n<h1>An error occurred.</h1>\n</body>\n</html>\n".into()),
        );
    }
    tree
}

const NGINX_INDEX: &str = "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n</head>\n<body>\n<h1>Welcome to nginx!</h1>\n<p>If you see this page, the nginx web server is successfully installed and\nworking. Further configuration is required.</p>\n</body>\n</html>\n";
