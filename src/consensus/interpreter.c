#include "consensus/interpreter.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/script.h"
#include "consensus/sigcheck.h"
#include "consensus/sighash.h"
#include "crypto/hash.h"
#include "crypto/ripemd160.h"
#include "crypto/sha1.h"
#include "crypto/sha256.h"

/* ---- error names ------------------------------------------------------ */

static const struct {
    const char *name;
    const char *text;
} error_info[BLVM_SCRIPT_ERR_ERROR_COUNT] = {
    [BLVM_SCRIPT_ERR_OK] = {"OK", "No error"},
    [BLVM_SCRIPT_ERR_UNKNOWN_ERROR] = {"UNKNOWN_ERROR", "unknown error"},
    [BLVM_SCRIPT_ERR_EVAL_FALSE] = {"EVAL_FALSE",
                                    "Script evaluated without error but finished with a "
                                    "false/empty top stack element"},
    [BLVM_SCRIPT_ERR_OP_RETURN] = {"OP_RETURN", "OP_RETURN was encountered"},
    [BLVM_SCRIPT_ERR_SCRIPT_SIZE] = {"SCRIPT_SIZE", "Script is too big"},
    [BLVM_SCRIPT_ERR_PUSH_SIZE] = {"PUSH_SIZE", "Push value size limit exceeded"},
    [BLVM_SCRIPT_ERR_OP_COUNT] = {"OP_COUNT", "Operation limit exceeded"},
    [BLVM_SCRIPT_ERR_STACK_SIZE] = {"STACK_SIZE", "Stack size limit exceeded"},
    [BLVM_SCRIPT_ERR_SIG_COUNT] = {"SIG_COUNT",
                                   "Signature count negative or greater than pubkey count"},
    [BLVM_SCRIPT_ERR_PUBKEY_COUNT] = {"PUBKEY_COUNT", "Pubkey count negative or limit exceeded"},
    [BLVM_SCRIPT_ERR_VERIFY] = {"VERIFY", "Script failed an OP_VERIFY operation"},
    [BLVM_SCRIPT_ERR_EQUALVERIFY] = {"EQUALVERIFY", "Script failed an OP_EQUALVERIFY operation"},
    [BLVM_SCRIPT_ERR_CHECKMULTISIGVERIFY] = {"CHECKMULTISIGVERIFY",
                                             "Script failed an OP_CHECKMULTISIGVERIFY operation"},
    [BLVM_SCRIPT_ERR_CHECKSIGVERIFY] = {"CHECKSIGVERIFY",
                                        "Script failed an OP_CHECKSIGVERIFY operation"},
    [BLVM_SCRIPT_ERR_NUMEQUALVERIFY] = {"NUMEQUALVERIFY",
                                        "Script failed an OP_NUMEQUALVERIFY operation"},
    [BLVM_SCRIPT_ERR_BAD_OPCODE] = {"BAD_OPCODE", "Opcode missing or not understood"},
    [BLVM_SCRIPT_ERR_DISABLED_OPCODE] = {"DISABLED_OPCODE", "Attempted to use a disabled opcode"},
    [BLVM_SCRIPT_ERR_INVALID_STACK_OPERATION] = {"INVALID_STACK_OPERATION",
                                                 "Operation not valid with the current stack size"},
    [BLVM_SCRIPT_ERR_INVALID_ALTSTACK_OPERATION] = {"INVALID_ALTSTACK_OPERATION",
                                                    "Operation not valid with the current "
                                                    "altstack size"},
    [BLVM_SCRIPT_ERR_UNBALANCED_CONDITIONAL] = {"UNBALANCED_CONDITIONAL",
                                                "Invalid OP_IF construction"},
    [BLVM_SCRIPT_ERR_NEGATIVE_LOCKTIME] = {"NEGATIVE_LOCKTIME", "Negative locktime"},
    [BLVM_SCRIPT_ERR_UNSATISFIED_LOCKTIME] = {"UNSATISFIED_LOCKTIME",
                                              "Locktime requirement not satisfied"},
    [BLVM_SCRIPT_ERR_SIG_HASHTYPE] = {"SIG_HASHTYPE",
                                      "Signature hash type missing or not understood"},
    [BLVM_SCRIPT_ERR_SIG_DER] = {"SIG_DER", "Non-canonical DER signature"},
    [BLVM_SCRIPT_ERR_MINIMALDATA] = {"MINIMALDATA", "Data push larger than necessary"},
    [BLVM_SCRIPT_ERR_SIG_PUSHONLY] = {"SIG_PUSHONLY", "Only push operators allowed in signatures"},
    [BLVM_SCRIPT_ERR_SIG_HIGH_S] = {"SIG_HIGH_S",
                                    "Non-canonical signature: S value is unnecessarily high"},
    [BLVM_SCRIPT_ERR_SIG_NULLDUMMY] = {"SIG_NULLDUMMY",
                                       "Dummy CHECKMULTISIG argument must be zero"},
    [BLVM_SCRIPT_ERR_PUBKEYTYPE] = {"PUBKEYTYPE",
                                    "Public key is neither compressed or uncompressed"},
    [BLVM_SCRIPT_ERR_CLEANSTACK] = {"CLEANSTACK", "Stack size must be exactly one after execution"},
    [BLVM_SCRIPT_ERR_MINIMALIF] = {"MINIMALIF", "OP_IF/NOTIF argument must be minimal"},
    [BLVM_SCRIPT_ERR_SIG_NULLFAIL] =
        {"NULLFAIL", "Signature must be zero for failed CHECK(MULTI)SIG operation"},
    [BLVM_SCRIPT_ERR_DISCOURAGE_UPGRADABLE_NOPS] = {"DISCOURAGE_UPGRADABLE_NOPS",
                                                    "NOPx reserved for soft-fork upgrades"},
    [BLVM_SCRIPT_ERR_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM] =
        {"DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM",
         "Witness version reserved for soft-fork upgrades"},
    [BLVM_SCRIPT_ERR_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION] =
        {"DISCOURAGE_UPGRADABLE_TAPROOT_VERSION",
         "Taproot version reserved for soft-fork upgrades"},
    [BLVM_SCRIPT_ERR_DISCOURAGE_OP_SUCCESS] = {"DISCOURAGE_OP_SUCCESS",
                                               "OP_SUCCESSx reserved for soft-fork upgrades"},
    [BLVM_SCRIPT_ERR_DISCOURAGE_UPGRADABLE_PUBKEYTYPE] = {"DISCOURAGE_UPGRADABLE_PUBKEYTYPE",
                                                          "Public key version reserved for "
                                                          "soft-fork upgrades"},
    [BLVM_SCRIPT_ERR_WITNESS_PROGRAM_WRONG_LENGTH] = {"WITNESS_PROGRAM_WRONG_LENGTH",
                                                      "Witness program has incorrect length"},
    [BLVM_SCRIPT_ERR_WITNESS_PROGRAM_WITNESS_EMPTY] = {"WITNESS_PROGRAM_WITNESS_EMPTY",
                                                       "Witness program was passed an empty "
                                                       "witness"},
    [BLVM_SCRIPT_ERR_WITNESS_PROGRAM_MISMATCH] = {"WITNESS_PROGRAM_MISMATCH",
                                                  "Witness program hash mismatch"},
    [BLVM_SCRIPT_ERR_WITNESS_MALLEATED] = {"WITNESS_MALLEATED", "Witness requires empty scriptSig"},
    [BLVM_SCRIPT_ERR_WITNESS_MALLEATED_P2SH] = {"WITNESS_MALLEATED_P2SH",
                                                "Witness requires only-redeemscript scriptSig"},
    [BLVM_SCRIPT_ERR_WITNESS_UNEXPECTED] = {"WITNESS_UNEXPECTED",
                                            "Witness provided for non-witness script"},
    [BLVM_SCRIPT_ERR_WITNESS_PUBKEYTYPE] = {"WITNESS_PUBKEYTYPE",
                                            "Using non-compressed keys in segwit"},
    [BLVM_SCRIPT_ERR_SCHNORR_SIG_SIZE] = {"SCHNORR_SIG_SIZE", "Invalid Schnorr signature size"},
    [BLVM_SCRIPT_ERR_SCHNORR_SIG_HASHTYPE] = {"SCHNORR_SIG_HASHTYPE",
                                              "Invalid Schnorr signature hash type"},
    [BLVM_SCRIPT_ERR_SCHNORR_SIG] = {"SCHNORR_SIG", "Invalid Schnorr signature"},
    [BLVM_SCRIPT_ERR_TAPROOT_WRONG_CONTROL_SIZE] = {"TAPROOT_WRONG_CONTROL_SIZE",
                                                    "Invalid Taproot control block size"},
    [BLVM_SCRIPT_ERR_TAPSCRIPT_VALIDATION_WEIGHT] = {"TAPSCRIPT_VALIDATION_WEIGHT",
                                                     "Too much signature validation relative to "
                                                     "witness weight"},
    [BLVM_SCRIPT_ERR_TAPSCRIPT_CHECKMULTISIG] = {"TAPSCRIPT_CHECKMULTISIG",
                                                 "OP_CHECKMULTISIG(VERIFY) is not available in "
                                                 "tapscript"},
    [BLVM_SCRIPT_ERR_TAPSCRIPT_MINIMALIF] = {"TAPSCRIPT_MINIMALIF",
                                             "OP_IF/NOTIF argument must be minimal in tapscript"},
    [BLVM_SCRIPT_ERR_TAPSCRIPT_EMPTY_PUBKEY] = {"TAPSCRIPT_EMPTY_PUBKEY",
                                                "Empty public key in tapscript"},
    [BLVM_SCRIPT_ERR_OP_CODESEPARATOR] = {"OP_CODESEPARATOR",
                                          "Using OP_CODESEPARATOR in non-witness script"},
    [BLVM_SCRIPT_ERR_SIG_FINDANDDELETE] = {"SIG_FINDANDDELETE", "Signature is found in scriptCode"},
};

