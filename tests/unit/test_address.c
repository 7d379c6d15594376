/* Addresses and keys against Bitcoin Core's vectors: base58_encode_decode.json,
 * key_io_valid.json and key_io_invalid.json (Core's key_io_tests.cpp). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "protocol/address.h"
#include "protocol/base58.h"
#include "protocol/bech32.h"
#include "util/hex.h"

static json_t *load(const char *name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", BLVM_VECTORS_DIR, name);
    json_error_t e;
    json_t *j = json_load_file(path, 0, &e);
    if (!j) fail_msg("cannot read %s: %s", path, e.text);
    assert_true(json_is_array(j));
    return j;
}

static const char *const CHAINS[] = {"main", "test", "signet", "regtest"};

static void test_base58_vectors(void **state) {
    (void)state;
    json_t *j = load("base58_encode_decode.json");
    size_t i;
    json_t *t;
    json_array_foreach(j, i, t) {
        const char *hex = json_string_value(json_array_get(t, 0));
        const char *b58 = json_string_value(json_array_get(t, 1));
        size_t n;
        uint8_t *raw = blvm_hex_decode_alloc(hex, &n);
        assert_non_null(raw);
        char *enc = blvm_base58_encode(raw, n);
        assert_string_equal(enc, b58);
        uint8_t out[256];
        size_t m;
        assert_true(blvm_base58_decode(b58, out, sizeof out, &m));
        assert_int_equal(m, n);
        assert_memory_equal(out, raw, n);
        /* one byte short of the needed room must fail, not overflow */
        if (n > 0) assert_false(blvm_base58_decode(b58, out, n - 1, &m));
        free(enc);
        free(raw);
    }
    json_decref(j);
    /* Core's base58_DecodeBase58 edge cases */
    uint8_t out[64];
    size_t m;
    assert_false(blvm_base58_decode("invalid", out, sizeof out, &m));
    assert_false(blvm_base58_decode("3vQB7B6MrGQZaxCuFg4oh\x01", out, sizeof out, &m));
    assert_true(blvm_base58_decode(" \t\n\v\f\r skip \r\f\v\n\t ", out, sizeof out, &m));
    assert_int_equal(m, 3);
    assert_memory_equal(out, "\x97\x1a\x55", 3);
    assert_false(blvm_base58_decode(" \t\n\v\f\r skip \r\f\v\n\t a", out, sizeof out, &m));
    assert_true(blvm_base58check_decode("3vQB7B6MrGQZaxCuFg4oh", out, sizeof out, &m));
    assert_memory_equal(out, "hello world", 11);
    assert_false(blvm_base58check_decode("3vQB7B6MrGQZaxCuFg4oi", out, sizeof out, &m));
    assert_false(blvm_base58check_decode("3vQB7B6MrGQZaxCuFg4oh0IOl", out, sizeof out, &m));
}

static char *flip_case(const char *s) {
    char *f = strdup(s);
    for (char *c = f; *c; c++) {
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
        else if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    }
    return f;
}

static void test_key_io_valid(void **state) {
    (void)state;
    json_t *j = load("key_io_valid.json");
    size_t i;
    json_t *t;
    int n_cases = 0;
    json_array_foreach(j, i, t) {
        if (json_array_size(t) < 3) continue;
        const char *str = json_string_value(json_array_get(t, 0));
        const char *hex = json_string_value(json_array_get(t, 1));
        json_t *meta = json_array_get(t, 2);
        const char *chain = json_string_value(json_object_get(meta, "chain"));
        bool is_privkey = json_is_true(json_object_get(meta, "isPrivkey"));
        bool try_flip = json_is_true(json_object_get(meta, "tryCaseFlip"));
        const blvm_params *p = blvm_params_by_name(chain);
        assert_non_null(p);
        uint8_t want[64];
        size_t want_len;
        assert_true(blvm_hex_decode(want, sizeof want, &want_len, hex));
        uint8_t script[BLVM_ADDRESS_SCRIPT_MAX];
        size_t script_len;
        char err[BLVM_ADDRESS_ERROR_MAX];
        uint8_t key[32];
        bool compressed;
        if (is_privkey) {
            bool want_compressed = json_is_true(json_object_get(meta, "isCompressed"));
            assert_true(blvm_secret_decode(p, str, key, &compressed));
            assert_int_equal(compressed, want_compressed);
            assert_int_equal(want_len, 32);
            assert_memory_equal(key, want, 32);
            assert_false(blvm_address_decode(p, str, script, &script_len, err));
            char *enc = blvm_secret_encode(p, key, compressed);
            assert_string_equal(enc, str);
            free(enc);
        } else {
            if (!blvm_address_decode(p, str, script, &script_len, err))
                fail_msg("%s (%s): %s", str, chain, err);
            assert_int_equal(script_len, want_len);
            assert_memory_equal(script, want, want_len);
            assert_false(blvm_secret_decode(p, str, key, &compressed));
            if (try_flip) {
                char *flipped = flip_case(str);
                assert_true(blvm_address_decode(p, flipped, script, &script_len, err));
                assert_memory_equal(script, want, want_len);
                free(flipped);
            }
            char *enc = blvm_address_from_script(p, want, want_len);
            assert_non_null(enc);
            /* Core encodes lowercase; the vectors hold the canonical form. */
            assert_string_equal(enc, str);
            free(enc);
        }
        n_cases++;
    }
    assert_true(n_cases >= 60);
    json_decref(j);
}

