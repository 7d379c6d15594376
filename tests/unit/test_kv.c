/* Unit tests for src/storage/kv: transactions, prefix cursors, atomic
 * batches, map growth, reopen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unistd.h>

#include "storage/kv.h"
#include "testutil.h"

static void put_str(blvm_kv_txn *t, const char *k, const char *v) {
    assert_int_equal(blvm_kv_put(t, k, strlen(k), v, strlen(v)), BLVM_KV_OK);
}

static void expect_str(blvm_kv_txn *t, const char *k, const char *v) {
    const void *got;
    size_t len;
    int rc = blvm_kv_get(t, k, strlen(k), &got, &len);
    if (!v) {
        assert_int_equal(rc, BLVM_KV_NOTFOUND);
        return;
    }
    assert_int_equal(rc, BLVM_KV_OK);
    assert_int_equal(len, strlen(v));
    assert_memory_equal(got, v, len);
}

static void test_put_get_delete_commit_abort(void **state) {
    blvm_kv *kv;
    assert_int_equal(blvm_kv_open(&kv, *state, NULL), BLVM_KV_OK);
    blvm_kv_txn *t;
    assert_int_equal(blvm_kv_begin(kv, true, &t), BLVM_KV_OK);
    put_str(t, "a1", "one");
    put_str(t, "a2", "two");
    expect_str(t, "a1", "one"); /* a writer sees its own changes */
    assert_int_equal(blvm_kv_commit(t), BLVM_KV_OK);

    /* An aborted transaction leaves nothing. */
    assert_int_equal(blvm_kv_begin(kv, true, &t), BLVM_KV_OK);
    put_str(t, "a3", "three");
    assert_int_equal(blvm_kv_del(t, "a1", 2), BLVM_KV_OK);
    blvm_kv_abort(t);

    assert_int_equal(blvm_kv_begin(kv, false, &t), BLVM_KV_OK);
    expect_str(t, "a1", "one");
    expect_str(t, "a2", "two");
    expect_str(t, "a3", NULL);
    /* Read transactions refuse writes. */
    assert_int_equal(blvm_kv_put(t, "x", 1, "y", 1), BLVM_KV_INVALID);
    blvm_kv_abort(t);

    assert_int_equal(blvm_kv_begin(kv, true, &t), BLVM_KV_OK);
    assert_int_equal(blvm_kv_del(t, "a1", 2), BLVM_KV_OK);
    assert_int_equal(blvm_kv_del(t, "zz", 2), BLVM_KV_OK); /* missing: fine */
    /* Bad keys are refused with a clear code. */
    assert_int_equal(blvm_kv_put(t, "", 0, "v", 1), BLVM_KV_INVALID);
    uint8_t big[BLVM_KV_MAX_KEY + 1] = {0};
    assert_int_equal(blvm_kv_put(t, big, sizeof big, "v", 1), BLVM_KV_INVALID);
    /* Empty values are allowed. */
    assert_int_equal(blvm_kv_put(t, "e", 1, NULL, 0), BLVM_KV_OK);
    assert_int_equal(blvm_kv_commit(t), BLVM_KV_OK);

    assert_int_equal(blvm_kv_begin(kv, false, &t), BLVM_KV_OK);
    expect_str(t, "a1", NULL);
    expect_str(t, "e", "");
    blvm_kv_abort(t);
    blvm_kv_close(kv);

    /* Reopen: committed state survives. */
    assert_int_equal(blvm_kv_open(&kv, *state, NULL), BLVM_KV_OK);
    assert_int_equal(blvm_kv_begin(kv, false, &t), BLVM_KV_OK);
    expect_str(t, "a2", "two");
    expect_str(t, "a1", NULL);
    blvm_kv_abort(t);
    blvm_kv_close(kv);
    assert_string_equal(blvm_kv_strerror(BLVM_KV_NOTFOUND), "not found");
}

