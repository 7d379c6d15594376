/* blvmd: the full node daemon. Parses the configuration, prepares and locks
 * the data directory, opens the log, starts the JSON-RPC server and waits
 * for SIGINT/SIGTERM or the `stop` RPC, then shuts down in order (see
 * node/init.h). Exit status: 0 after a clean shutdown, 1 when start-up
 * fails (with one "Error: ..." line on stderr and in debug.log) or the node
 * stopped itself after a fatal storage error (disk full, I/O error). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "node/chain_setup.h"
#include "node/config.h"
#include "node/init.h"
#include "node/miner.h"
#include "node/node.h"
#include "node/rpc/areas.h"
#include "node/rpc/rpc.h"
#include "node/rpc/server.h"
#include "util/log.h"

static int fail(const char *msg) {
    BLVM_LOG_ERROR("%s", msg);
    fprintf(stderr, "Error: %s\n", msg);
    blvm_init_daemon_notify(false);
    return 1;
}

static void rpc_interrupt_hook(blvm_node *node, void *arg) {
    (void)node;
    blvm_rpc_server_interrupt(arg);
}

/* Settings that parse but make no sense together or out of range, checked
 * as Core does at start-up. */
static bool check_settings(const blvm_config *cfg, char *err, size_t errlen) {
    int64_t prune = blvm_config_get_int(cfg, "prune", 0);
    if (prune > 1 && prune < 550) {
        snprintf(err, errlen,
                 "Prune configured below the minimum of 550 MiB.  Please use a higher number.");
        return false;
    }
    if (prune != 0 && blvm_config_get_bool(cfg, "txindex", false)) {
        snprintf(err, errlen, "Prune mode is incompatible with -txindex.");
        return false;
    }
    if (prune != 0 && blvm_config_get_bool(cfg, "reindex-chainstate", false)) {
        snprintf(err, errlen,
                 "Prune mode is incompatible with -reindex-chainstate. Use full -reindex instead.");
        return false;
    }
    const char *const *v;
    size_t n = blvm_config_get_list(cfg, "debug", &v);
    for (size_t i = 0; i < n; i++) {
        uint64_t m;
        if (!blvm_log_category_from_name(v[i], &m)) {
            snprintf(err, errlen, "Unsupported logging category -debug=%s.", v[i]);
            return false;
        }
    }
    n = blvm_config_get_list(cfg, "debugexclude", &v);
    for (size_t i = 0; i < n; i++) {
        uint64_t m;
        if (!blvm_log_category_from_name(v[i], &m)) {
            snprintf(err, errlen, "Unsupported logging category -debugexclude=%s.", v[i]);
            return false;
        }
    }
    n = blvm_config_get_list(cfg, "loglevel", &v);
    for (size_t i = 0; i < n; i++) {
        if (!blvm_log_set_level_str(v[i])) {
            snprintf(err, errlen, "Unsupported log level -loglevel=%s.", v[i]);
            return false;
        }
    }
    return true;
}

static void setup_logging_categories(const blvm_config *cfg) {
    const char *const *v;
    size_t n = blvm_config_get_list(cfg, "debug", &v);
    bool none = false;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v[i], "0") == 0 || strcmp(v[i], "none") == 0) none = true;
    }
    /* -debug=0 / -debug=none anywhere turns every category off. */
    if (!none) {
        for (size_t i = 0; i < n; i++) {
            if (!blvm_log_enable_category_name(v[i])) {
                /* checked in check_settings */
            }
        }
    }
    n = blvm_config_get_list(cfg, "debugexclude", &v);
    for (size_t i = 0; i < n; i++) {
        if (!blvm_log_disable_category_name(v[i])) {
            /* checked in check_settings */
        }
    }
}

