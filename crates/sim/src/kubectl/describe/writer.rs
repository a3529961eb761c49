//! k8s.io/kubectl/pkg/describe/describe.go's `PrefixWriter` and what every describer there prints through it:
//! the metadata header (`printLabelsMultiline`, `printAnnotationsMultiline`), `<none>` and `<unset>` for what
//! is empty, the `Events:` table (`DescribeEvents`) and the time formats.

use k8s_openapi::api::core::v1::Event;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;
use std::fmt::Display;

use super::super::tabwriter::align;
use crate::cluster::Cluster;
use crate::kubectl::apply::LAST_APPLIED_ANNOTATION;
use crate::sort;
use crate::time::{human_duration, SimTime};

/// What kubectl prints for a list or a map with nothing in it.
pub(super) const NONE: &str = "<none>";
/// What kubectl prints for an optional field left out.
pub(super) const UNSET: &str = "<unset>";

/// Text written through kubectl's `PrefixWriter`, cut into the chunks its tabwriter aligns separately.
#[derive(Default)]
pub(crate) struct Doc {
    chunks: Vec<String>,
    current: String,
}

impl Doc {
    /// `PrefixWriter.Write`: two spaces per level, then the text.
    pub(super) fn write(&mut self, level: usize, text: &str) {
        self.current.push_str(&"  ".repeat(level));
        self.current.push_str(text);
    }

    /// `Write(level, "Title:\t%s\n", value)`: the line describers are mostly made of.
    pub(super) fn field(&mut self, level: usize, title: &str, value: impl Display) {
        self.write(level, &format!("{title}:\t{value}\n"));
    }

    /// A section's title: on a line of its own when entries follow, with `<none>` beside it when none do.
    /// Says whether entries follow.
    pub(super) fn section(&mut self, level: usize, title: &str, has_entries: bool) -> bool {
        if has_entries {
            self.write(level, &format!("{title}:\n"));
        } else {
            self.field(level, title, NONE);
        }
        has_entries
    }

    /// The first item beside the title, each further one on a line of its own in the same column, `<none>` for
    /// no items: the shape of `printLabelsMultilineWithIndent` and its siblings for annotations, tolerations
    /// and a claim's users.
    pub(super) fn multiline(&mut self, level: usize, title: &str, items: Vec<String>) {
        self.write(level, &format!("{title}:\t"));
        if items.is_empty() {
            self.write(0, &format!("{NONE}\n"));
        }
        for (index, item) in items.iter().enumerate() {
            if index > 0 {
                self.write(level, "\t");
            }
            self.write(0, &format!("{item}\n"));
        }
    }

    /// `printLabelsMultilineWithIndent`.
    pub(super) fn labels(
        &mut self,
        level: usize,
        title: &str,
        labels: Option<&BTreeMap<String, String>>,
    ) {
        self.multiline(level, title, key_values(labels));
    }

    /// `printAnnotationsMultiline`: the last-applied annotation is skipped; long or multi-line values go on
    /// their own lines.
    pub(super) fn annotations(
        &mut self,
        title: &str,
        annotations: Option<&BTreeMap<String, String>>,
    ) {
        const MAX_ANNOTATION_LEN: usize = 140;
        let items = annotations
            .into_iter()
            .flatten()
            .filter(|(key, _)| key.as_str() != LAST_APPLIED_ANNOTATION)
            .map(|(key, value)| {
                let value = value.strip_suffix('\n').unwrap_or(value);
                if value.len() + key.len() + 2 <= MAX_ANNOTATION_LEN && !value.contains('\n') {
                    return format!("{key}: {value}");
                }
                let mut item = format!("{key}:");
                for line in value.split('\n') {
                    let shortened = if line.len() > MAX_ANNOTATION_LEN - 2 {
                        format!("{}...", &line[..MAX_ANNOTATION_LEN - 2])
                    } else {
                        line.to_string()
                    };
                    item.push_str(&format!("\n\t  {shortened}"));
                }
                item
            })
            .collect();
        self.multiline(0, title, items);
    }

    /// The object's own labels and annotations.
    pub(super) fn labels_and_annotations(&mut self, meta: &ObjectMeta) {
        self.labels(0, "Labels", meta.labels.as_ref());
        self.annotations("Annotations", meta.annotations.as_ref());
    }

    /// `Finalizers:` as Go prints a string slice.
    pub(super) fn finalizers(&mut self, meta: &ObjectMeta) {
        self.field(0, "Finalizers", go_string_list(meta.finalizers.as_ref()));
    }

