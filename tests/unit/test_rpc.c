/* Unit tests for src/node/rpc: the method table and dispatch (named
 * parameters, argument count and type checks), the JSON-RPC body handling,
 * UniValue-style JSON output, amounts, hash parsing and HTTP Basic auth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "node/rpc/json.h"
#include "node/rpc/rpc.h"
#include "node/rpc/server.h"

static json_t *echo(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    (void)node;
    (void)err;
    return json_deep_copy(params);
}

static json_t *failing(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    (void)node;
    const json_t *h = blvm_rpc_arg(params, 0);
    uint8_t hash[32];
    if (!blvm_rpc_parse_hash(h, "blockhash", hash, err)) return NULL;
    return blvm_rpc_fail(err, BLVM_RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
}

static json_t *int32_of(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    (void)node;
    int32_t v;
    if (!blvm_rpc_parse_int32(blvm_rpc_arg(params, 0), &v, err)) return NULL;
    return json_integer(v);
}

static const blvm_rpc_command cmds[] = {
    {"test", "testecho", echo,
     {BLVM_RPC_REQ("height", BLVM_RPC_NUM), BLVM_RPC_OPT("verbosity|verbose", BLVM_RPC_ANY),
      BLVM_RPC_OPT("name", BLVM_RPC_STR)},
     "Echoes its parameters."},
    {"test", "fail", failing, {BLVM_RPC_REQ("blockhash", BLVM_RPC_STR)}, ""},
    {"test", "int32", int32_of, {BLVM_RPC_REQ("n", BLVM_RPC_NUM)}, ""},
};

static blvm_rpc_table *make_table(void) {
    blvm_rpc_table *t = blvm_rpc_table_create();
    assert_non_null(t);
    assert_true(blvm_rpc_table_register(t, cmds, 3));
    assert_true(blvm_rpc_register_control(t));
    blvm_rpc_set_warmup(t, false, NULL);
    return t;
}

static json_t *call(blvm_rpc_table *t, const char *method, const char *params_json,
                    blvm_rpc_error *err) {
    json_t *p = params_json ? json_loads(params_json, 0, NULL) : NULL;
    blvm_node node;
    memset(&node, 0, sizeof node);
    node.rpc_table = t;
    json_t *r = blvm_rpc_table_call(t, &node, method, p, err);
    json_decref(p);
    return r;
}

static void expect_result(blvm_rpc_table *t, const char *method, const char *params,
                          const char *want) {
    blvm_rpc_error err = {0, NULL};
    json_t *r = call(t, method, params, &err);
    if (!r) fail_msg("%s %s: error %d %s", method, params, err.code, err.message);
    char *s = blvm_json_write(r, 0);
    assert_string_equal(s, want);
    free(s);
    json_decref(r);
}

static void expect_error(blvm_rpc_table *t, const char *method, const char *params, int code,
                         const char *msg) {
    blvm_rpc_error err = {0, NULL};
    json_t *r = call(t, method, params, &err);
    assert_null(r);
    assert_int_equal(err.code, code);
    if (!strstr(err.message, msg)) fail_msg("%s: '%s' not in '%s'", method, msg, err.message);
    blvm_rpc_error_clear(&err);
}

static void test_register(void **state) {
    (void)state;
    blvm_rpc_table *t = make_table();
    /* Duplicates and optional-before-required are refused. */
    assert_false(blvm_rpc_table_register(t, cmds, 1));
    static const blvm_rpc_command bad[] = {
        {"test", "bad", echo, {BLVM_RPC_OPT("a", BLVM_RPC_NUM), BLVM_RPC_REQ("b", BLVM_RPC_NUM)}, ""},
    };
    assert_false(blvm_rpc_table_register(t, bad, 1));
    assert_null(blvm_rpc_table_find(t, "bad"));
    assert_non_null(blvm_rpc_table_find(t, "testecho"));
    /* Sorted by category then name. */
    assert_string_equal(blvm_rpc_table_at(t, 0)->name, "getrpcinfo");
    char *syn = blvm_rpc_command_synopsis(blvm_rpc_table_find(t, "testecho"));
    assert_string_equal(syn, "testecho height ( verbosity \"name\" )");
    free(syn);
    syn = blvm_rpc_command_synopsis(blvm_rpc_table_find(t, "stop"));
    assert_string_equal(syn, "stop"); /* hidden wait */
    free(syn);
    blvm_rpc_table_destroy(t);
}

