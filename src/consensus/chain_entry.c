#include "consensus/chain_entry.h"

#include <string.h>

#include "consensus/pow.h"

/* Clears the lowest set bit. */
static int32_t invert_lowest_one(int32_t n) {
    return n & (n - 1);
}

int32_t blvm_chain_entry_skip_height(int32_t height) {
    if (height < 2) return 0;
    /* Core's choice: odd heights skip a little less far, which keeps every
     * ancestor lookup within O(log n) steps. */
    return (height & 1) ? invert_lowest_one(invert_lowest_one(height - 1)) + 1
                        : invert_lowest_one(height);
}

const blvm_chain_entry *blvm_chain_entry_ancestor(const blvm_chain_entry *e, int32_t height) {
    if (e == NULL || height > e->height || height < 0) return NULL;
    const blvm_chain_entry *walk = e;
    int32_t height_walk = e->height;
    while (height_walk > height) {
        int32_t height_skip = blvm_chain_entry_skip_height(height_walk);
        int32_t height_skip_prev = blvm_chain_entry_skip_height(height_walk - 1);
        if (walk->skip != NULL && (height_skip == height ||
                                   (height_skip > height && !(height_skip_prev < height_skip - 2 &&
                                                              height_skip_prev >= height)))) {
            walk = walk->skip;
            height_walk = height_skip;
        } else {
            if (walk->prev == NULL) return NULL; /* broken index: not linked to genesis */
            walk = walk->prev;
            height_walk--;
        }
    }
    return walk;
}

void blvm_chain_entry_init(blvm_chain_entry *e, const blvm_block_header *h, const uint8_t hash[32],
                           const blvm_chain_entry *prev) {
    e->prev = prev;
    e->height = prev ? prev->height + 1 : 0;
    e->version = h->version;
    e->time = h->time;
    e->bits = h->bits;
    memcpy(e->hash, hash, 32);
    blvm_u256 proof;
    blvm_pow_block_proof(&proof, h->bits);
    if (prev) {
        blvm_u256_add(&e->chain_work, &prev->chain_work, &proof);
        e->skip = blvm_chain_entry_ancestor(prev, blvm_chain_entry_skip_height(e->height));
    } else {
        e->chain_work = proof;
        e->skip = NULL;
    }
}

int64_t blvm_chain_entry_median_time_past(const blvm_chain_entry *e) {
    int64_t times[BLVM_MEDIAN_TIME_SPAN];
    int n = 0;
    for (const blvm_chain_entry *p = e; p && n < BLVM_MEDIAN_TIME_SPAN; p = p->prev) {
        /* insertion sort: at most 11 values */
        int64_t t = p->time;
        int i = n++;
        while (i > 0 && times[i - 1] > t) {
            times[i] = times[i - 1];
            i--;
        }
        times[i] = t;
    }
    return n ? times[n / 2] : 0;
}
