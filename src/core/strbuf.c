#include "strbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for n more bytes and the NUL. Doubling keeps appends amortised O(1); the checks keep
 * len + n + 1 and the doubled capacity from wrapping around. */
static int reserve(struct al__sb *b, size_t n)
{
    if (b->failed)
        return 0;
    if (n > SIZE_MAX - 1 - b->len) {
        b->failed = 1;
        return 0;
    }
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (!p) {
        b->failed = 1;
        return 0;
    }
    b->p = p;
    b->cap = cap;
    return 1;
}

void al__sb_add(struct al__sb *b, const char *s, size_t n)
{
    if (!reserve(b, n))
        return;
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void al__sb_puts(struct al__sb *b, const char *s)
{
    al__sb_add(b, s, strlen(s));
}

void al__sb_printf(struct al__sb *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k < 0) {
        b->failed = 1;
        return;
    }
    if ((size_t)k < sizeof tmp) {
        al__sb_add(b, tmp, (size_t)k);
        return;
    }
    /* longer than tmp: format again straight into the builder */
    if (!reserve(b, (size_t)k))
        return;
    va_start(ap, fmt);
    int k2 = vsnprintf(b->p + b->len, (size_t)k + 1, fmt, ap);
    va_end(ap);
    if (k2 != k) {
        b->p[b->len] = '\0';
        b->failed = 1;
        return;
    }
    b->len += (size_t)k;
}

void al__sb_json(struct al__sb *b, const char *s, enum al__json_esc esc)
{
    al__sb_add(b, "\"", 1);
    const char *run = s; /* bytes that need no escape are appended in one piece */
    for (;; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        al__sb_add(b, run, (size_t)(s - run));
        if (!ch)
            break;
        run = s + 1;
        char e[8];
        if (ch == '"' || ch == '\\') {
            e[0] = '\\';
            e[1] = (char)ch;
            al__sb_add(b, e, 2);
        } else if (esc == AL__JSON_ESC_SHORT && ch == '\n') {
            al__sb_add(b, "\\n", 2);
        } else if (esc == AL__JSON_ESC_SHORT && ch == '\t') {
            al__sb_add(b, "\\t", 2);
        } else {
            snprintf(e, sizeof e, "\\u%04x", ch);
            al__sb_add(b, e, 6);
        }
    }
    al__sb_add(b, "\"", 1);
}

char *al__sb_take(struct al__sb *b)
{
    if (!b->failed && !b->p)
        al__sb_add(b, "", 0);
    char *p = b->failed ? NULL : b->p;
    if (!p)
        free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
    return p;
}

void al__sb_free(struct al__sb *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}
