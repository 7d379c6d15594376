/* blvm-bench [FILTER...]: runs every registered benchmark whose name contains
 * one of the filters (all of them when none is given) and prints its numbers.
 * Nothing here passes or fails on time: compare ratios within one run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

#define MAX_BENCHES 256

static struct {
    const char *name;
    blvm_bench_fn fn;
} benches[MAX_BENCHES];
static int n_benches;

void blvm_bench_register(const char *name, blvm_bench_fn fn) {
    if (n_benches < MAX_BENCHES) {
        benches[n_benches].name = name;
        benches[n_benches].fn = fn;
        n_benches++;
    }
}

uint64_t blvm_bench_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void blvm_bench_report(const char *name, double value, const char *unit, const char *detail) {
    printf("%-44s %14.3f %-10s %s\n", name, value, unit, detail ? detail : "");
    fflush(stdout);
}

double blvm_bench_target_seconds(void) {
    const char *s = getenv("BLVM_BENCH_SECONDS");
    double v = s ? atof(s) : 0.5;
    return v > 0 ? v : 0.5;
}

static int by_name(const void *a, const void *b) {
    const char *const *x = a, *const *y = b;
    return strcmp(*x, *y);
}

int main(int argc, char **argv) {
    /* Registration order follows link order; sort for a stable report. */
    qsort(benches, (size_t)n_benches, sizeof benches[0], by_name);
    if (argc > 1 && (!strcmp(argv[1], "--list") || !strcmp(argv[1], "-l"))) {
        for (int i = 0; i < n_benches; i++) puts(benches[i].name);
        return 0;
    }
    for (int i = 0; i < n_benches; i++) {
        int run = argc < 2;
        for (int a = 1; a < argc && !run; a++) run = strstr(benches[i].name, argv[a]) != NULL;
        if (run) benches[i].fn();
    }
    return 0;
}
