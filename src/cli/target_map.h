/* --log-target: the model learns (log y - mean) / std, and everything it outputs goes back
 * to target units through exp(v * std + mean). train saves the map with the weights
 * ("actlab_target"), so predict and evaluate undo it the same way. */
#ifndef ACTLAB_CLI_TARGET_MAP_H
#define ACTLAB_CLI_TARGET_MAP_H

#include <stddef.h>

#include "actlab/data.h"

#define CLI_TARGET_META "actlab_target"

struct cli_target_map {
    int log;            /* 0: targets are used as they are */
    double mean, std;
};

/* fits mean and std on s's targets after the log; al_status naming what and the sample of a
 * target <= 0 */
int cli_target_map_fit(struct cli_target_map *t, const data_set *s, const char *what);
/* y := (log y - mean) / std in place; al_status as above */
int cli_target_map_apply(const struct cli_target_map *t, data_set *s, const char *what);
/* back to target units, for nn_fit_config.to_target (map: a struct cli_target_map) */
void cli_target_to_units(const void *map, float *v, size_t n);

/* "log_standard mean=... std=..." (%.17g: reads back to the same doubles), and its reader
 * (AL_EFORMAT naming the file) */
void cli_target_map_format(const struct cli_target_map *t, char *buf, size_t size);
int cli_target_map_parse(const char *file, const char *text, struct cli_target_map *t);

#endif
