/* Where a LeNet-5 training step spends its time: each layer's forward, its activation's
 * forward and backward, and the layer's backward, timed alone (median over steps) on the
 * built-in lenet5 with Fashion-MNIST shapes, seeded random data. The model's own pass does
 * the same work in the same order; this calls the layer hooks one by one (internal API), so
 * the figures name the layer they belong to.
 *   build/bench/lenet_layers [batch=256] [steps=9] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actlab/train.h"
#include "nn/layer.h"
#include "nn/model_access.h"
#include "timing.h"

#define MAX_L 32
#define STEPS_MAX 101

static float *filled(size_t n, al_rng *rng)
{
    float *p = malloc((n ? n : 1) * sizeof *p);
    for (size_t i = 0; p && i < n; i++)
        p[i] = (float)(al_rng_uniform(rng) - 0.5);
    return p;
}

int main(int argc, char **argv)
{
    size_t batch = argc > 1 ? strtoul(argv[1], NULL, 10) : 256;
    int steps = argc > 2 ? atoi(argv[2]) : 9;
    if (!batch || batch > 4096 || steps < 1 || steps > STEPS_MAX)
        return fprintf(stderr, "usage: lenet_layers [BATCH] [STEPS]\n"), 2;
    al_rng rng;
    al_rng_seed(&rng, 42);
    nn_model *m;
    nn_shape in = {3, {1, 28, 28}};
    if (nn_model_create("lenet5", in, NN_INIT_DEFAULT, &rng, &m))
        return fprintf(stderr, "%s\n", al_last_error()), 1;
    size_t nl = nn__model_layer_count(m);
    if (nl > MAX_L)
        return fprintf(stderr, "too many layers\n"), 1;
    float *x[MAX_L + 1], *pre[MAX_L], *post[MAX_L], *gin[MAX_L], *gout[MAX_L], *scr[MAX_L];
    size_t in_n = nn_shape_count(in);
    x[0] = filled(batch * in_n, &rng);
    for (size_t i = 0; i < nl; i++) {
        struct nn__layer *l = nn__model_layer(m, i);
        size_t on = nn_shape_count(l->out), inn = nn_shape_count(l->in);
        pre[i] = filled(batch * on, &rng);
        post[i] = filled(batch * on, &rng);
        gout[i] = filled(batch * on, &rng);
        gin[i] = filled(batch * inn, &rng);
        scr[i] = filled(l->ops->workspace ? l->ops->workspace(l, batch) : 0, &rng);
        x[i + 1] = l->has_act ? post[i] : pre[i];
        if (!pre[i] || !post[i] || !gout[i] || !gin[i] || !scr[i])
            return fprintf(stderr, "no memory\n"), 1;
    }
    static double tf[MAX_L][STEPS_MAX], ta[MAX_L][STEPS_MAX], tb[MAX_L][STEPS_MAX],
        tg[MAX_L][STEPS_MAX];
    for (int s = 0; s < steps; s++) {
        for (size_t i = 0; i < nl; i++) {
            struct nn__layer *l = nn__model_layer(m, i);
            l->scratch = scr[i];
            l->training = 1;
            l->defer_bias = 0;
            l->act_out = l->has_act && l->ops->writes_act ? post[i] : NULL;
            double t0 = now();
            l->ops->forward(l, x[i], pre[i], batch, 1, &rng);
            double t1 = now();
            if (l->has_act && !l->act_out)
                nn__act_forward(&l->args.act, l->out, pre[i], post[i], batch);
            tf[i][s] = t1 - t0;
            ta[i][s] = now() - t1;
        }
        for (size_t i = nl; i-- > 0;) {
            struct nn__layer *l = nn__model_layer(m, i);
            double t0 = now();
            if (l->has_act)
                nn__act_backward(&l->args.act, l->out, pre[i], post[i], gout[i], gout[i],
                                 batch);
            double t1 = now();
            l->ops->backward(l, x[i], pre[i], gout[i], i ? gin[i] : NULL, batch);
            tg[i][s] = now() - t1;
            tb[i][s] = t1 - t0;
        }
    }
    printf("lenet5 per layer, batch %zu, median of %d steps (ms)\n", batch, steps);
    printf("| layer | forward | act fwd | act bwd | backward | total |\n");
    printf("|---|---:|---:|---:|---:|---:|\n");
    double sum = 0;
    for (size_t i = 0; i < nl; i++) {
        struct nn__layer *l = nn__model_layer(m, i);
        char name[256];
        l->ops->format(l, name, sizeof name);
        double f = median(tf[i], (size_t)steps), a = median(ta[i], (size_t)steps), b = median(tb[i], (size_t)steps),
               g = median(tg[i], (size_t)steps);
        sum += f + a + b + g;
        printf("| %s | %.2f | %.2f | %.2f | %.2f | %.2f |\n", name, 1e3 * f, 1e3 * a, 1e3 * b,
               1e3 * g, 1e3 * (f + a + b + g));
    }
    printf("| all | | | | | %.2f |\n", 1e3 * sum);
    for (size_t i = 0; i < nl; i++)
        free(pre[i]), free(post[i]), free(gin[i]), free(gout[i]), free(scr[i]);
    free(x[0]);
    nn_model_free(m);
    return 0;
}
