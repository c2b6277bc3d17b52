/* A small `cat`: writes each file named on the command line to stdout (in 4 KiB reads), or stdin
 * when there is none. A file that cannot be opened is reported on stderr with its errno, and the
 * exit code is then 1. Paths may be relative (resolved by wasi-libc against the preopens,
 * including one named ".") or absolute guest paths. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static int copy(int fd) {
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) return -1;
    if (n == 0) return 0;
    for (ssize_t at = 0; at < n;) {
      ssize_t w = write(1, buf + at, (size_t)(n - at));
      if (w <= 0) return -1;
      at += w;
    }
  }
}

int main(int argc, char **argv) {
  if (argc < 2) return copy(0) == 0 ? 0 : 1;
  int status = 0;
  for (int i = 1; i < argc; i++) {
    int fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      fprintf(stderr, "cat: %s: errno=%d\n", argv[i], errno);
      status = 1;
      continue;
    }
    if (copy(fd) != 0) {
      fprintf(stderr, "cat: %s: read failed errno=%d\n", argv[i], errno);
      status = 1;
    }
    close(fd);
  }
  return status;
}
