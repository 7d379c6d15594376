/* Unit tests for consensus/arith256 and consensus/pow: compact encoding (the
 * cases of Core's arith_uint256_tests), retargeting (Core's pow_tests), the
 * testnet3 headers of blockheader_testnet3.hex, the alternative mainnet chain
 * of mainnet_alt.json (as Core's mining_mainnet.py rebuilds it), the testnet
 * minimum-difficulty walk-back and testnet4's BIP94 rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "consensus/arith256.h"
#include "consensus/block.h"
#include "consensus/chain_entry.h"
#include "consensus/chain_rules.h"
#include "consensus/merkle.h"
#include "consensus/params.h"
#include "consensus/pow.h"
#include "testutil.h"
#include "util/bytes.h"
#include "util/hex.h"

/* ---- helpers ---------------------------------------------------------- */

static void u256_hex(const blvm_u256 *a, const char *expect) {
    char got[65];
    blvm_u256_to_hex(a, got);
    assert_string_equal(got, expect);
}

/* Links `count` entries with the given times and bits on top of prev. */
static void build_chain(blvm_chain_entry *e, size_t count, const blvm_chain_entry *prev,
                        const uint32_t *times, const uint32_t *bits) {
    for (size_t i = 0; i < count; i++) {
        blvm_block_header h;
        memset(&h, 0, sizeof h);
        h.version = 4;
        h.time = times[i];
        h.bits = bits[i];
        uint8_t hash[32] = {0};
        memcpy(hash, &i, sizeof i); /* distinct, never looked at */
        blvm_chain_entry_init(&e[i], &h, hash, i ? &e[i - 1] : prev);
    }
}

/* ---- compact encoding --------------------------------------------------- */

static void test_set_compact(void **state) {
    (void)state;
    static const struct {
        uint32_t compact;
        const char *hex;
        uint32_t back; /* GetCompact(negative) */
        bool negative; /* expected negative flag (also passed to GetCompact) */
    } cases[] = {
        {0x00000000, "0000000000000000000000000000000000000000000000000000000000000000", 0, false},
        {0x00123456, "0000000000000000000000000000000000000000000000000000000000000000", 0, false},
        {0x01003456, "0000000000000000000000000000000000000000000000000000000000000000", 0, false},
        {0x02000056, "0000000000000000000000000000000000000000000000000000000000000000", 0, false},
        {0x03000000, "0000000000000000000000000000000000000000000000000000000000000000", 0, false},
        {0x04000000, "0000000000000000000000000000000000000000000000000000000000000000", 0, false},
        {0x00923456, "0000000000000000000000000000000000000000000000000000000000000000", 0, false},
        {0x01803456, "0000000000000000000000000000000000000000000000000000000000000000", 0, false},
        {0x02800056, "0000000000000000000000000000000000000000000000000000000000000000", 0, false},
        {0x03800000, "0000000000000000000000000000000000000000000000000000000000000000", 0, false},
        {0x04800000, "0000000000000000000000000000000000000000000000000000000000000000", 0, false},
        {0x01123456, "0000000000000000000000000000000000000000000000000000000000000012", 0x01120000,
         false},
        {0x01fedcba, "000000000000000000000000000000000000000000000000000000000000007e", 0x01fe0000,
         true},
        {0x02123456, "0000000000000000000000000000000000000000000000000000000000001234", 0x02123400,
         false},
        {0x03123456, "0000000000000000000000000000000000000000000000000000000000123456", 0x03123456,
         false},
        {0x04123456, "0000000000000000000000000000000000000000000000000000000012345600", 0x04123456,
         false},
        {0x04923456, "0000000000000000000000000000000000000000000000000000000012345600", 0x04923456,
         true},
        {0x05009234, "0000000000000000000000000000000000000000000000000000000092340000", 0x05009234,
         false},
        {0x20123456, "1234560000000000000000000000000000000000000000000000000000000000", 0x20123456,
         false},
    };
    for (size_t i = 0; i < BLVM_ARRAY_LEN(cases); i++) {
        blvm_u256 n;
        bool neg = !cases[i].negative, over = true;
        blvm_u256_set_compact(&n, cases[i].compact, &neg, &over);
        u256_hex(&n, cases[i].hex);
        assert_int_equal(neg, cases[i].negative);
        assert_false(over);
        assert_int_equal(blvm_u256_get_compact(&n, cases[i].negative), cases[i].back);
    }

    /* Never produce a mantissa with the sign bit set: 0x80 becomes 0x02008000. */
    blvm_u256 n;
    blvm_u256_set_u64(&n, 0x80);
    assert_int_equal(blvm_u256_get_compact(&n, false), 0x02008000u);

    /* Overflow: size byte 0xff. */
    bool neg, over = false;
    blvm_u256_set_compact(&n, 0xff123456, &neg, &over);
    assert_false(neg);
    assert_true(over);
    /* Overflow boundaries: a 3-byte mantissa fits up to size 32, two bytes up
     * to 33, one byte up to 34. */
    blvm_u256_set_compact(&n, 0x20ffffff & 0x207fffff, NULL, &over);
    assert_false(over);
    blvm_u256_set_compact(&n, 0x21010000, NULL, &over);
    assert_true(over);
    blvm_u256_set_compact(&n, 0x2100ffff, NULL, &over);
    assert_false(over);
    blvm_u256_set_compact(&n, 0x2200ffff, NULL, &over);
    assert_true(over);
    blvm_u256_set_compact(&n, 0x220000ff, NULL, &over);
    assert_false(over);
    u256_hex(&n, "ff00000000000000000000000000000000000000000000000000000000000000");
    blvm_u256_set_compact(&n, 0x230000ff, NULL, &over);
    assert_true(over);
    /* A zero mantissa never overflows or is negative. */
    blvm_u256_set_compact(&n, 0xff800000, &neg, &over);
    assert_false(neg);
    assert_false(over);
    /* NULL flags are allowed */
    blvm_u256_set_compact(&n, 0x1d00ffff, NULL, NULL);
    u256_hex(&n, "00000000ffff0000000000000000000000000000000000000000000000000000");
}

