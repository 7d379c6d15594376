#ifndef BLVM_CONSENSUS_INTERPRETER_H
#define BLVM_CONSENSUS_INTERPRETER_H

/* The script interpreter: Bitcoin Core's EvalScript and VerifyScript with all
 * of Core 29's verification flags and its exact script error codes.
 *
 * Signature checks go through a blvm_sig_checker: the transaction, the input
 * index, its amount and the precomputed signature-hash data (sighash.h). A
 * checker with no transaction fails every signature check, which is what
 * scripts evaluated outside a transaction need.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/amount.h"
#include "consensus/tx.h"
#include "util/common.h"

/* Verification flags, with Core's values (script/interpreter.h). */
enum {
    BLVM_SCRIPT_VERIFY_NONE = 0,
    BLVM_SCRIPT_VERIFY_P2SH = 1u << 0,      /* BIP16 */
    BLVM_SCRIPT_VERIFY_STRICTENC = 1u << 1, /* policy */
    BLVM_SCRIPT_VERIFY_DERSIG = 1u << 2,    /* BIP66 */
    BLVM_SCRIPT_VERIFY_LOW_S = 1u << 3,     /* BIP62 rule 5 (policy) */
    BLVM_SCRIPT_VERIFY_NULLDUMMY = 1u << 4, /* BIP147 */
    BLVM_SCRIPT_VERIFY_SIGPUSHONLY = 1u << 5,
    BLVM_SCRIPT_VERIFY_MINIMALDATA = 1u << 6,
    BLVM_SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS = 1u << 7,
    BLVM_SCRIPT_VERIFY_CLEANSTACK = 1u << 8,
    BLVM_SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY = 1u << 9,  /* BIP65 */
    BLVM_SCRIPT_VERIFY_CHECKSEQUENCEVERIFY = 1u << 10, /* BIP112 */
    BLVM_SCRIPT_VERIFY_WITNESS = 1u << 11,             /* BIP141/143 */
    BLVM_SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM = 1u << 12,
    BLVM_SCRIPT_VERIFY_MINIMALIF = 1u << 13,
    BLVM_SCRIPT_VERIFY_NULLFAIL = 1u << 14,
    BLVM_SCRIPT_VERIFY_WITNESS_PUBKEYTYPE = 1u << 15,
    BLVM_SCRIPT_VERIFY_CONST_SCRIPTCODE = 1u << 16,
    BLVM_SCRIPT_VERIFY_TAPROOT = 1u << 17, /* BIP341/342 */
    BLVM_SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION = 1u << 18,
    BLVM_SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS = 1u << 19,
    BLVM_SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE = 1u << 20,
    BLVM_SCRIPT_VERIFY_END_MARKER = 1u << 21,
};

/* Core 29's MANDATORY_SCRIPT_VERIFY_FLAGS: the rules blocks must follow
 * since taproot (policy.h). Which of them apply to a given block is the
 * chain's decision (Core's GetBlockScriptFlags). */
#define BLVM_SCRIPT_VERIFY_MANDATORY                                                               \
    (BLVM_SCRIPT_VERIFY_P2SH | BLVM_SCRIPT_VERIFY_DERSIG | BLVM_SCRIPT_VERIFY_NULLDUMMY |          \
     BLVM_SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY | BLVM_SCRIPT_VERIFY_CHECKSEQUENCEVERIFY |             \
     BLVM_SCRIPT_VERIFY_WITNESS | BLVM_SCRIPT_VERIFY_TAPROOT)
/* Core 29's STANDARD_SCRIPT_VERIFY_FLAGS (mempool policy). */
#define BLVM_SCRIPT_VERIFY_STANDARD                                                                \
    (BLVM_SCRIPT_VERIFY_MANDATORY | BLVM_SCRIPT_VERIFY_STRICTENC |                                 \
     BLVM_SCRIPT_VERIFY_MINIMALDATA | BLVM_SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS |              \
     BLVM_SCRIPT_VERIFY_CLEANSTACK | BLVM_SCRIPT_VERIFY_MINIMALIF | BLVM_SCRIPT_VERIFY_NULLFAIL |  \
     BLVM_SCRIPT_VERIFY_LOW_S | BLVM_SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM |         \
     BLVM_SCRIPT_VERIFY_WITNESS_PUBKEYTYPE | BLVM_SCRIPT_VERIFY_CONST_SCRIPTCODE |                 \
     BLVM_SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION |                                    \
     BLVM_SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS |                                                    \
     BLVM_SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE)

/* Core's ScriptError, in Core's order. blvm_script_error_name() gives the
 * name used by Core's script_tests.json ("EVAL_FALSE", "NULLFAIL", ...). */
