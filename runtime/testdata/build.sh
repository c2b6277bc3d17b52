#!/usr/bin/env bash
# Rebuilds the runtime test fixtures: every testdata/*.wat → testdata/*.wasm (with names).
set -euo pipefail
cd "$(dirname "$0")"
for f in *.wat; do
  wat2wasm --debug-names "$f" -o "${f%.wat}.wasm"
done
