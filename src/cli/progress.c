#define _POSIX_C_SOURCE 200809L /* fileno, isatty, clock_gettime */
#include <math.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

double cli_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void cli_progress_init(struct cli_progress *p, FILE *out, long epochs, int quiet)
{
    *p = (struct cli_progress){.out = out, .epochs = epochs};
    p->bar = !quiet && isatty(fileno(out));
}

/* "1.4s", "2m05s", "1h02m" */
static void duration(double s, char *buf, size_t size)
{
    if (!(s >= 0) || s > 1e7)
        snprintf(buf, size, "?");
    else if (s < 60)
        snprintf(buf, size, "%.1fs", s);
    else if (s < 3600)
        snprintf(buf, size, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60));
    else
        snprintf(buf, size, "%dh%02dm", (int)(s / 3600), (int)fmod(s / 60, 60));
}

void cli_progress_batch(void *ctx, const nn_batch_progress *b)
{
    struct cli_progress *p = ctx;
    if (!p->bar)
        return;
    double t = cli_now();
    if (b->epoch != p->epoch || b->batch == 1)
        p->t0 = t, p->epoch = b->epoch, p->b0 = b->batch, p->s0 = b->samples;
    /* redraw at most every 8 batches, and always at the end */
    if (b->batch != b->batches && b->batch % 8 != 0)
        return;
    enum { WIDTH = 30 };
    size_t filled = b->batches ? b->batch * WIDTH / b->batches : WIDTH;
    /* rates from the batches since the clock started: the first one ended at t0 */
    double elapsed = t - p->t0;
    size_t since = b->batch - p->b0;
    double per = since ? elapsed / (double)since : 0;
    char el[16], eta[16];
    duration(elapsed, el, sizeof el);
    if (since)
        duration(per * (double)(b->batches - b->batch), eta, sizeof eta);
    else
        snprintf(eta, sizeof eta, "?");
    fprintf(p->out, "\r%s%sEpoch %ld/%ld %zu/%zu [", p->label ? p->label : "",
            p->label ? " " : "", b->epoch, p->epochs, b->batch, b->batches);
    for (size_t i = 0; i < WIDTH; i++)
        fputc(i < filled ? '=' : i == filled ? '>' : '.', p->out);
    fprintf(p->out, "] %s, ETA %s, %.0f samples/s - loss: %.4f", el, eta,
            elapsed > 0 ? (double)(b->samples - p->s0) / elapsed : 0.0, b->loss);
    if (!isnan(b->acc))
        fprintf(p->out, " - accuracy: %.4f", b->acc);
    fputs("\033[K", p->out);
    fflush(p->out);
    p->drawn = 1;
}

void cli_progress_clear(struct cli_progress *p)
{
    if (p->drawn) {
        fputs("\r\033[K", p->out);
        fflush(p->out);
        p->drawn = 0;
    }
}
