/* Logging: see log.h. One mutex guards the file, the console, the start-up
 * buffer and the rate-limit state; the category mask and levels are atomics
 * so that the enabled-check on hot paths takes no lock. */
#include "util/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define LOG_BUFFER_MAX (1u << 20)

static const struct {
    const char *name;
    uint64_t mask;
} g_categories[] = {
    /* Sorted by name: the `logging` RPC lists them in this order. */
    {"addrman", BLVM_LOG_ADDRMAN},
    {"bench", BLVM_LOG_BENCH},
    {"blockstorage", BLVM_LOG_BLOCKSTORAGE},
    {"cmpctblock", BLVM_LOG_CMPCTBLOCK},
    {"coindb", BLVM_LOG_COINDB},
    {"commitments", BLVM_LOG_COMMITMENTS},
    {"db", BLVM_LOG_DB},
    {"estimatefee", BLVM_LOG_ESTIMATEFEE},
    {"http", BLVM_LOG_HTTP},
    {"i2p", BLVM_LOG_I2P},
    {"index", BLVM_LOG_INDEX},
    {"ipc", BLVM_LOG_IPC},
    {"libevent", BLVM_LOG_LIBEVENT},
    {"lock", BLVM_LOG_LOCK},
    {"mempool", BLVM_LOG_MEMPOOL},
    {"mempoolrej", BLVM_LOG_MEMPOOLREJ},
    {"net", BLVM_LOG_NET},
    {"proxy", BLVM_LOG_PROXY},
    {"prune", BLVM_LOG_PRUNE},
    {"rand", BLVM_LOG_RAND},
    {"reindex", BLVM_LOG_REINDEX},
    {"rpc", BLVM_LOG_RPC},
    {"scan", BLVM_LOG_SCAN},
    {"selectcoins", BLVM_LOG_SELECTCOINS},
    {"tor", BLVM_LOG_TOR},
    {"txpackages", BLVM_LOG_TXPACKAGES},
    {"txreconciliation", BLVM_LOG_TXRECONCILIATION},
    {"validation", BLVM_LOG_VALIDATION},
    {"walletdb", BLVM_LOG_WALLETDB},
    {"zmq", BLVM_LOG_ZMQ},
};

static const char *const g_level_names[] = {"trace", "debug", "info", "warning", "error"};

static pthread_mutex_t g_mutex = PTHREAD_MUTEX_INITIALIZER;
static FILE *g_file;
static char *g_path;
static bool g_console;
static bool g_buffering = true;
static char *g_buffer;
static size_t g_buffer_len;
static size_t g_buffer_dropped;
static bool g_timestamps = true;
static bool g_thread_names;
static uint64_t g_rl_budget = 1024 * 1024;
static int64_t g_rl_window = 3600;
static int64_t (*g_clock)(void);

static _Atomic uint64_t g_categories_on;
static _Atomic int g_default_level = BLVM_LOG_DEBUG;
/* Per-category level override; -1 means "use the default". */
static _Atomic int g_cat_level[64];
static atomic_bool g_cat_level_init;

static _Thread_local char t_thread_name[16];

static int64_t now_seconds(void) {
    return g_clock ? g_clock() : (int64_t)time(NULL);
}

static void init_cat_levels(void) {
    bool expected = false;
    if (atomic_load(&g_cat_level_init)) return;
    for (size_t i = 0; i < 64; i++) atomic_store(&g_cat_level[i], -1);
    atomic_compare_exchange_strong(&g_cat_level_init, &expected, true);
}

static int cat_index(uint64_t mask) {
    for (int i = 0; i < 64; i++)
        if (mask == (1ull << i)) return i;
    return -1;
}

bool blvm_log_enabled(uint64_t category, blvm_log_level level) {
    if (level >= BLVM_LOG_INFO) return true;
    if (category == BLVM_LOG_NONE) return false;
    if ((atomic_load_explicit(&g_categories_on, memory_order_relaxed) & category) == 0)
        return false;
    int min = atomic_load_explicit(&g_default_level, memory_order_relaxed);
    if (atomic_load_explicit(&g_cat_level_init, memory_order_acquire)) {
        int idx = cat_index(category);
        if (idx >= 0) {
            int l = atomic_load_explicit(&g_cat_level[idx], memory_order_relaxed);
            if (l >= 0) min = l;
        }
    }
    return (int)level >= min;
}

