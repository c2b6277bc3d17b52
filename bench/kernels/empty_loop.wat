;; empty_loop.wat: the cheapest loop there is (counter add, compare, branch).
;; run(n) returns n (the loop runs n times; n = 0 runs it zero times).
(module
  (func (export "run") (param $n i32) (result i32)
    (local $i i32)
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $top
        (br_if $top
          (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n)))))
    (local.get $i)))
