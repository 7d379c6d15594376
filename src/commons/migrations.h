#ifndef BLVM_COMMONS_MIGRATIONS_H
#define BLVM_COMMONS_MIGRATIONS_H

/* Versioned schema of the commons database, the same for SQLite and
 * PostgreSQL. Each migration runs once, in its own transaction, and records
 * its number in schema_version; opening an up-to-date database does nothing.
 * The tables (all times BIGINT unix seconds, hashes lowercase hex):
 *
 *  runs               orchestration runs (state, trigger, version/ref)
 *  builds             one per (run, component): state, attempt, external id
 *  build_transitions  every state change of a build, with time and reason
 *  artifacts          collected artifacts: name, size, sha256, expected
 *                     sha256, source, expiry, local path, status
 *  releases, release_assets
 *  pull_requests      (repo, number) unique: head sha, title, tier, layer
 *  pr_paths           changed paths of a PR at its head sha
 *  signatures         governance signatures over (repo, PR, head sha)
 *  reviews            pull_request_review events
 *  webhook_deliveries delivery_id UNIQUE: replays are ignored
 *  webhook_rejections deliveries refused before acceptance (401, 413, 400)
 *  decisions          every threshold decision (dry-run or enforcing)
 *  statuses           commit statuses posted (or attempted) to GitHub
 *  audit_log          hash chain (see audit.h)
 *  maintainers        maintainers' keys (mirrored from the config)
 *  jobs               work queued by the service (e.g. start a run)
 */

#include <stdbool.h>

#include "commons/db.h"
#include "util/common.h"

/* The schema version this build creates. */
#define BLVM_COMMONS_SCHEMA_VERSION 1

/* Brings db up to BLVM_COMMONS_SCHEMA_VERSION. Safe to call from several
 * processes at once (serialized by the engine's write lock / an advisory
 * lock). Fails, naming the migration, on any SQL error, and refuses a
 * database newer than this build. */
BLVM_WUR bool blvm_commons_migrate(blvm_db *db);

/* Current version recorded in the database (0 when none). */
BLVM_WUR bool blvm_commons_schema_version(blvm_db *db, int *version);

#endif
