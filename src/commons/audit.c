#include "commons/audit.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/sha256.h"
#include "util/hex.h"

/* Each field is written as "<decimal length>:<bytes>" so no choice of field
 * contents can make two different entries serialize the same. */
static void put_field(blvm_sha256_ctx *ctx, const char *s) {
    char len[32];
    int n = snprintf(len, sizeof(len), "%zu:", strlen(s));
    blvm_sha256_write(ctx, (const uint8_t *)len, (size_t)n);
    blvm_sha256_write(ctx, (const uint8_t *)s, strlen(s));
}

void blvm_commons_audit_hash(char out[65], int64_t seq, int64_t at, const char *actor,
                             const char *action, const char *subject, const char *details,
                             const char *prev_hash) {
    blvm_sha256_ctx ctx;
    blvm_sha256_init(&ctx);
    char num[32];
    put_field(&ctx, "blvm-commons-audit-v1");
    snprintf(num, sizeof(num), "%" PRId64, seq);
    put_field(&ctx, num);
    snprintf(num, sizeof(num), "%" PRId64, at);
    put_field(&ctx, num);
    put_field(&ctx, actor);
    put_field(&ctx, action);
    put_field(&ctx, subject);
    put_field(&ctx, details);
    put_field(&ctx, prev_hash);
    uint8_t h[32];
    blvm_sha256_finalize(&ctx, h);
    blvm_hex_encode(out, h, 32);
}

static bool append_once(blvm_db *db, int64_t at, const char *actor, const char *action,
                        const char *subject, const char *details, int64_t *seq_out,
                        char *hash_out) {
    blvm_db_result res;
    if (!blvm_db_query(db, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", NULL, 0, &res))
        return false;
    int64_t seq = 0;
    char prev[65] = BLVM_AUDIT_GENESIS;
    if (res.nrows) {
        const char *h = blvm_db_result_get(&res, 0, 1);
        if (!blvm_db_result_get_int(&res, 0, 0, &seq) || !h || strlen(h) != 64) {
            blvm_db_result_clear(&res);
            return false;
        }
        memcpy(prev, h, 65);
    }
    blvm_db_result_clear(&res);
    seq++;
    char hash[65];
    blvm_commons_audit_hash(hash, seq, at, actor, action, subject, details, prev);
    blvm_db_param p[8] = {blvm_db_int(seq),        blvm_db_int(at),          blvm_db_text(actor),
                          blvm_db_text(action),    blvm_db_text(subject),    blvm_db_text(details),
                          blvm_db_text(prev),      blvm_db_text(hash)};
    if (!blvm_db_exec(db,
                      "INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      p, 8, NULL))
        return false;
    if (seq_out) *seq_out = seq;
    if (hash_out) memcpy(hash_out, hash, 65);
    return true;
}

bool blvm_commons_audit_append(blvm_db *db, int64_t at, const char *actor, const char *action,
                               const char *subject, const char *details, int64_t *seq_out,
                               char *hash_out) {
    if (at == 0) at = (int64_t)time(NULL);
    if (!actor) actor = "";
    if (!subject) subject = "";
    if (!details) details = "";
    if (blvm_db_in_transaction(db))
        return append_once(db, at, actor, action, subject, details, seq_out, hash_out);
    /* Two writers may read the same head; the UNIQUE seq makes the loser
     * fail, and it tries again on the new head. */
    for (int attempt = 0; attempt < 20; attempt++) {
        if (!blvm_db_begin(db)) return false;
        if (append_once(db, at, actor, action, subject, details, seq_out, hash_out)) {
            if (blvm_db_commit(db)) return true;
        } else {
            blvm_db_rollback(db);
        }
        if (!blvm_db_last_was_unique_violation(db)) return false;
    }
    return false;
}

bool blvm_commons_audit_verify(blvm_db *db, int64_t expect_seq, const char *expect_hash,
                               blvm_commons_audit_report *r) {
    memset(r, 0, sizeof(*r));
    memcpy(r->head_hash, BLVM_AUDIT_GENESIS, 65);
    blvm_db_result res;
    if (!blvm_db_query(db,
                       "SELECT seq, at, actor, action, subject, details, prev_hash, hash "
                       "FROM audit_log ORDER BY seq",
                       NULL, 0, &res))
        return false;
    char prev[65] = BLVM_AUDIT_GENESIS;
    bool expect_seen = false;
    for (size_t i = 0; i < res.nrows; i++) {
        int64_t seq = 0, at = 0;
        const char *actor = blvm_db_result_get(&res, i, 2);
        const char *action = blvm_db_result_get(&res, i, 3);
        const char *subject = blvm_db_result_get(&res, i, 4);
        const char *details = blvm_db_result_get(&res, i, 5);
        const char *stored_prev = blvm_db_result_get(&res, i, 6);
        const char *stored = blvm_db_result_get(&res, i, 7);
        if (!blvm_db_result_get_int(&res, i, 0, &seq) || !blvm_db_result_get_int(&res, i, 1, &at) ||
            !actor || !action || !subject || !details || !stored_prev || !stored) {
            snprintf(r->problem, sizeof(r->problem), "entry %zu has an unreadable field", i + 1);
            r->bad_seq = (int64_t)i + 1;
            break;
        }
        r->entries++;
        if (seq != (int64_t)i + 1) {
            snprintf(r->problem, sizeof(r->problem),
                     "entry %" PRId64 " found where %zu was expected: entries deleted or renumbered",
                     seq, i + 1);
            r->bad_seq = (int64_t)i + 1;
            break;
        }
        if (strcmp(stored_prev, prev) != 0) {
            snprintf(r->problem, sizeof(r->problem),
                     "entry %" PRId64 " does not link to the entry before it (an entry was deleted or altered)",
                     seq);
            r->bad_seq = seq;
            break;
        }
        char h[65];
        blvm_commons_audit_hash(h, seq, at, actor, action, subject, details, prev);
        if (strcmp(h, stored) != 0) {
            snprintf(r->problem, sizeof(r->problem),
                     "entry %" PRId64 " was altered: its contents do not match its hash", seq);
            r->bad_seq = seq;
            break;
        }
        if (seq == expect_seq) {
            expect_seen = true;
            if (!expect_hash || strcasecmp(expect_hash, h) != 0) {
                snprintf(r->problem, sizeof(r->problem),
                         "entry %" PRId64 " has hash %s, not the recorded head %.64s", seq, h,
                         expect_hash ? expect_hash : "");
                r->bad_seq = seq;
                break;
            }
        }
        memcpy(prev, h, 65);
        r->head_seq = seq;
        memcpy(r->head_hash, h, 65);
    }
    blvm_db_result_clear(&res);
    if (!r->problem[0] && expect_seq > 0 && !expect_seen) {
        snprintf(r->problem, sizeof(r->problem),
                 "the log ends at entry %" PRId64 " but entry %" PRId64
                 " was recorded earlier: newest entries were deleted",
                 r->head_seq, expect_seq);
        r->bad_seq = r->head_seq + 1;
    }
    return true;
}
