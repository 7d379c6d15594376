#ifndef BLVM_CONSENSUS_SCRIPT_H
#define BLVM_CONSENSUS_SCRIPT_H

/* Bitcoin script: opcodes, parsing one operation at a time (Core's
 * CScript::GetOp), signature-operation counting (legacy, P2SH, witness) and
 * the few script-template tests consensus needs.
 *
 * Scripts are plain byte spans (pointer, length); nothing here allocates.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/amount.h"
#include "consensus/tx.h"
#include "util/common.h"

/* Core's script limits (script/script.h). */
#define BLVM_MAX_SCRIPT_ELEMENT_SIZE  520
#define BLVM_MAX_OPS_PER_SCRIPT       201
#define BLVM_MAX_PUBKEYS_PER_MULTISIG 20
#define BLVM_MAX_SCRIPT_SIZE          10000
#define BLVM_MAX_STACK_SIZE           1000
/* Lock times below this are block heights, above are unix times. */
#define BLVM_LOCKTIME_THRESHOLD 500000000u
/* BIP342: each Schnorr signature check costs this much of the budget. */
#define BLVM_VALIDATION_WEIGHT_PER_SIGOP_PASSED 50
#define BLVM_VALIDATION_WEIGHT_OFFSET           50

typedef enum {
    /* push value */
    OP_0 = 0x00,
    OP_FALSE = OP_0,
    OP_PUSHDATA1 = 0x4c,
    OP_PUSHDATA2 = 0x4d,
    OP_PUSHDATA4 = 0x4e,
    OP_1NEGATE = 0x4f,
    OP_RESERVED = 0x50,
    OP_1 = 0x51,
    OP_TRUE = OP_1,
    OP_2 = 0x52,
    OP_3 = 0x53,
    OP_4 = 0x54,
    OP_5 = 0x55,
    OP_6 = 0x56,
    OP_7 = 0x57,
    OP_8 = 0x58,
    OP_9 = 0x59,
    OP_10 = 0x5a,
    OP_11 = 0x5b,
    OP_12 = 0x5c,
    OP_13 = 0x5d,
    OP_14 = 0x5e,
    OP_15 = 0x5f,
    OP_16 = 0x60,

    /* control */
    OP_NOP = 0x61,
    OP_VER = 0x62,
    OP_IF = 0x63,
    OP_NOTIF = 0x64,
    OP_VERIF = 0x65,
    OP_VERNOTIF = 0x66,
    OP_ELSE = 0x67,
    OP_ENDIF = 0x68,
    OP_VERIFY = 0x69,
    OP_RETURN = 0x6a,

    /* stack ops */
    OP_TOALTSTACK = 0x6b,
    OP_FROMALTSTACK = 0x6c,
    OP_2DROP = 0x6d,
    OP_2DUP = 0x6e,
    OP_3DUP = 0x6f,
    OP_2OVER = 0x70,
    OP_2ROT = 0x71,
    OP_2SWAP = 0x72,
    OP_IFDUP = 0x73,
    OP_DEPTH = 0x74,
    OP_DROP = 0x75,
    OP_DUP = 0x76,
    OP_NIP = 0x77,
    OP_OVER = 0x78,
    OP_PICK = 0x79,
    OP_ROLL = 0x7a,
    OP_ROT = 0x7b,
    OP_SWAP = 0x7c,
    OP_TUCK = 0x7d,

    /* splice ops */
    OP_CAT = 0x7e,
    OP_SUBSTR = 0x7f,
    OP_LEFT = 0x80,
    OP_RIGHT = 0x81,
    OP_SIZE = 0x82,

    /* bit logic */
    OP_INVERT = 0x83,
    OP_AND = 0x84,
    OP_OR = 0x85,
    OP_XOR = 0x86,
    OP_EQUAL = 0x87,
    OP_EQUALVERIFY = 0x88,
    OP_RESERVED1 = 0x89,
    OP_RESERVED2 = 0x8a,

    /* numeric */
    OP_1ADD = 0x8b,
    OP_1SUB = 0x8c,
    OP_2MUL = 0x8d,
    OP_2DIV = 0x8e,
    OP_NEGATE = 0x8f,
    OP_ABS = 0x90,
    OP_NOT = 0x91,
    OP_0NOTEQUAL = 0x92,
    OP_ADD = 0x93,
    OP_SUB = 0x94,
    OP_MUL = 0x95,
    OP_DIV = 0x96,
    OP_MOD = 0x97,
    OP_LSHIFT = 0x98,
    OP_RSHIFT = 0x99,
    OP_BOOLAND = 0x9a,
    OP_BOOLOR = 0x9b,
    OP_NUMEQUAL = 0x9c,
    OP_NUMEQUALVERIFY = 0x9d,
    OP_NUMNOTEQUAL = 0x9e,
    OP_LESSTHAN = 0x9f,
    OP_GREATERTHAN = 0xa0,
    OP_LESSTHANOREQUAL = 0xa1,
    OP_GREATERTHANOREQUAL = 0xa2,
    OP_MIN = 0xa3,
    OP_MAX = 0xa4,
    OP_WITHIN = 0xa5,

    /* crypto */
    OP_RIPEMD160 = 0xa6,
    OP_SHA1 = 0xa7,
    OP_SHA256 = 0xa8,
    OP_HASH160 = 0xa9,
    OP_HASH256 = 0xaa,
    OP_CODESEPARATOR = 0xab,
    OP_CHECKSIG = 0xac,
    OP_CHECKSIGVERIFY = 0xad,
    OP_CHECKMULTISIG = 0xae,
    OP_CHECKMULTISIGVERIFY = 0xaf,

    /* expansion */
    OP_NOP1 = 0xb0,
    OP_CHECKLOCKTIMEVERIFY = 0xb1,
    OP_NOP2 = OP_CHECKLOCKTIMEVERIFY,
    OP_CHECKSEQUENCEVERIFY = 0xb2,
    OP_NOP3 = OP_CHECKSEQUENCEVERIFY,
    OP_NOP4 = 0xb3,
    OP_NOP5 = 0xb4,
    OP_NOP6 = 0xb5,
    OP_NOP7 = 0xb6,
    OP_NOP8 = 0xb7,
    OP_NOP9 = 0xb8,
    OP_NOP10 = 0xb9,

    /* BIP342 */
    OP_CHECKSIGADD = 0xba,

    OP_INVALIDOPCODE = 0xff,
} blvm_opcode;

