/* libFuzzer target: the CSV reader on arbitrary bytes, then the whole preparation on
 * whatever table comes out (fit with options taken from the last byte, apply, JSON out and
 * back, which must reproduce the same text), and the same bytes as a JSON transform.
 * Anything inconsistent aborts, which is what a fuzzer reports; the library itself never
 * aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "actlab/table.h"

static void check_table(const data_table *t)
{
    for (size_t j = 0; j < t->n_cols; j++) {
        const data_column *c = &t->cols[j];
        size_t missing = 0;
        if (!c->name || (t->n_rows && !(c->type == DATA_COL_NUMERIC ? (void *)c->num : (void *)c->text)))
            abort();
        for (size_t r = 0; r < t->n_rows; r++)
            missing += c->type == DATA_COL_NUMERIC ? c->num[r] != c->num[r] : !c->text[r];
        if (missing != c->n_missing || data_table_find_column(t, c->name) < 0)
            abort();
    }
}

static void pipeline(const data_table *t, unsigned char b)
{
    data_tab_options o;
    data_tab_options_default(&o);
    o.scale = (data_tab_scale)(b % 3);
    o.fill = (data_tab_fill)(b / 3 % 3);
    o.dummy_na = (b >> 4) & 1;
    o.drop_first = (b >> 5) & 1;
    if ((b >> 6) & 1 && t->n_cols > 1)
        o.target = t->cols[0].name;
    if ((b >> 7) & 1 && t->n_cols > 1)
        o.drop = t->cols[t->n_cols - 1].name;
    data_tab_transform *tf = NULL, *back = NULL;
    if (data_tab_fit(t, &o, &tf) != AL_OK)
        return;
    size_t nf = data_tab_n_features(tf);
    for (size_t i = 0; i < nf; i++)
        if (!data_tab_feature_name(tf, i))
            abort();
    data_array x, y;
    if (t->n_rows * (nf + 1) <= (1u << 20) && data_tab_apply(tf, t, &x, &y) == AL_OK) {
        data_array_free(&x);
        data_array_free(&y);
    }
    char *json = NULL, *json2 = NULL;
    if (data_tab_transform_to_json(tf, &json) != AL_OK)
        abort();
    if (data_tab_transform_from_json(json, &back) != AL_OK)
        abort();
    if (data_tab_transform_to_json(back, &json2) != AL_OK || strcmp(json, json2) != 0)
        abort();
    free(json);
    free(json2);
    data_tab_transform_free(back);
    data_tab_transform_free(tf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    data_table t;
    if (data_csv_parse("fuzz.csv", data, size, &t) == AL_OK) {
        check_table(&t);
        if (t.n_rows)
            pipeline(&t, size ? data[size - 1] : 0);
        data_table_free(&t);
    }
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    data_tab_transform *tf = NULL;
    if (data_tab_transform_from_json(text, &tf) == AL_OK) {
        char *json = NULL;
        if (data_tab_transform_to_json(tf, &json) != AL_OK)
            abort();
        free(json);
        data_tab_transform_free(tf);
    }
    free(text);
    return 0;
}
