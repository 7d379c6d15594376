/* Unit tests for the script layer: opcode parsing, sigop counting,
 * FindAndDelete, signature hashes, taproot key path and tapscript (which
 * Core's JSON vectors do not cover), witness v0 spends, and the public
 * consensus API. Core's own vector files run through blvm-vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include "blvm/consensus.h"
#include "consensus/interpreter.h"
#include "consensus/script.h"
#include "consensus/sigcheck.h"
#include "consensus/sighash.h"
#include "consensus/tx.h"
#include "crypto/hash.h"
#include "util/bytes.h"
#include "util/hex.h"

static secp256k1_context *ctx;

static uint8_t *unhex(const char *hex, size_t *len) {
    uint8_t *p = blvm_hex_decode_alloc(hex, len);
    assert_non_null(p);
    return p;
}

/* ---- names, parsing, counting ---------------------------------------- */

static void test_error_names(void **state) {
    (void)state;
    for (int e = 0; e < BLVM_SCRIPT_ERR_ERROR_COUNT; e++) {
        const char *name = blvm_script_error_name((blvm_script_error)e);
        assert_non_null(name);
        blvm_script_error back;
        assert_true(blvm_script_error_from_name(name, &back));
        assert_int_equal(back, e);
        assert_non_null(blvm_script_error_string((blvm_script_error)e));
    }
    blvm_script_error e;
    assert_true(blvm_script_error_from_name("NULLFAIL", &e));
    assert_int_equal(e, BLVM_SCRIPT_ERR_SIG_NULLFAIL);
    assert_false(blvm_script_error_from_name("NO_SUCH_ERROR", &e));
    assert_null(blvm_script_error_name(BLVM_SCRIPT_ERR_ERROR_COUNT));
    assert_string_equal(blvm_consensus_script_error_name(BLVM_SCRIPT_ERR_EVAL_FALSE), "EVAL_FALSE");
}

static void test_get_op(void **state) {
    (void)state;
    size_t len;
    /* OP_1, push 2, PUSHDATA1 1 byte, PUSHDATA2 1 byte, PUSHDATA4 1 byte */
    uint8_t *s = unhex("5102aabb4c01cc4d0100dd4e01000000ee", &len);
    const uint8_t *pc = s, *end = s + len, *d;
    size_t dl;
    uint8_t op;
    assert_true(blvm_script_get_op(&pc, end, &op, &d, &dl));
    assert_int_equal(op, OP_1);
    assert_int_equal(dl, 0);
    assert_true(blvm_script_get_op(&pc, end, &op, &d, &dl));
    assert_int_equal(op, 2);
    assert_int_equal(dl, 2);
    assert_int_equal(d[1], 0xbb);
    assert_true(blvm_script_get_op(&pc, end, &op, &d, &dl));
    assert_int_equal(op, OP_PUSHDATA1);
    assert_int_equal(d[0], 0xcc);
    assert_true(blvm_script_get_op(&pc, end, &op, &d, &dl));
    assert_int_equal(op, OP_PUSHDATA2);
    assert_int_equal(d[0], 0xdd);
    assert_true(blvm_script_get_op(&pc, end, &op, &d, &dl));
    assert_int_equal(op, OP_PUSHDATA4);
    assert_int_equal(d[0], 0xee);
    assert_false(blvm_script_get_op(&pc, end, &op, &d, &dl)); /* end */
    free(s);

    /* Truncated push: fails after consuming the opcode, like Core. */
    s = unhex("05aabb", &len);
    pc = s;
    assert_false(blvm_script_get_op(&pc, s + len, &op, &d, &dl));
    assert_int_equal(op, OP_INVALIDOPCODE);
    assert_ptr_equal(pc, s + 1);
    free(s);
    /* PUSHDATA2 with one length byte */
    s = unhex("4d01", &len);
    pc = s;
    assert_false(blvm_script_get_op(&pc, s + len, &op, &d, &dl));
    assert_ptr_equal(pc, s + 1);
    free(s);
}

static void test_sigop_counts(void **state) {
    (void)state;
    size_t len;
    /* CHECKSIG, OP_3 CHECKMULTISIG, CHECKMULTISIGVERIFY */
    uint8_t *s = unhex("ac53aeaf", &len);
    assert_int_equal(blvm_script_sigop_count(s, len, false), 1 + 20 + 20);
    assert_int_equal(blvm_script_sigop_count(s, len, true), 1 + 3 + 20);
    free(s);
    /* counting stops at a truncated push */
    s = unhex("ac4c", &len);
    assert_int_equal(blvm_script_sigop_count(s, len, false), 1);
    free(s);
    assert_int_equal(blvm_script_sigop_count(NULL, 0, true), 0);

    /* P2SH: the redeem script 2-of-3 multisig (52 ... 53 ae) is the last push. */
    uint8_t p2sh[23] = {OP_HASH160, 20};
    p2sh[22] = OP_EQUAL;
    uint8_t sig[] = {0x00, 0x02, 0x53, 0xae}; /* OP_0, push(OP_3 CHECKMULTISIG) */
    assert_true(blvm_script_is_p2sh(p2sh, sizeof p2sh));
    assert_int_equal(blvm_script_p2sh_sigop_count(p2sh, sizeof p2sh, sig, sizeof sig), 3);
    uint8_t notpush[] = {OP_NOP, 0x02, 0x53, 0xae};
    assert_int_equal(blvm_script_p2sh_sigop_count(p2sh, sizeof p2sh, notpush, sizeof notpush), 0);

    /* Witness sigops */
    blvm_witness w = {0, NULL, 0};
    uint8_t p2wpkh[22] = {OP_0, 20};
    uint32_t f = BLVM_SCRIPT_VERIFY_P2SH | BLVM_SCRIPT_VERIFY_WITNESS;
    assert_int_equal(blvm_script_witness_sigop_count(NULL, 0, p2wpkh, 22, &w, f), 1);
    assert_int_equal(
        blvm_script_witness_sigop_count(NULL, 0, p2wpkh, 22, &w, BLVM_SCRIPT_VERIFY_P2SH), 0);
    uint8_t wscript[] = {0x52, 0xae, 0xac}; /* OP_2 CHECKMULTISIG CHECKSIG */
    assert_true(blvm_witness_push(&w, wscript, sizeof wscript));
    uint8_t p2wsh[34] = {OP_0, 32};
    assert_int_equal(blvm_script_witness_sigop_count(NULL, 0, p2wsh, 34, &w, f), 3);
    /* P2SH-P2WPKH: scriptSig pushes the witness program */
    uint8_t nested[23] = {22, OP_0, 20};
    assert_int_equal(blvm_script_witness_sigop_count(nested, 23, p2sh, 23, &w, f), 1);
    /* taproot outputs have no sigops here */
    uint8_t p2tr[34] = {OP_1, 32};
    assert_int_equal(blvm_script_witness_sigop_count(NULL, 0, p2tr, 34, &w, f), 0);

    /* Transaction cost: 1 legacy output CHECKSIG (4) + P2SH 3*4 + P2WSH 3 */
    blvm_tx tx;
    blvm_tx_init(&tx);
    assert_true(blvm_tx_resize(&tx, 2, 1));
    tx.vin[0].prevout.n = 0;
    tx.vin[1].prevout.n = 1;
    assert_true(blvm_script_set(&tx.vin[0].script_sig, sig, sizeof sig));
    assert_true(blvm_witness_push(&tx.vin[1].witness, wscript, sizeof wscript));
    uint8_t out_spk[] = {OP_CHECKSIG};
    assert_true(blvm_script_set(&tx.vout[0].script_pubkey, out_spk, 1));
    blvm_txout spent[2] = {{1000, {p2sh, 23, 0}}, {1000, {p2wsh, 34, 0}}};
    assert_int_equal(blvm_tx_legacy_sigop_count(&tx), 1);
    assert_int_equal(blvm_tx_p2sh_sigop_count(&tx, spent), 3);
    assert_int_equal(blvm_tx_sigop_cost(&tx, spent, f), 4 + 12 + 3);
    assert_int_equal(blvm_tx_sigop_cost(&tx, spent, 0), 4);
    blvm_tx_clear(&tx);
    free(w.items[0].data);
    free(w.items);
}

