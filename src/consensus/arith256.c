/* 256-bit unsigned arithmetic, following Bitcoin Core's arith_uint256 so that
 * targets, compact encodings and chain work come out bit for bit the same. */
#include "consensus/arith256.h"

#include <string.h>

#include "util/hex.h"

#define LIMBS 8

void blvm_u256_set_zero(blvm_u256 *a) {
    memset(a->pn, 0, sizeof a->pn);
}

void blvm_u256_set_u64(blvm_u256 *a, uint64_t v) {
    blvm_u256_set_zero(a);
    a->pn[0] = (uint32_t)v;
    a->pn[1] = (uint32_t)(v >> 32);
}

void blvm_u256_from_le(blvm_u256 *a, const uint8_t in[32]) {
    for (int i = 0; i < LIMBS; i++)
        a->pn[i] = blvm_read_le32(in + 4 * i);
}

void blvm_u256_to_le(const blvm_u256 *a, uint8_t out[32]) {
    for (int i = 0; i < LIMBS; i++)
        blvm_write_le32(out + 4 * i, a->pn[i]);
}

bool blvm_u256_from_hex(blvm_u256 *a, const char *hex) {
    blvm_u256_set_zero(a);
    if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) hex += 2;
    size_t n = strlen(hex);
    if (n == 0 || n > 64) return false;
    blvm_u256 r;
    blvm_u256_set_zero(&r);
    for (size_t i = 0; i < n; i++) {
        int d = blvm_hex_digit(hex[i]);
        if (d < 0) return false;
        size_t nibble = n - 1 - i; /* position from the least significant end */
        r.pn[nibble / 8] |= (uint32_t)d << (4 * (nibble % 8));
    }
    *a = r;
    return true;
}

void blvm_u256_to_hex(const blvm_u256 *a, char out[65]) {
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 64; i++) {
        int nibble = 63 - i;
        out[i] = digits[(a->pn[nibble / 8] >> (4 * (nibble % 8))) & 0xf];
    }
    out[64] = '\0';
}

int blvm_u256_cmp(const blvm_u256 *a, const blvm_u256 *b) {
    for (int i = LIMBS - 1; i >= 0; i--) {
        if (a->pn[i] < b->pn[i]) return -1;
        if (a->pn[i] > b->pn[i]) return 1;
    }
    return 0;
}

bool blvm_u256_is_zero(const blvm_u256 *a) {
    for (int i = 0; i < LIMBS; i++)
        if (a->pn[i]) return false;
    return true;
}

unsigned blvm_u256_bits(const blvm_u256 *a) {
    for (int pos = LIMBS - 1; pos >= 0; pos--) {
        if (a->pn[pos]) {
            for (int nbits = 31; nbits > 0; nbits--) {
                if (a->pn[pos] & (1u << nbits)) return 32u * (unsigned)pos + (unsigned)nbits + 1;
            }
            return 32u * (unsigned)pos + 1;
        }
    }
    return 0;
}

uint64_t blvm_u256_low64(const blvm_u256 *a) {
    return (uint64_t)a->pn[0] | ((uint64_t)a->pn[1] << 32);
}

double blvm_u256_to_double(const blvm_u256 *a) {
    double ret = 0.0, fact = 1.0;
    for (int i = 0; i < LIMBS; i++) {
        ret += fact * a->pn[i];
        fact *= 4294967296.0;
    }
    return ret;
}

void blvm_u256_not(blvm_u256 *r, const blvm_u256 *a) {
    for (int i = 0; i < LIMBS; i++)
        r->pn[i] = ~a->pn[i];
}

void blvm_u256_add(blvm_u256 *r, const blvm_u256 *a, const blvm_u256 *b) {
    uint64_t carry = 0;
    for (int i = 0; i < LIMBS; i++) {
        uint64_t n = carry + a->pn[i] + b->pn[i];
        r->pn[i] = (uint32_t)n;
        carry = n >> 32;
    }
}

void blvm_u256_sub(blvm_u256 *r, const blvm_u256 *a, const blvm_u256 *b) {
    uint64_t borrow = 0;
    for (int i = 0; i < LIMBS; i++) {
        uint64_t n = (uint64_t)a->pn[i] - b->pn[i] - borrow;
        r->pn[i] = (uint32_t)n;
        borrow = (n >> 32) & 1;
    }
}

