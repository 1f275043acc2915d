/* The fitted tabular pipeline as JSON (tab_transform_to_json) and back
 * (tab_transform_from_json), so that `data prepare` and `predict` apply the same numbers. */
#define _POSIX_C_SOURCE 200809L /* newlocale/uselocale: JSON numbers in the C locale */

#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/error.h"
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

struct sbuf {
    char *p;
    size_t n, cap;
    int oom;
};

static void sb_add(struct sbuf *b, const char *s, size_t len)
{
    if (b->oom)
        return;
    if (len >= b->cap - b->n) {
        size_t cap = b->cap ? b->cap : 4096;
        while (len >= cap - b->n) {
            if (cap > SIZE_MAX / 2) {
                b->oom = 1;
                return;
            }
            cap *= 2;
        }
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, len);
    b->n += len;
    b->p[b->n] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= sizeof tmp)
        b->oom = 1;
    else
        sb_add(b, tmp, (size_t)k);
}

static void sb_str(struct sbuf *b, const char *s)
{
    sb_add(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            sb_add(b, e, 2);
        } else if (c < 0x20) {
            sb_printf(b, "\\u%04x", c);
        } else {
            sb_add(b, (const char *)&c, 1);
        }
    }
    sb_add(b, "\"", 1);
}

int tab_transform_to_json(const tab_transform *tf, char **json)
{
    if (json)
        *json = NULL;
    if (!tf || !json)
        return al__fail(AL_EINVAL, "tab_transform_to_json: %s is NULL",
                        tf ? "json" : "the transform");
    struct sbuf b = {0};
    struct c_numeric loc;
    c_numeric_begin(&loc);
    sb_puts(&b, "{\n  \"format\": \"actlab-tab-transform\",\n  \"version\": 1,\n  \"target\": ");
    if (tf->target)
        sb_str(&b, tf->target);
    else
        sb_puts(&b, "null");
    sb_printf(&b, ",\n  \"fill\": \"%s\",\n  \"scale\": \"%s\",\n", fill_names[tf->fill],
              scale_names[tf->scale]);
    sb_printf(&b, "  \"one_hot\": %s,\n  \"dummy_na\": %s,\n  \"drop_first\": %s,\n",
              tf->one_hot ? "true" : "false", tf->dummy_na ? "true" : "false",
              tf->drop_first ? "true" : "false");
    sb_puts(&b, "  \"sources\": [");
    for (size_t s = 0; s < tf->n_sources; s++) {
        const struct tab_source *src = &tf->src[s];
        sb_puts(&b, s ? ",\n    {\"name\": " : "\n    {\"name\": ");
        sb_str(&b, src->name);
        if (src->type == TAB_NUMERIC) {
            sb_puts(&b, ", \"type\": \"numeric\"}");
            continue;
        }
        sb_puts(&b, ", \"type\": \"text\", \"categories\": [");
        for (size_t k = 0; k < src->n_cats; k++) {
            if (k)
                sb_puts(&b, ", ");
            sb_str(&b, src->cats[k]);
        }
        sb_puts(&b, "]}");
    }
    sb_puts(&b, tf->n_sources ? "\n  ],\n  \"features\": [" : "],\n  \"features\": [");
    static const char *const kinds[] = {"value", "category", "nan"};
    for (size_t i = 0; i < tf->n_features; i++) {
        const struct tab_feature *f = &tf->feat[i];
        sb_puts(&b, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
        sb_str(&b, f->name);
        sb_printf(&b, ", \"source\": %zu, \"kind\": \"%s\"", f->source, kinds[f->kind]);
        if (f->kind == FEAT_VALUE)
            sb_printf(&b, ", \"fill\": %.17g", f->fill);
        else if (f->kind == FEAT_CATEGORY)
            sb_printf(&b, ", \"category\": %zu", f->cat);
        sb_printf(&b, ", \"a\": %.17g", f->a);
        sb_printf(&b, ", \"b\": %.17g}", f->b);
    }
    sb_puts(&b, tf->n_features ? "\n  ]\n}\n" : "]\n}\n");
    c_numeric_end(&loc);
    if (b.oom) {
        free(b.p);
        return al__fail(AL_ENOMEM, "tab_transform_to_json: out of memory");
    }
    *json = b.p;
    return AL_OK;
}

/* A strict reader for exactly the layout above (any JSON whitespace between tokens): the
 * keys in that order, nothing else. */
struct jp {
    const char *s;
    size_t pos;
    int rc;
};

static int jp_fail(struct jp *p, const char *what)
{
    if (!p->rc)
        p->rc = al__fail(AL_EFORMAT, "the tabular pipeline (JSON), byte %zu: expected %s",
                         p->pos, what);
    return p->rc;
}

static void jp_ws(struct jp *p)
{
    while (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' ||
           p->s[p->pos] == '\r')
        p->pos++;
}

static int jp_lit(struct jp *p, const char *lit)
{
    if (p->rc)
        return p->rc;
    jp_ws(p);
    size_t n = strlen(lit);
    if (strncmp(p->s + p->pos, lit, n) != 0) {
        char what[64];
        snprintf(what, sizeof what, "'%s'", lit);
        return jp_fail(p, what);
    }
    p->pos += n;
    return AL_OK;
}

/* is the next token lit? (consumed when it is) */
static int jp_peek(struct jp *p, const char *lit)
{
    if (p->rc)
        return 0;
    jp_ws(p);
    size_t n = strlen(lit);
    if (strncmp(p->s + p->pos, lit, n) != 0)
        return 0;
    p->pos += n;
    return 1;
}

static int hex4(const char *s, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return 0;
        *v = *v * 16 + (unsigned)d;
    }
    return 1;
}

