#include "storage/kv.h"

#include <errno.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* LMDB may only change its map size while no transaction of this process is
 * open, because readers point straight into the map. Every transaction holds
 * `map_lock` shared; growing the map takes it exclusively. */
struct blvm_kv {
    MDB_env *env;
    MDB_dbi dbi;
    uint64_t map_size;
    bool read_only;
    pthread_rwlock_t map_lock;
};

struct blvm_kv_txn {
    blvm_kv *kv;
    MDB_txn *txn;
    bool write;
};

struct blvm_kv_cursor {
    MDB_cursor *cur;
    uint8_t prefix[BLVM_KV_MAX_KEY];
    size_t prefix_len;
    bool started;
};

#define KV_DEFAULT_MAP_SIZE ((uint64_t)256 << 20)

static int map_error(int rc) {
    switch (rc) {
    case MDB_SUCCESS:
        return BLVM_KV_OK;
    case MDB_NOTFOUND:
        return BLVM_KV_NOTFOUND;
    case MDB_MAP_FULL:
    case MDB_MAP_RESIZED:
        return BLVM_KV_MAP_FULL;
    case MDB_TXN_FULL: /* too many dirty pages: a bigger map would not help */
        return BLVM_KV_NOMEM;
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
    case MDB_INCOMPATIBLE:
        return BLVM_KV_CORRUPT;
    case ENOMEM:
        return BLVM_KV_NOMEM;
    case MDB_READERS_FULL:
    case EAGAIN:
    case EBUSY:
        return BLVM_KV_BUSY;
    case MDB_BAD_VALSIZE:
    case MDB_BAD_TXN:
    case EINVAL:
    case EACCES:
        return BLVM_KV_INVALID;
    default:
        return BLVM_KV_IO;
    }
}

const char *blvm_kv_strerror(int code) {
    switch (code) {
    case BLVM_KV_OK:
        return "ok";
    case BLVM_KV_NOTFOUND:
        return "not found";
    case BLVM_KV_MAP_FULL:
        return "database map full";
    case BLVM_KV_IO:
        return "database I/O error";
    case BLVM_KV_CORRUPT:
        return "database corrupted";
    case BLVM_KV_NOMEM:
        return "out of memory";
    case BLVM_KV_BUSY:
        return "database busy or locked";
    case BLVM_KV_INVALID:
        return "invalid database operation";
    case BLVM_KV_ABORTED:
        return "database update aborted";
    default:
        return "unknown database error";
    }
}

int blvm_kv_open(blvm_kv **out, const char *dir, const blvm_kv_options *opt) {
    *out = NULL;
    blvm_kv *kv = calloc(1, sizeof(*kv));
    if (!kv) return BLVM_KV_NOMEM;
    kv->map_size = opt && opt->initial_map_size ? opt->initial_map_size : KV_DEFAULT_MAP_SIZE;
    kv->read_only = opt && opt->read_only;
    if (pthread_rwlock_init(&kv->map_lock, NULL) != 0) {
        free(kv);
        return BLVM_KV_NOMEM;
    }
    int rc = mdb_env_create(&kv->env);
    if (rc) goto fail;
    rc = mdb_env_set_mapsize(kv->env, (size_t)kv->map_size);
    if (rc) goto fail;
    rc = mdb_env_set_maxreaders(kv->env, 256);
    if (rc) goto fail;
    /* NOTLS: read transactions are not tied to a thread, so a thread may hold
     * more than one and RPC workers can hand them around. */
    unsigned flags = MDB_NOTLS;
    if (opt && opt->no_sync) flags |= MDB_NOSYNC;
    if (kv->read_only) flags |= MDB_RDONLY;
    rc = mdb_env_open(kv->env, dir, flags, 0644);
    if (rc) goto fail;
    /* Reader slots of processes that died without ending their read
     * transactions (kill -9) would pin old pages and fill the table: free
     * them. (The first process to open the environment also resets the
     * table; this covers a stale slot left next to a live process.) */
    int dead = 0;
    (void)mdb_reader_check(kv->env, &dead);
    MDB_txn *txn;
    rc = mdb_txn_begin(kv->env, NULL, kv->read_only ? MDB_RDONLY : 0, &txn);
    if (rc) goto fail;
    rc = mdb_dbi_open(txn, NULL, 0, &kv->dbi);
    if (rc) {
        mdb_txn_abort(txn);
        goto fail;
    }
    rc = mdb_txn_commit(txn);
    if (rc) goto fail;
    /* The file may have been grown by an earlier run: adopt its map size. */
    MDB_envinfo info;
    if (mdb_env_info(kv->env, &info) == 0 && info.me_mapsize > kv->map_size)
        kv->map_size = info.me_mapsize;
    *out = kv;
    return BLVM_KV_OK;
fail:
    if (kv->env) mdb_env_close(kv->env);
    pthread_rwlock_destroy(&kv->map_lock);
    free(kv);
    return map_error(rc);
}

void blvm_kv_close(blvm_kv *kv) {
    if (!kv) return;
    mdb_env_close(kv->env);
    pthread_rwlock_destroy(&kv->map_lock);
    free(kv);
}

int blvm_kv_sync(blvm_kv *kv) {
    if (kv->read_only) return BLVM_KV_OK;
    return map_error(mdb_env_sync(kv->env, 1));
}

uint64_t blvm_kv_map_size(const blvm_kv *kv) {
    return kv->map_size;
}

