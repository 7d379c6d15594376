/* The Mining and Generating RPC methods, with Bitcoin Core 29's fields,
 * order and errors (src/rpc/mining.cpp): getmininginfo, getnetworkhashps,
 * getblocktemplate (BIP22/23 template and proposal modes, BIP9/BIP145
 * fields), submitblock (BIP22 results), submitheader, generatetoaddress,
 * generatetodescriptor and generateblock. Block assembly and the nonce loop
 * are in src/node/miner.c; validation is the chainstate's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "consensus/block_check.h"
#include "consensus/pow.h"
#include "node/chainstate.h"
#include "node/config.h"
#include "node/miner.h"
#include "node/rpc/blockchain_util.h"
#include "node/rpc/areas.h"
#include "node/rpc/rpc.h"
#include "node/rpc/tx_json.h"
#include "node/versionbits.h"
#include "protocol/address.h"
#include "protocol/descriptor.h"
#include "util/hex.h"

/* ---- helpers ---- */

static int64_t node_now(void) {
    return (int64_t)time(NULL);
}

/* Core's getInt<int>: an integer in int range, else "JSON integer out of
 * range" (-1). */
static bool parse_int32(const json_t *v, int32_t *out, blvm_rpc_error *err) {
    int64_t x;
    if (!blvm_rpc_parse_int(v, &x, err)) return false;
    if (x < INT32_MIN || x > INT32_MAX) {
        blvm_rpc_fail(err, BLVM_RPC_MISC_ERROR, "JSON integer out of range");
        return false;
    }
    *out = (int32_t)x;
    return true;
}

/* Core's UniValue::get_str on a value that must be a string. */
static const char *get_str(const json_t *v, blvm_rpc_error *err) {
    if (json_is_string(v)) return json_string_value(v);
    blvm_rpc_fail_type(err, v, "string");
    return NULL;
}

/* Core's BlockValidationState::ToString. */
static void state_string(const blvm_validation_state *st, char *out, size_t n) {
    if (st->mode == BLVM_STATE_VALID) {
        snprintf(out, n, "Valid");
    } else if (st->debug[0]) {
        snprintf(out, n, "%s, %s", st->reject_reason, st->debug);
    } else {
        snprintf(out, n, "%s", st->reject_reason);
    }
}

/* Core's BIP22ValidationResult. NULL with err set for an error state. */
static json_t *bip22_result(const blvm_validation_state *st, blvm_rpc_error *err) {
    if (st->mode == BLVM_STATE_VALID) return json_null();
    if (st->mode == BLVM_STATE_ERROR) {
        char s[sizeof st->reject_reason + sizeof st->debug + 8];
        state_string(st, s, sizeof s);
        return blvm_rpc_fail(err, BLVM_RPC_VERIFY_ERROR, "%s", s);
    }
    return json_string(st->reject_reason[0] ? st->reject_reason : "rejected");
}

static bool shutdown_requested(void *ctx) {
    return blvm_node_shutdown_requested((const blvm_node *)ctx);
}

/* Core's getScriptFromDescriptor. Returns 1 with the script, 0 when text is
 * not a descriptor (error holds why), -1 after filling err (a descriptor
 * that cannot be used). */
static int script_from_descriptor(const blvm_params *p, const char *text, uint8_t **script,
                                  size_t *len, char error[BLVM_DESCRIPTOR_ERROR_MAX],
                                  blvm_rpc_error *err) {
    blvm_descriptor d;
    if (!blvm_descriptor_parse(&d, p, text, false, error)) return 0;
    if (d.is_range) {
        blvm_descriptor_clear(&d);
        blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER,
                      "Ranged descriptor not accepted. Maybe pass through deriveaddresses first?");
        return -1;
    }
    *script = d.script;
    *len = d.script_len;
    d.script = NULL;
    blvm_descriptor_clear(&d);
    return 1;
}

/* ---- generating ---- */

/* Builds a block on the tip with the coinbase paying to script; txs (may be
 * NULL) are appended in order (generateblock). */
static bool build_block(blvm_chainstate *cs, const blvm_config *cfg, const uint8_t *script,
                        size_t script_len, const blvm_tx *txs, size_t ntx,
                        blvm_block_template *t) {
    const blvm_params *p = blvm_chainstate_params(cs);
    blvm_miner_options opt;
    blvm_miner_options_init(&opt);
    char cerr[256];
    if (cfg && !blvm_miner_options_from_config(&opt, cfg, cerr, sizeof cerr))
        return false; /* checked at start-up */
    opt.coinbase_script = script;
    opt.coinbase_script_len = script_len;
    opt.now = node_now();
    blvm_chainstate_lock(cs);
    blvm_block_index *tip = blvm_chainstate_tip_locked(cs);
    bool ok = tip && blvm_miner_begin(t, p, &tip->entry, &opt);
    for (size_t i = 0; ok && i < ntx; i++) ok = blvm_miner_append_tx(t, &txs[i]);
    ok = ok && blvm_miner_finish(t);
    blvm_chainstate_unlock(cs);
    if (!ok) blvm_miner_template_clear(t);
    return ok;
}

/* Core's generateBlocks. */
static json_t *generate_blocks(blvm_node *node, blvm_chainstate *cs, const uint8_t *script,
                               size_t script_len, int32_t nblocks, uint64_t max_tries,
                               blvm_rpc_error *err) {
    const blvm_params *p = blvm_chainstate_params(cs);
    json_t *hashes = json_array();
    if (!hashes) return blvm_rpc_fail(err, BLVM_RPC_OUT_OF_MEMORY, "out of memory");
    while (nblocks > 0 && !blvm_node_shutdown_requested(node)) {
        blvm_block_template t;
        if (!build_block(cs, node->config, script, script_len, NULL, 0, &t)) {
            json_decref(hashes);
            return blvm_rpc_fail(err, BLVM_RPC_INTERNAL_ERROR, "Failed to create a block template");
        }
        blvm_grind_result g =
            blvm_miner_grind(&t.block.header, p, &max_tries, shutdown_requested, node);
        if (g == BLVM_GRIND_EXHAUSTED) {
            blvm_miner_template_clear(&t);
            break;
        }
        if (g == BLVM_GRIND_NONCE_WRAPPED) {
            blvm_miner_template_clear(&t);
            continue;
        }
        blvm_process_result res;
        blvm_validation_state st;
        blvm_state_init(&st);
        bool ok = blvm_chainstate_process_block(cs, &t.block, &res, &st);
        uint8_t hash[32];
        blvm_header_hash(&t.block.header, hash);
        blvm_miner_template_clear(&t);
        if (!ok) {
            json_decref(hashes);
            return blvm_rpc_fail(err, BLVM_RPC_INTERNAL_ERROR, "ProcessNewBlock, block not accepted");
        }
        json_array_append_new(hashes, blvm_hash_json(hash));
        nblocks--;
    }
    return hashes;
}

