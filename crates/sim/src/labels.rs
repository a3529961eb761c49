//! Label selectors (`metav1.LabelSelectorAsSelector` semantics).

use k8s_openapi::api::core::v1::NodeSelectorTerm;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use std::collections::BTreeMap;

pub type Labels = BTreeMap<String, String>;

/// `labels.FormatLabels`: `key=value` pairs in key order, separated by commas, or `<none>`.
pub fn format_labels(labels: Option<&Labels>) -> String {
    match labels {
        Some(labels) if !labels.is_empty() => labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(","),
        _ => "<none>".into(),
    }
}

/// `metav1.FormatLabelSelector`: a label selector as `labels.Selector.String()` writes it, `app=nginx,tier in (a,b)`.
pub fn format_selector(selector: &LabelSelector) -> String {
    let mut parts: Vec<String> = (selector.match_labels.iter().flatten())
        .map(|(key, value)| format!("{key}={value}"))
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

/// Whether `labels` satisfy `selector`. An empty selector matches everything, as upstream's does; callers that
/// must refuse empty selectors (StatefulSet validation) check for that themselves.
pub fn selector_matches(selector: &LabelSelector, labels: &Labels) -> bool {
    let match_labels = selector.match_labels.iter().flatten();
    let labels_ok = match_labels
        .into_iter()
        .all(|(k, v)| labels.get(k) == Some(v));
    let expressions_ok = selector.match_expressions.iter().flatten().all(|expr| {
        operator_matches(
            &expr.operator,
            labels.get(&expr.key),
            expr.values.as_deref().unwrap_or_default(),
        )
    });
    labels_ok && expressions_ok
}

/// The set-based operators shared by label selectors and node selector terms.
pub fn operator_matches(operator: &str, value: Option<&String>, values: &[String]) -> bool {
    match operator {
        "In" => value.is_some_and(|v| values.contains(v)),
        "NotIn" => value.is_none_or(|v| !values.contains(v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        _ => false,
    }
}

pub fn selector_is_empty(selector: &LabelSelector) -> bool {
    selector.match_labels.as_ref().is_none_or(|m| m.is_empty())
        && selector
            .match_expressions
            .as_ref()
            .is_none_or(|e| e.is_empty())
}

/// Label selectors as `labels.Parse` reads them (`-l`, `labelSelector=`): `app=web`, `app==web`, `app!=web`,
/// `app`, `!app`, and the set-based `tier in (web,api)` and `tier notin (db)`, comma-separated.
pub fn parse_selector(text: &str) -> Result<Vec<Requirement>, String> {
    requirement_texts(text)
        .into_iter()
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(parse_requirement)
        .collect()
}

/// The requirements of a selector: split at the commas outside parentheses.
fn requirement_texts(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn parse_requirement(part: &str) -> Result<Requirement, String> {
    let is_key = |k: &str| {
        !k.is_empty()
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
    };
    let invalid = || format!("unable to parse requirement: {part:?}");
    if let Some((key, values)) = set_operation(part, " notin ") {
        return Ok(Requirement::NotIn(key.into(), values.ok_or_else(invalid)?));
    }
    if let Some((key, values)) = set_operation(part, " in ") {
        return Ok(Requirement::In(key.into(), values.ok_or_else(invalid)?));
    }
    let requirement = if let Some((k, v)) = part.split_once("!=") {
        Requirement::NotEquals(k.trim().into(), v.trim().into())
    } else if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
        Requirement::Equals(k.trim().into(), v.trim().into())
    } else if let Some(k) = part.strip_prefix('!') {
        Requirement::Absent(k.trim().into())
    } else {
        Requirement::Present(part.into())
    };
    let key = match &requirement {
        Requirement::Equals(k, _)
        | Requirement::NotEquals(k, _)
        | Requirement::Absent(k)
        | Requirement::Present(k)
        | Requirement::In(k, _)
        | Requirement::NotIn(k, _) => k,
    };
    if is_key(key) {
        Ok(requirement)
    } else {
        Err(invalid())
    }
}

/// `key <operator> (v1,v2)`: the key, and the values if the parenthesised list is well formed.
fn set_operation<'a>(part: &'a str, operator: &str) -> Option<(&'a str, Option<Vec<String>>)> {
    let (key, rest) = part.split_once(operator)?;
    let values = rest
        .trim()
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .map(|list| {
            list.split(',')
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .collect()
        });
    Some((key.trim(), values))
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    Present(String),
    Absent(String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
}

pub fn requirements_match(requirements: &[Requirement], labels: &Labels) -> bool {
    requirements.iter().all(|r| match r {
        Requirement::Equals(k, v) => labels.get(k) == Some(v),
        Requirement::NotEquals(k, v) => labels.get(k) != Some(v),
        Requirement::Present(k) => labels.contains_key(k),
        Requirement::Absent(k) => !labels.contains_key(k),
        Requirement::In(k, values) => labels.get(k).is_some_and(|v| values.contains(v)),
        Requirement::NotIn(k, values) => labels.get(k).is_none_or(|v| !values.contains(v)),
    })
}

/// A node selector term: its label expressions, and its field expressions over `metadata.name`.
pub fn node_term_matches(
    term: &NodeSelectorTerm,
    node_name: &str,
    labels: &BTreeMap<String, String>,
) -> bool {
    let expressions = term.match_expressions.iter().flatten();
    let fields = term.match_fields.iter().flatten();
    let name = BTreeMap::from([("metadata.name".to_string(), node_name.to_string())]);
    let has_any = expressions.clone().next().is_some() || fields.clone().next().is_some();
    has_any
        && expressions.into_iter().all(|e| {
            operator_matches(
                &e.operator,
                labels.get(&e.key),
                e.values.as_deref().unwrap_or_default(),
            )
        })
        && fields.into_iter().all(|e| {
            operator_matches(
                &e.operator,
                name.get(&e.key),
                e.values.as_deref().unwrap_or_default(),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn selectors_parse_as_labels_parse_reads_them() {
        let web = labels(&[("app", "nginx"), ("tier", "web")]);
        let holds = |text: &str| requirements_match(&parse_selector(text).unwrap(), &web);
        assert!(holds("app=nginx,tier in (web, api)"));
        assert!(holds("app in (nginx),tier notin (db)"));
        assert!(holds("zone notin (a,b),app,!zone"));
        assert!(!holds("tier in (db)"));
        assert!(!holds("app==nginx,tier!=web"));
        assert_eq!(
            parse_selector("tier in web").unwrap_err(),
            "unable to parse requirement: \"tier in web\""
        );
        assert!(parse_selector("a b").is_err());
    }

    #[test]
    fn match_labels_and_expressions_must_all_hold() {
        let selector = LabelSelector {
            match_labels: Some(labels(&[("app", "nginx")])),
            match_expressions: Some(vec![LabelSelectorRequirement {
                key: "tier".into(),
                operator: "In".into(),
                values: Some(vec!["web".into(), "cache".into()]),
            }]),
        };
        assert!(selector_matches(
            &selector,
            &labels(&[("app", "nginx"), ("tier", "web")])
        ));
        assert!(!selector_matches(
            &selector,
            &labels(&[("app", "nginx"), ("tier", "db")])
        ));
        assert!(!selector_matches(&selector, &labels(&[("tier", "web")])));
    }

    #[test]
    fn kubectl_selectors_parse() {
        let reqs = parse_selector("app=nginx,tier!=db,!legacy").unwrap();
        assert!(requirements_match(&reqs, &labels(&[("app", "nginx")])));
        assert!(!requirements_match(
            &reqs,
            &labels(&[("app", "nginx"), ("legacy", "1")])
        ));
        assert!(parse_selector("a b").is_err());
    }
}
