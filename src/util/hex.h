#ifndef BLVM_UTIL_HEX_H
#define BLVM_UTIL_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/common.h"

/* Writes 2*len lowercase hex digits and a NUL to out (2*len+1 bytes). */
void blvm_hex_encode(char *out, const uint8_t *data, size_t len);
/* Same, bytes in reverse order: how Bitcoin shows hashes (txid, block hash). */
void blvm_hex_encode_reversed(char *out, const uint8_t *data, size_t len);
/* Returns a malloc'd NUL-terminated hex string, or NULL on allocation failure. */
char *blvm_hex_alloc(const uint8_t *data, size_t len);

/* The value 0..15 of one hex digit (either case), or -1 for any other char. */
int blvm_hex_digit(char c);

/* Core's IsHex: the n characters at s are all hex digits, n is even and not
 * zero, and s ends there (strlen(s) == n: no NUL hidden inside). */
bool blvm_hex_is_valid(const char *s, size_t n);

/* Decodes exactly strlen(hex)/2 bytes. Fails on odd length, a non-hex digit,
 * or when the result would not fit in out_cap. */
BLVM_WUR bool blvm_hex_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *hex);
/* Decodes a hex string into a malloc'd buffer (caller frees). NULL on bad hex. */
BLVM_WUR uint8_t *blvm_hex_decode_alloc(const char *hex, size_t *out_len);
/* Decodes exactly 64 hex digits shown in Bitcoin's reversed order into 32 bytes. */
BLVM_WUR bool blvm_hex_decode_hash(uint8_t out[32], const char *hex);

#endif
