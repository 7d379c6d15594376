#ifndef BLVM_NODE_RPC_RPC_H
#define BLVM_NODE_RPC_RPC_H

/* JSON-RPC method registration and dispatch (no HTTP here: see server.h).
 *
 * How to add RPC methods (one table per area: blockchain, mining, util,
 * rawtransactions, network, mempool, control, ...):
 *
 *     static json_t *rpc_getblockhash(blvm_node *node, const json_t *params,
 *                                     blvm_rpc_error *err) {
 *         int64_t height = json_integer_value(json_array_get(params, 0));
 *         if (height < 0 || height > tip_height)
 *             return blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER,
 *                                  "Block height out of range");
 *         return json_string(hex);
 *     }
 *
 *     static const blvm_rpc_command blockchain_commands[] = {
 *         {"blockchain", "getblockhash", rpc_getblockhash,
 *          {BLVM_RPC_REQ("height", BLVM_RPC_NUM)},
 *          "Returns hash of block in best-block-chain at height provided.\n"},
 *     };
 *     bool blvm_rpc_register_blockchain(blvm_rpc_table *t) {
 *         return blvm_rpc_table_register(t, blockchain_commands,
 *                                        BLVM_ARRAY_LEN(blockchain_commands));
 *     }
 *
 * and call blvm_rpc_register_blockchain() from src/bin/blvmd.c next to
 * blvm_rpc_register_control().
 *
 * What the dispatcher does before calling a handler, like Bitcoin Core's
 * RPCHelpMan:
 *  - named parameters ({"height": 5}) are turned into positional ones using
 *    the declared names (holes become JSON null; "Unknown named parameter x"
 *    and "Parameter x specified twice ..." give RPC_INVALID_PARAMETER -8);
 *    a named "args" array supplies leading positional parameters;
 *  - too few or too many parameters: RPC_MISC_ERROR -1 whose message is the
 *    method's help text (what Core does);
 *  - each parameter's JSON type is checked against the declared type (null
 *    is accepted for optional parameters): RPC_TYPE_ERROR -3 with Core's
 *    "Wrong type passed:\n{\n    \"Position 1 (height)\": \"Expected type
 *    number, got string\"\n}" message.
 * So a handler receives `params` as a JSON array whose length is at most the
 * number of declared parameters, every present non-null element already has
 * the declared type, and json_array_get(params, i) returns NULL (absent) or
 * json null for an omitted optional parameter: use blvm_rpc_arg() which
 * maps both to NULL.
 *
 * Handler contract:
 *  - returns a new reference (the dispatcher takes ownership), json_null() for
 *    a null result; or returns NULL after filling *err (blvm_rpc_fail).
 *  - runs on an RPC worker thread; several handlers may run at once, so take
 *    the locks of whatever node part is read. A handler may block (e.g.
 *    waitfornewblock) but must return soon after
 *    blvm_node_shutdown_requested(node) turns true: wait with a timeout (or
 *    register an interrupt hook, init.h) and re-check.
 *  - never trusts params beyond the checked JSON type: ranges, hex, lengths
 *    are the handler's job (see the blvm_rpc_parse_* helpers below).
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/node.h"
#include "node/rpc/json.h"
#include "util/common.h"

/* Bitcoin Core's error codes (src/rpc/protocol.h). */
enum {
    /* Standard JSON-RPC 2.0 errors. */
    BLVM_RPC_INVALID_REQUEST = -32600,
    BLVM_RPC_METHOD_NOT_FOUND = -32601,
    BLVM_RPC_INVALID_PARAMS = -32602,
    BLVM_RPC_INTERNAL_ERROR = -32603,
    BLVM_RPC_PARSE_ERROR = -32700,
    /* General application defined errors. */
    BLVM_RPC_MISC_ERROR = -1,
    BLVM_RPC_TYPE_ERROR = -3,
    BLVM_RPC_INVALID_ADDRESS_OR_KEY = -5,
    BLVM_RPC_OUT_OF_MEMORY = -7,
    BLVM_RPC_INVALID_PARAMETER = -8,
    BLVM_RPC_DATABASE_ERROR = -20,
    BLVM_RPC_DESERIALIZATION_ERROR = -22,
    BLVM_RPC_VERIFY_ERROR = -25,
    BLVM_RPC_VERIFY_REJECTED = -26,
    BLVM_RPC_VERIFY_ALREADY_IN_CHAIN = -27,
    BLVM_RPC_IN_WARMUP = -28,
    BLVM_RPC_METHOD_DEPRECATED = -32,
    /* P2P client errors. */
    BLVM_RPC_CLIENT_NOT_CONNECTED = -9,
    BLVM_RPC_CLIENT_IN_INITIAL_DOWNLOAD = -10,
    BLVM_RPC_CLIENT_NODE_ALREADY_ADDED = -23,
    BLVM_RPC_CLIENT_NODE_NOT_ADDED = -24,
    BLVM_RPC_CLIENT_NODE_NOT_CONNECTED = -29,
    BLVM_RPC_CLIENT_INVALID_IP_OR_SUBNET = -30,
    BLVM_RPC_CLIENT_P2P_DISABLED = -31,
    BLVM_RPC_CLIENT_NODE_CAPACITY_REACHED = -34,
    BLVM_RPC_CLIENT_MEMPOOL_DISABLED = -33,
};

