#ifndef BLVM_CONSENSUS_BLOCK_H
#define BLVM_CONSENSUS_BLOCK_H

/* Block headers and blocks: (de)serialization, hashes, merkle roots. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/tx.h"

#define BLVM_HEADER_SIZE 80
/* Core's consensus limits (consensus/consensus.h). */
#define BLVM_MAX_BLOCK_SERIALIZED_SIZE 4000000
#define BLVM_MAX_BLOCK_WEIGHT          4000000
#define BLVM_MAX_BLOCK_SIGOPS_COST     80000

typedef struct {
    int32_t version;
    uint8_t prev_hash[32];
    uint8_t merkle_root[32];
    uint32_t time;
    uint32_t bits;
    uint32_t nonce;
} blvm_block_header;

typedef struct {
    blvm_block_header header;
    size_t tx_count;
    blvm_tx *txs;
} blvm_block;

void blvm_header_encode(const blvm_block_header *h, uint8_t out[BLVM_HEADER_SIZE]);
BLVM_WUR bool blvm_header_decode(blvm_block_header *h, blvm_reader *r);
void blvm_header_hash(const blvm_block_header *h, uint8_t out[32]);

void blvm_block_init(blvm_block *b);
void blvm_block_clear(blvm_block *b);
/* Decodes one block (segwit serialization allowed). On failure b is cleared,
 * r is back at its starting position and r->err says why. The claimed
 * transaction count is checked against the bytes left before allocating. */
BLVM_WUR bool blvm_block_decode(blvm_block *b, blvm_reader *r);
/* Same for a buffer holding exactly one block (trailing bytes fail). */
BLVM_WUR bool blvm_block_decode_bytes(blvm_block *b, const uint8_t *data, size_t len);
void blvm_block_encode(const blvm_block *b, blvm_writer *w, bool with_witness);
size_t blvm_block_size(const blvm_block *b, bool with_witness);
/* BIP141 block weight: 3 * stripped size + total size. */
size_t blvm_block_weight(const blvm_block *b);

#endif