/* A JSON string (malloc'd, UTF-8; \u0000 refused since names are C strings). */
static char *jp_str(struct jp *p)
{
    if (jp_lit(p, "\""))
        return NULL;
    size_t start = p->pos, n = 0;
    /* the decoded text is never longer than the escaped one */
    while (p->s[start + n] && p->s[start + n] != '"')
        n += p->s[start + n] == '\\' && p->s[start + n + 1] ? 2 : 1;
    char *out = malloc(n + 1), *o = out;
    if (!out) {
        p->rc = al__fail(AL_ENOMEM, "out of memory reading the tabular pipeline");
        return NULL;
    }
    for (;;) {
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c == '"') {
            p->pos++;
            break;
        }
        if (c < 0x20) {
            jp_fail(p, c ? "a string without control characters" : "the end of a string");
            free(out);
            return NULL;
        }
        p->pos++;
        if (c != '\\') {
            *o++ = (char)c;
            continue;
        }
        char e = p->s[p->pos++];
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e && simple) {
            static const char map[] = "\"\\/\b\f\n\r\t";
            *o++ = map[simple - "\"\\/bfnrt"];
            continue;
        }
        unsigned u, lo;
        if (e != 'u' || !hex4(p->s + p->pos, &u)) {
            p->pos--;
            jp_fail(p, "a valid escape");
            free(out);
            return NULL;
        }
        p->pos += 4;
        if (u >= 0xD800 && u < 0xDC00 && p->s[p->pos] == '\\' && p->s[p->pos + 1] == 'u' &&
            hex4(p->s + p->pos + 2, &lo) && lo >= 0xDC00 && lo < 0xE000) {
            u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            p->pos += 6;
        } else if (u >= 0xD800 && u < 0xE000) {
            jp_fail(p, "a complete surrogate pair");
            free(out);
            return NULL;
        }
        if (u == 0) {
            jp_fail(p, "no \\u0000 in a name");
            free(out);
            return NULL;
        }
        /* an escape is at least 6 bytes and decodes to at most 4 (12 -> 4 for a pair) */
        if (u < 0x80) {
            *o++ = (char)u;
        } else if (u < 0x800) {
            *o++ = (char)(0xC0 | (u >> 6));
            *o++ = (char)(0x80 | (u & 0x3F));
        } else if (u < 0x10000) {
            *o++ = (char)(0xE0 | (u >> 12));
            *o++ = (char)(0x80 | ((u >> 6) & 0x3F));
            *o++ = (char)(0x80 | (u & 0x3F));
        } else {
            *o++ = (char)(0xF0 | (u >> 18));
            *o++ = (char)(0x80 | ((u >> 12) & 0x3F));
            *o++ = (char)(0x80 | ((u >> 6) & 0x3F));
            *o++ = (char)(0x80 | (u & 0x3F));
        }
    }
    *o = '\0';
    return out;
}

