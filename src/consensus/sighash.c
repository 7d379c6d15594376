#include "consensus/sighash.h"

#include <string.h>

#include "consensus/script.h"
#include "crypto/hash.h"
#include "crypto/sha256.h"

/* Serialization straight into a hash, so no copy of the transaction is
 * built. */
static void h_write(blvm_sha256_ctx *h, const void *data, size_t len) {
    if (len) blvm_sha256_write(h, (const uint8_t *)data, len);
}
static void h_u8(blvm_sha256_ctx *h, uint8_t v) {
    h_write(h, &v, 1);
}
static void h_u32(blvm_sha256_ctx *h, uint32_t v) {
    uint8_t b[4];
    blvm_write_le32(b, v);
    h_write(h, b, 4);
}
static void h_u64(blvm_sha256_ctx *h, uint64_t v) {
    uint8_t b[8];
    blvm_write_le64(b, v);
    h_write(h, b, 8);
}
static void h_compact(blvm_sha256_ctx *h, uint64_t v) {
    uint8_t b[9];
    size_t n = blvm_encode_compact_size(b, v);
    h_write(h, b, n);
}
static void h_var_bytes(blvm_sha256_ctx *h, const uint8_t *data, size_t len) {
    h_compact(h, len);
    h_write(h, data, len);
}
static void h_outpoint(blvm_sha256_ctx *h, const blvm_outpoint *o) {
    h_write(h, o->hash, 32);
    h_u32(h, o->n);
}
static void h_txout(blvm_sha256_ctx *h, const blvm_txout *o) {
    h_u64(h, (uint64_t)o->value);
    h_var_bytes(h, o->script_pubkey.data, o->script_pubkey.len);
}
static void h_finalize_double(blvm_sha256_ctx *h, uint8_t out[32]) {
    uint8_t t[32];
    blvm_sha256_finalize(h, t);
    blvm_sha256(out, t, 32);
}

static void prevouts_single(const blvm_tx *tx, uint8_t out[32]) {
    blvm_sha256_ctx h;
    blvm_sha256_init(&h);
    for (size_t i = 0; i < tx->vin_count; i++)
        h_outpoint(&h, &tx->vin[i].prevout);
    blvm_sha256_finalize(&h, out);
}
static void sequences_single(const blvm_tx *tx, uint8_t out[32]) {
    blvm_sha256_ctx h;
    blvm_sha256_init(&h);
    for (size_t i = 0; i < tx->vin_count; i++)
        h_u32(&h, tx->vin[i].sequence);
    blvm_sha256_finalize(&h, out);
}
static void outputs_single(const blvm_tx *tx, uint8_t out[32]) {
    blvm_sha256_ctx h;
    blvm_sha256_init(&h);
    for (size_t i = 0; i < tx->vout_count; i++)
        h_txout(&h, &tx->vout[i]);
    blvm_sha256_finalize(&h, out);
}

void blvm_tx_precompute(blvm_tx_precomputed *pd, const blvm_tx *tx, const blvm_txout *spent,
                        bool force) {
    memset(pd, 0, sizeof(*pd));
    pd->spent_outputs = spent;
    pd->spent_outputs_ready = spent != NULL;
    bool uses_bip143 = force, uses_bip341 = force;
    for (size_t i = 0; i < tx->vin_count && !(uses_bip143 && uses_bip341); i++) {
        if (tx->vin[i].witness.count == 0) continue;
        /* As Core: a witness spend of a 34-byte OP_1 output is treated as
         * taproot, every other witness spend as segwit v0. */
        if (spent && spent[i].script_pubkey.len == 34 && spent[i].script_pubkey.data[0] == OP_1)
            uses_bip341 = true;
        else
            uses_bip143 = true;
    }
    if (uses_bip143 || uses_bip341) {
        prevouts_single(tx, pd->prevouts_single);
        sequences_single(tx, pd->sequences_single);
        outputs_single(tx, pd->outputs_single);
    }
    if (uses_bip143) {
        blvm_sha256(pd->hash_prevouts, pd->prevouts_single, 32);
        blvm_sha256(pd->hash_sequence, pd->sequences_single, 32);
        blvm_sha256(pd->hash_outputs, pd->outputs_single, 32);
        pd->bip143_ready = true;
    }
    if (uses_bip341 && spent) {
        blvm_sha256_ctx h;
        blvm_sha256_init(&h);
        for (size_t i = 0; i < tx->vin_count; i++)
            h_u64(&h, (uint64_t)spent[i].value);
        blvm_sha256_finalize(&h, pd->spent_amounts_single);
        blvm_sha256_init(&h);
        for (size_t i = 0; i < tx->vin_count; i++)
            h_var_bytes(&h, spent[i].script_pubkey.data, spent[i].script_pubkey.len);
        blvm_sha256_finalize(&h, pd->spent_scripts_single);
        pd->bip341_ready = true;
    }
}

