/* The Rawtransactions RPC methods (Bitcoin Core 29's fields and errors):
 * getrawtransaction (from a given block; the mempool and -txindex come with
 * their issues), decoderawtransaction, decodescript, createrawtransaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/script.h"
#include "crypto/hash.h"
#include "node/rpc/areas.h"
#include "node/rpc/blockchain_util.h"
#include "node/rpc/tx_json.h"
#include "protocol/address.h"
#include "protocol/descriptor.h"
#include "protocol/standard.h"
#include "util/hex.h"


/* Core's CScript::HasValidOps: every operation parses, is a known opcode and
 * pushes at most 520 bytes. */
static bool script_has_valid_ops(const uint8_t *s, size_t n) {
    const uint8_t *pc = s, *end = s + n, *data;
    size_t len;
    uint8_t op;
    while (pc < end) {
        if (!blvm_script_get_op(&pc, end, &op, &data, &len) || op > BLVM_MAX_OPCODE ||
            len > BLVM_MAX_SCRIPT_ELEMENT_SIZE)
            return false;
    }
    return true;
}

/* Core's CheckTxScriptsSanity, used to choose between the two readings of
 * an ambiguous serialization. */
static bool tx_scripts_sane(const blvm_tx *tx) {
    if (!blvm_tx_is_coinbase(tx)) {
        for (size_t i = 0; i < tx->vin_count; i++) {
            const blvm_script *s = &tx->vin[i].script_sig;
            if (!script_has_valid_ops(s->data, s->len) || s->len > BLVM_MAX_SCRIPT_SIZE) return false;
        }
    }
    for (size_t i = 0; i < tx->vout_count; i++) {
        const blvm_script *s = &tx->vout[i].script_pubkey;
        if (!script_has_valid_ops(s->data, s->len) || s->len > BLVM_MAX_SCRIPT_SIZE) return false;
    }
    return true;
}

/* Core's DecodeHexTx: tries the extended (segwit) and legacy readings; takes
 * the one that consumes everything and looks sane, preferring extended. */
static bool decode_hex_tx(blvm_tx *tx, const char *hex, bool try_no_witness, bool try_witness) {
    size_t len;
    uint8_t *raw = blvm_hex_decode_alloc(hex, &len);
    if (!raw) return false;
    blvm_tx ext, leg;
    blvm_tx_init(&ext);
    blvm_tx_init(&leg);
    bool ok_ext = false, ok_leg = false;
    blvm_reader r;
    if (try_witness) {
        blvm_reader_init(&r, raw, len);
        ok_ext = blvm_tx_decode(&ext, &r, true) && blvm_reader_remaining(&r) == 0;
    }
    bool done = false;
    if (ok_ext && tx_scripts_sane(&ext)) {
        *tx = ext;
        done = true;
    }
    if (!done && try_no_witness) {
        blvm_reader_init(&r, raw, len);
        ok_leg = blvm_tx_decode(&leg, &r, false) && blvm_reader_remaining(&r) == 0;
        if (ok_leg && tx_scripts_sane(&leg)) {
            blvm_tx_clear(&ext);
            *tx = leg;
            done = true;
        }
    }
    if (!done && ok_ext) {
        blvm_tx_clear(&leg);
        *tx = ext;
        done = true;
    }
    if (!done && ok_leg) {
        blvm_tx_clear(&ext);
        *tx = leg;
        done = true;
    }
    if (!done) {
        blvm_tx_clear(&ext);
        blvm_tx_clear(&leg);
    }
    free(raw);
    return done;
}

static json_t *rpc_decoderawtransaction(blvm_node *node, const json_t *params,
                                        blvm_rpc_error *err) {
    const char *hex = json_string_value(blvm_rpc_arg(params, 0));
    const json_t *isw = blvm_rpc_arg(params, 1);
    bool try_witness = isw ? json_is_true(isw) : true;
    bool try_no_witness = isw ? !json_is_true(isw) : true;
    blvm_tx tx;
    blvm_tx_init(&tx);
    if (!decode_hex_tx(&tx, hex, try_no_witness, try_witness))
        return blvm_rpc_fail(err, BLVM_RPC_DESERIALIZATION_ERROR, "TX decode failed");
    json_t *res = blvm_tx_json(blvm_rpc_params(node), &tx, NULL, false, NULL, BLVM_TX_JSON_DETAILS);
    blvm_tx_clear(&tx);
    return res;
}

