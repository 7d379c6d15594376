/* Signature checks: bare libsecp256k1 ECDSA and Schnorr verification, and
 * the same checks as full per-input script verification through the public
 * consensus API (include/blvm/consensus.h) for P2PKH, P2WPKH and P2TR key
 * path spends that this file builds and signs itself. The per-input numbers
 * should stay close to the bare ones: the interpreter's own work (sighash,
 * parsing, stack) is small next to the curve arithmetic. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include "bench.h"
#include "blvm/consensus.h"
#include "consensus/script.h"
#include "consensus/sighash.h"
#include "consensus/tx.h"
#include "crypto/hash.h"
#include "util/bytes.h"

typedef struct {
    uint8_t *raw;
    size_t raw_len;
    uint8_t spk[34];
    size_t spk_len;
    blvm_consensus_spent_output spent;
} fixture;

static secp256k1_context *ctx;
static const uint8_t seckey[32] = {0x4b, 0x1d, 0x5e, 0x2c, 0x09, 0x71, 0x3a, 0x88, 0xc4, 0x6f, 0x01,
                                   0x92, 0x5a, 0xe3, 0x77, 0x10, 0x2d, 0x8b, 0x64, 0xf9, 0x3e, 0x05,
                                   0xab, 0xc7, 0x18, 0x50, 0x6d, 0xe2, 0x94, 0x3f, 0x21, 0x7c};
static const uint8_t msg[32] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
                                0xcc, 0xdd, 0xee, 0xff, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
                                0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10};

static void die(const char *what) {
    fprintf(stderr, "bench_script: %s failed\n", what);
    exit(1);
}

static void init_ctx(void) {
    if (!ctx) ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
}

/* A one-input, one-output version 2 transaction spending spk. */
static void base_tx(blvm_tx *tx, int64_t value) {
    blvm_tx_init(tx);
    if (!blvm_tx_resize(tx, 1, 1)) die("resize");
    tx->version = 2;
    memset(tx->vin[0].prevout.hash, 0xab, 32);
    tx->vin[0].prevout.n = 1;
    tx->vin[0].sequence = 0xfffffffd;
    static const uint8_t out_spk[22] = {0x00, 0x14, 1,  2,  3,  4,  5,  6,  7,  8,  9,
                                        10,   11,   12, 13, 14, 15, 16, 17, 18, 19, 20};
    if (!blvm_script_set(&tx->vout[0].script_pubkey, out_spk, sizeof(out_spk))) die("script");
    tx->vout[0].value = value - 1000;
}

static size_t ecdsa_sign_der(uint8_t out[80], const uint8_t hash[32]) {
    secp256k1_ecdsa_signature sig;
    size_t len = 72;
    if (!secp256k1_ecdsa_sign(ctx, &sig, hash, seckey, NULL, NULL) ||
        !secp256k1_ecdsa_signature_serialize_der(ctx, out, &len, &sig))
        die("ecdsa sign");
    out[len++] = BLVM_SIGHASH_ALL;
    return len;
}

static void finish(fixture *f, blvm_tx *tx, int64_t value) {
    blvm_writer w;
    blvm_writer_init(&w);
    blvm_tx_encode(tx, &w, true);
    if (w.err) die("encode");
    f->raw = blvm_writer_release(&w, &f->raw_len);
    f->spent.script_pubkey = f->spk;
    f->spent.script_pubkey_len = f->spk_len;
    f->spent.amount = value;
    blvm_tx_clear(tx);
}

static void compressed_pubkey(uint8_t pk[33]) {
    secp256k1_pubkey pub;
    size_t len = 33;
    if (!secp256k1_ec_pubkey_create(ctx, &pub, seckey) ||
        !secp256k1_ec_pubkey_serialize(ctx, pk, &len, &pub, SECP256K1_EC_COMPRESSED))
        die("pubkey");
}

