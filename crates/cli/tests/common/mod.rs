//! What the tests that hold Ordinal against the real kubectl share.

use std::path::PathBuf;

/// The machine image's kubectl 1.33 (Google Cloud SDK): the last resort, a release behind the simulated one.
const IMAGE_KUBECTL: &str = "/usr/lib/google-cloud-sdk/bin/kubectl.1.33";

/// The real kubectl: `$ORDINAL_KUBECTL`; else the simulated release's (1.34), as `scripts/kubectl.sh 1.34`
/// installs it in the cache; else the machine image's 1.33. The test fails, saying how to give one, when there
/// is none.
pub fn real_kubectl() -> PathBuf {
    let cached = std::env::var_os("ORDINAL_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|c| PathBuf::from(c).join("ordinal")))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/ordinal")))
        .map(|cache| cache.join("kubectl/v1.34/kubectl"));
    let path = std::env::var_os("ORDINAL_KUBECTL")
        .map(PathBuf::from)
        .or(cached.filter(|c| c.exists()))
        .unwrap_or_else(|| PathBuf::from(IMAGE_KUBECTL));
    assert!(
        path.exists(),
        "the real kubectl is not at {}: run `bash scripts/kubectl.sh 1.34`, or set ORDINAL_KUBECTL to a kubectl binary",
        path.display()
    );
    path
}
