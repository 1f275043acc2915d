/* The CSV reader: RFC 4180 quoting, line ends, BOM, pandas 1.5's missing markers and type
 * inference (every expectation here was checked against pd.read_csv 1.5.3), and errors that
 * name the file and line. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "actlab/table.h"

static data_table parse(const char *text)
{
    data_table t;
    int rc = data_csv_parse("t.csv", text, strlen(text), &t);
    cr_assert_eq(rc, AL_OK, "%s: %s", text, al_last_error());
    return t;
}

/* parsing fails with rc and a message containing want */
static void parse_fails(const char *text, size_t len, int rc, const char *want)
{
    data_table t;
    int got = data_csv_parse("t.csv", text, len, &t);
    cr_assert_eq(got, rc, "'%s': rc %d, expected %d (%s)", text, got, rc, al_last_error());
    cr_assert(strstr(al_last_error(), want), "'%s': message '%s' lacks '%s'", text,
              al_last_error(), want);
    cr_assert_eq(t.n_cols, 0);
    cr_assert_null(t.cols);
}

static const data_column *col(const data_table *t, const char *name)
{
    long j = data_table_find_column(t, name);
    cr_assert_geq(j, 0, "no column '%s'", name);
    return &t->cols[j];
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "%s", path);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

Test(csv, quoting)
{
    data_table t = parse("a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\n"
                        "plain\"quote,\"ab\"cd,\"\"\n");
    cr_assert_eq(t.n_rows, 2);
    cr_assert_eq(t.n_cols, 3);
    const data_column *a = col(&t, "a"), *b = col(&t, "b"), *c = col(&t, "c");
    cr_assert_eq(a->type, DATA_COL_TEXT);
    cr_assert_str_eq(a->text[0], "x, y");
    cr_assert_str_eq(b->text[0], "say \"hi\"");
    cr_assert_str_eq(c->text[0], "two\nlines");
    cr_assert_str_eq(a->text[1], "plain\"quote", "a quote inside an unquoted field is literal");
    cr_assert_str_eq(b->text[1], "abcd", "text after a closing quote is appended (pandas)");
    cr_assert_null(c->text[1], "a quoted empty field is missing too");
    cr_assert_eq(c->n_missing, 1);
    data_table_free(&t);
    cr_assert_eq(t.n_cols, 0);
    data_table_free(&t);
    data_table_free(NULL);
}

Test(csv, line_ends_blank_lines_and_last_line)
{
    const char *texts[] = {
        "a,b\n1,2\n3,4\n",          "a,b\r\n1,2\r\n3,4\r\n", "a,b\r1,2\r3,4",
        "a,b\n1,2\n3,4",            "a,b\n\n1,2\n  \t\n3,4\n\n\n", "\n\na,b\n1,2\n3,4\n  ",
        "a,b\r\n\r\n1,2\r\n3,4\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        data_table t = parse(texts[i]);
        cr_assert_eq(t.n_rows, 2, "case %zu", i);
        cr_assert_eq(t.n_cols, 2, "case %zu", i);
        cr_assert_str_eq(t.cols[1].name, "b", "case %zu", i);
        cr_assert_eq(t.cols[0].type, DATA_COL_NUMERIC, "case %zu", i);
        cr_assert_eq(t.cols[0].num[0], 1.0);
        cr_assert_eq(t.cols[1].num[1], 4.0, "case %zu", i);
        data_table_free(&t);
    }
    /* a trailing comma on the last line is an empty last field */
    data_table t = parse("a,b\n1,");
    cr_assert_eq(t.n_rows, 1);
    cr_assert(isnan(t.cols[1].num[0]));
    data_table_free(&t);
    /* a CRLF inside a quoted field stays in the text */
    t = parse("a\r\n\"x\r\ny\"\r\n");
    cr_assert_str_eq(t.cols[0].text[0], "x\r\ny");
    data_table_free(&t);
}

