/* Governance: threshold decisions and their wording, the sign command
 * parser, signatures bound to repository / PR / head commit, and the
 * database-backed event handlers (SQLite) including stale signatures after a
 * push, invalid signatures, and the audit trail of every decision. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "commons/audit.h"
#include "commons/config.h"
#include "commons/db.h"
#include "commons/governance.h"
#include "commons/keys.h"
#include "commons/migrations.h"
#include "util/hex.h"

#define DAY 86400

static void test_decide(void **state) {
    (void)state;
    blvm_governance_decision d;
    /* 2026-12-01T00:00:00Z */
    const int64_t end = 1796083200;
    blvm_governance_decide(3, 3, 5, end, end - DAY, &d);
    assert_int_equal(d.state, BLVM_GOV_PENDING);
    assert_string_equal(d.reason, "3/5 signatures, review period ends 2026-12-01");
    blvm_governance_decide(3, 3, 5, end, end, &d);
    assert_int_equal(d.state, BLVM_GOV_SUCCESS);
    assert_string_equal(d.reason, "3/5 signatures, review period ended 2026-12-01");
    blvm_governance_decide(2, 3, 5, end, end + DAY, &d);
    assert_int_equal(d.state, BLVM_GOV_FAILURE);
    assert_string_equal(d.reason, "2/5 signatures, review period ended 2026-12-01 (3 required)");
    blvm_governance_decide(5, 3, 5, end, end + 1, &d);
    assert_int_equal(d.state, BLVM_GOV_SUCCESS);
    blvm_governance_decide(0, 1, 1, 0, 0, &d);
    assert_int_equal(d.state, BLVM_GOV_FAILURE);

    const char *st;
    char desc[160];
    blvm_governance_decide(2, 3, 5, end, end - DAY, &d);
    blvm_governance_status(&d, BLVM_COMMONS_ENFORCING, &st, desc, sizeof(desc));
    assert_string_equal(st, "failure");
    assert_string_equal(desc, "2/5 signatures, review period ends 2026-12-01 (3 required)");
    /* Dry run: never blocks, says what it would have done. */
    blvm_governance_status(&d, BLVM_COMMONS_DRY_RUN, &st, desc, sizeof(desc));
    assert_string_equal(st, "success");
    assert_string_equal(
        desc, "[dry-run] failure: 2/5 signatures, review period ends 2026-12-01 (3 required)");
    assert_true(strlen(desc) <= 140);
}

static void test_parse_sign(void **state) {
    (void)state;
    char key[65], err[128], body[512];
    uint8_t sig[64];
    const char *hex128 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
                         "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    const char *kid = "AABBCCDDEEFF00112233445566778899AABBCCDDEEFF00112233445566778899";
    snprintf(body, sizeof(body), "/governance-sign %s", hex128);
    assert_int_equal(blvm_governance_parse_sign(body, key, sig, err, sizeof(err)), 1);
    assert_string_equal(key, "");
    assert_int_equal(sig[1], 0x11);
    snprintf(body, sizeof(body), "  \r\n/governance-sign %s %s\r\nthanks!", kid, hex128);
    assert_int_equal(blvm_governance_parse_sign(body, key, sig, err, sizeof(err)), 1);
    assert_string_equal(key, "aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899");

    /* Not a command at all. */
    assert_int_equal(blvm_governance_parse_sign("LGTM", key, sig, err, sizeof(err)), 0);
    assert_int_equal(
        blvm_governance_parse_sign("please /governance-sign x", key, sig, err, sizeof(err)), 0);
    assert_int_equal(
        blvm_governance_parse_sign("/governance-signature x", key, sig, err, sizeof(err)), 0);
    /* Commands that are malformed. */
    assert_int_equal(blvm_governance_parse_sign("/governance-sign", key, sig, err, sizeof(err)),
                     -1);
    assert_int_equal(blvm_governance_parse_sign("/governance-sign abc", key, sig, err, sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "128 hex"));
    snprintf(body, sizeof(body), "/governance-sign %.127sg", hex128);
    assert_int_equal(blvm_governance_parse_sign(body, key, sig, err, sizeof(err)), -1);
    snprintf(body, sizeof(body), "/governance-sign zz %s", hex128);
    assert_int_equal(blvm_governance_parse_sign(body, key, sig, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "key id"));
    snprintf(body, sizeof(body), "/governance-sign %s %s %s", kid, hex128, hex128);
    assert_int_equal(blvm_governance_parse_sign(body, key, sig, err, sizeof(err)), -1);
    /* A very long token does not overflow anything. */
    char longbody[2048] = "/governance-sign ";
    memset(longbody + 17, 'a', 1500);
    longbody[1517] = 0;
    assert_int_equal(blvm_governance_parse_sign(longbody, key, sig, err, sizeof(err)), -1);
}

