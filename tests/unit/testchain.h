/* Helpers for the unit tests that build regtest chains through the
 * chainstate API (test_chainstate, test_connect_rules, test_storage_faults):
 * opening a chainstate in a temp dir with test options, building a block on
 * a parent (a BIP34 coinbase paying OP_TRUE, optional OP_RETURN filler, the
 * BIP141 commitment when a transaction has a witness), the merkle root and
 * regtest proof of work, submitting a block and expecting a reject reason,
 * and a digest of the UTXO set (Core's hash_serialized_3).
 *
 * Header-only (static inline), like testutil.h; the temp dirs come from
 * there. Uses cmocka's assertions, so include it after <cmocka.h>. "tc"
 * stands for test chain. */
#ifndef BLVM_TESTS_UNIT_TESTCHAIN_H
#define BLVM_TESTS_UNIT_TESTCHAIN_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "consensus/chain_rules.h"
#include "consensus/merkle.h"
#include "consensus/pow.h"
#include "crypto/sha256.h"
#include "node/chainstate.h"

#include "testutil.h"

/* ---- opening ----------------------------------------------------------- */

/* Chainstate log callback: silent unless $BLVM_TEST_VERBOSE is set. */
static inline void blvm_tc_quiet_log(void *ctx, int level, const char *msg) {
    (void)ctx;
    if (getenv("BLVM_TEST_VERBOSE") && level >= BLVM_CS_LOG_INFO) fprintf(stderr, "%s\n", msg);
}

/* Test options for a chainstate in dir: `par` script threads, fsync off when
 * no_sync, the clock `now`, no periodic flush unless a test sets one, quiet
 * log. Callers set any other field (fatal_error, assume_valid, pruning). */
static inline blvm_chainstate_options blvm_tc_options(const char *dir, int par, bool no_sync,
                                                      int64_t (*now)(void)) {
    blvm_chainstate_options o;
    memset(&o, 0, sizeof o);
    o.datadir = dir;
    o.par = par;
    o.no_sync = no_sync;
    o.now = now;
    o.flush_interval = 1000000000;
    o.log = blvm_tc_quiet_log;
    return o;
}

/* Opens a chainstate; prints the error and returns NULL on failure. */
static inline blvm_chainstate *blvm_tc_open(const blvm_params *params,
                                            const blvm_chainstate_options *o) {
    char err[256] = "";
    blvm_chainstate *cs = blvm_chainstate_open(params, o, err, sizeof err);
    if (!cs) fprintf(stderr, "open failed: %s\n", err);
    return cs;
}

/* ---- the block a new one builds on ------------------------------------- */

typedef struct {
    uint8_t hash[32];
    int32_t height;
    uint32_t time;
} blvm_tc_parent;

static inline blvm_tc_parent blvm_tc_tip(blvm_chainstate *cs) {
    blvm_tip_info t;
    blvm_chainstate_tip(cs, &t);
    blvm_tc_parent r;
    memcpy(r.hash, t.hash, 32);
    r.height = t.height;
    r.time = t.time;
    return r;
}

/* The parent reference of block b at height. */
static inline blvm_tc_parent blvm_tc_ref_of(const blvm_block *b, int32_t height) {
    blvm_tc_parent r;
    blvm_header_hash(&b->header, r.hash);
    r.height = height;
    r.time = b->header.time;
    return r;
}

/* Reads and decodes the stored block with this hash; false when it is not
 * known or cannot be read. */
static inline bool blvm_tc_read_block(blvm_chainstate *cs, const uint8_t hash[32],
                                      blvm_block *blk) {
    blvm_chainstate_lock(cs);
    blvm_block_index *b = blvm_chainstate_find_locked(cs, hash);
    blvm_chainstate_unlock(cs);
    uint8_t *raw;
    size_t len;
    if (!b || !blvm_chainstate_read_block(cs, b, &raw, &len)) return false;
    bool ok = blvm_block_decode_bytes(blk, raw, len);
    free(raw);
    return ok;
}

/* ---- building blocks --------------------------------------------------- */

typedef struct {
    const uint8_t *sig; /* coinbase scriptSig; NULL: BIP34 height + tag */
    size_t sig_len;
    int32_t height_delta;     /* BIP34 height written = height + this */
    uint8_t tag;              /* one pushed byte that makes sibling blocks differ */
    const uint8_t *extra_spk; /* an extra zero-value output after the first */
    size_t extra_spk_len;
    size_t opreturn; /* an OP_RETURN filler output of this many bytes */
} blvm_tc_coinbase_opts;

