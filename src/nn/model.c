/* Sequential models: the spec parser, construction (shape checks, one parameter arena,
 * initialisation), the buffers, forward and backward through the layers and their fused
 * activations, and the Keras-style summary.
 *
 * Buffers. Each layer i reads in[i] (the model's copy of the input for the first layer, the
 * previous layer's output after its activation otherwise) and writes pre[i]; a layer with a
 * fused activation has post[i] = act(pre[i]) in a buffer of its own, else post[i] = pre[i].
 * Backward needs all of them, so they all live until the next forward. The gradients flow
 * through two ping-pong buffers as large as the largest activation: every step reads one and
 * writes the other (never the caller's dy), so no kernel sees aliased arguments. Everything
 * is one allocation, sized for the largest batch seen so far: forward allocates only when a
 * batch is larger than every earlier one. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/par.h"
#include "../core/text.h"
#include "layer.h"
#include "model_access.h"

struct nn_model {
    size_t n_layers;
    struct nn__layer *layers;
    nn_shape input;
    nn_shape *post_shape; /* each layer's output after its fused activation */
    size_t n_params;
    float *w, *g, *m, *v; /* the arena: weights, gradients, optimizer moments; n_params each */
    char *spec;   /* canonical text */
    al_rng rng;   /* dropout masks */

    size_t cap;         /* batch the buffers hold; 0 before the first forward */
    float *block;       /* the one allocation behind every buffer below */
    float *x0;          /* copy of the input */
    float **pre, **post; /* n_layers each */
    float *grad[2];
    size_t batch; /* of the last forward; 0 when there is none */
};

size_t nn_shape_count(nn_shape s)
{
    if (s.ndim < 1 || s.ndim > NN_MAX_DIMS)
        return 0;
    size_t n = 1;
    for (int i = 0; i < s.ndim; i++)
        n *= s.d[i];
    return n;
}

static int is_rowwise(const act_spec *a)
{
    const act_info *in = act_get_info(a->kind);
    return in && (in->flags & ACT_ROWWISE);
}

int nn__act_forward(const act_spec *a, nn_shape in, const float *x, float *y, size_t batch)
{
    size_t cols = nn_shape_count(in);
    if (is_rowwise(a))
        return act_forward_rows(a, x, y, batch, cols);
    return act_forward(a, x, y, batch * cols);
}

int nn__act_backward(const act_spec *a, nn_shape in, const float *x, const float *y,
                     const float *dy, float *dx, size_t batch)
{
    size_t cols = nn_shape_count(in);
    if (is_rowwise(a))
        return act_backward_rows(a, x, y, dy, dx, batch, cols);
    return act_backward(a, x, y, dy, dx, batch * cols);
}

/* ---- Spec grammar --------------------------------------------------------------------------
 * Each kind's arguments, in positional order. Positional arguments come first, then
 * key=value; a key is a name ([A-Za-z_][A-Za-z0-9_]*), so "softplus:beta=2" is a positional
 * value, not a key. */

enum arg_type { ARG_SIZE, ARG_DOUBLE, ARG_BOOL, ARG_PADDING, ARG_ACT };

struct arg_def {
    const char *name, *alias; /* alias: Keras' keyword where it differs */
    enum arg_type type;
    size_t offset; /* into struct nn__layer_args */
    int required;
};

#define MAX_ARGS 6

struct kind_def {
    const char *usage;
    int fuses_act; /* takes activation= and applies it after the layer */
    struct arg_def args[MAX_ARGS];
};

#define OFF(f) offsetof(struct nn__layer_args, f)

