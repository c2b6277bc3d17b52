#!/bin/sh
# Rebuilds bench/kernels/*.wasm from the .wat sources beside them with wabt's
# wat2wasm (WAT2WASM overrides the command). The built files are committed,
# so this is only needed after editing a .wat file.
set -eu
cd "$(dirname "$0")"
WAT2WASM="${WAT2WASM:-wat2wasm}"
for wat in *.wat; do
  flags=""
  case "$wat" in tail_call.wat) flags="--enable-tail-call" ;; esac
  "$WAT2WASM" $flags "$wat" -o "${wat%.wat}.wasm"
  echo "built ${wat%.wat}.wasm"
done
