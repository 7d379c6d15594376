/* Configuration: see config.h. Every setting is kept as a list of entries
 * (source, config-file section, value) in the order seen; the getters apply
 * Core's precedence rules on demand, which keeps parsing simple and lets the
 * same rules serve single and repeatable flags. */
#include "node/config.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "consensus/params.h"
#include "util/err.h"
#include "util/hex.h"

/* blvm_config_network values are the consensus layer's network ids, so
 * (blvm_network)blvm_config_get_network(cfg) picks the chain parameters. */
_Static_assert((int)BLVM_CONFIG_MAIN == (int)BLVM_NET_MAIN, "network ids");
_Static_assert((int)BLVM_CONFIG_TEST == (int)BLVM_NET_TESTNET3, "network ids");
_Static_assert((int)BLVM_CONFIG_TESTNET4 == (int)BLVM_NET_TESTNET4, "network ids");
_Static_assert((int)BLVM_CONFIG_SIGNET == (int)BLVM_NET_SIGNET, "network ids");
_Static_assert((int)BLVM_CONFIG_REGTEST == (int)BLVM_NET_REGTEST, "network ids");

#define INTMAX_ INT64_MAX

/* ---- the flags ---- */

#define B(n, h) {n, BLVM_ARG_BOOL, 0, 0, 0, h}
#define S(n, h) {n, BLVM_ARG_STRING, 0, 0, 0, h}
#define L(n, h) {n, BLVM_ARG_LIST, 0, 0, 0, h}
#define I(n, lo, hi, h) {n, BLVM_ARG_INT, 0, lo, hi, h}

