/* A pull reader for JSON text (RFC 8259) that the library's strict formats are read with:
 * the safetensors header (src/data/safetensors.c) and the tabular transform
 * (src/data/tab_json.c). The caller walks its own layout token by token; the reader checks
 * the syntax of each token and decodes strings and numbers.
 *
 * Errors: the first failure is kept (rc, pos, msg) and every later call returns it without
 * reading, so a caller may chain calls and look once. The reader does not call al__fail:
 * each format wraps msg in its own message (file name, byte offset from the start of the
 * file). Nothing reads past n bytes; the text need not be NUL-terminated, and a NUL byte in
 * it is just a byte JSON does not allow. */
#ifndef ACTLAB_SRC_CORE_JSON_H
#define ACTLAB_SRC_CORE_JSON_H

#include <stddef.h>

/* Deepest nesting al__json_skip accepts: hostile text cannot exhaust memory or stack. */
#define AL__JSON_MAX_DEPTH 512

struct al__json {
    const unsigned char *s;
    size_t n, pos; /* the text is s[0..n); pos is the next byte to read */
    int rc;        /* AL_OK, or the first failure: AL_EFORMAT or AL_ENOMEM */
    size_t err_pos; /* where that failure was */
    char msg[160];  /* what it was, e.g. "unterminated string" */
};

void al__json_init(struct al__json *j, const void *text, size_t n);

/* Records a failure at the current position (unless one is recorded already) and returns
 * j->rc. For the caller's own checks too: "tensor \"a\" has no \"shape\"". */
int al__json_fail(struct al__json *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Records AL_ENOMEM ("out of memory") for the caller's own allocations while it reads. */
int al__json_nomem(struct al__json *j);

/* Skips white space and returns the next byte, or -1 at the end of the text (or after a
 * failure). */
int al__json_peek(struct al__json *j);
/* Skips white space; if the text continues with tok, consumes it and returns 1, else 0. */
int al__json_accept(struct al__json *j, const char *tok);
/* al__json_accept, or the failure "expected 'tok' where" (where may be "" or NULL). */
int al__json_expect(struct al__json *j, const char *tok, const char *where);
/* Skips white space; fails with "unexpected text after the JSON value" unless the text ends
 * there. */
int al__json_end(struct al__json *j);

/* A string, decoded: escapes resolved, surrogate pairs joined into UTF-8, raw bytes copied
 * as they are (the caller validates UTF-8 if its format needs it). Control characters must
 * be escaped; "\u0000", lone surrogates and unknown escapes are errors, since every string
 * here becomes a C string.
 * _into writes into dst, which must hold al__json_string_room() bytes (the decoded text is
 * never longer than the escaped one), followed by a NUL; *len (optional) is its length.
 * _dup gives it in a new allocation (AL_ENOMEM when there is none). */
size_t al__json_string_room(const struct al__json *j);
int al__json_string_into(struct al__json *j, char *dst, size_t *len);
int al__json_string_dup(struct al__json *j, char **out);

/* A non-negative integer that fits size_t, written without sign, fraction, exponent or
 * leading zero. what names it in messages: "a dimension" -> "a dimension is too large". */
int al__json_uint(struct al__json *j, size_t *v, const char *what);

/* A number in JSON's grammar (no leading '+', no leading zeros, no "inf" or "nan"), as the
 * nearest double (strtod: the caller sets the C locale if the program may have changed
 * LC_NUMERIC). A finite number that overflows a double is an error; one that underflows
 * rounds to a denormal or 0 as strtod does. */
int al__json_number(struct al__json *j, double *v);

/* Any one value (objects and arrays to AL__JSON_MAX_DEPTH levels), checked and skipped. */
int al__json_skip(struct al__json *j);

#endif
