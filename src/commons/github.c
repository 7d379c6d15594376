#include "commons/github.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"
#include "util/os.h"

/* JSON answers above this are refused: the API never sends that much, and a
 * hostile or broken server must not make us allocate without bound. */
#define GH_MAX_JSON_BYTES       (64u * 1024u * 1024u)
#define GH_DEFAULT_MAX_DOWNLOAD ((uint64_t)2 * 1024 * 1024 * 1024)

struct blvm_github {
    char *base_url;
    char *token;
    char *user_agent;
    long connect_timeout_ms;
    long timeout_ms;
    int max_retries;
    long retry_base_ms;
    long max_wait_ms;
    pthread_mutex_t lock; /* guards the rate-limit fields */
    long rl_remaining;    /* -1: unknown */
    int64_t rl_reset;     /* epoch seconds */
};

static pthread_once_t g_curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static char *dup_or_null(const char *s) {
    return s ? strdup(s) : NULL;
}

void blvm_github_options_init(blvm_github_options *opt) {
    memset(opt, 0, sizeof(*opt));
    opt->base_url = "https://api.github.com";
    opt->connect_timeout_ms = 10000;
    opt->timeout_ms = 60000;
    opt->max_retries = 4;
    opt->retry_base_ms = 500;
    opt->max_wait_ms = 60000;
}

const char *blvm_github_token_from_env(void) {
    const char *t = getenv("BLVM_GITHUB_TOKEN");
    if (t && *t) return t;
    t = getenv("GITHUB_TOKEN");
    if (t && *t) return t;
    return NULL;
}

blvm_github *blvm_github_create(const blvm_github_options *opt) {
    if (!opt || !opt->base_url || !*opt->base_url) return NULL;
    pthread_once(&g_curl_once, curl_init_once);
    blvm_github *gh = calloc(1, sizeof(*gh));
    if (!gh) return NULL;
    size_t n = strlen(opt->base_url);
    while (n > 0 && opt->base_url[n - 1] == '/')
        n--;
    gh->base_url = strndup(opt->base_url, n);
    gh->token = dup_or_null(opt->token);
    gh->user_agent = strdup(opt->user_agent ? opt->user_agent : "blvm-commons");
    if (!gh->base_url || !gh->user_agent || (opt->token && !gh->token)) {
        blvm_github_destroy(gh);
        return NULL;
    }
    gh->connect_timeout_ms = opt->connect_timeout_ms > 0 ? opt->connect_timeout_ms : 10000;
    gh->timeout_ms = opt->timeout_ms > 0 ? opt->timeout_ms : 60000;
    gh->max_retries = opt->max_retries < 0 ? 0 : opt->max_retries;
    gh->retry_base_ms = opt->retry_base_ms > 0 ? opt->retry_base_ms : 500;
    gh->max_wait_ms = opt->max_wait_ms > 0 ? opt->max_wait_ms : 60000;
    gh->rl_remaining = -1;
    pthread_mutex_init(&gh->lock, NULL);
    return gh;
}

void blvm_github_destroy(blvm_github *gh) {
    if (!gh) return;
    free(gh->base_url);
    if (gh->token) {
        /* The token is a secret: don't leave it in freed memory. */
        volatile char *p = gh->token;
        while (*p)
            *p++ = 0;
        free(gh->token);
    }
    free(gh->user_agent);
    pthread_mutex_destroy(&gh->lock);
    free(gh);
}

void blvm_github_response_clear(blvm_github_response *resp) {
    if (!resp) return;
    free(resp->body);
    memset(resp, 0, sizeof(*resp));
}

char *blvm_github_urlencode(const char *s) {
    static const char hexd[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *out = malloc(3 * n + 1);
    if (!out) return NULL;
    char *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            *o++ = (char)c;
        } else {
            *o++ = '%';
            *o++ = hexd[c >> 4];
            *o++ = hexd[c & 15];
        }
    }
    *o = 0;
    return out;
}