static json_t *rpc_getrawtransaction(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    blvm_chainstate *cs = blvm_rpc_chainstate(node, err);
    if (!cs) return NULL;
    uint8_t txid[32];
    if (!blvm_rpc_parse_hash(blvm_rpc_arg(params, 0), "parameter 1", txid, err)) return NULL;
    int verbosity = 0;
    const json_t *v = blvm_rpc_arg(params, 1);
    if (v && json_is_boolean(v)) {
        verbosity = json_is_true(v) ? 1 : 0;
    } else if (v) {
        int32_t n;
        if (!blvm_rpc_parse_int32(v, &n, err)) return NULL;
        verbosity = n <= 0 ? 0 : n == 1 ? 1 : 2;
    }
    const blvm_params *p = blvm_chainstate_params(cs);
    if (!memcmp(txid, p->genesis_header.merkle_root, 32))
        return blvm_rpc_fail(err, BLVM_RPC_INVALID_ADDRESS_OR_KEY,
                             "The genesis block coinbase is not considered an ordinary "
                             "transaction and cannot be retrieved");
    if (!blvm_rpc_arg(params, 2))
        return blvm_rpc_fail(err, BLVM_RPC_INVALID_ADDRESS_OR_KEY,
                             "No such mempool transaction. Use -txindex or provide a block hash "
                             "to enable blockchain transaction queries. Use gettransaction for "
                             "wallet transactions.");
    uint8_t block_hash[32];
    if (!blvm_rpc_parse_hash(blvm_rpc_arg(params, 2), "parameter 3", block_hash, err)) return NULL;
    blvm_chainstate_lock(cs);
    blvm_block_index *b = blvm_chainstate_find_locked(cs, block_hash);
    bool in_active = b && blvm_chainstate_in_active_chain_locked(cs, b);
    bool has_data = b && (b->status & BLVM_BLOCK_HAVE_DATA);
    int32_t tip_height = blvm_chainstate_tip_locked(cs)->entry.height;
    blvm_chainstate_unlock(cs);
    if (!b) return blvm_rpc_fail(err, BLVM_RPC_INVALID_ADDRESS_OR_KEY, "Block hash not found");
    if (!has_data) return blvm_rpc_fail(err, BLVM_RPC_MISC_ERROR, "Block not available");
    blvm_block block;
    if (!blvm_rpc_read_block(cs, b, &block, NULL, NULL, err)) return NULL;
    size_t idx = block.tx_count;
    for (size_t i = 0; i < block.tx_count; i++)
        if (!memcmp(block.txs[i].txid, txid, 32)) idx = i;
    if (idx == block.tx_count) {
        blvm_block_clear(&block);
        return blvm_rpc_fail(err, BLVM_RPC_INVALID_ADDRESS_OR_KEY,
                             "No such transaction found in the provided block. Use gettransaction "
                             "for wallet transactions.");
    }
    const blvm_tx *tx = &block.txs[idx];
    json_t *res;
    if (verbosity == 0) {
        blvm_writer w;
        blvm_writer_init(&w);
        blvm_tx_encode(tx, &w, true);
        res = w.err ? NULL : blvm_hex_json(w.data, w.len);
        blvm_writer_clear(&w);
    } else {
        blvm_block_undo undo;
        blvm_block_undo_init(&undo);
        bool have_undo = verbosity >= 2 && idx > 0 && blvm_chainstate_read_undo(cs, b, &undo) &&
                         undo.count + 1 == block.tx_count;
        json_t *txj = blvm_tx_json(p, tx, NULL, true, have_undo ? &undo.txs[idx - 1] : NULL,
                                   have_undo ? BLVM_TX_JSON_DETAILS_AND_PREVOUT
                                             : BLVM_TX_JSON_DETAILS);
        /* Core: "in_active_chain" first, then the transaction, then where
         * it was mined (TxToJSON). */
        res = json_object();
        json_object_set_new(res, "in_active_chain", json_boolean(in_active));
        json_object_update(res, txj);
        json_decref(txj);
        json_object_set_new(res, "blockhash", blvm_hash_json(block_hash));
        if (in_active) {
            json_object_set_new(res, "confirmations",
                                json_integer(1 + tip_height - b->entry.height));
            json_object_set_new(res, "time", json_integer(b->entry.time));
            json_object_set_new(res, "blocktime", json_integer(b->entry.time));
        } else {
            json_object_set_new(res, "confirmations", json_integer(0));
        }
        blvm_block_undo_clear(&undo);
    }
    blvm_block_clear(&block);
    return res;
}

