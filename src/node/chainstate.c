#include "node/chainstate.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "consensus/block_check.h"
#include "consensus/chain_rules.h"
#include "consensus/interpreter.h"
#include "consensus/merkle.h"
#include "consensus/pow.h"
#include "consensus/script.h"
#include "consensus/sighash.h"
#include "consensus/tx_check.h"
#include "node/checkqueue.h"
#include "node/coins.h"
#include "storage/kv.h"
#include "storage/varint.h"
#include "util/hex.h"
#include "util/os.h"

/* Core's MIN_BLOCKS_TO_KEEP: pruning keeps at least this many recent blocks
 * so that reorganisations of that depth stay possible. */
#define MIN_BLOCKS_TO_KEEP     288
#define DEFAULT_DBCACHE        ((uint64_t)450 << 20)
#define DEFAULT_FLUSH_INTERVAL 3600
/* Core's DEFAULT_MAX_TIP_AGE: older tips mean initial block download. */
#define MAX_TIP_AGE (24 * 60 * 60)

typedef struct {
    uint8_t prev[32];
    uint8_t *raw;
    size_t len;
    blvm_flatpos pos; /* where it already sits in our files, file -1 if not */
} pending_block;

struct blvm_chainstate {
    const blvm_params *params;
    blvm_chainstate_options opt;
    char datadir[PATH_MAX - 64];
    char blocksdir[PATH_MAX - 64];
    char dbdir[PATH_MAX];

    pthread_mutex_t lock;
    pthread_cond_t tip_cv;
    bool interrupted;

    blvm_kv *kv;
    blvm_blockstore *bs;
    blvm_coins_cache *coins;
    blvm_block_tree tree;
    blvm_active_chain chain;
    blvm_block_index *best_header;

    blvm_block_index **cand; /* Core's setBlockIndexCandidates */
    size_t ncand, cand_cap;
    blvm_block_index **unlinked; /* data stored, some ancestor's missing */
    size_t nunlinked, unlinked_cap;

    int32_t next_sequence_id;
    int32_t reverse_sequence_id; /* preciousblock */
    blvm_u256 last_precious_work;

    blvm_checkqueue *checks;
    int par;
    bool has_assume_valid;
    uint8_t assume_valid[32];
    bool ibd_latched_off;
    bool reindexing;
    bool have_pruned;
    int64_t last_flush;

    /* verdict of one block being processed (Core's BlockChecked signal) */
    bool watch_active;
    uint8_t watch_hash[32];
    bool watch_checked;
    blvm_validation_state watch_state;

    pending_block *pending; /* blocks waiting for their parent (imports) */
    size_t npending, pending_cap;

    blvm_chainstate_tip_fn tip_fn;
    void *tip_ctx;
    uint64_t tip_changes;

    blvm_chainstate_stats stats;
    bool just_check; /* connect_block runs for blvm_chainstate_test_block_validity */
    int64_t progress_time;
    int32_t progress_height;
    bool bulk;
    /* A write to the block files or the store failed (disk full, I/O
     * error): like Core's FatalError, no new block is accepted and the node
     * is asked to stop (opt.fatal_error). What is on disk stays the last
     * good flush plus block data the next start replays. */
    bool fatal;
    /* The coins cache could not be put back after a failed block (out of
     * memory in the rollback): it must never be written to the store. */
    bool coins_poisoned;
};

/* ------------------------------------------------------------------ */
/* helpers                                                             */

static int64_t now_seconds(const blvm_chainstate *cs) {
    return cs->opt.now ? cs->opt.now() : (int64_t)time(NULL);
}

