/* Unit tests for src/crypto: known answers (NIST, RFC, reference vectors,
 * Bitcoin Core's expectations) and cross-checks on seeded random inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "crypto/hash.h"
#include "crypto/hmac_sha256.h"
#include "crypto/ripemd160.h"
#include "crypto/sha256.h"
#include "crypto/sha256_impl.h"
#include "crypto/siphash.h"
#include "testutil.h"
#include "util/hex.h"

/* ---- helpers ------------------------------------------------------------ */

static void assert_hex(const uint8_t *got, size_t len, const char *want) {
    char buf[2 * 64 + 1];
    assert_true(len <= 64);
    blvm_hex_encode(buf, got, len);
    assert_string_equal(buf, want);
}

static uint8_t *million_a(void) {
    uint8_t *m = malloc(1000000);
    assert_non_null(m);
    memset(m, 'a', 1000000);
    return m;
}

/* ---- SHA-256 ------------------------------------------------------------ */

static const struct {
    const char *msg;
    const char *digest;
} sha256_kat[] = {
    /* FIPS 180-4 examples and the NIST short/long message set. */
    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnop"
     "qrsmnopqrstnopqrstu",
     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
    /* Bitcoin Core's crypto_tests extras around the padding boundaries. */
    {"message digest", "f7846f55cf23e14eebeab5b4e1550cad5b509e3348fbc4efa3a1413d393cb650"},
    {"secure hash algorithm", "f30ceb2bb2829e79e4ca9753d35a8ecc00262d164cc077080295381cbd643f0d"},
    {"SHA256 is considered to be safe",
     "6819d915c73f4d1e77e4e1b52d1fa0f9cf9beaead3939f15874bd988e2a23630"},
};

