/* MPFR reference of every activation: see ref_mpfr.h for the conventions.
 *
 * Each definition is written as on paper. Where a textbook formula would overflow MPFR's
 * (wide) exponent range for float inputs or cancel, an exact identity is used instead and
 * named at the spot: 1 + erf(t) = erfc(-t), (1 + tanh u) / 2 = sigmoid(2u),
 * x + sqrt(x^2 + b) = b / (sqrt(x^2 + b) - x) for x < 0, log(1 + e^z) = z + log(1 + e^-z).
 * An identity holds exactly, so the value is still exact math, not an approximation. */
#include "ref_mpfr.h"

#include <math.h>
#include <stdlib.h>

#define RND MPFR_RNDN
#define GUARD 64       /* bits beyond the caller's precision */
#define FD_PREC 1024   /* x +- h is exact for any double x and h used by the tests */

void ref_init(void)
{
    static int done;
    if (done)
        return;
    mpfr_set_emin(mpfr_get_emin_min());
    mpfr_set_emax(mpfr_get_emax_max());
    done = 1;
}

mpfr_t *ref_vec_new(size_t n, mpfr_prec_t prec)
{
    mpfr_t *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        abort(); /* test code: nothing sensible to do without memory */
    for (size_t i = 0; i < n; i++)
        mpfr_init2(v[i], prec);
    return v;
}

void ref_vec_free(mpfr_t *v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        mpfr_clear(v[i]);
    free(v);
}

/* ---- Shared pieces ------------------------------------------------------------------- */

/* r = sigmoid(z) = 1 / (1 + exp(-z)); exp overflowing to +inf gives the limit 0. */
static void sigmoid(mpfr_ptr r, mpfr_srcptr z)
{
    mpfr_t t;
    mpfr_init2(t, mpfr_get_prec(r) + GUARD);
    mpfr_neg(t, z, RND);
    mpfr_exp(t, t, RND);
    mpfr_add_ui(t, t, 1, RND);
    mpfr_ui_div(r, 1, t, RND);
    mpfr_clear(t);
}

/* r = log(1 + exp(z)), written z + log(1 + exp(-z)) for z > 0 so that exp never overflows */
static void softplus1(mpfr_ptr r, mpfr_srcptr z)
{
    mpfr_t t;
    mpfr_init2(t, mpfr_get_prec(r) + GUARD);
    if (mpfr_sgn(z) > 0) {
        mpfr_neg(t, z, RND);
        mpfr_exp(t, t, RND);
        mpfr_log1p(t, t, RND);
        mpfr_add(r, z, t, RND);
    } else {
        mpfr_exp(t, z, RND);
        mpfr_log1p(r, t, RND);
    }
    mpfr_clear(t);
}

/* r = relu6(z) = min(max(z, 0), 6) */
static void relu6(mpfr_ptr r, mpfr_srcptr z)
{
    if (mpfr_sgn(z) <= 0)
        mpfr_set_zero(r, 1);
    else if (mpfr_cmp_ui(z, 6) >= 0)
        mpfr_set_ui(r, 6, RND);
    else
        mpfr_set(r, z, RND);
}

static void set_str(mpfr_ptr r, const char *decimal)
{
    mpfr_set_str(r, decimal, 10, RND);
}

static const char selu_scale[] = "1.0507009873554804934193349852946";
static const char selu_alpha[] = "1.6732632423543772848170429916717";

/* ---- Limits at +-inf --------------------------------------------------------------------
 * r = lim f(x) for x -> s * inf (s = +1 or -1). Returns 1 when the limit is a zero whose
 * sign is a convention (f is exactly 0 on a whole half-line, as relu), else 0. */
