/* JSON-RPC over HTTP: see server.h. Modelled on Bitcoin Core's httpserver.cpp
 * and httprpc.cpp: evhttp runs on one thread and only parses requests and
 * writes replies; the work (authentication included, since a failed login
 * sleeps 250 ms) runs on a pool of workers fed by a bounded queue. A worker
 * hands its reply back to the event thread with event_base_once, because
 * evhttp objects may only be touched from the loop's thread. */
#include "node/rpc/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/thread.h>
#include <event2/util.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "crypto/hmac_sha256.h"
#include "node/config.h"
#include "util/err.h"
#include "util/hex.h"
#include "util/log.h"

#define MAX_BODY_SIZE (32u * 1024 * 1024) /* Core's MAX_SIZE */
#define MAX_HEADERS_SIZE 8192
#define MAX_ENDPOINTS 16

typedef struct subnet {
    int family; /* AF_INET or AF_INET6 */
    uint8_t addr[16];
    uint8_t mask[16];
} subnet;

typedef struct job {
    struct evhttp_request *req;
    char *body;
    size_t body_len;
    char *auth;      /* Authorization header, NULL when absent */
    bool is_post;
    char peer[64];
    struct job *next;
} job;

typedef struct reply {
    blvm_rpc_server *s;
    struct evhttp_request *req;
    int status;
    char *body;
    bool json;
    bool www_auth;
} reply;

struct blvm_rpc_server {
    blvm_node *node;
    blvm_rpc_table *table;
    struct event_base *base;
    struct evhttp *http;
    pthread_t http_thread;
    bool http_thread_started;

    pthread_mutex_t mu;
    pthread_cond_t work_cv;
    pthread_cond_t idle_cv;
    job *head, *tail;
    size_t depth, max_depth;
    bool interrupted;
    size_t pending; /* accepted requests whose reply is not sent yet */
    pthread_t *workers;
    int nworkers;

    char *userpass; /* "user:pass" or the cookie; NULL when neither */
    char **rpcauth;
    size_t nrpcauth;
    char *cookie_path;
    bool wrote_cookie;

    subnet *allow;
    size_t nallow;
    uint16_t port;
};

/* ---- authentication ---- */

static int b64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Strict base64 (padding required, as Core's DecodeBase64). out must hold
 * len*3/4+1 bytes; NUL-terminated. */
static bool b64_decode(const char *in, size_t len, char *out, size_t *out_len) {
    if (len % 4) return false;
    size_t n = 0;
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            char c = in[i + (size_t)k];
            if (c == '=') {
                if (i + 4 != len || k < 2) return false;
                pad++;
                v[k] = 0;
            } else {
                if (pad) return false;
                v[k] = b64_value(c);
                if (v[k] < 0) return false;
            }
        }
        uint32_t x = ((uint32_t)v[0] << 18) | ((uint32_t)v[1] << 12) | ((uint32_t)v[2] << 6) |
                     (uint32_t)v[3];
        out[n++] = (char)(x >> 16);
        if (pad < 2) out[n++] = (char)(x >> 8);
        if (pad < 1) out[n++] = (char)x;
    }
    out[n] = '\0';
    *out_len = n;
    return true;
}

/* Compares without an early exit, so timing does not reveal a prefix. */
static bool timing_equal(const char *a, size_t alen, const char *b, size_t blen) {
    unsigned char acc = alen != blen;
    for (size_t i = 0; i < alen; i++) acc |= (unsigned char)(a[i] ^ b[blen ? i % blen : 0]);
    return acc == 0;
}

bool blvm_rpc_rpcauth_valid(const char *entry) {
    const char *colon = strchr(entry, ':');
    if (!colon || colon == entry || strchr(colon + 1, ':')) return false;
    const char *dollar = strchr(colon + 1, '$');
    if (!dollar || strchr(dollar + 1, '$')) return false;
    return true;
}

