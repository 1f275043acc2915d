/* Model files (nn.h, "Files"): weights and checkpoints as safetensors whose tensor names are
 * those of the equivalent torch.nn.Sequential's state_dict, so that
 *     model.load_state_dict(safetensors.torch.load_file("m.safetensors"))
 * works on the PyTorch side, and the reverse.
 *
 * Metadata (all strings, as the format requires):
 *   actlab_spec   the canonical model spec (nn_model_spec), so nn_load can rebuild the model
 *   input_shape   the per-sample input shape, "3,32,32" or "13"
 *   format        "pt" (what Hugging Face tools look for)
 * and in checkpoints also
 *   epoch         "7"
 *   optimizer     "adam lr=0.001 momentum=0 weight_decay=0 nesterov=0 beta1=0.9 beta2=0.999
 *                 eps=1e-08 step=1200" (every field of nn_optimizer, floats in the shortest
 *                 text that reads back to the same float)
 *   rng           the four xoshiro256** state words, "%016x,%016x,%016x,%016x"
 *   dropout_rng   the same for the model's own generator (nn_model_rng)
 * plus the tensors "optimizer.m" and "optimizer.v" (the arena's moments, [n_params] each).
 *
 * Loading checks the whole file against the model before it writes a single weight, so a
 * failed load leaves the model as it was. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/error.h"
#include "actlab/nn.h"
#include "layer.h"
#include "model_access.h"
#include "../data/safetensors.h"

#define OPT_M "optimizer.m"
#define OPT_V "optimizer.v"

/* ---- the torch names of the model's parameters ------------------------------------------ */

/* torch.nn.Sequential numbers its modules in order. Every actlab layer is one module, and a
 * layer with a fused activation (dense(84, activation=relu)) is two: the layer, then the
 * activation (Linear, ReLU). first[i] is the module index of layer i. This is the only place
 * the mapping is spelled out. */
static void module_indices(const nn_model *m, size_t *first)
{
    size_t next = 0, n = nn__model_layer_count(m);
    for (size_t i = 0; i < n; i++) {
        first[i] = next;
        next += nn__model_layer(m, i)->has_act ? 2 : 1;
    }
}

struct param {
    char name[48]; /* "11.weight" */
    int ndim;
    size_t shape[4];
    size_t count;
    size_t layer, offset; /* where it lives: nn__model_layer(m, layer)->w + offset */
};

/* Every parameter tensor of the model, in module order; a planned model (no arena yet) has
 * them all. *out is malloc'd. */
static int model_params(const nn_model *m, struct param **out, size_t *n_out)
{
    size_t n_layers = nn__model_layer_count(m), n = 0;
    size_t *first = malloc((n_layers ? n_layers : 1) * sizeof *first);
    struct param *p = malloc((n_layers ? 2 * n_layers : 1) * sizeof *p);
    if (!first || !p) {
        free(first);
        free(p);
        return al__fail(AL_ENOMEM, "out of memory");
    }
    module_indices(m, first);
    for (size_t i = 0; i < n_layers; i++) {
        const struct nn__layer *l = nn__model_layer(m, i);
        struct nn__tensor_info info[2];
        size_t k = l->ops->tensors ? l->ops->tensors(l, info) : 0;
        for (size_t j = 0; j < k && j < 2; j++) {
            struct param *q = &p[n++];
            snprintf(q->name, sizeof q->name, "%zu.%s", first[i], info[j].name);
            q->ndim = info[j].ndim;
            q->count = 1;
            int fits = 1;
            for (int d = 0; d < q->ndim && d < 4; d++) {
                q->shape[d] = info[j].shape[d];
                fits = fits && nn__mul(q->count, info[j].shape[d], &q->count);
            }
            if (!fits || q->ndim < 0 || q->ndim > 4 || info[j].offset > l->n_params ||
                q->count > l->n_params - info[j].offset) {
                int rc = al__fail(AL_EINVAL, "internal error: layer %zu (%s) describes tensor "
                                  "%s outside its %zu parameters", i, l->ops->kind, q->name,
                                  l->n_params);
                free(first);
                free(p); /* after the message: q points into p */
                return rc;
            }
            q->layer = i;
            q->offset = info[j].offset;
        }
    }
    free(first);
    *out = p;
    *n_out = n;
    return AL_OK;
}

