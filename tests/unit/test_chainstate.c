/* Unit tests for src/node/chainstate on regtest: connect/disconnect/reorg
 * round trips restore the UTXO set exactly; invalid blocks are rejected
 * with Core's reasons and change nothing; restart, crash recovery (a child
 * process that dies without flushing, and a real kill -9 while mining),
 * -reindex, -reindex-chainstate, -loadblock, damaged block files and
 * pruning. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "consensus/chain_rules.h"
#include "consensus/merkle.h"
#include "consensus/pow.h"
#include "crypto/sha256.h"
#include "node/chainstate.h"
#include "testchain.h"

static const blvm_params *P;
static const uint8_t TRUE_SCRIPT[1] = {0x51};

static int setup_dir(void **state) {
    P = blvm_params_get(BLVM_NET_REGTEST);
    return blvm_test_tmpdir_setup(state);
}

static int64_t fixed_now(void) {
    return 2000000000;
}

/* Two script threads, no fsync. */
static blvm_chainstate_options default_opts(const char *dir) {
    return blvm_tc_options(dir, 2, true, fixed_now);
}

static blvm_chainstate *open_cs(const char *dir) {
    blvm_chainstate_options o = default_opts(dir);
    return blvm_tc_open(P, &o);
}

/* ---- building blocks ---- */

/* A transaction spending `prev` (an TRUE_SCRIPT output) into `nout` TRUE_SCRIPT
 * outputs, paying `fee`. */
static void make_spend(blvm_tx *tx, const blvm_outpoint *prev, blvm_amount value, blvm_amount fee,
                       size_t nout) {
    blvm_tx_init(tx);
    assert_true(blvm_tx_resize(tx, 1, nout));
    tx->version = 2;
    tx->vin[0].prevout = *prev;
    tx->vin[0].sequence = BLVM_SEQUENCE_FINAL;
    blvm_amount each = (value - fee) / (blvm_amount)nout;
    for (size_t i = 0; i < nout; i++) {
        tx->vout[i].value = each;
        assert_true(blvm_script_set(&tx->vout[i].script_pubkey, TRUE_SCRIPT, 1));
    }
    blvm_tx_compute_hashes(tx);
}

/* Mines n empty blocks on the tip; returns the last. */
static blvm_tc_parent mine(blvm_chainstate *cs, int n, size_t opreturn) {
    blvm_tc_parent p = blvm_tc_tip(cs);
    for (int i = 0; i < n; i++) {
        blvm_block b;
        blvm_tc_block_opts bo = {.cb.opreturn = opreturn};
        blvm_tc_build(&b, P, &p, NULL, 0, 0, &bo);
        blvm_validation_state st;
        blvm_process_result res;
        assert_true(blvm_chainstate_process_block(cs, &b, &res, &st));
        assert_true(res.new_block);
        p = blvm_tc_ref_of(&b, p.height + 1);
        blvm_block_clear(&b);
    }
    return p;
}

static blvm_outpoint coinbase_out(blvm_chainstate *cs, int32_t height) {
    uint8_t hash[32];
    assert_true(blvm_chainstate_hash_at_height(cs, height, hash));
    blvm_block blk;
    assert_true(blvm_tc_read_block(cs, hash, &blk));
    blvm_outpoint op;
    memcpy(op.hash, blk.txs[0].txid, 32);
    op.n = 0;
    blvm_block_clear(&blk);
    return op;
}

/* ---- tests ---- */

static void test_genesis_and_restart(void **state) {
    blvm_chainstate *cs = open_cs(*state);
    assert_non_null(cs);
    blvm_tip_info t;
    blvm_chainstate_tip(cs, &t);
    assert_int_equal(t.height, 0);
    assert_memory_equal(t.hash, P->genesis_hash, 32);
    blvm_tc_utxo_digest d0 = blvm_tc_utxo(cs);
    assert_int_equal(d0.count, 0); /* the genesis coinbase is not spendable */
    mine(cs, 5, 0);
    blvm_tc_utxo_digest d5 = blvm_tc_utxo(cs);
    assert_int_equal(d5.count, 5);
    assert_int_equal(d5.total, 5 * 50 * BLVM_COIN);
    blvm_chainstate_close(cs);

    cs = open_cs(*state);
    blvm_chainstate_tip(cs, &t);
    assert_int_equal(t.height, 5);
    blvm_tc_utxo_digest again = blvm_tc_utxo(cs);
    blvm_tc_assert_same_utxo(&d5, &again, false);
    /* blocks read back by height */
    uint8_t h3[32];
    assert_true(blvm_chainstate_hash_at_height(cs, 3, h3));
    assert_false(blvm_chainstate_hash_at_height(cs, 6, h3));
    blvm_chainstate_close(cs);
}

