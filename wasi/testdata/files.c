/* File I/O inside the preopened directory /sandbox: create, write, read, seek, tell, pread,
 * pwrite, append, truncate, stat, utimes, mkdir, rename, readdir (over many entries, so that
 * fd_readdir is called with cookies), symlink, readlink, link, unlink, rmdir, and the errors of
 * the common misuses. Prints one line per step; leaves a known tree behind for the host to check:
 *   /sandbox/keep.txt        "0123456789ABCDEF\nappended\n" truncated to 20 bytes
 *   /sandbox/dir/renamed.txt "hello world\n"
 *   /sandbox/dir/hard.txt    hard link to renamed.txt
 *   /sandbox/dir/link        symlink -> renamed.txt
 *   /sandbox/stamp           mtime 1000000000 s */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#define CHECK(expr)                                                       \
  do {                                                                    \
    if (!(expr)) {                                                        \
      printf("FAILED line %d: %s (errno=%d)\n", __LINE__, #expr, errno); \
      exit(1);                                                            \
    }                                                                     \
  } while (0)

static void expect_errno(const char *what, int rc) {
  printf("%s: rc=%d errno=%d\n", what, rc, rc < 0 ? errno : 0);
}

static int cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *path) {
  DIR *d = opendir(path);
  CHECK(d != NULL);
  char *names[300];
  int n = 0;
  struct dirent *e;
  int dots = 0;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
      dots++;
      continue;
    }
    CHECK(n < 300);
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, (size_t)n, sizeof names[0], cmp);
  printf("list %s: %d entries, %d dots:", path, n, dots);
  for (int i = 0; i < n; i++) {
    printf(" %s", names[i]);
    free(names[i]);
  }
  printf("\n");
}