static void format_input_shape(nn_shape s, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < s.ndim && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%zu", i ? "," : "", s.d[i]);
}

static int parse_input_shape(const char *file, const char *text, nn_shape *s)
{
    const char *p = text;
    s->ndim = 0;
    for (;;) {
        if (s->ndim == NN_MAX_DIMS || *p < '0' || *p > '9')
            break;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(p, &end, 10);
        if (errno || v == 0 || v > SIZE_MAX)
            break;
        s->d[s->ndim++] = (size_t)v;
        p = end;
        if (*p == '\0')
            return AL_OK;
        if (*p++ != ',')
            break;
    }
    return al__fail(AL_EFORMAT, "%s: input_shape \"%.40s\" in the metadata is not a list of 1 "
                    "to %d positive integers such as \"3,32,32\"", file, text, NN_MAX_DIMS);
}

/* ---- writing ---------------------------------------------------------------------------- */

/* The model's tensors and metadata plus the extra ones of a checkpoint. */
static int save(const nn_model *m, const char *path, const struct data__st_kv *xmeta, size_t nx,
                const struct data__st_entry *xt, size_t nxt)
{
    if (!m || !path)
        return al__fail(AL_EINVAL, "nn_save: %s is NULL", m ? "path" : "model");
    struct param *p;
    size_t n;
    int rc = model_params(m, &p, &n);
    if (rc)
        return rc;
    struct data__st_entry *t = malloc((n + nxt + 1) * sizeof *t);
    if (!t) {
        free(p);
        return al__fail(AL_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        t[i] = (struct data__st_entry){.name = p[i].name, .ndim = p[i].ndim,
                                     .data = nn__model_layer(m, p[i].layer)->w + p[i].offset};
        memcpy(t[i].shape, p[i].shape, sizeof p[i].shape);
    }
    for (size_t i = 0; i < nxt; i++)
        t[n + i] = xt[i];

    char shape[96];
    format_input_shape(nn_model_input_shape(m), shape, sizeof shape);
    struct data__st_kv meta[8] = {
        {"actlab_spec", nn_model_spec(m)},
        {"input_shape", shape},
        {"format", "pt"},
    };
    size_t n_meta = 3;
    for (size_t i = 0; i < nx && n_meta < 8; i++)
        meta[n_meta++] = xmeta[i];
    rc = data__st_write(path, meta, n_meta, t, n + nxt);
    free(t);
    free(p);
    return rc;
}

al_status nn_save(const nn_model *m, const char *path)
{
    AL_API_ENTRY;
    return save(m, path, NULL, 0, NULL, 0);
}

/* The shortest decimal text that reads back (strtof) to the same float. */
static void format_float(float v, char *buf, size_t size)
{
    for (int prec = 1; prec <= 9; prec++) {
        snprintf(buf, size, "%.*g", prec, (double)v);
        if (strtof(buf, NULL) == v)
            return;
    }
}

static const char *const opt_names[] = {
    [NN_OPT_SGD] = "sgd", [NN_OPT_ADAM] = "adam", [NN_OPT_ADAMW] = "adamw",
    [NN_OPT_RMSPROP] = "rmsprop"};
#define N_OPT_NAMES (sizeof opt_names / sizeof opt_names[0])

static void format_optimizer(const nn_optimizer *o, char *buf, size_t size)
{
    char lr[24], mom[24], wd[24], b1[24], b2[24], eps[24];
    format_float(o->lr, lr, sizeof lr);
    format_float(o->momentum, mom, sizeof mom);
    format_float(o->weight_decay, wd, sizeof wd);
    format_float(o->beta1, b1, sizeof b1);
    format_float(o->beta2, b2, sizeof b2);
    format_float(o->eps, eps, sizeof eps);
    snprintf(buf, size,
             "%s lr=%s momentum=%s weight_decay=%s nesterov=%d beta1=%s beta2=%s eps=%s step=%ld",
             (unsigned)o->kind < N_OPT_NAMES ? opt_names[o->kind] : "?", lr, mom, wd,
             o->nesterov, b1, b2, eps, o->step);
}

/* the four xoshiro256** state words, "%016x,%016x,%016x,%016x" */
static void format_rng(const al_rng *r, char *buf, size_t size)
{
    snprintf(buf, size, "%016" PRIx64 ",%016" PRIx64 ",%016" PRIx64 ",%016" PRIx64, r->s[0],
             r->s[1], r->s[2], r->s[3]);
}

al_status nn_checkpoint_save(nn_model *m, const nn_optimizer *o, long epoch, const al_rng *rng,
                       const char *path)
{
    AL_API_ENTRY;
    if (!m || !o || !rng || !path)
        return al__fail(AL_EINVAL, "nn_checkpoint_save: %s is NULL",
                        !m ? "model" : !o ? "optimizer" : !rng ? "rng" : "path");
    if ((unsigned)o->kind >= N_OPT_NAMES)
        return al__fail(AL_EINVAL, "nn_checkpoint_save: unknown optimizer kind %d", (int)o->kind);
    size_t n = nn_model_param_count(m);
    float *mom[2] = {nn__model_moment(m, 0), nn__model_moment(m, 1)}, *zeros = NULL;
    if (n && (!mom[0] || !mom[1])) { /* no state allocated: it is all zeros */
        if (!(zeros = calloc(n, sizeof *zeros)))
            return al__fail(AL_ENOMEM, "out of memory");
        for (int k = 0; k < 2; k++)
            if (!mom[k])
                mom[k] = zeros;
    }
    char ep[32], opt[320], state[80], dropout[80];
    snprintf(ep, sizeof ep, "%ld", epoch);
    format_optimizer(o, opt, sizeof opt);
    format_rng(rng, state, sizeof state);
    format_rng(nn_model_rng(m), dropout, sizeof dropout);
    const struct data__st_kv meta[4] = {
        {"epoch", ep}, {"optimizer", opt}, {"rng", state}, {"dropout_rng", dropout}};
    const struct data__st_entry t[2] = {{.name = OPT_M, .ndim = 1, .shape = {n}, .data = mom[0]},
                                      {.name = OPT_V, .ndim = 1, .shape = {n}, .data = mom[1]}};
    int rc = save(m, path, meta, 4, t, 2);
    free(zeros);
    return rc;
}

/* ---- reading ---------------------------------------------------------------------------- */

static int is_checkpoint_tensor(const char *name)
{
    return strcmp(name, OPT_M) == 0 || strcmp(name, OPT_V) == 0;
}

/* Checks every tensor of f against the model's parameters (a planned model's will do), then,
 * when copy is set, copies them in. The message names the first mismatch and counts the
 * others. */
static int match_tensors(nn_model *m, const struct data__st_file *f, int copy)
{
    struct param *p;
    size_t n;
    int rc = model_params(m, &p, &n);
    if (rc)
        return rc;
    char first[320] = "", want[96], got[96];
    size_t problems = 0;
    int code = AL_OK;
#define PROBLEM(status, ...)                                     \
    do {                                                         \
        if (!problems++) {                                       \
            snprintf(first, sizeof first, __VA_ARGS__);          \
            code = status;                                       \
        }                                                        \
    } while (0)
    for (size_t i = 0; i < n; i++) {
        const struct data__st_tensor *t = data__st_find(f, p[i].name);
        data__st_format_shape(p[i].ndim, p[i].shape, want, sizeof want);
        if (!t) {
            PROBLEM(AL_ENAME, "no tensor %s (the model expects %s)", p[i].name, want);
            continue;
        }
        data__st_format_shape(t->ndim, t->shape, got, sizeof got);
        int same = t->ndim == p[i].ndim;
        for (int d = 0; same && d < t->ndim; d++)
            same = t->shape[d] == p[i].shape[d];
        if (!same)
            PROBLEM(AL_ESHAPE, "%s has shape %s, the model expects %s", p[i].name, got, want);
        else if (t->dtype != DATA__ST_F32)
            PROBLEM(AL_EUNSUPPORTED, "%s has dtype %s, the model holds F32 (convert with "
                    "tensor.float() before saving)", p[i].name, data__st_dtype_name(t->dtype));
    }
    for (size_t j = 0; j < f->n_tensors; j++) {
        const struct data__st_tensor *t = &f->tensors[j];
        size_t i = 0;
        while (i < n && strcmp(p[i].name, t->name) != 0)
            i++;
        if (i == n && !is_checkpoint_tensor(t->name)) {
            data__st_format_shape(t->ndim, t->shape, got, sizeof got);
            PROBLEM(AL_ENAME, "unexpected tensor %.60s %s: the model has no such parameter",
                    t->name, got);
        }
    }
#undef PROBLEM
    if (problems) {
        char more[48] = "", hint[200] = "";
        if (problems > 1)
            snprintf(more, sizeof more, " (and %zu more mismatch%s)", problems - 1,
                     problems > 2 ? "es" : "");
        const char *spec = data__st_meta(f, "actlab_spec");
        if (spec && strcmp(spec, nn_model_spec(m)) != 0)
            snprintf(hint, sizeof hint, "; the file was saved from the model \"%.120s\"", spec);
        free(p);
        return al__fail(code, "%s: %s%s%s", f->name, first, more, hint);
    }
    for (size_t i = 0; copy && i < n; i++) /* checked above: F32 */
        data__st_get_f32(f, data__st_find(f, p[i].name), nn__model_layer(m, p[i].layer)->w +
                       p[i].offset);
    free(p);
    return AL_OK;
}

al_status nn_load_weights(nn_model *m, const char *path)
{
    AL_API_ENTRY;
    if (!m || !path)
        return al__fail(AL_EINVAL, "nn_load_weights: %s is NULL", m ? "path" : "model");
    struct data__st_file f;
    int rc = data__st_read(path, &f);
    if (!rc)
        rc = match_tensors(m, &f, 1);
    data__st_free(&f);
    if (!rc)
        al__clear_error();
    return rc;
}

static int check_moments(const struct data__st_file *f, size_t n);

/* The model the file's metadata describes, with the file's weights (and, for a checkpoint,
 * its optimizer tensors checked). The plan is checked against the tensors before the arena
 * exists, so metadata that asks for a huge model costs nothing unless the file really holds
 * its weights; the arena then needs no initialisation, since the file overwrites all of it. */
static int model_from_file(const struct data__st_file *f, int checkpoint, nn_model **out)
{
    *out = NULL;
    const char *spec = data__st_meta(f, "actlab_spec");
    const char *shape_text = data__st_meta(f, "input_shape");
    if (!spec || !shape_text)
        return al__fail(AL_EFORMAT, "%s has no %s in its __metadata__, so it does not say which "
                        "model it holds (not saved by actlab?): create the model with "
                        "nn_model_create and load the weights with nn_load_weights", f->name,
                        !spec ? "actlab_spec" : "input_shape");
    nn_shape shape;
    int rc = parse_input_shape(f->name, shape_text, &shape);
    if (rc)
        return rc;
    nn_model *m;
    if ((rc = nn__model_plan(spec, shape, &m))) {
        char why[320];
        snprintf(why, sizeof why, "%s", al_last_error());
        return al__fail(rc, "%s: cannot build the model of its actlab_spec \"%.80s\": %s",
                        f->name, spec, why);
    }
    al_rng rng; /* seeds the dropout generator only: the weights come from the file */
    al_rng_seed(&rng, 0);
    if ((rc = match_tensors(m, f, 0)) ||
        (checkpoint && (rc = check_moments(f, nn_model_param_count(m)))) ||
        (rc = nn__model_alloc(m, NN_INIT_DEFAULT, &rng, 0)) || (rc = match_tensors(m, f, 1))) {
        nn_model_free(m);
        return rc;
    }
    *out = m;
    return AL_OK;
}

al_status nn_load(const char *path, nn_model **out)
{
    AL_API_ENTRY;
    if (!out || !path)
        return al__fail(AL_EINVAL, "nn_load: %s is NULL", out ? "path" : "out");
    *out = NULL;
    struct data__st_file f;
    int rc = data__st_read(path, &f);
    if (!rc)
        rc = model_from_file(&f, 0, out);
    data__st_free(&f);
    if (!rc)
        al__clear_error();
    return rc;
}

/* "KIND key=value ..." as format_optimizer writes it; every field must be there. */
static int parse_optimizer(const char *file, const char *text, nn_optimizer *o)
{
    static const char *const keys[] = {"lr",    "momentum", "weight_decay", "nesterov", "beta1",
                                       "beta2", "eps",      "step"};
    enum { N_KEYS = sizeof keys / sizeof keys[0] };
    char buf[320];
    int seen[N_KEYS] = {0};
    memset(o, 0, sizeof *o);
    if (strlen(text) >= sizeof buf)
        goto bad;
    strcpy(buf, text);
    char *save = NULL, *tok = strtok_r(buf, " ", &save);
    unsigned k = 0;
    while (tok && k < N_OPT_NAMES && strcmp(tok, opt_names[k]) != 0)
        k++;
    if (!tok || k == N_OPT_NAMES)
        goto bad;
    o->kind = (nn_opt_kind)k;
    while ((tok = strtok_r(NULL, " ", &save))) {
        char *eq = strchr(tok, '='), *end;
        if (!eq || eq[1] == '\0')
            goto bad;
        *eq = '\0';
        size_t i = 0;
        while (i < N_KEYS && strcmp(tok, keys[i]) != 0)
            i++;
        if (i == N_KEYS || seen[i]++)
            goto bad;
        errno = 0;
        if (i == 3 || i == 7) {
            long v = strtol(eq + 1, &end, 10);
            if (i == 3)
                o->nesterov = (int)v;
            else
                o->step = v;
            if (v < 0 || (i == 3 && v > 1))
                goto bad;
        } else {
            float v = strtof(eq + 1, &end);
            float *dst[] = {&o->lr, &o->momentum, &o->weight_decay, NULL,
                            &o->beta1, &o->beta2, &o->eps};
            *dst[i] = v;
        }
        if (errno || *end != '\0')
            goto bad;
    }
    for (size_t i = 0; i < N_KEYS; i++)
        if (!seen[i])
            goto bad;
    return AL_OK;
bad:
    return al__fail(AL_EFORMAT, "%s: optimizer \"%.120s\" in the metadata is not \"KIND lr=.. "
                    "momentum=.. weight_decay=.. nesterov=.. beta1=.. beta2=.. eps=.. step=..\" "
                    "with KIND one of sgd, adam, adamw, rmsprop", file, text);
}

static int parse_rng(const char *file, const char *text, al_rng *r)
{
    const char *p = text;
    for (int i = 0; i < 4; i++) {
        uint64_t v = 0;
        for (int k = 0; k < 16; k++, p++) {
            int c = *p;
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (d < 0)
                goto bad;
            v = v << 4 | (uint64_t)d;
        }
        r->s[i] = v;
        if (*p++ != (i < 3 ? ',' : '\0'))
            goto bad;
    }
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3])) /* xoshiro's one invalid state */
        goto bad;
    return AL_OK;
