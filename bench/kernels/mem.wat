;; mem.wat: loads and stores in linear memory: per iteration two i32.load,
;; one i32.store, one i32.load8_u and one i32.store8 over a 4 KiB window.
;; run(n) first zeroes the 12 KiB it touches (1,536 i64.store), so every call
;; with the same n returns the same checksum.
(module
  (memory (export "memory") 1)
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $a i32) (local $x i32)
    (loop $clear
      (i64.store (local.get $a) (i64.const 0))
      (br_if $clear
        (i32.ne (local.tee $a (i32.add (local.get $a) (i32.const 8))) (i32.const 12288))))
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $top
        (local.set $a (i32.and (i32.shl (local.get $i) (i32.const 2)) (i32.const 4092)))
        (local.set $x
          (i32.add (i32.load (local.get $a))
            (i32.load offset=4096 (i32.and (i32.add (local.get $a) (i32.const 28))
              (i32.const 4092)))))
        (i32.store offset=4096 (local.get $a) (i32.add (local.get $x) (local.get $i)))
        (i32.store8 (local.get $a)
          (i32.add (i32.load8_u offset=8192 (i32.and (local.get $i) (i32.const 4095)))
            (local.get $x)))
        (br_if $top
          (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n)))))
    (i32.xor (i32.load offset=4096 (i32.const 0)) (i32.load (i32.const 4)))))
