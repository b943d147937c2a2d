#!/usr/bin/env bash
# Runs the API benchmark (docs/performance.md): installs wrk and nginx from Debian's packages if
# missing, then `cargo bench` prints the table.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk nginx >/dev/null
fi
rustup target add wasm32-wasip2
cargo build --release
cargo bench -p actionhost-e2e --bench api
cargo bench -p actionhost-e2e --bench startup
