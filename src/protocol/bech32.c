/* Bech32 / Bech32m (BIP173, BIP350) following Bitcoin Core's src/bech32.cpp. */
#include "protocol/bech32.h"

#include <string.h>

static const char CHARSET[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t encoding_constant(blvm_bech32_encoding enc) {
    return enc == BLVM_BECH32 ? 1u : 0x2bc830a3u;
}

/* BIP173's checksum: the remainder of the values as a polynomial over
 * GF(32) modulo the code's generator. */
static uint32_t polymod_step(uint32_t c, uint8_t v) {
    uint8_t c0 = (uint8_t)(c >> 25);
    c = ((c & 0x1ffffff) << 5) ^ v;
    if (c0 & 1) c ^= 0x3b6a57b2;
    if (c0 & 2) c ^= 0x26508e6d;
    if (c0 & 4) c ^= 0x1ea119fa;
    if (c0 & 8) c ^= 0x3d4233dd;
    if (c0 & 16) c ^= 0x2a1462b3;
    return c;
}

/* Checksum state after the expanded hrp (high bits, 0, low bits). */
static uint32_t polymod_hrp(const char *hrp, size_t hrp_len) {
    uint32_t c = 1;
    for (size_t i = 0; i < hrp_len; i++) c = polymod_step(c, (uint8_t)((unsigned char)hrp[i] >> 5));
    c = polymod_step(c, 0);
    for (size_t i = 0; i < hrp_len; i++) c = polymod_step(c, (uint8_t)(hrp[i] & 31));
    return c;
}

static int charset_value(char c) {
    const char *p = c ? strchr(CHARSET, c) : NULL;
    return p ? (int)(p - CHARSET) : -1;
}

bool blvm_bech32_encode(char *out, size_t out_cap, blvm_bech32_encoding enc, const char *hrp,
                        const uint8_t *values, size_t n) {
    if (out_cap) out[0] = 0;
    if (enc != BLVM_BECH32 && enc != BLVM_BECH32M) return false;
    size_t hrp_len = strlen(hrp);
    if (hrp_len < 1 || hrp_len > BLVM_BECH32_HRP_CAP - 1) return false;
    for (size_t i = 0; i < hrp_len; i++) {
        unsigned char c = (unsigned char)hrp[i];
        if (c < 33 || c > 126 || (c >= 'A' && c <= 'Z')) return false;
    }
    if (out_cap < hrp_len + 1 + n + 6 + 1) return false;
    uint32_t c = polymod_hrp(hrp, hrp_len);
    memcpy(out, hrp, hrp_len);
    size_t pos = hrp_len;
    out[pos++] = '1';
    for (size_t i = 0; i < n; i++) {
        if (values[i] >> 5) {
            out[0] = 0;
            return false;
        }
        c = polymod_step(c, values[i]);
        out[pos++] = CHARSET[values[i]];
    }
    for (int i = 0; i < 6; i++) c = polymod_step(c, 0);
    c ^= encoding_constant(enc);
    for (int i = 0; i < 6; i++) out[pos++] = CHARSET[(c >> (5 * (5 - i))) & 31];
    out[pos] = 0;
    return true;
}

blvm_bech32_encoding blvm_bech32_decode(const char *str, char *hrp_out, uint8_t *values,
                                        size_t *n) {
    *n = 0;
    hrp_out[0] = 0;
    size_t len = strnlen(str, BLVM_BECH32_MAX_LEN + 1);
    if (len > BLVM_BECH32_MAX_LEN) return BLVM_BECH32_INVALID;
    bool lower = false, upper = false;
    size_t sep = len;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)str[i];
        if (c < 33 || c > 126) return BLVM_BECH32_INVALID;
        if (c >= 'a' && c <= 'z') lower = true;
        if (c >= 'A' && c <= 'Z') upper = true;
        if (c == '1') sep = i;
    }
    /* BIP173: one case only; the last '1' separates; hrp non-empty; six
     * checksum characters at least. */
    if (lower && upper) return BLVM_BECH32_INVALID;
    if (sep == len || sep == 0 || sep + 7 > len) return BLVM_BECH32_INVALID;
    for (size_t i = 0; i < sep; i++) {
        char c = str[i];
        hrp_out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    hrp_out[sep] = 0;
    uint32_t c = polymod_hrp(hrp_out, sep);
    size_t nv = 0;
    for (size_t i = sep + 1; i < len; i++) {
        char ch = str[i];
        if (ch >= 'A' && ch <= 'Z') ch = (char)(ch - 'A' + 'a');
        int v = charset_value(ch);
        if (v < 0) {
            hrp_out[0] = 0;
            return BLVM_BECH32_INVALID;
        }
        c = polymod_step(c, (uint8_t)v);
        values[nv++] = (uint8_t)v;
    }
    blvm_bech32_encoding enc = c == encoding_constant(BLVM_BECH32)    ? BLVM_BECH32
                               : c == encoding_constant(BLVM_BECH32M) ? BLVM_BECH32M
                                                                      : BLVM_BECH32_INVALID;
    if (enc == BLVM_BECH32_INVALID) {
        hrp_out[0] = 0;
        return enc;
    }
    *n = nv - 6;
    return enc;
}