static void make_p2pkh(fixture *f) {
    const int64_t value = 100000;
    uint8_t pk[33], h160[20], sig[80], hash[32];
    compressed_pubkey(pk);
    blvm_hash160(h160, pk, 33);
    f->spk_len = 25;
    f->spk[0] = OP_DUP;
    f->spk[1] = OP_HASH160;
    f->spk[2] = 20;
    memcpy(f->spk + 3, h160, 20);
    f->spk[23] = OP_EQUALVERIFY;
    f->spk[24] = OP_CHECKSIG;
    blvm_tx tx;
    base_tx(&tx, value);
    blvm_sighash_legacy(hash, f->spk, f->spk_len, &tx, 0, BLVM_SIGHASH_ALL);
    size_t sl = ecdsa_sign_der(sig, hash);
    uint8_t ss[120];
    size_t n = 0;
    ss[n++] = (uint8_t)sl;
    memcpy(ss + n, sig, sl);
    n += sl;
    ss[n++] = 33;
    memcpy(ss + n, pk, 33);
    n += 33;
    if (!blvm_script_set(&tx.vin[0].script_sig, ss, n)) die("script");
    finish(f, &tx, value);
}

static void make_p2wpkh(fixture *f) {
    const int64_t value = 100000;
    uint8_t pk[33], h160[20], sig[80], hash[32], code[25];
    compressed_pubkey(pk);
    blvm_hash160(h160, pk, 33);
    f->spk_len = 22;
    f->spk[0] = OP_0;
    f->spk[1] = 20;
    memcpy(f->spk + 2, h160, 20);
    code[0] = OP_DUP;
    code[1] = OP_HASH160;
    code[2] = 20;
    memcpy(code + 3, h160, 20);
    code[23] = OP_EQUALVERIFY;
    code[24] = OP_CHECKSIG;
    blvm_tx tx;
    base_tx(&tx, value);
    blvm_sighash_witness_v0(hash, code, sizeof(code), &tx, 0, BLVM_SIGHASH_ALL, value, NULL);
    size_t sl = ecdsa_sign_der(sig, hash);
    if (!blvm_witness_push(&tx.vin[0].witness, sig, sl) ||
        !blvm_witness_push(&tx.vin[0].witness, pk, 33))
        die("witness");
    finish(f, &tx, value);
}

static void make_p2tr(fixture *f) {
    const int64_t value = 100000;
    secp256k1_keypair kp;
    secp256k1_xonly_pubkey xpk;
    uint8_t p[32], tweak[32], q[32], hash[32], sig[64];
    if (!secp256k1_keypair_create(ctx, &kp, seckey) ||
        !secp256k1_keypair_xonly_pub(ctx, &xpk, NULL, &kp) ||
        !secp256k1_xonly_pubkey_serialize(ctx, p, &xpk))
        die("keypair");
    /* BIP341/BIP86: no script tree, tweak = TapTweak(P). */
    blvm_tagged_hash(tweak, "TapTweak", p, 32);
    if (!secp256k1_keypair_xonly_tweak_add(ctx, &kp, tweak) ||
        !secp256k1_keypair_xonly_pub(ctx, &xpk, NULL, &kp) ||
        !secp256k1_xonly_pubkey_serialize(ctx, q, &xpk))
        die("tweak");
    f->spk_len = 34;
    f->spk[0] = OP_1;
    f->spk[1] = 32;
    memcpy(f->spk + 2, q, 32);
    blvm_tx tx;
    base_tx(&tx, value);
    blvm_txout spent = {value, {f->spk, f->spk_len, 0}};
    blvm_tx_precomputed pd;
    blvm_tx_precompute(&pd, &tx, &spent, true);
    blvm_script_exec_data ed;
    memset(&ed, 0, sizeof(ed));
    ed.annex_init = true;
    static const uint8_t zero_aux[32];
    if (!blvm_sighash_taproot(hash, &ed, &tx, 0, BLVM_SIGHASH_DEFAULT, BLVM_SIGVERSION_TAPROOT,
                              &pd) ||
        !secp256k1_schnorrsig_sign32(ctx, sig, hash, &kp, zero_aux))
        die("schnorr sign");
    if (!blvm_witness_push(&tx.vin[0].witness, sig, 64)) die("witness");
    finish(f, &tx, value);
}

