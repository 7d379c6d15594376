#ifndef BLVM_COMMONS_ORCHESTRATE_H
#define BLVM_COMMONS_ORCHESTRATE_H

/* Build orchestration: a run builds every configured component once, in
 * dependency order.
 *
 *  - A build starts only when all its dependencies succeeded; independent
 *    builds run in parallel up to cfg->parallelism.
 *  - A failed attempt is retried after retry_backoff_secs * 2^(attempt-1)
 *    up to max_retries times; after that the build fails and every build
 *    depending on it (directly or not) is skipped.
 *  - Each attempt has a deadline (build_timeout_secs, or the component's).
 *  - A component with a "command" runs it locally (sh -c, in its own process
 *    group, output to <data_dir>/logs/run-<id>/<component>-<attempt>.log);
 *    otherwise it is triggered with a repository_dispatch whose
 *    client_payload carries "component", "run_id", "attempt", "ref" and a
 *    "build_id" correlation id, and followed by polling the workflow runs
 *    (the run whose display_title is the build_id, which a workflow gets
 *    with `run-name: ${{ github.event.client_payload.build_id }}`) or by a
 *    build-complete webhook, whichever comes first.
 *  - All state is in the database (runs, builds, build_transitions with time
 *    and reason). A build is marked triggered before its dispatch is sent, so
 *    a restart never sends a second dispatch for the same attempt: it goes
 *    on following it. A local command interrupted by a restart is started
 *    again without counting the lost attempt.
 *
 * Build states: pending, triggered, running, retry_wait, succeeded, failed,
 * timed_out, skipped. Run states: pending, running, succeeded, failed.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "commons/artifacts.h"
#include "commons/cli.h"
#include "commons/config.h"
#include "commons/db.h"
#include "commons/github.h"
#include "util/common.h"

typedef enum {
    BLVM_BUILD_PENDING = 0,
    BLVM_BUILD_TRIGGERED,
    BLVM_BUILD_RUNNING,
    BLVM_BUILD_RETRY_WAIT,
    BLVM_BUILD_SUCCEEDED,
    BLVM_BUILD_FAILED,
    BLVM_BUILD_TIMED_OUT,
    BLVM_BUILD_SKIPPED,
} blvm_build_state;

const char *blvm_build_state_str(blvm_build_state s);
BLVM_WUR bool blvm_build_state_parse(const char *s, blvm_build_state *out);
bool blvm_build_state_terminal(blvm_build_state s);

/* ---- the dependency graph (pure) ---------------------------------------- */

typedef struct {
    size_t n;
    char **names;
    size_t **deps; /* deps[i]: indices component i depends on */
    size_t *ndeps;
    size_t *order; /* topological order, dependencies first */
} blvm_orch_graph;

/* Builds the graph. Fails (err names the problem) on a duplicate name, an
 * unknown or self dependency, or a cycle ("cycle: a -> b -> a"). */
BLVM_WUR bool blvm_orch_graph_init(blvm_orch_graph *g, size_t n, const char *const *names,
                                   const char *const *const *deps, const size_t *ndeps, char *err,
                                   size_t errlen);
BLVM_WUR bool blvm_orch_graph_from_config(blvm_orch_graph *g, const blvm_commons_config *cfg,
                                          char *err, size_t errlen);
void blvm_orch_graph_clear(blvm_orch_graph *g);
/* Index of name, or -1. */
int blvm_orch_graph_find(const blvm_orch_graph *g, const char *name);

/* ---- scheduling (pure) -------------------------------------------------- */

typedef struct {
    blvm_build_state state;
    int64_t next_attempt_at; /* for retry_wait */
} blvm_orch_view;

typedef enum {
    BLVM_ORCH_START = 1, /* trigger the next attempt */
    BLVM_ORCH_SKIP,      /* a dependency failed: never build */
} blvm_orch_action_kind;

typedef struct {
    size_t index;
    blvm_orch_action_kind kind;
    size_t cause; /* SKIP: the failed (or skipped) dependency */
} blvm_orch_action;

