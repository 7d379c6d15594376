#ifndef BLVM_CONSENSUS_H
#define BLVM_CONSENSUS_H

/* blvm's public consensus API: verify one input of a transaction by Bitcoin's
 * script rules, taproot included, exactly as Bitcoin Core 29 does.
 *
 * Conventions (as libsecp256k1's): every length follows its pointer; a
 * pointer with a zero length may be NULL; outputs come first among the
 * arguments that are not inputs. Nothing here keeps state between calls,
 * allocates beyond the call, or does I/O; all functions are thread-safe.
 *
 * Return values: BLVM_CONSENSUS_OK (0) when the input is valid; otherwise a
 * blvm_consensus_error says why the call could not say "valid", and for
 * BLVM_CONSENSUS_ERR_SCRIPT *script_error holds Core's script error code
 * (blvm_consensus_script_error_name() gives its name, e.g. "EVAL_FALSE").
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BLVM_CONSENSUS_API_VERSION 1

/* Verification flags; the values are Bitcoin Core's SCRIPT_VERIFY_*. */
#define BLVM_CONSENSUS_VERIFY_NONE                                  0u
#define BLVM_CONSENSUS_VERIFY_P2SH                                  (1u << 0) /* BIP16 */
#define BLVM_CONSENSUS_VERIFY_STRICTENC                             (1u << 1)
#define BLVM_CONSENSUS_VERIFY_DERSIG                                (1u << 2) /* BIP66 */
#define BLVM_CONSENSUS_VERIFY_LOW_S                                 (1u << 3)
#define BLVM_CONSENSUS_VERIFY_NULLDUMMY                             (1u << 4) /* BIP147 */
#define BLVM_CONSENSUS_VERIFY_SIGPUSHONLY                           (1u << 5)
#define BLVM_CONSENSUS_VERIFY_MINIMALDATA                           (1u << 6)
#define BLVM_CONSENSUS_VERIFY_DISCOURAGE_UPGRADABLE_NOPS            (1u << 7)
#define BLVM_CONSENSUS_VERIFY_CLEANSTACK                            (1u << 8)
#define BLVM_CONSENSUS_VERIFY_CHECKLOCKTIMEVERIFY                   (1u << 9)  /* BIP65 */
#define BLVM_CONSENSUS_VERIFY_CHECKSEQUENCEVERIFY                   (1u << 10) /* BIP112 */
#define BLVM_CONSENSUS_VERIFY_WITNESS                               (1u << 11) /* BIP141, BIP143 */
#define BLVM_CONSENSUS_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM (1u << 12)
#define BLVM_CONSENSUS_VERIFY_MINIMALIF                             (1u << 13)
#define BLVM_CONSENSUS_VERIFY_NULLFAIL                              (1u << 14)
#define BLVM_CONSENSUS_VERIFY_WITNESS_PUBKEYTYPE                    (1u << 15)
#define BLVM_CONSENSUS_VERIFY_CONST_SCRIPTCODE                      (1u << 16)
#define BLVM_CONSENSUS_VERIFY_TAPROOT                               (1u << 17) /* BIP341, BIP342 */
#define BLVM_CONSENSUS_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION (1u << 18)
#define BLVM_CONSENSUS_VERIFY_DISCOURAGE_OP_SUCCESS                 (1u << 19)
#define BLVM_CONSENSUS_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE      (1u << 20)
#define BLVM_CONSENSUS_VERIFY_ALL                                   ((1u << 21) - 1)

/* The consensus rules in force since taproot (what blocks must satisfy). */
#define BLVM_CONSENSUS_VERIFY_MANDATORY                                                            \
    (BLVM_CONSENSUS_VERIFY_P2SH | BLVM_CONSENSUS_VERIFY_DERSIG | BLVM_CONSENSUS_VERIFY_NULLDUMMY | \
     BLVM_CONSENSUS_VERIFY_CHECKLOCKTIMEVERIFY | BLVM_CONSENSUS_VERIFY_CHECKSEQUENCEVERIFY |       \
     BLVM_CONSENSUS_VERIFY_WITNESS | BLVM_CONSENSUS_VERIFY_TAPROOT)

