/* SHA-256 compression with the x86 SHA extensions (SHA-NI): one block at a
 * time for streaming, and two independent double hashes of 64-byte inputs
 * interleaved so that the two dependency chains hide each other's latency.
 * Built with -msha -msse4.1 -mssse3; only called after CPUID says so. */
#include "crypto/sha256_impl.h"

#if defined(BLVM_SHA256_X86)

#include <immintrin.h>

#include "crypto/sha256_consts.h"

#define INLINE static inline __attribute__((always_inline))

/* Byte order: each 32-bit lane big-endian <-> native. */
INLINE __m128i bswap_mask(void) {
    return _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
}
INLINE __m128i load_be(const uint8_t *p) {
    return _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)p), bswap_mask());
}
INLINE __m128i kw(const uint32_t *k) { return _mm_loadu_si128((const __m128i *)k); }

/* The rounds instructions want the state as (A,B,E,F) and (C,D,G,H). */
INLINE void to_abef(__m128i *s0, __m128i *s1) {
    __m128i abcd = _mm_shuffle_epi32(*s0, 0xB1);
    __m128i efgh = _mm_shuffle_epi32(*s1, 0x1B);
    *s0 = _mm_alignr_epi8(abcd, efgh, 8);
    *s1 = _mm_blend_epi16(efgh, abcd, 0xF0);
}
INLINE void from_abef(__m128i *s0, __m128i *s1) {
    __m128i abef = _mm_shuffle_epi32(*s0, 0x1B);
    __m128i cdgh = _mm_shuffle_epi32(*s1, 0xB1);
    *s0 = _mm_blend_epi16(abef, cdgh, 0xF0);
    *s1 = _mm_alignr_epi8(cdgh, abef, 8);
}

/* Four rounds with message words plus constants already summed in wk. */
INLINE void rounds4(__m128i *s0, __m128i *s1, __m128i wk) {
    *s1 = _mm_sha256rnds2_epu32(*s1, *s0, wk);
    *s0 = _mm_sha256rnds2_epu32(*s0, *s1, _mm_shuffle_epi32(wk, 0x0e));
}

/* Schedule words 4j..4j+3 (j >= 4) from the previous sixteen, in place:
 * m[j&3] holds W[4j-16..], the others the following groups. */
INLINE __m128i next_words(__m128i w16, __m128i w12, __m128i w8, __m128i w4) {
    __m128i t = _mm_add_epi32(_mm_sha256msg1_epu32(w16, w12), _mm_alignr_epi8(w4, w8, 4));
    return _mm_sha256msg2_epu32(t, w4);
}

/* 64 rounds over the message words in m[0..3] (native order). */
INLINE void compress(__m128i *s0, __m128i *s1, __m128i m0, __m128i m1, __m128i m2, __m128i m3) {
    const uint32_t *k = blvm_sha256_k;
    __m128i m[4] = {m0, m1, m2, m3};
#pragma GCC unroll 16
    for (int j = 0; j < 16; j++) {
        if (j >= 4)
            m[j & 3] = next_words(m[j & 3], m[(j + 1) & 3], m[(j + 2) & 3], m[(j + 3) & 3]);
        rounds4(s0, s1, _mm_add_epi32(m[j & 3], kw(k + 4 * j)));
    }
}

/* Same, for two independent states and messages. */
INLINE void compress2(__m128i *as0, __m128i *as1, __m128i *bs0, __m128i *bs1, __m128i am[4],
                      __m128i bm[4]) {
    const uint32_t *k = blvm_sha256_k;
#pragma GCC unroll 16
    for (int j = 0; j < 16; j++) {
        if (j >= 4) {
            am[j & 3] = next_words(am[j & 3], am[(j + 1) & 3], am[(j + 2) & 3], am[(j + 3) & 3]);
            bm[j & 3] = next_words(bm[j & 3], bm[(j + 1) & 3], bm[(j + 2) & 3], bm[(j + 3) & 3]);
        }
        __m128i kj = kw(k + 4 * j);
        rounds4(as0, as1, _mm_add_epi32(am[j & 3], kj));
        rounds4(bs0, bs1, _mm_add_epi32(bm[j & 3], kj));
    }
}

void blvm_sha256_transform_shani(uint32_t s[8], const uint8_t *chunk, size_t blocks) {
    __m128i s0 = _mm_loadu_si128((const __m128i *)s);
    __m128i s1 = _mm_loadu_si128((const __m128i *)(s + 4));
    to_abef(&s0, &s1);
    while (blocks--) {
        __m128i o0 = s0, o1 = s1;
        compress(&s0, &s1, load_be(chunk), load_be(chunk + 16), load_be(chunk + 32),
                 load_be(chunk + 48));
        s0 = _mm_add_epi32(s0, o0);
        s1 = _mm_add_epi32(s1, o1);
        chunk += 64;
    }
    from_abef(&s0, &s1);
    _mm_storeu_si128((__m128i *)s, s0);
    _mm_storeu_si128((__m128i *)(s + 4), s1);
}