const char *blvm_script_error_name(blvm_script_error err) {
    if ((unsigned)err >= BLVM_SCRIPT_ERR_ERROR_COUNT) return NULL;
    return error_info[err].name;
}

const char *blvm_script_error_string(blvm_script_error err) {
    if ((unsigned)err >= BLVM_SCRIPT_ERR_ERROR_COUNT) return "unknown error";
    return error_info[err].text;
}

bool blvm_script_error_from_name(const char *name, blvm_script_error *out) {
    for (unsigned i = 0; i < BLVM_SCRIPT_ERR_ERROR_COUNT; i++) {
        if (error_info[i].name && strcmp(error_info[i].name, name) == 0) {
            *out = (blvm_script_error)i;
            return true;
        }
    }
    return false;
}

/* ---- stack ------------------------------------------------------------ */

void blvm_stack_init(blvm_stack *st) {
    st->items = NULL;
    st->size = 0;
    st->cap = 0;
}

void blvm_stack_clear(blvm_stack *st) {
    for (size_t i = 0; i < st->size; i++)
        free(st->items[i].data);
    free(st->items);
    blvm_stack_init(st);
}

static bool stack_reserve(blvm_stack *st, size_t n) {
    if (st->size + n <= st->cap) return true;
    size_t cap = st->cap ? st->cap * 2 : 16;
    while (cap < st->size + n)
        cap *= 2;
    blvm_stack_item *p = realloc(st->items, cap * sizeof(*p));
    if (!p) return false;
    st->items = p;
    st->cap = cap;
    return true;
}

bool blvm_stack_push(blvm_stack *st, const uint8_t *data, size_t len) {
    if (len > UINT32_MAX || !stack_reserve(st, 1)) return false;
    uint8_t *copy = NULL;
    if (len) {
        copy = malloc(len);
        if (!copy) return false;
        memcpy(copy, data, len);
    }
    st->items[st->size].data = copy;
    st->items[st->size].len = (uint32_t)len;
    st->size++;
    return true;
}

/* i counts from the top: -1 is the top item, as Core's stacktop(). */
static blvm_stack_item *top(blvm_stack *st, long i) {
    return &st->items[(long)st->size + i];
}

static void pop(blvm_stack *st) {
    st->size--;
    free(st->items[st->size].data);
}

/* Removes the item at top(i) and returns it (ownership to the caller). */
static blvm_stack_item take(blvm_stack *st, long i) {
    size_t pos = (size_t)((long)st->size + i);
    blvm_stack_item it = st->items[pos];
    memmove(&st->items[pos], &st->items[pos + 1], (st->size - pos - 1) * sizeof(it));
    st->size--;
    return it;
}

/* Pushes an item whose buffer the stack takes over. */
static bool push_owned(blvm_stack *st, blvm_stack_item it) {
    if (!stack_reserve(st, 1)) {
        free(it.data);
        return false;
    }
    st->items[st->size++] = it;
    return true;
}

static void swap_items(blvm_stack *st, long a, long b) {
    blvm_stack_item t = *top(st, a);
    *top(st, a) = *top(st, b);
    *top(st, b) = t;
}

static bool stack_copy(blvm_stack *dst, const blvm_stack *src) {
    blvm_stack_init(dst);
    if (!stack_reserve(dst, src->size)) return false;
    for (size_t i = 0; i < src->size; i++)
        if (!blvm_stack_push(dst, src->items[i].data, src->items[i].len)) {
            blvm_stack_clear(dst);
            return false;
        }
    return true;
}

/* ---- script numbers (Core's CScriptNum) ------------------------------ */

#define NUM_OK  0
#define NUM_ERR 1

/* Decodes a little-endian sign-magnitude number of at most max_size bytes.
 * Failures are Core's scriptnum_error, which EvalScript reports as
 * UNKNOWN_ERROR. */
static int num_decode(const blvm_stack_item *it, bool require_minimal, size_t max_size,
                      int64_t *out) {
    size_t n = it->len;
    const uint8_t *v = it->data;
    if (n > max_size) return NUM_ERR;
    if (require_minimal && n > 0) {
        /* The most significant byte may only be 0x00/0x80 when the next byte
         * needs its high bit for the value. */
        if ((v[n - 1] & 0x7f) == 0 && (n <= 1 || (v[n - 2] & 0x80) == 0)) return NUM_ERR;
    }
    if (n == 0) {
        *out = 0;
        return NUM_OK;
    }
    int64_t r = 0;
    for (size_t i = 0; i < n; i++)
        r |= (int64_t)v[i] << (8 * i);
    if (v[n - 1] & 0x80) {
        r &= ~((int64_t)0x80 << (8 * (n - 1)));
        r = -r;
    }
    *out = r;
    return NUM_OK;
}

/* Minimal encoding of v into buf (at most 9 bytes); returns the length. */
static size_t num_encode(int64_t v, uint8_t buf[9]) {
    if (v == 0) return 0;
    bool neg = v < 0;
    uint64_t abs = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    size_t n = 0;
    while (abs) {
        buf[n++] = (uint8_t)(abs & 0xff);
        abs >>= 8;
    }
    if (buf[n - 1] & 0x80)
        buf[n++] = neg ? 0x80 : 0;
    else if (neg)
        buf[n - 1] |= 0x80;
    return n;
}

static bool push_num(blvm_stack *st, int64_t v) {
    uint8_t buf[9];
    size_t n = num_encode(v, buf);
    return blvm_stack_push(st, buf, n);
}

/* CScriptNum::getint: clamps to the int range. */
static int num_getint(int64_t v) {
    if (v > 2147483647) return 2147483647;
    if (v < -2147483647 - 1) return -2147483647 - 1;
    return (int)v;
}

/* ---- encoding checks -------------------------------------------------- */

bool blvm_script_cast_to_bool(const uint8_t *data, size_t len) {
    for (size_t i = 0; i < len; i++) {
        if (data[i] != 0) {
            /* Negative zero is false. */
            if (i == len - 1 && data[i] == 0x80) return false;
            return true;
        }
    }
    return false;
}

/* BIP66 strict DER of a signature with its hash type byte appended:
 * 0x30 [total-length] 0x02 [R-length] [R] 0x02 [S-length] [S] [sighash] */
static bool is_valid_signature_encoding(const uint8_t *sig, size_t size) {
    if (size < 9) return false;
    if (size > 73) return false;
    if (sig[0] != 0x30) return false;
    if (sig[1] != size - 3) return false;
    size_t len_r = sig[3];
    if (5 + len_r >= size) return false;
    size_t len_s = sig[5 + len_r];
    if (len_r + len_s + 7 != size) return false;
    if (sig[2] != 0x02) return false;
    if (len_r == 0) return false;
    if (sig[4] & 0x80) return false;
    if (len_r > 1 && sig[4] == 0x00 && !(sig[5] & 0x80)) return false;
    if (sig[len_r + 4] != 0x02) return false;
    if (len_s == 0) return false;
    if (sig[len_r + 6] & 0x80) return false;
    if (len_s > 1 && sig[len_r + 6] == 0x00 && !(sig[len_r + 7] & 0x80)) return false;
    return true;
}

static bool set_err(blvm_script_error *err, blvm_script_error e) {
    if (err) *err = e;
    return e == BLVM_SCRIPT_ERR_OK;
}

bool blvm_check_signature_encoding(const uint8_t *sig, size_t len, uint32_t flags,
                                   blvm_script_error *err) {
    /* An empty signature is the compact way to fail CHECK(MULTI)SIG. */
    if (len == 0) return true;
    if ((flags & (BLVM_SCRIPT_VERIFY_DERSIG | BLVM_SCRIPT_VERIFY_LOW_S |
                  BLVM_SCRIPT_VERIFY_STRICTENC)) != 0 &&
        !is_valid_signature_encoding(sig, len)) {
        return set_err(err, BLVM_SCRIPT_ERR_SIG_DER);
    } else if ((flags & BLVM_SCRIPT_VERIFY_LOW_S) != 0) {
        if (!is_valid_signature_encoding(sig, len)) return set_err(err, BLVM_SCRIPT_ERR_SIG_DER);
        if (!blvm_ecdsa_check_low_s(sig, len - 1)) return set_err(err, BLVM_SCRIPT_ERR_SIG_HIGH_S);
    }
    if ((flags & BLVM_SCRIPT_VERIFY_STRICTENC) != 0) {
        uint8_t t = sig[len - 1] & (uint8_t)~BLVM_SIGHASH_ANYONECANPAY;
        if (t < BLVM_SIGHASH_ALL || t > BLVM_SIGHASH_SINGLE)
            return set_err(err, BLVM_SCRIPT_ERR_SIG_HASHTYPE);
    }
    return true;
}