int main(int argc, char **argv) {
    blvm_init_block_signals();
    blvm_log_set_thread_name("main");

    char err[1024];
    blvm_config_options opts = {
        .specs = blvm_config_blvmd_args,
        .nspecs = blvm_config_blvmd_args_count,
    };
    blvm_config *cfg = blvm_config_load(&opts, argc, argv, err, sizeof err);
    if (!cfg) {
        fprintf(stderr, "Error: %s\n", err);
        return 1;
    }
    if (blvm_config_get_bool(cfg, "help", false) || blvm_config_get_bool(cfg, "?", false) ||
        blvm_config_get_bool(cfg, "h", false)) {
        blvm_config_print_help(blvm_config_blvmd_args, blvm_config_blvmd_args_count,
                               "blvmd version v" BLVM_VERSION "\n\nUsage:  blvmd [options]");
        blvm_config_destroy(cfg);
        return 0;
    }
    if (blvm_config_get_bool(cfg, "version", false)) {
        printf("blvmd version v%s\n", BLVM_VERSION);
        blvm_config_destroy(cfg);
        return 0;
    }
    int rc = 1;
    int lock_fd = -1;
    char *pidfile = NULL;
    blvm_node node;
    memset(&node, 0, sizeof node);
    node.config = cfg;
    node.start_time = (int64_t)time(NULL);
    atomic_init(&node.shutdown_requested, false);

    if (!check_settings(cfg, err, sizeof err)) {
        rc = fail(err);
        goto out;
    }
    bool daemon = blvm_config_get_bool(cfg, "daemon", false);
    if (daemon) {
        if (!blvm_init_daemonize(blvm_config_get_bool(cfg, "daemonwait", false), err,
                                 sizeof err)) {
            rc = fail(err);
            goto out;
        }
    }
    if (!blvm_init_datadir(cfg, err, sizeof err)) {
        rc = fail(err);
        goto out;
    }
    if (!blvm_init_start_signal_thread(&node)) {
        rc = fail("Unable to start the signal thread");
        goto out;
    }
    lock_fd = blvm_init_lock_dir(blvm_config_netdir(cfg), err, sizeof err);
    if (lock_fd < 0) {
        rc = fail(err);
        goto out;
    }

    /* Logging: the console unless -daemon, debug.log unless -nodebuglogfile. */
    blvm_log_set_print_to_console(blvm_config_get_bool(cfg, "printtoconsole", !daemon));
    blvm_log_set_timestamps(blvm_config_get_bool(cfg, "logtimestamps", true));
    blvm_log_set_thread_names(blvm_config_get_bool(cfg, "logthreadnames", false));
    setup_logging_categories(cfg);
    if (blvm_config_is_negated(cfg, "debuglogfile")) {
        blvm_log_disable_buffering();
    } else {
        char *logpath = blvm_config_netdir_path(cfg, "debuglogfile", "debug.log");
        if (!logpath || !blvm_log_open(logpath)) {
            snprintf(err, sizeof err, "Could not open debug log file %s", logpath ? logpath : "");
            free(logpath);
            rc = fail(err);
            goto out;
        }
        free(logpath);
    }
    BLVM_LOG_INFO("blvmd version v%s", BLVM_VERSION);
    BLVM_LOG_INFO("Network: %s", blvm_config_network_name(blvm_config_get_network(cfg)));
    BLVM_LOG_INFO("Using data directory %s", blvm_config_netdir(cfg));
    BLVM_LOG_INFO("Default data directory %s", blvm_config_datadir(cfg));

    if (!blvm_config_is_negated(cfg, "pid")) {
        pidfile = blvm_config_netdir_path(cfg, "pid", "blvmd.pid");
        if (!pidfile || !blvm_init_write_pidfile(pidfile, err, sizeof err)) {
            free(pidfile);
            pidfile = NULL;
            rc = fail(err);
            goto out;
        }
    }

    node.rpc_table = blvm_rpc_table_create();
    if (!node.rpc_table || !blvm_rpc_register_control(node.rpc_table) ||
        !blvm_rpc_register_blockchain(node.rpc_table) ||
        !blvm_rpc_register_rawtransactions(node.rpc_table) ||
        !blvm_rpc_register_util(node.rpc_table) ||
        !blvm_rpc_register_mining(node.rpc_table)) {
        rc = fail("Unable to set up the RPC method table");
        goto shutdown;
    }

    if (blvm_config_get_bool(cfg, "server", true)) {
        node.rpc_server = blvm_rpc_server_start(&node, cfg, err, sizeof err);
        if (!node.rpc_server) {
            rc = fail(err);
            goto shutdown;
        }
        /* Stopped by main between the shutdown phases (see init.h). */
        if (!blvm_init_add_shutdown_hook(BLVM_SHUTDOWN_INTERRUPT, "RPC server", rpc_interrupt_hook,
                                         node.rpc_server)) {
            blvm_rpc_server_stop(node.rpc_server);
            node.rpc_server = NULL;
            rc = fail("Too many shutdown hooks");
            goto shutdown;
        }
    }

    /* RPC answers "in warm-up" (-28) while the chainstate loads. */
    blvm_rpc_set_warmup(node.rpc_table, true, "Loading block index...");
    blvm_miner_options mopt; /* Core's -blockmaxweight / -blockreservedweight checks */
    blvm_miner_options_init(&mopt);
    if (!blvm_miner_options_from_config(&mopt, cfg, err, sizeof err) ||
        !blvm_node_open_chainstate(&node, cfg, err, sizeof err)) {
        rc = fail(err);
        goto shutdown;
    }

    blvm_rpc_set_warmup(node.rpc_table, false, "Done loading");
    BLVM_LOG_INFO("init message: Done loading");
    blvm_init_daemon_notify(true);

    blvm_node_import_blocks(&node, cfg);
    blvm_init_wait_for_shutdown(&node);
    rc = blvm_node_chainstate_failed() ? 1 : 0; /* stopped by a disk error */

shutdown:
    BLVM_LOG_INFO("Shutdown: In progress...");
    blvm_node_request_shutdown(&node);
    blvm_init_run_shutdown_phase(&node, BLVM_SHUTDOWN_INTERRUPT);
    if (node.rpc_server) {
        BLVM_LOG_INFO("Shutdown: stopping RPC server");
        blvm_rpc_server_stop(node.rpc_server);
        node.rpc_server = NULL;
    }
    blvm_init_run_shutdown_phase(&node, BLVM_SHUTDOWN_STOP);
    if (blvm_node_chainstate_failed()) rc = 1;
    if (node.rpc_table) blvm_rpc_table_destroy(node.rpc_table);
    BLVM_LOG_INFO("Shutdown: done");
out:
    if (pidfile) {
        blvm_init_remove_pidfile(pidfile);
        free(pidfile);
    }
    blvm_init_unlock_dir(lock_fd);
    blvm_log_close();
    blvm_config_destroy(cfg);
    return rc;
}
