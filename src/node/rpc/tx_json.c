#include "node/rpc/tx_json.h"

#include <stdlib.h>

#include "node/rpc/rpc.h"
#include "protocol/address.h"
#include "protocol/descriptor.h"
#include "protocol/script_asm.h"
#include "protocol/standard.h"
#include "util/hex.h"

json_t *blvm_hash_json(const uint8_t hash[32]) {
    char hex[65];
    blvm_hex_encode_reversed(hex, hash, 32);
    return json_string(hex);
}

json_t *blvm_hex_json(const uint8_t *data, size_t len) {
    char *hex = blvm_hex_alloc(data, len);
    if (!hex) return NULL;
    json_t *j = json_string(hex);
    free(hex);
    return j;
}

/* Sets key to a string we own (freed here); false when anything is NULL. */
static bool set_owned_string(json_t *obj, const char *key, char *s) {
    if (!s) return false;
    int rc = json_object_set_new(obj, key, json_string(s));
    free(s);
    return rc == 0;
}

json_t *blvm_script_json(const blvm_params *p, const uint8_t *script, size_t len,
                         bool include_hex, bool include_address) {
    json_t *o = json_object();
    if (!o) return NULL;
    bool ok = set_owned_string(o, "asm", blvm_script_to_asm(script, len, false));
    if (ok && include_address)
        ok = set_owned_string(o, "desc", blvm_descriptor_infer(p, script, len));
    if (ok && include_hex) ok = json_object_set_new(o, "hex", blvm_hex_json(script, len)) == 0;
    blvm_txout_type type = blvm_solver(script, len, NULL);
    if (ok && include_address && type != BLVM_TXOUT_PUBKEY) {
        char *addr = blvm_address_from_script(p, script, len);
        if (addr) ok = set_owned_string(o, "address", addr);
    }
    if (ok) ok = json_object_set_new(o, "type", json_string(blvm_txout_type_name(type))) == 0;
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *input_json(const blvm_params *p, const blvm_tx *tx, size_t i,
                          const blvm_tx_undo *undo, blvm_tx_json_verbosity verbosity) {
    const blvm_txin *in = &tx->vin[i];
    json_t *o = json_object();
    if (!o) return NULL;
    bool ok;
    if (blvm_tx_is_coinbase(tx)) {
        ok = json_object_set_new(o, "coinbase", blvm_hex_json(in->script_sig.data, in->script_sig.len)) == 0;
    } else {
        json_t *sig = json_object();
        ok = sig && json_object_set_new(o, "txid", blvm_hash_json(in->prevout.hash)) == 0 &&
             json_object_set_new(o, "vout", json_integer(in->prevout.n)) == 0 &&
             set_owned_string(sig, "asm",
                              blvm_script_to_asm(in->script_sig.data, in->script_sig.len, true)) &&
             json_object_set_new(sig, "hex",
                                 blvm_hex_json(in->script_sig.data, in->script_sig.len)) == 0;
        ok = json_object_set_new(o, "scriptSig", sig) == 0 && ok;
    }
    if (ok && in->witness.count > 0) {
        json_t *wit = json_array();
        for (size_t k = 0; wit && k < in->witness.count; k++) {
            if (json_array_append_new(wit, blvm_hex_json(in->witness.items[k].data,
                                                         in->witness.items[k].len)) != 0) {
                ok = false;
                break;
            }
        }
        ok = json_object_set_new(o, "txinwitness", wit) == 0 && ok;
    }
    if (ok && undo && verbosity == BLVM_TX_JSON_DETAILS_AND_PREVOUT && i < undo->count) {
        const blvm_coin *c = &undo->coins[i];
        json_t *prev = json_object();
        ok = prev && json_object_set_new(prev, "generated", json_boolean(c->coinbase)) == 0 &&
             json_object_set_new(prev, "height", json_integer(c->height)) == 0 &&
             json_object_set_new(prev, "value", blvm_rpc_amount_json(c->out.value)) == 0 &&
             json_object_set_new(prev, "scriptPubKey",
                                 blvm_script_json(p, c->out.script_pubkey.data,
                                                  c->out.script_pubkey.len, true, true)) == 0;
        ok = json_object_set_new(o, "prevout", prev) == 0 && ok;
    }
    if (ok) ok = json_object_set_new(o, "sequence", json_integer(in->sequence)) == 0;
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *blvm_tx_json(const blvm_params *p, const blvm_tx *tx, const uint8_t *block_hash,
                     bool include_hex, const blvm_tx_undo *undo,
                     blvm_tx_json_verbosity verbosity) {
    json_t *e = json_object();
    if (!e) return NULL;
    size_t weight = blvm_tx_weight(tx);
    bool ok = json_object_set_new(e, "txid", blvm_hash_json(tx->txid)) == 0 &&
              json_object_set_new(e, "hash", blvm_hash_json(tx->wtxid)) == 0 &&
              json_object_set_new(e, "version", json_integer(tx->version)) == 0 &&
              json_object_set_new(e, "size", json_integer((json_int_t)blvm_tx_size(tx, true))) == 0 &&
              json_object_set_new(e, "vsize", json_integer((json_int_t)((weight + 3) / 4))) == 0 &&
              json_object_set_new(e, "weight", json_integer((json_int_t)weight)) == 0 &&
              json_object_set_new(e, "locktime", json_integer(tx->locktime)) == 0;
    /* Undo data is never given for a coinbase (it spends nothing). */
    bool have_undo = undo && !blvm_tx_is_coinbase(tx) && undo->count == tx->vin_count;
    blvm_amount total_in = 0, total_out = 0;
    json_t *vin = json_array();
    for (size_t i = 0; ok && vin && i < tx->vin_count; i++) {
        ok = json_array_append_new(vin, input_json(p, tx, i, have_undo ? undo : NULL, verbosity)) == 0;
        if (have_undo) total_in += undo->coins[i].out.value;
    }
    ok = json_object_set_new(e, "vin", vin) == 0 && ok;
    json_t *vout = json_array();
    for (size_t i = 0; ok && vout && i < tx->vout_count; i++) {
        const blvm_txout *out = &tx->vout[i];
        json_t *o = json_object();
        ok = o && json_object_set_new(o, "value", blvm_rpc_amount_json(out->value)) == 0 &&
             json_object_set_new(o, "n", json_integer((json_int_t)i)) == 0 &&
             json_object_set_new(o, "scriptPubKey",
                                 blvm_script_json(p, out->script_pubkey.data,
                                                  out->script_pubkey.len, true, true)) == 0;
        ok = json_array_append_new(vout, o) == 0 && ok;
        total_out += out->value;
    }
    ok = json_object_set_new(e, "vout", vout) == 0 && ok;
    if (ok && have_undo) ok = json_object_set_new(e, "fee", blvm_rpc_amount_json(total_in - total_out)) == 0;
    if (ok && block_hash) ok = json_object_set_new(e, "blockhash", blvm_hash_json(block_hash)) == 0;
    if (ok && include_hex) {
        blvm_writer w;
        blvm_writer_init(&w);
        blvm_tx_encode(tx, &w, true);
        ok = !w.err && json_object_set_new(e, "hex", blvm_hex_json(w.data, w.len)) == 0;
        blvm_writer_clear(&w);
    }
    if (!ok) {
        json_decref(e);
        return NULL;
    }
    return e;
}
