#!/usr/bin/env bash
# Runs every test of actionhost from a fresh clone: installs what the tests need (the wasm
# target, the npm test tools, Debian's Chromium), builds the release binary the end-to-end
# tests start, and runs the whole suite in release mode (wasmtime's compiler is ~20x slower
# unoptimized).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> wasm32-wasip2 target"
rustup target add wasm32-wasip2

echo "==> npm test tools (Prism, oauth2-mock-server)"
npm ci --prefix tests/tools --no-audit --no-fund --loglevel=error

echo "==> Chromium (the browser tests open the OAuth pages in it)"
if ! command -v chromium >/dev/null; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

echo "==> release build (binary and bundled plugins)"
cargo build --release --locked

echo "==> tests"
cargo test --release --locked -- --test-threads="${ACTIONHOST_TEST_THREADS:-4}"
