/* Unit tests for consensus/block, merkle and block_check: the real mainnet
 * block 413567 from Core's data (decode, re-encode, merkle root, CheckBlock)
 * and mutated copies of it, merkle trees by hand, the witness commitment, and
 * a hand-built block for every CheckBlock reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "consensus/block.h"
#include "consensus/block_check.h"
#include "consensus/merkle.h"
#include "consensus/params.h"
#include "consensus/pow.h"
#include "crypto/sha256.h"
#include "testutil.h"
#include "util/hex.h"

static uint8_t *g_raw;
static size_t g_len;
static const blvm_params *g_main;

static int setup(void **state) {
    (void)state;
    g_raw = (uint8_t *)blvm_test_read_vector("block413567.raw", &g_len);
    if (!g_raw) return -1;
    g_main = blvm_params_get(BLVM_NET_MAIN);
    if (!g_main) return -1;
    return 0;
}

static int teardown(void **state) {
    (void)state;
    free(g_raw);
    return 0;
}

/* CheckBlock with mainnet parameters. */
static void expect_block(const blvm_block *b, bool pow, bool merkle, const char *reason,
                         blvm_validation_result result) {
    blvm_validation_state st;
    blvm_state_init(&st);
    bool ok = blvm_check_block(b, g_main, pow, merkle, &st);
    if (!reason) {
        if (!ok) fail_msg("unexpected failure: %s (%s)", st.reject_reason, st.debug);
        return;
    }
    assert_false(ok);
    assert_int_equal(st.mode, BLVM_STATE_INVALID);
    assert_string_equal(st.reject_reason, reason);
    assert_int_equal(st.result, result);
}

static void encode_block(const blvm_block *b, uint8_t **out, size_t *len) {
    blvm_writer w;
    blvm_writer_init(&w);
    blvm_block_encode(b, &w, true);
    assert_false(w.err);
    *out = blvm_writer_release(&w, len);
}

static void test_block413567(void **state) {
    (void)state;
    blvm_block b;
    assert_true(blvm_block_decode_bytes(&b, g_raw, g_len));
    assert_int_equal(b.tx_count, 1557);
    /* Re-encoding gives the same bytes. */
    uint8_t *enc;
    size_t enc_len;
    encode_block(&b, &enc, &enc_len);
    assert_int_equal(enc_len, g_len);
    assert_memory_equal(enc, g_raw, g_len);
    free(enc);
    /* Pre-segwit: no witness, so the weight is four times the size. */
    assert_int_equal(blvm_block_size(&b, true), g_len);
    assert_int_equal(blvm_block_size(&b, false), g_len);
    assert_int_equal(blvm_block_weight(&b), 4 * g_len);
    /* The header hash is the double hash of the first 80 bytes and meets its
     * own target. */
    uint8_t hash[32], expect[32];
    blvm_header_hash(&b.header, hash);
    blvm_sha256d(expect, g_raw, 80);
    assert_memory_equal(hash, expect, 32);
    assert_true(blvm_pow_check(hash, b.header.bits, g_main));
    /* Each txid is the double hash of that transaction's bytes. */
    size_t off = 80 + 3;
    for (size_t i = 0; i < b.tx_count; i++) {
        size_t n = blvm_tx_size(&b.txs[i], true);
        blvm_sha256d(expect, g_raw + off, n);
        assert_memory_equal(b.txs[i].txid, expect, 32);
        off += n;
    }
    assert_int_equal(off, g_len);
    /* The merkle root matches the header and the tree is not mutated. */
    uint8_t root[32];
    bool mutated = true;
    assert_true(blvm_block_merkle_root(&b, root, &mutated));
    assert_memory_equal(root, b.header.merkle_root, 32);
    assert_false(mutated);
    /* No witness commitment (mined before segwit), no witness data: fine
     * whether segwit is active or not. The witness root differs (coinbase
     * taken as zero). */
    size_t idx;
    assert_false(blvm_block_witness_commitment_index(&b, &idx));
    blvm_validation_state st;
    blvm_state_init(&st);
    assert_true(blvm_block_check_witness_commitment(&b, true, &st));
    assert_true(blvm_block_check_witness_commitment(&b, false, &st));
    uint8_t wroot[32];
    assert_true(blvm_block_witness_merkle_root(&b, wroot, NULL));
    assert_memory_not_equal(wroot, root, 32);
    /* CheckBlock passes. */
    expect_block(&b, true, true, NULL, 0);
    blvm_block_clear(&b);
}

