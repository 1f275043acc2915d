/* The tabular preparation against pandas 1.5 / scikit-learn 1.2 (fixtures made by
 * tests/fixtures/make_table_fixtures.py from the made-up tests/fixtures/table/small.csv),
 * new rows, the JSON form, sklearn's train_test_split, and the real House Prices train.csv
 * when ../shared/data has it (its values are not in the repository: only its 288 column
 * names, which are schema). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actlab/table.h"

#define FIX ACTLAB_TABLE_FIXTURES "/"
#define HOUSE_PRICES ACTLAB_SHARED_DATA "/house-prices/train.csv"

static data_table read_csv(const char *path)
{
    data_table t;
    cr_assert_eq(data_csv_read(path, &t), AL_OK, "%s", al_last_error());
    return t;
}

static data_table parse(const char *text)
{
    data_table t;
    cr_assert_eq(data_csv_parse("new.csv", text, strlen(text), &t), AL_OK, "%s",
                 al_last_error());
    return t;
}

static data_tab_options small_options(void)
{
    data_tab_options o;
    data_tab_options_default(&o);
    o.target = "Price";
    o.drop = "Id";
    return o;
}

static data_tab_transform *fit(const data_table *t, const data_tab_options *o)
{
    data_tab_transform *tf = NULL;
    cr_assert_eq(data_tab_fit(t, o, &tf), AL_OK, "%s", al_last_error());
    cr_assert_not_null(tf);
    return tf;
}

/* |got - want| <= 1 ulp of float at want, or 1e-6 */
static int close_f32(float got, double want)
{
    float w = (float)want;
    double ulp = (double)nextafterf(fabsf(w), INFINITY) - fabsf(w);
    double d = fabs((double)got - want);
    return d <= 1e-6 || d <= ulp;
}

/* our features against a pandas fixture whose header holds the names */
static void expect_fixture(const char *fixture, const data_tab_options *o)
{
    data_table t = read_csv(FIX "small.csv"), want = read_csv(fixture);
    data_tab_transform *tf = fit(&t, o);
    data_array x, y;
    cr_assert_eq(data_tab_apply(tf, &t, &x, &y), AL_OK, "%s", al_last_error());
    size_t nf = data_tab_n_features(tf);
    cr_assert_eq(nf, want.n_cols, "%s: %zu features, pandas has %zu", fixture, nf, want.n_cols);
    cr_assert_eq(x.dtype, DATA_F32);
    cr_assert_eq(x.ndim, 2);
    cr_assert_eq(x.shape[0], t.n_rows);
    cr_assert_eq(x.shape[1], nf);
    cr_assert_eq(want.n_rows, t.n_rows);
    const float *xs = x.data;
    for (size_t j = 0; j < nf; j++) {
        cr_assert_str_eq(data_tab_feature_name(tf, j), want.cols[j].name, "%s: feature %zu", fixture,
                         j);
        cr_assert_eq(want.cols[j].type, DATA_COL_NUMERIC);
        for (size_t r = 0; r < t.n_rows; r++)
            cr_assert(close_f32(xs[r * nf + j], want.cols[j].num[r]),
                      "%s: row %zu, %s: %.9g, pandas %.17g", fixture, r, want.cols[j].name,
                      xs[r * nf + j], want.cols[j].num[r]);
    }
    data_table target = read_csv(FIX "small_target.csv");
    cr_assert_not_null(y.data);
    cr_assert_eq(y.ndim, 1);
    cr_assert_eq(y.shape[0], t.n_rows);
    for (size_t r = 0; r < t.n_rows; r++)
        cr_assert_eq(((float *)y.data)[r], (float)target.cols[0].num[r]);
    data_table_free(&target);
    data_array_free(&x);
    data_array_free(&y);
    data_tab_transform_free(tf);
    data_table_free(&want);
    data_table_free(&t);
}

Test(tabular, minmax_matches_pandas_and_sklearn)
{
    data_tab_options o = small_options();
    expect_fixture(FIX "small_minmax.csv", &o);
}

Test(tabular, standard_matches_sklearn)
{
    data_tab_options o = small_options();
    o.scale = DATA_TAB_SCALE_STANDARD;
    expect_fixture(FIX "small_standard.csv", &o);
}

