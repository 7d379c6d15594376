#include "commons/orchestrate.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "commons/audit.h"
#include "util/err.h"
#include "util/os.h"

static const char *const g_state_names[] = {"pending",   "triggered", "running",   "retry_wait",
                                            "succeeded", "failed",    "timed_out", "skipped"};

const char *blvm_build_state_str(blvm_build_state s) {
    return (size_t)s < BLVM_ARRAY_LEN(g_state_names) ? g_state_names[s] : "unknown";
}

bool blvm_build_state_parse(const char *s, blvm_build_state *out) {
    for (size_t i = 0; s && i < BLVM_ARRAY_LEN(g_state_names); i++) {
        if (strcmp(s, g_state_names[i]) == 0) {
            *out = (blvm_build_state)i;
            return true;
        }
    }
    return false;
}

bool blvm_build_state_terminal(blvm_build_state s) {
    return s == BLVM_BUILD_SUCCEEDED || s == BLVM_BUILD_FAILED || s == BLVM_BUILD_TIMED_OUT ||
           s == BLVM_BUILD_SKIPPED;
}

static bool state_broken(blvm_build_state s) {
    return s == BLVM_BUILD_FAILED || s == BLVM_BUILD_TIMED_OUT || s == BLVM_BUILD_SKIPPED;
}

/* ---- graph -------------------------------------------------------------- */

void blvm_orch_graph_clear(blvm_orch_graph *g) {
    if (!g) return;
    for (size_t i = 0; i < g->n; i++) {
        if (g->names) free(g->names[i]);
        if (g->deps) free(g->deps[i]);
    }
    free(g->names);
    free(g->deps);
    free(g->ndeps);
    free(g->order);
    memset(g, 0, sizeof(*g));
}

int blvm_orch_graph_find(const blvm_orch_graph *g, const char *name) {
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->names[i], name) == 0) return (int)i;
    return -1;
}

/* Depth-first search for a cycle through v; writes "a -> b -> a". */
static bool find_cycle(const blvm_orch_graph *g, size_t v, int *color, size_t *stack, size_t depth,
                       char *err, size_t errlen) {
    color[v] = 1;
    stack[depth] = v;
    for (size_t d = 0; d < g->ndeps[v]; d++) {
        size_t w = g->deps[v][d];
        if (color[w] == 1) {
            /* Report in "depends on" direction, starting where the loop starts. */
            size_t start = 0;
            while (stack[start] != w)
                start++;
            size_t o = (size_t)snprintf(err, errlen, "dependency cycle: ");
            for (size_t k = start; k <= depth && o < errlen; k++)
                o += (size_t)snprintf(err + o, errlen - o, "%s -> ", g->names[stack[k]]);
            if (o < errlen) snprintf(err + o, errlen - o, "%s", g->names[w]);
            return true;
        }
        if (color[w] == 0 && find_cycle(g, w, color, stack, depth + 1, err, errlen)) return true;
    }
    color[v] = 2;
    return false;
}

bool blvm_orch_graph_init(blvm_orch_graph *g, size_t n, const char *const *names,
                          const char *const *const *deps, const size_t *ndeps, char *err,
                          size_t errlen) {
    memset(g, 0, sizeof(*g));
    if (n == 0) {
        blvm_err_set(err, errlen, "no components");
        return false;
    }
    g->names = calloc(n, sizeof(*g->names));
    g->deps = calloc(n, sizeof(*g->deps));
    g->ndeps = calloc(n, sizeof(*g->ndeps));
    g->order = calloc(n, sizeof(*g->order));
    if (!g->names || !g->deps || !g->ndeps || !g->order) goto oom;
    g->n = n;
    for (size_t i = 0; i < n; i++) {
        if (!names[i] || !*names[i]) {
            blvm_err_set(err, errlen, "component %zu has no name", i);
            goto fail;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(names[i], names[j]) == 0) {
                blvm_err_set(err, errlen, "duplicate component '%s'", names[i]);
                goto fail;
            }
        }
        g->names[i] = strdup(names[i]);
        if (!g->names[i]) goto oom;
    }
    for (size_t i = 0; i < n; i++) {
        g->deps[i] = calloc(ndeps[i] ? ndeps[i] : 1, sizeof(size_t));
        if (!g->deps[i]) goto oom;
        for (size_t d = 0; d < ndeps[i]; d++) {
            int w = blvm_orch_graph_find(g, deps[i][d]);
            if (w < 0) {
                blvm_err_set(err, errlen, "component '%s' depends on unknown component '%s'",
                             names[i], deps[i][d]);
                goto fail;
            }
            if ((size_t)w == i) {
                blvm_err_set(err, errlen, "component '%s' depends on itself", names[i]);
                goto fail;
            }
            bool dup = false;
            for (size_t k = 0; k < g->ndeps[i]; k++)
                dup |= g->deps[i][k] == (size_t)w;
            if (!dup) g->deps[i][g->ndeps[i]++] = (size_t)w;
        }
    }
    /* Kahn's algorithm, taking the lowest index first so the order is stable
     * (config order among independent components). */
    size_t *indeg = calloc(n, sizeof(size_t));
    if (!indeg) goto oom;
    for (size_t i = 0; i < n; i++)
        indeg[i] = g->ndeps[i];
    bool *done = calloc(n, sizeof(bool));
    if (!done) {
        free(indeg);
        goto oom;
    }
    size_t placed = 0;
    while (placed < n) {
        size_t pick = n;
        for (size_t i = 0; i < n && pick == n; i++)
            if (!done[i] && indeg[i] == 0) pick = i;
        if (pick == n) break;
        done[pick] = true;
        g->order[placed++] = pick;
        for (size_t i = 0; i < n; i++)
            for (size_t d = 0; d < g->ndeps[i]; d++)
                if (g->deps[i][d] == pick) indeg[i]--;
    }
    free(indeg);
    free(done);
    if (placed < n) {
        int *color = calloc(n, sizeof(int));
        size_t *stack = calloc(n + 1, sizeof(size_t));
        bool reported = false;
        if (color && stack)
            for (size_t i = 0; i < n && !reported; i++)
                if (color[i] == 0) reported = find_cycle(g, i, color, stack, 0, err, errlen);
        if (!reported) blvm_err_set(err, errlen, "dependency cycle");
        free(color);
        free(stack);
        goto fail;
    }
    return true;
oom:
    blvm_err_set(err, errlen, "out of memory");
fail:
    blvm_orch_graph_clear(g);
    return false;
}

bool blvm_orch_graph_from_config(blvm_orch_graph *g, const blvm_commons_config *cfg, char *err,
                                 size_t errlen) {
    size_t n = cfg->ncomponents;
    const char **names = calloc(n ? n : 1, sizeof(char *));
    const char *const **deps = calloc(n ? n : 1, sizeof(*deps));
    size_t *nd = calloc(n ? n : 1, sizeof(size_t));
    bool ok = false;
    if (names && deps && nd) {
        for (size_t i = 0; i < n; i++) {
            names[i] = cfg->components[i].name;
            deps[i] = (const char *const *)cfg->components[i].depends_on;
            nd[i] = cfg->components[i].ndepends;
        }
        ok = blvm_orch_graph_init(g, n, names, deps, nd, err, errlen);
    } else {
        blvm_err_set(err, errlen, "out of memory");
    }
    free(names);
    free(deps);
    free(nd);
    return ok;
}

