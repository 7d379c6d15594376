#include "node/chain_setup.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "consensus/params.h"
#include "node/chainstate.h"
#include "node/init.h"
#include "util/hex.h"
#include "util/log.h"

static void chainstate_log(void *ctx, int level, const char *msg) {
    (void)ctx;
    switch (level) {
    case BLVM_CS_LOG_DEBUG: BLVM_LOG_DEBUG(BLVM_LOG_VALIDATION, "%s", msg); break;
    case BLVM_CS_LOG_WARN: BLVM_LOG_WARN("%s", msg); break;
    case BLVM_CS_LOG_ERROR: BLVM_LOG_ERROR("%s", msg); break;
    default: BLVM_LOG_INFO("%s", msg); break;
    }
}

static atomic_bool chainstate_failed;

/* Core's AbortNode: the error goes to the log and stderr, and the node
 * stops (flushing what is consistent) with a failing exit status. */
static void fatal_hook(void *ctx, const char *msg) {
    BLVM_LOG_ERROR("A fatal internal error occurred, see debug.log for details: %s", msg);
    fprintf(stderr, "Error: A fatal internal error occurred: %s\n", msg);
    atomic_store(&chainstate_failed, true);
    blvm_node_request_shutdown(ctx);
}

bool blvm_node_chainstate_failed(void) {
    return atomic_load(&chainstate_failed);
}

static bool stop_requested(void *ctx) {
    return blvm_node_shutdown_requested(ctx);
}

static void close_hook(blvm_node *node, void *arg) {
    (void)arg;
    if (!node->chainstate) return;
    BLVM_LOG_INFO("Shutdown: flushing the chainstate");
    blvm_chainstate_interrupt_waiters(node->chainstate);
    blvm_chainstate_close(node->chainstate);
    node->chainstate = NULL;
}

static void interrupt_hook(blvm_node *node, void *arg) {
    (void)arg;
    if (node->chainstate) blvm_chainstate_interrupt_waiters(node->chainstate);
}

