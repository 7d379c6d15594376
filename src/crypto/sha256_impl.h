#ifndef BLVM_CRYPTO_SHA256_IMPL_H
#define BLVM_CRYPTO_SHA256_IMPL_H

/* Internal interface between the SHA-256 front end (sha256.c) and its
 * instruction-set specific compression functions. Tests and benchmarks use
 * blvm_sha256_use() to force one path and compare it with the others. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/common.h"

/* Runs the compression function over blocks consecutive 64-byte chunks. */
typedef void (*blvm_sha256_transform_fn)(uint32_t s[8], const uint8_t *chunk, size_t blocks);
/* Double hashes of N independent 64-byte inputs (N = 1, 2, 4 or 8 per path). */
typedef void (*blvm_sha256d64_fn)(uint8_t *out, const uint8_t *in);

void blvm_sha256_transform_generic(uint32_t s[8], const uint8_t *chunk, size_t blocks);
void blvm_sha256d64_generic(uint8_t out[32], const uint8_t in[64]);

#if defined(__x86_64__) || defined(__i386__)
#define BLVM_SHA256_X86 1
/* Each N-way function reads N*64 bytes and writes N*32. */
void blvm_sha256_transform_shani(uint32_t s[8], const uint8_t *chunk, size_t blocks);
void blvm_sha256d64_shani_1way(uint8_t *out, const uint8_t *in);
void blvm_sha256d64_shani_2way(uint8_t *out, const uint8_t *in);
void blvm_sha256d64_sse41_4way(uint8_t *out, const uint8_t *in);
void blvm_sha256d64_avx2_8way(uint8_t *out, const uint8_t *in);
#endif

/* Forces the paths used from now on. name is one of:
 *   "auto"    the fastest this CPU supports (what autodetect picks),
 *   "generic" portable C only,
 *   "shani"   SHA-NI transform, 1-way and 2-way double hash,
 *   "shani+avx2"  the same plus the AVX2 8-way double hash (Core's choice),
 *   "sse41"   generic transform + SSE4.1 4-way double hash,
 *   "avx2"    generic transform + AVX2 8-way double hash.
 * Returns false (and changes nothing) when the name is unknown or the CPU
 * lacks the instructions. Not thread-safe: for tests and benchmarks only. */
BLVM_WUR bool blvm_sha256_use(const char *name);

/* Names accepted by blvm_sha256_use(), NULL-terminated; and whether this CPU
 * can run each one. */
extern const char *const blvm_sha256_impl_names[];
bool blvm_sha256_impl_available(const char *name);

/* Description of the current selection, like blvm_sha256_autodetect(). */
const char *blvm_sha256_current(void);

#endif
