;; Wasm 3.0 numerics for `capstan compile`: wide arithmetic, relaxed SIMD, an extended constant.
(module
  (global $base i32 (i32.const 8))
  (global $off i32 (i32.add (global.get $base) (i32.mul (i32.const 2) (i32.const 4))))
  (memory 1)
  (data (global.get $off) "x")
  (func (export "add128") (param i64 i64 i64 i64) (result i64 i64)
    (i64.add128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "mul_wide_u") (param i64 i64) (result i64 i64)
    (i64.mul_wide_u (local.get 0) (local.get 1)))
  (func (export "dot") (param v128 v128 v128) (result v128)
    (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get 0) (local.get 1) (local.get 2)))
  (func (export "madd") (param v128 v128 v128) (result v128)
    (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2))))
