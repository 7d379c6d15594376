/* Unit tests for the commons config: a full valid file, every validation
 * error with its message, environment overrides, globs and the
 * most-restrictive-rule classification. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "commons/config.h"

#define PK1 "f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9"
#define PK2 "dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659"
#define PK3 "dd308afec5777e13121fa72b9cc1b7cc0139715309b086c960e18fd969774eb8"

static const char good[] =
    "{\n"
    " \"data_dir\": \"/tmp/x\",\n"
    " \"mode\": \"enforcing\",\n"
    " \"github\": {\"api_url\": \"http://127.0.0.1:9/\", \"owner\": \"o\", \"repo\": \"r\"},\n"
    " \"server\": {\"listen\": \"127.0.0.1\", \"port\": 9999},\n"
    " \"orchestration\": {\"parallelism\": 3, \"max_retries\": 1,\n"
    "   \"dispatch\": {\"event_type\": \"build\", \"payload\": {\"b\": 1, \"a\": \"x\"}}},\n"
    " \"components\": [\n"
    "   {\"name\": \"cli\", \"depends_on\": [\"node\"], \"command\": \"make cli\"},\n"
    "   {\"name\": \"node\", \"depends_on\": [\"protocol\"]},\n"
    "   {\"name\": \"consensus\"},\n"
    "   {\"name\": \"protocol\", \"depends_on\": [\"consensus\"], \"timeout_secs\": 60},\n"
    "   {\"name\": \"sdk\"}, {\"name\": \"commons\", \"depends_on\": [\"sdk\"]}],\n"
    " \"governance\": {\"default\": {\"signatures\": 1, \"review_days\": 7},\n"
    "   \"rules\": [\n"
    "    {\"name\": \"consensus\", \"kind\": \"layer\", \"level\": 1, \"paths\": [\"src/consensus/**\"],\n"
    "     \"signatures\": 3, \"of\": 3, \"review_days\": 90},\n"
    "    {\"name\": \"docs\", \"kind\": \"layer\", \"level\": 5, \"paths\": [\"docs/*.md\"], \"signatures\": 1},\n"
    "    {\"name\": \"urgent\", \"kind\": \"tier\", \"level\": 4, \"title_markers\": [\"[security]\"],\n"
    "     \"signatures\": 2, \"review_days\": 0}]},\n"
    " \"maintainers\": [{\"name\": \"a\", \"github\": \"alice\", \"pubkey\": \"" PK1 "\"},\n"
    "                 {\"name\": \"b\", \"pubkey\": \"" PK2 "\"}, {\"name\": \"c\", \"pubkey\": \"" PK3 "\"}],\n"
    " \"release\": {\"threshold\": 2, \"target\": \"local\"}\n"
    "}\n";

static void test_good_config(void **state) {
    (void)state;
    char err[512];
    blvm_commons_config *c = blvm_commons_config_parse(good, "good.json", err, sizeof(err));
    if (!c) fail_msg("%s", err);
    assert_int_equal(c->mode, BLVM_COMMONS_ENFORCING);
    assert_string_equal(c->github_api_url, "http://127.0.0.1:9"); /* trailing '/' dropped */
    assert_string_equal(c->database_url, "/tmp/x/commons.db");
    assert_string_equal(c->release_dir, "/tmp/x/releases");
    assert_int_equal(c->listen_port, 9999);
    assert_int_equal(c->parallelism, 3);
    assert_string_equal(c->dispatch_event_type, "build");
    assert_string_equal(c->dispatch_payload_json, "{\"a\":\"x\",\"b\":1}");
    assert_int_equal(c->ncomponents, 6);
    assert_int_equal(c->components[3].timeout_secs, 60);
    /* Topological order: every component after its dependencies. */
    size_t where[6];
    for (size_t i = 0; i < 6; i++) where[c->topo_order[i]] = i;
    for (size_t i = 0; i < 6; i++)
        for (size_t d = 0; d < c->components[i].ndepends; d++)
            assert_true(where[blvm_commons_config_component(c, c->components[i].depends_on[d])] < where[i]);
    assert_int_equal(blvm_commons_config_component(c, "nope"), -1);
    assert_int_equal(c->nmaintainers, 3);
    assert_int_equal(blvm_commons_config_maintainer(c, PK2), 1);
    assert_string_equal(c->maintainers[0].github_login, "alice");
    assert_int_equal(c->release_threshold, 2);

    blvm_commons_classification k;
    const char *cons[] = {"src/consensus/tx.c", "README"};
    blvm_commons_classify(c, "Fix a bug", cons, 2, &k);
    assert_int_equal(k.layer, 1);
    assert_string_equal(k.layer_rule, "consensus");
    assert_int_equal(k.signatures, 3);
    assert_int_equal(k.of, 3);
    assert_int_equal(k.review_days, 90);
    /* A security title adds a tier; the strictest threshold still wins. */
    blvm_commons_classify(c, "[SECURITY] fix", cons, 2, &k);
    assert_int_equal(k.tier, 4);
    assert_int_equal(k.signatures, 3);
    assert_int_equal(k.review_days, 90);
    const char *docs[] = {"docs/a.md"};
    blvm_commons_classify(c, "[security] doc", docs, 1, &k);
    assert_int_equal(k.layer, 5);
    assert_int_equal(k.signatures, 2);
    assert_int_equal(k.of, 3); /* of 0 = all maintainers */
    assert_int_equal(k.review_days, 0);
    /* Nothing matches: the default rule. */
    const char *other[] = {"src/util/x.c"};
    blvm_commons_classify(c, "tidy", other, 1, &k);
    assert_int_equal(k.signatures, 1);
    assert_int_equal(k.review_days, 7);
    assert_string_equal(k.layer_rule, "default");
    blvm_commons_config_destroy(c);
}