/* Where an answer's body goes: memory (bounded) or a file (bounded). */
typedef struct {
    char *buf;
    size_t len, cap;
    FILE *file;
    uint64_t file_bytes;
    uint64_t max;
    bool too_big;
} sink;

static size_t sink_write(char *ptr, size_t size, size_t nmemb, void *ud) {
    sink *s = ud;
    size_t n = size * nmemb;
    if (s->file) {
        if (s->file_bytes + n > s->max) {
            s->too_big = true;
            return 0;
        }
        if (fwrite(ptr, 1, n, s->file) != n) return 0;
        s->file_bytes += n;
        return n;
    }
    if (s->len + n > s->max) {
        s->too_big = true;
        return 0;
    }
    if (s->len + n + 1 > s->cap) {
        size_t nc = s->cap ? s->cap : 4096;
        while (nc < s->len + n + 1)
            nc *= 2;
        char *nb = realloc(s->buf, nc);
        if (!nb) return 0;
        s->buf = nb;
        s->cap = nc;
    }
    memcpy(s->buf + s->len, ptr, n);
    s->len += n;
    s->buf[s->len] = 0;
    return n;
}

/* Rate-limit and retry headers of one answer. Redirects reset them, so only
 * the final answer's values count. */
typedef struct {
    long retry_after; /* seconds, -1 none */
    long remaining;   /* -1 none */
    int64_t reset;    /* -1 none */
} rl_headers;

static bool header_value(const char *line, size_t n, const char *name, char *out, size_t outcap) {
    size_t nl = strlen(name);
    if (n <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':') return false;
    const char *v = line + nl + 1;
    const char *end = line + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    size_t len = (size_t)(end - v);
    if (len >= outcap) return false;
    memcpy(out, v, len);
    out[len] = 0;
    return true;
}

static bool parse_long(const char *s, long long *out) {
    if (!*s) return false;
    char *e;
    errno = 0;
    long long v = strtoll(s, &e, 10);
    if (errno || *e || v < 0) return false;
    *out = v;
    return true;
}

static size_t header_cb(char *buffer, size_t size, size_t nitems, void *ud) {
    rl_headers *h = ud;
    size_t n = size * nitems;
    char val[64];
    long long v;
    if (n >= 5 && strncmp(buffer, "HTTP/", 5) == 0) {
        /* A new answer (after a redirect or 100-continue). */
        h->retry_after = h->remaining = -1;
        h->reset = -1;
    } else if (header_value(buffer, n, "Retry-After", val, sizeof(val)) && parse_long(val, &v)) {
        h->retry_after = (long)(v > 86400 ? 86400 : v);
    } else if (header_value(buffer, n, "X-RateLimit-Remaining", val, sizeof(val)) &&
               parse_long(val, &v)) {
        h->remaining = (long)(v > 1000000000 ? 1000000000 : v);
    } else if (header_value(buffer, n, "X-RateLimit-Reset", val, sizeof(val)) &&
               parse_long(val, &v)) {
        h->reset = (int64_t)v;
    }
    return n;
}

/* Request body: memory or a file re-read on every attempt. */
typedef struct {
    const char *data;
    size_t len;
    const char *path;
    const char *content_type;
} req_body;

typedef struct {
    FILE *f;
} upload_state;

static size_t read_cb(char *buffer, size_t size, size_t nitems, void *ud) {
    upload_state *u = ud;
    return fread(buffer, 1, size * nitems, u->f);
}

static char *full_url(const blvm_github *gh, const char *path) {
    if (strncmp(path, "http://", 7) == 0 || strncmp(path, "https://", 8) == 0) return strdup(path);
    size_t n = strlen(gh->base_url) + strlen(path) + 2;
    char *u = malloc(n);
    if (!u) return NULL;
    snprintf(u, n, "%s%s%s", gh->base_url, path[0] == '/' ? "" : "/", path);
    return u;
}

