/* Unit tests for consensus/params: genesis blocks built as Core builds them
 * hash to the known values on all five networks; magic, ports, prefixes,
 * activation heights; custom signet magic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "consensus/block.h"
#include "consensus/merkle.h"
#include "consensus/params.h"
#include "consensus/pow.h"
#include "crypto/sha256.h"
#include "util/bytes.h"
#include "util/hex.h"

static void assert_hash_hex(const uint8_t hash[32], const char *display_hex) {
    char got[65];
    blvm_hex_encode_reversed(got, hash, 32);
    assert_string_equal(got, display_hex);
}

static const struct {
    blvm_network net;
    const char *name;
    const char *hash;
    const char *merkle;
    uint8_t magic[4];
    uint16_t port, rpc_port;
    const char *hrp;
} NETS[] = {
    {BLVM_NET_MAIN,
     "main",
     "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
     "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b",
     {0xf9, 0xbe, 0xb4, 0xd9},
     8333,
     8332,
     "bc"},
    {BLVM_NET_TESTNET3,
     "test",
     "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943",
     "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b",
     {0x0b, 0x11, 0x09, 0x07},
     18333,
     18332,
     "tb"},
    {BLVM_NET_TESTNET4,
     "testnet4",
     "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043",
     "7aa0a7ae1e223414cb807e40cd57e667b718e42aaf9306db9102fe28912b7b4e",
     {0x1c, 0x16, 0x3f, 0x28},
     48333,
     48332,
     "tb"},
    {BLVM_NET_SIGNET,
     "signet",
     "00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6",
     "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b",
     {0x0a, 0x03, 0xcf, 0x40},
     38333,
     38332,
     "tb"},
    {BLVM_NET_REGTEST,
     "regtest",
     "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206",
     "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b",
     {0xfa, 0xbf, 0xb5, 0xda},
     18444,
     18443,
     "bcrt"},
};

static void test_genesis_blocks(void **state) {
    (void)state;
    for (size_t i = 0; i < BLVM_ARRAY_LEN(NETS); i++) {
        const blvm_params *p = blvm_params_get(NETS[i].net);
        assert_non_null(p);
        assert_int_equal(p->network, NETS[i].net);
        blvm_block b;
        blvm_block_init(&b);
        assert_true(blvm_params_genesis_block(p, &b));
        assert_int_equal(b.tx_count, 1);
        /* merkle root computed from the coinbase, by the block code */
        uint8_t root[32];
        bool mutated = true;
        assert_true(blvm_block_merkle_root(&b, root, &mutated));
        assert_false(mutated);
        assert_hash_hex(root, NETS[i].merkle);
        assert_memory_equal(b.header.merkle_root, root, 32);
        assert_memory_equal(p->genesis_header.merkle_root, root, 32);
        /* hash of the header built, and of the table's header */
        uint8_t hash[32];
        blvm_header_hash(&b.header, hash);
        assert_hash_hex(hash, NETS[i].hash);
        assert_memory_equal(hash, p->genesis_hash, 32);
        blvm_header_hash(&p->genesis_header, hash);
        assert_memory_equal(hash, p->genesis_hash, 32);
        /* the genesis block meets its own proof of work and the pow limit */
        assert_true(blvm_pow_check(hash, b.header.bits, p));
        /* the block round-trips through the serializer */
        blvm_writer w;
        blvm_writer_init(&w);
        blvm_block_encode(&b, &w, true);
        assert_false(w.err);
        blvm_block b2;
        blvm_block_init(&b2);
        assert_true(blvm_block_decode_bytes(&b2, w.data, w.len));
        assert_memory_equal(b2.txs[0].txid, root, 32);
        blvm_block_clear(&b2);
        blvm_writer_clear(&w);
        blvm_block_clear(&b);
    }
}

