#include "commons/serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>
#include <event2/util.h>
#include <jansson.h>

#include "commons/artifacts.h"
#include "commons/governance.h"
#include "commons/migrations.h"
#include "commons/orchestrate.h"
#include "commons/webhook.h"
#include "crypto/sha256.h"
#include "util/hex.h"

/* A job that keeps failing (GitHub down, say) is given up after this many
 * tries; the delivery is marked "error" and the audit has the reason. */
#define SERVE_JOB_MAX_ATTEMPTS 5

typedef struct {
    blvm_commons_config *cfg;
    const char *secret;
    struct event_base *base;
    struct evhttp *http;
    blvm_db *db; /* the event loop's handle */
    blvm_github *gh;
    pthread_t worker, orch;
    bool worker_started, orch_started;
    pthread_mutex_t mu;
    pthread_cond_t cv_jobs, cv_orch;
    bool jobs_signal, orch_signal;
    atomic_int stop;
    atomic_long n_queued, n_ignored, n_duplicate, n_rejected, n_processed, n_failed;
    int64_t started_at;
    /* Rejections are logged and stored at most this often: anyone can send
     * bad requests, and they must not fill the disk. */
    int64_t reject_window;
    int reject_in_window;
    long reject_suppressed;
    char listen[64];
    int port;
} server;

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...) {
    char ts[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
    va_list ap;
    va_start(ap, fmt);
    flockfile(stderr);
    fprintf(stderr, "%s blvm-commons serve: ", ts);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    funlockfile(stderr);
    va_end(ap);
}

static void signal_cv(server *s, bool jobs, bool orch) {
    pthread_mutex_lock(&s->mu);
    if (jobs) {
        s->jobs_signal = true;
        pthread_cond_signal(&s->cv_jobs);
    }
    if (orch) {
        s->orch_signal = true;
        pthread_cond_signal(&s->cv_orch);
    }
    pthread_mutex_unlock(&s->mu);
}

/* Waits up to ms for the flag (or stop); clears it. */
static void wait_cv(server *s, pthread_cond_t *cv, bool *flag, long ms) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&s->mu);
    while (!*flag && !atomic_load(&s->stop)) {
        if (pthread_cond_timedwait(cv, &s->mu, &ts) == ETIMEDOUT) break;
    }
    *flag = false;
    pthread_mutex_unlock(&s->mu);
}

/* ---- HTTP helpers ------------------------------------------------------- */

static void reply_json(struct evhttp_request *req, int code, const char *reason, json_t *body) {
    struct evbuffer *out = evbuffer_new();
    char *txt = body ? json_dumps(body, JSON_COMPACT) : NULL;
    if (out && txt) evbuffer_add(out, txt, strlen(txt));
    if (out) evbuffer_add(out, "\n", 1);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
    evhttp_send_reply(req, code, reason, out);
    free(txt);
    json_decref(body);
    if (out) evbuffer_free(out);
}

static void reply_msg(struct evhttp_request *req, int code, const char *reason, const char *key,
                      const char *msg) {
    reply_json(req, code, reason, json_pack("{s:s}", key, msg));
}

static const char *peer_of(struct evhttp_request *req, char *buf, size_t cap) {
    struct evhttp_connection *c = evhttp_request_get_connection(req);
    char *addr = NULL;
    ev_uint16_t port = 0;
    if (c) evhttp_connection_get_peer(c, &addr, &port);
    snprintf(buf, cap, "%s:%u", addr ? addr : "?", (unsigned)port);
    return buf;
}

static bool known_event(const char *e) {
    static const char *const k[] = {"pull_request", "issue_comment", "pull_request_review",
                                    "release", "repository_dispatch"};
    for (size_t i = 0; i < BLVM_ARRAY_LEN(k); i++)
        if (strcmp(e, k[i]) == 0) return true;
    return false;
}

static bool event_name_ok(const char *e) {
    size_t n = strlen(e);
    if (n == 0 || n > 64) return false;
    for (; *e; e++)
        if (!((*e >= 'a' && *e <= 'z') || *e == '_' || (*e >= '0' && *e <= '9'))) return false;
    return true;
}

#define SERVE_REJECTIONS_PER_SECOND 20

