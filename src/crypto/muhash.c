/* MuHash3072: arithmetic modulo p = 2^3072 - 1103717 and the multiset hash
 * built on it, matching Bitcoin Core's src/crypto/muhash.cpp byte for byte. */
#include "crypto/muhash.h"

#include <string.h>

#include "crypto/chacha20.h"
#include "crypto/sha256.h"
#include "util/common.h"

#define N BLVM_NUM3072_LIMBS
/* 2^3072 = MAX_PRIME_DIFF (mod p). */
#define PRIME_DIFF 1103717u

typedef unsigned __int128 u128;

void blvm_num3072_set_one(blvm_num3072 *a) {
    memset(a->limbs, 0, sizeof a->limbs);
    a->limbs[0] = 1;
}

void blvm_num3072_from_bytes(blvm_num3072 *a, const uint8_t in[BLVM_NUM3072_BYTES]) {
    for (int i = 0; i < N; i++) a->limbs[i] = blvm_read_le64(in + 8 * i);
}

void blvm_num3072_to_bytes(const blvm_num3072 *a, uint8_t out[BLVM_NUM3072_BYTES]) {
    for (int i = 0; i < N; i++) blvm_write_le64(out + 8 * i, a->limbs[i]);
}

/* a + add (add small), modulo 2^3072; returns the carry out (0 or 1). */
static uint64_t add_small(uint64_t a[N], uint64_t add) {
    for (int i = 0; i < N && add; i++) {
        uint64_t s = a[i] + add;
        add = s < add;
        a[i] = s;
    }
    return add;
}

/* Brings a value below 2^3072 into [0, p): a >= p exactly when a + PRIME_DIFF
 * carries out of 3072 bits, and then a - p is that sum without the carry. */
static void full_reduce(uint64_t a[N]) {
    uint64_t t[N];
    memcpy(t, a, sizeof t);
    if (add_small(t, PRIME_DIFF)) memcpy(a, t, sizeof t);
}

/* r = t mod p for a 6144-bit t, folding the high half with 2^3072 = C. */
static void reduce_wide(uint64_t r[N], const uint64_t t[2 * N]) {
    u128 acc = 0;
    for (int i = 0; i < N; i++) {
        acc += (u128)t[N + i] * PRIME_DIFF + t[i];
        r[i] = (uint64_t)acc;
        acc >>= 64;
    }
    /* What is left (below 2^22) stands for acc * 2^3072 = acc * C; folding
     * it can carry out once more, after which the value is tiny. */
    if (add_small(r, (uint64_t)acc * PRIME_DIFF)) add_small(r, PRIME_DIFF);
    full_reduce(r);
}

static void mul_wide(uint64_t t[2 * N], const uint64_t a[N], const uint64_t b[N]) {
    memset(t, 0, 2 * N * sizeof t[0]);
    for (int i = 0; i < N; i++) {
        u128 carry = 0;
        uint64_t ai = a[i];
        for (int j = 0; j < N; j++) {
            carry += (u128)ai * b[j] + t[i + j];
            t[i + j] = (uint64_t)carry;
            carry >>= 64;
        }
        t[i + N] = (uint64_t)carry;
    }
}

/* Squaring: each cross product once, doubled, plus the squares. */
static void sqr_wide(uint64_t t[2 * N], const uint64_t a[N]) {
    memset(t, 0, 2 * N * sizeof t[0]);
    for (int i = 0; i < N - 1; i++) {
        u128 carry = 0;
        uint64_t ai = a[i];
        for (int j = i + 1; j < N; j++) {
            carry += (u128)ai * a[j] + t[i + j];
            t[i + j] = (uint64_t)carry;
            carry >>= 64;
        }
        t[i + N] = (uint64_t)carry;
    }
    uint64_t top = 0;
    for (int i = 0; i < 2 * N; i++) {
        uint64_t v = t[i];
        t[i] = (v << 1) | top;
        top = v >> 63;
    }
    u128 carry = 0;
    for (int i = 0; i < N; i++) {
        carry += (u128)a[i] * a[i] + t[2 * i];
        t[2 * i] = (uint64_t)carry;
        carry >>= 64;
        carry += t[2 * i + 1];
        t[2 * i + 1] = (uint64_t)carry;
        carry >>= 64;
    }
}

void blvm_num3072_mul(blvm_num3072 *r, const blvm_num3072 *a, const blvm_num3072 *b) {
    uint64_t t[2 * N];
    if (a == b)
        sqr_wide(t, a->limbs);
    else
        mul_wide(t, a->limbs, b->limbs);
    reduce_wide(r->limbs, t);
}

static void sqr(blvm_num3072 *r, const blvm_num3072 *a) {
    uint64_t t[2 * N];
    sqr_wide(t, a->limbs);
    reduce_wide(r->limbs, t);
}

/* a^(p-2) = a^-1 by Fermat (p is prime), 4-bit fixed windows: 3072
 * squarings and at most 768 multiplications. Running time does not depend
 * on a (no secret here, but no reason to differ either). */
