(module
  (memory 1)
  (global $g (mut i32) (i32.const 0))
  (func $switch (export "switch") (param i32) (result i32)
    (block $c
      (block $b
        (block $a
          (br_table $a $b $c (local.get 0)))
        (return (i32.load offset=4 (local.get 0))))
      (global.set $g (i32.const 7))
      (return (memory.grow (i32.const 1))))
    (i32.div_u (i32.const 100) (local.get 0))))
