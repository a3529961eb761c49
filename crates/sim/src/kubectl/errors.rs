//! How kubectl prints what the apiserver refused (`k8s.io/kubectl/pkg/cmd/util/helpers.go`, `StandardErrorMessage`):
//! `Error from server (<Reason>): <message>`, and an Invalid error as `The <Kind> "<name>" is invalid: ` with
//! its causes inline or as a list.

use crate::store::ApiError;

/// The refusal as kubectl prints a server's answer.
pub fn from_server(error: &ApiError) -> String {
    match error {
        ApiError::Invalid { kind, name, causes } => invalid(kind, name, causes),
        _ => format!("Error from server ({}): {error}", error.reason().as_str()),
    }
}

/// How kubectl prints an Invalid error: one cause inline, several as a list.
pub fn invalid(kind: &str, name: &str, causes: &[String]) -> String {
    match causes {
        [only] => format!("The {kind} \"{name}\" is invalid: {only}"),
        _ => {
            let list: Vec<String> = causes.iter().map(|c| format!("* {c}")).collect();
            format!("The {kind} \"{name}\" is invalid: \n{}", list.join("\n"))
        }
    }
}
