#ifndef BLVM_NODE_RPC_TX_JSON_H
#define BLVM_NODE_RPC_TX_JSON_H

/* Transactions, scripts and headers as JSON, field for field as Bitcoin
 * Core's core_write.cpp (TxToUniv, ScriptToUniv) and blockheaderToJSON. */

#include <jansson.h>
#include <stdbool.h>

#include "consensus/params.h"
#include "consensus/tx.h"
#include "storage/undo.h"

typedef enum {
    BLVM_TX_JSON_DETAILS,             /* Core's TxVerbosity::SHOW_DETAILS */
    BLVM_TX_JSON_DETAILS_AND_PREVOUT, /* SHOW_DETAILS_AND_PREVOUT (getblock 3) */
} blvm_tx_json_verbosity;

/* Core's ScriptToUniv: asm, desc (when include_address), hex (when
 * include_hex), address (when it has one and is not a bare key), type. */
json_t *blvm_script_json(const blvm_params *p, const uint8_t *script, size_t len,
                         bool include_hex, bool include_address);

/* Core's TxToUniv. block_hash may be NULL; undo (the coins the inputs spent)
 * may be NULL, and adds "fee" (and "prevout" per input at
 * DETAILS_AND_PREVOUT) when given. New reference, NULL on out of memory. */
json_t *blvm_tx_json(const blvm_params *p, const blvm_tx *tx, const uint8_t *block_hash,
                     bool include_hex, const blvm_tx_undo *undo,
                     blvm_tx_json_verbosity verbosity);

/* A 32-byte hash shown the way Bitcoin shows it (reversed hex). */
json_t *blvm_hash_json(const uint8_t hash[32]);
/* Raw bytes as lowercase hex. */
json_t *blvm_hex_json(const uint8_t *data, size_t len);

#endif