static void test_compact_round_trip(void **state) {
    (void)state;
    blvm_test_rng_seed(0x5eed0001u);
    print_message("seed 0x5eed0001\n");
    for (int i = 0; i < 20000; i++) {
        uint32_t c = (uint32_t)blvm_test_rand64();
        c = (c & 0x007fffff) | ((uint32_t)(blvm_test_rand64() % 0x23) << 24);
        blvm_u256 a, b;
        bool neg, over;
        blvm_u256_set_compact(&a, c, &neg, &over);
        if (over) continue;
        /* encode(decode(c)) decodes to the same number */
        uint32_t c2 = blvm_u256_get_compact(&a, false);
        blvm_u256_set_compact(&b, c2, NULL, NULL);
        assert_int_equal(blvm_u256_cmp(&a, &b), 0);
        /* and the canonical form is stable */
        assert_int_equal(blvm_u256_get_compact(&b, false), c2);
        /* the canonical mantissa never has the sign bit */
        assert_int_equal(c2 & 0x00800000, 0);
    }
}

/* ---- 256-bit arithmetic ------------------------------------------------- */

static void test_arith_basics(void **state) {
    (void)state;
    blvm_u256 a, b, r, one;
    blvm_u256_set_u64(&one, 1);
    assert_true(blvm_u256_from_hex(&a, "0x1"));
    assert_int_equal(blvm_u256_cmp(&a, &one), 0);
    assert_false(blvm_u256_from_hex(&a, "xyz"));
    assert_false(blvm_u256_from_hex(&a, ""));
    assert_false(blvm_u256_from_hex(
        &a, "10000000000000000000000000000000000000000000000000000000000000000"));
    /* shifts */
    blvm_u256_shl(&r, &one, 255);
    u256_hex(&r, "8000000000000000000000000000000000000000000000000000000000000000");
    assert_int_equal(blvm_u256_bits(&r), 256);
    blvm_u256_shl(&r, &one, 256);
    assert_true(blvm_u256_is_zero(&r));
    blvm_u256_shl(&r, &one, 100);
    blvm_u256_shr(&r, &r, 99);
    assert_int_equal(blvm_u256_low64(&r), 2);
    blvm_u256_shl(&r, &one, 200);
    blvm_u256_shr(&r, &r, 2016);
    assert_true(blvm_u256_is_zero(&r));
    /* wrap-around of add, sub, not */
    blvm_u256 zero;
    blvm_u256_set_zero(&zero);
    blvm_u256_sub(&r, &zero, &one);
    u256_hex(&r, "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    blvm_u256_not(&b, &zero);
    assert_int_equal(blvm_u256_cmp(&r, &b), 0);
    blvm_u256_add(&r, &r, &one);
    assert_true(blvm_u256_is_zero(&r));
    /* multiplication and division */
    assert_true(
        blvm_u256_from_hex(&a, "00000000ffff0000000000000000000000000000000000000000000000000000"));
    blvm_u256_mul_u32(&r, &a, 4);
    u256_hex(&r, "00000003fffc0000000000000000000000000000000000000000000000000000");
    assert_true(blvm_u256_div_u64(&r, &r, 16));
    u256_hex(&r, "000000003fffc000000000000000000000000000000000000000000000000000");
    assert_false(blvm_u256_div(&r, &a, &zero));
    blvm_u256_mul(&r, &a, &a);
    /* (0xffff << 208)^2 = 0xfffe0001 << 416: wraps to zero mod 2^256 */
    assert_true(blvm_u256_is_zero(&r));
    assert_true(blvm_u256_from_hex(&a, "ffffffffffffffffffffffffffffffff"));
    blvm_u256_mul(&r, &a, &a);
    u256_hex(&r, "fffffffffffffffffffffffffffffffe00000000000000000000000000000001");
    assert_true(blvm_u256_div(&b, &r, &a));
    assert_int_equal(blvm_u256_cmp(&b, &a), 0);
    /* little-endian bytes round trip */
    uint8_t le[32];
    blvm_u256_to_le(&r, le);
    assert_int_equal(le[0], 0x01);
    assert_int_equal(le[31], 0xff);
    blvm_u256_from_le(&b, le);
    assert_int_equal(blvm_u256_cmp(&b, &r), 0);
    /* difficulty-1 target as a double */
    blvm_u256_set_compact(&a, 0x1d00ffff, NULL, NULL);
    assert_true(blvm_u256_to_double(&a) > 2.69e67 && blvm_u256_to_double(&a) < 2.70e67);
}

static void test_arith_random_vs_int128(void **state) {
    (void)state;
    blvm_test_rng_seed(0x5eed0002u);
    print_message("seed 0x5eed0002\n");
    for (int i = 0; i < 20000; i++) {
        uint64_t x = blvm_test_rand64() >> (blvm_test_rand64() % 64),
                 y = (blvm_test_rand64() >> (blvm_test_rand64() % 64)) | 1;
        unsigned __int128 p = (unsigned __int128)x * y;
        blvm_u256 a, b, r;
        blvm_u256_set_u64(&a, x);
        blvm_u256_set_u64(&b, y);
        blvm_u256_mul(&r, &a, &b);
        assert_int_equal(blvm_u256_low64(&r), (uint64_t)p);
        assert_int_equal(r.pn[2] | ((uint64_t)r.pn[3] << 32), (uint64_t)(p >> 64));
        blvm_u256 r2;
        blvm_u256_mul_u64(&r2, &a, y);
        assert_int_equal(blvm_u256_cmp(&r, &r2), 0);
        if ((y >> 32) == 0) {
            blvm_u256_mul_u32(&r2, &a, (uint32_t)y);
            assert_int_equal(blvm_u256_cmp(&r, &r2), 0);
        }
        blvm_u256 q;
        assert_true(blvm_u256_div(&q, &r, &b));
        assert_int_equal(blvm_u256_cmp(&q, &a), 0);
        assert_true(blvm_u256_div_u64(&q, &a, y));
        assert_int_equal(blvm_u256_low64(&q), x / y);
        unsigned __int128 s = (unsigned __int128)x + y;
        blvm_u256_add(&r, &a, &b);
        assert_int_equal(blvm_u256_low64(&r), (uint64_t)s);
        assert_int_equal(r.pn[2], (uint32_t)(s >> 64));
        assert_int_equal(blvm_u256_cmp(&a, &b), x < y ? -1 : (x > y ? 1 : 0));
    }
}

/* Full-width division: q = a / b and r = a - q * b satisfy r < b and
 * q * b + r == a; shifts by n and back keep the bits that stay in range. */
static void test_arith_random_full_width(void **state) {
    (void)state;
    blvm_test_rng_seed(0x5eed0004u);
    print_message("seed 0x5eed0004\n");
    for (int i = 0; i < 5000; i++) {
        blvm_u256 a, b, q, r, t;
        for (int k = 0; k < 8; k++) {
            a.pn[k] = (uint32_t)blvm_test_rand64();
            b.pn[k] = (uint32_t)blvm_test_rand64();
        }
        /* vary the sizes so every quotient length occurs */
        blvm_u256_shr(&a, &a, (unsigned)(blvm_test_rand64() % 200));
        blvm_u256_shr(&b, &b, (unsigned)(blvm_test_rand64() % 256));
        if (blvm_u256_is_zero(&b)) continue;
        assert_true(blvm_u256_div(&q, &a, &b));
        blvm_u256_mul(&t, &q, &b);
        assert_true(blvm_u256_cmp(&t, &a) <= 0);
        blvm_u256_sub(&r, &a, &t);
        assert_true(blvm_u256_cmp(&r, &b) < 0);
        blvm_u256_add(&t, &t, &r);
        assert_int_equal(blvm_u256_cmp(&t, &a), 0);
        unsigned n = (unsigned)(blvm_test_rand64() % 256);
        blvm_u256_shl(&t, &a, n);
        blvm_u256_shr(&t, &t, n);
        blvm_u256 mask;
        blvm_u256_set_zero(&mask);
        blvm_u256_not(&mask, &mask);
        blvm_u256_shr(&mask, &mask, n);
        for (int k = 0; k < 8; k++)
            assert_int_equal(t.pn[k], a.pn[k] & mask.pn[k]);
        /* bits() agrees with shifting */
        unsigned bits = blvm_u256_bits(&a);
        blvm_u256_shr(&t, &a, bits);
        assert_true(blvm_u256_is_zero(&t));
        if (bits) {
            blvm_u256_shr(&t, &a, bits - 1);
            assert_int_equal(blvm_u256_low64(&t), 1);
        }
    }
}

/* ---- proof of work ------------------------------------------------------ */

static void test_check_proof_of_work(void **state) {
    (void)state;
    const blvm_params *p = blvm_params_get(BLVM_NET_MAIN);
    uint8_t hash[32];
    memset(hash, 0, sizeof hash);
    /* negative target: the pow limit with the sign bit */
    assert_false(blvm_pow_check(hash, blvm_u256_get_compact(&p->pow_limit, true), p));
    /* overflow */
    assert_false(blvm_pow_check(hash, ~0x00800000u, p));
    /* easier than the pow limit */
    blvm_u256 t;
    blvm_u256_mul_u32(&t, &p->pow_limit, 2);
    assert_false(blvm_pow_check(hash, blvm_u256_get_compact(&t, false), p));
    /* hash above the target */
    uint32_t bits = blvm_u256_get_compact(&p->pow_limit, false);
    blvm_u256 h;
    blvm_u256_set_compact(&h, bits, NULL, NULL);
    blvm_u256_mul_u32(&h, &h, 2);
    blvm_u256_to_le(&h, hash);
    assert_false(blvm_pow_check(hash, bits, p));
    /* zero target */
    blvm_u256_set_zero(&t);
    memset(hash, 0, sizeof hash);
    assert_false(blvm_pow_check(hash, blvm_u256_get_compact(&t, false), p));
    /* a hash exactly at the target passes, one above fails */
    blvm_u256_set_compact(&h, bits, NULL, NULL);
    blvm_u256_to_le(&h, hash);
    assert_true(blvm_pow_check(hash, bits, p));
    blvm_u256 one;
    blvm_u256_set_u64(&one, 1);
    blvm_u256_add(&h, &h, &one);
    blvm_u256_to_le(&h, hash);
    assert_false(blvm_pow_check(hash, bits, p));
    assert_int_equal(bits, 0x1d00ffff);
}

static void test_block_proof(void **state) {
    (void)state;
    blvm_u256 w;
    blvm_pow_block_proof(&w, 0x1d00ffff); /* difficulty 1: 2^256 / (2^224 * 0xffff/0x10000 + 1) */
    assert_int_equal(blvm_u256_low64(&w), 4295032833ull);
    blvm_pow_block_proof(&w, 0x207fffff);
    assert_int_equal(blvm_u256_low64(&w), 2);
    blvm_pow_block_proof(&w, 0x01fedcba); /* negative */
    assert_true(blvm_u256_is_zero(&w));
    blvm_pow_block_proof(&w, 0xff123456); /* overflow */
    assert_true(blvm_u256_is_zero(&w));
    blvm_pow_block_proof(&w, 0);
    assert_true(blvm_u256_is_zero(&w));
    blvm_pow_block_proof(&w, 0x1c3fffc0); /* difficulty 4 */
    assert_int_equal(blvm_u256_low64(&w), 17180131332ull);
}

/* Core's pow_tests: CalculateNextWorkRequired with mainnet parameters. */
static void test_retarget_core_cases(void **state) {
    (void)state;
    const blvm_params *p = blvm_params_get(BLVM_NET_MAIN);
    static const struct {
        int64_t first_time;
        int32_t height;
        uint32_t time, bits, expect, invalid;
    } cases[] = {
        /* no constraint applies (block 30240 .. 32255) */
        {1261130161, 32255, 1262152739, 0x1d00ffff, 0x1d00d86a, 0},
        /* capped at the pow limit (block 0 .. 2015) */
        {1231006505, 2015, 1233061996, 0x1d00ffff, 0x1d00ffff, 0},
        /* actual time below a quarter of the timespan (66528 .. 68543) */
        {1279008237, 68543, 1279297671, 0x1c05a3f4, 0x1c0168fd, 0x1c0168fc},
        /* actual time above four times the timespan */
        {1263163443, 46367, 1269211443, 0x1c387f6f, 0x1d00e1fd, 0x1d00e1fe},
    };
    for (size_t i = 0; i < BLVM_ARRAY_LEN(cases); i++) {
        blvm_chain_entry last;
        memset(&last, 0, sizeof last);
        last.height = cases[i].height;
        last.time = cases[i].time;
        last.bits = cases[i].bits;
        assert_int_equal(blvm_pow_calculate_next_work(&last, cases[i].first_time, p),
                         cases[i].expect);
        assert_true(blvm_pow_permitted_transition(p, last.height + 1, last.bits, cases[i].expect));
        if (cases[i].invalid)
            assert_false(
                blvm_pow_permitted_transition(p, last.height + 1, last.bits, cases[i].invalid));
    }
    /* Between retargets nBits may not change on mainnet... */
    assert_false(blvm_pow_permitted_transition(p, 100, 0x1d00ffff, 0x1d00fffe));
    assert_true(blvm_pow_permitted_transition(p, 100, 0x1d00ffff, 0x1d00ffff));
    /* ...but anything goes where min-difficulty blocks are allowed. */
    assert_true(blvm_pow_permitted_transition(blvm_params_get(BLVM_NET_TESTNET3), 100, 0x1d00ffff,
                                              0x1c00ffff));
    /* Regtest never retargets. */
    blvm_chain_entry last;
    memset(&last, 0, sizeof last);
    last.height = 143;
    last.time = 2000000000;
    last.bits = 0x207fffff;
    assert_int_equal(blvm_pow_calculate_next_work(&last, 1000, blvm_params_get(BLVM_NET_REGTEST)),
                     0x207fffff);
}

/* Core's GetBlockProofEquivalentTime_test. */
static void test_proof_equivalent_time(void **state) {
    (void)state;
    const blvm_params *p = blvm_params_get(BLVM_NET_MAIN);
    enum { N = 10000 };
    blvm_chain_entry *e = calloc(N, sizeof *e);
    uint32_t *times = malloc(N * sizeof *times), *bits = malloc(N * sizeof *bits);
    assert_true(e && times && bits);
    for (int i = 0; i < N; i++) {
        times[i] = 1269211443u + (uint32_t)(i * p->pow_target_spacing);
        bits[i] = 0x207fffff;
    }
    build_chain(e, N, NULL, times, bits);
    blvm_test_rng_seed(0x5eed0003u);
    print_message("seed 0x5eed0003\n");
    for (int j = 0; j < 1000; j++) {
        const blvm_chain_entry *p1 = &e[blvm_test_rand64() % N], *p2 = &e[blvm_test_rand64() % N],
                               *p3 = &e[blvm_test_rand64() % N];
        int64_t tdiff = blvm_pow_proof_equivalent_time(p1, p2, p3, p);
        assert_int_equal(tdiff, (int64_t)p1->time - (int64_t)p2->time);
    }
    /* ancestors through skip pointers agree with a walk along prev */
    for (int j = 0; j < 2000; j++) {
        int from = (int)(blvm_test_rand64() % N),
            to = (int)(blvm_test_rand64() % (uint64_t)(from + 1));
        assert_ptr_equal(blvm_chain_entry_ancestor(&e[from], to), &e[to]);
    }
    assert_null(blvm_chain_entry_ancestor(&e[10], 11));
    assert_null(blvm_chain_entry_ancestor(&e[10], -1));
    /* chain work of block i is (i + 1) * 2 at regtest difficulty */
    assert_int_equal(blvm_u256_low64(&e[N - 1].chain_work), 2ull * N);
    free(e);
    free(times);
    free(bits);
}

/* ---- testnet3 headers -------------------------------------------------- */

static size_t parse_headers(const char *text, blvm_block_header *out, size_t cap, bool *is_fork) {
    size_t n = 0;
    const char *line = text;
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        bool fork = false;
        if (len >= 5 && memcmp(line, "fork:", 5) == 0) {
            fork = true;
            line += 5;
            len -= 5;
        }
        if (len == 160) {
            char hex[161];
            memcpy(hex, line, 160);
            hex[160] = '\0';
            uint8_t raw[80];
            size_t rawlen;
            assert_true(blvm_hex_decode(raw, sizeof raw, &rawlen, hex));
            blvm_reader r;
            blvm_reader_init(&r, raw, rawlen);
            assert_true(n < cap);
            assert_true(blvm_header_decode(&out[n], &r));
            is_fork[n] = fork;
            n++;
        } else {
            assert_int_equal(len, 0);
        }
        if (!end) break;
        line = end + 1;
    }
    return n;
}

