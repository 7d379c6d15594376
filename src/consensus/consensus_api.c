/* The public API of include/blvm/consensus.h on top of the interpreter. */

#include "blvm/consensus.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/amount.h"
#include "consensus/interpreter.h"
#include "consensus/sighash.h"
#include "consensus/tx.h"

/* The public flag values are the interpreter's. */
_Static_assert(BLVM_CONSENSUS_VERIFY_TAPROOT == BLVM_SCRIPT_VERIFY_TAPROOT, "flag values");
_Static_assert(BLVM_CONSENSUS_VERIFY_ALL + 1 == BLVM_SCRIPT_VERIFY_END_MARKER, "flag values");
_Static_assert(BLVM_CONSENSUS_VERIFY_MANDATORY == BLVM_SCRIPT_VERIFY_MANDATORY, "flag values");
_Static_assert(BLVM_CONSENSUS_VERIFY_STANDARD == BLVM_SCRIPT_VERIFY_STANDARD, "flag values");

struct blvm_consensus_tx {
    blvm_tx tx;
    blvm_txout *spent;
    uint8_t *scripts; /* one block for every spent script */
    blvm_tx_precomputed pd;
};

static bool flags_valid(unsigned int flags) {
    if (flags & ~BLVM_CONSENSUS_VERIFY_ALL) return false;
    /* Core asserts these; a caller's mistake must not crash us. */
    if ((flags & BLVM_CONSENSUS_VERIFY_WITNESS) && !(flags & BLVM_CONSENSUS_VERIFY_P2SH))
        return false;
    if ((flags & BLVM_CONSENSUS_VERIFY_CLEANSTACK) &&
        (!(flags & BLVM_CONSENSUS_VERIFY_P2SH) || !(flags & BLVM_CONSENSUS_VERIFY_WITNESS)))
        return false;
    return true;
}

static blvm_consensus_error prepare(blvm_consensus_tx *c, const uint8_t *tx, size_t tx_len,
                                    const blvm_consensus_spent_output *spent, size_t n_spent) {
    memset(c, 0, sizeof(*c));
    blvm_tx_init(&c->tx);
    if (!blvm_tx_decode_bytes(&c->tx, tx, tx_len, true)) return BLVM_CONSENSUS_ERR_TX_DESERIALIZE;
    if (n_spent != c->tx.vin_count) return BLVM_CONSENSUS_ERR_SPENT_OUTPUTS;
    size_t total = 1;
    for (size_t i = 0; i < n_spent; i++) {
        if (spent[i].amount < 0 || spent[i].amount > BLVM_MAX_MONEY)
            return BLVM_CONSENSUS_ERR_AMOUNT;
        if (spent[i].script_pubkey_len && !spent[i].script_pubkey)
            return BLVM_CONSENSUS_ERR_SPENT_OUTPUTS;
        total += spent[i].script_pubkey_len;
    }
    c->spent = calloc(n_spent ? n_spent : 1, sizeof(*c->spent));
    c->scripts = malloc(total);
    if (!c->spent || !c->scripts) return BLVM_CONSENSUS_ERR_NO_MEMORY;
    size_t off = 0;
    for (size_t i = 0; i < n_spent; i++) {
        size_t len = spent[i].script_pubkey_len;
        if (len) memcpy(c->scripts + off, spent[i].script_pubkey, len);
        c->spent[i].value = spent[i].amount;
        c->spent[i].script_pubkey.data = c->scripts + off;
        c->spent[i].script_pubkey.len = len;
        off += len;
    }
    blvm_tx_precompute(&c->pd, &c->tx, c->spent, false);
    return BLVM_CONSENSUS_OK;
}

static void release(blvm_consensus_tx *c) {
    blvm_tx_clear(&c->tx);
    free(c->spent);
    free(c->scripts);
}

static blvm_consensus_error verify(const blvm_consensus_tx *c, unsigned int n_in,
                                   unsigned int flags, int *script_error) {
    if (!flags_valid(flags)) return BLVM_CONSENSUS_ERR_INVALID_FLAGS;
    if (n_in >= c->tx.vin_count) return BLVM_CONSENSUS_ERR_TX_INDEX;
    blvm_script_error err;
    bool ok = blvm_verify_input(&c->tx, n_in, c->spent, &c->pd, flags, &err);
    if (script_error) *script_error = (int)err;
    return ok ? BLVM_CONSENSUS_OK : BLVM_CONSENSUS_ERR_SCRIPT;
}

blvm_consensus_error blvm_consensus_verify_input(const uint8_t *tx, size_t tx_len,
                                                 const blvm_consensus_spent_output *spent_outputs,
                                                 size_t spent_outputs_len, unsigned int n_in,
                                                 unsigned int flags, int *script_error) {
    if (!flags_valid(flags)) return BLVM_CONSENSUS_ERR_INVALID_FLAGS;
    blvm_consensus_tx c;
    blvm_consensus_error e = prepare(&c, tx, tx_len, spent_outputs, spent_outputs_len);
    if (e == BLVM_CONSENSUS_OK) e = verify(&c, n_in, flags, script_error);
    release(&c);
    return e;
}

blvm_consensus_tx *blvm_consensus_tx_create(const uint8_t *tx, size_t tx_len,
                                            const blvm_consensus_spent_output *spent_outputs,
                                            size_t spent_outputs_len, blvm_consensus_error *err) {
    blvm_consensus_tx *c = malloc(sizeof(*c));
    blvm_consensus_error e = BLVM_CONSENSUS_ERR_NO_MEMORY;
    if (c) {
        e = prepare(c, tx, tx_len, spent_outputs, spent_outputs_len);
        if (e != BLVM_CONSENSUS_OK) {
            release(c);
            free(c);
            c = NULL;
        }
    }
    if (err) *err = e;
    return c;
}

void blvm_consensus_tx_destroy(blvm_consensus_tx *ctx) {
    if (!ctx) return;
    release(ctx);
    free(ctx);
}

size_t blvm_consensus_tx_input_count(const blvm_consensus_tx *ctx) {
    return ctx->tx.vin_count;
}

blvm_consensus_error blvm_consensus_tx_verify_input(const blvm_consensus_tx *ctx, unsigned int n_in,
                                                    unsigned int flags, int *script_error) {
    return verify(ctx, n_in, flags, script_error);
}

const char *blvm_consensus_script_error_name(int script_error) {
    if (script_error < 0) return NULL;
    return blvm_script_error_name((blvm_script_error)script_error);
}

const char *blvm_consensus_strerror(blvm_consensus_error err) {
    switch (err) {
    case BLVM_CONSENSUS_OK:
        return "ok";
    case BLVM_CONSENSUS_ERR_TX_DESERIALIZE:
        return "transaction does not deserialize";
    case BLVM_CONSENSUS_ERR_TX_INDEX:
        return "input index out of range";
    case BLVM_CONSENSUS_ERR_SPENT_OUTPUTS:
        return "spent outputs do not match the inputs";
    case BLVM_CONSENSUS_ERR_INVALID_FLAGS:
        return "invalid verification flags";
    case BLVM_CONSENSUS_ERR_AMOUNT:
        return "amount out of range";
    case BLVM_CONSENSUS_ERR_NO_MEMORY:
        return "out of memory";
    case BLVM_CONSENSUS_ERR_SCRIPT:
        return "script verification failed";
    }
    return "unknown error";
}