/* "key": */
static int jp_key(struct jp *p, const char *key)
{
    if (p->rc)
        return p->rc;
    jp_ws(p);
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

/* a finite JSON number */
static double jp_num(struct jp *p)
{
    if (p->rc)
        return 0;
    jp_ws(p);
    const char *s = p->s + p->pos;
    size_t i = 0;
    if (s[i] == '-')
        i++;
    if (s[i] == '0') {
        i++;
    } else if (s[i] >= '1' && s[i] <= '9') {
        while (s[i] >= '0' && s[i] <= '9')
            i++;
    } else {
        jp_fail(p, "a number");
        return 0;
    }
    if (s[i] == '.') {
        i++;
        if (!(s[i] >= '0' && s[i] <= '9')) {
            jp_fail(p, "a number");
            return 0;
        }
        while (s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (s[i] == 'e' || s[i] == 'E') {
        i++;
        if (s[i] == '+' || s[i] == '-')
            i++;
        if (!(s[i] >= '0' && s[i] <= '9')) {
            jp_fail(p, "a number");
            return 0;
        }
        while (s[i] >= '0' && s[i] <= '9')
            i++;
    }
    char tmp[64];
    if (i >= sizeof tmp) {
        jp_fail(p, "a number of at most 63 characters");
        return 0;
    }
    memcpy(tmp, s, i);
    tmp[i] = '\0';
    char *end;
    double v = strtod(tmp, &end);
    if (end != tmp + i || !isfinite(v)) {
        jp_fail(p, "a finite number");
        return 0;
    }
    p->pos += i;
    return v;
}

/* a non-negative integer below limit */
static size_t jp_index(struct jp *p, size_t limit, const char *what)
{
    if (p->rc)
        return 0;
    jp_ws(p);
    size_t v = 0, i = 0;
    const char *s = p->s + p->pos;
    while (s[i] >= '0' && s[i] <= '9' && v <= SIZE_MAX / 10 - 1)
        v = v * 10 + (size_t)(s[i++] - '0');
    if (i == 0 || (s[i] >= '0' && s[i] <= '9') || v >= limit) {
        jp_fail(p, what);
        return 0;
    }
    p->pos += i;
    return v;
}

static int jp_bool(struct jp *p)
{
    if (jp_peek(p, "true"))
        return 1;
    if (jp_peek(p, "false"))
        return 0;
    jp_fail(p, "true or false");
    return 0;
}

/* one of names[0..n) as a JSON string */
static int jp_enum(struct jp *p, const char *const *names, int n, const char *what)
{
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

static void jp_sources(struct jp *p, tab_transform *tf)
{
    size_t cap = 0;
    if (jp_key(p, "sources") || jp_lit(p, "["))
        return;
    if (jp_peek(p, "]"))
        return;
    do {
        if (!grow((void **)&tf->src, &cap, tf->n_sources, sizeof *tf->src)) {
            p->rc = al__fail(AL_ENOMEM, "out of memory reading the tabular pipeline");
            return;
        }
        struct tab_source *s = &tf->src[tf->n_sources++];
        if (jp_lit(p, "{") || jp_key(p, "name") || !(s->name = jp_str(p)) || jp_lit(p, ",") ||
            jp_key(p, "type"))
            return;
        static const char *const types[] = {"numeric", "text"};
        s->type = jp_enum(p, types, 2, "\"numeric\" or \"text\"") ? TAB_TEXT : TAB_NUMERIC;
        if (p->rc)
            return;
        if (s->type == TAB_TEXT) {
            size_t ccap = 0;
            if (jp_lit(p, ",") || jp_key(p, "categories") || jp_lit(p, "["))
                return;
            if (!jp_peek(p, "]")) {
                do {
                    if (!grow((void **)&s->cats, &ccap, s->n_cats, sizeof *s->cats)) {
                        p->rc = al__fail(AL_ENOMEM, "out of memory reading the tabular pipeline");
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

static void jp_features(struct jp *p, tab_transform *tf)
{
    static const char *const kinds[] = {"value", "category", "nan"};
    size_t cap = 0;
    if (jp_key(p, "features") || jp_lit(p, "["))
        return;
    if (jp_peek(p, "]"))
        return;
    do {
        if (!grow((void **)&tf->feat, &cap, tf->n_features, sizeof *tf->feat)) {
            p->rc = al__fail(AL_ENOMEM, "out of memory reading the tabular pipeline");
            return;
        }
        struct tab_feature *f = &tf->feat[tf->n_features++];
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
        const struct tab_source *s = &tf->src[f->source];
        if ((f->kind == FEAT_VALUE) != (s->type == TAB_NUMERIC)) {
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
        if (!p->rc && tf->scale == TAB_SCALE_STANDARD && f->b == 0) {
            p->pos = at;
            jp_fail(p, "a non-zero standard deviation");
            return;
        }
        if (jp_lit(p, "}"))
            return;
    } while (jp_peek(p, ","));
    jp_lit(p, "]");
}

int tab_transform_from_json(const char *json, tab_transform **out)
{
    if (out)
        *out = NULL;
    if (!json || !out)
        return al__fail(AL_EINVAL, "tab_transform_from_json: %s is NULL",
                        json ? "out" : "json");
    tab_transform *tf = calloc(1, sizeof *tf);
    if (!tf)
        return al__fail(AL_ENOMEM, "out of memory reading the tabular pipeline");
    struct jp p = {json, 0, AL_OK};
    struct c_numeric loc;
    c_numeric_begin(&loc);
    if (!jp_lit(&p, "{") && !jp_key(&p, "format") && !jp_lit(&p, "\"actlab-tab-transform\"") &&
        !jp_lit(&p, ",") && !jp_key(&p, "version") && !jp_lit(&p, "1") && !jp_lit(&p, ",") &&
        !jp_key(&p, "target")) {
        if (!jp_peek(&p, "null"))
            tf->target = jp_str(&p);
        if (!jp_lit(&p, ",") && !jp_key(&p, "fill"))
            tf->fill = (tab_fill)jp_enum(&p, fill_names, 3, "\"median\", \"mean\" or \"zero\"");
        if (!jp_lit(&p, ",") && !jp_key(&p, "scale"))
            tf->scale =
                (tab_scale)jp_enum(&p, scale_names, 3, "\"minmax\", \"standard\" or \"none\"");
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
        if (!jp_lit(&p, "}")) {
            jp_ws(&p);
            if (p.s[p.pos])
                jp_fail(&p, "the end of the text");
        }
    }
    c_numeric_end(&loc);
    if (p.rc) {
        tab_transform_free(tf);
        return p.rc;
    }
    *out = tf;
    al__clear_error();
    return AL_OK;
}

