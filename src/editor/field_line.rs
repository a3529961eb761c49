//! Between field paths and the lines of block YAML, both ways. The apiserver answers in field paths
//! (`spec.replicas: Invalid value: -1: ...`) and the editor marks lines: without `field_line` every refusal
//! would sit on the first line of its document. The pointer is over a line: `field_at` tells which field it
//! is, for the stage to light up what that field governs.

use super::linking::Field;

/// The 1-based line of the field `message` names, in the document of `manifests` that starts on
/// `document_line`. When the message names no field, or the field is not written out (a default, or flow
/// style), the line of the deepest part of its path that is, and failing that `document_line`.
pub fn field_line(manifests: &str, document_line: usize, message: &str) -> usize {
    let Some(path) = named_path(message).and_then(segments) else {
        return document_line;
    };
    let lines: Vec<&str> = manifests
        .lines()
        .skip(document_line.saturating_sub(1))
        .take_while(|line| !is_document_separator(line))
        .collect();
    let entries: Vec<Option<Entry>> = lines.iter().map(|line| entry(line)).collect();
    let mut block = 0..entries.len();
    let mut found = None;
    for segment in path {
        let at = match segment {
            Segment::Key(key) => {
                // A block's own keys are its least indented ones; deeper ones belong to its children.
                let Some(column) = block
                    .clone()
                    .filter_map(|i| entries[i].as_ref())
                    .map(|e| e.key_column)
                    .min()
                else {
                    break;
                };
                let Some(at) = block.clone().find(|&i| {
                    entries[i]
                        .as_ref()
                        .is_some_and(|e| e.key_column == column && e.key == Some(key))
                }) else {
                    break;
                };
                block = at + 1..block_end(&entries, at + 1, block.end, column);
                at
            }
            Segment::Index(index) => {
                let Some(column) = block.clone().filter_map(|i| item_column(&entries[i])).min()
                else {
                    break;
                };
                let items: Vec<usize> = block
                    .clone()
                    .filter(|&i| item_column(&entries[i]) == Some(column))
                    .collect();
                let Some(&at) = items.get(index) else {
                    break;
                };
                // The item's first key is on its dash line, so the item's block starts there.
                block = at..items.get(index + 1).copied().unwrap_or(block.end);
                at
            }
        };
        found = Some(at);
    }
    document_line + found.unwrap_or(0)
}

/// The field on 1-based `line` of `manifests` (or the nearest one above it): its path of keys from the top
/// of its document (sequence items add no index: `spec.template.spec.containers.image`), with the document's
/// kind and metadata.name. None outside a document that has both.
pub fn field_at(manifests: &str, line: usize) -> Option<Field> {
    let lines: Vec<&str> = manifests.lines().collect();
    let at = line.checked_sub(1).filter(|&at| at < lines.len())?;
    let start = (0..=at)
        .rev()
        .find(|&i| is_document_separator(lines[i]))
        .map_or(0, |i| i + 1);
    let end = (at + 1..lines.len())
        .find(|&i| is_document_separator(lines[i]))
        .unwrap_or(lines.len());
    let entries: Vec<Option<Entry>> = lines[start..end].iter().map(|l| entry(l)).collect();
    let keyed = |i: usize| {
        entries[i]
            .as_ref()
            .and_then(|e| Some((e.key?, e.key_column)))
    };
    // Upwards from the line: each key less indented than the last one taken is its parent.
    let mut path = Vec::new();
    let mut column = usize::MAX;
    for i in (0..=at.checked_sub(start)?).rev() {
        if let Some((key, key_column)) = keyed(i).filter(|(_, c)| *c < column) {
            path.push(key);
            column = key_column;
        }
        if column == 0 {
            break;
        }
    }
    path.reverse();
    // The document's kind, and the name among metadata's own keys.
    let top = |key: &str| (0..entries.len()).find(|&i| keyed(i) == Some((key, 0)));
    let kind = value_of(lines[start + top("kind")?])?;
    let metadata = top("metadata")?;
    let block = metadata + 1..block_end(&entries, metadata + 1, entries.len(), 0);
    let column = block.clone().filter_map(&keyed).map(|(_, c)| c).min()?;
    let name_line = block
        .clone()
        .find(|&i| keyed(i) == Some(("name", column)))?;
    let name = value_of(lines[start + name_line])?;
    (!path.is_empty()).then(|| Field {
        kind: kind.to_string(),
        name: name.to_string(),
        path: path.join("."),
    })
}

