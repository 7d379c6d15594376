#ifndef BLVM_COMMONS_DB_H
#define BLVM_COMMONS_DB_H

/* blvm-commons' database: one small interface with two engines behind it.
 *
 *  - SQLite (default): a file path, or "sqlite://PATH" / "sqlite:PATH". The
 *    file and its directory are created on first use. WAL journal, a 10 s
 *    busy timeout and foreign keys on, so several processes (serve, the CLI,
 *    an orchestration worker) may share the file.
 *  - PostgreSQL: any "postgresql://" or "postgres://" URL, through libpq.
 *
 * SQL is written once for both engines: `?` marks a positional parameter
 * (translated to $1, $2, ... for PostgreSQL; a `?` inside a '...' literal is
 * left alone). Use only the common subset: TEXT, BIGINT, INTEGER,
 * "INSERT ... ON CONFLICT ... DO NOTHING/UPDATE", "RETURNING", no engine-only
 * functions. Times are BIGINT unix seconds; booleans INTEGER 0/1; bytes as
 * lowercase hex TEXT.
 *
 * A handle is NOT thread-safe: every thread opens its own (blvm_db_open is
 * cheap for SQLite; a PostgreSQL handle is one connection).
 *
 * Errors: every fallible call returns false and leaves a message readable by
 * blvm_db_errmsg() until the next call on the same handle. Values returned in
 * a blvm_db_result belong to that result until blvm_db_result_clear().
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/common.h"

typedef struct blvm_db blvm_db;

typedef enum {
    BLVM_DB_SQLITE = 1,
    BLVM_DB_POSTGRES = 2,
} blvm_db_engine;

typedef enum {
    BLVM_DB_NULL = 0,
    BLVM_DB_TEXT,
    BLVM_DB_INT64,
} blvm_db_type;

/* One positional parameter. text is borrowed for the duration of the call. */
typedef struct {
    blvm_db_type type;
    const char *text;
    int64_t i64;
} blvm_db_param;

static inline blvm_db_param blvm_db_text(const char *s) {
    blvm_db_param p = {s ? BLVM_DB_TEXT : BLVM_DB_NULL, s, 0};
    return p;
}
static inline blvm_db_param blvm_db_int(int64_t v) {
    blvm_db_param p = {BLVM_DB_INT64, NULL, v};
    return p;
}
static inline blvm_db_param blvm_db_null(void) {
    blvm_db_param p = {BLVM_DB_NULL, NULL, 0};
    return p;
}

/* Rows of a query, every value as text (integers in decimal) or NULL for SQL
 * NULL. cells[row * ncols + col]. */
typedef struct {
    size_t nrows;
    size_t ncols;
    char **cols;  /* ncols column names */
    char **cells; /* nrows * ncols values, NULL = SQL NULL */
} blvm_db_result;

/* Opens (and for SQLite creates) the database named by url. On failure
 * returns false, *out is NULL and err (errlen bytes, may be NULL) says why. */
BLVM_WUR bool blvm_db_open(blvm_db **out, const char *url, char *err, size_t errlen);
/* Closes the handle; a transaction still open is rolled back. NULL is fine. */
void blvm_db_close(blvm_db *db);

blvm_db_engine blvm_db_engine_of(const blvm_db *db);
/* "sqlite" or "postgresql". */
const char *blvm_db_engine_name(const blvm_db *db);

/* Text of the last error on this handle ("" when none). */
const char *blvm_db_errmsg(const blvm_db *db);
/* True when the last failed statement broke a UNIQUE or PRIMARY KEY
 * constraint (so callers can tell "duplicate" from a real error). */
bool blvm_db_last_was_unique_violation(const blvm_db *db);

/* Runs one statement. changes (may be NULL) gets the number of rows it
 * inserted, updated or deleted. */
BLVM_WUR bool blvm_db_exec(blvm_db *db, const char *sql, const blvm_db_param *params,
                           size_t nparams, int64_t *changes);
/* Runs several ';'-separated statements without parameters (migrations). */
BLVM_WUR bool blvm_db_exec_script(blvm_db *db, const char *sql);

/* Runs one statement returning rows into res (cleared first, also on
 * failure). The caller frees with blvm_db_result_clear(). */
BLVM_WUR bool blvm_db_query(blvm_db *db, const char *sql, const blvm_db_param *params,
                            size_t nparams, blvm_db_result *res);
void blvm_db_result_clear(blvm_db_result *res);
/* Value at (row, col), NULL for SQL NULL or out of range. */
const char *blvm_db_result_get(const blvm_db_result *res, size_t row, size_t col);
/* Same, parsed as a decimal int64; returns false for NULL/non-numbers. */
BLVM_WUR bool blvm_db_result_get_int(const blvm_db_result *res, size_t row, size_t col,
                                     int64_t *out);

/* Convenience: query whose first row's first column is an integer. Returns
 * false on error; *found says whether there was a (non-NULL) value. */
BLVM_WUR bool blvm_db_query_int(blvm_db *db, const char *sql, const blvm_db_param *params,
                                size_t nparams, int64_t *out, bool *found);

/* Runs an INSERT into a table whose primary key column is `id`, and returns
 * the new row's id (the statement gets " RETURNING id" appended; do not add
 * it yourself). */
BLVM_WUR bool blvm_db_insert(blvm_db *db, const char *sql, const blvm_db_param *params,
                             size_t nparams, int64_t *id_out);

/* Transactions. begin on SQLite takes the write lock at once (BEGIN
 * IMMEDIATE) so two writers never deadlock on lock upgrades. Not nestable. */
BLVM_WUR bool blvm_db_begin(blvm_db *db);
BLVM_WUR bool blvm_db_commit(blvm_db *db);
/* Rolls back; never fails in a way the caller can act on. */
void blvm_db_rollback(blvm_db *db);
bool blvm_db_in_transaction(const blvm_db *db);

#endif