static void cs_log(const blvm_chainstate *cs, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void cs_log(const blvm_chainstate *cs, int level, const char *fmt, ...) {
    if (!cs->opt.log) return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    cs->opt.log(cs->opt.log_ctx, level, buf);
}

static void fatal_error(blvm_chainstate *cs, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Core's FatalError/AbortNode: log, latch, and ask the node to stop. */
static void fatal_error(blvm_chainstate *cs, const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    cs_log(cs, BLVM_CS_LOG_ERROR, "fatal: %s", buf);
    bool first = !cs->fatal;
    cs->fatal = true;
    if (first && cs->opt.fatal_error) cs->opt.fatal_error(cs->opt.fatal_error_ctx, buf);
}

static void hash_hex(char out[65], const uint8_t hash[32]) {
    blvm_hex_encode_reversed(out, hash, 32);
}

static bool is_genesis_hash(const blvm_chainstate *cs, const uint8_t hash[32]) {
    return memcmp(hash, cs->params->genesis_hash, 32) == 0;
}

/* Core's CBlockIndexWorkComparator: more work first; on equal work the block
 * whose data arrived first (lower sequence id; preciousblock goes negative). */
static bool better(const blvm_block_index *a, const blvm_block_index *b) {
    int c = blvm_u256_cmp(&a->entry.chain_work, &b->entry.chain_work);
    if (c != 0) return c > 0;
    return a->sequence_id < b->sequence_id;
}

/* Leaves the chainstate lock. The coins cache's read snapshot of the store
 * never outlives a locked section: the store can then grow its map without
 * waiting for it, and no thread holds the map lock while taking ours. */
static void cs_unlock(blvm_chainstate *cs) {
    if (cs->coins) blvm_coins_release_reader(cs->coins);
    pthread_mutex_unlock(&cs->lock);
}

static bool stopping(const blvm_chainstate *cs) {
    return cs->interrupted || cs->fatal ||
           (cs->opt.should_stop && cs->opt.should_stop(cs->opt.should_stop_ctx));
}

static blvm_block_index *tip(const blvm_chainstate *cs) {
    return blvm_active_chain_tip(&cs->chain);
}

/* ------------------------------------------------------------------ */
/* candidates                                                          */

static bool array_push(blvm_block_index ***arr, size_t *n, size_t *cap, blvm_block_index *b) {
    for (size_t i = 0; i < *n; i++)
        if ((*arr)[i] == b) return true;
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        blvm_block_index **na = realloc(*arr, nc * sizeof(*na));
        if (!na) return false;
        *arr = na;
        *cap = nc;
    }
    (*arr)[(*n)++] = b;
    return true;
}

static void array_remove(blvm_block_index **arr, size_t *n, const blvm_block_index *b) {
    for (size_t i = 0; i < *n; i++) {
        if (arr[i] == b) {
            arr[i] = arr[--*n];
            return;
        }
    }
}

static bool candidate_ok(const blvm_chainstate *cs, const blvm_block_index *b) {
    if (!blvm_block_index_is_valid(b, BLVM_BLOCK_VALID_TRANSACTIONS) || !b->chain_tx) return false;
    const blvm_block_index *t = tip(cs);
    return !t || !better(t, b);
}

static void add_candidate(blvm_chainstate *cs, blvm_block_index *b) {
    if (candidate_ok(cs, b)) (void)array_push(&cs->cand, &cs->ncand, &cs->cand_cap, b);
}

/* Core's PruneBlockIndexCandidates: drop those worse than the tip. */
static void prune_candidates(blvm_chainstate *cs) {
    const blvm_block_index *t = tip(cs);
    if (!t) return;
    for (size_t i = 0; i < cs->ncand;) {
        if (better(t, cs->cand[i])) {
            cs->cand[i] = cs->cand[--cs->ncand];
        } else {
            i++;
        }
    }
}

static void rebuild_candidates(blvm_chainstate *cs) {
    cs->ncand = 0;
    for (size_t i = 0; i < cs->tree.count; i++)
        add_candidate(cs, cs->tree.all[i]);
    if (tip(cs)) (void)array_push(&cs->cand, &cs->ncand, &cs->cand_cap, tip(cs));
}

static void update_best_header(blvm_chainstate *cs, blvm_block_index *b) {
    if (b->status & BLVM_BLOCK_FAILED_MASK) return;
    if (!cs->best_header ||
        blvm_u256_cmp(&b->entry.chain_work, &cs->best_header->entry.chain_work) > 0)
        cs->best_header = b;
}

static void recompute_best_header(blvm_chainstate *cs) {
    cs->best_header = NULL;
    for (size_t i = 0; i < cs->tree.count; i++)
        update_best_header(cs, cs->tree.all[i]);
}

/* Core's FindMostWorkChain: the best candidate whose blocks between the
 * active chain and itself all have data and are not known invalid. */
static blvm_block_index *find_most_work_chain(blvm_chainstate *cs) {
    for (;;) {
        blvm_block_index *best = NULL;
        for (size_t i = 0; i < cs->ncand; i++)
            if (!best || better(cs->cand[i], best)) best = cs->cand[i];
        if (!best) return NULL;
        bool bad = false;
        for (blvm_block_index *t = best; t && !blvm_active_chain_contains(&cs->chain, t);
             t = blvm_block_index_prev(t)) {
            bool failed = (t->status & BLVM_BLOCK_FAILED_MASK) != 0;
            bool missing = !(t->status & BLVM_BLOCK_HAVE_DATA);
            if (failed || missing) {
                for (blvm_block_index *f = best; f != t; f = blvm_block_index_prev(f)) {
                    if (failed) {
                        f->status |= BLVM_BLOCK_FAILED_CHILD;
                        f->dirty = true;
                    } else {
                        (void)array_push(&cs->unlinked, &cs->nunlinked, &cs->unlinked_cap, f);
                    }
                    array_remove(cs->cand, &cs->ncand, f);
                }
                array_remove(cs->cand, &cs->ncand, t);
                bad = true;
                break;
            }
        }
        if (!bad) return best;
        if (cs->best_header && (cs->best_header->status & BLVM_BLOCK_FAILED_MASK))
            recompute_best_header(cs);
    }
}

/* ------------------------------------------------------------------ */
/* storage records: file infos, flags                                  */

#define KEY_LAST_FILE  "l"
#define KEY_REINDEXING "R"
#define KEY_PRUNED     "Fprunedblockfiles"

typedef struct {
    blvm_chainstate *cs;
    int *files;
    size_t nfiles;
    const int *pruned;
    size_t npruned;
    bool write_reindex_flag;
    bool clear_reindex_flag;
} flush_extra;

static int write_extra(blvm_kv_txn *t, void *arg) {
    flush_extra *x = arg;
    blvm_chainstate *cs = x->cs;
    int rc = blvm_block_tree_write_dirty(&cs->tree, t);
    blvm_writer w;
    blvm_writer_init(&w);
    for (size_t i = 0; i < x->nfiles && rc == BLVM_KV_OK; i++) {
        blvm_blockfile_info info;
        memset(&info, 0, sizeof info);
        bool pruned = false;
        for (size_t j = 0; j < x->npruned; j++)
            pruned |= x->pruned[j] == x->files[i];
        if (!pruned) (void)blvm_blockstore_get_info(cs->bs, x->files[i], &info);
        uint8_t key[5] = {'f'};
        blvm_write_le32(key + 1, (uint32_t)x->files[i]);
        w.len = 0;
        blvm_blockfile_info_encode(&info, &w);
        rc = w.err ? BLVM_KV_NOMEM : blvm_kv_put(t, key, sizeof key, w.data, w.len);
    }
    blvm_writer_clear(&w);
    if (rc == BLVM_KV_OK) {
        uint8_t v[4];
        blvm_write_le32(v, (uint32_t)blvm_blockstore_last_file(cs->bs));
        rc = blvm_kv_put(t, KEY_LAST_FILE, 1, v, 4);
    }
    if (rc == BLVM_KV_OK && cs->have_pruned) rc = blvm_kv_put(t, KEY_PRUNED, 17, "1", 1);
    if (rc == BLVM_KV_OK && x->write_reindex_flag) rc = blvm_kv_put(t, KEY_REINDEXING, 1, "1", 1);
    if (rc == BLVM_KV_OK && x->clear_reindex_flag) rc = blvm_kv_del(t, KEY_REINDEXING, 1);
    return rc;
}

static bool load_file_infos(blvm_chainstate *cs) {
    blvm_kv_txn *t;
    if (blvm_kv_begin(cs->kv, false, &t) != BLVM_KV_OK) return false;
    blvm_blockfile_info *infos = NULL;
    size_t n = 0;
    bool ok = true;
    blvm_kv_cursor *cur;
    if (blvm_kv_cursor_open(t, "f", 1, &cur) != BLVM_KV_OK) {
        blvm_kv_abort(t);
        return false;
    }
    const void *k, *v;
    size_t kl, vl;
    int rc;
    while ((rc = blvm_kv_cursor_next(cur, &k, &kl, &v, &vl)) == BLVM_KV_OK) {
        if (kl != 5) continue;
        uint32_t file = blvm_read_le32((const uint8_t *)k + 1);
        if (file > 100000) {
            ok = false;
            break;
        }
        if (file >= n) {
            blvm_blockfile_info *ni = realloc(infos, (file + 1) * sizeof(*ni));
            if (!ni) {
                ok = false;
                break;
            }
            memset(ni + n, 0, (file + 1 - n) * sizeof(*ni));
            infos = ni;
            n = file + 1;
        }
        blvm_reader r;
        blvm_reader_init(&r, v, vl);
        if (!blvm_blockfile_info_decode(&infos[file], &r)) {
            ok = false;
            break;
        }
    }
    blvm_kv_cursor_close(cur);
    int last = 0;
    if (ok && blvm_kv_get(t, KEY_LAST_FILE, 1, &v, &vl) == BLVM_KV_OK && vl == 4)
        last = (int)blvm_read_le32(v);
    const void *pv;
    size_t pl;
    cs->have_pruned = blvm_kv_get(t, KEY_PRUNED, 17, &pv, &pl) == BLVM_KV_OK;
    blvm_kv_abort(t);
    if (ok && (size_t)last > n) ok = false;
    if (ok) ok = blvm_blockstore_load(cs->bs, infos, n, last);
    free(infos);
    return ok;
}

/* ------------------------------------------------------------------ */
/* pruning and flushing                                                */

/* Core's FindFilesToPrune / FindFilesToPruneManual. Marks the blocks of each
 * chosen file as having no data; returns how many files (in out). */
static size_t find_files_to_prune(blvm_chainstate *cs, int32_t manual_height, int *out,
                                  size_t cap) {
    blvm_block_index *t = tip(cs);
    if (!t || cs->reindexing) return 0;
    int32_t last_prunable = t->entry.height - MIN_BLOCKS_TO_KEEP;
    if (manual_height >= 0 && manual_height < last_prunable) last_prunable = manual_height;
    if (last_prunable < 0) return 0;
    uint64_t usage = blvm_blockstore_disk_usage(cs->bs);
    uint64_t buffer = cs->opt.max_blockfile_size
                          ? 0
                          : (uint64_t)BLVM_BLOCKFILE_CHUNK_SIZE + BLVM_UNDOFILE_CHUNK_SIZE;
    uint64_t target = cs->opt.prune_target_bytes;
    if (manual_height < 0 && usage + buffer < target) return 0;
    /* Core's FindFilesToPrune: no automatic pruning of a short chain. */
    if (manual_height < 0 && t->entry.height <= blvm_chainstate_prune_after_height(cs)) return 0;
    size_t k = 0;
    int last_file = blvm_blockstore_last_file(cs->bs);
    for (int f = 0; f < last_file && k < cap; f++) {
        blvm_blockfile_info info;
        if (!blvm_blockstore_get_info(cs->bs, f, &info) || info.size == 0) continue;
        if (manual_height < 0 && usage + buffer < target) break;
        if (info.height_last > (uint32_t)last_prunable) continue;
        out[k++] = f;
        usage -= info.size + info.undo_size;
    }
    if (!k) return 0;
    for (size_t i = 0; i < cs->tree.count; i++) {
        blvm_block_index *b = cs->tree.all[i];
        for (size_t j = 0; j < k; j++) {
            if (b->file == out[j] && (b->status & (BLVM_BLOCK_HAVE_DATA | BLVM_BLOCK_HAVE_UNDO))) {
                b->status &= ~(uint32_t)(BLVM_BLOCK_HAVE_DATA | BLVM_BLOCK_HAVE_UNDO);
                b->file = -1;
                b->data_pos = b->undo_pos = 0;
                b->dirty = true;
                if (b != tip(cs)) array_remove(cs->cand, &cs->ncand, b);
                array_remove(cs->unlinked, &cs->nunlinked, b);
            }
        }
    }
    cs->have_pruned = true;
    return k;
}

enum { FLUSH_IF_NEEDED, FLUSH_PERIODIC, FLUSH_ALWAYS };

static bool flush_state(blvm_chainstate *cs, int mode, int32_t manual_prune_height) {
    /* A cache that could not be rolled back holds a state that belongs to
     * no block: writing it would corrupt the store. The next start replays
     * from the last good flush instead. */
    if (cs->coins_poisoned) return false;
    bool cache_full = blvm_coins_usage(cs->coins) > cs->opt.dbcache_bytes;
    int64_t now = now_seconds(cs);
    bool periodic = now - cs->last_flush >= cs->opt.flush_interval;
    int pruned[64];
    size_t npruned = 0;
    if (cs->opt.prune_target_bytes || manual_prune_height >= 0)
        npruned = find_files_to_prune(cs, manual_prune_height, pruned, 64);
    bool do_flush =
        mode == FLUSH_ALWAYS || cache_full || npruned || (mode == FLUSH_PERIODIC && periodic);
    if (!do_flush) return true;

    /* Block data first: nothing may point at data that is not on disk. */
    if (!blvm_blockstore_flush(cs->bs)) {
        fatal_error(cs, "failed to sync block files: %s", strerror(errno));
        return false;
    }
    blvm_block_index *t = tip(cs);
    static const uint8_t zero[32] = {0};
    blvm_coins_set_best(cs->coins, t ? t->entry.hash : zero);
    int files[4096];
    size_t nfiles = blvm_blockstore_take_dirty(cs->bs, files, BLVM_ARRAY_LEN(files));
    for (size_t i = 0; i < npruned && nfiles < BLVM_ARRAY_LEN(files); i++) {
        bool seen = false;
        for (size_t j = 0; j < nfiles; j++)
            seen |= files[j] == pruned[i];
        if (!seen) files[nfiles++] = pruned[i];
    }
    flush_extra x = {.cs = cs,
                     .files = files,
                     .nfiles = nfiles,
                     .pruned = pruned,
                     .npruned = npruned,
                     .clear_reindex_flag = !cs->reindexing};
    int rc = blvm_coins_flush(cs->coins, !cache_full, write_extra, &x);
    if (rc != BLVM_KV_OK) {
        blvm_blockstore_mark_all_dirty(cs->bs);
        fatal_error(cs, "failed to write the chainstate: %s", blvm_kv_strerror(rc));
        return false;
    }
    blvm_block_tree_clear_dirty(&cs->tree);
    for (size_t i = 0; i < npruned; i++) {
        if (!blvm_blockstore_remove_file(cs->bs, pruned[i]))
            cs_log(cs, BLVM_CS_LOG_WARN, "could not delete block file %d", pruned[i]);
        else
            cs_log(cs, BLVM_CS_LOG_INFO, "pruned block file %d", pruned[i]);
    }
    /* remove_file marked the (already written) zero infos dirty again */
    if (npruned) (void)blvm_blockstore_take_dirty(cs->bs, files, BLVM_ARRAY_LEN(files));
    cs->last_flush = now;
    cs->stats.flushes++;
    return true;
}

/* ------------------------------------------------------------------ */
/* reading blocks                                                      */

static bool read_block_at(blvm_chainstate *cs, const blvm_block_index *b, blvm_block *out) {
    blvm_block_init(out);
    blvm_flatpos pos = blvm_block_index_data_pos(b);
    if (pos.file < 0) return false;
    uint8_t *raw;
    size_t len;
    if (!blvm_blockstore_read_block(cs->bs, &pos, &raw, &len)) return false;
    bool ok = blvm_block_decode_bytes(out, raw, len);
    free(raw);
    if (ok) {
        uint8_t h[32];
        blvm_header_hash(&out->header, h);
        if (memcmp(h, b->entry.hash, 32) != 0) {
            blvm_block_clear(out);
            ok = false;
        }
    }
    return ok;
}

static bool read_undo_at(blvm_chainstate *cs, const blvm_block_index *b, blvm_block_undo *out) {
    blvm_block_undo_init(out);
    blvm_flatpos pos = blvm_block_index_undo_pos(b);
    if (pos.file < 0 || !b->entry.prev) return false;
    uint8_t *raw;
    size_t len;
    if (!blvm_blockstore_read_undo(cs->bs, &pos, b->entry.prev->hash, &raw, &len)) return false;
    bool ok = blvm_block_undo_decode(out, raw, len);
    free(raw);
    return ok;
}

/* ------------------------------------------------------------------ */
/* connect / disconnect                                                */

/* Undoes transactions [0, ntx) of block (in reverse), restoring the coins
 * in undo. Core's DisconnectBlock: returns false when the undo data does not
 * fit the block or on a store error (DISCONNECT_FAILED); *clean is false
 * when the coins did not match (DISCONNECT_UNCLEAN). Changes are made as it
 * goes: disconnect_tip runs it under a coins journal to undo them. */
static bool disconnect_txs(blvm_chainstate *cs, const blvm_block *block, int32_t height,
                           const blvm_block_undo *undo, size_t ntx, bool *clean) {
    *clean = true;
    /* Core's DisconnectBlock: the two blocks whose coinbase repeats an
     * earlier one (BIP30 exceptions, mainnet 91722 and 91812) leave no
     * coinbase coin of their own to find. */
    bool bip30_repeat = false;
    if (ntx) {
        uint8_t bh[32];
        blvm_header_hash(&block->header, bh);
        bip30_repeat = blvm_is_bip30_repeat(cs->params, height, bh);
    }
    for (size_t i = ntx; i-- > 0;) {
        const blvm_tx *tx = &block->txs[i];
        bool is_cb = i == 0;
        for (size_t o = 0; o < tx->vout_count; o++) {
            if (blvm_script_is_unspendable(tx->vout[o].script_pubkey.data,
                                           tx->vout[o].script_pubkey.len))
                continue;
            blvm_outpoint op;
            memcpy(op.hash, tx->txid, 32);
            op.n = (uint32_t)o;
            blvm_coin coin;
            int rc = blvm_coins_spend(cs->coins, &op, &coin);
            if (rc < 0) return false;
            if ((rc == 0 || coin.out.value != tx->vout[o].value ||
                 coin.height != (uint32_t)height || coin.coinbase != is_cb ||
                 coin.out.script_pubkey.len != tx->vout[o].script_pubkey.len ||
                 (coin.out.script_pubkey.len &&
                  memcmp(coin.out.script_pubkey.data, tx->vout[o].script_pubkey.data,
                         coin.out.script_pubkey.len) != 0)) &&
                !(is_cb && bip30_repeat))
                *clean = false;
            blvm_coin_clear(&coin);
        }
        if (is_cb) continue;
        const blvm_tx_undo *tu = &undo->txs[i - 1];
        if (tu->count != tx->vin_count) return false;
        for (size_t j = tx->vin_count; j-- > 0;) {
            blvm_coin c;
            if (!blvm_coin_copy(&c, &tu->coins[j])) return false;
            /* Core's ApplyTxInUndo: an unspent coin already there is unclean */
            int have = blvm_coins_have(cs->coins, &tx->vin[j].prevout);
            if (have < 0) {
                blvm_coin_clear(&c);
                return false;
            }
            if (have) *clean = false;
            if (!blvm_coins_add(cs->coins, &tx->vin[j].prevout, &c, have != 0)) {
                blvm_coin_clear(&c);
                return false;
            }
        }
    }
    return true;
}

static bool assume_valid_applies(blvm_chainstate *cs, const blvm_block_index *b) {
    /* Core's ConnectBlock: skip scripts when the block is an ancestor of the
     * assumed-valid block and of the best header (which need not contain the
     * assumed-valid block itself), the best header has the minimum chain
     * work, and it is more than two weeks of work past this block. */
    if (!cs->has_assume_valid) return false;
    blvm_block_index *av = blvm_block_tree_find(&cs->tree, cs->assume_valid);
    if (!av || blvm_block_index_ancestor(av, b->entry.height) != b) return false;
    if (!cs->best_header || blvm_block_index_ancestor(cs->best_header, b->entry.height) != b)
        return false;
    if (blvm_u256_cmp(&cs->best_header->entry.chain_work, &cs->params->minimum_chain_work) < 0)
        return false;
    return blvm_pow_proof_equivalent_time(&cs->best_header->entry, &b->entry,
                                          &cs->best_header->entry,
                                          cs->params) > 60 * 60 * 24 * 7 * 2;
}

typedef struct {
    blvm_spent_coin *spent;
    blvm_txout *spent_outs;
    int32_t *prev_heights;
    size_t cap;
} input_scratch;

static bool scratch_reserve(input_scratch *s, size_t n) {
    if (n <= s->cap) return true;
    size_t cap = s->cap ? s->cap : 16;
    while (cap < n)
        cap *= 2;
    blvm_spent_coin *a = realloc(s->spent, cap * sizeof(*a));
    if (a) s->spent = a;
    int32_t *c = realloc(s->prev_heights, cap * sizeof(*c));
    if (c) s->prev_heights = c;
    if (!a || !c) return false;
    s->cap = cap;
    return true;
}

/* Core's ConnectBlock against the coins cache. On failure nothing is
 * changed (applied transactions are rolled back). undo is filled. */
static bool connect_block(blvm_chainstate *cs, const blvm_block *block, blvm_block_index *idx,
                          blvm_block_undo *undo, blvm_validation_state *state) {
    const blvm_params *p = cs->params;
    int32_t height = idx->entry.height;
    blvm_block_undo_init(undo);

    /* The block may come from disk: check it again (Core does), except for
     * TestBlockValidity (Core's fJustCheck), whose caller checked it with
     * its own proof-of-work and merkle root flags. */
    if (!blvm_check_block(block, cs->params, !cs->just_check, !cs->just_check, state)) {
        /* Mutated here means the stored copy was damaged after it passed
         * these checks: Core stops with a fatal error. Not the block's
         * fault, so never mark it invalid (and never retry it forever). */
        if (state->mode == BLVM_STATE_INVALID && state->result == BLVM_BLOCK_MUTATED)
            return blvm_state_error(state, "corrupt block found indicating potential hardware "
                                           "failure");
        return false;
    }

    if (is_genesis_hash(cs, idx->entry.hash)) return true; /* its coinbase is not spendable */

    if (blvm_bip30_check_needed(p, &idx->entry)) {
        for (size_t i = 0; i < block->tx_count; i++) {
            const blvm_tx *tx = &block->txs[i];
            for (size_t o = 0; o < tx->vout_count; o++) {
                blvm_outpoint op;
                memcpy(op.hash, tx->txid, 32);
                op.n = (uint32_t)o;
                int have = blvm_coins_have(cs->coins, &op);
                if (have < 0) return blvm_state_error(state, "coins database read failed");
                if (have)
                    return blvm_state_invalid(state, BLVM_BLOCK_CONSENSUS, "bad-txns-BIP30",
                                              "tried to overwrite transaction");
            }
        }
    }

    bool script_checks = !assume_valid_applies(cs, idx);
    uint32_t flags = blvm_block_script_flags(p, height, idx->entry.hash);
    uint32_t lock_flags = blvm_params_deployment_active(p, BLVM_DEPLOYMENT_CSV, height)
                              ? BLVM_LOCKTIME_VERIFY_SEQUENCE
                              : 0;
    if (block->tx_count > 1 && !blvm_block_undo_resize(undo, block->tx_count - 1))
        return blvm_state_error(state, "out of memory");
    blvm_tx_precomputed *txdata = calloc(block->tx_count, sizeof(*txdata));
    blvm_txout **spent_outs = calloc(block->tx_count, sizeof(*spent_outs));
    input_scratch sc = {0};
    size_t applied = 0;
    bool ok = txdata && spent_outs;
    if (!ok) blvm_state_error(state, "out of memory");
    blvm_amount fees = 0;
    uint64_t sigops = 0;
    blvm_script_check *checks = NULL;
    size_t checks_cap = 0;

    for (size_t i = 0; ok && i < block->tx_count; i++) {
        const blvm_tx *tx = &block->txs[i];
        bool is_cb = i == 0;
        if (!is_cb) {
            if (!scratch_reserve(&sc, tx->vin_count) ||
                !(spent_outs[i] = calloc(tx->vin_count, sizeof(blvm_txout)))) {
                ok = blvm_state_error(state, "out of memory");
                break;
            }
            for (size_t j = 0; j < tx->vin_count; j++) {
                const blvm_coin *coin;
                int rc = blvm_coins_get(cs->coins, &tx->vin[j].prevout, &coin);
                if (rc < 0) {
                    ok = blvm_state_error(state, "coins database read failed");
                    break;
                }
                if (rc == 0) {
                    char txid[65];
                    hash_hex(txid, tx->txid);
                    ok = blvm_state_invalid(
                        state, BLVM_BLOCK_CONSENSUS, "bad-txns-inputs-missingorspent",
                        "CheckTxInputs: inputs missing/spent in transaction %s", txid);
                    break;
                }
                sc.spent[j].value = coin->out.value;
                sc.spent[j].height = (int32_t)coin->height;
                sc.spent[j].is_coinbase = coin->coinbase;
                sc.prev_heights[j] = (int32_t)coin->height;
                spent_outs[i][j] = coin->out; /* shallow: the script moves to undo below */
            }
            if (!ok) break;
            blvm_validation_state txs;
            blvm_state_init(&txs);
            blvm_amount fee = 0;
            if (!blvm_check_tx_inputs(tx, sc.spent, height, &fee, &txs)) {
                char txid[65];
                hash_hex(txid, tx->txid);
                ok = blvm_state_invalid(state, BLVM_BLOCK_CONSENSUS, txs.reject_reason,
                                        "%s in transaction %s", txs.debug, txid);
                break;
            }
            fees += fee;
            if (!blvm_money_range(fees)) {
                ok = blvm_state_invalid(state, BLVM_BLOCK_CONSENSUS,
                                        "bad-txns-accumulated-fee-outofrange",
                                        "accumulated fee in the block out of range");
                break;
            }
            if (!blvm_sequence_locks_check(tx, lock_flags, sc.prev_heights, &idx->entry)) {
                ok = blvm_state_invalid(state, BLVM_BLOCK_CONSENSUS, "bad-txns-nonfinal",
                                        "contains a non-BIP68-final transaction");
                break;
            }
        }
        sigops += blvm_tx_sigop_cost(tx, is_cb ? NULL : spent_outs[i], flags);
        if (sigops > BLVM_MAX_BLOCK_SIGOPS_COST) {
            ok = blvm_state_invalid(state, BLVM_BLOCK_CONSENSUS, "bad-blk-sigops",
                                    "too many sigops");
            break;
        }
        if (!is_cb && script_checks) {
            blvm_tx_precompute(&txdata[i], tx, spent_outs[i], false);
            if (tx->vin_count > checks_cap) {
                size_t nc = checks_cap ? checks_cap : 16;
                while (nc < tx->vin_count)
                    nc *= 2;
                blvm_script_check *ncks = realloc(checks, nc * sizeof(*ncks));
                if (!ncks) {
                    ok = blvm_state_error(state, "out of memory");
                    break;
                }
                checks = ncks;
                checks_cap = nc;
            }
            for (size_t j = 0; j < tx->vin_count; j++)
                checks[j] = (blvm_script_check){tx, j, &spent_outs[i][j], &txdata[i], flags};
            if (!blvm_checkqueue_add(cs->checks, checks, tx->vin_count)) {
                ok = blvm_state_error(state, "out of memory");
                break;
            }
        }
        /* UpdateCoins: spend the inputs into the undo data, add the outputs */
        if (!is_cb) {
            blvm_tx_undo *tu = &undo->txs[i - 1];
            if (!blvm_tx_undo_resize(tu, tx->vin_count)) {
                ok = blvm_state_error(state, "out of memory");
                break;
            }
            for (size_t j = 0; j < tx->vin_count; j++) {
                int rc = blvm_coins_spend(cs->coins, &tx->vin[j].prevout, &tu->coins[j]);
                if (rc != 1) { /* cannot happen: the coin was just found */
                    ok = blvm_state_error(state, "coins changed during connect");
                    break;
                }
            }
            if (!ok) {
                applied = i; /* cannot happen: every coin was just found in the cache */
                break;
            }
        }
        for (size_t o = 0; ok && o < tx->vout_count; o++) {
            const blvm_txout *out = &tx->vout[o];
            if (blvm_script_is_unspendable(out->script_pubkey.data, out->script_pubkey.len))
                continue;
            blvm_coin c;
            blvm_coin_init(&c);
            c.out.value = out->value;
            c.height = (uint32_t)height;
            c.coinbase = is_cb;
            blvm_outpoint op;
            memcpy(op.hash, tx->txid, 32);
            op.n = (uint32_t)o;
            if (!blvm_script_set(&c.out.script_pubkey, out->script_pubkey.data,
                                 out->script_pubkey.len) ||
                !blvm_coins_add(cs->coins, &op, &c, is_cb)) {
                blvm_coin_clear(&c);
                ok = blvm_state_error(state, "out of memory adding coin");
            }
        }
        applied = i + 1;
        cs->stats.inputs_connected += is_cb ? 0 : tx->vin_count;
    }

    if (ok) {
        blvm_amount reward = fees + blvm_block_subsidy(height, p);
        blvm_amount cb_out = 0;
        for (size_t o = 0; o < block->txs[0].vout_count; o++)
            cb_out += block->txs[0].vout[o].value;
        if (cb_out > reward)
            ok = blvm_state_invalid(state, BLVM_BLOCK_CONSENSUS, "bad-cb-amount",
                                    "coinbase pays too much (actual=%lld vs limit=%lld)",
                                    (long long)cb_out, (long long)reward);
    }
    /* Always join the workers: they read this block's data. */
    blvm_script_error serr;
    blvm_script_check failed;
    bool scripts_ok = blvm_checkqueue_complete(cs->checks, &serr, &failed);
    if (ok && !scripts_ok) {
        if (serr == BLVM_SCRIPT_ERR_UNKNOWN_ERROR) {
            ok = blvm_state_invalid(state, BLVM_BLOCK_CONSENSUS,
                                    "mandatory-script-verify-flag-failed (unknown error)", NULL);
        } else {
            char txid[65];
            hash_hex(txid, failed.tx->txid);
            ok = blvm_state_invalid(state, BLVM_BLOCK_CONSENSUS, "", "input %zu of %s", failed.n_in,
                                    txid);
            snprintf(state->reject_reason, sizeof state->reject_reason,
                     "mandatory-script-verify-flag-failed (%s)", blvm_script_error_string(serr));
        }
    }
    if (!ok && applied) {
        /* Undo the transactions applied so far, last first. */
        bool clean;
        if (!disconnect_txs(cs, block, height, undo, applied, &clean)) {
            cs->coins_poisoned = true;
            fatal_error(cs, "rollback of a failed block failed");
        }
    }
    for (size_t i = 0; i < block->tx_count && spent_outs; i++)
        free(spent_outs[i]);
    free(spent_outs);
    free(txdata);
    free(checks);
    free(sc.spent);
    free(sc.prev_heights);
    if (!ok) blvm_block_undo_clear(undo);
    return ok;
}

static void notify_tip_locked(blvm_chainstate *cs) {
    cs->tip_changes++;
    pthread_cond_broadcast(&cs->tip_cv);
}

static void log_tip(blvm_chainstate *cs, const char *what) {
    blvm_block_index *t = tip(cs);
    if (!t) return;
    int64_t now = now_seconds(cs);
    /* While catching up (start-up, reindex, import) one line every 10 s. */
    if (cs->bulk && now - cs->progress_time < 10) return;
    char h[65];
    hash_hex(h, t->entry.hash);
    double rate = 0;
    if (cs->progress_time && now > cs->progress_time)
        rate = (double)(t->entry.height - cs->progress_height) / (double)(now - cs->progress_time);
    cs_log(cs, BLVM_CS_LOG_INFO,
           "%s: new best=%s height=%d tx=%llu date=%u progress=%f blocks/s=%.1f cache=%.1fMiB",
           what, h, t->entry.height, (unsigned long long)t->chain_tx, t->entry.time,
           blvm_guess_verification_progress(cs->params, t->chain_tx, t->entry.time, now), rate,
           (double)blvm_coins_usage(cs->coins) / 1048576.0);
    cs->progress_time = now;
    cs->progress_height = t->entry.height;
}

static void record_watch(blvm_chainstate *cs, const blvm_block_index *b,
                         const blvm_validation_state *st) {
    if (cs->watch_active && memcmp(cs->watch_hash, b->entry.hash, 32) == 0) {
        cs->watch_checked = true;
        cs->watch_state = *st;
    }
}

/* Core's InvalidBlockFound. */
static void invalid_block_found(blvm_chainstate *cs, blvm_block_index *b,
                                const blvm_validation_state *st) {
    if (st->result != BLVM_BLOCK_MUTATED) {
        b->status |= BLVM_BLOCK_FAILED_VALID;
        b->dirty = true;
        array_remove(cs->cand, &cs->ncand, b);
        /* Core's AcceptBlockHeader refuses ("bad-prevblk") a header on any
         * descendant of a block found invalid (its m_failed_blocks walk):
         * mark the descendants known now, so the parent check catches them
         * and the best header leaves the invalid branch. */
        for (size_t i = 0; i < cs->tree.count; i++) {
            blvm_block_index *x = cs->tree.all[i];
            if (x->entry.height > b->entry.height &&
                blvm_block_index_ancestor(x, b->entry.height) == b) {
                x->status |= BLVM_BLOCK_FAILED_CHILD;
                x->dirty = true;
                array_remove(cs->cand, &cs->ncand, x);
            }
        }
        if (cs->best_header == b ||
            (cs->best_header && blvm_block_index_ancestor(cs->best_header, b->entry.height) == b))
            recompute_best_header(cs);
    }
    char h[65];
    hash_hex(h, b->entry.hash);
    cs_log(cs, BLVM_CS_LOG_WARN, "invalid block %s at height %d: %s%s%s", h, b->entry.height,
           st->reject_reason, st->debug[0] ? ", " : "", st->debug);
}

/* Core's ConnectTip. Returns false with an ERROR state on internal failure;
 * an invalid block returns true with *invalid set. */
static bool connect_tip(blvm_chainstate *cs, blvm_block_index *b, const blvm_block *hint,
                        bool *invalid) {
    *invalid = false;
    blvm_block local;
    const blvm_block *block = hint;
    if (!block) {
        if (!read_block_at(cs, b, &local)) {
            char h[65];
            hash_hex(h, b->entry.hash);
            cs_log(cs, BLVM_CS_LOG_ERROR, "failed to read block %s from disk", h);
            return false;
        }
        block = &local;
    }
    blvm_validation_state st;
    blvm_state_init(&st);
    blvm_block_undo undo;
    bool ok = connect_block(cs, block, b, &undo, &st);
    record_watch(cs, b, &st);
    bool ret = true;
    if (!ok) {
        if (st.mode == BLVM_STATE_ERROR) {
            cs_log(cs, BLVM_CS_LOG_ERROR, "ConnectBlock failed: %s", st.reject_reason);
            ret = false;
        } else {
            invalid_block_found(cs, b, &st);
            *invalid = true;
        }
    } else {
        if (b->entry.prev && !(b->status & BLVM_BLOCK_HAVE_UNDO)) {
            blvm_writer w;
            blvm_writer_init(&w);
            blvm_block_undo_encode(&undo, &w);
            blvm_flatpos pos;
            if (w.err || !blvm_blockstore_write_undo(cs->bs, b->file, w.data, w.len,
                                                     b->entry.prev->hash, &pos)) {
                /* Disk full or I/O error: put the coins back (the block is
                 * not connected) and stop, as Core does. */
                fatal_error(cs, "failed to write undo data: %s", strerror(errno));
                ret = false;
                bool clean;
                if (!disconnect_txs(cs, block, b->entry.height, &undo, block->tx_count, &clean))
                    cs->coins_poisoned = true;
            } else {
                b->undo_pos = pos.pos;
                b->status |= BLVM_BLOCK_HAVE_UNDO;
                b->dirty = true;
            }
            blvm_writer_clear(&w);
        }
        if (ret) {
            blvm_block_index_raise_validity(b, BLVM_BLOCK_VALID_SCRIPTS);
            if (!blvm_active_chain_set_tip(&cs->chain, b))
                ret = false;
            else {
                blvm_coins_set_best(cs->coins, b->entry.hash);
                cs->stats.blocks_connected++;
                notify_tip_locked(cs);
                log_tip(cs, "UpdateTip");
            }
        }
    }
    blvm_block_undo_clear(&undo);
    if (block == &local) blvm_block_clear(&local);
    return ret;
}

/* Core's DisconnectTip. */
static bool disconnect_tip(blvm_chainstate *cs) {
    blvm_block_index *b = tip(cs);
    if (!b || !b->entry.prev) return false;
    blvm_block block;
    blvm_block_undo undo;
    char h[65];
    hash_hex(h, b->entry.hash);
    if (!read_block_at(cs, b, &block)) {
        cs_log(cs, BLVM_CS_LOG_ERROR, "failed to read block %s to disconnect it", h);
        return false;
    }
    if (!read_undo_at(cs, b, &undo)) {
        blvm_block_clear(&block);
        cs_log(cs, BLVM_CS_LOG_ERROR, "failed to read undo data of block %s", h);
        return false;
    }
    /* Core's DisconnectTip disconnects into a scratch view and keeps it only
     * when DisconnectBlock says DISCONNECT_OK. Here the journal plays the
     * scratch view. (Before, an unclean disconnect was only logged and
     * kept, and one that failed half way left the cache half disconnected
     * under the old tip, for the next flush to write to disk.) */
    bool clean = true;
    bool journal = blvm_coins_journal_begin(cs->coins);
    bool ok = journal && undo.count + 1 == block.tx_count &&
              disconnect_txs(cs, &block, b->entry.height, &undo, block.tx_count, &clean);
    blvm_block_clear(&block);
    blvm_block_undo_clear(&undo);
    blvm_block_index *prev = blvm_block_index_prev(b);
    if (ok && clean) ok = blvm_active_chain_set_tip(&cs->chain, prev);
    if (!ok || !clean) {
        if (journal && !blvm_coins_journal_rollback(cs->coins)) {
            cs->coins_poisoned = true;
            fatal_error(cs, "out of memory undoing a failed disconnect of block %s", h);
        }
        cs_log(cs, BLVM_CS_LOG_ERROR, "failed to disconnect block %s: %s", h,
               !ok ? "its undo data does not fit the block (or a read failed)"
                   : "the coins do not match its undo data (unclean)");
        return false;
    }
    blvm_coins_journal_end(cs->coins);
    blvm_coins_set_best(cs->coins, prev->entry.hash);
    cs->stats.blocks_disconnected++;
    notify_tip_locked(cs);
    return true;
}

/* Core's ActivateBestChain. hint: the block just received (its decoded
 * form saves a read from disk). Returns false on an internal error. */
static bool activate_best_chain(blvm_chainstate *cs, const blvm_block *hint,
                                const blvm_block_index *hint_index) {
    for (;;) {
        blvm_block_index *best = find_most_work_chain(cs);
        blvm_block_index *t = tip(cs);
        if (!best || best == t || (t && !better(best, t))) break;
        blvm_block_index *fork = blvm_active_chain_find_fork(&cs->chain, best);
        /* disconnect down to the fork */
        while (tip(cs) && tip(cs) != fork) {
            if (!disconnect_tip(cs)) return false;
        }
        /* connect towards best, lowest first */
        int32_t from = fork ? fork->entry.height + 1 : 0;
        bool invalid = false;
        for (int32_t h = from; h <= best->entry.height && !invalid; h++) {
            if (stopping(cs)) return flush_state(cs, FLUSH_PERIODIC, -1);
            blvm_block_index *b = blvm_block_index_ancestor(best, h);
            const blvm_block *blk = b == hint_index ? hint : NULL;
            if (!connect_tip(cs, b, blk, &invalid)) return false;
            if (!invalid && !flush_state(cs, FLUSH_IF_NEEDED, -1)) return false;
        }
        prune_candidates(cs);
    }
    prune_candidates(cs);
    return flush_state(cs, FLUSH_PERIODIC, -1);
}

/* ------------------------------------------------------------------ */
/* accepting headers and blocks                                        */

/* Core's ReceivedBlockTransactions: the block has data now; link it and any
 * waiting descendants into chain_tx and the candidates. */
static void received_block_transactions(blvm_chainstate *cs, blvm_block_index *b, uint32_t ntx,
                                        const blvm_flatpos *pos) {
    b->tx_count = ntx;
    b->file = pos->file;
    b->data_pos = pos->pos;
    b->status |= BLVM_BLOCK_HAVE_DATA;
    if (blvm_params_deployment_active(cs->params, BLVM_DEPLOYMENT_SEGWIT, b->entry.height))
        b->status |= BLVM_BLOCK_OPT_WITNESS;
    blvm_block_index_raise_validity(b, BLVM_BLOCK_VALID_TRANSACTIONS);
    b->dirty = true;
    blvm_block_index *prev = blvm_block_index_prev(b);
    if (prev && !prev->chain_tx) {
        (void)array_push(&cs->unlinked, &cs->nunlinked, &cs->unlinked_cap, b);
        return;
    }
    /* breadth-first over b and unlinked descendants */
    blvm_block_index **queue = NULL;
    size_t qn = 0, qcap = 0;
    (void)array_push(&queue, &qn, &qcap, b);
    for (size_t qi = 0; qi < qn; qi++) {
        blvm_block_index *x = queue[qi];
        blvm_block_index *xp = blvm_block_index_prev(x);
        x->chain_tx = (xp ? xp->chain_tx : 0) + x->tx_count;
        x->sequence_id = cs->next_sequence_id++;
        add_candidate(cs, x);
        for (size_t i = 0; i < cs->nunlinked;) {
            if (blvm_block_index_prev(cs->unlinked[i]) == x) {
                (void)array_push(&queue, &qn, &qcap, cs->unlinked[i]);
                cs->unlinked[i] = cs->unlinked[--cs->nunlinked];
            } else {
                i++;
            }
        }
    }
    free(queue);
}

/* Core's AcceptBlockHeader. */
static bool accept_header(blvm_chainstate *cs, const blvm_block_header *h, const uint8_t hash[32],
                          blvm_block_index **out, blvm_validation_state *state) {
    *out = NULL;
    blvm_block_index *b = blvm_block_tree_find(&cs->tree, hash);
    if (b) {
        *out = b;
        if (b->status & BLVM_BLOCK_FAILED_MASK)
            return blvm_state_invalid(state, BLVM_BLOCK_CACHED_INVALID, "duplicate-invalid",
                                      "block is marked invalid");
        return true;
    }
    if (!blvm_check_block_header(h, cs->params, state)) return false;
    if (is_genesis_hash(cs, hash)) {
        b = blvm_block_tree_add(&cs->tree, h, hash);
        if (!b) return blvm_state_error(state, "out of memory");
        update_best_header(cs, b);
        *out = b;
        return true;
    }
    blvm_block_index *prev = blvm_block_tree_find(&cs->tree, h->prev_hash);
    if (!prev)
        return blvm_state_invalid(state, BLVM_BLOCK_MISSING_PREV, "prev-blk-not-found",
                                  "prevblock not found");
    if (prev->status & BLVM_BLOCK_FAILED_MASK)
        return blvm_state_invalid(state, BLVM_BLOCK_INVALID_PREV, "bad-prevblk",
                                  "previous block is invalid");
    if (!blvm_contextual_check_block_header(h, &prev->entry, cs->params, now_seconds(cs), state))
        return false;
    b = blvm_block_tree_add(&cs->tree, h, hash);
    if (!b) return blvm_state_error(state, "out of memory");
    update_best_header(cs, b);
    *out = b;
    return true;
}

/* Core's AcceptBlock: header, checks, then storage. pos: where the block
 * already sits in our files (reindex/replay), or NULL to write it. */
static bool accept_block(blvm_chainstate *cs, const blvm_block *block, const uint8_t hash[32],
                         const uint8_t *raw, size_t raw_len, const blvm_flatpos *pos,
                         blvm_block_index **out, bool *new_block, blvm_validation_state *state) {
    *new_block = false;
    blvm_block_index *b;
    if (!accept_header(cs, &block->header, hash, &b, state)) {
        *out = b;
        return false;
    }
    *out = b;
    if (b->status & BLVM_BLOCK_HAVE_DATA) return true; /* duplicate */

    blvm_block_index *prev = blvm_block_index_prev(b);
    if (!blvm_check_block(block, cs->params, true, true, state) ||
        (prev && !blvm_contextual_check_block(block, &prev->entry, cs->params, state))) {
        if (state->mode == BLVM_STATE_INVALID) {
            record_watch(cs, b, state);
            invalid_block_found(cs, b, state);
        }
        return false;
    }

    blvm_flatpos p;
    if (pos) {
        p = *pos;
        if (!blvm_blockstore_adopt_block(cs->bs, &p, raw_len, (uint32_t)b->entry.height,
                                         b->entry.time))
            return blvm_state_error(state, "failed to record block position");
    } else {
        blvm_writer w;
        blvm_writer_init(&w);
        const uint8_t *data = raw;
        size_t len = raw_len;
        if (!data) {
            blvm_block_encode(block, &w, true);
            if (w.err) {
                blvm_writer_clear(&w);
                return blvm_state_error(state, "out of memory");
            }
            data = w.data;
            len = w.len;
        }
        bool ok = blvm_blockstore_write_block(cs->bs, data, len, (uint32_t)b->entry.height,
                                              b->entry.time, &p);
        blvm_writer_clear(&w);
        if (!ok) {
            fatal_error(cs, "failed to write block: %s", strerror(errno));
            return blvm_state_error(state, "failed to write block");
        }
    }
    received_block_transactions(cs, b, (uint32_t)block->tx_count, &p);
    *new_block = true;
    return true;
}

static bool pending_add(blvm_chainstate *cs, const blvm_block *block, const uint8_t *raw,
                        size_t len, const blvm_flatpos *pos) {
    if (cs->npending == cs->pending_cap) {
        size_t nc = cs->pending_cap ? cs->pending_cap * 2 : 16;
        pending_block *np = realloc(cs->pending, nc * sizeof(*np));
        if (!np) return false;
        cs->pending = np;
        cs->pending_cap = nc;
    }
    pending_block *pb = &cs->pending[cs->npending];
    pb->raw = malloc(len);
    if (!pb->raw) return false;
    memcpy(pb->raw, raw, len);
    pb->len = len;
    memcpy(pb->prev, block->header.prev_hash, 32);
    pb->pos = pos ? *pos : (blvm_flatpos){-1, 0};
    cs->npending++;
    return true;
}

static void pending_clear(blvm_chainstate *cs) {
    for (size_t i = 0; i < cs->npending; i++)
        free(cs->pending[i].raw);
    free(cs->pending);
    cs->pending = NULL;
    cs->npending = cs->pending_cap = 0;
}

/* Accepts one raw block from a file (import, reindex or replay); blocks with
 * an unknown parent wait in `pending` and are accepted once it arrives.
 * Returns false when the bytes are not a block. */
static bool import_one(blvm_chainstate *cs, const uint8_t *raw, size_t len, const blvm_flatpos *pos,
                       bool activate, uint64_t *imported) {
    blvm_block block;
    if (!blvm_block_decode_bytes(&block, raw, len)) return false;
    uint8_t hash[32];
    blvm_header_hash(&block.header, hash);
    blvm_block_index *known = blvm_block_tree_find(&cs->tree, hash);
    if (known && (known->status & BLVM_BLOCK_HAVE_DATA)) {
        blvm_block_clear(&block);
        return true;
    }
    if (!is_genesis_hash(cs, hash) && !blvm_block_tree_find(&cs->tree, block.header.prev_hash)) {
        (void)pending_add(cs, &block, raw, len, pos);
        blvm_block_clear(&block);
        return true;
    }
    /* accept it, then anything that was waiting for it */
    uint8_t done[32];
    memcpy(done, hash, 32);
    blvm_validation_state st;
    blvm_state_init(&st);
    blvm_block_index *b;
    bool nb;
    if (accept_block(cs, &block, hash, raw, len, pos, &b, &nb, &st) && nb) {
        if (imported) (*imported)++;
        if (activate) (void)activate_best_chain(cs, &block, b);
    }
    blvm_block_clear(&block);
    for (size_t i = 0; i < cs->npending; i++) {
        if (memcmp(cs->pending[i].prev, done, 32) != 0) continue;
        pending_block pb = cs->pending[i];
        cs->pending[i] = cs->pending[--cs->npending];
        (void)import_one(cs, pb.raw, pb.len, pb.pos.file >= 0 ? &pb.pos : NULL, activate, imported);
        free(pb.raw);
        i = (size_t)-1; /* the array changed: start over */
    }
    return true;
}

typedef struct {
    blvm_chainstate *cs;
    int file; /* our own file number, -1 for an external file */
    bool activate;
    uint64_t imported;
} scan_ctx;

static void notify_listener(blvm_chainstate *cs, uint64_t before);

/* One record of a scanned file. The lock is taken per block, so RPC calls
 * (and blocks from elsewhere) get their turn during a long import. */
static bool scan_cb(void *arg, const uint8_t *data, size_t len, uint64_t off) {
    scan_ctx *x = arg;
    blvm_chainstate *cs = x->cs;
    blvm_flatpos pos = {x->file, (uint32_t)off};
    pthread_mutex_lock(&cs->lock);
    uint64_t before = cs->tip_changes;
    /* when stopping, the rest of the file is passed over quickly */
    bool ok = stopping(cs) ||
              import_one(cs, data, len, x->file >= 0 ? &pos : NULL, x->activate, &x->imported);
    cs_unlock(cs);
    if (x->activate) notify_listener(cs, before);
    return ok;
}

/* Scans our blk files from `first_file` (from offset `start` in that one)
 * and accepts every block found, keeping its position. */
static void scan_own_files(blvm_chainstate *cs, int first_file, uint64_t start, const char *why) {
    for (int f = first_file;; f++) {
        char path[PATH_MAX];
        blvm_blockstore_file_path(cs->bs, f, false, path, sizeof path);
        if (access(path, R_OK) != 0) break;
        scan_ctx x = {cs, f, false, 0};
        blvm_blockfile_scan_report rep;
        if (!blvm_blockfile_scan(path, cs->params->message_start, f == first_file ? start : 0,
                                 scan_cb, &x, &rep)) {
            cs_log(cs, BLVM_CS_LOG_WARN, "%s: cannot read %s: %s", why, path, strerror(errno));
            break;
        }
        cs->stats.replayed_blocks += x.imported;
        if (x.imported || rep.rejected || rep.truncated)
            cs_log(cs, BLVM_CS_LOG_INFO,
                   "%s: blk%05d.dat: %llu blocks recovered, %llu records rejected%s", why, f,
                   (unsigned long long)x.imported, (unsigned long long)rep.rejected,
                   rep.truncated ? ", last record truncated" : "");
    }
}

/* ------------------------------------------------------------------ */
/* open / close                                                        */

static int drop_coins_fn(blvm_kv_txn *t, void *arg) {
    size_t *deleted = arg;
    *deleted = 0;
    int rc = blvm_kv_del(t, BLVM_KV_KEY_BEST_BLOCK, 1);
    if (rc) return rc;
    /* Collect a batch of keys, then delete them (no deleting under a cursor). */
    blvm_kv_cursor *cur;
    rc = blvm_kv_cursor_open(t, "C", 1, &cur);
    if (rc) return rc;
    enum { BATCH = 20000 };
    uint8_t(*keys)[BLVM_COIN_KEY_MAX] = malloc(BATCH * sizeof(*keys));
    size_t *lens = malloc(BATCH * sizeof(*lens));
    size_t n = 0;
    const void *k, *v;
    size_t kl, vl;
    if (!keys || !lens) rc = BLVM_KV_NOMEM;
    while (rc == BLVM_KV_OK && n < BATCH &&
           (rc = blvm_kv_cursor_next(cur, &k, &kl, &v, &vl)) == BLVM_KV_OK) {
        if (kl > BLVM_COIN_KEY_MAX) continue;
        memcpy(keys[n], k, kl);
        lens[n++] = kl;
    }
    blvm_kv_cursor_close(cur);
    if (rc == BLVM_KV_NOTFOUND) rc = BLVM_KV_OK;
    for (size_t i = 0; i < n && rc == BLVM_KV_OK; i++)
        rc = blvm_kv_del(t, keys[i], lens[i]);
    free(keys);
    free(lens);
    *deleted = n;
    return rc;
}

static bool wipe_coins(blvm_chainstate *cs) {
    size_t deleted;
    do {
        if (blvm_kv_update(cs->kv, drop_coins_fn, &deleted) != BLVM_KV_OK) return false;
    } while (deleted);
    return true;
}

static int set_reindex_flag_fn(blvm_kv_txn *t, void *arg) {
    (void)arg;
    return blvm_kv_put(t, KEY_REINDEXING, 1, "1", 1);
}

static bool remove_store_files(const char *dbdir) {
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/data.mdb", dbdir);
    if (unlink(path) != 0 && errno != ENOENT) return false;
    snprintf(path, sizeof path, "%s/lock.mdb", dbdir);
    if (unlink(path) != 0 && errno != ENOENT) return false;
    return true;
}

static bool open_store(blvm_chainstate *cs, char *err, size_t err_len) {
    blvm_kv_options ko = {.initial_map_size = (uint64_t)64 << 20, .no_sync = cs->opt.no_sync};
    int rc = blvm_kv_open(&cs->kv, cs->dbdir, &ko);
    if (rc) {
        snprintf(err, err_len, "cannot open database in %s: %s", cs->dbdir, blvm_kv_strerror(rc));
        return false;
    }
    return true;
}

static bool store_genesis(blvm_chainstate *cs, char *err, size_t err_len) {
    blvm_block g;
    blvm_block_init(&g);
    if (!blvm_params_genesis_block(cs->params, &g)) {
        snprintf(err, err_len, "out of memory building the genesis block");
        return false;
    }
    blvm_validation_state st;
    blvm_state_init(&st);
    blvm_block_index *b;
    bool nb;
    bool ok = accept_block(cs, &g, cs->params->genesis_hash, NULL, 0, NULL, &b, &nb, &st);
    blvm_block_clear(&g);
    if (!ok) snprintf(err, err_len, "cannot store the genesis block: %s", st.reject_reason);
    return ok;
}

static int detect_threads(int par) {
    if (par > 0) return par > 16 ? 16 : par;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1) n = 1;
    int t = (int)n + par; /* par <= 0: leave -par cores free */
    if (t < 1) t = 1;
    return t > 16 ? 16 : t;
}

