/* Block assembly (Core 29's BlockAssembler) and the regtest nonce loop
 * (Core's GenerateBlock). See miner.h. */
#include "node/miner.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/block_check.h"
#include "consensus/chain_rules.h"
#include "consensus/pow.h"
#include "consensus/script.h"
#include "node/config.h"
#include "node/versionbits.h"

/* Core keeps these as BlockAssembler statics for getmininginfo. */
static pthread_mutex_t last_mutex = PTHREAD_MUTEX_INITIALIZER;
static bool last_set;
static uint64_t last_num_txs, last_weight;

bool blvm_miner_last_block_stats(uint64_t *num_txs, uint64_t *weight) {
    pthread_mutex_lock(&last_mutex);
    bool set = last_set;
    if (set) {
        *num_txs = last_num_txs;
        *weight = last_weight;
    }
    pthread_mutex_unlock(&last_mutex);
    return set;
}

void blvm_miner_options_init(blvm_miner_options *opt) {
    memset(opt, 0, sizeof *opt);
    opt->block_max_weight = BLVM_MAX_BLOCK_WEIGHT;
    opt->block_reserved_weight = BLVM_MINER_DEFAULT_RESERVED_WEIGHT;
    opt->coinbase_max_sigops = BLVM_MINER_DEFAULT_COINBASE_SIGOPS;
}

bool blvm_miner_options_from_config(blvm_miner_options *opt, const blvm_config *cfg, char *err,
                                    size_t errlen) {
    int64_t max_weight = blvm_config_get_int(cfg, "blockmaxweight", BLVM_MAX_BLOCK_WEIGHT);
    if (max_weight > BLVM_MAX_BLOCK_WEIGHT) {
        snprintf(err, errlen,
                 "Specified -blockmaxweight (%lld) exceeds consensus maximum block weight (%d)",
                 (long long)max_weight, BLVM_MAX_BLOCK_WEIGHT);
        return false;
    }
    int64_t reserved =
        blvm_config_get_int(cfg, "blockreservedweight", BLVM_MINER_DEFAULT_RESERVED_WEIGHT);
    if (reserved > BLVM_MAX_BLOCK_WEIGHT) {
        snprintf(err, errlen,
                 "Specified -blockreservedweight (%lld) exceeds consensus maximum block weight "
                 "(%d)",
                 (long long)reserved, BLVM_MAX_BLOCK_WEIGHT);
        return false;
    }
    if (reserved < BLVM_MINER_MIN_RESERVED_WEIGHT) {
        snprintf(err, errlen,
                 "Specified -blockreservedweight (%lld) is lower than minimum safety value of (%d)",
                 (long long)reserved, BLVM_MINER_MIN_RESERVED_WEIGHT);
        return false;
    }
    opt->block_max_weight = (size_t)max_weight;
    opt->block_reserved_weight = (size_t)reserved;
    if (blvm_config_is_set(cfg, "blockversion")) {
        opt->has_version_override = true;
        opt->version_override = (int32_t)blvm_config_get_int(cfg, "blockversion", 0);
    }
    return true;
}

int64_t blvm_miner_minimum_time(const blvm_params *p, const blvm_chain_entry *prev) {
    int64_t min_time = blvm_chain_entry_median_time_past(prev) + 1;
    int64_t interval = blvm_params_difficulty_adjustment_interval(p);
    /* Core applies BIP94's timewarp limit to its own blocks on every network,
     * so that a later activation cannot make them invalid. */
    if (interval > 0 && ((int64_t)prev->height + 1) % interval == 0) {
        int64_t floor_time = (int64_t)prev->time - BLVM_MAX_TIMEWARP;
        if (floor_time > min_time) min_time = floor_time;
    }
    return min_time;
}

