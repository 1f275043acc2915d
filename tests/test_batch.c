/* Mini-batching (epoch order, batch counts, np.array_split starts) and the data_array
 * helpers (allocation, dtype table, conversion to float32, gathering rows). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "actlab/data.h"

static void assert_permutation(const size_t *order, size_t n)
{
    unsigned char seen[1000] = {0};
    cr_assert(n <= sizeof seen);
    for (size_t i = 0; i < n; i++) {
        cr_assert(order[i] < n, "order[%zu] = %zu", i, order[i]);
        cr_assert(!seen[order[i]], "%zu appears twice", order[i]);
        seen[order[i]] = 1;
    }
}

Test(batch, epoch_order_is_a_seeded_permutation)
{
    size_t a[1000], b[1000], c[1000];
    al_rng r;
    al_rng_seed(&r, 42);
    cr_assert_eq(data_epoch_order(1000, &r, a), 0);
    assert_permutation(a, 1000);
    al_rng_seed(&r, 42);
    cr_assert_eq(data_epoch_order(1000, &r, b), 0);
    cr_assert_eq(memcmp(a, b, sizeof a), 0, "same seed, same order");
    cr_assert_eq(data_epoch_order(1000, &r, c), 0);
    assert_permutation(c, 1000);
    cr_assert_neq(memcmp(a, c, sizeof a), 0, "the next epoch is shuffled differently");
    al_rng_seed(&r, 43);
    cr_assert_eq(data_epoch_order(1000, &r, c), 0);
    cr_assert_neq(memcmp(a, c, sizeof a), 0, "another seed, another order");
    size_t fixed = 0;
    for (size_t i = 0; i < 1000; i++)
        fixed += a[i] == i;
    cr_assert(fixed < 10, "%zu fixed points: not shuffled", fixed);

    cr_assert_eq(data_epoch_order(5, NULL, a), 0);
    for (size_t i = 0; i < 5; i++)
        cr_assert_eq(a[i], i, "no rng: identity order");
    cr_assert_eq(data_epoch_order(0, &r, NULL), 0);
    cr_assert_eq(data_epoch_order(1, &r, a), 0);
    cr_assert_eq(a[0], 0);
    cr_assert_eq(data_epoch_order(3, &r, NULL), AL_EINVAL);
}

Test(batch, every_position_is_reached)
{
    /* Fisher-Yates with an unbiased range: each of 4 items lands in each slot ~1/4 of
     * the time (a classic off-by-one gives item 0 never staying in place) */
    size_t hits[4][4] = {{0}}, order[4];
    al_rng r;
    al_rng_seed(&r, 7);
    for (int t = 0; t < 40000; t++) {
        data_epoch_order(4, &r, order);
        for (size_t i = 0; i < 4; i++)
            hits[order[i]][i]++;
    }
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            cr_assert(hits[i][j] > 9400 && hits[i][j] < 10600, "item %d at %d: %zu of 40000", i,
                      j, hits[i][j]);
}

Test(batch, counts_and_last_partial_batch)
{
    cr_assert_eq(data_batch_count(10, 4), 3); /* 4, 4, 2 */
    cr_assert_eq(data_batch_count(8, 4), 2);
    cr_assert_eq(data_batch_count(0, 4), 0);
    cr_assert_eq(data_batch_count(3, 100), 1);
    cr_assert_eq(data_batch_count(10, 0), 0);
    cr_assert_eq(data_batch_count(SIZE_MAX, 1), SIZE_MAX);
    cr_assert_eq(data_batch_count(SIZE_MAX, 2), SIZE_MAX / 2 + 1);
    /* sizes of the batches of 10 in 4s */
    size_t n = 10, bs = 4, sizes[3];
    for (size_t b = 0; b < data_batch_count(n, bs); b++)
        sizes[b] = (b + 1) * bs < n ? bs : n - b * bs;
    cr_assert(sizes[0] == 4 && sizes[1] == 4 && sizes[2] == 2);
}

