/* Unit tests for src/node/init: data directory checks, the lock file, the
 * pid file and the order of shutdown hooks. */
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

#include "node/config.h"
#include "node/init.h"

static char g_dir[256];

static int setup(void **state) {
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/tmp/blvm_test_init_%ld", (long)getpid());
    mkdir(g_dir, 0700);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_dir);
    if (system(cmd) != 0) return -1;
    return 0;
}

static blvm_config *load(const char *datadir_arg, const char *net) {
    static char a0[] = "blvmd", a2[] = "-noconf";
    char dd[300], nn[64];
    snprintf(dd, sizeof dd, "%s", datadir_arg);
    snprintf(nn, sizeof nn, "%s", net);
    char *argv[] = {a0, dd, a2, nn, NULL};
    blvm_config_options opts = {.specs = blvm_config_blvmd_args,
                                .nspecs = blvm_config_blvmd_args_count};
    char err[512];
    blvm_config *c = blvm_config_load(&opts, 4, argv, err, sizeof err);
    if (!c) fail_msg("%s", err);
    return c;
}

static void test_datadir(void **state) {
    (void)state;
    char arg[300], err[512];
    snprintf(arg, sizeof arg, "-datadir=%s", g_dir);
    blvm_config *c = load(arg, "-regtest");
    assert_true(blvm_init_datadir(c, err, sizeof err));
    char want[300];
    snprintf(want, sizeof want, "%s/regtest", g_dir);
    struct stat st;
    assert_int_equal(stat(want, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    blvm_config_destroy(c);
    /* The default data dir (HOME/.blvm) is created when missing. */
    setenv("HOME", g_dir, 1);
    static char a0[] = "blvmd", a1[] = "-noconf", a2[] = "-signet";
    char *argv[] = {a0, a1, a2, NULL};
    blvm_config_options opts = {.specs = blvm_config_blvmd_args,
                                .nspecs = blvm_config_blvmd_args_count};
    c = blvm_config_load(&opts, 3, argv, err, sizeof err);
    assert_non_null(c);
    assert_true(blvm_init_datadir(c, err, sizeof err));
    snprintf(want, sizeof want, "%s/.blvm/signet", g_dir);
    assert_int_equal(stat(want, &st), 0);
    blvm_config_destroy(c);
    /* Unwritable: a dir in /proc cannot get new files even as root. */
    c = load("-datadir=/proc/self", "-regtest");
    assert_false(blvm_init_datadir(c, err, sizeof err));
    assert_non_null(strstr(err, "/proc/self"));
    blvm_config_destroy(c);
    /* A missing -blocksdir is an error. */
    char bd[300];
    snprintf(bd, sizeof bd, "-datadir=%s", g_dir);
    static char a3[] = "-blocksdir=/nonexistent/blocks";
    char *argv2[] = {a0, bd, a1, a3, NULL};
    c = blvm_config_load(&opts, 4, argv2, err, sizeof err);
    assert_non_null(c);
    assert_false(blvm_init_datadir(c, err, sizeof err));
    assert_non_null(strstr(err, "blocks directory"));
    blvm_config_destroy(c);
}

static void test_lock(void **state) {
    (void)state;
    char err[512];
    int fd = blvm_init_lock_dir(g_dir, err, sizeof err);
    assert_true(fd >= 0);
    /* flock locks belong to the open file: a second open fails even in the
     * same process, as a second blvmd would. */
    int fd2 = blvm_init_lock_dir(g_dir, err, sizeof err);
    assert_int_equal(fd2, -1);
    assert_non_null(strstr(err, "Cannot obtain a lock on data directory"));
    assert_non_null(strstr(err, "probably already running"));
    blvm_init_unlock_dir(fd);
    fd2 = blvm_init_lock_dir(g_dir, err, sizeof err);
    assert_true(fd2 >= 0);
    blvm_init_unlock_dir(fd2);
    assert_int_equal(blvm_init_lock_dir("/nonexistent/dir", err, sizeof err), -1);
    assert_non_null(strstr(err, "Cannot open lock file"));
}

static void test_pidfile(void **state) {
    (void)state;
    char path[300], err[512];
    snprintf(path, sizeof path, "%s/blvmd.pid", g_dir);
    assert_true(blvm_init_write_pidfile(path, err, sizeof err));
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    long pid = 0;
    assert_int_equal(fscanf(f, "%ld", &pid), 1);
    fclose(f);
    assert_int_equal(pid, (long)getpid());
    blvm_init_remove_pidfile(path);
    assert_int_not_equal(access(path, F_OK), 0);
    assert_false(blvm_init_write_pidfile("/nonexistent/x.pid", err, sizeof err));
    assert_non_null(strstr(err, "Unable to create the PID file"));
}

static char g_order[256];

static void hook(blvm_node *node, void *arg) {
    assert_true(blvm_node_shutdown_requested(node));
    size_t n = strlen(g_order);
    g_order[n] = *(const char *)arg;
    g_order[n + 1] = '\0';
}

static void test_shutdown_hooks(void **state) {
    (void)state;
    blvm_node node;
    memset(&node, 0, sizeof node);
    assert_false(blvm_node_shutdown_requested(&node));
    blvm_node_request_shutdown(&node);
    g_order[0] = '\0';
    /* Interrupts in registration order, then stops last-first. */
    assert_true(blvm_init_add_shutdown_hook(BLVM_SHUTDOWN_STOP, "chainstate", hook, "A"));
    assert_true(blvm_init_add_shutdown_hook(BLVM_SHUTDOWN_INTERRUPT, "waiters", hook, "x"));
    assert_true(blvm_init_add_shutdown_hook(BLVM_SHUTDOWN_STOP, "rpc", hook, "B"));
    assert_true(blvm_init_add_shutdown_hook(BLVM_SHUTDOWN_INTERRUPT, "rpc", hook, "y"));
    blvm_init_run_shutdown(&node);
    assert_string_equal(g_order, "xyBA");
    /* Each hook runs once. */
    blvm_init_run_shutdown(&node);
    assert_string_equal(g_order, "xyBA");
    /* One phase at a time: blvmd stops the RPC server in between. */
    g_order[0] = '\0';
    assert_true(blvm_init_add_shutdown_hook(BLVM_SHUTDOWN_STOP, "chainstate", hook, "A"));
    assert_true(blvm_init_add_shutdown_hook(BLVM_SHUTDOWN_INTERRUPT, "waiters", hook, "x"));
    blvm_init_run_shutdown_phase(&node, BLVM_SHUTDOWN_INTERRUPT);
    assert_string_equal(g_order, "x");
    blvm_init_run_shutdown_phase(&node, BLVM_SHUTDOWN_INTERRUPT);
    assert_string_equal(g_order, "x");
    blvm_init_run_shutdown_phase(&node, BLVM_SHUTDOWN_STOP);
    assert_string_equal(g_order, "xA");
    /* The table is bounded. */
    size_t added = 0;
    while (blvm_init_add_shutdown_hook(BLVM_SHUTDOWN_STOP, "n", hook, "z") && added < 1000) added++;
    assert_true(added < 1000);
    g_order[0] = '\0';
    blvm_init_run_shutdown(&node);
    assert_int_equal(strlen(g_order), added);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_datadir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pidfile, setup, teardown),
        cmocka_unit_test(test_shutdown_hooks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