static void test_spend_and_invalid_blocks(void **state) {
    blvm_chainstate *cs = open_cs(*state);
    mine(cs, 101, 0);
    blvm_tc_utxo_digest before = blvm_tc_utxo(cs);
    blvm_tc_parent p = blvm_tc_tip(cs);
    blvm_outpoint cb1 = coinbase_out(cs, 1);
    blvm_outpoint cb2 = coinbase_out(cs, 2);
    blvm_amount v = 50 * BLVM_COIN;
    blvm_validation_state st;

    struct {
        const char *reason;
        int kind;
    } cases[] = {
        {"bad-cb-amount", 0},
        {"bad-txns-premature-spend-of-coinbase", 1},
        {"bad-txns-inputs-missingorspent", 2},
        {"bad-txnmrklroot", 3},
        {"high-hash", 4},
        {"bad-diffbits", 5},
        {"time-too-old", 6},
        {"time-too-new", 7},
        {"bad-txns-inputs-missingorspent", 8}, /* double spend inside one block */
        {"bad-txns-in-belowout", 9},
    };
    for (size_t i = 0; i < BLVM_ARRAY_LEN(cases); i++) {
        blvm_block b;
        blvm_tc_block_opts bo = {.cb.tag = (uint8_t)i};
        blvm_tx txs[2];
        size_t ntx = 0;
        blvm_amount fees = 0;
        switch (cases[i].kind) {
        case 0:
            bo.cb_extra = 1;
            break;
        case 1: { /* the coinbase of height 100 matures at 200 */
            blvm_outpoint young = coinbase_out(cs, 100);
            make_spend(&txs[0], &young, v, 1000, 1);
            ntx = 1;
            fees = 1000;
            break;
        }
        case 2: {
            blvm_outpoint ghost = cb1;
            ghost.n = 7;
            make_spend(&txs[0], &ghost, v, 1000, 1);
            ntx = 1;
            break;
        }
        case 3:
            bo.bad_merkle = true;
            break;
        case 4:
            bo.bad_pow = true;
            break;
        case 5:
            bo.bits = 0x207ffffe;
            break;
        case 6:
            bo.time_delta = -100000;
            break;
        case 7:
            bo.time_delta = fixed_now() - p.time + 3 * 3600;
            break;
        case 8:
            make_spend(&txs[0], &cb1, v, 1000, 1);
            make_spend(&txs[1], &cb1, v, 2000, 1);
            ntx = 2;
            fees = 3000;
            break;
        case 9:
            make_spend(&txs[0], &cb2, v, -5, 1); /* pays out more than it spends */
            ntx = 1;
            break;
        }
        blvm_tc_build(&b, P, &p, txs, ntx, fees, &bo);
        for (size_t k = 0; k < ntx; k++)
            blvm_tx_clear(&txs[k]);
        assert_false(blvm_tc_submit(cs, &b, &st));
        if (strcmp(st.reject_reason, cases[i].reason) != 0)
            fail_msg("case %zu: got %s, want %s", i, st.reject_reason, cases[i].reason);
        /* submitblock's answer for the same block again */
        blvm_writer w;
        blvm_writer_init(&w);
        blvm_block_encode(&b, &w, true);
        char buf[160];
        const char *r = blvm_chainstate_submitblock(cs, w.data, w.len, buf, sizeof buf);
        assert_non_null(r);
        blvm_writer_clear(&w);
        blvm_block_clear(&b);
        blvm_tc_utxo_digest after = blvm_tc_utxo(cs);
        blvm_tc_assert_same_utxo(&before, &after, false);
    }
    /* garbage and an unknown parent */
    char buf[160];
    const uint8_t junk[] = {1, 2, 3};
    assert_string_equal(blvm_chainstate_submitblock(cs, junk, sizeof junk, buf, sizeof buf),
                        "block decode failed");
    blvm_block orphan;
    blvm_tc_parent nowhere = p;
    nowhere.hash[5] ^= 0x40;
    blvm_tc_build(&orphan, P, &nowhere, NULL, 0, 0, NULL);
    assert_false(blvm_tc_submit(cs, &orphan, &st));
    assert_string_equal(st.reject_reason, "prev-blk-not-found");
    blvm_block_clear(&orphan);

    /* A good block spending two coinbases, one output spent again in the
     * same block (allowed: created earlier in the block). */
    blvm_tx txs[3];
    make_spend(&txs[0], &cb1, v, 2000, 3);
    blvm_outpoint child = {.n = 1};
    memcpy(child.hash, txs[0].txid, 32);
    make_spend(&txs[1], &child, txs[0].vout[1].value, 500, 1);
    make_spend(&txs[2], &cb2, v, 0, 2);
    blvm_block good;
    blvm_tc_build(&good, P, &p, txs, 3, 2500, NULL);
    assert_true(blvm_tc_submit(cs, &good, &st));
    char gbuf[160];
    blvm_writer w;
    blvm_writer_init(&w);
    blvm_block_encode(&good, &w, true);
    assert_string_equal(blvm_chainstate_submitblock(cs, w.data, w.len, gbuf, sizeof gbuf),
                        "duplicate");
    blvm_writer_clear(&w);
    blvm_coin coin;
    assert_int_equal(blvm_chainstate_get_coin(cs, &cb1, &coin), 0);
    assert_int_equal(blvm_chainstate_get_coin(cs, &child, &coin), 0);
    blvm_outpoint o2 = child;
    o2.n = 2;
    assert_int_equal(blvm_chainstate_get_coin(cs, &o2, &coin), 1);
    assert_int_equal(coin.height, 102);
    assert_false(coin.coinbase);
    blvm_coin_clear(&coin);
    blvm_tc_utxo_digest after = blvm_tc_utxo(cs);
    /* +1 coinbase, -2 spent coinbases, +3 +1 +2 new, -1 spent in block */
    assert_int_equal(after.count, before.count + 1 - 2 + 3 + 1 + 2 - 1);
    assert_int_equal(after.total, before.total + 50 * BLVM_COIN);

    /* Disconnect the block (invalidate) and the set is exactly as before;
     * reconsider and it is back. */
    uint8_t gh[32];
    blvm_header_hash(&good.header, gh);
    assert_true(blvm_chainstate_invalidate_block(cs, gh, &st));
    blvm_tc_utxo_digest undone = blvm_tc_utxo(cs);
    blvm_tc_assert_same_utxo(&before, &undone, false);
    assert_true(blvm_chainstate_reconsider_block(cs, gh, &st));
    blvm_tc_utxo_digest redone = blvm_tc_utxo(cs);
    blvm_tc_assert_same_utxo(&after, &redone, false);
    for (int k = 0; k < 3; k++)
        blvm_tx_clear(&txs[k]);
    blvm_block_clear(&good);
    blvm_chainstate_close(cs);
}

