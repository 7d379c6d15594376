/* The Blockchain RPC methods, with Bitcoin Core 29's fields, order and
 * errors: getblockchaininfo, getblockcount, getbestblockhash, getblockhash,
 * getblock, getblockheader, getchaintips, getdifficulty, getchaintxstats,
 * getblockstats, gettxout, gettxoutsetinfo, verifychain, invalidateblock,
 * reconsiderblock, preciousblock, pruneblockchain, waitfornewblock,
 * waitforblock, waitforblockheight. Handlers parse, ask the chainstate,
 * format: the rules live in src/node and src/consensus. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "consensus/chain_rules.h"
#include "consensus/pow.h"
#include "consensus/script.h"
#include "node/config.h"
#include "node/rpc/areas.h"
#include "node/rpc/blockchain_util.h"
#include "node/rpc/tx_json.h"
#include "node/utxo_stats.h"
#include "util/hex.h"

blvm_chainstate *blvm_rpc_chainstate(blvm_node *node, blvm_rpc_error *err) {
    if (!node->chainstate) {
        blvm_rpc_fail(err, BLVM_RPC_IN_WARMUP, "Loading block index...");
        return NULL;
    }
    return node->chainstate;
}

const blvm_params *blvm_rpc_params(const blvm_node *node) {
    if (node->chainstate) return blvm_chainstate_params(node->chainstate);
    if (node->config)
        return blvm_params_by_name(
            blvm_config_network_name(blvm_config_get_network(node->config)));
    return blvm_params_get(BLVM_NET_MAIN);
}

json_t *blvm_rpc_bits_json(uint32_t bits) {
    char s[9];
    snprintf(s, sizeof s, "%08x", bits);
    return json_string(s);
}

json_t *blvm_rpc_target_json(uint32_t bits, const blvm_params *p) {
    blvm_u256 target;
    char hex[65];
    if (!blvm_pow_derive_target(&target, bits, p)) blvm_u256_set_zero(&target);
    blvm_u256_to_hex(&target, hex);
    return json_string(hex);
}

static json_t *work_json(const blvm_u256 *w) {
    char hex[65];
    blvm_u256_to_hex(w, hex);
    return json_string(hex);
}

json_t *blvm_rpc_header_json(blvm_chainstate *cs, blvm_block_index *b) {
    const blvm_params *p = blvm_chainstate_params(cs);
    blvm_block_index *tip = blvm_chainstate_tip_locked(cs);
    bool active = blvm_chainstate_in_active_chain_locked(cs, b);
    int confirmations = active ? tip->entry.height - b->entry.height + 1 : -1;
    blvm_block_index *next =
        active && b != tip ? blvm_chainstate_at_height_locked(cs, b->entry.height + 1) : NULL;
    char version_hex[9];
    snprintf(version_hex, sizeof version_hex, "%08x", (uint32_t)b->entry.version);
    json_t *o = json_object();
    json_object_set_new(o, "hash", blvm_hash_json(b->entry.hash));
    json_object_set_new(o, "confirmations", json_integer(confirmations));
    json_object_set_new(o, "height", json_integer(b->entry.height));
    json_object_set_new(o, "version", json_integer(b->entry.version));
    json_object_set_new(o, "versionHex", json_string(version_hex));
    json_object_set_new(o, "merkleroot", blvm_hash_json(b->merkle_root));
    json_object_set_new(o, "time", json_integer(b->entry.time));
    json_object_set_new(o, "mediantime", json_integer(blvm_chain_entry_median_time_past(&b->entry)));
    json_object_set_new(o, "nonce", json_integer(b->nonce));
    json_object_set_new(o, "bits", blvm_rpc_bits_json(b->entry.bits));
    json_object_set_new(o, "target", blvm_rpc_target_json(b->entry.bits, p));
    json_object_set_new(o, "difficulty", json_real(blvm_pow_difficulty(b->entry.bits)));
    json_object_set_new(o, "chainwork", work_json(&b->entry.chain_work));
    json_object_set_new(o, "nTx", json_integer(b->tx_count));
    if (b->entry.prev) json_object_set_new(o, "previousblockhash", blvm_hash_json(b->entry.prev->hash));
    if (next) json_object_set_new(o, "nextblockhash", blvm_hash_json(next->entry.hash));
    return o;
}

bool blvm_rpc_read_block(blvm_chainstate *cs, blvm_block_index *b, blvm_block *out,
                         uint8_t **raw, size_t *raw_len, blvm_rpc_error *err) {
    uint8_t *data = NULL;
    size_t len = 0;
    blvm_chainstate_lock(cs);
    bool have = (b->status & BLVM_BLOCK_HAVE_DATA) != 0;
    bool pruned = !have && blvm_chainstate_is_pruned(cs) && b->tx_count > 0;
    blvm_chainstate_unlock(cs);
    if (pruned) {
        blvm_rpc_fail(err, BLVM_RPC_MISC_ERROR, "Block not available (pruned data)");
        return false;
    }
    if (!have) {
        /* A header accepted by submitheader, without its block. */
        blvm_rpc_fail(err, BLVM_RPC_MISC_ERROR, "Block not available (not fully downloaded)");
        return false;
    }
    if (!blvm_chainstate_read_block(cs, b, &data, &len)) {
        blvm_rpc_fail(err, BLVM_RPC_MISC_ERROR, "Block not found on disk");
        return false;
    }
    if (out) {
        blvm_block_init(out);
        if (!blvm_block_decode_bytes(out, data, len)) {
            free(data);
            blvm_rpc_fail(err, BLVM_RPC_MISC_ERROR, "Block not found on disk");
            return false;
        }
    }
    if (raw) {
        *raw = data;
        *raw_len = len;
    } else {
        free(data);
    }
    return true;
}

/* Looks up a block by the hash parameter: -5 "Block not found". */
static blvm_block_index *find_block_locked(blvm_chainstate *cs, const json_t *param,
                                           const char *name, blvm_rpc_error *err) {
    uint8_t hash[32];
    if (!blvm_rpc_parse_hash(param, name, hash, err)) return NULL;
    blvm_block_index *b = blvm_chainstate_find_locked(cs, hash);
    if (!b) blvm_rpc_fail(err, BLVM_RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
    return b;
}

/* Core's ParseHashOrHeight. */
static blvm_block_index *find_hash_or_height_locked(blvm_chainstate *cs, const json_t *param,
                                                    blvm_rpc_error *err) {
    if (json_is_number(param)) {
        int32_t h;
        if (!blvm_rpc_parse_int32(param, &h, err)) return NULL;
        int32_t tip = blvm_chainstate_tip_locked(cs)->entry.height;
        if (h < 0) {
            blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER, "Target block height %d is negative", h);
            return NULL;
        }
        if (h > tip) {
            blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER,
                          "Target block height %d after current tip %d", h, tip);
            return NULL;
        }
        return blvm_chainstate_at_height_locked(cs, h);
    }
    return find_block_locked(cs, param, "hash_or_height", err);
}

