/* libFuzzer target: the CSV reader on arbitrary bytes, then the whole preparation on
 * whatever table comes out (fit with options taken from the last byte, apply, JSON out and
 * back, which must reproduce the same text), and the same bytes as a JSON transform.
 * Anything inconsistent aborts, which is what a fuzzer reports; the library itself never
 * aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "actlab/table.h"

static void check_table(const tab_table *t)
{
    for (size_t j = 0; j < t->n_cols; j++) {
        const tab_column *c = &t->cols[j];
        size_t missing = 0;
        if (!c->name || (t->n_rows && !(c->type == TAB_NUMERIC ? (void *)c->num : (void *)c->text)))
            abort();
        for (size_t r = 0; r < t->n_rows; r++)
            missing += c->type == TAB_NUMERIC ? c->num[r] != c->num[r] : !c->text[r];
        if (missing != c->n_missing || tab_find_column(t, c->name) < 0)
            abort();
    }
}

static void pipeline(const tab_table *t, unsigned char b)
{
    tab_options o;
    tab_options_default(&o);
    o.scale = (tab_scale)(b % 3);
    o.fill = (tab_fill)(b / 3 % 3);
    o.dummy_na = (b >> 4) & 1;
    o.drop_first = (b >> 5) & 1;
    if ((b >> 6) & 1 && t->n_cols > 1)
        o.target = t->cols[0].name;
    if ((b >> 7) & 1 && t->n_cols > 1)
        o.drop = t->cols[t->n_cols - 1].name;
    tab_transform *tf = NULL, *back = NULL;
    if (tab_fit(t, &o, &tf) != AL_OK)
        return;
    size_t nf = tab_n_features(tf);
    for (size_t i = 0; i < nf; i++)
        if (!tab_feature_name(tf, i))
            abort();
    data_array x, y;
    if (t->n_rows * (nf + 1) <= (1u << 20) && tab_apply(tf, t, &x, &y) == AL_OK) {
        data_array_free(&x);
        data_array_free(&y);
    }
    char *json = NULL, *json2 = NULL;
    if (tab_transform_to_json(tf, &json) != AL_OK)
        abort();
    if (tab_transform_from_json(json, &back) != AL_OK)
        abort();
    if (tab_transform_to_json(back, &json2) != AL_OK || strcmp(json, json2) != 0)
        abort();
    free(json);
    free(json2);
    tab_transform_free(back);
    tab_transform_free(tf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tab_table t;
    if (tab_csv_parse("fuzz.csv", data, size, &t) == AL_OK) {
        check_table(&t);
        if (t.n_rows)
            pipeline(&t, size ? data[size - 1] : 0);
        tab_table_free(&t);
    }
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    tab_transform *tf = NULL;
    if (tab_transform_from_json(text, &tf) == AL_OK) {
        char *json = NULL;
        if (tab_transform_to_json(tf, &json) != AL_OK)
            abort();
        free(json);
        tab_transform_free(tf);
    }
    free(text);
    return 0;
}