static void test_find_and_delete(void **state) {
    (void)state;
    struct {
        const char *script, *del, *expect;
        size_t found;
    } cases[] = {
        {"0302ff03", "0302ff03", "", 1},
        {"0302ff030302ff03", "0302ff03", "", 2},
        {"0302ff030302ff03", "02", "0302ff030302ff03", 0}, /* not on an opcode boundary */
        {"0302ff030302ff03", "ff", "0302ff030302ff03", 0},
        {"0302ff030302ff03", "03", "02ff0302ff03", 2}, /* matches whole opcodes only */
        {"02feed5169", "feed51", "02feed5169", 0},
        {"0003feed", "03feed", "00", 1},
        {"0003feed", "00", "03feed", 1},
        {"ab61ab", "ab", "61", 2},
        {"4c", "4c", "", 1}, /* truncated push still matches */
    };
    for (size_t i = 0; i < BLVM_ARRAY_LEN(cases); i++) {
        size_t len, dlen, elen;
        uint8_t *s = blvm_hex_decode_alloc(cases[i].script, &len);
        uint8_t *d = blvm_hex_decode_alloc(cases[i].del, &dlen);
        uint8_t *e = blvm_hex_decode_alloc(cases[i].expect, &elen);
        assert_non_null(s);
        assert_non_null(d);
        assert_non_null(e);
        assert_int_equal(blvm_script_find_and_delete(s, &len, d, dlen), cases[i].found);
        assert_int_equal(len, elen);
        if (elen) assert_memory_equal(s, e, elen);
        free(s);
        free(d);
        free(e);
    }
}

/* ---- signature hashes ------------------------------------------------- */

static void test_sighash_single_bug(void **state) {
    (void)state;
    blvm_tx tx;
    blvm_tx_init(&tx);
    assert_true(blvm_tx_resize(&tx, 2, 1));
    uint8_t h[32], one[32] = {1};
    blvm_sighash_legacy(h, NULL, 0, &tx, 1, BLVM_SIGHASH_SINGLE);
    assert_memory_equal(h, one, 32);
    blvm_sighash_legacy(h, NULL, 0, &tx, 0, BLVM_SIGHASH_SINGLE);
    assert_memory_not_equal(h, one, 32);
    /* BIP143 with and without the precomputed hashes agree, for every type */
    blvm_tx_precomputed pd;
    blvm_tx_precompute(&pd, &tx, NULL, true);
    int types[] = {1, 2, 3, 0x81, 0x82, 0x83, 0};
    for (size_t i = 0; i < BLVM_ARRAY_LEN(types); i++) {
        uint8_t a[32], b[32];
        blvm_sighash_witness_v0(a, (const uint8_t *)"\x51", 1, &tx, 1, types[i], 5000, NULL);
        blvm_sighash_witness_v0(b, (const uint8_t *)"\x51", 1, &tx, 1, types[i], 5000, &pd);
        assert_memory_equal(a, b, 32);
    }
    blvm_tx_clear(&tx);
}

/* Taproot signature hashes from Bitcoin Core's functional test framework, as
 * used by rust-bitcoin's sighash tests: key path for each hash type, with an
 * annex, and script path (leaf version 0xc0, no code separator). */
static void check_taproot_sighash(const char *tx_hex, const char *prevouts_hex, size_t n_in,
                                  const char *expect, uint8_t hash_type, const char *annex_hex,
                                  const char *script_hex) {
    size_t tx_len, pv_len;
    uint8_t *txb = unhex(tx_hex, &tx_len), *pv = unhex(prevouts_hex, &pv_len);
    blvm_tx tx;
    blvm_tx_init(&tx);
    assert_true(blvm_tx_decode_bytes(&tx, txb, tx_len, true));
    /* prevouts: compact count, then (value, script) each */
    blvm_reader r;
    blvm_reader_init(&r, pv, pv_len);
    uint64_t n;
    assert_true(blvm_read_compact_size(&r, &n));
    assert_int_equal(n, tx.vin_count);
    blvm_txout *spent = calloc(n, sizeof(*spent));
    assert_non_null(spent);
    for (uint64_t i = 0; i < n; i++) {
        uint64_t v, sl;
        const uint8_t *sp;
        assert_true(blvm_read_u64(&r, &v));
        assert_true(blvm_read_compact_size(&r, &sl));
        assert_true(blvm_read_span(&r, &sp, sl));
        spent[i].value = (blvm_amount)v;
        spent[i].script_pubkey.data = (uint8_t *)sp;
        spent[i].script_pubkey.len = sl;
    }
    blvm_tx_precomputed pd;
    blvm_tx_precompute(&pd, &tx, spent, true);
    blvm_script_exec_data ed;
    memset(&ed, 0, sizeof(ed));
    ed.annex_init = true;
    if (annex_hex) {
        size_t al;
        uint8_t *a = unhex(annex_hex, &al);
        blvm_sha256_ctx h;
        uint8_t cs[9];
        blvm_sha256_init(&h);
        blvm_sha256_write(&h, cs, blvm_encode_compact_size(cs, al));
        blvm_sha256_write(&h, a, al);
        blvm_sha256_finalize(&h, ed.annex_hash);
        ed.annex_present = true;
        free(a);
    }
    blvm_sigversion sv = BLVM_SIGVERSION_TAPROOT;
    if (script_hex) {
        size_t sl;
        uint8_t *s = unhex(script_hex, &sl);
        blvm_sha256_ctx h;
        uint8_t cs[9], v = 0xc0;
        blvm_sha256_init_tagged(&h, "TapLeaf");
        blvm_sha256_write(&h, &v, 1);
        blvm_sha256_write(&h, cs, blvm_encode_compact_size(cs, sl));
        blvm_sha256_write(&h, s, sl);
        blvm_sha256_finalize(&h, ed.tapleaf_hash);
        ed.tapleaf_hash_init = true;
        ed.codeseparator_pos = 0xffffffffu;
        ed.codeseparator_pos_init = true;
        sv = BLVM_SIGVERSION_TAPSCRIPT;
        free(s);
    }
    uint8_t out[32];
    char got[65];
    assert_true(blvm_sighash_taproot(out, &ed, &tx, n_in, hash_type, sv, &pd));
    blvm_hex_encode(got, out, 32);
    assert_string_equal(got, expect);
    /* Undefined hash types are refused. */
    assert_false(blvm_sighash_taproot(out, &ed, &tx, n_in, 0x04, sv, &pd));
    assert_false(blvm_sighash_taproot(out, &ed, &tx, n_in, 0x80, sv, &pd));
    free(spent);
    blvm_tx_clear(&tx);
    free(txb);
    free(pv);
}

