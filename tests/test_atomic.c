/* src/core/atomic.c: how every output file is written. New and replaced files, links written
 * through, devices and FIFOs written directly, failures that keep the old file and leave no
 * temporary, names planted where a temporary might go, and orphans of earlier crashes. */
#define _DEFAULT_SOURCE /* mknod, flock */
#include "data_util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>

#include "actlab/act.h"
#include "actlab/status.h"
#include "core/atomic.h"

static char dir[64];
static void setup(void)
{
    tmp_dir(dir);
}
static void teardown(void)
{
    rm_dir(dir);
}
TestSuite(atomic, .init = setup, .fini = teardown);

static int write_text(const char *path, const char *text)
{
    char *tmp;
    FILE *f;
    int rc = al__atomic_open(path, &tmp, &f);
    if (rc)
        return rc;
    return al__atomic_commit(path, tmp, f, fputs(text, f) < 0);
}

static void expect_text(const char *path, const char *want)
{
    char got[256] = {0};
    FILE *f = fopen(path, "rb");
    cr_assert(f, "cannot open %s", path);
    size_t n = fread(got, 1, sizeof got - 1, f);
    fclose(f);
    got[n] = '\0';
    cr_assert_str_eq(got, want, "%s", path);
}

static void expect_listing(const char *want)
{
    char names[4096];
    list_dir(dir, names, sizeof names);
    /* list_dir's order is the directory's: compare as sorted word sets */
    char a[4096], b[4096];
    snprintf(a, sizeof a, "%s", names);
    snprintf(b, sizeof b, "%s", want);
    size_t na = 0, nb = 0;
    char *wa[64], *wb[64];
    for (char *t = strtok(a, " "); t && na < 64; t = strtok(NULL, " "))
        wa[na++] = t;
    for (char *t = strtok(b, " "); t && nb < 64; t = strtok(NULL, " "))
        wb[nb++] = t;
    cr_assert_eq(na, nb, "directory holds '%s', expected '%s'", names, want);
    for (size_t i = 0; i < nb; i++) {
        int found = 0;
        for (size_t j = 0; j < na; j++)
            found |= strcmp(wb[i], wa[j]) == 0;
        cr_assert(found, "%s missing: directory holds '%s'", wb[i], names);
    }
}

/* name is still a node of this type (S_IFCHR, S_IFIFO), alone in the directory. */
static void expect_only_node(const char *name, mode_t type)
{
    struct stat st;
    cr_assert_eq(lstat(in_dir(dir, name), &st), 0);
    cr_assert_eq(st.st_mode & S_IFMT, type, "%s was replaced", name);
    expect_listing(name);
}

/* A private full device (major 1, minor 7, as /dev/full): the system's is never touched,
 * not even by a regression that renames onto devices. */
static const char *full_device(const char *name)
{
    const char *p = in_dir(dir, name);
    if (mknod(p, S_IFCHR | 0666, makedev(1, 7)) != 0)
        cr_skip_test("mknod is not permitted (%s): run as root to test a full device",
                     strerror(errno));
    return p;
}

