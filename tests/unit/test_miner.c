/* Unit tests for node/miner and node/versionbits: regtest blocks built and
 * ground by the miner pass the consensus checks (CheckBlock, contextual
 * header and block checks with BIP34 and the witness commitment), the
 * coinbase is Core's, the BIP9 testdummy deployment goes through Core's
 * regtest states, and the assembler's limits (weight, sigops, finality)
 * refuse what Core's refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "consensus/block.h"
#include "consensus/block_check.h"
#include "consensus/chain_entry.h"
#include "consensus/chain_rules.h"
#include "consensus/merkle.h"
#include "consensus/params.h"
#include "consensus/pow.h"
#include "consensus/script.h"
#include "node/chainstate.h"
#include "node/config.h"
#include "node/miner.h"
#include "node/versionbits.h"
#include "testutil.h"

/* P2WPKH to a fixed key hash. */
static const uint8_t p2wpkh[22] = {0x00, 0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                                   11, 12, 13, 14, 15, 16, 17, 18, 19, 20};

/* An in-memory regtest chain: entries[0] is genesis. */
typedef struct {
    const blvm_params *p;
    blvm_chain_entry *e;
    size_t len, cap;
    int64_t clock; /* the "now" handed to the miner */
} chain;

static void chain_init(chain *c, const blvm_params *p, size_t cap) {
    c->p = p;
    c->e = calloc(cap, sizeof *c->e);
    assert_non_null(c->e);
    c->cap = cap;
    c->len = 1;
    blvm_chain_entry_init(&c->e[0], &p->genesis_header, p->genesis_hash, NULL);
    c->clock = (int64_t)p->genesis_header.time + 1;
}

static const blvm_chain_entry *chain_tip(const chain *c) {
    return &c->e[c->len - 1];
}

/* Every check a block goes through before its inputs are looked at. */
static bool check_block_all(const chain *c, const blvm_block *b, blvm_validation_state *st) {
    blvm_state_init(st);
    if (!blvm_check_block(b, c->p, true, true, st)) return false;
    if (!blvm_contextual_check_block_header(&b->header, chain_tip(c), c->p, c->clock + 60, st))
        return false;
    return blvm_contextual_check_block(b, chain_tip(c), c->p, st);
}

static void chain_connect(chain *c, const blvm_block *b) {
    assert_true(c->len < c->cap);
    uint8_t hash[32];
    blvm_header_hash(&b->header, hash);
    blvm_chain_entry_init(&c->e[c->len], &b->header, hash, chain_tip(c));
    c->len++;
}

static void mine_template(blvm_block_template *t) {
    uint64_t tries = BLVM_MINER_DEFAULT_MAX_TRIES;
    assert_int_equal(blvm_miner_grind(&t->block.header, t->params, &tries, NULL, NULL),
                     BLVM_GRIND_FOUND);
}

/* Mines one empty block (opt may be NULL for defaults) and connects it. */
static void mine_one(chain *c, const blvm_miner_options *opt_in) {
    blvm_miner_options opt;
    if (opt_in) {
        opt = *opt_in;
    } else {
        blvm_miner_options_init(&opt);
        opt.coinbase_script = p2wpkh;
        opt.coinbase_script_len = sizeof p2wpkh;
    }
    opt.now = c->clock++;
    blvm_block_template t;
    assert_true(blvm_miner_begin(&t, c->p, chain_tip(c), &opt));
    assert_true(blvm_miner_finish(&t));
    mine_template(&t);
    blvm_validation_state st;
    if (!check_block_all(c, &t.block, &st)) fail_msg("block rejected: %s", st.reject_reason);
    chain_connect(c, &t.block);
    blvm_miner_template_clear(&t);
}

/* ---- the coinbase and header -------------------------------------------- */

