#ifndef BLVM_CONSENSUS_BLOCK_CHECK_H
#define BLVM_CONSENSUS_BLOCK_CHECK_H

/* Context-free block checks: Core's CheckBlockHeader and CheckBlock. The
 * contextual ones (difficulty, time, BIP34 height, witness commitment via
 * blvm_block_check_witness_commitment in consensus/merkle.h) come after. */

#include <stdbool.h>
#include <stdint.h>

#include "consensus/block.h"
#include "consensus/params.h"
#include "consensus/validation.h"

/* Core's CheckBlockHeader: "high-hash" (BLVM_BLOCK_INVALID_HEADER) when the
 * header's hash is above the target of its nBits, or nBits is not a valid
 * target for the network (consensus/pow.h's blvm_pow_check). */
BLVM_WUR bool blvm_check_block_header(const blvm_block_header *h, const blvm_params *params,
                                      blvm_validation_state *state);

/* Core's CheckBlock(block, state, params, fCheckPOW, fCheckMerkleRoot), in
 * Core's order: header proof of work (when check_pow; params may be NULL
 * otherwise); merkle root (when check_merkle_root)
 * ("bad-txnmrklroot", then "bad-txns-duplicate" for a mutated tree, both
 * BLVM_BLOCK_MUTATED); size limits ("bad-blk-length"); first transaction and
 * only it a coinbase ("bad-cb-missing", "bad-cb-multiple"); every
 * transaction's CheckTransaction (its reason unchanged, the txid in the debug
 * text, BLVM_BLOCK_CONSENSUS); legacy sigops times 4 at most 80000
 * ("bad-blk-sigops"). Witness data is not looked at (see
 * blvm_block_check_witness_commitment). On a signet (params->signet_blocks)
 * the block solution is checked right after the proof of work, as Core does
 * ("bad-signet-blksig", BLVM_BLOCK_CONSENSUS; consensus/signet.h). */
BLVM_WUR bool blvm_check_block(const blvm_block *b, const blvm_params *params, bool check_pow,
                               bool check_merkle_root, blvm_validation_state *state);

#endif