static void test_flipped_bytes(void **state) {
    (void)state;
    unsigned seed = (unsigned)time(NULL);
    print_message("seed %u\n", seed);
    srand(seed);
    uint8_t *copy = malloc(g_len);
    assert_non_null(copy);
    int checked = 0;
    for (int iter = 0; iter < 60; iter++) {
        memcpy(copy, g_raw, g_len);
        /* Somewhere in the transactions (after the header and count). */
        size_t pos = 83 + (size_t)rand() % (g_len - 83);
        copy[pos] ^= (uint8_t)(1 + rand() % 255);
        blvm_block b;
        if (!blvm_block_decode_bytes(&b, copy, g_len)) continue;
        /* Any change to a transaction changes its txid and so the root. */
        expect_block(&b, true, true, "bad-txnmrklroot", BLVM_BLOCK_MUTATED);
        checked++;
        blvm_block_clear(&b);
    }
    assert_true(checked > 10);
    /* A flipped byte in a scriptSig's data (the coinbase's), for sure. */
    memcpy(copy, g_raw, g_len);
    copy[83 + 4 + 1 + 36 + 1 + 2] ^= 0x01;
    blvm_block b;
    assert_true(blvm_block_decode_bytes(&b, copy, g_len));
    expect_block(&b, true, true, "bad-txnmrklroot", BLVM_BLOCK_MUTATED);
    /* Without the merkle check, the same block passes CheckBlock. */
    expect_block(&b, true, false, NULL, 0);
    blvm_block_clear(&b);
    /* A flipped bit in the header's merkle root: proof of work fails first. */
    memcpy(copy, g_raw, g_len);
    copy[36] ^= 0x80;
    assert_true(blvm_block_decode_bytes(&b, copy, g_len));
    expect_block(&b, true, true, "high-hash", BLVM_BLOCK_INVALID_HEADER);
    expect_block(&b, false, true, "bad-txnmrklroot", BLVM_BLOCK_MUTATED);
    blvm_block_clear(&b);
    /* A changed nonce: high-hash, unless proof of work is not checked. */
    memcpy(copy, g_raw, g_len);
    copy[77] ^= 0x10;
    assert_true(blvm_block_decode_bytes(&b, copy, g_len));
    expect_block(&b, true, true, "high-hash", BLVM_BLOCK_INVALID_HEADER);
    expect_block(&b, false, true, NULL, 0);
    blvm_block_clear(&b);
    free(copy);
}

static void test_duplicated_transactions(void **state) {
    (void)state;
    blvm_block b;
    assert_true(blvm_block_decode_bytes(&b, g_raw, g_len));
    /* 1557 transactions: odd, so the last hash is paired with itself; a copy
     * of the last transaction keeps the root (CVE-2012-2459). */
    blvm_tx *txs = realloc(b.txs, (b.tx_count + 1) * sizeof *txs);
    assert_non_null(txs);
    b.txs = txs;
    assert_true(blvm_tx_copy(&b.txs[b.tx_count], &b.txs[b.tx_count - 1]));
    b.tx_count++;
    uint8_t root[32];
    bool mutated = false;
    assert_true(blvm_block_merkle_root(&b, root, &mutated));
    assert_memory_equal(root, b.header.merkle_root, 32);
    assert_true(mutated);
    expect_block(&b, true, true, "bad-txns-duplicate", BLVM_BLOCK_MUTATED);
    /* The same through the wire format. */
    uint8_t *enc;
    size_t enc_len;
    encode_block(&b, &enc, &enc_len);
    blvm_block b2;
    assert_true(blvm_block_decode_bytes(&b2, enc, enc_len));
    assert_int_equal(b2.tx_count, 1558);
    expect_block(&b2, true, true, "bad-txns-duplicate", BLVM_BLOCK_MUTATED);
    blvm_block_clear(&b2);
    free(enc);
    /* A copy anywhere else changes the root. */
    blvm_tx_clear(&b.txs[b.tx_count - 1]);
    assert_true(blvm_tx_copy(&b.txs[b.tx_count - 1], &b.txs[5]));
    expect_block(&b, true, true, "bad-txnmrklroot", BLVM_BLOCK_MUTATED);
    /* Without the merkle check the next rule is the size: 413567 is within
     * 113 bytes of the 1,000,000-byte limit, one more transaction is over. */
    assert_true(blvm_block_size(&b, false) > 1000000);
    expect_block(&b, true, false, "bad-blk-length", BLVM_BLOCK_CONSENSUS);
    blvm_block_clear(&b);
}

