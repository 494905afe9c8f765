#!/usr/bin/env bash
# Installs everything Stowage needs on a fresh Debian 12 machine with rustup, node and npm.
# Idempotent: every step checks first and skips what is already there.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Versions come from the lock files, so the tools always match what the code was built against.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)"
TRUNK_VERSION=0.21.14   # 0.22 needs a newer rustc than the pinned 1.95.

step() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
fail() { printf 'setup: FAILED at step "%s". %s\n' "$1" "${2:-}" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  step "installing Debian chromium and chromium-driver"
  as_root apt-get update -qq || fail "apt-get update" "The Debian package registry did not answer."
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium chromium-driver >/dev/null \
    || fail "apt-get install chromium chromium-driver" "The Debian package registry refused the install."
fi

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown || fail "rustup target add wasm32-unknown-unknown"
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes)"
  # No --locked: the registry mirror lacks one of the CLI's locked transitive versions.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force --quiet \
    || fail "cargo install wasm-bindgen-cli" "crates.io refused or the build failed."
fi

if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  step "installing trunk $TRUNK_VERSION (about 3.5 minutes)"
  CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install trunk --version "$TRUNK_VERSION" --locked --force --quiet \
    || fail "cargo install trunk" "crates.io refused or the build failed."
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/esbuild ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "installing npm packages from package-lock.json"
  npm ci --no-audit --no-fund --loglevel=error || fail "npm ci" "The npm registry refused the install."
fi

if [ ! -f crates/stowage-web/js/cm.js ] || [ web/js/editor.js -nt crates/stowage-web/js/cm.js ] \
   || [ package-lock.json -nt crates/stowage-web/js/cm.js ]; then
  step "bundling the CodeMirror 6 editor"
  mkdir -p crates/stowage-web/js
  node_modules/.bin/esbuild web/js/editor.js --bundle --format=esm --minify --target=es2020 \
    --log-level=warning --outfile=crates/stowage-web/js/cm.js || fail "esbuild editor bundle"
fi

cargo fetch --locked --quiet || fail "cargo fetch" "crates.io refused a download."