static void test_reorg_round_trip(void **state) {
    blvm_chainstate *cs = open_cs(*state);
    mine(cs, 110, 0);
    /* A chain of spends so that reorgs move real coins around. */
    blvm_tc_utxo_digest at[130];
    at[110] = blvm_tc_utxo(cs);
    for (int h = 111; h < 120; h++) {
        blvm_tc_parent p = blvm_tc_tip(cs);
        blvm_outpoint cb = coinbase_out(cs, h - 110);
        blvm_tx tx;
        make_spend(&tx, &cb, 50 * BLVM_COIN, 10000, 4);
        blvm_block b;
        blvm_tc_build(&b, P, &p, &tx, 1, 10000, NULL);
        blvm_validation_state st;
        assert_true(blvm_tc_submit(cs, &b, &st));
        blvm_tx_clear(&tx);
        blvm_block_clear(&b);
        at[h] = blvm_tc_utxo(cs);
    }
    /* Fork at 114 with a longer branch: a deep reorg. */
    uint8_t fork_hash[32];
    assert_true(blvm_chainstate_hash_at_height(cs, 114, fork_hash));
    blvm_chainstate_lock(cs);
    blvm_block_index *fb = blvm_chainstate_find_locked(cs, fork_hash);
    blvm_tc_parent p = {.height = 114, .time = fb->entry.time};
    memcpy(p.hash, fork_hash, 32);
    blvm_chainstate_unlock(cs);
    uint8_t side_tip[32];
    for (int i = 0; i < 7; i++) {
        blvm_block b;
        blvm_tc_block_opts bo = {.cb.tag = 0x77};
        blvm_tc_build(&b, P, &p, NULL, 0, 0, &bo);
        blvm_validation_state st;
        blvm_process_result res;
        assert_true(blvm_chainstate_process_block(cs, &b, &res, &st));
        p = blvm_tc_ref_of(&b, p.height + 1);
        memcpy(side_tip, p.hash, 32);
        blvm_block_clear(&b);
    }
    blvm_tip_info t;
    blvm_chainstate_tip(cs, &t);
    assert_int_equal(t.height, 121);
    assert_memory_equal(t.hash, side_tip, 32);
    blvm_chainstate_stats stats;
    blvm_chainstate_get_stats(cs, &stats);
    assert_true(stats.blocks_disconnected >= 5);

    /* Invalidate the side branch's first block: back to the old chain, whose
     * UTXO set must be exactly what it was. */
    uint8_t side_first[32];
    assert_true(blvm_chainstate_hash_at_height(cs, 115, side_first));
    blvm_validation_state st;
    assert_true(blvm_chainstate_invalidate_block(cs, side_first, &st));
    blvm_chainstate_tip(cs, &t);
    assert_int_equal(t.height, 119);
    blvm_tc_utxo_digest back = blvm_tc_utxo(cs);
    blvm_tc_assert_same_utxo(&at[119], &back, false);
    /* Invalidate deeper on the main chain too, step by step. */
    for (int h = 119; h > 111; h--) {
        uint8_t hh[32];
        assert_true(blvm_chainstate_hash_at_height(cs, h, hh));
        assert_true(blvm_chainstate_invalidate_block(cs, hh, &st));
        blvm_tc_utxo_digest d = blvm_tc_utxo(cs);
        blvm_tc_assert_same_utxo(&at[h - 1], &d, false);
    }
    /* Reconsider the side branch: it has the most work again. */
    assert_true(blvm_chainstate_reconsider_block(cs, side_first, &st));
    blvm_chainstate_tip(cs, &t);
    assert_memory_equal(t.hash, side_tip, 32);
    blvm_chainstate_close(cs);

    /* The reorged state survives a restart. */
    cs = open_cs(*state);
    blvm_chainstate_tip(cs, &t);
    assert_memory_equal(t.hash, side_tip, 32);

    /* verifychain at every level: all blocks, then the top 10 disconnected
     * and connected again with the same UTXO set after. */
    blvm_tc_utxo_digest d0 = blvm_tc_utxo(cs);
    for (int level = 0; level <= 4; level++) {
        assert_true(blvm_chainstate_verify(cs, level, level >= 3 ? 10 : 0, &st));
        blvm_tc_utxo_digest d = blvm_tc_utxo(cs);
        blvm_tc_assert_same_utxo(&d0, &d, false);
    }
    blvm_tip_info t2;
    blvm_chainstate_tip(cs, &t2);
    assert_memory_equal(t2.hash, side_tip, 32);
    /* A damaged undo record is found at level 2. */
    blvm_chainstate_lock(cs);
    blvm_block_index *tb = blvm_chainstate_tip_locked(cs);
    uint32_t undo_pos = tb->undo_pos;
    int file = tb->file;
    blvm_chainstate_unlock(cs);
    char path[1024];
    snprintf(path, sizeof path, "%s/blocks/rev%05d.dat", (char *)*state, file);
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    uint8_t x = 0xff;
    assert_int_equal(pwrite(fd, &x, 1, undo_pos + 1), 1);
    close(fd);
    assert_true(blvm_chainstate_verify(cs, 1, 10, &st));
    assert_false(blvm_chainstate_verify(cs, 2, 10, &st));
    assert_string_equal(st.reject_reason, "verifychain");
    blvm_chainstate_close(cs);
}

