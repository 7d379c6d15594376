#ifndef BLVM_NODE_COINS_H
#define BLVM_NODE_COINS_H

/* The UTXO set: an in-memory cache over the chainstate records in the
 * key-value store, modelled on Core's CCoinsViewCache.
 *
 * Records in the store (Core's chainstate layout, unobfuscated):
 *   'C' || txid || VARINT(n)  ->  coin (storage/undo.h: blvm_coin_encode)
 *   'B'                       ->  32-byte hash of the block the set is at
 * Cache entries carry two flags, as in Core:
 *   DIRTY: differs from the store and must be written at flush;
 *   FRESH: the store is known not to hold an unspent coin for the outpoint,
 *          so spending it before a flush just drops the entry.
 * A flush writes every dirty entry and the best block in ONE write
 * transaction (plus whatever else the caller adds to that transaction), so
 * the store always holds the UTXO set of exactly one block.
 *
 * Not thread-safe: the chainstate serialises access under its lock.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/tx.h"
#include "storage/kv.h"
#include "storage/undo.h"
#include "util/common.h"

#define BLVM_KV_KEY_BEST_BLOCK "B"

typedef struct blvm_coins_cache blvm_coins_cache;

/* Creates a cache over kv (which must outlive it). NULL on out of memory. */
blvm_coins_cache *blvm_coins_create(blvm_kv *kv);
void blvm_coins_destroy(blvm_coins_cache *c);

/* Finds the unspent coin of op, loading it from the store if needed.
 * Returns 1 and sets *out (valid until the next call that changes the cache),
 * 0 if there is no unspent coin, or a negative BLVM_KV_* error. */
BLVM_WUR int blvm_coins_get(blvm_coins_cache *c, const blvm_outpoint *op, const blvm_coin **out);
/* 1: unspent coin exists; 0: not; negative: error. */
BLVM_WUR int blvm_coins_have(blvm_coins_cache *c, const blvm_outpoint *op);

/* Adds a coin, taking ownership of coin's script (coin is left empty).
 * possible_overwrite: the outpoint may already hold an unspent coin (Core
 * passes it for coinbase outputs, because of the duplicate coinbases that
 * BIP30 later forbade); without it, overwriting an unspent coin fails.
 * Returns false on out of memory or a refused overwrite. */
BLVM_WUR bool blvm_coins_add(blvm_coins_cache *c, const blvm_outpoint *op, blvm_coin *coin,
                             bool possible_overwrite);
/* Spends a coin. When moved_out is not NULL the coin is moved there (for
 * undo data). Returns 1 if it was spent, 0 if there was no unspent coin,
 * negative on a store error. */
BLVM_WUR int blvm_coins_spend(blvm_coins_cache *c, const blvm_outpoint *op, blvm_coin *moved_out);

/* The block the set is at (all zero when empty). */
void blvm_coins_get_best(const blvm_coins_cache *c, uint8_t out[32]);
void blvm_coins_set_best(blvm_coins_cache *c, const uint8_t hash[32]);
/* Reads the best block recorded in the store: 1 found, 0 none, negative error. */
BLVM_WUR int blvm_coins_read_best(blvm_kv *kv, uint8_t out[32]);

/* Approximate heap bytes used by the cache (what -dbcache bounds). */
size_t blvm_coins_usage(const blvm_coins_cache *c);
size_t blvm_coins_cached_count(const blvm_coins_cache *c);
size_t blvm_coins_dirty_count(const blvm_coins_cache *c);

/* Writes dirty entries and the best block, and calls extra(txn, extra_ctx)
 * (may be NULL) in the same write transaction. extra may be run more than
 * once (the store grows its map and retries). When keep is false the cache
 * is emptied afterwards (Core's Flush); otherwise clean entries stay (Sync).
 * On failure the cache is unchanged. Returns a BLVM_KV_* code. */
BLVM_WUR int blvm_coins_flush(blvm_coins_cache *c, bool keep, blvm_kv_update_fn extra,
                              void *extra_ctx);

/* Drops every cached entry without writing (after a failed validation the
 * chainstate throws away a scratch view; or to start from the store). */
void blvm_coins_discard(blvm_coins_cache *c);

/* A savepoint on the cache (Core disconnects a block into a scratch
 * CCoinsViewCache and throws it away when the disconnect is not clean; this
 * gives the same effect without a second cache). While a journal is open,
 * every add and spend first records the entry it changes; rollback puts
 * every entry back as it was when the journal began, end keeps the changes.
 * add/spend fail (false / BLVM_KV_NOMEM) when the record cannot be kept, so
 * a rollback is always complete. Flush and discard refuse/clear an open
 * journal. One journal at a time. */
BLVM_WUR bool blvm_coins_journal_begin(blvm_coins_cache *c);
/* Undoes every change since begin and closes the journal. false only when
 * memory ran out re-creating an entry (the cache is then unusable: the
 * caller must not flush it). */
BLVM_WUR bool blvm_coins_journal_rollback(blvm_coins_cache *c);
void blvm_coins_journal_end(blvm_coins_cache *c);

/* Iterates over every coin in the store in key order (Core's cursor order,
 * which the UTXO set hashes depend on). The cache must have no dirty entries
 * (flush first). fn returns false to stop early. Returns a BLVM_KV_* code. */
typedef bool (*blvm_coins_visit_fn)(void *ctx, const blvm_outpoint *op, const blvm_coin *coin);
BLVM_WUR int blvm_coins_for_each(blvm_coins_cache *c, blvm_coins_visit_fn fn, void *ctx);
/* The same over a read transaction the caller holds (a snapshot taken at a
 * known best block); the transaction stays open. */
BLVM_WUR int blvm_coins_for_each_in(blvm_kv_txn *txn, blvm_coins_visit_fn fn, void *ctx);

/* Ends the cache's read snapshot of the store, so the next lookup sees the
 * latest committed state (and a writer may grow the map). */
void blvm_coins_release_reader(blvm_coins_cache *c);

#endif
