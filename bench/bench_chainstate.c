/* -reindex-chainstate with full script checks at -par=1 and -par=2.
 *
 * Builds a regtest chain of 1,100 blocks whose blocks from height 101 on
 * are full of signed spends of P2PKH, P2WPKH and P2TR (key path) outputs
 * (21 inputs a block, about 21,000 in all), then rebuilds the UTXO set from
 * the stored blocks in a fresh child process for each -par value and reports
 * blocks/s, inputs/s and the child's peak RSS. For scale it also reports the
 * same inputs verified one by one on one thread (no chainstate around them).
 *
 * BLVM_BENCH_BLOCKS overrides the number of blocks (at least 110). */

#include <ftw.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "consensus/chain_rules.h"
#include "consensus/merkle.h"
#include "consensus/pow.h"
#include "consensus/script.h"
#include "consensus/sighash.h"
#include "crypto/hash.h"
#include "crypto/sha256.h"
#include "node/chainstate.h"
#include "node/checkqueue.h"

enum { T_P2PKH = 0, T_P2WPKH = 1, T_P2TR = 2, FAN = 6 };

static secp256k1_context *sctx;
static const uint8_t seckey[32] = {0x2a, 0x9c, 0x11, 0x5e, 0x73, 0x08, 0xd4, 0x61, 0x3f, 0xb0, 0x27,
                                   0x95, 0xee, 0x4c, 0x1a, 0x80, 0x6d, 0x33, 0xc7, 0x52, 0x0b, 0xf9,
                                   0x46, 0x18, 0xa1, 0x7e, 0x24, 0xd3, 0x59, 0x60, 0x8b, 0x0c};
static uint8_t pub33[33], h160[20], tr_q[32];
static secp256k1_keypair tr_kp;
static uint8_t spks[3][34];
static size_t spk_lens[3];

static void die(const char *what) {
    fprintf(stderr, "bench_chainstate: %s failed\n", what);
    exit(1);
}

static void init_keys(void) {
    sctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    secp256k1_pubkey pub;
    size_t len = 33;
    if (!secp256k1_ec_pubkey_create(sctx, &pub, seckey) ||
        !secp256k1_ec_pubkey_serialize(sctx, pub33, &len, &pub, SECP256K1_EC_COMPRESSED))
        die("pubkey");
    blvm_hash160(h160, pub33, 33);
    secp256k1_xonly_pubkey xpk;
    uint8_t p[32], tweak[32];
    if (!secp256k1_keypair_create(sctx, &tr_kp, seckey) ||
        !secp256k1_keypair_xonly_pub(sctx, &xpk, NULL, &tr_kp) ||
        !secp256k1_xonly_pubkey_serialize(sctx, p, &xpk))
        die("keypair");
    blvm_tagged_hash(tweak, "TapTweak", p, 32); /* BIP86: no script tree */
    if (!secp256k1_keypair_xonly_tweak_add(sctx, &tr_kp, tweak) ||
        !secp256k1_keypair_xonly_pub(sctx, &xpk, NULL, &tr_kp) ||
        !secp256k1_xonly_pubkey_serialize(sctx, tr_q, &xpk))
        die("tweak");
    uint8_t *s = spks[T_P2PKH];
    s[0] = OP_DUP, s[1] = OP_HASH160, s[2] = 20;
    memcpy(s + 3, h160, 20);
    s[23] = OP_EQUALVERIFY, s[24] = OP_CHECKSIG;
    spk_lens[T_P2PKH] = 25;
    s = spks[T_P2WPKH];
    s[0] = OP_0, s[1] = 20;
    memcpy(s + 2, h160, 20);
    spk_lens[T_P2WPKH] = 22;
    s = spks[T_P2TR];
    s[0] = OP_1, s[1] = 32;
    memcpy(s + 2, tr_q, 32);
    spk_lens[T_P2TR] = 34;
}

static size_t ecdsa_sign(uint8_t out[80], const uint8_t hash[32]) {
    secp256k1_ecdsa_signature sig;
    size_t len = 72;
    if (!secp256k1_ecdsa_sign(sctx, &sig, hash, seckey, NULL, NULL) ||
        !secp256k1_ecdsa_signature_serialize_der(sctx, out, &len, &sig))
        die("ecdsa sign");
    out[len++] = BLVM_SIGHASH_ALL;
    return len;
}

