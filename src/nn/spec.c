/* The model spec: the text grammar of the layers and their arguments (nn.h), and the
 * built-in models. Parsing checks the syntax and each value on its own; model.c checks the
 * layers against each other and against the input shape. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/text.h"
#include "spec.h"
#include "../core/error.h"

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

/* every word of a spec (kinds, keys, padding=same, built-in names) is a user-typed name */
static int same_word(const char *a, size_t n, const char *b)
{
    return al_name_eq(a, n, b);
}

static int find_kind(const char *name, size_t n, enum nn__layer_kind *out, char *hint,
                     size_t size)
{
    al_suggest sg;
    al_suggest_init(&sg, name, n);
    for (int k = 0; k < NN_LAYER_COUNT; k++) {
        const char *kind = nn__layers[k]->kind;
        if (same_word(name, n, kind)) {
            *out = (enum nn__layer_kind)k;
            return 1;
        }
        al_suggest_add(&sg, kind, strlen(kind), kind, strlen(kind));
    }
    size_t used = al_suggest_format(&sg, hint, size);
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
                       const struct nn__parsed *p, struct nn__layer_args *args)
{
    char buf[256];
    if (n >= sizeof buf)
        return NN__LAYER_FAIL(AL_EINVAL, idx, p, "%s: value too long", d->name);
    memcpy(buf, v, n);
    buf[n] = '\0';
    void *field = (char *)args + d->offset;
    char *end;
    switch (d->type) {
    case ARG_SIZE: {
        errno = 0;
        unsigned long long x = isdigit((unsigned char)buf[0]) ? strtoull(buf, &end, 10) : 0;
        if (!isdigit((unsigned char)buf[0]) || *end || errno || x < 1 || x > (1ull << 30))
            return NN__LAYER_FAIL(AL_EINVAL, idx, p, "%s must be a whole number >= 1, not '%s'",
                              d->name, buf);
        *(size_t *)field = (size_t)x;
        return AL_OK;
    }
    case ARG_DOUBLE: {
        errno = 0;
        double x = strtod(buf, &end);
        if (!buf[0] || *end || errno || !isfinite(x))
            return NN__LAYER_FAIL(AL_EINVAL, idx, p, "%s must be a number, not '%s'", d->name,
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
            return NN__LAYER_FAIL(AL_EINVAL, idx, p, "%s must be 1 or 0 (true or false), not '%s'",
                              d->name, buf);
        return AL_OK;
    case ARG_PADDING:
        if (same_word(buf, n, "valid"))
            *(int *)field = 0;
        else if (same_word(buf, n, "same"))
            *(int *)field = 1;
        else
            return NN__LAYER_FAIL(AL_EINVAL, idx, p, "padding must be valid or same, not '%s'",
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
            snprintf(msg, sizeof msg, "%s", al_last_error());
            return NN__LAYER_FAIL(rc, idx, p, "%s", msg);
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
static int parse_args(const char *s, const char *end, size_t idx, struct nn__parsed *p)
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
            return NN__LAYER_FAIL(AL_EINVAL, idx, p, "empty argument%s", "");
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
                return NN__LAYER_FAIL(AL_EINVAL, idx, p, "%s has no argument '%.*s' (usage: %s)%s",
                                  kind, (int)(ke - key), key, kd->usage,
                                  in_act ? "; an activation with several parameters goes in "
                                           "brackets: activation=[softplus:beta=2,threshold=10]"
                                         : "");
            }
        } else {
            if (seen_key)
                return NN__LAYER_FAIL(AL_EINVAL, idx, p,
                                  "positional argument '%.*s' after key=value arguments",
                                  (int)(ae - at), at);
            if (n_pos >= n_defs)
                return NN__LAYER_FAIL(AL_EINVAL, idx, p, "%s takes %d argument%s, got more (usage: %s)",
                                  kind, n_defs, n_defs == 1 ? "" : "s", kd->usage);
            which = n_pos++;
        }
        if (given[which])
            return NN__LAYER_FAIL(AL_EINVAL, idx, p, "%s given twice", kd->args[which].name);
        given[which] = 1;
        if (val == ve)
            return NN__LAYER_FAIL(AL_EINVAL, idx, p, "%s has no value", kd->args[which].name);
        int rc = parse_value(&kd->args[which], val, (size_t)(ve - val), idx, p, &p->args);
        if (rc)
            return rc;
    }
    for (int i = 0; i < n_defs; i++)
        if (kd->args[i].required && !given[i])
            return NN__LAYER_FAIL(AL_EINVAL, idx, p, "%s needs %s (usage: %s)", kind,
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
static int parse_spec(const char *s, struct nn__parsed **out, size_t *n_out)
{
    struct nn__parsed *v = NULL;
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
            struct nn__parsed *nv = realloc(v, cap * sizeof *nv);
            if (!nv)
                return al__fail(AL_ENOMEM, "model spec: out of memory"); /* caller frees v */
            v = nv;
        }
        *out = v;
        struct nn__parsed *p = &v[n];
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
            return NN__LAYER_FAIL(AL_EINVAL, n, p, "expected a layer kind, got '%c'", *start);
        }
        if (open && !*close)
            return NN__LAYER_FAIL(AL_EINVAL, n, p, "missing ')'%s", "");
        if (*s && !isspace((unsigned char)*s) && *s != ';') {
            p->len = (int)((size_t)(s - start) + strcspn(s, " \t\n;"));
            return NN__LAYER_FAIL(AL_EINVAL, n, p,
                              "unexpected '%c' after the layer (layers are separated by "
                              "spaces or ';')",
                              *s);
        }
        char hint[256];
        if (!find_kind(start, name_len, &p->kind, hint, sizeof hint))
            return NN__LAYER_FAIL(AL_ENAME, n, p, "unknown layer kind '%.*s'%s", (int)name_len,
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

al_status nn_builtin_spec(const char *name, const char *hidden_act, char *buf, size_t size)
{
    AL_API_ENTRY;
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

int nn__kind_fuses_act(enum nn__layer_kind k)
{
    return kind_defs[k].fuses_act;
}

int nn__spec_parse(const char *spec, struct nn__parsed **out, size_t *n, char **expanded)
{
    *out = NULL;
    *n = 0;
    *expanded = NULL;
    int b = find_builtin(spec);
    if (b >= 0) {
        size_t need = strlen(builtins[b].text) + 64 * 8;
        if (!(*expanded = malloc(need)))
            return al__fail(AL_ENOMEM, "model: out of memory");
        int rc = nn_builtin_spec(spec, NULL, *expanded, need);
        if (rc)
            return rc;
        spec = *expanded;
    }
    int rc = parse_spec(spec, out, n);
    if (!rc && !*n)
        rc = al__fail(AL_EINVAL, "model spec has no layers");
    return rc;
}
