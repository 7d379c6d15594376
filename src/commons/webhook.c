#include "commons/webhook.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crypto/hmac_sha256.h"
#include "util/hex.h"

bool blvm_webhook_ct_equal(const uint8_t *a, const uint8_t *b, size_t n) {
    /* Every byte is looked at whatever the earlier ones were, so the time
     * taken says nothing about where the first difference is. */
    volatile uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= (uint8_t)(a[i] ^ b[i]);
    return acc == 0;
}

void blvm_webhook_sign(char out[72], const char *secret, const uint8_t *body, size_t len) {
    uint8_t mac[32];
    blvm_hmac_sha256(mac, (const uint8_t *)secret, strlen(secret), body, len);
    memcpy(out, "sha256=", 7);
    blvm_hex_encode(out + 7, mac, 32);
}

blvm_webhook_sig_result blvm_webhook_verify(const char *secret, const uint8_t *body, size_t len,
                                            const char *header) {
    if (!secret || !*secret || !header || !*header) return BLVM_WEBHOOK_SIG_MISSING;
    if (strncmp(header, "sha256=", 7) != 0 || strlen(header) != 7 + 64)
        return BLVM_WEBHOOK_SIG_MALFORMED;
    uint8_t given[32];
    for (size_t i = 0; i < 32; i++) {
        int hi = blvm_hex_digit(header[7 + 2 * i]), lo = blvm_hex_digit(header[8 + 2 * i]);
        if (hi < 0 || lo < 0) return BLVM_WEBHOOK_SIG_MALFORMED;
        given[i] = (uint8_t)(hi << 4 | lo);
    }
    uint8_t mac[32];
    blvm_hmac_sha256(mac, (const uint8_t *)secret, strlen(secret), body, len);
    bool ok = blvm_webhook_ct_equal(mac, given, 32);
    return ok ? BLVM_WEBHOOK_SIG_OK : BLVM_WEBHOOK_SIG_MISMATCH;
}

const char *blvm_webhook_sig_result_str(blvm_webhook_sig_result r) {
    switch (r) {
    case BLVM_WEBHOOK_SIG_OK:
        return "ok";
    case BLVM_WEBHOOK_SIG_MISSING:
        return "missing signature";
    case BLVM_WEBHOOK_SIG_MALFORMED:
        return "malformed signature";
    case BLVM_WEBHOOK_SIG_MISMATCH:
        return "signature mismatch";
    }
    return "unknown";
}

bool blvm_webhook_delivery_id_valid(const char *id) {
    if (!id) return false;
    size_t n = strlen(id);
    if (n == 0 || n > 100) return false;
    for (const char *p = id; *p; p++)
        if (*p <= ' ' || *p > '~') return false;
    return true;
}

blvm_webhook_record_result blvm_webhook_record(blvm_db *db, const char *delivery_id,
                                               const char *event, const char *action,
                                               const char *body_sha256_hex, const char *status,
                                               int http_status, const char *job_kind,
                                               const char *job_payload, int64_t *job_id) {
    if (job_id) *job_id = 0;
    int64_t now = (int64_t)time(NULL);
    if (!blvm_db_begin(db)) return BLVM_WEBHOOK_DB_ERROR;
    /* ON CONFLICT DO NOTHING instead of catching the error: both engines
     * then report 0 changed rows for a replay and the transaction stays
     * usable (PostgreSQL aborts a transaction on any error). */
    blvm_db_param p[7] = {blvm_db_text(delivery_id), blvm_db_text(event),
                          blvm_db_text(action),      blvm_db_text(status),
                          blvm_db_int(http_status),  blvm_db_text(body_sha256_hex),
                          blvm_db_int(now)};
    int64_t changes = 0;
    if (!blvm_db_exec(db,
                      "INSERT INTO webhook_deliveries (delivery_id, event, action, status, "
                      "http_status, body_sha256, received_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                      "ON CONFLICT (delivery_id) DO NOTHING",
                      p, 7, &changes)) {
        blvm_db_rollback(db);
        return BLVM_WEBHOOK_DB_ERROR;
    }
    if (changes == 0) {
        blvm_db_rollback(db);
        return BLVM_WEBHOOK_DUPLICATE;
    }
    if (job_payload) {
        blvm_db_param j[3] = {blvm_db_text(job_kind ? job_kind : "webhook"),
                              blvm_db_text(job_payload), blvm_db_int(now)};
        int64_t id = 0;
        if (!blvm_db_insert(db,
                            "INSERT INTO jobs (kind, payload, state, attempts, created_at) "
                            "VALUES (?, ?, 'queued', 0, ?)",
                            j, 3, &id)) {
            blvm_db_rollback(db);
            return BLVM_WEBHOOK_DB_ERROR;
        }
        if (job_id) *job_id = id;
    }
    if (!blvm_db_commit(db)) {
        blvm_db_rollback(db);
        return BLVM_WEBHOOK_DB_ERROR;
    }
    return BLVM_WEBHOOK_NEW;
}

static void cut(char *dst, size_t cap, const char *src) {
    if (!src) {
        dst[0] = 0;
        return;
    }
    snprintf(dst, cap, "%s", src);
}

bool blvm_webhook_record_rejection(blvm_db *db, const char *delivery_id, const char *event,
                                   const char *remote, int http_status, const char *reason) {
    char d[101], e[101], r[101];
    cut(d, sizeof(d), delivery_id);
    cut(e, sizeof(e), event);
    cut(r, sizeof(r), remote);
    blvm_db_param p[6] = {blvm_db_text(delivery_id ? d : NULL), blvm_db_text(event ? e : NULL),
                          blvm_db_text(remote ? r : NULL),      blvm_db_int(http_status),
                          blvm_db_text(reason ? reason : ""),   blvm_db_int((int64_t)time(NULL))};
    return blvm_db_exec(db,
                        "INSERT INTO webhook_rejections (delivery_id, event, remote, http_status, "
                        "reason, at) VALUES (?, ?, ?, ?, ?, ?)",
                        p, 6, NULL);
}

bool blvm_webhook_mark(blvm_db *db, const char *delivery_id, const char *status,
                       const char *error) {
    blvm_db_param p[4] = {blvm_db_text(status), blvm_db_text(error),
                          blvm_db_int((int64_t)time(NULL)), blvm_db_text(delivery_id)};
    return blvm_db_exec(db,
                        "UPDATE webhook_deliveries SET status = ?, error = ?, processed_at = ? "
                        "WHERE delivery_id = ?",
                        p, 4, NULL);
}
