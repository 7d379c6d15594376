#ifndef BLVM_CONSENSUS_AMOUNT_H
#define BLVM_CONSENSUS_AMOUNT_H

#include <stdbool.h>
#include <stdint.h>

typedef int64_t blvm_amount; /* satoshis */

#define BLVM_COIN ((blvm_amount)100000000)
/* No amount larger than this is valid (Core's MAX_MONEY); a sanity bound,
 * not the real supply. */
#define BLVM_MAX_MONEY ((blvm_amount)21000000 * BLVM_COIN)

static inline bool blvm_money_range(blvm_amount v) { return v >= 0 && v <= BLVM_MAX_MONEY; }

#endif
