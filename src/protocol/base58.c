/* Base58 / Base58Check (Bitcoin Core's src/base58.cpp behaviour): the same
 * quadratic digit conversion, but working in the caller's buffer. */
#include "protocol/base58.h"

#include <string.h>

#include "crypto/hash.h"

static const char ALPHABET[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/* Value of a Base58 digit, or -1. */
static int digit_value(unsigned char c) {
    const char *p = c ? strchr(ALPHABET, c) : NULL;
    return p ? (int)(p - ALPHABET) : -1;
}

/* Core's IsSpace: the C locale's whitespace, independent of the locale. */
static bool is_space(char c) {
    return c == ' ' || c == '\f' || c == '\n' || c == '\r' || c == '\t' || c == '\v';
}

bool blvm_base58_encode(char *out, size_t out_cap, const uint8_t *data, size_t len) {
    if (out_cap == 0) return false;
    out[0] = 0;
    size_t zeroes = 0;
    while (zeroes < len && data[zeroes] == 0) zeroes++;
    /* log(256) / log(58) < 1.38: digits the rest can need at most. */
    size_t rest = len - zeroes;
    size_t size = rest * 138 / 100 + 1;
    if (out_cap < zeroes + size + 1) return false;
    /* Big-endian base-58 digits (values) in the tail of out. */
    uint8_t *b58 = (uint8_t *)out + (out_cap - size);
    memset(b58, 0, size);
    size_t length = 0;
    for (size_t k = zeroes; k < len; k++) {
        unsigned carry = data[k];
        size_t i = 0;
        for (size_t j = size; j-- > 0 && (carry != 0 || i < length); i++) {
            carry += 256u * b58[j];
            b58[j] = (uint8_t)(carry % 58);
            carry /= 58;
        }
        length = i;
    }
    /* Leading zero bytes become '1's; then the digits, skipping zero padding. */
    size_t start = size - length;
    while (start < size && b58[start] == 0) start++;
    size_t n = 0;
    for (; n < zeroes; n++) out[n] = '1';
    /* out[n..] never overtakes b58[start..]: n <= zeroes and the digits sit
     * at least zeroes + 1 bytes into out. */
    for (size_t j = start; j < size; j++) out[n++] = ALPHABET[b58[j]];
    out[n] = 0;
    return true;
}

bool blvm_base58_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *str) {
    *out_len = 0;
    while (*str && is_space(*str)) str++;
    size_t zeroes = 0;
    while (*str == '1') {
        if (++zeroes > out_cap) return false;
        str++;
    }
    /* Big-endian base-256 value, built in the tail of out; length bytes in
     * use, and length + zeroes never exceeds out_cap. */
    size_t length = 0;
    for (; *str && !is_space(*str); str++) {
        int v = digit_value((unsigned char)*str);
        if (v < 0) return false;
        unsigned carry = (unsigned)v;
        size_t i = 0;
        for (size_t j = out_cap; j-- > 0 && (carry != 0 || i < length); i++) {
            carry += 58u * (i < length ? out[j] : 0u);
            out[j] = (uint8_t)(carry & 0xff);
            carry >>= 8;
        }
        /* Out of room with carry left: the number needs more than out_cap. */
        if (carry != 0) return false;
        length = i;
        if (length + zeroes > out_cap) return false;
    }
    while (is_space(*str)) str++;
    if (*str) return false;
    /* Strip the leading zero bytes of the value (the '1's stand for them). */
    size_t start = out_cap - length;
    while (start < out_cap && out[start] == 0) start++;
    size_t digits = out_cap - start;
    if (digits) memmove(out + zeroes, out + start, digits);
    if (zeroes) memset(out, 0, zeroes);
    *out_len = zeroes + digits;
    return true;
}

bool blvm_base58check_encode(char *out, size_t out_cap, const uint8_t *data, size_t len) {
    if (out_cap) out[0] = 0;
    /* Payloads here are keys and hashes; a bound keeps the copy on the stack. */
    uint8_t buf[256];
    if (len > sizeof buf - 4) return false;
    uint8_t h[32];
    memcpy(buf, data, len);
    blvm_hash256(h, data, len);
    memcpy(buf + len, h, 4);
    return blvm_base58_encode(out, out_cap, buf, len + 4);
}

bool blvm_base58check_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *str) {
    *out_len = 0;
    uint8_t buf[256 + 4];
    size_t n;
    size_t cap = out_cap + 4 < sizeof buf ? out_cap + 4 : sizeof buf;
    if (!blvm_base58_decode(buf, cap, &n, str) || n < 4) return false;
    uint8_t h[32];
    blvm_hash256(h, buf, n - 4);
    if (memcmp(h, buf + n - 4, 4) != 0) return false;
    memcpy(out, buf, n - 4);
    *out_len = n - 4;
    return true;
}