void blvm_miner_update_time(blvm_block_header *h, const blvm_params *p,
                            const blvm_chain_entry *prev, int64_t now) {
    int64_t t = blvm_miner_minimum_time(p, prev);
    if (now > t) t = now;
    if ((int64_t)h->time < t) h->time = (uint32_t)t;
    /* Testnet's 20-minute rule makes the difficulty depend on the time. */
    if (p->pow_allow_min_difficulty_blocks)
        h->bits = blvm_pow_next_work_required(prev, (int64_t)h->time, p);
}

static bool reserve_txs(blvm_block_template *t, size_t need) {
    if (need <= t->cap) return true;
    size_t cap = t->cap ? t->cap * 2 : 16;
    while (cap < need) cap *= 2;
    blvm_tx *txs = realloc(t->block.txs, cap * sizeof *txs);
    if (!txs) return false;
    t->block.txs = txs;
    blvm_amount *fees = realloc(t->fees, cap * sizeof *fees);
    if (!fees) return false;
    t->fees = fees;
    int64_t *sig = realloc(t->sigop_costs, cap * sizeof *sig);
    if (!sig) return false;
    t->sigop_costs = sig;
    t->cap = cap;
    return true;
}

bool blvm_miner_begin(blvm_block_template *t, const blvm_params *p, const blvm_chain_entry *prev,
                      const blvm_miner_options *opt) {
    memset(t, 0, sizeof *t);
    blvm_block_init(&t->block);
    if (!prev || !opt->coinbase_script) return false;
    t->params = p;
    t->height = prev->height + 1;
    t->segwit_active = blvm_params_deployment_active(p, BLVM_DEPLOYMENT_SEGWIT, t->height);
    t->coinbase_script = malloc(opt->coinbase_script_len ? opt->coinbase_script_len : 1);
    if (!t->coinbase_script) return false;
    if (opt->coinbase_script_len)
        memcpy(t->coinbase_script, opt->coinbase_script, opt->coinbase_script_len);
    t->coinbase_script_len = opt->coinbase_script_len;

    /* Core's ClampOptions. */
    uint64_t reserved = opt->block_reserved_weight;
    if (reserved < BLVM_MINER_MIN_RESERVED_WEIGHT) reserved = BLVM_MINER_MIN_RESERVED_WEIGHT;
    if (reserved > BLVM_MAX_BLOCK_WEIGHT) reserved = BLVM_MAX_BLOCK_WEIGHT;
    uint64_t max_weight = opt->block_max_weight ? opt->block_max_weight : BLVM_MAX_BLOCK_WEIGHT;
    if (max_weight < reserved) max_weight = reserved;
    if (max_weight > BLVM_MAX_BLOCK_WEIGHT) max_weight = BLVM_MAX_BLOCK_WEIGHT;
    t->max_weight = max_weight;
    t->weight = reserved;
    t->sigop_cost = opt->coinbase_max_sigops < BLVM_MAX_BLOCK_SIGOPS_COST
                        ? opt->coinbase_max_sigops
                        : BLVM_MAX_BLOCK_SIGOPS_COST;

    blvm_block_header *h = &t->block.header;
    h->version = blvm_vb_compute_block_version(p, prev);
    /* -blockversion is for testing version-bits code on regtest only. */
    if (opt->has_version_override && p->network == BLVM_NET_REGTEST) h->version = opt->version_override;
    memcpy(h->prev_hash, prev->hash, 32);
    t->prev_median_time_past = blvm_chain_entry_median_time_past(prev);
    t->min_time = blvm_miner_minimum_time(p, prev);
    int64_t time = opt->now > t->min_time ? opt->now : t->min_time;
    h->time = (uint32_t)time;
    h->bits = blvm_pow_next_work_required(prev, time, p);
    h->nonce = 0;

    if (!reserve_txs(t, 16)) {
        blvm_miner_template_clear(t);
        return false;
    }
    blvm_tx_init(&t->block.txs[0]);
    t->fees[0] = 0;
    t->sigop_costs[0] = 0;
    t->block.tx_count = 1;
    return true;
}

