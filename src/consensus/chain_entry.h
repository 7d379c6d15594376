#ifndef BLVM_CONSENSUS_CHAIN_ENTRY_H
#define BLVM_CONSENSUS_CHAIN_ENTRY_H

/* What the consensus rules need to know about a block's ancestors: one entry
 * of the node's block index (Core's CBlockIndex, reduced to the fields the
 * rules read).
 *
 * The node owns its block index; it embeds one blvm_chain_entry in each of its
 * index records (for instance as the first member, so it can get back to its
 * record from an entry pointer) and links them through `prev`. Consensus code
 * only reads entries, walks `prev`/`skip`, and never allocates or frees them.
 *
 * Invariants the node keeps (blvm_chain_entry_init() sets all of them):
 * - prev is NULL only for the genesis block, whose height is 0; otherwise
 *   height == prev->height + 1 and every ancestor down to height 0 is linked.
 * - skip is NULL or the ancestor at height blvm_chain_entry_skip_height(height)
 *   (Core's pskip). It only speeds up blvm_chain_entry_ancestor(); NULL is
 *   always correct, just slower (a walk along prev).
 * - chain_work is the sum of blvm_pow_block_proof() over the entry and all its
 *   ancestors (Core's nChainWork).
 * - Entries do not change once linked (a node marks validity elsewhere).
 *
 * Ancestors are reached only through these pointers, so a "virtual" entry is
 * fine too: to evaluate rules for a block that is not in the index yet (a
 * mempool transaction at tip+1, a block template), fill an entry on the stack
 * with prev = tip and height = tip->height + 1.
 */

#include <stdbool.h>
#include <stdint.h>

#include "consensus/arith256.h"
#include "consensus/block.h"

typedef struct blvm_chain_entry {
    const struct blvm_chain_entry *prev; /* parent, NULL for genesis */
    const struct blvm_chain_entry *skip; /* far ancestor (see above), may be NULL */
    int32_t height;
    int32_t version;  /* header nVersion */
    uint32_t time;    /* header nTime */
    uint32_t bits;    /* header nBits */
    uint8_t hash[32]; /* block hash, internal byte order */
    blvm_u256 chain_work;
} blvm_chain_entry;

/* Number of entries blvm_chain_entry_median_time_past() looks at. */
#define BLVM_MEDIAN_TIME_SPAN 11

/* Fills e for the block with header h and hash `hash` on top of prev (NULL
 * for genesis): height, time, bits, version, hash, chain work and skip. */
void blvm_chain_entry_init(blvm_chain_entry *e, const blvm_block_header *h, const uint8_t hash[32],
                           const blvm_chain_entry *prev);

/* Core's GetSkipHeight: the height the skip pointer of an entry at `height`
 * points to. */
int32_t blvm_chain_entry_skip_height(int32_t height);

/* The ancestor of e at `height` (e itself when height == e->height), or NULL
 * when height is negative or above e->height (Core's GetAncestor). Uses skip
 * pointers where present: O(log n) on a fully skipped index. */
const blvm_chain_entry *blvm_chain_entry_ancestor(const blvm_chain_entry *e, int32_t height);

/* Median of the times of e and its up to 10 closest ancestors (Core's
 * GetMedianTimePast; BIP113). */
int64_t blvm_chain_entry_median_time_past(const blvm_chain_entry *e);

#endif
