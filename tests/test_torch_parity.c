/* Parity with PyTorch: every fixture in tests/fixtures/torch (fixtures.txt lists them; made by
 * scripts/make_torch_fixtures.py from torch.nn.Sequential models) is loaded through
 * nn_model_create + nn_load_weights, and actlab must reproduce torch's forward output, loss,
 * input gradient, parameter gradients, and the parameters after SGD (momentum) and Adam
 * steps; nn_load must rebuild the same model from the file's metadata, and nn_save must write
 * torch's names, shapes and values back. The references are torch's float64 results for the
 * same float32 weights and inputs, so the tolerances measure actlab's own float32 error.
 *
 * The parameter arena holds the tensors in module order (nn.h), which is the state_dict's
 * order: the test checks that premise on the loaded weights, then compares whole arenas
 * against the concatenated reference tensors ("grad.0.weight", "grad.0.bias", ...). */
#include "data_util.h"

#include <math.h>
#include <stdint.h>

#include "actlab/data.h"
#include "actlab/nn.h"
#include "data/safetensors.h"

#ifndef ACTLAB_TORCH_FIXTURES
#error "ACTLAB_TORCH_FIXTURES must name tests/fixtures/torch (tests/nn_files.cmake sets it)"
#endif

/* |actlab - torch| <= ATOL + RTOL * |torch|, torch in float64 rounded to float32. About 17
 * float32 ulps: the worst case measured on the fixtures is below a tenth of this (the test
 * logs the worst error / tolerance per fixture), and a wrong formula -- gelu_tanh for gelu,
 * a missing bias correction -- is off by far more. */
#define RTOL 2e-6
#define ATOL 2e-7

struct fixture {
    char name[64];
    char spec[512];
    char loss[64];
    nn_shape input;
    size_t batch;
    int from_logits, steps;
    float sgd_lr, sgd_momentum, adam_lr;
};

static struct fixture fixtures[16];
static size_t n_fixtures;

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = '\0';
}

static void parse_shape(const char *text, nn_shape *s)
{
    s->ndim = 0;
    for (const char *p = text; *p && s->ndim < NN_MAX_DIMS;) {
        char *end;
        s->d[s->ndim++] = strtoull(p, &end, 10);
        cr_assert(end != p, "bad input shape %s", text);
        p = *end == ',' ? end + 1 : end;
    }
}

static void load_list(void)
{
    if (n_fixtures)
        return;
    const char *path = ACTLAB_TORCH_FIXTURES "/fixtures.txt";
    FILE *f = fopen(path, "r");
    cr_assert(f, "cannot open %s (run scripts/make_torch_fixtures.py)", path);
    char line[1024];
    struct fixture *fx = NULL;
    while (fgets(line, sizeof line, f)) {
        trim(line);
        if (!line[0] || line[0] == '#')
            continue;
        if (line[0] == '[') {
            cr_assert_lt(n_fixtures, sizeof fixtures / sizeof fixtures[0]);
            fx = &fixtures[n_fixtures++];
            memset(fx, 0, sizeof *fx);
            snprintf(fx->name, sizeof fx->name, "%.*s", (int)strcspn(line + 1, "]"), line + 1);
            continue;
        }
        char *eq = strstr(line, " = ");
        cr_assert(fx && eq, "%s: bad line '%s'", path, line);
        *eq = '\0';
        const char *key = line, *v = eq + 3;
        if (!strcmp(key, "spec"))
            snprintf(fx->spec, sizeof fx->spec, "%s", v);
        else if (!strcmp(key, "input"))
            parse_shape(v, &fx->input);
        else if (!strcmp(key, "batch"))
            fx->batch = strtoul(v, NULL, 10);
        else if (!strcmp(key, "loss"))
            snprintf(fx->loss, sizeof fx->loss, "%s", v);
        else if (!strcmp(key, "from_logits"))
            fx->from_logits = atoi(v);
        else if (!strcmp(key, "steps"))
            fx->steps = atoi(v);
        else if (!strcmp(key, "sgd_lr"))
            fx->sgd_lr = strtof(v, NULL);
        else if (!strcmp(key, "sgd_momentum"))
            fx->sgd_momentum = strtof(v, NULL);
        else if (!strcmp(key, "adam_lr"))
            fx->adam_lr = strtof(v, NULL);
    }
    fclose(f);
    cr_assert_geq(n_fixtures, 4, "%s lists %zu fixtures", path, n_fixtures);
}