const blvm_arg_spec blvm_config_blvmd_args[] = {
    /* General. */
    {"help", BLVM_ARG_BOOL, BLVM_ARG_CLI_ONLY, 0, 0, "Print this help message and exit"},
    {"?", BLVM_ARG_BOOL, BLVM_ARG_CLI_ONLY, 0, 0, ""},
    {"h", BLVM_ARG_BOOL, BLVM_ARG_CLI_ONLY, 0, 0, ""},
    {"version", BLVM_ARG_BOOL, BLVM_ARG_CLI_ONLY, 0, 0, "Print version and exit"},
    S("datadir", "Specify data directory (default: ~/.blvm)"),
    {"conf", BLVM_ARG_STRING, BLVM_ARG_CLI_ONLY, 0, 0,
     "Specify path to read-only configuration file, relative to the data dir (default: "
     "bitcoin.conf; blvm.conf in the data dir is read too)"},
    S("blocksdir", "Specify directory to hold blocks subdirectory for *.dat files"),
    S("pid", "Specify pid file, relative to the network's data dir (default: blvmd.pid)"),
    B("daemon", "Run in the background as a daemon and accept commands"),
    B("daemonwait", "Wait for initialization to finish before exiting (with -daemon)"),
    I("dbcache", 4, 16 * 1024 * 1024, "Maximum database cache size <n> MiB (default: 450)"),
    I("par", -64, 64,
      "Set the number of script verification threads (0 = auto, <0 = leave that many cores "
      "free, default: 0)"),
    {"assumevalid", BLVM_ARG_HASH, 0, 0, 0,
     "If this block is in the chain assume that it and its ancestors are valid and "
     "potentially skip their script verification (0 to verify all)"},
    I("prune", 0, INTMAX_,
      "Reduce storage requirements by pruning old blocks: 0 = off, 1 = manual, >=550 = "
      "target size in MiB"),
    L("loadblock", "Imports blocks from external file on startup (repeatable)"),
    B("reindex", "Rebuild chain state and block index from the blk*.dat files on disk"),
    B("reindex-chainstate", "Rebuild chain state from the currently indexed blocks"),
    B("txindex", "Maintain a full transaction index (default: 0)"),
    I("stopatheight", 0, INTMAX_, "Stop running after reaching the given height (debug)"),
    I("checkblocks", 0, INTMAX_, "How many blocks to check at startup (default: 6)"),
    I("checklevel", 0, 4, "How thorough the block verification of -checkblocks is (0-4)"),
    I("maxmempool", 0, INTMAX_, "Keep the transaction memory pool below <n> megabytes"),
    B("persistmempool", "Whether to save the mempool on shutdown and load on restart"),
    B("fastprune", ""),
    /* Chain selection. */
    S("chain", "Use the chain <chain>: main, test, testnet4, signet, regtest"),
    B("regtest", "Use the regression test chain (same as -chain=regtest)"),
    B("testnet", "Use the testnet3 chain (same as -chain=test)"),
    B("testnet4", "Use the testnet4 chain (same as -chain=testnet4)"),
    B("signet", "Use the signet chain (same as -chain=signet)"),
    L("signetchallenge", ""),
    L("signetseednode", ""),
    /* Connections (used from the P2P issue on). */
    {"port", BLVM_ARG_INT, BLVM_ARG_NETWORK_ONLY, 1, 65535,
     "Listen for connections on <port> (default: 8333, testnet3: 18333, testnet4: 48333, "
     "signet: 38333, regtest: 18444)"},
    B("listen", "Accept connections from outside (default: 1 if no -proxy or -connect)"),
    {"bind", BLVM_ARG_LIST, BLVM_ARG_NETWORK_ONLY, 0, 0, "Bind to given address and always listen on it"},
    {"connect", BLVM_ARG_LIST, BLVM_ARG_NETWORK_ONLY, 0, 0, "Connect only to the specified node(s)"},
    {"addnode", BLVM_ARG_LIST, BLVM_ARG_NETWORK_ONLY, 0, 0, "Add a node to connect to"},
    L("seednode", "Connect to a node to retrieve peer addresses, and disconnect"),
    B("dnsseed", "Query for peer addresses via DNS lookup"),
    B("fixedseeds", "Allow fixed seeds if DNS seeds don't provide peers"),
    B("discover", "Discover own IP addresses"),
    B("dns", "Allow DNS lookups for -addnode, -seednode and -connect"),
    I("maxconnections", 0, INTMAX_, "Maintain at most <n> connections to peers"),
    L("whitelist", ""),
    L("whitebind", ""),
    L("onlynet", ""),
    S("proxy", ""),
    L("externalip", ""),
    B("blocksonly", ""),
    B("upnp", ""),
    B("natpmp", ""),
    B("v2transport", ""),
    B("peerbloomfilters", ""),
    S("uacomment", ""),
    /* RPC server. */
    B("server", "Accept command line and JSON-RPC commands (default: 1)"),
    B("rest", "Accept public REST requests (default: 0)"),
    {"rpcport", BLVM_ARG_INT, BLVM_ARG_NETWORK_ONLY, 1, 65535,
     "Listen for JSON-RPC connections on <port> (default: 8332, testnet3: 18332, testnet4: "
     "48332, signet: 38332, regtest: 18443)"},
    {"rpcbind", BLVM_ARG_LIST, BLVM_ARG_NETWORK_ONLY, 0, 0,
     "Bind to given address to listen for JSON-RPC connections (needs -rpcallowip)"},
    L("rpcallowip", "Allow JSON-RPC connections from specified source (IP, IP/mask or IP/CIDR)"),
    {"rpcuser", BLVM_ARG_STRING, 0, 0, 0, "Username for JSON-RPC connections"},
    {"rpcpassword", BLVM_ARG_STRING, BLVM_ARG_SENSITIVE, 0, 0, "Password for JSON-RPC connections"},
    {"rpcauth", BLVM_ARG_LIST, BLVM_ARG_SENSITIVE, 0, 0,
     "Username and HMAC-SHA-256 hashed password for JSON-RPC connections: <USERNAME>:<SALT>$<HASH>"},
    S("rpccookiefile", "Location of the auth cookie, relative to the network's data dir"),
    I("rpcthreads", 1, 64, "Number of threads to service RPC calls (default: 16)"),
    I("rpcworkqueue", 1, 65536, "Depth of the work queue to service RPC calls (default: 64)"),
    I("rpcservertimeout", 1, INTMAX_, "Timeout during HTTP requests (default: 30)"),
    L("rpcwhitelist", ""),
    B("rpcwhitelistdefault", ""),
    /* Debugging and logging. */
    L("debug", "Output debug logging for <category> (repeatable; 1 or all: every category)"),
    L("debugexclude", "Exclude debug logging for <category> (repeatable)"),
    L("loglevel", "Level of debug logging: trace, debug, info, or <category>:<level>"),
    B("printtoconsole", "Send trace/debug info to console (default: 1 when no -daemon)"),
    S("debuglogfile", "Location of the debug log file, relative to the network's data dir"),
    B("logtimestamps", "Prepend debug output with timestamp (default: 1)"),
    B("logthreadnames", "Prepend debug output with name of the originating thread"),
    B("logips", ""),
    B("shrinkdebugfile", ""),
    /* Block creation (src/node/miner.c). */
    I("blockmaxweight", 0, INTMAX_, "Set maximum BIP141 block weight (default: 4000000)"),
    I("blockreservedweight", 0, INTMAX_,
      "Reserve space for the fixed-size block header plus the largest coinbase transaction the "
      "mining software may add to the block (default: 8000)"),
    I("blockversion", INT32_MIN, INT32_MAX,
      "Override block version to test forking scenarios (regtest only)"),
    /* Regression testing / policy (accepted so Core-style test configs run). */
    B("acceptnonstdtxn", ""),
    S("minrelaytxfee", ""),
    S("fallbackfee", ""),
    B("disablewallet", ""),
    B("coinstatsindex", ""),
    L("blockfilterindex", ""),
};
const size_t blvm_config_blvmd_args_count = BLVM_ARRAY_LEN(blvm_config_blvmd_args);

