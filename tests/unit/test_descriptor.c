/* Descriptors: BIP380 checksums, addr()/raw() parsing (BIP385) and inference
 * of descriptors for output scripts, as Bitcoin Core prints them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/descriptor.h"
#include "util/hex.h"

static void test_checksum_vectors(void **state) {
    (void)state;
    char sum[9];
    /* BIP385's raw() vector, and what Core prints for the genesis address */
    assert_true(blvm_descriptor_checksum("raw(deadbeef)", 13, sum));
    assert_string_equal(sum, "89f8spxm");
    const char *addr = "addr(1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa)";
    assert_true(blvm_descriptor_checksum(addr, strlen(addr), sum));
    assert_string_equal(sum, "632p52jr");
    /* characters outside the descriptor charset */
    assert_false(blvm_descriptor_checksum("raw(\x01)", 6, sum));
}

static void test_parse(void **state) {
    (void)state;
    const blvm_params *p = blvm_params_by_name("main");
    blvm_descriptor d;
    char err[BLVM_DESCRIPTOR_ERROR_MAX];
    assert_true(blvm_descriptor_parse(&d, p, "raw(DEADBEEF)", false, err));
    assert_string_equal(d.normalized, "raw(deadbeef)#89f8spxm");
    assert_int_equal(d.script_len, 4);
    assert_false(d.is_range);
    blvm_descriptor_clear(&d);

    assert_true(blvm_descriptor_parse(&d, p, "addr(1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa)#632p52jr",
                                      true, err));
    assert_int_equal(d.script_len, 25);
    assert_string_equal(d.checksum, "632p52jr");
    blvm_descriptor_clear(&d);

    /* errors, with Core's wording */
    assert_false(blvm_descriptor_parse(&d, p, "raw(deadbeef)", true, err));
    assert_string_equal(err, "Missing checksum");
    assert_false(blvm_descriptor_parse(&d, p, "raw(deadbeef)#89f8spxn", false, err));
    assert_string_equal(err,
                        "Provided checksum '89f8spxn' does not match computed checksum '89f8spxm'");
    assert_false(blvm_descriptor_parse(&d, p, "raw(deadbeef)#89f8", false, err));
    assert_string_equal(err, "Expected 8 character checksum, not 4 characters");
    assert_false(blvm_descriptor_parse(&d, p, "raw(deadbeef)#a#b", false, err));
    assert_string_equal(err, "Multiple '#' symbols");
    assert_false(blvm_descriptor_parse(&d, p, "raw(xyz)", false, err));
    assert_string_equal(err, "Raw script is not hex");
    assert_false(blvm_descriptor_parse(&d, p, "addr(notanaddress)", false, err));
    assert_string_equal(err, "Address is not valid");
    /* a testnet address on mainnet */
    assert_false(blvm_descriptor_parse(&d, p, "addr(mzK2FFDEhxqHcmrJw1ysqFkVyhUULo45hZ)", false, err));
    assert_string_equal(err, "Address is not valid");
    assert_false(blvm_descriptor_parse(&d, p, "foo(00)", false, err));
    assert_string_equal(err, "'foo' is not a valid descriptor function");
    assert_false(blvm_descriptor_parse(&d, p, "raw", false, err));
    assert_null(d.script);
}

static void check_infer(const char *hex, const char *want_prefix) {
    uint8_t script[256];
    size_t n;
    assert_true(blvm_hex_decode(script, sizeof script, &n, hex));
    char *got = blvm_descriptor_infer(blvm_params_by_name("main"), script, n);
    assert_non_null(got);
    assert_memory_equal(got, want_prefix, strlen(want_prefix));
    /* every inferred descriptor carries a valid checksum */
    const char *hash = strchr(got, '#');
    assert_non_null(hash);
    char sum[9];
    assert_true(blvm_descriptor_checksum(got, (size_t)(hash - got), sum));
    assert_string_equal(hash + 1, sum);
    free(got);
}

static void test_infer(void **state) {
    (void)state;
    check_infer("76a914751e76e8199196d454941c45d1b3a323f1433bd688ac",
                "addr(1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH)");
    check_infer("0014751e76e8199196d454941c45d1b3a323f1433bd6",
                "addr(bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4)");
    check_infer("210279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798ac",
                "pk(0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798)");
    /* 33 bytes with a valid prefix that is not on the curve: no pk() */
    check_infer("210200000000000000000000000000000000000000000000000000000000000005ac", "raw(");
    check_infer("51210279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f8179851ae",
                "multi(1,0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798)");
    check_infer("512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
                "rawtr(79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798)");
    check_infer("6a0568656c6c6f", "raw(6a0568656c6c6f)");
    check_infer("", "raw()");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checksum_vectors),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_infer),
    };
    return cmocka_run_group_tests_name("descriptor", tests, NULL, NULL);
}