/* Core's LoadBlockIndexDB check: every block file the index says holds a
 * block's data must be there. A missing file found now stops start-up with
 * a clear message instead of failing later in the middle of a reorg or an
 * RPC. Returns the first missing file number, or -1. */
static int first_missing_block_file(blvm_chainstate *cs) {
    size_t nfiles = blvm_blockstore_file_count(cs->bs);
    if (nfiles == 0) return -1;
    bool *used = calloc(nfiles, sizeof *used);
    if (!used) return -1;
    for (size_t i = 0; i < cs->tree.count; i++) {
        const blvm_block_index *b = cs->tree.all[i];
        if ((b->status & BLVM_BLOCK_HAVE_DATA) && b->file >= 0 && (size_t)b->file < nfiles)
            used[b->file] = true;
    }
    int missing = -1;
    for (size_t f = 0; f < nfiles && missing < 0; f++) {
        char path[PATH_MAX];
        blvm_blockstore_file_path(cs->bs, (int)f, false, path, sizeof path);
        if (used[f] && access(path, R_OK) != 0) missing = (int)f;
    }
    free(used);
    return missing;
}

blvm_chainstate *blvm_chainstate_open(const blvm_params *params, const blvm_chainstate_options *opt,
                                      char *err, size_t err_len) {
    if (!params || !opt || !opt->datadir) {
        snprintf(err, err_len, "no data directory");
        return NULL;
    }
    blvm_chainstate *cs = calloc(1, sizeof(*cs));
    if (!cs) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    cs->params = params;
    cs->opt = *opt;
    if (!cs->opt.dbcache_bytes) cs->opt.dbcache_bytes = DEFAULT_DBCACHE;
    if (cs->opt.flush_interval <= 0) cs->opt.flush_interval = DEFAULT_FLUSH_INTERVAL;
    snprintf(cs->datadir, sizeof cs->datadir, "%s", opt->datadir);
    if (opt->blocksdir)
        snprintf(cs->blocksdir, sizeof cs->blocksdir, "%s", opt->blocksdir);
    else
        snprintf(cs->blocksdir, sizeof cs->blocksdir, "%s/blocks", opt->datadir);
    snprintf(cs->dbdir, sizeof cs->dbdir, "%s/chainstate", cs->datadir);
    cs->opt.datadir = cs->datadir;
    cs->opt.blocksdir = cs->blocksdir;
    pthread_mutex_init(&cs->lock, NULL);
    pthread_cond_init(&cs->tip_cv, NULL);
    cs->next_sequence_id = 2; /* loaded entries have 1 (Core's SEQ_ID_INIT_FROM_DISK) */
    cs->reverse_sequence_id = -1;
    if (opt->assume_valid) {
        static const uint8_t zero[32] = {0};
        cs->has_assume_valid = memcmp(opt->assume_valid, zero, 32) != 0;
        memcpy(cs->assume_valid, opt->assume_valid, 32);
    } else if (params->has_default_assume_valid) {
        cs->has_assume_valid = true;
        memcpy(cs->assume_valid, params->default_assume_valid, 32);
    }
    blvm_block_tree_init(&cs->tree);
    blvm_active_chain_init(&cs->chain);

    if (!blvm_os_mkdirs(cs->datadir, 0755) || !blvm_os_mkdirs(cs->blocksdir, 0755) ||
        !blvm_os_mkdirs(cs->dbdir, 0755)) {
        snprintf(err, err_len, "cannot create data directory %s: %s", cs->datadir, strerror(errno));
        goto fail;
    }
    bool reindex = opt->reindex;
    if (reindex && !remove_store_files(cs->dbdir)) {
        snprintf(err, err_len, "cannot remove old database: %s", strerror(errno));
        goto fail;
    }
    if (!open_store(cs, err, err_len)) goto fail;
    {
        /* An interrupted reindex starts over. */
        blvm_kv_txn *t;
        const void *v;
        size_t vl;
        if (!reindex && blvm_kv_begin(cs->kv, false, &t) == BLVM_KV_OK) {
            bool flag = blvm_kv_get(t, KEY_REINDEXING, 1, &v, &vl) == BLVM_KV_OK;
            blvm_kv_abort(t);
            if (flag) {
                cs_log(cs, BLVM_CS_LOG_INFO, "an earlier reindex was interrupted: reindexing");
                blvm_kv_close(cs->kv);
                cs->kv = NULL;
                if (!remove_store_files(cs->dbdir) || !open_store(cs, err, err_len)) goto fail;
                reindex = true;
            }
        }
    }
    cs->bs = blvm_blockstore_create(cs->blocksdir, params->message_start);
    cs->coins = blvm_coins_create(cs->kv);
    int threads = detect_threads(opt->par);
    cs->par = threads;
    cs->checks = blvm_checkqueue_create(threads - 1);
    if (!cs->bs || !cs->coins || !cs->checks) {
        snprintf(err, err_len, "cannot set up block storage: %s", strerror(errno));
        goto fail;
    }
    if (opt->max_blockfile_size) blvm_blockstore_set_max_file_size(cs->bs, opt->max_blockfile_size);
    if (!load_file_infos(cs)) {
        snprintf(err, err_len, "corrupt block file records in the database; restart with -reindex");
        goto fail;
    }
    if (!blvm_block_tree_load(&cs->tree, cs->kv)) {
        snprintf(err, err_len, "corrupt block index in the database; restart with -reindex");
        goto fail;
    }
    recompute_best_header(cs);
    if (cs->have_pruned && !reindex) {
        /* Files pruned in the store but still on disk (a crash between the
         * commit and the unlink): delete them now. */
        int last = blvm_blockstore_last_file(cs->bs);
        for (int f = 0; f < last; f++) {
            blvm_blockfile_info info;
            char path[PATH_MAX];
            blvm_blockstore_file_path(cs->bs, f, false, path, sizeof path);
            if (blvm_blockstore_get_info(cs->bs, f, &info) && info.size == 0 &&
                access(path, F_OK) == 0 && !blvm_blockstore_remove_file(cs->bs, f))
                cs_log(cs, BLVM_CS_LOG_WARN, "could not delete pruned block file %d", f);
        }
    }

    if (!reindex) {
        int missing = first_missing_block_file(cs);
        if (missing >= 0) {
            char path[PATH_MAX];
            blvm_blockstore_file_path(cs->bs, missing, false, path, sizeof path);
            snprintf(err, err_len,
                     "Error loading block database: block file %s is missing; restart with "
                     "-reindex to rebuild the index from the block files that remain",
                     path);
            goto fail;
        }
    }

    if (reindex) {
        cs->reindexing = true;
        /* The flag is committed in a store that replaced the old one: its
         * directory entry must survive a power cut too, or the next start
         * would not know a reindex was under way. */
        if (blvm_kv_update(cs->kv, set_reindex_flag_fn, NULL) != BLVM_KV_OK ||
            (!cs->opt.no_sync && !blvm_os_sync_dir(cs->dbdir))) {
            snprintf(err, err_len, "cannot write to the database");
            goto fail;
        }
        /* Fresh bookkeeping: positions are re-adopted from the files. */
        blvm_blockfile_info none;
        memset(&none, 0, sizeof none);
        if (!blvm_blockstore_load(cs->bs, &none, 1, 0)) goto fail;
        cs_log(cs, BLVM_CS_LOG_INFO, "reindexing block files in %s", cs->blocksdir);
        scan_own_files(cs, 0, 0, "reindex");
        pending_clear(cs);
    } else {
        /* Replay: blocks written after the last flush are past the recorded
         * end of the last file (or in files after it). */
        int last = blvm_blockstore_last_file(cs->bs);
        blvm_blockfile_info info;
        uint64_t start = blvm_blockstore_get_info(cs->bs, last, &info) ? info.size : 0;
        scan_own_files(cs, last, start, "recovery");
        pending_clear(cs);
    }

    if (!blvm_block_tree_find(&cs->tree, params->genesis_hash) ||
        !(blvm_block_tree_find(&cs->tree, params->genesis_hash)->status & BLVM_BLOCK_HAVE_DATA)) {
        if (!store_genesis(cs, err, err_len)) goto fail;
    }

    /* The UTXO set and its block. */
    uint8_t best[32];
    int brc = blvm_coins_read_best(cs->kv, best);
    if (brc < 0) {
        snprintf(err, err_len, "cannot read the chainstate: %s", blvm_kv_strerror(brc));
        goto fail;
    }
    if (opt->reindex_chainstate || reindex || brc == 0) {
        if (opt->reindex_chainstate) {
            if (cs->have_pruned) {
                snprintf(err, err_len,
                         "-reindex-chainstate needs every block: use -reindex on a pruned node");
                goto fail;
            }
            cs_log(cs, BLVM_CS_LOG_INFO, "wiping the UTXO set to rebuild it from stored blocks");
        }
        if (!wipe_coins(cs)) {
            snprintf(err, err_len, "cannot clear the chainstate");
            goto fail;
        }
        cs->reindexing = cs->reindexing || opt->reindex_chainstate;
    } else {
        blvm_block_index *b = blvm_block_tree_find(&cs->tree, best);
        if (!b) {
            snprintf(
                err, err_len,
                "the chainstate's best block is not in the block index; restart with -reindex");
            goto fail;
        }
        if (!blvm_active_chain_set_tip(&cs->chain, b)) goto fail;
        blvm_coins_set_best(cs->coins, best);
    }
    rebuild_candidates(cs);
    cs->last_flush = now_seconds(cs);
    cs->progress_time = 0;
    cs->bulk = true;
    struct timespec connect_t0, connect_t1;
    clock_gettime(CLOCK_MONOTONIC, &connect_t0);
    uint64_t blocks0 = cs->stats.blocks_connected, inputs0 = cs->stats.inputs_connected;
    uint64_t checks0 = blvm_checkqueue_total(cs->checks);
    if (!activate_best_chain(cs, NULL, NULL)) {
        snprintf(err, err_len, "failed to connect the best chain (see log)");
        goto fail;
    }
    clock_gettime(CLOCK_MONOTONIC, &connect_t1);
    if (cs->stats.blocks_connected > blocks0) {
        /* What start-up (replay, -reindex, -reindex-chainstate) connected:
         * the script check count shows whether assume-valid skipped them. */
        double secs = (double)(connect_t1.tv_sec - connect_t0.tv_sec) +
                      (double)(connect_t1.tv_nsec - connect_t0.tv_nsec) / 1e9;
        cs_log(cs, BLVM_CS_LOG_INFO,
               "connected %llu blocks with %llu inputs in %.3f s (%llu script checks, par %d)",
               (unsigned long long)(cs->stats.blocks_connected - blocks0),
               (unsigned long long)(cs->stats.inputs_connected - inputs0), secs,
               (unsigned long long)(blvm_checkqueue_total(cs->checks) - checks0), cs->par);
    }
    cs->reindexing = false;
    cs->bulk = false;
    if (!flush_state(cs, FLUSH_ALWAYS, -1)) {
        snprintf(err, err_len, "failed to write the chainstate");
        goto fail;
    }
    {
        blvm_block_index *t = tip(cs);
        char h[65] = "none";
        if (t) hash_hex(h, t->entry.hash);
        cs_log(cs, BLVM_CS_LOG_INFO, "chainstate loaded: %zu headers, tip %s at height %d",
               cs->tree.count, h, t ? t->entry.height : -1);
    }
    return cs;
fail:
    if (!err[0]) snprintf(err, err_len, "failed to open the chainstate");
    blvm_checkqueue_destroy(cs->checks);
    blvm_coins_destroy(cs->coins);
    blvm_blockstore_destroy(cs->bs);
    blvm_kv_close(cs->kv);
    blvm_block_tree_clear(&cs->tree);
    blvm_active_chain_clear(&cs->chain);
    free(cs->cand);
    free(cs->unlinked);
    pending_clear(cs);
    pthread_mutex_destroy(&cs->lock);
    pthread_cond_destroy(&cs->tip_cv);
    free(cs);
    return NULL;
}

