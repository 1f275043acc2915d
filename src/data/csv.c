/* CSV in: an RFC 4180 tokenizer with the leniencies of pandas 1.5's C engine, and pandas'
 * column type inference, so that a table read here has the same columns, types, missing
 * values and numbers as pd.read_csv(path) with default options.
 *
 * The tokenizer follows pandas' state machine (pandas/_libs/src/parser/tokenizer.c): a
 * field that starts with '"' is quoted until the next lone '"' ("" is a literal quote) and
 * anything after the closing quote is appended as plain text; a '"' inside an unquoted
 * field is literal; LF, CRLF and a lone CR end a line; a line that is empty or holds only
 * spaces and tabs is skipped anywhere; a UTF-8 BOM at the start is dropped. Field text is
 * kept exactly as written: pandas strips nothing.
 *
 * The numbers are pandas' own: integers by its str_to_int64/str_to_uint64 (surrounding
 * whitespace allowed), the rest by its precise_xstrtod, which is not always correctly
 * rounded (99999999999999999999 reads as 1.0000000000000002e+20, as in pandas), so we port
 * it rather than call strtod (which would also depend on the locale). */
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/error.h"
#include "actlab/table.h"

/* ---- number parsing (ports of pandas 1.5 tokenizer.c) ----------------------------------- */

static int isspace_ascii(int c)
{
    return c == ' ' || c == '\f' || c == '\n' || c == '\r' || c == '\t' || c == '\v';
}

static int isdigit_ascii(int c)
{
    return c >= '0' && c <= '9';
}

static int lower_ascii(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* strcasecmp for ASCII letters only, independent of the locale */
static int equal_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (lower_ascii((unsigned char)*a) != lower_ascii((unsigned char)*b))
            return 0;
    return *a == *b;
}

enum num_err { NUM_OK, NUM_INVALID, NUM_OVERFLOW };

/* pandas str_to_int64: overflow is reported as soon as the digits overflow, before the
 * trailing characters are looked at (this decides which fallback pandas takes). */
static enum num_err parse_int64(const char *p, int64_t *out)
{
    int neg = 0;
    int64_t v = 0;
    while (isspace_ascii((unsigned char)*p))
        p++;
    if (*p == '-') {
        neg = 1;
        p++;
    } else if (*p == '+') {
        p++;
    }
    if (!isdigit_ascii((unsigned char)*p))
        return NUM_INVALID;
    if (neg) {
        const int64_t pre_min = INT64_MIN / 10;
        const int dig_pre_min = (int)-(INT64_MIN % 10);
        for (; isdigit_ascii((unsigned char)*p); p++) {
            int d = *p - '0';
            if (v > pre_min || (v == pre_min && d <= dig_pre_min))
                v = v * 10 - d;
            else
                return NUM_OVERFLOW;
        }
    } else {
        const int64_t pre_max = INT64_MAX / 10;
        const int dig_pre_max = (int)(INT64_MAX % 10);
        for (; isdigit_ascii((unsigned char)*p); p++) {
            int d = *p - '0';
            if (v < pre_max || (v == pre_max && d <= dig_pre_max))
                v = v * 10 + d;
            else
                return NUM_OVERFLOW;
        }
    }
    while (isspace_ascii((unsigned char)*p))
        p++;
    if (*p)
        return NUM_INVALID;
    *out = v;
    return NUM_OK;
}

struct uint_state {
    int seen_sint, seen_uint, seen_null;
};

/* pandas str_to_uint64: any value that starts with '-' only marks seen_sint. */
static enum num_err parse_uint64(struct uint_state *st, const char *p, uint64_t *out)
{
    const uint64_t pre_max = UINT64_MAX / 10;
    const int dig_pre_max = (int)(UINT64_MAX % 10);
    uint64_t v = 0;
    *out = 0;
    while (isspace_ascii((unsigned char)*p))
        p++;
    if (*p == '-') {
        st->seen_sint = 1;
        return NUM_OK;
    } else if (*p == '+') {
        p++;
    }
    if (!isdigit_ascii((unsigned char)*p))
        return NUM_INVALID;
    for (; isdigit_ascii((unsigned char)*p); p++) {
        int d = *p - '0';
        if (v < pre_max || (v == pre_max && d <= dig_pre_max))
            v = v * 10 + (uint64_t)d;
        else
            return NUM_OVERFLOW;
    }
    while (isspace_ascii((unsigned char)*p))
        p++;
    if (*p)
        return NUM_INVALID;
    if (v > (uint64_t)INT64_MAX)
        st->seen_uint = 1;
    *out = v;
    return NUM_OK;
}

