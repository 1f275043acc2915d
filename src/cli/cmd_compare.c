/* actlab compare: the same model trained once per activation (and seed) on the same data,
 * with the same initial weights, and what came of it: a table, figures, a verdict in words,
 * report.html. Presets reproduce the tutorials' experiments. */
#define _POSIX_C_SOURCE 200809L /* mkdir */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "compare_report.h"
#include "compare_run.h"
#include "mpi.h"
#include "train_log.h"
#include "train_opts.h"

#define DEFAULT_ACTS "sigmoid,tanh,relu,leaky_relu,elu,selu,gelu,silu,mish"
#define MAX_ACTS 64

/* A preset is the options it stands for, parsed before the user's (which override them). */
static const struct {
    const char *name, *doc;
    const char *const args[24];
} presets[] = {
    {"fmnist-lenet5", "the tutorial's LeNet-5 on Fashion-MNIST",
     {"--model", "lenet5", "--data", "fashion-mnist", "--val-data", "fashion-mnist",
      "--val-split", "test", "--loss", "sparse_categorical_crossentropy", "--optimizer", "adam",
      "--lr", "0.001", "--batch", "256", "--epochs", "10", NULL}},
    {"cifar-lenet5", "the tutorial's LeNet-5 on CIFAR-10 (--data cifar10:DIR)",
     {"--model", "lenet5", "--val-split", "test", "--loss", "sparse_categorical_crossentropy",
      "--optimizer", "adam", "--lr", "0.001", "--batch", "256", "--epochs", "10", NULL}},
    {"house-prices", "the regression tutorial as written (--data csv:train.csv)",
     {"--model", "house-mlp", "--target", "SalePrice", "--drop", "Id", "--loss", "rmsle",
      "--optimizer", "adam", "--lr", "0.001", "--epochs", "10", "--batches", "50", "--val",
      "0.2", "--seed", "42", NULL}},
};
#define N_PRESETS (sizeof presets / sizeof presets[0])

/* --preset house-prices --fixed: a linear output on standardised log prices, a smaller rate,
 * weight decay and early stopping: what the tutorial's model needs to learn the prices at
 * all (measured in docs/EXPERIMENTS.md). */
static const char *const house_fixed[] = {
    "--log-target", "--loss", "mse", "--optimizer", "adamw:weight_decay=0.05", "--lr", "0.0003",
    "--epochs", "300", "--batch", "32", "--early-stop", "30", "--lr-schedule",
    "plateau:patience=10,factor=0.5", NULL};

struct compare_args {
    struct cli_train_opts t;
    const char *acts, *out, *preset;
    long seeds, jobs;
    int fixed, act_output;
};

static int usage(void)
{
    printf("usage: actlab compare [--preset NAME [--fixed]] --model SPEC --data SOURCE "
           "[options] -o DIR\n"
           "  trains the same model once per activation (and seed) and compares them\n"
           "  --acts F,F,...   the activations [" DEFAULT_ACTS "]\n"
           "  --seeds N        runs per activation, seeds SEED..SEED+N-1 [1; presets 3]\n"
           "  --jobs J         trainings at once, each single-threaded [the cores]\n"
           "  --act-output     the compared activation on the output layer too\n"
           "  -o DIR           summary.csv, summary.md, curves_*.png/.svg, runs/, report.html\n"
           "  --preset NAME    ");
    for (size_t i = 0; i < N_PRESETS; i++)
        printf("%s%s: %s\n", i ? "                   " : "", presets[i].name, presets[i].doc);
    printf("  --fixed          with house-prices: a recipe that learns the prices (linear\n"
           "                   output, log target, standardised inputs, early stopping)\n"
           "%s%s", cli_train_help, cli_source_help);
    return CLI_OK;
}