static bool decodescript_can_wrap(blvm_txout_type t, const uint8_t *s, size_t n) {
    switch (t) {
    case BLVM_TXOUT_MULTISIG:
    case BLVM_TXOUT_NONSTANDARD:
    case BLVM_TXOUT_PUBKEY:
    case BLVM_TXOUT_PUBKEYHASH:
    case BLVM_TXOUT_WITNESS_V0_KEYHASH:
    case BLVM_TXOUT_WITNESS_V0_SCRIPTHASH: break;
    default: return false;
    }
    if (!script_has_valid_ops(s, n) || blvm_script_is_unspendable(s, n)) return false;
    const uint8_t *pc = s, *end = s + n, *data;
    size_t len;
    uint8_t op;
    while (pc < end && blvm_script_get_op(&pc, end, &op, &data, &len))
        if (op == OP_CHECKSIGADD || blvm_script_is_op_success(op)) return false;
    return true;
}

static size_t p2sh_script(uint8_t out[23], const uint8_t *s, size_t n) {
    out[0] = OP_HASH160;
    out[1] = 20;
    blvm_hash160(out + 2, s, n);
    out[22] = OP_EQUAL;
    return 23;
}

static json_t *address_json(const blvm_params *p, const uint8_t *script, size_t n) {
    char *a = blvm_address_from_script(p, script, n);
    json_t *j = a ? json_string(a) : json_null();
    free(a);
    return j;
}

static json_t *rpc_decodescript(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    const blvm_params *p = blvm_rpc_params(node);
    uint8_t *script = NULL;
    size_t n = 0;
    const char *hex = json_string_value(blvm_rpc_arg(params, 0));
    if (hex[0] && !blvm_rpc_parse_hex(blvm_rpc_arg(params, 0), "argument", &script, &n, err))
        return NULL;
    json_t *r = blvm_script_json(p, script, n, false, true);
    blvm_solution sol;
    blvm_txout_type t = blvm_solver(script, n, &sol);
    if (decodescript_can_wrap(t, script, n)) {
        uint8_t p2sh[23];
        p2sh_script(p2sh, script, n);
        json_object_set_new(r, "p2sh", address_json(p, p2sh, sizeof p2sh));
        /* Witness programs and scripts with uncompressed keys can't be
         * wrapped in segwit. */
        bool can_wrap_segwit = t == BLVM_TXOUT_NONSTANDARD || t == BLVM_TXOUT_PUBKEYHASH;
        if (t == BLVM_TXOUT_PUBKEY) can_wrap_segwit = sol.data_len == 33;
        if (t == BLVM_TXOUT_MULTISIG) {
            can_wrap_segwit = true;
            for (int k = 0; k < sol.multisig_keys; k++)
                if (sol.key_lens[k] != 33) can_wrap_segwit = false;
        }
        if (can_wrap_segwit) {
            uint8_t seg[34];
            size_t seg_len;
            seg[0] = OP_0;
            if (t == BLVM_TXOUT_PUBKEY || t == BLVM_TXOUT_PUBKEYHASH) {
                seg[1] = 20;
                if (t == BLVM_TXOUT_PUBKEY)
                    blvm_hash160(seg + 2, sol.data, sol.data_len);
                else
                    memcpy(seg + 2, sol.data, 20);
                seg_len = 22;
            } else {
                seg[1] = 32;
                blvm_sha256(seg + 2, script, n);
                seg_len = 34;
            }
            json_t *sr = blvm_script_json(p, seg, seg_len, true, true);
            if (seg_len == 34) {
                /* Core knows the witness script here and infers wsh(...). */
                char *desc = blvm_descriptor_infer_wsh(p, script, n);
                if (desc) json_object_set_new(sr, "desc", json_string(desc));
                free(desc);
            }
            uint8_t wrapped[23];
            p2sh_script(wrapped, seg, seg_len);
            json_object_set_new(sr, "p2sh-segwit", address_json(p, wrapped, sizeof wrapped));
            json_object_set_new(r, "segwit", sr);
        }
    }
    free(script);
    return r;
}

