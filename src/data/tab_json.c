/* The fitted tabular pipeline as JSON (data_tab_transform_to_json) and back
 * (data_tab_transform_from_json), so that `data prepare` and `predict` apply the same numbers. */
#define _POSIX_C_SOURCE 200809L /* newlocale/uselocale: JSON numbers in the C locale */

#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/error.h"
#include "../core/json.h"
#include "../core/strbuf.h"
#include "tabular.h"

static const char *const fill_names[] = {"median", "mean", "zero"};
static const char *const scale_names[] = {"minmax", "standard", "none"};

/* ---- JSON -------------------------------------------------------------------------------- */

/* Numbers are printed and read in the C locale whatever the program's LC_NUMERIC is. */
struct c_numeric {
    locale_t c, old;
};

static void c_numeric_begin(struct c_numeric *l)
{
    l->old = (locale_t)0;
    l->c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (l->c)
        l->old = uselocale(l->c);
}

static void c_numeric_end(struct c_numeric *l)
{
    if (l->c) {
        uselocale(l->old);
        freelocale(l->c);
    }
}

al_status data_tab_transform_to_json(const data_tab_transform *tf, char **json)
{
    AL_API_ENTRY;
    if (json)
        *json = NULL;
    if (!tf || !json)
        return al__fail(AL_EINVAL, "data_tab_transform_to_json: %s is NULL",
                        tf ? "json" : "the transform");
    struct al__sb b = {0};
    struct c_numeric loc;
    c_numeric_begin(&loc);
    al__sb_puts(&b, "{\n  \"format\": \"actlab-tab-transform\",\n  \"version\": 1,\n  \"target\": ");
    if (tf->target)
        al__sb_json(&b, tf->target, AL__JSON_ESC_U);
    else
        al__sb_puts(&b, "null");
    al__sb_printf(&b, ",\n  \"fill\": \"%s\",\n  \"scale\": \"%s\",\n", fill_names[tf->fill],
              scale_names[tf->scale]);
    al__sb_printf(&b, "  \"one_hot\": %s,\n  \"dummy_na\": %s,\n  \"drop_first\": %s,\n",
              tf->one_hot ? "true" : "false", tf->dummy_na ? "true" : "false",
              tf->drop_first ? "true" : "false");
    al__sb_puts(&b, "  \"sources\": [");
    for (size_t s = 0; s < tf->n_sources; s++) {
        const struct data_tab_source *src = &tf->src[s];
        al__sb_puts(&b, s ? ",\n    {\"name\": " : "\n    {\"name\": ");
        al__sb_json(&b, src->name, AL__JSON_ESC_U);
        if (src->type == DATA_COL_NUMERIC) {
            al__sb_puts(&b, ", \"type\": \"numeric\"}");
            continue;
        }
        al__sb_puts(&b, ", \"type\": \"text\", \"categories\": [");
        for (size_t k = 0; k < src->n_cats; k++) {
            if (k)
                al__sb_puts(&b, ", ");
            al__sb_json(&b, src->cats[k], AL__JSON_ESC_U);
        }
        al__sb_puts(&b, "]}");
    }
    al__sb_puts(&b, tf->n_sources ? "\n  ],\n  \"features\": [" : "],\n  \"features\": [");
    static const char *const kinds[] = {"value", "category", "nan"};
    for (size_t i = 0; i < tf->n_features; i++) {
        const struct data_tab_feature *f = &tf->feat[i];
        al__sb_puts(&b, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
        al__sb_json(&b, f->name, AL__JSON_ESC_U);
        al__sb_printf(&b, ", \"source\": %zu, \"kind\": \"%s\"", f->source, kinds[f->kind]);
        if (f->kind == FEAT_VALUE)
            al__sb_printf(&b, ", \"fill\": %.17g", f->fill);
        else if (f->kind == FEAT_CATEGORY)
            al__sb_printf(&b, ", \"category\": %zu", f->cat);
        al__sb_printf(&b, ", \"a\": %.17g", f->a);
        al__sb_printf(&b, ", \"b\": %.17g}", f->b);
    }
    al__sb_puts(&b, tf->n_features ? "\n  ]\n}\n" : "]\n}\n");
    c_numeric_end(&loc);
    if (!(*json = al__sb_take(&b)))
        return al__fail(AL_ENOMEM, "data_tab_transform_to_json: out of memory");
    return AL_OK;
}

/* A strict reader for exactly the layout above (any JSON whitespace between tokens): the
 * keys in that order, nothing else. The jp_ helpers read one token each through the core
 * reader (src/core/json.h), whose first failure sticks: after one, they do nothing. */
static int jp_fail(struct al__json *p, const char *what)
{
    return al__json_fail(p, "expected %s", what);
}

static int jp_lit(struct al__json *p, const char *lit)
{
    return al__json_expect(p, lit, NULL);
}

/* is the next token lit? (consumed when it is) */
static int jp_peek(struct al__json *p, const char *lit)
{
    return al__json_accept(p, lit);
}

/* A JSON string (malloc'd), or NULL after a failure. */
static char *jp_str(struct al__json *p)
{
    char *s;
    return al__json_string_dup(p, &s) ? NULL : s;
}

/* "key": */
static int jp_key(struct al__json *p, const char *key)
{
    if (al__json_peek(p) < 0)
        return p->rc ? p->rc : jp_fail(p, "a key");
    size_t at = p->pos;
    char *k = jp_str(p);
    if (!k)
        return p->rc;
    int same = strcmp(k, key) == 0;
    free(k);
    if (!same) {
        char what[64];
        p->pos = at;
        snprintf(what, sizeof what, "the key \"%s\"", key);
        return jp_fail(p, what);
    }
    return jp_lit(p, ":");
}

/* a finite JSON number (0 after a failure) */
static double jp_num(struct al__json *p)
{
    double v = 0;
    return al__json_number(p, &v) ? 0 : v;
}

/* a non-negative integer below limit */
static size_t jp_index(struct al__json *p, size_t limit, const char *what)
{
    size_t v = 0;
    al__json_peek(p);
    size_t at = p->pos;
    if (al__json_uint(p, &v, what))
        return 0;
    if (v >= limit) {
        p->pos = at;
        jp_fail(p, what);
        return 0;
    }
    return v;
}

static int jp_bool(struct al__json *p)
{
    if (jp_peek(p, "true"))
        return 1;
    if (jp_peek(p, "false"))
        return 0;
    jp_fail(p, "true or false");
    return 0;
}

/* one of names[0..n) as a JSON string */
static int jp_enum(struct al__json *p, const char *const *names, int n, const char *what)
{
    al__json_peek(p);
    size_t at = p->pos;
    char *s = jp_str(p);
    if (!s)
        return 0;
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0) {
            free(s);
            return i;
        }
    free(s);
    p->pos = at;
    jp_fail(p, what);
    return 0;
}

