/* Method table and JSON-RPC request handling: see rpc.h. The behaviour
 * follows Bitcoin Core 28+ (src/httprpc.cpp, src/rpc/request.cpp,
 * src/rpc/server.cpp, src/rpc/util.cpp). */
#include "node/rpc/rpc.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/rpc/json.h"
#include "util/hex.h"
#include "util/log.h"

typedef struct active_call {
    const char *method; /* points into the command table */
    int64_t start_us;
    struct active_call *next, *prev;
} active_call;

struct blvm_rpc_table {
    const blvm_rpc_command **cmds;
    pthread_mutex_t active_mutex;
    active_call *active;
    size_t n, cap;
    pthread_mutex_t warmup_mutex;
    bool warmup;
    char warmup_status[128];
};

blvm_rpc_table *blvm_rpc_table_create(void) {
    blvm_rpc_table *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    pthread_mutex_init(&t->warmup_mutex, NULL);
    pthread_mutex_init(&t->active_mutex, NULL);
    t->warmup = true;
    snprintf(t->warmup_status, sizeof t->warmup_status, "Starting...");
    return t;
}

void blvm_rpc_table_destroy(blvm_rpc_table *t) {
    if (!t) return;
    pthread_mutex_destroy(&t->warmup_mutex);
    pthread_mutex_destroy(&t->active_mutex);
    free(t->cmds);
    free(t);
}

static int cmd_cmp(const void *a, const void *b) {
    const blvm_rpc_command *x = *(const blvm_rpc_command *const *)a;
    const blvm_rpc_command *y = *(const blvm_rpc_command *const *)b;
    int c = strcmp(x->category, y->category);
    return c ? c : strcmp(x->name, y->name);
}

static size_t param_count(const blvm_rpc_command *c) {
    size_t n = 0;
    while (n < BLVM_RPC_MAX_PARAMS && c->params[n].name) n++;
    return n;
}

bool blvm_rpc_table_register(blvm_rpc_table *t, const blvm_rpc_command *cmds, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (!cmds[i].name || !cmds[i].category || !cmds[i].handler) return false;
        if (blvm_rpc_table_find(t, cmds[i].name)) return false;
        for (size_t j = 0; j < i; j++)
            if (strcmp(cmds[i].name, cmds[j].name) == 0) return false;
        /* Required parameters must come first (Core's rule too). */
        size_t np = param_count(&cmds[i]);
        bool seen_optional = false;
        for (size_t k = 0; k < np; k++) {
            if (cmds[i].params[k].optional) seen_optional = true;
            else if (seen_optional) return false;
        }
    }
    if (t->n + n > t->cap) {
        size_t ncap = t->cap ? t->cap : 32;
        while (t->n + n > ncap) ncap *= 2;
        const blvm_rpc_command **nc = realloc(t->cmds, ncap * sizeof *nc);
        if (!nc) return false;
        t->cmds = nc;
        t->cap = ncap;
    }
    for (size_t i = 0; i < n; i++) t->cmds[t->n++] = &cmds[i];
    qsort(t->cmds, t->n, sizeof t->cmds[0], cmd_cmp);
    return true;
}

const blvm_rpc_command *blvm_rpc_table_find(const blvm_rpc_table *t, const char *name) {
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->cmds[i]->name, name) == 0) return t->cmds[i];
    return NULL;
}

size_t blvm_rpc_table_size(const blvm_rpc_table *t) {
    return t->n;
}

const blvm_rpc_command *blvm_rpc_table_at(const blvm_rpc_table *t, size_t i) {
    return i < t->n ? t->cmds[i] : NULL;
}

void blvm_rpc_set_warmup(blvm_rpc_table *t, bool in_warmup, const char *status) {
    pthread_mutex_lock(&t->warmup_mutex);
    t->warmup = in_warmup;
    if (status) snprintf(t->warmup_status, sizeof t->warmup_status, "%s", status);
    pthread_mutex_unlock(&t->warmup_mutex);
}

bool blvm_rpc_in_warmup(const blvm_rpc_table *t) {
    blvm_rpc_table *m = (blvm_rpc_table *)t;
    pthread_mutex_lock(&m->warmup_mutex);
    bool w = m->warmup;
    pthread_mutex_unlock(&m->warmup_mutex);
    return w;
}

static int64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

