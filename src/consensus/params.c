/* Network parameters: the values of Bitcoin Core 29's kernel/chainparams.cpp.
 * Hashes are written in internal byte order, with the usual (reversed) hex
 * in a comment next to each. */
#include "consensus/params.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/interpreter.h"
#include "consensus/tx.h"
#include "crypto/sha256.h"

static const char TIMES_HEADLINE[] =
    "The Times 03/Jan/2009 Chancellor on brink of second bailout for banks";

/* <04678afd...1d5f> OP_CHECKSIG: Satoshi's pay-to-pubkey output. */
static const uint8_t SATOSHI_OUTPUT_SCRIPT[67] = {
    0x41, 0x04, 0x67, 0x8a, 0xfd, 0xb0, 0xfe, 0x55, 0x48, 0x27, 0x19, 0x67, 0xf1, 0xa6,
    0x71, 0x30, 0xb7, 0x10, 0x5c, 0xd6, 0xa8, 0x28, 0xe0, 0x39, 0x09, 0xa6, 0x79, 0x62,
    0xe0, 0xea, 0x1f, 0x61, 0xde, 0xb6, 0x49, 0xf6, 0xbc, 0x3f, 0x4c, 0xef, 0x38, 0xc4,
    0xf3, 0x55, 0x04, 0xe5, 0x1e, 0xc1, 0x12, 0xde, 0x5c, 0x38, 0x4d, 0xf7, 0xba, 0x0b,
    0x8d, 0x57, 0x8a, 0x4c, 0x70, 0x2b, 0x6b, 0xf1, 0x1d, 0x5f, 0xac,
};

/* testnet4: <33 zero bytes> OP_CHECKSIG (unspendable). */
static const uint8_t TESTNET4_OUTPUT_SCRIPT[35] = {0x21, [34] = 0xac}; /* push of 33 zeros */

/* The default signet's 1-of-2 bare multisig challenge (BIP325). */
static const uint8_t SIGNET_DEFAULT_CHALLENGE[71] = {
    0x51, 0x21, 0x03, 0xad, 0x5e, 0x0e, 0xda, 0xd1, 0x8c, 0xb1, 0xf0, 0xfc, 0x0d, 0x28, 0xa3,
    0xd4, 0xf1, 0xf3, 0xe4, 0x45, 0x64, 0x03, 0x37, 0x48, 0x9a, 0xbb, 0x10, 0x40, 0x4f, 0x2d,
    0x1e, 0x08, 0x6b, 0xe4, 0x30, 0x21, 0x03, 0x59, 0xef, 0x50, 0x21, 0x96, 0x4f, 0xe2, 0x2d,
    0x6f, 0x8e, 0x05, 0xb2, 0x46, 0x3c, 0x95, 0x40, 0xce, 0x96, 0x88, 0x3f, 0xe3, 0xb2, 0x78,
    0x76, 0x0f, 0x04, 0x8f, 0x51, 0x89, 0xf2, 0xe6, 0xc4, 0x52, 0xae,
};

