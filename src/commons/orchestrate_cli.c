/* `blvm-commons orchestrate ...`: the command line over orchestrate.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "commons/artifacts.h"
#include "commons/orchestrate.h"

static int64_t cell_int(const blvm_db_result *r, size_t row, size_t col) {
    int64_t v = 0;
    if (!blvm_db_result_get_int(r, row, col, &v)) v = 0;
    return v;
}

/* ---- CLI ---------------------------------------------------------------- */

static volatile sig_atomic_t g_stop_signal;
static volatile int g_stop;
static void on_signal(int sig) {
    g_stop_signal = sig;
    g_stop = 1;
}

static void usage(void) {
    fprintf(stderr, "usage: blvm-commons orchestrate run [--ref REF] [--version V] [--no-wait]\n"
                    "       blvm-commons orchestrate resume RUN\n"
                    "       blvm-commons orchestrate status RUN [--json]\n"
                    "       blvm-commons orchestrate collect RUN\n"
                    "       blvm-commons orchestrate list\n");
}

static bool parse_id(const char *s, int64_t *out) {
    char *e;
    errno = 0;
    long long v = strtoll(s, &e, 10);
    if (errno || *e || v <= 0) return false;
    *out = v;
    return true;
}

static int print_status(blvm_db *db, int64_t run_id, bool as_json) {
    blvm_db_param p[1] = {blvm_db_int(run_id)};
    blvm_db_result run, builds, tr;
    if (!blvm_db_query(db,
                       "SELECT id, trigger, ref, version, state, reason, created_at, finished_at "
                       "FROM runs WHERE id = ?",
                       p, 1, &run)) {
        blvm_commons_errorf("database: %s", blvm_db_errmsg(db));
        return BLVM_COMMONS_EXIT_FAIL;
    }
    if (run.nrows != 1) {
        blvm_db_result_clear(&run);
        blvm_commons_errorf("no run %lld", (long long)run_id);
        return BLVM_COMMONS_EXIT_FAIL;
    }
    if (!blvm_db_query(db,
                       "SELECT component, state, attempt, trigger_kind, correlation_id, "
                       "external_id, conclusion, reason, started_at, finished_at FROM builds "
                       "WHERE run_id = ? ORDER BY id",
                       p, 1, &builds) ||
        !blvm_db_query(db,
                       "SELECT b.component, t.from_state, t.to_state, t.reason, t.at FROM "
                       "build_transitions t JOIN builds b ON b.id = t.build_id WHERE t.run_id = ? "
                       "ORDER BY t.id",
                       p, 1, &tr)) {
        blvm_db_result_clear(&run);
        blvm_commons_errorf("database: %s", blvm_db_errmsg(db));
        return BLVM_COMMONS_EXIT_FAIL;
    }
#define G(res, r, c)                                                                               \
    (blvm_db_result_get(&(res), (r), (c)) ? blvm_db_result_get(&(res), (r), (c)) : "")
    if (as_json) {
        json_t *j = json_object();
        json_object_set_new(j, "id", json_integer(run_id));
        json_object_set_new(j, "trigger", json_string(G(run, 0, 1)));
        json_object_set_new(j, "ref", json_string(G(run, 0, 2)));
        json_object_set_new(j, "version", json_string(G(run, 0, 3)));
        json_object_set_new(j, "state", json_string(G(run, 0, 4)));
        json_object_set_new(j, "reason", json_string(G(run, 0, 5)));
        json_t *ba = json_array();
        for (size_t i = 0; i < builds.nrows; i++) {
            json_t *b = json_object();
            json_object_set_new(b, "component", json_string(G(builds, i, 0)));
            json_object_set_new(b, "state", json_string(G(builds, i, 1)));
            json_object_set_new(b, "attempt", json_integer(cell_int(&builds, i, 2)));
            json_object_set_new(b, "trigger", json_string(G(builds, i, 3)));
            json_object_set_new(b, "build_id", json_string(G(builds, i, 4)));
            json_object_set_new(b, "external_id", json_string(G(builds, i, 5)));
            json_object_set_new(b, "conclusion", json_string(G(builds, i, 6)));
            json_object_set_new(b, "reason", json_string(G(builds, i, 7)));
            json_array_append_new(ba, b);
        }
        json_object_set_new(j, "builds", ba);
        json_t *ta = json_array();
        for (size_t i = 0; i < tr.nrows; i++) {
            json_array_append_new(ta,
                                  json_pack("{s:s,s:s,s:s,s:s,s:I}", "component", G(tr, i, 0),
                                            "from", G(tr, i, 1), "to", G(tr, i, 2), "reason",
                                            G(tr, i, 3), "at", (json_int_t)cell_int(&tr, i, 4)));
        }
        json_object_set_new(j, "transitions", ta);
        char *s = json_dumps(j, JSON_INDENT(2));
        printf("%s\n", s ? s : "{}");
        free(s);
        json_decref(j);
    } else {
        printf("run %lld: %s (trigger %s%s%s)%s%s\n", (long long)run_id, G(run, 0, 4), G(run, 0, 1),
               *G(run, 0, 2) ? ", ref " : "", G(run, 0, 2), *G(run, 0, 5) ? ": " : "",
               G(run, 0, 5));
        printf("%-16s %-11s %-7s %s\n", "component", "state", "attempt", "reason");
        for (size_t i = 0; i < builds.nrows; i++)
            printf("%-16s %-11s %-7s %s\n", G(builds, i, 0), G(builds, i, 1), G(builds, i, 2),
                   G(builds, i, 7));
        printf("transitions:\n");
        for (size_t i = 0; i < tr.nrows; i++) {
            time_t at = (time_t)cell_int(&tr, i, 4);
            struct tm tm;
            char ts[32];
            gmtime_r(&at, &tm);
            strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
            printf("  %s %-16s %s -> %s: %s\n", ts, G(tr, i, 0),
                   *G(tr, i, 1) ? G(tr, i, 1) : "(new)", G(tr, i, 2), G(tr, i, 3));
        }
    }
#undef G
    bool ok =
        strcmp(blvm_db_result_get(&run, 0, 4) ? blvm_db_result_get(&run, 0, 4) : "", "failed") != 0;
    blvm_db_result_clear(&run);
    blvm_db_result_clear(&builds);
    blvm_db_result_clear(&tr);
    return ok ? BLVM_COMMONS_EXIT_OK : BLVM_COMMONS_EXIT_FAIL;
}

