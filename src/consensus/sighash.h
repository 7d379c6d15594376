#ifndef BLVM_CONSENSUS_SIGHASH_H
#define BLVM_CONSENSUS_SIGHASH_H

/* Signature hashes: legacy (with Core's SIGHASH_SINGLE "bug" that signs the
 * hash 1 when the input has no matching output), BIP143 (segwit v0) and
 * BIP341/342 (taproot key path and tapscript), with the per-transaction
 * hashes precomputed once (Core's PrecomputedTransactionData). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/amount.h"
#include "consensus/interpreter.h"
#include "consensus/tx.h"
#include "util/common.h"

enum {
    BLVM_SIGHASH_DEFAULT = 0, /* BIP341: taproot only, means ALL */
    BLVM_SIGHASH_ALL = 1,
    BLVM_SIGHASH_NONE = 2,
    BLVM_SIGHASH_SINGLE = 3,
    BLVM_SIGHASH_ANYONECANPAY = 0x80,
    BLVM_SIGHASH_OUTPUT_MASK = 3,
    BLVM_SIGHASH_INPUT_MASK = 0x80,
};

/* Per-transaction hashes shared by every input's signature hash. */
typedef struct blvm_tx_precomputed {
    /* BIP341 single SHA-256 hashes (also the inputs of BIP143's). */
    uint8_t prevouts_single[32];
    uint8_t sequences_single[32];
    uint8_t outputs_single[32];
    uint8_t spent_amounts_single[32];
    uint8_t spent_scripts_single[32];
    bool bip341_ready;
    /* BIP143 double SHA-256 hashes. */
    uint8_t hash_prevouts[32];
    uint8_t hash_sequence[32];
    uint8_t hash_outputs[32];
    bool bip143_ready;
    /* The outputs the inputs spend, one per input (borrowed, not owned). */
    const blvm_txout *spent_outputs;
    bool spent_outputs_ready;
} blvm_tx_precomputed;

/* Core's PrecomputedTransactionData::Init. spent may be NULL (then taproot
 * signature hashes cannot be computed); otherwise it has tx->vin_count
 * entries and must outlive pd. With force, computes everything; otherwise
 * only what the transaction's witness-bearing inputs need. */
void blvm_tx_precompute(blvm_tx_precomputed *pd, const blvm_tx *tx, const blvm_txout *spent,
                        bool force);

/* Legacy signature hash of input n_in with script_code (OP_CODESEPARATORs are
 * left out of the hashed copy, as Core does). hash_type is the full 32-bit
 * value that gets serialized. n_in must be < tx->vin_count. */
void blvm_sighash_legacy(uint8_t out[32], const uint8_t *script_code, size_t script_len,
                         const blvm_tx *tx, size_t n_in, int32_t hash_type);

/* BIP143 signature hash. cache may be NULL or not ready (then the hashes are
 * computed here). */
void blvm_sighash_witness_v0(uint8_t out[32], const uint8_t *script_code, size_t script_len,
                             const blvm_tx *tx, size_t n_in, int32_t hash_type, blvm_amount amount,
                             const blvm_tx_precomputed *cache);

/* BIP341/342 signature hash (sigversion TAPROOT or TAPSCRIPT). Returns false
 * for an undefined hash type, SIGHASH_SINGLE without a matching output, or
 * when cache lacks the spent outputs. execdata must have the annex set, and
 * for TAPSCRIPT the leaf hash and code separator position; it caches the
 * single-output hash. */
BLVM_WUR bool blvm_sighash_taproot(uint8_t out[32], blvm_script_exec_data *execdata,
                                   const blvm_tx *tx, size_t n_in, uint8_t hash_type,
                                   blvm_sigversion sigversion, const blvm_tx_precomputed *cache);

#endif
