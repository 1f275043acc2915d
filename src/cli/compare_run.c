#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cli.h"
#include "compare_run.h"
#include "progress.h"
#include "train_log.h"

struct run_ctx {
    struct cmp_plan *p;
    struct cmp_run *r;
    struct cli_train_log log;
};

/* one line per epoch on stderr, under the lock so that lines of parallel runs never mix */
static int on_epoch(void *ctx, const nn_epoch_stats *s)
{
    struct run_ctx *c = ctx;
    int rc = cli_log_epoch(&c->log, s);
    if (!c->p->quiet) {
        pthread_mutex_lock(&c->p->lock);
        fprintf(stderr, "%s seed %lu: epoch %ld/%ld - %.1fs - loss %.4f", c->r->act,
                c->r->seed, s->epoch, c->p->opts->epochs, s->seconds, s->loss);
        if (c->log.has_val)
            fprintf(stderr, " - val_loss %.4f", s->val_loss);
        if (c->log.labels)
            fprintf(stderr, " - %saccuracy %.4f", c->log.has_val ? "val_" : "",
                    c->log.has_val ? s->val_acc : s->acc);
        fputc('\n', stderr);
        pthread_mutex_unlock(&c->p->lock);
    }
    return rc;
}

static void fail_run(struct cmp_run *r, const char *msg)
{
    r->failed = 1;
    snprintf(r->why, sizeof r->why, "%s", msg);
}

static void train_one(struct cmp_plan *p, struct cmp_run *r)
{
    const struct cli_train_opts *o = p->opts;
    struct cli_train_opts ro = *o;
    ro.output_act = p->act_output ? r->act : o->output_act;
    nn_loss loss;
    nn_optimizer opt;
    nn_schedule sched;
    al_rng rng;
    al_rng_seed(&rng, r->seed);
    nn_model *m = NULL;
    char path[4200];
    path[0] = '\0';
    if (p->runs_dir)
        snprintf(path, sizeof path, "%s/%s-seed%lu.csv", p->runs_dir, r->act, r->seed);
    struct run_ctx c = {.p = p, .r = r,
                        .log = {.cmd = p->cmd, .metrics = p->runs_dir ? path : NULL, .epochs = o->epochs,
                                .labels = p->data->train.y.dtype == DATA_I64,
                                .has_val = p->data->val.x.data != NULL}};
    /* the setup's messages would go to stderr from the worker: keep them for the table */
    if (cli_train_setup(p->cmd, &ro, &p->data->train, &loss, &opt, &sched) ||
        cli_train_model(p->cmd, &ro, r->act, &p->data->train, &rng, &m)) {
        fail_run(r, al_last_error());
        return;
    }
    nn_fit_config cfg = cli_train_config(&ro, &loss, &opt, &sched, &rng);
    cfg.on_epoch = on_epoch, cfg.ctx = &c;
    if (nn_fit(m, &p->data->train, c.log.has_val ? &p->data->val : NULL, &cfg, NULL,
               &r->report))
        fail_run(r, al_last_error());
    r->hist = c.log.hist, r->n = c.log.n;
    c.log.hist = NULL;
    for (long i = 0; i < r->n; i++)
        r->seconds += r->hist[i].seconds;
    nn_model_free(m);
}

static void *worker(void *arg)
{
    struct cmp_plan *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        size_t i = p->next_run ? p->next_run(p->ctx)
                   : p->next < p->n_runs ? p->next++ : p->n_runs;
        pthread_mutex_unlock(&p->lock);
        if (i >= p->n_runs)
            return NULL;
        train_one(p, &p->runs[i]);
        pthread_mutex_lock(&p->lock);
        p->runs[i].done = 1;
        if (p->on_run_done)
            p->on_run_done(p->ctx);
        pthread_mutex_unlock(&p->lock);
    }
}

/* glibc gives blocks of 32 MiB and more their own mappings and returns them to the kernel
 * when freed: every model compare trains (tens of MiB of buffers each) then faults its
 * memory in page by page again. Kept in the heap instead, the next run reuses it: compare of
 * 9 LeNet-5 runs spent 19% less CPU time (129 k page faults down to 25 k,
 * docs/BENCHMARKS.md). Set once the data are read (their own mappings read faster, on huge
 * pages); peak memory is unchanged, what is freed stays reserved until exit. */
static void keep_freed_memory(void)
{
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
    if (!getenv("GLIBC_TUNABLES")) { /* a user's own malloc settings win */
        (void)mallopt(M_MMAP_THRESHOLD, 1 << 30);
        (void)mallopt(M_TRIM_THRESHOLD, INT_MAX);
    }
#endif
}

int cmp_run_all(struct cmp_plan *p, int jobs)
{
    keep_freed_memory();
    if (jobs < 1)
        jobs = 1;
    if ((size_t)jobs > p->n_runs)
        jobs = (int)(p->n_runs ? p->n_runs : 1);
    pthread_mutex_init(&p->lock, NULL);
    p->next = 0;
    nn_set_threads(1); /* each training on its own thread, alone: results independent of J */
    pthread_t *t = calloc((size_t)jobs, sizeof *t);
    int started = 0, rc = CLI_OK;
    if (!t)
        rc = cli_fail(p->cmd, "out of memory for %d jobs", jobs);
    for (; !rc && started < jobs; started++)
        if (pthread_create(&t[started], NULL, worker, p) != 0)
            break;
    if (!rc && !started)
        rc = cli_fail(p->cmd, "cannot start a thread for the trainings");
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    free(t);
    nn_set_threads(0);
    pthread_mutex_destroy(&p->lock);
    return rc;
}
