#!/usr/bin/env bash
# Runs the API benchmark (docs/performance.md): installs wrk and nginx from Debian's packages if
# missing (and PostgreSQL for the store benchmark), then `cargo bench` prints the tables.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk nginx >/dev/null
fi
# The store benchmark starts a throwaway PostgreSQL cluster.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
rustup target add wasm32-wasip2
# The host and the minimal embedding as operators build them (Cargo.toml's `dist` profile: LTO,
# one codegen unit); the benchmarks start the binaries from target/dist. The in-process stage
# rows (`--bench outbound`) are built by `cargo bench` itself, without LTO.
cargo build --profile dist --locked
export ACTIONHOST_PROFILE=dist
cargo bench -p actionhost-e2e --bench api
cargo bench -p actionhost-e2e --bench outbound
cargo bench -p actionhost-e2e --bench startup
cargo bench -p actionhost-e2e --bench store