Test(tabular, mean_fill_no_scaling_all_indicators_matches_pandas)
{
    data_tab_options o = small_options();
    o.fill = DATA_TAB_FILL_MEAN;
    o.scale = DATA_TAB_SCALE_NONE;
    o.dummy_na = 0;
    o.drop_first = 0;
    expect_fixture(FIX "small_mean_plain.csv", &o);
}

static long feature(const data_tab_transform *tf, const char *name)
{
    for (size_t i = 0; i < data_tab_n_features(tf); i++)
        if (strcmp(data_tab_feature_name(tf, i), name) == 0)
            return (long)i;
    cr_assert_fail("no feature '%s'", name);
    return -1;
}

Test(tabular, new_rows_unseen_categories_and_missing_values)
{
    data_table t = read_csv(FIX "small.csv"), want = read_csv(FIX "small_minmax.csv");
    data_tab_options o = small_options();
    data_tab_transform *tf = fit(&t, &o);
    /* other column order, an extra column, no target; row 0 all unseen, row 1 missing */
    data_table n = parse("City,Extra,Mixed,Pool,Single,Street,Zone,Const,Rooms,Area,Id\n"
                        "Oslo,x,1e3,True,other,Nowhere,XX,7,3,500,99\n"
                        "NA,y,0,NA,NA,NA,NA,7,3,NA,100\n");
    data_array x, y;
    cr_assert_eq(data_tab_apply(tf, &n, &x, &y), AL_OK, "%s", al_last_error());
    cr_assert_null(y.data, "no target column: no y");
    size_t nf = data_tab_n_features(tf);
    const float *r0 = x.data, *r1 = r0 + nf;
    const char *zero0[] = {"Zone_C (all)", "Zone_FV", "Zone_RL", "Zone_RM", "Zone_nan",
                           "Street_Oak", "Street_nan", "Single_nan", "City_Zebra",
                           "City_Zürich", "City_apple", "City_nan", "Pool_nan"};
    for (size_t i = 0; i < sizeof zero0 / sizeof zero0[0]; i++)
        cr_assert_eq(r0[feature(tf, zero0[i])], 0.0f, "unseen: %s", zero0[i]);
    cr_assert_eq(r0[feature(tf, "Pool_True")], 1.0f);
    cr_assert_gt(r0[feature(tf, "Area")], 1.0f, "beyond the fitted max maps beyond 1");
    const char *one1[] = {"Zone_nan", "Street_nan", "Single_nan", "City_nan", "Pool_nan"};
    for (size_t i = 0; i < sizeof one1 / sizeof one1[0]; i++)
        cr_assert_eq(r1[feature(tf, one1[i])], 1.0f, "missing: %s", one1[i]);
    /* a missing Area gets the fitted median, as in pandas' row 1 (Area NA there) */
    long area = feature(tf, "Area");
    cr_assert(close_f32(r1[area], want.cols[area].num[1]), "%g vs %g", r1[area],
              want.cols[area].num[1]);
    cr_assert_eq(r1[feature(tf, "Const")], 0.0f, "a constant column becomes 0");
    data_array_free(&x);
    data_table_free(&n);

    /* a table without a column the transform uses */
    n = parse("Area,Rooms\n1,2\n");
    cr_assert_eq(data_tab_apply(tf, &n, &x, &y), AL_ENAME);
    cr_assert(strstr(al_last_error(), "'Const'"), "%s", al_last_error());
    cr_assert_null(x.data);
    data_table_free(&n);
    /* a number column that holds text here */
    n = parse("City,Mixed,Pool,Single,Street,Zone,Const,Rooms,Area\n"
              "Oslo,1,True,a,b,c,7,3,5\nOslo,1,True,a,b,c,7,3,big\n");
    cr_assert_eq(data_tab_apply(tf, &n, &x, NULL), AL_EFORMAT);
    cr_assert(strstr(al_last_error(), "column 'Area', row 1: 'big' is not a number"), "%s",
              al_last_error());
    data_table_free(&n);
    /* a target present in new rows but missing a value */
    n = parse("City,Mixed,Pool,Single,Street,Zone,Const,Rooms,Area,Price\n"
              "Oslo,1,True,a,b,c,7,3,5,100\nOslo,1,True,a,b,c,7,3,5,\n");
    cr_assert_eq(data_tab_apply(tf, &n, &x, &y), AL_EFORMAT);
    cr_assert(strstr(al_last_error(), "target column 'Price' is missing in row 1"), "%s",
              al_last_error());
    cr_assert_null(x.data);
    cr_assert_null(y.data);
    data_table_free(&n);
    data_tab_transform_free(tf);
    data_table_free(&want);
    data_table_free(&t);
}

