/* SHA-256 (FIPS 180-4): the portable compression function, the streaming
 * front end, and the run-time choice of faster compression paths. The round
 * structure follows Bitcoin Core's src/crypto/sha256.cpp. */
#include "crypto/sha256.h"

#include <pthread.h>
#include <string.h>

#include "crypto/sha256_consts.h"
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

#define K  blvm_sha256_k
#define IV blvm_sha256_iv

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

/* 64 rounds whose schedule plus constants is a fixed table. */
static void compress_kw(uint32_t s[8], const uint32_t kw[64]) {
    uint32_t a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];
    for (int i = 0; i < 64; i += 8) {
        ROUND(a, b, c, d, e, f, g, h, kw[i + 0]);
        ROUND(h, a, b, c, d, e, f, g, kw[i + 1]);
        ROUND(g, h, a, b, c, d, e, f, kw[i + 2]);
        ROUND(f, g, h, a, b, c, d, e, kw[i + 3]);
        ROUND(e, f, g, h, a, b, c, d, kw[i + 4]);
        ROUND(d, e, f, g, h, a, b, c, kw[i + 5]);
        ROUND(c, d, e, f, g, h, a, b, kw[i + 6]);
        ROUND(b, c, d, e, f, g, h, a, kw[i + 7]);
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

void blvm_sha256d64_generic(uint8_t out[32], const uint8_t in[64]) {
    uint32_t s[8], w[16];
    memcpy(s, IV, sizeof s);
    for (int i = 0; i < 16; i++) w[i] = blvm_read_be32(in + 4 * i);
    compress(s, w);
    /* The padding block of a 64-byte message never changes. */
    compress_kw(s, blvm_sha256_pad64_kw);
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

const char *const blvm_sha256_impl_names[] = {"generic",
#if defined(BLVM_SHA256_X86)
                                              "sse41",   "avx2", "shani", "shani+avx2",
#endif
                                              NULL};

#if defined(BLVM_SHA256_X86)
#include <cpuid.h>

static struct {
    bool sse41, avx2, shani;
} g_cpu;

static void detect_cpu(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return;
    bool ssse3 = (c >> 9) & 1, sse41 = (c >> 19) & 1;
    bool osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    g_cpu.sse41 = ssse3 && sse41;
    bool ymm_ok = false;
    if (osxsave && avx) {
        /* The OS must save the YMM registers on context switches (XCR0). */
        uint32_t xlo, xhi;
        __asm__ volatile("xgetbv" : "=a"(xlo), "=d"(xhi) : "c"(0));
        ymm_ok = (xlo & 6) == 6;
    }
    if (__get_cpuid_max(0, NULL) >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        g_cpu.avx2 = ymm_ok && ((b >> 5) & 1);
        g_cpu.shani = g_cpu.sse41 && ((b >> 29) & 1);
    }
}

#endif

bool blvm_sha256_impl_available(const char *name) {
    if (!name) return false;
    if (!strcmp(name, "generic") || !strcmp(name, "auto")) return true;
#if defined(BLVM_SHA256_X86)
    if (!strcmp(name, "sse41")) return g_cpu.sse41;
    if (!strcmp(name, "avx2")) return g_cpu.avx2 && g_cpu.sse41;
    if (!strcmp(name, "shani")) return g_cpu.shani;
    if (!strcmp(name, "shani+avx2")) return g_cpu.shani && g_cpu.avx2;
#endif
    return false;
}

static bool select_impl(const char *name) {
    if (!blvm_sha256_impl_available(name)) return false;
#if defined(BLVM_SHA256_X86)
    if (!strcmp(name, "auto")) {
        /* With SHA-NI, its two-way double hash beats AVX2's eight-way
         * (measured on a Xeon with both: about 63 vs 118 ns per 64-byte
         * input, see bench/bench_crypto.c), so unlike Core we do not add
         * AVX2 on top. Without it: AVX2 for eights. The SSE4.1 four-way
         * path (two-operand instructions, many register copies) measured no
         * faster than the generic one, so it is only used under AVX2 for
         * leftovers and when forced. */
        name = g_cpu.shani ? "shani" : g_cpu.avx2 ? "avx2" : "generic";
    }
#endif
    g_transform = blvm_sha256_transform_generic;
    g_d64_1 = blvm_sha256d64_generic;
    g_d64_2 = g_d64_4 = g_d64_8 = NULL;
    g_desc = "generic";
#if defined(BLVM_SHA256_X86)
    if (!strcmp(name, "sse41")) {
        g_d64_4 = blvm_sha256d64_sse41_4way;
        g_desc = "generic,sse41(4way)";
    } else if (!strcmp(name, "avx2")) {
        g_d64_4 = blvm_sha256d64_sse41_4way;
        g_d64_8 = blvm_sha256d64_avx2_8way;
        g_desc = "generic,sse41(4way),avx2(8way)";
    } else if (!strcmp(name, "shani") || !strcmp(name, "shani+avx2")) {
        g_transform = blvm_sha256_transform_shani;
        g_d64_1 = blvm_sha256d64_shani_1way;
        g_d64_2 = blvm_sha256d64_shani_2way;
        g_desc = "shani(1way,2way)";
        if (!strcmp(name, "shani+avx2")) {
            g_d64_8 = blvm_sha256d64_avx2_8way;
            g_desc = "shani(1way,2way),avx2(8way)";
        }
    }
#endif
    return true;
}

static void detect_once(void) {
#if defined(BLVM_SHA256_X86)
    detect_cpu();
#endif
    (void)select_impl("auto");
}

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
