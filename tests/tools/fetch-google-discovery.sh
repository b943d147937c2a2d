#!/usr/bin/env bash
# Google's Discovery documents (Gmail, Calendar, Drive, Docs) for the validating stand-in, into
# tests/tools/.google-discovery/: Google publishes no OpenAPI for these APIs, and the documents
# ship in PyPI's google-api-python-client wheel. The wheel is downloaded without its dependencies,
# checked against the sha256 pinned in standin/google-discovery.txt, and only the four documents
# are extracted. The cache is kept while it was made from the same pin; made anew otherwise.
# Needs tests/tools/.venv (tests/run.sh makes it first).
set -euo pipefail
cd "$(dirname "$0")"

pin=standin/google-discovery.txt
cache=.google-discovery
if cmp -s "$pin" "$cache/installed-pin.txt"; then
  exit 0
fi
rm -rf "$cache" "$cache.new"
wheels=$(mktemp -d)
trap 'rm -rf "$wheels" "$cache.new"' EXIT
.venv/bin/pip download --quiet --disable-pip-version-check --no-deps --require-hashes \
  -r "$pin" -d "$wheels"
mkdir "$cache.new"
.venv/bin/python - "$wheels" "$cache.new" <<'PY'
import sys
import zipfile
from pathlib import Path

wheels, out = Path(sys.argv[1]), Path(sys.argv[2])
(wheel,) = wheels.glob("google_api_python_client-*.whl")
with zipfile.ZipFile(wheel) as archive:
    for name in ("gmail.v1", "calendar.v3", "drive.v3", "docs.v1"):
        data = archive.read(f"googleapiclient/discovery_cache/documents/{name}.json")
        (out / f"{name}.json").write_bytes(data)
PY
cp "$pin" "$cache.new/installed-pin.txt"
mv "$cache.new" "$cache"
