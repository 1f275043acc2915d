/* The MPI side of `mpirun -np N actlab compare|train` (src/cli/mpi.h). Only this file calls
 * MPI; without ACTLAB_HAVE_MPI it is the one-process stand-in.
 *
 * Sums are made in a fixed order, whatever algorithm the MPI library picks for its own
 * collectives (Open MPI's choice depends on message size and process count, and its
 * reductions may add in any order): the buffer is cut into one chunk per process, an
 * all-to-all gives each process its chunk from everyone, the process adds them in rank
 * order 0, 1, ..., N-1, and an all-gather hands the sums back. That moves the same bytes as
 * a ring allreduce, 2 (N-1)/N of the buffer per process, and two runs with the same N give
 * the same bits. Errors in MPI calls keep Open MPI's default handler (the job aborts with
 * its message); a process that dies makes mpirun end the job and name it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compare_run.h"
#include "mpi.h"

#ifdef ACTLAB_HAVE_MPI
#include <limits.h>
#include <unistd.h>

#include <mpi.h>

static struct {
    int on, rank, size, local;
    MPI_Win counter;
    long *counter_base;
    int counter_open;
    float *fbuf;     /* sum_floats: 2 * size * chunk */
    size_t fcap;
    double *dbuf;    /* sum_doubles: size * n */
    size_t dcap;
} job = {.size = 1, .local = 1};

/* Started by mpirun, srun or hydra: they all set one of these. */
static int launched(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE",
                                       "PMI_RANK"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
        if (getenv(vars[i]))
            return 1;
    return 0;
}

int cli_mpi_init(int *argc, char ***argv)
{
    if (!launched())
        return CLI_OK;
    int provided = 0;
    /* compare's worker threads take runs under one lock: never two MPI calls at once */
    if (MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
        return cli_fail("actlab", "MPI_Init failed");
    job.on = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &job.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &job.size);
    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
    MPI_Comm_size(node, &job.local);
    MPI_Comm_free(&node);
    if (provided < MPI_THREAD_SERIALIZED) {
        fprintf(stderr, "actlab: this MPI library gives no MPI_THREAD_SERIALIZED support\n");
        MPI_Abort(MPI_COMM_WORLD, CLI_FAIL);
    }
    return CLI_OK;
}

void cli_mpi_finalize(void)
{
    if (!job.on)
        return;
    free(job.fbuf), free(job.dbuf);
    MPI_Finalize();
    job.on = 0;
}

int cli_mpi_rank(void)
{
    return job.rank;
}

int cli_mpi_size(void)
{
    return job.size;
}

int cli_mpi_local_size(void)
{
    return job.local > 0 ? job.local : 1;
}

int cli_mpi_agree(int rc)
{
    if (!job.on)
        return rc;
    int worst = rc;
    MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return worst;
}

static int grow(void **buf, size_t *cap, size_t n, size_t size)
{
    if (n <= *cap)
        return AL_OK;
    if (n > SIZE_MAX / size)
        return al_set_error(AL_ENOMEM, "MPI: %zu values overflow the size type", n);
    void *p = realloc(*buf, n * size);
    if (!p)
        return al_set_error(AL_ENOMEM, "MPI: no memory for %zu values", n);
    *buf = p, *cap = n;
    return AL_OK;
}

/* the fixed-order sum (see the top of the file); *stop travels as one more value */
static int sum_floats(void *ctx, float *v, size_t n, int *stop)
{
    (void)ctx;
    size_t p = (size_t)job.size, chunk = (n + 1 + p - 1) / p;
    if (chunk > INT_MAX || chunk > SIZE_MAX / 2 / p)
        return al_set_error(AL_EINVAL, "MPI: %zu values are too many for one exchange", n);
    void *buf = job.fbuf;
    int rc = grow(&buf, &job.fcap, 2 * p * chunk, sizeof(float));
    job.fbuf = buf;
    if (rc)
        return rc;
    float *send = job.fbuf, *recv = job.fbuf + p * chunk;
    memcpy(send, v, n * sizeof *v);
    send[n] = *stop ? 1.0f : 0.0f;
    memset(send + n + 1, 0, (p * chunk - n - 1) * sizeof *send);
    MPI_Alltoall(send, (int)chunk, MPI_FLOAT, recv, (int)chunk, MPI_FLOAT, MPI_COMM_WORLD);
    for (size_t j = 0; j < chunk; j++) {
        float s = recv[j];
        for (size_t r = 1; r < p; r++)
            s += recv[r * chunk + j];
        send[j] = s;
    }
    MPI_Allgather(send, (int)chunk, MPI_FLOAT, recv, (int)chunk, MPI_FLOAT, MPI_COMM_WORLD);
    memcpy(v, recv, n * sizeof *v);
    *stop = recv[n] > 0.0f;
    return AL_OK;
}

/* few values (an epoch's sums): everyone gets everything and adds in rank order */
static int sum_doubles(void *ctx, double *v, size_t n)
{
    (void)ctx;
    size_t p = (size_t)job.size;
    if (n > INT_MAX)
        return al_set_error(AL_EINVAL, "MPI: %zu values are too many for one exchange", n);
    void *buf = job.dbuf;
    int rc = grow(&buf, &job.dcap, p * n, sizeof(double));
    job.dbuf = buf;
    if (rc)
        return rc;
    MPI_Allgather(v, (int)n, MPI_DOUBLE, job.dbuf, (int)n, MPI_DOUBLE, MPI_COMM_WORLD);
    for (size_t j = 0; j < n; j++) {
        double s = job.dbuf[j];
        for (size_t r = 1; r < p; r++)
            s += job.dbuf[r * n + j];
        v[j] = s;
    }
    return AL_OK;
}