/* Waits when the last answer said the budget is exhausted. */
static void wait_for_budget(blvm_github *gh) {
    pthread_mutex_lock(&gh->lock);
    long remaining = gh->rl_remaining;
    int64_t reset = gh->rl_reset;
    pthread_mutex_unlock(&gh->lock);
    if (remaining != 0) return;
    int64_t now = (int64_t)time(NULL);
    if (reset <= now) return;
    long ms = (long)((reset - now) * 1000);
    blvm_os_sleep_ms(ms > gh->max_wait_ms ? gh->max_wait_ms : ms);
    pthread_mutex_lock(&gh->lock);
    if (gh->rl_reset == reset) gh->rl_remaining = -1;
    pthread_mutex_unlock(&gh->lock);
}

/* One attempt. Returns the CURLcode; *status the HTTP status. */
static CURLcode attempt(blvm_github *gh, const char *method, const char *url, const req_body *body,
                        sink *out, rl_headers *rl, long *status, bool follow, long timeout_ms) {
    CURL *c = curl_easy_init();
    if (!c) return CURLE_OUT_OF_MEMORY;
    struct curl_slist *hdrs = NULL;
    char line[512];
    hdrs = curl_slist_append(hdrs, "Accept: application/vnd.github+json");
    hdrs = curl_slist_append(hdrs, "X-GitHub-Api-Version: 2022-11-28");
    if (gh->token) {
        size_t tl = strlen(gh->token) + 32;
        char *auth = malloc(tl);
        if (auth) {
            snprintf(auth, tl, "Authorization: Bearer %s", gh->token);
            hdrs = curl_slist_append(hdrs, auth);
            memset(auth, 0, tl);
            free(auth);
        }
    }
    if (body && body->content_type) {
        snprintf(line, sizeof(line), "Content-Type: %s", body->content_type);
        hdrs = curl_slist_append(hdrs, line);
    } else if (body && body->data) {
        hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    }
    hdrs = curl_slist_append(hdrs, "Expect:");

    upload_state up = {NULL};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_USERAGENT, gh->user_agent);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, gh->connect_timeout_ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, rl);
    if (follow) {
        /* Artifact downloads redirect to blob storage; curl drops our
         * Authorization header when the host changes. */
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    }
    CURLcode rc = CURLE_OK;
    if (body && body->path) {
        up.f = fopen(body->path, "rb");
        if (!up.f) {
            rc = CURLE_READ_ERROR;
            goto done;
        }
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
        curl_easy_setopt(c, CURLOPT_READDATA, &up);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
    } else if (body && body->data) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
    }
    if (strcmp(method, "GET") != 0) curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    rc = curl_easy_perform(c);
    *status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
done:
    if (up.f) fclose(up.f);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(c);
    return rc;
}

static void sink_reset(sink *s) {
    s->len = 0;
    if (s->buf) s->buf[0] = 0;
    s->too_big = false;
    if (s->file) {
        rewind(s->file);
        if (ftruncate(fileno(s->file), 0) != 0) {
            /* A failed truncate leaves old bytes; the size check after the
             * final attempt still uses file_bytes, and the file is rewritten. */
        }
        s->file_bytes = 0;
    }
}

