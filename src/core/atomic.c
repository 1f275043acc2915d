/* Output files: see atomic.h for the design (temporaries, direct writes, orphans). */
#define _POSIX_C_SOURCE 200809L /* O_CLOEXEC, O_NOFOLLOW, openat, faccessat, strndup */
#define _DEFAULT_SOURCE         /* flock */

#include "atomic.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "actlab/status.h"
#include "error.h"

#define TMP_TAG ".actlab-"
#define TMP_RANDOM 6       /* XXXXXX: 62^6 names, and O_EXCL makes a collision only a retry */
#define TMP_NAME_MAX 200   /* bytes of NAME kept, so .NAME.actlab-XXXXXX fits NAME_MAX */
#define TMP_TRIES 100
#define MAX_LINKS 40       /* the kernel's own limit on links in one lookup */
#define STALE_SECONDS 60   /* a temporary unchanged this long, and unlocked, is an orphan */

/* ---- temporaries being written, for al__atomic_cleanup ---------------------------------- */

/* A signal handler may read these while the owner adds or drops one, so they are lock-free
 * atomics; a handler on another thread can at worst unlink a name just renamed away. */
_Static_assert(ATOMIC_POINTER_LOCK_FREE == 2, "al__atomic_cleanup needs lock-free pointers");
static char *_Atomic live[64];

static void track(char *name)
{
    for (size_t i = 0; i < sizeof live / sizeof *live; i++) {
        char *none = NULL;
        if (atomic_compare_exchange_strong(&live[i], &none, name))
            return;
    }
    /* more at once than slots: still removed on every error path, only not on a signal */
}

static void untrack(char *name)
{
    for (size_t i = 0; i < sizeof live / sizeof *live; i++) {
        char *mine = name;
        if (atomic_compare_exchange_strong(&live[i], &mine, NULL))
            return;
    }
}

void al__atomic_cleanup(void)
{
    for (size_t i = 0; i < sizeof live / sizeof *live; i++) {
        char *name = atomic_load(&live[i]);
        if (name)
            unlink(name);
    }
}

/* Forgets a temporary that was renamed (remove 0) or deletes it (remove 1). */
static void drop(char *tmp, int remove)
{
    if (!tmp)
        return;
    if (remove)
        unlink(tmp);
    untrack(tmp);
    free(tmp);
}

/* ---- names ------------------------------------------------------------------------------ */

static int fail_at(const char *path, const char *target, int e)
{
    const char *why = e == EEXIST ? "no free temporary name"
                      : e       ? strerror(e)
                                : "write failed";
    int status = e == ENOMEM ? AL_ENOMEM : AL_EIO;
    if (target && strcmp(target, path) != 0)
        return al__fail(status, "cannot write %s (a link to %s): %s", path, target, why);
    return al__fail(status, "cannot write %s: %s", path, why);
}

/* The directory of path, malloc'd: "." for a bare name, "/" for one in the root. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    return strndup(path, slash == path ? 1 : (size_t)(slash - path));
}

static void random_suffix(char *out)
{
    static const char digits[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char r[TMP_RANDOM];
    if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
        /* no entropy yet (early boot): O_EXCL keeps this safe, the name only has to differ */
        static _Atomic uint64_t counter;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t x = (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 30 ^
                     (uint64_t)getpid() << 12 ^ atomic_fetch_add(&counter, 1) << 48;
        for (size_t i = 0; i < sizeof r; i++) { /* splitmix64 */
            x += 0x9E3779B97F4A7C15u;
            uint64_t z = (x ^ x >> 30) * 0xBF58476D1CE4E5B9u;
            z = (z ^ z >> 27) * 0x94D049BB133111EBu;
            r[i] = (unsigned char)((z ^ z >> 31) >> 56);
        }
    }
    for (size_t i = 0; i < sizeof r; i++)
        out[i] = digits[r[i] % (sizeof digits - 1)];
}

/* "DIR/.NAME.actlab-" for target DIR/NAME, malloc'd with room for extra more bytes; *dir_len
 * is the length of "DIR/" (0 for a bare name). NULL when out of memory. */
static char *temp_prefix(const char *target, size_t extra, size_t *len, size_t *dir_len)
{
    const char *slash = strrchr(target, '/'), *base = slash ? slash + 1 : target;
    size_t dlen = (size_t)(base - target), blen = strnlen(base, TMP_NAME_MAX);
    size_t size = dlen + 1 + blen + strlen(TMP_TAG) + extra + 1;
    char *s = malloc(size);
    if (s)
        *len = (size_t)snprintf(s, size, "%.*s.%.*s" TMP_TAG, (int)dlen, target, (int)blen, base);
    *dir_len = dlen;
    return s;
}