static void test_dispatch(void **state) {
    (void)state;
    blvm_rpc_table *t = make_table();
    expect_result(t, "testecho", "[5]", "[5]");
    expect_result(t, "testecho", "[5, true, \"x\"]", "[5,true,\"x\"]");
    expect_result(t, "testecho", "[5, null, null]", "[5,null,null]");
    /* Named: holes become null, aliases work, trailing holes dropped. */
    expect_result(t, "testecho", "{\"name\": \"n\", \"height\": 1}", "[1,null,\"n\"]");
    expect_result(t, "testecho", "{\"verbose\": 2, \"height\": 1}", "[1,2]");
    expect_result(t, "testecho", "{\"height\": 1}", "[1]");
    expect_result(t, "testecho", "{\"args\": [7, 8], \"name\": \"z\"}", "[7,8,\"z\"]");
    expect_error(t, "testecho", "{\"height\": 1, \"bogus\": 2}", -8, "Unknown named parameter bogus");
    expect_error(t, "testecho", "{\"args\": [7], \"height\": 1}", -8,
                 "Parameter height specified twice both as positional and named argument");
    /* Count: the help text as a -1 error. */
    expect_error(t, "testecho", "[]", -1, "testecho height ( verbosity \"name\" )\n\nEchoes");
    expect_error(t, "testecho", "[1,2,3,4]", -1, "testecho height");
    expect_error(t, "testecho", "{}", -1, "testecho height");
    /* Types. */
    expect_error(t, "testecho", "[\"5\"]", -3,
                 "Wrong type passed:\n{\n    \"Position 1 (height)\": \"JSON value of type string "
                 "is not of expected type number\"\n}");
    expect_error(t, "testecho", "[null]", -3, "JSON value of type null is not of expected type number");
    expect_error(t, "testecho", "[1, null, 5]", -3, "Position 3 (name)");
    expect_error(t, "nosuch", "[]", -32601, "Method not found");
    /* Handler errors pass through. */
    expect_error(t, "fail", "[\"00\"]", -8, "blockhash must be of length 64 (not 2, for '00')");
    expect_error(t, "fail",
                 "[\"zz00000000000000000000000000000000000000000000000000000000000000\"]", -8,
                 "blockhash must be hexadecimal string (not 'zz000");
    expect_error(t, "fail",
                 "[\"0000000000000000000000000000000000000000000000000000000000000000\"]", -5,
                 "Block not found");
    /* Warm-up blocks every method with -28. */
    blvm_rpc_set_warmup(t, true, "Loading block index…");
    expect_error(t, "testecho", "[1]", -28, "Loading block index…");
    blvm_rpc_set_warmup(t, false, NULL);
    expect_result(t, "help", "[\"nosuch\"]", "\"help: unknown command: nosuch\"");
    /* Core names the whole pattern of the clashing parameter, and a
     * non-array "args" is consumed rather than unknown. */
    expect_error(t, "testecho", "{\"args\": [7, 8], \"verbose\": 1}", -8,
                 "Parameter verbosity|verbose specified twice both as positional and named");
    expect_result(t, "testecho", "{\"args\": 5, \"height\": 2}", "[2]");
    expect_result(t, "testecho", "{\"args\": null, \"height\": 2}", "[2]");
    blvm_rpc_table_destroy(t);
}

static char *body(blvm_rpc_table *t, const char *req, int *status) {
    blvm_node node;
    memset(&node, 0, sizeof node);
    node.rpc_table = t;
    return blvm_rpc_handle_body(t, &node, req, strlen(req), "u", status);
}