typedef enum {
    BLVM_SCRIPT_ERR_OK = 0,
    BLVM_SCRIPT_ERR_UNKNOWN_ERROR,
    BLVM_SCRIPT_ERR_EVAL_FALSE,
    BLVM_SCRIPT_ERR_OP_RETURN,

    /* Max sizes */
    BLVM_SCRIPT_ERR_SCRIPT_SIZE,
    BLVM_SCRIPT_ERR_PUSH_SIZE,
    BLVM_SCRIPT_ERR_OP_COUNT,
    BLVM_SCRIPT_ERR_STACK_SIZE,
    BLVM_SCRIPT_ERR_SIG_COUNT,
    BLVM_SCRIPT_ERR_PUBKEY_COUNT,

    /* Failed verify operations */
    BLVM_SCRIPT_ERR_VERIFY,
    BLVM_SCRIPT_ERR_EQUALVERIFY,
    BLVM_SCRIPT_ERR_CHECKMULTISIGVERIFY,
    BLVM_SCRIPT_ERR_CHECKSIGVERIFY,
    BLVM_SCRIPT_ERR_NUMEQUALVERIFY,

    /* Logical/Format/Canonical errors */
    BLVM_SCRIPT_ERR_BAD_OPCODE,
    BLVM_SCRIPT_ERR_DISABLED_OPCODE,
    BLVM_SCRIPT_ERR_INVALID_STACK_OPERATION,
    BLVM_SCRIPT_ERR_INVALID_ALTSTACK_OPERATION,
    BLVM_SCRIPT_ERR_UNBALANCED_CONDITIONAL,

    /* CHECKLOCKTIMEVERIFY and CHECKSEQUENCEVERIFY */
    BLVM_SCRIPT_ERR_NEGATIVE_LOCKTIME,
    BLVM_SCRIPT_ERR_UNSATISFIED_LOCKTIME,

    /* Malleability */
    BLVM_SCRIPT_ERR_SIG_HASHTYPE,
    BLVM_SCRIPT_ERR_SIG_DER,
    BLVM_SCRIPT_ERR_MINIMALDATA,
    BLVM_SCRIPT_ERR_SIG_PUSHONLY,
    BLVM_SCRIPT_ERR_SIG_HIGH_S,
    BLVM_SCRIPT_ERR_SIG_NULLDUMMY,
    BLVM_SCRIPT_ERR_PUBKEYTYPE,
    BLVM_SCRIPT_ERR_CLEANSTACK,
    BLVM_SCRIPT_ERR_MINIMALIF,
    BLVM_SCRIPT_ERR_SIG_NULLFAIL,

    /* Softfork safeness */
    BLVM_SCRIPT_ERR_DISCOURAGE_UPGRADABLE_NOPS,
    BLVM_SCRIPT_ERR_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM,
    BLVM_SCRIPT_ERR_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION,
    BLVM_SCRIPT_ERR_DISCOURAGE_OP_SUCCESS,
    BLVM_SCRIPT_ERR_DISCOURAGE_UPGRADABLE_PUBKEYTYPE,

    /* Segregated witness */
    BLVM_SCRIPT_ERR_WITNESS_PROGRAM_WRONG_LENGTH,
    BLVM_SCRIPT_ERR_WITNESS_PROGRAM_WITNESS_EMPTY,
    BLVM_SCRIPT_ERR_WITNESS_PROGRAM_MISMATCH,
    BLVM_SCRIPT_ERR_WITNESS_MALLEATED,
    BLVM_SCRIPT_ERR_WITNESS_MALLEATED_P2SH,
    BLVM_SCRIPT_ERR_WITNESS_UNEXPECTED,
    BLVM_SCRIPT_ERR_WITNESS_PUBKEYTYPE,

    /* Taproot */
    BLVM_SCRIPT_ERR_SCHNORR_SIG_SIZE,
    BLVM_SCRIPT_ERR_SCHNORR_SIG_HASHTYPE,
    BLVM_SCRIPT_ERR_SCHNORR_SIG,
    BLVM_SCRIPT_ERR_TAPROOT_WRONG_CONTROL_SIZE,
    BLVM_SCRIPT_ERR_TAPSCRIPT_VALIDATION_WEIGHT,
    BLVM_SCRIPT_ERR_TAPSCRIPT_CHECKMULTISIG,
    BLVM_SCRIPT_ERR_TAPSCRIPT_MINIMALIF,
    BLVM_SCRIPT_ERR_TAPSCRIPT_EMPTY_PUBKEY,

    /* Constant scriptCode */
    BLVM_SCRIPT_ERR_OP_CODESEPARATOR,
    BLVM_SCRIPT_ERR_SIG_FINDANDDELETE,

    BLVM_SCRIPT_ERR_ERROR_COUNT
} blvm_script_error;

