/* Unit tests for consensus/chain_rules and consensus/chain_entry: subsidy,
 * finality, BIP68 sequence locks, median time past, BIP34 height scripts,
 * script flags per height, BIP30, CheckTxInputs and the contextual block
 * and header checks with each of Core's reject reasons. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "consensus/block.h"
#include "consensus/chain_entry.h"
#include "consensus/chain_rules.h"
#include "consensus/interpreter.h"
#include "consensus/merkle.h"
#include "consensus/params.h"
#include "consensus/pow.h"
#include "util/hex.h"

/* Links count entries: times[i], bits, version 4, distinct hashes; heights
 * start at prev->height + 1 (or at first_height when prev is NULL). */
static void build_chain(blvm_chain_entry *e, size_t count, const blvm_chain_entry *prev,
                        int32_t first_height, const uint32_t *times, uint32_t bits) {
    for (size_t i = 0; i < count; i++) {
        blvm_block_header h;
        memset(&h, 0, sizeof h);
        h.version = 4;
        h.time = times[i];
        h.bits = bits;
        uint8_t hash[32] = {0};
        uint32_t tag = (uint32_t)i + 1;
        memcpy(hash, &tag, sizeof tag);
        blvm_chain_entry_init(&e[i], &h, hash, i ? &e[i - 1] : prev);
        /* Without a parent, start a chain fragment at first_height (for
         * rules far up the chain; ancestors below it are simply absent). */
        if (i == 0 && prev == NULL) e[0].height = first_height;
    }
}

/* ---- subsidy ------------------------------------------------------------ */

static void check_halvings(const blvm_params *p) {
    blvm_amount initial = 50 * BLVM_COIN, previous = 2 * initial;
    for (int halvings = 0; halvings < 64; halvings++) {
        int32_t height = halvings * p->subsidy_halving_interval;
        if (height < 0) break; /* beyond int32 for mainnet's interval */
        blvm_amount s = blvm_block_subsidy(height, p);
        assert_true(s <= initial);
        assert_int_equal(s, previous / 2);
        assert_int_equal(blvm_block_subsidy(height + p->subsidy_halving_interval - 1, p), s);
        previous = s;
    }
}

static void test_subsidy(void **state) {
    (void)state;
    const blvm_params *m = blvm_params_get(BLVM_NET_MAIN);
    assert_int_equal(blvm_block_subsidy(0, m), 50 * BLVM_COIN);
    assert_int_equal(blvm_block_subsidy(209999, m), 50 * BLVM_COIN);
    assert_int_equal(blvm_block_subsidy(210000, m), 25 * BLVM_COIN);
    assert_int_equal(blvm_block_subsidy(420000, m), 1250000000);
    assert_int_equal(blvm_block_subsidy(840000, m), 312500000);
    assert_int_equal(blvm_block_subsidy(32 * 210000, m), 1); /* 5e9 >> 32 */
    assert_int_equal(blvm_block_subsidy(33 * 210000, m), 0);
    check_halvings(m);
    /* regtest halves every 150 blocks; 64 halvings is height 9600, where the
     * shift would be undefined: zero. */
    const blvm_params *r = blvm_params_get(BLVM_NET_REGTEST);
    check_halvings(r);
    assert_int_equal(blvm_block_subsidy(149, r), 50 * BLVM_COIN);
    assert_int_equal(blvm_block_subsidy(150, r), 25 * BLVM_COIN);
    assert_int_equal(blvm_block_subsidy(64 * 150, r), 0);
    assert_int_equal(blvm_block_subsidy(64 * 150 - 1, r), 0);
    assert_int_equal(blvm_block_subsidy(1000000, r), 0);
    /* An interval of 1000 reaches 64 halvings at 64000 and beyond. */
    blvm_params c = *m;
    c.subsidy_halving_interval = 1000;
    check_halvings(&c);
    assert_int_equal(blvm_block_subsidy(63999, &c), 0);
    assert_int_equal(blvm_block_subsidy(64000, &c), 0);
    assert_int_equal(blvm_block_subsidy(INT32_MAX, &c), 0);
    assert_int_equal(blvm_block_subsidy(INT32_MAX, m), 0); /* 10226 halvings */

    /* Core's subsidy_limit_test: the total stays below 21 million. */
    blvm_amount sum = 0;
    for (int32_t height = 0; height < 14000000; height += 1000) {
        blvm_amount s = blvm_block_subsidy(height, m);
        assert_true(s <= 50 * BLVM_COIN);
        sum += s * 1000;
        assert_true(blvm_money_range(sum));
    }
    assert_int_equal(sum, 2099999997690000LL);
}

/* ---- finality ----------------------------------------------------------- */

static void make_tx(blvm_tx *tx, uint32_t version, uint32_t locktime, size_t n_in,
                    const uint32_t *sequences) {
    blvm_tx_init(tx);
    tx->version = version;
    tx->locktime = locktime;
    assert_true(blvm_tx_resize(tx, n_in, 1));
    for (size_t i = 0; i < n_in; i++) {
        tx->vin[i].sequence = sequences[i];
        tx->vin[i].prevout.hash[0] = (uint8_t)(i + 1);
    }
    tx->vout[0].value = 1000;
}

