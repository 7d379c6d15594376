/* Unit tests for the hash-chained audit log: a clean chain verifies, and
 * every kind of tampering (altered field, deleted middle entry, deleted
 * newest entries, rewritten hash, reordered entries) is detected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "commons/audit.h"
#include "commons/migrations.h"

static blvm_db *fresh(char *dir, size_t cap) {
    snprintf(dir, cap, "/tmp/blvm-test-audit-XXXXXX");
    assert_non_null(mkdtemp(dir));
    char url[256];
    snprintf(url, sizeof(url), "%s/a.db", dir);
    blvm_db *db;
    assert_true(blvm_db_open(&db, url, NULL, 0));
    assert_true(blvm_commons_migrate(db));
    for (int i = 1; i <= 5; i++) {
        char subj[32], det[64];
        snprintf(subj, sizeof(subj), "pr-%d", i);
        snprintf(det, sizeof(det), "{\"n\":%d}", i);
        int64_t seq;
        char hash[65];
        assert_true(blvm_commons_audit_append(db, 1700000000 + i, "governance", "decision", subj, det, &seq, hash));
        assert_int_equal(seq, i);
        assert_int_equal(strlen(hash), 64);
    }
    return db;
}

static void done(blvm_db *db, const char *dir) {
    blvm_db_close(db);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_clean_chain(void **state) {
    (void)state;
    char dir[64];
    blvm_db *db = fresh(dir, sizeof(dir));
    blvm_commons_audit_report r;
    assert_true(blvm_commons_audit_verify(db, 0, NULL, &r));
    assert_string_equal(r.problem, "");
    assert_int_equal(r.entries, 5);
    assert_int_equal(r.head_seq, 5);
    char head[65];
    memcpy(head, r.head_hash, 65);
    /* The recorded head is accepted, and appending keeps it valid. */
    assert_true(blvm_commons_audit_verify(db, 5, head, &r));
    assert_string_equal(r.problem, "");
    assert_true(blvm_commons_audit_append(db, 0, "cli", "note", "x", "", NULL, NULL));
    assert_true(blvm_commons_audit_verify(db, 5, head, &r));
    assert_string_equal(r.problem, "");
    assert_int_equal(r.head_seq, 6);
    /* Appending inside a caller's transaction joins it: rollback undoes it. */
    assert_true(blvm_db_begin(db));
    assert_true(blvm_commons_audit_append(db, 0, "cli", "note", "y", "", NULL, NULL));
    blvm_db_rollback(db);
    assert_true(blvm_commons_audit_verify(db, 0, NULL, &r));
    assert_int_equal(r.entries, 6);
    /* An empty log is fine and its head is the genesis value. */
    assert_true(blvm_db_exec(db, "DELETE FROM audit_log", NULL, 0, NULL));
    assert_true(blvm_commons_audit_verify(db, 0, NULL, &r));
    assert_string_equal(r.problem, "");
    assert_string_equal(r.head_hash, BLVM_AUDIT_GENESIS);
    done(db, dir);
}

static void expect_broken(const char *sql, int64_t bad_seq, const char *needle) {
    char dir[64];
    blvm_db *db = fresh(dir, sizeof(dir));
    blvm_commons_audit_report r;
    assert_true(blvm_commons_audit_verify(db, 0, NULL, &r));
    char head[65];
    memcpy(head, r.head_hash, 65);
    assert_true(blvm_db_exec_script(db, sql));
    assert_true(blvm_commons_audit_verify(db, 5, head, &r));
    if (!strstr(r.problem, needle)) fail_msg("%s: problem '%s' lacks '%s'", sql, r.problem, needle);
    assert_int_equal(r.bad_seq, bad_seq);
    done(db, dir);
}

static void test_tampering_detected(void **state) {
    (void)state;
    expect_broken("UPDATE audit_log SET details = '{\"n\":9}' WHERE seq = 3", 3, "altered");
    expect_broken("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1", 1, "altered");
    expect_broken("UPDATE audit_log SET at = at + 1 WHERE seq = 5", 5, "altered");
    /* Deleting a middle entry and renumbering to hide the gap breaks the link. */
    expect_broken("DELETE FROM audit_log WHERE seq = 2; UPDATE audit_log SET seq = seq - 1 WHERE seq > 2", 2,
                  "does not link");
    /* Deleting without renumbering leaves a gap. */
    expect_broken("DELETE FROM audit_log WHERE seq = 2", 2, "deleted");
    /* Rewriting an entry and its own hash still breaks the next link. */
    expect_broken("UPDATE audit_log SET subject = 'x', hash = '00' WHERE seq = 4", 4, "altered");
    /* Deleting the newest entry is only visible against a recorded head. */
    expect_broken("DELETE FROM audit_log WHERE seq = 5", 5, "newest entries were deleted");
    /* Swapping two entries' contents. */
    expect_broken("UPDATE audit_log SET seq = 100 WHERE seq = 1; UPDATE audit_log SET seq = 1 WHERE seq = 2; "
                  "UPDATE audit_log SET seq = 2 WHERE seq = 100",
                  1, "does not link");
}

static void test_hash_is_unambiguous(void **state) {
    (void)state;
    /* Moving bytes between fields changes the hash. */
    char a[65], b[65];
    blvm_commons_audit_hash(a, 1, 2, "ab", "c", "d", "e", BLVM_AUDIT_GENESIS);
    blvm_commons_audit_hash(b, 1, 2, "a", "bc", "d", "e", BLVM_AUDIT_GENESIS);
    assert_string_not_equal(a, b);
    blvm_commons_audit_hash(b, 1, 2, "ab", "c", "d", "e", BLVM_AUDIT_GENESIS);
    assert_string_equal(a, b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_chain),
        cmocka_unit_test(test_tampering_detected),
        cmocka_unit_test(test_hash_is_unambiguous),
    };
    return cmocka_run_group_tests_name("commons_audit", tests, NULL, NULL);
}