json_t *blvm_rpc_table_active_commands(blvm_rpc_table *t) {
    json_t *arr = json_array();
    int64_t now = now_us();
    pthread_mutex_lock(&t->active_mutex);
    for (active_call *a = t->active; a; a = a->next) {
        json_t *o = json_object();
        json_object_set_new(o, "method", json_string(a->method));
        json_object_set_new(o, "duration", json_integer(now - a->start_us));
        json_array_append_new(arr, o);
    }
    pthread_mutex_unlock(&t->active_mutex);
    return arr;
}

/* ---- errors ---- */

json_t *blvm_rpc_fail(blvm_rpc_error *err, int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0) msg = NULL;
    va_end(ap);
    free(err->message);
    err->code = code;
    err->message = msg;
    return NULL;
}

json_t *blvm_rpc_fail_type(blvm_rpc_error *err, const json_t *v, const char *expected) {
    return blvm_rpc_fail(err, BLVM_RPC_TYPE_ERROR,
                         "JSON value of type %s is not of expected type %s",
                         v ? blvm_rpc_json_type_name(v) : "null", expected);
}

void blvm_rpc_error_clear(blvm_rpc_error *err) {
    free(err->message);
    err->message = NULL;
    err->code = 0;
}

static void fail_owned(blvm_rpc_error *err, int code, char *msg) {
    free(err->message);
    err->code = code;
    err->message = msg;
}

/* ---- help ---- */

/* "a|b" names: the first is shown, each is accepted as a named param. */
static size_t first_name_len(const char *name) {
    const char *bar = strchr(name, '|');
    return bar ? (size_t)(bar - name) : strlen(name);
}

static bool name_matches(const char *names, const char *key) {
    size_t klen = strlen(key);
    const char *p = names;
    for (;;) {
        const char *bar = strchr(p, '|');
        size_t l = bar ? (size_t)(bar - p) : strlen(p);
        if (l == klen && memcmp(p, key, l) == 0) return true;
        if (!bar) return false;
        p = bar + 1;
    }
}

char *blvm_rpc_command_synopsis(const blvm_rpc_command *c) {
    size_t cap = 256;
    char *s = malloc(cap);
    if (!s) return NULL;
    size_t len = (size_t)snprintf(s, cap, "%s", c->name);
    bool was_optional = false;
    size_t np = param_count(c);
    for (size_t i = 0; i < np; i++) {
        const blvm_rpc_param *p = &c->params[i];
        if (p->hidden) break; /* and every parameter after it */
        char part[160];
        int nl = (int)first_name_len(p->name);
        const char *open = "";
        if (p->optional && !was_optional) open = "( ";
        was_optional = p->optional;
        switch (p->oneline ? BLVM_RPC_ANY : p->type) {
        case BLVM_RPC_ANY:
            if (p->oneline) {
                snprintf(part, sizeof part, " %s%s", open, p->oneline);
                break;
            }
            snprintf(part, sizeof part, " %s%.*s", open, nl, p->name);
            break;
        case BLVM_RPC_STR:
            snprintf(part, sizeof part, " %s\"%.*s\"", open, nl, p->name);
            break;
        case BLVM_RPC_ARR:
            snprintf(part, sizeof part, " %s[\"%.*s\",...]", open, nl, p->name);
            break;
        case BLVM_RPC_OBJ:
            snprintf(part, sizeof part, " %s{%.*s}", open, nl, p->name);
            break;
        default:
            snprintf(part, sizeof part, " %s%.*s", open, nl, p->name);
            break;
        }
        size_t pl = strlen(part);
        if (len + pl + 8 > cap) {
            cap = (len + pl + 8) * 2;
            char *ns = realloc(s, cap);
            if (!ns) {
                free(s);
                return NULL;
            }
            s = ns;
        }
        memcpy(s + len, part, pl + 1);
        len += pl;
    }
    if (was_optional) memcpy(s + len, " )", 3);
    return s;
}

char *blvm_rpc_command_help(const blvm_rpc_command *c) {
    char *syn = blvm_rpc_command_synopsis(c);
    if (!syn) return NULL;
    char *out = NULL;
    const char *h = c->help ? c->help : "";
    if (asprintf(&out, "%s\n%s%s", syn, h[0] ? "\n" : "", h) < 0) out = NULL;
    free(syn);
    if (out) {
        /* Core's help text never ends in a newline. */
        size_t l = strlen(out);
        while (l > 0 && out[l - 1] == '\n') out[--l] = '\0';
    }
    return out;
}

/* ---- dispatch ---- */