static void test_is_final(void **state) {
    (void)state;
    blvm_tx tx;
    uint32_t seq_nonfinal[2] = {0, BLVM_SEQUENCE_FINAL};
    uint32_t seq_final[2] = {BLVM_SEQUENCE_FINAL, BLVM_SEQUENCE_FINAL};

    make_tx(&tx, 1, 0, 2, seq_nonfinal);
    assert_true(blvm_tx_is_final(&tx, 0, 0));
    blvm_tx_clear(&tx);

    /* height lock 100: final in block 101, not in block 100 */
    make_tx(&tx, 1, 100, 2, seq_nonfinal);
    assert_true(blvm_tx_is_final(&tx, 101, 0));
    assert_false(blvm_tx_is_final(&tx, 100, 2000000000));
    blvm_tx_clear(&tx);
    /* ...unless every input is final */
    make_tx(&tx, 1, 100, 2, seq_final);
    assert_true(blvm_tx_is_final(&tx, 100, 0));
    blvm_tx_clear(&tx);

    /* time lock: compared with the time, not the height */
    make_tx(&tx, 1, BLVM_LOCKTIME_THRESHOLD + 1, 2, seq_nonfinal);
    assert_false(blvm_tx_is_final(&tx, 1000000, BLVM_LOCKTIME_THRESHOLD + 1));
    assert_true(blvm_tx_is_final(&tx, 0, BLVM_LOCKTIME_THRESHOLD + 2));
    blvm_tx_clear(&tx);
    /* the largest lock time */
    make_tx(&tx, 1, 0xffffffffu, 2, seq_nonfinal);
    assert_false(blvm_tx_is_final(&tx, 1000000, 0xffffffffLL));
    assert_true(blvm_tx_is_final(&tx, 1000000, 0x100000000LL));
    blvm_tx_clear(&tx);
    /* threshold - 1 is still a height */
    make_tx(&tx, 1, BLVM_LOCKTIME_THRESHOLD - 1, 2, seq_nonfinal);
    assert_false(blvm_tx_is_final(&tx, 0, 2000000000));
    assert_true(blvm_tx_is_final(&tx, (int32_t)BLVM_LOCKTIME_THRESHOLD, 0));
    blvm_tx_clear(&tx);
}

/* ---- median time past ---------------------------------------------------- */

static void test_median_time_past(void **state) {
    (void)state;
    /* unsorted times */
    uint32_t times[15] = {100, 50, 300, 200, 150, 400, 90, 500, 80, 250, 700, 60, 1000, 20, 30};
    blvm_chain_entry e[15];
    build_chain(e, 15, NULL, 0, times, 0x207fffff);
    /* genesis alone: its own time */
    assert_int_equal(blvm_chain_entry_median_time_past(&e[0]), 100);
    /* 5 entries: 100 50 300 200 150 -> median 150 */
    assert_int_equal(blvm_chain_entry_median_time_past(&e[4]), 150);
    /* 2 entries: 50, 100 -> index 1 of sorted = 100 */
    assert_int_equal(blvm_chain_entry_median_time_past(&e[1]), 100);
    /* last 11 of e[0..14] (e[4..14]): 150 400 90 500 80 250 700 60 1000 20 30
     * sorted 20 30 60 80 90 150 250 400 500 700 1000 -> 150 */
    assert_int_equal(blvm_chain_entry_median_time_past(&e[14]), 150);
    /* e[0..10]: 100 50 300 200 150 400 90 500 80 250 700 -> sorted
     * 50 80 90 100 150 200 250 300 400 500 700 -> 200 */
    assert_int_equal(blvm_chain_entry_median_time_past(&e[10]), 200);
}

/* ---- sequence locks (BIP68) --------------------------------------------- */

