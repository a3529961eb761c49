//! Refusals as `metav1.Status`, with the codes, reasons, messages and details of
//! k8s.io/apimachinery/pkg/api/errors, which kubectl prints as `Error from server (<Reason>): <message>`.

use serde_json::{json, Value};

use super::Response;
use crate::api::resources::ResourceType;
use crate::store::{invalid_message, ApiError};

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StatusError {
    code: u16,
    reason: &'static str,
    message: String,
    details: Value,
}

impl StatusError {
    /// `errors.NewNotFound`: `statefulsets.apps "web" not found`.
    pub(crate) fn not_found(resource: ResourceType, name: &str) -> StatusError {
        let (group, _) = resource.group_version();
        let mut details = json!({ "name": name, "kind": resource.plural() });
        if !group.is_empty() {
            details["group"] = json!(group);
        }
        StatusError {
            code: 404,
            reason: "NotFound",
            message: format!("{} \"{name}\" not found", resource.resource()),
            details,
        }
    }

    /// A path under a group version that names no resource served there.
    pub(crate) fn resource_not_found() -> StatusError {
        StatusError {
            code: 404,
            reason: "NotFound",
            message: "the server could not find the requested resource".into(),
            details: json!({}),
        }
    }

    /// A verb the resource does not serve (`errors.NewMethodNotSupported` as the handlers' router answers it).
    pub(crate) fn method_not_allowed() -> StatusError {
        StatusError {
            code: 405,
            reason: "MethodNotAllowed",
            message: "the server does not allow this method on the requested resource".into(),
            details: json!({}),
        }
    }

    /// `errors.NewResourceExpired`, as the watch cache words it.
    pub(crate) fn expired(requested: u64, oldest: u64) -> StatusError {
        StatusError {
            code: 410,
            reason: "Expired",
            message: format!("too old resource version: {requested} ({oldest})"),
            details: json!({}),
        }
    }

    /// `errors.NewBadRequest`.
    pub(crate) fn bad_request(message: impl Into<String>) -> StatusError {
        StatusError {
            code: 400,
            reason: "BadRequest",
            message: message.into(),
            details: json!({}),
        }
    }

    /// `errors.NewConflict`: a stale resourceVersion, or a delete whose preconditions do not hold.
    pub(crate) fn conflict(resource: ResourceType, name: &str, message: &str) -> StatusError {
        StatusError::from_api(
            resource,
            &ApiError::Conflict {
                resource: resource.resource(),
                name: name.into(),
                message: message.into(),
            },
        )
    }

    /// `errors.NewRequestEntityTooLargeError`: a body past the apiserver's limit.
    pub(crate) fn too_large(limit: usize) -> StatusError {
        StatusError {
            code: 413,
            reason: "RequestEntityTooLarge",
            message: format!("Request entity too large: limit is {limit}"),
            details: json!({}),
        }
    }

    /// `errors.NewUnsupportedMediaType`-like refusal of a patch type or body format the server does not read.
    pub(crate) fn unsupported_media_type(content_type: &str, accepted: &[&str]) -> StatusError {
        StatusError {
            code: 415,
            reason: "UnsupportedMediaType",
            message: format!(
                "the body of the request was in an unknown format - accepted media types include: {}",
                accepted.join(", ")
            ),
            details: json!({ "causes": [{ "reason": "UnexpectedServerResponse", "message": content_type }] }),
        }
    }

    /// The store's refusal as the apiserver sends it: AlreadyExists and Conflict are 409, NotFound 404,
    /// Invalid 422 with each field error a cause (kubectl prints them from the causes), BadRequest 400.
    pub(crate) fn from_api(resource: ResourceType, error: &ApiError) -> StatusError {
        let (group, _) = resource.group_version();
        let named = |name: &str| {
            let mut details = json!({ "name": name, "kind": resource.plural() });
            if !group.is_empty() {
                details["group"] = json!(group);
            }
            details
        };
        match error {
            ApiError::NotFound { name, .. } => StatusError::not_found(resource, name),
            ApiError::AlreadyExists { name, .. } => StatusError {
                code: 409,
                reason: "AlreadyExists",
                message: error.to_string(),
                details: named(name),
            },
            ApiError::Conflict { name, .. } => StatusError {
                code: 409,
                reason: "Conflict",
                message: error.to_string(),
                details: named(name),
            },
            ApiError::BadRequest(message) => StatusError::bad_request(message.clone()),
            ApiError::Invalid { kind, name, causes } => {
                StatusError::invalid((group, kind), name, causes)
            }
        }
    }

    /// `errors.NewInvalid`: 422, the kind qualified with its group in the message, each field error a cause
    /// (kubectl prints them from the causes).
    pub(crate) fn invalid(
        (group, kind): (&str, &str),
        name: &str,
        causes: &[String],
    ) -> StatusError {
        let qualified = match group {
            "" => kind.to_string(),
            group => format!("{kind}.{group}"),
        };
        let mut details = json!({
            "name": name,
            "kind": kind,
            "causes": causes.iter().map(|c| cause(c)).collect::<Vec<_>>(),
        });
        if !group.is_empty() {
            details["group"] = json!(group);
        }
        StatusError {
            code: 422,
            reason: "Invalid",
            message: invalid_message(&qualified, name, causes),
            details,
        }
    }

    /// `errors.NewGenericServerResponse` for a 422 (a JSON patch that does not apply): the generic message,
    /// and the reason in a cause, which kubectl prints after `The request is invalid: `.
    pub(crate) fn unprocessable(cause: impl Into<String>) -> StatusError {
        StatusError {
            code: 422,
            reason: "Invalid",
            message: "the server rejected our request due to an error in our request".into(),
            details: json!({ "causes": [{ "reason": "UnexpectedServerResponse", "message": cause.into() }] }),
        }
    }

    pub(crate) fn to_response(&self) -> Response {
        let status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "details": self.details,
            "code": self.code,
        });
        Response::json(self.code, &status)
    }
}

/// A rendered field error (`spec.replicas: Invalid value: -1: must be ...`) as a `metav1.StatusCause`: its
/// field, its message, and the reason its wording stands for (`field.ErrorType`).
fn cause(rendered: &str) -> Value {
    let (field, message) = rendered.split_once(": ").unwrap_or(("", rendered));
    let reason = [
        ("Invalid value", "FieldValueInvalid"),
        ("Required value", "FieldValueRequired"),
        ("Unsupported value", "FieldValueNotSupported"),
        ("Forbidden", "FieldValueForbidden"),
        ("Duplicate value", "FieldValueDuplicate"),
        ("Not found", "FieldValueNotFound"),
        ("Too long", "FieldValueTooLong"),
        ("Too many", "FieldValueTooMany"),
    ]
    .iter()
    .find(|(wording, _)| message.starts_with(wording))
    .map_or("FieldValueInvalid", |(_, reason)| reason);
    json!({ "reason": reason, "message": message, "field": field })
}