Test(csv, utf8_bom_from_a_file)
{
    char path[512];
    snprintf(path, sizeof path, "%s/test_csv_bom.csv", ACTLAB_TEST_TMP);
    const char text[] = "\xEF\xBB\xBFprice,city\n1.5,Z\xC3\xBCrich\n";
    write_file(path, text, sizeof text - 1);
    data_table t;
    cr_assert_eq(data_csv_read(path, &t), AL_OK, "%s", al_last_error());
    cr_assert_str_eq(t.cols[0].name, "price");
    cr_assert_eq(t.cols[0].num[0], 1.5);
    cr_assert_str_eq(t.cols[1].text[0], "Z\xC3\xBCrich");
    data_table_free(&t);
    remove(path);
}

Test(csv, pandas_missing_markers)
{
    static const char *na[] = {"",     "#N/A", "#N/A N/A", "#NA",  "-1.#IND", "-1.#QNAN",
                               "-NaN", "-nan", "1.#IND",   "1.#QNAN", "<NA>", "N/A",
                               "NA",   "NULL", "NaN",      "n/a",  "nan",     "null"};
    for (size_t i = 0; i < sizeof na / sizeof na[0]; i++) {
        char text[64];
        snprintf(text, sizeof text, "x,y\n%s,1\n2,\"%s\"\n", na[i], na[i]);
        data_table t = parse(text);
        cr_assert_eq(t.cols[0].type, DATA_COL_NUMERIC, "'%s'", na[i]);
        cr_assert(isnan(t.cols[0].num[0]), "'%s' is missing", na[i]);
        cr_assert(isnan(t.cols[1].num[1]), "quoted '%s' is missing too", na[i]);
        cr_assert_eq(t.cols[0].n_missing, 1);
        data_table_free(&t);
    }
    /* pandas strips nothing, and "None" is not a marker in pandas 1.5 */
    static const char *not_na[] = {" NA", "NA ", "None", "na", "N A", "nan "};
    for (size_t i = 0; i < sizeof not_na / sizeof not_na[0]; i++) {
        char text[64];
        snprintf(text, sizeof text, "x\n\"%s\"\n1\n", not_na[i]);
        data_table t = parse(text);
        cr_assert_eq(t.cols[0].type, DATA_COL_TEXT, "'%s'", not_na[i]);
        cr_assert_str_eq(t.cols[0].text[0], not_na[i]);
        cr_assert_str_eq(t.cols[0].text[1], "1");
        cr_assert_eq(t.cols[0].n_missing, 0);
        data_table_free(&t);
    }
}

Test(csv, numbers_as_pandas_reads_them)
{
    data_table t = parse("i,f,e,s,inf,big,a\n"
                        " 1,1e3,.5, 2.5 ,inf,1.5,\n"
                        "+7,-0.5,1.,\t-3\t,-Infinity,99999999999999999999,NA\n"
                        "007,2.5E-1,1E+05,4,+INF,0.1,\n");
    for (size_t j = 0; j < t.n_cols; j++)
        cr_assert_eq(t.cols[j].type, DATA_COL_NUMERIC, "column %s", t.cols[j].name);
    const double *i = col(&t, "i")->num, *f = col(&t, "f")->num, *e = col(&t, "e")->num,
                 *s = col(&t, "s")->num, *in = col(&t, "inf")->num, *big = col(&t, "big")->num;
    cr_assert(i[0] == 1 && i[1] == 7 && i[2] == 7);
    cr_assert(f[0] == 1000 && f[1] == -0.5 && f[2] == 0.25);
    cr_assert(e[0] == 0.5 && e[1] == 1 && e[2] == 1e5);
    cr_assert(s[0] == 2.5 && s[1] == -3 && s[2] == 4, "surrounding whitespace is allowed");
    cr_assert(in[0] == INFINITY && in[1] == -INFINITY && in[2] == INFINITY);
    /* pandas' precise_xstrtod keeps 17 digits: 1.0000000000000002e+20, not 1e20 */
    cr_assert_eq(big[1], 1.0000000000000002e+20, "%.17g", big[1]);
    cr_assert_eq(big[2], 0.1);
    cr_assert_eq(col(&t, "a")->n_missing, 3, "an all-missing column is numeric NaN");
    data_table_free(&t);
}

