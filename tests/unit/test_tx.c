/* Unit tests for consensus/tx and consensus/tx_check: decoding in both
 * formats with Core's rules, round trips, hashes, sizes, copies, builders,
 * malformed encodings and every CheckTransaction reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "consensus/tx.h"
#include "consensus/tx_check.h"
#include "crypto/sha256.h"
#include "testutil.h"
#include "util/hex.h"

/* The genesis block's coinbase: its txid is known the world over. */
static const char *GENESIS_CB =
    "01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff"
    "001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e2062726"
    "96e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a010000004"
    "34104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35"
    "504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000";
static const char *GENESIS_CB_TXID =
    "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b";

/* A segwit spend from tx_valid.json (one input, one P2WPKH witness). */
static const char *SEGWIT_TX =
    "0100000000010100010000000000000000000000000000000000000000000000000000000000000000000000"
    "ffffffff01e8030000000000001976a9144c9c3dfac4207d5d8cb89df5722cb3d712385e3f88ac0248304502"
    "2100cfb07164b36ba64c1b1e8c7720a56ad64d96f6ef332d3d37f9cb3c96477dc44502200a464cd7a9cf94cd"
    "70f66ce4f4f0625ef650052c7afcfe29d7d7e01830ff91ed012103596d3451025c19dbbdeb932d6bf8bfb4ad"
    "499b95b6f88db8899efac102e5fc7100000000";

static uint8_t *unhex(const char *hex, size_t *len) {
    uint8_t *p = blvm_hex_decode_alloc(hex, len);
    assert_non_null(p);
    return p;
}

static void encode(const blvm_tx *tx, bool wit, uint8_t **out, size_t *len) {
    blvm_writer w;
    blvm_writer_init(&w);
    blvm_tx_encode(tx, &w, wit);
    assert_false(w.err);
    *out = blvm_writer_release(&w, len);
}

/* Decodes hex, checks the round trip, both hashes against independent
 * computations, sizes, and returns the decoded tx. */
static void check_roundtrip(const char *hex, blvm_tx *tx) {
    size_t len;
    uint8_t *raw = unhex(hex, &len);
    assert_true(blvm_tx_decode_bytes(tx, raw, len, true));
    uint8_t *enc;
    size_t enc_len;
    encode(tx, true, &enc, &enc_len);
    assert_int_equal(enc_len, len);
    assert_memory_equal(enc, raw, len);
    assert_int_equal(blvm_tx_size(tx, true), len);
    /* wtxid is the hash of the full encoding. */
    uint8_t h[32];
    blvm_sha256d(h, raw, len);
    assert_memory_equal(h, tx->wtxid, 32);
    /* txid is the hash of the stripped encoding. */
    uint8_t *stripped;
    size_t stripped_len;
    encode(tx, false, &stripped, &stripped_len);
    assert_int_equal(stripped_len, blvm_tx_size(tx, false));
    blvm_sha256d(h, stripped, stripped_len);
    assert_memory_equal(h, tx->txid, 32);
    /* The streaming hasher agrees with the decoder's. */
    uint8_t txid[32], wtxid[32];
    memcpy(txid, tx->txid, 32);
    memcpy(wtxid, tx->wtxid, 32);
    blvm_tx_compute_hashes(tx);
    assert_memory_equal(txid, tx->txid, 32);
    assert_memory_equal(wtxid, tx->wtxid, 32);
    /* BIP141 weight. */
    assert_int_equal(blvm_tx_weight(tx), 3 * stripped_len + len);
    assert_int_equal(blvm_tx_vsize(tx), (3 * stripped_len + len + 3) / 4);
    /* The stripped form decodes back to the same txid, in both modes. */
    blvm_tx t2;
    assert_true(blvm_tx_decode_bytes(&t2, stripped, stripped_len, false));
    assert_memory_equal(t2.txid, tx->txid, 32);
    assert_memory_equal(t2.wtxid, tx->txid, 32);
    blvm_tx_clear(&t2);
    free(stripped);
    free(enc);
    free(raw);
}

