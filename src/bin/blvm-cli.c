/* blvm-cli: command-line JSON-RPC client with bitcoin-cli's conventions.
 *
 *   blvm-cli [options] <command> [params]      positional parameters
 *   blvm-cli [options] -named <command> [name=value]...
 *
 * Parameters are sent as strings except those that bitcoin-cli converts to
 * JSON (the table below, from Core's src/rpc/client.cpp). Results: a string
 * is printed raw, null prints nothing, anything else as JSON indented by 2.
 * Errors go to stderr as "error code: N\nerror message:\n..." and the exit
 * status is abs(N) (modulo 256), exactly what bitcoin-cli does; connection
 * and HTTP failures exit with 1. Credentials: -rpcuser/-rpcpassword, else
 * the cookie file in the network's data dir. */
#include <errno.h>
#include <jansson.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "node/config.h"
#include "node/rpc/json.h"
#include "node/rpc/rpc.h"

/* Core's vRPCConvertParams for the methods blvmd serves (issue 3) and a
 * few common others; also_string: fall back to a string when the text is
 * not JSON (hash_or_height parameters). */
static const struct {
    const char *method;
    int idx;
    const char *name;
    bool also_string;
} g_convert[] = {
    {"generatetoaddress", 0, "nblocks", false},
    {"generatetoaddress", 2, "maxtries", false},
    {"generatetodescriptor", 0, "num_blocks", false},
    {"generatetodescriptor", 2, "maxtries", false},
    {"generateblock", 1, "transactions", false},
    {"generateblock", 2, "submit", false},
    {"getnetworkhashps", 0, "nblocks", false},
    {"getnetworkhashps", 1, "height", false},
    {"getblockhash", 0, "height", false},
    {"waitforblockheight", 0, "height", false},
    {"waitforblockheight", 1, "timeout", false},
    {"waitforblock", 1, "timeout", false},
    {"waitfornewblock", 0, "timeout", false},
    {"getblock", 1, "verbosity", false},
    {"getblock", 1, "verbose", false},
    {"getblockheader", 1, "verbose", false},
    {"getchaintxstats", 0, "nblocks", false},
    {"getrawtransaction", 1, "verbosity", false},
    {"getrawtransaction", 1, "verbose", false},
    {"createrawtransaction", 0, "inputs", false},
    {"createrawtransaction", 1, "outputs", false},
    {"createrawtransaction", 2, "locktime", false},
    {"createrawtransaction", 3, "replaceable", false},
    {"decoderawtransaction", 1, "iswitness", false},
    {"sendrawtransaction", 1, "maxfeerate", false},
    {"sendrawtransaction", 2, "maxburnamount", false},
    {"testmempoolaccept", 0, "rawtxs", false},
    {"testmempoolaccept", 1, "maxfeerate", false},
    {"gettxout", 1, "n", false},
    {"gettxout", 2, "include_mempool", false},
    {"gettxoutproof", 0, "txids", false},
    {"gettxoutsetinfo", 1, "hash_or_height", true},
    {"gettxoutsetinfo", 2, "use_index", false},
    {"getblockstats", 0, "hash_or_height", true},
    {"getblockstats", 1, "stats", false},
    {"getblocktemplate", 0, "template_request", false},
    {"getrawmempool", 0, "verbose", false},
    {"getrawmempool", 1, "mempool_sequence", false},
    {"getmempoolancestors", 1, "verbose", false},
    {"getmempooldescendants", 1, "verbose", false},
    {"pruneblockchain", 0, "height", false},
    {"verifychain", 0, "checklevel", false},
    {"verifychain", 1, "nblocks", false},
    {"deriveaddresses", 1, "range", false},
    {"scantxoutset", 1, "scanobjects", false},
    {"logging", 0, "include", false},
    {"logging", 1, "exclude", false},
    {"stop", 0, "wait", false},
    {"setmocktime", 0, "timestamp", false},
    {"setnetworkactive", 0, "state", false},
    {"disconnectnode", 1, "nodeid", false},
    {"getnodeaddresses", 0, "count", false},
    {"setban", 2, "bantime", false},
    {"setban", 3, "absolute", false},
    {"estimatesmartfee", 0, "conf_target", false},
    {"prioritisetransaction", 1, "dummy", false},
    {"prioritisetransaction", 2, "fee_delta", false},
    {"submitpackage", 0, "package", false},
    {"combinerawtransaction", 0, "txs", false},
    {"echojson", 0, "arg0", false},
    {"echojson", 1, "arg1", false},
    {"echojson", 2, "arg2", false},
    {"echojson", 3, "arg3", false},
    {"echojson", 4, "arg4", false},
    {"echojson", 5, "arg5", false},
    {"echojson", 6, "arg6", false},
    {"echojson", 7, "arg7", false},
    {"echojson", 8, "arg8", false},
    {"echojson", 9, "arg9", false},
};