static bool push_tx(blvm_block_template *t, const blvm_tx *tx, blvm_amount fee, int64_t sigops) {
    if (!reserve_txs(t, t->block.tx_count + 1)) return false;
    blvm_tx *dst = &t->block.txs[t->block.tx_count];
    blvm_tx_init(dst);
    if (!blvm_tx_copy(dst, tx)) return false;
    t->fees[t->block.tx_count] = fee;
    t->sigop_costs[t->block.tx_count] = sigops;
    t->block.tx_count++;
    return true;
}

blvm_miner_add_result blvm_miner_add_tx(blvm_block_template *t, const blvm_tx *tx,
                                        blvm_amount fee, int64_t sigop_cost) {
    if (t->finished) return BLVM_MINER_FINISHED;
    /* Core's TestPackage: the limits are strict (a block exactly at the limit
     * leaves no room for rounding in the coinbase). */
    uint64_t vsize = blvm_tx_vsize(tx);
    if (t->weight + BLVM_WITNESS_SCALE_FACTOR * vsize >= t->max_weight) return BLVM_MINER_TOO_HEAVY;
    if (sigop_cost < 0 || t->sigop_cost + (uint64_t)sigop_cost >= BLVM_MAX_BLOCK_SIGOPS_COST)
        return BLVM_MINER_TOO_MANY_SIGOPS;
    /* Core's TestPackageTransactions: final at this height, with the BIP113
     * cutoff (the previous block's median time past). */
    if (!blvm_tx_is_final(tx, t->height, t->prev_median_time_past)) return BLVM_MINER_NOT_FINAL;
    if (!push_tx(t, tx, fee, sigop_cost)) return BLVM_MINER_NO_MEMORY;
    t->weight += blvm_tx_weight(tx);
    t->sigop_cost += (uint64_t)sigop_cost;
    t->total_fees += fee;
    return BLVM_MINER_ADDED;
}

bool blvm_miner_append_tx(blvm_block_template *t, const blvm_tx *tx) {
    if (t->finished) return false;
    if (!push_tx(t, tx, 0, (int64_t)blvm_tx_legacy_sigop_count(tx) * BLVM_WITNESS_SCALE_FACTOR))
        return false;
    t->appended++;
    return true;
}

/* The BIP141 commitment output script for the block's transactions (the
 * coinbase's wtxid counts as zero, so the coinbase may still change). */
static bool make_commitment(blvm_block_template *t) {
    uint8_t root[32], commit[32];
    static const uint8_t reserved[32] = {0};
    if (!blvm_block_witness_merkle_root(&t->block, root, NULL)) return false;
    blvm_witness_commitment_compute(root, reserved, commit);
    uint8_t *s = t->commitment;
    s[0] = OP_RETURN;
    s[1] = 0x24;
    s[2] = 0xaa;
    s[3] = 0x21;
    s[4] = 0xa9;
    s[5] = 0xed;
    memcpy(s + BLVM_WITNESS_COMMITMENT_HEADER_LEN, commit, 32);
    t->commitment_len = BLVM_MINIMUM_WITNESS_COMMITMENT;
    return true;
}