const char *blvm_rpc_json_type_name(const json_t *v) {
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER:
    case JSON_REAL: return "number";
    case JSON_TRUE:
    case JSON_FALSE: return "bool";
    case JSON_NULL: return "null";
    }
    return "null";
}

/* The JSON type a declared parameter must have; NULL when not checked. */
static const char *expected_type(blvm_rpc_type t) {
    switch (t) {
    case BLVM_RPC_STR: return "string";
    case BLVM_RPC_NUM: return "number";
    case BLVM_RPC_BOOL: return "bool";
    case BLVM_RPC_OBJ: return "object";
    case BLVM_RPC_ARR: return "array";
    default: return NULL;
    }
}

/* Core's transformNamedArguments. Returns a new array or NULL (err set). */
static json_t *named_to_positional(const blvm_rpc_command *c, json_t *obj, blvm_rpc_error *err) {
    json_t *out = json_array();
    json_t *left = json_deep_copy(obj);
    if (!out || !left) {
        json_decref(out);
        json_decref(left);
        blvm_rpc_fail(err, BLVM_RPC_OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    size_t np = param_count(c);
    size_t hole = 0, initial_hole = 0;
    const char *initial_param = NULL;
    for (size_t i = 0; i < np; i++) {
        json_t *val = NULL;
        const char *key;
        json_t *v;
        json_object_foreach(left, key, v) {
            if (name_matches(c->params[i].name, key)) {
                val = v;
                break;
            }
        }
        if (val) {
            if (!initial_param) initial_param = c->params[i].name;
            for (; hole > 0; hole--) json_array_append_new(out, json_null());
            json_array_append(out, val);
            char *k = strdup(key);
            if (k) json_object_del(left, k);
            free(k);
        } else {
            hole++;
            if (!initial_param) initial_hole++;
        }
    }
    /* A leftover "args" array supplies leading positional parameters. Core
     * extracts "args" whatever its type, so a non-array one is ignored
     * rather than reported as unknown. */
    json_t *args = json_incref(json_object_get(left, "args"));
    if (args) json_object_del(left, "args");
    if (json_is_array(args)) {
        size_t na = json_array_size(args);
        if (initial_param && initial_hole < na) {
            /* Core prints the declared name pattern ("verbosity|verbose"). */
            blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER,
                          "Parameter %s specified twice both as positional and named argument",
                          initial_param);
            json_decref(args);
            json_decref(out);
            json_decref(left);
            return NULL;
        }
        json_t *merged = json_array();
        for (size_t i = 0; i < na; i++) json_array_append(merged, json_array_get(args, i));
        /* Named values after the positions args fills. */
        for (size_t i = na; i < json_array_size(out); i++)
            json_array_append(merged, json_array_get(out, i));
        json_decref(out);
        out = merged;
    }
    json_decref(args);
    if (json_object_size(left) > 0) {
        const char *key = json_object_iter_key(json_object_iter(left));
        blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER, "Unknown named parameter %s", key);
        json_decref(out);
        json_decref(left);
        return NULL;
    }
    json_decref(left);
    return out;
}

/* dup_key: a key that the request text repeats in its named parameters
 * (jansson keeps one of them), or NULL. */
