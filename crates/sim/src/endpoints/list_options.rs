//! The checks kube-apiserver makes of a list or watch's options before serving it
//! (k8s.io/apimachinery/pkg/apis/meta/internalversion/validation: `ValidateListOptions`), with the
//! `WatchList` feature gate on, as 1.34 ships it; a request they refuse is a 422 of kind
//! `ListOptions.meta.k8s.io`.

use super::status::StatusError;
use super::{query_parameter, Request};

const NOT_OLDER_THAN: &str = "NotOlderThan";

/// `sendInitialEvents=`: absent, or either value (either is an option the checks look at).
fn send_initial_events(request: &Request) -> Option<bool> {
    query_parameter(request.query, "sendInitialEvents")
        .map(|v| !matches!(v.to_ascii_lowercase().as_str(), "false" | "0"))
}

/// The options' field errors, rendered, in upstream's order.
fn field_errors(request: &Request, watch: bool) -> Vec<String> {
    let parameter = |name| query_parameter(request.query, name).unwrap_or_default();
    let (version, matching, continued) = (
        parameter("resourceVersion"),
        parameter("resourceVersionMatch"),
        parameter("continue"),
    );
    let initial_events = send_initial_events(request);
    let forbidden = |field: &str, why: &str| format!("{field}: Forbidden: {why}");
    let mut errors = Vec::new();
    if watch {
        if initial_events.is_some() && matching != NOT_OLDER_THAN {
            errors.push(forbidden(
                "resourceVersionMatch",
                "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
            ));
        }
        if !matching.is_empty() {
            if initial_events.is_none() {
                errors.push(forbidden(
                    "resourceVersionMatch",
                    "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided",
                ));
            }
            if matching != NOT_OLDER_THAN {
                errors.push(format!(
                    "resourceVersionMatch: Unsupported value: {matching:?}: supported values: \"NotOlderThan\""
                ));
            }
            if !continued.is_empty() {
                errors.push(forbidden(
                    "resourceVersionMatch",
                    "resourceVersionMatch is forbidden when continue is provided",
                ));
            }
        }
        return errors;
    }
    if !matching.is_empty() {
        if version.is_empty() {
            errors.push(forbidden(
                "resourceVersionMatch",
                "resourceVersionMatch is forbidden unless resourceVersion is provided",
            ));
        }
        if !continued.is_empty() {
            errors.push(forbidden(
                "resourceVersionMatch",
                "resourceVersionMatch is forbidden when continue is provided",
            ));
        }
        match matching.as_str() {
            "Exact" if version == "0" => errors.push(forbidden(
                "resourceVersionMatch",
                "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"",
            )),
            "Exact" | NOT_OLDER_THAN => {}
            other => errors.push(format!(
                "resourceVersionMatch: Unsupported value: {other:?}: supported values: \"Exact\", \"NotOlderThan\", \"\""
            )),
        }
    }
    if initial_events.is_some() {
        errors.push(forbidden(
            "sendInitialEvents",
            "sendInitialEvents is forbidden for list",
        ));
    }
    errors
}

/// The request's options as the apiserver checks them for a list (`watch` false) or a watch.
pub(super) fn validate(request: &Request, watch: bool) -> Result<(), StatusError> {
    let errors = field_errors(request, watch);
    match errors.is_empty() {
        true => Ok(()),
        false => Err(StatusError::invalid(
            ("meta.k8s.io", "ListOptions"),
            "",
            &errors,
        )),
    }
}

/// Where a watch starts, as its options ask (the watch cache's `getStartResourceVersionForWatchList` and
/// friends): with every object there is (ADDED), then, for a watch-list stream, a bookmark marking the end
/// of them; after a resourceVersion; or now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    Objects { end_bookmark: bool },
    After(u64),
    Now,
}

impl Start {
    /// The start a watch's options ask for, once they have passed `validate`.
    pub(super) fn of(request: &Request, since: Option<u64>) -> Start {
        let bookmarks = query_parameter(request.query, "allowWatchBookmarks")
            .is_some_and(|b| !matches!(b.to_ascii_lowercase().as_str(), "false" | "0"));
        match (send_initial_events(request), since) {
            (Some(true), _) => Start::Objects {
                end_bookmark: bookmarks,
            },
            (Some(false), None) => Start::Now,
            (_, Some(version)) => Start::After(version),
            (None, None) => Start::Objects {
                end_bookmark: false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(query: &str, watch: bool) -> Vec<String> {
        field_errors(
            &Request {
                method: "GET",
                query,
                ..Request::default()
            },
            watch,
        )
    }

    /// Upstream's own cases (validation_test.go's `TestValidateListOptions`), with the WatchList gate on.
    #[test]
    fn the_options_are_checked_as_upstreams_tests_check_them() {
        assert!(errors("", false).is_empty());
        assert!(errors("resourceVersion=1&resourceVersionMatch=Exact", false).is_empty());
        assert_eq!(
            errors("resourceVersion=0&resourceVersionMatch=Exact", false),
            ["resourceVersionMatch: Forbidden: resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\""]
        );
        assert_eq!(
            errors("resourceVersion=0&resourceVersionMatch=foo", false),
            ["resourceVersionMatch: Unsupported value: \"foo\": supported values: \"Exact\", \"NotOlderThan\", \"\""]
        );
        assert_eq!(
            errors("sendInitialEvents=true", false),
            ["sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list"]
        );
        assert!(errors("", true).is_empty());
        let watch_list =
            "sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true";
        assert!(errors(watch_list, true).is_empty());
        assert_eq!(
            errors("resourceVersionMatch=NotOlderThan", true),
            ["resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"]
        );
        assert_eq!(
            errors("sendInitialEvents=true&resourceVersionMatch=Exact", true),
            [
                "resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
                "resourceVersionMatch: Unsupported value: \"Exact\": supported values: \"NotOlderThan\""
            ]
        );
        assert_eq!(
            errors(&format!("{watch_list}&continue=123"), true),
            ["resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided"]
        );
    }
}
