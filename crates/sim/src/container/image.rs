//! What an image ships, by repository and tag, as far as a shell in its container can tell: whose userland
//! (BusyBox, or Debian's coreutils and dash), which programs are on its PATH, whether nginx serves its document
//! root, and which curl it carries.
//!
//! Where each fact comes from:
//! - `nginx` (nginxinc/docker-nginx, the official image): Debian-based, `-alpine` tags Alpine-based. curl is
//!   installed since commit 87f9340 ("Provide curl inside images to simplify service discovery
//!   registration", 2020-04-21), first in tags 1.18.0 and 1.19.0; `nginx:1.9.1` (2015, jessie) has none.
//!   Neither flavour installs nslookup, wget (Debian) or procps. Untagged and named tags (`latest`, `stable`,
//!   `mainline`) are taken as the mainline Dockerfile's `NGINX_VERSION` when this was written, 1.27.4.
//! - `nginx-slim` (kubernetes/ingress-nginx `images/nginx-slim`, the image the StatefulSet tutorials use):
//!   nginx 1.13.5 built on Ubuntu, whose `build.sh` keeps `bash` and `curl` (xenial's 7.47.0) installed.
//! - `busybox` and `alpine`: BusyBox applets (`nslookup`, `wget`, `ps`, `df`, `mount`, `env`, …), no curl
//!   and no bash. BusyBox's nslookup is 1.28's, the version the tutorials pin because later ones do not
//!   follow resolv.conf's search list.
//! - Any other image: a Debian userland with a shell and coreutils, and no network tools.

use super::Userland;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    pub userland: Userland,
    /// The nginx it serves port 80 with, as its error pages and `Server` header name it (`nginx/1.27.4`).
    pub nginx: Option<String>,
    /// The curl it carries, by version (`curl/7.88.1` in its User-Agent).
    pub curl: Option<&'static str>,
    pub bash: bool,
    /// The environment its Dockerfile sets (`ENV`), beyond PATH.
    pub env: Vec<(String, String)>,
}

/// Programs every image here has: a shell, coreutils (or their BusyBox applets), and the shell's own
/// filters as the binaries they are.
const BASE: &[&str] = &[
    "sh", "cat", "ls", "echo", "printf", "true", "false", "test", "[", "touch", "rm", "mkdir",
    "chmod", "pwd", "hostname", "whoami", "date", "env", "printenv", "df", "mount", "grep", "head",
    "tail", "wc", "sort", "uniq", "cut", "awk", "xargs", "seq", "sleep",
];

/// BusyBox applets beyond the base.
const BUSYBOX: &[&str] = &["ash", "nslookup", "wget", "ps"];

/// The mainline nginx image's version when this was written (docker-nginx `mainline/debian/Dockerfile`).
const NGINX_MAINLINE: &str = "1.27.4";

impl Image {
    /// The image a container runs, from its reference (`registry.k8s.io/nginx-slim:0.24`, `busybox:1.28`).
    pub fn of(reference: &str) -> Image {
        let (repository, tag) = split_reference(reference);
        match repository {
            "busybox" | "alpine" => Image {
                userland: Userland::BusyBox,
                nginx: None,
                curl: None,
                bash: false,
                env: Vec::new(),
            },
            "nginx" => nginx(tag),
            "nginx-slim" => Image {
                userland: Userland::Debian,
                nginx: Some("1.13.5".into()),
                curl: Some("7.47.0"),
                bash: true,
                env: Vec::new(),
            },
            _ => Image {
                userland: Userland::Debian,
                nginx: None,
                curl: None,
                bash: true,
                env: Vec::new(),
            },
        }
    }

    /// Whether `program` (a name or a path) is on the image's PATH.
    pub fn has(&self, program: &str) -> bool {
        let name = program.rsplit('/').next().unwrap_or(program);
        BASE.contains(&name)
            || (self.userland == Userland::BusyBox && BUSYBOX.contains(&name))
            || (name == "bash" && self.bash)
            || (name == "curl" && self.curl.is_some())
    }
}

/// The official nginx image of `tag`: its version, flavour and curl.
fn nginx(tag: &str) -> Image {
    let alpine = tag.contains("alpine");
    let version = tag
        .split('-')
        .next()
        .filter(|v| v.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .unwrap_or(NGINX_MAINLINE)
        .to_string();
    let number = version_number(&version);
    // The Debian release under each range of tags carries its own curl; Alpine's is taken as current.
    let curl = match (number >= (1, 18), alpine) {
        (false, _) => None,
        (true, true) => Some("8.12.1"),
        (true, false) if number >= (1, 25) => Some("7.88.1"),
        (true, false) if number >= (1, 21) => Some("7.74.0"),
        (true, false) => Some("7.64.0"),
    };
    Image {
        userland: if alpine {
            Userland::BusyBox
        } else {
            Userland::Debian
        },
        env: vec![("NGINX_VERSION".to_string(), version.clone())],
        nginx: Some(version),
        curl,
        bash: !alpine,
    }
}

/// Major and minor of a dotted version; a shorter tag (`1`) counts as its newest.
pub fn version_number(version: &str) -> (u32, u32) {
    let mut parts = version
        .split('.')
        .map(|p| p.parse::<u32>().unwrap_or(u32::MAX));
    let major = parts.next().unwrap_or(0);
    (major, parts.next().unwrap_or(u32::MAX))
}

/// The repository's last path element and the tag of an image reference; a digest is left out.
fn split_reference(reference: &str) -> (&str, &str) {
    let reference = reference.split('@').next().unwrap_or(reference);
    let last = reference.rsplit('/').next().unwrap_or(reference);
    match last.split_once(':') {
        Some((repository, tag)) => (repository, tag),
        None => (last, "latest"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_decide_what_an_image_has() {
        assert!(!Image::of("nginx:1.9.1").has("curl"));
        assert!(Image::of("nginx:1.19.0").has("curl"));
        assert!(Image::of("nginx").has("curl"));
        assert!(!Image::of("nginx").has("nslookup"));
        assert_eq!(Image::of("nginx:1.25-alpine").userland, Userland::BusyBox);
        assert!(Image::of("busybox:1.28.4").has("nslookup"));
        assert!(!Image::of("busybox:1.28").has("curl"));
        assert!(Image::of("registry.k8s.io/nginx-slim:0.24").has("curl"));
        assert_eq!(Image::of("nginx:1.9.1").nginx.as_deref(), Some("1.9.1"));
    }
}
