;; An async import in the middle of a computation, and a loop for epoch yields.
(module $async
  (import "env" "fetch" (func $fetch (param i32) (result i32)))
  (import "env" "tick" (func $tick))
  (func (export "run") (param i32) (result i32)
    local.get 0
    call $fetch
    i32.const 2
    i32.mul
    local.get 0
    call $fetch
    i32.add)
  (func (export "then_trap") (param i32) (result i32)
    local.get 0
    call $fetch
    drop
    unreachable)
  (func (export "loop_ticks") (param i32) (result i32)
    (local i32)
    (loop $l
      call $tick
      local.get 1
      i32.const 1
      i32.add
      local.set 1
      local.get 1
      local.get 0
      i32.lt_u
      br_if $l)
    local.get 1)
  (func (export "spin")
    (loop $l
      br $l)))
