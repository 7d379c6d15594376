#include "commons/migrations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commons/db_impl.h"

/* {ID} becomes the engine's auto-increment primary key. Everything else is
 * the SQL both engines share. */
static const char *const migration_1 =
    "CREATE TABLE runs ("
    " id {ID},"
    " trigger TEXT NOT NULL,"           /* 'release', 'manual', 'cli' */
    " ref TEXT,"                        /* tag or commit the run builds */
    " version TEXT,"
    " state TEXT NOT NULL,"             /* pending running succeeded failed cancelled */
    " reason TEXT,"
    " delivery_id TEXT,"                /* webhook delivery that started it */
    " created_at BIGINT NOT NULL,"
    " updated_at BIGINT NOT NULL,"
    " finished_at BIGINT);"
    "CREATE TABLE builds ("
    " id {ID},"
    " run_id BIGINT NOT NULL REFERENCES runs(id),"
    " component TEXT NOT NULL,"
    " state TEXT NOT NULL,"             /* pending triggered running succeeded failed timed_out skipped */
    " attempt INTEGER NOT NULL DEFAULT 0,"
    " trigger_kind TEXT,"               /* 'dispatch' or 'command' */
    " correlation_id TEXT,"             /* sent in the dispatch payload */
    " external_id TEXT,"                /* workflow run id or process id */
    " external_url TEXT,"
    " conclusion TEXT,"
    " reason TEXT,"
    " next_attempt_at BIGINT,"
    " deadline_at BIGINT,"
    " started_at BIGINT,"
    " finished_at BIGINT,"
    " updated_at BIGINT NOT NULL,"
    " UNIQUE (run_id, component));"
    "CREATE INDEX builds_state ON builds(state);"
    "CREATE TABLE build_transitions ("
    " id {ID},"
    " build_id BIGINT NOT NULL REFERENCES builds(id),"
    " run_id BIGINT NOT NULL REFERENCES runs(id),"
    " from_state TEXT,"
    " to_state TEXT NOT NULL,"
    " reason TEXT,"
    " at BIGINT NOT NULL);"
    "CREATE INDEX build_transitions_build ON build_transitions(build_id);"
    "CREATE TABLE artifacts ("
    " id {ID},"
    " run_ref TEXT NOT NULL,"           /* 'github:<run id>', 'local:<dir>' or 'run:<id>' */
    " run_id BIGINT REFERENCES runs(id),"
    " component TEXT,"
    " name TEXT NOT NULL,"
    " size BIGINT,"
    " sha256 TEXT,"                     /* hash of what was downloaded */
    " expected_sha256 TEXT,"            /* hash the build published */
    " source TEXT NOT NULL,"            /* 'github' or 'local' */
    " source_url TEXT,"
    " external_id TEXT,"
    " local_path TEXT,"
    " status TEXT NOT NULL,"            /* verified expired mismatch missing_hash failed pruned */
    " error TEXT,"
    " expires_at BIGINT,"
    " collected_at BIGINT NOT NULL,"
    " pruned_at BIGINT,"
    " UNIQUE (run_ref, name));"
    "CREATE TABLE releases ("
    " id {ID},"
    " version TEXT NOT NULL UNIQUE,"
    " state TEXT NOT NULL,"             /* assembled published failed */
    " target TEXT NOT NULL,"            /* 'local' or 'github' */
    " location TEXT,"                   /* directory or release URL */
    " prerelease INTEGER NOT NULL DEFAULT 0,"
    " signatures INTEGER NOT NULL DEFAULT 0,"
    " notes TEXT,"
    " created_at BIGINT NOT NULL,"
    " published_at BIGINT);"
    "CREATE TABLE release_assets ("
    " id {ID},"
    " release_id BIGINT NOT NULL REFERENCES releases(id),"
    " name TEXT NOT NULL,"
    " size BIGINT NOT NULL,"
    " sha256 TEXT NOT NULL,"
    " UNIQUE (release_id, name));"
    "CREATE TABLE pull_requests ("
    " id {ID},"
    " repo TEXT NOT NULL,"              /* owner/name */
    " number BIGINT NOT NULL,"
    " title TEXT,"
    " author TEXT,"
    " state TEXT NOT NULL,"             /* open closed merged */
    " head_sha TEXT NOT NULL,"
    " base_ref TEXT,"
    " tier INTEGER,"
    " layer INTEGER,"
    " required_signatures INTEGER,"
    " review_days INTEGER,"
    " opened_at BIGINT,"
    " head_updated_at BIGINT,"
    " updated_at BIGINT NOT NULL,"
    " UNIQUE (repo, number));"
    "CREATE TABLE pr_paths ("
    " pr_id BIGINT NOT NULL REFERENCES pull_requests(id),"
    " head_sha TEXT NOT NULL,"
    " path TEXT NOT NULL,"
    " PRIMARY KEY (pr_id, head_sha, path));"
    "CREATE TABLE signatures ("
    " id {ID},"
    " pr_id BIGINT NOT NULL REFERENCES pull_requests(id),"
    " head_sha TEXT NOT NULL,"          /* the commit the signature binds */
    " key_id TEXT NOT NULL,"
    " maintainer TEXT,"
    " signature TEXT NOT NULL,"
    " valid INTEGER NOT NULL,"
    " reason TEXT,"                     /* why it is invalid */
    " comment_id TEXT,"
    " github_login TEXT,"
    " created_at BIGINT NOT NULL,"
    " UNIQUE (pr_id, head_sha, key_id));"
    "CREATE TABLE reviews ("
    " id {ID},"
    " pr_id BIGINT NOT NULL REFERENCES pull_requests(id),"
    " reviewer TEXT,"
    " state TEXT,"
    " head_sha TEXT,"
    " review_id TEXT,"
    " submitted_at BIGINT);"
    "CREATE TABLE webhook_deliveries ("
    " id {ID},"
    " delivery_id TEXT NOT NULL UNIQUE,"
    " event TEXT NOT NULL,"
    " action TEXT,"
    " status TEXT NOT NULL,"            /* received processed ignored error */
    " http_status INTEGER,"
    " body_sha256 TEXT,"
    " error TEXT,"
    " received_at BIGINT NOT NULL,"
    " processed_at BIGINT);"
    "CREATE TABLE webhook_rejections ("
    " id {ID},"
    " delivery_id TEXT,"
    " event TEXT,"
    " remote TEXT,"
    " http_status INTEGER NOT NULL,"
    " reason TEXT NOT NULL,"
    " at BIGINT NOT NULL);"
    "CREATE TABLE decisions ("
    " id {ID},"
    " pr_id BIGINT REFERENCES pull_requests(id),"
    " repo TEXT NOT NULL,"
    " number BIGINT NOT NULL,"
    " head_sha TEXT NOT NULL,"
    " tier INTEGER,"
    " layer INTEGER,"
    " required_signatures INTEGER NOT NULL,"
    " total_keys INTEGER NOT NULL,"
    " valid_signatures INTEGER NOT NULL,"
    " review_ends_at BIGINT,"
    " state TEXT NOT NULL,"             /* pending success failure */
    " reason TEXT NOT NULL,"
    " mode TEXT NOT NULL,"              /* dry-run enforcing */
    " created_at BIGINT NOT NULL);"
    "CREATE TABLE statuses ("
    " id {ID},"
    " decision_id BIGINT REFERENCES decisions(id),"
    " repo TEXT NOT NULL,"
    " sha TEXT NOT NULL,"
    " context TEXT NOT NULL,"
    " state TEXT NOT NULL,"
    " description TEXT,"
    " target_url TEXT,"
    " http_status INTEGER,"
    " error TEXT,"
    " posted_at BIGINT NOT NULL);"
    "CREATE TABLE audit_log ("
    " id {ID},"
    " seq BIGINT NOT NULL UNIQUE,"
    " at BIGINT NOT NULL,"
    " actor TEXT NOT NULL,"
    " action TEXT NOT NULL,"
    " subject TEXT NOT NULL,"
    " details TEXT NOT NULL,"
    " prev_hash TEXT NOT NULL,"
    " hash TEXT NOT NULL);"
    "CREATE TABLE maintainers ("
    " id {ID},"
    " name TEXT NOT NULL,"
    " github_login TEXT,"
    " key_id TEXT NOT NULL UNIQUE,"
    " active INTEGER NOT NULL DEFAULT 1,"
    " added_at BIGINT NOT NULL);"
    "CREATE TABLE jobs ("
    " id {ID},"
    " kind TEXT NOT NULL,"
    " payload TEXT,"
    " state TEXT NOT NULL,"             /* queued running done failed */
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " error TEXT,"
    " created_at BIGINT NOT NULL,"
    " started_at BIGINT,"
    " finished_at BIGINT);"
    "CREATE INDEX jobs_state ON jobs(state);";