static void test_coinbase_shape(void **state) {
    (void)state;
    chain c;
    chain_init(&c, blvm_params_get(BLVM_NET_REGTEST), 32);
    for (int i = 0; i < 20; i++) {
        blvm_miner_options opt;
        blvm_miner_options_init(&opt);
        opt.coinbase_script = p2wpkh;
        opt.coinbase_script_len = sizeof p2wpkh;
        opt.now = c.clock++;
        blvm_block_template t;
        assert_true(blvm_miner_begin(&t, c.p, chain_tip(&c), &opt));
        assert_true(blvm_miner_finish(&t));
        int32_t height = (int32_t)c.len;
        assert_int_equal(t.height, height);
        const blvm_tx *cb = &t.block.txs[0];
        assert_int_equal(t.block.tx_count, 1);
        assert_true(blvm_tx_is_coinbase(cb));
        assert_int_equal(cb->version, 2);
        assert_int_equal(cb->locktime, 0);
        assert_int_equal(cb->vin[0].sequence, 0xffffffffu);
        /* scriptSig: BIP34 height push, then OP_0. */
        uint8_t want[8];
        size_t n = blvm_bip34_height_script(height, want);
        want[n++] = OP_0;
        assert_int_equal(cb->vin[0].script_sig.len, n);
        assert_memory_equal(cb->vin[0].script_sig.data, want, n);
        assert_true(blvm_bip34_coinbase_has_height(cb, height));
        /* Heights 1..16 are OP_1..OP_16: "5100" for height 1. */
        if (height == 1) assert_int_equal(cb->vin[0].script_sig.data[0], 0x51);
        /* Subsidy to the given script; the commitment second, zero value. */
        assert_int_equal(cb->vout_count, 2);
        assert_int_equal(cb->vout[0].value, 50 * BLVM_COIN);
        assert_int_equal(t.fees[0], 0);
        assert_memory_equal(cb->vout[0].script_pubkey.data, p2wpkh, sizeof p2wpkh);
        assert_int_equal(cb->vout[1].value, 0);
        assert_int_equal(t.commitment_len, 38);
        assert_int_equal(cb->vout[1].script_pubkey.len, 38);
        assert_memory_equal(cb->vout[1].script_pubkey.data, t.commitment, 38);
        assert_memory_equal(t.commitment, "\x6a\x24\xaa\x21\xa9\xed", 6);
        /* The witness reserved value: one 32-byte zero item (BIP141). */
        assert_int_equal(cb->vin[0].witness.count, 1);
        assert_int_equal(cb->vin[0].witness.items[0].len, 32);
        static const uint8_t zero[32] = {0};
        assert_memory_equal(cb->vin[0].witness.items[0].data, zero, 32);
        /* Header: previous hash, bits from the pow rules, time > MTP. */
        assert_memory_equal(t.block.header.prev_hash, chain_tip(&c)->hash, 32);
        assert_int_equal(t.block.header.bits, 0x207fffff);
        assert_int_equal(t.block.header.bits,
                         blvm_pow_next_work_required(chain_tip(&c), t.block.header.time, c.p));
        assert_true((int64_t)t.block.header.time > blvm_chain_entry_median_time_past(chain_tip(&c)));
        assert_int_equal(t.block.header.version, 0x20000000);
        assert_int_equal(t.sigop_costs[0], 0);
        assert_int_equal(t.weight, BLVM_MINER_DEFAULT_RESERVED_WEIGHT);
        mine_template(&t);
        blvm_validation_state st;
        if (!check_block_all(&c, &t.block, &st)) fail_msg("rejected: %s", st.reject_reason);
        chain_connect(&c, &t.block);
        blvm_miner_template_clear(&t);
    }
    uint64_t ntx, weight;
    assert_true(blvm_miner_last_block_stats(&ntx, &weight));
    assert_int_equal(ntx, 0);
    assert_int_equal(weight, BLVM_MINER_DEFAULT_RESERVED_WEIGHT);
    free(c.e);
}

static void test_block_time(void **state) {
    (void)state;
    chain c;
    chain_init(&c, blvm_params_get(BLVM_NET_REGTEST), 32);
    for (int i = 0; i < 11; i++) mine_one(&c, NULL);
    int64_t mtp = blvm_chain_entry_median_time_past(chain_tip(&c));
    blvm_miner_options opt;
    blvm_miner_options_init(&opt);
    opt.coinbase_script = p2wpkh;
    opt.coinbase_script_len = sizeof p2wpkh;
    /* A clock behind the chain: the block still gets MTP + 1. */
    opt.now = mtp - 1000;
    blvm_block_template t;
    assert_true(blvm_miner_begin(&t, c.p, chain_tip(&c), &opt));
    assert_int_equal(t.block.header.time, mtp + 1);
    assert_int_equal(t.min_time, mtp + 1);
    blvm_miner_template_clear(&t);
    /* A clock ahead: the clock. */
    opt.now = mtp + 5000;
    assert_true(blvm_miner_begin(&t, c.p, chain_tip(&c), &opt));
    assert_int_equal(t.block.header.time, mtp + 5000);
    /* update_time never moves a time backwards and moves it up to now. */
    blvm_miner_update_time(&t.block.header, c.p, chain_tip(&c), mtp + 10);
    assert_int_equal(t.block.header.time, mtp + 5000);
    blvm_miner_update_time(&t.block.header, c.p, chain_tip(&c), mtp + 6000);
    assert_int_equal(t.block.header.time, mtp + 6000);
    blvm_miner_template_clear(&t);
    /* No coinbase script: refused. */
    opt.coinbase_script = NULL;
    assert_false(blvm_miner_begin(&t, c.p, chain_tip(&c), &opt));
    blvm_miner_template_clear(&t);
    free(c.e);
}