bool blvm_bech32_convert_bits(uint8_t *out, size_t out_cap, size_t *out_len, int to_bits,
                              const uint8_t *in, size_t in_len, int from_bits, bool pad) {
    uint32_t acc = 0;
    int bits = 0;
    const uint32_t maxv = (1u << to_bits) - 1;
    const uint32_t max_acc = (1u << (from_bits + to_bits - 1)) - 1;
    size_t n = 0;
    *out_len = 0;
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

bool blvm_segwit_addr_encode(char *out, size_t out_cap, const char *hrp, int version,
                             const uint8_t *prog, size_t prog_len) {
    if (out_cap) out[0] = 0;
    if (version < 0 || version > 16) return false;
    if (prog_len < BLVM_WITNESS_PROG_MIN || prog_len > BLVM_WITNESS_PROG_MAX) return false;
    if (version == 0 && prog_len != 20 && prog_len != 32) return false;
    uint8_t values[1 + (BLVM_WITNESS_PROG_MAX * 8 + 4) / 5];
    size_t n;
    values[0] = (uint8_t)version;
    if (!blvm_bech32_convert_bits(values + 1, sizeof values - 1, &n, 5, prog, prog_len, 8, true))
        return false;
    return blvm_bech32_encode(out, out_cap, version == 0 ? BLVM_BECH32 : BLVM_BECH32M, hrp, values,
                              n + 1);
}

bool blvm_segwit_addr_decode(int *version, uint8_t prog[BLVM_WITNESS_PROG_MAX], size_t *prog_len,
                             const char *hrp, const char *addr, const char **error) {
    const char *err_dummy;
    if (!error) error = &err_dummy;
    *error = NULL;
    *version = -1;
    *prog_len = 0;
    char got_hrp[BLVM_BECH32_HRP_CAP];
    uint8_t values[BLVM_BECH32_VALUES_CAP];
    size_t n;
    blvm_bech32_encoding enc = blvm_bech32_decode(addr, got_hrp, values, &n);
    if (enc == BLVM_BECH32_INVALID) {
        *error = "Invalid Bech32 string";
        return false;
    }
    if (n == 0) {
        *error = "Empty Bech32 data section";
        return false;
    }
    if (strcmp(got_hrp, hrp) != 0) {
        *error = "Invalid or unsupported prefix for Segwit (Bech32) address";
        return false;
    }
    int v = values[0];
    if (v == 0 && enc != BLVM_BECH32) {
        *error = "Version 0 witness address must use Bech32 checksum";
        return false;
    }
    if (v != 0 && enc != BLVM_BECH32M) {
        *error = "Version 1+ witness address must use Bech32m checksum";
        return false;
    }
    uint8_t bytes[BLVM_BECH32_VALUES_CAP];
    size_t nb;
    if (!blvm_bech32_convert_bits(bytes, sizeof bytes, &nb, 8, values + 1, n - 1, 5, false)) {
        *error = "Invalid padding in Bech32 data section";
        return false;
    }
    if (v == 0 && nb != 20 && nb != 32) {
        *error = "Invalid Bech32 v0 address program size, per BIP141";
        return false;
    }
    if (v > 16) {
        *error = "Invalid Bech32 address witness version";
        return false;
    }
    if (nb < BLVM_WITNESS_PROG_MIN || nb > BLVM_WITNESS_PROG_MAX) {
        *error = "Invalid Bech32 address program size";
        return false;
    }
    memcpy(prog, bytes, nb);
    *prog_len = nb;
    *version = v;
    return true;
}
