/* Data safety of the chain on disk under faults: failed, short and
 * interrupted writes, failed fsyncs, a full disk (ENOSPC) in the block files,
 * the undo files and the LMDB store, an unclean disconnect, and kill -9 at
 * random moments while mining, reorganising, pruning and reindexing. After
 * each fault the data dir must reopen to a consistent chain whose UTXO set
 * equals a clean rebuild, holding at least what was flushed.
 *
 * Faults are injected by interposing the libc calls the storage layer and
 * liblmdb make (pwrite, writev, pwritev, fsync, fdatasync): this program's
 * definitions win over libc's, and pass through to it (dlsym RTLD_NEXT)
 * unless the file written matches the armed fault. */

#include <dlfcn.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "consensus/chain_rules.h"
#include "consensus/merkle.h"
#include "consensus/pow.h"
#include "crypto/sha256.h"
#include "node/chainstate.h"
#include "node/coins.h"
#include "storage/kv.h"

#include "testchain.h"

/* ---- fault injection ---- */

enum { F_NONE, F_FAIL_WRITE, F_SHORT_WRITE, F_FAIL_SYNC };

static struct {
    int mode;
    char target[256]; /* substring of the path of the files concerned */
    int err;          /* errno of a failure */
    long skip;        /* matching calls let through before failing */
    bool sticky;      /* keep failing after the first failure (disk stays full) */
    long writes;      /* matching write calls seen */
    long syncs;       /* matching sync calls seen */
    long failures;    /* failures injected */
} F;

static void arm(int mode, const char *target, int err, long skip, bool sticky) {
    memset(&F, 0, sizeof F);
    F.mode = mode;
    snprintf(F.target, sizeof F.target, "%.255s", target);
    F.err = err;
    F.skip = skip;
    F.sticky = sticky;
}

static void disarm(void) {
    F.mode = F_NONE;
}

/* Writes to the LMDB data file, counted whatever is armed. */
static long store_writes;

static bool fd_path(int fd, char *path, size_t cap) {
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, cap - 1);
    if (n <= 0) return false;
    path[n] = 0;
    return true;
}

/* The target is a substring of the path, or with a leading '=' its end
 * (to aim at a directory and not the files in it). */
static bool fd_matches(int fd) {
    char path[4096];
    if (!fd_path(fd, path, sizeof path)) return false;
    if (strstr(path, "/data.mdb")) store_writes++;
    if (F.mode == F_NONE || !F.target[0]) return false;
    if (F.target[0] == '=') {
        size_t pl = strlen(path), tl = strlen(F.target + 1);
        return pl >= tl && strcmp(path + pl - tl, F.target + 1) == 0;
    }
    return strstr(path, F.target) != NULL;
}

/* true: fail this call with F.err */
static bool should_fail(int mode) {
    if (F.mode != mode) return false;
    if (F.failures && F.sticky) {
        F.failures++;
        return true;
    }
    if (F.failures) return false;
    if (F.skip-- > 0) return false;
    F.failures++;
    return true;
}

#define REAL(name, type) ((type)dlsym(RTLD_NEXT, name))

typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*writev_fn)(int, const struct iovec *, int);
typedef ssize_t (*pwritev_fn)(int, const struct iovec *, int, off_t);
typedef int (*sync_fn)(int);