/* ---- simple queries ---- */

static json_t *rpc_getblockcount(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    (void)params;
    blvm_chainstate *cs = blvm_rpc_chainstate(node, err);
    if (!cs) return NULL;
    blvm_tip_info tip;
    blvm_chainstate_tip(cs, &tip);
    return json_integer(tip.height);
}

static json_t *rpc_getbestblockhash(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    (void)params;
    blvm_chainstate *cs = blvm_rpc_chainstate(node, err);
    if (!cs) return NULL;
    blvm_tip_info tip;
    blvm_chainstate_tip(cs, &tip);
    return blvm_hash_json(tip.hash);
}

static json_t *rpc_getblockhash(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    blvm_chainstate *cs = blvm_rpc_chainstate(node, err);
    if (!cs) return NULL;
    int32_t h;
    if (!blvm_rpc_parse_int32(blvm_rpc_arg(params, 0), &h, err)) return NULL;
    uint8_t hash[32];
    if (h < 0 || !blvm_chainstate_hash_at_height(cs, h, hash))
        return blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER, "Block height out of range");
    return blvm_hash_json(hash);
}

static json_t *rpc_getdifficulty(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    (void)params;
    blvm_chainstate *cs = blvm_rpc_chainstate(node, err);
    if (!cs) return NULL;
    blvm_tip_info tip;
    blvm_chainstate_tip(cs, &tip);
    return json_real(blvm_pow_difficulty(tip.bits));
}

static json_t *rpc_getblockchaininfo(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    (void)params;
    blvm_chainstate *cs = blvm_rpc_chainstate(node, err);
    if (!cs) return NULL;
    const blvm_params *p = blvm_chainstate_params(cs);
    blvm_tip_info tip;
    blvm_chainstate_tip(cs, &tip);
    blvm_chainstate_lock(cs);
    blvm_block_index *best = blvm_chainstate_best_header_locked(cs);
    int32_t headers = best ? best->entry.height : -1;
    int32_t prune_height = blvm_chainstate_prune_height_locked(cs);
    blvm_chainstate_unlock(cs);
    bool pruned = blvm_chainstate_is_pruned(cs);
    json_t *o = json_object();
    json_object_set_new(o, "chain", json_string(p->name));
    json_object_set_new(o, "blocks", json_integer(tip.height));
    json_object_set_new(o, "headers", json_integer(headers));
    json_object_set_new(o, "bestblockhash", blvm_hash_json(tip.hash));
    json_object_set_new(o, "bits", blvm_rpc_bits_json(tip.bits));
    json_object_set_new(o, "target", blvm_rpc_target_json(tip.bits, p));
    json_object_set_new(o, "difficulty", json_real(blvm_pow_difficulty(tip.bits)));
    json_object_set_new(o, "time", json_integer(tip.time));
    json_object_set_new(o, "mediantime", json_integer(tip.median_time_past));
    json_object_set_new(o, "verificationprogress", json_real(blvm_guess_verification_progress(p, tip.chain_tx, tip.time, (int64_t)time(NULL))));
    json_object_set_new(o, "initialblockdownload",
                        json_boolean(blvm_chainstate_is_initial_block_download(cs)));
    json_object_set_new(o, "chainwork", work_json(&tip.chain_work));
    /* Core's CalculateCurrentUsage: the bytes of block and undo records
     * (not the preallocated file size). */
    blvm_chainstate_stats stats;
    blvm_chainstate_get_stats(cs, &stats);
    json_object_set_new(o, "size_on_disk", json_integer((json_int_t)stats.size_on_disk));
    json_object_set_new(o, "pruned", json_boolean(pruned));
    if (pruned) {
        int64_t target_mib = node->config ? blvm_config_get_int(node->config, "prune", 0) : 0;
        json_object_set_new(o, "pruneheight", json_integer(prune_height));
        json_object_set_new(o, "automatic_pruning", json_boolean(target_mib > 1));
        if (target_mib > 1)
            json_object_set_new(o, "prune_target_size",
                                json_integer((json_int_t)(target_mib * 1024 * 1024)));
    }
    if (p->signet_blocks)
        json_object_set_new(o, "signet_challenge",
                            blvm_hex_json(p->signet_challenge, p->signet_challenge_len));
    json_object_set_new(o, "warnings", json_array());
    return o;
}

/* ---- blocks ---- */

static json_t *rpc_getblockheader(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    blvm_chainstate *cs = blvm_rpc_chainstate(node, err);
    if (!cs) return NULL;
    const json_t *verbose = blvm_rpc_arg(params, 1);
    blvm_chainstate_lock(cs);
    blvm_block_index *b = find_block_locked(cs, blvm_rpc_arg(params, 0), "hash", err);
    json_t *res = NULL;
    if (b && verbose && json_is_false(verbose)) {
        uint8_t raw[BLVM_HEADER_SIZE];
        blvm_block_header h;
        blvm_block_index_header(b, &h);
        blvm_header_encode(&h, raw);
        res = blvm_hex_json(raw, sizeof raw);
    } else if (b) {
        res = blvm_rpc_header_json(cs, b);
    }
    blvm_chainstate_unlock(cs);
    return res;
}

/* Core's getblock verbosity: a number, or a bool (true = 1). */
static bool parse_verbosity(const json_t *v, int def, int *out, blvm_rpc_error *err) {
    if (!v) {
        *out = def;
        return true;
    }
    if (json_is_boolean(v)) {
        *out = json_is_true(v) ? 1 : 0;
        return true;
    }
    int32_t n;
    if (!blvm_rpc_parse_int32(v, &n, err)) return false;
    *out = n < 0 ? 0 : n > 3 ? 3 : (int)n;
    return true;
}

