#ifndef BLVM_CONSENSUS_BLOCK_CHECK_H
#define BLVM_CONSENSUS_BLOCK_CHECK_H

/* Context-free block checks: Core's CheckBlockHeader and CheckBlock. The
 * contextual ones (difficulty, time, BIP34 height, witness commitment via
 * blvm_block_check_witness_commitment in consensus/merkle.h) come after. */

#include <stdbool.h>
#include <stdint.h>

#include "consensus/block.h"
#include "consensus/validation.h"

typedef struct {
    /* Core's fCheckPOW: the header hash must meet its own nBits, and nBits
     * must be a valid target no easier than pow_limit. */
    bool check_pow;
    /* Core's fCheckMerkleRoot: the merkle root must match and the tree must
     * not be mutated (CVE-2012-2459). */
    bool check_merkle_root;
    /* The network's proof-of-work limit, 32 bytes least significant first
     * (as a hash is stored). Needed when check_pow. */
    const uint8_t *pow_limit;
} blvm_check_block_opts;

/* Core's CheckProofOfWork: true when bits decodes to a positive target that
 * does not overflow and is at most pow_limit, and hash (internal byte order,
 * read as a little-endian number) is at most that target. */
bool blvm_check_proof_of_work_limit(const uint8_t hash[32], uint32_t bits,
                                    const uint8_t pow_limit[32]);

/* Core's CheckBlockHeader: "high-hash" (BLVM_BLOCK_INVALID_HEADER) when the
 * proof of work fails. */
BLVM_WUR bool blvm_check_block_header(const blvm_block_header *h, const uint8_t pow_limit[32],
                                      blvm_validation_state *state);

/* Core's CheckBlock, in Core's order: header proof of work; merkle root
 * ("bad-txnmrklroot", then "bad-txns-duplicate" for a mutated tree, both
 * BLVM_BLOCK_MUTATED); size limits ("bad-blk-length"); first transaction and
 * only it a coinbase ("bad-cb-missing", "bad-cb-multiple"); every
 * transaction's CheckTransaction (its reason unchanged, the txid in the debug
 * text, BLVM_BLOCK_CONSENSUS); legacy sigops times 4 at most 80000
 * ("bad-blk-sigops"). Witness data is not looked at (see
 * blvm_block_check_witness_commitment). Signet's block solution is checked
 * elsewhere. */
BLVM_WUR bool blvm_check_block(const blvm_block *b, const blvm_check_block_opts *opts,
                               blvm_validation_state *state);

#endif
