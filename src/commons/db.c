#include "commons/db.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commons/db_impl.h"

void blvm_db_set_err(blvm_db *db, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(db->err, sizeof(db->err), fmt, ap);
    va_end(ap);
}

static bool has_prefix(const char *s, const char *p) {
    return strncmp(s, p, strlen(p)) == 0;
}

bool blvm_db_open(blvm_db **out, const char *url, char *err, size_t errlen) {
    *out = NULL;
    if (err && errlen) err[0] = '\0';
    if (!url || !*url) {
        if (err) snprintf(err, errlen, "empty database URL");
        return false;
    }
    blvm_db *db = calloc(1, sizeof(*db));
    if (!db) {
        if (err) snprintf(err, errlen, "out of memory");
        return false;
    }
    bool ok;
    if (has_prefix(url, "postgresql://") || has_prefix(url, "postgres://")) {
        db->engine = BLVM_DB_POSTGRES;
        ok = blvm_db_pg_open(db, url, err, errlen);
    } else {
        const char *path = url;
        if (has_prefix(url, "sqlite://")) {
            path = url + strlen("sqlite://");
        } else if (has_prefix(url, "sqlite:")) {
            path = url + strlen("sqlite:");
        } else if (strstr(url, "://")) {
            if (err) snprintf(err, errlen, "unsupported database URL scheme in '%s' (use a file path, sqlite:// or postgresql://)", url);
            free(db);
            return false;
        }
        db->engine = BLVM_DB_SQLITE;
        ok = blvm_db_sqlite_open(db, path, err, errlen);
    }
    if (!ok) {
        free(db);
        return false;
    }
    *out = db;
    return true;
}

void blvm_db_close(blvm_db *db) {
    if (!db) return;
    if (db->in_tx) blvm_db_rollback(db);
    db->ops->close(db->h);
    free(db);
}

blvm_db_engine blvm_db_engine_of(const blvm_db *db) { return db->engine; }
const char *blvm_db_engine_name(const blvm_db *db) { return db->ops->name; }
const char *blvm_db_errmsg(const blvm_db *db) { return db->err; }
bool blvm_db_last_was_unique_violation(const blvm_db *db) { return db->unique_violation; }

bool blvm_db_exec(blvm_db *db, const char *sql, const blvm_db_param *params, size_t nparams,
                  int64_t *changes) {
    db->err[0] = '\0';
    db->unique_violation = false;
    if (changes) *changes = 0;
    return db->ops->exec(db, sql, params, nparams, changes);
}

bool blvm_db_exec_script(blvm_db *db, const char *sql) {
    db->err[0] = '\0';
    db->unique_violation = false;
    return db->ops->exec_script(db, sql);
}

void blvm_db_result_clear(blvm_db_result *res) {
    if (!res) return;
    for (size_t i = 0; i < res->ncols && res->cols; i++) free(res->cols[i]);
    free(res->cols);
    for (size_t i = 0; i < res->nrows * res->ncols && res->cells; i++) free(res->cells[i]);
    free(res->cells);
    memset(res, 0, sizeof(*res));
}

bool blvm_db_result_push_row(blvm_db_result *res, const char *const *vals, size_t ncols) {
    if (ncols != res->ncols) return false;
    size_t n = (res->nrows + 1) * ncols;
    char **cells = realloc(res->cells, (n ? n : 1) * sizeof(char *));
    if (!cells) return false;
    res->cells = cells;
    size_t base = res->nrows * ncols;
    for (size_t i = 0; i < ncols; i++) {
        cells[base + i] = NULL;
        if (vals[i]) {
            cells[base + i] = strdup(vals[i]);
            if (!cells[base + i]) {
                for (size_t j = 0; j < i; j++) free(cells[base + j]);
                return false;
            }
        }
    }
    res->nrows++;
    return true;
}

bool blvm_db_query(blvm_db *db, const char *sql, const blvm_db_param *params, size_t nparams,
                   blvm_db_result *res) {
    memset(res, 0, sizeof(*res));
    db->err[0] = '\0';
    db->unique_violation = false;
    if (!db->ops->query(db, sql, params, nparams, res)) {
        blvm_db_result_clear(res);
        return false;
    }
    return true;
}

const char *blvm_db_result_get(const blvm_db_result *res, size_t row, size_t col) {
    if (row >= res->nrows || col >= res->ncols) return NULL;
    return res->cells[row * res->ncols + col];
}

bool blvm_db_result_get_int(const blvm_db_result *res, size_t row, size_t col, int64_t *out) {
    const char *s = blvm_db_result_get(res, row, col);
    if (!s || !*s) return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end) return false;
    *out = (int64_t)v;
    return true;
}

bool blvm_db_query_int(blvm_db *db, const char *sql, const blvm_db_param *params, size_t nparams,
                       int64_t *out, bool *found) {
    blvm_db_result res;
    *found = false;
    if (!blvm_db_query(db, sql, params, nparams, &res)) return false;
    if (blvm_db_result_get_int(&res, 0, 0, out)) *found = true;
    blvm_db_result_clear(&res);
    return true;
}

bool blvm_db_insert(blvm_db *db, const char *sql, const blvm_db_param *params, size_t nparams,
                    int64_t *id_out) {
    size_t len = strlen(sql);
    while (len && (sql[len - 1] == ';' || sql[len - 1] == ' ' || sql[len - 1] == '\n')) len--;
    static const char suffix[] = " RETURNING id";
    char *full = malloc(len + sizeof(suffix));
    if (!full) {
        blvm_db_set_err(db, "out of memory");
        return false;
    }
    memcpy(full, sql, len);
    memcpy(full + len, suffix, sizeof(suffix));
    bool found = false;
    bool ok = blvm_db_query_int(db, full, params, nparams, id_out, &found);
    free(full);
    if (ok && !found) {
        blvm_db_set_err(db, "insert returned no id (did ON CONFLICT skip the row?)");
        return false;
    }
    return ok;
}

bool blvm_db_begin(blvm_db *db) {
    if (db->in_tx) {
        blvm_db_set_err(db, "transaction already open");
        return false;
    }
    const char *sql = db->engine == BLVM_DB_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN";
    if (!blvm_db_exec(db, sql, NULL, 0, NULL)) return false;
    db->in_tx = true;
    return true;
}

bool blvm_db_commit(blvm_db *db) {
    if (!db->in_tx) {
        blvm_db_set_err(db, "commit without a transaction");
        return false;
    }
    if (!blvm_db_exec(db, "COMMIT", NULL, 0, NULL)) {
        /* PostgreSQL ends a failed transaction at COMMIT; SQLite may keep it
         * open (SQLITE_BUSY), so roll back to leave the handle usable. */
        char saved[sizeof(db->err)];
        memcpy(saved, db->err, sizeof(saved));
        blvm_db_rollback(db);
        memcpy(db->err, saved, sizeof(saved));
        return false;
    }
    db->in_tx = false;
    return true;
}

void blvm_db_rollback(blvm_db *db) {
    if (!db->in_tx) return;
    char saved[sizeof(db->err)];
    memcpy(saved, db->err, sizeof(saved));
    bool uv = db->unique_violation;
    if (!blvm_db_exec(db, "ROLLBACK", NULL, 0, NULL)) {
        /* nothing to do: the engine has already ended the transaction */
    }
    db->in_tx = false;
    memcpy(db->err, saved, sizeof(saved));
    db->unique_violation = uv;
}

bool blvm_db_in_transaction(const blvm_db *db) { return db->in_tx; }
