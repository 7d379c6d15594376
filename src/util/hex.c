#include "util/hex.h"

#include <stdlib.h>
#include <string.h>

static const char digits[] = "0123456789abcdef";

void blvm_hex_encode(char *out, const uint8_t *data, size_t len) {
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 15];
    }
    out[2 * len] = '\0';
}

void blvm_hex_encode_reversed(char *out, const uint8_t *data, size_t len) {
    for (size_t i = 0; i < len; i++) {
        uint8_t b = data[len - 1 - i];
        out[2 * i] = digits[b >> 4];
        out[2 * i + 1] = digits[b & 15];
    }
    out[2 * len] = '\0';
}

char *blvm_hex_alloc(const uint8_t *data, size_t len) {
    if (len > (SIZE_MAX - 1) / 2) return NULL;
    char *s = malloc(2 * len + 1);
    if (s) blvm_hex_encode(s, data, len);
    return s;
}

int blvm_hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool blvm_hex_is_valid(const char *s, size_t n) {
    if (n == 0 || n % 2 || strlen(s) != n) return false;
    for (size_t i = 0; i < n; i++)
        if (blvm_hex_digit(s[i]) < 0) return false;
    return true;
}

bool blvm_hex_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *hex) {
    size_t n = strlen(hex);
    if (n % 2 != 0 || n / 2 > out_cap) return false;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = blvm_hex_digit(hex[2 * i]), lo = blvm_hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    if (out_len) *out_len = n / 2;
    return true;
}

uint8_t *blvm_hex_decode_alloc(const char *hex, size_t *out_len) {
    size_t n = strlen(hex) / 2;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) return NULL;
    if (!blvm_hex_decode(buf, n, out_len, hex)) {
        free(buf);
        return NULL;
    }
    return buf;
}

bool blvm_hex_decode_hash(uint8_t out[32], const char *hex) {
    uint8_t tmp[32];
    size_t n;
    if (strlen(hex) != 64 || !blvm_hex_decode(tmp, 32, &n, hex)) return false;
    for (int i = 0; i < 32; i++) out[i] = tmp[31 - i];
    return true;
}