static void reject(server *s, struct evhttp_request *req, int code, const char *reason_phrase,
                   const char *delivery, const char *event, const char *why) {
    char peer[96];
    peer_of(req, peer, sizeof(peer));
    atomic_fetch_add(&s->n_rejected, 1);
    int64_t now = (int64_t)time(NULL);
    if (now != s->reject_window) {
        if (s->reject_suppressed)
            logf_("%ld more rejected webhooks not logged", s->reject_suppressed);
        s->reject_window = now;
        s->reject_in_window = 0;
        s->reject_suppressed = 0;
    }
    if (++s->reject_in_window > SERVE_REJECTIONS_PER_SECOND) {
        s->reject_suppressed++;
        reply_msg(req, code, reason_phrase, "error", why);
        return;
    }
    /* Log lines an attacker can cause are short and carry no body bytes. */
    logf_("rejected webhook from %s (delivery %.64s, event %.32s): %d %s", peer,
          delivery ? delivery : "-", event ? event : "-", code, why);
    if (!blvm_webhook_record_rejection(s->db, delivery, event, peer, code, why))
        logf_("cannot record rejection: %s", blvm_db_errmsg(s->db));
    reply_msg(req, code, reason_phrase, "error", why);
}

static void handle_webhook(server *s, struct evhttp_request *req) {
    if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
        reply_msg(req, 405, "Method Not Allowed", "error", "POST only");
        return;
    }
    struct evkeyvalq *h = evhttp_request_get_input_headers(req);
    const char *event = evhttp_find_header(h, "X-GitHub-Event");
    const char *delivery = evhttp_find_header(h, "X-GitHub-Delivery");
    const char *sig = evhttp_find_header(h, "X-Hub-Signature-256");
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t len = evbuffer_get_length(in);
    if (len > s->cfg->max_body_bytes) {
        reject(s, req, 413, "Payload Too Large", delivery, event, "body too large");
        return;
    }
    const uint8_t *body = len ? evbuffer_pullup(in, (ev_ssize_t)len) : (const uint8_t *)"";
    if (!body) {
        reply_msg(req, 500, "Internal Server Error", "error", "out of memory");
        return;
    }
    /* Authenticate before looking at anything else in the request. */
    blvm_webhook_sig_result sr = blvm_webhook_verify(s->secret, body, len, sig);
    if (sr != BLVM_WEBHOOK_SIG_OK) {
        reject(s, req, 401, "Unauthorized", delivery, event, blvm_webhook_sig_result_str(sr));
        return;
    }
    if (!blvm_webhook_delivery_id_valid(delivery)) {
        reject(s, req, 400, "Bad Request", NULL, event, "missing or invalid X-GitHub-Delivery");
        return;
    }
    if (!event || !event_name_ok(event)) {
        reject(s, req, 400, "Bad Request", delivery, NULL, "missing or invalid X-GitHub-Event");
        return;
    }
    json_error_t je;
    json_t *payload = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(payload)) {
        char why[200];
        snprintf(why, sizeof(why), "malformed JSON: %s (line %d)",
                 payload ? "not an object" : je.text, payload ? 0 : je.line);
        json_decref(payload);
        reject(s, req, 400, "Bad Request", delivery, event, why);
        return;
    }
    uint8_t digest[32];
    char hex[65];
    blvm_sha256(digest, body, len);
    blvm_hex_encode(hex, digest, 32);
    char action_buf[64];
    const char *action = json_string_value(json_object_get(payload, "action"));
    if (action) {
        snprintf(action_buf, sizeof(action_buf), "%s", action);
        action = action_buf;
    }
    bool known = known_event(event);
    bool ping = strcmp(event, "ping") == 0;
    char *job = NULL;
    if (known) {
        json_t *j =
            json_pack("{s:s,s:s,s:O}", "event", event, "delivery", delivery, "body", payload);
        job = j ? json_dumps(j, JSON_COMPACT) : NULL;
        json_decref(j);
        if (!job) {
            json_decref(payload);
            reply_msg(req, 500, "Internal Server Error", "error", "out of memory");
            return;
        }
    }
    json_decref(payload);
    int64_t job_id = 0;
    blvm_webhook_record_result rr = blvm_webhook_record(
        s->db, delivery, event, action, hex, known ? "received" : (ping ? "processed" : "ignored"),
        known ? 200 : (ping ? 200 : 202), "webhook", job, &job_id);
    free(job);
    if (rr == BLVM_WEBHOOK_DB_ERROR) {
        logf_("database error recording delivery %s: %s", delivery, blvm_db_errmsg(s->db));
        reply_msg(req, 500, "Internal Server Error", "error", "database error");
        return;
    }
    if (rr == BLVM_WEBHOOK_DUPLICATE) {
        atomic_fetch_add(&s->n_duplicate, 1);
        logf_("delivery %s replayed (event %s): ignored", delivery, event);
        reply_json(req, 200, "OK",
                   json_pack("{s:s,s:s}", "status", "duplicate", "delivery", delivery));
        return;
    }
    if (ping) {
        reply_json(req, 200, "OK", json_pack("{s:s}", "status", "pong"));
        return;
    }
    if (!known) {
        atomic_fetch_add(&s->n_ignored, 1);
        reply_json(req, 202, "Accepted",
                   json_pack("{s:s,s:s}", "status", "ignored", "event", event));
        return;
    }
    atomic_fetch_add(&s->n_queued, 1);
    signal_cv(s, true, false);
    reply_json(req, 200, "OK",
               json_pack("{s:s,s:I}", "status", "queued", "job", (json_int_t)job_id));
}