/* Error filled by a failing handler. message is malloc'd (blvm_rpc_fail). */
typedef struct blvm_rpc_error {
    int code;
    char *message;
} blvm_rpc_error;

/* JSON types a parameter may be declared with (Core's RPCArg::Type). */
typedef enum {
    BLVM_RPC_ANY = 0, /* no type check (Core's skip_type_check) */
    BLVM_RPC_STR,     /* JSON string (also hex strings) */
    BLVM_RPC_NUM,     /* JSON number (integer or real) */
    BLVM_RPC_BOOL,    /* JSON true/false */
    BLVM_RPC_OBJ,     /* JSON object */
    BLVM_RPC_ARR,     /* JSON array */
    BLVM_RPC_AMOUNT,  /* number or string (Core's AMOUNT) */
    BLVM_RPC_RANGE,   /* number or [begin,end] array (Core's RANGE) */
    BLVM_RPC_NUM_OR_BOOL, /* Core's verbosity/verbose params that take both */
    BLVM_RPC_STR_OR_NUM,
} blvm_rpc_type;

typedef struct blvm_rpc_param {
    const char *name;   /* as used by named parameters and in help */
    blvm_rpc_type type;
    bool optional;
    bool hidden; /* not shown in help (Core's hidden args, e.g. stop's wait) */
    const char *oneline; /* shown as is in the synopsis when set (Core's
                          * RPCArgOptions::oneline_description) */
} blvm_rpc_param;

/* Parameter declarations for blvm_rpc_command.params (designated
 * initializers, so -Wextra does not ask for every field). */
#define BLVM_RPC_REQ(n, t) {.name = (n), .type = (t), .optional = false}
#define BLVM_RPC_OPT(n, t) {.name = (n), .type = (t), .optional = true}
#define BLVM_RPC_HIDDEN(n, t) {.name = (n), .type = (t), .optional = true, .hidden = true}
#define BLVM_RPC_NO_PARAMS {{.name = NULL}}

#define BLVM_RPC_MAX_PARAMS 12

typedef json_t *(*blvm_rpc_handler)(blvm_node *node, const json_t *params, blvm_rpc_error *err);

typedef struct blvm_rpc_command {
    const char *category;  /* "blockchain", "control", ... (`help` shows
                            * "== Blockchain =="); "hidden" is not listed */
    const char *name;
    blvm_rpc_handler handler;
    /* Up to BLVM_RPC_MAX_PARAMS, in positional order, declared with
     * BLVM_RPC_REQ / BLVM_RPC_OPT / BLVM_RPC_HIDDEN (BLVM_RPC_NO_PARAMS for
     * none). Required parameters come before optional ones. A name may list
     * aliases for named calls: "verbosity|verbose". */
    blvm_rpc_param params[BLVM_RPC_MAX_PARAMS];
    /* Description printed by `help <name>` under the generated synopsis line
     * ("getblock \"blockhash\" ( verbosity )"): what it does, Arguments,
     * Result, Examples, as Core prints them. May be "". */
    const char *help;
} blvm_rpc_command;

typedef struct blvm_rpc_table blvm_rpc_table;

/* Creates an empty table. NULL on allocation failure. */
blvm_rpc_table *blvm_rpc_table_create(void);
void blvm_rpc_table_destroy(blvm_rpc_table *t);

/* Adds n commands. The array must outlive the table (use static const).
 * Fails (false, nothing added) when a name is already registered or a
 * declaration is malformed. Call during start-up only, before the server
 * starts: the table is not locked against concurrent dispatch. */
BLVM_WUR bool blvm_rpc_table_register(blvm_rpc_table *t, const blvm_rpc_command *cmds, size_t n);

/* Looks up a command; NULL when unknown. */
const blvm_rpc_command *blvm_rpc_table_find(const blvm_rpc_table *t, const char *name);
/* Number of commands and the i-th one, sorted by (category, name). */
size_t blvm_rpc_table_size(const blvm_rpc_table *t);
const blvm_rpc_command *blvm_rpc_table_at(const blvm_rpc_table *t, size_t i);