static void test_sequence_locks(void **state) {
    (void)state;
    enum { N = 300 };
    uint32_t times[N];
    for (int i = 0; i < N; i++)
        times[i] = 1500000000u + (uint32_t)i * 600;
    blvm_chain_entry e[N];
    build_chain(e, N, NULL, 0, times, 0x207fffff);

    blvm_tx tx;
    blvm_sequence_locks locks;
    /* height lock of 10 blocks on a coin from block 100 */
    uint32_t seq[1] = {10};
    make_tx(&tx, 2, 0, 1, seq);
    int32_t heights[1] = {100};
    assert_true(blvm_calculate_sequence_locks(&tx, BLVM_LOCKTIME_VERIFY_SEQUENCE, heights, &e[150],
                                              &locks));
    assert_int_equal(locks.min_height, 109);
    assert_int_equal(locks.min_time, -1);
    assert_false(blvm_evaluate_sequence_locks(&e[109], &locks));
    assert_true(blvm_evaluate_sequence_locks(&e[110], &locks));
    heights[0] = 100;
    assert_false(blvm_sequence_locks_check(&tx, BLVM_LOCKTIME_VERIFY_SEQUENCE, heights, &e[109]));
    assert_true(blvm_sequence_locks_check(&tx, BLVM_LOCKTIME_VERIFY_SEQUENCE, heights, &e[110]));
    /* not enforced without the flag, or for version 1 */
    assert_true(blvm_calculate_sequence_locks(&tx, 0, heights, &e[150], &locks));
    assert_int_equal(locks.min_height, -1);
    assert_true(blvm_sequence_locks_check(&tx, 0, heights, &e[101]));
    tx.version = 1;
    assert_true(blvm_calculate_sequence_locks(&tx, BLVM_LOCKTIME_VERIFY_SEQUENCE, heights, &e[150],
                                              &locks));
    assert_int_equal(locks.min_height, -1);
    assert_int_equal(locks.min_time, -1);
    /* versions above 0x7fffffff are >= 2 as unsigned numbers (Core 28+) */
    tx.version = 0x80000000u;
    assert_true(blvm_calculate_sequence_locks(&tx, BLVM_LOCKTIME_VERIFY_SEQUENCE, heights, &e[150],
                                              &locks));
    assert_int_equal(locks.min_height, 109);
    tx.version = 2;

    /* time lock: 2 units of 512 s from the MTP of the block before the coin's */
    tx.vin[0].sequence = BLVM_SEQUENCE_LOCKTIME_TYPE_FLAG | 2;
    assert_true(blvm_calculate_sequence_locks(&tx, BLVM_LOCKTIME_VERIFY_SEQUENCE, heights, &e[150],
                                              &locks));
    int64_t mtp99 = blvm_chain_entry_median_time_past(&e[99]);
    assert_int_equal(mtp99, times[94]);
    assert_int_equal(locks.min_time, mtp99 + 1024 - 1);
    assert_int_equal(locks.min_height, -1);
    /* a block whose parent's MTP is <= min_time may not include it */
    int k = 101;
    while (blvm_chain_entry_median_time_past(&e[k - 1]) <= locks.min_time) {
        assert_false(blvm_evaluate_sequence_locks(&e[k], &locks));
        k++;
    }
    assert_true(blvm_evaluate_sequence_locks(&e[k], &locks));
    /* a coin from genesis or block 1 counts from the MTP of genesis */
    heights[0] = 1;
    assert_true(blvm_calculate_sequence_locks(&tx, BLVM_LOCKTIME_VERIFY_SEQUENCE, heights, &e[150],
                                              &locks));
    assert_int_equal(locks.min_time, (int64_t)times[0] + 1024 - 1);

    /* the disable flag: no lock, and its prev height is zeroed */
    tx.vin[0].sequence = BLVM_SEQUENCE_LOCKTIME_DISABLE_FLAG | 0xffff;
    heights[0] = 100;
    assert_true(blvm_calculate_sequence_locks(&tx, BLVM_LOCKTIME_VERIFY_SEQUENCE, heights, &e[150],
                                              &locks));
    assert_int_equal(heights[0], 0);
    assert_int_equal(locks.min_height, -1);
    assert_int_equal(locks.min_time, -1);
    /* only the low 16 bits count */
    tx.vin[0].sequence = 0x7f3f0005; /* bits outside the mask and both flags */
    heights[0] = 100;
    assert_true(blvm_calculate_sequence_locks(&tx, BLVM_LOCKTIME_VERIFY_SEQUENCE, heights, &e[150],
                                              &locks));
    assert_int_equal(locks.min_height, 104);
    /* inconsistent input: a coin above the block */
    heights[0] = 151;
    assert_false(blvm_calculate_sequence_locks(&tx, BLVM_LOCKTIME_VERIFY_SEQUENCE, heights, &e[150],
                                               &locks));
    assert_false(blvm_sequence_locks_check(&tx, BLVM_LOCKTIME_VERIFY_SEQUENCE, heights, &e[150]));
    blvm_tx_clear(&tx);

    /* two inputs: the latest lock wins; a virtual entry at tip + 1 works */
    uint32_t seq2[2] = {5, BLVM_SEQUENCE_LOCKTIME_TYPE_FLAG | 1};
    make_tx(&tx, 2, 0, 2, seq2);
    int32_t h2[2] = {290, 200};
    blvm_chain_entry next;
    memset(&next, 0, sizeof next);
    next.prev = &e[N - 1];
    next.height = N;
    assert_true(
        blvm_calculate_sequence_locks(&tx, BLVM_LOCKTIME_VERIFY_SEQUENCE, h2, &next, &locks));
    assert_int_equal(locks.min_height, 294);
    assert_int_equal(locks.min_time, blvm_chain_entry_median_time_past(&e[199]) + 512 - 1);
    assert_true(blvm_evaluate_sequence_locks(&next, &locks));
    blvm_tx_clear(&tx);
}

/* ---- BIP34 ---------------------------------------------------------------- */