static bool check_rpcauth(const char *entry, const char *user, size_t ulen, const char *pass,
                          size_t plen) {
    if (!blvm_rpc_rpcauth_valid(entry)) return false;
    const char *colon = strchr(entry, ':');
    const char *dollar = strchr(colon + 1, '$');
    if ((size_t)(colon - entry) != ulen || memcmp(entry, user, ulen) != 0) return false;
    const char *salt = colon + 1;
    size_t salt_len = (size_t)(dollar - salt);
    uint8_t mac[32];
    blvm_hmac_sha256(mac, (const uint8_t *)salt, salt_len, (const uint8_t *)pass, plen);
    char hex[65];
    blvm_hex_encode(hex, mac, 32);
    const char *want = dollar + 1;
    return timing_equal(hex, 64, want, strlen(want));
}

bool blvm_rpc_check_auth(const char *header, const char *userpass, const char *const *rpcauth,
                         size_t nrpcauth, char *user, size_t userlen) {
    if (user && userlen) user[0] = '\0';
    if (!header || strncmp(header, "Basic ", 6) != 0) return false;
    const char *b = header + 6;
    while (*b == ' ' || *b == '\t') b++;
    size_t blen = strlen(b);
    while (blen > 0 && (b[blen - 1] == ' ' || b[blen - 1] == '\t' || b[blen - 1] == '\r'))
        blen--;
    if (blen > 4096) return false;
    char dec[3100];
    size_t dlen;
    if (!b64_decode(b, blen, dec, &dlen)) return false;
    const char *colon = memchr(dec, ':', dlen);
    if (!colon) return false;
    size_t ulen = (size_t)(colon - dec);
    if (user && userlen) snprintf(user, userlen, "%.*s", (int)ulen, dec);
    if (userpass && timing_equal(dec, dlen, userpass, strlen(userpass))) return true;
    for (size_t i = 0; i < nrpcauth; i++) {
        if (check_rpcauth(rpcauth[i], dec, ulen, colon + 1, dlen - ulen - 1)) return true;
    }
    return false;
}

/* Writes "__cookie__:<64 hex>" to a temporary file and renames it over the
 * cookie path, so a reader never sees half a cookie. */
