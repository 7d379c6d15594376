/* script_tests.json, as Core's script_tests.cpp (script_json_test / DoTest). */

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>

#include "consensus/interpreter.h"
#include "consensus/script.h"
#include "consensus/sighash.h"
#include "consensus/tx.h"
#include "crypto/hash.h"
#include "util/hex.h"
#include "vectors.h"

/* BIP341's provably unspendable internal key H (Core's XOnlyPubKey::NUMS_H). */
static const uint8_t nums_h[32] = {
    0x50, 0x92, 0x9b, 0x74, 0xc1, 0xa0, 0x49, 0x54, 0xb7, 0x8b, 0x4b, 0x60, 0x35, 0xe9, 0x7a, 0x5e,
    0x07, 0x8a, 0x5a, 0x0f, 0x28, 0xec, 0x96, 0xd5, 0x47, 0xbf, 0xee, 0x9a, 0xce, 0x80, 0x3a, 0xc0,
};

/* A one-leaf taproot tree under NUMS_H, for the #SCRIPT#, #CONTROLBLOCK#
 * and #TAPROOTOUTPUT# markers Core's test format allows. */
typedef struct {
    bool have;
    uint8_t output[32];
    uint8_t control[33];
} one_leaf_tree;

static bool build_tree(one_leaf_tree *t, const uint8_t *script, size_t len) {
    uint8_t leaf[32], tweak[32], buf[64];
    blvm_sha256_ctx h;
    uint8_t v = 0xc0, cs[9];
    blvm_sha256_init_tagged(&h, "TapLeaf");
    blvm_sha256_write(&h, &v, 1);
    blvm_sha256_write(&h, cs, blvm_encode_compact_size(cs, len));
    if (len) blvm_sha256_write(&h, script, len);
    blvm_sha256_finalize(&h, leaf);
    memcpy(buf, nums_h, 32);
    memcpy(buf + 32, leaf, 32);
    blvm_tagged_hash(tweak, "TapTweak", buf, 64);
    secp256k1_xonly_pubkey p, q;
    secp256k1_pubkey full;
    int parity;
    if (!secp256k1_xonly_pubkey_parse(secp256k1_context_static, &p, nums_h) ||
        !secp256k1_xonly_pubkey_tweak_add(secp256k1_context_static, &full, &p, tweak) ||
        !secp256k1_xonly_pubkey_from_pubkey(secp256k1_context_static, &q, &parity, &full) ||
        !secp256k1_xonly_pubkey_serialize(secp256k1_context_static, t->output, &q))
        return false;
    t->control[0] = (uint8_t)(0xc0 | parity);
    memcpy(t->control + 1, nums_h, 32);
    t->have = true;
    return true;
}

static bool valid_flag_combination(uint32_t f) {
    if ((f & BLVM_SCRIPT_VERIFY_CLEANSTACK) &&
        (~f & (BLVM_SCRIPT_VERIFY_P2SH | BLVM_SCRIPT_VERIFY_WITNESS)))
        return false;
    if ((f & BLVM_SCRIPT_VERIFY_WITNESS) && (~f & BLVM_SCRIPT_VERIFY_P2SH)) return false;
    return true;
}

typedef struct {
    blvm_tx credit, spend;
    blvm_tx_precomputed pd;
} test_txs;