static const struct kind_def kind_defs[NN_LAYER_COUNT] = {
    [NN_LAYER_DENSE] = {"dense(units, activation=identity, bias=1)",
                        1,
                        {{"units", NULL, ARG_SIZE, OFF(units), 1},
                         {"activation", NULL, ARG_ACT, OFF(act), 0},
                         {"bias", "use_bias", ARG_BOOL, OFF(bias), 0}}},
    [NN_LAYER_CONV2D] = {"conv2d(filters, kernel, stride=1, padding=valid|same, "
                         "activation=identity, bias=1)",
                         1,
                         {{"filters", NULL, ARG_SIZE, OFF(units), 1},
                          {"kernel", "kernel_size", ARG_SIZE, OFF(kernel), 1},
                          {"stride", "strides", ARG_SIZE, OFF(stride), 0},
                          {"padding", NULL, ARG_PADDING, OFF(same), 0},
                          {"activation", NULL, ARG_ACT, OFF(act), 0},
                          {"bias", "use_bias", ARG_BOOL, OFF(bias), 0}}},
    [NN_LAYER_MAXPOOL2D] = {"maxpool2d(pool, stride=pool)",
                            0,
                            {{"pool", "pool_size", ARG_SIZE, OFF(pool), 1},
                             {"stride", "strides", ARG_SIZE, OFF(stride), 0}}},
    [NN_LAYER_AVGPOOL2D] = {"avgpool2d(pool, stride=pool)",
                            0,
                            {{"pool", "pool_size", ARG_SIZE, OFF(pool), 1},
                             {"stride", "strides", ARG_SIZE, OFF(stride), 0}}},
    [NN_LAYER_FLATTEN] = {"flatten", 0, {{0}}},
    [NN_LAYER_DROPOUT] = {"dropout(rate)", 0, {{"rate", NULL, ARG_DOUBLE, OFF(rate), 1}}},
    [NN_LAYER_ACTIVATION] = {"activation(FUNC)",
                             0,
                             {{"function", NULL, ARG_ACT, OFF(act), 1}}},
    [NN_LAYER_PRELU] = {"prelu(channels=1, init=0.25)",
                        0,
                        {{"channels", NULL, ARG_SIZE, OFF(channels), 0},
                         {"init", NULL, ARG_DOUBLE, OFF(init), 0}}},
    [NN_LAYER_MAXOUT] = {"maxout(k)", 0, {{"k", NULL, ARG_SIZE, OFF(units), 1}}},
};

/* One layer as parsed: its kind, arguments and where it is in the text (for messages). */
struct parsed {
    enum nn__layer_kind kind;
    struct nn__layer_args args;
    const char *text;
    int len;
};

/* Fails with "layer I 'TEXT': " before the message. */
#define LAYER_FAIL(status, idx, p, fmt, ...)                                                 \
    al__fail(status, "layer %zu '%.*s': " fmt, (idx) + 1, (p)->len, (p)->text, __VA_ARGS__)

static int same_word(const char *a, size_t n, const char *b)
{
    size_t i = 0;
    for (; i < n && b[i]; i++) {
        char x = (char)tolower((unsigned char)a[i]), y = (char)tolower((unsigned char)b[i]);
        if (x == '-')
            x = '_';
        if (y == '-')
            y = '_';
        if (x != y)
            return 0;
    }
    return i == n && !b[i];
}

static int find_kind(const char *name, size_t n, enum nn__layer_kind *out, char *hint,
                     size_t size)
{
    for (int k = 0; k < NN_LAYER_COUNT; k++)
        if (same_word(name, n, nn__layers[k]->kind)) {
            *out = (enum nn__layer_kind)k;
            return 1;
        }
    int best = -1;
    size_t best_d = (size_t)-1;
    for (int k = 0; k < NN_LAYER_COUNT; k++) {
        size_t d = al__edit_distance(name, n, nn__layers[k]->kind);
        if (d < best_d)
            best_d = d, best = k;
    }
    size_t used = 0;
    hint[0] = '\0';
    if (best >= 0 && best_d <= (n <= 4 ? 1 : n <= 7 ? 2 : 3))
        used = (size_t)snprintf(hint, size, "; did you mean %s?", nn__layers[best]->kind);
    for (int k = 0; k < NN_LAYER_COUNT && used < size; k++)
        used += (size_t)snprintf(hint + used, size - used, "%s%s", k ? ", " : " (kinds: ",
                                 nn__layers[k]->kind);
    if (used < size)
        snprintf(hint + used, size - used, ")");
    return 0;
}

static const char *trim(const char *s, const char *end, const char **tend)
{
    while (s < end && isspace((unsigned char)*s))
        s++;
    while (end > s && isspace((unsigned char)end[-1]))
        end--;
    *tend = end;
    return s;
}