Test(tabular, text_column_that_reads_as_numbers_in_new_rows)
{
    data_table t = parse("code,y\nA,1\n1,2\n2.5,3\nNA,4\n");
    data_tab_options o;
    data_tab_options_default(&o);
    o.target = "y";
    o.scale = DATA_TAB_SCALE_NONE;
    data_tab_transform *tf = fit(&t, &o);
    const char *names[] = {"code_2.5", "code_A", "code_nan"}; /* "1" < "2.5" < "A" */
    cr_assert_eq(data_tab_n_features(tf), 3);
    for (size_t i = 0; i < 3; i++)
        cr_assert_str_eq(data_tab_feature_name(tf, i), names[i]);
    cr_assert_null(data_tab_feature_name(tf, 3));
    data_table n = parse("code\n2.5\n1\nNA\n7\n");
    cr_assert_eq(n.cols[0].type, DATA_COL_NUMERIC);
    data_array x;
    cr_assert_eq(data_tab_apply(tf, &n, &x, NULL), AL_OK, "%s", al_last_error());
    const float want[4][3] = {{1, 0, 0}, {0, 0, 0}, {0, 0, 1}, {0, 0, 0}};
    cr_assert_arr_eq(x.data, want, sizeof want);
    data_array_free(&x);
    data_table_free(&n);
    data_tab_transform_free(tf);
    data_table_free(&t);
}

Test(tabular, drop_first_with_a_single_category)
{
    /* pandas: the NaN level is faked and drop_first drops the only category */
    data_table t = parse("s,v\nonly,1\nonly,2\nNA,3\n");
    data_tab_options o;
    data_tab_options_default(&o);
    data_tab_transform *tf = fit(&t, &o);
    cr_assert_eq(data_tab_n_features(tf), 2);
    cr_assert_str_eq(data_tab_feature_name(tf, 0), "v");
    cr_assert_str_eq(data_tab_feature_name(tf, 1), "s_nan");
    data_tab_transform_free(tf);
    o.dummy_na = 0; /* and without dummy_na the column vanishes */
    tf = fit(&t, &o);
    cr_assert_eq(data_tab_n_features(tf), 1);
    data_tab_transform_free(tf);
    data_table_free(&t);
}

static void roundtrip(const data_tab_options *o)
{
    data_table t = read_csv(FIX "small.csv");
    data_tab_transform *tf = fit(&t, o), *back = NULL;
    char *json = NULL, *json2 = NULL;
    cr_assert_eq(data_tab_transform_to_json(tf, &json), AL_OK, "%s", al_last_error());
    cr_assert_eq(data_tab_transform_from_json(json, &back), AL_OK, "%s\n%s", al_last_error(), json);
    cr_assert_eq(data_tab_transform_to_json(back, &json2), AL_OK);
    cr_assert_str_eq(json, json2, "writing what was read gives the same text");
    data_array x1, y1, x2, y2;
    cr_assert_eq(data_tab_apply(tf, &t, &x1, &y1), AL_OK);
    cr_assert_eq(data_tab_apply(back, &t, &x2, &y2), AL_OK, "%s", al_last_error());
    cr_assert_eq(memcmp(x1.data, x2.data, data_array_count(&x1) * sizeof(float)), 0,
                 "identical outputs after the round trip");
    cr_assert_eq(!y1.data, !o->target, "y exactly when there is a target");
    cr_assert_eq(!y2.data, !o->target);
    if (o->target)
        cr_assert_eq(memcmp(y1.data, y2.data, data_array_count(&y1) * sizeof(float)), 0);
    /* every truncation is an error, never a crash */
    size_t len = strlen(json);
    char *cut = malloc(len + 1);
    for (size_t k = 0; k < len - 1; k++) {
        memcpy(cut, json, k);
        cut[k] = '\0';
        data_tab_transform *bad = (data_tab_transform *)1;
        cr_assert_eq(data_tab_transform_from_json(cut, &bad), AL_EFORMAT, "prefix %zu", k);
        cr_assert_null(bad);
    }
    free(cut);
    data_array_free(&x1);
    data_array_free(&y1);
    data_array_free(&x2);
    data_array_free(&y2);
    free(json);
    free(json2);
    data_tab_transform_free(tf);
    data_tab_transform_free(back);
    data_table_free(&t);
}

