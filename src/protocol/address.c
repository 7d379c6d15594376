#include "protocol/address.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/script.h"
#include "protocol/base58.h"
#include "protocol/bech32.h"
#include "protocol/standard.h"

__attribute__((format(printf, 2, 3))) static void set_error(char *error, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error, BLVM_ADDRESS_ERROR_MAX, fmt, ap);
    va_end(ap);
}

static size_t witness_script(uint8_t *script, int version, const uint8_t *prog, size_t n) {
    script[0] = version == 0 ? OP_0 : (uint8_t)(OP_1 + version - 1);
    script[1] = (uint8_t)n;
    memcpy(script + 2, prog, n);
    return n + 2;
}

static bool decode_bech32_address(const blvm_params *p, const char *address, uint8_t *script,
                                  size_t *script_len, char *error, int *locs, size_t cap,
                                  size_t *n_locs) {
    char hrp[BLVM_BECH32_MAX_LEN + 1];
    uint8_t values[BLVM_BECH32_MAX_LEN];
    size_t n;
    const char *why;
    blvm_bech32_encoding enc = blvm_bech32_decode(address, hrp, values, &n, &why);
    if (enc == BLVM_BECH32_INVALID) {
        /* Core's DecodeDestination: the message and positions of
         * bech32::LocateErrors. */
        int dummy[1];
        size_t nd;
        const char *located = blvm_bech32_locate_errors(address, locs ? locs : dummy,
                                                        locs ? cap : 0, n_locs ? n_locs : &nd);
        set_error(error, "%s", located[0] ? located : why);
        return false;
    }
    if (n == 0) {
        set_error(error, "Empty Bech32 data section");
        return false;
    }
    if (strcmp(hrp, p->bech32_hrp) != 0) {
        set_error(error,
                  "Invalid or unsupported prefix for Segwit (Bech32) address (expected %s, got "
                  "%s).",
                  p->bech32_hrp, hrp);
        return false;
    }
    int version = values[0];
    if (version == 0 && enc != BLVM_BECH32) {
        set_error(error, "Version 0 witness address must use Bech32 checksum");
        return false;
    }
    if (version != 0 && enc != BLVM_BECH32M) {
        set_error(error, "Version 1+ witness address must use Bech32m checksum");
        return false;
    }
    uint8_t prog[BLVM_BECH32_MAX_LEN];
    size_t plen;
    if (!blvm_convert_bits(prog, sizeof prog, &plen, 8, values + 1, n - 1, 5, false)) {
        set_error(error, "Invalid padding in Bech32 data section");
        return false;
    }
    char size_text[48];
    snprintf(size_text, sizeof size_text, "%zu %s", plen, plen == 1 ? "byte" : "bytes");
    if (version == 0) {
        if (plen != 20 && plen != 32) {
            set_error(error, "Invalid Bech32 v0 address program size (%s), per BIP141",
                      size_text);
            return false;
        }
    } else if (version > 16) {
        set_error(error, "Invalid Bech32 address witness version");
        return false;
    } else if (plen < 2 || plen > 40) {
        set_error(error, "Invalid Bech32 address program size (%s)", size_text);
        return false;
    }
    *script_len = witness_script(script, version, prog, plen);
    return true;
}

bool blvm_address_decode(const blvm_params *p, const char *address,
                         uint8_t script[BLVM_ADDRESS_SCRIPT_MAX], size_t *script_len,
                         char error[BLVM_ADDRESS_ERROR_MAX]) {
    return blvm_address_decode_locate(p, address, script, script_len, error, NULL, 0, NULL);
}