/* A version 2 coinbase at height paying `value` to OP_TRUE. */
static inline void blvm_tc_coinbase(blvm_tx *tx, int32_t height, blvm_amount value,
                                    const blvm_tc_coinbase_opts *o) {
    static const uint8_t op_true[1] = {0x51};
    blvm_tx_init(tx);
    size_t nout = 1 + (o->extra_spk ? 1 : 0) + (o->opreturn ? 1 : 0);
    assert_true(blvm_tx_resize(tx, 1, nout));
    tx->version = 2;
    memset(tx->vin[0].prevout.hash, 0, 32);
    tx->vin[0].prevout.n = 0xffffffffu;
    tx->vin[0].sequence = BLVM_SEQUENCE_FINAL;
    if (o->sig) {
        assert_true(blvm_script_set(&tx->vin[0].script_sig, o->sig, o->sig_len));
    } else {
        uint8_t sig[BLVM_BIP34_SCRIPT_MAX + 2];
        size_t n = blvm_bip34_height_script(height + o->height_delta, sig);
        sig[n++] = 0x01;
        sig[n++] = o->tag;
        assert_true(blvm_script_set(&tx->vin[0].script_sig, sig, n));
    }
    tx->vout[0].value = value;
    assert_true(blvm_script_set(&tx->vout[0].script_pubkey, op_true, 1));
    size_t out = 1;
    if (o->extra_spk) {
        tx->vout[out].value = 0;
        assert_true(blvm_script_set(&tx->vout[out].script_pubkey, o->extra_spk, o->extra_spk_len));
        out++;
    }
    if (o->opreturn) {
        uint8_t *s = calloc(1, o->opreturn);
        assert_non_null(s);
        s[0] = 0x6a; /* OP_RETURN, then filler */
        assert_true(blvm_script_set(&tx->vout[out].script_pubkey, s, o->opreturn));
        free(s);
    }
    blvm_tx_compute_hashes(tx);
}

/* Adds the BIP141 commitment to the coinbase: witness nonce (zero) and an
 * output OP_RETURN aa21a9ed || sha256d(witness root || nonce). */
static inline void blvm_tc_add_commitment(blvm_block *b) {
    blvm_tx *cb = &b->txs[0];
    uint8_t nonce[32] = {0}, root[32], commit[32];
    bool mut;
    blvm_witness_clear(&cb->vin[0].witness);
    assert_true(blvm_witness_push(&cb->vin[0].witness, nonce, 32));
    assert_true(blvm_block_witness_merkle_root(b, root, &mut));
    blvm_witness_commitment_compute(root, nonce, commit);
    blvm_tx fresh;
    blvm_tx_init(&fresh);
    assert_true(blvm_tx_copy(&fresh, cb));
    size_t n = cb->vout_count;
    assert_true(blvm_tx_resize(&fresh, 1, n + 1));
    uint8_t spk[38] = {0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed};
    memcpy(spk + 6, commit, 32);
    fresh.vout[n].value = 0;
    assert_true(blvm_script_set(&fresh.vout[n].script_pubkey, spk, sizeof spk));
    blvm_tx_compute_hashes(&fresh);
    blvm_tx_clear(cb);
    *cb = fresh;
}

static inline void blvm_tc_set_merkle_root(blvm_block *b) {
    bool mutated;
    assert_true(blvm_block_merkle_root(b, b->header.merkle_root, &mutated));
}

/* Grinds the nonce from 0 until the header's proof of work against `bits`
 * passes (valid) or fails (!valid); on regtest about two tries either way. */
static inline void blvm_tc_solve(blvm_block_header *h, uint32_t bits, bool valid,
                                 const blvm_params *params) {
    for (h->nonce = 0;; h->nonce++) {
        uint8_t hash[32];
        blvm_header_hash(h, hash);
        if (blvm_pow_check(hash, bits, params) == valid) break;
    }
}

typedef struct {
    blvm_tc_coinbase_opts cb;
    blvm_amount cb_extra; /* added to subsidy + fees (to overpay) */
    int32_t version;      /* 0: 0x20000000 */
    uint32_t time;        /* absolute; 0: parent time + 1 + time_delta */
    int64_t time_delta;
    uint32_t bits; /* 0: regtest's; the work is always solved against regtest's */
    bool bad_merkle;
    bool bad_pow;
} blvm_tc_block_opts;

/* Builds and mines a block on `parent`: the coinbase, then txs (copied),
 * the witness commitment when any of them has a witness. */