static void test_testnet3_headers(void **state) {
    (void)state;
    const blvm_params *p = blvm_params_get(BLVM_NET_TESTNET3);
    char *text = blvm_test_read_vector("blockheader_testnet3.hex", NULL);
    assert_non_null(text);
    enum { CAP = 1024 };
    blvm_block_header *hdr = calloc(CAP, sizeof *hdr);
    bool *fork = calloc(CAP, sizeof *fork);
    blvm_chain_entry *e = calloc(CAP + 1, sizeof *e);
    assert_true(hdr && fork && e);
    size_t n = parse_headers(text, hdr, CAP, fork);

    blvm_chain_entry_init(&e[0], &p->genesis_header, p->genesis_hash, NULL);
    blvm_chain_entry fork_entries[4];
    size_t main_count = 0, fork_count = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t hash[32];
        blvm_header_hash(&hdr[i], hash);
        /* every header meets its own proof of work */
        assert_true(blvm_pow_check(hash, hdr[i].bits, p));
        /* find the parent: the fork headers branch off genesis */
        const blvm_chain_entry *prev = NULL;
        if (fork[i]) {
            if (memcmp(hdr[i].prev_hash, p->genesis_hash, 32) == 0) prev = &e[0];
            for (size_t k = 0; k < fork_count; k++)
                if (memcmp(hdr[i].prev_hash, fork_entries[k].hash, 32) == 0)
                    prev = &fork_entries[k];
        } else {
            prev = &e[main_count];
            assert_memory_equal(hdr[i].prev_hash, prev->hash, 32);
        }
        assert_non_null(prev);
        /* GetNextWorkRequired gives each header's nBits, and the whole of
         * ContextualCheckBlockHeader passes (a clock well after the headers) */
        assert_int_equal(blvm_pow_next_work_required(prev, hdr[i].time, p), hdr[i].bits);
        blvm_validation_state st;
        blvm_state_init(&st);
        assert_true(blvm_contextual_check_block_header(&hdr[i], prev, p, 1700000000, &st));
        assert_true(blvm_pow_permitted_transition(p, prev->height + 1, prev->bits, hdr[i].bits));
        if (fork[i]) {
            assert_true(fork_count < BLVM_ARRAY_LEN(fork_entries));
            blvm_chain_entry_init(&fork_entries[fork_count++], &hdr[i], hash, prev);
        } else {
            main_count++;
            blvm_chain_entry_init(&e[main_count], &hdr[i], hash, prev);
        }
    }
    /* The file holds testnet3 blocks 1..546 (546 was Core's last testnet
     * checkpoint, whose hash it ends on) and two headers forking off genesis
     * (heights 1 and 2). Core 29 has no checkpoints, so the fork is accepted. */
    assert_int_equal(main_count, 546);
    assert_int_equal(fork_count, 2);
    assert_int_equal(fork_entries[1].height, 2);
    char hex[65];
    blvm_hex_encode_reversed(hex, e[546].hash, 32);
    assert_string_equal(hex, "000000002a936ca763904c3c35fce2f3556c559c0214345d31b1bcebf76acb70");
    print_message("testnet3 headers: heights 1..%d and %zu fork headers\n", e[main_count].height,
                  fork_count);

    /* Negative cases on real headers: a wrong nBits, a changed nonce. */
    blvm_block_header bad = hdr[9];
    bad.bits = 0x1d00fffe;
    blvm_validation_state st;
    blvm_state_init(&st);
    assert_false(blvm_contextual_check_block_header(&bad, &e[9], p, 1700000000, &st));
    assert_string_equal(st.reject_reason, "bad-diffbits");
    bad = hdr[9];
    bad.nonce ^= 1;
    uint8_t hash[32];
    blvm_header_hash(&bad, hash);
    assert_false(blvm_pow_check(hash, bad.bits, p));

    free(text);
    free(hdr);
    free(fork);
    free(e);
}