static json_t *rpc_getblock(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    blvm_chainstate *cs = blvm_rpc_chainstate(node, err);
    if (!cs) return NULL;
    int verbosity;
    if (!parse_verbosity(blvm_rpc_arg(params, 1), 1, &verbosity, err)) return NULL;
    blvm_chainstate_lock(cs);
    blvm_block_index *b = find_block_locked(cs, blvm_rpc_arg(params, 0), "blockhash", err);
    blvm_chainstate_unlock(cs);
    if (!b) return NULL;

    blvm_block block;
    uint8_t *raw = NULL;
    size_t raw_len = 0;
    if (!blvm_rpc_read_block(cs, b, verbosity > 0 ? &block : NULL, &raw, &raw_len, err))
        return NULL;
    if (verbosity == 0) {
        json_t *hex = blvm_hex_json(raw, raw_len);
        free(raw);
        return hex;
    }
    free(raw);
    const blvm_params *p = blvm_chainstate_params(cs);
    blvm_block_undo undo;
    blvm_block_undo_init(&undo);
    bool have_undo = verbosity >= 2 && b->entry.height > 0 && blvm_chainstate_read_undo(cs, b, &undo) &&
                     undo.count + 1 == block.tx_count;

    blvm_chainstate_lock(cs);
    json_t *o = blvm_rpc_header_json(cs, b);
    blvm_chainstate_unlock(cs);
    json_object_set_new(o, "strippedsize", json_integer((json_int_t)blvm_block_size(&block, false)));
    json_object_set_new(o, "size", json_integer((json_int_t)blvm_block_size(&block, true)));
    json_object_set_new(o, "weight", json_integer((json_int_t)blvm_block_weight(&block)));
    json_t *txs = json_array();
    for (size_t i = 0; i < block.tx_count; i++) {
        if (verbosity == 1) {
            json_array_append_new(txs, blvm_hash_json(block.txs[i].txid));
        } else {
            const blvm_tx_undo *tu = have_undo && i > 0 ? &undo.txs[i - 1] : NULL;
            json_array_append_new(
                txs, blvm_tx_json(p, &block.txs[i], NULL, true, tu,
                                  verbosity >= 3 ? BLVM_TX_JSON_DETAILS_AND_PREVOUT
                                                 : BLVM_TX_JSON_DETAILS));
        }
    }
    /* Core puts "tx" after the sizes and before nothing else. */
    json_object_set_new(o, "tx", txs);
    blvm_block_undo_clear(&undo);
    blvm_block_clear(&block);
    return o;
}

/* ---- chain tips and statistics ---- */

typedef struct {
    blvm_block_index **v;
    size_t n, cap;
} index_list;

static bool list_push(index_list *l, blvm_block_index *b) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        blvm_block_index **v = realloc(l->v, cap * sizeof *v);
        if (!v) return false;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = b;
    return true;
}

typedef struct {
    blvm_chainstate *cs;
    index_list off_chain; /* entries not in the active chain */
    index_list parents;   /* their parents */
    bool oom;
} tips_ctx;

static bool collect_off_chain(void *arg, blvm_block_index *b) {
    tips_ctx *c = arg;
    if (blvm_chainstate_in_active_chain_locked(c->cs, b)) return true;
    if (!list_push(&c->off_chain, b) ||
        (b->entry.prev && !list_push(&c->parents, blvm_block_index_prev(b)))) {
        c->oom = true;
        return false;
    }
    return true;
}

static int by_pointer(const void *a, const void *b) {
    uintptr_t x = (uintptr_t) * (blvm_block_index *const *)a;
    uintptr_t y = (uintptr_t) * (blvm_block_index *const *)b;
    return x < y ? -1 : x > y;
}

/* Core's CompareBlocksByHeight: highest first; ties by hash for a stable
 * order. */
static int by_height_desc(const void *a, const void *b) {
    const blvm_block_index *x = *(blvm_block_index *const *)a, *y = *(blvm_block_index *const *)b;
    if (x->entry.height != y->entry.height) return x->entry.height > y->entry.height ? -1 : 1;
    return memcmp(x->entry.hash, y->entry.hash, 32);
}

static const char *tip_status(blvm_chainstate *cs, blvm_block_index *b) {
    if (blvm_chainstate_in_active_chain_locked(cs, b)) return "active";
    if (b->status & BLVM_BLOCK_FAILED_MASK) return "invalid";
    if (b->chain_tx == 0) return "headers-only";
    if (blvm_block_index_is_valid(b, BLVM_BLOCK_VALID_SCRIPTS)) return "valid-fork";
    if (blvm_block_index_is_valid(b, BLVM_BLOCK_VALID_TREE)) return "valid-headers";
    return "unknown";
}

static json_t *rpc_getchaintips(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    (void)params;
    blvm_chainstate *cs = blvm_rpc_chainstate(node, err);
    if (!cs) return NULL;
    tips_ctx c = {.cs = cs};
    index_list tips = {0};
    json_t *res = json_array();
    blvm_chainstate_lock(cs);
    blvm_chainstate_for_each_index_locked(cs, collect_off_chain, &c);
    /* A tip is an off-chain entry that is nobody's parent; the active tip
     * is always reported. */
    /* (qsort and bsearch must not get a NULL array, even when empty) */
    if (c.parents.n) qsort(c.parents.v, c.parents.n, sizeof *c.parents.v, by_pointer);
    for (size_t i = 0; !c.oom && i < c.off_chain.n; i++) {
        blvm_block_index *b = c.off_chain.v[i];
        if (!c.parents.n || !bsearch(&b, c.parents.v, c.parents.n, sizeof *c.parents.v, by_pointer))
            c.oom = !list_push(&tips, b);
    }
    blvm_block_index *tip = blvm_chainstate_tip_locked(cs);
    if (!c.oom && tip) c.oom = !list_push(&tips, tip);
    if (tips.n) qsort(tips.v, tips.n, sizeof *tips.v, by_height_desc);
    for (size_t i = 0; !c.oom && i < tips.n; i++) {
        blvm_block_index *b = tips.v[i];
        blvm_block_index *fork = b;
        while (fork && !blvm_chainstate_in_active_chain_locked(cs, fork))
            fork = blvm_block_index_prev(fork);
        json_t *o = json_object();
        json_object_set_new(o, "height", json_integer(b->entry.height));
        json_object_set_new(o, "hash", blvm_hash_json(b->entry.hash));
        json_object_set_new(o, "branchlen",
                            json_integer(b->entry.height - (fork ? fork->entry.height : -1)));
        json_object_set_new(o, "status", json_string(tip_status(cs, b)));
        json_array_append_new(res, o);
    }
    blvm_chainstate_unlock(cs);
    free(c.off_chain.v);
    free(c.parents.v);
    free(tips.v);
    if (c.oom) {
        json_decref(res);
        return blvm_rpc_fail(err, BLVM_RPC_OUT_OF_MEMORY, "Out of memory");
    }
    return res;
}

