#!/bin/sh
# Rebuilds the WASI test fixtures (wasi/testdata/*.wasm) and examples/hello.wasm from their C
# sources. Needs clang-16, wasm-ld-16, the Debian wasi-libc sysroot (dpkg -L wasi-libc) and
# libclang-rt-16-dev-wasm32 (compiler builtins). The .wasm files are committed; run this only
# after changing a source.
set -eu
cd "$(dirname "$0")"
CC="${CC:-clang-16}"
WASM_LD="${WASM_LD:-/usr/bin/wasm-ld-16}"
SYSROOT="${WASI_SYSROOT:-/usr}"
build() {
  "$CC" --target=wasm32-wasi --sysroot="$SYSROOT" -fuse-ld="$WASM_LD" -O2 -Wall -Wextra -Werror \
    -Wl,--strip-all "$1" -o "$2"
}
for src in *.c; do
  build "$src" "${src%.c}.wasm"
done
build ../../examples/hello.c ../../examples/hello.wasm
