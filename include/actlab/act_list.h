/* The list of activation functions: the one place a function is spelled out.
 * X(ID, name) -- ID gives ACT_ID in enum act_kind; name is the canonical snake_case name,
 * and src/act/ holds a descriptor act__desc_<name> with its documentation and kernels.
 * Order is the order of `actlab list`: the tutorials' classics first, then families. */
/* Library code below act must not include this (docs/ARCHITECTURE.md). */
#if defined(ACTLAB_LAYER_CORE) && !defined(ACTLAB_LAYER_ACT)
#error "a public header of the act layer of actlab, which this library code is below (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_ACT_LIST_H
#define ACTLAB_ACT_LIST_H

#define ACT_LIST(X)                 \
    X(IDENTITY, identity)           \
    X(SIGMOID, sigmoid)             \
    X(TANH, tanh)                   \
    X(RELU, relu)                   \
    X(LEAKY_RELU, leaky_relu)       \
    X(RELU6, relu6)                 \
    X(PRELU, prelu)                 \
    X(RRELU, rrelu)                 \
    X(THRESHOLD, threshold)         \
    X(ELU, elu)                     \
    X(CELU, celu)                   \
    X(SELU, selu)                   \
    X(GELU, gelu)                   \
    X(GELU_TANH, gelu_tanh)         \
    X(GELU_QUICK, gelu_quick)       \
    X(SILU, silu)                   \
    X(MISH, mish)                   \
    X(SOFTPLUS, softplus)           \
    X(SOFTSIGN, softsign)           \
    X(SQUAREPLUS, squareplus)       \
    X(LOG_SIGMOID, log_sigmoid)     \
    X(HARD_SIGMOID, hard_sigmoid)   \
    X(HARD_SWISH, hard_swish)       \
    X(HARD_TANH, hard_tanh)         \
    X(TANHSHRINK, tanhshrink)       \
    X(SOFTSHRINK, softshrink)       \
    X(HARDSHRINK, hardshrink)       \
    X(EXPONENTIAL, exponential)     \
    X(ELLIOTT, elliott)             \
    X(SNAKE, snake)                 \
    X(SOFTMAX, softmax)             \
    X(LOG_SOFTMAX, log_softmax)     \
    X(SOFTMIN, softmin)             \
    X(MAXOUT, maxout)               \
    X(GLU, glu)                     \
    X(SWIGLU, swiglu)               \
    X(GEGLU, geglu)

#endif