static json_t *rpc_getchaintxstats(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    blvm_chainstate *cs = blvm_rpc_chainstate(node, err);
    if (!cs) return NULL;
    const blvm_params *p = blvm_chainstate_params(cs);
    int64_t blockcount = 30 * 24 * 60 * 60 / p->pow_target_spacing; /* one month */
    json_t *res = NULL;
    blvm_chainstate_lock(cs);
    blvm_block_index *b;
    if (blvm_rpc_arg(params, 1)) {
        b = find_block_locked(cs, blvm_rpc_arg(params, 1), "blockhash", err);
        if (b && !blvm_chainstate_in_active_chain_locked(cs, b)) {
            blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER, "Block is not in main chain");
            b = NULL;
        }
    } else {
        b = blvm_chainstate_tip_locked(cs);
    }
    if (!b) goto out;
    if (!blvm_rpc_arg(params, 0)) {
        int64_t max = b->entry.height - 1;
        blockcount = blockcount < max ? blockcount : max;
        if (blockcount < 0) blockcount = 0;
    } else {
        int32_t n;
        if (!blvm_rpc_parse_int32(blvm_rpc_arg(params, 0), &n, err)) goto out;
        blockcount = n;
        if (blockcount < 0 || (blockcount > 0 && blockcount >= b->entry.height)) {
            blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER,
                          "Invalid block count: should be between 0 and the block's height - 1");
            goto out;
        }
    }
    blvm_block_index *past = blvm_block_index_ancestor(b, b->entry.height - (int32_t)blockcount);
    int64_t time_diff = blvm_chain_entry_median_time_past(&b->entry) -
                        blvm_chain_entry_median_time_past(&past->entry);
    res = json_object();
    json_object_set_new(res, "time", json_integer(b->entry.time));
    if (b->chain_tx) json_object_set_new(res, "txcount", json_integer((json_int_t)b->chain_tx));
    json_object_set_new(res, "window_final_block_hash", blvm_hash_json(b->entry.hash));
    json_object_set_new(res, "window_final_block_height", json_integer(b->entry.height));
    json_object_set_new(res, "window_block_count", json_integer(blockcount));
    if (blockcount > 0) {
        json_object_set_new(res, "window_interval", json_integer(time_diff));
        if (b->chain_tx && past->chain_tx) {
            uint64_t window_tx = b->chain_tx - past->chain_tx;
            json_object_set_new(res, "window_tx_count", json_integer((json_int_t)window_tx));
            if (time_diff > 0)
                json_object_set_new(res, "txrate", json_real((double)window_tx / (double)time_diff));
        }
    }
out:
    blvm_chainstate_unlock(cs);
    return res;
}

/* ---- getblockstats (Core's rpc/blockchain.cpp, field for field) ---- */

#define BLOCKSTATS_PERCENTILES 5
/* sizeof(COutPoint) + sizeof(uint32_t) + sizeof(bool) in Core */
#define PER_UTXO_OVERHEAD 41

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int64_t truncated_median(int64_t *v, size_t n) {
    if (n == 0) return 0;
    qsort(v, n, sizeof *v, cmp_i64);
    return n % 2 == 0 ? (v[n / 2 - 1] + v[n / 2]) / 2 : v[n / 2];
}

typedef struct {
    int64_t feerate, weight;
} feerate_weight;

static int cmp_feerate(const void *a, const void *b) {
    const feerate_weight *x = a, *y = b;
    if (x->feerate != y->feerate) return x->feerate < y->feerate ? -1 : 1;
    return x->weight < y->weight ? -1 : x->weight > y->weight;
}

/* Core's CalculatePercentilesByWeight. */
static void percentiles_by_weight(int64_t out[BLOCKSTATS_PERCENTILES], feerate_weight *v, size_t n,
                                  int64_t total_weight) {
    if (n == 0) return;
    qsort(v, n, sizeof *v, cmp_feerate);
    const double weights[BLOCKSTATS_PERCENTILES] = {
        total_weight / 10.0, total_weight / 4.0, total_weight / 2.0, (total_weight * 3.0) / 4.0,
        (total_weight * 9.0) / 10.0};
    int next = 0;
    int64_t cumulative = 0;
    for (size_t i = 0; i < n; i++) {
        cumulative += v[i].weight;
        while (next < BLOCKSTATS_PERCENTILES && (double)cumulative >= weights[next])
            out[next++] = v[i].feerate;
    }
    for (int i = next; i < BLOCKSTATS_PERCENTILES; i++) out[i] = v[n - 1].feerate;
}

static size_t txout_serialized_size(const blvm_txout *out) {
    return 8 + blvm_compact_size_len(out->script_pubkey.len) + out->script_pubkey.len;
}

