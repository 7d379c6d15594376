#include "crypto/sha1.h"

#include <string.h>

#include "util/common.h"

static uint32_t rol(uint32_t x, int n) {
    return (x << n) | (x >> (32 - n));
}

static void transform(uint32_t s[5], const uint8_t *chunk) {
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = blvm_read_be32(chunk + 4 * i);
    for (int i = 16; i < 80; i++)
        w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = s[0], b = s[1], c = s[2], d = s[3], e = s[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5a827999u;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ed9eba1u;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8f1bbcdcu;
        } else {
            f = b ^ c ^ d;
            k = 0xca62c1d6u;
        }
        uint32_t t = rol(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = rol(b, 30);
        b = a;
        a = t;
    }
    s[0] += a;
    s[1] += b;
    s[2] += c;
    s[3] += d;
    s[4] += e;
}

void blvm_sha1_init(blvm_sha1_ctx *ctx) {
    ctx->s[0] = 0x67452301u;
    ctx->s[1] = 0xefcdab89u;
    ctx->s[2] = 0x98badcfeu;
    ctx->s[3] = 0x10325476u;
    ctx->s[4] = 0xc3d2e1f0u;
    ctx->bytes = 0;
}

void blvm_sha1_write(blvm_sha1_ctx *ctx, const uint8_t *data, size_t len) {
    size_t fill = (size_t)(ctx->bytes % 64);
    ctx->bytes += len;
    if (fill && fill + len >= 64) {
        memcpy(ctx->buf + fill, data, 64 - fill);
        transform(ctx->s, ctx->buf);
        data += 64 - fill;
        len -= 64 - fill;
        fill = 0;
    }
    while (len >= 64) {
        transform(ctx->s, data);
        data += 64;
        len -= 64;
    }
    if (len) memcpy(ctx->buf + fill, data, len);
}

void blvm_sha1_finalize(blvm_sha1_ctx *ctx, uint8_t out[20]) {
    static const uint8_t pad[64] = {0x80};
    uint8_t sizedesc[8];
    blvm_write_be64(sizedesc, ctx->bytes << 3);
    blvm_sha1_write(ctx, pad, 1 + ((119 - (ctx->bytes % 64)) % 64));
    blvm_sha1_write(ctx, sizedesc, 8);
    for (int i = 0; i < 5; i++)
        blvm_write_be32(out + 4 * i, ctx->s[i]);
}

void blvm_sha1(uint8_t out[20], const uint8_t *data, size_t len) {
    blvm_sha1_ctx ctx;
    blvm_sha1_init(&ctx);
    if (len) blvm_sha1_write(&ctx, data, len);
    blvm_sha1_finalize(&ctx, out);
}
