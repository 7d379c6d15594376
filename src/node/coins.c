#include "node/coins.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "crypto/siphash.h"
#include "storage/varint.h"

enum { ENTRY_DIRTY = 1, ENTRY_FRESH = 2 };

typedef struct coin_entry {
    struct coin_entry *next;
    blvm_outpoint op;
    blvm_coin coin;
    bool spent; /* a spent coin kept so that the flush deletes it from the store */
    uint8_t flags;
} coin_entry;

/* State of one entry before a change made under a journal. */
typedef struct {
    blvm_outpoint op;
    bool present; /* the entry existed */
    bool spent;
    uint8_t flags;
    blvm_coin coin; /* owned copy */
} journal_rec;

struct blvm_coins_cache {
    blvm_kv *kv;
    bool journal_on;
    journal_rec *journal;
    size_t njournal, journal_cap;
    blvm_kv_txn *reader; /* read snapshot for lookups, opened lazily */
    coin_entry **buckets;
    size_t nbuckets; /* power of two */
    size_t count;
    size_t dirty;
    size_t script_bytes;
    uint64_t k0, k1; /* hash salt: peers must not be able to aim at one bucket */
    uint8_t best[32];
};

blvm_coins_cache *blvm_coins_create(blvm_kv *kv) {
    blvm_coins_cache *c = calloc(1, sizeof(*c));
    if (!c) return NULL;
    c->kv = kv;
    c->nbuckets = 1024;
    c->buckets = calloc(c->nbuckets, sizeof(*c->buckets));
    if (!c->buckets) {
        free(c);
        return NULL;
    }
    uint64_t salt[2] = {0x736f6d6570736575ull, 0x646f72616e646f6dull};
    if (getrandom(salt, sizeof salt, 0) != (ssize_t)sizeof salt) {
        /* keep the fixed salt: still correct, only more predictable */
    }
    c->k0 = salt[0];
    c->k1 = salt[1];
    return c;
}

static void free_entry(blvm_coins_cache *c, coin_entry *e) {
    c->script_bytes -= e->coin.out.script_pubkey.len;
    if (e->flags & ENTRY_DIRTY) c->dirty--;
    c->count--;
    blvm_coin_clear(&e->coin);
    free(e);
}

static void journal_free(blvm_coins_cache *c);

void blvm_coins_discard(blvm_coins_cache *c) {
    journal_free(c);
    for (size_t i = 0; i < c->nbuckets; i++) {
        coin_entry *e = c->buckets[i];
        while (e) {
            coin_entry *n = e->next;
            free_entry(c, e);
            e = n;
        }
        c->buckets[i] = NULL;
    }
}

void blvm_coins_release_reader(blvm_coins_cache *c) {
    blvm_kv_abort(c->reader);
    c->reader = NULL;
}

void blvm_coins_destroy(blvm_coins_cache *c) {
    if (!c) return;
    blvm_coins_release_reader(c);
    blvm_coins_discard(c);
    free(c->journal);
    free(c->buckets);
    free(c);
}

static size_t bucket_of(const blvm_coins_cache *c, const blvm_outpoint *op) {
    return (size_t)blvm_siphash_uint256_extra(c->k0, c->k1, op->hash, op->n) & (c->nbuckets - 1);
}

static coin_entry *find(blvm_coins_cache *c, const blvm_outpoint *op) {
    for (coin_entry *e = c->buckets[bucket_of(c, op)]; e; e = e->next)
        if (e->op.n == op->n && memcmp(e->op.hash, op->hash, 32) == 0) return e;
    return NULL;
}

static void grow(blvm_coins_cache *c) {
    size_t nb = c->nbuckets * 2;
    coin_entry **b = calloc(nb, sizeof(*b));
    if (!b) return; /* stay at the current size: slower, still correct */
    size_t old = c->nbuckets;
    coin_entry **ob = c->buckets;
    c->buckets = b;
    c->nbuckets = nb;
    for (size_t i = 0; i < old; i++) {
        coin_entry *e = ob[i];
        while (e) {
            coin_entry *n = e->next;
            size_t k = bucket_of(c, &e->op);
            e->next = b[k];
            b[k] = e;
            e = n;
        }
    }
    free(ob);
}

