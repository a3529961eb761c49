#!/usr/bin/env bash
# Installs what is missing, builds the page (scripts/build.sh: skipped when dist/ is already the build of these
# sources), and serves it at http://127.0.0.1:8080/ (the next free port if 8080 is taken) with the nginx `web`
# example, until Ctrl-C.
#
#   bash scripts/serve.sh [--port N]
#
# It serves dist/ as a plain static host does (scripts/static.mjs): the very page a documentation site would
# serve, Content-Security-Policy included, and nothing that reloads it behind a class's back. For a page that
# rebuilds and reloads itself as you edit, `source scripts/setup.sh` and run plain `trunk serve` (see the README).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

port=()
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=(--port "${2:?--port needs a number}"); shift 2 ;;
    --port=*) port=(--port "${1#--port=}"); shift ;;
    *) say "unknown option $1 (usage: bash scripts/serve.sh [--port N])"; exit 2 ;;
  esac
done

bash scripts/build.sh
exec node scripts/static.mjs dist "${port[@]}"