/* pandas precise_xstrtod (decimal '.', sci 'e'/'E', no thousands separator, trailing
 * whitespace skipped). Returns 0 with *end past the number, -1 without digits, or -2 with
 * *end past the number when its value is out of range (pandas' ERANGE for both). The
 * exponent is accumulated in 64 bits where pandas uses int; both agree for every exponent
 * of at most 9 digits. */
static int precise_xstrtod(const char *str, const char **end, double *out)
{
    static const double e[] = {
        1.,    1e1,   1e2,   1e3,   1e4,   1e5,   1e6,   1e7,   1e8,   1e9,   1e10,  1e11,
        1e12,  1e13,  1e14,  1e15,  1e16,  1e17,  1e18,  1e19,  1e20,  1e21,  1e22,  1e23,
        1e24,  1e25,  1e26,  1e27,  1e28,  1e29,  1e30,  1e31,  1e32,  1e33,  1e34,  1e35,
        1e36,  1e37,  1e38,  1e39,  1e40,  1e41,  1e42,  1e43,  1e44,  1e45,  1e46,  1e47,
        1e48,  1e49,  1e50,  1e51,  1e52,  1e53,  1e54,  1e55,  1e56,  1e57,  1e58,  1e59,
        1e60,  1e61,  1e62,  1e63,  1e64,  1e65,  1e66,  1e67,  1e68,  1e69,  1e70,  1e71,
        1e72,  1e73,  1e74,  1e75,  1e76,  1e77,  1e78,  1e79,  1e80,  1e81,  1e82,  1e83,
        1e84,  1e85,  1e86,  1e87,  1e88,  1e89,  1e90,  1e91,  1e92,  1e93,  1e94,  1e95,
        1e96,  1e97,  1e98,  1e99,  1e100, 1e101, 1e102, 1e103, 1e104, 1e105, 1e106, 1e107,
        1e108, 1e109, 1e110, 1e111, 1e112, 1e113, 1e114, 1e115, 1e116, 1e117, 1e118, 1e119,
        1e120, 1e121, 1e122, 1e123, 1e124, 1e125, 1e126, 1e127, 1e128, 1e129, 1e130, 1e131,
        1e132, 1e133, 1e134, 1e135, 1e136, 1e137, 1e138, 1e139, 1e140, 1e141, 1e142, 1e143,
        1e144, 1e145, 1e146, 1e147, 1e148, 1e149, 1e150, 1e151, 1e152, 1e153, 1e154, 1e155,
        1e156, 1e157, 1e158, 1e159, 1e160, 1e161, 1e162, 1e163, 1e164, 1e165, 1e166, 1e167,
        1e168, 1e169, 1e170, 1e171, 1e172, 1e173, 1e174, 1e175, 1e176, 1e177, 1e178, 1e179,
        1e180, 1e181, 1e182, 1e183, 1e184, 1e185, 1e186, 1e187, 1e188, 1e189, 1e190, 1e191,
        1e192, 1e193, 1e194, 1e195, 1e196, 1e197, 1e198, 1e199, 1e200, 1e201, 1e202, 1e203,
        1e204, 1e205, 1e206, 1e207, 1e208, 1e209, 1e210, 1e211, 1e212, 1e213, 1e214, 1e215,
        1e216, 1e217, 1e218, 1e219, 1e220, 1e221, 1e222, 1e223, 1e224, 1e225, 1e226, 1e227,
        1e228, 1e229, 1e230, 1e231, 1e232, 1e233, 1e234, 1e235, 1e236, 1e237, 1e238, 1e239,
        1e240, 1e241, 1e242, 1e243, 1e244, 1e245, 1e246, 1e247, 1e248, 1e249, 1e250, 1e251,
        1e252, 1e253, 1e254, 1e255, 1e256, 1e257, 1e258, 1e259, 1e260, 1e261, 1e262, 1e263,
        1e264, 1e265, 1e266, 1e267, 1e268, 1e269, 1e270, 1e271, 1e272, 1e273, 1e274, 1e275,
        1e276, 1e277, 1e278, 1e279, 1e280, 1e281, 1e282, 1e283, 1e284, 1e285, 1e286, 1e287,
        1e288, 1e289, 1e290, 1e291, 1e292, 1e293, 1e294, 1e295, 1e296, 1e297, 1e298, 1e299,
        1e300, 1e301, 1e302, 1e303, 1e304, 1e305, 1e306, 1e307, 1e308};
    const int max_digits = 17;
    const char *p = str;
    double number = 0.;
    int64_t exponent = 0;
    int negative = 0, num_digits = 0, num_decimals = 0;

    while (isspace_ascii((unsigned char)*p))
        p++;
    if (*p == '-') {
        negative = 1;
        p++;
    } else if (*p == '+') {
        p++;
    }
    for (; isdigit_ascii((unsigned char)*p); p++) {
        if (num_digits < max_digits) {
            number = number * 10. + (*p - '0');
            num_digits++;
        } else {
            exponent++;
        }
    }
    if (*p == '.') {
        p++;
        while (num_digits < max_digits && isdigit_ascii((unsigned char)*p)) {
            number = number * 10. + (*p - '0');
            p++;
            num_digits++;
            num_decimals++;
        }
        if (num_digits >= max_digits)
            while (isdigit_ascii((unsigned char)*p))
                p++;
        exponent -= num_decimals;
    }
    if (num_digits == 0)
        return -1;
    if (negative)
        number = -number;
    if (*p == 'e' || *p == 'E') {
        int eneg = 0, edigits = 0;
        int64_t n = 0;
        p++;
        if (*p == '-') {
            eneg = 1;
            p++;
        } else if (*p == '+') {
            p++;
        }
        while (edigits < max_digits && isdigit_ascii((unsigned char)*p)) {
            n = n * 10 + (*p - '0');
            edigits++;
            p++;
        }
        exponent += eneg ? -n : n;
        if (edigits == 0) /* no digits after the 'e': un-consume it (a sign stays eaten) */
            p--;
    }
    int range = 0;
    if (exponent > 308)
        range = 1;
    else if (exponent > 0)
        number *= e[exponent];
    else if (exponent < -308) {
        if (exponent < -616) {
            number = 0.;
        } else {
            number /= e[-308 - exponent];
            number /= e[308];
        }
    } else {
        number /= e[-exponent];
    }
    range |= number == HUGE_VAL || number == -HUGE_VAL;
    while (isspace_ascii((unsigned char)*p))
        p++;
    *end = p;
    if (range)
        return -2;
    *out = number;
    return 0;
}

