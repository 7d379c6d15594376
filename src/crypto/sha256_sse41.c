/* Four double SHA-256 hashes of 64-byte inputs at once with SSE4.1, for CPUs
 * without AVX2 or SHA-NI. Built with -msse4.1; only called after CPUID. */
#include "crypto/sha256_impl.h"

#if defined(BLVM_SHA256_X86)

#include <immintrin.h>

#include "util/common.h"

#define V             __m128i
#define V_LANES       4
#define V_ADD(a, b)   _mm_add_epi32((a), (b))
#define V_XOR(a, b)   _mm_xor_si128((a), (b))
#define V_OR(a, b)    _mm_or_si128((a), (b))
#define V_AND(a, b)   _mm_and_si128((a), (b))
#define V_SHR(a, n)   _mm_srli_epi32((a), (n))
#define V_SHL(a, n)   _mm_slli_epi32((a), (n))
#define V_SET1(x)     _mm_set1_epi32((int)(x))
#define V_LOAD(in, w) sse41_load((in), (w))
#define V_STORE(out, w, v) sse41_store((out), (w), (v))
#define MW_FN         blvm_sha256d64_sse41_4way

static inline __attribute__((always_inline)) __m128i sse41_load(const uint8_t *in, int w) {
    const uint8_t *p = in + 4 * w;
    return _mm_setr_epi32((int)blvm_read_be32(p), (int)blvm_read_be32(p + 64),
                          (int)blvm_read_be32(p + 128), (int)blvm_read_be32(p + 192));
}

static inline __attribute__((always_inline)) void sse41_store(uint8_t *out, int w, __m128i v) {
    blvm_write_be32(out + 4 * w, (uint32_t)_mm_extract_epi32(v, 0));
    blvm_write_be32(out + 32 + 4 * w, (uint32_t)_mm_extract_epi32(v, 1));
    blvm_write_be32(out + 64 + 4 * w, (uint32_t)_mm_extract_epi32(v, 2));
    blvm_write_be32(out + 96 + 4 * w, (uint32_t)_mm_extract_epi32(v, 3));
}

#include "crypto/sha256_multiway.h"

#endif