static int short_calls;

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off) {
    pwrite_fn real = REAL("pwrite", pwrite_fn);
    if (fd_matches(fd)) {
        F.writes++;
        if (should_fail(F_FAIL_WRITE)) {
            /* a full disk may take part of the write first */
            if (len > 1) (void)real(fd, buf, len / 2, off);
            errno = F.err;
            return -1;
        }
        if (F.mode == F_SHORT_WRITE) {
            /* every other call is interrupted, the others write a few bytes */
            if (short_calls++ % 2 == 0) {
                errno = EINTR;
                return -1;
            }
            size_t cap = 7 + (size_t)(short_calls % 500);
            if (len > cap) len = cap;
        }
    }
    return real(fd, buf, len, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t len, off_t off) {
    return pwrite(fd, buf, len, off);
}

ssize_t writev(int fd, const struct iovec *iov, int n) {
    if (fd_matches(fd)) {
        F.writes++;
        if (should_fail(F_FAIL_WRITE)) {
            errno = F.err;
            return -1;
        }
    }
    return REAL("writev", writev_fn)(fd, iov, n);
}

ssize_t pwritev(int fd, const struct iovec *iov, int n, off_t off) {
    if (fd_matches(fd)) {
        F.writes++;
        if (should_fail(F_FAIL_WRITE)) {
            errno = F.err;
            return -1;
        }
    }
    return REAL("pwritev", pwritev_fn)(fd, iov, n, off);
}

static int sync_common(const char *name, int fd) {
    if (fd_matches(fd)) {
        F.syncs++;
        if (should_fail(F_FAIL_SYNC)) {
            errno = F.err;
            return -1;
        }
    }
    return REAL(name, sync_fn)(fd);
}

int fsync(int fd) {
    return sync_common("fsync", fd);
}
int fdatasync(int fd) {
    return sync_common("fdatasync", fd);
}

/* ---- chainstate helpers ---- */

static const blvm_params *P;
static const uint8_t TRUE_SCRIPT[1] = {0x51};
static int fatal_calls;

static int setup_dir(void **state) {
    P = blvm_params_get(BLVM_NET_REGTEST);
    disarm();
    fatal_calls = 0;
    return blvm_test_tmpdir_setup(state);
}

static int teardown_dir(void **state) {
    disarm();
    return blvm_test_tmpdir_teardown(state);
}

static int64_t fixed_now(void) {
    return 2000000000;
}

static void on_fatal(void *ctx, const char *msg) {
    (void)ctx;
    (void)msg;
    fatal_calls++;
}

/* One script thread and real fsyncs (the faults hit them), fatal errors
 * counted. */
static blvm_chainstate_options default_opts(const char *dir) {
    blvm_chainstate_options o = blvm_tc_options(dir, 1, false, fixed_now);
    o.fatal_error = on_fatal;
    return o;
}

static blvm_chainstate *open_cs(const char *dir) {
    blvm_chainstate_options o = default_opts(dir);
    return blvm_tc_open(P, &o);
}

/* A block on parent: a coinbase paying `TRUE_SCRIPT` (with `opreturn` bytes
 * of filler) and optionally one transaction spending `spend` into two
 * outputs, paying 1000 in fees. `tag` makes sibling blocks differ. */
static void build_block(blvm_block *b, const blvm_tc_parent *parent, const blvm_outpoint *spend,
                        blvm_amount spend_value, size_t opreturn, uint8_t tag) {
    blvm_tx tx;
    blvm_tx_init(&tx);
    if (spend) {
        assert_true(blvm_tx_resize(&tx, 1, 2));
        tx.version = 2;
        tx.vin[0].prevout = *spend;
        tx.vin[0].sequence = BLVM_SEQUENCE_FINAL;
        for (int i = 0; i < 2; i++) {
            tx.vout[i].value = (spend_value - 1000) / 2;
            assert_true(blvm_script_set(&tx.vout[i].script_pubkey, TRUE_SCRIPT, 1));
        }
        blvm_tx_compute_hashes(&tx);
    }
    blvm_tc_block_opts bo = {.cb = {.tag = tag, .opreturn = opreturn}};
    blvm_tc_build(b, P, parent, &tx, spend ? 1 : 0, spend ? 1000 : 0, &bo);
    blvm_tx_clear(&tx);
}

/* Mines n blocks on the tip (each spends the coinbase of the block 100
 * below, once there is one, so that blocks have undo data with coins). */
static bool mine(blvm_chainstate *cs, int n, size_t opreturn, uint8_t tag) {
    blvm_tc_parent p = blvm_tc_tip(cs);
    for (int i = 0; i < n; i++) {
        blvm_block b;
        build_block(&b, &p, NULL, 0, opreturn, tag);
        bool ok = blvm_tc_submit(cs, &b, NULL);
        p = blvm_tc_ref_of(&b, p.height + 1);
        blvm_block_clear(&b);
        if (!ok) return false;
    }
    return true;
}

/* The coinbase output of the active block at height. */
static bool coinbase_of(blvm_chainstate *cs, int32_t height, blvm_outpoint *op,
                        blvm_amount *value) {
    uint8_t hash[32];
    blvm_block blk;
    if (!blvm_chainstate_hash_at_height(cs, height, hash) || !blvm_tc_read_block(cs, hash, &blk))
        return false;
    memcpy(op->hash, blk.txs[0].txid, 32);
    op->n = 0;
    *value = blk.txs[0].vout[0].value;
    blvm_block_clear(&blk);
    return true;
}

/* Mines one block spending the coinbase 100 below the tip (mature). */
static bool mine_spend(blvm_chainstate *cs, uint8_t tag) {
    blvm_tc_parent p = blvm_tc_tip(cs);
    blvm_outpoint op;
    blvm_amount v;
    if (p.height < 101 || !coinbase_of(cs, p.height - 99, &op, &v)) return mine(cs, 1, 0, tag);
    blvm_block b;
    build_block(&b, &p, &op, v, 0, tag);
    bool ok = blvm_tc_submit(cs, &b, NULL);
    blvm_block_clear(&b);
    return ok;
}

/* Reopens dir, checks the chain reaches at least min_height and holds the
 * UTXO set a -reindex-chainstate (or, when pruned, a -reindex... not
 * possible: then verifychain level 4 over the kept blocks) rebuilds. Returns
 * the recovered tip height. */
static int32_t check_recovers(const char *dir, int32_t min_height, bool pruned) {
    blvm_chainstate_options o = default_opts(dir);
    if (pruned) {
        o.max_blockfile_size = 0x10000;
        o.prune_target_bytes = UINT64_MAX;
    }
    blvm_chainstate *cs = blvm_tc_open(P, &o);
    assert_non_null(cs);
    blvm_tip_info t;
    blvm_chainstate_tip(cs, &t);
    assert_true(t.height >= min_height);
    blvm_tc_utxo_digest got = blvm_tc_utxo(cs);
    assert_int_equal(got.height, t.height);
    blvm_validation_state st;
    assert_true(blvm_chainstate_verify(cs, 4, pruned ? 100 : 0, &st));
    blvm_chainstate_close(cs);
    if (!pruned) {
        o.reindex_chainstate = true;
        cs = blvm_tc_open(P, &o);
        assert_non_null(cs);
        blvm_tip_info t2;
        blvm_chainstate_tip(cs, &t2);
        if (memcmp(t2.hash, t.hash, 32) != 0) {
            /* A kill in the middle of a competing branch can leave two tips
             * of equal work; which one a start picks is a tie (Core breaks
             * it by arrival order, unknown for blocks loaded from disk).
             * Prefer the recovered one, then compare. */
            assert_int_equal(blvm_u256_cmp(&t2.chain_work, &t.chain_work), 0);
            blvm_validation_state pst;
            assert_true(blvm_chainstate_precious_block(cs, t.hash, &pst));
        }
        blvm_tc_utxo_digest again = blvm_tc_utxo(cs);
        blvm_tc_assert_same_utxo(&got, &again, true);
        blvm_chainstate_close(cs);
    }
    assert_int_equal(fatal_calls, 0);
    return t.height;
}

/* ---- tests ---- */

/* The coins journal gives back exactly the cache it started from. */
static void test_coins_journal(void **state) {
    char dbdir[4200];
    snprintf(dbdir, sizeof dbdir, "%s/db", (char *)*state);
    assert_int_equal(mkdir(dbdir, 0755), 0);
    blvm_kv *kv;
    blvm_kv_options ko = {.no_sync = true};
    assert_int_equal(blvm_kv_open(&kv, dbdir, &ko), 0);
    blvm_coins_cache *c = blvm_coins_create(kv);
    blvm_outpoint ops[6];
    for (int i = 0; i < 6; i++) {
        memset(ops[i].hash, i + 1, 32);
        ops[i].n = (uint32_t)i;
        blvm_coin coin;
        blvm_coin_init(&coin);
        coin.out.value = 1000 * (i + 1);
        coin.height = (uint32_t)i;
        assert_true(blvm_script_set(&coin.out.script_pubkey, TRUE_SCRIPT, 1));
        assert_true(blvm_coins_add(c, &ops[i], &coin, false));
    }
    uint8_t best[32] = {1};
    blvm_coins_set_best(c, best);
    /* 0..2 in the store, 3..5 only in the cache (FRESH) */
    assert_int_equal(blvm_coins_flush(c, false, NULL, NULL), 0);
    for (int i = 3; i < 6; i++) {
        blvm_coin coin;
        blvm_coin_init(&coin);
        coin.out.value = 7;
        assert_true(blvm_script_set(&coin.out.script_pubkey, TRUE_SCRIPT, 1));
        memset(ops[i].hash, 0x40 + i, 32);
        assert_true(blvm_coins_add(c, &ops[i], &coin, false));
    }
    const blvm_coin *g;
    assert_int_equal(blvm_coins_get(c, &ops[1], &g), 1); /* loaded clean */
    size_t cached = blvm_coins_cached_count(c), dirty = blvm_coins_dirty_count(c);

    assert_true(blvm_coins_journal_begin(c));
    assert_false(blvm_coins_journal_begin(c)); /* one at a time */
    blvm_coin out;
    assert_int_equal(blvm_coins_spend(c, &ops[0], &out), 1); /* store coin, not cached */
    blvm_coin_clear(&out);
    assert_int_equal(blvm_coins_spend(c, &ops[1], NULL), 1); /* clean cached */
    assert_int_equal(blvm_coins_spend(c, &ops[3], NULL), 1); /* FRESH: entry dropped */
    blvm_coin nc;
    blvm_coin_init(&nc);
    nc.out.value = 99;
    assert_true(blvm_script_set(&nc.out.script_pubkey, TRUE_SCRIPT, 1));
    assert_true(blvm_coins_add(c, &ops[3], &nc, false)); /* re-added */
    blvm_outpoint extra;
    memset(extra.hash, 0x77, 32);
    extra.n = 9;
    blvm_coin_init(&nc);
    nc.out.value = 5;
    assert_true(blvm_coins_add(c, &extra, &nc, true)); /* new */
    assert_int_equal(blvm_coins_spend(c, &ops[4], NULL), 1);
    /* a flush in the middle of a journal is refused */
    assert_int_equal(blvm_coins_flush(c, true, NULL, NULL), BLVM_KV_INVALID);
    assert_true(blvm_coins_journal_rollback(c));

    /* ops[0] was loaded from the store on the way: one more clean entry */
    assert_int_equal(blvm_coins_cached_count(c), cached + 1);
    assert_int_equal(blvm_coins_dirty_count(c), dirty);
    assert_int_equal(blvm_coins_have(c, &extra), 0);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(blvm_coins_get(c, &ops[i], &g), 1);
        assert_int_equal(g->out.value, i < 3 ? 1000 * (i + 1) : 7);
    }
    /* FRESH survived the rollback: spending 5 drops it without a trace */
    assert_int_equal(blvm_coins_spend(c, &ops[5], NULL), 1);
    /* a kept journal keeps the changes */
    assert_true(blvm_coins_journal_begin(c));
    assert_int_equal(blvm_coins_spend(c, &ops[2], NULL), 1);
    blvm_coins_journal_end(c);
    assert_int_equal(blvm_coins_have(c, &ops[2]), 0);
    assert_int_equal(blvm_coins_flush(c, false, NULL, NULL), 0);
    int n = 0;
    for (int i = 0; i < 6; i++)
        n += blvm_coins_have(c, &ops[i]);
    assert_int_equal(n, 4); /* 0, 1, 3, 4 kept; 2 and 5 spent */
    blvm_coins_destroy(c);
    blvm_kv_close(kv);
}