/* Signs the only input of tx, which spends an output of `type` worth value. */
static void sign_input(blvm_tx *tx, int type, blvm_amount value) {
    uint8_t hash[32], sig[80];
    if (type == T_P2PKH) {
        blvm_sighash_legacy(hash, spks[T_P2PKH], 25, tx, 0, BLVM_SIGHASH_ALL);
        size_t sl = ecdsa_sign(sig, hash);
        uint8_t ss[120];
        size_t n = 0;
        ss[n++] = (uint8_t)sl;
        memcpy(ss + n, sig, sl);
        n += sl;
        ss[n++] = 33;
        memcpy(ss + n, pub33, 33);
        n += 33;
        if (!blvm_script_set(&tx->vin[0].script_sig, ss, n)) die("script");
    } else if (type == T_P2WPKH) {
        blvm_sighash_witness_v0(hash, spks[T_P2PKH], 25, tx, 0, BLVM_SIGHASH_ALL, value, NULL);
        size_t sl = ecdsa_sign(sig, hash);
        if (!blvm_witness_push(&tx->vin[0].witness, sig, sl) ||
            !blvm_witness_push(&tx->vin[0].witness, pub33, 33))
            die("witness");
    } else {
        blvm_txout spent = {value, {spks[T_P2TR], 34, 0}};
        blvm_tx_precomputed pd;
        blvm_tx_precompute(&pd, tx, &spent, true);
        blvm_script_exec_data ed;
        memset(&ed, 0, sizeof ed);
        ed.annex_init = true;
        static const uint8_t aux[32];
        if (!blvm_sighash_taproot(hash, &ed, tx, 0, BLVM_SIGHASH_DEFAULT, BLVM_SIGVERSION_TAPROOT,
                                  &pd) ||
            !secp256k1_schnorrsig_sign32(sctx, sig, hash, &tr_kp, aux))
            die("schnorr sign");
        if (!blvm_witness_push(&tx->vin[0].witness, sig, 64)) die("witness");
    }
    blvm_tx_compute_hashes(tx);
}

/* One input spending (txid, n) of `type`, `nout` outputs of the same type. */
static void make_tx(blvm_tx *tx, const uint8_t txid[32], uint32_t n, int type, blvm_amount value,
                    size_t nout, blvm_amount fee) {
    blvm_tx_init(tx);
    if (!blvm_tx_resize(tx, 1, nout)) die("resize");
    tx->version = 2;
    memcpy(tx->vin[0].prevout.hash, txid, 32);
    tx->vin[0].prevout.n = n;
    tx->vin[0].sequence = BLVM_SEQUENCE_FINAL;
    for (size_t i = 0; i < nout; i++) {
        tx->vout[i].value = (value - fee) / (blvm_amount)nout;
        if (!blvm_script_set(&tx->vout[i].script_pubkey, spks[type], spk_lens[type])) die("spk");
    }
    sign_input(tx, type, value);
}

static void build_block(blvm_block *b, const blvm_tip_info *tip, blvm_tx *txs, size_t ntx,
                        blvm_amount fees, const blvm_params *p) {
    blvm_block_init(b);
    b->tx_count = ntx + 1;
    b->txs = calloc(b->tx_count, sizeof(blvm_tx));
    if (!b->txs) die("alloc");
    int32_t height = tip->height + 1;
    blvm_tx *cb = &b->txs[0];
    blvm_tx_init(cb);
    size_t nout = 3 + (ntx ? 1 : 0);
    if (!blvm_tx_resize(cb, 1, nout)) die("resize");
    cb->version = 2;
    cb->vin[0].prevout.n = 0xffffffffu;
    cb->vin[0].sequence = BLVM_SEQUENCE_FINAL;
    uint8_t sig[BLVM_BIP34_SCRIPT_MAX + 1];
    size_t sl = blvm_bip34_height_script(height, sig);
    sig[sl++] = OP_0;
    if (!blvm_script_set(&cb->vin[0].script_sig, sig, sl)) die("script");
    blvm_amount reward = blvm_block_subsidy(height, p);
    for (int k = 0; k < 3; k++) {
        cb->vout[k].value = reward / 3 + (k == 0 ? reward % 3 + fees : 0);
        if (!blvm_script_set(&cb->vout[k].script_pubkey, spks[k], spk_lens[k])) die("spk");
    }
    for (size_t i = 0; i < ntx; i++)
        b->txs[i + 1] = txs[i]; /* moved */
    if (ntx) {
        uint8_t nonce[32] = {0}, root[32], commit[32];
        bool mut;
        if (!blvm_witness_push(&cb->vin[0].witness, nonce, 32)) die("witness");
        if (!blvm_block_witness_merkle_root(b, root, &mut)) die("witness root");
        blvm_witness_commitment_compute(root, nonce, commit);
        uint8_t spk[38] = {0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed};
        memcpy(spk + 6, commit, 32);
        if (!blvm_script_set(&cb->vout[3].script_pubkey, spk, sizeof spk)) die("spk");
    }
    blvm_tx_compute_hashes(cb);
    b->header.version = 0x20000000;
    memcpy(b->header.prev_hash, tip->hash, 32);
    b->header.time = tip->time + 1;
    b->header.bits = p->genesis_header.bits;
    bool mutated;
    if (!blvm_block_merkle_root(b, b->header.merkle_root, &mutated)) die("merkle");
    for (;; b->header.nonce++) {
        uint8_t h[32];
        blvm_header_hash(&b->header, h);
        if (blvm_pow_check(h, b->header.bits, p)) break;
    }
}

