#ifndef BLVM_NODE_BLOCKINDEX_H
#define BLVM_NODE_BLOCKINDEX_H

/* The block index: one entry per known header (Core's CBlockIndex), a hash
 * map over them, and the active chain (Core's CChain).
 *
 * Each entry embeds the blvm_chain_entry the consensus rules read (prev,
 * skip, height, version, time, bits, hash, chain work) as its first member,
 * so a const blvm_chain_entry * from consensus code converts back with
 * blvm_block_index_from_entry().
 *
 * Stored in the key-value store as Core's CDiskBlockIndex:
 *   'b' || hash  ->  VARINT(version 259900), VARINT(height), VARINT(status),
 *                    VARINT(tx count), [VARINT(file)], [VARINT(data pos)],
 *                    [VARINT(undo pos)], 80-byte header
 * Chain work, skip pointers and chain tx counts are rebuilt on load.
 *
 * Entries are never freed while the tree lives; pointers stay valid.
 * Not thread-safe: the chainstate serialises access under its lock.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/block.h"
#include "consensus/chain_entry.h"
#include "storage/blockfile.h"
#include "storage/kv.h"
#include "util/bytes.h"
#include "util/common.h"

/* Core's BlockStatus. */
enum {
    BLVM_BLOCK_VALID_UNKNOWN = 0,
    BLVM_BLOCK_VALID_RESERVED = 1,
    BLVM_BLOCK_VALID_TREE = 2,         /* header valid, parent known */
    BLVM_BLOCK_VALID_TRANSACTIONS = 3, /* block data passed CheckBlock */
    BLVM_BLOCK_VALID_CHAIN = 4,        /* outputs do not overspend, no double spends */
    BLVM_BLOCK_VALID_SCRIPTS = 5,      /* scripts verified */
    BLVM_BLOCK_VALID_MASK = 7,
    BLVM_BLOCK_HAVE_DATA = 8,
    BLVM_BLOCK_HAVE_UNDO = 16,
    BLVM_BLOCK_FAILED_VALID = 32,
    BLVM_BLOCK_FAILED_CHILD = 64,
    BLVM_BLOCK_FAILED_MASK = 96,
    BLVM_BLOCK_OPT_WITNESS = 128,
};

#define BLVM_BLOCK_INDEX_DISK_VERSION 259900

typedef struct blvm_block_index {
    blvm_chain_entry entry; /* must stay first */
    uint8_t merkle_root[32];
    uint32_t nonce;
    uint32_t status;
    uint32_t tx_count;   /* transactions in the block, 0 until its data is seen */
    uint64_t chain_tx;   /* transactions up to and including this block, 0 if
                            some ancestor's data is missing */
    int32_t file;        /* blk/rev file number, -1 if none */
    uint32_t data_pos;   /* valid with BLVM_BLOCK_HAVE_DATA */
    uint32_t undo_pos;   /* valid with BLVM_BLOCK_HAVE_UNDO */
    int32_t sequence_id; /* order data arrived: breaks ties in chain work */
    uint32_t time_max;   /* largest time of this block and its ancestors */
    bool dirty;          /* must be written at the next flush */
    struct blvm_block_index *hash_next;
} blvm_block_index;

static inline blvm_block_index *blvm_block_index_from_entry(const blvm_chain_entry *e) {
    return (blvm_block_index *)e;
}
static inline blvm_block_index *blvm_block_index_prev(const blvm_block_index *b) {
    return (blvm_block_index *)b->entry.prev;
}
static inline bool blvm_block_index_is_valid(const blvm_block_index *b, uint32_t up_to) {
    if (b->status & BLVM_BLOCK_FAILED_MASK) return false;
    return (b->status & BLVM_BLOCK_VALID_MASK) >= up_to;
}
/* Raises the validity level (never lowers it); returns true if it changed. */
bool blvm_block_index_raise_validity(blvm_block_index *b, uint32_t up_to);
void blvm_block_index_header(const blvm_block_index *b, blvm_block_header *out);
blvm_block_index *blvm_block_index_ancestor(const blvm_block_index *b, int32_t height);
blvm_flatpos blvm_block_index_data_pos(const blvm_block_index *b);
blvm_flatpos blvm_block_index_undo_pos(const blvm_block_index *b);

void blvm_block_index_encode(const blvm_block_index *b, blvm_writer *w);

typedef struct {
    blvm_block_index **buckets;
    size_t nbuckets;
    size_t count;
    blvm_block_index **all; /* every entry, in insertion order */
    size_t all_cap;
} blvm_block_tree;

void blvm_block_tree_init(blvm_block_tree *t);
void blvm_block_tree_clear(blvm_block_tree *t);
blvm_block_index *blvm_block_tree_find(const blvm_block_tree *t, const uint8_t hash[32]);
/* Adds the header with the given hash. Its parent must be in the tree, or it
 * must be a genesis (prev hash zero and no parent given). Returns the
 * existing entry if already there; NULL on out of memory or unknown parent. */
blvm_block_index *blvm_block_tree_add(blvm_block_tree *t, const blvm_block_header *h,
                                      const uint8_t hash[32]);

/* Loads every 'b' record from the store into an empty tree; rebuilds chain
 * work, skip pointers, chain_tx and time_max. false on a corrupt record or
 * an entry whose parent is missing. */
BLVM_WUR bool blvm_block_tree_load(blvm_block_tree *t, blvm_kv *kv);
/* Writes every dirty entry in txn (flags stay set: call
 * blvm_block_tree_clear_dirty after the commit). */
BLVM_WUR int blvm_block_tree_write_dirty(const blvm_block_tree *t, blvm_kv_txn *txn);
void blvm_block_tree_clear_dirty(blvm_block_tree *t);

/* The active chain: entries by height from genesis to the tip. */
typedef struct {
    blvm_block_index **v;
    size_t len; /* tip height + 1; 0 when empty */
    size_t cap;
} blvm_active_chain;

void blvm_active_chain_init(blvm_active_chain *c);
void blvm_active_chain_clear(blvm_active_chain *c);
/* Makes tip (may be NULL) the tip. false on out of memory (chain unchanged). */
BLVM_WUR bool blvm_active_chain_set_tip(blvm_active_chain *c, blvm_block_index *tip);
static inline blvm_block_index *blvm_active_chain_tip(const blvm_active_chain *c) {
    return c->len ? c->v[c->len - 1] : NULL;
}
static inline int32_t blvm_active_chain_height(const blvm_active_chain *c) {
    return (int32_t)c->len - 1;
}
blvm_block_index *blvm_active_chain_at(const blvm_active_chain *c, int32_t height);
bool blvm_active_chain_contains(const blvm_active_chain *c, const blvm_block_index *b);
/* Last common ancestor of b and the chain (Core's FindFork); NULL if none. */
blvm_block_index *blvm_active_chain_find_fork(const blvm_active_chain *c, blvm_block_index *b);
/* Last common ancestor of two entries. */
blvm_block_index *blvm_block_index_last_common_ancestor(blvm_block_index *a, blvm_block_index *b);

#endif
