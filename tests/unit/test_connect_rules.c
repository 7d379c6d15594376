/* Consensus review of blvm's block validation path against Bitcoin Core 29:
 * regtest chains built in a temp dir through the chainstate API, one block
 * per rule that violates it. Each case asserts Core's reject reason, that
 * nothing reached the chainstate (tip and UTXO set unchanged) and, for
 * mutated blocks (BLOCK_MUTATED), that the correct block with the same
 * header is still accepted afterwards.
 *
 * Rules covered: BIP30 (with the repeat exceptions and the BIP34 shortcut)
 * and the undo of an overwritten coinbase, BIP34 coinbase height and header
 * versions, coinbase maturity, amount ranges and bad-cb-amount, the sigop
 * cost limit (legacy, P2SH and witness at exactly 80000 and above), BIP68
 * sequence locks (height and time, against the median time past of the
 * right block), BIP113, BIP141 (commitment, unexpected witness, weight),
 * script flags per height and the exception blocks, CVE-2012-2459 and
 * CVE-2018-17144, time-too-new, chain selection, invalidateblock and
 * headers building on a block found invalid, assume-valid conditions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>

#include "consensus/chain_rules.h"
#include "consensus/interpreter.h"
#include "consensus/merkle.h"
#include "consensus/pow.h"
#include "crypto/hash.h"
#include "crypto/sha256.h"
#include "node/chainstate.h"
#include "util/hex.h"

#include "testchain.h"

static const blvm_params *P;
static const uint8_t OP_TRUE_SCRIPT[1] = {0x51};
static int64_t g_now = 2000000000;

static int64_t test_now(void) {
    return g_now;
}

static int setup_dir(void **state) {
    P = blvm_params_get(BLVM_NET_REGTEST);
    g_now = 2000000000;
    return blvm_test_tmpdir_setup(state);
}

/* Two script threads and no fsync; `assume_valid` as given. */
static blvm_chainstate *open_params(const char *dir, const blvm_params *params,
                                    const uint8_t *assume_valid) {
    blvm_chainstate_options o = blvm_tc_options(dir, 2, true, test_now);
    o.assume_valid = assume_valid;
    blvm_chainstate *cs = blvm_tc_open(params, &o);
    assert_non_null(cs);
    return cs;
}

static blvm_chainstate *open_cs(const char *dir) {
    return open_params(dir, P, NULL);
}

/* ---- building blocks ---- */

/* Coinbase outpoints and times of the active chain the tests built. */
static blvm_outpoint g_cb[512];
static uint32_t g_time[512];

/* Submits a block that must become the new tip. */
static blvm_tc_parent accept(blvm_chainstate *cs, const blvm_block *b) {
    blvm_validation_state st;
    blvm_tc_parent p = blvm_tc_tip(cs);
    if (!blvm_tc_submit(cs, b, &st))
        fail_msg("block at %d rejected: %s", p.height + 1, st.reject_reason);
    blvm_tc_parent n = blvm_tc_tip(cs);
    uint8_t h[32];
    blvm_header_hash(&b->header, h);
    assert_memory_equal(n.hash, h, 32);
    memcpy(g_cb[n.height].hash, b->txs[0].txid, 32);
    g_cb[n.height].n = 0;
    g_time[n.height] = b->header.time;
    return n;
}

static blvm_tc_parent mine(blvm_chainstate *cs, int n) {
    blvm_tc_parent p = blvm_tc_tip(cs);
    for (int i = 0; i < n; i++) {
        blvm_block b;
        blvm_tc_build(&b, P, &p, NULL, 0, 0, NULL);
        p = accept(cs, &b);
        blvm_block_clear(&b);
    }
    return p;
}

/* A version 2 transaction spending `prev` into one output of `script`. */
static void make_spend(blvm_tx *tx, const blvm_outpoint *prev, blvm_amount out_value,
                       const uint8_t *script, size_t script_len) {
    blvm_tx_init(tx);
    assert_true(blvm_tx_resize(tx, 1, 1));
    tx->version = 2;
    tx->vin[0].prevout = *prev;
    tx->vin[0].sequence = BLVM_SEQUENCE_FINAL;
    tx->vout[0].value = out_value;
    assert_true(blvm_script_set(&tx->vout[0].script_pubkey, script ? script : OP_TRUE_SCRIPT,
                                script ? script_len : 1));
    blvm_tx_compute_hashes(tx);
}

/* A funding transaction: `prev` (50 BTC) into n outputs of `each` value with
 * the given scripts (NULL entries: OP_TRUE), the rest as fee. */
static void make_fund(blvm_tx *tx, const blvm_outpoint *prev, size_t n, blvm_amount each,
                      const uint8_t *const *scripts, const size_t *lens) {
    blvm_tx_init(tx);
    assert_true(blvm_tx_resize(tx, 1, n));
    tx->version = 2;
    tx->vin[0].prevout = *prev;
    tx->vin[0].sequence = BLVM_SEQUENCE_FINAL;
    for (size_t i = 0; i < n; i++) {
        tx->vout[i].value = each;
        bool have = scripts && scripts[i];
        assert_true(blvm_script_set(&tx->vout[i].script_pubkey, have ? scripts[i] : OP_TRUE_SCRIPT,
                                    have ? lens[i] : 1));
    }
    blvm_tx_compute_hashes(tx);
}

static blvm_outpoint out_of(const blvm_tx *tx, uint32_t n) {
    blvm_outpoint o;
    memcpy(o.hash, tx->txid, 32);
    o.n = n;
    return o;
}

/* ---- the chainstate's view ---- */

typedef struct {
    uint8_t utxo[32];
    uint64_t count;
    uint8_t tip[32];
    int32_t height;
} snapshot;

static snapshot snap(blvm_chainstate *cs) {
    snapshot s;
    blvm_tc_utxo_digest d = blvm_tc_utxo(cs);
    memcpy(s.utxo, d.hash, 32);
    s.count = d.count;
    blvm_tc_parent t = blvm_tc_tip(cs);
    memcpy(s.tip, t.hash, 32);
    s.height = t.height;
    assert_memory_equal(d.best, t.hash, 32);
    return s;
}

static void assert_same(const snapshot *a, const snapshot *b) {
    assert_int_equal(a->height, b->height);
    assert_memory_equal(a->tip, b->tip, 32);
    assert_int_equal(a->count, b->count);
    assert_memory_equal(a->utxo, b->utxo, 32);
}

/* Submits a block that must be rejected with `reason`; nothing may change. */
static void reject(blvm_chainstate *cs, const blvm_block *b, const char *reason) {
    snapshot before = snap(cs);
    blvm_tc_expect_reject(cs, b, reason);
    snapshot after = snap(cs);
    assert_same(&before, &after);
}

static uint32_t block_status(blvm_chainstate *cs, const blvm_block *b) {
    uint8_t h[32];
    blvm_header_hash(&b->header, h);
    blvm_chainstate_lock(cs);
    blvm_block_index *x = blvm_chainstate_find_locked(cs, h);
    uint32_t st = x ? x->status : 0xffffffffu;
    blvm_chainstate_unlock(cs);
    return st;
}

static bool known(blvm_chainstate *cs, const blvm_block *b) {
    return block_status(cs, b) != 0xffffffffu;
}

static int have_coin(blvm_chainstate *cs, const blvm_outpoint *op, blvm_coin *out) {
    blvm_coin c;
    int rc = blvm_chainstate_get_coin(cs, op, &c);
    if (out)
        *out = c;
    else
        blvm_coin_clear(&c);
    return rc;
}

/* Core's GetMedianTimePast over the test's own record of block times. */
static int64_t mtp(int32_t height) {
    uint32_t v[11];
    int n = 0;
    for (int32_t h = height; h >= 0 && n < 11; h--)
        v[n++] = h == 0 ? P->genesis_header.time : g_time[h];
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            uint32_t t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return v[n / 2];
}

/* ---- tests ---- */

/* BIP34 (height in coinbase) and the header versions BIP34/66/65 require,
 * all active from height 1 on regtest. */
static void test_bip34_and_versions(void **state) {
    blvm_chainstate *cs = open_cs(*state);
    blvm_tc_parent p = mine(cs, 2);

    blvm_block b;
    blvm_tc_block_opts bo = {.cb.height_delta = 1};
    blvm_tc_build(&b, P, &p, NULL, 0, 0, &bo);
    reject(cs, &b, "bad-cb-height");
    /* ContextualCheckBlock failures are not mutations: the block is marked
     * invalid and a second copy is answered from the index. */
    assert_true(block_status(cs, &b) & BLVM_BLOCK_FAILED_VALID);
    reject(cs, &b, "duplicate-invalid");
    blvm_block_clear(&b);

    /* A scriptSig that only starts with a longer push of the height. */
    uint8_t sig[4] = {0x02, 0x03, 0x00, 0x51}; /* push 0x0003 (non-minimal 3) */
    blvm_tc_block_opts nm = {.cb.sig = sig, .cb.sig_len = sizeof sig};
    blvm_tc_build(&b, P, &p, NULL, 0, 0, &nm);
    reject(cs, &b, "bad-cb-height");
    blvm_block_clear(&b);

    static const struct {
        int32_t version;
        const char *reason;
    } versions[] = {
        {1, "bad-version(0x00000001)"},
        {2, "bad-version(0x00000002)"},
        {3, "bad-version(0x00000003)"},
        {-1, NULL}, /* 0xffffffff: negative, below 4 as Core compares */
    };
    for (size_t i = 0; i < BLVM_ARRAY_LEN(versions); i++) {
        blvm_tc_block_opts vo = {.version = versions[i].version, .cb.tag = (uint8_t)i};
        blvm_tc_build(&b, P, &p, NULL, 0, 0, &vo);
        reject(cs, &b, versions[i].reason ? versions[i].reason : "bad-version(0xffffffff)");
        /* a header failure never enters the index: no caching */
        assert_false(known(cs, &b));
        reject(cs, &b, versions[i].reason ? versions[i].reason : "bad-version(0xffffffff)");
        blvm_block_clear(&b);
    }
    blvm_tc_block_opts v4 = {.version = 4};
    blvm_tc_build(&b, P, &p, NULL, 0, 0, &v4);
    accept(cs, &b);
    blvm_block_clear(&b);
    blvm_chainstate_close(cs);
}