static bool is_compressed_or_uncompressed_pubkey(const uint8_t *pk, size_t len) {
    if (len < 33) return false;
    if (pk[0] == 0x04) return len == 65;
    if (pk[0] == 0x02 || pk[0] == 0x03) return len == 33;
    return false;
}

static bool is_compressed_pubkey(const uint8_t *pk, size_t len) {
    return len == 33 && (pk[0] == 0x02 || pk[0] == 0x03);
}

bool blvm_check_pubkey_encoding(const uint8_t *pubkey, size_t len, uint32_t flags,
                                blvm_sigversion sigversion, blvm_script_error *err) {
    if ((flags & BLVM_SCRIPT_VERIFY_STRICTENC) != 0 &&
        !is_compressed_or_uncompressed_pubkey(pubkey, len))
        return set_err(err, BLVM_SCRIPT_ERR_PUBKEYTYPE);
    /* BIP143: only compressed keys in segwit v0 (policy). */
    if ((flags & BLVM_SCRIPT_VERIFY_WITNESS_PUBKEYTYPE) != 0 &&
        sigversion == BLVM_SIGVERSION_WITNESS_V0 && !is_compressed_pubkey(pubkey, len))
        return set_err(err, BLVM_SCRIPT_ERR_WITNESS_PUBKEYTYPE);
    return true;
}

static bool check_minimal_push(const uint8_t *data, size_t len, uint8_t opcode) {
    if (len == 0) return opcode == OP_0;
    if (len == 1 && data[0] >= 1 && data[0] <= 16) return false; /* use OP_1..OP_16 */
    if (len == 1 && data[0] == 0x81) return false;               /* use OP_1NEGATE */
    if (len <= 75) return opcode == len;
    if (len <= 255) return opcode == OP_PUSHDATA1;
    if (len <= 65535) return opcode == OP_PUSHDATA2;
    return true;
}

/* Serializes data as a single push, as Core's CScript << vector. Returns the
 * length written to out (at least len + 5 bytes). */
static size_t serialize_push(uint8_t *out, const uint8_t *data, size_t len) {
    size_t n = 0;
    if (len < OP_PUSHDATA1) {
        out[n++] = (uint8_t)len;
    } else if (len <= 0xff) {
        out[n++] = OP_PUSHDATA1;
        out[n++] = (uint8_t)len;
    } else if (len <= 0xffff) {
        out[n++] = OP_PUSHDATA2;
        blvm_write_le16(out + n, (uint16_t)len);
        n += 2;
    } else {
        out[n++] = OP_PUSHDATA4;
        blvm_write_le32(out + n, (uint32_t)len);
        n += 4;
    }
    if (len) memcpy(out + n, data, len);
    return n + len;
}

size_t blvm_script_find_and_delete(uint8_t *script, size_t *len, const uint8_t *b, size_t b_len) {
    size_t found = 0;
    if (b_len == 0 || *len == 0) return 0;
    const uint8_t *end = script + *len;
    const uint8_t *pc = script, *pc2 = script;
    size_t out = 0; /* the result is written in place; it never overtakes pc2 */
    uint8_t op;
    const uint8_t *d;
    size_t dl;
    do {
        memmove(script + out, pc2, (size_t)(pc - pc2));
        out += (size_t)(pc - pc2);
        while ((size_t)(end - pc) >= b_len && memcmp(pc, b, b_len) == 0) {
            pc += b_len;
            found++;
        }
        pc2 = pc;
    } while (blvm_script_get_op(&pc, end, &op, &d, &dl));
    if (found > 0) {
        memmove(script + out, pc2, (size_t)(end - pc2));
        out += (size_t)(end - pc2);
        *len = out;
    }
    return found;
}

/* ---- signature checks ------------------------------------------------- */

#define SEQUENCE_LOCKTIME_DISABLE_FLAG (1u << 31)
#define SEQUENCE_LOCKTIME_TYPE_FLAG    (1u << 22)
#define SEQUENCE_LOCKTIME_MASK         0x0000ffffu

static bool checker_ecdsa(const blvm_sig_checker *c, const uint8_t *sig, size_t sig_len,
                          const uint8_t *pubkey, size_t pk_len, const uint8_t *script_code,
                          size_t code_len, blvm_sigversion sigversion) {
    if (!c || !c->tx) return false;
    if (pk_len == 0) return false;
    {
        uint8_t h = pubkey[0];
        size_t want = (h == 2 || h == 3) ? 33 : (h == 4 || h == 6 || h == 7) ? 65 : 0;
        if (want == 0 || want != pk_len) return false;
    }
    if (sig_len == 0) return false;
    int hash_type = sig[sig_len - 1];
    uint8_t sighash[32];
    if (sigversion == BLVM_SIGVERSION_WITNESS_V0) {
        if (c->amount < 0) return false;
        blvm_sighash_witness_v0(sighash, script_code, code_len, c->tx, c->n_in, hash_type,
                                c->amount, c->txdata);
    } else {
        blvm_sighash_legacy(sighash, script_code, code_len, c->tx, c->n_in, hash_type);
    }
    return blvm_ecdsa_verify(pubkey, pk_len, sig, sig_len - 1, sighash);
}

static bool checker_schnorr(const blvm_sig_checker *c, const uint8_t *sig, size_t sig_len,
                            const uint8_t *pubkey32, blvm_sigversion sigversion,
                            blvm_script_exec_data *execdata, blvm_script_error *err) {
    /* BIP341: 64 bytes, or 65 with an explicit hash type that is not 0. */
    if (sig_len != 64 && sig_len != 65) return set_err(err, BLVM_SCRIPT_ERR_SCHNORR_SIG_SIZE);
    uint8_t hash_type = BLVM_SIGHASH_DEFAULT;
    if (sig_len == 65) {
        hash_type = sig[64];
        if (hash_type == BLVM_SIGHASH_DEFAULT)
            return set_err(err, BLVM_SCRIPT_ERR_SCHNORR_SIG_HASHTYPE);
    }
    /* Without the transaction data the signature cannot be checked. */
    if (!c || !c->tx || !c->txdata) return set_err(err, BLVM_SCRIPT_ERR_SCHNORR_SIG);
    uint8_t sighash[32];
    if (!blvm_sighash_taproot(sighash, execdata, c->tx, c->n_in, hash_type, sigversion, c->txdata))
        return set_err(err, BLVM_SCRIPT_ERR_SCHNORR_SIG_HASHTYPE);
    if (!blvm_schnorr_verify(pubkey32, sig, sighash))
        return set_err(err, BLVM_SCRIPT_ERR_SCHNORR_SIG);
    return true;
}

/* BIP65 */
static bool checker_locktime(const blvm_sig_checker *c, int64_t locktime) {
    if (!c || !c->tx) return false;
    int64_t tx_lock = c->tx->locktime;
    /* Heights and times are not comparable. */
    if (!((tx_lock < BLVM_LOCKTIME_THRESHOLD && locktime < BLVM_LOCKTIME_THRESHOLD) ||
          (tx_lock >= BLVM_LOCKTIME_THRESHOLD && locktime >= BLVM_LOCKTIME_THRESHOLD)))
        return false;
    if (locktime > tx_lock) return false;
    /* A final input would let the transaction skip its lock time. */
    if (c->tx->vin[c->n_in].sequence == BLVM_SEQUENCE_FINAL) return false;
    return true;
}

/* BIP112 */
static bool checker_sequence(const blvm_sig_checker *c, int64_t sequence) {
    if (!c || !c->tx) return false;
    int64_t tx_seq = c->tx->vin[c->n_in].sequence;
    /* BIP68 applies from version 2 (version is unsigned, as in Core). */
    if (c->tx->version < 2) return false;
    if (tx_seq & SEQUENCE_LOCKTIME_DISABLE_FLAG) return false;
    const int64_t mask = SEQUENCE_LOCKTIME_TYPE_FLAG | SEQUENCE_LOCKTIME_MASK;
    int64_t tx_masked = tx_seq & mask;
    int64_t masked = sequence & mask;
    if (!((tx_masked < SEQUENCE_LOCKTIME_TYPE_FLAG && masked < SEQUENCE_LOCKTIME_TYPE_FLAG) ||
          (tx_masked >= SEQUENCE_LOCKTIME_TYPE_FLAG && masked >= SEQUENCE_LOCKTIME_TYPE_FLAG)))
        return false;
    if (masked > tx_masked) return false;
    return true;
}

/* ---- EvalScript ------------------------------------------------------- */

/* Core's ConditionStack: only the size and the position of the first false
 * entry matter. */
#define NO_FALSE UINT32_MAX
typedef struct {
    uint32_t size;
    uint32_t first_false;
} cond_stack;

