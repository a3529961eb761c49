//! Manifests to typed objects, with the errors kubectl prints: YAML syntax errors with their line, unknown
//! kinds, type errors, and strict decoding of unknown fields.

use crate::limits::{self, LimitError};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// One YAML document of a manifest, with the line it starts on (1-based).
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    pub value: Value,
    pub first_line: usize,
}

/// A manifest that could not be read, with the line to point at if there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestError {
    pub line: Option<usize>,
    pub message: String,
}

/// Splits a manifest at `---` lines and parses each document. Documents with nothing but comments are skipped,
/// as kubectl skips them.
pub fn parse_documents(text: &str) -> Result<Vec<Document>, ManifestError> {
    let refused = |error: LimitError| ManifestError {
        line: None,
        message: format!("error: {error}"),
    };
    limits::check_size("the manifest", text, limits::MAX_MANIFEST_BYTES)
        .and_then(|()| limits::check_flow_depth(text))
        .map_err(refused)?;
    let mut documents = Vec::new();
    let mut chunk = String::new();
    let mut chunk_start = 1;
    for (index, line) in text.lines().enumerate() {
        if is_document_separator(line) {
            parse_chunk(&chunk, chunk_start, &mut documents)?;
            chunk.clear();
            // Keep line numbers: the separator line is an empty line of the next chunk.
            chunk.push('\n');
            chunk_start = index + 1;
            continue;
        }
        chunk.push_str(line);
        chunk.push('\n');
    }
    parse_chunk(&chunk, chunk_start, &mut documents)?;
    if documents.len() > limits::MAX_DOCUMENTS {
        return Err(refused(LimitError::TooManyDocuments {
            documents: documents.len(),
        }));
    }
    Ok(documents)
}

fn is_document_separator(line: &str) -> bool {
    line.strip_prefix("---")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '#']))
}

fn parse_chunk(
    chunk: &str,
    chunk_start: usize,
    documents: &mut Vec<Document>,
) -> Result<(), ManifestError> {
    // The chunk starts on line `chunk_start`; its own line numbers count from 1 there.
    let offset = chunk_start - 1;
    let value: Value = match serde_yaml_ng::from_str(chunk) {
        Ok(value) => value,
        Err(error) => {
            let line = error.location().map(|l| l.line() + offset);
            let mut reason = error.to_string();
            if let Some(cut) = reason.find(" at line ") {
                reason.truncate(cut);
            }
            let message = match line {
                Some(line) => format!("error converting YAML to JSON: yaml: line {line}: {reason}"),
                None => format!("error converting YAML to JSON: yaml: {reason}"),
            };
            return Err(ManifestError { line, message });
        }
    };
    if value.is_null() {
        return Ok(());
    }
    let first_line = chunk
        .lines()
        .position(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .unwrap_or(0)
        + 1
        + offset;
    if !value.is_object() {
        return Err(ManifestError {
            line: Some(first_line),
            message: "error validating data: the document is not a Kubernetes object (expected a mapping)".into(),
        });
    }
    documents.push(Document { value, first_line });
    Ok(())
}

/// Decodes one object strictly: a type error, or a field the kind does not have, is refused with the message
/// `kubectl apply` prints for it.
pub fn decode_strict<T: DeserializeOwned + Serialize>(
    value: &Value,
    kind: &str,
    version: &str,
) -> Result<T, String> {
    let (typed, unknown) = decode_lenient(value, kind, version)?;
    if unknown.is_empty() {
        Ok(typed)
    } else {
        Err(format!(
            "{}: strict decoding error: {}",
            cannot_handle(kind, version),
            unknown.join(", ")
        ))
    }
}

/// Decodes one object, keeping what the kind knows: a type error is refused; the fields it does not have are
/// returned, each as `unknown field "spec.foo"`, for the caller to refuse, warn about or ignore (the
/// apiserver's `fieldValidation`).
pub fn decode_lenient<T: DeserializeOwned + Serialize>(
    value: &Value,
    kind: &str,
    version: &str,
) -> Result<(T, Vec<String>), String> {
    let prefix = cannot_handle(kind, version);
    let typed = T::deserialize(value).map_err(|e| format!("{prefix}: {e}"))?;
    let roundtrip = serde_json::to_value(&typed).map_err(|e| format!("{prefix}: {e}"))?;
    let mut unknown = Vec::new();
    unknown_fields(value, &roundtrip, "", &mut unknown);
    let unknown = unknown
        .iter()
        .map(|f| format!("unknown field \"{f}\""))
        .collect();
    Ok((typed, unknown))
}

/// The start of every decoding refusal (`runtime.NewStrictDecodingError`'s caller in the codec factory).
fn cannot_handle(kind: &str, version: &str) -> String {
    format!("{kind} in version \"{version}\" cannot be handled as a {kind}")
}

/// Paths present in `input` but lost in the typed roundtrip: fields the kind does not know. Nulls count as
/// absent, as they do for the apiserver.
fn unknown_fields(input: &Value, roundtrip: &Value, path: &str, found: &mut Vec<String>) {
    match (input, roundtrip) {
        (Value::Object(given), Value::Object(kept)) => {
            for (key, value) in given {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match kept.get(key) {
                    Some(kept_value) => unknown_fields(value, kept_value, &child, found),
                    None if value.is_null() => {}
                    None => found.push(child),
                }
            }
        }
        (Value::Array(given), Value::Array(kept)) => {
            for (index, (value, kept_value)) in given.iter().zip(kept).enumerate() {
                unknown_fields(value, kept_value, &format!("{path}[{index}]"), found);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::StatefulSet;

    #[test]
    fn documents_keep_their_line_numbers() {
        let text = "# comment\n---\napiVersion: v1\nkind: Service\n---\n\napiVersion: v1\nkind: Namespace\n";
        let docs = parse_documents(text).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].first_line, 3);
        assert_eq!(docs[1].first_line, 7);
    }

    #[test]
    fn syntax_errors_name_the_line_in_the_whole_manifest() {
        let text = "apiVersion: v1\nkind: Service\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   bad: indent\n";
        let error = parse_documents(text).unwrap_err();
        assert_eq!(error.line, Some(8), "{error:?}");
        assert!(
            error
                .message
                .starts_with("error converting YAML to JSON: yaml: line 8: "),
            "{}",
            error.message
        );
    }

    #[test]
    fn unknown_fields_are_refused_with_their_path() {
        let value = serde_json::json!({
            "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web"},
            "spec": {"replicas": 1, "foo": 1, "selector": {}, "template": {"spec": {"containers": [{"name": "a", "imagee": "x"}]}}}
        });
        let error = decode_strict::<StatefulSet>(&value, "StatefulSet", "v1").unwrap_err();
        assert_eq!(
            error,
            "StatefulSet in version \"v1\" cannot be handled as a StatefulSet: strict decoding error: \
             unknown field \"spec.foo\", unknown field \"spec.template.spec.containers[0].imagee\""
        );
    }

    #[test]
    fn known_fields_and_nulls_pass() {
        let value = serde_json::json!({
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "web", "creationTimestamp": null},
            "spec": {"selector": {"matchLabels": {"app": "nginx"}}, "serviceName": "nginx",
                     "template": {"metadata": {"labels": {"app": "nginx"}}, "spec": {"containers": [{"name": "nginx", "image": "nginx", "resources": {}}]}}}
        });
        assert!(decode_strict::<StatefulSet>(&value, "StatefulSet", "v1").is_ok());
    }
}