/* BIP30: a block may not create an output that exists unspent, except in
 * the two repeat blocks (IsBIP30Repeat) and, on the chain whose block at
 * BIP34 height is the BIP34 hash, not checked at all (below 1983702). The
 * repeat overwrites the coin and its disconnect removes it, as in Core. */
static void test_bip30(void **state) {
    char dir_a[512], dir_b[512], dir_c[512], dir_d[512];
    snprintf(dir_a, sizeof dir_a, "%s/a", (char *)*state);
    snprintf(dir_b, sizeof dir_b, "%s/b", (char *)*state);
    snprintf(dir_c, sizeof dir_c, "%s/c", (char *)*state);
    snprintf(dir_d, sizeof dir_d, "%s/d", (char *)*state);
    /* regtest with BIP34 from height 3, so that two coinbases can be equal */
    blvm_params prm = *P;
    prm.bip34_height = 3;
    const blvm_params *saved = P;

    /* Chain: 1: coinbase X (scriptSig = push 5), 2, 3, 4 ordinary, 5: X again
     * (its push of 5 satisfies BIP34 at height 5). */
    static const uint8_t xsig[3] = {0x55, 0x01, 0xab}; /* OP_5, push ab */
    blvm_tc_parent p = {.height = 0, .time = P->genesis_header.time};
    memcpy(p.hash, P->genesis_hash, 32);
    blvm_block chain[6];
    for (int h = 1; h <= 5; h++) {
        blvm_tc_block_opts bo = {.cb.tag = (uint8_t)h};
        if (h == 1 || h == 5) {
            bo.cb.sig = xsig;
            bo.cb.sig_len = sizeof xsig;
        }
        blvm_tc_build(&chain[h], P, &p, NULL, 0, 0, &bo);
        p = blvm_tc_ref_of(&chain[h], h);
    }
    assert_memory_equal(chain[1].txs[0].txid, chain[5].txs[0].txid, 32);
    uint8_t h3[32], h5[32];
    blvm_header_hash(&chain[3].header, h3);
    blvm_header_hash(&chain[5].header, h5);
    blvm_outpoint x = {.n = 0};
    memcpy(x.hash, chain[1].txs[0].txid, 32);

    /* 1. BIP30 enforced: the repeat is rejected. */
    P = &prm;
    blvm_chainstate *cs = open_params(dir_a, &prm, NULL);
    for (int h = 1; h <= 4; h++)
        accept(cs, &chain[h]);
    reject(cs, &chain[5], "bad-txns-BIP30");
    assert_true(block_status(cs, &chain[5]) & BLVM_BLOCK_FAILED_VALID);
    blvm_chainstate_close(cs);

    /* 2. The same block as one of the repeat exceptions: accepted, the coin
     * is overwritten (height 5); disconnecting it removes the coin (Core
     * loses the first one too), reconnecting brings the height-5 coin. */
    blvm_block_ref repeat = {.height = 5};
    memcpy(repeat.hash, h5, 32);
    blvm_params prm2 = prm;
    prm2.bip30_exceptions = &repeat;
    prm2.bip30_exception_count = 1;
    P = &prm2;
    cs = open_params(dir_b, &prm2, NULL);
    for (int h = 1; h <= 4; h++)
        accept(cs, &chain[h]);
    snapshot at4 = snap(cs);
    blvm_coin c;
    assert_int_equal(have_coin(cs, &x, &c), 1);
    assert_int_equal(c.height, 1);
    blvm_coin_clear(&c);
    accept(cs, &chain[5]);
    assert_int_equal(have_coin(cs, &x, &c), 1);
    assert_int_equal(c.height, 5);
    assert_true(c.coinbase);
    blvm_coin_clear(&c);
    snapshot at5 = snap(cs);
    assert_int_equal(at5.count, at4.count); /* overwritten, not added */
    blvm_validation_state st;
    assert_true(blvm_chainstate_invalidate_block(cs, h5, &st));
    assert_int_equal(have_coin(cs, &x, NULL), 0);
    snapshot undone = snap(cs);
    assert_int_equal(undone.count, at4.count - 1);
    assert_true(blvm_chainstate_reconsider_block(cs, h5, &st));
    snapshot redone = snap(cs);
    assert_same(&at5, &redone);
    blvm_chainstate_close(cs);
    /* The exception needs both height and hash. */
    blvm_block_ref wrong = repeat;
    wrong.height = 4;
    prm2.bip30_exceptions = &wrong;
    cs = open_params(dir_d, &prm2, NULL);
    for (int h = 1; h <= 4; h++)
        accept(cs, &chain[h]);
    reject(cs, &chain[5], "bad-txns-BIP30");
    blvm_chainstate_close(cs);

    /* 3. BIP34 shortcut: block 3 is the BIP34 block of this network, so
     * ConnectBlock skips the BIP30 check and the repeat overwrites. */
    blvm_params prm3 = prm;
    prm3.has_bip34_hash = true;
    memcpy(prm3.bip34_hash, h3, 32);
    P = &prm3;
    cs = open_params(dir_c, &prm3, NULL);
    for (int h = 1; h <= 5; h++)
        accept(cs, &chain[h]);
    assert_int_equal(have_coin(cs, &x, &c), 1);
    assert_int_equal(c.height, 5);
    blvm_coin_clear(&c);
    blvm_chainstate_close(cs);
    P = saved;
    for (int h = 1; h <= 5; h++)
        blvm_block_clear(&chain[h]);
}

/* Coinbase maturity (spendable at depth 100), the coinbase amount limit and
 * CheckTransaction's amount ranges. */
static void test_maturity_and_amounts(void **state) {
    blvm_chainstate *cs = open_cs(*state);
    blvm_tc_parent p = mine(cs, 99);
    blvm_tx tx;
    blvm_block b;
    /* In block 100 the coinbase of block 1 is at depth 99. */
    make_spend(&tx, &g_cb[1], 50 * BLVM_COIN, NULL, 0);
    blvm_tc_build(&b, P, &p, &tx, 1, 0, NULL);
    reject(cs, &b, "bad-txns-premature-spend-of-coinbase");
    blvm_block_clear(&b);
    p = mine(cs, 1);
    /* Block 101: depth 100, fine; the coinbase takes exactly subsidy + fee. */
    blvm_tx_clear(&tx);
    make_spend(&tx, &g_cb[1], 50 * BLVM_COIN - 777, NULL, 0);
    blvm_tc_block_opts over = {.cb_extra = 1};
    blvm_tc_build(&b, P, &p, &tx, 1, 777, &over);
    reject(cs, &b, "bad-cb-amount");
    blvm_block_clear(&b);
    blvm_tc_build(&b, P, &p, &tx, 1, 777, NULL);
    p = accept(cs, &b);
    blvm_block_clear(&b);
    blvm_tx_clear(&tx);

    /* Amount ranges (CheckTransaction, so CheckBlock: never cached). */
    static const struct {
        blvm_amount v0, v1;
        const char *reason;
    } amounts[] = {
        {-1, 0, "bad-txns-vout-negative"},
        {BLVM_MAX_MONEY + 1, 0, "bad-txns-vout-toolarge"},
        {BLVM_MAX_MONEY, 1, "bad-txns-txouttotal-toolarge"},
        {25 * BLVM_COIN, 25 * BLVM_COIN + 1, "bad-txns-in-belowout"},
    };
    for (size_t i = 0; i < BLVM_ARRAY_LEN(amounts); i++) {
        blvm_tx_init(&tx);
        assert_true(blvm_tx_resize(&tx, 1, 2));
        tx.version = 2;
        tx.vin[0].prevout = g_cb[2];
        tx.vin[0].sequence = BLVM_SEQUENCE_FINAL;
        tx.vout[0].value = amounts[i].v0;
        tx.vout[1].value = amounts[i].v1;
        assert_true(blvm_script_set(&tx.vout[0].script_pubkey, OP_TRUE_SCRIPT, 1));
        assert_true(blvm_script_set(&tx.vout[1].script_pubkey, OP_TRUE_SCRIPT, 1));
        blvm_tx_compute_hashes(&tx);
        blvm_tc_build(&b, P, &p, &tx, 1, 0, NULL);
        reject(cs, &b, amounts[i].reason);
        blvm_block_clear(&b);
        blvm_tx_clear(&tx);
    }

    /* The subsidy halves at 150 on regtest: block 150 may take 25 BTC. */
    p = mine(cs, 150 - 1 - p.height);
    blvm_tc_block_opts fifty = {.cb_extra = 25 * BLVM_COIN};
    blvm_tc_build(&b, P, &p, NULL, 0, 0, &fifty);
    reject(cs, &b, "bad-cb-amount");
    blvm_block_clear(&b);
    blvm_tc_build(&b, P, &p, NULL, 0, 0, NULL);
    assert_int_equal(b.txs[0].vout[0].value, 25 * BLVM_COIN);
    accept(cs, &b);
    blvm_block_clear(&b);
    blvm_chainstate_close(cs);
}