static const char *fixture_path(const struct fixture *fx, const char *suffix)
{
    static char buf[4][512];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, 512, "%s/%s%s", ACTLAB_TORCH_FIXTURES, fx->name, suffix);
    return p;
}

/* One fixture, loaded: the model with torch's weights, the batch, the references. */
struct run {
    const struct fixture *fx;
    nn_model *m;
    data_array x, target;
    struct data__st_file weights, ref;
    size_t n_in, n_out, n_params;
    nn_loss loss;
};

static void open_run(const struct fixture *fx, struct run *r)
{
    memset(r, 0, sizeof *r);
    r->fx = fx;
    al_rng rng;
    al_rng_seed(&rng, 1);
    cr_assert_eq(nn_model_create(fx->spec, fx->input, NN_INIT_DEFAULT, &rng, &r->m), AL_OK,
                 "%s: nn_model_create(%s): %s", fx->name, fx->spec, al_last_error());
    const char *wpath = fixture_path(fx, ".safetensors");
    cr_assert_eq(nn_load_weights(r->m, wpath), AL_OK, "%s: %s", fx->name, al_last_error());
    cr_assert_eq(data__st_read(wpath, &r->weights), AL_OK, "%s", al_last_error());
    cr_assert_eq(data__st_read(fixture_path(fx, "_ref.safetensors"), &r->ref), AL_OK, "%s",
                 al_last_error());
    cr_assert_eq(data_npy_read(fixture_path(fx, "_x.npy"), &r->x), AL_OK, "%s",
                 al_last_error());
    cr_assert_eq(data_npy_read(fixture_path(fx, "_target.npy"), &r->target), AL_OK, "%s",
                 al_last_error());
    r->n_in = nn_shape_count(fx->input);
    r->n_out = nn_shape_count(nn_model_output_shape(r->m));
    r->n_params = nn_model_param_count(r->m);
    cr_assert_eq(r->x.dtype, DATA_F32);
    cr_assert_eq(data_array_count(&r->x), fx->batch * r->n_in, "%s: x has %zu values", fx->name,
                 data_array_count(&r->x));
    cr_assert_eq(nn_loss_parse(fx->loss, &r->loss), AL_OK, "%s: %s", fx->name, al_last_error());
    r->loss.from_logits = fx->from_logits;
}

static void close_run(struct run *r)
{
    nn_model_free(r->m);
    data_array_free(&r->x);
    data_array_free(&r->target);
    data__st_free(&r->weights);
    data__st_free(&r->ref);
}

/* The reference tensor PREFIX + name for every tensor of the weights file, concatenated in
 * the file's (state_dict) order: the layout of the parameter arena. */
static float *ref_arena(struct run *r, const char *prefix)
{
    float *out = malloc((r->n_params + 1) * sizeof *out);
    size_t at = 0;
    for (size_t i = 0; i < r->weights.n_tensors; i++) {
        char name[96];
        snprintf(name, sizeof name, "%s%s", prefix, r->weights.tensors[i].name);
        const struct data__st_tensor *t = prefix[0] ? data__st_find(&r->ref, name)
                                                  : &r->weights.tensors[i];
        cr_assert(t, "%s: no reference tensor %s", r->fx->name, name);
        size_t n = data__st_count(t);
        cr_assert_leq(at + n, r->n_params, "%s: %s overruns the arena", r->fx->name, name);
        cr_assert_eq(data__st_get_f32(prefix[0] ? &r->ref : &r->weights, t, out + at), AL_OK);
        at += n;
    }
    cr_assert_eq(at, r->n_params, "%s: the references hold %zu of %zu parameters", r->fx->name, at,
                 r->n_params);
    return out;
}

