#include "protocol/descriptor.h"

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sha256.h"
#include "protocol/address.h"
#include "protocol/standard.h"
#include "util/bytes.h"
#include "util/hex.h"

static const char INPUT_CHARSET[] =
    "0123456789()[],'/*abcdefgh@:$%{}"
    "IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~"
    "ijklmnopqrstuvwxyzABCDEFGH`#\"\\ ";
static const char CHECKSUM_CHARSET[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint64_t poly_mod(uint64_t c, int val) {
    uint8_t c0 = (uint8_t)(c >> 35);
    c = ((c & 0x7ffffffffull) << 5) ^ (uint64_t)val;
    if (c0 & 1) c ^= 0xf5dee51989ull;
    if (c0 & 2) c ^= 0xa9fdca3312ull;
    if (c0 & 4) c ^= 0x1bab10e32dull;
    if (c0 & 8) c ^= 0x3706b1677aull;
    if (c0 & 16) c ^= 0x644d626ffdull;
    return c;
}

bool blvm_descriptor_checksum(const char *desc, size_t len, char out[9]) {
    uint64_t c = 1;
    int cls = 0, clscount = 0;
    for (size_t i = 0; i < len; i++) {
        const char *p = desc[i] ? strchr(INPUT_CHARSET, desc[i]) : NULL;
        if (!p) return false;
        int pos = (int)(p - INPUT_CHARSET);
        c = poly_mod(c, pos & 31);
        cls = cls * 3 + (pos >> 5);
        if (++clscount == 3) {
            c = poly_mod(c, cls);
            cls = 0;
            clscount = 0;
        }
    }
    if (clscount > 0) c = poly_mod(c, cls);
    for (int j = 0; j < 8; j++) c = poly_mod(c, 0);
    c ^= 1;
    for (int j = 0; j < 8; j++) out[j] = CHECKSUM_CHARSET[(c >> (5 * (7 - j))) & 31];
    out[8] = '\0';
    return true;
}

__attribute__((format(printf, 2, 3))) static bool fail(char *error, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error, BLVM_DESCRIPTOR_ERROR_MAX, fmt, ap);
    va_end(ap);
    return false;
}

void blvm_descriptor_clear(blvm_descriptor *d) {
    free(d->script);
    free(d->normalized);
    memset(d, 0, sizeof *d);
}

/* "name(" + body + ")#checksum", malloc'd. */
static char *with_checksum(const char *name, const char *body) {
    size_t n = strlen(name) + strlen(body) + 2;
    char *s = malloc(n + 10);
    if (!s) return NULL;
    snprintf(s, n + 1, "%s(%s)", name, body);
    char sum[9];
    if (!blvm_descriptor_checksum(s, n, sum)) {
        free(s);
        return NULL;
    }
    s[n] = '#';
    memcpy(s + n + 1, sum, 9);
    return s;
}

bool blvm_descriptor_parse(blvm_descriptor *d, const blvm_params *p, const char *text,
                           bool require_checksum, char error[BLVM_DESCRIPTOR_ERROR_MAX]) {
    memset(d, 0, sizeof *d);
    error[0] = '\0';
    /* Core's CheckChecksum */
    const char *hash = strchr(text, '#');
    size_t body_len = hash ? (size_t)(hash - text) : strlen(text);
    if (hash && strchr(hash + 1, '#')) return fail(error, "Multiple '#' symbols");
    if (!hash && require_checksum) return fail(error, "Missing checksum");
    if (hash && strlen(hash + 1) != 8)
        return fail(error, "Expected 8 character checksum, not %zu characters", strlen(hash + 1));
    if (!blvm_descriptor_checksum(text, body_len, d->checksum))
        return fail(error, "Invalid characters in payload");
    if (hash && memcmp(hash + 1, d->checksum, 8) != 0)
        return fail(error, "Provided checksum '%s' does not match computed checksum '%s'",
                     hash + 1, d->checksum);

    /* function name and its argument */
    const char *open = memchr(text, '(', body_len);
    if (!open || body_len < 2 || text[body_len - 1] != ')') {
        return fail(error, "'%.*s' is not a valid descriptor function", (int)body_len, text);
    }
    size_t name_len = (size_t)(open - text);
    size_t arg_len = body_len - name_len - 2;
    char *arg = malloc(arg_len + 1);
    if (!arg) return fail(error, "Out of memory");
    memcpy(arg, open + 1, arg_len);
    arg[arg_len] = '\0';
    bool ok = false;
    if (name_len == 4 && !memcmp(text, "addr", 4)) {
        uint8_t script[BLVM_ADDRESS_SCRIPT_MAX];
        char aerr[BLVM_ADDRESS_ERROR_MAX];
        size_t n;
        if (!blvm_address_decode(p, arg, script, &n, aerr)) {
            fail(error, "Address is not valid");
        } else if ((d->script = malloc(n))) {
            memcpy(d->script, script, n);
            d->script_len = n;
            char *canon = blvm_address_from_script(p, script, n);
            d->normalized = canon ? with_checksum("addr", canon) : NULL;
            free(canon);
            ok = d->normalized != NULL;
        }
    } else if (name_len == 3 && !memcmp(text, "raw", 3)) {
        size_t n;
        uint8_t *script = blvm_hex_decode_alloc(arg, &n);
        if (!script) {
            fail(error, "Raw script is not hex");
        } else {
            d->script = script;
            d->script_len = n;
            char *hex = blvm_hex_alloc(script, n);
            d->normalized = hex ? with_checksum("raw", hex) : NULL;
            free(hex);
            ok = d->normalized != NULL;
        }
    } else {
        fail(error, "'%.*s' is not a valid descriptor function", (int)name_len, text);
    }
    free(arg);
    if (!ok) {
        if (!error[0]) fail(error, "Out of memory");
        char keep[BLVM_DESCRIPTOR_ERROR_MAX];
        memcpy(keep, error, sizeof keep);
        blvm_descriptor_clear(d);
        memcpy(error, keep, sizeof keep);
    }
    return ok;
}

