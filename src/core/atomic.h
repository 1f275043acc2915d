/* Every file actlab writes goes through here, so that a crash, a full disk or a hostile
 * directory never costs the user what they had.
 *
 * What PATH is decides how it is written:
 * - nothing, a regular file, or a symbolic link (a chain of them) to either: the data goes to
 *   a new temporary DIR/.NAME.actlab-XXXXXX in the directory of the file that will be
 *   replaced (for a link, the file it names, so the link stays a link and is written
 *   through), is flushed and fsync'd, and is renamed onto that file only when everything
 *   succeeded. A crash leaves the old file or the new one, never half of one.
 * - a character or block device, a FIFO or a socket (/dev/null, /dev/stdout on a pipe, a
 *   named pipe): opened and written directly, no temporary and no rename, so the node itself
 *   is never replaced; a full device reports ENOSPC when the write is committed. So is a
 *   link that does not lead back to a file by name (/dev/stdout redirected to a file).
 * - a directory: refused.
 *
 * Temporaries are created with O_CREAT|O_EXCL|O_NOFOLLOW under a random suffix, so a file or
 * link planted at any name never redirects the write; a collision only costs another try.
 * Their mode is 0666 passed to open(), which the kernel reduces by the umask (and a default
 * ACL) as it does for fopen(); umask() itself is never called: it is process-wide, and
 * reading it means setting it, which races other threads creating files. When an existing
 * file is replaced, its permission bits are copied onto the new one (as fopen "w" keeps
 * them).
 *
 * Orphans: a temporary is removed on every error path, and al__atomic_cleanup() (which the
 * CLI calls from its SIGINT/SIGTERM/SIGHUP handler) removes those still being written. One
 * left by SIGKILL or a power cut keeps the pattern .NAME.actlab-XXXXXX (NAME cut to 200
 * bytes): the next write of the same target deletes those siblings that no process holds
 * (the writer keeps a flock on its temporary) and that have not changed for a minute, and
 * by hand `rm DIR/.*.actlab-??????` is safe when no actlab runs. */
#ifndef ACTLAB_LAYER_CORE
#error "internal to the core layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_SRC_CORE_ATOMIC_H
#define ACTLAB_SRC_CORE_ATOMIC_H

#include <stdio.h>

/* Opens path for writing: *f is the stream to write to. *tmp is the temporary's name (it
 * also carries private data after its NUL: pass it to al__atomic_commit as it is), or NULL
 * when path is written directly. On failure nothing is left behind and the message (AL_EIO,
 * AL_ENOMEM) names path. */
int al__atomic_open(const char *path, char **tmp, FILE **f);

/* Finishes a write begun by al__atomic_open: when write_failed is 0 and the stream has no
 * error, flushes, fsyncs, closes and renames the temporary onto its target; otherwise (or
 * when any of that fails) closes and removes the temporary. Frees tmp either way. Returns 0
 * or AL_EIO naming path and the reason (errno of the failed write when write_failed). */
int al__atomic_commit(const char *path, char *tmp, FILE *f, int write_failed);

/* Whether path can be written as al__atomic_open would, without writing it: its directory
 * exists and takes a new file (a temporary is created and removed), or it is a device,
 * FIFO or socket that this process may write. 0, or AL_EIO "cannot write PATH: why". For
 * commands to check every output before the work that ends in writing it. */
int al__check_writable(const char *path);

/* A new empty scratch file in $TMPDIR (or /tmp), closed: for a writer that must name a
 * file (PLplot) when the real output is a device. *name is malloc'd; remove it with
 * al__scratch_remove. */
int al__scratch_create(const char *path, char **name);
void al__scratch_remove(char *name);

/* Removes every temporary this process is writing. Async-signal-safe: for a handler of a
 * fatal signal, after which the process must end without committing anything. */
void al__atomic_cleanup(void);

#endif