void blvm_chainstate_close(blvm_chainstate *cs) {
    if (!cs) return;
    pthread_mutex_lock(&cs->lock);
    if (!flush_state(cs, FLUSH_ALWAYS, -1))
        cs_log(cs, BLVM_CS_LOG_ERROR, "final flush failed; the next start will replay blocks");
    cs->interrupted = true;
    pthread_cond_broadcast(&cs->tip_cv);
    cs_unlock(cs);
    blvm_checkqueue_destroy(cs->checks);
    blvm_coins_destroy(cs->coins);
    blvm_blockstore_destroy(cs->bs);
    blvm_kv_close(cs->kv);
    blvm_block_tree_clear(&cs->tree);
    blvm_active_chain_clear(&cs->chain);
    free(cs->cand);
    free(cs->unlinked);
    pending_clear(cs);
    pthread_mutex_destroy(&cs->lock);
    pthread_cond_destroy(&cs->tip_cv);
    free(cs);
}

const blvm_params *blvm_chainstate_params(const blvm_chainstate *cs) {
    return cs->params;
}

/* ------------------------------------------------------------------ */
/* public: blocks in                                                   */

static void notify_listener(blvm_chainstate *cs, uint64_t before) {
    /* called without the lock */
    pthread_mutex_lock(&cs->lock);
    bool changed = cs->tip_changes != before;
    blvm_chainstate_tip_fn fn = cs->tip_fn;
    void *ctx = cs->tip_ctx;
    uint8_t hash[32] = {0};
    int32_t height = -1;
    blvm_block_index *t = tip(cs);
    if (t) {
        memcpy(hash, t->entry.hash, 32);
        height = t->entry.height;
    }
    cs_unlock(cs);
    if (changed && fn) fn(ctx, hash, height);
}