void blvm_u256_shl(blvm_u256 *r, const blvm_u256 *a, unsigned shift) {
    blvm_u256 in = *a, out;
    blvm_u256_set_zero(&out);
    unsigned k = shift / 32, s = shift % 32;
    for (unsigned i = 0; i < LIMBS; i++) {
        if (i + k + 1 < LIMBS && s != 0) out.pn[i + k + 1] |= in.pn[i] >> (32 - s);
        if (i + k < LIMBS) out.pn[i + k] |= in.pn[i] << s;
    }
    *r = out;
}

void blvm_u256_shr(blvm_u256 *r, const blvm_u256 *a, unsigned shift) {
    blvm_u256 in = *a, out;
    blvm_u256_set_zero(&out);
    unsigned k = shift / 32, s = shift % 32;
    for (unsigned i = 0; i < LIMBS; i++) {
        if (i >= k + 1 && s != 0) out.pn[i - k - 1] |= in.pn[i] << (32 - s);
        if (i >= k) out.pn[i - k] |= in.pn[i] >> s;
    }
    *r = out;
}

void blvm_u256_mul_u32(blvm_u256 *r, const blvm_u256 *a, uint32_t m) {
    uint64_t carry = 0;
    for (int i = 0; i < LIMBS; i++) {
        uint64_t n = carry + (uint64_t)m * a->pn[i];
        r->pn[i] = (uint32_t)n;
        carry = n >> 32;
    }
}

void blvm_u256_mul(blvm_u256 *r, const blvm_u256 *a, const blvm_u256 *b) {
    blvm_u256 out;
    blvm_u256_set_zero(&out);
    for (int j = 0; j < LIMBS; j++) {
        uint64_t carry = 0;
        for (int i = 0; i + j < LIMBS; i++) {
            uint64_t n = carry + out.pn[i + j] + (uint64_t)a->pn[j] * b->pn[i];
            out.pn[i + j] = (uint32_t)n;
            carry = n >> 32;
        }
    }
    *r = out;
}

void blvm_u256_mul_u64(blvm_u256 *r, const blvm_u256 *a, uint64_t m) {
    blvm_u256 b;
    blvm_u256_set_u64(&b, m);
    blvm_u256_mul(r, a, &b);
}

bool blvm_u256_div(blvm_u256 *r, const blvm_u256 *a, const blvm_u256 *b) {
    blvm_u256 div = *b, num = *a, q;
    blvm_u256_set_zero(&q);
    unsigned num_bits = blvm_u256_bits(&num), div_bits = blvm_u256_bits(&div);
    if (div_bits == 0) return false;
    if (div_bits <= num_bits) {
        int shift = (int)(num_bits - div_bits);
        blvm_u256_shl(&div, &div, (unsigned)shift);
        while (shift >= 0) {
            if (blvm_u256_cmp(&num, &div) >= 0) {
                blvm_u256_sub(&num, &num, &div);
                q.pn[shift / 32] |= 1u << (shift & 31);
            }
            blvm_u256_shr(&div, &div, 1);
            shift--;
        }
    }
    *r = q;
    return true;
}

bool blvm_u256_div_u64(blvm_u256 *r, const blvm_u256 *a, uint64_t d) {
    blvm_u256 b;
    blvm_u256_set_u64(&b, d);
    return blvm_u256_div(r, a, &b);
}

void blvm_u256_set_compact(blvm_u256 *a, uint32_t compact, bool *negative, bool *overflow) {
    unsigned size = compact >> 24;
    uint32_t word = compact & 0x007fffff;
    if (size <= 3) {
        word >>= 8 * (3 - size);
        blvm_u256_set_u64(a, word);
    } else {
        blvm_u256_set_u64(a, word);
        blvm_u256_shl(a, a, 8 * (size - 3));
    }
    if (negative) *negative = word != 0 && (compact & 0x00800000) != 0;
    if (overflow)
        *overflow = word != 0 &&
                    ((size > 34) || (word > 0xff && size > 33) || (word > 0xffff && size > 32));
}

uint32_t blvm_u256_get_compact(const blvm_u256 *a, bool negative) {
    unsigned size = (blvm_u256_bits(a) + 7) / 8;
    uint32_t compact;
    if (size <= 3) {
        compact = (uint32_t)(blvm_u256_low64(a) << (8 * (3 - size)));
    } else {
        blvm_u256 bn;
        blvm_u256_shr(&bn, a, 8 * (size - 3));
        compact = (uint32_t)blvm_u256_low64(&bn);
    }
    /* 0x00800000 is the sign bit: if the mantissa would set it, move one byte
     * into the exponent instead. */
    if (compact & 0x00800000) {
        compact >>= 8;
        size++;
    }
    compact |= (uint32_t)size << 24;
    if (negative && (compact & 0x007fffff)) compact |= 0x00800000;
    return compact;
}
