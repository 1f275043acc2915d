/* The numbers of the tabular pipeline, computed as NumPy, pandas and scikit-learn compute
 * them (see tabular.c): pairwise sums, medians, the fill values and the scalers. */
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "tabular.h"

/* ---- numerics ---------------------------------------------------------------------------- */

/* NumPy's pairwise summation (DOUBLE_pairwise_sum: blocks of 128, eight accumulators), which
 * np.sum uses along a contiguous axis; NaN counts as 0 (np.nansum, pandas' nanmean). */
static double pairwise_sum(const double *a, size_t n)
{
#define V(i) (isnan(a[i]) ? 0.0 : a[i])
    if (n < 8) {
        double res = 0.;
        for (size_t i = 0; i < n; i++)
            res += V(i);
        return res;
    } else if (n <= 128) {
        double r[8], res;
        size_t i;
        for (int k = 0; k < 8; k++)
            r[k] = V(k);
        for (i = 8; i < n - (n % 8); i += 8)
            for (int k = 0; k < 8; k++)
                r[k] += V(i + k);
        res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            res += V(i);
        return res;
    } else {
        size_t n2 = n / 2;
        n2 -= n2 % 8;
        return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
    }
#undef V
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* The k-th smallest of a[0..n) (no NaN), leaving a[0..k) <= a[k] <= a[k+1..n): quickselect
 * with a median-of-three pivot, falling back to sorting the rest if it degenerates. */
static double select_kth(double *a, size_t n, size_t k)
{
    long lo = 0, hi = (long)n - 1, K = (long)k;
    int budget = 64;
    while (lo < hi) {
        if (budget-- == 0) {
            qsort(a + lo, (size_t)(hi - lo + 1), sizeof *a, cmp_double);
            break;
        }
        double x = a[lo], y = a[lo + (hi - lo) / 2], z = a[hi], t;
        double pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        long i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                j--;
            }
        }
        /* a[lo..j] <= pivot, a[i..hi] >= pivot, and anything between equals it */
        if (K <= j)
            hi = j;
        else if (K >= i)
            lo = i;
        else
            break;
    }
    return a[k];
}

/* The fill value of a numeric column (NaN = missing): pandas' median (np.median of the
 * values present), mean (nansum / count) or 0. A column with no value at all gets 0, where
 * pandas would leave NaN. scratch holds n doubles. */
double data__tab_fill_value(data_tab_fill how, const double *v, size_t n, double *scratch)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i]))
            scratch[m++] = v[i];
    if (m == 0 || how == DATA_TAB_FILL_ZERO)
        return 0.0;
    if (how == DATA_TAB_FILL_MEAN)
        return pairwise_sum(v, n) / (double)m;
    double hi = select_kth(scratch, m, m / 2);
    if (m % 2)
        return hi;
    double lo = scratch[0]; /* the largest of the lower half */
    for (size_t i = 1; i < m / 2; i++)
        lo = scratch[i] > lo ? scratch[i] : lo;
    return (lo + hi) / 2.0;
}

/* Scaling parameters of one prepared column x (no NaN), as sklearn's fit. scratch: n. */
void data__tab_scale_params(data_tab_scale how, const double *x, size_t n, double *scratch,
                            double *a, double *b)
{
    if (how == DATA_TAB_SCALE_MINMAX) {
        double lo = x[0], hi = x[0];
        for (size_t i = 1; i < n; i++) {
            lo = x[i] < lo ? x[i] : lo;
            hi = x[i] > hi ? x[i] : hi;
        }
        double range = hi - lo;
        if (range < 10.0 * DBL_EPSILON) /* _handle_zeros_in_scale */
            range = 1.0;
        *a = 1.0 / range;
        *b = 0.0 - lo * *a;
    } else if (how == DATA_TAB_SCALE_STANDARD) {
        /* _incremental_mean_and_var from an empty state */
        double count = (double)n, sum = pairwise_sum(x, n), mean = sum / count;
        for (size_t i = 0; i < n; i++)
            scratch[i] = x[i] - mean;
        double correction = pairwise_sum(scratch, n);
        for (size_t i = 0; i < n; i++)
            scratch[i] *= scratch[i];
        double var = (pairwise_sum(scratch, n) - correction * correction / count) / count;
        /* _is_constant_feature */
        double eps = DBL_EPSILON, nme = count * mean * eps;
        int constant = var <= count * eps * var + nme * nme;
        *a = mean;
        *b = constant ? 1.0 : sqrt(var);
    } else {
        *a = 1.0;
        *b = 0.0;
    }
}

double data__tab_scale_value(data_tab_scale how, const struct data_tab_feature *f, double v)
{
    if (how == DATA_TAB_SCALE_MINMAX)
        return v * f->a + f->b;
    if (how == DATA_TAB_SCALE_STANDARD)
        return (v - f->a) / f->b;
    return v;
}

