/* BIP9 deployment states, as Bitcoin Core 29's versionbits.cpp computes
 * them; the deployment table is Core's kernel/chainparams.cpp. */
#include "node/versionbits.h"

#include <stddef.h>

/* Core 29's vDeployments per network. Taproot went through BIP9 (speedy
 * trial) on mainnet and testnet3 only; the newer networks have it from
 * genesis. testdummy is only started on regtest. */
static const struct {
    int64_t start, timeout;
    int32_t min_height;
} vb_table[BLVM_NET_COUNT][BLVM_VB_COUNT] = {
    [BLVM_NET_MAIN] = {
        [BLVM_VB_TESTDUMMY] = {BLVM_VB_NEVER_ACTIVE, BLVM_VB_NO_TIMEOUT, 0},
        [BLVM_VB_TAPROOT] = {1619222400, 1628640000, 709632}, /* April 24th, Aug 11th 2021 */
    },
    [BLVM_NET_TESTNET3] = {
        [BLVM_VB_TESTDUMMY] = {BLVM_VB_NEVER_ACTIVE, BLVM_VB_NO_TIMEOUT, 0},
        [BLVM_VB_TAPROOT] = {1619222400, 1628640000, 0},
    },
    [BLVM_NET_TESTNET4] = {
        [BLVM_VB_TESTDUMMY] = {BLVM_VB_NEVER_ACTIVE, BLVM_VB_NO_TIMEOUT, 0},
        [BLVM_VB_TAPROOT] = {BLVM_VB_ALWAYS_ACTIVE, BLVM_VB_NO_TIMEOUT, 0},
    },
    [BLVM_NET_SIGNET] = {
        [BLVM_VB_TESTDUMMY] = {BLVM_VB_NEVER_ACTIVE, BLVM_VB_NO_TIMEOUT, 0},
        [BLVM_VB_TAPROOT] = {BLVM_VB_ALWAYS_ACTIVE, BLVM_VB_NO_TIMEOUT, 0},
    },
    [BLVM_NET_REGTEST] = {
        [BLVM_VB_TESTDUMMY] = {0, BLVM_VB_NO_TIMEOUT, 0},
        [BLVM_VB_TAPROOT] = {BLVM_VB_ALWAYS_ACTIVE, BLVM_VB_NO_TIMEOUT, 0},
    },
};

static const struct {
    const char *name;
    bool gbt_optional_rule;
    int bit;
} vb_info[BLVM_VB_COUNT] = {
    [BLVM_VB_TESTDUMMY] = {"testdummy", true, 28},
    [BLVM_VB_TAPROOT] = {"taproot", true, 2},
};

bool blvm_vb_get_params(const blvm_params *p, blvm_vb_deployment d, blvm_vb_params *out) {
    if ((unsigned)d >= BLVM_VB_COUNT || (unsigned)p->network >= BLVM_NET_COUNT) return false;
    out->name = vb_info[d].name;
    out->gbt_optional_rule = vb_info[d].gbt_optional_rule;
    out->bit = vb_info[d].bit;
    out->start_time = vb_table[p->network][d].start;
    out->timeout = vb_table[p->network][d].timeout;
    out->min_activation_height = vb_table[p->network][d].min_height;
    out->period = p->miner_confirmation_window;
    out->threshold = p->rule_change_activation_threshold;
    return true;
}

bool blvm_vb_signals(int32_t version, int bit) {
    return ((uint32_t)version & BLVM_VERSIONBITS_TOP_MASK) == BLVM_VERSIONBITS_TOP_BITS &&
           ((uint32_t)version & (1u << bit)) != 0;
}

/* The last block of the period before the one the block after prev is in
 * (NULL when that is before genesis): a block's state is the state of the
 * first block of its period. */
static const blvm_chain_entry *period_parent(const blvm_chain_entry *prev, int32_t period) {
    if (!prev) return NULL;
    return blvm_chain_entry_ancestor(prev, prev->height - ((prev->height + 1) % period));
}