static bool process_block_locked(blvm_chainstate *cs, const blvm_block *block, const uint8_t *raw,
                                 size_t raw_len, blvm_process_result *res,
                                 blvm_validation_state *state) {
    if (cs->fatal) {
        memset(res, 0, sizeof(*res));
        return blvm_state_error(state, "the node is stopping after a storage error");
    }
    uint8_t hash[32];
    blvm_header_hash(&block->header, hash);
    cs->watch_active = true;
    memcpy(cs->watch_hash, hash, 32);
    cs->watch_checked = false;
    blvm_block_index *b = NULL;
    bool nb = false;
    /* Core's ProcessNewBlock: CheckBlock before the header is even looked
     * at, so a mutated block is reported as such. */
    bool ok = blvm_check_block(block, cs->params, true, true, state) &&
              accept_block(cs, block, hash, raw, raw_len, NULL, &b, &nb, state);
    if (!ok && state->mode == BLVM_STATE_INVALID) cs->watch_checked = true;
    res->new_block = nb;
    res->duplicate = ok && !nb;
    if (ok) {
        if (!activate_best_chain(cs, block, b)) {
            ok = blvm_state_error(state, "failed to activate the best chain");
        } else if (cs->watch_checked) {
            *state = cs->watch_state;
            res->checked = true;
            ok = blvm_state_is_valid(state);
        }
    } else if (cs->watch_checked) {
        res->checked = true;
    }
    cs->watch_active = false;
    return ok;
}

