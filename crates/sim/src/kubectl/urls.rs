//! The files at the kubernetes.io example URLs the StatefulSet tutorials apply (`kubectl apply -f
//! https://k8s.io/examples/application/web/web.yaml`). This playground has no network, so the files kubectl
//! would fetch come with it, from kubernetes/website's `content/en/examples/`: `web.yaml` as on its
//! release-1.34 branch (nginx-slim 0.21, since kubernetes/website#46639), `web-parallel.yaml` as on release-1.31
//! (the `app: nginx` labels the tutorial's `-l app=nginx` selects).

/// The examples by their path under `examples/`.
const EXAMPLES: &[(&str, &str)] = &[
    (
        "application/web/web.yaml",
        include_str!("examples/application/web/web.yaml"),
    ),
    (
        "application/web/web-parallel.yaml",
        include_str!("examples/application/web/web-parallel.yaml"),
    ),
];

/// Where the examples are served: kubernetes.io, its short host, and the website repository's raw files.
const PREFIXES: &[&str] = &[
    "k8s.io/examples/",
    "kubernetes.io/examples/",
    "raw.githubusercontent.com/kubernetes/website/main/content/en/examples/",
];

/// Why a URL could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlError {
    /// The examples' host answers, but not with a file: kubectl's words for a 404.
    NotFound,
    /// Any other host: there is no network here.
    Unreachable,
}

impl UrlError {
    /// kubectl's message for `url`.
    pub fn message(&self, url: &str) -> String {
        match self {
            UrlError::NotFound => format!(
                "error: unable to read URL \"{url}\", server reported 404 Not Found, status code=404"
            ),
            UrlError::Unreachable => format!(
                "error: unable to read URL \"{url}\": this playground has no network; it knows the kubernetes.io examples its tutorials apply (https://k8s.io/examples/application/web/web.yaml)"
            ),
        }
    }
}

/// Whether `file` is a URL rather than a path.
pub fn is_url(file: &str) -> bool {
    file.starts_with("http://") || file.starts_with("https://")
}

/// The file at `url`.
pub fn read(url: &str) -> Result<&'static str, UrlError> {
    let address = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    let path = PREFIXES
        .iter()
        .find_map(|prefix| address.strip_prefix(prefix))
        .ok_or(UrlError::Unreachable)?;
    EXAMPLES
        .iter()
        .find(|(name, _)| *name == path)
        .map(|(_, text)| *text)
        .ok_or(UrlError::NotFound)
}