static bool build_txs(test_txs *t, const uint8_t *sig, size_t sig_len, const uint8_t *spk,
                      size_t spk_len, const blvm_witness *wit, blvm_amount value) {
    static const uint8_t credit_sig[2] = {0, 0}; /* CScript() << 0 << 0 */
    blvm_tx_init(&t->credit);
    blvm_tx_init(&t->spend);
    if (!blvm_tx_resize(&t->credit, 1, 1) || !blvm_tx_resize(&t->spend, 1, 1)) return false;
    t->credit.version = 1;
    memset(t->credit.vin[0].prevout.hash, 0, 32);
    t->credit.vin[0].prevout.n = 0xffffffffu;
    t->credit.vin[0].sequence = BLVM_SEQUENCE_FINAL;
    if (!blvm_script_set(&t->credit.vin[0].script_sig, credit_sig, 2)) return false;
    if (!blvm_script_set(&t->credit.vout[0].script_pubkey, spk, spk_len)) return false;
    t->credit.vout[0].value = value;
    blvm_tx_compute_hashes(&t->credit);

    t->spend.version = 1;
    memcpy(t->spend.vin[0].prevout.hash, t->credit.txid, 32);
    t->spend.vin[0].prevout.n = 0;
    t->spend.vin[0].sequence = BLVM_SEQUENCE_FINAL;
    if (!blvm_script_set(&t->spend.vin[0].script_sig, sig, sig_len)) return false;
    for (size_t i = 0; i < wit->count; i++)
        if (!blvm_witness_push(&t->spend.vin[0].witness, wit->items[i].data, wit->items[i].len))
            return false;
    t->spend.vout[0].value = value;
    blvm_tx_compute_hashes(&t->spend);
    blvm_tx_precompute(&t->pd, &t->spend, &t->credit.vout[0], true);
    return true;
}

static bool run(const test_txs *t, uint32_t flags, blvm_script_error *err) {
    blvm_sig_checker c = {&t->spend, 0, t->credit.vout[0].value, &t->pd};
    const blvm_txin *in = &t->spend.vin[0];
    const blvm_script *spk = &t->credit.vout[0].script_pubkey;
    return blvm_verify_script(in->script_sig.data, in->script_sig.len, spk->data, spk->len,
                              &in->witness, flags, &c, err);
}

static void free_witness(blvm_witness *w) {
    for (size_t i = 0; i < w->count; i++)
        free(w->items[i].data);
    free(w->items);
    w->items = NULL;
    w->count = 0;
}

static bool push_item(blvm_witness *w, uint8_t *data, size_t len) {
    blvm_script *p = realloc(w->items, (w->count + 1) * sizeof(*p));
    if (!p) return false;
    w->items = p;
    w->items[w->count].data = data;
    w->items[w->count].len = len;
    w->items[w->count].cap = 0;
    w->count++;
    return true;
}