static int limit(const act_spec *a, int s, mpfr_ptr r)
{
    const double *p = a->p;
    switch (a->kind) {
    case ACT_IDENTITY:
    case ACT_TANHSHRINK:
    case ACT_SOFTSHRINK:
    case ACT_HARDSHRINK:
    case ACT_SNAKE: /* x + bounded term */
        mpfr_set_inf(r, s);
        return 0;
    case ACT_SIGMOID:
    case ACT_ELLIOTT:
    case ACT_HARD_SIGMOID:
        if (s > 0) {
            mpfr_set_ui(r, 1, RND);
            return 0;
        }
        mpfr_set_zero(r, 1);
        return a->kind == ACT_HARD_SIGMOID; /* 0 on all of x <= -3 */
    case ACT_TANH:
    case ACT_SOFTSIGN:
        mpfr_set_si(r, s, RND);
        return 0;
    case ACT_RELU:
    case ACT_RELU6:
        if (s > 0) {
            if (a->kind == ACT_RELU)
                mpfr_set_inf(r, 1);
            else
                mpfr_set_ui(r, 6, RND);
            return 0;
        }
        mpfr_set_zero(r, 1);
        return 1;
    case ACT_LEAKY_RELU:
    case ACT_PRELU:
    case ACT_RRELU: {
        if (s > 0) {
            mpfr_set_inf(r, 1);
            return 0;
        }
        double slope = a->kind == ACT_RRELU ? (p[0] + p[1]) / 2 : p[0];
        if (slope == 0) {
            mpfr_set_zero(r, 1);
            return 1;
        }
        mpfr_set_inf(r, slope > 0 ? -1 : 1);
        return 0;
    }
    case ACT_THRESHOLD:
        if (s > 0)
            mpfr_set_inf(r, 1);
        else
            mpfr_set_d(r, p[1], RND);
        return s < 0 && p[1] == 0;
    case ACT_ELU:
    case ACT_CELU:
    case ACT_SELU:
        if (s > 0) {
            mpfr_set_inf(r, 1);
            return 0;
        }
        if (a->kind == ACT_SELU) { /* scale * alpha * (0 - 1) */
            mpfr_t t;
            mpfr_init2(t, mpfr_get_prec(r) + GUARD);
            set_str(t, selu_scale);
            set_str(r, selu_alpha);
            mpfr_mul(r, r, t, RND);
            mpfr_neg(r, r, RND);
            mpfr_clear(t);
        } else if (a->kind == ACT_ELU || p[0] > 0) { /* alpha (exp(-inf) - 1) */
            mpfr_set_d(r, -p[0], RND);
        } else { /* celu, alpha < 0: x / alpha -> +inf, alpha * (inf - 1) = -inf */
            mpfr_set_inf(r, -1);
        }
        return 0;
    case ACT_GELU:
    case ACT_GELU_TANH:
    case ACT_GELU_QUICK:
    case ACT_MISH:
    case ACT_HARD_SWISH: /* x * (something -> 0+) approaches 0 from below */
        if (s > 0)
            mpfr_set_inf(r, 1);
        else
            mpfr_set_zero(r, -1);
        return 0;
    case ACT_SILU: { /* x * sigmoid(beta x) */
        double b = p[0];
        if (b == 0) /* x / 2 */
            mpfr_set_inf(r, s);
        else if ((b > 0) == (s > 0)) /* sigmoid -> 1 */
            mpfr_set_inf(r, s);
        else /* x * (sigmoid -> 0+): a zero with the sign of x */
            mpfr_set_zero(r, s);
        return 0;
    }
    case ACT_SOFTPLUS: { /* x where beta x > threshold, else log(1 + exp(beta x)) / beta */
        double b = p[0];
        if ((b > 0) == (s > 0)) /* beta x -> +inf: past the threshold */
            mpfr_set_inf(r, s);
        else /* log(1 + exp(-inf)) / beta: 0 with the sign of beta */
            mpfr_set_zero(r, b > 0 ? 1 : -1);
        return 0;
    }
    case ACT_SQUAREPLUS:
        if (s > 0)
            mpfr_set_inf(r, 1);
        else
            mpfr_set_zero(r, 1);
        return 0;
    case ACT_LOG_SIGMOID: /* log of (0 -> -inf, 1- -> -0) */
        if (s > 0)
            mpfr_set_zero(r, -1);
        else
            mpfr_set_inf(r, -1);
        return 0;
    case ACT_HARD_TANH:
        mpfr_set_d(r, s > 0 ? p[1] : p[0], RND);
        return (s > 0 ? p[1] : p[0]) == 0;
    case ACT_EXPONENTIAL:
        if (s > 0)
            mpfr_set_inf(r, 1);
        else
            mpfr_set_zero(r, 1);
        return 0;
    case ACT_XIELU: /* x^2 growth above; (beta - alpha_n) x below, alpha_n > beta */
        mpfr_set_inf(r, 1);
        return 0;
    default:
        mpfr_set_nan(r);
        return -1;
    }
}

/* ---- Finite inputs --------------------------------------------------------------------- */