/* Core's CTransactionSignatureSerializer::SerializeScriptCode: the script
 * code with every OP_CODESEPARATOR left out. The walk mirrors Core's GetOp
 * loop exactly, including where it stops on a truncated push. */
static void h_script_code(blvm_sha256_ctx *h, const uint8_t *script, size_t len) {
    if (len == 0) {
        h_compact(h, 0);
        return;
    }
    const uint8_t *end = script + len;
    const uint8_t *pc = script, *begin = script;
    uint8_t op;
    const uint8_t *d;
    size_t dl;
    size_t separators = 0;
    while (blvm_script_get_op(&pc, end, &op, &d, &dl))
        if (op == OP_CODESEPARATOR) separators++;
    h_compact(h, len - separators);
    pc = script;
    while (blvm_script_get_op(&pc, end, &op, &d, &dl)) {
        if (op == OP_CODESEPARATOR) {
            h_write(h, begin, (size_t)(pc - begin - 1));
            begin = pc;
        }
    }
    if (begin != end) h_write(h, begin, (size_t)(pc - begin));
}

void blvm_sighash_legacy(uint8_t out[32], const uint8_t *script_code, size_t script_len,
                         const blvm_tx *tx, size_t n_in, int32_t hash_type) {
    bool anyone_can_pay = (hash_type & BLVM_SIGHASH_ANYONECANPAY) != 0;
    bool hash_single = (hash_type & 0x1f) == BLVM_SIGHASH_SINGLE;
    bool hash_none = (hash_type & 0x1f) == BLVM_SIGHASH_NONE;

    /* SIGHASH_SINGLE with no output at the input's index signs the number 1:
     * a bug in the original client that consensus keeps. */
    if (hash_single && n_in >= tx->vout_count) {
        memset(out, 0, 32);
        out[0] = 1;
        return;
    }

    blvm_sha256_ctx h;
    blvm_sha256_init(&h);
    h_u32(&h, tx->version);
    size_t n_inputs = anyone_can_pay ? 1 : tx->vin_count;
    h_compact(&h, n_inputs);
    for (size_t k = 0; k < n_inputs; k++) {
        size_t i = anyone_can_pay ? n_in : k;
        h_outpoint(&h, &tx->vin[i].prevout);
        if (i != n_in)
            h_compact(&h, 0); /* other inputs' scripts are blanked */
        else
            h_script_code(&h, script_code, script_len);
        if (i != n_in && (hash_single || hash_none))
            h_u32(&h, 0); /* others may update their sequence */
        else
            h_u32(&h, tx->vin[i].sequence);
    }
    size_t n_outputs = hash_none ? 0 : hash_single ? n_in + 1 : tx->vout_count;
    h_compact(&h, n_outputs);
    for (size_t i = 0; i < n_outputs; i++) {
        if (hash_single && i != n_in) {
            /* CTxOut(): value -1, empty script */
            h_u64(&h, UINT64_MAX);
            h_compact(&h, 0);
        } else {
            h_txout(&h, &tx->vout[i]);
        }
    }
    h_u32(&h, tx->locktime);
    h_u32(&h, (uint32_t)hash_type);
    h_finalize_double(&h, out);
}

