#ifndef BLVM_NODE_MINER_H
#define BLVM_NODE_MINER_H

/* Block assembly and regtest proof-of-work grinding (Bitcoin Core 29's
 * node/miner.cpp BlockAssembler::CreateNewBlock and rpc/mining.cpp
 * GenerateBlock).
 *
 * A template is built in three steps, all on the caller's thread:
 *
 *     blvm_block_template t;
 *     blvm_miner_begin(&t, params, &tip->entry, &opts);    header fields
 *     blvm_miner_add_tx(&t, tx, fee, sigop_cost) ...       optional
 *     blvm_miner_finish(&t);                               coinbase, commitment,
 *                                                          merkle root
 *     ... use t.block ...
 *     blvm_miner_template_clear(&t);
 *
 * The previous block is given as a consensus chain entry (the block index
 * entry of the tip; it is read only during begin and must stay valid until
 * finish returns). Nothing here takes locks or reads a clock: the caller
 * holds whatever protects the entry and passes the time in the options.
 *
 * The coinbase is what Core 29 builds: version 2, lock time 0, one input
 * with the null prevout, sequence 0xffffffff and scriptSig
 * `<height> OP_0` (BIP34; the OP_0 is Core's extra nonce), one output of
 * subsidy + fees to the caller's script, and, when segwit is active at the
 * block's height, a second output with the BIP141 witness commitment and
 * the 32-byte zero witness reserved value as the coinbase's witness. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/amount.h"
#include "consensus/block.h"
#include "consensus/chain_entry.h"
#include "consensus/merkle.h"
#include "consensus/params.h"
#include "consensus/tx.h"
#include "util/common.h"

/* Core's DEFAULT_BLOCK_RESERVED_WEIGHT (Core 29): header, tx count and
 * coinbase are given this much of the block weight up front. */
#define BLVM_MINER_DEFAULT_RESERVED_WEIGHT 8000
/* Core's MINIMUM_BLOCK_RESERVED_WEIGHT. */
#define BLVM_MINER_MIN_RESERVED_WEIGHT 2000
/* Core's DEFAULT_COINBASE_OUTPUT_MAX_ADDITIONAL_SIGOPS. */
#define BLVM_MINER_DEFAULT_COINBASE_SIGOPS 400
/* Core's DEFAULT_MAX_TRIES for the generate* RPCs. */
#define BLVM_MINER_DEFAULT_MAX_TRIES 1000000
/* Core's MAX_COINBASE_SCRIPTSIG_SIZE check in CheckTransaction: 2..100. */
#define BLVM_MINER_MAX_COINBASE_SCRIPT_SIG 100

typedef struct {
    /* The coinbase output script (required; copied). */
    const uint8_t *coinbase_script;
    size_t coinbase_script_len;
    /* Core's -blockmaxweight: 0 means BLVM_MAX_BLOCK_WEIGHT; clamped to
     * [reserved, BLVM_MAX_BLOCK_WEIGHT] as Core's ClampOptions. */
    size_t block_max_weight;
    /* Core's -blockreservedweight: 0 means the default; clamped to
     * [BLVM_MINER_MIN_RESERVED_WEIGHT, BLVM_MAX_BLOCK_WEIGHT]. */
    size_t block_reserved_weight;
    /* Sigops reserved for the coinbase outputs (Core's
     * coinbase_output_max_additional_sigops). */
    uint64_t coinbase_max_sigops;
    /* Core's -blockversion (honoured on regtest only, as Core). */
    bool has_version_override;
    int32_t version_override;
    /* The node's clock in UNIX seconds (block time = max(minimum time, now)). */
    int64_t now;
} blvm_miner_options;

/* Fills defaults; the caller still sets coinbase_script and now. */
void blvm_miner_options_init(blvm_miner_options *opt);

struct blvm_config;
/* Core's block creation settings: -blockmaxweight, -blockreservedweight and
 * -blockversion into opt (after blvm_miner_options_init). false with Core's
 * start-up error in err for a weight above the consensus limit or a reserve
 * below BLVM_MINER_MIN_RESERVED_WEIGHT. */
BLVM_WUR bool blvm_miner_options_from_config(blvm_miner_options *opt, const struct blvm_config *cfg,
                                             char *err, size_t errlen);

typedef struct {
    /* The block. Before finish, txs[0] is an empty placeholder. */
    blvm_block block;
    /* Per transaction, as Core's CBlockTemplate: fees[0] is minus the total
     * fees; sigop_costs[0] the coinbase's legacy sigops times 4. */
    blvm_amount *fees;
    int64_t *sigop_costs;
    size_t cap;
    int32_t height;
    /* Median time past of the previous block: the lock-time cutoff
     * (BIP113) and the base of the minimum time. */
    int64_t prev_median_time_past;
    /* Core's GetMinimumTime: the earliest time the block may carry
     * (getblocktemplate's mintime). */
    int64_t min_time;
    blvm_amount total_fees;
    /* Core's nBlockWeight / nBlockSigOpsCost: the reserved amounts plus the
     * transactions added (getmininginfo's currentblockweight). */
    uint64_t weight;
    uint64_t sigop_cost;
    bool segwit_active;
    /* The commitment output script (getblocktemplate's
     * default_witness_commitment); len 0 when segwit is not active. */
    uint8_t commitment[BLVM_MINIMUM_WITNESS_COMMITMENT];
    size_t commitment_len;
    /* Private. */
    const blvm_params *params;
    uint8_t *coinbase_script;
    size_t coinbase_script_len;
    uint64_t max_weight;
    size_t appended; /* transactions added by blvm_miner_append_tx */
    bool finished;
} blvm_block_template;