/* Bits lost to cancellation by a definition at x, added to the working precision. */
static mpfr_prec_t extra_bits(act_kind k, mpfr_srcptr x)
{
    if (!mpfr_regular_p(x))
        return 0;
    mpfr_exp_t e = mpfr_get_exp(x);
    switch (k) {
    case ACT_TANHSHRINK: /* x - tanh x = x^3/3 + ...: 2|log2 x| bits cancel */
        return e < 0 ? 2 * (mpfr_prec_t)(-e) + 8 : 0;
    case ACT_ELLIOTT: /* x / (2(1 + |x|)) + 1/2 -> 1 / (2|x|) for x -> -inf */
        return e > 0 ? (mpfr_prec_t)e + 8 : 0;
    case ACT_XIELU: /* expm1(x) - x = x^2/2 + ...: |log2 x| bits cancel for small x; near the
                     * roots the two terms cancel to the float spacing: 64 more bits */
        return (e < 0 ? (mpfr_prec_t)(-e) : 0) + 64;
    default:
        return 0;
    }
}

/* r = f(x) for a finite x. Returns 0, or -1 for a kind without an elementwise reference. */
static int elem(const act_spec *a, mpfr_srcptr x, mpfr_ptr r)
{
    const double *p = a->p;
    mpfr_prec_t wp = mpfr_get_prec(r);
    mpfr_t t, u;
    mpfr_init2(t, wp);
    mpfr_init2(u, wp);
    int rc = 0;
    switch (a->kind) {
    case ACT_IDENTITY:
        mpfr_set(r, x, RND);
        break;
    case ACT_SIGMOID:
        sigmoid(r, x);
        break;
    case ACT_TANH:
        mpfr_tanh(r, x, RND);
        break;
    case ACT_RELU:
        if (mpfr_sgn(x) > 0)
            mpfr_set(r, x, RND);
        else
            mpfr_set_zero(r, 1);
        break;
    case ACT_LEAKY_RELU:
    case ACT_PRELU:
    case ACT_RRELU:
        if (mpfr_sgn(x) > 0) {
            mpfr_set(r, x, RND);
        } else {
            if (a->kind == ACT_RRELU) { /* outside training: the mean slope */
                mpfr_set_d(t, p[0], RND);
                mpfr_add_d(t, t, p[1], RND);
                mpfr_div_2ui(t, t, 1, RND);
            } else {
                mpfr_set_d(t, p[0], RND);
            }
            mpfr_mul(r, t, x, RND);
        }
        break;
    case ACT_RELU6:
        relu6(r, x);
        break;
    case ACT_THRESHOLD:
        if (mpfr_cmp_d(x, p[0]) > 0)
            mpfr_set(r, x, RND);
        else
            mpfr_set_d(r, p[1], RND);
        break;
    case ACT_ELU:
    case ACT_CELU:
    case ACT_SELU:
        if (mpfr_sgn(x) > 0) {
            mpfr_set(r, x, RND);
        } else if (a->kind == ACT_ELU) { /* alpha (exp(x) - 1) */
            mpfr_expm1(t, x, RND);
            mpfr_mul_d(r, t, p[0], RND);
        } else if (a->kind == ACT_CELU) { /* alpha (exp(x / alpha) - 1) */
            mpfr_div_d(t, x, p[0], RND);
            mpfr_expm1(t, t, RND);
            mpfr_mul_d(r, t, p[0], RND);
        } else { /* alpha (exp(x) - 1) */
            mpfr_expm1(t, x, RND);
            set_str(u, selu_alpha);
            mpfr_mul(r, t, u, RND);
        }
        if (a->kind == ACT_SELU) {
            set_str(u, selu_scale);
            mpfr_mul(r, r, u, RND);
        }
        break;
    case ACT_GELU: /* x/2 (1 + erf(x / sqrt 2)), 1 + erf(t) = erfc(-t) */
        mpfr_sqrt_ui(t, 2, RND);
        mpfr_div(t, x, t, RND);
        mpfr_neg(t, t, RND);
        mpfr_erfc(t, t, RND);
        mpfr_mul(r, x, t, RND);
        mpfr_div_2ui(r, r, 1, RND);
        break;
    case ACT_GELU_TANH: /* x/2 (1 + tanh u), u = sqrt(2/pi)(x + 0.044715 x^3); (1 + tanh u)/2 = sigmoid(2u) */
        mpfr_sqr(t, x, RND);
        mpfr_mul(t, t, x, RND);
        set_str(u, "0.044715");
        mpfr_mul(t, t, u, RND);
        mpfr_add(t, t, x, RND);
        mpfr_const_pi(u, RND);
        mpfr_ui_div(u, 2, u, RND);
        mpfr_sqrt(u, u, RND);
        mpfr_mul(t, t, u, RND);
        mpfr_mul_2ui(t, t, 1, RND);
        sigmoid(u, t);
        mpfr_mul(r, x, u, RND);
        break;
    case ACT_GELU_QUICK: /* x sigmoid(1.702 x) */
        set_str(t, "1.702");
        mpfr_mul(t, t, x, RND);
        sigmoid(u, t);
        mpfr_mul(r, x, u, RND);
        break;
    case ACT_SILU: /* x sigmoid(beta x) */
        mpfr_mul_d(t, x, p[0], RND);
        sigmoid(u, t);
        mpfr_mul(r, x, u, RND);
        break;
    case ACT_MISH: /* x tanh(softplus(x)) */
        softplus1(t, x);
        mpfr_tanh(t, t, RND);
        mpfr_mul(r, x, t, RND);
        break;
    case ACT_SOFTPLUS: /* PyTorch: x where beta x > threshold, else log(1 + exp(beta x)) / beta */
        mpfr_mul_d(t, x, p[0], RND);
        if (mpfr_cmp_d(t, p[1]) > 0) {
            mpfr_set(r, x, RND);
        } else {
            softplus1(u, t);
            mpfr_div_d(r, u, p[0], RND);
        }
        break;
    case ACT_SOFTSIGN: /* x / (1 + |x|) */
        mpfr_abs(t, x, RND);
        mpfr_add_ui(t, t, 1, RND);
        mpfr_div(r, x, t, RND);
        break;
    case ACT_SQUAREPLUS: /* (x + sqrt(x^2 + b)) / 2; for x < 0 = b / (2 (sqrt(x^2 + b) - x)) */
        mpfr_sqr(t, x, RND);
        mpfr_add_d(t, t, p[0], RND);
        mpfr_sqrt(t, t, RND);
        if (mpfr_sgn(x) >= 0) {
            mpfr_add(r, x, t, RND);
        } else {
            mpfr_sub(t, t, x, RND);
            mpfr_set_d(u, p[0], RND);
            mpfr_div(r, u, t, RND);
        }
        mpfr_div_2ui(r, r, 1, RND);
        break;
    case ACT_LOG_SIGMOID: /* log(1 / (1 + exp(-x))) = -log(1 + exp(-x)) */
        mpfr_neg(t, x, RND);
        softplus1(r, t);
        mpfr_neg(r, r, RND);
        break;
    case ACT_HARD_SIGMOID: /* relu6(x + 3) / 6 */
        mpfr_add_ui(t, x, 3, RND);
        relu6(u, t);
        mpfr_div_ui(r, u, 6, RND);
        break;
    case ACT_HARD_SWISH: /* x relu6(x + 3) / 6 (IEEE: a negative x times 0 is -0) */
        mpfr_add_ui(t, x, 3, RND);
        relu6(u, t);
        mpfr_mul(u, u, x, RND);
        mpfr_div_ui(r, u, 6, RND);
        break;
    case ACT_HARD_TANH: /* min(max(x, min), max) */
        if (mpfr_cmp_d(x, p[0]) < 0)
            mpfr_set_d(r, p[0], RND);
        else if (mpfr_cmp_d(x, p[1]) > 0)
            mpfr_set_d(r, p[1], RND);
        else
            mpfr_set(r, x, RND);
        break;
    case ACT_TANHSHRINK: /* x - tanh(x), at the extra precision of extra_bits */
        mpfr_tanh(t, x, RND);
        mpfr_sub(r, x, t, RND);
        break;
    case ACT_SOFTSHRINK: /* x - lambda, x + lambda, or 0 inside [-lambda, lambda] */
        mpfr_set_d(t, p[0], RND);
        if (mpfr_cmp(x, t) > 0) {
            mpfr_sub(r, x, t, RND);
        } else {
            mpfr_neg(t, t, RND);
            if (mpfr_cmp(x, t) < 0)
                mpfr_sub(r, x, t, RND);
            else
                mpfr_set_zero(r, 1);
        }
        break;
    case ACT_HARDSHRINK: /* x for |x| > lambda, else 0 */
        mpfr_abs(t, x, RND);
        if (mpfr_cmp_d(t, p[0]) > 0)
            mpfr_set(r, x, RND);
        else
            mpfr_set_zero(r, 1);
        break;
    case ACT_EXPONENTIAL:
        mpfr_exp(r, x, RND);
        break;
    case ACT_ELLIOTT: /* x / (2 (1 + |x|)) + 1/2, at the extra precision of extra_bits */
        mpfr_abs(t, x, RND);
        mpfr_add_ui(t, t, 1, RND);
        mpfr_mul_2ui(t, t, 1, RND);
        mpfr_div(t, x, t, RND);
        mpfr_set_d(u, 0.5, RND);
        mpfr_add(r, t, u, RND);
        break;
    case ACT_XIELU: /* alpha_p x^2 + beta x for x > 0, else alpha_n (expm1(min(x, eps)) - x) +
                     * beta x (Huang & Schlag 2024), at the extra precision of extra_bits */
        if (mpfr_sgn(x) > 0) {
            mpfr_sqr(t, x, RND);
            mpfr_mul_d(t, t, p[0], RND);
        } else {
            mpfr_set_d(u, p[3], RND);
            mpfr_min(t, x, u, RND);
            mpfr_expm1(t, t, RND);
            mpfr_sub(t, t, x, RND);
            mpfr_mul_d(t, t, p[1], RND);
        }
        mpfr_mul_d(u, x, p[2], RND);
        mpfr_add(r, t, u, RND);
        break;
    case ACT_SNAKE: /* x + sin^2(alpha x) / alpha */
        mpfr_mul_d(t, x, p[0], RND);
        mpfr_sin(t, t, RND);
        mpfr_sqr(t, t, RND);
        mpfr_div_d(t, t, p[0], RND);
        mpfr_add(r, x, t, RND);
        break;
    default:
        mpfr_set_nan(r);
        rc = -1;
        break;
    }
    mpfr_clear(t);
    mpfr_clear(u);
    return rc;
}

