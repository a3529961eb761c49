//! What the tests that hold Ordinal against the real kubectl share.

use std::path::PathBuf;

/// The machine image's kubectl 1.33 (Google Cloud SDK), unless `$ORDINAL_KUBECTL` names another.
const IMAGE_KUBECTL: &str = "/usr/lib/google-cloud-sdk/bin/kubectl.1.33";

/// The real kubectl's path; the test fails, saying how to give one, when there is none.
pub fn real_kubectl() -> PathBuf {
    let path = std::env::var_os("ORDINAL_KUBECTL")
        .map_or_else(|| PathBuf::from(IMAGE_KUBECTL), PathBuf::from);
    assert!(
        path.exists(),
        "the real kubectl is not at {}: set ORDINAL_KUBECTL to a kubectl binary",
        path.display()
    );
    path
}
