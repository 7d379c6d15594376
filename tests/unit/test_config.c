/* Unit tests for src/node/config: command line, environment, config file
 * sections and prefixes, precedence, list flags, negation, bad input. */
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

/* A fake environment for the tests. */
static const char *g_env[16][2];

static const char *fake_getenv(const char *name) {
    for (size_t i = 0; i < 16 && g_env[i][0]; i++)
        if (strcmp(g_env[i][0], name) == 0) return g_env[i][1];
    return NULL;
}

static char g_dir[256];

static int setup(void **state) {
    (void)state;
    memset(g_env, 0, sizeof g_env);
    snprintf(g_dir, sizeof g_dir, "/tmp/blvm_test_config_%ld", (long)getpid());
    mkdir(g_dir, 0700);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char path[400];
    const char *files[] = {"bitcoin.conf", "blvm.conf", "other.conf"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", g_dir, files[i]);
        unlink(path);
    }
    rmdir(g_dir);
    return 0;
}

static void write_file(const char *name, const char *text) {
    char path[400];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Loads blvmd's flags with argv (NULL-terminated, without program name) and
 * -datadir set to the test dir. */
static blvm_config *load(char *err, size_t errlen, ...) {
    char *argv[32];
    int argc = 0;
    static char prog[] = "blvmd";
    static char dd[300];
    argv[argc++] = prog;
    snprintf(dd, sizeof dd, "-datadir=%s", g_dir);
    argv[argc++] = dd;
    va_list ap;
    va_start(ap, errlen);
    char *a;
    while ((a = va_arg(ap, char *)) != NULL && argc < 31) argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    blvm_config_options opts = {
        .specs = blvm_config_blvmd_args,
        .nspecs = blvm_config_blvmd_args_count,
        .getenv_fn = fake_getenv,
    };
    return blvm_config_load(&opts, argc, argv, err, errlen);
}

static void test_defaults(void **state) {
    (void)state;
    char err[512];
    blvm_config *c = load(err, sizeof err, NULL);
    assert_non_null(c);
    assert_int_equal(blvm_config_get_network(c), BLVM_CONFIG_MAIN);
    assert_string_equal(blvm_config_datadir(c), g_dir);
    assert_string_equal(blvm_config_netdir(c), g_dir);
    assert_int_equal(blvm_config_rpc_port(c), 8332);
    assert_false(blvm_config_is_set(c, "rpcport"));
    assert_true(blvm_config_get_bool(c, "server", true));
    assert_int_equal(blvm_config_get_int(c, "dbcache", 450), 450);
    blvm_config_destroy(c);
}

static void test_networks(void **state) {
    (void)state;
    char err[512];
    struct {
        const char *arg;
        blvm_config_network net;
        const char *sub;
        uint16_t rpc, p2p;
    } cases[] = {
        {"-regtest", BLVM_CONFIG_REGTEST, "regtest", 18443, 18444},
        {"-testnet", BLVM_CONFIG_TEST, "testnet3", 18332, 18333},
        {"-testnet4", BLVM_CONFIG_TESTNET4, "testnet4", 48332, 48333},
        {"-signet", BLVM_CONFIG_SIGNET, "signet", 38332, 38333},
        {"-chain=regtest", BLVM_CONFIG_REGTEST, "regtest", 18443, 18444},
        {"-chain=test", BLVM_CONFIG_TEST, "testnet3", 18332, 18333},
        {"-chain=main", BLVM_CONFIG_MAIN, "", 8332, 8333},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        blvm_config *c = load(err, sizeof err, cases[i].arg, NULL);
        assert_non_null(c);
        assert_int_equal(blvm_config_get_network(c), cases[i].net);
        char want[400];
        snprintf(want, sizeof want, "%s%s%s", g_dir, cases[i].sub[0] ? "/" : "", cases[i].sub);
        assert_string_equal(blvm_config_netdir(c), want);
        assert_int_equal(blvm_config_rpc_port(c), cases[i].rpc);
        assert_int_equal(blvm_config_default_p2p_port(blvm_config_get_network(c)), cases[i].p2p);
        blvm_config_destroy(c);
    }
    assert_null(load(err, sizeof err, "-regtest", "-testnet", NULL));
    assert_non_null(strstr(err, "Invalid combination of -regtest"));
    assert_null(load(err, sizeof err, "-chain=regtest", "-signet", NULL));
    assert_null(load(err, sizeof err, "-chain=moon", NULL));
    assert_non_null(strstr(err, "Invalid -chain value 'moon'"));
    /* -regtest=0 does not select regtest. */
    blvm_config *c = load(err, sizeof err, "-regtest=0", "-signet", NULL);
    assert_non_null(c);
    assert_int_equal(blvm_config_get_network(c), BLVM_CONFIG_SIGNET);
    blvm_config_destroy(c);
}

static void test_command_line_forms(void **state) {
    (void)state;
    char err[512];
    blvm_config *c = load(err, sizeof err, "-regtest", "--rpcport=1234", "-rpcport=1235",
                          "-noserver", "-printtoconsole", "-loadblock=a", "-loadblock=b",
                          "-debug=net", "-debug", "-pid", NULL);
    assert_non_null(c);
    /* Last single value wins; --x is -x. */
    assert_int_equal(blvm_config_rpc_port(c), 1235);
    assert_false(blvm_config_get_bool(c, "server", true));
    assert_true(blvm_config_is_negated(c, "server"));
    assert_true(blvm_config_get_bool(c, "printtoconsole", false));
    const char *const *v;
    assert_int_equal(blvm_config_get_list(c, "loadblock", &v), 2);
    assert_string_equal(v[0], "a");
    assert_string_equal(v[1], "b");
    assert_int_equal(blvm_config_get_list(c, "debug", &v), 2);
    assert_string_equal(v[1], "");
    assert_string_equal(blvm_config_get_str(c, "pid", "x"), "");
    blvm_config_destroy(c);

    /* -nox=0 is x=1; -noconnect clears the list. */
    c = load(err, sizeof err, "-noserver=0", "-connect=a", "-noconnect", NULL);
    assert_non_null(c);
    assert_true(blvm_config_get_bool(c, "server", false));
    assert_int_equal(blvm_config_get_list(c, "connect", &v), 0);
    assert_true(blvm_config_is_negated(c, "connect"));
    blvm_config_destroy(c);
}

static void test_bad_command_line(void **state) {
    (void)state;
    char err[512];
    struct {
        const char *arg;
        const char *msg;
    } cases[] = {
        {"-foo", "Invalid parameter -foo"},
        {"--foo=1", "Invalid parameter --foo"},
        {"-nofoo", "Invalid parameter -nofoo"},
        {"-rpcport=abc", "Invalid value for -rpcport: 'abc' (expected an integer from 1 to 65535)"},
        {"-rpcport=0", "Invalid value for -rpcport: '0'"},
        {"-rpcport=", "Invalid value for -rpcport: ''"},
        {"-rpcport=12x", "Invalid value for -rpcport: '12x'"},
        {"-dbcache=-5", "Invalid value for -dbcache"},
        {"-prune=-1", "Invalid value for -prune"},
        {"-server=2", "Invalid value for -server: '2' (expected 0 or 1)"},
        {"-assumevalid=00ff", "Invalid value for -assumevalid"},
        {"-noserver=x", "Invalid value for -noserver"},
        {"word", "unexpected token 'word'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        err[0] = '\0';
        assert_null(load(err, sizeof err, cases[i].arg, NULL));
        if (!strstr(err, cases[i].msg)) fail_msg("%s: got '%s'", cases[i].arg, err);
    }
    blvm_config *c = load(err, sizeof err,
                          "-assumevalid=0000000000000000000000000000000000000000000000000000000000000001",
                          "-prune=550", "-par=-2", NULL);
    assert_non_null(c);
    assert_int_equal(blvm_config_get_int(c, "prune", 0), 550);
    assert_int_equal(blvm_config_get_int(c, "par", 0), -2);
    blvm_config_destroy(c);
}

static void test_conf_file(void **state) {
    (void)state;
    char err[512];
    write_file("bitcoin.conf",
               "# top of the file\n"
               "regtest=1\n"
               "  rpcport = 1111  # main only (network-only flag)\n"
               "port=2222\n"
               "dbcache=100\n"
               "addnode=top\n"
               "debug=net\n"
               "\n"
               "[main]\n"
               "rpcport=3333\n"
               "[regtest]\n"
               "rpcport=4444\n"
               "dbcache=200\n"
               "debug=rpc\n"
               "[unknownsection]\n"
               "whatever=1\n");
    write_file("blvm.conf", "regtest.addnode=fromblvm\nmaxconnections=7\n");
    blvm_config *c = load(err, sizeof err, NULL);
    if (!c) fail_msg("%s", err);
    assert_int_equal(blvm_config_get_network(c), BLVM_CONFIG_REGTEST);
    /* The network section wins over the top of the file. */
    assert_int_equal(blvm_config_rpc_port(c), 4444);
    assert_int_equal(blvm_config_get_int(c, "dbcache", 0), 200);
    /* Network-only flags at the top apply to main only. */
    assert_false(blvm_config_is_set(c, "port"));
    assert_int_equal(blvm_config_get_int(c, "maxconnections", 0), 7);
    /* Lists: top then section; network-only lists at the top are skipped. */
    const char *const *v;
    assert_int_equal(blvm_config_get_list(c, "debug", &v), 2);
    assert_string_equal(v[0], "net");
    assert_string_equal(v[1], "rpc");
    assert_int_equal(blvm_config_get_list(c, "addnode", &v), 1);
    assert_string_equal(v[0], "fromblvm");
    blvm_config_destroy(c);

    /* Command line beats config; command-line list values add to it. */
    c = load(err, sizeof err, "-rpcport=5555", "-debug=bench", "-dbcache=300", NULL);
    assert_non_null(c);
    assert_int_equal(blvm_config_rpc_port(c), 5555);
    assert_int_equal(blvm_config_get_int(c, "dbcache", 0), 300);
    assert_int_equal(blvm_config_get_list(c, "debug", &v), 3);
    assert_string_equal(v[2], "bench");
    blvm_config_destroy(c);

    /* On main, the top part counts and [main] wins over it. */
    c = load(err, sizeof err, "-noregtest", NULL);
    assert_non_null(c);
    assert_int_equal(blvm_config_rpc_port(c), 3333);
    assert_int_equal(blvm_config_get_int(c, "port", 0), 2222);
    blvm_config_destroy(c);

    /* -noconf skips the files. */
    c = load(err, sizeof err, "-noconf", NULL);
    assert_non_null(c);
    assert_int_equal(blvm_config_get_network(c), BLVM_CONFIG_MAIN);
    assert_false(blvm_config_is_set(c, "dbcache"));
    blvm_config_destroy(c);

    /* -conf names another file relative to the data dir. */
    write_file("other.conf", "signet=1\n[signet]\nrpcport=6666\n");
    c = load(err, sizeof err, "-conf=other.conf", NULL);
    assert_non_null(c);
    assert_int_equal(blvm_config_get_network(c), BLVM_CONFIG_SIGNET);
    assert_int_equal(blvm_config_rpc_port(c), 6666);
    blvm_config_destroy(c);
    assert_null(load(err, sizeof err, "-conf=nothere.conf", NULL));
    assert_non_null(strstr(err, "could not be opened"));
}

static void test_conf_errors(void **state) {
    (void)state;
    char err[512];
    struct {
        const char *text;
        const char *msg;
    } cases[] = {
        {"foo=1\n", "Invalid configuration value foo"},
        {"\n\n-rpcport=1\n", "parse error on line 3"},
        {"rpcport\n", "parse error on line 1"},
        {"nolisten\n", "use nolisten=1 instead"},
        {"rpcpassword=a#b\n", "using # in rpcpassword can be ambiguous"},
        {"[regtest]\ndbcache=big\n", "Invalid value for -dbcache (line 2"},
        {"datadir=/x\nconf=y\n", "-conf is only valid on the command line"},
        {"regtest.nosuch=1\n", "Invalid configuration value nosuch"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_file("bitcoin.conf", cases[i].text);
        err[0] = '\0';
        blvm_config *c = load(err, sizeof err, NULL);
        if (c || !strstr(err, cases[i].msg)) fail_msg("case %zu: got '%s'", i, err);
    }
    char path[400];
    snprintf(path, sizeof path, "%s/bitcoin.conf", g_dir);
    unlink(path);
}

static void test_environment(void **state) {
    (void)state;
    char err[512];
    write_file("bitcoin.conf", "[regtest]\nrpcport=4444\n");
    g_env[0][0] = "BLVM_REGTEST";
    g_env[0][1] = "1";
    g_env[1][0] = "BLVM_RPCPORT";
    g_env[1][1] = "7777";
    g_env[2][0] = "BLVM_REINDEX_CHAINSTATE";
    g_env[2][1] = "1";
    g_env[3][0] = "BLVM_NOT_A_FLAG";
    g_env[3][1] = "1";
    blvm_config *c = load(err, sizeof err, NULL);
    if (!c) fail_msg("%s", err);
    assert_int_equal(blvm_config_get_network(c), BLVM_CONFIG_REGTEST);
    /* Environment beats the config file... */
    assert_int_equal(blvm_config_rpc_port(c), 7777);
    assert_true(blvm_config_get_bool(c, "reindex-chainstate", false));
    blvm_config_destroy(c);
    /* ...and the command line beats the environment. */
    c = load(err, sizeof err, "-rpcport=8888", NULL);
    assert_non_null(c);
    assert_int_equal(blvm_config_rpc_port(c), 8888);
    blvm_config_destroy(c);
    g_env[1][1] = "x";
    assert_null(load(err, sizeof err, NULL));
    assert_non_null(strstr(err, "environment BLVM_RPCPORT"));
    memset(g_env, 0, sizeof g_env);
    char path[400];
    snprintf(path, sizeof path, "%s/bitcoin.conf", g_dir);
    unlink(path);
}

static void test_cli_options(void **state) {
    (void)state;
    char err[512];
    static char a0[] = "blvm-cli", a1[] = "-regtest", a2[] = "-named", a3[] = "getblock",
                a4[] = "blockhash=00", a5[] = "-notaflag";
    char *argv[] = {a0, a1, a2, a3, a4, a5, NULL};
    write_file("bitcoin.conf", "txindex=1\nrpcuser=u\n");
    blvm_config_options opts = {
        .specs = blvm_config_cli_args,
        .nspecs = blvm_config_cli_args_count,
        .ignore_unknown_conf_keys = true,
        .allow_positional = true,
        .getenv_fn = fake_getenv,
        .home = g_dir,
    };
    /* The data dir defaults to <home>/.blvm, which does not exist: fine. */
    blvm_config *c = blvm_config_load(&opts, 6, argv, err, sizeof err);
    if (!c) fail_msg("%s", err);
    char *const *words;
    assert_int_equal(blvm_config_positional(c, &words), 3);
    assert_string_equal(words[0], "getblock");
    assert_string_equal(words[2], "-notaflag"); /* after the method: an argument */
    assert_true(blvm_config_get_bool(c, "named", false));
    char want[400];
    snprintf(want, sizeof want, "%s/.blvm/regtest", g_dir);
    assert_string_equal(blvm_config_netdir(c), want);
    char *cookie = blvm_config_netdir_path(c, "rpccookiefile", ".cookie");
    snprintf(want, sizeof want, "%s/.blvm/regtest/.cookie", g_dir);
    assert_string_equal(cookie, want);
    free(cookie);
    blvm_config_destroy(c);
    char path[400];
    snprintf(path, sizeof path, "%s/bitcoin.conf", g_dir);
    unlink(path);
}

static void test_conf_text_fuzzish(void **state) {
    (void)state;
    /* Arbitrary bytes never crash the parser: every prefix of a messy file. */
    const char *text = "[regtest]\nrpcport=1\n[\n]\n=\n==\n#\nregtest.\n.x=1\n[ma";
    char err[256];
    for (size_t n = 0; n <= strlen(text); n++) {
        char buf[128];
        memcpy(buf, text, n);
        buf[n] = '\0';
        blvm_config *c = load(err, sizeof err, "-noconf", NULL);
        assert_non_null(c);
        if (!blvm_config_read_conf_text(c, buf, "t", err, sizeof err)) assert_true(err[0] != '\0');
        blvm_config_destroy(c);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_networks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_command_line_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_command_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conf_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conf_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_environment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conf_text_fuzzish, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