static coin_entry *insert(blvm_coins_cache *c, const blvm_outpoint *op) {
    if (c->count >= c->nbuckets) grow(c);
    coin_entry *e = calloc(1, sizeof(*e));
    if (!e) return NULL;
    e->op = *op;
    size_t k = bucket_of(c, op);
    e->next = c->buckets[k];
    c->buckets[k] = e;
    c->count++;
    return e;
}

static void unlink_entry(blvm_coins_cache *c, coin_entry *e) {
    coin_entry **pp = &c->buckets[bucket_of(c, &e->op)];
    while (*pp != e)
        pp = &(*pp)->next;
    *pp = e->next;
    free_entry(c, e);
}

static void set_dirty(blvm_coins_cache *c, coin_entry *e) {
    if (!(e->flags & ENTRY_DIRTY)) {
        e->flags |= ENTRY_DIRTY;
        c->dirty++;
    }
}

/* Loads op from the store into a new clean entry. Returns 1 (entry set),
 * 0 (not in the store), negative on error. */
static int fetch(blvm_coins_cache *c, const blvm_outpoint *op, coin_entry **out) {
    *out = NULL;
    int rc;
    if (!c->reader) {
        rc = blvm_kv_begin(c->kv, false, &c->reader);
        if (rc) return rc;
    }
    uint8_t key[BLVM_COIN_KEY_MAX];
    size_t kl = blvm_coin_key(key, op);
    const void *v;
    size_t vl;
    rc = blvm_kv_get(c->reader, key, kl, &v, &vl);
    if (rc == BLVM_KV_NOTFOUND) return 0;
    if (rc) return rc;
    blvm_reader r;
    blvm_reader_init(&r, v, vl);
    blvm_coin coin;
    if (!blvm_coin_decode(&coin, &r) || blvm_reader_remaining(&r) != 0) {
        blvm_coin_clear(&coin);
        return BLVM_KV_CORRUPT;
    }
    coin_entry *e = insert(c, op);
    if (!e) {
        blvm_coin_clear(&coin);
        return BLVM_KV_NOMEM;
    }
    e->coin = coin;
    c->script_bytes += coin.out.script_pubkey.len;
    *out = e;
    return 1;
}

int blvm_coins_get(blvm_coins_cache *c, const blvm_outpoint *op, const blvm_coin **out) {
    *out = NULL;
    coin_entry *e = find(c, op);
    if (!e) {
        int rc = fetch(c, op, &e);
        if (rc <= 0) return rc;
    }
    if (e->spent) return 0;
    *out = &e->coin;
    return 1;
}

int blvm_coins_have(blvm_coins_cache *c, const blvm_outpoint *op) {
    const blvm_coin *coin;
    return blvm_coins_get(c, op, &coin);
}

/* Keeps the state of op's entry e (NULL: none) before a change, while a
 * journal is open. */
static bool journal_record(blvm_coins_cache *c, const blvm_outpoint *op, const coin_entry *e) {
    if (!c->journal_on) return true;
    if (c->njournal == c->journal_cap) {
        size_t nc = c->journal_cap ? c->journal_cap * 2 : 64;
        journal_rec *nj = realloc(c->journal, nc * sizeof(*nj));
        if (!nj) return false;
        c->journal = nj;
        c->journal_cap = nc;
    }
    journal_rec *r = &c->journal[c->njournal];
    memset(r, 0, sizeof(*r));
    r->op = *op;
    if (e) {
        r->present = true;
        r->spent = e->spent;
        r->flags = e->flags;
        if (!e->spent && !blvm_coin_copy(&r->coin, &e->coin)) {
            blvm_coin_clear(&r->coin);
            return false;
        }
    }
    c->njournal++;
    return true;
}

static void journal_free(blvm_coins_cache *c) {
    for (size_t i = 0; i < c->njournal; i++)
        blvm_coin_clear(&c->journal[i].coin);
    c->njournal = 0;
    c->journal_on = false;
}

bool blvm_coins_journal_begin(blvm_coins_cache *c) {
    if (c->journal_on) return false;
    journal_free(c);
    c->journal_on = true;
    return true;
}

void blvm_coins_journal_end(blvm_coins_cache *c) {
    journal_free(c);
}