/* Short writes and EINTR on every block and undo write: the data is
 * complete, and reads back the same after a restart. */
static void test_short_writes_and_eintr(void **state) {
    const char *dir = *state;
    blvm_chainstate *cs = open_cs(dir);
    assert_non_null(cs);
    arm(F_SHORT_WRITE, "/blocks/", 0, 0, false);
    for (int i = 0; i < 120; i++)
        assert_true(mine_spend(cs, 0));
    assert_true(F.writes > 200);
    disarm();
    blvm_tip_info t;
    blvm_chainstate_tip(cs, &t);
    assert_int_equal(t.height, 120);
    blvm_chainstate_close(cs);
    check_recovers(dir, 120, false);
}

/* The disk fills up while a block is written: a fatal error, nothing more
 * is accepted, and the next start has every block that made it. */
static void test_enospc_block_file(void **state) {
    const char *dir = *state;
    blvm_chainstate *cs = open_cs(dir);
    assert_non_null(cs);
    assert_true(mine(cs, 20, 2000, 0));
    assert_true(blvm_chainstate_flush(cs));
    assert_true(mine(cs, 5, 2000, 0)); /* not flushed */
    arm(F_FAIL_WRITE, "/blk0", ENOSPC, 0, true);
    assert_false(mine(cs, 1, 2000, 0));
    assert_int_equal(fatal_calls, 1);
    assert_true(F.failures >= 1);
    disarm();
    /* latched: even with space again, no new block until a restart */
    assert_false(mine(cs, 1, 2000, 1));
    assert_int_equal(fatal_calls, 1);
    blvm_tip_info t;
    blvm_chainstate_tip(cs, &t);
    assert_int_equal(t.height, 25);
    blvm_chainstate_close(cs); /* the final flush still writes a consistent state */
    fatal_calls = 0;
    assert_int_equal(check_recovers(dir, 25, false), 25);
    cs = open_cs(dir);
    assert_true(mine(cs, 3, 2000, 2)); /* and it goes on over the torn record */
    blvm_chainstate_close(cs);
    check_recovers(dir, 28, false);
}

