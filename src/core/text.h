#ifndef ACTLAB_SRC_CORE_TEXT_H
#define ACTLAB_SRC_CORE_TEXT_H

#include <stddef.h>

/* Levenshtein distance between a[0..la) and the string b, ignoring ASCII case; (size_t)-1
 * when either is longer than 60 characters. Behind every "did you mean" of the project. */
size_t al__edit_distance(const char *a, size_t la, const char *b);

#endif
