//! k8s.io/kubectl/pkg/describe/describe.go's `PrefixWriter` and the pieces every describer there shares:
//! the labels and annotations blocks, the `Events:` table (`DescribeEvents`) and the time formats.

use k8s_openapi::api::core::v1::Event;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, Time};
use std::collections::BTreeMap;

use super::super::tabwriter::align;
use crate::api::apply::LAST_APPLIED_ANNOTATION;
use crate::cluster::Cluster;
use crate::object::get_controller_of;
use crate::sort;
use crate::time::{human_duration, SimTime};

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

    pub(super) fn flush(&mut self) {
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

pub(super) struct EventTable {
    pub(super) events: Vec<Event>,
    pub(super) now: SimTime,
}

impl EventTable {
    /// `DescribeEvents`: a separate tabwriter block, oldest first, repeats as `(xN over AGE)`.
    pub(super) fn write(&self, doc: &mut Doc) {
        if self.events.is_empty() {
            doc.write(0, "Events:\t<none>\n");
            return;
        }
        doc.flush();
        doc.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
        doc.write(1, "----\t------\t----\t----\t-------\n");
        for event in &self.events {
            let first = since(event.first_timestamp.as_ref(), self.now);
            let count = event.count.unwrap_or(1);
            let interval = if count > 1 {
                format!(
                    "{} (x{count} over {first})",
                    since(event.last_timestamp.as_ref(), self.now)
                )
            } else {
                first
            };
            let source = event
                .source
                .as_ref()
                .and_then(|s| s.component.clone())
                .filter(|c| !c.is_empty())
                .or_else(|| event.reporting_component.clone())
                .unwrap_or_default();
            doc.write(
                1,
                &format!(
                    "{}\t{}\t{interval}\t{source}\t{}\n",
                    event.type_.clone().unwrap_or_default(),
                    event.reason.clone().unwrap_or_default(),
                    event.message.clone().unwrap_or_default().trim()
                ),
            );
        }
    }
}

/// `translateTimestampSince`.
pub(super) fn since(time: Option<&Time>, now: SimTime) -> String {
    match time {
        Some(time) => human_duration(now.0.saturating_sub(SimTime::from_k8s(time).0)),
        None => "<unknown>".into(),
    }
}

/// Go's `time.RFC1123Z`; simulated time is UTC.
pub(super) fn rfc1123z(time: &Time) -> String {
    time.0.strftime("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

/// `printLabelsMultilineWithIndent`.
pub(super) fn labels_multiline(
    doc: &mut Doc,
    initial_indent: &str,
    title: &str,
    labels: Option<&BTreeMap<String, String>>,
) {
    doc.write(0, &format!("{initial_indent}{title}:\t"));
    let labels = labels.cloned().unwrap_or_default();
    if labels.is_empty() {
        doc.write(0, "<none>\n");
        return;
    }
    for (index, (key, value)) in labels.iter().enumerate() {
        if index > 0 {
            doc.write(0, &format!("{initial_indent}\t"));
        }
        doc.write(0, &format!("{key}={value}\n"));
    }
}

/// `printAnnotationsMultiline`: the last-applied annotation is skipped; long or multi-line values go on
/// their own lines.
pub(super) fn annotations_multiline(
    doc: &mut Doc,
    title: &str,
    annotations: Option<&BTreeMap<String, String>>,
) {
    const MAX_ANNOTATION_LEN: usize = 140;
    doc.write(0, &format!("{title}:\t"));
    let annotations: Vec<(&String, &String)> = annotations
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != LAST_APPLIED_ANNOTATION)
        .collect();
    if annotations.is_empty() {
        doc.write(0, "<none>\n");
        return;
    }
    for (index, (key, value)) in annotations.into_iter().enumerate() {
        if index > 0 {
            doc.write(0, "\t");
        }
        let value = value.strip_suffix('\n').unwrap_or(value);
        if value.len() + key.len() + 2 > MAX_ANNOTATION_LEN || value.contains('\n') {
            doc.write(0, &format!("{key}:\n"));
            for line in value.split('\n') {
                let shortened = if line.len() > MAX_ANNOTATION_LEN - 2 {
                    format!("{}...", &line[..MAX_ANNOTATION_LEN - 2])
                } else {
                    line.to_string()
                };
                doc.write(0, &format!("\t  {shortened}\n"));
            }
        } else {
            doc.write(0, &format!("{key}: {value}\n"));
        }
    }
}

pub(super) fn go_string_list(items: Option<&Vec<String>>) -> String {
    format!("[{}]", items.map(|i| i.join(" ")).unwrap_or_default())
}

/// `labels.Selector.String()` of a label selector: `app=nginx,tier in (a,b)`.
pub(super) fn selector_string(selector: &LabelSelector) -> String {
    let mut parts: Vec<String> = selector
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for expression in selector.match_expressions.iter().flatten() {
        let values = expression.values.clone().unwrap_or_default().join(",");
        parts.push(match expression.operator.as_str() {
            "In" => format!("{} in ({values})", expression.key),
            "NotIn" => format!("{} notin ({values})", expression.key),
            "Exists" => expression.key.clone(),
            _ => format!("!{}", expression.key),
        });
    }
    parts.sort();
    parts.join(",")
}

pub(super) fn controlled_by(meta: &ObjectMeta) -> Option<String> {
    get_controller_of(meta).map(|o| format!("{}/{}", o.kind, o.name))
}

/// The first two lines of every namespaced describe.
pub(super) fn write_name_and_namespace(doc: &mut Doc, meta: &ObjectMeta) {
    doc.write(
        0,
        &format!("Name:\t{}\n", meta.name.clone().unwrap_or_default()),
    );
    doc.write(
        0,
        &format!(
            "Namespace:\t{}\n",
            meta.namespace.clone().unwrap_or_default()
        ),
    );
}