bad:
    return al__fail(AL_EFORMAT, "%s: rng \"%.80s\" in the metadata is not four 16-digit hex "
                    "words separated by commas (and not all zero)", file, text);
}

/* A checkpoint's optimizer tensors: F32 [n] each, n the model's parameter count. */
static int check_moments(const struct data__st_file *f, size_t n)
{
    const char *names[2] = {OPT_M, OPT_V};
    for (int k = 0; k < 2; k++) {
        const struct data__st_tensor *t = data__st_find(f, names[k]);
        char got[96];
        if (t && (t->ndim != 1 || t->shape[0] != n || t->dtype != DATA__ST_F32)) {
            data__st_format_shape(t->ndim, t->shape, got, sizeof got);
            return al__fail(AL_ESHAPE, "%s: %s is %s %s, the model's optimizer state is F32 "
                            "[%zu]", f->name, t->name, data__st_dtype_name(t->dtype), got, n);
        }
    }
    return AL_OK;
}

al_status nn_checkpoint_load(const char *path, nn_model **out, nn_optimizer *o, long *epoch,
                       al_rng *rng)
{
    AL_API_ENTRY;
    if (!path || !out)
        return al__fail(AL_EINVAL, "nn_checkpoint_load: %s is NULL", path ? "out" : "path");
    *out = NULL;
    struct data__st_file f;
    int rc = data__st_read(path, &f);
    if (rc)
        return rc;
    const char *ep = data__st_meta(&f, "epoch"), *opt = data__st_meta(&f, "optimizer"),
               *state = data__st_meta(&f, "rng"), *dropout = data__st_meta(&f, "dropout_rng");
    const struct data__st_tensor *tm = data__st_find(&f, OPT_M), *tv = data__st_find(&f, OPT_V);
    nn_optimizer o_new;
    al_rng r_new, d_new;
    long e_new = 0;
    char *end;
    nn_model *m = NULL;
    if (!ep || !opt || !state || !tm || !tv) {
        rc = al__fail(AL_EFORMAT, "%s is not a checkpoint (it has no %s): load a file written "
                      "by nn_save with nn_load", path,
                      !opt ? "\"optimizer\" metadata" : !ep ? "\"epoch\" metadata"
                      : !state ? "\"rng\" metadata" : !tm ? "tensor " OPT_M : "tensor " OPT_V);
        goto done;
    }
    errno = 0;
    e_new = strtol(ep, &end, 10);
    if (errno || end == ep || *end || e_new < 0) {
        rc = al__fail(AL_EFORMAT, "%s: epoch \"%.40s\" in the metadata is not a non-negative "
                      "integer", path, ep);
        goto done;
    }
    if ((rc = parse_optimizer(path, opt, &o_new)) || (rc = parse_rng(path, state, &r_new)) ||
        (dropout && (rc = parse_rng(path, dropout, &d_new))) ||
        (rc = model_from_file(&f, 1, &m)))
        goto done;
    if (dropout) /* files before dropout_rng keep the generator of a fresh model */
        *nn_model_rng(m) = d_new;
    size_t n = nn_model_param_count(m);
    const struct data__st_tensor *mt[2] = {tm, tv};
    for (int k = 0; k < 2; k++) { /* their shapes checked by model_from_file */
        float *dst = nn__model_moment(m, k);
        if (n && !dst) {
            rc = al__fail(AL_ENOMEM, "%s: the model has no optimizer state to load into", path);
            goto done;
        }
        if (n)
            data__st_get_f32(&f, mt[k], dst);
    }
    if (o)
        *o = o_new;
    if (epoch)
        *epoch = e_new;
    if (rng)
        *rng = r_new;
    *out = m;
    m = NULL;
    al__clear_error();
done:
    nn_model_free(m);
    data__st_free(&f);
    return rc;
}

