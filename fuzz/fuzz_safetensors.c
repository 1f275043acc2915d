/* safetensors reader: the in-memory parser and the file reader must agree on every input
 * (status and result), never read out of bounds, never leak, and name the file in every
 * error. What they accept must survive a write/read round trip unchanged (when all of it is
 * F32, the only dtype the writer has), and loading it into a small model must either work or
 * fail with a message. Seeds: fuzz/corpus/safetensors; dictionary: fuzz/safetensors.dict. */
#include "fuzz_util.h" /* first: it sets _POSIX_C_SOURCE */

#include <stdint.h>

#include "actlab/nn.h"
#include "data/safetensors.h"

static int same_tensor(const struct data__st_tensor *a, const struct data__st_tensor *b)
{
    if (strcmp(a->name, b->name) || a->dtype != b->dtype || a->ndim != b->ndim)
        return 0;
    for (int d = 0; d < a->ndim; d++)
        if (a->shape[d] != b->shape[d])
            return 0;
    return 1;
}

static int same_meta(const struct data__st_file *a, const struct data__st_file *b)
{
    if (a->n_meta != b->n_meta)
        return 0;
    for (size_t i = 0; i < a->n_meta; i++) {
        const char *v = data__st_meta(b, a->meta[i].key);
        if (!v || strcmp(v, a->meta[i].value))
            return 0;
    }
    return 1;
}

/* Writes f's tensors (all F32) and metadata, reads them back, compares. */
static void round_trip(const struct data__st_file *f)
{
    size_t n = f->n_tensors;
    struct data__st_entry *e = calloc(n + 1, sizeof *e);
    float **vals = calloc(n + 1, sizeof *vals);
    if (!e || !vals)
        abort();
    for (size_t i = 0; i < n; i++) {
        const struct data__st_tensor *t = &f->tensors[i];
        size_t count = data__st_count(t);
        vals[i] = malloc((count ? count : 1) * sizeof(float));
        if (!vals[i] || data__st_get_f32(f, t, vals[i]) != AL_OK)
            abort();
        e[i] = (struct data__st_entry){.name = t->name, .ndim = t->ndim, .data = vals[i]};
        memcpy(e[i].shape, t->shape, sizeof t->shape);
    }
    const char *out = fuzz_path("out.safetensors");
    struct data__st_file back;
    if (data__st_write(out, f->meta, f->n_meta, e, n) != AL_OK) {
        fprintf(stderr, "cannot write back what was read: %s\n", al_last_error());
        abort();
    }
    if (data__st_read(out, &back) != AL_OK || back.n_tensors != n || !same_meta(f, &back)) {
        fprintf(stderr, "round trip: %s\n", al_last_error());
        abort();
    }
    for (size_t i = 0; i < n; i++) {
        const struct data__st_tensor *t = &back.tensors[i];
        if (!same_tensor(&f->tensors[i], t) ||
            memcmp(back.data + t->begin, vals[i], t->end - t->begin) != 0)
            abort();
        free(vals[i]);
    }
    data__st_free(&back);
    free(vals);
    free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static nn_model *model; /* the shape of the seed files: 0.weight [3, 4] ... 2.bias [2] */
    if (!model) {
        al_rng r;
        al_rng_seed(&r, 1);
        if (nn_model_create("dense(3,activation=relu) dense(2)", (nn_shape){1, {4}},
                            NN_INIT_DEFAULT, &r, &model) != AL_OK)
            abort();
    }
    struct data__st_file mem, file;
    int rc_mem = data__st_parse("fuzz.safetensors", data, size, &mem);
    if (rc_mem != AL_OK && rc_mem != AL_ENOMEM && !strstr(al_last_error(), "fuzz.safetensors"))
        abort(); /* every error names the file */
    const char *path = fuzz_path("in.safetensors");
    fuzz_write(path, data, size);
    int rc_file = data__st_read(path, &file);
    if (rc_mem != rc_file) {
        fprintf(stderr, "parser %d and reader %d disagree: %s\n", rc_mem, rc_file,
                al_last_error());
        abort();
    }
    if (rc_mem == AL_OK) {
        if (mem.n_tensors != file.n_tensors || mem.data_size != file.data_size ||
            !same_meta(&mem, &file))
            abort();
        int all_f32 = 1;
        for (size_t i = 0; i < mem.n_tensors; i++) {
            const struct data__st_tensor *a = &mem.tensors[i], *b = &file.tensors[i];
            if (!same_tensor(a, b) || a->begin != b->begin || a->end != b->end)
                abort();
            all_f32 &= a->dtype == DATA__ST_F32;
        }
        if (all_f32)
            round_trip(&mem);
        int rc = nn_load_weights(model, path);
        if (rc != AL_OK && !strstr(al_last_error(), path))
            abort();
    }
    data__st_free(&mem);
    data__st_free(&file);
    return 0;
}