static void test_taproot_sighash_vectors(void **state) {
    (void)state;
    check_taproot_sighash(
        "020000000164eb050a5e3da0c2a65e4786f26d753b7bc69691fabccafb11f7acef36641f1846010000003101b2"
        "b404392a22000000000017a9147f2bde86fe78bf68a0544a4f290e12f0b7e0a08c87580200000000000017a914"
        "25d11723074ecfb96a0a83c3956bfaf362ae0c908758020000000000001600147e20f938993641de67bb0cdd71"
        "682aa34c4d29ad5802000000000000160014c64984dc8761acfa99418bd6bedc79b9287d652d72000000",
        "01365724000000000023542156b39dab4f8f3508e0432cfb41fab110170acaa2d4c42539cb90a4dc7c093bc50"
        "0",
        0, "33ca0ebfb4a945eeee9569fc0f5040221275f88690b7f8592ada88ce3bdf6703", 0x00, NULL, NULL);
    check_taproot_sighash(
        "0200000002fff49be59befe7566050737910f6ccdc5e749c7f8860ddc140386463d88c5ad0f3000000002cf68e"
        "b4a3d67f9d4c079249f7e4f27b8854815cb1ed13842d4fbf395f9e217fd605ee24090100000065235d9203f458"
        "520000000000160014b6d48333bb13b4c644e57c43a9a26df3a44b785e58020000000000001976a914eea9461a"
        "9e1e3f765d3af3e726162e0229fe3eb688ac58020000000000001976a9143a8869c9f2b5ea1d4ff3aeeb6a8fb2"
        "fffb1ad5fe88ac0ad7125c",
        "02591f220000000000225120f25ad35583ea31998d968871d7de1abd2a52f6fe4178b54ea158274806ff4ece48"
        "fb310000000000225120f25ad35583ea31998d968871d7de1abd2a52f6fe4178b54ea158274806ff4ece",
        1, "626ab955d58c9a8a600a0c580549d06dc7da4e802eb2a531f62a588e430967a8", 0x01, NULL, NULL);
    check_taproot_sighash(
        "0200000001350005f65aa830ced2079df348e2d8c2bdb4f10e2dde6a161d8a07b40d1ad87dae000000001611d0"
        "d603d9dc0e000000000017a914459b6d7d6bbb4d8837b4bf7e9a4556f952da2f5c8758020000000000001976a9"
        "141dd70e1299ffc2d5b51f6f87de9dfe9398c33cbb88ac58020000000000001976a9141dd70e1299ffc2d5b51f"
        "6f87de9dfe9398c33cbb88aca71c1f4f",
        "01c4811000000000002251201bf9297d0a2968ae6693aadd0fa514717afefd218087a239afb7418e2d22e65c",
        0, "dfa9437f9c9a1d1f9af271f79f2f5482f287cdb0d2e03fa92c8a9b216cc6061c", 0x81, NULL, NULL);
    check_taproot_sighash(
        "020000000185bed1a6da2bffbd60ec681a1bfb71c5111d6395b99b3f8b2bf90167111bcb18f5010000007c83ac"
        "e802ded24a00000000001600142c4698f9f7a773866879755aa78c516fb332af8e5802000000000000160014d3"
        "8639dfbac4259323b98a472405db0c461b31fa61073747",
        "0144c84d0000000000225120e3f2107989c88e67296ab2faca930efa2e3a5bd3ff0904835a11c9e807458621",
        0, "3129de36a5d05fff97ffca31eb75fcccbbbc27b3147a7a36a9e4b45d8b625067", 0x02, NULL, NULL);
    check_taproot_sighash(
        "eb93dbb901028c8515589dac980b6e7f8e4088b77ed866ca0d6d210a7218b6fd0f6b22dd6d7300000000eb4740"
        "a9047efc0e0000000000160014913da2128d8fcf292b3691db0e187414aa178382580200000000000016001491"
        "3da2128d8fcf292b3691db0e187414aa178382580200000000000017a9143dd27f01c6f7ef9bb9159937b17f17"
        "065ed01a0c875802000000000000160014d7630e19df70ada9905ede1722b800c0005f246641000000",
        "013fed110000000000225120eb536ae8c33580290630fc495046e998086a64f8f33b93b07967d9029b265c55",
        0, "2441e8b0e063a2083ee790f14f2045022f07258ddde5ee01de543c9e789d80ae", 0x82, NULL, NULL);
    check_taproot_sighash(
        "02000000017836b409a5fed32211407e44b971591f2032053f14701fb5b3a30c0ff382f2cc9c0100000061ac55"
        "f60288fb5600000000001976a9144ea02f6f182b082fb6ce47e36bbde390b6a41b5088ac580200000000000019"
        "76a9144ea02f6f182b082fb6ce47e36bbde390b6a41b5088ace4000000",
        "01efa558000000000022512007071ea3dc7e331b0687d0193d1e6d6ed10e645ef36f10ef8831d5e522ac9e80",
        0, "30239345177cadd0e3ea413d49803580abb6cb27971b481b7788a78d35117a88", 0x03, NULL, NULL);
    check_taproot_sighash(
        "0100000001aa6deae89d5e0aaca58714fc76ef6f3c8284224888089232d4e663843ed3ab3eae010000008b6657"
        "a60450cb4c0000000000160014a3d42b5413ef0c0701c4702f3cd7d4df222c147058020000000000001976a914"
        "30b4ed8723a4ee8992aa2c8814cfe5c3ad0ab9d988ac5802000000000000160014365b1166a6ed0a5e8e9dff17"
        "a6d00bbb43454bc758020000000000001976a914bc98c51a84fe7fad5dc380eb8b39586eff47241688ac4f3132"
        "47",
        "0107af4e00000000002251202c36d243dfc06cb56a248e62df27ecba7417307511a81ae61aa41c597a929c69",
        0, "bf9c83f26c6dd16449e4921f813f551c4218e86f2ec906ca8611175b41b566df", 0x83, NULL, NULL);
    check_taproot_sighash(
        "0200000001df8123752e8f37d132c4e9f1ff7e4f9b986ade9211267e9ebd5fd22a5e718dec6d01000000ce4023"
        "b903cb7b23000000000017a914a18b36ea7a094db2f4940fc09edf154e86de7bd787580200000000000017a914"
        "afd0d512a2c5c2b40e25669e9cc460303c325b8b87580200000000000017a914a18b36ea7a094db2f4940fc09e"
        "df154e86de7bd787f6020000",
        "01ea49260000000000225120ab5e9800806bf18cb246edcf5fe63441208fe955a4b5a35bbff65f5db622a010",
        0, "3b003000add359a364a156e73e02846782a59d0d95ca8c4638aaad99f2ef915c", 0x83,
        "507b979802e62d397acb29f56743a791894b99372872fc5af06a4f6e8d242d0615cda53062bb20e6ec79756fe3"
        "9183f0c128adfe85559a8fa042b042c018aa8010143799e44f0893c40e1e",
        NULL);
    check_taproot_sighash(
        "020000000189fc651483f9296b906455dd939813bf086b1bbe7c77635e157c8e14ae29062195010000004445b5"
        "c7044561320000000000160014331414dbdada7fb578f700f38fb69995fc9b5ab958020000000000001976a914"
        "268db0a8104cc6d8afd91233cc8b3d1ace8ac3ef88ac580200000000000017a914ec00dcb368d6a693e11986d2"
        "65f659d2f59e8be2875802000000000000160014c715799a49a0bae3956df9c17cb4440a673ac0df6f010000",
        "011bec34000000000022512028055142ea437db73382e991861446040b61dd2185c4891d7daf6893d79f7182",
        0, "d66de5274a60400c7b08c86ba6b7f198f40660079edf53aca89d2a9501317f2e", 0x01, NULL,
        "20cc4e1107aea1d170c5ff5b6817e1303010049724fb3caa7941792ea9d29b3e2bacab");
}

/* ---- taproot spends built and signed here ----------------------------- */

#define F_TAP (BLVM_SCRIPT_VERIFY_P2SH | BLVM_SCRIPT_VERIFY_WITNESS | BLVM_SCRIPT_VERIFY_TAPROOT)

static const uint8_t sk_internal[32] = {
    0x31, 0x41, 0x59, 0x26, 0x53, 0x58, 0x97, 0x93, 0x23, 0x84, 0x62, 0x64, 0x33, 0x83, 0x27, 0x95,
    0x02, 0x88, 0x41, 0x97, 0x16, 0x93, 0x99, 0x37, 0x51, 0x05, 0x82, 0x09, 0x74, 0x94, 0x45, 0x92};
