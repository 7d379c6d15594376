#ifndef BLVM_CRYPTO_SHA256_CONSTS_H
#define BLVM_CRYPTO_SHA256_CONSTS_H

/* Tables shared by the SHA-256 compression paths (internal to src/crypto). */

#include <stdint.h>

extern const uint32_t blvm_sha256_k[64];
extern const uint32_t blvm_sha256_iv[8];
extern const uint32_t blvm_sha256_pad64_kw[64];

#endif