bool blvm_chainstate_process_block(blvm_chainstate *cs, const blvm_block *block,
                                   blvm_process_result *res, blvm_validation_state *state) {
    blvm_process_result dummy;
    if (!res) res = &dummy;
    memset(res, 0, sizeof(*res));
    blvm_state_init(state);
    pthread_mutex_lock(&cs->lock);
    uint64_t before = cs->tip_changes;
    bool ok = process_block_locked(cs, block, NULL, 0, res, state);
    cs_unlock(cs);
    notify_listener(cs, before);
    return ok;
}

bool blvm_chainstate_process_block_raw(blvm_chainstate *cs, const uint8_t *data, size_t len,
                                       blvm_process_result *res, blvm_validation_state *state) {
    blvm_process_result dummy;
    if (!res) res = &dummy;
    memset(res, 0, sizeof(*res));
    blvm_state_init(state);
    blvm_block block;
    if (!blvm_block_decode_bytes(&block, data, len))
        return blvm_state_invalid(state, BLVM_BLOCK_CONSENSUS, "block decode failed", NULL);
    pthread_mutex_lock(&cs->lock);
    uint64_t before = cs->tip_changes;
    bool ok = process_block_locked(cs, &block, NULL, 0, res, state);
    cs_unlock(cs);
    blvm_block_clear(&block);
    notify_listener(cs, before);
    return ok;
}

