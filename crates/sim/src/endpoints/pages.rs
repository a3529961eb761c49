//! A list in pages (`?limit=N`, then `?continue=TOKEN`), as apiserver's storage layer paginates one
//! (k8s.io/apiserver/pkg/storage/continue.go: `EncodeContinue`, `DecodeContinue`, `PrepareContinueToken`).
//! Items come in the order of their storage keys (`namespace/name`, byte order, as etcd ranges over them);
//! a token carries the key to start from and the resourceVersion the first page was read at.
//!
//! One deviation: the pages after the first are read from the store as it is then, not from a snapshot at
//! the token's resourceVersion, since the store keeps no history of objects. A list paged while the cluster
//! changes can show an object twice or miss one that moved; the token's resourceVersion is still the one the
//! list reports, as upstream's is.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::status::StatusError;
use super::{query_parameter, Request};

/// `continueToken`: the struct is public API (`v`, `rv`, `start`, `rc`) and cannot change.
#[derive(Serialize, Deserialize)]
struct ContinueToken {
    #[serde(rename = "v")]
    api_version: String,
    #[serde(rename = "rv")]
    resource_version: i64,
    #[serde(rename = "start")]
    start_key: String,
    #[serde(rename = "rc", default, skip_serializing_if = "is_zero")]
    remaining_count: i64,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// What a list request asks of its pages: at most `limit` items (none: all), from `start` on.
pub(super) struct Paging {
    limit: Option<usize>,
    start: Option<String>,
    /// The resourceVersion the first page was read at, which every later page reports.
    resource_version: Option<i64>,
}

/// A page: its items, and the list metadata that says whether and how to go on.
pub(super) struct Page<T> {
    pub items: Vec<T>,
    pub metadata: Value,
}

impl Paging {
    /// `limit` and `continue` from the query, refused as the storage layer refuses them.
    pub fn of(request: &Request) -> Result<Paging, StatusError> {
        let limit = match query_parameter(request.query, "limit") {
            None => None,
            Some(text) => match text.parse::<i64>() {
                // A limit of zero or less is no limit (`pred.Limit > 0`).
                Ok(n) => usize::try_from(n).ok().filter(|n| *n > 0),
                // The query's conversion fails with strconv's own words (`Convert_Slice_string_To_int64`).
                Err(_) => {
                    return Err(StatusError::bad_request(format!(
                        "strconv.ParseInt: parsing {text:?}: invalid syntax"
                    )))
                }
            },
        };
        let Some(token) = query_parameter(request.query, "continue").filter(|t| !t.is_empty())
        else {
            return Ok(Paging {
                limit,
                start: None,
                resource_version: None,
            });
        };
        if query_parameter(request.query, "resourceVersion")
            .is_some_and(|rv| !rv.is_empty() && rv != "0")
        {
            return Err(StatusError::bad_request(
                "specifying resource version is not allowed when using continue",
            ));
        }
        let (start, resource_version) = decode(&token)
            .map_err(|e| StatusError::bad_request(format!("invalid continue token: {e}")))?;
        Ok(Paging {
            limit,
            start: Some(start),
            resource_version: Some(resource_version),
        })
    }

    /// The page of `items` (each with its storage key relative to the list's prefix, in any order) this request
    /// asks for, read at `resource_version`. `selected`: whether a selector chose the items, in which case
    /// the count of those remaining is not told (upstream counts keys, not matches).
    pub fn page<T>(
        &self,
        mut items: Vec<(String, T)>,
        resource_version: i64,
        selected: bool,
    ) -> Page<T> {
        items.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        if let Some(start) = &self.start {
            items.retain(|(key, _)| key.as_bytes() >= start.as_bytes());
        }
        let read_at = self.resource_version.unwrap_or(resource_version);
        let mut metadata = json!({ "resourceVersion": read_at.to_string() });
        if let Some(limit) = self.limit.filter(|limit| items.len() > *limit) {
            let remaining = (items.len() - limit) as i64;
            items.truncate(limit);
            let last = &items.last().expect("a limit is at least one").0;
            metadata["continue"] = json!(encode(&format!("{last}\u{0}"), read_at));
            if !selected {
                metadata["remainingItemCount"] = json!(remaining);
            }
        }
        Page {
            items: items.into_iter().map(|(_, item)| item).collect(),
            metadata,
        }
    }
}

/// `EncodeContinue`, with the fast count off (`rc` left out), as kube-apiserver runs by default.
fn encode(start_key: &str, resource_version: i64) -> String {
    let token = ContinueToken {
        api_version: "meta.k8s.io/v1".into(),
        resource_version,
        start_key: start_key.into(),
        remaining_count: 0,
    };
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&token).expect("a token serializes"))
}

