/* Fuzz target: address and key parsing (Base58, Base58Check, Bech32, key_io).
 * The first byte picks the network; the rest is the string. Whatever parses
 * must survive a round trip: bytes -> string -> the same bytes, destination
 * -> scriptPubKey -> the same destination -> the same address. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/params.h"
#include "protocol/base58.h"
#include "protocol/bech32.h"
#include "protocol/key_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_base58(const char *s) {
    uint8_t buf[128], again[128];
    size_t n, m;
    if (blvm_base58_decode(buf, sizeof buf, &n, s)) {
        char enc[BLVM_BASE58_ENCODED_CAP(128)];
        if (!blvm_base58_encode(enc, sizeof enc, buf, n)) abort();
        if (!blvm_base58_decode(again, sizeof again, &m, enc)) abort();
        if (m != n || memcmp(buf, again, n)) abort();
    }
    if (blvm_base58check_decode(buf, sizeof buf, &n, s)) {
        char enc[BLVM_BASE58_ENCODED_CAP(132)];
        if (!blvm_base58check_encode(enc, sizeof enc, buf, n)) abort();
        if (!blvm_base58check_decode(again, sizeof again, &m, enc)) abort();
        if (m != n || memcmp(buf, again, n)) abort();
    }
}

static void check_bech32(const char *s) {
    char hrp[BLVM_BECH32_HRP_CAP];
    uint8_t values[BLVM_BECH32_VALUES_CAP];
    size_t n;
    blvm_bech32_encoding enc = blvm_bech32_decode(s, hrp, values, &n);
    if (enc == BLVM_BECH32_INVALID) return;
    char out[BLVM_BECH32_MAX_LEN + 1];
    if (!blvm_bech32_encode(out, sizeof out, enc, hrp, values, n)) abort();
    /* The encoder writes the lowercase form of the same string. */
    size_t len = strlen(s);
    if (strlen(out) != len) abort();
    for (size_t i = 0; i < len; i++) {
        char c = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i];
        if (c != out[i]) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > 200) return 0;
    const blvm_params *p = blvm_params_get((blvm_network)(data[0] % BLVM_NET_COUNT));
    if (!p) abort();
    char s[201];
    memcpy(s, data + 1, size - 1);
    s[size - 1] = 0;

    check_base58(s);
    check_bech32(s);

    blvm_destination d, d2;
    char err[256];
    if (blvm_decode_destination(&d, p, s, err, sizeof err)) {
        uint8_t script[BLVM_DEST_SCRIPT_MAX];
        size_t n = blvm_destination_to_script(&d, script);
        if (n == 0) abort();
        if (!blvm_destination_from_script(&d2, script, n)) abort();
        if (d2.type != d.type || d2.version != d.version || d2.program_len != d.program_len ||
            memcmp(d2.program, d.program, d.program_len))
            abort();
        char addr[BLVM_ADDRESS_CAP];
        if (!blvm_encode_destination(addr, sizeof addr, p, &d2)) abort();
        if (!blvm_decode_destination(&d2, p, addr, NULL, 0)) abort();
        if (d2.type != d.type || memcmp(d2.program, d.program, d.program_len)) abort();
    } else if (d.type != BLVM_DEST_NONE || err[0] == 0) {
        abort();
    }

    uint8_t key[32];
    bool compressed;
    if (blvm_decode_secret(key, &compressed, p, s)) {
        char wif[BLVM_ADDRESS_CAP];
        uint8_t key2[32];
        bool c2;
        if (!blvm_encode_secret(wif, sizeof wif, p, key, compressed)) abort();
        if (!blvm_decode_secret(key2, &c2, p, wif) || c2 != compressed || memcmp(key, key2, 32))
            abort();
    }

    /* Any script: if it has an address, that address decodes back to it. */
    if (blvm_destination_from_script(&d, data + 1, size - 1)) {
        char addr[BLVM_ADDRESS_CAP];
        uint8_t script[BLVM_DEST_SCRIPT_MAX];
        if (!blvm_encode_destination(addr, sizeof addr, p, &d)) abort();
        if (!blvm_decode_destination(&d2, p, addr, NULL, 0)) abort();
        size_t n = blvm_destination_to_script(&d2, script);
        if (n != size - 1 || memcmp(script, data + 1, n)) abort();
    }
    return 0;
}