/* The disk fills up while undo data is written: the block is stored but
 * not connected (its coins are put back), the node stops, and the next
 * start connects it. */
static void test_enospc_undo_file(void **state) {
    const char *dir = *state;
    blvm_chainstate *cs = open_cs(dir);
    assert_non_null(cs);
    for (int i = 0; i < 110; i++)
        assert_true(mine_spend(cs, 0));
    assert_true(blvm_chainstate_flush(cs));
    blvm_tc_utxo_digest before = blvm_tc_utxo(cs);
    arm(F_FAIL_WRITE, "/rev0", ENOSPC, 0, true);
    assert_false(mine_spend(cs, 0));
    assert_int_equal(fatal_calls, 1);
    disarm();
    blvm_tip_info t;
    blvm_chainstate_tip(cs, &t);
    assert_int_equal(t.height, 110);
    blvm_tc_utxo_digest after = blvm_tc_utxo(cs); /* flushes: the rolled-back set is the old one */
    blvm_tc_assert_same_utxo(&before, &after, true);
    blvm_chainstate_close(cs);
    fatal_calls = 0;
    assert_int_equal(check_recovers(dir, 111, false), 111);
}

/* fsync of a block file fails: the flush fails before anything reaches the
 * store (the index never names data that is not durable), the node stops,
 * and the next start replays the blocks. */
