/* nn_model_summary: the Keras-style table of a model's layers, shapes and parameter counts. */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/error.h"
#include "../core/strbuf.h"
#include "layer.h"
#include "model_struct.h"

/* ---- Summary ---------------------------------------------------------------------------------
 * Keras' Sequential summary: columns at 29, 55 and 65 of a 65-character line, layer names
 * from the class name in snake case numbered per name (dense, dense_1, ...). Shapes are
 * ours, (None, C, H, W). */

/* Keras' to_snake_case: "MaxPooling2D" -> "max_pooling2d", "PReLU" -> "p_re_lu". */
static void snake_case(const char *name, char *out, size_t size)
{
    char tmp[128];
    size_t k = 0, n = strlen(name);
    for (size_t i = 0; i < n && k + 2 < sizeof tmp; i++) {
        if (i > 0 && isupper((unsigned char)name[i]) &&
            (islower((unsigned char)name[i + 1]) || isdigit((unsigned char)name[i + 1])))
            tmp[k++] = '_';
        tmp[k++] = name[i];
    }
    tmp[k] = '\0';
    k = 0;
    for (size_t i = 0; tmp[i] && k + 2 < size; i++) {
        out[k++] = (char)tolower((unsigned char)tmp[i]);
        if (islower((unsigned char)tmp[i]) && isupper((unsigned char)tmp[i + 1]))
            out[k++] = '_';
    }
    out[k] = '\0';
}

static void with_commas(size_t v, char *out, size_t size)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%zu", v), k = 0;
    for (int i = 0; i < n && (size_t)k + 2 < size; i++) {
        if (i && (n - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = digits[i];
    }
    out[k] = '\0';
}

/* One row: each field starts at the previous position, padded to its own; a field too long
 * for its column keeps one space after it (Keras would cut it). No trailing spaces. */
static void row(struct al__sb *t, const char *const f[3])
{
    static const int pos[3] = {29, 55, 65};
    char line[512];
    size_t len = 0;
    for (int i = 0; i < 3; i++) {
        if (i && len < (size_t)pos[i - 1])
            while (len < (size_t)pos[i - 1])
                line[len++] = ' ';
        else if (i)
            line[len++] = ' ';
        len += (size_t)snprintf(line + len, sizeof line - len, "%s", f[i]);
        if (len >= sizeof line)
            len = sizeof line - 1;
    }
    line[len] = '\0';
    al__sb_printf(t, "%s\n", line);
}

al_status nn_model_summary(const nn_model *m, char **text)
{
    AL_API_ENTRY;
    if (!m || !text)
        return al__fail(AL_EINVAL, "nn_model_summary: NULL argument");
    *text = NULL;
    struct al__sb t = {0};
    char rule[66], dbl[66];
    memset(rule, '_', 65);
    memset(dbl, '=', 65);
    rule[65] = dbl[65] = '\0';
    al__sb_printf(&t, "Model: \"sequential\"\n%s\n", rule);
    row(&t, (const char *const[]){"Layer (type)", "Output Shape", "Param #"});
    al__sb_printf(&t, "%s\n", dbl);
    char names[NN_LAYER_COUNT][64];
    size_t used[NN_LAYER_COUNT] = {0};
    for (int k = 0; k < NN_LAYER_COUNT; k++)
        snake_case(nn__layers[k]->type_name, names[k], sizeof names[k]);
    for (size_t i = 0; i < m->n_layers; i++) {
        const struct nn__layer *l = &m->layers[i];
        char name[160], shape[128], params[32];
        size_t nth = used[l->kind]++;
        if (nth)
            snprintf(name, sizeof name, "%s_%zu (%s)", names[l->kind], nth, l->ops->type_name);
        else
            snprintf(name, sizeof name, "%s (%s)", names[l->kind], l->ops->type_name);
        nn_shape s = m->post_shape[i];
        size_t k = (size_t)snprintf(shape, sizeof shape, "(None");
        for (int d = 0; d < s.ndim; d++)
            k += (size_t)snprintf(shape + k, sizeof shape - k, ", %zu", s.d[d]);
        snprintf(shape + k, sizeof shape - k, ")");
        snprintf(params, sizeof params, "%zu", l->n_params);
        row(&t, (const char *const[]){name, shape, params});
        al__sb_printf(&t, "%s\n", i + 1 < m->n_layers ? rule : dbl);
    }
    char total[40], zero[8];
    with_commas(m->n_params, total, sizeof total);
    with_commas(0, zero, sizeof zero);
    al__sb_printf(&t, "Total params: %s\nTrainable params: %s\nNon-trainable params: %s\n%s\n",
                  total, total, zero, rule);
    if (!(*text = al__sb_take(&t)))
        return al__fail(AL_ENOMEM, "nn_model_summary: out of memory");
    return AL_OK;
}
