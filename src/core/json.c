#include "json.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actlab/status.h"

void al__json_init(struct al__json *j, const void *text, size_t n)
{
    memset(j, 0, sizeof *j);
    j->s = text;
    j->n = text ? n : 0;
}

__attribute__((format(printf, 3, 0))) static int record(struct al__json *j, int rc,
                                                       const char *fmt, va_list ap)
{
    if (j->rc)
        return j->rc;
    vsnprintf(j->msg, sizeof j->msg, fmt, ap);
    j->rc = rc;
    j->err_pos = j->pos;
    return rc;
}

int al__json_fail(struct al__json *j, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = record(j, AL_EFORMAT, fmt, ap);
    va_end(ap);
    return rc;
}

static int no_memory(struct al__json *j, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int no_memory(struct al__json *j, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = record(j, AL_ENOMEM, fmt, ap);
    va_end(ap);
    return rc;
}

int al__json_nomem(struct al__json *j)
{
    return no_memory(j, "out of memory");
}

static void skip_ws(struct al__json *j)
{
    while (j->pos < j->n && (j->s[j->pos] == ' ' || j->s[j->pos] == '\t' ||
                             j->s[j->pos] == '\n' || j->s[j->pos] == '\r'))
        j->pos++;
}

/* the byte at pos + k, or -1 past the end */
static int at(const struct al__json *j, size_t k)
{
    return k < j->n - j->pos ? j->s[j->pos + k] : -1;
}

int al__json_peek(struct al__json *j)
{
    if (j->rc)
        return -1;
    skip_ws(j);
    return at(j, 0);
}

int al__json_accept(struct al__json *j, const char *tok)
{
    if (j->rc)
        return 0;
    skip_ws(j);
    size_t n = strlen(tok);
    if (n > j->n - j->pos || memcmp(j->s + j->pos, tok, n) != 0)
        return 0;
    j->pos += n;
    return 1;
}

int al__json_expect(struct al__json *j, const char *tok, const char *where)
{
    if (al__json_accept(j, tok))
        return AL_OK;
    if (j->rc)
        return j->rc;
    return al__json_fail(j, "expected '%s'%s%s", tok, where && *where ? " " : "",
                         where ? where : "");
}

int al__json_end(struct al__json *j)
{
    if (j->rc)
        return j->rc;
    skip_ws(j);
    if (j->pos != j->n)
        return al__json_fail(j, "unexpected text after the JSON value");
    return AL_OK;
}

/* ---- strings ------------------------------------------------------------------------------ */

static int hex4(struct al__json *j, uint32_t *v)
{
    *v = 0;
    for (size_t k = 0; k < 4; k++) {
        int h = at(j, k);
        int d = h >= '0' && h <= '9' ? h - '0'
              : h >= 'a' && h <= 'f' ? h - 'a' + 10
              : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                     : -1;
        if (d < 0)
            return al__json_fail(j, "\\u needs four hex digits");
        *v = *v << 4 | (uint32_t)d;
    }
    j->pos += 4;
    return AL_OK;
}

static size_t put_utf8(char *d, uint32_t cp)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (char)(0xC0 | cp >> 6);
        d[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (char)(0xE0 | cp >> 12);
        d[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        d[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    d[0] = (char)(0xF0 | cp >> 18);
    d[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    d[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    d[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* After "\u": one code point, a surrogate pair joined. */
static int unicode_escape(struct al__json *j, uint32_t *out)
{
    uint32_t cp = 0, lo = 0;
    int rc = hex4(j, &cp);
    if (rc)
        return rc;
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return al__json_fail(j, "lone low surrogate \\u%04X", (unsigned)cp);
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (at(j, 0) != '\\' || at(j, 1) != 'u')
            return al__json_fail(j, "high surrogate \\u%04X without its low half", (unsigned)cp);
        j->pos += 2;
        if ((rc = hex4(j, &lo)))
            return rc;
        if (lo < 0xDC00 || lo > 0xDFFF)
            return al__json_fail(j, "high surrogate \\u%04X followed by \\u%04X", (unsigned)cp,
                                 (unsigned)lo);
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    }
    if (cp == 0)
        return al__json_fail(j, "\\u0000 in a string (strings here are C strings)");
    *out = cp;
    return AL_OK;
}

size_t al__json_string_room(const struct al__json *j)
{
    return j->n - j->pos + 1;
}

/* Decodes into dst, or only measures when dst is NULL: every escape is at least as long as
 * what it decodes to ("\u00e9" is 6 bytes for 2, a pair 12 for 4), so the room above is
 * enough. */
static int string(struct al__json *j, char *dst, size_t *len)
{
    if (j->rc)
        return j->rc;
    skip_ws(j);
    if (at(j, 0) != '"')
        return al__json_fail(j, "expected a string in double quotes");
    size_t start = j->pos++, k = 0;
    for (;;) {
        int ch = at(j, 0);
        if (ch < 0) {
            j->pos = start;
            return al__json_fail(j, "unterminated string");
        }
        if (ch == '"') {
            j->pos++;
            break;
        }
        if (ch < 0x20)
            return al__json_fail(j, "control character 0x%02x in a string (JSON needs it "
                                    "escaped)", (unsigned)ch);
        if (ch != '\\') {
            if (dst)
                dst[k] = (char)ch;
            k++;
            j->pos++;
            continue;
        }
        int e = at(j, 1);
        if (e < 0) {
            j->pos = start;
            return al__json_fail(j, "unterminated string");
        }
        j->pos += 2;
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        const char *simple = e ? strchr(from, e) : NULL;
        if (simple) {
            if (dst)
                dst[k] = to[simple - from];
            k++;
            continue;
        }
        if (e != 'u') {
            j->pos--;
            return al__json_fail(j, "unknown escape '\\%c'", e >= 0x20 && e < 0x7f ? e : '?');
        }
        uint32_t cp = 0;
        char tmp[4];
        int rc = unicode_escape(j, &cp);
        if (rc)
            return rc;
        size_t m = put_utf8(dst ? dst + k : tmp, cp);
        k += m;
    }
    if (dst)
        dst[k] = '\0';
    if (len)
        *len = k;
    return AL_OK;
}

int al__json_string_into(struct al__json *j, char *dst, size_t *len)
{
    return string(j, dst, len);
}

int al__json_string_dup(struct al__json *j, char **out)
{
    *out = NULL;
    size_t start = j->pos, len;
    int rc = string(j, NULL, &len);
    if (rc)
        return rc;
    char *d = malloc(len + 1);
    if (!d)
        return no_memory(j, "out of memory for a %zu-byte string", len);
    j->pos = start;
    string(j, d, NULL); /* the same text again: it cannot fail now */
    *out = d;
    return AL_OK;
}

/* ---- numbers ------------------------------------------------------------------------------ */

int al__json_uint(struct al__json *j, size_t *v, const char *what)
{
    int ch = al__json_peek(j);
    if (j->rc)
        return j->rc;
    if (ch == '-')
        return al__json_fail(j, "%s must not be negative", what);
    if (ch < '0' || ch > '9')
        return al__json_fail(j, "expected %s (a non-negative integer)", what);
    size_t start = j->pos, x = 0;
    while ((ch = at(j, 0)) >= '0' && ch <= '9') {
        size_t d = (size_t)(ch - '0');
        if (x > (SIZE_MAX - d) / 10) {
            j->pos = start;
            return al__json_fail(j, "%s is too large", what);
        }
        x = x * 10 + d;
        j->pos++;
    }
    if (j->s[start] == '0' && j->pos - start > 1) {
        j->pos = start;
        return al__json_fail(j, "%s has a leading zero", what);
    }
    if (ch == '.' || ch == 'e' || ch == 'E')
        return al__json_fail(j, "%s must be a whole number", what);
    *v = x;
    return AL_OK;
}

static size_t digits(const struct al__json *j, size_t i)
{
    while (i < j->n && j->s[i] >= '0' && j->s[i] <= '9')
        i++;
    return i;
}

int al__json_number(struct al__json *j, double *v)
{
    al__json_peek(j);
    if (j->rc)
        return j->rc;
    size_t i = j->pos, d;
    if (i < j->n && j->s[i] == '-')
        i++;
    if (i < j->n && j->s[i] == '0')
        i++;
    else if ((d = digits(j, i)) > i)
        i = d;
    else
        return al__json_fail(j, "expected a number");
    if (i < j->n && j->s[i] == '.') {
        if ((d = digits(j, i + 1)) == i + 1)
            return al__json_fail(j, "expected a number (digits after the '.')");
        i = d;
    }
    if (i < j->n && (j->s[i] == 'e' || j->s[i] == 'E')) {
        i++;
        if (i < j->n && (j->s[i] == '+' || j->s[i] == '-'))
            i++;
        if ((d = digits(j, i)) == i)
            return al__json_fail(j, "expected a number (digits in the exponent)");
        i = d;
    }
    /* strtod needs a NUL after the number, which the text need not have */
    size_t len = i - j->pos;
    char small[64], *tmp = len < sizeof small ? small : malloc(len + 1);
    if (!tmp)
        return no_memory(j, "out of memory for a %zu-digit number", len);
    memcpy(tmp, j->s + j->pos, len);
    tmp[len] = '\0';
    char *end;
    double x = strtod(tmp, &end);
    int whole = end == tmp + len;
    if (tmp != small)
        free(tmp);
    if (!whole)
        return al__json_fail(j, "expected a number that strtod reads whole (is LC_NUMERIC C?)");
    if (!isfinite(x))
        return al__json_fail(j, "expected a finite number (this one is beyond a double's range)");
    j->pos = i;
    *v = x;
    return AL_OK;
}

/* ---- any value ---------------------------------------------------------------------------- */

int al__json_skip(struct al__json *j)
{
    /* one bit per open container: 1 object, 0 array; iterative, so depth costs no stack */
    unsigned char open[AL__JSON_MAX_DEPTH / 8];
    size_t depth = 0;
    double num;
    for (;;) {
        /* a value */
        int ch = al__json_peek(j);
        if (j->rc)
            return j->rc;
        if (ch == '{' || ch == '[') {
            if (depth == AL__JSON_MAX_DEPTH)
                return al__json_fail(j, "nested deeper than %d levels", AL__JSON_MAX_DEPTH);
            int obj = ch == '{';
            if (obj)
                open[depth / 8] = (unsigned char)(open[depth / 8] | 1u << depth % 8);
            else
                open[depth / 8] = (unsigned char)(open[depth / 8] & ~(1u << depth % 8));
            depth++;
            j->pos++;
            if (al__json_accept(j, obj ? "}" : "]")) {
                depth--;
            } else {
                if (obj && (string(j, NULL, NULL) || al__json_expect(j, ":", "after a key")))
                    return j->rc;
                continue;
            }
        } else if (ch == '"') {
            if (string(j, NULL, NULL))
                return j->rc;
        } else if (ch == '-' || (ch >= '0' && ch <= '9')) {
            if (al__json_number(j, &num))
                return j->rc;
        } else if (!al__json_accept(j, "true") && !al__json_accept(j, "false") &&
                   !al__json_accept(j, "null")) {
            return al__json_fail(j, "expected a JSON value");
        }
        /* after a value: close containers, or go on to the next element */
        for (;;) {
            if (depth == 0)
                return AL_OK;
            int obj = open[(depth - 1) / 8] >> (depth - 1) % 8 & 1;
            if (al__json_accept(j, obj ? "}" : "]")) {
                depth--;
                continue;
            }
            if (al__json_expect(j, ",", obj ? "or '}' in an object" : "or ']' in an array"))
                return j->rc;
            if (obj && (string(j, NULL, NULL) || al__json_expect(j, ":", "after a key")))
                return j->rc;
            break;
        }
    }
}
