#if !defined(ACTLAB_LAYER_CORE) && !defined(ACTLAB_CLI_CORE_EXCEPTION) /* src/cli/CMakeLists.txt */
#error "internal to the core layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_SRC_CORE_TEXT_H
#define ACTLAB_SRC_CORE_TEXT_H

#include <stddef.h>

/* Levenshtein distance between a[0..la) and the string b, ignoring ASCII case; (size_t)-1
 * when either is longer than 60 characters. Behind every "did you mean" of the project. */
size_t al__edit_distance(const char *a, size_t la, const char *b);

/* One "key=value" of a comma-separated settings list such as "lr=0.1,momentum=0.9": reads
 * the item at *s, gives the key (key, klen), the value as text (val) and as a finite number
 * (v), and moves *s past the item and its comma. AL_EINVAL naming `what` ("loss option",
 * "optimizer setting") when the item has no value or the value is not a finite number. */
/* How al__parse_double read a string. */
enum al__num { AL__NUM_OK, AL__NUM_INVALID, AL__NUM_RANGE };

/* The whole of s (leading white space allowed, nothing after) as a double, in strtod's
 * syntax: "-1.5", "2e-3", "0x1p4" and the words inf, infinity and nan in any case. The one
 * number reader of the tool's arguments, standard input and activation parameters, so that
 * they all agree: a number too large for a double ("1e999") is AL__NUM_RANGE rather than
 * silently infinity (only the spelled-out inf is), while one too small for a double rounds
 * to 0 or a denormal as strtod gives it. *out is only written on AL__NUM_OK. */
enum al__num al__parse_double(const char *s, double *out);

int al__next_setting(const char **s, const char *what, const char **key, size_t *klen,
                     char val[64], double *v);

#endif