static float *ref_named(struct run *r, const char *name, size_t n)
{
    const struct data__st_tensor *t = data__st_find(&r->ref, name);
    cr_assert(t, "%s: no reference tensor %s", r->fx->name, name);
    cr_assert_eq(data__st_count(t), n, "%s: %s has %zu values, expected %zu", r->fx->name, name,
                 data__st_count(t), n);
    float *out = malloc((n + 1) * sizeof *out);
    cr_assert_eq(data__st_get_f32(&r->ref, t, out), AL_OK);
    return out;
}

/* Asserts every element is within tolerance; returns the worst |diff| / (ATOL + RTOL|ref|). */
static double expect_close(const struct run *r, const char *what, const float *got,
                           const float *ref, size_t n)
{
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)got[i] - (double)ref[i]), tol = ATOL + RTOL * fabs(ref[i]);
        cr_assert(d <= tol, "%s: %s[%zu] = %.9g, torch %.9g (|diff| %.3g > %.3g)", r->fx->name,
                  what, i, got[i], ref[i], d, tol);
        if (d / tol > worst)
            worst = d / tol;
    }
    return worst;
}

/* Forward (eval mode), loss and its dLoss/dy. */
static void forward_loss(struct run *r, float *y, float *dy, double *loss, int training)
{
    cr_assert_eq(nn_forward(r->m, r->x.data, y, r->fx->batch, training), AL_OK, "%s: %s",
                 r->fx->name, al_last_error());
    cr_assert_eq(nn_loss_eval(&r->loss, y, r->target.data, r->fx->batch, r->n_out, loss, dy),
                 AL_OK, "%s: %s", r->fx->name, al_last_error());
}

Test(torch_parity, weights_load_in_module_order)
{
    load_list();
    for (size_t k = 0; k < n_fixtures; k++) {
        struct run r;
        open_run(&fixtures[k], &r);
        float *w, *g, *want = ref_arena(&r, "");
        cr_assert_eq(nn_params(r.m, &w, &g), r.n_params);
        cr_assert_eq(memcmp(w, want, r.n_params * sizeof *w), 0,
                     "%s: the arena is not the state_dict in order", r.fx->name);
        free(want);

        /* nn_load builds the same model from the file's metadata */
        nn_model *m2 = NULL;
        cr_assert_eq(nn_load(fixture_path(r.fx, ".safetensors"), &m2), AL_OK, "%s: %s",
                     r.fx->name, al_last_error());
        cr_assert_str_eq(nn_model_spec(m2), nn_model_spec(r.m));
        float *w2;
        cr_assert_eq(nn_params(m2, &w2, &g), r.n_params);
        cr_assert_eq(memcmp(w, w2, r.n_params * sizeof *w), 0);
        nn_model_free(m2);

        /* nn_save writes torch's names, shapes and values back */
        char dir[64];
        tmp_dir(dir);
        const char *out = in_dir(dir, "saved.safetensors");
        cr_assert_eq(nn_save(r.m, out), AL_OK, "%s", al_last_error());
        struct data__st_file saved;
        cr_assert_eq(data__st_read(out, &saved), AL_OK, "%s", al_last_error());
        cr_assert_eq(saved.n_tensors, r.weights.n_tensors);
        for (size_t i = 0; i < r.weights.n_tensors; i++) {
            const struct data__st_tensor *a = &r.weights.tensors[i];
            const struct data__st_tensor *b = data__st_find(&saved, a->name);
            cr_assert(b, "%s: nn_save wrote no %s", r.fx->name, a->name);
            cr_assert(a->ndim == b->ndim && !memcmp(a->shape, b->shape, sizeof a->shape) &&
                      a->end - a->begin == b->end - b->begin &&
                      !memcmp(r.weights.data + a->begin, saved.data + b->begin, a->end - a->begin),
                      "%s: %s differs after nn_save", r.fx->name, a->name);
        }
        data__st_free(&saved);
        rm_dir(dir);
        close_run(&r);
    }
}

