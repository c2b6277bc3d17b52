;; Two busy threads: _start spawns one that loops forever, then loops
;; forever itself. Only --timeout or --fuel ends it.
(module
  (memory (export "memory") (import "env" "memory") 1 1 shared)
  (func $thread_spawn (import "wasi" "thread-spawn") (param i32) (result i32))
  (func (export "wasi_thread_start") (param i32 i32)
    (loop $l (br $l)))
  (func (export "_start")
    (drop (call $thread_spawn (i32.const 0)))
    (loop $l (br $l))))
