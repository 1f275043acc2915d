/* Mini-batch bookkeeping: the epoch's sample order and where batches and splits begin. */
#include "../core/error.h"
#include "internal.h"

al_status data_epoch_order(size_t n, al_rng *rng, size_t *order)
{
    AL_API_ENTRY;
    if (n && !order)
        return al__fail(AL_EINVAL, "data_epoch_order: order is NULL");
    if ((uint64_t)n > (uint64_t)INT64_MAX)
        return al__fail(AL_EINVAL, "data_epoch_order: n = %zu is too large", n);
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    /* Fisher-Yates, from the end: every permutation equally likely, given an unbiased
     * al_rng_range */
    if (rng)
        for (size_t i = n; i > 1; i--) {
            size_t j = (size_t)al_rng_range(rng, 0, (int64_t)i), t = order[i - 1];
            order[i - 1] = order[j];
            order[j] = t;
        }
    al__clear_error();
    return AL_OK;
}

size_t data_batch_count(size_t n, size_t batch_size)
{
    return batch_size ? n / batch_size + (n % batch_size != 0) : 0;
}

size_t data_split_start(size_t n, size_t k, size_t i)
{
    if (!k)
        return 0;
    if (i > k)
        i = k;
    /* the first n % k parts have n / k + 1 elements, the rest n / k */
    size_t q = n / k, r = n % k;
    return i * q + (i < r ? i : r);
}
