/* Core's CheckBlockHeader and CheckBlock (validation.cpp). */
#include "consensus/block_check.h"

#include <string.h>

#include "consensus/merkle.h"
#include "consensus/script.h"
#include "consensus/tx_check.h"
#include "util/hex.h"

/* Compares two 256-bit numbers stored least significant byte first. */
static int cmp_le256(const uint8_t a[32], const uint8_t b[32]) {
    for (int i = 31; i >= 0; i--)
        if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    return 0;
}

bool blvm_check_proof_of_work_limit(const uint8_t hash[32], uint32_t bits,
                                    const uint8_t pow_limit[32]) {
    /* Core's arith_uint256::SetCompact: 8-bit size in bytes, 23-bit word,
     * sign bit 0x00800000. */
    unsigned size = bits >> 24;
    uint32_t word = bits & 0x007fffffu;
    if (word == 0) return false; /* a zero target */
    if (bits & 0x00800000u) return false;
    if (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32))
        return false; /* overflow */
    uint8_t target[32] = {0};
    if (size <= 3) {
        word >>= 8 * (3 - size);
        if (word == 0) return false;
        target[0] = (uint8_t)word;
        target[1] = (uint8_t)(word >> 8);
        target[2] = (uint8_t)(word >> 16);
    } else {
        /* The word's bytes land at size-3 .. size-1; those past 31 are zero
         * (the overflow test above guarantees it). */
        for (unsigned k = 0; k < 3; k++) {
            unsigned pos = size - 3 + k;
            if (pos < 32) target[pos] = (uint8_t)(word >> (8 * k));
        }
    }
    if (cmp_le256(target, pow_limit) > 0) return false;
    return cmp_le256(hash, target) <= 0;
}

bool blvm_check_block_header(const blvm_block_header *h, const uint8_t pow_limit[32],
                             blvm_validation_state *state) {
    uint8_t hash[32];
    blvm_header_hash(h, hash);
    if (!blvm_check_proof_of_work_limit(hash, h->bits, pow_limit))
        return blvm_state_invalid(state, BLVM_BLOCK_INVALID_HEADER, "high-hash",
                                  "proof of work failed");
    return true;
}

static bool check_merkle_root(const blvm_block *b, blvm_validation_state *state) {
    uint8_t root[32];
    bool mutated = false;
    if (!blvm_block_merkle_root(b, root, &mutated)) return blvm_state_error(state, "out of memory");
    if (memcmp(root, b->header.merkle_root, 32))
        return blvm_state_invalid(state, BLVM_BLOCK_MUTATED, "bad-txnmrklroot",
                                  "hashMerkleRoot mismatch");
    /* CVE-2012-2459: repeated transactions that keep the root; the block is
     * invalid but its header may be fine, hence BLOCK_MUTATED. */
    if (mutated)
        return blvm_state_invalid(state, BLVM_BLOCK_MUTATED, "bad-txns-duplicate",
                                  "duplicate transaction");
    return true;
}

bool blvm_check_block(const blvm_block *b, const blvm_check_block_opts *opts,
                      blvm_validation_state *state) {
    if (opts->check_pow) {
        if (!opts->pow_limit) return blvm_state_error(state, "no proof-of-work limit given");
        if (!blvm_check_block_header(&b->header, opts->pow_limit, state)) return false;
    }
    /* Everything that could be corruption in transit is checked before any
     * transaction rule, so a bad copy never marks a good header invalid. */
    if (opts->check_merkle_root && !check_merkle_root(b, state)) return false;

    if (b->tx_count == 0 || b->tx_count * BLVM_WITNESS_SCALE_FACTOR > BLVM_MAX_BLOCK_WEIGHT ||
        blvm_block_size(b, false) * BLVM_WITNESS_SCALE_FACTOR > BLVM_MAX_BLOCK_WEIGHT)
        return blvm_state_invalid(state, BLVM_BLOCK_CONSENSUS, "bad-blk-length",
                                  "size limits failed");

    if (!blvm_tx_is_coinbase(&b->txs[0]))
        return blvm_state_invalid(state, BLVM_BLOCK_CONSENSUS, "bad-cb-missing",
                                  "first tx is not coinbase");
    for (size_t i = 1; i < b->tx_count; i++)
        if (blvm_tx_is_coinbase(&b->txs[i]))
            return blvm_state_invalid(state, BLVM_BLOCK_CONSENSUS, "bad-cb-multiple",
                                      "more than one coinbase");

    /* Includes the duplicate-input check (CVE-2018-17144). */
    for (size_t i = 0; i < b->tx_count; i++) {
        blvm_validation_state tx_state;
        blvm_state_init(&tx_state);
        if (!blvm_check_transaction(&b->txs[i], &tx_state)) {
            if (tx_state.mode == BLVM_STATE_ERROR)
                return blvm_state_error(state, tx_state.reject_reason);
            char txid[65];
            blvm_hex_encode_reversed(txid, b->txs[i].txid, 32);
            return blvm_state_invalid(state, BLVM_BLOCK_CONSENSUS, tx_state.reject_reason,
                                      "Transaction check failed (tx hash %s) %s", txid,
                                      tx_state.debug);
        }
    }

    uint64_t sigops = 0;
    for (size_t i = 0; i < b->tx_count; i++) sigops += blvm_tx_legacy_sigop_count(&b->txs[i]);
    if (sigops * BLVM_WITNESS_SCALE_FACTOR > BLVM_MAX_BLOCK_SIGOPS_COST)
        return blvm_state_invalid(state, BLVM_BLOCK_CONSENSUS, "bad-blk-sigops",
                                  "out-of-bounds SigOpCount");
    return true;
}
