/* BIP325 signet block solutions (consensus/signet.h) and their place in
 * CheckBlock: the first default-signet blocks (the ones Core's
 * feature_signet.py submits) are valid under the default challenge and
 * "bad-signet-blksig" under another one; tampering with the solution or the
 * header data it signs makes them invalid. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sys/stat.h>

#include "consensus/block_check.h"
#include "consensus/merkle.h"
#include "consensus/signet.h"
#include "node/chainstate.h"
#include "testutil.h"
#include "util/hex.h"

/* Default signet blocks 1 to 3. */
static const char *const BLOCKS[] = {
    "00000020f61eee3b63a380a477a063af32b2bbc97c9ff9f01f2c4225e973988108000000f575c83235984e7dc4af"
    "c1f30944c170462e84437ab6f2d52e16878a79e4678bd1914d5fae77031eccf40700010100000000010100000000"
    "00000000000000000000000000000000000000000000000000000000ffffffff025151feffffff0200f2052a0100"
    "00001600149243f727dd5343293eb83174324019ec16c2630f0000000000000000776a24aa21a9ede2f61c3f71d1"
    "defd3fa999dfa36953755c690689799962b48bebd836974e8cf94c4fecc7daa2490047304402205e423a8754336c"
    "a99dbe16509b877ef1bf98d008836c725005b3c787c41ebe46022047246e4467ad7cc7f1ad98662afcaf14c115e0"
    "095a227c7b05c5182591c23e7e010001200000000000000000000000000000000000000000000000000000000000"
    "00000000000000",
    "00000020533b53ded9bff4adc94101d32400a144c54edc5ed492a3b26c63b2d686000000b38fef50592017cfafbc"
    "ab88eb3d9cf50b2c801711cad8299495d26df5e54812e7914d5fae77031ecfdd0b00010100000000010100000000"
    "00000000000000000000000000000000000000000000000000000000ffffffff025251feffffff0200f2052a0100"
    "0000160014fd09839740f0e0b4fc6d5e2527e4022aa9b89dfa0000000000000000776a24aa21a9ede2f61c3f71d1"
    "defd3fa999dfa36953755c690689799962b48bebd836974e8cf94c4fecc7daa24900473044022031d64a1692cdad"
    "1fc0ced69838169fe19ae01be524d831b95fcf5ea4e6541c3c02204f9dea0801df8b4d0cd0857c62ab35c6c25cc4"
    "7c930630dc7fe723531daa3e9b010001200000000000000000000000000000000000000000000000000000000000"
    "00000000000000",
    "000000202960f3752f0bfa8858a3e333294aedc7808025e868c9dc03e71d88bb320000007765fcd3d5b4966beb33"
    "8bba2675dc2cf2ad28d4ad1d83bdb6f286e7e27ac1f807924d5fae77031e81d60b00010100000000010100000000"
    "00000000000000000000000000000000000000000000000000000000ffffffff025351feffffff0200f2052a0100"
    "00001600141e5fb426042692ae0e87c070e78c39307a5661c20000000000000000776a24aa21a9ede2f61c3f71d1"
    "defd3fa999dfa36953755c690689799962b48bebd836974e8cf94c4fecc7daa2490047304402205de93694763a42"
    "954865bcf1540cb82958bc62d0ec4eee02070fb7937cd037f4022067f333753bce47b10bc25eb6e1f311482e994c"
    "862a7e0b2d41ab1c8679fd1b11010001200000000000000000000000000000000000000000000000000000000000"
    "00000000000000",
};
#define NBLOCKS (sizeof BLOCKS / sizeof BLOCKS[0])

/* The default challenge made 2-of-2: these blocks' one signature no longer
 * satisfies it (feature_signet.py's third pair of nodes). */
static const char TWO_OF_TWO[] =
    "522103ad5e0edad18cb1f0fc0d28a3d4f1f3e445640337489abb10404f2d1e086be430210359ef5021964fe22d6"
    "f8e05b2463c9540ce96883fe3b278760f048f5189f2e6c452ae";

static void decode(blvm_block *b, size_t i) {
    size_t len;
    uint8_t *raw = blvm_hex_decode_alloc(BLOCKS[i], &len);
    assert_non_null(raw);
    assert_true(blvm_block_decode_bytes(b, raw, len));
    free(raw);
}

