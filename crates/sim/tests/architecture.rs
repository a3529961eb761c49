//! The page reads the simulation through `ordinal_sim::view` alone: every `ordinal_sim::` path under the
//! repository's `src/` (the page's crate) starts with `ordinal_sim::view`. The rest of the core is how the
//! cluster works, and may change without the page knowing.
#![cfg(not(target_arch = "wasm32"))]

use std::fs;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, in a stable order.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    entries.sort();
    entries
        .into_iter()
        .flat_map(|path| {
            if path.is_dir() {
                rust_files(&path)
            } else if path.extension().is_some_and(|e| e == "rs") {
                vec![path]
            } else {
                Vec::new()
            }
        })
        .collect()
}

/// Each use of the core's crate in `line` that does not go through `view`: an `ordinal_sim::` path that does
/// not start with `ordinal_sim::view`, or the crate named alone (`use ordinal_sim as sim;`), which would hide
/// the paths after it. A path in braces (`ordinal_sim::{view, SimTime}`) names the crate's root, and counts.
fn paths_around_view(line: &str) -> Vec<String> {
    const CRATE: &str = "ordinal_sim";
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    line.match_indices(CRATE)
        .filter(|(at, _)| {
            // `not_ordinal_sim` and `ordinal_simulator` are other names.
            let before = line[..*at].chars().next_back();
            let after = line[at + CRATE.len()..].chars().next();
            !before.is_some_and(is_word) && !after.is_some_and(is_word)
        })
        .map(|(at, _)| {
            let rest = &line[at + CRATE.len()..];
            let end = rest
                .find(|c: char| !(is_word(c) || c == ':' || c == '{'))
                .unwrap_or(rest.len());
            format!("{CRATE}{}", &rest[..end])
        })
        .filter(|path| !(path == "ordinal_sim::view" || path.starts_with("ordinal_sim::view::")))
        .collect()
}

#[test]
fn the_page_reaches_the_core_through_the_view_alone() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../src");
    let files = rust_files(&src);
    assert!(
        files.len() > 10,
        "the page's sources are under {}",
        src.display()
    );
    let mut found = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        for (number, line) in text.lines().enumerate() {
            for path in paths_around_view(line) {
                let shown = file.strip_prefix(&src).unwrap_or(&file).display();
                found.push(format!("src/{shown}:{}: {path}", number + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the page reads the core through ordinal_sim::view only; these paths go around it:\n{}",
        found.join("\n")
    );
}

#[test]
fn a_path_around_the_view_is_found() {
    assert_eq!(
        paths_around_view("use ordinal_sim::kubectl::printers;"),
        ["ordinal_sim::kubectl::printers"]
    );
    assert_eq!(
        paths_around_view("use ordinal_sim::{view, SimTime};"),
        ["ordinal_sim::{view"]
    );
    assert_eq!(
        paths_around_view("let at = ordinal_sim::SimTime::ZERO;"),
        ["ordinal_sim::SimTime::ZERO"]
    );
    assert!(paths_around_view("use ordinal_sim::view::{self, Scenario};").is_empty());
    assert!(paths_around_view("ordinal_sim::view::share::read_state(json)").is_empty());
    assert_eq!(
        paths_around_view("use ordinal_sim as sim;"),
        ["ordinal_sim"]
    );
    assert!(paths_around_view("use not_ordinal_sim::kubectl;").is_empty());
    assert!(paths_around_view("use ordinal_simulator::kubectl;").is_empty());
}