static void test_mainnet_genesis_coinbase_bytes(void **state) {
    (void)state;
    /* Core's comment in chainparams.cpp gives the coinbase scriptSig. */
    const char *expect =
        "04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e"
        "206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73";
    blvm_block b;
    blvm_block_init(&b);
    assert_true(blvm_params_genesis_block(blvm_params_get(BLVM_NET_MAIN), &b));
    char *hex = blvm_hex_alloc(b.txs[0].vin[0].script_sig.data, b.txs[0].vin[0].script_sig.len);
    assert_non_null(hex);
    assert_string_equal(hex, expect);
    free(hex);
    assert_int_equal(b.txs[0].vout[0].value, 50 * BLVM_COIN);
    assert_true(blvm_tx_is_coinbase(&b.txs[0]));
    blvm_block_clear(&b);

    /* testnet4's 76-byte message needs OP_PUSHDATA1. */
    blvm_block_init(&b);
    assert_true(blvm_params_genesis_block(blvm_params_get(BLVM_NET_TESTNET4), &b));
    const blvm_script *ss = &b.txs[0].vin[0].script_sig;
    assert_int_equal(ss->len, 5 + 2 + 2 + 76);
    assert_int_equal(ss->data[7], 0x4c);
    assert_int_equal(ss->data[8], 76);
    blvm_block_clear(&b);
}

static void test_magic_ports_prefixes(void **state) {
    (void)state;
    for (size_t i = 0; i < BLVM_ARRAY_LEN(NETS); i++) {
        const blvm_params *p = blvm_params_get(NETS[i].net);
        assert_memory_equal(p->message_start, NETS[i].magic, 4);
        assert_int_equal(p->default_port, NETS[i].port);
        assert_int_equal(p->rpc_port, NETS[i].rpc_port);
        assert_string_equal(p->bech32_hrp, NETS[i].hrp);
        assert_string_equal(p->name, NETS[i].name);
        assert_ptr_equal(blvm_params_by_name(NETS[i].name), p);
        if (NETS[i].net == BLVM_NET_MAIN) {
            assert_int_equal(p->base58_pubkey_prefix, 0);
            assert_int_equal(p->base58_script_prefix, 5);
            assert_int_equal(p->base58_secret_prefix, 128);
        } else {
            assert_int_equal(p->base58_pubkey_prefix, 111);
            assert_int_equal(p->base58_script_prefix, 196);
            assert_int_equal(p->base58_secret_prefix, 239);
        }
        /* Core's sanity checks on every network's parameters */
        assert_int_equal(p->pow_target_timespan % p->pow_target_spacing, 0);
        blvm_u256 g;
        bool neg, over;
        blvm_u256_set_compact(&g, p->genesis_header.bits, &neg, &over);
        assert_false(neg);
        assert_false(over);
        assert_false(blvm_u256_is_zero(&g));
        assert_true(blvm_u256_cmp(&p->pow_limit, &g) >= 0);
        if (!p->pow_no_retargeting) {
            /* pow_limit * 4 * timespan does not overflow 256 bits */
            blvm_u256 max;
            assert_true(blvm_u256_from_hex(
                &max, "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"));
            assert_true(blvm_u256_div_u64(&max, &max, (uint64_t)p->pow_target_timespan * 4));
            assert_true(blvm_u256_cmp(&p->pow_limit, &max) < 0);
        }
    }
    assert_null(blvm_params_by_name("testnet"));
    assert_null(blvm_params_by_name(NULL));
    assert_null(blvm_params_get(BLVM_NET_COUNT));
    assert_int_equal(blvm_params_difficulty_adjustment_interval(blvm_params_get(BLVM_NET_MAIN)),
                     2016);
    assert_int_equal(blvm_params_difficulty_adjustment_interval(blvm_params_get(BLVM_NET_REGTEST)),
                     144);
}