static int find_convert(const char *method, int idx, const char *name) {
    for (size_t i = 0; i < BLVM_ARRAY_LEN(g_convert); i++) {
        if (strcmp(g_convert[i].method, method) != 0) continue;
        if (name ? strcmp(g_convert[i].name, name) == 0 : g_convert[i].idx == idx) return (int)i;
    }
    return -1;
}

/* A plain JSON number keeps its exact text (amounts such as 0.1). */
static bool is_number_text(const char *s) {
    const char *p = s;
    if (*p == '-') p++;
    if (!(*p >= '0' && *p <= '9')) return false;
    while (*p >= '0' && *p <= '9') p++;
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9')) return false;
        while (*p >= '0' && *p <= '9') p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!(*p >= '0' && *p <= '9')) return false;
        while (*p >= '0' && *p <= '9') p++;
    }
    return *p == '\0' && strlen(s) <= 64;
}

/* Core's ArgToUniValue. NULL (with message printed) on bad JSON. */
static json_t *arg_to_json(const char *method, int idx, const char *name, const char *text) {
    int c = find_convert(method, idx, name);
    if (c < 0) return json_string(text);
    if (is_number_text(text)) return blvm_json_raw_number(text);
    json_error_t jerr;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (v) return v;
    if (g_convert[c].also_string) return json_string(text);
    fprintf(stderr, "error: Error parsing JSON: %s\n", text);
    return NULL;
}

/* ---- HTTP ---- */

typedef struct {
    int status;
    char *body;
    size_t body_len;
    bool connect_failed;
} http_result;

static bool b64_encode(const char *in, size_t n, char *out, size_t outcap) {
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if ((n + 2) / 3 * 4 + 1 > outcap) return false;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)(unsigned char)in[i] << 16;
        if (i + 1 < n) v |= (uint32_t)(unsigned char)in[i + 1] << 8;
        if (i + 2 < n) v |= (uint32_t)(unsigned char)in[i + 2];
        out[o++] = tbl[(v >> 18) & 63];
        out[o++] = tbl[(v >> 12) & 63];
        out[o++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? tbl[v & 63] : '=';
    }
    out[o] = '\0';
    return true;
}

static int connect_to(const char *host, uint16_t port, int timeout) {
    char ports[8];
    snprintf(ports, sizeof ports, "%u", port);
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, ports, &hints, &res) != 0) return -1;
    int fd = -1;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd >= 0 && timeout > 0) {
        struct timeval tv = {timeout, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    }
    return fd;
}