/* The retry loop shared by every call. */
static bool perform(blvm_github *gh, const char *method, const char *path, const req_body *body,
                    sink *out, long *status, bool follow, long timeout_ms, char *err,
                    size_t errlen) {
    char *url = full_url(gh, path);
    if (!url) {
        blvm_err_set(err, errlen, "out of memory");
        return false;
    }
    bool ok = false;
    for (int tryno = 0;; tryno++) {
        wait_for_budget(gh);
        sink_reset(out);
        rl_headers rl = {-1, -1, -1};
        long st = 0;
        CURLcode rc = attempt(gh, method, url, body, out, &rl, &st, follow, timeout_ms);
        if (rl.remaining >= 0) {
            pthread_mutex_lock(&gh->lock);
            gh->rl_remaining = rl.remaining;
            gh->rl_reset = rl.reset >= 0 ? rl.reset : 0;
            pthread_mutex_unlock(&gh->lock);
        }
        if (out->too_big) {
            blvm_err_set(err, errlen, "%s %s: answer larger than %llu bytes", method, url,
                         (unsigned long long)out->max);
            break;
        }
        bool retry = false;
        long wait = gh->retry_base_ms << (tryno < 16 ? tryno : 16);
        if (rc != CURLE_OK) {
            blvm_err_set(err, errlen, "%s %s: %s", method, url, curl_easy_strerror(rc));
            /* A local file error will not go away by retrying. */
            retry = rc != CURLE_READ_ERROR && rc != CURLE_WRITE_ERROR;
        } else if (st >= 500) {
            blvm_err_set(err, errlen, "%s %s: HTTP %ld", method, url, st);
            retry = true;
        } else if (st == 429 || (st == 403 && (rl.remaining == 0 || rl.retry_after >= 0))) {
            blvm_err_set(err, errlen, "%s %s: rate limited (HTTP %ld)", method, url, st);
            retry = true;
            if (rl.retry_after >= 0) {
                wait = rl.retry_after * 1000;
            } else if (rl.reset >= 0) {
                int64_t d = rl.reset - (int64_t)time(NULL);
                wait = d > 0 ? (long)(d * 1000) : 0;
            }
        } else {
            *status = st;
            ok = true;
            break;
        }
        if (!retry || tryno >= gh->max_retries) {
            *status = st;
            break;
        }
        blvm_os_sleep_ms(wait > gh->max_wait_ms ? gh->max_wait_ms : wait);
    }
    free(url);
    return ok;
}

bool blvm_github_request(blvm_github *gh, const char *method, const char *path,
                         const char *json_body, blvm_github_response *resp, char *err,
                         size_t errlen) {
    memset(resp, 0, sizeof(*resp));
    sink s = {0};
    s.max = GH_MAX_JSON_BYTES;
    req_body b = {json_body, json_body ? strlen(json_body) : 0, NULL, NULL};
    long st = 0;
    if (!perform(gh, method, path, json_body ? &b : NULL, &s, &st, false, gh->timeout_ms, err,
                 errlen)) {
        free(s.buf);
        return false;
    }
    if (!s.buf) {
        s.buf = calloc(1, 1);
        if (!s.buf) {
            blvm_err_set(err, errlen, "out of memory");
            return false;
        }
    }
    resp->status = st;
    resp->body = s.buf;
    resp->body_len = s.len;
    return true;
}

bool blvm_github_request_json(blvm_github *gh, const char *method, const char *path, json_t *body,
                              json_t **out, char *err, size_t errlen) {
    if (out) *out = NULL;
    char *text = NULL;
    if (body) {
        text = json_dumps(body, JSON_COMPACT);
        if (!text) {
            blvm_err_set(err, errlen, "cannot encode request JSON");
            return false;
        }
    }
    blvm_github_response r;
    bool ok = blvm_github_request(gh, method, path, text, &r, err, errlen);
    free(text);
    if (!ok) return false;
    if (r.status < 200 || r.status >= 300) {
        /* GitHub puts the reason in "message". */
        json_t *j = json_loadb(r.body, r.body_len, 0, NULL);
        const char *msg = j ? json_string_value(json_object_get(j, "message")) : NULL;
        blvm_err_set(err, errlen, "%s %s: HTTP %ld%s%s", method, path, r.status, msg ? ": " : "",
                     msg ? msg : "");
        json_decref(j);
        blvm_github_response_clear(&r);
        return false;
    }
    if (out && r.body_len > 0) {
        json_error_t je;
        *out = json_loadb(r.body, r.body_len, 0, &je);
        if (!*out) {
            blvm_err_set(err, errlen, "%s %s: malformed JSON answer: %s (line %d)", method, path,
                         je.text, je.line);
            blvm_github_response_clear(&r);
            return false;
        }
    }
    blvm_github_response_clear(&r);
    return true;
}