static void test_activation_heights(void **state) {
    (void)state;
    const blvm_params *m = blvm_params_get(BLVM_NET_MAIN);
    assert_int_equal(m->bip34_height, 227931);
    assert_hash_hex(m->bip34_hash,
                    "000000000000024b89b42a942fe0d9fea3bb44ab7bd1b19115dd6a759c0808b8");
    assert_int_equal(m->bip65_height, 388381);
    assert_int_equal(m->bip66_height, 363725);
    assert_int_equal(m->csv_height, 419328);
    assert_int_equal(m->segwit_height, 481824);
    assert_int_equal(m->taproot_height, 709632);
    assert_false(blvm_params_deployment_active(m, BLVM_DEPLOYMENT_SEGWIT, 481823));
    assert_true(blvm_params_deployment_active(m, BLVM_DEPLOYMENT_SEGWIT, 481824));
    assert_false(blvm_params_deployment_active(m, BLVM_DEPLOYMENT_HEIGHTINCB, 227930));
    assert_true(blvm_params_deployment_active(m, BLVM_DEPLOYMENT_HEIGHTINCB, 227931));

    const blvm_params *t3 = blvm_params_get(BLVM_NET_TESTNET3);
    assert_int_equal(t3->bip34_height, 21111);
    assert_int_equal(t3->bip65_height, 581885);
    assert_int_equal(t3->bip66_height, 330776);
    assert_int_equal(t3->csv_height, 770112);
    assert_int_equal(t3->segwit_height, 834624);
    assert_true(t3->pow_allow_min_difficulty_blocks);
    assert_false(t3->enforce_bip94);

    const blvm_params *t4 = blvm_params_get(BLVM_NET_TESTNET4);
    assert_true(t4->enforce_bip94);
    assert_true(t4->pow_allow_min_difficulty_blocks);
    assert_false(t4->has_bip34_hash);
    assert_false(blvm_params_deployment_active(t4, BLVM_DEPLOYMENT_SEGWIT, 0));
    assert_true(blvm_params_deployment_active(t4, BLVM_DEPLOYMENT_SEGWIT, 1));

    const blvm_params *r = blvm_params_get(BLVM_NET_REGTEST);
    assert_true(r->pow_no_retargeting);
    assert_int_equal(r->subsidy_halving_interval, 150);
    assert_true(blvm_params_deployment_active(r, BLVM_DEPLOYMENT_SEGWIT, 0));
    assert_false(blvm_params_deployment_active(r, BLVM_DEPLOYMENT_CSV, 0));
    assert_false(r->has_default_assume_valid);
    assert_true(blvm_u256_is_zero(&r->minimum_chain_work));

    char hex[65];
    blvm_u256_to_hex(&m->minimum_chain_work, hex);
    assert_string_equal(hex, "0000000000000000000000000000000000000000b1f3b93b65b16d035a82be84");
    assert_hash_hex(m->default_assume_valid,
                    "00000000000000000001b658dd1120e82e66d2790811f89ede9742ada3ed6d77");
    blvm_u256_to_hex(&blvm_params_get(BLVM_NET_SIGNET)->pow_limit, hex);
    assert_string_equal(hex, "00000377ae000000000000000000000000000000000000000000000000000000");
    /* Core 29 has no checkpoints */
    for (int n = 0; n < BLVM_NET_COUNT; n++)
        assert_int_equal(blvm_params_get((blvm_network)n)->checkpoint_count, 0);
}

static void test_custom_signet(void **state) {
    (void)state;
    const blvm_params *s = blvm_params_get(BLVM_NET_SIGNET);
    /* The default challenge gives the default magic. */
    blvm_params c;
    blvm_params_init_custom_signet(&c, s->signet_challenge, s->signet_challenge_len);
    assert_memory_equal(c.message_start, s->message_start, 4);
    assert_true(blvm_u256_is_zero(&c.minimum_chain_work));
    assert_false(c.has_default_assume_valid);
    /* OP_TRUE as challenge: sha256d(01 51)[0..4] */
    static const uint8_t op_true[1] = {0x51};
    blvm_params_init_custom_signet(&c, op_true, 1);
    uint8_t ser[2] = {0x01, 0x51}, h[32];
    blvm_sha256d(h, ser, 2);
    assert_memory_equal(c.message_start, h, 4);
    assert_memory_not_equal(c.message_start, s->message_start, 4);
    assert_memory_equal(c.genesis_hash, s->genesis_hash, 32);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_genesis_blocks),
        cmocka_unit_test(test_mainnet_genesis_coinbase_bytes),
        cmocka_unit_test(test_magic_ports_prefixes),
        cmocka_unit_test(test_activation_heights),
        cmocka_unit_test(test_custom_signet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
