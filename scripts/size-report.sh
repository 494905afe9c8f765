#!/usr/bin/env bash
# Prints the release bundle's sizes (raw and gzip -9) and writes them to target/size-report.txt.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
{
  printf '%-10s %12s %12s  %s\n' kind raw gzip file
  total_raw=0; total_gz=0
  for f in $(find dist -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.html' \) | sort); do
    raw=$(stat -c %s "$f"); gz=$(gzip -9c "$f" | wc -c)
    total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz))
    printf '%-10s %12d %12d  %s\n' "${f##*.}" "$raw" "$gz" "${f#dist/}"
  done
  printf '%-10s %12d %12d\n' total "$total_raw" "$total_gz"
} | tee target/size-report.txt
