/* Contextual consensus rules, after Bitcoin Core 29's validation.cpp,
 * consensus/tx_verify.cpp and pow.cpp callers. */
#include "consensus/chain_rules.h"

#include <stdio.h>
#include <string.h>

#include "consensus/interpreter.h"
#include "consensus/merkle.h"
#include "consensus/pow.h"

blvm_amount blvm_block_subsidy(int32_t height, const blvm_params *p) {
    int32_t halvings = height / p->subsidy_halving_interval;
    /* Shifting an int64 by 64 or more is undefined; the reward is long zero. */
    if (halvings >= 64) return 0;
    blvm_amount subsidy = 50 * BLVM_COIN;
    subsidy >>= halvings;
    return subsidy;
}

bool blvm_tx_is_final(const blvm_tx *tx, int32_t block_height, int64_t block_time) {
    if (tx->locktime == 0) return true;
    int64_t lock = tx->locktime;
    if (lock < (tx->locktime < BLVM_LOCKTIME_THRESHOLD ? (int64_t)block_height : block_time))
        return true;
    /* A lock time not yet reached is ignored when every input opted out by
     * a final nSequence. */
    for (size_t i = 0; i < tx->vin_count; i++)
        if (tx->vin[i].sequence != BLVM_SEQUENCE_FINAL) return false;
    return true;
}

bool blvm_calculate_sequence_locks(const blvm_tx *tx, uint32_t flags, int32_t *prev_heights,
                                   const blvm_chain_entry *block, blvm_sequence_locks *out) {
    int32_t min_height = -1;
    int64_t min_time = -1;
    /* BIP68 applies to version 2 and later (the version is unsigned, so
     * 0x80000000 and up count too, as in Core 28+). */
    bool enforce = tx->version >= 2 && (flags & BLVM_LOCKTIME_VERIFY_SEQUENCE);
    if (enforce) {
        for (size_t i = 0; i < tx->vin_count; i++) {
            uint32_t seq = tx->vin[i].sequence;
            if (seq & BLVM_SEQUENCE_LOCKTIME_DISABLE_FLAG) {
                prev_heights[i] = 0;
                continue;
            }
            int32_t coin_height = prev_heights[i];
            if (coin_height > block->height) return false;
            if (seq & BLVM_SEQUENCE_LOCKTIME_TYPE_FLAG) {
                /* Time locks count from the median time past of the block
                 * before the one holding the coin. */
                int32_t h = coin_height - 1 > 0 ? coin_height - 1 : 0;
                const blvm_chain_entry *anc = blvm_chain_entry_ancestor(block, h);
                if (anc == NULL) return false;
                int64_t coin_time = blvm_chain_entry_median_time_past(anc);
                int64_t t = coin_time +
                            ((int64_t)(seq & BLVM_SEQUENCE_LOCKTIME_MASK)
                             << BLVM_SEQUENCE_LOCKTIME_GRANULARITY) -
                            1;
                if (t > min_time) min_time = t;
            } else {
                int32_t hgt = coin_height + (int32_t)(seq & BLVM_SEQUENCE_LOCKTIME_MASK) - 1;
                if (hgt > min_height) min_height = hgt;
            }
        }
    }
    out->min_height = min_height;
    out->min_time = min_time;
    return true;
}

bool blvm_evaluate_sequence_locks(const blvm_chain_entry *block, const blvm_sequence_locks *locks) {
    if (block->prev == NULL) return false; /* Core asserts a parent */
    int64_t block_time = blvm_chain_entry_median_time_past(block->prev);
    if (locks->min_height >= block->height || locks->min_time >= block_time) return false;
    return true;
}

bool blvm_sequence_locks_check(const blvm_tx *tx, uint32_t flags, int32_t *prev_heights,
                               const blvm_chain_entry *block) {
    blvm_sequence_locks locks;
    if (!blvm_calculate_sequence_locks(tx, flags, prev_heights, block, &locks)) return false;
    return blvm_evaluate_sequence_locks(block, &locks);
}