/* ---- alternative mainnet chain (mainnet_alt.json) ---------------------- */

static size_t parse_u64_array(const char *json, const char *key, uint64_t *out, size_t cap) {
    const char *k = strstr(json, key);
    assert_non_null(k);
    const char *s = strchr(k, '[');
    const char *end = strchr(s, ']');
    assert_true(s && end);
    size_t n = 0;
    s++;
    while (s < end) {
        while (s < end && (*s == ' ' || *s == '\n' || *s == ',' || *s == '\r' || *s == '\t'))
            s++;
        if (s >= end) break;
        char *next;
        unsigned long long v = strtoull(s, &next, 10);
        assert_true(next != s);
        assert_true(n < cap);
        out[n++] = v;
        s = next;
    }
    return n;
}

/* The coinbase of Core's create_coinbase(height, script_pubkey=P2PKH,
 * halving_period=210000): version 2, BIP34 height (with an OP_0 pad up to
 * height 16), one 50 BTC output. */
static void alt_coinbase(blvm_tx *tx, int32_t height) {
    static const uint8_t spk[25] = {0x76, 0xa9, 0x14, 0xea, 0xdb, 0xac, 0x7f, 0x36, 0xc3,
                                    0x7e, 0x39, 0x36, 0x11, 0x68, 0xb7, 0xaa, 0xee, 0x3c,
                                    0xb2, 0x4a, 0x25, 0x31, 0x2d, 0x88, 0xac};
    blvm_tx_init(tx);
    tx->version = 2;
    assert_true(blvm_tx_resize(tx, 1, 1));
    uint8_t ss[BLVM_BIP34_SCRIPT_MAX + 1];
    size_t n = blvm_bip34_height_script(height, ss);
    if (height <= 16) ss[n++] = 0x00;
    assert_true(blvm_script_set(&tx->vin[0].script_sig, ss, n));
    tx->vin[0].prevout.n = 0xffffffffu;
    tx->vin[0].sequence = BLVM_SEQUENCE_FINAL;
    tx->vout[0].value = blvm_block_subsidy(height, blvm_params_get(BLVM_NET_MAIN));
    assert_true(blvm_script_set(&tx->vout[0].script_pubkey, spk, sizeof spk));
    blvm_tx_compute_hashes(tx);
}

