#!/usr/bin/env bash
# Runs every test of actionhost from a fresh clone: installs what the tests need (the wasm
# target, the npm test tools), builds the release binary the end-to-end tests start, and runs
# the whole suite in release mode (wasmtime's compiler is ~20x slower unoptimized).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> wasm32-wasip2 target"
rustup target add wasm32-wasip2

echo "==> npm test tools (Prism, oauth2-mock-server)"
npm ci --prefix tests/tools --no-audit --no-fund --loglevel=error

echo "==> release build (binary and bundled plugins)"
cargo build --release --locked

echo "==> tests"
cargo test --release --locked -- --test-threads="${ACTIONHOST_TEST_THREADS:-4}"
