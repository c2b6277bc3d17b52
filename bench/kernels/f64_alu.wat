;; f64_alu.wat: f64 arithmetic in locals (mul, add, div, sqrt, convert) per
;; iteration; the result folds the bits of the final state, so every engine
;; must round exactly as IEEE 754 says.
(module
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $x f64) (local $y f64) (local $s i64)
    (local.set $x (f64.const 1.5))
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $top
        (local.set $x
          (f64.add (f64.mul (local.get $x) (f64.const 0.999999)) (f64.const 0.25)))
        (local.set $y
          (f64.add (f64.mul (local.get $y) (f64.const 0.5))
            (f64.div (f64.sqrt (local.get $x)) (f64.convert_i32_u (i32.add (local.get $i)
              (i32.const 1))))))
        (br_if $top
          (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n)))))
    (local.set $s (i64.reinterpret_f64 (f64.add (local.get $x) (local.get $y))))
    (i32.wrap_i64 (i64.xor (local.get $s) (i64.shr_u (local.get $s) (i64.const 32))))))