static bool check_repo(const char *repo, char *err, size_t errlen) {
    /* owner/name: one slash, no path tricks, URL-safe characters only. */
    const char *slash = repo ? strchr(repo, '/') : NULL;
    if (!repo || !slash || slash == repo || !slash[1] || strchr(slash + 1, '/')) {
        blvm_err_set(err, errlen, "bad repository name \"%s\" (want owner/name)", repo ? repo : "");
        return false;
    }
    for (const char *p = repo; *p; p++) {
        char c = *p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == '/')) {
            blvm_err_set(err, errlen, "bad character in repository name \"%s\"", repo);
            return false;
        }
    }
    if (strstr(repo, "..")) {
        blvm_err_set(err, errlen, "bad repository name \"%s\"", repo);
        return false;
    }
    return true;
}

static bool is_hex_sha(const char *s) {
    size_t n = strlen(s);
    if (n < 7 || n > 64) return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') || (*s >= 'A' && *s <= 'F')))
            return false;
    return true;
}

bool blvm_github_create_status(blvm_github *gh, const char *repo, const char *sha,
                               const char *state, const char *context, const char *description,
                               const char *target_url, char *err, size_t errlen) {
    if (!check_repo(repo, err, errlen)) return false;
    if (!sha || !is_hex_sha(sha)) {
        blvm_err_set(err, errlen, "bad commit sha \"%s\"", sha ? sha : "");
        return false;
    }
    if (!state || (strcmp(state, "pending") && strcmp(state, "success") &&
                   strcmp(state, "failure") && strcmp(state, "error"))) {
        blvm_err_set(err, errlen, "bad status state \"%s\"", state ? state : "");
        return false;
    }
    json_t *b = json_object();
    json_object_set_new(b, "state", json_string(state));
    if (context) json_object_set_new(b, "context", json_string(context));
    if (description) {
        /* GitHub rejects descriptions over 140 characters; cut on a UTF-8
         * boundary. */
        char d[141];
        size_t n = strlen(description);
        if (n > 140) {
            n = 140;
            while (n > 0 && ((unsigned char)description[n] & 0xC0) == 0x80)
                n--;
        }
        memcpy(d, description, n);
        d[n] = 0;
        json_object_set_new(b, "description", json_string(d));
    }
    if (target_url) json_object_set_new(b, "target_url", json_string(target_url));
    char path[512];
    snprintf(path, sizeof(path), "/repos/%s/statuses/%s", repo, sha);
    bool ok = blvm_github_request_json(gh, "POST", path, b, NULL, err, errlen);
    json_decref(b);
    return ok;
}

bool blvm_github_repository_dispatch(blvm_github *gh, const char *repo, const char *event_type,
                                     json_t *client_payload, char *err, size_t errlen) {
    if (!check_repo(repo, err, errlen)) return false;
    if (!event_type || !*event_type || strlen(event_type) > 100) {
        blvm_err_set(err, errlen, "bad dispatch event type");
        return false;
    }
    json_t *b = json_object();
    json_object_set_new(b, "event_type", json_string(event_type));
    if (client_payload) json_object_set(b, "client_payload", client_payload);
    char path[512];
    snprintf(path, sizeof(path), "/repos/%s/dispatches", repo);
    bool ok = blvm_github_request_json(gh, "POST", path, b, NULL, err, errlen);
    json_decref(b);
    return ok;
}

static bool get_array(blvm_github *gh, const char *path, const char *key, json_t **out, char *err,
                      size_t errlen) {
    *out = NULL;
    json_t *j = NULL;
    if (!blvm_github_request_json(gh, "GET", path, NULL, &j, err, errlen)) return false;
    json_t *a = j ? json_object_get(j, key) : NULL;
    if (!json_is_array(a)) {
        blvm_err_set(err, errlen, "GET %s: answer has no \"%s\" array", path, key);
        json_decref(j);
        return false;
    }
    *out = json_incref(a);
    json_decref(j);
    return true;
}