void cli_mpi_shard(nn_fit_shard *s)
{
    *s = (nn_fit_shard){.rank = job.rank, .ranks = job.size, .sum_floats = sum_floats,
                        .sum_doubles = sum_doubles};
}

int cli_mpi_counter_open(void)
{
    if (!job.on)
        return CLI_OK;
    MPI_Aint size = job.rank == 0 ? (MPI_Aint)sizeof(long) : 0;
    MPI_Win_allocate(size, sizeof(long), MPI_INFO_NULL, MPI_COMM_WORLD, &job.counter_base,
                     &job.counter);
    if (job.rank == 0) {
        MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, job.counter);
        *job.counter_base = 0;
        MPI_Win_unlock(0, job.counter);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_Win_lock_all(0, job.counter);
    job.counter_open = 1;
    return CLI_OK;
}

void cli_mpi_counter_close(void)
{
    if (!job.counter_open)
        return;
    MPI_Win_unlock_all(job.counter);
    MPI_Win_free(&job.counter);
    job.counter_open = 0;
}

size_t cli_mpi_next_run(void *ctx)
{
    (void)ctx;
    long one = 1, got = 0;
    MPI_Fetch_and_op(&one, &got, MPI_LONG, 0, 0, MPI_SUM, job.counter);
    MPI_Win_flush(0, job.counter);
    return got < 0 ? SIZE_MAX : (size_t)got;
}

/* what rank 0 needs of a run, apart from its history (same binary everywhere: raw bytes) */
struct run_head {
    int failed;
    long n;
    double seconds;
    nn_fit_report report;
    char why[sizeof ((struct cmp_run *)0)->why];
};

int cli_mpi_gather_runs(struct cmp_run *runs, size_t n, void (*on_received)(void *ctx, size_t i),
                        void *ctx)
{
    if (!job.on || job.size == 1)
        return CLI_OK;
    if (n > INT_MAX / 2)
        return cli_fail("compare", "MPI: too many runs (%zu)", n);
    int *owner = malloc((n ? n : 1) * sizeof *owner), bad = !owner;
    if (cli_mpi_agree(bad)) {
        free(owner);
        return cli_fail("compare", "out of memory gathering the runs");
    }
    for (size_t i = 0; i < n; i++)
        owner[i] = runs[i].done ? job.rank : -1;
    MPI_Allreduce(MPI_IN_PLACE, owner, (int)n, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    for (size_t i = 0; i < n; i++) {
        struct cmp_run *r = &runs[i];
        struct run_head h;
        int tag = (int)(2 * i);
        if (owner[i] <= 0 || (job.rank != 0 && owner[i] != job.rank))
            continue;
        if (job.rank != 0) {
            h = (struct run_head){.failed = r->failed, .n = r->n, .seconds = r->seconds,
                                  .report = r->report};
            memcpy(h.why, r->why, sizeof h.why);
            MPI_Send(&h, (int)sizeof h, MPI_BYTE, 0, tag, MPI_COMM_WORLD);
            if (r->n)
                MPI_Send(r->hist, (int)((size_t)r->n * sizeof *r->hist), MPI_BYTE, 0, tag + 1,
                         MPI_COMM_WORLD);
            continue;
        }
        MPI_Recv(&h, (int)sizeof h, MPI_BYTE, owner[i], tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        r->failed = h.failed, r->n = h.n, r->seconds = h.seconds, r->report = h.report;
        memcpy(r->why, h.why, sizeof r->why);
        r->hist = h.n > 0 ? malloc((size_t)h.n * sizeof *r->hist) : NULL;
        if (h.n > 0 && !r->hist) { /* the sender would wait for ever: end the job */
            fprintf(stderr, "actlab compare: out of memory for the history of run %zu\n", i);
            MPI_Abort(MPI_COMM_WORLD, CLI_FAIL);
        }
        if (h.n > 0) {
            MPI_Recv(r->hist, (int)((size_t)h.n * sizeof *r->hist), MPI_BYTE, owner[i], tag + 1,
                     MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        }
        r->done = 1;
        if (on_received)
            on_received(ctx, i);
    }
    free(owner);
    return CLI_OK;
}

#else /* one process */

int cli_mpi_init(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return CLI_OK;
}

void cli_mpi_finalize(void) {}

int cli_mpi_rank(void)
{
    return 0;
}

int cli_mpi_size(void)
{
    return 1;
}

int cli_mpi_local_size(void)
{
    return 1;
}

int cli_mpi_agree(int rc)
{
    return rc;
}

void cli_mpi_shard(nn_fit_shard *s)
{
    *s = (nn_fit_shard){.rank = 0, .ranks = 1};
}

int cli_mpi_counter_open(void)
{
    return CLI_OK;
}

void cli_mpi_counter_close(void) {}

size_t cli_mpi_next_run(void *ctx)
{
    (void)ctx;
    return SIZE_MAX;
}

int cli_mpi_gather_runs(struct cmp_run *runs, size_t n, void (*on_received)(void *ctx, size_t i),
                        void *ctx)
{
    (void)runs, (void)n, (void)on_received, (void)ctx;
    return CLI_OK;
}
#endif