int main(void) {
  /* create + write with stdio */
  FILE *f = fopen("/sandbox/a.txt", "w");
  CHECK(f != NULL);
  CHECK(fputs("hello world\n", f) >= 0);
  CHECK(fclose(f) == 0);

  /* read, seek, tell */
  int fd = open("/sandbox/a.txt", O_RDWR);
  CHECK(fd >= 0);
  char buf[64] = {0};
  CHECK(lseek(fd, 6, SEEK_SET) == 6);
  CHECK(read(fd, buf, 5) == 5);
  printf("read at 6: %s\n", buf);
  printf("tell: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
  printf("seek end-3: %lld\n", (long long)lseek(fd, -3, SEEK_END));
  memset(buf, 0, sizeof buf);
  printf("read rest: %zd\n", read(fd, buf, sizeof buf));
  printf("read at eof: %zd\n", read(fd, buf, sizeof buf));
  expect_errno("seek before start", (int)lseek(fd, -100, SEEK_CUR));

  /* pread / pwrite leave the offset alone */
  CHECK(lseek(fd, 2, SEEK_SET) == 2);
  memset(buf, 0, sizeof buf);
  CHECK(pread(fd, buf, 4, 0) == 4);
  printf("pread 0..4: %s, offset still %lld\n", buf, (long long)lseek(fd, 0, SEEK_CUR));
  CHECK(pwrite(fd, "W", 1, 6) == 1);
  CHECK(close(fd) == 0);

  /* stat */
  struct stat st;
  CHECK(stat("/sandbox/a.txt", &st) == 0);
  printf("stat a.txt: size=%lld reg=%d dir=%d nlink=%llu\n", (long long)st.st_size,
         S_ISREG(st.st_mode), S_ISDIR(st.st_mode), (unsigned long long)st.st_nlink);

  /* mkdir, rename into it */
  CHECK(mkdir("/sandbox/dir", 0755) == 0);
  expect_errno("mkdir existing", mkdir("/sandbox/dir", 0755));
  CHECK(stat("/sandbox/dir", &st) == 0);
  printf("stat dir: dir=%d\n", S_ISDIR(st.st_mode));
  CHECK(rename("/sandbox/a.txt", "/sandbox/dir/renamed.txt") == 0);
  expect_errno("stat old name", stat("/sandbox/a.txt", &st));
  f = fopen("/sandbox/dir/renamed.txt", "r");
  CHECK(f != NULL);
  memset(buf, 0, sizeof buf);
  CHECK(fgets(buf, sizeof buf, f) != NULL);
  fclose(f);
  printf("renamed contents: %s", buf);

  /* append and truncate */
  fd = open("/sandbox/keep.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  CHECK(fd >= 0);
  CHECK(write(fd, "0123456789ABCDEF\n", 17) == 17);
  CHECK(close(fd) == 0);
  fd = open("/sandbox/keep.txt", O_WRONLY | O_APPEND);
  CHECK(fd >= 0);
  CHECK(lseek(fd, 0, SEEK_SET) == 0);
  CHECK(write(fd, "appended\n", 9) == 9);
  CHECK(fstat(fd, &st) == 0);
  printf("after append: size=%lld\n", (long long)st.st_size);
  CHECK(ftruncate(fd, 20) == 0);
  CHECK(fstat(fd, &st) == 0);
  printf("after truncate: size=%lld\n", (long long)st.st_size);
  CHECK(close(fd) == 0);

  /* a file opened read-only cannot be written */
  fd = open("/sandbox/keep.txt", O_RDONLY);
  CHECK(fd >= 0);
  expect_errno("write to read-only fd", (int)write(fd, "x", 1));
  CHECK(close(fd) == 0);

  /* error cases */
  expect_errno("open missing", open("/sandbox/missing.txt", O_RDONLY));
  expect_errno("create exclusive existing",
               open("/sandbox/keep.txt", O_WRONLY | O_CREAT | O_EXCL, 0644));
  expect_errno("open dir for writing", open("/sandbox/dir", O_WRONLY));
  expect_errno("open file as directory", open("/sandbox/keep.txt", O_RDONLY | O_DIRECTORY));
  expect_errno("rmdir non-empty", rmdir("/sandbox/dir"));
  expect_errno("unlink a directory", unlink("/sandbox/dir"));
  expect_errno("close bad fd", close(99));

  /* symlink, readlink, hard link */
  CHECK(symlink("renamed.txt", "/sandbox/dir/link") == 0);
  memset(buf, 0, sizeof buf);
  ssize_t n = readlink("/sandbox/dir/link", buf, sizeof buf - 1);
  printf("readlink: %zd %s\n", n, buf);
  CHECK(lstat("/sandbox/dir/link", &st) == 0);
  printf("lstat link: lnk=%d\n", S_ISLNK(st.st_mode));
  CHECK(stat("/sandbox/dir/link", &st) == 0);
  printf("stat through link: reg=%d size=%lld\n", S_ISREG(st.st_mode), (long long)st.st_size);
  f = fopen("/sandbox/dir/link", "r");
  CHECK(f != NULL);
  memset(buf, 0, sizeof buf);
  CHECK(fgets(buf, sizeof buf, f) != NULL);
  fclose(f);
  printf("through link: %s", buf);
  CHECK(link("/sandbox/dir/renamed.txt", "/sandbox/dir/hard.txt") == 0);
  CHECK(stat("/sandbox/dir/renamed.txt", &st) == 0);
  printf("nlink after link: %llu\n", (unsigned long long)st.st_nlink);
  /* a new name with a trailing slash asks for a directory (ENOENT on Linux); an old one,
     that the file is one (ENOTDIR) */
  expect_errno("link to a name with a trailing slash",
               link("/sandbox/dir/renamed.txt", "/sandbox/dir/hard2.txt/"));
  expect_errno("symlink to a name with a trailing slash",
               symlink("renamed.txt", "/sandbox/dir/link2/"));
  expect_errno("link of a file named with a trailing slash",
               link("/sandbox/dir/renamed.txt/", "/sandbox/dir/hard3.txt"));

  /* utimes */
  fd = open("/sandbox/stamp", O_WRONLY | O_CREAT, 0644);
  CHECK(fd >= 0);
  CHECK(close(fd) == 0);
  struct timeval tv[2] = {{.tv_sec = 999999999, .tv_usec = 0}, {.tv_sec = 1000000000, .tv_usec = 0}};
  CHECK(utimes("/sandbox/stamp", tv) == 0);
  CHECK(stat("/sandbox/stamp", &st) == 0);
  printf("stamp: atime=%lld mtime=%lld\n", (long long)st.st_atim.tv_sec,
         (long long)st.st_mtim.tv_sec);

  /* nanosecond times: a time set 100 ns earlier reads back 100 ns earlier */
  struct timespec ts[2] = {{.tv_sec = 1000000000, .tv_nsec = 123456789},
                           {.tv_sec = 1000000000, .tv_nsec = 999999900}};
  CHECK(utimensat(AT_FDCWD, "/sandbox/stamp", ts, 0) == 0);
  ts[1].tv_nsec -= 100;
  CHECK(utimensat(AT_FDCWD, "/sandbox/stamp", ts, 0) == 0);
  CHECK(stat("/sandbox/stamp", &st) == 0);
  printf("stamp ns: atime=%lld.%09ld mtime=%lld.%09ld\n", (long long)st.st_atim.tv_sec,
         st.st_atim.tv_nsec, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  fd = open("/sandbox/stamp", O_WRONLY);
  CHECK(fd >= 0);
  ts[0].tv_nsec = UTIME_OMIT;
  ts[1].tv_nsec = 7;
  CHECK(futimens(fd, ts) == 0);
  CHECK(fstat(fd, &st) == 0);
  printf("futimens: atime=%lld.%09ld mtime=%lld.%09ld\n", (long long)st.st_atim.tv_sec,
         st.st_atim.tv_nsec, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  CHECK(close(fd) == 0);
  /* a symlink's own times, its target's left alone */
  ts[0] = (struct timespec){.tv_sec = 1234567890, .tv_nsec = 5};
  ts[1] = ts[0];
  CHECK(utimensat(AT_FDCWD, "/sandbox/dir/link", ts, AT_SYMLINK_NOFOLLOW) == 0);
  CHECK(lstat("/sandbox/dir/link", &st) == 0);
  printf("link's own mtime=%lld.%09ld\n", (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  CHECK(stat("/sandbox/dir/link", &st) == 0);
  printf("its target's mtime unchanged: %d\n", st.st_mtim.tv_sec != 1234567890);

  /* many entries: readdir needs several fd_readdir calls with cookies */
  CHECK(mkdir("/sandbox/many", 0755) == 0);
  for (int i = 0; i < 150; i++) {
    char name[128];
    snprintf(name, sizeof name, "/sandbox/many/entry-with-a-rather-long-name-%03d", i);
    fd = open(name, O_WRONLY | O_CREAT, 0644);
    CHECK(fd >= 0);
    CHECK(close(fd) == 0);
  }
  DIR *d = opendir("/sandbox/many");
  CHECK(d != NULL);
  int count = 0, seen[150] = {0};
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    int k;
    if (sscanf(e->d_name, "entry-with-a-rather-long-name-%d", &k) == 1 && k >= 0 && k < 150) {
      seen[k]++;
      count++;
    }
  }
  closedir(d);
  int distinct = 0;
  for (int i = 0; i < 150; i++) distinct += seen[i] == 1;
  printf("many: %d entries, %d distinct\n", count, distinct);
  for (int i = 0; i < 150; i++) {
    char name[128];
    snprintf(name, sizeof name, "/sandbox/many/entry-with-a-rather-long-name-%03d", i);
    CHECK(unlink(name) == 0);
  }
  CHECK(rmdir("/sandbox/many") == 0);
  expect_errno("stat removed dir", stat("/sandbox/many", &st));

  /* relative paths after chdir */
  CHECK(chdir("/sandbox/dir") == 0);
  CHECK(stat("renamed.txt", &st) == 0);
  printf("relative stat: size=%lld\n", (long long)st.st_size);

  list("/sandbox");
  list("/sandbox/dir");
  printf("done\n");
  return 0;
}
