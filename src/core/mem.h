#ifndef ACTLAB_LAYER_CORE
#error "internal to the core layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_SRC_CORE_MEM_H
#define ACTLAB_SRC_CORE_MEM_H

#include <stddef.h>

/* Asks the kernel to back the large buffer p[0..n) with huge pages (madvise MADV_HUGEPAGE,
 * where it exists; a hint, nothing fails without it). A buffer written right after its
 * allocation, page by page, pays a page fault for every 4 KiB otherwise: Fashion-MNIST's
 * 188 MB of floats cost more in faults than decompressing it on our VMs (0.5 s against
 * 0.03 s), and a LeNet-5 model's buffers for a batch of 256 (54 MB) a tenth of a second.
 * Buffers under AL_HUGE_HINT_MIN are left alone. */
#define AL_HUGE_HINT_MIN ((size_t)4 << 20)
void al__hint_huge(void *p, size_t n);

#endif
