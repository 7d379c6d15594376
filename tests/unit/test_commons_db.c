/* Unit tests for the commons database layer and its migrations (SQLite; the
 * same operations against PostgreSQL run in tests/functional/commons_db_pg.py). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "commons/db.h"
#include "commons/migrations.h"

static char tmpdir[256];

static int setup(void **state) {
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/blvm-test-db-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* With BLVM_COMMONS_TEST_PG set (a postgresql:// URL ending in '/'), the
 * same tests run against PostgreSQL databases blvm_a, blvm_b, blvm_c, which
 * tests/functional/commons_db_pg.py creates on a server it starts. */
static blvm_db *open_db(const char *name) {
    char url[400];
    const char *pg = getenv("BLVM_COMMONS_TEST_PG");
    if (pg && *pg) snprintf(url, sizeof(url), "%sblvm_%c", pg, name[0]);
    else snprintf(url, sizeof(url), "sqlite://%s/sub/dir/%s", tmpdir, name);
    blvm_db *db = NULL;
    char err[256];
    if (!blvm_db_open(&db, url, err, sizeof(err))) fail_msg("%s", err);
    return db;
}

static void test_open_creates_and_migrates(void **state) {
    (void)state;
    blvm_db *db = open_db("a.db");
    int v = -1;
    assert_true(blvm_commons_schema_version(db, &v));
    assert_int_equal(v, 0);
    assert_true(blvm_commons_migrate(db));
    assert_true(blvm_commons_schema_version(db, &v));
    assert_int_equal(v, BLVM_COMMONS_SCHEMA_VERSION);
    /* A second migrate is a no-op. */
    assert_true(blvm_commons_migrate(db));
    int64_t n = 0;
    bool found;
    assert_true(blvm_db_query_int(db, "SELECT COUNT(*) FROM schema_version", NULL, 0, &n, &found));
    assert_true(found);
    assert_int_equal(n, BLVM_COMMONS_SCHEMA_VERSION);
    blvm_db_close(db);
}

static void test_params_and_results(void **state) {
    (void)state;
    blvm_db *db = open_db("b.db");
    assert_true(blvm_commons_migrate(db));
    int64_t id1 = 0, id2 = 0;
    blvm_db_param p[4] = {blvm_db_text("release"), blvm_db_text("v1.0?"), blvm_db_text("pending"),
                          blvm_db_int(1700000000)};
    assert_true(blvm_db_insert(db,
                               "INSERT INTO runs (trigger, ref, state, created_at, updated_at) "
                               "VALUES (?, ?, ?, ?, 5)",
                               p, 4, &id1));
    p[1] = blvm_db_null();
    assert_true(blvm_db_insert(db,
                               "INSERT INTO runs (trigger, ref, state, created_at, updated_at) "
                               "VALUES (?, ?, ?, ?, 5)",
                               p, 4, &id2));
    assert_true(id2 == id1 + 1);
    blvm_db_result res;
    blvm_db_param q[1] = {blvm_db_int(id1)};
    /* A '?' in a literal is not a parameter. */
    assert_true(blvm_db_query(db, "SELECT id, ref, created_at, 'a?b' FROM runs WHERE id >= ? ORDER BY id",
                              q, 1, &res));
    assert_int_equal(res.nrows, 2);
    assert_int_equal(res.ncols, 4);
    assert_string_equal(res.cols[1], "ref");
    assert_string_equal(blvm_db_result_get(&res, 0, 1), "v1.0?");
    assert_null(blvm_db_result_get(&res, 1, 1));
    assert_string_equal(blvm_db_result_get(&res, 0, 2), "1700000000");
    assert_string_equal(blvm_db_result_get(&res, 0, 3), "a?b");
    assert_null(blvm_db_result_get(&res, 2, 0));
    int64_t v;
    assert_true(blvm_db_result_get_int(&res, 1, 0, &v));
    assert_true(v == id2);
    assert_false(blvm_db_result_get_int(&res, 1, 1, &v));
    blvm_db_result_clear(&res);

    int64_t changes = 0;
    blvm_db_param u[2] = {blvm_db_text("running"), blvm_db_int(id1)};
    assert_true(blvm_db_exec(db, "UPDATE runs SET state = ? WHERE id = ?", u, 2, &changes));
    assert_int_equal(changes, 1);
    /* Wrong parameter count is an error, not a crash. */
    assert_false(blvm_db_exec(db, "UPDATE runs SET state = ? WHERE id = ?", u, 1, NULL));
    assert_non_null(strstr(blvm_db_errmsg(db), "parameters"));
    /* SQL errors are reported. */
    assert_false(blvm_db_exec(db, "SELEC 1", NULL, 0, NULL));
    assert_true(strlen(blvm_db_errmsg(db)) > 0);
    blvm_db_close(db);
}