static void test_precious_block(void **state) {
    blvm_chainstate *cs = open_cs(*state);
    blvm_tc_parent base = mine(cs, 3, 0);
    blvm_block a, b;
    blvm_tc_block_opts ta = {.cb.tag = 1}, tb = {.cb.tag = 2};
    blvm_tc_build(&a, P, &base, NULL, 0, 0, &ta);
    blvm_tc_build(&b, P, &base, NULL, 0, 0, &tb);
    blvm_validation_state st;
    assert_true(blvm_tc_submit(cs, &a, &st));
    blvm_process_result res;
    assert_true(blvm_chainstate_process_block(cs, &b, &res, &st));
    assert_true(res.new_block);
    assert_false(res.checked); /* same work: stored, not connected */
    char buf[160];
    uint8_t ha[32], hb[32];
    blvm_header_hash(&a.header, ha);
    blvm_header_hash(&b.header, hb);
    blvm_tip_info t;
    blvm_chainstate_tip(cs, &t);
    assert_memory_equal(t.hash, ha, 32); /* first seen wins */
    assert_true(blvm_chainstate_precious_block(cs, hb, &st));
    blvm_chainstate_tip(cs, &t);
    assert_memory_equal(t.hash, hb, 32);
    assert_true(blvm_chainstate_precious_block(cs, ha, &st));
    blvm_chainstate_tip(cs, &t);
    assert_memory_equal(t.hash, ha, 32);
    /* a block on the other branch arrives: it is inconclusive until it has
     * more work, then it wins */
    blvm_tc_parent pb = blvm_tc_ref_of(&b, 4);
    blvm_block c;
    blvm_tc_build(&c, P, &pb, NULL, 0, 0, NULL);
    blvm_writer w;
    blvm_writer_init(&w);
    blvm_block_encode(&c, &w, true);
    assert_null(blvm_chainstate_submitblock(cs, w.data, w.len, buf, sizeof buf));
    blvm_writer_clear(&w);
    blvm_chainstate_tip(cs, &t);
    assert_int_equal(t.height, 5);
    blvm_block_clear(&a);
    blvm_block_clear(&b);
    blvm_block_clear(&c);
    blvm_chainstate_close(cs);
}

/* Script checks on the worker threads: a bare script, a P2WSH spend with
 * its witness (and the block's witness commitment), failures reported as
 * Core reports them, and blocks with witnesses read back for a reorg. */
static void test_script_checks(void **state) {
    blvm_chainstate *cs = open_cs(*state);
    mine(cs, 101, 0);
    blvm_outpoint cb1 = coinbase_out(cs, 1);
    static const uint8_t two_equal[2] = {0x52, 0x87}; /* OP_2 OP_EQUAL */
    uint8_t p2wsh[34] = {0x00, 0x20};
    blvm_sha256(p2wsh + 2, TRUE_SCRIPT, 1);

    blvm_tx fund;
    blvm_tx_init(&fund);
    assert_true(blvm_tx_resize(&fund, 1, 3));
    fund.version = 2;
    fund.vin[0].prevout = cb1;
    fund.vin[0].sequence = BLVM_SEQUENCE_FINAL;
    fund.vout[0].value = 10 * BLVM_COIN;
    assert_true(blvm_script_set(&fund.vout[0].script_pubkey, two_equal, 2));
    fund.vout[1].value = 10 * BLVM_COIN;
    assert_true(blvm_script_set(&fund.vout[1].script_pubkey, p2wsh, sizeof p2wsh));
    fund.vout[2].value = 30 * BLVM_COIN;
    assert_true(blvm_script_set(&fund.vout[2].script_pubkey, TRUE_SCRIPT, 1));
    blvm_tx_compute_hashes(&fund);
    blvm_tc_parent p = blvm_tc_tip(cs);
    blvm_block a;
    blvm_tc_build(&a, P, &p, &fund, 1, 0, NULL);
    blvm_validation_state st;
    assert_true(blvm_tc_submit(cs, &a, &st));
    p = blvm_tc_ref_of(&a, p.height + 1);
    blvm_tc_utxo_digest before = blvm_tc_utxo(cs);

    struct {
        uint8_t sig_op;     /* scriptSig for the bare output */
        uint8_t witness_op; /* witness script for the P2WSH output */
        const char *reason; /* NULL: valid */
    } cases[] = {
        {0x53, 0x51,
         "mandatory-script-verify-flag-failed (Script evaluated without error but finished "
         "with a false/empty top stack element)"},
        {0x52, 0x00, "mandatory-script-verify-flag-failed (Witness program hash mismatch)"},
        {0x52, 0x51, NULL},
    };
    uint8_t good_hash[32];
    for (size_t i = 0; i < BLVM_ARRAY_LEN(cases); i++) {
        blvm_tx spend;
        blvm_tx_init(&spend);
        assert_true(blvm_tx_resize(&spend, 2, 1));
        spend.version = 2;
        for (int k = 0; k < 2; k++) {
            memcpy(spend.vin[k].prevout.hash, fund.txid, 32);
            spend.vin[k].prevout.n = (uint32_t)k;
            spend.vin[k].sequence = BLVM_SEQUENCE_FINAL;
        }
        assert_true(blvm_script_set(&spend.vin[0].script_sig, &cases[i].sig_op, 1));
        assert_true(blvm_witness_push(&spend.vin[1].witness, &cases[i].witness_op, 1));
        spend.vout[0].value = 20 * BLVM_COIN - 1000;
        assert_true(blvm_script_set(&spend.vout[0].script_pubkey, TRUE_SCRIPT, 1));
        blvm_tx_compute_hashes(&spend);
        blvm_block b;
        blvm_tc_block_opts bo = {.cb.tag = (uint8_t)i};
        blvm_tc_build(&b, P, &p, &spend, 1, 1000, &bo);
        bool ok = blvm_tc_submit(cs, &b, &st);
        if (cases[i].reason) {
            assert_false(ok);
            assert_string_equal(st.reject_reason, cases[i].reason);
            blvm_tc_utxo_digest after = blvm_tc_utxo(cs);
            blvm_tc_assert_same_utxo(&before, &after, false);
        } else {
            assert_true(ok);
            blvm_header_hash(&b.header, good_hash);
        }
        blvm_tx_clear(&spend);
        blvm_block_clear(&b);
    }
    blvm_tc_utxo_digest after = blvm_tc_utxo(cs);
    assert_int_equal(after.count, before.count - 2 + 1 + 1);
    blvm_chainstate_stats stats;
    blvm_chainstate_get_stats(cs, &stats);
    assert_true(stats.inputs_checked >= 5);
    blvm_chainstate_close(cs);

    /* After a restart the block (with its witness) is read back from disk
     * to be disconnected, and connected again. */
    cs = open_cs(*state);
    assert_true(blvm_chainstate_invalidate_block(cs, good_hash, &st));
    blvm_tc_utxo_digest undone = blvm_tc_utxo(cs);
    blvm_tc_assert_same_utxo(&before, &undone, false);
    assert_true(blvm_chainstate_reconsider_block(cs, good_hash, &st));
    blvm_tc_utxo_digest redone = blvm_tc_utxo(cs);
    blvm_tc_assert_same_utxo(&after, &redone, false);
    blvm_chainstate_close(cs);
    blvm_tx_clear(&fund);
    blvm_block_clear(&a);
}

