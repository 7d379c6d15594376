#ifndef BLVM_STORAGE_UNDO_H
#define BLVM_STORAGE_UNDO_H

/* Coins and block undo data in Bitcoin Core's on-disk formats
 * (compressor.h, coins.h, undo.h), so that the UTXO set hash and the rev
 * files are interchangeable with Core's:
 * - amounts: CompressAmount (powers of ten folded out), as a VARINT;
 * - scripts: ScriptCompression (P2PKH, P2SH and P2PK in 21 or 33 bytes, any
 *   other script as VARINT(size + 6) then the bytes);
 * - a coin (chainstate value): VARINT(height * 2 + coinbase), compressed txout;
 * - a spent coin in undo data (TxInUndoFormatter): the same, plus a dummy
 *   VARINT 0 after the code when height > 0 (kept by Core for old files);
 * - block undo: compact-size list of per-transaction undo (every transaction
 *   but the coinbase), each a compact-size list of spent coins in input order.
 * Decoders read through blvm_reader and check counts against the bytes left
 * before allocating. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/script.h"
#include "consensus/tx.h"
#include "util/bytes.h"
#include "util/common.h"

/* Stored scripts longer than Core's MAX_SCRIPT_SIZE (consensus/script.h)
 * decode as a bare OP_RETURN. */

/* An unspent output with the height and kind of the transaction that made
 * it. Owns out.script_pubkey. */
typedef struct {
    blvm_txout out;
    uint32_t height;
    bool coinbase;
} blvm_coin;

void blvm_coin_init(blvm_coin *c);
void blvm_coin_clear(blvm_coin *c);
BLVM_WUR bool blvm_coin_copy(blvm_coin *dst, const blvm_coin *src);

uint64_t blvm_amount_compress(uint64_t n);
uint64_t blvm_amount_decompress(uint64_t x);

void blvm_script_compress_write(blvm_writer *w, const uint8_t *script, size_t len);
/* Decodes into out (allocated; cleared first). */
BLVM_WUR bool blvm_script_compress_read(blvm_reader *r, blvm_script *out);
void blvm_txout_compress_write(blvm_writer *w, const blvm_txout *out);
BLVM_WUR bool blvm_txout_compress_read(blvm_reader *r, blvm_txout *out);

/* Chainstate value of a coin (Core's Coin::Serialize). */
void blvm_coin_encode(const blvm_coin *c, blvm_writer *w);
BLVM_WUR bool blvm_coin_decode(blvm_coin *c, blvm_reader *r);

/* Chainstate key of an outpoint: 'C' || txid || VARINT(n). Returns the
 * length (at most BLVM_COIN_KEY_MAX). */
#define BLVM_COIN_KEY_MAX 38
size_t blvm_coin_key(uint8_t out[BLVM_COIN_KEY_MAX], const blvm_outpoint *op);
BLVM_WUR bool blvm_coin_key_parse(const uint8_t *key, size_t len, blvm_outpoint *op);

typedef struct {
    size_t count;
    blvm_coin *coins; /* the coins spent by each input, in input order */
} blvm_tx_undo;

typedef struct {
    size_t count;
    blvm_tx_undo *txs; /* one per transaction except the coinbase */
} blvm_block_undo;

void blvm_block_undo_init(blvm_block_undo *u);
void blvm_block_undo_clear(blvm_block_undo *u);
/* Makes room for `count` transactions, each with zero coins. */
BLVM_WUR bool blvm_block_undo_resize(blvm_block_undo *u, size_t count);
BLVM_WUR bool blvm_tx_undo_resize(blvm_tx_undo *t, size_t count);
void blvm_block_undo_encode(const blvm_block_undo *u, blvm_writer *w);
/* Decodes a whole buffer (no trailing bytes). On failure u is cleared. */
BLVM_WUR bool blvm_block_undo_decode(blvm_block_undo *u, const uint8_t *data, size_t len);

#endif