static void test_fsync_failure_keeps_store(void **state) {
    const char *dir = *state;
    blvm_chainstate *cs = open_cs(dir);
    assert_non_null(cs);
    assert_true(mine(cs, 30, 0, 0));
    assert_true(blvm_chainstate_flush(cs));
    assert_true(mine(cs, 10, 0, 0));
    arm(F_FAIL_SYNC, "/blk0", EIO, 0, true);
    long store_before = store_writes;
    assert_false(blvm_chainstate_flush(cs));
    assert_int_equal(store_writes, store_before); /* nothing committed */
    assert_int_equal(fatal_calls, 1);
    assert_true(F.failures >= 1);
    assert_false(mine(cs, 1, 0, 1)); /* refused after the fatal error */
    blvm_chainstate_close(cs);       /* its final flush fails the same way */
    assert_int_equal(store_writes, store_before);
    disarm();
    fatal_calls = 0;
    assert_int_equal(check_recovers(dir, 40, false), 40);
}

/* The directory fsync after a new block file was created fails: the flush
 * fails too, before the store names the new file. */
static void test_dir_fsync_failure(void **state) {
    const char *dir = *state;
    blvm_chainstate_options o = default_opts(dir);
    o.max_blockfile_size = 0x10000;
    blvm_chainstate *cs = blvm_tc_open(P, &o);
    assert_non_null(cs);
    assert_true(mine(cs, 5, 5000, 0));
    assert_true(blvm_chainstate_flush(cs));
    assert_true(mine(cs, 20, 5000, 0)); /* into a second file */
    char path[4200];
    snprintf(path, sizeof path, "%s/blocks/blk00001.dat", dir);
    assert_int_equal(access(path, F_OK), 0);
    arm(F_FAIL_SYNC, "=/blocks", EIO, 0, true);
    long store_before = store_writes;
    assert_false(blvm_chainstate_flush(cs));
    assert_int_equal(store_writes, store_before);
    assert_int_equal(fatal_calls, 1);
    assert_int_equal(F.failures, 1);
    disarm();
    blvm_chainstate_close(cs); /* the directory syncs now: a good final flush */
    assert_true(store_writes > store_before);
    fatal_calls = 0;
    cs = blvm_tc_open(P, &o);
    assert_non_null(cs);
    blvm_tip_info t;
    blvm_chainstate_tip(cs, &t);
    assert_int_equal(t.height, 25);
    blvm_chainstate_stats st;
    blvm_chainstate_get_stats(cs, &st);
    assert_int_equal(st.replayed_blocks, 0);
    blvm_chainstate_close(cs);
}

/* -reindex replaces the store: the directory holding the new store must be
 * synced with the reindex flag, or a power cut could bring back the old
 * store and the next start would not know a reindex was under way. A failed
 * directory sync stops the start; the next start succeeds. */
static void test_reindex_syncs_store_dir(void **state) {
    const char *dir = *state;
    blvm_chainstate *cs = open_cs(dir);
    assert_non_null(cs);
    assert_true(mine(cs, 3, 5000, 0));
    blvm_chainstate_close(cs);
    blvm_chainstate_options o = default_opts(dir);
    o.reindex = true;
    arm(F_FAIL_SYNC, "=/chainstate", EIO, 0, true);
    char err[256] = "";
    cs = blvm_chainstate_open(P, &o, err, sizeof err);
    assert_null(cs);
    assert_non_null(strstr(err, "cannot write to the database"));
    assert_true(F.failures >= 1);
    disarm();
    cs = blvm_tc_open(P, &o);
    assert_non_null(cs);
    blvm_tip_info t;
    blvm_chainstate_tip(cs, &t);
    assert_int_equal(t.height, 3);
    blvm_chainstate_close(cs);
}

/* The store's commit fails (disk full under LMDB): the flush fails and the
 * store keeps the previous flush, from which the next start replays. */
