/* Helpers shared by the unit test programs: a fresh directory under /tmp for
 * tests that open stores or write files, removed with everything in it
 * afterwards. Header-only (static inline) so that each test_<module>.c stays
 * one program without extra CMake wiring. BLVM_TEST_NAME is the program's
 * name (test_<module>), defined by tests/unit/CMakeLists.txt. */
#ifndef BLVM_TESTS_UNIT_TESTUTIL_H
#define BLVM_TESTS_UNIT_TESTUTIL_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef BLVM_TEST_NAME
#define BLVM_TEST_NAME "test"
#endif

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

#endif
