/* IDX reader, through a real file so that zlib's gzip and plain paths are both reached:
 * data_idx_read and the straight-to-float reader MNIST uses must never crash or leak,
 * and agree on the uint8 files both accept. */
#include "fuzz_util.h" /* first: it sets _POSIX_C_SOURCE */

#include <stdint.h>

#include "actlab/data.h"
#include "data/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_path("in.idx");
    fuzz_write(path, data, size);
    data_array raw, unit;
    int rc = data_idx_read(path, &raw);
    if (rc != AL_OK && !strstr(al_last_error(), path))
        abort(); /* every error names the file */
    int ndim = rc == AL_OK && raw.dtype == DATA_U8 ? raw.ndim : 3;
    int rc_unit = data__idx_read_unit(path, ndim, &unit);
    if (rc == AL_OK && raw.dtype == DATA_U8) {
        if (rc_unit != AL_OK)
            abort();
        size_t n = data_array_count(&raw);
        const uint8_t *x = raw.data;
        const float *y = unit.data;
        for (size_t i = 0; i < n; i++)
            if (y[i] != (float)x[i] / 255.0f)
                abort();
    } else if (rc_unit == AL_OK) {
        abort(); /* accepted as uint8 by one reader only */
    }
    data_array_free(&raw);
    data_array_free(&unit);
    return 0;
}
