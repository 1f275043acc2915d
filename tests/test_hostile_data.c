/* Issue 12, the library side of the data and parsing paths: class labels are checked before
 * they size anything (DATA_MAX_CLASSES), the one number reader refuses what overflows, a
 * repeated activation parameter is refused, a CSV number beyond a double names its line,
 * and lookups in wide tables give the same answers as before (first column of a name, first
 * category that reads as the same number) with messages in the user's terms. */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "actlab/act.h"
#include "actlab/data.h"
#include "actlab/table.h"
#include "core/text.h"

static data_array labels(data_dtype t, size_t n, const void *values)
{
    data_array a;
    size_t shape[1] = {n};
    cr_assert_eq(data_array_alloc(&a, t, 1, shape), AL_OK);
    memcpy(a.data, values, n * data_dtype_size(t));
    return a;
}

static void expect_refused(data_array *y, const char *needle)
{
    data_array out = {.ndim = 3};
    size_t n = 7;
    cr_assert_eq(data_class_labels("Y.npy", y, &out, &n), AL_EFORMAT, "%s", needle);
    cr_assert(strstr(al_last_error(), needle), "'%s' lacks '%s'", al_last_error(), needle);
    cr_assert(out.data == NULL && out.ndim == 0, "out is left empty on error");
    cr_assert_eq(n, 7, "n_classes untouched on error");
    data_array_free(y);
}

Test(labels, huge_negative_and_fractional_are_refused)
{
    int64_t big[] = {0, (int64_t)1 << 62}, half[] = {500000000, 1}, edge[] = {0, DATA_MAX_CLASSES};
    int32_t neg[] = {3, -1};
    float frac[] = {0.0f, 2.5f};
    data_array y = labels(DATA_I64, 2, big);
    expect_refused(&y, "Y.npy: label 4611686018427387904 of sample 1 is not a class: labels "
                       "are 0 to 65535");
    y = labels(DATA_I64, 2, half);
    expect_refused(&y, "label 500000000 of sample 0");
    y = labels(DATA_I64, 2, edge);
    expect_refused(&y, "label 65536 of sample 1");
    y = labels(DATA_I32, 2, neg);
    expect_refused(&y, "label -1 of sample 1");
    y = labels(DATA_F32, 2, frac);
    expect_refused(&y, "class labels must be whole numbers, not float32");
}

Test(labels, shape_must_be_a_column)
{
    data_array y;
    size_t shape[2] = {2, 2};
    cr_assert_eq(data_array_alloc(&y, DATA_I64, 2, shape), AL_OK);
    expect_refused(&y, "must have shape (N,) or (N, 1), not (2, 2)");
}

Test(labels, within_the_bound)
{
    int64_t top[] = {0, DATA_MAX_CLASSES - 1, 5};
    uint8_t small[] = {3, 7, 0};
    data_array y = labels(DATA_I64, 3, top), out;
    size_t n = 0;
    cr_assert_eq(data_class_labels(NULL, &y, &out, &n), AL_OK, "%s", al_last_error());
    cr_assert_eq(n, DATA_MAX_CLASSES);
    cr_assert_eq(((int64_t *)out.data)[1], DATA_MAX_CLASSES - 1);
    data_array_free(&y);
    data_array_free(&out);
    y = labels(DATA_U8, 3, small);
    y.ndim = 2, y.shape[1] = 1; /* (N, 1) is a column too */
    cr_assert_eq(data_class_labels("y", &y, &out, &n), AL_OK, "%s", al_last_error());
    cr_assert_eq(n, 8);
    cr_assert(out.dtype == DATA_I64 && out.ndim == 1 && out.shape[0] == 3);
    cr_assert_eq(((int64_t *)out.data)[0], 3);
    data_array_free(&y);
    data_array_free(&out);
}

