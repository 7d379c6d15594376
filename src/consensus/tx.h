#ifndef BLVM_CONSENSUS_TX_H
#define BLVM_CONSENSUS_TX_H

/* Transactions: the in-memory form, (de)serialization in Bitcoin's legacy and
 * segwit (BIP144) formats, txid/wtxid, sizes and weight.
 *
 * Ownership: a decoded blvm_tx owns all its memory (scripts, witness items,
 * input and output arrays); blvm_tx_clear() frees it. Hashes are kept in
 * internal byte order (as hashed); show them reversed (util/hex.h).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/amount.h"
#include "util/bytes.h"
#include "util/common.h"

#define BLVM_SEQUENCE_FINAL 0xffffffffu

typedef struct {
    uint8_t hash[32]; /* txid of the transaction being spent */
    uint32_t n;       /* output index */
} blvm_outpoint;

typedef struct {
    uint8_t *data;
    size_t len;
} blvm_script;

typedef struct {
    size_t count;
    blvm_script *items;
} blvm_witness;

typedef struct {
    blvm_outpoint prevout;
    blvm_script script_sig;
    uint32_t sequence;
    blvm_witness witness;
} blvm_txin;

typedef struct {
    blvm_amount value;
    blvm_script script_pubkey;
} blvm_txout;

typedef struct {
    uint32_t version; /* unsigned, as in Core since 28.0 (the encoding is the same) */
    size_t vin_count;
    blvm_txin *vin;
    size_t vout_count;
    blvm_txout *vout;
    uint32_t locktime;
    /* Filled by blvm_tx_decode and blvm_tx_compute_hashes. */
    uint8_t txid[32];
    uint8_t wtxid[32];
} blvm_tx;

void blvm_tx_init(blvm_tx *tx);
void blvm_tx_clear(blvm_tx *tx);

/* Decodes one transaction at r's position. allow_witness=false parses only the
 * legacy format (as for a TX_NO_WITNESS stream). On failure returns false,
 * leaves tx empty (cleared) and r->err set. Computes txid and wtxid. */
BLVM_WUR bool blvm_tx_decode(blvm_tx *tx, blvm_reader *r, bool allow_witness);
/* Decodes a whole buffer holding exactly one transaction. */
BLVM_WUR bool blvm_tx_decode_bytes(blvm_tx *tx, const uint8_t *data, size_t len,
                                   bool allow_witness);

/* Appends the serialization (segwit form when with_witness and any input has a
 * witness). */
void blvm_tx_encode(const blvm_tx *tx, blvm_writer *w, bool with_witness);

bool blvm_tx_has_witness(const blvm_tx *tx);
bool blvm_tx_is_coinbase(const blvm_tx *tx);
/* Recomputes txid and wtxid after the caller built or changed tx. */
void blvm_tx_compute_hashes(blvm_tx *tx);

size_t blvm_tx_size(const blvm_tx *tx, bool with_witness);
/* weight = 3 * stripped size + total size (BIP141) */
size_t blvm_tx_weight(const blvm_tx *tx);
/* virtual size, rounded up */
size_t blvm_tx_vsize(const blvm_tx *tx);

/* Deep copy. */
BLVM_WUR bool blvm_tx_copy(blvm_tx *dst, const blvm_tx *src);

/* Building a transaction: the arrays are allocated zeroed; scripts and
 * witness items are copied. */
BLVM_WUR bool blvm_tx_resize(blvm_tx *tx, size_t vin_count, size_t vout_count);
BLVM_WUR bool blvm_script_set(blvm_script *s, const uint8_t *data, size_t len);
BLVM_WUR bool blvm_witness_push(blvm_witness *wit, const uint8_t *data, size_t len);

#endif
