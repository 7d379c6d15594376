/* HASH160, HASH256 and BIP340 tagged hashes. */
#include "crypto/hash.h"

#include <string.h>

#include "crypto/ripemd160.h"

void blvm_hash160(uint8_t out[20], const uint8_t *data, size_t len) {
    uint8_t h[32];
    blvm_sha256(h, data, len);
    blvm_ripemd160(out, h, sizeof h);
}

void blvm_hash256(uint8_t out[32], const uint8_t *data, size_t len) {
    blvm_sha256d(out, data, len);
}

void blvm_sha256_init_tagged(blvm_sha256_ctx *ctx, const char *tag) {
    uint8_t t[32];
    blvm_sha256(t, (const uint8_t *)tag, strlen(tag));
    blvm_sha256_init(ctx);
    blvm_sha256_write(ctx, t, 32);
    blvm_sha256_write(ctx, t, 32);
}

void blvm_tagged_hash(uint8_t out[32], const char *tag, const uint8_t *data, size_t len) {
    blvm_sha256_ctx ctx;
    blvm_sha256_init_tagged(&ctx, tag);
    blvm_sha256_write(&ctx, data, len);
    blvm_sha256_finalize(&ctx, out);
}