void blvm_num3072_inverse(blvm_num3072 *r, const blvm_num3072 *a) {
    blvm_num3072 table[16], x;
    blvm_num3072_set_one(&table[0]);
    table[1] = *a;
    full_reduce(table[1].limbs);
    for (int i = 2; i < 16; i++) blvm_num3072_mul(&table[i], &table[i - 1], &table[1]);
    /* p - 2 = 2^3072 - 1103719: all ones except the low limb. */
    uint64_t e[N];
    for (int i = 0; i < N; i++) e[i] = ~(uint64_t)0;
    e[0] = (uint64_t)0 - (PRIME_DIFF + 2);
    blvm_num3072_set_one(&x);
    for (int bit = 3072 - 4; bit >= 0; bit -= 4) {
        if (bit != 3072 - 4) {
            sqr(&x, &x);
            sqr(&x, &x);
            sqr(&x, &x);
            sqr(&x, &x);
        }
        unsigned w = (unsigned)(e[bit / 64] >> (bit % 64)) & 15;
        blvm_num3072_mul(&x, &x, &table[w]);
    }
    *r = x;
}

/* ---- variable-time inverse ---------------------------------------------- */

/* p's limbs: all ones except the low one. */
static inline uint64_t p_limb(int i) { return i ? ~(uint64_t)0 : (uint64_t)0 - PRIME_DIFF; }

static bool is_one(const uint64_t a[N], int len) {
    if (a[0] != 1) return false;
    for (int i = 1; i < len; i++)
        if (a[i]) return false;
    return true;
}

/* a >= b over the first len limbs. */
static bool geq(const uint64_t a[N], const uint64_t b[N], int len) {
    for (int i = len - 1; i >= 0; i--)
        if (a[i] != b[i]) return a[i] > b[i];
    return true;
}

/* a -= b over len limbs (a >= b). */
static void sub_len(uint64_t a[N], const uint64_t b[N], int len) {
    uint64_t borrow = 0;
    for (int i = 0; i < len; i++) {
        uint64_t bi = b[i] + borrow;
        uint64_t nb = (bi < borrow) | (a[i] < bi);
        a[i] -= bi;
        borrow = nb;
    }
}

/* a >>= k (k < 64) over len limbs. */
static void shr_len(uint64_t a[N], int len, int k) {
    for (int i = 0; i < len - 1; i++) a[i] = (a[i] >> k) | (a[i + 1] << (64 - k));
    a[len - 1] >>= k;
}

/* x = x / 2^k mod p for x in [0, p), 0 < k < 64: add the multiple m*p (m
 * below 2^k) that clears the low k bits, then shift; the result stays below
 * p since x + m*p < 2^k * p. p = -C mod 2^64, so m = x * C^-1 mod 2^k, with
 * C^-1 computed once by Newton iteration. */
static void halve_k_mod(uint64_t x[N], int k, uint64_t cinv) {
    uint64_t mask = ((uint64_t)1 << k) - 1;
    uint64_t m = (x[0] * cinv) & mask;
    /* x + m*p = x + m*2^3072 - m*C: a value below 2^(3072+k). */
    u128 acc = (u128)x[0] + (u128)m * p_limb(0);
    x[0] = (uint64_t)acc;
    acc >>= 64;
    for (int i = 1; i < N; i++) {
        acc += (u128)x[i] + (u128)m * p_limb(i);
        x[i] = (uint64_t)acc;
        acc >>= 64;
    }
    uint64_t top = (uint64_t)acc;
    for (int i = 0; i < N - 1; i++) x[i] = (x[i] >> k) | (x[i + 1] << (64 - k));
    x[N - 1] = (x[N - 1] >> k) | (top << (64 - k));
}

/* x = (x - y) mod p for x, y in [0, p). */
static void sub_mod(uint64_t x[N], const uint64_t y[N]) {
    uint64_t borrow = 0;
    for (int i = 0; i < N; i++) {
        uint64_t yi = y[i] + borrow;
        uint64_t nb = (yi < borrow) | (x[i] < yi);
        x[i] -= yi;
        borrow = nb;
    }
    if (borrow) {
        /* Wrapped below zero: add p, i.e. subtract C modulo 2^3072. */
        uint64_t b = PRIME_DIFF;
        for (int i = 0; i < N && b; i++) {
            uint64_t nb = x[i] < b;
            x[i] -= b;
            b = nb;
        }
    }
}

/* Binary extended Euclid (variable time: a is public here). Invariants:
 * x1 * a = u and x2 * a = v (mod p); u and v only shrink. */
