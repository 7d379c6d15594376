#ifndef BLVM_CRYPTO_HASH_H
#define BLVM_CRYPTO_HASH_H

/* Bitcoin's composite hashes and BIP340 tagged hashes. */

#include <stddef.h>
#include <stdint.h>

#include "crypto/sha256.h"

/* HASH160 = RIPEMD-160(SHA-256(data)): P2PKH/P2WPKH key hashes, P2SH. */
void blvm_hash160(uint8_t out[20], const uint8_t *data, size_t len);
/* HASH256 = SHA-256(SHA-256(data)): txids, block hashes, checksums. */
void blvm_hash256(uint8_t out[32], const uint8_t *data, size_t len);

/* BIP340 tagged hash: starts ctx as SHA-256 with SHA-256(tag) || SHA-256(tag)
 * already written; tag is a NUL-terminated string such as "TapLeaf". */
void blvm_sha256_init_tagged(blvm_sha256_ctx *ctx, const char *tag);
/* out = SHA-256(SHA-256(tag) || SHA-256(tag) || data). */
void blvm_tagged_hash(uint8_t out[32], const char *tag, const uint8_t *data, size_t len);

#endif