/* Warm-up (Core's RPC_IN_WARMUP): while set, every method answers -28 with
 * the given status text (e.g. "Loading block index…"). Thread-safe. The
 * table starts in warm-up with status "Starting..."; blvmd clears it once
 * the node is ready. */
void blvm_rpc_set_warmup(blvm_rpc_table *t, bool in_warmup, const char *status);
bool blvm_rpc_in_warmup(const blvm_rpc_table *t);

/* The calls running now, for getrpcinfo: a new JSON array of
 * {"method": "...", "duration": <microseconds>}. */
json_t *blvm_rpc_table_active_commands(blvm_rpc_table *t);

/* Calls one method with params (JSON array of positional parameters, or an
 * object of named ones). Returns the result (new reference) or NULL with
 * *err filled (caller frees err->message). Unknown method: -32601 "Method not
 * found". */
json_t *blvm_rpc_table_call(blvm_rpc_table *t, blvm_node *node, const char *method,
                            json_t *params, blvm_rpc_error *err);

/* Handles one HTTP request body as Bitcoin Core 28+ does (single request or
 * batch, JSON-RPC 1.0 / 1.1 / 2.0). Returns the response body (malloc'd,
 * newline-terminated, or NULL when no body must be sent) and sets *http_status
 * (200, 204 No Content for notifications, 400/404/500 for JSON-RPC 1.x
 * errors). user is the authenticated user name, for logging. */
char *blvm_rpc_handle_body(blvm_rpc_table *t, blvm_node *node, const char *body, size_t len,
                           const char *user, int *http_status);

/* Synopsis line for `help` ("getblock \"blockhash\" ( verbosity )") and the
 * full help text (synopsis, blank line, description). malloc'd. */
char *blvm_rpc_command_synopsis(const blvm_rpc_command *c);
char *blvm_rpc_command_help(const blvm_rpc_command *c);

/* ---- helpers for handlers ---- */

/* Fills *err (printf-style message) and returns NULL, so handlers can
 * `return blvm_rpc_fail(err, code, "...")`. */
json_t *blvm_rpc_fail(blvm_rpc_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void blvm_rpc_error_clear(blvm_rpc_error *err);
/* Core's UniValue::checkType failure inside a handler (get_str, get_obj,
 * getInt on the wrong JSON type), which Core 29 reports as RPC_TYPE_ERROR
 * -3: "JSON value of type <v's type> is not of expected type <expected>".
 * v NULL counts as null. Returns NULL. */
json_t *blvm_rpc_fail_type(blvm_rpc_error *err, const json_t *v, const char *expected);

/* Core's uvTypeName: "object", "array", "string", "number", "bool", "null". */
const char *blvm_rpc_json_type_name(const json_t *v);

/* The i-th parameter, or NULL when absent or JSON null. */
const json_t *blvm_rpc_arg(const json_t *params, size_t i);

/* Core's ParseHashV: 64 hex digits, shown reversed, into 32 bytes. A
 * non-string fails as blvm_rpc_fail_type. Errors (-8): "<name> must be of length 64 (not N, for
 * 'x')" and "<name> must be hexadecimal string (not 'x')". */
BLVM_WUR bool blvm_rpc_parse_hash(const json_t *v, const char *name, uint8_t out[32],
                                  blvm_rpc_error *err);
/* Core's ParseHexV: any even-length hex string, malloc'd into *out. Error
 * (-8): "<name> must be hexadecimal string (not 'x')". */
BLVM_WUR bool blvm_rpc_parse_hex(const json_t *v, const char *name, uint8_t **out,
                                 size_t *out_len, blvm_rpc_error *err);
/* Core's AmountFromValue: number or string with at most 8 decimals, in
 * range 0..21e6 BTC. Errors: -3 "Amount out of range", "Invalid amount". */
BLVM_WUR bool blvm_rpc_parse_amount(const json_t *v, int64_t *sats, blvm_rpc_error *err);
/* Core's ValueFromAmount: a JSON real with 8 decimals printed exactly. */
json_t *blvm_rpc_amount_json(int64_t sats);
/* Core's getInt<int64_t>(): a non-integer number fails with -1 "JSON
 * integer out of range", a non-number as blvm_rpc_fail_type (-3). */
BLVM_WUR bool blvm_rpc_parse_int(const json_t *v, int64_t *out, blvm_rpc_error *err);
/* Core's getInt<int>(): as blvm_rpc_parse_int, and a value outside int32
 * fails with -1 "JSON integer out of range" (heights, counts, timeouts). */
BLVM_WUR bool blvm_rpc_parse_int32(const json_t *v, int32_t *out, blvm_rpc_error *err);

/* Registers the Control methods of src/node/rpc/control.c: help, stop,
 * uptime, logging, getrpcinfo, and the hidden echo/echojson. */
BLVM_WUR bool blvm_rpc_register_control(blvm_rpc_table *t);

#endif
