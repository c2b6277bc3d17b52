;; tail_call.wat: one tail call per iteration, between two functions that call each other
;; (return_call): the loop is the recursion, in constant stack.
(module
  (func $even (param $n i32) (param $x i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (local.get $x))
      (else (return_call $odd
        (i32.sub (local.get $n) (i32.const 1))
        (i32.add (i32.mul (local.get $x) (i32.const 3)) (i32.const 1))))))
  (func $odd (param $n i32) (param $x i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (local.get $x))
      (else (return_call $even
        (i32.sub (local.get $n) (i32.const 1))
        (i32.xor (local.get $x) (local.get $n))))))
  (func (export "run") (param $n i32) (result i32)
    (call $even (local.get $n) (i32.const 0))))
