/* Addresses and WIF keys (Bitcoin Core's key_io.cpp and the destination
 * part of script/solver.cpp). */
#include "protocol/key_io.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "protocol/base58.h"

#define OP_0           0x00
#define OP_1           0x51
#define OP_DUP         0x76
#define OP_HASH160     0xa9
#define OP_EQUAL       0x87
#define OP_EQUALVERIFY 0x88
#define OP_CHECKSIG    0xac

static void dest_clear(blvm_destination *d) {
    memset(d, 0, sizeof *d);
    d->type = BLVM_DEST_NONE;
    d->version = -1;
}

static void dest_set(blvm_destination *d, blvm_dest_type type, int version, const uint8_t *prog,
                     size_t len) {
    d->type = type;
    d->version = version;
    memcpy(d->program, prog, len);
    d->program_len = len;
}

/* Witness program as Core's CScript::IsWitnessProgram (BIP141): a version
 * opcode then one direct push of 2..40 bytes, nothing else. */
static bool witness_program(const uint8_t *s, size_t len, int *version, const uint8_t **prog,
                            size_t *prog_len) {
    if (len < 4 || len > 42) return false;
    if (s[0] != OP_0 && (s[0] < OP_1 || s[0] > OP_1 + 15)) return false;
    if ((size_t)s[1] + 2 != len) return false;
    *version = s[0] == OP_0 ? 0 : s[0] - (OP_1 - 1);
    *prog = s + 2;
    *prog_len = len - 2;
    return true;
}

static bool is_anchor(int version, const uint8_t *prog, size_t len) {
    return version == 1 && len == 2 && prog[0] == 0x4e && prog[1] == 0x73;
}

bool blvm_destination_from_script(blvm_destination *d, const uint8_t *s, size_t len) {
    dest_clear(d);
    if (len == 25 && s[0] == OP_DUP && s[1] == OP_HASH160 && s[2] == 20 &&
        s[23] == OP_EQUALVERIFY && s[24] == OP_CHECKSIG) {
        dest_set(d, BLVM_DEST_P2PKH, -1, s + 3, 20);
        return true;
    }
    if (len == 23 && s[0] == OP_HASH160 && s[1] == 20 && s[22] == OP_EQUAL) {
        dest_set(d, BLVM_DEST_P2SH, -1, s + 2, 20);
        return true;
    }
    int v;
    const uint8_t *prog;
    size_t plen;
    if (!witness_program(s, len, &v, &prog, &plen)) return false;
    if (v == 0) {
        /* Other v0 sizes are not standard and have no address (Solver). */
        if (plen == 20) dest_set(d, BLVM_DEST_WITNESS_V0_KEYHASH, 0, prog, plen);
        else if (plen == 32) dest_set(d, BLVM_DEST_WITNESS_V0_SCRIPTHASH, 0, prog, plen);
        else return false;
    } else if (v == 1 && plen == 32) {
        dest_set(d, BLVM_DEST_WITNESS_V1_TAPROOT, 1, prog, plen);
    } else if (is_anchor(v, prog, plen)) {
        dest_set(d, BLVM_DEST_ANCHOR, 1, prog, plen);
    } else {
        dest_set(d, BLVM_DEST_WITNESS_UNKNOWN, v, prog, plen);
    }
    return true;
}

/* Whether d's fields agree with its type. */
static bool dest_consistent(const blvm_destination *d) {
    switch (d->type) {
    case BLVM_DEST_P2PKH:
    case BLVM_DEST_P2SH: return d->program_len == 20;
    case BLVM_DEST_WITNESS_V0_KEYHASH: return d->version == 0 && d->program_len == 20;
    case BLVM_DEST_WITNESS_V0_SCRIPTHASH: return d->version == 0 && d->program_len == 32;
    case BLVM_DEST_WITNESS_V1_TAPROOT: return d->version == 1 && d->program_len == 32;
    case BLVM_DEST_ANCHOR: return is_anchor(d->version, d->program, d->program_len);
    case BLVM_DEST_WITNESS_UNKNOWN:
        return d->version >= 1 && d->version <= 16 && d->program_len >= BLVM_WITNESS_PROG_MIN &&
               d->program_len <= BLVM_WITNESS_PROG_MAX;
    default: return false;
    }
}

