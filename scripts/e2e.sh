#!/usr/bin/env bash
# Serves dist/ on 127.0.0.1 and runs the Playwright end-to-end tests against it with node's test runner.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
[ -f dist/index.html ] || { echo "e2e: dist/ is missing; run trunk build --release first" >&2; exit 1; }
PORT="${E2E_PORT:-8097}"
python3 -m http.server "$PORT" --bind 127.0.0.1 -d dist >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/" >/dev/null && break; sleep 0.1; done
mkdir -p target/e2e
STOWAGE_URL="http://127.0.0.1:$PORT/" node --test --test-concurrency=1 tests/e2e/
