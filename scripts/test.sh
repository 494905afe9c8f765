#!/usr/bin/env bash
# Sets everything up and runs every check, in order; ends with one line "N passed, N failed".
# Exits non-zero if any check failed. Output of each step goes to the terminal and to target/test-logs/.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
LOGS="$ROOT/target/test-logs"; mkdir -p "$LOGS"
passed=0; failed=0; failed_steps=()

# run NAME COMMAND...: runs a step, then counts the tests its runner reported (or the step itself as one check).
run() {
  local name="$1"; shift
  printf '\n\033[1m== %s\033[0m\n' "$name"
  local log="$LOGS/$name.log" status
  "$@" 2>&1 | tee "$log"; status=${PIPESTATUS[0]}
  local p f
  p=$(grep -E '^test result: ' "$log" | sed -E 's/.* ([0-9]+) passed; ([0-9]+) failed.*/\1/' | awk '{s+=$1} END {if (NR) print s}')
  f=$(grep -E '^test result: ' "$log" | sed -E 's/.* ([0-9]+) passed; ([0-9]+) failed.*/\2/' | awk '{s+=$1} END {if (NR) print s}')
  if [ -z "$p" ]; then
    p=$(grep -E '^# pass [0-9]+' "$log" | awk '{s+=$3} END {print s+0}')
    f=$(grep -E '^# fail [0-9]+' "$log" | awk '{s+=$3} END {print s+0}')
  fi
  if [ "${p:-0}" = 0 ] && [ "${f:-0}" = 0 ]; then
    if [ "$status" = 0 ]; then p=1; f=0; else p=0; f=1; fi
  elif [ "$status" != 0 ] && [ "${f:-0}" = 0 ]; then
    f=1   # the runner failed without reporting a failing test (build error, crash)
  fi
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$status" != 0 ]; then failed_steps+=("$name"); fi
}

run setup bash scripts/setup.sh
if [ ${#failed_steps[@]} -ne 0 ]; then
  echo "0 passed, 1 failed"; exit 1
fi
run fmt cargo fmt --all --check
run clippy cargo clippy --workspace --all-targets --locked -- -D warnings
run native-tests cargo test --workspace --locked
run wasm-tests cargo test -p stowage-web --target wasm32-unknown-unknown --locked
run trunk-build trunk build --release --offline --locked
run e2e bash scripts/e2e.sh
run size-report bash scripts/size-report.sh

echo
if [ ${#failed_steps[@]} -ne 0 ]; then echo "failed steps: ${failed_steps[*]}"; fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ ${#failed_steps[@]} -eq 0 ]
