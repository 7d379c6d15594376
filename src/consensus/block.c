/* Block headers and blocks: (de)serialization, hashes, sizes. */
#include "consensus/block.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/sha256.h"

/* The smallest transaction encoding: version, two empty vectors (or the
 * marker and a zero flag), lock time. Bounds a claimed transaction count by
 * the bytes left before anything is allocated. */
#define MIN_TX_SIZE 10

void blvm_header_encode(const blvm_block_header *h, uint8_t out[BLVM_HEADER_SIZE]) {
    blvm_write_le32(out, (uint32_t)h->version);
    memcpy(out + 4, h->prev_hash, 32);
    memcpy(out + 36, h->merkle_root, 32);
    blvm_write_le32(out + 68, h->time);
    blvm_write_le32(out + 72, h->bits);
    blvm_write_le32(out + 76, h->nonce);
}

bool blvm_header_decode(blvm_block_header *h, blvm_reader *r) {
    const uint8_t *p;
    if (!blvm_read_span(r, &p, BLVM_HEADER_SIZE)) return false;
    h->version = (int32_t)blvm_read_le32(p);
    memcpy(h->prev_hash, p + 4, 32);
    memcpy(h->merkle_root, p + 36, 32);
    h->time = blvm_read_le32(p + 68);
    h->bits = blvm_read_le32(p + 72);
    h->nonce = blvm_read_le32(p + 76);
    return true;
}

void blvm_header_hash(const blvm_block_header *h, uint8_t out[32]) {
    uint8_t buf[BLVM_HEADER_SIZE];
    blvm_header_encode(h, buf);
    blvm_sha256d(out, buf, sizeof buf);
}

void blvm_block_init(blvm_block *b) {
    memset(b, 0, sizeof *b);
}

void blvm_block_clear(blvm_block *b) {
    for (size_t i = 0; i < b->tx_count; i++)
        blvm_tx_clear(&b->txs[i]);
    free(b->txs);
    blvm_block_init(b);
}

bool blvm_block_decode(blvm_block *b, blvm_reader *r) {
    blvm_block_init(b);
    size_t start = r->pos;
    uint64_t n;
    if (!blvm_header_decode(&b->header, r) || !blvm_read_compact_size(r, &n)) goto fail;
    if (n > blvm_reader_remaining(r) / MIN_TX_SIZE) {
        r->err = BLVM_READ_TRUNCATED;
        goto fail;
    }
    if (n) {
        b->txs = malloc((size_t)n * sizeof *b->txs);
        if (!b->txs) {
            r->err = BLVM_READ_NO_MEMORY;
            goto fail;
        }
    }
    for (size_t i = 0; i < (size_t)n; i++) {
        if (!blvm_tx_decode(&b->txs[i], r, true)) goto fail;
        b->tx_count = i + 1;
    }
    return true;
fail:
    if (r->err == BLVM_READ_OK) r->err = BLVM_READ_TRUNCATED;
    blvm_block_clear(b);
    r->pos = start;
    return false;
}

bool blvm_block_decode_bytes(blvm_block *b, const uint8_t *data, size_t len) {
    blvm_reader r;
    blvm_reader_init(&r, data, len);
    if (!blvm_block_decode(b, &r)) return false;
    if (blvm_reader_remaining(&r) != 0) {
        blvm_block_clear(b);
        return false;
    }
    return true;
}

void blvm_block_encode(const blvm_block *b, blvm_writer *w, bool with_witness) {
    if (!blvm_writer_reserve(w, blvm_block_size(b, with_witness))) return;
    uint8_t h[BLVM_HEADER_SIZE];
    blvm_header_encode(&b->header, h);
    blvm_write_bytes(w, h, sizeof h);
    blvm_write_compact_size(w, b->tx_count);
    for (size_t i = 0; i < b->tx_count; i++)
        blvm_tx_encode(&b->txs[i], w, with_witness);
}

size_t blvm_block_size(const blvm_block *b, bool with_witness) {
    size_t n = BLVM_HEADER_SIZE + blvm_compact_size_len(b->tx_count);
    for (size_t i = 0; i < b->tx_count; i++)
        n += blvm_tx_size(&b->txs[i], with_witness);
    return n;
}

size_t blvm_block_weight(const blvm_block *b) {
    size_t stripped = blvm_block_size(b, false);
    return stripped * (BLVM_WITNESS_SCALE_FACTOR - 1) + blvm_block_size(b, true);
}
