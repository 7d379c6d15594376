/* Core's CheckTransaction (consensus/tx_check.cpp). */
#include "consensus/tx_check.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/block.h"

/* Up to this many inputs the duplicate check compares all pairs; above it
 * sorts a copy of the outpoints (Core uses a std::set). */
#define PAIRWISE_MAX 32

static int outpoint_cmp(const void *a, const void *b) {
    const blvm_outpoint *x = a, *y = b;
    int c = memcmp(x->hash, y->hash, 32);
    if (c) return c;
    return x->n < y->n ? -1 : x->n > y->n;
}

static bool outpoint_eq(const blvm_outpoint *x, const blvm_outpoint *y) {
    return x->n == y->n && !memcmp(x->hash, y->hash, 32);
}

/* 1: duplicate found, 0: none, -1: out of memory. */
static int has_duplicate_inputs(const blvm_tx *tx) {
    size_t n = tx->vin_count;
    if (n <= PAIRWISE_MAX) {
        for (size_t i = 1; i < n; i++)
            for (size_t j = 0; j < i; j++)
                if (outpoint_eq(&tx->vin[i].prevout, &tx->vin[j].prevout)) return 1;
        return 0;
    }
    blvm_outpoint *ops = malloc(n * sizeof *ops);
    if (!ops) return -1;
    for (size_t i = 0; i < n; i++)
        ops[i] = tx->vin[i].prevout;
    qsort(ops, n, sizeof *ops, outpoint_cmp);
    int dup = 0;
    for (size_t i = 1; i < n && !dup; i++)
        dup = outpoint_eq(&ops[i - 1], &ops[i]);
    free(ops);
    return dup;
}

bool blvm_check_transaction(const blvm_tx *tx, blvm_validation_state *state) {
    if (tx->vin_count == 0)
        return blvm_state_invalid(state, BLVM_TX_CONSENSUS, "bad-txns-vin-empty", NULL);
    if (tx->vout_count == 0)
        return blvm_state_invalid(state, BLVM_TX_CONSENSUS, "bad-txns-vout-empty", NULL);
    /* Size limit on the stripped form: the witness is not checked for
     * malleation yet, so it cannot count here. */
    if (blvm_tx_size(tx, false) * BLVM_WITNESS_SCALE_FACTOR > BLVM_MAX_BLOCK_WEIGHT)
        return blvm_state_invalid(state, BLVM_TX_CONSENSUS, "bad-txns-oversize", NULL);

    /* Negative or overflowing output values (CVE-2010-5139, the 184 billion
     * coin overflow). Each value is at most MAX_MONEY, so the running sum
     * cannot overflow before the range check catches it. */
    blvm_amount total = 0;
    for (size_t i = 0; i < tx->vout_count; i++) {
        blvm_amount v = tx->vout[i].value;
        if (v < 0)
            return blvm_state_invalid(state, BLVM_TX_CONSENSUS, "bad-txns-vout-negative", NULL);
        if (v > BLVM_MAX_MONEY)
            return blvm_state_invalid(state, BLVM_TX_CONSENSUS, "bad-txns-vout-toolarge", NULL);
        total += v;
        if (!blvm_money_range(total))
            return blvm_state_invalid(state, BLVM_TX_CONSENSUS, "bad-txns-txouttotal-toolarge",
                                      NULL);
    }

    /* Duplicate inputs (CVE-2018-17144): spending one coin twice in one
     * transaction is not caught by the coins checks and would inflate the
     * supply or crash the node. */
    int dup = has_duplicate_inputs(tx);
    if (dup < 0) return blvm_state_error(state, "out of memory");
    if (dup) return blvm_state_invalid(state, BLVM_TX_CONSENSUS, "bad-txns-inputs-duplicate", NULL);

    if (blvm_tx_is_coinbase(tx)) {
        size_t len = tx->vin[0].script_sig.len;
        if (len < 2 || len > 100)
            return blvm_state_invalid(state, BLVM_TX_CONSENSUS, "bad-cb-length", NULL);
    } else {
        for (size_t i = 0; i < tx->vin_count; i++)
            if (blvm_outpoint_is_null(&tx->vin[i].prevout))
                return blvm_state_invalid(state, BLVM_TX_CONSENSUS, "bad-txns-prevout-null", NULL);
    }
    return true;
}
