/* Orchestration: the dependency graph (order, cycles, unknown names), the
 * scheduler (dependencies first, parallel limit, skips, retry back-off), and
 * whole runs of local commands against a SQLite database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "commons/config.h"
#include "commons/db.h"
#include "commons/migrations.h"
#include "commons/orchestrate.h"

/* consensus -> protocol -> node -> cli; sdk -> commons (the graph). */
static const char *const k_names[] = {"cli", "node", "protocol", "consensus", "commons", "sdk"};
static const char *const k_cli[] = {"node"};
static const char *const k_node[] = {"protocol"};
static const char *const k_protocol[] = {"consensus"};
static const char *const k_commons[] = {"sdk"};
static const char *const *const k_deps[] = {k_cli, k_node, k_protocol, NULL, k_commons, NULL};
static const size_t k_ndeps[] = {1, 1, 1, 0, 1, 0};

static size_t pos_of(const blvm_orch_graph *g, const char *name) {
    int idx = blvm_orch_graph_find(g, name);
    assert_true(idx >= 0);
    for (size_t k = 0; k < g->n; k++)
        if (g->order[k] == (size_t)idx) return k;
    fail();
    return 0;
}

static void test_topological_order(void **state) {
    (void)state;
    blvm_orch_graph g;
    char err[256];
    assert_true(blvm_orch_graph_init(&g, 6, k_names, k_deps, k_ndeps, err, sizeof(err)));
    assert_true(pos_of(&g, "consensus") < pos_of(&g, "protocol"));
    assert_true(pos_of(&g, "protocol") < pos_of(&g, "node"));
    assert_true(pos_of(&g, "node") < pos_of(&g, "cli"));
    assert_true(pos_of(&g, "sdk") < pos_of(&g, "commons"));
    /* Every component exactly once. */
    int seen[6] = {0};
    for (size_t k = 0; k < g.n; k++)
        seen[g.order[k]]++;
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(seen[i], 1);
    blvm_orch_graph_clear(&g);
}

static void test_graph_errors(void **state) {
    (void)state;
    blvm_orch_graph g;
    char err[256];
    /* a -> b -> c -> a */
    const char *names[] = {"a", "b", "c", "d"};
    const char *da[] = {"b"}, *db_[] = {"c"}, *dc[] = {"a"};
    const char *const *deps[] = {da, db_, dc, NULL};
    size_t nd[] = {1, 1, 1, 0};
    assert_false(blvm_orch_graph_init(&g, 4, names, deps, nd, err, sizeof(err)));
    assert_non_null(strstr(err, "cycle"));
    assert_non_null(strstr(err, "a -> b -> c -> a"));
    assert_int_equal(g.n, 0);

    /* Unknown dependency. */
    const char *dx[] = {"nope"};
    const char *const *deps2[] = {dx, NULL, NULL, NULL};
    size_t nd2[] = {1, 0, 0, 0};
    assert_false(blvm_orch_graph_init(&g, 4, names, deps2, nd2, err, sizeof(err)));
    assert_non_null(strstr(err, "unknown component 'nope'"));

    /* Self dependency. */
    const char *ds[] = {"a"};
    const char *const *deps3[] = {ds, NULL, NULL, NULL};
    assert_false(blvm_orch_graph_init(&g, 4, names, deps3, nd2, err, sizeof(err)));
    assert_non_null(strstr(err, "itself"));

    /* Duplicate names. */
    const char *dup[] = {"a", "a"};
    const char *const *deps4[] = {NULL, NULL};
    size_t nd4[] = {0, 0};
    assert_false(blvm_orch_graph_init(&g, 2, dup, deps4, nd4, err, sizeof(err)));
    assert_non_null(strstr(err, "duplicate"));

    /* The config loader refuses a cycle too. */
    blvm_commons_config *cfg =
        blvm_commons_config_parse("{\"components\":[{\"name\":\"x\",\"depends_on\":[\"y\"]},"
                                  "{\"name\":\"y\",\"depends_on\":[\"x\"]}]}",
                                  "t", err, sizeof(err));
    assert_null(cfg);
    assert_non_null(strstr(err, "cycle"));
}

static size_t count_kind(const blvm_orch_action *a, size_t n, blvm_orch_action_kind k) {
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += a[i].kind == k;
    return c;
}

