#ifndef BLVM_CONSENSUS_CHAIN_RULES_H
#define BLVM_CONSENSUS_CHAIN_RULES_H

/* The contextual consensus rules: everything that depends on where a block
 * or transaction sits in the chain (Bitcoin Core's ContextualCheckBlockHeader,
 * ContextualCheckBlock, Consensus::CheckTxInputs, IsFinalTx, sequence locks,
 * GetBlockSubsidy, GetBlockScriptFlags, the BIP30 exceptions).
 *
 * Context is explicit: chain parameters, the parent entry in the node's block
 * index (consensus/chain_entry.h), the spent coins, and "now" for the
 * future-time check. Nothing here reads a clock or the coins database.
 *
 * Order of use when accepting a block (as Core's AcceptBlock/ConnectBlock):
 *   blvm_check_block_header / blvm_check_block          (block_check.h)
 *   blvm_contextual_check_block_header(h, prev, p, now)
 *   blvm_contextual_check_block(b, prev, p)
 *   per transaction: coins lookup (caller: "bad-txns-inputs-missingorspent"),
 *     blvm_check_tx_inputs, blvm_sequence_locks_check, scripts with
 *     blvm_block_script_flags(p, height, hash); the coinbase pays at most
 *     fees + blvm_block_subsidy(height, p).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/amount.h"
#include "consensus/block.h"
#include "consensus/chain_entry.h"
#include "consensus/params.h"
#include "consensus/tx.h"
#include "consensus/validation.h"
#include "util/common.h"

/* A coinbase output can be spent only this many blocks later. */
#define BLVM_COINBASE_MATURITY 100
/* A header's time may be at most this far after the node's clock. */
#define BLVM_MAX_FUTURE_BLOCK_TIME (2 * 60 * 60)
/* Block weight limit (BIP141). */
#define BLVM_MAX_BLOCK_WEIGHT 4000000
/* nLockTime below this is a height, otherwise a UNIX time. */
#define BLVM_LOCKTIME_THRESHOLD 500000000u

/* BIP68 fields of nSequence. */
#define BLVM_SEQUENCE_LOCKTIME_DISABLE_FLAG (1u << 31)
#define BLVM_SEQUENCE_LOCKTIME_TYPE_FLAG    (1u << 22) /* time (512 s units), not blocks */
#define BLVM_SEQUENCE_LOCKTIME_MASK         0x0000ffffu
#define BLVM_SEQUENCE_LOCKTIME_GRANULARITY  9

/* Flags for blvm_calculate_sequence_locks: enforce BIP68 (Core's
 * LOCKTIME_VERIFY_SEQUENCE; set once CSV is active). */
#define BLVM_LOCKTIME_VERIFY_SEQUENCE (1u << 0)

/* Longest script blvm_bip34_height_script() writes. */
#define BLVM_BIP34_SCRIPT_MAX 6

/* --- subsidy ---------------------------------------------------------- */

/* Core's GetBlockSubsidy: 50 BTC halved every subsidy_halving_interval blocks,
 * zero from the 64th halving on (where the shift would be undefined). */
blvm_amount blvm_block_subsidy(int32_t height, const blvm_params *p);

/* --- lock times ------------------------------------------------------- */

/* Core's IsFinalTx: nLockTime 0, or below block_height (height lock) /
 * block_time (time lock, compared with the BIP113 cutoff the caller gives),
 * or every input's nSequence final. */
bool blvm_tx_is_final(const blvm_tx *tx, int32_t block_height, int64_t block_time);

/* The BIP68 lock of a transaction: it may be included in a block of height
 * > min_height whose parent's median time past is > min_time (-1: none). */
typedef struct {
    int32_t min_height;
    int64_t min_time;
} blvm_sequence_locks;

/* Core's CalculateSequenceLocks. `block` is the entry of the block the
 * transaction would be in (for the mempool: a virtual entry at tip+1, see
 * chain_entry.h), prev_heights[i] the height of the coin input i spends.
 * Inputs with the disable flag get their prev_heights entry set to 0, as in
 * Core. BIP68 applies only with flags & BLVM_LOCKTIME_VERIFY_SEQUENCE and
 * tx->version >= 2. Returns false (out untouched) only on inconsistent input:
 * a coin height above block->height, or an index not linked to genesis. */
BLVM_WUR bool blvm_calculate_sequence_locks(const blvm_tx *tx, uint32_t flags,
                                            int32_t *prev_heights, const blvm_chain_entry *block,
                                            blvm_sequence_locks *out);

/* Core's EvaluateSequenceLocks: whether `locks` allow inclusion in `block`
 * (which must have a parent). */
bool blvm_evaluate_sequence_locks(const blvm_chain_entry *block, const blvm_sequence_locks *locks);

/* Core's SequenceLocks: calculate, then evaluate. false also on the
 * inconsistent input of blvm_calculate_sequence_locks. */
bool blvm_sequence_locks_check(const blvm_tx *tx, uint32_t flags, int32_t *prev_heights,
                               const blvm_chain_entry *block);

/* --- BIP34 ------------------------------------------------------------ */

/* Writes `CScript() << height` (Core's push_int64: OP_0, OP_1..OP_16, or a
 * minimal CScriptNum push) and returns its length. height >= 0. */