/* Assume-valid (Core's rules): scripts of an ancestor of the assumed-valid
 * block are not checked once the best header is two weeks of work past it;
 * without the setting the same block is rejected. */
static void test_assume_valid(void **state) {
    char dir_a[512], dir_b[512];
    snprintf(dir_a, sizeof dir_a, "%s/a", (char *)*state);
    snprintf(dir_b, sizeof dir_b, "%s/b", (char *)*state);
    blvm_chainstate *cs = open_cs(dir_a);
    enum { N = 103, HEADERS = 2100 };
    blvm_block *blocks = calloc(N + 1, sizeof(blvm_block));
    blvm_tc_parent p = blvm_tc_tip(cs);
    static const uint8_t two_equal[2] = {0x52, 0x87};
    blvm_tx fund, bad;
    for (int h = 1; h <= N; h++) {
        blvm_tx *txs = NULL;
        size_t ntx = 0;
        if (h == 102) { /* fund an OP_2 OP_EQUAL output from block 1's coinbase */
            blvm_outpoint cb1 = coinbase_out(cs, 1);
            make_spend(&fund, &cb1, 50 * BLVM_COIN, 0, 1);
            assert_true(blvm_script_set(&fund.vout[0].script_pubkey, two_equal, 2));
            blvm_tx_compute_hashes(&fund);
            txs = &fund;
            ntx = 1;
        }
        if (h == N) { /* spend it with the wrong number */
            blvm_outpoint o = {.n = 0};
            memcpy(o.hash, fund.txid, 32);
            make_spend(&bad, &o, 50 * BLVM_COIN, 0, 1);
            static const uint8_t three = 0x53;
            assert_true(blvm_script_set(&bad.vin[0].script_sig, &three, 1));
            blvm_tx_compute_hashes(&bad);
            txs = &bad;
            ntx = 1;
        }
        blvm_tc_build(&blocks[h], P, &p, txs, ntx, 0, NULL);
        p = blvm_tc_ref_of(&blocks[h], h);
        if (h < N) {
            blvm_validation_state st;
            assert_true(blvm_tc_submit(cs, &blocks[h], &st));
        }
    }
    /* headers on top of the bad block */
    blvm_block_header *hdrs = calloc(HEADERS, sizeof(blvm_block_header));
    for (int i = 0; i < HEADERS; i++) {
        blvm_block_header *h = &hdrs[i];
        h->version = 0x20000000;
        memcpy(h->prev_hash, p.hash, 32);
        h->time = p.time + 1;
        h->bits = P->genesis_header.bits;
        memset(h->merkle_root, 0x5a, 32);
        uint8_t hh[32];
        for (h->nonce = 0;; h->nonce++) {
            blvm_header_hash(h, hh);
            if (blvm_pow_check(hh, h->bits, P)) break;
        }
        memcpy(p.hash, hh, 32);
        p.time = h->time;
    }
    uint8_t assumed[32];
    memcpy(assumed, p.hash, 32);

    for (int with_av = 0; with_av < 2; with_av++) {
        if (with_av) {
            blvm_chainstate_options o = default_opts(dir_b);
            o.assume_valid = assumed;
            cs = blvm_tc_open(P, &o);
            for (int h = 1; h < N; h++) {
                blvm_validation_state st;
                assert_true(blvm_tc_submit(cs, &blocks[h], &st));
            }
        }
        blvm_validation_state st;
        assert_true(blvm_chainstate_process_header(cs, &blocks[N].header, &st));
        for (int i = 0; i < HEADERS; i++)
            assert_true(blvm_chainstate_process_header(cs, &hdrs[i], &st));
        blvm_chainstate_lock(cs);
        blvm_block_index *best = blvm_chainstate_best_header_locked(cs);
        assert_memory_equal(best->entry.hash, assumed, 32);
        blvm_chainstate_unlock(cs);
        bool ok = blvm_tc_submit(cs, &blocks[N], &st);
        blvm_tip_info t;
        blvm_chainstate_tip(cs, &t);
        if (with_av) {
            assert_true(ok);
            assert_int_equal(t.height, N);
        } else {
            assert_false(ok);
            assert_string_equal(st.reject_reason,
                                "mandatory-script-verify-flag-failed (Script evaluated without "
                                "error but finished with a false/empty top stack element)");
            assert_int_equal(t.height, N - 1);
        }
        blvm_chainstate_close(cs);
    }
    for (int h = 1; h <= N; h++)
        blvm_block_clear(&blocks[h]);
    free(blocks);
    free(hdrs);
    blvm_tx_clear(&fund);
    blvm_tx_clear(&bad);
}

static bool stop_after(void *ctx) {
    int *left = ctx;
    return (*left)-- <= 0;
}

/* A -reindex-chainstate stopped half way (shutdown) leaves a consistent
 * state that the next start completes. */
static void test_interrupted_reindex(void **state) {
    blvm_chainstate *cs = open_cs(*state);
    mine(cs, 50, 0);
    blvm_tc_utxo_digest full = blvm_tc_utxo(cs);
    blvm_chainstate_close(cs);

    blvm_chainstate_options o = default_opts(*state);
    o.reindex_chainstate = true;
    int polls = 20;
    o.should_stop = stop_after;
    o.should_stop_ctx = &polls;
    cs = blvm_tc_open(P, &o);
    assert_non_null(cs);
    blvm_tip_info t;
    blvm_chainstate_tip(cs, &t);
    assert_true(t.height >= 0 && t.height < 50);
    blvm_chainstate_close(cs);

    cs = open_cs(*state);
    blvm_chainstate_tip(cs, &t);
    assert_int_equal(t.height, 50);
    blvm_tc_utxo_digest again = blvm_tc_utxo(cs);
    blvm_tc_assert_same_utxo(&full, &again, false);
    blvm_chainstate_close(cs);
}