static void test_store_commit_failure(void **state) {
    const char *dir = *state;
    blvm_chainstate *cs = open_cs(dir);
    assert_non_null(cs);
    for (int i = 0; i < 105; i++)
        assert_true(mine_spend(cs, 0));
    assert_true(blvm_chainstate_flush(cs));
    for (int i = 0; i < 10; i++)
        assert_true(mine_spend(cs, 0));
    arm(F_FAIL_WRITE, "data.mdb", ENOSPC, 0, true);
    assert_false(blvm_chainstate_flush(cs));
    assert_int_equal(fatal_calls, 1);
    assert_true(F.failures >= 1);
    blvm_chainstate_close(cs); /* its final flush fails too: logged */
    disarm();
    fatal_calls = 0;
    assert_int_equal(check_recovers(dir, 115, false), 115);
}

/* Core's DisconnectTip fails on an unclean DisconnectBlock: an output of
 * the tip missing from the UTXO set makes invalidateblock fail and leaves
 * the chain and the set as they were. */
static void test_unclean_disconnect_fails(void **state) {
    const char *dir = *state;
    blvm_chainstate *cs = open_cs(dir);
    assert_non_null(cs);
    for (int i = 0; i < 103; i++)
        assert_true(mine_spend(cs, 0));
    blvm_tip_info t;
    blvm_chainstate_tip(cs, &t);
    /* the tip's spend has two outputs; remove one from the store */
    blvm_block blk;
    assert_true(blvm_tc_read_block(cs, t.hash, &blk));
    assert_int_equal(blk.tx_count, 2);
    blvm_outpoint victim;
    memcpy(victim.hash, blk.txs[1].txid, 32);
    victim.n = 1;
    blvm_block_clear(&blk);
    blvm_chainstate_close(cs);

    char dbdir[4200];
    snprintf(dbdir, sizeof dbdir, "%s/chainstate", dir);
    blvm_kv *kv;
    assert_int_equal(blvm_kv_open(&kv, dbdir, NULL), 0);
    blvm_kv_txn *txn;
    assert_int_equal(blvm_kv_begin(kv, true, &txn), 0);
    uint8_t key[BLVM_COIN_KEY_MAX];
    size_t kl = blvm_coin_key(key, &victim);
    const void *v;
    size_t vl;
    assert_int_equal(blvm_kv_get(txn, key, kl, &v, &vl), 0);
    assert_int_equal(blvm_kv_del(txn, key, kl), 0);
    assert_int_equal(blvm_kv_commit(txn), 0);
    blvm_kv_close(kv);

    cs = open_cs(dir);
    assert_non_null(cs);
    blvm_tc_utxo_digest before = blvm_tc_utxo(cs);
    blvm_validation_state st;
    assert_false(blvm_chainstate_invalidate_block(cs, t.hash, &st));
    blvm_tip_info t2;
    blvm_chainstate_tip(cs, &t2);
    assert_memory_equal(t2.hash, t.hash, 32);
    blvm_tc_utxo_digest after = blvm_tc_utxo(cs);
    blvm_tc_assert_same_utxo(&before, &after, true);
    /* verifychain level 3 finds it too, and changes nothing */
    assert_false(blvm_chainstate_verify(cs, 3, 1, &st));
    blvm_chainstate_tip(cs, &t2);
    assert_memory_equal(t2.hash, t.hash, 32);
    after = blvm_tc_utxo(cs);
    blvm_tc_assert_same_utxo(&before, &after, true);
    blvm_chainstate_close(cs);
    assert_int_equal(fatal_calls, 0);
}

/* TestBlockValidity (getblocktemplate, generateblock) checks a block
 * against the coins and leaves them exactly as they were: the set a flush
 * writes afterwards is the same, for a valid block and for one that fails
 * half way (its second transaction spends a missing coin). */
