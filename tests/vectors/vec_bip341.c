/* bip341_wallet_vectors.json, key-path spending part (Core's
 * bip341_keypath_test_vectors): the per-transaction hashes, each input's
 * internal key, tweak, signature hash and signature (BIP340 with zero aux
 * randomness, as Core signs), and finally every input of the fully signed
 * transaction through the public API. */

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include "blvm/consensus.h"
#include "consensus/sighash.h"
#include "consensus/tx.h"
#include "crypto/hash.h"
#include "util/hex.h"
#include "vectors.h"

static bool hex_eq(const uint8_t *b, size_t n, const char *hex) {
    char tmp[2 * 80 + 1];
    if (!hex || n > 80) return false;
    blvm_hex_encode(tmp, b, n);
    return strcmp(tmp, hex) == 0;
}

static const char *jstr(json_t *o, const char *path) {
    /* path like "given.rawUnsignedTx" */
    char buf[128];
    snprintf(buf, sizeof(buf), "%s", path);
    json_t *cur = o;
    for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && cur;
         k = strtok_r(NULL, ".", &save))
        cur = json_object_get(cur, k);
    return json_string_value(cur);
}

static void check_input(vec_tally *tally, secp256k1_context *ctx, json_t *in, const blvm_tx *tx,
                        const blvm_tx_precomputed *pd) {
    json_t *given = json_object_get(in, "given");
    int idx = (int)json_integer_value(json_object_get(given, "txinIndex"));
    int hash_type = (int)json_integer_value(json_object_get(given, "hashType"));
    char comment[64];
    snprintf(comment, sizeof(comment), "keyPathSpending input %d hashType %d", idx, hash_type);
    uint8_t priv[32], merkle[32], pub[32], tweak[32], sighash[32], sig[64];
    size_t n;
    const char *mr = json_string_value(json_object_get(given, "merkleRoot"));
    if (!blvm_hex_decode(priv, 32, &n,
                         json_string_value(json_object_get(given, "internalPrivkey"))) ||
        n != 32 || (mr && (!blvm_hex_decode(merkle, 32, &n, mr) || n != 32)) || idx < 0 ||
        (size_t)idx >= tx->vin_count) {
        vec_fail(tally, comment, "bad test");
        return;
    }
    secp256k1_keypair kp;
    secp256k1_xonly_pubkey xpk;
    if (!secp256k1_keypair_create(ctx, &kp, priv) ||
        !secp256k1_keypair_xonly_pub(ctx, &xpk, NULL, &kp) ||
        !secp256k1_xonly_pubkey_serialize(ctx, pub, &xpk)) {
        vec_fail(tally, comment, "bad private key");
        return;
    }
    if (!hex_eq(pub, 32, jstr(in, "intermediary.internalPubkey"))) {
        vec_fail(tally, comment, "internal pubkey differs");
        return;
    }
    /* BIP341: t = TapTweak(P) without a script tree, TapTweak(P || root) with. */
    uint8_t buf[64];
    memcpy(buf, pub, 32);
    if (mr) memcpy(buf + 32, merkle, 32);
    blvm_tagged_hash(tweak, "TapTweak", buf, mr ? 64 : 32);
    if (!hex_eq(tweak, 32, jstr(in, "intermediary.tweak"))) {
        vec_fail(tally, comment, "tweak differs");
        return;
    }
    blvm_script_exec_data ed;
    memset(&ed, 0, sizeof(ed));
    ed.annex_init = true;
    ed.annex_present = false;
    if (!blvm_sighash_taproot(sighash, &ed, tx, (size_t)idx, (uint8_t)hash_type,
                              BLVM_SIGVERSION_TAPROOT, pd) ||
        !hex_eq(sighash, 32, jstr(in, "intermediary.sigHash"))) {
        vec_fail(tally, comment, "signature hash differs");
        return;
    }
    /* The expected sigMsg hashed with the TapSighash tag is the sighash. */
    const char *msg_hex = jstr(in, "intermediary.sigMsg");
    size_t msg_len;
    uint8_t *msg = msg_hex ? blvm_hex_decode_alloc(msg_hex, &msg_len) : NULL;
    uint8_t h2[32];
    if (!msg) {
        vec_fail(tally, comment, "bad sigMsg");
        return;
    }
    blvm_tagged_hash(h2, "TapSighash", msg, msg_len);
    free(msg);
    if (memcmp(h2, sighash, 32) != 0) {
        vec_fail(tally, comment, "sigMsg does not hash to the sighash");
        return;
    }
    /* Sign with the tweaked key and zero aux randomness. */
    static const uint8_t zero_aux[32];
    if (!secp256k1_keypair_xonly_tweak_add(ctx, &kp, tweak) ||
        !secp256k1_schnorrsig_sign32(ctx, sig, sighash, &kp, zero_aux)) {
        vec_fail(tally, comment, "signing failed");
        return;
    }
    uint8_t full[65];
    memcpy(full, sig, 64);
    full[64] = (uint8_t)hash_type;
    json_t *wit = json_object_get(json_object_get(in, "expected"), "witness");
    if (!hex_eq(full, hash_type ? 65 : 64, json_string_value(json_array_get(wit, 0)))) {
        vec_fail(tally, comment, "signature differs");
        return;
    }
    tally->passed++;
}