static json_t *blockstats_all(const blvm_params *p, blvm_block_index *b, const blvm_block *block,
                              const blvm_block_undo *undo) {
    int64_t maxfee = 0, maxfeerate = 0, minfee = BLVM_MAX_MONEY, minfeerate = BLVM_MAX_MONEY;
    int64_t total_out = 0, totalfee = 0, inputs = 0, maxtxsize = 0;
    const int64_t max_block_serialized_size = 4000000;
    int64_t mintxsize = max_block_serialized_size, outputs = 0, swtotal_size = 0;
    int64_t swtotal_weight = 0, swtxs = 0, total_size = 0, total_weight = 0, utxos = 0;
    int64_t utxo_size_inc = 0, utxo_size_inc_actual = 0;
    size_t ntx = block->tx_count;
    int64_t *fees = calloc(ntx ? ntx : 1, sizeof *fees);
    int64_t *sizes = calloc(ntx ? ntx : 1, sizeof *sizes);
    feerate_weight *feerates = calloc(ntx ? ntx : 1, sizeof *feerates);
    size_t nfees = 0, nsizes = 0, nfeerates = 0;
    if (!fees || !sizes || !feerates) {
        free(fees);
        free(sizes);
        free(feerates);
        return NULL;
    }
    bool bip30_repeat = blvm_is_bip30_repeat(p, b->entry.height, b->entry.hash);
    for (size_t i = 0; i < ntx; i++) {
        const blvm_tx *tx = &block->txs[i];
        bool coinbase = i == 0;
        outputs += (int64_t)tx->vout_count;
        int64_t tx_total_out = 0;
        for (size_t k = 0; k < tx->vout_count; k++) {
            const blvm_txout *out = &tx->vout[k];
            tx_total_out += out->value;
            int64_t out_size = (int64_t)txout_serialized_size(out) + PER_UTXO_OVERHEAD;
            utxo_size_inc += out_size;
            /* The genesis block and the repeated BIP30 coinbases don't
             * change the UTXO set; unspendable outputs never enter it. */
            if (b->entry.height == 0 || (bip30_repeat && coinbase)) continue;
            if (blvm_script_is_unspendable(out->script_pubkey.data, out->script_pubkey.len))
                continue;
            utxos++;
            utxo_size_inc_actual += out_size;
        }
        if (coinbase) continue;
        inputs += (int64_t)tx->vin_count;
        total_out += tx_total_out;
        int64_t tx_size = (int64_t)blvm_tx_size(tx, true);
        sizes[nsizes++] = tx_size;
        if (tx_size > maxtxsize) maxtxsize = tx_size;
        if (tx_size < mintxsize) mintxsize = tx_size;
        total_size += tx_size;
        int64_t weight = (int64_t)blvm_tx_weight(tx);
        total_weight += weight;
        if (blvm_tx_has_witness(tx)) {
            swtxs++;
            swtotal_size += tx_size;
            swtotal_weight += weight;
        }
        int64_t tx_total_in = 0;
        const blvm_tx_undo *tu = &undo->txs[i - 1];
        for (size_t k = 0; k < tu->count; k++) {
            tx_total_in += tu->coins[k].out.value;
            int64_t prev_size = (int64_t)txout_serialized_size(&tu->coins[k].out) + PER_UTXO_OVERHEAD;
            utxo_size_inc -= prev_size;
            utxo_size_inc_actual -= prev_size;
        }
        int64_t fee = tx_total_in - tx_total_out;
        fees[nfees++] = fee;
        if (fee > maxfee) maxfee = fee;
        if (fee < minfee) minfee = fee;
        totalfee += fee;
        /* sat per virtual byte */
        int64_t feerate = weight ? (fee * 4) / weight : 0;
        feerates[nfeerates].feerate = feerate;
        feerates[nfeerates++].weight = weight;
        if (feerate > maxfeerate) maxfeerate = feerate;
        if (feerate < minfeerate) minfeerate = feerate;
    }
    int64_t pct[BLOCKSTATS_PERCENTILES] = {0};
    percentiles_by_weight(pct, feerates, nfeerates, total_weight);
    json_t *pct_json = json_array();
    for (int i = 0; i < BLOCKSTATS_PERCENTILES; i++) json_array_append_new(pct_json, json_integer(pct[i]));
    int64_t nontx = ntx > 1 ? (int64_t)ntx - 1 : 0;
    json_t *o = json_object();
    json_object_set_new(o, "avgfee", json_integer(nontx ? totalfee / nontx : 0));
    json_object_set_new(o, "avgfeerate", json_integer(total_weight ? (totalfee * 4) / total_weight : 0));
    json_object_set_new(o, "avgtxsize", json_integer(nontx ? total_size / nontx : 0));
    json_object_set_new(o, "blockhash", blvm_hash_json(b->entry.hash));
    json_object_set_new(o, "feerate_percentiles", pct_json);
    json_object_set_new(o, "height", json_integer(b->entry.height));
    json_object_set_new(o, "ins", json_integer(inputs));
    json_object_set_new(o, "maxfee", json_integer(maxfee));
    json_object_set_new(o, "maxfeerate", json_integer(maxfeerate));
    json_object_set_new(o, "maxtxsize", json_integer(maxtxsize));
    json_object_set_new(o, "medianfee", json_integer(truncated_median(fees, nfees)));
    json_object_set_new(o, "mediantime", json_integer(blvm_chain_entry_median_time_past(&b->entry)));
    json_object_set_new(o, "mediantxsize", json_integer(truncated_median(sizes, nsizes)));
    json_object_set_new(o, "minfee", json_integer(minfee == BLVM_MAX_MONEY ? 0 : minfee));
    json_object_set_new(o, "minfeerate", json_integer(minfeerate == BLVM_MAX_MONEY ? 0 : minfeerate));
    json_object_set_new(o, "mintxsize",
                        json_integer(mintxsize == max_block_serialized_size ? 0 : mintxsize));
    json_object_set_new(o, "outs", json_integer(outputs));
    json_object_set_new(o, "subsidy", json_integer(blvm_block_subsidy(b->entry.height, p)));
    json_object_set_new(o, "swtotal_size", json_integer(swtotal_size));
    json_object_set_new(o, "swtotal_weight", json_integer(swtotal_weight));
    json_object_set_new(o, "swtxs", json_integer(swtxs));
    json_object_set_new(o, "time", json_integer(b->entry.time));
    json_object_set_new(o, "total_out", json_integer(total_out));
    json_object_set_new(o, "total_size", json_integer(total_size));
    json_object_set_new(o, "total_weight", json_integer(total_weight));
    json_object_set_new(o, "totalfee", json_integer(totalfee));
    json_object_set_new(o, "txs", json_integer((json_int_t)ntx));
    json_object_set_new(o, "utxo_increase", json_integer(outputs - inputs));
    json_object_set_new(o, "utxo_size_inc", json_integer(utxo_size_inc));
    json_object_set_new(o, "utxo_increase_actual", json_integer(utxos - inputs));
    json_object_set_new(o, "utxo_size_inc_actual", json_integer(utxo_size_inc_actual));
    free(fees);
    free(sizes);
    free(feerates);
    return o;
}

static json_t *rpc_getblockstats(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    blvm_chainstate *cs = blvm_rpc_chainstate(node, err);
    if (!cs) return NULL;
    const json_t *selected = blvm_rpc_arg(params, 1);
    size_t i;
    json_t *v;
    json_array_foreach(selected, i, v) {
        if (!json_is_string(v)) return blvm_rpc_fail_type(err, v, "string");
    }
    blvm_chainstate_lock(cs);
    blvm_block_index *b = find_hash_or_height_locked(cs, blvm_rpc_arg(params, 0), err);
    blvm_chainstate_unlock(cs);
    if (!b) return NULL;
    blvm_block block;
    if (!blvm_rpc_read_block(cs, b, &block, NULL, NULL, err)) return NULL;
    blvm_block_undo undo;
    blvm_block_undo_init(&undo);
    if (b->entry.height > 0) {
        /* Core's GetUndoChecked (the genesis block has no undo data). */
        blvm_chainstate_lock(cs);
        bool have_undo = (b->status & BLVM_BLOCK_HAVE_UNDO) != 0;
        bool pruned = blvm_chainstate_is_pruned(cs);
        blvm_chainstate_unlock(cs);
        const char *fail = NULL;
        if (!have_undo)
            fail = pruned ? "Undo data not available (pruned data)" : "Undo data not available";
        else if (!blvm_chainstate_read_undo(cs, b, &undo) || undo.count + 1 != block.tx_count)
            fail = "Can't read undo data from disk";
        if (fail) {
            blvm_block_undo_clear(&undo);
            blvm_block_clear(&block);
            return blvm_rpc_fail(err, BLVM_RPC_MISC_ERROR, "%s", fail);
        }
    }
    json_t *all = blockstats_all(blvm_chainstate_params(cs), b, &block, &undo);
    blvm_block_undo_clear(&undo);
    blvm_block_clear(&block);
    if (!all) return blvm_rpc_fail(err, BLVM_RPC_OUT_OF_MEMORY, "Out of memory");
    if (!selected || json_array_size(selected) == 0) return all;
    /* Core answers the selected statistics in name order (a std::set). */
    json_t *res = json_object();
    json_array_foreach(selected, i, v) {
        const char *name = json_string_value(v);
        json_t *val = json_object_get(all, name);
        if (!val) {
            json_decref(res);
            json_decref(all);
            return blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER,
                                 "Invalid selected statistic '%s'", name);
        }
        json_object_set(res, name, val);
    }
    json_decref(all);
    /* jansson keeps insertion order; sort the keys as Core's set does. */
    const char **keys = malloc(json_object_size(res) * sizeof *keys);
    size_t nk = 0;
    const char *k;
    json_object_foreach(res, k, v) keys[nk++] = k;
    for (size_t a = 1; a < nk; a++)
        for (size_t c = a; c > 0 && strcmp(keys[c - 1], keys[c]) > 0; c--) {
            const char *t = keys[c];
            keys[c] = keys[c - 1];
            keys[c - 1] = t;
        }
    json_t *sorted = json_object();
    for (size_t a = 0; a < nk; a++) json_object_set(sorted, keys[a], json_object_get(res, keys[a]));
    free(keys);
    json_decref(res);
    return sorted;
}

