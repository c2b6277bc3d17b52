/* Hello world for `deno task run examples/hello.wasm [ARGS...]`: prints a greeting and its
 * arguments, one per line. Built by wasi/testdata/build.sh. */
#include <stdio.h>

int main(int argc, char **argv) {
  printf("Hello, world!\n");
  for (int i = 1; i < argc; i++) printf("arg %d: %s\n", i, argv[i]);
  return 0;
}
