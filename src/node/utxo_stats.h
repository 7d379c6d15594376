#ifndef BLVM_NODE_UTXO_STATS_H
#define BLVM_NODE_UTXO_STATS_H

/* Statistics and hashes of the whole UTXO set, computed the way Bitcoin
 * Core's kernel/coinstats.cpp does, so `gettxoutsetinfo` answers match Core's
 * for the same chain: hash_serialized_3 (double SHA-256 over every coin in
 * key order) or muhash (MuHash3072 over the same serializations). This is
 * how two implementations show they hold the same UTXO set. */

#include <stdbool.h>
#include <stdint.h>

#include "node/chainstate.h"

typedef enum {
    BLVM_UTXO_HASH_SERIALIZED, /* hash_serialized_3 */
    BLVM_UTXO_HASH_MUHASH,
    BLVM_UTXO_HASH_NONE,
} blvm_utxo_hash_type;

typedef struct {
    int32_t height;
    uint8_t best_block[32];
    uint64_t transactions; /* transactions with unspent outputs */
    uint64_t txouts;
    uint64_t bogosize;
    int64_t total_amount;
    uint8_t hash[32]; /* zero for BLVM_UTXO_HASH_NONE */
    uint64_t disk_size;
} blvm_utxo_stats;

/* Walks a snapshot of the UTXO set. chainstate_dir (may be NULL) is only
 * measured for disk_size. false when the set cannot be read. */
BLVM_WUR bool blvm_utxo_stats_compute(blvm_chainstate *cs, blvm_utxo_hash_type type,
                                      const char *chainstate_dir, blvm_utxo_stats *out);

#endif