/* pandas _try_double for one word: precise_xstrtod over the whole word, else the spellings
 * of infinity (whole word, ASCII case-insensitive, no surrounding space). 1 for a number,
 * 0 for none, -1 for a number beyond the range of a double ("1e999", "0e400"). */
static int parse_float(const char *w, double *out)
{
    const char *end = w;
    int r = precise_xstrtod(w, &end, out);
    if (r != -1 && end != w && !*end)
        return r == 0 ? 1 : -1;
    if (equal_nocase(w, "inf") || equal_nocase(w, "+inf") || equal_nocase(w, "Infinity") ||
        equal_nocase(w, "+Infinity")) {
        *out = INFINITY;
        return 1;
    }
    if (equal_nocase(w, "-inf") || equal_nocase(w, "-Infinity")) {
        *out = -INFINITY;
        return 1;
    }
    return 0;
}

/* 1 true, 0 false, -1 neither: pandas' true_values/false_values plus its to_boolean, which
 * compares "TRUE"/"FALSE" case-insensitively, so "tRuE" is true. */
static int parse_bool(const char *w)
{
    if (equal_nocase(w, "true"))
        return 1;
    if (equal_nocase(w, "false"))
        return 0;
    return -1;
}

/* Shared with tabular.c (a table built elsewhere may hold numbers as text): the value of a
 * word the way a numeric column would read it (int64, then float), or a true/false word as
 * 1/0. Returns 1 when it is one. */