static bool is_disabled(uint8_t op) {
    /* CVE-2010-5137: these were disabled in 2010. */
    switch (op) {
    case OP_CAT:
    case OP_SUBSTR:
    case OP_LEFT:
    case OP_RIGHT:
    case OP_INVERT:
    case OP_AND:
    case OP_OR:
    case OP_XOR:
    case OP_2MUL:
    case OP_2DIV:
    case OP_MUL:
    case OP_DIV:
    case OP_MOD:
    case OP_LSHIFT:
    case OP_RSHIFT:
        return true;
    default:
        return false;
    }
}

/* EvalChecksigPreTapscript */
static bool eval_checksig_pre_tapscript(const blvm_stack_item *sig, const blvm_stack_item *pubkey,
                                        const uint8_t *begincode, const uint8_t *pend,
                                        uint32_t flags, const blvm_sig_checker *checker,
                                        blvm_sigversion sigversion, blvm_script_error *err,
                                        bool *success) {
    size_t code_len = (size_t)(pend - begincode);
    uint8_t *code = NULL;
    const uint8_t *script_code = begincode;
    if (sigversion == BLVM_SIGVERSION_BASE && code_len > 0) {
        /* Pre-segwit scripts drop the signature from the signed script. */
        uint8_t *push = malloc(sig->len + 5);
        code = malloc(code_len);
        if (!push || !code) {
            free(push);
            free(code);
            return set_err(err, BLVM_SCRIPT_ERR_UNKNOWN_ERROR);
        }
        memcpy(code, begincode, code_len);
        size_t plen = serialize_push(push, sig->data, sig->len);
        size_t found = blvm_script_find_and_delete(code, &code_len, push, plen);
        free(push);
        if (found > 0 && (flags & BLVM_SCRIPT_VERIFY_CONST_SCRIPTCODE)) {
            free(code);
            return set_err(err, BLVM_SCRIPT_ERR_SIG_FINDANDDELETE);
        }
        script_code = code;
    }
    if (!blvm_check_signature_encoding(sig->data, sig->len, flags, err) ||
        !blvm_check_pubkey_encoding(pubkey->data, pubkey->len, flags, sigversion, err)) {
        free(code);
        return false;
    }
    *success = checker_ecdsa(checker, sig->data, sig->len, pubkey->data, pubkey->len, script_code,
                             code_len, sigversion);
    free(code);
    if (!*success && (flags & BLVM_SCRIPT_VERIFY_NULLFAIL) && sig->len)
        return set_err(err, BLVM_SCRIPT_ERR_SIG_NULLFAIL);
    return true;
}

/* EvalChecksigTapscript (BIP342). The order of the rules is consensus:
 * upgradable key types first, an empty signature with an empty key fails,
 * a non-empty invalid signature fails the script. */
static bool eval_checksig_tapscript(const blvm_stack_item *sig, const blvm_stack_item *pubkey,
                                    blvm_script_exec_data *execdata, uint32_t flags,
                                    const blvm_sig_checker *checker, blvm_script_error *err,
                                    bool *success) {
    *success = sig->len != 0;
    if (*success) {
        /* The signature-operations budget is paid by witness size. */
        execdata->validation_weight_left -= BLVM_VALIDATION_WEIGHT_PER_SIGOP_PASSED;
        if (execdata->validation_weight_left < 0)
            return set_err(err, BLVM_SCRIPT_ERR_TAPSCRIPT_VALIDATION_WEIGHT);
    }
    if (pubkey->len == 0) {
        return set_err(err, BLVM_SCRIPT_ERR_TAPSCRIPT_EMPTY_PUBKEY);
    } else if (pubkey->len == 32) {
        if (*success && !checker_schnorr(checker, sig->data, sig->len, pubkey->data,
                                         BLVM_SIGVERSION_TAPSCRIPT, execdata, err))
            return false;
    } else {
        /* Unknown key types succeed, for future soft forks. */
        if (flags & BLVM_SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE)
            return set_err(err, BLVM_SCRIPT_ERR_DISCOURAGE_UPGRADABLE_PUBKEYTYPE);
    }
    return true;
}

static bool eval_checksig(const blvm_stack_item *sig, const blvm_stack_item *pubkey,
                          const uint8_t *begincode, const uint8_t *pend,
                          blvm_script_exec_data *execdata, uint32_t flags,
                          const blvm_sig_checker *checker, blvm_sigversion sigversion,
                          blvm_script_error *err, bool *success) {
    if (sigversion == BLVM_SIGVERSION_TAPSCRIPT)
        return eval_checksig_tapscript(sig, pubkey, execdata, flags, checker, err, success);
    return eval_checksig_pre_tapscript(sig, pubkey, begincode, pend, flags, checker, sigversion,
                                       err, success);
}

static const uint8_t vch_true[1] = {1};

#define FAIL(e)                                                                                    \
    do {                                                                                           \
        ret = set_err(err, (e));                                                                   \
        goto done;                                                                                 \
    } while (0)
#define NEED(n)                                                                                    \
    do {                                                                                           \
        if (stack->size < (size_t)(n)) FAIL(BLVM_SCRIPT_ERR_INVALID_STACK_OPERATION);              \
    } while (0)
#define OOM_IF(x)                                                                                  \
    do {                                                                                           \
        if (x) FAIL(BLVM_SCRIPT_ERR_UNKNOWN_ERROR);                                                \
    } while (0)
#define NUM(item, max, out)                                                                        \
    do {                                                                                           \
        if (num_decode((item), require_minimal, (max), (out)) != NUM_OK)                           \
            FAIL(BLVM_SCRIPT_ERR_UNKNOWN_ERROR);                                                   \
    } while (0)

