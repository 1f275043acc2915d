/* Shared by the fuzz targets: a private directory for the files a target writes, made once
 * per process, and a whole-buffer file writer. */
#ifndef ACTLAB_FUZZ_UTIL_H
#define ACTLAB_FUZZ_UTIL_H

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* $TMPDIR/actlab_fuzz_XXXXXX/name, created on first use; aborts (a fuzzer setup failure,
 * not a finding) when the directory cannot be made. */
static const char *fuzz_path(const char *name)
{
    static char dir[256];
    static char path[4][512];
    static int next;
    if (!dir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/actlab_fuzz_XXXXXX",
                 base && strlen(base) < 200 ? base : "/tmp");
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            abort();
        }
    }
    char *p = path[next++ % 4];
    snprintf(p, 512, "%s/%s", dir, name);
    return p;
}

static void fuzz_write(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f) != 0) {
        perror(path);
        abort();
    }
}

#endif
