/* Merkle roots (Core's consensus/merkle.cpp) and the BIP141 witness
 * commitment check (Core's CheckWitnessMalleation). */
#include "consensus/merkle.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/sha256.h"

/* Pairs hashed per blvm_sha256d64 call: enough for the widest path to batch,
 * small enough for a stack buffer. */
#define PAIRS_PER_CALL 64

void blvm_merkle_root_inplace(uint8_t out[32], uint8_t *hashes, size_t count, bool *mutated) {
    bool mutation = false;
    while (count > 1) {
        /* CVE-2012-2459: an odd level repeats its last hash, so a tree with
         * two equal neighbours has the same root as one without the copy.
         * Such a block is invalid even when its root matches. */
        if (mutated) {
            for (size_t pos = 0; pos + 1 < count; pos += 2)
                if (!memcmp(hashes + 32 * pos, hashes + 32 * (pos + 1), 32)) mutation = true;
        }
        if (count & 1) {
            memcpy(hashes + 32 * count, hashes + 32 * (count - 1), 32);
            count++;
        }
        size_t pairs = count / 2;
        /* Through a small buffer, so the result never overwrites an input the
         * hash has not read yet, whatever the path's batching. */
        uint8_t tmp[32 * PAIRS_PER_CALL];
        for (size_t i = 0; i < pairs; i += PAIRS_PER_CALL) {
            size_t k = pairs - i < PAIRS_PER_CALL ? pairs - i : PAIRS_PER_CALL;
            blvm_sha256d64(tmp, hashes + 64 * i, k);
            memcpy(hashes + 32 * i, tmp, 32 * k);
        }
        count = pairs;
    }
    if (mutated) *mutated = mutation;
    if (count == 0)
        memset(out, 0, 32);
    else
        memcpy(out, hashes, 32);
}

bool blvm_merkle_root(uint8_t out[32], const uint8_t *hashes, size_t count, bool *mutated) {
    if (count > SIZE_MAX / 32 - 1) return false;
    uint8_t *buf = malloc((count + 1) * 32);
    if (!buf) return false;
    if (count) memcpy(buf, hashes, count * 32);
    blvm_merkle_root_inplace(out, buf, count, mutated);
    free(buf);
    return true;
}

static bool block_root(const blvm_block *b, bool witness, uint8_t out[32], bool *mutated) {
    if (b->tx_count > SIZE_MAX / 32 - 1) return false;
    uint8_t *buf = malloc((b->tx_count + 1) * 32);
    if (!buf) return false;
    for (size_t i = 0; i < b->tx_count; i++)
        memcpy(buf + 32 * i, witness ? b->txs[i].wtxid : b->txs[i].txid, 32);
    /* BIP141: the coinbase's wtxid is taken as zero, since the coinbase holds
     * the commitment itself. */
    if (witness && b->tx_count) memset(buf, 0, 32);
    blvm_merkle_root_inplace(out, buf, b->tx_count, mutated);
    free(buf);
    return true;
}

bool blvm_block_merkle_root(const blvm_block *b, uint8_t out[32], bool *mutated) {
    return block_root(b, false, out, mutated);
}

bool blvm_block_witness_merkle_root(const blvm_block *b, uint8_t out[32], bool *mutated) {
    return block_root(b, true, out, mutated);
}

bool blvm_block_witness_commitment_index(const blvm_block *b, size_t *index) {
    static const uint8_t header[BLVM_WITNESS_COMMITMENT_HEADER_LEN] = {0x6a, 0x24, 0xaa,
                                                                       0x21, 0xa9, 0xed};
    bool found = false;
    if (b->tx_count == 0) return false;
    const blvm_tx *cb = &b->txs[0];
    for (size_t o = 0; o < cb->vout_count; o++) {
        const blvm_script *s = &cb->vout[o].script_pubkey;
        /* BIP141: the last matching output counts. */
        if (s->len >= BLVM_MINIMUM_WITNESS_COMMITMENT && !memcmp(s->data, header, sizeof header)) {
            *index = o;
            found = true;
        }
    }
    return found;
}

void blvm_witness_commitment_compute(const uint8_t witness_root[32], const uint8_t nonce[32],
                                     uint8_t out[32]) {
    uint8_t buf[64];
    memcpy(buf, witness_root, 32);
    memcpy(buf + 32, nonce, 32);
    blvm_sha256d(out, buf, 64);
}

bool blvm_block_check_witness_commitment(const blvm_block *b, bool segwit_active,
                                         blvm_validation_state *state) {
    size_t pos = 0;
    if (segwit_active && blvm_block_witness_commitment_index(b, &pos)) {
        const blvm_tx *cb = &b->txs[0];
        /* BIP141: the coinbase witness is exactly one 32-byte reserved value. */
        if (cb->vin_count == 0 || cb->vin[0].witness.count != 1 ||
            cb->vin[0].witness.items[0].len != 32)
            return blvm_state_invalid(state, BLVM_BLOCK_MUTATED, "bad-witness-nonce-size",
                                      "invalid witness reserved value size");
        /* The mutation flag is not needed: the txid tree already rejects
         * repeated transactions, so the witness tree cannot have them. */
        uint8_t root[32], commitment[32];
        if (!blvm_block_witness_merkle_root(b, root, NULL))
            return blvm_state_error(state, "out of memory");
        blvm_witness_commitment_compute(root, cb->vin[0].witness.items[0].data, commitment);
        if (memcmp(commitment,
                   cb->vout[pos].script_pubkey.data + BLVM_WITNESS_COMMITMENT_HEADER_LEN, 32))
            return blvm_state_invalid(state, BLVM_BLOCK_MUTATED, "bad-witness-merkle-match",
                                      "witness merkle commitment mismatch");
        return true;
    }
    /* Without a commitment no witness data is allowed: it would be unbound
     * space anyone could fill (BIP141). */
    for (size_t i = 0; i < b->tx_count; i++)
        if (blvm_tx_has_witness(&b->txs[i]))
            return blvm_state_invalid(state, BLVM_BLOCK_MUTATED, "unexpected-witness",
                                      "unexpected witness data found");
    return true;
}
