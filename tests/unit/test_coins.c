/* Unit tests for src/node/coins: the coins cache over the key-value store
 * (DIRTY/FRESH rules, atomic flush with the best block, key-order
 * iteration) against a simple model under random operations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unistd.h>

#include "node/coins.h"
#include "testutil.h"

static blvm_kv *open_kv(const char *dir) {
    blvm_kv *kv;
    blvm_kv_options opt = {.initial_map_size = 1 << 20, .no_sync = true};
    assert_int_equal(blvm_kv_open(&kv, dir, &opt), BLVM_KV_OK);
    return kv;
}

static blvm_outpoint mk_op(uint32_t id, uint32_t n) {
    blvm_outpoint op;
    memset(op.hash, 0, 32);
    memcpy(op.hash, &id, 4);
    op.hash[31] = (uint8_t)id;
    op.n = n;
    return op;
}

static void mk_coin(blvm_coin *c, blvm_amount value, uint32_t height, size_t script_len) {
    blvm_coin_init(c);
    c->out.value = value;
    c->height = height;
    c->coinbase = (height & 1) != 0;
    uint8_t s[64];
    for (size_t i = 0; i < script_len && i < sizeof s; i++)
        s[i] = (uint8_t)(value + i);
    assert_true(blvm_script_set(&c->out.script_pubkey, s, script_len));
}

static size_t store_count(const char *dir) {
    blvm_kv *kv = open_kv(dir);
    blvm_kv_txn *t;
    assert_int_equal(blvm_kv_begin(kv, false, &t), BLVM_KV_OK);
    blvm_kv_cursor *cur;
    assert_int_equal(blvm_kv_cursor_open(t, "C", 1, &cur), BLVM_KV_OK);
    const void *k, *v;
    size_t kl, vl, n = 0;
    while (blvm_kv_cursor_next(cur, &k, &kl, &v, &vl) == BLVM_KV_OK)
        n++;
    blvm_kv_cursor_close(cur);
    blvm_kv_abort(t);
    blvm_kv_close(kv);
    return n;
}

static void test_add_spend_flush(void **state) {
    blvm_kv *kv = open_kv(*state);
    blvm_coins_cache *c = blvm_coins_create(kv);
    blvm_outpoint a = mk_op(1, 0), b = mk_op(1, 1), d = mk_op(2, 0);
    blvm_coin coin;
    mk_coin(&coin, 5000, 10, 25);
    assert_true(blvm_coins_add(c, &a, &coin, false));
    assert_null(coin.out.script_pubkey.data); /* moved */
    mk_coin(&coin, 7000, 11, 30);
    assert_true(blvm_coins_add(c, &b, &coin, false));
    /* Overwriting an unspent coin is refused unless allowed. */
    mk_coin(&coin, 1, 1, 1);
    assert_false(blvm_coins_add(c, &a, &coin, false));
    blvm_coin_clear(&coin);

    const blvm_coin *got;
    assert_int_equal(blvm_coins_get(c, &a, &got), 1);
    assert_int_equal(got->out.value, 5000);
    assert_int_equal(blvm_coins_get(c, &d, &got), 0);

    /* A FRESH coin spent before any flush never reaches the store. */
    mk_coin(&coin, 9, 12, 3);
    assert_true(blvm_coins_add(c, &d, &coin, false));
    blvm_coin out;
    assert_int_equal(blvm_coins_spend(c, &d, &out), 1);
    assert_int_equal(out.out.value, 9);
    blvm_coin_clear(&out);
    assert_int_equal(blvm_coins_spend(c, &d, NULL), 0); /* already spent */
    assert_int_equal(blvm_coins_dirty_count(c), 2);

    uint8_t best[32];
    memset(best, 0x42, 32);
    blvm_coins_set_best(c, best);
    assert_int_equal(blvm_coins_flush(c, false, NULL, NULL), BLVM_KV_OK);
    assert_int_equal(blvm_coins_cached_count(c), 0);
    blvm_coins_destroy(c);
    blvm_kv_close(kv);
    assert_int_equal(store_count(*state), 2);

    /* Reopen: coins and best block come back from the store. */
    kv = open_kv(*state);
    uint8_t rb[32];
    assert_int_equal(blvm_coins_read_best(kv, rb), 1);
    assert_memory_equal(rb, best, 32);
    c = blvm_coins_create(kv);
    assert_int_equal(blvm_coins_get(c, &b, &got), 1);
    assert_int_equal(got->out.value, 7000);
    assert_int_equal(got->height, 11);
    assert_true(got->coinbase);
    assert_int_equal(got->out.script_pubkey.len, 30);
    /* Spending a stored coin marks it DIRTY; the flush deletes it. */
    assert_int_equal(blvm_coins_spend(c, &a, &out), 1);
    assert_int_equal(out.height, 10);
    /* Re-adding after a dirty spend is fine, and not FRESH. */
    assert_true(blvm_coins_add(c, &a, &out, false));
    assert_int_equal(blvm_coins_spend(c, &a, NULL), 1);
    assert_int_equal(blvm_coins_flush(c, true, NULL, NULL), BLVM_KV_OK);
    assert_int_equal(blvm_coins_cached_count(c), 1); /* b stays, clean */
    assert_int_equal(blvm_coins_dirty_count(c), 0);
    blvm_coins_destroy(c);
    blvm_kv_close(kv);
    assert_int_equal(store_count(*state), 1);
}

