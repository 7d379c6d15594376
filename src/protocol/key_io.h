#ifndef BLVM_PROTOCOL_KEY_IO_H
#define BLVM_PROTOCOL_KEY_IO_H

/* Addresses and WIF private keys of one network, as Bitcoin Core's
 * key_io.cpp (EncodeDestination, DecodeDestination, EncodeSecret,
 * DecodeSecret) with script/solver's ExtractDestination and
 * GetScriptForDestination.
 *
 * Legacy addresses are Base58Check with the network's version byte; segwit
 * addresses are Bech32 (v0) or Bech32m (v1+) with its hrp. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/params.h"
#include "protocol/bech32.h"
#include "util/common.h"

typedef enum {
    BLVM_DEST_NONE = 0,
    BLVM_DEST_P2PKH,               /* 20-byte key hash */
    BLVM_DEST_P2SH,                /* 20-byte script hash */
    BLVM_DEST_WITNESS_V0_KEYHASH,  /* P2WPKH, 20 bytes */
    BLVM_DEST_WITNESS_V0_SCRIPTHASH, /* P2WSH, 32 bytes */
    BLVM_DEST_WITNESS_V1_TAPROOT,  /* P2TR, 32-byte output key */
    BLVM_DEST_ANCHOR,              /* P2A: witness v1 program 0x4e73 */
    BLVM_DEST_WITNESS_UNKNOWN,     /* any other witness version/program */
} blvm_dest_type;

/* Where coins can be sent by address. For the hash types the bytes are in
 * program[0..program_len); version is the witness version (-1 for legacy). */
typedef struct {
    blvm_dest_type type;
    int version;
    uint8_t program[BLVM_WITNESS_PROG_MAX];
    size_t program_len;
} blvm_destination;

/* Largest scriptPubKey of any destination: OP_n, push, 40 bytes. */
#define BLVM_DEST_SCRIPT_MAX 42
/* Room for any encoded address or WIF key, with the NUL. */
#define BLVM_ADDRESS_CAP 96

/* Recognizes a scriptPubKey that has an address (Core's ExtractDestination
 * for those types). Bare public keys, multisig, OP_RETURN and other scripts
 * have none: returns false and d->type = BLVM_DEST_NONE. */
BLVM_WUR bool blvm_destination_from_script(blvm_destination *d, const uint8_t *script, size_t len);

/* Writes the scriptPubKey paying d (Core's GetScriptForDestination) and
 * returns its length, or 0 for BLVM_DEST_NONE or an inconsistent d. */
size_t blvm_destination_to_script(const blvm_destination *d, uint8_t out[BLVM_DEST_SCRIPT_MAX]);

/* The address of d on network p. False for BLVM_DEST_NONE or when out_cap is
 * too small. */
BLVM_WUR bool blvm_encode_destination(char *out, size_t out_cap, const blvm_params *p,
                                      const blvm_destination *d);

/* Parses an address of network p. On failure d->type is BLVM_DEST_NONE and,
 * when error is not NULL, error (error_cap bytes) holds Bitcoin Core's
 * message for the case (what validateaddress shows), except that a wrong
 * Bech32 checksum is reported as "Invalid checksum" without Core's search
 * for the position of the error. */
BLVM_WUR bool blvm_decode_destination(blvm_destination *d, const blvm_params *p, const char *str,
                                      char *error, size_t error_cap);

/* WIF: Base58Check of the network's secret prefix, the 32-byte key, and 0x01
 * when the public key is compressed. Fails for a key that is zero or not
 * below the curve order. */
BLVM_WUR bool blvm_encode_secret(char *out, size_t out_cap, const blvm_params *p,
                                 const uint8_t key[32], bool compressed);
BLVM_WUR bool blvm_decode_secret(uint8_t key[32], bool *compressed, const blvm_params *p,
                                 const char *str);

#endif