static void test_plan(void **state) {
    (void)state;
    blvm_orch_graph g;
    char err[256];
    assert_true(blvm_orch_graph_init(&g, 6, k_names, k_deps, k_ndeps, err, sizeof(err)));
    int cli = blvm_orch_graph_find(&g, "cli"), node = blvm_orch_graph_find(&g, "node"),
        proto = blvm_orch_graph_find(&g, "protocol"), cons = blvm_orch_graph_find(&g, "consensus"),
        commons = blvm_orch_graph_find(&g, "commons"), sdk = blvm_orch_graph_find(&g, "sdk");
    blvm_orch_view v[6];
    memset(v, 0, sizeof(v));
    blvm_orch_action a[6];

    /* Start: only the two roots may start; with parallel 1 only one. */
    size_t n = blvm_orch_plan(&g, v, 100, 4, a);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(a[i].kind, BLVM_ORCH_START);
        assert_true(a[i].index == (size_t)cons || a[i].index == (size_t)sdk);
    }
    n = blvm_orch_plan(&g, v, 100, 1, a);
    assert_int_equal(n, 1);

    /* consensus running, sdk done: commons may start, protocol may not. */
    v[cons].state = BLVM_BUILD_RUNNING;
    v[sdk].state = BLVM_BUILD_SUCCEEDED;
    n = blvm_orch_plan(&g, v, 100, 4, a);
    assert_int_equal(n, 1);
    assert_int_equal(a[0].index, commons);
    /* Parallel limit reached: nothing. */
    n = blvm_orch_plan(&g, v, 100, 1, a);
    assert_int_equal(n, 0);

    /* Retry wait: not before its time, then yes. */
    v[cons].state = BLVM_BUILD_RETRY_WAIT;
    v[cons].next_attempt_at = 200;
    v[commons].state = BLVM_BUILD_SUCCEEDED;
    n = blvm_orch_plan(&g, v, 150, 4, a);
    assert_int_equal(n, 0);
    n = blvm_orch_plan(&g, v, 200, 4, a);
    assert_int_equal(n, 1);
    assert_int_equal(a[0].index, cons);
    assert_int_equal(blvm_orch_outcome(&g, v), 0);

    /* consensus failed for good: protocol, node and cli are skipped in one
     * pass (cascade), nothing starts. */
    v[cons].state = BLVM_BUILD_FAILED;
    n = blvm_orch_plan(&g, v, 300, 4, a);
    assert_int_equal(n, 3);
    assert_int_equal(count_kind(a, n, BLVM_ORCH_SKIP), 3);
    for (size_t i = 0; i < n; i++) {
        assert_true(a[i].index == (size_t)proto || a[i].index == (size_t)node ||
                    a[i].index == (size_t)cli);
    }
    v[proto].state = v[node].state = v[cli].state = BLVM_BUILD_SKIPPED;
    assert_int_equal(blvm_orch_outcome(&g, v), -1);
    for (int i = 0; i < 6; i++)
        v[i].state = BLVM_BUILD_SUCCEEDED;
    assert_int_equal(blvm_orch_outcome(&g, v), 1);
    blvm_orch_graph_clear(&g);
}

static void test_retry_backoff(void **state) {
    (void)state;
    int64_t next = 0;
    assert_true(blvm_orch_retry_after(1, 2, 5, 1000, &next));
    assert_int_equal(next, 1005);
    assert_true(blvm_orch_retry_after(2, 2, 5, 1000, &next));
    assert_int_equal(next, 1010);
    assert_false(blvm_orch_retry_after(3, 2, 5, 1000, &next));
    assert_false(blvm_orch_retry_after(1, 0, 5, 1000, &next));
    /* Capped at a day. */
    assert_true(blvm_orch_retry_after(40, 50, 60, 0, &next));
    assert_int_equal(next, 86400);
}

/* ---- whole runs of local commands ----------------------------------- */

typedef struct {
    char dir[256];
    blvm_commons_config *cfg;
    blvm_db *db;
} run_fixture;