static int apply_args(const char *cmd, int argc, char **argv, struct compare_args *a, int user)
{
    for (int i = user ? 1 : 0; i < argc; i++) {
        int r = cli_train_option(cmd, argc, argv, &i, &a->t);
        if (r < 0)
            return CLI_USAGE;
        if (r)
            continue;
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (cli_is_help(o))
            return usage(), -1;
        if (!strcmp(o, "--fixed")) {
            a->fixed = 1;
            continue;
        }
        if (!strcmp(o, "--act-output")) {
            a->act_output = 1;
            continue;
        }
        const char **slot = !strcmp(o, "--acts")     ? &a->acts
                            : !strcmp(o, "-o")       ? &a->out
                            : !strcmp(o, "--preset") ? &a->preset
                                                     : NULL;
        long *num = !strcmp(o, "--seeds") ? &a->seeds : !strcmp(o, "--jobs") ? &a->jobs : NULL;
        if (!slot && !num)
            return cli_usage(cmd, "unknown option '%s' (try --help)", o);
        if (!v)
            return cli_usage(cmd, "%s needs a value", o);
        i++;
        if (slot) {
            *slot = v;
        } else if (cli_parse_long(cmd, o, v, 1, num == &a->seeds ? 64 : 1024, num)) {
            return CLI_USAGE;
        }
    }
    return CLI_OK;
}

/* the preset's options first, then the user's over them */
static int parse_args(int argc, char **argv, struct compare_args *a)
{
    memset(a, 0, sizeof *a);
    cli_train_opts_defaults(&a->t);
    const char *preset = NULL;
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--preset"))
            preset = argv[i + 1];
    if (preset) {
        const char *names[N_PRESETS];
        for (size_t i = 0; i < N_PRESETS; i++)
            names[i] = presets[i].name;
        long k;
        if (cli_choice(argv[0], "--preset", preset, names, N_PRESETS, &k))
            return CLI_USAGE;
        preset = presets[k].name; /* the canonical spelling, which the checks below compare */
        int n = 0;
        while (presets[k].args[n])
            n++;
        char *args[24]; /* the option parser takes argv's type: copy the pointers */
        memcpy(args, presets[k].args, sizeof args);
        int rc = apply_args(argv[0], n, args, a, 0);
        if (rc)
            return rc;
        a->seeds = 3;
        if (!strcmp(preset, "house-prices"))
            a->act_output = 1; /* as written: the activation after every layer */
        int fixed = 0;
        for (int i = 1; i < argc; i++)
            fixed |= !strcmp(argv[i], "--fixed");
        if (fixed && strcmp(preset, "house-prices"))
            return cli_usage(argv[0], "--fixed goes with --preset house-prices");
        if (fixed) {
            int m = 0;
            while (house_fixed[m])
                m++;
            char *fargs[sizeof house_fixed / sizeof house_fixed[0]];
            memcpy(fargs, house_fixed, sizeof fargs);
            if ((rc = apply_args(argv[0], m, fargs, a, 0)))
                return rc;
            a->act_output = 0;
        }
    }
    int rc = apply_args(argv[0], argc, argv, a, 1);
    if (rc)
        return rc;
    if (!a->t.data && preset && !strcmp(preset, "cifar-lenet5"))
        return cli_usage(argv[0], "--preset cifar-lenet5 needs --data cifar10:DIR, the binary "
                                  "version from https://www.cs.toronto.edu/~kriz/cifar.html");
    if (!a->t.data && preset && !strcmp(preset, "house-prices"))
        return cli_usage(argv[0], "--preset house-prices needs --data csv:train.csv, Kaggle's "
                                  "'House Prices - Advanced Regression Techniques' training set");
    if (preset && !strcmp(preset, "cifar-lenet5") && !a->t.val_data)
        a->t.val_data = a->t.data; /* its test split */
    if ((rc = cli_train_opts_check(argv[0], &a->t)))
        return rc;
    if (!a->t.model)
        return cli_usage(argv[0], "--model SPEC is required (or a --preset)");
    if (!a->out)
        return cli_usage(argv[0], "-o DIR is required: the table, figures and report go there");
    if (!a->seeds)
        a->seeds = 1;
    if (!a->jobs) { /* the cores, shared by the processes mpirun put on this machine */
        long cores = sysconf(_SC_NPROCESSORS_ONLN) / cli_mpi_local_size();
        a->jobs = cores > 0 ? cores : 1;
    }
    return CLI_OK;
}

