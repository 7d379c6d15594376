#include "node/blockindex.h"

#include <stdlib.h>
#include <string.h>

#include "storage/varint.h"

bool blvm_block_index_raise_validity(blvm_block_index *b, uint32_t up_to) {
    if (b->status & BLVM_BLOCK_FAILED_MASK) return false;
    if ((b->status & BLVM_BLOCK_VALID_MASK) < up_to) {
        b->status = (b->status & ~(uint32_t)BLVM_BLOCK_VALID_MASK) | up_to;
        b->dirty = true;
        return true;
    }
    return false;
}

void blvm_block_index_header(const blvm_block_index *b, blvm_block_header *out) {
    memset(out, 0, sizeof(*out));
    out->version = b->entry.version;
    if (b->entry.prev) memcpy(out->prev_hash, b->entry.prev->hash, 32);
    memcpy(out->merkle_root, b->merkle_root, 32);
    out->time = b->entry.time;
    out->bits = b->entry.bits;
    out->nonce = b->nonce;
}

blvm_block_index *blvm_block_index_ancestor(const blvm_block_index *b, int32_t height) {
    return (blvm_block_index *)blvm_chain_entry_ancestor(&b->entry, height);
}

blvm_flatpos blvm_block_index_data_pos(const blvm_block_index *b) {
    blvm_flatpos p = {-1, 0};
    if (b->status & BLVM_BLOCK_HAVE_DATA) {
        p.file = b->file;
        p.pos = b->data_pos;
    }
    return p;
}

blvm_flatpos blvm_block_index_undo_pos(const blvm_block_index *b) {
    blvm_flatpos p = {-1, 0};
    if (b->status & BLVM_BLOCK_HAVE_UNDO) {
        p.file = b->file;
        p.pos = b->undo_pos;
    }
    return p;
}

void blvm_block_index_encode(const blvm_block_index *b, blvm_writer *w) {
    blvm_write_varint(w, BLVM_BLOCK_INDEX_DISK_VERSION);
    blvm_write_varint(w, (uint64_t)b->entry.height);
    blvm_write_varint(w, b->status);
    blvm_write_varint(w, b->tx_count);
    if (b->status & (BLVM_BLOCK_HAVE_DATA | BLVM_BLOCK_HAVE_UNDO))
        blvm_write_varint(w, (uint64_t)b->file);
    if (b->status & BLVM_BLOCK_HAVE_DATA) blvm_write_varint(w, b->data_pos);
    if (b->status & BLVM_BLOCK_HAVE_UNDO) blvm_write_varint(w, b->undo_pos);
    blvm_block_header h;
    blvm_block_index_header(b, &h);
    uint8_t raw[BLVM_HEADER_SIZE];
    blvm_header_encode(&h, raw);
    blvm_write_bytes(w, raw, sizeof raw);
}

void blvm_block_tree_init(blvm_block_tree *t) {
    memset(t, 0, sizeof(*t));
}

void blvm_block_tree_clear(blvm_block_tree *t) {
    for (size_t i = 0; i < t->count; i++)
        free(t->all[i]);
    free(t->all);
    free(t->buckets);
    memset(t, 0, sizeof(*t));
}

static size_t hash_bucket(const uint8_t hash[32], size_t nbuckets) {
    /* block hashes are proof-of-work outputs: their middle bytes are as
     * random as anything a salt would give */
    uint64_t v;
    memcpy(&v, hash + 8, 8);
    return (size_t)v & (nbuckets - 1);
}

blvm_block_index *blvm_block_tree_find(const blvm_block_tree *t, const uint8_t hash[32]) {
    if (!t->nbuckets) return NULL;
    for (blvm_block_index *b = t->buckets[hash_bucket(hash, t->nbuckets)]; b; b = b->hash_next)
        if (memcmp(b->entry.hash, hash, 32) == 0) return b;
    return NULL;
}

static bool tree_reserve(blvm_block_tree *t) {
    if (t->count + 1 > t->all_cap) {
        size_t cap = t->all_cap ? t->all_cap * 2 : 1024;
        blvm_block_index **all = realloc(t->all, cap * sizeof(*all));
        if (!all) return false;
        t->all = all;
        t->all_cap = cap;
    }
    if (t->count + 1 > t->nbuckets) {
        size_t nb = t->nbuckets ? t->nbuckets * 2 : 1024;
        blvm_block_index **b = calloc(nb, sizeof(*b));
        if (!b) return false;
        for (size_t i = 0; i < t->count; i++) {
            blvm_block_index *e = t->all[i];
            size_t k = hash_bucket(e->entry.hash, nb);
            e->hash_next = b[k];
            b[k] = e;
        }
        free(t->buckets);
        t->buckets = b;
        t->nbuckets = nb;
    }
    return true;
}

