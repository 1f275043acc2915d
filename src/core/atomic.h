/* Writing a file so that a crash or a failed write never leaves half of it: the data goes to
 * PATH.tmp.PID.N (created exclusively, so two writers never share one), is flushed and
 * fsync'd, and is renamed onto PATH only when everything succeeded. */
#ifndef ACTLAB_SRC_CORE_ATOMIC_H
#define ACTLAB_SRC_CORE_ATOMIC_H

#include <stdio.h>

/* Creates the temporary next to path: *tmp (malloc'd name) and *fd. AL_EIO/AL_ENOMEM with a
 * message naming path. */
int al__tmp_create(const char *path, char **tmp, int *fd);

/* Opens the temporary as a stream: *f to write to; on failure nothing is left behind. */
int al__atomic_open(const char *path, char **tmp, FILE **f);

/* Finishes a write begun by al__atomic_open: when write_failed is 0, flushes, fsyncs, closes
 * and renames onto path; otherwise (or when any of that fails) removes the temporary. Frees
 * tmp either way. Returns 0 or AL_EIO naming path and the reason. */
int al__atomic_commit(const char *path, char *tmp, FILE *f, int write_failed);

int al__check_writable(const char *path);

#endif
