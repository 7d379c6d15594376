#ifndef BLVM_NODE_CHECKQUEUE_H
#define BLVM_NODE_CHECKQUEUE_H

/* Script checks of a block on a pool of worker threads (Core's CCheckQueue).
 * The validating thread adds checks while it walks the block's transactions
 * (workers start on them at once) and then joins the work in
 * blvm_checkqueue_complete(), which returns when every check ran or one
 * failed. One batch at a time; only the validating thread adds and
 * completes. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/interpreter.h"
#include "consensus/tx.h"
#include "util/common.h"

typedef struct {
    const blvm_tx *tx;
    size_t n_in;
    const blvm_txout *spent;                  /* the output input n_in spends */
    const struct blvm_tx_precomputed *txdata; /* consensus/sighash.h */
    uint32_t flags;
} blvm_script_check;

typedef struct blvm_checkqueue blvm_checkqueue;

/* workers: extra threads besides the caller (0: checks run in complete()). */
blvm_checkqueue *blvm_checkqueue_create(int workers);
void blvm_checkqueue_destroy(blvm_checkqueue *q);
/* Queues n checks; the pointed-to data must live until complete() returns.
 * false on out of memory (the batch then fails as an internal error). */
BLVM_WUR bool blvm_checkqueue_add(blvm_checkqueue *q, const blvm_script_check *checks, size_t n);
/* Runs what is left, waits for the workers, and resets for the next batch.
 * Returns true when all checks passed; otherwise *err is the script error of
 * a failing check (BLVM_SCRIPT_ERR_UNKNOWN_ERROR on out of memory) and
 * *failed_check a copy of it. */
BLVM_WUR bool blvm_checkqueue_complete(blvm_checkqueue *q, blvm_script_error *err,
                                       blvm_script_check *failed_check);
/* Checks run since creation. */
uint64_t blvm_checkqueue_total(const blvm_checkqueue *q);

/* One check on the calling thread. */
BLVM_WUR bool blvm_script_check_run(const blvm_script_check *c, blvm_script_error *err);

#endif