/* Core's getInt<int> and UniValue::checkType as used by handlers. */
static void test_int_and_type_errors(void **state) {
    (void)state;
    blvm_rpc_error err = {0, NULL};
    int32_t v = 0;
    json_t *j = json_integer(INT32_MAX);
    assert_true(blvm_rpc_parse_int32(j, &v, &err));
    assert_int_equal(v, INT32_MAX);
    json_decref(j);
    j = json_integer(-2147483648LL);
    assert_true(blvm_rpc_parse_int32(j, &v, &err));
    assert_int_equal(v, INT32_MIN);
    json_decref(j);
    const json_int_t bad[] = {(json_int_t)INT32_MAX + 1, (json_int_t)INT32_MIN - 1, 3000000000LL};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        j = json_integer(bad[i]);
        assert_false(blvm_rpc_parse_int32(j, &v, &err));
        assert_int_equal(err.code, -1);
        assert_string_equal(err.message, "JSON integer out of range");
        blvm_rpc_error_clear(&err);
        json_decref(j);
    }
    j = json_real(1.5);
    assert_false(blvm_rpc_parse_int32(j, &v, &err));
    assert_int_equal(err.code, -1);
    blvm_rpc_error_clear(&err);
    json_decref(j);
    /* Wrong JSON type inside a handler: -3 with Core's text. */
    j = json_string("1");
    assert_false(blvm_rpc_parse_int32(j, &v, &err));
    assert_int_equal(err.code, -3);
    assert_string_equal(err.message, "JSON value of type string is not of expected type number");
    blvm_rpc_error_clear(&err);
    json_decref(j);
    uint8_t hash[32];
    j = json_true();
    assert_false(blvm_rpc_parse_hash(j, "blockhash", hash, &err));
    assert_int_equal(err.code, -3);
    assert_string_equal(err.message, "JSON value of type bool is not of expected type string");
    blvm_rpc_error_clear(&err);
    json_decref(j);
    assert_null(blvm_rpc_fail_type(&err, NULL, "object"));
    assert_int_equal(err.code, -3);
    assert_string_equal(err.message, "JSON value of type null is not of expected type object");
    blvm_rpc_error_clear(&err);
}

/* UniValue's MAX_JSON_DEPTH (512): deeper documents are a parse error,
 * brackets inside strings do not count. */
static void test_depth_limit(void **state) {
    (void)state;
    blvm_rpc_table *t = make_table();
    blvm_node node;
    memset(&node, 0, sizeof node);
    node.rpc_table = t;
    char buf[2 * 513 + 1];
    int st;
    for (int depth = 512; depth <= 513; depth++) {
        memset(buf, '[', (size_t)depth);
        memset(buf + depth, ']', (size_t)depth);
        char *r = blvm_rpc_handle_body(t, &node, buf, 2 * (size_t)depth, "u", &st);
        assert_non_null(r);
        if (depth == 512) {
            assert_int_equal(st, 200);
            assert_non_null(strstr(r, "Invalid Request object"));
        } else {
            assert_int_equal(st, 500);
            assert_non_null(strstr(r, "\"code\":-32700,\"message\":\"Parse error\""));
        }
        free(r);
    }
    char req[1024];
    int n = snprintf(req, sizeof req, "{\"method\":\"testecho\",\"params\":[1,\"%s\\\"[\"],\"id\":1}",
                     "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[");
    char *r = blvm_rpc_handle_body(t, &node, req, (size_t)n, "u", &st);
    assert_int_equal(st, 200);
    free(r);
    blvm_rpc_table_destroy(t);
}

/* Numbers jansson cannot hold (UniValue keeps their text): the request
 * still parses and the method fails as Core's getInt does. */