static void test_mainnet_alt_chain(void **state) {
    (void)state;
    const blvm_params *p = blvm_params_get(BLVM_NET_MAIN);
    char *json = blvm_test_read_vector("mainnet_alt.json", NULL);
    assert_non_null(json);
    enum { N = 2016 };
    uint64_t *times = malloc(N * sizeof *times), *nonces = malloc(N * sizeof *nonces);
    blvm_chain_entry *e = calloc(N + 1, sizeof *e);
    assert_true(times && nonces && e);
    assert_int_equal(parse_u64_array(json, "\"timestamps\"", times, N), N);
    assert_int_equal(parse_u64_array(json, "\"nonces\"", nonces, N), N);

    blvm_chain_entry_init(&e[0], &p->genesis_header, p->genesis_hash, NULL);
    for (int32_t height = 1; height <= N; height++) {
        const blvm_chain_entry *prev = &e[height - 1];
        blvm_block b;
        blvm_block_init(&b);
        b.txs = calloc(1, sizeof *b.txs);
        assert_non_null(b.txs);
        b.tx_count = 1;
        alt_coinbase(&b.txs[0], height);
        b.header.version = 0x20000000;
        memcpy(b.header.prev_hash, prev->hash, 32);
        assert_true(blvm_block_merkle_root(&b, b.header.merkle_root, NULL));
        b.header.time = (uint32_t)times[height - 1];
        b.header.nonce = (uint32_t)nonces[height - 1];
        /* the difficulty comes from our retarget code, not from the test */
        b.header.bits = blvm_pow_next_work_required(prev, b.header.time, p);
        assert_int_equal(b.header.bits, height < 2016 ? 0x1d00ffffu : 0x1c3fffc0u);

        uint8_t hash[32];
        blvm_header_hash(&b.header, hash);
        assert_true(blvm_pow_check(hash, b.header.bits, p));
        blvm_validation_state st;
        blvm_state_init(&st);
        assert_true(
            blvm_contextual_check_block_header(&b.header, prev, p, (int64_t)b.header.time, &st));
        assert_true(blvm_contextual_check_block(&b, prev, p, &st));
        blvm_chain_entry_init(&e[height], &b.header, hash, prev);

        if (height == 2016) {
            /* Blocks came every ~2 minutes, so difficulty rose 4x (the cap):
             * the old difficulty is rejected now. */
            assert_true(blvm_pow_permitted_transition(p, 2016, 0x1d00ffff, 0x1c3fffc0));
            assert_false(blvm_pow_permitted_transition(p, 2016, 0x1d00ffff, 0x1c3fffbf));
            blvm_block_header h2 = b.header;
            h2.bits = 0x1d00ffff;
            assert_false(blvm_contextual_check_block_header(&h2, prev, p, h2.time, &st));
            assert_string_equal(st.reject_reason, "bad-diffbits");
            /* a different nonce breaks the proof of work */
            h2 = b.header;
            h2.nonce++;
            blvm_header_hash(&h2, hash);
            assert_false(blvm_pow_check(hash, h2.bits, p));
        }
        blvm_block_clear(&b);
    }
    blvm_u256 work;
    blvm_pow_block_proof(&work, 0x1c3fffc0);
    char hex[65];
    blvm_u256_to_hex(&work, hex);
    /* GetBlockProof's ~t / (t + 1) + 1 equals 2^256 / (t + 1) */
    blvm_u256 t, one, num, q;
    blvm_u256_set_compact(&t, 0x1c3fffc0, NULL, NULL);
    blvm_u256_set_u64(&one, 1);
    blvm_u256_add(&t, &t, &one);
    blvm_u256_not(&num, &t);
    blvm_u256_add(&num, &num, &one); /* 2^256 - (t + 1) */
    assert_true(blvm_u256_div(&q, &num, &t));
    blvm_u256_add(&q, &q, &one); /* (2^256 - (t+1)) / (t+1) + 1 = 2^256 / (t+1) */
    assert_int_equal(blvm_u256_cmp(&q, &work), 0);
    print_message("mainnet_alt: 2016 blocks rebuilt, tip work %s\n", hex);

    free(json);
    free(times);
    free(nonces);
    free(e);
}