static bool write_cookie(blvm_rpc_server *s, char *err, size_t errlen) {
    uint8_t rnd[32];
    if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
        blvm_err_set(err, errlen, "Unable to get random bytes for the RPC cookie: %s",
                     strerror(errno));
        return false;
    }
    char hex[65];
    blvm_hex_encode(hex, rnd, sizeof rnd);
    if (asprintf(&s->userpass, "__cookie__:%s", hex) < 0) {
        s->userpass = NULL;
        blvm_err_set(err, errlen, "out of memory");
        return false;
    }
    char *tmp = NULL;
    if (asprintf(&tmp, "%s.tmp", s->cookie_path) < 0) {
        blvm_err_set(err, errlen, "out of memory");
        return false;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    bool ok = fd >= 0;
    if (ok) {
        size_t n = strlen(s->userpass);
        ok = write(fd, s->userpass, n) == (ssize_t)n;
        ok = (close(fd) == 0) && ok;
    }
    if (ok) ok = rename(tmp, s->cookie_path) == 0;
    if (!ok) {
        blvm_err_set(err, errlen, "Unable to write the RPC authentication cookie %s: %s",
                     s->cookie_path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    s->wrote_cookie = ok;
    return ok;
}

/* ---- -rpcallowip ---- */

static bool parse_subnet(const char *spec, subnet *out) {
    char buf[128];
    if (strlen(spec) >= sizeof buf) return false;
    snprintf(buf, sizeof buf, "%s", spec);
    char *slash = strchr(buf, '/');
    if (slash) *slash++ = '\0';
    memset(out, 0, sizeof *out);
    size_t alen;
    if (inet_pton(AF_INET, buf, out->addr) == 1) {
        out->family = AF_INET;
        alen = 4;
    } else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
        out->family = AF_INET6;
        alen = 16;
    } else {
        return false;
    }
    if (!slash) {
        memset(out->mask, 0xff, alen);
        return true;
    }
    char *end;
    errno = 0;
    long bits = strtol(slash, &end, 10);
    if (*slash && *end == '\0' && !errno) {
        if (bits < 0 || (size_t)bits > alen * 8) return false;
        for (size_t i = 0; i < alen; i++) {
            long b = bits - (long)i * 8;
            out->mask[i] = b >= 8 ? 0xff : b <= 0 ? 0 : (uint8_t)(0xff << (8 - b));
        }
    } else {
        /* network/netmask */
        if (inet_pton(out->family, slash, out->mask) != 1) return false;
    }
    for (size_t i = 0; i < alen; i++) out->addr[i] &= out->mask[i];
    return true;
}

static bool client_allowed(const blvm_rpc_server *s, const struct sockaddr *sa) {
    uint8_t a[16];
    int fam;
    if (!sa) return false;
    if (sa->sa_family == AF_INET) {
        memcpy(a, &((const struct sockaddr_in *)sa)->sin_addr, 4);
        fam = AF_INET;
    } else if (sa->sa_family == AF_INET6) {
        const uint8_t *a6 = (const uint8_t *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(a6, mapped, 12) == 0) {
            memcpy(a, a6 + 12, 4);
            fam = AF_INET;
        } else {
            memcpy(a, a6, 16);
            fam = AF_INET6;
        }
    } else {
        return false;
    }
    size_t alen = fam == AF_INET ? 4 : 16;
    for (size_t i = 0; i < s->nallow; i++) {
        const subnet *n = &s->allow[i];
        if (n->family != fam) continue;
        bool match = true;
        for (size_t k = 0; k < alen && match; k++) match = (a[k] & n->mask[k]) == n->addr[k];
        if (match) return true;
    }
    return false;
}

static void peer_string(const struct sockaddr *sa, char *out, size_t outlen) {
    char host[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (sa && sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        port = ntohs(in->sin_port);
        snprintf(out, outlen, "%s:%u", host, port);
    } else if (sa && sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in->sin6_addr, host, sizeof host);
        port = ntohs(in->sin6_port);
        snprintf(out, outlen, "[%s]:%u", host, port);
    } else {
        snprintf(out, outlen, "?");
    }
}

/* ---- replies (event thread) ---- */

/* One request fewer in flight: wakes a shutdown waiting for them. */
static void request_done(blvm_rpc_server *s) {
    pthread_mutex_lock(&s->mu);
    s->pending--;
    pthread_cond_broadcast(&s->idle_cv);
    pthread_mutex_unlock(&s->mu);
}

static void send_reply_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    reply *r = arg;
    struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);
    if (r->json) evhttp_add_header(h, "Content-Type", "application/json");
    if (r->www_auth) evhttp_add_header(h, "WWW-Authenticate", "Basic realm=\"jsonrpc\"");
    struct evbuffer *buf = evbuffer_new();
    if (buf && r->body) evbuffer_add(buf, r->body, strlen(r->body));
    evhttp_send_reply(r->req, r->status, NULL, buf);
    if (buf) evbuffer_free(buf);
    blvm_rpc_server *s = r->s;
    free(r->body);
    free(r);
    request_done(s);
}

/* From a worker: queue the reply for the event thread. Takes body. */
static void post_reply(blvm_rpc_server *s, struct evhttp_request *req, int status, char *body,
                       bool json, bool www_auth) {
    reply *r = calloc(1, sizeof *r);
    if (!r) {
        /* Cannot even allocate the reply: leave the request; the client
         * times out. Account for it so shutdown does not wait. */
        free(body);
        request_done(s);
        return;
    }
    *r = (reply){s, req, status, body, json, www_auth};
    const struct timeval now = {0, 0};
    if (event_base_once(s->base, -1, EV_TIMEOUT, send_reply_cb, r, &now) != 0) {
        free(r->body);
        free(r);
        request_done(s);
    }
}

/* ---- workers ---- */

static void run_job(blvm_rpc_server *s, job *j) {
    if (!j->is_post) {
        post_reply(s, j->req, 405, strdup("JSONRPC server handles only POST requests"), false,
                   false);
        return;
    }
    if (!j->auth) {
        post_reply(s, j->req, 401, NULL, false, true);
        return;
    }
    char user[256];
    if (!blvm_rpc_check_auth(j->auth, s->userpass, (const char *const *)s->rpcauth, s->nrpcauth,
                             user, sizeof user)) {
        BLVM_LOG_RATELIMITED(BLVM_LOG_NONE, BLVM_LOG_WARNING,
                             "ThreadRPCServer incorrect password attempt from %s", j->peer);
        /* Deters brute-forcing (Core does the same). */
        const struct timespec pause = {0, 250 * 1000 * 1000};
        nanosleep(&pause, NULL);
        post_reply(s, j->req, 401, NULL, false, true);
        return;
    }
    int status = 500;
    char *body = blvm_rpc_handle_body(s->table, s->node, j->body, j->body_len, user, &status);
    post_reply(s, j->req, status, body, body != NULL, false);
}