/* Core 29's standard (mempool policy) flags: the mandatory ones and more. */
#define BLVM_CONSENSUS_VERIFY_STANDARD                                                             \
    (BLVM_CONSENSUS_VERIFY_MANDATORY | BLVM_CONSENSUS_VERIFY_STRICTENC |                           \
     BLVM_CONSENSUS_VERIFY_MINIMALDATA | BLVM_CONSENSUS_VERIFY_DISCOURAGE_UPGRADABLE_NOPS |        \
     BLVM_CONSENSUS_VERIFY_CLEANSTACK | BLVM_CONSENSUS_VERIFY_MINIMALIF |                          \
     BLVM_CONSENSUS_VERIFY_NULLFAIL | BLVM_CONSENSUS_VERIFY_LOW_S |                                \
     BLVM_CONSENSUS_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM |                                 \
     BLVM_CONSENSUS_VERIFY_WITNESS_PUBKEYTYPE | BLVM_CONSENSUS_VERIFY_CONST_SCRIPTCODE |           \
     BLVM_CONSENSUS_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION |                                 \
     BLVM_CONSENSUS_VERIFY_DISCOURAGE_OP_SUCCESS |                                                 \
     BLVM_CONSENSUS_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE)

typedef enum {
    BLVM_CONSENSUS_OK = 0,
    BLVM_CONSENSUS_ERR_TX_DESERIALIZE, /* tx bytes are not exactly one transaction */
    BLVM_CONSENSUS_ERR_TX_INDEX,       /* input index out of range */
    BLVM_CONSENSUS_ERR_SPENT_OUTPUTS,  /* spent output count differs from the inputs */
    BLVM_CONSENSUS_ERR_INVALID_FLAGS,  /* unknown flag bits, or WITNESS without P2SH,
                                          CLEANSTACK without WITNESS */
    BLVM_CONSENSUS_ERR_AMOUNT,         /* an amount out of range (negative or > 21e6 BTC) */
    BLVM_CONSENSUS_ERR_NO_MEMORY,
    BLVM_CONSENSUS_ERR_SCRIPT, /* the input is invalid: see *script_error */
} blvm_consensus_error;

/* One output being spent: its scriptPubKey and value in satoshis. */
typedef struct {
    const uint8_t *script_pubkey;
    size_t script_pubkey_len;
    int64_t amount;
} blvm_consensus_spent_output;

/* Verifies input n_in of the serialized transaction tx (legacy or segwit
 * serialization).
 *   spent_outputs: one entry per input of tx, in input order (taproot
 *                  signatures commit to all of them).
 *   flags:         BLVM_CONSENSUS_VERIFY_* bits.
 *   script_error:  may be NULL; set to the script error code (0 = OK) when
 *                  the result is BLVM_CONSENSUS_ERR_SCRIPT or OK.
 * Returns BLVM_CONSENSUS_OK when the input is valid. */
blvm_consensus_error blvm_consensus_verify_input(const uint8_t *tx, size_t tx_len,
                                                 const blvm_consensus_spent_output *spent_outputs,
                                                 size_t spent_outputs_len, unsigned int n_in,
                                                 unsigned int flags, int *script_error);

/* For many inputs of one transaction: decode and precompute once. */
typedef struct blvm_consensus_tx blvm_consensus_tx;

/* Returns NULL on failure with the reason in *err (may be NULL). The spent
 * outputs' scripts are copied. */
blvm_consensus_tx *blvm_consensus_tx_create(const uint8_t *tx, size_t tx_len,
                                            const blvm_consensus_spent_output *spent_outputs,
                                            size_t spent_outputs_len, blvm_consensus_error *err);
void blvm_consensus_tx_destroy(blvm_consensus_tx *ctx);
/* Number of inputs of the prepared transaction. */
size_t blvm_consensus_tx_input_count(const blvm_consensus_tx *ctx);
blvm_consensus_error blvm_consensus_tx_verify_input(const blvm_consensus_tx *ctx, unsigned int n_in,
                                                    unsigned int flags, int *script_error);

/* Core's short name of a script error code ("OK", "EVAL_FALSE", "SIG_DER",
 * ...), or NULL for an unknown code. */
const char *blvm_consensus_script_error_name(int script_error);
/* A short English description of a blvm_consensus_error. */
const char *blvm_consensus_strerror(blvm_consensus_error err);

#ifdef __cplusplus
}
#endif

#endif
