#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../core/atomic.h"
#include "cli.h"
#include "compare_report.h"
#include "train_opts.h"
#include "train_log.h"

static int better(double a, double b, int metric)
{
    return metric == 0 ? a > b : a < b;
}

static void mean_std(const double *v, size_t n, double *mean, double *std)
{
    double s = 0, q = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i];
    *mean = n ? s / (double)n : NAN;
    for (size_t i = 0; i < n; i++)
        q += (v[i] - *mean) * (v[i] - *mean);
    *std = n > 1 ? sqrt(q / (double)(n - 1)) : 0; /* the sample deviation, as pandas' std */
}

void cmp_summarise(struct cmp_report *r)
{
    const struct cmp_plan *p = r->plan;
    r->has_val = p->data->val.x.data != NULL;
    for (size_t i = 0; i < p->n_runs; i++)
        if (p->runs[i].done && p->runs[i].n) {
            const nn_fit_report *f = &p->runs[i].report;
            r->metric = f->metric_is_acc ? 0 : f->metric_is_rmsle ? 1 : 2;
            r->baseline = f->baseline;
            break;
        }
    for (size_t a = 0; a < r->n_acts; a++) {
        struct cmp_act *c = &r->acts[a];
        double fin[64], best[64], ep[64], secs[64];
        size_t k = 0;
        c->runs = c->finished = c->failed = 0;
        c->first_fail = NULL;
        for (size_t i = 0; i < p->n_runs; i++) {
            const struct cmp_run *run = &p->runs[i];
            if (strcmp(run->act, c->act))
                continue;
            c->runs++;
            if (!run->done)
                continue;
            c->finished++;
            if (run->failed) {
                c->failed++;
                if (!c->first_fail)
                    c->first_fail = run;
                continue;
            }
            if (!run->n || k == 64)
                continue;
            long b = 0;
            for (long e = 1; e < run->n; e++)
                if (better(cli_metric_value(&run->hist[e], r->metric, r->has_val),
                           cli_metric_value(&run->hist[b], r->metric, r->has_val), r->metric))
                    b = e;
            fin[k] = cli_metric_value(&run->hist[run->n - 1], r->metric, r->has_val);
            best[k] = cli_metric_value(&run->hist[b], r->metric, r->has_val);
            ep[k] = (double)run->hist[b].epoch;
            secs[k] = run->seconds;
            k++;
        }
        double sd;
        mean_std(fin, k, &c->final_mean, &c->final_std);
        mean_std(best, k, &c->best_mean, &c->best_std);
        mean_std(ep, k, &c->best_epoch, &sd);
        mean_std(secs, k, &c->seconds, &sd);
    }
}

const char *cmp_metric_col(const struct cmp_report *r)
{
    static const char *const names[2][3] = {{"accuracy", "rmsle", "rmse"},
                                            {"val_accuracy", "val_rmsle", "val_rmse"}};
    return names[r->has_val][r->metric];
}

/* the reason of an activation's failure, in a few words */
static const char *fail_words(const struct cmp_run *run)
{
    switch (run->report.reason) {
    case NN_STOP_DOMAIN:
        return "output outside the loss's domain";
    case NN_STOP_DIVERGED:
        return "diverged";
    case NN_STOP_BAD_DATA:
        return "non-finite data";
    default:
        return "error";
    }
}

void cmp_print_table(FILE *f, const struct cmp_report *r)
{
    const char *col = cmp_metric_col(r);
    int seeds = r->seeds > 1;
    fprintf(f, "%-22s %-*s %-*s %10s %9s  %s\n", "activation", seeds ? 20 : 12, "final", seeds ? 20 : 12,
            "best", "best epoch", "seconds", "diverged");
    for (size_t a = 0; a < r->n_acts; a++) {
        const struct cmp_act *c = &r->acts[a];
        char fin[40], best[40];
        if (seeds) {
            snprintf(fin, sizeof fin, "%.4f ± %.4f", c->final_mean, c->final_std);
            snprintf(best, sizeof best, "%.4f ± %.4f", c->best_mean, c->best_std);
        } else {
            snprintf(fin, sizeof fin, "%.4f", c->final_mean);
            snprintf(best, sizeof best, "%.4f", c->best_mean);
        }
        fprintf(f, "%-22s %-*s %-*s %10.1f %9.1f  %s", c->act, seeds ? 22 : 12, fin,
                seeds ? 22 : 12, best, c->best_epoch, c->seconds,
                c->failed ? fail_words(c->first_fail) : "no");
        if (c->failed && r->seeds > 1)
            fprintf(f, " (%zu of %zu runs)", c->failed, c->runs);
        fputc('\n', f);
    }
    fprintf(f, "(%s%s over %zu seed%s; a constant model gets %.4f)\n", col,
            seeds ? ": mean ± standard deviation" : "", r->seeds, r->seeds == 1 ? "" : "s",
            r->baseline);
}

