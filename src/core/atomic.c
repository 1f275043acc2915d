#define _POSIX_C_SOURCE 200809L /* fdopen, fsync, getpid, O_CLOEXEC */

#include "atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actlab/status.h"
#include "error.h"

int al__tmp_create(const char *path, char **tmp, int *fd)
{
    static _Thread_local unsigned counter;
    size_t size = strlen(path) + 48;
    char *name = malloc(size);
    if (!name)
        return al__fail(AL_ENOMEM, "out of memory");
    *fd = -1;
    for (int attempt = 0; attempt < 100 && *fd < 0; attempt++) {
        snprintf(name, size, "%s.tmp.%ld.%u", path, (long)getpid(), counter++);
        *fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (*fd < 0 && errno != EEXIST)
            break;
    }
    if (*fd < 0) {
        int e = errno;
        free(name);
        return al__fail(AL_EIO, "cannot write %s: %s", path,
                        e == EEXIST ? "no free temporary name" : strerror(e));
    }
    *tmp = name;
    return AL_OK;
}

int al__atomic_open(const char *path, char **tmp, FILE **f)
{
    int fd, rc = al__tmp_create(path, tmp, &fd);
    if (rc)
        return rc;
    if (!(*f = fdopen(fd, "wb"))) {
        int e = errno;
        close(fd);
        remove(*tmp);
        free(*tmp);
        return al__fail(AL_EIO, "cannot write %s: %s", path, strerror(e));
    }
    return AL_OK;
}

int al__atomic_commit(const char *path, char *tmp, FILE *f, int write_failed)
{
    int failed = write_failed || fflush(f) != 0, e = errno;
    /* EINVAL/EROFS: a file system that cannot sync; the rename still orders the write */
    if (!failed && fsync(fileno(f)) != 0 && errno != EINVAL && errno != EROFS)
        failed = 1, e = errno;
    if (fclose(f) != 0 && !failed)
        failed = 1, e = errno;
    if (!failed && rename(tmp, path) != 0)
        failed = 1, e = errno;
    if (failed)
        remove(tmp);
    free(tmp);
    if (failed)
        return al__fail(AL_EIO, "cannot write %s: %s", path, e ? strerror(e) : "write failed");
    return AL_OK;
}

/* placeholder until the hardening branch lands its version */
int al__check_writable(const char *path)
{
    char *tmp;
    int fd, rc = al__tmp_create(path, &tmp, &fd);
    if (rc)
        return rc;
    close(fd);
    remove(tmp);
    free(tmp);
    return AL_OK;
}
