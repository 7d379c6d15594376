/* Core's CheckBlockHeader and CheckBlock (validation.cpp). */
#include "consensus/block_check.h"

#include <string.h>

#include "consensus/merkle.h"
#include "consensus/pow.h"
#include "consensus/script.h"
#include "consensus/signet.h"
#include "consensus/tx_check.h"
#include "util/hex.h"

bool blvm_check_block_header(const blvm_block_header *h, const blvm_params *params,
                             blvm_validation_state *state) {
    uint8_t hash[32];
    blvm_header_hash(h, hash);
    if (!blvm_pow_check(hash, h->bits, params))
        return blvm_state_invalid(state, BLVM_BLOCK_INVALID_HEADER, "high-hash",
                                  "proof of work failed");
    return true;
}

static bool merkle_root_ok(const blvm_block *b, blvm_validation_state *state) {
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

bool blvm_check_block(const blvm_block *b, const blvm_params *params, bool check_pow,
                      bool check_merkle_root, blvm_validation_state *state) {
    if (check_pow) {
        if (!params) return blvm_state_error(state, "no chain parameters given");
        if (!blvm_check_block_header(&b->header, params, state)) return false;
        /* BIP325: on a signet the block must carry a solution to the
         * network's challenge (Core checks it here, with the proof of work). */
        if (params->signet_blocks) {
            int rc = blvm_signet_check_block_solution(b, params);
            if (rc < 0) return blvm_state_error(state, "out of memory");
            if (rc == 0)
                return blvm_state_invalid(state, BLVM_BLOCK_CONSENSUS, "bad-signet-blksig",
                                          "signet block signature validation failure");
        }
    }
    /* Everything that could be corruption in transit is checked before any
     * transaction rule, so a bad copy never marks a good header invalid. */
    if (check_merkle_root && !merkle_root_ok(b, state)) return false;

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
    for (size_t i = 0; i < b->tx_count; i++)
        sigops += blvm_tx_legacy_sigop_count(&b->txs[i]);
    if (sigops * BLVM_WITNESS_SCALE_FACTOR > BLVM_MAX_BLOCK_SIGOPS_COST)
        return blvm_state_invalid(state, BLVM_BLOCK_CONSENSUS, "bad-blk-sigops",
                                  "out-of-bounds SigOpCount");
    return true;
}
