/* A growable, NUL-terminated string for the text the library writes: JSON headers and
 * transforms, the model summary.
 *
 * Failure is sticky: an append that runs out of memory, or whose length would overflow
 * size_t, marks the builder failed, and every later append does nothing. A writer appends
 * without checking and looks at b.failed once at the end, so no half-built text escapes. */
#ifndef ACTLAB_SRC_CORE_STRBUF_H
#define ACTLAB_SRC_CORE_STRBUF_H

#include <stddef.h>

struct al__sb {
    char *p;    /* NUL-terminated once anything is appended; NULL before */
    size_t len; /* bytes before the NUL */
    size_t cap; /* bytes allocated at p */
    int failed;
};

/* n bytes of s (which may hold NULs). */
void al__sb_add(struct al__sb *b, const char *s, size_t n);
void al__sb_puts(struct al__sb *b, const char *s);
/* printf into the builder; output of any length. */
void al__sb_printf(struct al__sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* How al__sb_json escapes a control character (below 0x20). The safetensors writer has always
 * written \n and \t in their short forms, the tabular transform every one as \u00XX; both
 * are kept so that neither file's bytes change. */
enum al__json_esc {
    AL__JSON_ESC_U,    /* every control character as \u00XX (lower-case hex) */
    AL__JSON_ESC_SHORT /* \n and \t as such, the others as \u00XX */
};
/* s as a JSON string literal: quotes around it, '"' and '\' escaped, control characters as
 * esc says, every other byte (UTF-8 included) as it is. */
void al__sb_json(struct al__sb *b, const char *s, enum al__json_esc esc);

/* Hands over the text (the caller frees it; "" when nothing was appended) and empties b;
 * NULL, with b's memory freed, when the builder failed or the last allocation does. */
char *al__sb_take(struct al__sb *b);
/* Frees what b holds and empties it; b may be failed or empty. */
void al__sb_free(struct al__sb *b);

#endif
