#include "protocol/standard.h"

#include <string.h>

#include "consensus/script.h"

const char *blvm_txout_type_name(blvm_txout_type t) {
    switch (t) {
    case BLVM_TXOUT_NONSTANDARD: return "nonstandard";
    case BLVM_TXOUT_ANCHOR: return "anchor";
    case BLVM_TXOUT_PUBKEY: return "pubkey";
    case BLVM_TXOUT_PUBKEYHASH: return "pubkeyhash";
    case BLVM_TXOUT_SCRIPTHASH: return "scripthash";
    case BLVM_TXOUT_MULTISIG: return "multisig";
    case BLVM_TXOUT_NULL_DATA: return "nulldata";
    case BLVM_TXOUT_WITNESS_V0_KEYHASH: return "witness_v0_keyhash";
    case BLVM_TXOUT_WITNESS_V0_SCRIPTHASH: return "witness_v0_scripthash";
    case BLVM_TXOUT_WITNESS_V1_TAPROOT: return "witness_v1_taproot";
    case BLVM_TXOUT_WITNESS_UNKNOWN: return "witness_unknown";
    }
    return "nonstandard";
}

/* Core's CPubKey::ValidSize: 33 bytes with prefix 2/3, or 65 with 4/6/7. */
static bool valid_pubkey_size(const uint8_t *k, size_t n) {
    if (n == 33) return k[0] == 0x02 || k[0] == 0x03;
    if (n == 65) return k[0] == 0x04 || k[0] == 0x06 || k[0] == 0x07;
    return false;
}

static bool match_pay_to_pubkey(const uint8_t *s, size_t n, blvm_solution *out) {
    if ((n == 35 && s[0] == 33) || (n == 67 && s[0] == 65)) {
        if (s[n - 1] != OP_CHECKSIG || !valid_pubkey_size(s + 1, s[0])) return false;
        out->data = s + 1;
        out->data_len = s[0];
        return true;
    }
    return false;
}

static bool match_pay_to_pubkeyhash(const uint8_t *s, size_t n, blvm_solution *out) {
    if (n == 25 && s[0] == OP_DUP && s[1] == OP_HASH160 && s[2] == 20 &&
        s[23] == OP_EQUALVERIFY && s[24] == OP_CHECKSIG) {
        out->data = s + 3;
        out->data_len = 20;
        return true;
    }
    return false;
}

/* Core's IsSmallInteger/GetScriptNumber for multisig m and n (OP_1..OP_16,
 * and minimal pushes of 17..20 since Core 25's MatchMultisig allows numbers
 * up to MAX_PUBKEYS_PER_MULTISIG). */
static bool multisig_number(uint8_t op, const uint8_t *data, size_t len, int *out) {
    if (op >= OP_1 && op <= OP_16) {
        *out = blvm_script_decode_op_n(op);
        return true;
    }
    if (op == 1 && len == 1 && data[0] >= 17 && data[0] <= 20) {
        *out = data[0];
        return true;
    }
    return false;
}

static bool match_multisig(const uint8_t *s, size_t n, blvm_solution *out) {
    const uint8_t *pc = s, *end = s + n, *data;
    size_t dlen;
    uint8_t op;
    int m, keys = 0, nkeys;
    if (n < 1 || s[n - 1] != OP_CHECKMULTISIG) return false;
    if (!blvm_script_get_op(&pc, end, &op, &data, &dlen) || !multisig_number(op, data, dlen, &m))
        return false;
    for (;;) {
        const uint8_t *save = pc;
        if (!blvm_script_get_op(&pc, end, &op, &data, &dlen)) return false;
        if (op > OP_PUSHDATA4 || !valid_pubkey_size(data, dlen)) {
            pc = save;
            break;
        }
        if (keys == 20) return false;
        out->keys[keys] = data;
        out->key_lens[keys] = dlen;
        keys++;
    }
    if (!blvm_script_get_op(&pc, end, &op, &data, &dlen) ||
        !multisig_number(op, data, dlen, &nkeys))
        return false;
    if (nkeys != keys || keys < m || m < 1) return false;
    if (!blvm_script_get_op(&pc, end, &op, &data, &dlen) || op != OP_CHECKMULTISIG) return false;
    if (pc != end) return false;
    out->multisig_required = m;
    out->multisig_keys = keys;
    return true;
}

blvm_txout_type blvm_solver(const uint8_t *s, size_t n, blvm_solution *out) {
    blvm_solution tmp;
    if (!out) out = &tmp;
    memset(out, 0, sizeof *out);
    out->witness_version = -1;

    if (blvm_script_is_p2sh(s, n)) {
        out->data = s + 2;
        out->data_len = 20;
        return out->type = BLVM_TXOUT_SCRIPTHASH;
    }
    int version;
    const uint8_t *prog;
    size_t prog_len;
    if (blvm_script_is_witness_program(s, n, &version, &prog, &prog_len)) {
        out->witness_version = version;
        out->data = prog;
        out->data_len = prog_len;
        if (version == 0 && prog_len == 20) return out->type = BLVM_TXOUT_WITNESS_V0_KEYHASH;
        if (version == 0 && prog_len == 32) return out->type = BLVM_TXOUT_WITNESS_V0_SCRIPTHASH;
        if (version == 1 && prog_len == 32) return out->type = BLVM_TXOUT_WITNESS_V1_TAPROOT;
        /* BIP-anchor: OP_1 <0x4e73>, a keyless output for fee bumping. */
        if (version == 1 && prog_len == 2 && prog[0] == 0x4e && prog[1] == 0x73)
            return out->type = BLVM_TXOUT_ANCHOR;
        if (version != 0) return out->type = BLVM_TXOUT_WITNESS_UNKNOWN;
        out->data = NULL;
        out->data_len = 0;
        out->witness_version = -1;
        return out->type = BLVM_TXOUT_NONSTANDARD;
    }
    /* OP_RETURN followed only by pushes. */
    if (n >= 1 && s[0] == OP_RETURN && blvm_script_is_push_only(s + 1, n - 1))
        return out->type = BLVM_TXOUT_NULL_DATA;
    if (match_pay_to_pubkey(s, n, out)) return out->type = BLVM_TXOUT_PUBKEY;
    if (match_pay_to_pubkeyhash(s, n, out)) return out->type = BLVM_TXOUT_PUBKEYHASH;
    if (match_multisig(s, n, out)) return out->type = BLVM_TXOUT_MULTISIG;
    memset(out, 0, sizeof *out);
    out->witness_version = -1;
    return out->type = BLVM_TXOUT_NONSTANDARD;
}