bool blvm_github_list_workflow_runs(blvm_github *gh, const char *repo, const char *workflow,
                                    const char *event, json_t **runs, char *err, size_t errlen) {
    *runs = NULL;
    if (!check_repo(repo, err, errlen)) return false;
    char base[512];
    if (workflow) {
        char *w = blvm_github_urlencode(workflow);
        if (!w) return false;
        snprintf(base, sizeof(base), "/repos/%s/actions/workflows/%s/runs?per_page=100", repo, w);
        free(w);
    } else {
        snprintf(base, sizeof(base), "/repos/%s/actions/runs?per_page=100", repo);
    }
    char path[700];
    if (event) {
        char *e = blvm_github_urlencode(event);
        if (!e) return false;
        snprintf(path, sizeof(path), "%s&event=%s", base, e);
        free(e);
    } else {
        snprintf(path, sizeof(path), "%s", base);
    }
    return get_array(gh, path, "workflow_runs", runs, err, errlen);
}

bool blvm_github_list_run_artifacts(blvm_github *gh, const char *repo, int64_t run_id,
                                    json_t **artifacts, char *err, size_t errlen) {
    *artifacts = NULL;
    if (!check_repo(repo, err, errlen)) return false;
    char path[512];
    snprintf(path, sizeof(path), "/repos/%s/actions/runs/%lld/artifacts?per_page=100", repo,
             (long long)run_id);
    return get_array(gh, path, "artifacts", artifacts, err, errlen);
}

bool blvm_github_download(blvm_github *gh, const char *url, const char *dest_path,
                          uint64_t max_bytes, uint64_t *size, char *err, size_t errlen) {
    size_t pl = strlen(dest_path) + 6;
    char *part = malloc(pl);
    if (!part) return false;
    snprintf(part, pl, "%s.part", dest_path);
    FILE *f = fopen(part, "wb");
    if (!f) {
        blvm_err_set(err, errlen, "cannot write %s: %s", part, strerror(errno));
        free(part);
        return false;
    }
    sink s = {0};
    s.file = f;
    s.max = max_bytes ? max_bytes : GH_DEFAULT_MAX_DOWNLOAD;
    long st = 0;
    bool ok = perform(gh, "GET", url, NULL, &s, &st, true, gh->timeout_ms * 10, err, errlen);
    if (fclose(f) != 0 && ok) {
        blvm_err_set(err, errlen, "cannot write %s: %s", part, strerror(errno));
        ok = false;
    }
    if (ok && (st < 200 || st >= 300)) {
        blvm_err_set(err, errlen, "GET %s: HTTP %ld", url, st);
        ok = false;
    }
    if (ok && rename(part, dest_path) != 0) {
        blvm_err_set(err, errlen, "cannot rename %s: %s", part, strerror(errno));
        ok = false;
    }
    if (!ok) unlink(part);
    if (ok && size) *size = s.file_bytes;
    free(part);
    return ok;
}

bool blvm_github_download_artifact(blvm_github *gh, const char *repo, int64_t artifact_id,
                                   const char *dest_path, uint64_t max_bytes, uint64_t *size,
                                   char *err, size_t errlen) {
    if (!check_repo(repo, err, errlen)) return false;
    char path[512];
    snprintf(path, sizeof(path), "/repos/%s/actions/artifacts/%lld/zip", repo,
             (long long)artifact_id);
    return blvm_github_download(gh, path, dest_path, max_bytes, size, err, errlen);
}

bool blvm_github_create_release(blvm_github *gh, const char *repo, const char *tag,
                                const char *name, const char *body, bool prerelease, bool draft,
                                int64_t *release_id, char **upload_url, char *err, size_t errlen) {
    *release_id = 0;
    if (upload_url) *upload_url = NULL;
    if (!check_repo(repo, err, errlen)) return false;
    if (!tag || !*tag) {
        blvm_err_set(err, errlen, "release needs a tag");
        return false;
    }
    json_t *b = json_object();
    json_object_set_new(b, "tag_name", json_string(tag));
    json_object_set_new(b, "name", json_string(name ? name : tag));
    if (body) json_object_set_new(b, "body", json_string(body));
    json_object_set_new(b, "prerelease", json_boolean(prerelease));
    json_object_set_new(b, "draft", json_boolean(draft));
    char path[512];
    snprintf(path, sizeof(path), "/repos/%s/releases", repo);
    json_t *ans = NULL;
    bool ok = blvm_github_request_json(gh, "POST", path, b, &ans, err, errlen);
    json_decref(b);
    if (!ok) return false;
    json_t *id = ans ? json_object_get(ans, "id") : NULL;
    if (!json_is_integer(id) || json_integer_value(id) <= 0) {
        blvm_err_set(err, errlen, "create release: answer has no release id");
        json_decref(ans);
        return false;
    }
    *release_id = (int64_t)json_integer_value(id);
    const char *u = json_string_value(json_object_get(ans, "upload_url"));
    if (upload_url && u) *upload_url = strdup(u);
    json_decref(ans);
    return true;
}