static void test_bip34_height_script(void **state) {
    (void)state;
    static const struct {
        int32_t height;
        const char *hex;
    } cases[] = {
        {0, "00"},
        {1, "51"},
        {16, "60"},
        {17, "0111"},
        {127, "017f"},
        {128, "028000"},
        {255, "02ff00"},
        {256, "020001"},
        {32767, "02ff7f"},
        {32768, "03008000"},
        {227931, "035b7a03"},
        {8388607, "03ffff7f"},
        {8388608, "0400008000"},
        {INT32_MAX, "04ffffff7f"},
    };
    for (size_t i = 0; i < BLVM_ARRAY_LEN(cases); i++) {
        uint8_t out[BLVM_BIP34_SCRIPT_MAX];
        size_t n = blvm_bip34_height_script(cases[i].height, out);
        char hex[2 * BLVM_BIP34_SCRIPT_MAX + 1];
        blvm_hex_encode(hex, out, n);
        assert_string_equal(hex, cases[i].hex);
    }
    /* the coinbase check: a prefix match */
    blvm_tx cb;
    uint32_t seq[1] = {BLVM_SEQUENCE_FINAL};
    make_tx(&cb, 1, 0, 1, seq);
    static const uint8_t ss[] = {0x03, 0x5b, 0x7a, 0x03, 0xde, 0xad};
    assert_true(blvm_script_set(&cb.vin[0].script_sig, ss, sizeof ss));
    assert_true(blvm_bip34_coinbase_has_height(&cb, 227931));
    assert_false(blvm_bip34_coinbase_has_height(&cb, 227932));
    assert_false(blvm_bip34_coinbase_has_height(&cb, 91));
    assert_true(blvm_script_set(&cb.vin[0].script_sig, ss, 3)); /* truncated push */
    assert_false(blvm_bip34_coinbase_has_height(&cb, 227931));
    static const uint8_t op1[] = {0x51, 0x00};
    assert_true(blvm_script_set(&cb.vin[0].script_sig, op1, 2));
    assert_true(blvm_bip34_coinbase_has_height(&cb, 1));
    /* height 1 as a data push is not what Core writes */
    static const uint8_t push1[] = {0x01, 0x01};
    assert_true(blvm_script_set(&cb.vin[0].script_sig, push1, 2));
    assert_false(blvm_bip34_coinbase_has_height(&cb, 1));
    blvm_tx_clear(&cb);
}

/* ---- script flags ---------------------------------------------------------- */

static void test_script_flags(void **state) {
    (void)state;
    const uint32_t base =
        BLVM_SCRIPT_VERIFY_P2SH | BLVM_SCRIPT_VERIFY_WITNESS | BLVM_SCRIPT_VERIFY_TAPROOT;
    const blvm_params *m = blvm_params_get(BLVM_NET_MAIN);
    uint8_t hash[32] = {1};
    assert_int_equal(blvm_block_script_flags(m, 0, hash), base);
    assert_int_equal(blvm_block_script_flags(m, 363724, hash), base);
    uint32_t f = base | BLVM_SCRIPT_VERIFY_DERSIG;
    assert_int_equal(blvm_block_script_flags(m, 363725, hash), f);
    f |= BLVM_SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY;
    assert_int_equal(blvm_block_script_flags(m, 388381, hash), f);
    assert_int_equal(blvm_block_script_flags(m, 419327, hash), f);
    f |= BLVM_SCRIPT_VERIFY_CHECKSEQUENCEVERIFY;
    assert_int_equal(blvm_block_script_flags(m, 419328, hash), f);
    assert_int_equal(blvm_block_script_flags(m, 481823, hash), f);
    f |= BLVM_SCRIPT_VERIFY_NULLDUMMY;
    assert_int_equal(blvm_block_script_flags(m, 481824, hash), f);
    assert_int_equal(blvm_block_script_flags(m, 900000, hash), f);

    /* the BIP16 exception block (mainnet 170060): no flags at all */
    uint8_t bip16[32], taproot[32];
    assert_true(blvm_hex_decode_hash(
        bip16, "00000000000002dc756eebf4f49723ed8d30cc28a5f108eb94b1ba88ac4f9c22"));
    assert_int_equal(blvm_block_script_flags(m, 170060, bip16), BLVM_SCRIPT_VERIFY_NONE);
    /* the taproot exception block (mainnet 692261): P2SH and WITNESS, plus
     * what its height enables, but no TAPROOT */
    assert_true(blvm_hex_decode_hash(
        taproot, "0000000000000000000f14c35b2d841e986ab5441de8c585d5ffe55ea1e395ad"));
    assert_int_equal(blvm_block_script_flags(m, 692261, taproot), f & ~BLVM_SCRIPT_VERIFY_TAPROOT);
    /* testnet3 has its own BIP16 exception, and mainnet's means nothing there */
    const blvm_params *t3 = blvm_params_get(BLVM_NET_TESTNET3);
    uint8_t t3bip16[32];
    assert_true(blvm_hex_decode_hash(
        t3bip16, "00000000dd30457c001f4095d208cc1296b0eed002427aa599874af7a432b105"));
    assert_int_equal(blvm_block_script_flags(t3, 100, t3bip16), BLVM_SCRIPT_VERIFY_NONE);
    assert_int_equal(blvm_block_script_flags(t3, 100, bip16), base);
    assert_int_equal(blvm_block_script_flags(t3, 834624, hash), f);
    /* regtest: segwit (and NULLDUMMY) from 0, the rest from 1 */
    const blvm_params *r = blvm_params_get(BLVM_NET_REGTEST);
    assert_int_equal(blvm_block_script_flags(r, 0, hash), base | BLVM_SCRIPT_VERIFY_NULLDUMMY);
    assert_int_equal(blvm_block_script_flags(r, 1, hash), f);
    /* testnet4 and signet: everything from 1 */
    assert_int_equal(blvm_block_script_flags(blvm_params_get(BLVM_NET_TESTNET4), 1, hash), f);
    assert_int_equal(blvm_block_script_flags(blvm_params_get(BLVM_NET_SIGNET), 0, hash), base);
}

/* ---- BIP30 -------------------------------------------------------------------- */