static const char *const migrations[] = {migration_1};

static char *expand(const char *sql, blvm_db_engine engine) {
    const char *id = engine == BLVM_DB_POSTGRES ? "BIGSERIAL PRIMARY KEY"
                                                : "INTEGER PRIMARY KEY AUTOINCREMENT";
    size_t idl = strlen(id), n = 0;
    for (const char *p = sql; (p = strstr(p, "{ID}")); p += 4) n++;
    char *out = malloc(strlen(sql) + n * idl + 1);
    if (!out) return NULL;
    char *o = out;
    for (const char *p = sql; *p;) {
        if (strncmp(p, "{ID}", 4) == 0) {
            memcpy(o, id, idl);
            o += idl;
            p += 4;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}

bool blvm_commons_schema_version(blvm_db *db, int *version) {
    *version = 0;
    if (!blvm_db_exec_script(db, "CREATE TABLE IF NOT EXISTS schema_version ("
                                 " version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)"))
        return false;
    int64_t v = 0;
    bool found;
    if (!blvm_db_query_int(db, "SELECT MAX(version) FROM schema_version", NULL, 0, &v, &found))
        return false;
    *version = found ? (int)v : 0;
    return true;
}

bool blvm_commons_migrate(blvm_db *db) {
    int have;
    if (!blvm_commons_schema_version(db, &have)) return false;
    const int want = (int)BLVM_ARRAY_LEN(migrations);
    if (have > want) {
        blvm_db_set_err(db, "database schema version %d is newer than this program's %d", have, want);
        return false;
    }
    while (have < want) {
        if (!blvm_db_begin(db)) return false;
        if (blvm_db_engine_of(db) == BLVM_DB_POSTGRES &&
            !blvm_db_exec(db, "SELECT pg_advisory_xact_lock(4242001)", NULL, 0, NULL)) {
            blvm_db_rollback(db);
            return false;
        }
        /* Another process may have migrated while we waited for the lock. */
        int now;
        if (!blvm_commons_schema_version(db, &now)) {
            blvm_db_rollback(db);
            return false;
        }
        if (now > have) {
            blvm_db_rollback(db);
            have = now;
            continue;
        }
        char *sql = expand(migrations[have], blvm_db_engine_of(db));
        if (!sql) {
            blvm_db_rollback(db);
            blvm_db_set_err(db, "out of memory");
            return false;
        }
        bool ok = blvm_db_exec_script(db, sql);
        free(sql);
        blvm_db_param p[2] = {blvm_db_int(have + 1), blvm_db_int((int64_t)time(NULL))};
        if (ok) ok = blvm_db_exec(db, "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                                  p, 2, NULL);
        if (!ok) {
            char msg[sizeof(db->err)];
            snprintf(msg, sizeof(msg), "%s", db->err);
            blvm_db_rollback(db);
            blvm_db_set_err(db, "migration %d failed: %s", have + 1, msg);
            return false;
        }
        if (!blvm_db_commit(db)) return false;
        have++;
    }
    return true;
}