/* The message binds repository, PR number and head commit. */
static void test_signature_binding(void **state) {
    (void)state;
    blvm_commons_key k;
    uint8_t secret[32];
    for (int i = 0; i < 32; i++)
        secret[i] = (uint8_t)(i + 1);
    assert_true(blvm_commons_key_from_secret(&k, secret));
    const char *sha = "0123456789abcdef0123456789abcdef01234567";
    uint8_t msg[32], other[32], sig[64];
    blvm_commons_governance_message(msg, "blvm/blvm", 7, sha);
    assert_true(blvm_commons_sign32(&k, msg, sig));
    assert_true(blvm_commons_verify32(k.pubkey, msg, sig));
    blvm_commons_governance_message(other, "blvm/other", 7, sha);
    assert_false(blvm_commons_verify32(k.pubkey, other, sig));
    blvm_commons_governance_message(other, "blvm/blvm", 8, sha);
    assert_false(blvm_commons_verify32(k.pubkey, other, sig));
    blvm_commons_governance_message(other, "blvm/blvm", 7,
                                    "1123456789abcdef0123456789abcdef01234567");
    assert_false(blvm_commons_verify32(k.pubkey, other, sig));
    sig[5] ^= 1;
    assert_false(blvm_commons_verify32(k.pubkey, msg, sig));
}

/* ---- handlers against a SQLite database ------------------------------- */

typedef struct {
    char dir[64];
    blvm_commons_config *cfg;
    blvm_db *db;
    blvm_commons_key keys[4]; /* 0..2 maintainers, 3 an outsider */
} gov_fixture;

static void gov_open(gov_fixture *f, const char *mode) {
    snprintf(f->dir, sizeof(f->dir), "/tmp/blvm_gov_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    for (int k = 0; k < 4; k++) {
        uint8_t secret[32];
        for (int i = 0; i < 32; i++)
            secret[i] = (uint8_t)(0x40 + 7 * k + i);
        assert_true(blvm_commons_key_from_secret(&f->keys[k], secret));
    }
    char json[4096], err[512];
    snprintf(
        json, sizeof(json),
        "{\"data_dir\":\"%s\",\"mode\":\"%s\","
        "\"governance\":{\"default\":{\"signatures\":1,\"review_days\":0},\"rules\":["
        "{\"name\":\"consensus\",\"kind\":\"tier\",\"level\":3,\"title_markers\":[\"[consensus]\"],"
        "\"signatures\":2,\"of\":3,\"review_days\":0},"
        "{\"name\":\"slow\",\"kind\":\"layer\",\"level\":4,\"title_markers\":[\"[slow]\"],"
        "\"signatures\":1,\"review_days\":10}]},"
        "\"maintainers\":[{\"name\":\"alice\",\"github\":\"alice\",\"pubkey\":\"%s\"},"
        "{\"name\":\"bob\",\"github\":\"bob\",\"pubkey\":\"%s\"},"
        "{\"name\":\"carol\",\"pubkey\":\"%s\"}]}",
        f->dir, mode, f->keys[0].key_id, f->keys[1].key_id, f->keys[2].key_id);
    f->cfg = blvm_commons_config_parse(json, "test", err, sizeof(err));
    if (!f->cfg) fprintf(stderr, "%s\n", err);
    assert_non_null(f->cfg);
    char url[128];
    snprintf(url, sizeof(url), "%s/commons.db", f->dir);
    assert_true(blvm_db_open(&f->db, url, err, sizeof(err)));
    assert_true(blvm_commons_migrate(f->db));
}

