#ifndef BLVM_BENCH_BENCH_H
#define BLVM_BENCH_BENCH_H

/* A benchmark is a function that runs its work and prints its numbers with
 * blvm_bench_report(). Files register benchmarks with BLVM_BENCH(name) so that
 * adding a benchmark touches only its own file. */

#include <stdint.h>

typedef void (*blvm_bench_fn)(void);

void blvm_bench_register(const char *name, blvm_bench_fn fn);

#define BLVM_BENCH(name)                                                 \
    static void bench_##name(void);                                      \
    __attribute__((constructor)) static void bench_register_##name(void) { \
        blvm_bench_register(#name, bench_##name);                        \
    }                                                                    \
    static void bench_##name(void)

/* Monotonic clock in nanoseconds. */
uint64_t blvm_bench_now_ns(void);

/* Prints one line: "<name>  <value> <unit>  (<detail>)". */
void blvm_bench_report(const char *name, double value, const char *unit, const char *detail);

/* Seconds each measurement aims to run (BLVM_BENCH_SECONDS, default 0.5). */
double blvm_bench_target_seconds(void);

#endif
