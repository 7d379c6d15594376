/* Webhook authentication (X-Hub-Signature-256) and delivery bookkeeping:
 * GitHub's documented example signature, every kind of bad header, delivery
 * ids, replay detection and atomic job queueing on SQLite. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "commons/db.h"
#include "commons/migrations.h"
#include "commons/webhook.h"

/* From GitHub's "Validating webhook deliveries" documentation. */
static const char *const k_secret = "It's a Secret to Everybody";
static const char *const k_body = "Hello, World!";
static const char *const k_sig =
    "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

static void test_verify(void **state) {
    (void)state;
    const uint8_t *b = (const uint8_t *)k_body;
    size_t n = strlen(k_body);
    assert_int_equal(blvm_webhook_verify(k_secret, b, n, k_sig), BLVM_WEBHOOK_SIG_OK);
    char out[72];
    blvm_webhook_sign(out, k_secret, b, n);
    assert_string_equal(out, k_sig);

    /* Upper-case hex is the same MAC. */
    char upper[80];
    snprintf(upper, sizeof(upper), "sha256=%s",
             "757107EA0EB2509FC211221CCE984B8A37570B6D7586C22C46F4379C8B043E17");
    assert_int_equal(blvm_webhook_verify(k_secret, b, n, upper), BLVM_WEBHOOK_SIG_OK);

    /* One bit of the MAC, of the body, or of the secret. */
    char bad[80];
    snprintf(bad, sizeof(bad), "%s", k_sig);
    bad[strlen(bad) - 1] = '6';
    assert_int_equal(blvm_webhook_verify(k_secret, b, n, bad), BLVM_WEBHOOK_SIG_MISMATCH);
    assert_int_equal(blvm_webhook_verify(k_secret, (const uint8_t *)"Hello, World?", n, k_sig),
                     BLVM_WEBHOOK_SIG_MISMATCH);
    assert_int_equal(blvm_webhook_verify("It's a Secret to Everybodz", b, n, k_sig),
                     BLVM_WEBHOOK_SIG_MISMATCH);
    assert_int_equal(blvm_webhook_verify(k_secret, b, n - 1, k_sig), BLVM_WEBHOOK_SIG_MISMATCH);

    /* Missing: no header, or no secret configured (never verifies). */
    assert_int_equal(blvm_webhook_verify(k_secret, b, n, NULL), BLVM_WEBHOOK_SIG_MISSING);
    assert_int_equal(blvm_webhook_verify(k_secret, b, n, ""), BLVM_WEBHOOK_SIG_MISSING);
    assert_int_equal(blvm_webhook_verify("", b, n, k_sig), BLVM_WEBHOOK_SIG_MISSING);
    assert_int_equal(blvm_webhook_verify(NULL, b, n, k_sig), BLVM_WEBHOOK_SIG_MISSING);

    /* Malformed headers. */
    const char *malformed[] = {
        "sha1=0123456789012345678901234567890123456789",
        "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1",
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e177",
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1g",
        "sha256= 757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1",
        "SHA256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
        "sha256=",
    };
    for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++)
        assert_int_equal(blvm_webhook_verify(k_secret, b, n, malformed[i]),
                         BLVM_WEBHOOK_SIG_MALFORMED);
    assert_string_equal(blvm_webhook_sig_result_str(BLVM_WEBHOOK_SIG_MISMATCH),
                        "signature mismatch");

    /* An empty body is signed like any other. */
    blvm_webhook_sign(out, "s", (const uint8_t *)"", 0);
    assert_int_equal(blvm_webhook_verify("s", (const uint8_t *)"", 0, out), BLVM_WEBHOOK_SIG_OK);
}

