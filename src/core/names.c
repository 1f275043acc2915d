/* The one name matcher and "did you mean" of the project (include/actlab/names.h), and the
 * number reader. Matching drops '_' and '-' rather than equating them, so that the spellings
 * users bring from other libraries (PyTorch's LeakyReLU, Keras' binary_crossentropy, a
 * hyphenated CLI habit) all land on one name. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actlab/names.h"

/* lower case without '_' and '-' into out[AL_NAME_MAX + 1]; 0 when the result does not fit */
static int normalize(const char *s, size_t n, char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n && s[i]; i++) {
        if (s[i] == '_' || s[i] == '-')
            continue;
        if (k == AL_NAME_MAX)
            return out[0] = '\0', 0;
        out[k++] = (char)tolower((unsigned char)s[i]);
    }
    out[k] = '\0';
    return 1;
}

int al_name_eq(const char *typed, size_t len, const char *name)
{
    char a[AL_NAME_MAX + 1], b[AL_NAME_MAX + 1];
    if (!typed || !name || !normalize(typed, len, a) || !normalize(name, strlen(name), b))
        return 0;
    return a[0] && strcmp(a, b) == 0;
}

/* Calls fn on each space-separated word of entry; stops at the first non-zero. */
static long each_word(const char *entry, int (*fn)(const char *, size_t, void *), void *ctx)
{
    for (const char *w = entry; *w;) {
        size_t n = strcspn(w, " ");
        if (n && fn(w, n, ctx))
            return 1;
        w += n + (w[n] == ' ');
    }
    return 0;
}

struct want {
    const char *typed;
    size_t len;
};

static int word_matches(const char *w, size_t n, void *ctx)
{
    const struct want *t = ctx;
    char a[AL_NAME_MAX + 1], b[AL_NAME_MAX + 1];
    return normalize(t->typed, t->len, a) && normalize(w, n, b) && a[0] && !strcmp(a, b);
}

long al_name_find(const char *typed, size_t len, const char *const *names, size_t n)
{
    struct want t = {typed, len};
    for (size_t k = 0; typed && names && k < n; k++)
        if (names[k] && each_word(names[k], word_matches, &t))
            return (long)k;
    return -1;
}

size_t al_edit_distance(const char *a, size_t la, const char *b)
{
    size_t lb = strlen(b), row[64];
    if (la > 60 || lb > 60)
        return (size_t)-1;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best =
                diag + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

void al_suggest_init(al_suggest *s, const char *typed, size_t len)
{
    memset(s, 0, sizeof *s);
    if (typed)
        normalize(typed, len, s->typed);
    size_t n = strlen(s->typed);
    s->limit = n == 0 ? 0 : n <= 3 ? 1 : n <= 6 ? 2 : 3;
}

void al_suggest_add(al_suggest *s, const char *candidate, size_t clen, const char *shown,
                    size_t slen)
{
    char c[AL_NAME_MAX + 1];
    if (!s->typed[0] || !normalize(candidate, clen, c))
        return;
    size_t d = al_edit_distance(c, strlen(c), s->typed);
    if (d > s->limit)
        return;
    size_t at = s->n;
    for (size_t i = 0; i < s->n; i++)
        if (s->shown_len[i] == slen && !memcmp(s->shown[i], shown, slen)) {
            if (d >= s->dist[i])
                return;
            at = i; /* nearer through another of its names: move it up */
            break;
        }
    if (at == s->n && s->n < 3)
        s->n++;
    else if (at == s->n) {
        if (d >= s->dist[2])
            return; /* ties keep the earlier candidate */
        at = 2;
    }
    /* insert at its place among the first `at` entries, nearest first */
    size_t i = at;
    for (; i > 0 && s->dist[i - 1] > d; i--) {
        s->shown[i] = s->shown[i - 1];
        s->shown_len[i] = s->shown_len[i - 1];
        s->dist[i] = s->dist[i - 1];
    }
    s->shown[i] = shown;
    s->shown_len[i] = slen;
    s->dist[i] = d;
}

size_t al_suggest_format(const al_suggest *s, char *buf, size_t size)
{
    size_t used = 0;
    if (size)
        buf[0] = '\0';
    for (size_t i = 0; i < s->n; i++) {
        int w = snprintf(buf + (used < size ? used : 0), used < size ? size - used : 0,
                         "%s%.*s", i ? ", " : "; did you mean: ", (int)s->shown_len[i],
                         s->shown[i]);
        used += w > 0 ? (size_t)w : 0;
    }
    return used;
}

struct offer {
    al_suggest *s;
    const char *shown;
    size_t slen;
};

static int offer_word(const char *w, size_t n, void *ctx)
{
    struct offer *o = ctx;
    al_suggest_add(o->s, w, n, o->shown, o->slen);
    return 0;
}

void al_suggest_add_words(al_suggest *s, const char *words, const char *shown, size_t slen)
{
    struct offer o = {s, shown, slen};
    if (words)
        each_word(words, offer_word, &o);
}

size_t al_name_suggest(const char *typed, size_t len, const char *const *names, size_t n,
                       char *buf, size_t size)
{
    al_suggest s;
    al_suggest_init(&s, typed, len);
    for (size_t k = 0; names && k < n; k++)
        if (names[k])
            al_suggest_add_words(&s, names[k], names[k], strcspn(names[k], " "));
    return al_suggest_format(&s, buf, size);
}

al_num al_parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0')
        return AL_NUM_INVALID;
    if (errno == ERANGE && isinf(v))
        return AL_NUM_RANGE;
    *out = v;
    return AL_NUM_OK;
}