static void *worker_main(void *arg) {
    blvm_rpc_server *s = arg;
    static atomic_int counter;
    char name[16];
    snprintf(name, sizeof name, "httpworker.%d", atomic_fetch_add(&counter, 1));
    blvm_log_set_thread_name(name);
    for (;;) {
        pthread_mutex_lock(&s->mu);
        while (!s->interrupted && !s->head) pthread_cond_wait(&s->work_cv, &s->mu);
        job *j = s->head;
        if (!j) {
            /* Interrupted and the queue is drained. */
            pthread_mutex_unlock(&s->mu);
            break;
        }
        s->head = j->next;
        if (!s->head) s->tail = NULL;
        s->depth--;
        pthread_mutex_unlock(&s->mu);
        run_job(s, j);
        free(j->body);
        free(j->auth);
        free(j);
    }
    return NULL;
}

/* ---- requests (event thread) ---- */

static void reply_now(struct evhttp_request *req, int status, const char *body) {
    struct evbuffer *buf = evbuffer_new();
    if (buf && body) evbuffer_add(buf, body, strlen(body));
    evhttp_send_reply(req, status, NULL, buf);
    if (buf) evbuffer_free(buf);
}

static void http_request_cb(struct evhttp_request *req, void *arg) {
    blvm_rpc_server *s = arg;
    struct evhttp_connection *conn = evhttp_request_get_connection(req);
    const struct sockaddr *sa = conn ? evhttp_connection_get_addr(conn) : NULL;
    char peer[64];
    peer_string(sa, peer, sizeof peer);
    if (!client_allowed(s, sa)) {
        BLVM_LOG_DEBUG(BLVM_LOG_HTTP,
                       "HTTP request from %s rejected: Client network is not allowed RPC access",
                       peer);
        reply_now(req, 403, NULL);
        return;
    }
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_POST && cmd != EVHTTP_REQ_HEAD &&
        cmd != EVHTTP_REQ_PUT) {
        reply_now(req, 405, NULL);
        return;
    }
    const char *uri = evhttp_request_get_uri(req);
    BLVM_LOG_DEBUG(BLVM_LOG_HTTP, "Received a %s request for %.100s from %s",
                   cmd == EVHTTP_REQ_POST ? "POST" : "GET", uri ? uri : "", peer);
    const char *path = uri ? uri : "/";
    if (!(strcmp(path, "/") == 0 || strncmp(path, "/wallet/", 8) == 0)) {
        reply_now(req, 404, NULL);
        return;
    }
    job *j = calloc(1, sizeof *j);
    if (!j) {
        reply_now(req, 500, NULL);
        return;
    }
    j->req = req;
    j->is_post = cmd == EVHTTP_REQ_POST;
    snprintf(j->peer, sizeof j->peer, "%s", peer);
    const char *auth = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
    if (auth) j->auth = strdup(auth);
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    j->body_len = evbuffer_get_length(in);
    j->body = malloc(j->body_len + 1);
    if (!j->body || (auth && !j->auth)) {
        free(j->body);
        free(j->auth);
        free(j);
        reply_now(req, 500, NULL);
        return;
    }
    evbuffer_copyout(in, j->body, j->body_len);
    j->body[j->body_len] = '\0';

    pthread_mutex_lock(&s->mu);
    const char *refuse = NULL;
    bool shutting_down = s->interrupted;
    if (s->interrupted) {
        refuse = "Service Unavailable";
    } else if (s->depth >= s->max_depth) {
        refuse = "Work queue depth exceeded";
    } else {
        if (s->tail) s->tail->next = j;
        else s->head = j;
        s->tail = j;
        s->depth++;
        s->pending++;
        pthread_cond_signal(&s->work_cv);
    }
    pthread_mutex_unlock(&s->mu);
    if (refuse) {
        free(j->body);
        free(j->auth);
        free(j);
        if (shutting_down) {
            /* Core's http_reject_request_cb once shutdown began. */
            BLVM_LOG_DEBUG(BLVM_LOG_HTTP, "Rejecting request while shutting down");
            evhttp_send_error(req, 503, NULL);
            return;
        }
        BLVM_LOG_RATELIMITED(BLVM_LOG_NONE, BLVM_LOG_WARNING,
                             "Request rejected because http work queue depth exceeded, it can be "
                             "increased with the -rpcworkqueue= setting");
        reply_now(req, 503, refuse);
    }
}