static json_t *table_call(blvm_rpc_table *t, blvm_node *node, const char *method, json_t *params,
                          const char *dup_key, blvm_rpc_error *err) {
    pthread_mutex_lock(&t->warmup_mutex);
    if (t->warmup) {
        char status[128];
        memcpy(status, t->warmup_status, sizeof status);
        pthread_mutex_unlock(&t->warmup_mutex);
        return blvm_rpc_fail(err, BLVM_RPC_IN_WARMUP, "%s", status);
    }
    pthread_mutex_unlock(&t->warmup_mutex);

    const blvm_rpc_command *c = blvm_rpc_table_find(t, method);
    if (!c) return blvm_rpc_fail(err, BLVM_RPC_METHOD_NOT_FOUND, "Method not found");

    json_t *positional;
    if (params == NULL || json_is_null(params)) {
        positional = json_array();
    } else if (json_is_object(params)) {
        /* Core's transformNamedArguments checks this first. */
        if (dup_key)
            return blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER,
                                 "Parameter %s specified multiple times", dup_key);
        positional = named_to_positional(c, params, err);
        if (!positional) return NULL;
    } else if (json_is_array(params)) {
        positional = json_incref(params);
    } else {
        return blvm_rpc_fail(err, BLVM_RPC_INVALID_REQUEST, "Params must be an array or object");
    }

    /* Core's IsValidNumArgs: the help text as a -1 error. */
    size_t np = param_count(c);
    size_t required = 0;
    for (size_t i = np; i > 0; i--) {
        if (!c->params[i - 1].optional) {
            required = i;
            break;
        }
    }
    size_t given = json_array_size(positional);
    if (given < required || given > np) {
        json_decref(positional);
        char *help = blvm_rpc_command_help(c);
        if (!help) return blvm_rpc_fail(err, BLVM_RPC_OUT_OF_MEMORY, "out of memory");
        fail_owned(err, BLVM_RPC_MISC_ERROR, help);
        return NULL;
    }

    json_t *mismatch = json_object();
    for (size_t i = 0; i < np; i++) {
        const json_t *v = json_array_get(positional, i);
        const blvm_rpc_param *p = &c->params[i];
        const json_t *vv = v ? v : json_null();
        if (p->optional && json_is_null(vv)) continue;
        const char *exp = expected_type(p->type);
        if (!exp) continue;
        const char *got = blvm_rpc_json_type_name(vv);
        if (strcmp(exp, got) == 0) continue;
        char key[128], msg[128];
        snprintf(key, sizeof key, "Position %zu (%s)", i + 1, p->name);
        snprintf(msg, sizeof msg, "JSON value of type %s is not of expected type %s", got, exp);
        json_object_set_new(mismatch, key, json_string(msg));
    }
    if (json_object_size(mismatch) > 0) {
        char *txt = blvm_json_write(mismatch, 4);
        json_decref(mismatch);
        json_decref(positional);
        blvm_rpc_fail(err, BLVM_RPC_TYPE_ERROR, "Wrong type passed:\n%s", txt ? txt : "");
        free(txt);
        return NULL;
    }
    json_decref(mismatch);

    blvm_rpc_error_clear(err);
    active_call me = {c->name, now_us(), NULL, NULL};
    pthread_mutex_lock(&t->active_mutex);
    me.next = t->active;
    if (t->active) t->active->prev = &me;
    t->active = &me;
    pthread_mutex_unlock(&t->active_mutex);
    json_t *result = c->handler(node, positional, err);
    pthread_mutex_lock(&t->active_mutex);
    if (me.prev) me.prev->next = me.next;
    else t->active = me.next;
    if (me.next) me.next->prev = me.prev;
    pthread_mutex_unlock(&t->active_mutex);
    json_decref(positional);
    if (!result && err->code == 0) {
        blvm_rpc_fail(err, BLVM_RPC_MISC_ERROR, "Internal error in %s", method);
    }
    if (!result && !err->message) {
        /* vasprintf failed: keep the code, give a message anyway. */
        err->message = strdup("out of memory");
    }
    return result;
}

json_t *blvm_rpc_table_call(blvm_rpc_table *t, blvm_node *node, const char *method, json_t *params,
                            blvm_rpc_error *err) {
    return table_call(t, node, method, params, NULL, err);
}

/* ---- JSON-RPC protocol ---- */

typedef enum { V1_LEGACY, V2 } rpc_version;

typedef struct {
    json_t *id; /* borrowed; NULL when absent */
    bool has_id;
    rpc_version version;
    const char *method;
    json_t *params; /* borrowed */
    char *dup_key;  /* owned: a repeated named-parameter key in the text */
} rpc_request;

static json_t *error_obj(int code, const char *message) {
    json_t *e = json_object();
    json_object_set_new(e, "code", json_integer(code));
    json_object_set_new(e, "message", json_string(message ? message : ""));
    return e;
}

/* Core's JSONRPCReplyObj; takes ownership of result and error. */
static json_t *reply_obj(json_t *result, json_t *error, const rpc_request *req) {
    json_t *r = json_object();
    if (req->version == V2) json_object_set_new(r, "jsonrpc", json_string("2.0"));
    if (!error) {
        json_object_set_new(r, "result", result ? result : json_null());
        if (req->version == V1_LEGACY) json_object_set_new(r, "error", json_null());
    } else {
        json_decref(result);
        if (req->version == V1_LEGACY) json_object_set_new(r, "result", json_null());
        json_object_set_new(r, "error", error);
    }
    if (req->has_id) json_object_set(r, "id", req->id);
    return r;
}

/* Core's JSONRPCRequest::parse. false with code and msg set on a bad request; id
 * and version are filled as far as parsed. */