static void test_defaults_and_env(void **state) {
    (void)state;
    char err[256];
    setenv("BLVM_COMMONS_DATABASE_URL", "postgresql://u@127.0.0.1/db", 1);
    setenv("BLVM_COMMONS_GITHUB_TOKEN", "tok", 1);
    setenv("BLVM_COMMONS_WEBHOOK_SECRET", "s3cret", 1);
    blvm_commons_config *c = blvm_commons_config_load(NULL, err, sizeof(err));
    assert_non_null(c);
    assert_string_equal(c->database_url, "postgresql://u@127.0.0.1/db");
    assert_true(c->database_url_explicit);
    assert_string_equal(c->github_token, "tok");
    assert_string_equal(c->webhook_secret, "s3cret");
    assert_int_equal(c->mode, BLVM_COMMONS_DRY_RUN);
    assert_string_equal(c->github_api_url, "https://api.github.com");
    assert_true(blvm_commons_config_set_data_dir(c, "/srv/c"));
    assert_string_equal(c->database_url, "postgresql://u@127.0.0.1/db"); /* explicit stays */
    assert_string_equal(c->release_dir, "/srv/c/releases");
    blvm_commons_config_destroy(c);
    unsetenv("BLVM_COMMONS_DATABASE_URL");
    unsetenv("BLVM_COMMONS_GITHUB_TOKEN");
    unsetenv("BLVM_COMMONS_WEBHOOK_SECRET");
    c = blvm_commons_config_load(NULL, err, sizeof(err));
    assert_non_null(c);
    assert_null(c->github_token);
    assert_true(blvm_commons_config_set_data_dir(c, "/srv/c"));
    assert_string_equal(c->database_url, "/srv/c/commons.db");
    blvm_commons_config_destroy(c);
    assert_null(blvm_commons_config_load("/nonexistent/c.json", err, sizeof(err)));
    assert_non_null(strstr(err, "cannot open config file"));
}

static void expect_error(const char *json, const char *needle) {
    char err[512] = "";
    blvm_commons_config *c = blvm_commons_config_parse(json, "bad.json", err, sizeof(err));
    if (c) fail_msg("accepted: %s", json);
    if (!strstr(err, needle)) fail_msg("error '%s' lacks '%s' for %s", err, needle, json);
    assert_non_null(strstr(err, "bad.json: "));
}