static void test_minimum_time_timewarp(void **state) {
    (void)state;
    /* On the first block of a difficulty period the minimum time is at
     * least the parent's time - 600 (BIP94, applied by Core's miner on every
     * network). Mainnet entries with a parent far ahead of its MTP. */
    const blvm_params *p = blvm_params_get(BLVM_NET_MAIN);
    blvm_chain_entry e[12];
    for (int i = 0; i < 12; i++) {
        blvm_block_header h;
        memset(&h, 0, sizeof h);
        h.bits = 0x1d00ffff;
        h.time = 1000000 + (uint32_t)i;
        if (i == 11) h.time = 2000000;
        uint8_t hash[32] = {(uint8_t)(i + 1)};
        blvm_chain_entry_init(&e[i], &h, hash, i ? &e[i - 1] : NULL);
        e[i].height = 2004 + i; /* e[11] is height 2015: the next starts a period */
    }
    assert_int_equal(blvm_miner_minimum_time(p, &e[11]), 2000000 - 600);
    /* One block earlier, no period starts: MTP + 1. */
    assert_int_equal(blvm_miner_minimum_time(p, &e[10]),
                     blvm_chain_entry_median_time_past(&e[10]) + 1);
}

/* ---- transactions ------------------------------------------------------- */

/* A transaction spending a made-up outpoint, with a witness, paying to a
 * script (pad bytes make it heavier). */
static void make_tx(blvm_tx *tx, uint8_t tag, size_t pad, uint32_t locktime, uint32_t sequence) {
    blvm_tx_init(tx);
    tx->version = 2;
    tx->locktime = locktime;
    assert_true(blvm_tx_resize(tx, 1, 1));
    memset(tx->vin[0].prevout.hash, tag, 32);
    tx->vin[0].prevout.n = 0;
    tx->vin[0].sequence = sequence;
    uint8_t item[72];
    memset(item, tag, sizeof item);
    assert_true(blvm_witness_push(&tx->vin[0].witness, item, sizeof item));
    tx->vout[0].value = 1000;
    uint8_t *spk = calloc(1, pad + 22);
    assert_non_null(spk);
    memcpy(spk, p2wpkh, sizeof p2wpkh);
    assert_true(blvm_script_set(&tx->vout[0].script_pubkey, spk, pad ? pad + 22 : 22));
    free(spk);
    blvm_tx_compute_hashes(tx);
}

static void test_add_transactions(void **state) {
    (void)state;
    chain c;
    chain_init(&c, blvm_params_get(BLVM_NET_REGTEST), 16);
    mine_one(&c, NULL);
    blvm_miner_options opt;
    blvm_miner_options_init(&opt);
    opt.coinbase_script = p2wpkh;
    opt.coinbase_script_len = sizeof p2wpkh;
    opt.now = c.clock++;
    blvm_block_template t;
    assert_true(blvm_miner_begin(&t, c.p, chain_tip(&c), &opt));
    blvm_tx a, b, late;
    make_tx(&a, 0xa1, 0, 0, 0xffffffff);
    make_tx(&b, 0xb2, 0, 0, 0xffffffff);
    /* Height lock: final only at a height above its lock time. */
    make_tx(&late, 0xc3, 0, (uint32_t)t.height, 0);
    assert_int_equal(blvm_miner_add_tx(&t, &a, 1500, 4), BLVM_MINER_ADDED);
    assert_int_equal(blvm_miner_add_tx(&t, &b, 2500, 8), BLVM_MINER_ADDED);
    assert_int_equal(blvm_miner_add_tx(&t, &late, 100, 0), BLVM_MINER_NOT_FINAL);
    /* Sigops: the 400 reserved for the coinbase count against the limit. */
    assert_int_equal(blvm_miner_add_tx(&t, &late, 100, BLVM_MAX_BLOCK_SIGOPS_COST - 400 - 12),
                     BLVM_MINER_TOO_MANY_SIGOPS);
    assert_int_equal(blvm_miner_add_tx(&t, &late, 100, -1), BLVM_MINER_TOO_MANY_SIGOPS);
    assert_int_equal(t.weight,
                     BLVM_MINER_DEFAULT_RESERVED_WEIGHT + blvm_tx_weight(&a) + blvm_tx_weight(&b));
    assert_int_equal(t.sigop_cost, 400 + 12);
    assert_true(blvm_miner_finish(&t));
    assert_int_equal(blvm_miner_add_tx(&t, &a, 1, 1), BLVM_MINER_FINISHED);
    assert_false(blvm_miner_append_tx(&t, &a));
    assert_int_equal(t.block.tx_count, 3);
    /* Fees go to the coinbase; fees[0] is minus their sum (BIP22). */
    assert_int_equal(t.block.txs[0].vout[0].value, 50 * BLVM_COIN + 4000);
    assert_int_equal(t.fees[0], -4000);
    assert_int_equal(t.fees[1], 1500);
    assert_int_equal(t.sigop_costs[2], 8);
    assert_memory_equal(t.block.txs[1].txid, a.txid, 32);
    uint64_t ntx, weight;
    assert_true(blvm_miner_last_block_stats(&ntx, &weight));
    assert_int_equal(ntx, 2);
    assert_int_equal(weight, t.weight);
    /* The witness commitment covers both witnesses: the block passes the
     * contextual checks (which include CheckWitnessMalleation). */
    mine_template(&t);
    blvm_validation_state st;
    if (!check_block_all(&c, &t.block, &st)) fail_msg("rejected: %s", st.reject_reason);
    /* A changed witness breaks the commitment. */
    t.block.txs[1].vin[0].witness.items[0].data[0] ^= 1;
    blvm_tx_compute_hashes(&t.block.txs[1]);
    assert_false(check_block_all(&c, &t.block, &st));
    assert_string_equal(st.reject_reason, "bad-witness-merkle-match");
    blvm_miner_template_clear(&t);

    /* Weight: a block limit just above the reserve takes nothing. */
    opt.block_max_weight = BLVM_MINER_DEFAULT_RESERVED_WEIGHT + 4 * blvm_tx_vsize(&a);
    assert_true(blvm_miner_begin(&t, c.p, chain_tip(&c), &opt));
    /* weight + 4 * vsize reaching the limit exactly is refused (Core's >=). */
    assert_int_equal(blvm_miner_add_tx(&t, &a, 1, 0), BLVM_MINER_TOO_HEAVY);
    blvm_miner_template_clear(&t);
    opt.block_max_weight = BLVM_MINER_DEFAULT_RESERVED_WEIGHT + 4 * blvm_tx_vsize(&a) + 1;
    assert_true(blvm_miner_begin(&t, c.p, chain_tip(&c), &opt));
    assert_int_equal(blvm_miner_add_tx(&t, &a, 1, 0), BLVM_MINER_ADDED);
    assert_int_equal(blvm_miner_add_tx(&t, &b, 1, 0), BLVM_MINER_TOO_HEAVY);
    blvm_miner_template_clear(&t);

    /* generateblock's path: appended without checks, fees unknown (zero),
     * the commitment regenerated over them; not counted as assembled. */
    opt.block_max_weight = 0;
    assert_true(blvm_miner_begin(&t, c.p, chain_tip(&c), &opt));
    assert_true(blvm_miner_append_tx(&t, &late));
    assert_true(blvm_miner_append_tx(&t, &a));
    assert_true(blvm_miner_finish(&t));
    assert_int_equal(t.block.txs[0].vout[0].value, 50 * BLVM_COIN);
    assert_true(blvm_miner_last_block_stats(&ntx, &weight));
    assert_int_equal(ntx, 0);
    mine_template(&t);
    /* late is not final at this height: the block is invalid as a whole. */
    assert_false(check_block_all(&c, &t.block, &st));
    assert_string_equal(st.reject_reason, "bad-txns-nonfinal");
    blvm_miner_template_clear(&t);

    blvm_tx_clear(&a);
    blvm_tx_clear(&b);
    blvm_tx_clear(&late);
    free(c.e);
}

