;; simd_bytecount.wat (SIMD kernel, engineer G): a byte histogram of 16 KiB of
;; pseudo-random bytes, 16 bytes at a time: for each of 8 byte values, count
;; matches with i8x16.eq, widen with extadd_pairwise (i8 -> i16 -> i32) and
;; accumulate in i32x4 lanes; repeated n times. Also a shuffle and a
;; bitmask per block. The result folds every count.
(module
  (memory 1)
  (func $fill
    (local $i i32) (local $x i32)
    (local.set $x (i32.const 12345))
    (loop $l
      ;; xorshift32
      (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 13))))
      (local.set $x (i32.xor (local.get $x) (i32.shr_u (local.get $x) (i32.const 17))))
      (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 5))))
      ;; bytes in 0..7 mostly
      (i32.store (local.get $i) (i32.and (local.get $x) (i32.const 0x07070707)))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 4))) (i32.const 16384)))))
  (func (export "run") (param $n i32) (result i32)
    (local $k i32) (local $p i32) (local $v v128) (local $c i32) (local $acc v128)
    (local $total i32) (local $masks i32)
    (call $fill)
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $pass
        (local.set $c (i32.const 0))
        (loop $value
          (local.set $acc (v128.const i32x4 0 0 0 0))
          (local.set $p (i32.const 0))
          (loop $l
            (local.set $v (v128.load (local.get $p)))
            (local.set $acc
              (i32x4.add (local.get $acc)
                (i32x4.extadd_pairwise_i16x8_u
                  (i16x8.extadd_pairwise_i8x16_u
                    (v128.and (i8x16.eq (local.get $v) (i8x16.splat (local.get $c)))
                      (v128.const i8x16 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1))))))
            (local.set $masks
              (i32.add (local.get $masks)
                (i8x16.bitmask
                  (i8x16.shuffle 15 14 13 12 11 10 9 8 7 6 5 4 3 2 1 0
                    (i8x16.shl (local.get $v) (i32.const 5)) (local.get $v)))))
            (br_if $l (i32.ne (local.tee $p (i32.add (local.get $p) (i32.const 16))) (i32.const 16384))))
          (local.set $total
            (i32.add (i32.mul (local.get $total) (i32.const 31))
              (i32.add
                (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
                (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc))))))
          (br_if $value (i32.ne (local.tee $c (i32.add (local.get $c) (i32.const 1))) (i32.const 8))))
        (br_if $pass (i32.ne (local.tee $k (i32.add (local.get $k) (i32.const 1))) (local.get $n)))))
    (i32.xor (local.get $total) (local.get $masks))))
