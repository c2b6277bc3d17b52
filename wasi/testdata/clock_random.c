/* Clocks, sleeping (poll_oneoff with relative and absolute clock subscriptions), random bytes,
 * sched_yield, proc_raise and the socket stubs. Prints "ok"/"bad" per property, plus the
 * realtime clock in seconds for the host to compare with its own. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise")))
int32_t raw_proc_raise(int32_t sig);

static long long ns(struct timespec t) { return (long long)t.tv_sec * 1000000000LL + t.tv_nsec; }

static const char *ok(int c) { return c ? "ok" : "bad"; }

static unsigned char big[200000];

int main(void) {
  struct timespec res, t0, t1, t2;
  printf("res monotonic: %s\n", ok(clock_getres(CLOCK_MONOTONIC, &res) == 0 && ns(res) > 0));
  printf("res realtime: %s\n", ok(clock_getres(CLOCK_REALTIME, &res) == 0 && ns(res) > 0));
  clock_gettime(CLOCK_REALTIME, &t0);
  printf("realtime=%lld\n", (long long)t0.tv_sec);

  clock_gettime(CLOCK_MONOTONIC, &t0);
  struct timespec d = {.tv_sec = 0, .tv_nsec = 30000000};
  printf("nanosleep: %s\n", ok(nanosleep(&d, NULL) == 0));
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("slept >= 30ms: %s\n", ok(ns(t1) - ns(t0) >= 30000000LL));
  printf("slept < 2s: %s\n", ok(ns(t1) - ns(t0) < 2000000000LL));

  struct timespec until = t1;
  until.tv_nsec += 20000000;
  if (until.tv_nsec >= 1000000000) {
    until.tv_sec++;
    until.tv_nsec -= 1000000000;
  }
  printf("abs sleep: %s\n", ok(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == 0));
  clock_gettime(CLOCK_MONOTONIC, &t2);
  printf("woke after deadline: %s\n", ok(ns(t2) >= ns(until)));

  /* two clock subscriptions: only the earlier one fires */
  __wasi_subscription_t subs[2];
  memset(subs, 0, sizeof subs);
  subs[0].userdata = 11;
  subs[0].u.tag = __WASI_EVENTTYPE_CLOCK;
  subs[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  subs[0].u.u.clock.timeout = 500000000;
  subs[1].userdata = 22;
  subs[1].u.tag = __WASI_EVENTTYPE_CLOCK;
  subs[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  subs[1].u.u.clock.timeout = 10000000;
  __wasi_event_t events[2];
  __wasi_size_t nevents = 99;
  __wasi_errno_t e = __wasi_poll_oneoff(subs, events, 2, &nevents);
  printf("poll two clocks: errno=%d n=%lu userdata=%llu type=%d error=%d\n", e, nevents,
         (unsigned long long)events[0].userdata, events[0].type, events[0].error);

  /* absolute realtime deadline in the past fires at once */
  __wasi_timestamp_t now = 0;
  e = __wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &now);
  printf("clock_time_get realtime: errno=%d\n", e);
  subs[0].userdata = 33;
  subs[0].u.u.clock.id = __WASI_CLOCKID_REALTIME;
  subs[0].u.u.clock.timeout = now - 1000000000ULL;
  subs[0].u.u.clock.flags = __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME;
  e = __wasi_poll_oneoff(subs, events, 1, &nevents);
  printf("poll past deadline: errno=%d n=%lu userdata=%llu\n", e, nevents,
         (unsigned long long)events[0].userdata);
  e = __wasi_poll_oneoff(subs, events, 0, &nevents);
  printf("poll nothing: errno=%d\n", e);

  /* CPU time advances while busy */
  __wasi_timestamp_t c0 = 0, c1 = 0, th = 0;
  e = __wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1, &c0);
  volatile unsigned x = 1;
  for (unsigned i = 0; i < 30000000u; i++) x = x * 1664525u + 1013904223u;
  e |= __wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1, &c1);
  printf("clock_time_get cputime: errno=%d\n", e);
  printf("cputime advances: %s\n", ok(c1 > c0));
  printf("thread cputime: %s\n",
         ok(__wasi_clock_time_get(__WASI_CLOCKID_THREAD_CPUTIME_ID, 1, &th) == 0 && th > 0));
  printf("bad clock: errno=%d\n", __wasi_clock_time_get(17, 1, &th));

  /* random */
  unsigned char a[256], b[256];
  memset(a, 0, sizeof a);
  memset(b, 0, sizeof b);
  printf("getentropy: %s\n", ok(getentropy(a, sizeof a) == 0 && getentropy(b, sizeof b) == 0));
  printf("random differs: %s\n", ok(memcmp(a, b, sizeof a) != 0));
  printf("random_get big: errno=%d\n", __wasi_random_get(big, sizeof big));
  int counts[256] = {0}, distinct = 0;
  for (size_t i = 0; i < sizeof big; i++) counts[big[i]]++;
  for (int i = 0; i < 256; i++) distinct += counts[i] > 0;
  int tail_nonzero = 0;
  for (size_t i = sizeof big - 1000; i < sizeof big; i++) tail_nonzero |= big[i];
  printf("random big covers all bytes: %s, tail filled: %s\n", ok(distinct == 256),
         ok(tail_nonzero != 0));

  printf("sched_yield: %d\n", sched_yield());
  printf("proc_raise: errno=%d\n", raw_proc_raise(10));
  /* no descriptor is a socket: a bad one is EBADF, stdout ENOTSOCK */
  __wasi_fd_t nfd;
  __wasi_size_t nb;
  __wasi_roflags_t rof;
  for (int fd = 1; fd <= 99; fd += 98) {
    printf("sock_accept %d: errno=%d\n", fd, __wasi_sock_accept(fd, 0, &nfd));
    printf("sock_recv %d: errno=%d\n", fd, __wasi_sock_recv(fd, NULL, 0, 0, &nb, &rof));
    printf("sock_send %d: errno=%d\n", fd, __wasi_sock_send(fd, NULL, 0, 0, &nb));
    printf("sock_shutdown %d: errno=%d\n", fd, __wasi_sock_shutdown(fd, __WASI_SDFLAGS_RD));
  }
  return 0;
}
