#!/usr/bin/env bash
# Installs what the tests need and runs every test: native unit and scenario tests, the core's tests compiled
# to wasm in headless Chromium, and end-to-end tests that drive the built page in headless Chromium.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

# A CJK font too, so that the Chinese interface's screenshots show characters rather than boxes.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! fc-list 2>/dev/null | grep -qi "WenQuanYi"; then
  say "installing Debian's chromium, chromium-driver and fonts-wqy-microhei"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei >/dev/null
fi

say "native tests"
cargo test --workspace --quiet

say "fuzzing each target for a minute on the committed corpus"
bash scripts/fuzz.sh 60

say "the core's tests as wasm, in headless Chromium"
# No --quiet here: cargo would pass it on to wasm-bindgen-test-runner, which refuses it.
# wasm-bindgen-test-runner reads crates/sim/webdriver.json (the package directory) for Chromium's flags.
CHROMEDRIVER="$(command -v chromedriver)" \
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test -p ordinal-sim --target wasm32-unknown-unknown --test ordered_ready

say "building the page"
trunk build --release

say "end-to-end tests in headless Chromium"
node --test --test-concurrency=1 tests/e2e/
