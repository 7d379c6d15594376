/* Proof of work rules, following Bitcoin Core's pow.cpp line by line: any
 * difference in rounding here is a chain split. */
#include "consensus/pow.h"

#include <stdint.h>

static uint32_t pow_limit_bits(const blvm_params *p) {
    return blvm_u256_get_compact(&p->pow_limit, false);
}

bool blvm_pow_derive_target(blvm_u256 *target, uint32_t bits, const blvm_params *p) {
    bool negative, overflow;
    blvm_u256_set_compact(target, bits, &negative, &overflow);
    if (negative || overflow || blvm_u256_is_zero(target) ||
        blvm_u256_cmp(target, &p->pow_limit) > 0)
        return false;
    return true;
}

bool blvm_pow_check(const uint8_t hash[32], uint32_t bits, const blvm_params *p) {
    blvm_u256 target, h;
    if (!blvm_pow_derive_target(&target, bits, p)) return false;
    blvm_u256_from_le(&h, hash);
    return blvm_u256_cmp(&h, &target) <= 0;
}

uint32_t blvm_pow_next_work_required(const blvm_chain_entry *last, int64_t new_block_time,
                                     const blvm_params *p) {
    const uint32_t limit_bits = pow_limit_bits(p);
    const int64_t interval = blvm_params_difficulty_adjustment_interval(p);

    /* Only change once per difficulty adjustment interval. */
    if ((last->height + 1) % interval != 0) {
        if (p->pow_allow_min_difficulty_blocks) {
            /* Testnet: a block more than twice the target spacing after its
             * parent may use the minimum difficulty. */
            if (new_block_time > (int64_t)last->time + p->pow_target_spacing * 2) return limit_bits;
            /* Otherwise it needs the difficulty of the last block that did
             * not use that exception. */
            const blvm_chain_entry *e = last;
            while (e->prev && e->height % interval != 0 && e->bits == limit_bits)
                e = e->prev;
            return e->bits;
        }
        return last->bits;
    }

    /* Go back by what we want to be 14 days worth of blocks. */
    int64_t height_first = last->height - (interval - 1);
    const blvm_chain_entry *first = blvm_chain_entry_ancestor(last, (int32_t)height_first);
    if (first == NULL) return last->bits; /* unreachable with a linked index */
    return blvm_pow_calculate_next_work(last, first->time, p);
}

uint32_t blvm_pow_calculate_next_work(const blvm_chain_entry *last, int64_t first_block_time,
                                      const blvm_params *p) {
    if (p->pow_no_retargeting) return last->bits;

    /* Limit the adjustment step to a factor of 4 either way. */
    int64_t actual = (int64_t)last->time - first_block_time;
    if (actual < p->pow_target_timespan / 4) actual = p->pow_target_timespan / 4;
    if (actual > p->pow_target_timespan * 4) actual = p->pow_target_timespan * 4;

    blvm_u256 target;
    if (p->enforce_bip94) {
        /* BIP94: retarget from the first block of the period, which may not
         * use the min-difficulty exception, so the real difficulty is kept. */
        int64_t height_first = last->height - (blvm_params_difficulty_adjustment_interval(p) - 1);
        const blvm_chain_entry *first = blvm_chain_entry_ancestor(last, (int32_t)height_first);
        blvm_u256_set_compact(&target, first ? first->bits : last->bits, NULL, NULL);
    } else {
        blvm_u256_set_compact(&target, last->bits, NULL, NULL);
    }
    /* actual is at most 4 * timespan, far below 2^32 on every network. */
    blvm_u256_mul_u32(&target, &target, (uint32_t)actual);
    if (!blvm_u256_div_u64(&target, &target, (uint64_t)p->pow_target_timespan)) return last->bits;
    if (blvm_u256_cmp(&target, &p->pow_limit) > 0) target = p->pow_limit;
    return blvm_u256_get_compact(&target, false);
}