Test(tabular, json_round_trip)
{
    data_tab_options o = small_options();
    roundtrip(&o);
    o.scale = DATA_TAB_SCALE_STANDARD;
    roundtrip(&o);
    o.scale = DATA_TAB_SCALE_NONE;
    o.fill = DATA_TAB_FILL_MEAN;
    o.drop_first = 0;
    o.target = NULL;
    roundtrip(&o);
}

Test(tabular, json_names_with_escapes)
{
    data_table t = parse("\"we\"\"ird\tname\\\",n\xC3\xA9\n\"a\x01\",1\nb,2\n");
    data_tab_options o;
    data_tab_options_default(&o);
    data_tab_transform *tf = fit(&t, &o), *back;
    char *json;
    cr_assert_eq(data_tab_transform_to_json(tf, &json), AL_OK);
    cr_assert(strstr(json, "\"we\\\"ird\\u0009name\\\\\""), "%s", json);
    cr_assert_eq(data_tab_transform_from_json(json, &back), AL_OK, "%s", al_last_error());
    cr_assert_str_eq(data_tab_feature_name(back, 1), "we\"ird\tname\\_b");
    cr_assert_str_eq(data_tab_feature_name(back, 0), "n\xC3\xA9");
    data_tab_transform_free(back);
    free(json);
    /* \u escapes we never write are still read: "\u00e9" and a surrogate pair */
    const char *hand =
        "{\"format\": \"actlab-tab-transform\", \"version\": 1, \"target\": null,"
        " \"fill\": \"median\", \"scale\": \"none\", \"one_hot\": true, \"dummy_na\": true,"
        " \"drop_first\": true, \"sources\": [{\"name\": \"n\\u00e9\\ud83d\\ude00\","
        " \"type\": \"numeric\"}], \"features\": [{\"name\": \"x\", \"source\": 0,"
        " \"kind\": \"value\", \"fill\": -1.5e-3, \"a\": 1, \"b\": 0}]}";
    cr_assert_eq(data_tab_transform_from_json(hand, &back), AL_OK, "%s", al_last_error());
    cr_assert_eq(data_tab_transform_to_json(back, &json), AL_OK);
    cr_assert(strstr(json, "\"n\xC3\xA9\xF0\x9F\x98\x80\""), "%s", json);
    cr_assert(strstr(json, "\"fill\": -0.0015"), "%s", json);
    free(json);
    data_tab_transform_free(back);
    data_tab_transform_free(tf);
    data_table_free(&t);
}

static void json_fails(const char *json, const char *want)
{
    data_tab_transform *tf = NULL;
    cr_assert_eq(data_tab_transform_from_json(json, &tf), AL_EFORMAT, "%s", json);
    cr_assert(strstr(al_last_error(), want), "'%s' lacks '%s'", al_last_error(), want);
    cr_assert_null(tf);
}

