/* blvm-chaingen: a deterministic regtest chain of signed spends for the
 * -reindex-chainstate benchmark (bench/reindex_bench.py), and the bare
 * signature-check rate the benchmark compares against.
 *
 *   blvm-chaingen chain --out FILE [--blocks N] [--setup N] [--inputs N] [--seed N]
 *     Writes N blocks (default 1110) after the regtest genesis block to FILE in
 *     Bitcoin Core's block file format (magic, 4-byte size, block), ready for
 *     blvmd -loadblock=FILE. Blocks 1..setup (default 110) pay their coinbase
 *     to many outputs of keys this tool holds (P2PKH, P2WPKH, P2TR key path,
 *     in turn); every later block holds transactions of one to three inputs
 *     and two outputs that spend the oldest spendable outputs, about
 *     --inputs inputs a block (default 120). Each input is signed with the
 *     key its output pays to (ECDSA for P2PKH and P2WPKH, BIP340 Schnorr with
 *     the BIP86 tweak for P2TR). The same seed gives the same file.
 *     The last line printed is "chaingen: key=value ..." with the block,
 *     transaction and input counts (by spend type) and the tip hash.
 *
 *   blvm-chaingen sigbench [--threads N] [--items N] [--mix A,B,C] [--seconds S]
 *     Bare libsecp256k1 verification (public key and signature parsing
 *     included, as a script check does) of a set of signatures mixed A:B:C
 *     between P2PKH ECDSA, P2WPKH ECDSA and P2TR Schnorr, on N threads at
 *     once. Prints "sigbench: threads=N verifies=V seconds=T rate=R
 *     cpu_seconds=C cpu_rate=P ...": R verifies per wall second, P per CPU
 *     second of one thread (not lowered by other load on the machine).
 *
 * Exit status: 0 on success, 1 on bad arguments or a failure. */

#include <errno.h>
#include <pthread.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "consensus/block.h"
#include "consensus/chain_rules.h"
#include "consensus/merkle.h"
#include "consensus/params.h"
#include "consensus/pow.h"
#include "consensus/script.h"
#include "consensus/sighash.h"
#include "consensus/tx.h"
#include "crypto/hash.h"
#include "crypto/sha256.h"
#include "util/bytes.h"
#include "util/hex.h"

enum { T_P2PKH = 0, T_P2WPKH = 1, T_P2TR = 2, NTYPES = 3 };
enum { NKEYS = 16, SETUP_CB_OUTS = 240, LATE_CB_OUTS = 3 };

typedef struct {
    uint8_t seckey[32];
    uint8_t pub33[33];
    secp256k1_keypair tr_kp; /* BIP86-tweaked */
    uint8_t spk[NTYPES][34];
    size_t spk_len[NTYPES];
} gen_key;

static secp256k1_context *sctx;
static gen_key keys[NKEYS];