static void test_genesis_coinbase(void **state) {
    (void)state;
    blvm_tx tx;
    check_roundtrip(GENESIS_CB, &tx);
    char hex[65];
    blvm_hex_encode_reversed(hex, tx.txid, 32);
    assert_string_equal(hex, GENESIS_CB_TXID);
    assert_int_equal(tx.version, 1);
    assert_int_equal(tx.vin_count, 1);
    assert_int_equal(tx.vout_count, 1);
    assert_int_equal(tx.vout[0].value, 50 * BLVM_COIN);
    assert_int_equal(tx.vin[0].script_sig.len, 0x4d);
    assert_int_equal(tx.vout[0].script_pubkey.len, 0x43);
    assert_true(blvm_tx_is_coinbase(&tx));
    assert_false(blvm_tx_has_witness(&tx));
    assert_int_equal(tx.locktime, 0);
    blvm_validation_state st;
    blvm_state_init(&st);
    assert_true(blvm_check_transaction(&tx, &st));
    blvm_tx_clear(&tx);
    blvm_tx_clear(&tx); /* clearing twice is harmless */
}

static void test_segwit_tx(void **state) {
    (void)state;
    blvm_tx tx;
    check_roundtrip(SEGWIT_TX, &tx);
    assert_true(blvm_tx_has_witness(&tx));
    assert_false(blvm_tx_is_coinbase(&tx));
    assert_int_equal(tx.vin[0].witness.count, 2);
    assert_int_equal(tx.vin[0].witness.items[0].len, 0x48);
    assert_int_equal(tx.vin[0].witness.items[1].len, 0x21);
    assert_int_equal(tx.vin[0].script_sig.len, 0);
    assert_memory_not_equal(tx.txid, tx.wtxid, 32);
    /* Without witness support the marker reads as an empty input vector, the
     * flag as one output: not this transaction, and not all bytes used. */
    size_t len;
    uint8_t *raw = unhex(SEGWIT_TX, &len);
    blvm_tx legacy;
    assert_false(blvm_tx_decode_bytes(&legacy, raw, len, false));
    assert_int_equal(legacy.vin_count, 0);
    assert_null(legacy.vin);
    free(raw);
    blvm_tx_clear(&tx);
}

/* Every transaction in Core's tx_valid.json and tx_invalid.json is well
 * formed (Core deserializes them all): each must decode and re-encode to
 * the same bytes. Scans for the hex string after each prevouts array. */
static size_t roundtrip_file(const char *name) {
    char *s = blvm_test_read_vector(name, NULL);
    assert_non_null(s);
    size_t count = 0;
    for (char *p = s; (p = strchr(p, '"')) != NULL;) {
        char *q = strchr(p + 1, '"');
        if (!q) break;
        size_t l = (size_t)(q - p - 1);
        /* The serialized tx follows the prevouts array: `], "hex"`. */
        const char *b = p - 1;
        while (b > s && (*b == ' ' || *b == '\n' || *b == '\r' || *b == '\t'))
            b--;
        bool after_array = b > s && *b == ',';
        if (after_array) {
            b--;
            while (b > s && (*b == ' ' || *b == '\n' || *b == '\r' || *b == '\t'))
                b--;
            after_array = *b == ']';
        }
        bool hex = after_array && l > 64 && l % 2 == 0;
        for (size_t i = 0; hex && i < l; i++)
            hex = strchr("0123456789abcdef", p[1 + i]) != NULL;
        if (hex) {
            *q = 0;
            blvm_tx tx;
            check_roundtrip(p + 1, &tx);
            blvm_tx_clear(&tx);
            *q = '"';
            count++;
        }
        p = q + 1;
    }
    free(s);
    return count;
}

static void test_vector_files_roundtrip(void **state) {
    (void)state;
    assert_int_equal(roundtrip_file("tx_valid.json"), 120);
    assert_int_equal(roundtrip_file("tx_invalid.json"), 93);
}

