#ifndef BLVM_NODE_RPC_SERVER_H
#define BLVM_NODE_RPC_SERVER_H

/* The JSON-RPC HTTP server: libevent's evhttp on its own thread, a bounded
 * work queue and -rpcthreads worker threads that run the methods of a
 * blvm_rpc_table (rpc.h), HTTP Basic authentication (cookie, -rpcuser /
 * -rpcpassword, -rpcauth) and -rpcallowip filtering, as bitcoind does.
 *
 * Life cycle (src/bin/blvmd.c):
 *   blvm_rpc_server_start()     binds -rpcbind/-rpcport, writes the cookie
 *   ...                         requests are served
 *   blvm_rpc_server_interrupt() new requests get 503, queued work finishes
 *   blvm_rpc_server_stop()      waits for workers and pending replies,
 *                               removes the cookie, frees everything */

#include <stdbool.h>
#include <stddef.h>

#include "node/node.h"
#include "node/rpc/rpc.h"
#include "util/common.h"

struct blvm_config;
typedef struct blvm_rpc_server blvm_rpc_server;

/* Starts the server for node->rpc_table with the settings of cfg. On
 * failure returns NULL and writes one clear sentence into err (e.g. "Unable
 * to bind any endpoint for RPC server: port 18443 in use"). */
blvm_rpc_server *blvm_rpc_server_start(blvm_node *node, const struct blvm_config *cfg, char *err,
                                       size_t errlen);
/* Stops accepting work; safe to call more than once, from any thread. */
void blvm_rpc_server_interrupt(blvm_rpc_server *s);
/* Joins all threads, removes the cookie file and frees s (NULL is fine). */
void blvm_rpc_server_stop(blvm_rpc_server *s);

/* Fills a JSON array of the requests being executed, for getrpcinfo:
 * [{"method": "...", "duration": <microseconds>}, ...]. */
json_t *blvm_rpc_server_active_commands(blvm_rpc_server *s);

#endif
