/* pandas' number and missing-value words, shared by the CSV reader's type inference
 * (csv.c) and their implementation (csv_number.c). */
#ifndef ACTLAB_SRC_DATA_CSV_NUMBER_H
#define ACTLAB_SRC_DATA_CSV_NUMBER_H

#include <stddef.h>
#include <stdint.h>

/* How an integer parse ended: NUM_OVERFLOW decides which fallback pandas takes next. */
enum num_err { NUM_OK, NUM_INVALID, NUM_OVERFLOW };

/* What str_to_uint64 saw across a column (a negative value, a missing one). */
struct uint_state {
    int seen_sint, seen_uint, seen_null;
};

/* pandas' str_to_int64, str_to_uint64, _try_double and to_boolean on one word, and its
 * STR_NA_VALUES (the comments at the definitions give the details pandas decides by). */
enum num_err data__parse_int64(const char *p, int64_t *out);
enum num_err data__parse_uint64(struct uint_state *st, const char *p, uint64_t *out);
int data__parse_float(const char *w, double *out);
int data__parse_bool(const char *w);
int data__is_na(const char *w, size_t len);

/* The value of a word the way a numeric column would read it (int64, then float), or a
 * true/false word as 1/0; 1 when it is one. For the tabular pipeline, since a table built
 * elsewhere may hold numbers as text. */
int data__parse_number(const char *w, double *out);

#endif
