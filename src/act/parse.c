/* Names and the textual form NAME[:key=value,...]: lookup with aliases, parameter parsing
 * with range checks, and the reverse (act_format). Unknown names get the closest valid names
 * by edit distance, so a typo is one look at the message away from fixed. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/text.h"
#include "desc.h"
#include "../core/error.h"

static int find_n(const char *name, size_t n, act_kind *out)
{
    for (int k = 0; k < ACT_COUNT; k++) {
        const act_info *in = &act__table[k]->info;
        if (al_name_eq(name, n, in->name) || al_name_find(name, n, &in->aliases, 1) == 0) {
            *out = (act_kind)k;
            return AL_OK;
        }
    }
    al_suggest sg;
    al_suggest_init(&sg, name, n);
    for (int k = 0; k < ACT_COUNT; k++) {
        const act_info *in = &act__table[k]->info;
        al_suggest_add(&sg, in->name, strlen(in->name), in->name, strlen(in->name));
        al_suggest_add_words(&sg, in->aliases, in->name, strlen(in->name));
    }
    char hint[160];
    al_suggest_format(&sg, hint, sizeof hint);
    return al__fail(AL_ENAME,
                    "unknown activation '%.*s'%s (`actlab list` shows them all)",
                    (int)(n < 80 ? n : 80), name, hint);
}

al_status act_find(const char *name, act_kind *out)
{
    AL_API_ENTRY;
    if (!name || !out)
        return al__fail(AL_EINVAL, "act_find: NULL argument");
    return find_n(name, strlen(name), out);
}

al_status act_init(act_spec *out, act_kind k)
{
    AL_API_ENTRY;
    if (!out || (unsigned)k >= ACT_COUNT)
        return al__fail(AL_EINVAL, "act_init: %s", out ? "kind out of range" : "NULL spec");
    const act_info *in = &act__table[k]->info;
    memset(out, 0, sizeof *out);
    out->kind = k;
    for (unsigned i = 0; i < in->n_params; i++)
        out->p[i] = in->params[i].def;
    return AL_OK;
}

static int check_param(const act_info *in, const act_param_info *pi, double v)
{
    const char *need = NULL;
    if (!isfinite(v))
        need = "a finite number";
    else if ((pi->flags & ACT_P_POSITIVE) && !(v > 0))
        need = "> 0";
    else if ((pi->flags & ACT_P_NONZERO) && v == 0)
        need = "non-zero";
    else if ((pi->flags & ACT_P_NONNEG) && !(v >= 0))
        need = ">= 0";
    else if ((pi->flags & ACT_P_INTEGER) && !(v >= 1 && v <= 65536 && v == floor(v)))
        need = "a whole number from 1 to 65536";
    if (need)
        return al__fail(AL_EINVAL, "%s:%s=%g: %s must be %s", in->name, pi->name, v, pi->name,
                        need);
    return AL_OK;
}

al_status act_validate(const act_spec *a)
{
    AL_API_ENTRY;
    if (!a || (unsigned)a->kind >= ACT_COUNT)
        return al__fail(AL_EINVAL, "act_validate: %s", a ? "kind out of range" : "NULL spec");
    const struct act__desc *d = act__table[a->kind];
    for (unsigned i = 0; i < d->info.n_params; i++) {
        int rc = check_param(&d->info, &d->info.params[i], a->p[i]);
        if (rc)
            return rc;
    }
    const char *why = d->check ? d->check(a->p) : NULL;
    if (why)
        return al__fail(AL_EINVAL, "%s: %s", d->info.name, why);
    return AL_OK;
}

static int param_index(const act_info *in, const char *key, size_t n)
{
    for (unsigned i = 0; i < in->n_params; i++)
        if (al_name_eq(key, n, in->params[i].name) ||
            (in->params[i].alias && al_name_eq(key, n, in->params[i].alias)))
            return (int)i;
    return -1;
}

static void list_params(const act_info *in, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < in->n_params; i++)
        used += (size_t)snprintf(out + used, used < size ? size - used : 0, "%s%s",
                                 i ? ", " : "", in->params[i].name);
}

/* One "key=value" of the text after the colon. */
static int parse_param(const act_info *in, act_spec *s, const char *kv, size_t n,
                       unsigned *seen)
{
    const char *eq = memchr(kv, '=', n);
    if (!eq || eq == kv)
        return al__fail(AL_EINVAL, "%s: '%.*s' is not key=value", in->name, (int)n, kv);
    size_t klen = (size_t)(eq - kv);
    int i = param_index(in, kv, klen);
    if (i < 0) {
        char names[128];
        list_params(in, names, sizeof names);
        if (in->n_params == 0)
            return al__fail(AL_EINVAL, "%s takes no parameters (got '%.*s')", in->name,
                            (int)klen, kv);
        return al__fail(AL_EINVAL, "%s has no parameter '%.*s'; it takes: %s", in->name,
                        (int)klen, kv, names);
    }
    char num[64];
    size_t vlen = n - klen - 1;
    if (vlen == 0 || vlen >= sizeof num)
        return al__fail(AL_EINVAL, "%s:%s: missing or overlong value", in->name,
                        in->params[i].name);
    memcpy(num, eq + 1, vlen);
    num[vlen] = '\0';
    double v;
    enum al_num r = al_parse_double(num, &v);
    if (r == AL_NUM_RANGE)
        return al__fail(AL_EINVAL, "%s:%s='%s': out of range", in->name, in->params[i].name,
                        num);
    if (r != AL_NUM_OK || isnan(v))
        return al__fail(AL_EINVAL, "%s:%s='%s': not a number", in->name, in->params[i].name,
                        num);
    if (isinf(v))
        return al__fail(AL_EINVAL, "%s:%s='%s': must be a finite number", in->name,
                        in->params[i].name, num);
    /* alpha=1,alpha=2 (or alpha= and its alias negative_slope=) would silently keep the last
     * one: which one the user meant is not ours to guess */
    if (*seen & 1u << i)
        return al__fail(AL_EINVAL, "%s: parameter '%s' is given twice (again as '%.*s')",
                        in->name, in->params[i].name, (int)klen, kv);
    *seen |= 1u << i;
    s->p[i] = v;
    return check_param(in, &in->params[i], s->p[i]);
}