/* The operations compared; each returns 1 on success. Timing alternates
 * between them in short rounds of thread CPU time and keeps each one's best
 * round, so that load from other processes on a shared machine skews the
 * ratios as little as possible. */
typedef int (*op_fn)(const void *arg);

typedef struct {
    secp256k1_pubkey pub;
    secp256k1_ecdsa_signature sig;
    uint8_t pub33[33];
    uint8_t der[80];
    size_t der_len;
    secp256k1_xonly_pubkey xpub;
    uint8_t xpub32[32];
    uint8_t schnorr_sig[64];
} bare_data;

static int op_ecdsa_verify(const void *arg) {
    const bare_data *b = arg;
    return secp256k1_ecdsa_verify(secp256k1_context_static, &b->sig, msg, &b->pub);
}

/* What a script signature check must do at least: parse the key (a square
 * root for a compressed key) and the DER signature, then verify. */
static int op_ecdsa_check(const void *arg) {
    const bare_data *b = arg;
    secp256k1_pubkey pub;
    secp256k1_ecdsa_signature sig;
    return secp256k1_ec_pubkey_parse(secp256k1_context_static, &pub, b->pub33, 33) &&
           secp256k1_ecdsa_signature_parse_der(secp256k1_context_static, &sig, b->der,
                                               b->der_len) &&
           secp256k1_ecdsa_verify(secp256k1_context_static, &sig, msg, &pub);
}

static int op_schnorr_verify(const void *arg) {
    const bare_data *b = arg;
    return secp256k1_schnorrsig_verify(secp256k1_context_static, b->schnorr_sig, msg, 32, &b->xpub);
}

static int op_schnorr_check(const void *arg) {
    const bare_data *b = arg;
    secp256k1_xonly_pubkey x;
    return secp256k1_xonly_pubkey_parse(secp256k1_context_static, &x, b->xpub32) &&
           secp256k1_schnorrsig_verify(secp256k1_context_static, b->schnorr_sig, msg, 32, &x);
}

static int op_api(const void *arg) {
    const fixture *f = arg;
    return blvm_consensus_verify_input(f->raw, f->raw_len, &f->spent, 1, 0,
                                       BLVM_CONSENSUS_VERIFY_ALL, NULL) == BLVM_CONSENSUS_OK;
}

static int op_prepared(const void *arg) {
    const blvm_consensus_tx *t = arg;
    return blvm_consensus_tx_verify_input(t, 0, BLVM_CONSENSUS_VERIFY_ALL, NULL) ==
           BLVM_CONSENSUS_OK;
}

#define ROUNDS 20

/* CPU time of this thread: on a machine shared with other jobs, wall time
 * mostly measures how long we were descheduled. */
static uint64_t cpu_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void time_ops(size_t n, op_fn *fns, const void **args, double *best_ns) {
    uint64_t per_round = (uint64_t)(blvm_bench_target_seconds() * 1e9 / ROUNDS);
    for (size_t i = 0; i < n; i++)
        best_ns[i] = 1e30;
    for (int r = 0; r < ROUNDS; r++) {
        for (size_t i = 0; i < n; i++) {
            uint64_t iters = 0, t0 = cpu_now_ns(), t1;
            do {
                for (int k = 0; k < 16; k++)
                    if (!fns[i](args[i])) die("an operation");
                iters += 16;
                t1 = cpu_now_ns();
            } while (t1 - t0 < per_round);
            double ns = (double)(t1 - t0) / (double)iters;
            if (ns < best_ns[i]) best_ns[i] = ns;
        }
    }
}