bool blvm_coins_journal_rollback(blvm_coins_cache *c) {
    bool ok = true;
    c->journal_on = false; /* the restores below must not be recorded */
    /* Last change first: the oldest record of an outpoint is applied last,
     * so each entry ends as it was at begin. */
    for (size_t i = c->njournal; i-- > 0;) {
        journal_rec *r = &c->journal[i];
        coin_entry *e = find(c, &r->op);
        if (!r->present) {
            if (e) unlink_entry(c, e);
            continue;
        }
        if (!e) {
            e = insert(c, &r->op);
            if (!e) {
                ok = false;
                continue;
            }
        }
        c->script_bytes -= e->coin.out.script_pubkey.len;
        blvm_coin_clear(&e->coin);
        e->coin = r->coin; /* moves the script */
        memset(&r->coin, 0, sizeof(r->coin));
        c->script_bytes += e->coin.out.script_pubkey.len;
        e->spent = r->spent;
        if (e->flags & ENTRY_DIRTY) c->dirty--;
        e->flags = r->flags;
        if (e->flags & ENTRY_DIRTY) c->dirty++;
    }
    journal_free(c);
    return ok;
}

bool blvm_coins_add(blvm_coins_cache *c, const blvm_outpoint *op, blvm_coin *coin,
                    bool possible_overwrite) {
    coin_entry *e = find(c, op);
    bool fresh = false;
    if (e && !possible_overwrite && !e->spent) return false; /* would overwrite unspent */
    if (!journal_record(c, op, e)) return false;
    if (!e) {
        e = insert(c, op);
        if (!e) return false;
        e->spent = true; /* nothing yet */
        /* Core: a coin unknown to the cache is FRESH unless it might
         * overwrite one in the store. */
        fresh = !possible_overwrite;
    } else {
        /* A spent DIRTY entry has not reached the store: the store may still
         * hold the old coin, so the new one cannot be FRESH. */
        fresh = !possible_overwrite && !(e->flags & ENTRY_DIRTY);
        c->script_bytes -= e->coin.out.script_pubkey.len;
        blvm_coin_clear(&e->coin);
    }
    e->coin = *coin;
    memset(coin, 0, sizeof(*coin));
    c->script_bytes += e->coin.out.script_pubkey.len;
    e->spent = false;
    set_dirty(c, e);
    if (fresh) e->flags |= ENTRY_FRESH;
    return true;
}

int blvm_coins_spend(blvm_coins_cache *c, const blvm_outpoint *op, blvm_coin *moved_out) {
    if (moved_out) blvm_coin_init(moved_out);
    coin_entry *e = find(c, op);
    if (!e) {
        int rc = fetch(c, op, &e);
        if (rc <= 0) return rc;
    }
    if (e->spent) return 0;
    if (!journal_record(c, op, e)) return BLVM_KV_NOMEM;
    c->script_bytes -= e->coin.out.script_pubkey.len;
    if (moved_out) {
        *moved_out = e->coin;
    } else {
        blvm_coin_clear(&e->coin);
    }
    memset(&e->coin, 0, sizeof(e->coin));
    e->spent = true;
    if (e->flags & ENTRY_FRESH) {
        unlink_entry(c, e); /* never reached the store: just forget it */
    } else {
        set_dirty(c, e);
    }
    return 1;
}

void blvm_coins_get_best(const blvm_coins_cache *c, uint8_t out[32]) {
    memcpy(out, c->best, 32);
}
void blvm_coins_set_best(blvm_coins_cache *c, const uint8_t hash[32]) {
    memcpy(c->best, hash, 32);
}

int blvm_coins_read_best(blvm_kv *kv, uint8_t out[32]) {
    memset(out, 0, 32);
    blvm_kv_txn *t;
    int rc = blvm_kv_begin(kv, false, &t);
    if (rc) return rc;
    const void *v;
    size_t vl;
    rc = blvm_kv_get(t, BLVM_KV_KEY_BEST_BLOCK, 1, &v, &vl);
    if (rc == BLVM_KV_OK) {
        if (vl == 32) {
            memcpy(out, v, 32);
            rc = 1;
        } else {
            rc = BLVM_KV_CORRUPT;
        }
    } else if (rc == BLVM_KV_NOTFOUND) {
        rc = 0;
    }
    blvm_kv_abort(t);
    return rc;
}

size_t blvm_coins_usage(const blvm_coins_cache *c) {
    return c->count * (sizeof(coin_entry) + 16) + c->script_bytes +
           c->nbuckets * sizeof(coin_entry *);
}
size_t blvm_coins_cached_count(const blvm_coins_cache *c) {
    return c->count;
}
size_t blvm_coins_dirty_count(const blvm_coins_cache *c) {
    return c->dirty;
}

