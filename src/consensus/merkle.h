#ifndef BLVM_CONSENSUS_MERKLE_H
#define BLVM_CONSENSUS_MERKLE_H

/* Merkle roots of blocks and the BIP141 witness commitment.
 *
 * A `mutated` output (may be NULL) reports CVE-2012-2459: two equal adjacent
 * hashes on some level, which lets a block with repeated transactions keep
 * the merkle root of a valid one. The root functions allocate a scratch
 * buffer and return false only when that allocation fails.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/block.h"
#include "consensus/validation.h"

/* OP_RETURN, push of 36 bytes, then "aa21a9ed" (BIP141). */
#define BLVM_WITNESS_COMMITMENT_HEADER_LEN 6
#define BLVM_MINIMUM_WITNESS_COMMITMENT    38

/* Core's ComputeMerkleRoot over count 32-byte hashes. hashes is scratch space
 * of at least (count + 1) * 32 bytes; its contents are destroyed. The root of
 * no hashes is all zeros. */
void blvm_merkle_root_inplace(uint8_t out[32], uint8_t *hashes, size_t count, bool *mutated);
/* Same without touching the input (allocates a copy). */
BLVM_WUR bool blvm_merkle_root(uint8_t out[32], const uint8_t *hashes, size_t count, bool *mutated);

/* Merkle root of the block's txids (the header's merkle_root). */
BLVM_WUR bool blvm_block_merkle_root(const blvm_block *b, uint8_t out[32], bool *mutated);
/* Merkle root of the wtxids, with the coinbase's taken as zero (BIP141). */
BLVM_WUR bool blvm_block_witness_merkle_root(const blvm_block *b, uint8_t out[32], bool *mutated);

/* Core's GetWitnessCommitmentIndex: the last coinbase output whose script
 * starts with OP_RETURN 0x24 aa21a9ed and is at least 38 bytes long. Returns
 * false when there is none (or no transactions). */
bool blvm_block_witness_commitment_index(const blvm_block *b, size_t *index);

/* The commitment: SHA256d(witness_root || witness reserved value). */
void blvm_witness_commitment_compute(const uint8_t witness_root[32], const uint8_t nonce[32],
                                     uint8_t out[32]);

/* Core's CheckWitnessMalleation (called from ContextualCheckBlock). With
 * segwit_active and a commitment present, the coinbase witness must be one
 * 32-byte item ("bad-witness-nonce-size") and the commitment must match
 * ("bad-witness-merkle-match"). Otherwise no transaction may carry witness
 * data ("unexpected-witness"). All three are BLVM_BLOCK_MUTATED. An allocation
 * failure gives an error state. Call after CheckBlock (which guarantees a
 * coinbase with one input). */
BLVM_WUR bool blvm_block_check_witness_commitment(const blvm_block *b, bool segwit_active,
                                                  blvm_validation_state *state);

#endif
