/* The public face of atomic.c (include/actlab/io.h): a struct in place of three values, the
 * path owned, so a caller cannot pass a different path to the close than to the open. */
#define _POSIX_C_SOURCE 200809L /* strdup */

#include "actlab/io.h"

#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "error.h"

al_status al_outfile_open(al_outfile *o, const char *path)
{
    AL_API_ENTRY;
    if (!o)
        return (al_status)al__fail(AL_EINVAL, "no al_outfile to open");
    *o = (al_outfile){0};
    int rc = al__atomic_open(path, &o->tmp_, &o->f);
    if (rc)
        return (al_status)rc;
    o->path_ = strdup(path);
    if (!o->path_) {
        al__atomic_commit(path, o->tmp_, o->f, 1);
        *o = (al_outfile){0};
        return (al_status)al__fail(AL_ENOMEM, "out of memory writing %s", path);
    }
    return AL_OK;
}

al_status al_outfile_close(al_outfile *o, int failed)
{
    AL_API_ENTRY;
    if (!o || !o->f)
        return AL_OK;
    int rc = al__atomic_commit(o->path_, o->tmp_, o->f, failed);
    free(o->path_);
    *o = (al_outfile){0};
    return (al_status)rc;
}

al_status al_outfile_check(const char *path)
{
    AL_API_ENTRY;
    return (al_status)al__check_writable(path);
}

void al_outfile_cleanup(void)
{
    al__atomic_cleanup();
}