Test(tabular, json_is_strict)
{
    const char *head = "{\"format\": \"actlab-tab-transform\", \"version\": 1, \"target\": "
                       "null, \"fill\": \"median\", \"scale\": \"standard\", \"one_hot\": "
                       "true, \"dummy_na\": true, \"drop_first\": true, ";
    char buf[1024];
#define CASE(tail, want)                                           \
    do {                                                           \
        snprintf(buf, sizeof buf, "%s%s", head, tail);             \
        json_fails(buf, want);                                     \
    } while (0)
    CASE("\"sources\": [{\"name\": \"c\", \"type\": \"text\", \"categories\": [\"b\", \"a\"]}],"
         " \"features\": []}",
         "strictly increasing");
    CASE("\"sources\": [{\"name\": \"c\", \"type\": \"text\", \"categories\": [\"a\"]}],"
         " \"features\": [{\"name\": \"c_a\", \"source\": 0, \"kind\": \"category\","
         " \"category\": 1, \"a\": 1, \"b\": 0}]}",
         "a category index");
    CASE("\"sources\": [{\"name\": \"c\", \"type\": \"numeric\"}], \"features\": [{\"name\":"
         " \"c\", \"source\": 1, \"kind\": \"value\", \"fill\": 0, \"a\": 1, \"b\": 1}]}",
         "a source index");
    CASE("\"sources\": [{\"name\": \"c\", \"type\": \"numeric\"}], \"features\": [{\"name\":"
         " \"c\", \"source\": 0, \"kind\": \"nan\", \"a\": 1, \"b\": 1}]}",
         "\"value\" for a numeric source");
    CASE("\"sources\": [{\"name\": \"c\", \"type\": \"numeric\"}], \"features\": [{\"name\":"
         " \"c\", \"source\": 0, \"kind\": \"value\", \"fill\": 0, \"a\": 1, \"b\": 0}]}",
         "non-zero standard deviation");
    CASE("\"sources\": [{\"name\": \"c\", \"type\": \"numeric\"}], \"features\": [{\"name\":"
         " \"c\", \"source\": 0, \"kind\": \"value\", \"fill\": NaN, \"a\": 1, \"b\": 1}]}",
         "a number");
    CASE("\"sources\": [{\"name\": \"c\", \"type\": \"numeric\"}], \"features\": [{\"name\":"
         " \"c\", \"source\": 0, \"kind\": \"value\", \"fill\": 1e999, \"a\": 1, \"b\": 1}]}",
         "a finite number");
    CASE("\"sources\": [], \"features\": []} x", "the end of the text");
    CASE("\"features\": [], \"sources\": []}", "the key \"sources\"");
    CASE("\"sources\": [{\"name\": \"c\\q\", \"type\": \"numeric\"}], \"features\": []}",
         "unknown escape '\\q'");
    CASE("\"sources\": [{\"name\": \"c\\ud800\", \"type\": \"numeric\"}], \"features\": []}",
         "without its low half");
    CASE("\"sources\": [{\"name\": \"c\\u0000\", \"type\": \"numeric\"}], \"features\": []}",
         "\\u0000 in a string");
#undef CASE
    json_fails("{\"format\": \"actlab-tab-transform\", \"version\": 2}", "'1'");
    json_fails("[]", "'{'");
    json_fails("", "'{'");
    data_tab_transform *tf;
    cr_assert_eq(data_tab_transform_from_json(NULL, &tf), AL_EINVAL);
    char *json;
    cr_assert_eq(data_tab_transform_to_json(NULL, &json), AL_EINVAL);
    cr_assert_null(json);
}

Test(tabular, split_matches_sklearn)
{
    FILE *f = fopen(FIX "splits.txt", "r");
    cr_assert_not_null(f);
    static char line[1 << 16];
    size_t cases = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        size_t n;
        double frac;
        unsigned long seed;
        cr_assert_eq(sscanf(line, "case %zu %lf %lu", &n, &frac, &seed), 3, "%s", line);
        size_t *train = malloc(n * sizeof *train), *val = malloc(n * sizeof *val), nt, nv;
        cr_assert_eq(data_tab_split(n, frac, (uint32_t)seed, train, &nt, val, &nv), AL_OK, "%s",
                     al_last_error());
        for (int part = 0; part < 2; part++) {
            cr_assert_not_null(fgets(line, sizeof line, f));
            const char *tag = part ? "train " : "val ";
            cr_assert_eq(strncmp(line, tag, strlen(tag)), 0, "%s", line);
            char *p = line + strlen(tag), *end;
            size_t k = 0, *got = part ? train : val, count = part ? nt : nv;
            for (unsigned long v; (v = strtoul(p, &end, 10)), end != p; p = end, k++) {
                cr_assert_lt(k, count, "n=%zu f=%g seed=%lu: more %s", n, frac, seed, tag);
                cr_assert_eq(got[k], v, "n=%zu f=%g seed=%lu %s[%zu]", n, frac, seed, tag, k);
            }
            cr_assert_eq(k, count, "n=%zu f=%g seed=%lu: %s count", n, frac, seed, tag);
        }
        free(train);
        free(val);
        cases++;
    }
    fclose(f);
    cr_assert_geq(cases, 5);
}

