#ifndef BLVM_CONSENSUS_SIGCHECK_H
#define BLVM_CONSENSUS_SIGCHECK_H

/* Signature checks through libsecp256k1, with Bitcoin Core's exact rules:
 * ECDSA signatures are parsed with Core's lax DER parser (pre-BIP66
 * signatures are valid in old blocks) and normalized to low S before
 * verification; BIP340 Schnorr signatures use x-only keys. All functions use
 * libsecp256k1's static context: no allocation, no global state. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <secp256k1.h>

#include "util/common.h"

/* Core's ecdsa_signature_parse_der_lax (pubkey.cpp): accepts BER-ish
 * encodings OpenSSL used to accept. Returns 0 only when the structure cannot
 * be parsed; an out-of-range R or S gives a parsed but invalid signature. */
BLVM_WUR int blvm_ecdsa_signature_parse_der_lax(secp256k1_ecdsa_signature *sig,
                                                const uint8_t *input, size_t inputlen);

/* Core's CPubKey::Verify: pubkey must be 33 bytes (02/03) or 65 bytes
 * (04/06/07) with a length matching its first byte; sig is DER without the
 * hash type byte. */
BLVM_WUR bool blvm_ecdsa_verify(const uint8_t *pubkey, size_t pubkey_len, const uint8_t *sig,
                                size_t sig_len, const uint8_t msg32[32]);

/* Core's CPubKey::CheckLowS: true when sig (DER, no hash type) parses laxly
 * and its S is at most half the group order. */
BLVM_WUR bool blvm_ecdsa_check_low_s(const uint8_t *sig, size_t sig_len);

/* BIP340 verification of a 64-byte signature of a 32-byte message. */
BLVM_WUR bool blvm_schnorr_verify(const uint8_t xonly_pubkey[32], const uint8_t sig64[64],
                                  const uint8_t msg32[32]);

/* BIP341: does output key q equal internal key p tweaked by
 * TapTweak(p || merkle_root), with the given Y parity? */
BLVM_WUR bool blvm_taproot_check_tweak(const uint8_t q[32], const uint8_t p[32],
                                       const uint8_t merkle_root[32], int parity);

#endif