/* a CSV cell: quoted when it holds a comma or a quote */
static int csv_text(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n"))
        return fputs(s, f) < 0;
    int bad = fputc('"', f) == EOF;
    for (; *s; s++)
        bad |= (*s == '"' ? fputs("\"\"", f) < 0 : fputc(*s, f) == EOF);
    return bad | (fputc('"', f) == EOF);
}

int cmp_write_summary_csv(const char *path, const struct cmp_report *r)
{
    FILE *f;
    char *tmp;
    int rc = al__atomic_open(path, &tmp, &f);
    if (rc)
        return rc;
    const char *col = cmp_metric_col(r);
    int seeds = r->seeds > 1, bad = 0;
    bad |= fprintf(f, "activation,final_%s,best_%s,best_epoch,seconds,diverged,reason", col,
                   col) < 0;
    if (seeds)
        bad |= fprintf(f, ",final_%s_std,best_%s_std,runs,failed_runs", col, col) < 0;
    bad |= fputc('\n', f) == EOF;
    for (size_t a = 0; a < r->n_acts && !bad; a++) {
        const struct cmp_act *c = &r->acts[a];
        if (!c->finished)
            continue; /* rewritten as runs end: only what is known */
        bad |= csv_text(f, c->act);
        bad |= fprintf(f, ",%.9g,%.9g,%.9g,%.9g,%s,", c->final_mean, c->best_mean,
                       c->best_epoch, c->seconds, c->failed ? "true" : "false") < 0;
        bad |= csv_text(f, c->failed ? c->first_fail->why : "");
        if (seeds)
            bad |= fprintf(f, ",%.9g,%.9g,%zu,%zu", c->final_std, c->best_std, c->finished,
                           c->failed) < 0;
        bad |= fputc('\n', f) == EOF;
    }
    return al__atomic_commit(path, tmp, f, bad);
}

int cmp_write_summary_md(const char *path, const struct cmp_report *r, const char *verdict)
{
    FILE *f;
    char *tmp;
    int rc = al__atomic_open(path, &tmp, &f);
    if (rc)
        return rc;
    const char *col = cmp_metric_col(r);
    int bad = fprintf(f, "# Activation comparison\n\n`%s`\n\nData: %s\n\n| activation | final %s "
                         "| best %s | best epoch | seconds | diverged |\n| --- | --- | --- | --- "
                         "| --- | --- |\n",
                      r->command, r->data_desc, col, col) < 0;
    for (size_t a = 0; a < r->n_acts; a++) {
        const struct cmp_act *c = &r->acts[a];
        if (r->seeds > 1)
            bad |= fprintf(f, "| %s | %.4f ± %.4f | %.4f ± %.4f | %.1f | %.1f | %s |\n", c->act,
                           c->final_mean, c->final_std, c->best_mean, c->best_std,
                           c->best_epoch, c->seconds,
                           c->failed ? fail_words(c->first_fail) : "no") < 0;
        else
            bad |= fprintf(f, "| %s | %.4f | %.4f | %.0f | %.1f | %s |\n", c->act, c->final_mean,
                           c->best_mean, c->best_epoch, c->seconds,
                           c->failed ? fail_words(c->first_fail) : "no") < 0;
    }
    bad |= fprintf(f, "\n%zu seed%s per activation; a constant model gets %s %.4f.\n\n"
                      "## Verdict\n\n%s",
                   r->seeds, r->seeds == 1 ? "" : "s", col, r->baseline, verdict) < 0;
    return al__atomic_commit(path, tmp, f, bad);
}

