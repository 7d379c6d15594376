#ifndef BLVM_PROTOCOL_ADDRESS_H
#define BLVM_PROTOCOL_ADDRESS_H

/* Addresses for every network (Bitcoin Core's key_io): base58check P2PKH and
 * P2SH, bech32 segwit v0 and bech32m v1+ (BIP173/BIP350), and WIF secret keys. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/params.h"
#include "util/common.h"

/* The longest scriptPubKey an address decodes to: OP_n <40-byte program>. */
#define BLVM_ADDRESS_SCRIPT_MAX 42
#define BLVM_ADDRESS_ERROR_MAX 256

/* Core's DecodeDestination + GetScriptForDestination: on success writes the
 * output script. On failure writes Core's error text to error (capacity
 * BLVM_ADDRESS_ERROR_MAX), e.g. "Invalid checksum or length of Base58 address
 * (P2PKH or P2SH)". */
BLVM_WUR bool blvm_address_decode(const blvm_params *p, const char *address,
                                  uint8_t script[BLVM_ADDRESS_SCRIPT_MAX], size_t *script_len,
                                  char error[BLVM_ADDRESS_ERROR_MAX]);

/* The same, also giving Core's error_locations (validateaddress): for a
 * string with this network's bech32 prefix that is not valid bech32, the
 * positions of the faulty characters (Core's bech32::LocateErrors). At most
 * cap positions are written to locs; *n_locs is their count. */
BLVM_WUR bool blvm_address_decode_locate(const blvm_params *p, const char *address,
                                         uint8_t script[BLVM_ADDRESS_SCRIPT_MAX],
                                         size_t *script_len, char error[BLVM_ADDRESS_ERROR_MAX],
                                         int *locs, size_t cap, size_t *n_locs);

/* Core's ExtractDestination + EncodeDestination: the address paying to this
 * output script, malloc'd; NULL when the script has no address (bare keys,
 * multisig, OP_RETURN, non-standard) or on allocation failure. */
char *blvm_address_from_script(const blvm_params *p, const uint8_t *script, size_t len);

/* Core's DecodeSecret (WIF): 32-byte key and whether it is for a compressed
 * public key. */
BLVM_WUR bool blvm_secret_decode(const blvm_params *p, const char *wif, uint8_t key[32],
                                 bool *compressed);
/* Core's EncodeSecret, malloc'd. */
char *blvm_secret_encode(const blvm_params *p, const uint8_t key[32], bool compressed);

#endif