static void test_unique_and_transactions(void **state) {
    (void)state;
    blvm_db *db = open_db("c.db");
    assert_true(blvm_commons_migrate(db));
    const char *ins = "INSERT INTO webhook_deliveries (delivery_id, event, status, received_at) "
                      "VALUES (?, 'ping', 'received', 1)";
    blvm_db_param p[1] = {blvm_db_text("abc-1")};
    assert_true(blvm_db_exec(db, ins, p, 1, NULL));
    assert_false(blvm_db_exec(db, ins, p, 1, NULL));
    assert_true(blvm_db_last_was_unique_violation(db));
    /* ON CONFLICT DO NOTHING reports zero changes for a replay. */
    int64_t changes = 5;
    assert_true(blvm_db_exec(db,
                             "INSERT INTO webhook_deliveries (delivery_id, event, status, received_at) "
                             "VALUES (?, 'ping', 'received', 1) ON CONFLICT (delivery_id) DO NOTHING",
                             p, 1, &changes));
    assert_int_equal(changes, 0);

    /* Rolled back work is gone; committed work stays. */
    blvm_db_param p2[1] = {blvm_db_text("abc-2")};
    assert_true(blvm_db_begin(db));
    assert_false(blvm_db_begin(db));
    assert_true(blvm_db_exec(db, ins, p2, 1, NULL));
    blvm_db_rollback(db);
    int64_t n;
    bool found;
    assert_true(blvm_db_query_int(db, "SELECT COUNT(*) FROM webhook_deliveries", NULL, 0, &n, &found));
    assert_int_equal(n, 1);
    assert_true(blvm_db_begin(db));
    assert_true(blvm_db_exec(db, ins, p2, 1, NULL));
    assert_true(blvm_db_commit(db));
    assert_true(blvm_db_query_int(db, "SELECT COUNT(*) FROM webhook_deliveries", NULL, 0, &n, &found));
    assert_int_equal(n, 2);
    assert_false(blvm_db_commit(db));
    blvm_db_close(db);

    /* Another handle sees the committed rows. */
    blvm_db *db2 = open_db("c.db");
    assert_true(blvm_db_query_int(db2, "SELECT COUNT(*) FROM webhook_deliveries", NULL, 0, &n, &found));
    assert_int_equal(n, 2);
    blvm_db_close(db2);
}

static void test_bad_urls(void **state) {
    (void)state;
    blvm_db *db = (blvm_db *)1;
    char err[256];
    assert_false(blvm_db_open(&db, "", err, sizeof(err)));
    assert_null(db);
    assert_false(blvm_db_open(&db, "mysql://x", err, sizeof(err)));
    assert_non_null(strstr(err, "unsupported"));
    /* Nothing listens on port 1: a clear connection error. */
    assert_false(blvm_db_open(&db, "postgresql://127.0.0.1:1/x?connect_timeout=2", err, sizeof(err)));
    assert_non_null(strstr(err, "PostgreSQL"));
    assert_false(blvm_db_open(&db, "/proc/nonexistent/dir/x.db", err, sizeof(err)));
}

static void test_engine(void **state) {
    (void)state;
    blvm_db *db = open_db("e.db");
    const char *pg = getenv("BLVM_COMMONS_TEST_PG");
    assert_int_equal(blvm_db_engine_of(db), pg && *pg ? BLVM_DB_POSTGRES : BLVM_DB_SQLITE);
    /* Integer parameters compare and add as integers on both engines. */
    int64_t v = 0;
    bool found;
    blvm_db_param p[2] = {blvm_db_int(40), blvm_db_int(2)};
    assert_true(blvm_db_query_int(db, "SELECT ? + ?", p, 2, &v, &found));
    assert_int_equal(v, 42);
    blvm_db_result res;
    blvm_db_param t[1] = {blvm_db_text("it's")};
    assert_true(blvm_db_query(db, "SELECT ? AS s, NULL AS n", t, 1, &res));
    assert_string_equal(blvm_db_result_get(&res, 0, 0), "it's");
    assert_null(blvm_db_result_get(&res, 0, 1));
    blvm_db_result_clear(&res);
    blvm_db_close(db);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_creates_and_migrates),
        cmocka_unit_test(test_params_and_results),
        cmocka_unit_test(test_unique_and_transactions),
        cmocka_unit_test(test_bad_urls),
        cmocka_unit_test(test_engine),
    };
    return cmocka_run_group_tests_name("commons_db", tests, setup, teardown);
}
