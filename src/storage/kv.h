#ifndef BLVM_STORAGE_KV_H
#define BLVM_STORAGE_KV_H

/* The node's key-value store: one small interface (get/put/delete/cursor in
 * a transaction) over LMDB.
 *
 * Conventions:
 * - Every fallible call returns an int status: BLVM_KV_OK (0) or one of the
 *   negative codes below; blvm_kv_strerror() turns any of them into text.
 * - Keys are at most BLVM_KV_MAX_KEY bytes (LMDB's default limit).
 * - Memory returned by get and by cursors belongs to the store and stays
 *   valid only until the transaction that returned it ends (or, in a write
 *   transaction, until the next put/delete).
 * - One write transaction at a time (a second writer blocks until the first
 *   ends); readers never block and see the last committed state.
 * - A write transaction commits atomically: after a crash the store holds
 *   either all of its changes or none.
 * - The map grows by itself: blvm_kv_update() runs a caller's function in a
 *   write transaction and, if the map fills up, aborts, doubles the map and
 *   runs the function again. That function must therefore only write to the
 *   store and not change the caller's own state until the call succeeded.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/common.h"

#define BLVM_KV_MAX_KEY 511

enum {
    BLVM_KV_OK = 0,
    BLVM_KV_NOTFOUND = -1, /* no such key / cursor past the last match */
    BLVM_KV_MAP_FULL = -2, /* the map is full (blvm_kv_update grows it) */
    BLVM_KV_IO = -3,       /* the operating system refused a read or write */
    BLVM_KV_CORRUPT = -4,  /* the file is not a valid store */
    BLVM_KV_NOMEM = -5,    /* out of memory */
    BLVM_KV_BUSY = -6,     /* too many readers, or the store is locked */
    BLVM_KV_INVALID = -7,  /* bad argument: key too long, read-only txn, ... */
    BLVM_KV_ABORTED = -8,  /* the callback of blvm_kv_update asked to abort */
};

typedef struct blvm_kv blvm_kv;
typedef struct blvm_kv_txn blvm_kv_txn;
typedef struct blvm_kv_cursor blvm_kv_cursor;

typedef struct {
    uint64_t initial_map_size; /* bytes; 0 picks 256 MiB */
    bool no_sync;              /* skip fsync at commit (tests, reindex); see blvm_kv_sync */
    bool read_only;
} blvm_kv_options;

/* Opens (creating if needed) the store in directory dir, which must exist.
 * opt may be NULL for defaults. */
BLVM_WUR int blvm_kv_open(blvm_kv **out, const char *dir, const blvm_kv_options *opt);
/* Closes the store. No transaction may be open. NULL is a no-op. */
void blvm_kv_close(blvm_kv *kv);
/* Forces everything committed to stable storage (for no_sync stores). */
BLVM_WUR int blvm_kv_sync(blvm_kv *kv);
/* Current map size in bytes. */
uint64_t blvm_kv_map_size(const blvm_kv *kv);
const char *blvm_kv_strerror(int code);

/* Starts a transaction. A write transaction is aborted if not committed. */
BLVM_WUR int blvm_kv_begin(blvm_kv *kv, bool write, blvm_kv_txn **out);
/* Commits and frees the transaction (also when the commit fails). */
BLVM_WUR int blvm_kv_commit(blvm_kv_txn *txn);
/* Drops the transaction's changes and frees it. NULL is a no-op. */
void blvm_kv_abort(blvm_kv_txn *txn);

BLVM_WUR int blvm_kv_get(blvm_kv_txn *txn, const void *key, size_t key_len, const void **val,
                         size_t *val_len);
BLVM_WUR int blvm_kv_put(blvm_kv_txn *txn, const void *key, size_t key_len, const void *val,
                         size_t val_len);
/* Deleting a missing key is not an error. */
BLVM_WUR int blvm_kv_del(blvm_kv_txn *txn, const void *key, size_t key_len);

/* Iterates, in key order, over the keys that start with prefix (all keys
 * when prefix_len is 0). */
BLVM_WUR int blvm_kv_cursor_open(blvm_kv_txn *txn, const void *prefix, size_t prefix_len,
                                 blvm_kv_cursor **out);
/* Gives the next entry: BLVM_KV_OK, BLVM_KV_NOTFOUND at the end, or an error. */
BLVM_WUR int blvm_kv_cursor_next(blvm_kv_cursor *c, const void **key, size_t *key_len,
                                 const void **val, size_t *val_len);
void blvm_kv_cursor_close(blvm_kv_cursor *c);

/* Runs fn(txn, ctx) in a write transaction and commits it. fn returns
 * BLVM_KV_OK to commit, or any error to abort (that code is returned). When a
 * put fails with BLVM_KV_MAP_FULL (fn should pass it on), the transaction is
 * aborted, the map doubled and fn run again from the start. */
typedef int (*blvm_kv_update_fn)(blvm_kv_txn *txn, void *ctx);
BLVM_WUR int blvm_kv_update(blvm_kv *kv, blvm_kv_update_fn fn, void *ctx);

#endif