/* clang-format off */
static const blvm_script_flag_exception MAIN_SCRIPT_FLAG_EXCEPTIONS[] = {
    /* BIP16 exception: the one block that violated P2SH rules before it was
     * enforced, checked with no flags at all. */
    {{/* 00000000000002dc756eebf4f49723ed8d30cc28a5f108eb94b1ba88ac4f9c22 */
        0x22, 0x9c, 0x4f, 0xac, 0x88, 0xba, 0xb1, 0x94,
        0xeb, 0x08, 0xf1, 0xa5, 0x28, 0xcc, 0x30, 0x8d,
        0xed, 0x23, 0x97, 0xf4, 0xf4, 0xeb, 0x6e, 0x75,
        0xdc, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, BLVM_SCRIPT_VERIFY_NONE},
    /* Taproot exception: a block with a taproot-invalid spend mined before
     * activation; checked with P2SH and WITNESS only. */
    {{/* 0000000000000000000f14c35b2d841e986ab5441de8c585d5ffe55ea1e395ad */
        0xad, 0x95, 0xe3, 0xa1, 0x5e, 0xe5, 0xff, 0xd5,
        0x85, 0xc5, 0xe8, 0x1d, 0x44, 0xb5, 0x6a, 0x98,
        0x1e, 0x84, 0x2d, 0x5b, 0xc3, 0x14, 0x0f, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
     BLVM_SCRIPT_VERIFY_P2SH | BLVM_SCRIPT_VERIFY_WITNESS},
};

static const blvm_script_flag_exception TESTNET3_SCRIPT_FLAG_EXCEPTIONS[] = {
    /* BIP16 exception */
    {{/* 00000000dd30457c001f4095d208cc1296b0eed002427aa599874af7a432b105 */
        0x05, 0xb1, 0x32, 0xa4, 0xf7, 0x4a, 0x87, 0x99,
        0xa5, 0x7a, 0x42, 0x02, 0xd0, 0xee, 0xb0, 0x96,
        0x12, 0xcc, 0x08, 0xd2, 0x95, 0x40, 0x1f, 0x00,
        0x7c, 0x45, 0x30, 0xdd, 0x00, 0x00, 0x00, 0x00}, BLVM_SCRIPT_VERIFY_NONE},
};

/* BIP30: blocks 91842 and 91880 repeat the coinbases of 91812 and 91722. */
static const blvm_block_ref MAIN_BIP30_EXCEPTIONS[] = {
    {91842, {/* 00000000000a4d0a398161ffc163c503763b1f4360639393e0e4c8e300e0caec */
        0xec, 0xca, 0xe0, 0x00, 0xe3, 0xc8, 0xe4, 0xe0,
        0x93, 0x93, 0x63, 0x60, 0x43, 0x1f, 0x3b, 0x76,
        0x03, 0xc5, 0x63, 0xc1, 0xff, 0x61, 0x81, 0x39,
        0x0a, 0x4d, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00}},
    {91880, {/* 00000000000743f190a18c5577a3c2d2a1f610ae9601ac046a38084ccb7cd721 */
        0x21, 0xd7, 0x7c, 0xcb, 0x4c, 0x08, 0x38, 0x6a,
        0x04, 0xac, 0x01, 0x96, 0xae, 0x10, 0xf6, 0xa1,
        0xd2, 0xc2, 0xa3, 0x77, 0x55, 0x8c, 0xa1, 0x90,
        0xf1, 0x43, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00}},
};

static const blvm_params PARAMS[BLVM_NET_COUNT] = {
    [BLVM_NET_MAIN] = {
        .network = BLVM_NET_MAIN,
        .name = "main",
        /* Core 29: getchaintxstats 4096 00000000000000000001b658dd1120e82e66d2790811f89ede9742ada3ed6d77 */
        .chain_tx_data = {1741017141, 1161875261, 4.620728156243148},
        .message_start = {0xf9, 0xbe, 0xb4, 0xd9},
        .default_port = 8333,
        .rpc_port = 8332,
        .bech32_hrp = "bc",
        .base58_pubkey_prefix = 0,
        .base58_script_prefix = 5,
        .base58_secret_prefix = 128,
        .ext_public_prefix = {0x04, 0x88, 0xB2, 0x1E},
        .ext_secret_prefix = {0x04, 0x88, 0xAD, 0xE4},
        .subsidy_halving_interval = 210000,
        .bip34_height = 227931,
        .has_bip34_hash = true,
        .bip34_hash = {/* 000000000000024b89b42a942fe0d9fea3bb44ab7bd1b19115dd6a759c0808b8 */
            0xb8, 0x08, 0x08, 0x9c, 0x75, 0x6a, 0xdd, 0x15,
            0x91, 0xb1, 0xd1, 0x7b, 0xab, 0x44, 0xbb, 0xa3,
            0xfe, 0xd9, 0xe0, 0x2f, 0x94, 0x2a, 0xb4, 0x89,
            0x4b, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
        .bip65_height = 388381, /* 000000000000000004c2b624ed5d7756c508d90fd0da2c7c679febfa6c4735f0 */
        .bip66_height = 363725, /* 00000000000000000379eaa19dce8c9b722d46ae6a57c2f1a988119488b50931 */
        .csv_height = 419328,   /* 000000000000000004a1b34462cb8aeebd5799177f7a29cf28f2d1961716b5b5 */
        .segwit_height = 481824, /* 0000000000000000001c8018d9cb3b742ef25114f27563e3fc4a1902167f9893 */
        .taproot_height = 709632,
        .pow_limit = {{/* 00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff */
            0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
            0xffffffff, 0xffffffff, 0xffffffff, 0x00000000}},
        .pow_target_spacing = 10 * 60,
        .pow_target_timespan = 14 * 24 * 60 * 60,
        .pow_allow_min_difficulty_blocks = false,
        .pow_no_retargeting = false,
        .enforce_bip94 = false,
        .rule_change_activation_threshold = 1815,
        .miner_confirmation_window = 2016,
        .minimum_chain_work = {{/* 0000000000000000000000000000000000000000b1f3b93b65b16d035a82be84 */
            0x5a82be84, 0x65b16d03, 0xb1f3b93b, 0x00000000,
            0x00000000, 0x00000000, 0x00000000, 0x00000000}},
        .has_default_assume_valid = true,
        /* height 886157 */
        .default_assume_valid = {/* 00000000000000000001b658dd1120e82e66d2790811f89ede9742ada3ed6d77 */
            0x77, 0x6d, 0xed, 0xa3, 0xad, 0x42, 0x97, 0xde,
            0x9e, 0xf8, 0x11, 0x08, 0x79, 0xd2, 0x66, 0x2e,
            0xe8, 0x20, 0x11, 0xdd, 0x58, 0xb6, 0x01, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
        .script_flag_exceptions = MAIN_SCRIPT_FLAG_EXCEPTIONS,
        .script_flag_exception_count = BLVM_ARRAY_LEN(MAIN_SCRIPT_FLAG_EXCEPTIONS),
        .bip30_exceptions = MAIN_BIP30_EXCEPTIONS,
        .bip30_exception_count = BLVM_ARRAY_LEN(MAIN_BIP30_EXCEPTIONS),
        .genesis_header = {
            .version = 1,
            .merkle_root = {/* 4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b */
                0x3b, 0xa3, 0xed, 0xfd, 0x7a, 0x7b, 0x12, 0xb2,
                0x7a, 0xc7, 0x2c, 0x3e, 0x67, 0x76, 0x8f, 0x61,
                0x7f, 0xc8, 0x1b, 0xc3, 0x88, 0x8a, 0x51, 0x32,
                0x3a, 0x9f, 0xb8, 0xaa, 0x4b, 0x1e, 0x5e, 0x4a},
            .time = 1231006505,
            .bits = 0x1d00ffff,
            .nonce = 2083236893,
        },
        .genesis_hash = {/* 000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f */
            0x6f, 0xe2, 0x8c, 0x0a, 0xb6, 0xf1, 0xb3, 0x72,
            0xc1, 0xa6, 0xa2, 0x46, 0xae, 0x63, 0xf7, 0x4f,
            0x93, 0x1e, 0x83, 0x65, 0xe1, 0x5a, 0x08, 0x9c,
            0x68, 0xd6, 0x19, 0x00, 0x00, 0x00, 0x00, 0x00},
        .genesis_timestamp = TIMES_HEADLINE,
        .genesis_output_script = SATOSHI_OUTPUT_SCRIPT,
        .genesis_output_script_len = sizeof SATOSHI_OUTPUT_SCRIPT,
        .genesis_reward = 50 * BLVM_COIN,
    },
    [BLVM_NET_TESTNET3] = {
        .network = BLVM_NET_TESTNET3,
        .name = "test",
        /* Core 29: getchaintxstats 4096 00000000000003fc7967410ba2d0a8a8d50daedc318d43e8baf1a9782c236a57 */
        .chain_tx_data = {1741042082, 475477615, 17.15933950357594},
        .message_start = {0x0b, 0x11, 0x09, 0x07},
        .default_port = 18333,
        .rpc_port = 18332,
        .bech32_hrp = "tb",
        .base58_pubkey_prefix = 111,
        .base58_script_prefix = 196,
        .base58_secret_prefix = 239,
        .ext_public_prefix = {0x04, 0x35, 0x87, 0xCF},
        .ext_secret_prefix = {0x04, 0x35, 0x83, 0x94},
        .subsidy_halving_interval = 210000,
        .bip34_height = 21111,
        .has_bip34_hash = true,
        .bip34_hash = {/* 0000000023b3a96d3484e5abb3755c413e7d41500f8e2a5c3f0dd01299cd8ef8 */
            0xf8, 0x8e, 0xcd, 0x99, 0x12, 0xd0, 0x0d, 0x3f,
            0x5c, 0x2a, 0x8e, 0x0f, 0x50, 0x41, 0x7d, 0x3e,
            0x41, 0x5c, 0x75, 0xb3, 0xab, 0xe5, 0x84, 0x34,
            0x6d, 0xa9, 0xb3, 0x23, 0x00, 0x00, 0x00, 0x00},
        .bip65_height = 581885, /* 00000000007f6655f22f98e72ed80d8b06dc761d5da09df0fa1dc4be4f861eb6 */
        .bip66_height = 330776, /* 000000002104c8c45e99a8853285a3b592602a3ccde2b832481da85e9e4ba182 */
        .csv_height = 770112,   /* 00000000025e930139bac5c6c31a403776da130831ab85be56578f3fa75369bb */
        .segwit_height = 834624, /* 00000000002b980fcd729daaa248fd9316a5200e9b367f4ff2c42453e84201ca */
        .taproot_height = BLVM_HEIGHT_SIGNALLED,
        .pow_limit = {{/* 00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff */
            0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
            0xffffffff, 0xffffffff, 0xffffffff, 0x00000000}},
        .pow_target_spacing = 10 * 60,
        .pow_target_timespan = 14 * 24 * 60 * 60,
        .pow_allow_min_difficulty_blocks = true,
        .pow_no_retargeting = false,
        .enforce_bip94 = false,
        .rule_change_activation_threshold = 1512,
        .miner_confirmation_window = 2016,
        .minimum_chain_work = {{/* 0000000000000000000000000000000000000000000015f5e0c9f13455b0eb17 */
            0x55b0eb17, 0xe0c9f134, 0x000015f5, 0x00000000,
            0x00000000, 0x00000000, 0x00000000, 0x00000000}},
        .has_default_assume_valid = true,
        /* height 3974606 */
        .default_assume_valid = {/* 00000000000003fc7967410ba2d0a8a8d50daedc318d43e8baf1a9782c236a57 */
            0x57, 0x6a, 0x23, 0x2c, 0x78, 0xa9, 0xf1, 0xba,
            0xe8, 0x43, 0x8d, 0x31, 0xdc, 0xae, 0x0d, 0xd5,
            0xa8, 0xa8, 0xd0, 0xa2, 0x0b, 0x41, 0x67, 0x79,
            0xfc, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
        .script_flag_exceptions = TESTNET3_SCRIPT_FLAG_EXCEPTIONS,
        .script_flag_exception_count = BLVM_ARRAY_LEN(TESTNET3_SCRIPT_FLAG_EXCEPTIONS),
        .genesis_header = {
            .version = 1,
            .merkle_root = {/* 4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b */
                0x3b, 0xa3, 0xed, 0xfd, 0x7a, 0x7b, 0x12, 0xb2,
                0x7a, 0xc7, 0x2c, 0x3e, 0x67, 0x76, 0x8f, 0x61,
                0x7f, 0xc8, 0x1b, 0xc3, 0x88, 0x8a, 0x51, 0x32,
                0x3a, 0x9f, 0xb8, 0xaa, 0x4b, 0x1e, 0x5e, 0x4a},
            .time = 1296688602,
            .bits = 0x1d00ffff,
            .nonce = 414098458,
        },
        .genesis_hash = {/* 000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943 */
            0x43, 0x49, 0x7f, 0xd7, 0xf8, 0x26, 0x95, 0x71,
            0x08, 0xf4, 0xa3, 0x0f, 0xd9, 0xce, 0xc3, 0xae,
            0xba, 0x79, 0x97, 0x20, 0x84, 0xe9, 0x0e, 0xad,
            0x01, 0xea, 0x33, 0x09, 0x00, 0x00, 0x00, 0x00},
        .genesis_timestamp = TIMES_HEADLINE,
        .genesis_output_script = SATOSHI_OUTPUT_SCRIPT,
        .genesis_output_script_len = sizeof SATOSHI_OUTPUT_SCRIPT,
        .genesis_reward = 50 * BLVM_COIN,
    },
    [BLVM_NET_TESTNET4] = {
        .network = BLVM_NET_TESTNET4,
        .name = "testnet4",
        /* Core 29: getchaintxstats 4096 0000000000003ed4f08dbdf6f7d6b271a6bcffce25675cb40aa9fa43179a89f3 */
        .chain_tx_data = {1741070246, 7653966, 1.239174414591965},
        .message_start = {0x1c, 0x16, 0x3f, 0x28},
        .default_port = 48333,
        .rpc_port = 48332,
        .bech32_hrp = "tb",
        .base58_pubkey_prefix = 111,
        .base58_script_prefix = 196,
        .base58_secret_prefix = 239,
        .ext_public_prefix = {0x04, 0x35, 0x87, 0xCF},
        .ext_secret_prefix = {0x04, 0x35, 0x83, 0x94},
        .subsidy_halving_interval = 210000,
        .bip34_height = 1,
        .has_bip34_hash = false,
        .bip65_height = 1,
        .bip66_height = 1,
        .csv_height = 1,
        .segwit_height = 1,
        .taproot_height = 0,
        .pow_limit = {{/* 00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff */
            0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
            0xffffffff, 0xffffffff, 0xffffffff, 0x00000000}},
        .pow_target_spacing = 10 * 60,
        .pow_target_timespan = 14 * 24 * 60 * 60,
        .pow_allow_min_difficulty_blocks = true,
        .pow_no_retargeting = false,
        .enforce_bip94 = true,
        .rule_change_activation_threshold = 1512,
        .miner_confirmation_window = 2016,
        .minimum_chain_work = {{/* 0000000000000000000000000000000000000000000001d6dce8651b6094e4c1 */
            0x6094e4c1, 0xdce8651b, 0x000001d6, 0x00000000,
            0x00000000, 0x00000000, 0x00000000, 0x00000000}},
        .has_default_assume_valid = true,
        /* height 72600 */
        .default_assume_valid = {/* 0000000000003ed4f08dbdf6f7d6b271a6bcffce25675cb40aa9fa43179a89f3 */
            0xf3, 0x89, 0x9a, 0x17, 0x43, 0xfa, 0xa9, 0x0a,
            0xb4, 0x5c, 0x67, 0x25, 0xce, 0xff, 0xbc, 0xa6,
            0x71, 0xb2, 0xd6, 0xf7, 0xf6, 0xbd, 0x8d, 0xf0,
            0xd4, 0x3e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
        .genesis_header = {
            .version = 1,
            .merkle_root = {/* 7aa0a7ae1e223414cb807e40cd57e667b718e42aaf9306db9102fe28912b7b4e */
                0x4e, 0x7b, 0x2b, 0x91, 0x28, 0xfe, 0x02, 0x91,
                0xdb, 0x06, 0x93, 0xaf, 0x2a, 0xe4, 0x18, 0xb7,
                0x67, 0xe6, 0x57, 0xcd, 0x40, 0x7e, 0x80, 0xcb,
                0x14, 0x34, 0x22, 0x1e, 0xae, 0xa7, 0xa0, 0x7a},
            .time = 1714777860,
            .bits = 0x1d00ffff,
            .nonce = 393743547,
        },
        .genesis_hash = {/* 00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043 */
            0x43, 0xf0, 0x8b, 0xda, 0xb0, 0x50, 0xe3, 0x5b,
            0x56, 0x7c, 0x86, 0x4b, 0x91, 0xf4, 0x7f, 0x50,
            0xae, 0x72, 0x5a, 0xe2, 0xde, 0x53, 0xbc, 0xfb,
            0xba, 0xf2, 0x84, 0xda, 0x00, 0x00, 0x00, 0x00},
        .genesis_timestamp =
            "03/May/2024 000000000000000000001ebd58c244970b3aa9d783bb001011fbe8ea8e98e00e",
        .genesis_output_script = TESTNET4_OUTPUT_SCRIPT,
        .genesis_output_script_len = sizeof TESTNET4_OUTPUT_SCRIPT,
        .genesis_reward = 50 * BLVM_COIN,
    },
    [BLVM_NET_SIGNET] = {
        .network = BLVM_NET_SIGNET,
        .name = "signet",
        /* Core 29: getchaintxstats 4096 000000895a110f46e59eb82bbc5bfb67fa314656009c295509c21b4999f5180a */
        .chain_tx_data = {1741019645, 16540736, 1.064918879911595},
        /* first 4 bytes of sha256d(serialized default challenge) */
        .message_start = {0x0a, 0x03, 0xcf, 0x40},
        .default_port = 38333,
        .rpc_port = 38332,
        .bech32_hrp = "tb",
        .base58_pubkey_prefix = 111,
        .base58_script_prefix = 196,
        .base58_secret_prefix = 239,
        .ext_public_prefix = {0x04, 0x35, 0x87, 0xCF},
        .ext_secret_prefix = {0x04, 0x35, 0x83, 0x94},
        .subsidy_halving_interval = 210000,
        .bip34_height = 1,
        .has_bip34_hash = false,
        .bip65_height = 1,
        .bip66_height = 1,
        .csv_height = 1,
        .segwit_height = 1,
        .taproot_height = 0,
        .pow_limit = {{/* 00000377ae000000000000000000000000000000000000000000000000000000 */
            0x00000000, 0x00000000, 0x00000000, 0x00000000,
            0x00000000, 0x00000000, 0xae000000, 0x00000377}},
        .pow_target_spacing = 10 * 60,
        .pow_target_timespan = 14 * 24 * 60 * 60,
        .pow_allow_min_difficulty_blocks = false,
        .pow_no_retargeting = false,
        .enforce_bip94 = false,
        .rule_change_activation_threshold = 1815,
        .miner_confirmation_window = 2016,
        .minimum_chain_work = {{/* 000000000000000000000000000000000000000000000000000002b517f3d1a1 */
            0x17f3d1a1, 0x000002b5, 0x00000000, 0x00000000,
            0x00000000, 0x00000000, 0x00000000, 0x00000000}},
        .has_default_assume_valid = true,
        /* height 237722 */
        .default_assume_valid = {/* 000000895a110f46e59eb82bbc5bfb67fa314656009c295509c21b4999f5180a */
            0x0a, 0x18, 0xf5, 0x99, 0x49, 0x1b, 0xc2, 0x09,
            0x55, 0x29, 0x9c, 0x00, 0x56, 0x46, 0x31, 0xfa,
            0x67, 0xfb, 0x5b, 0xbc, 0x2b, 0xb8, 0x9e, 0xe5,
            0x46, 0x0f, 0x11, 0x5a, 0x89, 0x00, 0x00, 0x00},
        .signet_blocks = true,
        .signet_challenge = SIGNET_DEFAULT_CHALLENGE,
        .signet_challenge_len = sizeof SIGNET_DEFAULT_CHALLENGE,
        .genesis_header = {
            .version = 1,
            .merkle_root = {/* 4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b */
                0x3b, 0xa3, 0xed, 0xfd, 0x7a, 0x7b, 0x12, 0xb2,
                0x7a, 0xc7, 0x2c, 0x3e, 0x67, 0x76, 0x8f, 0x61,
                0x7f, 0xc8, 0x1b, 0xc3, 0x88, 0x8a, 0x51, 0x32,
                0x3a, 0x9f, 0xb8, 0xaa, 0x4b, 0x1e, 0x5e, 0x4a},
            .time = 1598918400,
            .bits = 0x1e0377ae,
            .nonce = 52613770,
        },
        .genesis_hash = {/* 00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6 */
            0xf6, 0x1e, 0xee, 0x3b, 0x63, 0xa3, 0x80, 0xa4,
            0x77, 0xa0, 0x63, 0xaf, 0x32, 0xb2, 0xbb, 0xc9,
            0x7c, 0x9f, 0xf9, 0xf0, 0x1f, 0x2c, 0x42, 0x25,
            0xe9, 0x73, 0x98, 0x81, 0x08, 0x00, 0x00, 0x00},
        .genesis_timestamp = TIMES_HEADLINE,
        .genesis_output_script = SATOSHI_OUTPUT_SCRIPT,
        .genesis_output_script_len = sizeof SATOSHI_OUTPUT_SCRIPT,
        .genesis_reward = 50 * BLVM_COIN,
    },
    [BLVM_NET_REGTEST] = {
        .network = BLVM_NET_REGTEST,
        .name = "regtest",
        .message_start = {0xfa, 0xbf, 0xb5, 0xda},
        .default_port = 18444,
        .rpc_port = 18443,
        .bech32_hrp = "bcrt",
        .base58_pubkey_prefix = 111,
        .base58_script_prefix = 196,
        .base58_secret_prefix = 239,
        .ext_public_prefix = {0x04, 0x35, 0x87, 0xCF},
        .ext_secret_prefix = {0x04, 0x35, 0x83, 0x94},
        .subsidy_halving_interval = 150,
        .bip34_height = 1,
        .has_bip34_hash = false,
        .bip65_height = 1,
        .bip66_height = 1,
        .csv_height = 1,
        .segwit_height = 0,
        .taproot_height = 0,
        .pow_limit = {{/* 7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff */
            0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
            0xffffffff, 0xffffffff, 0xffffffff, 0x7fffffff}},
        .pow_target_spacing = 10 * 60,
        .pow_target_timespan = 24 * 60 * 60,
        .pow_allow_min_difficulty_blocks = true,
        .pow_no_retargeting = true,
        .enforce_bip94 = false, /* Core's -test=bip94 turns it on */
        .rule_change_activation_threshold = 108,
        .miner_confirmation_window = 144,
        .has_default_assume_valid = false,
        .genesis_header = {
            .version = 1,
            .merkle_root = {/* 4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b */
                0x3b, 0xa3, 0xed, 0xfd, 0x7a, 0x7b, 0x12, 0xb2,
                0x7a, 0xc7, 0x2c, 0x3e, 0x67, 0x76, 0x8f, 0x61,
                0x7f, 0xc8, 0x1b, 0xc3, 0x88, 0x8a, 0x51, 0x32,
                0x3a, 0x9f, 0xb8, 0xaa, 0x4b, 0x1e, 0x5e, 0x4a},
            .time = 1296688602,
            .bits = 0x207fffff,
            .nonce = 2,
        },
        .genesis_hash = {/* 0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206 */
            0x06, 0x22, 0x6e, 0x46, 0x11, 0x1a, 0x0b, 0x59,
            0xca, 0xaf, 0x12, 0x60, 0x43, 0xeb, 0x5b, 0xbf,
            0x28, 0xc3, 0x4f, 0x3a, 0x5e, 0x33, 0x2a, 0x1f,
            0xc7, 0xb2, 0xb7, 0x3c, 0xf1, 0x88, 0x91, 0x0f},
        .genesis_timestamp = TIMES_HEADLINE,
        .genesis_output_script = SATOSHI_OUTPUT_SCRIPT,
        .genesis_output_script_len = sizeof SATOSHI_OUTPUT_SCRIPT,
        .genesis_reward = 50 * BLVM_COIN,
    },
};
/* clang-format on */

const blvm_params *blvm_params_get(blvm_network net) {
    if ((unsigned)net >= BLVM_NET_COUNT) return NULL;
    return &PARAMS[net];
}

const blvm_params *blvm_params_by_name(const char *name) {
    if (name == NULL) return NULL;
    for (size_t i = 0; i < BLVM_NET_COUNT; i++)
        if (strcmp(PARAMS[i].name, name) == 0) return &PARAMS[i];
    return NULL;
}

bool blvm_params_deployment_active(const blvm_params *p, blvm_deployment d, int32_t height) {
    int32_t start;
    switch (d) {
    case BLVM_DEPLOYMENT_HEIGHTINCB:
        start = p->bip34_height;
        break;
    case BLVM_DEPLOYMENT_CLTV:
        start = p->bip65_height;
        break;
    case BLVM_DEPLOYMENT_DERSIG:
        start = p->bip66_height;
        break;
    case BLVM_DEPLOYMENT_CSV:
        start = p->csv_height;
        break;
    case BLVM_DEPLOYMENT_SEGWIT:
        start = p->segwit_height;
        break;
    case BLVM_DEPLOYMENT_TAPROOT:
        /* Signalled activation has no height: Core enforces taproot's rules
         * everywhere but the exception block anyway. */
        if (p->taproot_height == BLVM_HEIGHT_SIGNALLED) return true;
        start = p->taproot_height;
        break;
    default:
        return false;
    }
    return height >= start;
}

/* Appends a minimal data push (Core's CScript << vector). */
static size_t put_push(uint8_t *out, const uint8_t *data, size_t len) {
    size_t n = 0;
    if (len < 0x4c) {
        out[n++] = (uint8_t)len;
    } else { /* genesis pushes are below 256 bytes */
        out[n++] = 0x4c;
        out[n++] = (uint8_t)len;
    }
    memcpy(out + n, data, len);
    return n + len;
}

bool blvm_params_genesis_block(const blvm_params *p, blvm_block *b) {
    blvm_block_clear(b);
    size_t ts_len = strlen(p->genesis_timestamp);
    if (ts_len > 255) return false;
    /* <486604799> <4> <timestamp>: 486604799 (0x1d00ffff) as a CScriptNum
     * push, then CScriptNum(4) as a one-byte push (not OP_4). */
    uint8_t script_sig[2 + 5 + 2 + 255];
    static const uint8_t bits_num[4] = {0xff, 0xff, 0x00, 0x1d};
    static const uint8_t four[1] = {0x04};
    size_t n = put_push(script_sig, bits_num, sizeof bits_num);
    n += put_push(script_sig + n, four, sizeof four);
    n += put_push(script_sig + n, (const uint8_t *)p->genesis_timestamp, ts_len);

    b->txs = calloc(1, sizeof *b->txs);
    if (b->txs == NULL) return false;
    b->tx_count = 1;
    blvm_tx *tx = &b->txs[0];
    blvm_tx_init(tx);
    tx->version = 1;
    tx->locktime = 0;
    if (!blvm_tx_resize(tx, 1, 1) || !blvm_script_set(&tx->vin[0].script_sig, script_sig, n) ||
        !blvm_script_set(&tx->vout[0].script_pubkey, p->genesis_output_script,
                         p->genesis_output_script_len)) {
        blvm_block_clear(b);
        return false;
    }
    memset(tx->vin[0].prevout.hash, 0, 32);
    tx->vin[0].prevout.n = 0xffffffffu;
    tx->vin[0].sequence = BLVM_SEQUENCE_FINAL;
    tx->vout[0].value = p->genesis_reward;
    blvm_tx_compute_hashes(tx);

    b->header = p->genesis_header;
    memset(b->header.prev_hash, 0, 32);
    /* The merkle root of a one-transaction block is that transaction's id. */
    memcpy(b->header.merkle_root, tx->txid, 32);
    return true;
}

void blvm_params_init_custom_signet(blvm_params *out, const uint8_t *challenge, size_t len) {
    *out = PARAMS[BLVM_NET_SIGNET];
    out->signet_challenge = challenge;
    out->signet_challenge_len = len;
    blvm_u256_set_zero(&out->minimum_chain_work);
    out->has_default_assume_valid = false;
    out->chain_tx_data = (blvm_chain_tx_data){0, 0, 0.0};
    memset(out->default_assume_valid, 0, 32);
    /* Core hashes the challenge as a serialized vector: compact size, bytes. */
    uint8_t prefix[9];
    size_t plen;
    if (len < 0xfd) {
        prefix[0] = (uint8_t)len;
        plen = 1;
    } else if (len <= 0xffff) {
        prefix[0] = 0xfd;
        blvm_write_le16(prefix + 1, (uint16_t)len);
        plen = 3;
    } else if (len <= 0xffffffffu) {
        prefix[0] = 0xfe;
        blvm_write_le32(prefix + 1, (uint32_t)len);
        plen = 5;
    } else {
        prefix[0] = 0xff;
        blvm_write_le64(prefix + 1, (uint64_t)len);
        plen = 9;
    }
    blvm_sha256_ctx ctx;
    uint8_t h[32];
    blvm_sha256_init(&ctx);
    blvm_sha256_write(&ctx, prefix, plen);
    blvm_sha256_write(&ctx, challenge, len);
    blvm_sha256_finalize(&ctx, h);
    blvm_sha256(h, h, 32);
    memcpy(out->message_start, h, 4);
}
