/* src/core/json.c and strbuf.c: the JSON reader on hostile text (deep nesting, bad escapes,
 * huge numbers, truncation at every byte, \u0000, lone and broken surrogates, NUL bytes) and
 * the string builder (growth, printf of any length, escaping, the overflow check). Expected
 * values are written out by hand from RFC 8259 and UTF-8's definition; the FNV-1a hashes are
 * the published test vectors. Every text is copied into an allocation of exactly its length,
 * without a NUL, so ASan reports any read past the end. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actlab/status.h"
#include "core/json.h"
#include "core/strbuf.h"
#include "core/text.h"

/* a reader over an exact-size copy of s[0..n); free the copy with done() */
static char *copy;
static struct al__json *open_n(const char *s, size_t n)
{
    static struct al__json j;
    copy = malloc(n ? n : 1);
    cr_assert_not_null(copy);
    memcpy(copy, s, n);
    al__json_init(&j, copy, n);
    return &j;
}
static struct al__json *open_s(const char *s)
{
    return open_n(s, strlen(s));
}
static void done(struct al__json *j)
{
    (void)j;
    free(copy);
    copy = NULL;
}

/* ---- strings ------------------------------------------------------------------------------ */

static const struct {
    const char *json, *want;
    size_t want_len;
} good_strings[] = {
    {"\"\"", "", 0},
    {"  \"abc\"", "abc", 3},
    {"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8},
    {"\"\\u0041\\u00e9\\u00E9\"", "A\xc3\xa9\xc3\xa9", 5},
    {"\"\\u20ac\\u07ff\\u0800\\uffff\"", "\xe2\x82\xac\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf", 11},
    {"\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4},            /* U+1F600 */
    {"\"\\uD800\\uDC00\\uDBFF\\uDFFF\"", "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", 8}, /* ends */
    {"\"\xc3\xa9\xf0\x9f\x98\x80 raw\"", "\xc3\xa9\xf0\x9f\x98\x80 raw", 10},
    {"\"\x7f\"", "\x7f", 1},
};

Test(json, strings_decode)
{
    for (size_t i = 0; i < sizeof good_strings / sizeof good_strings[0]; i++) {
        struct al__json *j = open_s(good_strings[i].json);
        char *s = NULL;
        cr_assert_eq(al__json_string_dup(j, &s), AL_OK, "%s: %s", good_strings[i].json, j->msg);
        cr_assert_eq(memcmp(s, good_strings[i].want, good_strings[i].want_len + 1), 0,
                     "%s decoded to '%s'", good_strings[i].json, s);
        cr_assert_eq(strlen(s), good_strings[i].want_len);
        cr_assert_eq(al__json_end(j), AL_OK);
        free(s);
        done(j);

        /* into a buffer of exactly the promised room */
        j = open_s(good_strings[i].json);
        size_t room = al__json_string_room(j), len;
        char *buf = malloc(room);
        cr_assert_eq(al__json_string_into(j, buf, &len), AL_OK);
        cr_assert_eq(len, good_strings[i].want_len);
        cr_assert_eq(memcmp(buf, good_strings[i].want, len + 1), 0);
        free(buf);
        done(j);
    }
}

static const struct {
    const char *json;
    size_t n; /* 0: strlen */
    const char *what;
    size_t at; /* byte the error names */
} bad_strings[] = {
    {"abc", 0, "expected a string", 0},
    {"", 0, "expected a string", 0},
    {"\"abc", 0, "unterminated string", 0},
    {"  \"abc\\", 0, "unterminated string", 2},
    {"\"a\\x\"", 0, "unknown escape '\\x'", 3},
    {"\"a\\'\"", 0, "unknown escape '\\''", 3},
    {"\"a\\U0041\"", 0, "unknown escape '\\U'", 3},
    {"\"\\u12\"", 0, "four hex digits", 3},
    {"\"\\u12", 0, "four hex digits", 3},
    {"\"\\u12g4\"", 0, "four hex digits", 3},
    {"\"\\u0000\"", 0, "\\u0000 in a string", 7},
    {"\"ab\\u0000cd\"", 0, "\\u0000 in a string", 9},
    {"\"\\udc00\"", 0, "lone low surrogate \\uDC00", 7},
    {"\"\\udfff\\ud800\"", 0, "lone low surrogate \\uDFFF", 7},
    {"\"\\ud800\"", 0, "high surrogate \\uD800 without its low half", 7},
    {"\"\\ud800x\"", 0, "without its low half", 7},
    {"\"\\ud800\\n\"", 0, "without its low half", 7},
    {"\"\\ud800\\u0041\"", 0, "high surrogate \\uD800 followed by \\u0041", 13},
    {"\"\\ud800\\ud800\"", 0, "followed by \\uD800", 13},
    {"\"\\ud800\\u00", 0, "four hex digits", 9},
    {"\"a\tb\"", 0, "control character 0x09", 2},
    {"\"a\nb\"", 0, "control character 0x0a", 2},
    {"\"a\0b\"", 5, "control character 0x00", 2},
};

Test(json, strings_refused)
{
    for (size_t i = 0; i < sizeof bad_strings / sizeof bad_strings[0]; i++) {
        const char *src = bad_strings[i].json;
        size_t n = bad_strings[i].n ? bad_strings[i].n : strlen(src);
        struct al__json *j = open_n(src, n);
        char *s = (char *)1;
        cr_assert_eq(al__json_string_dup(j, &s), AL_EFORMAT, "%s accepted", src);
        cr_assert_null(s);
        cr_assert(strstr(j->msg, bad_strings[i].what), "%s: '%s' lacks '%s'", src, j->msg,
                  bad_strings[i].what);
        cr_assert_eq(j->err_pos, bad_strings[i].at, "%s: error at byte %zu, expected %zu", src,
                     j->err_pos, bad_strings[i].at);
        done(j);
    }
}

/* Every proper prefix of a string full of escapes is refused, and nothing is read past it. */
Test(json, strings_truncated_anywhere)
{
    const char *full = "\"a\\\"\\\\\\u00e9\\ud83d\\ude00\xc3\xa9 z\"";
    size_t n = strlen(full);
    for (size_t k = 0; k < n; k++) {
        struct al__json *j = open_n(full, k);
        char *s;
        cr_assert_eq(al__json_string_dup(j, &s), AL_EFORMAT, "prefix of %zu bytes accepted", k);
        done(j);
    }
    struct al__json *j = open_n(full, n);
    char *s;
    cr_assert_eq(al__json_string_dup(j, &s), AL_OK, "%s", j->msg);
    cr_assert_str_eq(s, "a\"\\\xc3\xa9\xf0\x9f\x98\x80\xc3\xa9 z");
    free(s);
    done(j);
}

/* ---- numbers ------------------------------------------------------------------------------ */

static const struct {
    const char *json;
    double want;
} good_numbers[] = {
    {"0", 0.0},
    {"-0", -0.0},
    {"7", 7.0},
    {"-12.5", -12.5},
    {"1.5e3", 1500.0},
    {"1E-2", 0.01},
    {"2e+2", 200.0},
    {"0.1", 0.1},
    {"123456789012345678901234567890", 1.2345678901234568e29},
    {"1.7976931348623157e308", 1.7976931348623157e308}, /* DBL_MAX */
    {"4.9406564584124654e-324", 4.9406564584124654e-324}, /* the least denormal */
    {"1e-400", 0.0},                                       /* underflows to zero */
    {"-1e-400", -0.0},
};

Test(json, numbers)
{
    for (size_t i = 0; i < sizeof good_numbers / sizeof good_numbers[0]; i++) {
        struct al__json *j = open_s(good_numbers[i].json);
        double v = NAN;
        cr_assert_eq(al__json_number(j, &v), AL_OK, "%s: %s", good_numbers[i].json, j->msg);
        cr_assert(v == good_numbers[i].want && signbit(v) == signbit(good_numbers[i].want),
                  "%s read as %.17g", good_numbers[i].json, v);
        cr_assert_eq(j->pos, strlen(good_numbers[i].json));
        done(j);
    }
}

/* Numbers longer than any buffer: 0.000...0001e400 with 399 zeros is exactly 1, and a
 * thousand digits is beyond a double. */
Test(json, numbers_huge)
{
    char buf[1200];
    size_t k = 0;
    buf[k++] = '0';
    buf[k++] = '.';
    for (int i = 0; i < 399; i++)
        buf[k++] = '0';
    memcpy(buf + k, "1e400", 5);
    k += 5;
    struct al__json *j = open_n(buf, k);
    double v = 0;
    cr_assert_eq(al__json_number(j, &v), AL_OK, "%s", j->msg);
    cr_assert_eq(v, 1.0, "%.17g", v);
    done(j);

    buf[0] = '1';
    for (k = 1; k < 1000; k++)
        buf[k] = '0';
    j = open_n(buf, k);
    cr_assert_eq(al__json_number(j, &v), AL_EFORMAT);
    cr_assert(strstr(j->msg, "finite"), "%s", j->msg);
    done(j);

    const char *over[] = {"1e309", "-1e400", "1e99999999999999999999"};
    for (int i = 0; i < 3; i++) {
        j = open_s(over[i]);
        cr_assert_eq(al__json_number(j, &v), AL_EFORMAT, "%s accepted", over[i]);
        cr_assert(strstr(j->msg, "finite"), "%s: %s", over[i], j->msg);
        done(j);
    }
}

Test(json, numbers_refused)
{
    /* not JSON numbers at all */
    const char *bad[] = {"", "+1", ".5", "-", "-.5", "1.", "1.e5", "1e", "1e+", "e5",
                         "NaN", "nan", "Infinity", "-Infinity", "inf", "true", "\"1\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct al__json *j = open_s(bad[i]);
        double v;
        cr_assert_eq(al__json_number(j, &v), AL_EFORMAT, "'%s' accepted", bad[i]);
        cr_assert(strstr(j->msg, "number"), "%s: %s", bad[i], j->msg);
        done(j);
    }
    /* a number followed by more text: the number ends where JSON says, the rest is left */
    const char *tail[] = {"01", "0x10", "1.5.2", "1e5e5", "00"};
    for (size_t i = 0; i < sizeof tail / sizeof tail[0]; i++) {
        struct al__json *j = open_s(tail[i]);
        double v;
        cr_assert_eq(al__json_number(j, &v), AL_OK, "%s", tail[i]);
        cr_assert_eq(al__json_end(j), AL_EFORMAT, "'%s' read whole", tail[i]);
        done(j);
    }
}

Test(json, unsigned_integers)
{
    struct al__json *j = open_s(" 18446744073709551615");
    size_t v = 0;
    cr_assert_eq(al__json_uint(j, &v, "a size"), AL_OK, "%s", j->msg);
    cr_assert_eq(v, SIZE_MAX);
    done(j);
    static const struct {
        const char *json, *what;
    } bad[] = {
        {"18446744073709551616", "a size is too large"},
        {"99999999999999999999999", "a size is too large"},
        {"-1", "a size must not be negative"},
        {"01", "a size has a leading zero"},
        {"1.0", "a size must be a whole number"},
        {"1e3", "a size must be a whole number"},
        {"x", "expected a size"},
        {"", "expected a size"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        j = open_s(bad[i].json);
        cr_assert_eq(al__json_uint(j, &v, "a size"), AL_EFORMAT, "%s accepted", bad[i].json);
        cr_assert(strstr(j->msg, bad[i].what), "%s: '%s'", bad[i].json, j->msg);
        done(j);
    }
}

/* ---- whole values and nesting ------------------------------------------------------------- */

static int skip_all(const char *s, size_t n, char *msg, size_t size)
{
    struct al__json *j = open_n(s, n);
    int rc = al__json_skip(j);
    if (!rc)
        rc = al__json_end(j);
    snprintf(msg, size, "%s", j->msg);
    done(j);
    return rc;
}

Test(json, skip_values)
{
    const char *good[] = {"null", "true", "false", "0", "\"s\"", "[]", "{}", " [ ] ",
                          "[1,2,[3,{\"a\":null}],\"x\"]",
                          "{\"a\":[1,2,{\"b\":null}],\"c\":true,\"d\":\"x\\u00e9\",\"e\":{}}",
                          "{\"\":{\"\":{\"\":[]}}}"};
    char msg[160];
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        cr_assert_eq(skip_all(good[i], strlen(good[i]), msg, sizeof msg), AL_OK, "%s: %s",
                     good[i], msg);
    const char *bad[] = {"", "[", "]", "{", "}", "[1,]", "[,1]", "[1 2]", "{\"a\"}",
                         "{\"a\" 1}", "{\"a\":}", "{1:2}", "{\"a\":1,}", "[1]]", "nul",
                         "tru", "[\"\\u0000\"]", "{\"a\":1}{", "[01]", "[-]", "'a'",
                         "[1e999]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(skip_all(bad[i], strlen(bad[i]), msg, sizeof msg), AL_EFORMAT,
                     "'%s' accepted", bad[i]);
}

/* Nesting to the limit is fine; one more level is an error, and so is text nested a million
 * deep, without using the stack (ASan's stack is small enough to notice recursion). */
Test(json, skip_deep_nesting)
{
    size_t big = 1000000;
    char *s = malloc(2 * big + 8), msg[160];
    cr_assert_not_null(s);
    for (size_t d = AL__JSON_MAX_DEPTH; d <= AL__JSON_MAX_DEPTH + 1; d++) {
        /* {"":[{"":[...]}]}: objects and arrays in turn */
        size_t k = 0;
        for (size_t i = 0; i < d; i++)
            if (i % 2 == 0) {
                memcpy(s + k, "{\"\":", 4);
                k += 4;
            } else
                s[k++] = '[';
        for (size_t i = d; i-- > 0;)
            s[k++] = i % 2 == 0 ? '}' : ']';
        int rc = skip_all(s, k, msg, sizeof msg);
        if (d == AL__JSON_MAX_DEPTH)
            cr_assert_eq(rc, AL_OK, "depth %zu: %s", d, msg);
        else {
            cr_assert_eq(rc, AL_EFORMAT, "depth %zu accepted", d);
            cr_assert(strstr(msg, "nested deeper than 512 levels"), "%s", msg);
        }
    }
    memset(s, '[', big);
    memset(s + big, ']', big);
    cr_assert_eq(skip_all(s, 2 * big, msg, sizeof msg), AL_EFORMAT);
    cr_assert(strstr(msg, "nested deeper"), "%s", msg);
    for (size_t i = 0; i + 5 <= big; i += 5)
        memcpy(s + i, "{\"a\":", 5);
    cr_assert_eq(skip_all(s, big, msg, sizeof msg), AL_EFORMAT);
    free(s);
}

Test(json, skip_truncated_anywhere)
{
    const char *doc = "{\"a\":[1,-2.5e3,{\"b\":null}],\"c\":true,\"d\":\"x\\ud83d\\ude00\","
                      "\"e\":{},\"f\":[false,[]]}";
    size_t n = strlen(doc);
    char msg[160];
    cr_assert_eq(skip_all(doc, n, msg, sizeof msg), AL_OK, "%s", msg);
    for (size_t k = 0; k < n; k++)
        cr_assert_eq(skip_all(doc, k, msg, sizeof msg), AL_EFORMAT, "prefix %zu accepted", k);
}

/* The first failure sticks: later calls read nothing and keep its message and position. */
Test(json, first_failure_sticks)
{
    struct al__json *j = open_s("[1, x]");
    cr_assert_eq(al__json_expect(j, "[", NULL), AL_OK);
    double v;
    cr_assert_eq(al__json_number(j, &v), AL_OK);
    cr_assert_eq(al__json_expect(j, ",", NULL), AL_OK);
    cr_assert_eq(al__json_number(j, &v), AL_EFORMAT);
    size_t at = j->err_pos;
    cr_assert_eq(at, 4);
    cr_assert_eq(al__json_expect(j, "]", "at the end"), AL_EFORMAT);
    cr_assert_eq(al__json_fail(j, "something else"), AL_EFORMAT);
    cr_assert_eq(al__json_accept(j, "x"), 0, "nothing is read after a failure");
    cr_assert_eq(al__json_peek(j), -1);
    cr_assert_str_eq(j->msg, "expected a number");
    cr_assert_eq(j->err_pos, at);
    done(j);

    j = open_s("{} ");
    cr_assert_eq(al__json_expect(j, "{", NULL), AL_OK);
    cr_assert_eq(al__json_expect(j, ":", "after a key"), AL_EFORMAT);
    cr_assert_str_eq(j->msg, "expected ':' after a key");
    done(j);
}

/* ---- the string builder ------------------------------------------------------------------- */

Test(strbuf, grows_and_keeps_everything)
{
    struct al__sb b = {0};
    for (int i = 0; i < 100000; i++)
        al__sb_add(&b, "xyz" + i % 3, 1);
    cr_assert(!b.failed);
    cr_assert_eq(b.len, 100000);
    cr_assert(b.cap > b.len);
    cr_assert_eq(b.p[b.len], '\0');
    for (size_t i = 0; i < b.len; i++)
        cr_assert_eq(b.p[i], "xyz"[i % 3], "byte %zu", i);
    al__sb_add(&b, "a\0b", 3); /* bytes, NULs included */
    cr_assert_eq(b.len, 100003);
    cr_assert_eq(memcmp(b.p + 100000, "a\0b", 4), 0);
    char *s = al__sb_take(&b);
    cr_assert_not_null(s);
    cr_assert_null(b.p);
    cr_assert_eq(b.len, 0);
    free(s);
}

Test(strbuf, printf_of_any_length)
{
    struct al__sb b = {0};
    char big[5000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    al__sb_printf(&b, "<%d|%s|%.3f>", -42, "hi", 2.5);
    al__sb_printf(&b, "[%s]", big); /* longer than any first try */
    al__sb_printf(&b, "%s", "");
    al__sb_printf(&b, "%zu", (size_t)18446744073709551615u);
    cr_assert(!b.failed);
    cr_assert_eq(b.len, 14 + 5001 + 20);
    cr_assert_eq(memcmp(b.p, "<-42|hi|2.500>[", 15), 0);
    cr_assert_eq(b.p[15], 'q');
    cr_assert_eq(b.p[15 + 4998], 'q');
    cr_assert_str_eq(b.p + 15 + 4999, "]18446744073709551615");
    al__sb_free(&b);
    cr_assert_null(b.p);
}

Test(strbuf, json_escapes)
{
    const char *in = "a\"b\\c/\n\t\r\x01\x1f\x7f \xc3\xa9";
    struct al__sb b = {0};
    al__sb_json(&b, in, AL__JSON_ESC_U);
    cr_assert_str_eq(b.p, "\"a\\\"b\\\\c/\\u000a\\u0009\\u000d\\u0001\\u001f\x7f \xc3\xa9\"");
    al__sb_free(&b);
    al__sb_json(&b, in, AL__JSON_ESC_SHORT);
    cr_assert_str_eq(b.p, "\"a\\\"b\\\\c/\\n\\t\\u000d\\u0001\\u001f\x7f \xc3\xa9\"");
    al__sb_free(&b);
    al__sb_json(&b, "", AL__JSON_ESC_U);
    cr_assert_str_eq(b.p, "\"\"");
    al__sb_free(&b);
}

/* What the builder writes, the reader gives back, for every byte value but NUL. */
Test(strbuf, json_round_trip)
{
    char in[256];
    for (int i = 1; i < 256; i++)
        in[i - 1] = (char)i;
    in[255] = '\0';
    for (int esc = AL__JSON_ESC_U; esc <= AL__JSON_ESC_SHORT; esc++) {
        struct al__sb b = {0};
        al__sb_json(&b, in, (enum al__json_esc)esc);
        cr_assert(!b.failed);
        struct al__json *j = open_n(b.p, b.len);
        char *out;
        cr_assert_eq(al__json_string_dup(j, &out), AL_OK, "%s", j->msg);
        cr_assert_eq(al__json_end(j), AL_OK);
        cr_assert_str_eq(out, in);
        free(out);
        done(j);
        al__sb_free(&b);
    }
}

/* A length that would wrap size_t fails the builder instead of writing anywhere, and the
 * failure sticks. */
Test(strbuf, overflow_is_checked)
{
    char small[16] = "abc";
    struct al__sb b = {small, SIZE_MAX - 2, sizeof small, 0};
    al__sb_add(&b, "xyz", 3);
    cr_assert(b.failed);
    cr_assert_eq(b.len, SIZE_MAX - 2);
    cr_assert_str_eq(small, "abc", "nothing written");
    b.failed = 0;
    al__sb_printf(&b, "%s", "xy");
    cr_assert(b.failed);
    b = (struct al__sb){small, 3, sizeof small, 0};
    al__sb_add(&b, "d", SIZE_MAX); /* a length no buffer can hold */
    cr_assert(b.failed);
    al__sb_puts(&b, "e");
    al__sb_printf(&b, "%d", 5);
    al__sb_json(&b, "f", AL__JSON_ESC_U);
    cr_assert_eq(b.len, 3, "appends after a failure do nothing");
    cr_assert_str_eq(small, "abc");

    struct al__sb c = {0};
    al__sb_puts(&c, "gone");
    c.failed = 1;
    cr_assert_null(al__sb_take(&c), "a failed builder gives no text (and frees it)");
    cr_assert_null(c.p);
    char *e = al__sb_take(&c);
    cr_assert_str_eq(e, "", "an empty builder gives an empty string");
    free(e);
}

/* ---- the small string helpers ------------------------------------------------------------- */

Test(text, fnv1a_published_vectors)
{
    cr_assert_eq(al__hash_str(""), 0xcbf29ce484222325u);
    cr_assert_eq(al__hash_str("a"), 0xaf63dc4c8601ec8cu);
    cr_assert_eq(al__hash_str("foobar"), 0x85944171f73967e8u);
}

Test(text, str_dup)
{
    char *d = al__str_dup("h\xc3\xa9llo");
    cr_assert_str_eq(d, "h\xc3\xa9llo");
    free(d);
    d = al__str_dup("");
    cr_assert_str_eq(d, "");
    free(d);
}
