#ifndef BLVM_NODE_CHAINSTATE_H
#define BLVM_NODE_CHAINSTATE_H

/* The chain state: block index, active chain, UTXO set, block storage and
 * validation (Core's ChainstateManager + Chainstate + BlockManager).
 *
 * On disk, under the network's data dir:
 *   blocks/blk?????.dat, blocks/rev?????.dat  Core's block and undo files
 *   chainstate/                               one LMDB store with the block
 *     index ('b'), block file infos ('f', 'l'), flags ('F'), the UTXO set
 *     ('C') and the best block ('B')
 *
 * Crash safety. A flush fsyncs the block files, then commits in ONE LMDB
 * transaction every changed index entry, the file infos, the changed coins
 * and the best block. Between flushes, new blocks only go to the blk/rev
 * files. After a crash (kill -9 at any moment) the store holds exactly the
 * state of the last flush; at start-up the blk files are scanned past the
 * last recorded end, the blocks found there are accepted again and the best
 * chain is re-connected from them (replay). Nothing in the store ever refers
 * to data that was not on disk first.
 *
 * Threading. Every function takes the chainstate lock itself, except the
 * *_locked accessors, which need blvm_chainstate_lock() around them. Index
 * entries (blvm_block_index *) live as long as the chainstate; their header
 * fields, height, hash and chain work never change; status, file positions
 * and tx counts change under the lock. Script checks run on -par threads.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/block.h"
#include "consensus/params.h"
#include "consensus/validation.h"
#include "node/blockindex.h"
#include "storage/blockfile.h"
#include "storage/undo.h"
#include "util/common.h"

typedef struct blvm_chainstate blvm_chainstate;

/* Log levels passed to the log callback. */
enum { BLVM_CS_LOG_DEBUG = 0, BLVM_CS_LOG_INFO = 1, BLVM_CS_LOG_WARN = 2, BLVM_CS_LOG_ERROR = 3 };

typedef struct {
    /* The network's data dir (created if missing). */
    const char *datadir;
    /* Where blk/rev files go; NULL: <datadir>/blocks (Core's -blocksdir). */
    const char *blocksdir;
    /* Coins cache bound in bytes (-dbcache); 0: 450 MiB. */
    uint64_t dbcache_bytes;
    /* Script verification threads in total, the validation thread included
     * (Core's -par): 1 checks on the validation thread only; 0: one per
     * core (at most 16). */
    int par;
    /* -prune target in bytes for blk+rev files; 0: keep everything. */
    uint64_t prune_target_bytes;
    /* -reindex: rebuild the block index and chainstate from the blk files. */
    bool reindex;
    /* -reindex-chainstate: rebuild the UTXO set from the stored blocks. */
    bool reindex_chainstate;
    /* -assumevalid: scripts of this block's ancestors are not checked (when
     * Core's conditions hold). NULL: the network default; all zero: off. */
    const uint8_t *assume_valid;
    /* Tests only: skip fsync (a kill -9 is still safe, a power cut not). */
    bool no_sync;
    /* Tests only: smaller blk files (Core's -fastprune); 0: 128 MiB. */
    uint32_t max_blockfile_size;
    /* Seconds between periodic flushes; 0: one hour (Core: 50-70 min). */
    int64_t flush_interval;
    /* Clock in UNIX seconds (future block time check); NULL: time(). */
    int64_t (*now)(void);
    /* Polled during long work (start-up replay, reindex, -loadblock, long
     * reorganisations): returning true stops connecting more blocks; what is
     * done so far stays consistent and is flushed. NULL: never. */
    bool (*should_stop)(void *ctx);
    void *should_stop_ctx;
    /* Called once (under the chainstate lock) when writing to the block
     * files or the store failed (disk full, I/O error): the node should
     * stop, as Core's AbortNode. From then on no block is accepted. What is
     * on disk stays recoverable: the next start replays from the last good
     * flush. NULL: only logged. */
    void (*fatal_error)(void *ctx, const char *msg);
    void *fatal_error_ctx;
    /* Log sink; NULL: quiet. msg has no trailing newline. */
    void (*log)(void *ctx, int level, const char *msg);
    void *log_ctx;
} blvm_chainstate_options;

/* Opens (or creates) the chain state of `params` in opt->datadir: loads the
 * index, recovers blocks stored after the last flush, honours reindex
 * options, stores and connects the genesis block on first start, and
 * connects the best chain. NULL on failure with a message in err. */
blvm_chainstate *blvm_chainstate_open(const blvm_params *params, const blvm_chainstate_options *opt,
                                      char *err, size_t err_len);
/* Flushes everything and frees. NULL is a no-op. */
void blvm_chainstate_close(blvm_chainstate *cs);

