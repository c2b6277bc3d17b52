;; cast_loop.wat: subtype tests and casts on GC structs. Three struct types in a chain
;; ($A <: $B <: $C, final), four objects in an array of (ref null $A); each iteration takes
;; one (i & 3), tests it against $B (ref.test, then ref.cast + struct.get) and branches on a
;; cast to $C (br_on_cast + struct.get). Checksum per four iterations: 20 + 330 + 40.
;; Built by Capstan's own text format (wabt 1.0.32 has no GC): see cast_bench.ts.
(module
  (type $A (sub (struct (field i32))))
  (type $B (sub $A (struct (field i32) (field i32))))
  (type $C (sub final $B (struct (field i32) (field i32) (field i32))))
  (type $objs (array (mut (ref null $A))))
  (func (export "run") (param $n i32) (result i32)
    (local $a (ref $objs)) (local $o (ref null $A)) (local $i i32) (local $acc i32)
    (local.set $a (array.new_fixed $objs 4
      (struct.new $A (i32.const 1))
      (struct.new $B (i32.const 2) (i32.const 20))
      (struct.new $C (i32.const 3) (i32.const 30) (i32.const 300))
      (struct.new $B (i32.const 4) (i32.const 40))))
    (loop $next
      (local.set $o (array.get $objs (local.get $a) (i32.and (local.get $i) (i32.const 3))))
      (if (ref.test (ref $B) (local.get $o))
        (then
          (local.set $acc
            (i32.add (local.get $acc) (struct.get $B 1 (ref.cast (ref $B) (local.get $o)))))))
      (block $notC
        (local.set $acc
          (i32.add (local.get $acc)
            (struct.get $C 2
              (block $isC (result (ref $C))
                (br_on_cast $isC (ref null $A) (ref $C) (local.get $o))
                (drop)
                (br $notC))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc)))