static inline void blvm_tc_build(blvm_block *b, const blvm_params *params,
                                 const blvm_tc_parent *parent, const blvm_tx *txs, size_t ntx,
                                 blvm_amount fees, const blvm_tc_block_opts *bo) {
    static const blvm_tc_block_opts none = {0};
    if (!bo) bo = &none;
    blvm_block_init(b);
    b->tx_count = ntx + 1;
    b->txs = calloc(b->tx_count, sizeof(blvm_tx));
    assert_non_null(b->txs);
    int32_t height = parent->height + 1;
    blvm_tc_coinbase(&b->txs[0], height, blvm_block_subsidy(height, params) + fees + bo->cb_extra,
                     &bo->cb);
    for (size_t i = 0; i < ntx; i++)
        assert_true(blvm_tx_copy(&b->txs[i + 1], &txs[i]));
    bool any_witness = false;
    for (size_t i = 1; i < b->tx_count; i++)
        any_witness |= blvm_tx_has_witness(&b->txs[i]);
    if (any_witness) blvm_tc_add_commitment(b);
    b->header.version = bo->version ? bo->version : 0x20000000;
    memcpy(b->header.prev_hash, parent->hash, 32);
    b->header.time = bo->time ? bo->time : (uint32_t)((int64_t)parent->time + 1 + bo->time_delta);
    b->header.bits = bo->bits ? bo->bits : params->genesis_header.bits;
    blvm_tc_set_merkle_root(b);
    if (bo->bad_merkle) b->header.merkle_root[0] ^= 1;
    blvm_tc_solve(&b->header, params->genesis_header.bits, !bo->bad_pow, params);
}

/* ---- submitting -------------------------------------------------------- */

/* process_block's answer; st may be NULL. */
static inline bool blvm_tc_submit(blvm_chainstate *cs, const blvm_block *b,
                                  blvm_validation_state *st) {
    blvm_validation_state local;
    blvm_process_result res;
    return blvm_chainstate_process_block(cs, b, &res, st ? st : &local);
}

/* Submits b, which must be rejected with exactly `reason`. */
static inline void blvm_tc_expect_reject(blvm_chainstate *cs, const blvm_block *b,
                                         const char *reason) {
    blvm_validation_state st;
    bool ok = blvm_tc_submit(cs, b, &st);
    if (ok || strcmp(st.reject_reason, reason) != 0)
        fail_msg("want %s, got %s (%s)", reason, ok ? "accepted" : st.reject_reason, st.debug);
}

/* ---- the UTXO set ------------------------------------------------------ */

/* Core's hash_serialized_3 (gettxoutsetinfo): sha256d over every coin's
 * outpoint, height*2 + coinbase (uint32) and txout, in the store's key
 * order; with the count, total value, and the best block and height the
 * store records. */
typedef struct {
    uint8_t hash[32];
    uint64_t count;
    blvm_amount total;
    int32_t height;
    uint8_t best[32];
} blvm_tc_utxo_digest;

struct blvm_tc_hash_ctx {
    blvm_sha256_ctx sha;
    uint64_t count;
    blvm_amount total;
};

static inline bool blvm_tc_hash_coin(void *arg, const blvm_outpoint *op, const blvm_coin *coin) {
    struct blvm_tc_hash_ctx *h = arg;
    uint8_t buf[48];
    memcpy(buf, op->hash, 32);
    blvm_write_le32(buf + 32, op->n);
    blvm_write_le32(buf + 36, coin->height * 2 + (coin->coinbase ? 1 : 0));
    blvm_write_le64(buf + 40, (uint64_t)coin->out.value);
    blvm_sha256_write(&h->sha, buf, 48);
    uint8_t cs[9];
    size_t n = blvm_encode_compact_size(cs, coin->out.script_pubkey.len);
    blvm_sha256_write(&h->sha, cs, n);
    blvm_sha256_write(&h->sha, coin->out.script_pubkey.data, coin->out.script_pubkey.len);
    h->count++;
    h->total += coin->out.value;
    return true;
}

static inline blvm_tc_utxo_digest blvm_tc_utxo(blvm_chainstate *cs) {
    struct blvm_tc_hash_ctx h;
    memset(&h, 0, sizeof h);
    blvm_sha256_init(&h.sha);
    blvm_tc_utxo_digest d;
    memset(&d, 0, sizeof d);
    assert_int_equal(blvm_chainstate_for_each_coin(cs, blvm_tc_hash_coin, &h, d.best, &d.height),
                     0);
    uint8_t once[32];
    blvm_sha256_finalize(&h.sha, once);
    blvm_sha256(d.hash, once, 32);
    d.count = h.count;
    d.total = h.total;
    return d;
}

/* Height, count, total and hash equal; the best block too when check_best. */
static inline void blvm_tc_assert_same_utxo(const blvm_tc_utxo_digest *a,
                                            const blvm_tc_utxo_digest *b, bool check_best) {
    assert_int_equal(a->height, b->height);
    if (check_best) assert_memory_equal(a->best, b->best, 32);
    assert_int_equal(a->count, b->count);
    assert_int_equal(a->total, b->total);
    assert_memory_equal(a->hash, b->hash, 32);
}

#endif
