/* Block assembly and regtest mining without storage: templates built on an
 * in-memory chain of entries (version bits, median time past, bits,
 * coinbase, witness commitment, merkle root) and ground to a valid nonce;
 * and the cost of the BIP9 state computation deep in a chain, which every
 * template pays (no cache: see node/versionbits.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "consensus/chain_entry.h"
#include "consensus/params.h"
#include "node/miner.h"
#include "node/versionbits.h"

static const uint8_t p2wpkh[22] = {0x00, 0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                                   11, 12, 13, 14, 15, 16, 17, 18, 19, 20};

/* Mines n regtest blocks on top of e[0] (genesis) into e[1..n]; returns
 * the nonce tries used. */
static uint64_t mine_chain(const blvm_params *p, blvm_chain_entry *e, int n) {
    uint64_t tries_used = 0;
    blvm_miner_options opt;
    blvm_miner_options_init(&opt);
    opt.coinbase_script = p2wpkh;
    opt.coinbase_script_len = sizeof p2wpkh;
    for (int i = 1; i <= n; i++) {
        opt.now = (int64_t)p->genesis_header.time + i * 600;
        blvm_block_template t;
        if (!blvm_miner_begin(&t, p, &e[i - 1], &opt) || !blvm_miner_finish(&t)) {
            fprintf(stderr, "bench_miner: template failed\n");
            exit(1);
        }
        uint64_t tries = BLVM_MINER_DEFAULT_MAX_TRIES, before = tries;
        if (blvm_miner_grind(&t.block.header, p, &tries, NULL, NULL) != BLVM_GRIND_FOUND) {
            fprintf(stderr, "bench_miner: grind failed\n");
            exit(1);
        }
        tries_used += before - tries + 1;
        uint8_t hash[32];
        blvm_header_hash(&t.block.header, hash);
        blvm_chain_entry_init(&e[i], &t.block.header, hash, &e[i - 1]);
        blvm_miner_template_clear(&t);
    }
    return tries_used;
}

BLVM_BENCH(miner_regtest_blocks) {
    const blvm_params *p = blvm_params_get(BLVM_NET_REGTEST);
    enum { N = 2000 };
    blvm_chain_entry *e = calloc(N + 1, sizeof *e);
    if (!e) return;
    blvm_chain_entry_init(&e[0], &p->genesis_header, p->genesis_hash, NULL);
    uint64_t t0 = blvm_bench_now_ns();
    uint64_t tries = mine_chain(p, e, N);
    double s = (double)(blvm_bench_now_ns() - t0) / 1e9;
    char detail[128];
    snprintf(detail, sizeof detail, "%d blocks: assemble + grind, %.2f hashes a block", N,
             (double)tries / N);
    blvm_bench_report("miner: regtest blocks", N / s, "blocks/s", detail);

    /* The version bits walk at the tip of that chain (testdummy ACTIVE:
     * every period boundary back to genesis is visited). */
    uint64_t iters = 0;
    t0 = blvm_bench_now_ns();
    double target = blvm_bench_target_seconds();
    volatile int32_t v = 0;
    do {
        for (int k = 0; k < 100; k++) v = blvm_vb_compute_block_version(p, &e[N]);
        iters += 100;
    } while ((double)(blvm_bench_now_ns() - t0) / 1e9 < target);
    s = (double)(blvm_bench_now_ns() - t0) / 1e9;
    snprintf(detail, sizeof detail, "ComputeBlockVersion at height %d: 0x%08x", N,
             (unsigned)v);
    blvm_bench_report("miner: version bits", s / (double)iters * 1e6, "us", detail);
    free(e);
}
