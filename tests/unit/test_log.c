/* Unit tests for src/util/log: categories, levels, file output, start-up
 * buffering, escaping, rate limiting and concurrent writers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/log.h"

static char g_path[256];

static char *read_all(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return strdup("");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t r = fread(buf, 1, (size_t)n, f);
    buf[r] = '\0';
    fclose(f);
    return buf;
}

static size_t count(const char *hay, const char *needle) {
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle)) n++;
    return n;
}

static int64_t g_now = 1000000;
static int64_t fake_now(void) {
    return g_now;
}

static void test_buffer_then_open(void **state) {
    (void)state;
    /* Lines written before the file is opened are kept and written first. */
    blvm_log_set_timestamps(false);
    BLVM_LOG_INFO("early line %d", 1);
    snprintf(g_path, sizeof g_path, "/tmp/blvm_test_log_%ld.log", (long)getpid());
    unlink(g_path);
    assert_true(blvm_log_open(g_path));
    BLVM_LOG_INFO("after open");
    char *s = read_all(g_path);
    assert_string_equal(s, "early line 1\nafter open\n");
    free(s);
    assert_false(blvm_log_open("/nonexistent-dir/x/debug.log"));
}

static void test_categories(void **state) {
    (void)state;
    uint64_t m;
    assert_true(blvm_log_category_from_name("net", &m));
    assert_int_equal(m, BLVM_LOG_NET);
    assert_true(blvm_log_category_from_name("all", &m));
    assert_int_equal(m, BLVM_LOG_ALL);
    assert_true(blvm_log_category_from_name("1", &m));
    assert_int_equal(m, BLVM_LOG_ALL);
    assert_true(blvm_log_category_from_name("none", &m));
    assert_int_equal(m, 0);
    assert_false(blvm_log_category_from_name("nosuch", &m));
    assert_false(blvm_log_category_from_name("NET", &m));
    assert_false(blvm_log_enable_category_name("bogus"));
    /* Names are sorted and unique (the `logging` RPC lists them so). */
    size_t n = blvm_log_category_count();
    assert_true(n >= 20);
    for (size_t i = 1; i < n; i++)
        assert_true(strcmp(blvm_log_category_name(i - 1, NULL), blvm_log_category_name(i, NULL)) < 0);
    assert_null(blvm_log_category_name(n, NULL));

    blvm_log_disable_categories(BLVM_LOG_ALL);
    assert_false(blvm_log_enabled(BLVM_LOG_NET, BLVM_LOG_DEBUG));
    assert_true(blvm_log_enabled(BLVM_LOG_NET, BLVM_LOG_INFO));
    assert_true(blvm_log_enabled(BLVM_LOG_NONE, BLVM_LOG_WARNING));
    assert_true(blvm_log_enable_category_name("net"));
    assert_true(blvm_log_enabled(BLVM_LOG_NET, BLVM_LOG_DEBUG));
    assert_false(blvm_log_enabled(BLVM_LOG_NET, BLVM_LOG_TRACE));
    assert_false(blvm_log_enabled(BLVM_LOG_RPC, BLVM_LOG_DEBUG));
    assert_int_equal(blvm_log_categories(), BLVM_LOG_NET);
    assert_true(blvm_log_disable_category_name("net"));
    assert_int_equal(blvm_log_categories(), 0);
}

static void test_levels(void **state) {
    (void)state;
    blvm_log_enable_categories(BLVM_LOG_NET | BLVM_LOG_RPC);
    assert_true(blvm_log_set_level_str("trace"));
    assert_true(blvm_log_enabled(BLVM_LOG_NET, BLVM_LOG_TRACE));
    assert_true(blvm_log_set_level_str("info"));
    assert_false(blvm_log_enabled(BLVM_LOG_NET, BLVM_LOG_DEBUG));
    assert_true(blvm_log_set_level_str("net:trace"));
    assert_true(blvm_log_enabled(BLVM_LOG_NET, BLVM_LOG_TRACE));
    assert_false(blvm_log_enabled(BLVM_LOG_RPC, BLVM_LOG_DEBUG));
    assert_false(blvm_log_set_level_str("loud"));
    assert_false(blvm_log_set_level_str("nosuch:debug"));
    assert_false(blvm_log_set_level_str("net:loud"));
    assert_false(blvm_log_set_level_str("error"));
    assert_true(blvm_log_set_level_str("debug"));
    assert_true(blvm_log_set_level_str("net:debug"));
    blvm_log_level l;
    assert_true(blvm_log_level_from_name("WARNING", &l));
    assert_int_equal(l, BLVM_LOG_WARNING);
    assert_string_equal(blvm_log_level_name(BLVM_LOG_ERROR), "error");
    blvm_log_disable_categories(BLVM_LOG_ALL);
}

