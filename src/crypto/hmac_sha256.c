/* HMAC-SHA256 (RFC 2104). */
#include "crypto/hmac_sha256.h"

#include <string.h>

void blvm_hmac_sha256_init(blvm_hmac_sha256_ctx *ctx, const uint8_t *key, size_t keylen) {
    uint8_t rkey[64];
    if (keylen <= sizeof rkey) {
        memset(rkey, 0, sizeof rkey);
        if (keylen) memcpy(rkey, key, keylen);
    } else {
        blvm_sha256(rkey, key, keylen);
        memset(rkey + 32, 0, 32);
    }
    for (int i = 0; i < 64; i++) rkey[i] ^= 0x5c;
    blvm_sha256_init(&ctx->outer);
    blvm_sha256_write(&ctx->outer, rkey, 64);
    for (int i = 0; i < 64; i++) rkey[i] ^= 0x5c ^ 0x36;
    blvm_sha256_init(&ctx->inner);
    blvm_sha256_write(&ctx->inner, rkey, 64);
    memset(rkey, 0, sizeof rkey);
}

void blvm_hmac_sha256_write(blvm_hmac_sha256_ctx *ctx, const uint8_t *data, size_t len) {
    blvm_sha256_write(&ctx->inner, data, len);
}

void blvm_hmac_sha256_finalize(blvm_hmac_sha256_ctx *ctx, uint8_t out[32]) {
    uint8_t temp[32];
    blvm_sha256_finalize(&ctx->inner, temp);
    blvm_sha256_write(&ctx->outer, temp, 32);
    blvm_sha256_finalize(&ctx->outer, out);
    memset(temp, 0, sizeof temp);
    memset(ctx, 0, sizeof *ctx);
}

void blvm_hmac_sha256(uint8_t out[32], const uint8_t *key, size_t keylen, const uint8_t *msg,
                      size_t msglen) {
    blvm_hmac_sha256_ctx ctx;
    blvm_hmac_sha256_init(&ctx, key, keylen);
    blvm_hmac_sha256_write(&ctx, msg, msglen);
    blvm_hmac_sha256_finalize(&ctx, out);
}
