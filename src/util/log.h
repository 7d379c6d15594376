#ifndef BLVM_UTIL_LOG_H
#define BLVM_UTIL_LOG_H

/* Logging to debug.log and/or the console, as bitcoind does.
 *
 * Lines look like Bitcoin Core's:
 *     2026-11-21T23:59:59Z [net] connected to peer=3
 *     2026-11-21T23:59:59Z [warning] disk space is low
 *     2026-11-21T23:59:59Z Loaded best chain: hashBestChain=...
 * Info, warning and error lines are always written; debug and trace lines
 * only for the categories enabled with -debug=<cat> (minus -debugexclude),
 * at the level set with -loglevel. Categories can change at run time (the
 * `logging` RPC). Every function is thread-safe; a line is written in one
 * piece. Before blvm_log_open() lines are buffered (up to 1 MiB) and then
 * written to the file, so start-up messages are not lost.
 *
 * Lines an attacker can trigger (peer misbehaviour, bad RPC input) go
 * through BLVM_LOG_RATELIMITED, which drops a call site's lines once it
 * wrote more than its budget in the current window (Core's per-location
 * limit) and says so once. */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/common.h"

typedef enum {
    BLVM_LOG_TRACE = 0,
    BLVM_LOG_DEBUG = 1,
    BLVM_LOG_INFO = 2,
    BLVM_LOG_WARNING = 3,
    BLVM_LOG_ERROR = 4,
} blvm_log_level;

/* Bit mask of categories; names as Core's -debug values. */
typedef enum {
    BLVM_LOG_NONE = 0,
    BLVM_LOG_NET = 1ull << 0,
    BLVM_LOG_TOR = 1ull << 1,
    BLVM_LOG_MEMPOOL = 1ull << 2,
    BLVM_LOG_HTTP = 1ull << 3,
    BLVM_LOG_BENCH = 1ull << 4,
    BLVM_LOG_ZMQ = 1ull << 5,
    BLVM_LOG_WALLETDB = 1ull << 6,
    BLVM_LOG_RPC = 1ull << 7,
    BLVM_LOG_ESTIMATEFEE = 1ull << 8,
    BLVM_LOG_ADDRMAN = 1ull << 9,
    BLVM_LOG_SELECTCOINS = 1ull << 10,
    BLVM_LOG_REINDEX = 1ull << 11,
    BLVM_LOG_CMPCTBLOCK = 1ull << 12,
    BLVM_LOG_RAND = 1ull << 13,
    BLVM_LOG_PRUNE = 1ull << 14,
    BLVM_LOG_PROXY = 1ull << 15,
    BLVM_LOG_MEMPOOLREJ = 1ull << 16,
    BLVM_LOG_LIBEVENT = 1ull << 17,
    BLVM_LOG_COINDB = 1ull << 18,
    BLVM_LOG_DB = 1ull << 19, /* LMDB (Core's leveldb) */
    BLVM_LOG_VALIDATION = 1ull << 20,
    BLVM_LOG_I2P = 1ull << 21,
    BLVM_LOG_IPC = 1ull << 22,
    BLVM_LOG_LOCK = 1ull << 23,
    BLVM_LOG_BLOCKSTORAGE = 1ull << 24,
    BLVM_LOG_TXRECONCILIATION = 1ull << 25,
    BLVM_LOG_SCAN = 1ull << 26,
    BLVM_LOG_TXPACKAGES = 1ull << 27,
    BLVM_LOG_COMMITMENTS = 1ull << 28,
    BLVM_LOG_INDEX = 1ull << 29,
    BLVM_LOG_ALL = (1ull << 30) - 1,
} blvm_log_category;

/* ---- configuration (call from the main thread during start-up, or at run
 * time: every setter is thread-safe) ---- */

/* Opens (appends to) the log file; writes out lines buffered so far.
 * Returns false (and errno set) when the file cannot be opened. */
BLVM_WUR bool blvm_log_open(const char *path);
/* Reopens the file at the same path (SIGHUP, for logrotate). */
BLVM_WUR bool blvm_log_reopen(void);
/* Flushes and closes the file; later lines go to the console only. */
void blvm_log_close(void);
void blvm_log_set_print_to_console(bool on);
/* Lines written before open are buffered; this drops the buffer and stops
 * buffering (when -nodebuglogfile). */
