/* Helpers shared by the unit test programs: a fresh directory under /tmp for
 * tests that open stores or write files (removed with everything in it
 * afterwards), a seedable random generator, and reading whole files such as
 * the reference vectors. Header-only (static inline) so that each
 * test_<module>.c stays one program without extra CMake wiring.
 * BLVM_TEST_NAME is the program's name (test_<module>) and BLVM_VECTORS_DIR
 * the reference data, both defined by tests/unit/CMakeLists.txt. */
#ifndef BLVM_TESTS_UNIT_TESTUTIL_H
#define BLVM_TESTS_UNIT_TESTUTIL_H

#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#ifndef BLVM_TEST_NAME
#define BLVM_TEST_NAME "test"
#endif
#ifndef BLVM_VECTORS_DIR
#define BLVM_VECTORS_DIR "."
#endif

/* ---- temporary directories --------------------------------------------- */

static inline int blvm_test_rm_entry(const char *path, const struct stat *sb, int flag,
                                     struct FTW *ftw) {
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Removes dir and everything under it (depth first, symlinks not followed).
 * Returns 0 when every entry was removed. */
static inline int blvm_test_rmtree(const char *dir) {
    return nftw(dir, blvm_test_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* cmocka setup: *state becomes a new empty directory
 * /tmp/blvm_<BLVM_TEST_NAME>_XXXXXX (heap string owned by the teardown). */
static inline int blvm_test_tmpdir_setup(void **state) {
    char *dir = strdup("/tmp/blvm_" BLVM_TEST_NAME "_XXXXXX");
    if (!dir) return -1;
    if (!mkdtemp(dir)) {
        free(dir);
        return -1;
    }
    *state = dir;
    return 0;
}

/* cmocka teardown for blvm_test_tmpdir_setup: removes the directory tree. */
static inline int blvm_test_tmpdir_teardown(void **state) {
    blvm_test_rmtree(*state);
    free(*state);
    return 0;
}

/* ---- seeded random numbers (splitmix64) -------------------------------- */

static inline uint64_t *blvm_test_rng_state(void) {
    static uint64_t state;
    return &state;
}

static inline void blvm_test_rng_seed(uint64_t seed) {
    *blvm_test_rng_state() = seed;
}

/* splitmix64: small, seedable, good enough to pick lengths and bytes. */
static inline uint64_t blvm_test_rand64(void) {
    uint64_t z = (*blvm_test_rng_state() += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline void blvm_test_rand_bytes(uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)blvm_test_rand64();
}

/* cmocka group setup: seeds from $BLVM_TEST_SEED, else the clock, and prints
 * the seed so that a failing run can be repeated. */
static inline int blvm_test_seed_setup(void **state) {
    (void)state;
    const char *s = getenv("BLVM_TEST_SEED");
    blvm_test_rng_seed(s ? strtoull(s, NULL, 0) : (uint64_t)time(NULL));
    printf(BLVM_TEST_NAME ": BLVM_TEST_SEED=%llu\n", (unsigned long long)*blvm_test_rng_state());
    return 0;
}

/* ---- files ------------------------------------------------------------- */

/* The whole file, malloc'd with a NUL added after its bytes (*len, when len
 * is not NULL, excludes it); NULL if it cannot be read. */
static inline char *blvm_test_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0) n = ftell(f);
    if (n >= 0 && fseek(f, 0, SEEK_SET) == 0) buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (!buf) return NULL;
    buf[n] = '\0';
    if (len) *len = (size_t)n;
    return buf;
}

/* blvm_test_read_file of BLVM_VECTORS_DIR/name (Core's reference data). */
static inline char *blvm_test_read_vector(const char *name, size_t *len) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", BLVM_VECTORS_DIR, name);
    return blvm_test_read_file(path, len);
}

#endif
