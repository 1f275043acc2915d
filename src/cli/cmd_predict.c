/* actlab predict --load W.safetensors --input X.npy -o Y.npy */
#include <stdlib.h>
#include <string.h>

#include "../core/error.h"
#include "actlab/data.h"
#include "actlab/table.h"
#include "actlab/train.h"
#include "cli.h"

/* float32 input; float64 converted; uint8 (raw pixels) converted and scaled to [0, 1] as the
 * image loaders do */
static int to_input(const data_array *in, data_array *x)
{
    int rc = data_array_to_f32(in, x);
    if (!rc && in->dtype == DATA_U8) {
        float *v = x->data;
        for (size_t i = 0, n = data_array_count(x); i < n; i++)
            v[i] /= 255.0f;
    }
    return rc;
}

/* csv:FILE through the transformation saved with the model (train on a CSV source) */
static int csv_input(const char *weights, const char *path, data_array *x)
{
    char *json = NULL;
    tab_transform *tf = NULL;
    tab_table t = {0};
    data_array y = {0};
    int rc = nn_file_meta(weights, "actlab_tabular", &json);
    if (!rc && !json)
        rc = al__fail(AL_EINVAL, "%s was not trained on a CSV source, so it has no preprocessing "
                                 "for csv:%s; give it a prepared .npy", weights, path);
    if (!rc)
        rc = tab_transform_from_json(json, &tf);
    if (!rc)
        rc = tab_csv_read(path, &t);
    if (!rc)
        rc = tab_apply(tf, &t, x, &y);
    data_array_free(&y);
    tab_table_free(&t);
    tab_transform_free(tf);
    free(json);
    return rc;
}

int cli_predict(int argc, char **argv)
{
    const char *load = NULL, *input = NULL, *output = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (cli_is_help(argv[i])) {
            printf("usage: actlab predict --load W.safetensors --input X.npy|csv:FILE -o Y.npy\n"
                   "  runs a saved model on a NumPy array (float32; float64 converted; uint8\n"
                   "  taken as pixels and scaled to [0, 1]) of shape (N, input...) and writes\n"
                   "  the outputs (N, output...) as float32 .npy. csv:FILE applies the CSV\n"
                   "  preprocessing saved with a model trained on a csv: source (a category\n"
                   "  never seen in training becomes all zeros).\n");
            return CLI_OK;
        }
        if (!strcmp(argv[i], "--load") && v)
            load = v, i++;
        else if (!strcmp(argv[i], "--input") && v)
            input = v, i++;
        else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && v)
            output = v, i++;
        else
            return cli_usage(argv[0], "unknown option or missing value '%s'", argv[i]);
    }
    if (!load || !input || !output)
        return cli_usage(argv[0], "needs --load W.safetensors --input X.npy -o Y.npy");
    int rc = cli_check_output(argv[0], output);
    if (rc)
        return rc;
    nn_model *m = NULL;
    data_array raw = {0}, x = {0}, y = {0};
    if (nn_load(load, &m) ||
        (!strncmp(input, "csv:", 4) ? csv_input(load, input + 4, &x)
                                    : data_npy_read(input, &raw) || to_input(&raw, &x)))
        rc = cli_fail(argv[0], "%s", act_last_error());
    nn_shape in = rc ? (nn_shape){0} : nn_model_input_shape(m);
    size_t n = x.ndim ? x.shape[0] : 0, per = 1;
    for (int d = 1; !rc && d < x.ndim; d++)
        per *= x.shape[d];
    if (!rc && (x.ndim < 2 || per != nn_shape_count(in)))
        rc = cli_fail(argv[0], "%s: samples have %zu values, the model takes %zu", input, per,
                      nn_shape_count(in));
    if (!rc) {
        nn_shape out = nn_model_output_shape(m);
        size_t shape[1 + NN_MAX_DIMS] = {n};
        for (int d = 0; d < out.ndim; d++)
            shape[1 + d] = out.d[d];
        if (data_array_alloc(&y, DATA_F32, 1 + out.ndim, shape) ||
            nn_predict(m, x.data, n, y.data, 256) || data_npy_write(output, &y))
            rc = cli_fail(argv[0], "%s", act_last_error());
    }
    if (!rc)
        printf("wrote %s (%zu predictions)\n", output, n);
    data_array_free(&raw);
    data_array_free(&x);
    data_array_free(&y);
    nn_model_free(m);
    return rc;
}