static json_t *rpc_generatetoaddress(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    int32_t nblocks;
    if (!parse_int32(blvm_rpc_arg(params, 0), &nblocks, err)) return NULL;
    uint64_t max_tries = BLVM_MINER_DEFAULT_MAX_TRIES;
    const json_t *mt = blvm_rpc_arg(params, 2);
    if (mt) {
        int32_t v;
        if (!parse_int32(mt, &v, err)) return NULL;
        max_tries = (uint64_t)(int64_t)v; /* Core: getInt<int> into a uint64_t */
    }
    blvm_chainstate *cs = blvm_rpc_chainstate(node, err);
    if (!cs) return NULL;
    uint8_t script[BLVM_ADDRESS_SCRIPT_MAX];
    size_t len;
    char aerr[BLVM_ADDRESS_ERROR_MAX];
    if (!blvm_address_decode(blvm_chainstate_params(cs), json_string_value(blvm_rpc_arg(params, 1)),
                             script, &len, aerr))
        return blvm_rpc_fail(err, BLVM_RPC_INVALID_ADDRESS_OR_KEY, "Error: Invalid address");
    return generate_blocks(node, cs, script, len, nblocks, max_tries, err);
}

static json_t *rpc_generatetodescriptor(blvm_node *node, const json_t *params,
                                        blvm_rpc_error *err) {
    int32_t nblocks;
    if (!parse_int32(blvm_rpc_arg(params, 0), &nblocks, err)) return NULL;
    uint64_t max_tries = BLVM_MINER_DEFAULT_MAX_TRIES;
    const json_t *mt = blvm_rpc_arg(params, 2);
    if (mt) {
        int64_t v;
        if (!blvm_rpc_parse_int(mt, &v, err)) return NULL;
        if (v < 0) return blvm_rpc_fail(err, BLVM_RPC_MISC_ERROR, "JSON integer out of range");
        max_tries = (uint64_t)v;
    }
    blvm_chainstate *cs = blvm_rpc_chainstate(node, err);
    if (!cs) return NULL;
    uint8_t *script = NULL;
    size_t len = 0;
    char derr[BLVM_DESCRIPTOR_ERROR_MAX];
    int r = script_from_descriptor(blvm_chainstate_params(cs),
                                   json_string_value(blvm_rpc_arg(params, 1)), &script, &len, derr,
                                   err);
    if (r < 0) return NULL;
    if (r == 0) return blvm_rpc_fail(err, BLVM_RPC_INVALID_ADDRESS_OR_KEY, "%s", derr);
    json_t *res = generate_blocks(node, cs, script, len, nblocks, max_tries, err);
    free(script);
    return res;
}

static void free_txs(blvm_tx *txs, size_t n) {
    for (size_t i = 0; i < n; i++) blvm_tx_clear(&txs[i]);
    free(txs);
}

