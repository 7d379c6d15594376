#ifndef BLVM_CRYPTO_SHA1_H
#define BLVM_CRYPTO_SHA1_H

/* SHA-1 (FIPS 180-4). Only for script's OP_SHA1; never for anything new. */

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t s[5];
    uint8_t buf[64];
    uint64_t bytes;
} blvm_sha1_ctx;

void blvm_sha1_init(blvm_sha1_ctx *ctx);
void blvm_sha1_write(blvm_sha1_ctx *ctx, const uint8_t *data, size_t len);
void blvm_sha1_finalize(blvm_sha1_ctx *ctx, uint8_t out[20]);
/* One-shot: out = SHA-1(data[0..len)). */
void blvm_sha1(uint8_t out[20], const uint8_t *data, size_t len);

#endif
