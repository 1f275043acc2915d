/* Helpers shared by the data tests: a private temporary directory per test, and small file
 * writers. Header-only (static functions), included once per test program. */
#ifndef ACTLAB_TESTS_DATA_UTIL_H
#define ACTLAB_TESTS_DATA_UTIL_H

#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A new directory /tmp/actlab_test_XXXXXX, name in dir (at least 64 bytes). */
static inline void tmp_dir(char *dir)
{
    const char *base = getenv("TMPDIR");
    snprintf(dir, 64, "%s/actlab_test_XXXXXX", base && strlen(base) < 32 ? base : "/tmp");
    cr_assert(mkdtemp(dir), "mkdtemp %s", dir);
}

/* Names of the files in dir, space separated (to check that no temporary is left over). */
static inline void list_dir(const char *dir, char *out, size_t size)
{
    DIR *d = opendir(dir);
    size_t used = 0;
    out[0] = '\0';
    for (struct dirent *e; d && (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            used += (size_t)snprintf(out + used, used < size ? size - used : 0, "%s ", e->d_name);
    if (d)
        closedir(d);
}

/* Removes the files in dir, then dir. */
static inline void rm_dir(const char *dir)
{
    DIR *d = opendir(dir);
    char p[512];
    for (struct dirent *e; d && (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            remove(p);
        }
    if (d)
        closedir(d);
    rmdir(dir);
}

/* dir/name in a static buffer of four, so a few can be used in one expression. */
static inline const char *in_dir(const char *dir, const char *name)
{
    static char buf[4][512];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, 512, "%s/%s", dir, name);
    return p;
}

static inline void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert(f, "cannot create %s", path);
    cr_assert_eq(fwrite(data, 1, n, f), n);
    cr_assert_eq(fclose(f), 0);
}

/* The message of the last error names the file and contains what. */
#define assert_error(rc, want, file, what)                                                 \
    do {                                                                                   \
        int rc_ = (rc);                                                                    \
        cr_assert_eq(rc_, (want), "status %d (%s), expected %d; message: %s", rc_,         \
                     al_status_str(rc_), (want), al_last_error());                        \
        cr_assert(strstr(al_last_error(), (file)), "message does not name %s: %s", (file), \
                  al_last_error());                                                       \
        cr_assert(strstr(al_last_error(), (what)), "message lacks '%s': %s", (what),      \
                  al_last_error());                                                       \
    } while (0)

#endif