Test(numbers, overflow_is_out_of_range_and_inf_text_is_kept)
{
    double v = 42;
    cr_assert_eq(al_parse_double("1e999", &v), AL_NUM_RANGE);
    cr_assert_eq(al_parse_double("-1e999", &v), AL_NUM_RANGE);
    cr_assert_eq(v, 42, "untouched unless the number is read");
    cr_assert_eq(al_parse_double("1x", &v), AL_NUM_INVALID);
    cr_assert_eq(al_parse_double("", &v), AL_NUM_INVALID);
    cr_assert_eq(al_parse_double("2 3", &v), AL_NUM_INVALID, "one number, the whole text");
    cr_assert_eq(al_parse_double("-inf", &v), AL_NUM_OK);
    cr_assert(isinf(v) && v < 0);
    cr_assert_eq(al_parse_double("NaN", &v), AL_NUM_OK);
    cr_assert(isnan(v));
    cr_assert_eq(al_parse_double("1e-400", &v), AL_NUM_OK, "underflow rounds to zero");
    cr_assert_eq(v, 0);
    cr_assert_eq(al_parse_double(" 0.25", &v), AL_NUM_OK);
    cr_assert_eq(v, 0.25);
}

static void expect_spec_error(const char *text, const char *needle)
{
    act_spec s;
    cr_assert_eq(act_parse(text, &s), AL_EINVAL, "%s was accepted", text);
    cr_assert(strstr(al_last_error(), needle), "'%s' lacks '%s'", al_last_error(), needle);
}

Test(spec, a_parameter_given_twice_is_refused)
{
    expect_spec_error("leaky_relu:alpha=1,alpha=2", "leaky_relu: parameter 'alpha' is given twice");
    expect_spec_error("leaky_relu:alpha=1,negative_slope=2", "(again as 'negative_slope')");
    expect_spec_error("softplus:beta=2,threshold=5,beta=2", "parameter 'beta' is given twice");
    expect_spec_error("leaky_relu:alpha=1e999", "out of range");
    act_spec s;
    cr_assert_eq(act_parse("softplus:beta=2,threshold=5", &s), AL_OK, "%s", al_last_error());
    cr_assert(s.p[0] == 2 && s.p[1] == 5);
}

static void expect_csv_error(const char *text, const char *needle)
{
    data_table t;
    cr_assert_eq(data_csv_parse("o.csv", text, strlen(text), &t), AL_EFORMAT, "%s", text);
    cr_assert(strstr(al_last_error(), needle), "'%s' lacks '%s'", al_last_error(), needle);
    cr_assert(t.cols == NULL && t.n_cols == 0);
}

Test(csv, a_number_beyond_a_double_names_line_and_column)
{
    expect_csv_error("a,b\n1,2\n3,1e999\n", "o.csv:3: column 'b': '1e999' is out of range");
    /* the line where the record starts, after a quoted line break */
    expect_csv_error("a,b\n\"x\ny\",1\n5,-2e308\n", "o.csv:4: column 'b': '-2e308'");
    expect_csv_error("a\n0e400\n", "'0e400' is out of range");
    expect_csv_error("a,b\n1,1.8e308\n", "o.csv:2: column 'b': '1.8e308' is out of range");
    data_table t;
    const char *ok = "a,b,c\ninf,x1e999,1e308\n-Infinity,1e999z,2\n";
    cr_assert_eq(data_csv_parse("o.csv", ok, strlen(ok), &t), AL_OK, "%s", al_last_error());
    cr_assert(t.cols[0].type == DATA_COL_NUMERIC && isinf(t.cols[0].num[1]), "spelled inf is a number");
    cr_assert_eq(t.cols[1].type, DATA_COL_TEXT, "a text column that happens to hold '1e999' text");
    cr_assert_eq(t.cols[2].num[0], 1e308);
    data_table_free(&t);
}

static data_table parse(const char *text)
{
    data_table t;
    cr_assert_eq(data_csv_parse("t.csv", text, strlen(text), &t), AL_OK, "%s", al_last_error());
    return t;
}

/* No message of the pipeline names a function of ours; the ones below name the column. */
static void expect_fit_error(const data_table *t, const data_tab_options *o, int code,
                             const char *needle)
{
    data_tab_transform *tf = NULL;
    cr_assert_eq(data_tab_fit(t, o, &tf), code, "%s", al_last_error());
    cr_assert(strstr(al_last_error(), needle), "'%s' lacks '%s'", al_last_error(), needle);
    cr_assert(!strstr(al_last_error(), "tab_") && !strstr(al_last_error(), "one_hot"),
              "'%s' names an internal function or field", al_last_error());
}