struct flush_ctx {
    blvm_coins_cache *c;
    blvm_kv_update_fn extra;
    void *extra_ctx;
};

static int flush_fn(blvm_kv_txn *t, void *arg) {
    struct flush_ctx *f = arg;
    blvm_coins_cache *c = f->c;
    blvm_writer w;
    blvm_writer_init(&w);
    int rc = BLVM_KV_OK;
    for (size_t i = 0; i < c->nbuckets && rc == BLVM_KV_OK; i++) {
        for (coin_entry *e = c->buckets[i]; e && rc == BLVM_KV_OK; e = e->next) {
            if (!(e->flags & ENTRY_DIRTY)) continue;
            uint8_t key[BLVM_COIN_KEY_MAX];
            size_t kl = blvm_coin_key(key, &e->op);
            if (e->spent) {
                rc = blvm_kv_del(t, key, kl);
            } else {
                w.len = 0;
                blvm_coin_encode(&e->coin, &w);
                if (w.err)
                    rc = BLVM_KV_NOMEM;
                else
                    rc = blvm_kv_put(t, key, kl, w.data, w.len);
            }
        }
    }
    blvm_writer_clear(&w);
    if (rc == BLVM_KV_OK) rc = blvm_kv_put(t, BLVM_KV_KEY_BEST_BLOCK, 1, c->best, 32);
    if (rc == BLVM_KV_OK && f->extra) rc = f->extra(t, f->extra_ctx);
    return rc;
}

int blvm_coins_flush(blvm_coins_cache *c, bool keep, blvm_kv_update_fn extra, void *extra_ctx) {
    if (c->journal_on) return BLVM_KV_INVALID; /* a disconnect in progress */
    /* Our own snapshot would block the map from growing, and is stale after
     * the commit anyway. */
    blvm_coins_release_reader(c);
    struct flush_ctx f = {c, extra, extra_ctx};
    int rc = blvm_kv_update(c->kv, flush_fn, &f);
    if (rc) return rc;
    if (!keep) {
        blvm_coins_discard(c);
        return BLVM_KV_OK;
    }
    for (size_t i = 0; i < c->nbuckets; i++) {
        coin_entry **pp = &c->buckets[i];
        while (*pp) {
            coin_entry *e = *pp;
            if (e->spent) {
                *pp = e->next;
                free_entry(c, e);
                continue;
            }
            if (e->flags & ENTRY_DIRTY) c->dirty--;
            e->flags = 0;
            pp = &e->next;
        }
    }
    return BLVM_KV_OK;
}

int blvm_coins_for_each_in(blvm_kv_txn *t, blvm_coins_visit_fn fn, void *ctx) {
    blvm_kv_cursor *cur;
    int rc = blvm_kv_cursor_open(t, "C", 1, &cur);
    if (rc) return rc;
    const void *k, *v;
    size_t kl, vl;
    while ((rc = blvm_kv_cursor_next(cur, &k, &kl, &v, &vl)) == BLVM_KV_OK) {
        blvm_outpoint op;
        blvm_coin coin;
        blvm_coin_init(&coin);
        blvm_reader r;
        blvm_reader_init(&r, v, vl);
        if (!blvm_coin_key_parse(k, kl, &op) || !blvm_coin_decode(&coin, &r) ||
            blvm_reader_remaining(&r) != 0) {
            blvm_coin_clear(&coin);
            rc = BLVM_KV_CORRUPT;
            break;
        }
        bool go_on = fn(ctx, &op, &coin);
        blvm_coin_clear(&coin);
        if (!go_on) {
            rc = BLVM_KV_NOTFOUND;
            break;
        }
    }
    blvm_kv_cursor_close(cur);
    return rc == BLVM_KV_NOTFOUND ? BLVM_KV_OK : rc;
}

int blvm_coins_for_each(blvm_coins_cache *c, blvm_coins_visit_fn fn, void *ctx) {
    if (c->dirty) return BLVM_KV_INVALID;
    blvm_kv_txn *t;
    int rc = blvm_kv_begin(c->kv, false, &t);
    if (rc) return rc;
    rc = blvm_coins_for_each_in(t, fn, ctx);
    blvm_kv_abort(t);
    return rc;
}
