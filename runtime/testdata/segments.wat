;; Active data and element segments, a passive one of each, a global initialised from an import.
(module $segments
  (import "env" "base" (global $base i32))
  (memory (export "mem") 1 2)
  (table (export "tab") 4 funcref)
  (global (export "g") i32 (global.get $base))
  (global (export "gf") funcref (ref.func $f))
  (func $f (export "f") (result i32) i32.const 7)
  (elem (i32.const 1) $f $f)
  (elem funcref (ref.func $f))
  (data (i32.const 16) "hello")
  (data "passive"))