/* ---- UTXO set ---- */

static json_t *rpc_gettxout(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    blvm_chainstate *cs = blvm_rpc_chainstate(node, err);
    if (!cs) return NULL;
    blvm_outpoint op;
    if (!blvm_rpc_parse_hash(blvm_rpc_arg(params, 0), "txid", op.hash, err)) return NULL;
    int64_t n;
    if (!blvm_rpc_parse_int(blvm_rpc_arg(params, 1), &n, err)) return NULL;
    /* Core 29 reads n with getInt<uint32_t>(). */
    if (n < 0 || n > UINT32_MAX)
        return blvm_rpc_fail(err, BLVM_RPC_MISC_ERROR, "JSON integer out of range");
    op.n = (uint32_t)n;
    blvm_coin coin;
    blvm_coin_init(&coin);
    int found = blvm_chainstate_get_coin(cs, &op, &coin);
    if (found < 0) return blvm_rpc_fail(err, BLVM_RPC_DATABASE_ERROR, "Unable to read UTXO set");
    if (found == 0) return json_null();
    blvm_tip_info tip;
    blvm_chainstate_tip(cs, &tip);
    const blvm_params *p = blvm_chainstate_params(cs);
    json_t *o = json_object();
    json_object_set_new(o, "bestblock", blvm_hash_json(tip.hash));
    json_object_set_new(o, "confirmations", json_integer(tip.height - (int32_t)coin.height + 1));
    json_object_set_new(o, "value", blvm_rpc_amount_json(coin.out.value));
    json_object_set_new(o, "scriptPubKey",
                        blvm_script_json(p, coin.out.script_pubkey.data, coin.out.script_pubkey.len,
                                         true, true));
    json_object_set_new(o, "coinbase", json_boolean(coin.coinbase));
    blvm_coin_clear(&coin);
    return o;
}

static json_t *rpc_gettxoutsetinfo(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    blvm_chainstate *cs = blvm_rpc_chainstate(node, err);
    if (!cs) return NULL;
    const json_t *ht = blvm_rpc_arg(params, 0);
    const char *hash_type = ht ? json_string_value(ht) : "hash_serialized_3";
    blvm_utxo_hash_type type;
    if (!strcmp(hash_type, "hash_serialized_3"))
        type = BLVM_UTXO_HASH_SERIALIZED;
    else if (!strcmp(hash_type, "muhash"))
        type = BLVM_UTXO_HASH_MUHASH;
    else if (!strcmp(hash_type, "none"))
        type = BLVM_UTXO_HASH_NONE;
    else
        return blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER, "'%s' is not a valid hash_type",
                             hash_type);
    /* No coinstatsindex: a specific block cannot be queried; use_index
     * (default true) only says whether an index may be used, so without one
     * the set is scanned either way, as Core does. */
    if (blvm_rpc_arg(params, 1))
        return blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER,
                             "Querying specific block heights requires coinstatsindex");
    blvm_utxo_stats st;
    char chainstate_dir[4200];
    snprintf(chainstate_dir, sizeof chainstate_dir, "%s/chainstate",
             node->config ? blvm_config_netdir(node->config) : ".");
    if (!blvm_utxo_stats_compute(cs, type, chainstate_dir, &st))
        return blvm_rpc_fail(err, BLVM_RPC_INTERNAL_ERROR, "Unable to read UTXO set");
    json_t *o = json_object();
    json_object_set_new(o, "height", json_integer(st.height));
    json_object_set_new(o, "bestblock", blvm_hash_json(st.best_block));
    json_object_set_new(o, "txouts", json_integer((json_int_t)st.txouts));
    json_object_set_new(o, "bogosize", json_integer((json_int_t)st.bogosize));
    if (type == BLVM_UTXO_HASH_SERIALIZED)
        json_object_set_new(o, "hash_serialized_3", blvm_hash_json(st.hash));
    if (type == BLVM_UTXO_HASH_MUHASH) json_object_set_new(o, "muhash", blvm_hash_json(st.hash));
    json_object_set_new(o, "total_amount", blvm_rpc_amount_json(st.total_amount));
    json_object_set_new(o, "transactions", json_integer((json_int_t)st.transactions));
    json_object_set_new(o, "disk_size", json_integer((json_int_t)st.disk_size));
    return o;
}

/* verifychain: Core's CVerifyDB, levels 0 (read) to 4 (disconnect and
 * reconnect), over the top nblocks blocks (0: all). */
static json_t *rpc_verifychain(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    blvm_chainstate *cs = blvm_rpc_chainstate(node, err);
    if (!cs) return NULL;
    int32_t level = 3, nblocks = 6;
    if (blvm_rpc_arg(params, 0) && !blvm_rpc_parse_int32(blvm_rpc_arg(params, 0), &level, err))
        return NULL;
    if (blvm_rpc_arg(params, 1) && !blvm_rpc_parse_int32(blvm_rpc_arg(params, 1), &nblocks, err))
        return NULL;
    if (level < 0) level = 0;
    if (level > 4) level = 4;
    if (nblocks < 0) nblocks = 0;
    blvm_validation_state state;
    blvm_state_init(&state);
    return json_boolean(blvm_chainstate_verify(cs, (int)level, (int)nblocks, &state));
}

/* ---- control of the chain ---- */

typedef bool (*block_action)(blvm_chainstate *, const uint8_t *, blvm_validation_state *);

