/* ChaCha20 (RFC 8439 section 2). */
#include "crypto/chacha20.h"

#include <string.h>

#include "util/common.h"

static inline uint32_t rotl32(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

#define QUARTER(a, b, c, d)                                                                        \
    do {                                                                                           \
        a += b;                                                                                    \
        d = rotl32(d ^ a, 16);                                                                     \
        c += d;                                                                                    \
        b = rotl32(b ^ c, 12);                                                                     \
        a += b;                                                                                    \
        d = rotl32(d ^ a, 8);                                                                      \
        c += d;                                                                                    \
        b = rotl32(b ^ c, 7);                                                                      \
    } while (0)

/* One 64-byte keystream block for the current counter; advances it. */
static void block(uint32_t input[16], uint8_t out[64]) {
    uint32_t x[16];
    memcpy(x, input, sizeof x);
    for (int i = 0; i < 10; i++) {
        QUARTER(x[0], x[4], x[8], x[12]);
        QUARTER(x[1], x[5], x[9], x[13]);
        QUARTER(x[2], x[6], x[10], x[14]);
        QUARTER(x[3], x[7], x[11], x[15]);
        QUARTER(x[0], x[5], x[10], x[15]);
        QUARTER(x[1], x[6], x[11], x[12]);
        QUARTER(x[2], x[7], x[8], x[13]);
        QUARTER(x[3], x[4], x[9], x[14]);
    }
    for (int i = 0; i < 16; i++) blvm_write_le32(out + 4 * i, x[i] + input[i]);
    /* The counter is 32 bits (RFC 8439); it wraps like Core's. */
    input[12]++;
}

void blvm_chacha20_init(blvm_chacha20_ctx *ctx, const uint8_t key[32]) {
    ctx->input[0] = 0x61707865; /* "expand 32-byte k" */
    ctx->input[1] = 0x3320646e;
    ctx->input[2] = 0x79622d32;
    ctx->input[3] = 0x6b206574;
    for (int i = 0; i < 8; i++) ctx->input[4 + i] = blvm_read_le32(key + 4 * i);
    ctx->input[12] = ctx->input[13] = ctx->input[14] = ctx->input[15] = 0;
    ctx->buf_left = 0;
}

void blvm_chacha20_seek(blvm_chacha20_ctx *ctx, const uint8_t nonce[12], uint32_t counter) {
    ctx->input[12] = counter;
    for (int i = 0; i < 3; i++) ctx->input[13 + i] = blvm_read_le32(nonce + 4 * i);
    ctx->buf_left = 0;
}

void blvm_chacha20_keystream(blvm_chacha20_ctx *ctx, uint8_t *out, size_t len) {
    if (len && ctx->buf_left) {
        size_t take = len < ctx->buf_left ? len : ctx->buf_left;
        memcpy(out, ctx->buf + 64 - ctx->buf_left, take);
        ctx->buf_left = (uint8_t)(ctx->buf_left - take);
        out += take;
        len -= take;
    }
    while (len >= 64) {
        block(ctx->input, out);
        out += 64;
        len -= 64;
    }
    if (len) {
        block(ctx->input, ctx->buf);
        memcpy(out, ctx->buf, len);
        ctx->buf_left = (uint8_t)(64 - len);
    }
}

void blvm_chacha20_crypt(blvm_chacha20_ctx *ctx, const uint8_t *in, uint8_t *out, size_t len) {
    uint8_t ks[64];
    while (len) {
        size_t n = len < sizeof ks ? len : sizeof ks;
        blvm_chacha20_keystream(ctx, ks, n);
        for (size_t i = 0; i < n; i++) out[i] = in[i] ^ ks[i];
        in += n;
        out += n;
        len -= n;
    }
    memset(ks, 0, sizeof ks);
}

void blvm_chacha20_clear(blvm_chacha20_ctx *ctx) {
    volatile uint8_t *p = (volatile uint8_t *)ctx;
    for (size_t i = 0; i < sizeof *ctx; i++) p[i] = 0;
}