static const uint8_t sk_a[32] = {0x27, 0x18, 0x28, 0x18, 0x28, 0x45, 0x90, 0x45, 0x23, 0x53, 0x60,
                                 0x28, 0x74, 0x71, 0x35, 0x26, 0x62, 0x49, 0x77, 0x57, 0x24, 0x70,
                                 0x93, 0x69, 0x99, 0x59, 0x57, 0x49, 0x66, 0x96, 0x76, 0x27};
static const uint8_t sk_b[32] = {0x14, 0x14, 0x21, 0x35, 0x62, 0x37, 0x30, 0x95, 0x04, 0x88, 0x01,
                                 0x68, 0x87, 0x24, 0x20, 0x96, 0x98, 0x07, 0x85, 0x69, 0x67, 0x18,
                                 0x75, 0x37, 0x69, 0x48, 0x07, 0x31, 0x76, 0x67, 0x97, 0x37};

static void xonly_of(uint8_t out[32], const uint8_t sk[32]) {
    secp256k1_keypair kp;
    secp256k1_xonly_pubkey x;
    assert_true(secp256k1_keypair_create(ctx, &kp, sk));
    assert_true(secp256k1_keypair_xonly_pub(ctx, &x, NULL, &kp));
    assert_true(secp256k1_xonly_pubkey_serialize(ctx, out, &x));
}

typedef struct {
    uint8_t script[200];
    size_t script_len;
    uint8_t leaf_hash[32];
    uint8_t merkle_root[32];
    uint8_t control[65];
    size_t control_len;
    uint8_t spk[34];
    blvm_tx tx;
    blvm_txout spent;
    blvm_tx_precomputed pd;
} tap;

static void leaf_hash_of(uint8_t out[32], uint8_t ver, const uint8_t *s, size_t len) {
    blvm_sha256_ctx h;
    uint8_t cs[9];
    blvm_sha256_init_tagged(&h, "TapLeaf");
    blvm_sha256_write(&h, &ver, 1);
    blvm_sha256_write(&h, cs, blvm_encode_compact_size(cs, len));
    if (len) blvm_sha256_write(&h, s, len);
    blvm_sha256_finalize(&h, out);
}

/* One leaf (with an optional sibling hash) under the internal key. */
static void tap_setup(tap *t, const uint8_t *script, size_t len, uint8_t leaf_ver,
                      const uint8_t *sibling) {
    memset(t, 0, sizeof(*t));
    assert_true(len <= sizeof(t->script));
    memcpy(t->script, script, len);
    t->script_len = len;
    leaf_hash_of(t->leaf_hash, leaf_ver, script, len);
    memcpy(t->merkle_root, t->leaf_hash, 32);
    if (sibling) {
        blvm_sha256_ctx h;
        blvm_sha256_init_tagged(&h, "TapBranch");
        bool leaf_first = memcmp(t->leaf_hash, sibling, 32) < 0;
        blvm_sha256_write(&h, leaf_first ? t->leaf_hash : sibling, 32);
        blvm_sha256_write(&h, leaf_first ? sibling : t->leaf_hash, 32);
        blvm_sha256_finalize(&h, t->merkle_root);
    }
    uint8_t p[32], buf[64], tweak[32];
    xonly_of(p, sk_internal);
    memcpy(buf, p, 32);
    memcpy(buf + 32, t->merkle_root, 32);
    blvm_tagged_hash(tweak, "TapTweak", buf, 64);
    secp256k1_xonly_pubkey xp, xq;
    secp256k1_pubkey full;
    int parity;
    assert_true(secp256k1_xonly_pubkey_parse(ctx, &xp, p));
    assert_true(secp256k1_xonly_pubkey_tweak_add(ctx, &full, &xp, tweak));
    assert_true(secp256k1_xonly_pubkey_from_pubkey(ctx, &xq, &parity, &full));
    t->spk[0] = OP_1;
    t->spk[1] = 32;
    assert_true(secp256k1_xonly_pubkey_serialize(ctx, t->spk + 2, &xq));
    t->control[0] = (uint8_t)(leaf_ver | parity);
    memcpy(t->control + 1, p, 32);
    t->control_len = 33;
    if (sibling) {
        memcpy(t->control + 33, sibling, 32);
        t->control_len = 65;
    }
    t->spent.value = 50000;
    t->spent.script_pubkey.data = t->spk;
    t->spent.script_pubkey.len = 34;
    blvm_tx_init(&t->tx);
}

static void tap_build_tx(tap *t) {
    blvm_tx_clear(&t->tx);
    blvm_tx_init(&t->tx);
    assert_true(blvm_tx_resize(&t->tx, 1, 1));
    t->tx.version = 2;
    memset(t->tx.vin[0].prevout.hash, 0x22, 32);
    t->tx.vin[0].prevout.n = 3;
    t->tx.vin[0].sequence = 0xfffffffe;
    static const uint8_t out[22] = {0x00, 0x14, 9, 9, 9, 9, 9, 9, 9, 9, 9,
                                    9,    9,    9, 9, 9, 9, 9, 9, 9, 9, 9};
    assert_true(blvm_script_set(&t->tx.vout[0].script_pubkey, out, sizeof out));
    t->tx.vout[0].value = 40000;
    blvm_tx_precompute(&t->pd, &t->tx, &t->spent, true);
}

static void annex_hash_of(uint8_t out[32], const uint8_t *annex, size_t len) {
    blvm_sha256_ctx h;
    uint8_t cs[9];
    blvm_sha256_init(&h);
    blvm_sha256_write(&h, cs, blvm_encode_compact_size(cs, len));
    blvm_sha256_write(&h, annex, len);
    blvm_sha256_finalize(&h, out);
}

/* Signs the tapscript sighash (or the key path one when keypath) with sk.
 * Returns the signature length (64, or 65 with hash_type appended). */
static size_t tap_sign(tap *t, uint8_t sig[65], const uint8_t sk[32], bool keypath,
                       const uint8_t *annex, size_t annex_len, uint32_t codesep,
                       uint8_t hash_type) {
    tap_build_tx(t);
    blvm_script_exec_data ed;
    memset(&ed, 0, sizeof(ed));
    ed.annex_init = true;
    if (annex) {
        annex_hash_of(ed.annex_hash, annex, annex_len);
        ed.annex_present = true;
    }
    memcpy(ed.tapleaf_hash, t->leaf_hash, 32);
    ed.tapleaf_hash_init = true;
    ed.codeseparator_pos = codesep;
    ed.codeseparator_pos_init = true;
    uint8_t h[32];
    assert_true(blvm_sighash_taproot(h, &ed, &t->tx, 0, hash_type,
                                     keypath ? BLVM_SIGVERSION_TAPROOT : BLVM_SIGVERSION_TAPSCRIPT,
                                     &t->pd));
    secp256k1_keypair kp;
    assert_true(secp256k1_keypair_create(ctx, &kp, sk));
    if (keypath) {
        uint8_t p[32], buf[64], tweak[32];
        xonly_of(p, sk);
        memcpy(buf, p, 32);
        memcpy(buf + 32, t->merkle_root, 32);
        blvm_tagged_hash(tweak, "TapTweak", buf, 64);
        assert_true(secp256k1_keypair_xonly_tweak_add(ctx, &kp, tweak));
    }
    static const uint8_t aux[32];
    assert_true(secp256k1_schnorrsig_sign32(ctx, sig, h, &kp, aux));
    if (hash_type == BLVM_SIGHASH_DEFAULT) return 64;
    sig[64] = hash_type;
    return 65;
}

typedef struct {
    const uint8_t *data;
    size_t len;
} item;

