/* Stdin echo: waits for stdin to be readable with poll(), copies stdin to stdout in 7-byte
 * reads until end of input, then reports the byte count on stderr. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
  struct pollfd fds[2] = {{.fd = 0, .events = POLLIN}, {.fd = 1, .events = POLLOUT}};
  int ready = poll(fds, 2, 1000);
  fprintf(stderr, "poll=%d in=%d out=%d\n", ready, (fds[0].revents & POLLIN) != 0,
          (fds[1].revents & POLLOUT) != 0);
  char buf[7];
  long total = 0;
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n < 0) {
      fprintf(stderr, "read failed: errno=%d\n", errno);
      return 1;
    }
    if (n == 0) break;
    for (ssize_t at = 0; at < n;) {
      ssize_t w = write(1, buf + at, (size_t)(n - at));
      if (w <= 0) return 2;
      at += w;
    }
    total += n;
  }
  fprintf(stderr, "read %ld bytes\n", total);
  return 0;
}
