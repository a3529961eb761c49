#!/usr/bin/env bash
# Installs what is missing, builds, and serves Ordinal at http://127.0.0.1:8080 with the nginx `web` example.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
echo "[serve] http://127.0.0.1:8080"
exec trunk serve --release --address 127.0.0.1 --port 8080 "$@"
