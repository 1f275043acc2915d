/* The library used from several threads at once (README: "usable from several threads"): each
 * thread picks kernels, parses specs, fails on purpose (its message must stay its own), runs
 * every elementwise and row-wise function, and builds, runs and backpropagates its own small
 * model. Every thread's numbers must equal the ones a single thread computed first, bit for
 * bit. Built plain (no Criterion) so that a ThreadSanitizer build sees only the library and
 * this file; `.ci/run` runs it under TSan (label `threads`). */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actlab/act.h"
#include "actlab/nn.h"
#include "actlab/rng.h"

enum { N_THREADS = 4, N = 257, COLS = 12, ROUNDS = 3 };

struct result {
    uint64_t act_hash;   /* every function's forward and backward outputs */
    uint64_t model_hash; /* the model's outputs and gradients */
    int failures;
    char why[256];
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211u;
    return h;
}

static void fail(struct result *r, const char *what)
{
    if (!r->failures++)
        snprintf(r->why, sizeof r->why, "%s", what);
}

static void run_functions(struct result *r)
{
    float x[N], y[N], dy[N], dx[N];
    al_rng rng;
    al_rng_seed(&rng, 7);
    for (size_t i = 0; i < N; i++) {
        x[i] = (float)(al_rng_uniform(&rng) * 16.0 - 8.0);
        dy[i] = (float)(al_rng_uniform(&rng) * 2.0 - 1.0);
    }
    uint64_t h = 1469598103934665603u;
    for (int k = 0;; k++) {
        const act_info *info = act_get_info((act_kind)k);
        if (!info)
            break;
        act_spec a;
        if (act_init(&a, (act_kind)k)) {
            fail(r, "act_init failed");
            return;
        }
        int rc;
        if (info->flags & ACT_ROWWISE) {
            size_t rows = N / COLS, out = act_out_cols(&a, COLS);
            rc = act_forward_rows(&a, x, y, rows, COLS);
            h = fnv(h, y, rows * out * sizeof *y);
            rc |= act_backward_rows(&a, x, NULL, dy, dx, rows, COLS);
            h = fnv(h, dx, rows * COLS * sizeof *dx);
        } else {
            rc = act_forward(&a, x, y, N) | act_backward(&a, x, y, dy, dx, N);
            h = fnv(h, y, sizeof y);
            h = fnv(h, dx, sizeof dx);
        }
        if (rc)
            fail(r, al_last_error());
    }
    r->act_hash = h;
}

static void run_model(struct result *r)
{
    al_rng rng;
    al_rng_seed(&rng, 11);
    nn_model *m;
    nn_shape in = {.ndim = 1, .d = {6}};
    if (nn_model_create("dense(8, activation=tanh) dense(3, activation=softmax)", in, NN_INIT_DEFAULT,
                        &rng, &m)) {
        fail(r, al_last_error());
        return;
    }
    enum { B = 5 };
    float x[B * 6], y[B * 3], dy[B * 3], *w, *g;
    for (size_t i = 0; i < B * 6; i++)
        x[i] = (float)al_rng_normal(&rng);
    for (size_t i = 0; i < B * 3; i++)
        dy[i] = (float)al_rng_normal(&rng);
    uint64_t h = 1469598103934665603u;
    nn_zero_grad(m);
    if (nn_forward(m, x, y, B, 1) || nn_backward(m, dy, NULL))
        fail(r, al_last_error());
    size_t n = nn_params(m, &w, &g);
    h = fnv(h, y, sizeof y);
    h = fnv(h, g, n * sizeof *g);
    r->model_hash = h;
    nn_model_free(m);
}

/* A failed call leaves its message in this thread only. */
static void run_errors(struct result *r, int id)
{
    char bad[32], want[32];
    snprintf(bad, sizeof bad, "nosuchfunc%d", id);
    act_spec a;
    if (act_parse(bad, &a) != AL_ENAME || !strstr(al_last_error(), bad)) {
        fail(r, "act_parse of an unknown name: wrong status or message");
        return;
    }
    snprintf(want, sizeof want, "%s", bad);
    /* the ISA queries read shared state: the list and the current path */
    const char *const *names = act_isa_names();
    size_t count = 0;
    while (names[count])
        count++;
    if (count < 2 || !act_isa() || !act_isa_supported("baseline"))
        fail(r, "ISA queries");
    if (!strstr(al_last_error(), want))
        fail(r, "another thread's message replaced this one");
}

struct job {
    struct result res;
    int id;
};

static void *job_main(void *arg)
{
    struct job *j = arg;
    for (int round = 0; round < ROUNDS; round++) {
        struct result one = {0};
        run_errors(&one, j->id);
        run_functions(&one);
        run_model(&one);
        if (round == 0) {
            j->res = one;
        } else if (one.act_hash != j->res.act_hash || one.model_hash != j->res.model_hash) {
            fail(&j->res, "a round gave other numbers than the first");
        }
        if (one.failures)
            fail(&j->res, one.why);
    }
    return NULL;
}

int main(void)
{
    /* the threads start before anything is initialised, so lazy set-up runs concurrently */
    struct job jobs[N_THREADS];
    pthread_t t[N_THREADS];
    for (int i = 0; i < N_THREADS; i++) {
        jobs[i] = (struct job){.id = i};
        if (pthread_create(&t[i], NULL, job_main, &jobs[i]) != 0) {
            fprintf(stderr, "test_threads: cannot start thread %d\n", i);
            return 1;
        }
    }
    for (int i = 0; i < N_THREADS; i++)
        pthread_join(t[i], NULL);
    struct job solo = {.id = 99};
    job_main(&solo); /* the reference: one thread alone */
    if (solo.res.failures) {
        fprintf(stderr, "test_threads: single thread: %s\n", solo.res.why);
        return 1;
    }
    int bad = 0;
    for (int i = 0; i < N_THREADS; i++) {
        const struct result *r = &jobs[i].res;
        if (r->failures) {
            fprintf(stderr, "test_threads: thread %d: %s\n", i, r->why);
            bad = 1;
        } else if (r->act_hash != solo.res.act_hash || r->model_hash != solo.res.model_hash) {
            fprintf(stderr, "test_threads: thread %d computed other numbers than one thread "
                    "alone\n", i);
            bad = 1;
        }
    }
    if (!bad)
        printf("test_threads: %d threads x %d rounds agree with one thread\n", N_THREADS,
               ROUNDS);
    return bad;
}