al_status act_parse(const char *text, act_spec *out)
{
    AL_API_ENTRY;
    if (!text || !out)
        return al__fail(AL_EINVAL, "act_parse: NULL argument");
    size_t nlen = strcspn(text, ":");
    while (nlen && isspace((unsigned char)text[nlen - 1]))
        nlen--;
    const char *name = text;
    while (nlen && isspace((unsigned char)*name))
        name++, nlen--;
    if (nlen == 0)
        return al__fail(AL_ENAME, "empty activation name in '%s'", text);
    act_spec s;
    act_kind k = ACT_IDENTITY; /* set by find_n on success */
    int rc = find_n(name, nlen, &k);
    if (rc)
        return rc;
    act_init(&s, k);
    const act_info *in = &act__table[k]->info;
    const char *rest = strchr(text, ':');
    if (rest) {
        unsigned seen = 0; /* bit i: parameter i was given */
        for (const char *kv = rest + 1;;) {
            size_t n = strcspn(kv, ",");
            if ((rc = parse_param(in, &s, kv, n, &seen)))
                return rc;
            if (kv[n] == '\0')
                break;
            kv += n + 1;
        }
    }
    const char *why = act__table[k]->check ? act__table[k]->check(s.p) : NULL;
    if (why)
        return al__fail(AL_EINVAL, "%s: %s", text, why);
    *out = s;
    return AL_OK;
}

/* the shortest %g form that reads back as the same double: 0.2, not 0.20000000000000001 */
static void shortest(double v, char out[32])
{
    for (int digits = 6; digits <= 17; digits++) {
        snprintf(out, 32, "%.*g", digits, v);
        if (strtod(out, NULL) == v)
            return;
    }
}

int act_format(const act_spec *a, char *buf, size_t size)
{
    if (!a || (unsigned)a->kind >= ACT_COUNT)
        return -1;
    const act_info *in = &act__table[a->kind]->info;
    int used = snprintf(buf, size, "%s", in->name);
    char sep = ':';
    for (unsigned i = 0; i < in->n_params; i++) {
        if (memcmp(&a->p[i], &in->params[i].def, sizeof(double)) == 0)
            continue;
        char num[32];
        shortest(a->p[i], num);
        size_t at = (size_t)used < size ? (size_t)used : size;
        used += snprintf(buf ? buf + at : NULL, size - at, "%c%s=%s", sep,
                         in->params[i].name, num);
        sep = ',';
    }
    return used;
}

int act_equal(const act_spec *a, const act_spec *b)
{
    return a && b && a->kind == b->kind && memcmp(a->p, b->p, sizeof a->p) == 0;
}
