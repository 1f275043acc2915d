/* The fitted tabular pipeline's state, shared by its files: fit and apply (tabular.c), the
 * numbers (tab_numeric.c) and the JSON form (tab_json.c). */
#ifndef ACTLAB_SRC_DATA_TABULAR_H
#define ACTLAB_SRC_DATA_TABULAR_H

#include <stddef.h>

#include "actlab/table.h"

enum feat_kind { FEAT_VALUE, FEAT_CATEGORY, FEAT_NAN };

struct data_tab_source {
    char *name;
    data_column_type type;
    size_t n_cats; /* text: the fitted categories, strictly increasing (strcmp) */
    char **cats;
};

struct data_tab_feature {
    char *name;
    size_t source;
    enum feat_kind kind;
    size_t cat;   /* FEAT_CATEGORY: index into the source's categories */
    double fill;  /* FEAT_VALUE: stands in for a missing value */
    double a, b;  /* minmax: x * a + b; standard: (x - a) / b; none: unused (1, 0) */
};

struct data_tab_transform {
    char *target;
    data_tab_fill fill;
    data_tab_scale scale;
    int one_hot, dummy_na, drop_first;
    size_t n_sources, n_features;
    struct data_tab_source *src;
    struct data_tab_feature *feat;
};

/* tab_numeric.c: the fill value of a column, the scaler's parameters from the fitted rows, and
 * one value scaled (the formulas of NumPy and scikit-learn, see there). */
double data__tab_fill_value(data_tab_fill how, const double *v, size_t n, double *scratch);
void data__tab_scale_params(data_tab_scale how, const double *x, size_t n, double *scratch,
                            double *a, double *b);
double data__tab_scale_value(data_tab_scale how, const struct data_tab_feature *f, double v);

#endif