static void test_truncated(void **state) {
    (void)state;
    unsigned seed = (unsigned)time(NULL) ^ 0x5a5a;
    print_message("seed %u\n", seed);
    srand(seed);
    for (int iter = 0; iter < 300; iter++) {
        size_t cut = iter < 100 ? (size_t)iter : (size_t)rand() % g_len;
        blvm_block b;
        assert_false(blvm_block_decode_bytes(&b, g_raw, cut));
        assert_int_equal(b.tx_count, 0);
        assert_null(b.txs);
        blvm_reader r;
        blvm_reader_init(&r, g_raw, cut);
        assert_false(blvm_block_decode(&b, &r));
        assert_int_equal(r.err, BLVM_READ_TRUNCATED);
        assert_int_equal(r.pos, 0);
    }
    /* Trailing bytes. */
    uint8_t *longer = malloc(g_len + 1);
    memcpy(longer, g_raw, g_len);
    longer[g_len] = 0;
    blvm_block b;
    assert_false(blvm_block_decode_bytes(&b, longer, g_len + 1));
    /* A lying transaction count fails before allocating. */
    memcpy(longer + 80, "\xfe\x00\x00\x00\x02", 5);
    assert_false(blvm_block_decode_bytes(&b, longer, g_len + 1));
    free(longer);
}

/* Merkle trees by hand. */
static void h2(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]) {
    uint8_t buf[64];
    memcpy(buf, a, 32);
    memcpy(buf + 32, b, 32);
    blvm_sha256d(out, buf, 64);
}

static void test_merkle_by_hand(void **state) {
    (void)state;
    uint8_t leaves[9 * 32];
    for (size_t i = 0; i < sizeof leaves; i++)
        leaves[i] = (uint8_t)(i * 7 + 3);
    uint8_t *a = leaves, *b = leaves + 32, *c = leaves + 64;
    uint8_t root[32], expect[32], ab[32], cc[32];
    bool mutated = true;
    assert_true(blvm_merkle_root(root, leaves, 0, &mutated));
    assert_false(mutated);
    memset(expect, 0, 32);
    assert_memory_equal(root, expect, 32);
    assert_true(blvm_merkle_root(root, leaves, 1, &mutated));
    assert_memory_equal(root, a, 32);
    assert_true(blvm_merkle_root(root, leaves, 2, &mutated));
    h2(expect, a, b);
    assert_memory_equal(root, expect, 32);
    assert_false(mutated);
    /* Three leaves: the last is paired with itself. */
    h2(ab, a, b);
    h2(cc, c, c);
    h2(expect, ab, cc);
    assert_true(blvm_merkle_root(root, leaves, 3, &mutated));
    assert_memory_equal(root, expect, 32);
    assert_false(mutated);
    /* [a b c c] has the same root and is flagged. */
    uint8_t four[4 * 32];
    memcpy(four, leaves, 96);
    memcpy(four + 96, c, 32);
    assert_true(blvm_merkle_root(root, four, 4, &mutated));
    assert_memory_equal(root, expect, 32);
    assert_true(mutated);
    /* Equal neighbours that are not a copy of the padding are flagged too. */
    memcpy(four + 32, a, 32);
    assert_true(blvm_merkle_root(root, four, 4, &mutated));
    assert_true(mutated);
    /* Bigger trees against a plain recursive computation; many sizes so
     * every batching width of the double-hash path is used. */
    for (size_t n = 1; n <= 300; n += (n < 20 ? 1 : 37)) {
        uint8_t *hs = malloc(n * 32 + 32);
        for (size_t i = 0; i < n * 32; i++)
            hs[i] = (uint8_t)(i * 13 + n);
        assert_true(blvm_merkle_root(root, hs, n, NULL));
        size_t m = n;
        while (m > 1) {
            if (m & 1) memcpy(hs + 32 * m, hs + 32 * (m - 1), 32), m++;
            for (size_t i = 0; i < m / 2; i++)
                h2(hs + 32 * i, hs + 64 * i, hs + 64 * i + 32);
            m /= 2;
        }
        assert_memory_equal(root, hs, 32);
        free(hs);
    }
}

