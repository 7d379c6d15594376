#include "protocol/script_asm.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "consensus/interpreter.h"
#include "consensus/script.h"
#include "util/bytes.h"
#include "util/hex.h"

const char *blvm_script_op_name(uint8_t op) {
    static const char *const names_4c[] = {
        "OP_PUSHDATA1", "OP_PUSHDATA2", "OP_PUSHDATA4", "-1", "OP_RESERVED",
    };
    static const char *const names_61[] = {
        "OP_NOP", "OP_VER", "OP_IF", "OP_NOTIF", "OP_VERIF", "OP_VERNOTIF", "OP_ELSE",
        "OP_ENDIF", "OP_VERIFY", "OP_RETURN", "OP_TOALTSTACK", "OP_FROMALTSTACK", "OP_2DROP",
        "OP_2DUP", "OP_3DUP", "OP_2OVER", "OP_2ROT", "OP_2SWAP", "OP_IFDUP", "OP_DEPTH",
        "OP_DROP", "OP_DUP", "OP_NIP", "OP_OVER", "OP_PICK", "OP_ROLL", "OP_ROT", "OP_SWAP",
        "OP_TUCK", "OP_CAT", "OP_SUBSTR", "OP_LEFT", "OP_RIGHT", "OP_SIZE", "OP_INVERT",
        "OP_AND", "OP_OR", "OP_XOR", "OP_EQUAL", "OP_EQUALVERIFY", "OP_RESERVED1",
        "OP_RESERVED2", "OP_1ADD", "OP_1SUB", "OP_2MUL", "OP_2DIV", "OP_NEGATE", "OP_ABS",
        "OP_NOT", "OP_0NOTEQUAL", "OP_ADD", "OP_SUB", "OP_MUL", "OP_DIV", "OP_MOD",
        "OP_LSHIFT", "OP_RSHIFT", "OP_BOOLAND", "OP_BOOLOR", "OP_NUMEQUAL",
        "OP_NUMEQUALVERIFY", "OP_NUMNOTEQUAL", "OP_LESSTHAN", "OP_GREATERTHAN",
        "OP_LESSTHANOREQUAL", "OP_GREATERTHANOREQUAL", "OP_MIN", "OP_MAX", "OP_WITHIN",
        "OP_RIPEMD160", "OP_SHA1", "OP_SHA256", "OP_HASH160", "OP_HASH256",
        "OP_CODESEPARATOR", "OP_CHECKSIG", "OP_CHECKSIGVERIFY", "OP_CHECKMULTISIG",
        "OP_CHECKMULTISIGVERIFY", "OP_NOP1", "OP_CHECKLOCKTIMEVERIFY",
        "OP_CHECKSEQUENCEVERIFY", "OP_NOP4", "OP_NOP5", "OP_NOP6", "OP_NOP7", "OP_NOP8",
        "OP_NOP9", "OP_NOP10", "OP_CHECKSIGADD",
    };
    static const char *const small[] = {"1", "2",  "3",  "4",  "5",  "6",  "7",  "8",
                                        "9", "10", "11", "12", "13", "14", "15", "16"};
    if (op == OP_0) return "0";
    if (op >= OP_PUSHDATA1 && op <= OP_RESERVED) return names_4c[op - OP_PUSHDATA1];
    if (op >= OP_1 && op <= OP_16) return small[op - OP_1];
    if (op >= OP_NOP && op <= OP_CHECKSIGADD) return names_61[op - OP_NOP];
    if (op == OP_INVALIDOPCODE) return "OP_INVALIDOPCODE";
    return "OP_UNKNOWN";
}

/* CScriptNum(vch, false).getint() for pushes of at most 4 bytes. */
static int64_t small_script_num(const uint8_t *p, size_t n) {
    if (n == 0) return 0;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) v |= (int64_t)p[i] << (8 * i);
    if (p[n - 1] & 0x80) return -(int64_t)(v & ~((int64_t)0x80 << (8 * (n - 1))));
    return v;
}

static const char *sighash_name(uint8_t t) {
    switch (t) {
    case 0x01: return "ALL";
    case 0x81: return "ALL|ANYONECANPAY";
    case 0x02: return "NONE";
    case 0x82: return "NONE|ANYONECANPAY";
    case 0x03: return "SINGLE";
    case 0x83: return "SINGLE|ANYONECANPAY";
    }
    return NULL;
}

char *blvm_script_to_asm(const uint8_t *script, size_t len, bool attempt_sighash_decode) {
    blvm_writer w;
    blvm_writer_init(&w);
    const uint8_t *pc = script, *end = script + len;
    /* The unspendable check keeps OP_RETURN data that happens to look like a
     * signature from being decoded (as Core does). */
    bool decode = attempt_sighash_decode && !blvm_script_is_unspendable(script, len);
    while (pc < end) {
        if (w.len) blvm_write_u8(&w, ' ');
        uint8_t op;
        const uint8_t *data;
        size_t n;
        if (!blvm_script_get_op(&pc, end, &op, &data, &n)) {
            blvm_write_bytes(&w, "[error]", 7);
            break;
        }
        char num[32];
        if (op <= OP_PUSHDATA4) {
            if (n <= 4) {
                int k = snprintf(num, sizeof num, "%" PRId64, small_script_num(data, n));
                blvm_write_bytes(&w, num, (size_t)k);
                continue;
            }
            const char *suffix = NULL;
            blvm_script_error serr;
            if (decode &&
                blvm_check_signature_encoding(data, n, BLVM_SCRIPT_VERIFY_STRICTENC, &serr)) {
                suffix = sighash_name(data[n - 1]);
                if (suffix) n--;
            }
            if (!blvm_writer_reserve(&w, 2 * n + 1)) break;
            blvm_hex_encode((char *)w.data + w.len, data, n);
            w.len += 2 * n;
            if (suffix) {
                blvm_write_u8(&w, '[');
                blvm_write_bytes(&w, suffix, strlen(suffix));
                blvm_write_u8(&w, ']');
            }
        } else {
            const char *name = blvm_script_op_name(op);
            blvm_write_bytes(&w, name, strlen(name));
        }
    }
    blvm_write_u8(&w, '\0');
    if (w.err) {
        blvm_writer_clear(&w);
        return NULL;
    }
    return (char *)blvm_writer_release(&w, NULL);
}