/// The scalar a `key: value` line sets, unquoted; None when it sets none.
fn value_of(line: &str) -> Option<&str> {
    let (_, value) = line.split_once(": ")?;
    let value = value.trim();
    let unquoted = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
        .unwrap_or(value);
    (!unquoted.is_empty()).then_some(unquoted)
}

/// The field path of the first cause in an Invalid error (`The StatefulSet "web" is invalid: spec.replicas:
/// ...`, or a `* `-list of causes) or of the first unknown field in a strict decoding error.
fn named_path(message: &str) -> Option<&str> {
    let (rest, end) =
        if let Some((_, rest)) = message.split_once("strict decoding error: unknown field \"") {
            (rest, "\"")
        } else {
            let (_, rest) = message.split_once(" is invalid: ")?;
            (rest.trim_start_matches(['\n', '*', ' ']), ": ")
        };
    let (path, _) = rest.split_once(end)?;
    (!path.is_empty() && !path.contains(char::is_whitespace)).then_some(path)
}

#[derive(Debug, PartialEq)]
enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

/// `spec.containers[0].image` as keys and indexes; `labels[app.kubernetes.io/name]` is a key with dots.
fn segments(path: &str) -> Option<Vec<Segment<'_>>> {
    let mut found = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(inner) = rest.strip_prefix('[') {
            let (key, after) = inner.split_once(']')?;
            found.push(key.parse().map_or(Segment::Key(key), Segment::Index));
            rest = after;
        } else {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            found.push(Segment::Key(&rest[..end]));
            rest = &rest[end..];
        }
        rest = rest.strip_prefix('.').unwrap_or(rest);
    }
    Some(found)
}

/// What a line of block YAML holds for this search: its indentation, whether it starts a sequence item, and
/// the key it sets with the column that key starts in. Blank and comment lines hold nothing.
struct Entry<'a> {
    indent: usize,
    item: bool,
    key: Option<&'a str>,
    key_column: usize,
}

fn entry(line: &str) -> Option<Entry<'_>> {
    let content = line.trim_start_matches(' ');
    if content.trim().is_empty() || content.starts_with('#') {
        return None;
    }
    let indent = line.len() - content.len();
    let item = content == "-" || content.starts_with("- ");
    let after_dash = if item {
        content[1..].trim_start_matches(' ')
    } else {
        content
    };
    Some(Entry {
        indent,
        item,
        key: key_of(after_dash),
        key_column: indent + content.len() - after_dash.len(),
    })
}

fn key_of(content: &str) -> Option<&str> {
    let (key, rest) = match content.chars().next()? {
        quote @ ('"' | '\'') => {
            let inner = &content[1..];
            let end = inner.find(quote)?;
            (&inner[..end], &inner[end + 1..])
        }
        _ => {
            let end = content
                .find(": ")
                .or_else(|| content.strip_suffix(':').map(str::len))?;
            (&content[..end], &content[end..])
        }
    };
    (rest.starts_with(": ") || rest == ":").then_some(key.trim_end())
}

fn item_column(entry: &Option<Entry>) -> Option<usize> {
    entry.as_ref().filter(|e| e.item).map(|e| e.indent)
}

/// Where the block under a key in `column` ends: at the first line indented less, or as much unless it is a
/// sequence item (YAML lets a key's items sit in the key's own column).
fn block_end(entries: &[Option<Entry>], from: usize, end: usize, column: usize) -> usize {
    (from..end)
        .find(|&i| {
            entries[i]
                .as_ref()
                .is_some_and(|e| e.indent < column || (e.indent == column && !e.item))
        })
        .unwrap_or(end)
}

/// The rule `kubectl` and the simulation split documents by.
fn is_document_separator(line: &str) -> bool {
    line.strip_prefix("---")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '#']))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFESTS: &str = "\
apiVersion: v1
kind: Service
metadata:
  name: nginx
---
# the set
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
  labels:
    app.kubernetes.io/name: web