Test(tabular, messages_in_the_users_terms)
{
    data_table t = parse("Price,Zone,Area\n1,RL,3\n2,RM,\n");
    data_tab_options o;
    data_tab_options_default(&o);
    o.target = "Prices";
    expect_fit_error(&t, &o, AL_ENAME, "target column 'Prices' not found; did you mean 'Price'?");
    o.target = "Price";
    o.drop = "Aera";
    expect_fit_error(&t, &o, AL_ENAME, "cannot drop column 'Aera': no such column; did you "
                                       "mean 'Area'?");
    o.drop = NULL;
    o.one_hot = 0;
    expect_fit_error(&t, &o, AL_EINVAL, "column 'Zone' is text: drop it, or one-hot encode it");
    o.one_hot = 1;
    data_tab_transform *tf = NULL;
    cr_assert_eq(data_tab_fit(&t, &o, &tf), AL_OK, "%s", al_last_error());
    data_table other = parse("Price,Area\n1,2\n");
    data_array x, y;
    cr_assert_eq(data_tab_apply(tf, &other, &x, &y), AL_ENAME);
    cr_assert(strstr(al_last_error(), "the table has no column 'Zone', which the fitted "
                                       "pipeline needs"), "%s", al_last_error());
    data_tab_transform_free(tf);
    data_table_free(&other);
    data_table_free(&t);
}

/* Duplicate names in a hand-built table: the first column of the name is the one used, as
 * data_table_find_column says, whatever the sorting of the name index does with ties. */
Test(tabular, first_column_of_a_name_wins)
{
    data_table t = parse("b,a,c\n1,2,3\n4,5,6\n");
    free(t.cols[2].name);
    t.cols[2].name = strdup("a"); /* now b, a, a: the target is column 1 */
    data_tab_options o;
    data_tab_options_default(&o);
    o.target = "a";
    o.scale = DATA_TAB_SCALE_NONE;
    data_tab_transform *tf = NULL;
    cr_assert_eq(data_tab_fit(&t, &o, &tf), AL_OK, "%s", al_last_error());
    data_array x, y;
    cr_assert_eq(data_tab_apply(tf, &t, &x, &y), AL_OK, "%s", al_last_error());
    cr_assert_eq(((float *)y.data)[1], 5.0f);
    data_array_free(&x);
    data_array_free(&y);
    data_tab_transform_free(tf);
    data_table_free(&t);
}

/* A column fitted as text whose new rows all look numeric matches each number with the
 * first category (in sorted order) that reads as the same number: "1" before "1.0", -0 and
 * 0 alike, and nothing for a number no category spells. */
Test(tabular, numbers_match_text_categories)
{
    data_table fit_t = parse("k,t\n1.0,1\n1,2\nx,3\n-0,4\n7,5\n");
    data_tab_options o;
    data_tab_options_default(&o);
    o.target = "t";
    o.drop_first = 0;
    o.dummy_na = 0;
    o.scale = DATA_TAB_SCALE_NONE;
    data_tab_transform *tf = NULL;
    cr_assert_eq(data_tab_fit(&fit_t, &o, &tf), AL_OK, "%s", al_last_error());
    /* categories sorted by bytes: "-0", "1", "1.0", "7", "x" */
    cr_assert_str_eq(data_tab_feature_name(tf, 0), "k_-0");
    cr_assert_str_eq(data_tab_feature_name(tf, 1), "k_1");
    data_table new_t = parse("k\n1\n0\n7\n3\n");
    cr_assert_eq(new_t.cols[0].type, DATA_COL_NUMERIC);
    data_array x;
    cr_assert_eq(data_tab_apply(tf, &new_t, &x, NULL), AL_OK, "%s", al_last_error());
    const float *v = x.data;
    size_t nf = data_tab_n_features(tf);
    cr_assert_eq(nf, 5);
    int want[4] = {1, 0, 3, -1}; /* 1 -> "1" (not "1.0"), 0 -> "-0", 7 -> "7", 3 -> none */
    for (size_t r = 0; r < 4; r++)
        for (size_t f = 0; f < nf; f++)
            cr_assert_eq(v[r * nf + f], (int)f == want[r] ? 1.0f : 0.0f, "row %zu feature %zu", r,
                         f);
    data_array_free(&x);
    data_tab_transform_free(tf);
    data_table_free(&new_t);
    data_table_free(&fit_t);
}
