;; The first element segment fits; the second is out of bounds.
(module
  (import "env" "tab" (table 2 funcref))
  (func $f)
  (elem (i32.const 0) $f)
  (elem (i32.const 1) $f $f))
