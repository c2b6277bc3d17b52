;; A tiny module for `deno task run --invoke`: add two i32, and a trap to see a backtrace.
(module $example
  (func $add (export "add") (param $a i32) (param $b i32) (result i32)
    (i32.add (local.get $a) (local.get $b)))
  (func $fac (export "fac") (param $n i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (i64.const 1))
      (else (i64.mul (local.get $n) (call $fac (i64.sub (local.get $n) (i64.const 1)))))))
  (func $div (export "div") (param $a i32) (param $b i32) (result i32)
    (call $checked_div (local.get $a) (local.get $b)))
  (func $checked_div (param $a i32) (param $b i32) (result i32)
    (i32.div_s (local.get $a) (local.get $b))))
