/* SQLite engine of the commons database (see db.h). */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commons/db_impl.h"

/* Creates every missing directory above path (like mkdir -p of dirname). */
static bool make_parent_dirs(const char *path, char *err, size_t errlen) {
    char *copy = strdup(path);
    if (!copy) return false;
    for (char *p = copy + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(copy, 0700) != 0 && errno != EEXIST) {
            if (err) snprintf(err, errlen, "cannot create directory '%s': %s", copy, strerror(errno));
            free(copy);
            return false;
        }
        *p = '/';
    }
    free(copy);
    return true;
}

static void sq_close(void *h) { sqlite3_close_v2((sqlite3 *)h); }

static void sq_err(blvm_db *db, sqlite3 *h, const char *what) {
    int ext = sqlite3_extended_errcode(h);
    db->unique_violation = ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY;
    blvm_db_set_err(db, "sqlite %s: %s", what, sqlite3_errmsg(h));
}

static bool sq_prepare(blvm_db *db, const char *sql, const blvm_db_param *params, size_t n,
                       sqlite3_stmt **out) {
    sqlite3 *h = db->h;
    *out = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) {
        sq_err(db, h, "prepare");
        return false;
    }
    if ((size_t)sqlite3_bind_parameter_count(st) != n) {
        blvm_db_set_err(db, "statement has %d parameters, %zu given: %s",
                        sqlite3_bind_parameter_count(st), n, sql);
        sqlite3_finalize(st);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        int rc;
        int idx = (int)i + 1;
        switch (params[i].type) {
        case BLVM_DB_TEXT:
            rc = sqlite3_bind_text(st, idx, params[i].text, -1, SQLITE_TRANSIENT);
            break;
        case BLVM_DB_INT64:
            rc = sqlite3_bind_int64(st, idx, params[i].i64);
            break;
        default:
            rc = sqlite3_bind_null(st, idx);
            break;
        }
        if (rc != SQLITE_OK) {
            sq_err(db, h, "bind");
            sqlite3_finalize(st);
            return false;
        }
    }
    *out = st;
    return true;
}

static bool sq_exec(blvm_db *db, const char *sql, const blvm_db_param *params, size_t n,
                    int64_t *changes) {
    sqlite3_stmt *st;
    if (!sq_prepare(db, sql, params, n, &st)) return false;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) {
        sq_err(db, db->h, "step");
        sqlite3_finalize(st);
        return false;
    }
    sqlite3_finalize(st);
    if (changes) *changes = sqlite3_changes64(db->h);
    return true;
}

static bool sq_exec_script(blvm_db *db, const char *sql) {
    char *msg = NULL;
    if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int ext = sqlite3_extended_errcode(db->h);
        db->unique_violation = ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY;
        blvm_db_set_err(db, "sqlite: %s", msg ? msg : sqlite3_errmsg(db->h));
        sqlite3_free(msg);
        return false;
    }
    return true;
}

static bool sq_query(blvm_db *db, const char *sql, const blvm_db_param *params, size_t n,
                     blvm_db_result *res) {
    sqlite3_stmt *st;
    if (!sq_prepare(db, sql, params, n, &st)) return false;
    size_t ncols = (size_t)sqlite3_column_count(st);
    res->ncols = ncols;
    res->cols = calloc(ncols ? ncols : 1, sizeof(char *));
    const char **vals = calloc(ncols ? ncols : 1, sizeof(char *));
    bool ok = res->cols && vals;
    for (size_t i = 0; ok && i < ncols; i++) {
        const char *name = sqlite3_column_name(st, (int)i);
        res->cols[i] = strdup(name ? name : "");
        if (!res->cols[i]) ok = false;
    }
    if (!ok) {
        blvm_db_set_err(db, "out of memory");
        free(vals);
        sqlite3_finalize(st);
        return false;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (size_t i = 0; i < ncols; i++) {
            vals[i] = sqlite3_column_type(st, (int)i) == SQLITE_NULL
                          ? NULL
                          : (const char *)sqlite3_column_text(st, (int)i);
        }
        if (!blvm_db_result_push_row(res, vals, ncols)) {
            blvm_db_set_err(db, "out of memory");
            free(vals);
            sqlite3_finalize(st);
            return false;
        }
    }
    free(vals);
    if (rc != SQLITE_DONE) {
        sq_err(db, db->h, "step");
        sqlite3_finalize(st);
        return false;
    }
    sqlite3_finalize(st);
    return true;
}

static const blvm_db_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .exec = sq_exec,
    .exec_script = sq_exec_script,
    .query = sq_query,
};

bool blvm_db_sqlite_open(blvm_db *db, const char *path, char *err, size_t errlen) {
    if (!*path) {
        if (err) snprintf(err, errlen, "empty SQLite path");
        return false;
    }
    if (strcmp(path, ":memory:") != 0 && !make_parent_dirs(path, err, errlen)) return false;
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);
    if (rc != SQLITE_OK) {
        if (err) snprintf(err, errlen, "cannot open SQLite database '%s': %s", path,
                          h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        sqlite3_close_v2(h);
        return false;
    }
    sqlite3_busy_timeout(h, 10000);
    sqlite3_extended_result_codes(h, 1);
    db->h = h;
    db->ops = &sqlite_ops;
    /* WAL lets readers run beside one writer (serve + CLI on one file). */
    if (!sq_exec_script(db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;")) {
        if (err) snprintf(err, errlen, "cannot set up SQLite database '%s': %s", path, db->err);
        sqlite3_close_v2(h);
        return false;
    }
    return true;
}