static void report(const char *name, double ns, const char *detail) {
    char d[200];
    snprintf(d, sizeof(d), "(%.0f/s%s%s)", 1e9 / ns, detail ? ", " : "", detail ? detail : "");
    blvm_bench_report(name, ns / 1000.0, "us/op", d);
}

static void bare_setup(bare_data *b) {
    init_ctx();
    secp256k1_keypair kp;
    size_t len = 33;
    static const uint8_t aux[32];
    b->der_len = sizeof(b->der);
    if (!secp256k1_ec_pubkey_create(ctx, &b->pub, seckey) ||
        !secp256k1_ec_pubkey_serialize(ctx, b->pub33, &len, &b->pub, SECP256K1_EC_COMPRESSED) ||
        !secp256k1_ecdsa_sign(ctx, &b->sig, msg, seckey, NULL, NULL) ||
        !secp256k1_ecdsa_signature_serialize_der(ctx, b->der, &b->der_len, &b->sig) ||
        !secp256k1_keypair_create(ctx, &kp, seckey) ||
        !secp256k1_keypair_xonly_pub(ctx, &b->xpub, NULL, &kp) ||
        !secp256k1_xonly_pubkey_serialize(ctx, b->xpub32, &b->xpub) ||
        !secp256k1_schnorrsig_sign32(ctx, b->schnorr_sig, msg, &kp, aux))
        die("setup");
}

/* Bare verification, bare check (with parsing), and one spend type through
 * the one-shot API and a prepared transaction, timed in alternation. */
static void bench_spend(const char *label, void (*make)(fixture *), bool schnorr) {
    bare_data b;
    bare_setup(&b);
    fixture f;
    memset(&f, 0, sizeof(f));
    make(&f);
    int serr = 0;
    if (blvm_consensus_verify_input(f.raw, f.raw_len, &f.spent, 1, 0, BLVM_CONSENSUS_VERIFY_ALL,
                                    &serr) != BLVM_CONSENSUS_OK) {
        fprintf(stderr, "%s: %s\n", label, blvm_consensus_script_error_name(serr));
        die("valid spend");
    }
    blvm_consensus_error e;
    blvm_consensus_tx *ptx = blvm_consensus_tx_create(f.raw, f.raw_len, &f.spent, 1, &e);
    if (!ptx) die("prepare");
    op_fn fns[4] = {schnorr ? op_schnorr_verify : op_ecdsa_verify,
                    schnorr ? op_schnorr_check : op_ecdsa_check, op_api, op_prepared};
    const void *args[4] = {&b, &b, &f, ptx};
    double ns[4];
    time_ops(4, fns, args, ns);
    char name[96], detail[120];
    const char *alg = schnorr ? "schnorr" : "ecdsa";
    snprintf(name, sizeof(name), "%s: %s verify (bare libsecp256k1)", label, alg);
    report(name, ns[0], NULL);
    snprintf(name, sizeof(name), "%s: %s parse+verify (bare)", label, alg);
    report(name, ns[1], NULL);
    for (int i = 2; i < 4; i++) {
        snprintf(name, sizeof(name), "%s: input verify (%s)", label,
                 i == 2 ? "api one-shot" : "api prepared tx");
        snprintf(detail, sizeof(detail), "%+.1f%% vs bare parse+verify, %+.1f%% vs bare verify",
                 100.0 * (ns[i] - ns[1]) / ns[1], 100.0 * (ns[i] - ns[0]) / ns[0]);
        report(name, ns[i], detail);
    }
    blvm_consensus_tx_destroy(ptx);
    free(f.raw);
}

BLVM_BENCH(script_verify_p2pkh) {
    bench_spend("p2pkh", make_p2pkh, false);
}
BLVM_BENCH(script_verify_p2tr) {
    bench_spend("p2tr keypath", make_p2tr, true);
}
BLVM_BENCH(script_verify_p2wpkh) {
    bench_spend("p2wpkh", make_p2wpkh, false);
}
