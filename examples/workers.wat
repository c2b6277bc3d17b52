;; A pool of 10^5 suspended workers (the stack-switching proposal): `spawn(n)`
;; starts n workers, each of which suspends at once with its parameter live, and
;; keeps their continuations in a table; `finish(n)` resumes them all and sums
;; their results (each worker returns twice its parameter). The runtime's tests
;; and `bench/continuation_bytes.ts` (the memory one idle continuation takes) run it.
;;
;;   deno task run -W stack-switching --invoke spawn examples/workers.wat 100000
(module
  (type $f (func (param i32) (result i32)))
  (type $c (cont $f))
  (type $g (func (result i32)))
  (type $k (cont $g))
  (tag $pause)
  (table $t 100000 (ref null $k))
  (func $worker (param $i i32) (result i32)
    (suspend $pause)
    (i32.mul (local.get $i) (i32.const 2)))
  (elem declare func $worker)
  (func (export "spawn") (param $n i32)
    (local $i i32) (local $k (ref null $k))
    (loop $next
      (block $h (result (ref $k))
        (drop (resume $c (on $pause $h) (local.get $i) (cont.new $c (ref.func $worker))))
        (unreachable))
      (local.set $k)
      (table.set $t (local.get $i) (local.get $k))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n)))))
  (func (export "finish") (param $n i32) (result i64)
    (local $i i32) (local $sum i64)
    (loop $next
      (local.set $sum (i64.add (local.get $sum)
        (i64.extend_i32_u (resume $k (table.get $t (local.get $i))))))
      (table.set $t (local.get $i) (ref.null $k))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $sum)))
