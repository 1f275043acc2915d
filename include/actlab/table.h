/* actlab tables: CSV in (RFC 4180, pandas' missing markers and type inference) and the
 * tabular preprocessing of the regression tutorial, with pandas 1.5 / scikit-learn
 * semantics: drop columns, keep the target aside, one-hot encode the text columns
 * (pd.get_dummies(dummy_na=True, drop_first=True)), fill missing numbers (median), min-max
 * scale, and a seeded train/validation split.
 *
 * Errors are values (al_status codes; al_last_error() names the file, line and column). */
#ifndef ACTLAB_TABLE_H
#define ACTLAB_TABLE_H

#include "export.h"

#include <stddef.h>
#include <stdint.h>

#include "data.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum data_column_type {
    DATA_COL_NUMERIC, /* every non-missing value parses as a number (pandas' float64/int64) */
    DATA_COL_TEXT     /* anything else (pandas' object) */
} data_column_type;

typedef struct data_column {
    char *name;
    data_column_type type;
    double *num;      /* DATA_COL_NUMERIC: n_rows values, NaN where missing */
    char **text;      /* DATA_COL_TEXT: n_rows strings, NULL where missing */
    size_t n_missing;
} data_column;

typedef struct data_table {
    size_t n_rows, n_cols;
    data_column *cols;
} data_table;

/* Reads a CSV file with a header row, as pandas 1.5's read_csv (C engine, default options).
 * Quotes ("a, b", "say ""hi"""), embedded commas and newlines in quoted fields, LF, CRLF or
 * CR line ends, a UTF-8 BOM; lines that are empty or hold only spaces and tabs are skipped.
 * Nothing is stripped: " NA" is text, although a number may carry surrounding whitespace
 * (" 5" is 5, as in pandas). Missing: pandas 1.5's default na_values, matched exactly: "",
 * "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
 * "<NA>", "N/A", "NA", "NULL", "NaN", "n/a", "nan", "null" ("None" became one only in
 * pandas 2.0). Types as pandas infers them, in its order int64, uint64, float64 (its own
 * float parser; also "inf", "-Infinity"...), bool, text: a column is DATA_COL_NUMERIC when every
 * non-missing value is a number or when every value is one of True/TRUE/true/False/... (0/1);
 * a column with only true/false words and missing values is text "True"/"False". A header
 * without data rows gives text columns; an all-missing column is numeric. Empty header
 * names become "Unnamed: I", duplicates are renamed "X.1", "X.2" (pandas' mangling).
 * Errors (AL_EFORMAT, al_last_error() says "FILE:LINE: ..."): a row with more or fewer
 * fields than the header (pandas pads short rows; we do not), a quoted field never closed
 * (naming the line where it starts), a NUL byte, a file with no header, a column of numbers
 * where one is beyond the range of a double ("1e999"; pandas would silently make the whole
 * column text; "inf" is a number). AL_EIO names the
 * path of a file that cannot be read. */
ACTLAB_API al_status data_csv_read(const char *path, data_table *out);
/* The same on a CSV held in memory (len bytes, need not be NUL-terminated); name (or NULL)
 * stands for the file in messages. */
ACTLAB_API al_status data_csv_parse(const char *name, const void *text, size_t len, data_table *out);
/* Frees what data_csv_read/data_csv_parse made (the strings of a text column share one block
 * with its text array) and zeroes *t; NULL is a no-op. */
ACTLAB_API void data_table_free(data_table *t);
/* index of the column named name, or -1 */
ACTLAB_API long data_table_find_column(const data_table *t, const char *name);

typedef enum data_tab_fill { DATA_TAB_FILL_MEDIAN, DATA_TAB_FILL_MEAN, DATA_TAB_FILL_ZERO } data_tab_fill;
typedef enum data_tab_scale { DATA_TAB_SCALE_MINMAX, DATA_TAB_SCALE_STANDARD, DATA_TAB_SCALE_NONE } data_tab_scale;

