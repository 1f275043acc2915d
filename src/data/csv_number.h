/* pandas' number and missing-value words, shared by the CSV reader's type inference
 * (csv.c) and their implementation (csv_number.c). */
#ifndef ACTLAB_SRC_DATA_CSV_NUMBER_H
#define ACTLAB_SRC_DATA_CSV_NUMBER_H

#include <stddef.h>
#include <stdint.h>

enum num_err { NUM_OK, NUM_INVALID, NUM_OVERFLOW };

struct uint_state {
    int seen_sint, seen_uint, seen_null;
};

enum num_err parse_int64(const char *p, int64_t *out);
enum num_err parse_uint64(struct uint_state *st, const char *p, uint64_t *out);
int parse_float(const char *w, double *out);
int parse_bool(const char *w);
int is_na(const char *w, size_t len);

#endif