/* Witness: items..., then (script path) script and control, then annex. */
static bool tap_run(tap *t, const item *items, size_t n, bool keypath, const uint8_t *annex,
                    size_t annex_len, uint32_t flags, blvm_script_error *err) {
    tap_build_tx(t);
    blvm_witness *w = &t->tx.vin[0].witness;
    for (size_t i = 0; i < n; i++)
        assert_true(blvm_witness_push(w, items[i].data, items[i].len));
    if (!keypath) {
        assert_true(blvm_witness_push(w, t->script, t->script_len));
        assert_true(blvm_witness_push(w, t->control, t->control_len));
    }
    if (annex) assert_true(blvm_witness_push(w, annex, annex_len));
    blvm_sig_checker c = {&t->tx, 0, t->spent.value, &t->pd};
    return blvm_verify_script(NULL, 0, t->spk, 34, w, flags, &c, err);
}

static void expect_run(tap *t, const item *items, size_t n, bool keypath, const uint8_t *annex,
                       size_t annex_len, uint32_t flags, blvm_script_error want) {
    blvm_script_error err = BLVM_SCRIPT_ERR_UNKNOWN_ERROR;
    bool ok = tap_run(t, items, n, keypath, annex, annex_len, flags, &err);
    if (err != want)
        fail_msg("got %s, expected %s", blvm_script_error_name(err), blvm_script_error_name(want));
    assert_int_equal(ok, want == BLVM_SCRIPT_ERR_OK);
}

static void test_taproot_keypath(void **state) {
    (void)state;
    tap t;
    uint8_t sibling[32];
    memset(sibling, 0x5a, 32);
    const uint8_t leaf[] = {OP_1};
    tap_setup(&t, leaf, sizeof leaf, 0xc0, sibling);
    uint8_t sig[65];
    size_t sl = tap_sign(&t, sig, sk_internal, true, NULL, 0, 0xffffffffu, 0);
    item it = {sig, sl};
    expect_run(&t, &it, 1, true, NULL, 0, F_TAP, BLVM_SCRIPT_ERR_OK);
    /* every defined explicit hash type */
    const uint8_t types[] = {1, 2, 3, 0x81, 0x82, 0x83};
    for (size_t i = 0; i < sizeof types; i++) {
        sl = tap_sign(&t, sig, sk_internal, true, NULL, 0, 0xffffffffu, types[i]);
        it.len = sl;
        expect_run(&t, &it, 1, true, NULL, 0, F_TAP, BLVM_SCRIPT_ERR_OK);
    }
    /* a flipped bit */
    sl = tap_sign(&t, sig, sk_internal, true, NULL, 0, 0xffffffffu, 0);
    sig[10] ^= 1;
    it.len = sl;
    expect_run(&t, &it, 1, true, NULL, 0, F_TAP, BLVM_SCRIPT_ERR_SCHNORR_SIG);
    /* without the TAPROOT flag v1 outputs are anyone-can-spend */
    expect_run(&t, &it, 1, true, NULL, 0, F_TAP & ~BLVM_SCRIPT_VERIFY_TAPROOT, BLVM_SCRIPT_ERR_OK);
    /* an explicit SIGHASH_DEFAULT byte is not allowed */
    sl = tap_sign(&t, sig, sk_internal, true, NULL, 0, 0xffffffffu, 0);
    sig[64] = 0;
    it.len = 65;
    expect_run(&t, &it, 1, true, NULL, 0, F_TAP, BLVM_SCRIPT_ERR_SCHNORR_SIG_HASHTYPE);
    sig[64] = 0x04; /* undefined type */
    expect_run(&t, &it, 1, true, NULL, 0, F_TAP, BLVM_SCRIPT_ERR_SCHNORR_SIG_HASHTYPE);
    it.len = 63;
    expect_run(&t, &it, 1, true, NULL, 0, F_TAP, BLVM_SCRIPT_ERR_SCHNORR_SIG_SIZE);
    /* the untweaked key does not sign for the output key */
    sl = tap_sign(&t, sig, sk_a, true, NULL, 0, 0xffffffffu, 0);
    it.len = sl;
    expect_run(&t, &it, 1, true, NULL, 0, F_TAP, BLVM_SCRIPT_ERR_SCHNORR_SIG);
    /* the annex is committed to */
    const uint8_t annex[] = {0x50, 0xde, 0xad};
    sl = tap_sign(&t, sig, sk_internal, true, annex, sizeof annex, 0xffffffffu, 0);
    it.len = sl;
    expect_run(&t, &it, 1, true, annex, sizeof annex, F_TAP, BLVM_SCRIPT_ERR_OK);
    expect_run(&t, &it, 1, true, NULL, 0, F_TAP, BLVM_SCRIPT_ERR_SCHNORR_SIG);
    /* an empty witness */
    expect_run(&t, NULL, 0, true, NULL, 0, F_TAP, BLVM_SCRIPT_ERR_WITNESS_PROGRAM_WITNESS_EMPTY);
    blvm_tx_clear(&t.tx);
}

static void test_tapscript_checksig(void **state) {
    (void)state;
    tap t;
    uint8_t script[34];
    script[0] = 32;
    xonly_of(script + 1, sk_a);
    script[33] = OP_CHECKSIG;
    uint8_t sibling[32];
    memset(sibling, 0xa5, 32);
    tap_setup(&t, script, sizeof script, 0xc0, sibling);
    uint8_t sig[65];
    size_t sl = tap_sign(&t, sig, sk_a, false, NULL, 0, 0xffffffffu, 0);
    item it = {sig, sl};
    expect_run(&t, &it, 1, false, NULL, 0, F_TAP, BLVM_SCRIPT_ERR_OK);
    /* a wrong signature fails the script (no NULLFAIL flag needed) */
    sig[5] ^= 0x80;
    expect_run(&t, &it, 1, false, NULL, 0, F_TAP, BLVM_SCRIPT_ERR_SCHNORR_SIG);
    /* an empty signature is a clean "false" */
    item empty = {NULL, 0};
    expect_run(&t, &empty, 1, false, NULL, 0, F_TAP, BLVM_SCRIPT_ERR_EVAL_FALSE);
    /* signed by the wrong key */
    sl = tap_sign(&t, sig, sk_b, false, NULL, 0, 0xffffffffu, 0);
    expect_run(&t, &it, 1, false, NULL, 0, F_TAP, BLVM_SCRIPT_ERR_SCHNORR_SIG);
    /* a key-path signature does not work in a script (different sighash) */
    sl = tap_sign(&t, sig, sk_a, true, NULL, 0, 0xffffffffu, 0);
    expect_run(&t, &it, 1, false, NULL, 0, F_TAP, BLVM_SCRIPT_ERR_SCHNORR_SIG);
    /* annex */
    const uint8_t annex[] = {0x50, 1, 2, 3, 4};
    sl = tap_sign(&t, sig, sk_a, false, annex, sizeof annex, 0xffffffffu, 0x83);
    it.len = sl;
    expect_run(&t, &it, 1, false, annex, sizeof annex, F_TAP, BLVM_SCRIPT_ERR_OK);
    /* a damaged control block: wrong internal key or path */
    t.control[5] ^= 1;
    expect_run(&t, &it, 1, false, annex, sizeof annex, F_TAP,
               BLVM_SCRIPT_ERR_WITNESS_PROGRAM_MISMATCH);
    t.control[5] ^= 1;
    t.control[40] ^= 1;
    expect_run(&t, &it, 1, false, annex, sizeof annex, F_TAP,
               BLVM_SCRIPT_ERR_WITNESS_PROGRAM_MISMATCH);
    t.control[40] ^= 1;
    t.control_len = 34;
    expect_run(&t, &it, 1, false, annex, sizeof annex, F_TAP,
               BLVM_SCRIPT_ERR_TAPROOT_WRONG_CONTROL_SIZE);
    t.control_len = 65;
    /* wrong parity bit */
    t.control[0] ^= 1;
    expect_run(&t, &it, 1, false, annex, sizeof annex, F_TAP,
               BLVM_SCRIPT_ERR_WITNESS_PROGRAM_MISMATCH);
    blvm_tx_clear(&t.tx);
}