/* The block sigop cost limit: legacy sigops (x4) in CheckBlock, then legacy
 * + P2SH (x4) + witness sigops in ConnectBlock, 80000 allowed, more not. */
static void test_sigops(void **state) {
    blvm_chainstate *cs = open_cs(*state);
    blvm_tc_parent p = mine(cs, 101);
    /* R = OP_0 OP_IF CHECKMULTISIG x199 OP_ENDIF OP_1: 199*20 = 3980 sigops
     * counted accurately, 201 ops, and it evaluates to true. */
    uint8_t r[203];
    r[0] = 0x00;
    r[1] = 0x63;
    memset(r + 2, 0xae, 199);
    r[201] = 0x68;
    r[202] = 0x51;
    uint8_t p2sh[23] = {0xa9, 0x14};
    blvm_hash160(p2sh + 2, r, sizeof r);
    p2sh[22] = 0x87;
    uint8_t p2wsh[34] = {0x00, 0x20};
    blvm_sha256(p2wsh + 2, r, sizeof r);
    const uint8_t *scripts[8];
    size_t lens[8];
    for (int i = 0; i < 8; i++) {
        scripts[i] = i < 4 ? p2sh : p2wsh;
        lens[i] = i < 4 ? sizeof p2sh : sizeof p2wsh;
    }
    blvm_tx fund;
    make_fund(&fund, &g_cb[1], 8, BLVM_COIN, scripts, lens);
    blvm_block b;
    blvm_tc_build(&b, P, &p, &fund, 1, 50 * BLVM_COIN - 8 * BLVM_COIN, NULL);
    p = accept(cs, &b);
    blvm_block_clear(&b);

    blvm_tx spend;
    blvm_tx_init(&spend);
    assert_true(blvm_tx_resize(&spend, 8, 1));
    spend.version = 2;
    uint8_t push[2 + sizeof r] = {0x4c, (uint8_t)sizeof r};
    memcpy(push + 2, r, sizeof r);
    for (uint32_t i = 0; i < 8; i++) {
        spend.vin[i].prevout = out_of(&fund, i);
        spend.vin[i].sequence = BLVM_SEQUENCE_FINAL;
        if (i < 4)
            assert_true(blvm_script_set(&spend.vin[i].script_sig, push, sizeof push));
        else
            assert_true(blvm_witness_push(&spend.vin[i].witness, r, sizeof r));
    }
    spend.vout[0].value = 8 * BLVM_COIN - 1000;
    assert_true(blvm_script_set(&spend.vout[0].script_pubkey, OP_TRUE_SCRIPT, 1));
    blvm_tx_compute_hashes(&spend);
    /* 4*3980*4 + 4*3980 = 79600; the coinbase adds 4 per OP_CHECKSIG. */
    uint8_t checksigs[101];
    memset(checksigs, 0xac, sizeof checksigs);
    blvm_tc_block_opts over = {.cb.extra_spk = checksigs, .cb.extra_spk_len = 101};
    blvm_tc_build(&b, P, &p, &spend, 1, 1000, &over);
    reject(cs, &b, "bad-blk-sigops");
    /* found in ConnectBlock: the block is invalid for good */
    assert_true(block_status(cs, &b) & BLVM_BLOCK_FAILED_VALID);
    blvm_block_clear(&b);
    blvm_tc_block_opts exact = {.cb.extra_spk = checksigs, .cb.extra_spk_len = 100};
    blvm_tc_build(&b, P, &p, &spend, 1, 1000, &exact);
    p = accept(cs, &b);
    blvm_block_clear(&b);

    /* Legacy sigops alone: 20000 * 4 = 80000 passes, 20001 fails in
     * CheckBlock (which ProcessNewBlock runs before storing: no mark). */
    uint8_t *many = malloc(20001);
    memset(many, 0xac, 20001);
    blvm_tc_block_opts l1 = {.cb.extra_spk = many, .cb.extra_spk_len = 20001};
    blvm_tc_build(&b, P, &p, NULL, 0, 0, &l1);
    reject(cs, &b, "bad-blk-sigops");
    assert_false(known(cs, &b));
    blvm_block_clear(&b);
    blvm_tc_block_opts l0 = {.cb.extra_spk = many, .cb.extra_spk_len = 20000};
    blvm_tc_build(&b, P, &p, NULL, 0, 0, &l0);
    accept(cs, &b);
    blvm_block_clear(&b);
    free(many);
    blvm_tx_clear(&fund);
    blvm_tx_clear(&spend);
    blvm_chainstate_close(cs);
}

static void lock_tx(blvm_tx *tx, const blvm_outpoint *prev, uint32_t version, uint32_t seq,
                    uint32_t locktime) {
    make_spend(tx, prev, BLVM_COIN - 1000, NULL, 0);
    tx->version = version;
    tx->vin[0].sequence = seq;
    tx->locktime = locktime;
    blvm_tx_compute_hashes(tx);
}

/* Try `tx` in a block on the tip (must fail with reason and be marked
 * invalid), then in a block that must be accepted after `empty` more blocks. */
static blvm_tc_parent try_block(blvm_chainstate *cs, blvm_tc_parent p, const blvm_tx *tx,
                                uint32_t time, const char *reason) {
    blvm_block b;
    blvm_tc_block_opts bo = {.time = time};
    blvm_tc_build(&b, P, &p, tx, tx ? 1 : 0, tx ? 1000 : 0, &bo);
    if (reason) {
        reject(cs, &b, reason);
        assert_true(block_status(cs, &b) & BLVM_BLOCK_FAILED_VALID);
        reject(cs, &b, "duplicate-invalid");
    } else {
        p = accept(cs, &b);
    }
    blvm_block_clear(&b);
    return p;
}

/* BIP68 relative locks (height and time, time counted from the median time
 * past of the block before the coin's) and BIP113 absolute time locks (the
 * parent's median time past, not the block's time). */