static void die(const char *what) {
    fprintf(stderr, "blvm-chaingen: %s\n", what);
    exit(1);
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Key i of seed: sha256("blvm-chaingen" || seed LE64 || i LE32). */
static void init_keys(uint64_t seed) {
    sctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (!sctx) die("cannot create a secp256k1 context");
    for (uint32_t i = 0; i < NKEYS; i++) {
        gen_key *k = &keys[i];
        uint8_t buf[13 + 8 + 4];
        memcpy(buf, "blvm-chaingen", 13);
        for (int b = 0; b < 8; b++)
            buf[13 + b] = (uint8_t)(seed >> (8 * b));
        for (int b = 0; b < 4; b++)
            buf[21 + b] = (uint8_t)(i >> (8 * b));
        blvm_sha256(k->seckey, buf, sizeof buf);
        secp256k1_pubkey pub;
        size_t len = 33;
        if (!secp256k1_ec_pubkey_create(sctx, &pub, k->seckey) ||
            !secp256k1_ec_pubkey_serialize(sctx, k->pub33, &len, &pub, SECP256K1_EC_COMPRESSED))
            die("bad key");
        uint8_t h160[20], p[32], q[32], tweak[32];
        blvm_hash160(h160, k->pub33, 33);
        secp256k1_xonly_pubkey xpk;
        if (!secp256k1_keypair_create(sctx, &k->tr_kp, k->seckey) ||
            !secp256k1_keypair_xonly_pub(sctx, &xpk, NULL, &k->tr_kp) ||
            !secp256k1_xonly_pubkey_serialize(sctx, p, &xpk))
            die("bad keypair");
        blvm_tagged_hash(tweak, "TapTweak", p, 32); /* BIP86: key path only, no script tree */
        if (!secp256k1_keypair_xonly_tweak_add(sctx, &k->tr_kp, tweak) ||
            !secp256k1_keypair_xonly_pub(sctx, &xpk, NULL, &k->tr_kp) ||
            !secp256k1_xonly_pubkey_serialize(sctx, q, &xpk))
            die("bad tweak");
        uint8_t *s = k->spk[T_P2PKH];
        s[0] = OP_DUP, s[1] = OP_HASH160, s[2] = 20;
        memcpy(s + 3, h160, 20);
        s[23] = OP_EQUALVERIFY, s[24] = OP_CHECKSIG;
        k->spk_len[T_P2PKH] = 25;
        s = k->spk[T_P2WPKH];
        s[0] = OP_0, s[1] = 20;
        memcpy(s + 2, h160, 20);
        k->spk_len[T_P2WPKH] = 22;
        s = k->spk[T_P2TR];
        s[0] = OP_1, s[1] = 32;
        memcpy(s + 2, q, 32);
        k->spk_len[T_P2TR] = 34;
    }
}

/* ---- spendable outputs ---- */

typedef struct {
    uint8_t txid[32];
    uint32_t n;
    uint8_t type, key;
    blvm_amount value;
} utxo;

/* A FIFO of outputs: spends take the oldest first. */
typedef struct {
    utxo *v;
    size_t head, tail, cap; /* entries v[head..tail) */
} utxo_queue;

static void queue_push(utxo_queue *q, const utxo *u) {
    if (q->tail == q->cap) {
        if (q->head > q->cap / 2) {
            memmove(q->v, q->v + q->head, (q->tail - q->head) * sizeof(*q->v));
            q->tail -= q->head;
            q->head = 0;
        } else {
            q->cap = q->cap ? q->cap * 2 : 4096;
            q->v = realloc(q->v, q->cap * sizeof(*q->v));
            if (!q->v) die("out of memory");
        }
    }
    q->v[q->tail++] = *u;
}

static size_t queue_size(const utxo_queue *q) {
    return q->tail - q->head;
}

/* ---- signing ---- */

static size_t ecdsa_sign(uint8_t out[80], const uint8_t hash[32], const gen_key *k) {
    secp256k1_ecdsa_signature sig;
    size_t len = 72;
    /* RFC6979 nonces: deterministic. */
    if (!secp256k1_ecdsa_sign(sctx, &sig, hash, k->seckey, NULL, NULL) ||
        !secp256k1_ecdsa_signature_serialize_der(sctx, out, &len, &sig))
        die("ECDSA signing failed");
    out[len++] = BLVM_SIGHASH_ALL;
    return len;
}

/* Signs every input of tx; in[j] is the output input j spends. */
static void sign_tx(blvm_tx *tx, const utxo *in, uint64_t *aux_counter) {
    blvm_txout spent[3];
    for (size_t j = 0; j < tx->vin_count; j++) {
        const gen_key *k = &keys[in[j].key];
        spent[j].value = in[j].value;
        spent[j].script_pubkey.data = (uint8_t *)k->spk[in[j].type];
        spent[j].script_pubkey.len = k->spk_len[in[j].type];
        spent[j].script_pubkey.cap = 0;
    }
    blvm_tx_precomputed pd;
    blvm_tx_precompute(&pd, tx, spent, true);
    for (size_t j = 0; j < tx->vin_count; j++) {
        const gen_key *k = &keys[in[j].key];
        uint8_t hash[32], sig[80];
        if (in[j].type == T_P2PKH) {
            blvm_sighash_legacy(hash, k->spk[T_P2PKH], 25, tx, j, BLVM_SIGHASH_ALL);
            size_t sl = ecdsa_sign(sig, hash, k);
            uint8_t ss[120];
            size_t n = 0;
            ss[n++] = (uint8_t)sl;
            memcpy(ss + n, sig, sl);
            n += sl;
            ss[n++] = 33;
            memcpy(ss + n, k->pub33, 33);
            n += 33;
            if (!blvm_script_set(&tx->vin[j].script_sig, ss, n)) die("out of memory");
        } else if (in[j].type == T_P2WPKH) {
            /* BIP143: the script code of P2WPKH is the P2PKH script. */
            blvm_sighash_witness_v0(hash, k->spk[T_P2PKH], 25, tx, j, BLVM_SIGHASH_ALL, in[j].value,
                                    &pd);
            size_t sl = ecdsa_sign(sig, hash, k);
            if (!blvm_witness_push(&tx->vin[j].witness, sig, sl) ||
                !blvm_witness_push(&tx->vin[j].witness, k->pub33, 33))
                die("out of memory");
        } else {
            blvm_script_exec_data ed;
            memset(&ed, 0, sizeof ed);
            ed.annex_init = true; /* no annex */
            uint8_t aux[32] = {0};
            for (int b = 0; b < 8; b++)
                aux[b] = (uint8_t)(*aux_counter >> (8 * b));
            (*aux_counter)++;
            if (!blvm_sighash_taproot(hash, &ed, tx, j, BLVM_SIGHASH_DEFAULT,
                                      BLVM_SIGVERSION_TAPROOT, &pd) ||
                !secp256k1_schnorrsig_sign32(sctx, sig, hash, &k->tr_kp, aux))
                die("Schnorr signing failed");
            /* BIP341: a 64-byte signature means SIGHASH_DEFAULT. */
            if (!blvm_witness_push(&tx->vin[j].witness, sig, 64)) die("out of memory");
        }
    }
    blvm_tx_compute_hashes(tx);
}

/* ---- blocks ---- */

typedef struct {
    const blvm_params *p;
    FILE *out;
    int32_t height; /* of the last block written */
    uint8_t tip[32];
    uint32_t tip_time;
    utxo_queue pool; /* outputs spendable in the next block */
    utxo *cb_outs;   /* coinbase outputs by height, maturing after 100 blocks */
    size_t *cb_nouts;
    uint64_t next_out;    /* picks each new output's type and key in turn */
    uint64_t aux_counter; /* Schnorr aux randomness, deterministic */
    uint64_t txs, inputs, by_type[NTYPES], bytes;
} chain;

static void assign_output(chain *c, blvm_txout *o, utxo *u) {
    u->type = (uint8_t)(c->next_out % NTYPES);
    u->key = (uint8_t)((c->next_out / NTYPES) % NKEYS);
    c->next_out++;
    const gen_key *k = &keys[u->key];
    if (!blvm_script_set(&o->script_pubkey, k->spk[u->type], k->spk_len[u->type]))
        die("out of memory");
}

/* A transaction spending the nin oldest spendable outputs into two. */
static void make_spend(chain *c, blvm_tx *tx, size_t nin, blvm_amount *fee_out) {
    utxo in[3];
    blvm_amount total = 0;
    for (size_t j = 0; j < nin; j++) {
        in[j] = c->pool.v[c->pool.head++];
        total += in[j].value;
        c->by_type[in[j].type]++;
    }
    blvm_tx_init(tx);
    if (!blvm_tx_resize(tx, nin, 2)) die("out of memory");
    tx->version = 2;
    for (size_t j = 0; j < nin; j++) {
        memcpy(tx->vin[j].prevout.hash, in[j].txid, 32);
        tx->vin[j].prevout.n = in[j].n;
        tx->vin[j].sequence = BLVM_SEQUENCE_FINAL;
    }
    blvm_amount fee = total > 20000 ? 1000 : 0;
    for (size_t o = 0; o < 2; o++) {
        utxo u;
        tx->vout[o].value = (total - fee) / 2 + (o == 0 ? (total - fee) % 2 : 0);
        assign_output(c, &tx->vout[o], &u);
    }
    sign_tx(tx, in, &c->aux_counter);
    *fee_out = fee;
    c->inputs += nin;
    c->txs++;
}

static void write_block(chain *c, const blvm_block *b) {
    blvm_writer w;
    blvm_writer_init(&w);
    blvm_block_encode(b, &w, true);
    if (w.err) die("cannot encode a block");
    uint8_t hdr[8];
    memcpy(hdr, c->p->message_start, 4);
    for (int i = 0; i < 4; i++)
        hdr[4 + i] = (uint8_t)(w.len >> (8 * i));
    if (fwrite(hdr, 1, 8, c->out) != 8 || fwrite(w.data, 1, w.len, c->out) != w.len)
        die(strerror(errno));
    c->bytes += 8 + w.len;
    blvm_writer_clear(&w);
}

static void add_block(chain *c, size_t want_inputs) {
    int32_t height = c->height + 1;
    /* Coinbase outputs of height - 100 become spendable now (COINBASE_MATURITY). */
    if (height > 100) {
        int32_t m = height - 100;
        for (size_t i = 0; i < c->cb_nouts[m]; i++)
            queue_push(&c->pool, &c->cb_outs[(size_t)m * SETUP_CB_OUTS + i]);
    }
    size_t cap = want_inputs + 1;
    blvm_block b;
    blvm_block_init(&b);
    b.txs = calloc(cap + 1, sizeof(blvm_tx));
    if (!b.txs) die("out of memory");
    b.tx_count = 1;
    blvm_amount fees = 0;
    size_t got = 0;
    uint64_t out_base = c->next_out; /* the spends' outputs take the numbers from here */
    while (got < want_inputs && queue_size(&c->pool) > 0) {
        size_t nin = 1 + (size_t)(c->txs % 3);
        if (nin > want_inputs - got) nin = want_inputs - got;
        if (nin > queue_size(&c->pool)) nin = queue_size(&c->pool);
        blvm_amount fee;
        make_spend(c, &b.txs[b.tx_count++], nin, &fee);
        fees += fee;
        got += nin;
    }

    /* The coinbase: BIP34 height, the reward split over our keys, and the
     * BIP141 witness commitment when there are other transactions. */
    blvm_tx *cb = &b.txs[0];
    blvm_tx_init(cb);
    size_t ncb = height <= 110 ? SETUP_CB_OUTS : LATE_CB_OUTS;
    bool commit = b.tx_count > 1;
    if (!blvm_tx_resize(cb, 1, ncb + (commit ? 1 : 0))) die("out of memory");
    cb->version = 2;
    memset(cb->vin[0].prevout.hash, 0, 32);
    cb->vin[0].prevout.n = 0xffffffffu;
    cb->vin[0].sequence = BLVM_SEQUENCE_FINAL;
    uint8_t ss[BLVM_BIP34_SCRIPT_MAX + 1];
    size_t sl = blvm_bip34_height_script(height, ss);
    ss[sl++] = OP_0; /* coinbase scripts are at least 2 bytes */
    if (!blvm_script_set(&cb->vin[0].script_sig, ss, sl)) die("out of memory");
    blvm_amount reward = blvm_block_subsidy(height, c->p) + fees;
    utxo *outs = &c->cb_outs[(size_t)height * SETUP_CB_OUTS];
    for (size_t o = 0; o < ncb; o++) {
        cb->vout[o].value = reward / (blvm_amount)ncb + (o == 0 ? reward % (blvm_amount)ncb : 0);
        assign_output(c, &cb->vout[o], &outs[o]);
        outs[o].n = (uint32_t)o;
        outs[o].value = cb->vout[o].value;
    }
    c->cb_nouts[height] = ncb;
    if (commit) {
        uint8_t nonce[32] = {0}, root[32], cm[32];
        bool mutated;
        if (!blvm_witness_push(&cb->vin[0].witness, nonce, 32)) die("out of memory");
        if (!blvm_block_witness_merkle_root(&b, root, &mutated)) die("witness merkle root");
        blvm_witness_commitment_compute(root, nonce, cm);
        uint8_t spk[38] = {OP_RETURN, 0x24, 0xaa, 0x21, 0xa9, 0xed};
        memcpy(spk + 6, cm, 32);
        cb->vout[ncb].value = 0;
        if (!blvm_script_set(&cb->vout[ncb].script_pubkey, spk, sizeof spk)) die("out of memory");
    }
    blvm_tx_compute_hashes(cb);
    for (size_t o = 0; o < ncb; o++)
        memcpy(outs[o].txid, cb->txid, 32);

    b.header.version = 0x20000000;
    memcpy(b.header.prev_hash, c->tip, 32);
    b.header.time = c->tip_time + 1; /* above the median time past, far from the future */
    b.header.bits = c->p->genesis_header.bits;
    bool mutated;
    if (!blvm_block_merkle_root(&b, b.header.merkle_root, &mutated)) die("merkle root");
    uint8_t hash[32];
    for (b.header.nonce = 0;; b.header.nonce++) {
        blvm_header_hash(&b.header, hash);
        if (blvm_pow_check(hash, b.header.bits, c->p)) break;
    }
    write_block(c, &b);

    /* This block's outputs are spendable from the next block on. */
    for (size_t t = 1; t < b.tx_count; t++) {
        const blvm_tx *tx = &b.txs[t];
        for (uint32_t o = 0; o < tx->vout_count; o++) {
            utxo u;
            memcpy(u.txid, tx->txid, 32);
            u.n = o;
            u.value = tx->vout[o].value;
            /* the type and key assign_output gave it (two outputs a spend) */
            uint64_t idx = out_base + 2 * (uint64_t)(t - 1) + o;
            u.type = (uint8_t)(idx % NTYPES);
            u.key = (uint8_t)((idx / NTYPES) % NKEYS);
            queue_push(&c->pool, &u);
        }
    }
    memcpy(c->tip, hash, 32);
    c->tip_time = b.header.time;
    c->height = height;
    blvm_block_clear(&b);
}

static int cmd_chain(int argc, char **argv) {
    const char *out = NULL;
    long blocks = 1110, setup = 110, inputs = 120;
    unsigned long long seed = 1;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) die("missing value after an option");
        if (!strcmp(a, "--out"))
            out = v;
        else if (!strcmp(a, "--blocks"))
            blocks = strtol(v, NULL, 10);
        else if (!strcmp(a, "--setup"))
            setup = strtol(v, NULL, 10);
        else if (!strcmp(a, "--inputs"))
            inputs = strtol(v, NULL, 10);
        else if (!strcmp(a, "--seed"))
            seed = strtoull(v, NULL, 10);
        else
            die("unknown option (see the comment at the top of bench/chaingen/chaingen.c)");
        i++;
    }
    if (!out) die("--out FILE is required");
    if (setup < 101 || setup > 110) die("--setup must be 101..110 (coinbase maturity)");
    if (blocks <= setup || blocks > 100000) die("--blocks must be above --setup, at most 100000");
    if (inputs < 1 || inputs > 2000) die("--inputs must be 1..2000");
    init_keys(seed);
    chain c;
    memset(&c, 0, sizeof c);
    c.p = blvm_params_get(BLVM_NET_REGTEST);
    c.out = fopen(out, "wb");
    if (!c.out) die(strerror(errno));
    blvm_header_hash(&c.p->genesis_header, c.tip);
    c.tip_time = c.p->genesis_header.time;
    c.cb_outs = calloc((size_t)blocks + 1, SETUP_CB_OUTS * sizeof(utxo));
    c.cb_nouts = calloc((size_t)blocks + 1, sizeof(size_t));
    if (!c.cb_outs || !c.cb_nouts) die("out of memory");
    double t0 = now_seconds();
    for (long h = 1; h <= blocks; h++)
        add_block(&c, h <= setup ? 0 : (size_t)inputs);
    if (fclose(c.out) != 0) die(strerror(errno));
    double secs = now_seconds() - t0;
    char tip[65];
    blvm_hex_encode_reversed(tip, c.tip, 32);
    printf("chaingen: blocks=%ld spend_blocks=%ld txs=%llu inputs=%llu p2pkh=%llu p2wpkh=%llu "
           "p2tr=%llu bytes=%llu tip=%s seconds=%.2f\n",
           blocks, blocks - setup, (unsigned long long)c.txs, (unsigned long long)c.inputs,
           (unsigned long long)c.by_type[T_P2PKH], (unsigned long long)c.by_type[T_P2WPKH],
           (unsigned long long)c.by_type[T_P2TR], (unsigned long long)c.bytes, tip, secs);
    free(c.pool.v);
    free(c.cb_outs);
    free(c.cb_nouts);
    secp256k1_context_destroy(sctx);
    return 0;
}

