/* SHA-256 (FIPS 180-4): the portable compression function, the streaming
 * front end, and the run-time choice of faster compression paths. The round
 * structure follows Bitcoin Core's src/crypto/sha256.cpp. */
#include "crypto/sha256.h"

#include <pthread.h>
#include <string.h>

#include "crypto/sha256_impl.h"
#include "util/common.h"

static inline uint32_t ror32(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
static inline uint32_t ch(uint32_t x, uint32_t y, uint32_t z) { return z ^ (x & (y ^ z)); }
static inline uint32_t maj(uint32_t x, uint32_t y, uint32_t z) { return (x & y) | (z & (x | y)); }
static inline uint32_t big0(uint32_t x) { return ror32(x, 2) ^ ror32(x, 13) ^ ror32(x, 22); }
static inline uint32_t big1(uint32_t x) { return ror32(x, 6) ^ ror32(x, 11) ^ ror32(x, 25); }
static inline uint32_t sig0(uint32_t x) { return ror32(x, 7) ^ ror32(x, 18) ^ (x >> 3); }
static inline uint32_t sig1(uint32_t x) { return ror32(x, 17) ^ ror32(x, 19) ^ (x >> 10); }

/* One round; k is the round constant already added to the schedule word. */
#define ROUND(a, b, c, d, e, f, g, h, k)                                                           \
    do {                                                                                           \
        uint32_t t1_ = (h) + big1(e) + ch((e), (f), (g)) + (k);                                    \
        uint32_t t2_ = big0(a) + maj((a), (b), (c));                                               \
        (d) += t1_;                                                                                \
        (h) = t1_ + t2_;                                                                           \
    } while (0)

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
};

static const uint32_t IV[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

/* Compresses one block whose 16 schedule words are already in w. */
static void compress(uint32_t s[8], uint32_t w[16]) {
    uint32_t a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];
    for (int i = 0; i < 64; i += 8) {
        if (i >= 16) {
            /* Expand the next 8 schedule words in place (a 16-word window). */
            for (int j = 0; j < 8; j++) {
                int t = i + j;
                w[t & 15] += sig1(w[(t - 2) & 15]) + w[(t - 7) & 15] + sig0(w[(t - 15) & 15]);
            }
        }
        ROUND(a, b, c, d, e, f, g, h, K[i + 0] + w[(i + 0) & 15]);
        ROUND(h, a, b, c, d, e, f, g, K[i + 1] + w[(i + 1) & 15]);
        ROUND(g, h, a, b, c, d, e, f, K[i + 2] + w[(i + 2) & 15]);
        ROUND(f, g, h, a, b, c, d, e, K[i + 3] + w[(i + 3) & 15]);
        ROUND(e, f, g, h, a, b, c, d, K[i + 4] + w[(i + 4) & 15]);
        ROUND(d, e, f, g, h, a, b, c, K[i + 5] + w[(i + 5) & 15]);
        ROUND(c, d, e, f, g, h, a, b, K[i + 6] + w[(i + 6) & 15]);
        ROUND(b, c, d, e, f, g, h, a, K[i + 7] + w[(i + 7) & 15]);
    }
    s[0] += a;
    s[1] += b;
    s[2] += c;
    s[3] += d;
    s[4] += e;
    s[5] += f;
    s[6] += g;
    s[7] += h;
}

void blvm_sha256_transform_generic(uint32_t s[8], const uint8_t *chunk, size_t blocks) {
    while (blocks--) {
        uint32_t w[16];
        for (int i = 0; i < 16; i++) w[i] = blvm_read_be32(chunk + 4 * i);
        compress(s, w);
        chunk += 64;
    }
}

void blvm_sha256d64_generic(uint8_t out[32], const uint8_t in[64]) {
    uint32_t s[8], w[16];
    memcpy(s, IV, sizeof s);
    for (int i = 0; i < 16; i++) w[i] = blvm_read_be32(in + 4 * i);
    compress(s, w);
    /* The padding block of a 64-byte message: 0x80, zeros, length 512 bits. */
    memset(w, 0, sizeof w);
    w[0] = 0x80000000u;
    w[15] = 512;
    compress(s, w);
    /* Second hash: the 32-byte digest, padded, in a single block. */
    memcpy(w, s, 32);
    w[8] = 0x80000000u;
    for (int i = 9; i < 15; i++) w[i] = 0;
    w[15] = 256;
    memcpy(s, IV, sizeof s);
    compress(s, w);
    for (int i = 0; i < 8; i++) blvm_write_be32(out + 4 * i, s[i]);
}