static void test_ct_equal_and_ids(void **state) {
    (void)state;
    uint8_t a[32], c[32];
    memset(a, 7, 32);
    memcpy(c, a, 32);
    assert_true(blvm_webhook_ct_equal(a, c, 32));
    for (int i = 0; i < 32; i++) {
        c[i] ^= 0x80;
        assert_false(blvm_webhook_ct_equal(a, c, 32));
        c[i] ^= 0x80;
    }
    assert_true(blvm_webhook_ct_equal(a, c, 0));

    assert_true(blvm_webhook_delivery_id_valid("72d3162e-cc78-11e3-81ab-4c9367dc0958"));
    assert_false(blvm_webhook_delivery_id_valid(NULL));
    assert_false(blvm_webhook_delivery_id_valid(""));
    assert_false(blvm_webhook_delivery_id_valid("has space"));
    assert_false(blvm_webhook_delivery_id_valid("tab\tid"));
    assert_false(blvm_webhook_delivery_id_valid("\xc3\xa9"));
    char long_id[102];
    memset(long_id, 'a', 101);
    long_id[101] = 0;
    assert_false(blvm_webhook_delivery_id_valid(long_id));
    long_id[100] = 0;
    assert_true(blvm_webhook_delivery_id_valid(long_id));
}

static void test_record(void **state) {
    (void)state;
    char dir[] = "/tmp/blvm_webhook_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char url[128], err[256];
    snprintf(url, sizeof(url), "%s/c.db", dir);
    blvm_db *db = NULL;
    assert_true(blvm_db_open(&db, url, err, sizeof(err)));
    assert_true(blvm_commons_migrate(db));

    int64_t job = 0;
    assert_int_equal(blvm_webhook_record(db, "d1", "pull_request", "opened", "ab", "received", 200,
                                         "webhook", "{\"x\":1}", &job),
                     BLVM_WEBHOOK_NEW);
    assert_true(job > 0);
    /* The replay changes nothing: no second delivery row, no second job. */
    int64_t job2 = 0;
    assert_int_equal(blvm_webhook_record(db, "d1", "pull_request", "opened", "ab", "received", 200,
                                         "webhook", "{\"x\":2}", &job2),
                     BLVM_WEBHOOK_DUPLICATE);
    assert_int_equal(job2, 0);
    int64_t n = 0;
    bool found;
    assert_true(blvm_db_query_int(db, "SELECT COUNT(*) FROM jobs", NULL, 0, &n, &found));
    assert_int_equal(n, 1);
    assert_true(
        blvm_db_query_int(db, "SELECT COUNT(*) FROM webhook_deliveries", NULL, 0, &n, &found));
    assert_int_equal(n, 1);
    /* Without a job (an ignored event). */
    assert_int_equal(
        blvm_webhook_record(db, "d2", "star", NULL, "cd", "ignored", 202, NULL, NULL, &job2),
        BLVM_WEBHOOK_NEW);
    assert_int_equal(job2, 0);
    assert_true(blvm_webhook_mark(db, "d1", "processed", NULL));
    blvm_db_result r;
    assert_true(blvm_db_query(
        db, "SELECT status, processed_at FROM webhook_deliveries WHERE delivery_id = 'd1'", NULL, 0,
        &r));
    assert_string_equal(blvm_db_result_get(&r, 0, 0), "processed");
    assert_non_null(blvm_db_result_get(&r, 0, 1));
    blvm_db_result_clear(&r);

    /* Rejections, with over-long fields cut. */
    char big[300];
    memset(big, 'z', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    assert_true(blvm_webhook_record_rejection(db, big, "pull_request", "127.0.0.1:1", 401,
                                              "signature mismatch"));
    assert_true(blvm_webhook_record_rejection(db, NULL, NULL, NULL, 400, "malformed JSON"));
    assert_true(blvm_db_query(
        db, "SELECT delivery_id, http_status FROM webhook_rejections ORDER BY id", NULL, 0, &r));
    assert_int_equal(r.nrows, 2);
    assert_int_equal(strlen(blvm_db_result_get(&r, 0, 0)), 100);
    assert_null(blvm_db_result_get(&r, 1, 0));
    blvm_db_result_clear(&r);

    blvm_db_close(db);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verify),
        cmocka_unit_test(test_ct_equal_and_ids),
        cmocka_unit_test(test_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