bool blvm_eval_script(blvm_stack *stack, const uint8_t *script, size_t len, uint32_t flags,
                      const blvm_sig_checker *checker, blvm_sigversion sigversion,
                      blvm_script_exec_data *execdata, blvm_script_error *err) {
    bool ret = false;
    blvm_stack altstack;
    blvm_stack_init(&altstack);
    const uint8_t *pc = script, *pend = len ? script + len : script, *pbegincodehash = script;
    cond_stack vf = {0, NO_FALSE};
    int op_count = 0;
    bool require_minimal = (flags & BLVM_SCRIPT_VERIFY_MINIMALDATA) != 0;
    uint32_t opcode_pos = 0;

    set_err(err, BLVM_SCRIPT_ERR_UNKNOWN_ERROR);
    if (sigversion == BLVM_SIGVERSION_TAPROOT) return false; /* key path runs no script */
    if ((sigversion == BLVM_SIGVERSION_BASE || sigversion == BLVM_SIGVERSION_WITNESS_V0) &&
        len > BLVM_MAX_SCRIPT_SIZE)
        return set_err(err, BLVM_SCRIPT_ERR_SCRIPT_SIZE);
    execdata->codeseparator_pos = 0xFFFFFFFFu;
    execdata->codeseparator_pos_init = true;

    for (; pc < pend; ++opcode_pos) {
        bool exec = vf.first_false == NO_FALSE;
        uint8_t op;
        const uint8_t *push;
        size_t push_len;

        if (!blvm_script_get_op(&pc, pend, &op, &push, &push_len)) FAIL(BLVM_SCRIPT_ERR_BAD_OPCODE);
        if (push_len > BLVM_MAX_SCRIPT_ELEMENT_SIZE) FAIL(BLVM_SCRIPT_ERR_PUSH_SIZE);

        if (sigversion == BLVM_SIGVERSION_BASE || sigversion == BLVM_SIGVERSION_WITNESS_V0) {
            /* OP_RESERVED does not count towards the limit. */
            if (op > OP_16 && ++op_count > BLVM_MAX_OPS_PER_SCRIPT) FAIL(BLVM_SCRIPT_ERR_OP_COUNT);
        }

        if (is_disabled(op)) FAIL(BLVM_SCRIPT_ERR_DISABLED_OPCODE);

        /* CONST_SCRIPTCODE rejects OP_CODESEPARATOR in legacy scripts even in
         * an unexecuted branch. */
        if (op == OP_CODESEPARATOR && sigversion == BLVM_SIGVERSION_BASE &&
            (flags & BLVM_SCRIPT_VERIFY_CONST_SCRIPTCODE))
            FAIL(BLVM_SCRIPT_ERR_OP_CODESEPARATOR);

        if (exec && op <= OP_PUSHDATA4) {
            if (require_minimal && !check_minimal_push(push, push_len, op))
                FAIL(BLVM_SCRIPT_ERR_MINIMALDATA);
            OOM_IF(!blvm_stack_push(stack, push, push_len));
        } else if (exec || (OP_IF <= op && op <= OP_ENDIF)) {
            switch (op) {
            /* Push value */
            case OP_1NEGATE:
            case OP_1:
            case OP_2:
            case OP_3:
            case OP_4:
            case OP_5:
            case OP_6:
            case OP_7:
            case OP_8:
            case OP_9:
            case OP_10:
            case OP_11:
            case OP_12:
            case OP_13:
            case OP_14:
            case OP_15:
            case OP_16:
                OOM_IF(!push_num(stack, (int64_t)op - (int64_t)(OP_1 - 1)));
                break;

            /* Control */
            case OP_NOP:
                break;

            case OP_CHECKLOCKTIMEVERIFY: {
                if (!(flags & BLVM_SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY)) break; /* NOP2 */
                NEED(1);
                /* 5-byte numbers, so lock times past 2038 fit (BIP65). */
                int64_t lock;
                NUM(top(stack, -1), 5, &lock);
                if (lock < 0) FAIL(BLVM_SCRIPT_ERR_NEGATIVE_LOCKTIME);
                if (!checker_locktime(checker, lock)) FAIL(BLVM_SCRIPT_ERR_UNSATISFIED_LOCKTIME);
                break;
            }

            case OP_CHECKSEQUENCEVERIFY: {
                if (!(flags & BLVM_SCRIPT_VERIFY_CHECKSEQUENCEVERIFY)) break; /* NOP3 */
                NEED(1);
                int64_t seq;
                NUM(top(stack, -1), 5, &seq);
                if (seq < 0) FAIL(BLVM_SCRIPT_ERR_NEGATIVE_LOCKTIME);
                /* BIP112: the disable flag makes it a NOP, for future use. */
                if ((seq & SEQUENCE_LOCKTIME_DISABLE_FLAG) != 0) break;
                if (!checker_sequence(checker, seq)) FAIL(BLVM_SCRIPT_ERR_UNSATISFIED_LOCKTIME);
                break;
            }

            case OP_NOP1:
            case OP_NOP4:
            case OP_NOP5:
            case OP_NOP6:
            case OP_NOP7:
            case OP_NOP8:
            case OP_NOP9:
            case OP_NOP10:
                if (flags & BLVM_SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS)
                    FAIL(BLVM_SCRIPT_ERR_DISCOURAGE_UPGRADABLE_NOPS);
                break;

            case OP_IF:
            case OP_NOTIF: {
                bool value = false;
                if (exec) {
                    if (stack->size < 1) FAIL(BLVM_SCRIPT_ERR_UNBALANCED_CONDITIONAL);
                    blvm_stack_item *v = top(stack, -1);
                    /* BIP342: minimal IF arguments are consensus in tapscript. */
                    if (sigversion == BLVM_SIGVERSION_TAPSCRIPT) {
                        if (v->len > 1 || (v->len == 1 && v->data[0] != 1))
                            FAIL(BLVM_SCRIPT_ERR_TAPSCRIPT_MINIMALIF);
                    }
                    /* ... and policy in segwit v0. */
                    if (sigversion == BLVM_SIGVERSION_WITNESS_V0 &&
                        (flags & BLVM_SCRIPT_VERIFY_MINIMALIF)) {
                        if (v->len > 1) FAIL(BLVM_SCRIPT_ERR_MINIMALIF);
                        if (v->len == 1 && v->data[0] != 1) FAIL(BLVM_SCRIPT_ERR_MINIMALIF);
                    }
                    value = blvm_script_cast_to_bool(v->data, v->len);
                    if (op == OP_NOTIF) value = !value;
                    pop(stack);
                }
                if (vf.first_false == NO_FALSE && !value) vf.first_false = vf.size;
                vf.size++;
                break;
            }

            case OP_ELSE:
                if (vf.size == 0) FAIL(BLVM_SCRIPT_ERR_UNBALANCED_CONDITIONAL);
                if (vf.first_false == NO_FALSE)
                    vf.first_false = vf.size - 1;
                else if (vf.first_false == vf.size - 1)
                    vf.first_false = NO_FALSE;
                break;

            case OP_ENDIF:
                if (vf.size == 0) FAIL(BLVM_SCRIPT_ERR_UNBALANCED_CONDITIONAL);
                if (vf.first_false == vf.size - 1) vf.first_false = NO_FALSE;
                vf.size--;
                break;

            case OP_VERIFY:
                NEED(1);
                if (!blvm_script_cast_to_bool(top(stack, -1)->data, top(stack, -1)->len))
                    FAIL(BLVM_SCRIPT_ERR_VERIFY);
                pop(stack);
                break;

            case OP_RETURN:
                FAIL(BLVM_SCRIPT_ERR_OP_RETURN);

            /* Stack ops */
            case OP_TOALTSTACK:
                NEED(1);
                OOM_IF(!push_owned(&altstack, take(stack, -1)));
                break;

            case OP_FROMALTSTACK:
                if (altstack.size < 1) FAIL(BLVM_SCRIPT_ERR_INVALID_ALTSTACK_OPERATION);
                OOM_IF(!push_owned(stack, take(&altstack, -1)));
                break;

            case OP_2DROP:
                NEED(2);
                pop(stack);
                pop(stack);
                break;

            case OP_2DUP: {
                NEED(2);
                blvm_stack_item a = *top(stack, -2), b = *top(stack, -1);
                OOM_IF(!blvm_stack_push(stack, a.data, a.len));
                OOM_IF(!blvm_stack_push(stack, b.data, b.len));
                break;
            }

            case OP_3DUP: {
                NEED(3);
                for (int k = 0; k < 3; k++) {
                    blvm_stack_item a = *top(stack, -3);
                    OOM_IF(!blvm_stack_push(stack, a.data, a.len));
                }
                break;
            }

            case OP_2OVER: {
                NEED(4);
                for (int k = 0; k < 2; k++) {
                    blvm_stack_item a = *top(stack, -4);
                    OOM_IF(!blvm_stack_push(stack, a.data, a.len));
                }
                break;
            }

            case OP_2ROT: {
                /* x1 x2 x3 x4 x5 x6 -- x3 x4 x5 x6 x1 x2 */
                NEED(6);
                blvm_stack_item a = take(stack, -6);
                blvm_stack_item b = take(stack, -5);
                bool ok_a = push_owned(stack, a); /* both run, so neither leaks */
                bool ok_b = push_owned(stack, b);
                OOM_IF(!ok_a || !ok_b);
                break;
            }

            case OP_2SWAP:
                NEED(4);
                swap_items(stack, -4, -2);
                swap_items(stack, -3, -1);
                break;

            case OP_IFDUP: {
                NEED(1);
                blvm_stack_item a = *top(stack, -1);
                if (blvm_script_cast_to_bool(a.data, a.len))
                    OOM_IF(!blvm_stack_push(stack, a.data, a.len));
                break;
            }

            case OP_DEPTH:
                OOM_IF(!push_num(stack, (int64_t)stack->size));
                break;

            case OP_DROP:
                NEED(1);
                pop(stack);
                break;

            case OP_DUP: {
                NEED(1);
                blvm_stack_item a = *top(stack, -1);
                OOM_IF(!blvm_stack_push(stack, a.data, a.len));
                break;
            }

            case OP_NIP: {
                NEED(2);
                blvm_stack_item a = take(stack, -2);
                free(a.data);
                break;
            }

            case OP_OVER: {
                NEED(2);
                blvm_stack_item a = *top(stack, -2);
                OOM_IF(!blvm_stack_push(stack, a.data, a.len));
                break;
            }

            case OP_PICK:
            case OP_ROLL: {
                NEED(2);
                int64_t v;
                NUM(top(stack, -1), 4, &v);
                int n = num_getint(v);
                pop(stack);
                if (n < 0 || (size_t)n >= stack->size)
                    FAIL(BLVM_SCRIPT_ERR_INVALID_STACK_OPERATION);
                if (op == OP_ROLL) {
                    OOM_IF(!push_owned(stack, take(stack, -n - 1)));
                } else {
                    blvm_stack_item a = *top(stack, -n - 1);
                    OOM_IF(!blvm_stack_push(stack, a.data, a.len));
                }
                break;
            }

            case OP_ROT:
                /* x1 x2 x3 -- x2 x3 x1 */
                NEED(3);
                swap_items(stack, -3, -2);
                swap_items(stack, -2, -1);
                break;

            case OP_SWAP:
                NEED(2);
                swap_items(stack, -2, -1);
                break;

            case OP_TUCK: {
                /* x1 x2 -- x2 x1 x2 */
                NEED(2);
                blvm_stack_item a = *top(stack, -1);
                OOM_IF(!blvm_stack_push(stack, a.data, a.len));
                /* move the copy below the two originals */
                blvm_stack_item copy = stack->items[stack->size - 1];
                memmove(&stack->items[stack->size - 2], &stack->items[stack->size - 3],
                        2 * sizeof(copy));
                stack->items[stack->size - 3] = copy;
                break;
            }

            case OP_SIZE:
                NEED(1);
                OOM_IF(!push_num(stack, (int64_t)top(stack, -1)->len));
                break;

            /* Bitwise logic */
            case OP_EQUAL:
            case OP_EQUALVERIFY: {
                NEED(2);
                blvm_stack_item *a = top(stack, -2), *b = top(stack, -1);
                bool equal =
                    a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
                pop(stack);
                pop(stack);
                OOM_IF(!blvm_stack_push(stack, vch_true, equal ? 1 : 0));
                if (op == OP_EQUALVERIFY) {
                    if (!equal) FAIL(BLVM_SCRIPT_ERR_EQUALVERIFY);
                    pop(stack);
                }
                break;
            }

            /* Numeric */
            case OP_1ADD:
            case OP_1SUB:
            case OP_NEGATE:
            case OP_ABS:
            case OP_NOT:
            case OP_0NOTEQUAL: {
                NEED(1);
                int64_t bn;
                NUM(top(stack, -1), 4, &bn);
                switch (op) {
                case OP_1ADD:
                    bn += 1;
                    break;
                case OP_1SUB:
                    bn -= 1;
                    break;
                case OP_NEGATE:
                    bn = -bn;
                    break;
                case OP_ABS:
                    if (bn < 0) bn = -bn;
                    break;
                case OP_NOT:
                    bn = bn == 0;
                    break;
                default:
                    bn = bn != 0;
                    break;
                }
                pop(stack);
                OOM_IF(!push_num(stack, bn));
                break;
            }

            case OP_ADD:
            case OP_SUB:
            case OP_BOOLAND:
            case OP_BOOLOR:
            case OP_NUMEQUAL:
            case OP_NUMEQUALVERIFY:
            case OP_NUMNOTEQUAL:
            case OP_LESSTHAN:
            case OP_GREATERTHAN:
            case OP_LESSTHANOREQUAL:
            case OP_GREATERTHANOREQUAL:
            case OP_MIN:
            case OP_MAX: {
                NEED(2);
                int64_t a, b, r;
                NUM(top(stack, -2), 4, &a);
                NUM(top(stack, -1), 4, &b);
                switch (op) {
                case OP_ADD:
                    r = a + b;
                    break;
                case OP_SUB:
                    r = a - b;
                    break;
                case OP_BOOLAND:
                    r = a != 0 && b != 0;
                    break;
                case OP_BOOLOR:
                    r = a != 0 || b != 0;
                    break;
                case OP_NUMEQUAL:
                    r = a == b;
                    break;
                case OP_NUMEQUALVERIFY:
                    r = a == b;
                    break;
                case OP_NUMNOTEQUAL:
                    r = a != b;
                    break;
                case OP_LESSTHAN:
                    r = a < b;
                    break;
                case OP_GREATERTHAN:
                    r = a > b;
                    break;
                case OP_LESSTHANOREQUAL:
                    r = a <= b;
                    break;
                case OP_GREATERTHANOREQUAL:
                    r = a >= b;
                    break;
                case OP_MIN:
                    r = a < b ? a : b;
                    break;
                default:
                    r = a > b ? a : b;
                    break;
                }
                pop(stack);
                pop(stack);
                OOM_IF(!push_num(stack, r));
                if (op == OP_NUMEQUALVERIFY) {
                    if (!blvm_script_cast_to_bool(top(stack, -1)->data, top(stack, -1)->len))
                        FAIL(BLVM_SCRIPT_ERR_NUMEQUALVERIFY);
                    pop(stack);
                }
                break;
            }

            case OP_WITHIN: {
                /* x min max -- out */
                NEED(3);
                int64_t x, mn, mx;
                NUM(top(stack, -3), 4, &x);
                NUM(top(stack, -2), 4, &mn);
                NUM(top(stack, -1), 4, &mx);
                bool value = mn <= x && x < mx;
                pop(stack);
                pop(stack);
                pop(stack);
                OOM_IF(!blvm_stack_push(stack, vch_true, value ? 1 : 0));
                break;
            }

            /* Crypto */
            case OP_RIPEMD160:
            case OP_SHA1:
            case OP_SHA256:
            case OP_HASH160:
            case OP_HASH256: {
                NEED(1);
                blvm_stack_item *a = top(stack, -1);
                static const uint8_t empty[1] = {0};
                const uint8_t *in = a->len ? a->data : empty; /* never hash NULL */
                uint8_t h[32];
                size_t hl = (op == OP_SHA256 || op == OP_HASH256) ? 32 : 20;
                if (op == OP_RIPEMD160)
                    blvm_ripemd160(h, in, a->len);
                else if (op == OP_SHA1)
                    blvm_sha1(h, in, a->len);
                else if (op == OP_SHA256)
                    blvm_sha256(h, in, a->len);
                else if (op == OP_HASH160)
                    blvm_hash160(h, in, a->len);
                else
                    blvm_sha256d(h, in, a->len);
                pop(stack);
                OOM_IF(!blvm_stack_push(stack, h, hl));
                break;
            }

            case OP_CODESEPARATOR:
                /* The signed script starts after the last executed separator. */
                pbegincodehash = pc;
                execdata->codeseparator_pos = opcode_pos;
                break;

            case OP_CHECKSIG:
            case OP_CHECKSIGVERIFY: {
                NEED(2);
                bool success = true;
                if (!eval_checksig(top(stack, -2), top(stack, -1), pbegincodehash, pend, execdata,
                                   flags, checker, sigversion, err, &success))
                    goto done;
                pop(stack);
                pop(stack);
                OOM_IF(!blvm_stack_push(stack, vch_true, success ? 1 : 0));
                if (op == OP_CHECKSIGVERIFY) {
                    if (!success) FAIL(BLVM_SCRIPT_ERR_CHECKSIGVERIFY);
                    pop(stack);
                }
                break;
            }

            case OP_CHECKSIGADD: {
                /* BIP342: only in tapscript. (sig num pubkey -- num) */
                if (sigversion == BLVM_SIGVERSION_BASE || sigversion == BLVM_SIGVERSION_WITNESS_V0)
                    FAIL(BLVM_SCRIPT_ERR_BAD_OPCODE);
                NEED(3);
                int64_t num;
                NUM(top(stack, -2), 4, &num);
                bool success = true;
                if (!eval_checksig(top(stack, -3), top(stack, -1), pbegincodehash, pend, execdata,
                                   flags, checker, sigversion, err, &success))
                    goto done;
                pop(stack);
                pop(stack);
                pop(stack);
                OOM_IF(!push_num(stack, num + (success ? 1 : 0)));
                break;
            }

            case OP_CHECKMULTISIG:
            case OP_CHECKMULTISIGVERIFY: {
                if (sigversion == BLVM_SIGVERSION_TAPSCRIPT)
                    FAIL(BLVM_SCRIPT_ERR_TAPSCRIPT_CHECKMULTISIG);
                /* ([sig ...] num_of_signatures [pubkey ...] num_of_pubkeys -- bool) */
                int i = 1;
                NEED(i);
                int64_t v;
                NUM(top(stack, -i), 4, &v);
                int keys = num_getint(v);
                if (keys < 0 || keys > BLVM_MAX_PUBKEYS_PER_MULTISIG)
                    FAIL(BLVM_SCRIPT_ERR_PUBKEY_COUNT);
                op_count += keys;
                if (op_count > BLVM_MAX_OPS_PER_SCRIPT) FAIL(BLVM_SCRIPT_ERR_OP_COUNT);
                int ikey = ++i;
                /* Position of the last non-signature item, for NULLFAIL. */
                int ikey2 = keys + 2;
                i += keys;
                NEED(i);
                NUM(top(stack, -i), 4, &v);
                int sigs = num_getint(v);
                if (sigs < 0 || sigs > keys) FAIL(BLVM_SCRIPT_ERR_SIG_COUNT);
                int isig = ++i;
                i += sigs;
                NEED(i);

                /* The signed script: from the last separator, without the
                 * signatures in pre-segwit scripts. */
                size_t code_len = (size_t)(pend - pbegincodehash);
                uint8_t *code = NULL;
                if (code_len) {
                    code = malloc(code_len);
                    OOM_IF(!code);
                    memcpy(code, pbegincodehash, code_len);
                }
                if (sigversion == BLVM_SIGVERSION_BASE) {
                    for (int k = 0; k < sigs; k++) {
                        blvm_stack_item *s = top(stack, -isig - k);
                        uint8_t *pushbuf = malloc((size_t)s->len + 5);
                        if (!pushbuf) {
                            free(code);
                            FAIL(BLVM_SCRIPT_ERR_UNKNOWN_ERROR);
                        }
                        size_t plen = serialize_push(pushbuf, s->data, s->len);
                        size_t found = blvm_script_find_and_delete(code, &code_len, pushbuf, plen);
                        free(pushbuf);
                        if (found > 0 && (flags & BLVM_SCRIPT_VERIFY_CONST_SCRIPTCODE)) {
                            free(code);
                            FAIL(BLVM_SCRIPT_ERR_SIG_FINDANDDELETE);
                        }
                    }
                }

                bool success = true;
                while (success && sigs > 0) {
                    blvm_stack_item *s = top(stack, -isig);
                    blvm_stack_item *k = top(stack, -ikey);
                    /* The order of these checks makes the evaluation order of
                     * keys and signatures visible under STRICTENC. */
                    if (!blvm_check_signature_encoding(s->data, s->len, flags, err) ||
                        !blvm_check_pubkey_encoding(k->data, k->len, flags, sigversion, err)) {
                        free(code);
                        goto done;
                    }
                    bool ok = checker_ecdsa(checker, s->data, s->len, k->data, k->len, code,
                                            code_len, sigversion);
                    if (ok) {
                        isig++;
                        sigs--;
                    }
                    ikey++;
                    keys--;
                    /* More signatures left than keys: it cannot succeed. */
                    if (sigs > keys) success = false;
                }
                free(code);

                /* Clean up the arguments. */
                while (i-- > 1) {
                    /* NULLFAIL: a failed operation needs every signature empty. */
                    if (!success && (flags & BLVM_SCRIPT_VERIFY_NULLFAIL) && !ikey2 &&
                        top(stack, -1)->len)
                        FAIL(BLVM_SCRIPT_ERR_SIG_NULLFAIL);
                    if (ikey2 > 0) ikey2--;
                    pop(stack);
                }

                /* The original client pops one extra item; BIP147 makes it
                 * have to be empty. */
                NEED(1);
                if ((flags & BLVM_SCRIPT_VERIFY_NULLDUMMY) && top(stack, -1)->len)
                    FAIL(BLVM_SCRIPT_ERR_SIG_NULLDUMMY);
                pop(stack);

                OOM_IF(!blvm_stack_push(stack, vch_true, success ? 1 : 0));
                if (op == OP_CHECKMULTISIGVERIFY) {
                    if (!success) FAIL(BLVM_SCRIPT_ERR_CHECKMULTISIGVERIFY);
                    pop(stack);
                }
                break;
            }

            default:
                FAIL(BLVM_SCRIPT_ERR_BAD_OPCODE);
            }
        }

        if (stack->size + altstack.size > BLVM_MAX_STACK_SIZE) FAIL(BLVM_SCRIPT_ERR_STACK_SIZE);
    }

    if (vf.size != 0) FAIL(BLVM_SCRIPT_ERR_UNBALANCED_CONDITIONAL);
    ret = set_err(err, BLVM_SCRIPT_ERR_OK);
done:
    blvm_stack_clear(&altstack);
    return ret;
}