static void test_cursor_prefix(void **state) {
    blvm_kv *kv;
    assert_int_equal(blvm_kv_open(&kv, *state, NULL), BLVM_KV_OK);
    blvm_kv_txn *t;
    assert_int_equal(blvm_kv_begin(kv, true, &t), BLVM_KV_OK);
    put_str(t, "B", "best");
    put_str(t, "C3", "c");
    put_str(t, "C1", "a");
    put_str(t, "C2", "b");
    put_str(t, "D0", "d");
    assert_int_equal(blvm_kv_commit(t), BLVM_KV_OK);

    assert_int_equal(blvm_kv_begin(kv, false, &t), BLVM_KV_OK);
    blvm_kv_cursor *c;
    assert_int_equal(blvm_kv_cursor_open(t, "C", 1, &c), BLVM_KV_OK);
    const char *want[] = {"C1", "C2", "C3"};
    const void *k, *v;
    size_t kl, vl;
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(blvm_kv_cursor_next(c, &k, &kl, &v, &vl), BLVM_KV_OK);
        assert_int_equal(kl, 2);
        assert_memory_equal(k, want[i], 2);
    }
    assert_int_equal(blvm_kv_cursor_next(c, &k, &kl, &v, &vl), BLVM_KV_NOTFOUND);
    blvm_kv_cursor_close(c);

    /* A prefix nothing matches, past the last key. */
    assert_int_equal(blvm_kv_cursor_open(t, "Z", 1, &c), BLVM_KV_OK);
    assert_int_equal(blvm_kv_cursor_next(c, &k, &kl, &v, &vl), BLVM_KV_NOTFOUND);
    blvm_kv_cursor_close(c);

    /* No prefix: everything. */
    assert_int_equal(blvm_kv_cursor_open(t, NULL, 0, &c), BLVM_KV_OK);
    size_t n = 0;
    while (blvm_kv_cursor_next(c, &k, &kl, &v, &vl) == BLVM_KV_OK)
        n++;
    assert_int_equal(n, 5);
    blvm_kv_cursor_close(c);
    blvm_kv_abort(t);
    blvm_kv_close(kv);
}

struct fill_ctx {
    unsigned count;
    unsigned runs;
    bool fail_at_end;
};

static int fill_fn(blvm_kv_txn *t, void *arg) {
    struct fill_ctx *ctx = arg;
    ctx->runs++;
    uint8_t val[2000];
    for (unsigned i = 0; i < ctx->count; i++) {
        char key[16];
        int kl = snprintf(key, sizeof key, "k%08u", i);
        memset(val, (int)(i & 0xff), sizeof val);
        int rc = blvm_kv_put(t, key, (size_t)kl, val, sizeof val);
        if (rc) return rc;
    }
    return ctx->fail_at_end ? BLVM_KV_ABORTED : BLVM_KV_OK;
}

static void test_update_grows_map_atomically(void **state) {
    blvm_kv *kv;
    blvm_kv_options opt = {.initial_map_size = 1 << 20, .no_sync = true};
    assert_int_equal(blvm_kv_open(&kv, *state, &opt), BLVM_KV_OK);
    assert_int_equal(blvm_kv_map_size(kv), 1 << 20);

    /* An aborting callback leaves nothing behind. */
    struct fill_ctx ctx = {.count = 100, .fail_at_end = true};
    assert_int_equal(blvm_kv_update(kv, fill_fn, &ctx), BLVM_KV_ABORTED);
    blvm_kv_txn *t;
    assert_int_equal(blvm_kv_begin(kv, false, &t), BLVM_KV_OK);
    const void *v;
    size_t vl;
    assert_int_equal(blvm_kv_get(t, "k00000000", 9, &v, &vl), BLVM_KV_NOTFOUND);
    blvm_kv_abort(t);

    /* ~8 MB into a 1 MiB map: the map must grow, and the batch lands whole. */
    ctx = (struct fill_ctx){.count = 4000};
    assert_int_equal(blvm_kv_update(kv, fill_fn, &ctx), BLVM_KV_OK);
    assert_true(ctx.runs > 1);
    assert_true(blvm_kv_map_size(kv) >= (8u << 20));
    assert_int_equal(blvm_kv_sync(kv), BLVM_KV_OK);
    blvm_kv_close(kv);

    assert_int_equal(blvm_kv_open(&kv, *state, &opt), BLVM_KV_OK);
    assert_true(blvm_kv_map_size(kv) >= (8u << 20)); /* the grown size is kept */
    assert_int_equal(blvm_kv_begin(kv, false, &t), BLVM_KV_OK);
    blvm_kv_cursor *c;
    assert_int_equal(blvm_kv_cursor_open(t, "k", 1, &c), BLVM_KV_OK);
    unsigned n = 0;
    const void *k;
    size_t kl;
    while (blvm_kv_cursor_next(c, &k, &kl, &v, &vl) == BLVM_KV_OK) {
        assert_int_equal(vl, 2000);
        assert_int_equal(((const uint8_t *)v)[1999], n & 0xff);
        n++;
    }
    assert_int_equal(n, 4000);
    blvm_kv_cursor_close(c);
    blvm_kv_abort(t);
    blvm_kv_close(kv);
}

static void test_open_bad_dir(void **state) {
    (void)state;
    blvm_kv *kv;
    int rc = blvm_kv_open(&kv, "/nonexistent/blvm/dir", NULL);
    assert_int_not_equal(rc, BLVM_KV_OK);
    assert_null(kv);
    assert_non_null(blvm_kv_strerror(rc));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_put_get_delete_commit_abort, blvm_test_tmpdir_setup,
                                        blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_cursor_prefix, blvm_test_tmpdir_setup,
                                        blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_update_grows_map_atomically, blvm_test_tmpdir_setup,
                                        blvm_test_tmpdir_teardown),
        cmocka_unit_test(test_open_bad_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