/* ---- createrawtransaction (Core's rawtransaction_util.cpp) ---- */

#define MAX_BIP125_RBF_SEQUENCE 0xfffffffdu
#define MAX_SEQUENCE_NONFINAL 0xfffffffeu

static bool add_inputs(blvm_tx *tx, const json_t *inputs, bool rbf, blvm_rpc_error *err) {
    size_t i;
    json_t *in;
    json_array_foreach(inputs, i, in) {
        if (!json_is_object(in)) {
            blvm_rpc_fail_type(err, in, "object");
            return false;
        }
        blvm_txin *txin = &tx->vin[i];
        if (!blvm_rpc_parse_hash(json_object_get(in, "txid"), "txid", txin->prevout.hash, err))
            return false;
        const json_t *vout = json_object_get(in, "vout");
        if (!json_is_number(vout)) {
            blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER, "Invalid parameter, missing vout key");
            return false;
        }
        int32_t n;
        if (!blvm_rpc_parse_int32(vout, &n, err)) return false;
        if (n < 0) {
            blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER,
                          "Invalid parameter, vout cannot be negative");
            return false;
        }
        txin->prevout.n = (uint32_t)n;
        txin->sequence = rbf              ? MAX_BIP125_RBF_SEQUENCE
                         : tx->locktime ? MAX_SEQUENCE_NONFINAL
                                        : BLVM_SEQUENCE_FINAL;
        /* Core reads "sequence" only when it is a number. */
        const json_t *seq = json_object_get(in, "sequence");
        if (json_is_number(seq)) {
            int64_t sq;
            if (!blvm_rpc_parse_int(seq, &sq, err)) return false;
            if (sq < 0 || sq > 0xffffffffLL) {
                blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER,
                              "Invalid parameter, sequence number is out of range");
                return false;
            }
            txin->sequence = (uint32_t)sq;
        }
    }
    return true;
}

/* Flattens Core's two output forms ({addr: amount, ...} or [{addr: amount},
 * ...]) into one list of (key, value) in order. */
static json_t *collect_outputs(const json_t *outputs, blvm_rpc_error *err) {
    json_t *list = json_array();
    if (json_is_object(outputs)) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)outputs, k, v) {
            json_array_append_new(list, json_pack("[sO]", k, v));
        }
        return list;
    }
    size_t i;
    json_t *o;
    json_array_foreach(outputs, i, o) {
        if (!json_is_object(o)) {
            json_decref(list);
            return blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER,
                                 "Invalid parameter, key-value pair not an object as expected");
        }
        if (json_object_size(o) != 1) {
            json_decref(list);
            return blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER,
                                 "Invalid parameter, key-value pair must contain exactly one key");
        }
        const char *k;
        json_t *v;
        json_object_foreach(o, k, v) json_array_append_new(list, json_pack("[sO]", k, v));
    }
    return list;
}