bool blvm_github_upload_release_asset(blvm_github *gh, const char *repo, int64_t release_id,
                                      const char *upload_url, const char *name,
                                      const char *file_path, const char *content_type, char *err,
                                      size_t errlen) {
    if (!check_repo(repo, err, errlen)) return false;
    if (!name || !*name || strchr(name, '/')) {
        blvm_err_set(err, errlen, "bad asset name \"%s\"", name ? name : "");
        return false;
    }
    struct stat st;
    if (stat(file_path, &st) != 0 || !S_ISREG(st.st_mode)) {
        blvm_err_set(err, errlen, "cannot read asset %s", file_path);
        return false;
    }
    char *base = NULL;
    if (upload_url && *upload_url) {
        const char *brace = strchr(upload_url, '{');
        base = brace ? strndup(upload_url, (size_t)(brace - upload_url)) : strdup(upload_url);
    } else {
        size_t n = strlen(gh->base_url) + strlen(repo) + 64;
        base = malloc(n);
        if (base)
            snprintf(base, n, "%s/repos/%s/releases/%lld/assets", gh->base_url, repo,
                     (long long)release_id);
    }
    char *enc = blvm_github_urlencode(name);
    if (!base || !enc) {
        free(base);
        free(enc);
        blvm_err_set(err, errlen, "out of memory");
        return false;
    }
    size_t ul = strlen(base) + strlen(enc) + 8;
    char *url = malloc(ul);
    if (url) snprintf(url, ul, "%s?name=%s", base, enc);
    free(base);
    free(enc);
    if (!url) return false;
    req_body b = {NULL, (size_t)st.st_size, file_path,
                  content_type ? content_type : "application/octet-stream"};
    sink s = {0};
    s.max = GH_MAX_JSON_BYTES;
    long status = 0;
    bool ok = perform(gh, "POST", url, &b, &s, &status, false, gh->timeout_ms * 10, err, errlen);
    if (ok && (status < 200 || status >= 300)) {
        blvm_err_set(err, errlen, "upload %s: HTTP %ld", name, status);
        ok = false;
    }
    free(s.buf);
    free(url);
    return ok;
}

bool blvm_github_list_pr_files(blvm_github *gh, const char *repo, int64_t number, json_t **paths,
                               char *err, size_t errlen) {
    *paths = NULL;
    if (!check_repo(repo, err, errlen)) return false;
    json_t *out = json_array();
    if (!out) return false;
    /* 30 pages of 100 is GitHub's own limit of 3000 files. */
    for (int page = 1; page <= 30; page++) {
        char path[512];
        snprintf(path, sizeof(path), "/repos/%s/pulls/%lld/files?per_page=100&page=%d", repo,
                 (long long)number, page);
        json_t *j = NULL;
        if (!blvm_github_request_json(gh, "GET", path, NULL, &j, err, errlen)) {
            json_decref(out);
            return false;
        }
        if (!json_is_array(j)) {
            blvm_err_set(err, errlen, "GET %s: answer is not an array", path);
            json_decref(j);
            json_decref(out);
            return false;
        }
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) {
            const char *fn = json_string_value(json_object_get(v, "filename"));
            if (!fn) {
                blvm_err_set(err, errlen, "GET %s: file entry %zu has no filename", path, i);
                json_decref(j);
                json_decref(out);
                return false;
            }
            json_array_append_new(out, json_string(fn));
        }
        size_t n = json_array_size(j);
        json_decref(j);
        if (n < 100) break;
    }
    *paths = out;
    return true;
}