const blvm_arg_spec blvm_config_cli_args[] = {
    {"help", BLVM_ARG_BOOL, BLVM_ARG_CLI_ONLY, 0, 0, "Print this help message and exit"},
    {"?", BLVM_ARG_BOOL, BLVM_ARG_CLI_ONLY, 0, 0, ""},
    {"h", BLVM_ARG_BOOL, BLVM_ARG_CLI_ONLY, 0, 0, ""},
    {"version", BLVM_ARG_BOOL, BLVM_ARG_CLI_ONLY, 0, 0, "Print version and exit"},
    S("datadir", "Specify data directory"),
    {"conf", BLVM_ARG_STRING, BLVM_ARG_CLI_ONLY, 0, 0, "Specify configuration file, relative to the data dir"},
    S("chain", "Use the chain <chain>: main, test, testnet4, signet, regtest"),
    B("regtest", "Use the regression test chain"),
    B("testnet", "Use the testnet3 chain"),
    B("testnet4", "Use the testnet4 chain"),
    B("signet", "Use the signet chain"),
    S("rpcconnect", "Send commands to node running on <ip> (default: 127.0.0.1)"),
    {"rpcport", BLVM_ARG_INT, BLVM_ARG_NETWORK_ONLY, 1, 65535, "Connect to JSON-RPC on <port>"},
    S("rpcuser", "Username for JSON-RPC connections"),
    {"rpcpassword", BLVM_ARG_STRING, BLVM_ARG_SENSITIVE, 0, 0, "Password for JSON-RPC connections"},
    S("rpccookiefile", "Location of the auth cookie"),
    I("rpcclienttimeout", 0, INTMAX_, "Timeout in seconds during HTTP requests, 0 for none (default: 900)"),
    B("rpcwait", "Wait for RPC server to start"),
    I("rpcwaittimeout", 0, INTMAX_, "Timeout in seconds to wait for the RPC server (default: 0, no timeout)"),
    S("rpcwallet", "Send RPC for non-default wallet on RPC server"),
    B("named", "Pass named instead of positional arguments"),
    B("stdin", "Read extra arguments from standard input, one per line until EOF"),
    B("stdinrpcpass", "Read RPC password from standard input as a single line"),
    B("getinfo", "Get general information from the remote server"),
    B("color", ""),
};
const size_t blvm_config_cli_args_count = BLVM_ARRAY_LEN(blvm_config_cli_args);

#undef B
#undef S
#undef L
#undef I

/* ---- storage ---- */

enum { SRC_CMD = 0, SRC_ENV = 1, SRC_CONF = 2 };

typedef struct list_cache {
    char *name;
    const char **values;
    size_t count;
    struct list_cache *next;
} list_cache;

typedef struct entry {
    const blvm_arg_spec *spec;
    int source;
    char *section; /* config files: NULL at the top, else the section name */
    char *value;   /* NULL when negated */
} entry;

struct blvm_config {
    const blvm_arg_spec *specs;
    size_t nspecs;
    bool ignore_unknown_conf;
    entry *entries;
    size_t n, cap;
    char **positional;
    size_t npositional;
    blvm_config_network network;
    char *datadir;
    char *netdir;
    /* get_list results, computed once per name. */
    pthread_mutex_t cache_mutex;
    struct list_cache *cache;
};

static void clear_list_cache(blvm_config *cfg);

static const char *const g_net_names[] = {"main", "test", "testnet4", "signet", "regtest"};
static const char *const g_net_dirs[] = {"", "testnet3", "testnet4", "signet", "regtest"};
static const uint16_t g_rpc_ports[] = {8332, 18332, 48332, 38332, 18443};
static const uint16_t g_p2p_ports[] = {8333, 18333, 48333, 38333, 18444};

static const blvm_arg_spec *find_spec(const blvm_config *cfg, const char *name, size_t len) {
    for (size_t i = 0; i < cfg->nspecs; i++) {
        if (strlen(cfg->specs[i].name) == len && strncmp(cfg->specs[i].name, name, len) == 0)
            return &cfg->specs[i];
    }
    return NULL;
}

static bool add_entry(blvm_config *cfg, const blvm_arg_spec *spec, int source, const char *section,
                      const char *value) {
    if (cfg->n == cfg->cap) {
        size_t ncap = cfg->cap ? cfg->cap * 2 : 32;
        entry *ne = realloc(cfg->entries, ncap * sizeof *ne);
        if (!ne) return false;
        cfg->entries = ne;
        cfg->cap = ncap;
    }
    entry *e = &cfg->entries[cfg->n];
    e->spec = spec;
    e->source = source;
    e->section = section ? strdup(section) : NULL;
    e->value = value ? strdup(value) : NULL;
    if ((section && !e->section) || (value && !e->value)) {
        free(e->section);
        free(e->value);
        return false;
    }
    cfg->n++;
    return true;
}

static bool parse_bool_text(const char *v, bool *out) {
    if (v[0] == '\0' || strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 ||
        strcasecmp(v, "yes") == 0) {
        *out = true;
        return true;
    }
    if (strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0 || strcasecmp(v, "no") == 0) {
        *out = false;
        return true;
    }
    return false;
}

static bool parse_int_text(const char *v, int64_t *out) {
    if (!*v) return false;
    errno = 0;
    char *end;
    long long x = strtoll(v, &end, 10);
    if (errno || *end != '\0' || isspace((unsigned char)v[0])) return false;
    *out = (int64_t)x;
    return true;
}

/* Checks and normalises one value; negated says "-noname". On success
 * *norm is the value to store (NULL for a negated list/string). */