/* Creates the temporary for target (see atomic.h): never an existing file, never through a
 * link, flocked while it lives. *name is its name followed, after the NUL, by target's.
 * Returns 0 or an errno value (EEXIST: every name tried was taken). */
static int make_temp(const char *target, char **name, int *fd)
{
    const char *slash = strrchr(target, '/');
    if (!(slash ? slash[1] : target[0]))
        return EISDIR; /* "dir/": no file name to write */
    size_t len, dlen, tlen = strlen(target);
    char *s = temp_prefix(target, TMP_RANDOM + 1 + tlen, &len, &dlen);
    if (!s)
        return ENOMEM;
    for (int attempt = 0; attempt < TMP_TRIES; attempt++) {
        random_suffix(s + len);
        s[len + TMP_RANDOM] = '\0';
        *fd = open(s, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (*fd >= 0) {
            memcpy(s + len + TMP_RANDOM + 1, target, tlen + 1);
            track(s);
            /* a claim for sweep(); where flock is unsupported the age test alone protects */
            (void)flock(*fd, LOCK_EX | LOCK_NB);
            *name = s;
            return 0;
        }
        if (errno != EEXIST)
            break;
    }
    int e = errno;
    free(s);
    return e;
}

/* Deletes what crashed writes of target left: siblings .NAME.actlab-XXXXXX of ours that are
 * regular files, unchanged for STALE_SECONDS and not flocked by a living writer. */
static void sweep(const char *target)
{
    size_t len, dlen;
    char *prefix = temp_prefix(target, 0, &len, &dlen), *dir = dir_of(target);
    DIR *d = prefix && dir ? opendir(dir) : NULL;
    for (struct dirent *e; d && (e = readdir(d));) {
        const char *own = prefix + dlen; /* ".NAME.actlab-" */
        if (strlen(e->d_name) != len - dlen + TMP_RANDOM || strncmp(e->d_name, own, len - dlen))
            continue;
        int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
            continue;
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
            time(NULL) - st.st_mtime >= STALE_SECONDS && flock(fd, LOCK_EX | LOCK_NB) == 0)
            unlinkat(dirfd(d), e->d_name, 0);
        close(fd);
    }
    if (d)
        closedir(d);
    free(prefix);
    free(dir);
}

/* Follows path while it is a symbolic link (relative links from the link's directory): the
 * name of the file, or missing file, it leads to, malloc'd; NULL with errno on failure. */
static char *follow_links(const char *path)
{
    char *cur = strdup(path);
    for (int hops = 0; cur; hops++) {
        struct stat st;
        if (lstat(cur, &st) != 0) {
            if (errno == ENOENT)
                return cur;
            break;
        }
        if (!S_ISLNK(st.st_mode))
            return cur;
        char link[PATH_MAX];
        ssize_t n = hops < MAX_LINKS ? readlink(cur, link, sizeof link) : (errno = ELOOP, -1L);
        if (n < 0 || (size_t)n == sizeof link) {
            errno = n < 0 ? errno : ENAMETOOLONG;
            break;
        }
        link[n] = '\0';
        char *dir = link[0] == '/' ? NULL : dir_of(cur), *next = NULL;
        size_t size = (dir ? strlen(dir) + 1 : 0) + (size_t)n + 1;
        if ((dir || link[0] == '/') && (next = malloc(size)))
            snprintf(next, size, "%s%s%s", dir ? dir : "", dir ? "/" : "", link);
        free(dir);
        free(cur);
        cur = next;
        errno = ENOMEM;
    }
    int e = errno;
    free(cur);
    errno = e;
    return NULL;
}

/* ---- what path is ----------------------------------------------------------------------- */

struct dest {
    char *target; /* the regular file to create or replace, malloc'd; NULL: write path itself */
    mode_t mode;  /* what path is now (S_IFREG when nothing is there yet) */
    int exists;   /* target exists: its permission bits go to the new file */
};