Test(atomic, new_file_and_replaced_file_keep_its_mode)
{
    const char *p = in_dir(dir, "out.txt");
    cr_assert_eq(write_text(p, "one"), AL_OK, "%s", al_last_error());
    expect_text(p, "one");
    cr_assert_eq(chmod(p, 0640), 0);
    cr_assert_eq(write_text(p, "two"), AL_OK, "%s", al_last_error());
    expect_text(p, "two");
    struct stat st;
    cr_assert_eq(stat(p, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0640, "mode %o", st.st_mode & 0777);
    expect_listing("out.txt");
}

Test(atomic, temporary_is_hidden_beside_the_target_with_a_random_name)
{
    const char *p = in_dir(dir, "model.safetensors");
    char *t1, *t2;
    FILE *f1, *f2;
    mode_t mask = umask(027);
    cr_assert_eq(al__atomic_open(p, &t1, &f1), AL_OK, "%s", al_last_error());
    umask(mask);
    cr_assert_eq(al__atomic_open(p, &t2, &f2), AL_OK, "%s", al_last_error());
    char want[128];
    snprintf(want, sizeof want, "%s/.model.safetensors.actlab-", dir);
    cr_assert_eq(strncmp(t1, want, strlen(want)), 0, "%s", t1);
    cr_assert_eq(strlen(t1), strlen(want) + 6, "%s", t1);
    cr_assert_str_neq(t1, t2);
    struct stat st;
    cr_assert_eq(lstat(t1, &st), 0);
    cr_assert(S_ISREG(st.st_mode));
    cr_assert_eq(st.st_mode & 0777, 0640, "0666 less the umask 027, got %o", st.st_mode & 0777);
    fputs("first", f1);
    fputs("second", f2);
    cr_assert_eq(al__atomic_commit(p, t1, f1, 0), AL_OK);
    cr_assert_eq(al__atomic_commit(p, t2, f2, 0), AL_OK);
    expect_text(p, "second");
    expect_listing("model.safetensors");
}

Test(atomic, failure_keeps_the_old_file_and_removes_the_temporary)
{
    const char *p = in_dir(dir, "keep.npy");
    cr_assert_eq(write_text(p, "old"), AL_OK);
    char *tmp;
    FILE *f;
    cr_assert_eq(al__atomic_open(p, &tmp, &f), AL_OK);
    fputs("half", f);
    errno = ENOSPC;
    assert_error(al__atomic_commit(p, tmp, f, 1), AL_EIO, p, "No space left on device");
    expect_text(p, "old");
    expect_listing("keep.npy");
}

Test(atomic, symlink_is_written_through_and_stays_a_link)
{
    cr_assert_eq(mkdir(in_dir(dir, "sub"), 0755), 0);
    cr_assert_eq(symlink("sub/target.png", in_dir(dir, "out.png")), 0);
    cr_assert_eq(symlink("../hop.png", in_dir(dir, "sub/rel.png")), 0);
    cr_assert_eq(symlink("sub/rel.png", in_dir(dir, "hop.png")), 0); /* a loop: refused */
    cr_assert_eq(write_text(in_dir(dir, "out.png"), "new"), AL_OK, "%s", al_last_error());
    expect_text(in_dir(dir, "sub/target.png"), "new"); /* made through a dangling link */
    cr_assert_eq(write_text(in_dir(dir, "out.png"), "again"), AL_OK, "%s", al_last_error());
    expect_text(in_dir(dir, "sub/target.png"), "again");
    struct stat st;
    cr_assert_eq(lstat(in_dir(dir, "out.png"), &st), 0);
    cr_assert(S_ISLNK(st.st_mode), "out.png was replaced");
    assert_error(write_text(in_dir(dir, "hop.png"), "x"), AL_EIO, "hop.png",
                 "Too many levels of symbolic links");
    /* no temporary beside the link or the target */
    char names[512];
    list_dir(in_dir(dir, "sub"), names, sizeof names);
    cr_assert(strcmp(names, "target.png rel.png ") == 0 || strcmp(names, "rel.png target.png ") == 0,
              "sub holds %s", names);
    expect_listing("sub out.png hop.png");
    remove(in_dir(dir, "sub/target.png"));
    remove(in_dir(dir, "sub/rel.png"));
}

/* The old scheme named temporaries PATH.tmp.PID.N; links planted at all of those, and at the
 * new pattern's prefix, redirect nothing and do not stop the write. */
Test(atomic, planted_links_redirect_nothing)
{
    const char *victim = in_dir(dir, "victim");
    cr_assert_eq(write_text(victim, "precious"), AL_OK);
    char name[256];
    for (int n = 0; n < 200; n++) { /* more than the old scheme's 100 tries */
        snprintf(name, sizeof name, "%s/y.npy.tmp.%ld.%d", dir, (long)getpid(), n);
        cr_assert_eq(symlink("victim", name), 0);
    }
    snprintf(name, sizeof name, "%s/.y.npy.actlab-", dir);
    cr_assert_eq(symlink("victim", name), 0);
    cr_assert_eq(write_text(in_dir(dir, "y.npy"), "data"), AL_OK, "%s", al_last_error());
    expect_text(in_dir(dir, "y.npy"), "data");
    expect_text(victim, "precious");
    struct stat st;
    cr_assert_eq(lstat(in_dir(dir, "y.npy"), &st), 0);
    cr_assert(S_ISREG(st.st_mode));
    char names[16384];
    list_dir(dir, names, sizeof names);
    size_t count = 0;
    for (const char *c = names; *c; c++)
        count += *c == ' ';
    cr_assert_eq(count, 200 + 3, "a temporary was left behind: %s", names);
}

Test(atomic, full_device_reports_enospc_and_stays_a_device)
{
    const char *p = full_device("full");
    char *tmp;
    FILE *f;
    cr_assert_eq(al__atomic_open(p, &tmp, &f), AL_OK, "%s", al_last_error());
    cr_assert_null(tmp, "a device must be written directly, not through %s", tmp);
    fputs("data", f);
    assert_error(al__atomic_commit(p, tmp, f, 0), AL_EIO, p, "No space left on device");
    cr_assert_eq(al__check_writable(p), AL_OK, "%s", al_last_error());
    expect_only_node("full", S_IFCHR);
}

/* A private null device: a regression that renamed onto it must not hit the system's. */
Test(atomic, null_device_is_written_directly)
{
    const char *p = in_dir(dir, "null");
    if (mknod(p, S_IFCHR | 0666, makedev(1, 3)) != 0)
        cr_skip_test("mknod is not permitted (%s)", strerror(errno));
    cr_assert_eq(write_text(p, "gone"), AL_OK, "%s", al_last_error());
    cr_assert_eq(al__check_writable(p), AL_OK, "%s", al_last_error());
    expect_only_node("null", S_IFCHR);
}

/* A writer that replaces the FIFO leaves the reader waiting: the alarm and the timeout turn
 * that into a failure. */
Test(atomic, fifo_is_written_directly, .timeout = 20)
{
    const char *p = in_dir(dir, "pipe");
    cr_assert_eq(mkfifo(p, 0600), 0);
    cr_assert_eq(al__check_writable(p), AL_OK, "%s", al_last_error()); /* does not block */
    pid_t child = fork();
    cr_assert_neq(child, -1);
    if (child == 0) { /* the reader: exits 0 when it got exactly "through the pipe" */
        char buf[64] = {0};
        alarm(10);
        int fd = open(p, O_RDONLY);
        ssize_t n = 0, k;
        while (fd >= 0 && (k = read(fd, buf + n, sizeof buf - 1 - (size_t)n)) > 0)
            n += k;
        _exit(strcmp(buf, "through the pipe") != 0);
    }
    int rc = write_text(p, "through the pipe"), status;
    cr_assert_eq(waitpid(child, &status, 0), child);
    cr_assert_eq(rc, AL_OK, "%s", al_last_error());
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the reader got something else");
    expect_only_node("pipe", S_IFIFO);
}

Test(atomic, directories_and_missing_directories_are_refused_up_front)
{
    const char *missing = in_dir(dir, "no/such/dir/m.safetensors");
    assert_error(al__check_writable(missing), AL_EIO, missing, "No such file or directory");
    char *tmp;
    FILE *f;
    assert_error(al__atomic_open(missing, &tmp, &f), AL_EIO, missing, "No such file");
    assert_error(al__check_writable(dir), AL_EIO, dir, "Is a directory");
    assert_error(write_text(dir, "x"), AL_EIO, dir, "Is a directory");
    const char *slash = in_dir(dir, "newdir/");
    assert_error(al__check_writable(slash), AL_EIO, slash, "");
    cr_assert_eq(al__check_writable(in_dir(dir, "fine.npy")), AL_OK, "%s", al_last_error());
    assert_error(al__check_writable(""), AL_EINVAL, "", "no output file name");
    expect_listing("");
}

/* A name longer than a temporary's NAME part: the temporary is cut, the target is not. */
Test(atomic, long_names)
{
    char base[251];
    memset(base, 'n', 250);
    base[250] = '\0';
    const char *p = in_dir(dir, base);
    cr_assert_eq(write_text(p, "long"), AL_OK, "%s", al_last_error());
    expect_text(p, "long");
    expect_listing(base);
}

Test(atomic, cleanup_removes_live_temporaries)
{
    const char *p = in_dir(dir, "sig.npy");
    char *tmp;
    FILE *f;
    cr_assert_eq(al__atomic_open(p, &tmp, &f), AL_OK);
    fputs("partial", f);
    fflush(f);
    cr_assert_eq(access(tmp, F_OK), 0);
    al__atomic_cleanup(); /* what the CLI's SIGINT/SIGTERM handler does */
    cr_assert_eq(access(tmp, F_OK), -1, "the temporary survived the cleanup");
    assert_error(al__atomic_commit(p, tmp, f, 0), AL_EIO, p, "No such file");
    expect_listing("");
}

/* Orphans of a crashed write of the same target go on the next write: only those unchanged
 * for a minute and not locked by a living writer. */
Test(atomic, next_write_sweeps_stale_orphans)
{
    char stale[128], fresh[128], held[128], other[128];
    snprintf(stale, sizeof stale, "%s/.w.npy.actlab-AAAAAA", dir);
    snprintf(fresh, sizeof fresh, "%s/.w.npy.actlab-BBBBBB", dir);
    snprintf(held, sizeof held, "%s/.w.npy.actlab-CCCCCC", dir);
    snprintf(other, sizeof other, "%s/.v.npy.actlab-DDDDDD", dir);
    const char *all[] = {stale, fresh, held, other};
    for (int i = 0; i < 4; i++)
        write_bytes(all[i], "x", 1);
    struct timespec old[2] = {{.tv_sec = time(NULL) - 120}, {.tv_sec = time(NULL) - 120}};
    for (int i = 0; i < 4; i++)
        if (i != 1)
            cr_assert_eq(utimensat(AT_FDCWD, all[i], old, 0), 0);
    int lock = open(held, O_RDONLY);
    cr_assert_eq(flock(lock, LOCK_EX), 0);
    cr_assert_eq(write_text(in_dir(dir, "w.npy"), "w"), AL_OK, "%s", al_last_error());
    close(lock);
    expect_listing("w.npy .w.npy.actlab-BBBBBB .w.npy.actlab-CCCCCC .v.npy.actlab-DDDDDD");
}

Test(atomic, scratch_files)
{
    char *name;
    cr_assert_eq(al__scratch_create("x.png", &name), AL_OK, "%s", al_last_error());
    cr_assert_eq(access(name, F_OK), 0);
    char *copy = strdup(name);
    al__scratch_remove(name);
    cr_assert_eq(access(copy, F_OK), -1);
    free(copy);
    al__scratch_remove(NULL);
}