static bool interpret_value(const blvm_arg_spec *spec, const char *value, bool negated,
                            const char *where, char *norm, size_t normlen, bool *is_null,
                            char *err, size_t errlen) {
    *is_null = false;
    if (negated) {
        /* -noname=0 means name=1 (Core keeps the double negative). */
        bool b = true;
        if (value && !parse_bool_text(value, &b)) {
            blvm_err_set(err, errlen, "Invalid value for -no%s%s: '%s' (expected 0 or 1)",
                         spec->name, where, value);
            return false;
        }
        if (!b) {
            negated = false;
            value = spec->type == BLVM_ARG_BOOL || spec->type == BLVM_ARG_INT ? "1" : "";
            if (spec->type != BLVM_ARG_BOOL && spec->type != BLVM_ARG_INT) {
                /* "-nofoo=0" for a text flag: treat as simply set, empty. */
            }
        } else {
            if (spec->type == BLVM_ARG_BOOL || spec->type == BLVM_ARG_INT ||
                spec->type == BLVM_ARG_HASH) {
                snprintf(norm, normlen, "0");
            } else {
                *is_null = true;
            }
            return true;
        }
    }
    if (!value) value = "";
    switch (spec->type) {
    case BLVM_ARG_BOOL: {
        bool b;
        if (!parse_bool_text(value, &b)) {
            blvm_err_set(err, errlen, "Invalid value for -%s%s: '%s' (expected 0 or 1)", spec->name,
                         where, value);
            return false;
        }
        snprintf(norm, normlen, "%d", b ? 1 : 0);
        return true;
    }
    case BLVM_ARG_INT: {
        int64_t x;
        if (!parse_int_text(value, &x) || x < spec->min || x > spec->max) {
            if (spec->max == INT64_MAX) {
                blvm_err_set(err, errlen,
                             "Invalid value for -%s%s: '%s' (expected an integer of at least %lld)",
                             spec->name, where, value, (long long)spec->min);
            } else {
                blvm_err_set(
                    err, errlen,
                    "Invalid value for -%s%s: '%s' (expected an integer from %lld to %lld)",
                    spec->name, where, value, (long long)spec->min, (long long)spec->max);
            }
            return false;
        }
        snprintf(norm, normlen, "%lld", (long long)x);
        return true;
    }
    case BLVM_ARG_HASH:
        if (strcmp(value, "0") != 0 && !blvm_hex_is_valid(value, 64)) {
            blvm_err_set(err, errlen,
                         "Invalid value for -%s%s: '%s' (expected 64 hexadecimal digits or 0)",
                         spec->name, where, value);
            return false;
        }
        snprintf(norm, normlen, "%s", value);
        return true;
    case BLVM_ARG_STRING:
    case BLVM_ARG_LIST:
        if (strlen(value) >= normlen) {
            blvm_err_set(err, errlen, "Value of -%s%s is too long", spec->name, where);
            return false;
        }
        snprintf(norm, normlen, "%s", value);
        return true;
    }
    return false;
}

/* One "name[=value]" from the command line or a config file ("name" has no
 * dashes here). section is the config section or NULL. */
static bool add_setting(blvm_config *cfg, int source, const char *section, const char *key,
                        size_t keylen, const char *value, const char *where, char *err,
                        size_t errlen, bool *unknown) {
    *unknown = false;
    bool negated = false;
    const blvm_arg_spec *spec = find_spec(cfg, key, keylen);
    if (!spec && keylen > 2 && key[0] == 'n' && key[1] == 'o') {
        spec = find_spec(cfg, key + 2, keylen - 2);
        negated = spec != NULL;
    }
    if (!spec) {
        *unknown = true;
        return false;
    }
    if (source == SRC_CONF && (spec->flags & BLVM_ARG_CLI_ONLY)) {
        blvm_err_set(err, errlen, "-%s is only valid on the command line%s", spec->name, where);
        return false;
    }
    char *norm = malloc(65536);
    if (!norm) {
        blvm_err_set(err, errlen, "out of memory");
        return false;
    }
    bool is_null;
    bool ok = interpret_value(spec, value, negated, where, norm, 65536, &is_null, err, errlen);
    if (ok && !add_entry(cfg, spec, source, section, is_null ? NULL : norm)) {
        blvm_err_set(err, errlen, "out of memory");
        ok = false;
    }
    free(norm);
    return ok;
}

static bool is_network_section(const char *s) {
    for (size_t i = 0; i < BLVM_ARRAY_LEN(g_net_names); i++)
        if (strcmp(s, g_net_names[i]) == 0) return true;
    return false;
}

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