int ref_f(const act_spec *a, mpfr_srcptr x, mpfr_ptr out)
{
    ref_init();
    if (!a || (unsigned)a->kind >= ACT_COUNT)
        return -1;
    if (mpfr_nan_p(x)) {
        /* still report kinds without a reference, so that NaN inputs cannot hide them */
        mpfr_t dummy, one;
        mpfr_init2(dummy, 64);
        mpfr_init2(one, 64);
        mpfr_set_ui(one, 1, RND);
        int rc = elem(a, one, dummy);
        mpfr_clear(dummy);
        mpfr_clear(one);
        mpfr_set_nan(out);
        return rc;
    }
    if (mpfr_inf_p(x))
        return limit(a, mpfr_sgn(x), out);
    mpfr_t r;
    mpfr_init2(r, mpfr_get_prec(out) + GUARD + extra_bits(a->kind, x));
    int rc = elem(a, x, r);
    mpfr_set(out, r, RND);
    mpfr_clear(r);
    return rc;
}

double ref_f_dbl(const act_spec *a, double x)
{
    mpfr_t mx, r;
    mpfr_init2(mx, 53);
    mpfr_init2(r, REF_PREC);
    mpfr_set_d(mx, x, RND);
    double v = ref_f(a, mx, r) < 0 ? NAN : mpfr_get_d(r, RND);
    mpfr_clear(mx);
    mpfr_clear(r);
    return v;
}