size_t blvm_bip34_height_script(int32_t height, uint8_t out[BLVM_BIP34_SCRIPT_MAX]) {
    if (height == 0) {
        out[0] = 0x00; /* OP_0 */
        return 1;
    }
    if (height >= 1 && height <= 16) {
        out[0] = (uint8_t)(0x50 + height); /* OP_1 .. OP_16 */
        return 1;
    }
    /* Minimal CScriptNum of a positive number: little endian, plus a zero
     * byte when the top bit would read as a sign. */
    uint8_t num[5];
    size_t n = 0;
    uint32_t v = (uint32_t)height;
    while (v) {
        num[n++] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
    if (num[n - 1] & 0x80) num[n++] = 0x00;
    out[0] = (uint8_t)n;
    memcpy(out + 1, num, n);
    return n + 1;
}

bool blvm_bip34_coinbase_has_height(const blvm_tx *coinbase, int32_t height) {
    if (coinbase->vin_count == 0 || height < 0) return false;
    uint8_t expect[BLVM_BIP34_SCRIPT_MAX];
    size_t n = blvm_bip34_height_script(height, expect);
    const blvm_script *ss = &coinbase->vin[0].script_sig;
    return ss->len >= n && memcmp(ss->data, expect, n) == 0;
}

uint32_t blvm_block_script_flags(const blvm_params *p, int32_t height,
                                 const uint8_t block_hash[32]) {
    /* BIP16 was only enforced from April 2012, and taproot from height
     * 709632, but just one historical block broke P2SH rules (on mainnet and
     * testnet3) and one broke taproot rules (mainnet), so Core applies both
     * everywhere except in those blocks. */
    uint32_t flags =
        BLVM_SCRIPT_VERIFY_P2SH | BLVM_SCRIPT_VERIFY_WITNESS | BLVM_SCRIPT_VERIFY_TAPROOT;
    for (size_t i = 0; i < p->script_flag_exception_count; i++) {
        if (memcmp(p->script_flag_exceptions[i].hash, block_hash, 32) == 0) {
            flags = p->script_flag_exceptions[i].flags;
            break;
        }
    }
    if (blvm_params_deployment_active(p, BLVM_DEPLOYMENT_DERSIG, height))
        flags |= BLVM_SCRIPT_VERIFY_DERSIG; /* BIP66 */
    if (blvm_params_deployment_active(p, BLVM_DEPLOYMENT_CLTV, height))
        flags |= BLVM_SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY; /* BIP65 */
    if (blvm_params_deployment_active(p, BLVM_DEPLOYMENT_CSV, height))
        flags |= BLVM_SCRIPT_VERIFY_CHECKSEQUENCEVERIFY; /* BIP112 */
    if (blvm_params_deployment_active(p, BLVM_DEPLOYMENT_SEGWIT, height))
        flags |= BLVM_SCRIPT_VERIFY_NULLDUMMY; /* BIP147, activated with segwit */
    return flags;
}

bool blvm_is_bip30_repeat(const blvm_params *p, int32_t height, const uint8_t block_hash[32]) {
    for (size_t i = 0; i < p->bip30_exception_count; i++) {
        if (p->bip30_exceptions[i].height == height &&
            memcmp(p->bip30_exceptions[i].hash, block_hash, 32) == 0)
            return true;
    }
    return false;
}

/* The first height at which a BIP34 coinbase could repeat a pre-BIP34 one
 * (block 164384's coinbase starts with the BIP34 push of 1983702). */
#define BIP34_IMPLIES_BIP30_LIMIT 1983702

bool blvm_bip30_check_needed(const blvm_params *p, const blvm_chain_entry *block) {
    bool enforce = !blvm_is_bip30_repeat(p, block->height, block->hash);
    if (enforce && block->prev != NULL && p->has_bip34_hash) {
        const blvm_chain_entry *bip34 = blvm_chain_entry_ancestor(block->prev, p->bip34_height);
        if (bip34 != NULL && memcmp(bip34->hash, p->bip34_hash, 32) == 0) enforce = false;
    }
    return enforce || block->height >= BIP34_IMPLIES_BIP30_LIMIT;
}

bool blvm_contextual_check_block_header(const blvm_block_header *h, const blvm_chain_entry *prev,
                                        const blvm_params *p, int64_t now,
                                        blvm_validation_state *state) {
    if (prev == NULL) return blvm_state_error(state, "contextual header check without a parent");
    const int32_t height = prev->height + 1;

    if (h->bits != blvm_pow_next_work_required(prev, h->time, p))
        return blvm_state_invalid(state, BLVM_BLOCK_INVALID_HEADER, "bad-diffbits",
                                  "incorrect proof of work");

    if ((int64_t)h->time <= blvm_chain_entry_median_time_past(prev))
        return blvm_state_invalid(state, BLVM_BLOCK_INVALID_HEADER, "time-too-old",
                                  "block's timestamp is too early");

    /* BIP94 (testnet4): the first block of a retarget period may not go back
     * more than 10 minutes from its parent, closing the timewarp attack. */
    if (p->enforce_bip94 && height % blvm_params_difficulty_adjustment_interval(p) == 0) {
        if ((int64_t)h->time < (int64_t)prev->time - BLVM_MAX_TIMEWARP)
            return blvm_state_invalid(state, BLVM_BLOCK_INVALID_HEADER, "time-timewarp-attack",
                                      "block's timestamp is too early on diff adjustment block");
    }

    if ((int64_t)h->time > now + BLVM_MAX_FUTURE_BLOCK_TIME)
        return blvm_state_invalid(state, BLVM_BLOCK_TIME_FUTURE, "time-too-new",
                                  "block timestamp too far in the future");

    /* Once BIP34, BIP66 and BIP65 apply, blocks must signal versions 2, 3 and
     * 4 at least. */
    if ((h->version < 2 && blvm_params_deployment_active(p, BLVM_DEPLOYMENT_HEIGHTINCB, height)) ||
        (h->version < 3 && blvm_params_deployment_active(p, BLVM_DEPLOYMENT_DERSIG, height)) ||
        (h->version < 4 && blvm_params_deployment_active(p, BLVM_DEPLOYMENT_CLTV, height))) {
        char reason[32];
        snprintf(reason, sizeof reason, "bad-version(0x%08x)", (uint32_t)h->version);
        return blvm_state_invalid(state, BLVM_BLOCK_INVALID_HEADER, reason,
                                  "rejected nVersion=0x%08x block", (uint32_t)h->version);
    }
    return true;
}

bool blvm_contextual_check_block(const blvm_block *b, const blvm_chain_entry *prev,
                                 const blvm_params *p, blvm_validation_state *state) {
    const int32_t height = prev == NULL ? 0 : prev->height + 1;

    /* BIP113: once CSV is active, lock times are compared with the median
     * time past of the parent rather than the block's own time. */
    int64_t cutoff = b->header.time;
    if (prev != NULL && blvm_params_deployment_active(p, BLVM_DEPLOYMENT_CSV, height))
        cutoff = blvm_chain_entry_median_time_past(prev);

    for (size_t i = 0; i < b->tx_count; i++) {
        if (!blvm_tx_is_final(&b->txs[i], height, cutoff))
            return blvm_state_invalid(state, BLVM_BLOCK_CONSENSUS, "bad-txns-nonfinal",
                                      "non-final transaction");
    }

    /* BIP34: the coinbase scriptSig starts with the block height. */
    if (blvm_params_deployment_active(p, BLVM_DEPLOYMENT_HEIGHTINCB, height)) {
        if (b->tx_count == 0 || !blvm_bip34_coinbase_has_height(&b->txs[0], height))
            return blvm_state_invalid(state, BLVM_BLOCK_CONSENSUS, "bad-cb-height",
                                      "block height mismatch in coinbase");
    }

    /* BIP141 witness commitment, or no witness data at all. */
    bool segwit = blvm_params_deployment_active(p, BLVM_DEPLOYMENT_SEGWIT, height);
    if (!blvm_block_check_witness_commitment(b, segwit, state)) return false;

    /* Only after the commitment is known good: before, extra coinbase witness
     * data could make a valid block look too heavy without changing its hash. */
    if (blvm_block_weight(b) > BLVM_MAX_BLOCK_WEIGHT)
        return blvm_state_invalid(state, BLVM_BLOCK_CONSENSUS, "bad-blk-weight",
                                  "ContextualCheckBlock : weight limit failed");
    return true;
}

bool blvm_check_tx_inputs(const blvm_tx *tx, const blvm_spent_coin *coins, int32_t spend_height,
                          blvm_amount *fee, blvm_validation_state *state) {
    blvm_amount value_in = 0;
    for (size_t i = 0; i < tx->vin_count; i++) {
        const blvm_spent_coin *coin = &coins[i];
        /* A coinbase output matures after COINBASE_MATURITY blocks. */
        if (coin->is_coinbase && (int64_t)spend_height - coin->height < BLVM_COINBASE_MATURITY)
            return blvm_state_invalid(state, BLVM_TX_PREMATURE_SPEND,
                                      "bad-txns-premature-spend-of-coinbase",
                                      "tried to spend coinbase at depth %ld",
                                      (long)((int64_t)spend_height - coin->height));
        /* Checked before adding so the sum cannot overflow (CVE-2010-5139). */
        if (!blvm_money_range(coin->value))
            return blvm_state_invalid(state, BLVM_TX_CONSENSUS, "bad-txns-inputvalues-outofrange",
                                      NULL);
        value_in += coin->value;
        if (!blvm_money_range(value_in))
            return blvm_state_invalid(state, BLVM_TX_CONSENSUS, "bad-txns-inputvalues-outofrange",
                                      NULL);
    }

    blvm_amount value_out = 0;
    for (size_t i = 0; i < tx->vout_count; i++) {
        /* CheckTransaction guarantees this; stay safe if a caller skipped it. */
        if (!blvm_money_range(tx->vout[i].value) ||
            !blvm_money_range(value_out + tx->vout[i].value))
            return blvm_state_invalid(state, BLVM_TX_CONSENSUS, "bad-txns-txouttotal-toolarge",
                                      NULL);
        value_out += tx->vout[i].value;
    }
    if (value_in < value_out)
        return blvm_state_invalid(state, BLVM_TX_CONSENSUS, "bad-txns-in-belowout",
                                  "value in (%lld) < value out (%lld)", (long long)value_in,
                                  (long long)value_out);

    blvm_amount txfee = value_in - value_out;
    if (!blvm_money_range(txfee))
        return blvm_state_invalid(state, BLVM_TX_CONSENSUS, "bad-txns-fee-outofrange", NULL);
    *fee = txfee;
    return true;
}

double blvm_guess_verification_progress(const blvm_params *p, uint64_t tip_chain_tx,
                                        int64_t tip_time, int64_t now) {
    if (tip_chain_tx == 0) return 0.0;
    const blvm_chain_tx_data *d = &p->chain_tx_data;
    double total;
    if (tip_chain_tx <= d->tx_count)
        total = (double)d->tx_count + (double)(now - d->time) * d->tx_rate;
    else
        total = (double)tip_chain_tx + (double)(now - tip_time) * d->tx_rate;
    double progress = (double)tip_chain_tx / total;
    return progress < 1.0 ? progress : 1.0;
}
