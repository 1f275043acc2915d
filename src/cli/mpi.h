/* `mpirun -np N actlab compare|train`: the processes of one MPI job, as the commands see them.
 * MPI starts only when mpirun (or another MPI launcher) started this process; otherwise, and
 * in a build without MPI, there is one process of rank 0 and every function below is a
 * no-op, so the commands run exactly as they do without MPI.
 * The library stays MPI-free: train gets nn_fit_shard's hooks from here. */
#ifndef ACTLAB_CLI_MPI_H
#define ACTLAB_CLI_MPI_H

#include <stddef.h>

#include "actlab/train.h"

struct cmp_run;

/* From main, before the command: MPI_Init when launched by mpirun. Exit code. */
int cli_mpi_init(int *argc, char ***argv);
/* From main, after the command. */
void cli_mpi_finalize(void);

int cli_mpi_rank(void);   /* 0 without MPI */
int cli_mpi_size(void);   /* 1 without MPI */
/* processes of this job on this machine (for the threads each may use) */
int cli_mpi_local_size(void);

/* The worst exit code of every process (each passes its own), the same everywhere: a setup
 * step that fails on one process stops them all together instead of leaving them waiting. */
int cli_mpi_agree(int rc);

/* nn_fit's data-parallel hooks for this job (fixed-order sums). */
void cli_mpi_shard(nn_fit_shard *s);

/* compare: the next run to train, from a counter every process shares (dynamic assignment:
 * a process that finishes early takes the next); n or more when there is none left. Called
 * under the plan's lock. */
size_t cli_mpi_next_run(void *ctx);
/* Opens and closes that counter: collective. Exit code. */
int cli_mpi_counter_open(void);
void cli_mpi_counter_close(void);

/* compare: rank 0 receives every run the other processes trained (run->done set there);
 * on_received(ctx, i) is called on rank 0 for each, in run order. Exit code. */
int cli_mpi_gather_runs(struct cmp_run *runs, size_t n, void (*on_received)(void *ctx, size_t i),
                        void *ctx);

#endif