/// `DecodeContinue`: the key to start from, relative to the list's prefix, and the resourceVersion; its
/// errors worded as upstream's.
fn decode(token: &str) -> Result<(String, i64), String> {
    const INVALID: &str = "continue key is not valid";
    let data = URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|e| format!("{INVALID}: {e}"))?;
    let token: ContinueToken =
        serde_json::from_slice(&data).map_err(|e| format!("{INVALID}: {e}"))?;
    if token.api_version != "meta.k8s.io/v1" {
        return Err(format!(
            "{INVALID}: server does not recognize this encoded version {}",
            token.api_version
        ));
    }
    if token.resource_version == 0 {
        return Err(format!(
            "{INVALID}: incorrect encoded start resourceVersion (version meta.k8s.io/v1)"
        ));
    }
    if token.start_key.is_empty() {
        return Err(format!(
            "{INVALID}: encoded start key empty (version meta.k8s.io/v1)"
        ));
    }
    // A key that climbs out of the list's prefix (`../secrets/x`) is refused, as path.Clean would change it.
    let key = token.start_key.trim_start_matches('/');
    if key
        .split('/')
        .any(|part| part == ".." || part == "." || part.is_empty())
    {
        return Err(format!("{INVALID}: {}", token.start_key));
    }
    Ok((key.to_string(), token.resource_version))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paging(query: &str) -> Result<Paging, StatusError> {
        Paging::of(&Request {
            method: "GET",
            query,
            ..Request::default()
        })
    }

    fn names(count: usize) -> Vec<(String, usize)> {
        (0..count).map(|i| (format!("web-{i}"), i)).collect()
    }

    #[test]
    fn a_list_comes_in_pages_that_chain_by_their_tokens() {
        let first = paging("limit=2").unwrap().page(names(5), 40, false);
        assert_eq!(first.items, vec![0, 1]);
        assert_eq!(first.metadata["remainingItemCount"], 3);
        assert_eq!(first.metadata["resourceVersion"], "40");
        let token = first.metadata["continue"].as_str().unwrap().to_string();
        // Upstream's own encoding of {"v":"meta.k8s.io/v1","rv":40,"start":"web-1\u0000"}.
        assert_eq!(
            token,
            "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NDAsInN0YXJ0Ijoid2ViLTFcdTAwMDAifQ"
        );
        let second =
            paging(&format!("limit=2&continue={token}"))
                .unwrap()
                .page(names(5), 41, false);
        assert_eq!(second.items, vec![2, 3]);
        assert_eq!(second.metadata["resourceVersion"], "40");
        let token = second.metadata["continue"].as_str().unwrap().to_string();
        let last = paging(&format!("limit=2&continue={token}"))
            .unwrap()
            .page(names(5), 41, true);
        assert_eq!(last.items, vec![4]);
        assert_eq!(last.metadata, json!({ "resourceVersion": "40" }));
    }

    #[test]
    fn keys_sort_as_bytes_as_etcd_ranges_over_them() {
        let items = vec![
            ("default/web-0".to_string(), 0),
            ("default-x/a".to_string(), 1),
        ];
        let page = paging("").unwrap().page(items, 1, false);
        assert_eq!(page.items, vec![1, 0]);
    }

    #[test]
    fn a_selected_page_does_not_count_what_remains() {
        let page = paging("limit=1").unwrap().page(names(3), 7, true);
        assert!(page.metadata.get("remainingItemCount").is_none());
        assert!(page.metadata.get("continue").is_some());
    }

    #[test]
    fn bad_tokens_are_refused_as_the_storage_layer_words_it() {
        let message = |query: &str| match paging(query) {
            Err(error) => {
                let body: Value = serde_json::from_slice(&error.to_response().body).unwrap();
                assert_eq!(body["reason"], "BadRequest");
                body["message"].as_str().unwrap().to_string()
            }
            Ok(_) => panic!("{query} was accepted"),
        };
        assert!(message("continue=!!")
            .starts_with("invalid continue token: continue key is not valid: "));
        let zero_rv = encode("web-1\u{0}", 0);
        assert_eq!(
            message(&format!("continue={zero_rv}")),
            "invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)"
        );
        let climbing = encode("../secrets/x", 3);
        assert_eq!(
            message(&format!("continue={climbing}")),
            "invalid continue token: continue key is not valid: ../secrets/x"
        );
        let token = encode("web-1\u{0}", 3);
        assert_eq!(
            message(&format!("continue={token}&resourceVersion=3")),
            "specifying resource version is not allowed when using continue"
        );
        assert_eq!(
            message("limit=x"),
            "strconv.ParseInt: parsing \"x\": invalid syntax"
        );
    }
}