void blvm_sighash_witness_v0(uint8_t out[32], const uint8_t *script_code, size_t script_len,
                             const blvm_tx *tx, size_t n_in, int32_t hash_type, blvm_amount amount,
                             const blvm_tx_precomputed *cache) {
    static const uint8_t zero[32];
    uint8_t hash_prevouts[32], hash_sequence[32], hash_outputs[32], t[32];
    bool ready = cache && cache->bip143_ready;
    int base = hash_type & 0x1f;
    bool acp = (hash_type & BLVM_SIGHASH_ANYONECANPAY) != 0;

    memcpy(hash_prevouts, zero, 32);
    memcpy(hash_sequence, zero, 32);
    memcpy(hash_outputs, zero, 32);
    if (!acp) {
        if (ready) {
            memcpy(hash_prevouts, cache->hash_prevouts, 32);
        } else {
            prevouts_single(tx, t);
            blvm_sha256(hash_prevouts, t, 32);
        }
    }
    if (!acp && base != BLVM_SIGHASH_SINGLE && base != BLVM_SIGHASH_NONE) {
        if (ready) {
            memcpy(hash_sequence, cache->hash_sequence, 32);
        } else {
            sequences_single(tx, t);
            blvm_sha256(hash_sequence, t, 32);
        }
    }
    if (base != BLVM_SIGHASH_SINGLE && base != BLVM_SIGHASH_NONE) {
        if (ready) {
            memcpy(hash_outputs, cache->hash_outputs, 32);
        } else {
            outputs_single(tx, t);
            blvm_sha256(hash_outputs, t, 32);
        }
    } else if (base == BLVM_SIGHASH_SINGLE && n_in < tx->vout_count) {
        blvm_sha256_ctx ho;
        blvm_sha256_init(&ho);
        h_txout(&ho, &tx->vout[n_in]);
        h_finalize_double(&ho, hash_outputs);
    }

    blvm_sha256_ctx h;
    blvm_sha256_init(&h);
    h_u32(&h, tx->version);
    h_write(&h, hash_prevouts, 32);
    h_write(&h, hash_sequence, 32);
    h_outpoint(&h, &tx->vin[n_in].prevout);
    h_var_bytes(&h, script_code, script_len);
    h_u64(&h, (uint64_t)amount);
    h_u32(&h, tx->vin[n_in].sequence);
    h_write(&h, hash_outputs, 32);
    h_u32(&h, tx->locktime);
    h_u32(&h, (uint32_t)hash_type);
    h_finalize_double(&h, out);
}

bool blvm_sighash_taproot(uint8_t out[32], blvm_script_exec_data *execdata, const blvm_tx *tx,
                          size_t n_in, uint8_t hash_type, blvm_sigversion sigversion,
                          const blvm_tx_precomputed *cache) {
    uint8_t ext_flag;
    if (sigversion == BLVM_SIGVERSION_TAPROOT)
        ext_flag = 0;
    else if (sigversion == BLVM_SIGVERSION_TAPSCRIPT)
        ext_flag = 1;
    else
        return false;
    if (!cache || !cache->bip341_ready || !cache->spent_outputs_ready) return false;

    /* BIP341: no hash type byte means SIGHASH_ALL. */
    uint8_t output_type = hash_type == BLVM_SIGHASH_DEFAULT
                              ? (uint8_t)BLVM_SIGHASH_ALL
                              : (uint8_t)(hash_type & BLVM_SIGHASH_OUTPUT_MASK);
    uint8_t input_type = hash_type & BLVM_SIGHASH_INPUT_MASK;
    if (!(hash_type <= 0x03 || (hash_type >= 0x81 && hash_type <= 0x83))) return false;

    blvm_sha256_ctx h;
    blvm_sha256_init_tagged(&h, "TapSighash");
    h_u8(&h, 0); /* epoch */
    h_u8(&h, hash_type);
    h_u32(&h, tx->version);
    h_u32(&h, tx->locktime);
    if (input_type != BLVM_SIGHASH_ANYONECANPAY) {
        h_write(&h, cache->prevouts_single, 32);
        h_write(&h, cache->spent_amounts_single, 32);
        h_write(&h, cache->spent_scripts_single, 32);
        h_write(&h, cache->sequences_single, 32);
    }
    if (output_type == BLVM_SIGHASH_ALL) h_write(&h, cache->outputs_single, 32);

    bool have_annex = execdata->annex_present;
    h_u8(&h, (uint8_t)((ext_flag << 1) + (have_annex ? 1 : 0)));
    if (input_type == BLVM_SIGHASH_ANYONECANPAY) {
        h_outpoint(&h, &tx->vin[n_in].prevout);
        h_txout(&h, &cache->spent_outputs[n_in]);
        h_u32(&h, tx->vin[n_in].sequence);
    } else {
        h_u32(&h, (uint32_t)n_in);
    }
    if (have_annex) h_write(&h, execdata->annex_hash, 32);

    if (output_type == BLVM_SIGHASH_SINGLE) {
        if (n_in >= tx->vout_count) return false;
        if (!execdata->output_hash_present) {
            blvm_sha256_ctx ho;
            blvm_sha256_init(&ho);
            h_txout(&ho, &tx->vout[n_in]);
            blvm_sha256_finalize(&ho, execdata->output_hash);
            execdata->output_hash_present = true;
        }
        h_write(&h, execdata->output_hash, 32);
    }

    if (sigversion == BLVM_SIGVERSION_TAPSCRIPT) {
        h_write(&h, execdata->tapleaf_hash, 32);
        h_u8(&h, 0); /* key_version */
        h_u32(&h, execdata->codeseparator_pos);
    }
    blvm_sha256_finalize(&h, out);
    return true;
}