static void test_coinbase_sigops_and_script(void **state) {
    (void)state;
    chain c;
    chain_init(&c, blvm_params_get(BLVM_NET_REGTEST), 4);
    /* Bare pay-to-pubkey: one CHECKSIG, cost 4. */
    uint8_t p2pk[35] = {33, 0x02};
    p2pk[34] = OP_CHECKSIG;
    blvm_miner_options opt;
    blvm_miner_options_init(&opt);
    opt.coinbase_script = p2pk;
    opt.coinbase_script_len = sizeof p2pk;
    opt.now = c.clock;
    blvm_block_template t;
    assert_true(blvm_miner_begin(&t, c.p, chain_tip(&c), &opt));
    assert_true(blvm_miner_finish(&t));
    assert_int_equal(t.sigop_costs[0], 4);
    /* An empty output script is allowed (anyone can spend). */
    blvm_miner_template_clear(&t);
    opt.coinbase_script_len = 0;
    assert_true(blvm_miner_begin(&t, c.p, chain_tip(&c), &opt));
    assert_true(blvm_miner_finish(&t));
    assert_int_equal(t.block.txs[0].vout[0].script_pubkey.len, 0);
    assert_false(blvm_miner_finish(&t)); /* only once */
    blvm_miner_template_clear(&t);
    free(c.e);
}

/* ---- grinding ----------------------------------------------------------- */

static bool stop_now(void *ctx) {
    return *(bool *)ctx;
}