static void test_big_numbers(void **state) {
    (void)state;
    blvm_rpc_table *t = make_table();
    blvm_node node;
    memset(&node, 0, sizeof node);
    node.rpc_table = t;
    static char zeros[400 + 64];
    memset(zeros, 0, sizeof zeros);
    zeros[0] = '1';
    memset(zeros + 1, '0', 399);
    const char *nums[] = {"99999999999999999999", "-99999999999999999999", "1e400", "-1E+400",
                          "9223372036854775808", zeros};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        char req[1024];
        int n = snprintf(req, sizeof req,
                         "{\"method\":\"int32\",\"params\":[%s],\"id\":\"1e999\"}", nums[i]);
        int st;
        char *r = blvm_rpc_handle_body(t, &node, req, (size_t)n, "u", &st);
        assert_int_equal(st, 500);
        assert_string_equal(r, "{\"result\":null,\"error\":{\"code\":-1,\"message\":\"JSON "
                               "integer out of range\"},\"id\":\"1e999\"}\n");
        free(r);
    }
    /* In range, and numbers inside strings, are untouched. */
    const char *ok = "{\"method\":\"int32\",\"params\":[-2147483648],\"id\":1}";
    int st;
    char *r = blvm_rpc_handle_body(t, &node, ok, strlen(ok), "u", &st);
    assert_string_equal(r, "{\"result\":-2147483648,\"error\":null,\"id\":1}\n");
    free(r);
    const char *str = "[{\"method\":\"int32\",\"params\":[\"1e400\"],\"id\":1},1e400]";
    r = blvm_rpc_handle_body(t, &node, str, strlen(str), "u", &st);
    assert_int_equal(st, 200);
    assert_non_null(strstr(r, "JSON value of type string is not of expected type number"));
    assert_non_null(strstr(r, "Invalid Request object"));
    free(r);
    /* Still malformed: a parse error. */
    const char *bad = "{\"method\":\"int32\",\"params\":[1e400,],\"id\":1}";
    r = blvm_rpc_handle_body(t, &node, bad, strlen(bad), "u", &st);
    assert_int_equal(st, 500);
    assert_non_null(strstr(r, "Parse error"));
    free(r);
    blvm_rpc_table_destroy(t);
}

static void test_bodies(void **state) {
    (void)state;
    blvm_rpc_table *t = make_table();
    int st;
    struct {
        const char *req, *reply;
        int status;
    } cases[] = {
        {"{\"method\":\"testecho\",\"params\":[1],\"id\":1}", "{\"result\":[1],\"error\":null,\"id\":1}\n", 200},
        {"{\"method\":\"nosuch\",\"id\":\"a\"}",
         "{\"result\":null,\"error\":{\"code\":-32601,\"message\":\"Method not found\"},\"id\":\"a\"}\n", 404},
        {"{\"method\":\"testecho\",\"params\":[\"x\"],\"id\":1}", NULL, 500},
        {"{\"jsonrpc\":\"2.0\",\"method\":\"testecho\",\"params\":[1],\"id\":1}",
         "{\"jsonrpc\":\"2.0\",\"result\":[1],\"id\":1}\n", 200},
        {"{\"jsonrpc\":\"2.0\",\"method\":\"nosuch\",\"id\":1}",
         "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"Method not found\"},\"id\":1}\n", 200},
        {"{\"jsonrpc\":\"2.0\",\"method\":\"testecho\",\"params\":[1]}", NULL, 204},
        {"{\"method\":\"testecho\",\"params\":[1]}", "{\"result\":[1],\"error\":null}\n", 200},
        {"nonsense", "{\"result\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"},\"id\":null}\n", 500},
        {"\"str\"", "{\"result\":null,\"error\":{\"code\":-32700,\"message\":\"Top-level object parse error\"},\"id\":null}\n", 500},
        {"{\"params\":[],\"id\":3}", "{\"result\":null,\"error\":{\"code\":-32600,\"message\":\"Missing method\"},\"id\":3}\n", 400},
        {"[]", "[]\n", 200},
        {"[{\"jsonrpc\":\"2.0\",\"method\":\"testecho\",\"params\":[1]}]", NULL, 204},
        /* Repeated named parameters (UniValue keeps both; jansson one). */
        {"{\"method\":\"testecho\",\"params\":{\"height\":1,\"h\\u0065ight\":2},\"id\":1}",
         "{\"result\":null,\"error\":{\"code\":-8,\"message\":\"Parameter height specified multiple times\"},\"id\":1}\n", 500},
        {"[{\"method\":\"testecho\",\"params\":{\"height\":1},\"id\":1},"
         " {\"method\":\"testecho\",\"params\":{\"name\":\"a\",\"verbose\":1,\"verbose\":2,\"name\":\"b\",\"height\":1},\"id\":2},"
         " {\"method\":\"testecho\",\"params\":[1,{\"a\":1,\"a\":2}],\"id\":3}]",
         "[{\"result\":[1],\"error\":null,\"id\":1},"
         "{\"result\":null,\"error\":{\"code\":-8,\"message\":\"Parameter verbose specified multiple times\"},\"id\":2},"
         "{\"result\":[1,{\"a\":2}],\"error\":null,\"id\":3}]\n", 200},
        {"[{\"method\":\"testecho\",\"params\":[1],\"id\":1},[]]",
         "[{\"result\":[1],\"error\":null,\"id\":1},{\"result\":null,\"error\":{\"code\":-32600,\"message\":\"Invalid Request object\"},\"id\":1}]\n", 200},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *r = body(t, cases[i].req, &st);
        assert_int_equal(st, cases[i].status);
        if (cases[i].status == 204) {
            assert_null(r);
        } else if (cases[i].reply) {
            assert_non_null(r);
            assert_string_equal(r, cases[i].reply);
        } else {
            assert_non_null(r);
        }
        free(r);
    }
    blvm_rpc_table_destroy(t);
}