static void test_solutions(void **state) {
    (void)state;
    const blvm_params *sig = blvm_params_get(BLVM_NET_SIGNET);
    size_t clen;
    uint8_t *challenge = blvm_hex_decode_alloc(TWO_OF_TWO, &clen);
    blvm_params other;
    blvm_params_init_custom_signet(&other, challenge, clen);
    static const uint8_t op_true = 0x51;
    blvm_params trivial;
    blvm_params_init_custom_signet(&trivial, &op_true, 1);

    for (size_t i = 0; i < NBLOCKS; i++) {
        blvm_block b;
        decode(&b, i);
        assert_int_equal(blvm_signet_check_block_solution(&b, sig), 1);
        blvm_validation_state st;
        blvm_state_init(&st);
        assert_true(blvm_check_block(&b, sig, true, true, &st));
        assert_int_equal(blvm_signet_check_block_solution(&b, &other), 0);
        blvm_state_init(&st);
        assert_false(blvm_check_block(&b, &other, true, true, &st));
        assert_string_equal(st.reject_reason, "bad-signet-blksig");
        assert_int_equal(st.result, BLVM_BLOCK_CONSENSUS);
        /* The solution is a scriptSig (OP_0 <signature>) and no witness:
         * under an OP_TRUE challenge any push-only scriptSig does. */
        assert_int_equal(blvm_signet_check_block_solution(&b, &trivial), 1);
        blvm_block_clear(&b);
    }

    /* Tampering: the signed header data, the signature, the solution's
     * framing, and no commitment at all. */
    blvm_block b;
    decode(&b, 0);
    b.header.time++;
    assert_int_equal(blvm_signet_check_block_solution(&b, sig), 0);
    b.header.time--;
    b.header.version ^= 1;
    assert_int_equal(blvm_signet_check_block_solution(&b, sig), 0);
    b.header.version ^= 1;
    b.header.nonce++; /* not signed: only the proof of work covers it */
    assert_int_equal(blvm_signet_check_block_solution(&b, sig), 1);
    b.header.nonce--;
    size_t cidx;
    assert_true(blvm_block_witness_commitment_index(&b, &cidx));
    blvm_script *commit = &b.txs[0].vout[cidx].script_pubkey;
    /* 6a 24 aa21a9ed <32> 4c 4f ecc7daa2 <solution 75 bytes> */
    assert_int_equal(commit->len, 38 + 2 + 4 + 75);
    uint8_t saved[200];
    memcpy(saved, commit->data, commit->len);
    size_t sol = 38 + 2 + 4;
    commit->data[sol + 10] ^= 1; /* inside the DER signature */
    assert_int_equal(blvm_signet_check_block_solution(&b, sig), 0);
    memcpy(commit->data, saved, commit->len);
    commit->data[sol] = 0x4a; /* scriptSig one byte longer: nothing left for the witness */
    assert_int_equal(blvm_signet_check_block_solution(&b, sig), 0);
    memcpy(commit->data, saved, commit->len);
    commit->data[42] = 0xed; /* signet header broken: no solution at all */
    assert_int_equal(blvm_signet_check_block_solution(&b, sig), 0);
    /* an empty solution is fine for OP_TRUE (Core allows a missing one) */
    assert_int_equal(blvm_signet_check_block_solution(&b, &trivial), 1);
    memcpy(commit->data, saved, commit->len);
    commit->data[2] = 0xab; /* not a witness commitment any more */
    assert_false(blvm_block_witness_commitment_index(&b, &cidx));
    assert_int_equal(blvm_signet_check_block_solution(&b, sig), 0);
    memcpy(commit->data, saved, commit->len);
    assert_int_equal(blvm_signet_check_block_solution(&b, sig), 1);
    /* the genesis block needs no solution */
    blvm_block g;
    blvm_block_init(&g);
    assert_true(blvm_params_genesis_block(sig, &g));
    assert_int_equal(blvm_signet_check_block_solution(&g, sig), 1);
    blvm_block_clear(&g);
    blvm_block_clear(&b);
    free(challenge);
}

static int64_t fixed_now(void) {
    return 2000000000;
}

static blvm_chainstate *open_at(const char *dir, const blvm_params *p) {
    blvm_chainstate_options o;
    memset(&o, 0, sizeof o);
    o.datadir = dir;
    o.par = 1;
    o.no_sync = true;
    o.now = fixed_now;
    char err[256] = "";
    blvm_chainstate *cs = blvm_chainstate_open(p, &o, err, sizeof err);
    if (!cs) fprintf(stderr, "open: %s\n", err);
    assert_non_null(cs);
    return cs;
}

/* Through the chainstate: the default signet connects the blocks; a signet
 * with the 2-of-2 challenge refuses the first one and stays at genesis. */
static void test_chainstate(void **state) {
    (void)state;
    char dir[] = "/tmp/blvm_test_signet_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char a[64], b[64];
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    blvm_chainstate *cs = open_at(a, blvm_params_get(BLVM_NET_SIGNET));
    for (size_t i = 0; i < NBLOCKS; i++) {
        blvm_block blk;
        decode(&blk, i);
        blvm_validation_state st;
        if (!blvm_chainstate_process_block(cs, &blk, NULL, &st))
            fail_msg("block %zu: %s", i + 1, st.reject_reason);
        blvm_block_clear(&blk);
    }
    blvm_tip_info t;
    blvm_chainstate_tip(cs, &t);
    assert_int_equal(t.height, (int)NBLOCKS);
    blvm_chainstate_close(cs);

    size_t clen;
    uint8_t *challenge = blvm_hex_decode_alloc(TWO_OF_TWO, &clen);
    blvm_params other;
    blvm_params_init_custom_signet(&other, challenge, clen);
    cs = open_at(b, &other);
    blvm_block blk;
    decode(&blk, 0);
    blvm_validation_state st;
    assert_false(blvm_chainstate_process_block(cs, &blk, NULL, &st));
    assert_string_equal(st.reject_reason, "bad-signet-blksig");
    blvm_chainstate_tip(cs, &t);
    assert_int_equal(t.height, 0);
    blvm_block_clear(&blk);
    blvm_chainstate_close(cs);
    free(challenge);
    blvm_test_rmtree(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_solutions),
        cmocka_unit_test(test_chainstate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
