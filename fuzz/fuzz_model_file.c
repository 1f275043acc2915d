/* Model files: the input is a whole .safetensors file, loaded with nn_load and with
 * nn_checkpoint_load. Its metadata (actlab_spec, input_shape, optimizer, rng, epoch) is as
 * hostile as its tensors: a load either fails with a message that names the file, or gives a
 * model that runs a forward and backward pass on a small zero batch (fuzz_model_common.h)
 * and frees cleanly. The library's limits (NN_MAX_PARAMS, NN_MAX_SAMPLE_FLOATS) and the
 * check of the tensors before the arena keep a file from allocating more than it holds.
 * Seeds: fuzz/corpus/model_file (made by actlab: a tiny MLP, a tiny conv net, a checkpoint);
 * dictionary: fuzz/model_file.dict. */
#include "fuzz_util.h" /* first: it sets _POSIX_C_SOURCE */

#include <stdint.h>

#include "fuzz_model_common.h"

static void check_error(int rc, const char *path)
{
    if (rc != AL_OK && rc != AL_ENOMEM && !strstr(al_last_error(), path)) {
        fprintf(stderr, "error %d does not name the file: %s\n", rc, al_last_error());
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_path("model.safetensors");
    fuzz_write(path, data, size);
    nn_model *m = NULL;
    int rc = nn_load(path, &m);
    check_error(rc, path);
    if ((rc == AL_OK) != (m != NULL))
        abort();
    if (m) {
        exercise(m);
        nn_model_free(m);
    }
    nn_optimizer o;
    long epoch = -1;
    al_rng r = {{0}};
    rc = nn_checkpoint_load(path, &m, &o, &epoch, &r);
    check_error(rc, path);
    if ((rc == AL_OK) != (m != NULL))
        abort();
    if (m) {
        if (epoch < 0 || !(r.s[0] | r.s[1] | r.s[2] | r.s[3]))
            abort();
        if (nn_optimizer_step(&o, m) != AL_OK && strstr(al_last_error(), "internal"))
            abort();
        exercise(m);
        nn_model_free(m);
    }
    return 0;
}