void blvm_sha256d64_shani_1way(uint8_t *out, const uint8_t *in) {
    __m128i s0 = kw(blvm_sha256_iv), s1 = kw(blvm_sha256_iv + 4);
    to_abef(&s0, &s1);
    const __m128i i0 = s0, i1 = s1;
    compress(&s0, &s1, load_be(in), load_be(in + 16), load_be(in + 32), load_be(in + 48));
    s0 = _mm_add_epi32(s0, i0);
    s1 = _mm_add_epi32(s1, i1);
    /* The padding block: fixed schedule (see the two-way version). */
    __m128i o0 = s0, o1 = s1;
#pragma GCC unroll 16
    for (int j = 0; j < 16; j++) rounds4(&s0, &s1, kw(blvm_sha256_pad64_kw + 4 * j));
    s0 = _mm_add_epi32(s0, o0);
    s1 = _mm_add_epi32(s1, o1);
    from_abef(&s0, &s1);
    __m128i m0 = s0, m1 = s1;
    s0 = i0;
    s1 = i1;
    compress(&s0, &s1, m0, m1, _mm_set_epi32(0, 0, 0, (int)0x80000000u),
             _mm_set_epi32(256, 0, 0, 0));
    s0 = _mm_add_epi32(s0, i0);
    s1 = _mm_add_epi32(s1, i1);
    from_abef(&s0, &s1);
    const __m128i mask = bswap_mask();
    _mm_storeu_si128((__m128i *)out, _mm_shuffle_epi8(s0, mask));
    _mm_storeu_si128((__m128i *)(out + 16), _mm_shuffle_epi8(s1, mask));
}

void blvm_sha256d64_shani_2way(uint8_t *out, const uint8_t *in) {
    const __m128i iv0 = kw(blvm_sha256_iv), iv1 = kw(blvm_sha256_iv + 4);
    __m128i a0 = iv0, a1 = iv1, b0 = iv0, b1 = iv1;
    to_abef(&a0, &a1);
    to_abef(&b0, &b1);
    const __m128i i0 = a0, i1 = a1;

    /* Block 1: the 64 input bytes. */
    __m128i am[4] = {load_be(in), load_be(in + 16), load_be(in + 32), load_be(in + 48)};
    __m128i bm[4] = {load_be(in + 64), load_be(in + 80), load_be(in + 96), load_be(in + 112)};
    compress2(&a0, &a1, &b0, &b1, am, bm);
    a0 = _mm_add_epi32(a0, i0);
    a1 = _mm_add_epi32(a1, i1);
    b0 = _mm_add_epi32(b0, i0);
    b1 = _mm_add_epi32(b1, i1);

    /* Block 2: the padding of a 64-byte message is the same every time, so
     * its schedule plus the round constants is a fixed table. */
    __m128i ao0 = a0, ao1 = a1, bo0 = b0, bo1 = b1;
    const uint32_t *pk = blvm_sha256_pad64_kw;
#pragma GCC unroll 16
    for (int j = 0; j < 16; j++) {
        __m128i w = kw(pk + 4 * j);
        rounds4(&a0, &a1, w);
        rounds4(&b0, &b1, w);
    }
    a0 = _mm_add_epi32(a0, ao0);
    a1 = _mm_add_epi32(a1, ao1);
    b0 = _mm_add_epi32(b0, bo0);
    b1 = _mm_add_epi32(b1, bo1);

    /* Block 3: SHA-256 of the 32-byte digest, padded to one block. */
    from_abef(&a0, &a1);
    from_abef(&b0, &b1);
    const __m128i pad0 = _mm_set_epi32(0, 0, 0, (int)0x80000000u);
    const __m128i pad1 = _mm_set_epi32(256, 0, 0, 0);
    __m128i am3[4] = {a0, a1, pad0, pad1};
    __m128i bm3[4] = {b0, b1, pad0, pad1};
    a0 = b0 = i0;
    a1 = b1 = i1;
    compress2(&a0, &a1, &b0, &b1, am3, bm3);
    a0 = _mm_add_epi32(a0, i0);
    a1 = _mm_add_epi32(a1, i1);
    b0 = _mm_add_epi32(b0, i0);
    b1 = _mm_add_epi32(b1, i1);
    from_abef(&a0, &a1);
    from_abef(&b0, &b1);
    const __m128i mask = bswap_mask();
    _mm_storeu_si128((__m128i *)out, _mm_shuffle_epi8(a0, mask));
    _mm_storeu_si128((__m128i *)(out + 16), _mm_shuffle_epi8(a1, mask));
    _mm_storeu_si128((__m128i *)(out + 32), _mm_shuffle_epi8(b0, mask));
    _mm_storeu_si128((__m128i *)(out + 48), _mm_shuffle_epi8(b1, mask));
}

#endif