/* ---- scheduling --------------------------------------------------------- */

size_t blvm_orch_plan(const blvm_orch_graph *g, const blvm_orch_view *views, int64_t now,
                      int parallel, blvm_orch_action *out) {
    size_t nout = 0;
    blvm_build_state *st = malloc(g->n * sizeof(*st));
    if (!st) return 0;
    for (size_t i = 0; i < g->n; i++)
        st[i] = views[i].state;
    /* Skips first, in topological order so they cascade in one pass. */
    for (size_t k = 0; k < g->n; k++) {
        size_t i = g->order[k];
        if (st[i] != BLVM_BUILD_PENDING && st[i] != BLVM_BUILD_RETRY_WAIT) continue;
        for (size_t d = 0; d < g->ndeps[i]; d++) {
            size_t w = g->deps[i][d];
            if (state_broken(st[w])) {
                st[i] = BLVM_BUILD_SKIPPED;
                out[nout].index = i;
                out[nout].kind = BLVM_ORCH_SKIP;
                out[nout].cause = w;
                nout++;
                break;
            }
        }
    }
    int active = 0;
    for (size_t i = 0; i < g->n; i++)
        if (st[i] == BLVM_BUILD_TRIGGERED || st[i] == BLVM_BUILD_RUNNING) active++;
    if (parallel < 1) parallel = 1;
    for (size_t k = 0; k < g->n && active < parallel; k++) {
        size_t i = g->order[k];
        bool ready;
        if (st[i] == BLVM_BUILD_PENDING) {
            ready = true;
            for (size_t d = 0; d < g->ndeps[i]; d++)
                if (st[g->deps[i][d]] != BLVM_BUILD_SUCCEEDED) ready = false;
        } else if (st[i] == BLVM_BUILD_RETRY_WAIT) {
            ready = views[i].next_attempt_at <= now;
        } else {
            ready = false;
        }
        if (!ready) continue;
        st[i] = BLVM_BUILD_TRIGGERED;
        out[nout].index = i;
        out[nout].kind = BLVM_ORCH_START;
        out[nout].cause = i;
        nout++;
        active++;
    }
    free(st);
    return nout;
}

bool blvm_orch_retry_after(int attempt, int max_retries, int backoff_secs, int64_t now,
                           int64_t *next_at) {
    if (attempt > max_retries) return false;
    int64_t delay = backoff_secs < 0 ? 0 : backoff_secs;
    for (int i = 1; i < attempt && delay < 86400; i++)
        delay *= 2;
    if (delay > 86400) delay = 86400;
    *next_at = now + delay;
    return true;
}

int blvm_orch_outcome(const blvm_orch_graph *g, const blvm_orch_view *views) {
    bool all_ok = true;
    for (size_t i = 0; i < g->n; i++) {
        if (!blvm_build_state_terminal(views[i].state)) return 0;
        if (views[i].state != BLVM_BUILD_SUCCEEDED) all_ok = false;
    }
    return all_ok ? 1 : -1;
}

/* ---- database driver ---------------------------------------------------- */

typedef struct {
    int64_t build_id;
    pid_t pid;
} local_proc;

struct blvm_orchestrator {
    const blvm_commons_config *cfg;
    blvm_db *db;
    blvm_github *gh;
    bool quiet;
    blvm_orch_graph g;
    local_proc *procs;
    size_t nprocs, capprocs;
};

typedef struct {
    int64_t id;
    int comp; /* graph index */
    blvm_build_state state;
    int attempt;
    char *trigger_kind;
    char *correlation_id;
    char *external_id;
    int64_t next_attempt_at;
    int64_t deadline_at;
    int64_t updated_at;
} build_row;

static void build_rows_free(build_row *rows, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(rows[i].trigger_kind);
        free(rows[i].correlation_id);
        free(rows[i].external_id);
    }
    free(rows);
}

static char *dup_cell(const blvm_db_result *r, size_t row, size_t col) {
    const char *v = blvm_db_result_get(r, row, col);
    return v ? strdup(v) : NULL;
}

static int64_t cell_int(const blvm_db_result *r, size_t row, size_t col) {
    int64_t v = 0;
    if (!blvm_db_result_get_int(r, row, col, &v)) v = 0;
    return v;
}