static void test_bip30(void **state) {
    (void)state;
    const blvm_params *m = blvm_params_get(BLVM_NET_MAIN);
    blvm_chain_entry e;
    memset(&e, 0, sizeof e);
    e.height = 91842;
    assert_true(blvm_hex_decode_hash(
        e.hash, "00000000000a4d0a398161ffc163c503763b1f4360639393e0e4c8e300e0caec"));
    assert_true(blvm_is_bip30_repeat(m, 91842, e.hash));
    assert_false(blvm_bip30_check_needed(m, &e));
    assert_false(blvm_is_bip30_repeat(m, 91843, e.hash));
    assert_false(blvm_is_bip30_repeat(blvm_params_get(BLVM_NET_TESTNET3), 91842, e.hash));
    e.hash[0] ^= 1;
    assert_true(blvm_bip30_check_needed(m, &e));
    assert_true(blvm_hex_decode_hash(
        e.hash, "00000000000743f190a18c5577a3c2d2a1f610ae9601ac046a38084ccb7cd721"));
    e.height = 91880;
    assert_false(blvm_bip30_check_needed(m, &e));

    /* On the chain whose BIP34 block is the recorded one, BIP30 is implied
     * until height 1983702. Use regtest with a recorded BIP34 block at 5. */
    uint32_t times[20];
    for (int i = 0; i < 20; i++)
        times[i] = 1600000000u + (uint32_t)i;
    blvm_chain_entry c[20];
    build_chain(c, 20, NULL, 0, times, 0x207fffff);
    blvm_params p = *blvm_params_get(BLVM_NET_REGTEST);
    p.bip34_height = 5;
    p.has_bip34_hash = true;
    memcpy(p.bip34_hash, c[5].hash, 32);
    assert_false(blvm_bip30_check_needed(&p, &c[10]));
    assert_true(blvm_bip30_check_needed(&p, &c[5])); /* its parent chain lacks height 5 */
    p.bip34_hash[0] ^= 1;                            /* another chain: enforce */
    assert_true(blvm_bip30_check_needed(&p, &c[10]));
    p.bip34_hash[0] ^= 1;
    p.has_bip34_hash = false; /* null BIP34 hash (regtest, signet, testnet4): enforce */
    assert_true(blvm_bip30_check_needed(&p, &c[10]));
    /* from 1983702 always, whatever the BIP34 block */
    blvm_chain_entry far[3];
    build_chain(far, 3, NULL, 1983700, times, 0x207fffff);
    p.has_bip34_hash = true;
    p.bip34_height = 1983700;
    memcpy(p.bip34_hash, far[0].hash, 32);
    assert_false(blvm_bip30_check_needed(&p, &far[1]));
    assert_int_equal(far[2].height, 1983702);
    assert_true(blvm_bip30_check_needed(&p, &far[2]));
}

/* ---- CheckTxInputs -------------------------------------------------------------- */

static void test_check_tx_inputs(void **state) {
    (void)state;
    blvm_tx tx;
    uint32_t seq[2] = {BLVM_SEQUENCE_FINAL, BLVM_SEQUENCE_FINAL};
    make_tx(&tx, 2, 0, 2, seq);
    tx.vout[0].value = 150;
    blvm_spent_coin coins[2] = {{100, 10, false}, {100, 10, true}};
    blvm_amount fee = -1;
    blvm_validation_state st;

    /* coinbase maturity: depth 99 fails, 100 passes */
    blvm_state_init(&st);
    assert_false(blvm_check_tx_inputs(&tx, coins, 109, &fee, &st));
    assert_string_equal(st.reject_reason, "bad-txns-premature-spend-of-coinbase");
    assert_int_equal(st.result, BLVM_TX_PREMATURE_SPEND);
    assert_int_equal(fee, -1);
    blvm_state_init(&st);
    assert_true(blvm_check_tx_inputs(&tx, coins, 110, &fee, &st));
    assert_int_equal(fee, 50);
    assert_true(blvm_state_is_valid(&st));
    /* a non-coinbase coin may be spent in the next block */
    coins[1].is_coinbase = false;
    assert_true(blvm_check_tx_inputs(&tx, coins, 11, &fee, &st));

    /* input values out of range */
    coins[0].value = -1;
    blvm_state_init(&st);
    assert_false(blvm_check_tx_inputs(&tx, coins, 200, &fee, &st));
    assert_string_equal(st.reject_reason, "bad-txns-inputvalues-outofrange");
    assert_int_equal(st.result, BLVM_TX_CONSENSUS);
    coins[0].value = BLVM_MAX_MONEY + 1;
    blvm_state_init(&st);
    assert_false(blvm_check_tx_inputs(&tx, coins, 200, &fee, &st));
    assert_string_equal(st.reject_reason, "bad-txns-inputvalues-outofrange");
    /* each in range, the sum not */
    coins[0].value = BLVM_MAX_MONEY;
    coins[1].value = 1;
    blvm_state_init(&st);
    assert_false(blvm_check_tx_inputs(&tx, coins, 200, &fee, &st));
    assert_string_equal(st.reject_reason, "bad-txns-inputvalues-outofrange");
    /* exactly MAX_MONEY in is fine */
    coins[0].value = BLVM_MAX_MONEY - 1;
    blvm_state_init(&st);
    assert_true(blvm_check_tx_inputs(&tx, coins, 200, &fee, &st));
    assert_int_equal(fee, BLVM_MAX_MONEY - 150);

    /* spending more than the inputs */
    coins[0].value = 100;
    coins[1].value = 49;
    blvm_state_init(&st);
    assert_false(blvm_check_tx_inputs(&tx, coins, 200, &fee, &st));
    assert_string_equal(st.reject_reason, "bad-txns-in-belowout");
    assert_int_equal(st.result, BLVM_TX_CONSENSUS);
    coins[1].value = 50;
    blvm_state_init(&st);
    assert_true(blvm_check_tx_inputs(&tx, coins, 200, &fee, &st));
    assert_int_equal(fee, 0);
    blvm_tx_clear(&tx);
}

