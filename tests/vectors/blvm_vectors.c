/* blvm-vectors KIND FILE: runs one Bitcoin Core test-vector file and prints
 * one line per failing case, then "N passed, N failed". Exit status 0 only
 * when every case passed. */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/interpreter.h"
#include "consensus/script.h"
#include "util/hex.h"
#include "vectors.h"

void vec_fail(vec_tally *t, const char *comment, const char *fmt, ...) {
    t->failed++;
    printf("FAIL: %s: ", comment ? comment : "");
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

/* Opcode names from OP_NOP (0x61) to OP_CHECKSIGADD (0xba), as Core's
 * GetOpName. */
static const char *const op_names[] = {
    "OP_NOP",
    "OP_VER",
    "OP_IF",
    "OP_NOTIF",
    "OP_VERIF",
    "OP_VERNOTIF",
    "OP_ELSE",
    "OP_ENDIF",
    "OP_VERIFY",
    "OP_RETURN",
    "OP_TOALTSTACK",
    "OP_FROMALTSTACK",
    "OP_2DROP",
    "OP_2DUP",
    "OP_3DUP",
    "OP_2OVER",
    "OP_2ROT",
    "OP_2SWAP",
    "OP_IFDUP",
    "OP_DEPTH",
    "OP_DROP",
    "OP_DUP",
    "OP_NIP",
    "OP_OVER",
    "OP_PICK",
    "OP_ROLL",
    "OP_ROT",
    "OP_SWAP",
    "OP_TUCK",
    "OP_CAT",
    "OP_SUBSTR",
    "OP_LEFT",
    "OP_RIGHT",
    "OP_SIZE",
    "OP_INVERT",
    "OP_AND",
    "OP_OR",
    "OP_XOR",
    "OP_EQUAL",
    "OP_EQUALVERIFY",
    "OP_RESERVED1",
    "OP_RESERVED2",
    "OP_1ADD",
    "OP_1SUB",
    "OP_2MUL",
    "OP_2DIV",
    "OP_NEGATE",
    "OP_ABS",
    "OP_NOT",
    "OP_0NOTEQUAL",
    "OP_ADD",
    "OP_SUB",
    "OP_MUL",
    "OP_DIV",
    "OP_MOD",
    "OP_LSHIFT",
    "OP_RSHIFT",
    "OP_BOOLAND",
    "OP_BOOLOR",
    "OP_NUMEQUAL",
    "OP_NUMEQUALVERIFY",
    "OP_NUMNOTEQUAL",
    "OP_LESSTHAN",
    "OP_GREATERTHAN",
    "OP_LESSTHANOREQUAL",
    "OP_GREATERTHANOREQUAL",
    "OP_MIN",
    "OP_MAX",
    "OP_WITHIN",
    "OP_RIPEMD160",
    "OP_SHA1",
    "OP_SHA256",
    "OP_HASH160",
    "OP_HASH256",
    "OP_CODESEPARATOR",
    "OP_CHECKSIG",
    "OP_CHECKSIGVERIFY",
    "OP_CHECKMULTISIG",
    "OP_CHECKMULTISIGVERIFY",
    "OP_NOP1",
    "OP_CHECKLOCKTIMEVERIFY",
    "OP_CHECKSEQUENCEVERIFY",
    "OP_NOP4",
    "OP_NOP5",
    "OP_NOP6",
    "OP_NOP7",
    "OP_NOP8",
    "OP_NOP9",
    "OP_NOP10",
    "OP_CHECKSIGADD",
};

static int lookup_op(const char *w) {
    if (strcmp(w, "OP_RESERVED") == 0 || strcmp(w, "RESERVED") == 0) return OP_RESERVED;
    for (size_t i = 0; i < BLVM_ARRAY_LEN(op_names); i++) {
        if (strcmp(w, op_names[i]) == 0 || strcmp(w, op_names[i] + 3) == 0)
            return (int)(OP_NOP + i);
    }
    return -1;
}

typedef struct {
    uint8_t *p;
    size_t len, cap;
    bool err;
} buf;

static void put(buf *b, const uint8_t *d, size_t n) {
    if (b->err) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        uint8_t *p = realloc(b->p, cap);
        if (!p) {
            b->err = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    if (n) memcpy(b->p + b->len, d, n);
    b->len += n;
}

static void put_byte(buf *b, uint8_t v) {
    put(b, &v, 1);
}

static void put_push(buf *b, const uint8_t *d, size_t n) {
    uint8_t h[5];
    size_t hl;
    if (n < OP_PUSHDATA1) {
        h[0] = (uint8_t)n;
        hl = 1;
    } else if (n <= 0xff) {
        h[0] = OP_PUSHDATA1;
        h[1] = (uint8_t)n;
        hl = 2;
    } else if (n <= 0xffff) {
        h[0] = OP_PUSHDATA2;
        blvm_write_le16(h + 1, (uint16_t)n);
        hl = 3;
    } else {
        h[0] = OP_PUSHDATA4;
        blvm_write_le32(h + 1, (uint32_t)n);
        hl = 5;
    }
    put(b, h, hl);
    put(b, d, n);
}

static bool all_digits(const char *s) {
    if (!*s) return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9') return false;
    return true;
}

uint8_t *vec_parse_script(const char *text, size_t *len) {
    buf b = {0};
    *len = 0;
    put(&b, NULL, 0);
    char *copy = strdup(text);
    if (!copy) return NULL;
    char *save = NULL;
    bool ok = true;
    for (char *w = strtok_r(copy, " \t\n", &save); w && ok; w = strtok_r(NULL, " \t\n", &save)) {
        size_t wl = strlen(w);
        if (all_digits(w) || (w[0] == '-' && all_digits(w + 1))) {
            errno = 0;
            char *end;
            long long n = strtoll(w, &end, 10);
            if (errno || *end || n > 0xffffffffLL || n < -0xffffffffLL) {
                ok = false;
                break;
            }
            if (n == -1 || (n >= 1 && n <= 16)) {
                put_byte(&b, (uint8_t)(n + (OP_1 - 1)));
            } else if (n == 0) {
                put_byte(&b, OP_0);
            } else {
                /* CScriptNum::serialize */
                uint8_t v[9];
                size_t vl = 0;
                bool neg = n < 0;
                unsigned long long a = neg ? (unsigned long long)(-n) : (unsigned long long)n;
                while (a) {
                    v[vl++] = (uint8_t)(a & 0xff);
                    a >>= 8;
                }
                if (v[vl - 1] & 0x80)
                    v[vl++] = neg ? 0x80 : 0;
                else if (neg)
                    v[vl - 1] |= 0x80;
                put_push(&b, v, vl);
            }
        } else if (wl > 2 && w[0] == '0' && w[1] == 'x') {
            /* raw bytes, inserted as they are */
            if ((wl - 2) % 2) {
                ok = false;
                break;
            }
            for (size_t i = 2; i < wl; i += 2) {
                int hi = blvm_hex_digit(w[i]), lo = blvm_hex_digit(w[i + 1]);
                if (hi < 0 || lo < 0) {
                    ok = false;
                    break;
                }
                put_byte(&b, (uint8_t)(hi * 16 + lo));
            }
        } else if (wl >= 2 && w[0] == '\'' && w[wl - 1] == '\'') {
            put_push(&b, (const uint8_t *)w + 1, wl - 2);
        } else {
            int op = lookup_op(w);
            if (op < 0) {
                ok = false;
                break;
            }
            put_byte(&b, (uint8_t)op);
        }
    }
    free(copy);
    if (!ok || b.err) {
        free(b.p);
        return NULL;
    }
    *len = b.len;
    return b.p;
}

static const struct {
    const char *name;
    uint32_t flag;
} flag_names[] = {
    {"P2SH", BLVM_SCRIPT_VERIFY_P2SH},
    {"STRICTENC", BLVM_SCRIPT_VERIFY_STRICTENC},
    {"DERSIG", BLVM_SCRIPT_VERIFY_DERSIG},
    {"LOW_S", BLVM_SCRIPT_VERIFY_LOW_S},
    {"SIGPUSHONLY", BLVM_SCRIPT_VERIFY_SIGPUSHONLY},
    {"MINIMALDATA", BLVM_SCRIPT_VERIFY_MINIMALDATA},
    {"NULLDUMMY", BLVM_SCRIPT_VERIFY_NULLDUMMY},
    {"DISCOURAGE_UPGRADABLE_NOPS", BLVM_SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS},
    {"CLEANSTACK", BLVM_SCRIPT_VERIFY_CLEANSTACK},
    {"MINIMALIF", BLVM_SCRIPT_VERIFY_MINIMALIF},
    {"NULLFAIL", BLVM_SCRIPT_VERIFY_NULLFAIL},
    {"CHECKLOCKTIMEVERIFY", BLVM_SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY},
    {"CHECKSEQUENCEVERIFY", BLVM_SCRIPT_VERIFY_CHECKSEQUENCEVERIFY},
    {"WITNESS", BLVM_SCRIPT_VERIFY_WITNESS},
    {"DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM",
     BLVM_SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM},
    {"WITNESS_PUBKEYTYPE", BLVM_SCRIPT_VERIFY_WITNESS_PUBKEYTYPE},
    {"CONST_SCRIPTCODE", BLVM_SCRIPT_VERIFY_CONST_SCRIPTCODE},
    {"TAPROOT", BLVM_SCRIPT_VERIFY_TAPROOT},
    {"DISCOURAGE_UPGRADABLE_PUBKEYTYPE", BLVM_SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE},
    {"DISCOURAGE_OP_SUCCESS", BLVM_SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS},
    {"DISCOURAGE_UPGRADABLE_TAPROOT_VERSION",
     BLVM_SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION},
};

/* Core's std::map<std::string, unsigned> iterates names alphabetically. */
const uint32_t vec_all_flags[] = {
    BLVM_SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY,
    BLVM_SCRIPT_VERIFY_CHECKSEQUENCEVERIFY,
    BLVM_SCRIPT_VERIFY_CLEANSTACK,
    BLVM_SCRIPT_VERIFY_CONST_SCRIPTCODE,
    BLVM_SCRIPT_VERIFY_DERSIG,
    BLVM_SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS,
    BLVM_SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS,
    BLVM_SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE,
    BLVM_SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION,
    BLVM_SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM,
    BLVM_SCRIPT_VERIFY_LOW_S,
    BLVM_SCRIPT_VERIFY_MINIMALDATA,
    BLVM_SCRIPT_VERIFY_MINIMALIF,
    BLVM_SCRIPT_VERIFY_NULLDUMMY,
    BLVM_SCRIPT_VERIFY_NULLFAIL,
    BLVM_SCRIPT_VERIFY_P2SH,
    BLVM_SCRIPT_VERIFY_SIGPUSHONLY,
    BLVM_SCRIPT_VERIFY_STRICTENC,
    BLVM_SCRIPT_VERIFY_TAPROOT,
    BLVM_SCRIPT_VERIFY_WITNESS,
    BLVM_SCRIPT_VERIFY_WITNESS_PUBKEYTYPE,
};
const size_t vec_all_flags_count = BLVM_ARRAY_LEN(vec_all_flags);

bool vec_parse_flags(const char *text, uint32_t *flags) {
    *flags = 0;
    if (!*text || strcmp(text, "NONE") == 0) return true;
    char *copy = strdup(text);
    if (!copy) return false;
    bool ok = true;
    /* Core's SplitString keeps empty words, which are unknown names. */
    char *p = copy;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma) *comma = 0;
        bool found = false;
        for (size_t i = 0; i < BLVM_ARRAY_LEN(flag_names); i++) {
            if (strcmp(p, flag_names[i].name) == 0) {
                *flags |= flag_names[i].flag;
                found = true;
            }
        }
        if (!found) ok = false;
        if (!comma) break;
        p = comma + 1;
    }
    free(copy);
    return ok;
}