static json_t *count_by(blvm_db *db, const char *sql) {
    blvm_db_result r;
    json_t *o = json_object();
    if (!blvm_db_query(db, sql, NULL, 0, &r)) return o;
    for (size_t i = 0; i < r.nrows; i++) {
        int64_t v = 0;
        if (!blvm_db_result_get_int(&r, i, 1, &v)) v = 0;
        const char *k = blvm_db_result_get(&r, i, 0);
        json_object_set_new(o, k ? k : "null", json_integer(v));
    }
    blvm_db_result_clear(&r);
    return o;
}

static void handle_health(server *s, struct evhttp_request *req) {
    int64_t v = 0;
    bool found = false;
    if (!blvm_db_query_int(s->db, "SELECT 1", NULL, 0, &v, &found) || v != 1) {
        reply_json(req, 503, "Service Unavailable",
                   json_pack("{s:s,s:s}", "status", "error", "database", blvm_db_errmsg(s->db)));
        return;
    }
    reply_json(req, 200, "OK",
               json_pack("{s:s,s:s,s:I}", "status", "ok", "database", blvm_db_engine_name(s->db),
                         "uptime", (json_int_t)((int64_t)time(NULL) - s->started_at)));
}

static void handle_status(server *s, struct evhttp_request *req) {
    json_t *j = json_object();
    json_object_set_new(
        j, "mode", json_string(s->cfg->mode == BLVM_COMMONS_ENFORCING ? "enforcing" : "dry-run"));
    json_object_set_new(j, "database", json_string(blvm_db_engine_name(s->db)));
    json_object_set_new(j, "uptime", json_integer((int64_t)time(NULL) - s->started_at));
    json_object_set_new(j, "deliveries",
                        count_by(s->db, "SELECT status, COUNT(*) FROM webhook_deliveries "
                                        "GROUP BY status"));
    json_object_set_new(j, "rejections",
                        count_by(s->db, "SELECT CAST(http_status AS TEXT), COUNT(*) FROM "
                                        "webhook_rejections GROUP BY http_status"));
    json_object_set_new(j, "jobs",
                        count_by(s->db, "SELECT state, COUNT(*) FROM jobs GROUP BY state"));
    json_object_set_new(j, "runs",
                        count_by(s->db, "SELECT state, COUNT(*) FROM runs GROUP BY state"));
    json_object_set_new(
        j, "pull_requests",
        count_by(s->db, "SELECT state, COUNT(*) FROM pull_requests GROUP BY state"));
    json_object_set_new(j, "since_start",
                        json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "queued",
                                  (json_int_t)atomic_load(&s->n_queued), "ignored",
                                  (json_int_t)atomic_load(&s->n_ignored), "duplicate",
                                  (json_int_t)atomic_load(&s->n_duplicate), "rejected",
                                  (json_int_t)atomic_load(&s->n_rejected), "processed",
                                  (json_int_t)atomic_load(&s->n_processed), "failed",
                                  (json_int_t)atomic_load(&s->n_failed)));
    blvm_db_result r;
    json_t *dec = json_array();
    if (blvm_db_query(s->db,
                      "SELECT repo, number, head_sha, state, reason, mode FROM decisions "
                      "ORDER BY id DESC LIMIT 10",
                      NULL, 0, &r)) {
        for (size_t i = 0; i < r.nrows; i++) {
            int64_t num = 0;
            if (!blvm_db_result_get_int(&r, i, 1, &num)) num = 0;
            json_array_append_new(
                dec,
                json_pack("{s:s?,s:I,s:s?,s:s?,s:s?,s:s?}", "repo", blvm_db_result_get(&r, i, 0),
                          "number", (json_int_t)num, "head", blvm_db_result_get(&r, i, 2), "state",
                          blvm_db_result_get(&r, i, 3), "reason", blvm_db_result_get(&r, i, 4),
                          "mode", blvm_db_result_get(&r, i, 5)));
        }
        blvm_db_result_clear(&r);
    }
    json_object_set_new(j, "decisions", dec);
    json_t *runs = json_array();
    if (blvm_db_query(s->db,
                      "SELECT id, state, trigger, ref, reason FROM runs ORDER BY id DESC LIMIT 10",
                      NULL, 0, &r)) {
        for (size_t i = 0; i < r.nrows; i++) {
            int64_t id = 0;
            if (!blvm_db_result_get_int(&r, i, 0, &id)) id = 0;
            json_array_append_new(runs, json_pack("{s:I,s:s?,s:s?,s:s?,s:s?}", "id", (json_int_t)id,
                                                  "state", blvm_db_result_get(&r, i, 1), "trigger",
                                                  blvm_db_result_get(&r, i, 2), "ref",
                                                  blvm_db_result_get(&r, i, 3), "reason",
                                                  blvm_db_result_get(&r, i, 4)));
        }
        blvm_db_result_clear(&r);
    }
    json_object_set_new(j, "recent_runs", runs);
    reply_json(req, 200, "OK", j);
}