bool blvm_config_read_conf_text(blvm_config *cfg, const char *text, const char *fname, char *err,
                                size_t errlen) {
    clear_list_cache(cfg);
    char *copy = strdup(text);
    if (!copy) {
        blvm_err_set(err, errlen, "out of memory");
        return false;
    }
    char section[64] = "";
    bool ok = true;
    int lineno = 0;
    /* Split by hand: strtok would merge empty lines and miscount. */
    char *p = copy;
    while (p && ok) {
        char *nl = strchr(p, '\n');
        if (nl) *nl = '\0';
        char *line = p;
        p = nl ? nl + 1 : NULL;
        lineno++;
        bool used_hash = false;
        char *hash = strchr(line, '#');
        if (hash) {
            *hash = '\0';
            used_hash = true;
        }
        line = trim(line);
        if (!*line) continue;
        size_t len = strlen(line);
        if (line[0] == '[' && line[len - 1] == ']') {
            line[len - 1] = '\0';
            snprintf(section, sizeof section, "%s", trim(line + 1));
            continue;
        }
        if (line[0] == '-') {
            blvm_err_set(err, errlen,
                         "parse error on line %d of %s: %s, options in configuration file must be "
                         "specified without leading -",
                         lineno, fname, line);
            ok = false;
            break;
        }
        char *eq = strchr(line, '=');
        if (!eq) {
            if (strncmp(line, "no", 2) == 0) {
                blvm_err_set(
                    err, errlen,
                    "parse error on line %d of %s: %s, if you intended to specify a negated "
                    "option, use %s=1 instead",
                    lineno, fname, line, line);
            } else {
                blvm_err_set(err, errlen, "parse error on line %d of %s: %s", lineno, fname, line);
            }
            ok = false;
            break;
        }
        *eq = '\0';
        char *key = trim(line);
        char *value = trim(eq + 1);
        /* "regtest.rpcport=1" is the same as rpcport=1 in [regtest]. */
        const char *sect = section[0] ? section : NULL;
        char prefix_sect[64];
        char *dot = strchr(key, '.');
        if (dot && !sect) {
            size_t sl = (size_t)(dot - key);
            if (sl < sizeof prefix_sect) {
                memcpy(prefix_sect, key, sl);
                prefix_sect[sl] = '\0';
                sect = prefix_sect;
                key = dot + 1;
            }
        }
        if (used_hash && strstr(key, "rpcpassword")) {
            blvm_err_set(
                err, errlen,
                "parse error on line %d of %s, using # in rpcpassword can be ambiguous and "
                "should be avoided",
                lineno, fname);
            ok = false;
            break;
        }
        char where[300];
        snprintf(where, sizeof where, " (line %d of %s)", lineno, fname);
        bool unknown;
        if (sect && !is_network_section(sect)) {
            /* Core warns about unknown sections and ignores what is in them. */
            continue;
        }
        if (!add_setting(cfg, SRC_CONF, sect, key, strlen(key), value, where, err, errlen,
                         &unknown)) {
            if (unknown) {
                if (cfg->ignore_unknown_conf) continue;
                blvm_err_set(err, errlen, "Invalid configuration value %s (line %d of %s)", key,
                             lineno, fname);
            }
            ok = false;
        }
    }
    free(copy);
    return ok;
}

