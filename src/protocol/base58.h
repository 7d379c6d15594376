#ifndef BLVM_PROTOCOL_BASE58_H
#define BLVM_PROTOCOL_BASE58_H

/* Base58 and Base58Check, as Bitcoin Core's src/base58.cpp: legacy addresses
 * (P2PKH, P2SH), WIF private keys, BIP32 extended keys.
 *
 * Strings are NUL-terminated. Nothing here allocates: the caller passes the
 * output buffer and its capacity, which also bounds how much an untrusted
 * string can make the decoder do (Core's max_ret_len). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/common.h"

/* Capacity that always suffices for encoding len bytes (with the NUL). */
#define BLVM_BASE58_ENCODED_CAP(len) ((len) * 138 / 100 + 2)

/* Writes the Base58 form of data[0..len) and a NUL to out. Fails (writing an
 * empty string when out_cap > 0) when out_cap is too small. */
BLVM_WUR bool blvm_base58_encode(char *out, size_t out_cap, const uint8_t *data, size_t len);

/* Decodes str into out (at most out_cap bytes) and sets *out_len. Leading and
 * trailing whitespace is skipped like Core; any other character outside the
 * Base58 alphabet, or a result longer than out_cap, fails. On failure
 * *out_len is 0. */
BLVM_WUR bool blvm_base58_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *str);

/* Base58Check: data followed by the first 4 bytes of SHA256d(data). */
BLVM_WUR bool blvm_base58check_encode(char *out, size_t out_cap, const uint8_t *data, size_t len);
/* Decodes and verifies the checksum; out gets the payload without it (at
 * most out_cap bytes). Fails on a bad checksum or fewer than 4 bytes. */
BLVM_WUR bool blvm_base58check_decode(uint8_t *out, size_t out_cap, size_t *out_len,
                                      const char *str);

#endif
