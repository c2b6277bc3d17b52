;; The first data segment fits; the second is out of bounds, so instantiation traps.
(module
  (import "env" "mem" (memory 1))
  (data (i32.const 0) "ok")
  (data (i32.const 65535) "no"))
