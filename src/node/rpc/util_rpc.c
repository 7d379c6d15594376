/* The Util RPC methods: validateaddress, getdescriptorinfo, deriveaddresses
 * (addr() and raw() descriptors), with Bitcoin Core 29's fields and errors. */
#include <stdlib.h>
#include <string.h>

#include "node/rpc/areas.h"
#include "node/rpc/blockchain_util.h"
#include "node/rpc/tx_json.h"
#include "protocol/address.h"
#include "protocol/bech32.h"
#include "protocol/descriptor.h"
#include "protocol/standard.h"

static json_t *rpc_validateaddress(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    (void)err;
    const blvm_params *p = blvm_rpc_params(node);
    const char *addr = json_string_value(blvm_rpc_arg(params, 0));
    uint8_t script[BLVM_ADDRESS_SCRIPT_MAX];
    size_t n;
    char error[BLVM_ADDRESS_ERROR_MAX];
    json_t *r = json_object();
    int locs[BLVM_BECH32_MAX_LEN];
    size_t nlocs = 0;
    if (!blvm_address_decode_locate(p, addr, script, &n, error, locs, BLVM_ARRAY_LEN(locs),
                                    &nlocs)) {
        json_object_set_new(r, "isvalid", json_false());
        json_t *where = json_array();
        for (size_t i = 0; i < nlocs && i < BLVM_ARRAY_LEN(locs); i++)
            json_array_append_new(where, json_integer(locs[i]));
        json_object_set_new(r, "error_locations", where);
        json_object_set_new(r, "error", json_string(error));
        return r;
    }
    char *canon = blvm_address_from_script(p, script, n);
    json_object_set_new(r, "isvalid", json_true());
    json_object_set_new(r, "address", json_string(canon ? canon : addr));
    free(canon);
    json_object_set_new(r, "scriptPubKey", blvm_hex_json(script, n));
    /* Core's DescribeAddress */
    blvm_solution s;
    blvm_txout_type t = blvm_solver(script, n, &s);
    bool is_script = t == BLVM_TXOUT_SCRIPTHASH || t == BLVM_TXOUT_WITNESS_V0_SCRIPTHASH ||
                     t == BLVM_TXOUT_WITNESS_V1_TAPROOT || t == BLVM_TXOUT_ANCHOR;
    bool is_witness = s.witness_version >= 0;
    if (t != BLVM_TXOUT_WITNESS_UNKNOWN) json_object_set_new(r, "isscript", json_boolean(is_script));
    json_object_set_new(r, "iswitness", json_boolean(is_witness));
    /* Core's DescribeAddress shows no program for the pay-to-anchor
     * output (its PayToAnchor visitor adds only isscript/iswitness). */
    if (is_witness && t != BLVM_TXOUT_ANCHOR) {
        json_object_set_new(r, "witness_version", json_integer(s.witness_version));
        json_object_set_new(r, "witness_program", blvm_hex_json(s.data, s.data_len));
    }
    return r;
}

static json_t *rpc_getdescriptorinfo(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    const char *text = json_string_value(blvm_rpc_arg(params, 0));
    blvm_descriptor d;
    char error[BLVM_DESCRIPTOR_ERROR_MAX];
    if (!blvm_descriptor_parse(&d, blvm_rpc_params(node), text, false, error))
        return blvm_rpc_fail(err, BLVM_RPC_INVALID_ADDRESS_OR_KEY, "%s", error);
    json_t *r = json_object();
    json_object_set_new(r, "descriptor", json_string(d.normalized));
    json_object_set_new(r, "checksum", json_string(d.checksum));
    json_object_set_new(r, "isrange", json_boolean(d.is_range));
    json_object_set_new(r, "issolvable", json_boolean(d.is_solvable));
    json_object_set_new(r, "hasprivatekeys", json_boolean(d.has_private_keys));
    blvm_descriptor_clear(&d);
    return r;
}

/* Core's ParseDescriptorRange (rpc/util.cpp): a number n is [0, n], or a
 * [begin, end] pair of numbers. */
static bool parse_descriptor_range(const json_t *v, blvm_rpc_error *err) {
    int64_t low = 0, high;
    if (json_is_number(v)) {
        if (!blvm_rpc_parse_int(v, &high, err)) return false;
    } else if (json_is_array(v) && json_array_size(v) == 2 &&
               json_is_number(json_array_get(v, 0)) && json_is_number(json_array_get(v, 1))) {
        if (!blvm_rpc_parse_int(json_array_get(v, 0), &low, err) ||
            !blvm_rpc_parse_int(json_array_get(v, 1), &high, err))
            return false;
        if (low > high) {
            blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER,
                          "Range specified as [begin,end] must not have begin after end");
            return false;
        }
    } else {
        blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER,
                      "Range must be specified as end or as [begin,end]");
        return false;
    }
    if (low < 0) {
        blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER, "Range should be greater or equal than 0");
        return false;
    }
    if ((high >> 31) != 0) {
        blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER, "End of range is too high");
        return false;
    }
    if (high >= low + 1000000) {
        blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER, "Range is too large");
        return false;
    }
    return true;
}

static json_t *rpc_deriveaddresses(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    const blvm_params *p = blvm_rpc_params(node);
    const char *text = json_string_value(blvm_rpc_arg(params, 0));
    /* Core checks the range before the descriptor. */
    if (blvm_rpc_arg(params, 1) && !parse_descriptor_range(blvm_rpc_arg(params, 1), err))
        return NULL;
    blvm_descriptor d;
    char error[BLVM_DESCRIPTOR_ERROR_MAX];
    if (!blvm_descriptor_parse(&d, p, text, true, error))
        return blvm_rpc_fail(err, BLVM_RPC_INVALID_ADDRESS_OR_KEY, "%s", error);
    /* Core tests the parameter count here, so an explicit null range
     * counts as given. */
    if (!d.is_range && json_array_size(params) > 1) {
        blvm_descriptor_clear(&d);
        return blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER,
                             "Range should not be specified for an un-ranged descriptor");
    }
    char *addr = blvm_address_from_script(p, d.script, d.script_len);
    blvm_descriptor_clear(&d);
    if (!addr)
        return blvm_rpc_fail(err, BLVM_RPC_INVALID_ADDRESS_OR_KEY,
                             "Descriptor does not have a corresponding address");
    json_t *r = json_array();
    json_array_append_new(r, json_string(addr));
    free(addr);
    return r;
}

static const blvm_rpc_command util_commands[] = {
    {"util", "validateaddress", rpc_validateaddress, {BLVM_RPC_REQ("address", BLVM_RPC_STR)},
     "Return information about the given bitcoin address.\n"},
    {"util", "getdescriptorinfo", rpc_getdescriptorinfo,
     {BLVM_RPC_REQ("descriptor", BLVM_RPC_STR)},
     "Analyses a descriptor.\n"},
    {"util", "deriveaddresses", rpc_deriveaddresses,
     {BLVM_RPC_REQ("descriptor", BLVM_RPC_STR), BLVM_RPC_OPT("range", BLVM_RPC_RANGE)},
     "Derives one or more addresses corresponding to an output descriptor.\n"},
};

bool blvm_rpc_register_util(blvm_rpc_table *t) {
    return blvm_rpc_table_register(t, util_commands, BLVM_ARRAY_LEN(util_commands));
}