static json_t *apply_block_action(blvm_node *node, const json_t *params, blvm_rpc_error *err,
                                  block_action action) {
    blvm_chainstate *cs = blvm_rpc_chainstate(node, err);
    if (!cs) return NULL;
    uint8_t hash[32];
    if (!blvm_rpc_parse_hash(blvm_rpc_arg(params, 0), "blockhash", hash, err)) return NULL;
    blvm_chainstate_lock(cs);
    bool known = blvm_chainstate_find_locked(cs, hash) != NULL;
    blvm_chainstate_unlock(cs);
    if (!known) return blvm_rpc_fail(err, BLVM_RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
    blvm_validation_state state;
    blvm_state_init(&state);
    if (!action(cs, hash, &state) && state.mode != BLVM_STATE_VALID)
        return blvm_rpc_fail(err, BLVM_RPC_DATABASE_ERROR, "%s", state.reject_reason);
    return json_null();
}

static json_t *rpc_invalidateblock(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    return apply_block_action(node, params, err, blvm_chainstate_invalidate_block);
}
static json_t *rpc_reconsiderblock(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    return apply_block_action(node, params, err, blvm_chainstate_reconsider_block);
}
static json_t *rpc_preciousblock(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    return apply_block_action(node, params, err, blvm_chainstate_precious_block);
}

static json_t *rpc_pruneblockchain(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    blvm_chainstate *cs = blvm_rpc_chainstate(node, err);
    if (!cs) return NULL;
    if (!blvm_chainstate_is_pruned(cs))
        return blvm_rpc_fail(err, BLVM_RPC_MISC_ERROR,
                             "Cannot prune blocks because node is not in prune mode.");
    int64_t h;
    if (!blvm_rpc_parse_int(blvm_rpc_arg(params, 0), &h, err)) return NULL;
    if (h < 0) return blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER, "Negative block height.");
    blvm_tip_info tip;
    blvm_chainstate_tip(cs, &tip);
    /* Core: a height above 1e9 is a unix time: the earliest block whose
     * maximum time is at least that time less TIMESTAMP_WINDOW (2 hours),
     * as FindEarliestAtLeast. */
    if (h > 1000000000) {
        blvm_chainstate_lock(cs);
        int32_t found = -1;
        for (int32_t k = 0; k <= tip.height; k++) {
            blvm_block_index *b = blvm_chainstate_at_height_locked(cs, k);
            if (b && (int64_t)b->time_max >= h - 7200) {
                found = k;
                break;
            }
        }
        blvm_chainstate_unlock(cs);
        if (found < 0)
            return blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER,
                                 "Could not find block with at least the specified timestamp.");
        h = found;
    }
    if (tip.height < blvm_chainstate_prune_after_height(cs))
        return blvm_rpc_fail(err, BLVM_RPC_MISC_ERROR, "Blockchain is too short for pruning.");
    if (h > tip.height)
        return blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER,
                             "Blockchain is shorter than the attempted prune height.");
    int32_t pruned = blvm_chainstate_prune_to(cs, (int32_t)h);
    if (pruned < -1) return blvm_rpc_fail(err, BLVM_RPC_MISC_ERROR, "Error while pruning.");
    return json_integer(pruned);
}

/* ---- waiting for blocks ---- */

static json_t *tip_ref_json(const blvm_tip_info *t) {
    json_t *o = json_object();
    json_object_set_new(o, "hash", blvm_hash_json(t->hash));
    json_object_set_new(o, "height", json_integer(t->height));
    return o;
}

/* Waits in slices so a shutdown ends the wait promptly. cond returns true
 * when the wait is over. */
static json_t *wait_for(blvm_node *node, blvm_chainstate *cs, int64_t timeout_ms,
                        bool (*cond)(const blvm_tip_info *, const void *), const void *arg,
                        bool any_change) {
    blvm_tip_info t;
    blvm_chainstate_tip(cs, &t);
    uint8_t start[32];
    memcpy(start, t.hash, 32);
    int64_t waited = 0;
    while (!blvm_node_shutdown_requested(node)) {
        if (any_change ? memcmp(t.hash, start, 32) != 0 : cond(&t, arg)) break;
        int64_t slice = 200;
        if (timeout_ms > 0) {
            if (waited >= timeout_ms) break;
            if (timeout_ms - waited < slice) slice = timeout_ms - waited;
        }
        (void)blvm_chainstate_wait_tip_change(cs, t.hash, slice, &t);
        waited += slice;
    }
    return tip_ref_json(&t);
}

static bool parse_timeout(const json_t *params, size_t i, int64_t *out, blvm_rpc_error *err) {
    *out = 0;
    const json_t *v = blvm_rpc_arg(params, i);
    if (!v) return true;
    int32_t ms;
    if (!blvm_rpc_parse_int32(v, &ms, err)) return false;
    *out = ms;
    if (*out < 0) {
        blvm_rpc_fail(err, BLVM_RPC_MISC_ERROR, "Negative timeout");
        return false;
    }
    return true;
}

static bool never(const blvm_tip_info *t, const void *arg) {
    (void)t;
    (void)arg;
    return false;
}

static bool tip_is_not_hash(const blvm_tip_info *t, const void *arg) {
    return memcmp(t->hash, arg, 32) != 0;
}

static json_t *rpc_waitfornewblock(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    blvm_chainstate *cs = blvm_rpc_chainstate(node, err);
    if (!cs) return NULL;
    int64_t timeout;
    if (!parse_timeout(params, 0, &timeout, err)) return NULL;
    /* Core 29's current_tip: wait for the tip to differ from this hash
     * (returns at once when it already does). */
    const json_t *ct = blvm_rpc_arg(params, 1);
    if (ct) {
        uint8_t hash[32];
        if (!blvm_rpc_parse_hash(ct, "current_tip", hash, err)) return NULL;
        return wait_for(node, cs, timeout, tip_is_not_hash, hash, false);
    }
    return wait_for(node, cs, timeout, never, NULL, true);
}

static bool tip_is_hash(const blvm_tip_info *t, const void *arg) {
    return memcmp(t->hash, arg, 32) == 0;
}

static json_t *rpc_waitforblock(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    blvm_chainstate *cs = blvm_rpc_chainstate(node, err);
    if (!cs) return NULL;
    uint8_t hash[32];
    if (!blvm_rpc_parse_hash(blvm_rpc_arg(params, 0), "blockhash", hash, err)) return NULL;
    int64_t timeout;
    if (!parse_timeout(params, 1, &timeout, err)) return NULL;
    return wait_for(node, cs, timeout, tip_is_hash, hash, false);
}

static bool tip_at_height(const blvm_tip_info *t, const void *arg) {
    return t->height >= *(const int64_t *)arg;
}