Test(csv, what_stays_text)
{
    /* each column has one word pandas does not read as a number (pandas also makes text of
     * a column with 1e400 or 1.8e308; we refuse those: test_hostile_data.c) */
    data_table t = parse("b,c,d,f,g\n1e, inf,0x10,1_000,-\n1,1,1,1,1\n");
    for (size_t j = 0; j < t.n_cols; j++) {
        cr_assert_eq(t.cols[j].type, DATA_COL_TEXT, "column %s", t.cols[j].name);
        cr_assert_str_eq(t.cols[j].text[1], "1");
    }
    cr_assert_str_eq(t.cols[1].text[0], " inf");
    data_table_free(&t);
}

Test(csv, integers_beyond_int64_follow_pandas)
{
    /* uint64 when it fits; the order of the rows matters, as in pandas */
    data_table t = parse("u,over_first,float_first,neg,conflict\n"
                        "18446744073709551615,99999999999999999999,1.5,-9223372036854775809,"
                        "18446744073709551615\n"
                        "1,1.5,99999999999999999999,NA,NA\n");
    cr_assert_eq(col(&t, "u")->type, DATA_COL_NUMERIC);
    cr_assert_eq(col(&t, "u")->num[0], 18446744073709551615.0);
    cr_assert_eq(col(&t, "over_first")->type, DATA_COL_TEXT);
    cr_assert_eq(col(&t, "float_first")->type, DATA_COL_NUMERIC);
    cr_assert_eq(col(&t, "float_first")->num[1], 1.0000000000000002e+20);
    const data_column *neg = col(&t, "neg"), *conflict = col(&t, "conflict");
    cr_assert_eq(neg->type, DATA_COL_TEXT);
    cr_assert_null(neg->text[1], "NA is still missing");
    cr_assert_eq(conflict->type, DATA_COL_TEXT);
    cr_assert_str_eq(conflict->text[1], "NA", "pandas keeps NA as text in this corner");
    data_table_free(&t);
}

Test(csv, booleans)
{
    data_table t = parse("b,bn,mixed\nTrue,true,true\nFALSE,NA,x\ntRuE,False,1\n");
    const data_column *b = col(&t, "b"), *bn = col(&t, "bn"), *mixed = col(&t, "mixed");
    cr_assert_eq(b->type, DATA_COL_NUMERIC, "an all-bool column is pandas' bool: 1/0");
    cr_assert(b->num[0] == 1 && b->num[1] == 0 && b->num[2] == 1);
    cr_assert_eq(bn->type, DATA_COL_TEXT, "bool with missing values is pandas' object");
    cr_assert_str_eq(bn->text[0], "True");
    cr_assert_null(bn->text[1]);
    cr_assert_str_eq(bn->text[2], "False");
    cr_assert_eq(mixed->type, DATA_COL_TEXT);
    cr_assert_str_eq(mixed->text[0], "true", "other text keeps its spelling");
    data_table_free(&t);
}

Test(csv, header_only_and_names)
{
    data_table t = parse("a,b\n");
    cr_assert_eq(t.n_rows, 0);
    cr_assert_eq(t.cols[0].type, DATA_COL_TEXT, "pandas: object columns without rows");
    data_table_free(&t);

    t = parse("a,a,a.1,a\n1,2,3,4\n");
    const char *want[] = {"a", "a.2", "a.1", "a.3"}; /* pandas 1.5's mangle_dupe_cols */
    for (size_t j = 0; j < 4; j++) {
        cr_assert_str_eq(t.cols[j].name, want[j]);
        cr_assert_eq(t.cols[j].num[0], (double)(j + 1));
    }
    cr_assert_eq(data_table_find_column(&t, "a.3"), 3);
    cr_assert_eq(data_table_find_column(&t, "b"), -1);
    cr_assert_eq(data_table_find_column(NULL, "a"), -1);
    cr_assert_eq(data_table_find_column(&t, NULL), -1);
    data_table_free(&t);

    t = parse(",b,,Unnamed: 0\n1,2,3,4\n");
    const char *want2[] = {"Unnamed: 0.1", "b", "Unnamed: 2", "Unnamed: 0"};
    for (size_t j = 0; j < 4; j++)
        cr_assert_str_eq(t.cols[j].name, want2[j]);
    data_table_free(&t);
}