static void test_bip68_bip113(void **state) {
    blvm_chainstate *cs = open_cs(*state);
    blvm_tc_parent p = mine(cs, 101);
    blvm_tx fund;
    make_fund(&fund, &g_cb[1], 8, BLVM_COIN, NULL, NULL);
    blvm_block b;
    blvm_tc_build(&b, P, &p, &fund, 1, 50 * BLVM_COIN - 8 * BLVM_COIN, NULL);
    p = accept(cs, &b); /* height 102: the coins' height */
    blvm_block_clear(&b);
    assert_int_equal(p.height, 102);

    const uint32_t seq_time = BLVM_SEQUENCE_LOCKTIME_TYPE_FLAG | 1; /* 512 s */
    const int64_t min_time = mtp(101) + 512 - 1;
    const uint32_t mt = (uint32_t)min_time;
    blvm_tx t_v1, t_dis, t_h, t_t, t_abs_bad, t_abs_ok, t_hgt_bad, t_hgt_ok;
    blvm_outpoint o[8];
    for (uint32_t i = 0; i < 8; i++)
        o[i] = out_of(&fund, i);
    lock_tx(&t_v1, &o[0], 1, 3, 0);                                        /* v1: no BIP68 */
    lock_tx(&t_dis, &o[1], 2, BLVM_SEQUENCE_LOCKTIME_DISABLE_FLAG | 3, 0); /* disabled */
    lock_tx(&t_h, &o[2], 2, 3, 0);        /* valid from height 102 + 3 */
    lock_tx(&t_t, &o[3], 2, seq_time, 0); /* valid once MTP(prev) > min_time */

    /* 103 at time mt: v1 and disabled locks are fine at depth 1. */
    blvm_tx both[2];
    assert_true(blvm_tx_copy(&both[0], &t_v1));
    assert_true(blvm_tx_copy(&both[1], &t_dis));
    blvm_tc_block_opts bo = {.time = mt};
    blvm_tc_build(&b, P, &p, both, 2, 2000, &bo);
    p = accept(cs, &b);
    blvm_block_clear(&b);
    blvm_tx_clear(&both[0]);
    blvm_tx_clear(&both[1]);
    /* height lock: not at 104, at 105 */
    p = try_block(cs, p, &t_h, mt + 1, "bad-txns-nonfinal");
    p = try_block(cs, p, NULL, mt + 1, NULL);
    p = try_block(cs, p, &t_h, mt + 2, NULL);
    assert_int_equal(p.height, 105);
    for (uint32_t k = 3; k <= 5; k++)
        p = try_block(cs, p, NULL, mt + k, NULL);
    assert_int_equal(p.height, 108);
    /* time lock: MTP(108) = time(103) = min_time, not above: not at 109.
     * MTP(109) = time(104) = min_time + 1: fine at 110. (Counting from the
     * coin's own block instead of its parent would give min_time + 1.) */
    assert_int_equal(mtp(108), min_time);
    p = try_block(cs, p, &t_t, mt + 6, "bad-txns-nonfinal");
    p = try_block(cs, p, NULL, mt + 6, NULL);
    assert_int_equal(mtp(109), min_time + 1);
    assert_true(mtp(102) == mtp(101) + 1);
    p = try_block(cs, p, &t_t, mt + 7, NULL);
    assert_int_equal(p.height, 110);

    /* BIP113 at 111: lock time must be below MTP(110) = time(105); the
     * block's own time (mt + 100) is far above both. */
    int64_t cutoff = mtp(110);
    lock_tx(&t_abs_bad, &o[4], 2, 0xfffffffeu, (uint32_t)cutoff);
    lock_tx(&t_abs_ok, &o[4], 2, 0xfffffffeu, (uint32_t)cutoff - 1);
    p = try_block(cs, p, &t_abs_bad, mt + 100, "bad-txns-nonfinal");
    /* all inputs final: the lock time is ignored */
    blvm_tx t_final;
    lock_tx(&t_final, &o[5], 2, BLVM_SEQUENCE_FINAL, (uint32_t)cutoff + 1000);
    blvm_tx two[2];
    assert_true(blvm_tx_copy(&two[0], &t_abs_ok));
    assert_true(blvm_tx_copy(&two[1], &t_final));
    blvm_tc_block_opts b111 = {.time = mt + 100};
    blvm_tc_build(&b, P, &p, two, 2, 2000, &b111);
    p = accept(cs, &b);
    blvm_block_clear(&b);
    blvm_tx_clear(&two[0]);
    blvm_tx_clear(&two[1]);
    /* height lock time at 112: 112 is not final, 111 is */
    lock_tx(&t_hgt_bad, &o[6], 2, 0, 112);
    lock_tx(&t_hgt_ok, &o[6], 2, 0, 111);
    p = try_block(cs, p, &t_hgt_bad, mt + 101, "bad-txns-nonfinal");
    p = try_block(cs, p, &t_hgt_ok, mt + 101, NULL);
    assert_int_equal(p.height, 112);

    blvm_tx *all[] = {&fund,      &t_v1,     &t_dis,     &t_h,      &t_t,
                      &t_abs_bad, &t_abs_ok, &t_hgt_bad, &t_hgt_ok, &t_final};
    for (size_t i = 0; i < BLVM_ARRAY_LEN(all); i++)
        blvm_tx_clear(all[i]);
    blvm_chainstate_close(cs);
}

/* BIP141: the witness commitment and reserved value, witness data without
 * a commitment, and the weight limit (checked after the commitment). The
 * first two are mutations of a valid block: not cached, and the real block
 * with the same header is accepted afterwards. */
static void test_witness_rules(void **state) {
    blvm_chainstate *cs = open_cs(*state);
    blvm_tc_parent p = mine(cs, 101);
    uint8_t p2wsh[34] = {0x00, 0x20};
    blvm_sha256(p2wsh + 2, OP_TRUE_SCRIPT, 1);
    const uint8_t *scripts[4] = {p2wsh, p2wsh, NULL, p2wsh};
    size_t lens[4] = {34, 34, 0, 34};
    blvm_tx fund;
    make_fund(&fund, &g_cb[1], 4, 10 * BLVM_COIN, scripts, lens);
    blvm_block b;
    blvm_tc_build(&b, P, &p, &fund, 1, 10 * BLVM_COIN, NULL);
    p = accept(cs, &b);
    blvm_block_clear(&b);

    /* G1 spends a P2WSH output. */
    blvm_tx s0;
    blvm_outpoint o0 = out_of(&fund, 0);
    make_spend(&s0, &o0, 10 * BLVM_COIN - 1000, NULL, 0);
    assert_true(blvm_witness_push(&s0.vin[0].witness, OP_TRUE_SCRIPT, 1));
    blvm_tx_compute_hashes(&s0);
    blvm_block g1;
    blvm_tc_build(&g1, P, &p, &s0, 1, 1000, NULL);
    /* the header is known first (as after a headers message) */
    blvm_validation_state st;
    assert_true(blvm_chainstate_process_header(cs, &g1.header, &st));

    blvm_block m;
    blvm_block_init(&m);
    m.header = g1.header;
    m.tx_count = g1.tx_count;
    m.txs = calloc(m.tx_count, sizeof(blvm_tx));
    for (size_t i = 0; i < m.tx_count; i++)
        assert_true(blvm_tx_copy(&m.txs[i], &g1.txs[i]));
    /* a different witness: same txid, other wtxid */
    blvm_witness_clear(&m.txs[1].vin[0].witness);
    static const uint8_t extra[2] = {0x01, 0x02};
    assert_true(blvm_witness_push(&m.txs[1].vin[0].witness, extra, 2));
    assert_true(blvm_witness_push(&m.txs[1].vin[0].witness, OP_TRUE_SCRIPT, 1));
    blvm_tx_compute_hashes(&m.txs[1]);
    reject(cs, &m, "bad-witness-merkle-match");
    assert_int_equal(block_status(cs, &m) & BLVM_BLOCK_FAILED_MASK, 0);
    /* a reserved value of another size */
    blvm_tx_clear(&m.txs[1]);
    assert_true(blvm_tx_copy(&m.txs[1], &g1.txs[1]));
    static const uint8_t zero33[33] = {0};
    blvm_witness_clear(&m.txs[0].vin[0].witness);
    assert_true(blvm_witness_push(&m.txs[0].vin[0].witness, zero33, 33));
    blvm_tx_compute_hashes(&m.txs[0]);
    reject(cs, &m, "bad-witness-nonce-size");
    blvm_witness_clear(&m.txs[0].vin[0].witness);
    assert_true(blvm_witness_push(&m.txs[0].vin[0].witness, zero33, 32));
    assert_true(blvm_witness_push(&m.txs[0].vin[0].witness, zero33, 32));
    blvm_tx_compute_hashes(&m.txs[0]);
    reject(cs, &m, "bad-witness-nonce-size");
    assert_int_equal(block_status(cs, &m) & BLVM_BLOCK_FAILED_MASK, 0);
    blvm_block_clear(&m);
    p = accept(cs, &g1);
    blvm_block_clear(&g1);

    /* G2 spends the bare output: no witness, no commitment. Adding witness
     * data to it is a mutation. */
    blvm_tx s2;
    blvm_outpoint o2 = out_of(&fund, 2);
    make_spend(&s2, &o2, 10 * BLVM_COIN - 1000, NULL, 0);
    blvm_block g2;
    blvm_tc_build(&g2, P, &p, &s2, 1, 1000, NULL);
    blvm_block_init(&m);
    m.header = g2.header;
    m.tx_count = g2.tx_count;
    m.txs = calloc(m.tx_count, sizeof(blvm_tx));
    for (size_t i = 0; i < m.tx_count; i++)
        assert_true(blvm_tx_copy(&m.txs[i], &g2.txs[i]));
    assert_true(blvm_witness_push(&m.txs[1].vin[0].witness, extra, 2));
    blvm_tx_compute_hashes(&m.txs[1]);
    reject(cs, &m, "unexpected-witness");
    assert_int_equal(block_status(cs, &m) & BLVM_BLOCK_FAILED_MASK, 0);
    blvm_block_clear(&m);
    p = accept(cs, &g2);
    blvm_block_clear(&g2);

    /* Weight: a 4 MB witness item with a correct commitment. */
    blvm_tx s1;
    blvm_outpoint o1 = out_of(&fund, 1);
    make_spend(&s1, &o1, 10 * BLVM_COIN - 1000, NULL, 0);
    size_t big = 4000000;
    uint8_t *junk = calloc(1, big);
    assert_true(blvm_witness_push(&s1.vin[0].witness, junk, big));
    assert_true(blvm_witness_push(&s1.vin[0].witness, OP_TRUE_SCRIPT, 1));
    free(junk);
    blvm_tx_compute_hashes(&s1);
    blvm_block heavy;
    blvm_tc_build(&heavy, P, &p, &s1, 1, 1000, NULL);
    assert_true(blvm_block_weight(&heavy) > BLVM_MAX_BLOCK_WEIGHT);
    reject(cs, &heavy, "bad-blk-weight");
    assert_true(block_status(cs, &heavy) & BLVM_BLOCK_FAILED_VALID);
    blvm_block_clear(&heavy);
    /* Just below the limit it is accepted (weight 4000000 allowed). */
    blvm_witness_clear(&s1.vin[0].witness);
    blvm_block probe;
    assert_true(blvm_witness_push(&s1.vin[0].witness, OP_TRUE_SCRIPT, 1)); /* size probe */
    blvm_tx_compute_hashes(&s1);
    blvm_tc_build(&probe, P, &p, &s1, 1, 1000, NULL);
    size_t w0 = blvm_block_weight(&probe);
    blvm_block_clear(&probe);
    /* one more witness item of n bytes adds n + compact size (3 for n >=
     * 253, 5 from 65536) */
    size_t n = BLVM_MAX_BLOCK_WEIGHT - w0 - 5;
    blvm_witness_clear(&s1.vin[0].witness);
    junk = calloc(1, n);
    assert_true(blvm_witness_push(&s1.vin[0].witness, junk, n));
    assert_true(blvm_witness_push(&s1.vin[0].witness, OP_TRUE_SCRIPT, 1));
    free(junk);
    blvm_tx_compute_hashes(&s1);
    blvm_tc_build(&heavy, P, &p, &s1, 1, 1000, NULL);
    assert_int_equal(blvm_block_weight(&heavy), BLVM_MAX_BLOCK_WEIGHT);
    /* valid weight; the script then fails (a 520+ byte stack item) */
    reject(cs, &heavy, "mandatory-script-verify-flag-failed (Push value size limit exceeded)");
    blvm_block_clear(&heavy);

    /* Stripped size above 1 MB: bad-blk-length (CheckBlock). */
    blvm_tc_block_opts fat = {.cb.opreturn = 1000001};
    blvm_tc_build(&heavy, P, &p, NULL, 0, 0, &fat);
    reject(cs, &heavy, "bad-blk-length");
    blvm_block_clear(&heavy);

    blvm_tx_clear(&s0);
    blvm_tx_clear(&s1);
    blvm_tx_clear(&s2);
    blvm_tx_clear(&fund);
    blvm_chainstate_close(cs);
}