/* ---- testnet minimum-difficulty rule and BIP94 ------------------------- */

static void test_min_difficulty_walk_back(void **state) {
    (void)state;
    const blvm_params *p = blvm_params_get(BLVM_NET_TESTNET3);
    enum { N = 2016 + 10 };
    uint32_t times[N], bits[N];
    /* Period 0 at the limit, 1 block a minute: block 2016 retargets 4x. */
    for (int i = 0; i < N; i++) {
        times[i] = 1400000000u + (uint32_t)i * 60;
        bits[i] = 0x1d00ffff;
    }
    blvm_chain_entry e[N];
    build_chain(e, 2016, NULL, times, bits);
    uint32_t hard = blvm_pow_next_work_required(&e[2015], times[2015] + 60, p);
    assert_int_equal(hard, 0x1c3fffc0);
    /* 2016 at the new difficulty, 2017..2019 min-difficulty blocks (each
     * more than 20 minutes after its parent), then 2020 on time. */
    times[2016] = times[2015] + 60;
    bits[2016] = hard;
    build_chain(&e[2016], 1, &e[2015], &times[2016], &bits[2016]);
    for (int i = 2017; i < 2020; i++) {
        times[i] = times[i - 1] + 20 * 60 + 1;
        assert_int_equal(blvm_pow_next_work_required(&e[i - 1], times[i], p), 0x1d00ffff);
        bits[i] = 0x1d00ffff;
        build_chain(&e[i], 1, &e[i - 1], &times[i], &bits[i]);
    }
    /* Exactly 20 minutes is not enough for the exception. */
    assert_int_equal(blvm_pow_next_work_required(&e[2019], times[2019] + 20 * 60, p), hard);
    /* On time: walk back past the min-difficulty blocks to 2016's bits. */
    assert_int_equal(blvm_pow_next_work_required(&e[2019], times[2019] + 60, p), hard);
    /* The walk stops at a period boundary: in period 0 every block is at the
     * limit, so the answer is the limit. */
    assert_int_equal(blvm_pow_next_work_required(&e[100], times[100] + 60, p), 0x1d00ffff);
    /* The same chain on mainnet rules keeps the parent's bits. */
    assert_int_equal(
        blvm_pow_next_work_required(&e[2019], times[2019] + 60, blvm_params_get(BLVM_NET_MAIN)),
        0x1d00ffff);
    /* Contextual check: min-difficulty bits on time are "bad-diffbits". */
    blvm_block_header h;
    memset(&h, 0, sizeof h);
    h.version = 4;
    h.time = times[2019] + 60;
    h.bits = 0x1d00ffff;
    blvm_validation_state st;
    blvm_state_init(&st);
    assert_false(blvm_contextual_check_block_header(&h, &e[2019], p, h.time, &st));
    assert_string_equal(st.reject_reason, "bad-diffbits");
    h.bits = hard;
    blvm_state_init(&st);
    assert_true(blvm_contextual_check_block_header(&h, &e[2019], p, h.time, &st));
}