static void fixture_open(run_fixture *f, const char *components_json, int max_retries) {
    snprintf(f->dir, sizeof(f->dir), "/tmp/blvm_orch_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char json[4096], err[512];
    snprintf(json, sizeof(json),
             "{\"data_dir\":\"%s\",\"orchestration\":{\"parallelism\":2,\"max_retries\":%d,"
             "\"retry_backoff_secs\":0,\"build_timeout_secs\":3,\"poll_interval_secs\":1},"
             "\"components\":%s}",
             f->dir, max_retries, components_json);
    f->cfg = blvm_commons_config_parse(json, "test", err, sizeof(err));
    if (!f->cfg) fprintf(stderr, "config: %s\n", err);
    assert_non_null(f->cfg);
    char url[300];
    snprintf(url, sizeof(url), "%s/commons.db", f->dir);
    assert_true(blvm_db_open(&f->db, url, err, sizeof(err)));
    assert_true(blvm_commons_migrate(f->db));
}

static void fixture_close(run_fixture *f) {
    blvm_db_close(f->db);
    blvm_commons_config_destroy(f->cfg);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
}

static const char *build_state(blvm_db *db, int64_t run_id, const char *comp, int64_t *attempt) {
    static char buf[32];
    blvm_db_param p[2] = {blvm_db_int(run_id), blvm_db_text(comp)};
    blvm_db_result r;
    assert_true(blvm_db_query(
        db, "SELECT state, attempt FROM builds WHERE run_id = ? AND component = ?", p, 2, &r));
    assert_int_equal(r.nrows, 1);
    snprintf(buf, sizeof(buf), "%s", blvm_db_result_get(&r, 0, 0));
    if (attempt) assert_true(blvm_db_result_get_int(&r, 0, 1, attempt));
    blvm_db_result_clear(&r);
    return buf;
}

static int64_t count_rows(blvm_db *db, const char *sql, int64_t run_id) {
    blvm_db_param p[1] = {blvm_db_int(run_id)};
    int64_t v = 0;
    bool found;
    assert_true(blvm_db_query_int(db, sql, p, 1, &v, &found));
    return v;
}

static void test_run_with_retry(void **state) {
    (void)state;
    run_fixture f;
    /* "protocol" fails its first attempt (no marker yet), then succeeds.
     * Each command appends its name to order.txt, so the test sees the
     * order builds really ran in. */
    fixture_open(&f,
                 "[{\"name\":\"consensus\",\"command\":\"echo consensus >> order.txt\"},"
                 "{\"name\":\"protocol\",\"depends_on\":[\"consensus\"],\"command\":"
                 "\"if [ -e proto.marker ]; then echo protocol >> order.txt; "
                 "else touch proto.marker; exit 3; fi\"},"
                 "{\"name\":\"node\",\"depends_on\":[\"protocol\"],"
                 "\"command\":\"echo node >> order.txt\"},"
                 "{\"name\":\"sdk\",\"command\":\"echo sdk >> order.txt\"},"
                 "{\"name\":\"commons\",\"depends_on\":[\"sdk\",\"node\"],\"command\":"
                 "\"echo commons >> order.txt\"}]",
                 2);
    /* Commands run in the test's data dir. */
    for (size_t i = 0; i < f.cfg->ncomponents; i++)
        f.cfg->components[i].workdir = strdup(f.dir);

    char err[512] = "";
    blvm_orchestrator_options oo = {f.cfg, f.db, NULL, true};
    blvm_orchestrator *o = blvm_orchestrator_create(&oo, err, sizeof(err));
    assert_non_null(o);
    int64_t run_id = 0;
    assert_true(blvm_orchestrator_create_run(o, "test", "v1.0.0", "1.0.0", NULL, &run_id, err,
                                             sizeof(err)));
    assert_true(blvm_orchestrator_drive(o, run_id, NULL, err, sizeof(err)));
    blvm_orchestrator_destroy(o);

    int64_t attempt = 0;
    assert_string_equal(build_state(f.db, run_id, "protocol", &attempt), "succeeded");
    assert_int_equal(attempt, 2);
    assert_string_equal(build_state(f.db, run_id, "commons", &attempt), "succeeded");
    assert_int_equal(attempt, 1);
    int64_t v = 0;
    bool found;
    blvm_db_param p[1] = {blvm_db_int(run_id)};
    blvm_db_result r;
    assert_true(blvm_db_query(f.db, "SELECT state FROM runs WHERE id = ?", p, 1, &r));
    assert_string_equal(blvm_db_result_get(&r, 0, 0), "succeeded");
    blvm_db_result_clear(&r);
    /* Every transition recorded; the retry is there with its reason. */
    assert_true(blvm_db_query_int(f.db,
                                  "SELECT COUNT(*) FROM build_transitions WHERE run_id = ? AND "
                                  "to_state = 'retry_wait' AND reason LIKE '%status 3%'",
                                  p, 1, &v, &found));
    assert_int_equal(v, 1);
    assert_true(count_rows(f.db, "SELECT COUNT(*) FROM build_transitions WHERE run_id = ?",
                           run_id) >= 5 * 4);

    /* Order: dependencies first. */
    char path[300];
    snprintf(path, sizeof(path), "%s/order.txt", f.dir);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    char line[64];
    int pos_cons = -1, pos_proto = -1, pos_node = -1, pos_commons = -1, pos_sdk = -1, k = 0;
    while (fgets(line, sizeof(line), fp)) {
        line[strcspn(line, "\n")] = 0;
        if (!strcmp(line, "consensus")) pos_cons = k;
        if (!strcmp(line, "protocol")) pos_proto = k;
        if (!strcmp(line, "node")) pos_node = k;
        if (!strcmp(line, "commons")) pos_commons = k;
        if (!strcmp(line, "sdk")) pos_sdk = k;
        k++;
    }
    fclose(fp);
    assert_int_equal(k, 5);
    assert_true(pos_cons < pos_proto && pos_proto < pos_node && pos_node < pos_commons);
    assert_true(pos_sdk < pos_commons);
    fixture_close(&f);
}

static void test_run_failure_and_timeout(void **state) {
    (void)state;
    run_fixture f;
    fixture_open(&f,
                 "[{\"name\":\"base\",\"command\":\"exit 1\"},"
                 "{\"name\":\"mid\",\"depends_on\":[\"base\"],\"command\":\"true\"},"
                 "{\"name\":\"top\",\"depends_on\":[\"mid\"],\"command\":\"true\"},"
                 "{\"name\":\"slow\",\"command\":\"sleep 30\",\"timeout_secs\":1,"
                 "\"max_retries\":1},"
                 "{\"name\":\"fine\",\"command\":\"true\"}]",
                 1);
    char err[512] = "";
    blvm_orchestrator_options oo = {f.cfg, f.db, NULL, true};
    blvm_orchestrator *o = blvm_orchestrator_create(&oo, err, sizeof(err));
    assert_non_null(o);
    int64_t run_id = 0;
    assert_true(
        blvm_orchestrator_create_run(o, "test", NULL, NULL, NULL, &run_id, err, sizeof(err)));
    assert_true(blvm_orchestrator_drive(o, run_id, NULL, err, sizeof(err)));
    blvm_orchestrator_destroy(o);
    int64_t attempt = 0;
    assert_string_equal(build_state(f.db, run_id, "base", &attempt), "failed");
    assert_int_equal(attempt, 2); /* first try + 1 retry */
    assert_string_equal(build_state(f.db, run_id, "mid", &attempt), "skipped");
    assert_int_equal(attempt, 0); /* never started */
    assert_string_equal(build_state(f.db, run_id, "top", NULL), "skipped");
    assert_string_equal(build_state(f.db, run_id, "slow", &attempt), "timed_out");
    assert_int_equal(attempt, 2);
    assert_string_equal(build_state(f.db, run_id, "fine", NULL), "succeeded");
    blvm_db_param p[1] = {blvm_db_int(run_id)};
    blvm_db_result r;
    assert_true(blvm_db_query(f.db, "SELECT state, reason FROM runs WHERE id = ?", p, 1, &r));
    assert_string_equal(blvm_db_result_get(&r, 0, 0), "failed");
    assert_non_null(strstr(blvm_db_result_get(&r, 0, 1), "base failed"));
    blvm_db_result_clear(&r);
    fixture_close(&f);
}

/* A restart in the middle: builds that finished stay finished; the
 * interrupted local build is started again without losing an attempt. */
static void test_resume(void **state) {
    (void)state;
    run_fixture f;
    fixture_open(
        &f,
        "[{\"name\":\"a\",\"command\":\"echo a >> runs.txt\"},"
        "{\"name\":\"b\",\"depends_on\":[\"a\"],\"command\":\"echo b >> runs.txt; sleep 1\"},"
        "{\"name\":\"c\",\"depends_on\":[\"b\"],\"command\":\"echo c >> runs.txt\"}]",
        0);
    for (size_t i = 0; i < f.cfg->ncomponents; i++)
        f.cfg->components[i].workdir = strdup(f.dir);
    char err[512] = "";
    blvm_orchestrator_options oo = {f.cfg, f.db, NULL, true};
    blvm_orchestrator *o = blvm_orchestrator_create(&oo, err, sizeof(err));
    int64_t run_id = 0;
    assert_true(
        blvm_orchestrator_create_run(o, "test", NULL, NULL, NULL, &run_id, err, sizeof(err)));
    /* Step until b is running, then drop the orchestrator (kills b). */
    for (int i = 0; i < 100; i++) {
        bool fin;
        assert_true(blvm_orchestrator_step(o, run_id, &fin, err, sizeof(err)));
        if (!strcmp(build_state(f.db, run_id, "b", NULL), "running")) break;
        usleep(50000);
    }
    assert_string_equal(build_state(f.db, run_id, "b", NULL), "running");
    /* Let b get as far as writing its line, then kill it mid-sleep. */
    char path[300];
    snprintf(path, sizeof(path), "%s/runs.txt", f.dir);
    for (int i = 0; i < 100; i++) {
        char buf[64] = "";
        FILE *fp = fopen(path, "r");
        size_t got = fp ? fread(buf, 1, sizeof(buf) - 1, fp) : 0;
        if (fp) fclose(fp);
        buf[got] = 0;
        if (strchr(buf, 'b')) break;
        usleep(20000);
    }
    blvm_orchestrator_destroy(o);

    int64_t *ids = NULL;
    size_t n = 0;
    assert_true(blvm_orchestrator_unfinished(f.db, &ids, &n));
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], run_id);
    free(ids);

    o = blvm_orchestrator_create(&oo, err, sizeof(err));
    assert_true(blvm_orchestrator_drive(o, run_id, NULL, err, sizeof(err)));
    blvm_orchestrator_destroy(o);
    int64_t attempt = 0;
    assert_string_equal(build_state(f.db, run_id, "a", &attempt), "succeeded");
    assert_int_equal(attempt, 1);
    assert_string_equal(build_state(f.db, run_id, "b", &attempt), "succeeded");
    assert_int_equal(attempt, 1); /* the interrupted attempt did not count */
    assert_string_equal(build_state(f.db, run_id, "c", NULL), "succeeded");
    /* a ran once only. */
    FILE *fp = fopen(path, "r");
    char line[16];
    int na = 0, nb = 0;
    while (fgets(line, sizeof(line), fp)) {
        na += line[0] == 'a';
        nb += line[0] == 'b';
    }
    fclose(fp);
    assert_int_equal(na, 1);
    assert_int_equal(nb, 2);
    assert_int_equal(count_rows(f.db,
                                "SELECT COUNT(*) FROM build_transitions WHERE run_id = ? AND "
                                "reason LIKE 'orchestrator restarted%'",
                                run_id),
                     1);
    fixture_close(&f);
}

