;; br_table.wat: one br_table over eight targets per iteration, the target
;; chosen by a pseudo-random value (an LCG), like a bytecode interpreter.
(module
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $x i32) (local $acc i32)
    (local.set $x (i32.const 1))
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $top
        (local.set $x
          (i32.add (i32.mul (local.get $x) (i32.const 1664525)) (i32.const 1013904223)))
        (block $next
          (block $c7 (block $c6 (block $c5 (block $c4
          (block $c3 (block $c2 (block $c1 (block $c0
            (br_table $c0 $c1 $c2 $c3 $c4 $c5 $c6 $c7
              (i32.shr_u (local.get $x) (i32.const 29))))
            (local.set $acc (i32.add (local.get $acc) (i32.const 1))) (br $next))
            (local.set $acc (i32.xor (local.get $acc) (i32.const 0x55))) (br $next))
            (local.set $acc (i32.sub (local.get $acc) (i32.const 3))) (br $next))
            (local.set $acc (i32.rotl (local.get $acc) (i32.const 1))) (br $next))
            (local.set $acc (i32.add (local.get $acc) (local.get $i))) (br $next))
            (local.set $acc (i32.xor (local.get $acc) (local.get $x))) (br $next))
            (local.set $acc (i32.mul (local.get $acc) (i32.const 3))) (br $next))
          (local.set $acc (i32.shr_u (local.get $acc) (i32.const 1))))
        (br_if $top
          (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n)))))
    (i32.xor (local.get $acc) (local.get $x))))
