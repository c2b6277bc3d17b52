/* Arguments, environment and exit codes.
 * Prints argc, every argv and every environ entry. Then:
 *   args_env exit N    -> exit(N)                (libc exit: proc_exit(N))
 *   args_env raw N     -> __wasi_proc_exit(N)    (no libc teardown)
 *   args_env return N  -> return N from main
 *   otherwise          -> return 0 (normal return from _start) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

extern char **environ;

int main(int argc, char **argv) {
  printf("argc=%d\n", argc);
  for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
  int n = 0;
  for (char **e = environ; *e != NULL; e++) printf("env[%d]=%s\n", n++, *e);
  const char *home = getenv("HOME");
  printf("HOME=%s\n", home != NULL ? home : "(unset)");
  fflush(stdout);
  if (argc > 2 && strcmp(argv[1], "exit") == 0) exit(atoi(argv[2]));
  if (argc > 2 && strcmp(argv[1], "raw") == 0) __wasi_proc_exit((uint32_t)atoi(argv[2]));
  if (argc > 2 && strcmp(argv[1], "return") == 0) return atoi(argv[2]);
  return 0;
}