static json_t *rpc_waitforblockheight(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    blvm_chainstate *cs = blvm_rpc_chainstate(node, err);
    if (!cs) return NULL;
    int32_t h;
    if (!blvm_rpc_parse_int32(blvm_rpc_arg(params, 0), &h, err)) return NULL;
    int64_t height = h;
    int64_t timeout;
    if (!parse_timeout(params, 1, &timeout, err)) return NULL;
    return wait_for(node, cs, timeout, tip_at_height, &height, false);
}

static const blvm_rpc_command blockchain_commands[] = {
    {"blockchain", "getblockchaininfo", rpc_getblockchaininfo, BLVM_RPC_NO_PARAMS,
     "Returns an object containing various state info regarding blockchain processing.\n"},
    {"blockchain", "getblockcount", rpc_getblockcount, BLVM_RPC_NO_PARAMS,
     "Returns the height of the most-work fully-validated chain.\n"
     "The genesis block has height 0.\n"},
    {"blockchain", "getbestblockhash", rpc_getbestblockhash, BLVM_RPC_NO_PARAMS,
     "Returns the hash of the best (tip) block in the most-work fully-validated chain.\n"},
    {"blockchain", "getblockhash", rpc_getblockhash,
     {BLVM_RPC_REQ("height", BLVM_RPC_NUM)},
     "Returns hash of block in best-block-chain at height provided.\n"},
    {"blockchain", "getblock", rpc_getblock,
     {BLVM_RPC_REQ("blockhash", BLVM_RPC_STR),
      BLVM_RPC_OPT("verbosity|verbose", BLVM_RPC_NUM_OR_BOOL)},
     "If verbosity is 0, returns a string that is serialized, hex-encoded data for block "
     "'hash'.\nIf verbosity is 1, returns an Object with information about block <hash>.\n"
     "If verbosity is 2, returns an Object with information about block <hash> and information "
     "about each transaction.\nIf verbosity is 3, returns an Object with information about block "
     "<hash> and information about each transaction, including prevout information for "
     "inputs.\n"},
    {"blockchain", "getblockheader", rpc_getblockheader,
     {BLVM_RPC_REQ("blockhash", BLVM_RPC_STR),
      BLVM_RPC_OPT("verbose", BLVM_RPC_BOOL)},
     "If verbose is false, returns a string that is serialized, hex-encoded data for blockheader "
     "'hash'.\nIf verbose is true, returns an Object with information about blockheader <hash>.\n"},
    {"blockchain", "getchaintips", rpc_getchaintips, BLVM_RPC_NO_PARAMS,
     "Return information about all known tips in the block tree, including the main chain as "
     "well as orphaned branches.\n"},
    {"blockchain", "getdifficulty", rpc_getdifficulty, BLVM_RPC_NO_PARAMS,
     "Returns the proof-of-work difficulty as a multiple of the minimum difficulty.\n"},
    {"blockchain", "getchaintxstats", rpc_getchaintxstats,
     {BLVM_RPC_OPT("nblocks", BLVM_RPC_NUM),
      BLVM_RPC_OPT("blockhash", BLVM_RPC_STR)},
     "Compute statistics about the total number and rate of transactions in the chain.\n"},
    {"blockchain", "getblockstats", rpc_getblockstats,
     {BLVM_RPC_REQ("hash_or_height", BLVM_RPC_STR_OR_NUM),
      /* Core declares oneline_description "stats" for this array. */
      {.name = "stats", .type = BLVM_RPC_ARR, .optional = true, .oneline = "stats"}},
     "Compute per block statistics for a given window. All amounts are in satoshis.\n"},
    {"blockchain", "gettxout", rpc_gettxout,
     {BLVM_RPC_REQ("txid", BLVM_RPC_STR),
      BLVM_RPC_REQ("n", BLVM_RPC_NUM),
      BLVM_RPC_OPT("include_mempool", BLVM_RPC_BOOL)},
     "Returns details about an unspent transaction output.\n"},
    {"blockchain", "gettxoutsetinfo", rpc_gettxoutsetinfo,
     {BLVM_RPC_OPT("hash_type", BLVM_RPC_STR),
      BLVM_RPC_OPT("hash_or_height", BLVM_RPC_STR_OR_NUM),
      BLVM_RPC_OPT("use_index", BLVM_RPC_BOOL)},
     "Returns statistics about the unspent transaction output set.\n"
     "Note this call may take some time if you are not using coinstatsindex.\n"},
    {"blockchain", "verifychain", rpc_verifychain,
     {BLVM_RPC_OPT("checklevel", BLVM_RPC_NUM),
      BLVM_RPC_OPT("nblocks", BLVM_RPC_NUM)},
     "Verifies blockchain database.\n"},
    {"blockchain", "invalidateblock", rpc_invalidateblock,
     {BLVM_RPC_REQ("blockhash", BLVM_RPC_STR)},
     "Permanently marks a block as invalid, as if it violated a consensus rule.\n"},
    {"blockchain", "reconsiderblock", rpc_reconsiderblock,
     {BLVM_RPC_REQ("blockhash", BLVM_RPC_STR)},
     "Removes invalidity status of a block, its ancestors and its descendants, reconsider them "
     "for activation.\nThis can be used to undo the effects of invalidateblock.\n"},
    {"blockchain", "preciousblock", rpc_preciousblock,
     {BLVM_RPC_REQ("blockhash", BLVM_RPC_STR)},
     "Treats a block as if it were received before others with the same work.\n"},
    {"blockchain", "pruneblockchain", rpc_pruneblockchain,
     {BLVM_RPC_REQ("height", BLVM_RPC_NUM)},
     "Attempts to delete block and undo data up to a specified height or timestamp, if "
     "eligible for pruning.\n"},
    {"blockchain", "waitfornewblock", rpc_waitfornewblock,
     {BLVM_RPC_OPT("timeout", BLVM_RPC_NUM), BLVM_RPC_OPT("current_tip", BLVM_RPC_STR)},
     "Waits for any new block and returns useful info about it.\n"},
    {"blockchain", "waitforblock", rpc_waitforblock,
     {BLVM_RPC_REQ("blockhash", BLVM_RPC_STR),
      BLVM_RPC_OPT("timeout", BLVM_RPC_NUM)},
     "Waits for a specific new block and returns useful info about it.\n"},
    {"blockchain", "waitforblockheight", rpc_waitforblockheight,
     {BLVM_RPC_REQ("height", BLVM_RPC_NUM),
      BLVM_RPC_OPT("timeout", BLVM_RPC_NUM)},
     "Waits for (at least) block height and returns the height and hash\n"
     "of the current tip.\n"},
};

bool blvm_rpc_register_blockchain(blvm_rpc_table *t) {
    return blvm_rpc_table_register(t, blockchain_commands, BLVM_ARRAY_LEN(blockchain_commands));
}