/* Starts a block on top of prev (must not be NULL: the genesis block comes
 * from the chain parameters): version (Core's ComputeBlockVersion, or the
 * override on regtest), previous hash, time = max(GetMinimumTime, now), bits
 * (blvm_pow_next_work_required), nonce 0, a placeholder coinbase. false on
 * bad options (no coinbase script) or out of memory. */
BLVM_WUR bool blvm_miner_begin(blvm_block_template *t, const blvm_params *p,
                               const blvm_chain_entry *prev, const blvm_miner_options *opt);

typedef enum {
    BLVM_MINER_ADDED = 0,
    BLVM_MINER_TOO_HEAVY,      /* would reach the block's weight limit */
    BLVM_MINER_TOO_MANY_SIGOPS, /* would reach BLVM_MAX_BLOCK_SIGOPS_COST */
    BLVM_MINER_NOT_FINAL,      /* lock time not passed at this height/MTP */
    BLVM_MINER_NO_MEMORY,
    BLVM_MINER_FINISHED,       /* the template was already finished */
} blvm_miner_add_result;

/* Core's addPackageTxs for one transaction whose inputs are available
 * (confirmed or earlier in this block): adds it when it fits the weight
 * (weight + 4 * vsize < max) and sigop (cost < 80000) limits and is final
 * (IsFinalTx at the block's height with the previous block's median time
 * past). fee and sigop_cost are the caller's (the mempool knows the spent
 * coins). The transaction is copied. */
BLVM_WUR blvm_miner_add_result blvm_miner_add_tx(blvm_block_template *t, const blvm_tx *tx,
                                                 blvm_amount fee, int64_t sigop_cost);

/* Appends a transaction without any check and with an unknown fee counted
 * as zero (generateblock: the block is validated as a whole afterwards). */
BLVM_WUR bool blvm_miner_append_tx(blvm_block_template *t, const blvm_tx *tx);

/* Builds the coinbase (BIP34 height, subsidy + fees, witness commitment over
 * the transactions added when segwit is active) and the merkle root. false
 * on out of memory. */
BLVM_WUR bool blvm_miner_finish(blvm_block_template *t);

void blvm_miner_template_clear(blvm_block_template *t);

/* Core's UpdateTime for a template being reused (getblocktemplate): moves
 * the time forward to max(min_time, now), and recomputes bits on networks
 * whose difficulty depends on the time (testnet). prev as in begin. */
void blvm_miner_update_time(blvm_block_header *h, const blvm_params *p,
                            const blvm_chain_entry *prev, int64_t now);

/* Core's GetMinimumTime: median time past of prev + 1, and on the first
 * block of a difficulty period at least prev's time - 600 (BIP94's timewarp
 * rule, applied on every network as Core does). */
int64_t blvm_miner_minimum_time(const blvm_params *p, const blvm_chain_entry *prev);

typedef enum {
    BLVM_GRIND_FOUND = 0,     /* h->nonce makes the hash meet its target */
    BLVM_GRIND_EXHAUSTED,     /* *max_tries reached 0, or interrupted */
    BLVM_GRIND_NONCE_WRAPPED, /* every nonce tried: change the block, go on */
} blvm_grind_result;

/* Core's GenerateBlock loop: increments h->nonce from its current value
 * until the header's hash is at or below its nBits target, the nonce reaches
 * 0xffffffff, *max_tries runs out (decremented per failed try) or
 * interrupted(ctx) (may be NULL; polled every 4096 tries) turns true. */
blvm_grind_result blvm_miner_grind(blvm_block_header *h, const blvm_params *p,
                                   uint64_t *max_tries, bool (*interrupted)(void *ctx),
                                   void *ctx);

/* Core's BlockAssembler::m_last_block_num_txs / m_last_block_weight: what
 * the last finished template held (getmininginfo). Thread-safe. false when
 * no template was ever finished in this process. */
bool blvm_miner_last_block_stats(uint64_t *num_txs, uint64_t *weight);

/* Core's UpdateUncommittedBlockStructures (submitblock): gives the coinbase
 * the 32-byte zero witness reserved value when the block has a witness
 * commitment, segwit is active at its height and the coinbase has no
 * witness. Returns false on out of memory. */
BLVM_WUR bool blvm_miner_update_uncommitted(blvm_block *b, const blvm_params *p, int32_t height);

#endif
