#ifndef BLVM_CONSENSUS_TX_H
#define BLVM_CONSENSUS_TX_H

/* Transactions: the in-memory form, (de)serialization in Bitcoin's legacy and
 * segwit (BIP144) formats, txid/wtxid, sizes and weight.
 *
 * Ownership: a decoded blvm_tx owns all its memory (scripts, witness items,
 * input and output arrays); blvm_tx_clear() frees it. Hashes are kept in
 * internal byte order (as hashed); show them reversed (util/hex.h).
 *
 * Memory: decode and copy put the whole transaction (arrays, witness stacks,
 * script bytes) in one heap block, tx->mem. Builders (blvm_tx_resize,
 * blvm_script_set, blvm_witness_push) allocate separately and mark what they
 * own with a non-zero cap; a script or witness with cap == 0 lives in tx->mem
 * or belongs to someone else and is never freed through it. So a script may be
 * written by hand as {data, len} (borrowed) and a decoded tx may be edited
 * with the builders.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/amount.h"
#include "util/bytes.h"
#include "util/common.h"

#define BLVM_SEQUENCE_FINAL 0xffffffffu
/* BIP141: weight = stripped size * (factor - 1) + total size. */
#define BLVM_WITNESS_SCALE_FACTOR 4

typedef struct {
    uint8_t hash[32]; /* txid of the transaction being spent */
    uint32_t n;       /* output index */
} blvm_outpoint;

typedef struct {
    uint8_t *data;
    size_t len;
    size_t cap; /* > 0: data is a heap block of cap bytes owned here */
} blvm_script;

typedef struct {
    size_t count;
    blvm_script *items;
    size_t cap; /* > 0: items is a heap array of cap entries owned here */
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
    /* Private: the single block holding a decoded or copied tx (or NULL), and
     * whether vin / vout are separate heap arrays made by blvm_tx_resize. */
    void *mem;
    bool vin_owned, vout_owned;
} blvm_tx;

void blvm_tx_init(blvm_tx *tx);
void blvm_tx_clear(blvm_tx *tx);

/* Why a decode failed. The read errors are in the reader's err. */
typedef enum {
    BLVM_TX_DECODE_OK = 0,
    BLVM_TX_DECODE_READ,                /* truncated, non-canonical or too large: see r->err */
    BLVM_TX_DECODE_SUPERFLUOUS_WITNESS, /* segwit flag set but every witness empty */
    BLVM_TX_DECODE_UNKNOWN_FLAGS,       /* BIP144 flag byte other than 1 */
    BLVM_TX_DECODE_NO_MEMORY,
} blvm_tx_decode_result;

/* Core's exception text for each result ("Superfluous witness record",
 * "Unknown transaction optional data", ...). */
const char *blvm_tx_decode_strerror(blvm_tx_decode_result res);

/* Decodes one transaction at r's position, following Core's
 * UnserializeTransaction exactly (BIP144): after the version, an empty input
 * vector followed by a non-zero byte (when allow_witness) means the extended
 * format, whose flag byte must be 1, and whose witnesses must not all be
 * empty. A transaction with no inputs is therefore always read as extended
 * format when allow_witness. allow_witness=false parses only the legacy format
 * (as for a TX_NO_WITNESS stream). On failure returns false, leaves tx empty
 * (cleared), r at its starting position and r->err set (BLVM_READ_INVALID for
 * the two format rules, BLVM_READ_NO_MEMORY when out of memory). Computes txid
 * and wtxid. Never allocates before the whole transaction has been checked to
 * be present in r, so a lying count costs nothing. */
BLVM_WUR bool blvm_tx_decode(blvm_tx *tx, blvm_reader *r, bool allow_witness);
/* Same, returning why it failed. */
BLVM_WUR blvm_tx_decode_result blvm_tx_decode_ex(blvm_tx *tx, blvm_reader *r, bool allow_witness);
/* Decodes a whole buffer holding exactly one transaction. */
BLVM_WUR bool blvm_tx_decode_bytes(blvm_tx *tx, const uint8_t *data, size_t len,
                                   bool allow_witness);

/* Appends the serialization (segwit form when with_witness and any input has a
 * witness). */
void blvm_tx_encode(const blvm_tx *tx, blvm_writer *w, bool with_witness);

/* The coinbase's prevout: all-zero hash and index 0xffffffff. */
bool blvm_outpoint_is_null(const blvm_outpoint *o);

bool blvm_tx_has_witness(const blvm_tx *tx);
/* One input, and its prevout is null (Core's CTransaction::IsCoinBase). */
bool blvm_tx_is_coinbase(const blvm_tx *tx);
/* Recomputes txid and wtxid after the caller built or changed tx. */
void blvm_tx_compute_hashes(blvm_tx *tx);

size_t blvm_tx_size(const blvm_tx *tx, bool with_witness);
/* weight = 3 * stripped size + total size (BIP141) */
size_t blvm_tx_weight(const blvm_tx *tx);
/* virtual size, rounded up */
size_t blvm_tx_vsize(const blvm_tx *tx);

/* Deep copy into dst (which is cleared first; one allocation). dst keeps
 * src's txid and wtxid. On failure dst is left empty. */
BLVM_WUR bool blvm_tx_copy(blvm_tx *dst, const blvm_tx *src);

/* Building a transaction: the arrays are allocated zeroed; scripts and
 * witness items are copied. Resizing keeps the existing entries that fit
 * (the dropped ones are released); new inputs have empty scripts, an empty
 * witness and sequence 0. Call blvm_tx_compute_hashes when done. */
BLVM_WUR bool blvm_tx_resize(blvm_tx *tx, size_t vin_count, size_t vout_count);
BLVM_WUR bool blvm_script_set(blvm_script *s, const uint8_t *data, size_t len);
/* Releases what s owns and leaves it empty. */
void blvm_script_clear(blvm_script *s);
BLVM_WUR bool blvm_witness_push(blvm_witness *wit, const uint8_t *data, size_t len);
/* Releases what wit owns and leaves it empty. */
void blvm_witness_clear(blvm_witness *wit);

#endif
