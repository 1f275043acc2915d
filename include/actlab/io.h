/* Output files that are never left half-written: what actlab uses for every file it writes
 * (arrays, weights, checkpoints, reports, plots), for a C program's own outputs.
 *
 *     al_outfile out;
 *     if (al_outfile_open(&out, "ckpt/weights.bin"))
 *         return fail(al_last_error());
 *     int bad = fwrite(w, sizeof *w, n, out.f) != n;
 *     if (al_outfile_close(&out, bad))           -- commits, or discards on any failure
 *         return fail(al_last_error());
 *
 * A regular file (or a link to one) is written to a temporary beside it, flushed, fsync'd,
 * and renamed onto it only when every write succeeded, so a crash, a full disk or an error
 * leaves the old file or the new one, never part of one; the file's permission bits are
 * kept. A device, FIFO or socket (/dev/stdout on a pipe) is written directly. A directory is
 * refused. Every failure is an al_status with a message naming the path and the reason. */
#ifndef ACTLAB_IO_H
#define ACTLAB_IO_H

#include "export.h"

#include <stdio.h>

#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One output being written. Plain struct: hold it on the stack. f is the stream to write to
 * between al_outfile_open and al_outfile_close; the other fields are private. */
typedef struct al_outfile {
    FILE *f;
    char *path_;
    char *tmp_;
} al_outfile;

/* Starts writing path (copied). On failure o->f is NULL and nothing is left behind:
 * AL_EINVAL (empty name), AL_EIO (the directory is missing, not writable, path is a
 * directory, ...), AL_ENOMEM. */
ACTLAB_API al_status al_outfile_open(al_outfile *o, const char *path);

/* Ends the write. When failed is 0 and the stream saw no error: flushes, fsyncs and renames
 * the temporary onto the path, AL_OK. Otherwise, or when that fails, the temporary goes and
 * the old file stays: AL_EIO naming the path and the reason (errno of the failed write when
 * failed is set right after it). Releases everything either way; o->f is NULL after it.
 * Closing an o whose open failed does nothing and returns AL_OK. */
ACTLAB_API al_status al_outfile_close(al_outfile *o, int failed);

/* Whether al_outfile_open(path) would succeed, without writing anything: for a program to
 * check every output before the long work that ends in writing it. AL_OK, or AL_EINVAL /
 * AL_EIO "cannot write PATH: why". */
ACTLAB_API al_status al_outfile_check(const char *path);

/* Removes the temporaries of every output this process has open. Async-signal-safe: for a
 * SIGINT/SIGTERM handler, after which the process must end without closing them. */
ACTLAB_API void al_outfile_cleanup(void);

#ifdef __cplusplus
}
#endif
#endif