static json_t *rpc_generateblock(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    blvm_chainstate *cs = blvm_rpc_chainstate(node, err);
    if (!cs) return NULL;
    const blvm_params *p = blvm_chainstate_params(cs);
    const char *output = json_string_value(blvm_rpc_arg(params, 0));
    uint8_t *script = NULL;
    size_t script_len = 0;
    char derr[BLVM_DESCRIPTOR_ERROR_MAX];
    int r = script_from_descriptor(p, output, &script, &script_len, derr, err);
    if (r < 0) return NULL;
    if (r == 0) {
        uint8_t a[BLVM_ADDRESS_SCRIPT_MAX];
        char aerr[BLVM_ADDRESS_ERROR_MAX];
        if (!blvm_address_decode(p, output, a, &script_len, aerr))
            return blvm_rpc_fail(err, BLVM_RPC_INVALID_ADDRESS_OR_KEY,
                                 "Error: Invalid address or descriptor");
        script = malloc(script_len ? script_len : 1);
        if (!script) return blvm_rpc_fail(err, BLVM_RPC_OUT_OF_MEMORY, "out of memory");
        memcpy(script, a, script_len);
    }

    const json_t *arr = blvm_rpc_arg(params, 1);
    size_t n = arr ? json_array_size(arr) : 0;
    blvm_tx *txs = calloc(n ? n : 1, sizeof *txs);
    json_t *result = NULL;
    size_t decoded = 0;
    if (!txs) {
        free(script);
        return blvm_rpc_fail(err, BLVM_RPC_OUT_OF_MEMORY, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        const char *s = get_str(json_array_get(arr, i), err);
        if (!s) goto out;
        size_t sl = strlen(s);
        uint8_t txid[32];
        /* A txid refers to a mempool transaction (Core's Txid::FromHex:
         * exactly 64 hex digits). */
        if (sl == 64 && blvm_hex_decode_hash(txid, s)) {
            blvm_rpc_fail(err, BLVM_RPC_INVALID_ADDRESS_OR_KEY, "Transaction %s not in mempool.",
                          s);
            goto out;
        }
        /* Core's DecodeHexTx: hex, the whole string one transaction. */
        size_t raw_len = 0;
        uint8_t *raw = blvm_hex_is_valid(s, sl) ? blvm_hex_decode_alloc(s, &raw_len) : NULL;
        bool ok = raw && blvm_tx_decode_bytes(&txs[i], raw, raw_len, true);
        free(raw);
        if (!ok) {
            blvm_rpc_fail(err, BLVM_RPC_DESERIALIZATION_ERROR,
                          "Transaction decode failed for %s. Make sure the tx has at least one "
                          "input.",
                          s);
            goto out;
        }
        decoded = i + 1;
    }
    bool submit = true;
    const json_t *sv = blvm_rpc_arg(params, 2);
    if (sv) submit = json_is_true(sv);

    blvm_block_template t;
    if (!build_block(cs, node->config, script, script_len, txs, n, &t)) {
        blvm_rpc_fail(err, BLVM_RPC_INTERNAL_ERROR, "Failed to create a block template");
        goto out;
    }
    blvm_validation_state st;
    if (!blvm_chainstate_test_block_validity(cs, &t.block, false, false, &st)) {
        char s[sizeof st.reject_reason + sizeof st.debug + 8];
        state_string(&st, s, sizeof s);
        blvm_rpc_fail(err, BLVM_RPC_VERIFY_ERROR, "TestBlockValidity failed: %s", s);
        blvm_miner_template_clear(&t);
        goto out;
    }
    uint64_t tries = BLVM_MINER_DEFAULT_MAX_TRIES;
    blvm_grind_result g = blvm_miner_grind(&t.block.header, p, &tries, shutdown_requested, node);
    if (g != BLVM_GRIND_FOUND) {
        blvm_miner_template_clear(&t);
        blvm_rpc_fail(err, BLVM_RPC_MISC_ERROR, "Failed to make block.");
        goto out;
    }
    uint8_t hash[32];
    blvm_header_hash(&t.block.header, hash);
    if (submit) {
        blvm_process_result res;
        if (!blvm_chainstate_process_block(cs, &t.block, &res, &st)) {
            blvm_miner_template_clear(&t);
            blvm_rpc_fail(err, BLVM_RPC_INTERNAL_ERROR, "ProcessNewBlock, block not accepted");
            goto out;
        }
    }
    result = json_object();
    json_object_set_new(result, "hash", blvm_hash_json(hash));
    if (!submit) {
        blvm_writer w;
        blvm_writer_init(&w);
        blvm_block_encode(&t.block, &w, true);
        json_object_set_new(result, "hex", blvm_hex_json(w.data, w.len));
        blvm_writer_clear(&w);
    }
    blvm_miner_template_clear(&t);
out:
    (void)decoded;
    free_txs(txs, n);
    free(script);
    return result;
}

/* ---- mining ---- */

/* Core's GetNetworkHashPS. */
static json_t *network_hash_ps(blvm_chainstate *cs, int32_t lookup, int32_t height,
                               blvm_rpc_error *err) {
    if (lookup < -1 || lookup == 0)
        return blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER,
                             "Invalid nblocks. Must be a positive number or -1.");
    const blvm_params *p = blvm_chainstate_params(cs);
    blvm_chainstate_lock(cs);
    blvm_block_index *tip = blvm_chainstate_tip_locked(cs);
    int32_t tip_height = tip ? tip->entry.height : -1;
    if (height < -1 || height > tip_height) {
        blvm_chainstate_unlock(cs);
        return blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER,
                             "Block does not exist at specified height");
    }
    const blvm_chain_entry *pb = tip ? &tip->entry : NULL;
    if (height >= 0) pb = &blvm_chainstate_at_height_locked(cs, height)->entry;
    if (!pb || pb->height == 0) {
        blvm_chainstate_unlock(cs);
        return json_integer(0);
    }
    if (lookup == -1)
        lookup = (int32_t)(pb->height % blvm_params_difficulty_adjustment_interval(p) + 1);
    if (lookup > pb->height) lookup = pb->height;
    const blvm_chain_entry *pb0 = pb;
    int64_t min_time = pb0->time, max_time = min_time;
    for (int32_t i = 0; i < lookup; i++) {
        pb0 = pb0->prev;
        int64_t t = pb0->time;
        if (t < min_time) min_time = t;
        if (t > max_time) max_time = t;
    }
    blvm_u256 work;
    blvm_u256_sub(&work, &pb->chain_work, &pb0->chain_work);
    blvm_chainstate_unlock(cs);
    if (min_time == max_time) return json_integer(0);
    return json_real(blvm_u256_to_double(&work) / (double)(max_time - min_time));
}

static json_t *rpc_getnetworkhashps(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    int32_t nblocks = 120, height = -1;
    if (blvm_rpc_arg(params, 0) && !parse_int32(blvm_rpc_arg(params, 0), &nblocks, err))
        return NULL;
    if (blvm_rpc_arg(params, 1) && !parse_int32(blvm_rpc_arg(params, 1), &height, err))
        return NULL;
    blvm_chainstate *cs = blvm_rpc_chainstate(node, err);
    if (!cs) return NULL;
    return network_hash_ps(cs, nblocks, height, err);
}

