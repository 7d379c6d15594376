/* RIPEMD-160, written from the specification's tables (the same round layout
 * as Bitcoin Core's src/crypto/ripemd160.cpp). */
#include "crypto/ripemd160.h"

#include <string.h>

#include "util/common.h"

static inline uint32_t rol32(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

/* The five boolean functions, selected by round number 0..4. */
static inline uint32_t fn(int j, uint32_t x, uint32_t y, uint32_t z) {
    switch (j) {
    case 0: return x ^ y ^ z;
    case 1: return (x & y) | (~x & z);
    case 2: return (x | ~y) ^ z;
    case 3: return (x & z) | (y & ~z);
    default: return x ^ (y | ~z);
    }
}

/* Message word order and rotation amounts of the left and right lines. */
static const uint8_t RL[80] = {
    0, 1,  2,  3,  4,  5,  6,  7,  8, 9,  10, 11, 12, 13, 14, 15, 7,  4,  13, 1,
    10, 6, 15, 3,  12, 0,  9,  5,  2, 14, 11, 8,  3,  10, 14, 4,  9,  15, 8,  1,
    2, 7,  0,  6,  13, 11, 5,  12, 1, 9,  11, 10, 0,  8,  12, 4,  13, 3,  7,  15,
    14, 5, 6,  2,  4,  0,  5,  9,  7, 12, 2,  10, 14, 1,  3,  8,  11, 6,  15, 13};
static const uint8_t RR[80] = {
    5, 14, 7,  0,  9,  2,  11, 4,  13, 6,  15, 8,  1,  10, 3,  12, 6,  11, 3,  7,
    0, 13, 5,  10, 14, 15, 8,  12, 4,  9,  1,  2,  15, 5,  1,  3,  7,  14, 6,  9,
    11, 8, 12, 2,  10, 0,  4,  13, 8,  6,  4,  1,  3,  11, 15, 0,  5,  12, 2,  13,
    9, 7,  10, 14, 12, 15, 10, 4,  1,  5,  8,  7,  6,  2,  13, 14, 0,  3,  9,  11};
static const uint8_t SL[80] = {
    11, 14, 15, 12, 5,  8,  7,  9,  11, 13, 14, 15, 6,  7,  9,  8,  7,  6,  8,  13,
    11, 9,  7,  15, 7,  12, 15, 9,  11, 7,  13, 12, 11, 13, 6,  7,  14, 9,  13, 15,
    14, 8,  13, 6,  5,  12, 7,  5,  11, 12, 14, 15, 14, 15, 9,  8,  9,  14, 5,  6,
    8,  6,  5,  12, 9,  15, 5,  11, 6,  8,  13, 12, 5,  12, 13, 14, 11, 8,  5,  6};
static const uint8_t SR[80] = {
    8,  9,  9,  11, 13, 15, 15, 5,  7,  7,  8,  11, 14, 14, 12, 6,  9,  13, 15, 7,
    12, 8,  9,  11, 7,  7,  12, 7,  6,  15, 13, 11, 9,  7,  15, 11, 8,  6,  6,  14,
    12, 13, 5,  14, 13, 13, 7,  5,  15, 5,  8,  11, 14, 14, 6,  14, 6,  9,  12, 9,
    12, 5,  15, 8,  8,  5,  12, 9,  12, 5,  14, 6,  8,  13, 6,  5,  15, 13, 11, 11};
static const uint32_t KL[5] = {0x00000000, 0x5A827999, 0x6ED9EBA1, 0x8F1BBCDC, 0xA953FD4E};
static const uint32_t KR[5] = {0x50A28BE6, 0x5C4DD124, 0x6D703EF3, 0x7A6D76E9, 0x00000000};

static void transform(uint32_t s[5], const uint8_t chunk[64]) {
    uint32_t w[16];
    for (int i = 0; i < 16; i++) w[i] = blvm_read_le32(chunk + 4 * i);
    uint32_t al = s[0], bl = s[1], cl = s[2], dl = s[3], el = s[4];
    uint32_t ar = al, br = bl, cr = cl, dr = dl, er = el;
    for (int i = 0; i < 80; i++) {
        int j = i >> 4;
        uint32_t t = rol32(al + fn(j, bl, cl, dl) + w[RL[i]] + KL[j], SL[i]) + el;
        al = el;
        el = dl;
        dl = rol32(cl, 10);
        cl = bl;
        bl = t;
        /* The right line uses the functions in reverse order. */
        t = rol32(ar + fn(4 - j, br, cr, dr) + w[RR[i]] + KR[j], SR[i]) + er;
        ar = er;
        er = dr;
        dr = rol32(cr, 10);
        cr = br;
        br = t;
    }
    uint32_t t = s[1] + cl + dr;
    s[1] = s[2] + dl + er;
    s[2] = s[3] + el + ar;
    s[3] = s[4] + al + br;
    s[4] = s[0] + bl + cr;
    s[0] = t;
}

void blvm_ripemd160_init(blvm_ripemd160_ctx *ctx) {
    ctx->s[0] = 0x67452301;
    ctx->s[1] = 0xEFCDAB89;
    ctx->s[2] = 0x98BADCFE;
    ctx->s[3] = 0x10325476;
    ctx->s[4] = 0xC3D2E1F0;
    ctx->bytes = 0;
}

void blvm_ripemd160_write(blvm_ripemd160_ctx *ctx, const uint8_t *data, size_t len) {
    if (len == 0) return; /* data may be NULL */
    size_t used = (size_t)(ctx->bytes & 63);
    ctx->bytes += len;
    if (used) {
        size_t take = 64 - used;
        if (take > len) take = len;
        memcpy(ctx->buf + used, data, take);
        data += take;
        len -= take;
        if (used + take < 64) return;
        transform(ctx->s, ctx->buf);
    }
    while (len >= 64) {
        transform(ctx->s, data);
        data += 64;
        len -= 64;
    }
    if (len) memcpy(ctx->buf, data, len);
}

void blvm_ripemd160_finalize(blvm_ripemd160_ctx *ctx, uint8_t out[20]) {
    static const uint8_t pad[64] = {0x80};
    uint8_t sizedesc[8];
    blvm_write_le64(sizedesc, ctx->bytes << 3);
    blvm_ripemd160_write(ctx, pad, 1 + ((119 - (ctx->bytes % 64)) % 64));
    blvm_ripemd160_write(ctx, sizedesc, 8);
    for (int i = 0; i < 5; i++) blvm_write_le32(out + 4 * i, ctx->s[i]);
}

void blvm_ripemd160(uint8_t out[20], const uint8_t *data, size_t len) {
    blvm_ripemd160_ctx ctx;
    blvm_ripemd160_init(&ctx);
    blvm_ripemd160_write(&ctx, data, len);
    blvm_ripemd160_finalize(&ctx, out);
}
