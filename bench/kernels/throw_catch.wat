;; throw_catch.wat: one exception per iteration, thrown 10 frames below its handler
;; (`throw` of a tag with an i32 payload, caught by a `try_table` in the loop), and the
;; same 10-deep call chain returning normally (`call_chain`), to show what the throw adds.
;; Built by Capstan's own text format (wabt 1.0.32 has no `try_table`): see exceptions_bench.ts.
(module
  (tag $e (param i32))
  (func $throw0 (param $x i32) (result i32)
    (throw $e (i32.add (local.get $x) (i32.const 1))))
  (func $return0 (param $x i32) (result i32)
    (i32.add (local.get $x) (i32.const 1)))
  ;; nine more frames above each bottom function; the adds after the call keep them real frames
  (func $t1 (param i32) (result i32) (i32.add (call $throw0 (local.get 0)) (i32.const 1)))
  (func $t2 (param i32) (result i32) (i32.add (call $t1 (local.get 0)) (i32.const 1)))
  (func $t3 (param i32) (result i32) (i32.add (call $t2 (local.get 0)) (i32.const 1)))
  (func $t4 (param i32) (result i32) (i32.add (call $t3 (local.get 0)) (i32.const 1)))
  (func $t5 (param i32) (result i32) (i32.add (call $t4 (local.get 0)) (i32.const 1)))
  (func $t6 (param i32) (result i32) (i32.add (call $t5 (local.get 0)) (i32.const 1)))
  (func $t7 (param i32) (result i32) (i32.add (call $t6 (local.get 0)) (i32.const 1)))
  (func $t8 (param i32) (result i32) (i32.add (call $t7 (local.get 0)) (i32.const 1)))
  (func $t9 (param i32) (result i32) (i32.add (call $t8 (local.get 0)) (i32.const 1)))
  (func $r1 (param i32) (result i32) (i32.add (call $return0 (local.get 0)) (i32.const 1)))
  (func $r2 (param i32) (result i32) (i32.add (call $r1 (local.get 0)) (i32.const 1)))
  (func $r3 (param i32) (result i32) (i32.add (call $r2 (local.get 0)) (i32.const 1)))
  (func $r4 (param i32) (result i32) (i32.add (call $r3 (local.get 0)) (i32.const 1)))
  (func $r5 (param i32) (result i32) (i32.add (call $r4 (local.get 0)) (i32.const 1)))
  (func $r6 (param i32) (result i32) (i32.add (call $r5 (local.get 0)) (i32.const 1)))
  (func $r7 (param i32) (result i32) (i32.add (call $r6 (local.get 0)) (i32.const 1)))
  (func $r8 (param i32) (result i32) (i32.add (call $r7 (local.get 0)) (i32.const 1)))
  (func $r9 (param i32) (result i32) (i32.add (call $r8 (local.get 0)) (i32.const 1)))
  ;; run(n): n throws caught; the checksum sums the payloads
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $next
      (local.set $acc
        (i32.add (local.get $acc)
          (block $caught (result i32)
            (try_table (result i32) (catch $e $caught)
              (call $t9 (local.get $i))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc))
  ;; call_chain(n): the same frames, returning
  (func (export "call_chain") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $next
      (local.set $acc (i32.add (local.get $acc) (call $r9 (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc)))