const blvm_params *blvm_chainstate_params(const blvm_chainstate *cs);

/* ---- blocks in ---- */

typedef struct {
    bool new_block; /* the block was not stored before and is now */
    bool duplicate; /* already had its data (or known invalid: see state) */
    bool checked;   /* connecting it was attempted: state has the verdict */
} blvm_process_result;

/* Core's ProcessNewBlock: checks, stores and (if it makes the best chain)
 * connects a block. Returns false when the block is invalid (state says
 * why, with Core's reject reason) or on an internal error. */
BLVM_WUR bool blvm_chainstate_process_block(blvm_chainstate *cs, const blvm_block *block,
                                            blvm_process_result *res, blvm_validation_state *state);
/* Same from the serialization; "block decode failed" when it does not
 * parse. */
BLVM_WUR bool blvm_chainstate_process_block_raw(blvm_chainstate *cs, const uint8_t *data,
                                                size_t len, blvm_process_result *res,
                                                blvm_validation_state *state);
/* submitblock's answer (BIP22): NULL when accepted as the new tip, else
 * "duplicate", "duplicate-invalid", "inconclusive", "rejected" or the reject
 * reason (copied into buf). */
const char *blvm_chainstate_submitblock(blvm_chainstate *cs, const uint8_t *data, size_t len,
                                        char *buf, size_t buf_len);
/* Core's TestBlockValidity: whether block would be valid as the next block
 * on the current tip (contextual header checks, CheckBlock with the given
 * proof-of-work and merkle root flags, contextual block checks, and every
 * input and script, with nothing stored or changed). A block not built on
 * the tip is invalid with "inconclusive-not-best-prevblk". */
BLVM_WUR bool blvm_chainstate_test_block_validity(blvm_chainstate *cs, const blvm_block *block,
                                                 bool check_pow, bool check_merkle_root,
                                                 blvm_validation_state *state);
/* Core's ProcessNewBlockHeaders for one header. */
BLVM_WUR bool blvm_chainstate_process_header(blvm_chainstate *cs, const blvm_block_header *h,
                                             blvm_validation_state *state);

/* -loadblock: imports every block of a file in Core's blk format (blocks
 * whose parent comes later in the file are held back until it arrives).
 * Garbage and truncated records are reported in *report and skipped.
 * Returns false only when the file cannot be read. */
BLVM_WUR bool blvm_chainstate_load_external(blvm_chainstate *cs, const char *path,
                                            blvm_blockfile_scan_report *report, uint64_t *imported);

/* ---- reading ---- */

void blvm_chainstate_lock(blvm_chainstate *cs);
void blvm_chainstate_unlock(blvm_chainstate *cs);
/* Under the lock: */
blvm_block_index *blvm_chainstate_tip_locked(blvm_chainstate *cs);
blvm_block_index *blvm_chainstate_at_height_locked(blvm_chainstate *cs, int32_t height);
blvm_block_index *blvm_chainstate_find_locked(blvm_chainstate *cs, const uint8_t hash[32]);
bool blvm_chainstate_in_active_chain_locked(blvm_chainstate *cs, const blvm_block_index *b);
/* Best known header (most work, not known invalid). */
blvm_block_index *blvm_chainstate_best_header_locked(blvm_chainstate *cs);
/* Visits every index entry (getchaintips); fn returns false to stop. */
void blvm_chainstate_for_each_index_locked(blvm_chainstate *cs,
                                           bool (*fn)(void *ctx, blvm_block_index *b), void *ctx);
/* Lowest height whose block data is still stored (pruning), 0 if unpruned. */
int32_t blvm_chainstate_prune_height_locked(blvm_chainstate *cs);

typedef struct {
    uint8_t hash[32];
    int32_t height; /* -1 when there is no tip */
    uint32_t time;
    int64_t median_time_past;
    uint32_t bits;
    blvm_u256 chain_work;
    uint64_t chain_tx;
} blvm_tip_info;

void blvm_chainstate_tip(blvm_chainstate *cs, blvm_tip_info *out);
/* Hash of the active chain's block at height; false if out of range. */
bool blvm_chainstate_hash_at_height(blvm_chainstate *cs, int32_t height, uint8_t out[32]);
bool blvm_chainstate_is_initial_block_download(blvm_chainstate *cs);
bool blvm_chainstate_is_pruned(blvm_chainstate *cs);

/* Reads a stored block (raw serialization with witness, malloc'd). false
 * when its data is not (or no longer) stored. */
BLVM_WUR bool blvm_chainstate_read_block(blvm_chainstate *cs, const blvm_block_index *b,
                                         uint8_t **data, size_t *len);
