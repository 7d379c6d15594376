#ifndef BLVM_CRYPTO_SIPHASH_H
#define BLVM_CRYPTO_SIPHASH_H

/* SipHash-2-4 (Aumasson and Bernstein), keyed with two 64-bit halves as in
 * Bitcoin Core's CSipHasher: short-id hashing (BIP152), hash-table keys that
 * peers must not be able to predict. */

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t v[4];
    uint64_t tmp;   /* bytes not yet compressed, little-endian */
    uint8_t count;  /* total bytes written, mod 256 (all the final block needs) */
} blvm_siphash_ctx;

void blvm_siphash_init(blvm_siphash_ctx *ctx, uint64_t k0, uint64_t k1);
/* Writes the 8 little-endian bytes of data. Like Core's Write(uint64_t),
 * only valid when the bytes written so far are a multiple of 8. */
void blvm_siphash_write_u64(blvm_siphash_ctx *ctx, uint64_t data);
void blvm_siphash_write(blvm_siphash_ctx *ctx, const uint8_t *data, size_t len);
/* The 64-bit hash; ctx is left unchanged, so more can be written after. */
uint64_t blvm_siphash_finalize(const blvm_siphash_ctx *ctx);

/* Core's SipHashUint256: SipHash-2-4 of the 32 bytes of a hash, unrolled. */
uint64_t blvm_siphash_uint256(uint64_t k0, uint64_t k1, const uint8_t hash[32]);
/* Core's SipHashUint256Extra: the 32 bytes followed by the 4 little-endian
 * bytes of extra (an output index when keying outpoints). */
uint64_t blvm_siphash_uint256_extra(uint64_t k0, uint64_t k1, const uint8_t hash[32],
                                    uint32_t extra);

#endif
