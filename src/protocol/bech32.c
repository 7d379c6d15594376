#include "protocol/bech32.h"

#include <pthread.h>
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

/* ---- error location (Core's bech32.cpp LocateErrors) ----
 * GF(1024) is GF(32)[e]/(e^2 + 9e + 23); the checksum generator is the lcm
 * of the minimal polynomials of e^997, e^998 and e^999, so the residue's
 * values at those points (the syndrome) locate up to two substitutions. */

static int16_t gf1024_exp[1023];
static int16_t gf1024_log[1024];
static uint32_t syndrome_consts[25];
static pthread_once_t gf_once = PTHREAD_ONCE_INIT;

static void gf_tables_init(void) {
    int8_t gf32_exp[31], gf32_log[32];
    gf32_exp[0] = 1;
    gf32_log[0] = -1;
    gf32_log[1] = 0;
    int v = 1;
    for (int i = 1; i < 31; i++) {
        v <<= 1;
        if (v & 32) v ^= 41; /* x^5 + x^3 + 1 */
        gf32_exp[i] = (int8_t)v;
        gf32_log[v] = (int8_t)i;
    }
    gf1024_exp[0] = 1;
    gf1024_log[0] = -1;
    gf1024_log[1] = 0;
    v = 1;
    for (int i = 1; i < 1023; i++) {
        int v0 = v & 31, v1 = v >> 5;
        int v0n = v1 ? gf32_exp[(gf32_log[v1] + gf32_log[23]) % 31] : 0;
        int v1n = (v1 ? gf32_exp[(gf32_log[v1] + gf32_log[9]) % 31] : 0) ^ v0;
        v = v1n << 5 | v0n;
        gf1024_exp[i] = (int16_t)v;
        gf1024_log[v] = (int16_t)i;
    }
    for (int k = 1; k < 6; k++) {
        for (int shift = 0; shift < 5; shift++) {
            int b = gf1024_log[1 << shift];
            uint32_t c0 = (uint32_t)gf1024_exp[(997 * k + b) % 1023];
            uint32_t c1 = (uint32_t)gf1024_exp[(998 * k + b) % 1023];
            uint32_t c2 = (uint32_t)gf1024_exp[(999 * k + b) % 1023];
            syndrome_consts[5 * (k - 1) + shift] = c2 << 20 | c1 << 10 | c0;
        }
    }
}

static uint32_t syndrome(uint32_t residue) {
    uint32_t low = residue & 0x1f;
    uint32_t result = low ^ (low << 10) ^ (low << 20);
    for (int i = 0; i < 25; i++)
        if ((residue >> (5 + i)) & 1) result ^= syndrome_consts[i];
    return result;
}

static void push_loc(int *locs, size_t cap, size_t *n, size_t pos) {
    if (*n < cap) locs[*n] = (int)pos;
    (*n)++;
}

/* Positions (from the right, 0 = last character) of one or two
 * substitutions explaining this residue; returns how many (0 if none). */
