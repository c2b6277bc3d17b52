;; i32_alu.wat: a dependent chain of i32 ALU operations (mul, add, rotl, xor,
;; shr_u, sub, shl, or, and) on locals; every op needs the previous result.
(module
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $x i32)
    (local.set $x (i32.const 1))
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $top
        (local.set $x
          (i32.xor
            (i32.rotl
              (i32.add (i32.mul (local.get $x) (i32.const -1640531535)) (i32.const 2135587861))
              (i32.const 5))
            (local.get $i)))
        (local.set $x
          (i32.sub (i32.xor (local.get $x) (i32.shr_u (local.get $x) (i32.const 15)))
            (i32.const 12345)))
        (local.set $x
          (i32.or (i32.shl (local.get $x) (i32.const 3))
            (i32.and (i32.shr_u (local.get $x) (i32.const 29)) (i32.const 7))))
        (br_if $top
          (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n)))))
    (local.get $x)))
