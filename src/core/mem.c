/* Memory hints (mem.h). */
#define _DEFAULT_SOURCE /* madvise */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mem.h"

void al__hint_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
    if (!p || n < AL_HUGE_HINT_MIN)
        return;
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0)
        return;
    /* outward to whole pages: large blocks are mmap'ed with the block header on their first
     * page, and hinting only part of the mapping would split it, which stops realloc from
     * growing it in place (mremap) */
    uintptr_t lo = (uintptr_t)p & ~(uintptr_t)(page - 1);
    uintptr_t hi = ((uintptr_t)p + n + (uintptr_t)page - 1) & ~(uintptr_t)(page - 1);
    if (hi > lo)
        madvise((void *)lo, hi - lo, MADV_HUGEPAGE); /* a hint: failure changes nothing */
#else
    (void)p;
    (void)n;
#endif
}