int blvm_kv_begin(blvm_kv *kv, bool write, blvm_kv_txn **out) {
    *out = NULL;
    if (write && kv->read_only) return BLVM_KV_INVALID;
    blvm_kv_txn *t = malloc(sizeof(*t));
    if (!t) return BLVM_KV_NOMEM;
    pthread_rwlock_rdlock(&kv->map_lock);
    int rc = mdb_txn_begin(kv->env, NULL, write ? 0 : MDB_RDONLY, &t->txn);
    if (rc) {
        pthread_rwlock_unlock(&kv->map_lock);
        free(t);
        return map_error(rc);
    }
    t->kv = kv;
    t->write = write;
    *out = t;
    return BLVM_KV_OK;
}

int blvm_kv_commit(blvm_kv_txn *t) {
    blvm_kv *kv = t->kv;
    int rc = mdb_txn_commit(t->txn);
    pthread_rwlock_unlock(&kv->map_lock);
    free(t);
    return map_error(rc);
}

void blvm_kv_abort(blvm_kv_txn *t) {
    if (!t) return;
    blvm_kv *kv = t->kv;
    mdb_txn_abort(t->txn);
    pthread_rwlock_unlock(&kv->map_lock);
    free(t);
}

static bool key_ok(const void *key, size_t key_len) {
    return key && key_len > 0 && key_len <= BLVM_KV_MAX_KEY;
}

int blvm_kv_get(blvm_kv_txn *t, const void *key, size_t key_len, const void **val,
                size_t *val_len) {
    *val = NULL;
    *val_len = 0;
    if (!key_ok(key, key_len)) return BLVM_KV_INVALID;
    MDB_val k = {key_len, (void *)key}, v;
    int rc = mdb_get(t->txn, t->kv->dbi, &k, &v);
    if (rc) return map_error(rc);
    *val = v.mv_data;
    *val_len = v.mv_size;
    return BLVM_KV_OK;
}

int blvm_kv_put(blvm_kv_txn *t, const void *key, size_t key_len, const void *val, size_t val_len) {
    if (!t->write || !key_ok(key, key_len)) return BLVM_KV_INVALID;
    static const uint8_t empty = 0;
    MDB_val k = {key_len, (void *)key}, v = {val_len, val_len ? (void *)val : (void *)&empty};
    return map_error(mdb_put(t->txn, t->kv->dbi, &k, &v, 0));
}

int blvm_kv_del(blvm_kv_txn *t, const void *key, size_t key_len) {
    if (!t->write || !key_ok(key, key_len)) return BLVM_KV_INVALID;
    MDB_val k = {key_len, (void *)key};
    int rc = mdb_del(t->txn, t->kv->dbi, &k, NULL);
    if (rc == MDB_NOTFOUND) return BLVM_KV_OK;
    return map_error(rc);
}

int blvm_kv_cursor_open(blvm_kv_txn *t, const void *prefix, size_t prefix_len,
                        blvm_kv_cursor **out) {
    *out = NULL;
    if (prefix_len > BLVM_KV_MAX_KEY || (prefix_len && !prefix)) return BLVM_KV_INVALID;
    blvm_kv_cursor *c = calloc(1, sizeof(*c));
    if (!c) return BLVM_KV_NOMEM;
    int rc = mdb_cursor_open(t->txn, t->kv->dbi, &c->cur);
    if (rc) {
        free(c);
        return map_error(rc);
    }
    if (prefix_len) memcpy(c->prefix, prefix, prefix_len);
    c->prefix_len = prefix_len;
    *out = c;
    return BLVM_KV_OK;
}

int blvm_kv_cursor_next(blvm_kv_cursor *c, const void **key, size_t *key_len, const void **val,
                        size_t *val_len) {
    MDB_val k, v;
    int rc;
    if (!c->started) {
        c->started = true;
        if (c->prefix_len) {
            k.mv_size = c->prefix_len;
            k.mv_data = c->prefix;
            rc = mdb_cursor_get(c->cur, &k, &v, MDB_SET_RANGE);
        } else {
            rc = mdb_cursor_get(c->cur, &k, &v, MDB_FIRST);
        }
    } else {
        rc = mdb_cursor_get(c->cur, &k, &v, MDB_NEXT);
    }
    if (rc) return map_error(rc);
    if (k.mv_size < c->prefix_len || memcmp(k.mv_data, c->prefix, c->prefix_len) != 0)
        return BLVM_KV_NOTFOUND;
    *key = k.mv_data;
    *key_len = k.mv_size;
    *val = v.mv_data;
    *val_len = v.mv_size;
    return BLVM_KV_OK;
}

void blvm_kv_cursor_close(blvm_kv_cursor *c) {
    if (!c) return;
    mdb_cursor_close(c->cur);
    free(c);
}

/* Doubles the map. Waits for every open transaction of this process to end. */
static int grow_map(blvm_kv *kv, uint64_t seen_size) {
    pthread_rwlock_wrlock(&kv->map_lock);
    int rc = 0;
    if (kv->map_size == seen_size) { /* another thread may have grown it already */
        uint64_t next = kv->map_size * 2;
        rc = mdb_env_set_mapsize(kv->env, (size_t)next);
        if (rc == 0) kv->map_size = next;
    }
    pthread_rwlock_unlock(&kv->map_lock);
    return map_error(rc);
}

int blvm_kv_update(blvm_kv *kv, blvm_kv_update_fn fn, void *ctx) {
    for (int attempt = 0; attempt < 40; attempt++) {
        blvm_kv_txn *t;
        int rc = blvm_kv_begin(kv, true, &t);
        if (rc) return rc;
        uint64_t seen = kv->map_size; /* stable while t holds the map lock */
        rc = fn(t, ctx);
        if (rc == BLVM_KV_OK) {
            rc = blvm_kv_commit(t);
        } else {
            blvm_kv_abort(t);
        }
        if (rc != BLVM_KV_MAP_FULL) return rc;
        rc = grow_map(kv, seen);
        if (rc) return rc;
    }
    return BLVM_KV_MAP_FULL;
}