/* ---- bare signature checks ---- */

typedef struct {
    int type;
    uint8_t msg[32];
    uint8_t pub[33];
    uint8_t sig[80]; /* DER (at most 72) + hash type, or 64 */
    size_t sig_len;
} sig_item;

typedef struct {
    const sig_item *items;
    size_t nitems;
    size_t rounds;
    uint64_t ok;
    double cpu; /* thread CPU seconds */
} sig_job;

/* What a script check does with a signature besides the hashing: parse the
 * key and signature, normalize (low S), verify. */
static bool verify_item(const sig_item *it) {
    if (it->type == T_P2TR) {
        secp256k1_xonly_pubkey pk;
        return secp256k1_xonly_pubkey_parse(secp256k1_context_static, &pk, it->pub) &&
               secp256k1_schnorrsig_verify(secp256k1_context_static, it->sig, it->msg, 32, &pk);
    }
    secp256k1_pubkey pk;
    secp256k1_ecdsa_signature s;
    if (!secp256k1_ec_pubkey_parse(secp256k1_context_static, &pk, it->pub, 33) ||
        !secp256k1_ecdsa_signature_parse_der(secp256k1_context_static, &s, it->sig, it->sig_len))
        return false;
    (void)secp256k1_ecdsa_signature_normalize(secp256k1_context_static, &s, &s);
    return secp256k1_ecdsa_verify(secp256k1_context_static, &s, it->msg, &pk) == 1;
}

