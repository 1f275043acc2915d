/* Vector kernels of src/act/relu.c (see vmath.h and drive.h), and their constants. */
#ifndef ACTLAB_LAYER_ACT
#error "internal to the act layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_SRC_ACT_SIMD_RELU_H
#define ACTLAB_SRC_ACT_SIMD_RELU_H

#include "../kern.h"

/* leaky_relu, prelu and rrelu (its mean slope, as outside training) */
struct act__kc_leaky {
    double slope;
    int zero; /* the slope is 0: -0 * 0 would give -0 where the spec gives 0 */
};

struct act__kc_threshold {
    float above; /* the largest float <= threshold: x > above iff x > threshold */
    float value;
};

ACT_VEC_DECL(identity)
ACT_VEC_DECL(relu)
ACT_VEC_DECL(leaky)
ACT_VEC_DECL(relu6)
ACT_VEC_DECL(threshold)

#ifdef PATH_TAG /* compiled by a path (kernels.h): the kernels */

static inline vf F_identity(vf x, const struct act__kc_none *k) { (void)k; return x; }
static inline vf B_identity(vf x, vf dy, const struct act__kc_none *k)
{
    (void)x, (void)k;
    return dy;
}

static inline vf F_relu(vf x, const struct act__kc_none *k)
{
    (void)k;
    return v_sel(v_gt(x, v_set(0.0f)), x, v_set(0.0f));
}
static inline vf B_relu(vf x, vf dy, const struct act__kc_none *k)
{
    (void)k;
    return v_sel(v_gt(x, v_set(0.0f)), dy, v_set(0.0f));
}

static inline vf F_leaky(vf x, const struct act__kc_leaky *k)
{
    vf neg = k->zero ? v_set(0.0f) : k_mul_d(x, k->slope);
    return v_sel(v_gt(x, v_set(0.0f)), x, neg);
}
static inline vf B_leaky(vf x, vf dy, const struct act__kc_leaky *k)
{
    vm pos = v_gt(x, v_set(0.0f));
    return v_sel(pos, dy, k->zero ? v_set(0.0f) : k_mul_d(dy, k->slope));
}

static inline vf F_relu6(vf x, const struct act__kc_none *k)
{
    (void)k;
    return v_min(v_max(x, v_set(0.0f)), v_set(6.0f));
}
static inline vf B_relu6(vf x, vf dy, const struct act__kc_none *k)
{
    (void)k;
    vm in = m_and(v_gt(x, v_set(0.0f)), v_lt(x, v_set(6.0f)));
    return v_sel(in, dy, v_set(0.0f));
}

static inline vf F_threshold(vf x, const struct act__kc_threshold *k)
{
    return v_sel(v_gt(x, v_set(k->above)), x, v_set(k->value));
}
static inline vf B_threshold(vf x, vf dy, const struct act__kc_threshold *k)
{
    return v_sel(v_gt(x, v_set(k->above)), dy, v_set(0.0f));
}

ACT_VEC_ELEMENTWISE(identity, struct act__kc_none, F_identity, B_identity)
ACT_VEC_ELEMENTWISE(relu, struct act__kc_none, F_relu, B_relu)
ACT_VEC_ELEMENTWISE(leaky, struct act__kc_leaky, F_leaky, B_leaky)
ACT_VEC_ELEMENTWISE(relu6, struct act__kc_none, F_relu6, B_relu6)
ACT_VEC_ELEMENTWISE(threshold, struct act__kc_threshold, F_threshold, B_threshold)

#endif
#endif