bool blvm_address_decode_locate(const blvm_params *p, const char *address,
                                uint8_t script[BLVM_ADDRESS_SCRIPT_MAX], size_t *script_len,
                                char error[BLVM_ADDRESS_ERROR_MAX], int *locs, size_t cap,
                                size_t *n_locs) {
    error[0] = '\0';
    if (n_locs) *n_locs = 0;
    size_t hrp_len = strlen(p->bech32_hrp);
    /* A valid bech32 address of another network is not tried as base58. */
    bool is_bech32 = strlen(address) >= hrp_len;
    for (size_t i = 0; is_bech32 && i < hrp_len; i++)
        is_bech32 = tolower((unsigned char)address[i]) == p->bech32_hrp[i];
    if (is_bech32)
        return decode_bech32_address(p, address, script, script_len, error, locs, cap, n_locs);

    uint8_t data[128];
    size_t n;
    if (blvm_base58check_decode(address, data, 21, &n)) {
        if (n == 21 && data[0] == p->base58_pubkey_prefix) {
            script[0] = OP_DUP;
            script[1] = OP_HASH160;
            script[2] = 20;
            memcpy(script + 3, data + 1, 20);
            script[23] = OP_EQUALVERIFY;
            script[24] = OP_CHECKSIG;
            *script_len = 25;
            return true;
        }
        if (n == 21 && data[0] == p->base58_script_prefix) {
            script[0] = OP_HASH160;
            script[1] = 20;
            memcpy(script + 2, data + 1, 20);
            script[22] = OP_EQUAL;
            *script_len = 23;
            return true;
        }
        if (n >= 1 && (data[0] == p->base58_pubkey_prefix || data[0] == p->base58_script_prefix))
            set_error(error, "Invalid length for Base58 address (P2PKH or P2SH)");
        else
            set_error(error, "Invalid or unsupported Base58-encoded address.");
        return false;
    }
    if (!blvm_base58_decode(address, data, 100, &n))
        set_error(error, "Invalid or unsupported Segwit (Bech32) or Base58 encoding.");
    else
        set_error(error, "Invalid checksum or length of Base58 address (P2PKH or P2SH)");
    return false;
}

static char *encode_witness(const blvm_params *p, int version, const uint8_t *prog, size_t n) {
    uint8_t values[1 + 64];
    size_t nv;
    values[0] = (uint8_t)version;
    if (!blvm_convert_bits(values + 1, sizeof values - 1, &nv, 5, prog, n, 8, true)) return NULL;
    char *out = malloc(BLVM_BECH32_MAX_LEN + 1);
    if (!out) return NULL;
    if (!blvm_bech32_encode(out, BLVM_BECH32_MAX_LEN + 1, version == 0 ? BLVM_BECH32 : BLVM_BECH32M,
                            p->bech32_hrp, values, nv + 1)) {
        free(out);
        return NULL;
    }
    return out;
}

static char *encode_base58_hash(uint8_t prefix, const uint8_t hash[20]) {
    uint8_t data[21];
    data[0] = prefix;
    memcpy(data + 1, hash, 20);
    return blvm_base58check_encode(data, sizeof data);
}

char *blvm_address_from_script(const blvm_params *p, const uint8_t *script, size_t len) {
    blvm_solution s;
    switch (blvm_solver(script, len, &s)) {
    case BLVM_TXOUT_PUBKEYHASH: return encode_base58_hash(p->base58_pubkey_prefix, s.data);
    case BLVM_TXOUT_SCRIPTHASH: return encode_base58_hash(p->base58_script_prefix, s.data);
    case BLVM_TXOUT_WITNESS_V0_KEYHASH:
    case BLVM_TXOUT_WITNESS_V0_SCRIPTHASH:
    case BLVM_TXOUT_WITNESS_V1_TAPROOT:
    case BLVM_TXOUT_ANCHOR:
    case BLVM_TXOUT_WITNESS_UNKNOWN:
        return encode_witness(p, s.witness_version, s.data, s.data_len);
    default: return NULL;
    }
}

bool blvm_secret_decode(const blvm_params *p, const char *wif, uint8_t key[32], bool *compressed) {
    uint8_t data[64];
    size_t n;
    if (!blvm_base58check_decode(wif, data, 34, &n)) return false;
    if (data[0] != p->base58_secret_prefix) return false;
    if (n == 33) {
        *compressed = false;
    } else if (n == 34 && data[33] == 1) {
        *compressed = true;
    } else {
        return false;
    }
    memcpy(key, data + 1, 32);
    return true;
}

char *blvm_secret_encode(const blvm_params *p, const uint8_t key[32], bool compressed) {
    uint8_t data[34];
    data[0] = p->base58_secret_prefix;
    memcpy(data + 1, key, 32);
    data[33] = 1;
    return blvm_base58check_encode(data, compressed ? 34 : 33);
}
