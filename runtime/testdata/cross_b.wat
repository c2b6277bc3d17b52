;; Imports exec's memory, table and `div` and calls them directly.
(module $cross_b
  (import "exec" "div" (func $div (param i32 i32) (result i32)))
  (import "exec" "mem" (memory 1))
  (import "exec" "counter" (global $c (mut i32)))
  (func $div_twice (export "div_twice") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    call $div
    local.get 1
    call $div)
  (func (export "poke") (param i32 i32)
    local.get 0
    local.get 1
    i32.store)
  (func (export "bump")
    global.get $c
    i32.const 100
    i32.add
    global.set $c))
