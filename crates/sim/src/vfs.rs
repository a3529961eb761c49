//! The files `kubectl exec` sees. Each PersistentVolume has its own tree, which outlives the pods that
//! mount it and goes when the volume is deleted or recycled; each container has a writable layer over its
//! image, which goes with the pod, as a container's root filesystem does. Trees sit behind `Arc`s so that
//! cloning a cluster (the page snapshots it) copies pointers, and a write copies only the tree it changes.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::object::Object;
use crate::store::{WatchEvent, WatchEventType};

/// One file or directory. `Removed` hides an entry of the image below a container's layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    Dir,
    File(String),
    Removed,
}

/// A filesystem as absolute paths (`/a/b`) to entries; `/` itself is implicit.
pub type Tree = BTreeMap<String, Entry>;

/// A filesystem error, rendered by each command in its userland's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FsError {
    NotFound,
    NotADirectory,
    IsADirectory,
    Exists,
}

impl FsError {
    pub fn text(self) -> &'static str {
        match self {
            FsError::NotFound => "No such file or directory",
            FsError::NotADirectory => "Not a directory",
            FsError::IsADirectory => "Is a directory",
            FsError::Exists => "File exists",
        }
    }
}

/// Where a tree lives in the simulation.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TreeId {
    /// A PersistentVolume's contents, by name and uid: a new volume of the same name starts empty.
    Volume { name: String, uid: String },
    /// A container's writable layer, by pod uid and container name.
    Container { pod_uid: String, container: String },
    /// An emptyDir volume, by pod uid and volume name.
    EmptyDir { pod_uid: String, volume: String },
    /// A container's log as the kubelet keeps it on the node (`/var/log/pods/…/CONTAINER/0.log`): one file,
    /// which goes with the pod.
    Log { pod_uid: String, container: String },
}