static void link_entry(blvm_block_index *b, const blvm_block_header *h, const uint8_t hash[32],
                       blvm_block_index *prev) {
    blvm_chain_entry_init(&b->entry, h, hash, prev ? &prev->entry : NULL);
    memcpy(b->merkle_root, h->merkle_root, 32);
    b->nonce = h->nonce;
    b->time_max = prev && prev->time_max > h->time ? prev->time_max : h->time;
}

static blvm_block_index *tree_insert(blvm_block_tree *t, const uint8_t hash[32]) {
    if (!tree_reserve(t)) return NULL;
    blvm_block_index *b = calloc(1, sizeof(*b));
    if (!b) return NULL;
    memcpy(b->entry.hash, hash, 32);
    b->file = -1;
    size_t k = hash_bucket(hash, t->nbuckets);
    b->hash_next = t->buckets[k];
    t->buckets[k] = b;
    t->all[t->count++] = b;
    return b;
}

blvm_block_index *blvm_block_tree_add(blvm_block_tree *t, const blvm_block_header *h,
                                      const uint8_t hash[32]) {
    blvm_block_index *b = blvm_block_tree_find(t, hash);
    if (b) return b;
    static const uint8_t zero[32] = {0};
    blvm_block_index *prev = NULL;
    if (memcmp(h->prev_hash, zero, 32) != 0) {
        prev = blvm_block_tree_find(t, h->prev_hash);
        if (!prev) return NULL;
    }
    b = tree_insert(t, hash);
    if (!b) return NULL;
    link_entry(b, h, hash, prev);
    b->status = BLVM_BLOCK_VALID_TREE;
    b->dirty = true;
    return b;
}

typedef struct {
    blvm_block_index *b;
    blvm_block_header h;
} pending_entry;

static int cmp_height(const void *a, const void *b) {
    const pending_entry *x = a, *y = b;
    return (x->b->entry.height > y->b->entry.height) - (x->b->entry.height < y->b->entry.height);
}

static bool decode_record(blvm_block_tree *t, const uint8_t *key, size_t kl, const uint8_t *v,
                          size_t vl, pending_entry *out) {
    if (kl != 33) return false;
    blvm_reader r;
    blvm_reader_init(&r, v, vl);
    uint64_t version, height;
    uint32_t status, ntx, file = 0, data_pos = 0, undo_pos = 0;
    if (!blvm_read_varint(&r, INT32_MAX, &version) || !blvm_read_varint(&r, INT32_MAX, &height) ||
        !blvm_read_varint32(&r, &status) || !blvm_read_varint32(&r, &ntx))
        return false;
    if (status & (BLVM_BLOCK_HAVE_DATA | BLVM_BLOCK_HAVE_UNDO)) {
        uint64_t f;
        if (!blvm_read_varint(&r, INT32_MAX, &f)) return false;
        file = (uint32_t)f;
    }
    if ((status & BLVM_BLOCK_HAVE_DATA) && !blvm_read_varint32(&r, &data_pos)) return false;
    if ((status & BLVM_BLOCK_HAVE_UNDO) && !blvm_read_varint32(&r, &undo_pos)) return false;
    blvm_block_header h;
    if (!blvm_header_decode(&h, &r) || blvm_reader_remaining(&r) != 0) return false;
    if (blvm_block_tree_find(t, key + 1)) return false; /* duplicate */
    blvm_block_index *b = tree_insert(t, key + 1);
    if (!b) return false;
    b->entry.height = (int32_t)height;
    b->status = status;
    b->tx_count = ntx;
    b->file = (status & (BLVM_BLOCK_HAVE_DATA | BLVM_BLOCK_HAVE_UNDO)) ? (int32_t)file : -1;
    b->data_pos = data_pos;
    b->undo_pos = undo_pos;
    b->sequence_id = 1; /* Core's SEQ_ID_INIT_FROM_DISK */
    out->b = b;
    out->h = h;
    return true;
}

