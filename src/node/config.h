#ifndef BLVM_NODE_CONFIG_H
#define BLVM_NODE_CONFIG_H

/* Configuration with bitcoind's flag names and bitcoin.conf syntax.
 *
 * Sources, highest priority first (as Core, plus the environment):
 *   1. the command line: -name=value, -name (empty value: "1" for booleans),
 *      -noname (negation), --name also accepted; for a single-valued flag the
 *      last occurrence wins;
 *   2. the environment: BLVM_<NAME> with '-' as '_' (BLVM_RPCPORT=18500,
 *      BLVM_REINDEX_CHAINSTATE=1); only for flags the program knows;
 *   3. the config files: -conf (default bitcoin.conf in the data dir) and then
 *      blvm.conf in the data dir; within them the network's section
 *      ([main] [test] [testnet4] [signet] [regtest], or a "regtest.rpcport="
 *      prefix) before the top of the file; the first occurrence wins.
 * Repeatable flags (-loadblock, -addnode, -connect, -rpcauth, -rpcallowip,
 * -rpcbind, -debug, ...) collect the values of the highest-priority source
 * that has any. Flags marked network-only (-port, -rpcport, -bind, -rpcbind,
 * -connect, -addnode) in the top part of a config file apply to mainnet
 * only, as in Core.
 *
 * Every flag is declared in a table with its type; values are checked when
 * parsed, so getters cannot fail. Unknown flags, bad values and malformed
 * config lines make blvm_config_load() fail with one message. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/common.h"

typedef enum {
    BLVM_CONFIG_MAIN = 0,
    BLVM_CONFIG_TEST,     /* testnet3 */
    BLVM_CONFIG_TESTNET4,
    BLVM_CONFIG_SIGNET,
    BLVM_CONFIG_REGTEST,
} blvm_config_network;

typedef enum {
    BLVM_ARG_BOOL,   /* 0/1 (also true/false); "-x" means 1, "-nox" means 0 */
    BLVM_ARG_INT,    /* decimal integer within [min, max] */
    BLVM_ARG_STRING, /* any text; "-x" gives "" */
    BLVM_ARG_LIST,   /* repeatable string */
    BLVM_ARG_HASH,   /* 64 hex digits, or "0" */
} blvm_arg_type;

/* Flag properties. */
#define BLVM_ARG_NETWORK_ONLY 0x1u /* top of config file counts for main only */
#define BLVM_ARG_CLI_ONLY 0x2u     /* not valid in config files */
#define BLVM_ARG_SENSITIVE 0x4u    /* never logged (passwords) */

typedef struct blvm_arg_spec {
    const char *name; /* without the leading '-' */
    blvm_arg_type type;
    unsigned flags;
    int64_t min, max; /* BLVM_ARG_INT only */
    const char *help; /* one line for -help; "" hides it */
} blvm_arg_spec;

/* The flags blvmd accepts, and the ones blvm-cli accepts. */
extern const blvm_arg_spec blvm_config_blvmd_args[];
extern const size_t blvm_config_blvmd_args_count;
extern const blvm_arg_spec blvm_config_cli_args[];
extern const size_t blvm_config_cli_args_count;

typedef struct blvm_config blvm_config;

typedef struct blvm_config_options {
    const blvm_arg_spec *specs;
    size_t nspecs;
    /* Keys of config files that are not in specs: ignored (blvm-cli reads
     * the node's bitcoin.conf) or an error (blvmd). */
    bool ignore_unknown_conf_keys;
    /* Stop at the first argument that does not start with '-' (blvm-cli's
     * method name); the rest is returned by blvm_config_positional(). */
    bool allow_positional;
    /* Environment lookups (getenv by default); tests pass their own. */
    const char *(*getenv_fn)(const char *name);
    /* Home directory for the default data dir (HOME by default). */
    const char *home;
} blvm_config_options;

/* Parses the command line, the environment and the config files. Returns
 * NULL on failure with one message in err (e.g. "Invalid parameter -foo",
 * "Invalid value for -rpcport: 'abc' (expected an integer from 1 to 65535)",
 * "parse error on line 3 of /x/bitcoin.conf: ..."). Does not create any
 * directory. */
blvm_config *blvm_config_load(const blvm_config_options *opts, int argc, char *const argv[],
                              char *err, size_t errlen);
void blvm_config_destroy(blvm_config *cfg);

/* Same as load without the command line: parse config text directly (for
 * tests), for network net. */
BLVM_WUR bool blvm_config_read_conf_text(blvm_config *cfg, const char *text, const char *fname,
                                         char *err, size_t errlen);

/* ---- getters: name without '-'; thread-safe, cfg is not changed after
 * load ---- */

/* True when set by any source (also when negated). */
bool blvm_config_is_set(const blvm_config *cfg, const char *name);
/* True for -noname / name=0 style negation of a list or string flag. */
bool blvm_config_is_negated(const blvm_config *cfg, const char *name);
/* The effective value of a single-valued flag, or def when unset. */
const char *blvm_config_get_str(const blvm_config *cfg, const char *name, const char *def);
int64_t blvm_config_get_int(const blvm_config *cfg, const char *name, int64_t def);
bool blvm_config_get_bool(const blvm_config *cfg, const char *name, bool def);
/* All values of a list flag (count returned; *values valid while cfg lives).
 * Also works for single flags (0 or 1 value). */
size_t blvm_config_get_list(const blvm_config *cfg, const char *name, const char *const **values);

/* Command-line words after the flags (blvm-cli: method and its args). */
size_t blvm_config_positional(const blvm_config *cfg, char *const **words);

/* ---- derived settings ---- */

blvm_config_network blvm_config_get_network(const blvm_config *cfg);
/* "main", "test", "testnet4", "signet", "regtest" (Core's chain names). */
const char *blvm_config_network_name(blvm_config_network net);
BLVM_WUR bool blvm_config_network_from_name(const char *name, blvm_config_network *out);
/* Base data dir (-datadir or ~/.blvm) and the network's dir inside it (the
 * same for main; testnet3, testnet4, signet, regtest otherwise). */
const char *blvm_config_datadir(const blvm_config *cfg);
const char *blvm_config_netdir(const blvm_config *cfg);
/* Default ports of a network, as Core's. */
uint16_t blvm_config_default_rpc_port(blvm_config_network net);
uint16_t blvm_config_default_p2p_port(blvm_config_network net);
/* -rpcport, or the network's default. */
uint16_t blvm_config_rpc_port(const blvm_config *cfg);
/* Path of a file named by a flag (e.g. -pid, -rpccookiefile) relative to the
 * network dir unless absolute; def when unset. malloc'd. */
char *blvm_config_netdir_path(const blvm_config *cfg, const char *name, const char *def);

/* Writes the -help text of the specs to stdout. */
void blvm_config_print_help(const blvm_arg_spec *specs, size_t n, const char *usage);

#endif
