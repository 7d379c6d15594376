#ifndef BLVM_CONSENSUS_PARAMS_H
#define BLVM_CONSENSUS_PARAMS_H

/* Network parameters of mainnet, testnet3, testnet4, signet and regtest, as in
 * Bitcoin Core 29's kernel/chainparams.cpp.
 *
 * The five tables are constant data returned by blvm_params_get(); nothing
 * here is mutable global state. A node that needs a variant (a signet with its
 * own challenge, regtest with other activation heights or BIP94) copies a
 * table into its own blvm_params and changes the copy
 * (blvm_params_init_custom_signet() does the signet case).
 *
 * Hashes (genesis, BIP34, exceptions, assumevalid) are 32 bytes in internal
 * byte order (as hashed; Core's uint256 storage); 256-bit numbers (pow limit,
 * minimum chain work) are blvm_u256.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/amount.h"
#include "consensus/arith256.h"
#include "consensus/block.h"
#include "util/common.h"

typedef enum {
    BLVM_NET_MAIN = 0,
    BLVM_NET_TESTNET3,
    BLVM_NET_TESTNET4,
    BLVM_NET_SIGNET,
    BLVM_NET_REGTEST,
    BLVM_NET_COUNT,
} blvm_network;

/* Soft forks that are enforced from a fixed height (Core's BuriedDeployment,
 * plus taproot, which blvm treats the same way; see taproot_height). */
typedef enum {
    BLVM_DEPLOYMENT_HEIGHTINCB = 0, /* BIP34 */
    BLVM_DEPLOYMENT_CLTV,           /* BIP65 */
    BLVM_DEPLOYMENT_DERSIG,         /* BIP66 */
    BLVM_DEPLOYMENT_CSV,            /* BIP68, BIP112, BIP113 */
    BLVM_DEPLOYMENT_SEGWIT,         /* BIP141, BIP143, BIP147 */
    BLVM_DEPLOYMENT_TAPROOT,        /* BIP340-342 */
} blvm_deployment;

/* A block whose scripts are checked with other flags than its height says
 * (Core's script_flag_exceptions): the BIP16 and taproot exception blocks. */
typedef struct {
    uint8_t hash[32];
    uint32_t flags; /* BLVM_SCRIPT_VERIFY_* (consensus/interpreter.h values) */
} blvm_script_flag_exception;

typedef struct {
    int32_t height;
    uint8_t hash[32];
} blvm_block_ref;

/* Core's ChainTxData: the transaction count at a known time and the rate
 * after it, to estimate sync progress (getblockchaininfo's
 * verificationprogress). Informational only, never consensus. */
typedef struct {
    int64_t time;
    uint64_t tx_count;
    double tx_rate; /* transactions per second after `time` */
} blvm_chain_tx_data;