static int parse_value(const struct arg_def *d, const char *v, size_t n, size_t idx,
                       const struct parsed *p, struct nn__layer_args *args)
{
    char buf[256];
    if (n >= sizeof buf)
        return LAYER_FAIL(AL_EINVAL, idx, p, "%s: value too long", d->name);
    memcpy(buf, v, n);
    buf[n] = '\0';
    void *field = (char *)args + d->offset;
    char *end;
    switch (d->type) {
    case ARG_SIZE: {
        errno = 0;
        unsigned long long x = isdigit((unsigned char)buf[0]) ? strtoull(buf, &end, 10) : 0;
        if (!isdigit((unsigned char)buf[0]) || *end || errno || x < 1 || x > (1ull << 30))
            return LAYER_FAIL(AL_EINVAL, idx, p, "%s must be a whole number >= 1, not '%s'",
                              d->name, buf);
        *(size_t *)field = (size_t)x;
        return AL_OK;
    }
    case ARG_DOUBLE: {
        errno = 0;
        double x = strtod(buf, &end);
        if (!buf[0] || *end || errno || !isfinite(x))
            return LAYER_FAIL(AL_EINVAL, idx, p, "%s must be a number, not '%s'", d->name,
                              buf);
        *(double *)field = x;
        return AL_OK;
    }
    case ARG_BOOL:
        if (same_word(buf, n, "1") || same_word(buf, n, "true"))
            *(int *)field = 1;
        else if (same_word(buf, n, "0") || same_word(buf, n, "false"))
            *(int *)field = 0;
        else
            return LAYER_FAIL(AL_EINVAL, idx, p, "%s must be 1 or 0 (true or false), not '%s'",
                              d->name, buf);
        return AL_OK;
    case ARG_PADDING:
        if (same_word(buf, n, "valid"))
            *(int *)field = 0;
        else if (same_word(buf, n, "same"))
            *(int *)field = 1;
        else
            return LAYER_FAIL(AL_EINVAL, idx, p, "padding must be valid or same, not '%s'",
                              buf);
        return AL_OK;
    case ARG_ACT: {
        char *s = buf;
        if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
            s[n - 1] = '\0';
            s++;
        }
        act_spec a;
        int rc = act_parse(s, &a);
        if (rc) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s", act_last_error());
            return LAYER_FAIL(rc, idx, p, "%s", msg);
        }
        *(act_spec *)field = a;
        return AL_OK;
    }
    }
    return AL_OK;
}