spec:
  replicas: -1
  template:
    spec:
      containers:
      - name: nginx
        image: nginx:1.9.1
        ports:
        - containerPort: 80
      - name: sidecar
        image: busybox
  volumeClaimTemplates:
    - metadata:
        name: www
      spec:
        resources: {}
";

    fn line_for(message: &str) -> usize {
        field_line(MANIFESTS, 7, message)
    }

    #[test]
    fn the_field_under_a_line_is_its_path_of_keys_in_its_document() {
        let web = r#"apiVersion: v1
kind: Service
metadata:
  name: nginx
spec:
  clusterIP: None
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  labels:
    name: not-this
  name: "web"
spec:
  replicas: 3
  template:
    spec:
      containers:
      - name: nginx
        image: nginx:1.9.1

  volumeClaimTemplates:
  - metadata:
      name: www
"#;
        let at = |line| field_at(web, line).map(|f| format!("{}/{}/{}", f.kind, f.name, f.path));
        assert_eq!(at(6).as_deref(), Some("Service/nginx/spec.clusterIP"));
        assert_eq!(at(15).as_deref(), Some("StatefulSet/web/spec.replicas"));
        assert_eq!(
            at(20).as_deref(),
            Some("StatefulSet/web/spec.template.spec.containers.image")
        );
        // A blank line belongs to the field above it; an item keeps its key and no index.
        assert_eq!(
            at(21).as_deref(),
            Some("StatefulSet/web/spec.template.spec.containers.image")
        );
        assert_eq!(
            at(24).as_deref(),
            Some("StatefulSet/web/spec.volumeClaimTemplates.metadata.name")
        );
        // The separator, and lines past the end, are no field.
        assert_eq!(at(7), None);
        assert_eq!(at(99), None);
        // Without a kind and a name there is nothing to light up.
        assert_eq!(field_at("spec:\n  replicas: 3\n", 2), None);
    }

    #[test]
    fn an_invalid_value_is_on_its_field_line() {
        let message = "The StatefulSet \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0";
        assert_eq!(line_for(message), 14);
    }

    #[test]
    fn a_list_of_causes_is_on_the_first_cause() {
        let message = "The StatefulSet \"web\" is invalid: \n* metadata.name: Invalid value: \"Web\": ...\n* spec.replicas: Invalid value: -1: ...";
        assert_eq!(line_for(message), 10);
    }

    #[test]
    fn sequence_items_are_counted_in_either_indentation_style() {
        let message = "The StatefulSet \"web\" is invalid: spec.template.spec.containers[1].image: Required value";
        assert_eq!(line_for(message), 23);
        let message = "The StatefulSet \"web\" is invalid: spec.template.spec.containers[0].ports[0].containerPort: Invalid value";
        assert_eq!(line_for(message), 21);
        let message =
            "The StatefulSet \"web\" is invalid: spec.volumeClaimTemplates[0].spec: Forbidden";
        assert_eq!(line_for(message), 27);
    }

    #[test]
    fn an_unknown_field_is_on_its_line() {
        let message = "StatefulSet in version \"v1\" cannot be handled as a StatefulSet: strict decoding error: unknown field \"spec.template.spec\", unknown field \"spec.replicas\"";
        assert_eq!(line_for(message), 16);
    }

    #[test]
    fn a_key_with_dots_is_one_segment() {
        let message = "The StatefulSet \"web\" is invalid: metadata.labels[app.kubernetes.io/name]: Invalid value";
        assert_eq!(line_for(message), 12);
    }

    #[test]
    fn a_field_not_written_out_falls_back_to_what_is() {
        let message =
            "The StatefulSet \"web\" is invalid: spec.selector: Invalid value: empty selector";
        assert_eq!(
            line_for(message),
            13,
            "spec is written, its selector is not"
        );
        let message = "The StatefulSet \"web\" is invalid: spec.volumeClaimTemplates[0].spec.resources.requests: Required value";
        assert_eq!(line_for(message), 28, "flow style is not looked into");
        assert_eq!(line_for("error: resource mapping not found"), 7);
    }

    #[test]
    fn the_search_stays_in_its_document() {
        let message = "The Service \"nginx\" is invalid: spec: Required value";
        assert_eq!(field_line(MANIFESTS, 1, message), 1);
    }
}
