#ifndef BLVM_CRYPTO_RIPEMD160_H
#define BLVM_CRYPTO_RIPEMD160_H

/* RIPEMD-160 (Dobbertin, Bosselaers, Preneel 1996): the outer hash of
 * Bitcoin's HASH160. */

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t s[5];
    uint8_t buf[64];
    uint64_t bytes;
} blvm_ripemd160_ctx;

void blvm_ripemd160_init(blvm_ripemd160_ctx *ctx);
void blvm_ripemd160_write(blvm_ripemd160_ctx *ctx, const uint8_t *data, size_t len);
void blvm_ripemd160_finalize(blvm_ripemd160_ctx *ctx, uint8_t out[20]);

/* One-shot: out = RIPEMD-160(data[0..len)). */
void blvm_ripemd160(uint8_t out[20], const uint8_t *data, size_t len);

#endif