static void gov_close(gov_fixture *f) {
    blvm_db_close(f->db);
    blvm_commons_config_destroy(f->cfg);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
}

static json_t *pr_event(const char *action, int number, const char *sha, const char *title) {
    return json_pack("{s:s,s:{s:i,s:s,s:{s:s},s:{s:s},s:{s:s},s:s,s:b},s:{s:s}}", "action", action,
                     "pull_request", "number", number, "title", title, "head", "sha", sha, "base",
                     "ref", "main", "user", "login", "dave", "created_at", "2026-01-01T00:00:00Z",
                     "merged", 0, "repository", "full_name", "blvm/blvm");
}

static json_t *comment_event(int number, const char *body, const char *login) {
    return json_pack("{s:s,s:{s:i,s:{}},s:{s:i,s:s,s:{s:s}},s:{s:s}}", "action", "created", "issue",
                     "number", number, "pull_request", "comment", "id", 5, "body", body, "user",
                     "login", login, "repository", "full_name", "blvm/blvm");
}

/* A sign comment on PR number, signing the message for PR signed_number. */
static json_t *sign_comment_for(const blvm_commons_key *k, int number, int signed_number,
                                const char *sha, bool with_key) {
    uint8_t msg[32], sig[64];
    blvm_commons_governance_message(msg, "blvm/blvm", signed_number, sha);
    assert_true(blvm_commons_sign32(k, msg, sig));
    char hex[129], body[256];
    blvm_hex_encode(hex, sig, 64);
    if (with_key)
        snprintf(body, sizeof(body), "/governance-sign %s %s", k->key_id, hex);
    else
        snprintf(body, sizeof(body), "/governance-sign %s", hex);
    return comment_event(number, body, "someone");
}

static json_t *sign_comment(const blvm_commons_key *k, int number, const char *sha, bool with_key) {
    return sign_comment_for(k, number, number, sha, with_key);
}

static const char *last_decision(blvm_db *db, char *reason, size_t cap) {
    static char state[32];
    blvm_db_result r;
    assert_true(blvm_db_query(
        db, "SELECT state, reason, mode FROM decisions ORDER BY id DESC LIMIT 1", NULL, 0, &r));
    assert_int_equal(r.nrows, 1);
    snprintf(state, sizeof(state), "%s", blvm_db_result_get(&r, 0, 0));
    if (reason) snprintf(reason, cap, "%s", blvm_db_result_get(&r, 0, 1));
    blvm_db_result_clear(&r);
    return state;
}

static int handle(blvm_governance_ctx *g,
                  int (*fn)(blvm_governance_ctx *, json_t *, char *, size_t), json_t *ev) {
    char err[512] = "";
    int rc = fn(g, ev, err, sizeof(err));
    json_decref(ev);
    return rc;
}