static int resolve(const char *path, struct dest *d)
{
    struct stat st, lst;
    memset(d, 0, sizeof *d);
    d->mode = S_IFREG;
    if (stat(path, &st) != 0) {
        if (errno != ENOENT)
            return fail_at(path, NULL, errno);
        /* nothing there, or a link to a missing file: that file is created */
        int link = lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode);
        d->target = link ? follow_links(path) : strdup(path);
        return d->target ? AL_OK : fail_at(path, NULL, errno);
    }
    d->mode = st.st_mode;
    if (S_ISDIR(st.st_mode))
        return fail_at(path, NULL, EISDIR);
    if (!S_ISREG(st.st_mode))
        return AL_OK; /* device, FIFO, socket: written directly, never replaced */
    d->exists = 1;
    if (lstat(path, &lst) == 0 && !S_ISLNK(lst.st_mode)) {
        d->target = strdup(path);
        return d->target ? AL_OK : fail_at(path, NULL, ENOMEM);
    }
    /* the file a link chain names; a /proc link (/dev/stdout to a file) may name one that is
     * not the open file, or none: then it is written through the link itself */
    char *t = follow_links(path);
    struct stat ts;
    if (t && stat(t, &ts) == 0 && ts.st_dev == st.st_dev && ts.st_ino == st.st_ino)
        d->target = t;
    else
        free(t);
    return AL_OK;
}

/* ---- the writers' interface ------------------------------------------------------------- */

int al__atomic_open(const char *path, char **tmp, FILE **f)
{
    *tmp = NULL;
    *f = NULL;
    if (!path || !path[0])
        return al__fail(AL_EINVAL, "no output file name");
    struct dest d;
    int fd, rc = resolve(path, &d);
    if (rc)
        return rc;
    if (!d.target) {
        fd = open(path, O_WRONLY | O_TRUNC | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
            return fail_at(path, NULL, errno);
    } else {
        sweep(d.target);
        int e = make_temp(d.target, tmp, &fd);
        if (e)
            rc = fail_at(path, d.target, e);
        else if (d.exists)
            (void)fchmod(fd, d.mode & 0777);
        free(d.target);
        if (rc)
            return rc;
    }
    if (!(*f = fdopen(fd, "wb"))) {
        int e = errno;
        close(fd);
        drop(*tmp, 1);
        *tmp = NULL;
        return fail_at(path, NULL, e);
    }
    return AL_OK;
}

/* Makes a rename durable. Best effort: the new file is already in place, so a directory that
 * cannot be synced does not make the write a failure. */
static void sync_dir(const char *target)
{
    char *dir = dir_of(target);
    int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

int al__atomic_commit(const char *path, char *tmp, FILE *f, int write_failed)
{
    int e = write_failed ? errno : 0, failed = write_failed;
    errno = 0; /* an unchecked write that failed earlier: the flush retries it for a reason */
    if (!failed && (fflush(f) != 0 || ferror(f)))
        failed = 1, e = errno;
    /* EINVAL: a device, FIFO or file system that cannot sync; the rename still orders it */
    if (!failed && fsync(fileno(f)) != 0 && errno != EINVAL && errno != EROFS)
        failed = 1, e = errno;
    if (fclose(f) != 0 && !failed)
        failed = 1, e = errno;
    const char *target = tmp ? tmp + strlen(tmp) + 1 : NULL;
    if (tmp && !failed && rename(tmp, target) != 0)
        failed = 1, e = errno;
    if (tmp && !failed)
        sync_dir(target);
    int rc = failed ? fail_at(path, target, e) : AL_OK;
    drop(tmp, failed);
    return rc;
}

int al__check_writable(const char *path)
{
    if (!path || !path[0])
        return al__fail(AL_EINVAL, "no output file name");
    struct dest d;
    int rc = resolve(path, &d);
    if (rc || !d.target) {
        if (!rc && S_ISSOCK(d.mode)) /* open() tells: a socket cannot be opened as a file */
            rc = fail_at(path, NULL, ENXIO);
        else if (!rc && faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) != 0)
            rc = fail_at(path, NULL, errno);
        return rc; /* a FIFO is not opened: its reader would see the end of the data */
    }
    char *tmp;
    int fd, e = make_temp(d.target, &tmp, &fd);
    if (e) {
        rc = fail_at(path, d.target, e);
    } else {
        close(fd);
        drop(tmp, 1);
    }
    free(d.target);
    return rc;
}

int al__scratch_create(const char *path, char **name)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || dir[0] != '/')
        dir = "/tmp";
    size_t size = strlen(dir) + sizeof "/scratch";
    char *target = malloc(size);
    if (!target)
        return fail_at(path, NULL, ENOMEM);
    snprintf(target, size, "%s/scratch", dir);
    int fd, e = make_temp(target, name, &fd);
    if (e)
        e = al__fail(e == ENOMEM ? AL_ENOMEM : AL_EIO,
                     "cannot write %s: no scratch file in %s: %s", path, dir,
                     e == EEXIST ? "no free name" : strerror(e));
    else
        close(fd);
    free(target);
    return e;
}

void al__scratch_remove(char *name)
{
    drop(name, 1);
}
