;; js_call.wat: a tiny export, step(x, i) -> i32, called from a JS loop to
;; measure the cost of entering wasm from JS; run(n) does the same n steps
;; inside wasm so the checksum can be compared.
(module
  (func $step (export "step") (param $x i32) (param $i i32) (result i32)
    (i32.add (i32.mul (i32.xor (local.get $x) (local.get $i)) (i32.const 3)) (i32.const 1)))
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $x i32)
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $top
        (local.set $x (call $step (local.get $x) (local.get $i)))
        (br_if $top
          (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n)))))
    (local.get $x)))