/* What to do now: SKIP every waiting build with a failed/timed-out/skipped
 * dependency (transitively), then START, in topological order, builds that
 * are pending with all dependencies succeeded or in retry_wait whose time
 * has come, while fewer than `parallel` are triggered/running. out needs
 * g->n entries; returns how many actions were written. */
size_t blvm_orch_plan(const blvm_orch_graph *g, const blvm_orch_view *views, int64_t now,
                      int parallel, blvm_orch_action *out);

/* After failed attempt number `attempt` (1-based): true and *next_at when
 * another attempt is allowed (attempt <= max_retries), with back-off
 * backoff_secs * 2^(attempt-1) (capped at one day). */
BLVM_WUR bool blvm_orch_retry_after(int attempt, int max_retries, int backoff_secs, int64_t now,
                                    int64_t *next_at);

/* 0 while any build is unfinished; 1 when all succeeded; -1 when all are
 * finished and one did not succeed. */
int blvm_orch_outcome(const blvm_orch_graph *g, const blvm_orch_view *views);

/* ---- the database-backed driver ----------------------------------------- */

typedef struct blvm_orchestrator blvm_orchestrator;

typedef struct {
    const blvm_commons_config *cfg;
    blvm_db *db;     /* used only by the thread driving the orchestrator */
    blvm_github *gh; /* NULL: dispatch components fail with a clear reason */
    bool quiet;      /* no progress lines on stderr */
} blvm_orchestrator_options;

/* Fails when the config's component graph is invalid. */
BLVM_WUR blvm_orchestrator *blvm_orchestrator_create(const blvm_orchestrator_options *opt,
                                                     char *err, size_t errlen);
/* Kills local builds still running (they are resumed by the next start). */
void blvm_orchestrator_destroy(blvm_orchestrator *o);

/* Creates a run (state pending) with one pending build per component, in
 * one transaction. delivery_id may be NULL. */
BLVM_WUR bool blvm_orchestrator_create_run(blvm_orchestrator *o, const char *trigger,
                                           const char *ref, const char *version,
                                           const char *delivery_id, int64_t *run_id, char *err,
                                           size_t errlen);

/* One pass over a run: follow active builds (process exits, workflow runs,
 * deadlines), skip and start what the plan says, finish the run when every
 * build is finished. *finished says whether the run is over. */
BLVM_WUR bool blvm_orchestrator_step(blvm_orchestrator *o, int64_t run_id, bool *finished,
                                     char *err, size_t errlen);

/* Steps until the run is finished or *stop becomes non-zero, waiting
 * poll_interval_secs between steps (less while local builds run). */
BLVM_WUR bool blvm_orchestrator_drive(blvm_orchestrator *o, int64_t run_id,
                                      volatile const int *stop, char *err, size_t errlen);

/* Collects and verifies the artifacts of every build of a finished run that
 * ran as a GitHub workflow (artifacts.h rules: each must match the digest
 * its build published), all under run_ref "run-<run_id>" (written to
 * run_ref, 32 bytes). Returns true only when every collection passed; sum
 * adds them up. */
BLVM_WUR bool blvm_orchestrator_collect_artifacts(blvm_orchestrator *o, int64_t run_id,
                                                  char run_ref[32],
                                                  blvm_commons_collect_summary *sum, char *err,
                                                  size_t errlen);

/* Number of local build processes this orchestrator is running. */
size_t blvm_orchestrator_local_builds(const blvm_orchestrator *o);

/* Ids of unfinished runs (pending or running), oldest first; caller frees. */
BLVM_WUR bool blvm_orchestrator_unfinished(blvm_db *db, int64_t **ids, size_t *n);

/* A build-complete notification (webhook) for the build whose current
 * attempt has this correlation id. Returns 1 when it changed the build, 0
 * when nothing matched (unknown id, an older attempt, or the build already
 * finished: whichever of poll and webhook comes second does nothing), -1 on
 * a database error. */
BLVM_WUR int blvm_orchestrate_build_complete(blvm_db *db, const blvm_commons_config *cfg,
                                             const char *correlation_id, const char *conclusion,
                                             const char *external_run_id, char *err, size_t errlen);

/* `blvm-commons orchestrate run|resume|status ...` */
int blvm_commons_orchestrate_main(blvm_commons_ctx *ctx, int argc, char **argv);

#endif
