#ifndef ACTLAB_SRC_CORE_ERROR_H
#define ACTLAB_SRC_CORE_ERROR_H

#include "actlab/status.h"

/* Records a message for al_last_error() and returns status, so a failure is one line:
 * return al__fail(AL_EINVAL, "...", ...); */
int al__fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void al__clear_error(void);

/* The first line of every public function that returns an al_status:
 *
 *     al_status act_parse(const char *text, act_spec *out)
 *     {
 *         AL_API_ENTRY;
 *
 * The outermost public call of a thread clears the last error message, so after a successful
 * call al_last_error() is "" rather than an older failure's text. Calls the library makes to
 * its own public functions (nn_fit -> nn_forward -> act_forward_bias), and the user callbacks
 * it runs, are nested: they never clear, so a failure stays recorded while the outer call
 * unwinds, whatever it calls on the way out. The depth is unwound by the cleanup attribute
 * when the function returns; err-rename.sh inserts the line and tests/err_names.cmake checks
 * that every public status function has it. */
int al__api_enter(void);
void al__api_leave(int *unused);
#if defined(__GNUC__) || defined(__clang__)
#define AL_API_ENTRY \
    int al__api_scope __attribute__((cleanup(al__api_leave), unused)) = al__api_enter()
#else
#define AL_API_ENTRY al__clear_error() /* no cleanup: every public call clears */
#endif

#endif
