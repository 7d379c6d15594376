#ifndef BLVM_COMMONS_ARTIFACTS_H
#define BLVM_COMMONS_ARTIFACTS_H

/* Build artifacts: collected from a build run, each verified against the
 * SHA-256 the build itself published, stored under
 * <data_dir>/artifacts/<run ref>/ and recorded in the artifacts table.
 *
 * Sources:
 *  - GitHub Actions: GET /repos/{repo}/actions/runs/{id}/artifacts. The
 *    published hash is the artifact's "digest" ("sha256:<hex>"); the
 *    downloaded zip must hash to it.
 *  - A local directory holding the files and either manifest.json
 *      {"artifacts": [{"name": "...", "sha256": "<hex>",
 *                      "expires_at": "2026-01-01T00:00:00Z" | unix seconds,
 *                      "component": "node"}]}
 *    or a SHA256SUMS file listing them.
 *
 * Rules: an artifact whose expires_at is in the past (or that GitHub marks
 * expired) is skipped and recorded as "expired". Every other artifact must
 * have a published hash ("missing_hash" otherwise) and match it ("mismatch"
 * otherwise; the bad copy is deleted). Any missing_hash, mismatch or failed
 * download fails the whole collection: we never compute a hash and accept
 * it. Every artifact's row (status, size, hash, expected hash, source,
 * expiry) is written either way, and one audit entry sums up the
 * collection.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "commons/cli.h"
#include "commons/config.h"
#include "commons/db.h"
#include "commons/github.h"
#include "util/common.h"

typedef struct {
    size_t verified;
    size_t expired;
    size_t failed; /* missing_hash + mismatch + failed */
} blvm_commons_collect_summary;

/* run_id: the orchestration run the artifacts belong to, 0 for none.
 * now: unix time used for expiry (0 = the clock). Returns true only when no
 * artifact failed (and at least one was found). */
BLVM_WUR bool blvm_commons_artifacts_collect_local(const blvm_commons_config *cfg, blvm_db *db,
                                                   const char *run_ref, int64_t run_id,
                                                   const char *dir, int64_t now,
                                                   blvm_commons_collect_summary *sum, char *err,
                                                   size_t errlen);

/* repo: "owner/name"; gh_run_id: the workflow run. */
BLVM_WUR bool blvm_commons_artifacts_collect_github(const blvm_commons_config *cfg, blvm_db *db,
                                                    blvm_github *gh, const char *repo,
                                                    const char *run_ref, int64_t run_id,
                                                    int64_t gh_run_id, int64_t now,
                                                    blvm_commons_collect_summary *sum, char *err,
                                                    size_t errlen);

/* Deletes local copies of artifacts collected more than retention_days ago
 * (status becomes "pruned"). */
BLVM_WUR bool blvm_commons_artifacts_prune(blvm_db *db, int retention_days, int64_t now,
                                           size_t *pruned, char *err, size_t errlen);

/* A GitHub client configured from cfg (base URL, token, timeouts,
 * retries). NULL on allocation failure. */
BLVM_WUR blvm_github *blvm_commons_github_from_config(const blvm_commons_config *cfg);

/* Parses "YYYY-MM-DDTHH:MM:SSZ" (or with a +00:00 offset / fraction) or a
 * decimal unix time. */
BLVM_WUR bool blvm_commons_parse_time(const char *s, int64_t *out);

/* `artifacts` subcommand: collect | list | prune. */
int blvm_commons_artifacts_main(blvm_commons_ctx *ctx, int argc, char **argv);

#endif
