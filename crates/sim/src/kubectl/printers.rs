//! kubectl's side of `kubectl get`'s tables: the table printer that lays out the cells the apiserver's
//! printers (`api::printers`) fill, as k8s.io/cli-runtime/pkg/printers/tableprinter.go does.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::labels::format_labels;

/// The `--show-labels` column: `key=value` pairs in key order, or `<none>`.
pub fn labels_column(meta: &ObjectMeta) -> String {
    format_labels(meta.labels.as_ref())
}

/// Left-aligned columns separated by three spaces, as kubectl's tabwriter prints them.
pub fn render_table(header: &[&str], rows: &[Vec<String>]) -> String {
    TableWriter::default().write(Some(header), rows)
}

/// kubectl's tabwriter settings (printers.GetNewTabWriter): a column is at least 6 wide, its padding included.
const MIN_WIDTH: usize = 6;

/// kubectl's table writer (liggitt/tabwriter with `RememberWidths`): a column is as wide as its widest cell
/// written so far, even across flushes, which is why the rows `kubectl get -w` prints line up with the
/// header until a wider cell comes, and every row after it is wider too.
#[derive(Clone, Debug, Default)]
pub struct TableWriter {
    widths: Vec<usize>,
}

impl TableWriter {
    /// Lays out `rows` (after `header`, if given) as one flush of the writer.
    pub fn write(&mut self, header: Option<&[&str]>, rows: &[Vec<String>]) -> String {
        let header: Option<Vec<String>> = header.map(|h| h.iter().map(|c| c.to_string()).collect());
        let lines: Vec<&Vec<String>> = header.iter().chain(rows).collect();
        for line in &lines {
            if self.widths.len() < line.len() {
                self.widths.resize(line.len(), 0);
            }
            for (i, cell) in line.iter().enumerate() {
                self.widths[i] = self.widths[i].max(cell.chars().count());
            }
        }
        let mut text = String::new();
        for cells in lines {
            let mut out = String::new();
            for (i, cell) in cells.iter().enumerate() {
                out.push_str(cell);
                if i + 1 < cells.len() {
                    // Padding 3, and a cell at least MIN_WIDTH wide padding included.
                    let width = (self.widths[i] + 3).max(MIN_WIDTH);
                    out.push_str(&" ".repeat(width - cell.chars().count()));
                }
            }
            // The last cell is not padded; an empty one leaves the padding of the cell before it, as Go's
            // tabwriter writes it (`kubectl get -L` of a label a pod lacks).
            text.push_str(&out);
            text.push('\n');
        }
        text
    }
}

/// `-o json`, as kubectl's JSONPrinter writes an object: `json.MarshalIndent` with four spaces, which
/// escapes `<`, `>` and `&` (and U+2028, U+2029) as Go's encoder does for HTML, and a newline after it.
pub fn to_json(value: &serde_json::Value) -> String {
    let mut bytes = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, formatter);
    serde::Serialize::serialize(value, &mut serializer).expect("JSON values serialize");
    let mut out = go_escaped(&String::from_utf8(bytes).expect("serde_json writes UTF-8"));
    out.push('\n');
    out
}

/// Compact JSON as Go's `json.Marshal` writes it (what kubectl records in last-applied-configuration):
/// sorted keys, no spaces, and `<`, `>`, `&`, U+2028 and U+2029 escaped.
pub fn to_compact_json(value: &serde_json::Value) -> String {
    go_escaped(&value.to_string())
}

/// JSON text with the characters Go's encoder escapes for HTML escaped. They stand only inside strings in
/// JSON text, so escaping them everywhere is escaping them there.
fn go_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::printers::Columns;
    use crate::view::rows::PodRow;

    #[test]
    fn json_is_indented_and_escaped_as_go_writes_it() {
        let value = serde_json::json!({"a": ["<none>", "x & y"], "b": {}});
        assert_eq!(
            to_json(&value),
            "{\n    \"a\": [\n        \"\\u003cnone\\u003e\",\n        \"x \\u0026 y\"\n    ],\n    \"b\": {}\n}\n"
        );
    }

    #[test]
    fn tables_align_like_kubectl() {
        let text = render_table(
            &PodRow::header(false)
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            &[vec![
                "web-0".into(),
                "1/1".into(),
                "Running".into(),
                "0".into(),
                "5m28s".into(),
            ]],
        );
        assert_eq!(text, "NAME    READY   STATUS    RESTARTS   AGE\nweb-0   1/1     Running   0          5m28s\n");
    }
}
