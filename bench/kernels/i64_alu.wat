;; i64_alu.wat: a dependent chain of i64 operations (mul, add, xor, shr_u,
;; rotl, extend) on locals; returns the folded 64-bit state.
(module
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $x i64)
    (local.set $x (i64.const 0x243f6a8885a308d3))
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $top
        (local.set $x
          (i64.add (i64.mul (local.get $x) (i64.const 0x5851f42d4c957f2d))
            (i64.extend_i32_u (local.get $i))))
        (local.set $x (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 29))))
        (local.set $x (i64.rotl (local.get $x) (i64.const 17)))
        (br_if $top
          (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n)))))
    (i32.wrap_i64 (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 32))))))
