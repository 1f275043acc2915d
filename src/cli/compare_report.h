/* What compare makes of its runs: per activation the mean and spread over seeds, the table
 * (printed, summary.csv, summary.md), the verdict in words, the figures and report.html. */
#ifndef ACTLAB_CLI_COMPARE_REPORT_H
#define ACTLAB_CLI_COMPARE_REPORT_H

#include <stdio.h>

#include "compare_run.h"

struct cmp_act {
    const char *act;
    size_t runs, finished, failed;   /* of its seeds: done, done with a failure */
    double final_mean, final_std;    /* the last epoch's main validation metric */
    double best_mean, best_std;      /* the best epoch's */
    double best_epoch;               /* mean over seeds */
    double seconds;                  /* mean training time */
    const struct cmp_run *first_fail;
};

struct cmp_report {
    const struct cmp_plan *plan;
    struct cmp_act *acts;
    size_t n_acts, seeds;
    int metric;        /* 0 accuracy (higher is better), 1 rmsle, 2 rmse */
    int has_val;
    double baseline;   /* the constant model's metric */
    const char *dir, *command, *data_desc;
};

/* Fills r->acts from the plan's finished runs (safe to call again as more finish). */
void cmp_summarise(struct cmp_report *r);

/* The metric's column name: "val_accuracy", "val_rmsle", ... */
const char *cmp_metric_col(const struct cmp_report *r);

/* The table as text, markdown or CSV (with _std columns when seeds > 1). al_status. */
void cmp_print_table(FILE *f, const struct cmp_report *r);
int cmp_write_summary_csv(const char *path, const struct cmp_report *r);
int cmp_write_summary_md(const char *path, const struct cmp_report *r, const char *verdict);

/* The verdict in plain language (malloc'd, lines ending in '\n'). */
char *cmp_verdict(const struct cmp_report *r);

/* DIR/curves_val.{png,svg} and DIR/curves_train.{png,svg}. al_status. */
int cmp_write_figures(const struct cmp_report *r);

/* DIR/report.html: one self-contained page. al_status. */
int cmp_write_html(const struct cmp_report *r, const char *verdict);

#endif
