#include "consensus/sigcheck.h"

#include <string.h>

#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include "crypto/hash.h"

/* Port of Bitcoin Core's ecdsa_signature_parse_der_lax (src/pubkey.cpp),
 * itself from libsecp256k1's contrib/lax_der_parsing.c. Consensus depends on
 * accepting exactly what it accepts: before BIP66 any signature OpenSSL
 * parsed was valid. */
int blvm_ecdsa_signature_parse_der_lax(secp256k1_ecdsa_signature *sig, const uint8_t *input,
                                       size_t inputlen) {
    size_t rpos, rlen, spos, slen;
    size_t pos = 0;
    size_t lenbyte;
    uint8_t tmpsig[64] = {0};
    int overflow = 0;

    /* Initialize sig with a correctly parsed but invalid signature. */
    (void)secp256k1_ecdsa_signature_parse_compact(secp256k1_context_static, sig, tmpsig);

    /* Sequence tag byte */
    if (pos == inputlen || input[pos] != 0x30) return 0;
    pos++;

    /* Sequence length bytes */
    if (pos == inputlen) return 0;
    lenbyte = input[pos++];
    if (lenbyte & 0x80) {
        lenbyte -= 0x80;
        if (lenbyte > inputlen - pos) return 0;
        pos += lenbyte;
    }

    /* Integer tag byte for R */
    if (pos == inputlen || input[pos] != 0x02) return 0;
    pos++;

    /* Integer length for R */
    if (pos == inputlen) return 0;
    lenbyte = input[pos++];
    if (lenbyte & 0x80) {
        lenbyte -= 0x80;
        if (lenbyte > inputlen - pos) return 0;
        while (lenbyte > 0 && input[pos] == 0) {
            pos++;
            lenbyte--;
        }
        if (lenbyte >= 4) return 0;
        rlen = 0;
        while (lenbyte > 0) {
            rlen = (rlen << 8) + input[pos];
            pos++;
            lenbyte--;
        }
    } else {
        rlen = lenbyte;
    }
    if (rlen > inputlen - pos) return 0;
    rpos = pos;
    pos += rlen;

    /* Integer tag byte for S */
    if (pos == inputlen || input[pos] != 0x02) return 0;
    pos++;

    /* Integer length for S */
    if (pos == inputlen) return 0;
    lenbyte = input[pos++];
    if (lenbyte & 0x80) {
        lenbyte -= 0x80;
        if (lenbyte > inputlen - pos) return 0;
        while (lenbyte > 0 && input[pos] == 0) {
            pos++;
            lenbyte--;
        }
        if (lenbyte >= 4) return 0;
        slen = 0;
        while (lenbyte > 0) {
            slen = (slen << 8) + input[pos];
            pos++;
            lenbyte--;
        }
    } else {
        slen = lenbyte;
    }
    if (slen > inputlen - pos) return 0;
    spos = pos;

    /* Ignore leading zeroes in R */
    while (rlen > 0 && input[rpos] == 0) {
        rlen--;
        rpos++;
    }
    /* Copy R value */
    if (rlen > 32) {
        overflow = 1;
    } else if (rlen) {
        memcpy(tmpsig + 32 - rlen, input + rpos, rlen);
    }

    /* Ignore leading zeroes in S */
    while (slen > 0 && input[spos] == 0) {
        slen--;
        spos++;
    }
    /* Copy S value */
    if (slen > 32) {
        overflow = 1;
    } else if (slen) {
        memcpy(tmpsig + 64 - slen, input + spos, slen);
    }

    if (!overflow) {
        overflow = !secp256k1_ecdsa_signature_parse_compact(secp256k1_context_static, sig, tmpsig);
    }
    if (overflow) {
        /* A correctly parsed but invalid signature, as before. */
        memset(tmpsig, 0, 64);
        (void)secp256k1_ecdsa_signature_parse_compact(secp256k1_context_static, sig, tmpsig);
    }
    return 1;
}

/* Core's CPubKey::GetLen: the length a key with this first byte must have. */
static size_t pubkey_len_for_header(uint8_t h) {
    if (h == 2 || h == 3) return 33;
    if (h == 4 || h == 6 || h == 7) return 65;
    return 0;
}

bool blvm_ecdsa_verify(const uint8_t *pubkey, size_t pubkey_len, const uint8_t *sig, size_t sig_len,
                       const uint8_t msg32[32]) {
    if (pubkey_len == 0 || pubkey_len != pubkey_len_for_header(pubkey[0])) return false;
    secp256k1_pubkey pk;
    secp256k1_ecdsa_signature s;
    if (!secp256k1_ec_pubkey_parse(secp256k1_context_static, &pk, pubkey, pubkey_len)) return false;
    if (!blvm_ecdsa_signature_parse_der_lax(&s, sig, sig_len)) return false;
    /* libsecp256k1 only verifies low-S signatures; Bitcoin's consensus never
     * required low S, so normalize first (as Core does). */
    (void)secp256k1_ecdsa_signature_normalize(secp256k1_context_static, &s, &s);
    return secp256k1_ecdsa_verify(secp256k1_context_static, &s, msg32, &pk) == 1;
}

bool blvm_ecdsa_check_low_s(const uint8_t *sig, size_t sig_len) {
    secp256k1_ecdsa_signature s;
    if (!blvm_ecdsa_signature_parse_der_lax(&s, sig, sig_len)) return false;
    return !secp256k1_ecdsa_signature_normalize(secp256k1_context_static, NULL, &s);
}

bool blvm_schnorr_verify(const uint8_t xonly_pubkey[32], const uint8_t sig64[64],
                         const uint8_t msg32[32]) {
    secp256k1_xonly_pubkey pk;
    if (!secp256k1_xonly_pubkey_parse(secp256k1_context_static, &pk, xonly_pubkey)) return false;
    return secp256k1_schnorrsig_verify(secp256k1_context_static, sig64, msg32, 32, &pk) == 1;
}

bool blvm_taproot_check_tweak(const uint8_t q[32], const uint8_t p[32],
                              const uint8_t merkle_root[32], int parity) {
    secp256k1_xonly_pubkey internal;
    if (!secp256k1_xonly_pubkey_parse(secp256k1_context_static, &internal, p)) return false;
    uint8_t buf[64], tweak[32];
    memcpy(buf, p, 32);
    memcpy(buf + 32, merkle_root, 32);
    blvm_tagged_hash(tweak, "TapTweak", buf, 64);
    return secp256k1_xonly_pubkey_tweak_add_check(secp256k1_context_static, q, parity, &internal,
                                                  tweak) == 1;
}