static bool write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static bool http_post(const char *host, uint16_t port, const char *path, const char *auth,
                      const char *body, int timeout, http_result *out) {
    memset(out, 0, sizeof *out);
    int fd = connect_to(host, port, timeout);
    if (fd < 0) {
        out->connect_failed = true;
        return false;
    }
    char authb64[1024];
    if (!b64_encode(auth, strlen(auth), authb64, sizeof authb64)) {
        close(fd);
        return false;
    }
    char *req = NULL;
    int rl = asprintf(&req,
                      "POST %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n"
                      "Authorization: Basic %s\r\nContent-Type: application/json\r\n"
                      "Content-Length: %zu\r\n\r\n%s",
                      path, host, authb64, strlen(body), body);
    if (rl < 0) {
        close(fd);
        return false;
    }
    bool ok = write_all(fd, req, (size_t)rl);
    free(req);
    size_t cap = 65536, len = 0;
    char *buf = ok ? malloc(cap) : NULL;
    while (buf) {
        if (len + 65536 > cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t r = recv(fd, buf + len, cap - len - 1, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        len += (size_t)r;
    }
    close(fd);
    if (!buf) return false;
    buf[len] = '\0';
    int status = 0;
    if (sscanf(buf, "HTTP/%*d.%*d %d", &status) != 1) {
        free(buf);
        return false;
    }
    char *hdr_end = strstr(buf, "\r\n\r\n");
    if (!hdr_end) {
        free(buf);
        return false;
    }
    char *b = hdr_end + 4;
    size_t blen = len - (size_t)(b - buf);
    /* evhttp answers "Connection: close" requests with a Content-Length;
     * honour it when present. */
    *hdr_end = '\0';
    for (char *h = buf; (h = strcasestr(h, "\r\nContent-Length:")) != NULL; h++) {
        unsigned long cl = strtoul(h + 17, NULL, 10);
        if (cl < blen) blen = cl;
        break;
    }
    out->status = status;
    out->body = malloc(blen + 1);
    if (!out->body) {
        free(buf);
        return false;
    }
    memcpy(out->body, b, blen);
    out->body[blen] = '\0';
    out->body_len = blen;
    free(buf);
    return true;
}

static char *read_line(FILE *f) {
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, f);
    if (n < 0) {
        free(line);
        return NULL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
    return line;
}

int main(int argc, char **argv) {
    char err[1024];
    blvm_config_options opts = {
        .specs = blvm_config_cli_args,
        .nspecs = blvm_config_cli_args_count,
        .ignore_unknown_conf_keys = true,
        .allow_positional = true,
    };
    blvm_config *cfg = blvm_config_load(&opts, argc, argv, err, sizeof err);
    if (!cfg) {
        fprintf(stderr, "error: %s\n", err);
        return 1;
    }
    if (blvm_config_get_bool(cfg, "help", false) || blvm_config_get_bool(cfg, "?", false) ||
        blvm_config_get_bool(cfg, "h", false)) {
        blvm_config_print_help(blvm_config_cli_args, blvm_config_cli_args_count,
                               "blvm-cli version v" BLVM_VERSION
                               "\n\nUsage:  blvm-cli [options] <command> [params]\n"
                               "or:     blvm-cli [options] -named <command> [name=value]...\n"
                               "or:     blvm-cli [options] help <command>");
        blvm_config_destroy(cfg);
        return 0;
    }
    if (blvm_config_get_bool(cfg, "version", false)) {
        printf("blvm-cli version v%s\n", BLVM_VERSION);
        blvm_config_destroy(cfg);
        return 0;
    }
    int rc = 1;
    char **words = NULL;
    size_t nwords = 0;
    char *userpass = NULL;
    json_t *params = NULL;
    char *body = NULL;
    char *stdin_pass = NULL;

    /* Words: the command line, then stdin lines with -stdin. */
    char *const *pos;
    size_t npos = blvm_config_positional(cfg, &pos);
    size_t wcap = npos + 16;
    words = calloc(wcap, sizeof *words);
    if (!words) goto out;
    for (size_t i = 0; i < npos; i++) words[nwords++] = strdup(pos[i]);
    if (blvm_config_get_bool(cfg, "stdinrpcpass", false)) {
        stdin_pass = read_line(stdin);
        if (!stdin_pass) {
            fprintf(stderr, "error: -stdinrpcpass specified but failed to read from standard input\n");
            goto out;
        }
    }
    if (blvm_config_get_bool(cfg, "stdin", false)) {
        char *line;
        while ((line = read_line(stdin)) != NULL) {
            if (nwords + 1 >= wcap) {
                char **nw = realloc(words, wcap * 2 * sizeof *words);
                if (!nw) {
                    free(line);
                    goto out;
                }
                words = nw;
                wcap *= 2;
            }
            words[nwords++] = line;
        }
    }
    if (nwords == 0) {
        fprintf(stderr, "error: too few parameters (need at least command)\n");
        goto out;
    }
    const char *method = words[0];

    /* Parameters. */
    if (blvm_config_get_bool(cfg, "named", false)) {
        params = json_object();
        json_t *positional = json_array();
        for (size_t i = 1; i < nwords; i++) {
            char *eq = strchr(words[i], '=');
            json_t *v;
            if (!eq) {
                v = arg_to_json(method, (int)json_array_size(positional), NULL, words[i]);
                if (!v) {
                    json_decref(positional);
                    goto out;
                }
                json_array_append_new(positional, v);
                continue;
            }
            *eq = '\0';
            v = arg_to_json(method, -1, words[i], eq + 1);
            if (!v) {
                json_decref(positional);
                goto out;
            }
            json_object_set_new(params, words[i], v);
        }
        if (json_array_size(positional) > 0 && !json_object_get(params, "args"))
            json_object_set_new(params, "args", positional);
        else
            json_decref(positional);
    } else {
        params = json_array();
        for (size_t i = 1; i < nwords; i++) {
            json_t *v = arg_to_json(method, (int)i - 1, NULL, words[i]);
            if (!v) goto out;
            json_array_append_new(params, v);
        }
    }
    json_t *req = json_object();
    json_object_set_new(req, "jsonrpc", json_string("1.0"));
    json_object_set_new(req, "id", json_integer(1));
    json_object_set_new(req, "method", json_string(method));
    json_object_set(req, "params", params);
    body = blvm_json_write(req, 0);
    json_decref(req);
    if (!body) goto out;

    /* Where to, and who we are. */
    char host[256];
    snprintf(host, sizeof host, "%s", blvm_config_get_str(cfg, "rpcconnect", "127.0.0.1"));
    uint16_t port = blvm_config_rpc_port(cfg);
    {
        /* -rpcconnect=host:port (an explicit -rpcport wins). */
        char *colon = strrchr(host, ':');
        if (colon && strchr(host, ':') == colon && host[0] != '[') {
            *colon = '\0';
            if (!blvm_config_is_set(cfg, "rpcport")) port = (uint16_t)atoi(colon + 1);
        }
    }
    char path[512] = "/";
    const char *wallet = blvm_config_get_str(cfg, "rpcwallet", NULL);
    if (wallet) snprintf(path, sizeof path, "/wallet/%s", wallet);
    int timeout = (int)blvm_config_get_int(cfg, "rpcclienttimeout", 900);
    bool wait = blvm_config_get_bool(cfg, "rpcwait", false);
    int64_t wait_timeout = blvm_config_get_int(cfg, "rpcwaittimeout", 0);
    time_t started = time(NULL);

    http_result res;
    for (;;) {
        free(userpass);
        userpass = NULL;
        const char *pass = stdin_pass ? stdin_pass : blvm_config_get_str(cfg, "rpcpassword", "");
        if (pass[0] == '\0') {
            /* The cookie is rewritten at every blvmd start: read it per try. */
            char *cookie = blvm_config_netdir_path(cfg, "rpccookiefile", ".cookie");
            FILE *f = cookie ? fopen(cookie, "r") : NULL;
            if (f) {
                userpass = read_line(f);
                fclose(f);
            }
            free(cookie);
            if (!userpass && !wait) {
                fprintf(stderr,
                        "error: Could not locate RPC credentials. No authentication cookie could "
                        "be found, and RPC password is not set.  See -rpcpassword and "
                        "-stdinrpcpass.  Data directory: %s\n",
                        blvm_config_netdir(cfg));
                goto out;
            }
        } else {
            if (asprintf(&userpass, "%s:%s", blvm_config_get_str(cfg, "rpcuser", ""), pass) < 0)
                userpass = NULL;
        }
        bool ok = userpass && http_post(host, port, path, userpass, body, timeout, &res);
        bool retry = false;
        if (!ok) {
            retry = wait;
        } else if (wait && res.status == 200) {
            /* Still warming up: wait like bitcoin-cli -rpcwait. */
            json_t *r = json_loads(res.body, 0, NULL);
            json_t *e = r ? json_object_get(r, "error") : NULL;
            if (e && json_integer_value(json_object_get(e, "code")) == BLVM_RPC_IN_WARMUP)
                retry = true;
            json_decref(r);
        } else if (wait && res.status == 500 && res.body) {
            json_t *r = json_loads(res.body, 0, NULL);
            json_t *e = r ? json_object_get(r, "error") : NULL;
            if (e && json_integer_value(json_object_get(e, "code")) == BLVM_RPC_IN_WARMUP)
                retry = true;
            json_decref(r);
        }
        if (retry && (wait_timeout <= 0 || time(NULL) - started < wait_timeout)) {
            if (ok) free(res.body);
            const struct timespec ts = {1, 0};
            nanosleep(&ts, NULL);
            continue;
        }
        if (!ok) {
            if (wait && wait_timeout > 0) {
                fprintf(stderr, "error: timeout on transient error: Could not connect to the "
                                "server %s:%u\n",
                        host, port);
            } else {
                fprintf(stderr,
                        "error: Could not connect to the server %s:%u\n\nMake sure the blvmd "
                        "server is running and that you are connecting to the correct RPC port.\n",
                        host, port);
            }
            goto out;
        }
        break;
    }

    if (res.status == 401) {
        fprintf(stderr, "error: Authorization failed: Incorrect rpcuser or rpcpassword\n");
        free(res.body);
        goto out;
    }
    if (res.status >= 400 && res.status != 400 && res.status != 404 && res.status != 500) {
        fprintf(stderr, "error: server returned HTTP error %d\n", res.status);
        free(res.body);
        goto out;
    }
    if (res.body_len == 0) {
        fprintf(stderr, "error: no response from server\n");
        free(res.body);
        goto out;
    }
    json_error_t jerr;
    json_t *reply = json_loadb(res.body, res.body_len, 0, &jerr);
    if (!json_is_object(reply)) {
        fprintf(stderr, "error: couldn't parse reply from server\n");
        json_decref(reply);
        free(res.body);
        goto out;
    }
    json_t *error = json_object_get(reply, "error");
    if (error && !json_is_null(error)) {
        json_t *code = json_object_get(error, "code");
        json_t *msg = json_object_get(error, "message");
        if (json_is_object(error)) {
            if (code) fprintf(stderr, "error code: %lld\n", (long long)json_integer_value(code));
            if (json_is_string(msg)) fprintf(stderr, "error message:\n%s\n", json_string_value(msg));
        } else {
            char *t = blvm_json_write(error, 0);
            fprintf(stderr, "error: %s\n", t ? t : "");
            free(t);
        }
        long long c = json_integer_value(code);
        rc = (int)((c < 0 ? -c : c) & 0xff);
        if (rc == 0) rc = 1;
        json_decref(reply);
        free(res.body);
        goto out;
    }
    json_t *result = json_object_get(reply, "result");
    if (json_is_string(result)) {
        printf("%s\n", json_string_value(result));
    } else if (result && !json_is_null(result)) {
        /* Re-indent the server's own text so numbers keep their digits. */
        size_t s, e;
        char *t = NULL;
        if (blvm_json_find_member(res.body, res.body_len, "result", &s, &e))
            t = blvm_json_reformat(res.body + s, e - s, 2);
        if (!t) t = blvm_json_write(result, 2);
        printf("%s\n", t ? t : "");
        free(t);
    }
    json_decref(reply);
    free(res.body);
    rc = 0;
out:
    fflush(stdout);
    free(body);
    json_decref(params);
    free(userpass);
    free(stdin_pass);
    if (words)
        for (size_t i = 0; i < nwords; i++) free(words[i]);
    free(words);
    blvm_config_destroy(cfg);
    return rc;
}