impl TreeId {
    fn pod_uid(&self) -> Option<&str> {
        match self {
            TreeId::Volume { .. } => None,
            TreeId::Container { pod_uid, .. }
            | TreeId::EmptyDir { pod_uid, .. }
            | TreeId::Log { pod_uid, .. } => Some(pod_uid),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Vfs {
    trees: BTreeMap<TreeId, Arc<Tree>>,
}

/// The one file of a log tree.
const LOG_FILE: &str = "/0.log";

fn log_id(pod_uid: &str, container: &str) -> TreeId {
    TreeId::Log {
        pod_uid: pod_uid.to_string(),
        container: container.to_string(),
    }
}

/// The reason a volume's contents go away in the simulation's event stream.
const RECYCLED_REASON: &str = "RecyclerPod";

impl Vfs {
    /// Whether nothing was written since `earlier`, a copy taken before: a write replaces the shared tree it
    /// changes, so an unchanged tree is the same allocation.
    pub fn unchanged_since(&self, earlier: &Vfs) -> bool {
        self.trees.len() == earlier.trees.len()
            && self.trees.iter().zip(&earlier.trees).all(
                |((id, tree), (earlier_id, earlier_tree))| {
                    id == earlier_id && Arc::ptr_eq(tree, earlier_tree)
                },
            )
    }

    pub fn tree(&self, id: &TreeId) -> Option<&Tree> {
        self.trees.get(id).map(Arc::as_ref)
    }

    /// What a container has written to its log so far.
    pub fn log(&self, pod_uid: &str, container: &str) -> &str {
        match self
            .tree(&log_id(pod_uid, container))
            .and_then(|t| t.get(LOG_FILE))
        {
            Some(Entry::File(text)) => text,
            _ => "",
        }
    }

    /// Appends lines to a container's log.
    pub fn append_log(&mut self, pod_uid: &str, container: &str, text: &str) {
        let tree = self.tree_mut(&log_id(pod_uid, container));
        match tree
            .entry(LOG_FILE.to_string())
            .or_insert_with(|| Entry::File(String::new()))
        {
            Entry::File(log) => log.push_str(text),
            other => *other = Entry::File(text.to_string()),
        }
    }

    /// The tree to write to, created empty if it does not exist yet.
    pub fn tree_mut(&mut self, id: &TreeId) -> &mut Tree {
        Arc::make_mut(self.trees.entry(id.clone()).or_default())
    }

    /// Drops what the store says is gone: a deleted volume's data, a volume the recycler scrubbed, and the
    /// container layers and emptyDirs of a deleted pod.
    pub fn observe(&mut self, event: &WatchEvent) {
        match (&event.object, event.event_type) {
            (Object::PersistentVolume(volume), WatchEventType::Deleted) => {
                self.trees.remove(&volume_id(&volume.metadata));
            }
            (Object::Pod(pod), WatchEventType::Deleted) => {
                let uid = pod.metadata.uid.clone().unwrap_or_default();
                self.trees
                    .retain(|id, _| id.pod_uid() != Some(uid.as_str()));
            }
            (Object::Event(recorded), WatchEventType::Added)
                if recorded.reason.as_deref() == Some(RECYCLED_REASON)
                    && recorded.involved_object.kind.as_deref() == Some("PersistentVolume") =>
            {
                let involved = &recorded.involved_object;
                self.trees.remove(&TreeId::Volume {
                    name: involved.name.clone().unwrap_or_default(),
                    uid: involved.uid.clone().unwrap_or_default(),
                });
            }
            _ => {}
        }
    }
}

pub fn volume_id(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> TreeId {
    TreeId::Volume {
        name: meta.name.clone().unwrap_or_default(),
        uid: meta.uid.clone().unwrap_or_default(),
    }
}

/// The parent of an absolute path (`/a/b` → `/a`, `/a` → `/`).
pub fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(index) => &path[..index],
    }
}

/// Joins `path` onto `base` and resolves `.` and `..`, as a shell turns a relative path into an absolute one.
pub fn normalize(base: &str, path: &str) -> String {
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{base}/{path}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

/// The direct children of `dir` in `tree`, by name.
pub fn children<'a>(tree: &'a Tree, dir: &str) -> impl Iterator<Item = (&'a str, &'a Entry)> + 'a {
    let prefix = if dir == "/" {
        "/".to_string()
    } else {
        format!("{dir}/")
    };
    let length = prefix.len();
    let starts = prefix.clone();
    tree.range(prefix..)
        .take_while(move |(path, _)| path.starts_with(&starts))
        .filter_map(move |(path, entry)| {
            let rest = &path[length..];
            (!rest.is_empty() && !rest.contains('/')).then_some((rest, entry))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_like_a_shell() {
        assert_eq!(
            normalize("/usr/share", "nginx/html"),
            "/usr/share/nginx/html"
        );
        assert_eq!(normalize("/usr/share", "../lib/./x"), "/usr/lib/x");
        assert_eq!(normalize("/", "/etc//hosts"), "/etc/hosts");
        assert_eq!(normalize("/a", ".."), "/");
        assert_eq!(parent("/a/b"), "/a");
        assert_eq!(parent("/a"), "/");
    }

    #[test]
    fn listing_takes_direct_children_only() {
        let tree = Tree::from([
            ("/a".to_string(), Entry::Dir),
            ("/a/b".to_string(), Entry::File("x".into())),
            ("/a/b2/c".to_string(), Entry::File("y".into())),
            ("/ab".to_string(), Entry::Dir),
        ]);
        let names: Vec<&str> = children(&tree, "/a").map(|(n, _)| n).collect();
        assert_eq!(names, ["b"]);
        let names: Vec<&str> = children(&tree, "/").map(|(n, _)| n).collect();
        assert_eq!(names, ["a", "ab"]);
    }

    #[test]
    fn clones_share_trees_until_written() {
        let mut vfs = Vfs::default();
        let id = TreeId::Volume {
            name: "pv".into(),
            uid: "1".into(),
        };
        vfs.tree_mut(&id)
            .insert("/f".into(), Entry::File("one".into()));
        let snapshot = vfs.clone();
        vfs.tree_mut(&id)
            .insert("/f".into(), Entry::File("two".into()));
        assert_eq!(snapshot.tree(&id).unwrap()["/f"], Entry::File("one".into()));
        assert_eq!(vfs.tree(&id).unwrap()["/f"], Entry::File("two".into()));
    }
}