Test(tabular, split_arguments)
{
    size_t tr[4], va[4], nt, nv;
    cr_assert_eq(data_tab_split(0, 0.2, 1, tr, &nt, va, &nv), AL_EINVAL);
    cr_assert_eq(data_tab_split(4, 1.0, 1, tr, &nt, va, &nv), AL_EINVAL);
    cr_assert_eq(data_tab_split(4, -0.1, 1, tr, &nt, va, &nv), AL_EINVAL);
    cr_assert_eq(data_tab_split(4, NAN, 1, tr, &nt, va, &nv), AL_EINVAL);
    cr_assert_eq(data_tab_split(1, 0.5, 1, tr, &nt, va, &nv), AL_EINVAL);
    cr_assert(strstr(al_last_error(), "no training rows"), "%s", al_last_error());
    cr_assert_eq(data_tab_split(4, 0.2, 1, NULL, &nt, va, &nv), AL_EINVAL);
    cr_assert_eq(data_tab_split(4, 0.0, 1, tr, &nt, va, &nv), AL_OK, "no validation rows is allowed");
    cr_assert_eq(nv, 0);
    cr_assert_eq(nt, 4);
}

Test(tabular, fit_errors_name_what_is_wrong)
{
    data_table t = read_csv(FIX "small.csv");
    data_tab_options o = small_options();
    data_tab_transform *tf = (data_tab_transform *)1;
    o.drop = "Id, Nope";
    cr_assert_eq(data_tab_fit(&t, &o, &tf), AL_ENAME);
    cr_assert(strstr(al_last_error(), "'Nope'"), "%s", al_last_error());
    cr_assert_null(tf);
    o = small_options();
    o.target = "SalePrice";
    cr_assert_eq(data_tab_fit(&t, &o, &tf), AL_ENAME);
    cr_assert(strstr(al_last_error(), "target column 'SalePrice' not found"), "%s",
              al_last_error());
    o.target = "Zone";
    cr_assert_eq(data_tab_fit(&t, &o, &tf), AL_EFORMAT);
    cr_assert(strstr(al_last_error(), "target column 'Zone', row 0: 'RL' is not a number"),
              "%s", al_last_error());
    o.target = "Area";
    cr_assert_eq(data_tab_fit(&t, &o, &tf), AL_EFORMAT);
    cr_assert(strstr(al_last_error(), "target column 'Area' is missing in row 1"), "%s",
              al_last_error());
    o.target = "Id";
    cr_assert_eq(data_tab_fit(&t, &o, &tf), AL_EINVAL);
    cr_assert(strstr(al_last_error(), "'Id' is both the target and dropped"), "%s",
              al_last_error());
    o = small_options();
    o.one_hot = 0;
    cr_assert_eq(data_tab_fit(&t, &o, &tf), AL_EINVAL);
    cr_assert(strstr(al_last_error(), "column 'Zone' is text"), "%s", al_last_error());
    o = small_options();
    o.scale = (data_tab_scale)7;
    cr_assert_eq(data_tab_fit(&t, &o, &tf), AL_EINVAL);
    cr_assert_eq(data_tab_fit(NULL, &o, &tf), AL_EINVAL);
    cr_assert_eq(data_tab_fit(&t, &o, NULL), AL_EINVAL);
    cr_assert_eq(data_tab_n_features(NULL), 0);
    cr_assert_null(data_tab_feature_name(NULL, 0));
    data_tab_transform_free(NULL);
    data_table_free(&t);

    t = parse("a,b\n1,2\ninf,3\n");
    cr_assert_eq(data_tab_fit(&t, NULL, &tf), AL_EFORMAT);
    cr_assert(strstr(al_last_error(), "column 'a', row 1: infinite value"), "%s",
              al_last_error());
    data_table_free(&t);
    t = parse("a,b\n1.7e308,1\n1.7e308,2\n-1e308,3\n");
    o = small_options();
    o.target = o.drop = NULL;
    o.scale = DATA_TAB_SCALE_STANDARD;
    cr_assert_eq(data_tab_fit(&t, &o, &tf), AL_EFORMAT);
    cr_assert(strstr(al_last_error(), "column 'a': values too large to scale"), "%s",
              al_last_error());
    o.scale = DATA_TAB_SCALE_NONE;
    o.fill = DATA_TAB_FILL_MEAN; /* kept for new rows even when nothing is missing here */
    cr_assert_eq(data_tab_fit(&t, &o, &tf), AL_EFORMAT);
    cr_assert(strstr(al_last_error(), "column 'a': values too large to fill in (the mean"),
              "%s", al_last_error());
    data_table_free(&t);
    t = parse("a,b\n");
    cr_assert_eq(data_tab_fit(&t, NULL, &tf), AL_EINVAL);
    cr_assert(strstr(al_last_error(), "no rows"), "%s", al_last_error());
    data_table_free(&t);
    /* a column with no value at all is filled with 0 (pandas would leave NaN) */
    t = parse("a,b\nNA,1\n,2\n");
    tf = fit(&t, NULL);
    data_array x;
    cr_assert_eq(data_tab_apply(tf, &t, &x, NULL), AL_OK);
    for (size_t i = 0; i < 4; i += 2)
        cr_assert_eq(((float *)x.data)[i], 0.0f);
    data_array_free(&x);
    data_tab_transform_free(tf);
    data_table_free(&t);
}

