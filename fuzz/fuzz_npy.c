/* .npy reader: the in-memory parser and the file reader must agree on every input (status
 * and result), never read out of bounds, never leak; what they accept must survive a
 * write/read round trip unchanged and convert to float32. */
#include "fuzz_util.h" /* first: it sets _POSIX_C_SOURCE */

#include <stdint.h>

#include "actlab/data.h"
#include "data/internal.h"

static int same(const data_array *a, const data_array *b)
{
    if (a->dtype != b->dtype || a->ndim != b->ndim)
        return 0;
    for (int i = 0; i < a->ndim; i++)
        if (a->shape[i] != b->shape[i])
            return 0;
    size_t bytes = data_array_count(a) * data_dtype_size(a->dtype);
    return memcmp(a->data, b->data, bytes) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    data_array mem, file, back, f32;
    int rc_mem = data__npy_parse("fuzz.npy", data, size, &mem);
    if (rc_mem != AL_OK && rc_mem != AL_ENOMEM && !strstr(al_last_error(), "fuzz.npy"))
        abort(); /* every error names the file */
    const char *path = fuzz_path("in.npy");
    fuzz_write(path, data, size);
    int rc_file = data_npy_read(path, &file);
    if (rc_mem != rc_file) {
        fprintf(stderr, "parser %d and reader %d disagree: %s\n", rc_mem, rc_file,
                al_last_error());
        abort();
    }
    if (rc_mem == AL_OK) {
        if (!same(&mem, &file))
            abort();
        const char *out = fuzz_path("out.npy");
        if (data_npy_write(out, &mem) != AL_OK || data_npy_read(out, &back) != AL_OK ||
            !same(&mem, &back))
            abort();
        data_array_free(&back);
        if (data_array_to_f32(&mem, &f32) == AL_OK)
            data_array_free(&f32);
    }
    data_array_free(&mem);
    data_array_free(&file);
    return 0;
}