static bool parse_request(const json_t *v, rpc_request *req, int *code, const char **msg) {
    /* Like Core, a non-object leaves the previous request's id and version
     * in place (in a batch, its error reply carries them). */
    if (!json_is_object(v)) {
        *code = BLVM_RPC_INVALID_REQUEST;
        *msg = "Invalid Request object";
        return false;
    }
    req->method = NULL;
    req->params = NULL;
    json_t *id = json_object_get(v, "id");
    req->id = id;
    req->has_id = id != NULL;
    req->version = V1_LEGACY;
    json_t *ver = json_object_get(v, "jsonrpc");
    if (ver && !json_is_null(ver)) {
        if (!json_is_string(ver)) {
            *code = BLVM_RPC_INVALID_REQUEST;
            *msg = "jsonrpc field must be a string";
            return false;
        }
        if (strcmp(json_string_value(ver), "1.0") == 0) {
            req->version = V1_LEGACY;
        } else if (strcmp(json_string_value(ver), "2.0") == 0) {
            req->version = V2;
        } else {
            *code = BLVM_RPC_INVALID_REQUEST;
            *msg = "JSON-RPC version not supported";
            return false;
        }
    }
    json_t *m = json_object_get(v, "method");
    if (!m || json_is_null(m)) {
        *code = BLVM_RPC_INVALID_REQUEST;
        *msg = "Missing method";
        return false;
    }
    if (!json_is_string(m)) {
        *code = BLVM_RPC_INVALID_REQUEST;
        *msg = "Method must be a string";
        return false;
    }
    req->method = json_string_value(m);
    json_t *p = json_object_get(v, "params");
    if (!p || json_is_null(p)) {
        req->params = NULL;
    } else if (json_is_array(p) || json_is_object(p)) {
        req->params = p;
    } else {
        *code = BLVM_RPC_INVALID_REQUEST;
        *msg = "Params must be an array or object";
        return false;
    }
    return true;
}

/* Named parameters as written in the request's text [start, end): jansson
 * merged repeated keys, UniValue keeps them and Core refuses them. */
static void find_dup_key(rpc_request *req, const char *body, size_t start, size_t end) {
    free(req->dup_key);
    req->dup_key = NULL;
    if (!json_is_object(req->params)) return;
    size_t ps, pe;
    if (!blvm_json_find_member(body + start, end - start, "params", &ps, &pe)) return;
    req->dup_key = blvm_json_object_duplicate_key(body + start + ps, pe - ps);
}

static bool is_notification(const rpc_request *req) {
    return !req->has_id && req->version == V2;
}

/* Runs a parsed request; returns the reply object (error inside it). */
static json_t *exec_one(blvm_rpc_table *t, blvm_node *node, const rpc_request *req,
                        const char *user) {
    BLVM_LOG_DEBUG(BLVM_LOG_RPC, "ThreadRPCServer method=%s user=%s", req->method,
                   user ? user : "");
    blvm_rpc_error err = {0, NULL};
    json_t *params = req->params;
    json_t *result = table_call(t, node, req->method, params, req->dup_key, &err);
    if (result) return reply_obj(result, NULL, req);
    json_t *e = error_obj(err.code, err.message);
    blvm_rpc_error_clear(&err);
    return reply_obj(NULL, e, req);
}

static char *finish_body(json_t *reply) {
    char *txt = blvm_json_write(reply, 0);
    json_decref(reply);
    if (!txt) return NULL;
    size_t l = strlen(txt);
    char *out = realloc(txt, l + 2);
    if (!out) {
        free(txt);
        return NULL;
    }
    out[l] = '\n';
    out[l + 1] = '\0';
    return out;
}

/* Core's JSONErrorReply: HTTP status from the error code for 1.x replies. */
static int legacy_status(int code) {
    if (code == BLVM_RPC_INVALID_REQUEST) return 400;
    if (code == BLVM_RPC_METHOD_NOT_FOUND) return 404;
    return 500;
}

/* UniValue::read refuses documents nested deeper than MAX_JSON_DEPTH (512)
 * containers; jansson would accept up to 2048. Scans the text, skipping
 * strings, so the limit is checked before jansson allocates anything. */
#define UNIVALUE_MAX_JSON_DEPTH 512
static bool too_deep(const char *s, size_t len) {
    size_t depth = 0;
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = false;
        } else if (c == '"') {
            in_str = true;
        } else if (c == '[' || c == '{') {
            if (++depth > UNIVALUE_MAX_JSON_DEPTH) return true;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return false;
}

