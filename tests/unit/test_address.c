/* Unit tests for src/protocol address encodings: Base58/Base58Check
 * (base58_encode_decode.json), Bech32/Bech32m (BIP173, BIP350 vectors), and
 * addresses and WIF keys of every network (key_io_valid.json,
 * key_io_invalid.json from Bitcoin Core). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "consensus/params.h"
#include "protocol/base58.h"
#include "protocol/bech32.h"
#include "protocol/key_io.h"
#include "util/hex.h"

static json_t *load_vectors(const char *name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", BLVM_VECTORS_DIR, name);
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    if (!root) fail_msg("cannot read %s: %s (line %d)", path, err.text, err.line);
    assert_true(json_is_array(root));
    return root;
}

/* ---- Base58 ------------------------------------------------------------- */

static void test_base58_vectors(void **state) {
    (void)state;
    json_t *root = load_vectors("base58_encode_decode.json");
    size_t i;
    json_t *c;
    size_t count = 0;
    json_array_foreach(root, i, c) {
        if (json_array_size(c) < 2) continue; /* comments */
        const char *hex = json_string_value(json_array_get(c, 0));
        const char *b58 = json_string_value(json_array_get(c, 1));
        assert_non_null(hex);
        assert_non_null(b58);
        size_t n;
        uint8_t *data = blvm_hex_decode_alloc(hex, &n);
        assert_non_null(data);
        char enc[BLVM_BASE58_ENCODED_CAP(300)];
        assert_true(blvm_base58_encode(enc, sizeof enc, data, n));
        assert_string_equal(enc, b58);
        uint8_t dec[300];
        size_t dn = 99;
        assert_true(blvm_base58_decode(dec, sizeof dec, &dn, b58));
        assert_int_equal(dn, n);
        if (n) assert_memory_equal(dec, data, n);
        /* Exactly n bytes of room is enough; one fewer is not. */
        assert_true(blvm_base58_decode(dec, n, &dn, b58));
        if (n) {
            assert_false(blvm_base58_decode(dec, n - 1, &dn, b58));
            assert_int_equal(dn, 0);
        }
        /* Encoding into a too small buffer fails cleanly. */
        size_t len = strlen(b58);
        if (len) assert_false(blvm_base58_encode(enc, len, data, n));
        free(data);
        count++;
    }
    assert_true(count >= 20);
    json_decref(root);
}

/* Core's base58_DecodeBase58 and base58_random_encode_decode cases. */
static void test_base58_decode_rules(void **state) {
    (void)state;
    uint8_t out[64];
    size_t n;
    assert_true(blvm_base58_decode(out, sizeof out, &n, "3vQB7B6MrGQZaxCuFg4oh"));
    char hex[129];
    blvm_hex_encode(hex, out, n);
    assert_string_equal(hex, "68656c6c6f20776f726c64bc62d4b8");
    /* Characters outside the alphabet (0 O I l), and junk after spaces. */
    assert_false(blvm_base58_decode(out, sizeof out, &n, "invalid"));
    assert_false(blvm_base58_decode(out, sizeof out, &n, "3vQB7B6MrGQZaxCuFg4oh0IOl"));
    assert_false(blvm_base58_decode(out, sizeof out, &n, " \t\n\v\f\r skip \r\f\v\n\t a"));
    /* Whitespace around the digits is skipped. */
    assert_true(blvm_base58_decode(out, sizeof out, &n, " \t\n\v\f\r skip \r\f\v\n\t "));
    blvm_hex_encode(hex, out, n);
    assert_string_equal(hex, "971a55");
    /* Leading '1's are zero bytes and count against the limit. */
    assert_true(blvm_base58_decode(out, 3, &n, "111"));
    assert_int_equal(n, 3);
    assert_false(blvm_base58_decode(out, 2, &n, "111"));

    /* Base58Check: good checksum, bad checksum, bad characters, limits. */
    assert_true(blvm_base58check_decode(out, sizeof out, &n, "3vQB7B6MrGQZaxCuFg4oh"));
    assert_int_equal(n, 11);
    assert_memory_equal(out, "hello world", 11);
    assert_true(blvm_base58check_decode(out, 11, &n, "3vQB7B6MrGQZaxCuFg4oh"));
    assert_false(blvm_base58check_decode(out, 10, &n, "3vQB7B6MrGQZaxCuFg4oh"));
    assert_false(blvm_base58check_decode(out, sizeof out, &n, "3vQB7B6MrGQZaxCuFg4oi"));
    assert_false(blvm_base58check_decode(out, sizeof out, &n, "3vQB7B6MrGQZaxCuFg4oh0IOl"));
    assert_false(blvm_base58check_decode(out, sizeof out, &n, ""));
    char s[64];
    assert_true(blvm_base58check_encode(s, sizeof s, (const uint8_t *)"hello world", 11));
    assert_string_equal(s, "3vQB7B6MrGQZaxCuFg4oh");
}

