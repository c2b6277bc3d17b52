;; host_call.wat: one call per iteration to an imported host function
;; env.step(x, i) -> i32, measuring the cost of leaving wasm for JS.
(module
  (import "env" "step" (func $step (param i32 i32) (result i32)))
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $x i32)
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $top
        (local.set $x (call $step (local.get $x) (local.get $i)))
        (br_if $top
          (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n)))))
    (local.get $x)))