/* A second orchestrator (as after kill -9 and a restart) adopts a local
 * build the first one started: it is not run again; its exit status is
 * read from the status file it left. */
static void test_adopt_local_build(void **state) {
    (void)state;
    run_fixture f;
    fixture_open(&f,
                 "[{\"name\":\"a\",\"command\":\"echo a >> runs.txt; sleep 1\"},"
                 "{\"name\":\"b\",\"depends_on\":[\"a\"],\"command\":\"echo b >> runs.txt\"}]",
                 0);
    for (size_t i = 0; i < f.cfg->ncomponents; i++)
        f.cfg->components[i].workdir = strdup(f.dir);
    char err[512] = "";
    blvm_orchestrator_options oo = {f.cfg, f.db, NULL, true};
    blvm_orchestrator *first = blvm_orchestrator_create(&oo, err, sizeof(err));
    int64_t run_id = 0;
    assert_true(
        blvm_orchestrator_create_run(first, "test", NULL, NULL, NULL, &run_id, err, sizeof(err)));
    bool fin = false;
    assert_true(blvm_orchestrator_step(first, run_id, &fin, err, sizeof(err)));
    assert_string_equal(build_state(f.db, run_id, "a", NULL), "running");
    /* Once a's command has started (a restart comes later than this)... */
    char path[300];
    snprintf(path, sizeof(path), "%s/runs.txt", f.dir);
    for (int i = 0; i < 200 && access(path, F_OK) != 0; i++)
        usleep(10000);
    /* ...the first orchestrator stops looking (its process "died"). */
    blvm_orchestrator *second = blvm_orchestrator_create(&oo, err, sizeof(err));
    assert_true(blvm_orchestrator_step(second, run_id, &fin, err, sizeof(err)));
    assert_string_equal(build_state(f.db, run_id, "a", NULL), "running"); /* still ours, alive */
    assert_true(blvm_orchestrator_drive(second, run_id, NULL, err, sizeof(err)));
    int64_t attempt = 0;
    assert_string_equal(build_state(f.db, run_id, "a", &attempt), "succeeded");
    assert_int_equal(attempt, 1);
    assert_string_equal(build_state(f.db, run_id, "b", NULL), "succeeded");
    assert_int_equal(count_rows(f.db,
                                "SELECT COUNT(*) FROM build_transitions WHERE run_id = ? AND "
                                "reason LIKE '%while the orchestrator was down%'",
                                run_id),
                     1);
    blvm_orchestrator_destroy(second);
    blvm_orchestrator_destroy(first); /* reaps the finished child */
    FILE *fp = fopen(path, "r");
    char buf[64] = "";
    size_t got = fread(buf, 1, sizeof(buf) - 1, fp);
    fclose(fp);
    buf[got] = 0;
    assert_string_equal(buf, "a\nb\n");
    fixture_close(&f);
}