typedef struct data_tab_options {
    const char *target;     /* column kept aside, unscaled, as y; NULL for none */
    const char *drop;       /* comma-separated columns to drop (spaces around names are
                               trimmed), or NULL; an unknown name is AL_ENAME */
    int one_hot;            /* one-hot encode text columns (else a text column is an error) */
    int dummy_na;           /* with one_hot: a NaN indicator column, last (always present,
                               as pandas, even when nothing was missing) */
    int drop_first;         /* with one_hot: drop each column's first level; with dummy_na a
                               single-category column keeps only COL_nan */
    data_tab_fill fill;          /* missing numeric values: median / mean of the fitted values
                               (pandas), or 0; a column with no value at all gets 0 */
    data_tab_scale scale;        /* per feature, sklearn's MinMaxScaler (x * s + m, s = 1/(max -
                               min)) or StandardScaler (ddof 0); a constant column gets s = 1,
                               so it is 0 on the fitted rows and x - min on new ones */
} data_tab_options;

/* Defaults of the regression tutorial: one_hot, dummy_na, drop_first, median, minmax. */
ACTLAB_API void data_tab_options_default(data_tab_options *o);

/* The fitted transformation: output columns (names in pandas' order: numeric columns in file
 * order, then each text column's indicators "COL_CATEGORY" in file order, categories sorted
 * by bytes (Python's order for UTF-8), the NaN indicator "COL_nan" last), fill values and
 * scaling. Opaque; free with data_tab_transform_free. */
typedef struct data_tab_transform data_tab_transform;

/* o NULL means data_tab_options_default. Errors name the column and the row (rows count from 0,
 * the header excluded): AL_ENAME for an unknown target or dropped column; AL_EFORMAT for a
 * target that is text, missing or infinite in some row, an infinite feature value (the
 * sklearn scalers refuse them) or values so large that the fill or scaling overflows;
 * AL_EINVAL for a text column without one_hot or a table without rows. */
ACTLAB_API al_status data_tab_fit(const data_table *t, const data_tab_options *o, data_tab_transform **out);
ACTLAB_API void data_tab_transform_free(data_tab_transform *tf);
ACTLAB_API size_t data_tab_n_features(const data_tab_transform *tf);
ACTLAB_API const char *data_tab_feature_name(const data_tab_transform *tf, size_t i);

/* Applies a fitted transformation to a table with the same columns (extra columns are
 * ignored, the order does not matter, a missing one is AL_ENAME naming it): x float32
 * (n_rows, n_features), computed in double and rounded once; y float32 (n_rows,) from the
 * target column when the table has it (y->data NULL otherwise; y itself may be NULL). A
 * category never seen in fitting gives all-zero indicators (and 0 for COL_nan); a missing
 * number gets the fitted fill value. A column that was text when fitted may arrive as
 * numbers (new rows that all look numeric): a number matches the category that reads as the
 * same number. A missing or non-numeric target value, or text in a numeric column, is
 * AL_EFORMAT naming the row. On error x and y are left empty. */
ACTLAB_API al_status data_tab_apply(const data_tab_transform *tf, const data_table *t, data_array *x, data_array *y);

/* Serialises the transformation as JSON text (malloc'd; free() it) and reads it back, so it
 * can be saved with a model and applied to new rows. Numbers are written with %.17g in the
 * C locale, so reading gives the same bits; the reader accepts exactly the layout the
 * writer produces (any whitespace between tokens) and reports AL_EFORMAT with the byte
 * offset otherwise. */
ACTLAB_API al_status data_tab_transform_to_json(const data_tab_transform *tf, char **json);
ACTLAB_API al_status data_tab_transform_from_json(const char *json, data_tab_transform **out);

/* sklearn.model_selection.train_test_split(range(n), test_size=val_fraction,
 * random_state=seed, shuffle=True): the same rows in the same order (NumPy's legacy
 * RandomState(seed).permutation: MT19937 seeded by init_genrand(seed), then Fisher-Yates
 * from the end with masked rejection sampling). val = perm[0, n_val), train = perm[n_val,
 * n) with n_val = ceil(val_fraction * n). train and val are caller-allocated, n entries
 * each (train is also the work space). val_fraction 0 is allowed (all rows train; sklearn
 * refuses it); a fraction outside [0, 1), n = 0 or no training row left is AL_EINVAL. */
ACTLAB_API al_status data_tab_split(size_t n, double val_fraction, uint32_t seed, size_t *train, size_t *n_train,
              size_t *val, size_t *n_val);

#ifdef __cplusplus
}
#endif
#endif
