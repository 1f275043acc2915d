/* CIFAR-10 loader on a directory made from the input: byte 0 says whether a
 * batches.meta.txt is written (bit 0), byte 1 its length, then its text, then the rest is
 * test_batch.bin. Must never crash or leak; a loaded set has labels 0..9 and pixels in
 * [0, 1]. */
#include "fuzz_util.h" /* first: it sets _POSIX_C_SOURCE */

#include <stdint.h>
#include <sys/stat.h>

#include "actlab/data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int with_meta = data[0] & 1;
    size_t mlen = data[1] < size - 2 ? data[1] : size - 2;
    const char *meta = fuzz_path("batches.meta.txt"), *batch = fuzz_path("test_batch.bin");
    if (with_meta)
        fuzz_write(meta, data + 2, mlen);
    else
        remove(meta);
    fuzz_write(batch, data + 2 + mlen, size - 2 - mlen);
    char dir[512];
    snprintf(dir, sizeof dir, "%s", batch);
    *strrchr(dir, '/') = '\0';

    data_set s;
    if (data_cifar10_load(dir, "test", &s) == AL_OK) {
        size_t n = s.x.shape[0];
        if (n * 3073 != size - 2 - mlen || s.n_classes != 10 || !s.class_names)
            abort();
        const float *x = s.x.data;
        const int64_t *y = s.y.data;
        for (size_t i = 0; i < n; i++)
            if (y[i] < 0 || y[i] > 9)
                abort();
        for (size_t i = 0; i < n * 3072; i++)
            if (!(x[i] >= 0.0f && x[i] <= 1.0f))
                abort();
        for (size_t i = 0; i < 10; i++)
            if (!s.class_names[i] || !s.class_names[i][0])
                abort();
    } else if (!strstr(al_last_error(), dir)) {
        abort(); /* every error names the file */
    }
    data_set_free(&s);
    return 0;
}