static void test_flow(void **state) {
    (void)state;
    gov_fixture f;
    gov_open(&f, "enforcing");
    blvm_governance_ctx g = {f.cfg, f.db, NULL, 1800000000, NULL};
    const char *sha1 = "1111111111111111111111111111111111111111";
    const char *sha2 = "2222222222222222222222222222222222222222";
    char reason[256];

    /* Classified by title marker: 2 of 3. */
    assert_int_equal(handle(&g, blvm_governance_on_pull_request,
                            pr_event("opened", 5, sha1, "[consensus] tighten")),
                     1);
    assert_string_equal(last_decision(f.db, reason, sizeof(reason)), "failure");
    assert_string_equal(reason, "0/3 signatures, review period ended 2026-01-01 (2 required)");

    /* alice, key named; then an outsider's key (invalid), then a signature
     * over another PR (invalid), then bob without naming his key. */
    assert_int_equal(
        handle(&g, blvm_governance_on_issue_comment, sign_comment(&f.keys[0], 5, sha1, true)), 1);
    assert_string_equal(last_decision(f.db, reason, sizeof(reason)), "failure");
    assert_non_null(strstr(reason, "1/3 signatures"));
    assert_int_equal(
        handle(&g, blvm_governance_on_issue_comment, sign_comment(&f.keys[3], 5, sha1, true)), 1);
    assert_string_equal(last_decision(f.db, reason, sizeof(reason)), "failure");
    assert_non_null(strstr(reason, "1/3"));
    assert_int_equal(handle(&g, blvm_governance_on_issue_comment,
                            sign_comment_for(&f.keys[1], 5, 6, sha1, false)),
                     1);
    last_decision(f.db, reason, sizeof(reason));
    assert_non_null(strstr(reason, "1/3"));
    assert_int_equal(
        handle(&g, blvm_governance_on_issue_comment, sign_comment(&f.keys[1], 5, sha1, false)), 1);
    assert_string_equal(last_decision(f.db, reason, sizeof(reason)), "success");
    assert_string_equal(reason, "2/3 signatures, review period ended 2026-01-01");

    int64_t n = 0;
    bool found;
    assert_true(blvm_db_query_int(f.db, "SELECT COUNT(*) FROM signatures WHERE valid = 0", NULL, 0,
                                  &n, &found));
    assert_int_equal(n, 2);

    /* A push: old signatures no longer count. */
    assert_int_equal(handle(&g, blvm_governance_on_pull_request,
                            pr_event("synchronize", 5, sha2, "[consensus] tighten")),
                     1);
    assert_string_equal(last_decision(f.db, reason, sizeof(reason)), "failure");
    assert_non_null(strstr(reason, "0/3 signatures"));
    /* A signature over the old head, posted now, is invalid for the new head. */
    assert_int_equal(
        handle(&g, blvm_governance_on_issue_comment, sign_comment(&f.keys[2], 5, sha1, true)), 1);
    assert_string_equal(last_decision(f.db, reason, sizeof(reason)), "failure");
    assert_non_null(strstr(reason, "0/3"));

    /* Ignored events. */
    assert_int_equal(handle(&g, blvm_governance_on_issue_comment, comment_event(5, "nice", "bob")),
                     0);
    assert_int_equal(handle(&g, blvm_governance_on_pull_request,
                            pr_event("labeled", 5, sha2, "[consensus] tighten")),
                     0);
    assert_int_equal(handle(&g, blvm_governance_on_issue_comment,
                            comment_event(99, "/governance-sign 00", "bob")),
                     0);
    /* Malformed payloads are errors naming the field. */
    char err[256];
    json_t *bad =
        json_pack("{s:s,s:{s:i,s:{s:s}},s:{s:s}}", "action", "opened", "pull_request", "number", 5,
                  "head", "sha", "nothex", "repository", "full_name", "blvm/blvm");
    assert_int_equal(blvm_governance_on_pull_request(&g, bad, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "head.sha"));
    json_decref(bad);
    bad = json_pack("{s:s}", "action", "opened");
    assert_int_equal(blvm_governance_on_pull_request(&g, bad, err, sizeof(err)), -1);
    json_decref(bad);

    /* Review period: signatures there, period running -> pending. */
    assert_int_equal(
        handle(&g, blvm_governance_on_pull_request, pr_event("opened", 9, sha1, "[slow] refactor")),
        1);
    assert_int_equal(
        handle(&g, blvm_governance_on_issue_comment, sign_comment(&f.keys[2], 9, sha1, false)), 1);
    g.now = 1767225600 + 5 * DAY; /* 2026-01-06: 5 of 10 days */
    blvm_governance_decision d;
    assert_true(blvm_governance_evaluate(&g, "blvm/blvm", 9, &d, err, sizeof(err)));
    assert_int_equal(d.state, BLVM_GOV_PENDING);
    assert_string_equal(d.reason, "1/3 signatures, review period ends 2026-01-11");
    g.now = 1767225600 + 10 * DAY;
    assert_true(blvm_governance_evaluate(&g, "blvm/blvm", 9, &d, err, sizeof(err)));
    assert_int_equal(d.state, BLVM_GOV_SUCCESS);

    /* Closed: no more decisions. */
    assert_true(blvm_db_query_int(f.db, "SELECT COUNT(*) FROM decisions", NULL, 0, &n, &found));
    assert_int_equal(
        handle(&g, blvm_governance_on_pull_request, pr_event("closed", 9, sha1, "[slow] refactor")),
        1);
    /* An edit of the closed PR's title does not reopen it. */
    json_t *edit = pr_event("edited", 9, sha1, "[slow] refactor, renamed");
    json_object_set_new(json_object_get(edit, "pull_request"), "state", json_string("closed"));
    assert_int_equal(handle(&g, blvm_governance_on_pull_request, edit), 1);
    int64_t n2 = 0;
    assert_true(blvm_db_query_int(f.db, "SELECT COUNT(*) FROM decisions", NULL, 0, &n2, &found));
    assert_int_equal(n, n2);
    blvm_db_result pr;
    assert_true(blvm_db_query(f.db, "SELECT state, title FROM pull_requests WHERE number = 9", NULL,
                              0, &pr));
    assert_string_equal(blvm_db_result_get(&pr, 0, 0), "closed");
    assert_string_equal(blvm_db_result_get(&pr, 0, 1), "[slow] refactor, renamed");
    blvm_db_result_clear(&pr);

    /* Every decision is in the audit chain, which verifies. */
    int64_t audited = 0;
    assert_true(blvm_db_query_int(f.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'decision'",
                                  NULL, 0, &audited, &found));
    assert_int_equal(audited, n2);
    blvm_commons_audit_report rep;
    assert_true(blvm_commons_audit_verify(f.db, 0, NULL, &rep));
    assert_string_equal(rep.problem, "");
    /* Statuses were recorded even without a GitHub client. */
    assert_true(blvm_db_query_int(f.db, "SELECT COUNT(*) FROM statuses WHERE error IS NOT NULL",
                                  NULL, 0, &n, &found));
    assert_int_equal(n, n2);
    gov_close(&f);
}

