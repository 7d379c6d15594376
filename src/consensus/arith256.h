#ifndef BLVM_CONSENSUS_ARITH256_H
#define BLVM_CONSENSUS_ARITH256_H

/* 256-bit unsigned integers for proof-of-work targets and chain work: Bitcoin
 * Core's arith_uint256.
 *
 * Conventions:
 * - A blvm_u256 is eight 32-bit limbs, least significant first. Arithmetic is
 *   modulo 2^256 like Core's (add, sub, mul wrap); division by zero is
 *   reported, not trapped.
 * - Hashes and other uint256 values are kept as 32 bytes in internal order
 *   (the order they are hashed in, least significant byte first): convert
 *   with blvm_u256_from_le()/blvm_u256_to_le() (Core's UintToArith256 and
 *   ArithToUint256). Hex is shown most significant first, as Core's GetHex().
 * - Output arguments may alias inputs.
 * - No function here allocates or fails except where it says so.
 */

#include <stdbool.h>
#include <stdint.h>

#include "util/common.h"

typedef struct {
    uint32_t pn[8];
} blvm_u256;

void blvm_u256_set_zero(blvm_u256 *a);
void blvm_u256_set_u64(blvm_u256 *a, uint64_t v);
/* From / to 32 bytes, least significant first (a block hash as hashed). */
void blvm_u256_from_le(blvm_u256 *a, const uint8_t in[32]);
void blvm_u256_to_le(const blvm_u256 *a, uint8_t out[32]);
/* Parses 1..64 hex digits, most significant first, optional "0x". Returns
 * false (a set to zero) on anything else. */
BLVM_WUR bool blvm_u256_from_hex(blvm_u256 *a, const char *hex);
/* 64 lowercase hex digits, most significant first, NUL terminated. */
void blvm_u256_to_hex(const blvm_u256 *a, char out[65]);

/* -1, 0 or 1 as a is below, equal to or above b. */
int blvm_u256_cmp(const blvm_u256 *a, const blvm_u256 *b);
bool blvm_u256_is_zero(const blvm_u256 *a);
/* Position of the highest set bit plus one (0 for zero). */
unsigned blvm_u256_bits(const blvm_u256 *a);
uint64_t blvm_u256_low64(const blvm_u256 *a);
/* Nearest double (for difficulty figures; never used in consensus). */
double blvm_u256_to_double(const blvm_u256 *a);

void blvm_u256_not(blvm_u256 *r, const blvm_u256 *a);
void blvm_u256_add(blvm_u256 *r, const blvm_u256 *a, const blvm_u256 *b);
void blvm_u256_sub(blvm_u256 *r, const blvm_u256 *a, const blvm_u256 *b);
/* Shifts; shifting by 256 or more gives zero. */
void blvm_u256_shl(blvm_u256 *r, const blvm_u256 *a, unsigned shift);
void blvm_u256_shr(blvm_u256 *r, const blvm_u256 *a, unsigned shift);
void blvm_u256_mul_u32(blvm_u256 *r, const blvm_u256 *a, uint32_t m);
void blvm_u256_mul_u64(blvm_u256 *r, const blvm_u256 *a, uint64_t m);
void blvm_u256_mul(blvm_u256 *r, const blvm_u256 *a, const blvm_u256 *b);
/* r = a / b rounded down. Returns false (r untouched) when b is zero. */
BLVM_WUR bool blvm_u256_div(blvm_u256 *r, const blvm_u256 *a, const blvm_u256 *b);
BLVM_WUR bool blvm_u256_div_u64(blvm_u256 *r, const blvm_u256 *a, uint64_t d);

/* Core's SetCompact: decodes the "nBits" floating-point form (8-bit size in
 * bytes, 23-bit mantissa, sign bit 0x00800000). negative and overflow may be
 * NULL. negative: the sign bit is set on a non-zero mantissa. overflow: the
 * value does not fit in 256 bits (the result is then truncated, as Core's). */
void blvm_u256_set_compact(blvm_u256 *a, uint32_t compact, bool *negative, bool *overflow);
/* Core's GetCompact: the shortest compact form, rounding the mantissa down;
 * sets the sign bit when negative and the mantissa is non-zero. */
uint32_t blvm_u256_get_compact(const blvm_u256 *a, bool negative);

#endif