/* ---- witness programs ------------------------------------------------- */

#define ANNEX_TAG                      0x50
#define TAPROOT_LEAF_MASK              0xfe
#define TAPROOT_LEAF_TAPSCRIPT         0xc0
#define TAPROOT_CONTROL_BASE_SIZE      33
#define TAPROOT_CONTROL_NODE_SIZE      32
#define TAPROOT_CONTROL_MAX_NODE_COUNT 128
#define TAPROOT_CONTROL_MAX_SIZE                                                                   \
    (TAPROOT_CONTROL_BASE_SIZE + TAPROOT_CONTROL_NODE_SIZE * TAPROOT_CONTROL_MAX_NODE_COUNT)

/* Runs a witness script on a copy of the given items (Core's
 * ExecuteWitnessScript). */
static bool execute_witness_script(const blvm_script *items, size_t count, const uint8_t *script,
                                   size_t script_len, uint32_t flags, blvm_sigversion sigversion,
                                   const blvm_sig_checker *checker, blvm_script_exec_data *execdata,
                                   blvm_script_error *err) {
    if (sigversion == BLVM_SIGVERSION_TAPSCRIPT) {
        /* OP_SUCCESSx overrides everything, even the element size limits. */
        const uint8_t *pc = script, *end = script_len ? script + script_len : script;
        while (pc < end) {
            uint8_t op;
            const uint8_t *d;
            size_t dl;
            if (!blvm_script_get_op(&pc, end, &op, &d, &dl))
                return set_err(err, BLVM_SCRIPT_ERR_BAD_OPCODE);
            if (blvm_script_is_op_success(op)) {
                if (flags & BLVM_SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS)
                    return set_err(err, BLVM_SCRIPT_ERR_DISCOURAGE_OP_SUCCESS);
                return set_err(err, BLVM_SCRIPT_ERR_OK);
            }
        }
        if (count > BLVM_MAX_STACK_SIZE) return set_err(err, BLVM_SCRIPT_ERR_STACK_SIZE);
    }
    for (size_t i = 0; i < count; i++)
        if (items[i].len > BLVM_MAX_SCRIPT_ELEMENT_SIZE)
            return set_err(err, BLVM_SCRIPT_ERR_PUSH_SIZE);

    blvm_stack st;
    blvm_stack_init(&st);
    bool ok = stack_reserve(&st, count);
    for (size_t i = 0; ok && i < count; i++)
        ok = blvm_stack_push(&st, items[i].data, items[i].len);
    if (!ok) {
        blvm_stack_clear(&st);
        return set_err(err, BLVM_SCRIPT_ERR_UNKNOWN_ERROR);
    }
    ok = blvm_eval_script(&st, script, script_len, flags, checker, sigversion, execdata, err);
    if (ok) {
        /* Witness scripts must leave exactly one true item. */
        if (st.size != 1)
            ok = set_err(err, BLVM_SCRIPT_ERR_CLEANSTACK);
        else if (!blvm_script_cast_to_bool(st.items[0].data, st.items[0].len))
            ok = set_err(err, BLVM_SCRIPT_ERR_EVAL_FALSE);
    }
    blvm_stack_clear(&st);
    return ok;
}