static void http_cb(struct evhttp_request *req, void *arg) {
    server *s = arg;
    const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
    const char *path = u ? evhttp_uri_get_path(u) : NULL;
    if (!path) path = "";
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    if (strcmp(path, "/webhooks/github") == 0) {
        handle_webhook(s, req);
    } else if (strcmp(path, "/health") == 0 && (cmd == EVHTTP_REQ_GET || cmd == EVHTTP_REQ_HEAD)) {
        handle_health(s, req);
    } else if (strcmp(path, "/status") == 0 && (cmd == EVHTTP_REQ_GET || cmd == EVHTTP_REQ_HEAD)) {
        handle_status(s, req);
    } else {
        reply_msg(req, 404, "Not Found", "error", "not found");
    }
}

/* ---- worker: jobs ------------------------------------------------------- */

static bool open_db(server *s, blvm_db **db) {
    char err[512];
    if (!blvm_db_open(db, s->cfg->database_url, err, sizeof(err))) {
        logf_("cannot open database: %s", err);
        return false;
    }
    return true;
}

/* Runs one job. Returns 1 processed, 0 ignored, -1 failed (msg says why). */
static int run_job(server *s, blvm_db *db, blvm_orchestrator *creator, json_t *job, char *msg,
                   size_t cap) {
    const char *event = json_string_value(json_object_get(job, "event"));
    const char *delivery = json_string_value(json_object_get(job, "delivery"));
    json_t *body = json_object_get(job, "body");
    if (!event || !json_is_object(body)) {
        snprintf(msg, cap, "malformed job");
        return -1;
    }
    blvm_governance_ctx g = {s->cfg, db, s->gh, 0, "governance"};
    if (strcmp(event, "pull_request") == 0)
        return blvm_governance_on_pull_request(&g, body, msg, cap);
    if (strcmp(event, "issue_comment") == 0)
        return blvm_governance_on_issue_comment(&g, body, msg, cap);
    if (strcmp(event, "pull_request_review") == 0)
        return blvm_governance_on_review(&g, body, msg, cap);
    const char *action = json_string_value(json_object_get(body, "action"));
    if (strcmp(event, "release") == 0) {
        if (!action || strcmp(action, "published") != 0) {
            snprintf(msg, cap, "release action \"%s\" ignored", action ? action : "");
            return 0;
        }
        json_t *rel = json_object_get(body, "release");
        const char *tag = json_string_value(json_object_get(rel, "tag_name"));
        if (!tag || !*tag) {
            snprintf(msg, cap, "release.tag_name missing");
            return -1;
        }
        if (!creator) {
            snprintf(msg, cap, "no components configured: nothing to build");
            return 0;
        }
        /* A retried job must not start a second run for the same delivery. */
        blvm_db_param p[1] = {blvm_db_text(delivery)};
        int64_t existing = 0;
        bool found = false;
        if (!blvm_db_query_int(db, "SELECT id FROM runs WHERE delivery_id = ?", p, 1, &existing,
                               &found)) {
            snprintf(msg, cap, "database: %s", blvm_db_errmsg(db));
            return -1;
        }
        if (found) {
            snprintf(msg, cap, "run %lld already started for this delivery", (long long)existing);
            return 1;
        }
        const char *version = tag[0] == 'v' && tag[1] >= '0' && tag[1] <= '9' ? tag + 1 : tag;
        int64_t run_id = 0;
        if (!blvm_orchestrator_create_run(creator, "release", tag, version, delivery, &run_id, msg,
                                          cap))
            return -1;
        logf_("release %s published: orchestration run %lld started", tag, (long long)run_id);
        snprintf(msg, cap, "run %lld", (long long)run_id);
        signal_cv(s, false, true);
        return 1;
    }
    if (strcmp(event, "repository_dispatch") == 0) {
        if (!action || strcmp(action, "build-complete") != 0) {
            snprintf(msg, cap, "repository_dispatch action \"%s\" ignored", action ? action : "");
            return 0;
        }
        json_t *cp = json_object_get(body, "client_payload");
        const char *build_id = json_string_value(json_object_get(cp, "build_id"));
        const char *conclusion = json_string_value(json_object_get(cp, "conclusion"));
        json_t *rid = json_object_get(cp, "run_id");
        char ext[32] = "";
        if (json_is_integer(rid))
            snprintf(ext, sizeof(ext), "%lld", (long long)json_integer_value(rid));
        else if (json_is_string(rid))
            snprintf(ext, sizeof(ext), "%.30s", json_string_value(rid));
        int rc = blvm_orchestrate_build_complete(db, s->cfg, build_id, conclusion,
                                                 ext[0] ? ext : NULL, msg, cap);
        if (rc == 1) {
            snprintf(msg, cap, "build %s: %s", build_id, conclusion);
            signal_cv(s, false, true);
        }
        return rc;
    }
    snprintf(msg, cap, "event %s ignored", event);
    return 0;
}