int data__parse_number(const char *w, double *out);
int data__parse_number(const char *w, double *out)
{
    int64_t i;
    if (parse_int64(w, &i) == NUM_OK) {
        *out = (double)i;
        return 1;
    }
    if (parse_float(w, out) > 0)
        return 1;
    int b = parse_bool(w);
    if (b >= 0) {
        *out = b;
        return 1;
    }
    return 0;
}

/* pandas 1.5 STR_NA_VALUES, exactly: "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN",
 * "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "n/a", "nan",
 * "null"; dispatched on the length since every word of the file comes through here. */
static int is_na(const char *w, size_t len)
{
#define IS(s) (memcmp(w, s, len) == 0)
    switch (len) {
    case 0:
        return 1;
    case 2:
        return IS("NA");
    case 3:
        return IS("#NA") || IS("N/A") || IS("NaN") || IS("n/a") || IS("nan");
    case 4:
        return IS("#N/A") || IS("-NaN") || IS("-nan") || IS("<NA>") || IS("NULL") || IS("null");
    case 6:
        return IS("1.#IND");
    case 7:
        return IS("-1.#IND") || IS("1.#QNAN");
    case 8:
        return IS("#N/A N/A") || IS("-1.#QNAN");
    default:
        return 0;
    }
#undef IS
}

/* ---- tokenizer --------------------------------------------------------------------------- */

/* Field i's text is store + off[i], NUL-terminated; the fields lie back to back, so its
 * length is off[i + 1] - off[i] - 1 (off has one more entry, the end). */
struct fields {
    char *store;
    size_t store_used;
    size_t *off;
    size_t n, cap;
    size_t *line, line_cap; /* line[k]: the line where record k (0: the header) starts */
};

#define FLEN(f, i) ((f)->off[(i) + 1] - (f)->off[i] - 1)

static void push_field(struct fields *f, size_t start)
{
    assert(f->n < f->cap); /* tokenize counted the separators */
    f->off[f->n] = start;
    f->n++;
    f->store[f->store_used++] = '\0';
}

/* Splits buf into fields; every record must have as many as the header (the first
 * record). On success *n_cols is the header's width and f->n a multiple of it. */
