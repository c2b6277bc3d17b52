;; v128 values crossing the host boundary: arguments, results, a host import, a global.
(module $simd
  (import "env" "mix" (func $mix (param v128 i32) (result v128)))
  (global $g (export "g") (mut v128) (v128.const i32x4 1 2 3 4))
  (func (export "add") (param v128 v128) (result v128)
    local.get 0
    local.get 1
    i32x4.add)
  (func (export "via_host") (param v128) (result v128)
    local.get 0
    i32.const 7
    call $mix
    global.get $g
    i32x4.add))
