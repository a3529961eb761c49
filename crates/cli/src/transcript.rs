//! The human transcript: commands with their output, and `kubectl get pods -w`-style lines for every change
//! of a pod or claim that kubectl would show differently.

use std::collections::BTreeMap;

use ordinal_sim::object::Object;
use ordinal_sim::scenario::Record;
use ordinal_sim::store::WatchEventType;
use ordinal_sim::time::format_seconds;
use ordinal_sim::view::{ClaimRow, Columns, PodRow};

#[derive(Default)]
pub struct Transcript {
    /// The last row printed per object, without its AGE, so unchanged rows are not repeated.
    last_rows: BTreeMap<String, Vec<String>>,
}

impl Transcript {
    pub fn render(&mut self, record: &Record) -> Option<String> {
        let t = format!("[{:>7}s]", format_seconds(record.at().as_secs_f64()));
        match record {
            Record::Command {
                command, output, ..
            } => {
                let mut text = format!("{t} $ {command}\n");
                // As a terminal shows them: stdout and stderr in the order they were printed.
                let printed: String = output.pieces().into_iter().map(|(_, text)| text).collect();
                for line in printed.lines() {
                    text.push_str(&format!("{:11}{line}\n", ""));
                }
                Some(text)
            }
            // The command's record above already shows all it printed.
            Record::Output { .. } => None,
            Record::End { .. } => Some(format!("{t} end\n")),
            Record::Watch(event) => {
                let now = event.at;
                let (key, mut row) = match &event.object {
                    Object::Pod(pod) => (
                        format!("pod/{}", pod.metadata.name.clone().unwrap_or_default()),
                        PodRow::of(pod).cells(now, true),
                    ),
                    Object::PersistentVolumeClaim(claim) => (
                        format!("pvc/{}", claim.metadata.name.clone().unwrap_or_default()),
                        ClaimRow::of(claim).cells(now, false),
                    ),
                    _ => return None,
                };
                let deleted = event.event_type == WatchEventType::Deleted;
                if deleted {
                    self.last_rows.remove(&key);
                    return Some(format!("{t}   {key:<24} deleted\n"));
                }
                // (column, width): READY STATUS RESTARTS IP NODE for pods; STATUS VOLUME CAPACITY MODES CLASS for claims.
                let columns: &[(usize, usize)] = match &event.object {
                    Object::Pod(_) => &[(1, 6), (2, 18), (3, 3), (5, 13), (6, 0)],
                    _ => &[(1, 8), (2, 41), (3, 6), (4, 5), (5, 0)],
                };
                let shown: Vec<String> = columns
                    .iter()
                    .map(|(i, _)| std::mem::take(&mut row[*i]))
                    .collect();
                if self.last_rows.get(&key) == Some(&shown) {
                    return None;
                }
                let cells: String = shown
                    .iter()
                    .zip(columns)
                    .map(|(cell, (_, width))| format!("{cell:<width$} "))
                    .collect();
                let line = format!("{t}   {key:<20} {}\n", cells.trim_end());
                self.last_rows.insert(key, shown);
                Some(line)
            }
        }
    }
}