void blvm_log_disable_buffering(void);
void blvm_log_set_timestamps(bool on);
void blvm_log_set_thread_names(bool on);
/* Name of the calling thread in log lines ("main", "http", "rpc.0"...). */
void blvm_log_set_thread_name(const char *name);

/* Category by name ("net", "rpc", ...; also "all"/"1" and "none"/"0" as in
 * Core). Returns false for an unknown name. */
BLVM_WUR bool blvm_log_category_from_name(const char *name, uint64_t *mask);
/* Enables / disables by name; false for an unknown name. */
BLVM_WUR bool blvm_log_enable_category_name(const char *name);
BLVM_WUR bool blvm_log_disable_category_name(const char *name);
void blvm_log_enable_categories(uint64_t mask);
void blvm_log_disable_categories(uint64_t mask);
uint64_t blvm_log_categories(void);
/* Number of named categories and the i-th, sorted by name (for `logging`). */
size_t blvm_log_category_count(void);
const char *blvm_log_category_name(size_t i, uint64_t *mask);

/* Level for debug-category lines: "trace", "debug" (default), "info",
 * "warning", "error". Also "<category>:<level>" for one category (Core's
 * -loglevel). false for unknown names. */
BLVM_WUR bool blvm_log_set_level_str(const char *spec);
bool blvm_log_level_from_name(const char *name, blvm_log_level *out);
const char *blvm_log_level_name(blvm_log_level level);

/* ---- writing ---- */

/* True when a line of this category and level would be written. */
bool blvm_log_enabled(uint64_t category, blvm_log_level level);

void blvm_log_write(uint64_t category, blvm_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void blvm_log_vwrite(uint64_t category, blvm_log_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

#define BLVM_LOG_INFO(...) blvm_log_write(BLVM_LOG_NONE, BLVM_LOG_INFO, __VA_ARGS__)
#define BLVM_LOG_WARN(...) blvm_log_write(BLVM_LOG_NONE, BLVM_LOG_WARNING, __VA_ARGS__)
#define BLVM_LOG_ERROR(...) blvm_log_write(BLVM_LOG_NONE, BLVM_LOG_ERROR, __VA_ARGS__)
/* Debug lines are formatted only when their category is on. */
#define BLVM_LOG_DEBUG(cat, ...)                                                     \
    do {                                                                             \
        if (blvm_log_enabled((cat), BLVM_LOG_DEBUG))                                 \
            blvm_log_write((cat), BLVM_LOG_DEBUG, __VA_ARGS__);                      \
    } while (0)
#define BLVM_LOG_TRACE(cat, ...)                                                     \
    do {                                                                             \
        if (blvm_log_enabled((cat), BLVM_LOG_TRACE))                                 \
            blvm_log_write((cat), BLVM_LOG_TRACE, __VA_ARGS__);                      \
    } while (0)

/* ---- rate limiting ---- */

/* Budget of one call site. Zero-initialised (static) is a valid state. */
typedef struct blvm_log_ratelimit {
    int64_t window_start; /* seconds */
    uint64_t bytes;       /* written in this window */
    uint64_t dropped;     /* lines dropped in this window */
    bool suppressed;
} blvm_log_ratelimit;

/* Core's defaults: 1 MiB per call site per hour. Changeable for tests. */
void blvm_log_set_ratelimit(uint64_t bytes_per_window, int64_t window_seconds);

void blvm_log_write_limited(blvm_log_ratelimit *rl, const char *site, uint64_t category,
                            blvm_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#define BLVM_LOG_STR2(x) #x
#define BLVM_LOG_STR(x) BLVM_LOG_STR2(x)
#define BLVM_LOG_RATELIMITED(cat, level, ...)                                        \
    do {                                                                             \
        static blvm_log_ratelimit blvm_log_rl_;                                      \
        if (blvm_log_enabled((cat), (level)))                                        \
            blvm_log_write_limited(&blvm_log_rl_, __FILE__ ":" BLVM_LOG_STR(__LINE__), \
                                   (cat), (level), __VA_ARGS__);                     \
    } while (0)

/* For tests: a clock to use instead of time(NULL) (NULL restores it). */
void blvm_log_set_clock(int64_t (*now)(void));

#endif