static bool read_conf_file(blvm_config *cfg, const char *path, bool must_exist, char *err,
                           size_t errlen) {
    FILE *f = fopen(path, "r");
    if (!f) {
        if (!must_exist && errno == ENOENT) return true;
        blvm_err_set(err, errlen,
                     "Error reading configuration file: specified config file \"%s\" could not be "
                     "opened: %s",
                     path, strerror(errno));
        return false;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    bool ok = buf != NULL;
    while (ok) {
        if (len + 4096 + 1 > cap) {
            if (cap > 64u * 1024 * 1024) {
                blvm_err_set(err, errlen, "configuration file %s is too large", path);
                ok = false;
                break;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                ok = false;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t r = fread(buf + len, 1, 4096, f);
        len += r;
        if (r < 4096) break;
    }
    if (ok && ferror(f)) {
        blvm_err_set(err, errlen, "Error reading configuration file %s: %s", path, strerror(errno));
        ok = false;
    }
    fclose(f);
    if (!ok) {
        if (buf == NULL) blvm_err_set(err, errlen, "out of memory");
        free(buf);
        return false;
    }
    buf[len] = '\0';
    if (memchr(buf, '\0', len)) {
        blvm_err_set(err, errlen, "Error reading configuration file %s: it contains a NUL byte",
                     path);
        free(buf);
        return false;
    }
    ok = blvm_config_read_conf_text(cfg, buf, path, err, errlen);
    free(buf);
    return ok;
}

/* ---- effective values ---- */

/* Index of the entry that decides a single-valued flag, or -1. */
static long find_effective(const blvm_config *cfg, const char *name) {
    const char *net = g_net_names[cfg->network];
    long best = -1;
    /* Command line: last wins. */
    for (size_t i = 0; i < cfg->n; i++)
        if (cfg->entries[i].source == SRC_CMD && strcmp(cfg->entries[i].spec->name, name) == 0)
            best = (long)i;
    if (best >= 0) return best;
    for (size_t i = 0; i < cfg->n; i++)
        if (cfg->entries[i].source == SRC_ENV && strcmp(cfg->entries[i].spec->name, name) == 0)
            return (long)i;
    /* Config: the network's section first, then the top (first wins). */
    for (size_t i = 0; i < cfg->n; i++) {
        const entry *e = &cfg->entries[i];
        if (e->source == SRC_CONF && e->section && strcmp(e->section, net) == 0 &&
            strcmp(e->spec->name, name) == 0)
            return (long)i;
    }
    for (size_t i = 0; i < cfg->n; i++) {
        const entry *e = &cfg->entries[i];
        if (e->source == SRC_CONF && !e->section && strcmp(e->spec->name, name) == 0) {
            if ((e->spec->flags & BLVM_ARG_NETWORK_ONLY) && cfg->network != BLVM_CONFIG_MAIN)
                continue;
            return (long)i;
        }
    }
    return -1;
}

bool blvm_config_is_set(const blvm_config *cfg, const char *name) {
    return find_effective(cfg, name) >= 0;
}

bool blvm_config_is_negated(const blvm_config *cfg, const char *name) {
    long i = find_effective(cfg, name);
    if (i < 0) return false;
    const entry *e = &cfg->entries[i];
    if (e->value == NULL) return true;
    return (e->spec->type == BLVM_ARG_BOOL) && strcmp(e->value, "0") == 0;
}

const char *blvm_config_get_str(const blvm_config *cfg, const char *name, const char *def) {
    long i = find_effective(cfg, name);
    if (i < 0) return def;
    const entry *e = &cfg->entries[i];
    return e->value ? e->value : "0";
}

int64_t blvm_config_get_int(const blvm_config *cfg, const char *name, int64_t def) {
    const char *v = blvm_config_get_str(cfg, name, NULL);
    int64_t x;
    if (!v || !parse_int_text(v, &x)) return def;
    return x;
}

bool blvm_config_get_bool(const blvm_config *cfg, const char *name, bool def) {
    const char *v = blvm_config_get_str(cfg, name, NULL);
    bool b;
    if (!v || !parse_bool_text(v, &b)) return def;
    return b;
}

/* Collects a list flag's values into a new NULL-terminated array. */
static const char **collect_list(const blvm_config *cfg, const char *name, size_t *out_count) {
    const char *net = g_net_names[cfg->network];
    const char **buf = malloc((cfg->n + 1) * sizeof *buf);
    if (!buf) return NULL;
    size_t count = 0;
    /* Sources from lowest to highest priority; a negation drops everything
     * collected before it. Config: top part, then the network section. */
    for (int pass = 0; pass < 4; pass++) {
        for (size_t i = 0; i < cfg->n; i++) {
            const entry *e = &cfg->entries[i];
            if (strcmp(e->spec->name, name) != 0) continue;
            bool take;
            switch (pass) {
            case 0:
                take = e->source == SRC_CONF && !e->section &&
                       !((e->spec->flags & BLVM_ARG_NETWORK_ONLY) &&
                         cfg->network != BLVM_CONFIG_MAIN);
                break;
            case 1:
                take = e->source == SRC_CONF && e->section && strcmp(e->section, net) == 0;
                break;
            case 2:
                take = e->source == SRC_ENV;
                break;
            default:
                take = e->source == SRC_CMD;
                break;
            }
            if (!take) continue;
            if (e->value == NULL) {
                count = 0;
            } else {
                buf[count++] = e->value;
            }
        }
    }
    buf[count] = NULL;
    *out_count = count;
    return buf;
}

size_t blvm_config_get_list(const blvm_config *cfg, const char *name,
                            const char *const **values) {
    /* Results are cached per name so the returned arrays stay valid while
     * cfg lives and concurrent callers (RPC workers) never share scratch
     * space. */
    blvm_config *c = (blvm_config *)cfg;
    pthread_mutex_lock(&c->cache_mutex);
    for (list_cache *lc = c->cache; lc; lc = lc->next) {
        if (strcmp(lc->name, name) == 0) {
            *values = lc->values;
            size_t n = lc->count;
            pthread_mutex_unlock(&c->cache_mutex);
            return n;
        }
    }
    static const char *const empty[1] = {NULL};
    size_t n = 0;
    list_cache *lc = calloc(1, sizeof *lc);
    const char **vals = lc ? collect_list(cfg, name, &n) : NULL;
    char *nm = lc ? strdup(name) : NULL;
    if (!lc || !vals || !nm) {
        free(lc);
        free(vals);
        free(nm);
        pthread_mutex_unlock(&c->cache_mutex);
        *values = empty;
        return 0;
    }
    lc->name = nm;
    lc->values = vals;
    lc->count = n;
    lc->next = c->cache;
    c->cache = lc;
    *values = vals;
    pthread_mutex_unlock(&c->cache_mutex);
    return n;
}

static void clear_list_cache(blvm_config *cfg) {
    pthread_mutex_lock(&cfg->cache_mutex);
    list_cache *lc = cfg->cache;
    cfg->cache = NULL;
    pthread_mutex_unlock(&cfg->cache_mutex);
    while (lc) {
        list_cache *next = lc->next;
        free(lc->name);
        free(lc->values);
        free(lc);
        lc = next;
    }
}

size_t blvm_config_positional(const blvm_config *cfg, char *const **words) {
    *words = cfg->positional;
    return cfg->npositional;
}

/* ---- networks and paths ---- */

const char *blvm_config_network_name(blvm_config_network net) {
    return (size_t)net < BLVM_ARRAY_LEN(g_net_names) ? g_net_names[net] : "?";
}

bool blvm_config_network_from_name(const char *name, blvm_config_network *out) {
    for (size_t i = 0; i < BLVM_ARRAY_LEN(g_net_names); i++) {
        if (strcmp(name, g_net_names[i]) == 0) {
            *out = (blvm_config_network)i;
            return true;
        }
    }
    return false;
}

uint16_t blvm_config_default_rpc_port(blvm_config_network net) {
    return g_rpc_ports[net];
}

uint16_t blvm_config_default_p2p_port(blvm_config_network net) {
    return g_p2p_ports[net];
}

uint16_t blvm_config_rpc_port(const blvm_config *cfg) {
    return (uint16_t)blvm_config_get_int(cfg, "rpcport", g_rpc_ports[cfg->network]);
}

blvm_config_network blvm_config_get_network(const blvm_config *cfg) {
    return cfg->network;
}

const char *blvm_config_datadir(const blvm_config *cfg) {
    return cfg->datadir;
}

const char *blvm_config_netdir(const blvm_config *cfg) {
    return cfg->netdir;
}

static char *path_join(const char *dir, const char *name) {
    if (name[0] == '/') return strdup(name);
    size_t dl = strlen(dir);
    size_t n = dl + 1 + strlen(name) + 1;
    char *p = malloc(n);
    if (!p) return NULL;
    if (dl > 0 && dir[dl - 1] == '/')
        snprintf(p, n, "%s%s", dir, name);
    else
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

char *blvm_config_netdir_path(const blvm_config *cfg, const char *name, const char *def) {
    const char *v = blvm_config_get_str(cfg, name, def);
    if (!v) return NULL;
    return path_join(cfg->netdir, v);
}

/* Like find_effective, ignoring config sections (for the chain flags, which
 * decide which section applies). */
static long find_effective_top(const blvm_config *cfg, const char *name) {
    long best = -1;
    for (size_t i = 0; i < cfg->n; i++)
        if (cfg->entries[i].source == SRC_CMD && strcmp(cfg->entries[i].spec->name, name) == 0)
            best = (long)i;
    if (best >= 0) return best;
    for (int src = SRC_ENV; src <= SRC_CONF; src++)
        for (size_t i = 0; i < cfg->n; i++) {
            const entry *e = &cfg->entries[i];
            if (e->source == src && !e->section && strcmp(e->spec->name, name) == 0)
                return (long)i;
        }
    return -1;
}

/* Decides the network from the chain flags of the command line, the
 * environment and the top of the config files. */
static bool resolve_network(blvm_config *cfg, char *err, size_t errlen) {
    static const char *const flags[] = {"regtest", "testnet", "testnet4", "signet"};
    static const blvm_config_network nets[] = {BLVM_CONFIG_REGTEST, BLVM_CONFIG_TEST,
                                               BLVM_CONFIG_TESTNET4, BLVM_CONFIG_SIGNET};
    int count = 0;
    blvm_config_network net = BLVM_CONFIG_MAIN;
    for (size_t i = 0; i < BLVM_ARRAY_LEN(flags); i++) {
        if (!find_spec(cfg, flags[i], strlen(flags[i]))) continue;
        long e = find_effective_top(cfg, flags[i]);
        if (e >= 0 && cfg->entries[e].value && strcmp(cfg->entries[e].value, "1") == 0) {
            count++;
            net = nets[i];
        }
    }
    long c = find_effective_top(cfg, "chain");
    if (c >= 0 && cfg->entries[c].value) {
        const char *v = cfg->entries[c].value;
        blvm_config_network n2;
        if (!blvm_config_network_from_name(v, &n2)) {
            blvm_err_set(
                err, errlen,
                "Invalid -chain value '%s': expected main, test, testnet4, signet or regtest", v);
            return false;
        }
        count++;
        net = n2;
    }
    if (count > 1) {
        blvm_err_set(
            err, errlen,
            "Invalid combination of -regtest, -signet, -testnet, -testnet4 and -chain. Can "
            "use at most one.");
        return false;
    }
    cfg->network = net;
    return true;
}

static const char *default_getenv(const char *name) {
    return getenv(name);
}

static bool set_dirs(blvm_config *cfg, const blvm_config_options *opts, char *err, size_t errlen) {
    const char *dd = blvm_config_get_str(cfg, "datadir", NULL);
    free(cfg->datadir);
    cfg->datadir = NULL;
    if (dd && blvm_config_is_negated(cfg, "datadir")) dd = NULL;
    if (dd && dd[0]) {
        cfg->datadir = strdup(dd);
    } else {
        const char *home = opts->home ? opts->home : getenv("HOME");
        if (!home || !home[0]) home = "/";
        cfg->datadir = path_join(home, ".blvm");
    }
    if (!cfg->datadir) {
        blvm_err_set(err, errlen, "out of memory");
        return false;
    }
    /* Drop a trailing slash so messages show clean paths. */
    size_t l = strlen(cfg->datadir);
    while (l > 1 && cfg->datadir[l - 1] == '/') cfg->datadir[--l] = '\0';
    return true;
}

blvm_config *blvm_config_load(const blvm_config_options *opts, int argc, char *const argv[],
                              char *err, size_t errlen) {
    if (err && errlen) err[0] = '\0';
    blvm_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg) {
        blvm_err_set(err, errlen, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&cfg->cache_mutex, NULL);
    cfg->specs = opts->specs;
    cfg->nspecs = opts->nspecs;
    cfg->ignore_unknown_conf = opts->ignore_unknown_conf_keys;
    const char *(*env)(const char *) = opts->getenv_fn ? opts->getenv_fn : default_getenv;

    /* 1. Command line. */
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] == '\0') {
            if (opts->allow_positional) break;
            blvm_err_set(
                err, errlen,
                "Error parsing command line arguments: Command line contains unexpected token "
                "'%s', see blvmd -h for a list of options.",
                a);
            goto fail;
        }
        const char *key = a + 1;
        if (key[0] == '-') key++; /* --name */
        const char *eq = strchr(key, '=');
        size_t keylen = eq ? (size_t)(eq - key) : strlen(key);
        bool unknown;
        if (!add_setting(cfg, SRC_CMD, NULL, key, keylen, eq ? eq + 1 : NULL, "", err, errlen,
                         &unknown)) {
            if (unknown)
                blvm_err_set(err, errlen,
                             "Error parsing command line arguments: Invalid parameter %.*s",
                             (int)(key - a + keylen), a);
            goto fail;
        }
    }
    if (i < argc) {
        cfg->npositional = (size_t)(argc - i);
        cfg->positional = calloc(cfg->npositional + 1, sizeof(char *));
        if (!cfg->positional) goto oom;
        for (size_t k = 0; k < cfg->npositional; k++) {
            cfg->positional[k] = strdup(argv[i + (int)k]);
            if (!cfg->positional[k]) goto oom;
        }
    }

    /* 2. Environment: BLVM_<NAME>. */
    for (size_t s = 0; s < cfg->nspecs; s++) {
        const blvm_arg_spec *spec = &cfg->specs[s];
        if (spec->flags & BLVM_ARG_CLI_ONLY) {
            /* -conf is allowed from the environment: it picks the file. */
            if (strcmp(spec->name, "conf") != 0) continue;
        }
        char envname[80] = "BLVM_";
        size_t k = 5;
        bool ok = true;
        for (const char *p = spec->name; *p && k + 1 < sizeof envname; p++) {
            char ch = *p;
            if (ch == '-')
                ch = '_';
            else if (!isalnum((unsigned char)ch))
                ok = false;
            envname[k++] = (char)toupper((unsigned char)ch);
        }
        envname[k] = '\0';
        if (!ok) continue;
        const char *v = env(envname);
        if (!v) continue;
        char where[100];
        snprintf(where, sizeof where, " (environment %s)", envname);
        bool unknown;
        if (!add_setting(cfg, SRC_ENV, NULL, spec->name, strlen(spec->name), v, where, err, errlen,
                         &unknown))
            goto fail;
    }

    /* 3. Config files, relative to the base data dir. */
    if (!set_dirs(cfg, opts, err, errlen)) goto fail;
    if (blvm_config_get_str(cfg, "datadir", NULL)) {
        /* An explicit -datadir must exist (Core's CheckDataDirOption); the
         * default one is created later. */
        struct stat st;
        if (stat(cfg->datadir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            blvm_err_set(err, errlen, "Specified data directory \"%s\" does not exist.",
                         cfg->datadir);
            goto fail;
        }
    }
    if (!blvm_config_is_negated(cfg, "conf")) {
        const char *conf = blvm_config_get_str(cfg, "conf", NULL);
        bool explicit_conf = conf != NULL && conf[0];
        char *path = path_join(cfg->datadir, explicit_conf ? conf : "bitcoin.conf");
        if (!path) goto oom;
        bool ok = read_conf_file(cfg, path, explicit_conf, err, errlen);
        free(path);
        if (!ok) goto fail;
        path = path_join(cfg->datadir, "blvm.conf");
        if (!path) goto oom;
        ok = read_conf_file(cfg, path, false, err, errlen);
        free(path);
        if (!ok) goto fail;
    }

    /* 4. Network and its directory. */
    if (!resolve_network(cfg, err, errlen)) goto fail;
    cfg->netdir = path_join(cfg->datadir, g_net_dirs[cfg->network]);
    if (!cfg->netdir) goto oom;
    {
        size_t l = strlen(cfg->netdir);
        while (l > 1 && cfg->netdir[l - 1] == '/') cfg->netdir[--l] = '\0';
    }
    return cfg;
oom:
    blvm_err_set(err, errlen, "out of memory");
fail:
    blvm_config_destroy(cfg);
    return NULL;
}

void blvm_config_destroy(blvm_config *cfg) {
    if (!cfg) return;
    for (size_t i = 0; i < cfg->n; i++) {
        free(cfg->entries[i].section);
        free(cfg->entries[i].value);
    }
    free(cfg->entries);
    for (size_t i = 0; i < cfg->npositional; i++) free(cfg->positional[i]);
    free(cfg->positional);
    free(cfg->datadir);
    free(cfg->netdir);
    clear_list_cache(cfg);
    pthread_mutex_destroy(&cfg->cache_mutex);
    free(cfg);
}

void blvm_config_print_help(const blvm_arg_spec *specs, size_t n, const char *usage) {
    printf("%s\n\nOptions:\n\n", usage);
    for (size_t i = 0; i < n; i++) {
        if (!specs[i].help || !specs[i].help[0]) continue;
        const char *arg = "";
        switch (specs[i].type) {
        case BLVM_ARG_BOOL: arg = ""; break;
        case BLVM_ARG_INT: arg = "=<n>"; break;
        case BLVM_ARG_HASH: arg = "=<hex>"; break;
        default: arg = "=<value>"; break;
        }
        printf("  -%s%s\n       %s\n\n", specs[i].name, arg, specs[i].help);
    }
}