Test(batch, split_start_matches_numpy_array_split)
{
    /* np.array_split(range(10), 3) -> sizes 4, 3, 3; (range(2), 3) -> 1, 1, 0 */
    static const struct {
        size_t n, k, starts[6];
    } cases[] = {
        {10, 3, {0, 4, 7, 10}},
        {2, 3, {0, 1, 2, 2}},
        {9, 3, {0, 3, 6, 9}},
        {0, 2, {0, 0, 0}},
        {7, 1, {0, 7}},
        {11, 5, {0, 3, 5, 7, 9, 11}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (size_t i = 0; i <= cases[c].k; i++)
            cr_assert_eq(data_split_start(cases[c].n, cases[c].k, i), cases[c].starts[i],
                         "n=%zu k=%zu i=%zu: %zu", cases[c].n, cases[c].k, i,
                         data_split_start(cases[c].n, cases[c].k, i));
    cr_assert_eq(data_split_start(10, 3, 7), 10, "past the end: n");
    cr_assert_eq(data_split_start(10, 0, 0), 0);
    cr_assert_eq(data_split_start(SIZE_MAX, 2, 2), SIZE_MAX);
}

/* ---- data_array helpers ------------------------------------------------------------------- */

Test(array, dtype_table)
{
    cr_assert_eq(data_dtype_size(DATA_F32), 4);
    cr_assert_eq(data_dtype_size(DATA_F64), 8);
    cr_assert_eq(data_dtype_size(DATA_U8), 1);
    cr_assert_eq(data_dtype_size(DATA_I32), 4);
    cr_assert_eq(data_dtype_size(DATA_I64), 8);
    cr_assert_eq(data_dtype_size((data_dtype)99), 0);
    cr_assert_str_eq(data_dtype_name(DATA_F32), "float32");
    cr_assert_str_eq(data_dtype_name(DATA_U8), "uint8");
    cr_assert_str_eq(data_dtype_name(DATA_I64), "int64");
    cr_assert_str_eq(data_dtype_name((data_dtype)-1), "unknown");
}

Test(array, alloc_count_free)
{
    data_array a;
    size_t shape[3] = {2, 3, 4};
    cr_assert_eq(data_array_alloc(&a, DATA_F64, 3, shape), 0);
    cr_assert_eq(data_array_count(&a), 24);
    for (int i = 0; i < 24; i++)
        cr_assert_eq(((double *)a.data)[i], 0.0, "zeroed");
    data_array_free(&a);
    cr_assert_null(a.data);
    cr_assert_eq(a.ndim, 0);
    data_array_free(&a);
    data_array_free(NULL);

    cr_assert_eq(data_array_alloc(&a, DATA_U8, 0, NULL), 0, "a scalar");
    cr_assert_eq(data_array_count(&a), 1);
    data_array_free(&a);
    size_t empty[2] = {0, 5};
    cr_assert_eq(data_array_alloc(&a, DATA_I32, 2, empty), 0);
    cr_assert_eq(data_array_count(&a), 0);
    data_array_free(&a);

    size_t huge[2] = {SIZE_MAX / 2, 4};
    cr_assert_eq(data_array_alloc(&a, DATA_U8, 2, huge), AL_ENOMEM);
    cr_assert(strstr(al_last_error(), "overflow"), "%s", al_last_error());
    size_t big[1] = {SIZE_MAX / 4};
    cr_assert_eq(data_array_alloc(&a, DATA_F64, 1, big), AL_ENOMEM);
    cr_assert_eq(data_array_alloc(&a, DATA_F32, 9, shape), AL_EINVAL);
    cr_assert_eq(data_array_alloc(&a, DATA_F32, -1, shape), AL_EINVAL);
    cr_assert_eq(data_array_alloc(&a, (data_dtype)7, 1, shape), AL_EINVAL);
    cr_assert_eq(data_array_alloc(&a, DATA_F32, 2, NULL), AL_EINVAL);
    cr_assert_eq(data_array_alloc(NULL, DATA_F32, 1, shape), AL_EINVAL);
    cr_assert_null(a.data);
    cr_assert_eq(data_array_count(NULL), 0);
}

Test(array, to_f32_from_every_dtype)
{
    size_t shape[1] = {3};
    data_array a, f;
    const data_dtype types[] = {DATA_F32, DATA_F64, DATA_U8, DATA_I32, DATA_I64};
    for (int t = 0; t < 5; t++) {
        cr_assert_eq(data_array_alloc(&a, types[t], 1, shape), 0);
        for (int i = 0; i < 3; i++) {
            double v = types[t] == DATA_U8 ? 255 * i / 2 : i * 3 - 2; /* 0 127 255 / -2 1 4 */
            switch (types[t]) {
            case DATA_F32: ((float *)a.data)[i] = (float)v; break;
            case DATA_F64: ((double *)a.data)[i] = v; break;
            case DATA_U8: ((uint8_t *)a.data)[i] = (uint8_t)v; break;
            case DATA_I32: ((int32_t *)a.data)[i] = (int32_t)v; break;
            case DATA_I64: ((int64_t *)a.data)[i] = (int64_t)v; break;
            }
        }
        cr_assert_eq(data_array_to_f32(&a, &f), 0, "%s", al_last_error());
        cr_assert_eq(f.dtype, DATA_F32);
        cr_assert(f.ndim == 1 && f.shape[0] == 3);
        const float *y = f.data;
        if (types[t] == DATA_U8)
            cr_assert(y[0] == 0 && y[1] == 127 && y[2] == 255, "uint8 is not rescaled");
        else
            cr_assert(y[0] == -2 && y[1] == 1 && y[2] == 4, "%s", data_dtype_name(types[t]));
        data_array_free(&f);
        cr_assert_eq(data_array_to_f32(&a, &a), 0, "in place");
        cr_assert_eq(a.dtype, DATA_F32);
        cr_assert_eq(((float *)a.data)[2], types[t] == DATA_U8 ? 255.0f : 4.0f);
        data_array_free(&a);
    }
    cr_assert_eq(data_array_to_f32(NULL, &f), AL_EINVAL);
    data_array bad = {.dtype = DATA_F32, .ndim = 1, .shape = {3}, .data = NULL};
    cr_assert_eq(data_array_to_f32(&bad, &f), AL_EINVAL);
}

Test(array, gather_rows)
{
    size_t shape[3] = {4, 2, 3};
    data_array a, g;
    cr_assert_eq(data_array_alloc(&a, DATA_I32, 3, shape), 0);
    for (int i = 0; i < 24; i++)
        ((int32_t *)a.data)[i] = i;
    const size_t rows[5] = {3, 0, 3, 1, 2};
    cr_assert_eq(data_gather(&a, rows, 5, &g), 0, "%s", al_last_error());
    cr_assert(g.dtype == DATA_I32 && g.ndim == 3 && g.shape[0] == 5 && g.shape[1] == 2 &&
              g.shape[2] == 3);
    for (int r = 0; r < 5; r++)
        for (int k = 0; k < 6; k++)
            cr_assert_eq(((int32_t *)g.data)[r * 6 + k], (int32_t)(rows[r] * 6 + k));
    data_array_free(&g);

    cr_assert_eq(data_gather(&a, rows, 0, &g), 0);
    cr_assert_eq(g.shape[0], 0);
    data_array_free(&g);

    const size_t bad[2] = {1, 4};
    cr_assert_eq(data_gather(&a, bad, 2, &g), AL_EINVAL);
    cr_assert(strstr(al_last_error(), "rows[1] = 4"), "%s", al_last_error());
    cr_assert_eq(data_gather(&a, NULL, 2, &g), AL_EINVAL);

    cr_assert_eq(data_gather(&a, rows, 2, &a), 0, "in place");
    cr_assert_eq(a.shape[0], 2);
    cr_assert_eq(((int32_t *)a.data)[0], 18);
    data_array_free(&a);

    data_array s;
    cr_assert_eq(data_array_alloc(&s, DATA_F32, 0, NULL), 0);
    cr_assert_eq(data_gather(&s, rows, 1, &g), AL_EINVAL, "a scalar has no rows");
    data_array_free(&s);
}

Test(array, set_free)
{
    data_set s = {0};
    data_set_free(&s);
    data_set_free(NULL);
}