static json_t *rpc_getmininginfo(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    (void)params;
    blvm_chainstate *cs = blvm_rpc_chainstate(node, err);
    if (!cs) return NULL;
    const blvm_params *p = blvm_chainstate_params(cs);
    blvm_chainstate_lock(cs);
    blvm_block_index *tip = blvm_chainstate_tip_locked(cs);
    int32_t height = tip->entry.height;
    uint32_t bits = tip->entry.bits;
    /* Core's NextEmptyBlockIndex. */
    int64_t t = blvm_miner_minimum_time(p, &tip->entry);
    if (node_now() > t) t = node_now();
    uint32_t next_bits = blvm_pow_next_work_required(&tip->entry, t, p);
    blvm_chainstate_unlock(cs);

    json_t *hps = network_hash_ps(cs, 120, -1, err);
    if (!hps) return NULL;
    json_t *o = json_object();
    json_object_set_new(o, "blocks", json_integer(height));
    uint64_t ntx, weight;
    if (blvm_miner_last_block_stats(&ntx, &weight)) {
        json_object_set_new(o, "currentblockweight", json_integer((json_int_t)weight));
        json_object_set_new(o, "currentblocktx", json_integer((json_int_t)ntx));
    }
    json_object_set_new(o, "bits", blvm_rpc_bits_json(bits));
    json_object_set_new(o, "difficulty", json_real(blvm_pow_difficulty(bits)));
    json_object_set_new(o, "target", blvm_rpc_target_json(bits, p));
    json_object_set_new(o, "networkhashps", hps);
    json_object_set_new(o, "pooledtx", json_integer(0)); /* no mempool yet */
    json_object_set_new(o, "chain", json_string(p->name));
    json_t *next = json_object();
    json_object_set_new(next, "height", json_integer(height + 1));
    json_object_set_new(next, "bits", blvm_rpc_bits_json(next_bits));
    json_object_set_new(next, "difficulty", json_real(blvm_pow_difficulty(next_bits)));
    json_object_set_new(next, "target", blvm_rpc_target_json(next_bits, p));
    json_object_set_new(o, "next", next);
    if (p->signet_blocks)
        json_object_set_new(o, "signet_challenge",
                            blvm_hex_json(p->signet_challenge, p->signet_challenge_len));
    json_object_set_new(o, "warnings", json_array());
    return o;
}

/* getblocktemplate mode "proposal" (BIP23). */
static json_t *gbt_proposal(blvm_chainstate *cs, const json_t *req, blvm_rpc_error *err) {
    const json_t *data = json_object_get(req, "data");
    if (!json_is_string(data))
        return blvm_rpc_fail(err, BLVM_RPC_TYPE_ERROR, "Missing data String key for proposal");
    const char *hex = json_string_value(data);
    size_t len = 0;
    uint8_t *raw =
        blvm_hex_is_valid(hex, json_string_length(data)) ? blvm_hex_decode_alloc(hex, &len) : NULL;
    blvm_block block;
    blvm_block_init(&block);
    blvm_reader r;
    blvm_reader_init(&r, raw, len);
    bool ok = raw && blvm_block_decode(&block, &r);
    free(raw);
    if (!ok) return blvm_rpc_fail(err, BLVM_RPC_DESERIALIZATION_ERROR, "Block decode failed");
    uint8_t hash[32];
    blvm_header_hash(&block.header, hash);
    blvm_chainstate_lock(cs);
    blvm_block_index *known = blvm_chainstate_find_locked(cs, hash);
    const char *dup = NULL;
    if (known) {
        if (blvm_block_index_is_valid(known, BLVM_BLOCK_VALID_SCRIPTS)) dup = "duplicate";
        else if (known->status & BLVM_BLOCK_FAILED_MASK) dup = "duplicate-invalid";
        else dup = "duplicate-inconclusive";
    }
    blvm_chainstate_unlock(cs);
    if (dup) {
        blvm_block_clear(&block);
        return json_string(dup);
    }
    blvm_validation_state st;
    /* A block not on the tip gives "inconclusive-not-best-prevblk". */
    if (blvm_chainstate_test_block_validity(cs, &block, false, true, &st)) blvm_state_init(&st);
    blvm_block_clear(&block);
    return bip22_result(&st, err);
}

static bool has_rule(const json_t *rules, const char *name) {
    size_t i;
    const json_t *v;
    json_array_foreach(rules, i, v) {
        if (json_is_string(v) && strcmp(json_string_value(v), name) == 0) return true;
    }
    return false;
}