static int tokenize(const char *name, const unsigned char *buf, size_t len, struct fields *f,
                    size_t *n_cols)
{
    size_t pos = 0, line = 1, records = 0;
    *n_cols = 0;
    if (len >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF)
        pos = 3;
    /* every input byte gives at most one stored byte, every field one NUL, and there are
     * at most len + 1 fields */
    if (len > (SIZE_MAX - 2) / 2)
        return al__fail(AL_ENOMEM, "%s: %zu bytes is too large", name, len);
    f->store = malloc(2 * len + 2);
    if (!f->store)
        return al__fail(AL_ENOMEM, "%s: out of memory for %zu bytes", name, len);
    /* a field ends at a comma, a line end or the end: room for all of them at once */
    size_t seps = 1;
    for (size_t i = 0; i < len; i++)
        seps += buf[i] == ',' || buf[i] == '\n' || buf[i] == '\r';
    f->off = malloc((seps + 1) * sizeof *f->off);
    if (!f->off)
        return al__fail(AL_ENOMEM, "%s: out of memory for %zu fields", name, seps);
    f->cap = seps;

    while (pos < len) {
        /* a line of nothing but spaces and tabs is skipped, as pandas' skip_blank_lines */
        size_t q = pos;
        while (q < len && (buf[q] == ' ' || buf[q] == '\t'))
            q++;
        if (q == len)
            break;
        if (buf[q] == '\n' || buf[q] == '\r') {
            pos = q + 1 + (buf[q] == '\r' && q + 1 < len && buf[q + 1] == '\n');
            line++;
            continue;
        }

        size_t rec_line = line, nf = 0;
        for (;;) { /* one field per iteration */
            size_t start = f->store_used;
            int ended_by_comma = 0;
            if (pos < len && buf[pos] == '"') {
                size_t quote_line = line;
                pos++;
                for (;;) {
                    if (pos == len)
                        return al__fail(AL_EFORMAT,
                                        "%s:%zu: the quoted field starting on this line is "
                                        "never closed",
                                        name, quote_line);
                    unsigned char c = buf[pos++];
                    if (c == '"') {
                        if (pos < len && buf[pos] == '"') {
                            f->store[f->store_used++] = '"';
                            pos++;
                            continue;
                        }
                        break;
                    }
                    if (c == '\0')
                        return al__fail(AL_EFORMAT, "%s:%zu: NUL byte in a field", name, line);
                    if (c == '\n' || (c == '\r' && !(pos < len && buf[pos] == '\n')))
                        line++;
                    f->store[f->store_used++] = (char)c;
                }
            }
            /* unquoted text, or what follows a closing quote: up to ',' or the line end */
            while (pos < len) {
                unsigned char c = buf[pos];
                if (c == ',' || c == '\n' || c == '\r')
                    break;
                if (c == '\0')
                    return al__fail(AL_EFORMAT, "%s:%zu: NUL byte in a field", name, line);
                f->store[f->store_used++] = (char)c;
                pos++;
            }
            if (pos < len && buf[pos] == ',') {
                ended_by_comma = 1;
                pos++;
            }
            push_field(f, start);
            nf++;
            if (!ended_by_comma)
                break;
        }
        if (pos < len) { /* the line end: \n, \r\n or a lone \r */
            pos += 1 + (buf[pos] == '\r' && pos + 1 < len && buf[pos + 1] == '\n');
            line++;
        }
        if (records == f->line_cap) {
            size_t cap = f->line_cap ? 2 * f->line_cap : 64; /* records <= fields: no overflow */
            size_t *nl = realloc(f->line, cap * sizeof *nl);
            if (!nl)
                return al__fail(AL_ENOMEM, "%s: out of memory at line %zu", name, rec_line);
            f->line = nl;
            f->line_cap = cap;
        }
        f->line[records] = rec_line;
        if (records == 0)
            *n_cols = nf;
        else if (nf != *n_cols)
            return al__fail(AL_EFORMAT, "%s:%zu: %zu field%s, expected %zu", name, rec_line, nf,
                            nf == 1 ? "" : "s", *n_cols);
        records++;
    }
    if (records == 0)
        return al__fail(AL_EFORMAT, "%s: empty file: no header line", name);
    f->off[f->n] = f->store_used;
    return AL_OK;
}

/* ---- column names: pandas' "Unnamed: I" and duplicate mangling -------------------------- */

/* A string -> (occurrences in the current header, pandas' counts[]) map. Keys are owned. */
struct name_map {
    struct name_ent {
        char *key;
        size_t in_header, count;
    } *e;
    size_t cap, used;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3u;
    return h;
}

static void name_map_free(struct name_map *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->e[i].key);
    free(m->e);
}

/* The entry for key, inserted (zeroed) when absent; NULL when out of memory. */
static struct name_ent *name_map_get(struct name_map *m, const char *key)
{
    if (2 * (m->used + 1) > m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 64;
        struct name_ent *e = calloc(cap, sizeof *e);
        if (!e)
            return NULL;
        for (size_t i = 0; i < m->cap; i++)
            if (m->e[i].key) {
                size_t j = hash_str(m->e[i].key) & (cap - 1);
                while (e[j].key)
                    j = (j + 1) & (cap - 1);
                e[j] = m->e[i];
            }
        free(m->e);
        m->e = e;
        m->cap = cap;
    }
    size_t j = hash_str(key) & (m->cap - 1);
    while (m->e[j].key) {
        if (strcmp(m->e[j].key, key) == 0)
            return &m->e[j];
        j = (j + 1) & (m->cap - 1);
    }
    size_t n = strlen(key) + 1;
    if (!(m->e[j].key = malloc(n)))
        return NULL;
    memcpy(m->e[j].key, key, n);
    m->used++;
    return &m->e[j];
}

