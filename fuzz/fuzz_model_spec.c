/* Model specs: the input is "SHAPE\nSPEC", SHAPE up to three decimal numbers separated by
 * commas (the per-sample input shape), SPEC the model text (or a built-in name). Whatever the
 * text and the shape, nn_model_create either fails with a message, or gives a model whose
 * canonical spec builds the same model again, whose summary works, and which runs a forward
 * and backward pass on a zero batch (fuzz_model_common.h). The library's own limits keep
 * creation from allocating more than NN_MAX_PARAMS parameters (1 GiB with moments).
 * Seeds: fuzz/corpus/model_spec (the built-ins and variants); dictionary:
 * fuzz/model_spec.dict. */
#include <stdint.h>
#include <stdio.h>

#include "fuzz_model_common.h"

/* "3,32,32": up to NN_MAX_DIMS numbers, passed on as they are (0, huge, 4 dimensions
 * included: checking them is the library's job). */
static nn_shape parse_shape(const char *s, size_t n)
{
    nn_shape sh = {0};
    size_t i = 0;
    while (i < n && sh.ndim < NN_MAX_DIMS) {
        size_t v = 0;
        int digits = 0;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++)
            v = v > (SIZE_MAX - 9) / 10 ? SIZE_MAX : v * 10 + (size_t)(s[i] - '0');
        if (!digits)
            break;
        sh.d[sh.ndim++] = v;
        if (i < n && s[i] == ',')
            i++;
        else
            break;
    }
    return sh;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *nl = memchr(data, '\n', size);
    size_t shape_len = nl ? (size_t)(nl - (const char *)data) : 0;
    nn_shape shape = parse_shape((const char *)data, shape_len);
    size_t spec_len = nl ? size - shape_len - 1 : size;
    char *spec = malloc(spec_len + 1);
    if (!spec)
        abort();
    memcpy(spec, nl ? nl + 1 : (const char *)data, spec_len);
    spec[spec_len] = '\0';

    al_rng r;
    al_rng_seed(&r, 7);
    nn_model *m = NULL;
    int rc = nn_model_create(spec, shape, NN_INIT_DEFAULT, &r, &m);
    if ((rc == AL_OK) != (m != NULL))
        abort();
    if (rc != AL_OK && !al_last_error()[0])
        abort();
    if (m && nn_model_param_count(m) <= FUZZ_MAX_SAMPLE_FLOATS) {
        /* the canonical text rebuilds the same model (small ones: the check doubles the
         * memory) */
        nn_model *again = NULL;
        al_rng_seed(&r, 7);
        if (nn_model_create(nn_model_spec(m), shape, NN_INIT_DEFAULT, &r, &again) != AL_OK ||
            strcmp(nn_model_spec(m), nn_model_spec(again)) != 0 ||
            nn_model_param_count(m) != nn_model_param_count(again)) {
            fprintf(stderr, "canonical spec \"%s\" does not rebuild the model: %s\n",
                    nn_model_spec(m), al_last_error());
            abort();
        }
        nn_model_free(again);
    }
    if (m) {
        if (nn_model_param_count(m) > NN_MAX_PARAMS)
            abort();
        exercise(m);
        nn_model_free(m);
    }
    free(spec);
    return 0;
}
