/* One LeNet-5 training epoch on Fashion-MNIST-shaped data (N x 1 x 28 x 28, 10 classes,
 * seeded random pixels and labels: the time does not depend on the values), Adam, sparse
 * categorical cross-entropy, batch 64. Prints the median of several epochs; its baseline
 * is bench/lenet_epoch_torch.py, the same model and loop in PyTorch, run beside it.
 *   build/bench/lenet_epoch [N=6000] [epochs=3] */
#include <stdio.h>
#include <stdlib.h>

#include "actlab/train.h"

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 6000;
    long epochs = argc > 2 ? strtol(argv[2], NULL, 10) : 3;
    if (!n || epochs < 1 || epochs > 100)
        return fprintf(stderr, "usage: lenet_epoch [N] [EPOCHS]\n"), 2;
    data_set s = {0};
    size_t xs[4] = {n, 1, 28, 28}, ys[1] = {n};
    al_rng rng;
    al_rng_seed(&rng, 42);
    if (data_array_alloc(&s.x, DATA_F32, 4, xs) || data_array_alloc(&s.y, DATA_I64, 1, ys))
        return fprintf(stderr, "%s\n", al_last_error()), 1;
    float *x = s.x.data;
    int64_t *y = s.y.data;
    for (size_t i = 0; i < n * 784; i++)
        x[i] = (float)al_rng_uniform(&rng);
    for (size_t i = 0; i < n; i++)
        y[i] = al_rng_range(&rng, 0, 10);
    s.n_classes = 10;

    nn_model *m;
    nn_shape in = {3, {1, 28, 28}};
    nn_optimizer opt;
    nn_epoch_stats *h = calloc((size_t)epochs, sizeof *h);
    nn_fit_config c = {.epochs = epochs, .batch = 64, .shuffle = 1, .opt = &opt, .rng = &rng};
    if (!h || nn_model_create("lenet5", in, NN_INIT_DEFAULT, &rng, &m) ||
        nn_optimizer_init(&opt, "adam") ||
        nn_loss_parse("sparse_categorical_crossentropy", &c.loss) ||
        nn_fit(m, &s, NULL, &c, h, NULL))
        return fprintf(stderr, "%s\n", al_last_error()), 1;
    double t[100];
    for (long e = 0; e < epochs; e++)
        t[e] = h[e].seconds;
    qsort(t, (size_t)epochs, sizeof *t, cmp);
    printf("actlab lenet5 epoch: %zu samples, batch 64, median %.3f s (%.1f us/sample) over %ld "
           "epochs\n", n, t[epochs / 2], 1e6 * t[epochs / 2] / (double)n, epochs);
    nn_model_free(m);
    data_set_free(&s);
    free(h);
    return 0;
}