static int is_key(const char *s, size_t n)
{
    if (!n || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
            return 0;
    return 1;
}

/* The arguments between the parentheses of layer idx: split at commas outside brackets. */
static int parse_args(const char *s, const char *end, size_t idx, struct parsed *p)
{
    const struct kind_def *kd = &kind_defs[p->kind];
    int n_defs = 0;
    while (n_defs < MAX_ARGS && kd->args[n_defs].name)
        n_defs++;
    int given[MAX_ARGS] = {0}, n_pos = 0, seen_key = 0;
    const char *kind = nn__layers[p->kind]->kind;

    /* "flatten()" has no arguments; "dense()" has an empty one, reported as missing below */
    const char *te, *t = trim(s, end, &te);
    if (t == te)
        s = end;
    while (s < end) {
        const char *a = s;
        int depth = 0;
        while (s < end && !(*s == ',' && depth == 0)) {
            depth += *s == '[' ? 1 : *s == ']' ? -1 : 0;
            s++;
        }
        const char *ae, *at = trim(a, s, &ae);
        if (s < end)
            s++; /* the comma */
        if (at == ae)
            return LAYER_FAIL(AL_EINVAL, idx, p, "empty argument%s", "");
        const char *eq = memchr(at, '=', (size_t)(ae - at));
        const char *key = NULL, *val = at, *ke = NULL, *ve = ae;
        if (eq) {
            const char *kk = trim(at, eq, &ke);
            if (is_key(kk, (size_t)(ke - kk))) {
                key = kk;
                val = trim(eq + 1, ae, &ve);
            }
        }
        int which = -1;
        if (key) {
            seen_key = 1;
            for (int i = 0; i < n_defs; i++)
                if (same_word(key, (size_t)(ke - key), kd->args[i].name) ||
                    (kd->args[i].alias && same_word(key, (size_t)(ke - key), kd->args[i].alias)))
                    which = i;
            if (which < 0) {
                int in_act = 0;
                for (int i = 0; i < n_defs; i++)
                    in_act |= kd->args[i].type == ARG_ACT;
                return LAYER_FAIL(AL_EINVAL, idx, p, "%s has no argument '%.*s' (usage: %s)%s",
                                  kind, (int)(ke - key), key, kd->usage,
                                  in_act ? "; an activation with several parameters goes in "
                                           "brackets: activation=[softplus:beta=2,threshold=10]"
                                         : "");
            }
        } else {
            if (seen_key)
                return LAYER_FAIL(AL_EINVAL, idx, p,
                                  "positional argument '%.*s' after key=value arguments",
                                  (int)(ae - at), at);
            if (n_pos >= n_defs)
                return LAYER_FAIL(AL_EINVAL, idx, p, "%s takes %d argument%s, got more (usage: %s)",
                                  kind, n_defs, n_defs == 1 ? "" : "s", kd->usage);
            which = n_pos++;
        }
        if (given[which])
            return LAYER_FAIL(AL_EINVAL, idx, p, "%s given twice", kd->args[which].name);
        given[which] = 1;
        if (val == ve)
            return LAYER_FAIL(AL_EINVAL, idx, p, "%s has no value", kd->args[which].name);
        int rc = parse_value(&kd->args[which], val, (size_t)(ve - val), idx, p, &p->args);
        if (rc)
            return rc;
    }
    for (int i = 0; i < n_defs; i++)
        if (kd->args[i].required && !given[i])
            return LAYER_FAIL(AL_EINVAL, idx, p, "%s needs %s (usage: %s)", kind,
                              kd->args[i].name, kd->usage);
    return AL_OK;
}

static void default_args(struct nn__layer_args *a)
{
    memset(a, 0, sizeof *a);
    a->bias = 1;
    a->channels = 1;
    a->init = 0.25;
    act_init(&a->act, ACT_IDENTITY);
}

/* Splits the spec into layers. *out is malloc'd (also on error; free it). */
static int parse_spec(const char *s, struct parsed **out, size_t *n_out)
{
    struct parsed *v = NULL;
    size_t n = 0, cap = 0;
    *out = NULL;
    *n_out = 0;
    for (;;) {
        while (*s && (isspace((unsigned char)*s) || *s == ';'))
            s++;
        if (!*s)
            break;
        if (n == cap) {
            cap = cap ? 2 * cap : 8;
            struct parsed *nv = realloc(v, cap * sizeof *nv);
            if (!nv)
                return al__fail(AL_ENOMEM, "model spec: out of memory"); /* caller frees v */
            v = nv;
        }
        *out = v;
        struct parsed *p = &v[n];
        const char *start = s;
        while (isalnum((unsigned char)*s) || *s == '_' || *s == '-')
            s++;
        size_t name_len = (size_t)(s - start);
        const char *after = s;
        while (isspace((unsigned char)*after))
            after++;
        const char *open = *after == '(' ? after : NULL, *close = NULL;
        if (open) {
            int depth = 0;
            for (close = open + 1; *close && !(*close == ')' && depth == 0); close++)
                depth += *close == '[' ? 1 : *close == ']' ? -1 : 0;
            s = *close ? close + 1 : close;
        }
        p->text = start;
        p->len = (int)((size_t)(s - start) < 200 ? (size_t)(s - start) : 200);
        if (!name_len) {
            p->len = (int)strcspn(start, " \t\n;");
            return LAYER_FAIL(AL_EINVAL, n, p, "expected a layer kind, got '%c'", *start);
        }
        if (open && !*close)
            return LAYER_FAIL(AL_EINVAL, n, p, "missing ')'%s", "");
        if (*s && !isspace((unsigned char)*s) && *s != ';') {
            p->len = (int)((size_t)(s - start) + strcspn(s, " \t\n;"));
            return LAYER_FAIL(AL_EINVAL, n, p,
                              "unexpected '%c' after the layer (layers are separated by "
                              "spaces or ';')",
                              *s);
        }
        char hint[256];
        if (!find_kind(start, name_len, &p->kind, hint, sizeof hint))
            return LAYER_FAIL(AL_ENAME, n, p, "unknown layer kind '%.*s'%s", (int)name_len,
                              start, hint);
        default_args(&p->args);
        if (open) {
            int rc = parse_args(open + 1, close, n, p);
            if (rc)
                return rc;
        } else {
            int rc = parse_args(s, s, n, p); /* reports a missing required argument */
            if (rc)
                return rc;
        }
        /* defaults that depend on other arguments */
        if (p->kind == NN_LAYER_CONV2D && !p->args.stride)
            p->args.stride = 1;
        if ((p->kind == NN_LAYER_MAXPOOL2D || p->kind == NN_LAYER_AVGPOOL2D) && !p->args.stride)
            p->args.stride = p->args.pool;
        n++;
    }
    *out = v;
    *n_out = n;
    return AL_OK;
}

/* ---- Built-in models ---------------------------------------------------------------------- */

/* '@' stands for the hidden activation. */
static const struct {
    const char *name, *text;
} builtins[] = {
    {"lenet5", "conv2d(6,5,padding=same,activation=@) maxpool2d(2) "
               "conv2d(16,5,padding=same,activation=@) maxpool2d(2) "
               "conv2d(120,5,padding=same,activation=@) flatten "
               "dense(84,activation=@) dense(10,activation=softmax)"},
    {"house-mlp", "dense(144,activation=@) dense(72,activation=@) dense(18,activation=@) "
                  "dense(1)"},
};
#define N_BUILTINS (sizeof builtins / sizeof builtins[0])

static int find_builtin(const char *name)
{
    const char *e, *s = trim(name, name + strlen(name), &e);
    for (size_t i = 0; i < N_BUILTINS; i++)
        if (same_word(s, (size_t)(e - s), builtins[i].name))
            return (int)i;
    return -1;
}

int nn_builtin_spec(const char *name, const char *hidden_act, char *buf, size_t size)
{
    if (!name || (!buf && size))
        return al__fail(AL_EINVAL, "nn_builtin_spec: NULL argument");
    int b = find_builtin(name);
    if (b < 0)
        return al__fail(AL_ENAME, "unknown built-in model '%s' (built-ins: lenet5, house-mlp)",
                        name);
    act_spec a;
    int rc = act_parse(hidden_act ? hidden_act : "relu", &a);
    if (rc)
        return rc;
    char act[256];
    nn__format_act(&a, act, sizeof act);
    size_t used = 0, alen = strlen(act);
    for (const char *t = builtins[b].text; *t; t++) {
        const char *piece = *t == '@' ? act : t;
        size_t len = *t == '@' ? alen : 1;
        if (used + len < size)
            memcpy(buf + used, piece, len);
        used += len;
    }
    if (used >= size)
        return al__fail(AL_EINVAL, "nn_builtin_spec: the text of %s needs %zu bytes, got %zu",
                        builtins[b].name, used + 1, size);
    buf[used] = '\0';
    return AL_OK;
}

/* ---- Construction -------------------------------------------------------------------------- */

static int check_input(nn_shape s)
{
    if (s.ndim < 1 || s.ndim > 3)
        return al__fail(AL_EINVAL, "input shape must have 1 to 3 dimensions, got %d", s.ndim);
    for (int i = 0; i < s.ndim; i++)
        if (s.d[i] < 1 || s.d[i] > (1u << 30))
            return al__fail(AL_EINVAL, "input dimension %d is %zu", i, s.d[i]);
    return AL_OK;
}

static int valid_shape(nn_shape s)
{
    if (s.ndim < 1 || s.ndim > NN_MAX_DIMS)
        return 0;
    for (int i = 0; i < s.ndim; i++)
        if (!s.d[i])
            return 0;
    return 1;
}

/* Sets up layer i after its parse; the error says which layer. */
static int setup_layer(nn_model *m, size_t i, const struct parsed *p, nn_shape in)
{
    struct nn__layer *l = &m->layers[i];
    l->kind = p->kind;
    l->ops = nn__layers[p->kind];
    l->args = p->args;
    l->in = in;
    l->has_act = kind_defs[p->kind].fuses_act && p->args.act.kind != ACT_IDENTITY;
    int rc = l->ops->setup(l);
    if (rc) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", act_last_error());
        return LAYER_FAIL(rc, i, p, "%s", msg);
    }
    if (!valid_shape(l->out))
        return LAYER_FAIL(AL_ESHAPE, i, p, "%s gives an empty output", l->ops->kind);
    nn_shape post = l->out;
    if (l->has_act && is_rowwise(&l->args.act)) {
        char fn[256], shape[64];
        act_format(&l->args.act, fn, sizeof fn);
        nn__format_shape(l->out, shape, sizeof shape);
        size_t cols = l->out.ndim == 1 ? act_out_cols(&l->args.act, l->out.d[0]) : 0;
        if (l->out.ndim != 1)
            return LAYER_FAIL(AL_ESHAPE, i, p,
                              "activation=%s works on rows of features and the output is %s",
                              fn, shape);
        if (!cols)
            return LAYER_FAIL(AL_ESHAPE, i, p, "activation=%s cannot take %zu features", fn,
                              l->out.d[0]);
        post.d[0] = cols;
    }
    m->post_shape[i] = post;
    return AL_OK;
}