/* ---- contextual header checks ---------------------------------------------------- */

static void test_contextual_header(void **state) {
    (void)state;
    /* Mainnet entries around BIP34's height: a chain fragment is enough,
     * since nothing retargets here. */
    const blvm_params *m = blvm_params_get(BLVM_NET_MAIN);
    uint32_t times[12];
    for (int i = 0; i < 12; i++)
        times[i] = 1356000000u + (uint32_t)i * 600;
    blvm_chain_entry e[12];
    build_chain(e, 12, NULL, 227919, times, 0x1a05db8b);
    assert_int_equal(e[11].height, 227930);

    blvm_block_header h;
    memset(&h, 0, sizeof h);
    h.version = 1;
    h.bits = 0x1a05db8b;
    h.time = times[11] + 600;
    int64_t now = h.time;
    blvm_validation_state st;
    /* block 227930: version 1 still fine */
    blvm_state_init(&st);
    assert_true(blvm_contextual_check_block_header(&h, &e[10], m, now, &st));
    /* block 227931 (BIP34): version 1 rejected, version 2 fine */
    blvm_state_init(&st);
    assert_false(blvm_contextual_check_block_header(&h, &e[11], m, now, &st));
    assert_string_equal(st.reject_reason, "bad-version(0x00000001)");
    assert_int_equal(st.result, BLVM_BLOCK_INVALID_HEADER);
    h.version = 2;
    blvm_state_init(&st);
    assert_true(blvm_contextual_check_block_header(&h, &e[11], m, now, &st));

    /* bad-diffbits */
    h.bits = 0x1a05db8c;
    blvm_state_init(&st);
    assert_false(blvm_contextual_check_block_header(&h, &e[11], m, now, &st));
    assert_string_equal(st.reject_reason, "bad-diffbits");
    assert_int_equal(st.result, BLVM_BLOCK_INVALID_HEADER);
    h.bits = 0x1a05db8b;

    /* time-too-old: at the median time past; one second later is fine */
    int64_t mtp = blvm_chain_entry_median_time_past(&e[11]);
    h.time = (uint32_t)mtp;
    blvm_state_init(&st);
    assert_false(blvm_contextual_check_block_header(&h, &e[11], m, now, &st));
    assert_string_equal(st.reject_reason, "time-too-old");
    assert_int_equal(st.result, BLVM_BLOCK_INVALID_HEADER);
    h.time = (uint32_t)mtp + 1;
    blvm_state_init(&st);
    assert_true(blvm_contextual_check_block_header(&h, &e[11], m, now, &st));

    /* time-too-new: more than 2 hours after now */
    h.time = (uint32_t)(now + BLVM_MAX_FUTURE_BLOCK_TIME);
    blvm_state_init(&st);
    assert_true(blvm_contextual_check_block_header(&h, &e[11], m, now, &st));
    h.time++;
    blvm_state_init(&st);
    assert_false(blvm_contextual_check_block_header(&h, &e[11], m, now, &st));
    assert_string_equal(st.reject_reason, "time-too-new");
    assert_int_equal(st.result, BLVM_BLOCK_TIME_FUTURE);

    /* regtest: BIP34, BIP66 and BIP65 all from height 1 */
    const blvm_params *r = blvm_params_get(BLVM_NET_REGTEST);
    uint32_t rt[3] = {1296688602, 1296688603, 1296688604};
    blvm_chain_entry re[3];
    build_chain(re, 3, NULL, 0, rt, 0x207fffff);
    static const struct {
        int32_t version;
        const char *reason;
    } versions[] = {
        {0, "bad-version(0x00000000)"},
        {1, "bad-version(0x00000001)"},
        {2, "bad-version(0x00000002)"},
        {3, "bad-version(0x00000003)"},
        {(int32_t)0x80000000, "bad-version(0x80000000)"}, /* negative */
        {4, NULL},
        {0x20000000, NULL},
    };
    for (size_t i = 0; i < BLVM_ARRAY_LEN(versions); i++) {
        memset(&h, 0, sizeof h);
        h.version = versions[i].version;
        h.bits = 0x207fffff;
        h.time = rt[2] + 1;
        blvm_state_init(&st);
        bool ok = blvm_contextual_check_block_header(&h, &re[2], r, h.time, &st);
        if (versions[i].reason) {
            assert_false(ok);
            assert_string_equal(st.reject_reason, versions[i].reason);
        } else {
            assert_true(ok);
        }
    }
    /* Between BIP66 and BIP65 on mainnet: version 3 passes, then fails. */
    build_chain(e, 12, NULL, 388369, times, 0x1a05db8b);
    memset(&h, 0, sizeof h);
    h.version = 3;
    h.bits = 0x1a05db8b;
    h.time = times[11] + 600;
    blvm_state_init(&st);
    assert_true(blvm_contextual_check_block_header(&h, &e[10], m, h.time, &st)); /* 388380 */
    blvm_state_init(&st);
    assert_false(blvm_contextual_check_block_header(&h, &e[11], m, h.time, &st)); /* 388381 */
    assert_string_equal(st.reject_reason, "bad-version(0x00000003)");
}