/* Target for old_bits scaled by timespan_num / timespan, capped at the pow
 * limit and rounded through the compact form. */
static void scaled_limit(blvm_u256 *out, const blvm_params *p, uint32_t old_bits,
                         int64_t timespan) {
    blvm_u256 t;
    blvm_u256_set_compact(&t, old_bits, NULL, NULL);
    blvm_u256_mul_u32(&t, &t, (uint32_t)timespan);
    if (!blvm_u256_div_u64(&t, &t, (uint64_t)p->pow_target_timespan)) blvm_u256_set_zero(&t);
    if (blvm_u256_cmp(&t, &p->pow_limit) > 0) t = p->pow_limit;
    blvm_u256_set_compact(out, blvm_u256_get_compact(&t, false), NULL, NULL);
}

bool blvm_pow_permitted_transition(const blvm_params *p, int64_t height, uint32_t old_bits,
                                   uint32_t new_bits) {
    if (p->pow_allow_min_difficulty_blocks) return true;

    if (height % blvm_params_difficulty_adjustment_interval(p) == 0) {
        blvm_u256 observed, largest, smallest;
        blvm_u256_set_compact(&observed, new_bits, NULL, NULL);
        /* The easiest target the retarget could have produced... */
        scaled_limit(&largest, p, old_bits, p->pow_target_timespan * 4);
        if (blvm_u256_cmp(&largest, &observed) < 0) return false;
        /* ...and the hardest. */
        scaled_limit(&smallest, p, old_bits, p->pow_target_timespan / 4);
        if (blvm_u256_cmp(&smallest, &observed) > 0) return false;
    } else if (old_bits != new_bits) {
        return false;
    }
    return true;
}

void blvm_pow_block_proof(blvm_u256 *out, uint32_t bits) {
    blvm_u256 target, denom, num;
    bool negative, overflow;
    blvm_u256_set_compact(&target, bits, &negative, &overflow);
    if (negative || overflow || blvm_u256_is_zero(&target)) {
        blvm_u256_set_zero(out);
        return;
    }
    /* 2^256 / (target + 1) does not fit in 256 bits, but it equals
     * (2^256 - target - 1) / (target + 1) + 1 = ~target / (target + 1) + 1. */
    blvm_u256 one;
    blvm_u256_set_u64(&one, 1);
    blvm_u256_add(&denom, &target, &one);
    blvm_u256_not(&num, &target);
    if (!blvm_u256_div(out, &num, &denom)) blvm_u256_set_zero(out); /* denom > 0 always */
    blvm_u256_add(out, out, &one);
}

int64_t blvm_pow_proof_equivalent_time(const blvm_chain_entry *to, const blvm_chain_entry *from,
                                       const blvm_chain_entry *tip, const blvm_params *p) {
    blvm_u256 r, proof;
    int64_t sign = 1;
    if (blvm_u256_cmp(&to->chain_work, &from->chain_work) > 0) {
        blvm_u256_sub(&r, &to->chain_work, &from->chain_work);
    } else {
        blvm_u256_sub(&r, &from->chain_work, &to->chain_work);
        sign = -1;
    }
    blvm_u256_mul_u64(&r, &r, (uint64_t)p->pow_target_spacing);
    blvm_pow_block_proof(&proof, tip->bits);
    if (!blvm_u256_div(&r, &r, &proof)) return sign * INT64_MAX; /* Core would throw */
    if (blvm_u256_bits(&r) > 63) return sign * INT64_MAX;
    return sign * (int64_t)blvm_u256_low64(&r);
}

double blvm_pow_difficulty(uint32_t bits) {
    int shift = (int)((bits >> 24) & 0xff);
    double diff = (double)0x0000ffff / (double)(bits & 0x00ffffff);
    while (shift < 29) {
        diff *= 256.0;
        shift++;
    }
    while (shift > 29) {
        diff /= 256.0;
        shift--;
    }
    return diff;
}