static bool add_outputs(blvm_tx *tx, const blvm_params *p, const json_t *list,
                        blvm_rpc_error *err) {
    bool has_data = false;
    size_t i;
    json_t *kv;
    json_array_foreach(list, i, kv) {
        const char *key = json_string_value(json_array_get(kv, 0));
        const json_t *val = json_array_get(kv, 1);
        blvm_txout *out = &tx->vout[i];
        if (!strcmp(key, "data")) {
            if (has_data) {
                blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER,
                              "Invalid parameter, duplicate key: data");
                return false;
            }
            has_data = true;
            uint8_t *data;
            size_t n;
            /* Core parses the value's getValStr(): a number's text, "" for
             * anything that is neither a string nor a number. */
            json_t *text = json_is_string(val) ? json_incref((json_t *)val) : NULL;
            const char *raw;
            char num[64] = "";
            if (!text) {
                if (blvm_json_is_raw_number(val, &raw))
                    snprintf(num, sizeof num, "%s", raw);
                else if (json_is_integer(val))
                    snprintf(num, sizeof num, "%lld", (long long)json_integer_value(val));
                else if (json_is_real(val))
                    snprintf(num, sizeof num, "%.17g", json_real_value(val));
                text = json_string(num);
            }
            bool ok_hex = text && blvm_rpc_parse_hex(text, "Data", &data, &n, err);
            json_decref(text);
            if (!ok_hex) return false;
            /* OP_RETURN <data> with the shortest push */
            blvm_writer w;
            blvm_writer_init(&w);
            blvm_write_u8(&w, OP_RETURN);
            if (n < OP_PUSHDATA1) {
                blvm_write_u8(&w, (uint8_t)n);
            } else if (n <= 0xff) {
                blvm_write_u8(&w, OP_PUSHDATA1);
                blvm_write_u8(&w, (uint8_t)n);
            } else if (n <= 0xffff) {
                blvm_write_u8(&w, OP_PUSHDATA2);
                blvm_write_u16(&w, (uint16_t)n);
            } else {
                blvm_write_u8(&w, OP_PUSHDATA4);
                blvm_write_u32(&w, (uint32_t)n);
            }
            blvm_write_bytes(&w, data, n);
            free(data);
            bool ok = !w.err && blvm_script_set(&out->script_pubkey, w.data, w.len);
            blvm_writer_clear(&w);
            if (!ok) {
                blvm_rpc_fail(err, BLVM_RPC_OUT_OF_MEMORY, "Out of memory");
                return false;
            }
            out->value = 0;
            continue;
        }
        uint8_t script[BLVM_ADDRESS_SCRIPT_MAX];
        size_t n;
        char aerr[BLVM_ADDRESS_ERROR_MAX];
        /* Core reads the amount before it checks the address. */
        if (!blvm_rpc_parse_amount(val, &out->value, err)) return false;
        if (!blvm_address_decode(p, key, script, &n, aerr)) {
            blvm_rpc_fail(err, BLVM_RPC_INVALID_ADDRESS_OR_KEY, "Invalid Bitcoin address: %s", key);
            return false;
        }
        for (size_t k = 0; k < i; k++) {
            const blvm_script *prev = &tx->vout[k].script_pubkey;
            if (prev->len == n && !memcmp(prev->data, script, n) && prev->data[0] != OP_RETURN) {
                blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER,
                              "Invalid parameter, duplicated address: %s", key);
                return false;
            }
        }
        if (!blvm_script_set(&out->script_pubkey, script, n)) {
            blvm_rpc_fail(err, BLVM_RPC_OUT_OF_MEMORY, "Out of memory");
            return false;
        }
    }
    return true;
}

