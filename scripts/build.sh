#!/usr/bin/env bash
# Builds the page into dist/ (`trunk build --release`), unless dist/ already holds the build of these very sources:
# what serve.sh and test.sh serve. Installs what is missing first (setup.sh).
#
#   bash scripts/build.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Everything the build reads, by content, and the page it wrote: a build of the same sources is skipped, and so is
# nothing else (a plain `trunk serve` writes a debug build with live reload into dist/, which must not be served).
STAMP=target/dist-built-from
inputs() {
  find index.html Trunk.toml Cargo.toml Cargo.lock rust-toolchain.toml package-lock.json src crates/sim web style assets \
    scripts/csp.mjs scripts/bundle.mjs -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64
}
built() { [ -f dist/index.html ] && sha256sum dist/index.html | cut -c1-64; }

wanted="$(inputs)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$wanted $(built)" ]; then
  say "dist/ is already the release build of these sources"
  exit 0
fi
if [ -f target/wasm32-unknown-unknown/release/ordinal-web.wasm ]; then
  say "building the page with trunk build --release (about a minute: the wasm module, wasm-bindgen, wasm-opt)"
else
  say "building the page with trunk build --release (about 5 minutes on 2 cores the first time)"
fi
started=$SECONDS
trunk build --release
mkdir -p target
echo "$wanted $(built)" > "$STAMP"
say "built in $(( (SECONDS - started) / 60 ))m$(( (SECONDS - started) % 60 ))s"