/* Reads a block's undo data (decoded). false when not stored. */
BLVM_WUR bool blvm_chainstate_read_undo(blvm_chainstate *cs, const blvm_block_index *b,
                                        blvm_block_undo *out);

/* Copies the unspent coin of op into *out: 1 found, 0 not, negative error. */
BLVM_WUR int blvm_chainstate_get_coin(blvm_chainstate *cs, const blvm_outpoint *op, blvm_coin *out);

/* Flushes, then visits every coin of the UTXO set in Core's key order from a
 * snapshot (validation goes on meanwhile). best_hash/height (may be NULL)
 * receive the block the snapshot is at. fn returns false to stop. Returns a
 * BLVM_KV_* code. */
typedef bool (*blvm_chainstate_coin_fn)(void *ctx, const blvm_outpoint *op, const blvm_coin *coin);
BLVM_WUR int blvm_chainstate_for_each_coin(blvm_chainstate *cs, blvm_chainstate_coin_fn fn,
                                           void *ctx, uint8_t best_hash[32], int32_t *height);

/* ---- control ---- */

/* invalidateblock: marks the block invalid and its descendants failed,
 * disconnecting them if active, then connects the best remaining chain. */
BLVM_WUR bool blvm_chainstate_invalidate_block(blvm_chainstate *cs, const uint8_t hash[32],
                                               blvm_validation_state *state);
/* reconsiderblock: clears failure marks of the block, its ancestors and
 * descendants, and re-activates the best chain. */
BLVM_WUR bool blvm_chainstate_reconsider_block(blvm_chainstate *cs, const uint8_t hash[32],
                                               blvm_validation_state *state);
/* preciousblock: prefers this block over others with the same work. */
BLVM_WUR bool blvm_chainstate_precious_block(blvm_chainstate *cs, const uint8_t hash[32],
                                             blvm_validation_state *state);
/* verifychain (Core's CVerifyDB): checks the top `nblocks` blocks of the
 * active chain (0: all) at `level`: 0 the block reads back from disk, 1 it
 * passes CheckBlock, 2 its undo data reads back with a good checksum,
 * 3 disconnecting it from the UTXO set is clean, 4 it connects again.
 * Levels 3 and 4 disconnect and reconnect the blocks for real (the tip is
 * the same afterwards). false with the reason in state on a problem. */
BLVM_WUR bool blvm_chainstate_verify(blvm_chainstate *cs, int level, int nblocks,
                                     blvm_validation_state *state);
/* Writes everything to disk now. */
BLVM_WUR bool blvm_chainstate_flush(blvm_chainstate *cs);
/* pruneblockchain: prunes files whose blocks are all at or below height
 * (keeping the last 288 blocks); returns the height of the last pruned
 * block (Core's GetPruneHeight), -1 when no block is pruned, -2 on error or
 * when pruning is off. */
int32_t blvm_chainstate_prune_to(blvm_chainstate *cs, int32_t height);
/* Core's CChainParams::PruneAfterHeight: no pruning of a shorter chain
 * (100,000 on mainnet, 1,000 on the test networks). */
int32_t blvm_chainstate_prune_after_height(const blvm_chainstate *cs);

/* Called (outside the lock, on the validating thread) after each change of
 * the tip, with the new tip. One listener. */
typedef void (*blvm_chainstate_tip_fn)(void *ctx, const uint8_t hash[32], int32_t height);
void blvm_chainstate_set_tip_listener(blvm_chainstate *cs, blvm_chainstate_tip_fn fn, void *ctx);
/* Waits until the tip differs from `old_hash` (NULL: until any change) or
 * timeout_ms passes (<0: no limit); fills *out with the tip either way.
 * Returns true if the tip changed. (waitfornewblock, waitforblock*) */
bool blvm_chainstate_wait_tip_change(blvm_chainstate *cs, const uint8_t *old_hash,
                                     int64_t timeout_ms, blvm_tip_info *out);
/* Wakes every waiter and stops long work (at shutdown). */
void blvm_chainstate_interrupt_waiters(blvm_chainstate *cs);

typedef struct {
    uint64_t blocks_connected;
    uint64_t blocks_disconnected;
    uint64_t inputs_checked; /* script checks run on the -par threads */
    uint64_t flushes;
    uint64_t replayed_blocks; /* blocks recovered from blk files at start-up */
    size_t coins_cache_bytes;
    uint64_t size_on_disk;     /* blk + rev bytes (getblockchaininfo size_on_disk) */
    uint64_t inputs_connected; /* inputs spent by connected blocks */
} blvm_chainstate_stats;
void blvm_chainstate_get_stats(blvm_chainstate *cs, blvm_chainstate_stats *out);

#endif