static json_t *rpc_createrawtransaction(blvm_node *node, const json_t *params,
                                        blvm_rpc_error *err) {
    const blvm_params *p = blvm_rpc_params(node);
    /* inputs is a required array (the dispatcher checked it); outputs is
     * not type-checked by Core's dispatcher, NormalizeOutputs does it. */
    const json_t *inputs = blvm_rpc_arg(params, 0);
    const json_t *outputs = blvm_rpc_arg(params, 1);
    int64_t locktime = 0;
    if (blvm_rpc_arg(params, 2) && !blvm_rpc_parse_int(blvm_rpc_arg(params, 2), &locktime, err))
        return NULL;
    if (locktime < 0 || locktime > 0xffffffffLL)
        return blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER,
                             "Invalid parameter, locktime out of range");
    const json_t *repl = blvm_rpc_arg(params, 3);
    bool rbf = repl ? json_is_true(repl) : true;
    json_t *list = NULL;
    blvm_tx tx;
    blvm_tx_init(&tx);
    tx.version = 2;
    tx.locktime = (uint32_t)locktime;
    json_t *res = NULL;
    /* Core's order: inputs, then outputs (NormalizeOutputs, ParseOutputs). */
    if (!blvm_tx_resize(&tx, json_array_size(inputs), 0)) {
        blvm_rpc_fail(err, BLVM_RPC_OUT_OF_MEMORY, "Out of memory");
        goto out;
    }
    if (!add_inputs(&tx, inputs, rbf, err)) goto out;
    if (!outputs) {
        blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER,
                      "Invalid parameter, output argument must be non-null");
        goto out;
    }
    if (!json_is_object(outputs) && !json_is_array(outputs)) {
        blvm_rpc_fail_type(err, outputs, "array");
        goto out;
    }
    list = collect_outputs(outputs, err);
    if (!list) goto out;
    if (!blvm_tx_resize(&tx, json_array_size(inputs), json_array_size(list))) {
        blvm_rpc_fail(err, BLVM_RPC_OUT_OF_MEMORY, "Out of memory");
        goto out;
    }
    if (!add_outputs(&tx, p, list, err)) goto out;
    if (repl && rbf) {
        /* BIP125: the explicit sequences must signal replaceability. */
        bool signals = false;
        for (size_t i = 0; i < tx.vin_count; i++)
            if (tx.vin[i].sequence <= MAX_BIP125_RBF_SEQUENCE) signals = true;
        if (tx.vin_count > 0 && !signals) {
            blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER,
                          "Invalid parameter combination: Sequence number(s) contradict "
                          "replaceable option");
            goto out;
        }
    }
    blvm_writer w;
    blvm_writer_init(&w);
    blvm_tx_encode(&tx, &w, true);
    res = w.err ? blvm_rpc_fail(err, BLVM_RPC_OUT_OF_MEMORY, "Out of memory")
                : blvm_hex_json(w.data, w.len);
    blvm_writer_clear(&w);
out:
    json_decref(list);
    blvm_tx_clear(&tx);
    return res;
}

static const blvm_rpc_command rawtransaction_commands[] = {
    {"rawtransactions", "getrawtransaction", rpc_getrawtransaction,
     {BLVM_RPC_REQ("txid", BLVM_RPC_STR), BLVM_RPC_OPT("verbosity|verbose", BLVM_RPC_NUM_OR_BOOL),
      BLVM_RPC_OPT("blockhash", BLVM_RPC_STR)},
     "By default, this call only returns a transaction if it is in the mempool. If -txindex is "
     "enabled\nand no blockhash argument is passed, it will return the transaction if it is in "
     "the mempool or any block.\nIf a blockhash argument is passed, it will return the "
     "transaction if\nthe specified block is available and the transaction is in that block.\n"},
    {"rawtransactions", "decoderawtransaction", rpc_decoderawtransaction,
     {BLVM_RPC_REQ("hexstring", BLVM_RPC_STR), BLVM_RPC_OPT("iswitness", BLVM_RPC_BOOL)},
     "Return a JSON object representing the serialized, hex-encoded transaction.\n"},
    {"rawtransactions", "decodescript", rpc_decodescript,
     {BLVM_RPC_REQ("hexstring", BLVM_RPC_STR)},
     "Decode a hex-encoded script.\n"},
    {"rawtransactions", "createrawtransaction", rpc_createrawtransaction,
     /* Core's synopsis spells out the inner objects. */
     {{.name = "inputs", .type = BLVM_RPC_ARR,
       .oneline = "[{\"txid\":\"hex\",\"vout\":n,\"sequence\":n},...]"},
      {.name = "outputs", .type = BLVM_RPC_ANY,
       .oneline = "[{\"address\":amount,...},{\"data\":\"hex\"},...]"},
      BLVM_RPC_OPT("locktime", BLVM_RPC_NUM), BLVM_RPC_OPT("replaceable", BLVM_RPC_BOOL)},
     "Create a transaction spending the given inputs and creating new outputs.\n"
     "Outputs can be addresses or data.\nReturns hex-encoded raw transaction.\n"},
};

bool blvm_rpc_register_rawtransactions(blvm_rpc_table *t) {
    return blvm_rpc_table_register(t, rawtransaction_commands,
                                   BLVM_ARRAY_LEN(rawtransaction_commands));
}
