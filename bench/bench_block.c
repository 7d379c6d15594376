/* Block benchmarks on mainnet block 413567 (Core's bench data): merkle root
 * per SHA-256 path, decode alone, decode + CheckBlock. Core 29.2 measured
 * about 3.5 ms for DeserializeAndCheckBlockTest on this kind of machine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "consensus/block.h"
#include "consensus/block_check.h"
#include "consensus/merkle.h"
#include "consensus/params.h"
#include "crypto/sha256.h"
#include "crypto/sha256_impl.h"

static uint8_t *load_block(size_t *len) {
    char path[512];
    snprintf(path, sizeof path, "%s/block413567.raw", BLVM_VECTORS_DIR);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "bench_block: cannot open %s\n", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = n > 0 ? malloc((size_t)n) : NULL;
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = buf ? (size_t)n : 0;
    return buf;
}

/* Runs fn repeatedly for about the target time; returns ns per run. */
typedef bool (*run_fn)(void *ctx);

static double measure(run_fn fn, void *ctx, uint64_t *runs_out) {
    double target = blvm_bench_target_seconds() * 1e9;
    uint64_t runs = 0, start = blvm_bench_now_ns(), now = start;
    /* Warm up once (page faults, path selection). */
    if (!fn(ctx)) return -1;
    start = blvm_bench_now_ns();
    do {
        if (!fn(ctx)) return -1;
        runs++;
        now = blvm_bench_now_ns();
    } while ((double)(now - start) < target);
    *runs_out = runs;
    return (double)(now - start) / (double)runs;
}

typedef struct {
    const uint8_t *raw;
    size_t len;
    const uint8_t *leaves;
    size_t count;
    uint8_t *scratch;
} block_ctx;

static bool run_merkle(void *p) {
    block_ctx *c = p;
    uint8_t root[32];
    bool mutated;
    memcpy(c->scratch, c->leaves, c->count * 32);
    blvm_merkle_root_inplace(root, c->scratch, c->count, &mutated);
    return !mutated;
}

static bool run_decode(void *p) {
    block_ctx *c = p;
    blvm_block b;
    if (!blvm_block_decode_bytes(&b, c->raw, c->len)) return false;
    blvm_block_clear(&b);
    return true;
}

static bool run_decode_check(void *p) {
    block_ctx *c = p;
    blvm_block b;
    if (!blvm_block_decode_bytes(&b, c->raw, c->len)) return false;
    blvm_validation_state st;
    blvm_state_init(&st);
    bool ok = blvm_check_block(&b, blvm_params_get(BLVM_NET_MAIN), true, true, &st);
    blvm_block_clear(&b);
    return ok;
}

BLVM_BENCH(block413567) {
    size_t len;
    uint8_t *raw = load_block(&len);
    if (!raw) return;
    blvm_block b;
    if (!blvm_block_decode_bytes(&b, raw, len)) {
        fprintf(stderr, "bench_block: block413567 does not decode\n");
        free(raw);
        return;
    }
    block_ctx c = {raw, len, NULL, b.tx_count, NULL};
    uint8_t *leaves = malloc(b.tx_count * 32);
    c.scratch = malloc((b.tx_count + 1) * 32);
    if (!leaves || !c.scratch) goto out;
    for (size_t i = 0; i < b.tx_count; i++)
        memcpy(leaves + 32 * i, b.txs[i].txid, 32);
    c.leaves = leaves;

    char detail[128];
    uint64_t runs;
    /* Merkle root per double-hash path the CPU supports, then the automatic
     * choice used by everything else. */
    for (size_t i = 0; blvm_sha256_impl_names[i]; i++) {
        const char *name = blvm_sha256_impl_names[i];
        if (!blvm_sha256_impl_available(name) || !blvm_sha256_use(name)) continue;
        double ns = measure(run_merkle, &c, &runs);
        snprintf(detail, sizeof detail, "(%zu leaves, path %s, %llu runs)", c.count,
                 blvm_sha256_current(), (unsigned long long)runs);
        char label[64];
        snprintf(label, sizeof label, "merkle_root_block413567/%s", name);
        blvm_bench_report(label, ns / 1e3, "us", detail);
    }
    if (!blvm_sha256_use("auto")) goto out;
    const char *path = blvm_sha256_current();

    double ns = measure(run_merkle, &c, &runs);
    snprintf(detail, sizeof detail, "(%zu leaves, path %s)", c.count, path);
    blvm_bench_report("merkle_root_block413567", ns / 1e3, "us", detail);

    ns = measure(run_decode, &c, &runs);
    snprintf(detail, sizeof detail, "(%zu bytes, %zu txs, txids included, %llu runs)", len, c.count,
             (unsigned long long)runs);
    blvm_bench_report("deserialize_block413567", ns / 1e6, "ms", detail);

    ns = measure(run_decode_check, &c, &runs);
    snprintf(detail, sizeof detail, "(Core 29.2: ~3.5 ms; path %s, %llu runs)", path,
             (unsigned long long)runs);
    if (ns < 0)
        blvm_bench_report("deserialize_checkblock_block413567", 0, "FAILED", "CheckBlock failed");
    else
        blvm_bench_report("deserialize_checkblock_block413567", ns / 1e6, "ms", detail);
out:
    free(leaves);
    free(c.scratch);
    blvm_block_clear(&b);
    free(raw);
}