static void test_bip94_testnet4(void **state) {
    (void)state;
    const blvm_params *t4 = blvm_params_get(BLVM_NET_TESTNET4);
    const blvm_params *t3 = blvm_params_get(BLVM_NET_TESTNET3);
    enum { N = 4033 };
    uint32_t *times = malloc(N * sizeof *times), *bits = malloc(N * sizeof *bits);
    blvm_chain_entry *e = calloc(N, sizeof *e);
    assert_true(times && bits && e);
    /* Period 1 (2016..4031) starts at 0x1c3fffc0; its last block is a
     * min-difficulty block. Blocks take exactly 10 minutes. */
    for (int i = 0; i < N; i++) {
        times[i] = 1714777860u + (uint32_t)i * 600;
        bits[i] = i < 2016 ? 0x1d00ffff : 0x1c3fffc0;
    }
    bits[4031] = 0x1d00ffff;
    build_chain(e, 4032, NULL, times, bits);
    /* BIP94: retarget from the first block's bits; testnet3 starts from the
     * last block's, here a min-difficulty block, and lands near the limit. */
    uint32_t next4 = blvm_pow_next_work_required(&e[4031], times[4031] + 600, t4);
    uint32_t next3 = blvm_pow_next_work_required(&e[4031], times[4031] + 600, t3);
    blvm_u256 expect;
    blvm_u256_set_compact(&expect, 0x1c3fffc0, NULL, NULL);
    blvm_u256_mul_u32(&expect, &expect, (uint32_t)(2015 * 600));
    assert_true(blvm_u256_div_u64(&expect, &expect, 14 * 24 * 3600));
    assert_int_equal(next4, blvm_u256_get_compact(&expect, false));
    blvm_u256_set_compact(&expect, 0x1d00ffff, NULL, NULL);
    blvm_u256_mul_u32(&expect, &expect, (uint32_t)(2015 * 600));
    assert_true(blvm_u256_div_u64(&expect, &expect, 14 * 24 * 3600));
    assert_int_equal(next3, blvm_u256_get_compact(&expect, false));
    assert_int_not_equal(next3, next4);

    /* Timewarp: the first block of a period may be at most 600 s before its
     * parent's time. */
    blvm_block_header h;
    memset(&h, 0, sizeof h);
    h.version = 0x20000000;
    h.bits = next4;
    h.time = e[4031].time - 600;
    blvm_validation_state st;
    blvm_state_init(&st);
    assert_true(blvm_contextual_check_block_header(&h, &e[4031], t4, h.time, &st));
    h.time = e[4031].time - 601;
    assert_false(blvm_contextual_check_block_header(&h, &e[4031], t4, h.time, &st));
    assert_string_equal(st.reject_reason, "time-timewarp-attack");
    assert_int_equal(st.result, BLVM_BLOCK_INVALID_HEADER);
    /* Not a rule on testnet3, and not in the middle of a period. */
    h.bits = next3;
    blvm_state_init(&st);
    assert_true(blvm_contextual_check_block_header(&h, &e[4031], t3, h.time, &st));
    blvm_block_header mid;
    memset(&mid, 0, sizeof mid);
    mid.version = 0x20000000;
    mid.bits = 0x1c3fffc0;
    mid.time = e[3000].time - 601;
    blvm_state_init(&st);
    assert_true(blvm_contextual_check_block_header(&mid, &e[3000], t4, mid.time, &st));
    free(times);
    free(bits);
    free(e);
}

