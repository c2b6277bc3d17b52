;; A start function that calls an (async) import and stores its result.
(module
  (import "env" "init" (func $init (result i32)))
  (global $v (export "v") (mut i32) (i32.const 0))
  (func $start
    call $init
    global.set $v)
  (start $start))