static void *worker_main(void *arg) {
    server *s = arg;
    blvm_db *db = NULL;
    if (!open_db(s, &db)) return NULL;
    blvm_orchestrator *creator = NULL;
    if (s->cfg->ncomponents) {
        char err[256];
        blvm_orchestrator_options oo = {s->cfg, db, s->gh, true};
        creator = blvm_orchestrator_create(&oo, err, sizeof(err));
        if (!creator) logf_("orchestration disabled: %s", err);
    }
    /* Jobs a crash left half done are done again (the handlers are
     * idempotent: upserts, and one run per delivery). */
    if (!blvm_db_exec(db, "UPDATE jobs SET state = 'queued' WHERE state = 'running'", NULL, 0,
                      NULL))
        logf_("cannot requeue jobs: %s", blvm_db_errmsg(db));
    long backoff_ms = 0;
    while (!atomic_load(&s->stop)) {
        blvm_db_result r;
        if (!blvm_db_query(db,
                           "SELECT id, payload, attempts FROM jobs WHERE state = 'queued' AND "
                           "kind = 'webhook' ORDER BY id LIMIT 50",
                           NULL, 0, &r)) {
            logf_("cannot read jobs: %s", blvm_db_errmsg(db));
            wait_cv(s, &s->cv_jobs, &s->jobs_signal, 1000);
            continue;
        }
        if (r.nrows == 0) {
            blvm_db_result_clear(&r);
            wait_cv(s, &s->cv_jobs, &s->jobs_signal, 1000);
            continue;
        }
        bool stalled = false;
        for (size_t i = 0; i < r.nrows && !atomic_load(&s->stop) && !stalled; i++) {
            int64_t id = 0, attempts = 0;
            if (!blvm_db_result_get_int(&r, i, 0, &id) ||
                !blvm_db_result_get_int(&r, i, 2, &attempts))
                continue;
            int64_t now = (int64_t)time(NULL);
            blvm_db_param cp[2] = {blvm_db_int(now), blvm_db_int(id)};
            int64_t claimed = 0;
            if (!blvm_db_exec(db,
                              "UPDATE jobs SET state = 'running', attempts = attempts + 1, "
                              "started_at = ? WHERE id = ? AND state = 'queued'",
                              cp, 2, &claimed) ||
                claimed != 1)
                continue;
            json_error_t je;
            const char *payload = blvm_db_result_get(&r, i, 1);
            json_t *job = payload ? json_loads(payload, 0, &je) : NULL;
            char msg[512] = "";
            int rc = job ? run_job(s, db, creator, job, msg, sizeof(msg)) : -1;
            if (!job) snprintf(msg, sizeof(msg), "unreadable job payload");
            const char *delivery = job ? json_string_value(json_object_get(job, "delivery")) : NULL;
            const char *event = job ? json_string_value(json_object_get(job, "event")) : "?";
            const char *jstate, *dstate;
            if (rc >= 0) {
                jstate = "done";
                dstate = rc > 0 ? "processed" : "ignored";
                atomic_fetch_add(&s->n_processed, 1);
                backoff_ms = 0;
            } else if (attempts + 1 >= SERVE_JOB_MAX_ATTEMPTS) {
                jstate = "failed";
                dstate = "error";
                atomic_fetch_add(&s->n_failed, 1);
                logf_("job %lld (%s, delivery %s) failed for good: %s", (long long)id, event,
                      delivery ? delivery : "-", msg);
                backoff_ms = 0;
            } else {
                /* Try again later, and keep the order: later deliveries wait. */
                jstate = "queued";
                dstate = "received";
                stalled = true;
                backoff_ms = backoff_ms ? backoff_ms * 2 : 500;
                if (backoff_ms > 30000) backoff_ms = 30000;
                logf_("job %lld (%s) failed (attempt %lld): %s; retrying", (long long)id, event,
                      (long long)attempts + 1, msg);
            }
            blvm_db_param fp[4] = {blvm_db_text(jstate), blvm_db_text(msg[0] ? msg : NULL),
                                   blvm_db_int((int64_t)time(NULL)), blvm_db_int(id)};
            if (!blvm_db_exec(db,
                              "UPDATE jobs SET state = ?, error = ?, finished_at = ? WHERE id = ?",
                              fp, 4, NULL))
                logf_("cannot update job %lld: %s", (long long)id, blvm_db_errmsg(db));
            if (delivery && !blvm_webhook_mark(db, delivery, dstate, msg[0] ? msg : NULL))
                logf_("cannot update delivery %s: %s", delivery, blvm_db_errmsg(db));
            json_decref(job);
        }
        blvm_db_result_clear(&r);
        if (stalled) wait_cv(s, &s->cv_jobs, &s->jobs_signal, backoff_ms);
    }
    blvm_orchestrator_destroy(creator);
    blvm_db_close(db);
    return NULL;
}