static blvm_tx_decode_result decode_hex(const char *hex, bool allow_witness, size_t *used,
                                        blvm_read_error *err) {
    size_t len;
    uint8_t *raw = unhex(hex, &len);
    blvm_reader r;
    blvm_reader_init(&r, raw, len);
    blvm_tx tx;
    blvm_tx_decode_result res = blvm_tx_decode_ex(&tx, &r, allow_witness);
    if (used) *used = r.pos;
    if (err) *err = r.err;
    if (res != BLVM_TX_DECODE_OK) {
        /* A failed decode leaves nothing behind and the reader unmoved. */
        assert_int_equal(r.pos, 0);
        assert_int_equal(tx.vin_count, 0);
        assert_int_equal(tx.vout_count, 0);
        assert_null(tx.mem);
        assert_int_not_equal(r.err, BLVM_READ_OK);
    }
    blvm_tx_clear(&tx);
    free(raw);
    return res;
}

/* Pieces of hand-written encodings. */
#define VER  "01000000"
#define LOCK "00000000"
/* One input: null-hash prevout index 0, empty scriptSig, final sequence. */
#define IN1                                                                                        \
    "0000000000000000000000000000000000000000000000000000000000000000"                             \
    "00000000"                                                                                     \
    "00"                                                                                           \
    "ffffffff"

static void test_malformed(void **state) {
    (void)state;
    static const struct {
        const char *what;
        const char *hex;
        bool allow_witness;
        blvm_tx_decode_result res;
        blvm_read_error err;
    } cases[] = {
        /* BIP144 flag 1 but every stack empty. */
        {"superfluous witness",
         VER "0001"
             "01" IN1 "00"
             "00" LOCK,
         true, BLVM_TX_DECODE_SUPERFLUOUS_WITNESS, BLVM_READ_INVALID},
        /* Flag 2: no witness read at all, the flag is left over. */
        {"flag 2",
         VER "0002"
             "01" IN1 "00" LOCK,
         true, BLVM_TX_DECODE_UNKNOWN_FLAGS, BLVM_READ_INVALID},
        /* Flag 3: witnesses read, then bit 2 is left over. */
        {"flag 3",
         VER "0003"
             "01" IN1 "00"
             "0100" LOCK,
         true, BLVM_TX_DECODE_UNKNOWN_FLAGS, BLVM_READ_INVALID},
        /* No inputs and a zero flag: extended format with empty vectors,
         * which decodes (CheckTransaction rejects it). */
        {"empty extended",
         VER "00"
             "00" LOCK,
         true, BLVM_TX_DECODE_OK, BLVM_READ_OK},
        {"empty legacy",
         VER "00"
             "00" LOCK,
         false, BLVM_TX_DECODE_OK, BLVM_READ_OK},
        /* No inputs but an output: with witness support the output count is
         * read as flag 1, then no inputs means no witness: superfluous. */
        {"no inputs, extended",
         VER "00"
             "01"
             "0000000000000000"
             "00" LOCK,
         true, BLVM_TX_DECODE_SUPERFLUOUS_WITNESS, BLVM_READ_INVALID},
        {"no inputs, legacy",
         VER "00"
             "01"
             "0000000000000000"
             "00" LOCK,
         false, BLVM_TX_DECODE_OK, BLVM_READ_OK},
        /* Non-canonical compact sizes: input count, script length. */
        {"noncanonical count", VER "fd0100" IN1 "00" LOCK, true, BLVM_TX_DECODE_READ,
         BLVM_READ_NONCANONICAL},
        {"noncanonical script",
         VER "01"
             "0000000000000000000000000000000000000000000000000000000000000000"
             "00000000"
             "fd0000"
             "ffffffff"
             "00" LOCK,
         true, BLVM_TX_DECODE_READ, BLVM_READ_NONCANONICAL},
        /* Lying counts fail without allocating. */
        {"input count 32 MiB",
         VER "fe00000002"
             "00",
         true, BLVM_TX_DECODE_READ, BLVM_READ_TRUNCATED},
        {"input count 2^64-1",
         VER "ffffffffffffffffff"
             "00",
         true, BLVM_TX_DECODE_READ, BLVM_READ_TOO_LARGE},
        {"output count 32 MiB", VER "01" IN1 "fe00000002", true, BLVM_TX_DECODE_READ,
         BLVM_READ_TRUNCATED},
        {"witness items 16 Mi",
         VER "0001"
             "01" IN1 "00"
             "fe00000001",
         true, BLVM_TX_DECODE_READ, BLVM_READ_TRUNCATED},
        {"script above 32 MiB",
         VER "01"
             "0000000000000000000000000000000000000000000000000000000000000000"
             "00000000"
             "fe01000002",
         true, BLVM_TX_DECODE_READ, BLVM_READ_TOO_LARGE},
        {"truncated lock time",
         VER "01" IN1 "00"
             "000000",
         true, BLVM_TX_DECODE_READ, BLVM_READ_TRUNCATED},
    };
    for (size_t i = 0; i < BLVM_ARRAY_LEN(cases); i++) {
        size_t used;
        blvm_read_error err;
        blvm_tx_decode_result res = decode_hex(cases[i].hex, cases[i].allow_witness, &used, &err);
        if (res != cases[i].res || err != cases[i].err)
            fail_msg("%s: result %d (%s), reader error %d", cases[i].what, (int)res,
                     blvm_tx_decode_strerror(res), (int)err);
        if (res == BLVM_TX_DECODE_OK) assert_int_equal(used, strlen(cases[i].hex) / 2);
    }
    assert_string_equal(blvm_tx_decode_strerror(BLVM_TX_DECODE_SUPERFLUOUS_WITNESS),
                        "Superfluous witness record");
    assert_string_equal(blvm_tx_decode_strerror(BLVM_TX_DECODE_UNKNOWN_FLAGS),
                        "Unknown transaction optional data");

    /* Every truncation of a valid tx fails cleanly; trailing bytes are
     * refused by decode_bytes but left in the reader by decode. */
    size_t len;
    uint8_t *raw = unhex(SEGWIT_TX, &len);
    for (size_t cut = 0; cut < len; cut++) {
        blvm_tx tx;
        assert_false(blvm_tx_decode_bytes(&tx, raw, cut, true));
        assert_null(tx.mem);
    }
    uint8_t *longer = malloc(len + 1);
    memcpy(longer, raw, len);
    longer[len] = 0x55;
    blvm_tx tx;
    assert_false(blvm_tx_decode_bytes(&tx, longer, len + 1, true));
    blvm_reader r;
    blvm_reader_init(&r, longer, len + 1);
    assert_true(blvm_tx_decode(&tx, &r, true));
    assert_int_equal(blvm_reader_remaining(&r), 1);
    blvm_tx_clear(&tx);
    free(longer);
    free(raw);
}

