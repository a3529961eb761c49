#!/usr/bin/env bash
# Runs each cargo-fuzz target for SECONDS (default 60) on the corpus committed in fuzz/corpus, and fails on any
# finding: a panic, or an input that runs past the timeout. Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#
# cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP lets the pinned stable compiler accept them, since this
# machine kind has no other toolchain. No sanitizer (`-s none`): the core is safe Rust, and what the fuzzer looks
# for is panics, runaway time and runaway memory. New inputs the fuzzer finds go to target/fuzz-corpus, so the
# committed corpus changes only when someone copies a finding in on purpose.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
CARGO_FUZZ_VERSION=0.13.2
SECONDS_EACH="${1:-60}"
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(apply share_link)

if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  printf '\033[1m[fuzz]\033[0m compiling cargo-fuzz %s (about 2 minutes, once)\n' "$CARGO_FUZZ_VERSION"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi

export RUSTC_BOOTSTRAP=1
cd fuzz
for target in "${TARGETS[@]}"; do
  printf '\033[1m[fuzz]\033[0m %s for %ss\n' "$target" "$SECONDS_EACH"
  found="$ROOT/target/fuzz-corpus/$target"
  mkdir -p "$found"
  log="$ROOT/target/fuzz-$target.log"
  # -timeout: one input may simulate at most this long; -rss_limit_mb: nor grow past this.
  if ! cargo fuzz run -s none -O "$target" "$found" "corpus/$target" -- \
    -max_total_time="$SECONDS_EACH" -timeout=20 -rss_limit_mb=3072 -print_final_stats=1 >"$log" 2>&1; then
    tail -40 "$log" >&2
    echo "fuzz target $target found a problem; the input is under fuzz/artifacts/$target" >&2
    exit 1
  fi
  grep -E '^stat::(number_of_executed_units|peak_rss_mb|new_units_added)' "$log"
done
