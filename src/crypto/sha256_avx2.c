/* Eight double SHA-256 hashes of 64-byte inputs at once with AVX2 (merkle
 * tree levels). Built with -mavx2; only called after CPUID says so. */
#include "crypto/sha256_impl.h"

#if defined(BLVM_SHA256_X86)

#include <immintrin.h>

#include "util/common.h"

#define V             __m256i
#define V_LANES       8
#define V_ADD(a, b)   _mm256_add_epi32((a), (b))
#define V_XOR(a, b)   _mm256_xor_si256((a), (b))
#define V_OR(a, b)    _mm256_or_si256((a), (b))
#define V_AND(a, b)   _mm256_and_si256((a), (b))
#define V_SHR(a, n)   _mm256_srli_epi32((a), (n))
#define V_SHL(a, n)   _mm256_slli_epi32((a), (n))
#define V_SET1(x)     _mm256_set1_epi32((int)(x))
#define V_LOAD(in, w) avx2_load((in), (w))
#define V_STORE(out, w, v) avx2_store((out), (w), (v))
#define MW_FN         blvm_sha256d64_avx2_8way

static inline __attribute__((always_inline)) __m256i avx2_load(const uint8_t *in, int w) {
    const uint8_t *p = in + 4 * w;
    return _mm256_setr_epi32((int)blvm_read_be32(p), (int)blvm_read_be32(p + 64),
                             (int)blvm_read_be32(p + 128), (int)blvm_read_be32(p + 192),
                             (int)blvm_read_be32(p + 256), (int)blvm_read_be32(p + 320),
                             (int)blvm_read_be32(p + 384), (int)blvm_read_be32(p + 448));
}

static inline __attribute__((always_inline)) void avx2_store(uint8_t *out, int w, __m256i v) {
    uint32_t lanes[8];
    _mm256_storeu_si256((__m256i *)lanes, v);
    for (int i = 0; i < 8; i++) blvm_write_be32(out + 32 * i + 4 * w, lanes[i]);
}

#include "crypto/sha256_multiway.h"

#endif