static void run_script_case(const uint8_t *script, size_t len, uint8_t leaf_ver, const item *items,
                            size_t n, uint32_t flags, blvm_script_error want) {
    tap t;
    tap_setup(&t, script, len, leaf_ver, NULL);
    expect_run(&t, items, n, false, NULL, 0, flags, want);
    blvm_tx_clear(&t.tx);
}

static void test_tapscript_rules(void **state) {
    (void)state;
    const uint8_t one[] = {1}, two[] = {2};
    item i_one = {one, 1}, i_two = {two, 1};
    /* BIP342: CHECKMULTISIG is gone */
    const uint8_t cms[] = {OP_0, OP_0, OP_0, OP_CHECKMULTISIG};
    run_script_case(cms, sizeof cms, 0xc0, NULL, 0, F_TAP, BLVM_SCRIPT_ERR_TAPSCRIPT_CHECKMULTISIG);
    /* OP_SUCCESSx: succeeds before anything else, even a bad opcode later */
    const uint8_t success[] = {OP_RETURN, 0x50, 0x4d};
    run_script_case(success, sizeof success, 0xc0, NULL, 0, F_TAP, BLVM_SCRIPT_ERR_OK);
    run_script_case(success, sizeof success, 0xc0, NULL, 0,
                    F_TAP | BLVM_SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS,
                    BLVM_SCRIPT_ERR_DISCOURAGE_OP_SUCCESS);
    const uint8_t bad_then_success[] = {0x4d, 0x50};
    run_script_case(bad_then_success, sizeof bad_then_success, 0xc0, NULL, 0, F_TAP,
                    BLVM_SCRIPT_ERR_BAD_OPCODE);
    /* unknown leaf versions succeed unless discouraged */
    const uint8_t ret[] = {OP_RETURN};
    run_script_case(ret, sizeof ret, 0xc2, NULL, 0, F_TAP, BLVM_SCRIPT_ERR_OK);
    run_script_case(ret, sizeof ret, 0xc2, NULL, 0,
                    F_TAP | BLVM_SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION,
                    BLVM_SCRIPT_ERR_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION);
    run_script_case(ret, sizeof ret, 0xc0, NULL, 0, F_TAP, BLVM_SCRIPT_ERR_OP_RETURN);
    /* minimal IF is consensus in tapscript */
    const uint8_t ifs[] = {OP_IF, OP_1, OP_ELSE, OP_1, OP_ENDIF};
    run_script_case(ifs, sizeof ifs, 0xc0, &i_one, 1, F_TAP, BLVM_SCRIPT_ERR_OK);
    run_script_case(ifs, sizeof ifs, 0xc0, &i_two, 1, F_TAP, BLVM_SCRIPT_ERR_TAPSCRIPT_MINIMALIF);
    /* empty key with an empty signature still fails */
    const uint8_t empty_key[] = {OP_0, OP_0, OP_CHECKSIG};
    run_script_case(empty_key, sizeof empty_key, 0xc0, NULL, 0, F_TAP,
                    BLVM_SCRIPT_ERR_TAPSCRIPT_EMPTY_PUBKEY);
    /* an unknown key type (33 bytes) with any non-empty signature passes */
    uint8_t unknown_key[1 + 1 + 1 + 33 + 1] = {1, 0x01, 33};
    unknown_key[36] = OP_CHECKSIG;
    run_script_case(unknown_key, sizeof unknown_key, 0xc0, NULL, 0, F_TAP, BLVM_SCRIPT_ERR_OK);
    run_script_case(unknown_key, sizeof unknown_key, 0xc0, NULL, 0,
                    F_TAP | BLVM_SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE,
                    BLVM_SCRIPT_ERR_DISCOURAGE_UPGRADABLE_PUBKEYTYPE);
    /* no 201-opcode limit and no 10000-byte script limit in tapscript */
    uint8_t many_nops[10500];
    memset(many_nops, OP_NOP, sizeof many_nops);
    many_nops[sizeof many_nops - 1] = OP_1;
    blvm_stack st;
    blvm_stack_init(&st);
    blvm_script_exec_data ed;
    memset(&ed, 0, sizeof(ed));
    blvm_script_error err;
    assert_true(blvm_eval_script(&st, many_nops, sizeof many_nops, F_TAP, NULL,
                                 BLVM_SIGVERSION_TAPSCRIPT, &ed, &err));
    blvm_stack_clear(&st);
    assert_false(blvm_eval_script(&st, many_nops, sizeof many_nops, F_TAP, NULL,
                                  BLVM_SIGVERSION_WITNESS_V0, &ed, &err));
    assert_int_equal(err, BLVM_SCRIPT_ERR_SCRIPT_SIZE);
    blvm_stack_clear(&st);
    /* CHECKSIGADD only exists in tapscript */
    const uint8_t csa[] = {OP_0, OP_0, OP_0, OP_CHECKSIGADD};
    assert_false(
        blvm_eval_script(&st, csa, sizeof csa, F_TAP, NULL, BLVM_SIGVERSION_BASE, &ed, &err));
    assert_int_equal(err, BLVM_SCRIPT_ERR_BAD_OPCODE);
    blvm_stack_clear(&st);
}

static void test_tapscript_multi(void **state) {
    (void)state;
    /* 2-of-2 with CHECKSIGADD: <A> CHECKSIG <B> CHECKSIGADD 2 NUMEQUAL */
    uint8_t s[70];
    size_t n = 0;
    s[n++] = 32;
    xonly_of(s + n, sk_a);
    n += 32;
    s[n++] = OP_CHECKSIG;
    s[n++] = 32;
    xonly_of(s + n, sk_b);
    n += 32;
    s[n++] = OP_CHECKSIGADD;
    s[n++] = OP_2;
    s[n++] = OP_NUMEQUAL;
    tap t;
    tap_setup(&t, s, n, 0xc0, NULL);
    uint8_t sa[65], sb[65];
    size_t la = tap_sign(&t, sa, sk_a, false, NULL, 0, 0xffffffffu, 0);
    size_t lb = tap_sign(&t, sb, sk_b, false, NULL, 0, 0xffffffffu, 0);
    item both[2] = {{sb, lb}, {sa, la}}; /* B's signature is deeper in the stack */
    expect_run(&t, both, 2, false, NULL, 0, F_TAP, BLVM_SCRIPT_ERR_OK);
    item only_a[2] = {{NULL, 0}, {sa, la}};
    expect_run(&t, only_a, 2, false, NULL, 0, F_TAP, BLVM_SCRIPT_ERR_EVAL_FALSE);
    item swapped[2] = {{sa, la}, {sb, lb}};
    expect_run(&t, swapped, 2, false, NULL, 0, F_TAP, BLVM_SCRIPT_ERR_SCHNORR_SIG);
    blvm_tx_clear(&t.tx);

    /* OP_CODESEPARATOR moves the committed position: CODESEPARATOR <A> CHECKSIG */
    uint8_t c[35];
    c[0] = OP_CODESEPARATOR;
    c[1] = 32;
    xonly_of(c + 2, sk_a);
    c[34] = OP_CHECKSIG;
    tap_setup(&t, c, sizeof c, 0xc0, NULL);
    la = tap_sign(&t, sa, sk_a, false, NULL, 0, 0, 0);
    item one = {sa, la};
    expect_run(&t, &one, 1, false, NULL, 0, F_TAP, BLVM_SCRIPT_ERR_OK);
    la = tap_sign(&t, sa, sk_a, false, NULL, 0, 0xffffffffu, 0);
    expect_run(&t, &one, 1, false, NULL, 0, F_TAP, BLVM_SCRIPT_ERR_SCHNORR_SIG);
    blvm_tx_clear(&t.tx);

    /* The signature budget: witness size + 50, 50 per signature checked.
     * 2DUP CHECKSIGVERIFY x4, CHECKSIG: five checks of one (sig, key). */
    uint8_t w[9] = {OP_2DUP,           OP_CHECKSIGVERIFY, OP_2DUP,
                    OP_CHECKSIGVERIFY, OP_2DUP,           OP_CHECKSIGVERIFY,
                    OP_2DUP,           OP_CHECKSIGVERIFY, OP_CHECKSIG};
    uint8_t key[32];
    xonly_of(key, sk_a);
    tap_setup(&t, w, sizeof w, 0xc0, NULL);
    la = tap_sign(&t, sa, sk_a, false, NULL, 0, 0xffffffffu, 0);
    item sk_items[2] = {{sa, la}, {key, 32}};
    expect_run(&t, sk_items, 2, false, NULL, 0, F_TAP, BLVM_SCRIPT_ERR_TAPSCRIPT_VALIDATION_WEIGHT);
    /* a big annex raises the budget */
    uint8_t annex[200];
    memset(annex, 0, sizeof annex);
    annex[0] = 0x50;
    la = tap_sign(&t, sa, sk_a, false, annex, sizeof annex, 0xffffffffu, 0);
    expect_run(&t, sk_items, 2, false, annex, sizeof annex, F_TAP, BLVM_SCRIPT_ERR_OK);
    blvm_tx_clear(&t.tx);
}