static bool count_record(void *ctx, const uint8_t *data, size_t len, uint64_t off) {
    (void)ctx;
    (void)data;
    (void)len;
    (void)off;
    return true;
}

/* A longer branch whose third block turns out invalid only when connected
 * (it overpays its coinbase): the node disconnects its chain, connects two
 * good blocks of the branch, meets the bad one, and goes back to its own
 * chain with exactly the UTXO set it had. Later blocks of the branch are
 * refused. */
static void test_reorg_to_invalid_branch(void **state) {
    blvm_chainstate *cs = open_cs(*state);
    mine(cs, 105, 0);
    for (int i = 0; i < 5; i++) { /* main chain with spends */
        blvm_tc_parent p = blvm_tc_tip(cs);
        blvm_outpoint cb = coinbase_out(cs, i + 1);
        blvm_tx tx;
        make_spend(&tx, &cb, 50 * BLVM_COIN, 0, 2);
        blvm_block b;
        blvm_tc_build(&b, P, &p, &tx, 1, 0, NULL);
        blvm_validation_state st;
        assert_true(blvm_tc_submit(cs, &b, &st));
        blvm_tx_clear(&tx);
        blvm_block_clear(&b);
    }
    blvm_tip_info main_tip;
    blvm_chainstate_tip(cs, &main_tip);
    assert_int_equal(main_tip.height, 110);
    blvm_tc_utxo_digest before = blvm_tc_utxo(cs);

    uint8_t fork_hash[32];
    assert_true(blvm_chainstate_hash_at_height(cs, 105, fork_hash));
    blvm_chainstate_lock(cs);
    blvm_tc_parent p = {.height = 105,
                        .time = blvm_chainstate_find_locked(cs, fork_hash)->entry.time};
    blvm_chainstate_unlock(cs);
    memcpy(p.hash, fork_hash, 32);
    blvm_chainstate_stats s0;
    blvm_chainstate_get_stats(cs, &s0);
    for (int i = 0; i < 7; i++) {
        blvm_block b;
        blvm_tc_block_opts bo = {.cb.tag = 0x99, .cb_extra = i == 2 ? 1 : 0};
        blvm_tc_build(&b, P, &p, NULL, 0, 0, &bo);
        blvm_validation_state st;
        blvm_process_result res;
        bool ok = blvm_chainstate_process_block(cs, &b, &res, &st);
        if (i < 5) {
            assert_true(ok); /* stored; not (yet) better than our chain */
        } else if (i == 5) {
            /* more work: the switch is tried and the bad block found */
            assert_true(res.new_block);
        } else {
            assert_false(ok);
            assert_string_equal(st.reject_reason, "bad-prevblk");
        }
        p = blvm_tc_ref_of(&b, p.height + 1);
        blvm_block_clear(&b);
    }
    blvm_tip_info t;
    blvm_chainstate_tip(cs, &t);
    assert_memory_equal(t.hash, main_tip.hash, 32);
    blvm_tc_utxo_digest after = blvm_tc_utxo(cs);
    blvm_tc_assert_same_utxo(&before, &after, false);
    blvm_chainstate_stats s1;
    blvm_chainstate_get_stats(cs, &s1);
    assert_int_equal(s1.blocks_disconnected - s0.blocks_disconnected, 5 + 2);
    blvm_chainstate_close(cs);
}

/* A child process mines and dies without flushing: the next open finds the
 * blocks past the recorded end of the block file and connects them again. */
static void test_replay_after_crash(void **state) {
    const char *dir = *state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        blvm_chainstate *cs = open_cs(dir);
        if (!cs) _exit(2);
        mine(cs, 20, 0);
        if (!blvm_chainstate_flush(cs)) _exit(3);
        mine(cs, 15, 0); /* never flushed */
        blvm_tc_utxo_digest d;
        /* compute the digest without flushing: a second chainstate would
         * conflict; instead report the tip and let the parent compare with a
         * clean reindex */
        blvm_tip_info t;
        blvm_chainstate_tip(cs, &t);
        memset(&d, 0, sizeof d);
        if (write(fds[1], &t, sizeof t) != (ssize_t)sizeof t) _exit(4);
        _exit(0); /* no close, no flush: as a crash */
    }
    close(fds[1]);
    blvm_tip_info child_tip;
    assert_int_equal(read(fds[0], &child_tip, sizeof child_tip), (ssize_t)sizeof child_tip);
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(child_tip.height, 35);

    /* As if the crash hit in the middle of writing a 36th block: a record
     * header and part of its data right after the last block. */
    char path[1024];
    snprintf(path, sizeof path, "%s/blocks/blk00000.dat", dir);
    blvm_blockfile_scan_report rep;
    assert_true(blvm_blockfile_scan(path, P->message_start, 0, count_record, NULL, &rep));
    assert_int_equal(rep.records, 36);
    uint8_t partial[8 + 100];
    memcpy(partial, P->message_start, 4);
    blvm_write_le32(partial + 4, 1000);
    memset(partial + 8, 0x42, 100);
    int fd = open(path, O_RDWR);
    assert_int_equal(pwrite(fd, partial, sizeof partial, (off_t)rep.end), (ssize_t)sizeof partial);
    close(fd);

    blvm_chainstate *cs = open_cs(dir);
    assert_non_null(cs);
    blvm_tip_info t;
    blvm_chainstate_tip(cs, &t);
    assert_int_equal(t.height, 35);
    assert_memory_equal(t.hash, child_tip.hash, 32);
    blvm_chainstate_stats stats;
    blvm_chainstate_get_stats(cs, &stats);
    assert_int_equal(stats.replayed_blocks, 15);
    blvm_tc_utxo_digest recovered = blvm_tc_utxo(cs);
    mine(cs, 2, 0); /* and it goes on normally, over the cut record */
    blvm_chainstate_close(cs);
    assert_true(blvm_blockfile_scan(path, P->message_start, 0, count_record, NULL, &rep));
    assert_int_equal(rep.records, 38);

    /* The same blocks rebuilt from scratch give the same set. */
    blvm_chainstate_options o = default_opts(dir);
    o.reindex_chainstate = true;
    cs = blvm_tc_open(P, &o);
    assert_non_null(cs);
    blvm_chainstate_tip(cs, &t);
    assert_int_equal(t.height, 37);
    assert_true(blvm_chainstate_invalidate_block(cs, (uint8_t[32]){0},
                                                 &(blvm_validation_state){0}) == false);
    uint8_t h36[32];
    assert_true(blvm_chainstate_hash_at_height(cs, 36, h36));
    blvm_validation_state st;
    assert_true(blvm_chainstate_invalidate_block(cs, h36, &st));
    blvm_tc_utxo_digest rebuilt = blvm_tc_utxo(cs);
    blvm_tc_assert_same_utxo(&recovered, &rebuilt, false);
    blvm_chainstate_close(cs);
}

