;; Globals of every type, read and written from both sides.
(module $misc
  (global $i32 (export "i32") (mut i32) (i32.const -1))
  (global $i64 (export "i64") (mut i64) (i64.const -2))
  (global $f32 (export "f32") (mut f32) (f32.const 1.5))
  (global $f64 (export "f64") (mut f64) (f64.const -0.25))
  (global $fr (export "fr") (mut funcref) (ref.func $get_i64))
  (global $er (export "er") (mut externref) (ref.null extern))
  (func $get_i64 (export "get_i64") (result i64) global.get $i64)
  (func (export "set_er") (param externref) local.get 0 global.set $er)
  (func (export "get_er") (result externref) global.get $er))