/* Appends to the start-up buffer; callers hold g_mutex. */
static void buffer_append(const char *line, size_t len) {
    if (!g_buffering) return;
    if (g_buffer_len + len > LOG_BUFFER_MAX) {
        g_buffer_dropped += len;
        return;
    }
    char *nb = realloc(g_buffer, g_buffer_len + len + 1);
    if (!nb) {
        g_buffer_dropped += len;
        return;
    }
    g_buffer = nb;
    memcpy(g_buffer + g_buffer_len, line, len);
    g_buffer_len += len;
    g_buffer[g_buffer_len] = '\0';
}

/* Writes one complete line; callers hold g_mutex. */
static void emit_locked(const char *line, size_t len) {
    if (g_console) {
        fwrite(line, 1, len, stdout);
        fflush(stdout);
    }
    if (g_file) {
        fwrite(line, 1, len, g_file);
        fflush(g_file);
    } else {
        buffer_append(line, len);
    }
}

static const char *category_name(uint64_t mask) {
    for (size_t i = 0; i < BLVM_ARRAY_LEN(g_categories); i++)
        if (g_categories[i].mask == mask) return g_categories[i].name;
    return "?";
}

/* Formats the line prefix (time, thread, category/level tag). */
static size_t format_prefix(char *out, size_t cap, uint64_t category, blvm_log_level level) {
    size_t n = 0;
    if (g_timestamps) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        time_t t = g_clock ? (time_t)g_clock() : ts.tv_sec;
        struct tm tm;
        gmtime_r(&t, &tm);
        n += strftime(out + n, cap - n, "%Y-%m-%dT%H:%M:%SZ ", &tm);
    }
    if (g_thread_names) {
        int w = snprintf(out + n, cap - n, "[%s] ", t_thread_name[0] ? t_thread_name : "unknown");
        if (w > 0 && (size_t)w < cap - n) n += (size_t)w;
    }
    const char *tag = NULL;
    char buf[64];
    if (category != BLVM_LOG_NONE && level <= BLVM_LOG_DEBUG) {
        if (level == BLVM_LOG_TRACE) {
            snprintf(buf, sizeof buf, "%s:trace", category_name(category));
            tag = buf;
        } else {
            tag = category_name(category);
        }
    } else if (level == BLVM_LOG_WARNING) {
        tag = "warning";
    } else if (level == BLVM_LOG_ERROR) {
        tag = "error";
    } else if (level <= BLVM_LOG_DEBUG) {
        tag = "debug";
    }
    if (tag) {
        int w = snprintf(out + n, cap - n, "[%s] ", tag);
        if (w > 0 && (size_t)w < cap - n) n += (size_t)w;
    }
    return n;
}

/* Builds the whole line in a malloc'd buffer (NULL on allocation failure):
 * prefix, message with control characters other than tab made visible, and
 * exactly one trailing newline. */
static char *format_line(uint64_t category, blvm_log_level level, const char *fmt, va_list ap,
                         size_t *out_len) __attribute__((format(printf, 3, 0)));
static char *format_line(uint64_t category, blvm_log_level level, const char *fmt, va_list ap,
                         size_t *out_len) {
    char prefix[160];
    size_t plen = format_prefix(prefix, sizeof prefix, category, level);
    va_list ap2;
    va_copy(ap2, ap);
    int mlen = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (mlen < 0) return NULL;
    char *msg = malloc((size_t)mlen + 1);
    if (!msg) return NULL;
    vsnprintf(msg, (size_t)mlen + 1, fmt, ap);
    size_t len = (size_t)mlen;
    while (len > 0 && msg[len - 1] == '\n') len--;
    /* Worst case every byte becomes \xNN (4 bytes). */
    char *line = malloc(plen + len * 4 + 2);
    if (!line) {
        free(msg);
        return NULL;
    }
    memcpy(line, prefix, plen);
    size_t n = plen;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)msg[i];
        /* Keeps log lines one per line even when a message carries
         * attacker-chosen bytes (method names, user agents). */
        if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
            n += (size_t)snprintf(line + n, 5, "\\x%02x", c);
        } else {
            line[n++] = (char)c;
        }
    }
    line[n++] = '\n';
    line[n] = '\0';
    free(msg);
    *out_len = n;
    return line;
}

void blvm_log_vwrite(uint64_t category, blvm_log_level level, const char *fmt, va_list ap) {
    if (!blvm_log_enabled(category, level)) return;
    size_t len;
    char *line = format_line(category, level, fmt, ap, &len);
    if (!line) return;
    pthread_mutex_lock(&g_mutex);
    emit_locked(line, len);
    pthread_mutex_unlock(&g_mutex);
    free(line);
}

