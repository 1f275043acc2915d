/* What users type: names and numbers, read one way everywhere.
 *
 * Every name a user types -- activation functions, layer kinds, losses, optimizers,
 * initialisers, learning-rate schedules, the settings after a ':' ("adam:LR=0.1",
 * "binary_crossentropy:FROM_LOGITS=1") and the tool's option values (--fill, --preset, ...)
 * -- is matched by al_name_eq: ASCII case, '_' and '-' do not count, so "LeakyReLU",
 * "leaky-relu" and "leaky_relu" are one name, and so are "binarycrossentropy" and
 * "binary_crossentropy". A name that matches nothing is answered with the closest valid
 * names by edit distance ("; did you mean: sigmoid"), through al_suggest. A names table is an
 * array of strings, each a canonical name optionally followed by space-separated aliases:
 *
 *     static const char *const losses[] = {"mse mean_squared_error", "mae", ...};
 *     long k = al_name_find(text, len, losses, 2);
 *     if (k < 0) { char hint[160]; al_name_suggest(text, len, losses, 2, hint, sizeof hint);
 *                  return al_set_error(AL_ENAME, "unknown loss '%.*s'%s", (int)len, text, hint); }
 */
#ifndef ACTLAB_NAMES_H
#define ACTLAB_NAMES_H

#include "export.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The longest name the matcher compares (after dropping '_' and '-'); longer ones match
 * nothing. */
#define AL_NAME_MAX 63

/* 1 when typed[0 .. len) and the NUL-terminated name are the same name (ASCII case, '_' and
 * '-' ignored), else 0. An empty name matches nothing. */
ACTLAB_API int al_name_eq(const char *typed, size_t len, const char *name);

/* The index of the entry of names[0 .. n) (canonical name, then space-separated aliases; NULL
 * entries are skipped) that typed[0 .. len) names, or -1. */
ACTLAB_API long al_name_find(const char *typed, size_t len, const char *const *names, size_t n);

/* "Did you mean": collects up to three candidates nearest to what was typed, by edit distance
 * between the names with case, '_' and '-' ignored; a candidate counts when its distance is
 * at most 1 for names of up to 3 characters, 2 up to 6, else 3. Candidates that show the
 * same name (an alias and its canonical name) count once, at the smaller distance; ties keep
 * the order of al_suggest_add calls. Plain struct: hold it on the stack. */
typedef struct al_suggest {
    char typed[AL_NAME_MAX + 1]; /* normalised */
    size_t limit;
    size_t n;
    const char *shown[3];
    size_t shown_len[3];
    size_t dist[3];
} al_suggest;

ACTLAB_API void al_suggest_init(al_suggest *s, const char *typed, size_t len);
/* Offers candidate[0 .. clen); shown[0 .. slen) is what the message names for it (the
 * canonical name of an alias). shown must stay valid until al_suggest_format. */
ACTLAB_API void al_suggest_add(al_suggest *s, const char *candidate, size_t clen,
                               const char *shown, size_t slen);
/* al_suggest_add for each space-separated word of words (a list of aliases), all shown as
 * shown[0 .. slen). words may be NULL. */
ACTLAB_API void al_suggest_add_words(al_suggest *s, const char *words, const char *shown,
                                     size_t slen);
/* Writes "; did you mean: a, b, c" (nothing, "", when no candidate was close) to buf, as
 * snprintf does; returns the length it needs. */
ACTLAB_API size_t al_suggest_format(const al_suggest *s, char *buf, size_t size);

/* al_suggest over a names table (every alias offered, the canonical name shown). */
ACTLAB_API size_t al_name_suggest(const char *typed, size_t len, const char *const *names,
                                  size_t n, char *buf, size_t size);

/* Levenshtein distance between a[0 .. la) and the string b, ignoring ASCII case; (size_t)-1
 * when either is longer than 60 characters. For names that are not matched by al_name_eq
 * (column names of a file, which are case-sensitive). */
ACTLAB_API size_t al_edit_distance(const char *a, size_t la, const char *b);

/* How al_parse_double read a string. */
typedef enum al_num { AL_NUM_OK, AL_NUM_INVALID, AL_NUM_RANGE } al_num;

/* The whole of s (leading white space allowed, nothing after) as a double, in strtod's
 * syntax: "-1.5", "2e-3", "0x1p4" and the words inf, infinity and nan in any case. The one
 * number reader of the tool's arguments, standard input and activation parameters, so that
 * they all agree: a number too large for a double ("1e999") is AL_NUM_RANGE rather than
 * silently infinity (only the spelled-out inf is), while one too small for a double rounds
 * to 0 or a denormal as strtod gives it. *out is only written on AL_NUM_OK. */
ACTLAB_API al_num al_parse_double(const char *s, double *out);

#ifdef __cplusplus
}
#endif
#endif