/* splits --acts and checks every name before anything runs */
static int parse_acts(const char *cmd, const char *list, char *buf, size_t size,
                      const char **acts, size_t *n)
{
    if (strlen(list) >= size)
        return cli_usage(cmd, "--acts: the list is too long");
    strcpy(buf, list);
    *n = 0;
    int depth = 0;
    char *start = buf;
    for (char *p = buf;; p++) {
        depth += (*p == '[') - (*p == ']');
        if (*p && !(*p == ',' && depth == 0))
            continue;
        int end = !*p;
        *p = '\0';
        if (!*start)
            return cli_usage(cmd, "--acts: an empty name in '%s'", list);
        act_spec a;
        if (act_parse(start, &a))
            return cli_usage(cmd, "--acts: %s", al_last_error());
        for (size_t i = 0; i < *n; i++)
            if (!strcmp(acts[i], start))
                return cli_usage(cmd, "--acts: '%s' is given twice", start);
        if (*n == MAX_ACTS)
            return cli_usage(cmd, "--acts: at most %d activations", MAX_ACTS);
        acts[(*n)++] = start;
        if (end)
            break;
        start = p + 1;
    }
    return CLI_OK;
}

static int make_dirs(const char *cmd, const char *dir, char *runs, size_t size)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return cli_fail(cmd, "cannot create %s: %s", dir, strerror(errno));
    int n = snprintf(runs, size, "%s/runs", dir);
    if (n < 0 || (size_t)n >= size)
        return cli_usage(cmd, "-o: the directory name is too long");
    if (mkdir(runs, 0777) != 0 && errno != EEXIST)
        return cli_fail(cmd, "cannot create %s: %s", runs, strerror(errno));
    char probe[4400];
    snprintf(probe, sizeof probe, "%s/report.html", dir);
    if (al_outfile_check(probe) || (snprintf(probe, sizeof probe, "%s/x.csv", runs),
                                    al_outfile_check(probe)))
        return cli_fail(cmd, "%s", al_last_error());
    return CLI_OK;
}

struct live {
    struct cmp_report *r;
    char path[4200];
};

/* summary.csv after every run, so a failure later loses nothing */
static void run_done(void *ctx)
{
    struct live *l = ctx;
    cmp_summarise(l->r);
    if (cmp_write_summary_csv(l->path, l->r))
        fprintf(stderr, "actlab compare: %s\n", al_last_error());
}

/* under mpirun, on rank 0: a run another process trained; its metrics CSV as train_one
 * would have written it */
static void run_received(void *ctx, size_t i)
{
    struct live *l = ctx;
    const struct cmp_plan *p = l->r->plan;
    const struct cmp_run *r = &p->runs[i];
    char path[4400];
    snprintf(path, sizeof path, "%s/%s-seed%lu.csv", p->runs_dir, r->act, r->seed);
    if (r->n && cli_log_write_csv(path, r->hist, r->n, p->data->train.y.dtype == DATA_I64,
                                  p->data->val.x.data != NULL))
        fprintf(stderr, "actlab compare: %s\n", al_last_error());
    run_done(ctx);
}

static void command_line(int argc, char **argv, char *buf, size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "actlab");
    for (int i = 0; i < argc && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, strpbrk(argv[i], " ,()[]") ? " '%s'"
                                                                                     : " %s",
                                 argv[i]);
}

