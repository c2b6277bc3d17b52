;; A command without WASI or memory whose _start traps: run calls it directly.
;; Rebuild: wat2wasm plain_start.wat -o plain_start.wasm
(module
  (func (export "_start") unreachable))