const char *blvm_chainstate_submitblock(blvm_chainstate *cs, const uint8_t *data, size_t len,
                                        char *buf, size_t buf_len) {
    blvm_block block;
    if (!blvm_block_decode_bytes(&block, data, len)) {
        snprintf(buf, buf_len, "block decode failed");
        return buf;
    }
    uint8_t hash[32];
    blvm_header_hash(&block.header, hash);
    pthread_mutex_lock(&cs->lock);
    blvm_block_index *known = blvm_block_tree_find(&cs->tree, hash);
    const char *early = NULL;
    if (known) {
        if (blvm_block_index_is_valid(known, BLVM_BLOCK_VALID_SCRIPTS))
            early = "duplicate";
        else if (known->status & BLVM_BLOCK_FAILED_MASK)
            early = "duplicate-invalid";
    }
    uint64_t before = cs->tip_changes;
    blvm_process_result res = {0};
    blvm_validation_state st;
    blvm_state_init(&st);
    bool ok = false;
    if (!early) ok = process_block_locked(cs, &block, NULL, 0, &res, &st);
    cs_unlock(cs);
    blvm_block_clear(&block);
    if (early) return early;
    notify_listener(cs, before);
    if (ok && !res.new_block) return "duplicate";
    if (st.mode == BLVM_STATE_ERROR) return "rejected";
    if (!ok || st.mode == BLVM_STATE_INVALID) {
        snprintf(buf, buf_len, "%s", st.reject_reason[0] ? st.reject_reason : "rejected");
        return buf;
    }
    if (!res.checked) return "inconclusive";
    return NULL;
}

bool blvm_chainstate_test_block_validity(blvm_chainstate *cs, const blvm_block *block,
                                         bool check_pow, bool check_merkle_root,
                                         blvm_validation_state *state) {
    blvm_state_init(state);
    uint8_t hash[32];
    blvm_header_hash(&block->header, hash);
    pthread_mutex_lock(&cs->lock);
    blvm_block_index *prev = tip(cs);
    bool ok;
    if (!prev || memcmp(block->header.prev_hash, prev->entry.hash, 32) != 0) {
        ok = blvm_state_invalid(state, BLVM_BLOCK_MISSING_PREV, "inconclusive-not-best-prevblk",
                                NULL);
    } else {
        /* Core's TestBlockValidity: a dummy index entry on the tip, the
         * checks in Core's order, then ConnectBlock(fJustCheck) whose coin
         * changes are rolled back. */
        blvm_block_index dummy;
        memset(&dummy, 0, sizeof dummy);
        blvm_chain_entry_init(&dummy.entry, &block->header, hash, &prev->entry);
        dummy.file = -1;
        blvm_block_undo undo;
        ok = blvm_contextual_check_block_header(&block->header, &prev->entry, cs->params,
                                                now_seconds(cs), state) &&
             blvm_check_block(block, cs->params, check_pow, check_merkle_root, state) &&
             blvm_contextual_check_block(block, &prev->entry, cs->params, state);
        /* The coin changes are undone with a coins journal (Core checks in
         * a scratch view). Before, they were undone by disconnecting the
         * block, and a rollback that failed or was unclean (a BIP30-style
         * overwrite) left the changed coins in the cache for the next flush
         * to write. */
        if (ok && !blvm_coins_journal_begin(cs->coins))
            ok = blvm_state_error(state, "coins journal busy");
        else if (ok) {
            cs->just_check = true;
            ok = connect_block(cs, block, &dummy, &undo, state);
            cs->just_check = false;
            if (ok) blvm_block_undo_clear(&undo);
            if (!blvm_coins_journal_rollback(cs->coins)) {
                cs->coins_poisoned = true;
                fatal_error(cs, "out of memory undoing a checked block");
                ok = blvm_state_error(state, "rollback of a checked block failed");
            }
        }
    }
    pthread_mutex_unlock(&cs->lock);
    return ok;
}

bool blvm_chainstate_process_header(blvm_chainstate *cs, const blvm_block_header *h,
                                    blvm_validation_state *state) {
    blvm_state_init(state);
    uint8_t hash[32];
    blvm_header_hash(h, hash);
    pthread_mutex_lock(&cs->lock);
    blvm_block_index *b;
    bool ok = accept_header(cs, h, hash, &b, state);
    cs_unlock(cs);
    return ok;
}

bool blvm_chainstate_load_external(blvm_chainstate *cs, const char *path,
                                   blvm_blockfile_scan_report *report, uint64_t *imported) {
    pthread_mutex_lock(&cs->lock);
    uint64_t before = cs->tip_changes;
    scan_ctx x = {cs, -1, true, 0};
    cs->bulk = true;
    cs_unlock(cs);
    bool ok = blvm_blockfile_scan(path, cs->params->message_start, 0, scan_cb, &x, report);
    pthread_mutex_lock(&cs->lock);
    before = cs->tip_changes; /* each block already notified */
    if (ok) {
        if (cs->npending)
            cs_log(cs, BLVM_CS_LOG_WARN, "%s: %zu blocks whose parent never came were skipped",
                   path, cs->npending);
        cs_log(cs, BLVM_CS_LOG_INFO,
               "loaded %llu blocks from %s (%llu records rejected, %llu bytes skipped%s)",
               (unsigned long long)x.imported, path, (unsigned long long)report->rejected,
               (unsigned long long)(report->skipped_bytes - report->zero_tail),
               report->truncated ? ", last record truncated" : "");
        ok = activate_best_chain(cs, NULL, NULL) || true;
    } else {
        cs_log(cs, BLVM_CS_LOG_ERROR, "cannot read block file %s: %s", path, strerror(errno));
    }
    pending_clear(cs);
    cs->bulk = false;
    cs_unlock(cs);
    if (imported) *imported = x.imported;
    notify_listener(cs, before);
    return ok;
}

/* ------------------------------------------------------------------ */
/* public: reading                                                     */

void blvm_chainstate_lock(blvm_chainstate *cs) {
    pthread_mutex_lock(&cs->lock);
}
void blvm_chainstate_unlock(blvm_chainstate *cs) {
    cs_unlock(cs);
}
blvm_block_index *blvm_chainstate_tip_locked(blvm_chainstate *cs) {
    return tip(cs);
}
blvm_block_index *blvm_chainstate_at_height_locked(blvm_chainstate *cs, int32_t height) {
    return blvm_active_chain_at(&cs->chain, height);
}
blvm_block_index *blvm_chainstate_find_locked(blvm_chainstate *cs, const uint8_t hash[32]) {
    return blvm_block_tree_find(&cs->tree, hash);
}
bool blvm_chainstate_in_active_chain_locked(blvm_chainstate *cs, const blvm_block_index *b) {
    return blvm_active_chain_contains(&cs->chain, b);
}
blvm_block_index *blvm_chainstate_best_header_locked(blvm_chainstate *cs) {
    return cs->best_header;
}
void blvm_chainstate_for_each_index_locked(blvm_chainstate *cs,
                                           bool (*fn)(void *ctx, blvm_block_index *b), void *ctx) {
    for (size_t i = 0; i < cs->tree.count; i++)
        if (!fn(ctx, cs->tree.all[i])) break;
}
int32_t blvm_chainstate_prune_height_locked(blvm_chainstate *cs) {
    if (!cs->have_pruned) return 0;
    int32_t h = blvm_active_chain_height(&cs->chain);
    int32_t low = h;
    for (int32_t i = h; i >= 0; i--) {
        if (!(cs->chain.v[i]->status & BLVM_BLOCK_HAVE_DATA)) break;
        low = i;
    }
    return low < 0 ? 0 : low;
}

static void fill_tip_info(blvm_chainstate *cs, blvm_tip_info *out) {
    memset(out, 0, sizeof(*out));
    blvm_block_index *t = tip(cs);
    out->height = -1;
    if (!t) return;
    memcpy(out->hash, t->entry.hash, 32);
    out->height = t->entry.height;
    out->time = t->entry.time;
    out->median_time_past = blvm_chain_entry_median_time_past(&t->entry);
    out->bits = t->entry.bits;
    out->chain_work = t->entry.chain_work;
    out->chain_tx = t->chain_tx;
}

void blvm_chainstate_tip(blvm_chainstate *cs, blvm_tip_info *out) {
    pthread_mutex_lock(&cs->lock);
    fill_tip_info(cs, out);
    cs_unlock(cs);
}

bool blvm_chainstate_hash_at_height(blvm_chainstate *cs, int32_t height, uint8_t out[32]) {
    pthread_mutex_lock(&cs->lock);
    blvm_block_index *b = blvm_active_chain_at(&cs->chain, height);
    if (b) memcpy(out, b->entry.hash, 32);
    cs_unlock(cs);
    return b != NULL;
}

bool blvm_chainstate_is_initial_block_download(blvm_chainstate *cs) {
    pthread_mutex_lock(&cs->lock);
    bool ibd = true;
    if (cs->ibd_latched_off) {
        ibd = false;
    } else {
        blvm_block_index *t = tip(cs);
        if (t && blvm_u256_cmp(&t->entry.chain_work, &cs->params->minimum_chain_work) >= 0 &&
            (int64_t)t->entry.time >= now_seconds(cs) - MAX_TIP_AGE) {
            cs->ibd_latched_off = true;
            ibd = false;
        }
    }
    cs_unlock(cs);
    return ibd;
}

bool blvm_chainstate_is_pruned(blvm_chainstate *cs) {
    return cs->opt.prune_target_bytes != 0 || cs->have_pruned;
}

bool blvm_chainstate_read_block(blvm_chainstate *cs, const blvm_block_index *b, uint8_t **data,
                                size_t *len) {
    pthread_mutex_lock(&cs->lock);
    blvm_flatpos pos = blvm_block_index_data_pos(b);
    cs_unlock(cs);
    *data = NULL;
    *len = 0;
    if (pos.file < 0) return false;
    return blvm_blockstore_read_block(cs->bs, &pos, data, len);
}

bool blvm_chainstate_read_undo(blvm_chainstate *cs, const blvm_block_index *b,
                               blvm_block_undo *out) {
    pthread_mutex_lock(&cs->lock);
    bool ok = read_undo_at(cs, b, out);
    cs_unlock(cs);
    return ok;
}

int blvm_chainstate_get_coin(blvm_chainstate *cs, const blvm_outpoint *op, blvm_coin *out) {
    blvm_coin_init(out);
    pthread_mutex_lock(&cs->lock);
    const blvm_coin *c;
    int rc = blvm_coins_get(cs->coins, op, &c);
    if (rc == 1 && !blvm_coin_copy(out, c)) rc = BLVM_KV_NOMEM;
    cs_unlock(cs);
    return rc;
}