static int drive_cli(blvm_commons_ctx *ctx, blvm_db *db, int64_t run_id, bool wait) {
    blvm_github *gh = blvm_commons_github_from_config(ctx->cfg);
    char err[512] = "";
    blvm_orchestrator_options oo = {ctx->cfg, db, gh, false};
    blvm_orchestrator *o = blvm_orchestrator_create(&oo, err, sizeof(err));
    if (!o) {
        blvm_github_destroy(gh);
        blvm_commons_errorf("%s", err);
        return BLVM_COMMONS_EXIT_USAGE;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    bool ok;
    if (wait) {
        ok = blvm_orchestrator_drive(o, run_id, &g_stop, err, sizeof(err));
    } else {
        bool finished;
        ok = blvm_orchestrator_step(o, run_id, &finished, err, sizeof(err));
    }
    blvm_orchestrator_destroy(o);
    blvm_github_destroy(gh);
    if (!ok) {
        blvm_commons_errorf("run %lld: %s", (long long)run_id, err);
        return BLVM_COMMONS_EXIT_FAIL;
    }
    if (g_stop) {
        blvm_commons_errorf("interrupted; resume with: orchestrate resume %lld", (long long)run_id);
        return BLVM_COMMONS_EXIT_FAIL;
    }
    return wait ? print_status(db, run_id, false) : BLVM_COMMONS_EXIT_OK;
}

int blvm_commons_orchestrate_main(blvm_commons_ctx *ctx, int argc, char **argv) {
    if (argc < 2) {
        usage();
        return BLVM_COMMONS_EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "run") == 0) {
        const char *ref = NULL, *version = NULL;
        bool wait = true;
        for (int i = 2; i < argc; i++) {
            if (!strcmp(argv[i], "--ref") && i + 1 < argc)
                ref = argv[++i];
            else if (!strcmp(argv[i], "--version") && i + 1 < argc)
                version = argv[++i];
            else if (!strcmp(argv[i], "--no-wait"))
                wait = false;
            else {
                usage();
                return BLVM_COMMONS_EXIT_USAGE;
            }
        }
        blvm_db *db = blvm_commons_ctx_db(ctx);
        if (!db) return BLVM_COMMONS_EXIT_FAIL;
        char err[512] = "";
        blvm_orchestrator_options oo = {ctx->cfg, db, NULL, true};
        blvm_orchestrator *o = blvm_orchestrator_create(&oo, err, sizeof(err));
        if (!o) {
            blvm_commons_errorf("%s", err);
            return BLVM_COMMONS_EXIT_USAGE;
        }
        int64_t run_id = 0;
        bool ok =
            blvm_orchestrator_create_run(o, "cli", ref, version, NULL, &run_id, err, sizeof(err));
        blvm_orchestrator_destroy(o);
        if (!ok) {
            blvm_commons_errorf("%s", err);
            return BLVM_COMMONS_EXIT_FAIL;
        }
        printf("run %lld\n", (long long)run_id);
        fflush(stdout);
        return drive_cli(ctx, db, run_id, wait);
    }
    if (strcmp(sub, "resume") == 0 || strcmp(sub, "status") == 0 || strcmp(sub, "collect") == 0) {
        int64_t run_id = 0;
        bool as_json = false;
        for (int i = 2; i < argc; i++) {
            if (!strcmp(argv[i], "--json"))
                as_json = true;
            else if (!run_id && parse_id(argv[i], &run_id))
                continue;
            else {
                blvm_commons_errorf("bad run id or option '%s'", argv[i]);
                return BLVM_COMMONS_EXIT_USAGE;
            }
        }
        if (!run_id) {
            usage();
            return BLVM_COMMONS_EXIT_USAGE;
        }
        blvm_db *db = blvm_commons_ctx_db(ctx);
        if (!db) return BLVM_COMMONS_EXIT_FAIL;
        if (strcmp(sub, "status") == 0) return print_status(db, run_id, as_json);
        if (strcmp(sub, "collect") == 0) {
            blvm_github *gh = blvm_commons_github_from_config(ctx->cfg);
            char err[768] = "", run_ref[32];
            blvm_orchestrator_options oo = {ctx->cfg, db, gh, true};
            blvm_orchestrator *o = blvm_orchestrator_create(&oo, err, sizeof(err));
            if (!o) {
                blvm_github_destroy(gh);
                blvm_commons_errorf("%s", err);
                return BLVM_COMMONS_EXIT_USAGE;
            }
            blvm_commons_collect_summary sum;
            bool ok =
                blvm_orchestrator_collect_artifacts(o, run_id, run_ref, &sum, err, sizeof(err));
            blvm_orchestrator_destroy(o);
            blvm_github_destroy(gh);
            printf("%s: %zu verified, %zu expired, %zu failed\n", run_ref, sum.verified,
                   sum.expired, sum.failed);
            if (!ok) {
                blvm_commons_errorf("%s", err);
                return BLVM_COMMONS_EXIT_FAIL;
            }
            return BLVM_COMMONS_EXIT_OK;
        }
        return drive_cli(ctx, db, run_id, true);
    }
    if (strcmp(sub, "list") == 0) {
        blvm_db *db = blvm_commons_ctx_db(ctx);
        if (!db) return BLVM_COMMONS_EXIT_FAIL;
        blvm_db_result r;
        if (!blvm_db_query(db, "SELECT id, state, trigger, ref, reason FROM runs ORDER BY id", NULL,
                           0, &r)) {
            blvm_commons_errorf("database: %s", blvm_db_errmsg(db));
            return BLVM_COMMONS_EXIT_FAIL;
        }
        for (size_t i = 0; i < r.nrows; i++) {
            printf("%s\t%s\t%s\t%s\t%s\n", blvm_db_result_get(&r, i, 0),
                   blvm_db_result_get(&r, i, 1), blvm_db_result_get(&r, i, 2),
                   blvm_db_result_get(&r, i, 3) ? blvm_db_result_get(&r, i, 3) : "-",
                   blvm_db_result_get(&r, i, 4) ? blvm_db_result_get(&r, i, 4) : "");
        }
        blvm_db_result_clear(&r);
        return BLVM_COMMONS_EXIT_OK;
    }
    usage();
    return BLVM_COMMONS_EXIT_USAGE;
}