static char *handle_parsed(blvm_rpc_table *t, blvm_node *node, json_t *v, const char *body,
                           size_t len, const char *user, int *http_status);

/* UniValue keeps a number as its text, so 99999999999999999999 or 1e400
 * parse, and a method reading them fails with "JSON integer out of range"
 * or "Invalid amount". jansson refuses both ("too big integer", "real
 * number overflow"). Returns a copy of the text where such integers become
 * reals (append ".0") and overflowing reals the largest double, so they
 * still parse as numbers that every handler rejects as Core does; NULL when
 * nothing needed rewriting (or on allocation failure). */
typedef struct {
    char *p;
    size_t len, cap;
    bool oom;
} text_buf;

static void tb_put(text_buf *b, const char *s, size_t n) {
    if (b->oom) return;
    if (b->len + n > b->cap) {
        size_t ncap = b->cap ? b->cap : 256;
        while (b->len + n > ncap) ncap *= 2;
        char *np = realloc(b->p, ncap);
        if (!np) {
            b->oom = true;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static char *tame_big_numbers(const char *s, size_t len, size_t *out_len) {
    text_buf b = {NULL, 0, 0, false};
    bool changed = false, in_str = false;
    size_t i = 0, copied = 0; /* s[copied, i) is pending verbatim text */
    while (i < len) {
        char c = s[i];
        if (in_str) {
            if (c == '\\') i++;
            else if (c == '"') in_str = false;
            i++;
            continue;
        }
        if (c == '"') in_str = true;
        if (!(c == '-' || (c >= '0' && c <= '9'))) {
            i++;
            continue;
        }
        size_t start = i;
        bool is_real = false;
        while (i < len && (s[i] == '-' || s[i] == '+' || s[i] == '.' || s[i] == 'e' ||
                           s[i] == 'E' || (s[i] >= '0' && s[i] <= '9'))) {
            if (s[i] == '.' || s[i] == 'e' || s[i] == 'E') is_real = true;
            i++;
        }
        size_t n = i - start;
        char tok[64];
        bool big = true; /* longer than any int64 or useful double text */
        if (n < sizeof tok) {
            memcpy(tok, s + start, n);
            tok[n] = '\0';
            errno = 0;
            if (is_real) {
                double d = strtod(tok, NULL);
                big = errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL);
            } else {
                (void)strtoll(tok, NULL, 10);
                big = errno == ERANGE;
            }
        }
        if (!big) continue;
        changed = true;
        if (!is_real && n <= 300) {
            /* An integer beyond int64: the same digits as a real (up to
             * 300 digits, which a double still holds). */
            tb_put(&b, s + copied, i - copied);
            tb_put(&b, ".0", 2);
        } else {
            tb_put(&b, s + copied, start - copied);
            const char *repl =
                s[start] == '-' ? "-1.7976931348623157e308" : "1.7976931348623157e308";
            tb_put(&b, repl, strlen(repl));
        }
        copied = i;
    }
    if (!changed || b.oom) {
        free(b.p);
        return NULL;
    }
    tb_put(&b, s + copied, len - copied);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    *out_len = b.len;
    return b.p;
}

char *blvm_rpc_handle_body(blvm_rpc_table *t, blvm_node *node, const char *body, size_t len,
                           const char *user, int *http_status) {
    json_error_t jerr;
    memset(&jerr, 0, sizeof jerr);
    bool deep = too_deep(body, len);
    json_t *v = deep ? NULL : json_loadb(body, len, JSON_DECODE_ANY, &jerr);
    char *tamed = NULL;
    if (!v && !deep && (strstr(jerr.text, "too big") || strstr(jerr.text, "overflow"))) {
        size_t tlen;
        tamed = tame_big_numbers(body, len, &tlen);
        if (tamed) {
            v = json_loadb(tamed, tlen, JSON_DECODE_ANY, &jerr);
            body = tamed;
            len = tlen;
        }
    }
    char *out = handle_parsed(t, node, v, body, len, user, http_status);
    free(tamed);
    return out;
}

/* The rest of blvm_rpc_handle_body, on the parsed document v (NULL: a
 * parse error); body/len is the text v came from. */
static char *handle_parsed(blvm_rpc_table *t, blvm_node *node, json_t *v, const char *body,
                           size_t len, const char *user, int *http_status) {
    /* Core's JSONRPCRequest starts with a null id and version 1. */
    json_t *null_id = json_null();
    rpc_request req;
    memset(&req, 0, sizeof req);
    req.version = V1_LEGACY;
    req.id = null_id;
    req.has_id = true;
    if (!v) {
        *http_status = 500;
        return finish_body(reply_obj(NULL, error_obj(BLVM_RPC_PARSE_ERROR, "Parse error"), &req));
    }
    json_t *reply = NULL;
    if (json_is_object(v)) {
        int code;
        const char *msg;
        if (!parse_request(v, &req, &code, &msg)) {
            *http_status = legacy_status(code);
            char *out = finish_body(reply_obj(NULL, error_obj(code, msg), &req));
            json_decref(v);
            return out;
        }
        find_dup_key(&req, body, 0, len);
        reply = exec_one(t, node, &req, user);
        free(req.dup_key);
        if (is_notification(&req)) {
            json_decref(reply);
            json_decref(v);
            *http_status = 204;
            return NULL;
        }
        /* 1.x: errors become HTTP errors; 2.0: HTTP 200 with the error. */
        json_t *e = json_object_get(reply, "error");
        if (req.version == V1_LEGACY && e && !json_is_null(e)) {
            *http_status = legacy_status((int)json_integer_value(json_object_get(e, "code")));
        } else {
            *http_status = 200;
        }
    } else if (json_is_array(v)) {
        reply = json_array();
        size_t n = json_array_size(v);
        size_t pos = 0, es = 0, ee = 0;
        for (size_t i = 0; i < n; i++) {
            int code;
            const char *msg;
            json_t *one;
            bool have_span = blvm_json_array_next(body, len, &pos, &es, &ee);
            if (!parse_request(json_array_get(v, i), &req, &code, &msg)) {
                one = reply_obj(NULL, error_obj(code, msg), &req);
            } else {
                if (have_span) find_dup_key(&req, body, es, ee);
                one = exec_one(t, node, &req, user);
                free(req.dup_key);
                req.dup_key = NULL;
            }
            if (is_notification(&req)) {
                json_decref(one);
            } else {
                json_array_append_new(reply, one);
            }
        }
        if (json_array_size(reply) == 0 && n > 0) {
            json_decref(reply);
            json_decref(v);
            *http_status = 204;
            return NULL;
        }
        *http_status = 200;
    } else {
        *http_status = 500;
        reply = reply_obj(NULL, error_obj(BLVM_RPC_PARSE_ERROR, "Top-level object parse error"),
                          &req);
    }
    char *out = finish_body(reply);
    json_decref(v);
    return out;
}

/* ---- helpers for handlers ---- */

const json_t *blvm_rpc_arg(const json_t *params, size_t i) {
    const json_t *v = json_array_get(params, i);
    if (!v || json_is_null(v)) return NULL;
    return v;
}

bool blvm_rpc_parse_hash(const json_t *v, const char *name, uint8_t out[32],
                         blvm_rpc_error *err) {
    if (!json_is_string(v)) {
        blvm_rpc_fail_type(err, v, "string");
        return false;
    }
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 64 && strlen(s) == 64 && blvm_hex_decode_hash(out, s)) return true;
    if (n != 64) {
        blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER, "%s must be of length 64 (not %zu, for '%s')",
                      name, n, s);
    } else {
        blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER, "%s must be hexadecimal string (not '%s')",
                      name, s);
    }
    return false;
}

