;; simd_dot.wat (SIMD kernel, engineer G): f32x4 dot product of two arrays of
;; 4096 floats in memory, filled once from an integer hash, recomputed n
;; times; each pass also folds an i32x4 sum of the f32x4 products' truncation
;; so both float and integer lanes are exercised. The result is the bits of
;; the final f32 sum xor the integer sum: every engine must round exactly.
(module
  (memory 1)
  (func $fill
    (local $i i32)
    (loop $l
      ;; a[i] = (i * 7 mod 13) - 6.5, b[i] = (i * 5 mod 11) * 0.25
      (f32.store (local.get $i)
        (f32.sub (f32.convert_i32_u (i32.rem_u (i32.mul (local.get $i) (i32.const 7)) (i32.const 13)))
          (f32.const 6.5)))
      (f32.store offset=16384 (local.get $i)
        (f32.mul (f32.convert_i32_u (i32.rem_u (i32.mul (local.get $i) (i32.const 5)) (i32.const 11)))
          (f32.const 0.25)))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 4))) (i32.const 16384)))))
  (func (export "run") (param $n i32) (result i32)
    (local $k i32) (local $p i32) (local $acc v128) (local $iacc v128) (local $prod v128)
    (call $fill)
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $pass
        (local.set $p (i32.const 0))
        (loop $l
          (local.set $prod
            (f32x4.mul (v128.load (local.get $p)) (v128.load offset=16384 (local.get $p))))
          (local.set $acc (f32x4.add (local.get $acc) (local.get $prod)))
          (local.set $iacc
            (i32x4.add (local.get $iacc) (i32x4.trunc_sat_f32x4_s (local.get $prod))))
          (br_if $l (i32.ne (local.tee $p (i32.add (local.get $p) (i32.const 16))) (i32.const 16384))))
        (br_if $pass (i32.ne (local.tee $k (i32.add (local.get $k) (i32.const 1))) (local.get $n)))))
    (i32.xor
      (i32.reinterpret_f32
        (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
          (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
      (i32.add
        (i32.add (i32x4.extract_lane 0 (local.get $iacc)) (i32x4.extract_lane 1 (local.get $iacc)))
        (i32.add (i32x4.extract_lane 2 (local.get $iacc)) (i32x4.extract_lane 3 (local.get $iacc)))))))