/* ---- orchestrator thread ------------------------------------------------ */

/* A release run that succeeded: collect and verify its artifacts, so the
 * release can be prepared from them (release prepare VERSION --run
 * run-<id>). A failed check is logged and in the audit log. */
static void after_run(server *s, blvm_db *db, blvm_orchestrator *o, int64_t run_id) {
    blvm_db_param p[1] = {blvm_db_int(run_id)};
    blvm_db_result r;
    if (!blvm_db_query(db, "SELECT state, trigger, ref FROM runs WHERE id = ?", p, 1, &r)) return;
    bool release_ok = r.nrows == 1 && blvm_db_result_get(&r, 0, 0) &&
                      !strcmp(blvm_db_result_get(&r, 0, 0), "succeeded") &&
                      blvm_db_result_get(&r, 0, 1) &&
                      !strcmp(blvm_db_result_get(&r, 0, 1), "release");
    char ref[128];
    snprintf(ref, sizeof(ref), "%s",
             r.nrows == 1 && blvm_db_result_get(&r, 0, 2) ? blvm_db_result_get(&r, 0, 2) : "");
    blvm_db_result_clear(&r);
    logf_("run %lld finished", (long long)run_id);
    if (!release_ok) return;
    char run_ref[32], err[768];
    blvm_commons_collect_summary sum;
    if (blvm_orchestrator_collect_artifacts(o, run_id, run_ref, &sum, err, sizeof(err)))
        logf_("release %s: %zu artifacts verified (%s); next: release prepare --run %s", ref,
              sum.verified, run_ref, run_ref);
    else
        logf_("release %s: artifact verification FAILED (%s): %s", ref, run_ref, err);
    (void)s;
}