static int extra_fail(blvm_kv_txn *t, void *ctx) {
    (void)ctx;
    int rc = blvm_kv_put(t, "X", 1, "x", 1);
    return rc ? rc : BLVM_KV_ABORTED;
}

static int extra_ok(blvm_kv_txn *t, void *ctx) {
    int *runs = ctx;
    (*runs)++;
    return blvm_kv_put(t, "X", 1, "x", 1);
}

static void test_flush_is_atomic(void **state) {
    blvm_kv *kv = open_kv(*state);
    blvm_coins_cache *c = blvm_coins_create(kv);
    blvm_outpoint a = mk_op(7, 3);
    blvm_coin coin;
    mk_coin(&coin, 100, 2, 20);
    assert_true(blvm_coins_add(c, &a, &coin, false));
    uint8_t best[32];
    memset(best, 0x55, 32);
    blvm_coins_set_best(c, best);
    /* The caller's part of the transaction fails: nothing is written and the
     * cache still holds its dirty entry. */
    assert_int_equal(blvm_coins_flush(c, false, extra_fail, NULL), BLVM_KV_ABORTED);
    assert_int_equal(blvm_coins_dirty_count(c), 1);
    uint8_t rb[32];
    assert_int_equal(blvm_coins_read_best(kv, rb), 0);
    blvm_kv_txn *t;
    const void *v;
    size_t vl;
    assert_int_equal(blvm_kv_begin(kv, false, &t), BLVM_KV_OK);
    assert_int_equal(blvm_kv_get(t, "X", 1, &v, &vl), BLVM_KV_NOTFOUND);
    blvm_kv_abort(t);

    /* Many coins into a 1 MiB map: the map grows and everything lands. */
    for (uint32_t i = 0; i < 20000; i++) {
        blvm_outpoint op = mk_op(1000 + i, i % 3);
        mk_coin(&coin, i + 1, i, 40);
        assert_true(blvm_coins_add(c, &op, &coin, false));
    }
    int runs = 0;
    assert_int_equal(blvm_coins_flush(c, false, extra_ok, &runs), BLVM_KV_OK);
    assert_true(runs >= 1);
    assert_int_equal(blvm_coins_read_best(kv, rb), 1);
    blvm_coins_destroy(c);
    blvm_kv_close(kv);
    assert_int_equal(store_count(*state), 20001);
}

/* ---- random operations against a model ---- */

#define MODEL_N 3000

typedef struct {
    bool live;
    blvm_amount value;
    uint32_t height;
    size_t script_len;
} model_coin;

struct visit_ctx {
    model_coin *model;
    size_t seen;
    uint8_t last_key[BLVM_COIN_KEY_MAX];
    size_t last_len;
    bool ordered;
};