static void test_grind(void **state) {
    (void)state;
    const blvm_params *main = blvm_params_get(BLVM_NET_MAIN);
    blvm_block_header h = main->genesis_header;
    /* The genesis header's own nonce works; starting there finds it. */
    uint64_t tries = 10;
    assert_int_equal(blvm_miner_grind(&h, main, &tries, NULL, NULL), BLVM_GRIND_FOUND);
    assert_int_equal(h.nonce, main->genesis_header.nonce);
    assert_int_equal(tries, 10);
    /* No tries left: exhausted even where the nonce would do (Core). */
    tries = 0;
    assert_int_equal(blvm_miner_grind(&h, main, &tries, NULL, NULL), BLVM_GRIND_EXHAUSTED);
    /* Mainnet difficulty: a few tries run out. */
    h.nonce = 7;
    tries = 100;
    assert_int_equal(blvm_miner_grind(&h, main, &tries, NULL, NULL), BLVM_GRIND_EXHAUSTED);
    assert_int_equal(tries, 0);
    assert_int_equal(h.nonce, 107);
    /* The nonce space ends before the tries do. */
    h.nonce = UINT32_MAX - 50;
    tries = 1000;
    assert_int_equal(blvm_miner_grind(&h, main, &tries, NULL, NULL), BLVM_GRIND_NONCE_WRAPPED);
    assert_int_equal(h.nonce, UINT32_MAX);
    assert_int_equal(tries, 950);
    /* Interrupted (shutdown). */
    bool stop = true;
    h.nonce = 0;
    tries = 100000;
    assert_int_equal(blvm_miner_grind(&h, main, &tries, stop_now, &stop), BLVM_GRIND_EXHAUSTED);
    assert_true(tries > 0);
    /* Regtest: found quickly, and the result meets the target. */
    const blvm_params *rt = blvm_params_get(BLVM_NET_REGTEST);
    h = rt->genesis_header;
    h.nonce = 0;
    h.time += 12345;
    stop = false;
    tries = 1000;
    assert_int_equal(blvm_miner_grind(&h, rt, &tries, stop_now, &stop), BLVM_GRIND_FOUND);
    uint8_t hash[32];
    blvm_header_hash(&h, hash);
    assert_true(blvm_pow_check(hash, h.bits, rt));
}

/* ---- submitblock's fix-up ------------------------------------------------ */

static void test_update_uncommitted(void **state) {
    (void)state;
    chain c;
    chain_init(&c, blvm_params_get(BLVM_NET_REGTEST), 4);
    blvm_miner_options opt;
    blvm_miner_options_init(&opt);
    opt.coinbase_script = p2wpkh;
    opt.coinbase_script_len = sizeof p2wpkh;
    opt.now = c.clock;
    blvm_block_template t;
    assert_true(blvm_miner_begin(&t, c.p, chain_tip(&c), &opt));
    assert_true(blvm_miner_finish(&t));
    mine_template(&t);
    /* A pool strips the coinbase witness (as pre-segwit software does). */
    blvm_witness_clear(&t.block.txs[0].vin[0].witness);
    blvm_tx_compute_hashes(&t.block.txs[0]);
    blvm_validation_state st;
    assert_false(check_block_all(&c, &t.block, &st));
    assert_string_equal(st.reject_reason, "bad-witness-nonce-size");
    /* Before segwit (mainnet height 100) nothing is added. */
    assert_true(blvm_miner_update_uncommitted(&t.block, blvm_params_get(BLVM_NET_MAIN), 100));
    assert_int_equal(t.block.txs[0].vin[0].witness.count, 0);
    assert_true(blvm_miner_update_uncommitted(&t.block, c.p, t.height));
    assert_int_equal(t.block.txs[0].vin[0].witness.count, 1);
    if (!check_block_all(&c, &t.block, &st)) fail_msg("rejected: %s", st.reject_reason);
    /* A coinbase that has a witness is left alone. */
    t.block.txs[0].vin[0].witness.items[0].data[0] = 1;
    assert_true(blvm_miner_update_uncommitted(&t.block, c.p, t.height));
    assert_int_equal(t.block.txs[0].vin[0].witness.items[0].data[0], 1);
    /* No commitment: nothing to do. */
    blvm_witness_clear(&t.block.txs[0].vin[0].witness);
    assert_true(blvm_tx_resize(&t.block.txs[0], 1, 1));
    blvm_tx_compute_hashes(&t.block.txs[0]);
    assert_true(blvm_miner_update_uncommitted(&t.block, c.p, t.height));
    assert_int_equal(t.block.txs[0].vin[0].witness.count, 0);
    blvm_miner_template_clear(&t);
    free(c.e);
}

/* ---- version bits --------------------------------------------------------- */