static void check_sha256_kat(void) {
    for (size_t i = 0; i < BLVM_ARRAY_LEN(sha256_kat); i++) {
        uint8_t out[32];
        const uint8_t *m = (const uint8_t *)sha256_kat[i].msg;
        size_t n = strlen(sha256_kat[i].msg);
        blvm_sha256(out, m, n);
        assert_hex(out, 32, sha256_kat[i].digest);
        /* Byte-at-a-time through the streaming interface gives the same. */
        blvm_sha256_ctx ctx;
        blvm_sha256_init(&ctx);
        for (size_t j = 0; j < n; j++) blvm_sha256_write(&ctx, m + j, 1);
        blvm_sha256_finalize(&ctx, out);
        assert_hex(out, 32, sha256_kat[i].digest);
    }
    uint8_t *m = million_a();
    uint8_t out[32];
    blvm_sha256(out, m, 1000000);
    assert_hex(out, 32, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(m);
}

static void test_sha256_known_answers(void **state) {
    (void)state;
    check_sha256_kat();
    /* A wrong answer must not match: one flipped bit changes the digest. */
    uint8_t out[32];
    blvm_sha256(out, (const uint8_t *)"abd", 3);
    char hex[65];
    blvm_hex_encode(hex, out, 32);
    assert_string_not_equal(hex, sha256_kat[1].digest);
}

static void test_sha256d(void **state) {
    (void)state;
    uint8_t out[32];
    /* hash256("") as Core shows it in crypto_tests. */
    blvm_sha256d(out, NULL, 0);
    assert_hex(out, 32, "5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456");
    blvm_hash256(out, (const uint8_t *)"abc", 3);
    uint8_t once[32], twice[32];
    blvm_sha256(once, (const uint8_t *)"abc", 3);
    blvm_sha256(twice, once, 32);
    assert_memory_equal(out, twice, 32);
}

/* Streaming in random pieces equals one-shot; sha256d64 equals sha256d. */
static void test_sha256_streaming_random(void **state) {
    (void)state;
    static uint8_t buf[4096];
    for (int iter = 0; iter < 300; iter++) {
        size_t len = (size_t)(blvm_test_rand64() % sizeof buf);
        blvm_test_rand_bytes(buf, len);
        uint8_t a[32], b[32];
        blvm_sha256(a, buf, len);
        blvm_sha256_ctx ctx;
        blvm_sha256_init(&ctx);
        size_t pos = 0;
        while (pos < len) {
            size_t step = (size_t)(blvm_test_rand64() % 150);
            if (step > len - pos) step = len - pos;
            blvm_sha256_write(&ctx, buf + pos, step);
            pos += step;
        }
        blvm_sha256_finalize(&ctx, b);
        assert_memory_equal(a, b, 32);
    }
    for (size_t blocks = 0; blocks <= 33; blocks++) {
        uint8_t in[64 * 33], out[32 * 33];
        blvm_test_rand_bytes(in, sizeof in);
        blvm_sha256d64(out, in, blocks);
        for (size_t i = 0; i < blocks; i++) {
            uint8_t want[32];
            blvm_sha256d(want, in + 64 * i, 64);
            assert_memory_equal(out + 32 * i, want, 32);
        }
    }
}

/* Every compression path this CPU can run gives the generic path's bytes:
 * the known answers, random messages of many lengths (all the padding
 * cases around block boundaries), and sha256d64 over 0..40 inputs so that
 * the 8-, 4-, 2- and 1-way loops and their leftovers all run. */
static void test_sha256_paths_agree(void **state) {
    (void)state;
    enum { NMSG = 200, MAXLEN = 1100, NBLK = 40 };
    static uint8_t msgs[NMSG][MAXLEN];
    static size_t lens[NMSG];
    static uint8_t want[NMSG][32];
    static uint8_t d64_in[64 * NBLK], d64_want[32 * NBLK];
    assert_true(blvm_sha256_use("generic"));
    assert_string_equal(blvm_sha256_current(), "generic");
    for (size_t i = 0; i < NMSG; i++) {
        /* Every length 0..130 once, then random ones up to MAXLEN. */
        lens[i] = i <= 130 ? i : (size_t)(blvm_test_rand64() % MAXLEN);
        blvm_test_rand_bytes(msgs[i], lens[i]);
        blvm_sha256(want[i], msgs[i], lens[i]);
    }
    blvm_test_rand_bytes(d64_in, sizeof d64_in);
    for (size_t i = 0; i < NBLK; i++) blvm_sha256d(d64_want + 32 * i, d64_in + 64 * i, 64);

    int tested = 0;
    for (size_t p = 0; blvm_sha256_impl_names[p]; p++) {
        const char *name = blvm_sha256_impl_names[p];
        if (!blvm_sha256_impl_available(name)) {
            assert_false(blvm_sha256_use(name));
            printf("test_crypto: sha256 path %s not available on this CPU\n", name);
            continue;
        }
        assert_true(blvm_sha256_use(name));
        printf("test_crypto: sha256 path %s -> %s\n", name, blvm_sha256_current());
        tested++;
        check_sha256_kat();
        for (size_t i = 0; i < NMSG; i++) {
            uint8_t got[32];
            blvm_sha256(got, msgs[i], lens[i]);
            assert_memory_equal(got, want[i], 32);
            /* Streaming across odd split points takes the buffered route. */
            blvm_sha256_ctx ctx;
            blvm_sha256_init(&ctx);
            size_t cut = lens[i] ? (size_t)(blvm_test_rand64() % lens[i]) : 0;
            blvm_sha256_write(&ctx, msgs[i], cut);
            blvm_sha256_write(&ctx, msgs[i] + cut, lens[i] - cut);
            blvm_sha256_finalize(&ctx, got);
            assert_memory_equal(got, want[i], 32);
        }
        for (size_t n = 0; n <= NBLK; n++) {
            uint8_t out[32 * NBLK + 32];
            memset(out, 0xAA, sizeof out);
            blvm_sha256d64(out, d64_in, n);
            assert_memory_equal(out, d64_want, 32 * n);
            /* Nothing written past the last output. */
            assert_int_equal(out[32 * n], 0xAA);
        }
        /* A changed input byte changes exactly that output. */
        uint8_t out[32 * 9];
        d64_in[64 * 5 + 17] ^= 1;
        blvm_sha256d64(out, d64_in, 9);
        for (size_t i = 0; i < 9; i++) {
            if (i == 5)
                assert_memory_not_equal(out + 32 * i, d64_want + 32 * i, 32);
            else
                assert_memory_equal(out + 32 * i, d64_want + 32 * i, 32);
        }
        d64_in[64 * 5 + 17] ^= 1;
    }
    assert_true(tested >= 1);
    assert_false(blvm_sha256_use("no-such-path"));
    assert_false(blvm_sha256_use(NULL));
    assert_true(blvm_sha256_use("auto"));
    assert_string_equal(blvm_sha256_current(), blvm_sha256_autodetect());
}

/* ---- RIPEMD-160, HASH160 ------------------------------------------------ */

static void test_ripemd160_known_answers(void **state) {
    (void)state;
    /* The reference vectors of the RIPEMD-160 authors. */
    static const struct {
        const char *msg;
        const char *digest;
    } kat[] = {
        {"", "9c1185a5c5e9fc54612808977ee8f548b2258d31"},
        {"a", "0bdc9d2d256b3ee9daae347be6f4dc835a467ffe"},
        {"abc", "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"},
        {"message digest", "5d0689ef49d2fae572b881b123a85ffa21595f36"},
        {"abcdefghijklmnopqrstuvwxyz", "f71c27109c692c1b56bbdceb5b9d2865b3708dbc"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "12a053384a9c0c88e405a06c27dcf49ada62eb2b"},
        {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
         "b0e20b6e3116640286ed3a87a5713079b21f5189"},
        {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
         "9b752e45573d4b39f4dbd3323cab82bf63326bfb"},
    };
    for (size_t i = 0; i < BLVM_ARRAY_LEN(kat); i++) {
        uint8_t out[20];
        const uint8_t *m = (const uint8_t *)kat[i].msg;
        size_t n = strlen(kat[i].msg);
        blvm_ripemd160(out, m, n);
        assert_hex(out, 20, kat[i].digest);
        blvm_ripemd160_ctx ctx;
        blvm_ripemd160_init(&ctx);
        for (size_t j = 0; j < n; j++) blvm_ripemd160_write(&ctx, m + j, 1);
        blvm_ripemd160_finalize(&ctx, out);
        assert_hex(out, 20, kat[i].digest);
    }
    uint8_t *m = million_a();
    uint8_t out[20];
    blvm_ripemd160(out, m, 1000000);
    assert_hex(out, 20, "52783243c1697bdbe16d37f97f68f08325dc1528");
    free(m);
}

static void test_hash160(void **state) {
    (void)state;
    /* Empty inputs may come with a NULL pointer (checked under UBSan). */
    uint8_t e1[20], e2[20];
    blvm_ripemd160(e1, NULL, 0);
    blvm_ripemd160_ctx rc;
    blvm_ripemd160_init(&rc);
    blvm_ripemd160_write(&rc, (const uint8_t *)"x", 1);
    blvm_ripemd160_write(&rc, NULL, 0);
    blvm_ripemd160_finalize(&rc, e2);
    assert_hex(e1, 20, "9c1185a5c5e9fc54612808977ee8f548b2258d31");
    blvm_ripemd160(e1, (const uint8_t *)"x", 1);
    assert_memory_equal(e1, e2, 20);
    blvm_hash160(e1, NULL, 0);
    uint8_t mac[32];
    blvm_hmac_sha256(mac, NULL, 0, NULL, 0);
    /* HMAC-SHA256 with empty key and message (independent: Python's hmac). */
    assert_hex(mac, 32, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
    /* The compressed public key of private key 1 and its well-known
     * HASH160 (address 1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH). */
    uint8_t pub[33], out[20];
    size_t n;
    assert_true(blvm_hex_decode(pub, sizeof pub, &n,
                                "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"));
    blvm_hash160(out, pub, n);
    assert_hex(out, 20, "751e76e8199196d454941c45d1b3a323f1433bd6");
}

/* ---- tagged hashes ------------------------------------------------------ */

static void test_tagged_hash(void **state) {
    (void)state;
    uint8_t out[32], t[32], want[32];
    blvm_tagged_hash(out, "TapLeaf", (const uint8_t *)"abc", 3);
    /* Value from an independent SHA-256 (Python's hashlib). */
    assert_hex(out, 32, "83a56308a9c56f467e8df293da5ae5fdbc85b871952a83c4bf0575ee948ec230");
    /* Same as the BIP340 definition written out by hand. */
    blvm_sha256(t, (const uint8_t *)"TapLeaf", 7);
    blvm_sha256_ctx ctx;
    blvm_sha256_init(&ctx);
    blvm_sha256_write(&ctx, t, 32);
    blvm_sha256_write(&ctx, t, 32);
    blvm_sha256_write(&ctx, (const uint8_t *)"abc", 3);
    blvm_sha256_finalize(&ctx, want);
    assert_memory_equal(out, want, 32);
    /* The midstate after the 64-byte prefix is a whole block. */
    blvm_sha256_init_tagged(&ctx, "BIP0340/challenge");
    assert_int_equal(ctx.bytes, 64);
    blvm_sha256_finalize(&ctx, out);
    assert_hex(out, 32, "c216d352f5818b7b4beacd4ae0a26fe888080823d2a598856661bcd54f1b3713");
    /* A different tag gives a different hash. */
    blvm_tagged_hash(want, "TapBranch", (const uint8_t *)"abc", 3);
    blvm_tagged_hash(out, "TapLeaf", (const uint8_t *)"abc", 3);
    assert_memory_not_equal(out, want, 32);
}

/* ---- HMAC-SHA256 (RFC 4231) --------------------------------------------- */

static void test_hmac_sha256_rfc4231(void **state) {
    (void)state;
    static const struct {
        const char *key_hex;
        const char *msg_hex;
        const char *mac;
    } kat[] = {
        {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
        {"4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
        {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
         "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
         "dddddddddddddddddddd",
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
        {"0102030405060708090a0b0c0d0e0f10111213141516171819",
         "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
         "cdcdcdcdcdcdcdcdcdcd",
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
        /* Test case 5 truncates to 128 bits: checked below on the prefix. */
        {"0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c", "546573742057697468205472756e636174696f6e",
         "a3b6167473100ee06e0c796c2955552b"},
        {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaa", /* 131 bytes */
         "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048"
         "617368204b6579204669727374",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
        {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaa", /* 131 bytes */
         "5468697320697320612074657374207573696e672061206c6172676572207468616e20626c6f636b"
         "2d73697a65206b657920616e642061206c6172676572207468616e20626c6f636b2d73697a652064"
         "6174612e20546865206b6579206e6565647320746f20626520686173686564206265666f72652062"
         "65696e6720757365642062792074686520484d414320616c676f726974686d2e",
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
    };
    for (size_t i = 0; i < BLVM_ARRAY_LEN(kat); i++) {
        size_t klen, mlen;
        uint8_t *key = blvm_hex_decode_alloc(kat[i].key_hex, &klen);
        uint8_t *msg = blvm_hex_decode_alloc(kat[i].msg_hex, &mlen);
        assert_non_null(key);
        assert_non_null(msg);
        uint8_t out[32];
        blvm_hmac_sha256(out, key, klen, msg, mlen);
        size_t want_len = strlen(kat[i].mac) / 2;
        assert_hex(out, want_len, kat[i].mac);
        /* The streaming interface, message split in two. */
        blvm_hmac_sha256_ctx ctx;
        blvm_hmac_sha256_init(&ctx, key, klen);
        blvm_hmac_sha256_write(&ctx, msg, mlen / 2);
        blvm_hmac_sha256_write(&ctx, msg + mlen / 2, mlen - mlen / 2);
        uint8_t out2[32];
        blvm_hmac_sha256_finalize(&ctx, out2);
        assert_memory_equal(out, out2, 32);
        /* Changing the key changes the MAC. */
        key[0] ^= 1;
        blvm_hmac_sha256(out2, key, klen, msg, mlen);
        assert_memory_not_equal(out, out2, 32);
        free(key);
        free(msg);
    }
}

/* ---- SipHash ------------------------------------------------------------ */

/* SipHash-2-4 with k = 00 01 .. 0f of the messages 00, 00 01, ..., from the
 * reference implementation (as in Core's hash_tests). */
static const uint64_t siphash_testvec[64] = {
    0x726fdb47dd0e0e31, 0x74f839c593dc67fd, 0x0d6c8009d9a94f5a, 0x85676696d7fb7e2d,
    0xcf2794e0277187b7, 0x18765564cd99a68d, 0xcbc9466e58fee3ce, 0xab0200f58b01d137,
    0x93f5f5799a932462, 0x9e0082df0ba9e4b0, 0x7a5dbbc594ddb9f3, 0xf4b32f46226bada7,
    0x751e8fbc860ee5fb, 0x14ea5627c0843d90, 0xf723ca908e7af2ee, 0xa129ca6149be45e5,
    0x3f2acc7f57c29bdb, 0x699ae9f52cbe4794, 0x4bc1b3f0968dd39c, 0xbb6dc91da77961bd,
    0xbed65cf21aa2ee98, 0xd0f2cbb02e3b67c7, 0x93536795e3a33e88, 0xa80c038ccd5ccec8,
    0xb8ad50c6f649af94, 0xbce192de8a85b8ea, 0x17d835b85bbb15f3, 0x2f2e6163076bcfad,
    0xde4daaaca71dc9a5, 0xa6a2506687956571, 0xad87a3535c49ef28, 0x32d892fad841c342,
    0x7127512f72f27cce, 0xa7f32346f95978e3, 0x12e0b01abb051238, 0x15e034d40fa197ae,
    0x314dffbe0815a3b4, 0x027990f029623981, 0xcadcd4e59ef40c4d, 0x9abfd8766a33735c,
    0x0e3ea96b5304a7d0, 0xad0c42d6fc585992, 0x187306c89bc215a9, 0xd4a60abcf3792b95,
    0xf935451de4f21df2, 0xa9538f0419755787, 0xdb9acddff56ca510, 0xd06c98cd5c0975eb,
    0xe612a3cb9ecba951, 0xc766e62cfcadaf96, 0xee64435a9752fe72, 0xa192d576b245165a,
    0x0a8787bf8ecb74b2, 0x81b3e73d20b49b6f, 0x7fa8220ba3b2ecea, 0x245731c13ca42499,
    0xb78dbfaf3a8d83bd, 0xea1ad565322a1a0b, 0x60e61c23a3795013, 0x6606d7e446282b93,
    0x6ca4ecb15c5f91e1, 0x9f626da15c9625f3, 0xe51b38608ef25f57, 0x958a324ceb064572,
};

#define K0 0x0706050403020100ULL
#define K1 0x0F0E0D0C0B0A0908ULL

static void test_siphash_reference(void **state) {
    (void)state;
    /* Core's mixed-size write sequence. */
    blvm_siphash_ctx h;
    blvm_siphash_init(&h, K0, K1);
    assert_true(blvm_siphash_finalize(&h) == 0x726fdb47dd0e0e31ULL);
    static const uint8_t t0[1] = {0};
    blvm_siphash_write(&h, t0, 1);
    assert_true(blvm_siphash_finalize(&h) == 0x74f839c593dc67fdULL);
    static const uint8_t t1[7] = {1, 2, 3, 4, 5, 6, 7};
    blvm_siphash_write(&h, t1, 7);
    assert_true(blvm_siphash_finalize(&h) == 0x93f5f5799a932462ULL);
    blvm_siphash_write_u64(&h, 0x0F0E0D0C0B0A0908ULL);
    assert_true(blvm_siphash_finalize(&h) == 0x3f2acc7f57c29bdbULL);
    static const uint8_t t2[2] = {16, 17};
    blvm_siphash_write(&h, t2, 2);
    assert_true(blvm_siphash_finalize(&h) == 0x4bc1b3f0968dd39cULL);
    static const uint8_t t3[9] = {18, 19, 20, 21, 22, 23, 24, 25, 26};
    blvm_siphash_write(&h, t3, 9);
    assert_true(blvm_siphash_finalize(&h) == 0x2f2e6163076bcfadULL);
    static const uint8_t t4[5] = {27, 28, 29, 30, 31};
    blvm_siphash_write(&h, t4, 5);
    assert_true(blvm_siphash_finalize(&h) == 0x7127512f72f27cceULL);
    blvm_siphash_write_u64(&h, 0x2726252423222120ULL);
    assert_true(blvm_siphash_finalize(&h) == 0x0e3ea96b5304a7d0ULL);
    blvm_siphash_write_u64(&h, 0x2F2E2D2C2B2A2928ULL);
    assert_true(blvm_siphash_finalize(&h) == 0xe612a3cb9ecba951ULL);

    /* All 64 reference vectors, one byte at a time and as one write. */
    blvm_siphash_ctx h2;
    blvm_siphash_init(&h2, K0, K1);
    uint8_t msg[64];
    for (int x = 0; x < 64; x++) {
        assert_true(blvm_siphash_finalize(&h2) == siphash_testvec[x]);
        msg[x] = (uint8_t)x;
        blvm_siphash_write(&h2, msg + x, 1);
        blvm_siphash_ctx h3;
        blvm_siphash_init(&h3, K0, K1);
        blvm_siphash_write(&h3, msg, (size_t)x);
        assert_true(blvm_siphash_finalize(&h3) == siphash_testvec[x]);
    }
    /* Eight bytes at a time through the word interface. */
    blvm_siphash_ctx h4;
    blvm_siphash_init(&h4, K0, K1);
    for (int x = 0; x < 64; x += 8) {
        assert_true(blvm_siphash_finalize(&h4) == siphash_testvec[x]);
        blvm_siphash_write_u64(&h4, blvm_read_le64(msg + x));
    }
    /* A different key gives a different hash. */
    blvm_siphash_init(&h4, K0 ^ 1, K1);
    assert_true(blvm_siphash_finalize(&h4) != siphash_testvec[0]);
}

static void test_siphash_uint256(void **state) {
    (void)state;
    uint8_t hash[32];
    for (int i = 0; i < 32; i++) hash[i] = (uint8_t)i;
    assert_true(blvm_siphash_uint256(K0, K1, hash) == 0x7127512f72f27cceULL);

    /* Core: SipHashUint256(1, 2, hash of an empty version-1 transaction). */
    static const uint8_t empty_tx[10] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    blvm_sha256d(hash, empty_tx, sizeof empty_tx);
    assert_true(blvm_siphash_uint256(1, 2, hash) == 0x79751e980c2a0a35ULL);

    /* The unrolled forms agree with the generic hasher on random input. */
    for (int i = 0; i < 64; i++) {
        uint64_t k0 = blvm_test_rand64(), k1 = blvm_test_rand64();
        uint32_t n = (uint32_t)blvm_test_rand64();
        blvm_test_rand_bytes(hash, 32);
        uint8_t nb[4];
        blvm_write_le32(nb, n);
        blvm_siphash_ctx h;
        blvm_siphash_init(&h, k0, k1);
        blvm_siphash_write(&h, hash, 32);
        assert_true(blvm_siphash_uint256(k0, k1, hash) == blvm_siphash_finalize(&h));
        blvm_siphash_write(&h, nb, 4);
        assert_true(blvm_siphash_uint256_extra(k0, k1, hash, n) == blvm_siphash_finalize(&h));
        assert_true(blvm_siphash_uint256_extra(k0, k1, hash, n) !=
                    blvm_siphash_uint256_extra(k0, k1, hash, n ^ 1));
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_known_answers),
        cmocka_unit_test(test_sha256d),
        cmocka_unit_test(test_sha256_streaming_random),
        cmocka_unit_test(test_sha256_paths_agree),
        cmocka_unit_test(test_ripemd160_known_answers),
        cmocka_unit_test(test_hash160),
        cmocka_unit_test(test_tagged_hash),
        cmocka_unit_test(test_hmac_sha256_rfc4231),
        cmocka_unit_test(test_siphash_reference),
        cmocka_unit_test(test_siphash_uint256),
    };
    return cmocka_run_group_tests_name("crypto", tests, blvm_test_seed_setup, NULL);
}
