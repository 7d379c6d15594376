#ifndef BLVM_CONSENSUS_VALIDATION_H
#define BLVM_CONSENSUS_VALIDATION_H

/* The verdict of a check: valid, invalid (with Core's reject reason, which
 * also decides whether a peer is punished) or an internal error. */

#include <stdbool.h>

typedef enum {
    BLVM_STATE_VALID = 0,
    BLVM_STATE_INVALID,
    BLVM_STATE_ERROR, /* not the input's fault: out of memory, I/O */
} blvm_state_mode;

/* Core's BlockValidationResult and TxValidationResult, in one enum. */
typedef enum {
    BLVM_RESULT_UNSET = 0,
    BLVM_BLOCK_CONSENSUS,
    BLVM_BLOCK_CACHED_INVALID,
    BLVM_BLOCK_INVALID_HEADER,
    BLVM_BLOCK_MUTATED,
    BLVM_BLOCK_MISSING_PREV,
    BLVM_BLOCK_INVALID_PREV,
    BLVM_BLOCK_TIME_FUTURE,
    BLVM_BLOCK_HEADER_LOW_WORK,
    BLVM_TX_CONSENSUS,
    BLVM_TX_INPUTS_NOT_STANDARD,
    BLVM_TX_NOT_STANDARD,
    BLVM_TX_MISSING_INPUTS,
    BLVM_TX_PREMATURE_SPEND,
    BLVM_TX_WITNESS_MUTATED,
    BLVM_TX_WITNESS_STRIPPED,
    BLVM_TX_CONFLICT,
    BLVM_TX_MEMPOOL_POLICY,
    BLVM_TX_NO_MEMPOOL,
    BLVM_TX_RECONSIDERABLE,
    BLVM_TX_UNKNOWN,
} blvm_validation_result;

typedef struct {
    blvm_state_mode mode;
    blvm_validation_result result;
    /* e.g. "bad-txns-vout-negative"; room for Core's longest, the script
     * failures "mandatory-script-verify-flag-failed (<ScriptErrorString>)" */
    char reject_reason[160];
    char debug[160];        /* extra detail for logs, may be empty */
} blvm_validation_state;

void blvm_state_init(blvm_validation_state *s);
/* Marks s invalid and returns false, so checks can `return blvm_state_invalid(...)`.
 * debug_fmt may be NULL. */
bool blvm_state_invalid(blvm_validation_state *s, blvm_validation_result result,
                        const char *reject_reason, const char *debug_fmt, ...)
    __attribute__((format(printf, 4, 5)));
bool blvm_state_error(blvm_validation_state *s, const char *reason);

static inline bool blvm_state_is_valid(const blvm_validation_state *s) {
    return s->mode == BLVM_STATE_VALID;
}

#endif
