#ifndef BLVM_PROTOCOL_BECH32_H
#define BLVM_PROTOCOL_BECH32_H

/* Bech32 (BIP173) and Bech32m (BIP350) strings, and segwit addresses built
 * on them, as Bitcoin Core's src/bech32.cpp. Strings are NUL-terminated;
 * nothing allocates. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/common.h"

typedef enum {
    BLVM_BECH32_INVALID = 0,
    BLVM_BECH32 = 1,  /* BIP173 checksum constant 1: witness v0 addresses */
    BLVM_BECH32M = 2, /* BIP350 constant 0x2bc830a3: witness v1+ addresses */
} blvm_bech32_encoding;

/* BIP173's limit on a whole string (Core's CharLimit::BECH32). */
#define BLVM_BECH32_MAX_LEN 90
/* Room for any decodable human-readable part, with its NUL. */
#define BLVM_BECH32_HRP_CAP 84
/* Room for the 5-bit values of any decodable string, checksum included (the
 * decoder stores all of them while verifying): 90 - "x1" = 88. */
#define BLVM_BECH32_VALUES_CAP 88

/* Encodes hrp (lowercase, 1-83 printable ASCII characters) and 5-bit values
 * (each < 32) with the given checksum into out. Fails on bad arguments or
 * when out_cap is too small; the result is lowercase. Like Core, it does not
 * apply the 90-character limit (callers that need it check the length). */
BLVM_WUR bool blvm_bech32_encode(char *out, size_t out_cap, blvm_bech32_encoding enc,
                                 const char *hrp, const uint8_t *values, size_t n);

/* Decodes str (at most 90 characters, one case, a separator '1' with a
 * non-empty hrp before and at least 6 characters after it). On success
 * returns the checksum kind, writes the lowercased hrp to hrp_out
 * (BLVM_BECH32_HRP_CAP bytes) and the values without the checksum to values
 * (BLVM_BECH32_VALUES_CAP entries); on failure returns BLVM_BECH32_INVALID. */
BLVM_WUR blvm_bech32_encoding blvm_bech32_decode(const char *str, char *hrp_out, uint8_t *values,
                                                 size_t *n);

/* Regroups bits: from 8-bit bytes to 5-bit values with zero padding
 * (pad=true), or back (pad=false: leftover bits must be fewer than the source
 * width and all zero). Writes at most out_cap values; false on overflow or bad
 * padding. */
BLVM_WUR bool blvm_bech32_convert_bits(uint8_t *out, size_t out_cap, size_t *out_len, int to_bits,
                                       const uint8_t *in, size_t in_len, int from_bits, bool pad);

/* Witness program limits of BIP141 addresses. */
#define BLVM_WITNESS_PROG_MIN 2
#define BLVM_WITNESS_PROG_MAX 40

/* Segwit address: version 0 with Bech32, 1..16 with Bech32m (BIP350).
 * Encoding checks version <= 16, program size 2..40, and 20 or 32 for v0. */
BLVM_WUR bool blvm_segwit_addr_encode(char *out, size_t out_cap, const char *hrp, int version,
                                      const uint8_t *prog, size_t prog_len);

/* Decodes a segwit address for the given hrp. On failure *error (if not
 * NULL) is Bitcoin Core's message for the case (DecodeDestination's). */
BLVM_WUR bool blvm_segwit_addr_decode(int *version, uint8_t prog[BLVM_WITNESS_PROG_MAX],
                                      size_t *prog_len, const char *hrp, const char *addr,
                                      const char **error);

#endif