/* ---- the real House Prices train.csv (not in the repository) ---------------------------- */

Test(tabular, house_prices_train_csv)
{
    FILE *probe = fopen(HOUSE_PRICES, "rb");
    if (!probe)
        cr_skip_test("%s is not there (the Kaggle House Prices data may not be "
                     "redistributed; put train.csv in ../shared/data/house-prices/ to run this)",
                     HOUSE_PRICES);
    fclose(probe);
    data_table t = read_csv(HOUSE_PRICES);
    cr_assert_eq(t.n_rows, 1460);
    cr_assert_eq(t.n_cols, 81);
    data_tab_options o;
    data_tab_options_default(&o);
    o.target = "SalePrice";
    o.drop = "Id";
    data_tab_transform *tf = fit(&t, &o);
    size_t nf = data_tab_n_features(tf);
    cr_assert_eq(nf, 288, "pandas gives 288 features, we %zu", nf);

    FILE *f = fopen(FIX "house_prices_columns.txt", "r");
    cr_assert_not_null(f);
    char line[256];
    size_t i = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        cr_assert_lt(i, nf);
        cr_assert_str_eq(data_tab_feature_name(tf, i), line, "feature %zu", i);
        i++;
    }
    fclose(f);
    cr_assert_eq(i, nf);

    data_array x, y;
    cr_assert_eq(data_tab_apply(tf, &t, &x, &y), AL_OK, "%s", al_last_error());
    const float *xs = x.data, *ys = y.data;
    for (size_t k = 0; k < data_array_count(&x); k++)
        cr_assert(xs[k] >= 0.0f && xs[k] <= 1.0f, "x[%zu][%zu] = %g", k / nf, k % nf, xs[k]);
    const data_column *price = &t.cols[data_table_find_column(&t, "SalePrice")];
    for (size_t r = 0; r < t.n_rows; r++)
        cr_assert_eq(ys[r], (float)price->num[r]);
    size_t tr[1460], va[1460], nt, nv;
    cr_assert_eq(data_tab_split(t.n_rows, 0.2, 42, tr, &nt, va, &nv), AL_OK);
    cr_assert_eq(nv, 292);
    cr_assert_eq(nt, 1168);
    data_array_free(&x);
    data_array_free(&y);
    data_tab_transform_free(tf);
    data_table_free(&t);
}