static void *orch_main(void *arg) {
    server *s = arg;
    blvm_db *db = NULL;
    if (!open_db(s, &db)) return NULL;
    char err[512];
    blvm_orchestrator_options oo = {s->cfg, db, s->gh, false};
    blvm_orchestrator *o = blvm_orchestrator_create(&oo, err, sizeof(err));
    if (!o) {
        logf_("orchestration disabled: %s", err);
        blvm_db_close(db);
        return NULL;
    }
    int poll = s->cfg->poll_interval_secs > 0 ? s->cfg->poll_interval_secs : 10;
    bool first = true;
    while (!atomic_load(&s->stop)) {
        int64_t *ids = NULL;
        size_t n = 0;
        if (!blvm_orchestrator_unfinished(db, &ids, &n)) {
            logf_("cannot list runs: %s", blvm_db_errmsg(db));
        }
        if (first && n) logf_("resuming %zu unfinished run(s)", n);
        first = false;
        for (size_t i = 0; i < n && !atomic_load(&s->stop); i++) {
            bool fin = false;
            if (!blvm_orchestrator_step(o, ids[i], &fin, err, sizeof(err)))
                logf_("run %lld: %s", (long long)ids[i], err);
            else if (fin)
                after_run(s, db, o, ids[i]);
        }
        free(ids);
        long wait = n ? (blvm_orchestrator_local_builds(o) ? 200 : poll * 1000L) : 5000;
        wait_cv(s, &s->cv_orch, &s->orch_signal, wait);
    }
    blvm_orchestrator_destroy(o);
    blvm_db_close(db);
    return NULL;
}

/* ---- main --------------------------------------------------------------- */

static void on_signal(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    server *s = arg;
    logf_("stopping");
    event_base_loopexit(s->base, NULL);
}

static evutil_socket_t listen_socket(const char *addr, int port, int *bound_port, char *err,
                                     size_t errlen) {
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    socklen_t sl;
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        sl = sizeof(*v4);
    } else if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        sl = sizeof(*v6);
    } else {
        snprintf(err, errlen, "server.listen: '%s' is not an IP address", addr);
        return -1;
    }
    evutil_socket_t fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    /* A deep backlog: a burst of deliveries must queue, not be refused. */
    if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 1024) != 0) {
        snprintf(err, errlen, "cannot listen on %s:%d: %s", addr, port, strerror(errno));
        close(fd);
        return -1;
    }
    evutil_make_socket_nonblocking(fd);
    struct sockaddr_storage got;
    socklen_t gl = sizeof(got);
    getsockname(fd, (struct sockaddr *)&got, &gl);
    *bound_port = ntohs(got.ss_family == AF_INET ? ((struct sockaddr_in *)&got)->sin_port
                                                 : ((struct sockaddr_in6 *)&got)->sin6_port);
    return fd;
}