static void *http_thread_main(void *arg) {
    blvm_rpc_server *s = arg;
    blvm_log_set_thread_name("http");
    event_base_dispatch(s->base);
    return NULL;
}

/* ---- binding ---- */

static int bind_endpoint(const char *host, uint16_t port, int *err_out) {
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t len;
    int fam;
    struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        fam = AF_INET;
        in4->sin_family = AF_INET;
        in4->sin_port = htons(port);
        len = sizeof *in4;
    } else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        fam = AF_INET6;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        len = sizeof *in6;
    } else {
        *err_out = EINVAL;
        return -1;
    }
    int fd = socket(fam, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        *err_out = errno;
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fam == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 128) != 0) {
        *err_out = errno;
        close(fd);
        return -1;
    }
    return fd;
}

/* Splits "host", "host:port", "[v6]:port" or "v6". */
static bool split_host_port(const char *spec, char *host, size_t hostlen, uint16_t *port) {
    const char *colon = strrchr(spec, ':');
    if (spec[0] == '[') {
        const char *close = strchr(spec, ']');
        if (!close) return false;
        snprintf(host, hostlen, "%.*s", (int)(close - spec - 1), spec + 1);
        if (close[1] == ':') colon = close + 1;
        else if (close[1] == '\0') colon = NULL;
        else return false;
    } else if (colon && strchr(spec, ':') != colon) {
        /* Bare IPv6 address. */
        snprintf(host, hostlen, "%s", spec);
        colon = NULL;
    } else {
        snprintf(host, hostlen, "%.*s", colon ? (int)(colon - spec) : (int)strlen(spec), spec);
    }
    if (colon) {
        char *end;
        long p = strtol(colon + 1, &end, 10);
        if (*end || p < 1 || p > 65535) return false;
        *port = (uint16_t)p;
    }
    if (strcmp(host, "localhost") == 0) snprintf(host, hostlen, "127.0.0.1");
    return host[0] != '\0';
}

/* ---- life cycle ---- */

static pthread_once_t g_evthread_once = PTHREAD_ONCE_INIT;
static void evthread_init(void) {
    evthread_use_pthreads();
}

static void free_server(blvm_rpc_server *s) {
    if (s->http) evhttp_free(s->http);
    if (s->base) event_base_free(s->base);
    if (s->wrote_cookie && s->cookie_path) unlink(s->cookie_path);
    for (size_t i = 0; i < s->nrpcauth; i++) free(s->rpcauth[i]);
    free(s->rpcauth);
    free(s->userpass);
    free(s->cookie_path);
    free(s->allow);
    free(s->workers);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->work_cv);
    pthread_cond_destroy(&s->idle_cv);
    free(s);
}

