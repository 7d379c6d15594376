#ifndef BLVM_PROTOCOL_BECH32_H
#define BLVM_PROTOCOL_BECH32_H

/* Bech32 (BIP173) and Bech32m (BIP350) strings, as Bitcoin Core parses them:
 * at most 90 characters, no mixed case, the separator '1' at least one
 * character in and six from the end. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/common.h"

#define BLVM_BECH32_MAX_LEN 90

typedef enum {
    BLVM_BECH32_INVALID = 0,
    BLVM_BECH32 = 1,  /* BIP173 */
    BLVM_BECH32M = 2, /* BIP350 */
} blvm_bech32_encoding;

/* Encodes hrp (lowercase) and 5-bit values; out needs hrp + 1 + n + 6 + 1
 * bytes. Returns false when it would not fit in out_cap. */
BLVM_WUR bool blvm_bech32_encode(char *out, size_t out_cap, blvm_bech32_encoding enc,
                                 const char *hrp, const uint8_t *values, size_t n);

/* Decodes str. On success returns the encoding, writes the lowercase hrp
 * into hrp (at least BLVM_BECH32_MAX_LEN + 1 bytes) and the 5-bit values
 * (without the checksum) into values (at least BLVM_BECH32_MAX_LEN). On
 * failure returns BLVM_BECH32_INVALID and *error names the reason (Core's
 * LocateErrors wording). */
blvm_bech32_encoding blvm_bech32_decode(const char *str, char *hrp, uint8_t *values,
                                        size_t *n_values, const char **error);

/* Core's bech32::LocateErrors: why str is not a valid bech32/bech32m
 * string and, when it can tell, the positions of the faulty characters
 * (bad characters, the separator, or up to two substitutions found from the
 * checksum's syndrome). Writes at most cap positions to locs and their
 * count to *n_locs. Returns "" for a valid string. */
const char *blvm_bech32_locate_errors(const char *str, int *locs, size_t cap, size_t *n_locs);

/* Regroups bits (Core's ConvertBits): from-bit groups to to-bit groups, with
 * padding on encode; on decode (pad=false) leftover bits must be zero and
 * fewer than from_bits. Returns false when the input is not valid. */
BLVM_WUR bool blvm_convert_bits(uint8_t *out, size_t out_cap, size_t *out_len, int to_bits,
                                const uint8_t *in, size_t in_len, int from_bits, bool pad);

#endif
