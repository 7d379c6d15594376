/* Unit tests for ChaCha20 (RFC 8439 vectors) and MuHash3072 (Bitcoin Core's
 * crypto_tests vectors), plus algebraic checks on seeded random inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "crypto/chacha20.h"
#include "crypto/muhash.h"
#include "testutil.h"
#include "util/hex.h"

static void assert_hex(const uint8_t *got, size_t len, const char *want) {
    char *h = blvm_hex_alloc(got, len);
    assert_non_null(h);
    assert_string_equal(h, want);
    free(h);
}

static void hex_or_die(uint8_t *out, size_t cap, const char *hex) {
    size_t n;
    assert_true(blvm_hex_decode(out, cap, &n, hex));
    assert_int_equal(n, cap);
}

/* ---- ChaCha20 ----------------------------------------------------------- */

static void test_chacha20_rfc8439(void **state) {
    (void)state;
    /* Keystream blocks: RFC 8439 2.3.2 and Appendix A.1 test vectors 1-5. */
    static const struct {
        const char *key, *nonce;
        uint32_t counter;
        const char *block;
    } ks[] = {
        {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
         "000000090000004a00000000", 1,
         "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
         "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e"},
        {"0000000000000000000000000000000000000000000000000000000000000000",
         "000000000000000000000000", 0,
         "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
         "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586"},
        {"0000000000000000000000000000000000000000000000000000000000000000",
         "000000000000000000000000", 1,
         "9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed"
         "29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f"},
        {"0000000000000000000000000000000000000000000000000000000000000001",
         "000000000000000000000000", 1,
         "3aeb5224ecf849929b9d828db1ced4dd832025e8018b8160b82284f3c949aa5a"
         "8eca00bbb4a73bdad192b5c42f73f2fd4e273644c8b36125a64addeb006c13a0"},
        {"00ff000000000000000000000000000000000000000000000000000000000000",
         "000000000000000000000000", 2,
         "72d54dfbf12ec44b362692df94137f328fea8da73990265ec1bbbea1ae9af0ca"
         "13b25aa26cb4a648cb9b9d1be65b2c0924a66c54d545ec1b7374f4872e99f096"},
        {"0000000000000000000000000000000000000000000000000000000000000000",
         "000000000000000000000002", 0,
         "c2c64d378cd536374ae204b9ef933fcd1a8b2288b3dfa49672ab765b54ee27c7"
         "8a970e0e955c14f3a88e741b97c286f75f8fc299e8148362fa198a39531bed6d"},
    };
    for (size_t i = 0; i < BLVM_ARRAY_LEN(ks); i++) {
        uint8_t key[32], nonce[12], out[64];
        hex_or_die(key, 32, ks[i].key);
        hex_or_die(nonce, 12, ks[i].nonce);
        blvm_chacha20_ctx c;
        blvm_chacha20_init(&c, key);
        blvm_chacha20_seek(&c, nonce, ks[i].counter);
        blvm_chacha20_keystream(&c, out, 64);
        assert_hex(out, 64, ks[i].block);
    }

    /* RFC 8439 2.4.2: encryption of the "sunscreen" text from counter 1. */
    static const char pt[] = "Ladies and Gentlemen of the class of '99: If I could offer you only "
                             "one tip for the future, sunscreen would be it.";
    static const char ct_hex[] =
        "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0bf91b65c5524733ab8f593dab"
        "cd62b3571639d624e65152ab8f530c359f0861d807ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806"
        "818ce91ab77937365af90bbf74a35be6b40b8eedf2785e42874d";
    uint8_t key[32], nonce[12], ct[sizeof pt - 1], back[sizeof pt - 1];
    hex_or_die(key, 32, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    hex_or_die(nonce, 12, "000000000000004a00000000");
    blvm_chacha20_ctx c;
    blvm_chacha20_init(&c, key);
    blvm_chacha20_seek(&c, nonce, 1);
    blvm_chacha20_crypt(&c, (const uint8_t *)pt, ct, sizeof ct);
    assert_hex(ct, sizeof ct, ct_hex);
    /* Decrypting in uneven pieces gives the text back. */
    blvm_chacha20_seek(&c, nonce, 1);
    blvm_chacha20_crypt(&c, ct, back, 7);
    blvm_chacha20_crypt(&c, ct + 7, back + 7, 60);
    blvm_chacha20_crypt(&c, ct + 67, back + 67, sizeof ct - 67);
    assert_memory_equal(back, pt, sizeof back);
    /* A wrong nonce does not decrypt. */
    nonce[0] ^= 1;
    blvm_chacha20_seek(&c, nonce, 1);
    blvm_chacha20_crypt(&c, ct, back, sizeof ct);
    assert_memory_not_equal(back, pt, sizeof back);
    blvm_chacha20_clear(&c);
}

/* Keystream read in random pieces equals one read; seeking to block k
 * equals skipping 64*k bytes. */
static void test_chacha20_pieces(void **state) {
    (void)state;
    static uint8_t whole[64 * 20], parts[64 * 20];
    for (int iter = 0; iter < 50; iter++) {
        uint8_t key[32], nonce[12];
        blvm_test_rand_bytes(key, 32);
        blvm_test_rand_bytes(nonce, 12);
        uint32_t start = (uint32_t)(blvm_test_rand64() % 1000);
        blvm_chacha20_ctx c;
        blvm_chacha20_init(&c, key);
        blvm_chacha20_seek(&c, nonce, start);
        blvm_chacha20_keystream(&c, whole, sizeof whole);
        blvm_chacha20_seek(&c, nonce, start);
        size_t pos = 0;
        while (pos < sizeof parts) {
            size_t n = (size_t)(blvm_test_rand64() % 150);
            if (n > sizeof parts - pos) n = sizeof parts - pos;
            blvm_chacha20_keystream(&c, parts + pos, n);
            pos += n;
        }
        assert_memory_equal(whole, parts, sizeof whole);
        uint32_t k = (uint32_t)(blvm_test_rand64() % 19);
        uint8_t blk[64];
        blvm_chacha20_seek(&c, nonce, start + k);
        blvm_chacha20_keystream(&c, blk, 64);
        assert_memory_equal(blk, whole + 64 * k, 64);
    }
}

/* ---- MuHash3072 --------------------------------------------------------- */

/* Core's FromInt(i): the one-element set of the 32 bytes {i, 0, ...}. */
static void from_int(blvm_muhash *m, uint8_t i) {
    uint8_t tmp[32] = {i};
    blvm_muhash_init_element(m, tmp, sizeof tmp);
}

/* Core shows this uint256 reversed: 10d312b1...607d5863. */
static const char fromint_012_hash[] =
    "63587d602a00105f62d2683610fffc82340de446664a02da2ad3cb00b112d310";

static void test_muhash_core_vectors(void **state) {
    (void)state;
    uint8_t out[32];
    blvm_muhash acc, t;
    /* {0} * {1} / {2}. */
    from_int(&acc, 0);
    from_int(&t, 1);
    blvm_muhash_combine(&acc, &t);
    from_int(&t, 2);
    blvm_muhash_divide(&acc, &t);
    blvm_muhash_finalize(&acc, out);
    assert_hex(out, 32, fromint_012_hash);

    /* The same through Insert/Remove. */
    uint8_t one[32] = {1}, two[32] = {2};
    from_int(&acc, 0);
    blvm_muhash_insert(&acc, one, 32);
    blvm_muhash_remove(&acc, two, 32);
    blvm_muhash_finalize(&acc, out);
    assert_hex(out, 32, fromint_012_hash);

    /* Serialization of {1} * {2}: numerator then denominator (one), Core's
     * ser_exp; checked against an independent big-integer implementation. */
    static const char ser_num[] =
        "1fa093295ea30a6a3acdc7b3f770fa538eff537528e990e2910e40bbcfd7f6696b12569019290946"
        "94b56316de342f593303dd12ac43e06dce1be1ff8301c845beb15468fff0ef002dbf80c29f26e645"
        "2bccc91b5cb9437ad410d2a67ea847887fa3c6a6553309946880fe20db2c73fe0641adbd4e86edfe"
        "e0d9f8cd0ee1230898873dc13ed8ddcaf045c80faa082774279007a2253f8922ee3ef361d378a6af"
        "3ddaf180b190ac97e556888c36b3d1fb1c85aab9ccd46e3deaeb7b7cf5db067a7e9ff86b658cf3ac"
        "d6662bbcce37232daa753c48b794356c020090c831a8304416e2aa7ad633c0ddb2f11be1be316a81"
        "be7f7e472071c042cb68faef549c221ebff209273638b741aba5a81675c45a5fa92fea4ca821d7a3"
        "24cb1e1a2ccd3b76c4228ec8066dad2a5df6e1bd0de45c7dd5de8070bdb46db6c554cf9aefc9b7b2"
        "bbf9f75b1864d9f95005314593905c0109b71f703d49944ae94477b51dac10a816bb6d1c700bafab"
        "c8bd86fac8df24be519a2f2836b16392e18036cb13e48c5c";
    blvm_muhash s;
    from_int(&s, 1);
    from_int(&t, 2);
    blvm_muhash_combine(&s, &t);
    uint8_t ser[BLVM_MUHASH_SERIALIZED_SIZE];
    blvm_muhash_serialize(&s, ser);
    assert_hex(ser, BLVM_NUM3072_BYTES, ser_num);
    uint8_t one_bytes[BLVM_NUM3072_BYTES] = {1};
    assert_memory_equal(ser + BLVM_NUM3072_BYTES, one_bytes, BLVM_NUM3072_BYTES);
    /* Deserializing gives the same hash. */
    blvm_muhash d;
    blvm_muhash_deserialize(&d, ser);
    uint8_t out2[32];
    blvm_muhash_finalize(&s, out);
    blvm_muhash_finalize(&d, out2);
    assert_memory_equal(out, out2, 32);

    /* Overflow: a numerator of 384 0xff bytes (above the modulus) over one;
     * Core compares the raw (not reversed) hash. */
    memset(ser, 0xff, BLVM_NUM3072_BYTES);
    memset(ser + BLVM_NUM3072_BYTES, 0, BLVM_NUM3072_BYTES);
    ser[BLVM_NUM3072_BYTES] = 1;
    blvm_muhash_deserialize(&d, ser);
    blvm_muhash_finalize(&d, out);
    assert_hex(out, 32, "3a31e6903aff0de9f62f9a9f7f8b861de76ce2cda09822b90014319ae5dc2271");

    /* The empty set: SHA-256 of the number one (384 bytes, little-endian). */
    blvm_muhash_init(&acc);
    blvm_muhash_finalize(&acc, out);
    assert_hex(out, 32, "c85525462fdcf30a2c18d6f4b92923000974355c2477f59594d2c205a1d25add");
}

/* Core's order test: four random multiply/divide steps in four orders give
 * one hash; and X*Y / (Y*X) is the empty set. */
static void test_muhash_order_and_identity(void **state) {
    (void)state;
    uint8_t empty[32];
    blvm_muhash e;
    blvm_muhash_init(&e);
    blvm_muhash_finalize(&e, empty);
    for (int iter = 0; iter < 10; iter++) {
        uint8_t res[32], out[32];
        int table[4];
        for (int i = 0; i < 4; i++)
            table[i] = (int)(blvm_test_rand64() & 7);
        for (int order = 0; order < 4; order++) {
            blvm_muhash acc, t;
            blvm_muhash_init(&acc);
            for (int i = 0; i < 4; i++) {
                int v = table[i ^ order];
                from_int(&t, (uint8_t)(v & 3));
                if (v & 4)
                    blvm_muhash_divide(&acc, &t);
                else
                    blvm_muhash_combine(&acc, &t);
            }
            blvm_muhash_finalize(&acc, out);
            if (order == 0)
                memcpy(res, out, 32);
            else
                assert_memory_equal(res, out, 32);
        }
        blvm_muhash x, y, z;
        from_int(&x, (uint8_t)(blvm_test_rand64() & 15));
        from_int(&y, (uint8_t)(blvm_test_rand64() & 15));
        blvm_muhash_init(&z);
        blvm_muhash_combine(&z, &x);
        blvm_muhash_combine(&z, &y);
        blvm_muhash_combine(&y, &x);
        blvm_muhash_divide(&z, &y);
        blvm_muhash_finalize(&z, out);
        assert_memory_equal(out, empty, 32);
    }
}

/* Sets of random elements: insertion order does not matter, removing what
 * was inserted gives the empty set, different sets differ. */
static void test_muhash_random_sets(void **state) {
    (void)state;
    enum { NE = 12 };
    uint8_t elems[NE][40];
    for (int i = 0; i < NE; i++)
        blvm_test_rand_bytes(elems[i], sizeof elems[i]);
    blvm_muhash fwd, rev, part;
    blvm_muhash_init(&fwd);
    blvm_muhash_init(&rev);
    blvm_muhash_init(&part);
    for (int i = 0; i < NE; i++) {
        blvm_muhash_insert(&fwd, elems[i], sizeof elems[i]);
        blvm_muhash_insert(&rev, elems[NE - 1 - i], sizeof elems[0]);
        if (i != 3) blvm_muhash_insert(&part, elems[i], sizeof elems[i]);
    }
    uint8_t a[32], b[32], c[32], empty[32];
    blvm_muhash_finalize(&fwd, a);
    blvm_muhash_finalize(&rev, b);
    blvm_muhash_finalize(&part, c);
    assert_memory_equal(a, b, 32);
    assert_memory_not_equal(a, c, 32);
    /* Adding the missing element afterwards (after a finalize) catches up. */
    blvm_muhash_insert(&part, elems[3], sizeof elems[3]);
    blvm_muhash_finalize(&part, c);
    assert_memory_equal(a, c, 32);
    /* Union of two halves equals the whole. */
    blvm_muhash h1, h2;
    blvm_muhash_init(&h1);
    blvm_muhash_init(&h2);
    for (int i = 0; i < NE; i++)
        blvm_muhash_insert(i % 2 ? &h1 : &h2, elems[i], sizeof elems[i]);
    blvm_muhash_combine(&h1, &h2);
    blvm_muhash_finalize(&h1, c);
    assert_memory_equal(a, c, 32);
    /* Remove everything again. */
    for (int i = 0; i < NE; i++) blvm_muhash_remove(&fwd, elems[i], sizeof elems[i]);
    blvm_muhash_finalize(&fwd, a);
    blvm_muhash e;
    blvm_muhash_init(&e);
    blvm_muhash_finalize(&e, empty);
    assert_memory_equal(a, empty, 32);
    /* Combining a set with itself squares it: not the same set. */
    blvm_muhash_init(&h1);
    blvm_muhash_insert(&h1, elems[0], sizeof elems[0]);
    blvm_muhash_finalize(&h1, a);
    blvm_muhash_combine(&h1, &h1);
    blvm_muhash_finalize(&h1, b);
    assert_memory_not_equal(a, b, 32);
}

static void test_num3072_inverse(void **state) {
    (void)state;
    blvm_num3072 one, a, inv, prod;
    blvm_num3072_set_one(&one);
    blvm_num3072_inverse(&inv, &one);
    assert_memory_equal(&inv, &one, sizeof one);
    blvm_num3072_inverse_var(&inv, &one);
    assert_memory_equal(&inv, &one, sizeof one);
    /* p - 1 = -1 is its own inverse. */
    for (int i = 0; i < BLVM_NUM3072_LIMBS; i++) a.limbs[i] = ~(uint64_t)0;
    a.limbs[0] = (uint64_t)0 - 1103717u - 1;
    blvm_num3072_inverse(&inv, &a);
    assert_memory_equal(&inv, &a, sizeof a);
    blvm_num3072_inverse_var(&inv, &a);
    assert_memory_equal(&inv, &a, sizeof a);
    /* Small values and powers of two exercise the long runs of halving. */
    for (uint64_t small = 2; small < 40; small++) {
        memset(&a, 0, sizeof a);
        if (small <= 20)
            a.limbs[0] = small;
        else
            a.limbs[small % BLVM_NUM3072_LIMBS] = (uint64_t)1 << 63;
        blvm_num3072_inverse_var(&inv, &a);
        blvm_num3072_mul(&prod, &a, &inv);
        assert_memory_equal(&prod, &one, sizeof one);
    }
    for (int iter = 0; iter < 4; iter++) {
        uint8_t bytes[BLVM_NUM3072_BYTES];
        blvm_test_rand_bytes(bytes, sizeof bytes);
        blvm_num3072_from_bytes(&a, bytes);
        blvm_num3072_inverse(&inv, &a);
        blvm_num3072_mul(&prod, &a, &inv);
        assert_memory_equal(&prod, &one, sizeof one);
        /* The fast variable-time inverse gives the same number. */
        blvm_num3072 inv_var;
        blvm_num3072_inverse_var(&inv_var, &a);
        assert_memory_equal(&inv_var, &inv, sizeof inv);
        /* Squaring and general multiplication agree. */
        blvm_num3072 sq, sq2, copy = a;
        blvm_num3072_mul(&sq, &a, &a);
        blvm_num3072_mul(&sq2, &a, &copy);
        assert_memory_equal(&sq, &sq2, sizeof sq);
    }
    /* Zero (and p itself) has no inverse; both functions return zero. */
    memset(&a, 0, sizeof a);
    blvm_num3072_inverse(&inv, &a);
    assert_memory_equal(&inv, &a, sizeof a);
    blvm_num3072_inverse_var(&inv, &a);
    assert_memory_equal(&inv, &a, sizeof a);
    for (int i = 0; i < BLVM_NUM3072_LIMBS; i++) a.limbs[i] = ~(uint64_t)0;
    a.limbs[0] = (uint64_t)0 - 1103717u;
    blvm_num3072_inverse_var(&inv, &a);
    for (int i = 0; i < BLVM_NUM3072_LIMBS; i++) assert_true(inv.limbs[i] == 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chacha20_rfc8439),
        cmocka_unit_test(test_chacha20_pieces),
        cmocka_unit_test(test_muhash_core_vectors),
        cmocka_unit_test(test_muhash_order_and_identity),
        cmocka_unit_test(test_muhash_random_sets),
        cmocka_unit_test(test_num3072_inverse),
    };
    return cmocka_run_group_tests_name("crypto_muhash", tests, blvm_test_seed_setup, NULL);
}
