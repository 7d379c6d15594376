/* Control methods: help, stop, uptime, logging, getrpcinfo (Core's
 * src/rpc/server.cpp and src/rpc/node.cpp). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "node/config.h"
#include "node/rpc/rpc.h"
#include "util/log.h"

static json_t *rpc_help(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    const json_t *cmd = blvm_rpc_arg(params, 0);
    const char *want = cmd ? json_string_value(cmd) : "";
    const blvm_rpc_table *t = node->rpc_table;
    size_t cap = 4096, len = 0;
    char *out = malloc(cap);
    if (!out) return blvm_rpc_fail(err, BLVM_RPC_OUT_OF_MEMORY, "out of memory");
    out[0] = '\0';
    const char *category = "";
    for (size_t i = 0; i < blvm_rpc_table_size(t); i++) {
        const blvm_rpc_command *c = blvm_rpc_table_at(t, i);
        if ((want[0] || strcmp(c->category, "hidden") == 0) && strcmp(c->name, want) != 0)
            continue;
        char *text = want[0] ? blvm_rpc_command_help(c) : blvm_rpc_command_synopsis(c);
        if (!text) {
            free(out);
            return blvm_rpc_fail(err, BLVM_RPC_OUT_OF_MEMORY, "out of memory");
        }
        char head[96] = "";
        if (!want[0] && strcmp(category, c->category) != 0) {
            /* "== Blockchain ==", a blank line between categories. */
            snprintf(head, sizeof head, "%s== %c%s ==\n", category[0] ? "\n" : "",
                     c->category[0] >= 'a' && c->category[0] <= 'z' ? c->category[0] - 32
                                                                     : c->category[0],
                     c->category + 1);
            category = c->category;
        }
        size_t need = len + strlen(head) + strlen(text) + 2;
        if (need > cap) {
            cap = need * 2;
            char *n = realloc(out, cap);
            if (!n) {
                free(text);
                free(out);
                return blvm_rpc_fail(err, BLVM_RPC_OUT_OF_MEMORY, "out of memory");
            }
            out = n;
        }
        len += (size_t)sprintf(out + len, "%s%s\n", head, text);
        free(text);
    }
    json_t *res;
    if (len == 0) {
        char *msg = NULL;
        if (asprintf(&msg, "help: unknown command: %s", want) < 0) msg = NULL;
        res = json_string(msg ? msg : "help: unknown command");
        free(msg);
    } else {
        out[len - 1] = '\0'; /* no trailing newline, as Core */
        res = json_string(out);
    }
    free(out);
    return res;
}

static json_t *rpc_stop(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    const json_t *wait = blvm_rpc_arg(params, 0);
    int32_t ms = 0;
    if (wait && !blvm_rpc_parse_int32(wait, &ms, err)) return NULL;
    BLVM_LOG_INFO("stop RPC received, shutting down");
    /* The reply still goes out: the server stops only after every posted
     * reply was sent. */
    blvm_node_request_shutdown(node);
    if (ms > 0) {
        if (ms > 60000) ms = 60000;
        struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    return json_string("blvmd stopping");
}

static json_t *rpc_uptime(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    (void)params;
    (void)err;
    return json_integer((json_int_t)(time(NULL) - node->start_time));
}

/* Core's EnableOrDisableLogCategories. */
static bool apply_categories(const json_t *arr, bool enable, blvm_rpc_error *err) {
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v) {
        if (!json_is_string(v)) {
            blvm_rpc_fail_type(err, v, "string");
            return false;
        }
        const char *name = json_string_value(v);
        uint64_t mask;
        if (!blvm_log_category_from_name(name, &mask)) {
            blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER, "unknown logging category %s", name);
            return false;
        }
    }
    json_array_foreach(arr, i, v) {
        uint64_t mask = 0;
        if (!blvm_log_category_from_name(json_string_value(v), &mask)) continue;
        if (enable) blvm_log_enable_categories(mask);
        else blvm_log_disable_categories(mask);
    }
    return true;
}

static json_t *rpc_logging(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    (void)node;
    const json_t *inc = blvm_rpc_arg(params, 0);
    const json_t *exc = blvm_rpc_arg(params, 1);
    uint64_t before = blvm_log_categories();
    if (inc && !apply_categories(inc, true, err)) return NULL;
    if (exc && !apply_categories(exc, false, err)) return NULL;
    uint64_t after = blvm_log_categories();
    if (before != after)
        BLVM_LOG_INFO("Logging categories changed by RPC: 0x%llx -> 0x%llx",
                      (unsigned long long)before, (unsigned long long)after);
    json_t *res = json_object();
    for (size_t i = 0; i < blvm_log_category_count(); i++) {
        uint64_t mask;
        const char *name = blvm_log_category_name(i, &mask);
        json_object_set_new(res, name, json_boolean((after & mask) != 0));
    }
    return res;
}

static json_t *rpc_getrpcinfo(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    (void)params;
    (void)err;
    json_t *res = json_object();
    json_object_set_new(res, "active_commands", blvm_rpc_table_active_commands(node->rpc_table));
    char *path = node->config ? blvm_config_netdir_path(node->config, "debuglogfile", "debug.log")
                              : NULL;
    json_object_set_new(res, "logpath", json_string(path ? path : ""));
    free(path);
    return res;
}