bool blvm_node_open_chainstate(blvm_node *node, const blvm_config *cfg, char *err,
                               size_t errlen) {
    const blvm_params *params =
        blvm_params_by_name(blvm_config_network_name(blvm_config_get_network(cfg)));
    if (!params) {
        snprintf(err, errlen, "Unknown network");
        return false;
    }
    blvm_chainstate_options opt;
    memset(&opt, 0, sizeof opt);
    opt.datadir = blvm_config_netdir(cfg);
    char *blocksdir = NULL;
    if (blvm_config_is_set(cfg, "blocksdir")) {
        /* Core keeps the per-network subdirectory under -blocksdir too. */
        const char *net = blvm_config_netdir(cfg);
        const char *datadir = blvm_config_datadir(cfg);
        const char *sub = strcmp(net, datadir) ? strrchr(net, '/') : NULL;
        size_t n = strlen(blvm_config_get_str(cfg, "blocksdir", "")) + 64;
        blocksdir = malloc(n);
        if (!blocksdir) {
            snprintf(err, errlen, "Out of memory");
            return false;
        }
        snprintf(blocksdir, n, "%s%s/blocks", blvm_config_get_str(cfg, "blocksdir", ""),
                 sub ? sub : "");
        opt.blocksdir = blocksdir;
    }
    int64_t dbcache = blvm_config_get_int(cfg, "dbcache", 450);
    if (dbcache < 4) dbcache = 4; /* Core's MIN_DB_CACHE */
    opt.dbcache_bytes = (uint64_t)dbcache << 20;
    opt.par = (int)blvm_config_get_int(cfg, "par", 0);
    int64_t prune = blvm_config_get_int(cfg, "prune", 0);
    /* -prune=1 is manual pruning (pruneblockchain only): no target. */
    opt.prune_target_bytes = prune > 1 ? (uint64_t)prune << 20 : prune == 1 ? UINT64_MAX : 0;
    opt.reindex = blvm_config_get_bool(cfg, "reindex", false);
    opt.reindex_chainstate = blvm_config_get_bool(cfg, "reindex-chainstate", false);
    uint8_t assume_valid[32];
    if (blvm_config_is_set(cfg, "assumevalid")) {
        const char *av = blvm_config_get_str(cfg, "assumevalid", "0");
        if (!strcmp(av, "0") || blvm_config_is_negated(cfg, "assumevalid")) {
            memset(assume_valid, 0, 32);
        } else if (!blvm_hex_decode_hash(assume_valid, av)) {
            snprintf(err, errlen, "Invalid -assumevalid=%s (expected a block hash or 0)", av);
            free(blocksdir);
            return false;
        }
        opt.assume_valid = assume_valid;
    }
    /* Core's -fastprune (regtest tests): 64 KiB block files, so pruning
     * can be exercised with a few hundred small blocks. */
    if (blvm_config_get_bool(cfg, "fastprune", false)) opt.max_blockfile_size = 0x10000;
    opt.should_stop = stop_requested;
    opt.should_stop_ctx = node;
    opt.log = chainstate_log;
    opt.fatal_error = fatal_hook;
    opt.fatal_error_ctx = node;
    BLVM_LOG_INFO("Opening the chainstate (dbcache %lld MiB, par %d%s%s%s)", (long long)dbcache,
                  opt.par, opt.reindex ? ", reindex" : "",
                  opt.reindex_chainstate ? ", reindex-chainstate" : "",
                  prune ? ", pruned" : "");
    node->chainstate = blvm_chainstate_open(params, &opt, err, errlen);
    free(blocksdir);
    if (!node->chainstate) return false;
    if (!blvm_init_add_shutdown_hook(BLVM_SHUTDOWN_INTERRUPT, "chainstate waiters",
                                     interrupt_hook, NULL) ||
        !blvm_init_add_shutdown_hook(BLVM_SHUTDOWN_STOP, "chainstate", close_hook, NULL)) {
        blvm_chainstate_close(node->chainstate);
        node->chainstate = NULL;
        snprintf(err, errlen, "Too many shutdown hooks");
        return false;
    }
    blvm_tip_info tip;
    blvm_chainstate_tip(node->chainstate, &tip);
    char hex[65];
    blvm_hex_encode_reversed(hex, tip.hash, 32);
    BLVM_LOG_INFO("Chainstate loaded: tip %s height %d", hex, tip.height);
    return true;
}

void blvm_node_import_blocks(blvm_node *node, const blvm_config *cfg) {
    const char *const *files;
    size_t n = blvm_config_get_list(cfg, "loadblock", &files);
    for (size_t i = 0; i < n && node->chainstate && !blvm_node_shutdown_requested(node); i++) {
        blvm_blockfile_scan_report report;
        memset(&report, 0, sizeof report);
        uint64_t imported = 0;
        BLVM_LOG_INFO("Importing blocks file %s...", files[i]);
        if (!blvm_chainstate_load_external(node->chainstate, files[i], &report, &imported)) {
            BLVM_LOG_ERROR("Could not read blocks file %s", files[i]);
            continue;
        }
        blvm_tip_info tip;
        blvm_chainstate_tip(node->chainstate, &tip);
        BLVM_LOG_INFO("Loaded %llu blocks from external file %s (tip height %d)",
                      (unsigned long long)imported, files[i], tip.height);
        /* Zero padding at the end (preallocated space) is normal. */
        uint64_t skipped = report.skipped_bytes - report.zero_tail;
        if (report.rejected || skipped || report.truncated)
            BLVM_LOG_WARN("Blocks file %s: %llu records refused, %llu bytes skipped%s", files[i],
                          (unsigned long long)report.rejected, (unsigned long long)skipped,
                          report.truncated ? ", truncated at the end" : "");
    }
}