static void test_errors(void **state) {
    (void)state;
    expect_error("{", "invalid JSON");
    expect_error("[]", "top level must be a JSON object");
    expect_error("{\"a\": 1, \"a\": 2}", "invalid JSON");
    expect_error("{\"colour\": 1}", "unknown key 'colour'");
    expect_error("{\"mode\": \"strict\"}", "mode: must be \"dry-run\" or \"enforcing\"");
    expect_error("{\"data_dir\": 5}", "data_dir: must be a string");
    expect_error("{\"github\": {\"api_url\": \"ftp://x\"}}", "github.api_url: must start with http");
    expect_error("{\"github\": {\"tokn\": \"x\"}}", "github: unknown key 'tokn'");
    expect_error("{\"server\": {\"port\": 70000}}", "server.port: 70000 is out of range");
    expect_error("{\"orchestration\": {\"parallelism\": \"2\"}}", "orchestration.parallelism: must be an integer");
    expect_error("{\"components\": {}}", "components: must be an array");
    expect_error("{\"components\": [{\"depends_on\": []}]}", "components[0].name: missing");
    expect_error("{\"components\": [{\"name\": \"a b\"}]}", "components[0].name: 'a b' may only use");
    expect_error("{\"components\": [{\"name\": \"a\"}, {\"name\": \"a\"}]}", "components[1].name: duplicate component 'a'");
    expect_error("{\"components\": [{\"name\": \"node\", \"depends_on\": [\"nod\"]}]}",
                 "components[0].depends_on: unknown component 'nod' (needed by 'node')");
    expect_error("{\"components\": [{\"name\": \"a\", \"depends_on\": [\"a\"]}]}", "depends on itself");
    expect_error("{\"components\": [{\"name\": \"a\", \"depends_on\": [\"c\"]}, {\"name\": \"b\", \"depends_on\": [\"a\"]},"
                 " {\"name\": \"c\", \"depends_on\": [\"b\"]}]}",
                 "components: dependency cycle a -> c -> b -> a");
    expect_error("{\"components\": [{\"name\": \"x\"}, {\"name\": \"a\", \"depends_on\": [\"x\", \"b\"]},"
                 " {\"name\": \"b\", \"depends_on\": [\"a\"]}]}",
                 "dependency cycle a -> b -> a");
    expect_error("{\"components\": [{\"name\": \"a\", \"depends_on\": [1]}]}", "components[0].depends_on[0]: must be a non-empty string");
    expect_error("{\"governance\": {\"rules\": [{\"kind\": \"tier\", \"level\": 1, \"signatures\": 3, \"of\": 2}]}}",
                 "governance.rules[0].signatures: 3-of-2 needs more signatures than there are keys");
    expect_error("{\"governance\": {\"rules\": [{\"kind\": \"team\", \"level\": 1, \"signatures\": 1}]}}",
                 "governance.rules[0].kind: must be \"tier\" or \"layer\", not \"team\"");
    expect_error("{\"governance\": {\"rules\": [{\"kind\": \"tier\", \"signatures\": 1}]}}", "governance.rules[0].level: missing");
    expect_error("{\"governance\": {\"rules\": [{\"kind\": \"tier\", \"level\": 1}]}}", "governance.rules[0].signatures: missing");
    expect_error("{\"governance\": {\"rules\": [{\"kind\": \"tier\", \"level\": 1, \"signatures\": 1, \"paths\": [\"src/[ab]\"]}]}}",
                 "governance.rules[0].paths[0]: bad glob");
    expect_error("{\"governance\": {\"rules\": [{\"kind\": \"tier\", \"level\": 1, \"signatures\": 2}]},"
                 " \"maintainers\": [{\"pubkey\": \"" PK1 "\"}]}",
                 "needs 2 signatures but only 1 maintainers");
    expect_error("{\"maintainers\": [{\"name\": \"a\"}]}", "maintainers[0].pubkey: missing");
    expect_error("{\"maintainers\": [{\"name\": \"a\", \"pubkey\": \"abcd\"}]}", "maintainers[0].pubkey: must be 64 hex digits");
    expect_error("{\"maintainers\": [{\"name\": \"a\", \"pubkey\": "
                 "\"eefdea4cdb677750a420fee807eacf21eb9898ae79b9768766e4faa04a2d4a34\"}]}",
                 "is not a valid secp256k1 x-only public key");
    expect_error("{\"maintainers\": [{\"pubkey\": \"" PK1 "\"}, {\"pubkey\": \"" PK1 "\"}]}",
                 "maintainers[1].pubkey: same key as maintainers[0]");
    expect_error("{\"release\": {\"target\": \"s3\"}}", "release.target: must be \"local\" or \"github\"");
    expect_error("{\"release\": {\"threshold\": 0}}", "release.threshold: 0 is out of range");
}

static void test_glob(void **state) {
    (void)state;
    assert_true(blvm_commons_glob_match("src/consensus/**", "src/consensus/a/b.c"));
    assert_true(blvm_commons_glob_match("src/consensus/**", "src/consensus/x.c"));
    assert_false(blvm_commons_glob_match("src/consensus/**", "src/consensusx/x.c"));
    assert_true(blvm_commons_glob_match("src/*.c", "src/a.c"));
    assert_false(blvm_commons_glob_match("src/*.c", "src/a/b.c"));
    assert_true(blvm_commons_glob_match("**/*.md", "README.md"));
    assert_true(blvm_commons_glob_match("**/*.md", "docs/x/y.md"));
    assert_true(blvm_commons_glob_match("src/?.c", "src/a.c"));
    assert_false(blvm_commons_glob_match("src/?.c", "src/ab.c"));
    assert_true(blvm_commons_glob_match("CMakeLists.txt", "CMakeLists.txt"));
    assert_false(blvm_commons_glob_match("CMakeLists.txt", "src/CMakeLists.txt"));
    assert_true(blvm_commons_glob_match("**", "anything/at/all"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_config),
        cmocka_unit_test(test_defaults_and_env),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_glob),
    };
    return cmocka_run_group_tests_name("commons_config", tests, NULL, NULL);
}