/* Random bytes round-trip through both encodings. */
static void test_base58_roundtrip(void **state) {
    (void)state;
    uint64_t seed = 0x5eed;
    for (int iter = 0; iter < 500; iter++) {
        uint8_t data[48], back[48];
        size_t len = (size_t)(iter % 48);
        for (size_t i = 0; i < len; i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            /* Some leading zero bytes now and then. */
            data[i] = (i < 3 && iter % 5 == 0) ? 0 : (uint8_t)(seed >> 56);
        }
        char s[BLVM_BASE58_ENCODED_CAP(48 + 4)];
        size_t n;
        assert_true(blvm_base58_encode(s, sizeof s, data, len));
        assert_true(blvm_base58_decode(back, sizeof back, &n, s));
        assert_int_equal(n, len);
        if (len) assert_memory_equal(back, data, len);
        assert_true(blvm_base58check_encode(s, sizeof s, data, len));
        assert_true(blvm_base58check_decode(back, sizeof back, &n, s));
        assert_int_equal(n, len);
        if (len) assert_memory_equal(back, data, len);
        /* Changing one character breaks the checksum (or the alphabet). */
        size_t pos = (size_t)iter % strlen(s);
        s[pos] = s[pos] == 'z' ? 'y' : 'z';
        assert_false(blvm_base58check_decode(back, sizeof back, &n, s));
    }
}

/* ---- Bech32 / Bech32m --------------------------------------------------- */

static void test_bech32_checksums(void **state) {
    (void)state;
    static const char *valid_bech32[] = {
        "A12UEL5L",
        "a12uel5l",
        "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
        "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
        "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
        "?1ezyfcl",
    };
    static const char *valid_bech32m[] = {
        "A1LQFN3A",
        "a1lqfn3a",
        "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
        "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
        "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
        "?1v759aa",
    };
    /* BIP173 and BIP350 invalid strings: no separator, empty hrp, bad data
     * characters, short checksum, checksum of the uppercase hrp, mixed case,
     * characters out of range, too long. */
    static const char *invalid[] = {
        "pzry9x0s0muk", "1pzry9x0s0muk", "x1b4n0q5v", "li1dgmt3", "A1G7SGD8", "10a06t8",
        "1qzzfhee", "a12UEL5L", "de1lg7wt\xff", "in1muywd", "mm1crxm3i", "au1s5cgom", "M1VUXWEZ",
        "16plkw9", "1p2gdwpf", "y1b0jsk6g", "lt1igcx5c", "qyrz8wqd2c9m", "1qyrz8wqd2c9m",
        "\x20" "1nwldj5", "\x7f" "1axkwrx",
        "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
        "an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4",
    };
    char hrp[BLVM_BECH32_HRP_CAP];
    uint8_t values[BLVM_BECH32_VALUES_CAP];
    size_t n;
    for (int kind = 0; kind < 2; kind++) {
        const char **list = kind ? valid_bech32m : valid_bech32;
        blvm_bech32_encoding want = kind ? BLVM_BECH32M : BLVM_BECH32;
        for (size_t i = 0; i < 6; i++) {
            assert_int_equal(blvm_bech32_decode(list[i], hrp, values, &n), want);
            /* Re-encoding gives the lowercase form. */
            char out[128], lower[128];
            assert_true(blvm_bech32_encode(out, sizeof out, want, hrp, values, n));
            size_t len = strlen(list[i]);
            for (size_t j = 0; j <= len; j++)
                lower[j] = (list[i][j] >= 'A' && list[i][j] <= 'Z') ? (char)(list[i][j] + 32)
                                                                    : list[i][j];
            assert_string_equal(out, lower);
            /* The other checksum constant does not verify. */
            assert_true(blvm_bech32_encode(out, sizeof out, kind ? BLVM_BECH32 : BLVM_BECH32M, hrp,
                                           values, n));
            assert_string_not_equal(out, lower);
            /* Flipping one data character breaks it. */
            char bad[128];
            memcpy(bad, lower, len + 1);
            bad[len - 1] = bad[len - 1] == 'q' ? 'p' : 'q';
            assert_int_equal(blvm_bech32_decode(bad, hrp, values, &n), BLVM_BECH32_INVALID);
        }
    }
    for (size_t i = 0; i < BLVM_ARRAY_LEN(invalid); i++)
        assert_int_equal(blvm_bech32_decode(invalid[i], hrp, values, &n), BLVM_BECH32_INVALID);
    /* The longest data part (one-character hrp, 90 in all) fits the buffer;
     * found by fuzz_address when the buffer was 6 values short. */
    uint8_t many[82] = {0};
    char longest[128];
    assert_true(blvm_bech32_encode(longest, sizeof longest, BLVM_BECH32M, "a", many, 82));
    assert_int_equal(strlen(longest), 90);
    assert_int_equal(blvm_bech32_decode(longest, hrp, values, &n), BLVM_BECH32M);
    assert_int_equal(n, 82);
    assert_string_equal(hrp, "a");
    /* Encoding refuses an uppercase hrp and values of 32 and more. */
    char out[64];
    uint8_t v[2] = {1, 2};
    assert_false(blvm_bech32_encode(out, sizeof out, BLVM_BECH32, "BC", v, 2));
    v[1] = 32;
    assert_false(blvm_bech32_encode(out, sizeof out, BLVM_BECH32, "bc", v, 2));
}