static int build_spec_text(nn_model *m)
{
    size_t total = 1;
    for (size_t i = 0; i < m->n_layers; i++)
        total += (size_t)m->layers[i].ops->format(&m->layers[i], NULL, 0) + 1;
    m->spec = malloc(total);
    if (!m->spec)
        return al__fail(AL_ENOMEM, "model: out of memory");
    size_t used = 0;
    for (size_t i = 0; i < m->n_layers; i++) {
        if (i)
            m->spec[used++] = ' ';
        used += (size_t)m->layers[i].ops->format(&m->layers[i], m->spec + used, total - used);
    }
    m->spec[used] = '\0';
    return AL_OK;
}

int nn_model_create(const char *spec, nn_shape input, nn_init scheme, al_rng *rng,
                    nn_model **out)
{
    if (!out)
        return al__fail(AL_EINVAL, "nn_model_create: out is NULL");
    *out = NULL;
    if (!spec || !rng)
        return al__fail(AL_EINVAL, "nn_model_create: %s is NULL", spec ? "rng" : "spec");
    if ((unsigned)scheme > NN_INIT_LECUN_NORMAL)
        return al__fail(AL_EINVAL, "nn_model_create: unknown init scheme %d", (int)scheme);
    int rc = check_input(input);
    if (rc)
        return rc;

    char *expanded = NULL;
    int b = find_builtin(spec);
    if (b >= 0) {
        size_t need = strlen(builtins[b].text) + 64 * 8;
        expanded = malloc(need);
        if (!expanded)
            return al__fail(AL_ENOMEM, "model: out of memory");
        rc = nn_builtin_spec(spec, NULL, expanded, need);
        if (rc) {
            free(expanded);
            return rc;
        }
        spec = expanded;
    }
    struct parsed *layers;
    size_t n;
    rc = parse_spec(spec, &layers, &n);
    if (!rc && !n)
        rc = al__fail(AL_EINVAL, "model spec has no layers");
    nn_model *m = NULL;
    if (rc)
        goto fail;

    m = calloc(1, sizeof *m);
    if (!m)
        goto nomem;
    m->n_layers = n;
    m->input = input;
    m->layers = calloc(n, sizeof *m->layers);
    m->post_shape = calloc(n, sizeof *m->post_shape);
    m->pre = calloc(n, sizeof *m->pre);
    m->post = calloc(n, sizeof *m->post);
    if (!m->layers || !m->post_shape || !m->pre || !m->post)
        goto nomem;

    nn_shape cur = input;
    for (size_t i = 0; i < n; i++) {
        if ((rc = setup_layer(m, i, &layers[i], cur)))
            goto fail;
        cur = m->post_shape[i];
        m->n_params += m->layers[i].n_params;
    }

    if (m->n_params > SIZE_MAX / 4 / sizeof(float))
        goto nomem;
    /* one allocation: w, g, m, v (g, m, v start at zero) */
    m->w = calloc(m->n_params ? 4 * m->n_params : 1, sizeof *m->w);
    if (!m->w)
        goto nomem;
    m->g = m->w + m->n_params;
    m->m = m->g + m->n_params;
    m->v = m->m + m->n_params;
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        struct nn__layer *l = &m->layers[i];
        l->w = m->w + off;
        l->g = m->g + off;
        off += l->n_params;
        if (l->n_params && l->ops->init_params)
            l->ops->init_params(l, scheme, rng);
    }
    if ((rc = build_spec_text(m)))
        goto fail;
    al_rng_seed(&m->rng, al_rng_next(rng));
    free(layers);
    free(expanded);
    al__clear_error();
    *out = m;
    return AL_OK;