/* ---- the verdict ------------------------------------------------------------------------- */

struct text {
    char *p;
    size_t len, cap;
    int failed;
};

static void say(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct text *t, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(t->p ? t->p + t->len : NULL, t->p ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = 1;
            return;
        }
        if (t->p && t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = 2 * (t->cap + (size_t)n) + 64;
        char *q = realloc(t->p, cap);
        if (!q) {
            t->failed = 1;
            return;
        }
        t->p = q, t->cap = cap;
    }
}

/* the output range of an activation, sampled (its table range is text) */
static void act_range(const char *name, double *lo, double *hi)
{
    act_spec a;
    *lo = INFINITY, *hi = -INFINITY;
    if (act_parse(name, &a))
        return;
    for (double x = -60; x <= 60; x += 0.25) {
        double y = act_eval(&a, x);
        *lo = fmin(*lo, y), *hi = fmax(*hi, y);
    }
    const double far[] = {-1e30, -1e6, 1e6, 1e30};
    for (int i = 0; i < 4; i++) {
        double y = act_eval(&a, far[i]);
        if (isfinite(y))
            *lo = fmin(*lo, y), *hi = fmax(*hi, y);
    }
}

/* bounded on both sides: the family whose gradients vanish when saturated */
static int saturates(const char *name)
{
    double lo, hi;
    act_range(name, &lo, &hi);
    return isfinite(lo) && isfinite(hi) && hi - lo < 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* the median training target in target units (regression), NaN without one */
static double target_median(const struct cmp_plan *p)
{
    const data_array *y = &p->data->train.y;
    if (y->dtype != DATA_F32 || !y->data)
        return NAN;
    size_t n = data_array_count(y);
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return NAN;
    for (size_t i = 0; i < n; i++) {
        float t = ((const float *)y->data)[i];
        cli_target_to_units(&p->opts->tmap, &t, 1);
        v[i] = (double)t;
    }
    qsort(v, n, sizeof *v, cmp_double);
    double m = n ? v[n / 2] : NAN;
    free(v);
    return m;
}

/* the first run of act that finished without failing */
static const struct cmp_run *good_run(const struct cmp_report *r, const char *act)
{
    for (size_t i = 0; i < r->plan->n_runs; i++) {
        const struct cmp_run *run = &r->plan->runs[i];
        if (!strcmp(run->act, act) && run->done && !run->failed && run->n)
            return run;
    }
    return NULL;
}

/* some epoch of run was better than the constant model */
static int beats_baseline(const struct cmp_report *r, const struct cmp_run *run)
{
    for (long e = 0; e < run->n; e++)
        if (better(cli_metric_value(&run->hist[e], r->metric, r->has_val), r->baseline,
                   r->metric))
            return 1;
    return 0;
}

static void explain_failure(struct text *t, const struct cmp_report *r, const struct cmp_act *c,
                            double median)
{
    const struct cmp_run *run = c->first_fail;
    double lo, hi;
    act_range(c->act, &lo, &hi);
    say(t, "- **%s** failed", c->act);
    if (r->seeds > 1)
        say(t, " (%zu of %zu runs)", c->failed, c->runs);
    char range[64];
    snprintf(range, sizeof range, lo <= -1e29 ? "-inf to " : "%.3g to ", lo);
    snprintf(range + strlen(range), sizeof range - strlen(range), hi >= 1e29 ? "inf" : "%.3g", hi);
    if (run->report.reason == NN_STOP_DOMAIN && r->plan->act_output)
        say(t, " at epoch %ld: its outputs reached %s0, where the log of RMSLE is undefined: %s "
               "(range %s) cannot be the output of an RMSLE model.\n",
            run->report.epoch, lo >= 0 ? "" : "below ", c->act, range);
    else if (run->report.reason == NN_STOP_DIVERGED)
        say(t, " at epoch %ld: training diverged (the loss became NaN or infinite); a lower "
               "learning rate may tame it.\n", run->report.epoch);
    else
        say(t, ": %s\n", run->why);
    (void)median;
}

char *cmp_verdict(const struct cmp_report *r)
{
    struct text t = {0};
    const char *col = cmp_metric_col(r);
    size_t order[256], n = 0;
    for (size_t a = 0; a < r->n_acts && n < 256; a++)
        if (!isnan(r->acts[a].best_mean))
            order[n++] = a;
    for (size_t i = 1; i < n; i++) /* insertion sort, best first: a handful of activations */
        for (size_t j = i; j > 0 && better(r->acts[order[j]].best_mean,
                                           r->acts[order[j - 1]].best_mean, r->metric); j--) {
            size_t s = order[j];
            order[j] = order[j - 1], order[j - 1] = s;
        }
    size_t losers = 0, ran = 0;
    for (size_t a = 0; a < r->n_acts; a++) {
        const struct cmp_run *g = good_run(r, r->acts[a].act);
        if (g)
            ran++, losers += !beats_baseline(r, g);
    }
    int all_lost = ran > 1 && losers == ran;
    if (all_lost)
        say(&t, "- **No activation beat a constant model** (%s %.4f, what %s gets): the "
                "comparison below ranks failures; the recipe, not the activation, is what needs "
                "fixing%s.\n", col, r->baseline,
            r->metric == 0 ? "the majority class" : "always predicting the training mean",
            r->metric == 1 ? " (the house-prices preset's --fixed is one that works)" : "");
    if (!n) {
        say(&t, "- No activation finished a single epoch.\n");
    } else {
        const struct cmp_act *w = &r->acts[order[0]];
        say(&t, "- **%s** did best: %s %.4f", w->act, col, w->best_mean);
        if (r->seeds > 1)
            say(&t, " ± %.4f over %zu seeds", w->best_std, r->seeds);
        say(&t, " at its best epoch.\n");
        if (n > 1) {
            const struct cmp_act *s = &r->acts[order[1]];
            double gap = fabs(w->best_mean - s->best_mean), noise = w->best_std + s->best_std;
            if (r->seeds > 1 && gap <= noise) {
                say(&t, "- It is within seed noise of");
                for (size_t i = 1; i < n; i++) {
                    const struct cmp_act *o = &r->acts[order[i]];
                    if (fabs(w->best_mean - o->best_mean) <= w->best_std + o->best_std)
                        say(&t, "%s **%s** (%.4f ± %.4f)", i > 1 ? "," : "", o->act, o->best_mean,
                            o->best_std);
                }
                say(&t, ": the gaps are smaller than the spread between seeds, so none of them "
                        "clearly wins.\n");
            } else {
                say(&t, "- It leads **%s** (%.4f) by %.4f%s.\n", s->act, s->best_mean, gap,
                    r->seeds > 1 ? ", more than their spread over seeds"
                                 : " (one seed: --seeds 3 measures the spread between seeds, "
                                   "which tells a real gap from noise)");
            }
        }
    }
    double median = target_median(r->plan);
    for (size_t a = 0; a < r->n_acts; a++) {
        const struct cmp_act *c = &r->acts[a];
        double lo, hi;
        if (c->failed)
            explain_failure(&t, r, c, median);
        if (r->plan->act_output && r->metric != 0 && isfinite(median)) {
            act_range(c->act, &lo, &hi);
            if (hi < median / 10)
                say(&t, "- **%s** cannot fit the targets: as the output layer its values never "
                        "exceed %.3g while the targets are around %.6g.\n", c->act, hi, median);
        }
        const struct cmp_run *g = good_run(r, c->act);
        if (!g)
            continue;
        long at_chance = 0; /* leading epochs within 5 points of the majority class */
        while (r->metric == 0 && at_chance < g->n &&
               cli_metric_value(&g->hist[at_chance], 0, r->has_val) < r->baseline + 0.05)
            at_chance++;
        if (!beats_baseline(r, g) && !all_lost)
            say(&t, "- **%s** never beat a constant model (%s %.4f).\n", c->act, col,
                r->baseline);
        else if (at_chance)
            say(&t, "- **%s** sat at chance (%s near %.3f) for %s %ld epoch%s%s\n", c->act, col,
                r->baseline, at_chance == g->n ? "all its" : "its first", at_chance,
                at_chance == 1 ? "" : "s",
                saturates(c->act) ? ": its gradients vanish in the first layers, where "
                                    "saturated units pass back almost nothing."
                                  : ".");
    }
    if (t.failed || !t.p) {
        free(t.p);
        return NULL;
    }
    return t.p;
}