bool blvm_block_tree_load(blvm_block_tree *t, blvm_kv *kv) {
    blvm_kv_txn *txn;
    if (blvm_kv_begin(kv, false, &txn) != BLVM_KV_OK) return false;
    blvm_kv_cursor *cur;
    if (blvm_kv_cursor_open(txn, "b", 1, &cur) != BLVM_KV_OK) {
        blvm_kv_abort(txn);
        return false;
    }
    pending_entry *pend = NULL;
    size_t n = 0, cap = 0;
    bool ok = true;
    const void *k, *v;
    size_t kl, vl;
    int rc;
    while ((rc = blvm_kv_cursor_next(cur, &k, &kl, &v, &vl)) == BLVM_KV_OK) {
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            pending_entry *np = realloc(pend, cap * sizeof(*np));
            if (!np) {
                ok = false;
                break;
            }
            pend = np;
        }
        if (!decode_record(t, k, kl, v, vl, &pend[n])) {
            ok = false;
            break;
        }
        n++;
    }
    if (rc != BLVM_KV_NOTFOUND) ok = false;
    blvm_kv_cursor_close(cur);
    blvm_kv_abort(txn);
    /* Link parents before children: by height. */
    if (ok && n) qsort(pend, n, sizeof(*pend), cmp_height);
    static const uint8_t zero[32] = {0};
    for (size_t i = 0; ok && i < n; i++) {
        blvm_block_index *b = pend[i].b, *prev = NULL;
        int32_t height = b->entry.height;
        if (memcmp(pend[i].h.prev_hash, zero, 32) != 0) {
            prev = blvm_block_tree_find(t, pend[i].h.prev_hash);
            if (!prev || prev->entry.height + 1 != height) {
                ok = false;
                break;
            }
        } else if (height != 0) {
            ok = false;
            break;
        }
        link_entry(b, &pend[i].h, b->entry.hash, prev);
        if (b->tx_count && (!prev || prev->chain_tx)) {
            b->chain_tx = (prev ? prev->chain_tx : 0) + b->tx_count;
        }
    }
    free(pend);
    return ok;
}

int blvm_block_tree_write_dirty(const blvm_block_tree *t, blvm_kv_txn *txn) {
    blvm_writer w;
    blvm_writer_init(&w);
    int rc = BLVM_KV_OK;
    for (size_t i = 0; i < t->count && rc == BLVM_KV_OK; i++) {
        const blvm_block_index *b = t->all[i];
        if (!b->dirty) continue;
        uint8_t key[33];
        key[0] = 'b';
        memcpy(key + 1, b->entry.hash, 32);
        w.len = 0;
        blvm_block_index_encode(b, &w);
        rc = w.err ? BLVM_KV_NOMEM : blvm_kv_put(txn, key, sizeof key, w.data, w.len);
    }
    blvm_writer_clear(&w);
    return rc;
}

void blvm_block_tree_clear_dirty(blvm_block_tree *t) {
    for (size_t i = 0; i < t->count; i++)
        t->all[i]->dirty = false;
}

void blvm_active_chain_init(blvm_active_chain *c) {
    memset(c, 0, sizeof(*c));
}

void blvm_active_chain_clear(blvm_active_chain *c) {
    free(c->v);
    memset(c, 0, sizeof(*c));
}

bool blvm_active_chain_set_tip(blvm_active_chain *c, blvm_block_index *tip) {
    if (!tip) {
        c->len = 0;
        return true;
    }
    size_t need = (size_t)tip->entry.height + 1;
    if (need > c->cap) {
        size_t cap = c->cap ? c->cap : 1024;
        while (cap < need)
            cap *= 2;
        blvm_block_index **v = realloc(c->v, cap * sizeof(*v));
        if (!v) return false;
        c->v = v;
        c->cap = cap;
    }
    size_t old = c->len;
    c->len = need;
    for (blvm_block_index *b = tip; b; b = blvm_block_index_prev(b)) {
        size_t h = (size_t)b->entry.height;
        if (h < old && c->v[h] == b) break; /* the rest is shared */
        c->v[h] = b;
    }
    return true;
}

blvm_block_index *blvm_active_chain_at(const blvm_active_chain *c, int32_t height) {
    if (height < 0 || (size_t)height >= c->len) return NULL;
    return c->v[height];
}

bool blvm_active_chain_contains(const blvm_active_chain *c, const blvm_block_index *b) {
    return b && blvm_active_chain_at(c, b->entry.height) == b;
}

blvm_block_index *blvm_active_chain_find_fork(const blvm_active_chain *c, blvm_block_index *b) {
    if (!b) return NULL;
    int32_t h = blvm_active_chain_height(c);
    if (b->entry.height > h) b = blvm_block_index_ancestor(b, h);
    while (b && !blvm_active_chain_contains(c, b))
        b = blvm_block_index_prev(b);
    return b;
}

blvm_block_index *blvm_block_index_last_common_ancestor(blvm_block_index *a, blvm_block_index *b) {
    if (!a || !b) return NULL;
    if (a->entry.height > b->entry.height)
        a = blvm_block_index_ancestor(a, b->entry.height);
    else if (b->entry.height > a->entry.height)
        b = blvm_block_index_ancestor(b, a->entry.height);
    while (a != b && a && b) {
        a = blvm_block_index_prev(a);
        b = blvm_block_index_prev(b);
    }
    return a;
}