static void test_key_io_invalid(void **state) {
    (void)state;
    json_t *j = load("key_io_invalid.json");
    size_t i;
    json_t *t;
    json_array_foreach(j, i, t) {
        const char *str = json_string_value(json_array_get(t, 0));
        for (size_t c = 0; c < BLVM_ARRAY_LEN(CHAINS); c++) {
            const blvm_params *p = blvm_params_by_name(CHAINS[c]);
            uint8_t script[BLVM_ADDRESS_SCRIPT_MAX], key[32];
            size_t script_len;
            char err[BLVM_ADDRESS_ERROR_MAX];
            bool compressed;
            if (blvm_address_decode(p, str, script, &script_len, err))
                fail_msg("accepted invalid address %s on %s", str, CHAINS[c]);
            assert_true(err[0] != '\0');
            assert_false(blvm_secret_decode(p, str, key, &compressed));
        }
    }
    json_decref(j);
}

static void test_address_errors(void **state) {
    (void)state;
    const blvm_params *main_p = blvm_params_by_name("main");
    uint8_t script[BLVM_ADDRESS_SCRIPT_MAX];
    size_t n;
    char err[BLVM_ADDRESS_ERROR_MAX];
    /* a testnet bech32 address on mainnet */
    assert_false(blvm_address_decode(main_p, "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", script,
                                     &n, err));
    assert_string_equal(err, "Invalid or unsupported Segwit (Bech32) or Base58 encoding.");
    /* v0 with a bech32m checksum (BIP350 test vector) */
    assert_false(blvm_address_decode(main_p, "bc1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqyuyh9c", script,
                                     &n, err));
    assert_true(err[0] != '\0');
    assert_false(blvm_address_decode(main_p, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", script, &n, err));
    assert_string_equal(err, "Invalid checksum or length of Base58 address (P2PKH or P2SH)");
    assert_true(blvm_address_decode(main_p, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", script, &n, err));
    assert_int_equal(n, 25);
    /* 90+ characters never reach the decoder's buffers */
    char longstr[200];
    memset(longstr, 'q', sizeof longstr - 1);
    memcpy(longstr, "bc1", 3);
    longstr[sizeof longstr - 1] = '\0';
    assert_false(blvm_address_decode(main_p, longstr, script, &n, err));
    memset(longstr, 'z', sizeof longstr - 1);
    assert_false(blvm_address_decode(main_p, longstr, script, &n, err));
}

/* Core's bech32::LocateErrors (validateaddress error_locations); positions
 * from Core's rpc_validateaddress.py and substitutions made here. */
static void expect_locs(const char *str, const char *msg, const int *want, size_t nwant) {
    int locs[100];
    size_t n;
    assert_string_equal(blvm_bech32_locate_errors(str, locs, 100, &n), msg);
    assert_int_equal(n, nwant);
    for (size_t i = 0; i < nwant; i++)
        assert_int_equal(locs[i], want[i]);
}

static void test_locate_errors(void **state) {
    (void)state;
    const char *good = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
    expect_locs(good, "", NULL, 0);
    const int l41[] = {41};
    expect_locs("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "Invalid Bech32 checksum", l41, 1);
    const int l40[] = {40};
    expect_locs("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3t4", "Invalid character or mixed case",
                l40, 1);
    const int l58[] = {58};
    expect_locs("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7",
                "Invalid character or mixed case", l58, 1);
    const int lsp[] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                       17, 18, 19, 20, 22, 23, 24, 27, 28, 29, 30, 32, 33, 34, 37};
    expect_locs("Address is not valid Base58 or Bech32 ", "Invalid character or mixed case", lsp,
                BLVM_ARRAY_LEN(lsp));
    const int l4[] = {4};
    expect_locs("bcrt1qxyz", "Invalid separator position", l4, 1);
    const int lb32[] = {5};
    expect_locs("bc1qwb08d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "Invalid Base 32 character", lb32, 1);
    expect_locs("bcqw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "Missing separator", NULL, 0);
    /* Two substitutions are found and listed from the left. */
    char two[64];
    strcpy(two, good);
    two[10] = two[10] == 'q' ? 'p' : 'q';
    two[20] = two[20] == 'q' ? 'p' : 'q';
    const int l2[] = {10, 20};
    expect_locs(two, "Invalid Bech32 checksum", l2, 2);
    /* A taproot (bech32m) address with one substitution. */
    char tr[80];
    strcpy(tr, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0");
    tr[30] = tr[30] == 'q' ? 'p' : 'q';
    const int l30[] = {30};
    expect_locs(tr, "Invalid Bech32m checksum", l30, 1);
    /* Too long: every position from 90 on. */
    char longstr[95];
    memset(longstr, 'q', 94);
    longstr[94] = '\0';
    const int llong[] = {90, 91, 92, 93};
    expect_locs(longstr, "Bech32 string too long", llong, 4);
    /* Through the address decoder: only for this network's prefix. */
    const blvm_params *main_p = blvm_params_by_name("main");
    uint8_t script[BLVM_ADDRESS_SCRIPT_MAX];
    size_t n, nl;
    char err[BLVM_ADDRESS_ERROR_MAX];
    int locs[8];
    assert_false(blvm_address_decode_locate(main_p, two, script, &n, err, locs, 8, &nl));
    assert_string_equal(err, "Invalid Bech32 checksum");
    assert_int_equal(nl, 2);
    assert_int_equal(locs[0], 10);
    assert_false(blvm_address_decode_locate(main_p, "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx",
                                            script, &n, err, locs, 8, &nl));
    assert_int_equal(nl, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base58_vectors),
        cmocka_unit_test(test_key_io_valid),
        cmocka_unit_test(test_key_io_invalid),
        cmocka_unit_test(test_address_errors),
        cmocka_unit_test(test_locate_errors),
    };
    return cmocka_run_group_tests_name("address", tests, NULL, NULL);
}
