#ifndef BLVM_PROTOCOL_STANDARD_H
#define BLVM_PROTOCOL_STANDARD_H

/* Output script templates (Bitcoin Core's Solver and TxoutType): what kind of
 * output a scriptPubKey is, and the data it commits to. Used by RPC output
 * ("type" fields), addresses and, later, standardness policy. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    BLVM_TXOUT_NONSTANDARD = 0,
    BLVM_TXOUT_ANCHOR,        /* pay-to-anchor: OP_1 <0x4e73> */
    BLVM_TXOUT_PUBKEY,
    BLVM_TXOUT_PUBKEYHASH,
    BLVM_TXOUT_SCRIPTHASH,
    BLVM_TXOUT_MULTISIG,
    BLVM_TXOUT_NULL_DATA,
    BLVM_TXOUT_WITNESS_V0_SCRIPTHASH,
    BLVM_TXOUT_WITNESS_V0_KEYHASH,
    BLVM_TXOUT_WITNESS_V1_TAPROOT,
    BLVM_TXOUT_WITNESS_UNKNOWN,
} blvm_txout_type;

/* Core's GetTxnOutputType names: "pubkeyhash", "witness_v1_taproot", ... */
const char *blvm_txout_type_name(blvm_txout_type t);

/* What a template commits to. For PUBKEY: the key; PUBKEYHASH/SCRIPTHASH: the
 * 20-byte hash; WITNESS_*: the program (with version in witness_version);
 * MULTISIG: required (m) and the n keys. Pointers point into the script. */
typedef struct {
    blvm_txout_type type;
    int witness_version;
    const uint8_t *data; /* key, hash or witness program */
    size_t data_len;
    int multisig_required;
    int multisig_keys;
    const uint8_t *keys[20];
    size_t key_lens[20];
} blvm_solution;

/* Classifies script like Core's Solver(). Never fails: unknown scripts are
 * BLVM_TXOUT_NONSTANDARD. */
blvm_txout_type blvm_solver(const uint8_t *script, size_t len, blvm_solution *out);

#endif
