/* Sandbox escapes, all of which must fail. The host preopens <tmp>/sandbox as /sandbox (fd 3)
 * with <tmp>/outside/secret.txt beside it, and plants these symlinks in the sandbox:
 *   out_dir -> ../outside            out_abs -> <tmp>/outside (absolute)
 *   out_file -> ../outside/secret.txt chain -> sub/../../outside
 *   inner -> sub (stays inside)      loop_a <-> loop_b
 * and sub/ok.txt = "inside\n". Every attempt prints the errno the raw preview1 call returned
 * (or libc's errno). The control cases through `inner` must succeed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

#define ROOT 3
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW

static __wasi_errno_t raw_open(__wasi_fd_t dir, const char *path, __wasi_lookupflags_t look,
                               __wasi_oflags_t oflags, __wasi_rights_t rights) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(dir, look, path, oflags, rights, 0, 0, &fd);
  if (e == 0 && __wasi_fd_close(fd) != 0) printf("close failed\n");
  return e;
}

static void show(const char *what, __wasi_errno_t e) { printf("%s: errno=%d\n", what, e); }

static void show_libc(const char *what, int rc) {
  printf("%s: %s errno=%d\n", what, rc < 0 ? "failed" : "SUCCEEDED", rc < 0 ? errno : 0);
}

int main(void) {
  const __wasi_rights_t R = __WASI_RIGHTS_FD_READ;
  const __wasi_rights_t W = __WASI_RIGHTS_FD_WRITE;

  /* controls: legitimate paths work */
  show("open sub/ok.txt", raw_open(ROOT, "sub/ok.txt", 0, 0, R));
  show("open inner/ok.txt", raw_open(ROOT, "inner/ok.txt", FOLLOW, 0, R));
  show("open sub/../sub/ok.txt", raw_open(ROOT, "sub/../sub/ok.txt", 0, 0, R));
  show("open . as directory", raw_open(ROOT, ".", 0, __WASI_OFLAGS_DIRECTORY, 0));

  /* by .. */
  show("open ..", raw_open(ROOT, "..", 0, __WASI_OFLAGS_DIRECTORY, 0));
  show("open ../outside/secret.txt", raw_open(ROOT, "../outside/secret.txt", 0, 0, R));
  show("open sub/../../outside/secret.txt",
       raw_open(ROOT, "sub/../../outside/secret.txt", 0, 0, R));
  show("create ../outside/new.txt",
       raw_open(ROOT, "../outside/new.txt", 0, __WASI_OFLAGS_CREAT, W));

  /* by absolute path */
  show("open /etc/passwd", raw_open(ROOT, "/etc/passwd", 0, 0, R));
  show("open /", raw_open(ROOT, "/", 0, __WASI_OFLAGS_DIRECTORY, 0));

  /* by symlink */
  show("open out_dir/secret.txt", raw_open(ROOT, "out_dir/secret.txt", 0, 0, R));
  show("open out_abs/secret.txt", raw_open(ROOT, "out_abs/secret.txt", 0, 0, R));
  show("open out_file (follow)", raw_open(ROOT, "out_file", FOLLOW, 0, R));
  show("open out_file (nofollow)", raw_open(ROOT, "out_file", 0, 0, R));
  show("open chain/secret.txt", raw_open(ROOT, "chain/secret.txt", FOLLOW, 0, R));
  show("create out_dir/new.txt", raw_open(ROOT, "out_dir/new.txt", FOLLOW, __WASI_OFLAGS_CREAT, W));
  show("truncate out_file", raw_open(ROOT, "out_file", FOLLOW, __WASI_OFLAGS_TRUNC, W));
  show("open loop_a", raw_open(ROOT, "loop_a", FOLLOW, 0, R));

  /* other path calls */
  __wasi_filestat_t st;
  show("filestat ..", __wasi_path_filestat_get(ROOT, FOLLOW, "..", &st));
  show("filestat out_file (follow)", __wasi_path_filestat_get(ROOT, FOLLOW, "out_file", &st));
  show("filestat out_file (nofollow)", __wasi_path_filestat_get(ROOT, 0, "out_file", &st));
  printf("  nofollow filetype=%d\n", st.filetype);
  show("mkdir ../evil", __wasi_path_create_directory(ROOT, "../evil"));
  show("mkdir out_dir/evil", __wasi_path_create_directory(ROOT, "out_dir/evil"));
  show("rename sub/ok.txt -> ../outside/stolen",
       __wasi_path_rename(ROOT, "sub/ok.txt", ROOT, "../outside/stolen"));
  show("rename ../outside/secret.txt -> here",
       __wasi_path_rename(ROOT, "../outside/secret.txt", ROOT, "here"));
  show("unlink ../outside/secret.txt", __wasi_path_unlink_file(ROOT, "../outside/secret.txt"));
  show("unlink out_dir/secret.txt", __wasi_path_unlink_file(ROOT, "out_dir/secret.txt"));
  show("rmdir ../outside", __wasi_path_remove_directory(ROOT, "../outside"));
  show("link ../outside/secret.txt -> hard",
       __wasi_path_link(ROOT, 0, "../outside/secret.txt", ROOT, "hard"));
  show("link out_file (follow) -> hard", __wasi_path_link(ROOT, FOLLOW, "out_file", ROOT, "hard"));
  show("symlink /etc/passwd", __wasi_path_symlink("/etc/passwd", ROOT, "evil_abs"));
  show("symlink ../outside", __wasi_path_symlink("../outside", ROOT, "evil_up"));
  show("symlink sub/../../outside", __wasi_path_symlink("sub/../../outside", ROOT, "evil_up2"));
  show("symlink sub/ok.txt (inside)", __wasi_path_symlink("sub/ok.txt", ROOT, "fine"));
  show("open fine", raw_open(ROOT, "fine", FOLLOW, 0, R));
  show("set times ../outside/secret.txt",
       __wasi_path_filestat_set_times(ROOT, FOLLOW, "../outside/secret.txt", 0, 0,
                                      __WASI_FSTFLAGS_MTIM_NOW));
  /* removing the planted link removes the link only */
  show("unlink out_file (the link itself)", __wasi_path_unlink_file(ROOT, "out_file"));

  /* a directory fd is its own root, even inside the preopen */
  __wasi_fd_t sub;
  show("open sub as dir", __wasi_path_open(ROOT, 0, "sub", __WASI_OFLAGS_DIRECTORY,
                                           __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_READDIR,
                                           __WASI_RIGHTS_FD_READ, 0, &sub));
  show("from sub: open ok.txt", raw_open(sub, "ok.txt", 0, 0, R));
  show("from sub: open ../sub/ok.txt", raw_open(sub, "../sub/ok.txt", 0, 0, R));
  show("from sub: create (no right)", raw_open(sub, "x", 0, __WASI_OFLAGS_CREAT, R));
  show("from sub: ask for write (not inherited)", raw_open(sub, "ok.txt", 0, 0, W));
  show("close sub", __wasi_fd_close(sub));

  /* through libc */
  show_libc("libc open /sandbox/../outside/secret.txt",
            open("/sandbox/../outside/secret.txt", O_RDONLY));
  show_libc("libc open /sandbox/out_dir/secret.txt",
            open("/sandbox/out_dir/secret.txt", O_RDONLY));
  show_libc("libc open /etc/passwd", open("/etc/passwd", O_RDONLY));
  struct stat s;
  show_libc("libc stat /sandbox/..", stat("/sandbox/..", &s));
  DIR *d = opendir("/sandbox/out_dir");
  printf("libc opendir /sandbox/out_dir: %s errno=%d\n", d == NULL ? "failed" : "SUCCEEDED",
         d == NULL ? errno : 0);
  chdir("/sandbox/sub");
  show_libc("libc after chdir: open ../../outside/secret.txt",
            open("../../outside/secret.txt", O_RDONLY));
  show_libc("libc after chdir: open ok.txt", open("ok.txt", O_RDONLY));
  return 0;
}
