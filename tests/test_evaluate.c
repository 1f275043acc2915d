/* actlab evaluate and predict --format csv against values this test computes itself: the
 * confusion matrix, accuracy and cross-entropy from predict's own outputs, a regression loss
 * from weights the test sets, and CSV predictions against the .npy ones and the input's Ids.
 * The command line runs as a child process (ACTLAB_CLI). */
#include "data_util.h"

#include <math.h>
#include <stdarg.h>
#include <sys/wait.h>

#include "actlab/data.h"
#include "actlab/nn.h"
#include "actlab/rng.h"

/* Runs the shell command, its standard output into out; returns the exit code. */
static int run(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int run(char *out, size_t size, const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    FILE *p = popen(cmd, "r");
    cr_assert(p, "popen %s", cmd);
    size_t n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* the value after "key: " in evaluate's output */
static double field(const char *out, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\n%s: ", key);
    const char *p = strstr(out, pat);
    cr_assert(p || !strncmp(out, pat + 1, strlen(pat + 1)), "no '%s' in:\n%s", key, out);
    p = p ? p + strlen(pat) : out + strlen(pat + 1);
    return strtod(p, NULL);
}

static void write_f32(const char *path, size_t rows, size_t cols, const float *v)
{
    data_array a;
    size_t n = rows * (cols ? cols : 1), shape[2] = {rows, cols};
    cr_assert_eq(data_array_alloc(&a, DATA_F32, cols ? 2 : 1, shape), 0);
    memcpy(a.data, v, n * sizeof *v);
    cr_assert_eq(data_npy_write(path, &a), 0, "%s", al_last_error());
    data_array_free(&a);
}

static void read_f32(const char *path, size_t rows, size_t cols, float *v)
{
    data_array a = {0};
    cr_assert_eq(data_npy_read(path, &a), 0, "%s", al_last_error());
    cr_assert(a.dtype == DATA_F32 && data_array_count(&a) == rows * cols && a.shape[0] == rows);
    memcpy(v, a.data, rows * cols * sizeof *v);
    data_array_free(&a);
}

#define N 60
#define K 3

/* A softmax classifier on random data: evaluate's counts must be the ones the test takes
 * from predict's probabilities. */
Test(evaluate, confusion_matrix_and_loss_match_predict)
{
    char dir[64], out[8192];
    tmp_dir(dir);
    al_rng rng;
    al_rng_seed(&rng, 11);
    nn_model *m = NULL;
    nn_shape in = {.ndim = 1, .d = {4}};
    cr_assert_eq(nn_model_create("dense(3,activation=softmax)", in, NN_INIT_DEFAULT, &rng, &m), 0);
    float *w, *g;
    size_t np = nn_params(m, &w, &g);
    for (size_t i = 0; i < np; i++)
        w[i] = (float)(((i * 7919) % 13) / 6.0 - 1.0); /* spread classes out */
    cr_assert_eq(nn_save(m, in_dir(dir, "w.safetensors")), 0);
    nn_model_free(m);
    float x[N * 4];
    int64_t y[N];
    for (size_t i = 0; i < N * 4; i++)
        x[i] = (float)((i * 2654435761u) % 1000) / 250.0f - 2.0f;
    for (size_t i = 0; i < N; i++)
        y[i] = (int64_t)((i * 31 + i / 7) % K);
    write_f32(in_dir(dir, "X.npy"), N, 4, x);
    data_array ya = {.dtype = DATA_I64, .ndim = 1, .shape = {N}, .data = y};
    cr_assert_eq(data_npy_write(in_dir(dir, "Y.npy"), &ya), 0);

    cr_assert_eq(run(out, sizeof out, "%s predict --load %s/w.safetensors --input %s/X.npy -o %s/P.npy",
                     ACTLAB_CLI, dir, dir, dir), 0, "%s", out);
    float p[N * K];
    read_f32(in_dir(dir, "P.npy"), N, K, p);
    size_t cm[K][K] = {{0}}, hits = 0;
    double ce = 0;
    for (size_t i = 0; i < N; i++) {
        size_t guess = 0;
        for (size_t j = 1; j < K; j++)
            guess = p[i * K + j] > p[i * K + guess] ? j : guess;
        cm[y[i]][guess]++;
        hits += guess == (size_t)y[i];
        ce -= log(fmax(p[i * K + y[i]], 1e-7));
    }
    ce /= N;
    cr_assert(hits > 5 && hits < N - 5, "the data should not be trivial (%zu hits)", hits);

    cr_assert_eq(run(out, sizeof out, "%s evaluate --load %s/w.safetensors --data npy:%s/X.npy,%s/Y.npy --batch 7",
                     ACTLAB_CLI, dir, dir, dir), 0, "%s", out);
    cr_assert_eq(field(out, "samples"), N, "%s", out);
    cr_assert_float_eq(field(out, "loss"), ce, 1e-5 * ce, "loss %g, want %g:\n%s",
                       field(out, "loss"), ce, out);
    char want[64];
    snprintf(want, sizeof want, "accuracy: %.4f (%zu of %d)\n", (double)hits / N, hits, N);
    cr_assert(strstr(out, want), "want '%s' in:\n%s", want, out);
    const char *row = strstr(out, "accuracy\n");
    cr_assert(row, "no matrix in:\n%s", out);
    row += strlen("accuracy\n");
    for (size_t t = 0; t < K; t++) {
        size_t label, c[K];
        double acc;
        cr_assert_eq(sscanf(row, "%zu %zu %zu %zu %lf", &label, &c[0], &c[1], &c[2], &acc), 5,
                     "row %zu: %s", t, row);
        cr_assert_eq(label, t);
        size_t total = 0;
        for (size_t j = 0; j < K; j++) {
            cr_assert_eq(c[j], cm[t][j], "cell (%zu, %zu): %zu, want %zu\n%s", t, j, c[j],
                         cm[t][j], out);
            total += c[j];
        }
        cr_assert_float_eq(acc, (double)cm[t][t] / (double)total, 5e-5);
        row = strchr(row, '\n') + 1;
    }

    /* the CSV: class and the probabilities, as the .npy holds them */
    cr_assert_eq(run(out, sizeof out, "%s predict --load %s/w.safetensors --data npy:%s/X.npy,%s/Y.npy -o %s/P.csv",
                     ACTLAB_CLI, dir, dir, dir, dir), 0, "%s", out);
    FILE *f = fopen(in_dir(dir, "P.csv"), "r");
    char line[512], expect[512];
    cr_assert(fgets(line, sizeof line, f));
    cr_assert_str_eq(line, "class,p0,p1,p2\n");
    for (size_t i = 0; i < N; i++) {
        size_t guess = 0;
        for (size_t j = 1; j < K; j++)
            guess = p[i * K + j] > p[i * K + guess] ? j : guess;
        snprintf(expect, sizeof expect, "%zu,%.9g,%.9g,%.9g\n", guess, p[i * K],
                 p[i * K + 1], p[i * K + 2]);
        cr_assert(fgets(line, sizeof line, f), "row %zu missing", i);
        cr_assert_str_eq(line, expect, "row %zu", i);
    }
    cr_assert(!fgets(line, sizeof line, f), "more rows than samples");
    fclose(f);
    rm_dir(dir);
}

/* dense(1) with every weight and the bias 0.5: y = 0.5 (x1 + x2) + 0.5, by hand */
Test(evaluate, regression_loss_from_weights_set_by_the_test)
{
    char dir[64], out[4096];
    tmp_dir(dir);
    al_rng rng;
    al_rng_seed(&rng, 1);
    nn_model *m = NULL;
    nn_shape in = {.ndim = 1, .d = {2}};
    cr_assert_eq(nn_model_create("dense(1)", in, NN_INIT_DEFAULT, &rng, &m), 0);
    float *w, *g;
    size_t np = nn_params(m, &w, &g);
    cr_assert_eq(np, 3);
    for (size_t i = 0; i < np; i++)
        w[i] = 0.5f;
    cr_assert_eq(nn_save(m, in_dir(dir, "r.safetensors")), 0);
    nn_model_free(m);
    const float x[] = {1, 2, 3, 0, 0.5f, 0.5f, 4, 4, 2, 1};
    const float t[] = {2, 1, 1.5f, 5, 3};
    write_f32(in_dir(dir, "X.npy"), 5, 2, x);
    write_f32(in_dir(dir, "T.npy"), 5, 0, t);
    double sq = 0, ab = 0, sl = 0;
    for (int i = 0; i < 5; i++) {
        double p = 0.5 * (x[2 * i] + x[2 * i + 1]) + 0.5, e = p - t[i];
        sq += e * e, ab += fabs(e), sl += pow(log(p) - log(t[i]), 2);
    }
    cr_assert_eq(run(out, sizeof out, "%s evaluate --load %s/r.safetensors --data npy:%s/X.npy,%s/T.npy",
                     ACTLAB_CLI, dir, dir, dir), 0, "%s", out);
    cr_assert(strstr(out, "loss: ") && strstr(out, "(mse)"), "%s", out);
    cr_assert_float_eq(field(out, "loss"), sq / 5, 1e-5, "%s", out);
    cr_assert_float_eq(field(out, "rmse"), sqrt(sq / 5), 1e-5, "%s", out);
    cr_assert_float_eq(field(out, "mae"), ab / 5, 1e-5, "%s", out);
    cr_assert_float_eq(field(out, "rmsle"), sqrt(sl / 5), 1e-5, "%s", out);
    cr_assert_eq(run(out, sizeof out, "%s evaluate --load %s/r.safetensors --data npy:%s/X.npy,%s/T.npy --loss mae",
                     ACTLAB_CLI, dir, dir, dir), 0, "%s", out);
    cr_assert_float_eq(field(out, "loss"), ab / 5, 1e-5, "%s", out);
    /* no csv: source here, so the CSV column is "prediction" */
    cr_assert_eq(run(out, sizeof out, "%s predict --load %s/r.safetensors --input %s/X.npy -o %s/p.txt --format csv",
                     ACTLAB_CLI, dir, dir, dir), 0, "%s", out);
    FILE *f = fopen(in_dir(dir, "p.txt"), "r");
    char text[256];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    cr_assert_str_eq(text, "prediction\n2\n2\n1\n4.5\n2\n");
    rm_dir(dir);
}

/* writes a CSV of rows i0 .. i0+n: Id (scrambled), two numbers, a category, Price when
 * with_price; the columns of the test file come in another order, as Kaggle's may */
static void write_table(const char *path, int i0, int n, int with_price, int reorder)
{
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs(reorder ? "color,b,Id,a\n" : with_price ? "Id,a,b,color,Price\n" : "Id,a,b,color\n",
          f);
    static const char *const colors[] = {"red", "green", "blue", "mauve"};
    for (int i = i0; i < i0 + n; i++) {
        int id = 1000 + (i * 37) % 97, a = (i * 13) % 17;
        double b = (i % 5) * 1.25;
        const char *c = colors[i % (reorder ? 4 : 3)]; /* mauve: never seen in training */
        if (reorder)
            fprintf(f, "%s,%g,%d,%d\n", c, b, id, a);
        else if (with_price)
            fprintf(f, "%d,%d,%g,%s,%g\n", id, a, b, c, 100 + 3.0 * a - 2 * b);
        else
            fprintf(f, "%d,%d,%g,%s\n", id, a, b, c);
    }
    fclose(f);
}

Test(evaluate, csv_through_the_saved_pipeline_with_ids)
{
    char dir[64], out[8192];
    tmp_dir(dir);
    write_table(in_dir(dir, "train.csv"), 0, 40, 1, 0);
    cr_assert_eq(run(out, sizeof out, "%s train --model 'dense(4,activation=tanh) dense(1)' "
                     "--data csv:%s/train.csv --target Price --drop Id --epochs 2 --batch 8 "
                     "--save %s/w.safetensors --quiet 2>&1", ACTLAB_CLI, dir, dir), 0, "%s", out);

    /* the pipeline is the training set's, not re-fitted on the rows given: the first five
     * rows predict as they do inside the whole prepared set (an npy source: no pipeline) */
    cr_assert_eq(run(out, sizeof out, "%s data prepare csv:%s/train.csv --target Price --drop Id "
                     "-o %s/X.npy %s/Y.npy", ACTLAB_CLI, dir, dir, dir), 0, "%s", out);
    cr_assert_eq(run(out, sizeof out, "%s predict --load %s/w.safetensors --input %s/X.npy -o %s/all.npy",
                     ACTLAB_CLI, dir, dir, dir), 0, "%s", out);
    float all[40], price[40];
    read_f32(in_dir(dir, "all.npy"), 40, 1, all);
    read_f32(in_dir(dir, "Y.npy"), 40, 1, price);
    write_table(in_dir(dir, "five.csv"), 0, 5, 1, 0);
    double sq = 0;
    for (int i = 0; i < 5; i++)
        sq += pow((double)all[i] - price[i], 2);
    cr_assert_eq(run(out, sizeof out, "%s evaluate --load %s/w.safetensors --data csv:%s/five.csv",
                     ACTLAB_CLI, dir, dir), 0, "%s", out);
    cr_assert_eq(field(out, "samples"), 5, "%s", out);
    cr_assert_float_eq(field(out, "loss"), sq / 5, 1e-5 * sq / 5, "loss %g, want %g\n%s",
                       field(out, "loss"), sq / 5, out);

    /* Kaggle's test.csv: no target, columns reordered, an unseen category; the submission
     * has the Id column and the target's name, the .npy's values and the input's ids */
    write_table(in_dir(dir, "test.csv"), 40, 15, 0, 1);
    cr_assert_eq(run(out, sizeof out, "%s predict --load %s/w.safetensors --data csv:%s/test.csv -o %s/sub.csv",
                     ACTLAB_CLI, dir, dir, dir), 0, "%s", out);
    cr_assert(strstr(out, "wrote") && strstr(out, "(15 predictions)"), "%s", out);
    cr_assert_eq(run(out, sizeof out, "%s predict --load %s/w.safetensors --input csv:%s/test.csv -o %s/sub.npy",
                     ACTLAB_CLI, dir, dir, dir), 0, "%s", out);
    float sub[15];
    read_f32(in_dir(dir, "sub.npy"), 15, 1, sub);
    FILE *f = fopen(in_dir(dir, "sub.csv"), "r");
    char line[256], expect[256];
    cr_assert(fgets(line, sizeof line, f));
    cr_assert_str_eq(line, "Id,Price\n");
    for (int i = 0; i < 15; i++) {
        snprintf(expect, sizeof expect, "%d,%.9g\n", 1000 + ((40 + i) * 37) % 97, sub[i]);
        cr_assert(fgets(line, sizeof line, f), "row %d missing", i);
        cr_assert_str_eq(line, expect, "row %d", i);
    }
    cr_assert(!fgets(line, sizeof line, f), "more rows than samples");
    fclose(f);

    /* no target column: evaluate says so instead of inventing targets */
    cr_assert_eq(run(out, sizeof out, "%s evaluate --load %s/w.safetensors --data csv:%s/test.csv 2>&1",
                     ACTLAB_CLI, dir, dir), 1, "%s", out);
    cr_assert(strstr(out, "has no targets (no column Price)"), "%s", out);
    rm_dir(dir);
}