size_t blvm_bip34_height_script(int32_t height, uint8_t out[BLVM_BIP34_SCRIPT_MAX]);

/* Whether the coinbase scriptSig starts with blvm_bip34_height_script(height). */
bool blvm_bip34_coinbase_has_height(const blvm_tx *coinbase, int32_t height);

/* --- script flags ----------------------------------------------------- */

/* Core's GetBlockScriptFlags: the BLVM_SCRIPT_VERIFY_* flags every input of
 * the block at `height` with hash `block_hash` is checked with. P2SH,
 * WITNESS and TAPROOT always (except in the exception blocks of
 * p->script_flag_exceptions), plus DERSIG, CHECKLOCKTIMEVERIFY,
 * CHECKSEQUENCEVERIFY and NULLDUMMY from their activation heights. */
uint32_t blvm_block_script_flags(const blvm_params *p, int32_t height,
                                 const uint8_t block_hash[32]);

/* --- BIP30 ------------------------------------------------------------ */

/* Core's IsBIP30Repeat: one of the two mainnet blocks allowed to repeat an
 * earlier coinbase. */
bool blvm_is_bip30_repeat(const blvm_params *p, int32_t height, const uint8_t block_hash[32]);

/* Whether ConnectBlock must check that none of the block's outputs already
 * exists unspent (BIP30): not for the two repeats; not on the chain whose
 * block at bip34_height is p->bip34_hash (BIP34 makes coinbases unique there),
 * until height 1983702 where a BIP34 height can first repeat an old
 * coinbase's. `block` is the entry of the block being connected. */
bool blvm_bip30_check_needed(const blvm_params *p, const blvm_chain_entry *block);

/* --- block checks ----------------------------------------------------- */

/* Core's ContextualCheckBlockHeader for header h on top of prev (genesis is
 * never checked; a NULL prev gives an error state). `now` is the node's
 * current time in UNIX seconds.
 * Reasons, in Core's order (all BLVM_BLOCK_INVALID_HEADER unless noted):
 *   "bad-diffbits"          nBits is not blvm_pow_next_work_required()
 *   "time-too-old"          time <= median time past of prev
 *   "time-timewarp-attack"  BIP94 (testnet4): first block of a period more
 *                           than BLVM_MAX_TIMEWARP seconds before prev
 *   "time-too-new"          time > now + 2 hours (BLVM_BLOCK_TIME_FUTURE)
 *   "bad-version(0x%08x)"   version < 2, 3, 4 once BIP34, BIP66, BIP65 apply
 * Core 29 has no checkpoints, so no "bad-fork-prior-to-checkpoint". */
BLVM_WUR bool blvm_contextual_check_block_header(const blvm_block_header *h,
                                                 const blvm_chain_entry *prev, const blvm_params *p,
                                                 int64_t now, blvm_validation_state *state);

/* Core's ContextualCheckBlock for block b on top of prev (NULL for genesis),
 * after blvm_check_block. Reasons (BLVM_BLOCK_CONSENSUS unless noted):
 *   "bad-txns-nonfinal"     a transaction is not final at this height and the
 *                           lock-time cutoff (prev's median time past once CSV
 *                           (BIP113) applies, else the block's time)
 *   "bad-cb-height"         BIP34: coinbase does not start with the height
 *   "bad-witness-nonce-size", "bad-witness-merkle-match", "unexpected-witness"
 *                           (BLVM_BLOCK_MUTATED, blvm_block_check_witness_commitment)
 *   "bad-blk-weight"        weight above BLVM_MAX_BLOCK_WEIGHT
 * An allocation failure gives an error state. */
BLVM_WUR bool blvm_contextual_check_block(const blvm_block *b, const blvm_chain_entry *prev,
                                          const blvm_params *p, blvm_validation_state *state);

/* --- transaction inputs ----------------------------------------------- */

/* What CheckTxInputs needs of a coin being spent. */
typedef struct {
    blvm_amount value;
    int32_t height; /* height of the block that created it */
    bool is_coinbase;
} blvm_spent_coin;

/* Core's Consensus::CheckTxInputs, with coins[i] the coin input i spends
 * (finding them, and "bad-txns-inputs-missingorspent", is the caller's).
 * spend_height is the height of the block the transaction is in (tip+1 for
 * the mempool). On success *fee is the fee. Reasons:
 *   "bad-txns-premature-spend-of-coinbase" (BLVM_TX_PREMATURE_SPEND)
 *   "bad-txns-inputvalues-outofrange", "bad-txns-in-belowout",
 *   "bad-txns-fee-outofrange" (BLVM_TX_CONSENSUS)
 * The transaction must have passed CheckTransaction (outputs in range). */
BLVM_WUR bool blvm_check_tx_inputs(const blvm_tx *tx, const blvm_spent_coin *coins,
                                   int32_t spend_height, blvm_amount *fee,
                                   blvm_validation_state *state);

/* Core's GuessVerificationProgress: transactions up to the tip over the
 * estimated transactions up to `now` (the network's chain_tx_data, or the
 * tip's own count where that is newer), at most 1. 0 without a tip. */
double blvm_guess_verification_progress(const blvm_params *p, uint64_t tip_chain_tx,
                                        int64_t tip_time, int64_t now);

#endif
