;; Execution fixture: host calls, traps with names, recursion, loops, memory/table/global ops.
(module $exec
  (import "env" "double" (func $double (param i32) (result i32)))
  (import "env" "fail" (func $fail))
  (type $i2i (func (param i32) (result i32)))
  (memory (export "mem") 1 4)
  (table (export "tab") 2 10 funcref)
  (global $counter (export "counter") (mut i32) (i32.const 0))
  (elem (i32.const 0) $inc $double)

  (func $div (export "div") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.div_s)

  (func $main (export "main") (param i32) (result i32)
    i32.const 10
    local.get 0
    call $div)

  (func (export "via_host") (param i32) (result i32)
    local.get 0
    call $double
    i32.const 1
    i32.add)

  (func (export "call_fail") (param i32) (result i32)
    call $fail
    local.get 0)

  (func $inc (param i32) (result i32)
    global.get $counter
    i32.const 1
    i32.add
    global.set $counter
    local.get 0
    i32.const 1
    i32.add)

  (func (export "indirect") (param i32 i32) (result i32)
    local.get 1
    local.get 0
    call_indirect (type $i2i))

  (func $deep (export "deep") (param i32) (result i32)
    local.get 0
    i32.eqz
    if (result i32)
      i32.const 0
    else
      local.get 0
      i32.const 1
      i32.sub
      call $deep
      i32.const 1
      i32.add
    end)

  (func (export "spin")
    (loop $l
      br $l))

  (func (export "count") (param i32) (result i32)
    (local i32)
    (loop $l
      local.get 1
      i32.const 1
      i32.add
      local.set 1
      local.get 1
      local.get 0
      i32.lt_u
      br_if $l)
    local.get 1)

  (func (export "swap") (param i32 i64 f32 f64) (result f64 f32 i64 i32)
    local.get 3
    local.get 2
    local.get 1
    local.get 0)

  (func (export "grow") (param i32) (result i32)
    local.get 0
    memory.grow)

  (func (export "table_grow") (param i32) (result i32)
    ref.null func
    local.get 0
    table.grow 0)

  (func (export "load") (param i32) (result i32)
    local.get 0
    i32.load)

  (func (export "id_ref") (param externref) (result externref)
    local.get 0)

  (func (export "id_func") (param funcref) (result funcref)
    local.get 0)

  (func (export "f32_from_bits") (param i32) (result f32)
    local.get 0
    f32.reinterpret_i32)

  (func (export "f64_id") (param f64) (result f64)
    local.get 0)

  (func (export "f32_add_bits") (param i32 f32) (result f32)
    local.get 0
    f32.reinterpret_i32
    local.get 1
    f32.add))
