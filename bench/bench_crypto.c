/* Crypto benchmarks: SHA-256 per compression path (1 KiB and 1 MiB inputs),
 * SHA256D64 per path, RIPEMD-160, SipHash. Prints only; the machine is
 * shared, so each number is the best of a few runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "crypto/chacha20.h"
#include "crypto/muhash.h"
#include "crypto/ripemd160.h"
#include "crypto/sha256.h"
#include "crypto/sha256_impl.h"
#include "crypto/siphash.h"
#include "util/common.h"

static volatile uint8_t g_sink;

typedef void (*work_fn)(void *arg);

/* Nanoseconds per call of fn: doubles the count until one run takes a third
 * of the target time, then keeps the fastest of three such runs. */
static double ns_per_call(work_fn fn, void *arg) {
    double slice = blvm_bench_target_seconds() * 1e9 / 3;
    uint64_t n = 1;
    for (;;) {
        uint64_t t0 = blvm_bench_now_ns();
        for (uint64_t i = 0; i < n; i++) fn(arg);
        double dt = (double)(blvm_bench_now_ns() - t0);
        if (dt >= slice || n >= (1ull << 40)) break;
        n *= 2;
    }
    double best = 1e300;
    for (int r = 0; r < 3; r++) {
        uint64_t t0 = blvm_bench_now_ns();
        for (uint64_t i = 0; i < n; i++) fn(arg);
        double per = (double)(blvm_bench_now_ns() - t0) / (double)n;
        if (per < best) best = per;
    }
    return best;
}