size_t blvm_destination_to_script(const blvm_destination *d, uint8_t out[BLVM_DEST_SCRIPT_MAX]) {
    if (!dest_consistent(d)) return 0;
    switch (d->type) {
    case BLVM_DEST_P2PKH:
        out[0] = OP_DUP;
        out[1] = OP_HASH160;
        out[2] = 20;
        memcpy(out + 3, d->program, 20);
        out[23] = OP_EQUALVERIFY;
        out[24] = OP_CHECKSIG;
        return 25;
    case BLVM_DEST_P2SH:
        out[0] = OP_HASH160;
        out[1] = 20;
        memcpy(out + 2, d->program, 20);
        out[22] = OP_EQUAL;
        return 23;
    default:
        out[0] = d->version == 0 ? OP_0 : (uint8_t)(OP_1 - 1 + d->version);
        out[1] = (uint8_t)d->program_len;
        memcpy(out + 2, d->program, d->program_len);
        return d->program_len + 2;
    }
}

bool blvm_encode_destination(char *out, size_t out_cap, const blvm_params *p,
                             const blvm_destination *d) {
    if (out_cap) out[0] = 0;
    if (!dest_consistent(d)) return false;
    if (d->type == BLVM_DEST_P2PKH || d->type == BLVM_DEST_P2SH) {
        uint8_t data[21];
        data[0] = d->type == BLVM_DEST_P2PKH ? p->base58_pubkey_prefix : p->base58_script_prefix;
        memcpy(data + 1, d->program, 20);
        return blvm_base58check_encode(out, out_cap, data, sizeof data);
    }
    return blvm_segwit_addr_encode(out, out_cap, p->bech32_hrp, d->version, d->program,
                                   d->program_len);
}

/* Core's bech32::LocateErrors messages for a string that does not decode,
 * without the error-position search. */
static const char *bech32_failure(const char *str) {
    size_t len = strlen(str);
    if (len > BLVM_BECH32_MAX_LEN) return "Bech32 string too long";
    bool lower = false, upper = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)str[i];
        bool bad = c < 33 || c > 126;
        if (c >= 'a' && c <= 'z') bad = upper, lower = true;
        if (c >= 'A' && c <= 'Z') bad = lower, upper = true;
        if (bad) return "Invalid character or mixed case";
    }
    const char *sep = strrchr(str, '1');
    if (!sep) return "Missing separator";
    size_t pos = (size_t)(sep - str);
    if (pos == 0 || pos + 7 > len) return "Invalid separator position";
    static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    for (size_t i = pos + 1; i < len; i++) {
        char c = str[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (!strchr(charset, c)) return "Invalid Base 32 character";
    }
    return "Invalid checksum";
}

static void set_error(char *error, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_error(char *error, size_t cap, const char *fmt, ...) {
    if (!error || !cap) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error, cap, fmt, ap);
    va_end(ap);
}