bool blvm_miner_finish(blvm_block_template *t) {
    if (t->finished || t->block.tx_count == 0) return false;
    blvm_tx *cb = &t->block.txs[0];
    blvm_tx_clear(cb);
    blvm_tx_init(cb);
    /* The witness root ignores the coinbase, so the commitment can be made
     * before the coinbase exists. */
    t->commitment_len = 0;
    if (t->segwit_active && !make_commitment(t)) return false;

    cb->version = 2;
    cb->locktime = 0;
    if (!blvm_tx_resize(cb, 1, t->commitment_len ? 2 : 1)) return false;
    memset(cb->vin[0].prevout.hash, 0, 32);
    cb->vin[0].prevout.n = 0xffffffffu;
    cb->vin[0].sequence = BLVM_SEQUENCE_FINAL;
    /* BIP34: the height first; Core 29 adds OP_0 as its extra nonce, which
     * also keeps the scriptSig at the 2-byte minimum for heights 1..16. */
    uint8_t sig[BLVM_BIP34_SCRIPT_MAX + 1];
    size_t n = blvm_bip34_height_script(t->height, sig);
    sig[n++] = OP_0;
    if (!blvm_script_set(&cb->vin[0].script_sig, sig, n)) return false;
    cb->vout[0].value = t->total_fees + blvm_block_subsidy(t->height, t->params);
    if (!blvm_script_set(&cb->vout[0].script_pubkey, t->coinbase_script, t->coinbase_script_len))
        return false;
    if (t->commitment_len) {
        cb->vout[1].value = 0;
        if (!blvm_script_set(&cb->vout[1].script_pubkey, t->commitment, t->commitment_len))
            return false;
        static const uint8_t reserved[32] = {0};
        if (!blvm_witness_push(&cb->vin[0].witness, reserved, sizeof reserved)) return false;
    }
    blvm_tx_compute_hashes(cb);
    t->fees[0] = -t->total_fees;
    t->sigop_costs[0] = (int64_t)blvm_tx_legacy_sigop_count(cb) * BLVM_WITNESS_SCALE_FACTOR;
    if (!blvm_block_merkle_root(&t->block, t->block.header.merkle_root, NULL)) return false;
    t->finished = true;

    /* What Core's getmininginfo reports: the transactions chosen by the
     * assembler itself (not those generateblock appends). */
    pthread_mutex_lock(&last_mutex);
    last_set = true;
    last_num_txs = t->block.tx_count - 1 - t->appended;
    last_weight = t->weight;
    pthread_mutex_unlock(&last_mutex);
    return true;
}

void blvm_miner_template_clear(blvm_block_template *t) {
    blvm_block_clear(&t->block);
    free(t->fees);
    free(t->sigop_costs);
    free(t->coinbase_script);
    memset(t, 0, sizeof *t);
}

blvm_grind_result blvm_miner_grind(blvm_block_header *h, const blvm_params *p,
                                   uint64_t *max_tries, bool (*interrupted)(void *ctx),
                                   void *ctx) {
    uint8_t hash[32];
    bool stop = false;
    uint32_t polls = 0;
    for (;;) {
        if (*max_tries == 0 || h->nonce == UINT32_MAX) break;
        blvm_header_hash(h, hash);
        if (blvm_pow_check(hash, h->bits, p)) break;
        if (interrupted && (++polls & 4095) == 0 && interrupted(ctx)) {
            stop = true;
            break;
        }
        h->nonce++;
        (*max_tries)--;
    }
    if (!stop && interrupted && interrupted(ctx)) stop = true;
    if (*max_tries == 0 || stop) return BLVM_GRIND_EXHAUSTED;
    if (h->nonce == UINT32_MAX) return BLVM_GRIND_NONCE_WRAPPED;
    return BLVM_GRIND_FOUND;
}

bool blvm_miner_update_uncommitted(blvm_block *b, const blvm_params *p, int32_t height) {
    size_t idx;
    if (b->tx_count == 0 || b->txs[0].vin_count == 0) return true;
    if (!blvm_block_witness_commitment_index(b, &idx)) return true;
    if (!blvm_params_deployment_active(p, BLVM_DEPLOYMENT_SEGWIT, height)) return true;
    blvm_tx *cb = &b->txs[0];
    if (blvm_tx_has_witness(cb)) return true;
    static const uint8_t reserved[32] = {0};
    blvm_witness_clear(&cb->vin[0].witness);
    if (!blvm_witness_push(&cb->vin[0].witness, reserved, sizeof reserved)) return false;
    blvm_tx_compute_hashes(cb);
    return true;
}
