#ifndef BLVM_COMMONS_AUDIT_H
#define BLVM_COMMONS_AUDIT_H

/* Append-only audit log in the audit_log table, kept as a hash chain: entry
 * n stores hash_n = SHA256(serialization of (seq, at, actor, action, subject,
 * details, hash_{n-1})), with hash_0 = 64 zeros. Changing any field of any
 * entry, or deleting or reordering entries, breaks the chain at that point;
 * deleting the newest entries is caught by comparing with a head recorded
 * earlier (blvm_commons_audit_verify's expect_* arguments, printed by
 * `audit verify`). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "commons/db.h"
#include "util/common.h"

#define BLVM_AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* Computes an entry's hash (64 hex digits + NUL into out). */
void blvm_commons_audit_hash(char out[65], int64_t seq, int64_t at, const char *actor,
                             const char *action, const char *subject, const char *details,
                             const char *prev_hash);

/* Appends one entry (details: JSON text or "" ). If a transaction is open
 * on db the entry joins it (so a decision and its audit entry commit
 * together); otherwise it runs in its own transaction and retries when
 * another writer took the same sequence number. at = 0 means now.
 * seq_out/hash_out (65 bytes) may be NULL. */
BLVM_WUR bool blvm_commons_audit_append(blvm_db *db, int64_t at, const char *actor,
                                        const char *action, const char *subject,
                                        const char *details, int64_t *seq_out, char *hash_out);

typedef struct {
    int64_t entries;    /* entries checked */
    int64_t head_seq;   /* last entry's seq (0 when empty) */
    char head_hash[65]; /* last entry's hash (genesis when empty) */
    int64_t bad_seq;    /* first entry found broken, 0 when none */
    char problem[256];  /* what is wrong, "" when the chain is intact */
} blvm_commons_audit_report;

/* Walks the whole chain. Returns false on a database error (message in
 * blvm_db_errmsg); otherwise true, with report->problem empty only when the
 * chain is intact. When expect_seq > 0 the chain must contain entry
 * expect_seq with hash expect_hash (a head recorded earlier). */
BLVM_WUR bool blvm_commons_audit_verify(blvm_db *db, int64_t expect_seq, const char *expect_hash,
                                        blvm_commons_audit_report *report);

#endif