int blvm_commons_serve_main(blvm_commons_ctx *ctx, int argc, char **argv) {
    const char *listen_opt = NULL, *port_opt = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--listen") && i + 1 < argc)
            listen_opt = argv[++i];
        else if (!strcmp(argv[i], "--port") && i + 1 < argc)
            port_opt = argv[++i];
        else {
            blvm_commons_errorf("usage: serve [--listen ADDR] [--port N]");
            return BLVM_COMMONS_EXIT_USAGE;
        }
    }
    server *s = calloc(1, sizeof(*s));
    if (!s) return BLVM_COMMONS_EXIT_FAIL;
    s->cfg = ctx->cfg;
    s->secret = ctx->cfg->webhook_secret;
    s->started_at = (int64_t)time(NULL);
    int port = ctx->cfg->listen_port;
    if (port_opt) {
        char *e;
        long v = strtol(port_opt, &e, 10);
        if (*e || v < 0 || v > 65535) {
            blvm_commons_errorf("--port: bad port '%s'", port_opt);
            free(s);
            return BLVM_COMMONS_EXIT_USAGE;
        }
        port = (int)v;
    }
    snprintf(s->listen, sizeof(s->listen), "%s",
             listen_opt ? listen_opt
                        : (ctx->cfg->listen_addr ? ctx->cfg->listen_addr : "127.0.0.1"));
    if (!s->secret || !*s->secret) {
        /* Refuse to start rather than run a service that trusts nobody (or,
         * worse, everybody). */
        blvm_commons_errorf("no webhook secret: set BLVM_COMMONS_WEBHOOK_SECRET");
        free(s);
        return BLVM_COMMONS_EXIT_USAGE;
    }
    int rc = BLVM_COMMONS_EXIT_FAIL;
    char err[512];
    blvm_db *db = blvm_commons_ctx_db(ctx); /* creates and migrates */
    if (!db) goto out;
    s->db = db;
    if (mkdir(ctx->cfg->data_dir, 0700) != 0 && errno != EEXIST) {
        blvm_commons_errorf("cannot create %s: %s", ctx->cfg->data_dir, strerror(errno));
        goto out;
    }
    s->gh = blvm_commons_github_from_config(ctx->cfg);
    if (!s->gh) {
        blvm_commons_errorf("cannot create GitHub client");
        goto out;
    }
    signal(SIGPIPE, SIG_IGN);
    evthread_use_pthreads();
    s->base = event_base_new();
    s->http = s->base ? evhttp_new(s->base) : NULL;
    if (!s->http) {
        blvm_commons_errorf("cannot create HTTP server");
        goto out;
    }
    evhttp_set_timeout(s->http, 30);
    evhttp_set_max_headers_size(s->http, 64 * 1024);
    evhttp_set_max_body_size(s->http, (ev_ssize_t)ctx->cfg->max_body_bytes);
    /* Lingering close: a client still sending an oversized body reads our
     * 413 instead of a reset connection. */
    evhttp_set_flags(s->http, EVHTTP_SERVER_LINGERING_CLOSE);
    evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD);
    evhttp_set_gencb(s->http, http_cb, s);
    int bound = 0;
    evutil_socket_t fd = listen_socket(s->listen, port, &bound, err, sizeof(err));
    if (fd < 0) {
        blvm_commons_errorf("%s", err);
        goto out;
    }
    if (!evhttp_accept_socket_with_handle(s->http, fd)) {
        blvm_commons_errorf("cannot accept on %s:%d", s->listen, bound);
        close(fd);
        goto out;
    }
    s->port = bound;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv_jobs, NULL);
    pthread_cond_init(&s->cv_orch, NULL);
    if (pthread_create(&s->worker, NULL, worker_main, s) == 0) s->worker_started = true;
    if (pthread_create(&s->orch, NULL, orch_main, s) == 0) s->orch_started = true;
    if (!s->worker_started || !s->orch_started) {
        blvm_commons_errorf("cannot start threads");
        atomic_store(&s->stop, 1);
        goto join;
    }
    {
        char pf[4096];
        snprintf(pf, sizeof(pf), "%s/serve.port", ctx->cfg->data_dir);
        FILE *f = fopen(pf, "w");
        if (f) {
            fprintf(f, "%d\n", bound);
            fclose(f);
        }
    }
    printf("listening on %s:%d\n", s->listen, bound);
    fflush(stdout);
    logf_("listening on %s:%d (%s mode, database %s)", s->listen, bound,
          ctx->cfg->mode == BLVM_COMMONS_ENFORCING ? "enforcing" : "dry-run",
          blvm_db_engine_name(db));
    {
        struct event *sigterm = evsignal_new(s->base, SIGTERM, on_signal, s);
        struct event *sigint = evsignal_new(s->base, SIGINT, on_signal, s);
        if (sigterm) event_add(sigterm, NULL);
        if (sigint) event_add(sigint, NULL);
        event_base_dispatch(s->base);
        if (sigterm) event_free(sigterm);
        if (sigint) event_free(sigint);
    }
    rc = BLVM_COMMONS_EXIT_OK;
join:
    atomic_store(&s->stop, 1);
    signal_cv(s, true, true);
    if (s->worker_started) pthread_join(s->worker, NULL);
    if (s->orch_started) pthread_join(s->orch, NULL);
    pthread_cond_destroy(&s->cv_jobs);
    pthread_cond_destroy(&s->cv_orch);
    pthread_mutex_destroy(&s->mu);
    logf_("stopped");
out:
    if (s->http) evhttp_free(s->http);
    if (s->base) event_base_free(s->base);
    blvm_github_destroy(s->gh);
    free(s);
    return rc;
}