/* Core's GetStateFor without its cache. */
static blvm_vb_state state_for(const blvm_vb_params *vp, const blvm_chain_entry *prev) {
    if (vp->start_time == BLVM_VB_ALWAYS_ACTIVE) return BLVM_VB_ACTIVE;
    if (vp->start_time == BLVM_VB_NEVER_ACTIVE) return BLVM_VB_FAILED;
    if (vp->period <= 0) return BLVM_VB_DEFINED;
    prev = period_parent(prev, vp->period);
    /* Walk back a period at a time to a point known to be DEFINED: before
     * genesis, or a period that ended before the start time. Only the
     * boundaries after it need computing. */
    int32_t n = 0;
    for (const blvm_chain_entry *e = prev; e; e = blvm_chain_entry_ancestor(e, e->height - vp->period)) {
        if (blvm_chain_entry_median_time_past(e) < vp->start_time) break;
        n++;
    }
    blvm_vb_state state = BLVM_VB_DEFINED;
    /* Forward from the oldest boundary to prev (the i-th newest boundary is
     * prev's ancestor i periods back). */
    for (int32_t i = n - 1; i >= 0; i--) {
        const blvm_chain_entry *e = blvm_chain_entry_ancestor(prev, prev->height - i * vp->period);
        blvm_vb_state next = state;
        switch (state) {
        case BLVM_VB_DEFINED:
            if (blvm_chain_entry_median_time_past(e) >= vp->start_time) next = BLVM_VB_STARTED;
            break;
        case BLVM_VB_STARTED: {
            int32_t count = 0;
            const blvm_chain_entry *c = e;
            for (int32_t k = 0; k < vp->period && c; k++, c = c->prev)
                if (blvm_vb_signals(c->version, vp->bit)) count++;
            if (count >= vp->threshold) {
                next = BLVM_VB_LOCKED_IN;
            } else if (blvm_chain_entry_median_time_past(e) >= vp->timeout) {
                next = BLVM_VB_FAILED;
            }
            break;
        }
        case BLVM_VB_LOCKED_IN:
            /* BIP9 with min_activation_height (speedy trial). */
            if (e->height + 1 >= vp->min_activation_height) next = BLVM_VB_ACTIVE;
            break;
        case BLVM_VB_FAILED:
        case BLVM_VB_ACTIVE:
            break;
        }
        state = next;
    }
    return state;
}

blvm_vb_state blvm_vb_state_for(const blvm_params *p, blvm_vb_deployment d,
                                const blvm_chain_entry *prev) {
    blvm_vb_params vp;
    if (!blvm_vb_get_params(p, d, &vp)) return BLVM_VB_FAILED;
    return state_for(&vp, prev);
}

int32_t blvm_vb_state_since_height(const blvm_params *p, blvm_vb_deployment d,
                                   const blvm_chain_entry *prev) {
    blvm_vb_params vp;
    if (!blvm_vb_get_params(p, d, &vp)) return 0;
    if (vp.start_time == BLVM_VB_ALWAYS_ACTIVE || vp.start_time == BLVM_VB_NEVER_ACTIVE) return 0;
    blvm_vb_state initial = state_for(&vp, prev);
    if (initial == BLVM_VB_DEFINED || !prev) return 0;
    const blvm_chain_entry *e = period_parent(prev, vp.period);
    if (!e) return 0;
    const blvm_chain_entry *before = blvm_chain_entry_ancestor(e, e->height - vp.period);
    while (before && state_for(&vp, before) == initial) {
        e = before;
        before = blvm_chain_entry_ancestor(e, e->height - vp.period);
    }
    return e->height + 1;
}

int32_t blvm_vb_compute_block_version(const blvm_params *p, const blvm_chain_entry *prev) {
    uint32_t version = BLVM_VERSIONBITS_TOP_BITS;
    for (int d = 0; d < BLVM_VB_COUNT; d++) {
        blvm_vb_params vp;
        if (!blvm_vb_get_params(p, (blvm_vb_deployment)d, &vp)) continue;
        blvm_vb_state s = state_for(&vp, prev);
        if (s == BLVM_VB_STARTED || s == BLVM_VB_LOCKED_IN) version |= 1u << vp.bit;
    }
    return (int32_t)version;
}

void blvm_vb_statistics(const blvm_params *p, blvm_vb_deployment d, const blvm_chain_entry *block,
                        blvm_vb_stats *out) {
    blvm_vb_params vp;
    out->period = out->threshold = out->elapsed = out->count = 0;
    out->possible = false;
    if (!blvm_vb_get_params(p, d, &vp) || vp.period <= 0) return;
    out->period = vp.period;
    out->threshold = vp.threshold;
    if (!block) return;
    int32_t in_period = 1 + block->height % vp.period;
    for (const blvm_chain_entry *c = block; c && in_period > 0; c = c->prev, in_period--) {
        out->elapsed++;
        if (blvm_vb_signals(c->version, vp.bit)) out->count++;
    }
    out->possible = (out->period - out->threshold) >= (out->elapsed - out->count);
}

const char *blvm_vb_state_name(blvm_vb_state s) {
    switch (s) {
    case BLVM_VB_DEFINED: return "defined";
    case BLVM_VB_STARTED: return "started";
    case BLVM_VB_LOCKED_IN: return "locked_in";
    case BLVM_VB_ACTIVE: return "active";
    case BLVM_VB_FAILED: return "failed";
    }
    return "unknown";
}