al_status nn_save_with_meta(const nn_model *m, const char *path, const char *key, const char *value)
{
    AL_API_ENTRY;
    return nn_save_with_metas(m, path, &key, &value, 1);
}

al_status nn_save_with_metas(const nn_model *m, const char *path, const char *const *keys,
                       const char *const *values, size_t n)
{
    AL_API_ENTRY;
    struct data__st_kv kv[NN_MAX_EXTRA_META];
    if (n > NN_MAX_EXTRA_META || (n && (!keys || !values)))
        return al__fail(AL_EINVAL, "nn_save_with_metas: %zu entries (at most %d), or NULL "
                        "arrays", n, NN_MAX_EXTRA_META);
    for (size_t i = 0; i < n; i++) {
        if (!keys[i] || !values[i])
            return al__fail(AL_EINVAL, "nn_save_with_metas: entry %zu has a NULL key or value",
                            i);
        kv[i] = (struct data__st_kv){keys[i], values[i]};
    }
    return save(m, path, kv, n, NULL, 0);
}

al_status nn_file_meta(const char *path, const char *key, char **value)
{
    AL_API_ENTRY;
    struct data__st_file f;
    *value = NULL;
    int rc = data__st_read(path, &f);
    if (rc)
        return rc;
    const char *v = data__st_meta(&f, key);
    if (v && !(*value = malloc(strlen(v) + 1)))
        rc = al__fail(AL_ENOMEM, "out of memory");
    else if (v)
        strcpy(*value, v);
    data__st_free(&f);
    return rc;
}