/* Hand-built blocks. */
static void make_coinbase(blvm_tx *tx, uint8_t tag) {
    blvm_tx_init(tx);
    tx->version = 1;
    assert_true(blvm_tx_resize(tx, 1, 1));
    tx->vin[0].prevout.n = 0xffffffffu;
    tx->vin[0].sequence = BLVM_SEQUENCE_FINAL;
    uint8_t sig[2] = {0x01, tag};
    assert_true(blvm_script_set(&tx->vin[0].script_sig, sig, 2));
    tx->vout[0].value = 50 * BLVM_COIN;
    uint8_t spk[1] = {0x51};
    assert_true(blvm_script_set(&tx->vout[0].script_pubkey, spk, 1));
    blvm_tx_compute_hashes(tx);
}

static void make_spend(blvm_tx *tx, uint8_t tag) {
    blvm_tx_init(tx);
    tx->version = 2;
    assert_true(blvm_tx_resize(tx, 1, 1));
    memset(tx->vin[0].prevout.hash, tag, 32);
    tx->vin[0].sequence = BLVM_SEQUENCE_FINAL;
    tx->vout[0].value = 1000;
    uint8_t spk[1] = {0x51};
    assert_true(blvm_script_set(&tx->vout[0].script_pubkey, spk, 1));
    blvm_tx_compute_hashes(tx);
}

static void block_with(blvm_block *b, size_t n) {
    blvm_block_init(b);
    b->header.version = 4;
    b->header.bits = 0x207fffff;
    b->tx_count = n;
    b->txs = calloc(n ? n : 1, sizeof *b->txs);
    assert_non_null(b->txs);
}

static void fix_root(blvm_block *b) {
    for (size_t i = 0; i < b->tx_count; i++)
        blvm_tx_compute_hashes(&b->txs[i]);
    assert_true(blvm_block_merkle_root(b, b->header.merkle_root, NULL));
}