int blvm_chainstate_for_each_coin(blvm_chainstate *cs, blvm_chainstate_coin_fn fn, void *ctx,
                                  uint8_t best_hash[32], int32_t *height) {
    pthread_mutex_lock(&cs->lock);
    if (!flush_state(cs, FLUSH_ALWAYS, -1)) {
        cs_unlock(cs);
        return BLVM_KV_IO;
    }
    blvm_block_index *t = tip(cs);
    if (best_hash) {
        if (t)
            memcpy(best_hash, t->entry.hash, 32);
        else
            memset(best_hash, 0, 32);
    }
    if (height) *height = t ? t->entry.height : -1;
    /* A read snapshot of the store taken under the lock is exactly the
     * flushed state; iterate it without holding up validation. */
    blvm_kv_txn *txn;
    int rc = blvm_kv_begin(cs->kv, false, &txn);
    cs_unlock(cs);
    if (rc) return rc;
    rc = blvm_coins_for_each_in(txn, fn, ctx);
    blvm_kv_abort(txn);
    return rc;
}

/* ------------------------------------------------------------------ */
/* public: control                                                     */

static bool is_descendant(const blvm_block_index *d, const blvm_block_index *a) {
    return d->entry.height >= a->entry.height && blvm_block_index_ancestor(d, a->entry.height) == a;
}

bool blvm_chainstate_invalidate_block(blvm_chainstate *cs, const uint8_t hash[32],
                                      blvm_validation_state *state) {
    blvm_state_init(state);
    pthread_mutex_lock(&cs->lock);
    uint64_t before = cs->tip_changes;
    bool ok = true;
    blvm_block_index *b = blvm_block_tree_find(&cs->tree, hash);
    if (!b) {
        ok = blvm_state_invalid(state, BLVM_BLOCK_CONSENSUS, "Block not found", NULL);
    } else if (!b->entry.prev) {
        ok = blvm_state_invalid(state, BLVM_BLOCK_CONSENSUS, "cannot invalidate the genesis block",
                                NULL);
    } else {
        /* Disconnect the block and everything above it. */
        while (ok && blvm_active_chain_contains(&cs->chain, b)) {
            blvm_block_index *t = tip(cs);
            if (!disconnect_tip(cs)) {
                ok = blvm_state_error(state, "failed to disconnect block");
                break;
            }
            if (t != b) {
                t->status |= BLVM_BLOCK_FAILED_CHILD;
                t->dirty = true;
            }
        }
        if (ok) {
            b->status |= BLVM_BLOCK_FAILED_VALID;
            b->dirty = true;
            /* Mark every other descendant too (Core marks them as well). */
            for (size_t i = 0; i < cs->tree.count; i++) {
                blvm_block_index *x = cs->tree.all[i];
                if (x != b && is_descendant(x, b)) {
                    x->status |= BLVM_BLOCK_FAILED_CHILD;
                    x->dirty = true;
                }
            }
            recompute_best_header(cs);
            rebuild_candidates(cs);
            if (!activate_best_chain(cs, NULL, NULL))
                ok = blvm_state_error(state, "failed to activate the best chain");
        }
    }
    cs_unlock(cs);
    notify_listener(cs, before);
    return ok;
}

bool blvm_chainstate_reconsider_block(blvm_chainstate *cs, const uint8_t hash[32],
                                      blvm_validation_state *state) {
    blvm_state_init(state);
    pthread_mutex_lock(&cs->lock);
    uint64_t before = cs->tip_changes;
    bool ok = true;
    blvm_block_index *b = blvm_block_tree_find(&cs->tree, hash);
    if (!b) {
        ok = blvm_state_invalid(state, BLVM_BLOCK_CONSENSUS, "Block not found", NULL);
    } else {
        /* Core's ResetBlockFailureFlags: the block, its descendants and its
         * ancestors. */
        for (size_t i = 0; i < cs->tree.count; i++) {
            blvm_block_index *x = cs->tree.all[i];
            if ((x->status & BLVM_BLOCK_FAILED_MASK) &&
                (is_descendant(x, b) || is_descendant(b, x))) {
                x->status &= ~(uint32_t)BLVM_BLOCK_FAILED_MASK;
                x->dirty = true;
            }
        }
        recompute_best_header(cs);
        rebuild_candidates(cs);
        if (!activate_best_chain(cs, NULL, NULL))
            ok = blvm_state_error(state, "failed to activate the best chain");
    }
    cs_unlock(cs);
    notify_listener(cs, before);
    return ok;
}

bool blvm_chainstate_precious_block(blvm_chainstate *cs, const uint8_t hash[32],
                                    blvm_validation_state *state) {
    blvm_state_init(state);
    pthread_mutex_lock(&cs->lock);
    uint64_t before = cs->tip_changes;
    bool ok = true;
    blvm_block_index *b = blvm_block_tree_find(&cs->tree, hash);
    blvm_block_index *t = tip(cs);
    if (!b) {
        ok = blvm_state_invalid(state, BLVM_BLOCK_CONSENSUS, "Block not found", NULL);
    } else if (t && blvm_u256_cmp(&b->entry.chain_work, &t->entry.chain_work) >= 0) {
        /* Core's PreciousBlock: less work than the tip is ignored. */
        if (blvm_u256_cmp(&t->entry.chain_work, &cs->last_precious_work) > 0)
            cs->reverse_sequence_id = -1; /* the chain grew since the last call */
        cs->last_precious_work = t->entry.chain_work;
        array_remove(cs->cand, &cs->ncand, b);
        b->sequence_id = cs->reverse_sequence_id;
        if (cs->reverse_sequence_id > INT32_MIN) cs->reverse_sequence_id--;
        if (blvm_block_index_is_valid(b, BLVM_BLOCK_VALID_TRANSACTIONS) && b->chain_tx) {
            (void)array_push(&cs->cand, &cs->ncand, &cs->cand_cap, b);
            prune_candidates(cs);
        }
        if (!activate_best_chain(cs, NULL, NULL))
            ok = blvm_state_error(state, "failed to activate the best chain");
    }
    cs_unlock(cs);
    notify_listener(cs, before);
    return ok;
}

bool blvm_chainstate_verify(blvm_chainstate *cs, int level, int nblocks,
                            blvm_validation_state *state) {
    blvm_state_init(state);
    pthread_mutex_lock(&cs->lock);
    blvm_block_index *t = tip(cs);
    int32_t height = t ? t->entry.height : -1;
    if (nblocks <= 0 || nblocks > height) nblocks = height;
    int32_t low = height - nblocks + 1; /* lowest height checked; genesis never */
    bool ok = true;
    for (int32_t h = height; ok && h >= low && h > 0; h--) {
        blvm_block_index *b = blvm_active_chain_at(&cs->chain, h);
        if (!(b->status & BLVM_BLOCK_HAVE_DATA)) break; /* pruned below here */
        blvm_block block;
        if (!read_block_at(cs, b, &block)) {
            ok = blvm_state_invalid(state, BLVM_BLOCK_CONSENSUS, "verifychain",
                                    "failed to read block at height %d", h);
            break;
        }
        if (level >= 1) {
            blvm_validation_state bs;
            blvm_state_init(&bs);
            if (!blvm_check_block(&block, cs->params, true, true, &bs))
                ok = blvm_state_invalid(state, BLVM_BLOCK_CONSENSUS, "verifychain",
                                        "bad block at height %d: %s", h, bs.reject_reason);
        }
        blvm_block_clear(&block);
        if (ok && level >= 2 && (b->status & BLVM_BLOCK_HAVE_UNDO)) {
            blvm_block_undo u;
            if (!read_undo_at(cs, b, &u))
                ok = blvm_state_invalid(state, BLVM_BLOCK_CONSENSUS, "verifychain",
                                        "bad undo data at height %d", h);
            blvm_block_undo_clear(&u);
        }
    }
    if (ok && level >= 3 && t) {
        /* Disconnect down to `low - 1`, then connect back up to the tip. */
        uint64_t changes = cs->tip_changes;
        blvm_block_index *target = low > 0 ? blvm_active_chain_at(&cs->chain, low - 1) : NULL;
        while (ok && target && tip(cs) != target) {
            if (!(tip(cs)->status & BLVM_BLOCK_HAVE_UNDO) || !disconnect_tip(cs))
                ok = blvm_state_invalid(state, BLVM_BLOCK_CONSENSUS, "verifychain",
                                        "cannot disconnect block at height %d",
                                        tip(cs)->entry.height);
        }
        for (int32_t h = tip(cs) ? tip(cs)->entry.height + 1 : 0; h <= height; h++) {
            bool invalid = false;
            blvm_block_index *b = blvm_block_index_ancestor(t, h);
            if (!connect_tip(cs, b, NULL, &invalid) || invalid) {
                ok = blvm_state_invalid(state, BLVM_BLOCK_CONSENSUS, "verifychain",
                                        "block at height %d does not connect again", h);
                if (!invalid) break;
                (void)activate_best_chain(cs, NULL, NULL);
                break;
            }
        }
        if (tip(cs) == t) cs->tip_changes = changes; /* nothing changed for waiters */
    }
    cs_unlock(cs);
    return ok;
}

bool blvm_chainstate_flush(blvm_chainstate *cs) {
    pthread_mutex_lock(&cs->lock);
    bool ok = flush_state(cs, FLUSH_ALWAYS, -1);
    cs_unlock(cs);
    return ok;
}

int32_t blvm_chainstate_prune_after_height(const blvm_chainstate *cs) {
    return cs->params->network == BLVM_NET_MAIN ? 100000 : 1000;
}

int32_t blvm_chainstate_prune_to(blvm_chainstate *cs, int32_t height) {
    pthread_mutex_lock(&cs->lock);
    int32_t ret = -2;
    if (!cs->opt.prune_target_bytes) {
        cs_unlock(cs);
        return -2;
    }
    blvm_block_index *t = tip(cs);
    if (t && height >= 0) {
        if (flush_state(cs, FLUSH_ALWAYS, height))
            ret = blvm_chainstate_prune_height_locked(cs) - 1;
    }
    cs_unlock(cs);
    return ret;
}

void blvm_chainstate_set_tip_listener(blvm_chainstate *cs, blvm_chainstate_tip_fn fn, void *ctx) {
    pthread_mutex_lock(&cs->lock);
    cs->tip_fn = fn;
    cs->tip_ctx = ctx;
    cs_unlock(cs);
}

bool blvm_chainstate_wait_tip_change(blvm_chainstate *cs, const uint8_t *old_hash,
                                     int64_t timeout_ms, blvm_tip_info *out) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    if (timeout_ms >= 0) {
        deadline.tv_sec += timeout_ms / 1000;
        deadline.tv_nsec += (timeout_ms % 1000) * 1000000;
        if (deadline.tv_nsec >= 1000000000) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000;
        }
    }
    pthread_mutex_lock(&cs->lock);
    uint64_t start = cs->tip_changes;
    bool changed = false;
    for (;;) {
        blvm_block_index *t = tip(cs);
        if (old_hash) {
            changed = !t || memcmp(t->entry.hash, old_hash, 32) != 0;
        } else {
            changed = cs->tip_changes != start;
        }
        if (changed || cs->interrupted) break;
        int rc = timeout_ms >= 0 ? pthread_cond_timedwait(&cs->tip_cv, &cs->lock, &deadline)
                                 : pthread_cond_wait(&cs->tip_cv, &cs->lock);
        if (rc == ETIMEDOUT) break;
    }
    fill_tip_info(cs, out);
    cs_unlock(cs);
    return changed;
}

void blvm_chainstate_interrupt_waiters(blvm_chainstate *cs) {
    pthread_mutex_lock(&cs->lock);
    cs->interrupted = true;
    pthread_cond_broadcast(&cs->tip_cv);
    cs_unlock(cs);
}

void blvm_chainstate_get_stats(blvm_chainstate *cs, blvm_chainstate_stats *out) {
    pthread_mutex_lock(&cs->lock);
    *out = cs->stats;
    out->inputs_checked = blvm_checkqueue_total(cs->checks);
    out->coins_cache_bytes = blvm_coins_usage(cs->coins);
    out->size_on_disk = blvm_blockstore_disk_usage(cs->bs);
    cs_unlock(cs);
}
