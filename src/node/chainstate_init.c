/* See chainstate_init.h. */
#include "node/chainstate_init.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "consensus/params.h"
#include "node/chainstate.h"
#include "node/init.h"
#include "util/hex.h"
#include "util/log.h"

static void cs_log(void *ctx, int level, const char *msg) {
    (void)ctx;
    blvm_log_level l = level == BLVM_CS_LOG_DEBUG   ? BLVM_LOG_DEBUG
                       : level == BLVM_CS_LOG_INFO  ? BLVM_LOG_INFO
                       : level == BLVM_CS_LOG_WARN  ? BLVM_LOG_WARNING
                                                    : BLVM_LOG_ERROR;
    blvm_log_write(level == BLVM_CS_LOG_DEBUG ? BLVM_LOG_VALIDATION : BLVM_LOG_NONE, l, "%s", msg);
}

static void interrupt_hook(blvm_node *node, void *arg) {
    (void)arg;
    if (node->chainstate) blvm_chainstate_interrupt_waiters(node->chainstate);
}

bool blvm_init_chainstate(blvm_node *node, const blvm_config *cfg, char *err, size_t errlen) {
    const blvm_params *params = blvm_params_get((blvm_network)blvm_config_get_network(cfg));
    if (!params) {
        snprintf(err, errlen, "Unknown chain");
        return false;
    }
    blvm_chainstate_options opt;
    memset(&opt, 0, sizeof opt);
    opt.datadir = blvm_config_netdir(cfg);
    /* Core's -blocksdir: <dir>/<network subdir>/blocks. */
    char blocksdir[4096];
    const char *bd = blvm_config_get_str(cfg, "blocksdir", NULL);
    if (bd && bd[0]) {
        const char *base = blvm_config_datadir(cfg), *net = blvm_config_netdir(cfg);
        size_t bl = strlen(base);
        const char *sub = strncmp(net, base, bl) == 0 ? net + bl : "";
        while (*sub == '/') sub++;
        snprintf(blocksdir, sizeof blocksdir, "%s%s%s/blocks", bd, sub[0] ? "/" : "", sub);
        opt.blocksdir = blocksdir;
    }
    opt.dbcache_bytes = (uint64_t)blvm_config_get_int(cfg, "dbcache", 450) << 20;
    opt.par = (int)blvm_config_get_int(cfg, "par", 0);
    if (opt.par < 0) opt.par = 1; /* "leave that many cores free" on a small machine */
    int64_t prune = blvm_config_get_int(cfg, "prune", 0);
    /* -prune=1: manual pruning only (pruneblockchain): no automatic target. */
    opt.prune_target_bytes = prune == 1 ? UINT64_MAX : (uint64_t)prune << 20;
    opt.reindex = blvm_config_get_bool(cfg, "reindex", false);
    opt.reindex_chainstate = blvm_config_get_bool(cfg, "reindex-chainstate", false);
    uint8_t av[32];
    const char *avs = blvm_config_get_str(cfg, "assumevalid", NULL);
    if (avs) {
        if (strcmp(avs, "0") == 0) {
            memset(av, 0, sizeof av);
        } else if (!blvm_hex_decode_hash(av, avs)) {
            snprintf(err, errlen, "Invalid -assumevalid value: %s", avs);
            return false;
        }
        opt.assume_valid = av;
    }
    if (blvm_config_get_bool(cfg, "fastprune", false)) opt.max_blockfile_size = 64 * 1024;
    opt.log = cs_log;
    blvm_chainstate *cs = blvm_chainstate_open(params, &opt, err, errlen);
    if (!cs) return false;
    node->chainstate = cs;
    if (!blvm_init_add_shutdown_hook(BLVM_SHUTDOWN_INTERRUPT, "chainstate waiters", interrupt_hook,
                                     NULL)) {
        snprintf(err, errlen, "Too many shutdown hooks");
        return false;
    }
    const char *const *files;
    size_t n = blvm_config_get_list(cfg, "loadblock", &files);
    for (size_t i = 0; i < n && !blvm_node_shutdown_requested(node); i++) {
        blvm_blockfile_scan_report report;
        uint64_t imported = 0;
        memset(&report, 0, sizeof report);
        BLVM_LOG_INFO("Importing blocks file %s...", files[i]);
        if (!blvm_chainstate_load_external(cs, files[i], &report, &imported)) {
            BLVM_LOG_WARN("Could not open blocks file %s", files[i]);
            continue;
        }
        BLVM_LOG_INFO("Loaded %llu blocks from external file %s", (unsigned long long)imported,
                      files[i]);
    }
    blvm_tip_info tip;
    blvm_chainstate_tip(cs, &tip);
    BLVM_LOG_INFO("Chain state loaded: height %d", (int)tip.height);
    return true;
}

void blvm_init_chainstate_close(blvm_node *node) {
    if (!node->chainstate) return;
    blvm_chainstate_close(node->chainstate);
    node->chainstate = NULL;
}
