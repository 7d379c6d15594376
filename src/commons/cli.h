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
#include "commons/keys.h"
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

/* Option parsing shared by the subcommands. Options are "--name VALUE",
 * "--name=VALUE" or, for flags, "--name"; "--" ends options. Everything else
 * is positional, in order. */
typedef struct {
    const char *name;   /* without the leading "--" */
    const char **value; /* set for options taking a value (NULL for flags) */
    bool *flag;         /* set for flags */
} blvm_commons_opt;

/* Parses argv[first..argc). Fills pos (capacity maxpos) and *npos. On an
 * unknown option, a missing value or too many positionals prints a message
 * and returns false. */
BLVM_WUR bool blvm_commons_parse_args(int argc, char **argv, int first,
                                      const blvm_commons_opt *opts, size_t nopts,
                                      const char **pos, size_t maxpos, size_t *npos);

/* Loads the keyring named by path, else the config's "release.keyring",
 * else the config's maintainers. Prints the problem and returns false. */
BLVM_WUR bool blvm_commons_load_keyring(blvm_commons_ctx *ctx, const char *path,
                                        blvm_commons_keyring *kr);

/* Checks sigpath's signatures over file against kr and threshold, printing
 * VALID / BAD / MISSING / UNKNOWN per key (unless quiet) and a summary.
 * Returns an exit code. */
int blvm_commons_check_signatures(const blvm_commons_keyring *kr, const char *file,
                                  const char *sigpath, size_t threshold, bool quiet);

/* Prints "blvm-commons: <message>\n" to stderr. */
void blvm_commons_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