/* Core's blockchain_tests: GetDifficulty of several nBits. */
static void test_difficulty(void **state) {
    (void)state;
    static const struct {
        uint32_t bits;
        double expect;
    } cases[] = {
        {0x1f111111, 0.000001},
        {0x1ef88f6f, 0.000016},
        {0x1df88f6f, 0.004023},
        {0x1cf88f6f, 1.029916},
        {0x12345678, 5913134931067755359633408.0},
        {0x1d00ffff, 1.0},
        {0x1c3fffc0, 4.0},
    };
    for (size_t i = 0; i < BLVM_ARRAY_LEN(cases); i++) {
        double d = blvm_pow_difficulty(cases[i].bits);
        /* Core's DoubleEquals with epsilon 0.00001 */
        double diff = d - cases[i].expect;
        assert_true(diff < 0.00001 && diff > -0.00001);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_compact),
        cmocka_unit_test(test_compact_round_trip),
        cmocka_unit_test(test_arith_basics),
        cmocka_unit_test(test_arith_random_vs_int128),
        cmocka_unit_test(test_arith_random_full_width),
        cmocka_unit_test(test_check_proof_of_work),
        cmocka_unit_test(test_block_proof),
        cmocka_unit_test(test_retarget_core_cases),
        cmocka_unit_test(test_proof_equivalent_time),
        cmocka_unit_test(test_testnet3_headers),
        cmocka_unit_test(test_mainnet_alt_chain),
        cmocka_unit_test(test_min_difficulty_walk_back),
        cmocka_unit_test(test_bip94_testnet4),
        cmocka_unit_test(test_difficulty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