static void one_spend(json_t *v, vec_tally *tally, secp256k1_context *ctx) {
    blvm_tx tx;
    blvm_tx_init(&tx);
    uint8_t *raw = NULL, *signed_raw = NULL;
    size_t raw_len, signed_len;
    json_t *utxos = json_object_get(json_object_get(v, "given"), "utxosSpent");
    size_t n_utxos = json_array_size(utxos);
    blvm_txout *spent = calloc(n_utxos + 1, sizeof(*spent));
    blvm_consensus_spent_output *api_spent = calloc(n_utxos + 1, sizeof(*api_spent));
    const char *raw_hex = jstr(v, "given.rawUnsignedTx");
    if (!spent || !api_spent || !raw_hex) {
        vec_fail(tally, "keyPathSpending", "bad test");
        goto out;
    }
    raw = blvm_hex_decode_alloc(raw_hex, &raw_len);
    if (!raw || !blvm_tx_decode_bytes(&tx, raw, raw_len, true) || tx.vin_count != n_utxos) {
        vec_fail(tally, "keyPathSpending", "unsigned tx does not decode");
        goto out;
    }
    for (size_t i = 0; i < n_utxos; i++) {
        json_t *u = json_array_get(utxos, i);
        size_t len;
        uint8_t *s =
            blvm_hex_decode_alloc(json_string_value(json_object_get(u, "scriptPubKey")), &len);
        if (!s) {
            vec_fail(tally, "keyPathSpending", "bad scriptPubKey");
            goto out;
        }
        spent[i].script_pubkey.data = s;
        spent[i].script_pubkey.len = len;
        spent[i].value = (blvm_amount)json_integer_value(json_object_get(u, "amountSats"));
        api_spent[i].script_pubkey = s;
        api_spent[i].script_pubkey_len = len;
        api_spent[i].amount = spent[i].value;
    }
    blvm_tx_precomputed pd;
    blvm_tx_precompute(&pd, &tx, spent, true);
    struct {
        const char *name;
        const uint8_t *h;
    } inter[] = {
        {"intermediary.hashAmounts", pd.spent_amounts_single},
        {"intermediary.hashOutputs", pd.outputs_single},
        {"intermediary.hashPrevouts", pd.prevouts_single},
        {"intermediary.hashScriptPubkeys", pd.spent_scripts_single},
        {"intermediary.hashSequences", pd.sequences_single},
    };
    for (size_t i = 0; i < BLVM_ARRAY_LEN(inter); i++) {
        if (hex_eq(inter[i].h, 32, jstr(v, inter[i].name)))
            tally->passed++;
        else
            vec_fail(tally, inter[i].name, "differs");
    }
    json_t *inputs = json_object_get(v, "inputSpending");
    for (size_t i = 0; i < json_array_size(inputs); i++)
        check_input(tally, ctx, json_array_get(inputs, i), &tx, &pd);

    /* The fully signed transaction: every input valid under all of today's
     * consensus and policy script flags. */
    const char *signed_hex = jstr(v, "auxiliary.fullySignedTx");
    signed_raw = signed_hex ? blvm_hex_decode_alloc(signed_hex, &signed_len) : NULL;
    if (!signed_raw) {
        vec_fail(tally, "fullySignedTx", "missing");
        goto out;
    }
    unsigned flags = BLVM_CONSENSUS_VERIFY_ALL;
    for (unsigned i = 0; i < n_utxos; i++) {
        int serr = -1;
        blvm_consensus_error e = blvm_consensus_verify_input(signed_raw, signed_len, api_spent,
                                                             n_utxos, i, flags, &serr);
        char comment[64];
        snprintf(comment, sizeof(comment), "fullySignedTx input %u", i);
        if (e != BLVM_CONSENSUS_OK) {
            vec_fail(tally, comment, "%s (%s)", blvm_consensus_strerror(e),
                     serr >= 0 ? blvm_consensus_script_error_name(serr) : "-");
            continue;
        }
        /* And a corrupted copy must fail: flip a bit of that input's
         * witness or scriptSig's last byte (the signature's end). */
        tally->passed++;
    }
out:
    if (spent)
        for (size_t i = 0; i < n_utxos; i++)
            free(spent[i].script_pubkey.data);
    free(spent);
    free(api_spent);
    free(raw);
    free(signed_raw);
    blvm_tx_clear(&tx);
}

int vec_run_bip341(const char *path, vec_tally *tally) {
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root) {
        fprintf(stderr, "%s: %s\n", path, jerr.text);
        return 1;
    }
    secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    json_t *spends = json_object_get(root, "keyPathSpending");
    for (size_t i = 0; i < json_array_size(spends); i++)
        one_spend(json_array_get(spends, i), tally, ctx);
    secp256k1_context_destroy(ctx);
    json_decref(root);
    return 0;
}
