#ifndef BLVM_CRYPTO_CHACHA20_H
#define BLVM_CRYPTO_CHACHA20_H

/* ChaCha20 stream cipher in the RFC 8439 layout: 256-bit key, 96-bit nonce,
 * 32-bit block counter. Used by MuHash3072 (to expand a hash into a 3072-bit
 * number) and later by BIP324 transport encryption.
 *
 * Bitcoin Core's ChaCha20::Nonce96 {a, b} is the 12 nonce bytes
 * LE32(a) || LE64(b). */

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t input[16]; /* constants, key, counter, nonce */
    uint8_t buf[64];    /* keystream left over from the last block */
    uint8_t buf_left;   /* bytes of buf not used yet (at its end) */
} blvm_chacha20_ctx;

/* Keys the cipher; nonce and block counter start at zero. */
void blvm_chacha20_init(blvm_chacha20_ctx *ctx, const uint8_t key[32]);
/* Sets the nonce and moves to the start of block number counter. */
void blvm_chacha20_seek(blvm_chacha20_ctx *ctx, const uint8_t nonce[12], uint32_t counter);
/* Writes the next len keystream bytes. */
void blvm_chacha20_keystream(blvm_chacha20_ctx *ctx, uint8_t *out, size_t len);
/* out = in XOR keystream (encrypts and decrypts); in and out may be equal. */
void blvm_chacha20_crypt(blvm_chacha20_ctx *ctx, const uint8_t *in, uint8_t *out, size_t len);
/* Wipes the key material. */
void blvm_chacha20_clear(blvm_chacha20_ctx *ctx);

#endif