/* The short name of an error as in Core's test data ("EVAL_FALSE"); NULL for
 * a value out of range. */
const char *blvm_script_error_name(blvm_script_error err);
/* Core's ScriptErrorString: a sentence for logs and RPC. */
const char *blvm_script_error_string(blvm_script_error err);
/* Name -> error; false if unknown. */
BLVM_WUR bool blvm_script_error_from_name(const char *name, blvm_script_error *out);

/* Which script is being run (Core's SigVersion). */
typedef enum {
    BLVM_SIGVERSION_BASE = 0,
    BLVM_SIGVERSION_WITNESS_V0 = 1,
    BLVM_SIGVERSION_TAPROOT = 2,
    BLVM_SIGVERSION_TAPSCRIPT = 3,
} blvm_sigversion;

struct blvm_tx_precomputed; /* sighash.h */

/* What signature checks need to know about the spending transaction. */
typedef struct {
    const blvm_tx *tx;                        /* NULL: every signature check fails */
    size_t n_in;                              /* input being verified */
    blvm_amount amount;                       /* value of the output it spends */
    const struct blvm_tx_precomputed *txdata; /* may be NULL for legacy/v0 */
} blvm_sig_checker;

/* Per-execution data for BIP341/342 (Core's ScriptExecutionData). */
typedef struct {
    bool tapleaf_hash_init;
    uint8_t tapleaf_hash[32];
    bool codeseparator_pos_init;
    uint32_t codeseparator_pos;
    bool annex_init;
    bool annex_present;
    uint8_t annex_hash[32];
    bool validation_weight_left_init;
    int64_t validation_weight_left;
    bool output_hash_init;
    bool output_hash_present;
    uint8_t output_hash[32];
} blvm_script_exec_data;

/* The evaluation stack: a list of byte strings. */
typedef struct {
    uint8_t *data;
    uint32_t len;
} blvm_stack_item;

typedef struct {
    blvm_stack_item *items;
    size_t size;
    size_t cap;
} blvm_stack;

void blvm_stack_init(blvm_stack *st);
void blvm_stack_clear(blvm_stack *st);
/* Pushes a copy of data. */
BLVM_WUR bool blvm_stack_push(blvm_stack *st, const uint8_t *data, size_t len);

/* Core's EvalScript: runs script on stack. On failure returns false and sets
 * *err (an allocation failure is BLVM_SCRIPT_ERR_UNKNOWN_ERROR). */
BLVM_WUR bool blvm_eval_script(blvm_stack *stack, const uint8_t *script, size_t len, uint32_t flags,
                               const blvm_sig_checker *checker, blvm_sigversion sigversion,
                               blvm_script_exec_data *execdata, blvm_script_error *err);

/* Core's VerifyScript: scriptSig, scriptPubKey, the witness of the input and
 * the flags. Returns true when the spend is valid; otherwise false with the
 * reason in *err. */
BLVM_WUR bool blvm_verify_script(const uint8_t *script_sig, size_t sig_len,
                                 const uint8_t *script_pubkey, size_t spk_len,
                                 const blvm_witness *witness, uint32_t flags,
                                 const blvm_sig_checker *checker, blvm_script_error *err);

/* One input of a decoded transaction: VerifyScript of tx->vin[n_in] against
 * spent[n_in] (spent holds the outputs of every input, as taproot needs).
 * pd comes from blvm_tx_precompute(pd, tx, spent, false), done once per
 * transaction; it may be NULL for transactions without taproot inputs (then
 * taproot signature checks fail). This is what a node calls per input. */
BLVM_WUR bool blvm_verify_input(const blvm_tx *tx, size_t n_in, const blvm_txout *spent,
                                const struct blvm_tx_precomputed *pd, uint32_t flags,
                                blvm_script_error *err);

/* Core's CastToBool. */
bool blvm_script_cast_to_bool(const uint8_t *data, size_t len);

/* Core's CheckSignatureEncoding / CheckPubKeyEncoding under flags. */
BLVM_WUR bool blvm_check_signature_encoding(const uint8_t *sig, size_t len, uint32_t flags,
                                            blvm_script_error *err);
BLVM_WUR bool blvm_check_pubkey_encoding(const uint8_t *pubkey, size_t len, uint32_t flags,
                                         blvm_sigversion sigversion, blvm_script_error *err);

/* Core's FindAndDelete: removes every occurrence of the serialized push `b`
 * (on opcode boundaries) from script in place; returns the count removed and
 * sets *len to the new length. */
size_t blvm_script_find_and_delete(uint8_t *script, size_t *len, const uint8_t *b, size_t b_len);

#endif
