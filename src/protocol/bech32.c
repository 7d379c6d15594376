#include "protocol/bech32.h"

#include <string.h>

static const char CHARSET[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static int8_t charset_rev(char c) {
    const char *p = strchr(CHARSET, c);
    return (c && p) ? (int8_t)(p - CHARSET) : -1;
}

static uint32_t polymod(const uint8_t *v, size_t n) {
    uint32_t c = 1;
    for (size_t i = 0; i < n; i++) {
        uint8_t c0 = (uint8_t)(c >> 25);
        c = ((c & 0x1ffffff) << 5) ^ v[i];
        if (c0 & 1) c ^= 0x3b6a57b2;
        if (c0 & 2) c ^= 0x26508e6d;
        if (c0 & 4) c ^= 0x1ea119fa;
        if (c0 & 8) c ^= 0x3d4233dd;
        if (c0 & 16) c ^= 0x2a1462b3;
    }
    return c;
}

static uint32_t encoding_constant(blvm_bech32_encoding enc) {
    return enc == BLVM_BECH32M ? 0x2bc830a3u : 1u;
}

/* hrp expanded (high bits, 0, low bits) followed by values. */
static size_t expand(uint8_t *buf, const char *hrp, const uint8_t *values, size_t n) {
    size_t h = strlen(hrp), k = 0;
    for (size_t i = 0; i < h; i++) buf[k++] = (uint8_t)((unsigned char)hrp[i] >> 5);
    buf[k++] = 0;
    for (size_t i = 0; i < h; i++) buf[k++] = (uint8_t)(hrp[i] & 31);
    memcpy(buf + k, values, n);
    return k + n;
}

bool blvm_bech32_encode(char *out, size_t out_cap, blvm_bech32_encoding enc, const char *hrp,
                        const uint8_t *values, size_t n) {
    size_t h = strlen(hrp);
    if (h + 1 + n + 6 + 1 > out_cap || h > BLVM_BECH32_MAX_LEN || n > BLVM_BECH32_MAX_LEN)
        return false;
    uint8_t buf[2 * BLVM_BECH32_MAX_LEN + 1 + BLVM_BECH32_MAX_LEN + 6];
    size_t k = expand(buf, hrp, values, n);
    memset(buf + k, 0, 6);
    uint32_t mod = polymod(buf, k + 6) ^ encoding_constant(enc);
    memcpy(out, hrp, h);
    out[h] = '1';
    for (size_t i = 0; i < n; i++) out[h + 1 + i] = CHARSET[values[i] & 31];
    for (size_t i = 0; i < 6; i++) out[h + 1 + n + i] = CHARSET[(mod >> (5 * (5 - i))) & 31];
    out[h + 1 + n + 6] = '\0';
    return true;
}

blvm_bech32_encoding blvm_bech32_decode(const char *str, char *hrp, uint8_t *values,
                                        size_t *n_values, const char **error) {
    const char *dummy;
    if (!error) error = &dummy;
    size_t len = strlen(str);
    if (len > BLVM_BECH32_MAX_LEN) {
        *error = "Bech32 string too long";
        return BLVM_BECH32_INVALID;
    }
    bool lower = false, upper = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)str[i];
        if (c < 33 || c > 126) {
            *error = "Invalid character or mixed case";
            return BLVM_BECH32_INVALID;
        }
        if (c >= 'a' && c <= 'z') lower = true;
        if (c >= 'A' && c <= 'Z') upper = true;
    }
    if (lower && upper) {
        *error = "Invalid character or mixed case";
        return BLVM_BECH32_INVALID;
    }
    const char *sep = strrchr(str, '1');
    if (!sep) {
        *error = "Missing separator";
        return BLVM_BECH32_INVALID;
    }
    size_t pos = (size_t)(sep - str);
    if (pos == 0 || pos + 6 >= len) {
        *error = "Invalid separator position";
        return BLVM_BECH32_INVALID;
    }
    for (size_t i = 0; i < pos; i++) {
        char c = str[i];
        hrp[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    hrp[pos] = '\0';
    size_t n = len - pos - 1;
    uint8_t vals[BLVM_BECH32_MAX_LEN];
    for (size_t i = 0; i < n; i++) {
        char c = str[pos + 1 + i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        int8_t v = charset_rev(c);
        if (v < 0) {
            *error = "Invalid Base 32 character";
            return BLVM_BECH32_INVALID;
        }
        vals[i] = (uint8_t)v;
    }
    uint8_t buf[2 * BLVM_BECH32_MAX_LEN + 1 + BLVM_BECH32_MAX_LEN];
    size_t k = expand(buf, hrp, vals, n);
    uint32_t check = polymod(buf, k);
    blvm_bech32_encoding enc = check == encoding_constant(BLVM_BECH32)    ? BLVM_BECH32
                               : check == encoding_constant(BLVM_BECH32M) ? BLVM_BECH32M
                                                                          : BLVM_BECH32_INVALID;
    if (enc == BLVM_BECH32_INVALID) {
        *error = "Invalid checksum";
        return enc;
    }
    memcpy(values, vals, n - 6);
    *n_values = n - 6;
    *error = "";
    return enc;
}

bool blvm_convert_bits(uint8_t *out, size_t out_cap, size_t *out_len, int to_bits,
                       const uint8_t *in, size_t in_len, int from_bits, bool pad) {
    uint32_t acc = 0;
    int bits = 0;
    size_t n = 0;
    const uint32_t maxv = (1u << to_bits) - 1, max_acc = (1u << (from_bits + to_bits - 1)) - 1;
    for (size_t i = 0; i < in_len; i++) {
        if (in[i] >> from_bits) return false;
        acc = ((acc << from_bits) | in[i]) & max_acc;
        bits += from_bits;
        while (bits >= to_bits) {
            bits -= to_bits;
            if (n == out_cap) return false;
            out[n++] = (uint8_t)((acc >> bits) & maxv);
        }
    }
    if (pad) {
        if (bits) {
            if (n == out_cap) return false;
            out[n++] = (uint8_t)((acc << (to_bits - bits)) & maxv);
        }
    } else if (bits >= from_bits || ((acc << (to_bits - bits)) & maxv)) {
        return false;
    }
    *out_len = n;
    return true;
}