static void test_block_validity_leaves_coins(void **state) {
    const char *dir = *state;
    blvm_chainstate *cs = open_cs(dir);
    assert_non_null(cs);
    for (int i = 0; i < 105; i++)
        assert_true(mine_spend(cs, 0));
    blvm_tc_utxo_digest before = blvm_tc_utxo(cs);
    blvm_tc_parent p = blvm_tc_tip(cs);
    blvm_outpoint op;
    blvm_amount v;
    assert_true(coinbase_of(cs, p.height - 99, &op, &v));
    blvm_block good;
    build_block(&good, &p, &op, v, 0, 9);
    blvm_validation_state st;
    assert_true(blvm_chainstate_test_block_validity(cs, &good, false, true, &st));
    blvm_tc_utxo_digest after = blvm_tc_utxo(cs);
    blvm_tc_assert_same_utxo(&before, &after, true);

    blvm_block bad;
    build_block(&bad, &p, &op, v, 0, 10);
    /* a second transaction spending a coin that does not exist */
    blvm_tx *txs = realloc(bad.txs, 3 * sizeof(blvm_tx));
    assert_non_null(txs);
    bad.txs = txs;
    bad.tx_count = 3;
    assert_true(blvm_tx_copy(&bad.txs[2], &bad.txs[1]));
    bad.txs[2].vin[0].prevout.hash[0] ^= 1;
    blvm_tx_compute_hashes(&bad.txs[2]);
    bool mutated;
    assert_true(blvm_block_merkle_root(&bad, bad.header.merkle_root, &mutated));
    assert_false(blvm_chainstate_test_block_validity(cs, &bad, false, true, &st));
    assert_string_equal(st.reject_reason, "bad-txns-inputs-missingorspent");
    after = blvm_tc_utxo(cs);
    blvm_tc_assert_same_utxo(&before, &after, true);
    blvm_block_clear(&bad);

    /* and the checked block still connects */
    assert_true(blvm_tc_submit(cs, &good, NULL));
    blvm_block_clear(&good);
    blvm_tip_info t;
    blvm_chainstate_tip(cs, &t);
    assert_int_equal(t.height, p.height + 1);
    blvm_chainstate_close(cs);
    check_recovers(dir, p.height + 1, false);
}

/* ---- kill -9 at random moments ---- */

typedef struct {
    int32_t flushed; /* height of the last successful explicit flush */
    int32_t tip;
} child_report;

enum { WORK_MINE_REORG, WORK_PRUNE };

/* Child: mines, reorganises (a competing branch that overtakes the tip) and
 * flushes at random, optionally pruning; reports each flushed height. */
static void child_work(const char *dir, int work, unsigned seed, int fd) {
    srand(seed);
    blvm_chainstate_options o = default_opts(dir);
    o.dbcache_bytes = 32 << 10; /* flushes by itself when the cache fills */
    if (work == WORK_PRUNE) {
        o.max_blockfile_size = 0x10000;
        o.prune_target_bytes = UINT64_MAX; /* manual pruning (-prune=1) */
    }
    blvm_chainstate *cs = blvm_tc_open(P, &o);
    if (!cs) _exit(2);
    uint8_t tag = (uint8_t)(rand() & 0x7f);
    for (int i = 0; i < 100000; i++) {
        int r = rand() % 10;
        blvm_tc_parent tp = blvm_tc_tip(cs);
        if (r == 0 && tp.height > 5) {
            /* a branch from k below the tip, one longer: a reorg of depth k */
            int k = 1 + rand() % 4;
            uint8_t fork_hash[32];
            if (!blvm_chainstate_hash_at_height(cs, tp.height - k, fork_hash)) _exit(5);
            blvm_chainstate_lock(cs);
            blvm_block_index *fb = blvm_chainstate_find_locked(cs, fork_hash);
            blvm_tc_parent p = {{0}, tp.height - k, fb->entry.time};
            blvm_chainstate_unlock(cs);
            memcpy(p.hash, fork_hash, 32);
            tag++;
            for (int j = 0; j <= k; j++) {
                blvm_block b;
                build_block(&b, &p, NULL, 0, 1500, (uint8_t)(0x80 | tag));
                (void)blvm_tc_submit(cs, &b, NULL);
                p = blvm_tc_ref_of(&b, p.height + 1);
                blvm_block_clear(&b);
            }
            if (blvm_tc_tip(cs).height != tp.height + 1) _exit(6);
        } else if (!mine_spend(cs, tag)) {
            _exit(3);
        }
        if (work == WORK_PRUNE && rand() % 8 == 0 && blvm_tc_tip(cs).height > 320)
            (void)blvm_chainstate_prune_to(cs, blvm_tc_tip(cs).height - 300);
        child_report rep = {-1, blvm_tc_tip(cs).height};
        if (rand() % 5 == 0) {
            if (!blvm_chainstate_flush(cs)) _exit(4);
            rep.flushed = rep.tip;
        }
        if (write(fd, &rep, sizeof rep) != (ssize_t)sizeof rep) _exit(7);
    }
    _exit(0);
}

/* Runs child_work until at least `min_height`, then kills it at a random
 * moment; returns the highest height it reported flushed. */
