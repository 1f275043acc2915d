/* The core JSON reader (src/core/json.c) and the builder's JSON strings (src/core/strbuf.c).
 * Two walkers read every input: al__json_skip (iterative, a bit stack) and echo() below
 * (recursive, built on the token calls, writing the value back out with the builder). They
 * must agree on accepting it, never read past the input (it is copied into an allocation of
 * exactly its size, with no NUL after it), and decode no string longer than
 * al__json_string_room promised. What echo writes must be read back by both walkers and echo
 * again to the very same text: strings survive al__sb_json and numbers survive %.17g.
 * Seeds: fuzz/corpus/json; dictionary: fuzz/json.dict. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actlab/status.h"
#include "core/json.h"
#include "core/strbuf.h"

static int echo(struct al__json *j, struct al__sb *b, int depth);

/* a string decoded into exactly the room the reader promises (ASan checks the promise) */
static int echo_string(struct al__json *j, struct al__sb *b)
{
    size_t room = al__json_string_room(j), len;
    char *s = malloc(room);
    if (!s)
        abort();
    int rc = al__json_string_into(j, s, &len);
    if (!rc) {
        if (len >= room || strlen(s) != len) {
            fprintf(stderr, "string of %zu bytes in %zu of room, strlen %zu\n", len, room,
                    strlen(s));
            abort();
        }
        al__sb_json(b, s, AL__JSON_ESC_U);
    }
    free(s);
    return rc;
}

static int echo_container(struct al__json *j, struct al__sb *b, int depth, int obj)
{
    const char *close = obj ? "}" : "]";
    if (depth >= AL__JSON_MAX_DEPTH)
        return al__json_fail(j, "too deep for echo");
    al__sb_puts(b, obj ? "{" : "[");
    if (al__json_accept(j, close)) {
        al__sb_puts(b, close);
        return AL_OK;
    }
    for (;;) {
        if (obj) {
            if (echo_string(j, b) || al__json_expect(j, ":", NULL))
                return j->rc;
            al__sb_puts(b, ":");
        }
        if (echo(j, b, depth + 1))
            return j->rc;
        if (al__json_accept(j, close)) {
            al__sb_puts(b, close);
            return AL_OK;
        }
        if (al__json_expect(j, ",", NULL))
            return j->rc;
        al__sb_puts(b, ",");
    }
}

static int echo(struct al__json *j, struct al__sb *b, int depth)
{
    int ch = al__json_peek(j);
    if (ch == '{' || ch == '[') {
        al__json_accept(j, ch == '{' ? "{" : "[");
        return echo_container(j, b, depth, ch == '{');
    }
    if (ch == '"')
        return echo_string(j, b);
    if (ch == '-' || (ch >= '0' && ch <= '9')) {
        double v;
        if (al__json_number(j, &v))
            return j->rc;
        al__sb_printf(b, "%.17g", v);
        return AL_OK;
    }
    static const char *const words[] = {"true", "false", "null"};
    for (int i = 0; i < 3; i++)
        if (al__json_accept(j, words[i])) {
            al__sb_puts(b, words[i]);
            return AL_OK;
        }
    return al__json_fail(j, "not a value");
}

/* Both walkers over text[0..n): the status they agree on; *out is echo's text (or NULL). */
static int read_both(const char *text, size_t n, char **out)
{
    char *copy = malloc(n ? n : 1);
    if (!copy)
        abort();
    memcpy(copy, text, n);

    struct al__json j;
    al__json_init(&j, copy, n);
    int rc_skip = al__json_skip(&j);
    if (!rc_skip)
        rc_skip = al__json_end(&j);
    if (rc_skip && (!j.msg[0] || j.err_pos > n)) {
        fprintf(stderr, "failure without a message or beyond the text: '%s' at %zu of %zu\n",
                j.msg, j.err_pos, n);
        abort();
    }

    struct al__sb b = {0};
    al__json_init(&j, copy, n);
    int rc_echo = echo(&j, &b, 0);
    if (!rc_echo)
        rc_echo = al__json_end(&j);
    free(copy);
    if (b.failed)
        abort(); /* out of memory: not a finding for inputs this small */
    if ((rc_skip == AL_OK) != (rc_echo == AL_OK)) {
        fprintf(stderr, "skip says %d, echo says %d (%s at %zu)\n", rc_skip, rc_echo, j.msg,
                j.err_pos);
        abort();
    }
    *out = rc_echo ? NULL : al__sb_take(&b);
    al__sb_free(&b);
    if (!rc_echo && !*out)
        abort();
    return rc_echo;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *once, *twice;
    if (read_both((const char *)data, size, &once))
        return 0;
    if (read_both(once, strlen(once), &twice)) {
        fprintf(stderr, "echo wrote text it cannot read: %s\n", once);
        abort();
    }
    if (strcmp(once, twice) != 0) {
        fprintf(stderr, "echo is not stable:\n%s\n%s\n", once, twice);
        abort();
    }
    free(once);
    free(twice);
    return 0;
}