uint64_t vec_rand(void) {
    /* xorshift64*, fixed seed: the same flag combinations on every run */
    static uint64_t s = 0x9e3779b97f4a7c15ull;
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 0x2545f4914f6cdd1dull;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr,
                "usage: %s KIND FILE\n"
                "KIND: script, tx_valid, tx_invalid, sighash, bip341, bip340\n",
                argv[0]);
        return 2;
    }
    const char *kind = argv[1], *path = argv[2];
    vec_tally t = {0, 0};
    int rc;
    if (strcmp(kind, "script") == 0)
        rc = vec_run_script(path, &t);
    else if (strcmp(kind, "tx_valid") == 0)
        rc = vec_run_tx(path, true, &t);
    else if (strcmp(kind, "tx_invalid") == 0)
        rc = vec_run_tx(path, false, &t);
    else if (strcmp(kind, "sighash") == 0)
        rc = vec_run_sighash(path, &t);
    else if (strcmp(kind, "bip341") == 0)
        rc = vec_run_bip341(path, &t);
    else if (strcmp(kind, "bip340") == 0)
        rc = vec_run_bip340(path, &t);
    else {
        fprintf(stderr, "unknown KIND %s\n", kind);
        return 2;
    }
    printf("%u passed, %u failed\n", t.passed, t.failed);
    if (rc != 0 || t.failed != 0 || t.passed == 0) return 1;
    return 0;
}
