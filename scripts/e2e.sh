#!/usr/bin/env bash
# Serves dist/ on 127.0.0.1 and runs the Playwright end-to-end tests against it with node's test runner.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
[ -f dist/index.html ] || { echo "e2e: dist/ is missing; run trunk build --release first" >&2; exit 1; }
# A free port unless E2E_PORT is set: a fixed port could reach another run's server (or fail to bind) when two
# checkouts run e2e at the same time.
PORT="${E2E_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
python3 -m http.server "$PORT" --bind 127.0.0.1 -d dist >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/" >/dev/null && break; sleep 0.1; done
kill -0 "$SERVER" 2>/dev/null || { echo "e2e: the static server could not start on port $PORT" >&2; exit 1; }
curl -fs "http://127.0.0.1:$PORT/" >/dev/null || { echo "e2e: http://127.0.0.1:$PORT/ did not answer" >&2; exit 1; }
mkdir -p target/e2e
STOWAGE_URL="http://127.0.0.1:$PORT/" node --test --test-concurrency=1 tests/e2e/