/* grows a zero-initialised array of elements of size sz to hold index i */
static int grow(void **a, size_t *cap, size_t i, size_t sz)
{
    if (i < *cap)
        return 1;
    size_t nc = *cap ? 2 * *cap : 16;
    if (nc > SIZE_MAX / sz)
        return 0;
    char *b = realloc(*a, nc * sz);
    if (!b)
        return 0;
    memset(b + *cap * sz, 0, (nc - *cap) * sz);
    *a = b;
    *cap = nc;
    return 1;
}

static void jp_sources(struct al__json *p, data_tab_transform *tf)
{
    size_t cap = 0;
    if (jp_key(p, "sources") || jp_lit(p, "["))
        return;
    if (jp_peek(p, "]"))
        return;
    do {
        if (!grow((void **)&tf->src, &cap, tf->n_sources, sizeof *tf->src)) {
            al__json_nomem(p);
            return;
        }
        struct data_tab_source *s = &tf->src[tf->n_sources++];
        if (jp_lit(p, "{") || jp_key(p, "name") || !(s->name = jp_str(p)) || jp_lit(p, ",") ||
            jp_key(p, "type"))
            return;
        static const char *const types[] = {"numeric", "text"};
        s->type = jp_enum(p, types, 2, "\"numeric\" or \"text\"") ? DATA_COL_TEXT : DATA_COL_NUMERIC;
        if (p->rc)
            return;
        if (s->type == DATA_COL_TEXT) {
            size_t ccap = 0;
            if (jp_lit(p, ",") || jp_key(p, "categories") || jp_lit(p, "["))
                return;
            if (!jp_peek(p, "]")) {
                do {
                    if (!grow((void **)&s->cats, &ccap, s->n_cats, sizeof *s->cats)) {
                        al__json_nomem(p);
                        return;
                    }
                    size_t at = p->pos;
                    if (!(s->cats[s->n_cats] = jp_str(p)))
                        return;
                    s->n_cats++;
                    if (s->n_cats > 1 &&
                        strcmp(s->cats[s->n_cats - 2], s->cats[s->n_cats - 1]) >= 0) {
                        p->pos = at;
                        jp_fail(p, "categories in strictly increasing byte order");
                        return;
                    }
                } while (jp_peek(p, ","));
                if (jp_lit(p, "]"))
                    return;
            }
        }
        if (jp_lit(p, "}"))
            return;
    } while (jp_peek(p, ","));
    jp_lit(p, "]");
}