static char *str_dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* names[i] (malloc'd) from the header fields, as pandas' TextReader._get_header: empty ones
 * become "Unnamed: i"; then, named columns first and unnamed ones after, a repeated name X
 * becomes X.1, X.2, ... skipping names present anywhere in the header. */
static int header_names(const char *name, const struct fields *f, size_t n_cols, char **names)
{
    struct name_map m = {0};
    size_t *order = malloc(n_cols * sizeof *order);
    char *buf = NULL;
    int rc = AL_ENOMEM;
    if (!order)
        goto done;
    size_t k = 0;
    for (size_t i = 0; i < n_cols; i++) {
        if (FLEN(f, i) == 0) {
            char tmp[48];
            snprintf(tmp, sizeof tmp, "Unnamed: %zu", i);
            names[i] = str_dup(tmp);
        } else {
            names[i] = str_dup(f->store + f->off[i]);
            order[k++] = i;
        }
        if (!names[i])
            goto done;
        struct name_ent *en = name_map_get(&m, names[i]);
        if (!en)
            goto done;
        en->in_header++;
    }
    for (size_t i = 0; i < n_cols; i++)
        if (FLEN(f, i) == 0)
            order[k++] = i;

    for (size_t oi = 0; oi < n_cols; oi++) {
        size_t i = order[oi];
        struct name_ent *en = name_map_get(&m, names[i]);
        if (!en)
            goto done;
        size_t cur = en->count;
        if (cur > 0) {
            size_t base_len = strlen(names[i]);
            char *col = NULL;
            while (cur > 0) {
                struct name_ent *old = name_map_get(&m, names[i]);
                if (!old)
                    goto done;
                old->count = cur + 1;
                free(buf);
                if (!(buf = malloc(base_len + 24)))
                    goto done;
                snprintf(buf, base_len + 24, "%s.%zu", names[i], cur);
                struct name_ent *ne = name_map_get(&m, buf);
                if (!ne)
                    goto done;
                if (ne->in_header > 0)
                    cur++;
                else
                    cur = ne->count;
            }
            col = buf;
            buf = NULL;
            struct name_ent *old = name_map_get(&m, names[i]), *ne;
            if (!old)
                goto done;
            old->in_header--;
            free(names[i]);
            names[i] = col;
            if (!(ne = name_map_get(&m, col)))
                goto done;
            ne->in_header++;
            ne->count = cur + 1;
        } else {
            en->count = cur + 1;
        }
    }
    rc = AL_OK;
done:
    free(buf);
    free(order);
    name_map_free(&m);
    if (rc)
        return al__fail(rc, "%s: out of memory for the column names", name);
    return AL_OK;
}

/* ---- type inference: pandas' _convert_tokens -------------------------------------------- */

enum col_kind {
    KIND_NUMBER,   /* int64, uint64, float64, or bool without missing values (as 0/1) */
    KIND_BOOL_NA,  /* true/false words and missing values: pandas' object True/False/NaN */
    KIND_TEXT_NA,  /* text, the NA markers missing */
    KIND_TEXT_RAW, /* text with every word kept, NA markers too (a pandas uint64 corner) */
    KIND_OUT_OF_RANGE /* numbers, one of them beyond the range of a double */
};

#define WORD(r) (f->store + f->off[(size_t)(r) * n_cols + j + n_cols])
#define WLEN(r) FLEN(f, (size_t)(r) * n_cols + j + n_cols)

/* Fills col->num for a numeric column (ints exact, then float) or decides text. Mirrors
 * pandas' order: int64; on overflow uint64 (whose outcomes include "text, NA markers not
 * recognised"); float64; bool; text. KIND_OUT_OF_RANGE sets *out_of_range to the row. */
static enum col_kind infer(const struct fields *f, size_t n_cols, size_t j, size_t n_rows,
                           double *num, size_t *out_of_range)
{
    size_t r;
    enum num_err e = NUM_OK;
    for (r = 0; r < n_rows; r++) {
        int64_t v;
        if (is_na(WORD(r), WLEN(r))) {
            num[r] = NAN;
            continue;
        }
        if ((e = parse_int64(WORD(r), &v)) != NUM_OK)
            break;
        num[r] = (double)v;
    }
    if (e == NUM_OK)
        return KIND_NUMBER;
    if (e == NUM_OVERFLOW) {
        struct uint_state st = {0, 0, 0};
        for (r = 0; r < n_rows; r++) {
            uint64_t v;
            if (is_na(WORD(r), WLEN(r))) {
                st.seen_null = 1;
                continue;
            }
            if ((e = parse_uint64(&st, WORD(r), &v)) != NUM_OK)
                break;
            num[r] = (double)v;
        }
        if (e == NUM_OVERFLOW)
            return KIND_TEXT_NA;
        if (e == NUM_OK) {
            if (st.seen_uint && (st.seen_sint || st.seen_null))
                return KIND_TEXT_RAW; /* pandas: "Cannot convert to numerical dtype" */
            if (st.seen_sint)
                return KIND_TEXT_NA;
            return KIND_NUMBER;
        }
        /* NUM_INVALID: pandas goes on to float64 */
    }
    /* A column of numbers but for some too large for a double would be text in pandas, and
     * its numbers would become categories without a word; we stop instead (explicit inf
     * stays a number) */
    *out_of_range = SIZE_MAX;
    for (r = 0; r < n_rows; r++) {
        if (is_na(WORD(r), WLEN(r))) {
            num[r] = NAN;
            continue;
        }
        int k = parse_float(WORD(r), &num[r]);
        if (k == 0)
            break;
        if (k < 0 && *out_of_range == SIZE_MAX)
            *out_of_range = r;
    }
    if (r == n_rows)
        return *out_of_range == SIZE_MAX ? KIND_NUMBER : KIND_OUT_OF_RANGE;
    *out_of_range = SIZE_MAX;
    size_t n_na = 0;
    for (r = 0; r < n_rows; r++) {
        if (is_na(WORD(r), WLEN(r))) {
            num[r] = NAN;
            n_na++;
            continue;
        }
        int b = parse_bool(WORD(r));
        if (b < 0)
            break;
        num[r] = b;
    }
    if (r == n_rows)
        return n_na ? KIND_BOOL_NA : KIND_NUMBER; /* bool with NaN: pandas upcasts to object */
    return KIND_TEXT_NA;
}

/* A text column: one block holding the n_rows pointers and then the strings. With a bool
 * column that has missing values, the words become "True"/"False", as pandas' objects. */
static int make_text(const struct fields *f, size_t n_cols, size_t j, size_t n_rows,
                     enum col_kind kind, data_column *col)
{
    size_t bytes = 0, r;
    for (r = 0; r < n_rows; r++)
        bytes += WLEN(r) + 1; /* bounded by the input size */
    if (n_rows > (SIZE_MAX - bytes) / sizeof(char *))
        return AL_ENOMEM;
    char **text = malloc(n_rows * sizeof(char *) + bytes + 1);
    if (!text)
        return AL_ENOMEM;
    char *s = (char *)(text + n_rows);
    col->n_missing = 0;
    for (r = 0; r < n_rows; r++) {
        const char *w = WORD(r);
        size_t wl = WLEN(r);
        if (kind != KIND_TEXT_RAW && is_na(w, wl)) {
            text[r] = NULL;
            col->n_missing++;
            continue;
        }
        if (kind == KIND_BOOL_NA) {
            w = parse_bool(w) ? "True" : "False";
            wl = strlen(w);
        }
        memcpy(s, w, wl + 1);
        text[r] = s;
        s += wl + 1;
    }
    col->type = DATA_COL_TEXT;
    col->text = text;
    return AL_OK;
}

#undef WORD
#undef WLEN

static int build(const char *name, const struct fields *f, size_t n_cols, data_table *out)
{
    size_t n_rows = f->n / n_cols - 1;
    data_column *cols = calloc(n_cols, sizeof *cols);
    char **names = calloc(n_cols, sizeof *names);
    int rc = AL_OK;
    out->cols = cols;
    out->n_cols = n_cols;
    out->n_rows = n_rows;
    if (!cols || !names) {
        free(names);
        return al__fail(AL_ENOMEM, "%s: out of memory for %zu columns", name, n_cols);
    }
    if ((rc = header_names(name, f, n_cols, names))) {
        for (size_t j = 0; j < n_cols; j++)
            free(names[j]);
        free(names);
        return rc;
    }
    for (size_t j = 0; j < n_cols; j++)
        cols[j].name = names[j];
    free(names);

    for (size_t j = 0; j < n_cols; j++) {
        data_column *c = &cols[j];
        if (n_rows == 0) { /* pandas: a header alone gives object columns */
            c->type = DATA_COL_TEXT;
            continue;
        }
        double *num = malloc(n_rows * sizeof *num);
        if (!num)
            return al__fail(AL_ENOMEM, "%s: out of memory for column '%s'", name, c->name);
        size_t bad;
        enum col_kind kind = infer(f, n_cols, j, n_rows, num, &bad);
        if (kind == KIND_OUT_OF_RANGE) {
            free(num);
            const char *w = f->store + f->off[(bad + 1) * n_cols + j];
            return al__fail(AL_EFORMAT, "%s:%zu: column '%s': '%.40s%s' is out of range "
                                        "(beyond +-1.8e308; write inf for infinity)", name,
                            f->line[bad + 1], c->name, w, strlen(w) > 40 ? "..." : "");
        }
        if (kind == KIND_NUMBER) {
            c->type = DATA_COL_NUMERIC;
            c->num = num;
            for (size_t r = 0; r < n_rows; r++)
                c->n_missing += isnan(num[r]) != 0;
            continue;
        }
        free(num);
        if ((rc = make_text(f, n_cols, j, n_rows, kind, c)))
            return al__fail(rc, "%s: out of memory for column '%s'", name, c->name);
    }
    return AL_OK;
}

al_status data_csv_parse(const char *name, const void *text, size_t len, data_table *out)
{
    AL_API_ENTRY;
    if (!out)
        return al__fail(AL_EINVAL, "data_csv_parse: out is NULL");
    memset(out, 0, sizeof *out);
    if (!name)
        name = "<memory>";
    if (!text && len)
        return al__fail(AL_EINVAL, "data_csv_parse: text is NULL");
    struct fields f = {0};
    size_t n_cols = 0;
    int rc = tokenize(name, text ? text : "", len, &f, &n_cols);
    if (rc == AL_OK)
        rc = build(name, &f, n_cols, out);
    free(f.store);
    free(f.off);
    free(f.line);
    if (rc)
        data_table_free(out);
    else
        al__clear_error();
    return rc;
}

al_status data_csv_read(const char *path, data_table *out)
{
    AL_API_ENTRY;
    if (!out)
        return al__fail(AL_EINVAL, "data_csv_read: out is NULL");
    memset(out, 0, sizeof *out);
    if (!path)
        return al__fail(AL_EINVAL, "data_csv_read: path is NULL");
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return al__fail(AL_EIO, "cannot read %s: %s", path, strerror(errno));
    size_t cap = 1 << 16, len = 0;
    /* a regular file's size saves regrowing the buffer; it is only a hint (pipes have none,
     * a directory claims LONG_MAX), so the reading below does not rely on it */
    long size = -1;
    if (fseek(fp, 0, SEEK_END) == 0 && (size = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0 &&
        size < (1L << 30))
        cap = (size_t)size + 1;
    clearerr(fp);
    rewind(fp);
    char *buf = malloc(cap);
    if (!buf) {
        fclose(fp);
        return al__fail(AL_ENOMEM, "%s: out of memory", path);
    }
    for (;;) {
        if (len == cap) {
            char *nb = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
            if (!nb) {
                free(buf);
                fclose(fp);
                return al__fail(AL_ENOMEM, "%s: out of memory after %zu bytes", path, len);
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len, fp);
        len += got;
        if (got == 0)
            break;
    }
    int bad = ferror(fp), err = errno;
    fclose(fp);
    if (bad) {
        free(buf);
        return al__fail(AL_EIO, "cannot read %s: %s", path, strerror(err ? err : EIO));
    }
    int rc = data_csv_parse(path, buf, len, out);
    free(buf);
    return rc;
}

void data_table_free(data_table *t)
{
    if (!t)
        return;
    for (size_t j = 0; t->cols && j < t->n_cols; j++) {
        free(t->cols[j].name);
        free(t->cols[j].num);
        free(t->cols[j].text);
    }
    free(t->cols);
    memset(t, 0, sizeof *t);
}

long data_table_find_column(const data_table *t, const char *name)
{
    if (!t || !name || !t->cols)
        return -1;
    for (size_t j = 0; j < t->n_cols; j++)
        if (t->cols[j].name && strcmp(t->cols[j].name, name) == 0)
            return (long)j;
    return -1;
}
