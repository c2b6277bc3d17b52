;; A generator with typed continuations (the stack-switching proposal): `$primes`
;; yields the first n primes with `suspend`, and `sum_primes` consumes them,
;; resuming the generator until it returns.
;;
;;   deno task run -W stack-switching --invoke sum_primes examples/generator.wat 100
;;
;; prints 24133 (the sum of the first 100 primes).
(module
  (type $body (func (param i32)))
  (type $gen (cont $body))
  (type $rest (func))
  (type $k (cont $rest))
  ;; what the generator yields: one prime
  (tag $yield (param i32))

  (func $is_prime (param $p i32) (result i32)
    (local $d i32)
    (if (i32.lt_u (local.get $p) (i32.const 2)) (then (return (i32.const 0))))
    (local.set $d (i32.const 2))
    (block $done
      (loop $next
        (br_if $done (i32.gt_u (i32.mul (local.get $d) (local.get $d)) (local.get $p)))
        (if (i32.eqz (i32.rem_u (local.get $p) (local.get $d)))
          (then (return (i32.const 0))))
        (local.set $d (i32.add (local.get $d) (i32.const 1)))
        (br $next)))
    (i32.const 1))

  ;; the generator: yields the first $n primes, then returns
  (func $primes (param $n i32)
    (local $p i32)
    (local.set $p (i32.const 2))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (if (call $is_prime (local.get $p))
          (then
            (suspend $yield (local.get $p))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next))))
  (elem declare func $primes)

  ;; the consumer: the sum of what the generator yields
  (func (export "sum_primes") (param $n i32) (result i64)
    (local $sum i64)
    (local $k (ref null $k))
    (local $prime i32)
    (local.set $k (cont.bind $gen $k (local.get $n) (cont.new $gen (ref.func $primes))))
    (block $finished
      (loop $next
        (block $yielded (result i32 (ref $k))
          (resume $k (on $yield $yielded) (local.get $k))
          (br $finished))
        ;; a prime and the rest of the generator
        (local.set $k)
        (local.set $prime)
        (local.set $sum (i64.add (local.get $sum) (i64.extend_i32_u (local.get $prime))))
        (br $next)))
    (local.get $sum)))