static void test_copy_and_builders(void **state) {
    (void)state;
    size_t len;
    uint8_t *raw = unhex(SEGWIT_TX, &len);
    blvm_tx tx, copy;
    assert_true(blvm_tx_decode_bytes(&tx, raw, len, true));
    assert_true(blvm_tx_copy(&copy, &tx));
    blvm_tx_clear(&tx); /* the copy owns its own memory */
    uint8_t *enc;
    size_t enc_len;
    encode(&copy, true, &enc, &enc_len);
    assert_int_equal(enc_len, len);
    assert_memory_equal(enc, raw, len);
    free(enc);

    /* Edit the decoded copy with the builders: grow, replace scripts, push
     * witness items; hashes follow. */
    uint8_t old_txid[32];
    memcpy(old_txid, copy.txid, 32);
    assert_true(blvm_tx_resize(&copy, 2, 2));
    memset(copy.vin[1].prevout.hash, 7, 32);
    copy.vin[1].prevout.n = 3;
    copy.vin[1].sequence = 0xfffffffe;
    const uint8_t spk[] = {0x51};
    assert_true(blvm_script_set(&copy.vout[1].script_pubkey, spk, sizeof spk));
    copy.vout[1].value = 5;
    assert_true(blvm_script_set(&copy.vout[0].script_pubkey, spk, sizeof spk));
    assert_true(blvm_witness_push(&copy.vin[0].witness, spk, sizeof spk));
    assert_true(blvm_witness_push(&copy.vin[1].witness, NULL, 0));
    blvm_tx_compute_hashes(&copy);
    assert_memory_not_equal(old_txid, copy.txid, 32);
    encode(&copy, true, &enc, &enc_len);
    blvm_tx back;
    assert_true(blvm_tx_decode_bytes(&back, enc, enc_len, true));
    assert_memory_equal(back.txid, copy.txid, 32);
    assert_memory_equal(back.wtxid, copy.wtxid, 32);
    assert_int_equal(back.vin[0].witness.count, 3);
    assert_int_equal(back.vin[1].witness.count, 1);
    assert_int_equal(back.vin[1].witness.items[0].len, 0);
    assert_int_equal(back.vout[0].script_pubkey.len, 1);
    blvm_tx_clear(&back);
    free(enc);
    /* Shrink back and drop the witnesses. */
    assert_true(blvm_tx_resize(&copy, 1, 1));
    blvm_witness_clear(&copy.vin[0].witness);
    assert_false(blvm_tx_has_witness(&copy));
    blvm_tx_compute_hashes(&copy);
    assert_memory_equal(copy.txid, copy.wtxid, 32);
    blvm_tx_clear(&copy);

    /* From nothing: a one-input, one-output tx built by hand. */
    blvm_tx b;
    blvm_tx_init(&b);
    b.version = 2;
    assert_true(blvm_tx_resize(&b, 1, 1));
    b.vin[0].sequence = BLVM_SEQUENCE_FINAL;
    memset(b.vin[0].prevout.hash, 1, 32);
    b.vout[0].value = 1000;
    assert_true(blvm_script_set(&b.vout[0].script_pubkey, spk, 1));
    blvm_tx_compute_hashes(&b);
    /* version 4 + 1 + (36 + 1 + 4) + 1 + (8 + 1 + 1) + 4 = 61 */
    assert_int_equal(blvm_tx_size(&b, true), 61);
    assert_int_equal(blvm_tx_weight(&b), 244);
    assert_int_equal(blvm_tx_vsize(&b), 61);
    blvm_validation_state st;
    blvm_state_init(&st);
    assert_true(blvm_check_transaction(&b, &st));
    /* A witness adds marker, flag and the stacks to the size but only a
     * quarter of them to the vsize. */
    assert_true(blvm_witness_push(&b.vin[0].witness, spk, 1));
    assert_int_equal(blvm_tx_size(&b, true), 61 + 2 + 1 + 2);
    assert_int_equal(blvm_tx_size(&b, false), 61);
    assert_int_equal(blvm_tx_weight(&b), 244 + 5);
    assert_int_equal(blvm_tx_vsize(&b), 63);
    blvm_tx_clear(&b);
    free(raw);
}

