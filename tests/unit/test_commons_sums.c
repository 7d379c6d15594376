/* Unit tests for SHA256SUMS parsing and writing (coreutils format). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "commons/sums.h"
#include "crypto/sha256.h"
#include "util/hex.h"

#define H64 "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"

static void test_parse_good(void **state) {
    (void)state;
    const char text[] = H64 "  a.txt\n"
                            "5891B5B522D5DF086D0FF0B110FBD9D21BB4FC7163AF34D08286A2E846F6BE03 *bin/b.bin\r\n"
                            "SHA256 (c d.txt) = " H64 "\n"
                            "\\" H64 "  we\\\\ird\\nname\n"
                            H64 "  a.txt\n"; /* sha256sum repeats a file named twice */
    blvm_commons_sums s;
    char err[256];
    assert_true(blvm_commons_sums_parse(&s, text, sizeof(text) - 1, "S", err, sizeof(err)));
    assert_int_equal(s.n, 4);
    assert_string_equal(s.entries[0].name, "a.txt");
    assert_false(s.entries[0].binary);
    assert_string_equal(s.entries[1].name, "bin/b.bin");
    assert_true(s.entries[1].binary);
    assert_memory_equal(s.entries[0].hash, s.entries[1].hash, 32);
    assert_string_equal(s.entries[2].name, "c d.txt");
    assert_string_equal(s.entries[3].name, "we\\ird\nname");
    char hex[65];
    blvm_hex_encode(hex, s.entries[2].hash, 32);
    assert_string_equal(hex, H64);
    /* Writing gives coreutils' form back, escapes included, sorted. */
    blvm_commons_sums_sort(&s);
    char *out = blvm_commons_sums_format(&s);
    assert_non_null(out);
    assert_string_equal(out, H64 "  a.txt\n" H64 "  bin/b.bin\n" H64 "  c d.txt\n"
                             "\\" H64 "  we\\\\ird\\nname\n");
    blvm_commons_sums round;
    assert_true(blvm_commons_sums_parse(&round, out, strlen(out), "out", err, sizeof(err)));
    assert_int_equal(round.n, 4);
    assert_string_equal(round.entries[3].name, "we\\ird\nname");
    free(out);
    blvm_commons_sums_clear(&round);
    blvm_commons_sums_clear(&s);
}

static void expect_bad(const char *text, size_t len, const char *needle) {
    blvm_commons_sums s;
    char err[256] = "";
    assert_false(blvm_commons_sums_parse(&s, text, len, "SUMS", err, sizeof(err)));
    if (!strstr(err, needle)) fail_msg("'%s': error '%s' lacks '%s'", text, err, needle);
    assert_int_equal(s.n, 0);
    assert_null(s.entries);
}

#define BAD(t, n) expect_bad(t, sizeof(t) - 1, n)

static void test_parse_malformed(void **state) {
    (void)state;
    BAD("", "no checksum lines");
    BAD("\n", "line 1: empty line");
    BAD(H64 "  a\n\n", "line 2: empty line");
    BAD("abc  x\n", "line 1: hash is not 64 hex digits");
    BAD("g891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  a\n", "not 64 hex");
    BAD(H64 "00  a\n", "longer than 64");
    BAD(H64 " a\n", "two spaces");
    BAD(H64 "\ta\n", "two spaces");
    BAD(H64 "  \n", "two spaces");
    BAD(H64 "  /etc/passwd\n", "must be relative");
    BAD(H64 "  ../x\n", "must be relative");
    BAD(H64 "  a/../../x\n", "must be relative");
    BAD(H64 "  a//b\n", "empty components");
    BAD("\\" H64 "  a\\qb\n", "unknown backslash escape");
    BAD("\\" H64 "  ab\\\n", "lone backslash");
    BAD("SHA256 (a) = abc\n", "tagged line too short");
    BAD("SHA256 (a) - " H64 "\n", "tagged line must end");
    BAD(H64 "  a\n" "0000000000000000000000000000000000000000000000000000000000000000  a\n",
        "line 2: conflicting second hash for 'a'");
    expect_bad(H64 "  a\0b\n", sizeof(H64 "  a\0b\n") - 1, "NUL");
}

static void test_vectors_sums_file(void **state) {
    (void)state;
    /* The shared vectors ship a SHA256SUMS written by sha256sum: it parses
     * and every listed file matches. */
    blvm_commons_sums s;
    char err[512];
    assert_true(blvm_commons_sums_load(&s, BLVM_VECTORS_DIR "/SHA256SUMS", err, sizeof(err)));
    assert_true(s.n > 5);
    for (size_t i = 0; i < s.n; i++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", BLVM_VECTORS_DIR, s.entries[i].name);
        uint8_t h[32];
        assert_true(blvm_commons_file_sha256(path, h, NULL, err, sizeof(err)));
        assert_memory_equal(h, s.entries[i].hash, 32);
    }
    blvm_commons_sums_clear(&s);
}

static void test_create_dir(void **state) {
    (void)state;
    char dir[] = "/tmp/blvm-test-sums-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char p[256], err[256];
    snprintf(p, sizeof(p), "%s/sub", dir);
    assert_int_equal(mkdir(p, 0755), 0);
    const char *files[] = {"b.bin", "a.txt", "sub/c", "SHA256SUMS"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
        FILE *f = fopen(p, "wb");
        assert_non_null(f);
        fprintf(f, "content %zu", i);
        fputc(0, f); /* binary bytes too */
        fclose(f);
    }
    snprintf(p, sizeof(p), "%s/link", dir);
    assert_int_equal(symlink("/etc/passwd", p), 0);
    const char *skip[] = {"SHA256SUMS", NULL};
    blvm_commons_sums s;
    assert_true(blvm_commons_sums_create(&s, dir, skip, err, sizeof(err)));
    assert_int_equal(s.n, 3); /* no SHA256SUMS, no symlink */
    assert_string_equal(s.entries[0].name, "a.txt");
    assert_string_equal(s.entries[1].name, "b.bin");
    assert_string_equal(s.entries[2].name, "sub/c");
    uint8_t want[32];
    char content[16];
    int n = snprintf(content, sizeof(content), "content 1");
    content[n] = '\0';
    blvm_sha256(want, (const uint8_t *)content, (size_t)n + 1);
    assert_memory_equal(s.entries[0].hash, want, 32);
    blvm_commons_sums_clear(&s);
    assert_false(blvm_commons_sums_create(&s, "/nonexistent-dir", NULL, err, sizeof(err)));
    assert_true(blvm_commons_remove_tree(dir));
    assert_int_equal(access(dir, F_OK), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good),
        cmocka_unit_test(test_parse_malformed),
        cmocka_unit_test(test_vectors_sums_file),
        cmocka_unit_test(test_create_dir),
    };
    return cmocka_run_group_tests_name("commons_sums", tests, NULL, NULL);
}
