;; Three green threads on a round-robin scheduler built on `suspend` and
;; `resume` (the stack-switching proposal). Each thread prints three steps
;; through WASI's `fd_write`, yielding after each; the scheduler runs the
;; threads in a queue of continuations until all have returned.
;;
;;   deno task run -W stack-switching examples/scheduler.wat
;;
;; prints "thread 1 step 1", "thread 2 step 1", "thread 3 step 1",
;; "thread 1 step 2", ... "thread 3 step 3".
(module
  (type $task (func))
  (type $k (cont $task))
  (type $body (func (param i32)))
  (type $thread (cont $body))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; one line of output at 16 (digits at 23 and 30); its iovec at 0, the written count at 8
  (data (i32.const 16) "thread ? step ?\n")
  ;; a thread gives the others a turn
  (tag $yield)
  ;; the run queue: a ring of 8 continuations
  (table $queue 8 (ref null $k))
  (global $head (mut i32) (i32.const 0))
  (global $tail (mut i32) (i32.const 0))

  (func $print (param $id i32) (param $step i32)
    (i32.store8 (i32.const 23) (i32.add (i32.const 48) (local.get $id)))
    (i32.store8 (i32.const 30) (i32.add (i32.const 48) (local.get $step)))
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 16))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  ;; a green thread: three steps, a yield after each
  (func $run_thread (param $id i32)
    (local $step i32)
    (loop $again
      (local.set $step (i32.add (local.get $step) (i32.const 1)))
      (call $print (local.get $id) (local.get $step))
      (suspend $yield)
      (br_if $again (i32.lt_u (local.get $step) (i32.const 3)))))
  (elem declare func $run_thread)

  (func $enqueue (param $k (ref null $k))
    (table.set $queue (i32.and (global.get $tail) (i32.const 7)) (local.get $k))
    (global.set $tail (i32.add (global.get $tail) (i32.const 1))))

  (func $dequeue (result (ref null $k))
    (local $slot i32)
    (local $k (ref null $k))
    (local.set $slot (i32.and (global.get $head) (i32.const 7)))
    (local.set $k (table.get $queue (local.get $slot)))
    (table.set $queue (local.get $slot) (ref.null $k))
    (global.set $head (i32.add (global.get $head) (i32.const 1)))
    (local.get $k))

  (func $spawn (param $id i32)
    (call $enqueue
      (cont.bind $thread $k (local.get $id) (cont.new $thread (ref.func $run_thread)))))

  ;; the scheduler: resume the queue's head; a thread that yields goes to its tail
  (func (export "_start")
    (call $spawn (i32.const 1))
    (call $spawn (i32.const 2))
    (call $spawn (i32.const 3))
    (block $idle
      (loop $schedule
        (br_if $idle (i32.eq (global.get $head) (global.get $tail)))
        (block $yielded (result (ref $k))
          (resume $k (on $yield $yielded) (call $dequeue))
          ;; the thread returned
          (br $schedule))
        (call $enqueue)
        (br $schedule)))))