/* BIP350's segwit address vectors, checked through key_io on the network of
 * their hrp: valid ones give the scriptPubKey, invalid ones Core's message. */
static void test_segwit_addresses(void **state) {
    (void)state;
    static const struct {
        const char *net, *addr, *script;
    } valid[] = {
        {"main", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
         "0014751e76e8199196d454941c45d1b3a323f1433bd6"},
        {"test", "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
         "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"},
        {"main", "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
         "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6"},
        {"main", "BC1SW50QGDZ25J", "6002751e"},
        {"main", "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323"},
        {"test", "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
         "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"},
        {"test", "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
         "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"},
        {"main", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
         "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"},
    };
    static const struct {
        const char *net, *addr, *error;
    } invalid[] = {
        {"main", "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut",
         "Invalid or unsupported Segwit (Bech32) or Base58 encoding."},
        {"main", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
         "Version 1+ witness address must use Bech32m checksum"},
        {"test", "tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf",
         "Version 1+ witness address must use Bech32m checksum"},
        {"main", "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",
         "Version 1+ witness address must use Bech32m checksum"},
        {"main", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",
         "Version 0 witness address must use Bech32 checksum"},
        {"test", "tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47",
         "Version 0 witness address must use Bech32 checksum"},
        {"main", "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",
         "Invalid Base 32 character"},
        {"main", "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",
         "Invalid Bech32 address witness version"},
        {"main", "bc1pw5dgrnzv", "Invalid Bech32 address program size (1 byte)"},
        {"main", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",
         "Invalid Bech32 address program size (41 bytes)"},
        {"main", "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",
         "Invalid Bech32 v0 address program size (16 bytes), per BIP141"},
        {"test", "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq",
         "Invalid character or mixed case"},
        {"main", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",
         "Invalid padding in Bech32 data section"},
        {"test", "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j",
         "Invalid padding in Bech32 data section"},
        {"main", "bc1gmk9yu", "Empty Bech32 data section"},
        /* A testnet address on mainnet, a mainnet one on regtest. */
        {"main", "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
         "Invalid or unsupported Segwit (Bech32) or Base58 encoding."},
        {"regtest", "bcrt1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
         "Invalid checksum"},
        {"main", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "Invalid checksum"},
        {"main",
         "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4qw508d6qejx",
         "Bech32 string too long"},
        {"main", "bc1qqqqq", "Invalid separator position"},
        {"main", "bcqw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "Missing separator"},
    };
    for (size_t i = 0; i < BLVM_ARRAY_LEN(valid); i++) {
        const blvm_params *p = blvm_params_by_name(valid[i].net);
        assert_non_null(p);
        blvm_destination d;
        char err[200];
        assert_true(blvm_decode_destination(&d, p, valid[i].addr, err, sizeof err));
        assert_string_equal(err, "");
        uint8_t script[BLVM_DEST_SCRIPT_MAX];
        size_t n = blvm_destination_to_script(&d, script);
        char hex[2 * BLVM_DEST_SCRIPT_MAX + 1];
        blvm_hex_encode(hex, script, n);
        assert_string_equal(hex, valid[i].script);
    }
    for (size_t i = 0; i < BLVM_ARRAY_LEN(invalid); i++) {
        const blvm_params *p = blvm_params_by_name(invalid[i].net);
        assert_non_null(p);
        blvm_destination d;
        char err[200];
        assert_false(blvm_decode_destination(&d, p, invalid[i].addr, err, sizeof err));
        assert_int_equal(d.type, BLVM_DEST_NONE);
        assert_string_equal(err, invalid[i].error);
    }
    /* Wrong hrp with a valid checksum: Core names both prefixes. */
    const blvm_params *test = blvm_params_by_name("test");
    blvm_destination d;
    char addr[BLVM_ADDRESS_CAP], err[200];
    uint8_t prog[20] = {1, 2, 3};
    assert_true(blvm_segwit_addr_encode(addr, sizeof addr, "tbx", 0, prog, 20));
    assert_false(blvm_decode_destination(&d, test, addr, err, sizeof err));
    assert_string_equal(err, "Invalid or unsupported prefix for Segwit (Bech32) address "
                             "(expected tb, got tbx).");
    /* segwit_addr_encode enforces BIP141's sizes. */
    assert_false(blvm_segwit_addr_encode(addr, sizeof addr, "bc", 0, prog, 16));
    assert_false(blvm_segwit_addr_encode(addr, sizeof addr, "bc", 17, prog, 20));
    assert_false(blvm_segwit_addr_encode(addr, sizeof addr, "bc", 1, prog, 1));
}

/* ---- key_io vectors ----------------------------------------------------- */

static void flip_case(char *s) {
    for (; *s; s++) {
        if (*s >= 'a' && *s <= 'z')
            *s = (char)(*s - 32);
        else if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s + 32);
    }
}