/* A real kill -9 at a random moment while a child mines (with flushes
 * every second): the data dir must open, hold a consistent chain at least as
 * far as the child reported, and match a clean -reindex and
 * -reindex-chainstate of the same block files. */
static int64_t real_now(void) {
    return (int64_t)time(NULL);
}

static void test_kill_9_while_mining(void **state) {
    const char *dir = *state;
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    printf("seed %u\n", seed);
    srand(seed);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        blvm_chainstate_options o = default_opts(dir);
        o.now = real_now;
        o.flush_interval = 1;
        o.dbcache_bytes = 16 << 10; /* tiny cache: flushes when full too */
        o.no_sync = false;
        blvm_chainstate *cs = blvm_tc_open(P, &o);
        if (!cs) _exit(2);
        for (int i = 0; i < 100000; i++) {
            mine(cs, 1, 3000);
            /* flushes at random points, so the kill lands before, during
             * or after one */
            if (rand() % 4 == 0 && !blvm_chainstate_flush(cs)) _exit(4);
            int32_t h = blvm_tc_tip(cs).height;
            if (write(fds[1], &h, sizeof h) != (ssize_t)sizeof h) _exit(3);
        }
        _exit(0);
    }
    close(fds[1]);
    int32_t last = -1, h;
    int target = 40 + rand() % 60;
    while (last < target && read(fds[0], &h, sizeof h) == (ssize_t)sizeof h)
        last = h;
    usleep((useconds_t)(rand() % 20000));
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    close(fds[0]);
    assert_true(WIFSIGNALED(status));

    blvm_chainstate *cs = open_cs(dir);
    assert_non_null(cs);
    blvm_tip_info t;
    blvm_chainstate_tip(cs, &t);
    assert_true(t.height >= last);
    blvm_tc_utxo_digest recovered = blvm_tc_utxo(cs);
    assert_int_equal(recovered.count, (uint64_t)t.height); /* one coinbase per block */
    blvm_chainstate_close(cs);

    blvm_chainstate_options o = default_opts(dir);
    o.reindex_chainstate = true;
    cs = blvm_tc_open(P, &o);
    assert_non_null(cs);
    blvm_tip_info t2;
    blvm_chainstate_tip(cs, &t2);
    assert_memory_equal(t2.hash, t.hash, 32);
    blvm_tc_utxo_digest rc = blvm_tc_utxo(cs);
    blvm_tc_assert_same_utxo(&recovered, &rc, false);
    blvm_chainstate_close(cs);

    o.reindex_chainstate = false;
    o.reindex = true;
    cs = blvm_tc_open(P, &o);
    assert_non_null(cs);
    blvm_chainstate_tip(cs, &t2);
    assert_memory_equal(t2.hash, t.hash, 32);
    blvm_tc_utxo_digest ri = blvm_tc_utxo(cs);
    blvm_tc_assert_same_utxo(&recovered, &ri, false);
    blvm_chainstate_close(cs);
}

static void copy_file(const char *from, const char *to, long cut) {
    FILE *in = fopen(from, "rb");
    FILE *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[65536];
    size_t n;
    long total = 0;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
        if (cut >= 0 && total + (long)n > cut) n = (size_t)(cut - total);
        fwrite(buf, 1, n, out);
        total += (long)n;
        if (cut >= 0 && total >= cut) break;
    }
    fclose(in);
    fclose(out);
}

