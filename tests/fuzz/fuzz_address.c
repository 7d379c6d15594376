/* Fuzz target: address and key parsing (Base58, Base58Check, Bech32,
 * addresses and WIF keys). The first byte picks the network; the rest is
 * the string. Whatever parses must survive a round trip: bytes -> string ->
 * the same bytes, address -> scriptPubKey -> the same address. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/params.h"
#include "protocol/address.h"
#include "protocol/base58.h"
#include "protocol/bech32.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_base58(const char *s) {
    uint8_t buf[128], again[128];
    size_t n, m;
    if (blvm_base58_decode(s, buf, sizeof buf, &n)) {
        char *enc = blvm_base58_encode(buf, n);
        if (!enc) abort();
        if (!blvm_base58_decode(enc, again, sizeof again, &m)) abort();
        if (m != n || memcmp(buf, again, n)) abort();
        free(enc);
    }
    if (blvm_base58check_decode(s, buf, sizeof buf, &n)) {
        char *enc = blvm_base58check_encode(buf, n);
        if (!enc) abort();
        if (!blvm_base58check_decode(enc, again, sizeof again, &m)) abort();
        if (m != n || memcmp(buf, again, n)) abort();
        free(enc);
    }
}

static void check_bech32(const char *s) {
    char hrp[BLVM_BECH32_MAX_LEN + 1];
    uint8_t values[BLVM_BECH32_MAX_LEN];
    size_t n;
    const char *error = NULL;
    blvm_bech32_encoding enc = blvm_bech32_decode(s, hrp, values, &n, &error);
    if (enc == BLVM_BECH32_INVALID) {
        if (!error || !error[0]) abort();
        return;
    }
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

    uint8_t script[BLVM_ADDRESS_SCRIPT_MAX], script2[BLVM_ADDRESS_SCRIPT_MAX];
    size_t n, n2;
    char error[BLVM_ADDRESS_ERROR_MAX];
    if (blvm_address_decode(p, s, script, &n, error)) {
        /* The script has an address, which decodes to the same script. */
        char *addr = blvm_address_from_script(p, script, n);
        if (!addr) abort();
        if (!blvm_address_decode(p, addr, script2, &n2, error)) abort();
        if (n2 != n || memcmp(script, script2, n)) abort();
        free(addr);
    } else if (!error[0]) {
        abort();
    }

    uint8_t key[32], key2[32];
    bool compressed, c2;
    if (blvm_secret_decode(p, s, key, &compressed)) {
        char *wif = blvm_secret_encode(p, key, compressed);
        if (!wif) abort();
        if (!blvm_secret_decode(p, wif, key2, &c2) || c2 != compressed || memcmp(key, key2, 32))
            abort();
        free(wif);
    }

    /* Any script: if it has an address, that address decodes back to it. */
    char *addr = blvm_address_from_script(p, data + 1, size - 1);
    if (addr) {
        if (!blvm_address_decode(p, addr, script, &n, error)) abort();
        if (n != size - 1 || memcmp(script, data + 1, n)) abort();
        free(addr);
    }
    return 0;
}
