;; One import of each kind.
(module
  (import "env" "f" (func (param i32) (result i32)))
  (import "env" "tab" (table 1 10 funcref))
  (import "env" "mem" (memory 1 2))
  (import "env" "g" (global (mut i64)))
  (export "tab" (table 0))
  (export "mem" (memory 0)))