static json_t *rpc_getblocktemplate(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    blvm_chainstate *cs = blvm_rpc_chainstate(node, err);
    if (!cs) return NULL;
    const blvm_params *p = blvm_chainstate_params(cs);
    const json_t *req = blvm_rpc_arg(params, 0);
    const char *mode = "template";
    const json_t *lpval = NULL;
    json_t *client_rules = json_array();
    if (req) {
        const json_t *m = json_object_get(req, "mode");
        if (json_is_string(m)) {
            mode = json_string_value(m);
        } else if (m && !json_is_null(m)) {
            json_decref(client_rules);
            return blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER, "Invalid mode");
        }
        lpval = json_object_get(req, "longpollid");
        if (lpval && json_is_null(lpval)) lpval = NULL;
        if (strcmp(mode, "proposal") == 0) {
            json_decref(client_rules);
            return gbt_proposal(cs, req, err);
        }
        const json_t *rules = json_object_get(req, "rules");
        if (json_is_array(rules)) {
            size_t i;
            const json_t *v;
            json_array_foreach(rules, i, v) {
                if (!get_str(v, err)) {
                    json_decref(client_rules);
                    return NULL;
                }
                json_array_append(client_rules, (json_t *)v);
            }
        }
    }
    json_t *fail = NULL;
    if (strcmp(mode, "template") != 0) {
        fail = blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER, "Invalid mode");
        goto done;
    }
    /* Core serves templates without peers only on test networks. */
    if (p->network == BLVM_NET_MAIN) {
        if (!node->connman) {
            blvm_rpc_fail(err, BLVM_RPC_CLIENT_NOT_CONNECTED, "blvm is not connected!");
            goto done;
        }
        if (blvm_chainstate_is_initial_block_download(cs)) {
            blvm_rpc_fail(err, BLVM_RPC_CLIENT_IN_INITIAL_DOWNLOAD,
                          "blvm is in initial sync and waiting for blocks...");
            goto done;
        }
    }
    blvm_tip_info tipinfo;
    blvm_chainstate_tip(cs, &tipinfo);
    if (lpval) {
        /* BIP22 long polling: wait until the tip changes (the mempool part,
         * "<hash><transactions updated>", waits for a mempool). */
        uint8_t watched[32];
        if (json_is_string(lpval)) {
            const char *lp = json_string_value(lpval);
            char head[65];
            snprintf(head, sizeof head, "%s", lp);
            json_t *hv = json_string(head);
            bool ok = blvm_rpc_parse_hash(hv, "longpollid", watched, err);
            json_decref(hv);
            if (!ok) goto done;
        } else {
            memcpy(watched, tipinfo.hash, 32);
        }
        while (!blvm_node_shutdown_requested(node)) {
            if (blvm_chainstate_wait_tip_change(cs, watched, 1000, &tipinfo)) break;
            if (memcmp(tipinfo.hash, watched, 32) != 0) break;
        }
        if (blvm_node_shutdown_requested(node)) {
            blvm_rpc_fail(err, BLVM_RPC_CLIENT_NOT_CONNECTED, "Shutting down");
            goto done;
        }
    }
    if (p->signet_blocks && !has_rule(client_rules, "signet")) {
        blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER,
                      "getblocktemplate must be called with the signet rule set (call with "
                      "{\"rules\": [\"segwit\", \"signet\"]})");
        goto done;
    }
    if (!has_rule(client_rules, "segwit")) {
        blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER,
                      "getblocktemplate must be called with the segwit rule set (call with "
                      "{\"rules\": [\"segwit\"]})");
        goto done;
    }

    /* The template: built on the tip (no mempool yet: coinbase only). The
     * coinbase pays to an empty script; clients build their own. */
    blvm_block_template t;
    blvm_miner_options opt;
    blvm_miner_options_init(&opt);
    char cerr[256];
    if (node->config && !blvm_miner_options_from_config(&opt, node->config, cerr, sizeof cerr)) {
        blvm_rpc_fail(err, BLVM_RPC_INTERNAL_ERROR, "%s", cerr);
        goto done;
    }
    static const uint8_t empty_script[1] = {0};
    opt.coinbase_script = empty_script;
    opt.coinbase_script_len = 0;
    opt.now = node_now();
    blvm_chainstate_lock(cs);
    blvm_block_index *prev = blvm_chainstate_tip_locked(cs);
    bool built = blvm_miner_begin(&t, p, &prev->entry, &opt) && blvm_miner_finish(&t);
    blvm_vb_state vb_state[BLVM_VB_COUNT];
    for (int d = 0; d < BLVM_VB_COUNT; d++)
        vb_state[d] = blvm_vb_state_for(p, (blvm_vb_deployment)d, &prev->entry);
    int32_t next_height = prev->entry.height + 1;
    uint8_t prev_hash[32];
    memcpy(prev_hash, prev->entry.hash, 32);
    blvm_chainstate_unlock(cs);
    if (!built) {
        blvm_miner_template_clear(&t);
        blvm_rpc_fail(err, BLVM_RPC_INTERNAL_ERROR, "Failed to create a block template");
        goto done;
    }
    bool pre_segwit = !blvm_params_deployment_active(p, BLVM_DEPLOYMENT_SEGWIT, next_height);

    json_t *caps = json_array();
    json_array_append_new(caps, json_string("proposal"));

    json_t *transactions = json_array();
    for (size_t i = 1; i < t.block.tx_count; i++) {
        const blvm_tx *tx = &t.block.txs[i];
        json_t *e = json_object();
        blvm_writer w;
        blvm_writer_init(&w);
        blvm_tx_encode(tx, &w, true);
        json_object_set_new(e, "data", blvm_hex_json(w.data, w.len));
        blvm_writer_clear(&w);
        json_object_set_new(e, "txid", blvm_hash_json(tx->txid));
        json_object_set_new(e, "hash", blvm_hash_json(tx->wtxid));
        json_t *deps = json_array();
        for (size_t k = 0; k < tx->vin_count; k++)
            for (size_t j = 1; j < i; j++)
                if (memcmp(t.block.txs[j].txid, tx->vin[k].prevout.hash, 32) == 0)
                    json_array_append_new(deps, json_integer((json_int_t)j));
        json_object_set_new(e, "depends", deps);
        json_object_set_new(e, "fee", json_integer(t.fees[i]));
        int64_t sigops = t.sigop_costs[i];
        if (pre_segwit) sigops /= BLVM_WITNESS_SCALE_FACTOR;
        json_object_set_new(e, "sigops", json_integer(sigops));
        json_object_set_new(e, "weight", json_integer((json_int_t)blvm_tx_weight(tx)));
        json_array_append_new(transactions, e);
    }

    /* Rules and version bits (BIP9's getblocktemplate changes). */
    int32_t version = t.block.header.version;
    json_t *rules = json_array();
    json_array_append_new(rules, json_string("csv"));
    if (!pre_segwit) json_array_append_new(rules, json_string("!segwit"));
    if (p->signet_blocks) json_array_append_new(rules, json_string("!signet"));
    json_t *vbavailable = json_object();
    for (int d = 0; d < BLVM_VB_COUNT; d++) {
        blvm_vb_params vp;
        if (!blvm_vb_get_params(p, (blvm_vb_deployment)d, &vp)) continue;
        char name[64];
        snprintf(name, sizeof name, "%s%s", vp.gbt_optional_rule ? "" : "!", vp.name);
        switch (vb_state[d]) {
        case BLVM_VB_DEFINED:
        case BLVM_VB_FAILED:
            break;
        case BLVM_VB_LOCKED_IN:
            version |= (int32_t)(1u << vp.bit);
            /* fall through */
        case BLVM_VB_STARTED:
            json_object_set_new(vbavailable, name, json_integer(vp.bit));
            /* A client that does not know a required rule gets a version
             * that does not signal it. */
            if (!has_rule(client_rules, vp.name) && !vp.gbt_optional_rule)
                version &= ~(int32_t)(1u << vp.bit);
            break;
        case BLVM_VB_ACTIVE:
            json_array_append_new(rules, json_string(name));
            if (!has_rule(client_rules, vp.name) && !vp.gbt_optional_rule) {
                blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER,
                              "Support for '%s' rule requires explicit client support", vp.name);
                json_decref(caps);
                json_decref(transactions);
                json_decref(rules);
                json_decref(vbavailable);
                blvm_miner_template_clear(&t);
                goto done;
            }
            break;
        }
    }

    json_t *mut = json_array();
    json_array_append_new(mut, json_string("time"));
    json_array_append_new(mut, json_string("transactions"));
    json_array_append_new(mut, json_string("prevblock"));
    int64_t sigop_limit = BLVM_MAX_BLOCK_SIGOPS_COST, size_limit = BLVM_MAX_BLOCK_SERIALIZED_SIZE;
    if (pre_segwit) {
        sigop_limit /= BLVM_WITNESS_SCALE_FACTOR;
        size_limit /= BLVM_WITNESS_SCALE_FACTOR;
    }
    char hash_hex[65];
    blvm_hex_encode_reversed(hash_hex, prev_hash, 32);
    char longpollid[96];
    snprintf(longpollid, sizeof longpollid, "%s%u", hash_hex, 0u /* mempool updates */);

    json_t *o = json_object();
    json_object_set_new(o, "capabilities", caps);
    json_object_set_new(o, "version", json_integer(version));
    json_object_set_new(o, "rules", rules);
    json_object_set_new(o, "vbavailable", vbavailable);
    json_object_set_new(o, "vbrequired", json_integer(0));
    json_object_set_new(o, "previousblockhash", json_string(hash_hex));
    json_object_set_new(o, "transactions", transactions);
    json_object_set_new(o, "coinbaseaux", json_object());
    json_object_set_new(o, "coinbasevalue", json_integer(t.block.txs[0].vout[0].value));
    json_object_set_new(o, "longpollid", json_string(longpollid));
    json_object_set_new(o, "target", blvm_rpc_target_json(t.block.header.bits, p));
    json_object_set_new(o, "mintime", json_integer(t.min_time));
    json_object_set_new(o, "mutable", mut);
    json_object_set_new(o, "noncerange", json_string("00000000ffffffff"));
    json_object_set_new(o, "sigoplimit", json_integer(sigop_limit));
    json_object_set_new(o, "sizelimit", json_integer(size_limit));
    if (!pre_segwit) json_object_set_new(o, "weightlimit", json_integer(BLVM_MAX_BLOCK_WEIGHT));
    json_object_set_new(o, "curtime", json_integer(t.block.header.time));
    json_object_set_new(o, "bits", blvm_rpc_bits_json(t.block.header.bits));
    json_object_set_new(o, "height", json_integer(t.height));
    if (p->signet_blocks)
        json_object_set_new(o, "signet_challenge",
                            blvm_hex_json(p->signet_challenge, p->signet_challenge_len));
    if (t.commitment_len)
        json_object_set_new(o, "default_witness_commitment",
                            blvm_hex_json(t.commitment, t.commitment_len));
    blvm_miner_template_clear(&t);
    json_decref(client_rules);
    return o;