static void test_dry_run_mode(void **state) {
    (void)state;
    gov_fixture f;
    gov_open(&f, "dry-run");
    blvm_governance_ctx g = {f.cfg, f.db, NULL, 1800000000, NULL};
    assert_int_equal(
        handle(&g, blvm_governance_on_pull_request,
               pr_event("opened", 1, "3333333333333333333333333333333333333333", "[consensus] x")),
        1);
    blvm_db_result r;
    assert_true(blvm_db_query(f.db,
                              "SELECT d.state, d.mode, s.state, s.description FROM decisions d "
                              "JOIN statuses s ON s.decision_id = d.id",
                              NULL, 0, &r));
    assert_int_equal(r.nrows, 1);
    assert_string_equal(blvm_db_result_get(&r, 0, 0), "failure");
    assert_string_equal(blvm_db_result_get(&r, 0, 1), "dry-run");
    assert_string_equal(blvm_db_result_get(&r, 0, 2), "success");
    assert_non_null(strstr(blvm_db_result_get(&r, 0, 3), "[dry-run] failure: 0/3 signatures"));
    blvm_db_result_clear(&r);
    gov_close(&f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decide),
        cmocka_unit_test(test_parse_sign),
        cmocka_unit_test(test_signature_binding),
        cmocka_unit_test(test_flow),
        cmocka_unit_test(test_dry_run_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