/* ---- segwit v0 and legacy spends -------------------------------------- */

static const uint8_t sk_ecdsa[32] = {
    0x77, 0x01, 0x22, 0x35, 0x99, 0x40, 0x11, 0x6b, 0x3c, 0x50, 0xe2, 0x1d, 0x4f, 0x91, 0x08, 0x8e,
    0x5a, 0x7b, 0x13, 0x64, 0x29, 0xd0, 0xc5, 0x36, 0x0a, 0xee, 0x81, 0x47, 0x02, 0x6c, 0x19, 0x33};

static size_t ecdsa_sig(uint8_t out[80], const uint8_t h[32], uint8_t hash_type) {
    secp256k1_ecdsa_signature s;
    size_t len = 72;
    assert_true(secp256k1_ecdsa_sign(ctx, &s, h, sk_ecdsa, NULL, NULL));
    assert_true(secp256k1_ecdsa_signature_serialize_der(ctx, out, &len, &s));
    out[len] = hash_type;
    return len + 1;
}

static void pubkey33(uint8_t out[33]) {
    secp256k1_pubkey p;
    size_t len = 33;
    assert_true(secp256k1_ec_pubkey_create(ctx, &p, sk_ecdsa));
    assert_true(secp256k1_ec_pubkey_serialize(ctx, out, &len, &p, SECP256K1_EC_COMPRESSED));
}

static void test_witness_v0(void **state) {
    (void)state;
    const uint32_t f = BLVM_SCRIPT_VERIFY_P2SH | BLVM_SCRIPT_VERIFY_WITNESS |
                       BLVM_SCRIPT_VERIFY_DERSIG | BLVM_SCRIPT_VERIFY_NULLFAIL |
                       BLVM_SCRIPT_VERIFY_CLEANSTACK;
    uint8_t pk[33];
    pubkey33(pk);
    /* witness script: <pk> CHECKSIG; P2WSH program = SHA256(script) */
    uint8_t ws[35] = {33};
    memcpy(ws + 1, pk, 33);
    ws[34] = OP_CHECKSIG;
    uint8_t p2wsh[34] = {OP_0, 32};
    blvm_sha256(p2wsh + 2, ws, sizeof ws);
    blvm_tx tx;
    blvm_tx_init(&tx);
    assert_true(blvm_tx_resize(&tx, 1, 1));
    tx.version = 1;
    tx.vin[0].sequence = 0xffffffff;
    tx.vout[0].value = 1000;
    const blvm_amount amount = 123456;
    uint8_t h[32], sig[80];
    blvm_sighash_witness_v0(h, ws, sizeof ws, &tx, 0, BLVM_SIGHASH_ALL, amount, NULL);
    size_t sl = ecdsa_sig(sig, h, BLVM_SIGHASH_ALL);
    assert_true(blvm_witness_push(&tx.vin[0].witness, sig, sl));
    assert_true(blvm_witness_push(&tx.vin[0].witness, ws, sizeof ws));
    blvm_tx_precomputed pd;
    blvm_tx_precompute(&pd, &tx, NULL, false);
    assert_true(pd.bip143_ready);
    blvm_sig_checker c = {&tx, 0, amount, &pd};
    blvm_script_error err;
    assert_true(blvm_verify_script(NULL, 0, p2wsh, 34, &tx.vin[0].witness, f, &c, &err));
    assert_int_equal(err, BLVM_SCRIPT_ERR_OK);
    /* BIP143 signs the amount */
    blvm_sig_checker wrong = {&tx, 0, amount + 1, &pd};
    assert_false(blvm_verify_script(NULL, 0, p2wsh, 34, &tx.vin[0].witness, f, &wrong, &err));
    assert_int_equal(err, BLVM_SCRIPT_ERR_SIG_NULLFAIL);
    /* a different script hash */
    p2wsh[5] ^= 1;
    assert_false(blvm_verify_script(NULL, 0, p2wsh, 34, &tx.vin[0].witness, f, &c, &err));
    assert_int_equal(err, BLVM_SCRIPT_ERR_WITNESS_PROGRAM_MISMATCH);
    p2wsh[5] ^= 1;
    /* a scriptSig on a native witness spend */
    const uint8_t junk[] = {OP_0};
    assert_false(blvm_verify_script(junk, 1, p2wsh, 34, &tx.vin[0].witness, f, &c, &err));
    assert_int_equal(err, BLVM_SCRIPT_ERR_WITNESS_MALLEATED);
    /* without WITNESS, the program is just OP_0 <32 bytes>: true, and the
     * witness is ignored */
    assert_true(blvm_verify_script(NULL, 0, p2wsh, 34, &tx.vin[0].witness, BLVM_SCRIPT_VERIFY_P2SH,
                                   &c, &err));

    /* The same witness program nested in P2SH (BIP141): scriptSig is one
     * push of the program, scriptPubKey HASH160 of it. */
    uint8_t p2sh[23] = {OP_HASH160, 20};
    blvm_hash160(p2sh + 2, p2wsh, 34);
    p2sh[22] = OP_EQUAL;
    uint8_t ss[35] = {34};
    memcpy(ss + 1, p2wsh, 34);
    assert_true(blvm_verify_script(ss, sizeof ss, p2sh, 23, &tx.vin[0].witness, f, &c, &err));
    /* a second push in the scriptSig is malleation */
    uint8_t ss2[36] = {OP_0, 34};
    memcpy(ss2 + 2, p2wsh, 34);
    assert_false(blvm_verify_script(ss2, sizeof ss2, p2sh, 23, &tx.vin[0].witness,
                                    f & ~BLVM_SCRIPT_VERIFY_CLEANSTACK, &c, &err));
    assert_int_equal(err, BLVM_SCRIPT_ERR_WITNESS_MALLEATED_P2SH);
    /* a witness on a non-witness spend */
    const uint8_t t1[] = {OP_1};
    assert_false(blvm_verify_script(NULL, 0, t1, 1, &tx.vin[0].witness, f, &c, &err));
    assert_int_equal(err, BLVM_SCRIPT_ERR_WITNESS_UNEXPECTED);
    /* pay-to-anchor is spendable with an empty witness and not discouraged */
    const uint8_t p2a[] = {OP_1, 2, 0x4e, 0x73};
    blvm_witness none = {0, NULL, 0};
    assert_true(blvm_verify_script(NULL, 0, p2a, sizeof p2a, &none,
                                   f | BLVM_SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM, &c,
                                   &err));
    const uint8_t v2[] = {OP_2, 2, 0x4e, 0x73};
    assert_false(blvm_verify_script(NULL, 0, v2, sizeof v2, &none,
                                    f | BLVM_SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM,
                                    &c, &err));
    assert_int_equal(err, BLVM_SCRIPT_ERR_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM);
    blvm_tx_clear(&tx);
}

