#ifndef BLVM_STORAGE_VARINT_H
#define BLVM_STORAGE_VARINT_H

/* Bitcoin Core's VARINT (serialize.h WriteVarInt/ReadVarInt, default mode):
 * base-128, most significant group first, with one subtracted per
 * continuation byte so every number has exactly one encoding. Used by Core's
 * on-disk formats (coins, undo, block index, block file info). Not the same
 * as the compact size of the wire protocol. */

#include <stdbool.h>
#include <stdint.h>

#include "util/bytes.h"

static inline void blvm_write_varint(blvm_writer *w, uint64_t n) {
    uint8_t tmp[10];
    int len = 0;
    for (;;) {
        tmp[len] = (uint8_t)((n & 0x7f) | (len ? 0x80 : 0x00));
        if (n <= 0x7f) break;
        n = (n >> 7) - 1;
        len++;
    }
    do {
        blvm_write_u8(w, tmp[len]);
    } while (len--);
}

/* Reads a VARINT no larger than max (Core's "size too large" checks for the
 * integer type being read). Fails with r->err set on truncation or overflow. */
static inline BLVM_WUR bool blvm_read_varint(blvm_reader *r, uint64_t max, uint64_t *out) {
    uint64_t n = 0;
    for (;;) {
        uint8_t b;
        if (!blvm_read_u8(r, &b)) return false;
        if (n > (max >> 7)) {
            r->err = BLVM_READ_TOO_LARGE;
            return false;
        }
        n = (n << 7) | (b & 0x7f);
        if (b & 0x80) {
            if (n == max) {
                r->err = BLVM_READ_TOO_LARGE;
                return false;
            }
            n++;
        } else {
            if (n > max) {
                r->err = BLVM_READ_TOO_LARGE;
                return false;
            }
            *out = n;
            return true;
        }
    }
}

static inline BLVM_WUR bool blvm_read_varint32(blvm_reader *r, uint32_t *out) {
    uint64_t v;
    if (!blvm_read_varint(r, UINT32_MAX, &v)) return false;
    *out = (uint32_t)v;
    return true;
}

#endif