float ref_f_flt(const act_spec *a, double x)
{
    mpfr_t mx, r;
    mpfr_init2(mx, 53);
    mpfr_init2(r, REF_PREC);
    mpfr_set_d(mx, x, RND);
    float v = ref_f(a, mx, r) < 0 ? NAN : mpfr_get_flt(r, RND);
    mpfr_clear(mx);
    mpfr_clear(r);
    return v;
}

/* (fp - fm) / w as a double, in MPFR */
static double diff_quot(mpfr_srcptr fp, mpfr_srcptr fm, double w)
{
    mpfr_t d;
    mpfr_init2(d, FD_PREC);
    mpfr_sub(d, fp, fm, RND);
    mpfr_div_d(d, d, w, RND);
    double v = mpfr_get_d(d, RND);
    mpfr_clear(d);
    return v;
}

int ref_fd(const act_spec *a, double x, double h, double *central, double *left,
           double *right)
{
    mpfr_t xs, fm, f0, fp;
    mpfr_init2(xs, FD_PREC);
    mpfr_inits2(REF_PREC + GUARD, fm, f0, fp, (mpfr_ptr)0);
    int rc = 0;
    mpfr_set_d(xs, x, RND);
    rc |= ref_f(a, xs, f0) < 0;
    mpfr_add_d(xs, xs, h, RND); /* exact: FD_PREC covers any double pair */
    rc |= ref_f(a, xs, fp) < 0;
    mpfr_set_d(xs, x, RND);
    mpfr_sub_d(xs, xs, h, RND);
    rc |= ref_f(a, xs, fm) < 0;
    *central = diff_quot(fp, fm, 2 * h);
    *left = diff_quot(f0, fm, h);
    *right = diff_quot(fp, f0, h);
    mpfr_clears(xs, fm, f0, fp, (mpfr_ptr)0);
    return rc ? -1 : 0;
}

