#ifndef BLVM_CRYPTO_MUHASH_H
#define BLVM_CRYPTO_MUHASH_H

/* MuHash3072, byte-compatible with Bitcoin Core's MuHash3072 (the "muhash"
 * of gettxoutsetinfo and the coinstats index): a hash of a multiset that can
 * be updated one element at a time, in any order.
 *
 * Each element (any bytes; for the UTXO set Core's TxOutSer serialization of
 * one coin) maps to a number modulo the prime 2^3072 - 1103717: ChaCha20
 * keyed with SHA-256(element), nonce and counter zero, 384 bytes of
 * keystream read little-endian. The set is the product of its elements; it is
 * kept as a fraction (numerator / denominator) so that removing an element is
 * a multiplication too, and only finalizing needs a modular inverse. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLVM_NUM3072_LIMBS 48
#define BLVM_NUM3072_BYTES 384
/* Serialized size: numerator then denominator, each little-endian. */
#define BLVM_MUHASH_SERIALIZED_SIZE (2 * BLVM_NUM3072_BYTES)

/* A number below 2^3072, little-endian 64-bit limbs. Values are kept reduced
 * modulo the prime except right after deserializing, which (like Core)
 * accepts any 384 bytes. */
typedef struct {
    uint64_t limbs[BLVM_NUM3072_LIMBS];
} blvm_num3072;

typedef struct {
    blvm_num3072 numerator;
    blvm_num3072 denominator;
} blvm_muhash;

/* The empty set (numerator = denominator = 1). */
void blvm_muhash_init(blvm_muhash *m);
/* The set holding one element: Core's MuHash3072(Span). */
void blvm_muhash_init_element(blvm_muhash *m, const uint8_t *data, size_t len);

/* Adds / removes one element. Removing an element that was never added is
 * allowed (the set is a fraction) and is undone by adding it. */
void blvm_muhash_insert(blvm_muhash *m, const uint8_t *data, size_t len);
void blvm_muhash_remove(blvm_muhash *m, const uint8_t *data, size_t len);

/* m = m united with other (Core's operator*=), and m = m minus other
 * (operator/=). other may be m. */
void blvm_muhash_combine(blvm_muhash *m, const blvm_muhash *other);
void blvm_muhash_divide(blvm_muhash *m, const blvm_muhash *other);

/* The 32-byte hash: SHA-256 of the 384 little-endian bytes of
 * numerator / denominator. Like Core, it first folds the fraction into the
 * numerator (denominator becomes 1), which does not change the set. Shown by
 * RPC in reversed byte order like other uint256 values. */
void blvm_muhash_finalize(blvm_muhash *m, uint8_t out[32]);

/* Core's serialization of a MuHash3072 (768 bytes), e.g. for the coinstats
 * index. Deserializing cannot fail: any 768 bytes are a valid state. */
void blvm_muhash_serialize(const blvm_muhash *m, uint8_t out[BLVM_MUHASH_SERIALIZED_SIZE]);
void blvm_muhash_deserialize(blvm_muhash *m, const uint8_t in[BLVM_MUHASH_SERIALIZED_SIZE]);

/* Number helpers, exposed for tests. */
void blvm_num3072_set_one(blvm_num3072 *a);
void blvm_num3072_from_bytes(blvm_num3072 *a, const uint8_t in[BLVM_NUM3072_BYTES]);
void blvm_num3072_to_bytes(const blvm_num3072 *a, uint8_t out[BLVM_NUM3072_BYTES]);
/* r = a * b mod p, fully reduced; r may alias a or b. */
void blvm_num3072_mul(blvm_num3072 *r, const blvm_num3072 *a, const blvm_num3072 *b);
/* r = a^-1 mod p (0 for a = 0 mod p); r may alias a. The plain version is
 * Fermat exponentiation (running time independent of a); _var is a binary
 * extended GCD, many times faster, for public values such as set hashes. */
void blvm_num3072_inverse(blvm_num3072 *r, const blvm_num3072 *a);
void blvm_num3072_inverse_var(blvm_num3072 *r, const blvm_num3072 *a);

#endif