static void progress(const blvm_orchestrator *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void progress(const blvm_orchestrator *o, const char *fmt, ...) {
    if (o->quiet) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "blvm-commons: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}

blvm_orchestrator *blvm_orchestrator_create(const blvm_orchestrator_options *opt, char *err,
                                            size_t errlen) {
    blvm_orchestrator *o = calloc(1, sizeof(*o));
    if (!o) {
        blvm_err_set(err, errlen, "out of memory");
        return NULL;
    }
    o->cfg = opt->cfg;
    o->db = opt->db;
    o->gh = opt->gh;
    o->quiet = opt->quiet;
    if (!blvm_orch_graph_from_config(&o->g, o->cfg, err, errlen)) {
        free(o);
        return NULL;
    }
    return o;
}

void blvm_orchestrator_destroy(blvm_orchestrator *o) {
    if (!o) return;
    for (size_t i = 0; i < o->nprocs; i++) {
        kill(-o->procs[i].pid, SIGKILL);
        waitpid(o->procs[i].pid, NULL, 0);
    }
    free(o->procs);
    blvm_orch_graph_clear(&o->g);
    free(o);
}

static int64_t now_s(void) {
    return (int64_t)time(NULL);
}

static int comp_timeout(const blvm_orchestrator *o, int comp) {
    int t = o->cfg->components[comp].timeout_secs;
    return t > 0 ? t : (o->cfg->build_timeout_secs > 0 ? o->cfg->build_timeout_secs : 3600);
}

static int comp_retries(const blvm_commons_config *cfg, int comp) {
    int r = cfg->components[comp].max_retries;
    return r > 0 ? r : cfg->max_retries;
}

bool blvm_orchestrator_create_run(blvm_orchestrator *o, const char *trigger, const char *ref,
                                  const char *version, const char *delivery_id, int64_t *run_id,
                                  char *err, size_t errlen) {
    blvm_db *db = o->db;
    int64_t now = now_s();
    *run_id = 0;
    if (!blvm_db_begin(db)) goto dberr;
    {
        blvm_db_param p[6] = {blvm_db_text(trigger ? trigger : "manual"),
                              blvm_db_text(ref),
                              blvm_db_text(version),
                              blvm_db_text(delivery_id),
                              blvm_db_int(now),
                              blvm_db_int(now)};
        if (!blvm_db_insert(db,
                            "INSERT INTO runs (trigger, ref, version, state, delivery_id, "
                            "created_at, updated_at) VALUES (?, ?, ?, 'pending', ?, ?, ?)",
                            p, 6, run_id))
            goto rollback;
    }
    for (size_t k = 0; k < o->g.n; k++) {
        size_t i = o->g.order[k];
        const blvm_commons_component *c = &o->cfg->components[i];
        int64_t bid = 0;
        blvm_db_param p[4] = {blvm_db_int(*run_id), blvm_db_text(c->name),
                              blvm_db_text(c->command ? "command" : "dispatch"), blvm_db_int(now)};
        if (!blvm_db_insert(db,
                            "INSERT INTO builds (run_id, component, state, attempt, trigger_kind, "
                            "updated_at) VALUES (?, ?, 'pending', 0, ?, ?)",
                            p, 4, &bid))
            goto rollback;
        blvm_db_param t[4] = {blvm_db_int(bid), blvm_db_int(*run_id), blvm_db_text("run created"),
                              blvm_db_int(now)};
        if (!blvm_db_exec(db,
                          "INSERT INTO build_transitions (build_id, run_id, from_state, to_state, "
                          "reason, at) VALUES (?, ?, NULL, 'pending', ?, ?)",
                          t, 4, NULL))
            goto rollback;
    }
    {
        char subject[32], details[512];
        snprintf(subject, sizeof(subject), "run %lld", (long long)*run_id);
        json_t *d = json_pack("{s:s,s:s?,s:s?,s:s?,s:I}", "trigger", trigger ? trigger : "manual",
                              "ref", ref, "version", version, "delivery_id", delivery_id,
                              "components", (json_int_t)o->g.n);
        char *txt = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
        snprintf(details, sizeof(details), "%s", txt ? txt : "");
        free(txt);
        json_decref(d);
        if (!blvm_commons_audit_append(db, now, "orchestrator", "run.created", subject, details,
                                       NULL, NULL))
            goto rollback;
    }
    if (!blvm_db_commit(db)) goto rollback;
    progress(o, "run %lld created (%zu components)", (long long)*run_id, o->g.n);
    return true;
rollback:
    blvm_db_rollback(db);
dberr:
    blvm_err_set(err, errlen, "database: %s", blvm_db_errmsg(db));
    return false;
}

static bool load_builds(blvm_orchestrator *o, int64_t run_id, build_row **rows_out, char *err,
                        size_t errlen) {
    *rows_out = NULL;
    blvm_db_param p[1] = {blvm_db_int(run_id)};
    blvm_db_result r;
    if (!blvm_db_query(o->db,
                       "SELECT id, component, state, attempt, trigger_kind, correlation_id, "
                       "external_id, next_attempt_at, deadline_at, updated_at FROM builds WHERE "
                       "run_id = ?",
                       p, 1, &r)) {
        blvm_err_set(err, errlen, "database: %s", blvm_db_errmsg(o->db));
        return false;
    }
    build_row *rows = calloc(o->g.n, sizeof(*rows));
    bool *seen = calloc(o->g.n, sizeof(bool));
    if (!rows || !seen) {
        free(rows);
        free(seen);
        blvm_db_result_clear(&r);
        blvm_err_set(err, errlen, "out of memory");
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < r.nrows && ok; i++) {
        const char *comp = blvm_db_result_get(&r, i, 1);
        int c = comp ? blvm_orch_graph_find(&o->g, comp) : -1;
        if (c < 0 || seen[c]) {
            blvm_err_set(err, errlen,
                         "run %lld has a build for component '%s' the config does not "
                         "have (config changed since the run started?)",
                         (long long)run_id, comp ? comp : "");
            ok = false;
            break;
        }
        seen[c] = true;
        build_row *b = &rows[c];
        b->id = cell_int(&r, i, 0);
        b->comp = c;
        if (!blvm_build_state_parse(blvm_db_result_get(&r, i, 2), &b->state)) {
            blvm_err_set(err, errlen, "build %lld has unknown state '%s'", (long long)b->id,
                         blvm_db_result_get(&r, i, 2) ? blvm_db_result_get(&r, i, 2) : "");
            ok = false;
        }
        b->attempt = (int)cell_int(&r, i, 3);
        b->trigger_kind = dup_cell(&r, i, 4);
        b->correlation_id = dup_cell(&r, i, 5);
        b->external_id = dup_cell(&r, i, 6);
        b->next_attempt_at = cell_int(&r, i, 7);
        b->deadline_at = cell_int(&r, i, 8);
        b->updated_at = cell_int(&r, i, 9);
    }
    for (size_t i = 0; i < o->g.n && ok; i++) {
        if (!seen[i]) {
            blvm_err_set(err, errlen, "run %lld has no build for component '%s'", (long long)run_id,
                         o->g.names[i]);
            ok = false;
        }
    }
    free(seen);
    blvm_db_result_clear(&r);
    if (!ok) {
        build_rows_free(rows, o->g.n);
        return false;
    }
    *rows_out = rows;
    return true;
}

/* A conditional state change with its transition record, in one
 * transaction. Applies only if the build is still in `from` at `attempt`,
 * so the poller and the webhook handler can race safely: the second one
 * finds the state moved and does nothing. Returns 1 applied, 0 stale, -1
 * database error. */
typedef struct {
    blvm_build_state to;
    const char *reason;
    int attempt;                /* new attempt number (-1: unchanged) */
    const char *correlation_id; /* set when non-NULL */
    const char *external_id;
    const char *external_url;
    const char *conclusion;
    int64_t next_attempt_at; /* set when > 0 */
    int64_t deadline_at;     /* set when > 0 */
    bool started, finished;
} change;

static int transition(blvm_db *db, int64_t build_id, int64_t run_id, blvm_build_state from,
                      int from_attempt, const change *c) {
    int64_t now = now_s();
    char sql[1024];
    blvm_db_param p[16];
    size_t np = 0;
    size_t o = (size_t)snprintf(sql, sizeof(sql),
                                "UPDATE builds SET state = ?, reason = ?, "
                                "updated_at = ?");
    p[np++] = blvm_db_text(blvm_build_state_str(c->to));
    p[np++] = blvm_db_text(c->reason);
    p[np++] = blvm_db_int(now);
#define ADD(col, param)                                                                            \
    do {                                                                                           \
        o += (size_t)snprintf(sql + o, sizeof(sql) - o, ", " col " = ?");                          \
        p[np++] = (param);                                                                         \
    } while (0)
    if (c->attempt >= 0) ADD("attempt", blvm_db_int(c->attempt));
    if (c->correlation_id) ADD("correlation_id", blvm_db_text(c->correlation_id));
    if (c->external_id) ADD("external_id", blvm_db_text(c->external_id));
    if (c->external_url) ADD("external_url", blvm_db_text(c->external_url));
    if (c->conclusion) ADD("conclusion", blvm_db_text(c->conclusion));
    if (c->next_attempt_at > 0) ADD("next_attempt_at", blvm_db_int(c->next_attempt_at));
    if (c->deadline_at > 0) ADD("deadline_at", blvm_db_int(c->deadline_at));
    if (c->started) ADD("started_at", blvm_db_int(now));
    if (c->finished) ADD("finished_at", blvm_db_int(now));
#undef ADD
    snprintf(sql + o, sizeof(sql) - o, " WHERE id = ? AND state = ? AND attempt = ?");
    p[np++] = blvm_db_int(build_id);
    p[np++] = blvm_db_text(blvm_build_state_str(from));
    p[np++] = blvm_db_int(from_attempt);
    if (!blvm_db_begin(db)) return -1;
    int64_t changes = 0;
    if (!blvm_db_exec(db, sql, p, np, &changes)) goto fail;
    if (changes == 0) {
        blvm_db_rollback(db);
        return 0;
    }
    {
        blvm_db_param t[6] = {blvm_db_int(build_id),
                              blvm_db_int(run_id),
                              blvm_db_text(blvm_build_state_str(from)),
                              blvm_db_text(blvm_build_state_str(c->to)),
                              blvm_db_text(c->reason),
                              blvm_db_int(now)};
        if (!blvm_db_exec(db,
                          "INSERT INTO build_transitions (build_id, run_id, from_state, to_state, "
                          "reason, at) VALUES (?, ?, ?, ?, ?, ?)",
                          t, 6, NULL))
            goto fail;
    }
    if (!blvm_db_commit(db)) goto fail;
    return 1;
fail:
    blvm_db_rollback(db);
    return -1;
}

static change change_to(blvm_build_state to, const char *reason) {
    change c;
    memset(&c, 0, sizeof(c));
    c.to = to;
    c.reason = reason;
    c.attempt = -1;
    return c;
}

/* A failed attempt: retry_wait with back-off, or the final state. */
static int fail_attempt(blvm_db *db, const blvm_commons_config *cfg, int comp, int64_t build_id,
                        int64_t run_id, blvm_build_state from, int attempt, bool timed_out,
                        const char *why, const char *conclusion) {
    char reason[512];
    int64_t next = 0;
    bool retry = blvm_orch_retry_after(attempt, comp_retries(cfg, comp), cfg->retry_backoff_secs,
                                       now_s(), &next);
    change c;
    if (retry) {
        snprintf(reason, sizeof(reason), "attempt %d %s: %s; retrying in %llds", attempt,
                 timed_out ? "timed out" : "failed", why, (long long)(next - now_s()));
        c = change_to(BLVM_BUILD_RETRY_WAIT, reason);
        c.next_attempt_at = next > 0 ? next : 1;
    } else {
        snprintf(reason, sizeof(reason), "attempt %d %s: %s; no retries left", attempt,
                 timed_out ? "timed out" : "failed", why);
        c = change_to(timed_out ? BLVM_BUILD_TIMED_OUT : BLVM_BUILD_FAILED, reason);
        c.finished = true;
    }
    c.conclusion = conclusion;
    return transition(db, build_id, run_id, from, attempt, &c);
}

int blvm_orchestrate_build_complete(blvm_db *db, const blvm_commons_config *cfg,
                                    const char *correlation_id, const char *conclusion,
                                    const char *external_run_id, char *err, size_t errlen) {
    if (!correlation_id || !*correlation_id || !conclusion) {
        blvm_err_set(err, errlen, "build-complete needs client_payload.build_id and conclusion");
        return -1;
    }
    blvm_db_param p[1] = {blvm_db_text(correlation_id)};
    blvm_db_result r;
    if (!blvm_db_query(db,
                       "SELECT id, run_id, component, state, attempt FROM builds "
                       "WHERE correlation_id = ?",
                       p, 1, &r)) {
        blvm_err_set(err, errlen, "database: %s", blvm_db_errmsg(db));
        return -1;
    }
    if (r.nrows != 1) {
        blvm_db_result_clear(&r);
        blvm_err_set(err, errlen, "no build with id '%s'", correlation_id);
        return 0;
    }
    int64_t id = cell_int(&r, 0, 0), run_id = cell_int(&r, 0, 1);
    int attempt = (int)cell_int(&r, 0, 4);
    blvm_build_state st = BLVM_BUILD_PENDING;
    bool known = blvm_build_state_parse(blvm_db_result_get(&r, 0, 3), &st);
    int comp = blvm_commons_config_component(
        cfg, blvm_db_result_get(&r, 0, 2) ? blvm_db_result_get(&r, 0, 2) : "");
    blvm_db_result_clear(&r);
    if (!known || comp < 0 || (st != BLVM_BUILD_TRIGGERED && st != BLVM_BUILD_RUNNING)) {
        blvm_err_set(err, errlen, "build '%s' is not waiting for a result", correlation_id);
        return 0;
    }
    char why[256];
    int rc;
    if (strcmp(conclusion, "success") == 0) {
        snprintf(why, sizeof(why), "build-complete webhook: success%s%s",
                 external_run_id ? ", workflow run " : "", external_run_id ? external_run_id : "");
        change c = change_to(BLVM_BUILD_SUCCEEDED, why);
        c.conclusion = "success";
        c.external_id = external_run_id;
        c.finished = true;
        rc = transition(db, id, run_id, st, attempt, &c);
    } else {
        snprintf(why, sizeof(why), "build-complete webhook: conclusion %.40s%s%s", conclusion,
                 external_run_id ? ", workflow run " : "", external_run_id ? external_run_id : "");
        rc = fail_attempt(db, cfg, comp, id, run_id, st, attempt, false, why, conclusion);
    }
    if (rc < 0) blvm_err_set(err, errlen, "database: %s", blvm_db_errmsg(db));
    if (rc == 0) blvm_err_set(err, errlen, "build '%s' changed meanwhile", correlation_id);
    return rc;
}

/* ---- local commands ----------------------------------------------------- */

extern char **environ;

static pid_t spawn_command(const blvm_orchestrator *o, int comp, int64_t run_id, int attempt,
                           const char *corr, const char *ref, char *err, size_t errlen) {
    const blvm_commons_component *c = &o->cfg->components[comp];
    char dir[4096], log[4200];
    snprintf(dir, sizeof(dir), "%s/logs/run-%lld", o->cfg->data_dir, (long long)run_id);
    if (!blvm_os_mkdirs(dir, 0755)) {
        blvm_err_set(err, errlen, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    snprintf(log, sizeof(log), "%s/%s-%d.log", dir, c->name, attempt);
    /* Everything the child needs is prepared before fork: only
     * async-signal-safe calls may run between fork and exec in a threaded
     * program. */
    size_t nenv = 0;
    while (environ[nenv])
        nenv++;
    char **envp = calloc(nenv + 9, sizeof(char *));
    if (!envp) return -1;
    size_t e = 0;
    for (size_t i = 0; i < nenv; i++)
        if (strncmp(environ[i], "BLVM_BUILD_", 11) != 0 &&
            strncmp(environ[i], "BLVM_COMPONENT=", 15))
            envp[e++] = environ[i];
    char vcomp[256], vid[300], vrun[64], vatt[64], vref[512], vlog[4300], vst[4300];
    snprintf(vcomp, sizeof(vcomp), "BLVM_COMPONENT=%s", c->name);
    snprintf(vid, sizeof(vid), "BLVM_BUILD_ID=%s", corr);
    snprintf(vrun, sizeof(vrun), "BLVM_BUILD_RUN=%lld", (long long)run_id);
    snprintf(vatt, sizeof(vatt), "BLVM_BUILD_ATTEMPT=%d", attempt);
    snprintf(vref, sizeof(vref), "BLVM_BUILD_REF=%s", ref ? ref : "");
    snprintf(vlog, sizeof(vlog), "BLVM_BUILD_LOG=%s", log);
    envp[e++] = vcomp;
    envp[e++] = vid;
    envp[e++] = vrun;
    envp[e++] = vatt;
    envp[e++] = vref;
    envp[e++] = vlog;
    snprintf(vst, sizeof(vst), "BLVM_BUILD_STATUS_PREFIX=%s/%s-%d-", dir, c->name, attempt);
    envp[e++] = vst;
    envp[e] = NULL;
    /* The command runs in a subshell; the outer shell records its exit
     * status in <prefix><its pid>.status. A build outlives an orchestrator
     * that is killed, and the restarted one reads the result from there. */
    size_t wl = strlen(c->command) + 128;
    char *wrapper = malloc(wl);
    if (!wrapper) {
        free(envp);
        return -1;
    }
    snprintf(wrapper, wl,
             "(\n%s\n)\ns=$?\necho $s > \"${BLVM_BUILD_STATUS_PREFIX}$$.status\"\nexit $s\n",
             c->command);
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        blvm_err_set(err, errlen, "cannot create %s: %s", log, strerror(errno));
        free(envp);
        free(wrapper);
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (c->workdir && chdir(c->workdir) != 0) _exit(126);
        char *const argv[] = {"sh", "-c", wrapper, NULL};
        execve("/bin/sh", argv, envp);
        _exit(127);
    }
    close(fd);
    free(envp);
    free(wrapper);
    if (pid < 0) {
        blvm_err_set(err, errlen, "fork: %s", strerror(errno));
        return -1;
    }
    setpgid(pid, pid);
    return pid;
}

static local_proc *find_proc(blvm_orchestrator *o, int64_t build_id) {
    for (size_t i = 0; i < o->nprocs; i++)
        if (o->procs[i].build_id == build_id) return &o->procs[i];
    return NULL;
}

static void drop_proc(blvm_orchestrator *o, int64_t build_id) {
    for (size_t i = 0; i < o->nprocs; i++) {
        if (o->procs[i].build_id == build_id) {
            o->procs[i] = o->procs[--o->nprocs];
            return;
        }
    }
}

static bool add_proc(blvm_orchestrator *o, int64_t build_id, pid_t pid) {
    if (o->nprocs == o->capprocs) {
        size_t nc = o->capprocs ? o->capprocs * 2 : 8;
        local_proc *np = realloc(o->procs, nc * sizeof(*np));
        if (!np) return false;
        o->procs = np;
        o->capprocs = nc;
    }
    o->procs[o->nprocs].build_id = build_id;
    o->procs[o->nprocs].pid = pid;
    o->nprocs++;
    return true;
}

/* ---- one step ----------------------------------------------------------- */

static const char *repo_of(const blvm_commons_config *cfg, char *buf, size_t cap) {
    if (!cfg->github_owner || !cfg->github_repo) return NULL;
    snprintf(buf, cap, "%s/%s", cfg->github_owner, cfg->github_repo);
    return buf;
}

/* Whether title names build id corr exactly, or contains it as a word. */
static bool names_build(const char *title, const char *corr) {
    if (!title || !corr || !*corr) return false;
    size_t n = strlen(corr);
    for (const char *p = strstr(title, corr); p; p = strstr(p + 1, corr)) {
        bool left = p == title || p[-1] == ' ' || p[-1] == '(' || p[-1] == '[' || p[-1] == ':';
        char r = p[n];
        bool right = r == 0 || r == ' ' || r == ')' || r == ']' || r == ':';
        if (left && right) return true;
    }
    return false;
}

static int follow_dispatch(blvm_orchestrator *o, build_row *b, int64_t run_id, json_t *runs) {
    size_t i;
    json_t *r;
    json_array_foreach(runs, i, r) {
        const char *title = json_string_value(json_object_get(r, "display_title"));
        const char *name = json_string_value(json_object_get(r, "name"));
        if (!names_build(title, b->correlation_id) && !names_build(name, b->correlation_id))
            continue;
        json_t *idj = json_object_get(r, "id");
        /* A run without a proper id cannot be followed or collected from. */
        if (!json_is_integer(idj) || json_integer_value(idj) <= 0) continue;
        char ext[32];
        snprintf(ext, sizeof(ext), "%lld", (long long)json_integer_value(idj));
        const char *url = json_string_value(json_object_get(r, "html_url"));
        const char *status = json_string_value(json_object_get(r, "status"));
        const char *concl = json_string_value(json_object_get(r, "conclusion"));
        if (b->state == BLVM_BUILD_TRIGGERED) {
            char why[128];
            snprintf(why, sizeof(why), "workflow run %s found (%s)", ext, status ? status : "?");
            change c = change_to(BLVM_BUILD_RUNNING, why);
            c.external_id = ext;
            c.external_url = url;
            int rc = transition(o->db, b->id, run_id, b->state, b->attempt, &c);
            if (rc <= 0) return rc;
            progress(o, "run %lld: %s running (workflow run %s)", (long long)run_id,
                     o->g.names[b->comp], ext);
            b->state = BLVM_BUILD_RUNNING;
        }
        if (status && strcmp(status, "completed") == 0) {
            char why[160];
            if (concl && strcmp(concl, "success") == 0) {
                snprintf(why, sizeof(why), "workflow run %s concluded success", ext);
                change c = change_to(BLVM_BUILD_SUCCEEDED, why);
                c.conclusion = "success";
                c.external_id = ext;
                c.finished = true;
                int rc = transition(o->db, b->id, run_id, b->state, b->attempt, &c);
                if (rc == 1)
                    progress(o, "run %lld: %s succeeded", (long long)run_id, o->g.names[b->comp]);
                return rc;
            }
            snprintf(why, sizeof(why), "workflow run %s concluded %.40s", ext,
                     concl ? concl : "without conclusion");
            int rc = fail_attempt(o->db, o->cfg, b->comp, b->id, run_id, b->state, b->attempt,
                                  false, why, concl ? concl : "unknown");
            if (rc == 1)
                progress(o, "run %lld: %s attempt %d failed (%s)", (long long)run_id,
                         o->g.names[b->comp], b->attempt, why);
            return rc;
        }
        return 1;
    }
    return 1;
}

/* The exit status a local build recorded, or -1 when there is none. */
static int read_status_file(const blvm_orchestrator *o, int64_t run_id, int comp, int attempt,
                            long pid) {
    char path[4400];
    snprintf(path, sizeof(path), "%s/logs/run-%lld/%s-%d-%ld.status", o->cfg->data_dir,
             (long long)run_id, o->cfg->components[comp].name, attempt, pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    int v = -1;
    if (fscanf(f, "%d", &v) != 1 || v < 0 || v > 255) v = -1;
    fclose(f);
    return v;
}

/* Whether process group pid is still a build of ours with this id: its
 * leader's environment names the build (pids get reused). */
static bool group_is_ours(long pid, const char *corr) {
    if (pid <= 1 || !corr) return false;
    char path[64];
    snprintf(path, sizeof(path), "/proc/%ld/environ", pid);
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    char want[300];
    int wl = snprintf(want, sizeof(want), "BLVM_BUILD_ID=%s", corr);
    char buf[65536];
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    for (size_t k = 0; k < n;) {
        size_t len = strnlen(buf + k, n - k);
        if ((int)len == wl && memcmp(buf + k, want, len) == 0) return true;
        k += len + 1;
    }
    return false;
}

static long pid_of(const char *external_id) {
    if (!external_id || strncmp(external_id, "pid ", 4) != 0) return 0;
    return strtol(external_id + 4, NULL, 10);
}

static int command_result(blvm_orchestrator *o, build_row *b, int64_t run_id, int code,
                          const char *how) {
    char why[160];
    if (code == 0) {
        snprintf(why, sizeof(why), "command exited with status 0%s", how);
        change c = change_to(BLVM_BUILD_SUCCEEDED, why);
        c.conclusion = "success";
        c.finished = true;
        int rc = transition(o->db, b->id, run_id, b->state, b->attempt, &c);
        if (rc == 1) progress(o, "run %lld: %s succeeded", (long long)run_id, o->g.names[b->comp]);
        return rc;
    }
    if (code > 0)
        snprintf(why, sizeof(why), "command exited with status %d%s", code, how);
    else
        snprintf(why, sizeof(why), "command killed by signal %d%s", -code, how);
    int rc = fail_attempt(o->db, o->cfg, b->comp, b->id, run_id, b->state, b->attempt, false, why,
                          "failure");
    if (rc == 1)
        progress(o, "run %lld: %s attempt %d failed (%s)", (long long)run_id, o->g.names[b->comp],
                 b->attempt, why);
    return rc;
}

static int follow_command(blvm_orchestrator *o, build_row *b, int64_t run_id) {
    local_proc *lp = find_proc(o, b->id);
    if (lp) {
        int status = 0;
        pid_t w = waitpid(lp->pid, &status, WNOHANG);
        if (w == 0) return 1;
        drop_proc(o, b->id);
        if (w < 0) return command_result(o, b, run_id, -SIGKILL, " (lost track of process)");
        if (WIFEXITED(status)) return command_result(o, b, run_id, WEXITSTATUS(status), "");
        return command_result(o, b, run_id, WIFSIGNALED(status) ? -WTERMSIG(status) : -SIGKILL, "");
    }
    /* Started by an orchestrator that is gone (killed and restarted), or by
     * another one driving the same run that has not recorded the process
     * yet: give that one a moment before calling the build lost. */
    long pid = pid_of(b->external_id);
    if (pid <= 0 && b->state == BLVM_BUILD_TRIGGERED && now_s() - b->updated_at < 30) return 1;
    if (pid > 0) {
        int code = read_status_file(o, run_id, b->comp, b->attempt, pid);
        if (code >= 0)
            return command_result(o, b, run_id, code,
                                  " (finished while the orchestrator was down)");
        if (group_is_ours(pid, b->correlation_id)) return 1; /* still running: keep following */
    }
    /* Gone without a result: start it again without charging an attempt. */
    change c = change_to(BLVM_BUILD_RETRY_WAIT,
                         "orchestrator restarted and the local build left no result; "
                         "starting it again");
    c.attempt = b->attempt > 0 ? b->attempt - 1 : 0;
    c.next_attempt_at = 1;
    return transition(o->db, b->id, run_id, b->state, b->attempt, &c);
}

static int start_build(blvm_orchestrator *o, build_row *b, int64_t run_id, const char *ref,
                       char *err, size_t errlen) {
    const blvm_commons_component *comp = &o->cfg->components[b->comp];
    int attempt = b->attempt + 1;
    char corr[256];
    snprintf(corr, sizeof(corr), "blvm-run%lld-%s-%d", (long long)run_id, comp->name, attempt);
    char why[160];
    snprintf(why, sizeof(why), "attempt %d: %s", attempt,
             comp->command ? "starting local command" : "sending repository_dispatch");
    /* Recorded before the trigger goes out: a crash after this point makes
     * the restarted orchestrator follow this attempt, never send it twice. */
    change c = change_to(BLVM_BUILD_TRIGGERED, why);
    c.attempt = attempt;
    c.correlation_id = corr;
    c.deadline_at = now_s() + comp_timeout(o, b->comp);
    c.started = true;
    int rc = transition(o->db, b->id, run_id, b->state, b->attempt, &c);
    if (rc <= 0) return rc;
    b->state = BLVM_BUILD_TRIGGERED;
    b->attempt = attempt;
    progress(o, "run %lld: %s triggered (attempt %d, %s)", (long long)run_id, comp->name, attempt,
             corr);
    char terr[512] = "";
    bool ok;
    if (comp->command) {
        pid_t pid = spawn_command(o, b->comp, run_id, attempt, corr, ref, terr, sizeof(terr));
        ok = pid > 0 && add_proc(o, b->id, pid);
        if (pid > 0 && !ok) {
            kill(-pid, SIGKILL);
            waitpid(pid, NULL, 0);
            snprintf(terr, sizeof(terr), "out of memory");
        }
        if (ok) {
            char ext[32];
            snprintf(ext, sizeof(ext), "pid %d", (int)pid);
            change r = change_to(BLVM_BUILD_RUNNING, "local command started");
            r.external_id = ext;
            if (transition(o->db, b->id, run_id, BLVM_BUILD_TRIGGERED, attempt, &r) == 1)
                b->state = BLVM_BUILD_RUNNING;
        }
    } else {
        char rbuf[300];
        const char *repo = repo_of(o->cfg, rbuf, sizeof(rbuf));
        if (!o->gh || !repo) {
            snprintf(terr, sizeof(terr), "no GitHub repository/client configured for dispatch");
            ok = false;
        } else {
            json_error_t je;
            json_t *payload = json_loads(
                o->cfg->dispatch_payload_json ? o->cfg->dispatch_payload_json : "{}", 0, &je);
            if (!json_is_object(payload)) {
                json_decref(payload);
                payload = json_object();
            }
            if (comp->payload_json) {
                json_t *extra = json_loads(comp->payload_json, 0, &je);
                if (json_is_object(extra)) json_object_update(payload, extra);
                json_decref(extra);
            }
            json_object_set_new(payload, "component", json_string(comp->name));
            json_object_set_new(payload, "build_id", json_string(corr));
            json_object_set_new(payload, "run_id", json_integer(run_id));
            json_object_set_new(payload, "attempt", json_integer(attempt));
            if (ref) json_object_set_new(payload, "ref", json_string(ref));
            ok = blvm_github_repository_dispatch(
                o->gh, repo,
                o->cfg->dispatch_event_type ? o->cfg->dispatch_event_type : "build-component",
                payload, terr, sizeof(terr));
            json_decref(payload);
        }
    }
    if (!ok) {
        char why2[700];
        snprintf(why2, sizeof(why2), "trigger failed: %s", terr);
        rc = fail_attempt(o->db, o->cfg, b->comp, b->id, run_id, b->state, attempt, false, why2,
                          "trigger_failed");
        progress(o, "run %lld: %s %s", (long long)run_id, comp->name, why2);
        if (rc < 0) {
            blvm_err_set(err, errlen, "database: %s", blvm_db_errmsg(o->db));
            return -1;
        }
    }
    return 1;
}

static bool finish_run(blvm_orchestrator *o, int64_t run_id, int outcome, const build_row *rows) {
    char reason[1024];
    size_t off = 0;
    reason[0] = 0;
    if (outcome > 0) {
        snprintf(reason, sizeof(reason), "all %zu builds succeeded", o->g.n);
    } else {
        for (size_t i = 0; i < o->g.n && off < sizeof(reason); i++) {
            if (rows[i].state == BLVM_BUILD_SUCCEEDED) continue;
            off += (size_t)snprintf(reason + off, sizeof(reason) - off, "%s%s %s", off ? ", " : "",
                                    o->g.names[i], blvm_build_state_str(rows[i].state));
        }
    }
    const char *state = outcome > 0 ? "succeeded" : "failed";
    int64_t now = now_s();
    blvm_db *db = o->db;
    if (!blvm_db_begin(db)) return false;
    blvm_db_param p[5] = {blvm_db_text(state), blvm_db_text(reason), blvm_db_int(now),
                          blvm_db_int(now), blvm_db_int(run_id)};
    int64_t changes = 0;
    if (!blvm_db_exec(db,
                      "UPDATE runs SET state = ?, reason = ?, updated_at = ?, finished_at = ? "
                      "WHERE id = ? AND state IN ('pending', 'running')",
                      p, 5, &changes))
        goto fail;
    if (changes == 1) {
        char subject[32];
        snprintf(subject, sizeof(subject), "run %lld", (long long)run_id);
        json_t *d = json_pack("{s:s,s:s}", "state", state, "reason", reason);
        char *txt = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(d);
        bool ok = blvm_commons_audit_append(db, now, "orchestrator", "run.finished", subject,
                                            txt ? txt : "", NULL, NULL);
        free(txt);
        if (!ok) goto fail;
    }
    if (!blvm_db_commit(db)) goto fail;
    if (changes == 1) progress(o, "run %lld %s: %s", (long long)run_id, state, reason);
    return true;
fail:
    blvm_db_rollback(db);
    return false;
}

bool blvm_orchestrator_step(blvm_orchestrator *o, int64_t run_id, bool *finished, char *err,
                            size_t errlen) {
    *finished = false;
    blvm_db *db = o->db;
    blvm_db_param rp[1] = {blvm_db_int(run_id)};
    blvm_db_result rr;
    if (!blvm_db_query(db, "SELECT state, ref FROM runs WHERE id = ?", rp, 1, &rr)) {
        blvm_err_set(err, errlen, "database: %s", blvm_db_errmsg(db));
        return false;
    }
    if (rr.nrows != 1) {
        blvm_db_result_clear(&rr);
        blvm_err_set(err, errlen, "no run %lld", (long long)run_id);
        return false;
    }
    char run_state[32], ref[256];
    snprintf(run_state, sizeof(run_state), "%s",
             blvm_db_result_get(&rr, 0, 0) ? blvm_db_result_get(&rr, 0, 0) : "");
    snprintf(ref, sizeof(ref), "%s",
             blvm_db_result_get(&rr, 0, 1) ? blvm_db_result_get(&rr, 0, 1) : "");
    bool has_ref = blvm_db_result_get(&rr, 0, 1) != NULL;
    blvm_db_result_clear(&rr);
    if (strcmp(run_state, "pending") && strcmp(run_state, "running")) {
        *finished = true;
        return true;
    }
    if (strcmp(run_state, "pending") == 0) {
        blvm_db_param p[2] = {blvm_db_int(now_s()), blvm_db_int(run_id)};
        if (!blvm_db_exec(db,
                          "UPDATE runs SET state = 'running', updated_at = ? WHERE id = ? AND "
                          "state = 'pending'",
                          p, 2, NULL)) {
            blvm_err_set(err, errlen, "database: %s", blvm_db_errmsg(db));
            return false;
        }
    }

    build_row *rows = NULL;
    if (!load_builds(o, run_id, &rows, err, errlen)) return false;
    bool ok = true;
    int64_t now = now_s();

    /* 1. Follow active builds. */
    bool need_runs = false;
    for (size_t i = 0; i < o->g.n; i++)
        if ((rows[i].state == BLVM_BUILD_TRIGGERED || rows[i].state == BLVM_BUILD_RUNNING) &&
            rows[i].trigger_kind && strcmp(rows[i].trigger_kind, "dispatch") == 0)
            need_runs = true;
    json_t *runs = NULL;
    if (need_runs && o->gh) {
        char rbuf[300], gerr[256];
        const char *repo = repo_of(o->cfg, rbuf, sizeof(rbuf));
        if (repo &&
            !blvm_github_list_workflow_runs(o->gh, repo, o->cfg->workflow_file,
                                            "repository_dispatch", &runs, gerr, sizeof(gerr)))
            progress(o, "run %lld: cannot poll workflow runs: %s (will retry)", (long long)run_id,
                     gerr);
    }
    for (size_t i = 0; i < o->g.n && ok; i++) {
        build_row *b = &rows[i];
        if (b->state != BLVM_BUILD_TRIGGERED && b->state != BLVM_BUILD_RUNNING) continue;
        int rc = 1;
        bool is_cmd = b->trigger_kind && strcmp(b->trigger_kind, "command") == 0;
        if (is_cmd) {
            rc = follow_command(o, b, run_id);
        } else if (runs) {
            rc = follow_dispatch(o, b, run_id, runs);
        }
        if (rc < 0) ok = false;
        if (rc == 0) continue; /* moved by someone else; re-read next step */
        /* Deadline, if still unfinished after following it. */
        if (ok && rc == 1 && b->deadline_at > 0 && now > b->deadline_at) {
            blvm_build_state cur = b->state;
            /* Re-read: following may have finished it. */
            blvm_db_param q[1] = {blvm_db_int(b->id)};
            blvm_db_result sr;
            if (!blvm_db_query(db, "SELECT state, attempt FROM builds WHERE id = ?", q, 1, &sr)) {
                ok = false;
                break;
            }
            bool parsed =
                sr.nrows == 1 && blvm_build_state_parse(blvm_db_result_get(&sr, 0, 0), &cur);
            int att = (int)cell_int(&sr, 0, 1);
            blvm_db_result_clear(&sr);
            if (!parsed || (cur != BLVM_BUILD_TRIGGERED && cur != BLVM_BUILD_RUNNING)) continue;
            local_proc *lp = find_proc(o, b->id);
            if (lp) {
                kill(-lp->pid, SIGKILL);
                waitpid(lp->pid, NULL, 0);
                drop_proc(o, b->id);
            } else if (group_is_ours(pid_of(b->external_id), b->correlation_id)) {
                kill(-(pid_t)pid_of(b->external_id), SIGKILL);
            }
            char why[128];
            snprintf(why, sizeof(why), "no result within %ds", comp_timeout(o, b->comp));
            rc = fail_attempt(db, o->cfg, b->comp, b->id, run_id, cur, att, true, why, "timed_out");
            if (rc < 0) ok = false;
            if (rc == 1)
                progress(o, "run %lld: %s attempt %d timed out", (long long)run_id,
                         o->g.names[b->comp], att);
        }
    }
    json_decref(runs);
    if (!ok) {
        blvm_err_set(err, errlen, "database: %s", blvm_db_errmsg(db));
        build_rows_free(rows, o->g.n);
        return false;
    }

    /* 2. Plan on fresh state. */
    build_rows_free(rows, o->g.n);
    if (!load_builds(o, run_id, &rows, err, errlen)) return false;
    blvm_orch_view *views = calloc(o->g.n, sizeof(*views));
    blvm_orch_action *acts = calloc(o->g.n, sizeof(*acts));
    if (!views || !acts) {
        free(views);
        free(acts);
        build_rows_free(rows, o->g.n);
        blvm_err_set(err, errlen, "out of memory");
        return false;
    }
    for (size_t i = 0; i < o->g.n; i++) {
        views[i].state = rows[i].state;
        views[i].next_attempt_at = rows[i].next_attempt_at;
    }
    size_t na = blvm_orch_plan(&o->g, views, now_s(), o->cfg->parallelism, acts);
    for (size_t k = 0; k < na && ok; k++) {
        build_row *b = &rows[acts[k].index];
        if (acts[k].kind == BLVM_ORCH_SKIP) {
            char why[256];
            snprintf(why, sizeof(why), "dependency %s did not succeed", o->g.names[acts[k].cause]);
            change c = change_to(BLVM_BUILD_SKIPPED, why);
            c.finished = true;
            int rc = transition(db, b->id, run_id, b->state, b->attempt, &c);
            if (rc < 0) ok = false;
            if (rc == 1) {
                b->state = BLVM_BUILD_SKIPPED;
                progress(o, "run %lld: %s skipped (%s)", (long long)run_id, o->g.names[b->comp],
                         why);
            }
        } else {
            if (start_build(o, b, run_id, has_ref ? ref : NULL, err, errlen) < 0) ok = false;
        }
    }
    free(acts);
    if (!ok) {
        if (!err || !*err) blvm_err_set(err, errlen, "database: %s", blvm_db_errmsg(db));
        free(views);
        build_rows_free(rows, o->g.n);
        return false;
    }

    /* 3. Finished? */
    build_rows_free(rows, o->g.n);
    if (!load_builds(o, run_id, &rows, err, errlen)) {
        free(views);
        return false;
    }
    for (size_t i = 0; i < o->g.n; i++)
        views[i].state = rows[i].state;
    int outcome = blvm_orch_outcome(&o->g, views);
    free(views);
    if (outcome != 0) {
        if (!finish_run(o, run_id, outcome, rows)) {
            blvm_err_set(err, errlen, "database: %s", blvm_db_errmsg(db));
            build_rows_free(rows, o->g.n);
            return false;
        }
        *finished = true;
    }
    build_rows_free(rows, o->g.n);
    return true;
}

bool blvm_orchestrator_drive(blvm_orchestrator *o, int64_t run_id, volatile const int *stop,
                             char *err, size_t errlen) {
    int poll = o->cfg->poll_interval_secs > 0 ? o->cfg->poll_interval_secs : 10;
    for (;;) {
        bool finished = false;
        if (!blvm_orchestrator_step(o, run_id, &finished, err, errlen)) return false;
        if (finished) return true;
        /* Local builds are checked often (an exit costs nothing to notice);
         * the API no more than every poll interval. */
        long wait_ms = o->nprocs ? 200 : poll * 1000L;
        for (long waited = 0; waited < wait_ms; waited += 100) {
            if (stop && *stop) return true;
            blvm_os_sleep_ms(100);
            if (o->nprocs && waited >= 200) break;
        }
        if (stop && *stop) return true;
    }
}

size_t blvm_orchestrator_local_builds(const blvm_orchestrator *o) {
    return o->nprocs;
}

bool blvm_orchestrator_unfinished(blvm_db *db, int64_t **ids, size_t *n) {
    *ids = NULL;
    *n = 0;
    blvm_db_result r;
    if (!blvm_db_query(db, "SELECT id FROM runs WHERE state IN ('pending', 'running') ORDER BY id",
                       NULL, 0, &r))
        return false;
    if (r.nrows) {
        *ids = calloc(r.nrows, sizeof(int64_t));
        if (!*ids) {
            blvm_db_result_clear(&r);
            return false;
        }
        for (size_t i = 0; i < r.nrows; i++)
            (*ids)[i] = cell_int(&r, i, 0);
        *n = r.nrows;
    }
    blvm_db_result_clear(&r);
    return true;
}

bool blvm_orchestrator_collect_artifacts(blvm_orchestrator *o, int64_t run_id, char run_ref[32],
                                         blvm_commons_collect_summary *sum, char *err,
                                         size_t errlen) {
    memset(sum, 0, sizeof(*sum));
    snprintf(run_ref, 32, "run-%lld", (long long)run_id);
    char rbuf[300];
    const char *repo = repo_of(o->cfg, rbuf, sizeof(rbuf));
    blvm_db_param p[1] = {blvm_db_int(run_id)};
    blvm_db_result r;
    if (!blvm_db_query(o->db,
                       "SELECT component, external_id FROM builds WHERE run_id = ? AND "
                       "state = 'succeeded' AND trigger_kind = 'dispatch' ORDER BY id",
                       p, 1, &r)) {
        blvm_err_set(err, errlen, "database: %s", blvm_db_errmsg(o->db));
        return false;
    }
    bool ok = true;
    size_t done = 0;
    err[0] = 0;
    for (size_t i = 0; i < r.nrows; i++) {
        const char *comp = blvm_db_result_get(&r, i, 0);
        const char *ext = blvm_db_result_get(&r, i, 1);
        char *end = NULL;
        long long gh_run = ext ? strtoll(ext, &end, 10) : 0;
        if (!ext || !end || *end || gh_run <= 0) {
            blvm_err_set(err, errlen, "build %s has no workflow run id", comp ? comp : "?");
            ok = false;
            continue;
        }
        if (!o->gh || !repo) {
            blvm_err_set(err, errlen, "no GitHub repository/client configured");
            ok = false;
            break;
        }
        blvm_commons_collect_summary s;
        char cerr[512] = "";
        bool c = blvm_commons_artifacts_collect_github(o->cfg, o->db, o->gh, repo, run_ref, run_id,
                                                       gh_run, 0, &s, cerr, sizeof(cerr));
        sum->verified += s.verified;
        sum->expired += s.expired;
        sum->failed += s.failed;
        done++;
        if (!c) {
            /* Keep the first problem; go on so every artifact is looked at. */
            if (ok)
                blvm_err_set(err, errlen, "%s (workflow run %lld): %s", comp ? comp : "?", gh_run,
                             cerr);
            ok = false;
        }
    }
    blvm_db_result_clear(&r);
    if (ok && done == 0) {
        blvm_err_set(err, errlen, "run %lld has no GitHub builds to collect from",
                     (long long)run_id);
        return false;
    }
    progress(o, "run %lld: artifacts %s: %zu verified, %zu expired, %zu failed%s%s",
             (long long)run_id, run_ref, sum->verified, sum->expired, sum->failed, ok ? "" : ": ",
             ok ? "" : err);
    return ok;
}