/* ---- Row-wise ------------------------------------------------------------------------ */

/* softmax (logs = 0) or log_softmax (logs = 1) of z = x * sign / T over one row */
static void row_softmax(const mpfr_t *x, size_t n, double T, int sign, int logs, mpfr_t *y,
                        mpfr_prec_t wp)
{
    mpfr_t *z = ref_vec_new(n, wp);
    mpfr_t m, s, t;
    mpfr_inits2(wp, m, s, t, (mpfr_ptr)0);
    int nan = 0;
    mpfr_set_inf(m, -1);
    for (size_t j = 0; j < n; j++) {
        mpfr_div_d(z[j], x[j], T, RND);
        if (sign < 0)
            mpfr_neg(z[j], z[j], RND);
        nan |= mpfr_nan_p(z[j]);
        if (!nan && mpfr_cmp(z[j], m) > 0)
            mpfr_set(m, z[j], RND);
    }
    if (nan || (mpfr_inf_p(m) && mpfr_sgn(m) < 0)) { /* no limit: a NaN, or every z = -inf */
        for (size_t j = 0; j < n; j++)
            mpfr_set_nan(y[j]);
    } else if (mpfr_inf_p(m)) { /* the limit: the +inf entries share the mass */
        unsigned long k = 0;
        for (size_t j = 0; j < n; j++)
            k += mpfr_inf_p(z[j]) && mpfr_sgn(z[j]) > 0;
        for (size_t j = 0; j < n; j++) {
            int top = mpfr_inf_p(z[j]) && mpfr_sgn(z[j]) > 0;
            if (logs && top) {
                mpfr_set_ui(t, k, RND);
                mpfr_log(t, t, RND);
                mpfr_neg(y[j], t, RND);
            } else if (logs) {
                mpfr_set_inf(y[j], -1);
            } else if (top) {
                mpfr_set_ui(t, k, RND);
                mpfr_ui_div(y[j], 1, t, RND);
            } else {
                mpfr_set_zero(y[j], 1);
            }
        }
    } else { /* exp(z_j - m) / sum: the shift by the maximum is exact algebra */
        mpfr_set_zero(s, 1);
        for (size_t j = 0; j < n; j++) {
            mpfr_sub(z[j], z[j], m, RND);
            mpfr_exp(t, z[j], RND);
            mpfr_add(s, s, t, RND);
        }
        if (logs)
            mpfr_log(s, s, RND);
        for (size_t j = 0; j < n; j++) {
            if (logs) {
                mpfr_sub(y[j], z[j], s, RND);
            } else {
                mpfr_exp(t, z[j], RND);
                mpfr_div(y[j], t, s, RND);
            }
        }
    }
    mpfr_clears(m, s, t, (mpfr_ptr)0);
    ref_vec_free(z, n);
}

