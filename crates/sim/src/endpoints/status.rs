//! Refusals as `metav1.Status`, with the codes, reasons, messages and details of
//! k8s.io/apimachinery/pkg/api/errors, which kubectl prints as `Error from server (<Reason>): <message>`.

use serde_json::{json, Value};

use super::Response;
use crate::api::resources::ResourceType;

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
