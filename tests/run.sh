#!/usr/bin/env bash
# Runs every test of actionhost from a fresh clone: installs what the tests need (the wasm
# target, the npm test tools, the validating stand-in's Python environment and Google's Discovery
# documents, Debian's Chromium, openssl and PostgreSQL), builds the release binary the end-to-end tests start, and runs
# the whole suite in release mode (wasmtime's compiler is ~20x slower unoptimized).
set -euo pipefail
cd "$(dirname "$0")/.."

# Installs Debian packages (apt-get options may come first), with sudo unless running as root.
apt_install() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

echo "==> wasm32-wasip2 target"
rustup target add wasm32-wasip2

echo "==> npm test tools (GitHub's API description, swagger2openapi, oauth2-mock-server, the TypeScript MCP SDK)"
npm ci --prefix tests/tools --no-audit --no-fund --loglevel=error

echo "==> Python test tools (the validating stand-in: openapi-core, graphql-core; the Python MCP SDK)"
# Kept while it was made from the same pinned requirements; made anew otherwise.
venv=tests/tools/.venv
requirements=tests/tools/standin/requirements.txt
if ! cmp -s "$requirements" "$venv/installed-requirements.txt"; then
  rm -rf "$venv"
  if ! python3 -m venv "$venv" 2>/dev/null; then
    apt_install python3-venv
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$venv/installed-requirements.txt"
fi

echo "==> Google's Discovery documents (the stand-in checks Gmail, Calendar, Drive and Docs with them)"
tests/tools/fetch-google-discovery.sh

echo "==> Chromium (the browser tests open the OAuth pages in it)"
if ! command -v chromium >/dev/null; then
  apt_install chromium
fi

echo "==> openssl (the TLS tests make a throwaway CA and certificates with it)"
if ! command -v openssl >/dev/null; then
  apt_install openssl
fi

echo "==> PostgreSQL (the store suite and the several-hosts tests start throwaway clusters with it)"
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  # The server programs only: the tests run initdb and postgres themselves, under a temp dir.
  apt_install --no-install-recommends postgresql
fi

echo "==> release build (binary and bundled plugins)"
cargo build --release --locked

echo "==> tests"
cargo test --release --locked --workspace -- --test-threads="${ACTIONHOST_TEST_THREADS:-4}"