bool blvm_decode_destination(blvm_destination *d, const blvm_params *p, const char *str,
                             char *error, size_t error_cap) {
    dest_clear(d);
    set_error(error, error_cap, "%s", "");
    /* Core: a string starting with this network's hrp (any case) is only
     * tried as Bech32; a valid address of another network fails. */
    size_t hrp_len = strlen(p->bech32_hrp);
    bool is_bech32 = strncasecmp(str, p->bech32_hrp, hrp_len) == 0;
    if (!is_bech32) {
        uint8_t data[21];
        size_t n;
        if (blvm_base58check_decode(data, sizeof data, &n, str)) {
            if (n == 21 && data[0] == p->base58_pubkey_prefix) {
                dest_set(d, BLVM_DEST_P2PKH, -1, data + 1, 20);
                return true;
            }
            if (n == 21 && data[0] == p->base58_script_prefix) {
                dest_set(d, BLVM_DEST_P2SH, -1, data + 1, 20);
                return true;
            }
            if (n >= 1 && (data[0] == p->base58_pubkey_prefix || data[0] == p->base58_script_prefix))
                set_error(error, error_cap, "Invalid length for Base58 address (P2PKH or P2SH)");
            else
                set_error(error, error_cap, "Invalid or unsupported Base58-encoded address.");
            return false;
        }
        uint8_t big[100];
        if (!blvm_base58_decode(big, sizeof big, &n, str))
            set_error(error, error_cap,
                      "Invalid or unsupported Segwit (Bech32) or Base58 encoding.");
        else
            set_error(error, error_cap,
                      "Invalid checksum or length of Base58 address (P2PKH or P2SH)");
        return false;
    }

    char hrp[BLVM_BECH32_HRP_CAP];
    uint8_t values[BLVM_BECH32_VALUES_CAP];
    size_t n;
    blvm_bech32_encoding enc = blvm_bech32_decode(str, hrp, values, &n);
    if (enc == BLVM_BECH32_INVALID) {
        set_error(error, error_cap, "%s", bech32_failure(str));
        return false;
    }
    if (n == 0) {
        set_error(error, error_cap, "Empty Bech32 data section");
        return false;
    }
    if (strcmp(hrp, p->bech32_hrp) != 0) {
        set_error(error, error_cap,
                  "Invalid or unsupported prefix for Segwit (Bech32) address (expected %s, got "
                  "%s).",
                  p->bech32_hrp, hrp);
        return false;
    }
    int version = values[0];
    /* BIP350: v0 keeps the BIP173 checksum, every later version uses Bech32m. */
    if (version == 0 && enc != BLVM_BECH32) {
        set_error(error, error_cap, "Version 0 witness address must use Bech32 checksum");
        return false;
    }
    if (version != 0 && enc != BLVM_BECH32M) {
        set_error(error, error_cap, "Version 1+ witness address must use Bech32m checksum");
        return false;
    }
    uint8_t prog[BLVM_BECH32_VALUES_CAP];
    size_t plen;
    if (!blvm_bech32_convert_bits(prog, sizeof prog, &plen, 8, values + 1, n - 1, 5, false)) {
        set_error(error, error_cap, "Invalid padding in Bech32 data section");
        return false;
    }
    const char *bytes = plen == 1 ? "byte" : "bytes";
    if (version == 0) {
        if (plen == 20) {
            dest_set(d, BLVM_DEST_WITNESS_V0_KEYHASH, 0, prog, plen);
            return true;
        }
        if (plen == 32) {
            dest_set(d, BLVM_DEST_WITNESS_V0_SCRIPTHASH, 0, prog, plen);
            return true;
        }
        set_error(error, error_cap, "Invalid Bech32 v0 address program size (%zu %s), per BIP141",
                  plen, bytes);
        return false;
    }
    if (version == 1 && plen == 32) {
        dest_set(d, BLVM_DEST_WITNESS_V1_TAPROOT, 1, prog, plen);
        return true;
    }
    if (is_anchor(version, prog, plen)) {
        dest_set(d, BLVM_DEST_ANCHOR, 1, prog, plen);
        return true;
    }
    if (version > 16) {
        set_error(error, error_cap, "Invalid Bech32 address witness version");
        return false;
    }
    if (plen < BLVM_WITNESS_PROG_MIN || plen > BLVM_WITNESS_PROG_MAX) {
        set_error(error, error_cap, "Invalid Bech32 address program size (%zu %s)", plen, bytes);
        return false;
    }
    dest_set(d, BLVM_DEST_WITNESS_UNKNOWN, version, prog, plen);
    return true;
}

/* secp256k1's group order n, big-endian: valid keys are 1..n-1. */
static const uint8_t CURVE_ORDER[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
    0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
};

static bool key_in_range(const uint8_t key[32]) {
    static const uint8_t zero[32];
    return memcmp(key, zero, 32) != 0 && memcmp(key, CURVE_ORDER, 32) < 0;
}

bool blvm_encode_secret(char *out, size_t out_cap, const blvm_params *p, const uint8_t key[32],
                        bool compressed) {
    if (out_cap) out[0] = 0;
    if (!key_in_range(key)) return false;
    uint8_t data[34];
    data[0] = p->base58_secret_prefix;
    memcpy(data + 1, key, 32);
    data[33] = 1;
    return blvm_base58check_encode(out, out_cap, data, compressed ? 34 : 33);
}

bool blvm_decode_secret(uint8_t key[32], bool *compressed, const blvm_params *p,
                        const char *str) {
    uint8_t data[34];
    size_t n;
    memset(key, 0, 32);
    *compressed = false;
    bool ok = blvm_base58check_decode(data, sizeof data, &n, str) &&
              (n == 33 || (n == 34 && data[33] == 1)) && data[0] == p->base58_secret_prefix &&
              key_in_range(data + 1);
    if (ok) {
        memcpy(key, data + 1, 32);
        *compressed = n == 34;
    }
    memset(data, 0, sizeof data);
    return ok;
}
