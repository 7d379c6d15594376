#ifndef BLVM_NODE_NODE_H
#define BLVM_NODE_NODE_H

/* The node context: one per blvmd process, created by src/bin/blvmd.c and
 * handed to every RPC handler and shutdown hook. Parts of the node that are
 * built later (chainstate, mempool, connection manager) hang off it as
 * pointers; a NULL pointer means "not started (yet)", and RPC handlers that
 * need that part answer RPC_IN_WARMUP or RPC_MISC_ERROR instead of crashing.
 *
 * Threading: the fields below are set once during start-up, before the RPC
 * server starts, and only read afterwards. The shutdown flag is atomic. */

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct blvm_config;
struct blvm_rpc_table;
struct blvm_rpc_server;
struct blvm_chainstate;
struct blvm_mempool;
struct blvm_connman;

typedef struct blvm_node {
    /* Parsed configuration (owned by blvmd's main). */
    const struct blvm_config *config;
    /* Unix time (seconds) at which the process started: `uptime`. */
    int64_t start_time;
    /* Registered RPC methods and the HTTP server serving them. */
    struct blvm_rpc_table *rpc_table;
    struct blvm_rpc_server *rpc_server;
    /* Plugged in by the chainstate code; NULL until it is loaded. */
    struct blvm_chainstate *chainstate;
    /* Later issues. */
    struct blvm_mempool *mempool;
    struct blvm_connman *connman;
    /* Free slot for the integrator: anything else the handlers need. */
    void *user;
    /* Set by SIGINT/SIGTERM or the `stop` RPC; read with
     * blvm_node_shutdown_requested(). */
    atomic_bool shutdown_requested;
} blvm_node;

/* Asks the process to shut down. Safe from any thread (not from a signal
 * handler: blvmd turns signals into this call on its main thread). The main
 * thread then runs the shutdown sequence of src/node/init.h. */
void blvm_node_request_shutdown(blvm_node *node);
/* True once shutdown was requested: long loops (import, reindex,
 * waitfornewblock) poll this and return early. */
bool blvm_node_shutdown_requested(const blvm_node *node);

#endif
