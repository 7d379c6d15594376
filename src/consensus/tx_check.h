#ifndef BLVM_CONSENSUS_TX_CHECK_H
#define BLVM_CONSENSUS_TX_CHECK_H

/* Context-free transaction checks: Core's CheckTransaction. */

#include <stdbool.h>

#include "consensus/tx.h"
#include "consensus/validation.h"

/* Checks what can be checked without the chain: inputs and outputs present,
 * stripped size, output amounts, duplicate inputs, coinbase script length,
 * null prevouts. On failure state is BLVM_TX_CONSENSUS with Core's reason:
 * bad-txns-vin-empty, bad-txns-vout-empty, bad-txns-oversize,
 * bad-txns-vout-negative, bad-txns-vout-toolarge, bad-txns-txouttotal-toolarge,
 * bad-txns-inputs-duplicate, bad-cb-length, bad-txns-prevout-null. An
 * allocation failure (only for transactions with very many inputs) gives an
 * error state. */
BLVM_WUR bool blvm_check_transaction(const blvm_tx *tx, blvm_validation_state *state);

#endif