static void test_json_output(void **state) {
    (void)state;
    json_t *v = json_loads("{\"a\":[1,2.5,{}],\"b\":{\"c\":[]},\"s\":\"q\\\"\\n\\u0001é\",\"n\":null}", 0, NULL);
    json_object_set_new(v, "amt", blvm_rpc_amount_json(5000000000));
    json_object_set_new(v, "neg", blvm_rpc_amount_json(-1));
    json_object_set_new(v, "d", json_real(4.656542373906925e-10));
    char *s = blvm_json_write(v, 0);
    assert_string_equal(s, "{\"a\":[1,2.5,{}],\"b\":{\"c\":[]},\"s\":\"q\\\"\\n\\u0001é\",\"n\":null,"
                           "\"amt\":50.00000000,\"neg\":-0.00000001,\"d\":4.656542373906925e-10}");
    free(s);
    /* Pretty output as UniValue::write(2), and the text re-indenter agrees. */
    json_t *p = json_loads("{\"x\":[1,[]],\"y\":{}}", 0, NULL);
    s = blvm_json_write(p, 2);
    assert_string_equal(s, "{\n  \"x\": [\n    1,\n    [\n    ]\n  ],\n  \"y\": {\n  }\n}");
    char *r = blvm_json_reformat("{ \"x\" : [ 1 , [ ] ] , \"y\" : { } }", 33, 2);
    assert_string_equal(r, s);
    free(r);
    free(s);
    json_decref(p);
    /* Reformat keeps number text. */
    r = blvm_json_reformat("[1.00000000]", 12, 2);
    assert_string_equal(r, "[\n  1.00000000\n]");
    free(r);
    size_t a, b;
    const char *txt = "{\"result\":{\"k\":\"}\"},\"error\":null}";
    assert_true(blvm_json_find_member(txt, strlen(txt), "result", &a, &b));
    assert_int_equal(b - a, strlen("{\"k\":\"}\"}"));
    assert_true(blvm_json_find_member(txt, strlen(txt), "error", &a, &b));
    assert_false(blvm_json_find_member(txt, strlen(txt), "id", &a, &b));
    assert_null(blvm_json_raw_number("1,2"));
    /* A parsed string cannot pose as a raw number. */
    json_t *fake = json_loads("\"\\u00001\"", JSON_DECODE_ANY, NULL);
    assert_null(fake);
    json_decref(v);
}