/* CheckTransaction: one hand-built case per reason, and the boundaries. */
static void build_spend(blvm_tx *tx, size_t n_in, size_t n_out) {
    blvm_tx_init(tx);
    tx->version = 1;
    assert_true(blvm_tx_resize(tx, n_in, n_out));
    for (size_t i = 0; i < n_in; i++) {
        memset(tx->vin[i].prevout.hash, 0xab, 32);
        tx->vin[i].prevout.n = (uint32_t)i;
        tx->vin[i].sequence = BLVM_SEQUENCE_FINAL;
    }
    for (size_t i = 0; i < n_out; i++)
        tx->vout[i].value = 1;
}

static void expect_reason(const blvm_tx *tx, const char *reason) {
    blvm_validation_state st;
    blvm_state_init(&st);
    bool ok = blvm_check_transaction(tx, &st);
    if (!reason) {
        assert_true(ok);
        assert_true(blvm_state_is_valid(&st));
        return;
    }
    assert_false(ok);
    assert_int_equal(st.mode, BLVM_STATE_INVALID);
    assert_int_equal(st.result, BLVM_TX_CONSENSUS);
    assert_string_equal(st.reject_reason, reason);
}

static void test_check_transaction(void **state) {
    (void)state;
    blvm_tx tx;
    build_spend(&tx, 0, 1);
    expect_reason(&tx, "bad-txns-vin-empty");
    blvm_tx_clear(&tx);
    build_spend(&tx, 1, 0);
    expect_reason(&tx, "bad-txns-vout-empty");
    blvm_tx_clear(&tx);

    /* Oversize: stripped size * 4 > 4,000,000. A 999,950-byte script is fine
     * (size just under 1,000,000); 1,000,000 bytes is too many. */
    build_spend(&tx, 1, 1);
    uint8_t *big = calloc(1, 1000000);
    assert_non_null(big);
    size_t base = blvm_tx_size(&tx, false) + 4; /* the script length grows to 5 bytes */
    assert_true(blvm_script_set(&tx.vout[0].script_pubkey, big, 1000000 - base));
    assert_int_equal(blvm_tx_size(&tx, false), 1000000);
    expect_reason(&tx, NULL);
    assert_true(blvm_script_set(&tx.vout[0].script_pubkey, big, 1000000 - base + 1));
    expect_reason(&tx, "bad-txns-oversize");
    /* The witness does not count toward this limit. */
    assert_true(blvm_script_set(&tx.vout[0].script_pubkey, big, 10));
    assert_true(blvm_witness_push(&tx.vin[0].witness, big, 1000000));
    expect_reason(&tx, NULL);
    free(big);
    blvm_tx_clear(&tx);

    /* Amounts (CVE-2010-5139). */
    build_spend(&tx, 1, 2);
    tx.vout[1].value = -1;
    expect_reason(&tx, "bad-txns-vout-negative");
    tx.vout[1].value = BLVM_MAX_MONEY + 1;
    expect_reason(&tx, "bad-txns-vout-toolarge");
    tx.vout[0].value = BLVM_MAX_MONEY;
    tx.vout[1].value = BLVM_MAX_MONEY;
    expect_reason(&tx, "bad-txns-txouttotal-toolarge");
    tx.vout[0].value = BLVM_MAX_MONEY - 1;
    tx.vout[1].value = 1;
    expect_reason(&tx, NULL);
    tx.vout[0].value = 0;
    tx.vout[1].value = BLVM_MAX_MONEY;
    expect_reason(&tx, NULL);
    blvm_tx_clear(&tx);

    /* Duplicate inputs (CVE-2018-17144), with few inputs (pairwise path) and
     * many (sorting path), first and last input equal. */
    size_t sizes[] = {2, 5, 32, 33, 1000};
    for (size_t k = 0; k < BLVM_ARRAY_LEN(sizes); k++) {
        size_t n = sizes[k];
        build_spend(&tx, n, 1);
        expect_reason(&tx, NULL);
        tx.vin[n - 1].prevout = tx.vin[0].prevout;
        expect_reason(&tx, "bad-txns-inputs-duplicate");
        /* Same hash, different index is not a duplicate; same index, other
         * hash neither. */
        tx.vin[n - 1].prevout.n = 0xfffffff0u;
        expect_reason(&tx, NULL);
        tx.vin[n - 1].prevout.n = 0;
        tx.vin[n - 1].prevout.hash[31] ^= 1;
        expect_reason(&tx, NULL);
        blvm_tx_clear(&tx);
    }

    /* Coinbase scriptSig length 2..100. */
    build_spend(&tx, 1, 1);
    memset(tx.vin[0].prevout.hash, 0, 32);
    tx.vin[0].prevout.n = 0xffffffffu;
    assert_true(blvm_tx_is_coinbase(&tx));
    uint8_t s[101] = {0};
    assert_true(blvm_script_set(&tx.vin[0].script_sig, s, 1));
    expect_reason(&tx, "bad-cb-length");
    assert_true(blvm_script_set(&tx.vin[0].script_sig, s, 2));
    expect_reason(&tx, NULL);
    assert_true(blvm_script_set(&tx.vin[0].script_sig, s, 100));
    expect_reason(&tx, NULL);
    assert_true(blvm_script_set(&tx.vin[0].script_sig, s, 101));
    expect_reason(&tx, "bad-cb-length");
    blvm_tx_clear(&tx);

    /* A null prevout outside a coinbase (two inputs: not a coinbase). */
    build_spend(&tx, 2, 1);
    memset(tx.vin[1].prevout.hash, 0, 32);
    tx.vin[1].prevout.n = 0xffffffffu;
    assert_false(blvm_tx_is_coinbase(&tx));
    expect_reason(&tx, "bad-txns-prevout-null");
    /* Only the index differs from null: fine. */
    tx.vin[1].prevout.n = 0;
    expect_reason(&tx, NULL);
    blvm_tx_clear(&tx);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_genesis_coinbase),       cmocka_unit_test(test_segwit_tx),
        cmocka_unit_test(test_vector_files_roundtrip), cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_copy_and_builders),      cmocka_unit_test(test_check_transaction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