/* The largest opcode the interpreter knows (Core's MAX_OPCODE). */
#define BLVM_MAX_OPCODE OP_NOP10

/* Reads the operation at *pc (which must lie in [script, end]) like Core's
 * GetScriptOp: on success sets *opcode, and for pushes points *data at the
 * pushed bytes (*data_len its length; both zero/NULL for non-pushes) and moves
 * *pc past the operation. Returns false at the end of the script or on a push
 * running past the end: then *opcode is OP_INVALIDOPCODE and *pc has moved
 * past the opcode and length bytes it read, exactly as in Core. */
BLVM_WUR bool blvm_script_get_op(const uint8_t **pc, const uint8_t *end, uint8_t *opcode,
                                 const uint8_t **data, size_t *data_len);

/* OP_1..OP_16 -> 1..16, OP_0 -> 0 (Core's DecodeOP_N). */
static inline int blvm_script_decode_op_n(uint8_t op) {
    return op == OP_0 ? 0 : (int)op - (int)(OP_1 - 1);
}
static inline uint8_t blvm_script_encode_op_n(int n) {
    return n == 0 ? (uint8_t)OP_0 : (uint8_t)(OP_1 + n - 1);
}

/* Core's CScript::GetSigOpCount(fAccurate): CHECKSIG(VERIFY) count 1;
 * CHECKMULTISIG(VERIFY) counts 20, or n when accurate and preceded by OP_n. */
unsigned blvm_script_sigop_count(const uint8_t *script, size_t len, bool accurate);

/* Core's CScript::GetSigOpCount(scriptSig): for a P2SH script_pubkey, the
 * accurate count of the redeem script (the last push of script_sig); 0 when
 * script_sig is not push-only; otherwise the legacy count of script_pubkey. */
unsigned blvm_script_p2sh_sigop_count(const uint8_t *script_pubkey, size_t spk_len,
                                      const uint8_t *script_sig, size_t sig_len);

/* BIP16: OP_HASH160 <20 bytes> OP_EQUAL. */
bool blvm_script_is_p2sh(const uint8_t *script, size_t len);
/* BIP141 native P2WSH: OP_0 <32 bytes>. */
bool blvm_script_is_p2wsh(const uint8_t *script, size_t len);
/* Only push operations: every opcode up to OP_16 (OP_1NEGATE and, as in Core's
 * IsPushOnly, OP_RESERVED included). */
bool blvm_script_is_push_only(const uint8_t *script, size_t len);
/* BIP342: the OP_SUCCESSx opcodes, which make a tapscript succeed
 * unconditionally (Core's IsOpSuccess). */
bool blvm_script_is_op_success(uint8_t op);
/* Core's IsUnspendable: starts with OP_RETURN or longer than 10000 bytes. */
bool blvm_script_is_unspendable(const uint8_t *script, size_t len);
/* BIP141: a 1-byte version push (OP_0..OP_16) then one 2..40 byte push and
 * nothing else, 4..42 bytes in all. On success sets *version, and points
 * *program at the program (*program_len its size). */
bool blvm_script_is_witness_program(const uint8_t *script, size_t len, int *version,
                                    const uint8_t **program, size_t *program_len);

/* Core's CountWitnessSigOps for one input (flags: the script verify flags
 * of interpreter.h; 0 unless BLVM_SCRIPT_VERIFY_WITNESS is set). P2WPKH
 * counts 1, P2WSH the accurate count of the witness script (the last witness
 * item), also when nested in P2SH; other versions count 0. */
unsigned blvm_script_witness_sigop_count(const uint8_t *script_sig, size_t sig_len,
                                         const uint8_t *script_pubkey, size_t spk_len,
                                         const blvm_witness *witness, uint32_t flags);

/* Transaction-level counts (Core's consensus/tx_verify.cpp). */

/* GetLegacySigOpCount: inaccurate counts of every scriptSig and scriptPubKey. */
unsigned blvm_tx_legacy_sigop_count(const blvm_tx *tx);
/* GetP2SHSigOpCount: spent[i] is the output input i spends; 0 for a coinbase. */
unsigned blvm_tx_p2sh_sigop_count(const blvm_tx *tx, const blvm_txout *spent);
/* GetTransactionSigOpCost: legacy*4, + P2SH*4 when BLVM_SCRIPT_VERIFY_P2SH,
 * + witness sigops; only the legacy part for a coinbase (spent may be NULL
 * then). */
uint64_t blvm_tx_sigop_cost(const blvm_tx *tx, const blvm_txout *spent, uint32_t flags);

#endif
