#define _POSIX_C_SOURCE 200809L /* fileno, isatty */
#include <math.h>
#include <unistd.h>

#include "progress.h"

void cli_progress_init(struct cli_progress *p, FILE *out, long epochs, int quiet)
{
    p->out = out;
    p->epochs = epochs;
    p->quiet = quiet;
    p->bar = !quiet && isatty(fileno(out));
    p->label = NULL;
}

void cli_progress_batch(void *ctx, long epoch, size_t batch, size_t batches, double loss)
{
    struct cli_progress *p = ctx;
    if (!p->bar || (batch != batches && batch % 8 != 0))
        return;
    enum { WIDTH = 30 };
    size_t filled = batches ? batch * WIDTH / batches : WIDTH;
    fprintf(p->out, "\r%s%sEpoch %ld/%ld [", p->label ? p->label : "", p->label ? " " : "",
            epoch, p->epochs);
    for (size_t i = 0; i < WIDTH; i++)
        fputc(i < filled ? '=' : i == filled ? '>' : '.', p->out);
    fprintf(p->out, "] %zu/%zu - loss: %.4f ", batch, batches, loss);
    fflush(p->out);
}

void cli_progress_epoch(void *ctx, const nn_epoch_stats *s)
{
    struct cli_progress *p = ctx;
    if (p->quiet)
        return;
    if (p->bar)
        fputc('\r', p->out);
    fprintf(p->out, "%s%sEpoch %ld/%ld - %.1fs - loss: %.4f", p->label ? p->label : "",
            p->label ? " " : "", s->epoch, p->epochs, s->seconds, s->loss);
    if (!isnan(s->acc))
        fprintf(p->out, " - accuracy: %.4f", s->acc);
    if (!isnan(s->val_loss))
        fprintf(p->out, " - val_loss: %.4f", s->val_loss);
    if (!isnan(s->val_acc))
        fprintf(p->out, " - val_accuracy: %.4f", s->val_acc);
    fprintf(p->out, "%*s\n", p->bar ? 20 : 0, "");
    fflush(p->out);
}