static int32_t run_and_kill(const char *dir, int work, int32_t min_height) {
    unsigned seed = (unsigned)rand();
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        child_work(dir, work, seed, fds[1]);
    }
    close(fds[1]);
    child_report rep;
    int32_t flushed = -1;
    int32_t extra = rand() % 40;
    while (read(fds[0], &rep, sizeof rep) == (ssize_t)sizeof rep) {
        if (rep.flushed > flushed) flushed = rep.flushed;
        if (rep.tip >= min_height + extra) break;
    }
    usleep((useconds_t)(rand() % 30000)); /* land anywhere: in a block, a flush, a prune */
    kill(pid, SIGKILL);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    /* what it reported just before the kill */
    while (read(fds[0], &rep, sizeof rep) == (ssize_t)sizeof rep)
        if (rep.flushed > flushed) flushed = rep.flushed;
    close(fds[0]);
    if (!WIFSIGNALED(status)) fprintf(stderr, "child exit %d\n", WEXITSTATUS(status));
    assert_true(WIFSIGNALED(status));
    return flushed;
}

/* Random but repeatable: BLVM_TEST_SEED=<n> replays a run. */
static unsigned test_seed(void) {
    const char *e = getenv("BLVM_TEST_SEED");
    unsigned seed = e ? (unsigned)strtoul(e, NULL, 10) : (unsigned)time(NULL) ^ (unsigned)getpid();
    printf("seed %u (BLVM_TEST_SEED)\n", seed);
    return seed;
}

static void test_kill_9_mining_and_reorgs(void **state) {
    const char *dir = *state;
    srand(test_seed());
    int32_t height = 0;
    for (int round = 0; round < 20; round++) {
        int32_t flushed = run_and_kill(dir, WORK_MINE_REORG, height + 10);
        int32_t h = check_recovers(dir, flushed, false);
        if (getenv("BLVM_TEST_VERBOSE"))
            printf("round %d: flushed %d recovered %d\n", round, flushed, h);
        height = h;
    }
    assert_true(height >= 200);
}

static void test_kill_9_pruning(void **state) {
    const char *dir = *state;
    srand(test_seed());
    int32_t height = 0;
    for (int round = 0; round < 10; round++) {
        int32_t flushed = run_and_kill(dir, WORK_PRUNE, round == 0 ? 330 : height + 15);
        int32_t h = check_recovers(dir, flushed, true);
        if (getenv("BLVM_TEST_VERBOSE"))
            printf("round %d: flushed %d recovered %d\n", round, flushed, h);
        height = h;
    }
    blvm_chainstate_options o = default_opts(dir);
    o.max_blockfile_size = 0x10000;
    o.prune_target_bytes = UINT64_MAX;
    blvm_chainstate *cs = blvm_tc_open(P, &o);
    assert_non_null(cs);
    assert_true(blvm_chainstate_is_pruned(cs));
    blvm_chainstate_lock(cs);
    int32_t ph = blvm_chainstate_prune_height_locked(cs);
    blvm_chainstate_unlock(cs);
    assert_true(ph > 0);
    blvm_chainstate_close(cs);
    /* the pruned files are gone from the disk, not only from the index */
    char path[4200];
    snprintf(path, sizeof path, "%s/blocks/blk00000.dat", dir);
    assert_int_not_equal(access(path, F_OK), 0);
}

/* kill -9 during -reindex and -reindex-chainstate: the next plain start
 * finishes the job and reaches the same UTXO set. */
static void test_kill_9_during_reindex(void **state) {
    const char *dir = *state;
    srand(test_seed());
    blvm_chainstate *cs = open_cs(dir);
    assert_non_null(cs);
    for (int i = 0; i < 220; i++)
        assert_true(mine_spend(cs, 0));
    blvm_tc_utxo_digest full = blvm_tc_utxo(cs);
    blvm_chainstate_close(cs);
    for (int round = 0; round < 16; round++) {
        bool chainstate_only = round % 2 == 1;
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            blvm_chainstate_options o = default_opts(dir);
            o.dbcache_bytes = 16 << 10; /* flushes during the rebuild */
            o.reindex = !chainstate_only;
            o.reindex_chainstate = chainstate_only;
            blvm_chainstate *c = blvm_tc_open(P, &o);
            if (!c) _exit(2);
            blvm_chainstate_close(c);
            _exit(0);
        }
        usleep((useconds_t)(rand() % 250000));
        kill(pid, SIGKILL);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0));
        cs = open_cs(dir);
        assert_non_null(cs);
        blvm_tc_utxo_digest again = blvm_tc_utxo(cs);
        blvm_tc_assert_same_utxo(&full, &again, true);
        blvm_chainstate_close(cs);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_coins_journal, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_short_writes_and_eintr, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_enospc_block_file, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_enospc_undo_file, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_fsync_failure_keeps_store, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_dir_fsync_failure, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_reindex_syncs_store_dir, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_store_commit_failure, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_unclean_disconnect_fails, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_block_validity_leaves_coins, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_kill_9_mining_and_reorgs, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_kill_9_pruning, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_kill_9_during_reindex, setup_dir, teardown_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