done:
    json_decref(client_rules);
    return fail;
}

/* Decodes a block the way Core's DecodeHexBlk does: hex, then one block
 * from the front (bytes after it are ignored). */
static bool decode_hex_block(const char *hex, size_t n, blvm_block *b) {
    blvm_block_init(b);
    if (!blvm_hex_is_valid(hex, n)) return false;
    size_t len;
    uint8_t *raw = blvm_hex_decode_alloc(hex, &len);
    if (!raw) return false;
    blvm_reader r;
    blvm_reader_init(&r, raw, len);
    bool ok = blvm_block_decode(b, &r);
    free(raw);
    return ok;
}

static json_t *rpc_submitblock(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    const json_t *hv = blvm_rpc_arg(params, 0);
    blvm_block block;
    if (!decode_hex_block(json_string_value(hv), json_string_length(hv), &block))
        return blvm_rpc_fail(err, BLVM_RPC_DESERIALIZATION_ERROR, "Block decode failed");
    if (block.tx_count == 0 || !blvm_tx_is_coinbase(&block.txs[0])) {
        blvm_block_clear(&block);
        return blvm_rpc_fail(err, BLVM_RPC_DESERIALIZATION_ERROR,
                             "Block does not start with a coinbase");
    }
    blvm_chainstate *cs = blvm_rpc_chainstate(node, err);
    if (!cs) {
        blvm_block_clear(&block);
        return NULL;
    }
    /* Core's UpdateUncommittedBlockStructures: a pool that left out the
     * witness reserved value gets it added. */
    blvm_chainstate_lock(cs);
    blvm_block_index *prev = blvm_chainstate_find_locked(cs, block.header.prev_hash);
    int32_t height = prev ? prev->entry.height + 1 : -1;
    blvm_chainstate_unlock(cs);
    if (prev && !blvm_miner_update_uncommitted(&block, blvm_chainstate_params(cs), height)) {
        blvm_block_clear(&block);
        return blvm_rpc_fail(err, BLVM_RPC_OUT_OF_MEMORY, "out of memory");
    }
    blvm_writer w;
    blvm_writer_init(&w);
    blvm_block_encode(&block, &w, true);
    blvm_block_clear(&block);
    if (w.err) {
        blvm_writer_clear(&w);
        return blvm_rpc_fail(err, BLVM_RPC_OUT_OF_MEMORY, "out of memory");
    }
    char buf[256]; /* a whole reject reason */
    const char *res = blvm_chainstate_submitblock(cs, w.data, w.len, buf, sizeof buf);
    blvm_writer_clear(&w);
    return res ? json_string(res) : json_null();
}

