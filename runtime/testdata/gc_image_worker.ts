/**
 * A worker for `module_image_test.ts`: compiles the GC module it is sent,
 * in a type registry of its own (other types registered first, so its
 * canonical ids are not the receiving thread's), and answers with its image,
 * every function lowered.
 *
 * @module
 */

import { parseWat } from "@capstan/environ";
import { Engine, Module } from "@capstan/runtime";

const engine = new Engine();
new Module(
  engine,
  parseWat(`(module (type (struct (field f32))) (type (array i8)) (type (struct (field f64)))
    (type (struct (field i64) (field i64))) (type (array (mut f32))))`),
);
(self as unknown as Worker).onmessage = (e: MessageEvent<Uint8Array>) => {
  (self as unknown as Worker).postMessage(new Module(engine, e.data).serialize({ all: true }));
};