static uint8_t *bench_buf(size_t len) {
    uint8_t *p = malloc(len);
    if (!p) {
        fprintf(stderr, "bench_crypto: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < len; i++) p[i] = (uint8_t)(i * 131 + 7);
    return p;
}

struct msg {
    const uint8_t *data;
    size_t len;
    uint8_t out[32 * 64];
};

static void do_sha256(void *arg) {
    struct msg *m = arg;
    blvm_sha256(m->out, m->data, m->len);
    g_sink ^= m->out[0];
}

static void report_bytes(const char *what, double ns, size_t len) {
    char name[96], detail[96];
    snprintf(name, sizeof name, "%s", what);
    snprintf(detail, sizeof detail, "%.3f ns/byte, %.1f MB/s, %.0f ns per call", ns / (double)len,
             (double)len / ns * 1e3, ns);
    blvm_bench_report(name, ns / (double)len, "ns/byte", detail);
}

BLVM_BENCH(sha256) {
    static const size_t sizes[] = {1024, 1024 * 1024};
    uint8_t *buf = bench_buf(1024 * 1024);
    printf("# sha256 auto-detected: %s\n", blvm_sha256_autodetect());
    for (size_t p = 0; blvm_sha256_impl_names[p]; p++) {
        const char *name = blvm_sha256_impl_names[p];
        /* The block transform is all that differs for plain SHA-256. */
        if (!strcmp(name, "sse41") || !strcmp(name, "avx2") || !strcmp(name, "shani+avx2"))
            continue;
        if (!blvm_sha256_use(name)) continue;
        for (size_t s = 0; s < BLVM_ARRAY_LEN(sizes); s++) {
            struct msg m = {.data = buf, .len = sizes[s]};
            char what[64];
            snprintf(what, sizeof what, "sha256 %s %zu bytes", name, sizes[s]);
            report_bytes(what, ns_per_call(do_sha256, &m), sizes[s]);
        }
    }
    if (!blvm_sha256_use("auto")) abort();
    free(buf);
}

static void do_sha256d64_64(void *arg) {
    struct msg *m = arg;
    blvm_sha256d64(m->out, m->data, 64);
    g_sink ^= m->out[0];
}

static void do_sha256d64_1(void *arg) {
    struct msg *m = arg;
    blvm_sha256d64(m->out, m->data, 1);
    g_sink ^= m->out[0];
}

BLVM_BENCH(sha256d64) {
    uint8_t *buf = bench_buf(64 * 64);
    for (size_t p = 0; blvm_sha256_impl_names[p]; p++) {
        const char *name = blvm_sha256_impl_names[p];
        if (!blvm_sha256_use(name)) continue;
        struct msg m = {.data = buf, .len = 64};
        /* 64 inputs per call, as in a merkle tree level: the widest path runs. */
        double ns = ns_per_call(do_sha256d64_64, &m) / 64;
        char what[96], detail[128];
        snprintf(what, sizeof what, "sha256d64 %s", name);
        snprintf(detail, sizeof detail, "%.3f ns per input byte; %s", ns / 64,
                 blvm_sha256_current());
        blvm_bench_report(what, ns, "ns/hash", detail);
    }
    /* A lone input: the 1-way path of the auto choice. */
    if (!blvm_sha256_use("auto")) abort();
    struct msg m = {.data = buf, .len = 64};
    double ns = ns_per_call(do_sha256d64_1, &m);
    char detail[64];
    snprintf(detail, sizeof detail, "%.3f ns per input byte", ns / 64);
    blvm_bench_report("sha256d64 auto single input", ns, "ns/hash", detail);
    free(buf);
}

static void do_ripemd160(void *arg) {
    struct msg *m = arg;
    blvm_ripemd160(m->out, m->data, m->len);
    g_sink ^= m->out[0];
}

BLVM_BENCH(ripemd160) {
    static const size_t sizes[] = {32, 1024, 1024 * 1024};
    uint8_t *buf = bench_buf(1024 * 1024);
    for (size_t s = 0; s < BLVM_ARRAY_LEN(sizes); s++) {
        struct msg m = {.data = buf, .len = sizes[s]};
        char what[64];
        snprintf(what, sizeof what, "ripemd160 %zu bytes", sizes[s]);
        report_bytes(what, ns_per_call(do_ripemd160, &m), sizes[s]);
    }
    free(buf);
}

struct sip {
    uint8_t hash[32];
    uint64_t acc;
    const uint8_t *data;
    size_t len;
};

static void do_siphash_uint256(void *arg) {
    struct sip *s = arg;
    s->acc += blvm_siphash_uint256(0x0706050403020100ULL, s->acc, s->hash);
}

static void do_siphash_uint256_extra(void *arg) {
    struct sip *s = arg;
    s->acc += blvm_siphash_uint256_extra(0x0706050403020100ULL, s->acc, s->hash, 7);
}

static void do_siphash_bytes(void *arg) {
    struct sip *s = arg;
    blvm_siphash_ctx h;
    blvm_siphash_init(&h, 1, s->acc);
    blvm_siphash_write(&h, s->data, s->len);
    s->acc += blvm_siphash_finalize(&h);
}

BLVM_BENCH(siphash) {
    struct sip s = {.acc = 1};
    for (int i = 0; i < 32; i++) s.hash[i] = (uint8_t)i;
    blvm_bench_report("siphash uint256", ns_per_call(do_siphash_uint256, &s), "ns/hash",
                      "SipHashUint256 (32 bytes)");
    blvm_bench_report("siphash uint256 extra", ns_per_call(do_siphash_uint256_extra, &s),
                      "ns/hash", "SipHashUint256Extra (36 bytes)");
    uint8_t *buf = bench_buf(1024);
    s.data = buf;
    s.len = 1024;
    report_bytes("siphash 1024 bytes", ns_per_call(do_siphash_bytes, &s), 1024);
    g_sink ^= (uint8_t)s.acc;
    free(buf);
}

static void do_chacha20(void *arg) {
    struct msg *m = arg;
    static blvm_chacha20_ctx c;
    static const uint8_t key[32] = {1};
    blvm_chacha20_init(&c, key);
    blvm_chacha20_keystream(&c, (uint8_t *)m->data, m->len);
    g_sink ^= m->data[0];
}

BLVM_BENCH(chacha20) {
    uint8_t *buf = bench_buf(64 * 1024);
    struct msg m = {.data = buf, .len = 64 * 1024};
    report_bytes("chacha20 keystream 64 KiB", ns_per_call(do_chacha20, &m), m.len);
    free(buf);
}

struct mh {
    blvm_muhash acc;
    uint8_t elem[60]; /* about one serialized coin */
    uint32_t n;
};

static void do_muhash_insert(void *arg) {
    struct mh *h = arg;
    blvm_write_le32(h->elem, h->n++);
    blvm_muhash_insert(&h->acc, h->elem, sizeof h->elem);
}

static void do_muhash_finalize(void *arg) {
    struct mh *h = arg;
    uint8_t out[32];
    blvm_muhash_remove(&h->acc, h->elem, sizeof h->elem);
    blvm_muhash_finalize(&h->acc, out);
    g_sink ^= out[0];
}

BLVM_BENCH(muhash) {
    static struct mh h;
    blvm_muhash_init(&h.acc);
    memset(h.elem, 7, sizeof h.elem);
    double ins = ns_per_call(do_muhash_insert, &h);
    blvm_bench_report("muhash insert 60-byte element", ins / 1000, "us", "sha256 + chacha20 + mulmod");
    double fin = ns_per_call(do_muhash_finalize, &h);
    blvm_bench_report("muhash finalize", fin / 1e6, "ms", "one modular inverse (binary extended GCD)");
}