int cli_compare(int argc, char **argv)
{
    struct compare_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    char actbuf[4096], runs_dir[4200];
    const char *acts[MAX_ACTS];
    size_t n_acts = 0;
    if ((rc = parse_acts(argv[0], a.acts ? a.acts : DEFAULT_ACTS, actbuf, sizeof actbuf, acts,
                         &n_acts)))
        return rc;
    int rank = cli_mpi_rank(), procs = cli_mpi_size(); /* under mpirun, rank 0 writes */
    if ((rc = cli_mpi_agree(rank ? CLI_OK : make_dirs(argv[0], a.out, runs_dir,
                                                       sizeof runs_dir))))
        return rc;
    char probe[4096];
    if (!strchr(a.t.model, '@') && nn_builtin_spec(a.t.model, NULL, probe, sizeof probe) != 0)
        return cli_usage(argv[0], "--model '%s': write @ where the compared activation goes, "
                                  "e.g. 'dense(64,activation=@) dense(10,activation=softmax)', "
                                  "or use a built-in (lenet5, house-mlp)", a.t.model);
    struct cli_data d;
    int drc = cli_train_data(argv[0], &a.t, &d);
    if ((rc = cli_mpi_agree(drc))) {
        if (!drc)
            cli_data_free(&d);
        return rc;
    }
    { /* the model must build for these data before any worker starts */
        al_rng rng;
        nn_model *m = NULL;
        al_rng_seed(&rng, 1);
        struct cli_train_opts o1 = a.t;
        if (a.act_output)
            o1.output_act = acts[0];
        rc = cli_mpi_agree(cli_train_model(argv[0], &o1, acts[0], &d.train, &rng, &m));
        nn_model_free(m);
        if (rc) {
            cli_data_free(&d);
            return rc;
        }
    }
    size_t n_runs = n_acts * (size_t)a.seeds;
    struct cmp_run *runs = calloc(n_runs, sizeof *runs);
    struct cmp_act *sum = calloc(n_acts, sizeof *sum);
    if (!runs || !sum) {
        free(runs), free(sum), cli_data_free(&d);
        return cli_fail(argv[0], "out of memory");
    }
    /* seed-major: the first seed of every activation finishes first */
    for (long s = 0; s < a.seeds; s++)
        for (size_t i = 0; i < n_acts; i++)
            runs[(size_t)s * n_acts + i] =
                (struct cmp_run){.act = acts[i], .seed = a.t.src.seed + (unsigned long)s};
    for (size_t i = 0; i < n_acts; i++)
        sum[i].act = acts[i];
    char cmdline[4096], desc[512];
    command_line(argc, argv, cmdline, sizeof cmdline);
    snprintf(desc, sizeof desc, "%s: %zu training samples, %zu validation samples%s", a.t.data,
             d.train.x.shape[0], d.val.x.data ? d.val.x.shape[0] : 0,
             a.t.train_samples || a.t.val_samples ? " (a budget: --train-samples/--val-samples)"
                                                  : "");
    struct cmp_plan plan = {.cmd = argv[0], .opts = &a.t, .data = &d,
                            .act_output = a.act_output, .runs_dir = rank ? NULL : runs_dir,
                            .runs = runs, .n_runs = n_runs, .quiet = a.t.quiet || rank,
                            .next_run = procs > 1 ? cli_mpi_next_run : NULL};
    struct cmp_report rep = {.plan = &plan, .acts = sum, .n_acts = n_acts,
                             .seeds = (size_t)a.seeds, .dir = a.out, .command = cmdline,
                             .data_desc = desc};
    struct live live = {.r = &rep};
    snprintf(live.path, sizeof live.path, "%s/summary.csv", a.out);
    plan.on_run_done = rank ? NULL : run_done, plan.ctx = &live;
    if (!a.t.quiet && !rank)
        fprintf(stderr, "compare: %zu activation%s x %ld seed%s = %zu trainings, %ld at a time"
                        "%s%.0d%s; %s\n", n_acts, n_acts == 1 ? "" : "s", a.seeds,
                a.seeds == 1 ? "" : "s", n_runs, a.jobs < (long)n_runs ? a.jobs : (long)n_runs,
                procs > 1 ? " in each of " : "", procs > 1 ? procs : 0,
                procs > 1 ? " processes" : "", desc);
    if (procs > 1)
        cli_mpi_counter_open();
    rc = cli_mpi_agree(cmp_run_all(&plan, (int)a.jobs));
    cli_mpi_counter_close();
    if (!rc && procs > 1)
        rc = cli_mpi_gather_runs(runs, n_runs, rank ? NULL : run_received, &live);
    if (rank) /* rank 0 writes everything; the others go to the cleanup (-1: no failure) */
        rc = rc ? rc : -1;
    cmp_summarise(&rep);
    char *verdict = rc ? NULL : cmp_verdict(&rep);
    char md[4200];
    snprintf(md, sizeof md, "%s/summary.md", a.out);
    if (!rc && !verdict)
        rc = cli_fail(argv[0], "out of memory for the verdict");
    if (!rc && (cmp_write_summary_csv(live.path, &rep) || cmp_write_summary_md(md, &rep, verdict) ||
                cmp_write_figures(&rep) || cmp_write_html(&rep, verdict)))
        rc = cli_fail(argv[0], "%s", al_last_error());
    if (!rc) {
        cmp_print_table(stdout, &rep);
        printf("\n%s\nreport: %s/report.html\n", verdict, a.out);
    }
    free(verdict);
    for (size_t i = 0; i < n_runs; i++)
        free(runs[i].hist);
    free(runs), free(sum);
    cli_data_free(&d);
    return rc < 0 ? CLI_OK : rc;
}
