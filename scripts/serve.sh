#!/usr/bin/env bash
# Sets everything up, builds the playground with Trunk and serves it on http://127.0.0.1:8080.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
bash scripts/setup.sh
echo "serving the playground on http://127.0.0.1:${PORT:-8080} (Ctrl+C stops)"
exec trunk serve --release --offline --locked --address 127.0.0.1 --port "${PORT:-8080}"