bool blvm_rpc_parse_hex(const json_t *v, const char *name, uint8_t **out, size_t *out_len,
                        blvm_rpc_error *err) {
    *out = NULL;
    *out_len = 0;
    const char *s = json_is_string(v) ? json_string_value(v) : "";
    size_t n = json_is_string(v) ? json_string_length(v) : 0;
    if (!blvm_hex_is_valid(s, n)) {
        blvm_rpc_fail(err, BLVM_RPC_INVALID_PARAMETER, "%s must be hexadecimal string (not '%s')",
                      name, s);
        return false;
    }
    uint8_t *buf = blvm_hex_decode_alloc(s, out_len);
    if (!buf) {
        blvm_rpc_fail(err, BLVM_RPC_OUT_OF_MEMORY, "out of memory");
        return false;
    }
    *out = buf;
    return true;
}

/* Core's ParseFixedPoint with 8 decimals, on number text. */
static bool parse_fixed_point8(const char *s, int64_t *out) {
    bool neg = false;
    if (*s == '-') {
        neg = true;
        s++;
    }
    /* Collect significant digits and the decimal exponent. */
    int64_t mant = 0;
    int exp10 = 0, ndigits = 0;
    bool any = false;
    if (!isdigit((unsigned char)*s)) return false;
    if (*s == '0' && isdigit((unsigned char)s[1])) return false; /* no leading zeros */
    for (; isdigit((unsigned char)*s); s++) {
        any = true;
        if (mant == 0 && *s == '0') continue;
        if (++ndigits > 18) return false;
        mant = mant * 10 + (*s - '0');
    }
    if (*s == '.') {
        s++;
        if (!isdigit((unsigned char)*s)) return false;
        for (; isdigit((unsigned char)*s); s++) {
            exp10--;
            if (mant == 0 && *s == '0') continue;
            if (++ndigits > 18) return false;
            mant = mant * 10 + (*s - '0');
        }
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        bool eneg = false;
        if (*s == '+' || *s == '-') eneg = *s++ == '-';
        if (!isdigit((unsigned char)*s)) return false;
        int e = 0;
        for (; isdigit((unsigned char)*s); s++) {
            if (e > 10000) return false;
            e = e * 10 + (*s - '0');
        }
        exp10 += eneg ? -e : e;
    }
    if (*s != '\0' || !any) return false;
    /* value = mant * 10^exp10; satoshis = mant * 10^(exp10 + 8). */
    int shift = exp10 + 8;
    if (mant == 0) {
        *out = 0;
        return true;
    }
    while (shift < 0) {
        if (mant % 10) return false; /* more than 8 decimals */
        mant /= 10;
        shift++;
    }
    while (shift > 0) {
        if (mant > INT64_MAX / 10) return false;
        mant *= 10;
        shift--;
    }
    *out = neg ? -mant : mant;
    return true;
}

