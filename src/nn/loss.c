/* Losses, as Keras computes them, and their gradients with respect to the predictions.
 * Sums run in double; the loss is returned in double and the gradient rounded once to float.
 *
 *   mse    mean over batch and width of (p - y)^2;      d = 2 (p - y) / (B W)
 *   mae    mean of |p - y|;                              d = sign(p - y) / (B W), 0 at p = y
 *   rmsle  sqrt(mean((log p - log y)^2)) = L;            d = (log p - log y) / (B W L p)
 *   binary_crossentropy, mean over batch and width:
 *     logits z:  max(z, 0) - z y + log(1 + exp(-|z|))   d = (sigmoid(z) - y) / (B W)
 *     probabilities: p clipped to [eps, 1 - eps], -(y log p + (1 - y) log(1 - p));
 *                d = (p - y) / (p (1 - p)) / (B W) inside the clip range, 0 outside
 *   categorical_crossentropy, summed over classes and averaged over the batch:
 *     logits z:  logsumexp(z) sum(y) - sum(y z)           d = (softmax(z) sum(y) - y) / B
 *     probabilities: q = clip(p / sum(p), eps, 1 - eps) (Keras normalises, then clips),
 *                -sum(y log q); through the normalisation, with g_j = dL/dq_j = -y_j / q_j
 *                (0 where q_j was clipped): d_k = (g_k - sum_j g_j p_j / s) / s / B,
 *                s = sum(p)
 *   sparse_categorical_crossentropy: the categorical loss with a one-hot target.
 * Clipping has zero gradient outside the range, as tf.clip_by_value. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/text.h"
#include "layer.h"
#include "../core/error.h"

/* Keras' names first, then the other spellings users bring; in nn_loss_kind's order */
static const char *const names[] = {
    [NN_LOSS_MSE] = "mse mean_squared_error",
    [NN_LOSS_MAE] = "mae mean_absolute_error",
    [NN_LOSS_RMSLE] = "rmsle root_mean_squared_logarithmic_error",
    [NN_LOSS_BCE] = "binary_crossentropy bce",
    [NN_LOSS_CCE] = "categorical_crossentropy cce",
    [NN_LOSS_SPARSE_CCE] = "sparse_categorical_crossentropy sparse_cce",
};
#define N_NAMES (sizeof names / sizeof names[0])

al_status nn_loss_parse(const char *name, nn_loss *out)
{
    AL_API_ENTRY;
    if (!name || !out)
        return al__fail(AL_EINVAL, "nn_loss_parse: NULL argument");
    size_t n = strcspn(name, ":");
    nn_loss l = {NN_LOSS_MSE, 0, 1e-7f};
    long k = al_name_find(name, n, names, N_NAMES);
    if (k < 0) {
        char hint[160];
        al_name_suggest(name, n, names, N_NAMES, hint, sizeof hint);
        return al__fail(AL_ENAME,
                        "unknown loss '%.*s'%s (losses: mse, mae, rmsle, binary_crossentropy, "
                        "categorical_crossentropy, sparse_categorical_crossentropy)",
                        (int)(n < 80 ? n : 80), name, hint);
    }
    l.kind = (nn_loss_kind)k;
    const char *canonical = names[k];
    int clen = (int)strcspn(canonical, " ");
    for (const char *s = name[n] ? name + n + 1 : name + n; *s;) {
        const char *key;
        size_t klen;
        char val[64];
        double v;
        int rc = al__next_setting(&s, "loss option", &key, &klen, val, &v);
        if (rc)
            return rc;
        int cross = l.kind == NN_LOSS_BCE || l.kind == NN_LOSS_CCE ||
                    l.kind == NN_LOSS_SPARSE_CCE;
        if (cross && al_name_eq(key, klen, "from_logits") && (v == 0 || v == 1))
            l.from_logits = (int)v;
        else if (cross && al_name_eq(key, klen, "eps") && v > 0 && v < 0.5)
            l.eps = (float)v;
        else
            return al__fail(AL_EINVAL,
                            "%.*s has no option '%.*s' with value %s (the cross-entropies take "
                            "from_logits=0|1 and eps in (0, 0.5))",
                            clen, canonical, (int)klen, key, val);
    }
    *out = l;
    return AL_OK;
}

static double sigmoid(double z)
{
    double e = exp(-fabs(z)), s = e / (1.0 + e);
    return z > 0 ? 1.0 - s : s;
}

/* d(-y log clip(q))/dq: zero where the clip is active */
static double dl_dq(double y, double q, double eps)
{
    return q >= eps && q <= 1.0 - eps ? -y / q : 0.0;
}