/* ---- run-time selection ------------------------------------------------- */

static blvm_sha256_transform_fn g_transform = blvm_sha256_transform_generic;
static blvm_sha256d64_fn g_d64_1 = blvm_sha256d64_generic;
static blvm_sha256d64_fn g_d64_2;
static blvm_sha256d64_fn g_d64_4;
static blvm_sha256d64_fn g_d64_8;
static const char *g_desc = "generic";
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

const char *const blvm_sha256_impl_names[] = {"generic", NULL};

bool blvm_sha256_impl_available(const char *name) {
    return name && (!strcmp(name, "generic") || !strcmp(name, "auto"));
}

static bool select_impl(const char *name) {
    if (!blvm_sha256_impl_available(name)) return false;
    g_transform = blvm_sha256_transform_generic;
    g_d64_1 = blvm_sha256d64_generic;
    g_d64_2 = g_d64_4 = g_d64_8 = NULL;
    g_desc = "generic";
    return true;
}

static void detect_once(void) { (void)select_impl("auto"); }

const char *blvm_sha256_autodetect(void) {
    pthread_once(&g_once, detect_once);
    return g_desc;
}

bool blvm_sha256_use(const char *name) {
    pthread_once(&g_once, detect_once);
    return select_impl(name);
}

const char *blvm_sha256_current(void) { return blvm_sha256_autodetect(); }

/* ---- streaming front end ------------------------------------------------ */

void blvm_sha256_init(blvm_sha256_ctx *ctx) {
    memcpy(ctx->s, IV, sizeof ctx->s);
    ctx->bytes = 0;
}

void blvm_sha256_write(blvm_sha256_ctx *ctx, const uint8_t *data, size_t len) {
    if (len == 0) return;
    pthread_once(&g_once, detect_once);
    size_t used = (size_t)(ctx->bytes & 63);
    ctx->bytes += len;
    if (used) {
        size_t take = 64 - used;
        if (take > len) take = len;
        memcpy(ctx->buf + used, data, take);
        data += take;
        len -= take;
        if (used + take < 64) return;
        g_transform(ctx->s, ctx->buf, 1);
    }
    if (len >= 64) {
        size_t blocks = len / 64;
        g_transform(ctx->s, data, blocks);
        data += blocks * 64;
        len -= blocks * 64;
    }
    if (len) memcpy(ctx->buf, data, len);
}

void blvm_sha256_finalize(blvm_sha256_ctx *ctx, uint8_t out[32]) {
    static const uint8_t pad[64] = {0x80};
    uint8_t sizedesc[8];
    blvm_write_be64(sizedesc, ctx->bytes << 3);
    blvm_sha256_write(ctx, pad, 1 + ((119 - (ctx->bytes % 64)) % 64));
    blvm_sha256_write(ctx, sizedesc, 8);
    for (int i = 0; i < 8; i++) blvm_write_be32(out + 4 * i, ctx->s[i]);
}

void blvm_sha256(uint8_t out[32], const uint8_t *data, size_t len) {
    blvm_sha256_ctx ctx;
    blvm_sha256_init(&ctx);
    blvm_sha256_write(&ctx, data, len);
    blvm_sha256_finalize(&ctx, out);
}

void blvm_sha256d(uint8_t out[32], const uint8_t *data, size_t len) {
    uint8_t first[32];
    blvm_sha256(first, data, len);
    blvm_sha256(out, first, 32);
}

void blvm_sha256d64(uint8_t *out, const uint8_t *in, size_t blocks) {
    pthread_once(&g_once, detect_once);
    if (g_d64_8) {
        while (blocks >= 8) {
            g_d64_8(out, in);
            out += 256;
            in += 512;
            blocks -= 8;
        }
    }
    if (g_d64_4) {
        while (blocks >= 4) {
            g_d64_4(out, in);
            out += 128;
            in += 256;
            blocks -= 4;
        }
    }
    if (g_d64_2) {
        while (blocks >= 2) {
            g_d64_2(out, in);
            out += 64;
            in += 128;
            blocks -= 2;
        }
    }
    while (blocks) {
        g_d64_1(out, in);
        out += 32;
        in += 64;
        blocks--;
    }
}
