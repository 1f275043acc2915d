#ifndef ACTLAB_SRC_CORE_TEXT_H
#define ACTLAB_SRC_CORE_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "actlab/names.h"

/* One "key=value" of a comma-separated settings list such as "lr=0.1,momentum=0.9": reads
 * the item at *s, gives the key (key, klen), the value as text (val) and as a finite number
 * (v), and moves *s past the item and its comma. AL_EINVAL naming `what` ("loss option",
 * "optimizer setting") when the item has no value or the value is not a finite number.
 * Compare the key with al_name_eq, as every name a user types. */
int al__next_setting(const char **s, const char *what, const char **key, size_t *klen,
                     char val[64], double *v);

/* A copy of s in a new allocation, or NULL when there is no memory. (strdup is POSIX, not
 * C11.) */
char *al__str_dup(const char *s);

/* FNV-1a of the bytes of s: the hash of the string sets and maps (CSV column names, the
 * categories of a text column). Not for anything an attacker could exploit by collisions
 * beyond slowing a lookup down. */
uint64_t al__hash_str(const char *s);

#endif
