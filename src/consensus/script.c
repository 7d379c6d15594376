#include "consensus/script.h"

#include <string.h>

#include "consensus/interpreter.h"

bool blvm_script_get_op(const uint8_t **pc, const uint8_t *end, uint8_t *opcode,
                        const uint8_t **data, size_t *data_len) {
    /* Mirrors Core's GetScriptOp, including how far *pc moves before a
     * failure (the legacy signature hash depends on it). */
    const uint8_t *p = *pc;
    *opcode = OP_INVALIDOPCODE;
    *data = NULL;
    *data_len = 0;
    if (p >= end) return false;
    uint8_t op = *p++;
    if (op <= OP_PUSHDATA4) {
        size_t n;
        if (op < OP_PUSHDATA1) {
            n = op;
        } else if (op == OP_PUSHDATA1) {
            if (end - p < 1) goto fail;
            n = *p++;
        } else if (op == OP_PUSHDATA2) {
            if (end - p < 2) goto fail;
            n = blvm_read_le16(p);
            p += 2;
        } else {
            if (end - p < 4) goto fail;
            n = blvm_read_le32(p);
            p += 4;
        }
        if ((size_t)(end - p) < n) goto fail;
        *data = p;
        *data_len = n;
        p += n;
    }
    *opcode = op;
    *pc = p;
    return true;
fail:
    *pc = p;
    return false;
}

unsigned blvm_script_sigop_count(const uint8_t *script, size_t len, bool accurate) {
    unsigned n = 0;
    if (len == 0) return 0;
    const uint8_t *pc = script, *end = script + len;
    uint8_t last = OP_INVALIDOPCODE;
    while (pc < end) {
        uint8_t op;
        const uint8_t *d;
        size_t dl;
        if (!blvm_script_get_op(&pc, end, &op, &d, &dl)) break;
        if (op == OP_CHECKSIG || op == OP_CHECKSIGVERIFY) {
            n++;
        } else if (op == OP_CHECKMULTISIG || op == OP_CHECKMULTISIGVERIFY) {
            if (accurate && last >= OP_1 && last <= OP_16)
                n += (unsigned)blvm_script_decode_op_n(last);
            else
                n += BLVM_MAX_PUBKEYS_PER_MULTISIG;
        }
        last = op;
    }
    return n;
}

unsigned blvm_script_p2sh_sigop_count(const uint8_t *script_pubkey, size_t spk_len,
                                      const uint8_t *script_sig, size_t sig_len) {
    if (!blvm_script_is_p2sh(script_pubkey, spk_len))
        return blvm_script_sigop_count(script_pubkey, spk_len, true);
    /* BIP16: the redeem script is the last item script_sig pushes. */
    const uint8_t *pc = script_sig, *end = sig_len ? script_sig + sig_len : script_sig;
    const uint8_t *d = NULL;
    size_t dl = 0;
    while (pc < end) {
        uint8_t op;
        if (!blvm_script_get_op(&pc, end, &op, &d, &dl)) return 0;
        if (op > OP_16) return 0;
    }
    return blvm_script_sigop_count(d, dl, true);
}

bool blvm_script_is_p2sh(const uint8_t *script, size_t len) {
    return len == 23 && script[0] == OP_HASH160 && script[1] == 0x14 && script[22] == OP_EQUAL;
}

bool blvm_script_is_p2wsh(const uint8_t *script, size_t len) {
    return len == 34 && script[0] == OP_0 && script[1] == 0x20;
}

bool blvm_script_is_push_only(const uint8_t *script, size_t len) {
    if (len == 0) return true;
    const uint8_t *pc = script, *end = script + len;
    while (pc < end) {
        uint8_t op;
        const uint8_t *d;
        size_t dl;
        if (!blvm_script_get_op(&pc, end, &op, &d, &dl)) return false;
        if (op > OP_16) return false;
    }
    return true;
}

bool blvm_script_is_op_success(uint8_t op) {
    return op == 80 || op == 98 || (op >= 126 && op <= 129) || (op >= 131 && op <= 134) ||
           (op >= 137 && op <= 138) || (op >= 141 && op <= 142) || (op >= 149 && op <= 153) ||
           (op >= 187 && op <= 254);
}

