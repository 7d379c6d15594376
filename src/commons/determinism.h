#ifndef BLVM_COMMONS_DETERMINISM_H
#define BLVM_COMMONS_DETERMINISM_H

/* Reproducible-build check: run the same build command twice, each time in
 * a fresh empty directory with a different path (optionally holding a copy
 * of a source tree), hash every file it left in the output directory, and
 * compare. A build that embeds its path, the time or randomness shows up as
 * differing files. */

#include <stdbool.h>
#include <stddef.h>

#include "commons/cli.h"
#include "commons/sums.h"
#include "util/common.h"

typedef struct {
    const char *cmd;      /* run with /bin/sh -c in the clean directory */
    const char *out_dir;  /* relative to the clean directory */
    const char *src_dir;  /* copied (cp -a) into each clean directory; may be NULL */
    int timeout_secs;     /* 0 = no limit */
} blvm_commons_determinism_opts;

typedef struct {
    blvm_commons_sums runs[2]; /* hashes of each run's output */
    size_t differing;          /* files present in both runs with different hashes */
    size_t only_one;           /* files present in only one run */
} blvm_commons_determinism_result;

/* Runs the check. Returns false when a build could not run or failed (err
 * says which run and why); otherwise true with the comparison in res. */
BLVM_WUR bool blvm_commons_determinism_run(const blvm_commons_determinism_opts *opts,
                                           blvm_commons_determinism_result *res, char *err,
                                           size_t errlen);
void blvm_commons_determinism_result_clear(blvm_commons_determinism_result *res);

/* Runs `sh -c cmd` in cwd with a time limit (0 = none). Returns the exit
 * status (0-255), or -1 when it could not start, was killed or timed out
 * (err says which). */
int blvm_commons_run_command(const char *cmd, const char *cwd, int timeout_secs, char *err,
                             size_t errlen);

/* `deterministic-check` subcommand. */
int blvm_commons_determinism_main(blvm_commons_ctx *ctx, int argc, char **argv);

#endif