void blvm_log_write(uint64_t category, blvm_log_level level, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    blvm_log_vwrite(category, level, fmt, ap);
    va_end(ap);
}

void blvm_log_write_limited(blvm_log_ratelimit *rl, const char *site, uint64_t category,
                            blvm_log_level level, const char *fmt, ...) {
    if (!blvm_log_enabled(category, level)) return;
    va_list ap;
    va_start(ap, fmt);
    size_t len;
    char *line = format_line(category, level, fmt, ap, &len);
    va_end(ap);
    if (!line) return;
    char note[256];
    size_t note_len = 0;
    pthread_mutex_lock(&g_mutex);
    int64_t now = now_seconds();
    if (rl->window_start == 0 || now - rl->window_start >= g_rl_window || now < rl->window_start) {
        if (rl->suppressed) {
            note_len = (size_t)snprintf(note, sizeof note,
                                        "Restarting logging from %s (%llu lines dropped)\n", site,
                                        (unsigned long long)rl->dropped);
        }
        rl->window_start = now;
        rl->bytes = 0;
        rl->dropped = 0;
        rl->suppressed = false;
    }
    if (note_len) emit_locked(note, note_len < sizeof note ? note_len : sizeof note - 1);
    if (rl->bytes + len > g_rl_budget) {
        if (!rl->suppressed) {
            rl->suppressed = true;
            note_len = (size_t)snprintf(note, sizeof note,
                                        "[warning] Excessive logging detected from %s: "
                                        "suppressing its lines for the rest of the window\n",
                                        site);
            emit_locked(note, note_len < sizeof note ? note_len : sizeof note - 1);
        }
        rl->dropped++;
    } else {
        rl->bytes += len;
        emit_locked(line, len);
    }
    pthread_mutex_unlock(&g_mutex);
    free(line);
}

void blvm_log_set_ratelimit(uint64_t bytes_per_window, int64_t window_seconds) {
    pthread_mutex_lock(&g_mutex);
    g_rl_budget = bytes_per_window;
    g_rl_window = window_seconds > 0 ? window_seconds : 1;
    pthread_mutex_unlock(&g_mutex);
}

void blvm_log_set_clock(int64_t (*now)(void)) {
    pthread_mutex_lock(&g_mutex);
    g_clock = now;
    pthread_mutex_unlock(&g_mutex);
}

bool blvm_log_open(const char *path) {
    FILE *f = fopen(path, "a");
    if (!f) return false;
    char *p = strdup(path);
    if (!p) {
        fclose(f);
        errno = ENOMEM;
        return false;
    }
    setvbuf(f, NULL, _IOFBF, 64 * 1024);
    pthread_mutex_lock(&g_mutex);
    if (g_file) fclose(g_file);
    g_file = f;
    free(g_path);
    g_path = p;
    if (g_buffer_len) fwrite(g_buffer, 1, g_buffer_len, g_file);
    if (g_buffer_dropped)
        fprintf(g_file, "[warning] %zu bytes of start-up log lines were dropped\n",
                g_buffer_dropped);
    fflush(g_file);
    free(g_buffer);
    g_buffer = NULL;
    g_buffer_len = 0;
    g_buffer_dropped = 0;
    g_buffering = false;
    pthread_mutex_unlock(&g_mutex);
    return true;
}

bool blvm_log_reopen(void) {
    pthread_mutex_lock(&g_mutex);
    bool ok = true;
    if (g_path) {
        FILE *f = fopen(g_path, "a");
        if (f) {
            setvbuf(f, NULL, _IOFBF, 64 * 1024);
            if (g_file) fclose(g_file);
            g_file = f;
        } else {
            ok = false;
        }
    }
    pthread_mutex_unlock(&g_mutex);
    return ok;
}

void blvm_log_close(void) {
    pthread_mutex_lock(&g_mutex);
    if (g_file) fclose(g_file);
    g_file = NULL;
    free(g_path);
    g_path = NULL;
    free(g_buffer);
    g_buffer = NULL;
    g_buffer_len = 0;
    g_buffering = false;
    pthread_mutex_unlock(&g_mutex);
}

void blvm_log_set_print_to_console(bool on) {
    pthread_mutex_lock(&g_mutex);
    g_console = on;
    pthread_mutex_unlock(&g_mutex);
}