bool blvm_rpc_parse_amount(const json_t *v, int64_t *sats, blvm_rpc_error *err) {
    char text[64];
    const char *raw;
    if (json_is_integer(v)) {
        snprintf(text, sizeof text, "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        /* Shortest text that reads back as the same double: what the client
         * most likely wrote (0.1 rather than 0.1000000000000000055). */
        double d = json_real_value(v);
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(text, sizeof text, "%.*g", prec, d);
            if (strtod(text, NULL) == d) break;
        }
    } else if (blvm_json_is_raw_number(v, &raw)) {
        snprintf(text, sizeof text, "%s", raw);
    } else if (json_is_string(v)) {
        if (json_string_length(v) >= sizeof text) {
            blvm_rpc_fail(err, BLVM_RPC_TYPE_ERROR, "Invalid amount");
            return false;
        }
        snprintf(text, sizeof text, "%s", json_string_value(v));
    } else {
        blvm_rpc_fail(err, BLVM_RPC_TYPE_ERROR, "Amount is not a number or string");
        return false;
    }
    int64_t a;
    if (!parse_fixed_point8(text, &a)) {
        blvm_rpc_fail(err, BLVM_RPC_TYPE_ERROR, "Invalid amount");
        return false;
    }
    if (a < 0 || a > (int64_t)21000000 * 100000000) {
        blvm_rpc_fail(err, BLVM_RPC_TYPE_ERROR, "Amount out of range");
        return false;
    }
    *sats = a;
    return true;
}

json_t *blvm_rpc_amount_json(int64_t sats) {
    char buf[40];
    bool neg = sats < 0;
    uint64_t a = neg ? (uint64_t)0 - (uint64_t)sats : (uint64_t)sats;
    snprintf(buf, sizeof buf, "%s%llu.%08llu", neg ? "-" : "", (unsigned long long)(a / 100000000),
             (unsigned long long)(a % 100000000));
    return blvm_json_raw_number(buf);
}

bool blvm_rpc_parse_int32(const json_t *v, int32_t *out, blvm_rpc_error *err) {
    int64_t x;
    if (!blvm_rpc_parse_int(v, &x, err)) return false;
    if (x < INT32_MIN || x > INT32_MAX) {
        blvm_rpc_fail(err, BLVM_RPC_MISC_ERROR, "JSON integer out of range");
        return false;
    }
    *out = (int32_t)x;
    return true;
}

bool blvm_rpc_parse_int(const json_t *v, int64_t *out, blvm_rpc_error *err) {
    if (json_is_integer(v)) {
        *out = (int64_t)json_integer_value(v);
        return true;
    }
    if (json_is_real(v)) {
        blvm_rpc_fail(err, BLVM_RPC_MISC_ERROR, "JSON integer out of range");
        return false;
    }
    blvm_rpc_fail_type(err, v, "number");
    return false;
}