static void test_amounts(void **state) {
    (void)state;
    struct {
        const char *json;
        int64_t sats;
    } ok[] = {{"0", 0}, {"1", 100000000}, {"0.1", 10000000}, {"0.00000001", 1},
              {"\"0.5\"", 50000000}, {"21000000", 2100000000000000}, {"1e-8", 1},
              {"20999999.99999999", 2099999999999999}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        json_t *v = json_loads(ok[i].json, JSON_DECODE_ANY, NULL);
        int64_t s = -1;
        blvm_rpc_error err = {0, NULL};
        if (!blvm_rpc_parse_amount(v, &s, &err)) fail_msg("%s: %s", ok[i].json, err.message);
        assert_int_equal(s, ok[i].sats);
        json_decref(v);
    }
    struct {
        const char *json;
        const char *msg;
    } bad[] = {{"0.000000001", "Invalid amount"}, {"-1", "Amount out of range"},
               {"21000001", "Amount out of range"}, {"\"abc\"", "Invalid amount"},
               {"\"\"", "Invalid amount"}, {"true", "Amount is not a number or string"},
               {"\"1e400\"", "Invalid amount"}, {"\"01\"", "Invalid amount"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *v = json_loads(bad[i].json, JSON_DECODE_ANY, NULL);
        int64_t s;
        blvm_rpc_error err = {0, NULL};
        assert_false(blvm_rpc_parse_amount(v, &s, &err));
        assert_int_equal(err.code, BLVM_RPC_TYPE_ERROR);
        assert_string_equal(err.message, bad[i].msg);
        blvm_rpc_error_clear(&err);
        json_decref(v);
    }
    int64_t x;
    blvm_rpc_error err = {0, NULL};
    json_t *v = json_real(1.5);
    assert_false(blvm_rpc_parse_int(v, &x, &err));
    assert_string_equal(err.message, "JSON integer out of range");
    blvm_rpc_error_clear(&err);
    json_decref(v);
    uint8_t *hex;
    size_t n;
    v = json_string("0a0B");
    assert_true(blvm_rpc_parse_hex(v, "data", &hex, &n, &err));
    assert_int_equal(n, 2);
    assert_int_equal(hex[1], 0x0b);
    free(hex);
    json_decref(v);
    v = json_string("abc");
    assert_false(blvm_rpc_parse_hex(v, "data", &hex, &n, &err));
    assert_string_equal(err.message, "data must be hexadecimal string (not 'abc')");
    blvm_rpc_error_clear(&err);
    json_decref(v);
}

static void test_auth(void **state) {
    (void)state;
    const char *auths[] = {
        "alice:f00d$4d988e3840615463fc23d483c6165e2bd873e4ad911c4df009086cf1b9b42293",
        "broken-entry",
    };
    char user[64];
    assert_true(blvm_rpc_check_auth("Basic YWxpY2U6c2VjcmV0", NULL, auths, 2, user, sizeof user));
    assert_string_equal(user, "alice");
    assert_true(blvm_rpc_check_auth("Basic X19jb29raWVfXzphYmM=", "__cookie__:abc", auths, 2, user,
                                    sizeof user));
    assert_string_equal(user, "__cookie__");
    /* alice:secreT, wrong scheme, bad base64, no colon. */
    assert_false(blvm_rpc_check_auth("Basic YWxpY2U6c2VjcmVU", NULL, auths, 2, user, sizeof user));
    assert_false(blvm_rpc_check_auth("Bearer YWxpY2U6c2VjcmV0", NULL, auths, 2, user, sizeof user));
    assert_false(blvm_rpc_check_auth("Basic YWxpY2U6c2VjcmV0=", NULL, auths, 2, user, sizeof user));
    assert_false(blvm_rpc_check_auth("Basic ****", NULL, auths, 2, user, sizeof user));
    assert_false(blvm_rpc_check_auth("Basic YWxpY2U=", NULL, auths, 2, user, sizeof user));
    assert_false(blvm_rpc_check_auth(NULL, "__cookie__:abc", auths, 2, user, sizeof user));
    /* The cookie must match whole, not by prefix. */
    assert_false(blvm_rpc_check_auth("Basic X19jb29raWVfXzphYmM=", "__cookie__:abcd", NULL, 0, user,
                                     sizeof user));
    assert_true(blvm_rpc_rpcauth_valid(auths[0]));
    assert_false(blvm_rpc_rpcauth_valid("a:b"));
    assert_false(blvm_rpc_rpcauth_valid(":s$h"));
    assert_false(blvm_rpc_rpcauth_valid("a:b:c$d"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register), cmocka_unit_test(test_dispatch),
        cmocka_unit_test(test_bodies),   cmocka_unit_test(test_json_output),
        cmocka_unit_test(test_amounts),  cmocka_unit_test(test_auth),
        cmocka_unit_test(test_int_and_type_errors), cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_big_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
