;; call_indirect.wat: one call_indirect per iteration through a table of four
;; functions of the same type, the slot chosen by the running value.
(module
  (type $step (func (param i32 i32) (result i32)))
  (table 4 funcref)
  (elem (i32.const 0) $s0 $s1 $s2 $s3)
  (func $s0 (type $step) (i32.add (i32.mul (local.get 0) (i32.const 3)) (local.get 1)))
  (func $s1 (type $step) (i32.xor (i32.add (local.get 0) (i32.const 7)) (local.get 1)))
  (func $s2 (type $step) (i32.sub (i32.mul (local.get 0) (i32.const 5)) (local.get 1)))
  (func $s3 (type $step) (i32.add (i32.rotl (local.get 0) (i32.const 9)) (local.get 1)))
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $x i32)
    (local.set $x (i32.const 1))
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $top
        (local.set $x
          (call_indirect (type $step)
            (local.get $x) (local.get $i)
            (i32.and (i32.shr_u (local.get $x) (i32.const 5)) (i32.const 3))))
        (br_if $top
          (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n)))))
    (local.get $x)))
