#ifndef BLVM_CRYPTO_SHA256_MULTIWAY_H
#define BLVM_CRYPTO_SHA256_MULTIWAY_H

/* Body of the N-way double SHA-256 of 64-byte inputs, one input per vector
 * lane, shared by the SSE4.1 (4 lanes) and AVX2 (8 lanes) files. Each lane
 * runs the plain FIPS 180-4 rounds; the second block (the fixed padding of a
 * 64-byte message) uses the precomputed K+W table.
 *
 * The including file defines, before including this header:
 *   V              the vector type of 32-bit lanes
 *   V_LANES        number of lanes
 *   V_ADD, V_XOR, V_OR, V_AND, V_SHR, V_SHL, V_SET1
 *   V_LOAD(in, w)  lane i = big-endian word w of input i (in + 64*i)
 *   V_STORE(out, w, v)  word w of output i (out + 32*i) = lane i, big-endian
 *   MW_FN          name of the function to define
 * This header is internal to src/crypto. */

#include "crypto/sha256_consts.h"

#define MW_INLINE static inline __attribute__((always_inline))

MW_INLINE V mw_ror(V x, int n) { return V_OR(V_SHR(x, n), V_SHL(x, 32 - n)); }
MW_INLINE V mw_ch(V x, V y, V z) { return V_XOR(z, V_AND(x, V_XOR(y, z))); }
MW_INLINE V mw_maj(V x, V y, V z) { return V_OR(V_AND(x, y), V_AND(z, V_OR(x, y))); }
MW_INLINE V mw_big0(V x) { return V_XOR(V_XOR(mw_ror(x, 2), mw_ror(x, 13)), mw_ror(x, 22)); }
MW_INLINE V mw_big1(V x) { return V_XOR(V_XOR(mw_ror(x, 6), mw_ror(x, 11)), mw_ror(x, 25)); }
MW_INLINE V mw_sig0(V x) { return V_XOR(V_XOR(mw_ror(x, 7), mw_ror(x, 18)), V_SHR(x, 3)); }
MW_INLINE V mw_sig1(V x) { return V_XOR(V_XOR(mw_ror(x, 17), mw_ror(x, 19)), V_SHR(x, 10)); }

/* Round i of 64 over the rotating state st[]: a is st[-i & 7], b the next... */
MW_INLINE void mw_round(V st[8], int i, V kw) {
    V a = st[(0 - i) & 7], b = st[(1 - i) & 7], c = st[(2 - i) & 7];
    V e = st[(4 - i) & 7], f = st[(5 - i) & 7], g = st[(6 - i) & 7];
    V t1 = V_ADD(V_ADD(st[(7 - i) & 7], mw_big1(e)), V_ADD(mw_ch(e, f, g), kw));
    V t2 = V_ADD(mw_big0(a), mw_maj(a, b, c));
    st[(3 - i) & 7] = V_ADD(st[(3 - i) & 7], t1);
    st[(7 - i) & 7] = V_ADD(t1, t2);
}

/* 64 rounds expanding the schedule in w[] in place. */
MW_INLINE void mw_compress(V st[8], V w[16]) {
#pragma GCC unroll 64
    for (int i = 0; i < 64; i++) {
        if (i >= 16) {
            w[i & 15] = V_ADD(V_ADD(w[i & 15], mw_sig1(w[(i - 2) & 15])),
                              V_ADD(w[(i - 7) & 15], mw_sig0(w[(i - 15) & 15])));
        }
        mw_round(st, i, V_ADD(V_SET1(blvm_sha256_k[i]), w[i & 15]));
    }
}

void MW_FN(uint8_t *out, const uint8_t *in) {
    V st[8], w[16], mid[8];
    for (int i = 0; i < 8; i++) st[i] = V_SET1(blvm_sha256_iv[i]);
    for (int i = 0; i < 16; i++) w[i] = V_LOAD(in, i);
    mw_compress(st, w);
    for (int i = 0; i < 8; i++) mid[i] = st[i] = V_ADD(st[i], V_SET1(blvm_sha256_iv[i]));

#pragma GCC unroll 64
    for (int i = 0; i < 64; i++) mw_round(st, i, V_SET1(blvm_sha256_pad64_kw[i]));

    /* Second hash: the digest words, then the padding of a 32-byte message. */
    for (int i = 0; i < 8; i++) w[i] = V_ADD(st[i], mid[i]);
    w[8] = V_SET1(0x80000000u);
    for (int i = 9; i < 15; i++) w[i] = V_SET1(0);
    w[15] = V_SET1(256);
    for (int i = 0; i < 8; i++) st[i] = V_SET1(blvm_sha256_iv[i]);
    mw_compress(st, w);
    for (int i = 0; i < 8; i++) V_STORE(out, i, V_ADD(st[i], V_SET1(blvm_sha256_iv[i])));
}

#endif