/* CVE-2012-2459 (a repeated transaction that keeps the merkle root) and
 * CVE-2018-17144 (a transaction spending one coin twice), transactions
 * repeated elsewhere, and transactions reordered under the same header. */
static void test_duplicate_transactions(void **state) {
    blvm_chainstate *cs = open_cs(*state);
    blvm_tc_parent p = mine(cs, 101);
    blvm_tx fund;
    make_fund(&fund, &g_cb[1], 3, 10 * BLVM_COIN, NULL, NULL);
    blvm_block b;
    blvm_tc_build(&b, P, &p, &fund, 1, 20 * BLVM_COIN, NULL);
    p = accept(cs, &b);
    blvm_block_clear(&b);

    blvm_tx txs[3];
    blvm_outpoint o0 = out_of(&fund, 0), o1 = out_of(&fund, 1);
    make_spend(&txs[0], &o0, 10 * BLVM_COIN - 1000, NULL, 0);
    make_spend(&txs[1], &o1, 10 * BLVM_COIN - 1000, NULL, 0);
    blvm_block good;
    blvm_tc_build(&good, P, &p, txs, 2, 2000, NULL);
    blvm_validation_state st;
    assert_true(blvm_chainstate_process_header(cs, &good.header, &st));

    /* [cb, A, B, B]: same root as [cb, A, B] */
    blvm_block m;
    blvm_block_init(&m);
    m.header = good.header;
    m.tx_count = 4;
    m.txs = calloc(4, sizeof(blvm_tx));
    for (size_t i = 0; i < 3; i++)
        assert_true(blvm_tx_copy(&m.txs[i], &good.txs[i]));
    assert_true(blvm_tx_copy(&m.txs[3], &good.txs[2]));
    uint8_t root[32];
    bool mutated;
    assert_true(blvm_block_merkle_root(&m, root, &mutated));
    assert_memory_equal(root, good.header.merkle_root, 32);
    assert_true(mutated);
    reject(cs, &m, "bad-txns-duplicate");
    assert_int_equal(block_status(cs, &m) & BLVM_BLOCK_FAILED_MASK, 0);
    /* [cb, B, A] under the same header */
    blvm_tx_clear(&m.txs[3]);
    m.tx_count = 3;
    blvm_tx_clear(&m.txs[1]);
    blvm_tx_clear(&m.txs[2]);
    assert_true(blvm_tx_copy(&m.txs[1], &good.txs[2]));
    assert_true(blvm_tx_copy(&m.txs[2], &good.txs[1]));
    reject(cs, &m, "bad-txnmrklroot");
    assert_int_equal(block_status(cs, &m) & BLVM_BLOCK_FAILED_MASK, 0);
    blvm_block_clear(&m);

    /* [cb, A, B, A]: not a merkle mutation; the second A finds its input
     * spent (the BIP30 check runs before any transaction is applied). */
    blvm_tx aba[3];
    assert_true(blvm_tx_copy(&aba[0], &txs[0]));
    assert_true(blvm_tx_copy(&aba[1], &txs[1]));
    assert_true(blvm_tx_copy(&aba[2], &txs[0]));
    blvm_tc_build(&b, P, &p, aba, 3, 3000, NULL);
    assert_true(blvm_block_merkle_root(&b, root, &mutated));
    assert_false(mutated);
    reject(cs, &b, "bad-txns-inputs-missingorspent");
    blvm_block_clear(&b);
    for (int i = 0; i < 3; i++)
        blvm_tx_clear(&aba[i]);

    /* CVE-2018-17144: one coin twice in one transaction. */
    blvm_outpoint o2 = out_of(&fund, 2);
    blvm_tx twice;
    blvm_tx_init(&twice);
    assert_true(blvm_tx_resize(&twice, 2, 1));
    twice.version = 2;
    for (int i = 0; i < 2; i++) {
        twice.vin[i].prevout = o2;
        twice.vin[i].sequence = BLVM_SEQUENCE_FINAL;
    }
    twice.vout[0].value = 15 * BLVM_COIN;
    assert_true(blvm_script_set(&twice.vout[0].script_pubkey, OP_TRUE_SCRIPT, 1));
    blvm_tx_compute_hashes(&twice);
    blvm_tc_build(&b, P, &p, &twice, 1, 0, NULL);
    reject(cs, &b, "bad-txns-inputs-duplicate");
    blvm_block_clear(&b);
    blvm_tx_clear(&twice);

    /* The real block is still accepted. */
    accept(cs, &good);
    blvm_block_clear(&good);
    for (int i = 0; i < 2; i++)
        blvm_tx_clear(&txs[i]);
    blvm_tx_clear(&fund);
    blvm_chainstate_close(cs);
}

/* time-too-new: more than two hours ahead of the clock; not cached, so the
 * same block is accepted once the clock moves on. */
static void test_time_too_new(void **state) {
    blvm_chainstate *cs = open_cs(*state);
    blvm_tc_parent p = mine(cs, 3);
    blvm_block b;
    blvm_tc_block_opts bo = {.time = (uint32_t)(g_now + 2 * 60 * 60 + 1)};
    blvm_tc_build(&b, P, &p, NULL, 0, 0, &bo);
    reject(cs, &b, "time-too-new");
    assert_false(known(cs, &b));
    g_now += 1;
    accept(cs, &b);
    blvm_block_clear(&b);
    blvm_chainstate_close(cs);
}

/* Most work wins, the first seen wins a tie; invalidateblock disconnects
 * and marks descendants; blocks and headers building on an invalid block
 * are "bad-prevblk", also when the invalid block is further back (Core's
 * m_failed_blocks check in AcceptBlockHeader). */
static void test_chain_selection(void **state) {
    blvm_chainstate *cs = open_cs(*state);
    blvm_tc_parent base = mine(cs, 3);
    blvm_block x, y, y2;
    blvm_tc_block_opts tx_ = {.cb.tag = 1}, ty = {.cb.tag = 2};
    blvm_tc_build(&x, P, &base, NULL, 0, 0, &tx_);
    blvm_tc_build(&y, P, &base, NULL, 0, 0, &ty);
    accept(cs, &x);
    blvm_validation_state st;
    assert_true(blvm_tc_submit(cs, &y, &st));
    blvm_tc_parent t = blvm_tc_tip(cs);
    uint8_t hx[32], hy[32];
    blvm_header_hash(&x.header, hx);
    blvm_header_hash(&y.header, hy);
    assert_memory_equal(t.hash, hx, 32); /* tie: first seen */
    blvm_tc_parent py = blvm_tc_ref_of(&y, 4);
    blvm_tc_build(&y2, P, &py, NULL, 0, 0, NULL);
    assert_true(blvm_tc_submit(cs, &y2, &st));
    t = blvm_tc_tip(cs);
    assert_int_equal(t.height, 5); /* more work: reorg */
    snapshot on_y = snap(cs);

    /* invalidate y: y2 goes with it, x is the best left */
    assert_true(blvm_chainstate_invalidate_block(cs, hy, &st));
    t = blvm_tc_tip(cs);
    assert_memory_equal(t.hash, hx, 32);
    assert_true(block_status(cs, &y2) & BLVM_BLOCK_FAILED_MASK);
    /* nothing can build on y2 any more */
    blvm_tc_parent py2 = blvm_tc_ref_of(&y2, 5);
    blvm_block z;
    blvm_tc_build(&z, P, &py2, NULL, 0, 0, NULL);
    reject(cs, &z, "bad-prevblk");
    assert_false(blvm_chainstate_process_header(cs, &z.header, &st));
    assert_string_equal(st.reject_reason, "bad-prevblk");
    assert_true(blvm_chainstate_reconsider_block(cs, hy, &st));
    snapshot back = snap(cs);
    assert_same(&on_y, &back);
    accept(cs, &z);
    blvm_block_clear(&z);

    /* Headers I (invalid: overpays), J on I; I's data is found invalid;
     * a header K on J must then be refused. */
    blvm_tc_parent tp = blvm_tc_tip(cs);
    blvm_block bi, bj, bk;
    blvm_tc_block_opts over = {.cb_extra = 1};
    blvm_tc_build(&bi, P, &tp, NULL, 0, 0, &over);
    blvm_tc_parent pi = blvm_tc_ref_of(&bi, tp.height + 1);
    blvm_tc_build(&bj, P, &pi, NULL, 0, 0, NULL);
    blvm_tc_parent pj = blvm_tc_ref_of(&bj, tp.height + 2);
    blvm_tc_build(&bk, P, &pj, NULL, 0, 0, NULL);
    assert_true(blvm_chainstate_process_header(cs, &bi.header, &st));
    assert_true(blvm_chainstate_process_header(cs, &bj.header, &st));
    reject(cs, &bi, "bad-cb-amount");
    assert_true(block_status(cs, &bi) & BLVM_BLOCK_FAILED_VALID);
    assert_false(blvm_chainstate_process_header(cs, &bk.header, &st));
    assert_string_equal(st.reject_reason, "bad-prevblk");
    /* J is now known to descend from an invalid block */
    assert_true(block_status(cs, &bj) & BLVM_BLOCK_FAILED_CHILD);
    /* the tip still grows */
    mine(cs, 1);
    blvm_block_clear(&bi);
    blvm_block_clear(&bj);
    blvm_block_clear(&bk);
    blvm_block_clear(&x);
    blvm_block_clear(&y);
    blvm_block_clear(&y2);
    blvm_chainstate_close(cs);
}