static void test_versionbits_regtest(void **state) {
    (void)state;
    const blvm_params *p = blvm_params_get(BLVM_NET_REGTEST);
    chain c;
    chain_init(&c, p, 600);
    /* Genesis's child: DEFINED. Taproot is active from genesis on regtest. */
    assert_int_equal(blvm_vb_state_for(p, BLVM_VB_TESTDUMMY, NULL), BLVM_VB_DEFINED);
    assert_int_equal(blvm_vb_state_for(p, BLVM_VB_TAPROOT, chain_tip(&c)), BLVM_VB_ACTIVE);
    assert_int_equal(blvm_vb_state_since_height(p, BLVM_VB_TAPROOT, chain_tip(&c)), 0);
    /* Core's regtest: blocks 1..143 version 0x20000000; 144..431 also set
     * testdummy's bit 28 (STARTED, then LOCKED_IN); from 432 it is ACTIVE
     * and no longer signalled. */
    while (c.len < 500) {
        int32_t height = (int32_t)c.len;
        blvm_vb_state s = blvm_vb_state_for(p, BLVM_VB_TESTDUMMY, chain_tip(&c));
        blvm_vb_state want = height < 144   ? BLVM_VB_DEFINED
                             : height < 288 ? BLVM_VB_STARTED
                             : height < 432 ? BLVM_VB_LOCKED_IN
                                            : BLVM_VB_ACTIVE;
        assert_int_equal(s, want);
        int32_t since = blvm_vb_state_since_height(p, BLVM_VB_TESTDUMMY, chain_tip(&c));
        assert_int_equal(since, height < 144 ? 0 : height < 288 ? 144 : height < 432 ? 288 : 432);
        int32_t v = blvm_vb_compute_block_version(p, chain_tip(&c));
        assert_int_equal(v, (height >= 144 && height < 432) ? 0x30000000 : 0x20000000);
        mine_one(&c, NULL);
        assert_int_equal(c.e[c.len - 1].version, v);
    }
    /* Statistics of a STARTED period: block 200 is the 57th of 144..287,
     * all signalling. */
    blvm_vb_stats st;
    blvm_vb_statistics(p, BLVM_VB_TESTDUMMY, &c.e[200], &st);
    assert_int_equal(st.period, 144);
    assert_int_equal(st.threshold, 108);
    assert_int_equal(st.elapsed, 57);
    assert_int_equal(st.count, 57);
    assert_true(st.possible);
    blvm_vb_statistics(p, BLVM_VB_TESTDUMMY, &c.e[100], &st);
    assert_int_equal(st.elapsed, 101);
    assert_int_equal(st.count, 0);
    assert_false(st.possible);
    assert_string_equal(blvm_vb_state_name(BLVM_VB_LOCKED_IN), "locked_in");
    free(c.e);
}

static void test_versionbits_not_signalled(void **state) {
    (void)state;
    const blvm_params *p = blvm_params_get(BLVM_NET_REGTEST);
    chain c;
    chain_init(&c, p, 600);
    blvm_miner_options opt;
    blvm_miner_options_init(&opt);
    opt.coinbase_script = p2wpkh;
    opt.coinbase_script_len = sizeof p2wpkh;
    opt.has_version_override = true; /* Core's -blockversion on regtest */
    opt.version_override = 0x20000000;
    /* 107 signalling blocks in a period (one short of 108): stays STARTED. */
    while (c.len < 432) {
        int32_t h = (int32_t)c.len;
        opt.version_override = (h >= 144 && h < 144 + 107) ? 0x30000000 : 0x20000000;
        mine_one(&c, &opt);
        assert_int_equal(c.e[c.len - 1].version, opt.version_override);
    }
    assert_int_equal(blvm_vb_state_for(p, BLVM_VB_TESTDUMMY, chain_tip(&c)), BLVM_VB_STARTED);
    assert_int_equal(blvm_vb_state_since_height(p, BLVM_VB_TESTDUMMY, chain_tip(&c)), 144);
    /* A version without the top bits does not count even with bit 28. */
    assert_false(blvm_vb_signals(0x10000000, 28));
    assert_false(blvm_vb_signals(0x70000000, 28));
    assert_true(blvm_vb_signals(0x30000000, 28));
    /* The override is ignored off regtest. */
    const blvm_params *m = blvm_params_get(BLVM_NET_MAIN);
    blvm_chain_entry g;
    blvm_chain_entry_init(&g, &m->genesis_header, m->genesis_hash, NULL);
    opt.version_override = 1337;
    opt.now = 1231006505 + 600;
    blvm_block_template t;
    assert_true(blvm_miner_begin(&t, m, &g, &opt));
    assert_int_equal(t.block.header.version, 0x20000000);
    assert_false(t.segwit_active); /* mainnet height 1 */
    assert_true(blvm_miner_finish(&t));
    assert_int_equal(t.commitment_len, 0);
    assert_int_equal(t.block.txs[0].vout_count, 1);
    assert_int_equal(t.block.txs[0].vin[0].witness.count, 0);
    assert_int_equal(t.block.header.bits, 0x1d00ffff);
    blvm_miner_template_clear(&t);
    /* Mainnet: testdummy never active, taproot not started at genesis. */
    assert_int_equal(blvm_vb_state_for(m, BLVM_VB_TESTDUMMY, &g), BLVM_VB_FAILED);
    assert_int_equal(blvm_vb_state_for(m, BLVM_VB_TAPROOT, &g), BLVM_VB_DEFINED);
    free(c.e);
}

/* ---- TestBlockValidity on a real chainstate ------------------------------ */

static int64_t cs_clock(void) {
    return 1700000000;
}

static const uint8_t op_true[1] = {0x51};

/* A template on the chainstate's tip paying to OP_TRUE, with txs appended. */
static void cs_template(blvm_chainstate *cs, const blvm_tx *txs, size_t n,
                        blvm_block_template *t) {
    blvm_miner_options opt;
    blvm_miner_options_init(&opt);
    opt.coinbase_script = op_true;
    opt.coinbase_script_len = 1;
    opt.now = cs_clock();
    blvm_chainstate_lock(cs);
    blvm_block_index *tip = blvm_chainstate_tip_locked(cs);
    assert_true(blvm_miner_begin(t, blvm_chainstate_params(cs), &tip->entry, &opt));
    for (size_t i = 0; i < n; i++) assert_true(blvm_miner_append_tx(t, &txs[i]));
    assert_true(blvm_miner_finish(t));
    blvm_chainstate_unlock(cs);
}