typedef struct blvm_params {
    blvm_network network;
    const char *name; /* Core's -chain name: "main", "test", "testnet4", "signet", "regtest" */

    /* --- P2P, RPC and addresses --- */
    uint8_t message_start[4]; /* magic bytes opening every P2P message */
    uint16_t default_port;
    uint16_t rpc_port;
    const char *bech32_hrp;
    uint8_t base58_pubkey_prefix; /* P2PKH version byte */
    uint8_t base58_script_prefix; /* P2SH version byte */
    uint8_t base58_secret_prefix; /* WIF version byte */
    uint8_t ext_public_prefix[4]; /* BIP32 xpub / tpub */
    uint8_t ext_secret_prefix[4]; /* BIP32 xprv / tprv */

    /* --- consensus --- */
    int32_t subsidy_halving_interval;
    /* Activation heights: a rule is enforced for blocks at height >= this.
     * BIP34's hash is the block at bip34_height on the chain that activated it
     * (used by ConnectBlock's BIP30 shortcut); has_bip34_hash is false where
     * Core has a null hash. */
    int32_t bip34_height;
    bool has_bip34_hash;
    uint8_t bip34_hash[32];
    int32_t bip65_height;
    int32_t bip66_height;
    int32_t csv_height;
    int32_t segwit_height;
    /* Taproot's first enforced height. Core enforces taproot's script rules in
     * every block except one exception (script_flag_exceptions), so this only
     * informs reporting (getdeploymentinfo). BLVM_HEIGHT_SIGNALLED on testnet3,
     * where it activated through BIP9 signalling with no fixed height. */
    int32_t taproot_height;

    blvm_u256 pow_limit;                  /* easiest target allowed */
    int64_t pow_target_spacing;           /* seconds per block */
    int64_t pow_target_timespan;          /* seconds per retarget period */
    bool pow_allow_min_difficulty_blocks; /* testnet 20-minute rule */
    bool pow_no_retargeting;              /* regtest */
    bool enforce_bip94;                   /* testnet4: timewarp fix, first-block bits */

    int32_t rule_change_activation_threshold; /* BIP9 */
    int32_t miner_confirmation_window;        /* BIP9 */

    blvm_u256 minimum_chain_work; /* headers chains with less work are not stored */
    bool has_default_assume_valid;
    uint8_t default_assume_valid[32];

    const blvm_script_flag_exception *script_flag_exceptions;
    size_t script_flag_exception_count;
    /* BIP30: the two mainnet blocks whose coinbases repeat earlier ones
     * (Core's IsBIP30Repeat). */
    const blvm_block_ref *bip30_exceptions;
    size_t bip30_exception_count;
    /* Checkpoints: Core 29 has none on any network (removed in Core PR
     * #31649); kept so a table can carry them again. */
    const blvm_block_ref *checkpoints;
    size_t checkpoint_count;

    blvm_chain_tx_data chain_tx_data;

    /* BIP325 signet: blocks carry a solution to this challenge script. */
    bool signet_blocks;
    const uint8_t *signet_challenge;
    size_t signet_challenge_len;

    /* --- genesis block ---
     * The coinbase is built as Core's CreateGenesisBlock: scriptSig =
     * <486604799> <4> <timestamp>, one output of genesis_reward to
     * genesis_output_script; version 1, lock time 0. */
    blvm_block_header genesis_header; /* merkle_root included */
    uint8_t genesis_hash[32];
    const char *genesis_timestamp;
    const uint8_t *genesis_output_script;
    size_t genesis_output_script_len;
    blvm_amount genesis_reward;
} blvm_params;

#define BLVM_HEIGHT_SIGNALLED (-1)

/* The parameters of one network; NULL for an out-of-range value. */
const blvm_params *blvm_params_get(blvm_network net);
/* By Core's -chain name ("main", "test", "testnet4", "signet", "regtest");
 * NULL when unknown. */
const blvm_params *blvm_params_by_name(const char *name);

/* Blocks per retarget period: timespan / spacing (2016 on the public nets). */
static inline int64_t blvm_params_difficulty_adjustment_interval(const blvm_params *p) {
    return p->pow_target_timespan / p->pow_target_spacing;
}

/* Whether the rules of deployment d apply to a block at `height` (Core's
 * DeploymentActiveAt; DeploymentActiveAfter(prev) is height prev+1). */
bool blvm_params_deployment_active(const blvm_params *p, blvm_deployment d, int32_t height);

/* Builds the genesis block into b (initialized by the caller with
 * blvm_block_init; cleared first) exactly as Core does, with its merkle root
 * computed from the coinbase. Returns false only when out of memory. */
BLVM_WUR bool blvm_params_genesis_block(const blvm_params *p, blvm_block *b);

/* Copies the default signet into out and switches it to another challenge
 * script, as Core's -signetchallenge does: the message start becomes the
 * first four bytes of sha256d(compact size || challenge), and minimum chain
 * work and assumevalid are cleared. challenge is not copied: it must outlive
 * out. */
void blvm_params_init_custom_signet(blvm_params *out, const uint8_t *challenge, size_t len);

#endif
