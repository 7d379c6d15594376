#ifndef BLVM_NODE_INIT_H
#define BLVM_NODE_INIT_H

/* Process start-up and shutdown for blvmd: the data directory, its lock
 * file, the pid file, -daemon, signals and the shutdown sequence.
 *
 * Shutdown runs in two phases. Other parts register hooks while starting:
 *   BLVM_SHUTDOWN_INTERRUPT  run first, in registration order: wake up
 *                            anything that blocks (RPC waiters, import
 *                            loops, network threads) so it can return;
 *   BLVM_SHUTDOWN_STOP       then in reverse registration order (last
 *                            started, first stopped): stop threads, flush
 *                            the coins cache, close databases and files.
 * Between the two, blvmd stops the RPC server itself (it interrupts it with
 * an INTERRUPT hook, then joins its workers), so no RPC handler runs while
 * STOP hooks close the chainstate, whatever order things were started in.
 */

#include <stdbool.h>
#include <stddef.h>

#include "node/config.h"
#include "node/node.h"
#include "util/common.h"

/* Checks and creates the data directories: the default base dir (~/.blvm)
 * is created when missing, an explicit -datadir must exist (as in Core); the
 * network dir and -blocksdir are created. Each must be writable. On failure
 * writes one sentence to err, e.g. "Cannot write to data directory
 * '/x/regtest'; check permissions." */
BLVM_WUR bool blvm_init_datadir(const blvm_config *cfg, char *err, size_t errlen);

/* Takes an exclusive lock on <dir>/.lock (flock, so it is released when the
 * process dies, also on kill -9). Returns the lock's fd (>= 0) or -1 with
 * err "Cannot obtain a lock on data directory <dir>. blvmd is probably
 * already running." */
BLVM_WUR int blvm_init_lock_dir(const char *dir, char *err, size_t errlen);
void blvm_init_unlock_dir(int fd);

/* Writes the pid file (the -pid path) / removes it. */
BLVM_WUR bool blvm_init_write_pidfile(const char *path, char *err, size_t errlen);
void blvm_init_remove_pidfile(const char *path);

/* -daemon: forks. The parent waits for the child's start-up result when
 * wait is true (-daemonwait) and exits with it, or exits 0 at once; only
 * the child returns (true). Call before any thread starts. */
BLVM_WUR bool blvm_init_daemonize(bool wait, char *err, size_t errlen);
/* Tells a waiting parent that start-up finished (ok) or failed. */
void blvm_init_daemon_notify(bool ok);

typedef void (*blvm_shutdown_fn)(blvm_node *node, void *arg);
typedef enum { BLVM_SHUTDOWN_INTERRUPT = 0, BLVM_SHUTDOWN_STOP = 1 } blvm_shutdown_phase;

/* Registers a hook (name is for the log). Thread-safe. false when full. */
BLVM_WUR bool blvm_init_add_shutdown_hook(blvm_shutdown_phase phase, const char *name,
                                          blvm_shutdown_fn fn, void *arg);
/* Runs (and forgets) the hooks of one phase, in that phase's order. */
void blvm_init_run_shutdown_phase(blvm_node *node, blvm_shutdown_phase phase);
/* Both phases: interrupt hooks, then stop hooks. */
void blvm_init_run_shutdown(blvm_node *node);

/* Blocks SIGINT, SIGTERM and SIGHUP in the calling thread and every thread
 * it creates afterwards, and ignores SIGPIPE. Call first in main(). */
void blvm_init_block_signals(void);
/* Starts a thread that turns SIGINT/SIGTERM into
 * blvm_node_request_shutdown(node) and SIGHUP into reopening debug.log, so
 * signals work while the main thread is busy (loading, -loadblock import,
 * reindex). Call after blvm_init_daemonize (fork keeps only the caller). */
BLVM_WUR bool blvm_init_start_signal_thread(blvm_node *node);
/* Waits (main thread) until SIGINT/SIGTERM arrives or
 * blvm_node_request_shutdown() is called; SIGHUP reopens debug.log. */
void blvm_init_wait_for_shutdown(blvm_node *node);

#endif