static void test_loadblock_and_damaged_files(void **state) {
    char a[512], b[512], ext[1024], blk[1024];
    snprintf(a, sizeof a, "%s/a", (char *)*state);
    snprintf(b, sizeof b, "%s/b", (char *)*state);
    blvm_chainstate *cs = open_cs(a);
    mine(cs, 30, 0);
    blvm_tc_utxo_digest da = blvm_tc_utxo(cs);
    blvm_tip_info ta;
    blvm_chainstate_tip(cs, &ta);
    blvm_chainstate_close(cs);

    /* Another node imports A's block file: same chain, same set. */
    snprintf(blk, sizeof blk, "%s/blocks/blk00000.dat", a);
    cs = open_cs(b);
    blvm_blockfile_scan_report rep;
    uint64_t imported;
    assert_true(blvm_chainstate_load_external(cs, blk, &rep, &imported));
    assert_int_equal(imported, 30); /* the genesis was there already */
    assert_false(rep.truncated);
    blvm_tip_info tb;
    blvm_chainstate_tip(cs, &tb);
    assert_memory_equal(tb.hash, ta.hash, 32);
    blvm_tc_utxo_digest db = blvm_tc_utxo(cs);
    blvm_tc_assert_same_utxo(&da, &db, false);
    /* A missing file is an error, not a crash. */
    snprintf(ext, sizeof ext, "%s/none.dat", (char *)*state);
    assert_false(blvm_chainstate_load_external(cs, ext, &rep, &imported));
    blvm_chainstate_close(cs);

    /* A's file cut in the middle of block 20's record, with garbage in the
     * middle: -reindex keeps what is intact and reports the rest. */
    blvm_chainstate_options o = default_opts(a);
    cs = open_cs(a);
    blvm_chainstate_lock(cs);
    blvm_block_index *b20 = blvm_chainstate_at_height_locked(cs, 20);
    blvm_block_index *b10 = blvm_chainstate_at_height_locked(cs, 10);
    uint32_t cut = b20->data_pos + 40, p10 = b10->data_pos;
    blvm_chainstate_unlock(cs);
    blvm_chainstate_close(cs);
    snprintf(ext, sizeof ext, "%s/cut.dat", (char *)*state);
    copy_file(blk, ext, cut);
    copy_file(ext, blk, -1);
    int fd = open(blk, O_RDWR);
    uint8_t junk[16];
    memset(junk, 0xee, sizeof junk);
    assert_int_equal(pwrite(fd, junk, sizeof junk, p10 + 100),
                     (ssize_t)sizeof junk); /* corrupt block 10 */
    close(fd);
    o.reindex = true;
    cs = blvm_tc_open(P, &o);
    assert_non_null(cs);
    blvm_tip_info t;
    blvm_chainstate_tip(cs, &t);
    assert_int_equal(t.height, 9); /* block 10 is damaged; 11.. have no parent */
    blvm_chainstate_close(cs);

    /* A file of garbage imports nothing and does not crash. */
    fd = open(ext, O_WRONLY | O_TRUNC);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(write(fd, junk, sizeof junk), (ssize_t)sizeof junk);
    close(fd);
    cs = open_cs(b);
    assert_true(blvm_chainstate_load_external(cs, ext, &rep, &imported));
    assert_int_equal(imported, 0);
    assert_int_equal(rep.skipped_bytes, 16000);
    blvm_chainstate_close(cs);
}

static void test_pruning(void **state) {
    blvm_chainstate_options o = default_opts(*state);
    o.max_blockfile_size = 0x10000; /* 64 KiB files, as Core's -fastprune */
    o.prune_target_bytes = 1 << 20; /* 1 MiB */
    blvm_chainstate *cs = blvm_tc_open(P, &o);
    assert_non_null(cs);
    /* Regtest prunes nothing automatically up to height 1000 (Core's
     * PruneAfterHeight). */
    mine(cs, 1000, 5000);
    assert_true(blvm_chainstate_flush(cs));
    blvm_chainstate_lock(cs);
    assert_int_equal(blvm_chainstate_prune_height_locked(cs), 0);
    blvm_chainstate_unlock(cs);
    mine(cs, 100, 5000); /* ~5 KB blocks: 12 per file */
    assert_true(blvm_chainstate_flush(cs));
    blvm_tip_info t;
    blvm_chainstate_tip(cs, &t);
    assert_int_equal(t.height, 1100);
    blvm_chainstate_lock(cs);
    int32_t ph = blvm_chainstate_prune_height_locked(cs);
    blvm_block_index *old = blvm_chainstate_at_height_locked(cs, 5);
    blvm_block_index *recent = blvm_chainstate_at_height_locked(cs, 1100 - 287);
    blvm_chainstate_unlock(cs);
    assert_true(ph > 50);
    assert_true(ph <= 1100 - 288 + 1);
    uint8_t *raw;
    size_t len;
    assert_false(blvm_chainstate_read_block(cs, old, &raw, &len));
    assert_true(blvm_chainstate_read_block(cs, recent, &raw, &len));
    free(raw);
    char path[4200];
    snprintf(path, sizeof path, "%s/blocks/blk00000.dat", (char *)*state);
    assert_int_not_equal(access(path, F_OK), 0);
    assert_true(blvm_chainstate_is_pruned(cs));
    blvm_tc_utxo_digest d = blvm_tc_utxo(cs);
    /* a reorg within the kept range still works */
    uint8_t h[32];
    assert_true(blvm_chainstate_hash_at_height(cs, 1090, h));
    blvm_validation_state st;
    assert_true(blvm_chainstate_invalidate_block(cs, h, &st));
    assert_true(blvm_chainstate_reconsider_block(cs, h, &st));
    blvm_tc_utxo_digest d2 = blvm_tc_utxo(cs);
    blvm_tc_assert_same_utxo(&d, &d2, false);
    blvm_chainstate_close(cs);
    /* restart after pruning */
    cs = blvm_tc_open(P, &o);
    assert_non_null(cs);
    blvm_chainstate_tip(cs, &t);
    assert_int_equal(t.height, 1100);
    assert_true(blvm_chainstate_is_pruned(cs));
    blvm_chainstate_close(cs);
    /* -reindex-chainstate needs every block */
    o.reindex_chainstate = true;
    char err[256];
    assert_null(blvm_chainstate_open(P, &o, err, sizeof err));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_genesis_and_restart, setup_dir,
                                        blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_spend_and_invalid_blocks, setup_dir,
                                        blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_reorg_round_trip, setup_dir,
                                        blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_precious_block, setup_dir, blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_reorg_to_invalid_branch, setup_dir,
                                        blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_script_checks, setup_dir, blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_assume_valid, setup_dir, blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_interrupted_reindex, setup_dir,
                                        blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_replay_after_crash, setup_dir,
                                        blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_kill_9_while_mining, setup_dir,
                                        blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_loadblock_and_damaged_files, setup_dir,
                                        blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_pruning, setup_dir, blvm_test_tmpdir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