Test(csv, malformed_input_names_file_and_line)
{
    const char *s;
    s = "a,b,c\n1,2,3\n4,5,6,7\n";
    parse_fails(s, strlen(s), AL_EFORMAT, "t.csv:3: 4 fields, expected 3");
    s = "a,b,c\n1,2\n";
    parse_fails(s, strlen(s), AL_EFORMAT, "t.csv:2: 2 fields, expected 3");
    s = "a,b\n\"multi\nline\",1\n\n5\n";
    parse_fails(s, strlen(s), AL_EFORMAT, "t.csv:5: 1 field, expected 2");
    s = "a,b\n1,2\n3,\"never\nclosed\n";
    parse_fails(s, strlen(s), AL_EFORMAT, "t.csv:3: the quoted field starting on this line");
    s = "a,\"b\n";
    parse_fails(s, strlen(s), AL_EFORMAT, "t.csv:1: the quoted field");
    parse_fails("", 0, AL_EFORMAT, "t.csv: empty file");
    s = "\n \n\t\r\n";
    parse_fails(s, strlen(s), AL_EFORMAT, "t.csv: empty file");
    parse_fails("a,b\n1,\0", 7, AL_EFORMAT, "t.csv:2: NUL byte");
    data_table t;
    cr_assert_eq(data_csv_parse(NULL, "a\n1\n", 4, &t), AL_OK);
    data_table_free(&t);
    cr_assert_eq(data_csv_parse(NULL, "a,b\n1\n", 6, &t), AL_EFORMAT);
    cr_assert(strstr(al_last_error(), "<memory>:2:"), "%s", al_last_error());
    cr_assert_eq(data_csv_parse("x", NULL, 3, &t), AL_EINVAL);
    cr_assert_eq(data_csv_parse("x", "a", 1, NULL), AL_EINVAL);
}

Test(csv, unreadable_files)
{
    data_table t;
    cr_assert_eq(data_csv_read("/nonexistent/dir/train.csv", &t), AL_EIO);
    cr_assert(strstr(al_last_error(), "/nonexistent/dir/train.csv"), "%s", al_last_error());
    cr_assert(strstr(al_last_error(), "No such file"), "%s", al_last_error());
    cr_assert_eq(data_csv_read(ACTLAB_TEST_TMP, &t), AL_EIO, "a directory");
    cr_assert(strstr(al_last_error(), ACTLAB_TEST_TMP), "%s", al_last_error());
    cr_assert_eq(data_csv_read(NULL, &t), AL_EINVAL);
    char path[512];
    snprintf(path, sizeof path, "%s/test_csv_bad.csv", ACTLAB_TEST_TMP);
    write_file(path, "a,b\n1,2\n3\n", 10);
    cr_assert_eq(data_csv_read(path, &t), AL_EFORMAT);
    char want[600];
    snprintf(want, sizeof want, "%s:3: 1 field, expected 2", path);
    cr_assert(strstr(al_last_error(), want), "%s", al_last_error());
    remove(path);
}

/* every prefix of a tricky file parses or fails cleanly (the sanitizer build checks reads) */
Test(csv, every_prefix)
{
    const char *s = "\xEF\xBB\xBF"
                    "a,\"b,\"\"x\"\"\",c\r\n1,\"two\r\nlines\",NA\r\n\r\n  \n-1e5,\"\",True\r";
    size_t n = strlen(s);
    for (size_t len = 0; len <= n; len++) {
        data_table t;
        int rc = data_csv_parse("p.csv", s, len, &t);
        cr_assert(rc == AL_OK || rc == AL_EFORMAT, "prefix %zu: %d", len, rc);
        if (len == n) {
            cr_assert_eq(rc, AL_OK, "%s", al_last_error());
            cr_assert_eq(t.n_cols, 3);
            cr_assert_eq(t.n_rows, 2);
            cr_assert_str_eq(t.cols[1].name, "b,\"x\"");
            cr_assert_str_eq(t.cols[1].text[0], "two\r\nlines");
        }
        data_table_free(&t);
    }
}