/* ---- contextual block checks ----------------------------------------------------- */

/* A regtest-style block at `height` on top of prev with one coinbase. */
static void make_block(blvm_block *b, const blvm_chain_entry *prev, int32_t cb_height,
                       uint32_t time) {
    blvm_block_init(b);
    b->txs = calloc(2, sizeof *b->txs);
    assert_non_null(b->txs);
    b->tx_count = 1;
    blvm_tx *cb = &b->txs[0];
    uint32_t seq[1] = {BLVM_SEQUENCE_FINAL};
    make_tx(cb, 2, 0, 1, seq);
    uint8_t ss[BLVM_BIP34_SCRIPT_MAX + 1];
    size_t n = blvm_bip34_height_script(cb_height, ss);
    ss[n++] = 0x00;
    assert_true(blvm_script_set(&cb->vin[0].script_sig, ss, n));
    memset(cb->vin[0].prevout.hash, 0, 32);
    cb->vin[0].prevout.n = 0xffffffffu;
    blvm_tx_compute_hashes(cb);
    b->header.version = 4;
    memcpy(b->header.prev_hash, prev->hash, 32);
    b->header.time = time;
    b->header.bits = 0x207fffff;
}

static void refresh(blvm_block *b) {
    for (size_t i = 0; i < b->tx_count; i++)
        blvm_tx_compute_hashes(&b->txs[i]);
    assert_true(blvm_block_merkle_root(b, b->header.merkle_root, NULL));
}

