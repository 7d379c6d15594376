/* PostgreSQL engine of the commons database (see db.h), through libpq. */
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commons/db_impl.h"

/* PostgreSQL's type OID for BIGINT (pg_type.h), so integer parameters compare
 * and add like integers; text parameters are left "unknown" for the server to
 * infer from context, which is what lets one SQL text serve both engines. */
#define BLVM_PG_INT8OID 20

static void pg_close(void *h) { PQfinish((PGconn *)h); }

static void pg_quiet(void *arg, const char *msg) {
    (void)arg;
    (void)msg; /* "relation already exists, skipping" and such */
}

/* Rewrites `?` placeholders to $1, $2, ... outside quoted text and
 * identifiers. Returns a malloc'd string and the count found. */
static char *translate(const char *sql, size_t *count) {
    size_t len = strlen(sql);
    size_t q = 0;
    for (size_t i = 0; i < len; i++) q += sql[i] == '?';
    char *out = malloc(len + q * 10 + 1);
    if (!out) return NULL;
    size_t o = 0, n = 0;
    char quote = 0;
    for (size_t i = 0; i < len; i++) {
        char c = sql[i];
        if (quote) {
            if (c == quote) quote = 0;
            out[o++] = c;
        } else if (c == '\'' || c == '"') {
            quote = c;
            out[o++] = c;
        } else if (c == '?') {
            o += (size_t)sprintf(out + o, "$%zu", ++n);
        } else {
            out[o++] = c;
        }
    }
    out[o] = '\0';
    *count = n;
    return out;
}

static bool pg_fail(blvm_db *db, PGresult *r, const char *what) {
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    db->unique_violation = state && strcmp(state, "23505") == 0;
    const char *msg = r ? PQresultErrorMessage(r) : NULL;
    if (!msg || !*msg) msg = PQerrorMessage((PGconn *)db->h);
    blvm_db_set_err(db, "postgresql %s: %s", what, msg);
    size_t l = strlen(db->err);
    while (l && (db->err[l - 1] == '\n' || db->err[l - 1] == ' ')) db->err[--l] = '\0';
    PQclear(r);
    return false;
}

static PGresult *pg_run(blvm_db *db, const char *sql, const blvm_db_param *params, size_t n) {
    size_t count;
    char *text = translate(sql, &count);
    if (!text) {
        blvm_db_set_err(db, "out of memory");
        return NULL;
    }
    if (count != n) {
        blvm_db_set_err(db, "statement has %zu parameters, %zu given: %s", count, n, sql);
        free(text);
        return NULL;
    }
    const char **vals = calloc(n ? n : 1, sizeof(char *));
    Oid *types = calloc(n ? n : 1, sizeof(Oid));
    char (*nums)[24] = calloc(n ? n : 1, sizeof(*nums));
    if (!vals || !types || !nums) {
        free(vals);
        free(types);
        free(nums);
        free(text);
        blvm_db_set_err(db, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (params[i].type == BLVM_DB_TEXT) {
            vals[i] = params[i].text;
        } else if (params[i].type == BLVM_DB_INT64) {
            snprintf(nums[i], sizeof(nums[i]), "%" PRId64, params[i].i64);
            vals[i] = nums[i];
            types[i] = BLVM_PG_INT8OID;
        }
    }
    PGresult *r = PQexecParams((PGconn *)db->h, text, (int)n, types, vals, NULL, NULL, 0);
    free(vals);
    free(types);
    free(nums);
    free(text);
    if (!r) blvm_db_set_err(db, "postgresql: %s", PQerrorMessage((PGconn *)db->h));
    return r;
}

static bool pg_exec(blvm_db *db, const char *sql, const blvm_db_param *params, size_t n,
                    int64_t *changes) {
    PGresult *r = pg_run(db, sql, params, n);
    if (!r) return false;
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return pg_fail(db, r, "exec");
    if (changes) {
        const char *t = PQcmdTuples(r);
        *changes = (t && *t) ? strtoll(t, NULL, 10) : 0;
    }
    PQclear(r);
    return true;
}

static bool pg_exec_script(blvm_db *db, const char *sql) {
    PGresult *r = PQexec((PGconn *)db->h, sql);
    if (!r) return pg_fail(db, NULL, "exec");
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY)
        return pg_fail(db, r, "exec");
    PQclear(r);
    return true;
}

static bool pg_query(blvm_db *db, const char *sql, const blvm_db_param *params, size_t n,
                     blvm_db_result *res) {
    PGresult *r = pg_run(db, sql, params, n);
    if (!r) return false;
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) return pg_fail(db, r, "query");
    size_t ncols = (size_t)PQnfields(r);
    size_t nrows = (size_t)PQntuples(r);
    res->ncols = ncols;
    res->cols = calloc(ncols ? ncols : 1, sizeof(char *));
    const char **vals = calloc(ncols ? ncols : 1, sizeof(char *));
    bool ok = res->cols && vals;
    for (size_t i = 0; ok && i < ncols; i++) {
        res->cols[i] = strdup(PQfname(r, (int)i));
        if (!res->cols[i]) ok = false;
    }
    for (size_t row = 0; ok && row < nrows; row++) {
        for (size_t i = 0; i < ncols; i++) {
            vals[i] = PQgetisnull(r, (int)row, (int)i) ? NULL : PQgetvalue(r, (int)row, (int)i);
        }
        ok = blvm_db_result_push_row(res, vals, ncols);
    }
    free(vals);
    PQclear(r);
    if (!ok) blvm_db_set_err(db, "out of memory");
    return ok;
}

static const blvm_db_ops pg_ops = {
    .name = "postgresql",
    .close = pg_close,
    .exec = pg_exec,
    .exec_script = pg_exec_script,
    .query = pg_query,
};

bool blvm_db_pg_open(blvm_db *db, const char *url, char *err, size_t errlen) {
    /* A default connect timeout, which the URL's own connect_timeout
     * overrides (expanded dbname settings win over earlier keywords). */
    const char *const keys[] = {"connect_timeout", "dbname", NULL};
    const char *const vals[] = {"10", url, NULL};
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    if (!c || PQstatus(c) != CONNECTION_OK) {
        if (err) {
            snprintf(err, errlen, "cannot connect to PostgreSQL: %s",
                     c ? PQerrorMessage(c) : "out of memory");
            size_t l = strlen(err);
            while (l && (err[l - 1] == '\n' || err[l - 1] == ' ')) err[--l] = '\0';
        }
        PQfinish(c);
        return false;
    }
    PQsetNoticeProcessor(c, pg_quiet, NULL);
    db->h = c;
    db->ops = &pg_ops;
    /* Keep times and text comparisons independent of server settings. */
    if (!pg_exec_script(db, "SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC';")) {
        if (err) snprintf(err, errlen, "cannot set up PostgreSQL session: %s", db->err);
        PQfinish(c);
        return false;
    }
    return true;
}