static void test_key_io_valid(void **state) {
    (void)state;
    json_t *root = load_vectors("key_io_valid.json");
    size_t i;
    json_t *c;
    size_t count = 0;
    json_array_foreach(root, i, c) {
        if (json_array_size(c) < 3) continue;
        const char *str = json_string_value(json_array_get(c, 0));
        const char *hex = json_string_value(json_array_get(c, 1));
        json_t *meta = json_array_get(c, 2);
        const char *chain = json_string_value(json_object_get(meta, "chain"));
        bool is_priv = json_is_true(json_object_get(meta, "isPrivkey"));
        bool try_flip = json_is_true(json_object_get(meta, "tryCaseFlip"));
        assert_non_null(str);
        assert_non_null(hex);
        assert_non_null(chain);
        const blvm_params *p = blvm_params_by_name(chain);
        assert_non_null(p);
        size_t n;
        uint8_t *payload = blvm_hex_decode_alloc(hex, &n);
        assert_non_null(payload);
        blvm_destination d;
        uint8_t key[32];
        bool compressed;
        char out[BLVM_ADDRESS_CAP];
        if (is_priv) {
            bool want_compressed = json_is_true(json_object_get(meta, "isCompressed"));
            assert_true(blvm_decode_secret(key, &compressed, p, str));
            assert_int_equal(n, 32);
            assert_memory_equal(key, payload, 32);
            assert_int_equal(compressed, want_compressed);
            /* A private key is not an address. */
            assert_false(blvm_decode_destination(&d, p, str, NULL, 0));
            assert_true(blvm_encode_secret(out, sizeof out, p, payload, want_compressed));
            assert_string_equal(out, str);
        } else {
            char err[200];
            assert_true(blvm_decode_destination(&d, p, str, err, sizeof err));
            uint8_t script[BLVM_DEST_SCRIPT_MAX];
            size_t sn = blvm_destination_to_script(&d, script);
            assert_int_equal(sn, n);
            assert_memory_equal(script, payload, n);
            assert_false(blvm_decode_secret(key, &compressed, p, str));
            /* Script -> destination -> address gives the string back. */
            blvm_destination d2;
            assert_true(blvm_destination_from_script(&d2, payload, n));
            assert_true(blvm_encode_destination(out, sizeof out, p, &d2));
            assert_string_equal(out, str);
            if (try_flip) {
                char flipped[BLVM_ADDRESS_CAP];
                snprintf(flipped, sizeof flipped, "%s", str);
                flip_case(flipped);
                assert_true(blvm_decode_destination(&d2, p, flipped, NULL, 0));
                sn = blvm_destination_to_script(&d2, script);
                assert_int_equal(sn, n);
                assert_memory_equal(script, payload, n);
            }
        }
        free(payload);
        count++;
    }
    assert_int_equal(count, 70);
    json_decref(root);
}