int ref_row(const act_spec *a, const mpfr_t *x, size_t cols, mpfr_t *y)
{
    ref_init();
    if (!a || (unsigned)a->kind >= ACT_COUNT || cols == 0)
        return -1;
    const double *p = a->p;
    mpfr_prec_t wp = REF_PREC + GUARD;
    for (size_t j = 0; j < cols; j++)
        if (mpfr_get_prec(x[j]) + GUARD > wp)
            wp = mpfr_get_prec(x[j]) + GUARD;
    switch (a->kind) {
    case ACT_SOFTMAX:
    case ACT_LOG_SOFTMAX:
    case ACT_SOFTMIN:
        row_softmax(x, cols, p[0], a->kind == ACT_SOFTMIN ? -1 : 1, a->kind == ACT_LOG_SOFTMAX,
                    y, wp);
        return 0;
    case ACT_MAXOUT: {
        if (!(p[0] >= 1) || p[0] != floor(p[0]))
            return -1;
        size_t k = (size_t)p[0];
        if (cols % k)
            return -1;
        for (size_t o = 0; o < cols / k; o++) {
            const mpfr_t *g = x + o * k;
            size_t best = 0;
            int nan = 0;
            for (size_t i = 0; i < k; i++) {
                nan |= mpfr_nan_p(g[i]);
                if (!nan && mpfr_cmp(g[i], g[best]) > 0)
                    best = i;
            }
            if (nan)
                mpfr_set_nan(y[o]);
            else
                mpfr_set(y[o], g[best], RND);
        }
        return 0;
    }
    case ACT_GLU:
    case ACT_SWIGLU:
    case ACT_GEGLU: {
        if (cols % 2)
            return -1;
        act_spec gate = {.kind = a->kind == ACT_GLU      ? ACT_SIGMOID
                                 : a->kind == ACT_SWIGLU ? ACT_SILU
                                                         : ACT_GELU,
                         .p = {1.0f}};
        size_t h = cols / 2;
        mpfr_t g;
        mpfr_init2(g, wp);
        for (size_t j = 0; j < h; j++) {
            ref_f(&gate, x[h + j], g);
            mpfr_mul(y[j], x[j], g, RND); /* 0 * inf: NaN, there is no single limit */
        }
        mpfr_clear(g);
        return 0;
    }
    default: {
        if (act_get_info(a->kind)->flags & ACT_ROWWISE)
            return -1; /* a row-wise kind without a reference here */
        int rc = 0;
        for (size_t j = 0; j < cols; j++)
            rc |= ref_f(a, x[j], y[j]) < 0;
        return rc ? -1 : 0;
    }
    }
}

int ref_row_flt(const act_spec *a, const float *x, size_t cols, mpfr_t *y)
{
    mpfr_t *mx = ref_vec_new(cols, 24);
    for (size_t j = 0; j < cols; j++)
        mpfr_set_flt(mx[j], x[j], RND);
    int rc = ref_row(a, mx, cols, y);
    ref_vec_free(mx, cols);
    return rc;
}

/* L = sum_i dy[i] y_i for the row mx */
static int row_loss(const act_spec *a, const mpfr_t *mx, size_t cols, const float *dy,
                    size_t out, mpfr_ptr L)
{
    mpfr_t *y = ref_vec_new(out, REF_PREC + GUARD);
    int rc = ref_row(a, mx, cols, y);
    mpfr_set_zero(L, 1);
    for (size_t i = 0; i < out && !rc; i++) {
        mpfr_mul_d(y[i], y[i], dy[i], RND);
        mpfr_add(L, L, y[i], RND);
    }
    ref_vec_free(y, out);
    return rc;
}

int ref_row_fd(const act_spec *a, const float *x, size_t cols, const float *dy, size_t j,
               double h, double *central, double *left, double *right)
{
    size_t out = act_out_cols(a, cols);
    if (!out || j >= cols)
        return -1;
    mpfr_t *mx = ref_vec_new(cols, FD_PREC);
    mpfr_t fm, f0, fp;
    mpfr_inits2(REF_PREC + GUARD, fm, f0, fp, (mpfr_ptr)0);
    for (size_t i = 0; i < cols; i++)
        mpfr_set_flt(mx[i], x[i], RND);
    int rc = row_loss(a, mx, cols, dy, out, f0);
    mpfr_add_d(mx[j], mx[j], h, RND);
    rc |= row_loss(a, mx, cols, dy, out, fp);
    mpfr_set_flt(mx[j], x[j], RND);
    mpfr_sub_d(mx[j], mx[j], h, RND);
    rc |= row_loss(a, mx, cols, dy, out, fm);
    *central = diff_quot(fp, fm, 2 * h);
    *left = diff_quot(f0, fm, h);
    *right = diff_quot(fp, f0, h);
    mpfr_clears(fm, f0, fp, (mpfr_ptr)0);
    ref_vec_free(mx, cols);
    return rc ? -1 : 0;
}