Test(torch_parity, forward_and_gradients)
{
    load_list();
    for (size_t k = 0; k < n_fixtures; k++) {
        struct run r;
        open_run(&fixtures[k], &r);
        size_t ny = r.fx->batch * r.n_out, nx = r.fx->batch * r.n_in;
        float *y = malloc(ny * sizeof *y), *dy = malloc(ny * sizeof *dy),
              *dx = malloc(nx * sizeof *dx);
        double loss;
        nn_zero_grad(r.m);
        forward_loss(&r, y, dy, &loss, 0);

        float *ref_y = ref_named(&r, "y", ny), *ref_loss = ref_named(&r, "loss", 1);
        double e_y = expect_close(&r, "y", y, ref_y, ny);
        float loss_f = (float)loss;
        double e_loss = expect_close(&r, "loss", &loss_f, ref_loss, 1);

        cr_assert_eq(nn_backward(r.m, dy, dx), AL_OK, "%s: %s", r.fx->name, al_last_error());
        float *ref_dx = ref_named(&r, "dx", nx), *ref_g = ref_arena(&r, "grad."), *w, *g;
        double e_dx = expect_close(&r, "dx", dx, ref_dx, nx);
        nn_params(r.m, &w, &g);
        double e_g = expect_close(&r, "grad", g, ref_g, r.n_params);
        cr_log_info("%-12s worst error / tolerance: y %.3f  loss %.3f  dx %.3f  grad %.3f",
                    r.fx->name, e_y, e_loss, e_dx, e_g);

        /* backward accumulates: a second pass doubles the gradients */
        forward_loss(&r, y, dy, &loss, 0);
        cr_assert_eq(nn_backward(r.m, dy, NULL), AL_OK, "%s: %s", r.fx->name, al_last_error());
        for (size_t i = 0; i < r.n_params; i++)
            ref_g[i] *= 2;
        expect_close(&r, "grad after two backward passes", g, ref_g, r.n_params);

        free(y), free(dy), free(dx), free(ref_y), free(ref_loss), free(ref_dx), free(ref_g);
        close_run(&r);
    }
}

/* fx->steps optimizer steps, each from a fresh gradient of the same batch. */
static void check_steps(const char *opt_name, const char *tag)
{
    load_list();
    size_t tested = 0;
    for (size_t k = 0; k < n_fixtures; k++) {
        if (!fixtures[k].steps)
            continue;
        struct run r;
        open_run(&fixtures[k], &r);
        nn_optimizer o;
        cr_assert_eq(nn_optimizer_init(&o, opt_name), AL_OK, "%s", al_last_error());
        if (o.kind == NN_OPT_SGD) {
            o.lr = r.fx->sgd_lr;
            o.momentum = r.fx->sgd_momentum;
        } else
            o.lr = r.fx->adam_lr;
        size_t ny = r.fx->batch * r.n_out;
        float *y = malloc(ny * sizeof *y), *dy = malloc(ny * sizeof *dy), *w, *g;
        nn_params(r.m, &w, &g);
        double worst = 0, e;
        for (int s = 1; s <= r.fx->steps; s++) {
            double loss;
            nn_zero_grad(r.m);
            forward_loss(&r, y, dy, &loss, 1);
            cr_assert_eq(nn_backward(r.m, dy, NULL), AL_OK, "%s", al_last_error());
            cr_assert_eq(nn_optimizer_step(&o, r.m), AL_OK, "%s", al_last_error());
            char prefix[32], what[48];
            snprintf(prefix, sizeof prefix, "%s%d.", tag, s);
            snprintf(what, sizeof what, "weights after %s step %d", opt_name, s);
            float *want = ref_arena(&r, prefix);
            if ((e = expect_close(&r, what, w, want, r.n_params)) > worst)
                worst = e;
            free(want);
        }
        cr_assert_eq(o.step, r.fx->steps, "%s: step counter", r.fx->name);
        cr_log_info("%-12s worst error / tolerance after %d %s steps: %.3f", r.fx->name,
                    r.fx->steps, opt_name, worst);
        free(y), free(dy);
        close_run(&r);
        tested++;
    }
    cr_assert_geq(tested, 3, "fixtures with optimizer references: %zu", tested);
}

Test(torch_parity, sgd_momentum_steps)
{
    check_steps("sgd", "sgd");
}

Test(torch_parity, adam_steps)
{
    check_steps("adam", "adam");
}
