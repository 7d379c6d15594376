#ifndef BLVM_CRYPTO_SHA256_H
#define BLVM_CRYPTO_SHA256_H

/* SHA-256 (FIPS 180-4). The compression function has a generic path and fast
 * paths (SHA-NI; AVX2 8-way for double hashes of 64-byte inputs) chosen once
 * at run time by blvm_sha256_autodetect(); every path gives the same bytes. */

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t s[8];
    uint8_t buf[64];
    uint64_t bytes;
} blvm_sha256_ctx;

void blvm_sha256_init(blvm_sha256_ctx *ctx);
void blvm_sha256_write(blvm_sha256_ctx *ctx, const uint8_t *data, size_t len);
void blvm_sha256_finalize(blvm_sha256_ctx *ctx, uint8_t out[32]);

void blvm_sha256(uint8_t out[32], const uint8_t *data, size_t len);
/* SHA-256 of SHA-256: Bitcoin's hash256 (txids, block hashes, checksums). */
void blvm_sha256d(uint8_t out[32], const uint8_t *data, size_t len);
/* blocks independent double hashes of 64-byte inputs (merkle tree levels):
 * out[32*i..] = sha256d(in[64*i..64*i+63]). */
void blvm_sha256d64(uint8_t *out, const uint8_t *in, size_t blocks);

/* Picks the fastest paths this CPU supports and returns a description such as
 * "shani(1way,2way)" or "generic,sse41(4way),avx2(8way)". Thread-safe,
 * idempotent; the hash functions call it on first use. */
const char *blvm_sha256_autodetect(void);

#endif