/* build-complete notifications: only the current attempt of a build that is
 * waiting for a result changes; a second notice (poll and webhook both
 * reporting) does nothing. */
static void test_build_complete(void **state) {
    (void)state;
    run_fixture f;
    fixture_open(&f, "[{\"name\":\"x\"},{\"name\":\"y\"}]", 1);
    char err[512] = "";
    blvm_orchestrator_options oo = {f.cfg, f.db, NULL, true};
    blvm_orchestrator *o = blvm_orchestrator_create(&oo, err, sizeof(err));
    int64_t run_id = 0;
    assert_true(
        blvm_orchestrator_create_run(o, "test", NULL, NULL, NULL, &run_id, err, sizeof(err)));
    blvm_orchestrator_destroy(o);
    /* As if both were dispatched (attempt 1). */
    assert_true(blvm_db_exec(f.db,
                             "UPDATE builds SET state = 'triggered', attempt = 1, correlation_id = "
                             "'id-' || component || '-1'",
                             NULL, 0, NULL));
    assert_int_equal(
        blvm_orchestrate_build_complete(f.db, f.cfg, "id-x-1", "success", "42", err, sizeof(err)),
        1);
    assert_string_equal(build_state(f.db, run_id, "x", NULL), "succeeded");
    assert_int_equal(
        blvm_orchestrate_build_complete(f.db, f.cfg, "id-x-1", "failure", "42", err, sizeof(err)),
        0);
    assert_string_equal(build_state(f.db, run_id, "x", NULL), "succeeded");
    assert_int_equal(
        blvm_orchestrate_build_complete(f.db, f.cfg, "nope", "success", NULL, err, sizeof(err)), 0);
    assert_non_null(strstr(err, "no build"));
    /* A failure with a retry left: retry_wait, and the old attempt's id no
     * longer matches once the next attempt has its own. */
    assert_int_equal(
        blvm_orchestrate_build_complete(f.db, f.cfg, "id-y-1", "timed_out", NULL, err, sizeof(err)),
        1);
    int64_t attempt = 0;
    assert_string_equal(build_state(f.db, run_id, "y", &attempt), "retry_wait");
    assert_int_equal(attempt, 1);
    assert_true(blvm_db_exec(f.db,
                             "UPDATE builds SET state = 'running', attempt = 2, correlation_id = "
                             "'id-y-2' WHERE component = 'y'",
                             NULL, 0, NULL));
    assert_int_equal(
        blvm_orchestrate_build_complete(f.db, f.cfg, "id-y-1", "success", NULL, err, sizeof(err)),
        0);
    assert_int_equal(
        blvm_orchestrate_build_complete(f.db, f.cfg, "id-y-2", "failure", NULL, err, sizeof(err)),
        1);
    assert_string_equal(build_state(f.db, run_id, "y", NULL), "failed");
    assert_int_equal(
        blvm_orchestrate_build_complete(f.db, f.cfg, NULL, "success", NULL, err, sizeof(err)), -1);
    assert_int_equal(count_rows(f.db,
                                "SELECT COUNT(*) FROM build_transitions WHERE run_id = ? AND "
                                "reason LIKE '%build-complete webhook%'",
                                run_id),
                     3);
    fixture_close(&f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_topological_order),
        cmocka_unit_test(test_graph_errors),
        cmocka_unit_test(test_plan),
        cmocka_unit_test(test_retry_backoff),
        cmocka_unit_test(test_run_with_retry),
        cmocka_unit_test(test_run_failure_and_timeout),
        cmocka_unit_test(test_resume),
        cmocka_unit_test(test_adopt_local_build),
        cmocka_unit_test(test_build_complete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