static json_t *rpc_submitheader(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    const json_t *hv = blvm_rpc_arg(params, 0);
    const char *hex = json_string_value(hv);
    size_t n = json_string_length(hv);
    blvm_block_header h;
    bool ok = false;
    if (blvm_hex_is_valid(hex, n)) {
        size_t len;
        uint8_t *raw = blvm_hex_decode_alloc(hex, &len);
        if (raw) {
            blvm_reader r;
            blvm_reader_init(&r, raw, len);
            ok = blvm_header_decode(&h, &r);
            free(raw);
        }
    }
    if (!ok) return blvm_rpc_fail(err, BLVM_RPC_DESERIALIZATION_ERROR, "Block header decode failed");
    blvm_chainstate *cs = blvm_rpc_chainstate(node, err);
    if (!cs) return NULL;
    blvm_chainstate_lock(cs);
    bool have_prev = blvm_chainstate_find_locked(cs, h.prev_hash) != NULL;
    blvm_chainstate_unlock(cs);
    if (!have_prev) {
        char ph[65];
        blvm_hex_encode_reversed(ph, h.prev_hash, 32);
        return blvm_rpc_fail(err, BLVM_RPC_VERIFY_ERROR, "Must submit previous header (%s) first",
                             ph);
    }
    blvm_validation_state st;
    if (blvm_chainstate_process_header(cs, &h, &st) && blvm_state_is_valid(&st)) return json_null();
    if (st.mode == BLVM_STATE_ERROR) {
        char s[sizeof st.reject_reason + sizeof st.debug + 8];
        state_string(&st, s, sizeof s);
        return blvm_rpc_fail(err, BLVM_RPC_VERIFY_ERROR, "%s", s);
    }
    return blvm_rpc_fail(err, BLVM_RPC_VERIFY_ERROR, "%s", st.reject_reason);
}

/* ---- the table ---- */

