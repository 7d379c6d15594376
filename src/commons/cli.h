#ifndef BLVM_COMMONS_CLI_H
#define BLVM_COMMONS_CLI_H

/* blvm-commons command line: global options, then a subcommand.
 *
 *   blvm-commons [--config FILE] [--data-dir DIR] [--db URL] SUBCOMMAND ...
 *
 * Exit codes: 0 success, 1 the check or operation failed (a mismatch, too few
 * signatures, a failed download), 2 bad usage or bad input (malformed config,
 * key file, SHA256SUMS line). Messages go to stderr as "blvm-commons: ...".
 *
 * Subcommands get a blvm_commons_ctx with the configuration loaded; the
 * database is opened (created and migrated) on first use through
 * blvm_commons_ctx_db(), so commands that do not need it never create it.
 */

#include <stdbool.h>

#include "commons/config.h"
#include "commons/db.h"
#include "util/common.h"

#define BLVM_COMMONS_EXIT_OK 0
#define BLVM_COMMONS_EXIT_FAIL 1
#define BLVM_COMMONS_EXIT_USAGE 2

typedef struct blvm_commons_ctx {
    blvm_commons_config *cfg; /* never NULL inside a subcommand */
    const char *config_path;  /* NULL when running on defaults */
    blvm_db *db;              /* NULL until blvm_commons_ctx_db() */
} blvm_commons_ctx;

/* The context's database, opened from cfg->database_url and migrated on the
 * first call. Prints the reason and returns NULL on failure. Owned by ctx. */
BLVM_WUR blvm_db *blvm_commons_ctx_db(blvm_commons_ctx *ctx);

/* A subcommand: argv[0] is its name; returns an exit code. */
typedef int (*blvm_commons_cmd_fn)(blvm_commons_ctx *ctx, int argc, char **argv);

/* Runs the whole program (what main() calls). */
int blvm_commons_cli_main(int argc, char **argv);

/* Prints "blvm-commons: <message>\n" to stderr. */
void blvm_commons_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