    /// `DescribeEvents`: a separate tabwriter block, oldest first, repeats as `(xN over AGE)`.
    pub(super) fn events(&mut self, events: &[Event], now: SimTime) {
        if events.is_empty() {
            self.field(0, "Events", NONE);
            return;
        }
        self.flush();
        self.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
        self.write(1, "----\t------\t----\t----\t-------\n");
        for event in events {
            let first = since(event.first_timestamp.as_ref(), now);
            let count = event.count.unwrap_or(1);
            let interval = if count > 1 {
                format!(
                    "{} (x{count} over {first})",
                    since(event.last_timestamp.as_ref(), now)
                )
            } else {
                first
            };
            let source = event
                .source
                .as_ref()
                .and_then(|s| s.component.as_deref())
                .filter(|c| !c.is_empty())
                .or(event.reporting_component.as_deref())
                .unwrap_or_default();
            self.write(
                1,
                &format!(
                    "{}\t{}\t{interval}\t{source}\t{}\n",
                    event.type_.as_deref().unwrap_or_default(),
                    event.reason.as_deref().unwrap_or_default(),
                    event.message.as_deref().unwrap_or_default().trim()
                ),
            );
        }
    }

    fn flush(&mut self) {
        self.chunks.push(std::mem::take(&mut self.current));
    }

    /// What `describe` prints: each chunk aligned by the tabwriter.
    pub(super) fn aligned(mut self) -> String {
        self.flush();
        self.chunks.iter().map(|c| align(c)).collect()
    }

    /// What `rollout history --revision` prints: the same text without a tabwriter, tabs and all.
    pub(crate) fn raw(mut self) -> String {
        self.flush();
        self.chunks.concat()
    }
}

/// `searchEvents`: events whose involvedObject is this object (name, namespace and uid; the kind too, except
/// for pods, whose reference the pod describer clears).
///
/// Not generic over the kind, so the wasm holds one copy of it rather than one per kind.
pub(super) fn events_for(cluster: &Cluster, meta: &ObjectMeta, kind: &str) -> Vec<Event> {
    let mut events: Vec<&Event> = cluster
        .store()
        .list::<Event>()
        .filter(|e| {
            let involved = &e.involved_object;
            involved.name == meta.name
                && involved.namespace.clone().unwrap_or_default()
                    == meta.namespace.clone().unwrap_or_default()
                && involved.uid == meta.uid
                && (kind == "Pod" || involved.kind.as_deref() == Some(kind))
        })
        .collect();
    sort::sort_by_key(&mut events, |e| {
        e.last_timestamp.as_ref().map(SimTime::from_k8s)
    });
    events.into_iter().cloned().collect()
}

/// `translateTimestampSince`.
pub(super) fn since(time: Option<&Time>, now: SimTime) -> String {
    match time {
        Some(time) => human_duration(now.0.saturating_sub(SimTime::from_k8s(time).0)),
        None => "<unknown>".into(),
    }
}

/// The status of an object being deleted, which waits on its finalizers or its grace period.
pub(super) fn terminating(deleted: &Time, now: SimTime) -> String {
    format!("Terminating (lasts {})", since(Some(deleted), now))
}

/// Go's `time.RFC1123Z`; simulated time is UTC.
pub(super) fn rfc1123z(time: &Time) -> String {
    time.0.strftime("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

/// A map's entries as `key=value`, in key order.
pub(super) fn key_values(map: Option<&BTreeMap<String, String>>) -> Vec<String> {
    map.into_iter()
        .flatten()
        .map(|(key, value)| format!("{key}={value}"))
        .collect()
}

/// The items joined by `separator`, or `<none>` when there are none.
pub(super) fn join_or_none(items: &[String], separator: &str) -> String {
    if items.is_empty() {
        NONE.to_string()
    } else {
        items.join(separator)
    }
}

/// The value, or `<unset>` when it was left out.
pub(super) fn or_unset(value: Option<impl Display>) -> String {
    value.map_or_else(|| UNSET.to_string(), |v| v.to_string())
}

/// A string slice as Go's `%v` prints it: `[a b]`.
pub(super) fn go_string_list(items: Option<&Vec<String>>) -> String {
    format!("[{}]", items.map(|i| i.join(" ")).unwrap_or_default())
}

/// An int-or-string as Go's `%s` of `IntOrString.String()` prints it.
pub(super) fn int_or_string(value: &IntOrString) -> String {
    match value {
        IntOrString::Int(n) => n.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

/// The protocol a port names, or the apiserver's default.
pub(super) fn protocol(protocol: Option<&str>) -> &str {
    protocol.unwrap_or("TCP")
}
