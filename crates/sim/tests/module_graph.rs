//! The core's modules form no cycle: a module may use what is below it, never what uses it. Read from the
//! sources (`use crate::…` and `super::…` outside `#[cfg(test)]`), at the grain a reader holds against
//! upstream: the top-level modules, and one level down in `api`, `controller`, `kubectl`, `lesson` and
//! `view`, where each child follows its own upstream package.

// Reads the sources from disk.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const GROUPS: &[&str] = &["api", "controller", "kubectl", "lesson", "view"];
/// Items the crate root re-exports, by the module that defines them.
const REEXPORTS: &[(&str, &str)] = &[
    ("Cluster", "cluster"),
    ("ClusterConfig", "config"),
    ("Fault", "fault"),
    ("Object", "object"),
    ("ObjectKey", "object"),
    ("Scenario", "scenario"),
    ("SimTime", "time"),
];

type Graph = BTreeMap<String, BTreeSet<String>>;

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The module a path inside the crate names: `controller::kubelet::status` is `controller::kubelet`.
fn module_of(parts: &[&str]) -> Option<String> {
    let first = *parts.first()?;
    if let Some((_, module)) = REEXPORTS.iter().find(|(item, _)| *item == first) {
        return Some(module.to_string());
    }
    if !first.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
        return None;
    }
    match parts.get(1) {
        Some(child)
            if GROUPS.contains(&first)
                && child.chars().all(|c| c.is_ascii_lowercase() || c == '_') =>
        {
            Some(format!("{first}::{child}"))
        }
        _ => Some(first.to_string()),
    }
}

/// Every `crate::a::b` path in the text, and `super::x` in a child of a group, as modules.
fn references(text: &str, own: &str) -> BTreeSet<String> {
    let code: String = text
        .split("#[cfg(test)]")
        .next()
        .unwrap_or_default()
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let code = code.as_str();
    let mut found = BTreeSet::new();
    let path_after = |from: usize| -> Vec<&str> {
        let end = code[from..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .map_or(code.len(), |e| from + e);
        code[from..end]
            .split("::")
            .filter(|p| !p.is_empty())
            .collect()
    };
    for (at, _) in code.match_indices("crate::") {
        if let Some(module) = module_of(&path_after(at + "crate::".len())) {
            found.insert(module);
        }
    }
    if let Some((group, _)) = own.split_once("::") {
        for (at, _) in code.match_indices("super::") {
            if let Some(child) = path_after(at + "super::".len()).first() {
                if child.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                    found.insert(format!("{group}::{child}"));
                }
            }
        }
    }
    found.remove(own);
    found.remove("lib");
    found
}

fn graph_of(root: &Path) -> Graph {
    let mut files = Vec::new();
    rust_files(root, &mut files);
    let mut graph = Graph::new();
    for file in files {
        let relative = file.strip_prefix(root).unwrap().with_extension("");
        let mut parts: Vec<&str> = relative.iter().map(|p| p.to_str().unwrap()).collect();
        if parts.last() == Some(&"mod") {
            parts.pop();
        }
        let Some(own) = module_of(&parts).filter(|m| m != "lib") else {
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        graph
            .entry(own.clone())
            .or_default()
            .extend(references(&text, &own));
    }
    graph
}

/// A cycle, as the modules along it, if the graph has one.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_core_has_no_module_cycle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = graph_of(&root);
    assert!(graph.len() > 30, "the sources were read: {graph:?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!("a module cycle: {}", cycle.join(" -> "));
    }
}

#[test]
fn a_cycle_is_found_when_there_is_one() {
    let own = "controller::scheduler";
    let uses = references(
        "use crate::volume::find_matching_volume;\nuse super::persistentvolume::x;\n#[cfg(test)]\nuse crate::timeline;",
        own,
    );
    assert_eq!(
        uses,
        BTreeSet::from(["controller::persistentvolume".into(), "volume".into()])
    );
    let mut graph = Graph::new();
    graph.insert(own.into(), uses);
    graph.insert("volume".into(), BTreeSet::from([own.to_string()]));
    assert_eq!(
        find_cycle(&graph).unwrap().join(" -> "),
        "controller::scheduler -> volume -> controller::scheduler"
    );
}
