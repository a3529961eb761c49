# Installs what building Ordinal needs, skipping whatever is already in place, and puts the tools on PATH.
#
#   source scripts/setup.sh      # in your own shell, then plain `trunk serve` or `trunk build --release`
#
# Sourced by serve.sh, test.sh and bench.sh too. It leaves the caller's shell as it found it but for PATH: the
# installs run in a subshell, so neither their `set -euo pipefail` nor their `cd` reaches an interactive shell.
# Nothing here downloads a binary from outside the package registries: trunk and wasm-bindgen are compiled from
# crates.io, wasm-opt comes from the npm package `binaryen`, and Trunk.toml pins both versions and forbids trunk
# to download any tool (`offline = true`).

ORDINAL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# trunk 0.21 refuses NO_COLOR=1 ("invalid value '1' for '--no-color'").
unset NO_COLOR
# Trunk finds wasm-bindgen and wasm-opt on PATH (which::which), and uses them only at the versions Trunk.toml and
# Cargo.lock name.
for ordinal_dir in "$HOME/.cargo/bin" "$ORDINAL_ROOT/node_modules/.bin"; do
  case ":$PATH:" in
    *":$ordinal_dir:"*) ;;
    *) PATH="$ordinal_dir:$PATH" ;;
  esac
done
unset ordinal_dir
export PATH

ordinal_setup() (
  set -euo pipefail
  cd "$ORDINAL_ROOT"
  say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
  # Runs a long step, saying first what it is and how long it takes on this machine kind, and after, how long it took.
  long_step() {
    local what="$1" estimate="$2" started=$SECONDS
    shift 2
    say "$what ($estimate)"
    "$@"
    say "$what: done in $(( (SECONDS - started) / 60 ))m$(( (SECONDS - started) % 60 ))s"
  }

  # The toolchain file pins rustc and the wasm target; rustup installs both on first use.
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    long_step "adding the wasm32-unknown-unknown target" "a few seconds, once" \
      rustup target add wasm32-unknown-unknown
  fi

  local trunk_version
  trunk_version="$(sed -n 's/^trunk-version = "=\(.*\)"$/\1/p' Trunk.toml)"
  if [ "$(trunk --version 2>/dev/null)" != "trunk $trunk_version" ]; then
    long_step "compiling trunk $trunk_version" "about 9 minutes on 2 cores, once" \
      cargo install trunk --version "$trunk_version" --locked
  fi

  # Trunk uses the wasm-bindgen on PATH only if it equals the version in Cargo.lock.
  local bindgen_version
  bindgen_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $bindgen_version" ]; then
    # Without --locked: with it, the install fails on a yanked webpki-roots.
    long_step "compiling wasm-bindgen-cli $bindgen_version" "about 3 to 6 minutes on 2 cores, once" \
      cargo install wasm-bindgen-cli --version "=$bindgen_version"
  fi

  local lock_stamp
  lock_stamp="node_modules/.ordinal-lock-$(sha256sum package-lock.json | cut -c1-16)"
  if [ ! -e "$lock_stamp" ]; then
    long_step "installing npm packages from package-lock.json: esbuild, CodeMirror, binaryen's wasm-opt, playwright-core" \
      "a few seconds" npm ci --no-audit --no-fund --loglevel=error
    touch "$lock_stamp"
  fi

  # Trunk builds with `cargo build --offline` (Trunk.toml): every crate must be here before it does.
  if ! cargo fetch --offline --quiet 2>/dev/null; then
    long_step "downloading the crates Cargo.lock names" "seconds to a minute, once" cargo fetch --quiet
  fi
)

ordinal_setup
ordinal_status=$?
unset -f ordinal_setup
# `return` from a sourced file: a failed install stops a script that runs with `set -e`, and leaves an interactive
# shell open.
return "$ordinal_status" 2>/dev/null || exit "$ordinal_status"
