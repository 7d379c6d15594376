#ifndef BLVM_PROTOCOL_BASE58_H
#define BLVM_PROTOCOL_BASE58_H

/* Base58 and Base58Check (Bitcoin's legacy address and WIF encoding), with
 * Bitcoin Core's parsing rules (leading/trailing whitespace allowed, length
 * bounded before any work is done). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/common.h"

/* Returns a malloc'd NUL-terminated string, NULL on allocation failure. */
char *blvm_base58_encode(const uint8_t *data, size_t len);
/* data || first 4 bytes of sha256d(data) */
char *blvm_base58check_encode(const uint8_t *data, size_t len);

/* Decodes into out (capacity max_len); fails when the result would be longer
 * than max_len (Core's max_ret_len), on a non-base58 character, or embedded
 * whitespace. */
BLVM_WUR bool blvm_base58_decode(const char *str, uint8_t *out, size_t max_len, size_t *out_len);
/* Decodes and checks the 4-byte checksum; *out_len excludes it. */
BLVM_WUR bool blvm_base58check_decode(const char *str, uint8_t *out, size_t max_len,
                                      size_t *out_len);

#endif