static double thread_cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *sig_worker(void *arg) {
    sig_job *j = arg;
    double c0 = thread_cpu_seconds();
    for (size_t r = 0; r < j->rounds; r++)
        for (size_t i = 0; i < j->nitems; i++)
            j->ok += verify_item(&j->items[i]);
    j->cpu = thread_cpu_seconds() - c0;
    return NULL;
}

/* Runs `rounds` passes over the items on each of n threads; returns wall
 * seconds, or a negative value when a signature failed to verify. *cpu gets
 * the threads' CPU seconds summed. */
static double run_sig_threads(const sig_item *items, size_t nitems, int n, size_t rounds,
                              double *cpu) {
    pthread_t th[64];
    sig_job jobs[64];
    double t0 = now_seconds();
    for (int i = 0; i < n; i++) {
        jobs[i] = (sig_job){items, nitems, rounds, 0, 0};
        if (pthread_create(&th[i], NULL, sig_worker, &jobs[i]) != 0) die("pthread_create failed");
    }
    bool all_ok = true;
    *cpu = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(th[i], NULL);
        if (jobs[i].ok != nitems * rounds) all_ok = false;
        *cpu += jobs[i].cpu;
    }
    double secs = now_seconds() - t0;
    return all_ok ? secs : -1;
}

static int cmd_sigbench(int argc, char **argv) {
    int threads = 1;
    long nitems = 600;
    double seconds = 2.0;
    long mix[NTYPES] = {1, 1, 1};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) die("missing value after an option");
        if (!strcmp(a, "--threads"))
            threads = atoi(v);
        else if (!strcmp(a, "--items"))
            nitems = strtol(v, NULL, 10);
        else if (!strcmp(a, "--seconds"))
            seconds = strtod(v, NULL);
        else if (!strcmp(a, "--mix")) {
            if (sscanf(v, "%ld,%ld,%ld", &mix[0], &mix[1], &mix[2]) != 3) die("--mix A,B,C");
        } else
            die("unknown option (see the comment at the top of bench/chaingen/chaingen.c)");
        i++;
    }
    if (threads < 1 || threads > 64) die("--threads must be 1..64");
    if (nitems < 3 || nitems > 100000) die("--items must be 3..100000");
    if (mix[0] < 0 || mix[1] < 0 || mix[2] < 0 || mix[0] + mix[1] + mix[2] <= 0) die("bad --mix");
    if (!(seconds > 0 && seconds < 600)) die("--seconds must be in (0, 600)");
    init_keys(1);
    sig_item *items = calloc((size_t)nitems, sizeof(*items));
    if (!items) die("out of memory");
    /* Spread the types over the items in the proportions of the mix
     * (largest remainder first, so every type that is in the mix appears). */
    long msum = mix[0] + mix[1] + mix[2];
    long given[NTYPES] = {0};
    for (long i = 0; i < nitems; i++) {
        int t = 0;
        double best = -1e18;
        for (int k = 0; k < NTYPES; k++) {
            if (!mix[k]) continue;
            double deficit = (double)(i + 1) * (double)mix[k] / (double)msum - (double)given[k];
            if (deficit > best) best = deficit, t = k;
        }
        given[t]++;
        sig_item *it = &items[i];
        const gen_key *key = &keys[i % NKEYS];
        it->type = t;
        uint8_t ctr[8];
        for (int b = 0; b < 8; b++)
            ctr[b] = (uint8_t)((uint64_t)i >> (8 * b));
        blvm_sha256(it->msg, ctr, 8);
        if (t == T_P2TR) {
            secp256k1_xonly_pubkey xpk;
            uint8_t aux[32] = {0};
            if (!secp256k1_keypair_xonly_pub(sctx, &xpk, NULL, &key->tr_kp) ||
                !secp256k1_xonly_pubkey_serialize(sctx, it->pub, &xpk) ||
                !secp256k1_schnorrsig_sign32(sctx, it->sig, it->msg, &key->tr_kp, aux))
                die("Schnorr signing failed");
            it->sig_len = 64;
        } else {
            memcpy(it->pub, key->pub33, 33);
            it->sig_len = ecdsa_sign(it->sig, it->msg, key) - 1; /* no hash type byte */
        }
    }
    /* One pass to size the rounds so the run takes about `seconds`. */
    double cpu;
    double one = run_sig_threads(items, (size_t)nitems, 1, 1, &cpu);
    if (one < 0) die("a signature did not verify");
    size_t rounds = (size_t)(seconds / (one > 1e-6 ? one : 1e-6));
    if (rounds < 1) rounds = 1;
    double secs = run_sig_threads(items, (size_t)nitems, threads, rounds, &cpu);
    if (secs < 0) die("a signature did not verify");
    double verifies = (double)nitems * (double)rounds * threads;
    /* rate: verifies per wall second on all threads together; cpu_rate:
     * verifies per CPU second of one thread, which other load on the
     * machine does not lower. */
    printf("sigbench: threads=%d verifies=%.0f seconds=%.3f rate=%.1f cpu_seconds=%.3f "
           "cpu_rate=%.1f p2pkh=%ld p2wpkh=%ld p2tr=%ld\n",
           threads, verifies, secs, verifies / secs, cpu, cpu > 0 ? verifies / cpu : 0.0,
           given[T_P2PKH], given[T_P2WPKH], given[T_P2TR]);
    free(items);
    secp256k1_context_destroy(sctx);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "chain")) return cmd_chain(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "sigbench")) return cmd_sigbench(argc - 2, argv + 2);
    fprintf(stderr, "usage: blvm-chaingen chain --out FILE [--blocks N] [--setup N] [--inputs N] "
                    "[--seed N]\n       blvm-chaingen sigbench [--threads N] [--items N] "
                    "[--mix A,B,C] [--seconds S]\n");
    return 1;
}
