#ifndef BLVM_COMMONS_DB_IMPL_H
#define BLVM_COMMONS_DB_IMPL_H

/* Internal: what db.c shares with the engines (db_sqlite.c, db_pg.c). */

#include "commons/db.h"

typedef struct {
    const char *name;
    void (*close)(void *h);
    /* sql uses `?` placeholders; engines translate as needed. */
    bool (*exec)(blvm_db *db, const char *sql, const blvm_db_param *params, size_t n,
                 int64_t *changes);
    bool (*exec_script)(blvm_db *db, const char *sql);
    bool (*query)(blvm_db *db, const char *sql, const blvm_db_param *params, size_t n,
                  blvm_db_result *res);
} blvm_db_ops;

struct blvm_db {
    blvm_db_engine engine;
    const blvm_db_ops *ops;
    void *h; /* sqlite3* or PGconn* */
    bool in_tx;
    bool unique_violation;
    char err[512];
};

void blvm_db_set_err(blvm_db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

BLVM_WUR bool blvm_db_sqlite_open(blvm_db *db, const char *path, char *err, size_t errlen);
BLVM_WUR bool blvm_db_pg_open(blvm_db *db, const char *url, char *err, size_t errlen);

/* Grows res by one row of ncols values copied from vals (NULL = SQL NULL). */
BLVM_WUR bool blvm_db_result_push_row(blvm_db_result *res, const char *const *vals, size_t ncols);

#endif
