/* actlab: activation functions, data sets, small networks and plots, in C11. This header
 * includes every public header; each can also be included on its own.
 *
 * Names. One prefix per module, equal to its header and its source folder, so a name says
 * where it lives:
 *   al_     library-wide pieces: status codes and the last error (status.h), the name matcher
 *           and number reader (names.h), the random generator (rng.h), the version
 *           (version.h): al_status, al_last_error, al_name_find, al_rng_seed, ...
 *   act_    activation functions (act.h, src/act/): act_parse, act_forward, act_spec, ...
 *   data_   arrays, files and data sets (data.h, table.h, src/data/): data_npy_read,
 *           data_csv_read, data_table, data_tab_fit (tab: the tabular preprocessing), ...
 *   nn_     networks, training and diagnostics (nn.h, train.h, diag.h, src/nn/): nn_model_create,
 *           nn_fit, ...
 *   plot_   figures (plot.h, src/plot/): plot_write, ...
 * Types carry the same prefix in lower case (act_spec, data_array, nn_model), enum values and
 * macros in upper case (AL_EINVAL, ACT_RELU, DATA_F32, NN_LOSS_MSE, PLOT_GRID). ACTLAB_ is
 * kept for what is about the build and the package rather than a module: ACTLAB_API,
 * ACTLAB_VERSION_*. Inside the library, pfx__name (two underscores: act__, al__, nn__, data__,
 * plot__) is internal and never exported; static names have no prefix.
 *
 * Errors. Every function that can fail returns an al_status (0 is AL_OK), never prints, exits
 * or aborts, and leaves a message for al_last_error() that names the file, line, layer,
 * option or closest valid name; a successful call leaves "" there.
 *
 * Names a user types -- activations, layers, losses, optimizers, initialisers, schedules,
 * options -- are matched by one rule (al_name_eq in names.h): case, '_' and '-' do not count,
 * and an unknown one is answered with the closest valid names ("did you mean").
 *
 * The 0.1 names this scheme replaced (tab_*, actlab_version_*, act_last_error) still work
 * for one release: see deprecated.h. */
#ifndef ACTLAB_ACTLAB_H
#define ACTLAB_ACTLAB_H

#include "status.h"
#include "names.h"
#include "version.h"
#include "rng.h"
#include "act.h"
#include "data.h"
#include "table.h"
#include "nn.h"
#include "train.h"
#include "diag.h"
#include "plot.h"

#endif