static const blvm_rpc_command mining_commands[] = {
    {"mining", "getnetworkhashps", rpc_getnetworkhashps,
     {BLVM_RPC_OPT("nblocks", BLVM_RPC_NUM), BLVM_RPC_OPT("height", BLVM_RPC_NUM)},
     "Returns the estimated network hashes per second based on the last n blocks.\n"
     "Pass in [blocks] to override # of blocks, -1 specifies since last difficulty change.\n"
     "Pass in [height] to estimate the network speed at the time when a certain block was "
     "found.\n"
     "\n"
     "Arguments:\n"
     "1. nblocks    (numeric, optional, default=120) The number of previous blocks to calculate "
     "estimate from, or -1 for blocks since last difficulty change.\n"
     "2. height     (numeric, optional, default=-1) To estimate at the time of the given height.\n"
     "\n"
     "Result:\n"
     "n    (numeric) Hashes per second estimated\n"
     "\n"
     "Examples:\n"
     "> blvm-cli getnetworkhashps \n"},
    {"mining", "getmininginfo", rpc_getmininginfo, BLVM_RPC_NO_PARAMS,
     "Returns a json object containing mining-related information.\n"
     "\n"
     "Result:\n"
     "{                                (json object)\n"
     "  \"blocks\" : n,                  (numeric) The current block\n"
     "  \"currentblockweight\" : n,      (numeric, optional) The block weight (including "
     "reserved weight for block header, txs count and coinbase tx) of the last assembled block "
     "(only present if a block was ever assembled)\n"
     "  \"currentblocktx\" : n,          (numeric, optional) The number of block transactions "
     "(excluding coinbase) of the last assembled block (only present if a block was ever "
     "assembled)\n"
     "  \"bits\" : \"hex\",                (string) The current nBits, compact representation "
     "of the block difficulty target\n"
     "  \"difficulty\" : n,              (numeric) The current difficulty\n"
     "  \"target\" : \"hex\",              (string) The current target\n"
     "  \"networkhashps\" : n,           (numeric) The network hashes per second\n"
     "  \"pooledtx\" : n,                (numeric) The size of the mempool\n"
     "  \"chain\" : \"str\",               (string) current network name (main, test, "
     "testnet4, signet, regtest)\n"
     "  \"signet_challenge\" : \"hex\",    (string, optional) The block challenge (aka. block "
     "script), in hexadecimal (only present if the current network is a signet)\n"
     "  \"next\" : {                     (json object) The next block\n"
     "    \"height\" : n,                 (numeric) The next height\n"
     "    \"bits\" : \"hex\",               (string) The next target nBits\n"
     "    \"difficulty\" : n,             (numeric) The next difficulty\n"
     "    \"target\" : \"hex\"              (string) The next target\n"
     "  },\n"
     "  \"warnings\" : [                 (json array) any network and blockchain warnings\n"
     "    \"str\",                        (string) warning\n"
     "    ...\n"
     "  ]\n"
     "}\n"
     "\n"
     "Examples:\n"
     "> blvm-cli getmininginfo \n"},
    {"mining", "getblocktemplate", rpc_getblocktemplate,
     {BLVM_RPC_REQ("template_request", BLVM_RPC_OBJ)},
     "If the request parameters include a 'mode' key, that is used to explicitly select between "
     "the default 'template' request or a 'proposal'.\n"
     "It returns data needed to construct a block to work on.\n"
     "For full specification, see BIPs 22, 23, 9, and 145:\n"
     "    https://github.com/bitcoin/bips/blob/master/bip-0022.mediawiki\n"
     "    https://github.com/bitcoin/bips/blob/master/bip-0023.mediawiki\n"
     "    https://github.com/bitcoin/bips/blob/master/bip-0009.mediawiki#getblocktemplate_changes\n"
     "    https://github.com/bitcoin/bips/blob/master/bip-0145.mediawiki\n"
     "\n"
     "Arguments:\n"
     "1. template_request         (json object, required) Format of the template\n"
     "     {\n"
     "       \"mode\": \"str\",       (string, optional) This must be set to \"template\", "
     "\"proposal\" (see BIP 23), or omitted\n"
     "       \"capabilities\": [    (json array, optional) A list of strings\n"
     "         \"str\",             (string) client side supported feature, 'longpoll', "
     "'coinbasevalue', 'proposal', 'serverlist', 'workid'\n"
     "         ...\n"
     "       ],\n"
     "       \"rules\": [           (json array, required) A list of strings\n"
     "         \"segwit\",          (string, required) (literal) indicates client side segwit "
     "support\n"
     "         \"str\",             (string) other client side supported softfork deployment\n"
     "         ...\n"
     "       ],\n"
     "       \"longpollid\": \"str\", (string, optional) delay processing request until the "
     "result would vary significantly from the \"longpollid\" of a prior template\n"
     "       \"data\": \"hex\",       (string, optional) proposed block data to check, encoded "
     "in hexadecimal; valid only for mode=\"proposal\"\n"
     "     }\n"
     "\n"
     "Result (If the proposal was accepted with mode=='proposal'):\n"
     "null    (json null)\n"
     "\n"
     "Result (If the proposal was not accepted with mode=='proposal'):\n"
     "\"str\"    (string) According to BIP22\n"
     "\n"
     "Result (Otherwise):\n"
     "{  version, rules, vbavailable, capabilities, vbrequired, previousblockhash, "
     "transactions, coinbaseaux, coinbasevalue, longpollid, target, mintime, mutable, "
     "noncerange, sigoplimit, sizelimit, weightlimit, curtime, bits, height, "
     "signet_challenge (signet only), default_witness_commitment }\n"
     "\n"
     "Examples:\n"
     "> blvm-cli getblocktemplate '{\"rules\": [\"segwit\"]}'\n"},
    {"mining", "submitblock", rpc_submitblock,
     {BLVM_RPC_REQ("hexdata", BLVM_RPC_STR), BLVM_RPC_OPT("dummy", BLVM_RPC_STR)},
     "Attempts to submit new block to network.\n"
     "See https://en.bitcoin.it/wiki/BIP_0022 for full specification.\n"
     "\n"
     "Arguments:\n"
     "1. hexdata    (string, required) the hex-encoded block data to submit\n"
     "2. dummy      (string, optional, default=ignored) dummy value, for compatibility with "
     "BIP22. This value is ignored.\n"
     "\n"
     "Result (If the block was accepted):\n"
     "null    (json null)\n"
     "\n"
     "Result (Otherwise):\n"
     "\"str\"    (string) According to BIP22\n"
     "\n"
     "Examples:\n"
     "> blvm-cli submitblock \"mydata\"\n"},
    {"mining", "submitheader", rpc_submitheader, {BLVM_RPC_REQ("hexdata", BLVM_RPC_STR)},
     "Decode the given hexdata as a header and submit it as a candidate chain tip if valid.\n"
     "Throws when the header is invalid.\n"
     "\n"
     "Arguments:\n"
     "1. hexdata    (string, required) the hex-encoded block header data\n"
     "\n"
     "Result:\n"
     "null    (json null) None\n"
     "\n"
     "Examples:\n"
     "> blvm-cli submitheader \"aabbcc\"\n"},
    {"hidden", "generatetoaddress", rpc_generatetoaddress,
     {BLVM_RPC_REQ("nblocks", BLVM_RPC_NUM), BLVM_RPC_REQ("address", BLVM_RPC_STR),
      BLVM_RPC_OPT("maxtries", BLVM_RPC_NUM)},
     "Mine to a specified address and return the block hashes.\n"
     "\n"
     "Arguments:\n"
     "1. nblocks     (numeric, required) How many blocks are generated.\n"
     "2. address     (string, required) The address to send the newly generated bitcoin to.\n"
     "3. maxtries    (numeric, optional, default=1000000) How many iterations to try.\n"
     "\n"
     "Result:\n"
     "[           (json array) hashes of blocks generated\n"
     "  \"hex\",    (string) blockhash\n"
     "  ...\n"
     "]\n"
     "\n"
     "Examples:\n"
     "\n"
     "Generate 11 blocks to myaddress\n"
     "> blvm-cli generatetoaddress 11 \"myaddress\"\n"},
    {"hidden", "generatetodescriptor", rpc_generatetodescriptor,
     {BLVM_RPC_REQ("num_blocks", BLVM_RPC_NUM), BLVM_RPC_REQ("descriptor", BLVM_RPC_STR),
      BLVM_RPC_OPT("maxtries", BLVM_RPC_NUM)},
     "Mine to a specified descriptor and return the block hashes.\n"
     "\n"
     "Arguments:\n"
     "1. num_blocks    (numeric, required) How many blocks are generated.\n"
     "2. descriptor    (string, required) The descriptor to send the newly generated bitcoin "
     "to.\n"
     "3. maxtries      (numeric, optional, default=1000000) How many iterations to try.\n"
     "\n"
     "Result:\n"
     "[           (json array) hashes of blocks generated\n"
     "  \"hex\",    (string) blockhash\n"
     "  ...\n"
     "]\n"
     "\n"
     "Examples:\n"
     "\n"
     "Generate 11 blocks to mydesc\n"
     "> blvm-cli generatetodescriptor 11 \"mydesc\"\n"},
    {"hidden", "generateblock", rpc_generateblock,
     {BLVM_RPC_REQ("output", BLVM_RPC_STR), BLVM_RPC_REQ("transactions", BLVM_RPC_ARR),
      BLVM_RPC_OPT("submit", BLVM_RPC_BOOL)},
     "Mine a set of ordered transactions to a specified address or descriptor and return the "
     "block hash.\n"
     "\n"
     "Arguments:\n"
     "1. output               (string, required) The address or descriptor to send the newly "
     "generated bitcoin to.\n"
     "2. transactions         (json array, required) An array of hex strings which are either "
     "txids or raw transactions.\n"
     "                        Txids must reference transactions currently in the mempool.\n"
     "                        All transactions must be valid and in valid order, otherwise the "
     "block will be rejected.\n"
     "     [\n"
     "       \"rawtx/txid\",    (string)\n"
     "       ...\n"
     "     ]\n"
     "3. submit               (boolean, optional, default=true) Whether to submit the block "
     "before the RPC call returns or to return it as hex.\n"
     "\n"
     "Result:\n"
     "{                    (json object)\n"
     "  \"hash\" : \"hex\",    (string) hash of generated block\n"
     "  \"hex\" : \"hex\"      (string, optional) hex of generated block, only present when "
     "submit=false\n"
     "}\n"
     "\n"
     "Examples:\n"
     "\n"
     "Generate a block to myaddress, with txs rawtx and mempool_txid\n"
     "> blvm-cli generateblock \"myaddress\" '[\"rawtx\", \"mempool_txid\"]'\n"},
};

bool blvm_rpc_register_mining(blvm_rpc_table *t) {
    return blvm_rpc_table_register(t, mining_commands, BLVM_ARRAY_LEN(mining_commands));
}
