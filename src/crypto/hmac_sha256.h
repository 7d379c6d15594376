#ifndef BLVM_CRYPTO_HMAC_SHA256_H
#define BLVM_CRYPTO_HMAC_SHA256_H

/* HMAC-SHA256 (RFC 2104, test vectors in RFC 4231). */

#include <stddef.h>
#include <stdint.h>

#include "crypto/sha256.h"

typedef struct {
    blvm_sha256_ctx inner;
    blvm_sha256_ctx outer;
} blvm_hmac_sha256_ctx;

/* Keys longer than 64 bytes are hashed first, as the RFC requires. */
void blvm_hmac_sha256_init(blvm_hmac_sha256_ctx *ctx, const uint8_t *key, size_t keylen);
void blvm_hmac_sha256_write(blvm_hmac_sha256_ctx *ctx, const uint8_t *data, size_t len);
/* Writes the MAC and wipes the context's key material. */
void blvm_hmac_sha256_finalize(blvm_hmac_sha256_ctx *ctx, uint8_t out[32]);

void blvm_hmac_sha256(uint8_t out[32], const uint8_t *key, size_t keylen, const uint8_t *msg,
                      size_t msglen);

#endif