static int rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static blvm_chainstate_options bench_opts(const char *dir, int par) {
    blvm_chainstate_options o;
    memset(&o, 0, sizeof o);
    o.datadir = dir;
    o.par = par;
    o.no_sync = true;
    return o;
}

/* The chain's spends, kept to time bare per-input verification. */
typedef struct {
    blvm_tx tx;
    blvm_txout spent;
} kept_input;

static kept_input *kept;
static size_t nkept, kept_cap;

static void keep(const blvm_tx *tx, int type, blvm_amount value) {
    if (nkept == kept_cap) {
        kept_cap = kept_cap ? kept_cap * 2 : 1024;
        kept = realloc(kept, kept_cap * sizeof(*kept));
        if (!kept) die("alloc");
    }
    kept_input *k = &kept[nkept++];
    if (!blvm_tx_copy(&k->tx, tx)) die("copy");
    k->spent.value = value;
    k->spent.script_pubkey.data = spks[type];
    k->spent.script_pubkey.len = spk_lens[type];
    k->spent.script_pubkey.cap = 0;
}

static uint64_t build_chain(const char *dir, int nblocks, const blvm_params *p) {
    blvm_chainstate_options o = bench_opts(dir, 2);
    char err[256];
    blvm_chainstate *cs = blvm_chainstate_open(p, &o, err, sizeof err);
    if (!cs) die(err);
    /* coinbase txids by height, and last block's fan-out txs */
    uint8_t(*cb_txid)[32] = calloc((size_t)nblocks + 2, 32);
    blvm_amount *cb_val = calloc((size_t)nblocks + 2, sizeof(blvm_amount));
    uint8_t fan_txid[3][32];
    blvm_amount fan_val[3] = {0};
    bool have_fan = false;
    uint64_t inputs = 0;
    for (int h = 1; h <= nblocks; h++) {
        blvm_tip_info tip;
        blvm_chainstate_tip(cs, &tip);
        blvm_tx txs[3 + 3 * FAN];
        size_t ntx = 0;
        blvm_amount fees = 0;
        const blvm_amount fee = 1200;
        uint8_t new_fan[3][32];
        blvm_amount new_fan_val[3];
        if (h > 100) {
            for (int k = 0; k < 3; k++) {
                blvm_amount v = cb_val[h - 100] / 3;
                if (k == 0) v = cb_val[h - 100] - 2 * (cb_val[h - 100] / 3);
                make_tx(&txs[ntx], cb_txid[h - 100], (uint32_t)k, k, v, FAN, fee);
                keep(&txs[ntx], k, v);
                memcpy(new_fan[k], txs[ntx].txid, 32);
                new_fan_val[k] = (v - fee) / FAN;
                ntx++;
                fees += fee;
            }
            if (have_fan) {
                for (int k = 0; k < 3; k++) {
                    for (uint32_t n = 0; n < FAN; n++) {
                        make_tx(&txs[ntx], fan_txid[k], n, k, fan_val[k], 1, fee);
                        keep(&txs[ntx], k, fan_val[k]);
                        ntx++;
                        fees += fee;
                    }
                }
            }
            memcpy(fan_txid, new_fan, sizeof fan_txid);
            memcpy(fan_val, new_fan_val, sizeof fan_val);
            have_fan = true;
            inputs += ntx;
        }
        blvm_block b;
        build_block(&b, &tip, txs, ntx, fees, p);
        memcpy(cb_txid[h], b.txs[0].txid, 32);
        cb_val[h] = blvm_block_subsidy(h, p);
        blvm_validation_state st;
        if (!blvm_chainstate_process_block(cs, &b, NULL, &st)) {
            fprintf(stderr, "block %d rejected: %s %s\n", h, st.reject_reason, st.debug);
            die("process block");
        }
        blvm_block_clear(&b);
    }
    free(cb_txid);
    free(cb_val);
    blvm_chainstate_close(cs);
    return inputs;
}