static size_t locate_substitutions(uint32_t residue, size_t length, size_t out[2]) {
    uint32_t syn = syndrome(residue);
    int s0 = (int)(syn & 0x3ff), s1 = (int)((syn >> 10) & 0x3ff), s2 = (int)(syn >> 20);
    int l_s0 = gf1024_log[s0], l_s1 = gf1024_log[s1], l_s2 = gf1024_log[s2];
    if (l_s0 != -1 && l_s1 != -1 && l_s2 != -1 && (2 * l_s1 - l_s2 - l_s0 + 2046) % 1023 == 0) {
        size_t p1 = (size_t)((l_s1 - l_s0 + 1023) % 1023);
        long l_e1 = l_s0 + (long)(1023 - 997) * (long)p1;
        if (p1 < length && !(l_e1 % 33)) {
            out[0] = p1;
            return 1;
        }
        return 0;
    }
    for (size_t p1 = 0; p1 < length; p1++) {
        int s2_s1p1 = s2 ^ (s1 == 0 ? 0 : gf1024_exp[(l_s1 + (long)p1) % 1023]);
        if (s2_s1p1 == 0) continue;
        int l_s2_s1p1 = gf1024_log[s2_s1p1];
        int s1_s0p1 = s1 ^ (s0 == 0 ? 0 : gf1024_exp[(l_s0 + (long)p1) % 1023]);
        if (s1_s0p1 == 0) continue;
        int l_s1_s0p1 = gf1024_log[s1_s0p1];
        size_t p2 = (size_t)((l_s2_s1p1 - l_s1_s0p1 + 1023) % 1023);
        if (p2 >= length || p1 == p2) continue;
        int s1_s0p2 = s1 ^ (s0 == 0 ? 0 : gf1024_exp[(l_s0 + (long)p2) % 1023]);
        if (s1_s0p2 == 0) continue;
        int l_s1_s0p2 = gf1024_log[s1_s0p2];
        int inv_p1_p2 = 1023 - gf1024_log[gf1024_exp[p1] ^ gf1024_exp[p2]];
        long l_e2 = l_s1_s0p1 + inv_p1_p2 + (long)(1023 - 997) * (long)p2;
        if (l_e2 % 33) continue;
        long l_e1 = l_s1_s0p2 + inv_p1_p2 + (long)(1023 - 997) * (long)p1;
        if (l_e1 % 33) continue;
        out[0] = p1 > p2 ? p1 : p2; /* leftmost first */
        out[1] = p1 > p2 ? p2 : p1;
        return 2;
    }
    return 0;
}

const char *blvm_bech32_locate_errors(const char *str, int *locs, size_t cap, size_t *n_locs) {
    pthread_once(&gf_once, gf_tables_init);
    *n_locs = 0;
    size_t len = strlen(str);
    if (len > BLVM_BECH32_MAX_LEN) {
        for (size_t i = BLVM_BECH32_MAX_LEN; i < len; i++)
            push_loc(locs, cap, n_locs, i);
        return "Bech32 string too long";
    }
    bool lower = false, upper = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)str[i];
        if (c >= 'a' && c <= 'z') {
            if (upper)
                push_loc(locs, cap, n_locs, i);
            else
                lower = true;
        } else if (c >= 'A' && c <= 'Z') {
            if (lower)
                push_loc(locs, cap, n_locs, i);
            else
                upper = true;
        } else if (c < 33 || c > 126) {
            push_loc(locs, cap, n_locs, i);
        }
    }
    if (*n_locs) return "Invalid character or mixed case";
    const char *sep = strrchr(str, '1');
    if (!sep) return "Missing separator";
    size_t pos = (size_t)(sep - str);
    if (pos == 0 || pos + 7 > len) {
        push_loc(locs, cap, n_locs, pos);
        return "Invalid separator position";
    }
    char hrp[BLVM_BECH32_MAX_LEN + 1];
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
            push_loc(locs, cap, n_locs, pos + 1 + i);
            return "Invalid Base 32 character";
        }
        vals[i] = (uint8_t)v;
    }
    uint8_t buf[2 * BLVM_BECH32_MAX_LEN + 1 + BLVM_BECH32_MAX_LEN];
    size_t k = expand(buf, hrp, vals, n);
    uint32_t pm = polymod(buf, k);
    /* Try both encodings and keep the one needing the fewest changes (the
     * witness version itself may be one of the errors). */
    size_t best[2], nbest = 0;
    blvm_bech32_encoding best_enc = BLVM_BECH32_INVALID;
    const blvm_bech32_encoding encs[2] = {BLVM_BECH32, BLVM_BECH32M};
    for (int e = 0; e < 2; e++) {
        uint32_t residue = pm ^ encoding_constant(encs[e]);
        if (residue == 0) return "";
        size_t found[2];
        size_t nf = locate_substitutions(residue, n, found);
        if (nbest == 0 || (nf && nf < nbest)) {
            nbest = nf;
            memcpy(best, found, nf * sizeof found[0]);
            if (nf) best_enc = encs[e];
        }
    }
    for (size_t i = 0; i < nbest; i++)
        push_loc(locs, cap, n_locs, len - best[i] - 1);
    return best_enc == BLVM_BECH32M  ? "Invalid Bech32m checksum"
           : best_enc == BLVM_BECH32 ? "Invalid Bech32 checksum"
                                     : "Invalid checksum";
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
