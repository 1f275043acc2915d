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
int al__next_setting(const char **s, const char *what, const char **key, size_t *klen,
                     char val[64], double *v);

#endif
