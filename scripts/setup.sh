# Installs what building Ordinal needs, skipping whatever is already in place. Sourced by serve.sh and test.sh.
# Nothing here downloads a binary from outside the package registries: trunk and wasm-bindgen are compiled
# from crates.io, wasm-opt comes from the npm package `binaryen`.
set -euo pipefail

TRUNK_VERSION=0.21.14
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"
# trunk 0.21 refuses NO_COLOR=1; wasm-opt is binaryen 132 from node_modules (Debian's 108 breaks the module).
unset NO_COLOR
export TRUNK_TOOLS_WASM_OPT=version_132

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# The toolchain file pins rustc and the wasm target; rustup installs both on first use.
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "compiling trunk $TRUNK_VERSION (about 11 minutes on 2 cores, once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

# Trunk uses the wasm-bindgen on PATH only if it equals the version in Cargo.lock.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "compiling wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 5 minutes, once)"
  # Without --locked: with it, the install fails on a yanked webpki-roots.
  cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION"
fi

LOCK_STAMP="node_modules/.ordinal-lock-$(sha256sum package-lock.json | cut -c1-16)"
if [ ! -e "$LOCK_STAMP" ]; then
  say "installing npm packages from package-lock.json"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$LOCK_STAMP"
fi

cargo fetch --quiet
