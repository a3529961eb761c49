//! Field selectors, as the apiserver reads them: `fields.ParseSelector`'s terms, and the field labels each
//! kind's registry supports (`GetAttrs` and the field label conversions of pkg/apis/*/v1/conversion.go),
//! beyond `metadata.name` and `metadata.namespace`, which every kind supports.

use serde_json::Value;

/// One `field=value`, `field==value` or `field!=value` term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldTerm {
    pub path: String,
    value: String,
    equal: bool,
}

impl FieldTerm {
    /// Whether the kind's registry can select on this field.
    pub fn supported_for(&self, kind: &str) -> bool {
        matches!(self.path.as_str(), "metadata.name" | "metadata.namespace")
            || supported_fields(kind).contains(&self.path.as_str())
    }

    /// Whether the object, as JSON, satisfies the term.
    pub fn holds(&self, object: &Value) -> bool {
        (field_value(object, &self.path) == self.value) == self.equal
    }
}

/// The terms of a field selector, or why it cannot be read.
pub fn parse_field_selector(text: &str) -> Result<Vec<FieldTerm>, String> {
    text.split(',')
        .filter(|t| !t.trim().is_empty())
        .map(|term| {
            let (path, value, equal) = if let Some((p, v)) = term.split_once("!=") {
                (p, v, false)
            } else if let Some((p, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
                (p, v, true)
            } else {
                return Err(format!(
                    "invalid selector: '{text}'; can't understand '{term}'"
                ));
            };
            Ok(FieldTerm {
                path: path.trim().into(),
                value: value.trim().into(),
                equal,
            })
        })
        .collect()
}

/// The field labels the apiserver supports for a kind, beyond `metadata.name` and `metadata.namespace`.
fn supported_fields(kind: &str) -> &'static [&'static str] {
    match kind {
        "Pod" => &[
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "status.phase",
            "status.podIP",
            "status.nominatedNodeName",
        ],
        "Event" => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        ],
        "Node" => &["spec.unschedulable"],
        _ => &[],
    }
}

/// A field's value as the field selector compares it: strings as they are, other scalars printed.
fn field_value(object: &Value, path: &str) -> String {
    let path = if path == "source" {
        "source.component"
    } else {
        path
    };
    let value = path
        .split('.')
        .try_fold(object, |value, part| value.get(part));
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}