nomem:
    rc = al__fail(AL_ENOMEM, "nn_model_create: out of memory");
fail:
    free(layers);
    free(expanded);
    nn_model_free(m);
    return rc;
}

void nn_model_free(nn_model *m)
{
    if (!m)
        return;
    free(m->layers);
    free(m->post_shape);
    free(m->pre);
    free(m->post);
    free(m->w);
    free(m->spec);
    free(m->block);
    free(m);
}

nn_shape nn_model_input_shape(const nn_model *m)
{
    return m ? m->input : (nn_shape){0};
}

nn_shape nn_model_output_shape(const nn_model *m)
{
    return m ? m->post_shape[m->n_layers - 1] : (nn_shape){0};
}

size_t nn_model_param_count(const nn_model *m)
{
    return m ? m->n_params : 0;
}

const char *nn_model_spec(const nn_model *m)
{
    return m ? m->spec : "";
}

size_t nn__model_layer_count(const nn_model *m)
{
    return m->n_layers;
}

struct nn__layer *nn__model_layer(const nn_model *m, size_t i)
{
    return &m->layers[i];
}

float *nn__model_moment(const nn_model *m, int which)
{
    return m->n_params ? (which ? m->v : m->m) : NULL;
}

al_rng *nn_model_rng(nn_model *m)
{
    return m ? &m->rng : NULL;
}

size_t nn_params(nn_model *m, float **w, float **g)
{
    if (w)
        *w = m ? m->w : NULL;
    if (g)
        *g = m ? m->g : NULL;
    return m ? m->n_params : 0;
}

void nn_zero_grad(nn_model *m)
{
    if (m)
        memset(m->g, 0, m->n_params * sizeof *m->g);
}

/* ---- Forward and backward ------------------------------------------------------------------ */

/* a += b * c, failing on overflow */
static int add_mul(size_t *a, size_t b, size_t c)
{
    if (c && b > (SIZE_MAX - *a) / c)
        return 0;
    *a += b * c;
    return 1;
}

