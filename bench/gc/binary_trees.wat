;; Binary trees (the benchmarks game's GC kernel): run(n) builds n complete
;; binary trees of depth 12 (8191 structs each), walks each to count its
;; nodes, and returns the total count. Every tree is garbage once counted.
(module
  (type $node (struct (field $l (ref null $node)) (field $r (ref null $node))))
  (func $make (param $d i32) (result (ref $node))
    (if (result (ref $node)) (i32.eqz (local.get $d))
      (then (struct.new $node (ref.null $node) (ref.null $node)))
      (else
        (local.set $d (i32.sub (local.get $d) (i32.const 1)))
        (struct.new $node (call $make (local.get $d)) (call $make (local.get $d))))))
  (func $check (param $n (ref $node)) (result i32) (local $l (ref null $node))
    (local.set $l (struct.get $node $l (local.get $n)))
    (if (result i32) (ref.is_null (local.get $l))
      (then (i32.const 1))
      (else
        (i32.add
          (i32.add (i32.const 1) (call $check (ref.as_non_null (local.get $l))))
          (call $check (ref.as_non_null (struct.get $node $r (local.get $n))))))))
  (func (export "run") (param $n i32) (result i32) (local $sum i32)
    (block $done
      (loop $more
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $sum (i32.add (local.get $sum) (call $check (call $make (i32.const 12)))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $more)))
    (local.get $sum)))
