/* Output templates (Solver) and script asm, compared with what Bitcoin Core
 * prints for the same scripts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/script_asm.h"
#include "protocol/standard.h"
#include "util/hex.h"

static blvm_txout_type solve_hex(const char *hex, blvm_solution *sol) {
    uint8_t buf[512];
    size_t n;
    assert_true(blvm_hex_decode(buf, sizeof buf, &n, hex));
    static uint8_t keep[512]; /* solutions point into the script */
    memcpy(keep, buf, n);
    return blvm_solver(keep, n, sol);
}

static void test_solver_templates(void **state) {
    (void)state;
    blvm_solution s;
    const char *pk33 = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
    char hex[600];

    snprintf(hex, sizeof hex, "21%sac", pk33);
    assert_int_equal(solve_hex(hex, &s), BLVM_TXOUT_PUBKEY);
    assert_int_equal(s.data_len, 33);
    /* 33 bytes with a bad prefix is not a key */
    snprintf(hex, sizeof hex, "2105%sac", pk33 + 2);
    assert_int_equal(solve_hex(hex, &s), BLVM_TXOUT_NONSTANDARD);

    assert_int_equal(solve_hex("76a914751e76e8199196d454941c45d1b3a323f1433bd688ac", &s),
                     BLVM_TXOUT_PUBKEYHASH);
    assert_int_equal(s.data[0], 0x75);
    assert_int_equal(solve_hex("a914751e76e8199196d454941c45d1b3a323f1433bd687", &s),
                     BLVM_TXOUT_SCRIPTHASH);
    assert_int_equal(solve_hex("0014751e76e8199196d454941c45d1b3a323f1433bd6", &s),
                     BLVM_TXOUT_WITNESS_V0_KEYHASH);
    assert_int_equal(s.witness_version, 0);
    assert_int_equal(
        solve_hex("00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262", &s),
        BLVM_TXOUT_WITNESS_V0_SCRIPTHASH);
    assert_int_equal(
        solve_hex("51201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262", &s),
        BLVM_TXOUT_WITNESS_V1_TAPROOT);
    assert_int_equal(solve_hex("51024e73", &s), BLVM_TXOUT_ANCHOR);
    assert_int_equal(solve_hex("5202abcd", &s), BLVM_TXOUT_WITNESS_UNKNOWN);
    /* v0 programs of other sizes are not standard templates */
    assert_int_equal(solve_hex("0015751e76e8199196d454941c45d1b3a323f1433bd6aa", &s),
                     BLVM_TXOUT_NONSTANDARD);
    assert_int_equal(solve_hex("6a", &s), BLVM_TXOUT_NULL_DATA);
    assert_int_equal(solve_hex("6a0568656c6c6f", &s), BLVM_TXOUT_NULL_DATA);
    assert_int_equal(solve_hex("6a76", &s), BLVM_TXOUT_NONSTANDARD);

    snprintf(hex, sizeof hex, "5121%s21%s52ae", pk33, pk33);
    assert_int_equal(solve_hex(hex, &s), BLVM_TXOUT_MULTISIG);
    assert_int_equal(s.multisig_required, 1);
    assert_int_equal(s.multisig_keys, 2);
    /* m > n */
    snprintf(hex, sizeof hex, "5321%s21%s52ae", pk33, pk33);
    assert_int_equal(solve_hex(hex, &s), BLVM_TXOUT_NONSTANDARD);
    /* n does not match the key count */
    snprintf(hex, sizeof hex, "5121%s53ae", pk33);
    assert_int_equal(solve_hex(hex, &s), BLVM_TXOUT_NONSTANDARD);
    assert_int_equal(solve_hex("", &s), BLVM_TXOUT_NONSTANDARD);
    assert_string_equal(blvm_txout_type_name(BLVM_TXOUT_WITNESS_V1_TAPROOT),
                        "witness_v1_taproot");
}

static void check_asm(const char *hex, bool decode, const char *want) {
    uint8_t buf[512];
    size_t n;
    assert_true(blvm_hex_decode(buf, sizeof buf, &n, hex));
    char *got = blvm_script_to_asm(buf, n, decode);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void test_asm(void **state) {
    (void)state;
    check_asm("76a914751e76e8199196d454941c45d1b3a323f1433bd688ac", false,
              "OP_DUP OP_HASH160 751e76e8199196d454941c45d1b3a323f1433bd6 OP_EQUALVERIFY "
              "OP_CHECKSIG");
    /* small pushes print as numbers, OP_n as digits */
    check_asm("00514f60010102ff00039c0000", false, "0 1 -1 16 1 255 156");
    check_asm("0181", false, "-1");
    check_asm("b1b2b0ba", false,
              "OP_CHECKLOCKTIMEVERIFY OP_CHECKSEQUENCEVERIFY OP_NOP1 OP_CHECKSIGADD");
    check_asm("bbff", false, "OP_UNKNOWN OP_INVALIDOPCODE");
    /* a push running past the end */
    check_asm("5104aabb", false, "1 [error]");
    /* a strict-DER signature with SIGHASH_ALL, from a mainnet scriptSig */
    const char *sig = "3045022100c233c3a8a510e03ad18b0a24694ef00c78101bfd5ac075b8c1037952ce26e91e"
                      "02205aa5f8f88f29bb4ad5808ebc12abfd26bd791256f367b04c6d955f01f28a7724";
    char hex[300], want[300];
    snprintf(hex, sizeof hex, "48%s01", sig);
    snprintf(want, sizeof want, "%s[ALL]", sig);
    check_asm(hex, true, want);
    snprintf(want, sizeof want, "%s01", sig);
    check_asm(hex, false, want);
    /* behind OP_RETURN nothing is decoded */
    snprintf(hex, sizeof hex, "6a48%s01", sig);
    snprintf(want, sizeof want, "OP_RETURN %s01", sig);
    check_asm(hex, true, want);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_solver_templates),
        cmocka_unit_test(test_asm),
    };
    return cmocka_run_group_tests_name("script_text", tests, NULL, NULL);
}