void blvm_log_disable_buffering(void) {
    pthread_mutex_lock(&g_mutex);
    free(g_buffer);
    g_buffer = NULL;
    g_buffer_len = 0;
    g_buffering = false;
    pthread_mutex_unlock(&g_mutex);
}

void blvm_log_set_timestamps(bool on) {
    pthread_mutex_lock(&g_mutex);
    g_timestamps = on;
    pthread_mutex_unlock(&g_mutex);
}

void blvm_log_set_thread_names(bool on) {
    pthread_mutex_lock(&g_mutex);
    g_thread_names = on;
    pthread_mutex_unlock(&g_mutex);
}

void blvm_log_set_thread_name(const char *name) {
    snprintf(t_thread_name, sizeof t_thread_name, "%s", name ? name : "");
}

bool blvm_log_category_from_name(const char *name, uint64_t *mask) {
    if (!name) return false;
    if (strcmp(name, "") == 0 || strcmp(name, "1") == 0 || strcmp(name, "all") == 0) {
        *mask = BLVM_LOG_ALL;
        return true;
    }
    if (strcmp(name, "0") == 0 || strcmp(name, "none") == 0) {
        *mask = BLVM_LOG_NONE;
        return true;
    }
    for (size_t i = 0; i < BLVM_ARRAY_LEN(g_categories); i++) {
        if (strcmp(g_categories[i].name, name) == 0) {
            *mask = g_categories[i].mask;
            return true;
        }
    }
    /* Core's old name for the database category. */
    if (strcmp(name, "leveldb") == 0 || strcmp(name, "lmdb") == 0) {
        *mask = BLVM_LOG_DB;
        return true;
    }
    return false;
}

bool blvm_log_enable_category_name(const char *name) {
    uint64_t m;
    if (!blvm_log_category_from_name(name, &m)) return false;
    blvm_log_enable_categories(m);
    return true;
}

bool blvm_log_disable_category_name(const char *name) {
    uint64_t m;
    if (!blvm_log_category_from_name(name, &m)) return false;
    blvm_log_disable_categories(m);
    return true;
}

void blvm_log_enable_categories(uint64_t mask) {
    atomic_fetch_or(&g_categories_on, mask);
}

void blvm_log_disable_categories(uint64_t mask) {
    atomic_fetch_and(&g_categories_on, ~mask);
}

uint64_t blvm_log_categories(void) {
    return atomic_load(&g_categories_on);
}

size_t blvm_log_category_count(void) {
    return BLVM_ARRAY_LEN(g_categories);
}

const char *blvm_log_category_name(size_t i, uint64_t *mask) {
    if (i >= BLVM_ARRAY_LEN(g_categories)) return NULL;
    if (mask) *mask = g_categories[i].mask;
    return g_categories[i].name;
}

bool blvm_log_level_from_name(const char *name, blvm_log_level *out) {
    for (size_t i = 0; i < BLVM_ARRAY_LEN(g_level_names); i++) {
        if (strcasecmp(name, g_level_names[i]) == 0) {
            *out = (blvm_log_level)i;
            return true;
        }
    }
    return false;
}

const char *blvm_log_level_name(blvm_log_level level) {
    if ((size_t)level >= BLVM_ARRAY_LEN(g_level_names)) return "?";
    return g_level_names[level];
}

bool blvm_log_set_level_str(const char *spec) {
    const char *colon = strchr(spec, ':');
    blvm_log_level level;
    if (!colon) {
        if (!blvm_log_level_from_name(spec, &level)) return false;
        /* Core only allows trace/debug/info for the global -loglevel; info
         * means "debug lines off even for enabled categories". */
        if (level > BLVM_LOG_INFO) return false;
        atomic_store(&g_default_level, (int)level);
        return true;
    }
    char cat[32];
    size_t clen = (size_t)(colon - spec);
    if (clen == 0 || clen >= sizeof cat) return false;
    memcpy(cat, spec, clen);
    cat[clen] = '\0';
    uint64_t mask;
    if (!blvm_log_category_from_name(cat, &mask) || mask == BLVM_LOG_NONE) return false;
    if (!blvm_log_level_from_name(colon + 1, &level) || level > BLVM_LOG_INFO) return false;
    init_cat_levels();
    for (int i = 0; i < 64; i++)
        if (mask & (1ull << i)) atomic_store(&g_cat_level[i], (int)level);
    return true;
}