static int reserve(nn_model *m, size_t batch)
{
    if (batch <= m->cap)
        return AL_OK;
    size_t total = 0, biggest = 0;
    int ok = add_mul(&total, nn_shape_count(m->input), batch);
    for (size_t i = 0; i < m->n_layers && ok; i++) {
        const struct nn__layer *l = &m->layers[i];
        size_t pre = nn_shape_count(l->out), post = nn_shape_count(m->post_shape[i]);
        ok = ok && add_mul(&total, pre, batch);
        if (l->has_act)
            ok = ok && add_mul(&total, post, batch);
        if (l->ops->workspace)
            ok = ok && add_mul(&total, l->ops->workspace(l, batch), 1);
        biggest = pre > biggest ? pre : biggest;
        biggest = post > biggest ? post : biggest;
    }
    ok = ok && add_mul(&total, 2 * biggest, batch) && total <= SIZE_MAX / sizeof(float);
    float *block = ok ? malloc(total * sizeof *block) : NULL;
    if (!block)
        return al__fail(AL_ENOMEM, "nn_forward: no memory for the buffers of a batch of %zu",
                        batch);
    free(m->block);
    m->block = block;
    m->cap = batch;
    float *p = block;
    m->x0 = p;
    p += nn_shape_count(m->input) * batch;
    for (size_t i = 0; i < m->n_layers; i++) {
        struct nn__layer *l = &m->layers[i];
        m->pre[i] = p;
        p += nn_shape_count(l->out) * batch;
        m->post[i] = m->pre[i];
        if (l->has_act) {
            m->post[i] = p;
            p += nn_shape_count(m->post_shape[i]) * batch;
        }
        l->scratch = p;
        if (l->ops->workspace)
            p += l->ops->workspace(l, batch);
    }
    m->grad[0] = p;
    m->grad[1] = p + biggest * batch;
    return AL_OK;
}

static int forward(nn_model *m, const float *x, float *y, size_t batch, int training);
static int backward(nn_model *m, const float *dy, float *dx);

/* The passes run the activation kernels serially beside pthread OpenBLAS (core/par.h). */
int nn_forward(nn_model *m, const float *x, float *y, size_t batch, int training)
{
    int was = al__par_allow(nn__omp_loops());
    int rc = forward(m, x, y, batch, training);
    al__par_allow(was);
    return rc;
}

int nn_backward(nn_model *m, const float *dy, float *dx)
{
    int was = al__par_allow(nn__omp_loops());
    int rc = backward(m, dy, dx);
    al__par_allow(was);
    return rc;
}

static int forward(nn_model *m, const float *x, float *y, size_t batch, int training)
{
    if (!m || !x || !y || !batch)
        return al__fail(AL_EINVAL, "nn_forward: %s", !m ? "model is NULL"
                                                     : !batch ? "batch is 0"
                                                              : "NULL array");
    int rc = reserve(m, batch);
    if (rc)
        return rc;
    m->batch = 0;
    memcpy(m->x0, x, nn_shape_count(m->input) * batch * sizeof *x);
    const float *in = m->x0;
    for (size_t i = 0; i < m->n_layers; i++) {
        struct nn__layer *l = &m->layers[i];
        l->training = training != 0;
        size_t ch = 0, inner = 0;
        const float *b = l->has_act && l->ops->bias_of ? l->ops->bias_of(l, &ch, &inner) : NULL;
        l->defer_bias = b != NULL;
        l->act_out = l->has_act && l->ops->writes_act ? m->post[i] : NULL;
        if ((rc = l->ops->forward(l, in, m->pre[i], batch, l->training, &m->rng)))
            return rc;
        if (b)
            rc = act_forward_bias(&l->args.act, m->pre[i], b, m->post[i], batch, ch, inner);
        else if (l->has_act && !l->act_out)
            rc = nn__act_forward(&l->args.act, l->out, m->pre[i], m->post[i], batch);
        if (rc)
            return rc;
        in = m->post[i];
    }
    memcpy(y, in, nn_shape_count(m->post_shape[m->n_layers - 1]) * batch * sizeof *y);
    m->batch = batch;
    return AL_OK;
}

static int backward(nn_model *m, const float *dy, float *dx)
{
    if (!m || !dy)
        return al__fail(AL_EINVAL, "nn_backward: %s is NULL", m ? "dy" : "model");
    if (!m->batch)
        return al__fail(AL_EINVAL, "nn_backward: no forward pass to differentiate");
    size_t batch = m->batch;
    const float *cur = dy;
    int rc;
    for (size_t i = m->n_layers; i-- > 0;) {
        struct nn__layer *l = &m->layers[i];
        float *next = cur == m->grad[0] ? m->grad[1] : m->grad[0];
        if (l->has_act) {
            if ((rc = nn__act_backward(&l->args.act, l->out, m->pre[i], m->post[i], cur, next,
                                       batch)))
                return rc;
            cur = next;
            next = cur == m->grad[0] ? m->grad[1] : m->grad[0];
        }
        const float *in = i ? m->post[i - 1] : m->x0;
        float *din = i ? next : dx;
        if ((rc = l->ops->backward(l, in, m->pre[i], cur, din, batch)))
            return rc;
        cur = din;
    }
    return AL_OK;
}

/* ---- Summary ---------------------------------------------------------------------------------
 * Keras' Sequential summary: columns at 29, 55 and 65 of a 65-character line, layer names
 * from the class name in snake case numbered per name (dense, dense_1, ...). Shapes are
 * ours, (None, C, H, W). */