static void test_contextual_block(void **state) {
    (void)state;
    /* regtest with segwit and CSV moved up, to see before and after */
    blvm_params p = *blvm_params_get(BLVM_NET_REGTEST);
    p.segwit_height = 50;
    p.csv_height = 50;
    enum { N = 60 };
    uint32_t times[N];
    for (int i = 0; i < N; i++)
        times[i] = 1600000000u + (uint32_t)i * 600;
    blvm_chain_entry e[N];
    build_chain(e, N, NULL, 0, times, 0x207fffff);
    blvm_validation_state st;
    blvm_block b;

    /* a plain valid block at height 10 */
    make_block(&b, &e[9], 10, times[9] + 600);
    refresh(&b);
    blvm_state_init(&st);
    assert_true(blvm_contextual_check_block(&b, &e[9], &p, &st));
    /* bad-cb-height: the coinbase says 11 */
    blvm_block_clear(&b);
    make_block(&b, &e[9], 11, times[9] + 600);
    refresh(&b);
    blvm_state_init(&st);
    assert_false(blvm_contextual_check_block(&b, &e[9], &p, &st));
    assert_string_equal(st.reject_reason, "bad-cb-height");
    assert_int_equal(st.result, BLVM_BLOCK_CONSENSUS);
    /* ...which does not matter before BIP34 */
    blvm_params pre34 = p;
    pre34.bip34_height = 100;
    blvm_state_init(&st);
    assert_true(blvm_contextual_check_block(&b, &e[9], &pre34, &st));
    blvm_block_clear(&b);

    /* bad-txns-nonfinal, and BIP113's cutoff: a time lock between the
     * parent's median time past and the block's time. */
    for (int csv = 0; csv < 2; csv++) {
        int32_t height = csv ? 55 : 20;
        const blvm_chain_entry *prev = &e[height - 1];
        int64_t mtp = blvm_chain_entry_median_time_past(prev);
        uint32_t block_time = prev->time + 600;
        make_block(&b, prev, height, block_time);
        b.tx_count = 2;
        uint32_t seq[1] = {0};
        make_tx(&b.txs[1], 2, (uint32_t)mtp + 1, 1, seq); /* > MTP, < block time */
        refresh(&b);
        blvm_state_init(&st);
        bool ok = blvm_contextual_check_block(&b, prev, &p, &st);
        if (csv) {
            assert_false(ok);
            assert_string_equal(st.reject_reason, "bad-txns-nonfinal");
            assert_int_equal(st.result, BLVM_BLOCK_CONSENSUS);
        } else {
            assert_true(ok);
        }
        /* a height lock at the block's own height is never final */
        b.txs[1].locktime = (uint32_t)height;
        refresh(&b);
        blvm_state_init(&st);
        assert_false(blvm_contextual_check_block(&b, prev, &p, &st));
        assert_string_equal(st.reject_reason, "bad-txns-nonfinal");
        b.txs[1].locktime = (uint32_t)height - 1;
        refresh(&b);
        blvm_state_init(&st);
        assert_true(blvm_contextual_check_block(&b, prev, &p, &st));
        blvm_block_clear(&b);
    }

    /* unexpected-witness: witness data before segwit */
    make_block(&b, &e[19], 20, times[19] + 600);
    static const uint8_t nonce[32] = {0};
    assert_true(blvm_witness_push(&b.txs[0].vin[0].witness, nonce, 32));
    refresh(&b);
    blvm_state_init(&st);
    assert_false(blvm_contextual_check_block(&b, &e[19], &p, &st));
    assert_string_equal(st.reject_reason, "unexpected-witness");
    assert_int_equal(st.result, BLVM_BLOCK_MUTATED);
    blvm_block_clear(&b);
    /* after segwit, witness data needs a commitment */
    make_block(&b, &e[54], 55, times[54] + 600);
    assert_true(blvm_witness_push(&b.txs[0].vin[0].witness, nonce, 32));
    refresh(&b);
    blvm_state_init(&st);
    assert_false(blvm_contextual_check_block(&b, &e[54], &p, &st));
    assert_string_equal(st.reject_reason, "unexpected-witness");
    /* with the commitment it passes */
    uint8_t wroot[32], commit[32];
    assert_true(blvm_block_witness_merkle_root(&b, wroot, NULL));
    blvm_witness_commitment_compute(wroot, nonce, commit);
    blvm_tx *cb = &b.txs[0];
    blvm_txout *old = cb->vout;
    cb->vout = calloc(2, sizeof *cb->vout);
    assert_non_null(cb->vout);
    cb->vout[0] = old[0];
    free(old);
    cb->vout_count = 2;
    uint8_t script[38] = {0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed};
    memcpy(script + 6, commit, 32);
    assert_true(blvm_script_set(&cb->vout[1].script_pubkey, script, sizeof script));
    refresh(&b);
    blvm_state_init(&st);
    assert_true(blvm_contextual_check_block(&b, &e[54], &p, &st));
    /* a wrong commitment */
    cb->vout[1].script_pubkey.data[10] ^= 1;
    refresh(&b);
    blvm_state_init(&st);
    assert_false(blvm_contextual_check_block(&b, &e[54], &p, &st));
    assert_string_equal(st.reject_reason, "bad-witness-merkle-match");
    blvm_block_clear(&b);

    /* bad-blk-weight: a 1 MB output script makes the weight above 4M */
    make_block(&b, &e[9], 10, times[9] + 600);
    size_t big = 1000001;
    uint8_t *junk = calloc(1, big);
    assert_non_null(junk);
    assert_true(blvm_script_set(&b.txs[0].vout[0].script_pubkey, junk, big));
    free(junk);
    refresh(&b);
    assert_true(blvm_block_weight(&b) > BLVM_MAX_BLOCK_WEIGHT);
    blvm_state_init(&st);
    assert_false(blvm_contextual_check_block(&b, &e[9], &p, &st));
    assert_string_equal(st.reject_reason, "bad-blk-weight");
    assert_int_equal(st.result, BLVM_BLOCK_CONSENSUS);
    blvm_block_clear(&b);

    /* the genesis block (no parent) of every network passes */
    for (int n = 0; n < BLVM_NET_COUNT; n++) {
        blvm_block_init(&b);
        assert_true(blvm_params_genesis_block(blvm_params_get((blvm_network)n), &b));
        blvm_state_init(&st);
        assert_true(blvm_contextual_check_block(&b, NULL, blvm_params_get((blvm_network)n), &st));
        blvm_block_clear(&b);
    }
}

/* Core's GuessVerificationProgress against its chainTxData. */
static void test_verification_progress(void **state) {
    (void)state;
    const blvm_params *main_p = blvm_params_get(BLVM_NET_MAIN);
    const blvm_chain_tx_data *d = &main_p->chain_tx_data;
    assert_true(d->tx_count > 1000000000u);
    /* no transactions: nothing verified */
    assert_true(blvm_guess_verification_progress(main_p, 0, 0, d->time) == 0.0);
    /* half of the known count at the time it was taken */
    double half = blvm_guess_verification_progress(main_p, d->tx_count / 2, 0, d->time);
    assert_true(half > 0.49 && half < 0.51);
    /* a day later the estimate of the total grows by a day at tx_rate */
    double later = blvm_guess_verification_progress(main_p, d->tx_count, d->time, d->time + 86400);
    double want = (double)d->tx_count / ((double)d->tx_count + 86400.0 * d->tx_rate);
    assert_true(later > want - 1e-12 && later < want + 1e-12);
    /* past the known count: relative to the tip's own time, capped at 1 */
    assert_true(blvm_guess_verification_progress(main_p, d->tx_count + 10, 1000, 1000) == 1.0);
    /* regtest has no data: any tip is complete (as Core reports) */
    const blvm_params *reg = blvm_params_get(BLVM_NET_REGTEST);
    assert_true(blvm_guess_verification_progress(reg, 1, 1296688602, 2000000000) == 1.0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subsidy),
        cmocka_unit_test(test_is_final),
        cmocka_unit_test(test_median_time_past),
        cmocka_unit_test(test_sequence_locks),
        cmocka_unit_test(test_bip34_height_script),
        cmocka_unit_test(test_script_flags),
        cmocka_unit_test(test_bip30),
        cmocka_unit_test(test_check_tx_inputs),
        cmocka_unit_test(test_contextual_header),
        cmocka_unit_test(test_contextual_block),
        cmocka_unit_test(test_verification_progress),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