bool blvm_script_is_unspendable(const uint8_t *script, size_t len) {
    return (len > 0 && script[0] == OP_RETURN) || len > BLVM_MAX_SCRIPT_SIZE;
}

bool blvm_script_is_witness_program(const uint8_t *script, size_t len, int *version,
                                    const uint8_t **program, size_t *program_len) {
    if (len < 4 || len > 42) return false;
    if (script[0] != OP_0 && (script[0] < OP_1 || script[0] > OP_16)) return false;
    if ((size_t)script[1] + 2 != len) return false;
    *version = blvm_script_decode_op_n(script[0]);
    *program = script + 2;
    *program_len = len - 2;
    return true;
}

static unsigned witness_sigops(int version, size_t program_len, const blvm_witness *witness) {
    if (version == 0) {
        if (program_len == 20) return 1;
        if (program_len == 32 && witness && witness->count > 0) {
            const blvm_script *last = &witness->items[witness->count - 1];
            return blvm_script_sigop_count(last->data, last->len, true);
        }
    }
    /* Later witness versions are counted by their own budget (BIP342). */
    return 0;
}

unsigned blvm_script_witness_sigop_count(const uint8_t *script_sig, size_t sig_len,
                                         const uint8_t *script_pubkey, size_t spk_len,
                                         const blvm_witness *witness, uint32_t flags) {
    if ((flags & BLVM_SCRIPT_VERIFY_WITNESS) == 0) return 0;
    int version;
    const uint8_t *prog;
    size_t prog_len;
    if (blvm_script_is_witness_program(script_pubkey, spk_len, &version, &prog, &prog_len))
        return witness_sigops(version, prog_len, witness);
    if (blvm_script_is_p2sh(script_pubkey, spk_len) &&
        blvm_script_is_push_only(script_sig, sig_len)) {
        const uint8_t *pc = script_sig, *end = sig_len ? script_sig + sig_len : script_sig;
        const uint8_t *d = NULL;
        size_t dl = 0;
        while (pc < end) {
            uint8_t op;
            if (!blvm_script_get_op(&pc, end, &op, &d, &dl)) break;
        }
        if (d && blvm_script_is_witness_program(d, dl, &version, &prog, &prog_len))
            return witness_sigops(version, prog_len, witness);
    }
    return 0;
}

unsigned blvm_tx_legacy_sigop_count(const blvm_tx *tx) {
    unsigned n = 0;
    for (size_t i = 0; i < tx->vin_count; i++)
        n += blvm_script_sigop_count(tx->vin[i].script_sig.data, tx->vin[i].script_sig.len, false);
    for (size_t i = 0; i < tx->vout_count; i++)
        n += blvm_script_sigop_count(tx->vout[i].script_pubkey.data, tx->vout[i].script_pubkey.len,
                                     false);
    return n;
}

unsigned blvm_tx_p2sh_sigop_count(const blvm_tx *tx, const blvm_txout *spent) {
    if (blvm_tx_is_coinbase(tx)) return 0;
    unsigned n = 0;
    for (size_t i = 0; i < tx->vin_count; i++) {
        const blvm_script *spk = &spent[i].script_pubkey;
        if (blvm_script_is_p2sh(spk->data, spk->len))
            n += blvm_script_p2sh_sigop_count(spk->data, spk->len, tx->vin[i].script_sig.data,
                                              tx->vin[i].script_sig.len);
    }
    return n;
}

uint64_t blvm_tx_sigop_cost(const blvm_tx *tx, const blvm_txout *spent, uint32_t flags) {
    uint64_t n = (uint64_t)blvm_tx_legacy_sigop_count(tx) * BLVM_WITNESS_SCALE_FACTOR;
    if (blvm_tx_is_coinbase(tx)) return n;
    if (flags & BLVM_SCRIPT_VERIFY_P2SH)
        n += (uint64_t)blvm_tx_p2sh_sigop_count(tx, spent) * BLVM_WITNESS_SCALE_FACTOR;
    for (size_t i = 0; i < tx->vin_count; i++)
        n += blvm_script_witness_sigop_count(
            tx->vin[i].script_sig.data, tx->vin[i].script_sig.len, spent[i].script_pubkey.data,
            spent[i].script_pubkey.len, &tx->vin[i].witness, flags);
    return n;
}
