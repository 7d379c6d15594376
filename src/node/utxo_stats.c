#include "node/utxo_stats.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto/muhash.h"
#include "crypto/sha256.h"
#include "storage/kv.h"
#include "util/bytes.h"

typedef struct {
    blvm_utxo_hash_type type;
    blvm_sha256_ctx sha;
    blvm_muhash muhash;
    blvm_utxo_stats *st;
    uint8_t last_txid[32];
    bool have_last;
    blvm_writer buf;
} walk_ctx;

/* Core's TxOutSer: outpoint, height * 2 + coinbase as uint32, then the
 * output (amount, compact size, script). */
static void serialize_coin(blvm_writer *w, const blvm_outpoint *op, const blvm_coin *c) {
    blvm_write_bytes(w, op->hash, 32);
    blvm_write_u32(w, op->n);
    blvm_write_u32(w, (uint32_t)((c->height << 1) + (c->coinbase ? 1 : 0)));
    blvm_write_i64(w, c->out.value);
    blvm_write_var_bytes(w, c->out.script_pubkey.data, c->out.script_pubkey.len);
}

/* The chainstate visits coins in Core's key order ('C' || txid || VARINT(n),
 * where VARINT preserves numeric order), which is the order Core hashes in:
 * by txid, then by output index. */
static bool visit(void *arg, const blvm_outpoint *op, const blvm_coin *c) {
    walk_ctx *w = arg;
    blvm_utxo_stats *st = w->st;
    if (!w->have_last || memcmp(w->last_txid, op->hash, 32) != 0) {
        st->transactions++;
        memcpy(w->last_txid, op->hash, 32);
        w->have_last = true;
    }
    st->txouts++;
    st->total_amount += c->out.value;
    /* Core's GetBogoSize: txid, vout, height+coinbase, amount, script length
     * (2) and script. */
    st->bogosize += 32 + 4 + 4 + 8 + 2 + c->out.script_pubkey.len;
    if (w->type == BLVM_UTXO_HASH_NONE) return true;
    w->buf.len = 0;
    serialize_coin(&w->buf, op, c);
    if (w->buf.err) return false;
    if (w->type == BLVM_UTXO_HASH_SERIALIZED)
        blvm_sha256_write(&w->sha, w->buf.data, w->buf.len);
    else
        blvm_muhash_insert(&w->muhash, w->buf.data, w->buf.len);
    return true;
}

static uint64_t dir_size(const char *path) {
    DIR *d = path ? opendir(path) : NULL;
    if (!d) return 0;
    uint64_t total = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char f[4400];
        struct stat st;
        snprintf(f, sizeof f, "%s/%s", path, e->d_name);
        if (stat(f, &st) == 0 && S_ISREG(st.st_mode)) total += (uint64_t)st.st_size;
    }
    closedir(d);
    return total;
}

bool blvm_utxo_stats_compute(blvm_chainstate *cs, blvm_utxo_hash_type type,
                             const char *chainstate_dir, blvm_utxo_stats *out) {
    memset(out, 0, sizeof *out);
    walk_ctx w = {.type = type, .st = out};
    blvm_sha256_init(&w.sha);
    blvm_muhash_init(&w.muhash);
    blvm_writer_init(&w.buf);
    int rc = blvm_chainstate_for_each_coin(cs, visit, &w, out->best_block, &out->height);
    bool ok = rc == BLVM_KV_OK && !w.buf.err;
    blvm_writer_clear(&w.buf);
    if (!ok) return false;
    if (type == BLVM_UTXO_HASH_SERIALIZED) {
        /* HashWriter::GetHash: SHA-256 of the SHA-256. */
        uint8_t first[32];
        blvm_sha256_finalize(&w.sha, first);
        blvm_sha256(out->hash, first, 32);
    } else if (type == BLVM_UTXO_HASH_MUHASH) {
        blvm_muhash_finalize(&w.muhash, out->hash);
    }
    out->disk_size = dir_size(chainstate_dir);
    return true;
}