static void one_case(json_t *test, vec_tally *tally) {
    char *text = json_dumps(test, JSON_COMPACT);
    const char *comment = text;
    size_t pos = 0;
    blvm_witness wit = {0, NULL, 0};
    blvm_amount value = 0;
    one_leaf_tree tree = {0};
    uint8_t *last_script = NULL;
    size_t last_script_len = 0;
    uint8_t *sig = NULL, *spk = NULL;
    size_t sig_len = 0, spk_len = 0;
    test_txs t;
    bool txs_built = false;

    if (json_is_array(json_array_get(test, 0))) {
        json_t *w = json_array_get(test, 0);
        size_t n = json_array_size(w);
        if (n == 0) {
            vec_fail(tally, comment, "bad test: empty witness array");
            goto out;
        }
        for (size_t i = 0; i + 1 < n; i++) {
            const char *e = json_string_value(json_array_get(w, i));
            uint8_t *data = NULL;
            size_t len = 0;
            if (!e) {
                vec_fail(tally, comment, "bad test: witness item not a string");
                goto out;
            }
            if (strncmp(e, "#SCRIPT#", 8) == 0) {
                data = vec_parse_script(e + 8, &len);
                if (data) {
                    free(last_script);
                    last_script = malloc(len + 1);
                    if (last_script) memcpy(last_script, data, len);
                    last_script_len = len;
                }
            } else if (strcmp(e, "#CONTROLBLOCK#") == 0) {
                if (last_script && build_tree(&tree, last_script, last_script_len)) {
                    data = malloc(33);
                    if (data) memcpy(data, tree.control, 33);
                    len = 33;
                }
            } else {
                data = blvm_hex_decode_alloc(e, &len);
            }
            if (!data || !push_item(&wit, data, len)) {
                free(data);
                vec_fail(tally, comment, "bad test: witness item %s", e);
                goto out;
            }
        }
        json_t *amount = json_array_get(w, n - 1);
        if (!json_is_number(amount)) {
            vec_fail(tally, comment, "bad test: amount");
            goto out;
        }
        double btc = json_number_value(amount) * 1e8;
        value = (blvm_amount)(btc + (btc >= 0 ? 0.5 : -0.5)); /* to the nearest satoshi */
        pos++;
    }
    if (json_array_size(test) < 4 + pos) {
        if (json_array_size(test) != 1) vec_fail(tally, comment, "bad test");
        goto out;
    }
    if (json_array_size(test) > 4 + pos && json_is_string(json_array_get(test, 4 + pos)))
        comment = json_string_value(json_array_get(test, 4 + pos));

    const char *sig_text = json_string_value(json_array_get(test, pos));
    const char *spk_text = json_string_value(json_array_get(test, pos + 1));
    const char *flags_text = json_string_value(json_array_get(test, pos + 2));
    const char *err_text = json_string_value(json_array_get(test, pos + 3));
    if (!sig_text || !spk_text || !flags_text || !err_text) {
        vec_fail(tally, comment, "bad test: fields are not strings");
        goto out;
    }
    sig = vec_parse_script(sig_text, &sig_len);
    if (strcmp(spk_text, "0x51 0x20 #TAPROOTOUTPUT#") == 0) {
        if (tree.have) {
            spk = malloc(34);
            if (spk) {
                spk[0] = OP_1;
                spk[1] = 32;
                memcpy(spk + 2, tree.output, 32);
                spk_len = 34;
            }
        }
    } else {
        spk = vec_parse_script(spk_text, &spk_len);
    }
    uint32_t flags;
    blvm_script_error expected;
    if (!sig || !spk) {
        vec_fail(tally, comment, "bad test: script parse error");
        goto out;
    }
    if (!vec_parse_flags(flags_text, &flags)) {
        vec_fail(tally, comment, "bad test: unknown flag in '%s'", flags_text);
        goto out;
    }
    if (!blvm_script_error_from_name(err_text, &expected)) {
        vec_fail(tally, comment, "bad test: unknown error '%s'", err_text);
        goto out;
    }

    bool expect = expected == BLVM_SCRIPT_ERR_OK;
    if (flags & BLVM_SCRIPT_VERIFY_CLEANSTACK)
        flags |= BLVM_SCRIPT_VERIFY_P2SH | BLVM_SCRIPT_VERIFY_WITNESS;
    txs_built = true; /* build_txs initializes both first */
    if (!build_txs(&t, sig, sig_len, spk, spk_len, &wit, value)) {
        vec_fail(tally, comment, "out of memory");
        goto out;
    }
    blvm_script_error err;
    bool ok = run(&t, flags, &err);
    if (ok != expect || err != expected) {
        vec_fail(tally, comment, "got %s, expected %s", blvm_script_error_name(err), err_text);
        goto out;
    }
    /* Removing flags from a passing test, or adding flags to a failing
     * one, must not change the result (as Core checks with 16 random
     * combinations of the low 16 flags). */
    for (int i = 0; i < 16; i++) {
        uint32_t extra = (uint32_t)(vec_rand() & 0xffff);
        uint32_t combined = expect ? (flags & ~extra) : (flags | extra);
        if (!valid_flag_combination(combined)) continue;
        if (run(&t, combined, &err) != expect) {
            vec_fail(tally, comment, "result changes with flags %x", combined);
            goto out;
        }
    }
    tally->passed++;
out:
    if (txs_built) {
        blvm_tx_clear(&t.credit);
        blvm_tx_clear(&t.spend);
    }
    free(sig);
    free(spk);
    free(last_script);
    free_witness(&wit);
    free(text);
}

int vec_run_script(const char *path, vec_tally *tally) {
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root || !json_is_array(root)) {
        fprintf(stderr, "%s: %s\n", path, jerr.text);
        json_decref(root);
        return 1;
    }
    for (size_t i = 0; i < json_array_size(root); i++)
        one_case(json_array_get(root, i), tally);
    json_decref(root);
    return 0;
}