/* Categorical cross-entropy of one row. Target: y (dense) or the class t (y == NULL). */
static double cce_row(const nn_loss *l, const float *p, const float *y, int64_t t, size_t w,
                      double scale, float *d)
{
    double loss = 0.0, ysum = 0.0;
    if (l->from_logits) {
        double mx = p[0];
        for (size_t j = 1; j < w; j++)
            mx = p[j] > mx ? p[j] : mx;
        double se = 0.0;
        for (size_t j = 0; j < w; j++)
            se += exp((double)p[j] - mx);
        double lse = mx + log(se);
        for (size_t j = 0; j < w; j++) {
            double yj = y ? y[j] : (int64_t)j == t;
            ysum += yj;
            if (yj != 0.0)
                loss -= yj * ((double)p[j] - lse);
        }
        if (d)
            for (size_t j = 0; j < w; j++) {
                double yj = y ? y[j] : (int64_t)j == t;
                d[j] = (float)((exp((double)p[j] - lse) * ysum - yj) * scale);
            }
        return loss;
    }
    double s = 0.0, eps = l->eps, gsum = 0.0;
    for (size_t j = 0; j < w; j++)
        s += p[j];
    for (size_t j = 0; j < w; j++) {
        double yj = y ? y[j] : (int64_t)j == t, q = p[j] / s;
        if (yj != 0.0)
            loss -= yj * log(q < eps ? eps : q > 1.0 - eps ? 1.0 - eps : q);
        gsum += dl_dq(yj, q, eps) * q;
    }
    if (d)
        for (size_t j = 0; j < w; j++) {
            double yj = y ? y[j] : (int64_t)j == t;
            d[j] = (float)((dl_dq(yj, p[j] / s, eps) - gsum) / s * scale);
        }
    return loss;
}

al_status nn_loss_eval(const nn_loss *l, const float *pred, const void *target, size_t batch,
                 size_t width, double *loss, float *dpred)
{
    AL_API_ENTRY;
    if (!l || !pred || !target || !loss)
        return al__fail(AL_EINVAL, "nn_loss_eval: NULL argument");
    if (!batch || !width)
        return al__fail(AL_EINVAL, "nn_loss_eval: empty batch (%zu x %zu)", batch, width);
    const float *y = target;
    const int64_t *cls = target;
    size_t n;
    if (!nn__mul(batch, width, &n) || n > SIZE_MAX / sizeof(float))
        return al__fail(AL_EINVAL, "nn_loss_eval: %zu x %zu values overflow the size type",
                        batch, width);
    double total = 0.0, inv_n = 1.0 / (double)n, inv_b = 1.0 / (double)batch;

    switch (l->kind) {
    case NN_LOSS_MSE:
        for (size_t i = 0; i < n; i++) {
            double e = (double)pred[i] - y[i];
            total += e * e;
            if (dpred)
                dpred[i] = (float)(2.0 * e * inv_n);
        }
        *loss = total * inv_n;
        return AL_OK;
    case NN_LOSS_MAE:
        for (size_t i = 0; i < n; i++) {
            double e = (double)pred[i] - y[i];
            total += fabs(e);
            if (dpred)
                dpred[i] = (float)((e > 0 ? 1.0 : e < 0 ? -1.0 : 0.0) * inv_n);
        }
        *loss = total * inv_n;
        return AL_OK;
    case NN_LOSS_RMSLE: {
        for (size_t i = 0; i < n; i++) {
            if (!(pred[i] > 0.0f) || !(y[i] > 0.0f))
                return al__fail(AL_EINVAL,
                                "rmsle: sample %zu, output %zu: %s %g is not > 0 (the log is "
                                "undefined; use mse, or a positive output such as softplus)",
                                i / width, i % width, pred[i] > 0.0f ? "target" : "prediction",
                                pred[i] > 0.0f ? (double)y[i] : (double)pred[i]);
            double e = log((double)pred[i]) - log((double)y[i]);
            total += e * e;
        }
        double L = sqrt(total * inv_n);
        if (dpred)
            for (size_t i = 0; i < n; i++) {
                double e = log((double)pred[i]) - log((double)y[i]);
                dpred[i] = L > 0 ? (float)(e / ((double)n * L * pred[i])) : 0.0f;
            }
        *loss = L;
        return AL_OK;
    }
    case NN_LOSS_BCE: {
        double eps = l->eps;
        for (size_t i = 0; i < n; i++) {
            double p = pred[i], t = y[i], d;
            if (l->from_logits) {
                total += fmax(p, 0.0) - p * t + log1p(exp(-fabs(p)));
                d = sigmoid(p) - t;
            } else {
                int clipped = !(p >= eps && p <= 1.0 - eps);
                p = p < eps ? eps : p > 1.0 - eps ? 1.0 - eps : p;
                total -= t * log(p) + (1.0 - t) * log1p(-p);
                d = clipped ? 0.0 : (p - t) / (p * (1.0 - p));
            }
            if (dpred)
                dpred[i] = (float)(d * inv_n);
        }
        *loss = total * inv_n;
        return AL_OK;
    }
    case NN_LOSS_CCE:
    case NN_LOSS_SPARSE_CCE:
        for (size_t b = 0; l->kind == NN_LOSS_SPARSE_CCE && b < batch; b++)
            if (cls[b] < 0 || (uint64_t)cls[b] >= width)
                return al__fail(AL_EINVAL,
                                "sparse_categorical_crossentropy: sample %zu has class %lld, "
                                "outside [0, %zu)",
                                b, (long long)cls[b], width);
        for (size_t b = 0; b < batch; b++) {
            int64_t t = l->kind == NN_LOSS_SPARSE_CCE ? cls[b] : -1;
            total += cce_row(l, pred + b * width, l->kind == NN_LOSS_CCE ? y + b * width : NULL,
                             t, width, inv_b, dpred ? dpred + b * width : NULL);
        }
        *loss = total * inv_b;
        return AL_OK;
    }
    return al__fail(AL_EINVAL, "nn_loss_eval: unknown loss kind %d", (int)l->kind);
}