/* Script flags per height: GetBlockScriptFlags on the public networks
 * (activation heights, the BIP16 and taproot exception blocks), and on
 * regtest blocks that break CLTV, CSV, NULLDUMMY and taproot. */
static void test_script_flags(void **state) {
    const blvm_params *m = blvm_params_get(BLVM_NET_MAIN);
    const blvm_params *t3 = blvm_params_get(BLVM_NET_TESTNET3);
    uint8_t any[32] = {1};
    const uint32_t base =
        BLVM_SCRIPT_VERIFY_P2SH | BLVM_SCRIPT_VERIFY_WITNESS | BLVM_SCRIPT_VERIFY_TAPROOT;
    assert_int_equal(blvm_block_script_flags(m, 1, any), base);
    assert_int_equal(blvm_block_script_flags(m, 363724, any), base);
    assert_int_equal(blvm_block_script_flags(m, 363725, any), base | BLVM_SCRIPT_VERIFY_DERSIG);
    uint32_t f = blvm_block_script_flags(m, 388381, any);
    assert_true(f & BLVM_SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY);
    assert_false(blvm_block_script_flags(m, 388380, any) & BLVM_SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY);
    assert_false(blvm_block_script_flags(m, 419327, any) & BLVM_SCRIPT_VERIFY_CHECKSEQUENCEVERIFY);
    assert_true(blvm_block_script_flags(m, 419328, any) & BLVM_SCRIPT_VERIFY_CHECKSEQUENCEVERIFY);
    assert_false(blvm_block_script_flags(m, 481823, any) & BLVM_SCRIPT_VERIFY_NULLDUMMY);
    assert_true(blvm_block_script_flags(m, 481824, any) & BLVM_SCRIPT_VERIFY_NULLDUMMY);
    uint8_t bip16[32], taproot[32], t3bip16[32];
    assert_true(blvm_hex_decode_hash(
        bip16, "00000000000002dc756eebf4f49723ed8d30cc28a5f108eb94b1ba88ac4f9c22"));
    assert_true(blvm_hex_decode_hash(
        taproot, "0000000000000000000f14c35b2d841e986ab5441de8c585d5ffe55ea1e395ad"));
    assert_true(blvm_hex_decode_hash(
        t3bip16, "00000000dd30457c001f4095d208cc1296b0eed002427aa599874af7a432b105"));
    assert_int_equal(blvm_block_script_flags(m, 170060, bip16), 0);
    assert_int_equal(blvm_block_script_flags(m, 692261, taproot),
                     BLVM_SCRIPT_VERIFY_P2SH | BLVM_SCRIPT_VERIFY_WITNESS |
                         BLVM_SCRIPT_VERIFY_DERSIG | BLVM_SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY |
                         BLVM_SCRIPT_VERIFY_CHECKSEQUENCEVERIFY | BLVM_SCRIPT_VERIFY_NULLDUMMY);
    assert_int_equal(blvm_block_script_flags(m, 692261, any) & BLVM_SCRIPT_VERIFY_TAPROOT,
                     BLVM_SCRIPT_VERIFY_TAPROOT);
    assert_int_equal(blvm_block_script_flags(t3, 514, t3bip16), 0);
    assert_int_equal(blvm_block_script_flags(t3, 514, bip16), base);
    /* exceptions are per network */
    assert_int_equal(blvm_block_script_flags(t3, 170060, bip16), base);
    /* activation heights (Core 29's chainparams) */
    static const struct {
        blvm_network net;
        int32_t bip34, bip65, bip66, csv, segwit;
    } heights[] = {
        {BLVM_NET_MAIN, 227931, 388381, 363725, 419328, 481824},
        {BLVM_NET_TESTNET3, 21111, 581885, 330776, 770112, 834624},
        {BLVM_NET_TESTNET4, 1, 1, 1, 1, 1},
        {BLVM_NET_SIGNET, 1, 1, 1, 1, 1},
        {BLVM_NET_REGTEST, 1, 1, 1, 1, 0},
    };
    for (size_t i = 0; i < BLVM_ARRAY_LEN(heights); i++) {
        const blvm_params *q = blvm_params_get(heights[i].net);
        assert_int_equal(q->bip34_height, heights[i].bip34);
        assert_int_equal(q->bip65_height, heights[i].bip65);
        assert_int_equal(q->bip66_height, heights[i].bip66);
        assert_int_equal(q->csv_height, heights[i].csv);
        assert_int_equal(q->segwit_height, heights[i].segwit);
    }
    assert_true(blvm_params_get(BLVM_NET_TESTNET4)->enforce_bip94);
    assert_false(P->enforce_bip94);

    /* regtest blocks */
    blvm_chainstate *cs = open_cs(*state);
    blvm_tc_parent p = mine(cs, 101);
    static const uint8_t cltv[] = {0x01, 0x64, 0xb1}; /* 100 CHECKLOCKTIMEVERIFY */
    static const uint8_t csv[] = {0x51, 0xb2};        /* 1 CSV */
    static const uint8_t msig[] = {0x00, 0x00, 0xae}; /* 0-of-0 CHECKMULTISIG */
    uint8_t p2tr[34] = {0x51, 0x20};
    assert_true(
        blvm_hex_decode(p2tr + 2, 32, &(size_t){0},
                        "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"));
    const uint8_t *scripts[4] = {cltv, csv, msig, p2tr};
    size_t lens[4] = {sizeof cltv, sizeof csv, sizeof msig, sizeof p2tr};
    blvm_tx fund;
    make_fund(&fund, &g_cb[1], 4, BLVM_COIN, scripts, lens);
    blvm_block b;
    blvm_tc_build(&b, P, &p, &fund, 1, 46 * BLVM_COIN, NULL);
    p = accept(cs, &b);
    blvm_block_clear(&b);

    struct {
        uint32_t out;
        uint32_t version, sequence, locktime;
        const uint8_t *sig;
        size_t sig_len;
        bool witness64;
        const char *reason;
    } cases[] = {
        {0, 2, 0xfffffffeu, 99, NULL, 0, false,
         "mandatory-script-verify-flag-failed (Locktime requirement not satisfied)"},
        {0, 2, 0xfffffffeu, 100, NULL, 0, false, NULL},
        {1, 1, 1, 0, NULL, 0, false,
         "mandatory-script-verify-flag-failed (Locktime requirement not satisfied)"},
        {1, 2, 1, 0, NULL, 0, false, NULL},
        {2, 2, BLVM_SEQUENCE_FINAL, 0, (const uint8_t *)"\x51", 1, false,
         "mandatory-script-verify-flag-failed (Dummy CHECKMULTISIG argument must be zero)"},
        {2, 2, BLVM_SEQUENCE_FINAL, 0, (const uint8_t *)"\x00", 1, false, NULL},
        {3, 2, BLVM_SEQUENCE_FINAL, 0, NULL, 0, true,
         "mandatory-script-verify-flag-failed (Invalid Schnorr signature)"},
    };
    for (size_t i = 0; i < BLVM_ARRAY_LEN(cases); i++) {
        blvm_tx tx;
        blvm_outpoint o = out_of(&fund, cases[i].out);
        make_spend(&tx, &o, BLVM_COIN - 1000, NULL, 0);
        tx.version = cases[i].version;
        tx.vin[0].sequence = cases[i].sequence;
        tx.locktime = cases[i].locktime;
        if (cases[i].sig)
            assert_true(blvm_script_set(&tx.vin[0].script_sig, cases[i].sig, cases[i].sig_len));
        if (cases[i].witness64) {
            uint8_t sig64[64] = {0};
            assert_true(blvm_witness_push(&tx.vin[0].witness, sig64, 64));
        }
        blvm_tx_compute_hashes(&tx);
        blvm_tc_block_opts bo = {.cb.tag = (uint8_t)i};
        blvm_tc_build(&b, P, &p, &tx, 1, 1000, &bo);
        if (cases[i].reason) {
            reject(cs, &b, cases[i].reason);
        } else {
            p = accept(cs, &b);
        }
        blvm_block_clear(&b);
        blvm_tx_clear(&tx);
    }
    blvm_tx_clear(&fund);
    blvm_chainstate_close(cs);
}