static void tapleaf_hash(uint8_t out[32], uint8_t leaf_version, const uint8_t *script, size_t len) {
    blvm_sha256_ctx h;
    uint8_t cs[9];
    blvm_sha256_init_tagged(&h, "TapLeaf");
    blvm_sha256_write(&h, &leaf_version, 1);
    blvm_sha256_write(&h, cs, blvm_encode_compact_size(cs, len));
    if (len) blvm_sha256_write(&h, script, len);
    blvm_sha256_finalize(&h, out);
}

/* BIP341: the control block's path from the leaf to the merkle root, then
 * the tweak check of the output key. */
static bool verify_taproot_commitment(const uint8_t *control, size_t control_len,
                                      const uint8_t *program, const uint8_t leaf[32]) {
    size_t path_len = (control_len - TAPROOT_CONTROL_BASE_SIZE) / TAPROOT_CONTROL_NODE_SIZE;
    uint8_t k[32];
    memcpy(k, leaf, 32);
    for (size_t i = 0; i < path_len; i++) {
        const uint8_t *node = control + TAPROOT_CONTROL_BASE_SIZE + TAPROOT_CONTROL_NODE_SIZE * i;
        blvm_sha256_ctx h;
        blvm_sha256_init_tagged(&h, "TapBranch");
        if (memcmp(k, node, 32) < 0) {
            blvm_sha256_write(&h, k, 32);
            blvm_sha256_write(&h, node, 32);
        } else {
            blvm_sha256_write(&h, node, 32);
            blvm_sha256_write(&h, k, 32);
        }
        blvm_sha256_finalize(&h, k);
    }
    return blvm_taproot_check_tweak(program, control + 1, k, control[0] & 1);
}

static size_t witness_serialized_size(const blvm_witness *w) {
    size_t n = blvm_compact_size_len(w->count);
    for (size_t i = 0; i < w->count; i++)
        n += blvm_compact_size_len(w->items[i].len) + w->items[i].len;
    return n;
}

