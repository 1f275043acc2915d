/* Names of actlab 0.1 that the prefix scheme of <actlab/actlab.h> replaced. They keep old
 * code building for one release and go away in 0.2; define ACTLAB_NO_DEPRECATED before
 * including any actlab header to check that code no longer uses them. The functions are
 * macros for the new ones (same signatures), except act_last_error, which stays a function
 * of the library so that programs linked against 0.1 still run.
 *
 * This file and every file named *deprecated* or *old_names* are left alone by
 * err-rename.sh, the script that made the renames. */
#ifndef ACTLAB_DEPRECATED_H
#define ACTLAB_DEPRECATED_H

#ifndef ACTLAB_NO_DEPRECATED

#include "export.h"

#if defined(__GNUC__) || defined(__clang__)
#define ACTLAB_DEPRECATED(msg) __attribute__((deprecated(msg)))
#else
#define ACTLAB_DEPRECATED(msg)
#endif

#ifdef __cplusplus
extern "C" {
#endif
/* al_last_error(), under its 0.1 name */
ACTLAB_API const char *act_last_error(void) ACTLAB_DEPRECATED("use al_last_error");
#ifdef __cplusplus
}
#endif

/* version.h */
#define actlab_version_string al_version_string
#define actlab_version_number al_version_number

/* table.h: the table and CSV reading are data_table / data_csv_*, like data_npy_* and
 * data_idx_*; the tabular preprocessing is data_tab_*. */
#define tab_table data_table
#define tab_column data_column
#define tab_type data_column_type
#define TAB_NUMERIC DATA_COL_NUMERIC
#define TAB_TEXT DATA_COL_TEXT
#define tab_csv_read data_csv_read
#define tab_csv_parse data_csv_parse
#define tab_table_free data_table_free
#define tab_find_column data_table_find_column
#define tab_fill data_tab_fill
#define TAB_FILL_MEDIAN DATA_TAB_FILL_MEDIAN
#define TAB_FILL_MEAN DATA_TAB_FILL_MEAN
#define TAB_FILL_ZERO DATA_TAB_FILL_ZERO
#define tab_scale data_tab_scale
#define TAB_SCALE_MINMAX DATA_TAB_SCALE_MINMAX
#define TAB_SCALE_STANDARD DATA_TAB_SCALE_STANDARD
#define TAB_SCALE_NONE DATA_TAB_SCALE_NONE
#define tab_options data_tab_options
#define tab_options_default data_tab_options_default
#define tab_transform data_tab_transform
#define tab_fit data_tab_fit
#define tab_transform_free data_tab_transform_free
#define tab_n_features data_tab_n_features
#define tab_feature_name data_tab_feature_name
#define tab_apply data_tab_apply
#define tab_transform_to_json data_tab_transform_to_json
#define tab_transform_from_json data_tab_transform_from_json
#define tab_split data_tab_split

#endif /* ACTLAB_NO_DEPRECATED */
#endif