/* n headers on `from` (their merkle roots are filler: only headers are
 * processed); returns the last. */
static blvm_tc_parent add_headers(blvm_chainstate *cs, blvm_tc_parent from, int n, uint8_t filler) {
    for (int i = 0; i < n; i++) {
        blvm_block_header h;
        memset(&h, 0, sizeof h);
        h.version = 0x20000000;
        memcpy(h.prev_hash, from.hash, 32);
        h.time = from.time + 1;
        h.bits = P->genesis_header.bits;
        memset(h.merkle_root, filler, 32);
        blvm_tc_solve(&h, h.bits, true, P);
        uint8_t hh[32];
        blvm_header_hash(&h, hh);
        blvm_validation_state st;
        assert_true(blvm_chainstate_process_header(cs, &h, &st));
        memcpy(from.hash, hh, 32);
        from.height++;
        from.time = h.time;
    }
    return from;
}

/* Assume-valid, Core's conditions in ConnectBlock: the block is an ancestor
 * of the assumed-valid block AND of the best header, the best header has the
 * minimum chain work, and it is more than two weeks of work past the block.
 * Block 103 spends an OP_2 OP_EQUAL output with OP_3: accepted only when its
 * scripts are skipped. */
static void test_assume_valid_conditions(void **state) {
    static const uint8_t two_equal[2] = {0x52, 0x87};
    static const uint8_t three = 0x53;
    static const char *const bad_script =
        "mandatory-script-verify-flag-failed (Script evaluated without error but finished with a "
        "false/empty top stack element)";
    enum { FORK_ABOVE, FORK_BELOW, TWO_WEEKS, TWO_WEEKS_PLUS_ONE, LOW_WORK, CASES };
    for (int c = 0; c < CASES; c++) {
        char dir[512];
        snprintf(dir, sizeof dir, "%s/%d", (char *)*state, c);
        /* the blocks, built once per case on a throwaway chainstate */
        blvm_params prm = *P;
        if (c == LOW_WORK) blvm_u256_set_u64(&prm.minimum_chain_work, 1000000);
        blvm_chainstate *cs = open_params(dir, &prm, NULL);
        blvm_tc_parent p = mine(cs, 101);
        blvm_tx fund, bad;
        blvm_outpoint cb1 = g_cb[1];
        make_spend(&fund, &cb1, 50 * BLVM_COIN, two_equal, sizeof two_equal);
        blvm_block b102, b103;
        blvm_tc_build(&b102, P, &p, &fund, 1, 0, NULL);
        blvm_tc_parent p102 = accept(cs, &b102);
        blvm_outpoint fo = out_of(&fund, 0);
        make_spend(&bad, &fo, 50 * BLVM_COIN, NULL, 0);
        assert_true(blvm_script_set(&bad.vin[0].script_sig, &three, 1));
        blvm_tx_compute_hashes(&bad);
        blvm_tc_build(&b103, P, &p102, &bad, 1, 0, NULL);
        blvm_validation_state st;
        assert_true(blvm_chainstate_process_header(cs, &b103.header, &st));
        blvm_tc_parent p103 = blvm_tc_ref_of(&b103, 103);
        blvm_tc_parent av;
        bool skip;
        switch (c) {
        case FORK_ABOVE: /* best header forks off after 103: Core skips */
            av = add_headers(cs, p103, 10, 0x11);
            add_headers(cs, p103, 2100, 0x22);
            skip = true;
            break;
        case FORK_BELOW: /* best header does not contain 103 */
            av = add_headers(cs, p103, 10, 0x11);
            add_headers(cs, p102, 2200, 0x22);
            skip = false;
            break;
        case TWO_WEEKS: /* exactly two weeks of work: not more */
            av = add_headers(cs, p103, 2016, 0x11);
            skip = false;
            break;
        case TWO_WEEKS_PLUS_ONE:
            av = add_headers(cs, p103, 2017, 0x11);
            skip = true;
            break;
        default: /* LOW_WORK: the best header is below the minimum work */
            av = add_headers(cs, p103, 2100, 0x11);
            skip = false;
            break;
        }
        blvm_chainstate_close(cs);
        /* Same chain again with -assumevalid=<av>. */
        blvm_test_rmtree(dir);
        cs = open_params(dir, &prm, av.hash);
        p = mine(cs, 101);
        accept(cs, &b102);
        assert_true(blvm_chainstate_process_header(cs, &b103.header, &st));
        switch (c) {
        case FORK_ABOVE:
            add_headers(cs, p103, 10, 0x11);
            add_headers(cs, p103, 2100, 0x22);
            break;
        case FORK_BELOW:
            add_headers(cs, p103, 10, 0x11);
            add_headers(cs, p102, 2200, 0x22);
            break;
        case TWO_WEEKS:
            add_headers(cs, p103, 2016, 0x11);
            break;
        case TWO_WEEKS_PLUS_ONE:
            add_headers(cs, p103, 2017, 0x11);
            break;
        default:
            add_headers(cs, p103, 2100, 0x11);
            break;
        }
        if (skip) {
            accept(cs, &b103);
        } else {
            reject(cs, &b103, bad_script);
        }
        blvm_chainstate_close(cs);
        blvm_block_clear(&b102);
        blvm_block_clear(&b103);
        blvm_tx_clear(&fund);
        blvm_tx_clear(&bad);
    }
}

/* A block whose stored copy no longer matches its merkle root (disk
 * corruption) is mutated, not invalid: Core's ConnectBlock stops with a
 * fatal error there. The chainstate must report an error, never mark the
 * block invalid, and never retry it forever. */
static void test_corrupt_block_on_disk(void **state) {
    blvm_chainstate *cs = open_cs(*state);
    blvm_tc_parent base = mine(cs, 3);
    blvm_block m1, s1, s2;
    blvm_tc_block_opts tm = {.cb.tag = 1}, ts = {.cb.tag = 9};
    blvm_tc_build(&m1, P, &base, NULL, 0, 0, &tm);
    blvm_tc_build(&s1, P, &base, NULL, 0, 0, &ts);
    accept(cs, &m1);
    blvm_validation_state st;
    assert_true(blvm_tc_submit(cs, &s1, &st)); /* stored, same work: not connected */
    assert_true(blvm_chainstate_flush(cs));
    /* flip the coinbase tag of s1 in blk00000.dat */
    blvm_writer w;
    blvm_writer_init(&w);
    blvm_block_encode(&s1, &w, true);
    char path[600];
    snprintf(path, sizeof path, "%s/blocks/blk00000.dat", (char *)*state);
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    uint8_t *buf = malloc((size_t)size);
    fseek(f, 0, SEEK_SET);
    assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
    long at = -1;
    for (long i = 0; i + (long)w.len <= size; i++)
        if (memcmp(buf + i, w.data, w.len) == 0) at = i;
    assert_true(at >= 0);
    size_t tag_off =
        80 + 1 + 4 + 1 + 36 + 1 + 2; /* header, count, version, vin, prevout, len, OP_4, push1 */
    assert_int_equal(buf[at + (long)tag_off], 9);
    fseek(f, at + (long)tag_off, SEEK_SET);
    fputc(0x5a, f);
    fclose(f);
    free(buf);
    blvm_writer_clear(&w);

    blvm_tc_parent ps1 = blvm_tc_ref_of(&s1, 4);
    blvm_tc_build(&s2, P, &ps1, NULL, 0, 0, NULL);
    alarm(60); /* a retry loop would hang here */
    assert_false(blvm_tc_submit(cs, &s2, &st));
    alarm(0);
    assert_int_equal(st.mode, BLVM_STATE_ERROR);
    assert_int_equal(block_status(cs, &s1) & BLVM_BLOCK_FAILED_MASK, 0);
    blvm_chainstate_close(cs);
    blvm_block_clear(&m1);
    blvm_block_clear(&s1);
    blvm_block_clear(&s2);
}

/* One spend of fund output n into OP_TRUE with the given fields. */
static void spend_out(blvm_tx *tx, const blvm_tx *fund, uint32_t n, uint32_t version, uint32_t seq,
                      uint32_t locktime, const uint8_t *sig, size_t sig_len, bool witness) {
    blvm_outpoint o = out_of(fund, n);
    make_spend(tx, &o, fund->vout[n].value - 1000, NULL, 0);
    tx->version = version;
    tx->vin[0].sequence = seq;
    tx->locktime = locktime;
    if (sig) assert_true(blvm_script_set(&tx->vin[0].script_sig, sig, sig_len));
    if (witness) assert_true(blvm_witness_push(&tx->vin[0].witness, OP_TRUE_SCRIPT, 1));
    blvm_tx_compute_hashes(tx);
}