static void jp_features(struct al__json *p, data_tab_transform *tf)
{
    static const char *const kinds[] = {"value", "category", "nan"};
    size_t cap = 0;
    if (jp_key(p, "features") || jp_lit(p, "["))
        return;
    if (jp_peek(p, "]"))
        return;
    do {
        if (!grow((void **)&tf->feat, &cap, tf->n_features, sizeof *tf->feat)) {
            al__json_nomem(p);
            return;
        }
        struct data_tab_feature *f = &tf->feat[tf->n_features++];
        if (jp_lit(p, "{") || jp_key(p, "name") || !(f->name = jp_str(p)) ||
            jp_lit(p, ",") || jp_key(p, "source"))
            return;
        f->source = jp_index(p, tf->n_sources, "a source index");
        if (jp_lit(p, ",") || jp_key(p, "kind"))
            return;
        size_t at = p->pos;
        f->kind = (enum feat_kind)jp_enum(p, kinds, 3, "\"value\", \"category\" or \"nan\"");
        if (p->rc)
            return;
        const struct data_tab_source *s = &tf->src[f->source];
        if ((f->kind == FEAT_VALUE) != (s->type == DATA_COL_NUMERIC)) {
            p->pos = at;
            jp_fail(p, f->kind == FEAT_VALUE ? "\"category\" or \"nan\" for a text source"
                                             : "\"value\" for a numeric source");
            return;
        }
        if (f->kind == FEAT_VALUE) {
            if (jp_lit(p, ",") || jp_key(p, "fill"))
                return;
            f->fill = jp_num(p);
        } else if (f->kind == FEAT_CATEGORY) {
            if (jp_lit(p, ",") || jp_key(p, "category"))
                return;
            f->cat = jp_index(p, s->n_cats, "a category index of the source");
        }
        if (jp_lit(p, ",") || jp_key(p, "a"))
            return;
        f->a = jp_num(p);
        if (jp_lit(p, ",") || jp_key(p, "b"))
            return;
        at = p->pos;
        f->b = jp_num(p);
        if (!p->rc && tf->scale == DATA_TAB_SCALE_STANDARD && f->b == 0) {
            p->pos = at;
            jp_fail(p, "a non-zero standard deviation");
            return;
        }
        if (jp_lit(p, "}"))
            return;
    } while (jp_peek(p, ","));
    jp_lit(p, "]");
}

al_status data_tab_transform_from_json(const char *json, data_tab_transform **out)
{
    AL_API_ENTRY;
    if (out)
        *out = NULL;
    if (!json || !out)
        return al__fail(AL_EINVAL, "data_tab_transform_from_json: %s is NULL",
                        json ? "out" : "json");
    data_tab_transform *tf = calloc(1, sizeof *tf);
    if (!tf)
        return al__fail(AL_ENOMEM, "out of memory reading the tabular pipeline");
    struct al__json p;
    al__json_init(&p, json, strlen(json));
    struct c_numeric loc;
    c_numeric_begin(&loc);
    if (!jp_lit(&p, "{") && !jp_key(&p, "format") && !jp_lit(&p, "\"actlab-tab-transform\"") &&
        !jp_lit(&p, ",") && !jp_key(&p, "version") && !jp_lit(&p, "1") && !jp_lit(&p, ",") &&
        !jp_key(&p, "target")) {
        if (!jp_peek(&p, "null"))
            tf->target = jp_str(&p);
        if (!jp_lit(&p, ",") && !jp_key(&p, "fill"))
            tf->fill = (data_tab_fill)jp_enum(&p, fill_names, 3, "\"median\", \"mean\" or \"zero\"");
        if (!jp_lit(&p, ",") && !jp_key(&p, "scale"))
            tf->scale =
                (data_tab_scale)jp_enum(&p, scale_names, 3, "\"minmax\", \"standard\" or \"none\"");
        if (!jp_lit(&p, ",") && !jp_key(&p, "one_hot"))
            tf->one_hot = jp_bool(&p);
        if (!jp_lit(&p, ",") && !jp_key(&p, "dummy_na"))
            tf->dummy_na = jp_bool(&p);
        if (!jp_lit(&p, ",") && !jp_key(&p, "drop_first"))
            tf->drop_first = jp_bool(&p);
        if (!jp_lit(&p, ","))
            jp_sources(&p, tf);
        if (!jp_lit(&p, ","))
            jp_features(&p, tf);
        if (!jp_lit(&p, "}") && al__json_peek(&p) != -1)
            jp_fail(&p, "the end of the text");
    }
    c_numeric_end(&loc);
    if (p.rc) {
        data_tab_transform_free(tf);
        return al__fail(p.rc, "the tabular pipeline (JSON), byte %zu: %s", p.err_pos, p.msg);
    }
    *out = tf;
    al__clear_error();
    return AL_OK;
}

