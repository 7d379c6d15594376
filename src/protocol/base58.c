#include "protocol/base58.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"

static const char ALPHABET[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

static int8_t digit_value(char c) {
    const char *p = c ? strchr(ALPHABET, c) : NULL;
    return p ? (int8_t)(p - ALPHABET) : -1;
}

static bool is_space(char c) {
    return c == ' ' || c == '\f' || c == '\n' || c == '\r' || c == '\t' || c == '\v';
}

char *blvm_base58_encode(const uint8_t *data, size_t len) {
    size_t zeroes = 0;
    while (zeroes < len && data[zeroes] == 0) zeroes++;
    /* log(256) / log(58), rounded up */
    size_t size = (len - zeroes) * 138 / 100 + 1;
    uint8_t *b58 = calloc(size, 1);
    char *out = malloc(zeroes + size + 1);
    if (!b58 || !out) {
        free(b58);
        free(out);
        return NULL;
    }
    size_t length = 0;
    for (size_t i = zeroes; i < len; i++) {
        unsigned carry = data[i];
        size_t j = 0;
        for (size_t k = size; k-- > 0 && (carry != 0 || j < length); j++) {
            carry += 256u * b58[k];
            b58[k] = (uint8_t)(carry % 58);
            carry /= 58;
        }
        length = j;
    }
    size_t it = size - length;
    while (it < size && b58[it] == 0) it++;
    size_t n = 0;
    for (size_t i = 0; i < zeroes; i++) out[n++] = '1';
    while (it < size) out[n++] = ALPHABET[b58[it++]];
    out[n] = '\0';
    free(b58);
    return out;
}

char *blvm_base58check_encode(const uint8_t *data, size_t len) {
    uint8_t *buf = malloc(len + 4);
    if (!buf) return NULL;
    uint8_t h[32];
    blvm_hash256(h, data, len);
    if (len) memcpy(buf, data, len);
    memcpy(buf + len, h, 4);
    char *s = blvm_base58_encode(buf, len + 4);
    free(buf);
    return s;
}

bool blvm_base58_decode(const char *str, uint8_t *out, size_t max_len, size_t *out_len) {
    while (is_space(*str)) str++;
    size_t zeroes = 0;
    while (*str == '1') {
        zeroes++;
        if (zeroes > max_len) return false;
        str++;
    }
    size_t digits = 0;
    while (str[digits] && !is_space(str[digits])) digits++;
    const char *tail = str + digits;
    while (is_space(*tail)) tail++;
    if (*tail) return false;
    /* log(58) / log(256), rounded up. Bounded by the input length, which the
     * callers bound (addresses and keys are short). */
    size_t size = digits * 733 / 1000 + 1;
    if (size > 4096) return false;
    uint8_t b256[4096];
    memset(b256, 0, size);
    size_t length = 0;
    for (size_t i = 0; i < digits; i++) {
        int8_t d = digit_value(str[i]);
        if (d < 0) return false;
        unsigned carry = (unsigned)d;
        size_t j = 0;
        for (size_t k = size; k-- > 0 && (carry != 0 || j < length); j++) {
            carry += 58u * b256[k];
            b256[k] = (uint8_t)(carry % 256);
            carry /= 256;
        }
        length = j;
        if (length + zeroes > max_len) return false;
    }
    size_t it = size - length;
    if (zeroes + (size - it) > max_len) return false;
    memset(out, 0, zeroes);
    memcpy(out + zeroes, b256 + it, size - it);
    *out_len = zeroes + (size - it);
    return true;
}

bool blvm_base58check_decode(const char *str, uint8_t *out, size_t max_len, size_t *out_len) {
    uint8_t buf[4096];
    size_t n;
    size_t cap = max_len > sizeof buf - 4 ? sizeof buf : max_len + 4;
    if (!blvm_base58_decode(str, buf, cap, &n) || n < 4) return false;
    uint8_t h[32];
    blvm_hash256(h, buf, n - 4);
    if (memcmp(h, buf + n - 4, 4) != 0) return false;
    memcpy(out, buf, n - 4);
    *out_len = n - 4;
    return true;
}
