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
 * it rather than call strtod (which would also depend on the locale): csv_number.c. */
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/error.h"
#include "../core/text.h"
#include "actlab/table.h"
#include "csv_number.h"

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
                size_t j = al__hash_str(m->e[i].key) & (cap - 1);
                while (e[j].key)
                    j = (j + 1) & (cap - 1);
                e[j] = m->e[i];
            }
        free(m->e);
        m->e = e;
        m->cap = cap;
    }
    size_t j = al__hash_str(key) & (m->cap - 1);
    while (m->e[j].key) {
        if (strcmp(m->e[j].key, key) == 0)
            return &m->e[j];
        j = (j + 1) & (m->cap - 1);
    }
    if (!(m->e[j].key = al__str_dup(key)))
        return NULL;
    m->used++;
    return &m->e[j];
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
            names[i] = al__str_dup(tmp);
        } else {
            names[i] = al__str_dup(f->store + f->off[i]);
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
        if (data__is_na(WORD(r), WLEN(r))) {
            num[r] = NAN;
            continue;
        }
        if ((e = data__parse_int64(WORD(r), &v)) != NUM_OK)
            break;
        num[r] = (double)v;
    }
    if (e == NUM_OK)
        return KIND_NUMBER;
    if (e == NUM_OVERFLOW) {
        struct uint_state st = {0, 0, 0};
        for (r = 0; r < n_rows; r++) {
            uint64_t v;
            if (data__is_na(WORD(r), WLEN(r))) {
                st.seen_null = 1;
                continue;
            }
            if ((e = data__parse_uint64(&st, WORD(r), &v)) != NUM_OK)
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
        if (data__is_na(WORD(r), WLEN(r))) {
            num[r] = NAN;
            continue;
        }
        int k = data__parse_float(WORD(r), &num[r]);
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
        if (data__is_na(WORD(r), WLEN(r))) {
            num[r] = NAN;
            n_na++;
            continue;
        }
        int b = data__parse_bool(WORD(r));
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
        if (kind != KIND_TEXT_RAW && data__is_na(w, wl)) {
            text[r] = NULL;
            col->n_missing++;
            continue;
        }
        if (kind == KIND_BOOL_NA) {
            w = data__parse_bool(w) ? "True" : "False";
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