static void refresh_merkle(blvm_block *b) {
    for (size_t i = 0; i < b->tx_count; i++) blvm_tx_compute_hashes(&b->txs[i]);
    assert_true(blvm_block_merkle_root(b, b->header.merkle_root, NULL));
}

static void test_chainstate_test_block_validity(void **state) {
    (void)state;
    char dir[] = "/tmp/blvm_test_miner_cs_XXXXXX";
    assert_non_null(mkdtemp(dir));
    blvm_chainstate_options o;
    memset(&o, 0, sizeof o);
    o.datadir = dir;
    o.par = 1;
    o.no_sync = true;
    o.now = cs_clock;
    char err[256];
    const blvm_params *p = blvm_params_get(BLVM_NET_REGTEST);
    blvm_chainstate *cs = blvm_chainstate_open(p, &o, err, sizeof err);
    assert_non_null(cs);

    /* 101 blocks mined here and connected: the first coinbase matures. */
    uint8_t first_cb[32];
    for (int i = 0; i < 101; i++) {
        blvm_block_template t;
        cs_template(cs, NULL, 0, &t);
        if (i == 0) memcpy(first_cb, t.block.txs[0].txid, 32);
        blvm_validation_state st;
        assert_true(blvm_chainstate_test_block_validity(cs, &t.block, false, true, &st));
        mine_template(&t);
        blvm_process_result res;
        assert_true(blvm_chainstate_process_block(cs, &t.block, &res, &st));
        assert_true(res.new_block);
        blvm_miner_template_clear(&t);
    }
    blvm_tip_info tip;
    blvm_chainstate_tip(cs, &tip);
    assert_int_equal(tip.height, 101);

    /* A spend of the first coinbase (OP_TRUE needs no signature). */
    blvm_tx spend;
    blvm_tx_init(&spend);
    spend.version = 2;
    assert_true(blvm_tx_resize(&spend, 1, 1));
    memcpy(spend.vin[0].prevout.hash, first_cb, 32);
    spend.vin[0].sequence = BLVM_SEQUENCE_FINAL;
    spend.vout[0].value = 50 * BLVM_COIN - 1000;
    assert_true(blvm_script_set(&spend.vout[0].script_pubkey, op_true, 1));
    blvm_tx_compute_hashes(&spend);
    blvm_outpoint op = {.n = 0};
    memcpy(op.hash, first_cb, 32);
    blvm_coin coin;

    blvm_block_template t;
    blvm_validation_state st;
    cs_template(cs, &spend, 1, &t);
    /* Valid without proof of work (what generateblock checks first). */
    assert_true(blvm_chainstate_test_block_validity(cs, &t.block, false, true, &st));
    /* Nothing changed: the coin is unspent, the tip the same. */
    blvm_coin_init(&coin);
    assert_int_equal(blvm_chainstate_get_coin(cs, &op, &coin), 1);
    blvm_coin_clear(&coin);
    blvm_tip_info now;
    blvm_chainstate_tip(cs, &now);
    assert_memory_equal(now.hash, tip.hash, 32);
    /* A nonce that misses the target fails with check_pow only. */
    uint8_t hash[32];
    for (;;) {
        blvm_header_hash(&t.block.header, hash);
        if (!blvm_pow_check(hash, t.block.header.bits, p)) break;
        t.block.header.nonce++;
    }
    assert_true(blvm_chainstate_test_block_validity(cs, &t.block, false, true, &st));
    assert_false(blvm_chainstate_test_block_validity(cs, &t.block, true, true, &st));
    assert_string_equal(st.reject_reason, "high-hash");
    /* The coinbase claiming one satoshi more than subsidy (fees unclaimed:
     * 1000 are available). */
    t.block.txs[0].vout[0].value += 1001;
    refresh_merkle(&t.block);
    assert_false(blvm_chainstate_test_block_validity(cs, &t.block, false, true, &st));
    assert_string_equal(st.reject_reason, "bad-cb-amount");
    t.block.txs[0].vout[0].value -= 1;
    refresh_merkle(&t.block);
    assert_true(blvm_chainstate_test_block_validity(cs, &t.block, false, true, &st));
    /* A wrong merkle root matters only with check_merkle_root. */
    t.block.header.merkle_root[0] ^= 1;
    assert_true(blvm_chainstate_test_block_validity(cs, &t.block, false, false, &st));
    assert_false(blvm_chainstate_test_block_validity(cs, &t.block, false, true, &st));
    assert_string_equal(st.reject_reason, "bad-txnmrklroot");
    blvm_miner_template_clear(&t);

    /* The same coin spent twice in one block. */
    blvm_tx two[2];
    two[0] = spend;
    two[1] = spend;
    cs_template(cs, two, 2, &t);
    assert_false(blvm_chainstate_test_block_validity(cs, &t.block, false, false, &st));
    assert_string_equal(st.reject_reason, "bad-txns-inputs-missingorspent");
    blvm_miner_template_clear(&t);
    blvm_coin_init(&coin);
    assert_int_equal(blvm_chainstate_get_coin(cs, &op, &coin), 1);
    blvm_coin_clear(&coin);

    /* Built on something else than the tip. */
    cs_template(cs, &spend, 1, &t);
    t.block.header.prev_hash[0] ^= 1;
    assert_false(blvm_chainstate_test_block_validity(cs, &t.block, false, true, &st));
    assert_string_equal(st.reject_reason, "inconclusive-not-best-prevblk");
    t.block.header.prev_hash[0] ^= 1;
    /* And finally mined and connected: the coin is gone. */
    mine_template(&t);
    blvm_process_result res;
    assert_true(blvm_chainstate_process_block(cs, &t.block, &res, &st));
    blvm_chainstate_tip(cs, &now);
    assert_int_equal(now.height, 102);
    blvm_coin_init(&coin);
    assert_int_equal(blvm_chainstate_get_coin(cs, &op, &coin), 0);
    blvm_coin_clear(&coin);
    /* Checking it again now: its parent is no longer the tip. */
    assert_false(blvm_chainstate_test_block_validity(cs, &t.block, true, true, &st));
    assert_string_equal(st.reject_reason, "inconclusive-not-best-prevblk");
    blvm_miner_template_clear(&t);
    blvm_tx_clear(&spend);
    blvm_chainstate_close(cs);
    blvm_test_rmtree(dir);
}

