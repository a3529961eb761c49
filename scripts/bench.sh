#!/usr/bin/env bash
# Every benchmark in one command: the core's (crates/sim/examples/bench.rs: A, B and the day of faults C, each
# run RUNS times, 3 by default) and the page's, in headless Chromium (tests/bench/ui.mjs, and the first-load and
# keystroke measurements of the end-to-end tests). Prints a table of median and p95 with the machine it ran on,
# and writes it to bench/results.md, which is committed so that a regression shows in review.
# About 30 minutes on this machine kind. Usage: scripts/bench.sh [RUNS]
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
RUNS="${1:-3}"
OUT="$PWD/target/bench/results.jsonl"
mkdir -p target/bench bench
rm -f "$OUT"
export ORDINAL_BENCH_OUT="$OUT"

say "the core: A, B and C, $RUNS runs each"
cargo build --quiet --release -p ordinal-sim --example bench
for run in $(seq "$RUNS"); do
  for scenario in a b c; do
    ./target/release/examples/bench "$scenario"
  done
done

say "the page, in headless Chromium"
trunk build --release
node tests/bench/ui.mjs
# The stage at the core's replica limit: a click while it plays, and one event.
ORDINAL_BENCH_PARTS=event ORDINAL_BENCH_PODS=5000 node tests/bench/ui.mjs
node --test --test-concurrency=1 tests/e2e/first-load.test.mjs tests/e2e/editor.test.mjs >/dev/null

node scripts/bench-table.mjs "$OUT" | tee bench/results.md
