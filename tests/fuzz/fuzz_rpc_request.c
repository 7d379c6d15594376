/* Fuzzes the JSON-RPC request path an authenticated client reaches:
 * blvm_rpc_handle_body with the control methods registered (inputs naming
 * `stop` are skipped), plus the Authorization header check that
 * unauthenticated clients reach. Nothing may crash, leak or hang. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node/rpc/rpc.h"
#include "node/rpc/server.h"
#include "util/log.h"

static json_t *echo(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    (void)node;
    const json_t *h = blvm_rpc_arg(params, 1);
    if (h) {
        uint8_t hash[32];
        int64_t sats;
        if (!blvm_rpc_parse_hash(h, "blockhash", hash, err)) {
            blvm_rpc_error_clear(err);
        }
        if (!blvm_rpc_parse_amount(h, &sats, err)) return NULL;
    }
    return json_deep_copy(params);
}

static const blvm_rpc_command cmds[] = {
    {"test", "fuzzecho", echo,
     {BLVM_RPC_REQ("height", BLVM_RPC_NUM), BLVM_RPC_OPT("verbosity|verbose", BLVM_RPC_ANY),
      BLVM_RPC_OPT("name", BLVM_RPC_STR), BLVM_RPC_OPT("list", BLVM_RPC_ARR)},
     "Echoes its parameters."},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static blvm_rpc_table *t;
    if (!t) {
        t = blvm_rpc_table_create();
        if (!t || !blvm_rpc_table_register(t, cmds, 1) || !blvm_rpc_register_control(t)) abort();
        blvm_rpc_set_warmup(t, false, NULL);
    }
    /* `stop` may sleep up to a minute (its hidden wait parameter). */
    if (size >= 4 && memmem(data, size, "stop", 4)) return 0;
    blvm_node node;
    memset(&node, 0, sizeof node);
    node.rpc_table = t;
    int status = 0;
    char *reply = blvm_rpc_handle_body(t, &node, (const char *)data, size, "fuzz", &status);
    if (status != 200 && status != 204 && status != 400 && status != 404 && status != 500) abort();
    free(reply);

    /* The same bytes as an Authorization header. */
    char *hdr = malloc(size + 1);
    if (!hdr) return 0;
    memcpy(hdr, data, size);
    hdr[size] = '\0';
    static const char *const auths[] = {"u:salt$0000", "alice:f00d$4d988e3840615463fc23d483c6165e2bd873e4ad911c4df009086cf1b9b42293"};
    char user[64];
    if (blvm_rpc_check_auth(hdr, "__cookie__:abc", auths, 2, user, sizeof user)) {
        if (strcmp(user, "__cookie__") != 0 && strcmp(user, "alice") != 0) abort();
    }
    free(hdr);
    return 0;
}