static bool visit(void *arg, const blvm_outpoint *op, const blvm_coin *coin) {
    struct visit_ctx *v = arg;
    uint32_t id;
    memcpy(&id, op->hash, 4);
    uint32_t idx = id * 2 + op->n;
    assert_true(idx < MODEL_N);
    assert_true(v->model[idx].live);
    assert_int_equal(coin->out.value, v->model[idx].value);
    assert_int_equal(coin->height, v->model[idx].height);
    assert_int_equal(coin->out.script_pubkey.len, v->model[idx].script_len);
    uint8_t key[BLVM_COIN_KEY_MAX];
    size_t kl = blvm_coin_key(key, op);
    if (v->seen) {
        size_t m = kl < v->last_len ? kl : v->last_len;
        int cmp = memcmp(v->last_key, key, m);
        if (cmp > 0 || (cmp == 0 && v->last_len >= kl)) v->ordered = false;
    }
    memcpy(v->last_key, key, kl);
    v->last_len = kl;
    v->seen++;
    return true;
}

static void test_random_against_model(void **state) {
    unsigned seed = (unsigned)getpid();
    printf("seed %u\n", seed);
    srand(seed);
    blvm_kv *kv = open_kv(*state);
    blvm_coins_cache *c = blvm_coins_create(kv);
    model_coin *model = calloc(MODEL_N, sizeof(*model));
    for (int step = 0; step < 40000; step++) {
        uint32_t idx = (uint32_t)rand() % MODEL_N;
        blvm_outpoint op = mk_op(idx / 2, idx % 2);
        int what = rand() % 10;
        if (what < 5) {
            bool overwrite = rand() % 4 == 0;
            if (model[idx].live && !overwrite) continue;
            blvm_coin coin;
            model_coin m = {true, rand() % 100000, (uint32_t)rand() % 1000, (size_t)(rand() % 60)};
            mk_coin(&coin, m.value, m.height, m.script_len);
            assert_true(blvm_coins_add(c, &op, &coin, overwrite));
            model[idx] = m;
        } else if (what < 9) {
            blvm_coin out;
            int rc = blvm_coins_spend(c, &op, &out);
            assert_int_equal(rc, model[idx].live ? 1 : 0);
            if (rc == 1) assert_int_equal(out.out.value, model[idx].value);
            blvm_coin_clear(&out);
            model[idx].live = false;
        } else {
            const blvm_coin *got;
            int rc = blvm_coins_get(c, &op, &got);
            assert_int_equal(rc, model[idx].live ? 1 : 0);
            if (rc == 1) assert_int_equal(got->out.value, model[idx].value);
        }
        if (step % 5000 == 4999) assert_int_equal(blvm_coins_flush(c, rand() % 2, NULL, NULL), 0);
        if (step % 13001 == 13000) {
            /* drop the cache and restart from the store after a flush */
            assert_int_equal(blvm_coins_flush(c, false, NULL, NULL), 0);
            blvm_coins_destroy(c);
            c = blvm_coins_create(kv);
        }
    }
    assert_int_equal(blvm_coins_flush(c, true, NULL, NULL), 0);
    struct visit_ctx v = {.model = model, .ordered = true};
    assert_int_equal(blvm_coins_for_each(c, visit, &v), BLVM_KV_OK);
    size_t live = 0;
    for (size_t i = 0; i < MODEL_N; i++)
        live += model[i].live;
    assert_int_equal(v.seen, live);
    assert_true(v.ordered);
    assert_true(blvm_coins_usage(c) > 0);

    /* for_each refuses while entries are dirty */
    blvm_coin coin;
    blvm_outpoint op = mk_op(99999, 0);
    mk_coin(&coin, 1, 1, 1);
    assert_true(blvm_coins_add(c, &op, &coin, false));
    assert_int_equal(blvm_coins_for_each(c, visit, &v), BLVM_KV_INVALID);
    free(model);
    blvm_coins_destroy(c);
    blvm_kv_close(kv);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_add_spend_flush, blvm_test_tmpdir_setup,
                                        blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_flush_is_atomic, blvm_test_tmpdir_setup,
                                        blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_random_against_model, blvm_test_tmpdir_setup,
                                        blvm_test_tmpdir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
