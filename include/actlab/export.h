#ifndef ACTLAB_EXPORT_H
#define ACTLAB_EXPORT_H

/* The shared library exports only what is marked ACTLAB_API (it is built with hidden
 * visibility), so internal act__/al__ symbols never become part of the ABI. */
#if defined(__GNUC__) || defined(__clang__)
#define ACTLAB_API __attribute__((visibility("default")))
#else
#define ACTLAB_API
#endif

#endif
