#ifndef BLVM_CONSENSUS_POW_H
#define BLVM_CONSENSUS_POW_H

/* Proof of work: targets from nBits, the difficulty retarget rules of every
 * network, and chain work (Bitcoin Core's pow.cpp and GetBlockProof).
 *
 * Functions that look at ancestors take the parent entry of the block being
 * checked (`last`), from the node's block index (consensus/chain_entry.h);
 * that chain must be linked down to genesis. */

#include <stdbool.h>
#include <stdint.h>

#include "consensus/arith256.h"
#include "consensus/chain_entry.h"
#include "consensus/params.h"
#include "util/common.h"

/* BIP94 (testnet4): the first block of a retarget period may not be more than
 * this many seconds before its parent (the timewarp fix). */
#define BLVM_MAX_TIMEWARP 600

/* Core's DeriveTarget: the target nBits stands for. false when nBits is
 * negative, zero, overflows 256 bits or is easier than p->pow_limit. */
BLVM_WUR bool blvm_pow_derive_target(blvm_u256 *target, uint32_t bits, const blvm_params *p);

/* Core's CheckProofOfWork: hash (internal byte order) at or below the target
 * of a valid nBits. */
bool blvm_pow_check(const uint8_t hash[32], uint32_t bits, const blvm_params *p);

/* Core's GetNextWorkRequired: the nBits a block on top of `last` with
 * timestamp new_block_time must carry. Covers the retarget every
 * difficulty-adjustment interval, the testnet 20-minute minimum-difficulty
 * rule with its walk back to the last regular block, BIP94's first-block
 * bits (testnet4) and regtest's no-retargeting. */
uint32_t blvm_pow_next_work_required(const blvm_chain_entry *last, int64_t new_block_time,
                                     const blvm_params *p);

/* Core's CalculateNextWorkRequired: the retarget proper, given the time of
 * the first block of the period that ends at `last`. */
uint32_t blvm_pow_calculate_next_work(const blvm_chain_entry *last, int64_t first_block_time,
                                      const blvm_params *p);

/* Core's PermittedDifficultyTransition: whether nBits may change from
 * old_bits to new_bits at `height` (used to sanity-check headers before
 * their ancestors are all known; always true on min-difficulty networks). */
bool blvm_pow_permitted_transition(const blvm_params *p, int64_t height, uint32_t old_bits,
                                   uint32_t new_bits);

/* Core's GetBlockProof: the expected number of hashes for a block with these
 * nBits, 2^256 / (target + 1); zero for an invalid nBits. */
void blvm_pow_block_proof(blvm_u256 *out, uint32_t bits);

/* Core's GetBlockProofEquivalentTime: how many seconds at tip's difficulty
 * the work between `from` and `to` is worth (negative when to has less
 * work), saturating at INT64_MAX. Used by assumevalid. */
int64_t blvm_pow_proof_equivalent_time(const blvm_chain_entry *to, const blvm_chain_entry *from,
                                       const blvm_chain_entry *tip, const blvm_params *p);

/* Core's GetDifficulty (rpc/blockchain.cpp): how many times harder nBits is
 * than difficulty 1 (0x1d00ffff), as shown by getdifficulty and
 * getblockchaininfo. For display only, never for consensus. */
double blvm_pow_difficulty(uint32_t bits);

#endif