blvm_rpc_server *blvm_rpc_server_start(blvm_node *node, const blvm_config *cfg, char *err,
                                       size_t errlen) {
    pthread_once(&g_evthread_once, evthread_init);
    blvm_rpc_server *s = calloc(1, sizeof *s);
    if (!s) {
        blvm_err_set(err, errlen, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->work_cv, NULL);
    pthread_cond_init(&s->idle_cv, NULL);
    s->node = node;
    s->table = node->rpc_table;
    s->max_depth = (size_t)blvm_config_get_int(cfg, "rpcworkqueue", 64);
    s->nworkers = (int)blvm_config_get_int(cfg, "rpcthreads", 16);
    s->port = blvm_config_rpc_port(cfg);

    /* -rpcallowip (loopback is always allowed, as in Core). */
    const char *const *allow;
    size_t nallow = blvm_config_get_list(cfg, "rpcallowip", &allow);
    s->allow = calloc(nallow + 2, sizeof *s->allow);
    if (!s->allow) goto oom;
    if (!parse_subnet("127.0.0.0/8", &s->allow[0]) || !parse_subnet("::1", &s->allow[1])) goto oom;
    s->nallow = 2;
    for (size_t i = 0; i < nallow; i++) {
        if (!parse_subnet(allow[i], &s->allow[s->nallow])) {
            blvm_err_set(
                err, errlen,
                "Invalid -rpcallowip subnet specification: %s. Valid values are a single IP "
                "(e.g. 1.2.3.4), a network/netmask (e.g. 1.2.3.4/255.255.255.0), a "
                "network/CIDR (e.g. 1.2.3.4/24), all ipv4 (0.0.0.0/0), or all ipv6 (::/0).",
                allow[i]);
            free_server(s);
            return NULL;
        }
        s->nallow++;
    }

    /* -rpcauth entries. */
    const char *const *auths;
    size_t nauth = blvm_config_get_list(cfg, "rpcauth", &auths);
    s->rpcauth = calloc(nauth + 1, sizeof *s->rpcauth);
    if (!s->rpcauth) goto oom;
    for (size_t i = 0; i < nauth; i++) {
        if (!blvm_rpc_rpcauth_valid(auths[i])) {
            blvm_err_set(err, errlen,
                         "Invalid -rpcauth argument (expected <USERNAME>:<SALT>$<HASH>).");
            free_server(s);
            return NULL;
        }
        s->rpcauth[i] = strdup(auths[i]);
        if (!s->rpcauth[i]) goto oom;
        s->nrpcauth++;
    }

    s->base = event_base_new();
    if (!s->base) goto oom;
    s->http = evhttp_new(s->base);
    if (!s->http) goto oom;
    evhttp_set_timeout(s->http, (int)blvm_config_get_int(cfg, "rpcservertimeout", 30));
    evhttp_set_max_headers_size(s->http, MAX_HEADERS_SIZE);
    evhttp_set_max_body_size(s->http, MAX_BODY_SIZE);
    /* Core's set: libevent itself answers 501 to the others (OPTIONS,
     * TRACE, ...), and http_request_cb 405 to DELETE. */
    evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE);
    evhttp_set_gencb(s->http, http_request_cb, s);

    /* Endpoints: loopback unless both -rpcallowip and -rpcbind are given. */
    char hosts[MAX_ENDPOINTS][64];
    uint16_t ports[MAX_ENDPOINTS];
    bool optional[MAX_ENDPOINTS];
    size_t nend = 0;
    const char *const *binds;
    size_t nbind = blvm_config_get_list(cfg, "rpcbind", &binds);
    if (nallow > 0 && nbind > 0) {
        for (size_t i = 0; i < nbind && nend < MAX_ENDPOINTS; i++) {
            ports[nend] = s->port;
            if (!split_host_port(binds[i], hosts[nend], sizeof hosts[nend], &ports[nend])) {
                blvm_err_set(err, errlen, "Invalid -rpcbind address: '%s'", binds[i]);
                free_server(s);
                return NULL;
            }
            optional[nend] = false;
            nend++;
        }
    } else {
        if (nbind > 0)
            BLVM_LOG_WARN("option -rpcbind was ignored because -rpcallowip was not specified, "
                          "refusing to allow everyone to connect");
        if (nallow > 0)
            BLVM_LOG_WARN("option -rpcallowip was specified without -rpcbind; this doesn't "
                          "usually make sense");
        snprintf(hosts[0], sizeof hosts[0], "127.0.0.1");
        ports[0] = s->port;
        optional[0] = false;
        /* IPv6 loopback may be missing (containers without IPv6). */
        snprintf(hosts[1], sizeof hosts[1], "::1");
        ports[1] = s->port;
        optional[1] = true;
        nend = 2;
    }
    size_t bound = 0;
    for (size_t i = 0; i < nend; i++) {
        int e = 0;
        int fd = bind_endpoint(hosts[i], ports[i], &e);
        if (fd < 0) {
            if (optional[i] && e != EADDRINUSE) {
                BLVM_LOG_INFO("Binding RPC on address %s port %u failed: %s (ignored)", hosts[i],
                              ports[i], strerror(e));
                continue;
            }
            blvm_err_set(err, errlen, "Unable to bind RPC server on address %s port %u: %s%s",
                         hosts[i], ports[i], strerror(e),
                         e == EADDRINUSE ? " (is another blvmd or bitcoind using this port? use "
                                           "-rpcport to choose another)"
                                         : "");
            free_server(s);
            return NULL;
        }
        if (!evhttp_accept_socket_with_handle(s->http, fd)) {
            close(fd);
            blvm_err_set(err, errlen, "Unable to listen for RPC on %s port %u", hosts[i], ports[i]);
            free_server(s);
            return NULL;
        }
        BLVM_LOG_INFO("Binding RPC on address %s port %u", hosts[i], ports[i]);
        bound++;
    }
    if (bound == 0) {
        blvm_err_set(err, errlen, "Unable to bind any endpoint for RPC server");
        free_server(s);
        return NULL;
    }

    /* Credentials: the cookie unless -rpcpassword is set. */
    const char *pass = blvm_config_get_str(cfg, "rpcpassword", "");
    if (pass[0] == '\0' || blvm_config_is_negated(cfg, "rpcpassword")) {
        s->cookie_path = blvm_config_netdir_path(cfg, "rpccookiefile", ".cookie");
        if (!s->cookie_path) goto oom;
        if (!write_cookie(s, err, errlen)) {
            free_server(s);
            return NULL;
        }
        BLVM_LOG_INFO("Using random cookie authentication (%s).", s->cookie_path);
    } else {
        const char *u = blvm_config_get_str(cfg, "rpcuser", "");
        if (asprintf(&s->userpass, "%s:%s", u, pass) < 0) {
            s->userpass = NULL;
            goto oom;
        }
    }

    s->workers = calloc((size_t)s->nworkers, sizeof *s->workers);
    if (!s->workers) goto oom;
    for (int i = 0; i < s->nworkers; i++) {
        if (pthread_create(&s->workers[i], NULL, worker_main, s) != 0) {
            blvm_err_set(err, errlen, "Unable to start RPC worker threads");
            s->nworkers = i;
            blvm_rpc_server_stop(s);
            return NULL;
        }
    }
    if (pthread_create(&s->http_thread, NULL, http_thread_main, s) != 0) {
        blvm_err_set(err, errlen, "Unable to start the HTTP thread");
        blvm_rpc_server_stop(s);
        return NULL;
    }
    s->http_thread_started = true;
    BLVM_LOG_INFO("Started JSON-RPC server with %d worker threads on port %u", s->nworkers,
                  s->port);
    return s;
oom:
    blvm_err_set(err, errlen, "out of memory starting the RPC server");
    free_server(s);
    return NULL;
}

uint16_t blvm_rpc_server_port(const blvm_rpc_server *s) {
    return s->port;
}

void blvm_rpc_server_interrupt(blvm_rpc_server *s) {
    if (!s) return;
    pthread_mutex_lock(&s->mu);
    s->interrupted = true;
    pthread_cond_broadcast(&s->work_cv);
    pthread_mutex_unlock(&s->mu);
}

void blvm_rpc_server_stop(blvm_rpc_server *s) {
    if (!s) return;
    blvm_rpc_server_interrupt(s);
    for (int i = 0; i < s->nworkers; i++) pthread_join(s->workers[i], NULL);
    if (s->http_thread_started) {
        /* Let the event thread send the replies the workers posted (the
         * `stop` RPC's own reply among them), then end its loop. */
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += 5;
        pthread_mutex_lock(&s->mu);
        while (s->pending > 0) {
            if (pthread_cond_timedwait(&s->idle_cv, &s->mu, &deadline) != 0) break;
        }
        pthread_mutex_unlock(&s->mu);
        /* A short grace period lets libevent flush the sockets. */
        const struct timeval grace = {0, 100 * 1000};
        event_base_loopexit(s->base, &grace);
        pthread_join(s->http_thread, NULL);
    }
    free_server(s);
}