/* Core's CPubKey::IsFullyValid. */
static bool pubkey_fully_valid(const uint8_t *k, size_t n) {
    secp256k1_pubkey pk;
    return secp256k1_ec_pubkey_parse(secp256k1_context_static, &pk, k, n) == 1;
}

static char *infer_multi(const blvm_solution *s, bool compressed_only) {
    blvm_writer w;
    blvm_writer_init(&w);
    char num[8];
    int k = snprintf(num, sizeof num, "%d", s->multisig_required);
    blvm_write_bytes(&w, num, (size_t)k);
    for (int i = 0; i < s->multisig_keys; i++) {
        if (!pubkey_fully_valid(s->keys[i], s->key_lens[i]) ||
            (compressed_only && s->key_lens[i] != 33)) {
            blvm_writer_clear(&w);
            return NULL;
        }
        char hex[131];
        blvm_hex_encode(hex, s->keys[i], s->key_lens[i]);
        blvm_write_u8(&w, ',');
        blvm_write_bytes(&w, hex, strlen(hex));
    }
    blvm_write_u8(&w, '\0');
    if (w.err) {
        blvm_writer_clear(&w);
        return NULL;
    }
    char *body = (char *)blvm_writer_release(&w, NULL);
    char *out = with_checksum("multi", body);
    free(body);
    return out;
}

char *blvm_descriptor_infer(const blvm_params *p, const uint8_t *script, size_t len) {
    blvm_solution s;
    blvm_txout_type t = blvm_solver(script, len, &s);
    if (t == BLVM_TXOUT_PUBKEY && pubkey_fully_valid(s.data, s.data_len)) {
        char hex[131];
        blvm_hex_encode(hex, s.data, s.data_len);
        return with_checksum("pk", hex);
    }
    if (t == BLVM_TXOUT_MULTISIG) {
        char *m = infer_multi(&s, false);
        if (m) return m;
    }
    if (t == BLVM_TXOUT_WITNESS_V1_TAPROOT) {
        secp256k1_xonly_pubkey xk;
        if (secp256k1_xonly_pubkey_parse(secp256k1_context_static, &xk, s.data) == 1) {
            char hex[65];
            blvm_hex_encode(hex, s.data, 32);
            return with_checksum("rawtr", hex);
        }
    }
    char *addr = blvm_address_from_script(p, script, len);
    if (addr) {
        char *out = with_checksum("addr", addr);
        free(addr);
        return out;
    }
    char *hex = blvm_hex_alloc(script, len);
    if (!hex) return NULL;
    char *out = with_checksum("raw", hex);
    free(hex);
    return out;
}

/* "name(" + inner descriptor without its checksum + ")#checksum" */
static char *wrap(const char *name, char *inner) {
    if (!inner) return NULL;
    char *hash = strchr(inner, '#');
    if (hash) *hash = '\0';
    char *out = with_checksum(name, inner);
    free(inner);
    return out;
}

char *blvm_descriptor_infer_wsh(const blvm_params *p, const uint8_t *ws, size_t len) {
    blvm_solution s;
    blvm_txout_type t = blvm_solver(ws, len, &s);
    /* In P2WSH only compressed keys are inferred (Core's InferPubkey). */
    if (t == BLVM_TXOUT_PUBKEY && s.data_len == 33 && pubkey_fully_valid(s.data, s.data_len)) {
        char hex[67];
        blvm_hex_encode(hex, s.data, s.data_len);
        return wrap("wsh", with_checksum("pk", hex));
    }
    if (t == BLVM_TXOUT_MULTISIG) {
        char *m = infer_multi(&s, true);
        if (m) return wrap("wsh", m);
    }
    uint8_t spk[34];
    spk[0] = 0x00;
    spk[1] = 32;
    blvm_sha256(spk + 2, ws, len);
    return blvm_descriptor_infer(p, spk, sizeof spk);
}