struct text {
    char *s;
    size_t len, cap;
    int failed;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...)
{
    if (t->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n >= t->cap - t->len) {
        size_t cap = 2 * t->cap + (size_t)n;
        char *s = realloc(t->s, cap);
        if (!s) {
            t->failed = 1;
            return;
        }
        t->s = s;
        t->cap = cap;
        va_start(ap, fmt);
        n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
    }
    t->len += n > 0 ? (size_t)n : 0;
}

/* Keras' to_snake_case: "MaxPooling2D" -> "max_pooling2d", "PReLU" -> "p_re_lu". */
static void snake_case(const char *name, char *out, size_t size)
{
    char tmp[128];
    size_t k = 0, n = strlen(name);
    for (size_t i = 0; i < n && k + 2 < sizeof tmp; i++) {
        if (i > 0 && isupper((unsigned char)name[i]) &&
            (islower((unsigned char)name[i + 1]) || isdigit((unsigned char)name[i + 1])))
            tmp[k++] = '_';
        tmp[k++] = name[i];
    }
    tmp[k] = '\0';
    k = 0;
    for (size_t i = 0; tmp[i] && k + 2 < size; i++) {
        out[k++] = (char)tolower((unsigned char)tmp[i]);
        if (islower((unsigned char)tmp[i]) && isupper((unsigned char)tmp[i + 1]))
            out[k++] = '_';
    }
    out[k] = '\0';
}

static void with_commas(size_t v, char *out, size_t size)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%zu", v), k = 0;
    for (int i = 0; i < n && (size_t)k + 2 < size; i++) {
        if (i && (n - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = digits[i];
    }
    out[k] = '\0';
}

/* One row: each field starts at the previous position, padded to its own; a field too long
 * for its column keeps one space after it (Keras would cut it). No trailing spaces. */
static void row(struct text *t, const char *const f[3])
{
    static const int pos[3] = {29, 55, 65};
    char line[512];
    size_t len = 0;
    for (int i = 0; i < 3; i++) {
        if (i && len < (size_t)pos[i - 1])
            while (len < (size_t)pos[i - 1])
                line[len++] = ' ';
        else if (i)
            line[len++] = ' ';
        len += (size_t)snprintf(line + len, sizeof line - len, "%s", f[i]);
        if (len >= sizeof line)
            len = sizeof line - 1;
    }
    line[len] = '\0';
    put(t, "%s\n", line);
}

int nn_model_summary(const nn_model *m, char **text)
{
    if (!m || !text)
        return al__fail(AL_EINVAL, "nn_model_summary: NULL argument");
    *text = NULL;
    struct text t = {malloc(1024), 0, 1024, 0};
    if (!t.s)
        return al__fail(AL_ENOMEM, "nn_model_summary: out of memory");
    char rule[66], dbl[66];
    memset(rule, '_', 65);
    memset(dbl, '=', 65);
    rule[65] = dbl[65] = '\0';
    put(&t, "Model: \"sequential\"\n%s\n", rule);
    row(&t, (const char *const[]){"Layer (type)", "Output Shape", "Param #"});
    put(&t, "%s\n", dbl);
    char names[NN_LAYER_COUNT][64];
    size_t used[NN_LAYER_COUNT] = {0};
    for (int k = 0; k < NN_LAYER_COUNT; k++)
        snake_case(nn__layers[k]->type_name, names[k], sizeof names[k]);
    for (size_t i = 0; i < m->n_layers; i++) {
        const struct nn__layer *l = &m->layers[i];
        char name[160], shape[128], params[32];
        size_t nth = used[l->kind]++;
        if (nth)
            snprintf(name, sizeof name, "%s_%zu (%s)", names[l->kind], nth, l->ops->type_name);
        else
            snprintf(name, sizeof name, "%s (%s)", names[l->kind], l->ops->type_name);
        nn_shape s = m->post_shape[i];
        size_t k = (size_t)snprintf(shape, sizeof shape, "(None");
        for (int d = 0; d < s.ndim; d++)
            k += (size_t)snprintf(shape + k, sizeof shape - k, ", %zu", s.d[d]);
        snprintf(shape + k, sizeof shape - k, ")");
        snprintf(params, sizeof params, "%zu", l->n_params);
        row(&t, (const char *const[]){name, shape, params});
        put(&t, "%s\n", i + 1 < m->n_layers ? rule : dbl);
    }
    char total[40], zero[8];
    with_commas(m->n_params, total, sizeof total);
    with_commas(0, zero, sizeof zero);
    put(&t, "Total params: %s\nTrainable params: %s\nNon-trainable params: %s\n%s\n", total,
        total, zero, rule);
    if (t.failed) {
        free(t.s);
        return al__fail(AL_ENOMEM, "nn_model_summary: out of memory");
    }
    *text = t.s;
    return AL_OK;
}