static void test_check_block_reasons(void **state) {
    (void)state;
    blvm_block b;

    /* No transactions: the root of nothing is zero, which matches. */
    block_with(&b, 0);
    expect_block(&b, false, true, "bad-blk-length", BLVM_BLOCK_CONSENSUS);
    blvm_block_clear(&b);

    /* A good two-transaction block. */
    block_with(&b, 2);
    make_coinbase(&b.txs[0], 1);
    make_spend(&b.txs[1], 2);
    fix_root(&b);
    expect_block(&b, false, true, NULL, 0);
    blvm_block_clear(&b);

    /* Stripped size over 1,000,000 bytes. */
    block_with(&b, 1);
    make_coinbase(&b.txs[0], 1);
    uint8_t *big = calloc(1, 1000000);
    assert_true(blvm_script_set(&b.txs[0].vout[0].script_pubkey, big, 1000000));
    free(big);
    fix_root(&b);
    expect_block(&b, false, true, "bad-blk-length", BLVM_BLOCK_CONSENSUS);
    blvm_block_clear(&b);

    block_with(&b, 2);
    make_spend(&b.txs[0], 3);
    make_coinbase(&b.txs[1], 1);
    fix_root(&b);
    expect_block(&b, false, true, "bad-cb-missing", BLVM_BLOCK_CONSENSUS);
    blvm_block_clear(&b);

    block_with(&b, 3);
    make_coinbase(&b.txs[0], 1);
    make_spend(&b.txs[1], 2);
    make_coinbase(&b.txs[2], 2);
    fix_root(&b);
    expect_block(&b, false, true, "bad-cb-multiple", BLVM_BLOCK_CONSENSUS);
    blvm_block_clear(&b);

    /* A transaction failing CheckTransaction: its reason, and the txid in
     * the debug text (CVE-2018-17144 duplicate inputs here). */
    block_with(&b, 2);
    make_coinbase(&b.txs[0], 1);
    make_spend(&b.txs[1], 2);
    assert_true(blvm_tx_resize(&b.txs[1], 2, 1));
    b.txs[1].vin[1].prevout = b.txs[1].vin[0].prevout;
    fix_root(&b);
    blvm_validation_state st;
    blvm_state_init(&st);
    assert_false(blvm_check_block(&b, NULL, false, true, &st));
    assert_string_equal(st.reject_reason, "bad-txns-inputs-duplicate");
    assert_int_equal(st.result, BLVM_BLOCK_CONSENSUS);
    char want[100], txid[65];
    blvm_hex_encode_reversed(txid, b.txs[1].txid, 32);
    snprintf(want, sizeof want, "Transaction check failed (tx hash %s)", txid);
    assert_memory_equal(st.debug, want, strlen(want));
    /* The coinbase is checked too. */
    b.txs[1].vin[1].prevout.n = 1;
    assert_true(blvm_script_set(&b.txs[0].vin[0].script_sig, (const uint8_t *)"x", 1));
    fix_root(&b);
    expect_block(&b, false, true, "bad-cb-length", BLVM_BLOCK_CONSENSUS);
    blvm_block_clear(&b);

    /* Legacy sigops: 20000 OP_CHECKSIG is the most (20000 * 4 = 80000). */
    block_with(&b, 1);
    make_coinbase(&b.txs[0], 1);
    uint8_t *ops = malloc(20001);
    memset(ops, 0xac, 20001);
    assert_true(blvm_script_set(&b.txs[0].vout[0].script_pubkey, ops, 20000));
    fix_root(&b);
    expect_block(&b, false, true, NULL, 0);
    assert_true(blvm_script_set(&b.txs[0].vout[0].script_pubkey, ops, 20001));
    fix_root(&b);
    expect_block(&b, false, true, "bad-blk-sigops", BLVM_BLOCK_CONSENSUS);
    free(ops);
    blvm_block_clear(&b);
}

