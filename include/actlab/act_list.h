/* The list of activation functions: the one place a function is spelled out.
 * X(ID, name, value) -- ACT_ID = value in enum act_kind; name is the canonical snake_case
 * name, and src/act/ holds a descriptor act__desc_<name> with its documentation and kernels.
 * Order is the display order (`actlab list`, plots, act_kind_at()): the tutorials' classics
 * first, then families; a new function goes beside its family.
 * Values are stable: the enum is append-only. A new function takes the next unused value
 * (ACT_COUNT before it); a value is never changed or reused. The build checks that the
 * values are 0 .. ACT_COUNT - 1, each once (src/act/table.c). */
/* Library code below act must not include this (docs/ARCHITECTURE.md). */
#if defined(ACTLAB_LAYER_CORE) && !defined(ACTLAB_LAYER_ACT)
#error "a public header of the act layer of actlab, which this library code is below (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_ACT_LIST_H
#define ACTLAB_ACT_LIST_H

#define ACT_LIST(X) \
    X(IDENTITY, identity, 0)           \
    X(SIGMOID, sigmoid, 1)             \
    X(TANH, tanh, 2)                   \
    X(RELU, relu, 3)                   \
    X(LEAKY_RELU, leaky_relu, 4)       \
    X(RELU6, relu6, 5)                 \
    X(PRELU, prelu, 6)                 \
    X(RRELU, rrelu, 7)                 \
    X(THRESHOLD, threshold, 8)         \
    X(ELU, elu, 9)                    \
    X(CELU, celu, 10)                  \
    X(SELU, selu, 11)                  \
    X(XIELU, xielu, 37)                \
    X(GELU, gelu, 12)                  \
    X(GELU_TANH, gelu_tanh, 13)        \
    X(GELU_QUICK, gelu_quick, 14)      \
    X(SILU, silu, 15)                  \
    X(MISH, mish, 16)                  \
    X(SOFTPLUS, softplus, 17)          \
    X(SOFTSIGN, softsign, 18)          \
    X(SQUAREPLUS, squareplus, 19)      \
    X(LOG_SIGMOID, log_sigmoid, 20)    \
    X(HARD_SIGMOID, hard_sigmoid, 21)  \
    X(HARD_SWISH, hard_swish, 22)      \
    X(HARD_TANH, hard_tanh, 23)        \
    X(TANHSHRINK, tanhshrink, 24)      \
    X(SOFTSHRINK, softshrink, 25)      \
    X(HARDSHRINK, hardshrink, 26)      \
    X(EXPONENTIAL, exponential, 27)    \
    X(ELLIOTT, elliott, 28)            \
    X(SNAKE, snake, 29)                \
    X(SOFTMAX, softmax, 30)            \
    X(LOG_SOFTMAX, log_softmax, 31)    \
    X(SOFTMIN, softmin, 32)            \
    X(MAXOUT, maxout, 33)              \
    X(GLU, glu, 34)                    \
    X(SWIGLU, swiglu, 35)              \
    X(GEGLU, geglu, 36)

#endif
