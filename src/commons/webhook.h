#ifndef BLVM_COMMONS_WEBHOOK_H
#define BLVM_COMMONS_WEBHOOK_H

/* Authentication and de-duplication of GitHub webhook deliveries.
 *
 * GitHub signs each delivery's raw body with HMAC-SHA256 under the shared
 * secret and sends "X-Hub-Signature-256: sha256=<64 hex>". The check hashes
 * the exact bytes received (never a re-encoded JSON) and compares in
 * constant time. Each delivery carries a unique X-GitHub-Delivery id; it is
 * stored with a UNIQUE constraint, so a replayed (or re-sent) delivery is
 * recognised and not acted on twice.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "commons/db.h"
#include "util/common.h"

typedef enum {
    BLVM_WEBHOOK_SIG_OK = 0,
    BLVM_WEBHOOK_SIG_MISSING,   /* no header, or no secret configured */
    BLVM_WEBHOOK_SIG_MALFORMED, /* not "sha256=" + 64 hex digits */
    BLVM_WEBHOOK_SIG_MISMATCH,  /* well-formed, wrong MAC */
} blvm_webhook_sig_result;

/* Checks header (the X-Hub-Signature-256 value, may be NULL) against the
 * HMAC-SHA256 of body under secret. An empty or NULL secret never verifies:
 * a service without a secret must not accept anything. */
BLVM_WUR blvm_webhook_sig_result blvm_webhook_verify(const char *secret, const uint8_t *body,
                                                     size_t len, const char *header);
/* "ok", "missing signature", "malformed signature", "signature mismatch". */
const char *blvm_webhook_sig_result_str(blvm_webhook_sig_result r);

/* Writes "sha256=<hex>" (72 bytes with the NUL) for body under secret: what a
 * sender puts in the header. */
void blvm_webhook_sign(char out[72], const char *secret, const uint8_t *body, size_t len);

/* Constant-time equality of two n-byte buffers. */
bool blvm_webhook_ct_equal(const uint8_t *a, const uint8_t *b, size_t n);

/* A delivery id is 1..100 printable ASCII characters without spaces. */
bool blvm_webhook_delivery_id_valid(const char *id);

typedef enum {
    BLVM_WEBHOOK_NEW = 0,
    BLVM_WEBHOOK_DUPLICATE,
    BLVM_WEBHOOK_DB_ERROR,
} blvm_webhook_record_result;

/* Records a delivery (status "received") and, when job_payload is not NULL,
 * queues a job of kind job_kind with that payload, in one transaction: either
 * both are stored or neither. *job_id gets the job's id (0 without one).
 * DUPLICATE when the id was seen before (nothing is changed then). */
BLVM_WUR blvm_webhook_record_result blvm_webhook_record(blvm_db *db, const char *delivery_id,
                                                        const char *event, const char *action,
                                                        const char *body_sha256_hex,
                                                        const char *status, int http_status,
                                                        const char *job_kind,
                                                        const char *job_payload, int64_t *job_id);

/* Records a refused delivery (bad signature, too large, malformed). Ids and
 * events may be NULL; they are cut to 100 characters. */
BLVM_WUR bool blvm_webhook_record_rejection(blvm_db *db, const char *delivery_id, const char *event,
                                            const char *remote, int http_status,
                                            const char *reason);

/* Marks a delivery processed / ignored / error with an optional message. */
BLVM_WUR bool blvm_webhook_mark(blvm_db *db, const char *delivery_id, const char *status,
                                const char *error);

#endif