static bool verify_witness_program(const blvm_witness *witness, int version, const uint8_t *program,
                                   size_t program_len, uint32_t flags,
                                   const blvm_sig_checker *checker, blvm_script_error *err,
                                   bool is_p2sh) {
    blvm_script_exec_data execdata;
    memset(&execdata, 0, sizeof(execdata));
    const blvm_script *items = witness->items;
    size_t count = witness->count;

    if (version == 0) {
        if (program_len == 32) {
            /* BIP141 P2WSH: the last item is the script, its SHA-256 the program. */
            if (count == 0) return set_err(err, BLVM_SCRIPT_ERR_WITNESS_PROGRAM_WITNESS_EMPTY);
            const blvm_script *script = &items[count - 1];
            uint8_t h[32];
            blvm_sha256(h, script->data, script->len);
            if (memcmp(h, program, 32) != 0)
                return set_err(err, BLVM_SCRIPT_ERR_WITNESS_PROGRAM_MISMATCH);
            return execute_witness_script(items, count - 1, script->data, script->len, flags,
                                          BLVM_SIGVERSION_WITNESS_V0, checker, &execdata, err);
        } else if (program_len == 20) {
            /* BIP141 P2WPKH: signature and key, checked by the implied P2PKH script. */
            if (count != 2) return set_err(err, BLVM_SCRIPT_ERR_WITNESS_PROGRAM_MISMATCH);
            uint8_t s[25] = {OP_DUP, OP_HASH160, 20};
            memcpy(s + 3, program, 20);
            s[23] = OP_EQUALVERIFY;
            s[24] = OP_CHECKSIG;
            return execute_witness_script(items, count, s, sizeof(s), flags,
                                          BLVM_SIGVERSION_WITNESS_V0, checker, &execdata, err);
        } else {
            return set_err(err, BLVM_SCRIPT_ERR_WITNESS_PROGRAM_WRONG_LENGTH);
        }
    } else if (version == 1 && program_len == 32 && !is_p2sh) {
        /* BIP341 taproot */
        if (!(flags & BLVM_SCRIPT_VERIFY_TAPROOT)) return set_err(err, BLVM_SCRIPT_ERR_OK);
        if (count == 0) return set_err(err, BLVM_SCRIPT_ERR_WITNESS_PROGRAM_WITNESS_EMPTY);
        if (count >= 2 && items[count - 1].len > 0 && items[count - 1].data[0] == ANNEX_TAG) {
            /* The annex is signed but otherwise ignored. */
            const blvm_script *annex = &items[count - 1];
            blvm_sha256_ctx h;
            uint8_t cs[9];
            blvm_sha256_init(&h);
            blvm_sha256_write(&h, cs, blvm_encode_compact_size(cs, annex->len));
            blvm_sha256_write(&h, annex->data, annex->len);
            blvm_sha256_finalize(&h, execdata.annex_hash);
            execdata.annex_present = true;
            count--;
        } else {
            execdata.annex_present = false;
        }
        execdata.annex_init = true;
        if (count == 1) {
            /* Key path spend */
            return checker_schnorr(checker, items[0].data, items[0].len, program,
                                   BLVM_SIGVERSION_TAPROOT, &execdata, err) &&
                   set_err(err, BLVM_SCRIPT_ERR_OK);
        }
        /* Script path spend */
        const blvm_script *control = &items[count - 1];
        const blvm_script *script = &items[count - 2];
        count -= 2;
        if (control->len < TAPROOT_CONTROL_BASE_SIZE || control->len > TAPROOT_CONTROL_MAX_SIZE ||
            (control->len - TAPROOT_CONTROL_BASE_SIZE) % TAPROOT_CONTROL_NODE_SIZE != 0)
            return set_err(err, BLVM_SCRIPT_ERR_TAPROOT_WRONG_CONTROL_SIZE);
        tapleaf_hash(execdata.tapleaf_hash, control->data[0] & TAPROOT_LEAF_MASK, script->data,
                     script->len);
        if (!verify_taproot_commitment(control->data, control->len, program, execdata.tapleaf_hash))
            return set_err(err, BLVM_SCRIPT_ERR_WITNESS_PROGRAM_MISMATCH);
        execdata.tapleaf_hash_init = true;
        if ((control->data[0] & TAPROOT_LEAF_MASK) == TAPROOT_LEAF_TAPSCRIPT) {
            /* BIP342 tapscript: budget is the witness size plus 50. */
            execdata.validation_weight_left =
                (int64_t)witness_serialized_size(witness) + BLVM_VALIDATION_WEIGHT_OFFSET;
            execdata.validation_weight_left_init = true;
            return execute_witness_script(items, count, script->data, script->len, flags,
                                          BLVM_SIGVERSION_TAPSCRIPT, checker, &execdata, err);
        }
        if (flags & BLVM_SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION)
            return set_err(err, BLVM_SCRIPT_ERR_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION);
        return set_err(err, BLVM_SCRIPT_ERR_OK);
    } else if (!is_p2sh && version == 1 && program_len == 2 && program[0] == 0x4e &&
               program[1] == 0x73) {
        /* Pay-to-anchor (P2A): anyone can spend, and it is not "upgradable". */
        return set_err(err, BLVM_SCRIPT_ERR_OK);
    } else {
        if (flags & BLVM_SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM)
            return set_err(err, BLVM_SCRIPT_ERR_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM);
        /* Unknown versions succeed, for future soft forks. */
        return set_err(err, BLVM_SCRIPT_ERR_OK);
    }
}

/* ---- VerifyScript ----------------------------------------------------- */

bool blvm_verify_script(const uint8_t *script_sig, size_t sig_len, const uint8_t *script_pubkey,
                        size_t spk_len, const blvm_witness *witness, uint32_t flags,
                        const blvm_sig_checker *checker, blvm_script_error *err) {
    static const blvm_witness empty_witness;
    if (!witness) witness = &empty_witness;
    bool had_witness = false;
    bool ret = false;
    blvm_stack stack, saved;
    blvm_stack_init(&stack);
    blvm_stack_init(&saved);
    blvm_script_exec_data execdata;
    memset(&execdata, 0, sizeof(execdata));
    int version;
    const uint8_t *program;
    size_t program_len;

    set_err(err, BLVM_SCRIPT_ERR_UNKNOWN_ERROR);

    if ((flags & BLVM_SCRIPT_VERIFY_SIGPUSHONLY) != 0 &&
        !blvm_script_is_push_only(script_sig, sig_len))
        return set_err(err, BLVM_SCRIPT_ERR_SIG_PUSHONLY);

    /* scriptSig and scriptPubKey run one after the other on the same stack,
     * not concatenated (CVE-2010-5141). */
    if (!blvm_eval_script(&stack, script_sig, sig_len, flags, checker, BLVM_SIGVERSION_BASE,
                          &execdata, err))
        goto done;
    if ((flags & BLVM_SCRIPT_VERIFY_P2SH) && !stack_copy(&saved, &stack)) {
        set_err(err, BLVM_SCRIPT_ERR_UNKNOWN_ERROR);
        goto done;
    }
    if (!blvm_eval_script(&stack, script_pubkey, spk_len, flags, checker, BLVM_SIGVERSION_BASE,
                          &execdata, err))
        goto done;
    if (stack.size == 0 || !blvm_script_cast_to_bool(stack.items[stack.size - 1].data,
                                                     stack.items[stack.size - 1].len)) {
        set_err(err, BLVM_SCRIPT_ERR_EVAL_FALSE);
        goto done;
    }

    /* Bare witness programs (BIP141) */
    if ((flags & BLVM_SCRIPT_VERIFY_WITNESS) &&
        blvm_script_is_witness_program(script_pubkey, spk_len, &version, &program, &program_len)) {
        had_witness = true;
        /* The scriptSig must be empty, or it could be malleated. */
        if (sig_len != 0) {
            set_err(err, BLVM_SCRIPT_ERR_WITNESS_MALLEATED);
            goto done;
        }
        if (!verify_witness_program(witness, version, program, program_len, flags, checker, err,
                                    false))
            goto done;
        /* The stack is not clean for witness programs: skip CLEANSTACK. */
        while (stack.size > 1)
            pop(&stack);
    }

    /* BIP16 pay-to-script-hash */
    if ((flags & BLVM_SCRIPT_VERIFY_P2SH) && blvm_script_is_p2sh(script_pubkey, spk_len)) {
        if (!blvm_script_is_push_only(script_sig, sig_len)) {
            set_err(err, BLVM_SCRIPT_ERR_SIG_PUSHONLY);
            goto done;
        }
        blvm_stack t = stack;
        stack = saved;
        saved = t;
        /* Never empty here (HASH160 would have failed on an empty stack), but
         * untrusted input must not reach take() on an empty stack. */
        if (stack.size == 0) {
            set_err(err, BLVM_SCRIPT_ERR_EVAL_FALSE);
            goto done;
        }
        blvm_stack_item redeem = take(&stack, -1);
        bool ok = blvm_eval_script(&stack, redeem.data, redeem.len, flags, checker,
                                   BLVM_SIGVERSION_BASE, &execdata, err);
        if (ok && (stack.size == 0 || !blvm_script_cast_to_bool(stack.items[stack.size - 1].data,
                                                                stack.items[stack.size - 1].len)))
            ok = set_err(err, BLVM_SCRIPT_ERR_EVAL_FALSE);
        if (ok && (flags & BLVM_SCRIPT_VERIFY_WITNESS) &&
            blvm_script_is_witness_program(redeem.data, redeem.len, &version, &program,
                                           &program_len)) {
            had_witness = true;
            /* The scriptSig must be exactly one push of the redeem script. */
            uint8_t expect[3 + 42];
            size_t elen = serialize_push(expect, redeem.data, redeem.len);
            if (elen != sig_len || memcmp(expect, script_sig, elen) != 0) {
                ok = set_err(err, BLVM_SCRIPT_ERR_WITNESS_MALLEATED_P2SH);
            } else {
                /* program points into redeem, which lives until the free below */
                ok = verify_witness_program(witness, version, program, program_len, flags, checker,
                                            err, true);
                if (ok)
                    while (stack.size > 1)
                        pop(&stack);
            }
        }
        free(redeem.data);
        if (!ok) goto done;
    }

    /* CLEANSTACK comes after P2SH and witness evaluation, whose inputs would
     * otherwise remain. It needs P2SH and WITNESS (checked by callers, as
     * Core asserts). */
    if ((flags & BLVM_SCRIPT_VERIFY_CLEANSTACK) != 0 && stack.size != 1) {
        set_err(err, BLVM_SCRIPT_ERR_CLEANSTACK);
        goto done;
    }

    if ((flags & BLVM_SCRIPT_VERIFY_WITNESS) && !had_witness && witness->count != 0) {
        set_err(err, BLVM_SCRIPT_ERR_WITNESS_UNEXPECTED);
        goto done;
    }

    ret = set_err(err, BLVM_SCRIPT_ERR_OK);
done:
    blvm_stack_clear(&stack);
    blvm_stack_clear(&saved);
    return ret;
}

bool blvm_verify_input(const blvm_tx *tx, size_t n_in, const blvm_txout *spent,
                       const struct blvm_tx_precomputed *pd, uint32_t flags,
                       blvm_script_error *err) {
    const blvm_txin *in = &tx->vin[n_in];
    const blvm_txout *out = &spent[n_in];
    blvm_sig_checker c = {tx, n_in, out->value, pd};
    return blvm_verify_script(in->script_sig.data, in->script_sig.len, out->script_pubkey.data,
                              out->script_pubkey.len, &in->witness, flags, &c, err);
}
