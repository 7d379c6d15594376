/* Unit tests for src/util: the bounds-checked reader, the writer, hex. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>

#include <cmocka.h>

#include "util/bytes.h"
#include "util/hex.h"

static void test_compact_size_canonical(void **state) {
    (void)state;
    struct {
        const char *hex;
        uint64_t value;
    } ok[] = {
        {"00", 0},          {"fc", 0xfc},           {"fdfd00", 0xfd},
        {"fdffff", 0xffff}, {"fe00000100", 0x10000}, {"fe00000002", 0x02000000},
    };
    for (size_t i = 0; i < BLVM_ARRAY_LEN(ok); i++) {
        uint8_t buf[9];
        size_t n;
        assert_true(blvm_hex_decode(buf, sizeof buf, &n, ok[i].hex));
        blvm_reader r;
        blvm_reader_init(&r, buf, n);
        uint64_t v = 0;
        assert_true(blvm_read_compact_size(&r, &v));
        assert_int_equal(v, ok[i].value);
        assert_int_equal(blvm_reader_remaining(&r), 0);
        uint8_t enc[9];
        assert_int_equal(blvm_encode_compact_size(enc, v), n);
        assert_memory_equal(enc, buf, n);
    }
}

static void test_compact_size_rejects(void **state) {
    (void)state;
    struct {
        const char *hex;
        blvm_read_error err;
    } bad[] = {
        {"fdfc00", BLVM_READ_NONCANONICAL},             /* 0xfc fits in one byte */
        {"feffff0000", BLVM_READ_NONCANONICAL},         /* fits in three */
        {"ffffffffff00000000", BLVM_READ_NONCANONICAL}, /* fits in five */
        {"fe01000002", BLVM_READ_TOO_LARGE},            /* MAX_SIZE + 1 */
        {"ff0000000001000000", BLVM_READ_TOO_LARGE},
        {"fd00", BLVM_READ_TRUNCATED},
        {"", BLVM_READ_TRUNCATED},
    };
    for (size_t i = 0; i < BLVM_ARRAY_LEN(bad); i++) {
        uint8_t buf[9];
        size_t n;
        assert_true(blvm_hex_decode(buf, sizeof buf, &n, bad[i].hex));
        blvm_reader r;
        blvm_reader_init(&r, buf, n);
        uint64_t v = 42;
        assert_false(blvm_read_compact_size(&r, &v));
        assert_int_equal(r.err, bad[i].err);
        assert_int_equal(r.pos, 0);
        assert_int_equal(v, 42);
    }
}

static void test_reader_sticky_error(void **state) {
    (void)state;
    uint8_t buf[5] = {1, 2, 3, 4, 5};
    blvm_reader r;
    blvm_reader_init(&r, buf, sizeof buf);
    uint32_t x;
    uint64_t y;
    uint8_t z;
    assert_true(blvm_read_u32(&r, &x));
    assert_int_equal(x, 0x04030201);
    assert_false(blvm_read_u64(&r, &y));
    assert_int_equal(r.err, BLVM_READ_TRUNCATED);
    /* A byte remains, but the error sticks. */
    assert_false(blvm_read_u8(&r, &z));
    assert_false(blvm_read_skip(&r, 0) && r.err == BLVM_READ_OK);
}

static void test_writer_roundtrip(void **state) {
    (void)state;
    blvm_writer w;
    blvm_writer_init(&w);
    blvm_write_u32(&w, 0xdeadbeef);
    blvm_write_i64(&w, -2);
    for (int i = 0; i < 1000; i++) blvm_write_var_bytes(&w, "abc", 3);
    assert_false(w.err);
    blvm_reader r;
    blvm_reader_init(&r, w.data, w.len);
    uint32_t a;
    int64_t b;
    assert_true(blvm_read_u32(&r, &a));
    assert_true(blvm_read_i64(&r, &b));
    assert_int_equal(a, 0xdeadbeef);
    assert_int_equal(b, -2);
    for (int i = 0; i < 1000; i++) {
        uint64_t n;
        const uint8_t *p;
        assert_true(blvm_read_compact_size(&r, &n));
        assert_int_equal(n, 3);
        assert_true(blvm_read_span(&r, &p, n));
        assert_memory_equal(p, "abc", 3);
    }
    assert_int_equal(blvm_reader_remaining(&r), 0);
    blvm_writer_clear(&w);
}

static void test_hex(void **state) {
    (void)state;
    uint8_t out[4];
    size_t n;
    assert_true(blvm_hex_decode(out, sizeof out, &n, "00ffA5"));
    assert_int_equal(n, 3);
    assert_int_equal(out[2], 0xa5);
    assert_false(blvm_hex_decode(out, sizeof out, &n, "abc"));
    assert_false(blvm_hex_decode(out, sizeof out, &n, "zz"));
    assert_false(blvm_hex_decode(out, sizeof out, &n, "0011223344"));
    char s[16];
    blvm_hex_encode(s, out, 3);
    assert_string_equal(s, "00ffa5");
    blvm_hex_encode_reversed(s, out, 3);
    assert_string_equal(s, "a5ff00");
    uint8_t h[32];
    assert_true(blvm_hex_decode_hash(
        h, "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"));
    assert_int_equal(h[0], 0x6f);
    assert_int_equal(h[31], 0x00);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compact_size_canonical),
        cmocka_unit_test(test_compact_size_rejects),
        cmocka_unit_test(test_reader_sticky_error),
        cmocka_unit_test(test_writer_roundtrip),
        cmocka_unit_test(test_hex),
    };
    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
