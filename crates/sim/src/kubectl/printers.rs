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
                    out.push_str(&" ".repeat(self.widths[i] - cell.chars().count() + 3));
                }
            }
            text.push_str(out.trim_end());
            text.push('\n');
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::printers::Columns;
    use crate::view::rows::PodRow;

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
