/* SipHash-2-4, following Bitcoin Core's src/crypto/siphash.cpp. */
#include "crypto/siphash.h"

#include "util/common.h"

static inline uint64_t rotl64(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

#define SIPROUND(v0, v1, v2, v3)                                                                   \
    do {                                                                                           \
        v0 += v1;                                                                                  \
        v1 = rotl64(v1, 13);                                                                       \
        v1 ^= v0;                                                                                  \
        v0 = rotl64(v0, 32);                                                                       \
        v2 += v3;                                                                                  \
        v3 = rotl64(v3, 16);                                                                       \
        v3 ^= v2;                                                                                  \
        v0 += v3;                                                                                  \
        v3 = rotl64(v3, 21);                                                                       \
        v3 ^= v0;                                                                                  \
        v2 += v1;                                                                                  \
        v1 = rotl64(v1, 17);                                                                       \
        v1 ^= v2;                                                                                  \
        v2 = rotl64(v2, 32);                                                                       \
    } while (0)

void blvm_siphash_init(blvm_siphash_ctx *ctx, uint64_t k0, uint64_t k1) {
    ctx->v[0] = 0x736f6d6570736575ULL ^ k0;
    ctx->v[1] = 0x646f72616e646f6dULL ^ k1;
    ctx->v[2] = 0x6c7967656e657261ULL ^ k0;
    ctx->v[3] = 0x7465646279746573ULL ^ k1;
    ctx->tmp = 0;
    ctx->count = 0;
}

void blvm_siphash_write_u64(blvm_siphash_ctx *ctx, uint64_t data) {
    uint64_t v0 = ctx->v[0], v1 = ctx->v[1], v2 = ctx->v[2], v3 = ctx->v[3];
    v3 ^= data;
    SIPROUND(v0, v1, v2, v3);
    SIPROUND(v0, v1, v2, v3);
    v0 ^= data;
    ctx->v[0] = v0;
    ctx->v[1] = v1;
    ctx->v[2] = v2;
    ctx->v[3] = v3;
    ctx->count = (uint8_t)(ctx->count + 8);
}

void blvm_siphash_write(blvm_siphash_ctx *ctx, const uint8_t *data, size_t len) {
    uint64_t v0 = ctx->v[0], v1 = ctx->v[1], v2 = ctx->v[2], v3 = ctx->v[3];
    uint64_t t = ctx->tmp;
    uint8_t c = ctx->count;
    while (len--) {
        t |= (uint64_t)(*data++) << (8 * (c % 8));
        c++;
        if ((c & 7) == 0) {
            v3 ^= t;
            SIPROUND(v0, v1, v2, v3);
            SIPROUND(v0, v1, v2, v3);
            v0 ^= t;
            t = 0;
        }
    }
    ctx->v[0] = v0;
    ctx->v[1] = v1;
    ctx->v[2] = v2;
    ctx->v[3] = v3;
    ctx->count = c;
    ctx->tmp = t;
}

uint64_t blvm_siphash_finalize(const blvm_siphash_ctx *ctx) {
    uint64_t v0 = ctx->v[0], v1 = ctx->v[1], v2 = ctx->v[2], v3 = ctx->v[3];
    uint64_t t = ctx->tmp | ((uint64_t)ctx->count << 56);
    v3 ^= t;
    SIPROUND(v0, v1, v2, v3);
    SIPROUND(v0, v1, v2, v3);
    v0 ^= t;
    v2 ^= 0xFF;
    SIPROUND(v0, v1, v2, v3);
    SIPROUND(v0, v1, v2, v3);
    SIPROUND(v0, v1, v2, v3);
    SIPROUND(v0, v1, v2, v3);
    return v0 ^ v1 ^ v2 ^ v3;
}

/* The 32 bytes are four whole words, so the generic buffering disappears. */
#define SIP_WORDS(v0, v1, v2, v3, hash)                                                            \
    for (int i_ = 0; i_ < 4; i_++) {                                                               \
        uint64_t d_ = blvm_read_le64((hash) + 8 * i_);                                             \
        v3 ^= d_;                                                                                  \
        SIPROUND(v0, v1, v2, v3);                                                                  \
        SIPROUND(v0, v1, v2, v3);                                                                  \
        v0 ^= d_;                                                                                  \
    }

uint64_t blvm_siphash_uint256(uint64_t k0, uint64_t k1, const uint8_t hash[32]) {
    uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
    uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
    uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
    uint64_t v3 = 0x7465646279746573ULL ^ k1;
    SIP_WORDS(v0, v1, v2, v3, hash);
    uint64_t d = ((uint64_t)32) << 56;
    v3 ^= d;
    SIPROUND(v0, v1, v2, v3);
    SIPROUND(v0, v1, v2, v3);
    v0 ^= d;
    v2 ^= 0xFF;
    SIPROUND(v0, v1, v2, v3);
    SIPROUND(v0, v1, v2, v3);
    SIPROUND(v0, v1, v2, v3);
    SIPROUND(v0, v1, v2, v3);
    return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t blvm_siphash_uint256_extra(uint64_t k0, uint64_t k1, const uint8_t hash[32],
                                    uint32_t extra) {
    uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
    uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
    uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
    uint64_t v3 = 0x7465646279746573ULL ^ k1;
    SIP_WORDS(v0, v1, v2, v3, hash);
    uint64_t d = (((uint64_t)36) << 56) | extra;
    v3 ^= d;
    SIPROUND(v0, v1, v2, v3);
    SIPROUND(v0, v1, v2, v3);
    v0 ^= d;
    v2 ^= 0xFF;
    SIPROUND(v0, v1, v2, v3);
    SIPROUND(v0, v1, v2, v3);
    SIPROUND(v0, v1, v2, v3);
    SIPROUND(v0, v1, v2, v3);
    return v0 ^ v1 ^ v2 ^ v3;
}