void blvm_num3072_inverse_var(blvm_num3072 *r, const blvm_num3072 *a) {
    uint64_t u[N], v[N], x1[N], x2[N];
    memcpy(u, a->limbs, sizeof u);
    full_reduce(u);
    int len = N;
    while (len > 0 && u[len - 1] == 0) len--;
    if (len == 0) {
        memset(r->limbs, 0, sizeof r->limbs);
        return;
    }
    /* C^-1 mod 2^64 (C is odd): each Newton step doubles the good bits. */
    uint64_t cinv = PRIME_DIFF;
    for (int i = 0; i < 6; i++) cinv *= 2 - (uint64_t)PRIME_DIFF * cinv;
    for (int i = 0; i < N; i++) v[i] = p_limb(i);
    memset(x1, 0, sizeof x1);
    memset(x2, 0, sizeof x2);
    x1[0] = 1;
    len = N;
    for (;;) {
        /* Strip factors of two, at most 63 at a time. */
        while (!(u[0] & 1)) {
            int k = u[0] ? __builtin_ctzll(u[0]) : 63;
            shr_len(u, len, k);
            halve_k_mod(x1, k, cinv);
        }
        while (!(v[0] & 1)) {
            int k = v[0] ? __builtin_ctzll(v[0]) : 63;
            shr_len(v, len, k);
            halve_k_mod(x2, k, cinv);
        }
        if (is_one(u, len)) {
            memcpy(r->limbs, x1, sizeof x1);
            return;
        }
        if (is_one(v, len)) {
            memcpy(r->limbs, x2, sizeof x2);
            return;
        }
        if (geq(u, v, len)) {
            sub_len(u, v, len);
            sub_mod(x1, x2);
        } else {
            sub_len(v, u, len);
            sub_mod(x2, x1);
        }
        while (len > 1 && u[len - 1] == 0 && v[len - 1] == 0) len--;
    }
}

/* ---- the multiset hash --------------------------------------------------- */

/* Core's ToNum3072: ChaCha20 keystream keyed by SHA-256 of the element. */
static void element_to_num(blvm_num3072 *out, const uint8_t *data, size_t len) {
    uint8_t key[32], bytes[BLVM_NUM3072_BYTES];
    blvm_chacha20_ctx c;
    blvm_sha256(key, data, len);
    blvm_chacha20_init(&c, key);
    blvm_chacha20_keystream(&c, bytes, sizeof bytes);
    blvm_num3072_from_bytes(out, bytes);
    /* Reduced so that every stored value is canonical; a keystream at or
     * above p (chance 2^-3050) gives the same set either way. */
    full_reduce(out->limbs);
}

void blvm_muhash_init(blvm_muhash *m) {
    blvm_num3072_set_one(&m->numerator);
    blvm_num3072_set_one(&m->denominator);
}

void blvm_muhash_init_element(blvm_muhash *m, const uint8_t *data, size_t len) {
    element_to_num(&m->numerator, data, len);
    blvm_num3072_set_one(&m->denominator);
}

void blvm_muhash_insert(blvm_muhash *m, const uint8_t *data, size_t len) {
    blvm_num3072 x;
    element_to_num(&x, data, len);
    blvm_num3072_mul(&m->numerator, &m->numerator, &x);
}

void blvm_muhash_remove(blvm_muhash *m, const uint8_t *data, size_t len) {
    blvm_num3072 x;
    element_to_num(&x, data, len);
    blvm_num3072_mul(&m->denominator, &m->denominator, &x);
}

void blvm_muhash_combine(blvm_muhash *m, const blvm_muhash *other) {
    blvm_muhash o = *other; /* other may be m */
    blvm_num3072_mul(&m->numerator, &m->numerator, &o.numerator);
    blvm_num3072_mul(&m->denominator, &m->denominator, &o.denominator);
}

void blvm_muhash_divide(blvm_muhash *m, const blvm_muhash *other) {
    blvm_muhash o = *other;
    blvm_num3072_mul(&m->numerator, &m->numerator, &o.denominator);
    blvm_num3072_mul(&m->denominator, &m->denominator, &o.numerator);
}

void blvm_muhash_finalize(blvm_muhash *m, uint8_t out[32]) {
    blvm_num3072 inv;
    uint8_t bytes[BLVM_NUM3072_BYTES];
    blvm_num3072_inverse_var(&inv, &m->denominator);
    blvm_num3072_mul(&m->numerator, &m->numerator, &inv);
    blvm_num3072_set_one(&m->denominator);
    blvm_num3072_to_bytes(&m->numerator, bytes);
    blvm_sha256(out, bytes, sizeof bytes);
}

void blvm_muhash_serialize(const blvm_muhash *m, uint8_t out[BLVM_MUHASH_SERIALIZED_SIZE]) {
    blvm_num3072_to_bytes(&m->numerator, out);
    blvm_num3072_to_bytes(&m->denominator, out + BLVM_NUM3072_BYTES);
}

void blvm_muhash_deserialize(blvm_muhash *m, const uint8_t in[BLVM_MUHASH_SERIALIZED_SIZE]) {
    blvm_num3072_from_bytes(&m->numerator, in);
    blvm_num3072_from_bytes(&m->denominator, in + BLVM_NUM3072_BYTES);
}