/* ---- block creation settings ------------------------------------------- */

static const char *no_env(const char *name) {
    (void)name;
    return NULL;
}

static blvm_config *load_args(const char *dir, const char *arg, char *err, size_t errlen) {
    char dd[300];
    snprintf(dd, sizeof dd, "-datadir=%s", dir);
    char *argv[4] = {(char *)"blvmd", dd, (char *)"-regtest", (char *)arg};
    blvm_config_options o = {.specs = blvm_config_blvmd_args,
                             .nspecs = blvm_config_blvmd_args_count,
                             .getenv_fn = no_env};
    return blvm_config_load(&o, arg ? 4 : 3, argv, err, errlen);
}

static void test_options_from_config(void **state) {
    (void)state;
    char dir[] = "/tmp/blvm_test_miner_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char err[256];
    blvm_miner_options opt;
    blvm_config *cfg = load_args(dir, NULL, err, sizeof err);
    assert_non_null(cfg);
    blvm_miner_options_init(&opt);
    assert_true(blvm_miner_options_from_config(&opt, cfg, err, sizeof err));
    assert_int_equal(opt.block_max_weight, BLVM_MAX_BLOCK_WEIGHT);
    assert_int_equal(opt.block_reserved_weight, BLVM_MINER_DEFAULT_RESERVED_WEIGHT);
    assert_false(opt.has_version_override);
    blvm_config_destroy(cfg);

    cfg = load_args(dir, "-blockversion=1337", err, sizeof err);
    assert_non_null(cfg);
    assert_true(blvm_miner_options_from_config(&opt, cfg, err, sizeof err));
    assert_true(opt.has_version_override);
    assert_int_equal(opt.version_override, 1337);
    blvm_config_destroy(cfg);

    static const struct {
        const char *arg, *msg;
    } bad[] = {
        {"-blockmaxweight=4000001",
         "Specified -blockmaxweight (4000001) exceeds consensus maximum block weight (4000000)"},
        {"-blockreservedweight=4000001",
         "Specified -blockreservedweight (4000001) exceeds consensus maximum block weight "
         "(4000000)"},
        {"-blockreservedweight=1999",
         "Specified -blockreservedweight (1999) is lower than minimum safety value of (2000)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cfg = load_args(dir, bad[i].arg, err, sizeof err);
        assert_non_null(cfg);
        blvm_miner_options_init(&opt);
        assert_false(blvm_miner_options_from_config(&opt, cfg, err, sizeof err));
        assert_string_equal(err, bad[i].msg);
        blvm_config_destroy(cfg);
    }
    cfg = load_args(dir, "-blockreservedweight=2000", err, sizeof err);
    assert_non_null(cfg);
    assert_true(blvm_miner_options_from_config(&opt, cfg, err, sizeof err));
    assert_int_equal(opt.block_reserved_weight, 2000);
    blvm_config_destroy(cfg);
    assert_int_equal(rmdir(dir), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_coinbase_shape),
        cmocka_unit_test(test_block_time),
        cmocka_unit_test(test_minimum_time_timewarp),
        cmocka_unit_test(test_add_transactions),
        cmocka_unit_test(test_coinbase_sigops_and_script),
        cmocka_unit_test(test_grind),
        cmocka_unit_test(test_update_uncommitted),
        cmocka_unit_test(test_versionbits_regtest),
        cmocka_unit_test(test_versionbits_not_signalled),
        cmocka_unit_test(test_options_from_config),
        cmocka_unit_test(test_chainstate_test_block_validity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