/* Tries a block of one transaction (or none) at the tip; NULL reason: it
 * must be accepted. */
static blvm_tc_parent try_at(blvm_chainstate *cs, blvm_tc_parent p, const blvm_tx *tx,
                             const blvm_tc_block_opts *bo, const char *reason) {
    blvm_block b;
    blvm_tc_build(&b, P, &p, tx, tx ? 1 : 0, tx ? 1000 : 0, bo);
    if (reason)
        reject(cs, &b, reason);
    else
        p = accept(cs, &b);
    blvm_block_clear(&b);
    return p;
}

/* Each soft fork from its own height, judged at the height of the block
 * itself (Core's DeploymentActiveAt / DeploymentActiveAfter(prev)): regtest
 * with BIP34 at 105, BIP66 at 106, BIP65 at 107, CSV at 108, segwit at 109.
 * P2SH, WITNESS and TAPROOT script flags apply at every height. */
static void test_activation_heights(void **state) {
    blvm_params prm = *P;
    prm.bip34_height = 105;
    prm.bip66_height = 106;
    prm.bip65_height = 107;
    prm.csv_height = 108;
    prm.segwit_height = 109;
    const blvm_params *saved = P;
    P = &prm;
    blvm_chainstate *cs = open_params(*state, &prm, NULL);
    blvm_tc_parent p = mine(cs, 101);

    static const uint8_t cltv[] = {0x01, 0x64, 0xb1}; /* 100 CHECKLOCKTIMEVERIFY */
    static const uint8_t csv[] = {0x51, 0xb2};        /* 1 CHECKSEQUENCEVERIFY */
    static const uint8_t msig[] = {0x00, 0x00, 0xae}; /* 0-of-0 CHECKMULTISIG */
    uint8_t p2wsh[34] = {0x00, 0x20};
    blvm_sha256(p2wsh + 2, OP_TRUE_SCRIPT, 1);
    enum { CLTV0, CLTV1, CSV0, CSV1, MSIG0, MSIG1, WSH0, WSH1, T0, T1, T2, T3, NOUT };
    const uint8_t *scripts[NOUT] = {cltv, cltv, csv, csv, msig, msig, p2wsh, p2wsh};
    size_t lens[NOUT] = {3, 3, 2, 2, 3, 3, 34, 34};
    blvm_tx fund;
    make_fund(&fund, &g_cb[1], NOUT, BLVM_COIN, scripts, lens);
    blvm_block b;
    blvm_tc_build(&b, P, &p, &fund, 1, 50 * BLVM_COIN - NOUT * BLVM_COIN, NULL);
    p = accept(cs, &b); /* 102 */
    blvm_block_clear(&b);

    static const uint8_t no_height[2] = {0x51, 0x51};
    static const uint8_t dummy1 = 0x51, dummy0 = 0x00;
    blvm_tx tx;
    /* 103: version 1, no height in the coinbase, CLTV and CSV are NOPs,
     * NULLDUMMY not enforced: all fine. */
    blvm_tx three[3];
    spend_out(&three[0], &fund, CLTV0, 2, 0xfffffffeu, 99, NULL, 0, false);
    spend_out(&three[1], &fund, CSV0, 1, 0, 0, NULL, 0, false);
    spend_out(&three[2], &fund, MSIG0, 2, BLVM_SEQUENCE_FINAL, 0, &dummy1, 1, false);
    blvm_tc_block_opts v1 = {.version = 1, .cb.sig = no_height, .cb.sig_len = 2};
    blvm_tc_build(&b, P, &p, three, 3, 3000, &v1);
    p = accept(cs, &b);
    blvm_block_clear(&b);
    for (int i = 0; i < 3; i++)
        blvm_tx_clear(&three[i]);
    p = try_at(cs, p, NULL, &v1, NULL); /* 104 */
    /* 105: BIP34 */
    p = try_at(cs, p, NULL, &v1, "bad-version(0x00000001)");
    blvm_tc_block_opts v2 = {.version = 2};
    blvm_tc_block_opts v2nh = {.version = 2, .cb.sig = no_height, .cb.sig_len = 2};
    p = try_at(cs, p, NULL, &v2nh, "bad-cb-height");
    p = try_at(cs, p, NULL, &v2, NULL);
    /* 106: BIP66 */
    p = try_at(cs, p, NULL, &v2, "bad-version(0x00000002)");
    blvm_tc_block_opts v3 = {.version = 3};
    p = try_at(cs, p, NULL, &v3, NULL);
    /* 107: BIP65; CSV (BIP68/112/113) not yet */
    p = try_at(cs, p, NULL, &v3, "bad-version(0x00000003)");
    blvm_tc_block_opts v4 = {.version = 4};
    spend_out(&tx, &fund, CLTV1, 2, 0xfffffffeu, 99, NULL, 0, false);
    p = try_at(cs, p, &tx, &v4,
               "mandatory-script-verify-flag-failed (Locktime requirement not satisfied)");
    blvm_tx_clear(&tx);
    blvm_tx pre_csv[3];
    int64_t cut106 = mtp(106);
    /* lock time at MTP(106): below the block's time, not below the MTP */
    spend_out(&pre_csv[0], &fund, T0, 2, 0xfffffffeu, (uint32_t)cut106, NULL, 0, false);
    spend_out(&pre_csv[1], &fund, T1, 2, 20, 0, NULL, 0, false);  /* BIP68: 20 blocks */
    spend_out(&pre_csv[2], &fund, CSV1, 1, 1, 0, NULL, 0, false); /* tried at 108 */
    blvm_tc_block_opts v4t = {.version = 4, .time = (uint32_t)cut106 + 100};
    blvm_tc_build(&b, P, &p, pre_csv, 2, 2000, &v4t);
    p = accept(cs, &b); /* 107 */
    blvm_block_clear(&b);
    /* 108: CSV */
    int64_t cut107 = mtp(107);
    spend_out(&tx, &fund, T2, 2, 0xfffffffeu, (uint32_t)cut107, NULL, 0, false);
    blvm_tc_block_opts v4t2 = {.version = 4, .time = (uint32_t)cut107 + 200};
    p = try_at(cs, p, &tx, &v4t2, "bad-txns-nonfinal");
    blvm_tx_clear(&tx);
    spend_out(&tx, &fund, T3, 2, 20, 0, NULL, 0, false);
    p = try_at(cs, p, &tx, &v4t2, "bad-txns-nonfinal");
    blvm_tx_clear(&tx);
    p = try_at(cs, p, &pre_csv[2], &v4t2,
               "mandatory-script-verify-flag-failed (Locktime requirement not satisfied)");
    /* witness programs are checked at every height: without a witness the
     * spend fails, and witness data is not allowed before segwit */
    spend_out(&tx, &fund, WSH0, 2, BLVM_SEQUENCE_FINAL, 0, NULL, 0, false);
    p = try_at(cs, p, &tx, &v4t2,
               "mandatory-script-verify-flag-failed (Witness program was passed an empty witness)");
    blvm_tx_clear(&tx);
    spend_out(&tx, &fund, WSH0, 2, BLVM_SEQUENCE_FINAL, 0, NULL, 0, true);
    p = try_at(cs, p, &tx, &v4t2, "unexpected-witness");
    blvm_tx_clear(&tx);
    p = try_at(cs, p, NULL, &v4t2, NULL); /* 108 */
    /* 109: segwit, with NULLDUMMY (BIP147) */
    spend_out(&tx, &fund, MSIG1, 2, BLVM_SEQUENCE_FINAL, 0, &dummy1, 1, false);
    p = try_at(cs, p, &tx, &v4,
               "mandatory-script-verify-flag-failed (Dummy CHECKMULTISIG argument must be zero)");
    blvm_tx_clear(&tx);
    blvm_tx two[2];
    spend_out(&two[0], &fund, MSIG1, 2, BLVM_SEQUENCE_FINAL, 0, &dummy0, 1, false);
    spend_out(&two[1], &fund, WSH1, 2, BLVM_SEQUENCE_FINAL, 0, NULL, 0, true);
    blvm_tc_build(&b, P, &p, two, 2, 2000, &v4);
    p = accept(cs, &b);
    blvm_block_clear(&b);
    blvm_tx_clear(&two[0]);
    blvm_tx_clear(&two[1]);
    assert_int_equal(p.height, 109);
    for (int i = 0; i < 3; i++)
        blvm_tx_clear(&pre_csv[i]);
    blvm_tx_clear(&fund);
    blvm_chainstate_close(cs);
    P = saved;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bip34_and_versions, setup_dir,
                                        blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_bip30, setup_dir, blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_maturity_and_amounts, setup_dir,
                                        blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_sigops, setup_dir, blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_bip68_bip113, setup_dir, blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_witness_rules, setup_dir, blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_transactions, setup_dir,
                                        blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_time_too_new, setup_dir, blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_chain_selection, setup_dir, blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_script_flags, setup_dir, blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_assume_valid_conditions, setup_dir,
                                        blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_block_on_disk, setup_dir,
                                        blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_activation_heights, setup_dir,
                                        blvm_test_tmpdir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