/* Rebuilds the UTXO set in a child; returns seconds and the child's peak
 * RSS in KiB. */
static double reindex_chainstate(const char *dir, int par, long *rss_kib, double *cpu,
                                 const blvm_params *p) {
    int fds[2];
    if (pipe(fds) != 0) die("pipe");
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
        close(fds[0]);
        blvm_chainstate_options o = bench_opts(dir, par);
        o.reindex_chainstate = true;
        char err[256];
        uint64_t t0 = blvm_bench_now_ns();
        blvm_chainstate *cs = blvm_chainstate_open(p, &o, err, sizeof err);
        if (!cs) _exit(2);
        double secs = (double)(blvm_bench_now_ns() - t0) / 1e9;
        blvm_chainstate_close(cs);
        if (write(fds[1], &secs, sizeof secs) != (ssize_t)sizeof secs) _exit(3);
        _exit(0);
    }
    close(fds[1]);
    double secs = -1;
    if (read(fds[0], &secs, sizeof secs) != (ssize_t)sizeof secs) secs = -1;
    close(fds[0]);
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("reindex child");
    *rss_kib = ru.ru_maxrss;
    *cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    return secs;
}

BLVM_BENCH(chainstate_reindex) {
    const blvm_params *p = blvm_params_get(BLVM_NET_REGTEST);
    int nblocks = 1100;
    const char *env = getenv("BLVM_BENCH_BLOCKS");
    if (env && atoi(env) >= 110) nblocks = atoi(env);
    init_keys();
    char dir[] = "/tmp/blvm_bench_chainstate_XXXXXX";
    if (!mkdtemp(dir)) die("mkdtemp");
    uint64_t t0 = blvm_bench_now_ns();
    uint64_t inputs = build_chain(dir, nblocks, p);
    double build = (double)(blvm_bench_now_ns() - t0) / 1e9;
    char detail[160];
    snprintf(detail, sizeof detail, "%d blocks, %llu signed inputs (P2PKH, P2WPKH, P2TR)", nblocks,
             (unsigned long long)inputs);
    blvm_bench_report("chainstate: build chain (sign + connect, par=2)", build, "s", detail);

    /* Bare per-input script verification on one thread, for scale. */
    t0 = blvm_bench_now_ns();
    for (size_t i = 0; i < nkept; i++) {
        blvm_tx_precomputed pd;
        blvm_tx_precompute(&pd, &kept[i].tx, &kept[i].spent, false);
        blvm_script_check c = {&kept[i].tx, 0, &kept[i].spent, &pd,
                               blvm_block_script_flags(p, 1000, p->genesis_hash)};
        blvm_script_error e;
        if (!blvm_script_check_run(&c, &e)) die("bare verify");
    }
    double bare = (double)nkept / ((double)(blvm_bench_now_ns() - t0) / 1e9);
    snprintf(detail, sizeof detail, "%zu inputs, one thread, no chainstate", nkept);
    blvm_bench_report("chainstate: bare input verification", bare, "inputs/s", detail);

    double rate[3] = {0};
    for (int par = 1; par <= 2; par++) {
        long rss = 0;
        double cpu = 0;
        double secs = reindex_chainstate(dir, par, &rss, &cpu, p);
        rate[par] = (double)inputs / secs;
        char name[96];
        snprintf(name, sizeof name, "chainstate: -reindex-chainstate -par=%d", par);
        snprintf(detail, sizeof detail, "%.0f blocks/s, %.2f s wall, %.2f s cpu, peak RSS %.1f MB",
                 (double)nblocks / secs, secs, cpu, (double)rss / 1024.0);
        blvm_bench_report(name, rate[par], "inputs/s", detail);
    }
    snprintf(detail, sizeof detail, "par=2 / par=1; par=2 at %.0f%% of 2 x bare one-thread rate",
             100.0 * rate[2] / (2 * bare));
    blvm_bench_report("chainstate: -par=2 speed-up", rate[2] / rate[1], "x", detail);
    for (size_t i = 0; i < nkept; i++)
        blvm_tx_clear(&kept[i].tx);
    free(kept);
    kept = NULL;
    nkept = kept_cap = 0;
    nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
    secp256k1_context_destroy(sctx);
}