static void test_line_format(void **state) {
    (void)state;
    unlink(g_path);
    assert_true(blvm_log_reopen());
    blvm_log_enable_categories(BLVM_LOG_NET);
    BLVM_LOG_DEBUG(BLVM_LOG_NET, "peer=%d connected", 3);
    BLVM_LOG_DEBUG(BLVM_LOG_RPC, "not shown");
    BLVM_LOG_TRACE(BLVM_LOG_NET, "not shown either");
    BLVM_LOG_WARN("disk low");
    BLVM_LOG_ERROR("broken\n\n");
    blvm_log_write(BLVM_LOG_NONE, BLVM_LOG_INFO, "ctl \x01 bell\x07 tab\tend");
    char *s = read_all(g_path);
    assert_string_equal(s,
                        "[net] peer=3 connected\n"
                        "[warning] disk low\n"
                        "[error] broken\n"
                        "ctl \\x01 bell\\x07 tab\tend\n");
    free(s);
    blvm_log_disable_categories(BLVM_LOG_ALL);
    /* Timestamps: ISO 8601 UTC as Core. */
    blvm_log_set_clock(fake_now);
    blvm_log_set_timestamps(true);
    unlink(g_path);
    assert_true(blvm_log_reopen());
    g_now = 0;
    BLVM_LOG_INFO("epoch");
    s = read_all(g_path);
    assert_string_equal(s, "1970-01-01T00:00:00Z epoch\n");
    free(s);
    blvm_log_set_timestamps(false);
    blvm_log_set_clock(NULL);
}

static void spam(int i) {
    BLVM_LOG_RATELIMITED(BLVM_LOG_NONE, BLVM_LOG_INFO, "attacker line %03d", i);
}

static void test_ratelimit(void **state) {
    (void)state;
    unlink(g_path);
    assert_true(blvm_log_reopen());
    blvm_log_set_clock(fake_now);
    g_now = 5000;
    /* "attacker line 000\n" is 18 bytes: 100 bytes allow 5 lines. */
    blvm_log_set_ratelimit(100, 60);
    for (int i = 0; i < 50; i++) spam(i);
    char *s = read_all(g_path);
    assert_int_equal(count(s, "attacker line"), 5);
    assert_non_null(strstr(s, "attacker line 004\n"));
    assert_null(strstr(s, "attacker line 005"));
    assert_int_equal(count(s, "Excessive logging detected from"), 1);
    assert_non_null(strstr(s, "test_log.c:"));
    free(s);
    /* A new window: one note with the number dropped, then lines again. */
    g_now += 61;
    spam(100);
    s = read_all(g_path);
    assert_non_null(strstr(s, "(45 lines dropped)"));
    assert_non_null(strstr(s, "attacker line 100\n"));
    free(s);
    /* Another call site has its own budget. */
    BLVM_LOG_RATELIMITED(BLVM_LOG_NONE, BLVM_LOG_INFO, "other site");
    s = read_all(g_path);
    assert_non_null(strstr(s, "other site\n"));
    free(s);
    blvm_log_set_ratelimit(1024 * 1024, 3600);
    blvm_log_set_clock(NULL);
}

#define THREADS 4
#define LINES 2000

static void *writer(void *arg) {
    int id = (int)(intptr_t)arg;
    char name[16];
    snprintf(name, sizeof name, "w%d", id);
    blvm_log_set_thread_name(name);
    for (int i = 0; i < LINES; i++) {
        blvm_log_write(BLVM_LOG_NET, BLVM_LOG_DEBUG, "thread %d line %d %s", id, i,
                       "padding-padding-padding-padding-padding");
        if (i == LINES / 2) {
            /* Categories change while others write. */
            blvm_log_enable_categories(BLVM_LOG_RPC);
            blvm_log_disable_categories(BLVM_LOG_RPC);
        }
    }
    return NULL;
}

static void test_threads(void **state) {
    (void)state;
    unlink(g_path);
    assert_true(blvm_log_reopen());
    blvm_log_enable_categories(BLVM_LOG_NET);
    blvm_log_set_thread_names(true);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, writer, (void *)(intptr_t)i), 0);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    blvm_log_set_thread_names(false);
    char *s = read_all(g_path);
    /* Every line whole: its thread-name prefix matches its own text. */
    size_t lines = 0;
    char *save = NULL;
    for (char *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        int a, b, c;
        assert_int_equal(sscanf(line, "[w%d] [net] thread %d line %d padding", &a, &b, &c), 3);
        assert_int_equal(a, b);
        assert_non_null(strstr(line, "padding-padding-padding-padding-padding"));
        lines++;
    }
    assert_int_equal(lines, THREADS * LINES);
    free(s);
    blvm_log_disable_categories(BLVM_LOG_ALL);
}

static void test_close(void **state) {
    (void)state;
    blvm_log_close();
    /* After close, writes do not touch the file. */
    char *b = read_all(g_path);
    size_t before = strlen(b);
    free(b);
    BLVM_LOG_INFO("after close");
    char *s = read_all(g_path);
    assert_int_equal(strlen(s), before);
    free(s);
    unlink(g_path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buffer_then_open), cmocka_unit_test(test_categories),
        cmocka_unit_test(test_levels),           cmocka_unit_test(test_line_format),
        cmocka_unit_test(test_ratelimit),        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_close),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