static void test_proof_of_work(void **state) {
    (void)state;
    /* The genesis header. */
    blvm_block_header h = {0};
    h.version = 1;
    assert_true(blvm_hex_decode_hash(
        h.merkle_root, "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"));
    h.time = 1231006505;
    h.bits = 0x1d00ffff;
    h.nonce = 2083236893;
    uint8_t hash[32];
    char hex[65];
    blvm_header_hash(&h, hash);
    blvm_hex_encode_reversed(hex, hash, 32);
    assert_string_equal(hex, "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
    /* Header round trip. */
    uint8_t enc[80];
    blvm_header_encode(&h, enc);
    blvm_reader r;
    blvm_reader_init(&r, enc, 80);
    blvm_block_header back;
    assert_true(blvm_header_decode(&back, &r));
    assert_memory_equal(&back, &h, sizeof h);
    blvm_reader_init(&r, enc, 79);
    assert_false(blvm_header_decode(&back, &r));

    blvm_validation_state st;
    blvm_state_init(&st);
    assert_true(blvm_check_block_header(&h, g_main, &st));
    h.nonce++;
    assert_false(blvm_check_block_header(&h, g_main, &st));
    assert_string_equal(st.reject_reason, "high-hash");
    assert_int_equal(st.result, BLVM_BLOCK_INVALID_HEADER);
    /* The genesis block of every network passes CheckBlock in full. */
    for (int net = 0; net < BLVM_NET_COUNT; net++) {
        const blvm_params *p = blvm_params_get((blvm_network)net);
        blvm_block g;
        blvm_block_init(&g);
        assert_true(blvm_params_genesis_block(p, &g));
        blvm_state_init(&st);
        if (!blvm_check_block(&g, p, true, true, &st))
            fail_msg("genesis of network %d: %s", net, st.reject_reason);
        /* Mainnet's target is harder than regtest's: regtest's genesis
         * fails mainnet's proof of work. */
        if (net == BLVM_NET_REGTEST) {
            blvm_state_init(&st);
            assert_false(blvm_check_block(&g, g_main, true, true, &st));
            assert_string_equal(st.reject_reason, "high-hash");
        }
        blvm_block_clear(&g);
    }
    /* Without parameters, asking for the proof-of-work check is an error of
     * the caller, not a verdict on the block. */
    blvm_block g;
    assert_true(blvm_block_decode_bytes(&g, g_raw, g_len));
    blvm_state_init(&st);
    assert_false(blvm_check_block(&g, NULL, true, true, &st));
    assert_int_equal(st.mode, BLVM_STATE_ERROR);
    blvm_block_clear(&g);
}

/* BIP141 witness commitment. */
static void add_commitment(blvm_tx *cb, size_t at, const uint8_t commit[32], size_t extra) {
    uint8_t spk[38 + 8] = {0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed};
    memcpy(spk + 6, commit, 32);
    assert_true(blvm_script_set(&cb->vout[at].script_pubkey, spk, 38 + extra));
}

static void test_witness_commitment(void **state) {
    (void)state;
    blvm_block b;
    block_with(&b, 2);
    make_coinbase(&b.txs[0], 1);
    make_spend(&b.txs[1], 2);
    uint8_t item[3] = {1, 2, 3};
    assert_true(blvm_witness_push(&b.txs[1].vin[0].witness, item, 3));
    fix_root(&b);
    /* CheckBlock ignores witnesses. */
    expect_block(&b, false, true, NULL, 0);
    blvm_validation_state st;
    /* No commitment: witness data is unexpected, segwit or not. */
    blvm_state_init(&st);
    assert_false(blvm_block_check_witness_commitment(&b, true, &st));
    assert_string_equal(st.reject_reason, "unexpected-witness");
    assert_int_equal(st.result, BLVM_BLOCK_MUTATED);
    blvm_state_init(&st);
    assert_false(blvm_block_check_witness_commitment(&b, false, &st));
    assert_string_equal(st.reject_reason, "unexpected-witness");

    /* A correct commitment in a second coinbase output, reserved value 32
     * zero bytes. */
    uint8_t nonce[32] = {0}, wroot[32], commit[32];
    assert_true(blvm_block_witness_merkle_root(&b, wroot, NULL));
    /* By hand: leaves are 0 (coinbase) and the spend's wtxid. */
    uint8_t leaves[64] = {0};
    memcpy(leaves + 32, b.txs[1].wtxid, 32);
    uint8_t expect[32];
    blvm_sha256d(expect, leaves, 64);
    assert_memory_equal(wroot, expect, 32);
    blvm_witness_commitment_compute(wroot, nonce, commit);
    assert_true(blvm_tx_resize(&b.txs[0], 1, 2));
    add_commitment(&b.txs[0], 1, commit, 0);
    assert_true(blvm_witness_push(&b.txs[0].vin[0].witness, nonce, 32));
    fix_root(&b);
    size_t idx = 99;
    assert_true(blvm_block_witness_commitment_index(&b, &idx));
    assert_int_equal(idx, 1);
    blvm_state_init(&st);
    assert_true(blvm_block_check_witness_commitment(&b, true, &st));
    /* Before segwit the same block has unexpected witness data. */
    assert_false(blvm_block_check_witness_commitment(&b, false, &st));
    assert_string_equal(st.reject_reason, "unexpected-witness");
    /* Extra bytes after the commitment are allowed. */
    add_commitment(&b.txs[0], 1, commit, 4);
    blvm_state_init(&st);
    assert_true(blvm_block_check_witness_commitment(&b, true, &st));

    /* The last matching output counts: a wrong one before it is ignored,
     * a wrong one after it is not. */
    uint8_t bad[32];
    memcpy(bad, commit, 32);
    bad[0] ^= 1;
    assert_true(blvm_tx_resize(&b.txs[0], 1, 3));
    add_commitment(&b.txs[0], 1, bad, 0);
    add_commitment(&b.txs[0], 2, commit, 0);
    blvm_state_init(&st);
    assert_true(blvm_block_check_witness_commitment(&b, true, &st));
    add_commitment(&b.txs[0], 1, commit, 0);
    add_commitment(&b.txs[0], 2, bad, 0);
    blvm_state_init(&st);
    assert_false(blvm_block_check_witness_commitment(&b, true, &st));
    assert_string_equal(st.reject_reason, "bad-witness-merkle-match");
    assert_int_equal(st.result, BLVM_BLOCK_MUTATED);
    /* A 37-byte script does not count as a commitment: back to output 1. */
    uint8_t short_spk[37] = {0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed};
    assert_true(blvm_script_set(&b.txs[0].vout[2].script_pubkey, short_spk, 37));
    assert_true(blvm_block_witness_commitment_index(&b, &idx));
    assert_int_equal(idx, 1);
    blvm_state_init(&st);
    assert_true(blvm_block_check_witness_commitment(&b, true, &st));

    /* The reserved value must be exactly one 32-byte item. */
    blvm_witness_clear(&b.txs[0].vin[0].witness);
    assert_true(blvm_witness_push(&b.txs[0].vin[0].witness, nonce, 31));
    blvm_state_init(&st);
    assert_false(blvm_block_check_witness_commitment(&b, true, &st));
    assert_string_equal(st.reject_reason, "bad-witness-nonce-size");
    blvm_witness_clear(&b.txs[0].vin[0].witness);
    assert_true(blvm_witness_push(&b.txs[0].vin[0].witness, nonce, 32));
    assert_true(blvm_witness_push(&b.txs[0].vin[0].witness, nonce, 32));
    blvm_state_init(&st);
    assert_false(blvm_block_check_witness_commitment(&b, true, &st));
    assert_string_equal(st.reject_reason, "bad-witness-nonce-size");
    blvm_witness_clear(&b.txs[0].vin[0].witness);
    blvm_state_init(&st);
    assert_false(blvm_block_check_witness_commitment(&b, true, &st));
    assert_string_equal(st.reject_reason, "bad-witness-nonce-size");
    /* A different reserved value changes the commitment. */
    nonce[5] = 1;
    assert_true(blvm_witness_push(&b.txs[0].vin[0].witness, nonce, 32));
    blvm_state_init(&st);
    assert_false(blvm_block_check_witness_commitment(&b, true, &st));
    assert_string_equal(st.reject_reason, "bad-witness-merkle-match");

    /* Round trip of the segwit block through the wire format. */
    nonce[5] = 0;
    blvm_witness_clear(&b.txs[0].vin[0].witness);
    assert_true(blvm_witness_push(&b.txs[0].vin[0].witness, nonce, 32));
    fix_root(&b);
    uint8_t *enc;
    size_t enc_len;
    encode_block(&b, &enc, &enc_len);
    blvm_block b2;
    assert_true(blvm_block_decode_bytes(&b2, enc, enc_len));
    assert_int_equal(blvm_block_size(&b2, true), enc_len);
    assert_true(blvm_block_weight(&b2) < 4 * enc_len);
    assert_int_equal(blvm_block_weight(&b2), 3 * blvm_block_size(&b2, false) + enc_len);
    blvm_state_init(&st);
    assert_true(blvm_block_check_witness_commitment(&b2, true, &st));
    expect_block(&b2, false, true, NULL, 0);
    blvm_block_clear(&b2);
    free(enc);
    blvm_block_clear(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_block413567),
        cmocka_unit_test(test_flipped_bytes),
        cmocka_unit_test(test_duplicated_transactions),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_merkle_by_hand),
        cmocka_unit_test(test_check_block_reasons),
        cmocka_unit_test(test_proof_of_work),
        cmocka_unit_test(test_witness_commitment),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