static void test_key_io_invalid(void **state) {
    (void)state;
    json_t *root = load_vectors("key_io_invalid.json");
    static const char *chains[] = {"main", "test", "testnet4", "signet", "regtest"};
    size_t i;
    json_t *c;
    size_t count = 0;
    json_array_foreach(root, i, c) {
        const char *str = json_string_value(json_array_get(c, 0));
        assert_non_null(str);
        for (size_t k = 0; k < BLVM_ARRAY_LEN(chains); k++) {
            const blvm_params *p = blvm_params_by_name(chains[k]);
            assert_non_null(p);
            blvm_destination d;
            char err[200];
            uint8_t key[32];
            bool compressed;
            assert_false(blvm_decode_destination(&d, p, str, err, sizeof err));
            assert_true(err[0] != 0);
            assert_false(blvm_decode_secret(key, &compressed, p, str));
        }
        count++;
    }
    assert_int_equal(count, 70);
    json_decref(root);
}

/* Scripts without an address, and keys out of range. */
static void test_key_io_edges(void **state) {
    (void)state;
    blvm_destination d;
    size_t n;
    uint8_t s[80];
    /* P2PK (a bare 33-byte key and OP_CHECKSIG), OP_RETURN, a v0 program of
     * 16 bytes, a truncated P2PKH. */
    static const char *none[] = {
        "210279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798ac",
        "6a0548656c6c6f",
        "0010000102030405060708090a0b0c0d0e0f",
        "76a914a31c06bd463e3923bc1aadbde48b16976c08071788",
        "",
    };
    for (size_t i = 0; i < BLVM_ARRAY_LEN(none); i++) {
        assert_true(blvm_hex_decode(s, sizeof s, &n, none[i]));
        assert_false(blvm_destination_from_script(&d, s, n));
        assert_int_equal(d.type, BLVM_DEST_NONE);
    }
    /* Pay-to-anchor has its own type and a mainnet address. */
    assert_true(blvm_hex_decode(s, sizeof s, &n, "51024e73"));
    assert_true(blvm_destination_from_script(&d, s, n));
    assert_int_equal(d.type, BLVM_DEST_ANCHOR);
    char addr[BLVM_ADDRESS_CAP];
    const blvm_params *main_p = blvm_params_by_name("main");
    assert_true(blvm_encode_destination(addr, sizeof addr, main_p, &d));
    assert_string_equal(addr, "bc1pfeessrawgf");
    blvm_destination back;
    assert_true(blvm_decode_destination(&back, main_p, addr, NULL, 0));
    assert_int_equal(back.type, BLVM_DEST_ANCHOR);

    /* WIF: zero and the curve order are not keys; order - 1 is. */
    uint8_t key[32] = {0};
    char wif[BLVM_ADDRESS_CAP];
    assert_false(blvm_encode_secret(wif, sizeof wif, main_p, key, true));
    assert_true(blvm_hex_decode(key, 32, &n,
                                "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"));
    assert_false(blvm_encode_secret(wif, sizeof wif, main_p, key, true));
    key[31] = 0x40;
    assert_true(blvm_encode_secret(wif, sizeof wif, main_p, key, true));
    uint8_t got[32];
    bool compressed;
    assert_true(blvm_decode_secret(got, &compressed, main_p, wif));
    assert_true(compressed);
    assert_memory_equal(got, key, 32);
    /* A mainnet key is not a testnet key. */
    assert_false(blvm_decode_secret(got, &compressed, blvm_params_by_name("test"), wif));
    /* Too small an output buffer. */
    assert_false(blvm_encode_secret(wif, 10, main_p, key, true));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base58_vectors),    cmocka_unit_test(test_base58_decode_rules),
        cmocka_unit_test(test_base58_roundtrip),  cmocka_unit_test(test_bech32_checksums),
        cmocka_unit_test(test_segwit_addresses),  cmocka_unit_test(test_key_io_valid),
        cmocka_unit_test(test_key_io_invalid),    cmocka_unit_test(test_key_io_edges),
    };
    return cmocka_run_group_tests_name("address", tests, NULL, NULL);
}