/* Core's hidden echo/echojson: return the parameters, for testing clients
 * (blvm-cli converts every echojson argument to JSON). */
static json_t *rpc_echo(blvm_node *node, const json_t *params, blvm_rpc_error *err) {
    (void)node;
    const json_t *a0 = blvm_rpc_arg(params, 0);
    if (a0 && json_is_string(a0) && strcmp(json_string_value(a0), "ANY_FAILURE") == 0) {
        return blvm_rpc_fail(err, BLVM_RPC_MISC_ERROR, "echo failure");
    }
    return json_deep_copy(params);
}

#define ECHO_ARGS                                                                               \
    {BLVM_RPC_OPT("arg0", BLVM_RPC_ANY), BLVM_RPC_OPT("arg1", BLVM_RPC_ANY),                    \
     BLVM_RPC_OPT("arg2", BLVM_RPC_ANY), BLVM_RPC_OPT("arg3", BLVM_RPC_ANY),                    \
     BLVM_RPC_OPT("arg4", BLVM_RPC_ANY), BLVM_RPC_OPT("arg5", BLVM_RPC_ANY),                    \
     BLVM_RPC_OPT("arg6", BLVM_RPC_ANY), BLVM_RPC_OPT("arg7", BLVM_RPC_ANY),                    \
     BLVM_RPC_OPT("arg8", BLVM_RPC_ANY), BLVM_RPC_OPT("arg9", BLVM_RPC_ANY)}

static const blvm_rpc_command control_commands[] = {
    {"hidden", "echo", rpc_echo, ECHO_ARGS,
     "Simply echo back the input arguments. This command is for testing."},
    {"hidden", "echojson", rpc_echo, ECHO_ARGS,
     "Simply echo back the input arguments. This command is for testing."},
    {"control", "help", rpc_help, {BLVM_RPC_OPT("command", BLVM_RPC_STR)},
     "List all commands, or get help for a specified command.\n"
     "\n"
     "Arguments:\n"
     "1. command    (string, optional, default=all commands) The command to get help on\n"
     "\n"
     "Result:\n"
     "\"str\"    (string) The help text"},
    {"control", "stop", rpc_stop, {BLVM_RPC_HIDDEN("wait", BLVM_RPC_NUM)},
     "Request a graceful shutdown of blvmd.\n"
     "\n"
     "Result:\n"
     "\"str\"    (string) A string with the content 'blvmd stopping'"},
    {"control", "uptime", rpc_uptime, BLVM_RPC_NO_PARAMS,
     "Returns the total uptime of the server.\n"
     "\n"
     "Result:\n"
     "n    (numeric) The number of seconds that the server has been running\n"
     "\n"
     "Examples:\n"
     "> blvm-cli uptime"},
    {"control", "logging", rpc_logging,
     /* Core's synopsis shows the inner item names. */
     {{.name = "include", .type = BLVM_RPC_ARR, .optional = true,
       .oneline = "[\"include_category\",...]"},
      {.name = "exclude", .type = BLVM_RPC_ARR, .optional = true,
       .oneline = "[\"exclude_category\",...]"}},
     "Gets and sets the logging configuration.\n"
     "When called without an argument, returns the list of categories with status that are "
     "currently being debug logged or not.\n"
     "When called with arguments, adds or removes categories from debug logging and return the "
     "lists above.\n"
     "The arguments are evaluated in order \"include\", \"exclude\".\n"
     "If an item is both included and excluded, it will thus end up being excluded.\n"
     "In addition, the following are available as category names with special meanings:\n"
     "  - \"all\",  \"1\" : represent all logging categories.\n"
     "  - \"none\", \"0\" : even if other logging categories are specified, ignore all of them.\n"
     "\n"
     "Arguments:\n"
     "1. include    (json array, optional) The categories to add to debug logging\n"
     "2. exclude    (json array, optional) The categories to remove from debug logging\n"
     "\n"
     "Result:\n"
     "{                   (json object) keys are the logging categories, and values indicates "
     "its status\n"
     "  \"category\" : true|false,    (boolean) if being debug logged or not. false:inactive, "
     "true:active\n"
     "}\n"
     "\n"
     "Examples:\n"
     "> blvm-cli logging \"[\\\"all\\\"]\" \"[\\\"http\\\"]\""},
    {"control", "getrpcinfo", rpc_getrpcinfo, BLVM_RPC_NO_PARAMS,
     "Returns details of the RPC server.\n"
     "\n"
     "Result:\n"
     "{                            (json object)\n"
     "  \"active_commands\" : [      (json array) All active commands\n"
     "    {                        (json object) Information about an active command\n"
     "      \"method\" : \"str\",      (string) The name of the RPC command\n"
     "      \"duration\" : n         (numeric) The running time in microseconds\n"
     "    },\n"
     "    ...\n"
     "  ],\n"
     "  \"logpath\" : \"str\"         (string) The complete file path to the debug log\n"
     "}"},
};

bool blvm_rpc_register_control(blvm_rpc_table *t) {
    return blvm_rpc_table_register(t, control_commands, BLVM_ARRAY_LEN(control_commands));
}