static void test_lax_der(void **state) {
    (void)state;
    secp256k1_ecdsa_signature s;
    /* BER-style lengths that strict DER refuses but consensus accepts */
    size_t len;
    uint8_t *lax = unhex("30810602010102010100", &len); /* 0x81 long-form sequence length */
    assert_int_equal(blvm_ecdsa_signature_parse_der_lax(&s, lax, len - 1), 1);
    free(lax);
    uint8_t *bad = unhex("3106020101020101", &len); /* not a sequence */
    assert_int_equal(blvm_ecdsa_signature_parse_der_lax(&s, bad, len), 0);
    free(bad);
    bad = unhex("300602010102", &len); /* truncated S */
    assert_int_equal(blvm_ecdsa_signature_parse_der_lax(&s, bad, len), 0);
    free(bad);
    /* R longer than 32 bytes parses to an invalid (zero) signature */
    uint8_t big[2 + 2 + 33 + 3] = {0x30, 38, 0x02, 33, 0x01};
    big[2 + 2 + 33] = 0x02;
    big[2 + 2 + 33 + 1] = 1;
    big[2 + 2 + 33 + 2] = 1;
    assert_int_equal(blvm_ecdsa_signature_parse_der_lax(&s, big, sizeof big), 1);
    uint8_t compact[64], zero[64] = {0};
    assert_true(secp256k1_ecdsa_signature_serialize_compact(secp256k1_context_static, compact, &s));
    assert_memory_equal(compact, zero, 64);
    /* high-S detection */
    uint8_t pk[33], h[32] = {9}, sig[80];
    pubkey33(pk);
    size_t sl = ecdsa_sig(sig, h, 1) - 1;
    assert_true(blvm_ecdsa_check_low_s(sig, sl));
    assert_true(blvm_ecdsa_verify(pk, 33, sig, sl, h));
    h[0] ^= 1;
    assert_false(blvm_ecdsa_verify(pk, 33, sig, sl, h));
    assert_false(blvm_ecdsa_verify(pk, 32, sig, sl, h)); /* length must match the key type */
}

/* ---- public API -------------------------------------------------------- */

static void test_api(void **state) {
    (void)state;
    /* A P2WPKH spend built here, verified through include/blvm/consensus.h. */
    uint8_t pk[33], h160[20];
    pubkey33(pk);
    blvm_hash160(h160, pk, 33);
    uint8_t spk[22] = {OP_0, 20};
    memcpy(spk + 2, h160, 20);
    uint8_t code[25] = {OP_DUP, OP_HASH160, 20};
    memcpy(code + 3, h160, 20);
    code[23] = OP_EQUALVERIFY;
    code[24] = OP_CHECKSIG;
    blvm_tx tx;
    blvm_tx_init(&tx);
    assert_true(blvm_tx_resize(&tx, 1, 1));
    tx.version = 2;
    tx.vin[0].sequence = 0xffffffff;
    tx.vout[0].value = 900;
    uint8_t h[32], sig[80];
    blvm_sighash_witness_v0(h, code, sizeof code, &tx, 0, BLVM_SIGHASH_ALL, 1000, NULL);
    size_t sl = ecdsa_sig(sig, h, BLVM_SIGHASH_ALL);
    assert_true(blvm_witness_push(&tx.vin[0].witness, sig, sl));
    assert_true(blvm_witness_push(&tx.vin[0].witness, pk, 33));
    blvm_writer w;
    blvm_writer_init(&w);
    blvm_tx_encode(&tx, &w, true);
    size_t raw_len;
    uint8_t *raw = blvm_writer_release(&w, &raw_len);
    blvm_tx_clear(&tx);

    blvm_consensus_spent_output so = {spk, sizeof spk, 1000};
    int serr = -1;
    unsigned all = BLVM_CONSENSUS_VERIFY_ALL;
    assert_int_equal(blvm_consensus_verify_input(raw, raw_len, &so, 1, 0, all, &serr),
                     BLVM_CONSENSUS_OK);
    assert_int_equal(serr, 0);
    assert_int_equal(
        blvm_consensus_verify_input(raw, raw_len, &so, 1, 0, BLVM_CONSENSUS_VERIFY_MANDATORY, NULL),
        BLVM_CONSENSUS_OK);
    /* wrong amount: the signature no longer matches */
    blvm_consensus_spent_output wrong = {spk, sizeof spk, 1001};
    assert_int_equal(blvm_consensus_verify_input(raw, raw_len, &wrong, 1, 0, all, &serr),
                     BLVM_CONSENSUS_ERR_SCRIPT);
    assert_string_equal(blvm_consensus_script_error_name(serr), "NULLFAIL");
    /* the caller's mistakes */
    assert_int_equal(blvm_consensus_verify_input(raw, raw_len, &so, 1, 1, all, NULL),
                     BLVM_CONSENSUS_ERR_TX_INDEX);
    assert_int_equal(blvm_consensus_verify_input(raw, raw_len - 1, &so, 1, 0, all, NULL),
                     BLVM_CONSENSUS_ERR_TX_DESERIALIZE);
    assert_int_equal(blvm_consensus_verify_input(raw, raw_len, &so, 0, 0, all, NULL),
                     BLVM_CONSENSUS_ERR_SPENT_OUTPUTS);
    assert_int_equal(blvm_consensus_verify_input(raw, raw_len, &so, 1, 0, 1u << 21, NULL),
                     BLVM_CONSENSUS_ERR_INVALID_FLAGS);
    assert_int_equal(
        blvm_consensus_verify_input(raw, raw_len, &so, 1, 0, BLVM_CONSENSUS_VERIFY_WITNESS, NULL),
        BLVM_CONSENSUS_ERR_INVALID_FLAGS);
    blvm_consensus_spent_output neg = {spk, sizeof spk, -1};
    assert_int_equal(blvm_consensus_verify_input(raw, raw_len, &neg, 1, 0, all, NULL),
                     BLVM_CONSENSUS_ERR_AMOUNT);
    /* prepared form */
    blvm_consensus_error e;
    blvm_consensus_tx *p = blvm_consensus_tx_create(raw, raw_len, &so, 1, &e);
    assert_non_null(p);
    assert_int_equal(blvm_consensus_tx_input_count(p), 1);
    assert_int_equal(blvm_consensus_tx_verify_input(p, 0, all, NULL), BLVM_CONSENSUS_OK);
    assert_int_equal(blvm_consensus_tx_verify_input(p, 5, all, NULL), BLVM_CONSENSUS_ERR_TX_INDEX);
    blvm_consensus_tx_destroy(p);
    assert_null(blvm_consensus_tx_create(raw, 3, &so, 1, &e));
    assert_int_equal(e, BLVM_CONSENSUS_ERR_TX_DESERIALIZE);
    assert_non_null(blvm_consensus_strerror(BLVM_CONSENSUS_ERR_SCRIPT));
    free(raw);
}

int main(void) {
    ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_names),
        cmocka_unit_test(test_get_op),
        cmocka_unit_test(test_sigop_counts),
        cmocka_unit_test(test_find_and_delete),
        cmocka_unit_test(test_sighash_single_bug),
        cmocka_unit_test(test_taproot_sighash_vectors),
        cmocka_unit_test(test_taproot_keypath),
        cmocka_unit_test(test_tapscript_checksig),
        cmocka_unit_test(test_tapscript_rules),
        cmocka_unit_test(test_tapscript_multi),
        cmocka_unit_test(test_witness_v0),
        cmocka_unit_test(test_lax_der),
        cmocka_unit_test(test_api),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    secp256k1_context_destroy(ctx);
    return rc;
}
